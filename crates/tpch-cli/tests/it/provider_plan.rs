//! Plans over the provider: statistics answer `count(*)` without a scan, key ranges and limits
//! reach the scan, declared ordering removes sorts, and the scan displays what it generates.

use crate::support::tpch_context;
use datafusion::arrow::array::{Array, Int64Array};
use datafusion::prelude::SessionContext;

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
async fn column_ranges_are_applied_by_the_scan() {
    let ctx = tpch_context(0.01, 4);
    // TPC-H Q1's predicate: folded to a date, applied exactly, no filter operator left.
    let q1 = "SELECT l_returnflag, count(*) FROM lineitem \
              WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY GROUP BY l_returnflag";
    let plan = physical_plan(&ctx, q1).await;
    println!("{plan}");
    assert!(plan.contains("filter=[l_shipdate <= 1998-09-02]"), "{plan}");
    assert!(!plan.contains("FilterExec"), "{plan}");
    // Q6's: three columns, decimals included.
    let q6 = "SELECT sum(l_extendedprice * l_discount) FROM lineitem \
              WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' \
              AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24";
    let plan = physical_plan(&ctx, q6).await;
    println!("{plan}");
    assert!(
        plan.contains(
            "filter=[l_shipdate BETWEEN 1994-01-01 AND 1994-12-31 AND l_discount BETWEEN 0.05 \
             AND 0.07 AND l_quantity <= 23.99]"
        ),
        "{plan}"
    );
    assert!(!plan.contains("FilterExec"), "{plan}");
    // What the scan cannot apply exactly stays with DataFusion.
    let plan = physical_plan(
        &ctx,
        "SELECT l_orderkey FROM lineitem WHERE l_shipmode = 'MAIL' OR l_quantity > 49",
    )
    .await;
    assert!(plan.contains("FilterExec"), "{plan}");
    // ... and `lineitem` checks it in the scan too, before drawing the columns it does not read
    // (late materialisation): `prefilter` in the scan, DataFusion's filter kept above; not when
    // the only column spared is the (cheap) order key, as just above.
    assert!(!plan.contains("prefilter"), "{plan}");
    let plan = physical_plan(
        &ctx,
        "SELECT l_orderkey, l_comment FROM lineitem WHERE l_shipmode = 'MAIL' OR l_quantity > 49",
    )
    .await;
    assert!(plan.contains("FilterExec"), "{plan}");
    assert!(
        plan.contains("prefilter=[l_shipmode = MAIL OR l_quantity > 49.00]"),
        "{plan}"
    );
    // A filtered count is counted, not taken from the statistics.
    let sql = "SELECT count(*) FROM lineitem WHERE l_shipdate < DATE '1992-02-01'";
    let plan = physical_plan(&ctx, sql).await;
    assert!(plan.contains("TpchScanExec"), "{plan}");
    let counted = single_i64(&ctx, sql).await;
    let all = single_i64(&ctx, "SELECT count(*) FROM lineitem").await;
    assert!(counted > 0 && counted < all / 50, "{counted} of {all}");
}

#[tokio::test]
async fn filtered_scans_estimate_their_rows() {
    use datafusion::physical_plan::StatisticsArgs;
    use datafusion::physical_plan::statistics::StatisticsContext;
    let ctx = tpch_context(0.01, 2);
    let df = ctx
        .sql("SELECT o_orderkey FROM orders WHERE o_orderdate < DATE '1995-03-15'")
        .await
        .unwrap();
    let plan = df.create_physical_plan().await.unwrap();
    let stats = StatisticsContext::new()
        .compute(plan.as_ref(), &StatisticsArgs::new())
        .unwrap();
    let rows = *stats.num_rows.get_value().unwrap();
    // Order dates are uniform over 2406 days, 1169 of them before 1995-03-15: about 48.6 %.
    assert!(!stats.num_rows.is_exact().unwrap(), "{stats:?}");
    assert!((7_000..=7_600).contains(&rows), "{rows}");
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
        let err = TpchTableProvider::try_new(Table::Lineitem, sf).unwrap_err();
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
        ("SELECT * FROM tpch.sf0.lineitem", "unknown schema 'sf0'"),
        ("SELECT * FROM tpch.sf7x.lineitem", "e.g. sf0_01, sf1, sf10"),
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

#[tokio::test]
async fn constructors_take_an_f64_or_a_validated_scale_factor() {
    use datafusion_dbgen::ScaleFactor;
    use datafusion_dbgen::provider::{TpchTableProvider, register_tpch};
    let sf = ScaleFactor::try_new(0.01).unwrap();
    let ctx = datafusion::prelude::SessionContext::new();
    register_tpch(&ctx, sf).unwrap();
    ctx.register_table(
        "li",
        std::sync::Arc::new(TpchTableProvider::lineitem(0.01).unwrap()),
    )
    .unwrap();
    let batches = ctx
        .sql("SELECT (SELECT count(*) FROM lineitem) = (SELECT count(*) FROM li) AS same")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    datafusion::assert_batches_eq!(
        ["+------+", "| same |", "+------+", "| true |", "+------+"],
        &batches
    );
    assert!(TpchTableProvider::orders(0.0).is_err());
    assert!(TpchTableProvider::try_new(datafusion_dbgen::Table::Part, sf).is_ok());
}
