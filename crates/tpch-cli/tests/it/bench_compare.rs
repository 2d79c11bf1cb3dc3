//! `tpch bench compare` and `tpch bench plot` on the fixture reports in `tests/data/`: ratios,
//! verdicts, totals and geometric mean in all three formats; incomparable reports refused; older
//! reports load; SVG that parses with the right bars, labels and lanes; bad input is a one-line
//! error. And the `--json` reports record what a later comparison needs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn tpch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(args)
        .output()
        .expect("run tpch")
}

/// Runs `tpch bench` with `args` (fixture names resolved), expecting success; its stdout.
fn bench_ok(args: &[&str]) -> String {
    let out = bench(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn bench(args: &[&str]) -> Output {
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a.ends_with(".json") && !a.contains('/') {
                data(a)
            } else {
                a.to_string()
            }
        })
        .collect();
    let mut all = vec!["bench"];
    all.extend(args.iter().map(String::as_str));
    tpch(&all)
}

/// Expects `args` to fail with one line on stderr containing `message`; returns it.
fn bench_fails(args: &[&str], message: &str) -> String {
    let out = bench(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(stderr.contains(message), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The whitespace-separated cells of the table line starting with `name`.
fn table_row(table: &str, name: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in\n{table}"));
    // Verdicts may be two words ("no change").
    line.replace("no change", "no_change")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn bench_compare_formats() {
    let args = ["compare", "bench-provider.json", "bench-memory.json"];
    let table = bench_ok(&args);
    for (name, cells) in [
        ("q01", ["1.100", "0.550", "0.50x", "faster"]),
        ("q03", ["0.420", "0.630", "1.50x", "slower"]),
        // 2.4 % slower: within the 5 % threshold.
        ("q06", ["0.210", "0.215", "1.02x", "no_change"]),
        // 13 % slower, but the iterations' ranges overlap (0.30–0.36 and 0.34–0.40).
        ("q14", ["0.310", "0.350", "1.13x", "no_change"]),
        ("total", ["2.040", "1.745", "0.86x", "faster"]),
        ("geomean", ["0.416", "0.402", "0.96x", "no_change"]),
    ] {
        assert_eq!(table_row(&table, name)[1..], cells, "{name}:\n{table}");
    }
    assert!(
        table.contains("bench-memory vs bench-provider: 1 faster, 1 slower, 2 no change"),
        "{table}"
    );
    assert!(
        table.contains("the median of each query's iterations"),
        "{table}"
    );
    assert!(table.contains("within 5%"), "{table}");
    assert!(
        table.contains("differ: source (provider | memory)"),
        "{table}"
    );
    assert!(table.contains("2 CPUs (AMD EPYC)"), "{table}");

    let md = bench_ok(&[&args[..], &["--format", "markdown"]].concat());
    for line in [
        "| query | bench-provider | bench-memory | vs bench-provider | verdict |",
        "|:---|---:|---:|---:|:---|",
        "| q01 | 1.100 | 0.550 | 0.50x | faster |",
        "| q03 | 0.420 | 0.630 | 1.50x | slower |",
        "| q06 | 0.210 | 0.215 | 1.02x | no change |",
        "| q14 | 0.310 | 0.350 | 1.13x | no change |",
        "| **total** | 2.040 | 1.745 | 0.86x | faster |",
        "| **geomean** | 0.416 | 0.402 | 0.96x | no change |",
    ] {
        assert!(md.lines().any(|l| l == line), "no {line:?} in\n{md}");
    }
    assert!(md.contains("- `bench-provider`: SF 1, query report, source provider"));

    let csv = bench_ok(&[&args[..], &["--format", "csv"]].concat());
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "query,unit,bench-provider,bench-memory,bench-memory_ratio,bench-memory_verdict",
            "q01,s,1.100000,0.550000,0.5000,faster",
            "q03,s,0.420000,0.630000,1.5000,slower",
            "q06,s,0.210000,0.215000,1.0238,no change",
            "q14,s,0.310000,0.350000,1.1290,no change",
            "total,s,2.040000,1.745000,0.8554,faster",
            "geomean,s,0.416443,0.401839,0.9649,no change",
        ]
    );
}

#[test]
fn bench_compare_stat_and_threshold() {
    // The fastest iterations: q06 is 6 % slower, beyond the threshold, but its ranges overlap.
    let table = bench_ok(&[
        "compare",
        "bench-provider.json",
        "bench-memory.json",
        "--stat",
        "min",
    ]);
    assert!(table.contains("the fastest of each query's iterations"));
    assert_eq!(
        table_row(&table, "q06")[1..],
        ["0.200", "0.212", "1.06x", "no_change"]
    );
    assert_eq!(
        table_row(&table, "total")[1..],
        ["1.900", "1.652", "0.87x", "faster"]
    );
    // A 60 % threshold: only q01 (2x) is a change.
    let table = bench_ok(&[
        "compare",
        "bench-provider.json",
        "bench-memory.json",
        "--threshold",
        "60",
    ]);
    assert_eq!(table_row(&table, "q01")[4], "faster");
    assert_eq!(table_row(&table, "q03")[4], "no_change");
    assert!(table.contains("within 60%"), "{table}");
    bench_fails(
        &[
            "compare",
            "bench-provider.json",
            "bench-memory.json",
            "--threshold=-1",
        ],
        "--threshold",
    );
}

#[test]
fn bench_compare_three_reports_and_an_older_report() {
    // bench-old-parquet.json has no batch_size, seed or machine: written before they existed.
    let table = bench_ok(&[
        "compare",
        "bench-provider.json",
        "bench-memory.json",
        "bench-old-parquet.json",
    ]);
    // One iteration: the threshold alone decides.
    for (name, cells) in [
        (
            "q01",
            [
                "1.100", "0.550", "0.50x", "faster", "1.200", "1.09x", "slower",
            ],
        ),
        (
            "q14",
            [
                "0.310",
                "0.350",
                "1.13x",
                "no_change",
                "0.300",
                "0.97x",
                "no_change",
            ],
        ),
        (
            "total",
            [
                "2.040", "1.745", "0.86x", "faster", "2.200", "1.08x", "slower",
            ],
        ),
    ] {
        assert_eq!(table_row(&table, name)[1..], cells, "{name}:\n{table}");
    }
    assert!(table.contains("source parquet:/data/tpch-sf1"), "{table}");
    assert!(table.contains("unknown machine"), "{table}");
    assert!(table.contains("bench-old-parquet vs bench-provider: 0 faster, 3 slower, 1 no change"));
    let csv = bench_ok(&[
        "compare",
        "bench-provider.json",
        "bench-memory.json",
        "bench-old-parquet.json",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with(
        "query,unit,bench-provider,bench-memory,bench-memory_ratio,bench-memory_verdict,\
         bench-old-parquet,bench-old-parquet_ratio,bench-old-parquet_verdict\n"
    ));
    // An older run report (no offsets, no machine) compares with a new one.
    let runs = bench_ok(&["compare", "run-old.json", "run-memory.json"]);
    assert!(runs.contains("QphH@Size"), "{runs}");
}

#[test]
fn bench_compare_refuses_incomparable_reports() {
    for (other, reason) in [
        (
            "bench-sf0.1.json",
            "bench-provider is SF 1, bench-sf0.1 SF 0.1",
        ),
        (
            "bench-other-queries.json",
            "bench-other-queries has other queries than bench-provider: without q03, q14",
        ),
        (
            "run-memory.json",
            "bench-provider is a query report, run-memory a full run",
        ),
    ] {
        let stderr = bench_fails(
            &["compare", "bench-provider.json", other],
            "the reports are not comparable",
        );
        assert!(stderr.contains(reason), "{stderr}");
        assert!(stderr.contains("--force"), "{stderr}");
    }
    bench_fails(
        &["compare", "run-memory.json", "run-power.json"],
        "run-memory is a full run, run-power a power run",
    );
    // --force compares them; totals over the queries both have.
    let table = bench_ok(&[
        "compare",
        "bench-provider.json",
        "bench-other-queries.json",
        "--force",
    ]);
    assert!(table.contains("note: forced: "), "{table}");
    assert!(table.contains("over the 2 of 4 queries"), "{table}");
    assert_eq!(table_row(&table, "q03")[2], "-");
    assert_eq!(table_row(&table, "total")[1..3], ["1.310", "0.765"]);
    // A run as a query set: its power test's intervals.
    let forced = bench_ok(&[
        "compare",
        "bench-provider.json",
        "run-memory.json",
        "--force",
    ]);
    assert!(forced.contains("q22"), "{forced}");
}

#[test]
fn bench_compare_runs() {
    let table = bench_ok(&["compare", "run-memory.json", "run-provider.json"]);
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
    };
    let (a, b) = (read("run-memory.json"), read("run-provider.json"));
    for (row, key) in [
        ("Power@Size", "power_at_size"),
        ("Throughput@Size", "throughput_at_size"),
        ("QphH@Size", "qphh_at_size"),
    ] {
        let (x, y) = (a[key].as_f64().unwrap(), b[key].as_f64().unwrap());
        let cells = table_row(&table, row);
        assert_eq!(cells[1], format!("{x:.1}"), "{table}");
        assert_eq!(cells[2], format!("{y:.1}"));
        assert_eq!(cells[3], format!("{:.2}x", y / x));
        // Metrics: higher is faster.
        let expected = match y / x {
            r if r > 1.05 => "faster",
            r if r < 1.0 / 1.05 => "slower",
            _ => "no_change",
        };
        assert_eq!(cells[4], expected, "{row}");
    }
    // Every interval of every stream: the power test's 24 steps, 22 per query stream, the
    // refresh stream's pairs, each stream's and the test's intervals.
    let q21 = table
        .lines()
        .find(|l| l.starts_with("stream 1 Q21 "))
        .expect("stream 1's Q21");
    let seconds = a["throughput"]["query_streams"][0]["steps"][0]["seconds"]
        .as_f64()
        .unwrap();
    assert!(q21.contains(&format!("{seconds:.3}")), "{q21}");
    for name in [
        "power RF1",
        "power Q14",
        "power RF2",
        "power test",
        "stream 2 Q6",
        "stream 2",
        "refresh RF1 #1",
        "refresh RF2 #2",
        "refresh stream",
        "Ts",
    ] {
        assert!(
            table.lines().any(|l| l.starts_with(&format!("{name} "))),
            "no {name} in\n{table}"
        );
    }
    let csv = bench_ok(&[
        "compare",
        "run-memory.json",
        "run-provider.json",
        "--format",
        "csv",
    ]);
    // 24 + 1 power, 2 × (22 + 1) streams, 4 + 1 refresh, Ts, 3 metrics, the header.
    assert_eq!(csv.lines().count(), 1 + 25 + 46 + 5 + 1 + 3, "{csv}");
    assert!(csv.starts_with("interval,unit,run-memory,run-provider,"));
    assert!(csv.lines().any(|l| l.starts_with("QphH@Size,q/h,")));
}

#[test]
fn bench_compare_bad_input_is_one_line() {
    let missing = "/nonexistent/report.json";
    bench_fails(
        &["compare", missing, "bench-memory.json"],
        "/nonexistent/report.json: No such file",
    );
    bench_fails(
        &["compare", "bench-provider.json", "not-a-report.json"],
        "not-a-report.json: not a `tpch bench` report: no `queries`",
    );
    bench_fails(
        &["compare", "bench-empty.json", "bench-memory.json"],
        "bench-empty.json: an empty report (no queries)",
    );
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("text.json");
    std::fs::write(&text, "q01 1.2 s\n").unwrap();
    bench_fails(
        &["compare", "bench-provider.json", text.to_str().unwrap()],
        "invalid JSON",
    );
    // One report, an unknown statistic or format: usage errors.
    let one = bench(&["compare", "bench-provider.json"]);
    assert_eq!(one.status.code(), Some(2));
    bench_fails(
        &[
            "compare",
            "bench-provider.json",
            "bench-memory.json",
            "--stat",
            "mean",
        ],
        "mean",
    );
    // `tpch bench` still runs the benchmark and still needs --sf; the two do not mix.
    bench_fails(&["--queries", "6"], "--sf");
    let mixed = bench(&[
        "--sf",
        "0.01",
        "compare",
        "bench-provider.json",
        "bench-memory.json",
    ]);
    assert!(!mixed.status.success());
}

/// A minimal XML check: every tag closes in order (no DTDs or CDATA in plotters' output).
fn assert_well_formed(svg: &str) {
    assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..100]);
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or_default();
            stack.push(name.to_string());
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

/// The `<rect …/>` elements, as (fill, x, y, width, height).
fn rects(svg: &str) -> Vec<(String, f64, f64, f64, f64)> {
    svg.split("<rect")
        .skip(1)
        .map(|r| {
            let element = &r[..r.find('>').unwrap()];
            let attr = |name: &str| -> String {
                let key = format!(" {name}=\"");
                let start = element.find(&key).unwrap_or_else(|| panic!("{name}")) + key.len();
                element[start..start + element[start..].find('"').unwrap()].to_string()
            };
            let num = |name: &str| attr(name).parse::<f64>().unwrap();
            (
                attr("fill"),
                num("x"),
                num("y"),
                num("width"),
                num("height"),
            )
        })
        .collect()
}

/// The texts of the `<text>` elements.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..];
            body[..body.find("</text>").unwrap()].trim().to_string()
        })
        .collect()
}

