//! The export pipeline: all requested tables at once, cut into chunks that a pool of workers
//! generates and encodes in parallel, committed in order per file to one shared sink.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::batches::TextOptions;
use super::format::Format;
use super::options::ExportOptions;
use super::parquet::{ParquetFile, ParquetOptions, encode_row_group, generator_rows_per_row_group};
use super::plan::{CHUNK_BYTES, FilePlan, chunk_ranges, plan_files};
use super::text::{append_table, write_table_header};
use crate::error::{Error, Result};
use crate::sink::{Backend, Sink, SinkConfig, SinkFile};
use crate::store::{ObjectStores, is_object_url};
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// Receives progress while an export runs (called from worker threads).
pub trait Progress: Send + Sync {
    /// `rows` more rows and `bytes` more bytes of `table` were written.
    fn advance(&self, table: Table, rows: u64, bytes: u64);
}

/// What one table's export produced.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSummary {
    /// The table.
    pub table: Table,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Rows written.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Seconds from the start of the export until the table's last file was published.
    pub seconds: f64,
}

/// What an export produced.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSummary {
    /// One entry per table, in the order requested.
    pub tables: Vec<TableSummary>,
    /// Temporary files of earlier runs that died (their process is gone) found in the output
    /// directories and removed before this export.
    pub stale_removed: Vec<PathBuf>,
    /// With `overwrite` (and not a parts run): files of the tables' earlier outputs in other
    /// layouts (`<table>/part-N.<ext>` after a run with more files per table, dbgen part files,
    /// …) that this export replaced and removed, so the directory holds this export only.
    pub superseded_removed: Vec<PathBuf>,
    /// The sink back end that wrote the files.
    pub backend: Backend,
    /// Wall-clock seconds of the whole export.
    pub seconds: f64,
}

/// Builds and runs an export: `Exporter::new(sf).format(Format::Tbl).output(dir).run()`, or
/// [`Exporter::with_options`] from an [`ExportOptions`] value (what the CLI, Python and the
/// distributed export use). The builder methods set the options; [`Exporter::run`] validates
/// them before anything is written.
#[derive(Clone)]
pub struct Exporter {
    options: ExportOptions,
    sink: SinkConfig,
    progress: Option<Arc<dyn Progress>>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Exporter {
    /// An export of all eight tables at `sf` as `.tbl` into the current directory.
    pub fn new(sf: ScaleFactor) -> Self {
        Self::with_options(ExportOptions::new(sf))
    }

    /// An export described by `options`.
    pub fn with_options(options: ExportOptions) -> Self {
        Exporter {
            options,
            sink: SinkConfig::default(),
            progress: None,
            cancel: None,
        }
    }

    /// What the export writes.
    pub fn options(&self) -> &ExportOptions {
        &self.options
    }

    /// The tables to write (duplicates dropped).
    pub fn tables(mut self, tables: impl IntoIterator<Item = Table>) -> Self {
        self.options.tables.clear();
        for table in tables {
            if !self.options.tables.contains(&table) {
                self.options.tables.push(table);
            }
        }
        self
    }

    /// The file format.
    pub fn format(mut self, format: Format) -> Self {
        self.options.format = format;
        self
    }

    /// The output directory (created if missing).
    pub fn output(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.output = dir.into();
        self
    }

    /// Worker threads generating and encoding (default: all cores; 0 is an error).
    pub fn threads(mut self, threads: usize) -> Self {
        self.options.threads = Some(threads);
        self
    }

    /// Only dbgen's chunk `part` of `parts` (`-C parts -S part`), written as `<table>.<ext>.<part>`.
    ///
    /// At scale factors ≥ 30000, where dbgen's data depends on its chunking, the data is that of
    /// `dbgen -C parts` too ([`ScaleFactor::with_wide_chunks`]).
    pub fn part(mut self, part: u64, parts: u64) -> Self {
        self.options.part = Some((part, parts));
        self
    }

    /// Splits each table into `files` files (`<table>/part-NNN.<ext>`; 0 is an error).
    pub fn files_per_table(mut self, files: u64) -> Self {
        self.options.files_per_table = files;
        self
    }

    /// Replaces existing files instead of refusing to start.
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.options.overwrite = overwrite;
        self
    }

