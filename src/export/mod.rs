//! Export: chunking and encoders (`.tbl`, CSV, Parquet) that turn generated rows into files,
//! run in parallel into the shared sink.

#[cfg(feature = "arrow")]
pub mod batches;
pub mod delimited;
pub mod exporter;
pub mod format;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod plan;
pub mod refresh;

pub use exporter::{ExportSummary, Exporter, Progress, TableSummary};
pub use format::Format;
pub use refresh::{RefreshFile, write_refresh_sets};
