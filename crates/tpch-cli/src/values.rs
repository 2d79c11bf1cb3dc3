//! Typed command-line values: clap checks them (and lists them in `--help`) before a command
//! runs, so every bad number or name fails with one line naming the flag.

use datafusion_dbgen::export::Format;
use datafusion_dbgen::export::layout::ByteSize;
use datafusion_dbgen::export::parquet::parse_compression;
use datafusion_dbgen::sink::BackendChoice;
use datafusion_dbgen::store::StorageOptions;
use datafusion_dbgen::{Error, ScaleFactor, Table};
use parquet::basic::Compression;

/// `--sf`: a scale factor dbgen accepts.
pub(crate) fn scale_factor(text: &str) -> Result<ScaleFactor, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| tpch_dbgen::Error::InvalidScaleFactor(text.to_string()).to_string())?;
    let sf = ScaleFactor::try_new(value).map_err(|e| e.to_string())?;
    if sf.is_truncated() {
        // dbgen's rule, said once (clap parses each flag once).
        eprintln!(
            "note: SF {value} generates the data of SF {}: dbgen takes whole scale factors from \
             1 up and thousandths below 1",
            sf.effective()
        );
    }
    Ok(sf)
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

/// The most `--target-partitions` accepted: each partition is a stream of every operator,
/// with its own buffers; far beyond the cores it only costs memory and scheduling.
pub(crate) const MAX_TARGET_PARTITIONS: usize = 1024;

/// `--target-partitions`: 1 to [`MAX_TARGET_PARTITIONS`].
pub(crate) fn target_partitions(text: &str) -> Result<usize, String> {
    let n = at_least_one::<usize>(text)?;
    match n <= MAX_TARGET_PARTITIONS {
        true => Ok(n),
        false => Err(format!("at most {MAX_TARGET_PARTITIONS}")),
    }
}

/// `--compression`: none, snappy, lz4, gzip[:0-9] or zstd[:1-22], checked.
pub(crate) fn compression(text: &str) -> Result<Compression, String> {
    parse_compression(text).map_err(|e| e.to_string())
}

/// A size with an optional KiB/MiB/GiB/TiB suffix, at least 1 byte.
pub(crate) fn byte_size(text: &str) -> Result<ByteSize, String> {
    match text.parse::<ByteSize>() {
        Ok(ByteSize(0)) => Err("must be at least 1 byte".into()),
        Ok(size) => Ok(size),
        Err(e) => Err(e.to_string()),
    }
}

/// `TABLE=VALUE` of `flag`: the table and the value.
pub(crate) fn table_pair(text: &str, flag: &str) -> Result<(Table, String), Error> {
    let (table, value) = text
        .split_once('=')
        .ok_or_else(|| Error::InvalidOption(format!("{flag} {text}: expected TABLE=VALUE")))?;
    let table: Table = table.trim().parse()?;
    Ok((table, value.trim().to_string()))
}

/// `COL=VALUE[,COL=VALUE…]` of `flag`: each column with its table (TPC-H's column names are
/// unique across tables) and value.
pub(crate) fn column_pairs(text: &str, flag: &str) -> Result<Vec<(Table, String, String)>, Error> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (column, value) = pair.split_once('=').ok_or_else(|| {
                Error::InvalidOption(format!("{flag} {pair}: expected COL=VALUE"))
            })?;
            let column = column.trim().to_ascii_lowercase();
            let table = Table::ALL
                .into_iter()
                .find(|t| t.column_names().contains(&column.as_str()))
                .ok_or_else(|| {
                    Error::InvalidOption(format!("{flag}: unknown column '{column}'"))
                })?;
            Ok((table, column, value.trim().to_string()))
        })
        .collect()
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

/// A scheduler's `HOST:PORT` (`df://HOST:PORT` accepted): the host and the port.
#[cfg(feature = "ballista")]
pub(crate) fn host_port(text: &str) -> Result<(String, u16), String> {
    let trimmed = text.trim();
    let address = trimmed.strip_prefix("df://").unwrap_or(trimmed);
    if let Some((scheme, _)) = address.split_once("://") {
        return Err(format!(
            "`{scheme}://` is not a scheduler's address: expected HOST:PORT or df://HOST:PORT"
        ));
    }
    let address = address.strip_suffix('/').unwrap_or(address);
    match address.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => match port.parse::<u16>() {
            Ok(port) if port > 0 => Ok((host.to_string(), port)),
            _ => Err(format!("`{port}` is not a port (1-65535)")),
        },
        _ => Err("expected HOST:PORT or df://HOST:PORT".into()),
    }
}

