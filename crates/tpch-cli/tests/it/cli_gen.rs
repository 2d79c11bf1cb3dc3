//! `tpch gen` end to end: dbgen names and contents, and one-line errors with a non-zero exit.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{signal_once_writing, temp_files};

fn tpch(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_line_error(args: &[&str], expected: &str) {
    let (code, _, stderr) = tpch(args);
    assert_ne!(code, 0, "{args:?} should fail");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(expected), "{stderr:?} lacks {expected:?}");
}

#[test]
fn bad_input_gives_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    assert_one_line_error(
        &["gen", "--sf", "0", "--output", out],
        "invalid scale factor 0",
    );
    assert_one_line_error(
        &["gen", "--sf", "abc", "--output", out],
        "invalid scale factor abc",
    );
    assert_one_line_error(
        &["gen", "--sf", "1", "--tables", "items"],
        "unknown table 'items'",
    );
    assert_one_line_error(
        &[
            "gen", "--sf", "1", "--parts", "3", "--part", "4", "--output", out,
        ],
        "part 4 out of range",
    );
    assert_one_line_error(&["gen", "--sf", "1", "--parts", "3"], "--parts and --part");
    // Upper bounds, before any thread or file is made (issue 30, item 7).
    assert_one_line_error(
        &[
            "gen",
            "--sf",
            "0.01",
            "--threads",
            "100000",
            "--output",
            out,
        ],
        "invalid number of threads 100000: expected at most 1024",
    );
    assert!(temp_files(dir.path()).is_empty());
    assert_one_line_error(
        &["gen", "--sf", "0.01", "--format", "xml"],
        "invalid value 'xml' for '--format <FORMAT>' [possible values: tbl, csv, parquet]",
    );
    for (flag, value, expected) in [
        ("--threads", "0", "must be at least 1"),
        ("--files-per-table", "0", "must be at least 1"),
        ("--row-group-rows", "0", "must be at least 1"),
        ("--parts", "0", "must be at least 1"),
        ("--threads", "two", "expected a whole number"),
        ("--compression", "zstd:99", "zstd levels are 1 to 22"),
        ("--compression", "gzip:10", "gzip levels are 0 to 9"),
        ("--compression", "brotli", "unknown compression 'brotli'"),
        (
            "--io-backend",
            "foo",
            "[possible values: auto, io_uring, portable, inline]",
        ),
    ] {
        assert_one_line_error(
            &["gen", "--sf", "0.01", "--output", out, flag, value],
            &format!("'{flag} <"),
        );
        assert_one_line_error(
            &["gen", "--sf", "0.01", "--output", out, flag, value],
            expected,
        );
    }
    let (code, _, stderr) = tpch(&["gen", "--sf", "0.01", "--io-backend", "foo"]);
    assert_eq!(code, 2, "usage errors exit with 2");
    assert!(
        !stderr.contains("TPCH_IO_BACKEND"),
        "the flag is blamed: {stderr}"
    );
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"").unwrap();
    let below = file.join("out");
    assert_one_line_error(
        &["gen", "--sf", "0.01", "--output", below.to_str().unwrap()],
        "plain-file",
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing written"
    );
}

#[test]
fn parts_are_written_under_dbgen_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = tpch(&[
        "gen",
        "--sf",
        "0.01",
        "--output",
        out,
        "--tables",
        "nation,orders",
        "--parts",
        "2",
        "--part",
        "2",
        "--no-progress",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("I/O back end"), "{stdout}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["nation.tbl", "orders.tbl.2"]);
    let orders = std::fs::read_to_string(dir.path().join("orders.tbl.2")).unwrap();
    assert_eq!(orders.lines().count(), 7500);
    assert!(
        orders.starts_with("29989|"),
        "the second half starts at order 7501"
    );
}

/// Starts `tpch gen --sf 1`, waits until it is writing, sends `signal` and checks it stops
/// within 2 s with `status`, its temporary files gone and its finished files listed.
fn interrupted_run_leaves_no_temporary_files(signal: libc::c_int, status: i32) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().to_str().unwrap();
    let args = ["gen", "--sf", "1", "--no-progress", "--output", output];
    let (out, took) = signal_once_writing(&args, dir.path(), signal);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(status), "{stderr}");
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{stderr}");
    assert!(stderr.starts_with("interrupted: "), "{stderr}");
    // Every file it lists as finished is there, complete under its final name.
    for line in stderr.lines().skip(1) {
        assert!(Path::new(line.trim()).is_file(), "{line}");
    }
}

