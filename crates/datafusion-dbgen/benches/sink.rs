//! Throughput of the shared multi-file sink against plain `std::fs` writes and `dd`.
//!
//! `cargo bench --bench sink` writes, on the disk holding the target directory (or
//! `SINK_BENCH_DIR`), for each sync mode (page cache only, and `fdatasync` at the end):
//! - "large": SINK_BENCH_FILES files (default 8) × SINK_BENCH_MIB MiB (default 512) in 1 MiB
//!   buffers, through the io_uring sink, the portable sink (writer threads, and inline: no writer
//!   threads, producers write), `std::fs::File::write_all` (one thread
//!   per file) and `dd if=/dev/zero bs=1M` (one process per file, `conv=fdatasync` when syncing);
//! - "small": 64 files × SINK_BENCH_SMALL_MIB MiB (default 16) in CSV-sized pieces of
//!   64–256 KiB, through the sinks and `std::fs` with the same producer threads.
//!
//! Producers fill every buffer (memset) before handing it over, as `dd` does reading
//! `/dev/zero`. Between runs the files are deleted and `sync(2)` is called so each run starts
//! without dirty pages. Knobs: SINK_BENCH_PRODUCERS (4), SINK_BENCH_REPS (1, best run reported),
//! SINK_BENCH_QD, SINK_BENCH_BUFFERS, SINK_BENCH_BUF_KIB, SINK_BENCH_ASYNC=1,
//! SINK_BENCH_PORTABLE_THREADS, SINK_BENCH_ONLY=<substring of "case/sync/method">,
//! SINK_BENCH_WARMUP=1 (a discarded write + fdatasync first; on by default for a full run).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use datafusion_dbgen::sink::{BackendChoice, Sink, SinkConfig, SyncMode, io_uring_support};

const MIB: usize = 1 << 20;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone)]
struct Settings {
    dir: PathBuf,
    files: usize,
    mib: usize,
    small_files: usize,
    small_mib: usize,
    producers: usize,
    reps: usize,
    only: Option<String>,
}

/// One workload: which files, and the size of every piece written to each.
#[derive(Clone, Copy, PartialEq)]
enum Case {
    Large,
    Small,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Large => "large",
            Case::Small => "small",
        }
    }

    fn files(self, s: &Settings) -> usize {
        match self {
            Case::Large => s.files,
            Case::Small => s.small_files,
        }
    }

    fn bytes_per_file(self, s: &Settings) -> usize {
        match self {
            Case::Large => s.mib * MIB,
            Case::Small => s.small_mib * MIB,
        }
    }

    /// Piece sizes for file `i`: 1 MiB, or 64–256 KiB from a fixed PRNG (same for every method).
    fn pieces(self, s: &Settings, i: usize) -> Vec<usize> {
        let total = self.bytes_per_file(s);
        let mut out = Vec::new();
        let mut left = total;
        let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (i as u64 + 1);
        while left > 0 {
            let n = match self {
                Case::Large => MIB,
                Case::Small => {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (64 << 10) + (x % (192 << 10)) as usize
                }
            }
            .min(left);
            out.push(n);
            left -= n;
        }
        out
    }

    fn buffer_size(self) -> usize {
        match self {
            Case::Large => MIB,
            Case::Small => 256 << 10,
        }
    }
}

#[derive(Clone, Copy)]
enum Method {
    Sink(BackendChoice),
    /// The portable back end with no writer threads: producers write inline.
    Inline,
    Std,
    Dd,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Sink(BackendChoice::IoUring) => "sink io_uring",
            Method::Sink(_) => "sink portable",
            Method::Inline => "sink inline",
            Method::Std => "std::fs",
            Method::Dd => "dd bs=1M",
        }
    }
}

fn sink_config(case: Case, choice: BackendChoice, sync: SyncMode) -> SinkConfig {
    let mut c = SinkConfig::default()
        .backend(choice)
        .sync(sync)
        .buffer_size(case.buffer_size());
    if let Ok(v) = std::env::var("SINK_BENCH_QD") {
        c = c.queue_depth(v.parse().expect("SINK_BENCH_QD"));
    }
    if let Ok(v) = std::env::var("SINK_BENCH_BUFFERS") {
        c = c.buffers(v.parse().expect("SINK_BENCH_BUFFERS"));
    }
    if let Ok(v) = std::env::var("SINK_BENCH_BUF_KIB") {
        c = c.buffer_size(v.parse::<usize>().expect("SINK_BENCH_BUF_KIB") << 10);
    }
    if std::env::var_os("SINK_BENCH_ASYNC").is_some() {
        c = c.io_uring_async(true);
    }
    if let Ok(v) = std::env::var("SINK_BENCH_PORTABLE_THREADS") {
        c = c.portable_threads(v.parse().expect("SINK_BENCH_PORTABLE_THREADS"));
    }
    c
}

