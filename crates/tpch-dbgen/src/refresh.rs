//! dbgen's refresh sets (`dbgen -U N`): the orders and line items the refresh function RF1
//! inserts, and the orders RF2 deletes (TPC-H clause 2.5).
//!
//! Each set holds 0.1 % of the orders (1500 per scale factor; dbgen rounds the base down to
//! ten-thousands first, so SF 0.01 has 10). Set `k` covers the order *indices*
//! `(k-1)·n + 1 ..= k·n`:
//! - RF1's rows continue dbgen's random streams right after the base table's last order (set
//!   `k`'s first order has the values base row `N + (k-1)·n` would have), but their keys are
//!   those indices in the second 8-key slot of each 32-key block, which no base order uses;
//! - RF2 deletes the base orders with the same indices (and their line items).
//!
//! ```
//! use tpch_dbgen::{ColumnMask, RefreshSet, ScaleFactor};
//!
//! let sf = ScaleFactor::try_new(1.0)?;
//! let set = RefreshSet::try_new(&sf, 1)?;
//! assert_eq!(set.len(), 1500);
//! let first = set.orders(ColumnMask::ALL).next().unwrap();
//! assert_eq!(first.orderkey, 9); // the first key of slot 1
//! assert_eq!(set.delete_keys().next(), Some(1)); // RF2 deletes base order 1 first
//! # Ok::<(), tpch_dbgen::Error>(())
//! ```

use std::ops::RangeInclusive;

use super::columns::ColumnMask;
use super::order_streams::{OrderKeys, orderkey, sparse_key};
use super::rows::{LineitemGenerator, OrderGenerator};
use super::scale::{RowRange, ScaleFactor};
use crate::error::{Error, Result};

/// The most refresh sets: dbgen's key slots give each of 1000 sets its own keys, and set 1000
/// would move RF2's deletes to slot 1 (orders inserted by earlier sets).
pub const MAX_REFRESH_SETS: u32 = 999;

/// One refresh set of a scale factor (see the module docs).
#[derive(Clone, Debug)]
pub struct RefreshSet {
    sf: ScaleFactor,
    number: u32,
    orders: u64,
}

impl RefreshSet {
    /// Set `number` (1-based, as `dbgen -U`) of `sf`.
    pub fn try_new(sf: &ScaleFactor, number: u32) -> Result<RefreshSet> {
        let orders = Self::orders_per_set(sf);
        if orders == 0 {
            return Err(Error::InvalidOption(format!(
                "scale factor {} is too small for refresh sets: dbgen's sets hold \
                 1500 orders per SF, rounded down to tens",
                sf.value()
            )));
        }
        if number == 0 || number > MAX_REFRESH_SETS {
            return Err(Error::InvalidOption(format!(
                "refresh set {number} out of range: expected 1 to {MAX_REFRESH_SETS}"
            )));
        }
        if sf.uses_64bit_keys() {
            return Err(Error::InvalidOption(format!(
                "refresh sets at scale factor {} are not supported: from SF 30000 on dbgen draws \
                 o_custkey and l_partkey with its 64-bit generator, whose refresh-set positions \
                 this crate does not model",
                sf.value()
            )));
        }
        Ok(RefreshSet {
            sf: *sf,
            number,
            orders,
        })
    }

    /// Sets `1..=count` of `sf` (an error when `count` is 0 or too large).
    pub fn first(sf: &ScaleFactor, count: u32) -> Result<Vec<RefreshSet>> {
        if count == 0 {
            return Err(Error::InvalidOption(
                "the number of refresh sets must be at least 1".into(),
            ));
        }
        (1..=count).map(|k| RefreshSet::try_new(sf, k)).collect()
    }

    /// Orders per refresh set at `sf` (dbgen: `base / 10000 · scale · 10`, integer arithmetic
    /// on the pre-scaled base, so fractional scale factors round down).
    pub fn orders_per_set(sf: &ScaleFactor) -> u64 {
        let scale = sf.int_scale();
        let base = sf.order_count() / scale;
        (base / 10_000 * scale * 10) as u64
    }

    /// The set's number (1-based).
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The scale factor.
    pub fn scale_factor(&self) -> &ScaleFactor {
        &self.sf
    }

    /// Orders in the set (inserted by RF1, and deleted by RF2).
    pub fn len(&self) -> u64 {
        self.orders
    }

    /// Always false: a set has at least one order.
    pub fn is_empty(&self) -> bool {
        self.orders == 0
    }

    /// The set's order indices (1-based), shared by its inserts and its deletes.
    fn indices(&self) -> RangeInclusive<u64> {
        let first = u64::from(self.number - 1) * self.orders + 1;
        first..=first + self.orders - 1
    }

