//! Statistics of a scan, computed without generating it.
//!
//! Policy:
//! - row counts are exact for every table: known in closed form except for `lineitem`, whose
//!   count is the sum of each order's line count — one random draw per order (SF 1: 1.5 M
//!   draws, 4 ms). Up to [`EXACT_LINEITEM_ORDERS`] orders per scan the count is
//!   drawn and exact; beyond it the scan reports an inexact estimate of 4 lines per order (the
//!   mean of dbgen's uniform 1..=7), so planning never costs seconds;
//! - every column has `null_count = 0` (exact);
//! - the leading key column has exact min, max and distinct count (keys are a computable
//!   function of the row);
//! - other keys, small integers, decimals and dates get inexact bounds from dbgen's value
//!   ranges, which helps DataFusion estimate filter selectivities;
//! - the byte size is an inexact estimate from average column widths;
//! - a scan that applies a [`RowFilter`] scales its row count by the fraction of each
//!   filtered column's value range that the filter keeps (values taken as uniform, as
//!   DataFusion's own filter estimate does; 20 % where a column has no known range), and
//!   narrows the filtered columns' bounds; all of it inexact.

use datafusion::common::stats::Precision;
use datafusion::common::{ColumnStatistics, ScalarValue, Statistics};

use super::keys::key_of_row;
use crate::arrow::RowFilter;
use crate::arrow::schema::{DECIMAL_PRECISION, DECIMAL_SCALE};
use tpch_dbgen::date::Date;
use tpch_dbgen::{RowRange, ScaleFactor, Table, count_lines};

/// Largest number of orders whose line items a scan counts exactly for its statistics
/// (15 M = SF 10: about 40 ms, at under 3 ns per order; SF 100 would add 0.4 s to planning).
pub const EXACT_LINEITEM_ORDERS: u64 = 15_000_000;

