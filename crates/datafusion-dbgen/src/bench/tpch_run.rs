//! A TPC-H run as clause 5.3 defines it: the power test (RF1, the 22 queries of stream 0 in its
//! order, RF2, each timed), the throughput test (S query streams in parallel, stream `s` with
//! seed `SEED + s`, and one refresh stream running S RF1/RF2 pairs), and the metrics
//! Power@Size, Throughput@Size and QphH@Size (clause 5.4, [`super::metrics`]).
//!
//! Refresh sets are used in order: the power test runs set 1, the throughput test the next S
//! (a throughput test alone starts at set 1). The substitution parameters are qgen's for the
//! seed ([`tpch_dbgen::qgen`]). Without a seed, the spec's rule: the time the database load ended,
//! as `mmddhhmmss` (UTC).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use super::error::BenchError;
use super::machine::Machine;
use super::metrics::{minimum_streams, power_at_size, qphh_at_size, throughput_at_size};
use super::refresh::{Refresher, refreshable_context};
use super::source::Source;
use tpch_dbgen::qgen::QueryStream;
use tpch_dbgen::{Date, ScaleFactor};

/// Which tests a run has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// The power test alone.
    Power,
    /// The throughput test alone.
    Throughput,
    /// The power test, then the throughput test (a TPC-H run).
    Full,
}

impl std::str::FromStr for RunKind {
    type Err = BenchError;

    fn from_str(s: &str) -> Result<Self, BenchError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "power" => Ok(RunKind::Power),
            "throughput" => Ok(RunKind::Throughput),
            "full" => Ok(RunKind::Full),
            _ => Err(BenchError::InvalidOption(format!(
                "invalid run '{s}': expected power, throughput or full"
            ))),
        }
    }
}

/// What [`run_tpch`] runs.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// The scale factor.
    pub sf: f64,
    /// Where the tables come from (`memory` or `provider`: the refresh functions change them).
    pub source: Source,
    /// DataFusion's `target_partitions`.
    pub target_partitions: usize,
    /// The tests.
    pub run: RunKind,
    /// Query streams of the throughput test (`None`: the spec's minimum for the SF).
    pub streams: Option<usize>,
    /// qgen's seed (`None`: the load's end time as `mmddhhmmss`).
    pub seed: Option<u64>,
}

impl RunOptions {
    /// A full run at `sf` on the provider source with the spec's defaults.
    pub fn new(sf: f64) -> Self {
        RunOptions {
            sf,
            source: Source::Provider,
            target_partitions: std::thread::available_parallelism().map_or(1, |n| n.get()),
            run: RunKind::Full,
            streams: None,
            seed: None,
        }
    }
}

/// One timed step of a stream: a query or a refresh function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// `Q1` … `Q22`, `RF1` or `RF2`.
    pub name: String,
    /// The refresh set, for RF1 and RF2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_set: Option<u32>,
    /// Rows returned (queries) or rows changed (refresh functions: orders plus line items).
    pub rows: u64,
    /// The timing interval, seconds.
    pub seconds: f64,
    /// When the step started, seconds from the start of its test (the power test's or the
    /// throughput test's; `None` in reports written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_seconds: Option<f64>,
    /// When the step ended, seconds from the start of its test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_seconds: Option<f64>,
}

/// One stream's steps in the order they ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamReport {
    /// The query stream's number (its query order), or `None` for the refresh stream.
    pub stream: Option<usize>,
    /// qgen's seed of the stream's parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The steps.
    pub steps: Vec<Step>,
    /// From the stream's start to its end, seconds.
    pub seconds: f64,
    /// When the stream started, seconds from the start of its test (`None` in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_seconds: Option<f64>,
}

/// The power test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerReport {
    /// RF1, the 22 queries of stream 0, RF2.
    pub stream: StreamReport,
    /// Power@Size.
    pub power_at_size: Option<f64>,
}

/// The throughput test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThroughputReport {
    /// The query streams 1..=S.
    pub query_streams: Vec<StreamReport>,
    /// The refresh stream's RF1/RF2 pairs.
    pub refresh_stream: StreamReport,
    /// Ts, the measurement interval: from the first stream's start to the last one's end.
    pub seconds: f64,
    /// Throughput@Size.
    pub throughput_at_size: Option<f64>,
}

