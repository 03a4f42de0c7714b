use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::TestDatabase;
use crate::https::{HttpsNetwork, Seat};

/// How long a server may take to answer `/healthz` after start.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// A running `tertulia serve` on `127.0.0.1:<free port>`, with domain
/// `localhost:<port>` (or, on an [`HttpsNetwork`], its host name there), its
/// own database and working directory. The process is killed when this is
/// dropped.
pub struct TestInstance {
    pub base_url: String,
    pub domain: String,
    pub port: u16,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    binary: PathBuf,
    extra_env: Vec<(String, String)>,
    child: Option<Child>,
    starts: u32,
    /// Its place on an HTTPS test network, whose namespace every command
    /// of the instance runs in.
    seat: Option<Seat>,
}

/// What a CLI invocation printed and how it ended.
#[derive(Debug)]
pub struct CliOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl TestInstance {
    /// Starts `binary serve` on a fresh database and waits until healthy.
    pub async fn start(binary: &str) -> TestInstance {
        Self::start_with_env(binary, &[]).await
    }

    /// Like [`start`](Self::start), with extra `TERTULIA_*` settings.
    pub async fn start_with_env(binary: &str, env: &[(&str, &str)]) -> TestInstance {
        Self::start_on(binary, TestDatabase::create(), env).await
    }

    /// Starts on the given database, with extra `TERTULIA_*` settings.
    ///
    /// The port is free when chosen, but another test may take it before
    /// this server binds it; the server then cannot start, and it is
    /// started again on another port.
    pub async fn start_on(binary: &str, mut db: TestDatabase, env: &[(&str, &str)]) -> TestInstance {
        for attempt in 1..=PORT_ATTEMPTS {
            let port = free_port();
            let client = http_client().build().expect("HTTP client");
            let origin =
                Origin { base_url: format!("http://localhost:{port}"), domain: format!("localhost:{port}"), client };
            let mut instance = Self::new(binary, db, env, port, origin, None);
            match instance.launch().await {
                Ok(()) => return instance,
                Err(StartFailure::PortTaken) if attempt < PORT_ATTEMPTS => {
                    // The database goes on to the next attempt.
                    let alias = instance.db.alias();
                    db = std::mem::replace(&mut instance.db, alias);
                }
                Err(failure) => panic!("{failure}:\n{}", instance.logs()),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// Starts as `name` on `network` (`https://<name>.tertulia.test`), on
    /// the given database, with extra `TERTULIA_*` settings. The network
    /// is a namespace of the test's own, so no other test takes its ports.
    pub async fn start_in_network(
        binary: &str,
        db: TestDatabase,
        env: &[(&str, &str)],
        network: &HttpsNetwork,
        name: &str,
    ) -> TestInstance {
        let port = free_port();
        let seat = network.join(name, ([127, 0, 0, 1], port).into());
        let origin = Origin {
            base_url: format!("https://{}", seat.host_name),
            domain: seat.host_name.clone(),
            client: network.client(),
        };
        // The URLs it gives out are https; the test's own settings still win.
        let env = [&[("TERTULIA_PROTOCOL", "https")], env].concat();
        let mut instance = Self::new(binary, db, &env, port, origin, Some(seat));
        if let Err(failure) = instance.launch().await {
            panic!("{failure}:\n{}", instance.logs());
        }
        instance
    }

    fn new(
        binary: &str,
        db: TestDatabase,
        env: &[(&str, &str)],
        port: u16,
        origin: Origin,
        seat: Option<Seat>,
    ) -> TestInstance {
        TestInstance {
            base_url: origin.base_url,
            domain: origin.domain,
            port,
            db,
            client: origin.client,
            binary: PathBuf::from(binary),
            extra_env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            child: None,
            starts: 0,
            seat,
        }
    }

    /// The settings every command of this instance runs with.
    fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("TERTULIA_DOMAIN".to_string(), self.domain.clone()),
            ("TERTULIA_BIND".to_string(), format!("127.0.0.1:{}", self.port)),
            ("TERTULIA_DATABASE_URL".to_string(), self.db.url.clone()),
            ("TERTULIA_DATABASE_POOL_SIZE".to_string(), "4".to_string()),
            ("TERTULIA_MEDIA_DIR".to_string(), self.dir().join("media").display().to_string()),
            ("TERTULIA_LOG_LEVEL".to_string(), "info".to_string()),
        ];
        env.extend(self.extra_env.iter().cloned());
        env
    }

    fn command(&self, args: &[&str]) -> Command {
        let binary = self.binary.to_str().expect("a UTF-8 binary path");
        let mut command = match &self.seat {
            Some(seat) => seat.network.command(binary),
            None => Command::new(binary),
        };
        command.args(args).current_dir(self.dir()).kill_on_drop(true);
        // The test's own TERTULIA_* variables must not leak into the server.
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TERTULIA_")) {
            command.env_remove(name);
        }
        command.envs(self.env());
        command
    }

    pub fn dir(&self) -> &Path {
        self.db.dir()
    }

    fn log_path(&self) -> PathBuf {
        self.dir().join(format!("serve-{}.log", self.starts))
    }

