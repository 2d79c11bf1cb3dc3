//! `tpch gen`: files through the export pipeline.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use datafusion::parquet::basic::Compression;
use datafusion_dbgen::export::layout::{ByteSize, ColumnEncoding, Layout, SortColumn};
use datafusion_dbgen::export::parquet::{ParquetOptions, parse_compression};
use datafusion_dbgen::export::{
    ExportOptions, ExportSummary, Exporter, Format, Progress, write_refresh_sets,
};
use datafusion_dbgen::sink::{BackendChoice, SinkConfig};
use datafusion_dbgen::{Error, ScaleFactor, Table};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::interrupt::Interrupt;
use crate::output::outln;
use crate::values::{self, BackendArg, FormatArg};

#[derive(clap::Args)]
pub(crate) struct GenArgs {
    /// Scale factor (0.001 to 100000; 1 is about 1 GB of .tbl text).
    #[arg(long, value_parser = values::scale_factor)]
    pub(crate) sf: ScaleFactor,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Tbl)]
    pub(crate) format: FormatArg,
    /// Output directory, or an object-store URL (s3://bucket/prefix, gs://…, az://…).
    #[arg(long, default_value = ".")]
    pub(crate) output: PathBuf,
    #[command(flatten)]
    pub(crate) storage: values::StorageArgs,
    /// Comma-separated tables (default: all eight).
    #[arg(long)]
    pub(crate) tables: Option<String>,
    /// Split the data into N dbgen chunks and write only --part (like dbgen -C N -S I).
    #[arg(long, value_parser = values::at_least_one::<u64>)]
    pub(crate) parts: Option<u64>,
    /// The chunk to write (1-based), with --parts.
    #[arg(long, value_parser = values::at_least_one::<u64>)]
    pub(crate) part: Option<u64>,
    /// Worker threads, at least 1 (default: all cores).
    #[arg(long, value_parser = values::at_least_one::<usize>)]
    pub(crate) threads: Option<usize>,
    /// Files per table, at least 1 (`<table>/part-NNN.<ext>` when more than one).
    #[arg(long, default_value_t = 1, value_parser = values::at_least_one::<u64>)]
    pub(crate) files_per_table: u64,
    /// Replace existing files.
    #[arg(long)]
    pub(crate) overwrite: bool,
    /// No progress bars.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Parquet compression: none, snappy, lz4, gzip[:0-9] or zstd[:1-22] (default snappy).
    #[arg(long, value_parser = values::compression)]
    pub(crate) compression: Option<Compression>,
    /// Parquet rows per row group, at least 1 (default 524288).
    #[arg(long, value_parser = values::at_least_one::<u64>)]
    pub(crate) row_group_rows: Option<u64>,
    /// I/O back end (default: $TPCH_IO_BACKEND, else auto).
    #[arg(long, value_enum)]
    pub(crate) io_backend: Option<BackendArg>,
    /// Generate on the Ballista cluster whose scheduler is at df://HOST:PORT: task i writes
    /// dbgen's chunk i of --parts (default 4) on the executor that runs it, into --output as
    /// that executor names it; --threads is per task (default 1).
    #[cfg(feature = "ballista")]
    #[arg(long, value_name = "df://HOST:PORT", value_parser = values::scheduler_url)]
    pub(crate) scheduler: Option<String>,
    /// Layout file (TOML): sort, partitions, sizes, column knobs per table (see
    /// docs/layouts.md); the flags below override it.
    #[arg(long, value_name = "FILE")]
    pub(crate) layout: Option<PathBuf>,
    /// Sort TABLE's rows by these columns (repeatable): `TABLE=COL[:desc][,COL[:desc]…]`.
    #[arg(long, value_name = "TABLE=COL[:desc],…")]
    pub(crate) sort: Vec<String>,
    /// Hive-partition TABLE (repeatable): TABLE=KEY, KEY one of COL, year(COL), month(COL).
    #[arg(long, value_name = "TABLE=KEY")]
    pub(crate) partition_by: Vec<String>,
    /// Leave plain-column partition keys out of the files (they are in the directory names).
    #[arg(long)]
    pub(crate) drop_partition_columns: bool,
    /// Most rows per file (files `<table>/part-NNNNN.<ext>` in row order).
    #[arg(long, value_name = "N", value_parser = values::at_least_one::<u64>)]
    pub(crate) max_file_rows: Option<u64>,
    /// Most bytes per file, e.g. 512MiB (KiB/MiB/GiB suffixes).
    #[arg(long, value_name = "SIZE", value_parser = values::byte_size)]
    pub(crate) max_file_bytes: Option<ByteSize>,
    /// Parquet: most bytes per row group, e.g. 128MiB.
    #[arg(long, value_name = "SIZE", value_parser = values::byte_size)]
    pub(crate) row_group_bytes: Option<ByteSize>,
    /// Parquet encoding per column (repeatable): `COL=ENC[,COL=ENC…]`, ENC one of PLAIN, RLE,
    /// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT.
    #[arg(long, value_name = "COL=ENC,…")]
    pub(crate) column_encoding: Vec<String>,
    /// Parquet dictionary per column (repeatable): `COL=on|off[,…]`.
    #[arg(long, value_name = "COL=on|off,…")]
    pub(crate) column_dictionary: Vec<String>,
    /// Parquet compression per column (repeatable): `COL=CODEC[,…]` (codecs as --compression).
    #[arg(long, value_name = "COL=CODEC,…")]
    pub(crate) column_compression: Vec<String>,
    /// CSV field delimiter (one ASCII character).
    #[arg(long, value_name = "C")]
    pub(crate) delimiter: Option<char>,
    /// Write the one table of --tables to standard output (tbl or csv) instead of files.
    #[arg(long)]
    pub(crate) stdout: bool,
    /// Write only dbgen's refresh sets 1..N (`dbgen -U N`): orders.tbl.uK, lineitem.tbl.uK
    /// and delete.K, in .tbl format.
    #[arg(long, value_parser = values::at_least_one::<u32>)]
    pub(crate) updates: Option<u32>,
}

