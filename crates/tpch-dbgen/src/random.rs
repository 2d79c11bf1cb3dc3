//! dbgen's random number streams.
//!
//! dbgen draws every column from its own stream: a Park–Miller "minimal standard" generator
//! (`x ← 16807·x mod (2³¹−1)`) with a per-stream seed. Each stream consumes a fixed budget of
//! draws per row (its *boundary*); at the end of a row the stream is advanced past whatever the
//! row did not use. Row `r` therefore always starts at `seed · 16807^(r·boundary)`, which is what
//! makes skip-ahead O(log n): [`RandomStream::skip_rows`] jumps there with square-and-multiply.
//!
//! At scale factors of 30000 and above, dbgen draws `o_custkey` and `l_partkey` from a 64-bit
//! linear congruential generator on the same state ([`RandomStream::uniform64`]).

/// Modulus of the Park–Miller generator, 2³¹ − 1.
pub const MODULUS: i64 = 2_147_483_647;
const MULTIPLIER: i64 = 16_807;
const LCG64_MULTIPLIER: u64 = 6_364_136_223_846_793_005;
const LCG64_INCREMENT: u64 = 1;

/// Largest span `high − low + 1` for which [`RandomStream::uniform`] may use the exact integer
/// quotient instead of dbgen's double arithmetic (they agree for spans below about 2²¹).
pub(crate) const EXACT_SPAN_LIMIT: i64 = 1 << 20;

/// Largest per-row budget of any stream (the part-name permutation draws 92 times a row).
const MAX_BUDGET: usize = 92;

/// `16807^k mod (2³¹−1)` for every per-row remainder a stream can skip in one row.
pub(crate) static POWERS: [i64; MAX_BUDGET + 1] = {
    let mut table = [1i64; MAX_BUDGET + 1];
    let mut k = 1;
    while k <= MAX_BUDGET {
        table[k] = table[k - 1] * MULTIPLIER % MODULUS;
        k += 1;
    }
    table
};

/// Advances a state by `n` Park–Miller steps in O(log n) multiplications.
///
/// This reproduces dbgen's arithmetic exactly, including its wrapping 64-bit multiply and
/// truncating remainder when the state came from the 64-bit generator.
pub fn advance(mut state: i64, mut n: u64) -> i64 {
    let mut mult = MULTIPLIER;
    while n > 0 {
        if n & 1 == 1 {
            state = mult.wrapping_mul(state) % MODULUS;
        }
        n >>= 1;
        mult = mult * mult % MODULUS;
    }
    state
}

/// Advances a state by `n` steps of dbgen's 64-bit generator (`x ← a·x + 1 mod 2⁶⁴`) in
/// O(log n) multiplications: `x_n = aⁿ·x + (aⁿ⁻¹ + … + a + 1)`, both built by doubling.
pub fn advance64(state: i64, mut n: u64) -> i64 {
    let (mut mult, mut add) = (LCG64_MULTIPLIER, LCG64_INCREMENT);
    let mut x = state as u64;
    while n > 0 {
        if n & 1 == 1 {
            x = x.wrapping_mul(mult).wrapping_add(add);
        }
        // Two steps of (mult, add) are one step of (mult², mult·add + add).
        add = mult.wrapping_mul(add).wrapping_add(add);
        mult = mult.wrapping_mul(mult);
        n >>= 1;
    }
    x as i64
}

/// One Park–Miller step. For states in `[0, 2³¹−1)` (every stream but dbgen's 64-bit ones)
/// the product fits in 46 bits and reduces modulo the Mersenne prime with a shift and an add.
#[inline(always)]
fn next_state(state: i64) -> i64 {
    if state >= 0 {
        let x = state * MULTIPLIER;
        let r = (x & MODULUS) + (x >> 31);
        if r >= MODULUS { r - MODULUS } else { r }
    } else {
        state.wrapping_mul(MULTIPLIER) % MODULUS
    }
}

