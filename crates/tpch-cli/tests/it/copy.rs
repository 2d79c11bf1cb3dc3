//! SQL `COPY … TO` through the crate's writer plan (`datafusion_dbgen::copy`): files read back
//! equal the source partition by partition, `.tbl` output is dbgen's, options take effect,
//! arbitrary queries work, failures leave no files, and both sink back ends work.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::support::{Digester, checksums};
use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{SchemaRef, UInt64Type};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::error::Result;
use datafusion::physical_plan::collect_partitioned;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use datafusion_dbgen::copy::{CopyConfig, copy_dataframe, register_with};
use datafusion_dbgen::export::Format;
use datafusion_dbgen::provider::register_tpch;
use datafusion_dbgen::sink::{BackendChoice, io_uring_support};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::reader::{FileReader, SerializedFileReader};

/// The back ends to test: io_uring when this kernel allows it, and the portable one.
fn backends() -> Vec<BackendChoice> {
    match io_uring_support() {
        Ok(()) => vec![
            BackendChoice::IoUring,
            BackendChoice::Portable,
            BackendChoice::Inline,
        ],
        Err(e) => {
            eprintln!("io_uring unavailable here ({e}); testing the portable back ends only");
            vec![BackendChoice::Portable, BackendChoice::Inline]
        }
    }
}

fn backend_name(b: BackendChoice) -> &'static str {
    match b {
        BackendChoice::Portable => "portable",
        BackendChoice::Inline => "inline",
        _ => "io_uring",
    }
}

/// A session with the TPC-H tables at `sf` in `partitions` partitions and the crate's COPY.
fn context(sf: f64, partitions: usize, backend: BackendChoice) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    register_tpch(&ctx, sf).unwrap();
    register_with(&ctx, CopyConfig::default().backend(backend)).unwrap();
    ctx
}

/// A plain DataFusion session reading files back in file order.
fn reader() -> SessionContext {
    SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1))
}

async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    ctx.sql(sql).await?.collect().await
}

/// Runs a COPY and returns its `count`.
async fn copy(ctx: &SessionContext, sql: &str) -> u64 {
    let batches = run(ctx, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(batches.len(), 1);
    batches[0].column(0).as_primitive::<UInt64Type>().value(0)
}

async fn explain(ctx: &SessionContext, sql: &str) -> String {
    let batches = run(ctx, &format!("EXPLAIN {sql}")).await.unwrap();
    pretty_format_batches(&batches).unwrap().to_string()
}

/// The source table, one concatenated batch per scan partition.
async fn source(ctx: &SessionContext, table: &str) -> (SchemaRef, Vec<RecordBatch>) {
    let df = ctx.table(table).await.unwrap();
    let plan = df.create_physical_plan().await.unwrap();
    let schema = plan.schema();
    let parts = collect_partitioned(plan, ctx.task_ctx()).await.unwrap();
    let parts = parts
        .iter()
        .map(|p| concat_batches(&schema, p).unwrap())
        .collect();
    (schema, parts)
}

/// The files of a COPY directory, sorted by name; fails on leftover temporary files.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    for f in &all {
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with('.'),
            "temporary file left: {}",
            f.display()
        );
    }
    all
}

fn assert_same_columns(got: &RecordBatch, want: &RecordBatch, what: &str) {
    assert_eq!(got.num_rows(), want.num_rows(), "rows of {what}");
    assert_eq!(got.num_columns(), want.num_columns(), "columns of {what}");
    for (i, field) in want.schema().fields().iter().enumerate() {
        // DataFusion reads Parquet strings as views: compare values in the source's types.
        let column = cast(got.column(i), field.data_type()).unwrap();
        assert!(
            column.as_ref() == want.column(i).as_ref(),
            "column {} of {what} differs",
            field.name()
        );
    }
}

async fn read_parquet(path: &Path) -> RecordBatch {
    let ctx = reader();
    let df = ctx
        .read_parquet(path.to_str().unwrap(), ParquetReadOptions::default())
        .await
        .unwrap();
    let schema = std::sync::Arc::clone(df.schema().inner());
    concat_batches(&schema, &df.collect().await.unwrap()).unwrap()
}

async fn read_csv(path: &Path, schema: &SchemaRef, header: bool) -> RecordBatch {
    let ctx = reader();
    let options = CsvReadOptions::new().schema(schema).has_header(header);
    let df = ctx.read_csv(path.to_str().unwrap(), options).await.unwrap();
    concat_batches(schema, &df.collect().await.unwrap()).unwrap()
}

