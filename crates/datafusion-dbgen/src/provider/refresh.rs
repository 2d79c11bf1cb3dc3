//! The refresh functions on the generating tables: `orders` and `lineitem` stay generated while
//! an overlay holds what RF1 inserted and which orders RF2 deleted.
//!
//! RF2 deletes base orders by their generator rows, and a line item's generator row is its
//! order's, so one list of deleted row ranges serves both tables: their scans leave those rows
//! out ([`TpchScanExec::without_rows`]), statistics included, so `count(*)` stays exact. RF1's
//! rows (a refresh set is 0.1 % of the orders) are kept as Arrow batches and scanned with the
//! generated rows. A refresh set's inserted keys never collide with base keys (another key
//! slot), so RF2 of a set never needs to touch inserted rows.
//!
//! ```
//! use datafusion::prelude::SessionContext;
//! use datafusion_dbgen::generator::{RefreshSet, ScaleFactor};
//! use datafusion_dbgen::provider::register_tpch_refreshable;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sf = ScaleFactor::try_new(0.01)?;
//! let ctx = SessionContext::new();
//! let refresh = register_tpch_refreshable(&ctx, sf)?;
//! let set = RefreshSet::try_new(&sf, 1)?;
//! refresh.insert(&set)?; // RF1: 10 orders and their line items
//! refresh.delete(&set); // RF2: base orders 1..=7 and 32..=34, with their line items
//! let count = "SELECT count(*) AS n FROM orders";
//! let batches = ctx.sql(count).await?.collect().await?;
//! datafusion::assert_batches_eq!(["+-------+", "| n     |", "+-------+", "| 15000 |", "+-------+"], &batches);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{DFSchema, Statistics};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::filter::FilterExecBuilder;
use datafusion::physical_plan::union::UnionExec;
use datafusion::prelude::SessionContext;

use super::table::TpchTableProvider;
use crate::arrow::{DEFAULT_BATCH_SIZE, TableBatches};
use tpch_dbgen::{RefreshSet, RowRange, ScaleFactor, Table, count_lines};

/// What the refresh functions changed in one scale factor's `orders` and `lineitem`.
#[derive(Debug)]
pub struct RefreshState {
    sf: ScaleFactor,
    changes: RwLock<Changes>,
}

#[derive(Debug, Default, Clone)]
struct Changes {
    /// Base generator rows deleted (orders, and the line items of those orders).
    deleted: Vec<RowRange>,
    orders: Vec<RecordBatch>,
    lineitem: Vec<RecordBatch>,
    /// Refresh sets inserted and deleted so far, in order (`+k` / `-k`), for display.
    applied: Vec<i64>,
}

/// Rows one refresh function changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshCounts {
    /// Orders inserted or deleted.
    pub orders: u64,
    /// Line items inserted or deleted.
    pub lineitems: u64,
}

impl RefreshState {
    /// No changes yet, at `sf`.
    pub fn new(sf: ScaleFactor) -> Arc<RefreshState> {
        Arc::new(RefreshState {
            sf,
            changes: RwLock::default(),
        })
    }

    /// The scale factor.
    pub fn scale_factor(&self) -> &ScaleFactor {
        &self.sf
    }

