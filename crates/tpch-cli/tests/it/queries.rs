//! The 22 TPC-H queries over the generating provider, every row compared with the answers
//! computed on dbgen's own data (data/answers, see data/templates for the SQL).

use crate::support::run_queries;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpch_queries_sf0_01() {
    run_queries(0.01, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpch_queries_sf0_1() {
    run_queries(0.1, 2).await;
}

/// SF 1: minutes in the dev profile; run with `cargo test --test it queries -- --ignored`
/// (faster with `--release`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "SF 1 takes minutes; run explicitly"]
async fn tpch_queries_sf1() {
    run_queries(1.0, 2).await;
}