    /// Sink settings (back end, buffers, sync mode).
    pub fn sink_config(mut self, config: SinkConfig) -> Self {
        self.sink = config;
        self
    }

    /// Parquet settings (compression, rows per row group); only for Parquet.
    pub fn parquet_options(mut self, options: ParquetOptions) -> Self {
        self.options.parquet = Some(options);
        self
    }

    /// Progress observer.
    pub fn progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// A flag that, once set, stops the export and removes its unfinished files.
    pub fn cancel_flag(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// The files this export will write (after checking the options); tables written by the
    /// ordered writer (a sort, partitions or sizes in their layout: [`Exporter::ordered_tables`])
    /// have files known only as they are written and are not listed.
    pub fn planned_files(&self) -> Result<Vec<FilePlan>> {
        let options = &self.options;
        options.validate()?;
        let sf = options.effective_scale_factor();
        let mut files = Vec::new();
        let ordered = self.ordered_tables();
        for &table in &options.tables {
            if ordered.contains(&table) {
                continue;
            }
            files.extend(plan_files(
                &sf,
                table,
                options.selection(),
                &options.output,
                options.format.extension(),
            )?);
        }
        Ok(files)
    }

    /// The tables whose layout needs the ordered writer (sort, partitions, file or row-group
    /// sizes), in the order requested.
    pub fn ordered_tables(&self) -> Vec<Table> {
        let options = &self.options;
        options
            .tables
            .iter()
            .copied()
            .filter(|&t| options.layout.for_table(t).needs_ordered_writer())
            .collect()
    }

    /// Writes the one table of the options as delimited text to `out` (`tpch gen --stdout`),
    /// in its layout's order; returns the rows written. Only text formats and layouts without
    /// partitions or file bounds (there is one stream) are accepted.
    pub fn write_text_to(&self, out: &mut dyn std::io::Write) -> Result<u64> {
        let options = &self.options;
        options.validate()?;
        let [table] = options.tables[..] else {
            return Err(Error::InvalidOption(
                "standard output takes exactly one table".into(),
            ));
        };
        if options.format == Format::Parquet {
            return Err(Error::InvalidOption(
                "standard output takes tbl or csv, not parquet".into(),
            ));
        }
        if options.part.is_some() || options.files_per_table > 1 {
            return Err(Error::InvalidOption(
                "standard output is one stream: no parts or files per table".into(),
            ));
        }
        let layout = options.layout.for_table(table);
        if layout.writes_directory() {
            return Err(Error::InvalidOption(format!(
                "layout of {table}: standard output is one stream: no partitions or file sizes"
            )));
        }
        let flag = self.cancel.as_deref();
        super::ordered::write_text(
            table,
            &options.effective_scale_factor(),
            options.format,
            &layout,
            options.thread_count(),
            out,
            flag,
        )
    }

    /// Runs the export.
    pub fn run(&self) -> Result<ExportSummary> {
        let encoding = match self.options.format {
            Format::Tbl => Encoding::Delimited(TextOptions::tbl()),
            Format::Csv => Encoding::Delimited(TextOptions::csv()),
            Format::Parquet => Encoding::Parquet(self.options.parquet_options()),
        };
        let files = self.planned_files()?;
        let threads = self.options.thread_count();
        let sink_config = self
            .sink
            .clone()
            .for_producers(threads)
            .replace(self.options.overwrite);
        let mut sink = Sink::try_new(sink_config)?;
        let stale_removed = if is_object_url(&self.options.output) {
            let stores = Arc::new(ObjectStores::new(self.options.storage_options.clone()));
            sink = sink.with_object_stores(Arc::clone(&stores));
            self.check_objects(&stores, &files)?;
            stores.abort_stale_uploads(&self.output_url())?
        } else {
            self.prepare_directories(&files)?;
            remove_stale(&files)?
        };
        let ordered = self.ordered_tables();
        let mut stale_removed = stale_removed;
        if !is_object_url(&self.options.output) {
            stale_removed.extend(self.remove_stale_ordered(&ordered)?);
            self.check_ordered_outputs(&ordered)?;
        }
        let run = Run::new(self, &sink, files, encoding)?;
        let started = Instant::now();
        // Every table has a comment column: build the text pool now, with the export's threads.
        tpch_dbgen::text::text_pool_with_threads(threads);
        std::thread::scope(|scope| {
            for i in 0..threads {
                let spawned = std::thread::Builder::new()
                    .name(format!("tpch-export-{i}"))
                    .spawn_scoped(scope, || run.work());
                // A thread that cannot start (no memory for its stack) fails the export; the
                // threads already running stop at their next chunk.
                if let Err(e) = spawned {
                    run.fail(Error::Internal(format!(
                        "cannot start export thread {i}: {e}"
                    )));
                    break;
                }
            }
        });
        let mut summary = run.into_summary(self, sink.backend(), started, stale_removed)?;
        for table in ordered {
            let job = super::ordered::OrderedTable {
                table,
                layout: self.options.layout.for_table(table),
                format: self.options.format,
                parquet: self.options.parquet_options(),
                output: &self.options.output,
                sf: self.options.effective_scale_factor(),
                threads,
            };
            let written = super::ordered::write_ordered(
                &job,
                &sink,
                self.progress.as_deref(),
                self.cancel.as_deref(),
            )?;
            if let Some(entry) = summary.tables.iter_mut().find(|t| t.table == table) {
                entry.files = written.files;
                entry.rows = written.rows;
                entry.bytes = written.bytes;
                entry.seconds = started.elapsed().as_secs_f64();
            }
        }
        summary.seconds = started.elapsed().as_secs_f64();
        summary.superseded_removed = self.remove_superseded(&summary)?;
        Ok(summary)
    }

    /// Removes temporary files of dead processes from the directories the ordered tables write
    /// to: the output, `<table>/` and its partition directories.
    fn remove_stale_ordered(&self, tables: &[Table]) -> Result<Vec<PathBuf>> {
        let mut dirs = Vec::new();
        if !tables.is_empty() {
            dirs.push(self.options.output.clone());
        }
        for table in tables {
            let dir = self.options.output.join(table.name());
            if let Ok(entries) = std::fs::read_dir(&dir) {
                dirs.extend(
                    entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_dir()),
                );
                dirs.push(dir);
            }
        }
        let mut removed = Vec::new();
        for dir in dirs {
            if !dir.is_dir() {
                continue;
            }
            removed.extend(
                crate::sink::remove_stale_temp_files(&dir).map_err(|source| Error::Io {
                    path: dir.clone(),
                    source,
                })?,
            );
        }
        Ok(removed)
    }

