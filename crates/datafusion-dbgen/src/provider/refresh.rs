//! The refresh functions on the generating tables, in SQL: `orders` and `lineitem` take
//! `INSERT INTO … SELECT …` and `DELETE FROM … WHERE …` (DataFusion's `insert_into` and
//! `delete_from`) and stay generated while an overlay holds what was inserted and which
//! generated orders were deleted. RF1 and RF2 are the same statements on these tables as on
//! memory tables (`bench::Refresher` runs them on both).
//!
//! A deleted order is its generator row, and a line item's generator row is its order's: a
//! table's scan leaves its deleted rows out ([`TpchScanExec::without_rows`]), statistics
//! included, so `count(*)` stays exact. `DELETE FROM lineitem` removes whole orders' lines (a
//! statement that would leave part of an order's lines is refused with the reason). Inserted
//! rows (a refresh set is 0.1 % of the orders) are kept as Arrow batches and scanned with the
//! generated rows; a `DELETE` removes matching inserted rows too. As for DataFusion's memory
//! tables, a `DELETE` takes effect when it is planned.
//!
//! ```
//! use datafusion::prelude::SessionContext;
//! use datafusion_dbgen::generator::ScaleFactor;
//! use datafusion_dbgen::provider::{register_tpch_functions, register_tpch_refreshable};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sf = ScaleFactor::try_new(0.01)?;
//! let ctx = SessionContext::new();
//! register_tpch_refreshable(&ctx, sf)?;
//! register_tpch_functions(&ctx); // tpch_refresh_orders(sf, set), …
//! // RF1 of refresh set 1: 10 orders and their line items.
//! ctx.sql("INSERT INTO orders SELECT * FROM tpch_refresh_orders(0.01, 1)").await?.collect().await?;
//! // RF2 of set 1: base orders 1..=7 and 32..=34.
//! ctx.sql("DELETE FROM orders WHERE o_orderkey BETWEEN 1 AND 34 AND o_orderkey % 32 < 8")
//!     .await?
//!     .collect()
//!     .await?;
//! let count = "SELECT count(*) AS n FROM orders";
//! let batches = ctx.sql(count).await?.collect().await?;
//! datafusion::assert_batches_eq!(["+-------+", "| n     |", "+-------+", "| 15000 |", "+-------+"], &batches);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use datafusion::arrow::array::{AsArray, BooleanArray, RecordBatch, UInt64Array};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{DFSchema, SchemaExt, Statistics};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::sink::{DataSink, DataSinkExec};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::filter::FilterExecBuilder;
use datafusion::physical_plan::union::UnionExec;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, collect};
use datafusion::prelude::SessionContext;
use futures::StreamExt;

use super::keys::key_column;
use super::table::TpchTableProvider;
use tpch_dbgen::{RowRange, ScaleFactor, Table, count_lines};

/// What `INSERT` and `DELETE` changed in one scale factor's `orders` and `lineitem`.
#[derive(Debug)]
pub struct RefreshState {
    sf: ScaleFactor,
    changes: RwLock<Changes>,
}

#[derive(Debug, Default)]
struct Changes {
    orders: TableChanges,
    lineitem: TableChanges,
}

/// One table's overlay.
#[derive(Debug, Default, Clone)]
struct TableChanges {
    /// Generator rows deleted (orders; for `lineitem`, the lines of those orders).
    deleted: Vec<RowRange>,
    /// Rows inserted.
    inserted: Vec<RecordBatch>,
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

    /// `table`'s changes (a copy: the batches are shared, not their data).
    fn of(&self, table: Table) -> TableChanges {
        let changes = match self.changes.read() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        match table {
            Table::Orders => changes.orders.clone(),
            _ => changes.lineitem.clone(),
        }
    }

