//! Reports read back from their JSON files: a `tpch bench` report ([`SavedBenchReport`]) or a
//! TPC-H run's ([`RunReport`]), for [`compare`](super::compare) and `tpch bench plot`.

use std::path::{Path, PathBuf};

use super::report::SavedBenchReport;
use super::tpch_run::{RunKind, RunReport, StreamReport};

/// What can go wrong loading, comparing or plotting reports. Every message is one line.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A report file that cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file that is not a report of `tpch bench` (not JSON, or JSON of another shape).
    #[error("{}: not a `tpch bench` report: {reason}", path.display())]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A report without any timing (no queries, or a run without tests).
    #[error("{}: an empty report ({reason})", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// Reports that measure different things (another scale factor, other queries, another
    /// kind of run).
    #[error("the reports are not comparable: {0}")]
    Incomparable(String),
    /// An invalid option or request (no reports, a negative threshold, a timeline of a run
    /// without a throughput test, …).
    #[error("{0}")]
    InvalidOption(String),
}

/// A report as loaded from its JSON file.
#[derive(Clone, Debug, PartialEq)]
pub enum SavedReport {
    /// `tpch bench --json`: the 22 (or some) queries, each with its iterations.
    Queries(SavedBenchReport),
    /// `tpch bench --run … --json`: a TPC-H run.
    Run(RunReport),
}

impl SavedReport {
    /// Reads the report in `path` (see [`from_json`](Self::from_json)).
    pub fn load(path: &Path) -> Result<SavedReport, CompareError> {
        let text = std::fs::read_to_string(path).map_err(|source| CompareError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        SavedReport::from_json(&text).map_err(|e| match e {
            LoadError::NotAReport(reason) => CompareError::NotAReport {
                path: path.to_path_buf(),
                reason,
            },
            LoadError::Empty(reason) => CompareError::Empty {
                path: path.to_path_buf(),
                reason,
            },
        })
    }

    /// Reads a report from its JSON text: an object with `run` is a TPC-H run's, one with
    /// `queries` a `tpch bench` report's. Reports written before the newer fields existed load
    /// (the fields are `None` or empty); a report with no queries, or a run with neither test,
    /// is empty, which is an error.
    pub fn from_json(text: &str) -> Result<SavedReport, LoadError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| LoadError::NotAReport(format!("invalid JSON ({e})")))?;
        let object = value.as_object().ok_or_else(|| {
            LoadError::NotAReport("expected a JSON object with `queries` or `run`".into())
        })?;
        let shape = |e: serde_json::Error| LoadError::NotAReport(e.to_string());
        if object.contains_key("run") {
            let run: RunReport = serde_json::from_value(value).map_err(shape)?;
            if run.power.is_none() && run.throughput.is_none() {
                return Err(LoadError::Empty(
                    "a run with neither a power nor a throughput test".into(),
                ));
            }
            return Ok(SavedReport::Run(run));
        }
        if object.contains_key("queries") {
            let report: SavedBenchReport = serde_json::from_value(value).map_err(shape)?;
            if report.queries.is_empty() {
                return Err(LoadError::Empty("no queries".into()));
            }
            return Ok(SavedReport::Queries(report));
        }
        Err(LoadError::NotAReport(
            "no `queries` (a `tpch bench --json` report) or `run` (a `tpch bench --run` \
             report)"
                .into(),
        ))
    }

    /// The scale factor.
    pub fn scale_factor(&self) -> f64 {
        match self {
            SavedReport::Queries(r) => r.scale_factor,
            SavedReport::Run(r) => r.scale_factor,
        }
    }

    /// The run kind, for a TPC-H run's report.
    pub fn run_kind(&self) -> Option<RunKind> {
        match self {
            SavedReport::Queries(_) => None,
            SavedReport::Run(r) => Some(r.run),
        }
    }

    /// What kind of report: `query report` or `power run`, `throughput run`, `full run`.
    pub fn kind_name(&self) -> &'static str {
        match self.run_kind() {
            None => "query report",
            Some(RunKind::Power) => "power run",
            Some(RunKind::Throughput) => "throughput run",
            Some(RunKind::Full) => "full run",
        }
    }

    /// The source: `provider`, `memory`, `parquet:DIR`, … (as the report records it).
    pub fn source(&self) -> String {
        match self {
            SavedReport::Queries(r) => match &r.source_path {
                Some(path) => format!("{}:{path}", r.source),
                None => r.source.clone(),
            },
            SavedReport::Run(r) => r.source.clone(),
        }
    }

    /// The settings that may differ between comparable reports, as (name, value) pairs:
    /// source, partitions, iterations, batch size, versions, machine, seed.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let unknown = || "?".to_string();
        let text = |s: &str| {
            if s.is_empty() {
                unknown()
            } else {
                s.to_string()
            }
        };
        let (partitions, batch, engine, version, machine) = match self {
            SavedReport::Queries(r) => (
                r.target_partitions,
                r.batch_size,
                &r.engine_version,
                &r.crate_version,
                r.machine.as_ref(),
            ),
            SavedReport::Run(r) => (
                r.target_partitions,
                r.batch_size,
                &r.engine_version,
                &r.crate_version,
                r.machine.as_ref(),
            ),
        };
        let mut settings = vec![
            ("source", self.source()),
            ("partitions", partitions.to_string()),
        ];
        match self {
            SavedReport::Queries(r) => settings.push(("iterations", r.iterations.to_string())),
            SavedReport::Run(r) => {
                settings.push(("streams", r.streams.to_string()));
                settings.push(("seed", r.seed.to_string()));
            }
        }
        settings.push(("batch size", batch.map_or_else(unknown, |b| b.to_string())));
        settings.push(("DataFusion", text(engine)));
        settings.push(("datafusion-dbgen", text(version)));
        settings.push((
            "machine",
            machine.map_or_else(|| "unknown machine".to_string(), |m| m.summary()),
        ));
        settings
    }

    /// One line: SF, kind, then [`settings`](Self::settings).
    pub fn describe(&self) -> String {
        let settings: Vec<String> = self
            .settings()
            .into_iter()
            .map(|(name, value)| match name {
                "machine" => value,
                _ => format!("{name} {value}"),
            })
            .collect();
        format!(
            "SF {}, {}, {}",
            self.scale_factor(),
            self.kind_name(),
            settings.join(", ")
        )
    }

    /// Each query's times, seconds, by query number (ascending): a query report's iterations
    /// (or its min/median/max when an old report lacks `times_seconds`); for a run, the power
    /// test's intervals (one each), or without a power test, each query's intervals in the
    /// throughput test's streams (one per stream).
    pub fn query_times(&self) -> Vec<QueryTimes> {
        let mut out: Vec<QueryTimes> = Vec::new();
        match self {
            SavedReport::Queries(r) => {
                for q in &r.queries {
                    let mut times = q.times_seconds.clone();
                    if times.is_empty() {
                        // An old or failed entry: what it has of min/median/max.
                        times.extend(q.min_seconds);
                        times.extend(q.median_seconds);
                        times.extend(q.max_seconds);
                    }
                    out.push(QueryTimes {
                        query: q.query,
                        times,
                    });
                }
            }
            SavedReport::Run(r) => {
                let streams: Vec<&StreamReport> = match (&r.power, &r.throughput) {
                    (Some(p), _) => vec![&p.stream],
                    (None, Some(t)) => t.query_streams.iter().collect(),
                    (None, None) => Vec::new(),
                };
                for stream in streams {
                    for step in stream.steps.iter().filter(|s| s.refresh_set.is_none()) {
                        let Some(query) = step
                            .name
                            .trim_start_matches(['Q', 'q'])
                            .parse::<usize>()
                            .ok()
                        else {
                            continue;
                        };
                        match out.iter_mut().find(|q| q.query == query) {
                            Some(q) => q.times.push(step.seconds),
                            None => out.push(QueryTimes {
                                query,
                                times: vec![step.seconds],
                            }),
                        }
                    }
                }
            }
        }
        out.sort_by_key(|q| q.query);
        out
    }
}

