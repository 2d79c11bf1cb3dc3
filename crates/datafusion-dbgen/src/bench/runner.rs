//! Running queries: one at a time, or the whole benchmark.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use datafusion::arrow::array::RecordBatch;
use datafusion::prelude::SessionContext;

use super::answers::AnswerSet;
use super::check::check_answer;
use super::error::BenchError;
use super::machine::Machine;
use super::queries::{QUERY_COUNT, query};
use super::report::{BenchReport, QueryReport, Verification};
use super::source::{Source, tpch_session_with};
use crate::session::TpchSession;
use crate::store::StorageOptions;
use tpch_dbgen::ScaleFactor;

/// Runs TPC-H query `n` (1..=22) in `ctx` and collects its result; the time covers planning,
/// execution and collecting.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), datafusion_dbgen::bench::BenchError> {
/// use datafusion_dbgen::bench::{Source, run_query, tpch_context};
/// let ctx = tpch_context(&Source::Provider, 0.01, 2).await?;
/// let (batches, elapsed) = run_query(&ctx, 1).await?;
/// let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
/// assert_eq!(rows, 4); // one row per (l_returnflag, l_linestatus)
/// println!("q01: {rows} rows in {elapsed:?}");
/// # Ok(())
/// # }
/// ```
pub async fn run_query(
    ctx: &SessionContext,
    n: usize,
) -> Result<(Vec<RecordBatch>, Duration), BenchError> {
    let sql = query(n)?;
    let started = Instant::now();
    let batches = ctx.sql(sql).await?.collect().await?;
    Ok((batches, started.elapsed()))
}

/// What [`run_benchmark`] runs.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchOptions {
    /// The scale factor.
    pub sf: f64,
    /// Where the tables come from.
    pub source: Source,
    /// DataFusion's `target_partitions` (at least 1).
    pub target_partitions: usize,
    /// The queries, in the order to run them (each 1..=22).
    pub queries: Vec<usize>,
    /// Iterations of each query (at least 1).
    pub iterations: usize,
    /// Verify the first iteration's result against these answers (`None`: no verification).
    pub verify: Option<AnswerSet>,
    /// Settings of the object store a `parquet:s3://…` source reads from, after the
    /// environment's.
    pub storage_options: StorageOptions,
}

impl BenchOptions {
    /// The defaults at scale factor `sf`: the provider source, as many partitions as CPUs, all
    /// 22 queries, one iteration, no verification.
    pub fn new(sf: f64) -> Self {
        BenchOptions {
            sf,
            source: Source::Provider,
            target_partitions: std::thread::available_parallelism().map_or(1, |n| n.get()),
            queries: (1..=QUERY_COUNT).collect(),
            iterations: 1,
            verify: None,
            storage_options: StorageOptions::new(),
        }
    }
}

impl BenchOptions {
    /// One line describing the run (SF, source, partitions, iterations, versions), as
    /// [`BenchReport::heading`] prints it.
    pub fn heading(&self) -> String {
        super::report::heading(
            self.sf,
            &self.source,
            self.target_partitions,
            self.iterations,
        )
    }
}

/// Runs the benchmark: sets up the source, then each query `iterations` times, verifying the
/// first result if asked. A query that fails is recorded in the report
/// ([`Verification::Error`]) and the run goes on; only invalid options and a failed setup
/// are errors.
pub async fn run_benchmark(options: &BenchOptions) -> Result<BenchReport, BenchError> {
    run_benchmark_with_progress(options, |_| {}).await
}

/// [`run_benchmark`], calling `on_query` after each query (to print progress).
pub async fn run_benchmark_with_progress(
    options: &BenchOptions,
    mut on_query: impl FnMut(&QueryReport),
) -> Result<BenchReport, BenchError> {
    ScaleFactor::try_new(options.sf)?;
    if options.iterations == 0 {
        return Err(BenchError::InvalidOption(
            "iterations must be at least 1".into(),
        ));
    }
    if options.target_partitions == 0 && !options.source.partitions_from_cluster() {
        return Err(BenchError::InvalidOption(
            "target partitions must be at least 1".into(),
        ));
    }
    if options.queries.is_empty() {
        return Err(BenchError::InvalidOption("no queries selected".into()));
    }
    for &n in &options.queries {
        query(n)?;
    }
    if let Some(AnswerSet::Dir(dir)) = &options.verify
        && !dir.is_dir()
    {
        return Err(BenchError::Io {
            path: dir.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "answer directory not found"),
        });
    }
    let started_unix_seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let setup_started = Instant::now();
    let session = TpchSession::new().with_storage_options(options.storage_options.clone());
    let ctx = tpch_session_with(
        &options.source,
        options.sf,
        options.target_partitions,
        &session,
    )
    .await?;
    let setup = setup_started.elapsed();
    let mut report = BenchReport {
        crate_version: env!("CARGO_PKG_VERSION"),
        engine: "datafusion",
        engine_version: datafusion::DATAFUSION_VERSION,
        sf: options.sf,
        source: options.source.clone(),
        target_partitions: options.target_partitions,
        batch_size: ctx.state().config().batch_size(),
        iterations: options.iterations,
        answers: options.verify.clone(),
        setup,
        started_unix_seconds,
        host_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        machine: Machine::current(),
        queries: Vec::with_capacity(options.queries.len()),
    };
    for &n in &options.queries {
        let q = bench_query(&ctx, n, options).await;
        on_query(&q);
        report.queries.push(q);
    }
    Ok(report)
}

async fn bench_query(ctx: &SessionContext, n: usize, options: &BenchOptions) -> QueryReport {
    let mut q = QueryReport {
        query: n,
        rows: None,
        times: Vec::with_capacity(options.iterations),
        verification: match options.verify {
            Some(_) => Verification::NoAnswer,
            None => Verification::NotChecked,
        },
    };
    for iteration in 0..options.iterations {
        let batches = match run_query(ctx, n).await {
            Ok((batches, elapsed)) => {
                q.times.push(elapsed);
                batches
            }
            Err(e) => {
                q.verification = Verification::Error(e.to_string());
                return q;
            }
        };
        if iteration > 0 {
            continue;
        }
        q.rows = Some(batches.iter().map(RecordBatch::num_rows).sum());
        if let Some(answers) = &options.verify {
            q.verification = match answers.get(options.sf, n) {
                Ok(Some(expected)) => match check_answer(&batches, &expected) {
                    Ok(()) => Verification::Passed,
                    Err(mismatch) => Verification::Failed(mismatch.to_string()),
                },
                Ok(None) => Verification::NoAnswer,
                Err(e) => Verification::Error(e.to_string()),
            };
        }
    }
    q
}
