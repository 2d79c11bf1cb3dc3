//! Physical layouts (issue 32): size-bounded files, Parquet column knobs, sort order with
//! `sorting_columns`, hive partitions read back by DataFusion, `--stdout`, `--delimiter`,
//! `--layout` files, and bad layouts refused before any file is written.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, Date32Type, Decimal128Type, Int64Type};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use datafusion_dbgen::bench::{answer, check_answer, query};
use datafusion_dbgen::export::layout::{
    ByteSize, ColumnEncoding, ColumnLayout, KeyTransform, Layout, PartitionKey, SortColumn,
};
use datafusion_dbgen::export::parquet::parse_compression;
use datafusion_dbgen::export::{ExportOptions, Exporter, Format};
use datafusion_dbgen::{ScaleFactor, Table};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, Encoding};
use parquet::file::metadata::ParquetMetaData;

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

fn options(sf: f64, tables: &[Table], format: Format, out: &Path) -> ExportOptions {
    let mut o = ExportOptions::new(ScaleFactor::try_new(sf).unwrap());
    o.tables = tables.to_vec();
    o.format = format;
    o.output = out.to_path_buf();
    o.threads = Some(2);
    o
}

/// Every file under `dir`, sorted by path (part numbers are zero-padded, so in row order).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read_parquet(path: &Path) -> (RecordBatch, ParquetMetaData) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let metadata = builder.metadata().as_ref().clone();
    let schema = std::sync::Arc::clone(builder.schema());
    let batches: Vec<RecordBatch> = builder.build().unwrap().collect::<Result<_, _>>().unwrap();
    (concat_batches(&schema, &batches).unwrap(), metadata)
}

/// Row count and sum of a decimal column of a table, as the plain provider computes it.
async fn provider_count_and_sum(sf: f64, table: &str, column: &str) -> (i64, i128) {
    let ctx = SessionContext::new();
    datafusion_dbgen::provider::register_tpch(&ctx, sf).unwrap();
    count_and_sum(&ctx, table, column).await
}

async fn count_and_sum(ctx: &SessionContext, table: &str, column: &str) -> (i64, i128) {
    let batches = ctx
        .sql(&format!("SELECT count(*), sum({column}) FROM {table}"))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let count = batches[0].column(0).as_primitive::<Int64Type>().value(0);
    let sum = batches[0]
        .column(1)
        .as_primitive::<Decimal128Type>()
        .value(0);
    (count, sum)
}

/// The sort keys of row `i`: each column's value, compared as the layout asks.
fn key_of(batch: &RecordBatch, columns: &[(&str, bool)], row: usize) -> Vec<i128> {
    columns
        .iter()
        .map(|(name, descending)| {
            let array = batch.column_by_name(name).unwrap();
            let v: i128 = match array.data_type() {
                DataType::Int64 => array.as_primitive::<Int64Type>().value(row).into(),
                DataType::Int32 => array
                    .as_primitive::<arrow::datatypes::Int32Type>()
                    .value(row)
                    .into(),
                DataType::Date32 => array.as_primitive::<Date32Type>().value(row).into(),
                DataType::Decimal128(..) => array.as_primitive::<Decimal128Type>().value(row),
                other => panic!("no sort check for {other}"),
            };
            if *descending { -v } else { v }
        })
        .collect()
}

/// Checks that the files' rows are sorted within each file and across them, and returns the
/// number of rows.
fn assert_sorted(files: &[PathBuf], columns: &[(&str, bool)]) -> usize {
    let mut last: Option<Vec<i128>> = None;
    let mut rows = 0;
    for file in files {
        let (batch, _) = read_parquet(file);
        for row in 0..batch.num_rows() {
            let key = key_of(&batch, columns, row);
            if let Some(prev) = &last {
                assert!(
                    prev <= &key,
                    "{} row {row}: {prev:?} > {key:?}",
                    file.display()
                );
            }
            last = Some(key);
        }
        rows += batch.num_rows();
    }
    rows
}

