//! `tpch gen` end to end: dbgen names and contents, and one-line errors with a non-zero exit.

use std::process::Command;

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
    assert_one_line_error(
        &["gen", "--sf", "0.01", "--format", "xml"],
        "unknown format 'xml'",
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
