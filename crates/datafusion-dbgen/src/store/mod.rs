//! Object stores as outputs and sources: `s3://`, `gs://`, `az://` (cargo feature `cloud`) and
//! `memory://` URLs wherever a local path is accepted.
//!
//! An output URL reaches the [sink](crate::sink) as a path whose text is the URL
//! (`s3://bucket/sf1/lineitem.tbl`); the sink recognises it ([`is_object_url`]) and uploads the
//! file through [`ObjectStores`] instead of writing it to disk. Large files go up as multipart
//! uploads, small ones as one PUT; completing the upload is the publish step, and a failed,
//! cancelled or dropped file aborts its upload, so no partial object is ever visible.
//!
//! Stores are built as their users configure them: from the standard environment variables
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, and the `GOOGLE_*` / `AZURE_*` variables that
//! `object_store`'s builders read), then [`StorageOptions`] given explicitly (`--storage-option
//! key=value`, COPY's `OPTIONS`), which win. Secrets are never printed: [`StorageOptions`]'s
//! `Debug` shows keys only.
//!
//! A run killed before it could abort its uploads (SIGKILL, power loss) leaves them open in the
//! bucket, invisible but billed. Each multipart upload therefore leaves a small marker object
//! under `.tpch-dbgen-uploads/` at the root of the bucket while it is open; the next export to
//! the same prefix from the same host aborts the uploads of dead processes and reports them
//! ([`ObjectStores::abort_stale_uploads`]), as local runs remove stale temporary files.

mod build;
mod registry;
mod stale;
mod upload;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use datafusion::execution::object_store::ObjectStoreUrl;
use object_store::multipart::MultipartStore;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, ObjectStoreScheme};
use url::Url;

/// The `object_store` crate this module builds on (the version DataFusion uses).
pub use object_store;
pub use registry::StoreRegistry;
pub(crate) use upload::ObjectFile;
pub use upload::{MIN_PART_SIZE, UploadSettings};

/// Errors of object-store outputs and sources.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The text is not a URL this crate can write to or read from.
    #[error("{url}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A storage option's key is unknown for the store, or its value unusable.
    #[error("storage option {key:?} for {url}: {reason}")]
    InvalidOption {
        /// The store's URL.
        url: String,
        /// The option's key (its value is never shown: it may be a secret).
        key: String,
        /// Why it was refused.
        reason: String,
    },
    /// The store could not be set up (missing region, malformed endpoint, …).
    #[error("cannot set up the object store for {url}: {source}")]
    Build {
        /// The store's URL.
        url: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// A request to the store failed.
    #[error("{url}: {}", one_line(source))]
    Request {
        /// The object or prefix the request was about.
        url: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// The object exists and the output may not replace it.
    #[error("{url} exists; pass --overwrite to replace it")]
    Exists {
        /// The object's URL.
        url: String,
    },
}

/// The store's error on one line, with its innermost cause (the part that names the reason:
/// "connection refused", "NoSuchBucket", "InvalidAccessKeyId", …).
fn one_line(error: &object_store::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    if let Some(inner) = innermost.filter(|i| !text.contains(i.as_str())) {
        text.push_str(": ");
        text.push_str(&inner);
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // S3 answers with an XML document: keep its code and message, not the request ids.
    let tag = |name: &str| {
        let start = text.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + text[start..].find(&format!("</{name}>"))?;
        Some(text[start..end].to_string())
    };
    match (
        text.find("<?xml").or_else(|| text.find("<Error>")),
        tag("Code"),
    ) {
        (Some(at), Some(code)) => {
            let message = tag("Message").unwrap_or_default();
            format!("{}{code}: {message}", &text[..at])
        }
        _ => text,
    }
}

/// Whether `path` is an object-store URL (`s3://…`, `gs://…`, `memory://…`, …) rather than a
/// local path; `file://` URLs are local paths ([`local_path`]).
pub fn is_object_url(path: &Path) -> bool {
    path.to_str()
        .and_then(|s| s.split_once("://"))
        .is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+')
                && !scheme.eq_ignore_ascii_case("file")
        })
}

/// The local path a `file://` URL names; other paths unchanged.
pub fn local_path(path: &Path) -> PathBuf {
    match path.to_str().and_then(|s| s.strip_prefix("file://")) {
        Some(rest) => PathBuf::from(rest),
        None => path.to_path_buf(),
    }
}