impl GenArgs {
    /// `--tables`, parsed (all eight when not given; a table named twice is written once).
    pub(crate) fn table_list(&self) -> Result<Vec<Table>, Error> {
        let Some(list) = &self.tables else {
            return Ok(Table::ALL.to_vec());
        };
        let mut tables = Vec::new();
        for name in list.split(',').filter(|t| !t.trim().is_empty()) {
            let table: Table = name.parse().map_err(Error::from)?;
            if !tables.contains(&table) {
                tables.push(table);
            }
        }
        Ok(tables)
    }

    /// The export these flags describe, except `--parts`/`--part` (a local run writes one part,
    /// a cluster run all of them). Checked where every export is: [`ExportOptions::validate`].
    /// The layout: `--layout`'s file with the flags over it.
    pub(crate) fn layout(&self) -> Result<Layout, Error> {
        let mut layout = match &self.layout {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                Layout::from_toml(&text)
                    .map_err(|e| Error::InvalidOption(format!("{}: {e}", path.display())))?
            }
            None => Layout::default(),
        };
        let all = &mut layout.all;
        if self.drop_partition_columns {
            all.drop_partition_columns = Some(true);
        }
        all.max_file_rows = self.max_file_rows.or(all.max_file_rows);
        all.max_file_bytes = self.max_file_bytes.or(all.max_file_bytes);
        all.row_group_bytes = self.row_group_bytes.or(all.row_group_bytes);
        all.delimiter = self.delimiter.or(all.delimiter);
        for text in &self.sort {
            let (table, columns) = values::table_pair(text, "--sort")?;
            layout.table_mut(table).sort = columns
                .split(',')
                .map(|c| c.parse::<SortColumn>())
                .collect::<Result<_, _>>()?;
        }
        for text in &self.partition_by {
            let (table, key) = values::table_pair(text, "--partition-by")?;
            layout.table_mut(table).partition_by = Some(key.parse()?);
        }
        for text in &self.column_encoding {
            for (table, column, value) in values::column_pairs(text, "--column-encoding")? {
                let encoding: ColumnEncoding = value.parse()?;
                layout
                    .table_mut(table)
                    .columns
                    .entry(column)
                    .or_default()
                    .encoding = Some(encoding);
            }
        }
        for text in &self.column_dictionary {
            for (table, column, value) in values::column_pairs(text, "--column-dictionary")? {
                let on = match value.to_ascii_lowercase().as_str() {
                    "on" | "true" => true,
                    "off" | "false" => false,
                    _ => {
                        return Err(Error::InvalidOption(format!(
                            "--column-dictionary {column}={value}: expected on or off"
                        )));
                    }
                };
                layout
                    .table_mut(table)
                    .columns
                    .entry(column)
                    .or_default()
                    .dictionary = Some(on);
            }
        }
        for text in &self.column_compression {
            for (table, column, value) in values::column_pairs(text, "--column-compression")? {
                let codec = parse_compression(&value)?;
                layout
                    .table_mut(table)
                    .columns
                    .entry(column)
                    .or_default()
                    .compression = Some(codec);
            }
        }
        Ok(layout)
    }

    pub(crate) fn export_options(&self) -> Result<ExportOptions, Error> {
        let mut options = ExportOptions::new(self.sf);
        options.tables = self.table_list()?;
        options.format = Format::from(self.format);
        options.output = self.output.clone();
        options.files_per_table = self.files_per_table;
        options.threads = self.threads;
        options.overwrite = self.overwrite;
        options.storage_options = self.storage.options();
        options.layout = self.layout()?;
        if self.compression.is_some() || self.row_group_rows.is_some() {
            let mut parquet = ParquetOptions::default();
            if let Some(codec) = self.compression {
                parquet.compression = codec;
            }
            if let Some(rows) = self.row_group_rows {
                parquet.row_group_rows = rows;
            }
            options.parquet = Some(parquet);
        }
        Ok(options)
    }
}

