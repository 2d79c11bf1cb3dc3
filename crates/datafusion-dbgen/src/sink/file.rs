//! Per-file state shared with the back ends, and the producer's [`LocalFile`] handle.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::Inner;
use super::config::SyncMode;
use super::error::{Result, SinkError, dup_io_error};
use super::pool::SinkBuffer;

/// Why a file failed (the first failure wins).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A write starting at `offset` failed.
    Write { offset: u64, error: io::Error },
    /// `fdatasync` failed.
    Sync(io::Error),
    /// The file or the whole sink was aborted before the write was issued.
    Aborted,
}

#[derive(Debug, Default)]
struct FileState {
    /// Requests accepted by the back end and not completed yet.
    in_flight: usize,
    failure: Option<Failure>,
}

/// State of one open file, shared by its producer handle and the back end's in-flight requests.
/// The requests hold an `Arc` to it, so the file descriptor stays open until the kernel is done.
#[derive(Debug)]
pub(crate) struct FileShared {
    pub(crate) path: PathBuf,
    pub(crate) temp: PathBuf,
    pub(crate) file: File,
    state: Mutex<FileState>,
    idle: Condvar,
    /// Set once the file failed or is being dropped: queued requests are discarded, not written.
    cancelled: AtomicBool,
    /// Shared by every file of a sink; set by `Sink::abort_all`.
    sink_aborted: Arc<AtomicBool>,
}

/// A write request: `buf` goes to `[offset, offset + buf.len())` of `file`.
#[derive(Debug)]
pub(crate) struct WriteReq {
    pub(crate) file: Arc<FileShared>,
    pub(crate) offset: u64,
    pub(crate) buf: SinkBuffer,
}

impl FileShared {
    /// Locks the file state. Every critical section leaves the counters consistent, so a poisoned
    /// lock is recovered rather than propagated.
    fn lock(&self) -> MutexGuard<'_, FileState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[cfg(feature = "io-uring")]
    pub(crate) fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.file.as_raw_fd()
    }

    /// Whether queued requests of this file should be dropped instead of written.
    pub(crate) fn should_skip(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || self.sink_aborted.load(Ordering::Relaxed)
    }

    /// Counts one more request in flight; call before handing it to the back end.
    pub(crate) fn begin_op(&self) {
        self.lock().in_flight += 1;
    }

    /// Completes one request; a failure marks the file failed (first failure wins).
    pub(crate) fn end_op(&self, result: std::result::Result<(), Failure>) {
        let mut st = self.lock();
        if let Err(f) = result {
            if st.failure.is_none() {
                st.failure = Some(f);
            }
            self.cancelled.store(true, Ordering::Relaxed);
        }
        st.in_flight = st.in_flight.saturating_sub(1);
        let idle = st.in_flight == 0;
        drop(st);
        if idle {
            self.idle.notify_all();
        }
    }

    fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    fn error_from(&self, failure: Option<&Failure>) -> Option<SinkError> {
        let path = self.path.clone();
        match failure {
            Some(Failure::Write { offset, error }) => Some(SinkError::Write {
                path,
                offset: *offset,
                source: dup_io_error(error),
            }),
            Some(Failure::Sync(error)) => Some(SinkError::Sync {
                path,
                source: dup_io_error(error),
            }),
            Some(Failure::Aborted) => Some(SinkError::Aborted { path }),
            None if self.sink_aborted.load(Ordering::Relaxed) => Some(SinkError::Aborted { path }),
            None => None,
        }
    }

    /// The file's error, if it failed (cheap when it did not).
    fn current_error(&self) -> Option<SinkError> {
        if !self.should_skip() {
            return None;
        }
        let st = self.lock();
        self.error_from(st.failure.as_ref())
    }

    /// Waits until no request of this file is in flight; returns the file's error, if any.
    fn wait_idle(&self) -> Option<SinkError> {
        let mut st = self.lock();
        while st.in_flight > 0 {
            st = self.idle.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        self.error_from(st.failure.as_ref())
    }
}

/// What [`SinkFile::finish`](super::SinkFile::finish) published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Final path of the file.
    pub path: PathBuf,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// One file being written through a [`Sink`](super::Sink), owned by one producer.
