//! The columnar batch source of `lineitem`, the table every benchmark scans most.
//!
//! The other tables buffer typed rows and build each column from the row slice. `lineitem` is
//! generated one column at a time ([`LineBatchGenerator`]) into one vector per *projected*
//! column, and the vectors become Arrow buffers without another copy.

use std::mem::take;
use std::ops::Range;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Int32Array};
use arrow::buffer::{BooleanBuffer, ScalarBuffer};
use arrow::compute::filter;
use arrow::error::ArrowError;

use super::arrays::{char_array, date_array, decimal_array, key_array, text};
use tpch_dbgen::line_batch::LineBatchGenerator;
use tpch_dbgen::line_columns::LineColumns;
use tpch_dbgen::lineitem::col;
use tpch_dbgen::order_streams::OrderKeys;
use tpch_dbgen::{ColumnMask, RowRange, ScaleFactor};

/// Number of `lineitem` columns.
const WIDTH: usize = 16;

/// `lineitem` batches built column by column (see the module docs).
pub(crate) struct LineitemSource {
    lines: LineBatchGenerator,
    mask: ColumnMask,
    buffers: LineColumns,
    /// Columns already built from the current buffers (a projection may name one twice).
    built: [Option<ArrayRef>; WIDTH],
    /// The runs of rows a filter keeps (reused between batches).
    kept: Vec<Range<usize>>,
    /// Lines in the current batch.
    rows: usize,
    /// True while the current batch's deferred columns are not drawn yet.
    pending: bool,
}

impl LineitemSource {
    /// The line items of the orders `range` with the columns in `mask`.
    #[cfg(test)]
    pub(crate) fn new(sf: &ScaleFactor, range: RowRange, mask: ColumnMask) -> Self {
        Self::with_keys(sf, range, mask, OrderKeys::BASE)
    }

    /// [`new`](Self::new) for a scan that filters on `filter_columns` (in `mask`): the other
    /// columns are drawn only for the lines the filter keeps (late materialisation, see
    /// [`LineBatchGenerator::defer`]).
    pub(crate) fn filtered(
        sf: &ScaleFactor,
        range: RowRange,
        mask: ColumnMask,
        filter_columns: ColumnMask,
    ) -> Self {
        let mut source = Self::with_keys(sf, range, mask, OrderKeys::BASE);
        source.lines = source.lines.defer(filter_columns);
        source
    }

    /// [`new`](Self::new) for rows keyed by `keys` (a refresh set's line items).
    pub(crate) fn with_keys(
        sf: &ScaleFactor,
        range: RowRange,
        mask: ColumnMask,
        keys: OrderKeys,
    ) -> Self {
        LineitemSource {
            lines: LineBatchGenerator::with_keys(sf, range, mask, keys),
            mask,
            buffers: LineColumns::default(),
            built: Default::default(),
            kept: Vec::new(),
            rows: 0,
            pending: false,
        }
    }
}

impl super::source::RowSource for LineitemSource {
    fn fill(&mut self, max: usize) -> usize {
        self.built = Default::default();
        self.rows = self.lines.fill(max, &mut self.buffers);
        self.pending = !self.lines.deferred().is_empty();
        self.rows
    }

    fn column(&mut self, column: usize) -> Result<ArrayRef, ArrowError> {
        if column >= WIDTH {
            return Err(ArrowError::InvalidArgumentError(format!(
                "lineitem has no column {column}"
            )));
        }
        if let Some(array) = &self.built[column] {
            return Ok(Arc::clone(array));
        }
        if !self.mask.has(column) {
            return Err(ArrowError::InvalidArgumentError(format!(
                "lineitem column {column} was not projected"
            )));
        }
        if self.pending && self.lines.deferred().has(column) {
            // Asked for before any filter ran: drawn for every line.
            let every_line = 0..self.rows;
            let runs = std::slice::from_ref(&every_line);
            self.lines.draw_deferred(runs, &mut self.buffers);
            self.pending = false;
        }
        let b = &mut self.buffers;
        let array: ArrayRef = match column {
            // Each vector is handed to Arrow as it is (`take` leaves an empty one behind).
            col::ORDERKEY => key_array(take(&mut b.orderkey)),
            col::PARTKEY => key_array(take(&mut b.partkey)),
            col::SUPPKEY => key_array(take(&mut b.suppkey)),
            col::LINENUMBER => {
                let numbers = ScalarBuffer::from(take(&mut b.linenumber));
                Arc::new(Int32Array::new(numbers, None))
            }
            col::QUANTITY => decimal_array(take(&mut b.quantity))?,
            col::EXTENDEDPRICE => decimal_array(take(&mut b.extendedprice))?,
            col::DISCOUNT => decimal_array(take(&mut b.discount))?,
            col::TAX => decimal_array(take(&mut b.tax))?,
            col::RETURNFLAG => char_array(take(&mut b.returnflag))?,
            col::LINESTATUS => char_array(take(&mut b.linestatus))?,
            col::SHIPDATE => date_array(take(&mut b.shipdate)),
            col::COMMITDATE => date_array(take(&mut b.commitdate)),
            col::RECEIPTDATE => date_array(take(&mut b.receiptdate)),
            col::SHIPINSTRUCT => text(&b.shipinstruct, |s| *s)?,
            col::SHIPMODE => text(&b.shipmode, |s| *s)?,
            _ => text(&b.comment, |s| *s)?,
        };
        self.built[column] = Some(Arc::clone(&array));
        Ok(array)
    }

