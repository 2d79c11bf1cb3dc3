//! Plans over the provider: statistics answer `count(*)` without a scan, key ranges and limits
//! reach the scan, declared ordering removes sorts, and the scan displays what it generates.

mod provider_common;

use datafusion::arrow::array::{Array, Int64Array};
use datafusion::prelude::SessionContext;
use provider_common::tpch_context;

/// The physical plan of `sql`, as EXPLAIN prints it.
async fn physical_plan(ctx: &SessionContext, sql: &str) -> String {
    let batches = ctx
        .sql(&format!("EXPLAIN {sql}"))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    let start = text
        .find("physical_plan")
        .expect("physical plan in EXPLAIN");
    text[start..].to_string()
}

async fn single_i64(ctx: &SessionContext, sql: &str) -> i64 {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let column = batches[0].column(0);
    let values = column
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("Int64 result");
    assert_eq!(values.len(), 1);
    values.value(0)
}

#[tokio::test]
async fn count_star_comes_from_statistics() {
    let ctx = tpch_context(0.01, 4);
    for (table, rows) in [
        ("lineitem", 60_175),
        ("orders", 15_000),
        ("partsupp", 8_000),
        ("nation", 25),
    ] {
        let sql = format!("SELECT count(*) FROM {table}");
        let plan = physical_plan(&ctx, &sql).await;
        assert!(!plan.contains("TpchScanExec"), "{table} scanned:\n{plan}");
        assert!(plan.contains("PlaceholderRowExec"), "{plan}");
        assert_eq!(single_i64(&ctx, &sql).await, rows);
    }
    let sql = "SELECT min(o_orderkey), max(o_orderkey) FROM orders";
    let plan = physical_plan(&ctx, sql).await;
    assert!(!plan.contains("TpchScanExec"), "{plan}");
}

#[tokio::test]
async fn explain_shows_the_scan() {
    let ctx = tpch_context(0.01, 4);
    let plan = physical_plan(&ctx, "SELECT l_quantity FROM lineitem").await;
    println!("{plan}");
    assert!(
        plan.contains(
            "TpchScanExec: table=lineitem, sf=0.01, partitions=4, projection=[l_quantity]"
        ),
        "{plan}"
    );
}

#[tokio::test]
async fn key_ranges_reach_the_scan() {
    let ctx = tpch_context(0.01, 4);
    let plan = physical_plan(
        &ctx,
        "SELECT l_quantity FROM lineitem WHERE l_orderkey BETWEEN 100 AND 3000",
    )
    .await;
    println!("{plan}");
    // The scan shows the keys it generates: 3000 is no order key, 2983 is the last one below.
    assert!(plan.contains("keys=100..=2983"), "{plan}");
    let plan = physical_plan(
        &ctx,
        "SELECT o_comment FROM orders WHERE o_orderkey > 59000",
    )
    .await;
    assert!(plan.contains("keys=59008..=60000"), "{plan}");
    let plan = physical_plan(&ctx, "SELECT c_name FROM customer WHERE c_custkey = 7").await;
    assert!(
        plan.contains("partitions=1") && plan.contains("keys=7..=7"),
        "{plan}"
    );
}

#[tokio::test]
async fn limits_reach_the_scan() {
    let ctx = tpch_context(0.01, 4);
    let plan = physical_plan(&ctx, "SELECT * FROM lineitem LIMIT 10").await;
    println!("{plan}");
    assert!(plan.contains("fetch=10"), "{plan}");
}

#[tokio::test]
async fn key_order_needs_no_sort() {
    let ctx = tpch_context(0.01, 4);
    let plan = physical_plan(
        &ctx,
        "SELECT l_orderkey, l_linenumber, l_tax FROM lineitem ORDER BY l_orderkey, l_linenumber",
    )
    .await;
    println!("{plan}");
    assert!(!plan.contains("SortExec"), "{plan}");
    assert!(plan.contains("SortPreservingMergeExec"), "{plan}");
}

#[tokio::test]
async fn catalog_and_table_functions() {
    let ctx = SessionContext::new();
    datafusion_dbgen::provider::register_tpch_catalog(&ctx);
    datafusion_dbgen::provider::register_tpch_functions(&ctx);
    assert_eq!(
        single_i64(&ctx, "SELECT count(*) FROM tpch.sf0_01.lineitem").await,
        60_175
    );
    assert_eq!(
        single_i64(&ctx, "SELECT count(*) FROM tpch.sf0_1.orders").await,
        150_000
    );
    assert_eq!(
        single_i64(&ctx, "SELECT count(*) FROM tpch_orders(0.01)").await,
        15_000
    );
    assert_eq!(
        single_i64(&ctx, "SELECT count(*) FROM tpch_supplier(1)").await,
        10_000
    );
    assert_eq!(
        single_i64(&ctx, "SELECT max(n_regionkey) FROM tpch_nation('0.01')").await,
        4
    );
    assert_eq!(
        single_i64(
            &ctx,
            "SELECT count(*) FROM tpch_customer(0.01) c JOIN tpch.sf0_01.nation n ON c.c_nationkey = n.n_nationkey"
        )
        .await,
        1_500
    );
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    use datafusion_dbgen::Table;
    use datafusion_dbgen::provider::TpchTableProvider;

    for sf in [0.0, -1.0, f64::NAN, 1e9] {
        let err = TpchTableProvider::new(Table::Lineitem, sf).unwrap_err();
        assert!(err.to_string().contains("invalid scale factor"), "{err}");
    }
    let err = TpchTableProvider::by_name("items", 1.0).unwrap_err();
    assert!(err.to_string().contains("unknown table 'items'"), "{err}");
    let ctx = SessionContext::new();
    assert!(datafusion_dbgen::provider::register_tpch(&ctx, 0.0).is_err());
    datafusion_dbgen::provider::register_tpch_functions(&ctx);
    datafusion_dbgen::provider::register_tpch_catalog(&ctx);
    for (sql, message) in [
        ("SELECT * FROM tpch_lineitem(-1)", "invalid scale factor"),
        ("SELECT * FROM tpch_lineitem()", "takes one argument"),
        ("SELECT * FROM tpch_lineitem(1, 2)", "takes one argument"),
        ("SELECT * FROM tpch_lineitem('big')", "must be a number"),
        ("SELECT * FROM tpch.sf0.lineitem", "not found"),
        ("SELECT * FROM tpch.sf1.items", "not found"),
    ] {
        let result = match ctx.sql(sql).await {
            Ok(df) => df.collect().await.map(|_| ()),
            Err(e) => Err(e),
        };
        let err = result.expect_err(sql);
        assert!(err.to_string().contains(message), "{sql}: {err}");
    }
}
