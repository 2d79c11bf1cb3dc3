//! The row iterators of `orders` and `lineitem`: the one columnar engine
//! ([`super::order_batch`], [`super::line_batch`]) run a batch at a time and read back row by
//! row, for `.tbl`/CSV export and for callers who want typed rows.

use super::columns::ColumnMask;
use super::date::Date;
use super::line_batch::LineBatchGenerator;
use super::line_columns::LineColumns;
use super::lineitem::{Lineitem, col as line};
use super::order_batch::{OrderBatchGenerator, OrderColumns};
use super::order_streams::OrderKeys;
use super::orders::{Order, col as order};
use super::scale::{RowRange, ScaleFactor};

/// Rows generated per refill of a row iterator's column buffers.
const ROW_BATCH: usize = 1024;

/// Value `i` of a column vector, or the default where the column was not generated (the
/// engines leave the vectors of columns they were not asked for empty).
#[inline(always)]
fn at<T: Copy + Default>(values: &[T], i: usize) -> T {
    values.get(i).copied().unwrap_or_default()
}

/// Generates `lineitem` rows for a range of orders: the columns of the columnar engine, a
/// batch at a time, read back row by row.
#[derive(Debug)]
pub struct LineitemGenerator {
    lines: LineBatchGenerator,
    columns: LineColumns,
    len: usize,
    position: usize,
}

impl LineitemGenerator {
    /// The line items of the orders in `orders` (order rows, 0-based), with `columns`; the
    /// other fields are zero or empty.
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Self {
        Self::with_keys(sf, orders, columns, OrderKeys::BASE)
    }

    /// [`new`](Self::new) for generator rows keyed by `keys` (a refresh set's line items).
    pub fn with_keys(
        sf: &ScaleFactor,
        orders: RowRange,
        columns: ColumnMask,
        keys: OrderKeys,
    ) -> Self {
        // l_orderkey and l_linenumber cost nothing and keep every row identifiable.
        let ids = ColumnMask::of([line::ORDERKEY, line::LINENUMBER]);
        LineitemGenerator {
            lines: LineBatchGenerator::with_keys(sf, orders, columns.union(ids), keys),
            columns: LineColumns::default(),
            len: 0,
            position: 0,
        }
    }
}

impl Iterator for LineitemGenerator {
    type Item = Lineitem;

    #[inline]
    fn next(&mut self) -> Option<Lineitem> {
        if self.position == self.len {
            self.len = self.lines.fill(ROW_BATCH, &mut self.columns);
            self.position = 0;
            if self.len == 0 {
                return None;
            }
        }
        let (i, c) = (self.position, &self.columns);
        self.position += 1;
        Some(Lineitem {
            orderkey: c.orderkey[i],
            partkey: at(&c.partkey, i),
            suppkey: at(&c.suppkey, i),
            linenumber: i64::from(c.linenumber[i]),
            quantity: (at(&c.quantity, i) / 100) as i64,
            extendedprice: at(&c.extendedprice, i) as i64,
            discount: at(&c.discount, i) as i64,
            tax: at(&c.tax, i) as i64,
            returnflag: at(&c.returnflag, i),
            linestatus: at(&c.linestatus, i),
            shipdate: Date(at(&c.shipdate, i)),
            commitdate: Date(at(&c.commitdate, i)),
            receiptdate: Date(at(&c.receiptdate, i)),
            shipinstruct: at(&c.shipinstruct, i),
            shipmode: at(&c.shipmode, i),
            comment: at(&c.comment, i),
        })
    }
}

/// Generates `orders` rows: the columns of the columnar engine, a batch at a time, read
/// back row by row.
#[derive(Debug)]
pub struct OrderGenerator {
    orders: OrderBatchGenerator,
    columns: OrderColumns,
    len: usize,
    position: usize,
}

impl OrderGenerator {
    /// The orders in `range` (order rows, 0-based), with the columns in `columns`; the other
    /// fields are zero or empty.
    pub fn new(sf: &ScaleFactor, range: RowRange, columns: ColumnMask) -> Self {
        Self::with_keys(sf, range, columns, OrderKeys::BASE)
    }

    /// [`new`](Self::new) for generator rows keyed by `keys` (a refresh set's orders).
    pub fn with_keys(
        sf: &ScaleFactor,
        range: RowRange,
        columns: ColumnMask,
        keys: OrderKeys,
    ) -> Self {
        let columns = columns.union(ColumnMask::of([order::ORDERKEY]));
        OrderGenerator {
            orders: OrderBatchGenerator::with_keys(sf, range, columns, keys),
            columns: OrderColumns::default(),
            len: 0,
            position: 0,
        }
    }
}

impl Iterator for OrderGenerator {
    type Item = Order;

    fn next(&mut self) -> Option<Order> {
        if self.position == self.len {
            self.len = self.orders.fill(ROW_BATCH, &mut self.columns);
            self.position = 0;
            if self.len == 0 {
                return None;
            }
        }
        let (i, c) = (self.position, &self.columns);
        self.position += 1;
        Some(Order {
            orderkey: c.orderkey[i],
            custkey: at(&c.custkey, i),
            orderstatus: at(&c.orderstatus, i),
            totalprice: at(&c.totalprice, i) as i64,
            orderdate: Date(at(&c.orderdate, i)),
            orderpriority: at(&c.orderpriority, i),
            clerk: at(&c.clerk, i),
            shippriority: 0,
            comment: at(&c.comment, i),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.orders.remaining() as usize).saturating_add(self.len - self.position);
        (n, Some(n))
    }
}