/// A TPC-H run's timings and metrics, serialised as the JSON report ([`RunReport::to_json`])
/// and read back with serde. The fields marked "newer" are missing from reports written before
/// they were recorded; such reports still load (empty strings, `None`, 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// `datafusion-dbgen` (newer).
    #[serde(rename = "crate", default)]
    pub crate_name: String,
    /// This crate's version (newer).
    #[serde(default)]
    pub crate_version: String,
    /// `datafusion` (newer).
    #[serde(default)]
    pub engine: String,
    /// DataFusion's version (newer).
    #[serde(default)]
    pub engine_version: String,
    /// When the run started, seconds since the Unix epoch (newer).
    #[serde(default)]
    pub started_unix_seconds: u64,
    /// The machine (newer).
    #[serde(default)]
    pub machine: Option<Machine>,
    /// The scale factor.
    pub scale_factor: f64,
    /// The source of the tables (`provider`, `memory`).
    pub source: String,
    /// `target_partitions`.
    pub target_partitions: usize,
    /// DataFusion's `batch_size` (newer).
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// The tests run.
    pub run: RunKind,
    /// The seed (stream 0's; stream s uses seed + s).
    pub seed: u64,
    /// Query streams of the throughput test.
    pub streams: usize,
    /// Seconds to set the tables up (the load: generating them into memory for `memory`).
    pub load_seconds: f64,
    /// The power test.
    pub power: Option<PowerReport>,
    /// The throughput test.
    pub throughput: Option<ThroughputReport>,
    /// Power@Size (power test).
    pub power_at_size: Option<f64>,
    /// Throughput@Size (throughput test).
    pub throughput_at_size: Option<f64>,
    /// QphH@Size (a full run).
    pub qphh_at_size: Option<f64>,
}

impl RunReport {
    /// The report as pretty-printed JSON (what `tpch bench --run … --json FILE` writes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Seconds the refresh functions took, and the whole run's seconds (power plus throughput
    /// intervals): the refresh functions' share of the run.
    pub fn refresh_share(&self) -> (f64, f64) {
        let refresh_seconds = |s: &StreamReport| -> f64 {
            s.steps
                .iter()
                .filter(|step| step.refresh_set.is_some())
                .map(|step| step.seconds)
                .sum()
        };
        let mut refresh = 0.0;
        let mut total = 0.0;
        if let Some(p) = &self.power {
            refresh += refresh_seconds(&p.stream);
            total += p.stream.seconds;
        }
        if let Some(t) = &self.throughput {
            refresh += refresh_seconds(&t.refresh_stream);
            total += t.seconds;
        }
        (refresh, total)
    }
}

impl std::fmt::Display for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "TPC-H {:?} run: SF {}, source {}, {} partitions, seed {}, {} throughput streams \
             (load {:.2} s)",
            self.run,
            self.scale_factor,
            self.source,
            self.target_partitions,
            self.seed,
            self.streams,
            self.load_seconds
        )?;
        let stream_line = |f: &mut std::fmt::Formatter<'_>, s: &StreamReport| {
            let label = match s.stream {
                Some(n) => format!("stream {n}"),
                None => "refresh".to_string(),
            };
            let steps: Vec<String> = s
                .steps
                .iter()
                .map(|step| match step.refresh_set {
                    Some(set) => format!("{}({set}) {:.3}", step.name, step.seconds),
                    None => format!("{} {:.3}", step.name, step.seconds),
                })
                .collect();
            writeln!(f, "  {label:<9} {:>8.3} s: {}", s.seconds, steps.join(", "))
        };
        if let Some(p) = &self.power {
            writeln!(f, "power test")?;
            stream_line(f, &p.stream)?;
        }
        if let Some(t) = &self.throughput {
            writeln!(f, "throughput test: Ts = {:.3} s", t.seconds)?;
            for s in t.query_streams.iter().chain([&t.refresh_stream]) {
                stream_line(f, s)?;
            }
        }
        let metric = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        let (refresh, total) = self.refresh_share();
        writeln!(
            f,
            "Power@Size {}  Throughput@Size {}  QphH@Size {}  (refresh functions {:.3} s of {:.3} s)",
            metric(self.power_at_size),
            metric(self.throughput_at_size),
            metric(self.qphh_at_size),
            refresh,
            total
        )
    }
}

