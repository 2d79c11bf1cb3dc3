//! The integration tests, in one binary (each test binary links DataFusion: one link instead
//! of a dozen). Tests that need a process of their own (process-wide thread and CPU counts,
//! the text pool's laziness) are the separate binaries beside `tests/it/`.

#[path = "../support/mod.rs"]
mod support;

mod ballista;
mod bench_cli;
mod bench_compare;
mod cli_gen;
mod copy;
mod export;
mod export_formats;
mod layouts;
mod object_stores;
mod provider_data;
mod provider_plan;
mod provider_pushdown;
mod queries;
mod refresh;
mod reliability;
mod sink;
mod skip_ahead;
mod sql_functions;
mod tbl_checksums;
mod tpch_run;
