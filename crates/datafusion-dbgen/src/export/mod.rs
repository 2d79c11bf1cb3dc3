//! Export: chunking and encoders (`.tbl`, CSV, Parquet) that turn generated rows into files,
//! run in parallel into the shared sink.

pub mod batches;
pub mod delimited;
pub mod exporter;
pub mod format;
pub mod layout;
pub mod options;
mod ordered;
pub mod parquet;
pub mod plan;
pub mod refresh;
pub(crate) mod superseded;
pub mod text;

pub use exporter::{ExportSummary, Exporter, Progress, TableSummary};
pub use format::Format;
pub use layout::{Layout, TableLayout};
pub use options::{ExportOptions, MAX_THREADS};
pub use ordered::SORT_MEMORY;
pub use refresh::{RefreshFile, RefreshSets, write_refresh_sets};
