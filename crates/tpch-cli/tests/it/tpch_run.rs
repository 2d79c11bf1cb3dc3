//! A TPC-H run: qgen's parameter logs reproduced line for line (several seeds, streams and SFs,
//! and the validation defaults), the streams' queries run on both sources with the same
//! answers, and power/throughput runs whose metrics recompute from their own timings.

use std::process::Command;

use datafusion::prelude::SessionContext;
use datafusion_dbgen::bench::{
    QueryStream, RunKind, RunOptions, RunReport, Source, metrics, run_tpch, tpch_context,
};

use crate::support::tbl_text;

/// TPC qgen 2.14's parameter logs: `(sf, seed, stream, log)`; `None` seed is `qgen -d`.
pub(crate) fn qgen_logs() -> Vec<(f64, Option<u64>, Option<usize>, &'static str)> {
    vec![
        (
            1.0,
            None,
            None,
            include_str!("../../../../testdata/qgen/defaults.tsv"),
        ),
        (
            0.01,
            Some(42),
            Some(0),
            include_str!("../../../../testdata/qgen/sf0.01-seed42-stream0.tsv"),
        ),
        (
            1.0,
            Some(1),
            Some(0),
            include_str!("../../../../testdata/qgen/sf1-seed1-stream0.tsv"),
        ),
        (
            1.0,
            Some(1),
            Some(1),
            include_str!("../../../../testdata/qgen/sf1-seed1-stream1.tsv"),
        ),
        (
            1.0,
            Some(1),
            Some(2),
            include_str!("../../../../testdata/qgen/sf1-seed1-stream2.tsv"),
        ),
        (
            1.0,
            Some(1202155518),
            Some(0),
            include_str!("../../../../testdata/qgen/sf1-seed1202155518-stream0.tsv"),
        ),
        (
            1.0,
            Some(1202155518),
            Some(1),
            include_str!("../../../../testdata/qgen/sf1-seed1202155518-stream1.tsv"),
        ),
        (
            1.0,
            Some(1202155518),
            Some(2),
            include_str!("../../../../testdata/qgen/sf1-seed1202155518-stream2.tsv"),
        ),
    ]
}

#[test]
fn parameters_equal_qgen_logs() {
    for (sf, seed, stream, log) in qgen_logs() {
        let ours = QueryStream::new(sf, seed, stream).unwrap().parameter_log();
        for (i, (a, b)) in ours.lines().zip(log.lines()).enumerate() {
            assert_eq!(
                a,
                b,
                "SF {sf} seed {seed:?} stream {stream:?}, line {}",
                i + 1
            );
        }
        assert_eq!(ours, log, "SF {sf} seed {seed:?} stream {stream:?}");
    }
}

