//! dbgen's `.tbl` format: every field followed by `|`, one row per line.

use std::io::Write;

use crate::generator::{
    ColumnMask, Customer, CustomerGenerator, Date, Lineitem, LineitemGenerator, Nation,
    NationGenerator, Order, OrderGenerator, Part, PartGenerator, Partsupp, PartsuppGenerator,
    Region, RegionGenerator, RowRange, ScaleFactor, Supplier, SupplierGenerator, Table,
};

/// A row that can be written in dbgen's `.tbl` format.
pub trait TblRow {
    /// Appends the row, with its trailing `|` and newline.
    fn write_tbl(&self, out: &mut Vec<u8>);
}

#[inline]
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
    out.push(b'|');
}

/// Appends a signed integer and `|`.
#[inline]
fn int(out: &mut Vec<u8>, value: i64) {
    let mut buf = [0u8; 20];
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
        out.push(b'-');
    }
    field(out, &buf[at..]);
}

/// Appends cents as `dollars.cc` and `|` (dbgen prints the sign, then the magnitude).
#[inline]
fn money(out: &mut Vec<u8>, cents: i64) {
    if cents < 0 {
        out.push(b'-');
    }
    let magnitude = cents.unsigned_abs();
    let dollars = magnitude / 100;
    let rest = magnitude % 100;
    let mut buf = [0u8; 24];
    let mut at = buf.len() - 3;
    buf[at] = b'.';
    buf[at + 1] = b'0' + (rest / 10) as u8;
    buf[at + 2] = b'0' + (rest % 10) as u8;
    let mut n = dollars;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    field(out, &buf[at..]);
}

#[inline]
fn date(out: &mut Vec<u8>, d: Date) {
    field(out, &d.iso_bytes());
}

impl TblRow for Region {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.regionkey);
        field(out, self.name.as_bytes());
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Nation {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.nationkey);
        field(out, self.name.as_bytes());
        int(out, self.regionkey);
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Supplier {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.suppkey);
        field(out, self.name().as_bytes());
        field(out, self.address.as_bytes());
        int(out, self.nationkey);
        field(out, self.phone.as_bytes());
        money(out, self.acctbal);
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Customer {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.custkey);
        field(out, self.name().as_bytes());
        field(out, self.address.as_bytes());
        int(out, self.nationkey);
        field(out, self.phone.as_bytes());
        money(out, self.acctbal);
        field(out, self.mktsegment.as_bytes());
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Part {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.partkey);
        field(out, self.name.as_bytes());
        field(out, self.mfgr_text().as_bytes());
        field(out, self.brand_text().as_bytes());
        field(out, self.type_.as_bytes());
        int(out, self.size);
        field(out, self.container.as_bytes());
        money(out, self.retailprice);
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Partsupp {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.partkey);
        int(out, self.suppkey);
        int(out, self.availqty);
        money(out, self.supplycost);
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Order {
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.orderkey);
        int(out, self.custkey);
        field(out, &[self.orderstatus]);
        money(out, self.totalprice);
        date(out, self.orderdate);
        field(out, self.orderpriority.as_bytes());
        field(out, self.clerk_text().as_bytes());
        int(out, self.shippriority);
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

impl TblRow for Lineitem {
    #[inline]
    fn write_tbl(&self, out: &mut Vec<u8>) {
        int(out, self.orderkey);
        int(out, self.partkey);
        int(out, self.suppkey);
        int(out, self.linenumber);
        int(out, self.quantity);
        money(out, self.extendedprice);
        money(out, self.discount);
        money(out, self.tax);
        field(out, &[self.returnflag]);
        field(out, &[self.linestatus]);
        date(out, self.shipdate);
        date(out, self.commitdate);
        date(out, self.receiptdate);
        field(out, self.shipinstruct.as_bytes());
        field(out, self.shipmode.as_bytes());
        field(out, self.comment.as_bytes());
        out.push(b'\n');
    }
}

/// Streams `.tbl` text for the generator rows `range` of `table` into `sink`, in pieces of about
/// `chunk_bytes`; returns the number of rows written.
pub fn write_table(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    chunk_bytes: usize,
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    fn drain<R: TblRow>(
        rows: impl Iterator<Item = R>,
        chunk_bytes: usize,
        sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<u64> {
        let mut buf = Vec::with_capacity(chunk_bytes + 1024);
        let mut count = 0;
        for row in rows {
            row.write_tbl(&mut buf);
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
    let all = ColumnMask::ALL;
    match table {
        Table::Region => drain(RegionGenerator::new(range, all), chunk_bytes, sink),
        Table::Nation => drain(NationGenerator::new(range, all), chunk_bytes, sink),
        Table::Supplier => drain(SupplierGenerator::new(sf, range, all), chunk_bytes, sink),
        Table::Customer => drain(CustomerGenerator::new(sf, range, all), chunk_bytes, sink),
        Table::Part => drain(PartGenerator::new(sf, range, all), chunk_bytes, sink),
        Table::Partsupp => drain(PartsuppGenerator::new(sf, range, all), chunk_bytes, sink),
        Table::Orders => drain(OrderGenerator::new(sf, range, all), chunk_bytes, sink),
        Table::Lineitem => drain(LineitemGenerator::new(sf, range, all), chunk_bytes, sink),
    }
}

/// Writes the generator rows `range` of `table` as `.tbl` text to `writer`.
pub fn write_table_to(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    writer: &mut dyn Write,
) -> std::io::Result<u64> {
    write_table(sf, table, range, 1 << 20, &mut |bytes| {
        writer.write_all(bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_ints_format_like_dbgen() {
        let mut out = Vec::new();
        money(&mut out, -99_999);
        money(&mut out, 5);
        money(&mut out, 0);
        money(&mut out, -50);
        int(&mut out, -3);
        int(&mut out, 0);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-999.99|0.05|0.00|-0.50|-3|0|"
        );
    }
}
