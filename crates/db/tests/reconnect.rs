//! The pool does not test connections at checkout (a statement per
//! request); a connection PostgreSQL dropped is found when it fails and
//! replaced. Needs `TERTULIA_TEST_POSTGRES_URL`; on SQLite there is no
//! server to drop connections.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use tertulia_core::config::DatabaseConfig;
use tertulia_db::{Db, DbConn, DbError};
use tertulia_testrig::{Backend, TestDatabase};

fn answer(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(diesel::select(42_i64.into_sql::<BigInt>()).get_result(conn)?)
}

/// Ends every session on the test database, as a PostgreSQL restart or
/// an administrator would.
fn drop_sessions(test_db: &TestDatabase) {
    let name = test_db.url.rsplit('/').next().unwrap().to_owned();
    let admin_url = std::env::var("TERTULIA_TEST_POSTGRES_URL").unwrap();
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    let ended: Vec<bool> =
        diesel::sql_query("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(name)
            .load::<Ended>(&mut admin)
            .unwrap()
            .into_iter()
            .map(|row| row.ended)
            .collect();
    assert!(!ended.is_empty() && ended.iter().all(|e| *e), "sessions ended: {ended:?}");
}

/// Waits until the pool holds `idle` idle connections (at most 5 s).
fn wait_for_idle_connections(db: &Db, idle: u32) {
    for _ in 0..100 {
        if db.pool_usage().idle >= idle {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the pool did not reopen its idle connections: {:?}", db.pool_usage());
}

#[derive(QueryableByName)]
struct Ended {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    ended: bool,
}

#[test]
fn reads_recover_when_postgresql_drops_the_pooled_connections() {
    if std::env::var("TERTULIA_TEST_POSTGRES_URL").is_err() {
        eprintln!("skipped: TERTULIA_TEST_POSTGRES_URL is not set");
        return;
    }
    let test_db = TestDatabase::create_on(Backend::Postgres);
    let db = Db::connect(&DatabaseConfig {
        url: test_db.url.clone(),
        pool_size: 3,
        connect_timeout_secs: 5,
        ..DatabaseConfig::default()
    })
    .unwrap();
    // Two connections in the pool, both busy once.
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert_eq!(db.run_blocking(answer).unwrap(), 42));
        }
    });
    drop_sessions(&test_db);
    assert_eq!(db.read_blocking(answer).unwrap(), 42, "a read retries on a fresh connection");
    // The pool replaces the connections it closed in the background; one
    // opened after the next `drop_sessions` would be alive and make the
    // check below pass by chance.
    wait_for_idle_connections(&db, 2);
    drop_sessions(&test_db);
    let failed = db.run_blocking(answer);
    assert!(matches!(failed, Err(DbError::Unavailable(_))), "work that is not retried fails: {failed:?}");
    // Each dropped connection fails once and leaves the pool.
    let recovered = (0..3).find_map(|_| db.run_blocking(answer).ok());
    assert_eq!(recovered, Some(42), "dropped connections left the pool");
}
