//! dbgen's 64-bit streams (`o_custkey`, `l_partkey` at scale factors ≥ 30000) and the chunks
//! they restart at.
//!
//! dbgen positions every stream at the first row of a chunk (`-C n -S i`) with Park–Miller
//! skip-ahead, also the 64-bit ones, and from there draws them with its 64-bit generator. For
//! `o_custkey` (one draw per order, no row-end skip) the state deeper in the chunk is a 64-bit
//! jump (`random::advance64`). For `l_partkey` it is not: after an order of `k < 7` lines dbgen skips
//! the other `7 − k` draws with Park–Miller arithmetic on the 64-bit state, so the state after
//! an order depends on every line count before it in the chunk. It is found by replaying only
//! that stream and the line counts from the chunk's start (a few nanoseconds per order).
//!
//! So at these scale factors dbgen's data depends on the chunking it was run with, and the
//! chunking is part of what the generators reproduce: [`WideChunks`], carried by the
//! [`ScaleFactor`]. By default the chunks are of 15 000 orders (dbgen's `-C` of 100 × SF), which
//! keeps every position within 15 000 orders of a restart.

use super::order_streams::{CUSTKEY_STREAM, LINE_COUNT_STREAM, MAX_LINES, PARTKEY_STREAM};
use super::random::{RandomStream, advance, advance64};
use super::scale::ScaleFactor;

/// Orders per chunk of the default chunking.
pub const DEFAULT_ORDERS_PER_CHUNK: u64 = 15_000;

/// The dbgen chunks (`-C n`) of the order rows at which the 64-bit streams restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WideChunks {
    per_chunk: u64,
    chunks: u64,
}

impl WideChunks {
    /// dbgen's `-C chunks` over `orders` order rows (each `orders / chunks`, the last also takes
    /// the remainder).
    pub fn new(orders: u64, chunks: u64) -> Self {
        let chunks = chunks.clamp(1, orders.max(1));
        WideChunks {
            per_chunk: (orders / chunks).max(1),
            chunks,
        }
    }

    /// The default: chunks of [`DEFAULT_ORDERS_PER_CHUNK`] orders.
    pub fn default_for(orders: u64) -> Self {
        WideChunks::new(orders, orders / DEFAULT_ORDERS_PER_CHUNK)
    }

    /// Number of chunks (dbgen's `-C`).
    pub fn count(&self) -> u64 {
        self.chunks
    }

    /// The first row of the chunk holding `row`.
    pub fn start_of(&self, row: u64) -> u64 {
        (row / self.per_chunk).min(self.chunks - 1) * self.per_chunk
    }

    /// The first row of the chunk after the one holding `row` (`u64::MAX` for the last).
    pub fn next_start(&self, row: u64) -> u64 {
        let chunk = (row / self.per_chunk).min(self.chunks - 1);
        if chunk + 1 >= self.chunks {
            u64::MAX
        } else {
            (chunk + 1) * self.per_chunk
        }
    }
}

/// Where the 64-bit streams restart next, for an engine walking order rows in order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Restarts {
    /// The next restart row (`u64::MAX`: none, or no 64-bit streams at this scale factor).
    next: u64,
    chunks: WideChunks,
}

impl Restarts {
    /// The restarts after order row `row` (none below SF 30000).
    pub(crate) fn after(sf: &ScaleFactor, row: u64) -> Self {
        let chunks = sf.wide_chunks();
        let next = if sf.uses_64bit_keys() {
            chunks.next_start(row)
        } else {
            u64::MAX
        };
        Restarts { next, chunks }
    }

    /// Whether order row `row` (visited in ascending order) starts a new chunk, where the
    /// 64-bit streams restart from Park–Miller skip-ahead (`StreamSpec::at_row`).
    #[inline]
    pub(crate) fn at(&mut self, row: u64) -> bool {
        if row != self.next {
            return false;
        }
        self.next = self.chunks.next_start(row);
        true
    }
}

/// `o_custkey`'s stream at the start of order row `row`, as dbgen has it.
pub(crate) fn custkey_stream(sf: &ScaleFactor, row: u64) -> RandomStream {
    if !sf.uses_64bit_keys() {
        return CUSTKEY_STREAM.at_row(row);
    }
    let start = sf.wide_chunks().start_of(row);
    let state = advance64(CUSTKEY_STREAM.at_row(start).state(), row - start);
    RandomStream::with_state(CUSTKEY_STREAM, state)
}

/// `l_partkey`'s stream at the start of order row `row`, as dbgen has it.
pub(crate) fn partkey_stream(sf: &ScaleFactor, row: u64) -> RandomStream {
    if !sf.uses_64bit_keys() {
        return PARTKEY_STREAM.at_row(row);
    }
    let start = sf.wide_chunks().start_of(row);
    let mut state = PARTKEY_STREAM.at_row(start).state();
    let mut line_count = LINE_COUNT_STREAM.at_row(start);
    for _ in start..row {
        let lines = line_count.uniform(1, MAX_LINES as i64) as u64;
        line_count.end_row();
        // The order's 64-bit draws, then dbgen's Park–Miller skip of the rest of its budget.
        state = advance(advance64(state, lines), MAX_LINES as u64 - lines);
    }
    RandomStream::with_state(PARTKEY_STREAM, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_as_dbgen() {
        let c = WideChunks::new(45_000, 3);
        assert_eq!(
            (c.start_of(0), c.start_of(14_999), c.start_of(15_000)),
            (0, 0, 15_000)
        );
        assert_eq!(c.start_of(44_999), 30_000);
        assert_eq!((c.next_start(0), c.next_start(30_000)), (15_000, u64::MAX));
        // The last chunk takes the remainder.
        let c = WideChunks::new(10, 3);
        assert_eq!(
            (c.start_of(9), c.next_start(5), c.next_start(6)),
            (6, 6, u64::MAX)
        );
        assert_eq!(WideChunks::default_for(45_000_000_000).count(), 3_000_000);
        assert_eq!(WideChunks::default_for(100).count(), 1);
    }

    #[test]
    fn replayed_partkey_state_equals_drawing_the_lines() {
        let sf = ScaleFactor::try_new(30000.0)
            .unwrap()
            .with_wide_chunks(1000);
        let mut drawn = PARTKEY_STREAM.at_row(0);
        let mut line_count = LINE_COUNT_STREAM.at_row(0);
        for row in 0..200 {
            assert_eq!(partkey_stream(&sf, row).state(), drawn.state(), "row {row}");
            let lines = line_count.uniform(1, MAX_LINES as i64);
            line_count.end_row();
            for _ in 0..lines {
                drawn.uniform64(1, sf.part_count());
            }
            drawn.end_row();
        }
    }

    #[test]
    fn custkey_state_is_a_jump_within_the_chunk() {
        let sf = ScaleFactor::try_new(30000.0).unwrap();
        let first = sf.wide_chunks().next_start(0);
        let mut drawn = custkey_stream(&sf, first);
        assert_eq!(
            drawn.state(),
            CUSTKEY_STREAM.at_row(first).state(),
            "restarts"
        );
        for row in first..first + 50 {
            assert_eq!(custkey_stream(&sf, row).state(), drawn.state(), "row {row}");
            drawn.uniform64(1, sf.customer_count());
            drawn.end_row();
        }
    }
}
