//! The file formats of every writer in the crate: the parallel export ([`super::Exporter`],
//! `tpch gen`) and SQL `COPY … TO` ([`crate::copy`]).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// An output file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// dbgen's `.tbl`: `|` after every field, no header, no quoting (byte-identical to dbgen).
    Tbl,
    /// CSV with a header line.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// All three formats.
    pub const ALL: [Format; 3] = [Format::Tbl, Format::Csv, Format::Parquet];

    /// The file extension, also the `STORED AS` name: `tbl`, `csv` or `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Tbl => "tbl",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Format::ALL
            .into_iter()
            .find(|format| s.eq_ignore_ascii_case(format.extension()))
            .ok_or_else(|| {
                Error::InvalidOption(format!(
                    "unknown format '{s}': expected tbl, csv or parquet"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>().unwrap(), format);
        }
        assert_eq!("PARQUET".parse::<Format>().unwrap(), Format::Parquet);
        let err = "orc".parse::<Format>().unwrap_err().to_string();
        assert!(err.contains("unknown format 'orc'"), "{err}");
    }
}
