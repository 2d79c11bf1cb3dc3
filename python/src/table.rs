//! One generating TPC-H table, exported through datafusion-python's table provider protocol.

use std::ptr::NonNull;
use std::sync::Arc;

use arrow::ffi::FFI_ArrowSchema;
use datafusion_dbgen::provider::{
    BenchFunction, BenchTableFunction, TpchTableFunction, TpchTableProvider,
};
use datafusion_dbgen::{ScaleFactor, Table};
use datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec;
use datafusion_ffi::table_provider::FFI_TableProvider;
use datafusion_ffi::udtf::FFI_TableFunction;
use pyo3::exceptions::{PyImportError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::{guard, to_py, value_error};
use crate::runtime::runtime;

/// The capsule name datafusion-python expects from `__datafusion_table_provider__`.
const TABLE_PROVIDER_CAPSULE: &std::ffi::CStr = c"datafusion_table_provider";
/// The capsule name datafusion-python expects from `__datafusion_table_function__`.
const TABLE_FUNCTION_CAPSULE: &std::ffi::CStr = c"datafusion_table_function";
/// The capsule name of a logical extension codec (what a session hands out).
const CODEC_CAPSULE: &std::ffi::CStr = c"datafusion_logical_extension_codec";
/// The Arrow PyCapsule interface's schema capsule.
const SCHEMA_CAPSULE: &std::ffi::CStr = c"arrow_schema";

/// A TPC-H table at a scale factor, generated while DataFusion scans it.
///
/// Register it with ``SessionContext.register_table(name, table)``: datafusion-python calls
/// ``__datafusion_table_provider__`` and gets an FFI table provider whose scans run on this
/// extension's own tokio runtime.
#[pyclass(frozen, name = "TpchTable", module = "datafusion_dbgen")]
pub(crate) struct TpchTable {
    provider: Arc<TpchTableProvider>,
}

#[pymethods]
impl TpchTable {
    /// ``TpchTable(name, sf)``: the table ``name`` (``"lineitem"``, case-insensitive) at scale
    /// factor ``sf`` (0.001 to 100000, as dbgen: 1 and above is truncated to a whole number).
    ///
    /// Raises ``ValueError`` for an unknown table or an invalid scale factor.
    #[new]
    fn new(name: &str, sf: f64) -> PyResult<Self> {
        guard(|| {
            let table: Table = name
                .trim()
                .parse()
                .map_err(|e: datafusion_dbgen::generator::Error| to_py(e.into()))?;
            let sf = ScaleFactor::try_new(sf).map_err(|e| to_py(e.into()))?;
            Ok(TpchTable {
                provider: Arc::new(TpchTableProvider::with_scale_factor(table, sf)),
            })
        })
    }

    /// The table's name (``"lineitem"``).
    #[getter]
    fn name(&self) -> &'static str {
        self.provider.table().name()
    }

    /// The scale factor, as given.
    #[getter]
    fn sf(&self) -> f64 {
        self.provider.scale_factor().value()
    }

    /// The column names, in schema order.
    #[getter]
    fn column_names(&self) -> Vec<&'static str> {
        self.provider.table().column_names().to_vec()
    }

    /// The number of rows, or ``None`` for ``lineitem`` (known only once generated).
    #[getter]
    fn num_rows(&self) -> Option<u64> {
        self.provider
            .scale_factor()
            .row_count(self.provider.table())
    }

    /// The Arrow schema, through the Arrow PyCapsule interface (``pyarrow.schema(table)``).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_schema__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        guard(|| {
            let schema = datafusion_dbgen::arrow::table_schema(self.provider.table());
            let ffi = FFI_ArrowSchema::try_from(schema.as_ref())
                .map_err(|e| value_error(format!("cannot export the schema: {e}")))?;
            // The capsule owns the struct; a consumer moves it out (leaving `release` null), and
            // the capsule's destructor drops what is left (calling `release` only if still set).
            PyCapsule::new_with_value(py, ffi, SCHEMA_CAPSULE)
        })
    }

    /// The FFI table provider, for datafusion-python.
    ///
    /// ``session`` is what datafusion-python passes: its internal session context (which hands
    /// out its logical extension codec through ``__datafusion_logical_extension_codec__``) or a
    /// bare codec capsule (from ``Schema.register_table``). ``None`` uses datafusion's global
    /// context.
    #[pyo3(signature = (session=None))]
    fn __datafusion_table_provider__<'py>(
        &self,
        py: Python<'py>,
        session: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        guard(|| {
            let (codec, handle) = host_codec_and_runtime(py, session)?;
            // Filter pushdown on: key ranges and column bounds prune the generated rows.
            let shared: Arc<TpchTableProvider> = Arc::clone(&self.provider);
            let provider = FFI_TableProvider::new_with_ffi_codec(shared, true, Some(handle), codec);
            PyCapsule::new_with_value(py, provider, TABLE_PROVIDER_CAPSULE)
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "TpchTable(name='{}', sf={})",
            self.provider.table().name(),
            self.provider.scale_factor().value()
        )
    }
}

/// The names of the eight TPC-H tables, smallest first.
#[pyfunction]
pub(crate) fn table_names() -> Vec<&'static str> {
    Table::ALL.iter().map(|t| t.name()).collect()
}

