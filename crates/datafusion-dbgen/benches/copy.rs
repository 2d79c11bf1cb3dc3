//! SQL `COPY lineitem TO … STORED AS PARQUET | CSV | TBL`: the crate's writer plan
//! (`datafusion_dbgen::copy`, one file per partition through the shared sink) against
//! DataFusion's built-in writer, in the same process, with the same session settings
//! (target partitions, batch size) and the same generating table provider.
//!
//! ```text
//! cargo bench --bench copy                      # SF 1, release (bench profile)
//! COPY_BENCH_SF=0.1 cargo bench --bench copy    # smaller
//! cargo run --bench copy -- --sf 0.1            # dev profile (not representative of release)
//! ```
//!
//! Knobs (environment or `--name value`): `COPY_BENCH_SF` (1), `COPY_BENCH_PARTITIONS`
//! (available cores), `COPY_BENCH_REPS` (3; best run reported), `COPY_BENCH_DIR` (target dir:
//! `$CARGO_TARGET_DIR/copy-bench`), `COPY_BENCH_ONLY` (substring of "format/writer"),
//! `TPCH_IO_BACKEND` (the crate's sink back end). Each run writes into an empty directory
//! after `sync(2)`; page cache only (no fsync) for both writers. Prints one line per case and
//! the speed-up of the crate's writer.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_dbgen::copy::{CopyConfig, register_with};
use datafusion_dbgen::provider::register_tpch;

struct Settings {
    sf: f64,
    partitions: usize,
    reps: usize,
    dir: PathBuf,
    only: Option<String>,
}

fn setting(args: &[String], name: &str, env: &str) -> Option<String> {
    let flag = format!("--{name}");
    args.windows(2)
        .find(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .or_else(|| std::env::var(env).ok())
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    Settings {
        sf: setting(&args, "sf", "COPY_BENCH_SF")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1.0),
        partitions: setting(&args, "partitions", "COPY_BENCH_PARTITIONS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(cores),
        reps: setting(&args, "reps", "COPY_BENCH_REPS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(3)
            .max(1),
        dir: setting(&args, "dir", "COPY_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(target).join("copy-bench")),
        only: setting(&args, "only", "COPY_BENCH_ONLY"),
    }
}

fn context(s: &Settings, ours: bool) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(s.partitions);
    let ctx = SessionContext::new_with_config(config);
    register_tpch(&ctx, s.sf).expect("register tpch");
    if ours {
        register_with(&ctx, CopyConfig::from_env().expect("TPCH_IO_BACKEND")).expect("register");
    }
    ctx
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| if m.is_dir() { 0 } else { m.len() })
                .sum()
        })
        .unwrap_or(0)
}

fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create bench dir");
    unsafe { libc::sync() };
}

/// Best wall time of `reps` COPYs, the rows of the last and the bytes written.
async fn measure(ctx: &SessionContext, sql: &str, dir: &Path, reps: usize) -> (Duration, u64, u64) {
    let mut best = Duration::MAX;
    let mut rows = 0;
    for _ in 0..reps {
        fresh(dir);
        let start = Instant::now();
        let batches = ctx
            .sql(sql)
            .await
            .expect("plan")
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        best = best.min(start.elapsed());
        use datafusion::arrow::array::AsArray;
        rows = batches[0]
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::UInt64Type>()
            .value(0);
    }
    (best, rows, dir_bytes(dir))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let s = settings();
    let profile = if cfg!(debug_assertions) {
        "dev (debug assertions: not representative)"
    } else {
        "release"
    };
    println!(
        "COPY lineitem at SF {} with {} partitions, best of {}, profile {profile}, dir {}",
        s.sf,
        s.partitions,
        s.reps,
        s.dir.display()
    );
    let ours = context(&s, true);
    let theirs = context(&s, false);
    // What the plan will run: `Auto` is resolved by the partition count (inline writes when the
    // partitions fill every core).
    let backend = CopyConfig::from_env()
        .map(|c| c.sink.for_producers(s.partitions).expected_backend().name())
        .unwrap_or("?");
    for (format, stored_as) in [("parquet", "PARQUET"), ("csv", "CSV"), ("tbl", "TBL")] {
        let mut times = Vec::new();
        for (writer, ctx) in [("datafusion", &theirs), ("dbgen", &ours)] {
            if format == "tbl" && writer == "datafusion" {
                continue; // DataFusion has no `.tbl` writer.
            }
            let case = format!("{format}/{writer}");
            if s.only.as_deref().is_some_and(|o| !case.contains(o)) {
                continue;
            }
            let dir = s.dir.join(&case);
            let sql = format!(
                "COPY lineitem TO '{}/' STORED AS {stored_as}",
                dir.display()
            );
            let (time, rows, bytes) = measure(ctx, &sql, &dir, s.reps).await;
            let secs = time.as_secs_f64();
            println!(
                "{case:<20} {secs:>8.3} s  {rows:>10} rows  {:>8.1} MiB  {:>7.1} MiB/s{}",
                bytes as f64 / (1 << 20) as f64,
                bytes as f64 / (1 << 20) as f64 / secs,
                if writer == "dbgen" {
                    format!("  (sink {backend})")
                } else {
                    String::new()
                }
            );
            times.push((writer, secs));
        }
        if let [("datafusion", df), ("dbgen", ours)] = times[..] {
            println!("{format:<20} speed-up {:.2}x", df / ours);
        }
    }
    let _ = std::fs::remove_dir_all(&s.dir);
}