#[test]
fn bench_plot_bars() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("bars.svg");
    let out = bench_ok(&[
        "plot",
        "bench-provider.json",
        "bench-memory.json",
        "bench-old-parquet.json",
        "--output",
        svg_path.to_str().unwrap(),
    ]);
    assert!(out.contains("4 queries x 3 reports"), "{out}");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_well_formed(&svg);
    // One bar per query and report, in the verdict colours: the base grey; the second report's
    // green (faster), red (slower), grey-blue (no change); the third's lighter.
    let bars: Vec<_> = rects(&svg)
        .into_iter()
        .filter(|(fill, ..)| fill != "#FFFFFF" && fill != "none")
        .collect();
    assert_eq!(bars.len(), 4 * 3, "{bars:?}");
    let count = |fill: &str| bars.iter().filter(|b| b.0 == fill).count();
    assert_eq!(count("#6E6E6E"), 4); // the base
    assert_eq!(count("#2CA02C"), 1); // bench-memory faster: q01
    assert_eq!(count("#D62728"), 1); // slower: q03
    assert_eq!(count("#96AAC8"), 2); // no change: q06, q14
    assert_eq!(bars.iter().filter(|b| b.3 > 0.0 && b.4 > 0.0).count(), 12);
    let texts = texts(&svg);
    for label in ["q01", "q03", "q06", "q14"] {
        assert!(texts.iter().any(|t| t == label), "no {label} in {texts:?}");
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("seconds (median of iterations")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "query"));
    assert!(
        texts.iter().any(|t| t == "bench-memory: faster"),
        "{texts:?}"
    );
    // Taller bars for longer times: q01 of the base (1.1 s) is twice bench-memory's (0.55 s).
    let q01_base = bars
        .iter()
        .filter(|b| b.0 == "#6E6E6E")
        .map(|b| b.4)
        .fold(0.0, f64::max);
    let q01_memory = bars.iter().find(|b| b.0 == "#2CA02C").unwrap().4;
    assert!(
        (q01_base / q01_memory - 2.0).abs() < 0.05,
        "{q01_base} {q01_memory}"
    );

    // Log scale: the same bars, and the axis says so.
    let log = dir.path().join("log.svg");
    bench_ok(&[
        "plot",
        "bench-provider.json",
        "bench-memory.json",
        "--scale",
        "log",
        "-o",
        log.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&log).unwrap();
    assert_well_formed(&svg);
    assert_eq!(
        rects(&svg)
            .iter()
            .filter(|(f, ..)| f != "#FFFFFF" && f != "none")
            .count(),
        8
    );
    assert!(svg.contains("log scale"));
}

