//! The refresh functions RF1 (insert a refresh set's orders and line items) and RF2 (delete a
//! refresh set's orders and their line items) against the tables of a benchmark session.
//!
//! One path for every source that takes DML: `INSERT` of the set's rows, and a `DELETE` whose
//! predicate names the keys exactly (`o_orderkey BETWEEN lo AND hi AND o_orderkey % 32 < 8`:
//! the base orders of the set's indices). No subquery: DataFusion 55 plans `DELETE … WHERE key
//! IN (SELECT …)` as a semi join and its memory table then deletes every row
//! (apache/datafusion#24654).
//!
//! - [`Source::Memory`]: the statements run on DataFusion's memory tables;
//! - [`Source::Provider`]: the same statements on the generating tables, which stay generated
//!   (`provider::RefreshableTable`: an overlay holds the inserted rows and leaves the deleted
//!   orders out of every scan);
//! - [`Source::Parquet`]: not supported (DataFusion 55's Parquet tables take no `DELETE`).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use super::error::BenchError;
use super::source::{Source, session_config};
use crate::arrow::{DEFAULT_BATCH_SIZE, TableBatches, table_schema};
use crate::provider::keys::key_column;
use crate::provider::{RefreshCounts, register_tpch_refreshable};
use crate::session::TpchSession;
use tpch_dbgen::text::text_pool_with_threads;
use tpch_dbgen::{RefreshSet, ScaleFactor, Table};

/// Runs RF1 and RF2 against one session's tables (see the module docs).
#[derive(Clone)]
pub struct Refresher {
    sf: ScaleFactor,
    ctx: SessionContext,
    source: &'static str,
}

/// A session with the eight tables of `source` at `sf` that the refresh functions can change,
/// and the [`Refresher`] that changes them. [`Source::Parquet`] is an error that says why.
pub async fn refreshable_context(
    source: &Source,
    sf: &ScaleFactor,
    target_partitions: usize,
) -> Result<(SessionContext, Refresher), BenchError> {
    let refresher = |ctx: &SessionContext, source| Refresher {
        sf: *sf,
        ctx: ctx.clone(),
        source,
    };
    match source {
        Source::Provider => {
            let ctx = TpchSession::new()
                .with_copy(None)
                .context(session_config(target_partitions))?;
            register_tpch_refreshable(&ctx, *sf)?;
            // The generator's part of the load: the text pool every comment column (and each
            // refresh set) reads, built once here as the memory source builds it while loading,
            // so RF1 and the first queries time their own work.
            let threads = target_partitions.max(1);
            tokio::task::spawn_blocking(move || {
                text_pool_with_threads(threads);
            })
            .await
            .map_err(|e| {
                BenchError::InvalidOption(format!("building the text pool failed: {e}"))
            })?;
            let refresher = refresher(&ctx, "provider");
            Ok((ctx, refresher))
        }
        Source::Memory => {
            let ctx = super::source::tpch_context(source, *sf, target_partitions).await?;
            let refresher = refresher(&ctx, "memory");
            Ok((ctx, refresher))
        }
        Source::Parquet(dir) => Err(BenchError::InvalidOption(format!(
            "the refresh functions cannot run on parquet:{}: DataFusion 55 reads Parquet \
             through ListingTable, which has no DELETE (RF2); use --source memory or provider",
            dir.display()
        ))),
        #[cfg(feature = "ballista")]
        Source::ClusterParquet { dir, .. } => Err(BenchError::InvalidOption(format!(
            "the refresh functions cannot run on parquet:{}: DataFusion 55 reads Parquet \
             through ListingTable, which has no DELETE (RF2)",
            dir.display()
        ))),
        #[cfg(feature = "ballista")]
        Source::Cluster(url) => Err(BenchError::InvalidOption(format!(
            "the refresh functions cannot run on cluster:{url}: the refreshed tables' overlay \
             lives in this process and is not shipped to executors; use --source memory or provider"
        ))),
    }
}

impl std::fmt::Debug for Refresher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refresher")
            .field("sf", &self.sf.value())
            .field("tables", &self.source)
            .finish()
    }
}

impl Refresher {
    /// The scale factor of the tables.
    pub fn scale_factor(&self) -> &ScaleFactor {
        &self.sf
    }

    /// RF1 of refresh set `set`: inserts its orders and line items.
    pub async fn rf1(&self, set: u32) -> Result<RefreshCounts, BenchError> {
        let set = RefreshSet::try_new(&self.sf, set)?;
        Ok(RefreshCounts {
            orders: insert(&self.ctx, &set, Table::Orders).await?,
            lineitems: insert(&self.ctx, &set, Table::Lineitem).await?,
        })
    }

    /// RF2 of refresh set `set`: deletes its orders and their line items.
    pub async fn rf2(&self, set: u32) -> Result<RefreshCounts, BenchError> {
        let set = RefreshSet::try_new(&self.sf, set)?;
        Ok(RefreshCounts {
            orders: delete(&self.ctx, &set, Table::Orders).await?,
            lineitems: delete(&self.ctx, &set, Table::Lineitem).await?,
        })
    }
}

/// `INSERT INTO <table>` the set's rows; returns the rows inserted.
async fn insert(ctx: &SessionContext, set: &RefreshSet, table: Table) -> Result<u64, BenchError> {
    let batches = TableBatches::refresh_set(set, table, DEFAULT_BATCH_SIZE)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(datafusion::error::DataFusionError::from)?;
    let rows = MemTable::try_new(table_schema(table), vec![batches])?;
    let result = ctx
        .read_table(Arc::new(rows))?
        .write_table(table.name(), DataFrameWriteOptions::new())
        .await?;
    Ok(count(&result))
}

/// `DELETE FROM` `table` (orders or lineitem) the set's base orders; returns the rows deleted.
async fn delete(ctx: &SessionContext, set: &RefreshSet, table: Table) -> Result<u64, BenchError> {
    let keys = set.delete_key_range();
    let key = key_column(table).unwrap_or("o_orderkey");
    // Base keys are slot 0 of every 32 (key % 32 < 8): exactly the set's deleted orders.
    let sql = format!(
        "DELETE FROM {} WHERE {key} BETWEEN {} AND {} AND {key} % 32 < 8",
        table.name(),
        keys.start(),
        keys.end()
    );
    let result = ctx.sql(&sql).await?.collect().await?;
    Ok(count(&result))
}

/// The row count a DML statement returns (`count: UInt64`, one row).
fn count(batches: &[datafusion::arrow::array::RecordBatch]) -> u64 {
    batches
        .iter()
        .filter(|b| b.num_columns() == 1)
        .filter_map(|b| b.column(0).as_primitive_opt::<UInt64Type>())
        .flat_map(|a| (0..a.len()).filter(|&i| a.is_valid(i)).map(|i| a.value(i)))
        .sum()
}