    /// The generator rows of the inserted orders: past the base table's last row.
    pub fn insert_rows(&self) -> RowRange {
        let base = self.sf.order_count() as u64;
        let first = base + self.indices().start() - 1;
        RowRange::new(first, first + self.orders)
    }

    /// How the inserted rows are keyed.
    pub fn insert_keys(&self) -> OrderKeys {
        // dbgen: slot 1 + k / 1000, i.e. slot 1 for every set up to MAX_REFRESH_SETS.
        let slot = 1 + i64::from(self.number) / 1000;
        OrderKeys::shifted(self.sf.order_count() as u64, slot)
    }

    /// The smallest and largest order key RF1 inserts.
    pub fn insert_key_range(&self) -> RangeInclusive<i64> {
        let keys = self.insert_keys();
        let rows = self.insert_rows();
        keys.key(rows.start)..=keys.key(rows.end - 1)
    }

    /// The orders RF1 inserts, with `columns` (as [`OrderGenerator::new`]).
    pub fn orders(&self, columns: ColumnMask) -> OrderGenerator {
        OrderGenerator::with_keys(&self.sf, self.insert_rows(), columns, self.insert_keys())
    }

    /// The line items RF1 inserts, with `columns` (as [`LineitemGenerator::new`]).
    pub fn lineitems(&self, columns: ColumnMask) -> LineitemGenerator {
        LineitemGenerator::with_keys(&self.sf, self.insert_rows(), columns, self.insert_keys())
    }

    /// The base table's generator rows whose orders RF2 deletes.
    pub fn delete_rows(&self) -> RowRange {
        let indices = self.indices();
        RowRange::new(indices.start() - 1, *indices.end())
    }

    /// The order keys RF2 deletes, ascending (dbgen's `delete.k`).
    pub fn delete_keys(&self) -> impl Iterator<Item = i64> + use<> {
        // dbgen: slot k / 1000, i.e. the base orders' slot 0 for every set up to the maximum.
        let slot = i64::from(self.number) / 1000;
        self.indices().map(move |i| sparse_key(i, slot))
    }

    /// The smallest and largest order key RF2 deletes.
    pub fn delete_key_range(&self) -> RangeInclusive<i64> {
        let indices = self.indices();
        orderkey(*indices.start())..=orderkey(*indices.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sf(value: f64) -> ScaleFactor {
        ScaleFactor::try_new(value).unwrap()
    }

    #[test]
    fn set_sizes_follow_dbgen() {
        assert_eq!(RefreshSet::orders_per_set(&sf(0.01)), 10);
        assert_eq!(RefreshSet::orders_per_set(&sf(0.1)), 150);
        assert_eq!(RefreshSet::orders_per_set(&sf(1.0)), 1500);
        assert_eq!(RefreshSet::orders_per_set(&sf(0.05)), 70);
        assert_eq!(RefreshSet::orders_per_set(&sf(2.5)), 3000);
        assert!(RefreshSet::try_new(&sf(0.001), 1).is_err());
    }

    #[test]
    fn bad_set_numbers_are_errors() {
        let sf = sf(0.01);
        assert!(RefreshSet::try_new(&sf, 0).is_err());
        assert!(RefreshSet::try_new(&sf, MAX_REFRESH_SETS + 1).is_err());
        assert!(RefreshSet::try_new(&sf, MAX_REFRESH_SETS).is_ok());
        assert!(RefreshSet::first(&sf, 0).is_err());
        assert_eq!(RefreshSet::first(&sf, 3).unwrap().len(), 3);
    }

    #[test]
    fn keys_and_rows() {
        let sf = sf(0.01);
        let set = RefreshSet::try_new(&sf, 2).unwrap();
        assert_eq!(set.insert_rows(), RowRange::new(15_010, 15_020));
        assert_eq!(set.delete_rows(), RowRange::new(10, 20));
        // Indices 11..=20: keys 35..=39 and 64..=68 in slot 0, 43..=47 and 72..=76 in slot 1.
        let deleted: Vec<i64> = set.delete_keys().collect();
        assert_eq!(deleted, [35, 36, 37, 38, 39, 64, 65, 66, 67, 68]);
        assert_eq!(set.delete_key_range(), 35..=68);
        let inserted: Vec<i64> = set.orders(ColumnMask::ALL).map(|o| o.orderkey).collect();
        assert_eq!(inserted, [43, 44, 45, 46, 47, 72, 73, 74, 75, 76]);
        assert_eq!(set.insert_key_range(), 43..=76);
        assert!(
            set.lineitems(ColumnMask::ALL)
                .all(|l| inserted.contains(&l.orderkey))
        );
    }
}
