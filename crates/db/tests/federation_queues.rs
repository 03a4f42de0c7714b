//! The federation queues (deliveries, remote hosts, inbox, outbox) against
//! a real database: SQLite by default, PostgreSQL when
//! `TERTULIA_TEST_DB=postgres`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use tertulia_core::Id;
use tertulia_core::config::DatabaseConfig;
use tertulia_db::accounts::{self, NewAccount};
use tertulia_db::delivery::{self, DeliveryStats, NewDeliveryJob};
use tertulia_db::inbox::{self, NewInboxActivity};
use tertulia_db::instances::{self, HostHealth};
use tertulia_db::{Db, DbConn, DbError, outbox};
use tertulia_testrig::TestDatabase;

fn open(test_db: &TestDatabase) -> Db {
    let config = DatabaseConfig { url: test_db.url.clone(), pool_size: 2, connect_timeout_secs: 5 };
    let db = Db::connect(&config).expect("connect");
    db.migrate().expect("migrate");
    db
}

/// A fixed time in whole seconds, so values survive PostgreSQL's
/// microsecond precision unchanged and comparisons stay exact.
fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(12, 0, 0).unwrap()
}

fn local_account(conn: &mut DbConn) -> i64 {
    let id = Id::generate().0;
    accounts::insert(
        conn,
        &NewAccount {
            id,
            username: format!("sender{id}"),
            domain: None,
            display_name: "Sender".into(),
            uri: format!("https://local.example/users/sender{id}"),
            url: None,
            inbox_url: format!("https://local.example/users/sender{id}/inbox"),
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

fn job(actor: i64, activity: &str, host: &str, due: NaiveDateTime) -> NewDeliveryJob {
    NewDeliveryJob {
        activity_id: format!("https://local.example/activities/{activity}"),
        actor_account_id: actor,
        inbox_url: format!("https://{host}/inbox"),
        inbox_host: host.into(),
        payload: format!(r#"{{"id":"{activity}"}}"#),
        next_attempt_at: due,
    }
}

fn claim(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> Vec<delivery::DeliveryJobRow> {
    delivery::claim_due(conn, now, limit, Duration::seconds(60)).unwrap()
}

fn claimed_activities(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> Vec<String> {
    claim(conn, now, limit).into_iter().map(|j| j.activity_id.rsplit('/').next().unwrap().to_owned()).collect()
}

#[test]
fn enqueue_skips_jobs_already_queued_for_the_same_activity_and_inbox() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn);
        let first = [job(actor, "a1", "one.example", t0()), job(actor, "a1", "two.example", t0())];
        assert_eq!(delivery::enqueue(conn, &first, t0()).unwrap(), 2);

        let again = [
            job(actor, "a1", "one.example", t0()),
            job(actor, "a1", "three.example", t0()),
            job(actor, "a1", "three.example", t0()),
        ];
        assert_eq!(delivery::enqueue(conn, &again, t0()).unwrap(), 1);
        assert_eq!(delivery::enqueue(conn, &[], t0()).unwrap(), 0);

        let stats = delivery::stats(conn).unwrap();
        assert_eq!(stats, DeliveryStats { pending: 3, failed: 0, oldest_pending: Some(t0()) });
        Ok(())
    })
    .unwrap();
}

#[test]
fn claim_takes_due_jobs_oldest_first_up_to_the_limit_and_leases_them() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn);
        let now = t0();
        let jobs = [
            job(actor, "later", "h.example", now + Duration::hours(1)),
            job(actor, "second", "h.example", now - Duration::minutes(1)),
            job(actor, "first", "h.example", now - Duration::minutes(2)),
            job(actor, "failed", "h.example", now - Duration::minutes(3)),
        ];
        delivery::enqueue(conn, &jobs, now).unwrap();
        let failed = claim(conn, now, 1).pop().unwrap();
        delivery::fail(conn, failed.id, now, "410 Gone").unwrap();

        let taken = claim(conn, now, 1);
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].activity_id, "https://local.example/activities/first");
        assert_eq!(taken[0].locked_until, Some(now + Duration::seconds(60)));
        let second = claim(conn, now, 10);
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].activity_id, "https://local.example/activities/second");
        assert!(claim(conn, now, 10).is_empty(), "leased, failed and future jobs are not claimable");
        for done in [&taken[0], &second[0]] {
            delivery::complete(conn, done.id).unwrap();
        }
        assert_eq!(claimed_activities(conn, now + Duration::hours(1), 10), ["later"]);
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_job_whose_lease_ran_out_is_claimed_again() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn);
        delivery::enqueue(conn, &[job(actor, "a", "h.example", t0())], t0()).unwrap();
        let lease = Duration::seconds(30);
        let first = delivery::claim_due(conn, t0(), 10, lease).unwrap();
        assert_eq!(first.len(), 1);
        assert!(delivery::claim_due(conn, t0() + Duration::seconds(29), 10, lease).unwrap().is_empty());
        let again = delivery::claim_due(conn, t0() + Duration::seconds(30), 10, lease).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id, first[0].id);
        assert_eq!(again[0].attempts, 0, "an expired lease is not a failed attempt");
        Ok(())
    })
    .unwrap();
}

