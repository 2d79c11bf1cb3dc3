//! Arrow record batches (of any schema, not only TPC-H tables) encoded into files of the shared
//! [`Sink`](crate::sink::Sink) as delimited text, through the crate's one delimited encoder
//! ([`RowWriter`]); their Parquet counterpart is `export::parquet::ParquetBatchWriter`.
//!
//! This is what SQL `COPY … TO` uses ([`crate::copy`]) and what `tpch gen` and refresh sets
//! use ([`super::text`], on the provider's batches), so `.tbl` and CSV text is formatted by one
//! implementation whichever way it is produced.
//!
//! Text encoding follows Arrow's CSV writer (`arrow_csv`, which DataFusion's own `COPY … STORED
//! AS CSV` uses) value for value: integers, decimals with exactly `scale` fractional digits,
//! ISO dates, `true`/`false`, strings as they are, quoting of fields that contain the delimiter,
//! a quote or a line break; every other non-nested type is formatted by Arrow's display
//! formatter with the same options as `arrow_csv`. Nested types (lists, structs, maps, …) are
//! rejected, as `arrow_csv` rejects them.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{Date32Array, Decimal128Array, Int64Array, StringArray};
//! use arrow::datatypes::{DataType, Field, Schema};
//! use arrow::record_batch::RecordBatch;
//! use datafusion_dbgen::export::batches::{TextOptions, encode_batch, write_header};
//!
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("l_orderkey", DataType::Int64, false),
//!     Field::new("l_quantity", DataType::Decimal128(15, 2), false),
//!     Field::new("l_shipdate", DataType::Date32, false),
//!     Field::new("l_comment", DataType::Utf8, true),
//! ]));
//! let batch = RecordBatch::try_new(schema.clone(), vec![
//!     Arc::new(Int64Array::from(vec![1])),
//!     Arc::new(Decimal128Array::from(vec![1700]).with_precision_and_scale(15, 2).unwrap()),
//!     Arc::new(Date32Array::from(vec![9568])),
//!     Arc::new(StringArray::from(vec![Some("egular, final")])),
//! ]).unwrap();
//!
//! let mut tbl = Vec::new();
//! encode_batch(&batch, &TextOptions::tbl(), &mut tbl).unwrap();
//! assert_eq!(tbl, b"1|17|1996-03-13|egular, final|\n"); // dbgen prints l_quantity as an integer
//!
//! let mut csv = Vec::new();
//! write_header(&schema, &TextOptions::csv(), &mut csv);
//! encode_batch(&batch, &TextOptions::csv(), &mut csv).unwrap();
//! assert_eq!(csv, b"l_orderkey,l_quantity,l_shipdate,l_comment\n1,17.00,1996-03-13,\"egular, final\"\n");
//! ```

use std::path::PathBuf;

use arrow::array::{
    Array, ArrowPrimitiveType, BooleanArray, LargeStringArray, PrimitiveArray, RecordBatch,
    StringArray, StringViewArray,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Int8Type, Int16Type, Int32Type, Int64Type, Schema,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow::error::ArrowError;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::delimited::{Dialect, RowWriter};
use crate::error::{Error, Result};
use crate::sink::{SinkBuffer, SinkFile};
use tpch_dbgen::Date;

/// How record batches are written as delimited text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextOptions {
    /// Delimiter, trailing delimiter, quoting and header line.
    pub dialect: Dialect,
    /// Text written for a null value (`arrow_csv` and DataFusion default to the empty string).
    pub null_value: String,
    /// `chrono` format of `Date32` values (default: `YYYY-MM-DD`).
    pub date_format: Option<String>,
    /// `chrono` format of `Date64` values.
    pub datetime_format: Option<String>,
    /// `chrono` format of timestamps without a time zone.
    pub timestamp_format: Option<String>,
    /// `chrono` format of timestamps with a time zone.
    pub timestamp_tz_format: Option<String>,
    /// `chrono` format of times.
    pub time_format: Option<String>,
    /// Decimal columns printed as whole numbers when their value has no fractional part, as
    /// dbgen prints `l_quantity` (`17`, not `17.00`). Only honoured by dialects with a trailing
    /// delimiter (`.tbl`).
    pub whole_decimal_columns: Vec<String>,
}

impl TextOptions {
    /// dbgen's `.tbl`: `|` after every field, no quoting, no header, `l_quantity` as an integer.
    pub fn tbl() -> TextOptions {
        TextOptions {
            dialect: Dialect::TBL,
            whole_decimal_columns: vec!["l_quantity".to_string()],
            ..TextOptions::csv()
        }
    }

