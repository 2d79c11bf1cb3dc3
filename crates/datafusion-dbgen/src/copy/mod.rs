//! SQL `COPY … TO` written by the crate (feature `datafusion`): every input partition encoded in
//! parallel and written through one shared [`Sink`](crate::sink::Sink) (io_uring, or the
//! portable back end), one file per partition.
//!
//! [`register`] replaces the session's `parquet` and `csv` file formats with
//! [`TpchFormatFactory`]s and adds `tbl` (dbgen's format). Reads (`read_parquet`,
//! `CREATE EXTERNAL TABLE … STORED AS PARQUET`, …) still go through DataFusion's own formats;
//! only writing changes: `COPY … TO` plans a [`TpchCopyExec`].
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
//! datafusion_dbgen::copy::register(&ctx)?;
//! let out = tempfile::tempdir()?;
//! let dir = out.path().display();
//! // One file per partition (part-0.parquet … part-<n-1>.parquet), encoded in parallel.
//! let sql = format!(
//!     "COPY lineitem TO '{dir}/lineitem/' STORED AS PARQUET \
//!      OPTIONS (format.compression 'zstd(3)', format.max_row_group_size 1000000)"
//! );
//! let written = ctx.sql(&sql).await?.collect().await?;
//! assert_batches_eq!(
//!     ["+-------+", "| count |", "+-------+", "| 60175 |", "+-------+"],
//!     &written
//! );
//! // dbgen's .tbl: the files concatenated in name order are dbgen's lineitem.tbl.
//! let sql = format!("COPY lineitem TO '{dir}/tbl/lineitem/' STORED AS TBL");
//! ctx.sql(&sql).await?.collect().await?;
//! // Any query, and CSV with DataFusion's options.
//! let sql = format!(
//!     "COPY (SELECT o_orderkey, c_name FROM orders JOIN customer ON o_custkey = c_custkey) \
//!      TO '{dir}/joined/' STORED AS CSV OPTIONS (format.has_header false)"
//! );
//! ctx.sql(&sql).await?.collect().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # What is written where
//!
//! - A directory target (a path ending in `/`, or without an extension): input partition `i`
//!   becomes `part-<i>.<ext>` (zero-padded to a common width, so names sort in partition
//!   order); files of the same names are replaced, and `part-<n>.<ext>` files an earlier COPY
//!   left there (one with more partitions) are removed once this COPY's files are published,
//!   so the directory holds this COPY's rows only; other files are left alone.
//! - A single-file target (a path with an extension, e.g. `'out/lineitem.parquet'`): the input
//!   is merged into one partition first (order-preserving when the input is sorted) and
//!   written to that file.
//! - The partitions of a TPC-H table of [`register_tpch`](crate::provider::register_tpch) are
//!   dbgen's chunks, so `STORED AS TBL` files concatenated in name order are byte-identical to
//!   dbgen's output, and every file is sorted by the table's key.
//! - Files appear (are renamed from temporary names) only once every partition succeeded; a
//!   failure or a cancelled COPY leaves none of its files behind.
//! - `EXPLAIN COPY …` shows `TpchCopyExec` with the format, the target and the sink back end.
//!
//! # Options
//!
//! `OPTIONS (…)` are parsed by DataFusion, so they behave as in DataFusion:
//! - Parquet: every `format.*` option (`compression`, `max_row_group_size`,
//!   `dictionary_enabled`, `statistics_enabled`, per-column `format.compression::col`, …) goes
//!   through DataFusion's `TableParquetOptions` into the writer properties exactly as DataFusion
//!   builds them. DataFusion's own in-file parallelism knobs
//!   (`allow_single_file_parallelism`, `maximum_parallel_row_group_writers`, …) have no effect:
//!   the parallelism is across files. Sorting-column metadata is not written.
//! - CSV: `has_header` (default: `datafusion.catalog.has_header`), `delimiter`, `null_value`,
//!   `date_format`, `datetime_format`, `timestamp_format`, `timestamp_tz_format`,
//!   `time_format`; values are formatted as DataFusion's CSV writer (arrow-csv) formats them.
//! - TBL: `format.whole_decimal_columns` (comma-separated decimal columns printed without
//!   places when whole, as dbgen prints `l_quantity`; default `l_quantity`). Reading `tbl` is
//!   not supported (read `.tbl` as CSV with `|` as the delimiter).
//! - Object stores (`COPY … TO 's3://bucket/…'`, any format): `aws.*`, `gcp.*` and `azure.*`
//!   options configure the bucket's store as datafusion-cli's do (`'aws.endpoint'`,
//!   `'aws.access_key_id'`, `'aws.secret_access_key'`, `'aws.region'`, `'aws.allow_http'`, …;
//!   see [`StorageOptions::from_sql_options`](crate::store::StorageOptions::from_sql_options)),
//!   over the session's settings and the environment's. On a local target they are an error.
//!
//! # When DataFusion's own writer is used
//!
//! The crate never writes what it cannot write exactly; these COPYs (and `INSERT INTO` a
//! listing table) are planned with DataFusion's writer (`DataSinkExec`) as without
//! [`register`]:
//! - `PARTITIONED BY (…)` (hive-style directories: DataFusion's demultiplexer);
//! - targets that are neither local paths nor object-store URLs the crate knows (`s3://…`,
//!   `gs://…`, `az://…`, `memory://…` are written by the crate, through the sink's
//!   object-store back end);
//! - CSV with `compression`, a `quote` other than `"`, `escape`, `double_quote false`, a
//!   `quote_style` other than `Necessary`, or whitespace trimming;
//! - Parquet with encryption (`format.crypto.*`), or when the crate is built without its
//!   `parquet` feature.
//!
//! `STORED AS TBL` has no such fallback: it fails with a clear error instead.
//!
//! # From a DataFrame
//!
//! `DataFrame::write_parquet`/`write_csv` always use DataFusion's writer. To write a DataFrame
//! with the crate's plan, build the COPY plan ([`copy_dataframe`], or
//! `LogicalPlanBuilder::copy_to` with [`TpchFormatFactory`] as the file type):
//!
//! ```
//! use std::collections::HashMap;
//! use datafusion::assert_batches_eq;
//! use datafusion::prelude::SessionContext;
//! use datafusion_dbgen::copy::{CopyConfig, copy_dataframe};
//! use datafusion_dbgen::export::Format;
//! use datafusion_dbgen::provider::register_tpch;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! register_tpch(&ctx, 0.01)?;
//! let df = ctx.table("orders").await?;
//! let out = tempfile::tempdir()?;
//! let target = format!("{}/orders/", out.path().display());
//! let options = HashMap::from([("compression".to_string(), "zstd(3)".to_string())]);
//! let copy = copy_dataframe(df, &target, Format::Parquet, options, CopyConfig::default())?;
//! let counts = copy.collect().await?;
//! assert_batches_eq!(["+-------+", "| count |", "+-------+", "| 15000 |", "+-------+"], &counts);
//! # Ok(())
//! # }
//! ```

