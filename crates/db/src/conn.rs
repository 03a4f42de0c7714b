//! One connection type over both backends, and the pool that hands it out.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, R2D2Connection};
use tertulia_core::config::{DatabaseBackend, DatabaseConfig};
use tertulia_core::metrics::{self, PoolUsage};

use crate::DbError;

/// A connection to whichever database the configuration names. Queries are
/// written once against this type; diesel dispatches to the backend.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

/// Opens connections for the pool. Written by hand rather than derived so
/// that connection errors reach the admin verbatim (the derived `establish`
/// replaces them with a generic message) and so SQLite gets its pragmas.
#[derive(Debug)]
struct Manager {
    backend: DatabaseBackend,
    /// SQLite's heap limit for the whole process (`database.sqlite_cache_mib`).
    sqlite_memory_bytes: u64,
}

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("cannot create the directory for SQLite database {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("{0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
}

// WAL lets readers proceed while one writer commits; busy_timeout makes a
// second writer wait instead of failing at once; SQLite leaves foreign keys
// off unless asked, and our cascades depend on them.
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
    PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        match &self.backend {
            DatabaseBackend::Sqlite { path } => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|source| ConnectError::CreateDir { path: path.display().to_string(), source })?;
                }
                crate::stable_plans::enable();
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                // One memory budget for every connection instead of SQLite's
                // 2 MiB of pages each: the bundled SQLite keeps one list of
                // cached pages for all connections, and under the limit
                // reuses the least recently used instead of growing. The
                // limit is process-wide: setting it on each new connection
                // changes nothing after the first.
                conn.batch_execute(&format!("PRAGMA soft_heap_limit = {};", self.sqlite_memory_bytes))?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseBackend::Postgres { url } => Ok(DbConn::Postgres(diesel::PgConnection::establish(url)?)),
        }
    }

    /// Not called: the pool does not test connections at checkout (see
    /// [`Db::connect`]); the trait requires it.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::Query)
    }

    /// Checked when a connection comes back to the pool. Work that panicked
    /// leaves its transaction neither committed nor rolled back: on SQLite
    /// the connection still holds the write lock, and its next user's
    /// transaction would become a savepoint inside the dead one, never
    /// committed. Such a connection is closed instead (closing rolls back),
    /// as diesel's own pool manager does.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// The shared handle to the database: a pool of [`DbConn`]s.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend_name: &'static str,
}

/// Connections the pool keeps open when nothing is happening.
const IDLE_CONNECTIONS: u32 = 2;
/// How long a connection beyond [`IDLE_CONNECTIONS`] stays open unused
/// (r2d2 looks for such connections every 30 s). Each holds its prepared
/// statements and, on PostgreSQL, a server process: after a burst, an idle
/// site gives them back within a minute and a half instead of r2d2's ten
/// minutes.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

impl Db {
    /// Opens the pool and checks that one connection can be made, so a
    /// wrong URL or password fails at start-up with the driver's message.
    pub fn connect(config: &DatabaseConfig) -> Result<Db, DbError> {
        let backend = DatabaseBackend::from_url(&config.url).map_err(DbError::Unavailable)?;
        let backend_name = backend.name();
        let manager = Manager { backend, sqlite_memory_bytes: u64::from(config.sqlite_cache_mib) << 20 };
        // Fail fast with the real error instead of r2d2's "timed out".
        let probe = manager.connect().map_err(|e| DbError::Unavailable(e.to_string()))?;
        drop(probe);
        // Connections open as load needs them (and close after a minute
        // unused) instead of all at start: an idle site holds two.
        // Connections are not checked with `SELECT 1` as they are checked
        // out (a statement per request); one the database dropped (a
        // PostgreSQL restart) is found by its first failing statement and
        // closed instead of going back to the pool (`run_blocking`), and
        // reads are tried again on another (`read`).
        let pool = Pool::builder()
            .max_size(config.pool_size)
            .test_on_check_out(false)
            .min_idle(Some(config.pool_size.min(IDLE_CONNECTIONS)))
            .idle_timeout(Some(IDLE_TIMEOUT))
            .connection_timeout(Duration::from_secs(config.connect_timeout_secs.max(1)))
            .error_handler(Box::new(r2d2::LoggingErrorHandler))
            .build(manager)?;
        Ok(Db { pool, backend_name })
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        self.backend_name
    }

    /// Runs blocking database work on a connection from the pool, in the
    /// current thread. For the CLI and for code already off the runtime.
    /// The work may fail with any error that can hold a [`DbError`].
    pub fn run_blocking<T, E: From<DbError>>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E> {
        let asked = Instant::now();
        let checkout = self.pool.get();
        metrics::pool_checkout(asked.elapsed(), checkout.is_ok());
        let mut conn = checkout.map_err(DbError::from)?;
        let outcome = work(&mut conn);
        if outcome.is_err() && connection_lost(&mut conn) {
            mark_broken(&mut conn);
        }
        outcome
    }

    /// [`Db::run_blocking`] for work that only reads and so may run again:
    /// if the database dropped the connection (a restart, or an
    /// administrator ending sessions), it runs again on another, and so
    /// on until one answers, at most once per pooled connection. Writes
    /// are not retried: the caller sees the error once, and the dropped
    /// connection is gone from the pool.
    pub fn read_blocking<T>(&self, work: impl Fn(&mut DbConn) -> Result<T, DbError>) -> Result<T, DbError> {
        let mut outcome = self.run_blocking(&work);
        for _ in 0..self.pool.max_size() {
            if !outcome.as_ref().is_err_and(is_lost_connection) {
                break;
            }
            outcome = self.run_blocking(&work);
        }
        outcome
    }

