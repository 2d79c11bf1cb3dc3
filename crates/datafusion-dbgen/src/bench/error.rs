//! Errors of the benchmark API.

use std::path::PathBuf;

use datafusion::error::DataFusionError;

use super::check::Mismatch;

/// What can go wrong while setting up or running the benchmark.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A query number outside 1..=22.
    #[error("unknown query {0}: expected a number from 1 to 22")]
    UnknownQuery(usize),
    /// A query list (`1,3,5-7`) that does not parse.
    #[error("invalid query list '{0}': expected numbers from 1 to 22 and ranges, e.g. 1,3,5-7")]
    InvalidQueryList(String),
    /// A source that is not `provider`, `memory` or `parquet:<DIR>`.
    #[error("invalid source '{0}': expected provider, memory or parquet:<DIR>")]
    InvalidSource(String),
    /// An invalid option (zero iterations or partitions, ...).
    #[error("{0}")]
    InvalidOption(String),
    /// A table's Parquet data is missing from the source directory.
    #[error(
        "no Parquet data for table {table} in {}: expected {table}.parquet or a {table}/ directory (write it with `tpch gen --format parquet --output DIR`)",
        dir.display()
    )]
    MissingParquet {
        /// The table.
        table: &'static str,
        /// The directory given as the source.
        dir: PathBuf,
    },
    /// Parquet files whose size does not match the requested scale factor.
    #[error(
        "{} holds {found} {table} rows but SF {sf} has {expected}: the files were written at another scale factor",
        dir.display()
    )]
    ScaleFactorMismatch {
        /// The table whose row count differs.
        table: &'static str,
        /// The directory given as the source.
        dir: PathBuf,
        /// The requested scale factor.
        sf: f64,
        /// The table's rows at that scale factor.
        expected: u64,
        /// The table's rows in the files.
        found: u64,
    },
    /// An error of this crate (e.g. an invalid scale factor).
    #[error(transparent)]
    Crate(#[from] crate::Error),
    /// An error planning or running a query.
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
    /// A result that differs from the expected answer.
    #[error(transparent)]
    Mismatch(#[from] Mismatch),
    /// An I/O error on a named path.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl From<tpch_dbgen::Error> for BenchError {
    fn from(error: tpch_dbgen::Error) -> Self {
        BenchError::Crate(error.into())
    }
}
