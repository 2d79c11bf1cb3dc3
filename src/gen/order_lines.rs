//! The engine behind `orders` and `lineitem`: dbgen makes an order and its line items in one
//! step, because an order's status and total price summarise its lines and every line's dates
//! are offsets from the order date.

use super::date::Date;
use super::dists::dists;
use super::fields::{part_supplier, retail_price};
use super::random::{RandomStream, StreamSpec};
use super::scale::{RowRange, ScaleFactor};
use super::text::TextSpec;
use super::wide::{self, Restarts};

/// Most line items an order can have (also the per-order draw budget of each line stream).
pub const MAX_LINES: usize = 7;

// Order streams: one draw budget per order.
pub(super) const CUSTKEY_STREAM: StreamSpec = StreamSpec::new(851_767_375, 1);
pub(super) const ORDERDATE_STREAM: StreamSpec = StreamSpec::new(1_066_728_069, 1);
pub(super) const PRIORITY_STREAM: StreamSpec = StreamSpec::new(591_449_447, 1);
pub(super) const CLERK_STREAM: StreamSpec = StreamSpec::new(1_171_034_773, 1);
pub(super) const ORDER_COMMENT_STREAM: StreamSpec = StreamSpec::new(276_090_261, 2);
pub(super) const LINE_COUNT_STREAM: StreamSpec = StreamSpec::new(1_434_868_289, 1);
pub(super) const ORDER_COMMENT_TEXT: TextSpec = TextSpec::around(49);

// Line streams: budgets are per order (7 lines at most).
pub(super) const QUANTITY_STREAM: StreamSpec = StreamSpec::new(209_208_115, 7);
pub(super) const DISCOUNT_STREAM: StreamSpec = StreamSpec::new(554_590_007, 7);
pub(super) const TAX_STREAM: StreamSpec = StreamSpec::new(721_958_466, 7);
pub(super) const INSTRUCT_STREAM: StreamSpec = StreamSpec::new(1_371_272_478, 7);
pub(super) const SHIPMODE_STREAM: StreamSpec = StreamSpec::new(675_466_456, 7);
pub(super) const PARTKEY_STREAM: StreamSpec = StreamSpec::new(1_808_217_256, 7);
pub(super) const SUPPLIER_STREAM: StreamSpec = StreamSpec::new(2_095_021_727, 7);
pub(super) const SHIPDATE_STREAM: StreamSpec = StreamSpec::new(1_769_349_045, 7);
pub(super) const COMMITDATE_STREAM: StreamSpec = StreamSpec::new(904_914_315, 7);
pub(super) const RECEIPTDATE_STREAM: StreamSpec = StreamSpec::new(373_135_028, 7);
pub(super) const RETURNFLAG_STREAM: StreamSpec = StreamSpec::new(717_419_739, 7);
pub(super) const LINE_COMMENT_STREAM: StreamSpec = StreamSpec::new(1_095_462_486, 14);
pub(super) const LINE_COMMENT_TEXT: TextSpec = TextSpec::around(27);

/// dbgen's order dates are drawn as `92001 + days` and line dates offset from them.
pub(super) const DATE_BASE: i64 = 92_001;
pub(super) const LAST_ORDER_DAY: i64 = DATE_BASE + 2557 - (121 + 30) - 1;
const CURRENT_DAY: i64 = (Date::CURRENT.0 - Date::START.0) as i64;

/// dbgen's `o_custkey` from its draw `key`: a third of the customers (keys divisible by 3)
/// place no orders, so such a key moves to a neighbour, alternately up and down.
#[inline]
pub(super) fn ordering_customer(mut key: i64, customers: i64) -> i64 {
    let mut delta = 1;
    while key % 3 == 0 {
        key = (key + delta).min(customers);
        delta = -delta;
    }
    key
}

/// The order key of the `index`-th order (1-based): dbgen keeps 8 of every 32 keys.
#[inline]
pub const fn orderkey(index: u64) -> i64 {
    let i = index as i64;
    ((i >> 3) << 5) | (i & 7)
}

