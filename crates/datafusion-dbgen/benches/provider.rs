//! Benchmarks of the generating table provider (a bench binary, `harness = false`).
//!
//! ```sh
//! cargo bench --bench provider                        # SF 1, RSS at SF 10 (release profile)
//! cargo bench --bench provider -- --sf 0.1 --rss-sf 1 # smaller
//! cargo bench --bench provider -- --verify            # also the 22 queries against the answers
//! cargo test --bench provider -- --sf 0.1             # the same in the dev profile (slow DataFusion)
//! ```
//!
//! Reports, in one run:
//! - rows/s of a full-width and a one-column `lineitem` scan, through DataFusion and raw
//!   (`TableBatches` on one thread);
//! - `SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem` and TPC-H Q1 over the
//!   provider vs over Parquet files of the same data on local disk (written here first, one
//!   file per partition, Snappy), best of 3;
//! - Q1 over its seven columns collected into memory, with the flag columns as `Utf8` and as
//!   `Utf8View` (DataFusion's own share of Q1, and what the string type costs it);
//! - peak RSS (`VmHWM`) of a full-width `lineitem` scan at `--rss-sf`, in a child process;
//! - with `--verify`, the 22 queries checked against data/answers at `--sf`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::error::{DataFusionError, Result};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::physical_plan::ExecutionPlanProperties;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use datafusion_dbgen::arrow::{DEFAULT_BATCH_SIZE, TableBatches};
use datafusion_dbgen::generator::{RowRange, ScaleFactor, Table};
use datafusion_dbgen::provider::TpchTableProvider;
use futures::StreamExt;

const REVENUE: &str = "SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem";

struct Args {
    sf: f64,
    rss_sf: f64,
    verify: bool,
    rss_child: Option<f64>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        sf: 1.0,
        rss_sf: 10.0,
        verify: false,
        rss_child: None,
    };
    let mut it = std::env::args().skip(1);
    let number = |v: Option<String>| -> Result<f64> {
        v.as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|e| DataFusionError::Plan(format!("expected a number: {e}")))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sf" => args.sf = number(it.next())?,
            "--rss-sf" => args.rss_sf = number(it.next())?,
            "--verify" => args.verify = true,
            "--rss-child" => args.rss_child = Some(number(it.next())?),
            // `cargo bench` passes `--bench`; ignore it and libtest's other flags.
            _ => {}
        }
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| DataFusionError::Execution(e.to_string()))?;
    if let Some(sf) = args.rss_child {
        return runtime.block_on(rss_child(sf));
    }
    runtime.block_on(run(args))
}

fn partitions() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn context_with_lineitem(sf: f64) -> Result<SessionContext> {
    let config = SessionConfig::new().with_target_partitions(partitions());
    let ctx = SessionContext::new_with_config(config);
    ctx.register_table("lineitem", Arc::new(TpchTableProvider::lineitem(sf)?))?;
    Ok(ctx)
}

/// Runs `sql` and drains the result, returning (rows, elapsed).
async fn drain(ctx: &SessionContext, sql: &str) -> Result<(usize, Duration)> {
    let started = Instant::now();
    let mut stream = ctx.sql(sql).await?.execute_stream().await?;
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        rows += batch?.num_rows();
    }
    Ok((rows, started.elapsed()))
}

async fn best_of(ctx: &SessionContext, sql: &str, runs: usize) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        best = best.min(drain(ctx, sql).await?.1);
    }
    Ok(best)
}

fn rate(rows: usize, time: Duration) -> String {
    format!("{:.2} M rows/s", rows as f64 / time.as_secs_f64() / 1e6)
}

