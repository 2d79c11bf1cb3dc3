//! The data the provider streams is dbgen's data: every table at SF 0.01, formatted back to
//! `.tbl` text, has the checksum of dbgen's file, and at SF 0.1 each of 3 scan partitions is
//! exactly dbgen's chunk file (`dbgen -C 3 -S i`).

use std::sync::Arc;

use crate::support::{reference_rows, sha256_hex, tbl_text};
use datafusion::arrow::array::RecordBatch;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties, common::collect};
use datafusion::prelude::SessionContext;
use datafusion_dbgen::Table;
use datafusion_dbgen::provider::TpchTableProvider;

/// Each partition's batches, in partition order.
async fn scan_partitions(table: Table, sf: f64, partitions: usize) -> Vec<Vec<RecordBatch>> {
    let provider = TpchTableProvider::try_new(table, sf).unwrap();
    let plan: Arc<dyn ExecutionPlan> =
        Arc::new(provider.scan_plan(None, &[], None, partitions).unwrap());
    let task = SessionContext::new().task_ctx();
    let mut out = Vec::new();
    for p in 0..plan.output_partitioning().partition_count() {
        out.push(
            collect(plan.execute(p, Arc::clone(&task)).unwrap())
                .await
                .unwrap(),
        );
    }
    out
}

#[tokio::test]
async fn every_table_at_sf0_01_equals_dbgen() {
    let checksums = reference_rows("checksums.tsv");
    for table in Table::ALL {
        // Any partition count gives the same rows in the same order.
        let partitions = scan_partitions(table, 0.01, 5).await;
        let batches: Vec<RecordBatch> = partitions.into_iter().flatten().collect();
        let text = tbl_text(&batches);
        let reference = checksums
            .iter()
            .find(|r| r[0] == "0.01" && r[1] == table.name())
            .expect("reference row");
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows.to_string(), reference[2], "{table} rows");
        assert_eq!(text.len().to_string(), reference[3], "{table} bytes");
        assert_eq!(sha256_hex(&text), reference[4], "{table} sha256");
    }
}

#[tokio::test]
async fn partitions_are_dbgen_chunks_at_sf0_1() {
    let chunks = reference_rows("chunks.tsv");
    for table in Table::ALL.into_iter().filter(|t| !t.is_fixed()) {
        let partitions = scan_partitions(table, 0.1, 3).await;
        assert_eq!(partitions.len(), 3, "{table}");
        for (i, batches) in partitions.iter().enumerate() {
            let reference = chunks
                .iter()
                .find(|r| {
                    r[0] == "0.1"
                        && r[1] == table.name()
                        && r[2] == "3"
                        && r[3] == (i + 1).to_string()
                })
                .expect("chunk reference");
            let text = tbl_text(batches);
            assert_eq!(sha256_hex(&text), reference[6], "{table} chunk {}", i + 1);
        }
    }
}

/// `SELECT * FROM <table> WHERE <key> BETWEEN first AND last` in one partition, as `.tbl` text.
async fn key_range_text(table: Table, sf: f64, first: &str, last: &str) -> Vec<u8> {
    let ctx = crate::support::tpch_context(sf, 1);
    let key = if table == Table::Orders {
        "o_orderkey"
    } else {
        "l_orderkey"
    };
    let sql = format!("SELECT * FROM {table} WHERE {key} BETWEEN {first} AND {last}");
    tbl_text(&ctx.sql(&sql).await.unwrap().collect().await.unwrap())
}

/// At SF 30000 dbgen draws `o_custkey` and `l_partkey` from its 64-bit generator, restarting at
/// each chunk; the provider's default chunks (15 000 orders) are dbgen's `-C 3000000` there.
#[tokio::test]
async fn sf30000_chunks_equal_dbgen_and_start_anywhere() {
    for r in reference_rows("chunks.tsv")
        .into_iter()
        .filter(|r| r[0] == "30000" && r[2] == "3000000")
    {
        let table: Table = r[1].parse().unwrap();
        let text = key_range_text(table, 30000.0, &r[7], &r[8]).await;
        assert_eq!(text.len().to_string(), r[5], "{table} chunk {} bytes", r[3]);
        assert_eq!(sha256_hex(&text), r[6], "{table} chunk {} sha256", r[3]);
        if r[3] == "1" {
            // Starting deep in the chunk (the provider replays the 64-bit stream from its
            // start) gives the same rows as reading the chunk from its start.
            let tail = key_range_text(table, 30000.0, "33088", &r[8]).await;
            let at = text
                .windows(7)
                .position(|w| w == b"\n33088|")
                .expect("order 33088")
                + 1;
            assert_eq!(tail, &text[at..], "{table} from order 33088");
        }
    }
}
