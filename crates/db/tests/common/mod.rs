//! What the database tests share: a migrated database and a local account.
#![allow(dead_code)] // each test file uses its own part of this

use chrono::{NaiveDate, NaiveDateTime};
use tertulia_core::Id;
use tertulia_core::config::DatabaseConfig;
use tertulia_db::accounts::{self, NewAccount};
use tertulia_db::{Db, DbConn};
use tertulia_testrig::TestDatabase;

/// A pool on `test_db` with every migration applied.
pub fn open(test_db: &TestDatabase) -> Db {
    let config = DatabaseConfig { url: test_db.url.clone(), pool_size: 2, connect_timeout_secs: 5 };
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
