//! `orders` one column at a time: the engine behind every `orders` row, batch and file.
//!
//! Every order-level stream reserves one or two draws per order, so an order's draw is its
//! start state times a constant and the start states step by a constant: each column is one
//! loop over the batch's orders with the states of four interleaved chains (see
//! `for_each_order_start`). `o_orderstatus` and `o_totalprice` summarise the order's line
//! items: the same batch's lines from the `lineitem` engine ([`LineBatchGenerator`], whole
//! orders), reduced per order. At scale factors ≥ 30000 dbgen draws `o_custkey` with its
//! sequential 64-bit generator, order by order ([`super::wide`]).

use std::ops::Range;

use super::columnar::{OrderStream, for_each_order_start};
use super::columns::ColumnMask;
use super::date::Date;
use super::dists::dists;
use super::line_batch::LineBatchGenerator;
use super::line_columns::LineColumns;
use super::lineitem::col as line_col;
use super::order_streams::{
    CLERK_STREAM, CUSTKEY_STREAM, DATE_BASE, LAST_ORDER_DAY, ORDER_COMMENT_STREAM,
    ORDER_COMMENT_TEXT, ORDERDATE_STREAM, OrderKeys, PRIORITY_STREAM, ordering_customer,
};
use super::orders::col;
use super::random::{EXACT_SPAN_LIMIT, POWERS, RandomStream, mul_mod, unif_int, unif_small};
use super::scale::{RowRange, ScaleFactor};
use super::wide::{self, Restarts};

/// `orders` columns as vectors (keys `i64`, money in hundredths as `i128` for
/// `Decimal128(15, 2)`, dates as days since 1970, text as slices, the clerk as its number);
/// only the requested ones are filled.
#[derive(Debug, Default)]
pub struct OrderColumns {
    /// `o_orderkey`
    pub orderkey: Vec<i64>,
    /// `o_custkey`
    pub custkey: Vec<i64>,
    /// `o_orderstatus`: `F` (every line shipped), `O` (none), `P` (some)
    pub orderstatus: Vec<u8>,
    /// `o_totalprice` in hundredths
    pub totalprice: Vec<i128>,
    /// `o_orderdate`, days since 1970-01-01
    pub orderdate: Vec<i32>,
    /// `o_orderpriority`
    pub orderpriority: Vec<&'static str>,
    /// The clerk's number (`o_clerk` is `Clerk#` and the number on 9 digits)
    pub clerk: Vec<i64>,
    /// `o_comment`
    pub comment: Vec<&'static str>,
}

/// `o_custkey`'s stream where dbgen draws it with its 64-bit generator (scale ≥ 30000).
#[derive(Clone, Debug)]
struct WideCustkey {
    stream: RandomStream,
    restarts: Restarts,
}

/// The line items behind `o_orderstatus` and `o_totalprice`.
#[derive(Debug)]
struct Summaries {
    lines: LineBatchGenerator,
    columns: LineColumns,
}

/// `orders` columns for a range of orders, a batch at a time (see the module docs).
#[derive(Debug)]
pub struct OrderBatchGenerator {
    next: u64,
    end: u64,
    columns: ColumnMask,
    keys: OrderKeys,
    customers: i64,
    clerks: i64,
    custkey: OrderStream,
    wide_custkey: Option<WideCustkey>,
    orderdate: OrderStream,
    priority: OrderStream,
    clerk: OrderStream,
    comment: OrderStream,
    summaries: Option<Summaries>,
}

impl OrderBatchGenerator {
    /// The orders `orders` (0-based rows) with the columns in `columns` (indices of [`col`]).
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Self {
        Self::with_keys(sf, orders, columns, OrderKeys::BASE)
    }