/// `--scheduler`: the scheduler's URL, `df://HOST:PORT`.
#[cfg(feature = "ballista")]
pub(crate) fn scheduler_url(text: &str) -> Result<String, String> {
    host_port(text).map(|(host, port)| format!("df://{host}:{port}"))
}

/// `--storage-option KEY=VALUE` (repeated): settings of the object store an `s3://…`, `gs://…`
/// or `az://…` URL goes to, after the environment's.
#[derive(clap::Args, Default)]
pub(crate) struct StorageArgs {
    /// Object-store setting for s3:// gs:// az:// URLs, after the environment's AWS_*,
    /// GOOGLE_*, AZURE_* variables (e.g. aws_endpoint=http://127.0.0.1:9000,
    /// aws_allow_http=true, aws_region=…); repeatable. Values are never printed.
    #[arg(long = "storage-option", value_name = "KEY=VALUE", value_parser = storage_pair)]
    storage_options: Vec<(String, String)>,
}

fn storage_pair(text: &str) -> Result<(String, String), String> {
    let mut one = StorageOptions::new();
    one.parse_pair(text)?;
    Ok(one
        .iter()
        .next()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .unwrap_or_default())
}

impl StorageArgs {
    /// The options given.
    pub(crate) fn options(&self) -> StorageOptions {
        self.storage_options.iter().cloned().collect()
    }
}

/// Where `tpch query` and `tpch bench` take their tables from: `--source`, or a cluster's
/// scheduler.
#[derive(clap::Args)]
pub(crate) struct SourceArgs {
    /// Where the tables come from: provider (generated while scanned), memory (generated into
    /// memory first) or `parquet:<DIR>` (files written by `tpch gen --format parquet`).
    #[arg(long, default_value = "provider")]
    source: String,
    /// Run on the Ballista cluster whose scheduler is at df://HOST:PORT (`tpch cluster`): each
    /// scan part is generated by the executor that runs it, or with --source parquet:DIR the
    /// executors read the files (a directory they all see, or s3://…, reached with their own
    /// settings).
    #[cfg(feature = "ballista")]
    #[arg(long, value_name = "df://HOST:PORT", value_parser = scheduler_url)]
    scheduler: Option<String>,
}

impl SourceArgs {
    /// The source the flags name.
    pub(crate) fn source(&self) -> Result<datafusion_dbgen::bench::Source, Error> {
        use datafusion_dbgen::bench::Source;
        let source: Source = self.source.parse().map_err(crate::query_cmd::bench_err)?;
        #[cfg(feature = "ballista")]
        if let Some(url) = &self.scheduler {
            return match source {
                Source::Provider => Ok(Source::Cluster(url.clone())),
                Source::Parquet(dir) => Ok(Source::ClusterParquet {
                    scheduler: url.clone(),
                    dir,
                }),
                other => Err(Error::InvalidOption(format!(
                    "--source {other} does not run on a cluster: use provider (the default) or \
                     parquet:DIR with --scheduler"
                ))),
            };
        }
        Ok(source)
    }

    /// `--target-partitions`, defaulting to the cores here, or on a cluster to its task slots
    /// (0, resolved by the scheduler).
    pub(crate) fn partitions(&self, given: Option<usize>) -> usize {
        #[cfg(feature = "ballista")]
        if self.scheduler.is_some() {
            return given.unwrap_or(0);
        }
        given.unwrap_or_else(crate::query_cmd::default_partitions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_partitions_are_bounded() {
        assert_eq!(target_partitions("1024"), Ok(1024));
        assert_eq!(target_partitions("1025"), Err("at most 1024".into()));
        assert!(target_partitions("0").is_err());
    }

    #[test]
    fn counts_must_be_positive() {
        assert_eq!(at_least_one::<usize>("4"), Ok(4));
        assert_eq!(at_least_one::<u64>("0"), Err("must be at least 1".into()));
        assert!(at_least_one::<usize>("-1").is_err());
        assert!(at_least_one::<usize>("many").is_err());
    }

    #[cfg(feature = "ballista")]
    #[test]
    fn scheduler_addresses_are_df_urls_or_host_port() {
        assert_eq!(host_port("df://h:5"), Ok(("h".into(), 5)));
        assert_eq!(host_port("h:5/"), Ok(("h".into(), 5)));
        assert!(host_port("http://h:5").unwrap_err().contains("`http://`"));
        assert!(host_port("h:0").is_err());
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
