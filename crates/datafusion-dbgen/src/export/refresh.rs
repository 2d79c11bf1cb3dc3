//! Refresh-set files as `dbgen -U N` writes them: `orders.tbl.uK`, `lineitem.tbl.uK` (the rows
//! RF1 inserts) and `delete.K` (the order keys RF2 deletes, `key|` a line), for K = 1..N,
//! byte-identical to dbgen and published atomically through the [`Sink`].

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow::array::{Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;

use super::batches::{DelimitedBatchWriter, TextOptions};
use super::options::ExportOptions;
use crate::arrow::TableBatches;
use crate::error::{Error, Result};
use crate::sink::{Sink, SinkConfig, SinkFile};
use crate::store::{ObjectStores, is_object_url};
use tpch_dbgen::{RefreshSet, Table};

/// One file written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshFile {
    /// Where it was published.
    pub path: PathBuf,
    /// Lines in it.
    pub rows: u64,
    /// Its size.
    pub bytes: u64,
}

/// What [`write_refresh_sets`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshSets {
    /// The files, in the order written.
    pub files: Vec<RefreshFile>,
    /// Temporary files (local) or unfinished uploads (object stores) that earlier, killed runs
    /// left in the output and that this run removed.
    pub stale_removed: Vec<PathBuf>,
}

/// The three file names of refresh set `k`, as dbgen names them.
pub fn refresh_file_names(k: u32) -> [String; 3] {
    [
        format!("orders.tbl.u{k}"),
        format!("lineitem.tbl.u{k}"),
        format!("delete.{k}"),
    ]
}

/// Writes refresh sets `1..=count` of `options.sf` into `options.output`: a local directory
/// (created if missing) or an object-store URL (`s3://bucket/prefix`, with
/// `options.storage_options`). Existing files are an error unless `options.overwrite`; the
/// other fields of `options` (tables, format, parts, …) do not apply to refresh sets.
/// `cancel` stops before the next file (the finished ones are kept, the one in progress is
/// removed: [`Error::Cancelled`]).
pub fn write_refresh_sets(
    options: &ExportOptions,
    count: u32,
    sink: SinkConfig,
    cancel: Option<&AtomicBool>,
) -> Result<RefreshSets> {
    let sets = RefreshSet::first(&options.sf, count)?;
    let dir = options.output.as_path();
    let planned = sets
        .iter()
        .flat_map(|set| refresh_file_names(set.number()))
        .map(|name| dir.join(name));
    let buffer_size = sink.buffer_size;
    let mut sink = Sink::try_new(sink.for_producers(1).replace(options.overwrite))?;
    let stale_removed = if is_object_url(dir) {
        let stores = Arc::new(ObjectStores::new(options.storage_options.clone()));
        let prefix = dir.to_string_lossy();
        if !options.overwrite {
            stores.refuse_existing(&prefix, planned.map(|p| p.to_string_lossy().into_owned()))?;
        }
        let stale = stores.abort_stale_uploads(&prefix)?;
        sink = sink.with_object_stores(stores);
        stale
    } else {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if let Some(path) = planned.filter(|_| !options.overwrite).find(|p| p.exists()) {
            return Err(Error::InvalidOption(format!(
                "{} exists; pass --overwrite to replace it",
                path.display()
            )));
        }
        crate::sink::remove_stale_temp_files(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?
    };
    let mut written = Vec::new();
    for set in &sets {
        let [orders, lineitem, delete] = refresh_file_names(set.number()).map(|n| dir.join(n));
        let files: [(PathBuf, FileContent); 3] = [
            (orders, FileContent::Orders),
            (lineitem, FileContent::Lineitem),
            (delete, FileContent::Deletes),
        ];
        for (path, content) in files {
            if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(Error::Cancelled {
                    finished: written.into_iter().map(|f: RefreshFile| f.path).collect(),
                });
            }
            let file = sink.create(&path)?;
            let (file, rows) = content.write(set, file, buffer_size)?;
            let summary = file.finish()?;
            written.push(RefreshFile {
                path: summary.path,
                rows,
                bytes: summary.bytes,
            });
        }
    }
    Ok(RefreshSets {
        files: written,
        stale_removed,
    })
}

/// What one refresh file holds.
#[derive(Clone, Copy)]
enum FileContent {
    Orders,
    Lineitem,
    Deletes,
}

