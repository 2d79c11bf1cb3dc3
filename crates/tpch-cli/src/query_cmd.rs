//! `tpch query`: SQL over the eight generated tables, from `-e`, `-f` or an interactive prompt.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::csv;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::json::LineDelimitedWriter;
use datafusion::arrow::util::pretty::pretty_format_batches_with_schema;
use datafusion::error::DataFusionError;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParserBuilder;
use datafusion::sql::sqlparser::dialect::dialect_from_str;
use datafusion_dbgen::bench::{Source, tpch_session_with};
use datafusion_dbgen::copy::CopyConfig;
use datafusion_dbgen::session::TpchSession;
use datafusion_dbgen::{Error, ScaleFactor};

use crate::interrupt::Interrupt;
use crate::output::{is_stdout_error, write_bytes};
use crate::values::{self, BackendArg};

#[derive(clap::Args)]
pub(crate) struct QueryArgs {
    /// Scale factor of the tables.
    #[arg(long, value_parser = values::scale_factor)]
    sf: ScaleFactor,
    /// SQL to run: one or more statements separated by `;`.
    #[arg(short = 'e', long = "execute", conflicts_with = "file")]
    execute: Option<String>,
    /// A file of SQL statements, run in order (`-` reads standard input).
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// How results are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    output_format: OutputFormat,
    /// DataFusion's target partitions, 1 to 1024 (default: all cores).
    #[arg(long, value_parser = values::target_partitions)]
    target_partitions: Option<usize>,
    #[command(flatten)]
    source: values::SourceArgs,
    #[command(flatten)]
    storage: values::StorageArgs,
    /// I/O back end of `COPY … TO` (default: $TPCH_IO_BACKEND, else auto).
    #[arg(long, value_enum)]
    io_backend: Option<BackendArg>,
    /// Who writes the files of `COPY … TO`.
    #[arg(long, value_enum, default_value_t = CopyWriter::Tpch)]
    copy_writer: CopyWriter,
}

/// The writer behind `COPY … TO`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CopyWriter {
    /// The crate's parallel writer and shared sink (parquet, csv and tbl).
    Tpch,
    /// DataFusion's built-in writers (parquet, csv; no tbl), to compare with.
    Datafusion,
}

/// How results are printed.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    /// Aligned table, with the row count and time on standard error.
    Table,
    /// CSV with a header.
    Csv,
    /// One JSON object per row.
    Json,
}

pub(crate) fn query(args: QueryArgs, interrupt: &Interrupt) -> Result<(), Error> {
    let sf = args.sf;
    let format = args.output_format;
    let source: Source = args.source.source()?;
    let partitions = args.source.partitions(args.target_partitions);
    let copy = match (args.copy_writer, args.io_backend) {
        (CopyWriter::Datafusion, _) => None,
        (CopyWriter::Tpch, Some(backend)) => Some(CopyConfig::default().backend(backend.into())),
        (CopyWriter::Tpch, None) => Some(CopyConfig::from_env().map_err(df_err)?),
    };
    let sql = match (&args.execute, &args.file) {
        (Some(sql), _) => Some(sql.clone()),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|source| {
                Error::Io {
                    path: path.clone(),
                    source,
                }
            })?;
            Some(text)
        }
        (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?),
        (None, None) => None,
    };
    let session = TpchSession::new()
        .with_copy(copy)
        .with_storage_options(args.storage.options());
    let setup = async move {
        tpch_session_with(&source, sf.value(), partitions, &session)
            .await
            .map_err(bench_err)
    };
    if sql.is_none() && std::io::stdin().is_terminal() {
        // At the interactive prompt Ctrl-C cancels the running statement, not the session.
        let runtime = runtime()?;
        let result = runtime.block_on(async {
            let ctx = tokio::select! {
                ctx = setup => ctx?,
                () = interrupt.wait() => return Err(Error::Cancelled { finished: Vec::new() }),
            };
            prompt(&ctx, format, Some(interrupt)).await
        });
        runtime.shutdown_timeout(Duration::from_secs(2));
        return result;
    }
    let work = async move {
        let ctx = setup.await?;
        match sql {
            Some(sql) => run_sql(&ctx, &sql, format).await,
            None => prompt(&ctx, format, None).await,
        }
    };
    // A stopped COPY's encoders need a moment to remove their temporary files.
    run_interruptible(work, interrupt, Duration::from_secs(2))
}