#[test]
fn bench_plot_run_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("run.svg");
    let out = bench_ok(&[
        "plot",
        "run-memory.json",
        "--chart",
        "timeline",
        "-o",
        svg_path.to_str().unwrap(),
    ]);
    assert!(out.contains("a timeline of 3 lanes, 48 bars"), "{out}");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_well_formed(&svg);
    let rects = rects(&svg);
    let queries: Vec<_> = rects
        .iter()
        .filter(|r| r.0 == "#1F77B4" || r.0 == "#78ACD6")
        .collect();
    let refresh: Vec<_> = rects
        .iter()
        .filter(|r| r.0 == "#FF7F0E" || r.0 == "#BE5400")
        .collect();
    // 22 queries in each of the 2 streams; the refresh stream's 2 RF1/RF2 pairs.
    assert_eq!(queries.len(), 44);
    assert_eq!(refresh.len(), 4);
    // One lane per stream: the bars of a lane share their y.
    let lanes = |bars: &[&(String, f64, f64, f64, f64)]| {
        let mut ys: Vec<i64> = bars.iter().map(|b| b.2 as i64).collect();
        ys.sort();
        ys.dedup();
        ys
    };
    let query_lanes = lanes(&queries);
    let refresh_lanes = lanes(&refresh);
    assert_eq!(query_lanes.len(), 2);
    assert_eq!(refresh_lanes.len(), 1);
    assert!(!query_lanes.contains(&refresh_lanes[0]));
    for lane in &query_lanes {
        assert_eq!(queries.iter().filter(|b| b.2 as i64 == *lane).count(), 22);
    }
    let texts = texts(&svg);
    for label in ["stream 1", "stream 2", "refresh", "RF1", "RF2", "query"] {
        assert!(texts.iter().any(|t| t == label), "no {label} in {texts:?}");
    }
    assert!(texts.contains(&"seconds since the throughput test started".to_string()));
    assert!(texts.iter().any(|t| t.contains("Ts = ")), "{texts:?}");

    // auto: the power test's bars above the timeline; an older run's steps laid end to end.
    let both = dir.path().join("both.svg");
    let out = bench_ok(&["plot", "run-old.json", "-o", both.to_str().unwrap()]);
    assert!(
        out.contains("22 queries x 1 report; a timeline of 3 lanes, 48 bars"),
        "{out}"
    );
    let svg = std::fs::read_to_string(&both).unwrap();
    assert_well_formed(&svg);
    assert!(svg.contains("older report: steps laid end to end"));
    assert_eq!(
        self::rects(&svg)
            .iter()
            .filter(|r| r.0 == "#6E6E6E")
            .count(),
        22
    );
}

