//! Query streams exactly as TPC qgen 2.14 makes them: the substitution parameters of each query
//! for a scale factor and seed (`qgen -s SF -r SEED`), the query order of a stream (`-p N`,
//! specification Appendix A), rendered into the crate's DataFusion SQL.
//!
//! Without a seed, the validation parameters (`qgen -d`): the SQL is then exactly
//! [`QUERIES`]. With a seed, query `q`'s parameters come from its own
//! Park–Miller stream started at the seed's `q`-th successor, drawn by the rules of clause 2.4
//! from `dists.dss` — the same for every stream number, which sets only the order (a TPC-H
//! throughput test gives stream `s` the seed `SEED + s`).
//!
//! ```
//! use tpch_dbgen::qgen::QueryStream;
//!
//! // qgen -s 1 -r 1 -p 0: stream 0 starts with Q14, Q2 and Q9.
//! let stream = QueryStream::new(1.0, Some(1), Some(0)).unwrap();
//! let log = stream.parameter_log();
//! let first: Vec<&str> = log.lines().take(3).collect();
//! assert_eq!(first, ["14\t1993-04-01", "2\t38\tSTEEL\tASIA", "9\tthistle"]);
//! assert!(stream.queries()[0].sql.contains("l_shipdate >= date '1993-04-01'"));
//! ```

mod draws;
mod order;
mod sql;

use std::sync::LazyLock;

use crate::ScaleFactor;
use crate::error::Error;

/// Number of TPC-H queries.
pub const QUERY_COUNT: usize = 22;

/// The 22 TPC-H queries with the validation substitution parameters (`QUERIES[0]` is Q1), one
/// statement each, ending in `;`. They run unmodified in DataFusion over tables named as in the
/// specification (`lineitem`, `orders`, ...). They are the query templates
/// (`templates/qNN.sql`) with qgen's validation parameters (`qgen -d`), rendered once.
pub static QUERIES: LazyLock<[&'static str; QUERY_COUNT]> =
    LazyLock::new(|| std::array::from_fn(|i| &*validation_sql(i + 1).leak()));

pub use draws::MAX_SEED;
pub use order::stream_order;

/// Query `n`'s SQL with the validation parameters (`qgen -d`): [`QUERIES`].
fn validation_sql(n: usize) -> String {
    sql::render(n, &draws::defaults(n))
}

/// One query of a stream: its number, qgen's parameters and the SQL they make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamQuery {
    /// The query's number, 1..=22.
    pub number: usize,
    /// The substitution parameters as qgen's parameter log prints them.
    pub parameters: Vec<String>,
    /// The query in DataFusion SQL with those parameters (one statement, ending in `;`).
    pub sql: String,
}

impl StreamQuery {
    /// The query's line of qgen's parameter log: `query<TAB>p1<TAB>p2…` and a newline.
    pub fn parameter_line(&self) -> String {
        let mut line = self.number.to_string();
        for p in &self.parameters {
            line.push('\t');
            line.push_str(p);
        }
        line.push('\n');
        line
    }
}

/// The 22 queries of one query stream, in the stream's order (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryStream {
    seed: Option<u64>,
    stream: Option<usize>,
    queries: Vec<StreamQuery>,
}

impl QueryStream {
    /// The stream qgen makes with `-s sf`, `-r seed` (`None`: `-d`, the validation parameters)
    /// and `-p stream` (`None`: queries 1 to 22 in order).
    pub fn new<S>(sf: S, seed: Option<u64>, stream: Option<usize>) -> Result<QueryStream, Error>
    where
        S: TryInto<ScaleFactor>,
        Error: From<S::Error>,
    {
        let sf: ScaleFactor = sf.try_into()?;
        if let Some(seed) = seed.filter(|&s| s > MAX_SEED) {
            return Err(Error::InvalidOption(format!(
                "invalid seed {seed}: qgen's seeds are 0 to {MAX_SEED}"
            )));
        }
        let order: Vec<usize> = match stream {
            Some(s) => stream_order(s).to_vec(),
            None => (1..=QUERY_COUNT).collect(),
        };
        let queries = order
            .into_iter()
            .map(|number| {
                let parameters = match seed {
                    Some(seed) => draws::drawn(number, seed, &sf),
                    None => draws::defaults(number),
                };
                let sql = sql::render(number, &parameters);
                StreamQuery {
                    number,
                    parameters,
                    sql,
                }
            })
            .collect();
        Ok(QueryStream {
            seed,
            stream,
            queries,
        })
    }

    /// The seed (`None`: the validation parameters).
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// The stream number (`None`: queries in numeric order).
    pub fn stream(&self) -> Option<usize> {
        self.stream
    }

    /// The queries in the stream's order.
    pub fn queries(&self) -> &[StreamQuery] {
        &self.queries
    }

    /// `(query number, SQL)` in the stream's order.
    pub fn numbered_sql(&self) -> impl Iterator<Item = (usize, &str)> {
        self.queries.iter().map(|q| (q.number, q.sql.as_str()))
    }

    /// What qgen's parameter log (`-l FILE`) holds for this stream: a line per query in stream
    /// order, `query<TAB>p1<TAB>p2…`.
    pub fn parameter_log(&self) -> String {
        self.queries
            .iter()
            .map(StreamQuery::parameter_line)
            .collect()
    }

    /// The stream's SQL as one script (`tpch query -f` runs it): each query after a comment
    /// naming it.
    pub fn sql_script(&self) -> String {
        let mut script = String::new();
        for q in &self.queries {
            script.push_str(&format!("-- Q{}\n{}\n", q.number, q.sql.trim_end()));
        }
        script
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_stream_is_the_embedded_queries() {
        let stream = QueryStream::new(1.0, None, None).unwrap();
        for (i, q) in stream.queries().iter().enumerate() {
            assert_eq!(q.number, i + 1);
            assert_eq!(q.sql, QUERIES[i], "Q{}", i + 1);
        }
        // The validation literals, rendered from qgen's defaults table.
        for (n, literal) in [
            (1, "CAST('1998-09-02' AS date)"),
            (4, "o_orderdate < CAST('1993-10-01' AS date)"),
            (6, "l_discount BETWEEN 0.05\n    AND 0.07"),
            (11, "sum(ps_supplycost * ps_availqty) * 0.0001000000"),
            (16, "p_size IN (49, 14, 23, 45, 19, 3, 36, 9)"),
            (19, "l_quantity <= 20 + 10"),
            (22, "IN ('13', '31', '23', '29', '30', '18', '17')"),
        ] {
            assert!(QUERIES[n - 1].contains(literal), "Q{n} lacks {literal}");
        }
        // At every scale factor: the embedded answers were computed with these queries.
        let small = QueryStream::new(0.01, None, Some(3)).unwrap();
        assert!(small.numbered_sql().all(|(n, sql)| sql == QUERIES[n - 1]));
    }

    #[test]
    fn bad_seeds_and_scale_factors_are_errors() {
        let err = QueryStream::new(1.0, Some(MAX_SEED + 1), None).unwrap_err();
        assert!(err.to_string().contains("seeds are 0 to"), "{err}");
        assert!(QueryStream::new(-1.0, None, None).is_err());
    }
}
