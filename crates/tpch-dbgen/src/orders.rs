//! `orders`: 10 orders per customer slot, with sparse keys, dates, priorities, clerks, and a
//! status and total price that summarise the order's line items.

use super::date::Date;
use super::fields::{InlineStr, tagged_number};

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
