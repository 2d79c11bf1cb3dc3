//! Parquet encoding with row groups encoded in parallel: workers encode whole row groups into
//! column chunks (parquet's `ArrowColumnWriter`s), and each file appends them in order to one
//! `SerializedFileWriter` writing into the sink. [`ParquetBatchWriter`] writes record batches of
//! any schema (SQL `COPY`) with `parquet`'s `ArrowWriter` into a sink file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowRowGroupWriterFactory, ArrowWriterOptions, compute_leaves,
};
use parquet::basic::{Compression, Encoding, GzipLevel, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;

use super::layout::{TableLayout, key_order};
use crate::arrow::{DEFAULT_BATCH_SIZE, TableBatches, table_schema};
use crate::error::{Error, Result};
use crate::sink::SinkFile;
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// Parquet settings of an export.
#[derive(Clone, Debug, PartialEq)]
pub struct ParquetOptions {
    /// Page compression.
    pub compression: Compression,
    /// Target rows per row group (one row group is one unit of parallel work).
    pub row_group_rows: u64,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            compression: Compression::SNAPPY,
            row_group_rows: 1 << 19,
        }
    }
}

/// Parses `none`, `snappy`, `lz4`, `gzip[:level]` or `zstd[:level]` (also `zstd(3)`).
pub fn parse_compression(text: &str) -> Result<Compression> {
    let bad = || {
        Error::InvalidOption(format!(
            "unknown compression '{text}': expected none, snappy, lz4, gzip[:level] or zstd[:level]"
        ))
    };
    let lower = text.trim().to_ascii_lowercase();
    let (codec, level) = match lower.split_once([':', '(']) {
        Some((c, l)) => (c.to_string(), Some(l.trim_end_matches(')').to_string())),
        None => (lower.clone(), None),
    };
    let level: Option<u32> = match level {
        Some(l) => Some(l.parse().map_err(|_| bad())?),
        None => None,
    };
    let out_of_range = |range: &str| {
        Error::InvalidOption(format!(
            "compression level out of range in '{text}': {codec} levels are {range}"
        ))
    };
    Ok(match (codec.as_str(), level) {
        ("none" | "uncompressed", None) => Compression::UNCOMPRESSED,
        ("snappy", None) => Compression::SNAPPY,
        ("lz4", None) => Compression::LZ4_RAW,
        ("gzip", l) => Compression::GZIP(
            GzipLevel::try_new(l.unwrap_or(6)).map_err(|_| out_of_range("0 to 9"))?,
        ),
        ("zstd", l) => Compression::ZSTD(
            ZstdLevel::try_new(l.unwrap_or(3) as i32).map_err(|_| out_of_range("1 to 22"))?,
        ),
        _ => return Err(bad()),
    })
}

/// The name [`parse_compression`] reads back: `none`, `snappy`, `lz4`, `gzip:L`, `zstd:L`
/// (other codecs by parquet's own name, which it does not read).
pub fn compression_name(compression: Compression) -> String {
    match compression {
        Compression::UNCOMPRESSED => "none".into(),
        Compression::SNAPPY => "snappy".into(),
        Compression::LZ4_RAW => "lz4".into(),
        Compression::GZIP(level) => format!("gzip:{}", level.compression_level()),
        Compression::ZSTD(level) => format!("zstd:{}", level.compression_level()),
        other => other.to_string(),
    }
}

/// Columns with few distinct values (flags, modes, priorities, segments, part attributes,
/// names of nations and regions), where dictionary encoding shrinks the file.
fn dictionary_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Region => &["r_name"],
        Table::Nation => &["n_name"],
        Table::Supplier => &[],
        Table::Customer => &["c_mktsegment"],
        Table::Part => &["p_mfgr", "p_brand", "p_type", "p_container"],
        Table::Partsupp => &[],
        Table::Orders => &["o_orderstatus", "o_orderpriority", "o_clerk"],
        Table::Lineitem => &[
            "l_returnflag",
            "l_linestatus",
            "l_shipinstruct",
            "l_shipmode",
        ],
    }
}

/// Columns written `DELTA_BINARY_PACKED`: the keys in file order (ascending, so the deltas are
/// 0 or small) and the dates (a few thousand days: about as few bits a value as a dictionary's
/// indices, without hashing every value). At SF 1 the files are 5 % smaller than with
/// dictionary dates and plain keys, and written ~6 % faster (BENCHMARKS.md).
fn delta_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Region | Table::Nation => &[],
        Table::Supplier => &["s_suppkey"],
        Table::Customer => &["c_custkey"],
        Table::Part => &["p_partkey"],
        Table::Partsupp => &["ps_partkey"],
        Table::Orders => &["o_orderkey", "o_orderdate"],
        Table::Lineitem => &[
            "l_orderkey",
            "l_linenumber",
            "l_shipdate",
            "l_commitdate",
            "l_receiptdate",
        ],
    }
}

