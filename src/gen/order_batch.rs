//! `orders` one column at a time, for the columns that are the order's own draws.
//!
//! Every order-level stream reserves one or two draws per order, so an order's draw is its
//! start state times a constant and the start states step by a constant: each column is one
//! loop over the batch's orders with the states of four interleaved chains (see
//! [`for_each_order_start`]). `o_orderstatus` and `o_totalprice` summarise the order's line
//! items; batches that need them come from the row engine ([`super::order_lines`]) instead, as
//! do the 64-bit `o_custkey` draws of scale factors ≥ 30000 ([`OrderBatchGenerator::new`]
//! returns `None` for those).

use super::columns::ColumnMask;
use super::date::Date;
use super::dists::dists;
use super::line_batch::{OrderStream, for_each_order_start};
use super::order_lines::{
    CLERK_STREAM, CUSTKEY_STREAM, DATE_BASE, LAST_ORDER_DAY, ORDER_COMMENT_STREAM,
    ORDER_COMMENT_TEXT, ORDERDATE_STREAM, PRIORITY_STREAM, ordering_customer, orderkey,
};
use super::orders::col;
use super::random::{EXACT_SPAN_LIMIT, POWERS, mul_mod, unif_int, unif_small};
use super::scale::{RowRange, ScaleFactor};

/// `orders` columns as vectors (keys `i64`, dates as days since 1970, text as slices, the
/// clerk as its number); only the requested ones are filled.
#[derive(Debug, Default)]
pub struct OrderColumns {
    /// `o_orderkey`
    pub orderkey: Vec<i64>,
    /// `o_custkey`
    pub custkey: Vec<i64>,
    /// `o_orderdate`, days since 1970-01-01
    pub orderdate: Vec<i32>,
    /// `o_orderpriority`
    pub orderpriority: Vec<&'static str>,
    /// The clerk's number (`o_clerk` is `Clerk#` and the number on 9 digits)
    pub clerk: Vec<i64>,
    /// `o_comment`
    pub comment: Vec<&'static str>,
}

/// `orders` columns for a range of orders, a batch at a time (see the module docs).
#[derive(Debug)]
pub struct OrderBatchGenerator {
    next: u64,
    end: u64,
    columns: ColumnMask,
    customers: i64,
    clerks: i64,
    custkey: OrderStream,
    orderdate: OrderStream,
    priority: OrderStream,
    clerk: OrderStream,
    comment: OrderStream,
}

impl OrderBatchGenerator {
    /// The orders `orders` (0-based rows) with `columns`, or `None` when a requested column
    /// needs the line items (`o_orderstatus`, `o_totalprice`) or dbgen's 64-bit `o_custkey`.
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Option<Self> {
        if columns.any(&[col::ORDERSTATUS, col::TOTALPRICE])
            || (columns.has(col::CUSTKEY) && sf.uses_64bit_keys())
        {
            return None;
        }
        let at = |spec| OrderStream::at(spec, orders.start);
        Some(OrderBatchGenerator {
            next: orders.start,
            end: orders.end.min(sf.order_count() as u64).max(orders.start),
            columns,
            customers: sf.customer_count(),
            clerks: sf.clerk_count(),
            custkey: at(CUSTKEY_STREAM),
            orderdate: at(ORDERDATE_STREAM),
            priority: at(PRIORITY_STREAM),
            clerk: at(CLERK_STREAM),
            comment: at(ORDER_COMMENT_STREAM),
        })
    }

