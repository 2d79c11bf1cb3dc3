//! Tests of the shared multi-file sink (`datafusion_dbgen::sink`). Every scenario runs against
//! both back ends: `<scenario>::io_uring` and `<scenario>::portable`, plus the portable back end's
//! inline mode (no writer threads) as `<scenario>::inline`. When io_uring is unavailable
//! the io_uring variants print a skip note and pass, unless `SINK_REQUIRE_IO_URING=1` is set.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use datafusion_dbgen::sink::{
    Backend, BackendChoice, Sink, SinkConfig, SinkError, SinkFile, SyncMode, io_uring_support,
};

/// Runs each scenario function (taking a [`Mode`]) once per back end (and inline mode).
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn io_uring() {
                if super::io_uring_or_skip(stringify!($name)) {
                    super::$name(super::Mode::IoUring);
                }
            }

            #[test]
            fn portable() {
                super::$name(super::Mode::Portable);
            }

            #[test]
            fn inline() {
                super::$name(super::Mode::Inline);
            }
        }
    )*};
}

both_backends!(
    many_files_concurrently,
    file_over_4_gib,
    write_error_is_per_file,
    cancellation_leaves_nothing,
    abort_all_mid_export,
    backpressure_bounds_buffers,
    sync_modes_and_overwrite,
    io_write_coalesces_small_pieces,
    many_tiny_submits,
);

fn io_uring_or_skip(test: &str) -> bool {
    match io_uring_support() {
        Ok(()) => true,
        Err(e) => {
            assert!(
                std::env::var_os("SINK_REQUIRE_IO_URING").is_none(),
                "io_uring required but unavailable: {e}"
            );
            eprintln!("SKIP {test}::io_uring: io_uring is unavailable here ({e})");
            false
        }
    }
}

/// How a scenario runs the sink: a back end, and for the portable one, writer threads or inline.
#[derive(Debug, Clone, Copy)]
enum Mode {
    IoUring,
    Portable,
    Inline,
}

impl Mode {
    /// The default configuration for this mode.
    fn config(self) -> SinkConfig {
        match self {
            Mode::IoUring => SinkConfig::default().backend(BackendChoice::IoUring),
            Mode::Portable => SinkConfig::default().backend(BackendChoice::Portable),
            Mode::Inline => SinkConfig::default().backend(BackendChoice::Inline),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::IoUring => "io_uring",
            Mode::Portable => "portable",
            Mode::Inline => "inline",
        }
    }

    fn parse(name: &str) -> Mode {
        match name {
            "io_uring" => Mode::IoUring,
            "portable" => Mode::Portable,
            "inline" => Mode::Inline,
            other => panic!("unknown mode {other}"),
        }
    }
}

fn sink(config: SinkConfig) -> Sink {
    let expected = config.expected_backend();
    let sink = Sink::try_new(config).expect("sink");
    assert_eq!(sink.backend(), expected);
    sink
}

/// splitmix64: small, deterministic, good enough for test data and sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// The expected byte at `offset` of test file `file`: position-dependent, so a misplaced or
/// reordered buffer is caught.
fn pattern(file: u64, offset: u64) -> u8 {
    let x = (offset ^ file.wrapping_mul(0x1_0000_0001)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 56) as u8
}

fn extend_pattern(buf: &mut Vec<u8>, file: u64, start: u64, len: usize) {
    buf.extend((0..len as u64).map(|i| pattern(file, start + i)));
}

fn check_pattern(data: &[u8], file: u64, start: u64, what: &str) {
    for (i, &b) in data.iter().enumerate() {
        let at = start + i as u64;
        assert_eq!(b, pattern(file, at), "{what}: byte {at} differs");
    }
}

/// Temporary files of the sink left in `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
        .collect()
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

