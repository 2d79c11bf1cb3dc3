//! [`TpchCopyExec`]: the writer plan of `COPY … TO`, one file per input partition, all written
//! through one shared [`Sink`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use datafusion::arrow::array::{ArrayRef, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{internal_err, plan_err};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{
    Distribution, EquivalenceProperties, LexRequirement, OrderingRequirements, PhysicalExpr,
};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{EmissionType, SchedulingType};
use datafusion::physical_plan::metrics::{
    BaselineMetrics, Count, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties,
    InputDistributionRequirements, Partitioning, PlanProperties, ReplaceChildrenOptions,
};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::export::Format;
use crate::export::batches::{DelimitedBatchWriter, TextOptions};
use crate::sink::{Backend, Sink, SinkConfig, SinkFile};

/// How the batches are encoded.
#[derive(Debug)]
pub(crate) enum Encoding {
    /// Parquet with DataFusion's writer properties.
    #[cfg(feature = "parquet")]
    Parquet {
        properties: Box<parquet::file::properties::WriterProperties>,
        skip_arrow_metadata: bool,
    },
    /// Delimited text (`csv`, `tbl`).
    Text(TextOptions),
}

/// Where the files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CopyTarget {
    /// One file: the input is merged into one partition first.
    File(PathBuf),
    /// `part-<i>.<extension>` per input partition in `dir`.
    Directory { dir: PathBuf, extension: String },
}

impl CopyTarget {
    /// The output files of `partitions` input partitions. Partition numbers are zero-padded
    /// to the width of the largest, so names sort in partition order.
    fn paths(&self, partitions: usize) -> Vec<PathBuf> {
        match self {
            CopyTarget::File(path) => vec![path.clone()],
            CopyTarget::Directory { dir, extension } => {
                let width = partitions.saturating_sub(1).to_string().len();
                (0..partitions)
                    .map(|i| dir.join(format!("part-{i:0width$}.{extension}")))
                    .collect()
            }
        }
    }

    fn path(&self) -> &Path {
        match self {
            CopyTarget::File(path) => path,
            CopyTarget::Directory { dir, .. } => dir,
        }
    }

    fn directory(&self) -> Option<&Path> {
        match self {
            CopyTarget::File(path) => path.parent().filter(|p| !p.as_os_str().is_empty()),
            CopyTarget::Directory { dir, .. } => Some(dir),
        }
    }
}

/// The writer plan of `COPY … TO` made by the crate's file formats
/// ([`register`](super::register)).
///
/// With a directory target, every input partition is executed concurrently and written to its
/// own file, `part-<i>.<ext>` (partition numbers zero-padded to a common width, so the names
/// sort in partition order; existing files of the same names are replaced): each partition's
/// batches are encoded on a blocking worker thread, and every file is written through one
/// [`Sink`] (one io_uring ring, or the portable back end). Over a TPC-H table of
/// [`register_tpch`](crate::provider::register_tpch), partition `i` of `n` is dbgen's chunk
/// `i + 1` of `n`, so the files concatenated in name order are the whole table in dbgen's order.
///
/// With a single-file target (a path with an extension), the input is first merged into one
/// partition (order-preserving when the input is sorted).
///
/// Files are published (renamed from temporary names) only when every partition succeeded; on
/// any failure or cancellation every file of the COPY is discarded. Output: one row, `count`
/// (UInt64), the number of rows written.
#[derive(Debug)]
pub struct TpchCopyExec {
    input: Arc<dyn ExecutionPlan>,
    format: Format,
    target: CopyTarget,
    encoding: Arc<Encoding>,
    sink: SinkConfig,
    backend: Backend,
    order: Option<LexRequirement>,
    metrics: ExecutionPlanMetricsSet,
    properties: Arc<PlanProperties>,
}

fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]))
}