    /// Refuses to start when an ordered table's output exists (`<table>.<ext>`, or files in
    /// `<table>/`), unless overwriting.
    fn check_ordered_outputs(&self, tables: &[Table]) -> Result<()> {
        if self.options.overwrite {
            return Ok(());
        }
        let ext = self.options.format.extension();
        for table in tables {
            let single = self.options.output.join(format!("{table}.{ext}"));
            let dir = self.options.output.join(table.name());
            let dir_used = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
            for (exists, path) in [(single.exists(), &single), (dir_used, &dir)] {
                if exists {
                    return Err(Error::InvalidOption(format!(
                        "{} exists; pass --overwrite to replace it",
                        path.display()
                    )));
                }
            }
        }
        Ok(())
    }

    /// After an overwrite, the tables' earlier files in other layouts (local outputs; a parts
    /// run keeps them: the other parts are other runs' output).
    fn remove_superseded(&self, summary: &ExportSummary) -> Result<Vec<PathBuf>> {
        let options = &self.options;
        if !options.overwrite || options.part.is_some() || is_object_url(&options.output) {
            return Ok(Vec::new());
        }
        let mut removed = Vec::new();
        for table in &summary.tables {
            let found = super::superseded::remove_superseded(
                &options.output,
                table.table.name(),
                options.format.extension(),
                &table.files,
            )
            .map_err(|source| Error::Io {
                path: options.output.clone(),
                source,
            })?;
            removed.extend(found);
        }
        Ok(removed)
    }

