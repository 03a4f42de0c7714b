//! A real ActivityPub relay, `activityrelay` from PyPI (LitePub and
//! Mastodon relay protocols), as `relay.tertulia.test` on an HTTPS test
//! network: its own certificate from the network's authority, its SQLite
//! database in a temporary directory, and the network's names and trust.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::https::{HttpsNetwork, Seat};
use crate::instance::free_port;
use crate::{TestInstance, eventually};

/// Names the `activityrelay` program; `activityrelay` on `PATH` when unset.
const PROGRAM_VARIABLE: &str = "TERTULIA_TEST_ACTIVITYRELAY";
const INSTALL_HINT: &str = "install it with `python3 -m venv /tmp/relay-venv && \
    /tmp/relay-venv/bin/pip install -r tests/relay/requirements.txt` and set \
    TERTULIA_TEST_ACTIVITYRELAY=/tmp/relay-venv/bin/activityrelay (tests/run.sh does both)";
/// How long the relay may take to answer for its actor after start.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// A running activityrelay; it and its worker processes are killed when
/// this is dropped.
pub struct TestRelay {
    /// `relay.tertulia.test`.
    pub domain: String,
    program: String,
    dir: tempfile::TempDir,
    child: Option<Child>,
    seat: Seat,
}

impl TestRelay {
    /// Starts the relay on `network`, in whitelist mode: it only accepts
    /// follows (subscriptions) and activities from the `sites` given (their
    /// domains, e.g. `hq.tertulia.test`).
    pub async fn start(network: &HttpsNetwork, sites: &[&str]) -> TestRelay {
        let port = free_port();
        let seat = network.join("relay", ([127, 0, 0, 1], port).into());
        let mut relay = TestRelay {
            domain: seat.host_name.clone(),
            program: std::env::var(PROGRAM_VARIABLE).unwrap_or_else(|_| "activityrelay".to_owned()),
            dir: tempfile::tempdir().expect("temporary directory"),
            child: None,
            seat,
        };
        relay.configure(port, sites).await;
        relay.launch().await;
        relay
    }

    /// The relay's actor, fetched by sites that subscribe to it.
    pub fn actor_url(&self) -> String {
        format!("https://{}/actor", self.domain)
    }

    /// Where sites send their subscription `Follow` and their public
    /// activities, and where the relay's own activities come from.
    pub fn inbox_url(&self) -> String {
        format!("https://{}/inbox", self.domain)
    }

    /// Everything the relay has logged.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("relay.log")).unwrap_or_default()
    }

    /// How many activities `site` has delivered to the relay's inbox, as
    /// the relay's access log shows them (by the site's User-Agent).
    pub fn deliveries_from(&self, site: &TestInstance) -> usize {
        let sender = format!("(+{})", site.base_url);
        self.logs().lines().filter(|line| line.contains("\"POST /inbox ") && line.contains(&sender)).count()
    }

    /// Writes `relay.yaml` (the file `activityrelay setup` would ask for),
    /// creates the database and key, and fills the whitelist.
    async fn configure(&self, port: u16, sites: &[&str]) {
        let config = format!(
            "listen: 127.0.0.1\nport: {port}\ndomain: {}\nworkers: 1\ndb_type: sqlite\nca_type: database\nsq_path: relay.sqlite3\n",
            self.domain
        );
        std::fs::write(self.dir.path().join("relay.yaml"), config).expect("write relay.yaml");
        // setup ends asking whether to run the relay now: no, it runs below.
        self.admin(&["setup", "--skip-questions"], "n\n").await;
        self.admin(&["config", "set", "whitelist-enabled", "true"], "").await;
        for site in sites {
            self.admin(&["whitelist", "add", site], "").await;
        }
    }

    /// Runs one `activityrelay` management command; it must succeed.
    async fn admin(&self, args: &[&str], stdin: &str) {
        use tokio::io::AsyncWriteExt;
        let mut child = Command::new(&self.program)
            .args(["--config", "relay.yaml"])
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {} ({error}): {INSTALL_HINT}", self.program));
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).await.expect("write stdin");
        drop(input);
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("activityrelay finished within 60 s")
            .expect("activityrelay output");
        let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "activityrelay {}: {}\n{printed}", args.join(" "), output.status);
    }

    /// Runs the relay inside the network and waits until its actor is
    /// served over HTTPS.
    async fn launch(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("relay.log")).expect("log file");
        let child = self
            .seat
            .network
            .command(&self.program)
            .args(["--config", "relay.yaml", "run"])
            .current_dir(self.dir.path())
            .stdout(Stdio::from(log.try_clone().expect("log file")))
            .stderr(Stdio::from(log))
            // Its own process group, so its worker processes die with it.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {} ({error}): {INSTALL_HINT}", self.program));
        self.child = Some(child);
        let client = self.seat.network.client();
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("activityrelay exited with {status} during start-up:\n{}", self.logs());
            }
            let answered = client.get(self.actor_url()).header("accept", "application/activity+json").send().await;
            if answered.is_ok_and(|response| response.status().is_success()) {
                return;
            }
            assert!(Instant::now() < deadline, "activityrelay not serving after {START_DEADLINE:?}:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl TestInstance {
    /// Subscribes this site to `relay` (`tertulia admin federation relays
    /// add`) in `protocol`, `litepub` (its actor followed) or `mastodon`
    /// (its inbox), both of which activityrelay speaks, and waits until the
    /// relay accepts.
    pub async fn subscribe_to(&self, relay: &TestRelay, protocol: &str) {
        let url = if protocol == "litepub" { relay.actor_url() } else { relay.inbox_url() };
        let added = self.cli(&["admin", "federation", "relays", "add", &url, "--protocol", protocol]).await;
        assert!(added.status.success(), "relays add {url}: {}", added.stderr);
        eventually("the relay to accept the subscription", || async {
            let listed = self.cli(&["admin", "federation", "relays", "list"]).await;
            listed.stdout.contains("accepted").then_some(())
        })
        .await;
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(pid) = self.child.as_ref().and_then(Child::id) {
            // The group the relay leads: the relay and its workers, nothing else.
            let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
        }
    }
}
