//! The columnar primitives of the one `orders`/`lineitem` engine ([`super::line_batch`],
//! [`super::order_batch`]).
//!
//! Every order-level and line-level stream reserves a fixed budget of draws per order, so the
//! state a stream holds at its `k`-th draw of an order is `S · 16807^(k+1)`, `S` its state at the
//! order's start, and `S` steps by `16807^budget` from one order to the next. A column is then a
//! flat loop of independent multiplications: the order start states come from interleaved
//! chains ([`for_each_order_start`]), per-line values from a [`Layout`] shared by every column.

use super::random::{POWERS, StreamSpec, advance, mul_mod, unif_small};

/// Values written per order when spreading per-order values over its lines (the next order
/// overwrites the surplus); at least [`MAX_LINES`].
pub(super) const LANES: usize = 8;

/// A stream's state at the start of the current order.
#[derive(Clone, Copy, Debug)]
pub(super) struct OrderStream {
    pub(super) state: i64,
    /// `16807^budget`: one order's step.
    step: i64,
    budget: u64,
}

impl OrderStream {
    /// The stream at the start of order row `row` (Park–Miller states only).
    pub(super) fn at(spec: StreamSpec, row: u64) -> Self {
        OrderStream {
            state: advance(spec.seed, row * u64::from(spec.per_row)),
            step: POWERS[spec.per_row as usize],
            budget: u64::from(spec.per_row),
        }
    }

    /// Moves past `orders` whole orders in O(log n).
    pub(super) fn skip_orders(&mut self, orders: u64) {
        self.state = advance(self.state, orders * self.budget);
    }
}

/// dbgen's `UnifInt` for the small constant ranges of line columns (see [`unif_small`]).
#[inline(always)]
pub(super) fn uniform(state: i64, low: i64, high: i64) -> i64 {
    unif_small(state, low, (high - low + 1) as u64)
}

/// The per-line plan of a batch, shared by every column: which line of its order each line is,
/// and the power of 16807 that takes an order's start state to that line's draw. A column is
/// then one flat loop over its lines: `state = start(order) · power(line)`, with no branch on
/// the random line counts and nothing wasted on lines orders do not have.
#[derive(Debug, Default)]
pub(super) struct Layout {
    /// Lines in the batch's orders.
    pub(super) lines: usize,
    /// Per line: its index within its order (0..7).
    pub(super) line: Vec<u8>,
    /// Per line: `16807^(line + 1)`, the state of the order's draw number `line`.
    pub(super) power: Vec<u32>,
    /// Per line: a stream's state at the start of the line's order (see [`Layout::stream`]).
    pub(super) starts: Vec<u32>,
    /// Per line: the order date (days since 1970).
    pub(super) days: Vec<i32>,
    /// Per line: the power of the line's `l_returnflag` draw.
    pub(super) draw_power: Vec<u32>,
}

impl Layout {
    /// Plans the lines of orders with `counts` lines each.
    pub(super) fn plan(&mut self, counts: &[u8]) {
        self.lines = counts.iter().map(|&c| usize::from(c)).sum();
        let (line, power) = (&mut self.line, &mut self.power);
        line.resize(self.lines + LANES, 0);
        power.resize(self.lines + LANES, 0);
        const LINE: [u8; LANES] = [0, 1, 2, 3, 4, 5, 6, 7];
        let powers: [u32; LANES] = std::array::from_fn(|j| POWERS[j + 1] as u32);
        let mut pos = 0;
        // Each order writes all lanes and moves by its own count: the next overwrites the rest.
        for &count in counts {
            line[pos..pos + LANES].copy_from_slice(&LINE);
            power[pos..pos + LANES].copy_from_slice(&powers);
            pos += usize::from(count);
        }
        line.truncate(self.lines);
        power.truncate(self.lines);
    }

    /// The plan with, per line, `stream`'s state at the start of the line's order.
    #[inline(always)]
    pub(super) fn stream(&mut self, counts: &[u8], stream: OrderStream) -> Lines<'_> {
        let lines = self.lines;
        let starts = &mut self.starts;
        starts.resize(lines + LANES, 0);
        let mut pos = 0;
        for_each_order_start(stream, counts.len(), |order, state| {
            starts[pos..pos + LANES].fill(state as u32);
            pos += usize::from(counts[order]);
        });
        starts.truncate(lines);
        Lines {
            starts,
            line: &self.line,
            power: &self.power,
            days: &self.days,
        }
    }

    /// Per line, its order's date from `days` (one per order).
    pub(super) fn spread_days(&mut self, counts: &[u8], days: &[i32]) {
        broadcast(&mut self.days, counts, |order| days[order]);
    }
}