    fn changes(&self) -> Changes {
        match self.changes.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn update<T>(&self, f: impl FnOnce(&mut Changes) -> T) -> T {
        match self.changes.write() {
            Ok(mut c) => f(&mut c),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// RF1 of `set`: its orders and line items join the tables.
    pub fn insert(&self, set: &RefreshSet) -> Result<RefreshCounts> {
        self.check_set(set)?;
        let collect = |table| -> Result<Vec<RecordBatch>> {
            TableBatches::refresh_set(set, table, DEFAULT_BATCH_SIZE)?
                .map(|b| b.map_err(DataFusionError::from))
                .collect()
        };
        let (orders, lineitem) = (collect(Table::Orders)?, collect(Table::Lineitem)?);
        let rows = |b: &[RecordBatch]| b.iter().map(|b| b.num_rows() as u64).sum();
        let counts = RefreshCounts {
            orders: rows(&orders),
            lineitems: rows(&lineitem),
        };
        self.update(|c| {
            c.orders.extend(orders);
            c.lineitem.extend(lineitem);
            c.applied.push(i64::from(set.number()));
        });
        Ok(counts)
    }

    /// RF2 of `set`: its base orders and their line items leave the tables. Returns the orders
    /// removed (none when the set was deleted before).
    pub fn delete(&self, set: &RefreshSet) -> RefreshCounts {
        let rows = set.delete_rows();
        self.update(|c| {
            let fresh = rows.without(&c.deleted);
            c.deleted.push(rows);
            c.applied.push(-i64::from(set.number()));
            RefreshCounts {
                orders: fresh.iter().map(RowRange::len).sum(),
                lineitems: fresh.iter().map(|r| count_lines(&self.sf, *r)).sum(),
            }
        })
    }

    /// Forgets every change (the tables are the generated ones again).
    pub fn reset(&self) {
        self.update(|c| *c = Changes::default());
    }

    /// The refresh functions applied so far: `+k` for RF1 of set k, `-k` for RF2.
    pub fn applied(&self) -> Vec<i64> {
        self.changes().applied
    }

    fn check_set(&self, set: &RefreshSet) -> Result<()> {
        if set.scale_factor().value() != self.sf.value() {
            return Err(DataFusionError::Plan(format!(
                "refresh set {} is of scale factor {}, the tables of {}",
                set.number(),
                set.scale_factor().value(),
                self.sf.value()
            )));
        }
        Ok(())
    }
}

/// `orders` or `lineitem` with the refresh functions' changes ([`RefreshState`]).
pub struct RefreshableTable {
    base: TpchTableProvider,
    state: Arc<RefreshState>,
}

impl fmt::Debug for RefreshableTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshableTable")
            .field("table", &self.base.table())
            .field("applied", &self.state.applied())
            .finish()
    }
}

impl RefreshableTable {
    /// `table` (`orders` or `lineitem`) of `state`'s scale factor, changed as `state` says.
    pub fn try_new(table: Table, state: Arc<RefreshState>) -> Result<RefreshableTable> {
        if !matches!(table, Table::Orders | Table::Lineitem) {
            return Err(DataFusionError::Plan(format!(
                "the refresh functions change orders and lineitem, not {table}"
            )));
        }
        Ok(RefreshableTable {
            base: TpchTableProvider::with_scale_factor(table, state.sf),
            state,
        })
    }
}

#[async_trait]
impl TableProvider for RefreshableTable {
    fn schema(&self) -> SchemaRef {
        self.base.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let changes = self.state.changes();
        let partitions = state.config().target_partitions();
        let generated = self
            .base
            .scan_plan(projection.map(Vec::as_slice), filters, limit, partitions)?
            .without_rows(changes.deleted);
        let inserted = match self.base.table() {
            Table::Orders => changes.orders,
            _ => changes.lineitem,
        };
        if inserted.is_empty() {
            return Ok(Arc::new(generated));
        }
        let schema = self.schema();
        // The generated side applies the pushed-down bounds exactly; the inserted rows need
        // the same filters (DataFusion drops the ones the provider called exact), evaluated on
        // all columns before the projection (a filter may name a column the query does not).
        let memory: Arc<dyn ExecutionPlan> = match conjunction(filters.iter().cloned()) {
            Some(predicate) => {
                let all = MemorySourceConfig::try_new_exec(&[inserted], Arc::clone(&schema), None)?;
                let df_schema = DFSchema::try_from(schema.as_ref().clone())?;
                let predicate = state.create_physical_expr(predicate, &df_schema)?;
                let filter = FilterExecBuilder::new(predicate, all)
                    .apply_projection(projection.cloned())?
                    .build()?;
                Arc::new(filter)
            }
            None => MemorySourceConfig::try_new_exec(&[inserted], schema, projection.cloned())?,
        };
        UnionExec::try_new(vec![Arc::new(generated), memory])
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        self.base.supports_filters_pushdown(filters)
    }

    fn statistics(&self) -> Option<Statistics> {
        None
    }
}

/// Registers the eight tables of `sf` in `ctx` as [`register_tpch`](super::register_tpch)
/// does, with `orders` and `lineitem` open to the refresh functions through the returned state.
pub fn register_tpch_refreshable(
    ctx: &SessionContext,
    sf: ScaleFactor,
) -> Result<Arc<RefreshState>> {
    let state = RefreshState::new(sf);
    for table in Table::ALL {
        let provider: Arc<dyn TableProvider> = match table {
            Table::Orders | Table::Lineitem => {
                Arc::new(RefreshableTable::try_new(table, Arc::clone(&state))?)
            }
            _ => Arc::new(TpchTableProvider::with_scale_factor(table, sf)),
        };
        ctx.register_table(table.name(), provider)?;
    }
    Ok(state)
}
