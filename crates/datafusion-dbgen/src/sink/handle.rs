//! [`SinkFile`]: the producer's handle on one output, a local file or an object-store object.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Inner;
use super::error::{Result, SinkError};
use super::file::{FileSummary, LocalFile};
use super::pool::SinkBuffer;
use crate::store::{ObjectFile, is_object_url, local_path};

/// One file being written through a [`Sink`](super::Sink), owned by one producer.
///
/// A local file goes to a temporary file next to the target; [`finish`](SinkFile::finish)
/// waits for the writes, syncs according to the [`SyncMode`](super::SyncMode), and renames it
/// into place. An object-store output (a path whose text is an `s3://…`, `gs://…`, `az://…` or
/// `memory://…` URL, see [`crate::store`]) is gathered into parts uploaded in the background;
/// `finish` completes the upload. Dropping the handle without finishing aborts the file: the
/// temporary file is removed, or the upload aborted, so a partial file is never published.
///
/// Bytes land in the order they are handed over ([`submit`](SinkFile::submit),
/// [`write_all`](SinkFile::write_all) and [`std::io::Write`] may be mixed): every call reserves
/// its byte range at once, while several writes of the file may be in flight.
///
/// The [`std::io::Write`] implementation keeps one partly filled pool buffer between calls (so
/// small writes are coalesced); a thread that interleaves `io::Write` calls on many files holds
/// one buffer per file, so give the sink more buffers than that or call `flush` in between.
#[derive(Debug)]
pub struct SinkFile {
    dest: Dest,
}

#[derive(Debug)]
enum Dest {
    Local(LocalFile),
    Object {
        file: ObjectFile,
        path: PathBuf,
        inner: Arc<Inner>,
    },
}

impl SinkFile {
    pub(crate) fn create(inner: Arc<Inner>, path: &Path, replace: bool) -> Result<SinkFile> {
        if !is_object_url(path) {
            let path = local_path(path);
            return LocalFile::create(inner, &path, replace).map(|file| SinkFile {
                dest: Dest::Local(file),
            });
        }
        if inner.aborted.load(Ordering::Relaxed) {
            return Err(SinkError::Aborted {
                path: path.to_path_buf(),
            });
        }
        let url = path.to_str().unwrap_or_default();
        let file = ObjectFile::create(&inner.object_stores(), url, replace)?;
        Ok(SinkFile {
            dest: Dest::Object {
                path: PathBuf::from(file.url()),
                file,
                inner,
            },
        })
    }

    /// Final path of the file (the object's URL for object stores).
    pub fn path(&self) -> &Path {
        match &self.dest {
            Dest::Local(f) => f.path(),
            Dest::Object { path, .. } => path,
        }
    }

    /// Path of the temporary file the data goes to until [`finish`](SinkFile::finish); for an
    /// object, its URL (an upload is invisible until completed).
    pub fn temp_path(&self) -> &Path {
        match &self.dest {
            Dest::Local(f) => f.temp_path(),
            Dest::Object { path, .. } => path,
        }
    }

    /// Takes an empty buffer from the sink's pool, blocking while all buffers are out
    /// (back-pressure). Fill it and hand it to [`submit`](SinkFile::submit); dropping it returns it
    /// unwritten.
    ///
    /// Data buffered by the [`std::io::Write`] implementation is submitted first, so that this
    /// handle does not hold two buffers at once.
    pub fn buffer(&mut self) -> SinkBuffer {
        match &mut self.dest {
            Dest::Local(f) => f.buffer(),
            Dest::Object { inner, .. } => inner.pool.take(),
        }
    }

    /// Queues `buf` to be written after everything handed over before; returns at once (the write
    /// completes in the background). Empty buffers are simply returned to the pool.
    ///
    /// Fails with the file's error if an earlier write of this file failed.
    pub fn submit(&mut self, buf: SinkBuffer) -> Result<()> {
        match &mut self.dest {
            Dest::Local(f) => f.submit(buf),
            Dest::Object { file, inner, .. } => {
                check_aborted(inner, file.url())?;
                Ok(file.write(&buf)?)
            }
        }
    }

    /// Copies `bytes` into pool buffers and queues them (after any data buffered by
    /// [`std::io::Write`]). Unlike `io::Write`, nothing is kept back: the last, partly filled
    /// buffer is submitted too, so prefer `io::Write` (or filling buffers directly) for many small
    /// pieces.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        match &mut self.dest {
            Dest::Local(f) => f.write_all(bytes),
            Dest::Object { file, inner, .. } => {
                check_aborted(inner, file.url())?;
                Ok(file.write(bytes)?)
            }
        }
    }

    /// Advances the write position by `len` bytes without writing them: the gap reads as zeros
    /// (and stays sparse where the filesystem supports holes; objects get the zeros).
    pub fn skip_bytes(&mut self, len: u64) -> Result<()> {
        match &mut self.dest {
            Dest::Local(f) => f.skip_bytes(len),
            Dest::Object { file, .. } => {
                let zeros = [0u8; 8192];
                let mut left = len;
                while left > 0 {
                    let n = left.min(zeros.len() as u64) as usize;
                    file.write(&zeros[..n])?;
                    left -= n as u64;
                }
                Ok(())
            }
        }
    }

    /// Bytes handed to this file so far (submitted or buffered): its size once finished.
    pub fn bytes_written(&self) -> u64 {
        match &self.dest {
            Dest::Local(f) => f.bytes_written(),
            Dest::Object { file, .. } => file.bytes(),
        }
    }

    /// Waits for all writes of this file and publishes it: a local file is synced according to
    /// the sink's [`SyncMode`](super::SyncMode) and renamed to its final path (with
    /// [`SyncMode::Full`](super::SyncMode::Full) the directory is synced afterwards); an object's
    /// upload is completed. With [`SinkConfig::replace`](super::SinkConfig::replace) off, an
    /// existing file or object there makes it fail with [`SinkError::Exists`].
    ///
    /// On error nothing is published (except when only the final directory sync fails: the file
    /// is in place then, but the error is still returned).
    pub fn finish(self) -> Result<FileSummary> {
        match self.dest {
            Dest::Local(f) => f.finish(),
            Dest::Object { file, path, inner } => {
                check_aborted(&inner, file.url())?;
                let bytes = file.finish()?;
                Ok(FileSummary { path, bytes })
            }
        }
    }

    /// Aborts the file: same as dropping it (waits for in-flight writes, removes the temporary
    /// file or aborts the upload).
    pub fn abort(self) {}
}

fn check_aborted(inner: &Inner, url: &str) -> Result<()> {
    match inner.aborted.load(Ordering::Relaxed) {
        true => Err(SinkError::Aborted {
            path: PathBuf::from(url),
        }),
        false => Ok(()),
    }
}

impl io::Write for SinkFile {
    /// Appends to a pool buffer, submitting it when it reaches `buffer_size` (objects gather the
    /// bytes into their current part directly).
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match &mut self.dest {
            Dest::Local(f) => f.write(data),
            Dest::Object { file, inner, .. } => {
                check_aborted(inner, file.url())?;
                file.write(data)
                    .map_err(|e| io::Error::from(SinkError::from(e)))?;
                Ok(data.len())
            }
        }
    }

    /// Submits the partly filled buffer, if any (it does not wait for the write to complete).
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.dest {
            Dest::Local(f) => f.flush(),
            Dest::Object { .. } => Ok(()),
        }
    }
}