/// ≥ 64 files written at once by 4 producers with chunks from 1 byte to 4 MiB, through every way
/// in (filled pool buffers, `write_all`, `io::Write`); every byte is checked.
fn many_files_concurrently(choice: Mode) {
    const PRODUCERS: u64 = 4;
    const FILES_PER_PRODUCER: u64 = 17;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = choice
        .config()
        .queue_depth(8)
        .buffer_size(256 << 10)
        .buffers(96)
        // Odd request cap: buffers larger than this are written in several requests.
        .max_write((1 << 20) + 7);
    let sink = sink(config);
    let started = Instant::now();
    let handles: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let sink = sink.clone();
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut rng = Rng(p + 1);
                let ids: Vec<u64> = (0..FILES_PER_PRODUCER)
                    .map(|i| p * FILES_PER_PRODUCER + i)
                    .collect();
                let mut files: Vec<(u64, SinkFile, u64, u64)> = ids
                    .iter()
                    .map(|&id| {
                        let target = match id % 16 {
                            0 => 0,
                            1 => 1,
                            _ => rng.range(1, 8 << 20),
                        };
                        let f = sink
                            .create(dir.join(format!("f{id:03}.bin")))
                            .expect("create");
                        (id, f, 0u64, target)
                    })
                    .collect();
                let mut done = Vec::new();
                while !files.is_empty() {
                    let k = (rng.next() % files.len() as u64) as usize;
                    let (id, f, written, target) = &mut files[k];
                    let left = *target - *written;
                    if left == 0 {
                        let (id, f, written, _) = files.swap_remove(k);
                        assert_eq!(f.bytes_written(), written);
                        let summary = f.finish().expect("finish");
                        assert_eq!(summary.bytes, written);
                        done.push((id, summary.path));
                        continue;
                    }
                    let len = match rng.next() % 10 {
                        0..=3 => rng.range(1, 100),
                        4..=7 => rng.range(1, 64 << 10),
                        _ => rng.range(1, 4 << 20),
                    }
                    .min(left) as usize;
                    match rng.next() % 3 {
                        0 => {
                            let mut buf = f.buffer();
                            extend_pattern(&mut buf, *id, *written, len);
                            f.submit(buf).expect("submit");
                        }
                        1 => {
                            let mut v = Vec::with_capacity(len);
                            extend_pattern(&mut v, *id, *written, len);
                            f.write_all(&v).expect("write_all");
                        }
                        _ => {
                            let mut v = Vec::with_capacity(len);
                            extend_pattern(&mut v, *id, *written, len);
                            std::io::Write::write_all(f, &v).expect("io::Write");
                            if rng.next().is_multiple_of(2) {
                                f.flush().expect("flush");
                            }
                        }
                    }
                    *written += len as u64;
                }
                done
            })
        })
        .collect();
    let mut published = Vec::new();
    for h in handles {
        published.extend(h.join().expect("producer panicked"));
    }
    let elapsed = started.elapsed();
    assert_eq!(published.len() as u64, PRODUCERS * FILES_PER_PRODUCER);
    let mut total = 0u64;
    for (id, path) in &published {
        let data = fs::read(path).expect("read back");
        check_pattern(&data, *id, 0, &path.display().to_string());
        total += data.len() as u64;
    }
    assert!(temp_files(dir.path()).is_empty());
    let stats = sink.stats();
    assert_eq!(stats.bytes_written, total);
    assert_eq!(stats.buffers_outstanding, 0);
    assert!(stats.peak_buffers_outstanding <= 96);
    assert!(stats.buffers_allocated <= 96);
    eprintln!(
        "{}: {} files, {} MiB in {elapsed:?}; {stats:?}",
        sink.backend(),
        published.len(),
        total >> 20
    );
}

fn free_bytes(dir: &Path) -> u64 {
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: statvfs writes into a zeroed struct we own; the path is NUL-terminated.
    unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut st) != 0 {
            return 0;
        }
        st.f_bavail as u64 * st.f_frsize as u64
    }
}

