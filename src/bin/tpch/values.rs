//! Typed command-line values: clap checks them (and lists them in `--help`) before a command
//! runs, so every bad number or name fails with one line naming the flag.

use datafusion_dbgen::export::Format;
use datafusion_dbgen::export::parquet::parse_compression;
use datafusion_dbgen::sink::BackendChoice;
use datafusion_dbgen::{Error, ScaleFactor};
use parquet::basic::Compression;

/// `--sf`: a scale factor dbgen accepts.
pub(crate) fn scale_factor(text: &str) -> Result<ScaleFactor, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| Error::InvalidScaleFactor(text.to_string()).to_string())?;
    ScaleFactor::try_new(value).map_err(|e| e.to_string())
}

/// A count of at least 1 (threads, partitions, files, rows per row group, iterations).
pub(crate) fn at_least_one<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + From<u8>,
{
    match text.trim().parse::<T>() {
        Ok(n) if n >= T::from(1) => Ok(n),
        Ok(_) => Err("must be at least 1".into()),
        Err(_) => Err("expected a whole number of at least 1".into()),
    }
}

/// `--compression`: none, snappy, lz4, gzip[:0-9] or zstd[:1-22].
pub(crate) fn compression(text: &str) -> Result<Compression, String> {
    parse_compression(text).map_err(|e| e.to_string())
}

/// `--format` of `tpch gen`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum FormatArg {
    /// dbgen's `|`-separated text, byte-identical to dbgen.
    Tbl,
    /// RFC 4180 CSV with a header.
    Csv,
    /// Parquet, one row group per --row-group-rows.
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Tbl => Format::Tbl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Parquet => Format::Parquet,
        }
    }
}

/// `--io-backend`: how the shared sink writes.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum BackendArg {
    /// io_uring when the kernel offers it, else portable.
    Auto,
    /// io_uring (fails when the kernel refuses it).
    #[value(name = "io_uring", alias = "io-uring")]
    IoUring,
    /// Positional writes from a small thread pool.
    Portable,
    /// Positional writes by the producing threads.
    Inline,
}

impl From<BackendArg> for BackendChoice {
    fn from(backend: BackendArg) -> BackendChoice {
        match backend {
            BackendArg::Auto => BackendChoice::Auto,
            BackendArg::IoUring => BackendChoice::IoUring,
            BackendArg::Portable => BackendChoice::Portable,
            BackendArg::Inline => BackendChoice::Inline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_be_positive() {
        assert_eq!(at_least_one::<usize>("4"), Ok(4));
        assert_eq!(at_least_one::<u64>("0"), Err("must be at least 1".into()));
        assert!(at_least_one::<usize>("-1").is_err());
        assert!(at_least_one::<usize>("many").is_err());
    }

    #[test]
    fn scale_factors_and_compression_are_checked() {
        assert!(scale_factor("0.01").is_ok());
        assert!(
            scale_factor("0")
                .unwrap_err()
                .contains("invalid scale factor 0")
        );
        assert!(compression("zstd:99").unwrap_err().contains("1 to 22"));
        assert!(compression("zstd:3").is_ok());
    }
}
