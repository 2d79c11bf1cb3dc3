//! Arrow record batches built straight from the typed generators (feature `arrow`).
//!
//! [`table_schema`] gives each table's Arrow schema (types documented in [`schema`]) and
//! [`TableBatches`] turns any range of generator rows into record batches of the projected
//! columns only, with no text round trip: integers, cents and day numbers go straight into
//! Arrow buffers and strings are copied once from the generator's shared text.

mod arrays;
mod batches;
mod columns;
mod lineitem_source;
mod orders_source;
pub mod row_filter;
pub mod schema;
mod source;

pub use batches::TableBatches;
pub use row_filter::{BatchPredicate, ColumnBound, RowFilter};
pub use schema::{DECIMAL_PRECISION, DECIMAL_SCALE, table_schema};
pub use source::DEFAULT_BATCH_SIZE;