///
/// Data goes to a temporary file next to the target; [`finish`](LocalFile::finish) waits for the
/// writes, syncs according to the [`SyncMode`], and renames it into place. Dropping the handle
/// without finishing aborts the file: its in-flight writes are waited for and the temporary file
/// is removed, so a partial file is never published.
///
/// Bytes land in the order they are handed over ([`submit`](LocalFile::submit),
/// [`write_all`](LocalFile::write_all) and [`std::io::Write`] may be mixed): every call reserves
/// its byte range at once, while several writes of the file may be in flight.
///
/// The [`std::io::Write`] implementation keeps one partly filled pool buffer between calls (so
/// small writes are coalesced); a thread that interleaves `io::Write` calls on many files holds
/// one buffer per file, so give the sink more buffers than that or call `flush` in between.
#[derive(Debug)]
pub(crate) struct LocalFile {
    shared: Arc<FileShared>,
    inner: Arc<Inner>,
    offset: u64,
    partial: Option<SinkBuffer>,
    hole_at_end: bool,
    done: bool,
    /// Whether publishing may replace a file at the final path.
    replace: bool,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// `<dir>/.<name>.<pid>-<counter>-<nanos>.tmp`; the name is shortened so the result stays
/// within NAME_MAX.
fn temp_path(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let bytes = name.as_bytes();
    let mut temp = Vec::with_capacity(bytes.len().min(200) + 40);
    temp.push(b'.');
    temp.extend_from_slice(&bytes[..bytes.len().min(200)]);
    temp.extend_from_slice(format!(".{:x}-{n:x}-{nanos:x}.tmp", std::process::id()).as_bytes());
    dir.join(OsString::from_vec(temp))
}

impl LocalFile {
    pub(crate) fn create(inner: Arc<Inner>, path: &Path, replace: bool) -> Result<LocalFile> {
        let create_err = |source| SinkError::Create {
            path: path.to_path_buf(),
            source,
        };
        if inner.aborted.load(Ordering::Relaxed) {
            return Err(SinkError::Aborted {
                path: path.to_path_buf(),
            });
        }
        let name = path.file_name().ok_or_else(|| {
            create_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path has no file name",
            ))
        })?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut attempt = 0;
        let (temp, file) = loop {
            let temp = temp_path(dir, name);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(f) => break (temp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1;
                }
                Err(e) => return Err(create_err(e)),
            }
        };
        let shared = Arc::new(FileShared {
            path: path.to_path_buf(),
            temp,
            file,
            state: Mutex::new(FileState::default()),
            idle: Condvar::new(),
            cancelled: AtomicBool::new(false),
            sink_aborted: Arc::clone(&inner.aborted),
        });
        Ok(LocalFile {
            shared,
            inner,
            offset: 0,
            partial: None,
            hole_at_end: false,
            done: false,
            replace,
        })
    }

    /// Final path of the file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Path of the temporary file the data goes to until [`finish`](LocalFile::finish).
    pub fn temp_path(&self) -> &Path {
        &self.shared.temp
    }

    /// Takes an empty buffer from the sink's pool, blocking while all buffers are out
    /// (back-pressure). Fill it and hand it to [`submit`](LocalFile::submit); dropping it returns it
    /// unwritten.
    ///
    /// Data buffered by the [`std::io::Write`] implementation is submitted first, so that this
    /// handle does not hold two buffers at once.
    pub fn buffer(&mut self) -> SinkBuffer {
        // An error here marks the file failed; it is reported by the next submit or finish.
        let _ = self.flush_partial();
        self.inner.pool.take()
    }

    /// Queues `buf` to be written after everything handed over before; returns at once (the write
    /// completes in the background). Empty buffers are simply returned to the pool.
    ///
    /// Fails with the file's error if an earlier write of this file failed.
    pub fn submit(&mut self, buf: SinkBuffer) -> Result<()> {
        self.flush_partial()?;
        self.submit_now(buf)
    }

    fn submit_now(&mut self, buf: SinkBuffer) -> Result<()> {
        if let Some(e) = self.shared.current_error() {
            return Err(e);
        }
        if buf.is_empty() {
            return Ok(());
        }
        let offset = self.offset;
        self.offset += buf.len() as u64;
        self.hole_at_end = false;
        self.shared.begin_op();
        self.inner.engine.write(WriteReq {
            file: Arc::clone(&self.shared),
            offset,
            buf,
        });
        Ok(())
    }

    fn flush_partial(&mut self) -> Result<()> {
        match self.partial.take() {
            Some(buf) => self.submit_now(buf),
            None => Ok(()),
        }
    }

    /// Copies `bytes` into pool buffers and queues them (after any data buffered by
    /// [`std::io::Write`]). Unlike `io::Write`, nothing is kept back: the last, partly filled
    /// buffer is submitted too, so prefer `io::Write` (or filling buffers directly) for many small
    /// pieces.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> Result<()> {
        let size = self.inner.pool_buffer_size();
        while !bytes.is_empty() {
            let mut buf = match self.partial.take() {
                Some(b) => b,
                None => self.inner.pool.take(),
            };
            let n = size.saturating_sub(buf.len()).max(1).min(bytes.len());
            buf.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            self.submit_now(buf)?;
        }
        self.flush_partial()
    }

    /// Advances the write position by `len` bytes without writing them: the gap reads as zeros
    /// (and stays sparse where the filesystem supports holes).
    pub fn skip_bytes(&mut self, len: u64) -> Result<()> {
        self.flush_partial()?;
        if let Some(e) = self.shared.current_error() {
            return Err(e);
        }
        if len > 0 {
            self.offset += len;
            self.hole_at_end = true;
        }
        Ok(())
    }

    /// Bytes handed to this file so far (submitted or buffered): its size once finished.
    pub fn bytes_written(&self) -> u64 {
        self.offset + self.partial.as_ref().map_or(0, |b| b.len() as u64)
    }

    /// Waits for all writes of this file, syncs it according to the sink's [`SyncMode`], and
    /// renames it to its final path (replacing any existing file there); with
    /// [`SyncMode::Full`] the directory is synced afterwards.
    ///
    /// On error the temporary file is removed and nothing is published (except when only the
    /// final directory sync fails: the file is in place then, but the error is still returned).
    pub fn finish(mut self) -> Result<FileSummary> {
        let result = self.finish_inner();
        self.done = true;
        if result.is_err() {
            self.shared.cancel();
            let _ = self.shared.wait_idle();
            let _ = fs::remove_file(&self.shared.temp);
        }
        result
    }

    fn finish_inner(&mut self) -> Result<FileSummary> {
        self.flush_partial()?;
        if let Some(e) = self.shared.wait_idle() {
            return Err(e);
        }
        let path = &self.shared.path;
        if self.hole_at_end {
            self.shared
                .file
                .set_len(self.offset)
                .map_err(|source| SinkError::Write {
                    path: path.clone(),
                    offset: self.offset,
                    source,
                })?;
        }
        let sync = self.inner.config.sync;
        if sync != SyncMode::None {
            self.inner.engine.sync_data(&self.shared);
            if let Some(e) = self.shared.wait_idle() {
                return Err(e);
            }
        }
        publish(&self.shared.temp, path, self.replace)?;
        if sync == SyncMode::Full {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|source| SinkError::Sync {
                    path: dir.to_path_buf(),
                    source,
                })?;
        }
        Ok(FileSummary {
            path: path.clone(),
            bytes: self.offset,
        })
    }
}

