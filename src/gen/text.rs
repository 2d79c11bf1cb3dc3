//! dbgen's text: a 300 MiB pool of pseudo-English sentences, built once from the grammar in
//! `dists.dss`, from which every comment column takes a random slice.
//!
//! The pool is built lazily the first time a text column is generated and then shared by all
//! generators and threads; a scan that needs no comment never pays for it.

use std::sync::OnceLock;

use super::dists::{Distribution, Distributions, dists};
use super::random::{RandomStream, StreamSpec};

/// Size of dbgen's text pool in bytes.
pub const TEXT_POOL_SIZE: usize = 300 * 1024 * 1024;

/// The stream dbgen reserves for building the pool (seed table entry 5).
const POOL_STREAM: StreamSpec = StreamSpec::new(933_588_178, 0);

/// The shared text pool, built on first use (a few seconds, 300 MiB).
pub fn text_pool() -> &'static str {
    POOL.get_or_init(build_pool)
}

/// True once the text pool has been built in this process (lets tests prove a scan avoided it).
pub fn text_pool_is_built() -> bool {
    POOL.get().is_some()
}

static POOL: OnceLock<String> = OnceLock::new();

fn build_pool() -> String {
    let grammar = Grammar::new(dists());
    let mut stream = RandomStream::new(POOL_STREAM);
    let mut pool = Vec::with_capacity(TEXT_POOL_SIZE + 512);
    while pool.len() < TEXT_POOL_SIZE {
        grammar.sentence(&mut stream, &mut pool);
        pool.push(b' ');
    }
    pool.truncate(TEXT_POOL_SIZE);
    // The grammar's words are ASCII. `TextSpec::draw` relies on that (every byte offset is a
    // character boundary), so make it true by construction even for a foreign dists.dss.
    for byte in pool.iter_mut().filter(|b| !b.is_ascii()) {
        *byte = b'?';
    }
    String::from_utf8(pool).unwrap_or_default()
}

/// One part of speech in a phrase form: where its word comes from and what follows the word.
#[derive(Clone, Copy)]
struct Slot<'d> {
    words: &'d Distribution,
    punctuation: Option<u8>,
}

/// A sentence-level token of a grammar form.
#[derive(Clone, Copy)]
enum Token {
    NounPhrase,
    VerbPhrase,
    Prepositional,
    Terminator,
}

/// The grammar of dists.dss, parsed once: sentence forms of tokens, phrase forms of slots.
struct Grammar<'d> {
    d: &'d Distributions,
    sentences: Vec<Vec<Token>>,
    noun_phrases: Vec<Vec<Slot<'d>>>,
    verb_phrases: Vec<Vec<Slot<'d>>>,
}

impl<'d> Grammar<'d> {
    fn new(d: &'d Distributions) -> Self {
        let sentences = (0..d.grammar.len())
            .map(|i| {
                d.grammar
                    .member(i)
                    .bytes()
                    .filter_map(|b| match b {
                        b'N' => Some(Token::NounPhrase),
                        b'V' => Some(Token::VerbPhrase),
                        b'P' => Some(Token::Prepositional),
                        b'T' => Some(Token::Terminator),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let phrases = |forms: &'d Distribution| -> Vec<Vec<Slot<'d>>> {
            (0..forms.len())
                .map(|i| {
                    forms
                        .member(i)
                        .split(' ')
                        .filter_map(|part| {
                            let mut chars = part.bytes();
                            let words = match chars.next()? {
                                b'A' => &d.articles,
                                b'J' => &d.adjectives,
                                b'D' => &d.adverbs,
                                b'N' => &d.nouns,
                                b'V' => &d.verbs,
                                b'X' => &d.auxiliaries,
                                _ => return None,
                            };
                            Some(Slot {
                                words,
                                punctuation: chars.next(),
                            })
                        })
                        .collect()
                })
                .collect()
        };
        Grammar {
            d,
            sentences,
            noun_phrases: phrases(&d.noun_phrases),
            verb_phrases: phrases(&d.verb_phrases),
        }
    }

    /// Appends one sentence: a grammar form whose tokens expand to phrases, ending in a
    /// terminator that replaces the last phrase's trailing space.
    fn sentence(&self, s: &mut RandomStream, out: &mut Vec<u8>) {
        let form = &self.sentences[self.d.grammar.pick_index(s)];
        for token in form {
            match token {
                Token::NounPhrase => self.phrase(&self.d.noun_phrases, &self.noun_phrases, s, out),
                Token::VerbPhrase => self.phrase(&self.d.verb_phrases, &self.verb_phrases, s, out),
                Token::Prepositional => {
                    out.extend_from_slice(self.d.prepositions.pick(s).as_bytes());
                    out.extend_from_slice(b" the ");
                    self.phrase(&self.d.noun_phrases, &self.noun_phrases, s, out);
                }
                Token::Terminator => {
                    out.pop();
                    out.extend_from_slice(self.d.terminators.pick(s).as_bytes());
                }
            }
        }
    }

    /// Appends a noun or verb phrase: each slot's word, its punctuation (if any), and a space.
    #[inline]
    fn phrase(
        &self,
        forms: &Distribution,
        parsed: &[Vec<Slot<'d>>],
        s: &mut RandomStream,
        out: &mut Vec<u8>,
    ) {
        for slot in &parsed[forms.pick_index(s)] {
            out.extend_from_slice(slot.words.pick(s).as_bytes());
            if let Some(p) = slot.punctuation {
                out.push(p);
            }
            out.push(b' ');
        }
    }
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
        let offset = stream.uniform(0, TEXT_POOL_SIZE as i64 - self.max) as usize;
        let len = stream.uniform(self.min, self.max) as usize;
        let bytes = &text_pool().as_bytes()[offset..offset + len];
        // The slice lands anywhere in 300 MiB, almost always a cache miss. Start loading it now,
        // without touching it: callers copy it only after generating the rest of the row (or
        // order), by which time the miss has been served.
        prefetch(bytes);
        // Not `&pool[range]`: that checks both ends for character boundaries, reading the
        // bytes (and waiting for the miss) right here.
        //
        // SAFETY: the pool is ASCII (`build_pool` guarantees it), so any byte range of it is
        // valid UTF-8.
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

    #[test]
    fn sentences_end_with_terminators_and_words_are_separated() {
        let grammar = Grammar::new(dists());
        let mut s = RandomStream::new(POOL_STREAM);
        let mut out = Vec::new();
        grammar.sentence(&mut s, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.ends_with(' '), "{text:?}");
        assert!(!text.contains("  "), "{text:?}");
    }
}
