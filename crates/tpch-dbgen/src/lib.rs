//! # tpch-dbgen
//!
//! TPC-H's dbgen in Rust, byte-identical to the official C program at every scale factor:
//! dbgen's random streams, distributions and text, one typed row generator per TPC-H table (each
//! able to start at any row in O(log n)), dbgen's refresh sets ([`RefreshSet`]) and qgen's query
//! streams ([`qgen`]). It does no I/O and depends on no engine: `datafusion-dbgen` builds Arrow
//! batches, DataFusion tables and files on top of it, and any other engine can too.
//!
//! Every generator takes a [`ScaleFactor`], a [`RowRange`] of *generator rows* (orders for
//! `lineitem`, parts for `partsupp`) and a [`ColumnMask`], and yields typed rows (integers,
//! cents as `i64`, [`Date`]s, `&'static str` slices of the shared text pool). Formatting them is
//! a separate stage (`datafusion-dbgen`'s `arrow` and `export` modules).
//!
//! ```
//! use tpch_dbgen::{ColumnMask, LineitemGenerator, RowRange, ScaleFactor};
//!
//! let sf = ScaleFactor::try_new(1.0)?;
//! // The line items of the last two orders, without generating the 1 499 998 before them.
//! let orders = sf.order_count() as u64;
//! let last = RowRange::new(orders - 2, orders);
//! let lines: Vec<(i64, i64, i64, String)> = LineitemGenerator::new(&sf, last, ColumnMask::ALL)
//!     .map(|l| (l.orderkey, l.linenumber, l.quantity, l.shipdate.to_string()))
//!     .collect();
//! // dbgen's last lines of lineitem.tbl at SF 1 (quantities are whole numbers).
//! let want = [
//!     (5999975, 1, 32, "1993-10-07"),
//!     (5999975, 2, 7, "1993-11-02"),
//!     (5999975, 3, 18, "1993-11-17"),
//!     (6000000, 1, 5, "1996-11-02"),
//!     (6000000, 2, 28, "1996-09-22"),
//! ];
//! assert_eq!(lines.len(), want.len());
//! for (got, want) in lines.iter().zip(want) {
//!     assert_eq!((got.0, got.1, got.2, got.3.as_str()), want);
//! }
//! # Ok::<(), tpch_dbgen::Error>(())
//! ```

#![warn(missing_docs)]

pub mod error;
pub mod qgen;

mod columnar;
pub mod columns;
pub mod customer;
pub mod date;
pub mod dists;
pub mod fields;
mod grammar;
pub mod line_batch;
pub mod line_columns;
pub mod lineitem;
pub mod nation;
#[cfg(test)]
mod oracle;
pub mod order_batch;
pub mod order_streams;
pub mod orders;
pub mod part;
pub mod partsupp;
mod pool;
pub mod random;
pub mod refresh;
pub mod region;
pub mod rows;
pub mod scale;
pub mod supplier;
pub mod table;
pub mod text;
pub mod wide;

pub use columns::ColumnMask;
pub use customer::{Customer, CustomerGenerator};
pub use date::Date;
pub use error::{Error, Result};
pub use line_batch::count_lines;
pub use lineitem::Lineitem;
pub use nation::{Nation, NationGenerator};
pub use order_streams::{order_index_at_or_after, orderkey};
pub use orders::Order;
pub use part::{Part, PartGenerator};
pub use partsupp::{Partsupp, PartsuppGenerator};
pub use refresh::{MAX_REFRESH_SETS, RefreshSet};
pub use region::{Region, RegionGenerator};
pub use rows::{LineitemGenerator, OrderGenerator};
pub use scale::{RowRange, ScaleFactor, WideChunks};
pub use supplier::{Supplier, SupplierGenerator};
pub use table::Table;
