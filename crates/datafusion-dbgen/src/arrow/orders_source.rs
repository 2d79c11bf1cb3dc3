//! The columnar batch source of `orders`: [`OrderBatchGenerator`] fills one vector per requested
//! column, and each becomes an Arrow array.

use arrow::array::ArrayRef;
use arrow::error::ArrowError;

use super::arrays::{char_array, date_array, decimal_array, ints, key_array, text, text_sized};
use tpch_dbgen::fields::tagged_number;
use tpch_dbgen::order_batch::{OrderBatchGenerator, OrderColumns};
use tpch_dbgen::orders::col;

/// `orders` batches built column by column (see the module docs).
pub(crate) struct OrdersSource {
    orders: OrderBatchGenerator,
    columns: OrderColumns,
    rows: usize,
}

impl OrdersSource {
    /// A source over `orders` (from [`OrderBatchGenerator::new`]).
    pub(crate) fn new(orders: OrderBatchGenerator) -> Self {
        OrdersSource {
            orders,
            columns: OrderColumns::default(),
            rows: 0,
        }
    }
}

impl super::source::RowSource for OrdersSource {
    fn fill(&mut self, max: usize) -> usize {
        self.rows = self.orders.fill(max, &mut self.columns);
        self.rows
    }

    fn column(&mut self, column: usize) -> Result<ArrayRef, ArrowError> {
        let c = &self.columns;
        // A column the generator was not asked for has no values for these rows.
        let filled = |len: usize| {
            if len == self.rows {
                Ok(())
            } else {
                Err(ArrowError::InvalidArgumentError(format!(
                    "orders column {column} was not projected"
                )))
            }
        };
        match column {
            col::ORDERKEY => filled(c.orderkey.len()).map(|_| key_array(c.orderkey.clone())),
            col::CUSTKEY => filled(c.custkey.len()).map(|_| key_array(c.custkey.clone())),
            col::ORDERSTATUS => {
                filled(c.orderstatus.len())?;
                char_array(c.orderstatus.clone())
            }
            col::TOTALPRICE => {
                filled(c.totalprice.len())?;
                decimal_array(c.totalprice.clone())
            }
            col::ORDERDATE => filled(c.orderdate.len()).map(|_| date_array(c.orderdate.clone())),
            col::ORDERPRIORITY => {
                filled(c.orderpriority.len())?;
                text(&c.orderpriority, |s| *s)
            }
            col::CLERK => {
                filled(c.clerk.len())?;
                text_sized(&c.clerk, c.clerk.len() * 15, |&n| {
                    tagged_number("Clerk#", n, 9)
                })
            }
            col::SHIPPRIORITY => ints(std::iter::repeat_n(0, self.rows)),
            col::COMMENT => {
                filled(c.comment.len())?;
                text(&c.comment, |s| *s)
            }
            _ => Err(ArrowError::InvalidArgumentError(format!(
                "orders has no column {column}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::source::RowSource;
    use tpch_dbgen::{ColumnMask, OrderGenerator, RowRange, ScaleFactor};

    /// Every column this source builds equals the row-wise builder's, across batches.
    #[test]
    fn columns_equal_row_wise_build() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let range = RowRange::new(11, 1300);
        let all: Vec<usize> = (0..9).collect();
        let rows: Vec<_> = OrderGenerator::new(&sf, range, ColumnMask::ALL).collect();
        let generator = OrderBatchGenerator::new(&sf, range, ColumnMask::of(all.clone()));
        let mut source = OrdersSource::new(generator);
        let mut start = 0;
        loop {
            let n = source.fill(500);
            if n == 0 {
                break;
            }
            for &c in &all {
                let expected = crate::arrow::columns::orders(&rows[start..start + n], c).unwrap();
                assert_eq!(&source.column(c).unwrap(), &expected, "column {c}");
            }
            assert!(source.column(9).is_err());
            start += n;
        }
        assert_eq!(start, rows.len());
        let mut some = OrdersSource::new(OrderBatchGenerator::new(
            &sf,
            range,
            ColumnMask::of([col::ORDERDATE]),
        ));
        assert_eq!(some.fill(10), 10);
        assert!(some.column(col::CUSTKEY).is_err());
    }
}
