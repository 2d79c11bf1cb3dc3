//! Where the benchmark's tables come from, and a session with all eight registered.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use super::error::BenchError;
use crate::copy::CopyConfig;
use crate::generator::{ScaleFactor, Table};
use crate::provider::{register_tpch, register_tpch_catalog, register_tpch_functions};

/// Where the eight tables come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The generating table provider ([`register_tpch`]): data generated while it is scanned.
    Provider,
    /// Parquet files written by `tpch gen --format parquet --output DIR` (or
    /// [`Exporter`](crate::export::Exporter)): `DIR/<table>.parquet`, or `DIR/<table>/*.parquet`
    /// with several files per table.
    Parquet(PathBuf),
    /// The tables generated once into memory (a `MemTable` per table) before the queries run.
    Memory,
}

impl Source {
    /// A short name: `provider`, `parquet` or `memory`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Provider => "provider",
            Source::Parquet(_) => "parquet",
            Source::Memory => "memory",
        }
    }
}

impl fmt::Display for Source {
    /// The form [`FromStr`] reads: `provider`, `memory` or `parquet:<DIR>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Parquet(dir) => write!(f, "parquet:{}", dir.display()),
            other => f.write_str(other.kind()),
        }
    }
}

impl FromStr for Source {
    type Err = BenchError;

    /// Reads `provider`, `memory` or `parquet:<DIR>`.
    fn from_str(s: &str) -> Result<Self, BenchError> {
        let trimmed = s.trim();
        match trimmed.split_once(':') {
            Some((kind, dir)) if kind.eq_ignore_ascii_case("parquet") && !dir.is_empty() => {
                Ok(Source::Parquet(PathBuf::from(dir)))
            }
            Some(_) => Err(BenchError::InvalidSource(s.to_string())),
            None if trimmed.eq_ignore_ascii_case("provider") => Ok(Source::Provider),
            None if trimmed.eq_ignore_ascii_case("memory") => Ok(Source::Memory),
            None => Err(BenchError::InvalidSource(s.to_string())),
        }
    }
}

/// The session configuration used for every source: `target_partitions` partitions (at least
/// 1) and the information schema enabled (`SHOW TABLES`).
pub(super) fn session_config(target_partitions: usize) -> SessionConfig {
    SessionConfig::new()
        .with_target_partitions(target_partitions.max(1))
        .with_information_schema(true)
}

/// A `SessionContext` with the eight TPC-H tables of scale factor `sf` registered under their
/// own names from `source`, planning with `target_partitions` partitions.
///
/// - [`Source::Provider`] registers the generating providers (instant);
/// - [`Source::Parquet`] registers the files, and checks their supplier row count against `sf`
///   so that times are not reported for the wrong scale factor;
/// - [`Source::Memory`] generates every table into memory first (that takes as long as one
///   full scan of each table).
///
/// It is [`tpch_session`] with the default COPY configuration: the catalog, the table
/// functions and the crate's COPY formats are registered too.
pub async fn tpch_context<S>(
    source: &Source,
    sf: S,
    target_partitions: usize,
) -> Result<SessionContext, BenchError>
where
    S: TryInto<ScaleFactor>,
    crate::Error: From<S::Error>,
{
    tpch_session(source, sf, target_partitions, Some(CopyConfig::default())).await
}

/// The session a user of the `tpch` CLI gets (`tpch query`, `tpch bench`, the prompt): the
/// eight tables of `source` as in [`tpch_context`], plus the `tpch` catalog
/// (`tpch.sf1.lineitem`, [`register_tpch_catalog`]), the table functions (`tpch_lineitem(0.1)`,
/// [`register_tpch_functions`]) and the crate's COPY writer for `parquet`, `csv` and `tbl`
/// ([`copy::register_with`](crate::copy::register_with) with `copy`), so `COPY … TO` runs
/// through the crate's parallel writer and shared sink. With `copy` `None`, COPY keeps
/// DataFusion's own writers (to compare with them).
pub async fn tpch_session<S>(
    source: &Source,
    sf: S,
    target_partitions: usize,
    copy: Option<CopyConfig>,
) -> Result<SessionContext, BenchError>
where
    S: TryInto<ScaleFactor>,
    crate::Error: From<S::Error>,
{
    let ctx = SessionContext::new_with_config(session_config(target_partitions));
    register_tpch_catalog(&ctx);
    register_tpch_functions(&ctx);
    if let Some(copy) = copy {
        crate::copy::register_with(&ctx, copy)?;
    }
    register_source(&ctx, source, sf).await?;
    Ok(ctx)
}

