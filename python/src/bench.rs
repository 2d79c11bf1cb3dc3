//! The 22 queries, the official answers and the answer check.

use std::ptr::NonNull;

use arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow::record_batch::RecordBatch;
use datafusion_dbgen::bench;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::{guard, value_error};

/// The Arrow PyCapsule interface's stream capsule.
const STREAM_CAPSULE: &std::ffi::CStr = c"arrow_array_stream";

/// `n` as a query number, or the crate's message for a bad one.
fn query_number(n: i64) -> PyResult<usize> {
    match usize::try_from(n) {
        Ok(q) if (1..=bench::QUERY_COUNT).contains(&q) => Ok(q),
        _ => Err(value_error(format!(
            "unknown query {n}: expected a number from 1 to {}",
            bench::QUERY_COUNT
        ))),
    }
}

/// The 22 queries (validation parameters), Q1 first.
#[pyfunction]
pub(crate) fn queries() -> PyResult<Vec<&'static str>> {
    guard(|| Ok(bench::QUERIES.to_vec()))
}

/// The SQL of query `n` (1..=22).
#[pyfunction]
pub(crate) fn query(n: i64) -> PyResult<&'static str> {
    guard(|| {
        let q = query_number(n)?;
        bench::query(q).map_err(|e| value_error(e.to_string()))
    })
}

/// The official answer of query `n` at `sf` as text (pipe-separated, header line), or `None`
/// when there is none for that scale factor.
#[pyfunction]
pub(crate) fn answer_text(sf: f64, n: i64) -> PyResult<Option<&'static str>> {
    guard(|| {
        let q = query_number(n)?;
        Ok(bench::answer(sf, q))
    })
}

/// The scale factors with official answers.
#[pyfunction]
pub(crate) fn answer_scale_factors() -> Vec<f64> {
    bench::ANSWER_SCALE_FACTORS.to_vec()
}

/// Compares the record batches of `result` (any object with `__arrow_c_stream__`) with the
/// answer text `expected`: `None` when they agree, else the first difference.
#[pyfunction]
pub(crate) fn check_answer(
    py: Python<'_>,
    result: Bound<'_, PyAny>,
    expected: String,
) -> PyResult<Option<String>> {
    guard(|| {
        let batches = read_stream(py, &result)?;
        let outcome = py.detach(move || bench::check_answer(&batches, &expected));
        Ok(outcome.err().map(|mismatch| mismatch.to_string()))
    })
}

/// All record batches of an object exporting the Arrow C stream interface.
fn read_stream(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if !obj.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "expected an object with __arrow_c_stream__ (a pyarrow Table or RecordBatchReader, \
             a datafusion DataFrame), got {}",
            obj.get_type().name()?
        )));
    }
    let exported = obj.call_method0("__arrow_c_stream__")?;
    let capsule = exported
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
    let pointer: NonNull<FFI_ArrowArrayStream> =
        capsule.pointer_checked(Some(STREAM_CAPSULE))?.cast();
    // SAFETY: the capsule's name promises an ArrowArrayStream; `from_raw` moves it out and
    // leaves a released (empty) stream behind, which the capsule's destructor then ignores.
    let reader = unsafe { ArrowArrayStreamReader::from_raw(pointer.as_ptr()) }
        .map_err(|e| value_error(format!("cannot read the Arrow stream: {e}")))?;
    // The producer may need the GIL to make batches (datafusion's DataFrame stream does).
    py.detach(move || reader.collect::<Result<Vec<_>, _>>())
        .map_err(|e| PyRuntimeError::new_err(format!("reading the result failed: {e}")))
}