/// `a · b mod (2³¹−1)` for `a, b` in `[0, 2³¹−1)`: the product fits in 62 bits and reduces
/// modulo the Mersenne prime with two folds instead of a division.
#[inline(always)]
pub(crate) fn mul_mod(a: i64, b: i64) -> i64 {
    // Both fit in 32 bits: a 32×32→64-bit multiply, which vector units also have.
    let p = u64::from(a as u32) * u64::from(b as u32);
    let m = MODULUS as u64;
    let t = (p & m) + (p >> 31);
    let t = (t & m) + (t >> 31);
    (if t >= m { t - m } else { t }) as i64
}

/// dbgen's `UnifInt` mapping of a state to `[low, high]`: `low + trunc((state / M) · span)` in
/// doubles, span = `high − low + 1`.
#[inline(always)]
pub(crate) fn unif_int(state: i64, low: i64, high: i64) -> i64 {
    let span = high - low + 1;
    if (0..MODULUS).contains(&state) && (1..=EXACT_SPAN_LIMIT).contains(&span) {
        // With two roundings the double is within span·2⁻⁵² of the exact quotient
        // state·span/M, which (M prime, 0 < state < M, 0 < span < M) is never closer than 1/M
        // to an integer unless it is 0; for span ≤ 2²⁰ that error is far below 1/M, so the
        // double truncates to the exact integer quotient, and a division by the constant M
        // computes it without a (slow) floating-point divide.
        return low + ((state as u64 * span as u64) / MODULUS as u64) as i64;
    }
    // dbgen computes this range in 32-bit arithmetic, which overflows to -2³¹.
    let range = if low == 0 && high == i32::MAX as i64 {
        -2_147_483_648.0
    } else {
        span as f64
    };
    low + ((state as f64 / MODULUS as f64) * range) as i64
}

/// [`unif_int`] for a Park–Miller state (`0 ≤ state < M`) and `span ≤ 2²⁰`, with no division
/// and no branch: `x = state · span < 2⁵¹` splits as `x = a·2³¹ + b = a·M + (a + b)` with
/// `a + b < 2M`, so `⌊x / M⌋ = a + [a + b ≥ M]` (the exact quotient, as in [`unif_int`]).
#[inline(always)]
pub(crate) fn unif_small(state: i64, low: i64, span: u64) -> i64 {
    debug_assert!((0..MODULUS).contains(&state) && span <= EXACT_SPAN_LIMIT as u64);
    let m = MODULUS as u64;
    let x = u64::from(state as u32) * span;
    let (a, b) = (x >> 31, x & m);
    low + (a + u64::from(a + b >= m)) as i64
}

/// The definition of one column's stream: its seed and its per-row draw budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSpec {
    /// Initial state of the stream (dbgen's seed table).
    pub seed: i64,
    /// Draws reserved for each row of the stream's table.
    pub per_row: u32,
}

impl StreamSpec {
    /// A stream with `seed` that reserves `per_row` draws per row.
    pub const fn new(seed: i64, per_row: u32) -> Self {
        StreamSpec { seed, per_row }
    }

    /// The stream positioned at the start of row `row` (0-based).
    pub fn at_row(self, row: u64) -> RandomStream {
        let mut stream = RandomStream::new(self);
        stream.skip_rows(row);
        stream
    }
}

/// One column's random stream, positioned within its row.
#[derive(Clone, Debug)]
pub struct RandomStream {
    state: i64,
    per_row: u32,
    used: u32,
    draws: u64,
}

impl RandomStream {
    /// A stream at row 0.
    pub fn new(spec: StreamSpec) -> Self {
        RandomStream {
            state: spec.seed,
            per_row: spec.per_row,
            used: 0,
            draws: 0,
        }
    }

    /// A stream of `spec` at the start of a row, in `state` (computed elsewhere: dbgen's 64-bit
    /// streams cannot be positioned by [`skip_rows`](Self::skip_rows) alone).
    pub(crate) fn with_state(spec: StreamSpec, state: i64) -> Self {
        RandomStream {
            state,
            ..RandomStream::new(spec)
        }
    }

    /// The current state (for positioning another stream).
    pub(crate) fn state(&self) -> i64 {
        self.state
    }

    /// Jumps over `rows` whole rows without drawing them (dbgen's `NthElement`).
    pub fn skip_rows(&mut self, rows: u64) {
        self.state = advance(self.state, rows * self.per_row as u64);
    }

