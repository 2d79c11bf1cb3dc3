//! The io_uring back end: one ring, driven by one dedicated I/O thread, shared by every file of a
//! sink.
//!
//! Producers append requests to a mutex-protected queue and, when the I/O thread may be asleep,
//! bump an eventfd that the thread keeps a `POLL_ADD` on, so the thread has a single wait point
//! (`io_uring_enter` with `min_complete = 1`) for both new requests and completions.
//!
//! Every request lives in a slab slot (its index is the SQE's `user_data`) that owns the file's
//! `Arc` (keeping the descriptor open) and the pool buffer (keeping the memory alive and unmoved)
//! until its completion is reaped. Short writes are resubmitted for the remainder, `-EINTR` /
//! `-EAGAIN` completions are resubmitted as they are, and at most `queue_depth` requests are in
//! the kernel at once (the completion queue holds twice that, and `IORING_FEAT_NODROP` is
//! required), so completions cannot be lost.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use io_uring::{IoUring, Probe, opcode, squeue, types};

use super::error::{Result, SinkError};
use super::file::{Failure, FileShared, WriteReq};
use super::pool::{Pool, SinkBuffer};

/// `user_data` of the eventfd poll.
const WAKE: u64 = u64::MAX;

fn backend_err(source: io::Error) -> SinkError {
    SinkError::Backend {
        backend: "io_uring",
        source,
    }
}

/// Checks once per process whether io_uring is usable: the ring can be set up, the kernel has
/// `IORING_FEAT_NODROP`, and the WRITE, FSYNC and POLL_ADD opcodes are supported.
pub(crate) fn probe() -> Result<()> {
    type Cached = std::result::Result<(), (Option<i32>, io::ErrorKind, String)>;
    static PROBE: OnceLock<Cached> = OnceLock::new();
    PROBE
        .get_or_init(|| probe_uncached().map_err(|e| (e.raw_os_error(), e.kind(), e.to_string())))
        .clone()
        .map_err(|(code, kind, msg)| {
            backend_err(
                code.map_or_else(|| io::Error::new(kind, msg), io::Error::from_raw_os_error),
            )
        })
}

fn probe_uncached() -> io::Result<()> {
    let ring: IoUring = IoUring::new(4)?;
    check_ring(&ring)?;
    let mut probe = Probe::new();
    ring.submitter().register_probe(&mut probe)?;
    for (code, name) in [
        (opcode::Write::CODE, "WRITE"),
        (opcode::Fsync::CODE, "FSYNC"),
        (opcode::PollAdd::CODE, "POLL_ADD"),
    ] {
        if !probe.is_supported(code) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("the kernel's io_uring lacks IORING_OP_{name}"),
            ));
        }
    }
    Ok(())
}

fn check_ring(ring: &IoUring) -> io::Result<()> {
    if ring.params().is_feature_nodrop() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the kernel's io_uring lacks IORING_FEAT_NODROP",
        ))
    }
}

#[derive(Debug)]
enum Request {
    Write(WriteReq),
    Fsync(Arc<FileShared>),
}

#[derive(Debug, Default)]
struct Queue {
    reqs: Vec<Request>,
    closed: bool,
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    /// True while a wake-up is pending (the eventfd was bumped and not yet drained).
    notified: AtomicBool,
    efd: OwnedFd,
}