/// A file larger than 4 GiB: 16 MiB at the start, a hole, then 40 MiB of buffers crossing the
/// 4 GiB boundary (and ending past it), checked around 4 GiB and at the very end. With
/// `SINK_TEST_DENSE_4G=1` the whole 4.1 GiB is written instead of skipped.
fn file_over_4_gib(choice: Mode) {
    const MIB: u64 = 1 << 20;
    let dir = tempfile::tempdir().expect("tempdir");
    let free = free_bytes(dir.path());
    if free < 10 << 30 {
        eprintln!(
            "SKIP file_over_4_gib: only {} MiB free in {}",
            free >> 20,
            dir.path().display()
        );
        return;
    }
    let dense = std::env::var_os("SINK_TEST_DENSE_4G").is_some();
    let sink = sink(choice.config().buffer_size(8 << 20).buffers(8));
    let path = dir.path().join("huge.bin");
    let mut f = sink.create(&path).expect("create");
    let started = Instant::now();
    let id = 7;
    let mut at = 0u64;
    let push = |f: &mut SinkFile, at: &mut u64, len: usize| {
        let mut buf = f.buffer();
        extend_pattern(&mut buf, id, *at, len);
        f.submit(buf).expect("submit");
        *at += len as u64;
    };
    push(&mut f, &mut at, (8 * MIB) as usize);
    push(&mut f, &mut at, (8 * MIB) as usize);
    let tail_start = (1u64 << 32) - 20 * MIB - 4093;
    if dense {
        while at + 8 * MIB <= tail_start {
            let mut buf = f.buffer();
            buf.resize((8 * MIB) as usize, 0);
            f.submit(buf).expect("submit");
            at += 8 * MIB;
        }
        let gap = tail_start - at;
        let mut buf = f.buffer();
        buf.resize(gap as usize, 0);
        f.submit(buf).expect("submit");
        at += gap;
    } else {
        f.skip_bytes(tail_start - at).expect("skip");
        at = tail_start;
    }
    for _ in 0..5 {
        push(&mut f, &mut at, (8 * MIB) as usize);
    }
    push(&mut f, &mut at, 12_345);
    let end = at;
    let summary = f.finish().expect("finish");
    let elapsed = started.elapsed();
    assert_eq!(summary.bytes, end);
    assert!(end > 1 << 32);
    let file = fs::File::open(&path).expect("open");
    assert_eq!(file.metadata().expect("metadata").len(), end);
    let mut head = vec![0u8; (16 * MIB) as usize];
    file.read_exact_at(&mut head, 0).expect("read head");
    check_pattern(&head, id, 0, "head");
    let mut hole = [1u8; 4096];
    file.read_exact_at(&mut hole, 2 << 30).expect("read hole");
    assert!(hole.iter().all(|&b| b == 0));
    let mut around = vec![0u8; (4 * MIB) as usize];
    let start = (1u64 << 32) - 2 * MIB;
    file.read_exact_at(&mut around, start)
        .expect("read around 4 GiB");
    check_pattern(&around, id, start, "around 4 GiB");
    let mut last = vec![0u8; 100_000];
    file.read_exact_at(&mut last, end - 100_000)
        .expect("read end");
    check_pattern(&last, id, end - 100_000, "end");
    drop(file);
    fs::remove_file(&path).expect("remove");
    assert!(temp_files(dir.path()).is_empty());
    eprintln!(
        "{}: {} byte file (dense: {dense}) in {elapsed:?}",
        sink.backend(),
        end
    );
}

