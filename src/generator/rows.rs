//! The row iterators of `orders` and `lineitem`: the one columnar engine
//! ([`super::order_batch`], [`super::line_batch`]) run a batch at a time and read back row by
//! row, for `.tbl`/CSV export and for callers who want typed rows.

use super::columns::ColumnMask;
use super::date::Date;
use super::line_batch::LineBatchGenerator;
use super::line_columns::LineColumns;
use super::lineitem::{Lineitem, col as line};
use super::order_batch::{OrderBatchGenerator, OrderColumns};
use super::order_streams::{LINE_COUNT_STREAM, MAX_LINES};
use super::orders::{Order, col as order};
use super::scale::{RowRange, ScaleFactor};

/// Rows generated per refill of a row iterator's column buffers.
const ROW_BATCH: usize = 1024;

/// Generates `lineitem` rows for a range of orders: the columns of the columnar engine, a
/// batch at a time, read back row by row.
#[derive(Debug)]
pub struct LineitemGenerator {
    lines: LineBatchGenerator,
    columns: LineColumns,
    filled: ColumnMask,
    len: usize,
    position: usize,
}

impl LineitemGenerator {
    /// The line items of the orders in `orders` (order rows, 0-based), with `columns`; the
    /// other fields are zero or empty.
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Self {
        // l_orderkey and l_linenumber cost nothing and keep every row identifiable.
        let lines = LineBatchGenerator::new(
            sf,
            orders,
            columns.union(ColumnMask::of([line::ORDERKEY, line::LINENUMBER])),
        );
        LineitemGenerator {
            filled: lines.filled(),
            lines,
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
        let (i, c, has) = (self.position, &self.columns, |c| self.filled.has(c));
        self.position += 1;
        let get = |present: bool, values: &[i128]| if present { values[i] as i64 } else { 0 };
        let text = |present: bool, values: &[&'static str]| if present { values[i] } else { "" };
        let date = |present: bool, values: &[i32]| Date(if present { values[i] } else { 0 });
        Some(Lineitem {
            orderkey: c.orderkey[i],
            partkey: if has(line::PARTKEY) { c.partkey[i] } else { 0 },
            suppkey: if has(line::SUPPKEY) { c.suppkey[i] } else { 0 },
            linenumber: i64::from(c.linenumber[i]),
            quantity: get(has(line::QUANTITY), &c.quantity) / 100,
            extendedprice: get(has(line::EXTENDEDPRICE), &c.extendedprice),
            discount: get(has(line::DISCOUNT), &c.discount),
            tax: get(has(line::TAX), &c.tax),
            returnflag: if has(line::RETURNFLAG) {
                c.returnflag[i]
            } else {
                0
            },
            linestatus: if has(line::LINESTATUS) {
                c.linestatus[i]
            } else {
                0
            },
            shipdate: date(has(line::SHIPDATE), &c.shipdate),
            commitdate: date(has(line::COMMITDATE), &c.commitdate),
            receiptdate: date(has(line::RECEIPTDATE), &c.receiptdate),
            shipinstruct: text(has(line::SHIPINSTRUCT), &c.shipinstruct),
            shipmode: text(has(line::SHIPMODE), &c.shipmode),
            comment: text(has(line::COMMENT), &c.comment),
        })
    }
}

/// Generates `orders` rows: the columns of the columnar engine, a batch at a time, read
/// back row by row.
#[derive(Debug)]
pub struct OrderGenerator {
    orders: OrderBatchGenerator,
    columns: OrderColumns,
    mask: ColumnMask,
    len: usize,
    position: usize,
}

impl OrderGenerator {
    /// The orders in `range` (order rows, 0-based), with the columns in `columns`; the other
    /// fields are zero or empty.
    pub fn new(sf: &ScaleFactor, range: RowRange, columns: ColumnMask) -> Self {
        let mask = columns.union(ColumnMask::of([order::ORDERKEY]));
        OrderGenerator {
            orders: OrderBatchGenerator::new(sf, range, mask),
            columns: OrderColumns::default(),
            mask,
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
        let (i, c, has) = (self.position, &self.columns, |c| self.mask.has(c));
        self.position += 1;
        let text = |present: bool, values: &[&'static str]| if present { values[i] } else { "" };
        Some(Order {
            orderkey: c.orderkey[i],
            custkey: if has(order::CUSTKEY) { c.custkey[i] } else { 0 },
            orderstatus: if has(order::ORDERSTATUS) {
                c.orderstatus[i]
            } else {
                0
            },
            totalprice: if has(order::TOTALPRICE) {
                c.totalprice[i] as i64
            } else {
                0
            },
            orderdate: Date(if has(order::ORDERDATE) {
                c.orderdate[i]
            } else {
                0
            }),
            orderpriority: text(has(order::ORDERPRIORITY), &c.orderpriority),
            clerk: if has(order::CLERK) { c.clerk[i] } else { 0 },
            shippriority: 0,
            comment: text(has(order::COMMENT), &c.comment),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.orders.remaining() as usize).saturating_add(self.len - self.position);
        (n, Some(n))
    }
}

/// Number of line items of the orders in `orders`, drawing only the line counts.
pub fn count_lines(sf: &ScaleFactor, orders: RowRange) -> u64 {
    let end = orders.end.min(sf.order_count() as u64);
    let mut stream = LINE_COUNT_STREAM.at_row(orders.start);
    let mut total = 0;
    for _ in orders.start..end {
        total += stream.uniform(1, MAX_LINES as i64) as u64;
        stream.end_row();
    }
    total
}