    /// CSV as DataFusion writes it by default: `,`, RFC 4180 quoting where needed, a header
    /// line, empty nulls.
    pub fn csv() -> TextOptions {
        TextOptions {
            dialect: Dialect::CSV,
            null_value: String::new(),
            date_format: None,
            datetime_format: None,
            timestamp_format: None,
            timestamp_tz_format: None,
            time_format: None,
            whole_decimal_columns: Vec::new(),
        }
    }

    fn format_options(&self) -> FormatOptions<'_> {
        FormatOptions::default()
            .with_null(&self.null_value)
            .with_date_format(self.date_format.as_deref())
            .with_datetime_format(self.datetime_format.as_deref())
            .with_timestamp_format(self.timestamp_format.as_deref())
            .with_timestamp_tz_format(self.timestamp_tz_format.as_deref())
            .with_time_format(self.time_format.as_deref())
    }

    /// Whether numbers and dates can be written unquoted whatever their value: false when the
    /// delimiter could occur in them (a digit, `-`, `.`, …) and the dialect quotes.
    fn numbers_need_no_quotes(&self) -> bool {
        let d = self.dialect.delimiter;
        !self.dialect.quote || !(d.is_ascii_alphanumeric() || b"+-.:".contains(&d))
    }

    /// Whether decimal column `name` is printed without places when whole (dbgen's
    /// `l_quantity` in `.tbl`): the one place this rule is decided.
    pub(crate) fn prints_whole(&self, name: &str) -> bool {
        self.dialect.trailing_delimiter && self.whole_decimal_columns.iter().any(|c| c == name)
    }

    /// Whether column vectors can be encoded without Arrow's formatter ([`encode_columns`]):
    /// numbers need no quotes and dates use the default format.
    pub(crate) fn encodes_vectors(&self) -> bool {
        self.numbers_need_no_quotes() && self.date_format.is_none()
    }
}

/// Checks that every column of `schema` can be written as delimited text (nested types cannot).
pub fn check_text_schema(schema: &Schema) -> Result<()> {
    for field in schema.fields() {
        if field.data_type().is_nested() {
            return Err(Error::InvalidOption(format!(
                "column '{}' has the nested type {}, which delimited text cannot hold",
                field.name(),
                field.data_type()
            )));
        }
    }
    Ok(())
}

/// Appends the header line (the column names) when the dialect has one.
pub fn write_header(schema: &Schema, options: &TextOptions, out: &mut Vec<u8>) {
    if options.dialect.header {
        let mut w = RowWriter::new(out, options.dialect);
        for field in schema.fields() {
            w.text(field.name().as_bytes());
        }
        w.end();
    }
}

/// Appends every row of `batch` as delimited text (no header).
pub fn encode_batch(
    batch: &RecordBatch,
    options: &TextOptions,
    out: &mut Vec<u8>,
) -> std::result::Result<(), ArrowError> {
    let format = options.format_options();
    let encoder = BatchText::new(batch, options, &format)?;
    let mut scratch = String::new();
    for row in 0..batch.num_rows() {
        encoder.row(row, out, &mut scratch)?;
    }
    Ok(())
}

/// Appends `rows` rows of `columns` (no nulls; every column at least `rows` long) as `options`
/// say — the encoder of [`encode_batch`] fed with column vectors instead of Arrow arrays.
/// `None` when `options` need what only Arrow's formatter gives (quoted numbers, a date
/// format): then encode Arrow batches instead.
pub(crate) fn encode_columns(
    columns: Vec<Column<'_>>,
    rows: usize,
    options: &TextOptions,
    out: &mut Vec<u8>,
) -> Option<()> {
    if !options.encodes_vectors() {
        return None;
    }
    let encoder = BatchText {
        columns: columns
            .into_iter()
            .map(|column| EncodedColumn {
                nulls: None,
                column,
            })
            .collect(),
        dialect: options.dialect,
        null: options.null_value.as_bytes(),
    };
    let mut scratch = String::new();
    for row in 0..rows {
        // Only `Other` columns (never built here) can fail.
        encoder.row(row, out, &mut scratch).ok()?;
    }
    Some(())
}

