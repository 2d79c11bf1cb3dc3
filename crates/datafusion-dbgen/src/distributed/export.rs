//! Distributed export: a plan whose partition `i` writes dbgen's chunk `i + 1` of `n` through
//! the crate's exporter and sink on the executor that runs it (`<table>.<ext>.<part>`, atomic
//! publish), and returns one manifest row per file written.
//!
//! The client reads an [`ExportTable`]; on the scheduler its scan plans as parts
//! ([`parts_exec`]), so each task writes its own chunk where it runs. Nothing crosses the network
//! but the plan and the manifest. Tasks replace their own files (a retried task rewrites the
//! chunk it was given); the client refuses to start when a file is already there unless asked
//! to overwrite.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use datafusion::arrow::array::{
    Array, AsArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema, SchemaRef, UInt32Type};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
};
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use super::parts::parts_exec;
use crate::export::{ExportOptions, ExportSummary, Exporter};

/// What a distributed export writes; also its encoding in the plan: the [`ExportOptions`] go to
/// the executors as they are (typed, serde), with the number of parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportSpec {
    /// What to write. `part` stays unset (task `i` writes dbgen's chunk `i + 1` of `parts`);
    /// `threads` is per task (default 1); `output` is the directory as every executor names it
    /// (absolute; a shared or local disk).
    pub options: ExportOptions,
    /// dbgen chunks, one per task.
    pub parts: usize,
    /// The run's name, for stopping its tasks ([`request_cancel`](super::request_cancel)).
    #[serde(default)]
    pub run: Option<String>,
}

impl ExportSpec {
    /// `options` written in `parts` parts, one task per part.
    pub fn new(options: ExportOptions, parts: usize) -> ExportSpec {
        ExportSpec {
            options,
            parts,
            run: Some(super::cancel::new_run_id()),
        }
    }

    /// The exporter of part `part` (1-based); `None` when the part has no table to write
    /// (nation and region are written whole, by part 1 only).
    fn exporter(&self, part: usize) -> Result<Option<Exporter>> {
        let mut options = self.options.clone();
        options.tables.retain(|t| part == 1 || !t.is_fixed());
        if options.tables.is_empty() {
            return Ok(None);
        }
        options.part = Some((part as u64, self.parts as u64));
        options.threads = Some(options.threads.unwrap_or(1));
        // A retried task rewrites the chunk it was given; the client checked for existing files.
        options.overwrite = true;
        Ok(Some(Exporter::with_options(options)))
    }

    /// Checks every field, as the executors will read them.
    fn validate(&self) -> Result<()> {
        if self.parts == 0 {
            return Err(DataFusionError::Configuration(
                "a distributed export needs at least one part".into(),
            ));
        }
        if self.options.part.is_some() {
            return Err(DataFusionError::Configuration(
                "a distributed export writes every part (one per task): leave `part` unset".into(),
            ));
        }
        self.options.validate()?;
        let objects = crate::store::is_object_url(&self.options.output);
        if !objects && !self.options.output.is_absolute() {
            return Err(DataFusionError::Configuration(format!(
                "the output directory of a distributed export must be absolute (executors run \
                 elsewhere): {}",
                self.options.output.display()
            )));
        }
        // Part 1 writes every table, and a chunk's bounds are valid for one part exactly when
        // they are for all (`RowRange::chunk`): checking it (and the last) checks every part,
        // in constant time — each executor checks the spec again when it decodes a task.
        for part in [1, self.parts] {
            if let Some(exporter) = self.exporter(part)? {
                exporter.planned_files()?;
            }
        }
        Ok(())
    }

    /// Every file the export writes.
    pub(super) fn planned_files(&self) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for part in 1..=self.parts {
            if let Some(exporter) = self.exporter(part)? {
                files.extend(exporter.planned_files()?.into_iter().map(|f| f.path));
            }
        }
        Ok(files)
    }
}