#[test]
fn retry_fail_and_complete_change_what_is_claimable() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn);
        let now = t0();
        let jobs = [job(actor, "retry", "h.example", now), job(actor, "fail", "h.example", now + Duration::seconds(1))];
        delivery::enqueue(conn, &jobs, now).unwrap();
        delivery::enqueue(conn, &[job(actor, "done", "h.example", now + Duration::seconds(2))], now).unwrap();
        let claimed = claim(conn, now + Duration::seconds(2), 10);
        let [retry, fail, done] = [&claimed[0], &claimed[1], &claimed[2]];

        let later = now + Duration::minutes(5);
        delivery::retry_at(conn, retry.id, later, "connection refused").unwrap();
        delivery::fail(conn, fail.id, now, "403 Forbidden").unwrap();
        delivery::complete(conn, done.id).unwrap();

        assert!(claim(conn, later - Duration::seconds(1), 10).is_empty());
        let retried = claim(conn, later, 10);
        assert_eq!(retried.len(), 1, "neither the failed nor the completed job comes back");
        assert_eq!(retried[0].id, retry.id);
        assert_eq!(retried[0].attempts, 1);
        assert_eq!(retried[0].last_error.as_deref(), Some("connection refused"));

        let failed = delivery::list_failed(conn, 10).unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].id, fail.id);
        assert_eq!(failed[0].failed_at, Some(now));
        assert_eq!(failed[0].locked_until, None);
        assert_eq!(failed[0].last_error.as_deref(), Some("403 Forbidden"));
        assert_eq!(delivery::stats(conn).unwrap(), DeliveryStats { pending: 1, failed: 1, oldest_pending: Some(now) });
        Ok(())
    })
    .unwrap();
}

#[test]
fn deferring_a_host_holds_its_jobs_back_and_releasing_it_makes_them_due_now() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn);
        let now = t0();
        let jobs = [
            job(actor, "down-now", "down.example", now),
            job(actor, "down-later", "down.example", now + Duration::hours(2)),
            job(actor, "up-now", "up.example", now),
        ];
        delivery::enqueue(conn, &jobs, now).unwrap();

        assert_eq!(delivery::defer_host(conn, "down.example", now + Duration::hours(1)).unwrap(), 1);
        let up = claim(conn, now, 10);
        assert_eq!(up.len(), 1);
        assert_eq!(up[0].inbox_host, "up.example");
        delivery::complete(conn, up[0].id).unwrap();
        assert!(claim(conn, now + Duration::minutes(59), 10).is_empty());

        assert_eq!(delivery::release_host(conn, "down.example", now).unwrap(), 2);
        assert_eq!(claimed_activities(conn, now, 10), ["down-now", "down-later"]);
        Ok(())
    })
    .unwrap();
}

#[test]
fn concurrent_claimers_share_the_jobs_without_overlap() {
    const JOBS: usize = 60;
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let now = t0();
    db.run_blocking(|conn| {
        let actor = local_account(conn);
        let jobs: Vec<_> = (0..JOBS).map(|n| job(actor, &format!("a{n}"), "h.example", now)).collect();
        assert_eq!(delivery::enqueue(conn, &jobs, now).unwrap(), JOBS);
        Ok(())
    })
    .unwrap();

    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                db.run_blocking(|conn| {
                    start.wait();
                    let mut mine = Vec::new();
                    // Bounded: 60 jobs in batches of 3 take at most 20 rounds.
                    for _ in 0..JOBS {
                        let batch = claim(conn, now, 3);
                        if batch.is_empty() {
                            break;
                        }
                        mine.extend(batch.into_iter().map(|j| j.id));
                    }
                    Ok(mine)
                })
                .unwrap()
            })
        })
        .collect();
    let results: Vec<Vec<i64>> = workers.into_iter().map(|w| w.join().unwrap()).collect();

    let all: HashSet<i64> = results.iter().flatten().copied().collect();
    assert_eq!(results.iter().map(Vec::len).sum::<usize>(), JOBS, "no job was claimed twice");
    assert_eq!(all.len(), JOBS, "every job was claimed");
}