/// The order index (1-based) of `key`, or of the first order with a larger key.
pub const fn order_index_at_or_after(key: i64) -> u64 {
    if key <= 1 {
        return 1;
    }
    let group = key >> 5;
    let low = key & 31;
    let index = if low >= 8 {
        (group + 1) << 3
    } else {
        (group << 3) | low
    };
    if index < 1 { 1 } else { index as u64 }
}

/// Which values to draw; everything else is skipped (its streams still advance).
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// `o_custkey`
    pub custkey: bool,
    /// `o_orderdate` (implied by any line date)
    pub orderdate: bool,
    /// `o_orderpriority`
    pub priority: bool,
    /// `o_clerk`
    pub clerk: bool,
    /// `o_comment`
    pub order_comment: bool,
    /// `l_partkey`
    pub partkey: bool,
    /// `l_suppkey` (implies partkey)
    pub suppkey: bool,
    /// `l_quantity`
    pub quantity: bool,
    /// `l_discount`
    pub discount: bool,
    /// `l_tax`
    pub tax: bool,
    /// `l_shipdate` (implies orderdate)
    pub shipdate: bool,
    /// `l_commitdate` (implies orderdate)
    pub commitdate: bool,
    /// `l_receiptdate` (implies shipdate)
    pub receiptdate: bool,
    /// `l_returnflag` (implies receiptdate)
    pub returnflag: bool,
    /// `l_shipinstruct`
    pub instruct: bool,
    /// `l_shipmode`
    pub shipmode: bool,
    /// `l_comment`
    pub line_comment: bool,
    /// `o_totalprice` (implies partkey, quantity, discount, tax)
    pub totalprice: bool,
}

impl Needs {
    /// Adds what the requested values are computed from.
    pub fn closed(mut self) -> Self {
        if self.totalprice {
            self.partkey = true;
            self.quantity = true;
            self.discount = true;
            self.tax = true;
        }
        self.partkey |= self.suppkey;
        self.receiptdate |= self.returnflag;
        self.shipdate |= self.receiptdate;
        self.orderdate |= self.shipdate || self.commitdate;
        self
    }
}

/// One generated line item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub(crate) partkey: i64,
    pub(crate) suppkey: i64,
    pub(crate) quantity: i64,
    pub(crate) extendedprice: i64,
    pub(crate) discount: i64,
    pub(crate) tax: i64,
    pub(crate) returnflag: u8,
    pub(crate) linestatus: u8,
    pub(crate) shipdate: Date,
    pub(crate) commitdate: Date,
    pub(crate) receiptdate: Date,
    pub(crate) instruct: &'static str,
    pub(crate) shipmode: &'static str,
    pub(crate) comment: &'static str,
}

/// One generated order with its lines.
#[derive(Clone, Copy, Debug, Default)]
pub struct OrderWithLines {
    pub(crate) orderkey: i64,
    pub(crate) custkey: i64,
    pub(crate) orderstatus: u8,
    pub(crate) totalprice: i64,
    pub(crate) orderdate: Date,
    pub(crate) priority: &'static str,
    pub(crate) clerk: i64,
    pub(crate) comment: &'static str,
    pub(crate) line_count: usize,
    pub(crate) lines: [Line; MAX_LINES],
}

/// Generates orders with their lines for a range of order rows.
#[derive(Clone, Debug)]
pub struct OrderLineEngine {
    next: u64,
    end: u64,
    needs: Needs,
    customers: i64,
    parts: i64,
    suppliers: i64,
    clerks: i64,
    wide_keys: bool,
    wide_restarts: Restarts,
    custkey: RandomStream,
    orderdate: RandomStream,
    priority: RandomStream,
    clerk: RandomStream,
    order_comment: RandomStream,
    line_count: RandomStream,
    quantity: RandomStream,
    discount: RandomStream,
    tax: RandomStream,
    instruct: RandomStream,
    shipmode: RandomStream,
    partkey: RandomStream,
    supplier: RandomStream,
    shipdate: RandomStream,
    commitdate: RandomStream,
    receiptdate: RandomStream,
    returnflag: RandomStream,
    line_comment: RandomStream,
}