/// Explicit settings for the stores of one command: `object_store` configuration keys
/// (`aws_endpoint`, `aws_region`, `aws_allow_http`, `google_service_account`,
/// `azure_storage_account_name`, `timeout`, …) with their values, applied after the
/// environment's. `Debug` prints the keys only.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StorageOptions(Vec<(String, String)>);

impl StorageOptions {
    /// No explicit options: the environment's settings only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) `key`.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, value.into()));
    }

    /// Adds `key=value` text, as given to `--storage-option`.
    pub fn parse_pair(&mut self, pair: &str) -> Result<(), String> {
        match pair.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                self.set(key.trim(), value);
                Ok(())
            }
            _ => Err(format!("expected key=value, got {:?}", redact_pair(pair))),
        }
    }

    /// The options in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// These options, then `later`'s (which win where both set a key).
    pub fn merged_with(&self, later: &StorageOptions) -> StorageOptions {
        let mut merged = self.clone();
        for (key, value) in later.iter() {
            merged.set(key, value);
        }
        merged
    }

    /// Takes the storage settings out of SQL `OPTIONS (…)` keys, as datafusion-cli names them:
    /// `aws.<key>`, `gcp.<key>` / `google.<key>` and `azure.<key>` become the `object_store`
    /// keys `aws_<key>`, `google_<key>` and `azure_<key>` (`'aws.endpoint' '…'`,
    /// `'aws.access_key_id' '…'`, `'aws.allow_http' 'true'`, …). Returns them and the other
    /// options, unchanged.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use datafusion_dbgen::store::StorageOptions;
    ///
    /// let sql: HashMap<String, String> = [
    ///     ("aws.endpoint", "http://127.0.0.1:9000"),
    ///     ("format.compression", "zstd(1)"),
    /// ]
    /// .into_iter()
    /// .map(|(k, v)| (k.to_string(), v.to_string()))
    /// .collect();
    /// let (storage, rest) = StorageOptions::from_sql_options(&sql);
    /// assert_eq!(
    ///     storage.iter().collect::<Vec<_>>(),
    ///     [("aws_endpoint", "http://127.0.0.1:9000")]
    /// );
    /// assert_eq!(rest.keys().collect::<Vec<_>>(), ["format.compression"]);
    /// ```
    pub fn from_sql_options(
        options: &HashMap<String, String>,
    ) -> (StorageOptions, HashMap<String, String>) {
        let mut storage = StorageOptions::new();
        let mut rest = HashMap::new();
        // Sorted, so that a key given twice in two spellings resolves the same way every time.
        let mut keys: Vec<&String> = options.keys().collect();
        keys.sort();
        for key in keys {
            let value = &options[key];
            let storage_key = key.split_once('.').and_then(|(ns, name)| {
                let prefix = match ns.to_ascii_lowercase().as_str() {
                    "aws" => "aws",
                    "gcp" | "google" => "google",
                    "azure" => "azure",
                    _ => return None,
                };
                Some(format!("{prefix}_{name}"))
            });
            match storage_key {
                Some(k) => storage.set(k, value.clone()),
                None => {
                    rest.insert(key.clone(), value.clone());
                }
            }
        }
        (storage, rest)
    }
}

/// `key=…` of a malformed pair (the value might be a secret).
fn redact_pair(pair: &str) -> String {
    match pair.split_once('=') {
        Some((key, _)) => format!("{key}=…"),
        None if pair.len() > 24 => "(a long value)".to_string(),
        None => pair.to_string(),
    }
}

impl fmt::Debug for StorageOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| format!("{k}=<redacted>")))
            .finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for StorageOptions {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut options = StorageOptions::new();
        for (k, v) in iter {
            options.set(k, v);
        }
        options
    }
}

/// One store (a bucket, a container): what reads and writes it.
pub struct StoreEntry {
    /// `scheme://authority` of the store, e.g. `s3://bucket`.
    base: Url,
    store: Arc<dyn ObjectStore>,
    /// The same store's multipart API, which gives upload ids (so that a killed run's uploads
    /// can be aborted later); `None` for stores registered from outside whose type is unknown.
    multipart: Option<Arc<dyn MultipartStore>>,
}

impl fmt::Debug for StoreEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreEntry")
            .field("base", &self.base.as_str())
            .field("store", &self.store.to_string())
            .finish()
    }
}

