//! Several `tertulia serve` processes on one PostgreSQL database: what
//! each process learns from the others, through one connection it keeps
//! open outside the pool for as long as it runs.
//!
//! That connection holds three things, all of which PostgreSQL releases by
//! itself when the connection ends (the process stops, crashes or is
//! killed), so a dead process never holds anything for long:
//!
//! - **A node number** (1..[`NODES`]): a session advisory lock on
//!   `(CLASS, node)`, taken at start. [`Id::set_node`] puts it into every id
//!   the process makes, so two processes never make the same id.
//! - **Leadership**: a session advisory lock on `(CLASS, LEADER)`, which one
//!   process at a time holds; jobs that must run once per cluster (the
//!   home-timeline trim) run only while [`Cluster::is_leader`]. Whoever
//!   does not hold it tries again at every heartbeat, so when the leader
//!   dies another process takes over within [`HEARTBEAT`].
//! - **`LISTEN` on [`CHANNEL`]**: messages one process [`send`]s reach
//!   every other process (not itself) through `NOTIFY`. A notification's
//!   payload is limited to 8,000 bytes, so a longer message goes out in
//!   parts, all in one transaction (delivered together or not at all), and
//!   is put together again on arrival.
//!
//! diesel reads notifications without waiting for them, so a thread polls
//! the connection every [`POLL`]: a non-blocking read of the socket, cheap
//! next to the latency it adds. If the connection drops, the thread logs
//! it, gives up leadership, and connects again (keeping its node number if
//! it is still free); messages sent meanwhile wait, messages from others
//! meanwhile are missed.
//!
//! SQLite is one process: instead of joining, a `serve` process locks a
//! file next to the database (`<database>.serve-lock`) for as long as it
//! runs, and a second `serve` on the same file refuses to start. Admin
//! commands do not take it: they may run beside the server, as on
//! PostgreSQL.
//!
//! [`send`]: Cluster::send

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use tertulia_core::Id;
use tertulia_core::config::{DatabaseBackend, DatabaseConfig};
use tertulia_core::id::NODES;
use tokio::sync::mpsc as tokio_mpsc;

use crate::DbError;

/// The first key of every advisory lock taken here: "tert" in ASCII.
const CLASS: i32 = 0x7465_7274;
/// The second key of the leadership lock (node numbers are 1..64).
const LEADER: i32 = -1;
/// The channel processes talk on.
const CHANNEL: &str = "tertulia_cluster";
/// How often the connection is read for notifications and queued
/// messages are sent.
const POLL: Duration = Duration::from_millis(10);
/// How often the connection is checked and leadership sought.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// Bytes of message per notification: PostgreSQL's limit is 8,000, less
/// the header.
const PART_BYTES: usize = 7_900;
/// Messages half-received at once before the oldest are dropped (only a
/// sender that breaks its own transactions could leave parts behind).
const MAX_UNFINISHED: usize = 256;

diesel::define_sql_function! { fn pg_try_advisory_lock(class: Integer, key: Integer) -> Bool; }
diesel::define_sql_function! { fn pg_backend_pid() -> Integer; }

/// This process's membership of the cluster. Cloning gives another handle;
/// when the last one is dropped, the process leaves (its connection
/// closes, releasing its node and leadership).
#[derive(Clone)]
pub struct Cluster {
    shared: Arc<Shared>,
    outgoing: mpsc::Sender<String>,
}

struct Shared {
    leader: AtomicBool,
}

/// Messages from the other processes, in the order each sent them.
pub type Incoming = tokio_mpsc::UnboundedReceiver<String>;

/// How this process shares its database.
pub enum Membership {
    /// SQLite: this process alone, holding the lock file while it runs.
    Alone(std::fs::File),
    /// PostgreSQL: one of a cluster, hearing from the others on `Incoming`.
    Clustered(Cluster, Incoming),
}

/// Why this process cannot join.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("cannot open the cluster connection: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot set up the cluster connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("all {0} node numbers are taken: too many `tertulia serve` processes share this database")]
    NodesTaken(u16),
    #[error(
        "another `tertulia serve` is running on the SQLite database {0}: SQLite serves one process; \
         use PostgreSQL to run several"
    )]
    SqliteInUse(String),
    #[error("cannot lock {path}: {source}")]
    LockFile { path: String, source: std::io::Error },
}

impl From<JoinError> for DbError {
    fn from(error: JoinError) -> Self {
        DbError::Unavailable(error.to_string())
    }
}

