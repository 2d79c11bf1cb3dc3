//! The data the provider streams is dbgen's data: every table at SF 0.01, formatted back to
//! `.tbl` text, has the checksum of dbgen's file, and at SF 0.1 each of 3 scan partitions is
//! exactly dbgen's chunk file (`dbgen -C 3 -S i`).

mod provider_common;

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties, common::collect};
use datafusion::prelude::SessionContext;
use datafusion_dbgen::Table;
use datafusion_dbgen::provider::TpchTableProvider;
use provider_common::{reference_rows, sha256_hex, tbl_text};

/// Each partition's batches, in partition order.
async fn scan_partitions(table: Table, sf: f64, partitions: usize) -> Vec<Vec<RecordBatch>> {
    let provider = TpchTableProvider::new(table, sf).unwrap();
    let plan: Arc<dyn ExecutionPlan> =
        Arc::new(provider.scan_plan(None, &[], None, partitions).unwrap());
    let task = SessionContext::new().task_ctx();
    let mut out = Vec::new();
    for p in 0..plan.output_partitioning().partition_count() {
        out.push(
            collect(plan.execute(p, task.clone()).unwrap())
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
