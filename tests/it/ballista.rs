//! Ballista: a scheduler and two executors on loopback inside the test process run the 22
//! queries on the generating tables at SF 0.01, every answer equal to the official one.
#![cfg(feature = "ballista")]

use datafusion_dbgen::bench::{answer, check_answer, query};
use datafusion_dbgen::distributed::LocalCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_22_queries_on_a_two_executor_cluster() {
    let cluster = LocalCluster::start(2, 1, 4).await.unwrap();
    let ctx = cluster.context(0.01, 4).await.unwrap();
    for n in 1..=22 {
        let sql = query(n).unwrap();
        let batches = ctx.sql(sql).await.unwrap().collect().await;
        let batches = batches.unwrap_or_else(|e| panic!("q{n:02} on Ballista: {e}"));
        check_answer(&batches, answer(0.01, n).unwrap())
            .unwrap_or_else(|e| panic!("q{n:02} on Ballista: {e}"));
    }
    // Each task generates only its own part: a sum over all of lineitem is not multiplied.
    let sum = ctx
        .sql("SELECT sum(l_quantity) AS q FROM lineitem")
        .await
        .unwrap();
    let batches = sum.collect().await.unwrap();
    datafusion::assert_batches_eq!(
        [
            "+------------+",
            "| q          |",
            "+------------+",
            "| 1536127.00 |",
            "+------------+"
        ],
        &batches
    );
    // Both executors generated parts (each counts the scan parts in the task plans it ran).
    let parts = cluster.parts_run();
    assert_eq!(parts.len(), 2);
    assert!(
        parts.iter().all(|&p| p > 0),
        "scan parts per executor: {parts:?}"
    );
}