/// Runs the tests `options` asks for on a fresh session (see the module docs).
pub async fn run_tpch(options: &RunOptions) -> Result<RunReport, BenchError> {
    let sf = ScaleFactor::try_new(options.sf)?;
    let streams = options
        .streams
        .unwrap_or_else(|| minimum_streams(options.sf));
    if streams == 0 {
        return Err(BenchError::InvalidOption(
            "a throughput test needs at least one query stream".into(),
        ));
    }
    // One refresh set per stream, plus the power test's: refused before any work, not when the
    // refresh stream reaches a set dbgen does not have.
    let max_streams = tpch_dbgen::refresh::MAX_REFRESH_SETS as usize - 1;
    if streams > max_streams {
        return Err(BenchError::InvalidOption(format!(
            "{streams} query streams: at most {max_streams} (each stream's refresh pair uses \
             one of dbgen's {} refresh sets, and the power test one more)",
            tpch_dbgen::refresh::MAX_REFRESH_SETS
        )));
    }
    let started_unix_seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let loading = Instant::now();
    let (ctx, refresher) =
        refreshable_context(&options.source, &sf, options.target_partitions).await?;
    let load_seconds = loading.elapsed().as_secs_f64();
    let seed = options.seed.unwrap_or_else(load_end_seed);
    let (with_power, with_throughput) = match options.run {
        RunKind::Power => (true, false),
        RunKind::Throughput => (false, true),
        RunKind::Full => (true, true),
    };
    // Check every stream's parameters before timing anything.
    let query_stream = |s: usize| QueryStream::new(sf, Some(seed + s as u64), Some(s));
    let power_queries = with_power.then(|| query_stream(0)).transpose()?;
    let throughput_queries = match with_throughput {
        true => (1..=streams)
            .map(query_stream)
            .collect::<Result<Vec<_>, _>>()?,
        false => Vec::new(),
    };
    let mut next_set = 1u32;
    let power = match power_queries {
        Some(queries) => {
            let set = next_set;
            next_set += 1;
            let stream = power_test(&ctx, &refresher, &queries, seed, set).await?;
            let times = |refresh: bool| -> Vec<f64> {
                stream
                    .steps
                    .iter()
                    .filter(|s| s.refresh_set.is_some() == refresh)
                    .map(|s| s.seconds)
                    .collect()
            };
            let power_at_size = power_at_size(sf.value(), &times(false), &times(true));
            Some(PowerReport {
                stream,
                power_at_size,
            })
        }
        None => None,
    };
    let throughput = match with_throughput {
        true => Some(throughput_test(&ctx, &refresher, throughput_queries, seed, next_set).await?),
        false => None,
    };
    let power_at_size = power.as_ref().and_then(|p| p.power_at_size);
    let throughput_at_size = throughput.as_ref().and_then(|t| t.throughput_at_size);
    let qphh_at_size = match (power_at_size, throughput_at_size) {
        (Some(p), Some(t)) => Some(qphh_at_size(p, t)),
        _ => None,
    };
    Ok(RunReport {
        crate_name: "datafusion-dbgen".to_string(),
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        engine: "datafusion".to_string(),
        engine_version: datafusion::DATAFUSION_VERSION.to_string(),
        started_unix_seconds,
        machine: Some(Machine::current()),
        scale_factor: sf.value(),
        source: options.source.to_string(),
        target_partitions: options.target_partitions,
        batch_size: Some(ctx.state().config().batch_size()),
        run: options.run,
        seed,
        streams,
        load_seconds,
        power,
        throughput,
        power_at_size,
        throughput_at_size,
        qphh_at_size,
    })
}

/// RF1, the stream's queries in order, RF2.
async fn power_test(
    ctx: &SessionContext,
    refresher: &Refresher,
    queries: &QueryStream,
    seed: u64,
    set: u32,
) -> Result<StreamReport, BenchError> {
    let started = Instant::now();
    let mut steps = vec![rf1(refresher, set, started).await?];
    for (number, sql) in queries.numbered_sql() {
        steps.push(run_step(ctx, number, sql, started).await?);
    }
    steps.push(rf2(refresher, set, started).await?);
    Ok(StreamReport {
        stream: Some(0),
        seed: Some(seed),
        steps,
        seconds: started.elapsed().as_secs_f64(),
        start_seconds: Some(0.0),
    })
}