fn declared_sort(metadata: &ParquetMetaData, batch_schema: &RecordBatch) -> Vec<(String, bool)> {
    let mut declared = Vec::new();
    for group in metadata.row_groups() {
        let columns: Vec<(String, bool)> = group
            .sorting_columns()
            .expect("sorting_columns in every row group")
            .iter()
            .map(|c| {
                let name = batch_schema
                    .schema()
                    .field(c.column_idx as usize)
                    .name()
                    .clone();
                (name, c.descending)
            })
            .collect();
        declared = columns;
    }
    declared
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_bounded_parquet_files_hold_the_table_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(0.1, &[Table::Lineitem], Format::Parquet, dir.path());
    o.layout.all.max_file_rows = Some(100_000);
    let summary = Exporter::with_options(o).run().unwrap();
    let files = files_under(&dir.path().join("lineitem"));
    assert_eq!(summary.tables[0].files, files);
    assert_eq!(files.len(), 7, "{files:?}");
    assert!(files[0].ends_with("lineitem/part-00000.parquet"));
    let rows = assert_sorted(&files, &[("l_orderkey", false), ("l_linenumber", false)]);
    for file in &files[..6] {
        let (batch, metadata) = read_parquet(file);
        assert_eq!(batch.num_rows(), 100_000);
        // Without a sort the footers declare dbgen's key order.
        assert_eq!(
            declared_sort(&metadata, &batch),
            [
                ("l_orderkey".to_string(), false),
                ("l_linenumber".into(), false)
            ]
        );
    }
    let ctx = SessionContext::new();
    ctx.register_parquet(
        "lineitem",
        dir.path().join("lineitem").to_str().unwrap(),
        ParquetReadOptions::default(),
    )
    .await
    .unwrap();
    let expected = provider_count_and_sum(0.1, "lineitem", "l_extendedprice").await;
    assert_eq!(rows as i64, expected.0);
    assert_eq!(
        count_and_sum(&ctx, "lineitem", "l_extendedprice").await,
        expected
    );
}

#[test]
fn byte_bounded_text_files_concatenate_to_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let bounded = dir.path().join("bounded");
    Exporter::with_options(options(0.1, &[Table::Orders], Format::Tbl, &plain))
        .run()
        .unwrap();
    let mut o = options(0.1, &[Table::Orders], Format::Tbl, &bounded);
    let bound = 1u64 << 20;
    o.layout.all.max_file_bytes = Some(ByteSize(bound));
    Exporter::with_options(o).run().unwrap();
    let files = files_under(&bounded.join("orders"));
    assert!(files.len() > 10, "{files:?}");
    let mut joined = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        // At most one slice of rows (1024 orders) past the bound.
        assert!(
            bytes.len() as u64 <= bound + 1024 * 160,
            "{}",
            file.display()
        );
        joined.extend(bytes);
    }
    assert_eq!(joined, std::fs::read(plain.join("orders.tbl")).unwrap());
}

#[test]
fn byte_bounded_parquet_files_and_row_groups_stay_within_their_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(0.1, &[Table::Orders], Format::Parquet, dir.path());
    let (file_bound, group_bound) = (1u64 << 20, 256u64 << 10);
    o.layout.all.max_file_bytes = Some(ByteSize(file_bound));
    o.layout.all.row_group_bytes = Some(ByteSize(group_bound));
    Exporter::with_options(o).run().unwrap();
    let files = files_under(&dir.path().join("orders"));
    assert!(files.len() > 3, "{files:?}");
    let mut rows = 0;
    for file in &files {
        let size = std::fs::metadata(file).unwrap().len();
        let (batch, metadata) = read_parquet(file);
        let largest_group = metadata
            .row_groups()
            .iter()
            .map(|g| g.compressed_size() as u64)
            .max()
            .unwrap();
        assert!(metadata.num_row_groups() > 1, "{}", file.display());
        assert!(
            largest_group <= group_bound + (group_bound / 2),
            "{largest_group}"
        );
        assert!(
            size <= file_bound + largest_group + (64 << 10),
            "{}: {size}",
            file.display()
        );
        rows += batch.num_rows();
    }
    assert_eq!(rows, 150_000);
}

