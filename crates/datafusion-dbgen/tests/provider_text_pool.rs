//! A scan that projects no comment column never builds dbgen's 300 MiB text pool.
//!
//! Alone in its own test binary (so its own process): no other test can have built the pool.

use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_dbgen::Table;
use datafusion_dbgen::bench::query;
use datafusion_dbgen::generator::text::text_pool_is_built;
use datafusion_dbgen::provider::register_tpch;

fn tpch_context(sf: f64, partitions: usize) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    register_tpch(&ctx, sf).expect("register tpch");
    ctx
}

#[tokio::test]
async fn scans_without_comments_do_not_build_the_text_pool() {
    assert!(!text_pool_is_built(), "pool built before the test");
    let ctx = tpch_context(0.01, 4);
    let without_comment = Table::Lineitem.column_names()[..15].join(", ");
    let sqls = [
        format!("SELECT {without_comment} FROM lineitem"),
        "SELECT l_quantity FROM lineitem".to_string(),
        query(1).unwrap().to_string(),
        query(6).unwrap().to_string(),
    ];
    for sql in &sqls {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        assert!(!batches.is_empty());
        assert!(!text_pool_is_built(), "pool built by {sql}");
    }
    // The comment column is what needs it.
    ctx.sql("SELECT l_comment FROM lineitem LIMIT 1")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert!(text_pool_is_built());
}
