//! The benchmark report: per-query timings and verification, printed as a table or JSON.

use std::fmt;

use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::answers::AnswerSet;
use super::machine::Machine;
use super::source::Source;

/// The outcome of checking one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Verification was not asked for.
    NotChecked,
    /// Verification was asked for, but there is no answer for this query at this scale factor
    /// (not a failure).
    NoAnswer,
    /// The result matches the answer.
    Passed,
    /// The result differs from the answer (the [`Mismatch`](super::Mismatch), as text).
    Failed(String),
    /// The query (or reading its answer) failed with an error.
    Error(String),
}

impl Verification {
    /// `not_checked`, `no_answer`, `passed`, `failed` or `error` (as in the JSON report).
    pub fn status(&self) -> &'static str {
        match self {
            Verification::NotChecked => "not_checked",
            Verification::NoAnswer => "no_answer",
            Verification::Passed => "passed",
            Verification::Failed(_) => "failed",
            Verification::Error(_) => "error",
        }
    }

    /// The mismatch or error message, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            Verification::Failed(m) | Verification::Error(m) => Some(m),
            _ => None,
        }
    }

    /// Whether this is a failed verification or an error.
    pub fn is_failure(&self) -> bool {
        matches!(self, Verification::Failed(_) | Verification::Error(_))
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(m) => write!(f, "{}: {m}", self.status()),
            None => f.write_str(self.status()),
        }
    }
}

/// One query's results.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryReport {
    /// The query number (1..=22).
    pub query: usize,
    /// Rows of the result (`None` if the query failed).
    pub rows: Option<usize>,
    /// Wall time of each iteration (planning, execution and collecting the result).
    pub times: Vec<Duration>,
    /// The verification of the first iteration's result.
    pub verification: Verification,
}

impl QueryReport {
    /// The fastest iteration.
    pub fn min(&self) -> Option<Duration> {
        self.times.iter().min().copied()
    }

    /// The slowest iteration.
    pub fn max(&self) -> Option<Duration> {
        self.times.iter().max().copied()
    }

    /// The median iteration (the mean of the middle two for an even count).
    pub fn median(&self) -> Option<Duration> {
        let mut sorted = self.times.clone();
        sorted.sort();
        let n = sorted.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(sorted[n / 2]),
            _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
        }
    }
}

/// A benchmark run: the setting, and one [`QueryReport`] per query.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchReport {
    /// This crate's version.
    pub crate_version: &'static str,
    /// The query engine's name (`datafusion`).
    pub engine: &'static str,
    /// The query engine's version.
    pub engine_version: &'static str,
    /// The scale factor.
    pub sf: f64,
    /// Where the tables came from.
    pub source: Source,
    /// DataFusion's `target_partitions`.
    pub target_partitions: usize,
    /// DataFusion's `batch_size` (rows per record batch) in the session the queries ran in.
    pub batch_size: usize,
    /// Iterations of each query.
    pub iterations: usize,
    /// The answers results were verified against (`None`: no verification).
    pub answers: Option<AnswerSet>,
    /// Time to set up the session (for [`Source::Memory`], generating the tables into memory).
    pub setup: Duration,
    /// When the run started, in seconds since the Unix epoch.
    pub started_unix_seconds: u64,
    /// CPUs available to the process.
    pub host_cpus: usize,
    /// The machine: CPUs, memory, operating system.
    pub machine: Machine,
    /// One entry per query, in the order run.
    pub queries: Vec<QueryReport>,
}

impl BenchReport {
    /// Whether no query failed (neither an error nor a failed verification).
    pub fn all_passed(&self) -> bool {
        self.failures().next().is_none()
    }

    /// The queries with an error or a failed verification.
    pub fn failures(&self) -> impl Iterator<Item = &QueryReport> {
        self.queries.iter().filter(|q| q.verification.is_failure())
    }

    /// How many queries have each status (`status` as [`Verification::status`]).
    pub fn count(&self, status: &str) -> usize {
        self.queries
            .iter()
            .filter(|q| q.verification.status() == status)
            .count()
    }

    /// Sum over the queries of their fastest and median iterations.
    fn totals(&self) -> (Duration, Duration) {
        self.queries
            .iter()
            .fold((Duration::ZERO, Duration::ZERO), |(a, b), q| {
                (
                    a + q.min().unwrap_or_default(),
                    b + q.median().unwrap_or_default(),
                )
            })
    }