/// The writer properties of `table`'s files with `schema` (the table's, or without a dropped
/// partition column): compression, dictionaries where they pay off, the layout's column
/// knobs, and `sorting_columns` declaring the layout's sort (or dbgen's key order). With
/// `writer_cuts_row_groups` the writer cuts row groups by `row_group_rows` and the layout's
/// `row_group_bytes`; otherwise the caller appends whole row groups.
pub fn table_properties(
    table: Table,
    options: &ParquetOptions,
    layout: &TableLayout,
    schema: &Schema,
    writer_cuts_row_groups: bool,
) -> WriterProperties {
    let row_group_rows = usize::try_from(options.row_group_rows)
        .ok()
        .filter(|&n| n > 0);
    let mut props = WriterProperties::builder()
        .set_compression(options.compression)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        // Dictionaries pay off only on low-cardinality columns; on keys, prices and comments
        // they cost time and fall back to plain encoding anyway.
        .set_dictionary_enabled(false);
    props = match writer_cuts_row_groups {
        true => props
            .set_max_row_group_row_count(row_group_rows)
            .set_max_row_group_bytes(
                layout
                    .row_group_bytes
                    .and_then(|b| usize::try_from(b.0).ok())
                    .filter(|&b| b > 0),
            ),
        false => props.set_max_row_group_row_count(None),
    };
    for column in dictionary_columns(table) {
        if schema.index_of(column).is_ok() {
            props = props.set_column_dictionary_enabled((*column).into(), true);
        }
    }
    for column in delta_columns(table) {
        if schema.index_of(column).is_ok() {
            props = props.set_column_encoding((*column).into(), Encoding::DELTA_BINARY_PACKED);
        }
    }
    for (name, column) in &layout.columns {
        if schema.index_of(name).is_err() {
            continue;
        }
        let path = ColumnPath::from(name.as_str());
        if let Some(encoding) = column.encoding {
            props = props
                .set_column_encoding(path.clone(), encoding.parquet())
                // The encoding given is the one written, unless a dictionary is asked for too
                // (then it is the dictionary's fallback).
                .set_column_dictionary_enabled(path.clone(), column.dictionary == Some(true));
        }
        if let Some(dictionary) = column.dictionary {
            props = props.set_column_dictionary_enabled(path.clone(), dictionary);
        }
        if let Some(compression) = column.compression {
            props = props.set_column_compression(path, compression);
        }
    }
    let declared: Vec<SortingColumn> = match layout.sort.is_empty() {
        true => key_order(table)
            .iter()
            .filter_map(|c| schema.index_of(c).ok().map(|i| (i, false)))
            .collect::<Vec<_>>(),
        false => layout
            .sort
            .iter()
            .filter_map(|s| schema.index_of(&s.column).ok().map(|i| (i, s.descending)))
            .collect(),
    }
    .into_iter()
    .map(|(i, descending)| SortingColumn {
        column_idx: i as i32,
        descending,
        nulls_first: false,
    })
    .collect();
    props
        .set_sorting_columns(Some(declared).filter(|d| !d.is_empty()))
        .build()
}

/// Generator rows per row group of `table` for a target number of table rows.
pub fn generator_rows_per_row_group(table: Table, row_group_rows: u64) -> u64 {
    let rows_per_generator_row = match table {
        Table::Lineitem => 4,
        Table::Partsupp => 4,
        _ => 1,
    };
    (row_group_rows / rows_per_generator_row).max(1)
}

/// A Parquet file being written: row groups are appended in order.
pub struct ParquetFile {
    writer: SerializedFileWriter<SinkFile>,
    factory: Arc<ArrowRowGroupWriterFactory>,
}

impl ParquetFile {
    /// Starts a Parquet file of `table` in `file`.
    pub fn try_new(
        file: SinkFile,
        table: Table,
        options: &ParquetOptions,
        layout: &TableLayout,
        path: &Path,
    ) -> Result<Self> {
        let props = table_properties(table, options, layout, &table_schema(table), false);
        let writer = ArrowWriter::try_new(file, table_schema(table), Some(props))
            .map_err(|e| Error::encode(path, e))?;
        let (writer, factory) = writer
            .into_serialized_writer()
            .map_err(|e| Error::encode(path, e))?;
        Ok(ParquetFile {
            writer,
            factory: Arc::new(factory),
        })
    }

    /// The factory workers use to encode row groups of this file.
    pub fn factory(&self) -> Arc<ArrowRowGroupWriterFactory> {
        Arc::clone(&self.factory)
    }