/// The SQL names of the benchmark's table functions (``tpch_queries``, ``tpch_answers``,
/// ``tpch_refresh_orders``, ``tpch_refresh_lineitem``, ``tpch_refresh_deletes``).
#[pyfunction]
pub(crate) fn bench_function_names() -> Vec<&'static str> {
    datafusion_dbgen::provider::BENCH_FUNCTION_NAMES.to_vec()
}

/// What every FFI object handed to the host carries: the host session's codec, and this
/// extension's runtime (entered around each `execute` and poll).
fn host_codec_and_runtime(
    py: Python<'_>,
    session: Option<Bound<'_, PyAny>>,
) -> PyResult<(FFI_LogicalExtensionCodec, tokio::runtime::Handle)> {
    Ok((logical_codec(py, session)?, runtime()?.handle().clone()))
}

/// The host session's logical extension codec (a clone we own).
fn logical_codec(
    py: Python<'_>,
    session: Option<Bound<'_, PyAny>>,
) -> PyResult<FFI_LogicalExtensionCodec> {
    let session = match session {
        Some(s) if !s.is_none() => s,
        _ => py
            .import("datafusion")?
            .getattr("SessionContext")?
            .call_method0("global_ctx")?,
    };
    let exported = if session.hasattr("__datafusion_logical_extension_codec__")? {
        session.call_method0("__datafusion_logical_extension_codec__")?
    } else {
        session
    };
    let capsule = exported.cast::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err(
            "expected a datafusion SessionContext or a 'datafusion_logical_extension_codec' \
             capsule as the session",
        )
    })?;
    let pointer: NonNull<FFI_LogicalExtensionCodec> =
        capsule.pointer_checked(Some(CODEC_CAPSULE))?.cast();
    // SAFETY: the capsule's name promises an FFI_LogicalExtensionCodec, and the capsule (held
    // by `exported`) keeps it alive while we clone it through its own `clone` function.
    let codec = unsafe { pointer.as_ref() };
    let theirs = unsafe { (codec.version)() };
    let ours = datafusion_ffi::version();
    if theirs != ours {
        return Err(PyImportError::new_err(format!(
            "incompatible DataFusion: the session is DataFusion {theirs}, datafusion-dbgen was \
             built against DataFusion {ours} (install datafusion=={ours}.*)"
        )));
    }
    Ok(codec.clone())
}

/// A table function for ``SessionContext.register_udtf``: ``tpch_<table>(sf)``, or one of the
/// benchmark's (``tpch_queries``, ``tpch_answers``, ``tpch_refresh_orders``,
/// ``tpch_refresh_lineitem``, ``tpch_refresh_deletes``).
///
/// ``SELECT count(*) FROM tpch_lineitem(0.1)`` generates the table at the scale factor the
/// query names; an invalid argument is the query's error.
#[pyclass(frozen, name = "TpchFunction", module = "datafusion_dbgen")]
pub(crate) struct TpchFunction {
    function: FunctionKind,
}

#[derive(Clone, Copy)]
enum FunctionKind {
    Table(Table),
    Bench(BenchFunction),
}

#[pymethods]
impl TpchFunction {
    /// ``TpchFunction(name)``: the function of table ``name`` (``"lineitem"``), or the
    /// benchmark function ``name`` (``"tpch_queries"``).
    ///
    /// Raises ``ValueError`` for an unknown name.
    #[new]
    fn new(name: &str) -> PyResult<Self> {
        guard(|| {
            let function = match BenchFunction::from_name(name) {
                Some(f) => FunctionKind::Bench(f),
                None => FunctionKind::Table(
                    name.trim()
                        .parse()
                        .map_err(|e: datafusion_dbgen::generator::Error| to_py(e.into()))?,
                ),
            };
            Ok(TpchFunction { function })
        })
    }

    /// The SQL name of the function (``"tpch_lineitem"``, ``"tpch_queries"``).
    #[getter]
    fn name(&self) -> String {
        match self.function {
            FunctionKind::Table(table) => format!(
                "{}{}",
                datafusion_dbgen::provider::FUNCTION_PREFIX,
                table.name()
            ),
            FunctionKind::Bench(f) => f.name().to_string(),
        }
    }

    /// The FFI table function, for datafusion-python (``session`` as for
    /// ``TpchTable.__datafusion_table_provider__``).
    #[pyo3(signature = (session=None))]
    fn __datafusion_table_function__<'py>(
        &self,
        py: Python<'py>,
        session: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        guard(|| {
            let (codec, handle) = host_codec_and_runtime(py, session)?;
            let ffi = match self.function {
                FunctionKind::Table(table) => FFI_TableFunction::new_with_ffi_codec(
                    Arc::new(TpchTableFunction::new(table)),
                    Some(handle),
                    codec,
                ),
                FunctionKind::Bench(f) => FFI_TableFunction::new_with_ffi_codec(
                    Arc::new(BenchTableFunction::new(f)),
                    Some(handle),
                    codec,
                ),
            };
            PyCapsule::new_with_value(py, ffi, TABLE_FUNCTION_CAPSULE)
        })
    }

    fn __repr__(&self) -> String {
        match self.function {
            FunctionKind::Table(table) => format!("TpchFunction(name='{}')", table.name()),
            FunctionKind::Bench(f) => format!("TpchFunction(name='{}')", f.name()),
        }
    }
}