pub(crate) fn generate(args: GenArgs, interrupt: &Interrupt) -> Result<(), Error> {
    let sf = args.sf;
    if let Some(count) = args.updates {
        return refresh_sets(&args, count, interrupt);
    }
    #[cfg(feature = "ballista")]
    if let Some(url) = &args.scheduler {
        return crate::cluster_cmd::generate_on_cluster(&args, url, interrupt);
    }
    let mut options = args.export_options()?;
    options.part = match (args.parts, args.part) {
        (Some(parts), Some(part)) => Some((part, parts)),
        (None, None) => None,
        _ => {
            return Err(Error::InvalidOption(
                "--parts and --part go together".into(),
            ));
        }
    };
    options.validate()?;
    if args.stdout {
        let exporter = Exporter::with_options(options).cancel_flag(interrupt.flag());
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
        exporter.write_text_to(&mut out)?;
        return Ok(());
    }
    let layout = effective_layout(&options);
    let tables = options.tables.clone();
    let backend = match args.io_backend {
        Some(choice) => BackendChoice::from(choice),
        None => BackendChoice::from_env()?,
    };
    let mut exporter =
        Exporter::with_options(options).sink_config(SinkConfig::default().backend(backend));
    let bars = (!args.no_progress && std::io::stderr().is_terminal())
        .then(|| Arc::new(Bars::new(&sf, &tables)));
    if let Some(bars) = &bars {
        exporter = exporter.progress(Arc::clone(bars) as Arc<dyn Progress>);
    }
    exporter = exporter.cancel_flag(interrupt.flag());
    let result = exporter.run();
    if let Some(bars) = bars {
        bars.finish();
    }
    let summary = result?;
    report_stale(&args.output, &summary.stale_removed);
    print_summary(&summary)?;
    if !layout.is_empty() {
        outln!("layout:")?;
        for line in layout.to_toml().lines() {
            match line.is_empty() {
                true => outln!("")?,
                false => outln!("  {line}")?,
            }
        }
    }
    Ok(())
}

/// The layout in effect for each table written (`[all]` folded into the tables).
fn effective_layout(options: &ExportOptions) -> Layout {
    let mut layout = Layout::default();
    for &table in &options.tables {
        let own = options.layout.for_table(table);
        if !own.is_empty() {
            layout.tables.insert(table, own);
        }
    }
    layout
}

/// Says on standard error what an earlier, killed run left behind and this run removed.
fn report_stale(output: &std::path::Path, removed: &[std::path::PathBuf]) {
    if removed.is_empty() {
        return;
    }
    let (verb, what) = match datafusion_dbgen::store::is_object_url(output) {
        true => (
            "aborted",
            "unfinished upload(s) left by an earlier, killed run",
        ),
        false => (
            "removed",
            "stale temporary file(s) left by an earlier, interrupted run",
        ),
    };
    let names: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
    eprintln!("{verb} {} {what}: {}", names.len(), names.join(", "));
}