    /// The output URL, as text.
    fn output_url(&self) -> String {
        self.options.output.to_string_lossy().into_owned()
    }

    /// Whether `file` is rewritten identically by every step of a parts run (nation, region).
    fn rewritable(&self, file: &FilePlan) -> bool {
        self.options.part.is_some() && file.table.is_fixed()
    }

    /// Refuses objects that exist (unless overwriting), with one listing of the output prefix,
    /// before anything is uploaded.
    fn check_objects(&self, stores: &ObjectStores, files: &[FilePlan]) -> Result<()> {
        if self.options.overwrite {
            return Ok(());
        }
        let planned = files
            .iter()
            .filter(|f| !self.rewritable(f))
            .map(|f| f.path.to_string_lossy());
        Ok(stores.refuse_existing(&self.output_url(), planned)?)
    }

    fn prepare_directories(&self, files: &[FilePlan]) -> Result<()> {
        for file in files {
            let dir = file.path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            // In a parts run every step rewrites nation and region identically (as dbgen does).
            if !self.options.overwrite && !self.rewritable(file) && file.path.exists() {
                return Err(Error::InvalidOption(format!(
                    "{} exists; pass --overwrite to replace it",
                    file.path.display()
                )));
            }
        }
        Ok(())
    }
}

/// Removes stale temporary files (of dead processes) from every directory `files` go to.
fn remove_stale(files: &[FilePlan]) -> Result<Vec<PathBuf>> {
    let dirs: std::collections::BTreeSet<&Path> = files
        .iter()
        .map(|f| f.path.parent().unwrap_or(Path::new(".")))
        .collect();
    let mut removed = Vec::new();
    for dir in dirs {
        removed.extend(
            crate::sink::remove_stale_temp_files(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?,
        );
    }
    Ok(removed)
}

/// One chunk of work: chunk `chunk` of file `file`.
struct Item {
    file: usize,
    chunk: usize,
    rows: RowRange,
}

/// How chunks are encoded.
enum Encoding {
    Delimited(TextOptions),
    Parquet(ParquetOptions),
}

/// An encoded chunk waiting for its turn.
enum Payload {
    Bytes(Vec<u8>),
    RowGroup(Vec<parquet::arrow::arrow_writer::ArrowColumnChunk>),
}

/// The writer behind one output file.
enum Output {
    Delimited(SinkFile),
    Parquet(ParquetFile),
}

impl Output {
    fn bytes_written(&self) -> u64 {
        match self {
            Output::Delimited(f) => f.bytes_written(),
            Output::Parquet(p) => p.bytes_written(),
        }
    }

    fn append(&mut self, payload: Payload, path: &Path) -> Result<()> {
        match (self, payload) {
            (Output::Delimited(f), Payload::Bytes(bytes)) => Ok(f.write_all(&bytes)?),
            (Output::Parquet(p), Payload::RowGroup(chunks)) => p.append(chunks, path),
            #[allow(unreachable_patterns)]
            _ => Err(Error::InvalidOption(format!(
                "{}: chunk encoded for another format",
                path.display()
            ))),
        }
    }

    // Without the `parquet` feature the match has a single arm.
    #[allow(clippy::infallible_destructuring_match)]
    fn finish(self, path: &Path) -> Result<u64> {
        let file = match self {
            Output::Delimited(f) => f,
            Output::Parquet(p) => p.finish(path)?,
        };
        let _ = path;
        Ok(file.finish()?.bytes)
    }
}

/// An output file being assembled: chunks may finish out of order and wait here.
struct OpenFile {
    plan: FilePlan,
    /// The file's text options (the export's, with the table's delimiter).
    text: TextOptions,
    table_index: usize,
    chunks: usize,
    factory: Option<Arc<parquet::arrow::arrow_writer::ArrowRowGroupWriterFactory>>,
    state: Mutex<FileState>,
}

struct FileState {
    next: usize,
    pending: BTreeMap<usize, (Payload, u64)>,
    output: Option<Output>,
    finished_at: Option<f64>,
    bytes: u64,
}

struct Run<'a> {
    sf: ScaleFactor,
    encoding: Encoding,
    files: Vec<OpenFile>,
    items: Vec<Item>,
    next_item: AtomicUsize,
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
    rows: Vec<AtomicU64>,
    bytes: Vec<AtomicU64>,
    progress: Option<&'a dyn Progress>,
    cancel: Option<&'a AtomicBool>,
    started: Instant,
}

