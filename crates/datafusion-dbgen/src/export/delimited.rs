//! The field writer of delimited text: dbgen's `.tbl` (every field followed by `|`) and CSV
//! (commas, RFC 4180 quoting), one [`RowWriter`] parameterised by a [`Dialect`]. The batch
//! encoder ([`super::batches`]) drives it for every delimited output.

use tpch_dbgen::Date;

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
}

impl Dialect {
    /// dbgen's `.tbl`.
    pub const TBL: Dialect = Dialect {
        delimiter: b'|',
        trailing_delimiter: true,
        quote: false,
        header: false,
    };
    /// CSV with a header line.
    pub const CSV: Dialect = Dialect {
        delimiter: b',',
        trailing_delimiter: false,
        quote: true,
        header: true,
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
}
