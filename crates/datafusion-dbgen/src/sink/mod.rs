//! A shared multi-file write sink with an io_uring back end and a portable fallback.
//!
//! One [`Sink`] serves every file of an export. Producers (one per file, on any threads) fill
//! buffers from a bounded pool ([`SinkFile::buffer`]) and hand them over ([`SinkFile::submit`]);
//! the sink writes them at offsets reserved at submission time, so several writes per file may be
//! in flight and still land in order. The pool bounds the memory in flight to
//! `buffers × buffer_size` and blocks producers when it is empty (back-pressure).
//!
//! Files are written to a temporary name in the target directory and renamed into place by
//! [`SinkFile::finish`] (after `fdatasync` when [`SyncMode`] asks for it), so readers never see a
//! partial file: a failed, aborted or dropped file leaves nothing behind.
//!
//! Back ends ([`Backend`]):
//! - **io_uring** (cargo feature `io-uring`): one ring driven by one dedicated I/O thread, shared
//!   by all files of the sink;
//! - **portable**: positional writes (`pwrite`) from a small thread pool;
//! - **inline**: the same writes made by the producer thread that submits each buffer
//!   ([`BackendChoice::Inline`], or the portable back end with `portable_threads(0)`).
//!
//! [`BackendChoice::Auto`] probes io_uring once per process and falls back to the portable back
//! end when it is unavailable (no kernel support, seccomp, `kernel.io_uring_disabled`, …); the
//! environment variable `TPCH_IO_BACKEND=io_uring|portable|inline` forces one
//! ([`BackendChoice::from_env`]).
//!
//! ```
//! use datafusion_dbgen::sink::{Sink, SinkConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("lineitem.tbl");
//! let sink = Sink::try_new(SinkConfig::default())?;
//! let mut file = sink.create(&path)?;
//! let mut buf = file.buffer(); // blocks while the pool is exhausted
//! buf.extend_from_slice(b"1|155190|7706|1|17|...\n");
//! file.submit(buf)?;
//! let summary = file.finish()?; // waits, syncs per SyncMode, renames into place
//! assert_eq!((summary.bytes, std::fs::read(&path)?.len()), (23, 23));
//! println!("{} bytes via {}", summary.bytes, sink.backend());
//! # Ok(())
//! # }
//! ```

mod config;
mod error;
mod file;
mod handle;
mod pool;
mod portable;
mod stale;
#[cfg(feature = "io-uring")]
mod uring;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::store::ObjectStores;

pub use config::{BACKEND_ENV, Backend, BackendChoice, MAX_WRITE, SinkConfig, SyncMode};
pub use error::{Result, SinkError};
pub use file::FileSummary;
pub use handle::SinkFile;
pub use pool::{SinkBuffer, SinkStats};
pub(crate) use stale::process_alive;
pub use stale::remove_stale_temp_files;

use file::{FileShared, WriteReq};
use pool::Pool;

/// Whether the io_uring back end can be used in this process (probed once, then cached): `Ok`
/// when it can, otherwise the reason ([`SinkError::Backend`]).
pub fn io_uring_support() -> Result<()> {
    #[cfg(feature = "io-uring")]
    {
        uring::probe()
    }
    #[cfg(not(feature = "io-uring"))]
    {
        Err(no_io_uring())
    }
}

#[cfg(not(feature = "io-uring"))]
fn no_io_uring() -> SinkError {
    SinkError::Backend {
        backend: "io_uring",
        source: std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "built without the `io-uring` cargo feature",
        ),
    }
}

/// The running back end.
#[derive(Debug)]
enum Engine {
    #[cfg(feature = "io-uring")]
    Uring(uring::Uring),
    Portable(portable::Portable),
}

impl Engine {
    fn write(&self, req: WriteReq) {
        match self {
            #[cfg(feature = "io-uring")]
            Engine::Uring(u) => u.write(req),
            Engine::Portable(p) => p.write(req),
        }
    }

    /// Starts an `fdatasync` of `file`; its outcome is reported through the file's state.
    fn sync_data(&self, file: &Arc<FileShared>) {
        match self {
            #[cfg(feature = "io-uring")]
            Engine::Uring(u) => u.sync_data(file),
            Engine::Portable(p) => p.sync_data(file),
        }
    }
}

/// State shared by a sink's clones and its files. Dropping it (after the last clone and the last
/// file) stops the back end, which drains whatever is still queued first.
#[derive(Debug)]
pub(crate) struct Inner {
    config: SinkConfig,
    backend: Backend,
    pool: Arc<Pool>,
    aborted: Arc<AtomicBool>,
    engine: Engine,
    /// The object stores of `s3://…`-style outputs, built on first use when none were given.
    stores: OnceLock<Arc<ObjectStores>>,
}

impl SinkConfig {
    /// The back end a [`Sink`] built from this configuration will run (resolving
    /// [`BackendChoice::Auto`] with [`io_uring_support`]).
    pub fn expected_backend(&self) -> Backend {
        match self.backend {
            BackendChoice::IoUring => Backend::IoUring,
            BackendChoice::Auto if io_uring_support().is_ok() => Backend::IoUring,
            _ => self.portable_backend(),
        }
    }

    /// Writer threads of the portable engine this configuration starts (0 = inline writes).
    fn portable_writer_threads(&self) -> usize {
        match self.backend {
            BackendChoice::Inline => 0,
            _ => self.portable_threads,
        }
    }

