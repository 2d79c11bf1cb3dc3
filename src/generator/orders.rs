//! `orders`: 10 orders per customer slot, with sparse keys, dates, priorities, clerks, and a
//! status and total price that summarise the order's line items.

use super::columns::ColumnMask;
use super::date::Date;
use super::fields::{InlineStr, tagged_number};
use super::order_batch::{OrderBatchGenerator, OrderColumns};
use super::scale::{RowRange, ScaleFactor};

/// Column indices of `orders`.
pub mod col {
    /// `o_orderkey`
    pub const ORDERKEY: usize = 0;
    /// `o_custkey`
    pub const CUSTKEY: usize = 1;
    /// `o_orderstatus`
    pub const ORDERSTATUS: usize = 2;
    /// `o_totalprice`
    pub const TOTALPRICE: usize = 3;
    /// `o_orderdate`
    pub const ORDERDATE: usize = 4;
    /// `o_orderpriority`
    pub const ORDERPRIORITY: usize = 5;
    /// `o_clerk`
    pub const CLERK: usize = 6;
    /// `o_shippriority`
    pub const SHIPPRIORITY: usize = 7;
    /// `o_comment`
    pub const COMMENT: usize = 8;
}

/// One `orders` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    /// `o_orderkey`
    pub orderkey: i64,
    /// `o_custkey`
    pub custkey: i64,
    /// `o_orderstatus`: `F`, `O` or `P`
    pub orderstatus: u8,
    /// `o_totalprice` in cents
    pub totalprice: i64,
    /// `o_orderdate`
    pub orderdate: Date,
    /// `o_orderpriority`
    pub orderpriority: &'static str,
    /// Clerk number (`o_clerk` is `Clerk#` and the number on 9 digits)
    pub clerk: i64,
    /// `o_shippriority` (always 0)
    pub shippriority: i64,
    /// `o_comment`
    pub comment: &'static str,
}

impl Order {
    /// `o_clerk` as text.
    pub fn clerk_text(&self) -> InlineStr<40> {
        tagged_number("Clerk#", self.clerk, 9)
    }
}

/// Orders generated per refill of a row generator's column buffers.
const ROW_BATCH: usize = 1024;

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
        let mask = columns.union(ColumnMask::of([col::ORDERKEY]));
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
        let (i, c, has) = (self.position, &self.columns, |col| self.mask.has(col));
        self.position += 1;
        let text = |present: bool, values: &[&'static str]| if present { values[i] } else { "" };
        Some(Order {
            orderkey: c.orderkey[i],
            custkey: if has(col::CUSTKEY) { c.custkey[i] } else { 0 },
            orderstatus: if has(col::ORDERSTATUS) {
                c.orderstatus[i]
            } else {
                0
            },
            totalprice: if has(col::TOTALPRICE) {
                c.totalprice[i] as i64
            } else {
                0
            },
            orderdate: Date(if has(col::ORDERDATE) {
                c.orderdate[i]
            } else {
                0
            }),
            orderpriority: text(has(col::ORDERPRIORITY), &c.orderpriority),
            clerk: if has(col::CLERK) { c.clerk[i] } else { 0 },
            shippriority: 0,
            comment: text(has(col::COMMENT), &c.comment),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.orders.remaining() as usize).saturating_add(self.len - self.position);
        (n, Some(n))
    }
}
