//! Ballista: a scheduler and two executors on loopback — inside the test process, and as
//! `tpch cluster` child processes — run the 22 queries on the generating tables at SF 0.01
//! (every answer equal to the official one) and distributed exports (dbgen's bytes), also
//! when an executor is killed.
#![cfg(feature = "ballista")]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use datafusion_dbgen::bench::{answer, check_answer, query};
use datafusion_dbgen::distributed::LocalCluster;
use datafusion_dbgen::export::{Exporter, Format};
use datafusion_dbgen::{ScaleFactor, Table};

use crate::support::{Digester, checksums, exit_within, temp_files};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_22_queries_on_a_two_executor_cluster() {
    let cluster = LocalCluster::start(2, 1, 4).await.unwrap();
    let ctx = cluster.context(0.01, 4).await.unwrap();
    for n in 1..=22 {
        let sql = query(n).unwrap();
        let batches = ctx.sql(sql).await.unwrap().collect().await;
        let batches = batches.unwrap_or_else(|e| panic!("q{n:02} on Ballista: {e}"));
        check_answer(&batches, answer(0.01, n).unwrap())
            .unwrap_or_else(|e| panic!("q{n:02} on Ballista: {e}"));
    }
    // Each task generates only its own part: a sum over all of lineitem is not multiplied.
    let sum = ctx
        .sql("SELECT sum(l_quantity) AS q FROM lineitem")
        .await
        .unwrap();
    let batches = sum.collect().await.unwrap();
    datafusion::assert_batches_eq!(
        [
            "+------------+",
            "| q          |",
            "+------------+",
            "| 1536127.00 |",
            "+------------+"
        ],
        &batches
    );
    // The scheduler plans as one process would: with the parts scans' exact statistics the
    // small sides are broadcast (`CollectLeft`) and no join sorts its inputs.
    let explained = ctx
        .sql(&format!("EXPLAIN {}", query(8).unwrap()))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let plan = datafusion::arrow::util::pretty::pretty_format_batches(&explained)
        .unwrap()
        .to_string();
    assert!(!plan.contains("SortMergeJoinExec"), "{plan}");
    assert!(plan.contains("HashJoinExec: mode=CollectLeft"), "{plan}");
    // Both executors generated parts (each counts the scan parts in the task plans it ran).
    let parts = cluster.parts_run();
    assert_eq!(parts.len(), 2);
    assert!(
        parts.iter().all(|&p| p > 0),
        "scan parts per executor: {parts:?}"
    );
}

/// A scheduler and executors as child processes of the `tpch` binary (`tpch cluster …`), on
/// free loopback ports; every process is killed and reaped when this is dropped, also when a
/// test fails.
struct ChildCluster {
    url: String,
    scheduler: Child,
    executors: Vec<Child>,
    logs: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tpch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tpch"))
}

impl ChildCluster {
    /// A scheduler that declares an executor lost after 3 s of silence, and `executors`
    /// executors of one task slot each, beating every second.
    fn start(executors: usize) -> ChildCluster {
        Self::start_with(executors, &[])
    }

