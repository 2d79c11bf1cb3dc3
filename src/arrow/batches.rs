//! [`TableBatches`]: record batches of any range of a table, built from the typed generators.

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;

use super::columns;
use super::lineitem_source::LineitemSource;
use super::orders_source::OrdersSource;
use super::schema::table_schema;
use crate::error::{Error, Result};
use crate::generator::order_batch::OrderBatchGenerator;
use crate::generator::{
    ColumnMask, CustomerGenerator, NationGenerator, OrderGenerator, PartGenerator,
    PartsuppGenerator, RegionGenerator, RowRange, ScaleFactor, SupplierGenerator, Table,
};

/// Rows per batch when nobody says otherwise (DataFusion's default `batch_size`).
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// Record batches of one table, for a range of generator rows, with only the projected columns.
///
/// The range is in *generator rows* ([`ScaleFactor::generator_rows`]): orders for `lineitem`,
/// parts for `partsupp`. Starting anywhere costs O(log n) (dbgen's skip-ahead), so ranges can be
/// generated independently and in parallel; [`RowRange::chunk`] gives dbgen's `-C`/`-S` split.
///
/// Each batch holds `batch_size` rows (the last one fewer); columns outside the projection are
/// neither generated nor built. An empty projection yields batches with a row count and no
/// columns (what `SELECT count(*)` scans).
///
/// ```
/// use datafusion_dbgen::arrow::TableBatches;
/// use datafusion_dbgen::generator::{RowRange, ScaleFactor, Table};
///
/// let sf = ScaleFactor::new(0.01)?;
/// // l_orderkey and l_quantity of the first 100 orders, 1000 rows per batch.
/// let batches = TableBatches::new(Table::Lineitem, &sf, RowRange::new(0, 100), Some(&[0, 4]), 1000)?;
/// let rows: usize = batches.map(|b| b.map(|b| b.num_rows())).sum::<Result<_, _>>()?;
/// assert!(rows >= 100 && rows <= 700);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableBatches {
    schema: SchemaRef,
    columns: Vec<usize>,
    rows: Box<dyn RowSource>,
    batch_size: usize,
    remaining: u64,
}

impl TableBatches {
    /// Batches of `table` at `sf` for the generator rows `range`.
    ///
    /// `projection` lists column indices (schema order, as in [`super::table_schema`]) in output
    /// order; `None` means every column. Fails on a column index the table does not have or a
    /// zero `batch_size`.
    pub fn new(
        table: Table,
        sf: &ScaleFactor,
        range: RowRange,
        projection: Option<&[usize]>,
        batch_size: usize,
    ) -> Result<Self> {
        let full = table_schema(table);
        let width = full.fields().len();
        let columns: Vec<usize> = match projection {
            Some(p) => p.to_vec(),
            None => (0..width).collect(),
        };
        if let Some(bad) = columns.iter().find(|&&c| c >= width) {
            return Err(Error::InvalidOption(format!(
                "column index {bad} out of range: {table} has {width} columns"
            )));
        }
        if batch_size == 0 {
            return Err(Error::InvalidOption("batch size must be at least 1".into()));
        }
        let schema = full
            .project(&columns)
            .map_err(|e| Error::InvalidOption(e.to_string()))?;
        let mask = ColumnMask::of(columns.iter().copied());
        Ok(TableBatches {
            schema: std::sync::Arc::new(schema),
            columns,
            rows: row_source(table, sf, range, mask),
            batch_size,
            remaining: u64::MAX,
        })
    }

    /// Stops after `limit` rows in total (`None`: no limit).
    pub fn with_limit(mut self, limit: Option<u64>) -> Self {
        self.remaining = limit.unwrap_or(u64::MAX);
        self
    }

    /// The schema of the batches (the projected table schema).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn build(&mut self) -> Option<Result<RecordBatch, ArrowError>> {
        let wanted = (self.batch_size as u64).min(self.remaining) as usize;
        if wanted == 0 {
            return None;
        }
        let rows = self.rows.fill(wanted);
        if rows == 0 {
            self.remaining = 0;
            return None;
        }
        self.remaining -= rows as u64;
        let source = &mut self.rows;
        let arrays: Result<Vec<ArrayRef>, ArrowError> =
            self.columns.iter().map(|&c| source.column(c)).collect();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        Some(
            arrays
                .and_then(|a| RecordBatch::try_new_with_options(self.schema.clone(), a, &options)),
        )
    }
}

