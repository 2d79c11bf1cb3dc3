//! The 22 TPC-H queries, embedded.

use super::error::BenchError;
pub use tpch_dbgen::qgen::{QUERIES, QUERY_COUNT};

/// The SQL of TPC-H query `n` (1..=22).
///
/// ```
/// let q6 = datafusion_dbgen::bench::query(6).unwrap();
/// assert!(q6.contains("l_discount"));
/// assert!(datafusion_dbgen::bench::query(23).is_err());
/// ```
pub fn query(n: usize) -> Result<&'static str, BenchError> {
    n.checked_sub(1)
        .and_then(|i| QUERIES.get(i))
        .copied()
        .ok_or(BenchError::UnknownQuery(n))
}

/// Parses a query selection such as `1,3,5-7` (numbers and inclusive ranges, in the order
/// given, duplicates dropped). `all` selects all 22; an empty list is an error (a selection that
/// came out empty, e.g. from an unset variable, should not silently mean every query).
///
/// ```
/// use datafusion_dbgen::bench::parse_query_list;
/// assert_eq!(parse_query_list("1,3,5-7").unwrap(), vec![1, 3, 5, 6, 7]);
/// assert!(parse_query_list("0,23").is_err());
/// ```
pub fn parse_query_list(text: &str) -> Result<Vec<usize>, BenchError> {
    let invalid = || BenchError::InvalidQueryList(text.to_string());
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("all") {
        return Ok((1..=QUERY_COUNT).collect());
    }
    let number = |s: &str| -> Result<usize, BenchError> {
        let s = s.trim();
        let s = s
            .strip_prefix('q')
            .or_else(|| s.strip_prefix('Q'))
            .unwrap_or(s);
        match s.parse::<usize>() {
            Ok(n) if (1..=QUERY_COUNT).contains(&n) => Ok(n),
            _ => Err(invalid()),
        }
    };
    let mut out = Vec::new();
    for item in trimmed.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(invalid());
        }
        let (first, last) = match item.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(item)?;
                (n, n)
            }
        };
        if first > last {
            return Err(invalid());
        }
        for n in first..=last {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_embedded() {
        for n in 1..=QUERY_COUNT {
            let sql = query(n).unwrap();
            assert!(sql.to_ascii_lowercase().contains("select"), "q{n}");
        }
        assert!(query(0).is_err());
        assert!(query(23).is_err());
    }

    #[test]
    fn query_lists() {
        assert_eq!(parse_query_list("all").unwrap().len(), 22);
        assert!(parse_query_list("").is_err());
        assert!(parse_query_list("  ").is_err());
        assert_eq!(parse_query_list("22,1").unwrap(), vec![22, 1]);
        assert_eq!(parse_query_list("q5-q7, 5").unwrap(), vec![5, 6, 7]);
        for bad in ["1,,2", "7-5", "x", "1-", "-3", "23"] {
            assert!(parse_query_list(bad).is_err(), "{bad}");
        }
    }
}
