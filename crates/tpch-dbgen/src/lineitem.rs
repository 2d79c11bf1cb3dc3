//! `lineitem`: one to seven line items per order, the largest table.

use super::date::Date;

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
