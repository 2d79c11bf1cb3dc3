//! Export: chunking and encoders (`.tbl`, CSV, Parquet) that turn generated rows into files,
//! run in parallel into the shared sink.

pub mod batches;
pub mod delimited;
pub mod exporter;
pub mod format;
pub mod options;
pub mod parquet;
pub mod plan;
pub mod refresh;
pub(crate) mod superseded;

pub use exporter::{ExportSummary, Exporter, Progress, TableSummary};
pub use format::Format;
pub use options::{ExportOptions, MAX_THREADS};
pub use refresh::{RefreshFile, RefreshSets, write_refresh_sets};
