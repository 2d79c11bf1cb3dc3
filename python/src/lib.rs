//! `datafusion_dbgen._internal`: the native half of the `datafusion-dbgen` Python package.
//!
//! - [`table::TpchTable`]: one generating TPC-H table, exported to datafusion-python through
//!   the `__datafusion_table_provider__` PyCapsule protocol (an `FFI_TableProvider`);
//! - [`export::generate`]: the parallel export (`Exporter`), run with the GIL released and
//!   stoppable with Ctrl-C;
//! - [`bench`]: the 22 queries, the official answers and the answer check.
//!
//! The pure-Python package (`pysrc/datafusion_dbgen/__init__.py`) wraps these into the public
//! API. Every entry point runs inside [`errors::guard`], so no Rust panic reaches Python.

use pyo3::prelude::*;

mod bench;
mod errors;
mod export;
mod runtime;
mod table;

/// The extension module.
#[pymodule]
fn _internal(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FFI_MAJOR_VERSION", datafusion_ffi::version())?;
    m.add_class::<table::TpchTable>()?;
    m.add_class::<table::TpchFunction>()?;
    m.add_function(wrap_pyfunction!(table::table_names, m)?)?;
    m.add_function(wrap_pyfunction!(table::bench_function_names, m)?)?;
    m.add_function(wrap_pyfunction!(export::generate, m)?)?;
    m.add_function(wrap_pyfunction!(bench::queries, m)?)?;
    m.add_function(wrap_pyfunction!(bench::query, m)?)?;
    m.add_function(wrap_pyfunction!(bench::answer_text, m)?)?;
    m.add_function(wrap_pyfunction!(bench::answer_scale_factors, m)?)?;
    m.add_function(wrap_pyfunction!(bench::check_answer, m)?)?;
    Ok(())
}
