use datafusion_dbgen::arrow::TableBatches;
use datafusion_dbgen::generator::{RowRange, ScaleFactor, Table, text::text_pool};
fn main() {
    let sf = ScaleFactor::new(1.0).unwrap();
    let _ = text_pool();
    let proj: Option<Vec<usize>> = std::env::args()
        .nth(1)
        .map(|s| s.split(',').map(|x| x.parse().unwrap()).collect());
    let t = std::time::Instant::now();
    let mut n = 0;
    for b in TableBatches::new(
        Table::Lineitem,
        &sf,
        RowRange::new(0, 300_000),
        proj.as_deref(),
        8192,
    )
    .unwrap()
    {
        n += b.unwrap().num_rows();
    }
    let e = t.elapsed();
    println!("{n} rows {e:?} {:.2} M/s", n as f64 / e.as_secs_f64() / 1e6);
    let t = std::time::Instant::now();
    let g = datafusion_dbgen::generator::LineitemGenerator::new(
        &sf,
        RowRange::new(0, 300_000),
        datafusion_dbgen::generator::ColumnMask::ALL,
    );
    let m = g.map(|l| l.quantity).sum::<i64>();
    let e = t.elapsed();
    println!(
        "typed only {m} {e:?} {:.2} M/s",
        n as f64 / e.as_secs_f64() / 1e6
    );
}