#[test]
fn column_knobs_reach_the_parquet_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(0.01, &[Table::Lineitem], Format::Parquet, dir.path());
    let columns = &mut o.layout.table_mut(Table::Lineitem).columns;
    columns.insert(
        "l_comment".into(),
        ColumnLayout {
            encoding: Some(ColumnEncoding::DeltaByteArray),
            compression: Some(parse_compression("zstd:3").unwrap()),
            ..ColumnLayout::default()
        },
    );
    columns.insert(
        "l_partkey".into(),
        ColumnLayout {
            encoding: Some(ColumnEncoding::DeltaBinaryPacked),
            ..ColumnLayout::default()
        },
    );
    columns.insert(
        "l_shipmode".into(),
        ColumnLayout {
            dictionary: Some(false),
            ..ColumnLayout::default()
        },
    );
    Exporter::with_options(o).run().unwrap();
    let (batch, metadata) = read_parquet(&dir.path().join("lineitem.parquet"));
    assert_eq!(batch.num_rows(), 60_175);
    let group = &metadata.row_groups()[0];
    let chunk = |name: &str| {
        let i = batch.schema().index_of(name).unwrap();
        group.column(i).clone()
    };
    let comment = chunk("l_comment");
    assert!(comment.encodings().any(|e| e == Encoding::DELTA_BYTE_ARRAY));
    assert!(matches!(comment.compression(), Compression::ZSTD(_)));
    assert!(
        chunk("l_partkey")
            .encodings()
            .any(|e| e == Encoding::DELTA_BINARY_PACKED)
    );
    // By default the ordered key and the dates are delta-encoded, without a dictionary.
    for column in ["l_orderkey", "l_shipdate"] {
        let encodings: Vec<_> = chunk(column).encodings().collect();
        assert!(
            encodings.contains(&Encoding::DELTA_BINARY_PACKED),
            "{column}"
        );
        assert!(!encodings.contains(&Encoding::RLE_DICTIONARY), "{column}");
    }
    assert!(
        !chunk("l_shipmode")
            .encodings()
            .any(|e| e == Encoding::RLE_DICTIONARY || e == Encoding::PLAIN_DICTIONARY)
    );
    assert!(
        chunk("l_returnflag")
            .encodings()
            .any(|e| e == Encoding::RLE_DICTIONARY)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorted_files_are_in_order_across_files_and_declare_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(0.1, &[Table::Orders], Format::Parquet, dir.path());
    let orders = o.layout.table_mut(Table::Orders);
    orders.sort = vec![
        "o_orderdate".parse().unwrap(),
        "o_totalprice:desc".parse().unwrap(),
    ];
    orders.max_file_rows = Some(40_000);
    Exporter::with_options(o).run().unwrap();
    let files = files_under(&dir.path().join("orders"));
    assert_eq!(files.len(), 4);
    let rows = assert_sorted(&files, &[("o_orderdate", false), ("o_totalprice", true)]);
    assert_eq!(rows, 150_000);
    for file in &files {
        let (batch, metadata) = read_parquet(file);
        assert_eq!(
            declared_sort(&metadata, &batch),
            [
                ("o_orderdate".to_string(), false),
                ("o_totalprice".into(), true)
            ]
        );
    }
    let ctx = SessionContext::new();
    ctx.register_parquet(
        "orders",
        dir.path().join("orders").to_str().unwrap(),
        ParquetReadOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        count_and_sum(&ctx, "orders", "o_totalprice").await,
        provider_count_and_sum(0.1, "orders", "o_totalprice").await
    );
}

