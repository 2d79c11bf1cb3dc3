//! The ordered writer: one table's rows as one ordered stream, cut into files by hive
//! partition, row and byte bounds — what a [`TableLayout`] with a sort, partitions or sizes
//! asks for.
//!
//! **Order.** Without a sort or partitions the rows are the table's generated batches in dbgen's
//! key order (nothing is sorted). Otherwise DataFusion sorts them: a session over the
//! generating [`TpchTableProvider`] with `ORDER BY <partition key>, <sort>, <dbgen key>` (the
//! key breaks ties, so every run writes the same files) on a [`FairSpillPool`] of
//! [`SORT_MEMORY`] bytes. DataFusion's external sort sorts each scan partition in memory up
//! to its share of the pool, spills sorted runs to the disk manager's temporary files (the OS
//! temporary directory) and merges them, so memory stays bounded at any scale factor while
//! the sort runs on every thread. It is used rather than sorted runs of the crate's own
//! because the sort, spill files, merge and memory accounting already exist there, tested,
//! and the scan partitions generate in parallel into it.
//!
//! **Files.** The stream is sorted by the partition key first, so each partition's rows are
//! contiguous: the writer has one file open at a time, in `<table>/<key>=<value>/` (or
//! `<table>/` without partitions), and starts `part-NNNNN` (numbered from 0 in each
//! directory) when a partition begins or the current file reaches its row or byte bound. A
//! table with neither partitions nor bounds is one file, `<table>.<ext>`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use arrow::array::{Array, ArrayRef, AsArray, Int32Array, RecordBatch};
use arrow::compute::kernels::partition::partition;
use arrow::datatypes::{DataType, Date32Type, Schema, SchemaRef};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{Expr, SessionConfig, SessionContext, col, lit};
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use super::batches::{TextOptions, encode_batch, write_header};
use super::delimited::Dialect;
use super::exporter::Progress;
use super::format::Format;
use super::layout::{KeyTransform, PartitionKey, TableLayout, key_order};
use super::parquet::{ParquetOptions, table_properties};
use crate::arrow::{DEFAULT_BATCH_SIZE, TableBatches, table_schema};
use crate::error::{Error, Result};
use crate::provider::TpchTableProvider;
use crate::sink::{Sink, SinkFile};
use crate::store::is_object_url;
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// Memory DataFusion's sort may hold before it spills (all its partitions together).
pub const SORT_MEMORY: usize = 512 << 20;

/// Rows written at a time when a file has a byte bound (a file passes its bound by at most
/// this many rows).
const SLICE_ROWS: usize = 1024;

/// Text is handed to the sink in pieces of about this size.
const TEXT_FLUSH: usize = 1 << 20;

/// One table to write in order.
pub(crate) struct OrderedTable<'a> {
    pub table: Table,
    pub layout: TableLayout,
    pub format: Format,
    pub parquet: ParquetOptions,
    pub output: &'a Path,
    pub sf: ScaleFactor,
    pub threads: usize,
}

/// What the ordered writer wrote.
pub(crate) struct Written {
    pub files: Vec<PathBuf>,
    pub rows: u64,
    pub bytes: u64,
}

/// The rows of a table in the layout's order, batch by batch.
pub(crate) enum OrderedBatches {
    /// Generated in key order.
    Generated(TableBatches, PathBuf),
    /// Sorted by DataFusion on a thread of its own (its own tokio runtime, so callers may be
    /// inside another runtime or none), handed over through a small channel.
    Sorted(SortThread),
}

