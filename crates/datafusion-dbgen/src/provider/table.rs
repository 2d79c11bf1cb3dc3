//! [`TpchTableProvider`]: a TPC-H table as a DataFusion `TableProvider`, generated on scan.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::Statistics;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::{ExecutionPlan, StatisticsArgs};

use super::exec::TpchScanExec;
use super::filters::{ScanPredicate, checkable_in_scan, column_bound};
use super::keys::{KeyRange, key_column, key_range, rows_for_keys};
use crate::arrow::{BatchPredicate, RowFilter, table_schema};
use tpch_dbgen::line_batch::LineBatchGenerator;
use tpch_dbgen::lineitem::col;
use tpch_dbgen::{ColumnMask, RowRange, ScaleFactor, Table};

/// Fewest generator rows per scan partition: smaller tables (or key ranges) get fewer
/// partitions than `target_partitions`, so a 100-row `supplier` is not split 16 ways.
pub const MIN_ROWS_PER_PARTITION: u64 = 256;

/// One TPC-H table at one scale factor, generated while DataFusion scans it.
///
/// No data is stored: every scan generates its rows with dbgen's algorithms (byte-identical
/// values), split into `target_partitions` contiguous parts that generate in parallel.
/// Projection, `LIMIT` and filters are pushed into the scan: range filters on the table's key
/// (`l_orderkey`, `o_orderkey`, `c_custkey`, `p_partkey`, `s_suppkey`, `ps_partkey`) select the
/// rows generated, and comparisons of an integer, date or decimal column with literals
/// (`l_shipdate <= DATE '1998-09-02'`, `l_discount BETWEEN 0.05 AND 0.07`) are applied exactly
/// by the scan, so DataFusion needs no filter operator for them. Statistics (row counts, key
/// bounds) come without generating anything.
///
/// ```
/// use std::sync::Arc;
/// use datafusion::assert_batches_eq;
/// use datafusion::prelude::SessionContext;
/// use datafusion_dbgen::provider::TpchTableProvider;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> datafusion::error::Result<()> {
/// let ctx = SessionContext::new();
/// ctx.register_table("orders", Arc::new(TpchTableProvider::orders(0.01)?))?;
/// let sql = "SELECT o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate \
///            FROM orders WHERE o_orderkey <= 3"; // generates these three orders only
/// let batches = ctx.sql(sql).await?.collect().await?;
/// // dbgen's first lines of orders.tbl at SF 0.01.
/// assert_batches_eq!(
///     [
///         "+------------+-----------+---------------+--------------+-------------+",
///         "| o_orderkey | o_custkey | o_orderstatus | o_totalprice | o_orderdate |",
///         "+------------+-----------+---------------+--------------+-------------+",
///         "| 1          | 370       | O             | 172799.49    | 1996-01-02  |",
///         "| 2          | 781       | O             | 38426.09     | 1996-12-01  |",
///         "| 3          | 1234      | F             | 205654.30    | 1993-10-14  |",
///         "+------------+-----------+---------------+--------------+-------------+",
///     ],
///     &batches
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TpchTableProvider {
    table: Table,
    sf: ScaleFactor,
    schema: SchemaRef,
}

