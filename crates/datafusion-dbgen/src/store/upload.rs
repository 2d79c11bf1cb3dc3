//! One object being uploaded: bytes are gathered into parts, parts go up in the background
//! (a bounded number in flight across all files), completing the upload publishes the object.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use object_store::ObjectStoreExt;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use object_store::{MultipartId, MultipartUpload, PutMode, PutOptions, PutPayload};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use super::{ObjectStores, StoreEntry, StoreError, stale};

/// S3's smallest part (but the last); GCS and Azure accept it too.
pub const MIN_PART_SIZE: usize = 5 << 20;

/// How long aborting an upload may take before it is left to the next run's cleanup.
const ABORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// S3's largest number of parts of one upload.
const MAX_PARTS: usize = 10_000;

/// How files are uploaded to object stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSettings {
    /// Size of the first parts of a multipart upload, at least [`MIN_PART_SIZE`]; a file smaller
    /// than this goes up as one PUT. Every 1,000 parts the size doubles, so that one upload
    /// stays within S3's 10,000 parts up to about 8 TB (with 8 MiB).
    pub part_size: usize,
    /// Parts in flight at once, over all files of the stores: bounds the memory of uploads to
    /// about `(parts_in_flight + open files) × part_size`.
    pub parts_in_flight: usize,
}

impl Default for UploadSettings {
    fn default() -> Self {
        UploadSettings {
            part_size: 8 << 20,
            parts_in_flight: 8,
        }
    }
}

impl UploadSettings {
    /// Size of part `index` (0-based) of an upload.
    fn part_size(&self, index: usize) -> usize {
        let doublings = (index / (MAX_PARTS / 10)).min(10) as u32;
        self.part_size.max(MIN_PART_SIZE) << doublings
    }
}

/// The runtime that drives every upload of the process: the sink's producers are plain threads,
/// and they may also be a DataFusion runtime's workers, which must not block on their own runtime.
fn runtime() -> Result<&'static Runtime, object_store::Error> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("tpch-object-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| generic(format!("cannot start the upload runtime: {e}")))
}

fn generic(message: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "tpch-dbgen",
        source: message.into(),
    }
}

/// Starts `fut` on the upload runtime.
fn spawn<T: Send + 'static>(
    fut: impl Future<Output = object_store::Result<T>> + Send + 'static,
) -> object_store::Result<JoinHandle<object_store::Result<T>>> {
    Ok(runtime()?.spawn(fut))
}

/// Waits for a spawned request from a synchronous thread.
fn wait<T>(handle: JoinHandle<object_store::Result<T>>) -> object_store::Result<T> {
    futures::executor::block_on(handle)
        .map_err(|e| generic(format!("upload task ended: {e}")))
        .and_then(|result| result)
}

/// Runs `fut` on the upload runtime and waits for it.
pub(crate) fn block_on<T: Send + 'static>(
    fut: impl Future<Output = object_store::Result<T>> + Send + 'static,
) -> object_store::Result<T> {
    wait(spawn(fut)?)
}

/// Bounds the parts in flight of all files of one [`ObjectStores`].
#[derive(Debug, Default)]
pub(crate) struct Gate {
    in_flight: Mutex<usize>,
    released: Condvar,
}

/// One part's slot in the [`Gate`]; freed when dropped (when the part's request ends).
struct Pass(Arc<Gate>);

impl Gate {
    fn enter(self: &Arc<Self>, limit: usize) -> Pass {
        let mut n = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        while *n >= limit.max(1) {
            n = self.released.wait(n).unwrap_or_else(|p| p.into_inner());
        }
        *n += 1;
        Pass(Arc::clone(self))
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut n = self.0.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        *n = n.saturating_sub(1);
        drop(n);
        self.0.released.notify_one();
    }
}

/// An open multipart upload.
enum Upload {
    /// Through the store's multipart API: the upload id is known, and a marker object names it
    /// until the upload is completed or aborted.
    Tracked {
        multipart: Arc<dyn MultipartStore>,
        id: MultipartId,
        marker: ObjectPath,
    },
    /// Through `ObjectStore::put_multipart` (a store registered from outside).
    Plain(Box<dyn MultipartUpload>),
}

/// The first failure of any part of one file.
type Failure = Arc<Mutex<Option<object_store::Error>>>;

