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
    let d = dists();
    let mut stream = RandomStream::new(POOL_STREAM);
    let mut pool = Vec::with_capacity(TEXT_POOL_SIZE + 512);
    while pool.len() < TEXT_POOL_SIZE {
        sentence(d, &mut stream, &mut pool);
        pool.push(b' ');
    }
    pool.truncate(TEXT_POOL_SIZE);
    // The grammar's words are ASCII, so this never fails; fall back to lossless conversion anyway.
    String::from_utf8(pool).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends one sentence: a grammar form whose tokens expand to phrases, ending in a terminator
/// that replaces the last phrase's trailing space.
fn sentence(d: &Distributions, s: &mut RandomStream, out: &mut Vec<u8>) {
    let form = d.grammar.pick(s);
    for token in form.bytes().filter(|b| *b != b' ') {
        match token {
            b'N' => phrase(d, &d.noun_phrases, s, out),
            b'V' => phrase(d, &d.verb_phrases, s, out),
            b'P' => {
                out.extend_from_slice(d.prepositions.pick(s).as_bytes());
                out.extend_from_slice(b" the ");
                phrase(d, &d.noun_phrases, s, out);
            }
            b'T' => {
                out.pop();
                out.extend_from_slice(d.terminators.pick(s).as_bytes());
            }
            _ => {}
        }
    }
}

/// Appends a noun or verb phrase: each part of speech becomes a word, followed by the form's
/// punctuation (if any) and a space.
fn phrase(d: &Distributions, forms: &Distribution, s: &mut RandomStream, out: &mut Vec<u8>) {
    let form = forms.pick(s);
    for part in form.split(' ').filter(|p| !p.is_empty()) {
        let mut chars = part.bytes();
        let words = match chars.next() {
            Some(b'A') => &d.articles,
            Some(b'J') => &d.adjectives,
            Some(b'D') => &d.adverbs,
            Some(b'N') => &d.nouns,
            Some(b'V') => &d.verbs,
            Some(b'X') => &d.auxiliaries,
            _ => continue,
        };
        out.extend_from_slice(words.pick(s).as_bytes());
        if let Some(punctuation) = chars.next() {
            out.push(punctuation);
        }
        out.push(b' ');
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
        &text_pool()[offset..offset + len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let d = dists();
        let mut s = RandomStream::new(POOL_STREAM);
        let mut out = Vec::new();
        sentence(d, &mut s, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.ends_with(' '), "{text:?}");
        assert!(!text.contains("  "), "{text:?}");
    }
}
