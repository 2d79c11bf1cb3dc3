//! What an export writes, as one typed value: [`ExportOptions`].
//!
//! `tpch gen`, Python's `generate()` and the distributed export all describe an export with it
//! and validate it with [`ExportOptions::validate`], the one place the rules live; the
//! distributed export sends it to the executors as it is (serde), typed fields and all. The
//! object-store and layout options of later work belong here too.

use std::path::PathBuf;

use parquet::basic::Compression;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::format::Format;
use super::layout::Layout;
use super::parquet::{ParquetOptions, compression_name, parse_compression};
use super::plan::Selection;
use crate::error::{Error, Result};
use crate::store::StorageOptions;
use tpch_dbgen::{ScaleFactor, Table};

/// The most worker threads an export starts (`--threads`): beyond it a machine runs out of
/// stacks before it runs out of work.
pub const MAX_THREADS: usize = 1024;

/// What an export writes: tables, format, place, part of the data and encoder settings.
///
/// ```
/// use datafusion_dbgen::export::{ExportOptions, Format};
/// use datafusion_dbgen::{ScaleFactor, Table};
///
/// let mut options = ExportOptions::new(ScaleFactor::try_new(0.01)?);
/// options.tables = vec![Table::Nation, Table::Region];
/// options.format = Format::Csv;
/// options.validate()?;
/// // The distributed export sends it as it is; it comes back equal.
/// let json = serde_json::to_string(&options).unwrap();
/// assert_eq!(serde_json::from_str::<ExportOptions>(&json).unwrap(), options);
///
/// options.threads = Some(0);
/// assert_eq!(
///     options.validate().unwrap_err().to_string(),
///     "invalid number of threads 0: expected at least 1"
/// );
/// # Ok::<(), datafusion_dbgen::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportOptions {
    /// Scale factor (sent as its number; `--parts` sets dbgen's chunking at SF ≥ 30000).
    #[serde(with = "scale_factor")]
    pub sf: ScaleFactor,
    /// The tables, in the order written (at least one).
    #[serde(with = "tables")]
    pub tables: Vec<Table>,
    /// The file format.
    pub format: Format,
    /// The output directory (created if missing), or an object-store URL (`s3://bucket/prefix`,
    /// see [`crate::store`]).
    pub output: PathBuf,
    /// dbgen's `-C parts -S part` (`(part, parts)`, 1-based): only that chunk, written as
    /// `<table>.<ext>.<part>`.
    pub part: Option<(u64, u64)>,
    /// Files per table (1: `<table>.<ext>`; more: `<table>/part-NNN.<ext>`).
    pub files_per_table: u64,
    /// Worker threads generating and encoding (`None`: one per core).
    pub threads: Option<usize>,
    /// Replace existing files instead of refusing to start.
    pub overwrite: bool,
    /// Parquet settings (`None`: the defaults); only for [`Format::Parquet`].
    pub parquet: Option<ParquetOptions>,
    /// Settings of the object store an `s3://…`-style output goes to, after the environment's
    /// (endpoint, region, credentials, …). Its `Debug` never shows the values.
    #[serde(default, skip_serializing_if = "StorageOptions::is_empty")]
    pub storage_options: StorageOptions,
    /// The physical layout per table: sort order, hive partitions, file and row-group sizes,
    /// Parquet column knobs, CSV delimiter ([`Layout`]; empty: the plain export).
    #[serde(default, skip_serializing_if = "Layout::is_empty")]
    pub layout: Layout,
}

impl ExportOptions {
    /// All eight tables of `sf` as `.tbl` into the current directory, one thread per core.
    pub fn new(sf: ScaleFactor) -> Self {
        ExportOptions {
            sf,
            tables: Table::ALL.to_vec(),
            format: Format::Tbl,
            output: PathBuf::from("."),
            part: None,
            files_per_table: 1,
            threads: None,
            overwrite: false,
            parquet: None,
            storage_options: StorageOptions::new(),
            layout: Layout::default(),
        }
    }

