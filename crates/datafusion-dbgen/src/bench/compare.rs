//! Comparing benchmark reports (`tpch bench compare`): one row per query (or per interval of a
//! TPC-H run) with each report's time, the ratio against the first report and a verdict, then
//! totals and the geometric mean (or a run's Power@Size, Throughput@Size and QphH@Size),
//! printed as a text table, Markdown or CSV.
//!
//! **Ratio**: a report's value divided by the first report's. For times (seconds) below
//! `1.00x` is faster; for the run metrics (queries per hour) above `1.00x` is faster.
//!
//! **Verdict** (the rule, also printed above every table): a ratio within the threshold of 1
//! (default 5 %: from `1/1.05 = 0.952x` to `1.05x`) is **no change**. Beyond it, when both
//! reports have two or more iterations of the query, a change counts only if the two ranges of
//! iterations (fastest to slowest) do not overlap — the reports' own spread: a difference
//! smaller than the noise each run shows is **no change** too. Otherwise **faster** or
//! **slower**. The total's range is the sums of the fastest and of the slowest iterations; a
//! geometric mean, a TPC-H run's intervals (each timed once) and its metrics have no range, so
//! the threshold alone decides for them.
//!
//! ```
//! use datafusion_dbgen::bench::{CompareFormat, CompareOptions, SavedReport, compare};
//!
//! let json = |source: &str, q1: [f64; 3], q6: [f64; 3]| format!(
//!     r#"{{"scale_factor": 1, "source": "{source}", "iterations": 3, "queries": [
//!         {{"query": 1, "times_seconds": {q1:?}}}, {{"query": 6, "times_seconds": {q6:?}}}]}}"#);
//! let base = SavedReport::from_json(&json("provider", [1.0, 1.1, 1.2], [0.5, 0.5, 0.6]))?;
//! let new = SavedReport::from_json(&json("memory", [0.5, 0.6, 0.7], [0.5, 0.51, 0.6]))?;
//! let reports = [("provider".to_string(), base), ("memory".to_string(), new)];
//! let comparison = compare(&reports, &CompareOptions::default()).unwrap();
//! let table = comparison.render(CompareFormat::Markdown);
//! assert!(table.contains("| q01 | 1.100 | 0.600 | 0.55x | faster |"), "{table}");
//! assert!(table.contains("| q06 | 0.500 | 0.510 | 1.02x | no change |"), "{table}");
//! # Ok::<(), datafusion_dbgen::bench::LoadError>(())
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::str::FromStr;

use super::saved::{CompareError, QueryTimes, SavedReport};
use super::tpch_run::{RunReport, Step};

/// Which of a query's iterations stands for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stat {
    /// The fastest iteration.
    Min,
    /// The median iteration (the mean of the middle two for an even count).
    #[default]
    Median,
}

impl Stat {
    /// `min` or `median`.
    pub fn name(self) -> &'static str {
        match self {
            Stat::Min => "min",
            Stat::Median => "median",
        }
    }

    /// The statistic of `times` (`None` when empty).
    pub fn of(self, times: &[f64]) -> Option<f64> {
        let mut sorted: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        match (self, n) {
            (_, 0) => None,
            (Stat::Min, _) => Some(sorted[0]),
            (Stat::Median, _) if n % 2 == 1 => Some(sorted[n / 2]),
            (Stat::Median, _) => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
        }
    }
}

impl FromStr for Stat {
    type Err = CompareError;

    fn from_str(s: &str) -> Result<Self, CompareError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "min" => Ok(Stat::Min),
            "median" => Ok(Stat::Median),
            _ => Err(CompareError::InvalidOption(format!(
                "invalid statistic '{s}': expected min or median"
            ))),
        }
    }
}

/// How [`Comparison::render`] prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompareFormat {
    /// An aligned text table with the settings and the rule above it.
    #[default]
    Table,
    /// A GitHub Markdown table (for pull requests), with the settings as a list above it.
    Markdown,
    /// CSV: a header line, then one line per row (plain numbers: seconds, ratios without `x`).
    Csv,
}

impl FromStr for CompareFormat {
    type Err = CompareError;

    fn from_str(s: &str) -> Result<Self, CompareError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(CompareFormat::Table),
            "markdown" | "md" => Ok(CompareFormat::Markdown),
            "csv" => Ok(CompareFormat::Csv),
            _ => Err(CompareError::InvalidOption(format!(
                "invalid format '{s}': expected table, markdown or csv"
            ))),
        }
    }
}