/// Parent side of the fault test: re-runs this test binary's `fault_child` test in a child
/// process whose RLIMIT_FSIZE is 1 MiB + 1000 bytes, writing three small files and one too big.
fn write_error_is_per_file(choice: Mode) {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("current_exe");
    let out = Command::new(exe)
        .args([
            "sink::fault_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SINK_FAULT_DIR", dir.path())
        .env("SINK_FAULT_BACKEND", choice.name())
        .output()
        .expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child failed: {}\n{stdout}\n{stderr}",
        out.status
    );
    let results: Vec<(&str, &str, &str)> = stdout
        .lines()
        // libtest may print "test fault_child ... " on the same line as the first result.
        .filter_map(|l| l.find("RESULT ").map(|i| &l[i + "RESULT ".len()..]))
        .filter_map(|l| {
            let mut it = l.splitn(3, ' ');
            Some((it.next()?, it.next()?, it.next()?))
        })
        .collect();
    assert_eq!(results.len(), 4, "child output:\n{stdout}\n{stderr}");
    for (name, status, detail) in results {
        let path = dir.path().join(name);
        if name == "big.bin" {
            assert_eq!(status, "ERR", "{name}: {detail}");
            assert!(
                detail.contains(&path.display().to_string()),
                "the error names the file: {detail}"
            );
            assert!(
                detail.contains("File too large"),
                "EFBIG expected: {detail}"
            );
            assert!(!path.exists(), "no partial file is published");
        } else {
            assert_eq!(status, "OK", "{name}: {detail}");
            let data = fs::read(&path).expect("small file published");
            assert_eq!(data.len(), FAULT_SMALL);
            check_pattern(&data, name.len() as u64, 0, name);
        }
    }
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        entries(dir.path())
    );
}

const FAULT_LIMIT: u64 = (1 << 20) + 1000;
const FAULT_SMALL: usize = 300_000;

