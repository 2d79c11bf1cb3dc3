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
    let i = index as i64;
    ((i >> 3) << 5) | (i & 7)
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
    }
}