/// One object being written; see the [module documentation](self).
pub(crate) struct ObjectFile {
    entry: Arc<StoreEntry>,
    key: ObjectPath,
    url: String,
    replace: bool,
    settings: UploadSettings,
    gate: Arc<Gate>,
    part: Vec<u8>,
    bytes: u64,
    upload: Option<Upload>,
    parts: Vec<JoinHandle<object_store::Result<Option<PartId>>>>,
    failure: Failure,
    done: bool,
}

impl std::fmt::Debug for ObjectFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectFile")
            .field("url", &self.url)
            .field("bytes", &self.bytes)
            .field("parts", &self.parts.len())
            .finish()
    }
}

impl ObjectFile {
    /// Starts the object `url` names (nothing is sent before the first part is full). Without
    /// `replace`, publishing fails with [`StoreError::Exists`] when the object exists by then.
    pub(crate) fn create(
        stores: &ObjectStores,
        url: &str,
        replace: bool,
    ) -> Result<ObjectFile, StoreError> {
        let (entry, key) = stores.resolve(url)?;
        if key.as_ref().is_empty() {
            return Err(StoreError::InvalidUrl {
                url: url.to_string(),
                reason: "names a bucket, not an object".to_string(),
            });
        }
        Ok(ObjectFile {
            url: entry.url_of(&key),
            entry,
            key,
            replace,
            settings: stores.upload_settings().clone(),
            gate: stores.gate(),
            part: Vec::new(),
            bytes: 0,
            upload: None,
            parts: Vec::new(),
            failure: Arc::default(),
            done: false,
        })
    }

