//! [`TableBatches`]: record batches of any range of a table, built from the typed generators.

use arrow::array::{ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions};
use arrow::buffer::BooleanBuffer;
use arrow::compute::FilterBuilder;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;

use super::columns;
use super::lineitem_source::LineitemSource;
use super::orders_source::OrdersSource;
use super::row_filter::RowFilter;
use super::schema::table_schema;
use super::source::RowSource;
use crate::error::{Error, Result};
use tpch_dbgen::order_batch::OrderBatchGenerator;
use tpch_dbgen::{
    ColumnMask, CustomerGenerator, NationGenerator, PartGenerator, PartsuppGenerator, RefreshSet,
    RegionGenerator, RowRange, ScaleFactor, SupplierGenerator, Table,
};

/// Record batches of one table, for a range of generator rows, with only the projected columns.
///
/// The range is in *generator rows* ([`ScaleFactor::generator_rows`]): orders for `lineitem`,
/// parts for `partsupp`. Starting anywhere costs O(log n) (dbgen's skip-ahead), so ranges can be
/// generated independently and in parallel; [`RowRange::chunk`] gives dbgen's `-C`/`-S` split.
///
/// Each batch holds `batch_size` rows (the last one fewer); columns outside the projection are
/// neither generated nor built. An empty projection yields batches with a row count and no
/// columns (what `SELECT count(*)` scans). With a [`RowFilter`] ([`TableBatches::filtered`])
/// only the rows it keeps come out.
///
/// ```
/// use datafusion_dbgen::arrow::TableBatches;
/// use datafusion_dbgen::generator::{RowRange, ScaleFactor, Table};
///
/// let sf = ScaleFactor::try_new(0.01)?;
/// // l_orderkey and l_quantity of the first 100 orders, 1000 rows per batch.
/// let batches = TableBatches::try_new(Table::Lineitem, &sf, RowRange::new(0, 100), Some(&[0, 4]), 1000)?;
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
    filter: RowFilter,
}

impl TableBatches {
    /// Batches of `table` at `sf` for the generator rows `range`.
    ///
    /// `projection` lists column indices (schema order, as in [`super::table_schema`]) in output
    /// order; `None` means every column. Fails on a column index the table does not have or a
    /// zero `batch_size`.
    pub fn try_new(
        table: Table,
        sf: &ScaleFactor,
        range: RowRange,
        projection: Option<&[usize]>,
        batch_size: usize,
    ) -> Result<Self> {
        Self::filtered(
            table,
            sf,
            range,
            projection,
            batch_size,
            RowFilter::default(),
        )
    }

    /// [`TableBatches::try_new`] keeping only the rows `filter` passes (batches may then hold fewer
    /// than `batch_size` rows). The filter's columns (indices into the table's schema) are
    /// generated whether projected or not; one the table lacks is an error, one that cannot be
    /// range-filtered (text) makes the first batch an error.
    pub fn filtered(
        table: Table,
        sf: &ScaleFactor,
        range: RowRange,
        projection: Option<&[usize]>,
        batch_size: usize,
        filter: RowFilter,
    ) -> Result<Self> {
        Self::build_with(table, projection, batch_size, filter, |mask, filtered| {
            row_source(table, sf, range, mask, filtered)
        })
    }