    /// As [`start`](Self::start), every process also given `extra` arguments.
    fn start_with(executors: usize, extra: &[String]) -> ChildCluster {
        let logs = tempfile::tempdir().unwrap();
        let dir = logs.path().to_path_buf();
        let log = |name: &str| File::create(dir.join(name)).unwrap();
        let mut scheduler = tpch()
            .args([
                "cluster",
                "scheduler",
                "--port",
                "0",
                "--executor-timeout",
                "3",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(log("scheduler.log"))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(scheduler.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().rsplit(' ').next().unwrap().to_string();
        let mut cluster = ChildCluster {
            url: format!("df://{address}"),
            scheduler,
            executors: Vec::new(),
            logs,
        };
        for i in 0..executors {
            let (port, grpc) = (free_port(), free_port());
            let child = tpch()
                .args(["cluster", "executor", "--scheduler", &address])
                .args([
                    "--port",
                    &port.to_string(),
                    "--grpc-port",
                    &grpc.to_string(),
                ])
                .args(["--concurrent-tasks", "1", "--heartbeat-interval", "1"])
                .args(extra)
                .stdout(Stdio::null())
                .stderr(log(&format!("executor-{i}.log")))
                .spawn()
                .unwrap();
            cluster.executors.push(child);
        }
        let started = Instant::now();
        while (0..executors).any(|i| {
            !cluster
                .log(&format!("executor-{i}.log"))
                .contains("registration succeed")
        }) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "executors did not register"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.logs.path().join(name)).unwrap_or_default()
    }

    /// Kills executor `i` with SIGKILL and reaps it (a zombie would still look alive).
    fn kill_executor(&mut self, i: usize) {
        self.executors[i].kill().unwrap();
        self.executors[i].wait().unwrap();
    }
}

impl Drop for ChildCluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `tpch gen --scheduler` of the cluster, `parts` parts into `dir`.
fn gen_command(cluster: &ChildCluster, sf: &str, format: &str, dir: &Path, parts: &str) -> Command {
    let mut command = tpch();
    command
        .args([
            "gen",
            "--scheduler",
            &cluster.url,
            "--sf",
            sf,
            "--format",
            format,
        ])
        .args(["--parts", parts, "--output"])
        .arg(dir);
    command
}

fn gen_on(cluster: &ChildCluster, sf: &str, format: &str, dir: &Path, parts: &str) -> Output {
    gen_command(cluster, sf, format, dir, parts)
        .output()
        .unwrap()
}

/// The part files of `table` (`<table>.tbl.1`, …, or `<table>.tbl` for nation and region),
/// concatenated in part order.
fn concatenated(dir: &Path, table: &str, ext: &str, parts: usize) -> Digester {
    let mut digest = Digester::default();
    let whole = dir.join(format!("{table}.{ext}"));
    if whole.exists() {
        digest.update(&std::fs::read(whole).unwrap());
    } else {
        for part in 1..=parts {
            digest.update(&std::fs::read(dir.join(format!("{table}.{ext}.{part}"))).unwrap());
        }
    }
    digest
}

#[test]
fn distributed_export_and_the_22_queries_on_child_processes() {
    let cluster = ChildCluster::start(2);

    // The 22 queries through the CLI on the cluster, verified against the official answers.
    the_22_queries_pass_on(&cluster, "0.01");

    // SF 0.1 as .tbl in 4 parts: each table's parts concatenate to dbgen's table.
    let dir = tempfile::tempdir().unwrap();
    let out = gen_on(&cluster, "0.1", "tbl", dir.path(), "4");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("26 files"), "{stdout}");
    assert!(
        stdout.contains("by 2 executor(s)"),
        "both executors wrote parts: {stdout}"
    );
    for r in checksums().into_iter().filter(|r| r.sf == 0.1) {
        let digest = concatenated(dir.path(), &r.table, "tbl", 4);
        assert_eq!(digest.hex(), r.sha256, "{}", r.table);
    }
    assert!(temp_files(dir.path()).is_empty());

    // CSV and Parquet: the same bytes as the local export of the same parts.
    for format in [Format::Csv, Format::Parquet] {
        let remote = tempfile::tempdir().unwrap();
        let out = gen_on(&cluster, "0.01", &format.to_string(), remote.path(), "2");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let local = tempfile::tempdir().unwrap();
        for part in 1..=2 {
            Exporter::new(ScaleFactor::try_new(0.01).unwrap())
                .format(format)
                .output(local.path())
                .part(part, 2)
                .threads(1)
                .overwrite(true)
                .run()
                .unwrap();
        }
        for table in Table::ALL {
            let ext = format.extension();
            let a = concatenated(remote.path(), table.name(), ext, 2);
            let b = concatenated(local.path(), table.name(), ext, 2);
            assert_eq!(a.hex(), b.hex(), "{table} as {format}");
        }
    }
}

#[test]
fn an_executor_killed_during_a_distributed_export() {
    let mut cluster = ChildCluster::start(2);
    let dir = tempfile::tempdir().unwrap();
    let mut export = gen_command(&cluster, "1", "tbl", dir.path(), "8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the first executor while it writes a part.
    let victim = cluster.executors[0].id();
    let started = Instant::now();
    while !temp_files(dir.path())
        .iter()
        .any(|name| owner(name) == Some(victim))
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "executor 0 never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    cluster.kill_executor(0);
    let status = exit_within(
        &mut export,
        Duration::from_secs(240),
        "the export after an executor was killed",
    );
    let out = export.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !status.success() {
        // A clear error, on one line.
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    // Either way nothing half-written is left.
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());

    // A rerun on the surviving executor completes with dbgen's files.
    let rerun = gen_command(&cluster, "1", "tbl", dir.path(), "8")
        .arg("--overwrite")
        .output()
        .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    for r in checksums().into_iter().filter(|r| r.sf == 1.0) {
        let digest = concatenated(dir.path(), &r.table, "tbl", 8);
        assert_eq!(digest.hex(), r.sha256, "{}", r.table);
    }
    assert!(temp_files(dir.path()).is_empty());
}

/// Four executor processes: the 22 queries at SF 0.1 answer as the official answers say, and
/// every executor ran tasks (more executors than the two the other tests use).
#[test]
fn four_executors_answer_the_22_queries() {
    the_22_queries_pass_on(&ChildCluster::start(4), "0.1");
}

/// `tpch bench --verify` at `sf` on `cluster`: all 22 answers pass, and every executor process
/// ran tasks of the queries' jobs (its own log says so).
fn the_22_queries_pass_on(cluster: &ChildCluster, sf: &str) {
    let bench = tpch()
        .args(["bench", "--sf", sf, "--verify", "--scheduler", &cluster.url])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&bench.stdout);
    assert!(
        bench.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&bench.stderr)
    );
    assert!(stdout.contains("22 passed"), "{stdout}");
    for i in 0..cluster.executors.len() {
        let log = cluster.log(&format!("executor-{i}.log"));
        assert!(log.contains("Execute task"), "executor {i} ran no task");
    }
}