impl StoreEntry {
    /// `scheme://authority` of the store.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The store, for DataFusion's registry or direct use.
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.store)
    }

    /// The URL of object `key` of this store (`s3://bucket/key`).
    pub fn url_of(&self, key: &ObjectPath) -> String {
        format!("{}://{}/{key}", self.base.scheme(), self.base.authority())
    }

    /// A store registered from outside (e.g. in a DataFusion session): uploads work, but the
    /// uploads of killed runs cannot be found again.
    pub fn from_store(base: Url, store: Arc<dyn ObjectStore>) -> Self {
        StoreEntry {
            base,
            store,
            multipart: None,
        }
    }
}

/// The object stores of one command or session, built on first use from the environment and
/// its [`StorageOptions`], one per bucket, and shared by every file that goes there.
#[derive(Debug, Default)]
pub struct ObjectStores {
    options: StorageOptions,
    upload: UploadSettings,
    gate: Arc<upload::Gate>,
    entries: Mutex<HashMap<String, Arc<StoreEntry>>>,
}

impl ObjectStores {
    /// Stores configured by the environment and `options`.
    pub fn new(options: StorageOptions) -> Self {
        ObjectStores {
            options,
            ..Default::default()
        }
    }

    /// The explicit options.
    pub fn options(&self) -> &StorageOptions {
        &self.options
    }

    /// Sets how files are uploaded (part size, parts in flight).
    pub fn with_upload_settings(mut self, upload: UploadSettings) -> Self {
        self.upload = upload;
        self
    }

    pub(crate) fn upload_settings(&self) -> &UploadSettings {
        &self.upload
    }