    /// Runs database work on tokio's blocking pool, so async request
    /// handlers never block the runtime. The one way async code reaches
    /// the database.
    pub async fn run<T: Send + 'static, E: From<DbError> + Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let db = self.clone();
        off_runtime(move || db.run_blocking(work)).await
    }

    /// [`Db::read_blocking`] on tokio's blocking pool: how request handlers
    /// read (timelines, threads, notifications, the token lookup).
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl Fn(&mut DbConn) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let db = self.clone();
        off_runtime(move || db.read_blocking(work)).await
    }

    /// Runs `work` as one write transaction (see [`transaction`]) on
    /// tokio's blocking pool: how async code writes when it has no larger
    /// transaction to write in, so that on SQLite every write waits its
    /// turn on the one writer lock.
    pub async fn write<T: Send + 'static, E: From<DbError> + Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        self.run(move |conn| transaction(conn, work)).await
    }

    /// The pool's connections now, for the metrics.
    pub fn pool_usage(&self) -> PoolUsage {
        let state = self.pool.state();
        PoolUsage {
            in_use: state.connections.saturating_sub(state.idle_connections),
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }

    /// Checks that the database answers; for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| conn.batch_execute("SELECT 1").map_err(DbError::from)).await
    }
}

/// Runs blocking database work on tokio's blocking pool.
async fn off_runtime<T: Send + 'static, E: From<DbError> + Send + 'static>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| E::from(DbError::Unavailable(format!("database task stopped: {e}"))))?
}

/// Whether work failed because the database dropped the connection:
/// inside `work` the only source of `Unavailable` is diesel's
/// `ClosedConnection` (pool errors happen before `work` runs).
fn is_lost_connection(error: &DbError) -> bool {
    matches!(error, DbError::Unavailable(_))
}

/// Whether the database dropped the connection, asked after work failed
/// (whatever its error type, so the failure itself can't tell): one
/// `SELECT 1` on PostgreSQL, on failures only. A SQLite connection is a
/// file handle and is never dropped.
fn connection_lost(conn: &mut DbConn) -> bool {
    matches!(conn, DbConn::Postgres(_)) && conn.batch_execute("SELECT 1").is_err()
}

/// Marks the connection broken, so that the pool closes it
/// ([`Manager::has_broken`]) instead of handing it out again.
fn mark_broken(conn: &mut DbConn) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    match conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::transaction_manager_status_mut(inner).set_in_error(),
        DbConn::Postgres(inner) => AnsiTransactionManager::transaction_manager_status_mut(inner).set_in_error(),
    }
}

/// Runs `work` and counts the SQL statements it sends (transaction
/// statements included): how tests hold read paths to their statement
/// budget (docs/architecture.md, "The read pipeline"). The connection
/// goes back to diesel's default instrumentation afterwards.
pub fn count_statements<T>(conn: &mut DbConn, work: impl FnOnce(&mut DbConn) -> T) -> (T, usize) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use diesel::connection::{Instrumentation, InstrumentationEvent, get_default_instrumentation};
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let outcome = work(conn);
    conn.set_instrumentation(get_default_instrumentation() as Option<Box<dyn Instrumentation>>);
    (outcome, count.load(Ordering::Relaxed))
}

/// Runs `work` in one transaction: committed if it returns `Ok`, rolled
/// back on any `Err`, a database failure or a refusal of the caller's own
/// (a broken rule found half-way), so a refused request leaves nothing
/// half-written. Every write goes through here (or [`Db::write`]), so that
/// on SQLite it queues on the writer lock below; a statement run outside
/// would wait in SQLite's busy handler instead, unordered, and could fail
/// with "database is locked".
pub fn transaction<T, E: From<DbError>>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    write_transaction(conn, |conn| work(conn).map_err(Failure::Work)).map_err(Failure::into_work_error)
}

/// Why a [`transaction`] failed: its work failed, or beginning, committing
/// or rolling back did (diesel reports those as its own error).
enum Failure<E> {
    Work(E),
    Transaction(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for Failure<E> {
    fn from(error: diesel::result::Error) -> Self {
        Failure::Transaction(error)
    }
}

impl<E: From<DbError>> Failure<E> {
    fn into_work_error(self) -> E {
        match self {
            Failure::Work(error) => error,
            Failure::Transaction(error) => DbError::from(error).into(),
        }
    }
}

/// Write transactions on SQLite queue here, one at a time per process,
/// before taking SQLite's own lock. Waiting in SQLite's busy handler instead
/// means polling with sleeps of up to 100 ms, in no order: under steady
/// writes (posts fanning out to a thousand followers) an unlucky writer kept
/// losing and failed with "database is locked" after `busy_timeout`.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A transaction that takes SQLite's write lock at its start (`BEGIN
/// IMMEDIATE`). A deferred SQLite transaction that reads and then writes
/// fails at once with "database is locked" if another connection wrote in
/// between, whatever the busy timeout; taking the lock first makes it wait
/// its turn instead. PostgreSQL (and nested transactions, which are
/// savepoints) use diesel's usual transaction.
pub(crate) fn write_transaction<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost_sqlite = match conn {
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth()?.is_none()
        }
        DbConn::Postgres(_) => false,
    };
    if !outermost_sqlite {
        return conn.transaction(work);
    }
    let _writer = SQLITE_WRITER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let DbConn::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let outcome = work(conn);
    if let DbConn::Sqlite(inner) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(inner)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(inner)?,
        }
    }
    outcome
}