    /// Replaces `out`'s requested columns with the next (up to) `max` orders; returns how many.
    pub fn fill(&mut self, max: usize, out: &mut OrderColumns) -> usize {
        let n = (self.end - self.next).min(max as u64) as usize;
        let (first, has) = (self.next, |c| self.columns.has(c));
        // The state of an order's first draw (its second: times 16807 once more).
        let draw = |state: i64| mul_mod(state, POWERS[1]);
        if has(col::ORDERKEY) {
            out.orderkey.clear();
            out.orderkey
                .extend((first..first + n as u64).map(|row| orderkey(row + 1)));
        }
        if has(col::CUSTKEY) {
            let (keys, customers) = (&mut out.custkey, self.customers);
            keys.clear();
            for_each_order_start(self.custkey, n, |_, state| {
                let key = if customers <= EXACT_SPAN_LIMIT {
                    unif_small(draw(state), 1, customers as u64)
                } else {
                    unif_int(draw(state), 1, customers)
                };
                let key = ordering_customer(key, customers);
                keys.push(key);
            });
        }
        if has(col::ORDERDATE) {
            let dates = &mut out.orderdate;
            dates.clear();
            for_each_order_start(self.orderdate, n, |_, state| {
                let day = unif_small(
                    draw(state),
                    DATE_BASE,
                    (LAST_ORDER_DAY - DATE_BASE + 1) as u64,
                );
                dates.push(Date::from_start(day - DATE_BASE).0);
            });
        }
        if has(col::ORDERPRIORITY) {
            let (priorities, dist) = (&mut out.orderpriority, &dists().order_priority);
            priorities.clear();
            for_each_order_start(self.priority, n, |_, state| {
                priorities.push(dist.member(dist.pick_index_at(draw(state))));
            });
        }
        if has(col::CLERK) {
            let (clerks, count) = (&mut out.clerk, self.clerks);
            clerks.clear();
            for_each_order_start(self.clerk, n, |_, state| {
                clerks.push(unif_int(draw(state), 1, count));
            });
        }
        if has(col::COMMENT) {
            let comments = &mut out.comment;
            comments.clear();
            for_each_order_start(self.comment, n, |_, state| {
                let offset = draw(state);
                comments.push(ORDER_COMMENT_TEXT.draw_at(offset, draw(offset)));
            });
        }
        for stream in [
            &mut self.custkey,
            &mut self.orderdate,
            &mut self.priority,
            &mut self.clerk,
            &mut self.comment,
        ] {
            stream.skip_orders(n as u64);
        }
        self.next += n as u64;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::OrderGenerator;

    fn check(sf: f64, range: RowRange, columns: ColumnMask, batch: usize) {
        let sf = ScaleFactor::new(sf).unwrap();
        let rows: Vec<_> = OrderGenerator::new(&sf, range, ColumnMask::ALL).collect();
        let mut orders = OrderBatchGenerator::new(&sf, range, columns).unwrap();
        let mut out = OrderColumns::default();
        let mut at = 0;
        loop {
            let n = orders.fill(batch, &mut out);
            if n == 0 {
                break;
            }
            for (i, r) in rows[at..at + n].iter().enumerate() {
                let has = |c| columns.has(c);
                if has(col::ORDERKEY) {
                    assert_eq!(out.orderkey[i], r.orderkey);
                }
                if has(col::CUSTKEY) {
                    assert_eq!(out.custkey[i], r.custkey, "row {}", at + i);
                }
                if has(col::ORDERDATE) {
                    assert_eq!(out.orderdate[i], r.orderdate.0);
                }
                if has(col::ORDERPRIORITY) {
                    assert_eq!(out.orderpriority[i], r.orderpriority);
                }
                if has(col::CLERK) {
                    assert_eq!(out.clerk[i], r.clerk);
                }
                if has(col::COMMENT) {
                    assert_eq!(out.comment[i], r.comment);
                }
            }
            at += n;
        }
        assert_eq!(at, rows.len());
    }

    #[test]
    fn order_columns_equal_the_row_engine() {
        let own = ColumnMask::of([0, 1, 4, 5, 6, 7, 8]);
        for batch in [1, 3, 5, 1000] {
            check(0.01, RowRange::new(7, 2007), own, batch);
        }
        check(
            1.0,
            RowRange::new(700_000, 701_003),
            ColumnMask::of([1, 4]),
            512,
        );
        // Customers beyond 2²⁰ (the general UnifInt) and clerks at a large scale factor.
        check(10.0, RowRange::new(9_000_000, 9_001_000), own, 300);
    }

    #[test]
    fn line_summaries_and_wide_keys_use_the_row_engine() {
        let sf = ScaleFactor::new(0.01).unwrap();
        let range = RowRange::new(0, 10);
        assert!(OrderBatchGenerator::new(&sf, range, ColumnMask::of([col::TOTALPRICE])).is_none());
        assert!(OrderBatchGenerator::new(&sf, range, ColumnMask::of([col::ORDERSTATUS])).is_none());
        let wide = ScaleFactor::new(30000.0).unwrap();
        assert!(OrderBatchGenerator::new(&wide, range, ColumnMask::of([col::CUSTKEY])).is_none());
        assert!(OrderBatchGenerator::new(&wide, range, ColumnMask::of([col::ORDERDATE])).is_some());
    }
}