mod check;
mod exec;
mod format;
mod job;

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::datasource::file_format::format_as_file_type;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionState;
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::prelude::SessionContext;

pub use crate::config::DbgenOptions;
use crate::export::Format;
pub use check::CopyOptionsCheck;
pub use exec::TpchCopyExec;
pub use format::{TpchFileFormat, TpchFormatFactory};

use crate::sink::{BackendChoice, SinkConfig};

/// Configuration of the crate's COPY writer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CopyConfig {
    /// The sink every COPY starts (one per execution): back end, buffer pool, durability.
    pub sink: SinkConfig,
}

impl CopyConfig {
    /// The default configuration with the sink's back end taken from `TPCH_IO_BACKEND`
    /// (`io_uring`, `portable`, `inline`; unset: `auto`), what the CLI uses as its default.
    pub fn from_env() -> Result<Self> {
        let sink =
            SinkConfig::from_env().map_err(|e| DataFusionError::Configuration(e.to_string()))?;
        Ok(CopyConfig { sink })
    }

    /// Sets the sink's back end.
    pub fn backend(mut self, backend: BackendChoice) -> Self {
        self.sink.backend = backend;
        self
    }

    /// Sets the whole sink configuration.
    pub fn sink(mut self, sink: SinkConfig) -> Self {
        self.sink = sink;
        self
    }
}

