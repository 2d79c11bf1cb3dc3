//! The tokio runtime owned by the extension.
//!
//! The extension links its own copy of tokio, so the host's (datafusion-python's) runtime is
//! invisible to it: the FFI wrappers enter this runtime's handle around `execute` and every
//! poll of the scan streams.

use std::sync::OnceLock;

use pyo3::PyResult;
use pyo3::exceptions::PyRuntimeError;
use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The extension's multi-thread runtime, built on first use.
pub(crate) fn runtime() -> PyResult<&'static Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let built = Builder::new_multi_thread()
        .thread_name("datafusion-dbgen")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a tokio runtime: {e}")))?;
    // Another thread may have won the race: then `built` is dropped and theirs is used.
    let _ = RUNTIME.set(built);
    Ok(RUNTIME.get().expect("runtime was just set"))
}