/// A [`Layout`] seen from one stream: slices of the same length, one value per line.
pub(super) struct Lines<'a> {
    pub(super) starts: &'a [u32],
    pub(super) line: &'a [u8],
    pub(super) power: &'a [u32],
    pub(super) days: &'a [i32],
}

/// Fills `out` with one value per line: `value(order)` for every line of the order.
#[inline(always)]
pub(super) fn broadcast<T: Copy + Default>(
    out: &mut Vec<T>,
    counts: &[u8],
    mut value: impl FnMut(usize) -> T,
) {
    let lines: usize = counts.iter().map(|&c| usize::from(c)).sum();
    out.resize(lines + LANES, T::default());
    let mut pos = 0;
    for (order, &count) in counts.iter().enumerate() {
        out[pos..pos + LANES].fill(value(order));
        pos += usize::from(count);
    }
    out.truncate(lines);
}

/// A stream's order start states as four interleaved chains (orders `4i + c`, each stepping
/// four orders at a time): one order's state is the previous one times a constant, a chain of
/// dependent multiplications; four chains let the processor work on four at once.
#[derive(Clone, Copy)]
pub(super) struct Chains {
    states: [i64; 4],
    step4: i64,
}

impl Chains {
    /// The chains of the next four orders of `stream`.
    #[inline(always)]
    pub(super) fn new(stream: OrderStream) -> Self {
        let mut states = [stream.state; 4];
        for c in 1..4 {
            states[c] = mul_mod(states[c - 1], stream.step);
        }
        let step2 = mul_mod(stream.step, stream.step);
        Chains {
            states,
            step4: mul_mod(step2, step2),
        }
    }

    /// Calls `each(c, state)` for the first `group` (≤ 4) orders and moves those chains four
    /// orders on.
    #[inline(always)]
    pub(super) fn take(&mut self, group: usize, mut each: impl FnMut(usize, i64)) {
        for (c, state) in self.states.iter_mut().enumerate().take(group) {
            each(c, *state);
            *state = mul_mod(*state, self.step4);
        }
    }
}

/// Calls `each(order, state)` with `stream`'s state at the start of each of `orders` orders,
/// in order (see [`Chains`]).
#[inline(always)]
pub(super) fn for_each_order_start(
    stream: OrderStream,
    orders: usize,
    mut each: impl FnMut(usize, i64),
) {
    let mut chains = Chains::new(stream);
    let mut order = 0;
    while order < orders {
        let group = (orders - order).min(4);
        chains.take(group, |c, state| each(order + c, state));
        order += group;
    }
}

/// The state of a line's draw: its order's start state times the line's power.
#[inline(always)]
pub(super) fn state(start: u32, power: u32) -> i64 {
    mul_mod(i64::from(start), i64::from(power))
}

/// Exact `n / d` and `n % d` for `n, d < 2³²` by one multiplication (Lemire's method): `l_suppkey`
/// divides by the supplier count twice per line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Divisor {
    pub(super) d: u64,
    pub(super) inverse: u64,
}

impl Divisor {
    /// `None` unless `1 < d < 2³²` (the inverse of 1 would need 65 bits).
    pub(super) fn new(d: i64) -> Option<Self> {
        let d = u32::try_from(d).ok().filter(|&d| d > 1)?;
        let d = u64::from(d);
        Some(Divisor {
            d,
            inverse: (u64::MAX / d).wrapping_add(1),
        })
    }

    #[inline(always)]
    pub(super) fn div(self, n: u32) -> u64 {
        ((u128::from(self.inverse) * u128::from(n)) >> 64) as u64
    }

    #[inline(always)]
    pub(super) fn rem(self, n: u32) -> u64 {
        let low = self.inverse.wrapping_mul(u64::from(n));
        ((u128::from(low) * u128::from(self.d)) >> 64) as u64
    }
}

/// [`retail_price`] for keys below 2³² in 32-bit arithmetic (which vector units divide by
/// constants).
#[inline(always)]
pub(super) fn retail_price_u32(partkey: u32) -> u32 {
    90_000 + (partkey / 10) % 20_001 + (partkey % 1000) * 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisor_is_exact_below_2_pow_32() {
        let mut x = 12_345u64;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 32) as u32
        };
        for d in [2i64, 3, 7, 10_000, 99_999, 1_000_000, u32::MAX as i64] {
            let by = Divisor::new(d).unwrap();
            for n in (0..2000)
                .map(|_| next())
                .chain([0, 1, u32::MAX, u32::MAX - 1])
            {
                assert_eq!(by.div(n), u64::from(n) / d as u64, "{n} / {d}");
                assert_eq!(by.rem(n), u64::from(n) % d as u64, "{n} % {d}");
            }
        }
        assert!([0, 1, 1 << 32].iter().all(|&d| Divisor::new(d).is_none()));
    }
}