/// Runs `work` on a fresh runtime until it ends or a stop is requested. On a stop the work is
/// dropped (a COPY's writers then remove their temporary files) and the runtime is given up to
/// `grace` to finish what it had handed to blocking threads.
pub(crate) fn run_interruptible<T>(
    work: impl std::future::Future<Output = Result<T, Error>>,
    interrupt: &Interrupt,
    grace: Duration,
) -> Result<T, Error> {
    let runtime = runtime()?;
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = work => Some(result),
            () = interrupt.wait() => None,
        }
    });
    runtime.shutdown_timeout(grace);
    outcome.unwrap_or_else(|| {
        Err(Error::Cancelled {
            finished: Vec::new(),
        })
    })
}

/// A DataFusion error as the crate's error, on one line.
fn df_err(e: DataFusionError) -> Error {
    Error::InvalidOption(one_line(&e.to_string()))
}

/// `text` with its line breaks (and the indentation after them) turned into single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cores available, the default for `--target-partitions`.
pub(crate) fn default_partitions() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The Tokio runtime DataFusion runs on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            path: "<tokio runtime>".into(),
            source,
        })
}

/// A benchmark error as the crate's error (printed on one line).
pub(crate) fn bench_err(e: datafusion_dbgen::bench::BenchError) -> Error {
    match e {
        datafusion_dbgen::bench::BenchError::Crate(e) => e,
        other => Error::InvalidOption(one_line(&other.to_string())),
    }
}