    /// Appends an encoded row group (in order).
    pub fn append(&mut self, chunks: Vec<ArrowColumnChunk>, path: &Path) -> Result<()> {
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| Error::encode(path, e))?;
        for chunk in chunks {
            chunk
                .append_to_row_group(&mut group)
                .map_err(|e| Error::encode(path, e))?;
        }
        group.close().map_err(|e| Error::encode(path, e))?;
        Ok(())
    }

    /// Bytes handed to the sink so far.
    pub fn bytes_written(&self) -> u64 {
        self.writer.bytes_written() as u64
    }

    /// Writes the footer and returns the sink file, ready to finish.
    pub fn finish(self, path: &Path) -> Result<SinkFile> {
        self.writer.into_inner().map_err(|e| Error::encode(path, e))
    }
}

/// Encodes the generator rows `range` of `table` as row group `index`; returns its column
/// chunks and row count.
pub fn encode_row_group(
    factory: &ArrowRowGroupWriterFactory,
    index: usize,
    sf: &ScaleFactor,
    table: Table,
    range: RowRange,
    path: &Path,
) -> Result<(Vec<ArrowColumnChunk>, u64)> {
    let schema = table_schema(table);
    let mut writers = factory
        .create_column_writers(index)
        .map_err(|e| Error::encode(path, e))?;
    let mut rows = 0u64;
    for batch in TableBatches::try_new(table, sf, range, None, DEFAULT_BATCH_SIZE)? {
        let batch = batch.map_err(|e| Error::encode(path, e))?;
        rows += batch.num_rows() as u64;
        let mut writer = writers.iter_mut();
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            for leaf in compute_leaves(field, column).map_err(|e| Error::encode(path, e))? {
                let w = writer
                    .next()
                    .ok_or_else(|| Error::encode(path, "more leaves than column writers"))?;
                w.write(&leaf).map_err(|e| Error::encode(path, e))?;
            }
        }
    }
    let chunks = writers
        .into_iter()
        .map(|w| w.close())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::encode(path, e))?;
    Ok((chunks, rows))
}

/// Writes record batches as one Parquet file into a [`SinkFile`] with `parquet`'s
/// `ArrowWriter` (row groups are cut by the writer properties, as in DataFusion's writer).
pub struct ParquetBatchWriter {
    writer: ArrowWriter<SinkFile>,
    path: PathBuf,
    rows: u64,
}

impl ParquetBatchWriter {
    /// Starts a Parquet file of `schema` in `file` with `properties`; `skip_arrow_metadata`
    /// leaves the Arrow schema out of the file's key-value metadata.
    pub fn try_new(
        file: SinkFile,
        schema: SchemaRef,
        properties: WriterProperties,
        skip_arrow_metadata: bool,
    ) -> Result<Self> {
        let path = file.path().to_path_buf();
        let options = ArrowWriterOptions::new()
            .with_properties(properties)
            .with_skip_arrow_metadata(skip_arrow_metadata);
        let writer = ArrowWriter::try_new_with_options(file, schema, options)
            .map_err(|e| Error::encode(&path, e))?;
        Ok(ParquetBatchWriter {
            writer,
            path,
            rows: 0,
        })
    }

    /// Appends the rows of `batch` (a row group is encoded and handed to the sink whenever
    /// the writer properties' row limit is reached).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(|e| Error::encode(&self.path, e))?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the last row group and the footer and returns the file, ready for
    /// [`SinkFile::finish`].
    pub fn into_file(self) -> Result<SinkFile> {
        let path = self.path;
        let mut file = self
            .writer
            .into_inner()
            .map_err(|e| Error::encode(&path, e))?;
        std::io::Write::flush(&mut file).map_err(|source| Error::Io { path, source })?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_names() {
        assert_eq!(
            parse_compression("none").unwrap(),
            Compression::UNCOMPRESSED
        );
        assert_eq!(parse_compression("SNAPPY").unwrap(), Compression::SNAPPY);
        assert_eq!(
            parse_compression("zstd:5").unwrap(),
            Compression::ZSTD(ZstdLevel::try_new(5).unwrap())
        );
        assert_eq!(
            parse_compression("zstd(1)").unwrap(),
            Compression::ZSTD(ZstdLevel::try_new(1).unwrap())
        );
        assert!(parse_compression("brotli").is_err());
        let level = parse_compression("zstd:99").unwrap_err().to_string();
        assert!(
            level.contains("1 to 22") && !level.contains("unknown"),
            "{level}"
        );
        assert!(
            parse_compression("gzip:10")
                .unwrap_err()
                .to_string()
                .contains("0 to 9")
        );
    }
}