/// Child side of the fault test; does nothing unless started by `write_error_is_per_file`.
#[test]
fn fault_child() {
    let (Some(dir), Some(backend)) = (
        std::env::var_os("SINK_FAULT_DIR"),
        std::env::var("SINK_FAULT_BACKEND").ok(),
    ) else {
        return;
    };
    let dir = PathBuf::from(dir);
    // SAFETY: plain libc calls in a child process that runs only this test.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let mut lim: libc::rlimit = std::mem::zeroed();
        assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut lim), 0);
        lim.rlim_cur = FAULT_LIMIT as libc::rlim_t;
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &lim), 0);
    }
    let sink = sink(
        Mode::parse(&backend)
            .config()
            .buffer_size(64 << 10)
            .buffers(8)
            .queue_depth(4),
    );
    let names = ["a.bin", "bb.bin", "ccc.bin", "big.bin"];
    let barrier = Arc::new(Barrier::new(names.len()));
    let handles: Vec<_> = names
        .iter()
        .map(|&name| {
            let sink = sink.clone();
            let path = dir.join(name);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let id = name.len() as u64;
                let size = if name == "big.bin" {
                    4 << 20
                } else {
                    FAULT_SMALL
                };
                let mut f = sink.create(&path).expect("create");
                barrier.wait();
                let mut at = 0;
                let mut failed = None;
                while at < size {
                    let len = (size - at).min(48 << 10);
                    let mut buf = f.buffer();
                    extend_pattern(&mut buf, id, at as u64, len);
                    if let Err(e) = f.submit(buf) {
                        failed = Some(e);
                        break;
                    }
                    at += len;
                }
                let result = match failed {
                    Some(e) => {
                        let again = f.finish().expect_err("finish after a failed submit");
                        assert!(matches!(again, SinkError::Write { .. }), "{again}");
                        Err(e)
                    }
                    None => f.finish(),
                };
                match result {
                    Ok(s) => println!("RESULT {name} OK {}", s.bytes),
                    Err(e) => {
                        assert_eq!(e.path(), Some(path.as_path()));
                        println!("RESULT {name} ERR {e}");
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("child producer panicked");
    }
}

/// Dropping files (and the sink handle) before `finish` publishes nothing and leaves no
/// temporary file, even with writes in flight.
fn cancellation_leaves_nothing(choice: Mode) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = sink(choice.config().buffer_size(1 << 20).buffers(16));
    let mut files: Vec<SinkFile> = (0..8)
        .map(|i| {
            sink.create(dir.path().join(format!("part{i}.bin")))
                .expect("create")
        })
        .collect();
    for (i, f) in files.iter_mut().enumerate() {
        for j in 0..3 {
            let mut buf = f.buffer();
            buf.resize(1 << 20, (i * 3 + j) as u8);
            f.submit(buf).expect("submit");
        }
        std::io::Write::write_all(f, b"a partial buffer").expect("io::Write");
    }
    assert_eq!(temp_files(dir.path()).len(), 8);
    // Drop the sink handle first: the files keep the back end alive.
    let observer = sink.clone();
    drop(sink);
    let second_half = files.split_off(4);
    drop(files);
    // The rest is dropped from other threads, mid-export.
    let handles: Vec<_> = second_half
        .into_iter()
        .map(|mut f| {
            std::thread::spawn(move || {
                let mut buf = f.buffer();
                buf.resize(3 << 20, 9);
                f.submit(buf).expect("submit");
                drop(f);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert!(
        entries(dir.path()).is_empty(),
        "left behind: {:?}",
        entries(dir.path())
    );
    assert_eq!(observer.stats().buffers_outstanding, 0);
    // The sink still works after cancelled files.
    let mut f = observer.create(dir.path().join("ok.bin")).expect("create");
    f.write_all(b"hello").expect("write_all");
    assert_eq!(f.finish().expect("finish").bytes, 5);
    assert_eq!(entries(dir.path()), vec![dir.path().join("ok.bin")]);
}

/// `abort_all` while producers are writing: every file fails with `Aborted`, nothing is
/// published, no temporary file remains, and no new file can be created.
fn abort_all_mid_export(choice: Mode) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = sink(choice.config().buffer_size(256 << 10).buffers(16));
    let submitted = Arc::new(AtomicUsize::new(0));
    let created = Arc::new(Barrier::new(5));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let sink = sink.clone();
            let path = dir.path().join(format!("t{i}.bin"));
            let submitted = Arc::clone(&submitted);
            let created = Arc::clone(&created);
            std::thread::spawn(move || {
                let mut f = sink.create(&path).expect("create");
                created.wait();
                // Bounded so a broken abort fails the test instead of filling the disk.
                for _ in 0..20_000 {
                    let mut buf = f.buffer();
                    buf.resize(256 << 10, 1);
                    if let Err(e) = f.submit(buf) {
                        assert!(matches!(e, SinkError::Aborted { .. }), "{e}");
                        break;
                    }
                    submitted.fetch_add(1, Ordering::Relaxed);
                }
                match f.finish() {
                    Err(SinkError::Aborted { path: p }) => assert_eq!(p, path),
                    other => panic!("expected Aborted, got {other:?}"),
                }
            })
        })
        .collect();
    created.wait();
    let deadline = Instant::now() + Duration::from_secs(10);
    while submitted.load(Ordering::Relaxed) < 40 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    sink.abort_all();
    assert!(sink.is_aborted());
    for h in handles {
        h.join().expect("producer");
    }
    assert!(
        entries(dir.path()).is_empty(),
        "left behind: {:?}",
        entries(dir.path())
    );
    assert!(matches!(
        sink.create(dir.path().join("late.bin")),
        Err(SinkError::Aborted { .. })
    ));
    assert_eq!(sink.stats().buffers_outstanding, 0);
}

/// With 4 buffers, a producer submitting 100 never has more than 4 out of the pool.
fn backpressure_bounds_buffers(choice: Mode) {
    const SIZE: usize = 64 << 10;
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = sink(choice.config().buffer_size(SIZE).buffers(4));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let sink = sink.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut max = 0;
            while !stop.load(Ordering::Relaxed) {
                max = max.max(sink.stats().buffers_outstanding);
                std::thread::yield_now();
            }
            max
        })
    };
    let path = dir.path().join("bp.bin");
    let mut f = sink.create(&path).expect("create");
    for i in 0..100u64 {
        let mut buf = f.buffer();
        extend_pattern(&mut buf, 3, i * SIZE as u64, SIZE);
        f.submit(buf).expect("submit");
        assert!(sink.stats().buffers_outstanding <= 4);
    }
    f.finish().expect("finish");
    stop.store(true, Ordering::Relaxed);
    let sampled = sampler.join().expect("sampler");
    let stats = sink.stats();
    assert!(sampled <= 4, "sampled {sampled} outstanding");
    assert!(
        (1..=4).contains(&stats.peak_buffers_outstanding),
        "{stats:?}"
    );
    assert!(
        stats.buffers_allocated <= 4,
        "buffers are recycled: {stats:?}"
    );
    assert_eq!(stats.buffers_written, 100);
    assert_eq!(stats.buffers_outstanding, 0);
    let data = fs::read(&path).expect("read");
    assert_eq!(data.len(), 100 * SIZE);
    check_pattern(&data, 3, 0, "bp.bin");
}

