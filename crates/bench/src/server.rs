//! Starting real `tertulia serve` processes on loopback for the scenarios
//! that need one, each in its own temporary directory, and signing users
//! in through the API as a client would.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

use tertulia_core::config::DatabaseConfig;
use tertulia_db::Db;

use crate::BenchError;
use crate::target::Target;

/// Password of the users the scenarios create through the CLI.
const PASSWORD: &str = "bench-password-Tertulia-2026";
/// How long a server may take to answer `/healthz` after it is started.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// A running server, killed when dropped.
pub struct Server {
    pub name: &'static str,
    pub port: u16,
    pub db_url: String,
    binary: PathBuf,
    dir: tempfile::TempDir,
    child: Child,
}

/// What to start: the binary, and the database (a fresh SQLite file in the
/// server's directory when `None`).
pub struct Launch<'a> {
    pub binary: &'a Path,
    pub name: &'static str,
    pub db_url: Option<String>,
    /// Extra `TERTULIA_*` settings, applied after the benchmark defaults.
    pub env: Vec<(String, String)>,
}

impl Server {
    pub async fn start(launch: Launch<'_>, http: &reqwest::Client) -> Result<Server, BenchError> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::Usage(format!("temporary directory: {e}")))?;
        let port = free_port()?;
        let db_url = launch.db_url.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("tertulia.db").display()));
        let binary = launch.binary.to_path_buf();
        let mut command = Command::new(&binary);
        command.arg("serve").envs(server_env(port, &db_url, dir.path())).envs(launch.env);
        command.current_dir(dir.path()).kill_on_drop(true).stdout(Stdio::null());
        command
            .stderr(std::fs::File::create(dir.path().join("serve.log")).map_err(|e| BenchError::Usage(e.to_string()))?);
        let child = command.spawn().map_err(|e| {
            BenchError::Usage(format!("cannot start {}: {e} (build it with cargo build --release)", binary.display()))
        })?;
        let server = Server { name: launch.name, port, db_url, binary, dir, child };
        let deadline = Instant::now() + START_DEADLINE;
        while !http.get(server.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(server.dir.path().join("serve.log")).unwrap_or_default();
                return Err(BenchError::Check(format!(
                    "server {} did not start on port {port}; its log:\n{log}",
                    launch.name
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(server)
    }

    /// The process id, for memory readings.
    pub fn pid(&self) -> Result<u32, BenchError> {
        self.child.id().ok_or_else(|| BenchError::Check(format!("server {} has exited", self.name)))
    }

    /// A connection pool to the server's database, for setting up data and
    /// watching queues.
    pub fn database(&self) -> Result<Db, BenchError> {
        Ok(Db::connect(&DatabaseConfig {
            url: self.db_url.clone(),
            pool_size: 2,
            connect_timeout_secs: 10,
            ..DatabaseConfig::default()
        })?)
    }

    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// Creates a user with `tertulia admin user create` and signs them in
    /// with the password grant.
    pub async fn user(&self, username: &str) -> Result<Target, BenchError> {
        let mut child = Command::new(&self.binary)
            .args(["admin", "user", "create", "--username", username, "--password-stdin"])
            .args(["--email", &format!("{username}@bench.example")])
            .envs(server_env(self.port, &self.db_url, self.dir.path()))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| BenchError::Usage(e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(PASSWORD.as_bytes()).await.map_err(|e| BenchError::Usage(e.to_string()))?;
        }
        let status = child.wait().await.map_err(|e| BenchError::Usage(e.to_string()))?;
        if !status.success() {
            return Err(BenchError::Check(format!("cannot create {username} on {}", self.name)));
        }
        Target::sign_in(&self.url(""), username, PASSWORD).await
    }
}

/// The settings every benchmark server runs with: loopback only, private
/// addresses allowed for federation between local ports, no rate limits
/// (the load generator would hit them), warnings only in the log.
fn server_env(port: u16, db_url: &str, dir: &Path) -> Vec<(String, String)> {
    [
        ("TERTULIA_DOMAIN", format!("localhost:{port}")),
        ("TERTULIA_PROTOCOL", "http".to_owned()),
        ("TERTULIA_BIND", format!("127.0.0.1:{port}")),
        ("TERTULIA_DATABASE_URL", db_url.to_owned()),
        ("TERTULIA_DATABASE_POOL_SIZE", "16".to_owned()),
        ("TERTULIA_MEDIA_DIR", dir.join("media").display().to_string()),
        ("TERTULIA_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true".to_owned()),
        ("TERTULIA_FEDERATION_MODE", "open".to_owned()),
        ("TERTULIA_RATE_LIMITS_ENABLED", "false".to_owned()),
        ("TERTULIA_LOG_LEVEL", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16, BenchError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| BenchError::Usage(e.to_string()))?;
    Ok(listener.local_addr().map_err(|e| BenchError::Usage(e.to_string()))?.port())
}

/// `binary` as an absolute path (servers run in their own directories).
pub fn absolute_binary(binary: &Path) -> Result<PathBuf, BenchError> {
    std::fs::canonicalize(binary)
        .map_err(|e| BenchError::Usage(format!("{}: {e} (build it with cargo build --release)", binary.display())))
}
