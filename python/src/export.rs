//! `generate`: the crate's parallel export, run with the GIL released.
//!
//! The export runs on a thread of its own. The calling thread waits for it in short slices with
//! the GIL released and, between slices, takes the GIL to let Python run its signal handlers:
//! a `KeyboardInterrupt` sets the export's cancel flag, waits for the export to remove its
//! unfinished files, and is then raised again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use datafusion_dbgen::export::parquet::{ParquetOptions, parse_compression};
use datafusion_dbgen::export::{ExportOptions, ExportSummary, Exporter, Layout, Progress};
use datafusion_dbgen::{Error, ScaleFactor, Table};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{guard, panic_error, to_py};

/// How long the waiting thread keeps the GIL released between signal checks.
const POLL: Duration = Duration::from_millis(100);
/// The first progress line appears after this long (quick exports print nothing).
const PROGRESS_DELAY: Duration = Duration::from_millis(500);
/// Interval between progress lines.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Rows and bytes written so far, over all tables.
#[derive(Default)]
struct Counter {
    rows: AtomicU64,
    bytes: AtomicU64,
}

impl Progress for Counter {
    fn advance(&self, _table: Table, rows: u64, bytes: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// The options of one export, as Python passed them.
struct Request {
    sf: f64,
    format: String,
    output: PathBuf,
    tables: Option<Vec<String>>,
    threads: Option<i64>,
    parts: Option<i64>,
    part: Option<i64>,
    compression: Option<String>,
    row_group_rows: Option<i64>,
    overwrite: bool,
    storage_options: Option<HashMap<String, String>>,
    layout: Option<String>,
}

impl Request {
    /// The exporter, or the crate's error for bad options (checked by
    /// [`ExportOptions::validate`], as for `tpch gen`; only Python's signed integers and the
    /// pairing of `parts` with `part` are checked here).
    fn exporter(&self) -> Result<Exporter, Error> {
        let count = |value: i64, what: &str| {
            u64::try_from(value).map_err(|_| {
                Error::InvalidOption(format!("invalid {what} {value}: expected at least 1"))
            })
        };
        let mut options = ExportOptions::new(ScaleFactor::try_new(self.sf)?);
        options.format = self.format.trim().parse()?;
        if let Some(names) = &self.tables {
            options.tables = names
                .iter()
                .map(|name| name.trim().parse())
                .collect::<Result<_, _>>()?;
        }
        options.output = self.output.clone();
        options.overwrite = self.overwrite;
        if let Some(pairs) = &self.storage_options {
            // Sorted: the order of a Python dict's keys does not change the store.
            let mut pairs: Vec<_> = pairs.iter().collect();
            pairs.sort();
            options.storage_options = pairs
                .into_iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
        }
        if let Some(threads) = self.threads {
            options.threads = Some(count(threads, "number of threads")? as usize);
        }
        options.part = match (self.parts, self.part) {
            (Some(parts), Some(part)) => {
                let parts = count(parts, "number of parts")?;
                let part = u64::try_from(part).unwrap_or(0);
                Some((part, parts))
            }
            (None, None) => None,
            _ => {
                return Err(Error::InvalidOption(
                    "parts and part go together: pass both or neither".into(),
                ));
            }
        };
        if self.compression.is_some() || self.row_group_rows.is_some() {
            let mut parquet = ParquetOptions::default();
            if let Some(text) = &self.compression {
                parquet.compression = parse_compression(text)?;
            }
            if let Some(rows) = self.row_group_rows {
                parquet.row_group_rows = count(rows, "row_group_rows")?;
            }
            options.parquet = Some(parquet);
        }
        if let Some(text) = &self.layout {
            options.layout = parse_layout(text)?;
        }
        options.validate()?;
        let exporter = Exporter::with_options(options);
        Ok(exporter)
    }
}

/// A layout as Python passes it: JSON (what the wrapper makes of a dict) or TOML text (a
/// layout file's), both read into the crate's one [`Layout`] type.
fn parse_layout(text: &str) -> Result<Layout, Error> {
    if text.trim_start().starts_with('{') {
        Layout::from_json(text)
    } else {
        Layout::from_toml(text)
    }
}

/// Runs an export (the Python wrapper `datafusion_dbgen.generate` documents the options) and
/// returns its summary as a dict: ``{"tables": [{"table", "files", "rows", "bytes",
/// "seconds"}, ...], "seconds": float, "backend": str, "stale_removed": [str, ...]}``.
#[pyfunction]
#[pyo3(signature = (sf, format, output, tables, threads, parts, part, compression, row_group_rows, overwrite, progress, storage_options=None, layout=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn generate<'py>(
    py: Python<'py>,
    sf: f64,
    format: String,
    output: PathBuf,
    tables: Option<Vec<String>>,
    threads: Option<i64>,
    parts: Option<i64>,
    part: Option<i64>,
    compression: Option<String>,
    row_group_rows: Option<i64>,
    overwrite: bool,
    progress: bool,
    storage_options: Option<HashMap<String, String>>,
    layout: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let request = Request {
            sf,
            format,
            output,
            tables,
            threads,
            parts,
            part,
            compression,
            row_group_rows,
            overwrite,
            storage_options,
            layout,
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let counter = Arc::new(Counter::default());
        let exporter = request
            .exporter()
            .map_err(to_py)?
            .cancel_flag(Arc::clone(&cancel))
            .progress(Arc::clone(&counter) as Arc<dyn Progress>);
        let summary = run(py, exporter, &cancel, progress.then_some(&*counter))?;
        summary_dict(py, &summary)
    })
}

