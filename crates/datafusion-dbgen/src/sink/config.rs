//! Sink configuration: back end choice, queue depth, buffer pool, durability.

use std::fmt;

use super::error::{Result, SinkError};

/// Environment variable that selects the I/O back end (`io_uring` or `portable`; unset = auto).
pub const BACKEND_ENV: &str = "TPCH_IO_BACKEND";

/// Largest number of bytes one write request may carry (Linux caps `write(2)` at 0x7ffff000).
pub const MAX_WRITE: usize = 0x7fff_f000;

/// Which I/O back end a [`Sink`](super::Sink) should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BackendChoice {
    /// io_uring when the kernel offers it (probed once per process), otherwise portable. Exports
    /// and `COPY` first resolve it with [`SinkConfig::for_producers`]: inline when their threads
    /// fill every core.
    #[default]
    Auto,
    /// io_uring; [`Sink::try_new`](super::Sink::try_new) fails when it is unavailable.
    IoUring,
    /// Positional `pwrite`s from a small thread pool; works everywhere.
    Portable,
    /// Positional `pwrite`s made by the thread that submits each buffer (the portable back end
    /// with no writer threads); works everywhere, no hand-off between threads.
    Inline,
}

impl BackendChoice {
    /// Parses a back end name as accepted in `TPCH_IO_BACKEND`: `io_uring` (also `io-uring`,
    /// `uring`), `portable` (also `pwrite`, `sync`), `inline` or `auto`/empty; case-insensitive.
    pub fn parse(value: &str) -> Result<BackendChoice> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(BackendChoice::Auto),
            "io_uring" | "io-uring" | "iouring" | "uring" => Ok(BackendChoice::IoUring),
            "portable" | "pwrite" | "sync" => Ok(BackendChoice::Portable),
            "inline" => Ok(BackendChoice::Inline),
            _ => Err(SinkError::InvalidConfig(format!(
                "unknown I/O back end {value:?}: expected auto, io_uring, portable or inline"
            ))),
        }
    }

    /// Reads `TPCH_IO_BACKEND`: unset gives [`BackendChoice::Auto`], a bad value an
    /// [`SinkError::InvalidConfig`].
    pub fn from_env() -> Result<BackendChoice> {
        match std::env::var(BACKEND_ENV) {
            // The error names the variable: the value came from the environment, not a flag.
            Ok(v) => BackendChoice::parse(&v).map_err(|e| {
                SinkError::InvalidConfig(format!("{BACKEND_ENV}: {e} (or leave it unset for auto)"))
            }),
            Err(std::env::VarError::NotPresent) => Ok(BackendChoice::Auto),
            Err(std::env::VarError::NotUnicode(v)) => Err(SinkError::InvalidConfig(format!(
                "{BACKEND_ENV}={v:?} is not valid UTF-8"
            ))),
        }
    }
}

/// The back end a [`Sink`](super::Sink) actually runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// One io_uring ring driven by a dedicated I/O thread.
    IoUring,
    /// Positional writes from a small thread pool.
    Portable,
    /// Positional writes made by the submitting threads themselves.
    Inline,
}

impl Backend {
    /// The back end's name: `"io_uring"`, `"portable"` or `"inline"`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::IoUring => "io_uring",
            Backend::Portable => "portable",
            Backend::Inline => "inline",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Durability requested when a file is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SyncMode {
    /// No syncing: data may still sit in the page cache when `finish` returns.
    #[default]
    None,
    /// `fdatasync` every file before it is renamed into place.
    Data,
    /// `fdatasync` every file before the rename and `fsync` its directory after it.
    Full,
}

/// Configuration of a [`Sink`](super::Sink); build it with [`SinkConfig::default`] and the
/// setters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkConfig {
    /// Back end to use.
    pub backend: BackendChoice,
    /// io_uring: maximum requests in flight in the kernel (submission queue size; the completion
    /// queue is twice as large). Ignored by the portable back end.
    pub queue_depth: u32,
    /// Capacity of each pooled buffer in bytes (the usual size of one write request).
    pub buffer_size: usize,
    /// Number of pooled buffers; `buffers × buffer_size` bounds the bytes held by producers and
    /// in flight together (producers block in [`SinkFile::buffer`](super::SinkFile::buffer) when
    /// all are out).
    pub buffers: usize,
    /// Durability at [`SinkFile::finish`](super::SinkFile::finish).
    pub sync: SyncMode,
    /// Portable back end: number of writer threads. `0` selects **inline** writes: each buffer is
    /// written by the thread that submits it (no hand-off; fastest when the page cache absorbs
    /// the writes and producers outnumber cores, see BENCHMARKS.md).
    pub portable_threads: usize,
    /// io_uring: set `IOSQE_ASYNC` on writes (go straight to a kernel worker instead of trying an
    /// inline non-blocking write first).
    pub io_uring_async: bool,
    /// Largest single write request in bytes (at most [`MAX_WRITE`]); longer buffers are written
    /// in several requests. Lowering it is mostly useful to exercise the resubmission path.
    pub max_write: usize,
    /// Whether finishing a file may replace an existing file (or object) at its path. When
    /// `false`, publishing never replaces: a file that appeared at the path while it was being
    /// written makes [`SinkFile::finish`](super::SinkFile::finish) fail with
    /// [`SinkError::Exists`] (`renameat2(RENAME_NOREPLACE)` locally, a create-only PUT or a check
    /// before completing a multipart upload in object stores).
    pub replace: bool,
}