    fn update<T>(&self, f: impl FnOnce(&mut Changes) -> T) -> T {
        match self.changes.write() {
            Ok(mut c) => f(&mut c),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Forgets every change (the tables are the generated ones again).
    pub fn reset(&self) {
        self.update(|c| *c = Changes::default());
    }
}

impl Changes {
    fn table(&mut self, table: Table) -> &mut TableChanges {
        match table {
            Table::Orders => &mut self.orders,
            _ => &mut self.lineitem,
        }
    }
}

/// `orders` or `lineitem`, generated, with the changes of `INSERT` and `DELETE`
/// ([`RefreshState`]).
pub struct RefreshableTable {
    base: TpchTableProvider,
    state: Arc<RefreshState>,
}

impl fmt::Debug for RefreshableTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshableTable")
            .field("table", &self.base.table())
            .field("sf", &self.state.sf.value())
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

    fn table(&self) -> Table {
        self.base.table()
    }

    /// The predicate of `filters` (`None`: every row) as a physical expression over the
    /// table's columns.
    fn predicate(
        &self,
        state: &dyn Session,
        filters: &[Expr],
    ) -> Result<Option<Arc<dyn PhysicalExpr>>> {
        let Some(predicate) = conjunction(filters.iter().cloned()) else {
            return Ok(None);
        };
        let df_schema = DFSchema::try_from(self.schema().as_ref().clone())?;
        Ok(Some(state.create_physical_expr(predicate, &df_schema)?))
    }

    /// The generated rows (deleted ones left out) that `filters` match, as generator rows
    /// (whole orders), and how many table rows that is. A `lineitem` statement that matches
    /// only some of an order's lines is an error (the overlay deletes orders' lines together).
    async fn matching_generated_rows(
        &self,
        state: &dyn Session,
        filters: &[Expr],
        deleted: &[RowRange],
    ) -> Result<(Vec<RowRange>, u64)> {
        let table = self.table();
        let key = key_column(table).unwrap_or("o_orderkey");
        let schema = self.schema();
        let key_index = schema.index_of(key)?;
        let predicate = self.predicate(state, filters)?;
        // Every column when the predicate needs them, else the key alone; the key-range bounds
        // of `filters` narrow the scan (the provider's own pushdown).
        let projection: Vec<usize> = match predicate {
            Some(_) => (0..schema.fields().len()).collect(),
            None => vec![key_index],
        };
        let scan = self
            .base
            .scan_plan(
                Some(&projection),
                filters,
                None,
                state.config().target_partitions(),
            )?
            .without_rows(deleted.to_vec());
        let mut plan: Arc<dyn ExecutionPlan> = Arc::new(scan);
        if let Some(predicate) = predicate {
            plan = Arc::new(
                FilterExecBuilder::new(predicate, plan)
                    .apply_projection(Some(vec![key_index]))?
                    .build()?,
            );
        }
        let batches = collect(plan, state.task_ctx()).await?;
        // Matching rows per order key (every batch holds the key column alone).
        let mut lines: BTreeMap<i64, u64> = BTreeMap::new();
        for batch in &batches {
            let keys = batch
                .column(0)
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| {
                    DataFusionError::Internal(format!("{key} is not a 64-bit integer column"))
                })?;
            for k in keys.iter().flatten() {
                *lines.entry(k).or_default() += 1;
            }
        }
        let mut rows: Vec<RowRange> = Vec::new();
        for (&k, &matched) in &lines {
            let row = base_row(k).ok_or_else(|| {
                DataFusionError::Internal(format!("order key {k} is not a generated order's"))
            })?;
            let one = RowRange::new(row, row + 1);
            if table == Table::Lineitem {
                let all = count_lines(&self.state.sf, one);
                if matched != all {
                    return Err(DataFusionError::Plan(format!(
                        "DELETE FROM lineitem must remove all of an order's line items (order \
                         {k} has {all} and the statement matches {matched}): the generated \
                         table deletes whole orders' lines, e.g. WHERE l_orderkey …"
                    )));
                }
            }
            match rows.last_mut() {
                Some(last) if last.end == row => last.end = row + 1,
                _ => rows.push(one),
            }
        }
        Ok((rows, lines.values().sum()))
    }
}