/// Rows a scan of the generator rows `range` of `table` produces.
pub fn row_count(table: Table, sf: &ScaleFactor, range: RowRange) -> Precision<usize> {
    let n = range.len();
    match table {
        Table::Lineitem if n > EXACT_LINEITEM_ORDERS => Precision::Inexact(to_usize(4 * n)),
        Table::Lineitem => Precision::Exact(to_usize(count_lines(sf, range))),
        Table::Partsupp => Precision::Exact(to_usize(4 * n)),
        _ => Precision::Exact(to_usize(n)),
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Statistics of the columns `projection` of a scan of `range` producing `rows` rows.
pub fn scan_statistics(
    table: Table,
    sf: &ScaleFactor,
    range: RowRange,
    projection: &[usize],
    rows: Precision<usize>,
) -> Statistics {
    let bytes_per_row: usize = projection.iter().map(|&c| average_width(table, c)).sum();
    Statistics {
        num_rows: rows,
        total_byte_size: rows
            .get_value()
            .map_or(Precision::Absent, |r| Precision::Inexact(r * bytes_per_row)),
        column_statistics: projection
            .iter()
            .map(|&c| column_statistics(table, sf, range, c))
            .collect(),
    }
}

/// Selectivity assumed for a bound on a column without a known value range (DataFusion's
/// default filter selectivity).
const UNKNOWN_SELECTIVITY: f64 = 0.2;

/// The estimated fraction of the rows of `range` that `filter` keeps.
pub fn filter_selectivity(
    table: Table,
    sf: &ScaleFactor,
    range: RowRange,
    filter: &RowFilter,
) -> f64 {
    filter
        .bounds()
        .iter()
        .map(|bound| {
            let column = column_statistics(table, sf, range, bound.column);
            match (raw(&column.min_value), raw(&column.max_value)) {
                (Some(min), Some(max)) if min <= max => {
                    let (low, high) = (bound.low.max(min), bound.high.min(max));
                    if low > high {
                        0.0
                    } else {
                        (high - low + 1) as f64 / (max - min + 1) as f64
                    }
                }
                _ => UNKNOWN_SELECTIVITY,
            }
        })
        .product()
}

/// `rows` scaled by `fraction`, inexact (unless nothing was filtered).
pub fn scale_rows(rows: Precision<usize>, fraction: f64) -> Precision<usize> {
    if fraction >= 1.0 {
        return rows.to_inexact();
    }
    rows.get_value().map_or(Precision::Absent, |&r| {
        Precision::Inexact((r as f64 * fraction).ceil() as usize)
    })
}

/// Narrows the bounds of the filtered columns among `projection` to what `filter` lets
/// through, and makes every column's bounds and distinct count inexact.
pub fn narrow_to_filter(stats: &mut Statistics, projection: &[usize], filter: &RowFilter) {
    if filter.is_empty() {
        return;
    }
    for (column, &index) in stats.column_statistics.iter_mut().zip(projection) {
        let bound = filter.bounds().iter().find(|b| b.column == index);
        if let Some(bound) = bound {
            column.min_value = narrowed(&column.min_value, |v| v.max(bound.low));
            column.max_value = narrowed(&column.max_value, |v| v.min(bound.high));
        }
        column.min_value = column.min_value.clone().to_inexact();
        column.max_value = column.max_value.clone().to_inexact();
        column.distinct_count = column.distinct_count.to_inexact();
    }
}

/// The raw integer of a bound (integers, days, unscaled decimals).
fn raw(value: &Precision<ScalarValue>) -> Option<i128> {
    match value.get_value()? {
        ScalarValue::Int64(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Int32(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Date32(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Decimal128(Some(v), ..) => Some(*v),
        _ => None,
    }
}

/// `value` with its raw integer replaced by `change(raw)`, when representable.
fn narrowed(
    value: &Precision<ScalarValue>,
    change: impl Fn(i128) -> i128,
) -> Precision<ScalarValue> {
    let Some(old) = raw(value) else {
        return value.clone();
    };
    let new = change(old);
    let scalar = match value.get_value() {
        Some(ScalarValue::Int64(_)) => i64::try_from(new).ok().map(int64),
        Some(ScalarValue::Int32(_)) => i32::try_from(new).ok().map(int32),
        Some(ScalarValue::Date32(_)) => i32::try_from(new)
            .ok()
            .map(|d| ScalarValue::Date32(Some(d))),
        Some(ScalarValue::Decimal128(_, p, s)) => Some(ScalarValue::Decimal128(Some(new), *p, *s)),
        _ => None,
    };
    scalar.map_or(value.clone(), Precision::Inexact)
}

fn column_statistics(
    table: Table,
    sf: &ScaleFactor,
    range: RowRange,
    column: usize,
) -> ColumnStatistics {
    let mut stats = ColumnStatistics::new_unknown();
    stats.null_count = Precision::Exact(0);
    if range.is_empty() {
        return stats;
    }
    if column == 0 {
        stats.min_value = Precision::Exact(int64(key_of_row(table, range.start)));
        stats.max_value = Precision::Exact(int64(key_of_row(table, range.end - 1)));
        stats.distinct_count = Precision::Exact(to_usize(range.len()));
    } else if let Some((low, high)) = bounds(table, sf, column) {
        stats.min_value = Precision::Inexact(low);
        stats.max_value = Precision::Inexact(high);
    }
    stats
}

fn int64(v: i64) -> ScalarValue {
    ScalarValue::Int64(Some(v))
}

fn int32(v: i32) -> ScalarValue {
    ScalarValue::Int32(Some(v))
}

fn decimal(hundredths: i128) -> ScalarValue {
    ScalarValue::Decimal128(Some(hundredths), DECIMAL_PRECISION, DECIMAL_SCALE)
}

fn date(days_after_start: i32) -> ScalarValue {
    ScalarValue::Date32(Some(Date::START.days_since_epoch() + days_after_start))
}

/// dbgen's value range of a non-leading column (not necessarily attained, hence inexact).
fn bounds(table: Table, sf: &ScaleFactor, column: usize) -> Option<(ScalarValue, ScalarValue)> {
    // Order dates span day 0 ..= 2405 of the calendar; lines ship 1..=121 days later, are
    // committed 30..=90 days later and received 1..=30 days after shipping.
    const LAST_ORDER_DAY: i32 = 2405;
    let key = |high: i64| Some((int64(1), int64(high)));
    let nations = Some((int64(0), int64(24)));
    let balance = Some((decimal(-99_999), decimal(999_999)));
    match (table, column) {
        (Table::Nation, 2) => Some((int64(0), int64(4))),
        (Table::Supplier | Table::Customer, 3) => nations,
        (Table::Supplier | Table::Customer, 5) => balance,
        (Table::Part, 5) => Some((int32(1), int32(50))),
        (Table::Partsupp, 1) => key(sf.supplier_count()),
        (Table::Partsupp, 2) => Some((int32(1), int32(9_999))),
        (Table::Partsupp, 3) => Some((decimal(100), decimal(100_000))),
        (Table::Orders, 1) => key(sf.customer_count()),
        (Table::Orders, 4) => Some((date(0), date(LAST_ORDER_DAY))),
        (Table::Lineitem, 1) => key(sf.part_count()),
        (Table::Lineitem, 2) => key(sf.supplier_count()),
        (Table::Lineitem, 3) => Some((int32(1), int32(7))),
        (Table::Lineitem, 4) => Some((decimal(100), decimal(5_000))),
        (Table::Lineitem, 6) => Some((decimal(0), decimal(10))),
        (Table::Lineitem, 7) => Some((decimal(0), decimal(8))),
        (Table::Lineitem, 10) => Some((date(1), date(LAST_ORDER_DAY + 121))),
        (Table::Lineitem, 11) => Some((date(30), date(LAST_ORDER_DAY + 90))),
        (Table::Lineitem, 12) => Some((date(2), date(LAST_ORDER_DAY + 151))),
        _ => None,
    }
}

/// Average bytes per value of a column in Arrow (values plus offsets), for size estimates.
fn average_width(table: Table, column: usize) -> usize {
    use crate::arrow::schema::Kind;
    let comment = match table {
        Table::Region | Table::Nation => 72,
        Table::Supplier => 63,
        Table::Customer => 73,
        Table::Part => 14,
        Table::Partsupp => 124,
        Table::Orders => 49,
        Table::Lineitem => 27,
    };
    let last = table.column_names().len() - 1;
    match crate::arrow::schema::kinds(table).get(column) {
        Some(Kind::Key) => 8,
        Some(Kind::Int | Kind::Date) => 4,
        Some(Kind::Decimal) => 16,
        Some(Kind::Char) => 5,
        Some(Kind::Text) if column == last => comment + 4,
        Some(Kind::Text) => 20,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_scale_rows_and_narrow_bounds() {
        use crate::arrow::ColumnBound;
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let all = RowRange::new(0, 15_000);
        // Half of the ship-date range, then a bound on an unknown range (20 %).
        let (first, last) = (
            Date::START.days_since_epoch() + 1,
            Date::START.days_since_epoch() + 2526,
        );
        let half = RowFilter::new([ColumnBound::new(10, i128::MIN, i128::from(first + 1262))]);
        let fraction = filter_selectivity(Table::Lineitem, &sf, all, &half);
        assert!((fraction - 0.5).abs() < 0.001, "{fraction}");
        let comment = RowFilter::new([
            ColumnBound::new(10, 0, i128::MAX),
            ColumnBound::new(8, 0, 1),
        ]);
        let fraction = filter_selectivity(Table::Lineitem, &sf, all, &comment);
        assert!((fraction - 0.2).abs() < 1e-9, "{fraction}");
        assert_eq!(
            scale_rows(Precision::Exact(100), 0.5),
            Precision::Inexact(50)
        );
        assert_eq!(
            scale_rows(Precision::Exact(100), 1.0),
            Precision::Inexact(100)
        );
        let none = RowFilter::new([ColumnBound::new(0, 5, 1)]);
        assert_eq!(filter_selectivity(Table::Lineitem, &sf, all, &none), 0.0);

        let projection = [10, 0];
        let mut stats =
            scan_statistics(Table::Lineitem, &sf, all, &projection, Precision::Exact(9));
        narrow_to_filter(&mut stats, &projection, &half);
        let ship = &stats.column_statistics[0];
        assert_eq!(
            ship.min_value,
            Precision::Inexact(ScalarValue::Date32(Some(first)))
        );
        assert_eq!(
            ship.max_value,
            Precision::Inexact(ScalarValue::Date32(Some(first + 1262)))
        );
        assert!(last > first + 1262);
        let key = &stats.column_statistics[1];
        assert_eq!(key.min_value, Precision::Inexact(int64(1)));
        assert!(!key.distinct_count.is_exact().unwrap_or(false));
    }

    #[test]
    fn counts() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let all = RowRange::new(0, 15_000);
        assert_eq!(
            row_count(Table::Lineitem, &sf, all),
            Precision::Exact(60_175)
        );
        assert_eq!(
            row_count(Table::Partsupp, &sf, RowRange::new(0, 2000)),
            Precision::Exact(8000)
        );
    }
}