impl Default for SinkConfig {
    /// Defaults chosen by measurement (see BENCHMARKS.md): automatic back end, queue depth 32,
    /// 64 buffers of 1 MiB (64 MiB in flight at most), no syncing, `IOSQE_ASYNC` on, 2–4
    /// portable writer threads.
    fn default() -> SinkConfig {
        SinkConfig {
            backend: BackendChoice::Auto,
            queue_depth: 32,
            buffer_size: 1 << 20,
            buffers: 64,
            sync: SyncMode::None,
            portable_threads: default_portable_threads(),
            io_uring_async: true,
            max_write: MAX_WRITE,
            replace: true,
        }
    }
}

fn default_portable_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

impl SinkConfig {
    /// The default configuration with the back end taken from `TPCH_IO_BACKEND`.
    pub fn from_env() -> Result<SinkConfig> {
        Ok(SinkConfig::default().backend(BackendChoice::from_env()?))
    }

    /// Resolves [`BackendChoice::Auto`] for `producers` threads that fill and submit buffers:
    /// when they occupy every core, [`BackendChoice::Inline`]; otherwise `Auto` stays (io_uring
    /// when available). Other choices are kept.
    ///
    /// Why: with every core generating, a ring's kernel workers (or portable writer threads)
    /// only compete with the producers for a core and add a hand-off (a cache-cold copy on
    /// another core); writing from the producer was as fast or faster in every such measurement.
    /// With a core left idle, io_uring puts the page-cache copies there. See BENCHMARKS.md.
    pub fn for_producers(mut self, producers: usize) -> SinkConfig {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if self.backend == BackendChoice::Auto && producers >= cores {
            self.backend = BackendChoice::Inline;
        }
        self
    }

    /// Sets whether finishing a file may replace an existing one ([`SinkConfig::replace`]).
    pub fn replace(mut self, replace: bool) -> SinkConfig {
        self.replace = replace;
        self
    }

    /// Sets the back end.
    pub fn backend(mut self, backend: BackendChoice) -> SinkConfig {
        self.backend = backend;
        self
    }

    /// Sets the io_uring queue depth.
    pub fn queue_depth(mut self, queue_depth: u32) -> SinkConfig {
        self.queue_depth = queue_depth;
        self
    }

    /// Sets the capacity of each pooled buffer.
    pub fn buffer_size(mut self, buffer_size: usize) -> SinkConfig {
        self.buffer_size = buffer_size;
        self
    }

    /// Sets the number of pooled buffers.
    pub fn buffers(mut self, buffers: usize) -> SinkConfig {
        self.buffers = buffers;
        self
    }

    /// Sets the durability mode.
    pub fn sync(mut self, sync: SyncMode) -> SinkConfig {
        self.sync = sync;
        self
    }

    /// Sets the number of writer threads of the portable back end (`0` = inline writes).
    pub fn portable_threads(mut self, threads: usize) -> SinkConfig {
        self.portable_threads = threads;
        self
    }

    /// Sets whether io_uring writes carry `IOSQE_ASYNC`.
    pub fn io_uring_async(mut self, on: bool) -> SinkConfig {
        self.io_uring_async = on;
        self
    }

    /// Sets the largest single write request (clamped to [`MAX_WRITE`]).
    pub fn max_write(mut self, bytes: usize) -> SinkConfig {
        self.max_write = bytes.min(MAX_WRITE);
        self
    }

    /// Checks the configuration.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(SinkError::InvalidConfig(m.to_string()));
        if self.queue_depth == 0 || self.queue_depth > 4096 {
            return bad("queue_depth must be between 1 and 4096");
        }
        if self.buffer_size == 0 {
            return bad("buffer_size must be at least 1 byte");
        }
        if self.buffers == 0 {
            return bad("buffers must be at least 1");
        }
        if self.max_write == 0 || self.max_write > MAX_WRITE {
            return bad("max_write must be between 1 and 0x7ffff000");
        }
        Ok(())
    }
}