#[test]
fn bench_plot_bad_input_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.svg");
    let out = out.to_str().unwrap();
    bench_fails(
        &["plot", "/nonexistent.json", "-o", out],
        "/nonexistent.json: No such file",
    );
    bench_fails(
        &["plot", "not-a-report.json", "-o", out],
        "not a `tpch bench` report",
    );
    bench_fails(&["plot", "bench-empty.json", "-o", out], "an empty report");
    bench_fails(
        &[
            "plot",
            "bench-provider.json",
            "--chart",
            "timeline",
            "-o",
            out,
        ],
        "no report is a TPC-H run with a throughput test",
    );
    bench_fails(
        &["plot", "bench-provider.json", "bench-sf0.1.json", "-o", out],
        "not comparable",
    );
    let png = dir.path().join("x.png");
    bench_fails(
        &["plot", "bench-provider.json", "-o", png.to_str().unwrap()],
        "only SVG is written",
    );
    bench_fails(
        &[
            "plot",
            "bench-provider.json",
            "-o",
            "/nonexistent/dir/x.svg",
        ],
        "does not exist",
    );
    assert!(!Path::new(out).exists());
    let missing_output = bench(&["plot", "bench-provider.json"]);
    assert_eq!(missing_output.status.code(), Some(2));
}

/// The reports `tpch bench --json` writes record the machine, versions and settings, every
/// iteration, and a run's steps' offsets; they load and compare with themselves.
#[test]
fn bench_json_reports_compare_later() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| -> PathBuf { dir.path().join(name) };
    let queries = path("queries.json");
    bench_ok(&[
        "--sf",
        "0.01",
        "--queries",
        "1,6",
        "--iterations",
        "2",
        "--target-partitions",
        "2",
        "--json",
        queries.to_str().unwrap(),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&queries).unwrap()).unwrap();
    assert_eq!(report["batch_size"], 8192);
    assert!(report["seed"].is_null());
    assert!(report["machine"]["cpus"].as_u64().unwrap() >= 1);
    assert!(report["machine"]["memory_bytes"].as_u64().unwrap() > 0);
    assert_eq!(report["machine"]["os"], std::env::consts::OS);
    assert_eq!(
        report["queries"][1]["times_seconds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let run = path("run.json");
    bench_ok(&[
        "--sf",
        "0.01",
        "--run",
        "full",
        "--seed",
        "7",
        "--source",
        "memory",
        "--target-partitions",
        "2",
        "--json",
        run.to_str().unwrap(),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run).unwrap()).unwrap();
    for key in [
        "crate_version",
        "engine_version",
        "machine",
        "batch_size",
        "started_unix_seconds",
    ] {
        assert!(!report[key].is_null(), "no {key}");
    }
    // Steps' offsets: in order within a stream, each as long as its interval.
    let check = |stream: &serde_json::Value| {
        let mut previous_end = 0.0;
        for step in stream["steps"].as_array().unwrap() {
            let start = step["start_seconds"].as_f64().unwrap();
            let end = step["end_seconds"].as_f64().unwrap();
            let seconds = step["seconds"].as_f64().unwrap();
            assert!(start >= previous_end - 1e-9, "{step}");
            assert!((end - start - seconds).abs() < 1e-3, "{step}");
            previous_end = end;
        }
        previous_end
    };
    check(&report["power"]["stream"]);
    let ts = report["throughput"]["seconds"].as_f64().unwrap();
    for stream in report["throughput"]["query_streams"].as_array().unwrap() {
        assert!(check(stream) <= ts + 1e-3);
    }
    check(&report["throughput"]["refresh_stream"]);

    let table = bench_ok(&["compare", run.to_str().unwrap(), run.to_str().unwrap()]);
    assert_eq!(table_row(&table, "Ts")[3], "1.00x");
    let svg = path("run.svg");
    bench_ok(&[
        "plot",
        queries.to_str().unwrap(),
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert_well_formed(&std::fs::read_to_string(&svg).unwrap());
}