    /// [`new`](Self::new) for generator rows keyed by `keys` (a refresh set's orders).
    pub fn with_keys(
        sf: &ScaleFactor,
        orders: RowRange,
        columns: ColumnMask,
        keys: OrderKeys,
    ) -> Self {
        let at = |spec| OrderStream::at(spec, orders.start);
        let wide_custkey =
            (columns.has(col::CUSTKEY) && sf.uses_64bit_keys()).then(|| WideCustkey {
                stream: wide::custkey_stream(sf, orders.start),
                restarts: Restarts::after(sf, orders.start),
            });
        let mut line_columns = Vec::new();
        if columns.has(col::TOTALPRICE) {
            line_columns.extend([line_col::EXTENDEDPRICE, line_col::DISCOUNT, line_col::TAX]);
        }
        if columns.has(col::ORDERSTATUS) {
            line_columns.push(line_col::LINESTATUS);
        }
        let summaries = (!line_columns.is_empty()).then(|| Summaries {
            lines: LineBatchGenerator::with_keys(sf, orders, ColumnMask::of(line_columns), keys),
            columns: LineColumns::default(),
        });
        OrderBatchGenerator {
            next: orders.start,
            end: orders
                .end
                .min(keys.row_limit(sf.order_count()))
                .max(orders.start),
            columns,
            keys,
            customers: sf.customer_count(),
            clerks: sf.clerk_count(),
            custkey: at(CUSTKEY_STREAM),
            wide_custkey,
            orderdate: at(ORDERDATE_STREAM),
            priority: at(PRIORITY_STREAM),
            clerk: at(CLERK_STREAM),
            comment: at(ORDER_COMMENT_STREAM),
            summaries,
        }
    }

    /// Orders left to generate.
    pub fn remaining(&self) -> u64 {
        self.end - self.next
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
                .extend((first..first + n as u64).map(|row| self.keys.key(row)));
        }
        if has(col::CUSTKEY) {
            let (keys, customers) = (&mut out.custkey, self.customers);
            keys.clear();
            match &mut self.wide_custkey {
                Some(wide) => {
                    for row in first..first + n as u64 {
                        if wide.restarts.at(row) {
                            wide.stream = CUSTKEY_STREAM.at_row(row);
                        }
                        keys.push(ordering_customer(
                            wide.stream.uniform64(1, customers),
                            customers,
                        ));
                        wide.stream.end_row();
                    }
                }
                None => for_each_order_start(self.custkey, n, |_, state| {
                    let key = if customers <= EXACT_SPAN_LIMIT {
                        unif_small(draw(state), 1, customers as u64)
                    } else {
                        unif_int(draw(state), 1, customers)
                    };
                    keys.push(ordering_customer(key, customers));
                }),
            }
        }
        if let Some(summaries) = &mut self.summaries {
            summaries.fill(n, self.columns, out);
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

impl Summaries {
    /// `o_totalprice` and `o_orderstatus` (those in `columns`) of the next `orders` orders.
    fn fill(&mut self, orders: usize, columns: ColumnMask, out: &mut OrderColumns) {
        let lines = &mut self.columns;
        self.lines.fill_orders(orders, lines);
        let counts = self.lines.counts();
        if columns.has(col::TOTALPRICE) {
            let (prices, discounts, taxes) = (&lines.extendedprice, &lines.discount, &lines.tax);
            out.totalprice.clear();
            out.totalprice.extend(order_lines(counts).map(|order| {
                // dbgen truncates after the discount and after the tax, line by line.
                order
                    .map(|i| (prices[i] * (100 - discounts[i])) / 100 * (100 + taxes[i]) / 100)
                    .sum::<i128>()
            }));
        }
        if columns.has(col::ORDERSTATUS) {
            let status = &lines.linestatus;
            out.orderstatus.clear();
            out.orderstatus.extend(order_lines(counts).map(|order| {
                let lines = order.len();
                match status[order].iter().filter(|&&s| s == b'F').count() {
                    0 => b'O',
                    shipped if shipped == lines => b'F',
                    _ => b'P',
                }
            }));
        }
    }
}

/// The line indices of each order, from the orders' line counts.
fn order_lines(counts: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    counts.iter().scan(0, |first, &count| {
        let lines = *first..*first + usize::from(count);
        *first = lines.end;
        Some(lines)
    })
}
