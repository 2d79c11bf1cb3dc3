//! Skip-ahead does not walk the skipped rows: the last orders of SF 100000 (150 billion orders,
//! which no walk would get through in the suite's lifetime) come straight from their position.

use datafusion_dbgen::generator::orderkey;
use datafusion_dbgen::generator::{
    ColumnMask, LineitemGenerator, OrderGenerator, RowRange, ScaleFactor, Table,
};

#[test]
fn last_thousand_orders_of_sf_100000_draw_only_their_own_values() {
    let sf = ScaleFactor::try_new(100_000.0).unwrap();
    let total = sf.generator_rows(Table::Orders);
    assert_eq!(total, 150_000_000_000);
    let tail = RowRange::new(total - 1000, total);

    let keys: Vec<i64> = OrderGenerator::new(&sf, tail, ColumnMask::ALL)
        .map(|o| o.orderkey)
        .collect();
    assert_eq!(keys.len(), 1000);
    assert_eq!(*keys.last().unwrap(), orderkey(total));

    let lines: Vec<_> = LineitemGenerator::new(&sf, tail, ColumnMask::ALL).collect();
    assert!((1000..=7000).contains(&lines.len()));
    assert_eq!(lines.last().map(|l| l.orderkey), Some(orderkey(total)));
}

#[test]
fn a_chunk_started_by_skip_ahead_equals_the_walked_rows() {
    let sf = ScaleFactor::try_new(0.01).unwrap();
    let total = sf.generator_rows(Table::Lineitem);
    let walked: Vec<_> = LineitemGenerator::new(&sf, RowRange::new(0, total), ColumnMask::ALL)
        .skip_while(|l| l.orderkey < orderkey(9001))
        .collect();
    let jumped: Vec<_> =
        LineitemGenerator::new(&sf, RowRange::new(9000, total), ColumnMask::ALL).collect();
    assert_eq!(walked, jumped);
}
