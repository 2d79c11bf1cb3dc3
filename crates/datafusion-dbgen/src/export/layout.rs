//! Physical layouts of an export: [`Layout`], one value for `tpch gen`'s flags, its `--layout`
//! TOML file, the library and Python's `generate(layout=…)`.
//!
//! A layout says, per table (or for every table under `all`): the sort order of the rows, a hive
//! partitioning key, bounds on each file's rows and bytes, Parquet row groups in bytes, Parquet
//! column knobs (encoding, dictionary, compression) and the CSV delimiter. As TOML:
//!
//! ```toml
//! [all]
//! max_file_bytes = "512MiB"
//!
//! [lineitem]
//! sort = ["l_shipdate", "l_orderkey", "l_linenumber"]
//! partition_by = "month(l_shipdate)"
//! row_group_bytes = "128MiB"
//! columns.l_comment = { encoding = "DELTA_BYTE_ARRAY", compression = "zstd:3" }
//!
//! [orders]
//! sort = ["o_orderdate", "o_orderkey:desc"]
//! partition_by = "year(o_orderdate)"
//! ```
//!
//! Partitions are directories `name=value/` as DataFusion's `COPY … PARTITIONED BY` writes them
//! (values percent-encoded where they are not `[A-Za-z0-9._-]`): a plain column `COL` is
//! `COL=<value>`, `year(COL)` is `COL_year=YYYY` and `month(COL)` is `COL_month=YYYY-MM`.
//!
//! ```
//! use datafusion_dbgen::export::layout::Layout;
//! use datafusion_dbgen::Table;
//!
//! let layout = Layout::from_toml(
//!     "[lineitem]\nsort = [\"l_shipdate\", \"l_orderkey:desc\"]\npartition_by = \"month(l_shipdate)\"\n",
//! )?;
//! let lineitem = layout.for_table(Table::Lineitem);
//! assert_eq!(lineitem.sort[1].to_string(), "l_orderkey:desc");
//! assert_eq!(lineitem.partition_by.unwrap().to_string(), "month(l_shipdate)");
//! # Ok::<(), datafusion_dbgen::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use arrow::datatypes::DataType;
use parquet::basic::{Compression, Encoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::format::Format;
use super::parquet::{compression_name, parse_compression};
use crate::arrow::table_schema;
use crate::error::{Error, Result};
use tpch_dbgen::{ScaleFactor, Table};

/// The most partitions one table may be split into: beyond it a file system holds more
/// directories than any reader wants to list.
pub const MAX_PARTITIONS: u64 = 10_000;

/// The layout of every table of an export: `all` applies to each table, a table's own entry
/// overrides it field by field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Settings for every table (only those that name no column: sizes, delimiter,
    /// `drop_partition_columns`).
    pub all: TableLayout,
    /// Settings per table.
    pub tables: BTreeMap<Table, TableLayout>,
}

/// The layout of one table. Every field is optional; an empty value is the plain export.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TableLayout {
    /// Sort order of the rows (`COL` or `COL:desc`), within each file and across the files of
    /// the table or partition. Empty: dbgen's key order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortColumn>,
    /// Hive partitioning key: `COL`, `year(COL)` or `month(COL)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<PartitionKey>,
    /// Leave a plain-column partition key out of the files (it is in the directory names), as
    /// DataFusion's `keep_partition_by_columns = false` does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_partition_columns: Option<bool>,
    /// Most rows per file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_rows: Option<u64>,
    /// Most bytes per file (a file may pass it by at most one row group, or one slice of text
    /// rows, and the Parquet footer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_bytes: Option<ByteSize>,
    /// Parquet: most bytes per row group (parquet's encoded-size estimate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_group_bytes: Option<ByteSize>,
    /// CSV: the field delimiter (one ASCII character; default `,`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// Parquet column knobs by column name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, ColumnLayout>,
}

/// Parquet settings of one column.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnLayout {
    /// Value encoding (without `dictionary = true`, dictionary encoding is turned off so this
    /// encoding is the one written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<ColumnEncoding>,
    /// Dictionary encoding on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dictionary: Option<bool>,
    /// Page compression of this column.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "compression_text::serialize",
        deserialize_with = "compression_text::deserialize"
    )]
    pub compression: Option<Compression>,
}

/// One column of a sort order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortColumn {
    /// The column.
    pub column: String,
    /// Largest first.
    pub descending: bool,
}