impl Shared {
    /// Locks the request queue; a poisoned lock is recovered (the queue is always consistent).
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wake(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to an eventfd we own. EAGAIN (counter
        // saturated) means a wake-up is pending anyway, so the result is not needed.
        unsafe {
            libc::write(
                self.efd.as_raw_fd(),
                (&raw const one).cast::<libc::c_void>(),
                8,
            );
        }
    }

    fn drain_eventfd(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64 from our non-blocking eventfd; EAGAIN (nothing
        // to drain) is fine.
        unsafe {
            libc::read(
                self.efd.as_raw_fd(),
                (&raw mut value).cast::<libc::c_void>(),
                8,
            );
        }
    }
}

/// Handle to the I/O thread.
#[derive(Debug)]
pub(crate) struct Uring {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Settings the I/O thread needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub(crate) queue_depth: u32,
    pub(crate) async_writes: bool,
    pub(crate) max_write: usize,
}

impl Uring {
    /// Starts the I/O thread; the ring is created on that thread and errors are reported here.
    pub(crate) fn start(params: Params, pool: Arc<Pool>) -> Result<Uring> {
        probe()?;
        // SAFETY: plain syscall; the result is checked before use.
        let raw = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if raw < 0 {
            return Err(backend_err(io::Error::last_os_error()));
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let efd = unsafe { OwnedFd::from_raw_fd(raw) };
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            notified: AtomicBool::new(false),
            efd,
        });
        let (tx, rx) = mpsc::sync_channel::<io::Result<()>>(1);
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sink-io_uring".into())
            .spawn(move || match Driver::new(params, thread_shared, pool) {
                Ok(driver) => {
                    let _ = tx.send(Ok(()));
                    driver.run();
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            })
            .map_err(backend_err)?;
        let started = rx.recv().unwrap_or_else(|_| {
            Err(io::Error::other(
                "the io_uring I/O thread exited during setup",
            ))
        });
        let me = Uring {
            shared,
            thread: Some(thread),
        };
        started.map_err(backend_err)?; // `me` is dropped on error, joining the thread
        Ok(me)
    }

    fn push(&self, req: Request) {
        self.shared.lock().reqs.push(req);
        if !self.shared.notified.swap(true, Ordering::SeqCst) {
            self.shared.wake();
        }
    }

    pub(crate) fn write(&self, req: WriteReq) {
        self.push(Request::Write(req));
    }

    /// Queues an `fdatasync` of the file (all its writes have completed); completion is reported
    /// through the file's in-flight count.
    pub(crate) fn sync_data(&self, file: &Arc<FileShared>) {
        file.begin_op();
        self.push(Request::Fsync(Arc::clone(file)));
    }
}

impl Drop for Uring {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A request owned by the I/O thread until its completion.
#[derive(Debug)]
enum Op {
    /// `buf[done..]` still has to go to `offset + done`.
    Write {
        file: Arc<FileShared>,
        offset: u64,
        buf: SinkBuffer,
        done: usize,
    },
    Fsync {
        file: Arc<FileShared>,
    },
}

impl Op {
    fn file(&self) -> &FileShared {
        match self {
            Op::Write { file, .. } | Op::Fsync { file } => file,
        }
    }
}

/// The I/O thread's state.
struct Driver {
    // Declared first so it is dropped (closing the ring) before the buffers owned by `slab`
    // and `pending`; the driver only returns once nothing is in flight anyway.
    ring: IoUring,
    slab: Vec<Option<Op>>,
    free: Vec<usize>,
    pending: VecDeque<Op>,
    in_flight: usize,
    max_in_flight: usize,
    poll_armed: bool,
    write_flags: squeue::Flags,
    max_write: usize,
    shared: Arc<Shared>,
    pool: Arc<Pool>,
    cqes: Vec<(u64, i32)>,
}

impl Driver {
    fn new(params: Params, shared: Arc<Shared>, pool: Arc<Pool>) -> io::Result<Driver> {
        let depth = params.queue_depth.max(1);
        let ring: IoUring = IoUring::builder().setup_cqsize(depth * 2).build(depth)?;
        check_ring(&ring)?;
        Ok(Driver {
            ring,
            slab: Vec::with_capacity(depth as usize),
            free: Vec::new(),
            pending: VecDeque::new(),
            in_flight: 0,
            max_in_flight: depth as usize,
            poll_armed: false,
            write_flags: if params.async_writes {
                squeue::Flags::ASYNC
            } else {
                squeue::Flags::empty()
            },
            max_write: params.max_write.clamp(1, super::config::MAX_WRITE),
            shared,
            pool,
            cqes: Vec::with_capacity(depth as usize * 2),
        })
    }

    fn run(mut self) {
        loop {
            let closed = {
                let mut q = self.shared.lock();
                self.pending.extend(q.reqs.drain(..).map(|r| match r {
                    Request::Write(WriteReq { file, offset, buf }) => Op::Write {
                        file,
                        offset,
                        buf,
                        done: 0,
                    },
                    Request::Fsync(file) => Op::Fsync { file },
                }));
                q.closed
            };
            self.fill();
            if !closed && !self.poll_armed {
                self.arm_poll();
            }
            if closed && self.in_flight == 0 && self.pending.is_empty() {
                return;
            }
            if self.in_flight == 0 && !self.poll_armed {
                // Nothing could complete; cannot happen while `fill` makes progress.
                continue;
            }
            self.enter(1);
            self.reap();
        }
    }

    /// Moves pending requests into the submission queue, up to `max_in_flight`.
    fn fill(&mut self) {
        while self.in_flight < self.max_in_flight {
            let Some(op) = self.pending.pop_front() else {
                return;
            };
            if op.file().should_skip() {
                discard(op);
                continue;
            }
            if let Err(op) = self.push_op(op) {
                // Submission queue full: hand what is queued to the kernel, then retry.
                self.pending.push_front(op);
                self.enter(0);
            }
        }
    }

    fn push_op(&mut self, op: Op) -> std::result::Result<(), Op> {
        let key = match self.free.pop() {
            Some(k) => k,
            None => {
                self.slab.push(None);
                self.slab.len() - 1
            }
        };
        let entry = match &op {
            Op::Write {
                file,
                offset,
                buf,
                done,
            } => {
                let rest = &buf[*done..];
                // `max_write` ≤ 0x7ffff000, so the length fits in a u32.
                let len = rest.len().min(self.max_write) as u32;
                opcode::Write::new(types::Fd(file.fd()), rest.as_ptr(), len)
                    .offset(offset + *done as u64)
                    .build()
                    .flags(self.write_flags)
            }
            Op::Fsync { file } => opcode::Fsync::new(types::Fd(file.fd()))
                .flags(types::FsyncFlags::DATASYNC)
                .build(),
        }
        .user_data(key as u64);
        // SAFETY: the SQE points into the heap allocation of `op`'s buffer and names `op`'s file
        // descriptor. `op` is stored in `slab[key]` right below and only taken out when the CQE
        // for `key` is reaped; meanwhile the buffer is neither mutated nor freed (moving the
        // `SinkBuffer` does not move its heap data) and the `Arc<FileShared>` keeps the file open.
        let pushed = unsafe { self.ring.submission().push(&entry) };
        match pushed {
            Ok(()) => {
                if matches!(op, Op::Write { .. }) {
                    self.pool.counters.add_request();
                }
                self.slab[key] = Some(op);
                self.in_flight += 1;
                Ok(())
            }
            Err(_) => {
                self.free.push(key);
                Err(op)
            }
        }
    }

    fn arm_poll(&mut self) {
        let entry =
            opcode::PollAdd::new(types::Fd(self.shared.efd.as_raw_fd()), libc::POLLIN as u32)
                .build()
                .user_data(WAKE);
        loop {
            // SAFETY: a poll SQE references no memory; the eventfd lives in `shared`, which
            // outlives the ring (the driver holds an `Arc` to it).
            if unsafe { self.ring.submission().push(&entry) }.is_ok() {
                self.poll_armed = true;
                return;
            }
            self.enter(0);
        }
    }

    /// `io_uring_enter`: submits queued SQEs and waits for `want` completions. EINTR is retried;
    /// EAGAIN/EBUSY (kernel short of resources or completions backlogged) reap completions and
    /// retry.
    fn enter(&mut self, want: usize) {
        loop {
            let r = if want > 0 {
                self.ring.submit_and_wait(want)
            } else {
                self.ring.submit()
            };
            let Err(e) = r else {
                return;
            };
            match e.raw_os_error() {
                Some(libc::EINTR) => {}
                Some(libc::EAGAIN) | Some(libc::EBUSY) => {
                    if self.reap() > 0 {
                        return;
                    }
                    std::thread::sleep(Duration::from_micros(50));
                }
                _ => {
                    // Unexpected (the ring is set up and every SQE is well formed): fail the
                    // requests not yet in the kernel rather than spin, and let the caller reap.
                    for op in self.pending.drain(..) {
                        fail(op, &e);
                    }
                    std::thread::sleep(Duration::from_millis(1));
                    return;
                }
            }
        }
    }

    /// Processes every available completion; returns how many there were.
    fn reap(&mut self) -> usize {
        let mut cqes = std::mem::take(&mut self.cqes);
        cqes.clear();
        cqes.extend(
            self.ring
                .completion()
                .map(|cqe| (cqe.user_data(), cqe.result())),
        );
        let n = cqes.len();
        for &(user_data, res) in &cqes {
            self.complete(user_data, res);
        }
        self.cqes = cqes;
        n
    }

    fn complete(&mut self, user_data: u64, res: i32) {
        if user_data == WAKE {
            // Drain first, then clear `notified`: a producer that saw `notified == true` skipped
            // its eventfd write, and its request is picked up because the queue is read after
            // this; clearing before draining could swallow the write of a producer that saw
            // `false`, leaving `notified` stuck at `true` and the thread asleep.
            self.poll_armed = false;
            self.shared.drain_eventfd();
            self.shared.notified.store(false, Ordering::SeqCst);
            return;
        }
        let key = user_data as usize;
        // Every other user_data is a slab key we issued; a missing entry cannot happen.
        let Some(op) = self.slab.get_mut(key).and_then(Option::take) else {
            return;
        };
        self.free.push(key);
        self.in_flight -= 1;
        if res == -libc::EINTR || res == -libc::EAGAIN {
            self.pending.push_front(op);
            return;
        }
        match op {
            Op::Write {
                file,
                offset,
                buf,
                done,
            } => {
                let at = offset + done as u64;
                if res < 0 {
                    drop(buf);
                    let error = io::Error::from_raw_os_error(-res);
                    file.end_op(Err(Failure::Write { offset: at, error }));
                } else if res == 0 {
                    drop(buf);
                    let error = io::Error::new(io::ErrorKind::WriteZero, "write returned 0 bytes");
                    file.end_op(Err(Failure::Write { offset: at, error }));
                } else {
                    let done = done + res as usize;
                    self.pool.counters.add_bytes(res as u64);
                    if done < buf.len() {
                        // Short write (or a buffer longer than one request): write the rest.
                        self.pending.push_front(Op::Write {
                            file,
                            offset,
                            buf,
                            done,
                        });
                    } else {
                        self.pool.counters.add_buffer();
                        drop(buf);
                        file.end_op(Ok(()));
                    }
                }
            }
            Op::Fsync { file } => {
                if res < 0 {
                    file.end_op(Err(Failure::Sync(io::Error::from_raw_os_error(-res))));
                } else {
                    file.end_op(Ok(()));
                }
            }
        }
    }
}

/// Drops a request of a failed or aborted file without issuing it.
fn discard(op: Op) {
    match op {
        Op::Write { file, buf, .. } => {
            drop(buf);
            file.end_op(Err(Failure::Aborted));
        }
        Op::Fsync { file } => file.end_op(Err(Failure::Aborted)),
    }
}

/// Fails a request that could not be submitted.
fn fail(op: Op, e: &io::Error) {
    let error = super::error::dup_io_error(e);
    match op {
        Op::Write {
            file,
            offset,
            buf,
            done,
        } => {
            drop(buf);
            file.end_op(Err(Failure::Write {
                offset: offset + done as u64,
                error,
            }));
        }
        Op::Fsync { file } => file.end_op(Err(Failure::Sync(error))),
    }
}