/// The layout: `lineitem` and `orders` month-partitioned and date-sorted, read back by
/// DataFusion with the partition columns declared, answer the 22 queries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn month_partitioned_sorted_tables_answer_the_22_queries() {
    let sf = 0.1;
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(sf, &Table::ALL, Format::Parquet, dir.path());
    let lineitem = o.layout.table_mut(Table::Lineitem);
    lineitem.sort = ["l_shipdate", "l_orderkey", "l_linenumber"]
        .iter()
        .map(|c| c.parse::<SortColumn>().unwrap())
        .collect();
    lineitem.partition_by = Some("month(l_shipdate)".parse().unwrap());
    let orders = o.layout.table_mut(Table::Orders);
    orders.sort = vec!["o_orderdate".parse().unwrap()];
    orders.partition_by = Some(PartitionKey {
        column: "o_orderdate".into(),
        transform: KeyTransform::Month,
    });
    orders.max_file_rows = Some(1000);
    Exporter::with_options(o).run().unwrap();

    let months = std::fs::read_dir(dir.path().join("lineitem"))
        .unwrap()
        .count();
    assert!((80..=84).contains(&months), "{months}");
    assert!(
        dir.path()
            .join("lineitem/l_shipdate_month=1995-03/part-00000.parquet")
            .exists()
    );
    assert!(
        dir.path()
            .join("orders/o_orderdate_month=1992-01/part-00001.parquet")
            .exists()
    );
    // Each partition's files continue the order; every footer declares it.
    let march = files_under(&dir.path().join("lineitem/l_shipdate_month=1995-03"));
    let cols = [
        ("l_shipdate", false),
        ("l_orderkey", false),
        ("l_linenumber", false),
    ];
    assert!(assert_sorted(&march, &cols) > 0);
    let (batch, metadata) = read_parquet(&march[0]);
    let declared = declared_sort(&metadata, &batch);
    assert_eq!(declared.len(), 3);
    assert_eq!(declared[0], ("l_shipdate".to_string(), false));
    let january = files_under(&dir.path().join("orders/o_orderdate_month=1992-01"));
    assert!(january.len() > 1);
    assert_sorted(&january, &[("o_orderdate", false)]);

    let ctx = SessionContext::new();
    for table in Table::ALL {
        let name = table.name();
        let (location, options) = match table {
            Table::Lineitem | Table::Orders => {
                let key = match table {
                    Table::Lineitem => "l_shipdate_month",
                    _ => "o_orderdate_month",
                };
                (
                    dir.path().join(name),
                    ParquetReadOptions::default()
                        .table_partition_cols(vec![(key.to_string(), DataType::Utf8)]),
                )
            }
            _ => (
                dir.path().join(format!("{name}.parquet")),
                ParquetReadOptions::default(),
            ),
        };
        ctx.register_parquet(name, location.to_str().unwrap(), options)
            .await
            .unwrap();
    }
    let months = ctx
        .sql("SELECT count(DISTINCT l_shipdate_month), min(l_shipdate_month) FROM lineitem")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let text = arrow::util::pretty::pretty_format_batches(&months)
        .unwrap()
        .to_string();
    assert!(text.contains("1992-01"), "{text}");
    assert_eq!(
        count_and_sum(&ctx, "lineitem", "l_extendedprice").await,
        provider_count_and_sum(sf, "lineitem", "l_extendedprice").await
    );
    let mut failures = Vec::new();
    for n in 1..=22 {
        let batches = ctx.sql(query(n).unwrap()).await.unwrap().collect().await;
        match batches {
            Ok(b) => {
                if let Err(e) = check_answer(&b, answer(sf, n).unwrap()) {
                    failures.push(format!("q{n:02}: {e}"));
                }
            }
            Err(e) => failures.push(format!("q{n:02}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_partition_columns_come_back_from_the_directory_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(0.01, &[Table::Orders], Format::Parquet, dir.path());
    let orders = o.layout.table_mut(Table::Orders);
    orders.partition_by = Some("o_orderpriority".parse().unwrap());
    orders.drop_partition_columns = Some(true);
    Exporter::with_options(o).run().unwrap();
    let urgent = dir
        .path()
        .join("orders/o_orderpriority=1-URGENT/part-00000.parquet");
    let (batch, metadata) = read_parquet(&urgent);
    assert!(batch.schema().index_of("o_orderpriority").is_err());
    // Key order within the partition, declared.
    assert_eq!(
        declared_sort(&metadata, &batch),
        [("o_orderkey".to_string(), false)]
    );
    assert_sorted(&[urgent], &[("o_orderkey", false)]);
    let ctx = SessionContext::new();
    let options = ParquetReadOptions::default()
        .table_partition_cols(vec![("o_orderpriority".to_string(), DataType::Utf8)]);
    ctx.register_parquet(
        "orders",
        dir.path().join("orders").to_str().unwrap(),
        options,
    )
    .await
    .unwrap();
    let batches = ctx
        .sql("SELECT o_orderpriority, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let plain = SessionContext::new();
    datafusion_dbgen::provider::register_tpch(&plain, 0.01).unwrap();
    let expected = plain
        .sql("SELECT o_orderpriority, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let show = |b: &[RecordBatch]| {
        arrow::util::pretty::pretty_format_batches(b)
            .unwrap()
            .to_string()
    };
    assert_eq!(show(&batches), show(&expected));
}

#[test]
fn stdout_equals_the_tbl_file_and_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, _, stderr) = tpch(&[
        "gen",
        "--sf",
        "0.01",
        "--tables",
        "orders",
        "--output",
        out,
        "--no-progress",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let piped = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(["gen", "--sf", "0.01", "--tables", "orders", "--stdout"])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert_eq!(
        piped.stdout,
        std::fs::read(dir.path().join("orders.tbl")).unwrap()
    );
    // The reader goes away after the first bytes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(["gen", "--sf", "0.1", "--tables", "lineitem", "--stdout"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let code = done.status.code().unwrap_or(-1);
    assert!(code == 141 || code == 0, "exit {code}");
    assert!(
        done.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

#[test]
fn csv_takes_a_delimiter_in_files_and_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, _, stderr) = tpch(&[
        "gen",
        "--sf",
        "0.01",
        "--tables",
        "nation,orders",
        "--format",
        "csv",
        "--delimiter",
        ";",
        "--output",
        out,
        "--no-progress",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let nation = std::fs::read_to_string(dir.path().join("nation.csv")).unwrap();
    assert!(nation.starts_with("n_nationkey;n_name;n_regionkey;n_comment\n0;ALGERIA;0;"));
    let (code, stdout, stderr) = tpch(&[
        "gen",
        "--sf",
        "0.01",
        "--tables",
        "orders",
        "--format",
        "csv",
        "--delimiter",
        ";",
        "--stdout",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        std::fs::read_to_string(dir.path().join("orders.csv")).unwrap()
    );
}

#[test]
fn a_layout_file_is_applied_and_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("layout.toml");
    std::fs::write(
        &file,
        "[all]\nmax_file_rows = 20000\n\n[orders]\nsort = [\"o_custkey\"]\n\
         columns.o_comment = { encoding = \"DELTA_LENGTH_BYTE_ARRAY\" }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = tpch(&[
        "gen",
        "--sf",
        "0.1",
        "--tables",
        "orders,customer",
        "--format",
        "parquet",
        "--layout",
        file.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--no-progress",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("layout:"), "{stdout}");
    assert!(stdout.contains("sort = [\"o_custkey\"]"), "{stdout}");
    assert!(stdout.contains("max_file_rows = 20000"), "{stdout}");
    let orders = files_under(&out.join("orders"));
    assert_eq!(orders.len(), 8);
    assert_sorted(&orders, &[("o_custkey", false), ("o_orderkey", false)]);
    assert_eq!(files_under(&out.join("customer")).len(), 1);
    // The printed layout is a layout file that reads back as what was run.
    let printed: String = stdout
        .lines()
        .skip_while(|l| *l != "layout:")
        .skip(1)
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    let layout = Layout::from_toml(&printed).unwrap();
    assert_eq!(layout.for_table(Table::Orders).max_file_rows, Some(20_000));
}

#[test]
fn bad_layouts_are_one_line_errors_before_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_text = out.to_str().unwrap().to_string();
    let bad_file = dir.path().join("bad.toml");
    std::fs::write(
        &bad_file,
        "[lineitem]\nsort = [\"l_shipdate\"]\nmax_file_rows = -3\n",
    )
    .unwrap();
    let bad_file = bad_file.to_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--sort", "lineitems=l_shipdate"],
            "unknown table 'lineitems'",
        ),
        (
            vec!["--sort", "orders=l_shipdate"],
            "unknown column 'l_shipdate'",
        ),
        (
            vec!["--partition-by", "orders=month(o_comment)"],
            "needs a date column",
        ),
        (
            vec!["--partition-by", "orders=o_orderkey"],
            "at most 10000 partitions",
        ),
        (
            vec![
                "--format",
                "parquet",
                "--column-encoding",
                "l_comment=DELTA_BINARY_PACKED",
            ],
            "does not fit column 'l_comment'",
        ),
        (
            vec![
                "--format",
                "parquet",
                "--column-encoding",
                "l_comment=ZIGZAG",
            ],
            "unknown encoding 'ZIGZAG'",
        ),
        (vec!["--max-file-bytes", "0"], "at least 1 byte"),
        (vec!["--max-file-rows", "0"], "at least 1"),
        (vec!["--row-group-bytes", "1MiB"], "applies to parquet"),
        (vec!["--layout", &bad_file], "invalid layout (line 3)"),
        (
            vec![
                "--sort",
                "orders=o_orderdate",
                "--parts",
                "4",
                "--part",
                "1",
            ],
            "not to a dbgen part",
        ),
    ];
    for (flags, message) in cases {
        let mut args = vec!["gen", "--sf", "0.1", "--output", &out_text];
        args.extend(flags.iter().copied());
        let (code, _, stderr) = tpch(&args);
        assert_ne!(code, 0, "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: {stderr:?} lacks {message:?}"
        );
        assert!(
            !out.exists() || files_under(&out).is_empty(),
            "{args:?} wrote files"
        );
    }
}

#[test]
fn a_cancelled_layout_export_leaves_no_partial_file() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    struct StopAfterFirst(Arc<AtomicBool>);
    impl datafusion_dbgen::export::Progress for StopAfterFirst {
        fn advance(&self, _: Table, _: u64, _: u64) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(0.1, &[Table::Orders], Format::Parquet, dir.path());
    o.layout.table_mut(Table::Orders).sort = vec!["o_orderdate".parse().unwrap()];
    o.layout.all.max_file_rows = Some(100_000);
    let flag = Arc::new(AtomicBool::new(false));
    let err = Exporter::with_options(o)
        .cancel_flag(Arc::clone(&flag))
        .progress(Arc::new(StopAfterFirst(Arc::clone(&flag))))
        .run()
        .unwrap_err();
    assert!(
        matches!(err, datafusion_dbgen::Error::Cancelled { .. }),
        "{err}"
    );
    // No temporary file is left; no file is published but finished ones.
    for file in files_under(dir.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("part-") && name.ends_with(".parquet"),
            "{name}"
        );
    }
}
