//! The columnar batch source of `lineitem`, the table every benchmark scans most.
//!
//! The other tables buffer typed rows and build each column from the row slice. For `lineitem`
//! that meant copying a ~130-byte row per line item and then reading it back once per column;
//! here the engine's lines are pushed straight into one vector per *projected* column, and the
//! vectors become Arrow buffers without another copy.

use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, Decimal128Array, Int32Array, Int64Array, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow::error::ArrowError;

use super::arrays::text;
use super::schema::{DECIMAL_PRECISION, DECIMAL_SCALE};
use crate::generator::lineitem::col;
use crate::generator::{ColumnMask, LineitemGenerator, RowRange, ScaleFactor};

/// Number of `lineitem` columns.
const WIDTH: usize = 16;

/// One vector per column; only the projected ones are filled.
#[derive(Default)]
struct Buffers {
    orderkey: Vec<i64>,
    partkey: Vec<i64>,
    suppkey: Vec<i64>,
    linenumber: Vec<i32>,
    quantity: Vec<i128>,
    extendedprice: Vec<i128>,
    discount: Vec<i128>,
    tax: Vec<i128>,
    returnflag: Vec<u8>,
    linestatus: Vec<u8>,
    shipdate: Vec<i32>,
    commitdate: Vec<i32>,
    receiptdate: Vec<i32>,
    shipinstruct: Vec<&'static str>,
    shipmode: Vec<&'static str>,
    comment: Vec<&'static str>,
}

/// `lineitem` batches built column by column (see the module docs).
pub(crate) struct LineitemSource {
    lines: LineitemGenerator,
    wanted: [bool; WIDTH],
    buffers: Buffers,
    /// Columns already built from the current buffers (a projection may name one twice).
    built: [Option<ArrayRef>; WIDTH],
    rows: usize,
}

impl LineitemSource {
    /// The line items of the orders `range` with the columns in `mask`.
    pub(crate) fn new(sf: &ScaleFactor, range: RowRange, mask: ColumnMask) -> Self {
        LineitemSource {
            lines: LineitemGenerator::new(sf, range, mask),
            wanted: std::array::from_fn(|c| mask.has(c)),
            buffers: Buffers::default(),
            built: Default::default(),
            rows: 0,
        }
    }
}

impl super::batches::RowSource for LineitemSource {
    fn fill(&mut self, max: usize) -> usize {
        let w = self.wanted;
        let b = &mut self.buffers;
        macro_rules! prepare {
            ($($c:ident => $v:ident),*) => {$(
                if w[col::$c] {
                    b.$v.clear();
                    b.$v.reserve(max);
                }
            )*};
        }
        prepare!(ORDERKEY => orderkey, PARTKEY => partkey, SUPPKEY => suppkey,
            LINENUMBER => linenumber, QUANTITY => quantity, EXTENDEDPRICE => extendedprice,
            DISCOUNT => discount, TAX => tax, RETURNFLAG => returnflag, LINESTATUS => linestatus,
            SHIPDATE => shipdate, COMMITDATE => commitdate, RECEIPTDATE => receiptdate,
            SHIPINSTRUCT => shipinstruct, SHIPMODE => shipmode, COMMENT => comment);
        self.built = Default::default();
        self.rows = self.lines.for_each_line(max, |orderkey, number, l| {
            if w[col::ORDERKEY] {
                b.orderkey.push(orderkey);
            }
            if w[col::PARTKEY] {
                b.partkey.push(l.partkey);
            }
            if w[col::SUPPKEY] {
                b.suppkey.push(l.suppkey);
            }
            if w[col::LINENUMBER] {
                b.linenumber.push(number);
            }
            if w[col::QUANTITY] {
                // Whole units, as hundredths.
                b.quantity.push(i128::from(l.quantity * 100));
            }
            if w[col::EXTENDEDPRICE] {
                b.extendedprice.push(i128::from(l.extendedprice));
            }
            if w[col::DISCOUNT] {
                b.discount.push(i128::from(l.discount));
            }
            if w[col::TAX] {
                b.tax.push(i128::from(l.tax));
            }
            if w[col::RETURNFLAG] {
                b.returnflag.push(l.returnflag);
            }
            if w[col::LINESTATUS] {
                b.linestatus.push(l.linestatus);
            }
            if w[col::SHIPDATE] {
                b.shipdate.push(l.shipdate.days_since_epoch());
            }
            if w[col::COMMITDATE] {
                b.commitdate.push(l.commitdate.days_since_epoch());
            }
            if w[col::RECEIPTDATE] {
                b.receiptdate.push(l.receiptdate.days_since_epoch());
            }
            if w[col::SHIPINSTRUCT] {
                b.shipinstruct.push(l.instruct);
            }
            if w[col::SHIPMODE] {
                b.shipmode.push(l.shipmode);
            }
            if w[col::COMMENT] {
                b.comment.push(l.comment);
            }
        });
        self.rows
    }