/// How a partitioning key is taken from its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyTransform {
    /// The column's value.
    Identity,
    /// A date's year.
    Year,
    /// A date's year and month.
    Month,
}

/// A hive partitioning key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionKey {
    /// The column the key comes from.
    pub column: String,
    /// Plain value, year or month.
    pub transform: KeyTransform,
}

/// A Parquet value encoding a column can be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnEncoding {
    /// `PLAIN`, any type.
    Plain,
    /// `RLE`: booleans only (no TPC-H column is one).
    Rle,
    /// `DELTA_BINARY_PACKED`: integers, dates, decimals.
    DeltaBinaryPacked,
    /// `DELTA_LENGTH_BYTE_ARRAY`: strings.
    DeltaLengthByteArray,
    /// `DELTA_BYTE_ARRAY`: strings.
    DeltaByteArray,
    /// `BYTE_STREAM_SPLIT`: integers, dates, decimals.
    ByteStreamSplit,
}

/// A size in bytes, written with a `KiB`, `MiB`, `GiB` or `TiB` suffix or none (bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ColumnEncoding {
    const ALL: [(ColumnEncoding, &'static str); 6] = [
        (ColumnEncoding::Plain, "PLAIN"),
        (ColumnEncoding::Rle, "RLE"),
        (ColumnEncoding::DeltaBinaryPacked, "DELTA_BINARY_PACKED"),
        (
            ColumnEncoding::DeltaLengthByteArray,
            "DELTA_LENGTH_BYTE_ARRAY",
        ),
        (ColumnEncoding::DeltaByteArray, "DELTA_BYTE_ARRAY"),
        (ColumnEncoding::ByteStreamSplit, "BYTE_STREAM_SPLIT"),
    ];

    /// Parquet's encoding.
    pub fn parquet(self) -> Encoding {
        match self {
            ColumnEncoding::Plain => Encoding::PLAIN,
            ColumnEncoding::Rle => Encoding::RLE,
            ColumnEncoding::DeltaBinaryPacked => Encoding::DELTA_BINARY_PACKED,
            ColumnEncoding::DeltaLengthByteArray => Encoding::DELTA_LENGTH_BYTE_ARRAY,
            ColumnEncoding::DeltaByteArray => Encoding::DELTA_BYTE_ARRAY,
            ColumnEncoding::ByteStreamSplit => Encoding::BYTE_STREAM_SPLIT,
        }
    }

    /// Whether the encoding can hold a column of Arrow type `data_type` (as parquet-rs stores
    /// the crate's types: Int32/Date32 as INT32, Int64 and Decimal128(15,2) as INT64, strings as
    /// BYTE_ARRAY).
    fn fits(self, data_type: &DataType) -> bool {
        let integer = matches!(
            data_type,
            DataType::Int32 | DataType::Int64 | DataType::Date32 | DataType::Decimal128(..=18, _)
        );
        let bytes = matches!(
            data_type,
            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
        );
        match self {
            ColumnEncoding::Plain => true,
            ColumnEncoding::Rle => matches!(data_type, DataType::Boolean),
            ColumnEncoding::DeltaBinaryPacked | ColumnEncoding::ByteStreamSplit => integer,
            ColumnEncoding::DeltaLengthByteArray | ColumnEncoding::DeltaByteArray => bytes,
        }
    }
}

impl fmt::Display for ColumnEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Self::ALL.iter().find(|(e, _)| e == self).map(|(_, n)| *n);
        f.write_str(name.unwrap_or("?"))
    }
}

impl FromStr for ColumnEncoding {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(s.trim()))
            .map(|(e, _)| *e)
            .ok_or_else(|| {
                Error::InvalidOption(format!(
                    "unknown encoding '{s}': expected PLAIN, RLE, DELTA_BINARY_PACKED, \
                     DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY or BYTE_STREAM_SPLIT"
                ))
            })
    }
}

impl fmt::Display for SortColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.descending {
            true => write!(f, "{}:desc", self.column),
            false => f.write_str(&self.column),
        }
    }
}

impl FromStr for SortColumn {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let (column, descending) = match s.rsplit_once(':') {
            Some((c, dir)) if dir.eq_ignore_ascii_case("desc") => (c, true),
            Some((c, dir)) if dir.eq_ignore_ascii_case("asc") => (c, false),
            Some(_) => {
                return Err(Error::InvalidOption(format!(
                    "invalid sort column '{s}': expected COL, COL:asc or COL:desc"
                )));
            }
            None => (s, false),
        };
        if column.trim().is_empty() {
            return Err(Error::InvalidOption(format!(
                "invalid sort column '{s}': no column name"
            )));
        }
        Ok(SortColumn {
            column: column.trim().to_ascii_lowercase(),
            descending,
        })
    }
}

