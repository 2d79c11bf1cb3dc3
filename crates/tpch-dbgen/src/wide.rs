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
//! chunking is part of what the generators reproduce: [`WideChunks`],
//! carried by the [`ScaleFactor`]. By default the chunks are of 15 000 orders (dbgen's `-C` of 100 × SF), which
//! keeps every position within 15 000 orders of a restart.

use super::order_streams::{CUSTKEY_STREAM, LINE_COUNT_STREAM, MAX_LINES, PARTKEY_STREAM};
use super::random::{RandomStream, advance, advance64};
use super::scale::{ScaleFactor, WideChunks};

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