/// Runs `exporter` on a thread of its own and waits for it, checking for signals.
fn run(
    py: Python<'_>,
    exporter: Exporter,
    cancel: &AtomicBool,
    progress: Option<&Counter>,
) -> PyResult<ExportSummary> {
    let (sender, receiver) = mpsc::channel();
    let worker = thread::Builder::new()
        .name("datafusion-dbgen-export".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exporter.run()));
            let _ = sender.send(outcome);
        })
        .map_err(|e| PyOSError::new_err(format!("cannot start the export thread: {e}")))?;
    let started = Instant::now();
    let mut last_line: Option<Instant> = None;
    let mut interrupt: Option<PyErr> = None;
    // `Receiver` is not `Sync`: it moves into each wait and back out.
    let mut receiver = receiver;
    let outcome = loop {
        let (back, received) = py.detach(move || {
            let received = receiver.recv_timeout(POLL);
            (receiver, received)
        });
        receiver = back;
        match received {
            Ok(outcome) => break Some(outcome),
            Err(RecvTimeoutError::Disconnected) => break None,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if interrupt.is_none()
            && let Err(signal) = py.check_signals()
        {
            // Ctrl-C (or any handler raising): stop the workers, keep waiting for them to
            // remove their unfinished files, then raise.
            cancel.store(true, Ordering::SeqCst);
            interrupt = Some(signal);
            continue;
        }
        if let (Some(counter), None) = (progress, &interrupt) {
            let due = match last_line {
                None => started.elapsed() >= PROGRESS_DELAY,
                Some(at) => at.elapsed() >= PROGRESS_EVERY,
            };
            if due {
                write_progress(py, counter, started, false);
                last_line = Some(Instant::now());
            }
        }
    };
    let _ = py.detach(|| worker.join());
    if let (Some(counter), Some(_)) = (progress, last_line) {
        write_progress(py, counter, started, true);
    }
    if let Some(signal) = interrupt {
        return Err(signal);
    }
    match outcome {
        Some(Ok(result)) => result.map_err(to_py),
        Some(Err(payload)) => Err(panic_error(payload.as_ref())),
        None => Err(pyo3::exceptions::PyRuntimeError::new_err(
            "the export thread ended without a result",
        )),
    }
}

/// Writes one progress line to `sys.stderr` (ignoring failures: progress is best effort).
fn write_progress(py: Python<'_>, counter: &Counter, started: Instant, last: bool) {
    let rows = counter.rows.load(Ordering::Relaxed);
    let bytes = counter.bytes.load(Ordering::Relaxed);
    let line = format!(
        "\rdatafusion-dbgen: {rows} rows, {:.1} MB, {:.1} s{}",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        if last { "\n" } else { "" }
    );
    let _ = (|| -> PyResult<()> {
        let stderr = py.import("sys")?.getattr("stderr")?;
        if stderr.is_none() {
            return Ok(());
        }
        stderr.call_method1("write", (line,))?;
        stderr.call_method0("flush")?;
        Ok(())
    })();
}

/// The summary as Python objects.
fn summary_dict<'py>(py: Python<'py>, summary: &ExportSummary) -> PyResult<Bound<'py, PyDict>> {
    let tables = PyList::empty(py);
    for t in &summary.tables {
        let entry = PyDict::new(py);
        entry.set_item("table", t.table.name())?;
        let files: Vec<String> = t
            .files
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        entry.set_item("files", files)?;
        entry.set_item("rows", t.rows)?;
        entry.set_item("bytes", t.bytes)?;
        entry.set_item("seconds", t.seconds)?;
        tables.append(entry)?;
    }
    let out = PyDict::new(py);
    out.set_item("tables", tables)?;
    out.set_item("seconds", summary.seconds)?;
    out.set_item("backend", summary.backend.to_string())?;
    let stale: Vec<String> = summary
        .stale_removed
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    out.set_item("stale_removed", stale)?;
    Ok(out)
}