/// The manifest's columns: one row per file written.
static MANIFEST_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("path", DataType::Utf8, false),
        Field::new("table", DataType::Utf8, false),
        Field::new("part", DataType::UInt32, false),
        Field::new("rows", DataType::UInt64, false),
        Field::new("bytes", DataType::UInt64, false),
        Field::new("seconds", DataType::Float64, false),
        Field::new("executor", DataType::Utf8, false),
    ]))
});

/// One file a distributed export wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestRow {
    /// The file, as the executor named it.
    pub path: PathBuf,
    /// Its table.
    pub table: String,
    /// dbgen's chunk (1-based).
    pub part: u32,
    /// Rows in the file.
    pub rows: u64,
    /// Bytes in the file.
    pub bytes: u64,
    /// Seconds the task took to write its part.
    pub seconds: f64,
    /// Which executor process wrote it: `host:pid`.
    pub executor: String,
}

/// This process as a manifest names it.
fn executor_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into `buf`.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let host = if ok {
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "localhost".into()
    };
    format!("{host}:{}", std::process::id())
}

fn manifest_batch(summary: &ExportSummary, part: usize) -> Result<RecordBatch> {
    let executor = executor_name();
    let rows: Vec<_> = summary
        .tables
        .iter()
        .filter_map(|t| t.files.first().map(|f| (t, f)))
        .collect();
    let columns: Vec<Arc<dyn Array>> = vec![
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|(_, f)| f.to_string_lossy()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|(t, _)| t.table.name()),
        )),
        Arc::new(UInt32Array::from(vec![part as u32; rows.len()])),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|(t, _)| t.rows),
        )),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|(t, _)| t.bytes),
        )),
        Arc::new(Float64Array::from(vec![summary.seconds; rows.len()])),
        Arc::new(StringArray::from(vec![executor; rows.len()])),
    ];
    Ok(RecordBatch::try_new(MANIFEST_SCHEMA.clone(), columns)?)
}

/// Sets the exporter's cancel flag when the task's stream is dropped (the job was cancelled or
/// failed elsewhere): the exporter stops and removes its unfinished files.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The export as a plan: partition `i` writes part `i + 1` and yields its manifest rows.
#[derive(Debug)]
pub struct ExportExec {
    spec: ExportSpec,
    properties: Arc<PlanProperties>,
}

impl ExportExec {
    /// The plan of `spec`; an invalid spec is an error naming the field.
    pub fn try_new(spec: ExportSpec) -> Result<ExportExec> {
        spec.validate()?;
        let properties = PlanProperties::new(
            EquivalenceProperties::new(MANIFEST_SCHEMA.clone()),
            Partitioning::UnknownPartitioning(spec.parts),
            EmissionType::Final,
            Boundedness::Bounded,
        );
        Ok(ExportExec {
            spec,
            properties: Arc::new(properties),
        })
    }

    /// What it writes.
    pub fn spec(&self) -> &ExportSpec {
        &self.spec
    }
}

impl DisplayAs for ExportExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "ExportExec: sf={}, format={}, parts={}, output={}",
            self.spec.options.sf.value(),
            self.spec.options.format,
            self.spec.parts,
            self.spec.options.output.display()
        )
    }
}

impl ExecutionPlan for ExportExec {
    fn name(&self) -> &str {
        "ExportExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    /// The export holds no expressions.
    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            Err(DataFusionError::Internal(
                "ExportExec has no children".into(),
            ))
        }
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition >= self.spec.parts {
            return Err(DataFusionError::Internal(format!(
                "export part {partition} of {}",
                self.spec.parts
            )));
        }
        let part = partition + 1;
        let exporter = self.spec.exporter(part)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let guard = CancelOnDrop(Arc::clone(&cancel));
        let spec = self.spec.clone();
        let written = async move {
            let _guard = guard;
            let Some(exporter) = exporter else {
                return Ok(RecordBatch::new_empty(MANIFEST_SCHEMA.clone()));
            };
            // The client's stop request: polled while the part is written (and first, so a
            // retried task of a stopped run does not start over).
            let stores = Arc::new(crate::store::ObjectStores::new(
                spec.options.storage_options.clone(),
            ));
            let watch = {
                let (cancel, spec) = (Arc::clone(&cancel), spec.clone());
                tokio::task::spawn_blocking(move || {
                    while !cancel.load(Ordering::Relaxed) {
                        if super::cancel::cancel_requested(&spec, &stores) {
                            cancel.store(true, Ordering::Relaxed);
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(250));
                    }
                })
            };
            let exporter = exporter.cancel_flag(Arc::clone(&cancel));
            let summary = tokio::task::spawn_blocking(move || exporter.run()).await;
            // Ends the watcher (it stops at a set flag).
            cancel.store(true, Ordering::Relaxed);
            let _ = watch.await;
            let summary = summary.map_err(|e| DataFusionError::External(Box::new(e)))??;
            manifest_batch(&summary, part)
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            MANIFEST_SCHEMA.clone(),
            futures::stream::once(written),
        )))
    }
}

