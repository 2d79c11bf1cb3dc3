//! One run of `COPY … TO` ([`super::TpchCopyExec`]): a producer task per input partition
//! feeding an encoder thread, which writes the partition's file through the shared [`Sink`];
//! the files are published (renamed into place) only when every partition succeeded.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use datafusion::arrow::array::{ArrayRef, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::physical_plan::metrics::{BaselineMetrics, Count};
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::export::batches::{DelimitedBatchWriter, TextOptions};
use crate::sink::{Sink, SinkConfig, SinkFile};
use crate::store::{ObjectStores, is_object_url};

/// How the batches are encoded.
#[derive(Debug)]
pub(crate) enum Encoding {
    /// Parquet with DataFusion's writer properties.
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
    pub(super) fn paths(&self, partitions: usize) -> Vec<PathBuf> {
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

    pub(super) fn path(&self) -> &Path {
        match self {
            CopyTarget::File(path) => path,
            CopyTarget::Directory { dir, .. } => dir,
        }
    }

    pub(super) fn directory(&self) -> Option<&Path> {
        match self {
            CopyTarget::File(path) => path.parent().filter(|p| !p.as_os_str().is_empty()),
            CopyTarget::Directory { dir, .. } => Some(dir),
        }
    }
}

/// The output schema of a COPY: one row, `count`, the rows written.
pub(super) fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]))
}

/// One execution of a [`TpchCopyExec`](super::TpchCopyExec).
pub(super) struct CopyJob {
    pub(super) input: Arc<dyn ExecutionPlan>,
    pub(super) target: CopyTarget,
    pub(super) encoding: Arc<Encoding>,
    pub(super) sink: SinkConfig,
    pub(super) context: Arc<TaskContext>,
    /// The stores of object-store targets (`None`: the session's).
    pub(super) stores: Option<Arc<ObjectStores>>,
    pub(super) baseline: BaselineMetrics,
    pub(super) files: Count,
    pub(super) bytes: Count,
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
            Encoding::Parquet {
                properties,
                skip_arrow_metadata,
            } => FileWriter::Parquet(crate::export::parquet::ParquetBatchWriter::try_new(
                file,
                schema,
                (**properties).clone(),
                *skip_arrow_metadata,
            )?),
            Encoding::Text(options) => FileWriter::Text(DelimitedBatchWriter::try_new(
                file,
                &schema,
                options.clone(),
                buffer_size,
            )?),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> crate::Result<()> {
        match self {
            FileWriter::Parquet(w) => w.write(batch),
            FileWriter::Text(w) => w.write(batch),
        }
    }

    fn into_file(self) -> crate::Result<(u64, SinkFile)> {
        match self {
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
    stores: Arc<ObjectStores>,
) -> Result<(Sink, Vec<SinkFile>)> {
    let where_ = target.path();
    let objects = is_object_url(where_);
    if let Some(dir) = target.directory().filter(|_| !objects) {
        std::fs::create_dir_all(dir).map_err(|e| {
            copy_err(
                where_,
                format_args!("cannot create directory {}: {e}", dir.display()),
            )
        })?;
    }
    let sink = Sink::try_new(config)
        .map_err(|e| copy_err(where_, e))?
        .with_object_stores(stores);
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

/// After a COPY into a directory: removes the `part-<n>.<ext>` files there that this COPY did
/// not write — an earlier COPY with more partitions left them, and a reader of the directory
/// would count their rows with this COPY's. Other files stay.
fn remove_earlier_parts(
    target: &CopyTarget,
    written: &[PathBuf],
    stores: &ObjectStores,
) -> Result<()> {
    let CopyTarget::Directory { dir, extension } = target else {
        return Ok(());
    };
    if !is_object_url(dir) {
        crate::export::superseded::remove_numbered_files(dir, extension, written)
            .map_err(|e| copy_err(dir, format_args!("removing earlier part files: {e}")))?;
        return Ok(());
    }
    let prefix = dir.to_string_lossy().trim_end_matches('/').to_string();
    let listed = stores.list(&prefix).map_err(|e| copy_err(dir, e))?;
    for url in listed {
        let Some(name) = url.strip_prefix(&prefix).and_then(|r| r.strip_prefix('/')) else {
            continue;
        };
        let earlier = !name.contains('/')
            && crate::export::superseded::is_numbered_file(name, extension)
            && !written.iter().any(|w| w.as_os_str() == url.as_str());
        if earlier {
            stores.delete(&url).map_err(|e| copy_err(dir, e))?;
        }
    }
    Ok(())
}

/// Renames every file into place (completes every upload), then removes earlier part files
/// ([`remove_earlier_parts`]); on a failure removes the ones already published.
fn publish(
    target: &CopyTarget,
    sink: &Sink,
    files: Vec<SinkFile>,
    stores: &ObjectStores,
) -> Result<u64> {
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
                    let _ = match is_object_url(path) {
                        true => stores.delete(&path.to_string_lossy()).map_err(|_| ()),
                        false => std::fs::remove_file(path).map_err(|_| ()),
                    };
                }
                return Err(copy_err(target.path(), e));
            }
        }
    }
    remove_earlier_parts(target, &published, stores)?;
    Ok(bytes)
}

impl CopyJob {
    pub(super) async fn run(self) -> Result<RecordBatch> {
        let CopyJob {
            input,
            target,
            encoding,
            sink,
            context,
            stores,
            baseline,
            files: files_metric,
            bytes: bytes_metric,
        } = self;
        let partitions = input.output_partitioning().partition_count();
        let paths = target.paths(partitions);
        let buffer_size = sink.buffer_size;
        let stores = stores.unwrap_or_else(|| {
            ObjectStores::of_session(
                context.session_config(),
                &context.runtime_env(),
                &target.path().to_string_lossy(),
            )
        });
        let (sink, files) = {
            let to = target.clone();
            let stores = Arc::clone(&stores);
            tokio::task::spawn_blocking(move || open_files(&to, sink, &paths, stores))
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
            tokio::task::spawn_blocking(move || publish(&target, &sink, finished, &stores))
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