impl OrderLineEngine {
    /// The orders in `orders` (0-based order rows), drawing what `needs` asks for.
    pub fn new(sf: &ScaleFactor, orders: RowRange, needs: Needs) -> Self {
        let at = |spec: StreamSpec| spec.at_row(orders.start);
        OrderLineEngine {
            next: orders.start,
            end: orders.end.min(sf.order_count() as u64),
            needs: needs.closed(),
            customers: sf.customer_count(),
            parts: sf.part_count(),
            suppliers: sf.supplier_count(),
            clerks: sf.clerk_count(),
            wide_keys: sf.uses_64bit_keys(),
            wide_restarts: Restarts::after(sf, orders.start),
            custkey: wide::custkey_stream(sf, orders.start),
            orderdate: at(ORDERDATE_STREAM),
            priority: at(PRIORITY_STREAM),
            clerk: at(CLERK_STREAM),
            order_comment: at(ORDER_COMMENT_STREAM),
            line_count: at(LINE_COUNT_STREAM),
            quantity: at(QUANTITY_STREAM),
            discount: at(DISCOUNT_STREAM),
            tax: at(TAX_STREAM),
            instruct: at(INSTRUCT_STREAM),
            shipmode: at(SHIPMODE_STREAM),
            partkey: wide::partkey_stream(sf, orders.start),
            supplier: at(SUPPLIER_STREAM),
            shipdate: at(SHIPDATE_STREAM),
            commitdate: at(COMMITDATE_STREAM),
            receiptdate: at(RECEIPTDATE_STREAM),
            returnflag: at(RETURNFLAG_STREAM),
            line_comment: at(LINE_COMMENT_STREAM),
        }
    }

    /// Every stream, each with whether this engine draws from it (the line count always). A
    /// stream that is never drawn is never read either, so it need not advance at row ends.
    fn streams(&mut self) -> [(&mut RandomStream, bool); 18] {
        let n = self.needs;
        [
            (&mut self.custkey, n.custkey),
            (&mut self.orderdate, n.orderdate),
            (&mut self.priority, n.priority),
            (&mut self.clerk, n.clerk),
            (&mut self.order_comment, n.order_comment),
            (&mut self.line_count, true),
            (&mut self.quantity, n.quantity),
            (&mut self.discount, n.discount),
            (&mut self.tax, n.tax),
            (&mut self.instruct, n.instruct),
            (&mut self.shipmode, n.shipmode),
            (&mut self.partkey, n.partkey),
            (&mut self.supplier, n.suppkey),
            (&mut self.shipdate, n.shipdate),
            (&mut self.commitdate, n.commitdate),
            (&mut self.receiptdate, n.receiptdate),
            (&mut self.returnflag, n.returnflag),
            (&mut self.line_comment, n.line_comment),
        ]
    }

    /// Values drawn so far.
    pub fn draws(&mut self) -> u64 {
        self.streams().iter().map(|(s, _)| s.draws()).sum()
    }

    /// Orders left to generate.
    pub fn remaining(&self) -> u64 {
        self.end.saturating_sub(self.next)
    }