/// A distributed export as a table: reading it writes the files and yields the manifest.
#[derive(Debug)]
pub struct ExportTable {
    spec: ExportSpec,
}

impl ExportTable {
    /// The table of `spec` (checked as [`ExportExec::try_new`] checks it).
    pub fn try_new(spec: ExportSpec) -> Result<ExportTable> {
        spec.validate()?;
        Ok(ExportTable { spec })
    }

    /// What it writes.
    pub fn spec(&self) -> &ExportSpec {
        &self.spec
    }
}

#[async_trait]
impl TableProvider for ExportTable {
    fn schema(&self) -> SchemaRef {
        MANIFEST_SCHEMA.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        _projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        // Every part must run: projection and limit are applied above the scan.
        Ok(parts_exec(
            Arc::new(ExportExec::try_new(self.spec.clone())?),
            None,
        ))
    }
}

/// Runs the export `spec` on the session's engine — a Ballista cluster for a
/// [`ballista_context`](super::ballista_context), else this process — and returns the manifest
/// sorted by part and table.
///
/// A relative output directory is made absolute here. Existing files are an error unless
/// `overwrite`. Whatever the outcome, temporary files left under the output directory by
/// processes that died (a killed executor) are removed before returning.
pub async fn export_tables(ctx: &SessionContext, mut spec: ExportSpec) -> Result<Vec<ManifestRow>> {
    let objects = crate::store::is_object_url(&spec.options.output);
    if !objects {
        spec.options.output = std::path::absolute(&spec.options.output)?;
    }
    let table = Arc::new(ExportTable::try_new(spec)?);
    let spec = table.spec();
    let output = spec.options.output.clone();
    match (spec.options.overwrite, objects) {
        (true, _) => {}
        (false, true) => refuse_existing_objects(spec).await?,
        (false, false) => {
            if let Some(found) = spec.planned_files()?.into_iter().find(|f| f.exists()) {
                return Err(DataFusionError::Execution(format!(
                    "{} exists; pass --overwrite to replace it",
                    found.display()
                )));
            }
        }
    }
    if !objects {
        // A read-only or missing directory would fail every task, each error nested in
        // Ballista's: one line naming the directory instead.
        super::writable_dir(&output).map_err(|e| {
            DataFusionError::Execution(format!("cannot write into {}: {e}", output.display()))
        })?;
    }
    let result = match ctx.read_table(table) {
        Ok(frame) => frame.collect().await,
        Err(e) => Err(e),
    };
    if !objects {
        crate::sink::remove_stale_temp_files(&output)?;
    }
    let mut rows = manifest_rows(&result?)?;
    rows.sort_by(|a, b| (a.part, &a.path).cmp(&(b.part, &b.path)));
    Ok(rows)
}