async fn run(args: Args) -> Result<()> {
    let sf = args.sf;
    println!(
        "# provider benchmarks: SF {sf}, {} partitions, profile {}",
        partitions(),
        if cfg!(debug_assertions) {
            "dev (debug assertions on)"
        } else {
            "release"
        }
    );
    let ctx = context_with_lineitem(sf)?;

    // dbgen's text pool is built once per process (shared by all scans): time it apart.
    let started = Instant::now();
    let _ = datafusion_dbgen::generator::text::text_pool();
    println!(
        "text pool (300 MiB, once per process): {:.2?}",
        started.elapsed()
    );

    // Raw batch building on one thread.
    for (label, projection) in [
        ("full width", None),
        ("l_quantity only", Some(vec![4usize])),
    ] {
        let scale = ScaleFactor::try_new(sf).map_err(|e| DataFusionError::Plan(e.to_string()))?;
        let rows = RowRange::new(0, scale.order_count() as u64);
        let started = Instant::now();
        let batches = TableBatches::try_new(
            Table::Lineitem,
            &scale,
            rows,
            projection.as_deref(),
            DEFAULT_BATCH_SIZE,
        )
        .map_err(|e| DataFusionError::Plan(e.to_string()))?;
        let mut count = 0;
        for batch in batches {
            count += batch?.num_rows();
        }
        let time = started.elapsed();
        println!(
            "raw TableBatches, 1 thread, lineitem {label}: {count} rows in {time:.2?} = {}",
            rate(count, time)
        );
    }

    // Scans through DataFusion.
    let columns = Table::Lineitem.column_names().join(", ");
    let mut scans = Vec::new();
    for (label, sql) in [
        ("full width", format!("SELECT {columns} FROM lineitem")),
        (
            "l_quantity only",
            "SELECT l_quantity FROM lineitem".to_string(),
        ),
    ] {
        drain(&ctx, &sql).await?; // warm-up (builds the text pool once)
        let (rows, time) = drain(&ctx, &sql).await?;
        println!(
            "DataFusion scan, lineitem {label}: {rows} rows in {time:.2?} = {}",
            rate(rows, time)
        );
        scans.push(time);
    }
    println!(
        "one-column scan speed-up over full width: {:.1}x",
        scans[0].as_secs_f64() / scans[1].as_secs_f64()
    );

    // Provider vs Parquet.
    let dir = tempfile::tempdir().map_err(|e| DataFusionError::Execution(e.to_string()))?;
    let written = Instant::now();
    write_parquet(&ctx, dir.path()).await?;
    println!(
        "wrote lineitem as Parquet (Snappy) in {:.2?}",
        written.elapsed()
    );
    let parquet =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions()));
    parquet
        .register_parquet(
            "lineitem",
            dir.path().to_string_lossy(),
            ParquetReadOptions::default(),
        )
        .await?;
    // The same files read with their strings as Utf8, the provider's type (DataFusion reads
    // Parquet strings as Utf8View by default, which groups faster): generated vs read data
    // with the types held equal.
    let parquet_utf8 = SessionContext::new_with_config(
        SessionConfig::new()
            .with_target_partitions(partitions())
            .set_bool(
                "datafusion.execution.parquet.schema_force_view_types",
                false,
            ),
    );
    parquet_utf8
        .register_parquet(
            "lineitem",
            dir.path().to_string_lossy(),
            ParquetReadOptions::default(),
        )
        .await?;
    // The three sources take turns, ROUNDS times, so that machine noise hits all alike;
    // best and median of each.
    const ROUNDS: usize = 9;
    for (label, sql) in [
        ("revenue sum", REVENUE.to_string()),
        ("TPC-H Q1", datafusion_dbgen::bench::QUERIES[0].to_string()),
    ] {
        let sources = [&ctx, &parquet, &parquet_utf8];
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        for source in sources {
            drain(source, &sql).await?; // warm-up
        }
        for _ in 0..ROUNDS {
            for (source, times) in sources.iter().zip(&mut times) {
                times.push(drain(source, &sql).await?.1);
            }
        }
        let [generated, read, read_utf8] = times.map(|mut t| {
            t.sort();
            (t[0], t[t.len() / 2])
        });
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        println!(
            "{label} (best / median of {ROUNDS}, sources alternated): provider {:.2?} / {:.2?}, \
             Parquet {:.2?} / {:.2?} (provider {:.2}x / {:.2}x the speed of Parquet); \
             Parquet read as Utf8 {:.2?} / {:.2?} (provider {:.2}x / {:.2}x)",
            generated.0,
            generated.1,
            read.0,
            read.1,
            ratio(read.0, generated.0),
            ratio(read.1, generated.1),
            read_utf8.0,
            read_utf8.1,
            ratio(read_utf8.0, generated.0),
            ratio(read_utf8.1, generated.1),
        );
    }
    drop(dir);

    // What Q1 costs DataFusion itself: the same columns already in memory, with the flag
    // columns as Utf8 (the provider's type) and as Utf8View (what Parquet scans produce).
    let q1 = datafusion_dbgen::bench::QUERIES[0];
    for (label, flag_type) in [("Utf8", "Utf8"), ("Utf8View", "Utf8View")] {
        let memory = in_memory_q1_columns(&ctx, flag_type).await?;
        let time = best_of(&memory, q1, 3).await?;
        println!("TPC-H Q1 over its columns in memory (flags as {label}): {time:.2?}");
    }

    // Peak memory of a large full-width scan, in a fresh process.
    let exe = std::env::current_exe().map_err(|e| DataFusionError::Execution(e.to_string()))?;
    let output = std::process::Command::new(exe)
        .args(["--rss-child", &args.rss_sf.to_string()])
        .output()
        .map_err(|e| DataFusionError::Execution(e.to_string()))?;
    print!("{}", String::from_utf8_lossy(&output.stdout));

    if args.verify {
        let times = verified_queries(sf, partitions()).await?;
        let total: Duration = times.iter().map(|(_, t)| *t).sum();
        println!("verified the 22 TPC-H queries at SF {sf} against the answers in {total:.2?}");
    }
    Ok(())
}