/// COPY lineitem in every format and compares the files with the source.
async fn copy_lineitem(sf: f64, partitions: usize, backend: BackendChoice, formats: &[Format]) {
    let ctx = context(sf, partitions, backend);
    let (schema, parts) = source(&ctx, "lineitem").await;
    assert_eq!(parts.len(), partitions);
    let rows: usize = parts.iter().map(|p| p.num_rows()).sum();
    let tmp = tempfile::tempdir().unwrap();
    for &format in formats {
        let dir = tmp.path().join(format.extension());
        let what = format!("{format} at SF {sf}, {partitions} partitions, {backend:?}");
        let sql = format!(
            "COPY lineitem TO '{}/' STORED AS {}",
            dir.display(),
            format.extension().to_uppercase()
        );
        assert!(
            explain(&ctx, &sql).await.contains("TpchCopyExec"),
            "{what}: not the crate's plan"
        );
        assert_eq!(copy(&ctx, &sql).await, rows as u64, "count of {what}");
        let files = files(&dir);
        assert_eq!(files.len(), partitions, "files of {what}");
        for (i, (file, part)) in files.iter().zip(&parts).enumerate() {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let width = (partitions - 1).to_string().len();
            assert_eq!(name, format!("part-{i:0width$}.{}", format.extension()));
            let what = format!("{what}, {name}");
            match format {
                Format::Parquet => assert_same_columns(&read_parquet(file).await, part, &what),
                Format::Csv => {
                    assert_same_columns(&read_csv(file, &schema, true).await, part, &what)
                }
                Format::Tbl => {}
            }
        }
        if format == Format::Tbl {
            // Partition i is dbgen's chunk i + 1: the files in order are dbgen's table.
            let mut digest = Digester::default();
            for file in &files {
                digest.update(&std::fs::read(file).unwrap());
            }
            let reference = checksums()
                .into_iter()
                .find(|r| r.sf == sf && r.table == "lineitem")
                .unwrap();
            assert_eq!(digest.lines, reference.rows, "rows of {what}");
            assert_eq!(digest.bytes, reference.bytes, "bytes of {what}");
            assert_eq!(digest.hex(), reference.sha256, "sha256 of {what}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lineitem_all_formats_sf_0_01() {
    for backend in backends() {
        for partitions in [1, 2, 8] {
            copy_lineitem(0.01, partitions, backend, &Format::ALL).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lineitem_all_formats_sf_0_1() {
    // Each partition count with a different back end, to keep the suite short; SF 0.01 runs
    // every combination.
    let backends = backends();
    for (k, partitions) in [1, 2, 8].into_iter().enumerate() {
        let backend = backends[k % backends.len()];
        copy_lineitem(0.1, partitions, backend, &Format::ALL).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_shows_the_plan_and_the_back_end() {
    for backend in backends() {
        let ctx = context(0.01, 4, backend);
        let plan = explain(
            &ctx,
            "COPY lineitem TO '/tmp/never-written/' STORED AS PARQUET",
        )
        .await;
        assert!(plan.contains("TpchCopyExec: format=parquet"), "{plan}");
        assert!(
            plan.contains(&format!("sink={}", backend_name(backend))),
            "{plan}"
        );
        assert!(plan.contains("x 4"), "{plan}");
        assert!(!plan.contains("DataSinkExec"), "{plan}");
        assert!(!std::path::Path::new("/tmp/never-written").exists());
    }
    // Auto with a partition per core writes from the partitions themselves.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ctx = context(0.01, cores, BackendChoice::Auto);
    let plan = explain(&ctx, "COPY lineitem TO '/tmp/never-written/' STORED AS CSV").await;
    assert!(plan.contains("sink=inline"), "{plan}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_dbgen_io_backend_changes_the_sink() {
    let ctx = context(0.01, 2, BackendChoice::Portable);
    let sql = "COPY nation TO '/tmp/never-written/' STORED AS CSV";
    assert!(explain(&ctx, sql).await.contains("sink=portable"));
    run(&ctx, "SET dbgen.io_backend = 'inline'").await.unwrap();
    assert!(explain(&ctx, sql).await.contains("sink=inline"));
    // A bad back end is refused when it is set, and the session keeps the one it had.
    let err = run(&ctx, "SET dbgen.io_backend = 'foo'").await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("dbgen.io_backend") && msg.contains("expected auto, io_uring"),
        "{msg}"
    );
    assert!(explain(&ctx, sql).await.contains("sink=inline"));
    let err = run(&ctx, "SET dbgen.no_such_setting = 1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no_such_setting"), "{err}");
    assert!(!std::path::Path::new("/tmp/never-written").exists());
}

fn parquet_footer(path: &Path) -> parquet::file::metadata::ParquetMetaData {
    SerializedFileReader::new(File::open(path).unwrap())
        .unwrap()
        .metadata()
        .clone()
}

fn codec_name(c: Compression) -> String {
    let name = format!("{c:?}");
    name.split('(').next().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parquet_options_take_effect() {
    let ctx = context(0.01, 2, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "OPTIONS ('format.compression' 'zstd(5)', 'format.max_row_group_size' '5000')",
            Compression::ZSTD(ZstdLevel::try_new(5).unwrap()),
            Some(5000),
        ),
        (
            "OPTIONS (format.compression 'gzip(4)')",
            Compression::GZIP(Default::default()),
            None,
        ),
        // DataFusion's default codec.
        ("", Compression::ZSTD(ZstdLevel::try_new(3).unwrap()), None),
    ];
    for (k, (options, codec, group_rows)) in cases.into_iter().enumerate() {
        let dir = tmp.path().join(k.to_string());
        let sql = format!(
            "COPY lineitem TO '{}/' STORED AS PARQUET {options}",
            dir.display()
        );
        copy(&ctx, &sql).await;
        for file in files(&dir) {
            let meta = parquet_footer(&file);
            let rows: i64 = meta.row_groups().iter().map(|g| g.num_rows()).sum();
            for group in meta.row_groups() {
                for column in group.columns() {
                    // The footer records the codec, not its level.
                    assert_eq!(codec_name(column.compression()), codec_name(codec), "{sql}");
                }
                if let Some(max) = group_rows {
                    assert!(group.num_rows() <= max, "{sql}");
                }
            }
            if let Some(max) = group_rows {
                assert_eq!(
                    meta.num_row_groups() as i64,
                    (rows + max - 1) / max,
                    "row groups of {sql}"
                );
            } else {
                assert_eq!(meta.num_row_groups(), 1, "{sql}");
            }
            // The Arrow schema is embedded, as DataFusion's writer does.
            assert!(
                meta.file_metadata()
                    .key_value_metadata()
                    .is_some_and(|kv| kv.iter().any(|e| e.key == "ARROW:schema"))
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_options_take_effect() {
    let ctx = context(0.01, 2, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let first_line = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };

    let with = tmp.path().join("with");
    copy(
        &ctx,
        &format!("COPY nation TO '{}/' STORED AS CSV", with.display()),
    )
    .await;
    let nation_files = files(&with);
    assert_eq!(
        first_line(&nation_files[0]),
        "n_nationkey,n_name,n_regionkey,n_comment"
    );

    let without = tmp.path().join("without");
    copy(
        &ctx,
        &format!(
            "COPY nation TO '{}/' STORED AS CSV OPTIONS ('format.has_header' 'false')",
            without.display()
        ),
    )
    .await;
    assert!(first_line(&files(&without)[0]).starts_with("0,ALGERIA,0,"));

    // The session default applies when the option is absent.
    run(&ctx, "SET datafusion.catalog.has_header = false")
        .await
        .unwrap();
    let session = tmp.path().join("session");
    copy(
        &ctx,
        &format!("COPY nation TO '{}/' STORED AS CSV", session.display()),
    )
    .await;
    assert!(first_line(&files(&session)[0]).starts_with("0,ALGERIA,0,"));
    run(&ctx, "SET datafusion.catalog.has_header = true")
        .await
        .unwrap();

    // Delimiter, null text and date format.
    let custom = tmp.path().join("custom.csv");
    let n = copy(
        &ctx,
        &format!(
            "COPY (SELECT n_nationkey, CASE WHEN n_nationkey % 2 = 0 THEN NULL ELSE n_name END AS name, \
                    DATE '1995-03-15' AS d FROM nation ORDER BY n_nationkey) \
             TO '{}' STORED AS CSV OPTIONS ('format.delimiter' ';', 'format.null_value' 'NULL', \
                                             'format.date_format' '%d/%m/%Y')",
            custom.display()
        ),
    )
    .await;
    assert_eq!(n, 25);
    let text = std::fs::read_to_string(&custom).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "n_nationkey;name;d");
    assert_eq!(lines[1], "0;NULL;15/03/1995");
    assert_eq!(lines[2], "1;ARGENTINA;15/03/1995");
    assert_eq!(lines.len(), 26);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_equals_datafusion_csv() {
    // Byte for byte what DataFusion's own CSV writer produces for one file.
    let ctx = context(0.01, 1, BackendChoice::Auto);
    let plain = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    register_tpch(&plain, 0.01).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours.csv");
    let theirs = tmp.path().join("theirs.csv");
    let query = "SELECT *, o_totalprice * 1.5 AS scaled, CAST(o_orderdate AS TIMESTAMP) AS ts \
                 FROM orders WHERE o_orderkey < 2000";
    copy(
        &ctx,
        &format!("COPY ({query}) TO '{}' STORED AS CSV", ours.display()),
    )
    .await;
    copy(
        &plain,
        &format!("COPY ({query}) TO '{}' STORED AS CSV", theirs.display()),
    )
    .await;
    assert_eq!(
        std::fs::read(&ours).unwrap(),
        std::fs::read(&theirs).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_file_target_is_the_whole_table_in_order() {
    let ctx = context(0.01, 4, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("lineitem.tbl");
    let sql = format!("COPY lineitem TO '{}' STORED AS TBL", path.display());
    assert!(explain(&ctx, &sql).await.contains("file="));
    copy(&ctx, &sql).await;
    let mut digest = Digester::default();
    digest.update(&std::fs::read(&path).unwrap());
    let reference = checksums()
        .into_iter()
        .find(|r| r.sf == 0.01 && r.table == "lineitem")
        .unwrap();
    assert_eq!(digest.hex(), reference.sha256);
    assert_eq!(files(tmp.path()).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_of_a_join() {
    let ctx = context(0.01, 3, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let query = "SELECT o_orderkey, c_name, o_totalprice, o_orderdate \
                 FROM orders JOIN customer ON o_custkey = c_custkey WHERE o_orderstatus = 'F'";
    let want = run(&ctx, &format!("{query} ORDER BY o_orderkey"))
        .await
        .unwrap();
    let want = concat_batches(&want[0].schema(), &want).unwrap();
    for format in [Format::Parquet, Format::Csv] {
        let dir = tmp.path().join(format.extension());
        let sql = format!(
            "COPY ({query}) TO '{}/' STORED AS {}",
            dir.display(),
            format.extension()
        );
        assert!(explain(&ctx, &sql).await.contains("TpchCopyExec"));
        assert_eq!(copy(&ctx, &sql).await, want.num_rows() as u64);
        let read = reader();
        let dir_str = format!("{}/", dir.display());
        let df = match format {
            Format::Parquet => {
                read.read_parquet(dir_str, ParquetReadOptions::default())
                    .await
            }
            _ => {
                read.read_csv(dir_str, CsvReadOptions::new().schema(&want.schema()))
                    .await
            }
        }
        .unwrap();
        let got = df
            .sort_by(vec![datafusion::prelude::col("o_orderkey")])
            .unwrap();
        let got = got.collect().await.unwrap();
        let got = concat_batches(&got[0].schema(), &got).unwrap();
        assert_same_columns(&got, &want, &format!("join as {format}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitioned_by_falls_back_to_datafusion() {
    let ctx = context(0.01, 2, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let sql = format!(
        "COPY (SELECT n_name, n_regionkey FROM nation) TO '{}/' STORED AS PARQUET \
         PARTITIONED BY (n_regionkey)",
        tmp.path().display()
    );
    let plan = explain(&ctx, &sql).await;
    assert!(
        plan.contains("DataSinkExec") && !plan.contains("TpchCopyExec"),
        "{plan}"
    );
    assert_eq!(copy(&ctx, &sql).await, 25);
    assert!(tmp.path().join("n_regionkey=3").is_dir());
    let read = reader();
    let n = read
        .read_parquet(
            format!("{}/", tmp.path().display()),
            ParquetReadOptions::default(),
        )
        .await
        .unwrap()
        .count()
        .await
        .unwrap();
    assert_eq!(n, 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_still_use_datafusion_formats() {
    let ctx = context(0.01, 2, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    for (format, options) in [
        ("PARQUET", ""),
        ("CSV", "OPTIONS ('format.has_header' 'true')"),
    ] {
        let dir = tmp.path().join(format);
        copy(
            &ctx,
            &format!("COPY orders TO '{}/' STORED AS {format}", dir.display()),
        )
        .await;
        run(
            &ctx,
            &format!(
                "CREATE EXTERNAL TABLE back_{format} STORED AS {format} LOCATION '{}/' {options}",
                dir.display()
            ),
        )
        .await
        .unwrap();
        let check = |table: &str| {
            format!("SELECT count(*), sum(o_orderkey), max(o_comment), min(o_clerk) FROM {table}")
        };
        let got = run(&ctx, &check(&format!("back_{format}"))).await.unwrap();
        let want = run(&ctx, &check("orders")).await.unwrap();
        let got = pretty_format_batches(&got).unwrap().to_string();
        let want = pretty_format_batches(&want).unwrap().to_string();
        let cells = |t: &str| -> Vec<String> {
            let row = t.lines().nth(3).unwrap_or_default();
            row.split('|').map(|c| c.trim().to_string()).collect()
        };
        assert_eq!(cells(&got), cells(&want), "{got}\n{want}");
    }
    // `tbl` is write-only, with a clear error.
    let err = run(
        &ctx,
        &format!(
            "CREATE EXTERNAL TABLE t STORED AS TBL LOCATION '{}/'",
            tmp.path().join("PARQUET").display()
        ),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("TBL"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataframe_route_uses_the_same_plan() {
    let ctx = context(0.01, 2, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let df = ctx.table("lineitem").await.unwrap();
    let options = HashMap::from([("compression".to_string(), "snappy".to_string())]);
    let dir = format!("{}/", tmp.path().display());
    let copy = copy_dataframe(df, &dir, Format::Parquet, options, CopyConfig::default()).unwrap();
    let plan = copy.clone().create_physical_plan().await.unwrap();
    assert_eq!(plan.name(), "TpchCopyExec");
    let out = copy.collect().await.unwrap();
    assert_eq!(
        out[0].column(0).as_primitive::<UInt64Type>().value(0),
        60175
    );
    let files = files(tmp.path());
    assert_eq!(files.len(), 2);
    let meta = parquet_footer(&files[0]);
    assert_eq!(
        meta.row_group(0).column(0).compression(),
        Compression::SNAPPY
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unwritable_target_fails_clearly_and_writes_nothing() {
    for backend in backends() {
        let ctx = context(0.01, 2, backend);
        let tmp = tempfile::tempdir().unwrap();
        // A directory below a regular file cannot be created (even by root).
        let blocker = tmp.path().join("not-a-dir");
        std::fs::write(&blocker, b"x").unwrap();
        let target = blocker.join("out");
        let err = run(
            &ctx,
            &format!("COPY lineitem TO '{}/' STORED AS PARQUET", target.display()),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains(&target.display().to_string()), "{err}");
        assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
        assert_eq!(files(tmp.path()), vec![blocker.clone()]);

        // A directory without write permission (not enforced for root).
        if unsafe { libc::geteuid() } != 0 {
            use std::os::unix::fs::PermissionsExt;
            let locked = tmp.path().join("locked");
            std::fs::create_dir(&locked).unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
            let err = run(
                &ctx,
                &format!("COPY lineitem TO '{}/' STORED AS CSV", locked.display()),
            )
            .await
            .unwrap_err()
            .to_string();
            assert!(err.contains(&locked.display().to_string()), "{err}");
            assert!(files(&locked).is_empty());
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_partition_discards_every_file() {
    for backend in backends() {
        let ctx = context(0.01, 4, backend);
        let tmp = tempfile::tempdir().unwrap();
        // Only the partition holding order 7 divides by zero; the others complete.
        let err = run(
            &ctx,
            &format!(
                "COPY (SELECT l_orderkey, 10 / (l_orderkey - 7) AS x FROM lineitem) TO '{}/' \
                 STORED AS CSV",
                tmp.path().display()
            ),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.to_lowercase().contains("divide by zero"), "{err}");
        assert!(
            files(tmp.path()).is_empty(),
            "files left after a failed COPY"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanishing_directory_fails_and_leaves_nothing() {
    let ctx = context(0.1, 4, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    // As soon as the COPY's temporary files exist, replace the directory by an empty one.
    let watcher = {
        let dir = dir.clone();
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while std::time::Instant::now() < deadline {
                let started = std::fs::read_dir(&dir)
                    .map(|entries| entries.count() > 0)
                    .unwrap_or(false);
                if started {
                    std::fs::remove_dir_all(&dir).unwrap();
                    std::fs::create_dir(&dir).unwrap();
                    return true;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            false
        })
    };
    let result = run(
        &ctx,
        &format!("COPY lineitem TO '{}/' STORED AS PARQUET", dir.display()),
    )
    .await;
    assert!(watcher.join().unwrap(), "the COPY never created its files");
    let err = result
        .expect_err("COPY into a vanished directory succeeded")
        .to_string();
    assert!(err.contains(&dir.display().to_string()), "{err}");
    assert!(
        files(&dir).is_empty(),
        "files published into the new directory"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tbl_rejects_unknown_options_and_partitioning() {
    let ctx = context(0.01, 2, BackendChoice::Auto);
    let tmp = tempfile::tempdir().unwrap();
    let err = run(
        &ctx,
        &format!(
            "COPY nation TO '{}/' STORED AS TBL OPTIONS ('format.delimiter' ',')",
            tmp.path().display()
        ),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("whole_decimal_columns"), "{err}");
    let err = run(
        &ctx,
        &format!(
            "COPY nation TO '{}/' STORED AS TBL PARTITIONED BY (n_regionkey)",
            tmp.path().display()
        ),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("PARTITIONED BY"), "{err}");
    assert!(files(tmp.path()).is_empty());
}

/// Parquet writer settings of zero (which make the `parquet` crate panic or spin) are refused
/// before anything is written, from `OPTIONS` and from `SET` alike (issue 30, item 6).
#[tokio::test]
async fn zero_parquet_writer_settings_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(0.01, 2, BackendChoice::Inline);
    for option in [
        "max_row_group_size",
        "write_batch_size",
        "data_pagesize_limit",
    ] {
        let target = dir.path().join(format!("{option}.parquet"));
        let sql = format!(
            "COPY (SELECT * FROM nation) TO '{}' STORED AS PARQUET OPTIONS ('format.{option}' '0')",
            target.display()
        );
        let err = match ctx.sql(&sql).await {
            Ok(frame) => frame.collect().await.unwrap_err(),
            Err(e) => e,
        };
        assert!(err.to_string().contains(&format!("{option} = 0")), "{err}");
    }
    ctx.sql("SET datafusion.execution.parquet.max_row_group_size = 0")
        .await
        .unwrap();
    let sql = format!(
        "COPY (SELECT * FROM nation) TO '{}/set.parquet' STORED AS PARQUET",
        dir.path().display()
    );
    let err = match ctx.sql(&sql).await {
        Ok(frame) => frame.collect().await.unwrap_err(),
        Err(e) => e,
    };
    assert!(err.to_string().contains("max_row_group_size = 0"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A COPY into a directory an earlier COPY wrote with more partitions leaves this COPY's rows
/// only: the earlier `part-N` files beyond its own are removed, other files stay (issue 30,
/// item 2).
#[tokio::test]
async fn a_copy_replaces_an_earlier_copys_parts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("orders");
    let to = format!("{}/", out.display());
    let sql = format!("COPY (SELECT * FROM orders) TO '{to}' STORED AS PARQUET");
    let wide = context(0.01, 12, BackendChoice::Auto);
    assert_eq!(copy(&wide, &sql).await, 15_000);
    assert_eq!(files(&out).len(), 12);
    std::fs::write(out.join("README.txt"), "the user's").unwrap();
    std::fs::write(out.join("part-7.csv"), "another format's").unwrap();
    let narrow = context(0.01, 3, BackendChoice::Auto);
    assert_eq!(copy(&narrow, &sql).await, 15_000);
    let names: Vec<String> = files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "README.txt",
            "part-0.parquet",
            "part-1.parquet",
            "part-2.parquet",
            "part-7.csv"
        ]
    );
    let read = reader();
    read.register_parquet("o", &to, ParquetReadOptions::default())
        .await
        .unwrap();
    let count = run(&read, "SELECT count(*) FROM o").await.unwrap();
    assert_eq!(
        count[0]
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .value(0),
        15_000
    );
}