impl TpchCopyExec {
    pub(crate) fn try_new(
        input: Arc<dyn ExecutionPlan>,
        format: Format,
        target: CopyTarget,
        encoding: Encoding,
        sink: SinkConfig,
        order: Option<LexRequirement>,
    ) -> Result<Self> {
        sink.validate()
            .map_err(|e| DataFusionError::Plan(format!("COPY: {e}")))?;
        // One producer per input partition.
        let sink = sink.for_producers(input.output_partitioning().partition_count());
        if matches!(encoding, Encoding::Text(_)) {
            crate::export::batches::check_text_schema(&input.schema())
                .map_err(|e| DataFusionError::Plan(format!("COPY … STORED AS {format}: {e}")))?;
        }
        let properties = Arc::new(
            PlanProperties::new(
                EquivalenceProperties::new(count_schema()),
                Partitioning::UnknownPartitioning(1),
                EmissionType::Final,
                input.boundedness(),
            )
            .with_scheduling_type(SchedulingType::Cooperative),
        );
        Ok(TpchCopyExec {
            backend: sink.expected_backend(),
            input,
            format,
            target,
            encoding: Arc::new(encoding),
            sink,
            order,
            metrics: ExecutionPlanMetricsSet::new(),
            properties,
        })
    }

    /// The plan whose rows are written.
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }

    /// The file format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The target: the directory of the files, or the single file.
    pub fn target(&self) -> &Path {
        self.target.path()
    }

    /// Whether the target is one file (the input is merged into one partition).
    pub fn single_file(&self) -> bool {
        matches!(self.target, CopyTarget::File(_))
    }

    /// The sink back end the files are written with.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The sink configuration (one sink is started per execution).
    pub fn sink_config(&self) -> &SinkConfig {
        &self.sink
    }

    fn with_input(&self, input: Arc<dyn ExecutionPlan>) -> Self {
        TpchCopyExec {
            input,
            format: self.format,
            target: self.target.clone(),
            encoding: Arc::clone(&self.encoding),
            sink: self.sink.clone(),
            backend: self.backend,
            order: self.order.clone(),
            metrics: ExecutionPlanMetricsSet::new(),
            properties: Arc::clone(&self.properties),
        }
    }
}

impl DisplayAs for TpchCopyExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = match t {
            DisplayFormatType::TreeRender => "\n",
            _ => ", ",
        };
        if !matches!(t, DisplayFormatType::TreeRender) {
            write!(f, "TpchCopyExec: ")?;
        }
        write!(f, "format={}{sep}", self.format)?;
        match &self.target {
            CopyTarget::File(path) => write!(f, "file={}", path.display())?,
            CopyTarget::Directory { dir, extension } => write!(
                f,
                "dir={}{sep}files=part-<i>.{extension} x {}",
                dir.display(),
                self.input.output_partitioning().partition_count()
            )?,
        }
        write!(f, "{sep}sink={}", self.backend)
    }
}

impl ExecutionPlan for TpchCopyExec {
    fn name(&self) -> &'static str {
        "TpchCopyExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        // Input partition i is file i: keep the input's partitioning as it is.
        vec![false]
    }

    #[allow(deprecated)]
    fn required_input_distribution(&self) -> Vec<Distribution> {
        if self.single_file() {
            vec![Distribution::SinglePartition]
        } else {
            vec![Distribution::UnspecifiedDistribution]
        }
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        #[allow(deprecated)]
        InputDistributionRequirements::new(self.required_input_distribution())
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        // A single file keeps the input's order (merged, not just concatenated); files of a
        // directory each keep their partition's order anyway.
        if self.single_file() {
            vec![self.order.clone().map(Into::into)]
        } else {
            vec![None]
        }
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return plan_err!("TpchCopyExec takes exactly one child");
        }
        Ok(Arc::new(self.with_input(children.swap_remove(0))))
    }

    #[allow(deprecated)]
    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return plan_err!("TpchCopyExec takes exactly one child");
        }
        Ok(Arc::new(self.with_input(children.swap_remove(0))))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return internal_err!("TpchCopyExec has one partition, not {}", partition + 1);
        }
        let mut input = Arc::clone(&self.input);
        if self.single_file() && input.output_partitioning().partition_count() > 1 {
            input = Arc::new(CoalescePartitionsExec::new(input));
        }
        let job = CopyJob {
            input,
            target: self.target.clone(),
            encoding: Arc::clone(&self.encoding),
            sink: self.sink.clone(),
            context,
            baseline: BaselineMetrics::new(&self.metrics, 0),
            files: MetricBuilder::new(&self.metrics).counter("files_written", 0),
            bytes: MetricBuilder::new(&self.metrics).counter("bytes_written", 0),
        };
        let stream = futures::stream::once(job.run()).boxed();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            count_schema(),
            stream,
        )))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