/// Registers the eight TPC-H tables of `source` at scale factor `sf` under their own names in
/// the default schema of the caller's `ctx`, so the benchmark's sources compose with a session
/// configured elsewhere (its configuration, runtime, object stores and other tables stay as
/// they are). [`Source::Memory`] generates the tables with `ctx`'s configuration.
///
/// ```
/// use datafusion::prelude::{SessionConfig, SessionContext};
/// use datafusion_dbgen::bench::{Source, register_source, run_query};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), datafusion_dbgen::bench::BenchError> {
/// let config = SessionConfig::new().with_batch_size(4096).with_target_partitions(3);
/// let ctx = SessionContext::new_with_config(config);
/// register_source(&ctx, &Source::Memory, 0.01).await?;
/// let (batches, _) = run_query(&ctx, 6).await?;
/// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
/// # Ok(())
/// # }
/// ```
pub async fn register_source<S>(
    ctx: &SessionContext,
    source: &Source,
    sf: S,
) -> Result<(), BenchError>
where
    S: TryInto<ScaleFactor>,
    crate::Error: From<S::Error>,
{
    let scale: ScaleFactor = sf.try_into().map_err(crate::Error::from)?;
    match source {
        Source::Provider => register_tpch::<ScaleFactor>(ctx, scale)?,
        Source::Parquet(dir) => {
            register_parquet(ctx, dir).await?;
            check_parquet_scale(ctx, dir, &scale).await?;
        }
        Source::Memory => {
            let generating = SessionContext::new_with_config(ctx.copied_config());
            register_tpch::<ScaleFactor>(&generating, scale)?;
            for table in Table::ALL {
                let name = table.name();
                let schema = generating.table_provider(name).await?.schema();
                let mut partitions = generating.table(name).await?.collect_partitioned().await?;
                if partitions.is_empty() {
                    partitions.push(Vec::new());
                }
                let mem = MemTable::try_new(schema, partitions)?;
                ctx.register_table(name, Arc::new(mem))?;
            }
        }
    }
    Ok(())
}

async fn register_parquet(ctx: &SessionContext, dir: &Path) -> Result<(), BenchError> {
    let io = |source| BenchError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let dir = std::path::absolute(dir).map_err(io)?;
    if !dir.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not a directory",
        )));
    }
    for table in Table::ALL {
        let name = table.name();
        let file = dir.join(format!("{name}.parquet"));
        let subdir = dir.join(name);
        let location = if file.is_file() {
            file.to_string_lossy().into_owned()
        } else if subdir.is_dir() {
            format!("{}/", subdir.to_string_lossy())
        } else {
            return Err(BenchError::MissingParquet {
                table: name,
                dir: dir.clone(),
            });
        };
        ctx.register_parquet(name, location, ParquetReadOptions::default())
            .await?;
    }
    Ok(())
}

/// Fails when the Parquet files hold another scale factor's data (cheap: `count(*)` is answered
/// from the files' metadata).
async fn check_parquet_scale(
    ctx: &SessionContext,
    dir: &Path,
    scale: &ScaleFactor,
) -> Result<(), BenchError> {
    let Some(expected) = scale.row_count(Table::Supplier) else {
        return Ok(());
    };
    let batches = ctx
        .sql("SELECT count(*) FROM supplier")
        .await?
        .collect()
        .await?;
    let found = batches
        .first()
        .filter(|b| b.num_rows() == 1 && b.num_columns() == 1)
        .and_then(|b| {
            b.column(0)
                .as_primitive_opt::<Int64Type>()
                .map(|a| a.value(0))
        })
        .filter(|_| batches[0].column(0).null_count() == 0);
    match found {
        Some(found) if found as u64 != expected => Err(BenchError::ScaleFactorMismatch {
            dir: dir.to_path_buf(),
            sf: scale.value(),
            expected,
            found: found as u64,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print_sources() {
        for (text, source) in [
            ("provider", Source::Provider),
            ("Memory", Source::Memory),
            ("parquet:/tmp/x", Source::Parquet("/tmp/x".into())),
            ("parquet:rel/dir", Source::Parquet("rel/dir".into())),
        ] {
            let parsed: Source = text.parse().unwrap();
            assert_eq!(parsed, source);
            assert_eq!(parsed.to_string().parse::<Source>().unwrap(), source);
        }
        for bad in ["", "parquet", "parquet:", "csv:/x", "mem"] {
            assert!(bad.parse::<Source>().is_err(), "{bad}");
        }
    }
}