macro_rules! table_constructors {
    ($($name:ident => $table:ident),* $(,)?) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` table at scale factor `sf`.")]
            pub fn $name<S>(sf: S) -> Result<Self>
            where
                S: TryInto<ScaleFactor>,
                crate::Error: From<S::Error>,
            {
                Self::try_new(Table::$table, sf)
            }
        )*
    };
}

impl TpchTableProvider {
    /// `table` at scale factor `sf`: an `f64` (0.001 ..= 100000, as dbgen accepts; SF ≥ 1 is
    /// truncated to a whole number) or a validated [`ScaleFactor`]. A bad scale factor is a
    /// planning error.
    pub fn try_new<S>(table: Table, sf: S) -> Result<Self>
    where
        S: TryInto<ScaleFactor>,
        crate::Error: From<S::Error>,
    {
        let sf = sf.try_into().map_err(crate::Error::from)?;
        Ok(Self::with_scale_factor(table, sf))
    }

    /// The table named `name` (`"lineitem"`, case-insensitive) at scale factor `sf`.
    pub fn by_name<S>(name: &str, sf: S) -> Result<Self>
    where
        S: TryInto<ScaleFactor>,
        crate::Error: From<S::Error>,
    {
        let table: Table = name
            .parse()
            .map_err(|e: tpch_dbgen::Error| DataFusionError::from(crate::Error::Generator(e)))?;
        Self::try_new(table, sf)
    }

    /// `table` at an already validated scale factor.
    pub fn with_scale_factor(table: Table, sf: ScaleFactor) -> Self {
        TpchTableProvider {
            table,
            sf,
            schema: table_schema(table),
        }
    }

    table_constructors! {
        region => Region,
        nation => Nation,
        supplier => Supplier,
        customer => Customer,
        part => Part,
        partsupp => Partsupp,
        orders => Orders,
        lineitem => Lineitem,
    }

    /// The table.
    pub fn table(&self) -> Table {
        self.table
    }

    /// The scale factor.
    pub fn scale_factor(&self) -> &ScaleFactor {
        &self.sf
    }

    /// The scan plan DataFusion gets: `partitions` parts (fewer for small ranges), the rows
    /// selected by `filters` on the key, the column bounds among `filters` applied exactly, at
    /// most `limit` rows per partition.
    pub fn scan_plan(
        &self,
        projection: Option<&[usize]>,
        filters: &[Expr],
        limit: Option<usize>,
        partitions: usize,
    ) -> Result<TpchScanExec> {
        let rows = match key_column(self.table) {
            Some(key) => {
                let keys = filters
                    .iter()
                    .filter_map(|f| key_range(f, key))
                    .fold(KeyRange::ALL, KeyRange::intersect);
                rows_for_keys(self.table, &self.sf, keys)
            }
            None => RowRange::new(0, self.sf.generator_rows(self.table)),
        };
        let partitions = partition_count(self.table, rows, partitions);
        let filter = RowFilter::new(filters.iter().filter_map(|f| column_bound(f, &self.schema)));
        TpchScanExec::try_new(self.table, self.sf, rows, projection, partitions)?
            .with_filter(filter)
            .map(|scan| scan.with_partition_fetch(limit))
    }

    /// `filter` (the exact bounds) with the other `filters` as predicates the scan checks
    /// before drawing the columns they do not read (late materialisation, `lineitem` only) —
    /// when that spares a drawn column: deferring only `l_orderkey` or `l_linenumber` (cheap
    /// per line) would not pay for checking the predicates twice (DataFusion checks again).
    fn with_predicates(
        &self,
        state: &dyn Session,
        filter: &RowFilter,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
    ) -> RowFilter {
        let predicates: Vec<ScanPredicate> = filters
            .iter()
            .filter(|f| column_bound(f, &self.schema).is_none())
            .filter_map(|f| ScanPredicate::try_new(state, f, &self.schema))
            .collect();
        let read = predicates.iter().flat_map(|p| p.columns().iter().copied());
        let filter_columns = ColumnMask::of(filter.columns().chain(read));
        let columns = match projection {
            Some(p) => ColumnMask::of(p.iter().copied()).union(filter_columns),
            None => ColumnMask::ALL,
        };
        let deferred = LineBatchGenerator::deferred_columns(&self.sf, columns, filter_columns);
        let cheap = ColumnMask::of([col::ORDERKEY, col::LINENUMBER]);
        if deferred.without(cheap).is_empty() {
            return filter.clone();
        }
        predicates
            .into_iter()
            .fold(filter.clone(), |f, p| f.with_predicate(Arc::new(p)))
    }
}

/// How many partitions a scan of `rows` gets when `target` are wanted.
fn partition_count(table: Table, rows: RowRange, target: usize) -> usize {
    if table.is_fixed() {
        return 1;
    }
    let most = (rows.len() / MIN_ROWS_PER_PARTITION).max(1);
    (target.max(1) as u64).min(most) as usize
}

#[async_trait]
impl TableProvider for TpchTableProvider {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
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
        let partitions = state.config().target_partitions();
        let plan = self.scan_plan(projection.map(Vec::as_slice), filters, limit, partitions)?;
        let filter = match self.table {
            Table::Lineitem => self.with_predicates(state, plan.filter(), projection, filters),
            _ => plan.filter().clone(),
        };
        Ok(Arc::new(plan.with_filter(filter)?))
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        let key = key_column(self.table);
        Ok(filters
            .iter()
            .map(|f| {
                if column_bound(f, &self.schema).is_some() {
                    // The scan drops every row outside the bound.
                    TableProviderFilterPushDown::Exact
                } else if key.and_then(|k| key_range(f, k)).is_some()
                    || (self.table == Table::Lineitem && checkable_in_scan(f, &self.schema))
                {
                    // The scan narrows the rows it generates (a key range) or drops rows
                    // before drawing the other columns (`lineitem`); DataFusion keeps the
                    // filter above it.
                    TableProviderFilterPushDown::Inexact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    fn statistics(&self) -> Option<Statistics> {
        let plan = self.scan_plan(None, &[], None, 1).ok()?;
        let stats = plan
            .statistics_from_inputs(&[], &StatisticsArgs::new())
            .ok()?;
        Some(Arc::unwrap_or_clone(stats))
    }
}