/// Refuses a planned object of `spec` that exists already (one listing of the output prefix;
/// nation and region, which every part rewrites identically, do not count).
async fn refuse_existing_objects(spec: &ExportSpec) -> Result<()> {
    let stores = crate::store::ObjectStores::new(spec.options.storage_options.clone());
    let prefix = spec.options.output.to_string_lossy().into_owned();
    let mut planned = Vec::new();
    for part in 1..=spec.parts {
        if let Some(exporter) = spec.exporter(part)? {
            let files = exporter.planned_files()?.into_iter();
            planned.extend(
                files
                    .filter(|f| !f.table.is_fixed())
                    .map(|f| f.path.to_string_lossy().into_owned()),
            );
        }
    }
    tokio::task::spawn_blocking(move || stores.refuse_existing(&prefix, planned))
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))?
        .map_err(|e| DataFusionError::Execution(e.to_string()))
}

fn manifest_rows(batches: &[RecordBatch]) -> Result<Vec<ManifestRow>> {
    let mut rows = Vec::new();
    for batch in batches {
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                DataFusionError::Internal(format!("the manifest has no column {name}"))
            })
        };
        let strings = |name| -> Result<_> {
            column(name)?
                .as_string_opt::<i32>()
                .ok_or_else(|| DataFusionError::Internal(format!("manifest column {name}")))
        };
        let (path, table, executor) = (strings("path")?, strings("table")?, strings("executor")?);
        let part = column("part")?.as_primitive::<UInt32Type>();
        let count = column("rows")?.as_primitive::<UInt64Type>();
        let bytes = column("bytes")?.as_primitive::<UInt64Type>();
        let seconds = column("seconds")?.as_primitive::<Float64Type>();
        for i in 0..batch.num_rows() {
            rows.push(ManifestRow {
                path: PathBuf::from(path.value(i)),
                table: table.value(i).to_string(),
                part: part.value(i),
                rows: count.value(i),
                bytes: bytes.value(i),
                seconds: seconds.value(i),
                executor: executor.value(i).to_string(),
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tpch_dbgen::ScaleFactor;

    use super::*;

    fn spec(dir: &Path) -> ExportSpec {
        let mut options = ExportOptions::new(ScaleFactor::try_new(0.01).unwrap());
        options.output = dir.to_path_buf();
        ExportSpec::new(options, 3)
    }

    #[test]
    fn invalid_specs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut relative = spec(dir.path());
        relative.options.output = "out".into();
        assert!(
            ExportExec::try_new(relative)
                .unwrap_err()
                .to_string()
                .contains("absolute")
        );
        let changes: [fn(&mut ExportSpec); 4] = [
            |s| s.parts = 0,
            |s| s.options.part = Some((1, 3)),
            |s| s.options.tables.clear(),
            |s| s.options.threads = Some(0),
        ];
        for change in changes {
            let mut bad = spec(dir.path());
            change(&mut bad);
            assert!(ExportExec::try_new(bad.clone()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn nation_and_region_are_written_by_the_first_part_only() {
        let dir = tempfile::tempdir().unwrap();
        let files = spec(dir.path()).planned_files().unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.iter().filter(|n| *n == "nation.tbl").count(), 1);
        assert_eq!(names.iter().filter(|n| *n == "region.tbl").count(), 1);
        assert!(names.contains(&"lineitem.tbl.3".to_string()));
        assert_eq!(names.len(), 2 + 6 * 3);
    }

    #[tokio::test]
    async fn a_local_export_writes_dbgen_parts_and_its_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = SessionContext::new();
        let rows = export_tables(&ctx, spec(dir.path())).await.unwrap();
        assert_eq!(rows.len(), 2 + 6 * 3);
        for row in &rows {
            let len = std::fs::metadata(&row.path).unwrap().len();
            assert_eq!(len, row.bytes, "{row:?}");
        }
        let lineitem: u64 = rows
            .iter()
            .filter(|r| r.table == "lineitem")
            .map(|r| r.rows)
            .sum();
        assert_eq!(lineitem, 60_175);
        // Files are there now: a second run refuses, unless told to overwrite.
        let again = export_tables(&ctx, spec(dir.path())).await.unwrap_err();
        assert!(again.to_string().contains("exists"), "{again}");
        let mut overwrite = spec(dir.path());
        overwrite.options.overwrite = true;
        export_tables(&ctx, overwrite).await.unwrap();
    }
}