impl Cluster {
    /// Joins the cluster of processes on the configured PostgreSQL database:
    /// takes a node number (and sets it for [`Id::generate`]) and starts
    /// listening. On SQLite, makes sure this is the only `serve` process.
    pub fn join(config: &DatabaseConfig) -> Result<Membership, DbError> {
        let url = match DatabaseBackend::from_url(&config.url).map_err(DbError::Unavailable)? {
            DatabaseBackend::Postgres { url } => url,
            DatabaseBackend::Sqlite { path } => return Ok(Membership::Alone(lock_sqlite(&path)?)),
        };
        let link = Link::open(&url, None)?;
        tracing::info!(node = link.node, "joined the cluster of processes on this database");
        let shared = Arc::new(Shared { leader: AtomicBool::new(false) });
        let (outgoing, queued) = mpsc::channel();
        let (deliver, incoming) = tokio_mpsc::unbounded_channel();
        let worker = Worker { url, shared: shared.clone(), queued, deliver, sequence: 0 };
        std::thread::Builder::new()
            .name("cluster".into())
            .spawn(move || worker.run(link))
            .map_err(|e| DbError::Unavailable(format!("cannot start the cluster thread: {e}")))?;
        Ok(Membership::Clustered(Cluster { shared, outgoing }, incoming))
    }

    /// Whether this process runs the jobs done once per cluster, now.
    pub fn is_leader(&self) -> bool {
        self.shared.leader.load(Ordering::Relaxed)
    }

    /// Sends `message` to every other process; returns at once.
    pub fn send(&self, message: String) {
        // Fails only once the thread has stopped, when nobody listens.
        let _ = self.outgoing.send(message);
    }
}

/// Locks `<database>.serve-lock` for as long as the returned file is open
/// (the operating system releases it when the process ends, however).
fn lock_sqlite(database: &std::path::Path) -> Result<std::fs::File, JoinError> {
    let mut path = database.as_os_str().to_owned();
    path.push(".serve-lock");
    let path = std::path::PathBuf::from(path);
    let shown = || path.display().to_string();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| JoinError::LockFile { path: shown(), source })?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| JoinError::LockFile { path: shown(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(JoinError::SqliteInUse(database.display().to_string())),
        Err(std::fs::TryLockError::Error(source)) => Err(JoinError::LockFile { path: shown(), source }),
    }
}

/// The open connection and what it holds.
struct Link {
    conn: PgConnection,
    node: u16,
    /// The connection's server process, which names the notifications it sends.
    backend_pid: i32,
}

impl Link {
    /// Connects, takes a node number (`preferred` first) and listens.
    fn open(url: &str, preferred: Option<u16>) -> Result<Link, JoinError> {
        let mut conn = PgConnection::establish(url)?;
        let candidates = preferred.into_iter().chain(1..NODES);
        let mut node = None;
        for candidate in candidates {
            if diesel::select(pg_try_advisory_lock(CLASS, i32::from(candidate))).get_result::<bool>(&mut conn)? {
                node = Some(candidate);
                break;
            }
        }
        let node = node.ok_or(JoinError::NodesTaken(NODES - 1))?;
        Id::set_node(node);
        conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        let backend_pid = diesel::select(pg_backend_pid()).get_result(&mut conn)?;
        Ok(Link { conn, node, backend_pid })
    }
}

/// The thread that owns the connection.
struct Worker {
    url: String,
    shared: Arc<Shared>,
    queued: mpsc::Receiver<String>,
    deliver: tokio_mpsc::UnboundedSender<String>,
    /// Numbers this process's messages, so their parts can be matched.
    sequence: u64,
}

/// Why the thread stops.
enum Stop {
    /// Every [`Cluster`] handle is gone: the process is leaving.
    Left,
    Failed(diesel::result::Error),
}

impl From<diesel::result::Error> for Stop {
    fn from(error: diesel::result::Error) -> Self {
        Stop::Failed(error)
    }
}

impl Worker {
    fn run(mut self, mut link: Link) {
        loop {
            match self.serve(&mut link) {
                Stop::Left => return,
                Stop::Failed(error) => {
                    self.shared.leader.store(false, Ordering::Relaxed);
                    tracing::warn!(%error, "cluster connection lost; reconnecting (events from other processes are missed meanwhile)");
                }
            }
            // Closing the old connection frees its node for the new one.
            let node = link.node;
            drop(link);
            link = loop {
                std::thread::sleep(HEARTBEAT);
                if self.left() {
                    return;
                }
                match Link::open(&self.url, Some(node)) {
                    Ok(new) => {
                        tracing::info!(node = new.node, "cluster connection restored");
                        break new;
                    }
                    Err(error) => tracing::warn!(%error, "cannot reconnect to the cluster yet"),
                }
            };
        }
    }

    /// Whether every [`Cluster`] handle is gone (queued messages aside).
    fn left(&self) -> bool {
        matches!(self.queued.try_recv(), Err(mpsc::TryRecvError::Disconnected))
    }

