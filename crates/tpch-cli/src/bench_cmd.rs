//! `tpch bench`: the 22 TPC-H queries as a benchmark, with verification and a JSON report;
//! `tpch bench compare|plot` (`bench_compare_cmd.rs`) read such reports back.

use std::path::PathBuf;
use std::time::Duration;

use datafusion_dbgen::bench::{
    AnswerSet, BenchOptions, BenchReport, MAX_SEED, QueryReport, RunKind, RunOptions, Source,
    parse_query_list, run_benchmark_with_progress, run_tpch,
};
use datafusion_dbgen::{Error, ScaleFactor};
use tokio::sync::oneshot;

use crate::interrupt::Interrupt;
use crate::output::{outln, write_bytes};
use crate::query_cmd::{bench_err, one_line, run_interruptible};
use crate::values;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct BenchArgs {
    /// Compare or plot reports instead of running (`tpch bench compare|plot --help`).
    #[command(subcommand)]
    reports: Option<crate::bench_compare_cmd::ReportCommand>,
    /// Scale factor of the tables.
    #[arg(long, value_parser = values::scale_factor, required = true)]
    sf: Option<ScaleFactor>,
    /// Queries to run, e.g. 1,3,5-7 (default: all 22).
    #[arg(long, default_value = "all")]
    queries: String,
    /// Runs of each query, at least 1 (min, median and max are reported).
    #[arg(long, default_value_t = 1, value_parser = values::at_least_one::<usize>)]
    iterations: usize,
    #[command(flatten)]
    source: values::SourceArgs,
    #[command(flatten)]
    storage: values::StorageArgs,
    /// Compare each result with the official answer (embedded for SF 0.01, 0.1 and 1).
    #[arg(long)]
    verify: bool,
    /// Verify against the answer files DIR/qNN.csv instead of the embedded ones (implies
    /// --verify).
    #[arg(long, value_name = "DIR")]
    answers: Option<PathBuf>,
    /// Write a JSON report to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// DataFusion's target partitions, 1 to 1024 (default: all cores).
    #[arg(long, value_parser = values::target_partitions)]
    target_partitions: Option<usize>,
    /// A TPC-H run instead of the 22 validation queries: power (RF1, stream 0, RF2),
    /// throughput (query streams in parallel with the refresh stream) or full (both), with
    /// Power@Size, Throughput@Size and QphH@Size.
    #[arg(long, value_enum)]
    run: Option<RunArg>,
    /// Query streams of the throughput test, at least 1 (default: the spec's minimum for the
    /// SF, 2 at SF 1).
    #[arg(long, value_parser = values::at_least_one::<usize>)]
    streams: Option<usize>,
    /// qgen's seed for the run's substitution parameters (stream s uses SEED + s; default: the
    /// load's end time as mmddhhmmss, the spec's rule).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=MAX_SEED))]
    seed: Option<u64>,
}

/// `--run` of `tpch bench`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum RunArg {
    Power,
    Throughput,
    Full,
}

impl From<RunArg> for RunKind {
    fn from(run: RunArg) -> RunKind {
        match run {
            RunArg::Power => RunKind::Power,
            RunArg::Throughput => RunKind::Throughput,
            RunArg::Full => RunKind::Full,
        }
    }
}

/// `--run`: a TPC-H run and its metrics.
fn tpch_run(args: BenchArgs, run: RunArg, interrupt: &Interrupt) -> Result<(), Error> {
    let only_validation = [
        (args.verify || args.answers.is_some(), "--verify/--answers"),
        (args.iterations != 1, "--iterations"),
        (args.queries != "all", "--queries"),
    ];
    if let Some((_, flag)) = only_validation.iter().find(|(given, _)| *given) {
        return Err(Error::InvalidOption(format!(
            "{flag} does not apply to --run (a run's queries are qgen's streams)"
        )));
    }
    let options = RunOptions {
        sf: scale_factor(&args)?.value(),
        source: args.source.source()?,
        target_partitions: args.source.partitions(args.target_partitions),
        run: run.into(),
        streams: args.streams,
        seed: args.seed,
    };
    let work = async { run_tpch(&options).await.map_err(bench_err) };
    let report = run_interruptible(work, interrupt, Duration::from_millis(100))?;
    write_bytes(report.to_string().as_bytes())?;
    if let Some(path) = &args.json {
        write_report(path, &report.to_json())?;
    }
    Ok(())
}

/// `--sf`, required unless a subcommand is given (clap checks it).
fn scale_factor(args: &BenchArgs) -> Result<ScaleFactor, Error> {
    args.sf
        .ok_or_else(|| Error::InvalidOption("--sf is required to run the benchmark".into()))
}

