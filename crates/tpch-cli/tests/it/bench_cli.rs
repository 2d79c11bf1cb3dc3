//! `tpch bench` and `tpch query`, and the `bench` library API behind them: the 22 queries verify
//! at SF 0.01 from every source, a wrong answer fails `--verify` with a non-zero exit, the JSON
//! report parses and has every field, and `tpch query` prints results as table, CSV and JSON.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use datafusion_dbgen::ScaleFactor;
use datafusion_dbgen::bench::{
    AnswerSet, BenchOptions, BenchReport, Source, Verification, answer, check_answer, query,
    run_benchmark, run_query, tpch_context,
};
use datafusion_dbgen::export::{Exporter, Format};

const SF: f64 = 0.01;

fn tpch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(args)
        .output()
        .expect("run tpch")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs all 22 queries from `source` through the library and asserts every one verifies.
async fn verify_all(source: Source) -> BenchReport {
    let options = BenchOptions {
        source,
        target_partitions: 2,
        verify: Some(AnswerSet::Embedded),
        ..BenchOptions::new(SF)
    };
    let report = run_benchmark(&options).await.expect("benchmark runs");
    eprintln!("{report}");
    assert_eq!(report.queries.len(), 22);
    assert!(report.all_passed(), "failures:\n{report}");
    assert_eq!(report.count("passed"), 22);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_queries_verify_from_the_provider() {
    verify_all(Source::Provider).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_queries_verify_from_memory() {
    let report = verify_all(Source::Memory).await;
    assert!(report.setup > std::time::Duration::ZERO);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_queries_verify_from_parquet() {
    let dir = tempfile::tempdir().unwrap();
    Exporter::new(ScaleFactor::try_new(SF).unwrap())
        .format(Format::Parquet)
        .output(dir.path())
        .run()
        .expect("export parquet");
    verify_all(Source::Parquet(dir.path().to_path_buf())).await;

    // Several files per table (`<table>/part-NNN.parquet`) work too.
    let split = tempfile::tempdir().unwrap();
    Exporter::new(ScaleFactor::try_new(SF).unwrap())
        .format(Format::Parquet)
        .files_per_table(2)
        .output(split.path())
        .run()
        .expect("export parquet in 2 files per table");
    let ctx = tpch_context(&Source::Parquet(split.path().to_path_buf()), SF, 2)
        .await
        .unwrap();
    let (batches, _) = run_query(&ctx, 1).await.unwrap();
    check_answer(&batches, answer(SF, 1).unwrap()).unwrap();

    // Data of another scale factor is refused; a directory without the tables too.
    let err = tpch_context(&Source::Parquet(dir.path().to_path_buf()), 0.1, 2)
        .await
        .err()
        .expect("SF 0.1 refused");
    assert!(err.to_string().contains("another scale factor"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let err = tpch_context(&Source::Parquet(empty.path().to_path_buf()), SF, 2)
        .await
        .err()
        .expect("empty directory refused");
    assert!(
        err.to_string().contains("no Parquet data for table"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_check_answer_names_the_difference() {
    let ctx = tpch_context(&Source::Provider, SF, 2).await.unwrap();
    let (batches, _) = run_query(&ctx, 3).await.unwrap();
    let good = answer(SF, 3).unwrap();
    check_answer(&batches, good).unwrap();
    // Row 2's revenue (column 2) changed.
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[2].split('|').map(str::to_string).collect();
    let real = fields[1].clone();
    fields[1] = "1.0000".into();
    lines[2] = fields.join("|");
    let err = check_answer(&batches, &lines.join("\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("row 2, column 2 (revenue): expected \"1.0000\", got \"{real}\"")
    );
    // A missing row.
    let err = check_answer(&batches, &lines[..lines.len() - 1].join("\n")).unwrap_err();
    assert_eq!(err.to_string(), "expected 9 rows, got 10");

    assert!(query(0).is_err() && query(23).is_err());
    assert!(run_query(&ctx, 23).await.is_err());
    assert!(answer(0.5, 1).is_none());
    // No embedded answer at SF 0.02: "no answer", not a failure.
    let options = BenchOptions {
        queries: vec![6],
        target_partitions: 2,
        verify: Some(AnswerSet::Embedded),
        ..BenchOptions::new(0.02)
    };
    let report = run_benchmark(&options).await.unwrap();
    assert_eq!(report.queries[0].verification, Verification::NoAnswer);
    assert!(report.all_passed());
}

#[test]
fn cli_bench_verifies_and_writes_a_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("report.json");
    let out = tpch(&[
        "bench",
        "--sf",
        "0.01",
        "--verify",
        "--target-partitions",
        "2",
        "--json",
        json_path.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("source provider"), "{stdout}");
    assert!(stdout.contains("22 passed"), "{stdout}");
    for n in 1..=22 {
        assert!(
            stdout.contains(&format!("q{n:02} ")),
            "q{n:02} missing:\n{stdout}"
        );
    }

    let report = std::fs::read_to_string(&json_path).unwrap();
    let top: serde_json::Value =
        serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}\n{report}"));
    for key in [
        "crate",
        "crate_version",
        "engine",
        "engine_version",
        "scale_factor",
        "source",
        "source_path",
        "target_partitions",
        "iterations",
        "verify",
        "answers",
        "setup_seconds",
        "started_unix_seconds",
        "host_cpus",
        "queries",
        "summary",
    ] {
        assert!(top.get(key).is_some(), "no {key} in\n{report}");
    }
    assert_eq!(top["crate"], "datafusion-dbgen");
    assert_eq!(top["crate_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(top["engine"], "datafusion");
    assert_eq!(top["engine_version"], datafusion::DATAFUSION_VERSION);
    assert_eq!(top["scale_factor"], 0.01);
    assert_eq!(top["source"], "provider");
    assert!(top["source_path"].is_null());
    assert_eq!(top["target_partitions"], 2);
    assert_eq!(top["verify"], true);
    assert_eq!(top["answers"], "embedded");
    let queries = top["queries"].as_array().expect("queries array");
    assert_eq!(queries.len(), 22);
    for (i, q) in queries.iter().enumerate() {
        assert_eq!(q["query"], i + 1);
        assert_eq!(q["name"], format!("q{:02}", i + 1));
        assert!(q["rows"].as_u64().is_some_and(|r| r >= 1), "{q}");
        assert_eq!(q["times_seconds"].as_array().map(Vec::len), Some(1));
        for key in ["min_seconds", "median_seconds", "max_seconds"] {
            assert!(q[key].as_f64().is_some_and(|t| t > 0.0), "{key}");
        }
        assert_eq!(q["verification"], "passed");
        assert!(q["message"].is_null());
    }
    let summary = &top["summary"];
    assert_eq!(summary["passed"], 22);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["all_passed"], true);
    for key in [
        "queries",
        "errors",
        "no_answer",
        "not_checked",
        "total_min_seconds",
        "total_median_seconds",
    ] {
        assert!(summary.get(key).is_some(), "summary has no {key}");
    }
}

/// Copies the embedded SF 0.01 answers of `queries` into `dir`.
fn write_answers(dir: &Path, queries: &[usize]) {
    for &n in queries {
        std::fs::write(dir.join(format!("q{n:02}.csv")), answer(SF, n).unwrap()).unwrap();
    }
}

#[test]
fn cli_bench_fails_on_a_wrong_answer() {
    let dir = tempfile::tempdir().unwrap();
    write_answers(dir.path(), &[1, 6]);
    let answers = dir.path().to_str().unwrap();
    let json_path = dir.path().join("report.json");
    let json_arg = json_path.to_str().unwrap();
    let args = |queries| {
        vec![
            "bench",
            "--sf",
            "0.01",
            "--queries",
            queries,
            "--iterations",
            "2",
            "--target-partitions",
            "2",
            "--answers",
            answers,
            "--json",
            json_arg,
        ]
    };

    // The true answers pass (and --iterations 2 gives two times per query).
    let out = tpch(&args("1,6"));
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let report = std::fs::read_to_string(&json_path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&report).unwrap();
    for q in value["queries"].as_array().unwrap() {
        assert_eq!(q["times_seconds"].as_array().map(Vec::len), Some(2));
    }

    // Q6's revenue changed: --verify fails, names the query, row and column, and exits non-zero.
    std::fs::write(dir.path().join("q06.csv"), "revenue\n1193053.99\n").unwrap();
    let out = tpch(&args("1,6"));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "q06 failed: row 1, column 1 (revenue): expected \"1193053.99\", got \"1193053.2253\""
        ),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("error: 1 of 2 queries failed: q06"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(&json_path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&report).unwrap();
    let q6 = &value["queries"][1];
    assert_eq!(q6["verification"], "failed");
    assert!(
        q6["message"]
            .as_str()
            .is_some_and(|m| m.contains("expected \"1193053.99\"")),
        "{q6}"
    );
    assert_eq!(value["summary"]["all_passed"], false);

    // A query without a file in the directory is refused before anything runs, naming the
    // file (issue 30, item 15: it used to pass as "no answer").
    let out = tpch(&args("1,2"));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("q02.csv") && stderr.contains("no answer file"),
        "{stderr}"
    );
    // And so is --verify at a scale factor without embedded answers.
    let out = tpch(&["bench", "--sf", "0.02", "--verify", "--queries", "6"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no embedded answer for q06 at SF 0.02"));

    // Bad options fail with one `error:` line.
    for bad in [
        &["bench", "--sf", "0.01", "--queries", "0"][..],
        // An empty selection is an error, not every query (nor, for gen, no table at all).
        &["bench", "--sf", "0.01", "--queries", ""],
        &[
            "gen",
            "--sf",
            "0.01",
            "--tables",
            "",
            "--output",
            "/nonexistent/tpch-empty",
        ],
        &["bench", "--sf", "0.01", "--source", "csv:/x"],
        &["bench", "--sf", "0.01", "--answers", "/nonexistent/answers"],
        &[
            "bench",
            "--sf",
            "0.01",
            "--source",
            "parquet:/nonexistent/dir",
        ],
        &["bench", "--sf", "0.01", "--iterations", "0"],
    ] {
        let out = tpch(bad);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{bad:?}");
        assert_eq!(stderr.lines().count(), 1, "{bad:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{bad:?}: {stderr}");
    }
}

#[test]
fn cli_query_prints_results() {
    // Table format.
    let out = tpch(&[
        "query",
        "--sf",
        "0.01",
        "-e",
        "SELECT r_name FROM region ORDER BY r_regionkey",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("| r_name      |"), "{stdout}");
    assert!(stdout.contains("| MIDDLE EAST |"), "{stdout}");

    // CSV: header, commas, decimals and dates as DataFusion prints them; two statements.
    let out = tpch(&[
        "query",
        "--sf",
        "0.01",
        "--output-format",
        "csv",
        "-e",
        "SELECT o_orderkey, o_totalprice, o_orderdate FROM orders ORDER BY o_orderkey LIMIT 2; \
         SELECT count(*) AS n FROM nation",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "o_orderkey,o_totalprice,o_orderdate\n1,172799.49,1996-01-02\n2,38426.09,1996-12-01\n\nn\n25\n"
    );

    // JSON: one object per row.
    let out = tpch(&[
        "query",
        "--sf",
        "0.01",
        "--output-format",
        "json",
        "-e",
        "SELECT n_nationkey, n_name FROM nation WHERE n_nationkey < 2 ORDER BY 1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"n_nationkey\":0,\"n_name\":\"ALGERIA\"}\n{\"n_nationkey\":1,\"n_name\":\"ARGENTINA\"}\n"
    );

    // A file of statements runs in order: a view, then COPY ... TO, then a query of the view.
    let dir = tempfile::tempdir().unwrap();
    let copied = dir.path().join("asia.csv");
    let sql = format!(
        "-- a comment; with a semicolon\n\
         CREATE VIEW asia AS SELECT n_name FROM nation JOIN region ON n_regionkey = r_regionkey \
           WHERE r_name = 'ASIA';\n\
         COPY (SELECT * FROM asia ORDER BY n_name) TO '{}' STORED AS CSV;\n\
         SELECT count(*) AS nations FROM asia;\n",
        copied.display()
    );
    let file = dir.path().join("statements.sql");
    std::fs::write(&file, sql).unwrap();
    let out = tpch(&[
        "query",
        "--sf",
        "0.01",
        "--output-format",
        "csv",
        "-f",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with("nations\n5\n"),
        "{}",
        text(&out.stdout)
    );
    let written = std::fs::read_to_string(&copied).unwrap();
    assert_eq!(written, "n_name\nCHINA\nINDIA\nINDONESIA\nJAPAN\nVIETNAM\n");

    // Errors: one line, non-zero exit.
    for bad in [
        &["query", "--sf", "0.01", "-e", "SELECT nope FROM nation"][..],
        &[
            "query",
            "--sf",
            "0.01",
            "--output-format",
            "xml",
            "-e",
            "SELECT 1",
        ],
        &["query", "--sf", "0", "-e", "SELECT 1"],
        &["query", "--sf", "0.01", "-f", "/nonexistent.sql"],
    ] {
        let out = tpch(bad);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{bad:?}");
        assert_eq!(stderr.lines().count(), 1, "{bad:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{bad:?}: {stderr}");
    }
}

#[test]
fn cli_query_prompt_reads_statements_from_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(["query", "--sf", "0.01", "--output-format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT count(*) AS n\n  FROM region;\nSELECT nope;\nSELECT 40 + 2 AS answer;\n\\q\nSELECT 'not run';\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(stdout, "n\n5\nanswer\n42\n");
    assert!(
        text(&out.stderr).contains("error: "),
        "the bad statement's error is printed"
    );
}

/// The part files `dir` holds, in chunk order (`part-<i>.<ext>`).
fn parts_in_order(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut parts: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let index = name
                .strip_prefix("part-")?
                .strip_suffix(ext)?
                .parse()
                .ok()?;
            Some((index, p))
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, p)| p).collect()
}

#[test]
fn cli_query_copies_through_the_crates_writer() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let target = |name: &str| format!("{}/{name}/", dir.path().display());
    // EXPLAIN shows the crate's parallel writer, not DataFusion's single-stream DataSinkExec.
    let sql = format!(
        "EXPLAIN COPY lineitem TO '{}' STORED AS PARQUET",
        target("li")
    );
    let out = tpch(&["query", "--sf", "0.01", "-e", &sql]);
    let plan = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(plan.contains("TpchCopyExec"), "{plan}");
    assert!(!plan.contains("DataSinkExec"), "{plan}");
    // --copy-writer datafusion keeps DataFusion's own writer (the benchmark's anchor).
    let out = tpch(&[
        "query",
        "--sf",
        "0.01",
        "--copy-writer",
        "datafusion",
        "-e",
        &sql,
    ]);
    let plan = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        plan.contains("DataSinkExec") && !plan.contains("TpchCopyExec"),
        "{plan}"
    );
    // TBL parts concatenate to dbgen's lineitem at SF 0.1.
    let sql = format!(
        "COPY lineitem TO '{}' STORED AS TBL; COPY orders TO '{}' STORED AS PARQUET; \
         COPY nation TO '{}' STORED AS CSV",
        target("li"),
        target("o"),
        target("n")
    );
    let out = tpch(&[
        "query",
        "--sf",
        "0.1",
        "--target-partitions",
        "3",
        "-e",
        &sql,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let parts = parts_in_order(&dir.path().join("li"), ".tbl");
    assert_eq!(parts.len(), 3, "one file per partition");
    let mut hash = Sha256::new();
    for part in &parts {
        hash.update(std::fs::read(part).unwrap());
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex, "6fe51474be8c04e04737c83f1cea2feaf3179e4f3bd6ba08c5065928d96ee60b",
        "dbgen's lineitem.tbl at SF 0.1"
    );
    assert_eq!(parts_in_order(&dir.path().join("o"), ".parquet").len(), 3);
    assert!(!parts_in_order(&dir.path().join("n"), ".csv").is_empty());
}

#[test]
fn cli_query_has_the_catalog_and_the_table_functions() {
    for sql in [
        "SELECT count(*) AS n FROM tpch_lineitem(0.01)",
        "SELECT count(*) AS n FROM tpch.sf0_01.lineitem",
    ] {
        let out = tpch(&["query", "--sf", "1", "--output-format", "csv", "-e", sql]);
        assert!(out.status.success(), "{sql}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "n\n60175\n", "{sql}");
    }
    let out = tpch(&[
        "query",
        "--sf",
        "1",
        "-e",
        "SELECT * FROM tpch.sf7x.lineitem",
    ]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("unknown schema 'sf7x'") && stderr.contains("sf0_01"),
        "{stderr}"
    );
}

#[test]
fn sigint_stops_a_copy_with_130_and_no_temporary_files() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("li");
    let sql = format!(
        "COPY lineitem TO '{}/' STORED AS PARQUET",
        out_dir.display()
    );
    let (out, took) = crate::support::signal_once_writing(
        &["query", "--sf", "1", "-e", &sql],
        dir.path(),
        libc::SIGINT,
    );
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(
        crate::support::temp_files(dir.path()),
        Vec::<String>::new(),
        "temporary files removed"
    );
}

#[test]
fn sigint_cancels_a_running_benchmark_with_130() {
    use std::time::{Duration, Instant};
    // Q1 at SF 1 runs for seconds here: the signal arrives while it runs.
    let child = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(["bench", "--sf", "1", "--queries", "1", "--iterations", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let sent = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    // Generous: other tests load the 2 cores; alone it exits well within a second.
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?}",
        sent.elapsed()
    );
    assert!(
        text(&out.stderr).contains("interrupted"),
        "{}",
        text(&out.stderr)
    );
}

/// `--json` into a directory that does not exist is refused before any query runs (issue 30,
/// item 15), with one line naming the path.
#[test]
fn a_json_report_into_a_missing_directory_is_refused_first() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("missing/report.json");
    let started = std::time::Instant::now();
    let out = tpch(&["bench", "--sf", "1", "--json", json.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("missing/report.json") && stderr.contains("does not exist"),
        "{stderr}"
    );
    // Refused up front: SF 1's 22 queries take far longer than this.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