fn tpch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn queries_command() {
    let out = tpch(&[
        "queries", "--sf", "1", "--seed", "1", "--stream", "1", "--format", "params",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        include_str!("../../../../testdata/qgen/sf1-seed1-stream1.tsv")
    );
    // The SQL script: 22 statements in the stream's order, runnable by `tpch query -f`.
    let out = tpch(&["queries", "--sf", "0.01", "--seed", "42", "--stream", "0"]);
    let script = String::from_utf8(out.stdout).unwrap();
    assert_eq!(script.matches(';').count(), 22);
    assert!(script.starts_with("-- Q14\n"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stream.sql");
    std::fs::write(&file, &script).unwrap();
    let ran = tpch(&[
        "query",
        "--sf",
        "0.01",
        "--output-format",
        "csv",
        "-f",
        file.to_str().unwrap(),
    ]);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );

    let out_dir = dir.path().join("params");
    let written = tpch(&[
        "queries",
        "--sf",
        "1",
        "--seed",
        "1",
        "--format",
        "params",
        "--output",
        out_dir.to_str().unwrap(),
    ]);
    assert!(written.status.success());
    let q11 = std::fs::read_to_string(out_dir.join("q11.params")).unwrap();
    assert_eq!(q11, "11\tJAPAN\t0.0001000000\n");
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 22);
    // Existing files are refused before anything is written, unless --overwrite.
    std::fs::write(out_dir.join("q05.params"), "mine\n").unwrap();
    let again = |extra: &[&str]| {
        let mut args = vec!["queries", "--sf", "1", "--seed", "2", "--format", "params"];
        args.extend(["--output", out_dir.to_str().unwrap()]);
        args.extend(extra);
        tpch(&args)
    };
    let refused = again(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("q01.params exists") && stderr.contains("--overwrite"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("q05.params")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("q11.params")).unwrap(),
        q11
    );
    assert!(again(&["--overwrite"]).status.success());
    assert_ne!(
        std::fs::read_to_string(out_dir.join("q05.params")).unwrap(),
        "mine\n"
    );

    for (args, message) in [
        (vec!["--seed", "2147483647"], "2147483647"),
        (vec!["--sf", "0"], "scale factor"),
        (vec!["--format", "xml"], "xml"),
    ] {
        let mut all = vec!["queries"];
        if !args.contains(&"--sf") {
            all.extend(["--sf", "1"]);
        }
        all.extend(args.iter().copied());
        let failed = tpch(&all);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(!failed.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// Each query's rows as sorted `.tbl` text.
async fn answers(ctx: &SessionContext, stream: &QueryStream) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for (n, sql) in stream.numbered_sql() {
        let batches = ctx.sql(sql).await.unwrap().collect().await;
        let batches = batches.unwrap_or_else(|e| panic!("Q{n} of seed {:?}: {e}", stream.seed()));
        let text = String::from_utf8(tbl_text(&batches)).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.sort();
        all.push(lines);
    }
    all
}

/// The streams of a throughput test with `streams` streams (stream s, seed SEED + s) run on
/// both sources and agree.
async fn streams_agree(sf: f64, seed: u64, streams: usize) {
    let memory = tpch_context(&Source::Memory, sf, 2).await.unwrap();
    let provider = tpch_context(&Source::Provider, sf, 2).await.unwrap();
    for s in 0..streams {
        let stream = QueryStream::new(sf, Some(seed + s as u64), Some(s)).unwrap();
        let a = answers(&memory, &stream).await;
        let b = answers(&provider, &stream).await;
        for ((n, _), (x, y)) in stream.numbered_sql().zip(a.iter().zip(&b)) {
            assert_eq!(x, y, "SF {sf} stream {s} Q{n}: memory and provider differ");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_runs_at_sf_0_01() {
    streams_agree(0.01, 1202155518, 41).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "SF 0.1: CI runs it with --include-ignored"]
async fn streams_run_at_sf_0_1() {
    streams_agree(0.1, 1202155518, 3).await;
}

/// Power@Size and Throughput@Size recomputed from the report's own intervals.
fn metrics_recompute(report: &RunReport) {
    if let Some(power) = &report.power {
        let steps = &power.stream.steps;
        assert_eq!(steps.len(), 24);
        assert_eq!(steps[0].name, "RF1");
        assert_eq!(steps[23].name, "RF2");
        let times = |refresh: bool| -> Vec<f64> {
            steps
                .iter()
                .filter(|s| s.refresh_set.is_some() == refresh)
                .map(|s| s.seconds)
                .collect()
        };
        let want = metrics::power_at_size(report.scale_factor, &times(false), &times(true));
        assert_eq!(power.power_at_size, want);
        assert_eq!(report.power_at_size, want);
    }
    if let Some(t) = &report.throughput {
        assert_eq!(t.query_streams.len(), report.streams);
        assert!(t.query_streams.iter().all(|s| s.steps.len() == 22));
        assert_eq!(t.refresh_stream.steps.len(), 2 * report.streams);
        let want = metrics::throughput_at_size(report.scale_factor, report.streams, t.seconds);
        assert_eq!(t.throughput_at_size, want);
    }
    if let (Some(p), Some(t)) = (report.power_at_size, report.throughput_at_size) {
        assert_eq!(report.qphh_at_size, Some(metrics::qphh_at_size(p, t)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_and_full_runs_at_sf_0_01() {
    for (source, run) in [
        (Source::Provider, RunKind::Power),
        (Source::Memory, RunKind::Full),
    ] {
        let options = RunOptions {
            source,
            target_partitions: 2,
            run,
            seed: Some(101000000),
            ..RunOptions::new(0.01)
        };
        let report = run_tpch(&options).await.unwrap();
        metrics_recompute(&report);
        assert!(report.power_at_size.is_some_and(|p| p > 0.0));
        // Stream 0 runs the queries in Appendix A's order with seed 101000000's parameters.
        let power = report.power.as_ref().unwrap();
        let names: Vec<&str> = power.stream.steps[1..4]
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["Q14", "Q2", "Q9"]);
        let json = report.to_json();
        assert!(json.contains("\"power_at_size\""), "{json}");
        if run == RunKind::Full {
            assert_eq!(report.streams, 2);
            assert!(report.qphh_at_size.is_some());
            assert!(json.contains("\"qphh_at_size\""));
        }
    }
    let bad = RunOptions {
        source: Source::Parquet("/nonexistent".into()),
        ..RunOptions::new(0.01)
    };
    let err = run_tpch(&bad).await.unwrap_err();
    assert!(err.to_string().contains("DELETE"), "{err}");
    // More streams than dbgen has refresh sets: refused at once, before loading anything.
    let too_many = RunOptions {
        streams: Some(1000),
        ..RunOptions::new(0.01)
    };
    let started = std::time::Instant::now();
    let err = run_tpch(&too_many).await.unwrap_err();
    assert!(err.to_string().contains("at most 998"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn bench_run_command() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = tpch(&[
        "bench",
        "--sf",
        "0.01",
        "--run",
        "power",
        "--seed",
        "7",
        "--source",
        "memory",
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Power@Size"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["seed"], 7);
    assert!(report["power_at_size"].as_f64().unwrap() > 0.0);
    assert!(report["qphh_at_size"].is_null());
    let steps = report["power"]["stream"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 24);
    for (args, message) in [
        (
            vec!["--run", "power", "--verify"],
            "does not apply to --run",
        ),
        (vec!["--streams", "2"], "apply to --run"),
        (
            vec!["--run", "full", "--source", "parquet:/nonexistent"],
            "DELETE",
        ),
        (vec!["--run", "sprint"], "sprint"),
    ] {
        let mut all = vec!["bench", "--sf", "0.01"];
        all.extend(args.iter().copied());
        let failed = tpch(&all);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(!failed.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
