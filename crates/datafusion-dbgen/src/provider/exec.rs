//! [`TpchScanExec`]: the leaf execution plan that generates a table while it is scanned.

use std::fmt;
use std::sync::{Arc, OnceLock};

use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::common::stats::Precision;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{ScalarValue, Statistics, plan_err};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr, PhysicalSortExpr};
use datafusion::physical_plan::coop::cooperative;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType, SchedulingType};
use datafusion::physical_plan::metrics::{BaselineMetrics, ExecutionPlanMetricsSet, MetricsSet};
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    ReplaceChildrenOptions, StatisticsArgs,
};

use super::keys::key_of_row;
use super::stats::{filter_selectivity, narrow_to_filter, row_count, scale_rows, scan_statistics};
use super::stream::ScanStream;
use crate::arrow::{ColumnBound, RowFilter, TableBatches, table_schema};
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// A scan of a TPC-H table that generates its rows: one partition per contiguous range of
/// generator rows, each partition starting with dbgen's skip-ahead and streaming batches of the
/// session's `batch_size`.
///
/// With `n` partitions over the whole table, partition `i` generates exactly dbgen's chunk
/// `i + 1` of `n` (`dbgen -C n -S i+1`). Only the projected columns are generated (and those a
/// [`RowFilter`] reads). Each partition's rows come out sorted by the table's key, which the plan
/// declares.
#[derive(Debug, Clone)]
pub struct TpchScanExec {
    table: Table,
    sf: ScaleFactor,
    rows: RowRange,
    projection: Vec<usize>,
    schema: SchemaRef,
    ranges: Vec<RowRange>,
    fetch: Option<usize>,
    /// Value ranges rows must be in (pushed-down filters, applied exactly).
    filter: RowFilter,
    /// Generator rows not generated (orders deleted by a refresh function), sorted, disjoint.
    excluded: Arc<[RowRange]>,
    /// Rows per partition, computed on first use (lineitem counts draw one value per order).
    row_counts: Arc<OnceLock<Vec<Precision<usize>>>>,
    metrics: ExecutionPlanMetricsSet,
    properties: Arc<PlanProperties>,
}

impl TpchScanExec {
    /// A scan of the generator rows `rows` of `table` (orders for lineitem, parts for partsupp),
    /// split into `partitions` contiguous parts as dbgen splits chunks. `projection` lists
    /// column indices of the table's schema (`None`: all).
    pub fn try_new(
        table: Table,
        sf: ScaleFactor,
        rows: RowRange,
        projection: Option<&[usize]>,
        partitions: usize,
    ) -> Result<Self> {
        let full = table_schema(table);
        let projection: Vec<usize> = match projection {
            Some(p) => p.to_vec(),
            None => (0..full.fields().len()).collect(),
        };
        if let Some(bad) = projection.iter().find(|&&c| c >= full.fields().len()) {
            return plan_err!("column index {bad} out of range for {table}");
        }
        if partitions == 0 {
            return plan_err!("a scan of {table} needs at least one partition");
        }
        let rows = RowRange::new(rows.start, rows.end.min(sf.generator_rows(table)));
        let ranges = (1..=partitions as u64)
            .map(|p| rows.subchunk(p, partitions as u64))
            .collect::<tpch_dbgen::Result<Vec<_>>>()
            .map_err(|e| DataFusionError::Plan(e.to_string()))?;
        let schema = Arc::new(full.project(&projection)?);
        let properties = Arc::new(plan_properties(table, &schema, &projection, partitions));
        Ok(TpchScanExec {
            table,
            sf,
            rows,
            projection,
            schema,
            ranges,
            fetch: None,
            filter: RowFilter::default(),
            excluded: Arc::new([]),
            row_counts: Arc::new(OnceLock::new()),
            metrics: ExecutionPlanMetricsSet::new(),
            properties,
        })
    }

    /// The table scanned.
    pub fn table(&self) -> Table {
        self.table
    }

    /// The scale factor.
    pub fn scale_factor(&self) -> &ScaleFactor {
        &self.sf
    }

    /// All generator rows scanned (the union of the partitions' ranges).
    pub fn rows(&self) -> RowRange {
        self.rows
    }

    /// The generator rows of each partition.
    pub fn partition_ranges(&self) -> &[RowRange] {
        &self.ranges
    }

    /// Projected column indices (into the table's schema).
    pub fn projection(&self) -> &[usize] {
        &self.projection
    }

    fn partition_rows(&self) -> &[Precision<usize>] {
        self.row_counts.get_or_init(|| {
            self.ranges
                .iter()
                .map(|r| {
                    self.pieces(*r)
                        .into_iter()
                        .fold(Precision::Exact(0), |total, piece| {
                            total.add(&row_count(self.table, &self.sf, piece))
                        })
                })
                .collect()
        })
    }

    /// The parts of `range` not excluded, in order.
    fn pieces(&self, range: RowRange) -> Vec<RowRange> {
        range.without(&self.excluded)
    }