/// One column of a batch, ready to be written row by row: an Arrow array's values, or (for
/// [`super::text`]) a generator's own column vector.
pub(crate) enum Column<'a> {
    Int8(&'a [i8]),
    Int16(&'a [i16]),
    Int32(&'a [i32]),
    Int64(&'a [i64]),
    UInt8(&'a [u8]),
    UInt16(&'a [u16]),
    UInt32(&'a [u32]),
    UInt64(&'a [u64]),
    /// Decimal128 with scale 2 whose values fit `i64` (money): the `.tbl`/CSV fast path.
    Money(&'a [i128]),
    /// Decimal128 with a positive scale.
    Decimal(&'a [i128], u8),
    /// Decimal128 printed without places when whole (`.tbl`'s `l_quantity`).
    Whole(&'a [i128], u8, i128),
    /// [`Column::Whole`] with scale 2 and every value within `i64` (`l_quantity`'s fast path).
    WholeMoney(&'a [i128]),
    /// Date32 within years 0–9999, default format.
    Date(&'a [i32]),
    /// One-byte text values (`l_returnflag`), from a generator's vector.
    Chars(&'a [u8]),
    /// Text values from a generator's vector.
    Strs(&'a [&'a str]),
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    Boolean(&'a BooleanArray),
    /// Anything else, through Arrow's display formatter (handles its own nulls).
    Other(ArrayFormatter<'a>),
}

struct EncodedColumn<'a> {
    nulls: Option<&'a NullBuffer>,
    column: Column<'a>,
}

/// A batch prepared for row-by-row encoding.
struct BatchText<'a> {
    columns: Vec<EncodedColumn<'a>>,
    dialect: Dialect,
    null: &'a [u8],
}

fn values<T: ArrowPrimitiveType>(array: &dyn Array) -> Option<&[T::Native]> {
    array
        .as_any()
        .downcast_ref::<PrimitiveArray<T>>()
        .map(|a| a.values().as_ref())
}

/// Days since the epoch of 0000-01-01 and 9999-12-31: the dates `Date::iso_bytes` prints.
const ISO_DAYS: std::ops::RangeInclusive<i32> = -719_528..=2_932_896;

impl<'a> BatchText<'a> {
    fn new(
        batch: &'a RecordBatch,
        options: &'a TextOptions,
        format: &FormatOptions<'a>,
    ) -> std::result::Result<Self, ArrowError> {
        let schema = batch.schema_ref();
        let fast = options.numbers_need_no_quotes();
        let mut columns = Vec::with_capacity(batch.num_columns());
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let array: &'a dyn Array = array.as_ref();
            if array.data_type().is_nested() {
                return Err(ArrowError::CsvError(format!(
                    "Nested type {} of column '{}' is not supported in delimited text",
                    array.data_type(),
                    field.name()
                )));
            }
            let whole = options.prints_whole(field.name());
            let column = match array.data_type() {
                DataType::Int8 if fast => values::<Int8Type>(array).map(Column::Int8),
                DataType::Int16 if fast => values::<Int16Type>(array).map(Column::Int16),
                DataType::Int32 if fast => values::<Int32Type>(array).map(Column::Int32),
                DataType::Int64 if fast => values::<Int64Type>(array).map(Column::Int64),
                DataType::UInt8 if fast => values::<UInt8Type>(array).map(Column::UInt8),
                DataType::UInt16 if fast => values::<UInt16Type>(array).map(Column::UInt16),
                DataType::UInt32 if fast => values::<UInt32Type>(array).map(Column::UInt32),
                DataType::UInt64 if fast => values::<UInt64Type>(array).map(Column::UInt64),
                DataType::Decimal128(_, scale) if fast && *scale > 0 => {
                    let scale = *scale as u8;
                    values::<Decimal128Type>(array).map(|v| {
                        let fits_i64 = || v.iter().all(|x| i64::try_from(*x).is_ok());
                        if whole && scale == 2 && fits_i64() {
                            Column::WholeMoney(v)
                        } else if whole && scale <= 38 {
                            Column::Whole(v, scale, 10i128.pow(u32::from(scale)))
                        } else if scale == 2 && fits_i64() {
                            Column::Money(v)
                        } else {
                            Column::Decimal(v, scale)
                        }
                    })
                }
                DataType::Date32 if fast && options.date_format.is_none() => {
                    values::<Date32Type>(array)
                        .filter(|v| v.iter().all(|d| ISO_DAYS.contains(d)))
                        .map(Column::Date)
                }
                DataType::Utf8 => array.as_any().downcast_ref().map(Column::Utf8),
                DataType::LargeUtf8 => array.as_any().downcast_ref().map(Column::LargeUtf8),
                DataType::Utf8View => array.as_any().downcast_ref().map(Column::Utf8View),
                DataType::Boolean => array.as_any().downcast_ref().map(Column::Boolean),
                _ => None,
            };
            let column = match column {
                Some(c) => c,
                None => Column::Other(ArrayFormatter::try_new(array, format)?),
            };
            // Every fast-path type has the same logical and physical nulls; `Other` columns
            // print their nulls through the formatter.
            let nulls = match column {
                Column::Other(_) => None,
                _ => array.nulls().filter(|n| n.null_count() > 0),
            };
            columns.push(EncodedColumn { nulls, column });
        }
        Ok(BatchText {
            columns,
            dialect: options.dialect,
            null: options.null_value.as_bytes(),
        })
    }

    /// Appends row `row`.
    #[inline]
    fn row(
        &self,
        row: usize,
        out: &mut Vec<u8>,
        scratch: &mut String,
    ) -> std::result::Result<(), ArrowError> {
        let mut w = RowWriter::new(out, self.dialect);
        for c in &self.columns {
            if let Column::Other(f) = &c.column {
                scratch.clear();
                f.value(row).write(scratch)?;
                w.text(scratch.as_bytes());
                continue;
            }
            if c.nulls.is_some_and(|n| n.is_null(row)) {
                w.text(self.null);
                continue;
            }
            match &c.column {
                Column::Int8(v) => w.int(i64::from(v[row])),
                Column::Int16(v) => w.int(i64::from(v[row])),
                Column::Int32(v) => w.int(i64::from(v[row])),
                Column::Int64(v) => w.int(v[row]),
                Column::UInt8(v) => w.int(i64::from(v[row])),
                Column::UInt16(v) => w.int(i64::from(v[row])),
                Column::UInt32(v) => w.int(i64::from(v[row])),
                Column::UInt64(v) => match i64::try_from(v[row]) {
                    Ok(x) => w.int(x),
                    Err(_) => w.decimal(i128::from(v[row]), 0),
                },
                // `Money` is only chosen when every value fits `i64`.
                Column::Money(v) => w.money(v[row] as i64),
                Column::Decimal(v, scale) => w.decimal(v[row], *scale),
                Column::Whole(v, scale, unit) => {
                    let x = v[row];
                    if x % unit == 0 {
                        w.decimal(x / unit, 0);
                    } else {
                        w.decimal(x, *scale);
                    }
                }
                // `WholeMoney` is only chosen when every value fits `i64`.
                Column::WholeMoney(v) => {
                    let cents = v[row] as i64;
                    if cents % 100 == 0 {
                        w.int(cents / 100);
                    } else {
                        w.money(cents);
                    }
                }
                Column::Date(v) => w.date(Date(v[row])),
                Column::Chars(v) => w.text(std::slice::from_ref(&v[row])),
                Column::Strs(v) => w.text(v[row].as_bytes()),
                Column::Utf8(a) => w.text(a.value(row).as_bytes()),
                Column::LargeUtf8(a) => w.text(a.value(row).as_bytes()),
                Column::Utf8View(a) => w.text(a.value(row).as_bytes()),
                Column::Boolean(a) => w.text(if a.value(row) { b"true" } else { b"false" }),
                Column::Other(_) => {}
            }
        }
        w.end();
        Ok(())
    }
}

/// Writes record batches as delimited text into one [`SinkFile`], filling the sink's pooled
/// buffers directly (no intermediate copy) and handing each over once it holds about
/// `buffer_size` bytes.
///
/// The writer holds at most one pool buffer at a time, so any number of writers can share a
/// sink without deadlocking on its pool.
pub struct DelimitedBatchWriter {
    file: SinkFile,
    path: PathBuf,
    buffer: Option<SinkBuffer>,
    options: TextOptions,
    target: usize,
    rows: u64,
}

impl DelimitedBatchWriter {
    /// Starts a text file in `file`, writing the header line of `schema` when the dialect has
    /// one; `buffer_size` is the sink's buffer size (each write request carries about that
    /// much).
    pub fn try_new(
        mut file: SinkFile,
        schema: &Schema,
        options: TextOptions,
        buffer_size: usize,
    ) -> Result<Self> {
        check_text_schema(schema)?;
        let path = file.path().to_path_buf();
        let mut buffer = file.buffer();
        write_header(schema, &options, &mut buffer);
        Ok(DelimitedBatchWriter {
            file,
            path,
            buffer: Some(buffer),
            options,
            target: buffer_size.max(4096),
            rows: 0,
        })
    }

    /// Appends the rows of `batch`.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let format = self.options.format_options();
        let encoder = BatchText::new(batch, &self.options, &format)
            .map_err(|e| Error::encode(&self.path, e))?;
        let mut scratch = String::new();
        for row in 0..batch.num_rows() {
            let buffer = match &mut self.buffer {
                Some(b) => b,
                None => self.buffer.insert(self.file.buffer()),
            };
            encoder
                .row(row, buffer, &mut scratch)
                .map_err(|e| Error::encode(&self.path, e))?;
            if buffer.len() >= self.target
                && let Some(full) = self.buffer.take()
            {
                self.file.submit(full)?;
            }
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Hands over the last buffer and returns the file, ready for
    /// [`SinkFile::finish`].
    pub fn into_file(mut self) -> Result<SinkFile> {
        if let Some(last) = self.buffer.take() {
            self.file.submit(last)?;
        }
        Ok(self.file)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, TimestampSecondArray,
    };
    use arrow::datatypes::{Field, TimeUnit};

    use super::*;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn arrow_csv(batch: &RecordBatch, header: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = arrow::csv::WriterBuilder::new()
            .with_header(header)
            .build(&mut out);
        w.write(batch).unwrap();
        drop(w);
        out
    }

    fn ours(batch: &RecordBatch, options: &TextOptions) -> Vec<u8> {
        let mut out = Vec::new();
        write_header(batch.schema_ref(), options, &mut out);
        encode_batch(batch, options, &mut out).unwrap();
        out
    }

    #[test]
    fn csv_matches_arrow_csv() {
        let b = batch(vec![
            (
                "i",
                Arc::new(Int32Array::from(vec![Some(1), None, Some(-3)])) as ArrayRef,
            ),
            (
                "d",
                Arc::new(
                    Decimal128Array::from(vec![Some(-5), Some(123_456), None])
                        .with_precision_and_scale(20, 3)
                        .unwrap(),
                ),
            ),
            (
                "m",
                Arc::new(
                    Decimal128Array::from(vec![Some(-50), Some(1700), Some(0)])
                        .with_precision_and_scale(15, 2)
                        .unwrap(),
                ),
            ),
            (
                "f",
                Arc::new(Float64Array::from(vec![Some(1.5), None, Some(1e-7)])),
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("a,b"), Some("q\"x"), None])),
            ),
            (
                "dt",
                Arc::new(Date32Array::from(vec![
                    Some(0),
                    Some(-800_000),
                    Some(10_000),
                ])),
            ),
            (
                "ts",
                Arc::new(TimestampSecondArray::from(vec![
                    Some(0),
                    None,
                    Some(1_000_000_000),
                ])),
            ),
            (
                "b",
                Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
            ),
        ]);
        assert_eq!(
            String::from_utf8(ours(&b, &TextOptions::csv())).unwrap(),
            String::from_utf8(arrow_csv(&b, true)).unwrap()
        );
        let mut no_header = TextOptions::csv();
        no_header.dialect.header = false;
        assert_eq!(ours(&b, &no_header), arrow_csv(&b, false));
    }

    #[test]
    fn tbl_prints_whole_quantities_as_integers() {
        let q = Decimal128Array::from(vec![1700, 1750])
            .with_precision_and_scale(15, 2)
            .unwrap();
        let b = batch(vec![
            ("l_quantity", Arc::new(q.clone()) as ArrayRef),
            ("other", Arc::new(q)),
        ]);
        assert_eq!(
            ours(&b, &TextOptions::tbl()),
            b"17|17.00|\n17.50|17.50|\n".to_vec()
        );
    }

    #[test]
    fn nested_types_are_rejected() {
        let schema = Schema::new(vec![Field::new(
            "l",
            DataType::List(Arc::new(Field::new("x", DataType::Int32, true))),
            true,
        )]);
        assert!(check_text_schema(&schema).is_err());
        let ok = Schema::new(vec![Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Second, None),
            true,
        )]);
        assert!(check_text_schema(&ok).is_ok());
    }

    #[test]
    fn digit_delimiters_quote_numbers() {
        let b = batch(vec![(
            "i",
            Arc::new(Int32Array::from(vec![10, 2])) as ArrayRef,
        )]);
        let mut options = TextOptions::csv();
        options.dialect.delimiter = b'0';
        options.dialect.header = false;
        assert_eq!(ours(&b, &options), b"\"10\"\n2\n".to_vec());
    }
}
