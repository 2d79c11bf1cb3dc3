//! dbgen's text grammar (`dists.dss`): sentence forms made of noun, verb and prepositional
//! phrases, each phrase a form of word slots, each slot a weighted pick from a word list.
//!
//! [`Grammar::append_sentences`] writes sentences of the text pool; [`Grammar::skip_sentences`]
//! moves a stream past one sentence without writing it, which is what lets the pool be built in
//! parallel chunks (see `pool`).
//!
//! Every pick's text (the word with its punctuation and trailing space) is prepared once as a
//! [`Piece`] padded to 32 bytes, so writing a word is one fixed-size copy into a scratch buffer
//! sized for the longest possible sentence, not a call to `memcpy` per word.

use super::dists::{Distribution, Distributions};
use super::random::RandomStream;

/// Padded size of a [`Piece`]: every word of dists.dss with its punctuation and space fits.
const PIECE: usize = 32;

/// The text one pick writes, stored padded so that (when it fits) it is copied with one
/// fixed-size copy; the bytes past `len` are overwritten by whatever comes next.
#[derive(Clone)]
struct Piece {
    padded: [u8; PIECE],
    len: usize,
    /// The whole text when it is longer than [`PIECE`].
    long: Box<[u8]>,
}

impl Piece {
    /// A piece of `text`; bytes outside ASCII become `?` so that the pool is ASCII by
    /// construction (every byte range of it is then valid UTF-8).
    fn new(text: &[u8]) -> Piece {
        let text: Vec<u8> = text
            .iter()
            .map(|&b| if b.is_ascii() { b } else { b'?' })
            .collect();
        let mut padded = [0u8; PIECE];
        let long = if text.len() <= PIECE {
            padded[..text.len()].copy_from_slice(&text);
            Box::default()
        } else {
            text.clone().into_boxed_slice()
        };
        Piece {
            padded,
            len: text.len(),
            long,
        }
    }

    /// Bytes [`put`](Self::put) may touch beyond its start.
    fn span(&self) -> usize {
        self.len.max(PIECE)
    }

    /// Writes the piece at `at` in `buf` (which must have [`span`](Self::span) bytes there) and
    /// returns the position after it.
    #[inline(always)]
    fn put(&self, buf: &mut [u8], at: usize) -> usize {
        if self.len <= PIECE {
            buf[at..at + PIECE].copy_from_slice(&self.padded);
        } else {
            buf[at..at + self.len].copy_from_slice(&self.long);
        }
        at + self.len
    }
}

/// A word list with the text each member writes (the member plus a fixed suffix).
struct Words<'d> {
    dist: &'d Distribution,
    pieces: Vec<Piece>,
}

impl<'d> Words<'d> {
    fn new(dist: &'d Distribution, suffix: &[u8]) -> Self {
        let pieces = (0..dist.len())
            .map(|i| Piece::new(&[dist.member(i).as_bytes(), suffix].concat()))
            .collect();
        Words { dist, pieces }
    }

    /// Picks a member (one draw) and writes its piece at `at`.
    #[inline(always)]
    fn put(&self, s: &mut RandomStream, buf: &mut [u8], at: usize) -> usize {
        self.pieces[self.dist.pick_index(s)].put(buf, at)
    }

    /// Bytes a [`put`](Self::put) may touch.
    fn span(&self) -> usize {
        self.pieces.iter().map(Piece::span).max().unwrap_or(0)
    }
}

/// Noun- or verb-phrase forms: each a sequence of slots (word list + punctuation + space).
struct Phrases<'d> {
    dist: &'d Distribution,
    forms: Vec<Vec<Words<'d>>>,
    /// Slots (word draws) of each form.
    word_counts: Vec<u32>,
}