#[test]
fn sigint_stops_gen_with_130_and_no_temporary_files() {
    interrupted_run_leaves_no_temporary_files(libc::SIGINT, 130);
}

#[test]
fn sigterm_stops_gen_with_143_and_no_temporary_files() {
    interrupted_run_leaves_no_temporary_files(libc::SIGTERM, 143);
}

#[test]
fn a_new_run_removes_stale_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    // A process that has exited: its pid names the stale file.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let stale = dir.path().join(format!(".nation.tbl.{pid:x}-0-1f.tmp"));
    let foreign = dir.path().join(".notes.tmp");
    std::fs::write(&stale, b"half a table").unwrap();
    std::fs::write(&foreign, b"not ours").unwrap();
    let (code, _, stderr) = tpch(&[
        "gen",
        "--sf",
        "0.01",
        "--tables",
        "region",
        "--no-progress",
        "--output",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stale.exists(), "the stale file is removed");
    assert!(foreign.exists(), "other files are left alone");
    assert!(
        stderr.contains("removed 1 stale temporary file"),
        "and the run says so: {stderr}"
    );
}

/// A file that appears at the target while the run writes it is never replaced (issue 30,
/// item 1): the publish fails naming it, and the user's file stays as it was.
#[test]
fn publish_never_replaces_a_file_created_during_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args([
            "gen",
            "--sf",
            "0.1",
            "--tables",
            "lineitem",
            "--no-progress",
        ])
        .arg("--output")
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while temp_files(dir.path()).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let target = dir.path().join("lineitem.tbl");
    std::fs::write(&target, b"USERDATA\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("lineitem.tbl exists"), "{stderr}");
    assert_eq!(std::fs::read(&target).unwrap(), b"USERDATA\n");
    assert!(temp_files(dir.path()).is_empty());
}

/// A Parquet source whose tables were written at different scale factors is refused, naming
/// the table that differs (issue 30, item 3: every table is checked, not only supplier).
#[test]
fn parquet_sources_of_mixed_scale_factors_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let export = |sf: &str, tables: &str, out: &Path| {
        let (code, _, stderr) = tpch(&[
            "gen",
            "--sf",
            sf,
            "--format",
            "parquet",
            "--tables",
            tables,
            "--no-progress",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
    };
    export(
        "0.01",
        "nation,region,supplier,customer,part,partsupp,orders",
        dir.path(),
    );
    export("0.02", "lineitem", other.path());
    std::fs::rename(
        other.path().join("lineitem.parquet"),
        dir.path().join("lineitem.parquet"),
    )
    .unwrap();
    let source = format!("parquet:{}", dir.path().display());
    let (code, _, stderr) = tpch(&[
        "query", "--sf", "0.01", "--source", &source, "-e", "SELECT 1",
    ]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("lineitem rows but SF 0.01 has 60175"),
        "{stderr}"
    );
}

/// `--overwrite` replaces a table's whole earlier output (issue 30, item 2): three files per
/// table, then two, leave two; then one file leaves no `lineitem/` directory beside it.
#[test]
fn overwrite_removes_the_earlier_layouts_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = |files: &str| {
        let (code, _, stderr) = tpch(&[
            "gen",
            "--sf",
            "0.01",
            "--tables",
            "lineitem",
            "--format",
            "parquet",
            "--files-per-table",
            files,
            "--no-progress",
            "--overwrite",
            "--output",
            out,
        ]);
        assert_eq!(code, 0, "{stderr}");
    };
    run("3");
    run("2");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("lineitem"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["part-000.parquet", "part-001.parquet"]);
    run("1");
    assert!(!dir.path().join("lineitem").exists());
    assert!(dir.path().join("lineitem.parquet").is_file());
}
