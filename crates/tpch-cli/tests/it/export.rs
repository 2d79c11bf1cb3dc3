//! The export pipeline (`Exporter`, behind `tpch gen`): parallel chunks committed in order give
//! dbgen's exact files at any thread count, file split or part, on both sink back ends; bad
//! output locations fail cleanly and leave nothing behind.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::support::{Digester, checksums, chunks};
use datafusion_dbgen::export::{Exporter, Format};
use datafusion_dbgen::sink::{Backend, BackendChoice, SinkConfig, io_uring_support};
use datafusion_dbgen::{Error, ScaleFactor, Table};

fn backends() -> Vec<BackendChoice> {
    let mut b = vec![BackendChoice::Portable, BackendChoice::Inline];
    match io_uring_support() {
        Ok(()) => b.push(BackendChoice::IoUring),
        Err(e) => eprintln!("io_uring unavailable here, testing the portable back end only: {e}"),
    }
    b
}

fn exporter(sf: f64, dir: &Path, backend: BackendChoice) -> Exporter {
    Exporter::new(ScaleFactor::try_new(sf).unwrap())
        .output(dir)
        .sink_config(SinkConfig::default().backend(backend))
}

fn digest_files(paths: &[impl AsRef<Path>]) -> Digester {
    let mut d = Digester::default();
    for p in paths {
        d.update(&std::fs::read(p).unwrap());
    }
    d
}

fn leftovers(dir: &Path) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|p| {
            Path::new(p)
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".tmp"))
        })
        .collect()
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn tbl_export_is_dbgen_identical_at_any_thread_count() {
    for backend in backends() {
        for (sf, threads) in [(0.01, 1), (0.01, 2), (0.01, 7), (0.1, 2)] {
            let dir = tempfile::tempdir().unwrap();
            let summary = exporter(sf, dir.path(), backend)
                .threads(threads)
                .run()
                .unwrap();
            for r in checksums().into_iter().filter(|r| r.sf == sf) {
                let table: Table = r.table.parse().unwrap();
                let s = summary.tables.iter().find(|t| t.table == table).unwrap();
                assert_eq!(s.rows, r.rows, "{table} rows at {threads} threads");
                assert_eq!(s.bytes, r.bytes);
                let d = digest_files(&s.files);
                assert_eq!(
                    d.hex(),
                    r.sha256,
                    "{table} at SF {sf}, {threads} threads, {backend:?}"
                );
            }
            assert!(leftovers(dir.path()).is_empty());
        }
    }
}

#[test]
fn auto_writes_inline_when_the_export_threads_fill_every_core() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let backend_run = |choice: BackendChoice, threads: usize| {
        let dir = tempfile::tempdir().unwrap();
        let summary = exporter(0.01, dir.path(), choice)
            .tables([Table::Nation])
            .threads(threads)
            .run()
            .unwrap();
        summary.backend
    };
    assert_eq!(backend_run(BackendChoice::Auto, cores), Backend::Inline);
    if cores > 1 {
        let expected = SinkConfig::default().expected_backend();
        assert_ne!(expected, Backend::Inline);
        assert_eq!(backend_run(BackendChoice::Auto, cores - 1), expected);
    }
    // An explicit choice is kept whatever the thread count.
    assert_eq!(
        backend_run(BackendChoice::Portable, cores),
        Backend::Portable
    );
}

#[test]
fn files_per_table_concatenate_to_dbgen_tables() {
    let dir = tempfile::tempdir().unwrap();
    let summary = exporter(0.01, dir.path(), BackendChoice::Portable)
        .files_per_table(3)
        .threads(2)
        .run()
        .unwrap();
    for r in checksums().into_iter().filter(|r| r.sf == 0.01) {
        let table: Table = r.table.parse().unwrap();
        let s = summary.tables.iter().find(|t| t.table == table).unwrap();
        if !table.is_fixed() {
            assert_eq!(s.files.len(), 3);
            assert!(s.files[0].ends_with(format!("{table}/part-000.tbl")));
        }
        assert_eq!(digest_files(&s.files).hex(), r.sha256, "{table}");
    }
}

#[test]
fn parts_match_dbgen_chunks_and_names() {
    let dir = tempfile::tempdir().unwrap();
    for part in 1..=3 {
        exporter(0.1, dir.path(), BackendChoice::Auto)
            .part(part, 3)
            .run()
            .unwrap();
    }
    for r in chunks().into_iter().filter(|r| r.sf == 0.1) {
        let name = match r.part {
            Some(p) => format!("{}.tbl.{p}", r.table),
            None => format!("{}.tbl", r.table),
        };
        let d = digest_files(&[dir.path().join(&name)]);
        assert_eq!(d.hex(), r.sha256, "{name}");
    }
}

/// At SF 30000 (dbgen's 64-bit `o_custkey` and `l_partkey`) a chunk of 15000 orders is written
/// by two work units; the second starts inside dbgen's chunk, where those streams are replayed.
#[test]
fn sf30000_parts_match_dbgen_chunks() {
    let dir = tempfile::tempdir().unwrap();
    for r in chunks().into_iter().filter(|r| r.sf == 30000.0) {
        let part = r.part.unwrap();
        let table: Table = r.table.parse().unwrap();
        exporter(30000.0, dir.path(), BackendChoice::Auto)
            .tables([table])
            .part(part, r.parts)
            .overwrite(true)
            .run()
            .unwrap();
        let name = format!("{}.tbl.{part}", r.table);
        let d = digest_files(&[dir.path().join(&name)]);
        assert_eq!(d.hex(), r.sha256, "{name} of -C {}", r.parts);
    }
}

#[test]
fn csv_has_header_and_quotes_text_with_commas() {
    let dir = tempfile::tempdir().unwrap();
    exporter(0.01, dir.path(), BackendChoice::Portable)
        .format(Format::Csv)
        .tables([Table::Supplier])
        .run()
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("supplier.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "s_suppkey,s_name,s_address,s_nationkey,s_phone,s_acctbal,s_comment"
    );
    assert_eq!(text.lines().count(), 101);
    assert!(text.contains(",\""), "addresses with commas are quoted");
}

#[test]
fn existing_files_are_kept_unless_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("region.tbl");
    std::fs::write(&target, b"keep me").unwrap();
    let err = exporter(0.01, dir.path(), BackendChoice::Portable)
        .tables([Table::Region])
        .run()
        .unwrap_err();
    assert!(err.to_string().contains("--overwrite"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
    exporter(0.01, dir.path(), BackendChoice::Portable)
        .tables([Table::Region])
        .overwrite(true)
        .run()
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap().len(), 389);
}

#[test]
fn unwritable_output_fails_with_the_path_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"").unwrap();
    let err = exporter(0.01, &file.join("out"), BackendChoice::Portable)
        .run()
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");
    assert_eq!(walk(dir.path()), vec![file.display().to_string()]);
}

#[test]
fn cancelled_export_leaves_no_temporary_or_partial_files() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let cancel = Arc::new(AtomicBool::new(true));
        let err = exporter(0.1, dir.path(), backend)
            .tables([Table::Lineitem])
            .cancel_flag(cancel)
            .run()
            .unwrap_err();
        assert!(err.to_string().contains("cancel"), "{err}");
        assert!(walk(dir.path()).is_empty(), "{:?}", walk(dir.path()));
    }
}
