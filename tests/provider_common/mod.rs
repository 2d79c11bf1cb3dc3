//! Helpers shared by the provider's integration tests: session setup, the 22 TPC-H queries and
//! their reference answers, and comparing results with them.
#![allow(dead_code)]

use std::path::PathBuf;

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_dbgen::provider::register_tpch;

/// A context with the eight tables at `sf`, scanned in `partitions` partitions.
pub fn tpch_context(sf: f64, partitions: usize) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    register_tpch(&ctx, sf).expect("register tpch");
    ctx
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Text of TPC-H query `n` (1..=22).
pub fn query(n: usize) -> String {
    let path = data_dir().join(format!("queries/q{n:02}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Directory name of a scale factor's answers (`sf0.01`).
pub fn sf_dir(sf: f64) -> String {
    format!("sf{sf}")
}

/// Reference answer of query `n` at `sf`: rows of fields (header dropped).
pub fn answer(sf: f64, n: usize) -> Vec<Vec<String>> {
    let path = data_dir().join(format!("answers/{}/q{n:02}.csv", sf_dir(sf)));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|line| line.split('|').map(str::to_string).collect())
        .collect()
}

/// How a result column is compared with the answer.
#[derive(Clone, Copy, Debug)]
enum Compare {
    /// Decimals: equal at two decimal places.
    Decimal,
    /// Floats: small relative tolerance.
    Float,
    /// Everything else: the same text.
    Exact,
}

fn compare_kind(t: &DataType) -> Compare {
    match t {
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Compare::Decimal,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Compare::Float,
        _ => Compare::Exact,
    }
}

fn matches(kind: Compare, got: &str, want: &str) -> bool {
    let numbers = || Some((got.parse::<f64>().ok()?, want.parse::<f64>().ok()?));
    if got == want {
        return true;
    }
    match kind {
        Compare::Exact => got == want,
        Compare::Decimal => numbers().is_some_and(|(a, b)| (a - b).abs() <= 0.01 + 1e-12 * b.abs()),
        Compare::Float => numbers().is_some_and(|(a, b)| {
            let diff = (a - b).abs();
            diff <= 1e-9 || diff <= 1e-9 * a.abs().max(b.abs())
        }),
    }
}

/// The result as text fields, with each column's comparison kind.
fn result_rows(batches: &[RecordBatch]) -> (Vec<Vec<String>>, Vec<Compare>) {
    let options = FormatOptions::default();
    let mut rows = Vec::new();
    let mut kinds = Vec::new();
    for batch in batches {
        kinds = batch
            .schema()
            .fields()
            .iter()
            .map(|f| compare_kind(f.data_type()))
            .collect();
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("formatter"))
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, c)| {
                        if c.is_null(row) {
                            String::new()
                        } else {
                            f.value(row).to_string()
                        }
                    })
                    .collect(),
            );
        }
    }
    (rows, kinds)
}

/// Compares a result with the reference answer; `Err` describes the first difference.
pub fn check_answer(n: usize, batches: &[RecordBatch], want: &[Vec<String>]) -> Result<(), String> {
    let (got, kinds) = result_rows(batches);
    if got.len() != want.len() {
        return Err(format!(
            "q{n:02}: {} rows, expected {}; first rows: {:?}",
            got.len(),
            want.len(),
            got.iter().take(3).collect::<Vec<_>>()
        ));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g.len() != w.len() {
            return Err(format!(
                "q{n:02} row {i}: {} columns, expected {}",
                g.len(),
                w.len()
            ));
        }
        for (c, ((gv, wv), kind)) in g.iter().zip(w).zip(&kinds).enumerate() {
            if !matches(*kind, gv, wv) {
                return Err(format!(
                    "q{n:02} row {i} column {c}: got {gv:?}, expected {wv:?}\n got row {g:?}\nwant row {w:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Runs the 22 queries at `sf` and checks every answer; returns per-query wall times.
pub async fn run_queries(sf: f64, partitions: usize) -> Vec<(usize, std::time::Duration)> {
    let ctx = tpch_context(sf, partitions);
    let mut failures = Vec::new();
    let mut times = Vec::new();
    for n in 1..=22 {
        let started = std::time::Instant::now();
        let batches = match ctx.sql(&query(n)).await {
            Ok(df) => df.collect().await,
            Err(e) => Err(e),
        };
        times.push((n, started.elapsed()));
        match batches {
            Ok(batches) => {
                if let Err(e) = check_answer(n, &batches, &answer(sf, n)) {
                    failures.push(e);
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
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rows of a tab-separated reference file in tests/data (header dropped).
pub fn reference_rows(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(data_dir().join(file)).expect("reference file");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}