/// Durable modes publish complete files, replace existing targets, and report creation errors
/// with the path.
fn sync_modes_and_overwrite(choice: Mode) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, mode) in [SyncMode::None, SyncMode::Data, SyncMode::Full]
        .into_iter()
        .enumerate()
    {
        let sink = sink(choice.config().sync(mode));
        let path = dir.path().join(format!("s{i}.bin"));
        fs::write(&path, b"old content that is longer than the new one").expect("seed");
        let mut f = sink.create(&path).expect("create");
        assert!(f.temp_path().starts_with(dir.path()));
        assert_ne!(f.temp_path(), path);
        let mut buf = f.buffer();
        extend_pattern(&mut buf, i as u64, 0, 100_000);
        f.submit(buf).expect("submit");
        f.write_all(&[]).expect("empty write_all");
        let empty = f.buffer();
        f.submit(empty).expect("empty submit");
        let summary = f.finish().expect("finish");
        assert_eq!(summary.bytes, 100_000);
        assert_eq!(summary.path, path);
        let data = fs::read(&path).expect("read");
        check_pattern(&data, i as u64, 0, "synced file");
    }
    let sink = sink(choice.config());
    let missing = dir.path().join("no/such/dir/x.bin");
    match sink.create(&missing) {
        Err(e @ SinkError::Create { .. }) => {
            assert_eq!(e.path(), Some(missing.as_path()));
            assert!(e.to_string().contains("x.bin"), "{e}");
        }
        other => panic!("expected Create error, got {other:?}"),
    }
    // An empty file is published too.
    let empty = sink.create(dir.path().join("empty.bin")).expect("create");
    assert_eq!(empty.finish().expect("finish").bytes, 0);
    assert_eq!(
        fs::metadata(dir.path().join("empty.bin"))
            .expect("meta")
            .len(),
        0
    );
    assert!(temp_files(dir.path()).is_empty());
}

/// `io::Write` (as used by `ArrowWriter<SinkFile>`) coalesces small pieces into pool buffers.
fn io_write_coalesces_small_pieces(choice: Mode) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = sink(choice.config().buffer_size(64 << 10).buffers(4));
    let path = dir.path().join("rows.csv");
    let mut f = sink.create(&path).expect("create");
    let mut expected = Vec::new();
    for i in 0..50_000u32 {
        let line = format!("{i}|customer#{i:09}|{}.{:02}|\n", i * 7, i % 100);
        write!(f, "{line}").expect("write!");
        expected.extend_from_slice(line.as_bytes());
        assert_eq!(f.bytes_written(), expected.len() as u64);
    }
    f.flush().expect("flush");
    let summary = f.finish().expect("finish");
    assert_eq!(summary.bytes, expected.len() as u64);
    assert_eq!(fs::read(&path).expect("read"), expected);
    let stats = sink.stats();
    assert!(
        stats.buffers_written <= expected.len() as u64 / (64 << 10) + 2,
        "pieces were coalesced: {stats:?}"
    );
}

/// Many tiny submissions from several threads with a small pool: exercises the hand-over to the
/// I/O thread (wake-ups) far more often than the large tests; a lost wake-up hangs here.
fn many_tiny_submits(choice: Mode) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = sink(choice.config().buffer_size(128).buffers(6).queue_depth(2));
    let handles: Vec<_> = (0..6u64)
        .map(|t| {
            let sink = sink.clone();
            let path = dir.path().join(format!("tiny{t}.bin"));
            std::thread::spawn(move || {
                let mut rng = Rng(100 + t);
                let mut f = sink.create(&path).expect("create");
                let mut at = 0u64;
                for _ in 0..5_000 {
                    let len = rng.range(1, 100) as usize;
                    let mut buf = f.buffer();
                    extend_pattern(&mut buf, t, at, len);
                    f.submit(buf).expect("submit");
                    at += len as u64;
                }
                assert_eq!(f.finish().expect("finish").bytes, at);
                let data = fs::read(&path).expect("read");
                check_pattern(&data, t, 0, "tiny");
            })
        })
        .collect();
    for h in handles {
        h.join().expect("producer");
    }
    let stats = sink.stats();
    assert_eq!(stats.buffers_written, 30_000);
    assert!(stats.peak_buffers_outstanding <= 6);
}

