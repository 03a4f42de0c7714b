//! What the database tests share: a migrated database and a local account.
#![allow(dead_code)] // each test file uses its own part of this

use std::sync::{Arc, Barrier};

use chrono::{NaiveDate, NaiveDateTime};
use tertulia_core::Id;
use tertulia_core::config::DatabaseConfig;
use tertulia_db::accounts::{self, NewAccount};
use tertulia_db::{Db, DbConn};
use tertulia_testrig::TestDatabase;

/// A pool on `test_db` with every migration applied.
pub fn open(test_db: &TestDatabase) -> Db {
    let config =
        DatabaseConfig { url: test_db.url.clone(), pool_size: 2, connect_timeout_secs: 5, ..DatabaseConfig::default() };
    let db = Db::connect(&config).expect("connect");
    db.migrate().expect("migrate");
    db
}

/// A fixed time in whole seconds, so values survive PostgreSQL's
/// microsecond precision unchanged and comparisons stay exact.
pub fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(12, 0, 0).unwrap()
}

/// A new local account named `{prefix}{id}`; returns its id.
pub fn local_account(conn: &mut DbConn, prefix: &str) -> i64 {
    let id = Id::generate().0;
    accounts::insert(
        conn,
        &NewAccount {
            id,
            username: format!("{prefix}{id}"),
            domain: None,
            display_name: prefix.to_owned(),
            uri: format!("https://local.example/users/{prefix}{id}"),
            url: None,
            inbox_url: format!("https://local.example/users/{prefix}{id}/inbox"),
            outbox_url: None,
            followers_url: None,
            following_url: None,
            created_at: t0(),
            updated_at: t0(),
        },
    )
    .unwrap();
    id
}

/// Two threads start at the same moment and each drains a queue with
/// `take` (the ids of one claim; empty when nothing is left), for at most
/// `rounds` claims, so the loop is bounded. Returns what each thread took.
pub fn drain_from_two_threads<F>(db: &Db, rounds: usize, take: F) -> Vec<Vec<i64>>
where
    F: Fn(&mut DbConn) -> Vec<i64> + Copy + Send + 'static,
{
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                db.run_blocking(|conn| {
                    start.wait();
                    let mut mine = Vec::new();
                    for _ in 0..rounds {
                        let batch = take(conn);
                        if batch.is_empty() {
                            break;
                        }
                        mine.extend(batch);
                    }
                    Ok::<_, tertulia_db::DbError>(mine)
                })
                .unwrap()
            })
        })
        .collect();
    workers.into_iter().map(|w| w.join().unwrap()).collect()
}