    /// Uses `entry` for its base URL instead of building a store (a store the caller set up,
    /// e.g. one registered in a DataFusion session).
    pub fn insert(&self, entry: StoreEntry) {
        let key = entry.base.as_str().trim_end_matches('/').to_string();
        self.lock().insert(key, Arc::new(entry));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<StoreEntry>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store of `url` (built on first use) and the object key `url` names in it.
    pub fn resolve(&self, url: &str) -> Result<(Arc<StoreEntry>, ObjectPath), StoreError> {
        let parsed = Url::parse(url).map_err(|e| StoreError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let (scheme, key) =
            ObjectStoreScheme::parse(&parsed).map_err(|e| StoreError::InvalidUrl {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        if parsed.host_str().is_none_or(str::is_empty) && scheme != ObjectStoreScheme::Memory {
            return Err(StoreError::InvalidUrl {
                url: url.to_string(),
                reason: "no bucket or container in the URL".to_string(),
            });
        }
        let base_text = format!("{}://{}", parsed.scheme(), parsed.authority());
        let mut entries = self.lock();
        if let Some(entry) = entries.get(&base_text) {
            return Ok((Arc::clone(entry), key));
        }
        let base = Url::parse(&base_text).map_err(|e| StoreError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let entry = Arc::new(build::build(scheme, &base, &self.options)?);
        entries.insert(base_text, Arc::clone(&entry));
        Ok((entry, key))
    }

    /// Every store built or inserted so far.
    pub fn entries(&self) -> Vec<Arc<StoreEntry>> {
        self.lock().values().cloned().collect()
    }

    /// Registers the store of `url` in a DataFusion runtime, so that tables and `COPY` can use
    /// URLs of that bucket.
    pub fn register_in(
        &self,
        runtime: &datafusion::execution::runtime_env::RuntimeEnv,
        url: &str,
    ) -> Result<(), StoreError> {
        let (entry, _) = self.resolve(url)?;
        runtime.register_object_store(&entry.base, entry.store());
        Ok(())
    }

    /// Deletes object `url` (nothing when it does not exist).
    pub fn delete(&self, url: &str) -> Result<(), StoreError> {
        let (entry, key) = self.resolve(url)?;
        let store = entry.store();
        match upload::block_on(async move { store.delete(&key).await }) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(StoreError::Request {
                url: url.to_string(),
                source,
            }),
        }
    }

    /// The stores a DataFusion session uses: those [`TpchSession`](crate::session::TpchSession)
    /// put in its configuration, or, for a session built elsewhere, stores configured by the
    /// environment that reuse the stores registered in its runtime.
    pub fn of_session(
        config: &datafusion::prelude::SessionConfig,
        runtime: &datafusion::execution::runtime_env::RuntimeEnv,
        url: &str,
    ) -> Arc<ObjectStores> {
        if let Some(stores) = config.get_extension::<ObjectStores>() {
            return stores;
        }
        // A store the caller registered in the runtime for this URL is used as it is.
        let stores = ObjectStores::default();
        let base = Url::parse(url)
            .ok()
            .and_then(|u| Url::parse(&format!("{}://{}", u.scheme(), u.authority())).ok());
        if let Some(base) = base
            && let Ok(store_url) = ObjectStoreUrl::parse(base.as_str())
            && let Ok(store) = runtime.object_store(store_url)
        {
            stores.insert(StoreEntry::from_store(base, store));
        }
        Arc::new(stores)
    }

    /// The objects directly or indirectly under `prefix_url`, as URLs.
    pub fn list(&self, prefix_url: &str) -> Result<Vec<String>, StoreError> {
        let (entry, prefix) = self.resolve(prefix_url)?;
        let store = entry.store();
        let listed = upload::block_on(async move {
            use futures::TryStreamExt;
            store
                .list(Some(&prefix))
                .map_ok(|meta| meta.location)
                .try_collect::<Vec<_>>()
                .await
        })
        .map_err(|source| StoreError::Request {
            url: prefix_url.to_string(),
            source,
        })?;
        Ok(listed.iter().map(|key| entry.url_of(key)).collect())
    }

    /// Refuses to start an output that would replace an object: the first of `planned` (URLs
    /// under `prefix_url`) that exists is [`StoreError::Exists`]. One listing of the prefix,
    /// however many objects are planned.
    pub fn refuse_existing<I, S>(&self, prefix_url: &str, planned: I) -> Result<(), StoreError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let listed: std::collections::HashSet<String> =
            self.list(prefix_url)?.into_iter().collect();
        for url in planned {
            let (entry, key) = self.resolve(url.as_ref())?;
            let url = entry.url_of(&key);
            if listed.contains(&url) {
                return Err(StoreError::Exists { url });
            }
        }
        Ok(())
    }

    /// Aborts the multipart uploads that dead processes of this host left under `prefix_url`
    /// (found by their markers) and returns the URLs of the objects they were writing.
    pub fn abort_stale_uploads(&self, prefix_url: &str) -> Result<Vec<PathBuf>, StoreError> {
        let (entry, prefix) = self.resolve(prefix_url)?;
        stale::abort_stale_uploads(&entry, &prefix)
            .map(|urls| urls.into_iter().map(PathBuf::from).collect())
            .map_err(|source| StoreError::Request {
                url: prefix_url.to_string(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_local_paths_are_told_apart() {
        for url in ["s3://b/p", "gs://b", "az://c/x", "memory://", "s3a://b/k"] {
            assert!(is_object_url(Path::new(url)), "{url}");
        }
        for path in ["sf1", "/tmp/x", "file:///tmp/x", "./s3:/x", "a/b://c"] {
            assert!(!is_object_url(Path::new(path)), "{path}");
        }
        assert_eq!(
            local_path(Path::new("file:///tmp/x")),
            PathBuf::from("/tmp/x")
        );
    }

    #[test]
    fn options_never_show_their_values() {
        let mut options = StorageOptions::new();
        options.parse_pair("aws_secret_access_key=hunter2").unwrap();
        assert!(!format!("{options:?}").contains("hunter2"));
        let err = options.parse_pair("hunter2-without-key").unwrap_err();
        assert!(err.contains("expected key=value"));
        let err = StorageOptions::new().parse_pair("=hunter2").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn memory_urls_resolve_to_one_store_per_authority() {
        let stores = ObjectStores::default();
        let (a, key) = stores.resolve("memory:///dir/file.tbl").unwrap();
        let (b, _) = stores.resolve("memory:///other").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(key.as_ref(), "dir/file.tbl");
        assert_eq!(a.url_of(&key), "memory:///dir/file.tbl");
    }

    #[test]
    fn unknown_schemes_and_options_are_refused() {
        let stores = ObjectStores::default();
        assert!(matches!(
            stores.resolve("ftp://host/x"),
            Err(StoreError::InvalidUrl { .. })
        ));
        let stores = ObjectStores::new([("no_such_option", "1")].into_iter().collect());
        let err = stores.resolve("memory:///y").unwrap_err().to_string();
        assert!(err.contains("no_such_option"), "{err}");
    }
}