/// How [`compare`] compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareOptions {
    /// The statistic of a query's iterations (default: median).
    pub stat: Stat,
    /// A ratio within this fraction of 1 is "no change" (default 0.05: 0.952x–1.05x).
    pub threshold: f64,
    /// Compare reports that are not comparable (another scale factor, other queries, another
    /// kind of run): rows only some reports have show `-`, totals take the common rows.
    pub force: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            stat: Stat::Median,
            threshold: 0.05,
            force: false,
        }
    }
}

/// A report's value against the first report's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Beyond the threshold and the spread, better (less time, or a higher metric).
    Faster,
    /// Beyond the threshold and the spread, worse.
    Slower,
    /// Within the threshold, or within the iterations' spread.
    NoChange,
}

impl Verdict {
    /// `faster`, `slower` or `no change`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::NoChange => "no change",
        }
    }
}

/// One report's value of one row: the statistic, and the range of the samples it came from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    /// The value (seconds, or a metric).
    pub value: f64,
    /// The smallest sample.
    pub low: f64,
    /// The largest sample.
    pub high: f64,
    /// How many samples (iterations); below 2 there is no spread.
    pub samples: usize,
}

impl Measure {
    /// The statistic of `times` with their range (`None` when empty).
    pub fn of_times(times: &[f64], stat: Stat) -> Option<Measure> {
        let value = stat.of(times)?;
        let finite = times.iter().copied().filter(|t| t.is_finite());
        Some(Measure {
            value,
            low: finite.clone().fold(f64::INFINITY, f64::min),
            high: finite.clone().fold(f64::NEG_INFINITY, f64::max),
            samples: finite.count(),
        })
    }

    /// A single sample.
    pub fn single(value: f64) -> Measure {
        Measure {
            value,
            low: value,
            high: value,
            samples: 1,
        }
    }
}

/// What a row measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A query's time (query reports, or a run's queries seen as a query set).
    Query(usize),
    /// An interval of a TPC-H run: a query or refresh function of a stream, or a stream.
    Interval,
    /// The sum of the queries every report has.
    Total,
    /// The geometric mean of the queries every report has.
    Geomean,
    /// Power@Size, Throughput@Size or QphH@Size (higher is better).
    Metric,
}

/// One row of a [`Comparison`].
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `q01`, `power Q14`, `stream 1`, `total`, `QphH@Size`, …
    pub name: String,
    /// What it measures.
    pub kind: RowKind,
    /// Each report's value (`None`: the report has no such row, or the query failed).
    pub values: Vec<Option<Measure>>,
    /// Each report's ratio against the first (the first's is 1).
    pub ratios: Vec<Option<f64>>,
    /// Each report's verdict against the first (the first's is `None`).
    pub verdicts: Vec<Option<Verdict>>,
}

impl Row {
    /// Whether a higher value is better (the run metrics).
    pub fn higher_is_better(&self) -> bool {
        self.kind == RowKind::Metric
    }

    fn new(name: String, kind: RowKind, values: Vec<Option<Measure>>) -> Row {
        Row {
            name,
            kind,
            ratios: vec![None; values.len()],
            verdicts: vec![None; values.len()],
            values,
        }
    }

    /// Fills the ratios and verdicts against the first value.
    fn judge(&mut self, threshold: f64) {
        let higher = self.higher_is_better();
        let base = self.values.first().copied().flatten();
        for (i, value) in self.values.iter().enumerate() {
            let (Some(base), Some(value)) = (base, value) else {
                continue;
            };
            if !(base.value > 0.0 && value.value > 0.0) {
                continue;
            }
            self.ratios[i] = Some(value.value / base.value);
            if i > 0 {
                self.verdicts[i] = Some(verdict(&base, value, higher, threshold));
            }
        }
    }
}

/// The rule of the module docs.
fn verdict(base: &Measure, new: &Measure, higher_is_better: bool, threshold: f64) -> Verdict {
    let ratio = new.value / base.value;
    // Within the threshold either way (symmetric in ratio: 1/(1+t) … 1+t).
    if ratio.ln().abs() <= (1.0 + threshold).ln() + 1e-12 {
        return Verdict::NoChange;
    }
    let overlap = base.low <= new.high && new.low <= base.high;
    if base.samples >= 2 && new.samples >= 2 && overlap {
        return Verdict::NoChange;
    }
    match (ratio < 1.0, higher_is_better) {
        (true, false) | (false, true) => Verdict::Faster,
        _ => Verdict::Slower,
    }
}

