//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in this crate, with enough context to act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scale factor outside what dbgen accepts.
    #[error("invalid scale factor {0}: expected a number from 0.001 to 100000")]
    InvalidScaleFactor(String),
    /// A table name that is not one of the eight TPC-H tables.
    #[error(
        "unknown table '{0}': expected one of region, nation, supplier, customer, part, partsupp, orders, lineitem"
    )]
    UnknownTable(String),
    /// A chunk count of zero.
    #[error("invalid number of parts {0}: expected at least 1")]
    InvalidParts(u64),
    /// A chunk index outside `1..=parts`.
    #[error("part {part} out of range: expected a number from 1 to {parts}")]
    PartOutOfRange {
        /// The requested part (1-based).
        part: u64,
        /// The number of parts.
        parts: u64,
    },
    /// An I/O error on a named path.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A write failure reported by the sink (names the file).
    #[error(transparent)]
    Sink(#[from] crate::sink::SinkError),
    /// A file could not be encoded (e.g. a Parquet writer error).
    #[error("{path}: {message}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// An invalid option or combination of options.
    #[error("{0}")]
    InvalidOption(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
