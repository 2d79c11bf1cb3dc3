//! Delimited text encoders: dbgen's `.tbl` (every field followed by `|`) and CSV (header line,
//! commas, RFC 4180 quoting, ISO dates, decimals with two places), written straight from the
//! typed rows by one row writer parameterised by a [`Dialect`].

use std::io::Write;

use tpch_dbgen::{
    ColumnMask, Customer, CustomerGenerator, Date, Lineitem, LineitemGenerator, Nation,
    NationGenerator, Order, OrderGenerator, Part, PartGenerator, Partsupp, PartsuppGenerator,
    Region, RegionGenerator, RowRange, ScaleFactor, Supplier, SupplierGenerator, Table,
};

/// How rows are delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// Byte between (and, for `.tbl`, after) fields.
    pub delimiter: u8,
    /// True when every field, the last included, is followed by the delimiter (`.tbl`).
    pub trailing_delimiter: bool,
    /// True to quote fields containing the delimiter, quotes or line breaks (CSV).
    pub quote: bool,
    /// True to start the output with a line of column names.
    pub header: bool,
    /// True to print whole-unit decimals (`l_quantity`) with two places, as the other decimals;
    /// dbgen prints them as integers.
    pub quantity_with_places: bool,
}

impl Dialect {
    /// dbgen's `.tbl`.
    pub const TBL: Dialect = Dialect {
        delimiter: b'|',
        trailing_delimiter: true,
        quote: false,
        header: false,
        quantity_with_places: false,
    };
    /// CSV with a header line.
    pub const CSV: Dialect = Dialect {
        delimiter: b',',
        trailing_delimiter: false,
        quote: true,
        header: true,
        quantity_with_places: true,
    };
}

/// Appends one row's fields in a [`Dialect`].
pub struct RowWriter<'a> {
    out: &'a mut Vec<u8>,
    dialect: Dialect,
    first: bool,
}

impl<'a> RowWriter<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut Vec<u8>, dialect: Dialect) -> Self {
        RowWriter {
            out,
            dialect,
            first: true,
        }
    }

    /// One field written by `write`, with the delimiter where the dialect puts it.
    #[inline]
    fn field(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        if self.dialect.trailing_delimiter {
            write(&mut *self.out);
            self.out.push(self.dialect.delimiter);
        } else {
            if !self.first {
                self.out.push(self.dialect.delimiter);
            }
            write(&mut *self.out);
        }
        self.first = false;
    }

    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.field(|out| out.extend_from_slice(bytes));
    }

    /// A text field, quoted where the dialect requires it.
    #[inline]
    pub fn text(&mut self, bytes: &[u8]) {
        if self.dialect.quote && needs_quotes(bytes, self.dialect.delimiter) {
            // Straight into the output: quotes around, quotes inside doubled.
            self.field(|out| {
                out.push(b'"');
                for piece in bytes.split_inclusive(|&b| b == b'"') {
                    out.extend_from_slice(piece);
                    if piece.last() == Some(&b'"') {
                        out.push(b'"');
                    }
                }
                out.push(b'"');
            });
        } else {
            self.raw(bytes);
        }
    }

    /// A one-character field.
    #[inline]
    pub fn char(&mut self, c: u8) {
        self.raw(&[c]);
    }

    /// An integer field.
    #[inline]
    pub fn int(&mut self, value: i64) {
        let mut buf = [0u8; 21];
        let at = format_int(&mut buf, value);
        self.raw(&buf[at..]);
    }

    /// A decimal field from hundredths (cents): sign, units, `.`, two digits.
    #[inline]
    pub fn money(&mut self, cents: i64) {
        let mut buf = [0u8; 24];
        let at = format_money(&mut buf, cents);
        self.raw(&buf[at..]);
    }

    /// A decimal field holding whole units (`l_quantity`): an integer in `.tbl`, two places in
    /// dialects that print every decimal so.
    #[inline]
    pub fn whole_decimal(&mut self, units: i64) {
        if self.dialect.quantity_with_places {
            self.money(units * 100);
        } else {
            self.int(units);
        }
    }

    /// A decimal field from an unscaled value and a scale, as Arrow prints decimals: sign,
    /// units, and (for a positive `scale`) `.` followed by exactly `scale` digits
    /// (`decimal(-5, 2)` is `-0.05`, `decimal(1700, 2)` is `17.00`, `decimal(7, 0)` is `7`).
    #[inline]
    pub fn decimal(&mut self, value: i128, scale: u8) {
        // 39 digits, a sign, a point and the leading zeros of scales up to 76 fit.
        let mut buf = [0u8; 80];
        let scale = usize::from(scale.min(76));
        let mut n = value.unsigned_abs();
        let mut at = buf.len();
        let mut digits = 0;
        loop {
            if scale > 0 && digits == scale {
                at -= 1;
                buf[at] = b'.';
            }
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            digits += 1;
            if n == 0 && digits > scale {
                break;
            }
        }
        if value < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        self.raw(&buf[at..]);
    }

    /// A date field, `YYYY-MM-DD`.
    #[inline]
    pub fn date(&mut self, d: Date) {
        self.raw(&d.iso_bytes());
    }

    /// Ends the row.
    #[inline]
    pub fn end(self) {
        self.out.push(b'\n');
    }
}