/// The scheduler SIGKILLed while a query runs: the client fails within seconds with one line
/// (it does not wait for an answer that cannot come).
#[test]
fn the_scheduler_killed_during_a_query() {
    let mut cluster = ChildCluster::start(1);
    let mut query = tpch()
        .args(["query", "--sf", "1", "--scheduler", &cluster.url, "-e"])
        .arg("SELECT count(*) FROM lineitem a JOIN lineitem b ON a.l_orderkey = b.l_orderkey")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !cluster.log("executor-0.log").contains("Execute task") {
        assert!(started.elapsed() < Duration::from_secs(60), "no task ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    cluster.scheduler.kill().unwrap();
    cluster.scheduler.wait().unwrap();
    let status = exit_within(
        &mut query,
        Duration::from_secs(30),
        "the client after its scheduler was killed",
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut query.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

/// An executor SIGKILLed while `tpch bench --scheduler` runs: the query in flight is retried on
/// the other executor once the scheduler declares the lost one dead, and the benchmark ends
/// with every answer verified (Ballista's adaptive planner used to wait forever here).
#[test]
fn an_executor_killed_during_a_benchmark() {
    let mut cluster = ChildCluster::start(2);
    let mut bench = tpch()
        .args(["bench", "--sf", "0.1", "--scheduler", &cluster.url])
        .args(["--queries", "1,5,9,18,21", "--verify"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(bench.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref().map_while(Result::ok) {
        let first_row = line.starts_with("q01");
        seen.push(line);
        if first_row {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.starts_with("q01")),
        "{seen:?}"
    );
    cluster.kill_executor(0);
    let killed = Instant::now();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = bench.wait().unwrap();
    assert!(
        killed.elapsed() < Duration::from_secs(240),
        "the benchmark took {:?} after the kill",
        killed.elapsed()
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut bench.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{rest:?} {stderr}");
    let passed = seen
        .iter()
        .chain(&rest)
        .filter(|l| l.starts_with('q') && l.ends_with("passed"))
        .count();
    assert_eq!(passed, 5, "{seen:?} {rest:?}");
}

/// The process id in a sink temporary file's name (`.<name>.<pid hex>-<counter>-<nanos>.tmp`).
fn owner(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tag) = stem.rsplit_once('.')?;
    u32::from_str_radix(tag.split('-').next()?, 16).ok()
}

/// The distributed export into a bucket: every executor uploads its own parts (configured by
/// `--storage-option`, sent with the export), so the whole data set lands in one place, and the
/// parts concatenate to dbgen's tables.
#[test]
fn distributed_export_uploads_every_part_to_one_bucket() {
    let Some(server) = crate::support::s3::S3Server::with_bucket("data") else {
        return;
    };
    // The processes reach the bucket with their own settings (for the Parquet reads below;
    // the export sends its own).
    let cluster = ChildCluster::start_with(2, &server.storage_args());
    let url = "s3://data/dist";
    let export = || {
        tpch()
            .args([
                "gen",
                "--scheduler",
                &cluster.url,
                "--sf",
                "0.1",
                "--parts",
                "4",
            ])
            .args(["--output", url])
            .args(server.storage_args())
            .output()
            .unwrap()
    };
    let out = export();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("26 files"), "{stdout}");
    assert!(stdout.contains("by 2 executor(s)"), "{stdout}");
    let objects = server.list(url);
    assert_eq!(objects.len(), 26, "{objects:?}");
    for r in checksums().into_iter().filter(|r| r.sf == 0.1) {
        let mut digest = Digester::default();
        let whole = format!("{url}/{}.tbl", r.table);
        if objects.contains(&whole) {
            digest.update(&server.get(&whole));
        } else {
            for part in 1..=4 {
                digest.update(&server.get(&format!("{whole}.{part}")));
            }
        }
        assert_eq!(digest.hex(), r.sha256, "{}", r.table);
    }
    assert_eq!(server.open_uploads("data"), Vec::<String>::new());
    // A second run finds the parts and refuses before the cluster writes anything.
    let out = export();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("exists; pass --overwrite"), "{stderr}");

    // Parquet in the bucket, read by the cluster: the scheduler lists it, the executors read
    // it, and the answers are the official ones.
    let pq = "s3://data/pq";
    let out = tpch()
        .args(["gen", "--sf", "0.01", "--format", "parquet", "--output", pq])
        .args(["--files-per-table", "2"])
        .args(server.storage_args())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bench = tpch()
        .args([
            "bench",
            "--sf",
            "0.01",
            "--verify",
            "--scheduler",
            &cluster.url,
        ])
        .args(["--source", &format!("parquet:{pq}")])
        .args(server.storage_args())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&bench.stdout);
    assert!(
        bench.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&bench.stderr)
    );
    // (The client plans only: had the executors no way into the bucket, the reads would fail.)
    assert!(stdout.contains("22 passed"), "{stdout}");
    // Memory tables live in this process: not a cluster source.
    let out = tpch()
        .args(["bench", "--sf", "0.01", "--scheduler", &cluster.url])
        .args(["--source", "memory"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("does not run on a cluster"), "{stderr}");
}

/// `--updates` with `--scheduler` is refused instead of running here silently (issue 30,
/// item 15); no cluster is needed to say so.
#[test]
fn refresh_sets_are_not_sent_to_a_cluster() {
    let out = tpch()
        .args(["gen", "--sf", "0.01", "--updates", "1"])
        .args(["--scheduler", "df://127.0.0.1:1", "--output", "unused"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("leave out --scheduler"), "{stderr}");
    assert!(!Path::new("unused").exists());
}

/// Runs `command` (stdout and stderr captured) and fails the test unless it exits within
/// `bound`; returns its exit code and standard error.
fn exits_within(command: &mut Command, bound: Duration) -> (Option<i32>, String) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = exit_within(&mut child, bound, &format!("{command:?}"));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

/// A cluster's faults give one line each, in bounded time (issue 30, items 10, 12, 13): a
/// query with no executor registered, an executor whose scheduler died, busy ports, an
/// unusable work directory, a non-df:// scheduler URL, an unwritable export directory and
/// `STORED AS TBL` where no crate writer runs.
#[test]
fn cluster_faults_are_bounded_one_line_errors() {
    // No executor: the query fails after the scheduler's --executor-wait, saying why.
    let mut cluster =
        ChildCluster::start_with(0, &["--executor-wait".to_string(), "2".to_string()]);
    let (code, stderr) = exits_within(
        tpch()
            .args(["query", "--sf", "0.01", "--scheduler", &cluster.url])
            .args(["-e", "SELECT count(*) FROM nation"]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no executor is registered"), "{stderr}");

    // No scheduler on the port: a one-line error naming it, at once.
    let closed = free_port();
    let (code, stderr) = exits_within(
        tpch()
            .args(["query", "--sf", "0.01", "--scheduler"])
            .arg(format!("df://127.0.0.1:{closed}"))
            .args(["-e", "SELECT 1"]),
        Duration::from_secs(10),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot reach the scheduler at df://127.0.0.1:{closed}"
        )),
        "{stderr}"
    );

    // A busy port and an unusable work directory: refused before "listening".
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = held.local_addr().unwrap().port().to_string();
    let address = cluster.url.trim_start_matches("df://").to_string();
    let executor = |extra: &[&str]| {
        let mut command = tpch();
        command
            .args(["cluster", "executor", "--scheduler", &address])
            .args(extra);
        command
    };
    let grpc = free_port().to_string();
    let (code, stderr) = exits_within(
        &mut executor(&["--port", &busy, "--grpc-port", &grpc]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{busy}")),
        "{stderr}"
    );
    let port = free_port().to_string();
    let (code, stderr) = exits_within(
        &mut executor(&[
            "--port",
            &port,
            "--grpc-port",
            &grpc,
            "--work-dir",
            "/proc/tpch",
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("work directory /proc/tpch is unusable"),
        "{stderr}"
    );

    // An executor whose scheduler dies exits non-zero, saying so.
    let mut live = executor(&["--port", &port, "--grpc-port", &grpc]);
    live.args(["--heartbeat-interval", "1"]);
    let mut live = live
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(live.stderr.take().unwrap()).lines();
    assert!(
        lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("registration succeed")),
        "the executor did not register"
    );
    cluster.scheduler.kill().unwrap();
    cluster.scheduler.wait().unwrap();
    let killed = Instant::now();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = live.wait().unwrap();
    assert!(killed.elapsed() < Duration::from_secs(60));
    assert_eq!(status.code(), Some(1), "{rest:?}");
    let last = rest.last().cloned().unwrap_or_default();
    assert!(last.contains("lost the scheduler at"), "{rest:?}");

    // Not a scheduler URL: refused by the flag's check.
    let (code, stderr) = exits_within(
        tpch()
            .args(["query", "--sf", "0.01", "--scheduler", "http://localhost:1"])
            .args(["-e", "SELECT 1"]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("`http://` is not a scheduler's address"),
        "{stderr}"
    );

    // STORED AS TBL with DataFusion's writers: the reason, not "Format not explicitly set".
    let (code, stderr) = exits_within(
        tpch()
            .args(["query", "--sf", "0.01", "--copy-writer", "datafusion", "-e"])
            .arg("COPY (SELECT * FROM nation) TO '/tmp/never-written.tbl' STORED AS TBL"),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("crate's COPY writer only"), "{stderr}");
}

/// A distributed export into a directory that cannot be written fails in one line naming it,
/// before any task runs, and `STORED AS TBL` on a cluster says why it is refused.
#[test]
fn unwritable_cluster_outputs_are_one_line_errors() {
    let cluster = ChildCluster::start(1);
    let (code, stderr) = exits_within(
        &mut gen_command(&cluster, "0.01", "tbl", Path::new("/proc/tpch-out"), "2"),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write into /proc/tpch-out"),
        "{stderr}"
    );
    let (code, stderr) = exits_within(
        tpch()
            .args(["query", "--sf", "0.01", "--scheduler", &cluster.url, "-e"])
            .arg("COPY (SELECT * FROM nation) TO '/tmp/never-written.tbl' STORED AS TBL"),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("crate's COPY writer only"), "{stderr}");
}

/// The files (not the sink's hidden temporary files or markers) directly in `dir`.
fn visible_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Ctrl-C on `tpch gen --scheduler` stops the executors' tasks (Ballista's client would leave
/// them writing), removes their temporary files and reports the files that were published
/// (issue 30, item 11).
#[test]
fn an_interrupted_distributed_export_stops_the_cluster_and_says_what_it_published() {
    let cluster = ChildCluster::start(2);
    let dir = tempfile::tempdir().unwrap();
    let child = gen_command(&cluster, "1", "tbl", dir.path(), "8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while visible_files(dir.path()).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "nothing published"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let sent = Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        sent.elapsed() < Duration::from_secs(60),
        "took {:?}",
        sent.elapsed()
    );
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let published = visible_files(dir.path());
    assert!(
        published.len() < 26,
        "the whole export finished: {published:?}"
    );
    assert!(
        stderr.contains(&format!(
            "{} file(s) finished before the stop",
            published.len()
        )),
        "{stderr}\n{published:?}"
    );
    // The executors stopped: nothing more appears, and nothing is left half-written.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(visible_files(dir.path()), published);
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
    let hidden: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tpch-cancel"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}