    /// The rows refresh function RF1 inserts into `table` (`orders` or `lineitem`) for `set`,
    /// every column, `batch_size` rows per batch: the rows of dbgen's `orders.tbl.uK` and
    /// `lineitem.tbl.uK`.
    ///
    /// ```
    /// use datafusion_dbgen::arrow::TableBatches;
    /// use datafusion_dbgen::generator::{RefreshSet, ScaleFactor, Table};
    ///
    /// let set = RefreshSet::try_new(&ScaleFactor::try_new(0.01)?, 1)?;
    /// let orders = TableBatches::refresh_set(&set, Table::Orders, 8192)?;
    /// let rows: usize = orders.map(|b| b.map(|b| b.num_rows())).sum::<Result<_, _>>()?;
    /// assert_eq!(rows, 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_set(set: &RefreshSet, table: Table, batch_size: usize) -> Result<Self> {
        let (sf, rows, keys) = (set.scale_factor(), set.insert_rows(), set.insert_keys());
        let source = |mask, _filtered| -> Box<dyn RowSource> {
            match table {
                Table::Orders => Box::new(OrdersSource::new(OrderBatchGenerator::with_keys(
                    sf, rows, mask, keys,
                ))),
                _ => Box::new(LineitemSource::with_keys(sf, rows, mask, keys)),
            }
        };
        match table {
            Table::Orders | Table::Lineitem => {
                Self::build_with(table, None, batch_size, RowFilter::default(), source)
            }
            other => Err(Error::InvalidOption(format!(
                "refresh sets hold orders and lineitem rows, not {other}"
            ))),
        }
    }

    fn build_with(
        table: Table,
        projection: Option<&[usize]>,
        batch_size: usize,
        filter: RowFilter,
        source: impl FnOnce(ColumnMask, ColumnMask) -> Box<dyn RowSource>,
    ) -> Result<Self> {
        let full = table_schema(table);
        let width = full.fields().len();
        let columns: Vec<usize> = match projection {
            Some(p) => p.to_vec(),
            None => (0..width).collect(),
        };
        let filtered = filter.columns();
        if let Some(bad) = columns
            .iter()
            .copied()
            .chain(filtered)
            .find(|&c| c >= width)
        {
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
        let generated = columns.iter().copied().chain(filter.columns());
        Ok(TableBatches {
            schema: std::sync::Arc::new(schema),
            rows: source(ColumnMask::of(generated), ColumnMask::of(filter.columns())),
            columns,
            batch_size,
            remaining: if filter.rejects_everything() {
                0
            } else {
                u64::MAX
            },
            filter,
        })
    }

    /// Stops after `limit` rows in total (`None`: no limit); with a filter, `limit` rows that
    /// pass it.
    pub fn with_limit(mut self, limit: Option<u64>) -> Self {
        self.remaining = self.remaining.min(limit.unwrap_or(u64::MAX));
        self
    }

    /// The schema of the batches (the projected table schema).
    pub fn schema(&self) -> SchemaRef {
        std::sync::Arc::clone(&self.schema)
    }

    fn build(&mut self) -> Option<Result<RecordBatch, ArrowError>> {
        // A selective filter may pass nothing for a while; after this many empty parts an empty
        // batch goes out, so that one poll stays one bounded piece of work.
        const EMPTY_PARTS_PER_BATCH: usize = 16;
        for _ in 0..EMPTY_PARTS_PER_BATCH {
            if self.remaining == 0 {
                return None;
            }
            // Unfiltered, never more than the limit; filtered, whole batches cut afterwards.
            let wanted = match self.filter.is_empty() {
                true => (self.batch_size as u64).min(self.remaining) as usize,
                false => self.batch_size,
            };
            let rows = self.rows.fill(wanted);
            if rows == 0 {
                self.remaining = 0;
                return None;
            }
            let batch = match self.batch_of(rows) {
                Ok(Some(batch)) => batch,
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            };
            let batch = match batch.num_rows() as u64 > self.remaining {
                true => batch.slice(0, self.remaining as usize),
                false => batch,
            };
            self.remaining -= batch.num_rows() as u64;
            return Some(Ok(batch));
        }
        Some(Ok(RecordBatch::new_empty(std::sync::Arc::clone(
            &self.schema,
        ))))
    }

    /// The batch of the `rows` buffered rows that pass the filter (`None` if none does).
    fn batch_of(&mut self, rows: usize) -> Result<Option<RecordBatch>, ArrowError> {
        let source = &mut self.rows;
        let keep = self.filter.evaluate(rows, |c| source.column(c))?;
        let (rows, arrays) = match keep {
            None => (rows, self.project(None)?),
            Some(keep) => match keep.count_set_bits() {
                0 => return Ok(None),
                // The source drops the rows before building columns where it can ...
                kept if source.retain(&keep) => (kept, self.project(None)?),
                // ... otherwise the built columns are filtered.
                kept => (kept, self.project(Some(keep))?),
            },
        };
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(std::sync::Arc::clone(&self.schema), arrays, &options)
            .map(Some)
    }

    /// The projected columns of the buffered rows, filtered by `keep` if given.
    fn project(&mut self, keep: Option<BooleanBuffer>) -> Result<Vec<ArrayRef>, ArrowError> {
        let source = &mut self.rows;
        let arrays = self.columns.iter().map(|&c| source.column(c));
        let Some(keep) = keep else {
            return arrays.collect();
        };
        let mut filter = FilterBuilder::new(&BooleanArray::new(keep, None));
        if self.columns.len() > 1 {
            filter = filter.optimize();
        }
        let filter = filter.build();
        arrays.map(|a| a.and_then(|a| filter.filter(&a))).collect()
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

    fn retain(&mut self, keep: &BooleanBuffer) -> bool {
        let mut row = 0;
        self.buffer.retain(|_| {
            row += 1;
            keep.value(row - 1)
        });
        true
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

/// The source of `table`'s rows `r` with the columns `m`, for a scan filtering on `filtered`.
fn row_source(
    table: Table,
    sf: &ScaleFactor,
    r: RowRange,
    m: ColumnMask,
    filtered: ColumnMask,
) -> Box<dyn RowSource> {
    match table {
        Table::Region => buffered(RegionGenerator::new(r, m), columns::region),
        Table::Nation => buffered(NationGenerator::new(r, m), columns::nation),
        Table::Supplier => buffered(SupplierGenerator::new(sf, r, m), columns::supplier),
        Table::Customer => buffered(CustomerGenerator::new(sf, r, m), columns::customer),
        Table::Part => buffered(PartGenerator::new(sf, r, m), columns::part),
        Table::Partsupp => buffered(PartsuppGenerator::new(sf, r, m), columns::partsupp),
        // Columnar, like lineitem (the line-item summaries come from the lineitem engine).
        Table::Orders => Box::new(OrdersSource::new(OrderBatchGenerator::new(sf, r, m))),
        // Columnar: no row struct per line item (the hot path of every scan).
        Table::Lineitem => Box::new(LineitemSource::filtered(sf, r, m, filtered)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sf() -> ScaleFactor {
        ScaleFactor::try_new(0.01).unwrap()
    }

    fn rows(batches: TableBatches) -> usize {
        batches.map(|b| b.unwrap().num_rows()).sum()
    }

    #[test]
    fn empty_projection_counts_rows() {
        let all = RowRange::new(0, 15_000);
        let batches = TableBatches::try_new(Table::Lineitem, &sf(), all, Some(&[]), 4096).unwrap();
        assert_eq!(batches.schema().fields().len(), 0);
        assert_eq!(rows(batches), 60_175);
    }

    #[test]
    fn projection_order_and_batch_size() {
        let range = RowRange::new(10, 20);
        let mut batches =
            TableBatches::try_new(Table::Part, &sf(), range, Some(&[5, 0]), 4).unwrap();
        let first = batches.next().unwrap().unwrap();
        assert_eq!(first.num_rows(), 4);
        assert_eq!(first.schema().field(0).name(), "p_size");
        assert_eq!(first.schema().field(1).name(), "p_partkey");
        assert_eq!(rows(batches), 6);
    }

    #[test]
    fn limit_stops_early() {
        let all = RowRange::new(0, 15_000);
        let batches = TableBatches::try_new(Table::Lineitem, &sf(), all, None, 1000).unwrap();
        assert_eq!(rows(batches.with_limit(Some(2500))), 2500);
    }

    /// Rows of `table` (columns `projection`) passing `filter`, checked the slow way: every
    /// row generated, then kept if its filter columns (also generated) are in range.
    fn filtered_the_slow_way(
        table: Table,
        range: RowRange,
        projection: &[usize],
        filter: &RowFilter,
    ) -> Vec<String> {
        use arrow::util::display::array_value_to_string;
        let wide: Vec<usize> = projection
            .iter()
            .copied()
            .chain(filter.bounds().iter().map(|b| b.column))
            .collect();
        let mut out = Vec::new();
        for batch in TableBatches::try_new(table, &sf(), range, Some(&wide), 1000).unwrap() {
            let batch = batch.unwrap();
            let mut keep = vec![true; batch.num_rows()];
            for (i, bound) in filter.bounds().iter().enumerate() {
                let pass = bound.evaluate(batch.column(projection.len() + i)).unwrap();
                keep.iter_mut().zip(pass.iter()).for_each(|(k, p)| *k &= p);
            }
            for row in (0..batch.num_rows()).filter(|&r| keep[r]) {
                let values: Vec<String> = (0..projection.len())
                    .map(|c| array_value_to_string(batch.column(c), row).unwrap())
                    .collect();
                out.push(values.join("|"));
            }
        }
        out
    }

    fn rows_text(batches: TableBatches) -> Vec<String> {
        use arrow::util::display::array_value_to_string;
        let mut out = Vec::new();
        for batch in batches {
            let batch = batch.unwrap();
            for row in 0..batch.num_rows() {
                let values: Vec<String> = (0..batch.num_columns())
                    .map(|c| array_value_to_string(batch.column(c), row).unwrap())
                    .collect();
                out.push(values.join("|"));
            }
        }
        out
    }

    #[test]
    fn filters_keep_exactly_the_rows_in_range() {
        use super::super::row_filter::ColumnBound;
        let ship_before_1993 = ColumnBound::new(10, i128::MIN, 8401);
        let few_items = ColumnBound::new(4, 100, 500);
        let cases = [
            // lineitem drops rows before building columns; the filter column projected or not.
            (
                Table::Lineitem,
                vec![0, 3, 4, 8, 15],
                vec![ship_before_1993, few_items],
            ),
            (Table::Lineitem, vec![10, 6], vec![ship_before_1993]),
            // Late materialisation: priced columns, ship dates and text drawn after the filter.
            (
                Table::Lineitem,
                vec![2, 5, 6, 12, 9, 11, 0, 1, 13, 14, 15, 3, 7],
                vec![ship_before_1993],
            ),
            (
                Table::Lineitem,
                vec![12, 9, 10, 5, 0, 3],
                vec![ColumnBound::new(11, 8500, 9000)],
            ),
            (Table::Lineitem, vec![], vec![few_items]),
            // orders columnar (built columns filtered) and with summaries (rows dropped).
            (
                Table::Orders,
                vec![0, 8],
                vec![ColumnBound::new(4, 8500, 8600)],
            ),
            (
                Table::Orders,
                vec![0, 2, 3],
                vec![ColumnBound::new(3, 0, 5_000_000)],
            ),
            (Table::Part, vec![0, 1], vec![ColumnBound::new(5, 10, 12)]),
        ];
        let range = RowRange::new(100, 1_700);
        for (table, projection, bounds) in cases {
            let filter = RowFilter::new(bounds);
            let want = filtered_the_slow_way(table, range, &projection, &filter);
            assert!(!want.is_empty(), "{table}: {filter:?} keeps nothing");
            for batch_size in [1, 5, 333, 8192] {
                let batches = TableBatches::filtered(
                    table,
                    &sf(),
                    range,
                    Some(&projection),
                    batch_size,
                    filter.clone(),
                )
                .unwrap();
                let got = rows_text(batches);
                if projection.is_empty() {
                    assert_eq!(got.len(), want.len(), "{table} {filter:?}");
                } else {
                    assert_eq!(got, want, "{table} {filter:?} batch {batch_size}");
                }
            }
            let limited =
                TableBatches::filtered(table, &sf(), range, Some(&projection), 64, filter)
                    .unwrap()
                    .with_limit(Some(3));
            assert_eq!(rows_text(limited).len(), want.len().min(3));
        }
    }

    #[test]
    fn filters_that_keep_nothing_generate_nothing() {
        use super::super::row_filter::ColumnBound;
        let all = RowRange::new(0, 15_000);
        let never = RowFilter::new([ColumnBound::new(10, 5, 4)]);
        let batches =
            TableBatches::filtered(Table::Lineitem, &sf(), all, None, 100, never).unwrap();
        assert_eq!(batches.count(), 0);
        // Nothing passes at all: empty batches go out now and then, never a row.
        let late = RowFilter::new([ColumnBound::new(10, 20_000, 30_000)]);
        let batches = TableBatches::filtered(Table::Lineitem, &sf(), all, None, 100, late).unwrap();
        assert_eq!(rows(batches), 0);
        let text = RowFilter::new([ColumnBound::new(15, 0, 1)]);
        let mut batches =
            TableBatches::filtered(Table::Lineitem, &sf(), all, None, 100, text).unwrap();
        assert!(batches.next().unwrap().is_err());
        let outside = RowFilter::new([ColumnBound::new(16, 0, 1)]);
        assert!(TableBatches::filtered(Table::Lineitem, &sf(), all, None, 100, outside).is_err());
    }

    #[test]
    fn bad_arguments_are_errors() {
        let range = RowRange::new(0, 5);
        assert!(TableBatches::try_new(Table::Region, &sf(), range, Some(&[3]), 10).is_err());
        assert!(TableBatches::try_new(Table::Region, &sf(), range, None, 0).is_err());
    }
}
