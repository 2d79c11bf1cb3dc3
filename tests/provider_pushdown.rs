//! Projected, filtered and limited scans return exactly what a full scan followed by the same
//! projection, filter and limit returns, at every partition count from 1 to 16.
//!
//! The reference runs the same SQL over in-memory copies of the tables (one full scan each),
//! where DataFusion pushes nothing into the source.

mod provider_common;

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use datafusion_dbgen::Table;
use provider_common::{tbl_text, tpch_context};

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