    /// A uniform integer in `[low, high]` (dbgen's `UnifInt`).
    #[inline]
    pub fn uniform(&mut self, low: i64, high: i64) -> i64 {
        self.state = next_state(self.state);
        self.used += 1;
        self.draws += 1;
        unif_int(self.state, low, high)
    }

    /// A uniform integer in `[low, high]` from the 64-bit generator (dbgen's `dss_random64`).
    #[inline]
    pub fn uniform64(&mut self, low: i64, high: i64) -> i64 {
        self.state = (self.state as u64)
            .wrapping_mul(LCG64_MULTIPLIER)
            .wrapping_add(LCG64_INCREMENT) as i64;
        self.used += 1;
        self.draws += 1;
        let magnitude = if self.state < 0 {
            self.state.wrapping_neg()
        } else {
            self.state
        };
        low + magnitude % (high - low + 1)
    }

    /// Moves past `n` draws without computing their values (they count as used by the row, not
    /// as drawn).
    #[inline]
    pub fn discard(&mut self, n: u32) {
        if n == 0 {
            return;
        }
        self.used += n;
        let Some(&power) = POWERS.get(n as usize) else {
            self.state = advance(self.state, n as u64);
            return;
        };
        if (0..MODULUS).contains(&self.state) {
            self.state = mul_mod(self.state, power);
        } else if self.state.unsigned_abs() < MODULUS as u64 {
            // A negative state (dbgen's 64-bit draws): its truncating remainder, as in `advance`.
            self.state = self.state * power % MODULUS;
        } else {
            self.state = advance(self.state, n as u64);
        }
    }

    /// [`uniform`](Self::uniform) after first moving past `skipped` draws ([`discard`](Self::discard)),
    /// in one multiplication instead of two when it can.
    #[inline]
    pub fn uniform_after(&mut self, skipped: u32, low: i64, high: i64) -> i64 {
        let steps = skipped as usize + 1;
        if steps > MAX_BUDGET || !(0..MODULUS).contains(&self.state) {
            self.discard(skipped);
            return self.uniform(low, high);
        }
        self.state = mul_mod(self.state, POWERS[steps]);
        self.used += steps as u32;
        self.draws += 1;
        unif_int(self.state, low, high)
    }

    /// Ends the current row: skips the draws the row reserved but did not use.
    #[inline]
    pub fn end_row(&mut self) {
        if self.used < self.per_row {
            self.discard(self.per_row - self.used);
        }
        self.used = 0;
    }