/// The generator row of a base order key (slot 0 of each 32 keys), the inverse of
/// [`tpch_dbgen::orderkey`]; `None` for other keys.
fn base_row(key: i64) -> Option<u64> {
    if key < 1 || (key >> 3) & 3 != 0 {
        return None;
    }
    let index = ((key >> 5) << 3) | (key & 7);
    u64::try_from(index).ok()?.checked_sub(1)
}

/// A DML statement's result: one row, `count`, as DataFusion's own tables return it.
fn count_plan(count: u64) -> Result<Arc<dyn ExecutionPlan>> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]));
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![Arc::new(UInt64Array::from(vec![count]))],
    )?;
    Ok(MemorySourceConfig::try_new_exec(
        &[vec![batch]],
        schema,
        None,
    )?)
}

/// Where `INSERT INTO` a refreshable table writes: the table's inserted batches, added when the
/// statement's input is complete (a failed statement adds nothing).
#[derive(Debug)]
struct OverlaySink {
    table: Table,
    schema: SchemaRef,
    state: Arc<RefreshState>,
}

impl DisplayAs for OverlaySink {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OverlaySink: table={}", self.table)
    }
}

#[async_trait]
impl DataSink for OverlaySink {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    async fn write_all(
        &self,
        mut data: SendableRecordBatchStream,
        _context: &Arc<TaskContext>,
    ) -> Result<u64> {
        let mut batches = Vec::new();
        let mut rows = 0;
        while let Some(batch) = data.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            // The table's own schema (names and nullability), so scans union cleanly.
            batches.push(RecordBatch::try_new(
                Arc::clone(&self.schema),
                batch.columns().to_vec(),
            )?);
        }
        self.state
            .update(|c| c.table(self.table).inserted.extend(batches));
        Ok(rows)
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
        let changes = self.state.of(self.table());
        let partitions = state.config().target_partitions();
        let generated = self
            .base
            .scan_plan(projection.map(Vec::as_slice), filters, limit, partitions)?
            .without_rows(changes.deleted);
        let inserted = changes.inserted;
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

    async fn insert_into(
        &self,
        _state: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.schema()
            .logically_equivalent_names_and_types(&input.schema())?;
        if insert_op != InsertOp::Append {
            return Err(DataFusionError::Plan(format!(
                "{insert_op} is not supported on the generated {}: INSERT INTO appends",
                self.table()
            )));
        }
        let sink = OverlaySink {
            table: self.table(),
            schema: self.schema(),
            state: Arc::clone(&self.state),
        };
        Ok(Arc::new(DataSinkExec::new(input, Arc::new(sink), None)))
    }

    async fn delete_from(
        &self,
        state: &dyn Session,
        filters: Vec<Expr>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let table = self.table();
        let changes = self.state.of(table);
        let (rows, generated) = self
            .matching_generated_rows(state, &filters, &changes.deleted)
            .await?;
        // Inserted rows: those the predicate is true for go (SQL's three-valued logic).
        let predicate = self.predicate(state, &filters)?;
        let mut kept = Vec::with_capacity(changes.inserted.len());
        let mut removed = 0u64;
        for batch in changes.inserted {
            let doomed: BooleanArray = match &predicate {
                Some(p) => {
                    let value = p.evaluate(&batch)?.into_array(batch.num_rows())?;
                    value
                        .as_boolean()
                        .iter()
                        .map(|v| Some(v == Some(true)))
                        .collect()
                }
                None => BooleanArray::from(vec![true; batch.num_rows()]),
            };
            let keep: BooleanArray = doomed.iter().map(|v| v.map(|d| !d)).collect();
            removed += doomed.true_count() as u64;
            let rest = filter_record_batch(&batch, &keep)?;
            if rest.num_rows() > 0 {
                kept.push(rest);
            }
        }
        self.state.update(|c| {
            let overlay = c.table(table);
            overlay.deleted.extend(rows);
            overlay.inserted = kept;
        });
        count_plan(generated + removed)
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
