//! Cancelling a query stops generation at once: a satisfied `LIMIT` over a huge table returns
//! quickly, and dropping a running query's stream leaves no work and no thread behind.

use std::time::{Duration, Instant};

use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_dbgen::provider::register_tpch_functions;
use futures::StreamExt;

fn context() -> SessionContext {
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
    register_tpch_functions(&ctx);
    ctx
}

/// CPU time (user + system) this process has used so far.
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_over_a_huge_table_is_quick() {
    let ctx = context();
    let started = Instant::now();
    // SF 1000: six billion line items; only the first few are generated.
    let batches = ctx
        .sql("SELECT l_orderkey, l_quantity FROM tpch_lineitem(1000) LIMIT 5")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 5);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_running_query_stops_generation() {
    let ctx = context();
    let threads_before = thread_count();
    // SF 100 lineitem: minutes of generation if nothing stopped it.
    let mut stream = ctx
        .sql("SELECT l_returnflag, sum(l_extendedprice) FROM tpch_lineitem(100) GROUP BY l_returnflag")
        .await
        .unwrap()
        .execute_stream()
        .await
        .unwrap();
    let running = tokio::spawn(async move { stream.next().await.map(|r| r.map(|b| b.num_rows())) });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !running.is_finished(),
        "query finished too early to test cancellation"
    );
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    // Aborted partition tasks stop at their next yield (a budget of batches); within a few
    // seconds the process must be idle: 300 ms windows using under 30 ms of CPU.
    let cancelled = Instant::now();
    let idle_after = loop {
        let before = cpu_time();
        tokio::time::sleep(Duration::from_millis(300)).await;
        if cpu_time() - before < Duration::from_millis(30) {
            break cancelled.elapsed();
        }
        assert!(
            cancelled.elapsed() < Duration::from_secs(5),
            "still generating 5 s after the query was dropped"
        );
    };
    eprintln!("idle {idle_after:?} after cancelling");
    assert!(thread_count() <= threads_before, "threads left running");
}
