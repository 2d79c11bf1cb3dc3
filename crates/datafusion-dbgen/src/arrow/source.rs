//! What the batch builder ([`super::TableBatches`]) asks of a table's source: the contract the
//! columnar sources (`lineitem`, `orders`) and the row-buffering one share.

use arrow::array::ArrayRef;
use arrow::buffer::BooleanBuffer;
use arrow::error::ArrowError;

/// Rows per batch when nobody says otherwise (DataFusion's default `batch_size`).
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// A generator with a buffer for one batch of its rows.
pub(crate) trait RowSource: Send {
    /// Generates up to `max` rows into the buffer; returns how many.
    fn fill(&mut self, max: usize) -> usize;
    /// Builds column `column` of the buffered rows.
    fn column(&mut self, column: usize) -> Result<ArrayRef, ArrowError>;
    /// Drops the buffered rows `keep` does not hold, so that columns built afterwards have only
    /// the kept rows; false if this source cannot (the caller filters the built columns).
    fn retain(&mut self, _keep: &BooleanBuffer) -> bool {
        false
    }
}