impl FileContent {
    /// Encodes this content of `set` into `file` with the `.tbl` batch writer COPY uses
    /// (straight into the sink's pooled buffers of `buffer_size` bytes); returns the file, to
    /// finish, and the number of lines.
    fn write(
        self,
        set: &RefreshSet,
        file: SinkFile,
        buffer_size: usize,
    ) -> Result<(SinkFile, u64)> {
        const BATCH_ROWS: usize = 4096;
        let (schema, batches): (_, Box<dyn Iterator<Item = _>>) = match self {
            FileContent::Orders => {
                let batches = TableBatches::refresh_set(set, Table::Orders, BATCH_ROWS)?;
                (batches.schema(), Box::new(batches))
            }
            FileContent::Lineitem => {
                let batches = TableBatches::refresh_set(set, Table::Lineitem, BATCH_ROWS)?;
                (batches.schema(), Box::new(batches))
            }
            FileContent::Deletes => {
                let schema = delete_key_schema();
                let batches = delete_key_batches(set, Arc::clone(&schema), BATCH_ROWS);
                (schema, Box::new(batches))
            }
        };
        let path = file.path().to_path_buf();
        let mut writer =
            DelimitedBatchWriter::try_new(file, &schema, TextOptions::tbl(), buffer_size)?;
        for batch in batches {
            writer.write(&batch.map_err(|e| Error::encode(&path, e))?)?;
        }
        let rows = writer.rows();
        Ok((writer.into_file()?, rows))
    }
}

/// The one column of `delete.K`.
fn delete_key_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        "o_orderkey",
        DataType::Int64,
        false,
    )]))
}

/// The order keys RF2 deletes, as one-column batches of `schema` (`.tbl` prints each as
/// `key|`).
fn delete_key_batches(
    set: &RefreshSet,
    schema: SchemaRef,
    batch_rows: usize,
) -> impl Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + use<> {
    let mut keys = set.delete_keys().peekable();
    std::iter::from_fn(move || {
        keys.peek()?;
        let chunk: Int64Array = keys.by_ref().take(batch_rows).collect::<Vec<_>>().into();
        Some(RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(chunk)],
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tpch_dbgen::ScaleFactor;

    fn options_at(sf: &ScaleFactor, dir: &std::path::Path) -> ExportOptions {
        let mut options = ExportOptions::new(*sf);
        options.output = dir.to_path_buf();
        options
    }

    /// Set 1 at SF 0.01 equals dbgen's files (kept whole in testdata/updates/sf0.01).
    #[test]
    fn set_one_equals_dbgen() {
        let dir = tempfile::tempdir().unwrap();
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let options = options_at(&sf, dir.path());
        let files = write_refresh_sets(&options, 2, SinkConfig::default(), None)
            .unwrap()
            .files;
        assert_eq!(files.len(), 6);
        let expected = [
            (
                "orders.tbl.u1",
                &include_bytes!("../../../../testdata/updates/sf0.01/orders.tbl.u1")[..],
            ),
            (
                "lineitem.tbl.u1",
                include_bytes!("../../../../testdata/updates/sf0.01/lineitem.tbl.u1"),
            ),
            (
                "delete.1",
                include_bytes!("../../../../testdata/updates/sf0.01/delete.1"),
            ),
        ];
        for (name, want) in expected {
            let got = std::fs::read(dir.path().join(name)).unwrap();
            assert!(got == want, "{name} differs from dbgen's");
        }
        assert_eq!(files[2].rows, 10);
        assert_eq!(files[2].bytes, 33);
        // No overwrite without asking; nothing else is left in the directory.
        let again = write_refresh_sets(&options, 1, SinkConfig::default(), None);
        assert!(matches!(again, Err(Error::InvalidOption(m)) if m.contains("exists")));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 6);
    }

    #[test]
    fn cancelled_before_the_first_file_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let stop = AtomicBool::new(true);
        let options = options_at(&sf, dir.path());
        let result = write_refresh_sets(&options, 1, SinkConfig::default(), Some(&stop));
        assert!(matches!(result, Err(Error::Cancelled { finished }) if finished.is_empty()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let zero = write_refresh_sets(&options, 0, SinkConfig::default(), None);
        assert!(zero.is_err());
    }
}