/// Routes `COPY … TO … STORED AS PARQUET | CSV | TBL` of `ctx` to [`TpchCopyExec`] with the
/// default configuration (back end `auto`). A session changes it with
/// `SET dbgen.io_backend = '…'` ([`DbgenOptions`]); the library reads no environment variable
/// (the `tpch` CLI takes `TPCH_IO_BACKEND` as its default, [`CopyConfig::from_env`]).
pub fn register(ctx: &SessionContext) -> Result<()> {
    register_with(ctx, CopyConfig::default())
}

/// [`register`] with an explicit configuration.
pub fn register_with(ctx: &SessionContext, config: CopyConfig) -> Result<()> {
    let state = ctx.state_ref();
    let mut state = state.write();
    register_state(&mut state, config)
}

/// [`register`] on a [`SessionState`] (e.g. right after `SessionStateBuilder::build`).
///
/// The factories registered before for `parquet` and `csv` keep parsing the options and doing
/// the reads (so a customised factory stays in effect); registering again replaces the
/// configuration.
pub fn register_state(state: &mut SessionState, config: CopyConfig) -> Result<()> {
    config
        .sink
        .validate()
        .map_err(|e| DataFusionError::Configuration(e.to_string()))?;
    // `SET dbgen.io_backend = …` needs the extension in the session's options.
    if state
        .config()
        .options()
        .extensions
        .get::<DbgenOptions>()
        .is_none()
    {
        state
            .config_mut()
            .options_mut()
            .extensions
            .insert(DbgenOptions::default());
    }
    let config = Arc::new(config);
    for format in Format::ALL {
        let factory = match (format, state.get_file_format_factory(format.extension())) {
            (Format::Parquet | Format::Csv, Some(existing)) => {
                TpchFormatFactory::wrapping(format, existing, Arc::clone(&config))
            }
            _ => TpchFormatFactory::new(format, (*config).clone()),
        };
        state.register_file_format(Arc::new(factory), true)?;
    }
    Ok(())
}

/// Makes `STORED AS TBL` known to a session without the crate's COPY writer, so that such a
/// COPY reaches [`CopyOptionsCheck`] and is refused with its reason (left alone when a `tbl`
/// format is registered already).
pub(crate) fn register_tbl_name(ctx: &SessionContext) -> Result<()> {
    let state = ctx.state_ref();
    let mut state = state.write();
    if state
        .get_file_format_factory(Format::Tbl.extension())
        .is_none()
    {
        let factory = TpchFormatFactory::new(Format::Tbl, CopyConfig::default());
        state.register_file_format(Arc::new(factory), false)?;
    }
    Ok(())
}

/// The COPY of `df` to `path` in `format` through [`TpchCopyExec`] (run it with `collect`,
/// which returns the `count` row). `options` are COPY options (`"compression"` or
/// `"format.compression"`, …), parsed by DataFusion as in SQL.
pub fn copy_dataframe(
    df: DataFrame,
    path: &str,
    format: Format,
    options: HashMap<String, String>,
    config: CopyConfig,
) -> Result<DataFrame> {
    let (state, plan) = df.into_parts();
    let factory = Arc::new(TpchFormatFactory::new(format, config));
    let options = options
        .into_iter()
        .map(|(k, v)| {
            let k = k.to_ascii_lowercase();
            if k.contains('.') {
                (k, v)
            } else {
                (format!("format.{k}"), v)
            }
        })
        .collect();
    let plan = LogicalPlanBuilder::copy_to(
        plan,
        path.to_string(),
        format_as_file_type(factory),
        options,
        Vec::new(),
    )?
    .build()?;
    Ok(DataFrame::new(state, plan))
}