/// How many rows of a report have each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerdictCounts {
    /// Rows faster than the first report.
    pub faster: usize,
    /// Rows slower.
    pub slower: usize,
    /// Rows without a change.
    pub no_change: usize,
}

/// Reports compared: the rows, the summary rows, and what to print above them.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// One label per report (the first is the base).
    pub labels: Vec<String>,
    /// One line per report: its scale factor, kind and settings ([`SavedReport::describe`]).
    pub descriptions: Vec<String>,
    /// Lines about the comparison: settings that differ, rows not every report has, a forced
    /// comparison.
    pub notes: Vec<String>,
    /// The statistic of the iterations.
    pub stat: Stat,
    /// The threshold of "no change".
    pub threshold: f64,
    /// Whether these are TPC-H runs' intervals (not query times).
    pub runs: bool,
    /// One row per query or interval.
    pub rows: Vec<Row>,
    /// Totals and geometric mean, or the run metrics.
    pub summary: Vec<Row>,
}

/// Compares reports (at least one; the first is the base): query reports query by query, runs
/// interval by interval with their metrics. Reports of another scale factor, with other
/// queries, or of another kind (a query report and a run, runs of other tests or stream counts)
/// are refused unless `options.force`; forced, a query report and a run compare as query sets
/// (the run's power-test intervals).
pub fn compare(
    reports: &[(String, SavedReport)],
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    let runs = reports
        .iter()
        .all(|(_, r)| matches!(r, SavedReport::Run(_)));
    if runs {
        compare_runs(reports, options)
    } else {
        compare_queries(reports, options)
    }
}

/// Compares reports as query sets, query by query: query reports' iterations, a run's
/// power-test intervals (or its throughput streams' intervals without a power test). What
/// `tpch bench plot` draws as bars.
pub fn compare_queries(
    reports: &[(String, SavedReport)],
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    let mut notes = check_comparable(reports, options)?;
    let times: Vec<Vec<QueryTimes>> = reports.iter().map(|(_, r)| r.query_times()).collect();
    let sets: Vec<BTreeSet<usize>> = times
        .iter()
        .map(|t| t.iter().map(|q| q.query).collect())
        .collect();
    for (i, set) in sets.iter().enumerate().skip(1) {
        if set != &sets[0] {
            let reason = other_queries(&reports[0].0, &sets[0], &reports[i].0, set);
            refuse_unless_forced(options, &mut notes, reason)?;
        }
    }
    let all: BTreeSet<usize> = sets.iter().flatten().copied().collect();
    let mut rows = Vec::new();
    for &q in &all {
        let values = times
            .iter()
            .map(|t| {
                t.iter()
                    .find(|x| x.query == q)
                    .and_then(|x| Measure::of_times(&x.times, options.stat))
            })
            .collect();
        rows.push(Row::new(format!("q{q:02}"), RowKind::Query(q), values));
    }
    let common: Vec<&Row> = rows
        .iter()
        .filter(|r| r.values.iter().all(|v| v.is_some_and(|m| m.value > 0.0)))
        .collect();
    if common.len() < rows.len() {
        notes.push(format!(
            "total and geomean over the {} of {} queries every report has",
            common.len(),
            rows.len()
        ));
    }
    let mut summary = Vec::new();
    if !common.is_empty() {
        let column = |i: usize| common.iter().filter_map(move |r| r.values[i]);
        let totals = (0..reports.len())
            .map(|i| {
                Some(Measure {
                    value: column(i).map(|m| m.value).sum(),
                    low: column(i).map(|m| m.low).sum(),
                    high: column(i).map(|m| m.high).sum(),
                    samples: column(i).map(|m| m.samples).min().unwrap_or(0),
                })
            })
            .collect();
        summary.push(Row::new("total".into(), RowKind::Total, totals));
        let geomeans = (0..reports.len())
            .map(|i| {
                let logs: Vec<f64> = column(i).map(|m| m.value.ln()).collect();
                Some(Measure::single(
                    (logs.iter().sum::<f64>() / logs.len() as f64).exp(),
                ))
            })
            .collect();
        summary.push(Row::new("geomean".into(), RowKind::Geomean, geomeans));
    }
    Ok(finish(reports, options, notes, false, rows, summary))
}

