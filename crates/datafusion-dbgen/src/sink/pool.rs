//! The bounded pool of recycled write buffers (the sink's back-pressure) and the counters behind
//! [`SinkStats`].

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::config::Backend;

/// A snapshot of a sink's counters, from [`Sink::stats`](super::Sink::stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SinkStats {
    /// Back end in use.
    pub backend: Backend,
    /// Pool size (`SinkConfig::buffers`).
    pub buffers: usize,
    /// Capacity of each buffer (`SinkConfig::buffer_size`).
    pub buffer_size: usize,
    /// Buffers currently out of the pool (held by producers or in flight).
    pub buffers_outstanding: usize,
    /// Highest number of buffers ever out of the pool at once; never exceeds `buffers`.
    pub peak_buffers_outstanding: usize,
    /// Buffers allocated so far (they are recycled, so this stays ≤ `buffers`).
    pub buffers_allocated: usize,
    /// Bytes written to files so far.
    pub bytes_written: u64,
    /// Buffers fully written so far.
    pub buffers_written: u64,
    /// Write requests issued to the kernel (more than `buffers_written` when writes were split or
    /// short and resubmitted).
    pub write_requests: u64,
}

/// Counters updated by the back ends.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub bytes_written: AtomicU64,
    pub buffers_written: AtomicU64,
    pub write_requests: AtomicU64,
}

impl Counters {
    pub(crate) fn add_request(&self) {
        self.write_requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_bytes(&self, n: u64) {
        self.bytes_written.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn add_buffer(&self) {
        self.buffers_written.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct PoolState {
    free: Vec<Vec<u8>>,
    outstanding: usize,
    peak: usize,
    allocated: usize,
}

/// A fixed number of buffers of `buffer_size` bytes, allocated lazily and recycled.
#[derive(Debug)]
pub(crate) struct Pool {
    state: Mutex<PoolState>,
    available: Condvar,
    buffers: usize,
    buffer_size: usize,
    pub(crate) counters: Counters,
}

impl Pool {
    pub(crate) fn new(buffers: usize, buffer_size: usize) -> Arc<Pool> {
        Arc::new(Pool {
            state: Mutex::new(PoolState {
                free: Vec::with_capacity(buffers),
                outstanding: 0,
                peak: 0,
                allocated: 0,
            }),
            available: Condvar::new(),
            buffers,
            buffer_size,
            counters: Counters::default(),
        })
    }

    /// Locks the pool state. The state is a few counters and a free list that every critical
    /// section leaves consistent, so a poisoned lock (a panic elsewhere while it was held) is
    /// recovered rather than propagated.
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a buffer, blocking while all `buffers` are out.
    pub(crate) fn take(self: &Arc<Pool>) -> SinkBuffer {
        let mut st = self.lock();
        while st.outstanding >= self.buffers {
            st = self.available.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        st.outstanding += 1;
        st.peak = st.peak.max(st.outstanding);
        let recycled = st.free.pop();
        if recycled.is_none() {
            st.allocated += 1;
        }
        drop(st);
        let mut data = recycled.unwrap_or_default();
        if data.capacity() < self.buffer_size {
            data.reserve_exact(self.buffer_size);
        }
        SinkBuffer {
            data,
            pool: Arc::clone(self),
        }
    }

    fn put(&self, mut data: Vec<u8>) {
        data.clear();
        // A producer may have grown the buffer; shrink it back so the pool stays bounded.
        if data.capacity() > 2 * self.buffer_size {
            data.shrink_to(self.buffer_size);
        }
        let mut st = self.lock();
        st.outstanding = st.outstanding.saturating_sub(1);
        st.free.push(data);
        drop(st);
        self.available.notify_one();
    }

    pub(crate) fn stats(&self, backend: Backend) -> SinkStats {
        let st = self.lock();
        SinkStats {
            backend,
            buffers: self.buffers,
            buffer_size: self.buffer_size,
            buffers_outstanding: st.outstanding,
            peak_buffers_outstanding: st.peak,
            buffers_allocated: st.allocated,
            bytes_written: self.counters.bytes_written.load(Ordering::Relaxed),
            buffers_written: self.counters.buffers_written.load(Ordering::Relaxed),
            write_requests: self.counters.write_requests.load(Ordering::Relaxed),
        }
    }
}

/// A buffer borrowed from a sink's pool: a `Vec<u8>` with capacity `buffer_size` that producers
/// fill directly (`extend_from_slice`, `resize`, `std::io::Write`, …) and hand back with
/// [`SinkFile::submit`](super::SinkFile::submit). Dropping it returns it to the pool unwritten.
///
/// A buffer may grow beyond `buffer_size`; the sink writes it in as many requests as needed.
pub struct SinkBuffer {
    data: Vec<u8>,
    pool: Arc<Pool>,
}

impl Deref for SinkBuffer {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.data
    }
}

impl DerefMut for SinkBuffer {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.data
    }
}

impl AsRef<[u8]> for SinkBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl std::io::Write for SinkBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for SinkBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkBuffer")
            .field("len", &self.data.len())
            .field("capacity", &self.data.capacity())
            .finish()
    }
}

impl Drop for SinkBuffer {
    fn drop(&mut self) {
        self.pool.put(std::mem::take(&mut self.data));
    }
}