    /// Checks every rule an export's options must meet; the error names the option.
    pub fn validate(&self) -> Result<()> {
        if self.tables.is_empty() {
            return Err(Error::InvalidOption(
                "no tables given: expected at least one table name".into(),
            ));
        }
        for (i, table) in self.tables.iter().enumerate() {
            if self.tables[..i].contains(table) {
                return Err(Error::InvalidOption(format!("table {table} given twice")));
            }
        }
        if let Some((part, parts)) = self.part {
            if parts == 0 {
                return Err(tpch_dbgen::Error::InvalidParts(parts).into());
            }
            if part == 0 || part > parts {
                return Err(tpch_dbgen::Error::PartOutOfRange { part, parts }.into());
            }
        }
        if self.files_per_table == 0 {
            return Err(Error::InvalidOption(
                "invalid number of files per table 0: expected at least 1".into(),
            ));
        }
        if self.threads == Some(0) {
            return Err(Error::InvalidOption(
                "invalid number of threads 0: expected at least 1".into(),
            ));
        }
        if let Some(threads) = self.threads.filter(|&t| t > MAX_THREADS) {
            return Err(Error::InvalidOption(format!(
                "invalid number of threads {threads}: expected at most {MAX_THREADS}"
            )));
        }
        if let Some(parquet) = &self.parquet {
            if self.format != Format::Parquet {
                return Err(Error::InvalidOption(format!(
                    "compression and row group rows apply to format 'parquet', not '{}'",
                    self.format
                )));
            }
            if parquet.row_group_rows == 0 {
                return Err(Error::InvalidOption(
                    "invalid number of row group rows 0: expected at least 1".into(),
                ));
            }
        }
        self.layout
            .validate(self.format, &self.tables, &self.effective_scale_factor())?;
        for &table in &self.tables {
            let layout = self.layout.for_table(table);
            if !layout.needs_ordered_writer() {
                continue;
            }
            if self.part.is_some() {
                return Err(Error::InvalidOption(format!(
                    "layout of {table}: sort, partitions and file or row-group sizes apply to a \
                     whole table, not to a dbgen part (--parts)"
                )));
            }
            if self.files_per_table > 1 {
                return Err(Error::InvalidOption(format!(
                    "layout of {table}: files per table does not combine with a sort, partitions \
                     or sizes; bound the files with max_file_rows or max_file_bytes"
                )));
            }
        }
        Ok(())
    }

    /// The scale factor the data is generated at: with `part`, dbgen's chunking of `parts`
    /// (which decides the data at SF ≥ 30000, [`ScaleFactor::with_wide_chunks`]).
    pub fn effective_scale_factor(&self) -> ScaleFactor {
        match self.part {
            Some((_, parts)) => self.sf.with_wide_chunks(parts),
            None => self.sf,
        }
    }

    /// Worker threads: `threads`, or one per core.
    pub fn thread_count(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// The Parquet settings in effect.
    pub fn parquet_options(&self) -> ParquetOptions {
        self.parquet.clone().unwrap_or_default()
    }

    /// Which part of the data the export writes.
    pub(crate) fn selection(&self) -> Selection {
        Selection {
            part: self.part,
            files_per_table: self.files_per_table,
        }
    }
}

/// `sf` as its number; a number dbgen does not accept is an error when it is read.
mod scale_factor {
    use super::*;

    pub(super) fn serialize<S: Serializer>(sf: &ScaleFactor, s: S) -> Result<S::Ok, S::Error> {
        sf.value().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ScaleFactor, D::Error> {
        let value = f64::deserialize(d)?;
        ScaleFactor::try_new(value).map_err(serde::de::Error::custom)
    }
}

/// Tables as their names.
mod tables {
    use super::*;

