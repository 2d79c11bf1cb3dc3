//! The generator's `.tbl` output is byte-identical to dbgen's: whole tables at SF 0.01 and 0.1
//! (and SF 1, ignored by default: `cargo test --test it tbl_checksums -- --ignored`), dbgen's
//! chunks (`-C n -S i`), and chunks concatenate to the whole table.

use crate::support::{Digester, Reference, checksums, chunks};
use datafusion_dbgen::export::batches::TextOptions;
use datafusion_dbgen::export::text::write_table;
use datafusion_dbgen::generator::{RowRange, ScaleFactor, Table};

fn digest(sf: &ScaleFactor, table: Table, range: RowRange) -> Digester {
    let mut d = Digester::default();
    let rows = write_table(
        sf,
        table,
        range,
        &TextOptions::tbl(),
        1 << 20,
        &mut |bytes| {
            d.update(bytes);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(rows, d.lines);
    d
}

fn check(expected: &Reference, got: Digester) {
    let what = format!(
        "{} at SF {} part {:?}/{}",
        expected.table, expected.sf, expected.part, expected.parts
    );
    assert_eq!(got.lines, expected.rows, "rows of {what}");
    assert_eq!(got.bytes, expected.bytes, "bytes of {what}");
    assert_eq!(got.hex(), expected.sha256, "sha256 of {what}");
}

fn check_whole_tables(sf_value: f64) {
    let sf = ScaleFactor::try_new(sf_value).unwrap();
    let refs: Vec<Reference> = checksums()
        .into_iter()
        .filter(|r| r.sf == sf_value)
        .collect();
    assert_eq!(refs.len(), 8);
    std::thread::scope(|scope| {
        for r in &refs {
            let sf = &sf;
            scope.spawn(move || {
                let table: Table = r.table.parse().unwrap();
                let all = RowRange::new(0, sf.generator_rows(table));
                check(r, digest(sf, table, all));
            });
        }
    });
}

#[test]
fn whole_tables_match_dbgen_at_sf_0_01() {
    check_whole_tables(0.01);
}

#[test]
fn whole_tables_match_dbgen_at_sf_0_1() {
    check_whole_tables(0.1);
}

#[test]
#[ignore = "SF 1 (1 GB of text): run in CI with --include-ignored"]
fn whole_tables_match_dbgen_at_sf_1() {
    check_whole_tables(1.0);
}

fn check_chunks(sf_value: f64, only: Option<&str>) {
    for r in chunks()
        .into_iter()
        .filter(|r| r.sf == sf_value && only.is_none_or(|t| r.table == t))
    {
        // At SF >= 30000 dbgen's data depends on -C: the chunking is part of the scale factor.
        let sf = ScaleFactor::try_new(sf_value)
            .unwrap()
            .with_wide_chunks(r.parts);
        let table: Table = r.table.parse().unwrap();
        let total = sf.generator_rows(table);
        let range = match r.part {
            // nation and region are never chunked: every step writes the whole table.
            None => RowRange::new(0, total),
            Some(part) => RowRange::chunk(total, part, r.parts).unwrap(),
        };
        check(&r, digest(&sf, table, range));
    }
}

#[test]
fn chunks_match_dbgen_at_sf_0_1() {
    check_chunks(0.1, None);
}

#[test]
#[ignore = "SF 1 lineitem chunks: run in CI with --include-ignored"]
fn lineitem_chunks_match_dbgen_at_sf_1() {
    check_chunks(1.0, Some("lineitem"));
}

/// SF 30000 is where dbgen draws `o_custkey` and `l_partkey` from its 64-bit generator, which
/// restarts at each chunk: the first and the last-but-one chunk of `-C 3000000` (15000 orders,
/// the generator's default chunking there) and chunk 7 of `-C 30000000` (1500 orders, starting
/// inside a default chunk).
#[test]
fn chunks_match_dbgen_at_sf_30000() {
    check_chunks(30000.0, None);
}

#[test]
fn concatenated_chunks_equal_the_whole_table() {
    let sf = ScaleFactor::try_new(0.01).unwrap();
    for table in Table::ALL {
        let total = sf.generator_rows(table);
        let whole = digest(&sf, table, RowRange::new(0, total)).hex();
        for parts in [2, 7] {
            let mut joined = Digester::default();
            for part in 1..=parts {
                let range = RowRange::chunk(total, part, parts).unwrap();
                write_table(&sf, table, range, &TextOptions::tbl(), 1 << 16, &mut |b| {
                    joined.update(b);
                    Ok(())
                })
                .unwrap();
            }
            assert_eq!(joined.hex(), whole, "{table} in {parts} parts");
        }
    }
}