impl PartitionKey {
    /// The directory name's left side: `COL`, `COL_year` or `COL_month`.
    pub fn name(&self) -> String {
        match self.transform {
            KeyTransform::Identity => self.column.clone(),
            KeyTransform::Year => format!("{}_year", self.column),
            KeyTransform::Month => format!("{}_month", self.column),
        }
    }
}

impl fmt::Display for PartitionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.transform {
            KeyTransform::Identity => f.write_str(&self.column),
            KeyTransform::Year => write!(f, "year({})", self.column),
            KeyTransform::Month => write!(f, "month({})", self.column),
        }
    }
}

impl FromStr for PartitionKey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let bad = || {
            Error::InvalidOption(format!(
                "invalid partition key '{s}': expected COL, year(COL) or month(COL)"
            ))
        };
        let (transform, column) = match text.split_once('(') {
            Some((f, rest)) => {
                let column = rest.strip_suffix(')').ok_or_else(bad)?;
                let transform = match f.trim().to_ascii_lowercase().as_str() {
                    "year" => KeyTransform::Year,
                    "month" => KeyTransform::Month,
                    _ => return Err(bad()),
                };
                (transform, column.trim())
            }
            None => (KeyTransform::Identity, text),
        };
        if column.is_empty()
            || !column
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(bad());
        }
        Ok(PartitionKey {
            column: column.to_ascii_lowercase(),
            transform,
        })
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (suffix, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
            if self.0 >= 1 << shift && self.0.is_multiple_of(1 << shift) {
                return write!(f, "{}{suffix}", self.0 >> shift);
            }
        }
        write!(f, "{}", self.0)
    }
}

impl FromStr for ByteSize {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let bad = || {
            Error::InvalidOption(format!(
                "invalid size '{s}': expected a number with an optional KiB, MiB, GiB or TiB suffix"
            ))
        };
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let number: u64 = number.parse().map_err(|_| bad())?;
        let shift = match suffix.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kib" => 10,
            "m" | "mib" => 20,
            "g" | "gib" => 30,
            "t" | "tib" => 40,
            _ => return Err(bad()),
        };
        number.checked_mul(1 << shift).map(ByteSize).ok_or_else(bad)
    }
}

