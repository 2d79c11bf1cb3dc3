//! Building dbgen's text pool: sentences from one random stream, one after another, each
//! followed by a space, until the pool is full (the last sentence is cut).
//!
//! The stream is sequential, but the pool can still be built in parallel: the pool is split into
//! chunks of a fixed number of sentences, a *scout* thread walks the stream from chunk start to
//! chunk start with [`Grammar::skip_sentences`] (only the draws that choose sentence and phrase
//! forms; word draws are skipped in bulk) and publishes each chunk's starting state, and workers
//! write the chunks into their own buffers and copy each into its place in the pool, known as
//! soon as the chunks before it are written. The scout's
//! walk costs a fraction of writing the text, so with two cores the pool is built in a little
//! more than half the time; the bytes are the same as the sequential build's (tested).
//!
//! Memory: besides the pool itself, at most a few chunks (about a MiB each) are held at once; the
//! scout and the workers wait when they get too far ahead of the chunk placed last.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::dists::dists;
use super::grammar::Grammar;
use super::random::RandomStream;

/// Sentences per chunk: about 1 MiB of text, so the pool is a few hundred chunks.
pub(super) const CHUNK_SENTENCES: usize = 16 * 1024;

/// Builds `size` bytes of text from `stream`, with `threads` writer threads (1 = sequentially).
pub(super) fn build(
    size: usize,
    mut stream: RandomStream,
    threads: usize,
    chunk_sentences: usize,
) -> Vec<u8> {
    let grammar = Grammar::new(dists());
    if threads > 1
        && let Some(pool) = parallel(&grammar, size, stream.clone(), threads, chunk_sentences)
    {
        return pool;
    }
    let mut pool = Vec::with_capacity(size + 1024);
    grammar.append_sentences(&mut stream, &mut pool, usize::MAX, size);
    pool.truncate(size);
    pool
}

/// The chunked build: a scout thread, `threads - 1` more writer threads and the calling thread
/// as a writer. `None` when the scout cannot be started (then nothing was written); a writer
/// that cannot be started only means fewer writers (the calling thread always writes).
fn parallel(
    grammar: &Grammar<'_>,
    size: usize,
    stream: RandomStream,
    threads: usize,
    chunk_sentences: usize,
) -> Option<Vec<u8>> {
    // Zeroed pages cost nothing until written; the writers fault them in as they copy.
    let mut pool = vec![0u8; size];
    let shared = Shared {
        grammar,
        chunk_sentences: chunk_sentences.max(1),
        lead: 2 * threads + 2,
        progress: Mutex::new(Progress {
            starts: Vec::new(),
            next_to_write: 0,
            written: BTreeMap::new(),
            placed: 0,
            unplaced: &mut pool,
            spare: Vec::new(),
        }),
        changed: Condvar::new(),
    };
    let built = std::thread::scope(|scope| {
        let named = |name: &str| std::thread::Builder::new().name(name.to_string());
        if named("text-pool-scout")
            .spawn_scoped(scope, || shared.scout(stream))
            .is_err()
        {
            return false;
        }
        for _ in 1..threads {
            // A writer that fails to start is simply missing; the others take its chunks.
            let _ = named("text-pool-writer").spawn_scoped(scope, || shared.write_chunks());
        }
        shared.write_chunks();
        true
    });
    drop(shared);
    built.then_some(pool)
}

/// What the scout and the workers share (under one lock).
struct Progress<'p> {
    /// The stream at the start of chunk `k`, for every chunk the scout has reached.
    starts: Vec<RandomStream>,
    /// Next chunk to hand to a worker.
    next_to_write: usize,
    /// Chunks written but not yet placed (a later chunk finished before an earlier one).
    written: BTreeMap<usize, Vec<u8>>,
    /// Chunks given their place in the pool so far (in order).
    placed: usize,
    /// The part of the pool no chunk has been given yet; empty once the pool is full.
    unplaced: &'p mut [u8],
    /// Chunk buffers to reuse (fresh ones would page-fault all over again).
    spare: Vec<Vec<u8>>,
}

impl Progress<'_> {
    fn full(&self) -> bool {
        self.unplaced.is_empty()
    }
}

struct Shared<'g, 'd, 'p> {
    grammar: &'g Grammar<'d>,
    chunk_sentences: usize,
    /// How many chunks beyond the last placed one may be published or in progress.
    lead: usize,
    progress: Mutex<Progress<'p>>,
    changed: Condvar,
}

impl<'p> Shared<'_, '_, 'p> {
    fn lock(&self) -> MutexGuard<'_, Progress<'p>> {
        // Every update of `Progress` is complete before its lock is released, so a panicking
        // thread cannot leave it half-changed.
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, Progress<'p>>) -> MutexGuard<'a, Progress<'p>> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Walks the stream from chunk start to chunk start, publishing each.
    fn scout(&self, mut stream: RandomStream) {
        loop {
            {
                let mut p = self.lock();
                p.starts.push(stream.clone());
                self.changed.notify_all();
                while !p.full() && p.starts.len() > p.placed + self.lead {
                    p = self.wait(p);
                }
                if p.full() {
                    return;
                }
            }
            self.grammar
                .skip_sentences(&mut stream, self.chunk_sentences);
        }
    }

    /// Takes the next chunk, waits for its start, writes it, and copies every chunk that can
    /// now be placed into the pool (outside the lock).
    fn write_chunks(&self) {
        loop {
            let (chunk, mut stream, mut text) = {
                let mut p = self.lock();
                // Re-read the chunk after every wait: another worker may have taken it.
                let chunk = loop {
                    if p.full() {
                        return;
                    }
                    let chunk = p.next_to_write;
                    if chunk < p.starts.len() && chunk < p.placed + self.lead {
                        break chunk;
                    }
                    p = self.wait(p);
                };
                p.next_to_write += 1;
                let text = p.spare.pop().unwrap_or_default();
                (chunk, p.starts[chunk].clone(), text)
            };
            text.clear();
            self.grammar
                .append_sentences(&mut stream, &mut text, self.chunk_sentences, usize::MAX);
            let mut placements = Vec::new();
            {
                let mut p = self.lock();
                p.written.insert(chunk, text);
                while !p.full() {
                    let next = p.placed;
                    let Some(text) = p.written.remove(&next) else {
                        break;
                    };
                    let unplaced = std::mem::take(&mut p.unplaced);
                    let (place, rest) = unplaced.split_at_mut(text.len().min(unplaced.len()));
                    p.unplaced = rest;
                    p.placed += 1;
                    placements.push((place, text));
                }
                self.changed.notify_all();
            }
            for (place, text) in &mut placements {
                place.copy_from_slice(&text[..place.len()]);
            }
            if !placements.is_empty() {
                let mut p = self.lock();
                p.spare.extend(placements.into_iter().map(|(_, text)| text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::StreamSpec;

    #[test]
    fn parallel_chunks_give_the_sequential_bytes() {
        let stream = RandomStream::new(StreamSpec::new(933_588_178, 0));
        let size = 3 << 20;
        let expected = build(size, stream.clone(), 1, CHUNK_SENTENCES);
        assert_eq!(expected.len(), size);
        for (threads, chunk) in [(2, 1000), (3, 777), (4, 1), (2, CHUNK_SENTENCES)] {
            let got = build(size, stream.clone(), threads, chunk);
            assert!(
                got == expected,
                "{threads} threads, chunks of {chunk} sentences"
            );
        }
    }
}