/// One execution of a [`TpchCopyExec`].
struct CopyJob {
    input: Arc<dyn ExecutionPlan>,
    target: CopyTarget,
    encoding: Arc<Encoding>,
    sink: SinkConfig,
    context: Arc<TaskContext>,
    baseline: BaselineMetrics,
    files: Count,
    bytes: Count,
}

/// What producers hand to an encoder.
enum Message {
    Batch(RecordBatch),
    /// The partition's stream ended normally.
    End,
}

/// Aborts the sink (and with it every file of the COPY) unless disarmed: runs on failure and
/// when the COPY is cancelled (its stream dropped).
struct AbortGuard {
    sink: Sink,
    failed: Arc<AtomicBool>,
    armed: bool,
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if self.armed {
            self.failed.store(true, Ordering::SeqCst);
            self.sink.abort_all();
        }
    }
}

/// An encoder's failure: a real error, or a stop because another partition failed or the
/// input ended early (whose own error is the one to report).
enum EncodeError {
    Failed(DataFusionError),
    Stopped,
}

fn copy_err(target: &Path, e: impl fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("COPY to {} failed: {e}", target.display()))
}

/// The writer of one output file.
enum FileWriter {
    #[cfg(feature = "parquet")]
    Parquet(crate::export::parquet::ParquetBatchWriter),
    Text(DelimitedBatchWriter),
}