/// Serde as the text forms above.
macro_rules! serde_as_text {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}
serde_as_text!(SortColumn, PartitionKey, ColumnEncoding);

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Text {
            Number(u64),
            Text(String),
        }
        match Text::deserialize(d)? {
            Text::Number(n) => Ok(ByteSize(n)),
            Text::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

mod compression_text {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        c: &Option<Compression>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match c {
            Some(c) => s.serialize_str(&compression_name(*c)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<Compression>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| parse_compression(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

impl Serialize for Layout {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map: BTreeMap<&str, &TableLayout> = BTreeMap::new();
        if !self.all.is_empty() {
            map.insert("all", &self.all);
        }
        for (table, layout) in &self.tables {
            if !layout.is_empty() {
                map.insert(table.name(), layout);
            }
        }
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Layout {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let map = BTreeMap::<String, TableLayout>::deserialize(d)?;
        let mut layout = Layout::default();
        for (name, entry) in map {
            if name == "all" {
                layout.all = entry;
            } else {
                let table: Table = name.parse().map_err(|_| {
                    serde::de::Error::custom(format!(
                        "unknown table '{name}' in the layout: expected all or a TPC-H table"
                    ))
                })?;
                layout.tables.insert(table, entry);
            }
        }
        Ok(layout)
    }
}

impl TableLayout {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == TableLayout::default()
    }

    /// Whether the table needs the ordered, file-rolling writer (sort, partitions, file or row
    /// group bounds) rather than the parallel plain export.
    pub fn needs_ordered_writer(&self) -> bool {
        !self.sort.is_empty()
            || self.partition_by.is_some()
            || self.max_file_rows.is_some()
            || self.max_file_bytes.is_some()
            || self.row_group_bytes.is_some()
    }

    /// Whether the table is written into `<table>/` (several files or partitions).
    pub fn writes_directory(&self) -> bool {
        self.partition_by.is_some() || self.max_file_rows.is_some() || self.max_file_bytes.is_some()
    }

    /// Whether the files leave out the partition column.
    pub fn drops_partition_column(&self) -> bool {
        self.drop_partition_columns == Some(true)
            && self
                .partition_by
                .as_ref()
                .is_some_and(|k| k.transform == KeyTransform::Identity)
    }

    /// `self` with the unset fields taken from `base`.
    fn over(&self, base: &TableLayout) -> TableLayout {
        TableLayout {
            sort: self.sort.clone(),
            partition_by: self.partition_by.clone(),
            drop_partition_columns: self.drop_partition_columns.or(base.drop_partition_columns),
            max_file_rows: self.max_file_rows.or(base.max_file_rows),
            max_file_bytes: self.max_file_bytes.or(base.max_file_bytes),
            row_group_bytes: self.row_group_bytes.or(base.row_group_bytes),
            delimiter: self.delimiter.or(base.delimiter),
            columns: self.columns.clone(),
        }
    }
}

impl Layout {
    /// Whether nothing is set for any table.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.tables.values().all(TableLayout::is_empty)
    }

    /// Reads a layout file's TOML text.
    pub fn from_toml(text: &str) -> Result<Layout> {
        toml::from_str(text).map_err(|e| {
            // toml's messages span lines (the source line and a caret): one line here.
            let message = e.message().trim().to_string();
            let at = e
                .span()
                .map(|span| {
                    let line = text[..span.start.min(text.len())].lines().count().max(1);
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            Error::InvalidOption(format!("invalid layout{at}: {message}"))
        })
    }

    /// Reads a layout as JSON (the same structure as the TOML file: what Python's
    /// `generate(layout={...})` passes).
    pub fn from_json(text: &str) -> Result<Layout> {
        serde_json::from_str(text).map_err(|e| Error::InvalidOption(format!("invalid layout: {e}")))
    }

    /// The layout as TOML, as [`Layout::from_toml`] reads it back.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# layout not printable: {e}\n"))
    }

    /// The settings in effect for `table`: its own over `all`.
    pub fn for_table(&self, table: Table) -> TableLayout {
        match self.tables.get(&table) {
            Some(own) => own.over(&self.all),
            None => TableLayout::default().over(&self.all),
        }
    }

    /// The entry of `table`, created empty when missing.
    pub fn table_mut(&mut self, table: Table) -> &mut TableLayout {
        self.tables.entry(table).or_default()
    }

    /// Checks the layout against the export's format, tables and scale factor; the error is
    /// one line naming the table and setting.
    pub fn validate(&self, format: Format, tables: &[Table], sf: &ScaleFactor) -> Result<()> {
        let all = &self.all;
        if !all.sort.is_empty() || all.partition_by.is_some() || !all.columns.is_empty() {
            return Err(Error::InvalidOption(
                "the layout's [all] names columns (sort, partition_by or columns): \
                 give them per table"
                    .into(),
            ));
        }
        for table in tables {
            self.for_table(*table).validate(*table, format, sf)?;
        }
        Ok(())
    }
}

impl TableLayout {
    fn validate(&self, table: Table, format: Format, sf: &ScaleFactor) -> Result<()> {
        let bad = |what: String| Err(Error::InvalidOption(format!("layout of {table}: {what}")));
        let schema = table_schema(table);
        let column_type = |name: &str| -> Result<DataType> {
            schema
                .field_with_name(name)
                .map(|f| f.data_type().clone())
                .map_err(|_| {
                    Error::InvalidOption(format!(
                        "layout of {table}: unknown column '{name}' (the table's columns are {})",
                        table.column_names().join(", ")
                    ))
                })
        };
        for (i, sort) in self.sort.iter().enumerate() {
            column_type(&sort.column)?;
            if self.sort[..i].iter().any(|s| s.column == sort.column) {
                return bad(format!("sort column '{}' given twice", sort.column));
            }
        }
        if let Some(key) = &self.partition_by {
            let data_type = column_type(&key.column)?;
            if key.transform != KeyTransform::Identity && data_type != DataType::Date32 {
                return bad(format!(
                    "partition key {key} needs a date column; '{}' is {data_type}",
                    key.column
                ));
            }
            let partitions = partition_bound(table, key, sf);
            if partitions > MAX_PARTITIONS {
                return bad(format!(
                    "partition key {key} has up to {partitions} values at SF {}: at most \
                     {MAX_PARTITIONS} partitions are written",
                    sf.value()
                ));
            }
        }
        for (what, value) in [
            ("max_file_rows", self.max_file_rows),
            ("max_file_bytes", self.max_file_bytes.map(|b| b.0)),
            ("row_group_bytes", self.row_group_bytes.map(|b| b.0)),
        ] {
            if value == Some(0) {
                return bad(format!("{what} is 0: expected at least 1"));
            }
        }
        if format != Format::Parquet {
            if self.row_group_bytes.is_some() {
                return bad(format!("row_group_bytes applies to parquet, not {format}"));
            }
            if !self.columns.is_empty() {
                return bad(format!(
                    "column settings (encoding, dictionary, compression) apply to parquet, not {format}"
                ));
            }
        }
        if let Some(d) = self.delimiter {
            if format != Format::Csv {
                return bad(format!("the delimiter applies to csv, not {format}"));
            }
            if !d.is_ascii() || d.is_ascii_alphanumeric() || matches!(d, '"' | '\n' | '\r') {
                return bad(format!(
                    "invalid delimiter {d:?}: expected one ASCII character that is not a \
                     letter, digit, quote or line break"
                ));
            }
        }
        for (name, column) in &self.columns {
            let data_type = column_type(name)?;
            if let Some(encoding) = column.encoding
                && !encoding.fits(&data_type)
            {
                return bad(format!(
                    "encoding {encoding} does not fit column '{name}' of type {data_type}"
                ));
            }
        }
        Ok(())
    }
}

/// An upper bound of the number of partitions `key` cuts `table` into at `sf`.
pub fn partition_bound(table: Table, key: &PartitionKey, sf: &ScaleFactor) -> u64 {
    // TPC-H's dates lie in 1992-01-01 ..= 1998-12-31 (receipt dates included).
    match key.transform {
        KeyTransform::Year => return 7,
        KeyTransform::Month => return 84,
        KeyTransform::Identity => {}
    }
    let rows = sf
        .row_count(table)
        .unwrap_or_else(|| sf.generator_rows(Table::Lineitem) * 7);
    let few = match key.column.as_str() {
        "r_name" | "r_regionkey" | "n_regionkey" | "c_mktsegment" | "p_mfgr"
        | "o_orderpriority" => 5,
        "n_name" | "n_nationkey" | "s_nationkey" | "c_nationkey" | "p_brand" => 25,
        "p_type" => 150,
        "p_container" => 40,
        "p_size" | "l_quantity" => 50,
        "o_orderstatus" | "l_returnflag" => 3,
        "l_linestatus" | "o_shippriority" => 2,
        "l_linenumber" | "l_shipmode" => 7,
        "l_shipinstruct" => 4,
        "l_discount" => 11,
        "l_tax" => 9,
        // Dates: days of 1992 ..= 1998.
        "o_orderdate" | "l_shipdate" | "l_commitdate" | "l_receiptdate" => 2557,
        _ => rows,
    };
    few.min(rows)
}

/// The columns a table's rows are generated in order of (dbgen's keys): the order declared in
/// Parquet footers when no sort is given, and the tie-breaker after a given sort.
pub fn key_order(table: Table) -> &'static [&'static str] {
    match table {
        Table::Region => &["r_regionkey"],
        Table::Nation => &["n_nationkey"],
        Table::Supplier => &["s_suppkey"],
        Table::Customer => &["c_custkey"],
        Table::Part => &["p_partkey"],
        // A part's four suppliers are not in key order.
        Table::Partsupp => &["ps_partkey"],
        Table::Orders => &["o_orderkey"],
        Table::Lineitem => &["l_orderkey", "l_linenumber"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sf(v: f64) -> ScaleFactor {
        ScaleFactor::try_new(v).unwrap()
    }

    #[test]
    fn text_forms_parse_back() {
        for text in ["l_shipdate", "l_orderkey:desc"] {
            assert_eq!(text.parse::<SortColumn>().unwrap().to_string(), text);
        }
        for text in ["l_shipmode", "year(o_orderdate)", "month(l_shipdate)"] {
            assert_eq!(text.parse::<PartitionKey>().unwrap().to_string(), text);
        }
        assert!("day(l_shipdate)".parse::<PartitionKey>().is_err());
        assert!("l_orderkey:up".parse::<SortColumn>().is_err());
        assert_eq!("512MiB".parse::<ByteSize>().unwrap(), ByteSize(512 << 20));
        assert_eq!("2 GiB".parse::<ByteSize>().unwrap(), ByteSize(2 << 30));
        assert_eq!("100KiB".parse::<ByteSize>().unwrap().to_string(), "100KiB");
        assert_eq!("1000".parse::<ByteSize>().unwrap().to_string(), "1000");
        assert!("12 parsecs".parse::<ByteSize>().is_err());
        assert_eq!(
            "delta_byte_array".parse::<ColumnEncoding>().unwrap(),
            ColumnEncoding::DeltaByteArray
        );
    }

    #[test]
    fn toml_round_trips() {
        let text = r#"
[all]
max_file_bytes = "512MiB"

[lineitem]
sort = ["l_shipdate", "l_orderkey:desc"]
partition_by = "month(l_shipdate)"
row_group_bytes = 1048576
columns.l_comment = { encoding = "DELTA_BYTE_ARRAY", compression = "zstd:3" }
columns.l_orderkey = { dictionary = true }
"#;
        let layout = Layout::from_toml(text).unwrap();
        let lineitem = layout.for_table(Table::Lineitem);
        assert_eq!(lineitem.max_file_bytes, Some(ByteSize(512 << 20)));
        assert_eq!(lineitem.row_group_bytes, Some(ByteSize(1 << 20)));
        assert_eq!(
            lineitem.columns["l_comment"].encoding,
            Some(ColumnEncoding::DeltaByteArray)
        );
        assert_eq!(
            layout.for_table(Table::Orders).max_file_bytes,
            Some(ByteSize(512 << 20))
        );
        let printed = layout.to_toml();
        assert_eq!(Layout::from_toml(&printed).unwrap(), layout, "{printed}");
        let json = serde_json::to_string(&layout).unwrap();
        assert_eq!(Layout::from_json(&json).unwrap(), layout);
        layout
            .validate(Format::Parquet, &Table::ALL, &sf(1.0))
            .unwrap();
    }

    #[test]
    fn bad_files_are_one_line_errors() {
        for (text, message) in [
            (
                "[lineitems]\nsort = [\"l_shipdate\"]",
                "unknown table 'lineitems'",
            ),
            ("[lineitem]\nsortt = []", "unknown field"),
            (
                "[lineitem]\nmax_file_bytes = \"12 parsecs\"",
                "invalid size",
            ),
            ("[lineitem\n", "invalid layout (line 1)"),
        ] {
            let err = Layout::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(message), "{err} lacks {message}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn every_rule_is_checked() {
        let check = |text: &str, format: Format| {
            Layout::from_toml(text)
                .unwrap()
                .validate(format, &Table::ALL, &sf(1.0))
                .map_err(|e| e.to_string())
        };
        for (text, format, message) in [
            (
                "[orders]\nsort = [\"l_shipdate\"]",
                Format::Parquet,
                "unknown column 'l_shipdate'",
            ),
            (
                "[orders]\npartition_by = \"o_orderkey\"",
                Format::Parquet,
                "at most 10000 partitions",
            ),
            (
                "[orders]\npartition_by = \"month(o_comment)\"",
                Format::Parquet,
                "needs a date column",
            ),
            (
                "[all]\nmax_file_rows = 0",
                Format::Tbl,
                "max_file_rows is 0",
            ),
            (
                "[lineitem]\nrow_group_bytes = \"1MiB\"",
                Format::Csv,
                "applies to parquet",
            ),
            (
                "[lineitem]\ndelimiter = \";\"",
                Format::Tbl,
                "applies to csv",
            ),
            ("[all]\ndelimiter = \"a\"", Format::Csv, "invalid delimiter"),
            (
                "[lineitem]\ncolumns.l_comment = { encoding = \"DELTA_BINARY_PACKED\" }",
                Format::Parquet,
                "does not fit column 'l_comment'",
            ),
            (
                "[lineitem]\ncolumns.l_quantity = { encoding = \"RLE\" }",
                Format::Parquet,
                "encoding RLE does not fit",
            ),
            (
                "[all]\nsort = [\"l_shipdate\"]",
                Format::Parquet,
                "give them per table",
            ),
        ] {
            let err = check(text, format).unwrap_err();
            assert!(err.contains(message), "{text}: {err} lacks {message}");
        }
        assert!(check("[orders]\npartition_by = \"o_orderpriority\"", Format::Csv).is_ok());
        assert!(
            check(
                "[lineitem]\ncolumns.l_quantity = { encoding = \"BYTE_STREAM_SPLIT\" }",
                Format::Parquet
            )
            .is_ok()
        );
    }
}