    /// The generator rows this scan leaves out.
    pub fn excluded_rows(&self) -> &[RowRange] {
        &self.excluded
    }

    /// This scan without the generator rows `excluded` (sorted and merged here); the partitions
    /// keep their ranges, and statistics count only the rows generated.
    pub fn without_rows(mut self, mut excluded: Vec<RowRange>) -> Self {
        excluded.retain(|r| !r.is_empty());
        excluded.sort_by_key(|r| r.start);
        let mut merged: Vec<RowRange> = Vec::with_capacity(excluded.len());
        for range in excluded {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        self.excluded = merged.into();
        self.row_counts = Arc::new(OnceLock::new());
        self
    }

    /// The filter the scan applies.
    pub fn filter(&self) -> &RowFilter {
        &self.filter
    }

    /// Rows a partition generating `rows` rows from `range` outputs, once the filter has dropped
    /// some and the fetch stops it.
    fn output_rows(&self, range: RowRange, rows: Precision<usize>) -> Precision<usize> {
        let rows = match self.filter.is_empty() {
            true => rows,
            false => scale_rows(
                rows,
                filter_selectivity(self.table, &self.sf, range, &self.filter),
            ),
        };
        match self.fetch {
            Some(fetch) => rows.min(&Precision::Exact(fetch)),
            None => rows,
        }
    }

    /// Statistics of an output of `rows` rows (already filtered and limited) from `range`.
    fn statistics_of(&self, range: RowRange, rows: Precision<usize>) -> Statistics {
        let mut stats = scan_statistics(self.table, &self.sf, range, &self.projection, rows);
        narrow_to_filter(&mut stats, &self.projection, &self.filter);
        if self.fetch.is_some() {
            with_inexact_bounds(stats)
        } else {
            stats
        }
    }
}

/// Inexact min, max and distinct counts: a fetch may cut the range short.
fn with_inexact_bounds(mut stats: Statistics) -> Statistics {
    for column in &mut stats.column_statistics {
        column.min_value = column.min_value.clone().to_inexact();
        column.max_value = column.max_value.clone().to_inexact();
        column.distinct_count = column.distinct_count.to_inexact();
    }
    stats
}

/// The ordering each partition's rows come out in: the table's key columns, ascending, as far
/// as they are projected (`lineitem` by `l_orderkey, l_linenumber`; `partsupp` only by
/// `ps_partkey`, its supplier keys wrap around).
fn plan_properties(
    table: Table,
    schema: &SchemaRef,
    projection: &[usize],
    partitions: usize,
) -> PlanProperties {
    let key_columns: &[usize] = match table {
        Table::Lineitem => &[0, 3],
        _ => &[0],
    };
    // Match SQL's default `ORDER BY key` (ascending, nulls last) so sorts can be dropped.
    let options = SortOptions {
        descending: false,
        nulls_first: false,
    };
    let ordering: Vec<PhysicalSortExpr> = key_columns
        .iter()
        .map_while(|key| {
            let at = projection.iter().position(|c| c == key)?;
            let name = schema.field(at).name();
            Some(PhysicalSortExpr::new(
                Arc::new(Column::new(name, at)),
                options,
            ))
        })
        .collect();
    let equivalences = if ordering.is_empty() {
        EquivalenceProperties::new(Arc::clone(schema))
    } else {
        EquivalenceProperties::new_with_orderings(Arc::clone(schema), [ordering])
    };
    PlanProperties::new(
        equivalences,
        Partitioning::UnknownPartitioning(partitions),
        EmissionType::Incremental,
        Boundedness::Bounded,
    )
    // The stream spends tokio's task budget (see `execute`), so DataFusion need not wrap it.
    .with_scheduling_type(SchedulingType::Cooperative)
}

impl DisplayAs for TpchScanExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let sep = match t {
            DisplayFormatType::TreeRender => "\n",
            _ => ", ",
        };
        if !matches!(t, DisplayFormatType::TreeRender) {
            write!(f, "TpchScanExec: ")?;
        }
        write!(
            f,
            "table={}{sep}sf={}{sep}partitions={}{sep}projection=[{}]",
            self.table,
            self.sf.value(),
            self.ranges.len(),
            names.join(", ")
        )?;
        let all = self.sf.generator_rows(self.table);
        if self.rows != RowRange::new(0, all) {
            if self.rows.is_empty() {
                write!(f, "{sep}keys=none")?;
            } else {
                write!(
                    f,
                    "{sep}keys={}..={}",
                    key_of_row(self.table, self.rows.start),
                    key_of_row(self.table, self.rows.end - 1)
                )?;
            }
        }
        if !self.excluded.is_empty() {
            let rows: u64 = self.excluded.iter().map(RowRange::len).sum();
            write!(f, "{sep}deleted_orders={rows}")?;
        }
        if !self.filter.bounds().is_empty() {
            let full = table_schema(self.table);
            let bounds: Vec<String> = self
                .filter
                .bounds()
                .iter()
                .map(|b| describe_bound(&full, b))
                .collect();
            write!(f, "{sep}filter=[{}]", bounds.join(" AND "))?;
        }
        if !self.filter.predicates().is_empty() {
            let checks: Vec<String> = self
                .filter
                .predicates()
                .iter()
                .map(|p| p.to_string())
                .collect();
            write!(f, "{sep}prefilter=[{}]", checks.join(" AND "))?;
        }
        if let Some(fetch) = self.fetch {
            write!(f, "{sep}fetch={fetch}")?;
        }
        Ok(())
    }
}