pub(crate) fn bench(mut args: BenchArgs, interrupt: &Interrupt) -> Result<(), Error> {
    if let Some(command) = args.reports.take() {
        return crate::bench_compare_cmd::run(command);
    }
    if let Some(path) = &args.json {
        check_report_dir(path)?;
    }
    if let Some(run) = args.run {
        return tpch_run(args, run, interrupt);
    }
    if args.streams.is_some() || args.seed.is_some() {
        return Err(Error::InvalidOption(
            "--streams and --seed apply to --run power|throughput|full".into(),
        ));
    }
    let sf = scale_factor(&args)?;
    let source: Source = args.source.source()?;
    let verify = match (&args.answers, args.verify) {
        (Some(dir), _) => Some(AnswerSet::Dir(dir.clone())),
        (None, true) => Some(AnswerSet::Embedded),
        (None, false) => None,
    };
    let queries = parse_query_list(&args.queries).map_err(bench_err)?;
    if let Some(answers) = &verify {
        check_answers_exist(answers, sf.value(), &queries)?;
    }
    let options = BenchOptions {
        sf: sf.value(),
        source,
        target_partitions: args.source.partitions(args.target_partitions),
        queries,
        iterations: args.iterations,
        verify,
        storage_options: args.storage.options(),
    };
    // The heading is printed once the source is set up (so a setup error prints alone). A
    // failed print stops the benchmark: its results have nowhere to go.
    let mut printed_heading = false;
    let (print_failed, printing) = oneshot::channel::<Error>();
    let mut print_failed = Some(print_failed);
    let work = async {
        let benchmark = run_benchmark_with_progress(&options, |q| {
            let printed = print_row(&options, q, !printed_heading);
            printed_heading = true;
            if let (Err(e), Some(tx)) = (printed, print_failed.take()) {
                let _ = tx.send(e);
            }
        });
        tokio::select! {
            report = benchmark => report.map_err(bench_err),
            Ok(e) = printing => Err(e),
        }
    };
    // Queries write nothing: what is still running when the stop comes can simply end with the
    // process.
    let report = run_interruptible(work, interrupt, Duration::from_millis(100))?;
    outln!("{}", report.table_total())?;
    if matches!(report.source, Source::Memory) {
        outln!(
            "(loading the tables into memory took {:.3} s, not counted above)",
            report.setup.as_secs_f64()
        )?;
    }
    if options.verify.is_some() && report.count("no_answer") > 0 {
        outln!(
            "{} quer{} without an answer at SF {} (answers are embedded for SF 0.01, 0.1 and 1): not verified",
            report.count("no_answer"),
            if report.count("no_answer") == 1 {
                "y"
            } else {
                "ies"
            },
            options.sf
        )?;
    }
    for q in report.failures() {
        eprintln!("q{:02} {}", q.query, one_line(&q.verification.to_string()));
    }
    if let Some(path) = &args.json {
        write_report(path, &report.to_json())?;
    }
    let failed: Vec<String> = report
        .failures()
        .map(|q| format!("q{:02}", q.query))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidOption(format!(
            "{} of {} queries failed: {}",
            failed.len(),
            report.queries.len(),
            failed.join(", ")
        )))
    }
}

/// One query's row of the results table, after the table's heading if `heading`.
fn print_row(options: &BenchOptions, q: &QueryReport, heading: bool) -> Result<(), Error> {
    if heading {
        outln!("{}", options.heading())?;
        outln!("{}", BenchReport::table_header())?;
    }
    outln!("{}", BenchReport::table_row(q))
}

/// `--verify` checks every selected query or fails before running any: an SF without embedded
/// answers, or an `--answers` directory without a query's `qNN.csv`, is an error naming it.
fn check_answers_exist(answers: &AnswerSet, sf: f64, queries: &[usize]) -> Result<(), Error> {
    for &n in queries {
        match answers {
            AnswerSet::Embedded if datafusion_dbgen::bench::answer(sf, n).is_none() => {
                return Err(Error::InvalidOption(format!(
                    "--verify: no embedded answer for q{n:02} at SF {sf} (embedded: SF 0.01, \
                     0.1 and 1); pass --answers DIR with qNN.csv files, or leave out --verify"
                )));
            }
            AnswerSet::Dir(dir) => {
                let file = dir.join(format!("q{n:02}.csv"));
                if !file.is_file() {
                    return Err(Error::Io {
                        path: file,
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "--answers: no answer file for this query",
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Refuses a `--json` path whose directory does not exist, before any query runs (not after
/// all of them, when the report is written).
fn check_report_dir(path: &std::path::Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => return Ok(()),
    };
    if dir.is_dir() {
        return Ok(());
    }
    Err(Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory {} does not exist", dir.display()),
        ),
    })
}

/// Writes the JSON report of `--json`.
fn write_report(path: &std::path::Path, json: &str) -> Result<(), Error> {
    std::fs::write(path, json).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