/// True if a CSV field must be quoted: it holds the delimiter, a quote or a line break.
///
/// Scans the whole field without an early exit so the loop vectorises (fields are short, and
/// dbgen's comments are the bulk of every CSV export).
#[inline]
fn needs_quotes(bytes: &[u8], delimiter: u8) -> bool {
    let mut hit = 0u8;
    for &b in bytes {
        hit |= u8::from(b == delimiter) | u8::from(b == b'"') | u8::from(b == b'\n');
        hit |= u8::from(b == b'\r');
    }
    hit != 0
}

/// Formats `value` right-aligned in `buf`; returns where it starts.
#[inline]
fn format_int(buf: &mut [u8; 21], value: i64) -> usize {
    let mut n = value.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if value < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    at
}

/// Formats cents as `[-]units.cc` right-aligned in `buf`; returns where it starts.
#[inline]
fn format_money(buf: &mut [u8; 24], cents: i64) -> usize {
    let magnitude = cents.unsigned_abs();
    let rest = magnitude % 100;
    let mut at = buf.len() - 3;
    buf[at] = b'.';
    buf[at + 1] = b'0' + (rest / 10) as u8;
    buf[at + 2] = b'0' + (rest % 10) as u8;
    let mut n = magnitude / 100;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if cents < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    at
}

/// A row that can be written as delimited text.
pub trait DelimitedRow {
    /// Appends the row's fields (in schema order) and ends it.
    fn write_row(&self, w: RowWriter<'_>);
}

impl DelimitedRow for Region {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.regionkey);
        w.text(self.name.as_bytes());
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Nation {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.nationkey);
        w.text(self.name.as_bytes());
        w.int(self.regionkey);
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Supplier {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.suppkey);
        w.text(self.name().as_bytes());
        w.text(self.address.as_bytes());
        w.int(self.nationkey);
        w.text(self.phone.as_bytes());
        w.money(self.acctbal);
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Customer {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.custkey);
        w.text(self.name().as_bytes());
        w.text(self.address.as_bytes());
        w.int(self.nationkey);
        w.text(self.phone.as_bytes());
        w.money(self.acctbal);
        w.text(self.mktsegment.as_bytes());
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Part {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.partkey);
        w.text(self.name.as_bytes());
        w.text(self.mfgr_text().as_bytes());
        w.text(self.brand_text().as_bytes());
        w.text(self.type_.as_bytes());
        w.int(self.size);
        w.text(self.container.as_bytes());
        w.money(self.retailprice);
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Partsupp {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.partkey);
        w.int(self.suppkey);
        w.int(self.availqty);
        w.money(self.supplycost);
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Order {
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.orderkey);
        w.int(self.custkey);
        w.char(self.orderstatus);
        w.money(self.totalprice);
        w.date(self.orderdate);
        w.text(self.orderpriority.as_bytes());
        w.text(self.clerk_text().as_bytes());
        w.int(self.shippriority);
        w.text(self.comment.as_bytes());
        w.end();
    }
}

impl DelimitedRow for Lineitem {
    #[inline]
    fn write_row(&self, mut w: RowWriter<'_>) {
        w.int(self.orderkey);
        w.int(self.partkey);
        w.int(self.suppkey);
        w.int(self.linenumber);
        w.whole_decimal(self.quantity);
        w.money(self.extendedprice);
        w.money(self.discount);
        w.money(self.tax);
        w.char(self.returnflag);
        w.char(self.linestatus);
        w.date(self.shipdate);
        w.date(self.commitdate);
        w.date(self.receiptdate);
        w.text(self.shipinstruct.as_bytes());
        w.text(self.shipmode.as_bytes());
        w.text(self.comment.as_bytes());
        w.end();
    }
}

/// Appends the header line of `table` when the dialect has one.
pub fn write_header(table: Table, dialect: Dialect, out: &mut Vec<u8>) {
    if dialect.header {
        let mut w = RowWriter::new(out, dialect);
        for name in table.column_names() {
            w.text(name.as_bytes());
        }
        w.end();
    }
}

