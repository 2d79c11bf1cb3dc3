//! The crate's error type: the generator's errors, and what I/O, encoding and options add.

use std::path::PathBuf;

/// Everything that can go wrong in this crate, with enough context to act on.
///
/// At the DataFusion boundary it converts into a `DataFusionError` that keeps it as its source
/// (`From<Error> for DataFusionError`, feature `datafusion`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad request to the generator: scale factor, table name, parts, refresh set.
    #[error(transparent)]
    Generator(#[from] tpch_dbgen::Error),
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
    /// An object-store output or source failed (names the URL).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
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
    /// The work was cancelled (its cancel flag was set, e.g. by Ctrl-C): unfinished files were
    /// removed, the finished ones are kept.
    #[error("cancelled: {} file(s) finished before the stop", .finished.len())]
    Cancelled {
        /// Files completed (published under their final names) before the stop.
        finished: Vec<PathBuf>,
    },
    /// A broken internal invariant (a bug in this crate, never bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// An [`Error::Encode`] for the file at `path`.
    pub(crate) fn encode(path: &std::path::Path, message: impl std::fmt::Display) -> Self {
        Error::Encode {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}

impl From<std::convert::Infallible> for Error {
    /// Lets APIs that take `impl TryInto<ScaleFactor>` accept a `ScaleFactor` itself.
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<Error> for datafusion::error::DataFusionError {
    /// Keeps the crate's error as the source (`DataFusionError::External`), except for what
    /// DataFusion has its own variant for: cancellation and internal errors.
    fn from(error: Error) -> Self {
        use datafusion::error::DataFusionError;
        match error {
            Error::Internal(message) => DataFusionError::Internal(message),
            other => DataFusionError::External(Box::new(other)),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
