//! `tpch queries`: a qgen query stream — the SQL in the stream's order, or qgen's parameter log.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion_dbgen::bench::{MAX_SEED, QueryStream};
use datafusion_dbgen::sink::{Sink, SinkConfig};
use datafusion_dbgen::store::ObjectStores;
use datafusion_dbgen::{Error, ScaleFactor};

use crate::values;

#[derive(clap::Args)]
pub(crate) struct QueriesArgs {
    /// Scale factor (Q11's fraction is 0.0001/SF).
    #[arg(long, value_parser = values::scale_factor)]
    sf: ScaleFactor,
    /// qgen's seed (`qgen -r`); without it, the validation parameters (`qgen -d`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=MAX_SEED))]
    seed: Option<u64>,
    /// The stream (`qgen -p`): its query order; without it, queries 1 to 22 in order.
    #[arg(long)]
    stream: Option<usize>,
    /// `sql`: the queries, runnable by `tpch query -f`; `params`: qgen's parameter log.
    #[arg(long, value_enum, default_value_t = QueriesFormat::Sql)]
    format: QueriesFormat,
    /// Write one file per query into DIR (`qNN.sql` or `qNN.params`) instead of printing.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    #[command(flatten)]
    storage: values::StorageArgs,
    /// Replace existing `qNN` files in --output (without it, an existing one is refused before
    /// anything is written).
    #[arg(long)]
    overwrite: bool,
}

/// What `tpch queries` prints.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QueriesFormat {
    /// DataFusion SQL.
    Sql,
    /// `query<TAB>p1<TAB>p2…`, as qgen's `-l` log.
    Params,
}

pub(crate) fn queries(args: QueriesArgs) -> Result<(), Error> {
    let stream = QueryStream::new(args.sf, args.seed, args.stream)?;
    let Some(dir) = &args.output else {
        let text = match args.format {
            QueriesFormat::Sql => stream.sql_script(),
            QueriesFormat::Params => stream.parameter_log(),
        };
        // A closed pipe (`| head`) ends the command quietly; a full disk is an error.
        return crate::output::write_bytes(text.as_bytes());
    };
    let objects = datafusion_dbgen::store::is_object_url(dir);
    let stores = Arc::new(ObjectStores::new(args.storage.options()));
    if !objects {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
    }
    let files: Vec<(PathBuf, String)> = stream
        .queries()
        .iter()
        .map(|query| match args.format {
            QueriesFormat::Sql => (
                dir.join(format!("q{:02}.sql", query.number)),
                query.sql.clone(),
            ),
            QueriesFormat::Params => (
                dir.join(format!("q{:02}.params", query.number)),
                query.parameter_line(),
            ),
        })
        .collect();
    if !args.overwrite {
        let existing: Vec<String> = match objects {
            true => stores.list(&dir.to_string_lossy())?,
            false => Vec::new(),
        };
        let taken = |path: &Path| match objects {
            true => existing.iter().any(|url| Path::new(url) == path),
            false => path.exists(),
        };
        if let Some((path, _)) = files.iter().find(|(path, _)| taken(path)) {
            return Err(Error::InvalidOption(format!(
                "{} exists; pass --overwrite to replace it",
                path.display()
            )));
        }
    }
    let sink =
        Sink::try_new(SinkConfig::default().replace(args.overwrite))?.with_object_stores(stores);
    for (path, text) in &files {
        write_file(&sink, path, text.as_bytes())?;
    }
    eprintln!(
        "wrote {} files to {}",
        stream.queries().len(),
        dir.display()
    );
    Ok(())
}

/// One file through the sink: a temporary name, renamed when complete.
fn write_file(sink: &Sink, path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = sink.create(path)?;
    file.write_all(bytes)?;
    file.finish()?;
    Ok(())
}
