//! Refresh sets and the refresh functions: `tpch gen --updates` equals dbgen's refresh files
//! byte for byte (SF 0.01, 0.1 and 1, sets 1–4), bad input is a clear error, and RF1/RF2 change
//! the `memory` and `provider` tables exactly (the set's rows in, its orders and their line
//! items out, nothing else), leaving both sources with the same answers.

use std::process::Command;

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::prelude::SessionContext;
use datafusion_dbgen::arrow::TableBatches;
use datafusion_dbgen::bench::{Source, query, refreshable_context};
use datafusion_dbgen::export::{ExportOptions, write_refresh_sets};
use datafusion_dbgen::generator::{RefreshSet, ScaleFactor, Table};
use datafusion_dbgen::sink::SinkConfig;

use crate::support::{sha256_hex, tbl_text};

/// `sf, file, rows, bytes, sha256` of dbgen's refresh files.
fn reference() -> Vec<(String, String, u64, u64, String)> {
    include_str!("../../../../testdata/updates/checksums.tsv")
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let n = |s: &str| s.parse::<u64>().unwrap();
            (f[0].into(), f[1].into(), n(f[2]), n(f[3]), f[4].into())
        })
        .collect()
}

#[test]
fn refresh_files_equal_dbgen() {
    let expected = reference();
    for sf in ["0.01", "0.1", "1"] {
        let dir = tempfile::tempdir().unwrap();
        let scale = ScaleFactor::try_new(sf.parse().unwrap()).unwrap();
        let mut options = ExportOptions::new(scale);
        options.output = dir.path().to_path_buf();
        let written = write_refresh_sets(&options, 4, SinkConfig::default(), None).unwrap();
        assert_eq!(written.files.len(), 12);
        for (_, file, rows, bytes, sha) in expected.iter().filter(|r| r.0 == sf) {
            let data = std::fs::read(dir.path().join(file)).unwrap();
            assert_eq!(data.len() as u64, *bytes, "SF {sf} {file}: bytes");
            let lines = data.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(lines, *rows, "SF {sf} {file}: rows");
            assert_eq!(&sha256_hex(&data), sha, "SF {sf} {file}: sha256");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 12);
    }
}

