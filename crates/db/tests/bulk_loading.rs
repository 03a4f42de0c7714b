//! A bulk load (`bulk::start_loading` … `bulk::finish_loading`), against
//! a real database: SQLite by default, PostgreSQL when
//! `TERTULIA_TEST_DB=postgres`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use diesel::prelude::*;
use tertulia_core::Id;
use tertulia_db::bulk::{self, NewFollow};
use tertulia_db::{DbConn, DbError};
use tertulia_testrig::TestDatabase;

use common::{local_account, open, t0};

#[derive(QueryableByName, PartialEq, Debug)]
struct IndexName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// The indexes of `follows`, by name (SQLite; PostgreSQL keeps its own).
fn follows_indexes(conn: &mut DbConn) -> Vec<IndexName> {
    match conn {
        DbConn::Sqlite(conn) => diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'follows' ORDER BY name",
        )
        .load(conn)
        .unwrap(),
        DbConn::Postgres(_) => Vec::new(),
    }
}

fn follow(account_id: i64, target_account_id: i64) -> NewFollow {
    NewFollow { id: Id::generate().0, account_id, target_account_id, created_at: t0() }
}

#[test]
fn a_load_ends_with_every_index_back_and_the_rows_in_place() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let (ana, bruno) = (local_account(conn, "ana"), local_account(conn, "bruno"));
        let indexes = follows_indexes(conn);
        let loading = bulk::start_loading(conn, &["follows"])?;
        tertulia_db::transaction(conn, |conn| bulk::insert_follows(conn, &[follow(ana, bruno), follow(bruno, ana)]))?;
        bulk::finish_loading(conn, loading)?;
        assert_eq!(follows_indexes(conn), indexes);
        let followed: i64 = tertulia_db::schema::follows::table.count().get_result(conn)?;
        assert_eq!(followed, 2);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn a_load_that_refers_to_a_missing_account_fails() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let outcome = db.run_blocking(|conn| {
        let ana = local_account(conn, "ana");
        let loading = bulk::start_loading(conn, &["follows"])?;
        // SQLite checks foreign keys at the end of the load, PostgreSQL
        // still at the insert: either way the load fails.
        tertulia_db::transaction(conn, |conn| bulk::insert_follows(conn, &[follow(ana, Id::generate().0)]))?;
        bulk::finish_loading(conn, loading)
    });
    let error = outcome.expect_err("a follow of nobody was loaded").to_string();
    assert!(error.contains("foreign key") || error.contains("do not exist"), "{error}");
}