/// The query streams in parallel with the refresh stream (sets `first_set ..`).
async fn throughput_test(
    ctx: &SessionContext,
    refresher: &Refresher,
    streams: Vec<QueryStream>,
    seed: u64,
    first_set: u32,
) -> Result<ThroughputReport, BenchError> {
    let count = streams.len();
    let sf = refresher.scale_factor().value();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, queries) in streams.into_iter().enumerate() {
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            let stream_start = Instant::now();
            let mut steps = Vec::new();
            for (number, sql) in queries.numbered_sql() {
                steps.push(run_step(&ctx, number, sql, started).await?);
            }
            Ok::<_, BenchError>(StreamReport {
                stream: Some(i + 1),
                seed: Some(seed + i as u64 + 1),
                steps,
                seconds: stream_start.elapsed().as_secs_f64(),
                start_seconds: Some(offset(started, stream_start)),
            })
        }));
    }
    let refresher = refresher.clone();
    let refresh = tokio::spawn(async move {
        let stream_start = Instant::now();
        let mut steps = Vec::new();
        for set in first_set..first_set + count as u32 {
            steps.push(rf1(&refresher, set, started).await?);
            steps.push(rf2(&refresher, set, started).await?);
        }
        Ok::<_, BenchError>(StreamReport {
            stream: None,
            seed: None,
            steps,
            seconds: stream_start.elapsed().as_secs_f64(),
            start_seconds: Some(offset(started, stream_start)),
        })
    });
    let mut query_streams = Vec::with_capacity(count);
    for task in tasks {
        query_streams.push(joined(task.await)?);
    }
    let refresh_stream = joined(refresh.await)?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(ThroughputReport {
        query_streams,
        refresh_stream,
        seconds,
        throughput_at_size: throughput_at_size(sf, count, seconds),
    })
}

fn joined<T>(
    result: Result<Result<T, BenchError>, tokio::task::JoinError>,
) -> Result<T, BenchError> {
    result.map_err(|e| BenchError::InvalidOption(format!("a stream of the run failed: {e}")))?
}

/// Seconds from `test_start` to `at`.
fn offset(test_start: Instant, at: Instant) -> f64 {
    at.saturating_duration_since(test_start).as_secs_f64()
}

/// Query `number` of a stream, timed; its start and end as offsets from `test_start`.
async fn run_step(
    ctx: &SessionContext,
    number: usize,
    sql: &str,
    test_start: Instant,
) -> Result<Step, BenchError> {
    let started = Instant::now();
    let batches = ctx.sql(sql).await?.collect().await?;
    let ended = Instant::now();
    Ok(Step {
        name: format!("Q{number}"),
        refresh_set: None,
        rows: batches.iter().map(|b| b.num_rows() as u64).sum(),
        seconds: (ended - started).as_secs_f64(),
        start_seconds: Some(offset(test_start, started)),
        end_seconds: Some(offset(test_start, ended)),
    })
}

async fn rf1(refresher: &Refresher, set: u32, test_start: Instant) -> Result<Step, BenchError> {
    let started = Instant::now();
    let counts = refresher.rf1(set).await?;
    Ok(refresh_step(
        "RF1",
        set,
        counts.orders + counts.lineitems,
        (test_start, started),
    ))
}

async fn rf2(refresher: &Refresher, set: u32, test_start: Instant) -> Result<Step, BenchError> {
    let started = Instant::now();
    let counts = refresher.rf2(set).await?;
    Ok(refresh_step(
        "RF2",
        set,
        counts.orders + counts.lineitems,
        (test_start, started),
    ))
}

/// A refresh function's step that started at `started` (the second of `times`) and ends now.
fn refresh_step(name: &str, set: u32, rows: u64, times: (Instant, Instant)) -> Step {
    let (test_start, started) = times;
    let ended = Instant::now();
    Step {
        name: name.to_string(),
        refresh_set: Some(set),
        rows,
        seconds: (ended - started).as_secs_f64(),
        start_seconds: Some(offset(test_start, started)),
        end_seconds: Some(offset(test_start, ended)),
    }
}

/// The spec's default seed: the time the load ended, `mmddhhmmss` (UTC).
fn load_end_seed() -> u64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    seed_at(secs)
}

/// `mmddhhmmss` of the UTC time `secs` after the epoch.
fn seed_at(secs: u64) -> u64 {
    let (_, month, day) = Date((secs / 86_400) as i32).ymd();
    let of_day = secs % 86_400;
    let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    (((u64::from(month) * 100 + u64::from(day)) * 100 + h) * 100 + m) * 100 + s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_mmddhhmmss() {
        // 2026-12-03 18:45:58 UTC.
        assert_eq!(seed_at(1_796_323_558), 1_203_184_558);
        // 0101000000 (Jan 1st, midnight) is the seed of TPC's reference runs.
        assert_eq!(seed_at(1_767_225_600), 101_000_000);
    }

    #[test]
    fn run_kinds_parse() {
        assert_eq!("Full".parse::<RunKind>().unwrap(), RunKind::Full);
        assert!("fast".parse::<RunKind>().is_err());
    }
}