impl Iterator for TableBatches {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.build()
    }
}

impl std::fmt::Debug for TableBatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableBatches")
            .field("columns", &self.columns)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

/// A generator with a buffer for one batch of its rows.
pub(crate) trait RowSource: Send {
    /// Generates up to `max` rows into the buffer; returns how many.
    fn fill(&mut self, max: usize) -> usize;
    /// Builds column `column` of the buffered rows.
    fn column(&mut self, column: usize) -> Result<ArrayRef, ArrowError>;
}

type ColumnFn<R> = fn(&[R], usize) -> Result<ArrayRef, ArrowError>;

struct Buffered<G: Iterator> {
    rows: G,
    buffer: Vec<G::Item>,
    build: ColumnFn<G::Item>,
}

impl<G> RowSource for Buffered<G>
where
    G: Iterator + Send,
    G::Item: Send,
{
    fn fill(&mut self, max: usize) -> usize {
        self.buffer.clear();
        self.buffer.extend(self.rows.by_ref().take(max));
        self.buffer.len()
    }

    fn column(&mut self, column: usize) -> Result<ArrayRef, ArrowError> {
        (self.build)(&self.buffer, column)
    }
}

fn buffered<G>(rows: G, build: ColumnFn<G::Item>) -> Box<dyn RowSource>
where
    G: Iterator + Send + 'static,
    G::Item: Send + 'static,
{
    Box::new(Buffered {
        rows,
        buffer: Vec::new(),
        build,
    })
}

fn row_source(table: Table, sf: &ScaleFactor, r: RowRange, m: ColumnMask) -> Box<dyn RowSource> {
    match table {
        Table::Region => buffered(RegionGenerator::new(r, m), columns::region),
        Table::Nation => buffered(NationGenerator::new(r, m), columns::nation),
        Table::Supplier => buffered(SupplierGenerator::new(sf, r, m), columns::supplier),
        Table::Customer => buffered(CustomerGenerator::new(sf, r, m), columns::customer),
        Table::Part => buffered(PartGenerator::new(sf, r, m), columns::part),
        Table::Partsupp => buffered(PartsuppGenerator::new(sf, r, m), columns::partsupp),
        // Columnar unless a line-item summary (or a 64-bit key) is needed.
        Table::Orders => match OrderBatchGenerator::new(sf, r, m) {
            Some(orders) => Box::new(OrdersSource::new(orders)),
            None => buffered(OrderGenerator::new(sf, r, m), columns::orders),
        },
        // Columnar: no row struct per line item (the hot path of every scan).
        Table::Lineitem => Box::new(LineitemSource::new(sf, r, m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sf() -> ScaleFactor {
        ScaleFactor::new(0.01).unwrap()
    }

    fn rows(batches: TableBatches) -> usize {
        batches.map(|b| b.unwrap().num_rows()).sum()
    }

    #[test]
    fn empty_projection_counts_rows() {
        let all = RowRange::new(0, 15_000);
        let batches = TableBatches::new(Table::Lineitem, &sf(), all, Some(&[]), 4096).unwrap();
        assert_eq!(batches.schema().fields().len(), 0);
        assert_eq!(rows(batches), 60_175);
    }

    #[test]
    fn projection_order_and_batch_size() {
        let range = RowRange::new(10, 20);
        let mut batches = TableBatches::new(Table::Part, &sf(), range, Some(&[5, 0]), 4).unwrap();
        let first = batches.next().unwrap().unwrap();
        assert_eq!(first.num_rows(), 4);
        assert_eq!(first.schema().field(0).name(), "p_size");
        assert_eq!(first.schema().field(1).name(), "p_partkey");
        assert_eq!(rows(batches), 6);
    }

    #[test]
    fn limit_stops_early() {
        let all = RowRange::new(0, 15_000);
        let batches = TableBatches::new(Table::Lineitem, &sf(), all, None, 1000).unwrap();
        assert_eq!(rows(batches.with_limit(Some(2500))), 2500);
    }

    #[test]
    fn bad_arguments_are_errors() {
        let range = RowRange::new(0, 5);
        assert!(TableBatches::new(Table::Region, &sf(), range, Some(&[3]), 10).is_err());
        assert!(TableBatches::new(Table::Region, &sf(), range, None, 0).is_err());
    }
}
