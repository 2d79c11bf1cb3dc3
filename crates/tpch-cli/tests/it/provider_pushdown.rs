//! Projected, filtered and limited scans return exactly what a full scan followed by the same
//! projection, filter and limit returns, at every partition count from 1 to 16.
//!
//! The reference runs the same SQL over in-memory copies of the tables (one full scan each),
//! where DataFusion pushes nothing into the source.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::support::{tbl_text, tpch_context};
use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use datafusion_dbgen::Table;

const SF: f64 = 0.01;

/// Queries whose result is fully determined (compared as sorted row sets).
const QUERIES: &[&str] = &[
    "SELECT l_quantity, l_orderkey FROM lineitem",
    "SELECT l_shipmode, l_linenumber FROM lineitem WHERE l_orderkey BETWEEN 100 AND 3000",
    "SELECT * FROM lineitem WHERE l_orderkey >= 59000 AND l_quantity > 10",
    "SELECT l_extendedprice FROM lineitem WHERE l_orderkey < 40 OR l_orderkey = 59971",
    "SELECT o_orderkey, o_totalprice FROM orders WHERE o_orderkey < 1000 OR o_orderkey > 59000",
    "SELECT o_orderkey, o_orderstatus FROM orders WHERE o_orderkey IN (1, 7, 8, 32, 59972)",
    "SELECT count(*) FROM orders WHERE o_orderkey = 33",
    "SELECT count(*) FROM orders WHERE 9 < o_orderkey AND o_orderkey <= 31",
    "SELECT c_custkey, c_name FROM customer WHERE c_custkey > 1400",
    "SELECT * FROM part WHERE p_partkey <= 10",
    "SELECT ps_partkey, ps_suppkey, ps_availqty FROM partsupp WHERE 1990 < ps_partkey",
    "SELECT s_name, s_acctbal FROM supplier WHERE s_suppkey = 5",
    "SELECT p_name FROM part WHERE p_partkey < 0",
    "SELECT n_name FROM nation WHERE n_regionkey = 1",
    "SELECT l_orderkey, l_linenumber FROM lineitem ORDER BY l_orderkey, l_linenumber LIMIT 25",
    "SELECT o_orderkey FROM orders ORDER BY o_orderkey DESC LIMIT 5",
    "SELECT p_partkey, p_size FROM part WHERE p_partkey > 1500 ORDER BY p_partkey LIMIT 7",
    "SELECT count(*), sum(l_quantity) FROM lineitem",
    "SELECT count(*) FROM lineitem WHERE l_orderkey BETWEEN 30 AND 40",
    // Column ranges the scan applies itself (exact pushdown), on every table kind.
    "SELECT l_returnflag, l_linestatus, sum(l_quantity), count(*) FROM lineitem \
     WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY GROUP BY 1, 2",
    "SELECT l_orderkey, l_linenumber FROM lineitem WHERE l_shipdate >= DATE '1994-01-01' \
     AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR \
     AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24",
    "SELECT count(*) FROM lineitem WHERE l_shipdate < DATE '1992-02-01'",
    "SELECT l_shipdate, l_comment FROM lineitem WHERE l_shipdate > DATE '1998-11-20'",
    "SELECT * FROM lineitem WHERE l_orderkey > 59000 AND l_linenumber = 7",
    "SELECT l_orderkey FROM lineitem WHERE l_shipdate > DATE '2000-01-01'",
    "SELECT l_orderkey, l_linenumber FROM lineitem WHERE l_quantity = 50 \
     AND l_receiptdate > DATE '1998-01-01' ORDER BY 1, 2 LIMIT 3",
    // Filters `lineitem` checks in the scan before drawing the other columns (Inexact).
    "SELECT l_orderkey, l_linenumber, l_extendedprice FROM lineitem \
     WHERE l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate \
     AND l_shipdate < l_commitdate AND l_receiptdate >= DATE '1994-01-01'",
    "SELECT l_orderkey, l_linenumber, l_comment, l_suppkey FROM lineitem \
     WHERE (l_quantity BETWEEN 1 AND 11 AND l_shipmode IN ('AIR', 'AIR REG')) \
     OR (l_returnflag = 'R' AND l_shipinstruct = 'DELIVER IN PERSON')",
    "SELECT l_suppkey, l_partkey, l_tax, l_shipdate FROM lineitem \
     WHERE l_returnflag = 'R' AND l_discount > 0.05",
    "SELECT o_orderkey, o_orderdate FROM orders \
     WHERE o_orderdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-15'",
    "SELECT o_orderkey, o_orderstatus FROM orders \
     WHERE o_orderdate < DATE '1995-03-15' AND o_totalprice > 400000",
    "SELECT p_partkey, p_name FROM part WHERE p_size = 15 AND p_retailprice < 1000",
    "SELECT ps_partkey, ps_suppkey FROM partsupp WHERE ps_availqty < 100 AND ps_suppkey >= 90",
    "SELECT c_custkey FROM customer WHERE c_acctbal > 9900 AND c_nationkey = 3",
    "SELECT s_suppkey FROM supplier WHERE s_acctbal BETWEEN 0 AND 1000",
    "SELECT n_name FROM nation WHERE n_nationkey BETWEEN 3 AND 5",
];

