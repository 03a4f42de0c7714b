//! SQLite's memory is one budget for the whole pool (issue 17): pages that
//! several connections read stay within `database.sqlite_cache_mib`,
//! instead of up to SQLite's 2 MiB per connection. SQLite's own count of
//! the memory it holds (`sqlite3_memory_used`) is read; it covers this
//! process only, so this test has a binary of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(unsafe_code)] // SQLite's C API: diesel does not report SQLite's memory

use std::sync::{Arc, Barrier};

use diesel::connection::SimpleConnection;
use libsqlite3_sys as ffi;
use tertulia_core::config::DatabaseConfig;
use tertulia_db::{Db, DbError};
use tertulia_testrig::{Backend, TestDatabase};

const CONNECTIONS: usize = 4;

fn sqlite_memory_mib() -> f64 {
    // SAFETY: reads a counter SQLite keeps under its own mutex.
    let bytes = unsafe { ffi::sqlite3_memory_used() };
    bytes as f64 / f64::from(1 << 20)
}

#[test]
fn connections_share_one_page_cache_budget() {
    let test_db = TestDatabase::create_on(Backend::Sqlite);
    let config = DatabaseConfig {
        url: test_db.url.clone(),
        pool_size: CONNECTIONS as u32,
        sqlite_cache_mib: 2,
        ..DatabaseConfig::default()
    };
    let db = Db::connect(&config).unwrap();
    // 16 MiB of rows: far more than the budget, and than each
    // connection's own 2 MiB.
    db.run_blocking(|conn| {
        conn.batch_execute(
            "CREATE TABLE blobs (data BLOB NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4096)
             INSERT INTO blobs SELECT randomblob(4000) FROM n;",
        )
        .map_err(DbError::from)
    })
    .unwrap();

    // Every connection of the pool reads all of it, at the same time, so
    // each is a different connection with a cache of its own.
    let together = Arc::new(Barrier::new(CONNECTIONS));
    let readers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (db, together) = (db.clone(), together.clone());
            std::thread::spawn(move || {
                db.run_blocking(|conn| {
                    together.wait();
                    let read = conn.batch_execute("SELECT count(*) FROM blobs WHERE length(data) = 4000");
                    together.wait();
                    read.map_err(DbError::from)
                })
                .unwrap();
            })
        })
        .collect();
    for reader in readers {
        reader.join().unwrap();
    }
    let open = db.pool_usage();
    assert_eq!((open.in_use + open.idle) as usize, CONNECTIONS, "the readers did not use every connection");

    // Statements and schemas take a little beside the pages; four full
    // caches of SQLite's default would be over 8 MiB.
    let held = sqlite_memory_mib();
    assert!(held < 3.0, "SQLite holds {held:.1} MiB with a budget of 2 MiB");
}
