//! Typed errors of the sink.

use std::io;
use std::path::{Path, PathBuf};

/// Result type of the sink.
pub type Result<T, E = SinkError> = std::result::Result<T, E>;

/// Everything that can go wrong in the sink.
///
/// Errors that belong to one file carry that file's final (target) path, so a caller writing many
/// files at once can tell which export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// The configuration is unusable (zero sizes, bad `TPCH_IO_BACKEND` value, …).
    #[error("invalid sink configuration: {0}")]
    InvalidConfig(String),

    /// The requested I/O back end could not be set up (io_uring unavailable, thread spawn failed, …).
    #[error("cannot set up the {backend} I/O back end: {source}")]
    Backend {
        /// Name of the back end that failed ("io_uring" or "portable").
        backend: &'static str,
        /// Underlying error.
        #[source]
        source: io::Error,
    },

    /// The temporary file for `path` could not be created.
    #[error("cannot create a temporary file for {}: {source}", path.display())]
    Create {
        /// Final path of the file.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },

    /// A write to `path` failed at byte `offset` (the file is discarded).
    #[error("write to {} at offset {offset} failed: {source}", path.display())]
    Write {
        /// Final path of the file.
        path: PathBuf,
        /// Byte offset at which the failing write started.
        offset: u64,
        /// Underlying error.
        #[source]
        source: io::Error,
    },

    /// `fdatasync` of a file or `fsync` of its directory failed.
    #[error("sync of {} failed: {source}", path.display())]
    Sync {
        /// Path of the file or directory that failed to sync.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },

    /// The temporary file could not be renamed to its final path.
    #[error("cannot rename {} to {}: {source}", from.display(), path.display())]
    Rename {
        /// Temporary path.
        from: PathBuf,
        /// Final path.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },

    /// A file exists at `path` and the sink may not replace it ([`SinkConfig::replace`]).
    ///
    /// [`SinkConfig::replace`]: super::SinkConfig::replace
    #[error("{} exists; pass --overwrite to replace it", path.display())]
    Exists {
        /// Final path of the file.
        path: PathBuf,
    },

    /// An object-store output failed (the upload was aborted: nothing was published).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),

    /// The file was aborted (by [`Sink::abort_all`](super::Sink::abort_all)) before it finished.
    #[error("export of {} was aborted", path.display())]
    Aborted {
        /// Final path of the file.
        path: PathBuf,
    },
}

impl SinkError {
    /// The file (or directory) path this error is about, if it concerns one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            SinkError::InvalidConfig(_) | SinkError::Backend { .. } | SinkError::Store(_) => None,
            SinkError::Create { path, .. }
            | SinkError::Exists { path }
            | SinkError::Write { path, .. }
            | SinkError::Sync { path, .. }
            | SinkError::Rename { path, .. }
            | SinkError::Aborted { path } => Some(path),
        }
    }

    /// The [`io::ErrorKind`] that best describes this error.
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            SinkError::InvalidConfig(_) => io::ErrorKind::InvalidInput,
            SinkError::Aborted { .. } => io::ErrorKind::Interrupted,
            SinkError::Exists { .. } => io::ErrorKind::AlreadyExists,
            SinkError::Store(_) => io::ErrorKind::Other,
            SinkError::Backend { source, .. }
            | SinkError::Create { source, .. }
            | SinkError::Write { source, .. }
            | SinkError::Sync { source, .. }
            | SinkError::Rename { source, .. } => source.kind(),
        }
    }
}

impl From<SinkError> for io::Error {
    fn from(e: SinkError) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

/// Duplicates an `io::Error` (which is not `Clone`), keeping the OS error code when there is one.
pub(crate) fn dup_io_error(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}
