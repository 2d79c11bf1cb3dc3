//! Helpers shared by the integration tests: dbgen's reference checksums (testdata/), session
//! setup, the 22 TPC-H queries checked with the crate's own `bench` API, and `.tbl` formatting
//! of batches.
#![allow(dead_code)]

pub mod s3;

use std::path::PathBuf;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_dbgen::bench::{answer, check_answer, query};
use datafusion_dbgen::provider::register_tpch;
use sha2::{Digest, Sha256};

/// A context with the eight tables at `sf`, scanned in `partitions` partitions.
pub fn tpch_context(sf: f64, partitions: usize) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    register_tpch(&ctx, sf).expect("register tpch");
    ctx
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Runs the 22 queries at `sf` and checks every answer; returns per-query wall times.
pub async fn run_queries(sf: f64, partitions: usize) -> Vec<(usize, std::time::Duration)> {
    let ctx = tpch_context(sf, partitions);
    let mut failures = Vec::new();
    let mut times = Vec::new();
    for n in 1..=22 {
        let started = std::time::Instant::now();
        let sql = query(n).expect("query number");
        let batches = match ctx.sql(sql).await {
            Ok(df) => df.collect().await,
            Err(e) => Err(e),
        };
        times.push((n, started.elapsed()));
        match batches {
            Ok(batches) => {
                let expected = answer(sf, n).expect("an answer for this SF");
                if let Err(e) = check_answer(&batches, expected) {
                    failures.push(format!("q{n:02}: {e}"));
                }
            }
            Err(e) => failures.push(format!("q{n:02}: {e}")),
        }
    }
    for (n, t) in &times {
        eprintln!("sf {sf} q{n:02}: {:.2?}", t);
    }
    assert!(
        failures.is_empty(),
        "{} of 22 queries wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    times
}

/// Batches as dbgen's `.tbl` text: fields joined by `|`, each line ending in `|`. dbgen writes
/// `l_quantity` (a `DECIMAL(15,2)` column of whole numbers) without decimals.
pub fn tbl_text(batches: &[RecordBatch]) -> Vec<u8> {
    let options = FormatOptions::default();
    let mut out = Vec::new();
    for batch in batches {
        let whole: Vec<bool> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name() == "l_quantity")
            .collect();
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("formatter"))
            .collect();
        for row in 0..batch.num_rows() {
            for (f, whole) in formatters.iter().zip(&whole) {
                let value = f.value(row).to_string();
                let value = match whole {
                    true => value.strip_suffix(".00").unwrap_or(&value),
                    false => &value,
                };
                out.extend_from_slice(value.as_bytes());
                out.push(b'|');
            }
            out.push(b'\n');
        }
    }
    out
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rows of a tab-separated reference file in testdata/ (header dropped).
pub fn reference_rows(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(data_dir().join(file)).expect("reference file");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// One row of `checksums.tsv` or `chunks.tsv`.
#[derive(Debug, Clone)]
pub struct Reference {
    pub sf: f64,
    pub table: String,
    pub parts: u64,
    pub part: Option<u64>,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

fn parse(text: &str, chunked: bool) -> Vec<Reference> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if chunked {
                Reference {
                    sf: f[0].parse().unwrap(),
                    table: f[1].to_string(),
                    parts: f[2].parse().unwrap(),
                    part: f[3].parse().ok(),
                    rows: f[4].parse().unwrap(),
                    bytes: f[5].parse().unwrap(),
                    sha256: f[6].to_string(),
                }
            } else {
                Reference {
                    sf: f[0].parse().unwrap(),
                    table: f[1].to_string(),
                    parts: 1,
                    part: None,
                    rows: f[2].parse().unwrap(),
                    bytes: f[3].parse().unwrap(),
                    sha256: f[4].to_string(),
                }
            }
        })
        .collect()
}

/// dbgen's whole-table checksums at SF 0.01, 0.1 and 1.
pub fn checksums() -> Vec<Reference> {
    parse(include_str!("../../../../testdata/checksums.tsv"), false)
}

/// dbgen's chunk checksums (`-C n -S i`).
pub fn chunks() -> Vec<Reference> {
    parse(include_str!("../../../../testdata/chunks.tsv"), true)
}

/// Counts rows and bytes and hashes what is fed to it.
#[derive(Default)]
pub struct Digester {
    hasher: Sha256,
    pub bytes: u64,
    pub lines: u64,
}

impl Digester {
    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        self.lines += data.iter().filter(|b| **b == b'\n').count() as u64;
    }

    pub fn hex(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The sink's hidden temporary files (`.<name>.<tag>.tmp`) under `dir` (none if it is missing).
pub fn temp_files(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            found.extend(temp_files(&entry.path()));
        } else if name.starts_with('.') && name.ends_with(".tmp") {
            found.push(name);
        }
    }
    found
}

/// Waits up to `limit` for `child` to exit; kills it and fails if it does not.
pub fn exit_within(
    child: &mut std::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// (Only with the `cli` feature, which builds the binary.) Runs `tpch <args>`, waits until it writes a temporary file under `dir`, sends it `signal` and
/// returns its output and how long it took to exit after the signal.
pub fn signal_once_writing(
    args: &[&str],
    dir: &std::path::Path,
    signal: libc::c_int,
) -> (std::process::Output, std::time::Duration) {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let child = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while temp_files(dir).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never started writing"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let sent = Instant::now();
    let out = child.wait_with_output().unwrap();
    (out, sent.elapsed())
}