    pub(super) fn serialize<S: Serializer>(tables: &[Table], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(tables.iter().map(|t| t.name()))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Table>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|name| name.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.extension())
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Parquet settings with the compression as its name (`zstd:3`), as `--compression` takes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParquetOptionsText {
    compression: String,
    row_group_rows: u64,
}

impl Serialize for ParquetOptions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ParquetOptionsText {
            compression: compression_name(self.compression),
            row_group_rows: self.row_group_rows,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ParquetOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = ParquetOptionsText::deserialize(d)?;
        let compression: Compression =
            parse_compression(&text.compression).map_err(serde::de::Error::custom)?;
        Ok(ParquetOptions {
            compression,
            row_group_rows: text.row_group_rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use parquet::basic::{GzipLevel, ZstdLevel};

    use super::*;

    fn options() -> ExportOptions {
        ExportOptions::new(ScaleFactor::try_new(1.0).unwrap())
    }

    /// A change to valid options, and what the error it causes says.
    type Case = (Box<dyn Fn(&mut ExportOptions)>, &'static str);

    #[test]
    fn every_rule_is_checked() {
        let cases: Vec<Case> = vec![
            (Box::new(|o| o.tables.clear()), "no tables given"),
            (
                Box::new(|o| o.tables = vec![Table::Orders, Table::Orders]),
                "table orders given twice",
            ),
            (
                Box::new(|o| o.part = Some((1, 0))),
                "invalid number of parts 0",
            ),
            (Box::new(|o| o.part = Some((5, 4))), "part 5 out of range"),
            (Box::new(|o| o.part = Some((0, 4))), "part 0 out of range"),
            (Box::new(|o| o.files_per_table = 0), "files per table 0"),
            (Box::new(|o| o.threads = Some(0)), "threads 0"),
            (
                Box::new(|o| o.parquet = Some(ParquetOptions::default())),
                "apply to format 'parquet', not 'tbl'",
            ),
            (
                Box::new(|o| {
                    o.format = Format::Parquet;
                    o.parquet = Some(ParquetOptions {
                        row_group_rows: 0,
                        ..ParquetOptions::default()
                    });
                }),
                "row group rows 0",
            ),
        ];
        assert!(options().validate().is_ok());
        for (change, message) in cases {
            let mut o = options();
            change(&mut o);
            let err = o.validate().unwrap_err().to_string();
            assert!(err.contains(message), "{err} lacks {message}");
        }
    }

    #[test]
    fn round_trips_through_serde_typed() {
        for compression in [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::LZ4_RAW,
            Compression::GZIP(GzipLevel::try_new(9).unwrap()),
            Compression::ZSTD(ZstdLevel::try_new(7).unwrap()),
        ] {
            let mut o = options();
            o.sf = ScaleFactor::try_new(0.1).unwrap();
            o.tables = vec![Table::Lineitem, Table::Nation];
            o.format = Format::Parquet;
            o.output = PathBuf::from("/data/sf0.1");
            o.part = Some((2, 8));
            o.threads = Some(3);
            o.overwrite = true;
            o.parquet = Some(ParquetOptions {
                compression,
                row_group_rows: 1000,
            });
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(serde_json::from_str::<ExportOptions>(&json).unwrap(), o);
        }
    }

    #[test]
    fn bad_encodings_are_errors() {
        let json = serde_json::to_string(&options()).unwrap();
        for (from, to, message) in [
            ("\"sf\":1.0", "\"sf\":-1.0", "invalid scale factor"),
            ("\"lineitem\"", "\"lineitems\"", "unknown table"),
            ("\"format\":\"tbl\"", "\"format\":\"orc\"", "unknown format"),
            (
                "\"overwrite\":false",
                "\"overwrite\":false,\"x\":1",
                "unknown field",
            ),
        ] {
            assert!(json.contains(from), "{json} lacks {from}");
            let bad = json.replace(from, to);
            let err = serde_json::from_str::<ExportOptions>(&bad).unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
    }

    #[test]
    fn part_sets_dbgens_chunking() {
        let mut o = options();
        o.part = Some((3, 7));
        assert_eq!(
            o.effective_scale_factor(),
            o.sf.with_wide_chunks(7),
            "the data of dbgen -C 7"
        );
    }
}