    /// Sends, receives and keeps the leadership lock until the connection
    /// fails or the process leaves.
    fn serve(&mut self, link: &mut Link) -> Stop {
        let mut unfinished = Unfinished::default();
        let mut next_heartbeat = Instant::now();
        loop {
            let mut batch = Vec::new();
            loop {
                match self.queued.try_recv() {
                    Ok(message) => batch.push(message),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => return Stop::Left,
                }
            }
            if let Err(error) = self.send(&mut link.conn, &batch) {
                return error.into();
            }
            for notification in link.conn.notifications_iter() {
                let notification = match notification {
                    Ok(notification) => notification,
                    Err(error) => return error.into(),
                };
                if notification.process_id == link.backend_pid {
                    continue;
                }
                if let Some(message) = unfinished.add(notification.process_id, &notification.payload) {
                    // Fails only while the process stops.
                    let _ = self.deliver.send(message);
                }
            }
            if Instant::now() >= next_heartbeat {
                next_heartbeat = Instant::now() + HEARTBEAT;
                if let Err(error) = self.heartbeat(&mut link.conn, link.node) {
                    return error.into();
                }
            }
            std::thread::sleep(POLL);
        }
    }

    /// Sends `messages`, each in as many parts as it needs, in one transaction.
    fn send(&mut self, conn: &mut PgConnection, messages: &[String]) -> QueryResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        conn.transaction(|conn| {
            for message in messages {
                self.sequence += 1;
                let parts = split(message, PART_BYTES);
                for (index, part) in parts.iter().enumerate() {
                    let payload = format!("{} {} {}\n{part}", self.sequence, index + 1, parts.len());
                    diesel::sql_query("SELECT pg_notify($1, $2)")
                        .bind::<Text, _>(CHANNEL)
                        .bind::<Text, _>(payload)
                        .execute(conn)?;
                }
            }
            Ok(())
        })
    }

    /// Checks the connection; seeks leadership if this process lacks it.
    fn heartbeat(&self, conn: &mut PgConnection, node: u16) -> QueryResult<()> {
        if self.shared.leader.load(Ordering::Relaxed) {
            return conn.batch_execute("SELECT 1");
        }
        if diesel::select(pg_try_advisory_lock(CLASS, LEADER)).get_result::<bool>(conn)? {
            tracing::info!(node, "this process now runs the cluster's periodic jobs");
            self.shared.leader.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// `text` cut into pieces of at most `bytes` bytes, on character
/// boundaries; at least one piece.
fn split(text: &str, bytes: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while rest.len() > bytes {
        let mut cut = bytes;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (part, tail) = rest.split_at(cut);
        parts.push(part);
        rest = tail;
    }
    parts.push(rest);
    parts
}

/// Messages whose parts are still arriving, by sender and number.
#[derive(Default)]
struct Unfinished {
    messages: HashMap<(i32, u64), Vec<String>>,
}

impl Unfinished {
    /// Takes one notification's payload; returns the message it completes.
    fn add(&mut self, sender: i32, payload: &str) -> Option<String> {
        let Some((header, body)) = payload.split_once('\n') else {
            tracing::warn!(sender, "cluster: a notification without a header ignored");
            return None;
        };
        let numbers: Vec<u64> = header.split(' ').filter_map(|n| n.parse().ok()).collect();
        let &[sequence, part, parts] = numbers.as_slice() else {
            tracing::warn!(sender, header, "cluster: a notification with an unreadable header ignored");
            return None;
        };
        if parts == 1 {
            return Some(body.to_owned());
        }
        if self.messages.len() >= MAX_UNFINISHED {
            tracing::warn!(sender, "cluster: too many unfinished messages; dropping them");
            self.messages.clear();
        }
        let received = self.messages.entry((sender, sequence)).or_default();
        received.push(body.to_owned());
        if part < parts {
            return None;
        }
        self.messages.remove(&(sender, sequence)).map(|pieces| pieces.concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_goes_in_parts_cut_between_characters_and_comes_back_whole() {
        let message = "ñandú ".repeat(3_000);
        let parts = split(&message, PART_BYTES);
        assert!(parts.len() > 1 && parts.iter().all(|p| p.len() <= PART_BYTES));
        let mut unfinished = Unfinished::default();
        let mut whole = None;
        for (index, part) in parts.iter().enumerate() {
            assert!(whole.is_none(), "complete before its last part");
            whole = unfinished.add(7, &format!("42 {} {}\n{part}", index + 1, parts.len()));
        }
        assert_eq!(whole.as_deref(), Some(message.as_str()));
        assert!(unfinished.messages.is_empty());
    }

    #[test]
    fn parts_of_two_senders_do_not_mix() {
        let mut unfinished = Unfinished::default();
        assert_eq!(unfinished.add(1, "5 1 2\nab"), None);
        assert_eq!(unfinished.add(2, "5 1 2\nxy"), None);
        assert_eq!(unfinished.add(2, "5 2 2\nz").as_deref(), Some("xyz"));
        assert_eq!(unfinished.add(1, "5 2 2\nc").as_deref(), Some("abc"));
        assert_eq!(unfinished.add(3, "9 1 1\nshort").as_deref(), Some("short"));
    }
}
