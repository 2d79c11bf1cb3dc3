//! dbgen's text: a 300 MiB pool of pseudo-English sentences, built once from the grammar in
//! `dists.dss`, from which every comment column takes a random slice.
//!
//! The pool is built lazily the first time a text column is generated and then shared by all
//! generators and threads; a scan that needs no comment never pays for it.

use std::sync::OnceLock;

use super::pool;
use super::random::{RandomStream, StreamSpec, unif_int};

/// Size of dbgen's text pool in bytes.
pub const TEXT_POOL_SIZE: usize = 300 * 1024 * 1024;

/// The stream dbgen reserves for building the pool (seed table entry 5).
const POOL_STREAM: StreamSpec = StreamSpec::new(933_588_178, 0);

/// The shared text pool, built on first use (300 MiB; in parallel on all cores, see `pool`).
pub fn text_pool() -> &'static str {
    // Called for every comment drawn: the core count is read only when the pool is built.
    POOL.get_or_init(|| {
        build_text_pool(std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// The shared text pool, built with `threads` writer threads if it is not built yet (an export
/// asked for one thread should not take every core for the pool). Same bytes as [`text_pool`].
pub fn text_pool_with_threads(threads: usize) -> &'static str {
    POOL.get_or_init(|| build_text_pool(threads))
}

/// True once the text pool has been built in this process (lets tests prove a scan avoided it).
pub fn text_pool_is_built() -> bool {
    POOL.get().is_some()
}

static POOL: OnceLock<String> = OnceLock::new();

/// Builds a fresh copy of the pool with `threads` writer threads (1 = sequentially); the bytes do
/// not depend on `threads`. Every generator uses the shared copy, [`text_pool`]; this one is for
/// measuring the build.
pub fn build_text_pool(threads: usize) -> String {
    let pool = pool::build(
        TEXT_POOL_SIZE,
        RandomStream::new(POOL_STREAM),
        threads,
        pool::CHUNK_SENTENCES,
    );
    debug_assert!(pool.is_ascii());
    // SAFETY: the grammar writes only ASCII (its pieces replace any other byte by `?` when they
    // are prepared), and ASCII is valid UTF-8. `TextSpec::draw` relies on the same fact.
    unsafe { String::from_utf8_unchecked(pool) }
}

/// A text column's draw parameters: lengths between `min` and `max` bytes.
#[derive(Clone, Copy, Debug)]
pub struct TextSpec {
    /// Shortest text.
    pub min: i64,
    /// Longest text.
    pub max: i64,
}

impl TextSpec {
    /// dbgen's `TEXT(avg)`: lengths from 0.4·avg to 1.6·avg (truncated).
    pub const fn around(avg: i64) -> Self {
        TextSpec {
            min: avg * 4 / 10,
            max: avg * 16 / 10,
        }
    }

    /// Draws a slice of the pool (two draws: offset, then length).
    #[inline]
    pub fn draw(self, stream: &mut RandomStream) -> &'static str {
        let offset = stream.uniform(0, TEXT_POOL_SIZE as i64 - self.max);
        let len = stream.uniform(self.min, self.max);
        self.slice(offset, len)
    }

    /// The text of two draws whose states are `offset_state` and `len_state` (for generators
    /// that compute a draw's state directly, see `line_batch`).
    #[inline]
    pub(crate) fn draw_at(self, offset_state: i64, len_state: i64) -> &'static str {
        let offset = unif_int(offset_state, 0, TEXT_POOL_SIZE as i64 - self.max);
        let len = unif_int(len_state, self.min, self.max);
        self.slice(offset, len)
    }

    #[inline(always)]
    fn slice(self, offset: i64, len: i64) -> &'static str {
        let (offset, len) = (offset as usize, len as usize);
        let bytes = &text_pool().as_bytes()[offset..offset + len];
        // The slice lands anywhere in 300 MiB, almost always a cache miss. Start loading it now,
        // without touching it: callers copy it only after generating the rest of the row (or
        // order), by which time the miss has been served.
        prefetch(bytes);
        // Not `&pool[range]`: that checks both ends for character boundaries, reading the
        // bytes (and waiting for the miss) right here.
        //
        // SAFETY: the pool is ASCII (the grammar writes nothing else, see `build_text_pool`), so
        // any byte range of it is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// Hints the CPU to load the cache lines of `bytes` (a no-op where there is no such hint).
#[inline(always)]
fn prefetch(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = bytes.as_ptr();
        // SAFETY: prefetching never faults or changes memory; both addresses lie in `bytes`
        // (or are its start when it is empty).
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(start.cast());
            _mm_prefetch::<_MM_HINT_T0>(start.add(bytes.len().saturating_sub(1)).cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_is_ascii_so_any_byte_range_is_text() {
        assert!(text_pool().is_ascii());
        let mut s = RandomStream::new(StreamSpec::new(1_095_462_486, 14));
        for _ in 0..1000 {
            let t = TextSpec::around(27).draw(&mut s);
            assert!((10..=43).contains(&t.len()));
        }
    }

    #[test]
    fn text_spec_matches_dbgen_bounds() {
        // (int)(avg * 0.4), (int)(avg * 1.6) for dbgen's averages.
        for (avg, min, max) in [
            (72, 28, 115),
            (14, 5, 22),
            (63, 25, 100),
            (124, 49, 198),
            (73, 29, 116),
            (49, 19, 78),
            (27, 10, 43),
        ] {
            let t = TextSpec::around(avg);
            assert_eq!((t.min, t.max), (min, max), "avg {avg}");
        }
    }
}
