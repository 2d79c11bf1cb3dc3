//! The `parquet`, `csv` and `tbl` file formats: DataFusion's own formats for reading, the
//! crate's writer plan ([`TpchCopyExec`]) for `COPY … TO`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::parsers::{CompressionTypeVariant, CsvQuoteStyle};
use datafusion::common::{GetExt, Statistics, not_impl_err, plan_err};
use datafusion::datasource::file_format::csv::{CsvFormat, CsvFormatFactory};
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::parquet::ParquetFormatFactory;
use datafusion::datasource::file_format::{FileFormat, FileFormatFactory, FileMeta};
use datafusion::datasource::physical_plan::{FileScanConfig, FileSinkConfig, FileSource};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::object_store::{ObjectMeta, ObjectStore};
use datafusion::physical_expr::LexRequirement;
use datafusion::physical_expr_common::sort_expr::LexOrdering;
use datafusion::physical_plan::ExecutionPlan;

use super::check::check_parquet_writer_options;
use super::exec::TpchCopyExec;
use super::job::{CopyTarget, Encoding};
use super::{CopyConfig, DbgenOptions};
use crate::export::Format;
use crate::export::batches::TextOptions;
use crate::export::delimited::Dialect;
use crate::store::{ObjectStores, StorageOptions, is_object_url};

/// DataFusion's own factory for `format` (the one reads go through); `tbl` reads are not
/// supported, and its factory is a CSV factory for `|`-separated text.
fn datafusion_factory(format: Format) -> Arc<dyn FileFormatFactory> {
    match format {
        Format::Parquet => Arc::new(ParquetFormatFactory::new()),
        Format::Csv | Format::Tbl => Arc::new(CsvFormatFactory::new()),
    }
}

/// A [`FileFormatFactory`] for `parquet`, `csv` or `tbl` whose formats write `COPY … TO` with
/// [`TpchCopyExec`] and read through DataFusion's own format.
///
/// Options are parsed by DataFusion's factory (`format.compression`,
/// `format.max_row_group_size`, `format.has_header`, `format.delimiter`, …), so they mean what
/// they mean in DataFusion. `tbl` takes one option, `format.whole_decimal_columns`: a
/// comma-separated list of decimal columns printed without places when whole (default
/// `l_quantity`, as dbgen prints it).
pub struct TpchFormatFactory {
    format: Format,
    inner: Arc<dyn FileFormatFactory>,
    config: Arc<CopyConfig>,
}

impl TpchFormatFactory {
    /// A factory for `format` over DataFusion's default factory of that format.
    pub fn new(format: Format, config: CopyConfig) -> Self {
        Self::wrapping(format, datafusion_factory(format), Arc::new(config))
    }

    /// A factory for `format` delegating option parsing and reads to `inner` (e.g. the
    /// factory a session had registered before).
    pub fn wrapping(
        format: Format,
        inner: Arc<dyn FileFormatFactory>,
        config: Arc<CopyConfig>,
    ) -> Self {
        // Never wrap a wrapper: registering twice replaces the configuration.
        let inner = match inner.downcast_ref::<TpchFormatFactory>() {
            Some(ours) => Arc::clone(&ours.inner),
            None => inner,
        };
        TpchFormatFactory {
            format,
            inner,
            config,
        }
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The configuration the writer plans use.
    pub fn config(&self) -> &CopyConfig {
        &self.config
    }
}

impl fmt::Debug for TpchFormatFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TpchFormatFactory")
            .field("format", &self.format)
            .field("inner", &self.inner)
            .field("config", &self.config)
            .finish()
    }
}

impl GetExt for TpchFormatFactory {
    fn get_ext(&self) -> String {
        self.format.extension().to_string()
    }
}