/// The thread driving DataFusion's sorted stream.
pub(crate) struct SortThread {
    batches: Option<mpsc::Receiver<Result<RecordBatch>>>,
    stop: Arc<tokio::sync::Notify>,
    /// Set when the stream ended (not when the thread died early).
    complete: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for SortThread {
    fn drop(&mut self) {
        // Stop the sort wherever it is: waiting for the stream (notified) or for the reader
        // (the channel closes); dropping the stream cancels DataFusion's tasks.
        self.stop.notify_one();
        self.batches.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl OrderedBatches {
    /// The rows of `table` at `sf` in `layout`'s order (partition key, sort, dbgen key);
    /// errors name `label` (the table's output).
    pub(crate) fn try_new(
        table: Table,
        sf: &ScaleFactor,
        layout: &TableLayout,
        threads: usize,
        label: &Path,
    ) -> Result<Self> {
        let label = label.to_path_buf();
        if layout.sort.is_empty() && layout.partition_by.is_none() {
            let range = RowRange::new(0, sf.generator_rows(table));
            let batches = TableBatches::try_new(table, sf, range, None, DEFAULT_BATCH_SIZE)?;
            return Ok(OrderedBatches::Generated(batches, label));
        }
        let mut order = Vec::new();
        if let Some(key) = &layout.partition_by {
            order.push(partition_expr(key).sort(true, false));
        }
        for s in &layout.sort {
            order.push(col(s.column.as_str()).sort(!s.descending, false));
        }
        for key in key_order(table) {
            if !layout.sort.iter().any(|s| s.column == *key) {
                order.push(col(*key).sort(true, false));
            }
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("tpch-sort")
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the sort's threads: {e}")))?;
        let provider = Arc::new(TpchTableProvider::with_scale_factor(table, *sf));
        let (sender, receiver) = mpsc::sync_channel(2);
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopped = Arc::clone(&stop);
        let complete = Arc::new(AtomicBool::new(false));
        let completed = Arc::clone(&complete);
        let thread = std::thread::Builder::new()
            .name("tpch-sort-merge".into())
            .spawn(move || {
                let send_error = |e: datafusion::error::DataFusionError| {
                    let _ = sender.send(Err(Error::encode(&label, e)));
                };
                runtime.block_on(async {
                    let env = match RuntimeEnvBuilder::new()
                        .with_memory_pool(Arc::new(FairSpillPool::new(SORT_MEMORY)))
                        .build_arc()
                    {
                        Ok(env) => env,
                        Err(e) => return send_error(e),
                    };
                    let config = SessionConfig::new()
                        .with_target_partitions(threads.max(1))
                        .with_batch_size(DEFAULT_BATCH_SIZE);
                    let ctx = SessionContext::new_with_config_rt(config, env);
                    let frame = match ctx.read_table(provider).and_then(|f| f.sort(order)) {
                        Ok(frame) => frame,
                        Err(e) => return send_error(e),
                    };
                    let mut stream = match frame.execute_stream().await {
                        Ok(stream) => stream,
                        Err(e) => return send_error(e),
                    };
                    loop {
                        let next = tokio::select! {
                            _ = stopped.notified() => return,
                            next = stream.next() => next,
                        };
                        let item = match next {
                            None => return completed.store(true, Ordering::Release),
                            Some(Ok(batch)) => Ok(batch),
                            Some(Err(e)) => Err(Error::encode(&label, e)),
                        };
                        let failed = item.is_err();
                        if sender.send(item).is_err() || failed {
                            return;
                        }
                    }
                });
            })
            .map_err(|e| Error::Internal(format!("cannot start the sort's thread: {e}")))?;
        Ok(OrderedBatches::Sorted(SortThread {
            batches: Some(receiver),
            stop,
            complete,
            thread: Some(thread),
        }))
    }

    /// The next batch.
    pub(crate) fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        match self {
            OrderedBatches::Generated(batches, label) => batches
                .next()
                .map(|b| b.map_err(|e| Error::encode(label, e))),
            OrderedBatches::Sorted(sort) => match sort.batches.as_ref()?.recv() {
                Ok(item) => Some(item),
                Err(_) if sort.complete.load(Ordering::Acquire) => None,
                Err(_) => Some(Err(Error::Internal(
                    "the sort stopped before its last row".into(),
                ))),
            },
        }
    }
}

/// The expression DataFusion sorts by so that each partition's rows are contiguous: the
/// column, its year, or year · 100 + month.
fn partition_expr(key: &PartitionKey) -> Expr {
    use datafusion::functions::expr_fn::date_part;
    let column = col(key.column.as_str());
    match key.transform {
        KeyTransform::Identity => column,
        KeyTransform::Year => date_part(lit("year"), column),
        KeyTransform::Month => {
            date_part(lit("year"), column.clone()) * lit(100) + date_part(lit("month"), column)
        }
    }
}

/// Days since 1970-01-01 as (year, month) (proleptic Gregorian).
fn year_month(days: i32) -> (i64, u32) {
    // Howard Hinnant's civil_from_days.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// The partition key of every row of `column`, as an array equal rows of one partition share.
fn key_array(key: &PartitionKey, column: &ArrayRef) -> Result<ArrayRef> {
    if key.transform == KeyTransform::Identity {
        return Ok(Arc::clone(column));
    }
    let dates = column
        .as_primitive_opt::<Date32Type>()
        .ok_or_else(|| Error::Internal(format!("partition column {} is no date", key.column)))?;
    let keys: Int32Array = dates.unary(|d| {
        let (year, month) = year_month(d);
        match key.transform {
            KeyTransform::Year => year as i32,
            _ => (year * 100) as i32 + month as i32,
        }
    });
    Ok(Arc::new(keys))
}

/// The directory name of the partition `column[row]` belongs to: `name=value`.
fn partition_dir(key: &PartitionKey, column: &ArrayRef, row: usize) -> Result<String> {
    let value = match (key.transform, column.data_type()) {
        (KeyTransform::Identity, _) => {
            let formatter = ArrayFormatter::try_new(column.as_ref(), &FormatOptions::default())
                .map_err(|e| Error::Internal(e.to_string()))?;
            formatter.value(row).to_string()
        }
        (transform, DataType::Date32) => {
            let (year, month) = year_month(column.as_primitive::<Date32Type>().value(row));
            match transform {
                KeyTransform::Year => format!("{year}"),
                _ => format!("{year}-{month:02}"),
            }
        }
        _ => return Err(Error::Internal("partition key of a non-date".into())),
    };
    Ok(format!("{}={}", key.name(), escape(&value)))
}

/// Percent-encodes what is not `[A-Za-z0-9._-]` (DataFusion decodes it when it reads).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How the files are encoded.
enum Encoder {
    Parquet(WriterProperties),
    Text(TextOptions),
}

/// The file being written.
// One per table, open one at a time: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Current {
    Parquet(ArrowWriter<SinkFile>),
    Text { file: SinkFile, buf: Vec<u8> },
}

struct OpenFile {
    path: PathBuf,
    rows: u64,
    output: Current,
}

impl OpenFile {
    fn bytes(&self) -> u64 {
        match &self.output {
            Current::Parquet(w) => (w.bytes_written() + w.in_progress_size()) as u64,
            Current::Text { file, buf } => file.bytes_written() + buf.len() as u64,
        }
    }
}

/// Rolls files of one table: one open at a time.
struct Files<'a> {
    job: &'a OrderedTable<'a>,
    sink: &'a Sink,
    schema: SchemaRef,
    encoder: Encoder,
    /// The directory new files go to (`None`: the single file `<table>.<ext>`).
    dir: Option<PathBuf>,
    index: u32,
    current: Option<OpenFile>,
    finished: Vec<PathBuf>,
    bytes: u64,
}

impl<'a> Files<'a> {
    fn open(&mut self) -> Result<&mut OpenFile> {
        let ext = self.job.format.extension();
        let path = match &self.dir {
            Some(dir) => dir.join(format!("part-{:05}.{ext}", self.index)),
            None => self.job.output.join(format!("{}.{ext}", self.job.table)),
        };
        self.index += 1;
        if let Some(dir) = path.parent()
            && !is_object_url(self.job.output)
        {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let file = self.sink.create(&path)?;
        let output = match &self.encoder {
            Encoder::Parquet(props) => Current::Parquet(
                ArrowWriter::try_new(file, Arc::clone(&self.schema), Some(props.clone()))
                    .map_err(|e| Error::encode(&path, e))?,
            ),
            Encoder::Text(options) => {
                let mut buf = Vec::with_capacity(TEXT_FLUSH + (64 << 10));
                write_header(&self.schema, options, &mut buf);
                Current::Text { file, buf }
            }
        };
        Ok(self.current.insert(OpenFile {
            path,
            rows: 0,
            output,
        }))
    }

    fn close(&mut self) -> Result<()> {
        let Some(open) = self.current.take() else {
            return Ok(());
        };
        let file = match open.output {
            Current::Parquet(w) => w.into_inner().map_err(|e| Error::encode(&open.path, e))?,
            Current::Text { mut file, buf } => {
                file.write_all(&buf)?;
                file
            }
        };
        self.bytes += file.finish()?.bytes;
        self.finished.push(open.path);
        Ok(())
    }

    /// Starts a new directory of files (a partition).
    fn enter(&mut self, dir: PathBuf) -> Result<()> {
        self.close()?;
        self.dir = Some(dir);
        self.index = 0;
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let layout = &self.job.layout;
        let max_rows = layout.max_file_rows.unwrap_or(u64::MAX);
        let max_bytes = layout.max_file_bytes.map(|b| b.0);
        let mut offset = 0;
        while offset < batch.num_rows() {
            if self.current.is_none() {
                self.open()?;
            }
            let encoder = &self.encoder;
            let open = self.current.as_mut().expect("opened above");
            let room = (max_rows - open.rows).min(usize::MAX as u64) as usize;
            let mut take = (batch.num_rows() - offset).min(room);
            if max_bytes.is_some() {
                take = take.min(SLICE_ROWS);
            }
            let slice = batch.slice(offset, take);
            match (&mut open.output, encoder) {
                (Current::Parquet(w), _) => {
                    w.write(&slice).map_err(|e| Error::encode(&open.path, e))?
                }
                (Current::Text { file, buf }, Encoder::Text(options)) => {
                    encode_batch(&slice, options, buf).map_err(|e| Error::encode(&open.path, e))?;
                    if buf.len() >= TEXT_FLUSH {
                        file.write_all(buf)?;
                        buf.clear();
                    }
                }
                _ => return Err(Error::Internal("text file without text options".into())),
            }
            open.rows += take as u64;
            offset += take;
            if open.rows >= max_rows || max_bytes.is_some_and(|max| open.bytes() >= max) {
                self.close()?;
            }
        }
        Ok(())
    }
}

/// The text options of a table's delimited files.
pub(crate) fn text_options(format: Format, layout: &TableLayout) -> TextOptions {
    match format {
        Format::Csv => {
            let mut options = TextOptions::csv();
            if let Some(d) = layout.delimiter {
                options.dialect = Dialect {
                    delimiter: d as u8,
                    ..Dialect::CSV
                };
            }
            options
        }
        _ => TextOptions::tbl(),
    }
}

/// Writes one table in its layout's order and files.
pub(crate) fn write_ordered(
    job: &OrderedTable<'_>,
    sink: &Sink,
    progress: Option<&dyn Progress>,
    cancel: Option<&AtomicBool>,
) -> Result<Written> {
    let layout = &job.layout;
    let full = table_schema(job.table);
    let key = layout.partition_by.clone();
    let dropped = match (&key, layout.drops_partition_column()) {
        (Some(key), true) => full.index_of(&key.column).ok(),
        _ => None,
    };
    let schema: SchemaRef = match dropped {
        Some(i) => {
            let mut fields = full.fields().to_vec();
            fields.remove(i);
            Arc::new(Schema::new(fields))
        }
        None => Arc::clone(&full),
    };
    let encoder = match job.format {
        Format::Parquet => Encoder::Parquet(table_properties(
            job.table,
            &job.parquet,
            layout,
            &schema,
            true,
        )),
        format => Encoder::Text(text_options(format, layout)),
    };
    let table_dir = job.output.join(job.table.name());
    let mut files = Files {
        job,
        sink,
        schema,
        encoder,
        dir: layout.writes_directory().then(|| table_dir.clone()),
        index: 0,
        current: None,
        finished: Vec::new(),
        bytes: 0,
    };
    let mut batches = OrderedBatches::try_new(job.table, &job.sf, layout, job.threads, &table_dir)?;
    let key_column = key.as_ref().and_then(|k| full.index_of(&k.column).ok());
    let mut current_dir: Option<String> = None;
    let mut visited = std::collections::HashSet::new();
    let mut partitions = 0u64;
    let mut rows = 0u64;
    while let Some(batch) = batches.next_batch() {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled {
                finished: files.finished,
            });
        }
        let batch = batch?;
        let before = files.bytes + files.current.as_ref().map_or(0, OpenFile::bytes);
        let project = |b: RecordBatch| -> Result<RecordBatch> {
            match dropped {
                Some(i) => {
                    let keep: Vec<usize> = (0..b.num_columns()).filter(|&c| c != i).collect();
                    b.project(&keep).map_err(|e| Error::encode(&table_dir, e))
                }
                None => Ok(b),
            }
        };
        match (&key, key_column) {
            (Some(key), Some(index)) => {
                let column = batch.column(index);
                let keys = key_array(key, column)?;
                let ranges = partition(&[keys])
                    .map_err(|e| Error::encode(&table_dir, e))?
                    .ranges();
                for range in ranges {
                    let dir = partition_dir(key, column, range.start)?;
                    if current_dir.as_deref() != Some(dir.as_str()) {
                        // The stream is sorted by the key: a partition never comes back.
                        if !visited.insert(dir.clone()) {
                            return Err(Error::Internal(format!(
                                "{}: partition {dir} came back after another",
                                job.table
                            )));
                        }
                        partitions += 1;
                        if partitions > super::layout::MAX_PARTITIONS {
                            return Err(Error::InvalidOption(format!(
                                "layout of {}: partition key {key} has more than {} values",
                                job.table,
                                super::layout::MAX_PARTITIONS
                            )));
                        }
                        files.enter(table_dir.join(&dir))?;
                        current_dir = Some(dir);
                    }
                    let part = batch.slice(range.start, range.end - range.start);
                    files.write(&project(part)?)?;
                }
            }
            _ => files.write(&project(batch.clone())?)?,
        }
        rows += batch.num_rows() as u64;
        if let Some(p) = progress {
            let after = files.bytes + files.current.as_ref().map_or(0, OpenFile::bytes);
            p.advance(
                job.table,
                batch.num_rows() as u64,
                after.saturating_sub(before),
            );
        }
    }
    if files.finished.is_empty() && files.current.is_none() {
        // An empty table is still one (empty) file.
        files.open()?;
    }
    files.close()?;
    Ok(Written {
        files: files.finished,
        rows,
        bytes: files.bytes,
    })
}

/// Writes the rows of `table` in `layout`'s order as delimited text to `out` (one stream, no
/// files); returns the number of rows.
pub(crate) fn write_text(
    table: Table,
    sf: &ScaleFactor,
    format: Format,
    layout: &TableLayout,
    threads: usize,
    out: &mut dyn Write,
    cancel: Option<&AtomicBool>,
) -> Result<u64> {
    let options = text_options(format, layout);
    let schema = table_schema(table);
    let mut buf = Vec::with_capacity(TEXT_FLUSH + (64 << 10));
    write_header(&schema, &options, &mut buf);
    let mut rows = 0;
    let mut batches = OrderedBatches::try_new(table, sf, layout, threads, Path::new("<stdout>"))?;
    let stdout_error = |source| Error::Io {
        path: PathBuf::from("<stdout>"),
        source,
    };
    while let Some(batch) = batches.next_batch() {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled {
                finished: Vec::new(),
            });
        }
        let batch = batch?;
        encode_batch(&batch, &options, &mut buf)
            .map_err(|e| Error::encode(Path::new("<stdout>"), e))?;
        rows += batch.num_rows() as u64;
        if buf.len() >= TEXT_FLUSH {
            out.write_all(&buf).map_err(stdout_error)?;
            buf.clear();
        }
    }
    out.write_all(&buf).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_years_and_months() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(9568), (1996, 3)); // 1996-03-13
        assert_eq!(year_month(8034), (1991, 12)); // 1991-12-31
        assert_eq!(year_month(8035), (1992, 1)); // 1992-01-01
        assert_eq!(year_month(-1), (1969, 12));
    }

    #[test]
    fn partition_values_are_percent_encoded() {
        assert_eq!(escape("REG AIR"), "REG%20AIR");
        assert_eq!(escape("1-URGENT"), "1-URGENT");
        assert_eq!(escape("a/b=c"), "a%2Fb%3Dc");
    }
}
