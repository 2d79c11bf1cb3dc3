//! CSV and Parquet written by the export pipeline read back (with arrow's CSV reader and the
//! parquet reader) equal the generator's Arrow batches row for row; compression and row-group
//! settings take effect.

use std::fs::File;
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use datafusion_dbgen::arrow::{TableBatches, table_schema};
use datafusion_dbgen::export::parquet::{ParquetOptions, parse_compression};
use datafusion_dbgen::export::{Exporter, Format};
use datafusion_dbgen::generator::RowRange;
use datafusion_dbgen::{ScaleFactor, Table};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};

const SF: f64 = 0.01;

fn expected(table: Table) -> RecordBatch {
    let sf = ScaleFactor::try_new(SF).unwrap();
    let range = RowRange::new(0, sf.generator_rows(table));
    let batches: Vec<RecordBatch> = TableBatches::try_new(table, &sf, range, None, 8192)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    concat_batches(&table_schema(table), &batches).unwrap()
}

fn read_parquet(path: &Path) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn read_csv(path: &Path, table: Table) -> RecordBatch {
    let reader = arrow::csv::ReaderBuilder::new(table_schema(table))
        .with_header(true)
        .build(File::open(path).unwrap())
        .unwrap();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    concat_batches(&table_schema(table), &batches).unwrap()
}

fn export(dir: &Path, format: Format, options: ParquetOptions) {
    let mut exporter = Exporter::new(ScaleFactor::try_new(SF).unwrap())
        .format(format)
        .output(dir)
        .threads(2);
    // Parquet settings on another format are an error (`ExportOptions::validate`).
    if format == Format::Parquet {
        exporter = exporter.parquet_options(options);
    }
    exporter.run().unwrap();
}

#[test]
fn parquet_reads_back_equal_to_the_generated_batches() {
    let dir = tempfile::tempdir().unwrap();
    export(dir.path(), Format::Parquet, ParquetOptions::default());
    for table in Table::ALL {
        let got = read_parquet(&dir.path().join(format!("{table}.parquet")));
        let want = expected(table);
        assert_eq!(got.schema().fields(), want.schema().fields(), "{table}");
        assert_eq!(got.columns(), want.columns(), "{table}");
    }
}

#[test]
fn csv_reads_back_equal_to_the_generated_batches() {
    let dir = tempfile::tempdir().unwrap();
    export(dir.path(), Format::Csv, ParquetOptions::default());
    for table in Table::ALL {
        let got = read_csv(&dir.path().join(format!("{table}.csv")), table);
        assert_eq!(got, expected(table), "{table}");
    }
    let lineitem = std::fs::read_to_string(dir.path().join("lineitem.csv")).unwrap();
    let first = lineitem.lines().nth(1).unwrap();
    assert!(
        first.starts_with("1,1552,93,1,17.00,24710.35,0.04,0.02,N,O,1996-03-13,"),
        "{first}"
    );
}

#[test]
fn compression_and_row_groups_take_effect_and_round_trip() {
    for (name, rows_per_group) in [
        ("zstd:3", 1000),
        ("gzip", 4000),
        ("lz4", 1 << 20),
        ("none", 5000),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let options = ParquetOptions {
            compression: parse_compression(name).unwrap(),
            row_group_rows: rows_per_group,
        };
        Exporter::new(ScaleFactor::try_new(SF).unwrap())
            .format(Format::Parquet)
            .tables([Table::Orders])
            .output(dir.path())
            .parquet_options(options.clone())
            .run()
            .unwrap();
        let path = dir.path().join("orders.parquet");
        let meta = SerializedFileReader::new(File::open(&path).unwrap())
            .unwrap()
            .metadata()
            .clone();
        let groups = meta.num_row_groups();
        assert_eq!(groups as u64, 15_000u64.div_ceil(rows_per_group), "{name}");
        for g in meta.row_groups() {
            // Parquet stores the codec, not the level.
            assert_eq!(
                std::mem::discriminant(&g.column(0).compression()),
                std::mem::discriminant(&options.compression),
                "{name}"
            );
            assert!(g.column(0).statistics().is_some(), "statistics are written");
        }
        assert_eq!(read_parquet(&path), expected(Table::Orders), "{name}");
    }
}
