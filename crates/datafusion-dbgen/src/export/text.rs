//! A table's rows as delimited text, written by the one batch encoder ([`encode_batch`]) that
//! `COPY … TO` uses too — one encoder, one rule for dbgen's whole-number `l_quantity`, no row
//! structs read back from the columns. `lineitem` (70 % of the bytes) is encoded straight from
//! the columnar engine's vectors; the other tables from the provider's Arrow batches
//! ([`TableBatches`]).
//!
//! ```
//! use datafusion_dbgen::export::batches::TextOptions;
//! use datafusion_dbgen::export::text::write_table;
//! use datafusion_dbgen::generator::{RowRange, ScaleFactor, Table};
//!
//! let sf = ScaleFactor::try_new(1.0)?;
//! let mut tbl = Vec::new();
//! let rows = write_table(&sf, Table::Region, RowRange::new(0, 2), &TextOptions::tbl(), 1 << 20, &mut |b| {
//!     tbl.extend_from_slice(b);
//!     Ok(())
//! })?;
//! assert_eq!(rows, 2);
//! assert!(tbl.starts_with(b"0|AFRICA|lar deposits. blithely final packages cajole."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io;

use super::batches::{Column, TextOptions, encode_batch, encode_columns};
use crate::arrow::{TableBatches, table_schema};
use tpch_dbgen::line_batch::LineBatchGenerator;
use tpch_dbgen::line_columns::LineColumns;
use tpch_dbgen::order_streams::OrderKeys;
use tpch_dbgen::{ColumnMask, RowRange, ScaleFactor, Table};

/// Rows per batch encoded: small enough that a batch's columns stay in cache while its rows
/// are printed.
const TEXT_BATCH_ROWS: usize = 1024;

/// Encodes the generator rows `range` of `table` (no header) as `options` say and hands the
/// text to `sink` in pieces of at least `chunk_bytes` (the last one shorter); returns the
/// number of rows.
///
/// Generation and encoding errors (not expected for valid arguments) come back as
/// [`io::Error`]s, as the sink's own errors do.
pub fn write_table(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    options: &TextOptions,
    chunk_bytes: usize,
    sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    let mut buf = Vec::with_capacity(chunk_bytes.min(1 << 22) + (64 << 10));
    let batches = text_batches(sf, table, range, options)?;
    let rows = each_batch(batches, &mut buf, &mut |buf| {
        if buf.len() >= chunk_bytes {
            sink(buf)?;
            buf.clear();
        }
        Ok(())
    })?;
    if !buf.is_empty() {
        sink(&buf)?;
    }
    Ok(rows)
}

/// [`write_table`] appending all the text to `out`.
pub fn append_table(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    options: &TextOptions,
    out: &mut Vec<u8>,
) -> io::Result<u64> {
    each_batch(text_batches(sf, table, range, options)?, out, &mut |_| {
        Ok(())
    })
}

/// The text of the generator rows `range` of `table`, a batch at a time: `lineitem` from the
/// engine's vectors where `options` allow, every table from Arrow batches otherwise.
fn text_batches<'a>(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    options: &'a TextOptions,
) -> io::Result<NextBatch<'a>> {
    match table {
        Table::Lineitem if options.encodes_vectors() => Ok(lineitem_batches(sf, range, options)),
        _ => arrow_batches(sf, table, range, options),
    }
}

/// Encodes the batches of `next_batch` into `buf`, calling `after` after each batch; returns
/// the number of rows.
fn each_batch(
    mut next_batch: NextBatch<'_>,
    buf: &mut Vec<u8>,
    after: &mut dyn FnMut(&mut Vec<u8>) -> io::Result<()>,
) -> io::Result<u64> {
    let mut rows = 0;
    while let Some(n) = next_batch(buf)? {
        rows += n as u64;
        after(buf)?;
    }
    Ok(rows)
}

/// Appends the next batch of rows to a buffer; `None` when there are no more.
type NextBatch<'a> = Box<dyn FnMut(&mut Vec<u8>) -> io::Result<Option<usize>> + 'a>;