/// Compares TPC-H runs interval by interval: the power test's steps and the test itself, each
/// throughput stream's steps and the stream, the refresh stream's, Ts; then the metrics.
fn compare_runs(
    reports: &[(String, SavedReport)],
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    let notes = check_comparable(reports, options)?;
    let entries: Vec<Vec<(String, f64)>> = reports
        .iter()
        .map(|(_, r)| match r {
            SavedReport::Run(run) => run_intervals(run),
            SavedReport::Queries(_) => Vec::new(),
        })
        .collect();
    let mut names: Vec<String> = Vec::new();
    for list in &entries {
        for (name, _) in list {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let rows = names
        .iter()
        .map(|name| {
            let values = entries
                .iter()
                .map(|list| {
                    list.iter()
                        .find(|(n, _)| n == name)
                        .map(|&(_, s)| Measure::single(s))
                })
                .collect();
            Row::new(name.clone(), RowKind::Interval, values)
        })
        .collect();
    let metric = |f: fn(&RunReport) -> Option<f64>| -> Vec<Option<Measure>> {
        reports
            .iter()
            .map(|(_, r)| match r {
                SavedReport::Run(run) => f(run).map(Measure::single),
                SavedReport::Queries(_) => None,
            })
            .collect()
    };
    let mut summary = Vec::new();
    for (name, values) in [
        ("Power@Size", metric(|r| r.power_at_size)),
        ("Throughput@Size", metric(|r| r.throughput_at_size)),
        ("QphH@Size", metric(|r| r.qphh_at_size)),
    ] {
        if values.iter().any(Option::is_some) {
            summary.push(Row::new(name.into(), RowKind::Metric, values));
        }
    }
    Ok(finish(reports, options, notes, true, rows, summary))
}

/// A run's intervals by row name, in the order they ran.
fn run_intervals(run: &RunReport) -> Vec<(String, f64)> {
    let step_name = |step: &Step| step.name.clone();
    let mut out = Vec::new();
    if let Some(power) = &run.power {
        for step in &power.stream.steps {
            out.push((format!("power {}", step_name(step)), step.seconds));
        }
        out.push(("power test".to_string(), power.stream.seconds));
    }
    if let Some(t) = &run.throughput {
        for (i, stream) in t.query_streams.iter().enumerate() {
            let n = stream.stream.unwrap_or(i + 1);
            for step in &stream.steps {
                out.push((format!("stream {n} {}", step_name(step)), step.seconds));
            }
            out.push((format!("stream {n}"), stream.seconds));
        }
        // RF1/RF2 pairs by position (the sets' numbers depend on the run kind).
        let mut pair = 0;
        for step in &t.refresh_stream.steps {
            if step.name == "RF1" {
                pair += 1;
            }
            out.push((format!("refresh {} #{pair}", step.name), step.seconds));
        }
        out.push(("refresh stream".to_string(), t.refresh_stream.seconds));
        out.push(("Ts".to_string(), t.seconds));
    }
    out
}

/// The comparison's notes on settings that differ; an error for incomparable reports unless
/// forced (then a note).
fn check_comparable(
    reports: &[(String, SavedReport)],
    options: &CompareOptions,
) -> Result<Vec<String>, CompareError> {
    if reports.is_empty() {
        return Err(CompareError::InvalidOption("no reports to compare".into()));
    }
    if !(options.threshold >= 0.0 && options.threshold.is_finite()) {
        return Err(CompareError::InvalidOption(format!(
            "invalid threshold {}: expected a fraction of at least 0",
            options.threshold
        )));
    }
    let mut notes = Vec::new();
    let (base_label, base) = &reports[0];
    for (label, report) in &reports[1..] {
        if report.kind_name() != base.kind_name() {
            let reason = format!(
                "{base_label} is a {}, {label} a {}",
                base.kind_name(),
                report.kind_name()
            );
            refuse_unless_forced(options, &mut notes, reason)?;
        }
        if report.scale_factor() != base.scale_factor() {
            let reason = format!(
                "{base_label} is SF {}, {label} SF {}",
                base.scale_factor(),
                report.scale_factor()
            );
            refuse_unless_forced(options, &mut notes, reason)?;
        }
        if let (SavedReport::Run(a), SavedReport::Run(b)) = (base, report)
            && a.throughput.is_some()
            && b.throughput.is_some()
            && a.streams != b.streams
        {
            let reason = format!(
                "{base_label} has {} query streams, {label} {}",
                a.streams, b.streams
            );
            refuse_unless_forced(options, &mut notes, reason)?;
        }
    }
    let settings: Vec<Vec<(&str, String)>> = reports.iter().map(|(_, r)| r.settings()).collect();
    let mut differ = Vec::new();
    for (k, (name, value)) in settings[0].iter().enumerate() {
        let values: Vec<&str> = settings
            .iter()
            .map(|s| s.get(k).filter(|(n, _)| n == name).map_or("?", |(_, v)| v))
            .collect();
        if values.iter().any(|v| v != value) {
            differ.push(format!("{name} ({})", values.join(" | ")));
            if *name == "seed" {
                notes.push(
                    "the runs' seeds differ, so do their substitution parameters".to_string(),
                );
            }
        }
    }
    if !differ.is_empty() {
        notes.insert(0, format!("differ: {}", differ.join("; ")));
    }
    Ok(notes)
}

fn refuse_unless_forced(
    options: &CompareOptions,
    notes: &mut Vec<String>,
    reason: String,
) -> Result<(), CompareError> {
    if options.force {
        notes.push(format!("forced: {reason}"));
        Ok(())
    } else {
        Err(CompareError::Incomparable(reason))
    }
}

/// `new has other queries than base: without q02, q03; with q23`.
fn other_queries(
    base_label: &str,
    base: &BTreeSet<usize>,
    label: &str,
    set: &BTreeSet<usize>,
) -> String {
    let list = |qs: Vec<&usize>| {
        let mut names: Vec<String> = qs.iter().take(6).map(|q| format!("q{q:02}")).collect();
        if qs.len() > 6 {
            names.push(format!("… ({} in all)", qs.len()));
        }
        names.join(", ")
    };
    let mut parts = Vec::new();
    let missing: Vec<&usize> = base.difference(set).collect();
    if !missing.is_empty() {
        parts.push(format!("without {}", list(missing)));
    }
    let extra: Vec<&usize> = set.difference(base).collect();
    if !extra.is_empty() {
        parts.push(format!("with {}", list(extra)));
    }
    format!(
        "{label} has other queries than {base_label}: {}",
        parts.join("; ")
    )
}

fn finish(
    reports: &[(String, SavedReport)],
    options: &CompareOptions,
    notes: Vec<String>,
    runs: bool,
    mut rows: Vec<Row>,
    mut summary: Vec<Row>,
) -> Comparison {
    for row in rows.iter_mut().chain(summary.iter_mut()) {
        row.judge(options.threshold);
    }
    Comparison {
        labels: reports.iter().map(|(l, _)| l.clone()).collect(),
        descriptions: reports.iter().map(|(_, r)| r.describe()).collect(),
        notes,
        stat: options.stat,
        threshold: options.threshold,
        runs,
        rows,
        summary,
    }
}

impl Comparison {
    /// How many rows (not totals or metrics) of report `i` have each verdict.
    pub fn counts(&self, i: usize) -> VerdictCounts {
        let mut counts = VerdictCounts::default();
        for row in &self.rows {
            match row.verdicts.get(i).copied().flatten() {
                Some(Verdict::Faster) => counts.faster += 1,
                Some(Verdict::Slower) => counts.slower += 1,
                Some(Verdict::NoChange) => counts.no_change += 1,
                None => {}
            }
        }
        counts
    }

    /// The sentence saying what the numbers are and how verdicts are made.
    pub fn rule(&self) -> String {
        // 0.07 · 100 is 7.000000000000001: two decimals at most, trailing zeros dropped.
        let percent = format!("{:.2}", self.threshold * 100.0);
        let percent = percent.trim_end_matches('0').trim_end_matches('.');
        let band = format!(
            "within {percent}% ({:.3}x to {:.3}x)",
            1.0 / (1.0 + self.threshold),
            1.0 + self.threshold
        );
        let base = self.labels.first().map_or("", String::as_str);
        if self.runs {
            format!(
                "TPC-H run intervals in seconds, metrics in queries per hour; ratio = value / \
                 {base}'s (intervals: below 1.00x is faster; metrics: above 1.00x is faster); \
                 no change: {band}"
            )
        } else {
            let stat = match self.stat {
                Stat::Min => "the fastest",
                Stat::Median => "the median",
            };
            format!(
                "TPC-H query times in seconds, {stat} of each query's iterations; ratio = time \
                 / {base}'s (below 1.00x is faster); no change: {band}, or when both have 2+ \
                 iterations whose ranges overlap"
            )
        }
    }

    /// The comparison printed in `format`.
    pub fn render(&self, format: CompareFormat) -> String {
        match format {
            CompareFormat::Table => self.table(),
            CompareFormat::Markdown => self.markdown(),
            CompareFormat::Csv => self.csv(),
        }
    }

    fn first_header(&self) -> &'static str {
        if self.runs { "interval" } else { "query" }
    }

    /// Header cells and each row's cells (rows, then summary rows) for table and Markdown.
    fn cells(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let base = &self.labels[0];
        let mut header = vec![self.first_header().to_string(), base.clone()];
        for label in &self.labels[1..] {
            header.push(label.clone());
            header.push(format!("vs {base}"));
            header.push("verdict".to_string());
        }
        let rows = self
            .rows
            .iter()
            .chain(&self.summary)
            .map(|row| {
                let mut cells = vec![row.name.clone(), value_text(row, 0)];
                for i in 1..self.labels.len() {
                    cells.push(value_text(row, i));
                    cells.push(row.ratios[i].map_or("-".into(), |r| format!("{r:.2}x")));
                    cells.push(row.verdicts[i].map_or("-", Verdict::as_str).to_string());
                }
                cells
            })
            .collect();
        (header, rows)
    }

    fn count_lines(&self) -> Vec<String> {
        (1..self.labels.len())
            .map(|i| {
                let c = self.counts(i);
                format!(
                    "{} vs {}: {} faster, {} slower, {} no change",
                    self.labels[i], self.labels[0], c.faster, c.slower, c.no_change
                )
            })
            .collect()
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.rule());
        let width = self.labels.iter().map(|l| l.chars().count()).max();
        for (label, description) in self.labels.iter().zip(&self.descriptions) {
            let _ = writeln!(
                out,
                "{:<w$}  {description}",
                format!("{label}:"),
                w = width.unwrap_or(0) + 1
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out.push('\n');
        let (header, rows) = self.cells();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        // The first column and the verdicts are text (left), the rest numbers (right).
        let left = |col: usize| col == 0 || (col >= 2 && (col - 2) % 3 == 2);
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(col, cell)| {
                    let pad = widths[col].saturating_sub(cell.chars().count());
                    if left(col) {
                        format!("{cell}{}", " ".repeat(pad))
                    } else {
                        format!("{}{cell}", " ".repeat(pad))
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(&header));
        for (k, row) in rows.iter().enumerate() {
            if k == self.rows.len() && !self.summary.is_empty() {
                let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                let _ = writeln!(out, "{}", "-".repeat(total));
            }
            let _ = writeln!(out, "{}", line(row));
        }
        let counts = self.count_lines();
        if !counts.is_empty() {
            out.push('\n');
            for c in counts {
                let _ = writeln!(out, "{c}");
            }
        }
        out
    }

    fn markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        let _ = writeln!(out, "{}\n", self.rule());
        for (label, description) in self.labels.iter().zip(&self.descriptions) {
            let _ = writeln!(out, "- `{label}`: {}", escape(description));
        }
        for note in &self.notes {
            let _ = writeln!(out, "- note: {}", escape(note));
        }
        out.push('\n');
        let (header, rows) = self.cells();
        let header: Vec<String> = header.iter().map(|h| escape(h)).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let align: Vec<&str> = (0..header.len())
            .map(|col| match col {
                0 => ":---",
                c if c >= 2 && (c - 2) % 3 == 2 => ":---",
                _ => "---:",
            })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for (k, row) in rows.iter().enumerate() {
            let summary = k >= self.rows.len();
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(col, cell)| match (summary, col) {
                    (true, 0) => format!("**{}**", escape(cell)),
                    _ => escape(cell),
                })
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let counts = self.count_lines();
        if !counts.is_empty() {
            out.push('\n');
            for c in counts {
                let _ = writeln!(out, "{c}  ");
            }
        }
        out
    }

    fn csv(&self) -> String {
        let mut header = vec![
            self.first_header().to_string(),
            "unit".to_string(),
            self.labels[0].clone(),
        ];
        for label in &self.labels[1..] {
            header.push(label.clone());
            header.push(format!("{label}_ratio"));
            header.push(format!("{label}_verdict"));
        }
        let mut out = String::new();
        let _ = writeln!(out, "{}", csv_line(&header));
        for row in self.rows.iter().chain(&self.summary) {
            let number = |m: Option<Measure>| match (m, row.kind) {
                (None, _) => String::new(),
                (Some(m), RowKind::Metric) => format!("{:.3}", m.value),
                (Some(m), _) => format!("{:.6}", m.value),
            };
            let unit = if row.kind == RowKind::Metric {
                "q/h"
            } else {
                "s"
            };
            let mut cells = vec![row.name.clone(), unit.to_string(), number(row.values[0])];
            for i in 1..self.labels.len() {
                cells.push(number(row.values[i]));
                cells.push(row.ratios[i].map_or(String::new(), |r| format!("{r:.4}")));
                cells.push(row.verdicts[i].map_or("", Verdict::as_str).to_string());
            }
            let _ = writeln!(out, "{}", csv_line(&cells));
        }
        out
    }
}

/// A row's value of report `i` for the text and Markdown tables.
fn value_text(row: &Row, i: usize) -> String {
    match (row.values[i], row.kind) {
        (None, _) => "-".to_string(),
        (Some(m), RowKind::Metric) => format!("{:.1}", m.value),
        (Some(m), _) => format!("{:.3}", m.value),
    }
}

/// One CSV line (RFC 4180 quoting where needed).
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queries(sf: f64, source: &str, times: &[(usize, &[f64])]) -> SavedReport {
        let queries: Vec<String> = times
            .iter()
            .map(|(q, t)| format!(r#"{{"query": {q}, "times_seconds": {t:?}}}"#))
            .collect();
        let json = format!(
            r#"{{"scale_factor": {sf}, "source": "{source}", "iterations": 3,
                "queries": [{}]}}"#,
            queries.join(",")
        );
        SavedReport::from_json(&json).unwrap()
    }

    fn pair(a: SavedReport, b: SavedReport) -> Vec<(String, SavedReport)> {
        vec![("base".into(), a), ("new".into(), b)]
    }

    #[test]
    fn stats() {
        assert_eq!(Stat::Median.of(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(Stat::Median.of(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(Stat::Min.of(&[4.0, 1.0]), Some(1.0));
        assert_eq!(Stat::Min.of(&[]), None);
        assert_eq!("MIN".parse::<Stat>().unwrap(), Stat::Min);
        assert!("mean".parse::<Stat>().is_err());
        assert_eq!(
            "md".parse::<CompareFormat>().unwrap(),
            CompareFormat::Markdown
        );
    }

    #[test]
    fn verdicts_use_threshold_and_spread() {
        let m = |v: f64, lo: f64, hi: f64, n: usize| Measure {
            value: v,
            low: lo,
            high: hi,
            samples: n,
        };
        let base = m(1.0, 0.9, 1.1, 3);
        // 4% slower: within the threshold.
        assert_eq!(
            verdict(&base, &m(1.04, 1.0, 1.1, 3), false, 0.05),
            Verdict::NoChange
        );
        // 20% faster but the ranges overlap (0.75..0.95 and 0.9..1.1).
        assert_eq!(
            verdict(&base, &m(0.8, 0.75, 0.95, 3), false, 0.05),
            Verdict::NoChange
        );
        // 20% faster, disjoint ranges.
        assert_eq!(
            verdict(&base, &m(0.8, 0.75, 0.85, 3), false, 0.05),
            Verdict::Faster
        );
        // One iteration: the threshold alone.
        assert_eq!(
            verdict(&Measure::single(1.0), &Measure::single(1.2), false, 0.05),
            Verdict::Slower
        );
        // Metrics: higher is faster; the threshold is symmetric in the ratio.
        assert_eq!(
            verdict(&Measure::single(100.0), &Measure::single(110.0), true, 0.05),
            Verdict::Faster
        );
        assert_eq!(
            verdict(&Measure::single(100.0), &Measure::single(95.5), true, 0.05),
            Verdict::NoChange
        );
        assert_eq!(
            verdict(&Measure::single(100.0), &Measure::single(95.0), true, 0.05),
            Verdict::Slower
        );
    }

    #[test]
    fn totals_and_geomean() {
        let a = queries(
            1.0,
            "provider",
            &[(1, &[1.0, 1.0, 1.0]), (6, &[4.0, 4.0, 4.0])],
        );
        let b = queries(
            1.0,
            "memory",
            &[(1, &[2.0, 2.0, 2.0]), (6, &[2.0, 2.0, 2.0])],
        );
        let c = compare(&pair(a, b), &CompareOptions::default()).unwrap();
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].ratios[1], Some(2.0));
        assert_eq!(c.rows[0].verdicts[1], Some(Verdict::Slower));
        assert_eq!(c.rows[1].verdicts[1], Some(Verdict::Faster));
        let total = &c.summary[0];
        assert_eq!(total.values[0].unwrap().value, 5.0);
        assert_eq!(total.values[1].unwrap().value, 4.0);
        assert_eq!(total.ratios[1], Some(0.8));
        let geo = &c.summary[1];
        assert!((geo.values[0].unwrap().value - 2.0).abs() < 1e-12);
        assert!((geo.values[1].unwrap().value - 2.0).abs() < 1e-12);
        assert_eq!(geo.verdicts[1], Some(Verdict::NoChange));
        assert_eq!(
            c.counts(1),
            VerdictCounts {
                faster: 1,
                slower: 1,
                no_change: 0
            }
        );
        assert!(
            c.notes[0].contains("source (provider | memory)"),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn incomparable_reports_are_refused_unless_forced() {
        let a = queries(1.0, "provider", &[(1, &[1.0]), (6, &[1.0])]);
        let sf = queries(0.1, "provider", &[(1, &[1.0]), (6, &[1.0])]);
        let other = queries(1.0, "provider", &[(1, &[1.0]), (3, &[1.0])]);
        let err = compare(&pair(a.clone(), sf.clone()), &CompareOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the reports are not comparable: base is SF 1, new SF 0.1"
        );
        let err = compare(&pair(a.clone(), other.clone()), &CompareOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("new has other queries than base: without q06; with q03"),
            "{err}"
        );
        let forced = CompareOptions {
            force: true,
            ..CompareOptions::default()
        };
        let c = compare(&pair(a, other), &forced).unwrap();
        assert_eq!(c.rows.len(), 3);
        assert_eq!(c.rows[1].values[0], None);
        assert!(c.notes.iter().any(|n| n.starts_with("forced: ")));
        assert!(c.notes.iter().any(|n| n.contains("over the 1 of 3")));
        assert_eq!(c.summary[0].values[0].unwrap().value, 1.0);
        let bad = CompareOptions {
            threshold: -1.0,
            ..CompareOptions::default()
        };
        assert!(compare(&pair(sf.clone(), sf), &bad).is_err());
        assert!(compare(&[], &CompareOptions::default()).is_err());
    }

    #[test]
    fn formats() {
        let a = queries(
            1.0,
            "provider",
            &[(1, &[1.0, 1.1, 1.2]), (6, &[2.0, 2.0, 2.1])],
        );
        let b = queries(1.0, "a,b", &[(1, &[0.5, 0.6, 0.7]), (6, &[2.0, 2.05, 2.1])]);
        let reports = vec![("provider".to_string(), a), ("a,b".to_string(), b)];
        let c = compare(&reports, &CompareOptions::default()).unwrap();
        let csv = c.render(CompareFormat::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "query,unit,provider,\"a,b\",\"a,b_ratio\",\"a,b_verdict\""
        );
        assert_eq!(lines[1], "q01,s,1.100000,0.600000,0.5455,faster");
        assert_eq!(lines[2], "q06,s,2.000000,2.050000,1.0250,no change");
        assert_eq!(lines[3], "total,s,3.100000,2.650000,0.8548,faster");
        // √(1.1·2) = 1.48324 and √(0.6·2.05) = 1.10905: one value each, the threshold alone.
        assert_eq!(lines[4], "geomean,s,1.483240,1.109054,0.7477,faster");
        let table = c.render(CompareFormat::Table);
        assert!(table.contains("within 5% (0.952x to 1.050x)"), "{table}");
        let seven = CompareOptions {
            threshold: 0.07,
            ..CompareOptions::default()
        };
        let rule = compare(&reports, &seven).unwrap().rule();
        assert!(rule.contains("within 7% (0.935x to 1.070x)"), "{rule}");
        let q01: Vec<&str> = table
            .lines()
            .find(|l| l.starts_with("q01"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(q01, ["q01", "1.100", "0.600", "0.55x", "faster"], "{table}");
        assert!(table.contains("a,b vs provider: 1 faster, 0 slower, 1 no change"));
        let md = c.render(CompareFormat::Markdown);
        assert!(md.contains("| query | provider | a,b | vs provider | verdict |"));
        assert!(
            md.contains("| **total** | 3.100 | 2.650 | 0.85x | faster |"),
            "{md}"
        );
    }
}
