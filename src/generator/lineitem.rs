//! `lineitem`: one to seven line items per order, the largest table.

use super::columns::ColumnMask;
use super::date::Date;
use super::line_batch::LineBatchGenerator;
use super::line_columns::LineColumns;
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

/// Lines generated per refill of a row generator's column buffers.
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
            columns.union(ColumnMask::of([col::ORDERKEY, col::LINENUMBER])),
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
        let (i, c, has) = (self.position, &self.columns, |col| self.filled.has(col));
        self.position += 1;
        let get = |present: bool, values: &[i128]| if present { values[i] as i64 } else { 0 };
        let text = |present: bool, values: &[&'static str]| if present { values[i] } else { "" };
        let date = |present: bool, values: &[i32]| Date(if present { values[i] } else { 0 });
        Some(Lineitem {
            orderkey: c.orderkey[i],
            partkey: if has(col::PARTKEY) { c.partkey[i] } else { 0 },
            suppkey: if has(col::SUPPKEY) { c.suppkey[i] } else { 0 },
            linenumber: i64::from(c.linenumber[i]),
            quantity: get(has(col::QUANTITY), &c.quantity) / 100,
            extendedprice: get(has(col::EXTENDEDPRICE), &c.extendedprice),
            discount: get(has(col::DISCOUNT), &c.discount),
            tax: get(has(col::TAX), &c.tax),
            returnflag: if has(col::RETURNFLAG) {
                c.returnflag[i]
            } else {
                0
            },
            linestatus: if has(col::LINESTATUS) {
                c.linestatus[i]
            } else {
                0
            },
            shipdate: date(has(col::SHIPDATE), &c.shipdate),
            commitdate: date(has(col::COMMITDATE), &c.commitdate),
            receiptdate: date(has(col::RECEIPTDATE), &c.receiptdate),
            shipinstruct: text(has(col::SHIPINSTRUCT), &c.shipinstruct),
            shipmode: text(has(col::SHIPMODE), &c.shipmode),
            comment: text(has(col::COMMENT), &c.comment),
        })
    }
}