impl FileFormatFactory for TpchFormatFactory {
    fn create(
        &self,
        state: &dyn Session,
        format_options: &HashMap<String, String>,
    ) -> Result<Arc<dyn FileFormat>> {
        // `aws.*`, `gcp.*`, `azure.*`: how to reach the target, not how to encode it.
        let (storage, format_options) = StorageOptions::from_sql_options(format_options);
        let (inner, tbl) = match self.format {
            Format::Parquet | Format::Csv => (self.inner.create(state, &format_options)?, None),
            Format::Tbl => (tbl_read_format(), Some(TblOptions::parse(&format_options)?)),
        };
        Ok(Arc::new(TpchFileFormat {
            format: self.format,
            inner,
            tbl,
            config: Arc::clone(&self.config),
            storage,
        }))
    }

    fn default(&self) -> Arc<dyn FileFormat> {
        let (inner, tbl) = match self.format {
            Format::Parquet | Format::Csv => (self.inner.default(), None),
            Format::Tbl => (tbl_read_format(), Some(TblOptions::default())),
        };
        Arc::new(TpchFileFormat {
            format: self.format,
            storage: StorageOptions::new(),
            inner,
            tbl,
            config: Arc::clone(&self.config),
        })
    }
}

fn tbl_read_format() -> Arc<dyn FileFormat> {
    Arc::new(
        CsvFormat::default()
            .with_delimiter(b'|')
            .with_has_header(false),
    )
}

/// Options of `STORED AS TBL`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TblOptions {
    whole_decimal_columns: Vec<String>,
}

impl Default for TblOptions {
    fn default() -> Self {
        TblOptions {
            whole_decimal_columns: TextOptions::tbl().whole_decimal_columns,
        }
    }
}

impl TblOptions {
    fn parse(options: &HashMap<String, String>) -> Result<Self> {
        let mut tbl = TblOptions::default();
        for (key, value) in options {
            let key = key.to_ascii_lowercase();
            match key.as_str() {
                "format.whole_decimal_columns" => {
                    tbl.whole_decimal_columns = value
                        .split(',')
                        .map(|c| c.trim().to_string())
                        .filter(|c| !c.is_empty())
                        .collect();
                }
                // Handled by the planner (`execution.keep_partition_by_columns`).
                k if k.starts_with("execution.") => {}
                _ => {
                    return plan_err!(
                        "unknown option '{key}' for STORED AS TBL: the only option is \
                         'format.whole_decimal_columns'"
                    );
                }
            }
        }
        Ok(tbl)
    }
}

/// The [`FileFormat`] made by [`TpchFormatFactory`]: everything but writing is delegated to
/// DataFusion's format; `create_writer_physical_plan` returns a [`TpchCopyExec`] when the
/// write can be done by the crate (see [the module documentation](super) for when DataFusion's
/// writer is used instead).
#[derive(Debug)]
pub struct TpchFileFormat {
    format: Format,
    inner: Arc<dyn FileFormat>,
    tbl: Option<TblOptions>,
    config: Arc<CopyConfig>,
    /// Store settings given in the COPY's `OPTIONS` (`aws.*`, …), over the session's.
    storage: StorageOptions,
}