/// `lineitem`'s rows straight from the engine's column vectors (no Arrow arrays, no text
/// copied before it is encoded).
fn lineitem_batches<'a>(
    sf: &ScaleFactor,
    range: RowRange,
    options: &'a TextOptions,
) -> NextBatch<'a> {
    let whole_quantity = options.prints_whole("l_quantity");
    let mut lines = LineBatchGenerator::with_keys(sf, range, ColumnMask::ALL, OrderKeys::BASE);
    let mut c = LineColumns::default();
    Box::new(move |buf| {
        let n = lines.fill(TEXT_BATCH_ROWS, &mut c);
        if n == 0 {
            return Ok(None);
        }
        let quantity = if whole_quantity {
            Column::WholeMoney(&c.quantity)
        } else {
            Column::Money(&c.quantity)
        };
        let columns = vec![
            Column::Int64(&c.orderkey),
            Column::Int64(&c.partkey),
            Column::Int64(&c.suppkey),
            Column::Int32(&c.linenumber),
            quantity,
            Column::Money(&c.extendedprice),
            Column::Money(&c.discount),
            Column::Money(&c.tax),
            Column::Chars(&c.returnflag),
            Column::Chars(&c.linestatus),
            Column::Date(&c.shipdate),
            Column::Date(&c.commitdate),
            Column::Date(&c.receiptdate),
            Column::Strs(&c.shipinstruct),
            Column::Strs(&c.shipmode),
            Column::Strs(&c.comment),
        ];
        encode_columns(columns, n, options, buf)
            .ok_or_else(|| io::Error::other("lineitem's columns cannot be encoded directly"))?;
        Ok(Some(n))
    })
}

/// The rows from the provider's Arrow batches.
fn arrow_batches<'a>(
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    options: &'a TextOptions,
) -> io::Result<NextBatch<'a>> {
    let mut batches =
        TableBatches::try_new(table, sf, range, None, TEXT_BATCH_ROWS).map_err(io::Error::other)?;
    Ok(Box::new(move |buf| {
        let Some(batch) = batches.next() else {
            return Ok(None);
        };
        let batch = batch.map_err(io::Error::other)?;
        encode_batch(&batch, options, buf).map_err(io::Error::other)?;
        Ok(Some(batch.num_rows()))
    }))
}

/// Appends `table`'s header line (its column names) when the dialect has one.
pub fn write_table_header(table: Table, options: &TextOptions, out: &mut Vec<u8>) {
    super::batches::write_header(&table_schema(table), options, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(table: Table, range: RowRange, options: &TextOptions) -> String {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let mut out = Vec::new();
        write_table(&sf, table, range, options, 100, &mut |b| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tbl_prints_quantity_whole_and_csv_with_places() {
        let first = RowRange::new(0, 1);
        let tbl = text(Table::Lineitem, first, &TextOptions::tbl());
        let csv = text(Table::Lineitem, first, &TextOptions::csv());
        // dbgen's first line item: quantity 17, an integer in `.tbl`, with places in CSV.
        let tbl_fields: Vec<&str> = tbl.lines().next().unwrap().split('|').collect();
        assert_eq!(tbl_fields[0], "1");
        assert_eq!(tbl_fields[4..8], ["17", "24710.35", "0.04", "0.02"]);
        assert_eq!(tbl_fields[10], "1996-03-13");
        assert_eq!(tbl_fields.len(), 17, "a trailing delimiter");
        let csv_fields: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        assert_eq!(csv_fields[4..8], ["17.00", "24710.35", "0.04", "0.02"]);
        assert_eq!(tbl.lines().count(), 6);
        assert_eq!(
            csv.lines().count(),
            6,
            "no header: write_table writes rows only"
        );
    }

    /// `lineitem` straight from the engine's vectors is the text of its Arrow batches.
    #[test]
    fn lineitem_from_vectors_equals_lineitem_from_arrow() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let range = RowRange::new(100, 2000);
        for options in [TextOptions::tbl(), TextOptions::csv()] {
            let (mut direct, mut arrow) = (Vec::new(), Vec::new());
            let vectors = lineitem_batches(&sf, range, &options);
            let a = each_batch(vectors, &mut direct, &mut |_| Ok(())).unwrap();
            let batches = arrow_batches(&sf, Table::Lineitem, range, &options).unwrap();
            let b = each_batch(batches, &mut arrow, &mut |_| Ok(())).unwrap();
            assert_eq!(a, b);
            assert!(direct == arrow, "{:?}", options.dialect);
        }
        // Quoted numbers need Arrow's formatter: the direct path steps aside.
        let mut digits = TextOptions::csv();
        digits.dialect.delimiter = b'1';
        assert!(!digits.encodes_vectors());
    }

    #[test]
    fn csv_header_names_columns() {
        let mut out = Vec::new();
        write_table_header(Table::Region, &TextOptions::csv(), &mut out);
        assert_eq!(out, b"r_regionkey,r_name,r_comment\n");
        out.clear();
        write_table_header(Table::Region, &TextOptions::tbl(), &mut out);
        assert!(out.is_empty());
    }
}
