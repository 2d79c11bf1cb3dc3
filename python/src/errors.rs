//! Turning the crate's errors and Rust panics into Python exceptions.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use datafusion_dbgen::Error;
use datafusion_dbgen::store::StoreError;
use pyo3::PyErr;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};

/// The Python exception for an error of the crate, with the crate's own message:
///
/// - bad input (scale factor, table, parts, options, formats): `ValueError`;
/// - I/O failures: `OSError` with the operating system's errno when there is one, so Python
///   picks the subclass (`PermissionError`, `NotADirectoryError`, ...);
/// - everything else (encoding failures, internal errors): `RuntimeError`.
pub(crate) fn to_py(error: Error) -> PyErr {
    let message = error.to_string();
    match &error {
        Error::Generator(_) | Error::InvalidOption(_) => PyValueError::new_err(message),
        // A bad URL or option, or an existing object without `overwrite`, as for local files.
        Error::Store(
            StoreError::InvalidUrl { .. }
            | StoreError::InvalidOption { .. }
            | StoreError::Exists { .. },
        ) => PyValueError::new_err(message),
        Error::Store(_) => PyOSError::new_err(message),
        Error::Io { .. } | Error::Sink(_) => match io_errno(&error) {
            Some(errno) => PyOSError::new_err((errno, message)),
            None => PyOSError::new_err(message),
        },
        _ => PyRuntimeError::new_err(message),
    }
}

/// The OS error number of the first `io::Error` in `error`'s source chain.
fn io_errno(error: &(dyn std::error::Error + 'static)) -> Option<i32> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io.raw_os_error();
        }
        current = e.source();
    }
    None
}

/// A `ValueError` with `message`.
pub(crate) fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// The `RuntimeError` a caught panic becomes.
pub(crate) fn panic_error(payload: &(dyn Any + Send)) -> PyErr {
    PyRuntimeError::new_err(format!(
        "internal error in datafusion-dbgen (a Rust panic): {}",
        panic_message(payload)
    ))
}

/// Runs an entry point, turning a panic into a `RuntimeError` instead of letting it unwind
/// into Python.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, PyErr>) -> Result<T, PyErr> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(panic_error(payload.as_ref())),
    }
}