    /// Generates the next order into `out`; false when the range is exhausted.
    pub fn next_into(&mut self, out: &mut OrderWithLines) -> bool {
        if self.next >= self.end {
            return false;
        }
        if self.wide_restarts.at(self.next) {
            self.custkey = CUSTKEY_STREAM.at_row(self.next);
            self.partkey = PARTKEY_STREAM.at_row(self.next);
        }
        self.next += 1;
        let n = self.needs;
        let d = dists();
        out.orderkey = orderkey(self.next);
        if n.custkey {
            let key = if self.wide_keys {
                self.custkey.uniform64(1, self.customers)
            } else {
                self.custkey.uniform(1, self.customers)
            };
            out.custkey = ordering_customer(key, self.customers);
        }
        let order_day = if n.orderdate {
            self.orderdate.uniform(DATE_BASE, LAST_ORDER_DAY) - DATE_BASE
        } else {
            0
        };
        out.orderdate = Date::from_start(order_day);
        if n.priority {
            out.priority = d.order_priority.pick(&mut self.priority);
        }
        if n.clerk {
            out.clerk = self.clerk.uniform(1, self.clerks);
        }
        if n.order_comment {
            out.comment = ORDER_COMMENT_TEXT.draw(&mut self.order_comment);
        }
        let lines = self.line_count.uniform(1, MAX_LINES as i64) as usize;
        out.line_count = lines;
        let mut totalprice = 0i64;
        let mut shipped = 0;
        for line in out.lines[..lines].iter_mut() {
            self.line_into(line, order_day, &mut totalprice, &mut shipped);
        }
        out.totalprice = totalprice;
        out.orderstatus = if shipped == lines {
            b'F'
        } else if shipped > 0 {
            b'P'
        } else {
            b'O'
        };
        for (stream, drawn) in self.streams() {
            if drawn {
                stream.end_row();
            }
        }
        true
    }

    #[inline]
    fn line_into(&mut self, line: &mut Line, order_day: i64, total: &mut i64, shipped: &mut usize) {
        let n = self.needs;
        let d = dists();
        if n.quantity {
            line.quantity = self.quantity.uniform(1, 50);
        }
        if n.discount {
            line.discount = self.discount.uniform(0, 10);
        }
        if n.tax {
            line.tax = self.tax.uniform(0, 8);
        }
        if n.instruct {
            line.instruct = d.ship_instruct.pick(&mut self.instruct);
        }
        if n.shipmode {
            line.shipmode = d.ship_mode.pick(&mut self.shipmode);
        }
        if n.line_comment {
            line.comment = LINE_COMMENT_TEXT.draw(&mut self.line_comment);
        }
        if n.partkey {
            line.partkey = if self.wide_keys {
                self.partkey.uniform64(1, self.parts)
            } else {
                self.partkey.uniform(1, self.parts)
            };
            line.extendedprice = retail_price(line.partkey) * line.quantity;
        }
        if n.suppkey {
            let index = self.supplier.uniform(0, 3);
            line.suppkey = part_supplier(line.partkey, index, self.suppliers);
        }
        if n.totalprice {
            *total += (line.extendedprice * (100 - line.discount)) / 100 * (100 + line.tax) / 100;
        }
        if n.shipdate {
            let ship_day = order_day + self.shipdate.uniform(1, 121);
            line.shipdate = Date::from_start(ship_day);
            if ship_day <= CURRENT_DAY {
                line.linestatus = b'F';
                *shipped += 1;
            } else {
                line.linestatus = b'O';
            }
            if n.receiptdate {
                let receipt_day = ship_day + self.receiptdate.uniform(1, 30);
                line.receiptdate = Date::from_start(receipt_day);
                if n.returnflag {
                    line.returnflag = if receipt_day <= CURRENT_DAY {
                        d.return_flag.pick(&mut self.returnflag).as_bytes()[0]
                    } else {
                        b'N'
                    };
                }
            }
        }
        if n.commitdate {
            line.commitdate = Date::from_start(order_day + self.commitdate.uniform(30, 90));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_keys() {
        assert_eq!(orderkey(1), 1);
        assert_eq!(orderkey(7), 7);
        assert_eq!(orderkey(8), 32);
        assert_eq!(orderkey(9), 33);
        for index in 1..200u64 {
            assert_eq!(order_index_at_or_after(orderkey(index)), index);
            assert_eq!(order_index_at_or_after(orderkey(index) + 1), index + 1);
        }
    }
}