impl TpchFileFormat {
    /// The stores a COPY with storage settings in its `OPTIONS` writes through: the session's
    /// settings, then the COPY's. `None` without such settings (the session's stores are used).
    /// DataFusion's own writer (the fallback) finds the store in the runtime's registry, so it
    /// is registered there too.
    fn stores_of_options(
        &self,
        state: &dyn Session,
        conf: &FileSinkConfig,
    ) -> Result<Option<Arc<ObjectStores>>> {
        if self.storage.is_empty() {
            return Ok(None);
        }
        let url = conf.original_url.as_str();
        if !is_object_url(Path::new(url)) {
            return plan_err!(
                "COPY to {url}: storage options (aws.*, gcp.*, azure.*) apply to object-store \
                 URLs only"
            );
        }
        let session = ObjectStores::of_session(state.config(), state.runtime_env(), url);
        let options = session.options().merged_with(&self.storage);
        let stores = Arc::new(ObjectStores::new(options));
        stores
            .register_in(state.runtime_env(), url)
            .map_err(|e| DataFusionError::Plan(format!("COPY to {url}: {e}")))?;
        Ok(Some(stores))
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// DataFusion's format that reads (and writes what the crate does not).
    pub fn inner(&self) -> &Arc<dyn FileFormat> {
        &self.inner
    }

    fn tbl_reads_unsupported<T>(&self) -> Result<T> {
        not_impl_err!(
            "reading STORED AS TBL is not supported (it is a write-only format of COPY); read \
             .tbl files as CSV with OPTIONS ('format.delimiter' '|', 'format.has_header' 'false')"
        )
    }

    /// How the crate writes this COPY, or `None` when DataFusion's writer must do it.
    fn encoding(&self, state: &dyn Session, conf: &FileSinkConfig) -> Result<Option<Encoding>> {
        match self.format {
            Format::Parquet => self.parquet_encoding(conf),
            Format::Csv => {
                let Some(csv) = self.inner.downcast_ref::<CsvFormat>() else {
                    return Ok(None);
                };
                let o = csv.options();
                let supported = o.compression == CompressionTypeVariant::UNCOMPRESSED
                    && o.quote == b'"'
                    && o.escape.is_none()
                    && o.double_quote.unwrap_or(true)
                    && o.quote_style == CsvQuoteStyle::Necessary
                    && !o.ignore_leading_whitespace.unwrap_or(false)
                    && !o.ignore_trailing_whitespace.unwrap_or(false)
                    && !matches!(o.delimiter, b'"' | b'\n' | b'\r');
                if !supported {
                    return Ok(None);
                }
                let has_header = o
                    .has_header
                    .unwrap_or_else(|| state.config_options().catalog.has_header);
                let dialect = Dialect {
                    delimiter: o.delimiter,
                    header: has_header,
                    ..Dialect::CSV
                };
                Ok(Some(Encoding::Text(TextOptions {
                    dialect,
                    null_value: o.null_value.clone().unwrap_or_default(),
                    date_format: o.date_format.clone(),
                    datetime_format: o.datetime_format.clone(),
                    timestamp_format: o.timestamp_format.clone(),
                    timestamp_tz_format: o.timestamp_tz_format.clone(),
                    time_format: o.time_format.clone(),
                    whole_decimal_columns: Vec::new(),
                })))
            }
            Format::Tbl => {
                let tbl = self.tbl.clone().unwrap_or_default();
                Ok(Some(Encoding::Text(TextOptions {
                    whole_decimal_columns: tbl.whole_decimal_columns,
                    ..TextOptions::tbl()
                })))
            }
        }
    }

    fn parquet_encoding(&self, conf: &FileSinkConfig) -> Result<Option<Encoding>> {
        use parquet::file::properties::WriterPropertiesBuilder;
        let Some(parquet) = self.inner.downcast_ref::<ParquetFormat>() else {
            return Ok(None);
        };
        let mut options = parquet.options().clone();
        if options.crypto.file_encryption.is_some() || options.crypto.factory_id.is_some() {
            // Encryption needs DataFusion's runtime (encryption factories): its writer does it.
            return Ok(None);
        }
        let skip_arrow_metadata = options.global.skip_arrow_metadata;
        if !skip_arrow_metadata {
            options.arrow_schema(conf.output_schema());
        }
        // Exactly how DataFusion's Parquet writer builds its properties.
        let properties = WriterPropertiesBuilder::try_from(&options)?.build();
        Ok(Some(Encoding::Parquet {
            properties: Box::new(properties),
            skip_arrow_metadata,
        }))
    }
}

/// Where a COPY goes, when the crate can write it: a local path or an object-store URL, no `PARTITIONED BY`, not an
/// `INSERT` into a listing table (those keep DataFusion's naming of new files).
fn local_target(conf: &FileSinkConfig) -> Option<CopyTarget> {
    if conf.original_url.is_empty()
        || !conf.table_partition_cols.is_empty()
        || conf.insert_op != InsertOp::Append
        || conf.table_paths.len() != 1
    {
        return None;
    }
    let url = &conf.table_paths[0];
    let path = match url.scheme() {
        "file" => url.get_url().to_file_path().ok()?,
        // Object stores: the sink takes the URL as the path and uploads.
        _ if crate::store::is_object_url(Path::new(url.as_str())) => PathBuf::from(url.as_str()),
        _ => return None,
    };
    Some(if conf.file_output_mode.single_file_output(url) {
        CopyTarget::File(path)
    } else {
        CopyTarget::Directory {
            dir: path,
            extension: conf.file_extension.clone(),
        }
    })
}

#[async_trait]
impl FileFormat for TpchFileFormat {
    fn get_ext(&self) -> String {
        match self.format {
            Format::Tbl => Format::Tbl.extension().to_string(),
            _ => self.inner.get_ext(),
        }
    }