    /// The object's URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Bytes written so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    fn request_error(&self, source: object_store::Error) -> StoreError {
        StoreError::Request {
            url: self.url.clone(),
            source,
        }
    }

    /// The first failure of a part sent earlier, if any.
    fn check(&self) -> Result<(), StoreError> {
        let mut slot = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        match slot.take() {
            Some(e) => Err(self.request_error(e)),
            None => Ok(()),
        }
    }

    /// Appends `data`; full parts go up in the background (blocking while too many are in
    /// flight).
    pub(crate) fn write(&mut self, mut data: &[u8]) -> Result<(), StoreError> {
        self.check()?;
        while !data.is_empty() {
            let target = self.settings.part_size(self.parts.len());
            if self.part.capacity() == 0 {
                self.part.reserve_exact(target);
            }
            let n = (target - self.part.len().min(target)).min(data.len());
            self.part.extend_from_slice(&data[..n]);
            self.bytes += n as u64;
            data = &data[n..];
            if self.part.len() >= target {
                self.send_part()?;
            }
        }
        Ok(())
    }

    /// Sends the gathered bytes as the next part (starting the upload first).
    fn send_part(&mut self) -> Result<(), StoreError> {
        if self.upload.is_none() {
            self.upload = Some(self.start().map_err(|e| self.request_error(e))?);
        }
        let payload = PutPayload::from(std::mem::take(&mut self.part));
        let pass = self.gate.enter(self.settings.parts_in_flight);
        let index = self.parts.len();
        let failure = Arc::clone(&self.failure);
        let request: futures::future::BoxFuture<'static, object_store::Result<Option<PartId>>> =
            match self.upload.as_mut() {
                Some(Upload::Tracked { multipart, id, .. }) => {
                    let (multipart, id, key) =
                        (Arc::clone(multipart), id.clone(), self.key.clone());
                    Box::pin(async move {
                        multipart
                            .put_part(&key, &id, index, payload)
                            .await
                            .map(Some)
                    })
                }
                Some(Upload::Plain(upload)) => {
                    let part = upload.put_part(payload);
                    Box::pin(async move { part.await.map(|()| None) })
                }
                None => return Err(self.request_error(generic("no upload".into()))),
            };
        let handle = spawn(async move {
            let result = request.await;
            drop(pass);
            if let Err(e) = &result {
                let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
                if slot.is_none() {
                    *slot = Some(generic(e.to_string()));
                }
            }
            result
        })
        .map_err(|e| self.request_error(e))?;
        self.parts.push(handle);
        Ok(())
    }

    /// Opens the multipart upload (and its marker, when the upload id is known).
    fn start(&self) -> object_store::Result<Upload> {
        let key = self.key.clone();
        match &self.entry.multipart {
            Some(multipart) => {
                let tracked = Arc::clone(multipart);
                let multipart = Arc::clone(multipart);
                let store = self.entry.store();
                let (id, marker) = block_on(async move {
                    let id = multipart.create_multipart(&key).await?;
                    let marker = stale::marker_for(&key, &id);
                    let body = stale::marker_body(&key, &id);
                    if let Err(e) = store.put(&marker, body.into()).await {
                        let _ = multipart.abort_multipart(&key, &id).await;
                        return Err(e);
                    }
                    Ok((id, marker))
                })?;
                Ok(Upload::Tracked {
                    multipart: tracked,
                    id,
                    marker,
                })
            }
            None => {
                let store = self.entry.store();
                block_on(async move { store.put_multipart(&key).await }).map(Upload::Plain)
            }
        }
    }

    /// Sends what is left and publishes the object: one PUT for a small file, otherwise the
    /// last part and the upload's completion. Returns the object's size.
    pub(crate) fn finish(mut self) -> Result<u64, StoreError> {
        let result = self.finish_inner();
        if result.is_ok() {
            self.done = true;
        }
        result
    }

    fn finish_inner(&mut self) -> Result<u64, StoreError> {
        self.check()?;
        if self.upload.is_none() {
            let store = self.entry.store();
            let key = self.key.clone();
            let payload = PutPayload::from(std::mem::take(&mut self.part));
            let mode = match self.replace {
                true => PutMode::Overwrite,
                false => PutMode::Create,
            };
            return match block_on(async move {
                store.put_opts(&key, payload, PutOptions::from(mode)).await
            }) {
                Ok(_) => Ok(self.bytes),
                Err(object_store::Error::AlreadyExists { .. }) => Err(StoreError::Exists {
                    url: self.url.clone(),
                }),
                Err(e) => Err(self.request_error(e)),
            };
        }
        if !self.part.is_empty() {
            self.send_part()?;
        }
        let mut ids = Vec::with_capacity(self.parts.len());
        for handle in std::mem::take(&mut self.parts) {
            ids.push(wait(handle).map_err(|e| self.request_error(e))?);
        }
        if !self.replace && self.exists()? {
            return Err(StoreError::Exists {
                url: self.url.clone(),
            });
        }
        let key = self.key.clone();
        let store = self.entry.store();
        let completed = match self.upload.take() {
            Some(Upload::Tracked {
                multipart,
                id,
                marker,
            }) => block_on(async move {
                let parts = ids.into_iter().flatten().collect();
                let done = multipart.complete_multipart(&key, &id, parts).await;
                if done.is_err() {
                    let _ = multipart.abort_multipart(&key, &id).await;
                }
                // The marker goes either way: the upload is no longer open.
                let _ = store.delete(&marker).await;
                done.map(|_| ())
            }),
            Some(Upload::Plain(mut upload)) => block_on(async move {
                let done = upload.complete().await;
                if done.is_err() {
                    let _ = upload.abort().await;
                }
                done.map(|_| ())
            }),
            None => Ok(()),
        };
        completed.map_err(|e| self.request_error(e))?;
        Ok(self.bytes)
    }

    fn exists(&self) -> Result<bool, StoreError> {
        let store = self.entry.store();
        let key = self.key.clone();
        match block_on(async move { store.head(&key).await }) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.request_error(e)),
        }
    }

    /// Aborts the upload: parts in flight are cancelled and the store drops what it received.
    /// Bounded by [`ABORT_TIMEOUT`]: a store that cannot be reached keeps the upload (and its
    /// marker), and the next run into the prefix aborts it.
    fn abort(&mut self) {
        for handle in self.parts.drain(..) {
            handle.abort();
        }
        let key = self.key.clone();
        let store = self.entry.store();
        let abort: futures::future::BoxFuture<'static, object_store::Result<()>> =
            match self.upload.take() {
                Some(Upload::Tracked {
                    multipart,
                    id,
                    marker,
                }) => Box::pin(async move {
                    multipart.abort_multipart(&key, &id).await?;
                    store.delete(&marker).await
                }),
                Some(Upload::Plain(mut upload)) => Box::pin(async move { upload.abort().await }),
                None => return,
            };
        let _ = block_on(async move {
            match tokio::time::timeout(ABORT_TIMEOUT, abort).await {
                Ok(result) => result,
                Err(_) => Ok(()),
            }
        });
    }
}

impl Drop for ObjectFile {
    fn drop(&mut self) {
        if !self.done {
            self.abort();
        }
    }
}

static MARKER_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A number unique within this process, for marker names.
pub(super) fn next_marker_number() -> u64 {
    MARKER_COUNTER.fetch_add(1, Ordering::Relaxed)
}

impl ObjectStores {
    pub(crate) fn gate(&self) -> Arc<Gate> {
        Arc::clone(&self.gate)
    }
}