/// Splits files `0..n` round-robin over `producers` threads.
fn shares(n: usize, producers: usize) -> Vec<Vec<usize>> {
    let p = producers.clamp(1, n.max(1));
    (0..p).map(|t| (t..n).step_by(p).collect()).collect()
}

fn run_sink(s: &Settings, case: Case, config: SinkConfig) -> Duration {
    let sink = Sink::try_new(config).expect("sink");
    let n = case.files(s);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for share in shares(n, s.producers) {
            let sink = sink.clone();
            scope.spawn(move || {
                let mut files: Vec<_> = share
                    .iter()
                    .map(|&i| {
                        let f = sink.create(s.dir.join(format!("f{i}"))).expect("create");
                        (f, case.pieces(s, i).into_iter())
                    })
                    .collect();
                // Round-robin over this producer's files, one piece each.
                while !files.is_empty() {
                    let mut k = 0;
                    while k < files.len() {
                        match files[k].1.next() {
                            Some(len) => {
                                let f = &mut files[k].0;
                                let mut buf = f.buffer();
                                buf.resize(len, b'x');
                                f.submit(buf).expect("submit");
                                k += 1;
                            }
                            None => {
                                let (f, _) = files.swap_remove(k);
                                f.finish().expect("finish");
                            }
                        }
                    }
                }
            });
        }
    });
    start.elapsed()
}

/// `std::fs::File::write_all`: for "large" one thread per file, for "small" the same producer
/// threads as the sink, each writing its files round-robin.
fn run_std(s: &Settings, case: Case, sync: SyncMode) -> Duration {
    let n = case.files(s);
    let threads = match case {
        Case::Large => n,
        Case::Small => s.producers,
    };
    let start = Instant::now();
    std::thread::scope(|scope| {
        for share in shares(n, threads) {
            scope.spawn(move || {
                let mut buf = Vec::with_capacity(case.buffer_size());
                let mut files: Vec<_> = share
                    .iter()
                    .map(|&i| {
                        let f = fs::File::create(s.dir.join(format!("f{i}"))).expect("create");
                        (f, case.pieces(s, i).into_iter())
                    })
                    .collect();
                while !files.is_empty() {
                    let mut k = 0;
                    while k < files.len() {
                        match files[k].1.next() {
                            Some(len) => {
                                buf.clear();
                                buf.resize(len, b'x');
                                files[k].0.write_all(&buf).expect("write");
                                k += 1;
                            }
                            None => {
                                let (f, _) = files.swap_remove(k);
                                if sync != SyncMode::None {
                                    f.sync_data().expect("fdatasync");
                                }
                            }
                        }
                    }
                }
            });
        }
    });
    start.elapsed()
}

fn run_dd(s: &Settings, case: Case, sync: SyncMode) -> Option<Duration> {
    let count = case.bytes_per_file(s) / MIB;
    let start = Instant::now();
    let children: Vec<_> = (0..case.files(s))
        .map(|i| {
            let mut cmd = Command::new("dd");
            cmd.arg("if=/dev/zero")
                .arg(format!("of={}", s.dir.join(format!("f{i}")).display()))
                .arg("bs=1M")
                .arg(format!("count={count}"))
                .stderr(std::process::Stdio::null());
            if sync != SyncMode::None {
                cmd.arg("conv=fdatasync");
            }
            cmd.spawn().ok()
        })
        .collect::<Option<Vec<_>>>()?;
    for mut c in children {
        if !c.wait().ok()?.success() {
            return None;
        }
    }
    Some(start.elapsed())
}

/// Deletes the benchmark files (dropping their dirty pages) and flushes everything else.
fn reset(dir: &Path) {
    for e in fs::read_dir(dir).expect("read_dir").flatten() {
        let _ = fs::remove_file(e.path());
    }
    // SAFETY: sync(2) has no preconditions.
    unsafe { libc::sync() };
    std::thread::sleep(Duration::from_millis(200));
}

fn sh(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("({cmd} failed: {e})"))
}

struct Row {
    case: Case,
    sync: SyncMode,
    method: &'static str,
    bytes: usize,
    secs: f64,
}

