//! The official answers of the 22 queries on dbgen's data at SF 0.01, 0.1 and 1, embedded.
//!
//! Each answer is the text of a pipe-separated file with a header line, as DuckDB writes it
//! (`COPY (query) TO 'qNN.csv' (DELIMITER '|', HEADER true)`); [`check_answer`] reads it.
//!
//! [`check_answer`]: super::check_answer

use std::fmt;
use std::path::PathBuf;

use super::error::BenchError;
use super::queries::QUERY_COUNT;

macro_rules! embed_answers {
    ($dir:literal) => {
        embed_answers!($dir; "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
            "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22")
    };
    ($dir:literal; $($n:literal),*) => {
        [$(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/data/answers/", $dir, "/q", $n, ".csv"
        ))),*]
    };
}

const SF0_01: [&str; QUERY_COUNT] = embed_answers!("sf0.01");
const SF0_1: [&str; QUERY_COUNT] = embed_answers!("sf0.1");
const SF1: [&str; QUERY_COUNT] = embed_answers!("sf1");

/// The scale factors with embedded answers.
pub const ANSWER_SCALE_FACTORS: [f64; 3] = [0.01, 0.1, 1.0];

/// The embedded answer of query `n` (1..=22) at scale factor `sf`: the text of a pipe-separated
/// file with a header line. `None` when there is no official answer for that scale factor (or
/// no such query).
///
/// ```
/// use datafusion_dbgen::bench::answer;
/// assert!(answer(0.01, 1).unwrap().starts_with("l_returnflag|"));
/// assert!(answer(0.5, 1).is_none());
/// ```
pub fn answer(sf: f64, n: usize) -> Option<&'static str> {
    let set = if sf == 0.01 {
        &SF0_01
    } else if sf == 0.1 {
        &SF0_1
    } else if sf == 1.0 {
        &SF1
    } else {
        return None;
    };
    set.get(n.checked_sub(1)?).copied()
}

/// Where the expected answers come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerSet {
    /// The answers embedded in the crate ([`answer`]): SF 0.01, 0.1 and 1.
    Embedded,
    /// A directory of answer files `qNN.csv` (pipe-separated, header line, as the embedded
    /// ones), whatever the scale factor. A missing file means "no answer", not a failure.
    Dir(PathBuf),
}

impl AnswerSet {
    /// The expected answer of query `n` at `sf`, if this set has one.
    pub fn get(&self, sf: f64, n: usize) -> Result<Option<String>, BenchError> {
        match self {
            AnswerSet::Embedded => Ok(answer(sf, n).map(str::to_string)),
            AnswerSet::Dir(dir) => {
                let path = dir.join(format!("q{n:02}.csv"));
                match std::fs::read_to_string(&path) {
                    Ok(text) => Ok(Some(text)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(BenchError::Io { path, source }),
                }
            }
        }
    }
}

impl fmt::Display for AnswerSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerSet::Embedded => f.write_str("embedded"),
            AnswerSet::Dir(dir) => write!(f, "dir:{}", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_has_a_header() {
        for sf in ANSWER_SCALE_FACTORS {
            for n in 1..=QUERY_COUNT {
                let text = answer(sf, n).unwrap();
                assert!(
                    text.lines().next().is_some_and(|h| !h.is_empty()),
                    "sf {sf} q{n}"
                );
            }
        }
        assert!(answer(0.01, 0).is_none());
        assert!(answer(0.01, 23).is_none());
        assert!(answer(10.0, 1).is_none());
    }
}
