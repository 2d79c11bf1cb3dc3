//! Skip-ahead does not walk the skipped rows: the last orders of SF 100000 (150 billion orders)
//! are generated with a number of random draws proportional to the rows produced.

use datafusion_dbgen::generator::order_lines::orderkey;
use datafusion_dbgen::generator::{
    ColumnMask, LineitemGenerator, OrderGenerator, RowRange, ScaleFactor, Table,
};

#[test]
fn last_thousand_orders_of_sf_100000_draw_only_their_own_values() {
    let sf = ScaleFactor::new(100_000.0).unwrap();
    let total = sf.generator_rows(Table::Orders);
    assert_eq!(total, 150_000_000_000);
    let tail = RowRange::new(total - 1000, total);

    let mut orders = OrderGenerator::new(&sf, tail, ColumnMask::ALL);
    let keys: Vec<i64> = orders.by_ref().map(|o| o.orderkey).collect();
    assert_eq!(keys.len(), 1000);
    assert_eq!(*keys.last().unwrap(), orderkey(total));
    // At most 7 order draws and 13 draws for each of at most 7 lines (for status and price).
    assert!(
        orders.draws() <= 1000 * (7 + 7 * 13),
        "{} draws",
        orders.draws()
    );

    let mut lines = LineitemGenerator::new(&sf, tail, ColumnMask::ALL);
    let count = lines.by_ref().count() as u64;
    assert!((1000..=7000).contains(&count));
    assert!(
        lines.draws() <= 1000 * (7 + 7 * 13),
        "{} draws",
        lines.draws()
    );
}

#[test]
fn a_chunk_started_by_skip_ahead_equals_the_walked_rows() {
    let sf = ScaleFactor::new(0.01).unwrap();
    let total = sf.generator_rows(Table::Lineitem);
    let walked: Vec<_> = LineitemGenerator::new(&sf, RowRange::new(0, total), ColumnMask::ALL)
        .skip_while(|l| l.orderkey < datafusion_dbgen::generator::order_lines::orderkey(9001))
        .collect();
    let jumped: Vec<_> =
        LineitemGenerator::new(&sf, RowRange::new(9000, total), ColumnMask::ALL).collect();
    assert_eq!(walked, jumped);
}
