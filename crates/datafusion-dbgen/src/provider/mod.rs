//! TPC-H tables as DataFusion table providers, generated while they are scanned
//! (feature `datafusion`).
//!
//! - [`TpchTableProvider`]: one table at one scale factor
//!   (`ctx.register_table("lineitem", Arc::new(TpchTableProvider::lineitem(1.0)?))`);
//! - [`register_tpch`]: all eight tables in the default schema, for the 22 queries as written;
//! - [`register_tpch_catalog`]: a `tpch` catalog, `SELECT * FROM tpch.sf1.lineitem`;
//! - [`register_tpch_functions`]: table functions, `SELECT * FROM tpch_lineitem(0.1)`, and the
//!   benchmark's: `tpch_queries`, `tpch_answers`, `tpch_refresh_*` ([`bench_functions`]);
//! - [`TpchScanExec`]: the scan plan (partitions = dbgen chunks, projection, limit and
//!   key-range pushdown, exact column-range filters, statistics).
//!
//! ```
//! use datafusion::assert_batches_eq;
//! use datafusion::prelude::SessionContext;
//! use datafusion_dbgen::provider::register_tpch;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! register_tpch(&ctx, 0.01)?;
//! let batches = ctx
//!     .sql("SELECT n_name, count(*) AS customers FROM customer JOIN nation \
//!           ON c_nationkey = n_nationkey GROUP BY n_name ORDER BY 2 DESC, 1 LIMIT 3")
//!     .await?
//!     .collect()
//!     .await?;
//! assert_batches_eq!(
//!     [
//!         "+---------+-----------+",
//!         "| n_name  | customers |",
//!         "+---------+-----------+",
//!         "| IRAN    | 72        |",
//!         "| MOROCCO | 72        |",
//!         "| CANADA  | 69        |",
//!         "+---------+-----------+",
//!     ],
//!     &batches
//! );
//! # Ok(())
//! # }
//! ```

pub mod bench_functions;
mod catalog;
mod exec;
pub(crate) mod filters;
mod functions;
pub(crate) mod keys;
mod refresh;
pub(crate) mod stats;
mod stream;
mod table;

pub use bench_functions::{
    BENCH_FUNCTION_NAMES, BenchFunction, BenchTableFunction, MAX_STREAM, NamedArgumentPlanner,
};
pub use catalog::{
    TPCH_CATALOG, TpchCatalog, TpchSchema, parse_schema_name, register_tpch, register_tpch_catalog,
    schema_name,
};
pub use exec::TpchScanExec;
pub use functions::{FUNCTION_PREFIX, TpchTableFunction, register_tpch_functions};
pub use refresh::{RefreshCounts, RefreshState, RefreshableTable, register_tpch_refreshable};
pub use table::{MIN_ROWS_PER_PARTITION, TpchTableProvider};