impl Row {
    fn mbps(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.secs
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (e.g. `cargo test --benches`) only smoke-tests.
    let benching = std::env::args().any(|a| a == "--bench");
    let default_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sink-bench");
    let dir = std::env::var_os("SINK_BENCH_DIR").map_or(default_dir, PathBuf::from);
    let s = Settings {
        dir: dir.join(format!("run-{}", std::process::id())),
        files: env_usize("SINK_BENCH_FILES", if benching { 8 } else { 2 }),
        mib: env_usize("SINK_BENCH_MIB", if benching { 512 } else { 4 }),
        small_files: env_usize("SINK_BENCH_SMALL_FILES", if benching { 64 } else { 4 }),
        small_mib: env_usize("SINK_BENCH_SMALL_MIB", if benching { 16 } else { 1 }),
        producers: env_usize("SINK_BENCH_PRODUCERS", 4),
        reps: env_usize("SINK_BENCH_REPS", 1).max(1),
        only: std::env::var("SINK_BENCH_ONLY").ok(),
    };
    fs::create_dir_all(&s.dir).expect("bench dir");
    let uring = io_uring_support();
    println!("sink benchmark");
    println!(
        "  nproc {}, kernel {}, io_uring: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        sh("uname", &["-r"]),
        match &uring {
            Ok(()) => "available".to_string(),
            Err(e) => format!("unavailable ({e})"),
        }
    );
    println!(
        "  dir {}:\n{}",
        s.dir.display(),
        sh("df", &["-T", &s.dir.to_string_lossy()])
    );
    let d = SinkConfig::default();
    println!(
        "  large: {} files x {} MiB; small: {} files x {} MiB in 64-256 KiB pieces; {} producers; \
         sink defaults: queue_depth {}, buffers {} (buffer 1 MiB large / 256 KiB small), portable threads {}, best of {}",
        s.files,
        s.mib,
        s.small_files,
        s.small_mib,
        s.producers,
        d.queue_depth,
        d.buffers,
        d.portable_threads,
        s.reps
    );
    let mut methods = vec![
        Method::Sink(BackendChoice::Portable),
        Method::Inline,
        Method::Std,
        Method::Dd,
    ];
    if uring.is_ok() {
        methods.insert(0, Method::Sink(BackendChoice::IoUring));
    }
    // The first measurement of a process ran up to 3x slower than the same one later (a cold
    // disk / writeback state); one discarded write + fdatasync of the large case evens that out.
    if benching && s.only.is_none() || env_usize("SINK_BENCH_WARMUP", 0) == 1 {
        reset(&s.dir);
        let t = run_std(&s, Case::Large, SyncMode::Data);
        println!(
            "  warm-up (discarded): std::fs large/fdatasync {:.2} s",
            t.as_secs_f64()
        );
    }
    let mut rows = Vec::new();
    for case in [Case::Large, Case::Small] {
        for sync in [SyncMode::None, SyncMode::Data] {
            for &m in &methods {
                if case == Case::Small && matches!(m, Method::Dd) {
                    continue;
                }
                let sync_name = if sync == SyncMode::None {
                    "none"
                } else {
                    "fdatasync"
                };
                let label = format!("{}/{sync_name}/{}", case.name(), m.name());
                if s.only.as_ref().is_some_and(|o| !label.contains(o.as_str())) {
                    continue;
                }
                let mut best: Option<Duration> = None;
                for _ in 0..s.reps {
                    reset(&s.dir);
                    let t = match m {
                        Method::Sink(choice) => {
                            Some(run_sink(&s, case, sink_config(case, choice, sync)))
                        }
                        Method::Inline => Some(run_sink(
                            &s,
                            case,
                            sink_config(case, BackendChoice::Inline, sync),
                        )),
                        Method::Std => Some(run_std(&s, case, sync)),
                        Method::Dd => run_dd(&s, case, sync),
                    };
                    if let Some(t) = t {
                        best = Some(best.map_or(t, |b| b.min(t)));
                    }
                }
                let Some(t) = best else {
                    println!("  {label}: dd unavailable, skipped");
                    continue;
                };
                let row = Row {
                    case,
                    sync,
                    method: m.name(),
                    bytes: case.files(&s) * case.bytes_per_file(&s),
                    secs: t.as_secs_f64(),
                };
                println!(
                    "  {label:<36} {:>9.1} MB/s  {:>7.2} s",
                    row.mbps(),
                    row.secs
                );
                let _ = std::io::stdout().flush();
                rows.push(row);
            }
        }
    }
    reset(&s.dir);
    let _ = fs::remove_dir(&s.dir);
    let _ = fs::remove_dir(&dir);

    println!();
    println!("| case | sync | method | MB/s | s | vs dd | vs std::fs |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for r in &rows {
        let find = |name: &str| {
            rows.iter()
                .find(|o| o.case == r.case && o.sync == r.sync && o.method == name)
                .map(Row::mbps)
        };
        let ratio =
            |base: Option<f64>| base.map_or("-".to_string(), |b| format!("{:.2}", r.mbps() / b));
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {} | {} |",
            r.case.name(),
            if r.sync == SyncMode::None {
                "none"
            } else {
                "fdatasync"
            },
            r.method,
            r.mbps(),
            r.secs,
            ratio(find("dd bs=1M")),
            ratio(find("std::fs")),
        );
    }
}