/// Parses `sql` into statements and runs them in order, streaming each result to standard
/// output as it is computed; stops at the first error.
async fn run_sql(ctx: &SessionContext, sql: &str, format: OutputFormat) -> Result<(), Error> {
    let state = ctx.state();
    let dialect_name = state.config().options().sql_parser.dialect;
    let dialect = dialect_from_str(dialect_name)
        .ok_or_else(|| Error::InvalidOption(format!("unsupported SQL dialect {dialect_name}")))?;
    let statements = DFParserBuilder::new(sql)
        .with_dialect(dialect.as_ref())
        .build()
        .and_then(|mut parser| parser.parse_statements())
        .map_err(df_err)?;
    if statements.is_empty() {
        return Err(Error::InvalidOption("no SQL statement given".into()));
    }
    let mut first = true;
    for statement in statements {
        let started = Instant::now();
        // The state is taken afresh for each statement: an earlier one may have changed it
        // (CREATE VIEW, SET ...).
        let plan = ctx
            .state()
            .statement_to_plan(statement)
            .await
            .map_err(df_err)?;
        let df = ctx.execute_logical_plan(plan).await.map_err(df_err)?;
        let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
        // Statements without a result (CREATE VIEW, SET ...) print nothing, but their stream
        // is still run to its end.
        let mut writer =
            (!schema.fields().is_empty()).then(|| ResultWriter::new(schema, format, first));
        let mut stream = df.execute_stream().await.map_err(df_err)?;
        let mut rows = 0;
        // Returning early drops the stream, which stops the query's tasks.
        while let Some(batch) = next_batch(&mut stream).await {
            let batch = batch.map_err(df_err)?;
            rows += batch.num_rows();
            if let Some(writer) = &mut writer {
                writer.write(batch)?;
            }
        }
        if let Some(writer) = writer {
            writer.finish()?;
            first = false;
        }
        if format == OutputFormat::Table {
            eprintln!(
                "{rows} row{} in {:.3} s",
                if rows == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// The next batch of `stream` (a `futures` stream, polled here without that crate).
async fn next_batch(
    stream: &mut SendableRecordBatchStream,
) -> Option<Result<RecordBatch, DataFusionError>> {
    std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await
}

/// Rows per table printed in the table format: a long result prints as a run of tables, so
/// only one page is ever held.
const PAGE_ROWS: usize = 1000;

/// Writes one statement's result to standard output batch by batch, so memory stays bounded
/// and a reader sees the first rows at once.
struct ResultWriter {
    schema: SchemaRef,
    format: OutputFormat,
    /// Encoded output not yet written (reused between batches).
    buffer: Vec<u8>,
    /// CSV: the header is still to be written.
    header_pending: bool,
    /// Table: the rows of the page being filled.
    page: Vec<RecordBatch>,
    page_rows: usize,
    /// Table: whether a page has been printed.
    paged: bool,
}

impl ResultWriter {
    /// A writer for a result of `schema`; `first` is false for later statements, whose CSV
    /// is set off from the one before by a blank line.
    fn new(schema: SchemaRef, format: OutputFormat, first: bool) -> Self {
        let buffer = match (format, first) {
            (OutputFormat::Csv, false) => b"\n".to_vec(),
            _ => Vec::new(),
        };
        ResultWriter {
            schema,
            format,
            buffer,
            header_pending: true,
            page: Vec::new(),
            page_rows: 0,
            paged: false,
        }
    }

    /// Encodes `batch` and writes what is complete.
    fn write(&mut self, batch: RecordBatch) -> Result<(), Error> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        match self.format {
            OutputFormat::Table => {
                let mut rest = batch;
                while self.page_rows + rest.num_rows() >= PAGE_ROWS {
                    let take = PAGE_ROWS - self.page_rows;
                    self.page.push(rest.slice(0, take));
                    self.page_rows += take;
                    self.print_page()?;
                    rest = rest.slice(take, rest.num_rows() - take);
                }
                if rest.num_rows() > 0 {
                    self.page_rows += rest.num_rows();
                    self.page.push(rest);
                }
                Ok(())
            }
            OutputFormat::Csv => {
                self.encode_csv(&batch)?;
                self.flush()
            }
            OutputFormat::Json => {
                let mut writer = LineDelimitedWriter::new(&mut self.buffer);
                writer.write(&batch).map_err(arrow_err)?;
                writer.finish().map_err(arrow_err)?;
                self.flush()
            }
        }
    }

    /// Writes the end of the result: the last page of a table (or an empty table), or the
    /// header of an empty CSV result.
    fn finish(mut self) -> Result<(), Error> {
        match self.format {
            OutputFormat::Table if self.page_rows > 0 || !self.paged => self.print_page(),
            OutputFormat::Csv if self.header_pending => {
                self.encode_csv(&RecordBatch::new_empty(Arc::clone(&self.schema)))?;
                self.flush()
            }
            _ => self.flush(),
        }
    }

    /// Appends `batch` as CSV, after the header if it is still due.
    fn encode_csv(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let mut writer = csv::WriterBuilder::new()
            .with_header(self.header_pending)
            .build(&mut self.buffer);
        writer.write(batch).map_err(arrow_err)?;
        self.header_pending = false;
        Ok(())
    }

    /// Prints the rows held as one table.
    fn print_page(&mut self) -> Result<(), Error> {
        let table = pretty_format_batches_with_schema(Arc::clone(&self.schema), &self.page)
            .map_err(arrow_err)?;
        // Into memory: only a broken Display could fail.
        writeln!(self.buffer, "{table}")
            .map_err(|e| Error::Internal(format!("cannot format a result table: {e}")))?;
        self.page.clear();
        self.page_rows = 0;
        self.paged = true;
        self.flush()
    }

    /// Writes the encoded output to standard output.
    fn flush(&mut self) -> Result<(), Error> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        write_bytes(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }
}

/// An Arrow encoding error as the crate's error, on one line.
fn arrow_err(e: ArrowError) -> Error {
    df_err(e.into())
}

const HELP: &str = "\
Statements end with ';' and may span several lines. The eight TPC-H tables are registered:
region, nation, supplier, customer, part, partsupp, orders, lineitem.
  \\d     list the tables          \\q     quit (or Ctrl-D)
  \\?     this help
No line editing or arrow-key history here: run it under rlwrap (`rlwrap tpch query --sf 1`)
for both.";

/// The interactive prompt: reads statements (ending in `;`, possibly over several lines) from
/// standard input and runs each, printing errors and carrying on. With `cancel` (a terminal),
/// a signal cancels the running statement and the prompt carries on; a signal while waiting
/// for input discards the statement being typed (at the next line), and a second one exits.
async fn prompt(
    ctx: &SessionContext,
    format: OutputFormat,
    cancel: Option<&Interrupt>,
) -> Result<(), Error> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("tpch query: SQL over the TPC-H tables (DataFusion). \\? for help, \\q to quit.");
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut buffer = String::new();
    loop {
        if interactive {
            let prompt = if buffer.is_empty() {
                "tpch> "
            } else {
                "   -> "
            };
            write_bytes(prompt.as_bytes())?;
        }
        let line = match lines.next() {
            Some(Ok(line)) => line,
            Some(Err(source)) => {
                return Err(Error::Io {
                    path: PathBuf::from("<stdin>"),
                    source,
                });
            }
            None => break,
        };
        if let Some(interrupt) = cancel.filter(|i| i.requested()) {
            interrupt.clear();
            buffer.clear();
            eprintln!("(input discarded)");
            continue;
        }
        if buffer.trim().is_empty() {
            match line.trim() {
                "\\q" | "quit" | "exit" => return Ok(()),
                "\\?" | "\\h" | "help" => {
                    eprintln!("{HELP}");
                    continue;
                }
                "\\d" => {
                    let sql = "SELECT table_name FROM information_schema.tables \
                               WHERE table_schema = 'public' ORDER BY table_name";
                    run_at_prompt(ctx, sql, format, cancel).await?;
                    continue;
                }
                "" => continue,
                _ => {}
            }
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if statement_complete(&buffer) {
            run_at_prompt(ctx, &buffer, format, cancel).await?;
            buffer.clear();
        }
    }
    // End of input: run what is left (a last statement without ';').
    if !buffer.trim().is_empty() {
        run_at_prompt(ctx, &buffer, format, cancel).await?;
    }
    Ok(())
}

/// Runs `sql` typed at the prompt. Its error is printed and the prompt carries on, unless
/// standard output failed: then nothing more can be shown, and the error ends the prompt.
async fn run_at_prompt(
    ctx: &SessionContext,
    sql: &str,
    format: OutputFormat,
    cancel: Option<&Interrupt>,
) -> Result<(), Error> {
    let never = std::future::pending::<()>();
    let stop = async {
        match cancel {
            Some(interrupt) => interrupt.wait().await,
            None => never.await,
        }
    };
    let outcome = tokio::select! {
        outcome = run_sql(ctx, sql, format) => outcome,
        () = stop => {
            // The statement's streams are dropped: a COPY removes its temporary files.
            if let Some(interrupt) = cancel {
                interrupt.clear();
            }
            eprintln!("cancelled");
            return Ok(());
        }
    };
    match outcome {
        Err(e) if is_stdout_error(&e) => Err(e),
        Err(e) => {
            eprintln!("error: {}", one_line(&e.to_string()));
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

/// Whether `sql` ends with `;` outside quotes and comments.
fn statement_complete(sql: &str) -> bool {
    let mut chars = sql.chars().peekable();
    let mut last = None;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                // Doubled quotes inside are two adjacent quoted runs: same result.
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
                last = Some(c);
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for d in chars.by_ref() {
                    if star && d == '/' {
                        break;
                    }
                    star = d == '*';
                }
            }
            c if c.is_whitespace() => {}
            c => last = Some(c),
        }
    }
    last == Some(';')
}

#[cfg(test)]
mod tests {
    use super::statement_complete;

    #[test]
    fn completeness() {
        assert!(statement_complete("select 1;"));
        assert!(statement_complete("select 1;  -- done\n"));
        assert!(!statement_complete("select ';'"));
        assert!(!statement_complete("select 1 -- ;"));
        assert!(!statement_complete("select 1 /* ; */"));
        assert!(statement_complete("select 'it''s';"));
        assert!(!statement_complete("select 'open;"));
    }
}
