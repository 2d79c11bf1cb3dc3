//! The portable back end: positional `pwrite`s from a small pool of writer threads, or, with no
//! writer threads ("inline" mode), on the thread that submits the buffer.

use std::collections::VecDeque;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::error::{Result, SinkError};
use super::file::{Failure, FileShared, WriteReq};
use super::pool::Pool;

#[derive(Debug, Default)]
struct Queue {
    jobs: VecDeque<WriteReq>,
    closed: bool,
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    pool: Arc<Pool>,
    max_write: usize,
}

impl Shared {
    /// Locks the job queue; a poisoned lock is recovered (the queue is always consistent).
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Writer threads fed by one FIFO of write requests; with no threads, writes run inline.
#[derive(Debug)]
pub(crate) struct Portable {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Portable {
    pub(crate) fn start(threads: usize, max_write: usize, pool: Arc<Pool>) -> Result<Portable> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            pool,
            max_write,
        });
        let mut me = Portable {
            shared,
            threads: Vec::with_capacity(threads),
        };
        for i in 0..threads {
            let shared = Arc::clone(&me.shared);
            let handle = std::thread::Builder::new()
                .name(format!("sink-pwrite-{i}"))
                .spawn(move || worker(&shared))
                .map_err(|source| SinkError::Backend {
                    backend: "portable",
                    source,
                })?; // `me` is dropped on error: started threads are stopped and joined
            me.threads.push(handle);
        }
        Ok(me)
    }

    pub(crate) fn write(&self, req: WriteReq) {
        if self.threads.is_empty() {
            // Inline mode: the producer copies its (cache-hot) buffer into the page cache itself.
            execute(&self.shared, req);
            return;
        }
        self.shared.lock().jobs.push_back(req);
        self.shared.ready.notify_one();
    }

    /// `fdatasync`s the file on the calling thread (all its writes have completed).
    pub(crate) fn sync_data(&self, file: &Arc<FileShared>) {
        file.begin_op();
        file.end_op(file.file.sync_data().map_err(Failure::Sync));
    }
}

impl Drop for Portable {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn worker(shared: &Shared) {
    loop {
        let job = {
            let mut q = shared.lock();
            loop {
                if let Some(job) = q.jobs.pop_front() {
                    break Some(job);
                }
                if q.closed {
                    break None;
                }
                q = shared.ready.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        };
        match job {
            Some(job) => execute(shared, job),
            None => return,
        }
    }
}

fn execute(shared: &Shared, job: WriteReq) {
    let WriteReq { file, offset, buf } = job;
    if file.should_skip() {
        drop(buf);
        file.end_op(Err(Failure::Aborted));
        return;
    }
    let counters = &shared.pool.counters;
    let mut done = 0usize;
    while done < buf.len() {
        let end = buf.len().min(done + shared.max_write);
        let at = offset + done as u64;
        counters.add_request();
        match file.file.write_at(&buf[done..end], at) {
            Ok(0) => {
                drop(buf);
                let error = io::Error::new(io::ErrorKind::WriteZero, "write returned 0 bytes");
                file.end_op(Err(Failure::Write { offset: at, error }));
                return;
            }
            Ok(n) => {
                done += n;
                counters.add_bytes(n as u64);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => {
                drop(buf);
                file.end_op(Err(Failure::Write { offset: at, error }));
                return;
            }
        }
    }
    counters.add_buffer();
    drop(buf);
    file.end_op(Ok(()));
}