#[test]
fn backend_choice_parsing() {
    assert_eq!(
        BackendChoice::parse("portable").unwrap(),
        BackendChoice::Portable
    );
    assert_eq!(
        BackendChoice::parse("io_uring").unwrap(),
        BackendChoice::IoUring
    );
    assert_eq!(
        BackendChoice::parse(" IO-URING ").unwrap(),
        BackendChoice::IoUring
    );
    assert_eq!(BackendChoice::parse("").unwrap(), BackendChoice::Auto);
    assert_eq!(BackendChoice::parse("auto").unwrap(), BackendChoice::Auto);
    let err = BackendChoice::parse("iouring2").unwrap_err();
    assert!(matches!(err, SinkError::InvalidConfig(_)));
    let msg = err.to_string();
    // The value may come from a flag: the message names the value and the accepted ones, and
    // `from_env` adds the variable's name.
    assert!(
        !msg.contains("TPCH_IO_BACKEND") && msg.contains("iouring2") && msg.contains("portable"),
        "{msg}"
    );
    assert_eq!(Backend::IoUring.to_string(), "io_uring");
    assert_eq!(Backend::Portable.to_string(), "portable");
    // `from_env` parses the variable the same way (the environment is not mutated here).
    if let Ok(v) = std::env::var("TPCH_IO_BACKEND") {
        assert_eq!(
            BackendChoice::from_env().ok(),
            BackendChoice::parse(&v).ok()
        );
    } else {
        assert_eq!(BackendChoice::from_env().unwrap(), BackendChoice::Auto);
    }
    // A forced portable choice gives the portable back end.
    let choice = BackendChoice::parse("portable").unwrap();
    let sink = Sink::try_new(SinkConfig::default().backend(choice)).unwrap();
    assert_eq!(sink.backend(), Backend::Portable);
    // Inline: by name, or as the portable back end without writer threads.
    let choice = BackendChoice::parse("Inline").unwrap();
    assert_eq!(choice, BackendChoice::Inline);
    let sink = Sink::try_new(SinkConfig::default().backend(choice)).unwrap();
    assert_eq!(sink.backend(), Backend::Inline);
    assert_eq!(Backend::Inline.to_string(), "inline");
    let config = SinkConfig::default()
        .backend(BackendChoice::Portable)
        .portable_threads(0);
    assert_eq!(config.expected_backend(), Backend::Inline);
    assert_eq!(Sink::try_new(config).unwrap().backend(), Backend::Inline);
}

#[test]
fn auto_prefers_io_uring_when_available() {
    let sink = Sink::try_new(SinkConfig::default()).unwrap();
    match io_uring_support() {
        Ok(()) => assert_eq!(sink.backend(), Backend::IoUring),
        Err(e) => {
            eprintln!("io_uring unavailable ({e}); auto chose {}", sink.backend());
            assert_eq!(sink.backend(), Backend::Portable);
            assert!(Sink::try_new(SinkConfig::default().backend(BackendChoice::IoUring)).is_err());
        }
    }
}

#[test]
fn invalid_configs_are_rejected() {
    for config in [
        SinkConfig::default().buffers(0),
        SinkConfig::default().buffer_size(0),
        SinkConfig::default().queue_depth(0),
        SinkConfig::default().max_write(0),
    ] {
        assert!(matches!(
            Sink::try_new(config),
            Err(SinkError::InvalidConfig(_))
        ));
    }
}