/// Runs the 22 queries over the provider and checks every answer; per-query wall times.
async fn verified_queries(sf: f64, partitions: usize) -> Result<Vec<(usize, Duration)>> {
    use datafusion_dbgen::bench::{answer, check_answer, query};
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    datafusion_dbgen::provider::register_tpch(&ctx, sf)?;
    let mut times = Vec::new();
    for n in 1..=22 {
        let started = Instant::now();
        let sql = query(n).map_err(|e| DataFusionError::External(Box::new(e)))?;
        let batches = ctx.sql(sql).await?.collect().await?;
        times.push((n, started.elapsed()));
        let expected = answer(sf, n)
            .ok_or_else(|| DataFusionError::Execution(format!("no answers at SF {sf}")))?;
        check_answer(&batches, expected)
            .map_err(|e| DataFusionError::Execution(format!("q{n:02}: {e}")))?;
    }
    Ok(times)
}

/// A context whose `lineitem` is Q1's columns collected into memory, one partition per scan
/// partition, with `l_returnflag` and `l_linestatus` cast to `flag_type`.
async fn in_memory_q1_columns(ctx: &SessionContext, flag_type: &str) -> Result<SessionContext> {
    let sql = format!(
        "SELECT arrow_cast(l_returnflag, '{flag_type}') AS l_returnflag, \
         arrow_cast(l_linestatus, '{flag_type}') AS l_linestatus, \
         l_quantity, l_extendedprice, l_discount, l_tax, l_shipdate FROM lineitem"
    );
    let frame = ctx.sql(&sql).await?;
    let schema = Arc::new(frame.schema().as_arrow().clone());
    let parts = frame.collect_partitioned().await?;
    let table = datafusion::datasource::MemTable::try_new(schema, parts)?;
    let memory =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions()));
    memory.register_table("lineitem", Arc::new(table))?;
    Ok(memory)
}

/// Writes lineitem as one Parquet file per scan partition.
async fn write_parquet(ctx: &SessionContext, dir: &Path) -> Result<()> {
    let plan = ctx
        .sql("SELECT * FROM lineitem")
        .await?
        .create_physical_plan()
        .await?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut tasks = Vec::new();
    for partition in 0..plan.output_partitioning().partition_count() {
        let mut stream = plan.execute(partition, ctx.task_ctx())?;
        let path = dir.join(format!("part-{partition:03}.parquet"));
        let props = props.clone();
        tasks.push(tokio::spawn(async move {
            let file = std::fs::File::create(&path)?;
            let mut writer = ArrowWriter::try_new(file, stream.schema(), Some(props))?;
            while let Some(batch) = stream.next().await {
                writer.write(&batch?)?;
            }
            writer.close()?;
            Ok::<(), DataFusionError>(())
        }));
    }
    for task in tasks {
        task.await
            .map_err(|e| DataFusionError::Execution(e.to_string()))??;
    }
    Ok(())
}

/// Child process: scan all of lineitem at `sf` and report the peak resident set size.
async fn rss_child(sf: f64) -> Result<()> {
    let ctx = context_with_lineitem(sf)?;
    let columns = Table::Lineitem.column_names().join(", ");
    let (rows, time) = drain(&ctx, &format!("SELECT {columns} FROM lineitem")).await?;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: unknown")
        .trim_start_matches("VmHWM:")
        .trim();
    println!(
        "full-width lineitem scan at SF {sf}: {rows} rows in {time:.2?} = {}, peak RSS {peak}",
        rate(rows, time)
    );
    Ok(())
}
