//! The test oracle of the `orders`/`lineitem` engine: dbgen's `mk_order` written the way dbgen
//! runs it, one order after another, every stream drawn value by value and advanced to the next
//! order at the order's end. It shares only the model ([`super::order_streams`]) with the
//! columnar engine ([`super::order_batch`], [`super::line_batch`]), so the tests below catch a
//! formula, a budget or a column dependency that the engine gets wrong.

use super::date::Date;
use super::dists::dists;
use super::fields::{part_supplier, retail_price};
use super::lineitem::Lineitem;
use super::order_streams::*;
use super::orders::Order;
use super::random::RandomStream;
use super::scale::{RowRange, ScaleFactor};
use super::wide::{self, Restarts};

/// Days from dbgen's start date to its "current date" (shipped, returnable).
const CURRENT_DAY: i64 = (Date::CURRENT.0 - Date::START.0) as i64;

/// Every stream of an order and its lines, walked in order.
struct Oracle {
    next: u64,
    end: u64,
    customers: i64,
    parts: i64,
    suppliers: i64,
    clerks: i64,
    wide_keys: bool,
    restarts: Restarts,
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

impl Oracle {
    fn new(sf: &ScaleFactor, orders: RowRange) -> Self {
        let at = |spec: super::random::StreamSpec| spec.at_row(orders.start);
        Oracle {
            next: orders.start,
            end: orders.end.min(sf.order_count() as u64),
            customers: sf.customer_count(),
            parts: sf.part_count(),
            suppliers: sf.supplier_count(),
            clerks: sf.clerk_count(),
            wide_keys: sf.uses_64bit_keys(),
            restarts: Restarts::after(sf, orders.start),
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

    fn streams(&mut self) -> [&mut RandomStream; 18] {
        [
            &mut self.custkey,
            &mut self.orderdate,
            &mut self.priority,
            &mut self.clerk,
            &mut self.order_comment,
            &mut self.line_count,
            &mut self.quantity,
            &mut self.discount,
            &mut self.tax,
            &mut self.instruct,
            &mut self.shipmode,
            &mut self.partkey,
            &mut self.supplier,
            &mut self.shipdate,
            &mut self.commitdate,
            &mut self.receiptdate,
            &mut self.returnflag,
            &mut self.line_comment,
        ]
    }

    /// The next order and its lines, or `None` at the end of the range.
    fn next_order(&mut self) -> Option<(Order, Vec<Lineitem>)> {
        if self.next >= self.end {
            return None;
        }
        if self.restarts.at(self.next) {
            self.custkey = CUSTKEY_STREAM.at_row(self.next);
            self.partkey = PARTKEY_STREAM.at_row(self.next);
        }
        self.next += 1;
        let d = dists();
        let orderkey = orderkey(self.next);
        let drawn = if self.wide_keys {
            self.custkey.uniform64(1, self.customers)
        } else {
            self.custkey.uniform(1, self.customers)
        };
        let custkey = ordering_customer(drawn, self.customers);
        let order_day = self.orderdate.uniform(DATE_BASE, LAST_ORDER_DAY) - DATE_BASE;
        let orderpriority = d.order_priority.pick(&mut self.priority);
        let clerk = self.clerk.uniform(1, self.clerks);
        let comment = ORDER_COMMENT_TEXT.draw(&mut self.order_comment);
        let count = self.line_count.uniform(1, MAX_LINES as i64);
        let mut lines = Vec::with_capacity(count as usize);
        let (mut totalprice, mut shipped) = (0i64, 0);
        for linenumber in 1..=count {
            let quantity = self.quantity.uniform(1, 50);
            let discount = self.discount.uniform(0, 10);
            let tax = self.tax.uniform(0, 8);
            let shipinstruct = d.ship_instruct.pick(&mut self.instruct);
            let shipmode = d.ship_mode.pick(&mut self.shipmode);
            let line_comment = LINE_COMMENT_TEXT.draw(&mut self.line_comment);
            let partkey = if self.wide_keys {
                self.partkey.uniform64(1, self.parts)
            } else {
                self.partkey.uniform(1, self.parts)
            };
            let extendedprice = retail_price(partkey) * quantity;
            let suppkey = part_supplier(partkey, self.supplier.uniform(0, 3), self.suppliers);
            totalprice += (extendedprice * (100 - discount)) / 100 * (100 + tax) / 100;
            let ship_day = order_day + self.shipdate.uniform(1, 121);
            let linestatus = if ship_day <= CURRENT_DAY { b'F' } else { b'O' };
            shipped += usize::from(linestatus == b'F');
            let receipt_day = ship_day + self.receiptdate.uniform(1, 30);
            let returnflag = if receipt_day <= CURRENT_DAY {
                d.return_flag.pick(&mut self.returnflag).as_bytes()[0]
            } else {
                b'N'
            };
            let commit_day = order_day + self.commitdate.uniform(30, 90);
            lines.push(Lineitem {
                orderkey,
                partkey,
                suppkey,
                linenumber,
                quantity,
                extendedprice,
                discount,
                tax,
                returnflag,
                linestatus,
                shipdate: Date::from_start(ship_day),
                commitdate: Date::from_start(commit_day),
                receiptdate: Date::from_start(receipt_day),
                shipinstruct,
                shipmode,
                comment: line_comment,
            });
        }
        for stream in self.streams() {
            stream.end_row();
        }
        let orderstatus = match shipped {
            0 => b'O',
            n if n == lines.len() => b'F',
            _ => b'P',
        };
        let order = Order {
            orderkey,
            custkey,
            orderstatus,
            totalprice,
            orderdate: Date::from_start(order_day),
            orderpriority,
            clerk,
            shippriority: 0,
            comment,
        };
        Some((order, lines))
    }
}

/// The oracle's orders of `range`.
pub(super) fn orders(sf: &ScaleFactor, range: RowRange) -> Vec<Order> {
    let mut oracle = Oracle::new(sf, range);
    std::iter::from_fn(|| oracle.next_order().map(|(order, _)| order)).collect()
}

/// The oracle's line items of the orders `range`.
pub(super) fn lineitems(sf: &ScaleFactor, range: RowRange) -> Vec<Lineitem> {
    let mut oracle = Oracle::new(sf, range);
    std::iter::from_fn(|| oracle.next_order().map(|(_, lines)| lines))
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_batch::LineBatchGenerator;
    use crate::line_columns::LineColumns;
    use crate::lineitem::col;
    use crate::order_batch::{OrderBatchGenerator, OrderColumns};
    use crate::orders::col as ocol;
    use crate::{ColumnMask, Table};
    use crate::{LineitemGenerator, OrderGenerator, count_lines};

    /// Every column of the lineitem engine, in batch sizes that split orders, equals the
    /// oracle's values.
    fn check_lines(sf: f64, range: RowRange, mask: ColumnMask, batches: &[usize]) {
        let sf = ScaleFactor::try_new(sf).unwrap();
        let rows = lineitems(&sf, range);
        for &batch in batches {
            let mut lines = LineBatchGenerator::new(&sf, range, mask);
            let filled = lines.filled();
            let mut out = LineColumns::default();
            let mut at = 0;
            loop {
                let n = lines.fill(batch, &mut out);
                if n == 0 {
                    break;
                }
                assert!(n <= batch);
                for (i, r) in rows[at..at + n].iter().enumerate() {
                    let c = |column| filled.has(column);
                    let ctx = format!("line {} batch {batch}", at + i);
                    if c(col::ORDERKEY) {
                        assert_eq!(out.orderkey[i], r.orderkey, "{ctx}");
                    }
                    if c(col::PARTKEY) {
                        assert_eq!(out.partkey[i], r.partkey, "{ctx}");
                    }
                    if c(col::SUPPKEY) {
                        assert_eq!(out.suppkey[i], r.suppkey, "{ctx}");
                    }
                    if c(col::LINENUMBER) {
                        assert_eq!(i64::from(out.linenumber[i]), r.linenumber, "{ctx}");
                    }
                    if c(col::QUANTITY) {
                        assert_eq!(out.quantity[i], i128::from(r.quantity * 100), "{ctx}");
                    }
                    if c(col::EXTENDEDPRICE) {
                        assert_eq!(out.extendedprice[i], i128::from(r.extendedprice), "{ctx}");
                    }
                    if c(col::DISCOUNT) {
                        assert_eq!(out.discount[i], i128::from(r.discount), "{ctx}");
                    }
                    if c(col::TAX) {
                        assert_eq!(out.tax[i], i128::from(r.tax), "{ctx}");
                    }
                    if c(col::RETURNFLAG) {
                        assert_eq!(out.returnflag[i], r.returnflag, "{ctx}");
                    }
                    if c(col::LINESTATUS) {
                        assert_eq!(out.linestatus[i], r.linestatus, "{ctx}");
                    }
                    if c(col::SHIPDATE) {
                        assert_eq!(out.shipdate[i], r.shipdate.0, "{ctx}");
                    }
                    if c(col::COMMITDATE) {
                        assert_eq!(out.commitdate[i], r.commitdate.0, "{ctx}");
                    }
                    if c(col::RECEIPTDATE) {
                        assert_eq!(out.receiptdate[i], r.receiptdate.0, "{ctx}");
                    }
                    if c(col::SHIPINSTRUCT) {
                        assert_eq!(out.shipinstruct[i], r.shipinstruct, "{ctx}");
                    }
                    if c(col::SHIPMODE) {
                        assert_eq!(out.shipmode[i], r.shipmode, "{ctx}");
                    }
                    if c(col::COMMENT) {
                        assert_eq!(out.comment[i], r.comment, "{ctx}");
                    }
                }
                at += n;
            }
            assert_eq!(at, rows.len(), "batch {batch}");
        }
    }

    #[test]
    fn every_column_equals_the_oracle() {
        let range = RowRange::new(3, 2003);
        check_lines(0.01, range, ColumnMask::ALL, &[1, 6, 7, 8, 1000, 8192]);
    }

    #[test]
    fn projections_fill_what_they_derive_from() {
        let range = RowRange::new(1000, 1500);
        for columns in [
            vec![col::RETURNFLAG],
            vec![col::LINESTATUS, col::COMMITDATE],
            vec![col::EXTENDEDPRICE],
            vec![col::SUPPKEY, col::TAX],
            vec![col::QUANTITY],
        ] {
            check_lines(1.0, range, ColumnMask::of(columns), &[5, 4096]);
        }
        let mut lines = LineBatchGenerator::new(
            &ScaleFactor::try_new(1.0).unwrap(),
            range,
            ColumnMask::of([col::RETURNFLAG]),
        );
        let filled = lines.filled();
        assert!(filled.has(col::SHIPDATE) && filled.has(col::RECEIPTDATE));
        assert!(!filled.has(col::PARTKEY) && !filled.has(col::COMMENT));
        let mut out = LineColumns::default();
        assert!(lines.fill(100, &mut out) == 100 && out.partkey.is_empty());
    }

    #[test]
    fn wide_keys_of_large_scale_factors_equal_the_oracle() {
        // Scale 30000 draws l_partkey from dbgen's 64-bit generator; start deep in the table.
        let first = 40_000_000_000u64;
        let range = RowRange::new(first, first + 300);
        check_lines(
            30000.0,
            range,
            ColumnMask::of([col::PARTKEY, col::SUPPKEY, col::QUANTITY]),
            &[3, 777],
        );
    }

    #[test]
    fn large_narrow_keys_equal_the_oracle() {
        // Scales 10000 and 20000: part keys up to 2·10⁹ and 4·10⁹, still the 32-bit formulas
        // (at 20000 `key + i·step` can pass 2³² and takes the 64-bit one).
        for sf in [10000.0, 20000.0] {
            let first = (sf * 1_500_000.0) as u64 - 400;
            let range = RowRange::new(first, first + 400);
            let mask = ColumnMask::of([col::PARTKEY, col::SUPPKEY, col::EXTENDEDPRICE]);
            check_lines(sf, range, mask, &[4096]);
        }
    }

    /// Every `orders` column of the engine, in batches, equals the oracle's.
    fn check_orders(sf: &ScaleFactor, range: RowRange, columns: ColumnMask, batch: usize) {
        let rows = orders(sf, range);
        let mut generator = OrderBatchGenerator::new(sf, range, columns);
        let mut out = OrderColumns::default();
        let mut at = 0;
        loop {
            let n = generator.fill(batch, &mut out);
            if n == 0 {
                break;
            }
            for (i, r) in rows[at..at + n].iter().enumerate() {
                let has = |c| columns.has(c);
                let ctx = format!("order row {}", range.start + (at + i) as u64);
                if has(ocol::ORDERKEY) {
                    assert_eq!(out.orderkey[i], r.orderkey, "{ctx}");
                }
                if has(ocol::CUSTKEY) {
                    assert_eq!(out.custkey[i], r.custkey, "{ctx}");
                }
                if has(ocol::ORDERSTATUS) {
                    assert_eq!(out.orderstatus[i], r.orderstatus, "{ctx}");
                }
                if has(ocol::TOTALPRICE) {
                    assert_eq!(out.totalprice[i], i128::from(r.totalprice), "{ctx}");
                }
                if has(ocol::ORDERDATE) {
                    assert_eq!(out.orderdate[i], r.orderdate.0, "{ctx}");
                }
                if has(ocol::ORDERPRIORITY) {
                    assert_eq!(out.orderpriority[i], r.orderpriority, "{ctx}");
                }
                if has(ocol::CLERK) {
                    assert_eq!(out.clerk[i], r.clerk, "{ctx}");
                }
                if has(ocol::COMMENT) {
                    assert_eq!(out.comment[i], r.comment, "{ctx}");
                }
            }
            at += n;
        }
        assert_eq!(at, rows.len());
    }

    #[test]
    fn order_columns_equal_the_oracle() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        for batch in [1, 3, 5, 1000] {
            check_orders(&sf, RowRange::new(7, 2007), ColumnMask::ALL, batch);
        }
        for columns in [[ocol::TOTALPRICE], [ocol::ORDERSTATUS], [ocol::CUSTKEY]] {
            check_orders(&sf, RowRange::new(100, 600), ColumnMask::of(columns), 77);
        }
        let one = ScaleFactor::try_new(1.0).unwrap();
        check_orders(
            &one,
            RowRange::new(700_000, 701_003),
            ColumnMask::of([1, 4]),
            512,
        );
        // Customers beyond 2²⁰ (the general UnifInt) and clerks at a large scale factor.
        let ten = ScaleFactor::try_new(10.0).unwrap();
        check_orders(
            &ten,
            RowRange::new(9_000_000, 9_001_000),
            ColumnMask::ALL,
            300,
        );
    }

    #[test]
    fn wide_custkeys_equal_the_oracle_across_a_restart() {
        // Scale 30000 draws o_custkey from dbgen's 64-bit generator, restarting every chunk.
        let sf = ScaleFactor::try_new(30000.0)
            .unwrap()
            .with_wide_chunks(3_000_000);
        let restart = sf.wide_chunks().next_start(0);
        let range = RowRange::new(restart - 150, restart + 150);
        check_orders(
            &sf,
            range,
            ColumnMask::of([ocol::CUSTKEY, ocol::TOTALPRICE]),
            64,
        );
    }

    /// The row generators (read back from the columnar engine) equal the oracle row for row.
    fn rows_equal_the_oracle(sf: &ScaleFactor, range: RowRange) {
        let all = ColumnMask::ALL;
        let got: Vec<_> = OrderGenerator::new(sf, range, all).collect();
        assert!(got == orders(sf, range), "orders {range:?}");
        let got: Vec<_> = LineitemGenerator::new(sf, range, all).collect();
        let want = lineitems(sf, range);
        assert!(got == want, "lineitem {range:?}");
        assert_eq!(count_lines(sf, range), want.len() as u64, "{range:?}");
    }

    #[test]
    fn whole_tables_equal_the_oracle() {
        for sf in [0.01, 0.1] {
            let sf = ScaleFactor::try_new(sf).unwrap();
            rows_equal_the_oracle(&sf, RowRange::new(0, sf.generator_rows(Table::Orders)));
        }
    }

    #[test]
    fn random_ranges_equal_the_oracle() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |below: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % below
        };
        for sf in [0.01, 1.0, 100.0, 30000.0, 100000.0] {
            let sf = ScaleFactor::try_new(sf).unwrap();
            let orders = sf.generator_rows(Table::Orders);
            for _ in 0..4 {
                let start = next(orders);
                let range = RowRange::new(start, (start + 1 + next(3000)).min(orders));
                rows_equal_the_oracle(&sf, range);
            }
        }
    }
}
