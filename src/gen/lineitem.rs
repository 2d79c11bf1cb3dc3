//! `lineitem`: one to seven line items per order, the largest table.

use super::columns::ColumnMask;
use super::date::Date;
use super::order_lines::{Needs, OrderLineEngine, OrderWithLines};
use super::scale::{RowRange, ScaleFactor};

/// Column indices of `lineitem`.
pub mod col {
    /// `l_orderkey`
    pub const ORDERKEY: usize = 0;
    /// `l_partkey`
    pub const PARTKEY: usize = 1;
    /// `l_suppkey`
    pub const SUPPKEY: usize = 2;
    /// `l_linenumber`
    pub const LINENUMBER: usize = 3;
    /// `l_quantity`
    pub const QUANTITY: usize = 4;
    /// `l_extendedprice`
    pub const EXTENDEDPRICE: usize = 5;
    /// `l_discount`
    pub const DISCOUNT: usize = 6;
    /// `l_tax`
    pub const TAX: usize = 7;
    /// `l_returnflag`
    pub const RETURNFLAG: usize = 8;
    /// `l_linestatus`
    pub const LINESTATUS: usize = 9;
    /// `l_shipdate`
    pub const SHIPDATE: usize = 10;
    /// `l_commitdate`
    pub const COMMITDATE: usize = 11;
    /// `l_receiptdate`
    pub const RECEIPTDATE: usize = 12;
    /// `l_shipinstruct`
    pub const SHIPINSTRUCT: usize = 13;
    /// `l_shipmode`
    pub const SHIPMODE: usize = 14;
    /// `l_comment`
    pub const COMMENT: usize = 15;
}

/// One `lineitem` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lineitem {
    /// `l_orderkey`
    pub orderkey: i64,
    /// `l_partkey`
    pub partkey: i64,
    /// `l_suppkey`
    pub suppkey: i64,
    /// `l_linenumber`, 1..=7
    pub linenumber: i64,
    /// `l_quantity` (whole units)
    pub quantity: i64,
    /// `l_extendedprice` in cents
    pub extendedprice: i64,
    /// `l_discount` in hundredths (0..=10)
    pub discount: i64,
    /// `l_tax` in hundredths (0..=8)
    pub tax: i64,
    /// `l_returnflag`: `R`, `A` or `N`
    pub returnflag: u8,
    /// `l_linestatus`: `F` or `O`
    pub linestatus: u8,
    /// `l_shipdate`
    pub shipdate: Date,
    /// `l_commitdate`
    pub commitdate: Date,
    /// `l_receiptdate`
    pub receiptdate: Date,
    /// `l_shipinstruct`
    pub shipinstruct: &'static str,
    /// `l_shipmode`
    pub shipmode: &'static str,
    /// `l_comment`
    pub comment: &'static str,
}

/// Generates `lineitem` rows for a range of orders.
#[derive(Clone, Debug)]
pub struct LineitemGenerator {
    engine: OrderLineEngine,
    current: OrderWithLines,
    position: usize,
}

impl LineitemGenerator {
    /// The line items of the orders in `orders` (order rows, 0-based), with `columns`.
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Self {
        let needs = Needs {
            partkey: columns.any(&[col::PARTKEY, col::EXTENDEDPRICE]),
            suppkey: columns.has(col::SUPPKEY),
            quantity: columns.any(&[col::QUANTITY, col::EXTENDEDPRICE]),
            discount: columns.has(col::DISCOUNT),
            tax: columns.has(col::TAX),
            shipdate: columns.any(&[col::SHIPDATE, col::LINESTATUS]),
            commitdate: columns.has(col::COMMITDATE),
            receiptdate: columns.has(col::RECEIPTDATE),
            returnflag: columns.has(col::RETURNFLAG),
            instruct: columns.has(col::SHIPINSTRUCT),
            shipmode: columns.has(col::SHIPMODE),
            line_comment: columns.has(col::COMMENT),
            ..Needs::default()
        };
        LineitemGenerator {
            engine: OrderLineEngine::new(sf, orders, needs),
            current: OrderWithLines::default(),
            position: 0,
        }
    }

    /// Values drawn so far.
    pub fn draws(&mut self) -> u64 {
        self.engine.draws()
    }
}

impl Iterator for LineitemGenerator {
    type Item = Lineitem;

    #[inline]
    fn next(&mut self) -> Option<Lineitem> {
        while self.position >= self.current.line_count {
            if !self.engine.next_into(&mut self.current) {
                return None;
            }
            self.position = 0;
        }
        let o = &self.current;
        let l = &o.lines[self.position];
        self.position += 1;
        Some(Lineitem {
            orderkey: o.orderkey,
            partkey: l.partkey,
            suppkey: l.suppkey,
            linenumber: self.position as i64,
            quantity: l.quantity,
            extendedprice: l.extendedprice,
            discount: l.discount,
            tax: l.tax,
            returnflag: l.returnflag,
            linestatus: l.linestatus,
            shipdate: l.shipdate,
            commitdate: l.commitdate,
            receiptdate: l.receiptdate,
            shipinstruct: l.instruct,
            shipmode: l.shipmode,
            comment: l.comment,
        })
    }
}
