//! The 22 TPC-H queries as a ready benchmark for DataFusion (feature `datafusion`).
//!
//! Everything a benchmark harness needs, embedded in the crate so it works from any directory:
//!
//! - the query set: [`query`] / [`QUERIES`], the 22 queries with the validation substitution
//!   parameters, in SQL that DataFusion runs unmodified;
//! - the official answers on dbgen's data at SF 0.01, 0.1 and 1: [`answer`] (`None` at any other
//!   scale factor), or answer files of your own through [`AnswerSet::Dir`];
//! - a session with the eight tables from a [`Source`]: the generating provider, Parquet files
//!   written by `tpch gen --format parquet`, or tables loaded into memory ([`tpch_context`]);
//! - [`run_query`] (one query, timed) and [`check_answer`] (a result against an answer, with a
//!   [`Mismatch`] naming the row and column that differ);
//! - qgen's query streams ([`QueryStream`]: the substitution parameters of `qgen -r SEED -p N`,
//!   rendered into the same SQL), the refresh functions RF1/RF2 ([`Refresher`]) and a TPC-H run
//!   ([`run_tpch`]: power and throughput tests, Power@Size, Throughput@Size, QphH@Size);
//! - [`run_benchmark`]: the whole loop (queries × iterations, optional verification) giving a
//!   [`BenchReport`] that prints as a table and serialises to JSON ([`BenchReport::to_json`]),
//!   with the machine ([`Machine`]), versions and settings, so runs can be compared later;
//! - reports read back ([`SavedReport::load`], older reports too) and compared ([`compare`]:
//!   ratios, verdicts, totals, geometric mean, as a table, Markdown or CSV — `tpch bench
//!   compare`), and a run's throughput test as lanes of bars ([`Timeline`], `tpch bench plot`).
//!
//! ```
//! use datafusion_dbgen::bench::{Source, answer, check_answer, run_query, tpch_context};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), datafusion_dbgen::bench::BenchError> {
//! let sf = 0.01;
//! let ctx = tpch_context(&Source::Provider, sf, 2).await?;
//! let (batches, elapsed) = run_query(&ctx, 6).await?;
//! println!("q06 took {elapsed:?}");
//! if let Some(expected) = answer(sf, 6) {
//!     check_answer(&batches, expected)?; // Err names the first differing row and column
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The whole benchmark, as `tpch bench --sf 0.01 --verify` runs it:
//!
//! ```
//! use datafusion_dbgen::bench::{AnswerSet, BenchOptions, Source, run_benchmark};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), datafusion_dbgen::bench::BenchError> {
//! let options = BenchOptions {
//!     source: Source::Memory,
//!     iterations: 1,
//!     verify: Some(AnswerSet::Embedded),
//!     ..BenchOptions::new(0.01)
//! };
//! let report = run_benchmark(&options).await?;
//! assert!(report.all_passed()); // all 22 equal the official answers
//! let json = report.to_json(); // what `tpch bench --json` writes
//! assert!(json.contains("\"scale_factor\": 0.01"));
//! # Ok(())
//! # }
//! ```

mod answers;
mod check;
mod compare;
mod error;
mod machine;
pub mod metrics;
mod queries;
mod refresh;
mod report;
mod runner;
mod saved;
mod source;
mod timeline;
mod tpch_run;

pub use answers::{ANSWER_SCALE_FACTORS, AnswerSet, answer};
pub use check::{Mismatch, check_answer};
pub use compare::{
    CompareFormat, CompareOptions, Comparison, Measure, Row, RowKind, Stat, Verdict, VerdictCounts,
    compare, compare_queries,
};
pub use error::BenchError;
pub use machine::Machine;
pub use queries::{QUERIES, QUERY_COUNT, parse_query_list, query};
pub use refresh::{Refresher, refreshable_context};
pub use report::{
    BenchReport, QueryReport, SavedBenchReport, SavedQuery, SavedSummary, Verification,
};
pub use runner::{BenchOptions, run_benchmark, run_benchmark_with_progress, run_query};
pub use saved::{CompareError, LoadError, QueryTimes, SavedReport, labels_for};
pub use source::{Source, register_source, tpch_context, tpch_session, tpch_session_with};
pub use timeline::{Lane, Timeline, TimelineBar};
pub use tpch_dbgen::qgen::{MAX_SEED, QueryStream, StreamQuery, stream_order};
pub use tpch_run::{
    PowerReport, RunKind, RunOptions, RunReport, Step, StreamReport, ThroughputReport, run_tpch,
};