/// A bound as SQL: `l_shipdate <= 1998-09-02`, `l_discount BETWEEN 0.05 AND 0.07`.
fn describe_bound(schema: &SchemaRef, bound: &ColumnBound) -> String {
    let Some(field) = schema.fields().get(bound.column) else {
        return format!("column {}", bound.column);
    };
    let value = |raw: i128| -> String {
        let scalar = match field.data_type() {
            DataType::Date32 => i32::try_from(raw)
                .ok()
                .map(|d| ScalarValue::Date32(Some(d))),
            DataType::Decimal128(p, s) => Some(ScalarValue::Decimal128(Some(raw), *p, *s)),
            _ => None,
        };
        scalar.map_or_else(|| raw.to_string(), |s| s.to_string())
    };
    let name = field.name();
    match (bound.low, bound.high) {
        (i128::MIN, i128::MAX) => format!("{name} IS NOT NULL"),
        (i128::MIN, high) => format!("{name} <= {}", value(high)),
        (low, i128::MAX) => format!("{name} >= {}", value(low)),
        (low, high) if low == high => format!("{name} = {}", value(low)),
        (low, high) => format!("{name} BETWEEN {} AND {}", value(low), value(high)),
    }
}

impl ExecutionPlan for TpchScanExec {
    fn name(&self) -> &'static str {
        "TpchScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            plan_err!("TpchScanExec is a leaf and takes no children")
        }
    }

    #[allow(deprecated)]
    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            plan_err!("TpchScanExec is a leaf and takes no children")
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let Some(range) = self.ranges.get(partition) else {
            return plan_err!(
                "TpchScanExec of {} has {} partitions, not {}",
                self.table,
                self.ranges.len(),
                partition + 1
            );
        };
        let batch_size = context.session_config().batch_size().max(1);
        let pieces = self
            .pieces(*range)
            .into_iter()
            .map(|piece| {
                TableBatches::filtered(
                    self.table,
                    &self.sf,
                    piece,
                    Some(&self.projection),
                    batch_size,
                    self.filter.clone(),
                )
                .map(|b| b.with_limit(self.fetch.map(|f| f as u64)))
            })
            .collect::<crate::Result<Vec<_>>>()
            .map_err(|e| DataFusionError::Execution(e.to_string()))?;
        let metrics = BaselineMetrics::new(&self.metrics, partition);
        let stream = ScanStream::new(Arc::clone(&self.schema), pieces, self.fetch, metrics);
        // Generation never waits, so the stream must yield by itself: `cooperative` returns
        // `Pending` once the task's budget is spent (every 128 batches), letting tokio cancel the
        // query and run other tasks even under operators that drain their input in one poll.
        Ok(Box::pin(cooperative(stream)))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }

    fn statistics_from_inputs(
        &self,
        _input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> Result<Arc<Statistics>> {
        let counts = self.partition_rows();
        let stats = match args.partition() {
            Some(p) => match (self.ranges.get(p), counts.get(p)) {
                (Some(range), Some(rows)) => {
                    self.statistics_of(*range, self.output_rows(*range, *rows))
                }
                _ => return plan_err!("TpchScanExec has no partition {p}"),
            },
            None => {
                // With a fetch, each partition stops at `fetch` rows.
                let rows = self
                    .ranges
                    .iter()
                    .zip(counts)
                    .fold(Precision::Exact(0), |total, (range, rows)| {
                        total.add(&self.output_rows(*range, *rows))
                    });
                self.statistics_of(self.rows, rows)
            }
        };
        Ok(Arc::new(stats))
    }

    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        let mut plan = self.clone();
        plan.fetch = limit;
        plan.metrics = ExecutionPlanMetricsSet::new();
        Some(Arc::new(plan))
    }

    fn fetch(&self) -> Option<usize> {
        self.fetch
    }
}

impl TpchScanExec {
    /// This scan with at most `fetch` rows per partition: the builder form of
    /// [`ExecutionPlan::with_fetch`], for code that keeps the concrete type.
    pub fn with_partition_fetch(mut self, fetch: Option<usize>) -> Self {
        self.fetch = fetch;
        self
    }

    /// This scan keeping only the rows `filter` passes (its column indices are into the table's
    /// schema; the columns need not be projected). Fails on a column the table lacks.
    pub fn with_filter(mut self, filter: RowFilter) -> Result<Self> {
        let width = table_schema(self.table).fields().len();
        if let Some(bad) = filter.columns().find(|&c| c >= width) {
            return plan_err!("filter on column {bad} out of range for {}", self.table);
        }
        self.filter = filter;
        Ok(self)
    }
}