    /// What the portable engine of this configuration is: inline without writer threads.
    fn portable_backend(&self) -> Backend {
        match self.portable_writer_threads() {
            0 => Backend::Inline,
            _ => Backend::Portable,
        }
    }
}

impl Inner {
    fn pool_buffer_size(&self) -> usize {
        self.config.buffer_size
    }

    /// The stores object-store outputs go to (configured by the environment alone unless
    /// [`Sink::with_object_stores`] gave others).
    pub(crate) fn object_stores(&self) -> Arc<ObjectStores> {
        Arc::clone(self.stores.get_or_init(Arc::default))
    }
}

/// A shared multi-file write sink; see the [module documentation](self).
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`. The back end keeps running until the last
/// clone and the last [`SinkFile`] are dropped.
#[derive(Debug, Clone)]
pub struct Sink {
    inner: Arc<Inner>,
}

impl Sink {
    /// Validates `config` and starts the back end it selects.
    ///
    /// With [`BackendChoice::IoUring`] this fails ([`SinkError::Backend`]) when io_uring is
    /// unavailable; [`BackendChoice::Auto`] falls back to the portable back end instead.
    pub fn try_new(config: SinkConfig) -> Result<Sink> {
        config.validate()?;
        let pool = Pool::new(config.buffers, config.buffer_size);
        let (engine, backend) = match config.backend {
            BackendChoice::Portable | BackendChoice::Inline => Self::portable(&config, &pool)?,
            BackendChoice::IoUring => (Self::io_uring(&config, &pool)?, Backend::IoUring),
            BackendChoice::Auto => match Self::io_uring(&config, &pool) {
                Ok(engine) => (engine, Backend::IoUring),
                Err(_) => Self::portable(&config, &pool)?,
            },
        };
        Ok(Sink {
            inner: Arc::new(Inner {
                config,
                backend,
                pool,
                aborted: Arc::new(AtomicBool::new(false)),
                engine,
                stores: OnceLock::new(),
            }),
        })
    }

    /// The portable engine: writer threads, or inline writes.
    fn portable(config: &SinkConfig, pool: &Arc<Pool>) -> Result<(Engine, Backend)> {
        let threads = config.portable_writer_threads();
        let engine = portable::Portable::start(threads, config.max_write, Arc::clone(pool))?;
        Ok((Engine::Portable(engine), config.portable_backend()))
    }

    #[cfg(feature = "io-uring")]
    fn io_uring(config: &SinkConfig, pool: &Arc<Pool>) -> Result<Engine> {
        let params = uring::Params {
            queue_depth: config.queue_depth,
            async_writes: config.io_uring_async,
            max_write: config.max_write,
        };
        uring::Uring::start(params, Arc::clone(pool)).map(Engine::Uring)
    }

    #[cfg(not(feature = "io-uring"))]
    fn io_uring(_config: &SinkConfig, _pool: &Arc<Pool>) -> Result<Engine> {
        Err(no_io_uring())
    }

    /// The back end in use.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The configuration the sink was built with.
    pub fn config(&self) -> &SinkConfig {
        &self.inner.config
    }

    /// Object-store outputs of this sink (`s3://…` paths) go through `stores` (their storage
    /// options, upload settings and part budget). Without it, stores are configured by the
    /// environment alone. Call it before the first object is created.
    pub fn with_object_stores(self, stores: Arc<ObjectStores>) -> Sink {
        let _ = self.inner.stores.set(stores);
        self
    }

    /// Starts writing `path`. A local path: creates `<dir>/.<name>.<unique>.tmp` (with
    /// `O_CREAT | O_EXCL`) in the target's directory, to be renamed to `path` by
    /// [`SinkFile::finish`]. An object-store URL (see [`crate::store`]): an upload, completed by
    /// `finish`. Whether an existing file there is replaced at finish follows
    /// [`SinkConfig::replace`].
    pub fn create(&self, path: impl AsRef<Path>) -> Result<SinkFile> {
        SinkFile::create(
            Arc::clone(&self.inner),
            path.as_ref(),
            self.inner.config.replace,
        )
    }

    /// Like [`create`](Sink::create), but finishing replaces an existing file whatever
    /// [`SinkConfig::replace`] says (for outputs that are rewritten identically, such as nation
    /// and region in every step of a parts run).
    pub fn create_replacing(&self, path: impl AsRef<Path>) -> Result<SinkFile> {
        SinkFile::create(Arc::clone(&self.inner), path.as_ref(), true)
    }

    /// Takes an empty buffer from the pool (blocking while all are out); see
    /// [`SinkFile::buffer`].
    pub fn buffer(&self) -> SinkBuffer {
        self.inner.pool.take()
    }

    /// A snapshot of the sink's counters (buffers outstanding and their peak, bytes written, …).
    pub fn stats(&self) -> SinkStats {
        self.inner.pool.stats(self.inner.backend)
    }

    /// Aborts every file of this sink: queued writes are dropped, and every later `submit`,
    /// `finish` or `create` fails with [`SinkError::Aborted`] (finishing or dropping the files
    /// removes their temporary files). Meant for cancelling a whole export.
    pub fn abort_all(&self) {
        self.inner.aborted.store(true, Ordering::SeqCst);
    }

    /// Whether [`abort_all`](Sink::abort_all) was called.
    pub fn is_aborted(&self) -> bool {
        self.inner.aborted.load(Ordering::SeqCst)
    }
}
