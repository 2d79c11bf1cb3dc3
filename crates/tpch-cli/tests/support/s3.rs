//! A real S3-compatible server on loopback for the object-store tests: moto's `moto_server`
//! (PyPI `moto[server]`), started per test on a free port and killed when dropped.
//!
//! The server binary comes from `TPCH_S3_SERVER`, else `moto_server` on `PATH`, else the
//! project's Python environment (`~/.cache/datafusion-dbgen/pyvenv/bin/moto_server`, where
//! `.ci/run` installs it). Without one, the tests say so and pass, unless `TPCH_REQUIRE_S3=1`
//! (set by `.ci/run`) makes that a failure.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion_dbgen::store::object_store::ObjectStoreExt;
use datafusion_dbgen::store::{ObjectStores, StorageOptions};

/// A running server; killed on drop.
pub struct S3Server {
    child: Child,
    pub port: u16,
}

fn server_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TPCH_S3_SERVER") {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let home = std::env::var_os("HOME")?;
        let venv = PathBuf::from(home).join(".cache/datafusion-dbgen/pyvenv/bin/moto_server");
        venv.is_file().then_some(venv)
    })
}

/// A free loopback port (bound, then released for the server).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl S3Server {
    /// Starts a server, or `None` (with a note) when none is installed and none is required.
    pub fn start() -> Option<S3Server> {
        Self::start_with(&[])
    }

    /// A server with bucket `bucket` created.
    pub fn with_bucket(bucket: &str) -> Option<S3Server> {
        let server = Self::start()?;
        server.create_bucket(bucket);
        Some(server)
    }

    /// A server that checks credentials after its first request (moto's
    /// `INITIAL_NO_AUTH_ACTION_COUNT`): create the bucket first, then every request needs keys
    /// it knows, which no test has.
    pub fn start_checking_credentials() -> Option<S3Server> {
        Self::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "1")])
    }

    fn start_with(env: &[(&str, &str)]) -> Option<S3Server> {
        let Some(binary) = server_binary() else {
            assert!(
                std::env::var("TPCH_REQUIRE_S3").as_deref() != Ok("1"),
                "TPCH_REQUIRE_S3=1 but no moto_server found (set TPCH_S3_SERVER)"
            );
            eprintln!("skipped: no S3-compatible server (pip install 'moto[server]')");
            return None;
        };
        let port = free_port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let server = S3Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        // A TCP connection, not a request: a request would count against the unauthenticated ones.
        while TcpStream::connect(("127.0.0.1", server.port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One unauthenticated request (moto does not check signatures); returns status and body.
    pub fn http(&self, method: &str, target: &str) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\r\n",
            self.port
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map_or(String::new(), |(_, b)| b.to_string());
        Ok((status, body))
    }

    /// Creates `bucket`.
    pub fn create_bucket(&self, bucket: &str) {
        let (status, body) = self.http("PUT", &format!("/{bucket}")).unwrap();
        assert_eq!(status, 200, "{body}");
    }

    /// The keys of the multipart uploads open in `bucket`.
    pub fn open_uploads(&self, bucket: &str) -> Vec<String> {
        let (status, body) = self.http("GET", &format!("/{bucket}?uploads")).unwrap();
        assert_eq!(status, 200, "{body}");
        body.split("<Key>")
            .skip(1)
            .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect()
    }

    /// The environment a `tpch` child needs to reach this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }

    /// `--storage-option` flags that reach this server (instead of the environment).
    pub fn storage_args(&self) -> Vec<String> {
        [
            format!("aws_endpoint={}", self.endpoint()),
            "aws_allow_http=true".into(),
            "aws_access_key_id=test".into(),
            "aws_secret_access_key=test-secret".into(),
            "aws_region=us-east-1".into(),
        ]
        .into_iter()
        .flat_map(|pair| ["--storage-option".to_string(), pair])
        .collect()
    }

    /// Stores that reach this server (for reading objects back in the test).
    pub fn stores(&self) -> ObjectStores {
        let options: StorageOptions = [
            ("aws_access_key_id", "test".to_string()),
            ("aws_secret_access_key", "test-secret".to_string()),
            ("aws_region", "us-east-1".to_string()),
            ("aws_endpoint", self.endpoint()),
            ("aws_allow_http", "true".to_string()),
        ]
        .into_iter()
        .collect();
        ObjectStores::new(options)
    }

    /// The objects under `url` (`s3://bucket/prefix`), as URLs, sorted.
    pub fn list(&self, url: &str) -> Vec<String> {
        let mut urls = self.stores().list(url).unwrap();
        urls.sort();
        urls
    }

    /// The bytes of object `url`.
    pub fn get(&self, url: &str) -> Vec<u8> {
        let (entry, key) = self.stores().resolve(url).unwrap();
        let store: Arc<_> = entry.store();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let got = store.get(&key).await.unwrap();
            got.bytes().await.unwrap().to_vec()
        })
    }

    /// Stops the server (as if it crashed).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}