    fn column(&mut self, column: usize) -> Result<ArrayRef, ArrowError> {
        if column >= WIDTH {
            return Err(ArrowError::InvalidArgumentError(format!(
                "lineitem has no column {column}"
            )));
        }
        if let Some(array) = &self.built[column] {
            return Ok(array.clone());
        }
        if !self.wanted[column] {
            return Err(ArrowError::InvalidArgumentError(format!(
                "lineitem column {column} was not projected"
            )));
        }
        let b = &mut self.buffers;
        let array: ArrayRef = match column {
            col::ORDERKEY => int64(&mut b.orderkey),
            col::PARTKEY => int64(&mut b.partkey),
            col::SUPPKEY => int64(&mut b.suppkey),
            col::LINENUMBER => Arc::new(Int32Array::new(take(&mut b.linenumber), None)),
            col::QUANTITY => decimal(&mut b.quantity)?,
            col::EXTENDEDPRICE => decimal(&mut b.extendedprice)?,
            col::DISCOUNT => decimal(&mut b.discount)?,
            col::TAX => decimal(&mut b.tax)?,
            col::RETURNFLAG => chars(&mut b.returnflag)?,
            col::LINESTATUS => chars(&mut b.linestatus)?,
            col::SHIPDATE => date(&mut b.shipdate),
            col::COMMITDATE => date(&mut b.commitdate),
            col::RECEIPTDATE => date(&mut b.receiptdate),
            col::SHIPINSTRUCT => text(&b.shipinstruct, |s| *s)?,
            col::SHIPMODE => text(&b.shipmode, |s| *s)?,
            _ => text(&b.comment, |s| *s)?,
        };
        self.built[column] = Some(array.clone());
        Ok(array)
    }
}

/// Hands a column vector to Arrow without copying it.
fn take<T: arrow::datatypes::ArrowNativeType>(values: &mut Vec<T>) -> ScalarBuffer<T> {
    ScalarBuffer::from(std::mem::take(values))
}

fn int64(values: &mut Vec<i64>) -> ArrayRef {
    Arc::new(Int64Array::new(take(values), None))
}

fn date(values: &mut Vec<i32>) -> ArrayRef {
    Arc::new(Date32Array::new(take(values), None))
}

fn decimal(values: &mut Vec<i128>) -> Result<ArrayRef, ArrowError> {
    let array = Decimal128Array::new(take(values), None)
        .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)?;
    Ok(Arc::new(array))
}

/// One-character strings (`R`, `A`, `N`, `F`, `O`): the bytes are the values, offsets count up.
fn chars(values: &mut Vec<u8>) -> Result<ArrayRef, ArrowError> {
    let offsets = OffsetBuffer::new(ScalarBuffer::from_iter(0..=values.len() as i32));
    let bytes = Buffer::from_vec(std::mem::take(values));
    Ok(Arc::new(StringArray::try_new(offsets, bytes, None)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::batches::RowSource;
    use crate::generator::lineitem::col;

    /// Every column, in several batch sizes that split orders, equals the row-wise builder.
    #[test]
    fn columns_equal_row_wise_build() {
        let sf = ScaleFactor::new(0.01).unwrap();
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

    #[test]
    fn unprojected_column_is_an_error() {
        let sf = ScaleFactor::new(0.01).unwrap();
        let mut source = LineitemSource::new(&sf, RowRange::new(0, 3), ColumnMask::of([4]));
        assert!(source.fill(10) > 0);
        assert!(source.column(5).is_err());
        assert!(source.column(16).is_err());
        assert_eq!(source.column(4).unwrap().len(), source.rows);
    }
}
