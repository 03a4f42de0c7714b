//! Scheduled statuses as jobs, against a real database: SQLite by default,
//! PostgreSQL when `TERTULIA_TEST_DB=postgres`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use tertulia_core::Id;
use tertulia_db::DbConn;
use tertulia_db::scheduled::{self, ScheduledStatusRow};
use tertulia_testrig::TestDatabase;

use common::{drain_from_two_threads, local_account, open, t0};

fn schedule(conn: &mut DbConn, account: i64, at: NaiveDateTime) -> i64 {
    let id = Id::generate().0;
    let row = ScheduledStatusRow {
        id,
        account_id: account,
        scheduled_at: at,
        params: "{}".into(),
        application_id: None,
        idempotency_key: None,
        created_at: t0(),
    };
    tertulia_db::transaction(conn, |conn| scheduled::insert(conn, &row)).unwrap();
    id
}

/// What the worker does with one due row: claim and remove it in one
/// transaction (the publishing goes in between).
fn take_one(conn: &mut DbConn, now: NaiveDateTime) -> Option<i64> {
    tertulia_db::transaction(conn, |conn| {
        let Some(row) = scheduled::claim_due(conn, now)? else { return Ok::<_, tertulia_db::DbError>(None) };
        assert!(scheduled::delete(conn, row.id)?, "a claimed row is still there to delete");
        Ok(Some(row.id))
    })
    .unwrap()
}

#[test]
fn due_rows_are_claimed_earliest_first_and_the_next_due_time_is_known() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let account = local_account(conn, "author");
        let later = schedule(conn, account, t0() + Duration::hours(2));
        let first = schedule(conn, account, t0() + Duration::minutes(10));
        let second = schedule(conn, account, t0() + Duration::hours(1));
        assert_eq!(scheduled::next_due_at(conn)?, Some(t0() + Duration::minutes(10)));
        assert_eq!(take_one(conn, t0()), None, "nothing is due yet");
        let now = t0() + Duration::hours(1);
        assert_eq!(take_one(conn, now), Some(first));
        assert_eq!(take_one(conn, now), Some(second));
        assert_eq!(take_one(conn, now), None);
        assert_eq!(scheduled::next_due_at(conn)?, Some(t0() + Duration::hours(2)));
        assert_eq!(take_one(conn, t0() + Duration::hours(3)), Some(later));
        assert_eq!(scheduled::next_due_at(conn)?, None);
        Ok::<_, tertulia_db::DbError>(())
    })
    .unwrap();
}

#[test]
fn concurrent_workers_never_take_the_same_scheduled_status() {
    const ROWS: usize = 40;
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let now = t0();
    let all: HashSet<i64> = db
        .run_blocking(|conn| {
            let account = local_account(conn, "author");
            Ok::<_, tertulia_db::DbError>(
                (0..ROWS).map(|n| schedule(conn, account, now - Duration::seconds(n as i64))).collect(),
            )
        })
        .unwrap();

    // Each claim takes one of the ROWS rows, so ROWS rounds are enough.
    let results = drain_from_two_threads(&db, ROWS, move |conn| take_one(conn, now).into_iter().collect());

    let taken: HashSet<i64> = results.iter().flatten().copied().collect();
    assert_eq!(results.iter().map(Vec::len).sum::<usize>(), ROWS, "no scheduled status was taken twice");
    assert_eq!(taken, all, "every scheduled status was taken");
}