    /// Starts `serve` and waits until it is healthy. A `/healthz` answer
    /// counts only once this process has said it is listening: until then
    /// the answer may come from another test's server that took the port.
    async fn launch(&mut self) -> Result<(), StartFailure> {
        self.starts += 1;
        let log = std::fs::File::create(self.log_path()).expect("log file");
        let child = self
            .command(&["serve"])
            .stdout(Stdio::from(log.try_clone().expect("log file")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start tertulia serve");
        self.child = Some(child);
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                self.child = None;
                return Err(if self.logs().contains(PORT_TAKEN) {
                    StartFailure::PortTaken
                } else {
                    StartFailure::Exited(status)
                });
            }
            if self.logs().contains(LISTENING) {
                let healthy = self.client.get(self.url("/healthz")).send().await.map(|r| r.status().is_success());
                if healthy.unwrap_or(false) {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(StartFailure::NotHealthy);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id of the running server, to read its `/proc` files.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().and_then(Child::id).expect("server is running")
    }

    /// CPU time the server process has used so far, user and system, in
    /// seconds (Linux: from `/proc`). Unlike wall-clock time it hardly
    /// depends on what else the machine is doing, so tests can compare the
    /// work two kinds of requests cost.
    pub async fn cpu_seconds(&self) -> f64 {
        let pid = self.pid();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')').expect("stat format").1.split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        let getconf = Command::new("getconf").arg("CLK_TCK").output().await.expect("getconf CLK_TCK");
        let per_second: f64 = String::from_utf8_lossy(&getconf.stdout).trim().parse().expect("CLK_TCK");
        ticks / per_second
    }

    /// Everything the current server process has logged.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET, assert 200, parse JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }

    /// Runs the `tertulia` CLI with this instance's settings.
    pub async fn cli(&self, args: &[&str]) -> CliOutput {
        self.cli_with_stdin(args, "").await
    }

    pub async fn cli_with_stdin(&self, args: &[&str], stdin: &str) -> CliOutput {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tertulia");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).await.expect("write stdin");
        drop(input);
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("CLI finished within 60 s")
            .expect("CLI output");
        CliOutput {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Sends `signal` (e.g. `TERM`, `INT`) to the server and waits for it
    /// to exit, at most `deadline`. Returns its exit status.
    pub async fn stop_with(&mut self, signal: &str, deadline: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("server is running");
        let pid = child.id().expect("server pid").to_string();
        let sent = Command::new("kill").args([&format!("-{signal}"), &pid]).status().await.expect("kill");
        assert!(sent.success(), "kill -{signal} {pid} failed");
        match tokio::time::timeout(deadline, child.wait()).await {
            Ok(status) => status.expect("exit status"),
            Err(_) => panic!("server did not exit within {deadline:?} of SIG{signal}:\n{}", self.logs()),
        }
    }

    /// Starts a server stopped with [`stop_with`](Self::stop_with) again, on
    /// the same database, port and directory.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        self.relaunch().await;
    }

    /// Stops the server gracefully and starts it again on the same
    /// database, port and directory.
    pub async fn restart(&mut self) {
        let status = self.stop_with("TERM", Duration::from_secs(10)).await;
        assert!(status.success(), "server exited with {status} on SIGTERM:\n{}", self.logs());
        self.relaunch().await;
    }

    /// Starts the server again on its port, which it must get back.
    async fn relaunch(&mut self) {
        if let Err(failure) = self.launch().await {
            panic!("{failure}:\n{}", self.logs());
        }
    }
}

/// A failing test shows the end of each of its servers' logs: that is
/// usually where the reason is, and the logs are deleted with the test's
/// directory.
impl Drop for TestInstance {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let logs = self.logs();
            let tail: Vec<&str> = logs.lines().rev().take(LOG_LINES_ON_FAILURE).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!("--- last lines of the log of {} ---\n{}", self.domain, tail.join("\n"));
        }
    }
}

const LOG_LINES_ON_FAILURE: usize = 40;

/// What `serve` logs once it has bound its port, and when it cannot.
const LISTENING: &str = "Tertulia is listening";
const PORT_TAKEN: &str = "Address already in use";
/// Fresh ports tried before a start-up is given up.
const PORT_ATTEMPTS: u32 = 5;

/// Why `serve` did not come up.
#[derive(Debug, thiserror::Error)]
enum StartFailure {
    #[error("tertulia serve could not listen: another process took its port")]
    PortTaken,
    #[error("tertulia serve exited with {0} during start-up")]
    Exited(ExitStatus),
    #[error("tertulia serve not healthy after {START_DEADLINE:?}")]
    NotHealthy,
}

/// How a test reaches an instance.
struct Origin {
    base_url: String,
    domain: String,
    client: reqwest::Client,
}

/// How long a test's HTTP client keeps an idle connection: less than the
/// server's keep-alive (actix-web's 5 s), so the client closes it first.
/// Otherwise a request sent just as the server closes the connection fails
/// with "connection closed before message completed".
const CLIENT_IDLE: Duration = Duration::from_secs(2);

/// The settings of every HTTP client a test talks to servers with; add
/// what the test needs (redirect policy, certificates) and build it.
pub fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_idle_timeout(CLIENT_IDLE)
}

/// A TCP port on 127.0.0.1 that nothing listens on, for a server the test
/// starts (Tertulia, or a directory or identity provider it talks to).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