    /// Number of values drawn so far (skips excluded).
    pub fn draws(&self) -> u64 {
        self.draws
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// dbgen's double formula, as written in its sources.
    fn uniform_by_doubles(state: i64, low: i64, high: i64) -> i64 {
        low + ((state as f64 / MODULUS as f64) * (high - low + 1) as f64) as i64
    }

    #[test]
    fn integer_uniform_equals_dbgen_doubles() {
        // Every span up to 4096 and spans up to the limit, at the states where rounding is
        // tightest (just around k·M/span), plus a run of ordinary states.
        let spans = (1..=4096i64)
            .chain((12..=20).flat_map(|b| [(1i64 << b) - 1, 1 << b]))
            .chain([199_999, 200_000, 999_999]);
        for span in spans {
            let (low, high) = (3, 3 + span - 1);
            for k in 1..span.min(200) {
                let edge = (k * MODULUS) / span;
                for state in edge - 2..=edge + 2 {
                    if (0..MODULUS).contains(&state) {
                        let want = uniform_by_doubles(state, low, high);
                        assert_eq!(unif_int(state, low, high), want, "{state} in {span}");
                    }
                }
            }
        }
        let mut state = 1i64;
        for i in 0..1_000_000i64 {
            state = next_state(state);
            let high = 1 + (i * 7919) % EXACT_SPAN_LIMIT;
            assert_eq!(unif_int(state, 1, high), uniform_by_doubles(state, 1, high));
        }
        for state in [0, 1, MODULUS - 1] {
            assert_eq!(unif_int(state, 0, 9), uniform_by_doubles(state, 0, 9));
        }
        // The division-free form agrees wherever it applies.
        let mut state = 7i64;
        for i in 0..1_000_000i64 {
            state = next_state(state);
            let span = 1 + (i * 7919) % EXACT_SPAN_LIMIT;
            assert_eq!(
                unif_small(state, 5, span as u64),
                unif_int(state, 5, 5 + span - 1)
            );
        }
        for span in [1u64, 2, 7, 50, 1 << 20] {
            for state in [0, 1, MODULUS / 2, MODULUS - 2, MODULUS - 1] {
                assert_eq!(
                    unif_small(state, 0, span),
                    unif_int(state, 0, span as i64 - 1)
                );
            }
        }
    }

    #[test]
    fn mul_mod_equals_plain_modulo() {
        let mut s = 1i64;
        for k in 0..200_000usize {
            s = next_state(s);
            let p = POWERS[k % (MAX_BUDGET + 1)];
            assert_eq!(mul_mod(s, p), s * p % MODULUS, "{s} * {p}");
        }
        for a in [0, 1, MODULUS - 1, MODULUS / 2, 1 << 30] {
            for b in [0, 1, MODULUS - 1, MODULUS / 3, 16_807] {
                assert_eq!(mul_mod(a, b), a * b % MODULUS, "{a} * {b}");
            }
        }
    }

    #[test]
    fn fast_step_equals_plain_modulo() {
        for state in [
            0i64,
            1,
            2,
            12345,
            MODULUS - 1,
            MODULUS / 2,
            1 << 30,
            (1 << 31) - 2,
        ] {
            assert_eq!(next_state(state), state * MULTIPLIER % MODULUS, "{state}");
        }
        let mut s = 1i64;
        for _ in 0..100_000 {
            let next = next_state(s);
            assert_eq!(next, s * MULTIPLIER % MODULUS);
            s = next;
        }
    }

    #[test]
    fn advance64_matches_stepping() {
        let mut s = -7_123_456_789_012i64;
        let start = s;
        for n in 0..300u64 {
            assert_eq!(advance64(start, n), s, "{n}");
            s = (s as u64)
                .wrapping_mul(LCG64_MULTIPLIER)
                .wrapping_add(LCG64_INCREMENT) as i64;
        }
    }

    #[test]
    fn advance_matches_stepping() {
        let mut s = 12345i64;
        for _ in 0..1000 {
            s = s * MULTIPLIER % MODULUS;
        }
        assert_eq!(advance(12345, 1000), s);
    }

    #[test]
    fn skip_rows_equals_drawing_and_ending_rows() {
        let spec = StreamSpec::new(1_095_462_486, 14);
        let mut walked = RandomStream::new(spec);
        for row in 0..50 {
            for _ in 0..(row % 14) {
                walked.uniform(10, 43);
            }
            walked.end_row();
        }
        let mut jumped = spec.at_row(50);
        assert_eq!(walked.uniform(0, 1000), jumped.uniform(0, 1000));
    }

    #[test]
    fn discard_equals_drawing_and_ignoring() {
        for n in [0u32, 1, 7, 92, 93, 1000] {
            let mut drawn = RandomStream::new(StreamSpec::new(933_588_178, 0));
            let mut discarded = drawn.clone();
            for _ in 0..n {
                drawn.uniform(1, 100);
            }
            discarded.discard(n);
            assert_eq!(
                drawn.uniform(0, 1 << 20),
                discarded.uniform(0, 1 << 20),
                "n = {n}"
            );
        }
    }

    #[test]
    fn uniform_after_equals_discard_then_uniform() {
        for n in [0u32, 1, 30, 91, 92, 500] {
            let mut apart = RandomStream::new(StreamSpec::new(933_588_178, 0));
            let mut together = apart.clone();
            apart.discard(n);
            let a = apart.uniform(1, 17);
            let b = together.uniform_after(n, 1, 17);
            assert_eq!(
                (a, apart.uniform(0, 1 << 20)),
                (b, together.uniform(0, 1 << 20))
            );
        }
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut s = RandomStream::new(StreamSpec::new(1, 1));
        for _ in 0..10_000 {
            let v = s.uniform(1, 5);
            assert!((1..=5).contains(&v));
        }
    }
}