/// The delivery claim writes (it leases jobs), so on SQLite it must queue on
/// the one in-process writer lock like every write transaction. Going
/// straight to SQLite's busy handler, it lost every retry while other
/// writers handed the lock to each other, and failed with "database is
/// locked" after the busy timeout (5 s).
#[test]
fn claims_get_their_turn_while_other_writers_keep_the_database_busy() {
    const WRITERS: usize = 4;
    const CLAIMS: usize = 5;
    let test_db = TestDatabase::create();
    let config = DatabaseConfig { url: test_db.url.clone(), pool_size: WRITERS as u32 + 1, connect_timeout_secs: 5 };
    let db = Db::connect(&config).expect("connect");
    db.migrate().expect("migrate");
    let actor = db.run_blocking(|conn| Ok(local_account(conn))).unwrap();
    db.run_blocking(|conn| delivery::enqueue(conn, &[job(actor, "a1", "one.example", t0())], t0())).unwrap();

    let busy = Arc::new(AtomicBool::new(true));
    let writes = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (db, busy, writes) = (db.clone(), busy.clone(), writes.clone());
            std::thread::spawn(move || {
                while busy.load(Ordering::Relaxed) && Instant::now() < deadline {
                    db.run_blocking(|conn| {
                        tertulia_db::transaction(conn, |conn| {
                            local_account(conn);
                            // A post fanning out holds the lock for a while.
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            Ok(())
                        })
                    })
                    .unwrap();
                    writes.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while writes.load(Ordering::Relaxed) < WRITERS && Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // Each claim after the lease of the one before ran out; the first
    // failure ends the run.
    let claims: Result<Vec<usize>, DbError> = (0..CLAIMS)
        .map(|n| {
            let now = t0() + Duration::minutes(2 * n as i64);
            db.run_blocking(move |conn| Ok(delivery::claim_due(conn, now, 10, Duration::minutes(1))?.len()))
        })
        .collect();
    busy.store(false, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let claims = claims.expect("every claim got its turn");
    assert_eq!(claims, vec![1; CLAIMS]);
}

#[test]
fn a_host_becomes_unreachable_after_repeated_failures_and_recovers_on_success() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let at = |minutes| t0() + Duration::minutes(minutes);
        let fail =
            |conn: &mut DbConn, minutes| instances::record_failure(conn, "flaky.example", at(minutes), 3).unwrap();

        assert_eq!(fail(conn, 0), HostHealth { failure_count: 1, unreachable_since: None });
        assert_eq!(fail(conn, 1), HostHealth { failure_count: 2, unreachable_since: None });
        assert_eq!(fail(conn, 2), HostHealth { failure_count: 3, unreachable_since: Some(at(2)) });
        assert_eq!(fail(conn, 3), HostHealth { failure_count: 4, unreachable_since: Some(at(2)) });

        assert!(instances::record_success(conn, "flaky.example", at(4)).unwrap());
        let host = instances::find(conn, "flaky.example").unwrap().unwrap();
        assert_eq!((host.failure_count, host.unreachable_since), (0, None));
        assert_eq!(host.first_seen_at, at(0));
        assert_eq!(host.last_success_at, Some(at(4)));
        assert_eq!(host.last_failure_at, Some(at(3)));
        assert!(!instances::record_success(conn, "flaky.example", at(5)).unwrap(), "already reachable");

        assert_eq!(fail(conn, 6), HostHealth { failure_count: 1, unreachable_since: None }, "count restarts");
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_first_success_creates_the_host_and_failing_hosts_are_listed() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        assert!(instances::find(conn, "new.example").unwrap().is_none());
        assert!(!instances::record_success(conn, "new.example", t0()).unwrap());
        let known = instances::find(conn, "new.example").unwrap().unwrap();
        assert_eq!(known.last_success_at, Some(t0()));
        instances::record_failure(conn, "other.example", t0(), 8).unwrap();
        let failing: Vec<String> = instances::failing(conn).unwrap().into_iter().map(|i| i.domain).collect();
        assert_eq!(failing, ["other.example"]);
        Ok(())
    })
    .unwrap();
}

fn activity(uri: &str, received_at: NaiveDateTime) -> NewInboxActivity {
    NewInboxActivity {
        activity_uri: uri.into(),
        actor_uri: "https://remote.example/users/alice".into(),
        kind: "Create".into(),
        payload: format!(r#"{{"id":"{uri}"}}"#),
        received_at,
    }
}

#[test]
fn the_inbox_stores_each_activity_once_and_hands_out_what_is_left_to_process() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let later = t0() + Duration::minutes(1);
        assert!(inbox::record(conn, &activity("https://remote.example/a/2", later)).unwrap());
        assert!(inbox::record(conn, &activity("https://remote.example/a/1", t0())).unwrap());
        let mut redelivered = activity("https://remote.example/a/1", later);
        redelivered.payload = r#"{"changed":true}"#.into();
        assert!(!inbox::record(conn, &redelivered).unwrap());

        let pending = inbox::pending(conn, 10, 3).unwrap();
        let uris: Vec<_> = pending.iter().map(|a| a.activity_uri.as_str()).collect();
        assert_eq!(uris, ["https://remote.example/a/1", "https://remote.example/a/2"]);
        assert_eq!(pending[0].payload, r#"{"id":"https://remote.example/a/1"}"#, "the redelivery stored nothing");
        assert_eq!(inbox::pending(conn, 1, 3).unwrap().len(), 1);

        let (first, second) = (pending[0].id, pending[1].id);
        inbox::mark_processed(conn, first, later).unwrap();
        inbox::mark_failed(conn, second, "actor not found").unwrap();
        let left = inbox::pending(conn, 10, 3).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!((left[0].id, left[0].attempts, left[0].last_error.as_deref()), (second, 1, Some("actor not found")));
        inbox::mark_failed(conn, second, "actor not found").unwrap();
        assert!(inbox::pending(conn, 10, 2).unwrap().is_empty(), "gave up after the maximum attempts");
        Ok(())
    })
    .unwrap();
}