impl FileWriter {
    fn new(
        file: SinkFile,
        schema: SchemaRef,
        encoding: &Encoding,
        buffer_size: usize,
    ) -> crate::Result<Self> {
        Ok(match encoding {
            #[cfg(feature = "parquet")]
            Encoding::Parquet {
                properties,
                skip_arrow_metadata,
            } => FileWriter::Parquet(crate::export::parquet::ParquetBatchWriter::new(
                file,
                schema,
                (**properties).clone(),
                *skip_arrow_metadata,
            )?),
            Encoding::Text(options) => FileWriter::Text(DelimitedBatchWriter::new(
                file,
                &schema,
                options.clone(),
                buffer_size,
            )?),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> crate::Result<()> {
        match self {
            #[cfg(feature = "parquet")]
            FileWriter::Parquet(w) => w.write(batch),
            FileWriter::Text(w) => w.write(batch),
        }
    }

    fn into_file(self) -> crate::Result<(u64, SinkFile)> {
        match self {
            #[cfg(feature = "parquet")]
            FileWriter::Parquet(w) => Ok((w.rows(), w.into_file()?)),
            FileWriter::Text(w) => Ok((w.rows(), w.into_file()?)),
        }
    }
}

/// Creates the target directory, starts the sink and creates every file (blocking).
fn open_files(
    target: &CopyTarget,
    config: SinkConfig,
    paths: &[PathBuf],
) -> Result<(Sink, Vec<SinkFile>)> {
    let where_ = target.path();
    if let Some(dir) = target.directory() {
        std::fs::create_dir_all(dir).map_err(|e| {
            copy_err(
                where_,
                format_args!("cannot create directory {}: {e}", dir.display()),
            )
        })?;
    }
    let sink = Sink::new(config).map_err(|e| copy_err(where_, e))?;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        match sink.create(path) {
            Ok(f) => files.push(f),
            Err(e) => {
                sink.abort_all();
                return Err(copy_err(where_, e));
            }
        }
    }
    Ok((sink, files))
}

/// Renames every file into place; on a failure removes the ones already published.
fn publish(target: &Path, sink: &Sink, files: Vec<SinkFile>) -> Result<u64> {
    let mut published: Vec<PathBuf> = Vec::with_capacity(files.len());
    let mut bytes = 0;
    let mut files = files.into_iter();
    for file in files.by_ref() {
        match file.finish() {
            Ok(summary) => {
                bytes += summary.bytes;
                published.push(summary.path);
            }
            Err(e) => {
                sink.abort_all();
                drop(files);
                for path in &published {
                    let _ = std::fs::remove_file(path);
                }
                return Err(copy_err(target, e));
            }
        }
    }
    Ok(bytes)
}

impl CopyJob {
    async fn run(self) -> Result<RecordBatch> {
        let CopyJob {
            input,
            target,
            encoding,
            sink,
            context,
            baseline,
            files: files_metric,
            bytes: bytes_metric,
        } = self;
        let partitions = input.output_partitioning().partition_count();
        let paths = target.paths(partitions);
        let buffer_size = sink.buffer_size;
        let (sink, files) = {
            let to = target.clone();
            tokio::task::spawn_blocking(move || open_files(&to, sink, &paths))
                .await
                .map_err(|e| copy_err(target.path(), e))??
        };
        let failed = Arc::new(AtomicBool::new(false));
        let mut guard = AbortGuard {
            sink: sink.clone(),
            failed: Arc::clone(&failed),
            armed: true,
        };
        let schema = input.schema();
        let where_: Arc<Path> = Arc::from(target.path());

        let mut producers = tokio::task::JoinSet::new();
        let mut encoders = Vec::with_capacity(partitions);
        for (i, file) in files.into_iter().enumerate() {
            let mut stream = input.execute(i, Arc::clone(&context))?;
            let (tx, mut rx) = mpsc::channel::<Message>(2);
            producers.spawn(async move {
                while let Some(batch) = stream.next().await {
                    if tx.send(Message::Batch(batch?)).await.is_err() {
                        // The encoder stopped; its error is the one reported.
                        return Ok(());
                    }
                }
                let _ = tx.send(Message::End).await;
                Ok::<(), DataFusionError>(())
            });
            let (failed, sink, schema, encoding) = (
                Arc::clone(&failed),
                sink.clone(),
                Arc::clone(&schema),
                Arc::clone(&encoding),
            );
            let where_ = Arc::clone(&where_);
            encoders.push(tokio::task::spawn_blocking(move || {
                let result = (|| {
                    let mut writer = FileWriter::new(file, schema, &encoding, buffer_size)
                        .map_err(|e| EncodeError::Failed(copy_err(&where_, e)))?;
                    loop {
                        match rx.blocking_recv() {
                            Some(Message::Batch(batch)) => {
                                if failed.load(Ordering::Relaxed) {
                                    return Err(EncodeError::Stopped);
                                }
                                writer
                                    .write(&batch)
                                    .map_err(|e| EncodeError::Failed(copy_err(&where_, e)))?;
                            }
                            Some(Message::End) => break,
                            None => return Err(EncodeError::Stopped),
                        }
                    }
                    writer
                        .into_file()
                        .map_err(|e| EncodeError::Failed(copy_err(&where_, e)))
                })();
                if result.is_err() {
                    failed.store(true, Ordering::SeqCst);
                    sink.abort_all();
                }
                result
            }));
        }

        let mut first_error: Option<DataFusionError> = None;
        let mut finished = Vec::with_capacity(partitions);
        let mut rows = 0u64;
        for handle in encoders {
            match handle.await {
                Ok(Ok((n, file))) => {
                    rows += n;
                    finished.push(file);
                }
                Ok(Err(EncodeError::Failed(e))) => {
                    first_error.get_or_insert(e);
                }
                Ok(Err(EncodeError::Stopped)) => {}
                Err(e) => {
                    first_error.get_or_insert(copy_err(&where_, e));
                }
            }
        }
        // Input errors come first: an encoder stopped by one reports nothing itself.
        let mut input_error = None;
        while let Some(joined) = producers.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    input_error.get_or_insert(e);
                }
                Err(e) => {
                    input_error.get_or_insert(copy_err(&where_, e));
                }
            }
        }
        if let Some(e) = input_error.or(first_error) {
            return Err(e);
        }
        if finished.len() != partitions {
            return Err(copy_err(&where_, "a partition stopped without an error"));
        }
        let bytes = {
            let sink = sink.clone();
            tokio::task::spawn_blocking(move || publish(target.path(), &sink, finished))
                .await
                .map_err(|e| copy_err(&where_, e))??
        };
        guard.armed = false;
        drop(guard);
        files_metric.add(partitions);
        bytes_metric.add(bytes as usize);
        baseline.record_output(1);
        baseline.done();
        let count: ArrayRef = Arc::new(UInt64Array::from(vec![rows]));
        Ok(RecordBatch::try_new(count_schema(), vec![count])?)
    }
}
