//! Key-range filter pushdown: `WHERE l_orderkey BETWEEN a AND b` and the like become a range of
//! generator rows, so only those rows are generated.
//!
//! Each table's generator row `i` has a key computable in O(1) (dense keys `i + 1`, or dbgen's
//! sparse order keys), so a range of key values maps to a contiguous range of rows. The mapping
//! gives a *superset* of the matching rows; the provider reports the pushdown as `Inexact`, so
//! DataFusion still applies the filter itself.

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::Column;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, expr::InList};

use super::filters::{column_bound, integer};
use tpch_dbgen::order_streams::{order_index_at_or_after, orderkey};
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// An inclusive range of key values; empty when `low > high`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRange {
    /// Smallest key.
    pub low: i64,
    /// Largest key.
    pub high: i64,
}

impl KeyRange {
    /// Every key.
    pub const ALL: KeyRange = KeyRange {
        low: i64::MIN,
        high: i64::MAX,
    };

    /// `[low, high]`.
    pub const fn new(low: i64, high: i64) -> Self {
        KeyRange { low, high }
    }

    /// True when no key is in the range.
    pub const fn is_empty(&self) -> bool {
        self.low > self.high
    }

    /// Keys in both ranges.
    pub fn intersect(self, other: KeyRange) -> KeyRange {
        KeyRange::new(self.low.max(other.low), self.high.min(other.high))
    }

    /// The smallest range holding both.
    pub fn hull(self, other: KeyRange) -> KeyRange {
        if self.is_empty() {
            return other;
        }
        if other.is_empty() {
            return self;
        }
        KeyRange::new(self.low.min(other.low), self.high.max(other.high))
    }
}

/// The column whose ranges select generator rows of `table`, if any (the table's leading key).
pub fn key_column(table: Table) -> Option<&'static str> {
    match table {
        Table::Supplier => Some("s_suppkey"),
        Table::Customer => Some("c_custkey"),
        Table::Part => Some("p_partkey"),
        Table::Partsupp => Some("ps_partkey"),
        Table::Orders => Some("o_orderkey"),
        Table::Lineitem => Some("l_orderkey"),
        Table::Region | Table::Nation => None,
    }
}

/// The key range a filter restricts `key` to, if it is a range predicate on it: comparisons
/// (`=`, `<`, `<=`, `>`, `>=`) and `BETWEEN` with integer literals (read as
/// [`column_bound`] reads them), `IN` lists of literals, and `AND` / `OR` of those. `None` means
/// the filter says nothing usable about the key.
pub fn key_range(expr: &Expr, key: &str) -> Option<KeyRange> {
    match expr {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::And,
            right,
        }) => {
            match (key_range(left, key), key_range(right, key)) {
                (Some(a), Some(b)) => Some(a.intersect(b)),
                // A superset is fine: the filter is applied again above the scan.
                (Some(a), None) | (None, Some(a)) => Some(a),
                (None, None) => None,
            }
        }
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Or,
            right,
        }) => Some(key_range(left, key)?.hull(key_range(right, key)?)),
        Expr::InList(InList {
            expr,
            list,
            negated: false,
        }) if is_key(expr, key) => list.iter().try_fold(KeyRange::new(1, 0), |acc, item| {
            let v = literal(item)?;
            Some(acc.hull(KeyRange::new(v, v)))
        }),
        _ => {
            let schema = Schema::new(vec![Field::new(key, DataType::Int64, false)]);
            let bound = column_bound(expr, &schema)?;
            let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
            Some(KeyRange::new(clamp(bound.low), clamp(bound.high)))
        }
    }
}

fn is_key(expr: &Expr, key: &str) -> bool {
    matches!(expr, Expr::Column(Column { name, .. }) if name == key)
}

fn literal(expr: &Expr) -> Option<i64> {
    let Expr::Literal(value, _) = expr else {
        return None;
    };
    i64::try_from(integer(value)?).ok()
}

/// The generator rows of `table` whose keys may lie in `keys` (a superset for sparse order keys
/// is never needed: the mapping is exact for every table).
pub fn rows_for_keys(table: Table, sf: &ScaleFactor, keys: KeyRange) -> RowRange {
    let total = sf.generator_rows(table);
    if keys.is_empty() {
        return RowRange::new(0, 0);
    }
    let (start, end) = match table {
        Table::Orders | Table::Lineitem => {
            // Order indices are 1-based: rows [index(low) - 1, index(first key above high) - 1).
            let first = order_index_at_or_after(keys.low) - 1;
            let after = order_index_at_or_after(keys.high.saturating_add(1)) - 1;
            (first, after)
        }
        Table::Region | Table::Nation => {
            // Keys start at 0.
            (clamp_row(keys.low), clamp_row(keys.high.saturating_add(1)))
        }
        _ => (clamp_row(keys.low.saturating_sub(1)), clamp_row(keys.high)),
    };
    let end = end.min(total);
    RowRange::new(start.min(end), end)
}

fn clamp_row(value: i64) -> u64 {
    value.max(0) as u64
}

/// The key of generator row `row` (0-based) in `table`'s leading key column.
pub(crate) fn key_of_row(table: Table, row: u64) -> i64 {
    match table {
        Table::Orders | Table::Lineitem => orderkey(row + 1),
        Table::Region | Table::Nation => row as i64,
        _ => row as i64 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::{col, lit};

    #[test]
    fn ranges_from_predicates() {
        let k = "l_orderkey";
        assert_eq!(
            key_range(&col(k).between(lit(10i64), lit(20i64)), k),
            Some(KeyRange::new(10, 20))
        );
        assert_eq!(
            key_range(&lit(5i64).lt(col(k)), k),
            Some(KeyRange::new(6, i64::MAX))
        );
        let both = col(k).gt_eq(lit(3i64)).and(col(k).lt(lit(9i32)));
        assert_eq!(key_range(&both, k), Some(KeyRange::new(3, 8)));
        let either = col(k).eq(lit(3i64)).or(col(k).eq(lit(40i64)));
        assert_eq!(key_range(&either, k), Some(KeyRange::new(3, 40)));
        assert_eq!(key_range(&col("l_partkey").eq(lit(1i64)), k), None);
        assert_eq!(key_range(&col(k).eq(lit(1.5f64)), k), None);
        let half = col(k).eq(lit(1i64)).or(col("l_partkey").eq(lit(1i64)));
        assert_eq!(key_range(&half, k), None);
    }

    #[test]
    fn sparse_order_keys_map_to_rows() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        // Keys 1..=7 are orders 1..=7; 8..=31 do not exist; 32 is order 8.
        assert_eq!(
            rows_for_keys(Table::Orders, &sf, KeyRange::new(1, 7)),
            RowRange::new(0, 7)
        );
        assert_eq!(
            rows_for_keys(Table::Orders, &sf, KeyRange::new(8, 31)),
            RowRange::new(7, 7)
        );
        assert_eq!(
            rows_for_keys(Table::Lineitem, &sf, KeyRange::new(5, 32)),
            RowRange::new(4, 8)
        );
        assert_eq!(
            rows_for_keys(Table::Orders, &sf, KeyRange::ALL),
            RowRange::new(0, 15_000)
        );
        assert_eq!(
            rows_for_keys(Table::Customer, &sf, KeyRange::new(-5, 10)),
            RowRange::new(0, 10)
        );
        assert_eq!(
            rows_for_keys(Table::Part, &sf, KeyRange::new(1990, i64::MAX)),
            RowRange::new(1989, 2000)
        );
        assert!(rows_for_keys(Table::Part, &sf, KeyRange::new(5, 4)).is_empty());
    }
}