    /// The report as a JSON object (pretty-printed, ending in a newline):
    ///
    /// ```text
    /// { "crate": "datafusion-dbgen", "crate_version", "engine": "datafusion", "engine_version",
    ///   "scale_factor", "source", "source_path", "target_partitions", "batch_size",
    ///   "iterations", "verify", "answers", "seed", "setup_seconds", "started_unix_seconds",
    ///   "host_cpus", "machine": { "cpus", "cpu_model", "memory_bytes", "os", "os_release",
    ///   "kernel", "arch" },
    ///   "queries": [ { "query", "name", "rows", "times_seconds", "min_seconds",
    ///                  "median_seconds", "max_seconds", "verification", "message" } ],
    ///   "summary": { "queries", "passed", "failed", "errors", "no_answer", "not_checked",
    ///                "total_min_seconds", "total_median_seconds", "all_passed" } }
    /// ```
    ///
    /// Times are seconds as numbers (`times_seconds`: every iteration, in the order run);
    /// absent values (rows of a failed query, `message`, `answers`, `source_path`, unknown
    /// machine details) are `null`; `seed` is always `null` (the 22 queries run with qgen's
    /// validation parameters). [`SavedBenchReport`] reads it back.
    pub fn to_json(&self) -> String {
        // Plain data (strings, numbers, options): serialising it cannot fail.
        let mut text = serde_json::to_string_pretty(&self.to_saved()).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The report as [`to_json`](Self::to_json) writes it.
    pub fn to_saved(&self) -> SavedBenchReport {
        let (total_min, total_median) = self.totals();
        SavedBenchReport {
            crate_name: "datafusion-dbgen".to_string(),
            crate_version: self.crate_version.to_string(),
            engine: self.engine.to_string(),
            engine_version: self.engine_version.to_string(),
            scale_factor: self.sf,
            source: self.source.kind().to_string(),
            source_path: match &self.source {
                Source::Parquet(dir) => Some(dir.to_string_lossy().into_owned()),
                _ => None,
            },
            target_partitions: self.target_partitions,
            batch_size: Some(self.batch_size),
            iterations: self.iterations,
            verify: self.answers.is_some(),
            answers: self.answers.as_ref().map(ToString::to_string),
            seed: None,
            setup_seconds: self.setup.as_secs_f64(),
            started_unix_seconds: self.started_unix_seconds,
            host_cpus: self.host_cpus,
            machine: Some(self.machine.clone()),
            queries: self
                .queries
                .iter()
                .map(|q| SavedQuery {
                    query: q.query,
                    name: format!("q{:02}", q.query),
                    rows: q.rows,
                    times_seconds: q.times.iter().map(Duration::as_secs_f64).collect(),
                    min_seconds: q.min().map(|d| d.as_secs_f64()),
                    median_seconds: q.median().map(|d| d.as_secs_f64()),
                    max_seconds: q.max().map(|d| d.as_secs_f64()),
                    verification: q.verification.status().to_string(),
                    message: q.verification.message().map(str::to_string),
                })
                .collect(),
            summary: Some(SavedSummary {
                queries: self.queries.len(),
                passed: self.count("passed"),
                failed: self.count("failed"),
                errors: self.count("error"),
                no_answer: self.count("no_answer"),
                not_checked: self.count("not_checked"),
                total_min_seconds: total_min.as_secs_f64(),
                total_median_seconds: total_median.as_secs_f64(),
                all_passed: self.all_passed(),
            }),
        }
    }

    /// One line describing the setting (versions, SF, source, partitions, iterations).
    pub fn heading(&self) -> String {
        heading(
            self.sf,
            &self.source,
            self.target_partitions,
            self.iterations,
        )
    }

    /// The header of [`table_row`](Self::table_row)'s table.
    pub fn table_header() -> String {
        format!(
            "{:<6} {:>10} {:>10} {:>10} {:>8}  {}",
            "query", "min s", "median s", "max s", "rows", "verification"
        )
    }

    /// One query as a row of the printed table.
    pub fn table_row(q: &QueryReport) -> String {
        let secs =
            |d: Option<Duration>| d.map_or("-".into(), |d| format!("{:.3}", d.as_secs_f64()));
        format!(
            "q{:02}    {:>10} {:>10} {:>10} {:>8}  {}",
            q.query,
            secs(q.min()),
            secs(q.median()),
            secs(q.max()),
            q.rows.map_or("-".into(), |r| r.to_string()),
            q.verification.status(),
        )
    }

    /// The totals line of the printed table.
    pub fn table_total(&self) -> String {
        let (total_min, total_median) = self.totals();
        let mut statuses = Vec::new();
        for status in ["passed", "failed", "error", "no_answer", "not_checked"] {
            let n = self.count(status);
            if n > 0 {
                statuses.push(format!("{n} {status}"));
            }
        }
        format!(
            "{:<6} {:>10.3} {:>10.3} {:>10} {:>8}  {}",
            "total",
            total_min.as_secs_f64(),
            total_median.as_secs_f64(),
            "",
            "",
            statuses.join(", ")
        )
    }
}

impl fmt::Display for BenchReport {
    /// The report as a text table: heading, one row per query, totals, then each failure's
    /// message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.heading())?;
        writeln!(f, "{}", Self::table_header())?;
        for q in &self.queries {
            writeln!(f, "{}", Self::table_row(q))?;
        }
        writeln!(f, "{}", self.table_total())?;
        for q in self.failures() {
            writeln!(f, "q{:02} {}", q.query, q.verification)?;
        }
        Ok(())
    }
}