#[test]
fn pruning_forgets_old_processed_activities_only() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        for uri in ["old", "recent", "unprocessed"] {
            inbox::record(conn, &activity(uri, t0())).unwrap();
        }
        let ids: Vec<(String, i64)> =
            inbox::pending(conn, 10, 1).unwrap().into_iter().map(|a| (a.activity_uri, a.id)).collect();
        let id = |uri: &str| ids.iter().find(|(u, _)| u == uri).unwrap().1;
        inbox::mark_processed(conn, id("old"), t0()).unwrap();
        inbox::mark_processed(conn, id("recent"), t0() + Duration::days(2)).unwrap();

        assert_eq!(inbox::prune_processed(conn, t0() + Duration::days(1)).unwrap(), 1);
        assert!(inbox::record(conn, &activity("old", t0())).unwrap(), "outside the dedupe window");
        assert!(!inbox::record(conn, &activity("recent", t0())).unwrap());
        assert!(!inbox::record(conn, &activity("unprocessed", t0())).unwrap());
        Ok(())
    })
    .unwrap();
}

#[test]
fn the_outbox_hands_out_entries_oldest_first_until_removed_or_given_up() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let pushed: Vec<i64> = (0..3)
            .map(|n| {
                let payload = serde_json::json!({ "status_id": n });
                outbox::push(conn, "status_created", &payload, t0() + Duration::seconds(n)).unwrap()
            })
            .collect();

        let batch = outbox::next_batch(conn, 2, 3).unwrap();
        assert_eq!(batch.iter().map(|e| e.id).collect::<Vec<_>>(), pushed[..2]);
        assert_eq!(batch[0].kind, "status_created");
        let payload: serde_json::Value = serde_json::from_str(&batch[0].payload).unwrap();
        assert_eq!(payload, serde_json::json!({ "status_id": 0 }));

        outbox::remove(conn, pushed[1]).unwrap();
        outbox::mark_failed(conn, pushed[0], "no followers table").unwrap();
        let batch = outbox::next_batch(conn, 10, 3).unwrap();
        assert_eq!(batch.iter().map(|e| e.id).collect::<Vec<_>>(), [pushed[0], pushed[2]]);
        assert_eq!((batch[0].attempts, batch[0].last_error.as_deref()), (1, Some("no followers table")));
        assert_eq!(outbox::next_batch(conn, 10, 1).unwrap().iter().map(|e| e.id).collect::<Vec<_>>(), [pushed[2]]);
        Ok(())
    })
    .unwrap();
}
