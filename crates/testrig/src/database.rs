use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

/// The database engine a test run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// From `TERTULIA_TEST_DB`; SQLite when unset. An unknown value fails
    /// loudly rather than silently testing the wrong engine.
    pub fn from_env() -> Backend {
        match std::env::var("TERTULIA_TEST_DB").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("TERTULIA_TEST_DB={other}: expected sqlite or postgres"),
        }
    }
}

/// A fresh database, removed when dropped.
pub struct TestDatabase {
    pub backend: Backend,
    /// What to put in `database.url`.
    pub url: String,
    dir: tempfile::TempDir,
    postgres: Option<PostgresDatabase>,
}

struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl TestDatabase {
    pub fn create() -> TestDatabase {
        Self::create_on(Backend::from_env())
    }

    /// A fresh database on `backend`, whatever `TERTULIA_TEST_DB` says.
    pub fn create_on(backend: Backend) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary directory");
        match backend {
            Backend::Sqlite => TestDatabase {
                backend,
                url: format!("sqlite://{}", dir.path().join("tertulia.db").display()),
                dir,
                postgres: None,
            },
            Backend::Postgres => {
                let admin_url = std::env::var("TERTULIA_TEST_POSTGRES_URL").expect(
                    "TERTULIA_TEST_DB=postgres needs TERTULIA_TEST_POSTGRES_URL (tests/run.sh starts a server and sets it)",
                );
                let name = format!("tertulia_test_{}_{}", std::process::id(), unique_suffix());
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("cannot connect to {admin_url}: {e}"));
                admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("TERTULIA_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                TestDatabase {
                    backend,
                    url: url.to_string(),
                    dir,
                    postgres: Some(PostgresDatabase { admin_url, name }),
                }
            }
        }
    }

    /// Another handle on the same database, for a second process: it has its
    /// own scratch directory and leaves the database to this handle to drop.
    pub fn alias(&self) -> TestDatabase {
        TestDatabase {
            backend: self.backend,
            url: self.url.clone(),
            dir: tempfile::tempdir().expect("temporary directory"),
            postgres: None,
        }
    }

    /// A scratch directory that lives as long as the database.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(pg) = &self.postgres
            && let Ok(mut admin) = PgConnection::establish(&pg.admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name));
        }
    }
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    format!("{nanos}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