/// `--updates N`: the refresh sets, alone (as `dbgen -U` writes no base table).
fn refresh_sets(args: &GenArgs, count: u32, interrupt: &Interrupt) -> Result<(), Error> {
    #[cfg(feature = "ballista")]
    if args.scheduler.is_some() {
        return Err(Error::InvalidOption(
            "--updates writes the refresh sets here, not on a cluster: leave out --scheduler \
             (a set is 0.1 % of orders, small at any SF)"
                .into(),
        ));
    }
    let conflicting = [
        (args.tables.is_some(), "--tables"),
        (
            args.parts.is_some() || args.part.is_some(),
            "--parts/--part",
        ),
        (args.files_per_table != 1, "--files-per-table"),
        (!matches!(args.format, FormatArg::Tbl), "--format"),
        (
            args.compression.is_some() || args.row_group_rows.is_some(),
            "--compression/--row-group-rows",
        ),
        (args.layout.is_some(), "--layout"),
        (
            !args.sort.is_empty() || !args.partition_by.is_empty(),
            "--sort/--partition-by",
        ),
        (
            args.max_file_rows.is_some()
                || args.max_file_bytes.is_some()
                || args.row_group_bytes.is_some(),
            "--max-file-rows/--max-file-bytes/--row-group-bytes",
        ),
        (args.stdout, "--stdout"),
    ];
    if let Some((_, flag)) = conflicting.iter().find(|(given, _)| *given) {
        return Err(Error::InvalidOption(format!(
            "{flag} does not apply to --updates (dbgen writes refresh sets whole, as .tbl)"
        )));
    }
    let backend = match args.io_backend {
        Some(choice) => BackendChoice::from(choice),
        None => BackendChoice::from_env()?,
    };
    let mut options = ExportOptions::new(args.sf);
    options.output = args.output.clone();
    options.overwrite = args.overwrite;
    options.storage_options = args.storage.options();
    let started = std::time::Instant::now();
    let flag = interrupt.flag();
    let written = write_refresh_sets(
        &options,
        count,
        SinkConfig::default().backend(backend),
        Some(&flag),
    )?;
    report_stale(&args.output, &written.stale_removed);
    let files = written.files;
    outln!("{:<20} {:>8} {:>10}", "file", "rows", "bytes")?;
    for file in &files {
        let name = file.path.file_name().unwrap_or_default().to_string_lossy();
        outln!("{name:<20} {:>8} {:>10}", file.rows, file.bytes)?;
    }
    outln!(
        "{count} refresh set(s) in {:.2} s",
        started.elapsed().as_secs_f64()
    )
}

/// One progress bar per table.
struct Bars {
    bars: HashMap<Table, ProgressBar>,
    _multi: Mutex<MultiProgress>,
}

impl Bars {
    fn new(sf: &ScaleFactor, tables: &[Table]) -> Self {
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template(
            "{prefix:>9} {bar:30} {pos:>12}/{len:12} rows {binary_bytes_per_sec:>12}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bars = tables
            .iter()
            .map(|&t| {
                let expected = sf
                    .row_count(t)
                    .unwrap_or(sf.generator_rows(Table::Lineitem) * 4);
                let bar = multi.add(ProgressBar::new(expected));
                bar.set_style(style.clone());
                bar.set_prefix(t.name());
                (t, bar)
            })
            .collect();
        Bars {
            bars,
            _multi: Mutex::new(multi),
        }
    }

    fn finish(&self) {
        for bar in self.bars.values() {
            bar.finish();
        }
    }
}

impl Progress for Bars {
    fn advance(&self, table: Table, rows: u64, _bytes: u64) {
        if let Some(bar) = self.bars.get(&table) {
            bar.inc(rows);
        }
    }
}

/// The per-table rows, bytes and rates of a finished export, and its totals.
fn print_summary(summary: &ExportSummary) -> Result<(), Error> {
    outln!(
        "{:<9} {:>12} {:>14} {:>8} {:>12} {:>9}",
        "table",
        "rows",
        "bytes",
        "seconds",
        "rows/s",
        "MB/s"
    )?;
    let (mut rows, mut bytes) = (0u64, 0u64);
    for t in &summary.tables {
        rows += t.rows;
        bytes += t.bytes;
        let secs = t.seconds.max(1e-9);
        outln!(
            "{:<9} {:>12} {:>14} {:>8.2} {:>12.0} {:>9.1}",
            t.table.name(),
            t.rows,
            t.bytes,
            t.seconds,
            t.rows as f64 / secs,
            t.bytes as f64 / secs / 1e6
        )?;
    }
    let secs = summary.seconds.max(1e-9);
    outln!(
        "{:<9} {:>12} {:>14} {:>8.2} {:>12.0} {:>9.1}   (I/O back end: {})",
        "total",
        rows,
        bytes,
        summary.seconds,
        rows as f64 / secs,
        bytes as f64 / secs / 1e6,
        summary.backend
    )
}