/// The heading line of a run with these settings.
pub(crate) fn heading(sf: f64, source: &Source, partitions: usize, iterations: usize) -> String {
    let partitions = match partitions {
        0 => "the cluster's task slots as".to_string(),
        n => n.to_string(),
    };
    format!(
        "TPC-H SF {sf} | source {source} | {partitions} partitions | {iterations} iteration{} | DataFusion {} | datafusion-dbgen {}",
        if iterations == 1 { "" } else { "s" },
        datafusion::DATAFUSION_VERSION,
        env!("CARGO_PKG_VERSION"),
    )
}

/// A [`BenchReport`] as its JSON file holds it ([`BenchReport::to_json`]), written and read
/// back with serde (`tpch bench compare` and `plot` load reports as this).
///
/// Every field but `scale_factor` and `queries` may be missing: reports written before a field
/// existed still load (`batch_size`, `seed` and `machine` are newer; an older report has them
/// `None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedBenchReport {
    /// `datafusion-dbgen`.
    #[serde(rename = "crate", default)]
    pub crate_name: String,
    /// The crate's version.
    #[serde(default)]
    pub crate_version: String,
    /// `datafusion`.
    #[serde(default)]
    pub engine: String,
    /// DataFusion's version.
    #[serde(default)]
    pub engine_version: String,
    /// The scale factor.
    pub scale_factor: f64,
    /// `provider`, `memory`, `parquet` or `cluster` ([`Source::kind`]).
    #[serde(default)]
    pub source: String,
    /// The Parquet directory of a `parquet` source.
    #[serde(default)]
    pub source_path: Option<String>,
    /// DataFusion's `target_partitions`.
    #[serde(default)]
    pub target_partitions: usize,
    /// DataFusion's `batch_size`.
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// Iterations of each query.
    #[serde(default)]
    pub iterations: usize,
    /// Whether results were verified.
    #[serde(default)]
    pub verify: bool,
    /// The answers verified against (`embedded`, or a directory).
    #[serde(default)]
    pub answers: Option<String>,
    /// qgen's seed of the substitution parameters: `None` for the validation parameters.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Seconds to set up the session (loading the tables of a `memory` source).
    #[serde(default)]
    pub setup_seconds: f64,
    /// When the run started, seconds since the Unix epoch.
    #[serde(default)]
    pub started_unix_seconds: u64,
    /// CPUs available to the process.
    #[serde(default)]
    pub host_cpus: usize,
    /// The machine.
    #[serde(default)]
    pub machine: Option<Machine>,
    /// One entry per query, in the order run.
    pub queries: Vec<SavedQuery>,
    /// Counts and totals.
    #[serde(default)]
    pub summary: Option<SavedSummary>,
}

/// One query of a [`SavedBenchReport`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedQuery {
    /// The query number (1..=22).
    pub query: usize,
    /// `q01` … `q22`.
    #[serde(default)]
    pub name: String,
    /// Rows of the result (`None` if the query failed).
    #[serde(default)]
    pub rows: Option<usize>,
    /// Every iteration's wall time, seconds, in the order run.
    #[serde(default)]
    pub times_seconds: Vec<f64>,
    /// The fastest iteration.
    #[serde(default)]
    pub min_seconds: Option<f64>,
    /// The median iteration.
    #[serde(default)]
    pub median_seconds: Option<f64>,
    /// The slowest iteration.
    #[serde(default)]
    pub max_seconds: Option<f64>,
    /// [`Verification::status`].
    #[serde(default)]
    pub verification: String,
    /// The mismatch or error message.
    #[serde(default)]
    pub message: Option<String>,
}

/// The summary of a [`SavedBenchReport`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedSummary {
    /// Queries run.
    pub queries: usize,
    /// Queries that passed verification.
    pub passed: usize,
    /// Queries whose result differed from the answer.
    pub failed: usize,
    /// Queries that failed with an error.
    pub errors: usize,
    /// Queries without an answer at the scale factor.
    pub no_answer: usize,
    /// Queries not verified.
    pub not_checked: usize,
    /// Sum of the queries' fastest iterations.
    pub total_min_seconds: f64,
    /// Sum of the queries' median iterations.
    pub total_median_seconds: f64,
    /// Whether no query failed.
    pub all_passed: bool,
}

impl Default for SavedSummary {
    fn default() -> Self {
        SavedSummary {
            queries: 0,
            passed: 0,
            failed: 0,
            errors: 0,
            no_answer: 0,
            not_checked: 0,
            total_min_seconds: 0.0,
            total_median_seconds: 0.0,
            all_passed: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median() {
        let q = |ms: &[u64]| QueryReport {
            query: 1,
            rows: Some(1),
            times: ms.iter().map(|&m| Duration::from_millis(m)).collect(),
            verification: Verification::NotChecked,
        };
        assert_eq!(q(&[]).median(), None);
        assert_eq!(q(&[3, 1, 2]).median(), Some(Duration::from_millis(2)));
        assert_eq!(q(&[4, 1, 2, 3]).median(), Some(Duration::from_micros(2500)));
        assert_eq!(q(&[4, 1, 2, 3]).min(), Some(Duration::from_millis(1)));
        assert_eq!(q(&[4, 1, 2, 3]).max(), Some(Duration::from_millis(4)));
    }
}