    /// Compacts the line vectors in place (in cache, before any Arrow buffer exists); columns
    /// already built (the filter's own) are filtered as arrays.
    fn retain(&mut self, keep: &BooleanBuffer) -> bool {
        self.kept.clear();
        self.kept
            .extend(keep.set_slices().map(|(start, end)| start..end));
        // Only columns still to be built need their values; the rest are emptied.
        self.buffers.retain(&self.kept, self.mask);
        if self.pending {
            // Late materialisation: the other columns, for the kept lines only.
            self.lines.draw_deferred(&self.kept, &mut self.buffers);
            self.pending = false;
        }
        self.rows = self.kept.iter().map(|r| r.len()).sum();
        let predicate = BooleanArray::new(keep.clone(), None);
        for built in self.built.iter_mut() {
            if let Some(array) = built {
                match filter(array, &predicate) {
                    Ok(kept) => *array = kept,
                    // Not expected; the column is simply built again if asked for.
                    Err(_) => *built = None,
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::source::RowSource;
    use tpch_dbgen::LineitemGenerator;
    use tpch_dbgen::lineitem::col;

    /// Every column, in several batch sizes that split orders, equals the row-wise builder.
    #[test]
    fn columns_equal_row_wise_build() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let range = RowRange::new(5, 400);
        let rows: Vec<_> = LineitemGenerator::new(&sf, range, ColumnMask::ALL).collect();
        for batch in [1, 3, 7, 1000, 5000] {
            let mut source = LineitemSource::new(&sf, range, ColumnMask::ALL);
            let mut start = 0;
            loop {
                let n = source.fill(batch);
                if n == 0 {
                    break;
                }
                for c in 0..WIDTH {
                    let expected = crate::arrow::columns::lineitem(&rows[start..start + n], c);
                    assert_eq!(&source.column(c).unwrap(), &expected.unwrap(), "column {c}");
                }
                // A column asked for twice comes out the same.
                let again = source.column(col::COMMENT).unwrap();
                assert_eq!(again.len(), n);
                start += n;
            }
            assert_eq!(start, rows.len());
        }
    }

    /// A deferred column asked for before any filter ran is drawn for every line.
    #[test]
    fn deferred_columns_without_a_filter_step_are_whole() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let range = RowRange::new(3, 700);
        let ship = ColumnMask::of([col::SHIPDATE]);
        let mut late = LineitemSource::filtered(&sf, range, ColumnMask::ALL, ship);
        let mut whole = LineitemSource::new(&sf, range, ColumnMask::ALL);
        // Both start at the range's first line: the same lines.
        let rows = late.fill(1000);
        assert_eq!(whole.fill(rows), rows);
        for c in [
            col::COMMENT,
            col::EXTENDEDPRICE,
            col::SHIPDATE,
            col::ORDERKEY,
        ] {
            let (got, want) = (late.column(c).unwrap(), whole.column(c).unwrap());
            assert_eq!(&got, &want, "column {c}");
        }
    }

    #[test]
    fn unprojected_column_is_an_error() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let mut source = LineitemSource::new(&sf, RowRange::new(0, 3), ColumnMask::of([4]));
        let rows = source.fill(10);
        assert!(rows > 0);
        assert!(source.column(5).is_err());
        assert!(source.column(16).is_err());
        assert_eq!(source.column(4).unwrap().len(), rows);
    }
}