impl<'d> Phrases<'d> {
    fn new(dist: &'d Distribution, d: &'d Distributions) -> Self {
        let forms = (0..dist.len())
            .map(|i| {
                dist.member(i)
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
                        let suffix: Vec<u8> = chars.next().into_iter().chain([b' ']).collect();
                        Some(Words::new(words, &suffix))
                    })
                    .collect()
            })
            .collect::<Vec<Vec<Words<'d>>>>();
        let word_counts = forms.iter().map(|form| form.len() as u32).collect();
        Phrases {
            dist,
            forms,
            word_counts,
        }
    }

    /// Picks a form (one draw) and writes one word per slot (one draw each).
    #[inline(always)]
    fn put(&self, s: &mut RandomStream, buf: &mut [u8], at: usize) -> usize {
        let form = &self.forms[self.dist.pick_index(s)];
        form.iter().fold(at, |at, slot| slot.put(s, buf, at))
    }

    /// Moves past `skipped` draws, picks a form (one draw) and returns how many word draws
    /// writing it would take.
    #[inline(always)]
    fn pick_word_count(&self, skipped: u32, s: &mut RandomStream) -> u32 {
        self.word_counts[self.dist.pick_index_after(skipped, s)]
    }

    /// Bytes a [`put`](Self::put) may touch.
    fn span(&self) -> usize {
        let form_span = |form: &Vec<Words<'_>>| form.iter().map(Words::span).sum::<usize>();
        self.forms.iter().map(form_span).max().unwrap_or(0)
    }
}

/// A sentence-level token of a grammar form.
#[derive(Clone, Copy)]
enum Token {
    NounPhrase,
    VerbPhrase,
    Prepositional,
    Terminator,
}

/// The grammar of dists.dss, prepared once for writing: sentence forms of tokens, phrase forms
/// of slots, and each pick's text as a [`Piece`].
pub(super) struct Grammar<'d> {
    forms: &'d Distribution,
    sentences: Vec<Vec<Token>>,
    noun_phrases: Phrases<'d>,
    verb_phrases: Phrases<'d>,
    /// A preposition followed by " the " (a noun phrase comes next).
    prepositions: Words<'d>,
    terminators: Words<'d>,
    /// Scratch bytes that hold any sentence, its trailing space and a piece's padding.
    longest_sentence: usize,
}

impl<'d> Grammar<'d> {
    pub(super) fn new(d: &'d Distributions) -> Self {
        let sentences: Vec<Vec<Token>> = (0..d.grammar.len())
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
        let mut grammar = Grammar {
            forms: &d.grammar,
            sentences,
            noun_phrases: Phrases::new(&d.noun_phrases, d),
            verb_phrases: Phrases::new(&d.verb_phrases, d),
            prepositions: Words::new(&d.prepositions, b" the "),
            terminators: Words::new(&d.terminators, b""),
            longest_sentence: 0,
        };
        grammar.longest_sentence = grammar
            .sentences
            .iter()
            .map(|form| form.iter().map(|&t| grammar.token_span(t)).sum::<usize>())
            .max()
            .unwrap_or(0)
            + 1
            + PIECE;
        grammar
    }

    fn token_span(&self, token: Token) -> usize {
        match token {
            Token::NounPhrase => self.noun_phrases.span(),
            Token::VerbPhrase => self.verb_phrases.span(),
            Token::Prepositional => self.prepositions.span() + self.noun_phrases.span(),
            Token::Terminator => self.terminators.span(),
        }
    }

    /// Appends up to `count` sentences to `out`, each followed by a space, stopping early once
    /// `out` holds `stop_at` bytes or more.
    pub(super) fn append_sentences(
        &self,
        s: &mut RandomStream,
        out: &mut Vec<u8>,
        count: usize,
        stop_at: usize,
    ) {
        let mut scratch = vec![0u8; self.longest_sentence];
        for _ in 0..count {
            if out.len() >= stop_at {
                break;
            }
            let len = self.write_sentence(s, &mut scratch);
            out.extend_from_slice(&scratch[..len]);
        }
    }

    /// Writes one sentence and its trailing space at the start of `buf`; returns its length.
    /// A terminator replaces the space after the last phrase.
    #[inline]
    fn write_sentence(&self, s: &mut RandomStream, buf: &mut [u8]) -> usize {
        let mut at = 0;
        for token in &self.sentences[self.forms.pick_index(s)] {
            at = match token {
                Token::NounPhrase => self.noun_phrases.put(s, buf, at),
                Token::VerbPhrase => self.verb_phrases.put(s, buf, at),
                Token::Prepositional => {
                    let at = self.prepositions.put(s, buf, at);
                    self.noun_phrases.put(s, buf, at)
                }
                Token::Terminator => self.terminators.put(s, buf, at.saturating_sub(1)),
            };
        }
        buf[at] = b' ';
        at + 1
    }