impl<'a> Run<'a> {
    fn new(
        exporter: &'a Exporter,
        sink: &Sink,
        plans: Vec<FilePlan>,
        encoding: Encoding,
    ) -> Result<Self> {
        let mut files = Vec::with_capacity(plans.len());
        let mut per_file_chunks = Vec::with_capacity(plans.len());
        for plan in plans {
            let handle = match exporter.rewritable(&plan) {
                true => sink.create_replacing(&plan.path)?,
                false => sink.create(&plan.path)?,
            };
            let layout = exporter.options.layout.for_table(plan.table);
            let mut text = match &encoding {
                Encoding::Delimited(base) => base.clone(),
                Encoding::Parquet(_) => TextOptions::tbl(),
            };
            if let Some(delimiter) = layout.delimiter {
                text.dialect.delimiter = delimiter as u8;
            }
            let (chunks, output) = match &encoding {
                Encoding::Delimited(_) => (
                    chunk_ranges(plan.table, plan.rows, CHUNK_BYTES),
                    Output::Delimited(handle),
                ),
                Encoding::Parquet(options) => {
                    let per_group =
                        generator_rows_per_row_group(plan.table, options.row_group_rows);
                    let per_group_bytes =
                        per_group * super::plan::bytes_per_generator_row(plan.table);
                    (
                        chunk_ranges(plan.table, plan.rows, per_group_bytes),
                        Output::Parquet(ParquetFile::try_new(
                            handle, plan.table, options, &layout, &plan.path,
                        )?),
                    )
                }
            };
            let factory = match &output {
                Output::Parquet(p) => Some(p.factory()),
                Output::Delimited(_) => None,
            };
            let table_index = exporter
                .options
                .tables
                .iter()
                .position(|&t| t == plan.table)
                .unwrap_or(0);
            files.push(OpenFile {
                plan,
                text,
                table_index,
                chunks: chunks.len(),
                factory,
                state: Mutex::new(FileState {
                    next: 0,
                    pending: BTreeMap::new(),
                    output: Some(output),
                    finished_at: None,
                    bytes: 0,
                }),
            });
            per_file_chunks.push(chunks);
        }
        // Interleave files so every table makes progress at once.
        let mut items = Vec::new();
        let rounds = per_file_chunks.iter().map(Vec::len).max().unwrap_or(0);
        for round in 0..rounds {
            for (file, chunks) in per_file_chunks.iter().enumerate() {
                if let Some(&rows) = chunks.get(round) {
                    items.push(Item {
                        file,
                        chunk: round,
                        rows,
                    });
                }
            }
        }
        let n = exporter.options.tables.len();
        Ok(Run {
            sf: exporter.options.effective_scale_factor(),
            encoding,
            files,
            items,
            next_item: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
            rows: (0..n).map(|_| AtomicU64::new(0)).collect(),
            bytes: (0..n).map(|_| AtomicU64::new(0)).collect(),
            progress: exporter.progress.as_deref(),
            cancel: exporter.cancel.as_deref(),
            started: Instant::now(),
        })
    }

    fn stopped(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
            || self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn fail(&self, error: Error) {
        self.failed.store(true, Ordering::Relaxed);
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(error);
        }
    }

    fn work(&self) {
        while !self.stopped() {
            let index = self.next_item.fetch_add(1, Ordering::Relaxed);
            let Some(item) = self.items.get(index) else {
                return;
            };
            if let Err(e) = self.do_item(item) {
                self.fail(e);
            }
        }
    }

