//! dbgen's model of an order and its line items, shared by the engine ([`super::order_batch`],
//! [`super::line_batch`]) and the test oracle: the streams with their seeds and draw budgets,
//! date bounds, key formulas. dbgen makes an order and its lines in one step: an order's status
//! and total price summarise its lines, and every line's dates are offsets from the order date.

use super::random::StreamSpec;
use super::text::TextSpec;

/// Most line items an order can have (also the per-order draw budget of each line stream).
pub const MAX_LINES: usize = 7;

// Order streams: one draw budget per order.
pub(super) const CUSTKEY_STREAM: StreamSpec = StreamSpec::new(851_767_375, 1);
pub(super) const ORDERDATE_STREAM: StreamSpec = StreamSpec::new(1_066_728_069, 1);
pub(super) const PRIORITY_STREAM: StreamSpec = StreamSpec::new(591_449_447, 1);
pub(super) const CLERK_STREAM: StreamSpec = StreamSpec::new(1_171_034_773, 1);
pub(super) const ORDER_COMMENT_STREAM: StreamSpec = StreamSpec::new(276_090_261, 2);
pub(super) const LINE_COUNT_STREAM: StreamSpec = StreamSpec::new(1_434_868_289, 1);
pub(super) const ORDER_COMMENT_TEXT: TextSpec = TextSpec::around(49);

// Line streams: budgets are per order (7 lines at most).
pub(super) const QUANTITY_STREAM: StreamSpec = StreamSpec::new(209_208_115, 7);
pub(super) const DISCOUNT_STREAM: StreamSpec = StreamSpec::new(554_590_007, 7);
pub(super) const TAX_STREAM: StreamSpec = StreamSpec::new(721_958_466, 7);
pub(super) const INSTRUCT_STREAM: StreamSpec = StreamSpec::new(1_371_272_478, 7);
pub(super) const SHIPMODE_STREAM: StreamSpec = StreamSpec::new(675_466_456, 7);
pub(super) const PARTKEY_STREAM: StreamSpec = StreamSpec::new(1_808_217_256, 7);
pub(super) const SUPPLIER_STREAM: StreamSpec = StreamSpec::new(2_095_021_727, 7);
pub(super) const SHIPDATE_STREAM: StreamSpec = StreamSpec::new(1_769_349_045, 7);
pub(super) const COMMITDATE_STREAM: StreamSpec = StreamSpec::new(904_914_315, 7);
pub(super) const RECEIPTDATE_STREAM: StreamSpec = StreamSpec::new(373_135_028, 7);
pub(super) const RETURNFLAG_STREAM: StreamSpec = StreamSpec::new(717_419_739, 7);
pub(super) const LINE_COMMENT_STREAM: StreamSpec = StreamSpec::new(1_095_462_486, 14);
pub(super) const LINE_COMMENT_TEXT: TextSpec = TextSpec::around(27);

/// dbgen's order dates are drawn as `92001 + days` and line dates offset from them.
pub(super) const DATE_BASE: i64 = 92_001;
pub(super) const LAST_ORDER_DAY: i64 = DATE_BASE + 2557 - (121 + 30) - 1;

/// dbgen's `o_custkey` from its draw `key`: a third of the customers (keys divisible by 3)
/// place no orders, so such a key moves to a neighbour, alternately up and down.
#[inline]
pub(super) fn ordering_customer(mut key: i64, customers: i64) -> i64 {
    let mut delta = 1;
    while key % 3 == 0 {
        key = (key + delta).min(customers);
        delta = -delta;
    }
    key
}

/// The order key of the `index`-th order (1-based): dbgen keeps 8 of every 32 keys.
#[inline]
pub const fn orderkey(index: u64) -> i64 {
    sparse_key(index, 0)
}

/// dbgen's sparse keys: of every 32 keys, slot `seq` (0..4) of 8 belongs to one key sequence.
/// The base table uses slot 0; refresh sets insert their orders into slot 1 (dbgen's
/// `mk_sparse`).
#[inline]
pub const fn sparse_key(index: u64, seq: i64) -> i64 {
    let i = index as i64;
    ((i >> 3) << 5) | (seq << 3) | (i & 7)
}

/// How generator rows of `orders`/`lineitem` get their order keys, and where they end.
///
/// The base table's row `r` is order `r + 1`. A refresh set's rows continue dbgen's random
/// streams past the base table (so its values are those of rows beyond the last order) but
/// take keys from the set's own order indices, in another key slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrderKeys {
    /// Generator rows before the row whose order index is 1.
    shift: u64,
    /// The key slot ([`sparse_key`]).
    seq: i64,
}

impl OrderKeys {
    /// The base table: row `r` has key [`orderkey`]`(r + 1)`.
    pub const BASE: OrderKeys = OrderKeys { shift: 0, seq: 0 };

    /// Rows `shift + i - 1` keyed as order index `i` in key slot `seq`.
    pub(crate) const fn shifted(shift: u64, seq: i64) -> OrderKeys {
        OrderKeys { shift, seq }
    }

    /// The order key of generator row `row` (0-based).
    #[inline]
    pub const fn key(&self, row: u64) -> i64 {
        sparse_key(row + 1 - self.shift, self.seq)
    }

    /// One past the last generator row these keys may cover: the base table ends with its
    /// last order, a refresh set's range is its own.
    pub(crate) fn row_limit(&self, orders: i64) -> u64 {
        if *self == OrderKeys::BASE {
            orders as u64
        } else {
            u64::MAX
        }
    }
}

/// The order index (1-based) of `key`, or of the first order with a larger key.
pub const fn order_index_at_or_after(key: i64) -> u64 {
    if key <= 1 {
        return 1;
    }
    let group = key >> 5;
    let low = key & 31;
    let index = if low >= 8 {
        (group + 1) << 3
    } else {
        (group << 3) | low
    };
    if index < 1 { 1 } else { index as u64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_keys() {
        assert_eq!(orderkey(1), 1);
        assert_eq!(orderkey(7), 7);
        assert_eq!(orderkey(8), 32);
        assert_eq!(orderkey(9), 33);
        for index in 1..200u64 {
            assert_eq!(order_index_at_or_after(orderkey(index)), index);
            assert_eq!(order_index_at_or_after(orderkey(index) + 1), index + 1);
        }
        // Refresh set keys: the second 8-key slot of each 32-key block.
        assert_eq!(sparse_key(1, 1), 9);
        assert_eq!(sparse_key(8, 1), 40);
        let keys = OrderKeys::shifted(15_000, 1);
        assert_eq!(keys.key(15_000), 9);
        assert_eq!(OrderKeys::BASE.key(7), orderkey(8));
    }
}