    /// Moves `s` past `count` sentences exactly as writing them would, without producing them:
    /// only the draws that choose a form are made; the one draw per word, preposition or
    /// terminator is skipped in bulk, folded into the multiplication that makes the next form's
    /// draw (a few times cheaper than writing the text).
    pub(super) fn skip_sentences(&self, s: &mut RandomStream, count: usize) {
        let mut unread = 0;
        for _ in 0..count {
            let form = &self.sentences[self.forms.pick_index_after(unread, s)];
            unread = 0;
            for token in form {
                unread = match token {
                    Token::NounPhrase => self.noun_phrases.pick_word_count(unread, s),
                    Token::VerbPhrase => self.verb_phrases.pick_word_count(unread, s),
                    Token::Prepositional => self.noun_phrases.pick_word_count(unread + 1, s),
                    Token::Terminator => unread + 1,
                };
            }
        }
        s.discard(unread);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dists::dists;
    use crate::random::StreamSpec;

    fn pool_stream() -> RandomStream {
        RandomStream::new(StreamSpec::new(933_588_178, 0))
    }

    /// dbgen's sentence, written the plain way: word by word, popping the space before a
    /// terminator.
    fn plain_sentence(d: &Distributions, s: &mut RandomStream, out: &mut Vec<u8>) {
        let phrase = |forms: &Distribution, s: &mut RandomStream, out: &mut Vec<u8>| {
            for part in forms.member(forms.pick_index(s)).split(' ') {
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
                out.extend(chars.next());
                out.push(b' ');
            }
        };
        for token in d.grammar.member(d.grammar.pick_index(s)).bytes() {
            match token {
                b'N' => phrase(&d.noun_phrases, s, out),
                b'V' => phrase(&d.verb_phrases, s, out),
                b'P' => {
                    out.extend_from_slice(d.prepositions.pick(s).as_bytes());
                    out.extend_from_slice(b" the ");
                    phrase(&d.noun_phrases, s, out);
                }
                b'T' => {
                    out.pop();
                    out.extend_from_slice(d.terminators.pick(s).as_bytes());
                }
                _ => {}
            }
        }
    }

    #[test]
    fn padded_pieces_write_what_plain_words_write() {
        let grammar = Grammar::new(dists());
        let (mut fast, mut plain) = (pool_stream(), pool_stream());
        let mut got = Vec::new();
        grammar.append_sentences(&mut fast, &mut got, 50_000, usize::MAX);
        let mut expected = Vec::new();
        for _ in 0..50_000 {
            plain_sentence(dists(), &mut plain, &mut expected);
            expected.push(b' ');
        }
        assert!(got == expected, "sentences differ");
        assert!(got.is_ascii());
        assert!(!got.windows(2).any(|w| w == b"  "));
    }

    #[test]
    fn every_word_of_dists_dss_fits_a_padded_piece() {
        let grammar = Grammar::new(dists());
        assert_eq!(grammar.prepositions.span(), PIECE);
        assert_eq!(grammar.noun_phrases.span() % PIECE, 0);
        assert!(grammar.longest_sentence < 1024);
    }

    #[test]
    fn stopping_at_a_length_ends_after_the_sentence_that_reaches_it() {
        let grammar = Grammar::new(dists());
        let mut out = Vec::new();
        grammar.append_sentences(&mut pool_stream(), &mut out, usize::MAX, 1000);
        assert!((1000..1000 + grammar.longest_sentence).contains(&out.len()));
        assert!(out.ends_with(b" "));
    }

    #[test]
    fn skipping_sentences_leaves_the_stream_where_writing_them_does() {
        let grammar = Grammar::new(dists());
        let mut written = pool_stream();
        let mut skipped = written.clone();
        let mut out = Vec::new();
        for i in 0..20_000 {
            let count = i % 3;
            grammar.append_sentences(&mut written, &mut out, count, usize::MAX);
            grammar.skip_sentences(&mut skipped, count);
            assert_eq!(
                written.uniform(0, i32::MAX as i64 - 1),
                skipped.uniform(0, i32::MAX as i64 - 1),
                "after sentence {i}"
            );
        }
    }
}
