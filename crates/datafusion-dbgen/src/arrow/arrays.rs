//! Arrow arrays from slices of typed rows: one helper per column kind.
//!
//! Each helper takes an iterator of plain values (already computed by the generator) and fills
//! the Arrow buffers directly; nothing is formatted or parsed.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Int32Array, Int64Array, StringBuilder, StringViewArray,
};
use arrow::buffer::ScalarBuffer;
use arrow::error::ArrowError;

use super::schema::{DECIMAL_PRECISION, DECIMAL_SCALE};
#[cfg(test)]
use tpch_dbgen::Date;
use tpch_dbgen::fields::InlineStr;

/// An `Int64` array.
pub(crate) fn keys(values: impl Iterator<Item = i64>) -> Result<ArrayRef, ArrowError> {
    Ok(key_array(values.collect()))
}

/// An `Int64` array owning `values` (no copy).
pub(crate) fn key_array(values: Vec<i64>) -> ArrayRef {
    Arc::new(Int64Array::new(ScalarBuffer::from(values), None))
}

/// An `Int32` array of small integers (values outside `i32` are an error, never truncated).
pub(crate) fn ints(values: impl Iterator<Item = i64>) -> Result<ArrayRef, ArrowError> {
    let narrow: Result<Vec<i32>, _> = values.map(i32::try_from).collect();
    let narrow =
        narrow.map_err(|e| ArrowError::ComputeError(format!("integer out of range: {e}")))?;
    Ok(Arc::new(Int32Array::from(narrow)))
}

/// A `Decimal128(15, 2)` array from values in hundredths (cents).
pub(crate) fn decimals(hundredths: impl Iterator<Item = i64>) -> Result<ArrayRef, ArrowError> {
    decimal_array(hundredths.map(i128::from).collect())
}

/// A `Decimal128(15, 2)` array owning `hundredths` (no copy).
pub(crate) fn decimal_array(hundredths: Vec<i128>) -> Result<ArrayRef, ArrowError> {
    let array = Decimal128Array::new(ScalarBuffer::from(hundredths), None)
        .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)?;
    Ok(Arc::new(array))
}

/// A `Date32` array.
#[cfg(test)]
pub(crate) fn dates(values: impl Iterator<Item = Date>) -> Result<ArrayRef, ArrowError> {
    Ok(date_array(values.map(Date::days_since_epoch).collect()))
}

/// A `Date32` array owning `days` since the Unix epoch (no copy).
pub(crate) fn date_array(days: Vec<i32>) -> ArrayRef {
    Arc::new(Date32Array::new(ScalarBuffer::from(days), None))
}

/// A `Utf8View` array of one-character strings (`l_returnflag`, …), built without a builder.
#[cfg(test)]
pub(crate) fn chars<R>(rows: &[R], value: impl Fn(&R) -> u8) -> Result<ArrayRef, ArrowError> {
    char_array(rows.iter().map(value).collect())
}

/// A `Utf8View` array of one-character strings from `bytes`: every value is inline in its
/// 16-byte view (length 1, then the byte), so the array has no data buffer.
pub(crate) fn char_array(bytes: Vec<u8>) -> Result<ArrayRef, ArrowError> {
    let views: ScalarBuffer<u128> = bytes.iter().map(|&b| 1 | (u128::from(b) << 32)).collect();
    if !bytes.is_ascii() {
        // Not what the generator produces; let Arrow validate (and reject) it.
        return Ok(Arc::new(StringViewArray::try_new(views, Vec::new(), None)?));
    }
    // SAFETY: every view is an inline view of length 1 (≤ 12, so no buffer is referenced)
    // whose one byte is ASCII, hence valid UTF-8.
    Ok(Arc::new(unsafe {
        StringViewArray::new_unchecked(views, Vec::new(), None)
    }))
}

/// A `Utf8` array of stored strings: measures them, then copies each once.
pub(crate) fn text<'r, R, S: AsText>(
    rows: &'r [R],
    value: impl Fn(&'r R) -> S,
) -> Result<ArrayRef, ArrowError> {
    let total: usize = rows.iter().map(|r| value(r).as_text().len()).sum();
    text_sized(rows, total, value)
}

/// A `Utf8` array of strings computed per row (names, clerks), with `capacity` bytes reserved
/// up front instead of computing every string twice.
pub(crate) fn text_sized<'r, R, S: AsText>(
    rows: &'r [R],
    capacity: usize,
    value: impl Fn(&'r R) -> S,
) -> Result<ArrayRef, ArrowError> {
    let mut builder = StringBuilder::with_capacity(rows.len(), capacity);
    for row in rows {
        builder.append_value(value(row).as_text());
    }
    Ok(Arc::new(builder.finish()))
}

/// Text a column value can be read as: pool slices and the generator's inline strings.
pub(crate) trait AsText {
    /// The text.
    fn as_text(&self) -> &str;
}

impl AsText for &str {
    fn as_text(&self) -> &str {
        self
    }
}

impl<const N: usize> AsText for InlineStr<N> {
    fn as_text(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, AsArray};

    use super::*;

    #[test]
    fn char_arrays_hold_one_character_per_byte_and_reject_non_ascii() {
        let array = char_array(b"RAN".to_vec()).unwrap();
        let strings = array.as_string_view();
        assert_eq!(strings.len(), 3);
        assert_eq!(
            strings.iter().collect::<Vec<_>>(),
            [Some("R"), Some("A"), Some("N")]
        );
        assert!(char_array(vec![b'F', 0xC3]).is_err());
        assert_eq!(char_array(Vec::new()).unwrap().len(), 0);
    }
}
