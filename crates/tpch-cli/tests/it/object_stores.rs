//! Object-store outputs end to end against a real S3-compatible server on loopback (moto):
//! the objects' bytes equal the local export's files, existing objects are refused before any
//! upload, interrupted and killed uploads leave nothing behind, and a missing bucket or server
//! gives a one-line error in bounded time.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::s3::S3Server;

fn tpch(server: &S3Server, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args(args)
        .envs(server.env())
        .output()
        .unwrap()
}

fn ok(server: &S3Server, args: &[&str]) -> String {
    let out = tpch(server, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned() + &stderr
}

/// Every file under `dir`, relative, sorted.
fn local_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                files.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

/// Exports `args` locally and to `s3://bucket/<name>`; every object equals its local file.
fn assert_same_as_local(server: &S3Server, name: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().to_str().unwrap();
    let url = format!("s3://data/{name}");
    let base = ["gen", "--no-progress"];
    ok(server, &[&base[..], args, &["--output", local]].concat());
    ok(server, &[&base[..], args, &["--output", &url]].concat());
    let files = local_files(dir.path());
    let objects: Vec<String> = server.list(&url);
    let expected: Vec<String> = files.iter().map(|f| format!("{url}/{f}")).collect();
    assert_eq!(objects, expected, "{args:?}");
    for file in &files {
        let object = server.get(&format!("{url}/{file}"));
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        assert!(
            object == bytes,
            "{name}/{file}: {} vs {} bytes",
            object.len(),
            bytes.len()
        );
    }
    assert_eq!(server.open_uploads("data"), Vec::<String>::new());
}

#[test]
fn exports_to_s3_equal_local_exports() {
    let Some(server) = S3Server::with_bucket("data") else {
        return;
    };
    // SF 0.1: lineitem.tbl (~72 MB) and lineitem.parquet go up as multipart uploads.
    assert_same_as_local(&server, "tbl", &["--sf", "0.1"]);
    assert_same_as_local(
        &server,
        "parquet",
        &[
            "--sf",
            "0.1",
            "--format",
            "parquet",
            "--tables",
            "lineitem,orders",
        ],
    );
    assert_same_as_local(
        &server,
        "csv",
        &["--sf", "0.01", "--format", "csv", "--files-per-table", "3"],
    );
    assert_same_as_local(
        &server,
        "parts",
        &["--sf", "0.01", "--parts", "3", "--part", "2"],
    );
    // Refresh sets (dbgen -U) go to a bucket too, and are refused there once they exist.
    assert_same_as_local(&server, "updates", &["--sf", "0.01", "--updates", "2"]);
    let again = tpch(
        &server,
        &[
            "gen",
            "--sf",
            "0.01",
            "--updates",
            "1",
            "--output",
            "s3://data/updates",
        ],
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success());
    assert!(
        stderr.contains("s3://data/updates/orders.tbl.u1 exists"),
        "{stderr}"
    );
}

#[test]
fn existing_objects_are_refused_before_any_upload() {
    let Some(server) = S3Server::with_bucket("data") else {
        return;
    };
    let url = "s3://data/run";
    ok(
        &server,
        &["gen", "--sf", "0.01", "--tables", "nation", "--output", url],
    );
    let out = tpch(
        &server,
        &[
            "gen",
            "--sf",
            "0.01",
            "--tables",
            "region,nation",
            "--output",
            url,
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(
        stderr.trim(),
        "error: s3://data/run/nation.tbl exists; pass --overwrite to replace it"
    );
    // Refused before anything was uploaded: region is not there.
    assert_eq!(server.list(url), vec![format!("{url}/nation.tbl")]);
    ok(
        &server,
        &[
            "gen",
            "--sf",
            "0.01",
            "--tables",
            "region,nation",
            "--output",
            url,
            "--overwrite",
        ],
    );
    assert_eq!(server.list(url).len(), 2);
}

#[test]
fn missing_bucket_and_unreachable_server_are_one_line_errors() {
    let Some(mut server) = S3Server::start() else {
        return;
    };
    let out = tpch(
        &server,
        &["gen", "--sf", "0.01", "--output", "s3://nobucket/x"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("s3://nobucket/x") && stderr.contains("NoSuchBucket"),
        "{stderr}"
    );

    server.stop();
    let started = Instant::now();
    let out = tpch(&server, &["gen", "--sf", "0.01", "--output", "s3://data/x"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("Connection refused"), "{stderr}");
    // The retry bound (15 s) plus start-up.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn wrong_credentials_are_a_one_line_error_naming_the_bucket() {
    let Some(server) = S3Server::start_checking_credentials() else {
        return;
    };
    server.create_bucket("data");
    let out = tpch(&server, &["gen", "--sf", "0.01", "--output", "s3://data/x"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("s3://data/x") && stderr.contains("InvalidAccessKeyId"),
        "{stderr}"
    );
    assert!(!stderr.contains("test-secret"), "{stderr}");
}

/// Starts an SF 1 lineitem upload to `url` and waits until its multipart upload is open.
fn start_sf1_upload(server: &S3Server, url: &str) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args([
            "gen",
            "--sf",
            "1",
            "--tables",
            "lineitem",
            "--no-progress",
            "--output",
            url,
        ])
        .envs(server.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.open_uploads("data").is_empty() {
        assert!(Instant::now() < deadline, "no upload started");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Starts an SF 1 lineitem upload, waits until a multipart upload is open, then signals it.
fn signal_mid_upload(server: &S3Server, url: &str, signal: i32) -> Output {
    let child = start_sf1_upload(server, url);
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, signal) };
    child.wait_with_output().unwrap()
}

#[test]
#[ignore = "SF 1 upload; run with --include-ignored"]
fn interrupted_and_killed_uploads_leave_nothing_behind() {
    let Some(server) = S3Server::with_bucket("data") else {
        return;
    };
    let url = "s3://data/big";

    // SIGINT: the run aborts its upload before it exits.
    let out = signal_mid_upload(&server, url, libc::SIGINT);
    assert!(!out.status.success());
    assert_eq!(server.list(url), Vec::<String>::new());
    assert_eq!(server.open_uploads("data"), Vec::<String>::new());

    // SIGKILL: the upload stays open (invisible), and the next run into the prefix aborts it.
    let out = signal_mid_upload(&server, url, libc::SIGKILL);
    assert!(!out.status.success());
    assert_eq!(server.list(url), Vec::<String>::new());
    assert_eq!(
        server.open_uploads("data"),
        vec!["big/lineitem.tbl".to_string()]
    );
    let report = ok(
        &server,
        &["gen", "--sf", "0.01", "--tables", "nation", "--output", url],
    );
    assert!(report.contains("big/lineitem.tbl"), "{report}");
    assert_eq!(server.open_uploads("data"), Vec::<String>::new());
    assert_eq!(server.list(url), vec![format!("{url}/nation.tbl")]);
}

#[test]
fn copy_to_s3_equals_copy_to_a_local_directory() {
    let Some(server) = S3Server::with_bucket("data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().to_str().unwrap();
    for (to, format) in [
        ("orders/", "PARQUET"),
        ("orders.tbl", "TBL"),
        ("csv/", "CSV"),
    ] {
        let copy = |target: &str| {
            format!("COPY (SELECT * FROM orders) TO '{target}/{to}' STORED AS {format}")
        };
        let sql = format!("{}; {}", copy(local), copy("s3://data/copy"));
        ok(
            &server,
            &[
                "query",
                "--sf",
                "0.01",
                "--target-partitions",
                "3",
                "-e",
                &sql,
            ],
        );
    }
    let files = local_files(dir.path());
    assert_eq!(files.len(), 7, "{files:?}");
    let objects = server.list("s3://data/copy");
    let expected: Vec<String> = files
        .iter()
        .map(|f| format!("s3://data/copy/{f}"))
        .collect();
    assert_eq!(objects, expected);
    for file in &files {
        let object = server.get(&format!("s3://data/copy/{file}"));
        assert!(
            object == std::fs::read(dir.path().join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn parquet_sources_and_query_streams_in_a_bucket() {
    let Some(server) = S3Server::with_bucket("data") else {
        return;
    };
    let url = "s3://data/pq";
    ok(
        &server,
        &[
            "gen", "--sf", "0.01", "--format", "parquet", "--output", url,
        ],
    );
    let source = format!("parquet:{url}");
    let out = ok(
        &server,
        &[
            "query",
            "--sf",
            "0.01",
            "--source",
            &source,
            "--output-format",
            "csv",
            "-e",
            "SELECT count(*) AS n FROM lineitem",
        ],
    );
    assert!(out.starts_with("n\n60175\n"), "{out}");
    // `tpch bench` reads them too, configured by --storage-option alone (no AWS_* variables).
    let out = Command::new(env!("CARGO_BIN_EXE_tpch"))
        .args([
            "bench",
            "--sf",
            "0.01",
            "--source",
            &source,
            "--queries",
            "1,6",
        ])
        .args(["--verify"])
        .args(server.storage_args())
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("2 passed"), "{stdout}");
    // Another scale factor's files are refused, naming the table.
    let out = tpch(
        &server,
        &[
            "query", "--sf", "0.1", "--source", &source, "-e", "SELECT 1",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("holds 5 nation rows") || stderr.contains("rows but SF 0.1"),
        "{stderr}"
    );

    // `tpch queries --output` writes the stream's files to the bucket too.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().to_str().unwrap();
    ok(&server, &["queries", "--sf", "1", "--output", local]);
    ok(
        &server,
        &["queries", "--sf", "1", "--output", "s3://data/q"],
    );
    let files = local_files(dir.path());
    assert_eq!(files.len(), 22);
    for file in &files {
        let object = server.get(&format!("s3://data/q/{file}"));
        assert!(
            object == std::fs::read(dir.path().join(file)).unwrap(),
            "{file}"
        );
    }
    let out = tpch(
        &server,
        &["queries", "--sf", "1", "--output", "s3://data/q"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("s3://data/q/q01.sql exists"));
}

/// The server going away in the middle of an upload: the run fails with one line within the
/// retry bound (15 s) plus a request, instead of hanging.
#[test]
#[ignore = "SF 1 upload; run with --include-ignored"]
fn a_server_that_stops_mid_upload_is_a_bounded_one_line_error() {
    let Some(mut server) = S3Server::with_bucket("data") else {
        return;
    };
    let child = start_sf1_upload(&server, "s3://data/gone");
    server.stop();
    let stopped = Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("s3://data/gone/lineitem.tbl"), "{stderr}");
    assert!(
        stopped.elapsed() < Duration::from_secs(45),
        "{:?}",
        stopped.elapsed()
    );
}

/// Store settings in COPY's `OPTIONS` (as datafusion-cli names them) reach the bucket with no
/// environment and no session settings, through the crate's writer and DataFusion's
/// (`PARTITIONED BY`) alike.
#[test]
fn copy_options_carry_the_store_settings() {
    use datafusion::prelude::SessionConfig;
    use datafusion_dbgen::session::TpchSession;

    let Some(server) = S3Server::with_bucket("data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().to_str().unwrap();
    let options = format!(
        "OPTIONS ('aws.endpoint' '{}', 'aws.access_key_id' 'test', 'aws.secret_access_key' \
         'test-secret', 'aws.region' 'us-east-1', 'aws.allow_http' 'true')",
        server.endpoint()
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ctx = TpchSession::new()
        .with_tables(0.01)
        .unwrap()
        .context(SessionConfig::new().with_target_partitions(2))
        .unwrap();
    let run = |sql: String| {
        runtime
            .block_on(async { ctx.sql(&sql).await?.collect().await })
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    for to in ["s3://data/opts", local] {
        let opts = if to == local { "" } else { options.as_str() };
        run(format!(
            "COPY (SELECT * FROM nation) TO '{to}/nation.tbl' STORED AS TBL {opts}"
        ));
        run(format!(
            "COPY (SELECT * FROM orders) TO '{to}/orders/' STORED AS PARQUET {opts}"
        ));
        run(format!(
            "COPY (SELECT n_nationkey, n_regionkey FROM nation) TO '{to}/hive/' STORED AS CSV \
             PARTITIONED BY (n_regionkey) {opts}"
        ));
    }
    let files = local_files(dir.path());
    assert_eq!(files.len(), 1 + 2 + 5, "{files:?}");
    let objects = server.list("s3://data/opts");
    assert_eq!(objects.len(), files.len(), "{objects:?}");
    for file in files.iter().filter(|f| !f.starts_with("hive/")) {
        let object = server.get(&format!("s3://data/opts/{file}"));
        assert!(
            object == std::fs::read(dir.path().join(file)).unwrap(),
            "{file}"
        );
    }
    // Storage options on a local target are a plan error, not ignored.
    let local_with_options = runtime.block_on(async {
        ctx.sql(&format!(
            "COPY (SELECT * FROM region) TO '{local}/r.tbl' STORED AS TBL {options}"
        ))
        .await?
        .collect()
        .await
    });
    let message = local_with_options.unwrap_err().to_string();
    assert!(message.contains("object-store URLs only"), "{message}");
    assert!(!message.contains("test-secret"), "{message}");
}
