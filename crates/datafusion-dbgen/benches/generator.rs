//! Single-core generator throughput: typed rows per table, `.tbl` formatting, and lineitem
//! generation + `.tbl` formatting against the `tpchgen` crate (v4) as the anchor, in one run.
//!
//! `cargo bench --no-default-features --bench generator` (the core needs no DataFusion).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion_dbgen::export::batches::TextOptions;
use datafusion_dbgen::export::text::write_table;
use datafusion_dbgen::generator::{
    ColumnMask, CustomerGenerator, LineitemGenerator, OrderGenerator, PartGenerator,
    PartsuppGenerator, RowRange, ScaleFactor, SupplierGenerator, Table,
};

/// The first 1/100 of SF 1 (15 000 orders, about 60 000 line items).
const PARTS: u64 = 100;

fn lineitem_tbl(c: &mut Criterion) {
    let sf = ScaleFactor::try_new(1.0).unwrap();
    let orders = RowRange::chunk(sf.generator_rows(Table::Lineitem), 1, PARTS).unwrap();
    let rows = LineitemGenerator::new(&sf, orders, ColumnMask::ALL).count() as u64;
    let mut group = c.benchmark_group("lineitem_tbl_one_core");
    group.throughput(Throughput::Elements(rows));
    group.sample_size(20);
    group.bench_function("datafusion-dbgen", |b| {
        let mut buf = Vec::with_capacity(16 << 20);
        b.iter(|| {
            buf.clear();
            write_table(
                &sf,
                Table::Lineitem,
                orders,
                &TextOptions::tbl(),
                usize::MAX,
                &mut |bytes| {
                    buf.extend_from_slice(bytes);
                    Ok(())
                },
            )
            .unwrap();
            black_box(buf.len())
        })
    });
    group.bench_function("tpchgen-4 (anchor)", |b| {
        let mut buf = String::with_capacity(16 << 20);
        b.iter(|| {
            buf.clear();
            let generator = tpchgen::generators::LineItemGenerator::new(1.0, 1, PARTS as i32);
            for line in generator.iter() {
                writeln!(buf, "{line}").unwrap();
            }
            black_box(buf.len())
        })
    });
    group.finish();
}

fn typed_rows(c: &mut Criterion) {
    let sf = ScaleFactor::try_new(1.0).unwrap();
    let mut group = c.benchmark_group("typed_rows_one_core");
    group.sample_size(10);
    let range = |t: Table| RowRange::chunk(sf.generator_rows(t), 1, PARTS).unwrap();
    let all = ColumnMask::ALL;
    macro_rules! bench_table {
        ($name:expr, $table:expr, $make:expr) => {{
            let rows = $make(range($table)).count() as u64;
            group.throughput(Throughput::Elements(rows));
            group.bench_function($name, |b| {
                b.iter(|| black_box($make(range($table)).count()))
            });
        }};
    }
    bench_table!("supplier", Table::Supplier, |r| SupplierGenerator::new(
        &sf, r, all
    ));
    bench_table!("customer", Table::Customer, |r| CustomerGenerator::new(
        &sf, r, all
    ));
    bench_table!("part", Table::Part, |r| PartGenerator::new(&sf, r, all));
    bench_table!("partsupp", Table::Partsupp, |r| PartsuppGenerator::new(
        &sf, r, all
    ));
    bench_table!("orders", Table::Orders, |r| OrderGenerator::new(
        &sf, r, all
    ));
    bench_table!("lineitem", Table::Lineitem, |r| LineitemGenerator::new(
        &sf, r, all
    ));
    group.finish();
}

fn tbl_formatting(c: &mut Criterion) {
    let sf = ScaleFactor::try_new(1.0).unwrap();
    let mut group = c.benchmark_group("generate_and_format_tbl_one_core");
    group.sample_size(10);
    for table in Table::ALL {
        let range = if table.is_fixed() {
            RowRange::new(0, sf.generator_rows(table))
        } else {
            RowRange::chunk(sf.generator_rows(table), 1, PARTS).unwrap()
        };
        let mut buf = Vec::with_capacity(16 << 20);
        let rows = write_table(
            &sf,
            table,
            range,
            &TextOptions::tbl(),
            usize::MAX,
            &mut |b| {
                buf.extend_from_slice(b);
                Ok(())
            },
        )
        .unwrap();
        group.throughput(Throughput::Elements(rows));
        group.bench_function(table.name(), |b| {
            b.iter(|| {
                buf.clear();
                write_table(
                    &sf,
                    table,
                    range,
                    &TextOptions::tbl(),
                    usize::MAX,
                    &mut |bytes| {
                        buf.extend_from_slice(bytes);
                        Ok(())
                    },
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

/// Arrow batches of lineitem (8192 rows) for the projections queries use: what a provider scan
/// partition costs before DataFusion sees the data.
fn lineitem_batches(c: &mut Criterion) {
    use datafusion_dbgen::arrow::TableBatches;
    let sf = ScaleFactor::try_new(1.0).unwrap();
    let orders = RowRange::chunk(sf.generator_rows(Table::Lineitem), 1, PARTS).unwrap();
    let rows = LineitemGenerator::new(&sf, orders, ColumnMask::ALL).count() as u64;
    let mut group = c.benchmark_group("lineitem_batches_one_core");
    group.throughput(Throughput::Elements(rows));
    group.sample_size(10);
    let projections: [(&str, Option<&[usize]>); 8] = [
        ("l_quantity", Some(&[4])),
        ("l_discount", Some(&[6])),
        ("l_extendedprice", Some(&[5])),
        ("l_shipdate", Some(&[10])),
        ("l_returnflag", Some(&[8])),
        ("revenue (l_extendedprice, l_discount)", Some(&[5, 6])),
        ("q1 (7 columns)", Some(&[8, 9, 4, 5, 6, 7, 10])),
        ("full width", None),
    ];
    for (name, projection) in projections {
        group.bench_function(name, |b| {
            b.iter(|| {
                let batches =
                    TableBatches::try_new(Table::Lineitem, &sf, orders, projection, 8192).unwrap();
                black_box(batches.map(|b| b.unwrap().num_rows()).sum::<usize>())
            })
        });
    }
    group.finish();
}

/// dbgen's 300 MiB text pool, built sequentially and with one writer per core (same bytes).
fn text_pool(c: &mut Criterion) {
    use datafusion_dbgen::generator::text::{TEXT_POOL_SIZE, build_text_pool};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("text_pool");
    group.throughput(Throughput::Bytes(TEXT_POOL_SIZE as u64));
    group.sample_size(10);
    for threads in [1, cores] {
        group.bench_function(format!("{threads} writer thread(s)"), |b| {
            b.iter(|| black_box(build_text_pool(threads).len()))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    lineitem_tbl,
    typed_rows,
    tbl_formatting,
    lineitem_batches,
    text_pool
);
criterion_main!(benches);