    fn do_item(&self, item: &Item) -> Result<()> {
        let file = &self.files[item.file];
        let table = file.plan.table;
        let (payload, rows) = match &self.encoding {
            Encoding::Delimited(_) => {
                let text = &file.text;
                let mut buf = Vec::with_capacity(CHUNK_BYTES as usize + (64 << 10));
                if item.chunk == 0 {
                    write_table_header(table, text, &mut buf);
                }
                let rows =
                    append_table(&self.sf, table, item.rows, text, &mut buf).map_err(|source| {
                        Error::Io {
                            path: file.plan.path.clone(),
                            source,
                        }
                    })?;
                (Payload::Bytes(buf), rows)
            }
            Encoding::Parquet(_) => {
                let factory = file.factory.as_ref().ok_or_else(|| {
                    Error::InvalidOption(format!(
                        "{} is not a parquet file",
                        file.plan.path.display()
                    ))
                })?;
                let (chunks, rows) = encode_row_group(
                    factory,
                    item.chunk,
                    &self.sf,
                    table,
                    item.rows,
                    &file.plan.path,
                )?;
                (Payload::RowGroup(chunks), rows)
            }
        };
        self.commit(item, payload, rows)
    }

    /// Hands a finished chunk to its file; writes every chunk that is now next in order.
    fn commit(&self, item: &Item, payload: Payload, rows: u64) -> Result<()> {
        let file = &self.files[item.file];
        let mut state = file
            .state
            .lock()
            .map_err(|_| Error::Internal("export worker panicked".into()))?;
        state.pending.insert(item.chunk, (payload, rows));
        let table_index = file.table_index;
        loop {
            let next = state.next;
            let Some((payload, rows)) = state.pending.remove(&next) else {
                break;
            };
            let output = state.output.as_mut().ok_or_else(|| {
                Error::InvalidOption(format!("{} was closed early", file.plan.path.display()))
            })?;
            let before = output.bytes_written();
            output.append(payload, &file.plan.path)?;
            let written = output.bytes_written().saturating_sub(before);
            state.next += 1;
            self.rows[table_index].fetch_add(rows, Ordering::Relaxed);
            if let Some(p) = self.progress {
                p.advance(file.plan.table, rows, written);
            }
        }
        if state.next == file.chunks
            && let Some(output) = state.output.take()
        {
            let bytes = output.finish(&file.plan.path)?;
            state.bytes = bytes;
            self.bytes[table_index].fetch_add(bytes, Ordering::Relaxed);
            state.finished_at = Some(self.started.elapsed().as_secs_f64());
        }
        Ok(())
    }

    fn into_summary(
        self,
        exporter: &Exporter,
        backend: Backend,
        started: Instant,
        stale_removed: Vec<PathBuf>,
    ) -> Result<ExportSummary> {
        if let Some(error) = self.error.lock().ok().and_then(|mut e| e.take()) {
            return Err(error);
        }
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            let finished = self
                .files
                .iter()
                .filter(|f| f.state.lock().is_ok_and(|s| s.finished_at.is_some()))
                .map(|f| f.plan.path.clone())
                .collect();
            return Err(Error::Cancelled { finished });
        }
        let mut tables = Vec::new();
        for (index, &table) in exporter.options.tables.iter().enumerate() {
            let mine: Vec<&OpenFile> = self
                .files
                .iter()
                .filter(|f| f.plan.table == table)
                .collect();
            let seconds = mine
                .iter()
                .filter_map(|f| f.state.lock().ok().and_then(|s| s.finished_at))
                .fold(0.0, f64::max);
            tables.push(TableSummary {
                table,
                files: mine.iter().map(|f| f.plan.path.clone()).collect(),
                rows: self.rows[index].load(Ordering::Relaxed),
                bytes: self.bytes[index].load(Ordering::Relaxed),
                seconds,
            });
        }
        Ok(ExportSummary {
            tables,
            stale_removed,
            superseded_removed: Vec::new(),
            backend,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}
