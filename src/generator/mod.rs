//! Generation: dbgen's random streams, distributions and text, and one typed row generator per
//! TPC-H table, each able to start at any row in O(log n).
//!
//! Every generator takes a [`ScaleFactor`], a [`RowRange`] of *generator rows* (orders for
//! `lineitem`, parts for `partsupp`) and a [`ColumnMask`], and yields typed rows (integers,
//! cents as `i64`, [`Date`]s, `&'static str` slices of the shared text pool). Formatting them is
//! a separate stage ([`crate::export`], [`crate::arrow`]).
//!
//! ```
//! use datafusion_dbgen::generator::{ColumnMask, LineitemGenerator, RowRange, ScaleFactor};
//!
//! let sf = ScaleFactor::try_new(1.0)?;
//! // The line items of the last ten orders, without generating the 1 499 990 before them.
//! let orders = sf.order_count() as u64;
//! let lines = LineitemGenerator::new(&sf, RowRange::new(orders - 10, orders), ColumnMask::ALL);
//! assert!(lines.map(|l| l.orderkey).all(|k| k > 5_999_000));
//! # Ok::<(), datafusion_dbgen::Error>(())
//! ```

mod columnar;
pub mod columns;
pub mod customer;
pub mod date;
pub mod dists;
pub mod fields;
mod grammar;
pub(crate) mod line_batch;
pub(crate) mod line_columns;
pub mod lineitem;
pub mod nation;
#[cfg(test)]
mod oracle;
pub(crate) mod order_batch;
pub(crate) mod order_streams;
pub mod orders;
pub mod part;
pub mod partsupp;
mod pool;
pub(crate) mod random;
pub mod refresh;
pub mod region;
mod rows;
pub mod scale;
pub mod supplier;
pub mod table;
pub mod text;
pub mod wide;

pub use columns::ColumnMask;
pub use customer::{Customer, CustomerGenerator};
pub use date::Date;
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