    fn get_ext_with_compression(&self, compression: &FileCompressionType) -> Result<String> {
        match self.format {
            Format::Tbl => Ok(Format::Tbl.extension().to_string()),
            _ => self.inner.get_ext_with_compression(compression),
        }
    }

    fn compression_type(&self) -> Option<FileCompressionType> {
        match self.format {
            Format::Tbl => None,
            _ => self.inner.compression_type(),
        }
    }

    async fn infer_schema(
        &self,
        state: &dyn Session,
        store: &Arc<dyn ObjectStore>,
        objects: &[ObjectMeta],
    ) -> Result<SchemaRef> {
        if self.format == Format::Tbl {
            return self.tbl_reads_unsupported();
        }
        self.inner.infer_schema(state, store, objects).await
    }

    async fn infer_stats(
        &self,
        state: &dyn Session,
        store: &Arc<dyn ObjectStore>,
        table_schema: SchemaRef,
        object: &ObjectMeta,
    ) -> Result<Statistics> {
        self.inner
            .infer_stats(state, store, table_schema, object)
            .await
    }

    async fn infer_ordering(
        &self,
        state: &dyn Session,
        store: &Arc<dyn ObjectStore>,
        table_schema: SchemaRef,
        object: &ObjectMeta,
    ) -> Result<Option<LexOrdering>> {
        self.inner
            .infer_ordering(state, store, table_schema, object)
            .await
    }

    async fn infer_stats_and_ordering(
        &self,
        state: &dyn Session,
        store: &Arc<dyn ObjectStore>,
        table_schema: SchemaRef,
        object: &ObjectMeta,
    ) -> Result<FileMeta> {
        self.inner
            .infer_stats_and_ordering(state, store, table_schema, object)
            .await
    }

    async fn create_physical_plan(
        &self,
        state: &dyn Session,
        conf: FileScanConfig,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if self.format == Format::Tbl {
            return self.tbl_reads_unsupported();
        }
        self.inner.create_physical_plan(state, conf).await
    }

    async fn create_writer_physical_plan(
        &self,
        input: Arc<dyn ExecutionPlan>,
        state: &dyn Session,
        conf: FileSinkConfig,
        order_requirements: Option<LexRequirement>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if let Some(parquet) = self.inner.downcast_ref::<ParquetFormat>() {
            check_parquet_writer_options(parquet.options())?;
        }
        let target = local_target(&conf);
        let encoding = match target {
            Some(_) => self.encoding(state, &conf)?,
            None => None,
        };
        let sink = match state.config_options().extensions.get::<DbgenOptions>() {
            Some(options) => options.apply(self.config.sink.clone())?,
            None => self.config.sink.clone(),
        };
        let stores = self.stores_of_options(state, &conf)?;
        match (target, encoding) {
            (Some(target), Some(encoding)) => Ok(Arc::new(
                TpchCopyExec::try_new(
                    input,
                    self.format,
                    target,
                    encoding,
                    sink,
                    order_requirements,
                )?
                .with_object_stores(stores),
            )),
            _ if self.format == Format::Tbl => not_impl_err!(
                "STORED AS TBL writes only COPY … TO a local path without PARTITIONED BY"
            ),
            _ => {
                self.inner
                    .create_writer_physical_plan(input, state, conf, order_requirements)
                    .await
            }
        }
    }

    fn file_source(&self, table_schema: TableSchema) -> Arc<dyn FileSource> {
        self.inner.file_source(table_schema)
    }
}