/// Sorted result lines.
fn lines(batches: &[RecordBatch]) -> Vec<String> {
    let text = String::from_utf8(tbl_text(batches)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// The eight tables copied into memory from one full scan each.
async fn reference_context() -> SessionContext {
    let source = tpch_context(SF, 1);
    let ctx = SessionContext::new();
    for table in Table::ALL {
        let df = source.table(table.name()).await.unwrap();
        let schema = Arc::new(df.schema().as_arrow().clone());
        let batches = df.collect().await.unwrap();
        let mem = MemTable::try_new(schema, vec![batches]).unwrap();
        ctx.register_table(table.name(), Arc::new(mem)).unwrap();
    }
    ctx
}

async fn run(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql).await.unwrap().collect().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushdown_equals_full_scan_at_every_partition_count() {
    let reference = reference_context().await;
    let mut expected = Vec::new();
    for sql in QUERIES {
        expected.push(lines(&run(&reference, sql).await));
    }
    for partitions in 1..=16 {
        let ctx = tpch_context(SF, partitions);
        for (sql, want) in QUERIES.iter().zip(&expected) {
            let got = lines(&run(&ctx, sql).await);
            assert_eq!(&got, want, "{sql} with {partitions} partitions");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_without_order_returns_that_many_table_rows() {
    let reference = reference_context().await;
    let all: BTreeSet<String> = lines(&run(&reference, "SELECT * FROM lineitem").await)
        .into_iter()
        .collect();
    for partitions in 1..=16 {
        let ctx = tpch_context(SF, partitions);
        for limit in [0, 1, 100, 9000] {
            let got = lines(&run(&ctx, &format!("SELECT * FROM lineitem LIMIT {limit}")).await);
            assert_eq!(got.len(), limit, "{partitions} partitions, limit {limit}");
            assert!(got.iter().all(|l| all.contains(l)));
            let distinct: BTreeSet<&String> = got.iter().collect();
            assert_eq!(distinct.len(), limit, "rows repeated");
        }
    }
}

/// A limit over a filter the scan applies counts rows that pass it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_over_a_pushed_filter_returns_passing_rows() {
    let reference = reference_context().await;
    let filter = "l_shipdate >= DATE '1998-08-01' AND l_quantity = 1";
    let sql = format!("SELECT * FROM lineitem WHERE {filter}");
    let passing: BTreeSet<String> = lines(&run(&reference, &sql).await).into_iter().collect();
    assert!(passing.len() > 20, "{}", passing.len());
    for partitions in [1, 3, 16] {
        let ctx = tpch_context(SF, partitions);
        for limit in [1, 7, 20] {
            let got = lines(&run(&ctx, &format!("{sql} LIMIT {limit}")).await);
            assert_eq!(got.len(), limit, "{partitions} partitions, limit {limit}");
            assert!(got.iter().all(|l| passing.contains(l)), "{got:?}");
        }
    }
}