/// Encodes the generator rows `range` of `table` (no header) and hands the text to `sink` in
/// pieces of about `chunk_bytes`; returns the number of rows.
pub fn write_table(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    dialect: Dialect,
    chunk_bytes: usize,
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let all = ColumnMask::ALL;
    let (d, n) = (dialect, chunk_bytes);
    match table {
        Table::Region => write_rows(RegionGenerator::new(range, all), d, n, sink),
        Table::Nation => write_rows(NationGenerator::new(range, all), d, n, sink),
        Table::Supplier => write_rows(SupplierGenerator::new(sf, range, all), d, n, sink),
        Table::Customer => write_rows(CustomerGenerator::new(sf, range, all), d, n, sink),
        Table::Part => write_rows(PartGenerator::new(sf, range, all), d, n, sink),
        Table::Partsupp => write_rows(PartsuppGenerator::new(sf, range, all), d, n, sink),
        Table::Orders => write_rows(OrderGenerator::new(sf, range, all), d, n, sink),
        Table::Lineitem => write_rows(LineitemGenerator::new(sf, range, all), d, n, sink),
    }
}

/// Encodes `rows` (no header) and hands the text to `sink` in pieces of about `chunk_bytes`;
/// returns the number of rows.
pub fn write_rows<R: DelimitedRow, E>(
    rows: impl Iterator<Item = R>,
    dialect: Dialect,
    chunk_bytes: usize,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), E>,
) -> Result<u64, E> {
    let mut buf = Vec::with_capacity(chunk_bytes.min(1 << 22) + 1024);
    let mut count = 0;
    for row in rows {
        row.write_row(RowWriter::new(&mut buf, dialect));
        count += 1;
        if buf.len() >= chunk_bytes {
            sink(&buf)?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        sink(&buf)?;
    }
    Ok(count)
}

/// Writes the generator rows `range` of `table` as dbgen `.tbl` text to `writer`.
pub fn write_tbl_to(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    writer: &mut dyn Write,
) -> std::io::Result<u64> {
    write_table(sf, table, range, Dialect::TBL, 1 << 20, &mut |bytes| {
        writer.write_all(bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_field(dialect: Dialect, f: impl FnOnce(&mut RowWriter<'_>)) -> String {
        let mut out = Vec::new();
        let mut w = RowWriter::new(&mut out, dialect);
        f(&mut w);
        w.end();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn money_and_ints_format_like_dbgen() {
        let tbl = |f: fn(&mut RowWriter<'_>)| one_field(Dialect::TBL, f);
        assert_eq!(tbl(|w| w.money(-99_999)), "-999.99|\n");
        assert_eq!(tbl(|w| w.money(5)), "0.05|\n");
        assert_eq!(tbl(|w| w.money(-50)), "-0.50|\n");
        assert_eq!(tbl(|w| w.int(-3)), "-3|\n");
        assert_eq!(tbl(|w| w.int(0)), "0|\n");
    }

    #[test]
    fn decimals_with_any_scale() {
        let tbl = |f: fn(&mut RowWriter<'_>)| one_field(Dialect::TBL, f);
        assert_eq!(tbl(|w| w.decimal(-5, 2)), "-0.05|\n");
        assert_eq!(tbl(|w| w.decimal(1700, 2)), "17.00|\n");
        assert_eq!(tbl(|w| w.decimal(0, 3)), "0.000|\n");
        assert_eq!(tbl(|w| w.decimal(-123_456, 1)), "-12345.6|\n");
        assert_eq!(tbl(|w| w.decimal(7, 0)), "7|\n");
        assert_eq!(
            tbl(|w| w.decimal(i128::MIN, 38)),
            "-1.70141183460469231731687303715884105728|\n"
        );
        // The same text as `money` for cents.
        for cents in [-99_999i64, -50, -5, 0, 5, 1234, 9_999_999] {
            let a = one_field(Dialect::CSV, |w| w.money(cents));
            let mut out = Vec::new();
            let mut w = RowWriter::new(&mut out, Dialect::CSV);
            w.decimal(i128::from(cents), 2);
            w.end();
            assert_eq!(a.as_bytes(), out.as_slice());
        }
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        let row = one_field(Dialect::CSV, |w| {
            w.int(1);
            w.text(b"plain");
            w.text(b"a, b");
            w.text(b"say \"hi\"");
            w.money(1234);
        });
        assert_eq!(row, "1,plain,\"a, b\",\"say \"\"hi\"\"\",12.34\n");
    }

    #[test]
    fn csv_header_names_columns() {
        let mut out = Vec::new();
        write_header(Table::Region, Dialect::CSV, &mut out);
        assert_eq!(out, b"r_regionkey,r_name,r_comment\n");
        out.clear();
        write_header(Table::Region, Dialect::TBL, &mut out);
        assert!(out.is_empty());
    }
}
