//! `lineitem` columns as vectors: what the engine ([`super::line_batch`]) fills and Arrow
//! arrays take without a copy.

use std::ops::Range;

use super::columns::ColumnMask;
use super::lineitem::col;

macro_rules! line_columns {
    ($($(#[$doc:meta])* $field:ident: $ty:ty = $col:ident,)*) => {
        /// `lineitem` columns as vectors, in the layout Arrow arrays take without a copy:
        /// keys `i64`, money and quantities in hundredths as `i128` (`Decimal128(15, 2)`),
        /// dates as days since 1970-01-01 (`Date32`), flags as bytes, text as pool slices.
        /// Only the columns a generator was asked for (and what they derive from) are filled.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct LineColumns {
            $($(#[$doc])* pub $field: Vec<$ty>,)*
        }

        impl LineColumns {
            /// Empties the `needed` columns and starts them with `carry`'s values.
            pub(super) fn restart(&mut self, needed: ColumnMask, carry: &LineColumns) {
                $(if needed.has(col::$col) {
                    self.$field.clear();
                    self.$field.extend_from_slice(&carry.$field);
                })*
            }

            /// Sizes the `needed` columns to `len` values (the loops write in place).
            pub(super) fn resize(&mut self, needed: ColumnMask, len: usize) {
                $(if needed.has(col::$col) {
                    self.$field.resize(len, Default::default());
                })*
            }

            /// Keeps only the values in `runs` (ascending, disjoint ranges of row indices) in
            /// the columns of `columns`, and empties the others (values a column was only
            /// derived from).
            pub fn retain(&mut self, runs: &[Range<usize>], columns: ColumnMask) {
                $(if columns.has(col::$col) {
                    compact(&mut self.$field, runs);
                } else {
                    self.$field.clear();
                })*
            }

            /// Keeps the first `len` values of the `columns` columns.
            pub(super) fn truncate(&mut self, columns: ColumnMask, len: usize) {
                $(if columns.has(col::$col) {
                    self.$field.truncate(len);
                })*
            }

            /// Keeps the first `emit` values; moves `emit..end` into `carry`.
            pub(super) fn split(&mut self, needed: ColumnMask, emit: usize, end: usize, carry: &mut Self) {
                $(if needed.has(col::$col) {
                    carry.$field.clear();
                    carry.$field.extend_from_slice(&self.$field[emit..end]);
                    self.$field.truncate(emit);
                })*
            }
        }
    };
}

/// Moves the values in `runs` (ascending, disjoint ranges) to the front of `values`, in order,
/// and drops the rest: one `memmove` per run. An empty vector (a column not filled, or already
/// handed out) stays empty.
pub(super) fn compact<T: Copy>(values: &mut Vec<T>, runs: &[Range<usize>]) {
    if values.is_empty() {
        return;
    }
    let mut to = 0;
    for run in runs {
        if run.start != to {
            values.copy_within(run.clone(), to);
        }
        to += run.len();
    }
    values.truncate(to);
}

line_columns! {
    /// `l_orderkey`
    orderkey: i64 = ORDERKEY,
    /// `l_partkey`
    partkey: i64 = PARTKEY,
    /// `l_suppkey`
    suppkey: i64 = SUPPKEY,
    /// `l_linenumber`
    linenumber: i32 = LINENUMBER,
    /// `l_quantity` in hundredths
    quantity: i128 = QUANTITY,
    /// `l_extendedprice` in hundredths
    extendedprice: i128 = EXTENDEDPRICE,
    /// `l_discount` in hundredths
    discount: i128 = DISCOUNT,
    /// `l_tax` in hundredths
    tax: i128 = TAX,
    /// `l_returnflag`
    returnflag: u8 = RETURNFLAG,
    /// `l_linestatus`
    linestatus: u8 = LINESTATUS,
    /// `l_shipdate`, days since 1970-01-01
    shipdate: i32 = SHIPDATE,
    /// `l_commitdate`, days since 1970-01-01
    commitdate: i32 = COMMITDATE,
    /// `l_receiptdate`, days since 1970-01-01
    receiptdate: i32 = RECEIPTDATE,
    /// `l_shipinstruct`
    shipinstruct: &'static str = SHIPINSTRUCT,
    /// `l_shipmode`
    shipmode: &'static str = SHIPMODE,
    /// `l_comment`
    comment: &'static str = COMMENT,
}