/// Why a JSON text is not a report ([`SavedReport::from_json`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Not JSON, or not a report's shape.
    #[error("not a `tpch bench` report: {0}")]
    NotAReport(String),
    /// A report without timings.
    #[error("an empty report ({0})")]
    Empty(String),
}

/// One query's times in a report, seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryTimes {
    /// The query number.
    pub query: usize,
    /// Its times (iterations, or intervals in a run), seconds; empty if it failed.
    pub times: Vec<f64>,
}

/// A label per report file: the file's stem (`provider` for `runs/provider.json`); when two
/// stems are equal, the paths as given, and when those are equal too, a ` #n` suffix.
pub fn labels_for(paths: &[PathBuf]) -> Vec<String> {
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let stems: Vec<String> = paths.iter().map(stem).collect();
    let mut labels: Vec<String> = paths
        .iter()
        .zip(&stems)
        .map(|(p, s)| {
            if stems.iter().filter(|t| *t == s).count() > 1 {
                p.display().to_string()
            } else {
                s.clone()
            }
        })
        .collect();
    for i in 0..labels.len() {
        let earlier = labels[..i].iter().filter(|l| **l == labels[i]).count();
        if earlier > 0 {
            labels[i] = format!("{} #{}", labels[i], earlier + 1);
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_QUERIES: &str = r#"{"crate": "datafusion-dbgen", "scale_factor": 1,
        "source": "provider", "target_partitions": 2, "iterations": 2,
        "queries": [{"query": 6, "name": "q06", "rows": 1, "times_seconds": [0.2, 0.1],
                     "verification": "passed"},
                    {"query": 1, "median_seconds": 0.5}]}"#;

    #[test]
    fn old_reports_load() {
        let SavedReport::Queries(r) = SavedReport::from_json(OLD_QUERIES).unwrap() else {
            panic!("a query report");
        };
        assert_eq!(r.machine, None);
        assert_eq!(r.batch_size, None);
        let report = SavedReport::Queries(r);
        let times = report.query_times();
        assert_eq!(times[0].query, 1);
        assert_eq!(times[0].times, [0.5]);
        assert_eq!(times[1].times, [0.2, 0.1]);
        assert!(report.describe().contains("unknown machine"));
    }

    #[test]
    fn bad_reports_are_refused() {
        let err = |text: &str| SavedReport::from_json(text).unwrap_err().to_string();
        assert!(err("not json").contains("invalid JSON"));
        assert!(err("[1, 2]").contains("expected a JSON object"));
        assert!(err(r#"{"hello": 1}"#).contains("no `queries`"));
        assert!(err(r#"{"queries": []}"#).contains("scale_factor"));
        assert!(err(r#"{"scale_factor": 1, "queries": []}"#).contains("empty report"));
        assert!(
            err(r#"{"scale_factor": 1, "queries": [{"query": "one"}]}"#).contains("invalid type")
        );
    }

    #[test]
    fn labels() {
        let paths = |ps: &[&str]| ps.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert_eq!(
            labels_for(&paths(&["a/provider.json", "memory.json"])),
            ["provider", "memory"]
        );
        assert_eq!(
            labels_for(&paths(&["a/run.json", "b/run.json"])),
            ["a/run.json", "b/run.json"]
        );
        assert_eq!(
            labels_for(&paths(&["run.json", "run.json"])),
            ["run.json", "run.json #2"]
        );
    }
}