#[test]
fn updates_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let tpch = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tpch"))
            .args(args)
            .output()
            .unwrap()
    };
    let ok = tpch(&["gen", "--sf", "0.01", "--updates", "2", "--output", out]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "delete.1",
            "delete.2",
            "lineitem.tbl.u1",
            "lineitem.tbl.u2",
            "orders.tbl.u1",
            "orders.tbl.u2"
        ]
    );
    let want = include_bytes!("../../../../testdata/updates/sf0.01/lineitem.tbl.u1");
    assert!(std::fs::read(dir.path().join("lineitem.tbl.u1")).unwrap() == want);
    for (args, message) in [
        (vec!["--updates", "0"], "at least 1"),
        (vec!["--updates", "1000"], "out of range"),
        (
            vec!["--updates", "1", "--parts", "2", "--part", "1"],
            "--parts",
        ),
        (vec!["--updates", "1", "--format", "csv"], "--format"),
        (vec!["--updates", "1"], "exists"),
    ] {
        let mut all = vec!["gen", "--sf", "0.01", "--output", out];
        all.extend(args.iter().copied());
        let failed = tpch(&all);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(!failed.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let tiny = tpch(&["gen", "--sf", "0.001", "--updates", "1", "--output", out]);
    assert!(String::from_utf8_lossy(&tiny.stderr).contains("too small"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 6);
}

async fn rows_of(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql).await.unwrap().collect().await.unwrap()
}

async fn count(ctx: &SessionContext, sql: &str) -> i64 {
    let batches = rows_of(ctx, sql).await;
    batches[0].column(0).as_primitive::<Int64Type>().value(0)
}

/// The set's rows as `.tbl` text, sorted by line (the reference for what RF1 inserted).
fn sorted_tbl(batches: &[RecordBatch]) -> Vec<String> {
    let text = String::from_utf8(tbl_text(batches)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// RF1 then RF2 of sets 1 and 2 on a source: exact counts after each step, the inserted rows
/// equal the set's, the deleted orders and all their line items are gone and nothing else is.
async fn refresh_changes_exactly(source: Source) -> SessionContext {
    let sf = ScaleFactor::try_new(0.01).unwrap();
    let (ctx, refresher) = refreshable_context(&source, &sf, 2).await.unwrap();
    let orders0 = count(&ctx, "SELECT count(*) FROM orders").await;
    let lines0 = count(&ctx, "SELECT count(*) FROM lineitem").await;
    assert_eq!(orders0, 15_000);
    let mut orders = orders0;
    let mut lines = lines0;
    for k in [1u32, 2] {
        let set = RefreshSet::try_new(&sf, k).unwrap();
        let inserted = refresher.rf1(k).await.unwrap();
        let want_orders: Vec<RecordBatch> = TableBatches::refresh_set(&set, Table::Orders, 100)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want_lines: Vec<RecordBatch> = TableBatches::refresh_set(&set, Table::Lineitem, 100)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let set_lines: usize = want_lines.iter().map(|b| b.num_rows()).sum();
        assert_eq!(inserted.orders, set.len());
        assert_eq!(inserted.lineitems, set_lines as u64);
        orders += set.len() as i64;
        lines += set_lines as i64;
        assert_eq!(count(&ctx, "SELECT count(*) FROM orders").await, orders);
        assert_eq!(count(&ctx, "SELECT count(*) FROM lineitem").await, lines);
        let keys = set.insert_key_range();
        let (lo, hi) = (keys.start(), keys.end());
        let got = rows_of(
            &ctx,
            &format!("SELECT * FROM orders WHERE o_orderkey BETWEEN {lo} AND {hi} AND o_orderkey % 32 >= 8"),
        )
        .await;
        assert_eq!(sorted_tbl(&got), sorted_tbl(&want_orders), "RF1 {k} orders");
        let got = rows_of(
            &ctx,
            &format!("SELECT * FROM lineitem WHERE l_orderkey BETWEEN {lo} AND {hi} AND l_orderkey % 32 >= 8"),
        )
        .await;
        assert_eq!(
            sorted_tbl(&got),
            sorted_tbl(&want_lines),
            "RF1 {k} lineitem"
        );

        // RF2: the base orders of the set's indices, and their line items.
        let keys = set.delete_key_range();
        let (lo, hi) = (keys.start(), keys.end());
        let doomed_lines = count(
            &ctx,
            &format!("SELECT count(*) FROM lineitem WHERE l_orderkey BETWEEN {lo} AND {hi} AND l_orderkey % 32 < 8"),
        )
        .await;
        assert!(doomed_lines >= set.len() as i64);
        let deleted = refresher.rf2(k).await.unwrap();
        assert_eq!(deleted.orders, set.len());
        assert_eq!(deleted.lineitems as i64, doomed_lines);
        orders -= set.len() as i64;
        lines -= doomed_lines;
        assert_eq!(count(&ctx, "SELECT count(*) FROM orders").await, orders);
        assert_eq!(count(&ctx, "SELECT count(*) FROM lineitem").await, lines);
        let keys: Vec<String> = set.delete_keys().map(|k| k.to_string()).collect();
        let list = keys.join(", ");
        for (table, key) in [("orders", "o_orderkey"), ("lineitem", "l_orderkey")] {
            let left = count(
                &ctx,
                &format!("SELECT count(*) FROM {table} WHERE {key} IN ({list})"),
            )
            .await;
            assert_eq!(left, 0, "RF2 {k}: {table} still has deleted orders");
        }
        // The set's own inserted orders are untouched by its RF2.
        let ins = set.insert_key_range();
        let still = count(
            &ctx,
            &format!("SELECT count(*) FROM orders WHERE o_orderkey BETWEEN {} AND {} AND o_orderkey % 32 >= 8", ins.start(), ins.end()),
        )
        .await;
        assert_eq!(still, set.len() as i64);
    }
    assert_eq!(orders, orders0);
    ctx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_functions_agree_between_memory_and_provider() {
    let memory = refresh_changes_exactly(Source::Memory).await;
    let provider = refresh_changes_exactly(Source::Provider).await;
    // The 22 validation queries after two RF1/RF2 pairs: the same answers on both sources.
    for n in 1..=22 {
        let sql = query(n).unwrap();
        let a = sorted_tbl(&rows_of(&memory, sql).await);
        let b = sorted_tbl(&rows_of(&provider, sql).await);
        assert_eq!(
            a, b,
            "q{n} differs between memory and provider after RF1/RF2"
        );
    }
    // Parquet tables cannot be refreshed: a clear error, not a silent no-op.
    let sf = ScaleFactor::try_new(0.01).unwrap();
    let err = refreshable_context(&Source::Parquet("/nonexistent".into()), &sf, 1)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("DELETE"), "{err}");
}