/// Moves the finished temporary file to `path`: a plain rename when it may replace a file there,
/// otherwise one that fails when `path` exists, however late that file appeared.
fn publish(temp: &Path, path: &Path, replace: bool) -> Result<()> {
    let renamed = match replace {
        true => fs::rename(temp, path),
        false => rename_no_replace(temp, path),
    };
    renamed.map_err(|source| match source.kind() {
        io::ErrorKind::AlreadyExists => SinkError::Exists {
            path: path.to_path_buf(),
        },
        _ => SinkError::Rename {
            from: temp.to_path_buf(),
            path: path.to_path_buf(),
            source,
        },
    })
}

/// `renameat2(RENAME_NOREPLACE)`, or a hard link and unlink on filesystems without it (both fail
/// with `EEXIST` when `to` exists).
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))
    };
    let (c_from, c_to) = (c(from)?, c(to)?);
    // SAFETY: both paths are NUL-terminated strings that live across the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            c_from.as_ptr(),
            libc::AT_FDCWD,
            c_to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => {
            fs::hard_link(from, to)?;
            fs::remove_file(from)
        }
        _ => Err(error),
    }
}

impl io::Write for LocalFile {
    /// Appends to a pool buffer, submitting it when it reaches `buffer_size`.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let size = self.inner.pool_buffer_size();
        let mut buf = match self.partial.take() {
            Some(b) => b,
            None => self.inner.pool.take(),
        };
        let n = size.saturating_sub(buf.len()).max(1).min(data.len());
        buf.extend_from_slice(&data[..n]);
        if buf.len() >= size {
            self.submit_now(buf)?;
        } else {
            self.partial = Some(buf);
        }
        Ok(n)
    }

    /// Submits the partly filled buffer, if any (it does not wait for the write to complete).
    fn flush(&mut self) -> io::Result<()> {
        Ok(self.flush_partial()?)
    }
}

impl Drop for LocalFile {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.partial = None;
        self.shared.cancel();
        // The kernel may still be reading buffers of queued writes: wait for them all.
        let _ = self.shared.wait_idle();
        let _ = fs::remove_file(&self.shared.temp);
    }
}
