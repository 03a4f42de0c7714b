//! The federation queues (deliveries, remote hosts, inbox, outbox) against
//! a real database: SQLite by default, PostgreSQL when
//! `TERTULIA_TEST_DB=postgres`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use tertulia_core::config::DatabaseConfig;
use tertulia_db::delivery::{self, DeliveryStats, NewDeliveryJob};
use tertulia_db::inbox::{self, Failure, NewInboxActivity};
use tertulia_db::instances::{self, HostHealth};
use tertulia_db::{Db, DbConn, DbError, outbox};
use tertulia_testrig::TestDatabase;

use common::{drain_from_two_threads, local_account, open, t0};

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
        let actor = local_account(conn, "sender");
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
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn claim_takes_due_jobs_oldest_first_up_to_the_limit_and_leases_them() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn, "sender");
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
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn a_job_whose_lease_ran_out_is_claimed_again() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn, "sender");
        delivery::enqueue(conn, &[job(actor, "a", "h.example", t0())], t0()).unwrap();
        let lease = Duration::seconds(30);
        let first = delivery::claim_due(conn, t0(), 10, lease).unwrap();
        assert_eq!(first.len(), 1);
        assert!(delivery::claim_due(conn, t0() + Duration::seconds(29), 10, lease).unwrap().is_empty());
        let again = delivery::claim_due(conn, t0() + Duration::seconds(30), 10, lease).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id, first[0].id);
        assert_eq!(again[0].attempts, 0, "an expired lease is not a failed attempt");
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn retry_fail_and_complete_change_what_is_claimable() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn, "sender");
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
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn deferring_a_host_holds_its_jobs_back_and_releasing_it_makes_them_due_now() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let actor = local_account(conn, "sender");
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
        Ok::<_, DbError>(())
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
        let actor = local_account(conn, "sender");
        let jobs: Vec<_> = (0..JOBS).map(|n| job(actor, &format!("a{n}"), "h.example", now)).collect();
        assert_eq!(delivery::enqueue(conn, &jobs, now).unwrap(), JOBS);
        Ok::<_, DbError>(())
    })
    .unwrap();

    // 60 jobs in batches of 3 take at most 20 rounds.
    let results =
        drain_from_two_threads(&db, JOBS, move |conn| claim(conn, now, 3).into_iter().map(|j| j.id).collect());

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
    let config = DatabaseConfig {
        url: test_db.url.clone(),
        pool_size: WRITERS as u32 + 1,
        connect_timeout_secs: 5,
        ..DatabaseConfig::default()
    };
    let db = Db::connect(&config).expect("connect");
    db.migrate().expect("migrate");
    let actor = db.run_blocking(|conn| Ok::<_, DbError>(local_account(conn, "sender"))).unwrap();
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
                            local_account(conn, "sender");
                            // A post fanning out holds the lock for a while.
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            Ok::<_, DbError>(())
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
        Ok::<_, DbError>(())
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
        Ok::<_, DbError>(())
    })
    .unwrap();
}

/// Activity `n` of `sender` (`name@host`), received at `received_at`.
fn activity(sender: &str, n: u32, received_at: NaiveDateTime) -> NewInboxActivity {
    let (name, host) = sender.split_once('@').unwrap();
    let actor_uri = format!("https://{host}/users/{name}");
    NewInboxActivity {
        activity_uri: format!("{actor_uri}/activities/{n}"),
        actor_uri,
        actor_host: host.into(),
        kind: "Create".into(),
        payload: format!(r#"{{"n":{n}}}"#),
        received_at,
    }
}

/// Claims up to `senders` senders at `now` for an hour, passing over
/// `skip_hosts`.
fn claim_inbox(
    conn: &mut DbConn,
    now: NaiveDateTime,
    senders: usize,
    skip_hosts: &[&str],
) -> Vec<Vec<inbox::InboxActivityRow>> {
    let claim = inbox::SenderClaim {
        now,
        until: now + Duration::hours(1),
        senders,
        per_sender: 3,
        skip_hosts: skip_hosts.iter().map(|h| (*h).to_owned()).collect(),
    };
    inbox::claim_senders(conn, &claim).unwrap()
}

/// Each claimed batch as "sender:n" strings.
fn batches(claimed: &[Vec<inbox::InboxActivityRow>]) -> Vec<Vec<String>> {
    claimed
        .iter()
        .map(|batch| {
            batch
                .iter()
                .map(|a| {
                    let name = a.actor_uri.rsplit('/').next().unwrap();
                    format!("{name}:{}", a.activity_uri.rsplit('/').next().unwrap())
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_inbox_stores_each_activity_once_and_hands_out_each_senders_in_the_order_received() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let later = t0() + Duration::minutes(1);
        assert!(inbox::record(conn, &activity("alice@a.example", 2, later)).unwrap());
        assert!(inbox::record(conn, &activity("alice@a.example", 1, t0())).unwrap());
        for n in 3..=5 {
            inbox::record(conn, &activity("alice@a.example", n, later + Duration::seconds(n.into()))).unwrap();
        }
        let mut redelivered = activity("alice@a.example", 1, later);
        redelivered.payload = r#"{"changed":true}"#.into();
        assert!(!inbox::record(conn, &redelivered).unwrap());
        inbox::record(conn, &activity("bob@b.example", 1, later)).unwrap();
        assert_eq!(inbox::backlog(conn).unwrap(), 6);

        let now = later + Duration::minutes(1);
        let claimed = claim_inbox(conn, now, 5, &[]);
        assert_eq!(batches(&claimed), [vec!["alice:1", "alice:2", "alice:3"], vec!["bob:1"]], "3 per sender at most");
        assert_eq!(claimed[0][0].payload, r#"{"n":1}"#, "the redelivery stored nothing");
        assert!(claim_inbox(conn, now, 5, &[]).is_empty(), "claimed senders are not handed out twice");

        // alice's first is applied and the rest given back: her queue
        // goes on where it stopped.
        inbox::mark_processed(conn, claimed[0][0].id, now).unwrap();
        inbox::release(conn, &[claimed[0][1].id, claimed[0][2].id]).unwrap();
        assert_eq!(batches(&claim_inbox(conn, now, 5, &[])), [vec!["alice:2", "alice:3", "alice:4"]]);
        // The leases run out (as when a worker dies): both are claimed again.
        let after_leases = now + Duration::hours(1);
        let claimed = claim_inbox(conn, after_leases, 5, &[]);
        assert_eq!(batches(&claimed), [vec!["alice:2", "alice:3", "alice:4"], vec!["bob:1"]]);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn a_failed_activity_waits_for_its_retry_holding_back_its_sender_and_is_kept_with_its_error_when_given_up() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        inbox::record(conn, &activity("alice@a.example", 1, t0())).unwrap();
        inbox::record(conn, &activity("alice@a.example", 2, t0() + Duration::seconds(1))).unwrap();
        inbox::record(conn, &activity("bob@b.example", 1, t0() + Duration::seconds(2))).unwrap();
        let claimed = claim_inbox(conn, t0() + Duration::seconds(5), 5, &[]);
        assert_eq!(batches(&claimed), [vec!["alice:1", "alice:2"], vec!["bob:1"]]);
        let (first, second) = (claimed[0][0].id, claimed[0][1].id);

        // alice's first fails (her site is down): it is due again in ten
        // minutes, and her second waits behind it; bob is not held back.
        let retry = t0() + Duration::minutes(10);
        inbox::record_failure(conn, first, Failure::RetryAt(retry), "cannot reach the remote server").unwrap();
        inbox::release(conn, &[second]).unwrap();
        inbox::mark_processed(conn, claimed[1][0].id, t0()).unwrap();
        inbox::record(conn, &activity("bob@b.example", 2, t0() + Duration::minutes(1))).unwrap();
        assert_eq!(batches(&claim_inbox(conn, t0() + Duration::minutes(2), 5, &[])), [vec!["bob:2"]]);
        assert!(claim_inbox(conn, retry - Duration::seconds(1), 5, &[]).is_empty(), "not before its backoff");
        assert_eq!(inbox::backlog(conn).unwrap(), 3, "waiting for a retry still counts");

        let claimed = claim_inbox(conn, retry, 5, &[]);
        assert_eq!(batches(&claimed), [vec!["alice:1", "alice:2"]]);
        let retried = &claimed[0][0];
        assert_eq!((retried.attempts, retried.last_error.as_deref()), (1, Some("cannot reach the remote server")));

        // The last attempt fails too: the activity is left aside with its
        // error, and the sender's next activity goes ahead.
        let now = retry + Duration::minutes(1);
        inbox::record_failure(conn, first, Failure::GivenUp(now), "gave up: cannot reach the remote server").unwrap();
        inbox::release(conn, &[second]).unwrap();
        let claimed = claim_inbox(conn, now, 5, &[]);
        assert_eq!(batches(&claimed), [vec!["alice:2"]], "the given-up activity is not handed out again");
        let given_up = inbox_row(conn, first);
        assert_eq!(given_up.failed_at, Some(now));
        assert_eq!(given_up.processed_at, None);
        assert_eq!(given_up.attempts, 2);
        assert_eq!(given_up.last_error.as_deref(), Some("gave up: cannot reach the remote server"));
        assert_eq!(inbox::backlog(conn).unwrap(), 2, "given up no longer counts");
        Ok::<_, DbError>(())
    })
    .unwrap();
}

fn inbox_row(conn: &mut DbConn, id: i64) -> inbox::InboxActivityRow {
    use diesel::prelude::*;
    use tertulia_db::schema::inbox_activities;
    inbox_activities::table.find(id).select(inbox::InboxActivityRow::as_select()).first(conn).unwrap()
}

#[test]
fn one_sender_per_host_is_claimed_at_a_time_and_busy_hosts_are_passed_over() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        for (n, sender) in ["ana@big.example", "bea@big.example", "carl@small.example"].into_iter().enumerate() {
            inbox::record(conn, &activity(sender, 1, t0() + Duration::seconds(n as i64))).unwrap();
        }
        let now = t0() + Duration::minutes(1);
        assert_eq!(batches(&claim_inbox(conn, now, 5, &[])), [vec!["ana:1"], vec!["carl:1"]]);
        assert!(claim_inbox(conn, now, 5, &["big.example"]).is_empty(), "big.example has all its workers");
        assert_eq!(batches(&claim_inbox(conn, now, 5, &[])), [vec!["bea:1"]]);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn concurrent_claimers_never_share_a_sender_nor_apply_its_activities_out_of_order() {
    const SENDERS: u32 = 6;
    const PER_SENDER: u32 = 10;
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        for n in 0..PER_SENDER {
            for sender in 0..SENDERS {
                let received = t0() + Duration::seconds(i64::from(n));
                inbox::record(conn, &activity(&format!("s{sender}@h{sender}.example"), n, received)).unwrap();
            }
        }
        Ok::<_, DbError>(())
    })
    .unwrap();

    let now = t0() + Duration::minutes(1);
    // Every activity applied, in the order it was applied over both workers.
    let applied = Arc::new(std::sync::Mutex::new(Vec::<(String, u32)>::new()));
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (db, start, applied) = (db.clone(), start.clone(), applied.clone());
            std::thread::spawn(move || {
                start.wait();
                // Bounded: every round applies at least one activity.
                for _ in 0..SENDERS * PER_SENDER {
                    let claimed = db.run_blocking(|conn| Ok::<_, DbError>(claim_inbox(conn, now, 2, &[]))).unwrap();
                    if claimed.is_empty() {
                        break;
                    }
                    for activity in claimed.into_iter().flatten() {
                        let n = activity.activity_uri.rsplit('/').next().unwrap().parse().unwrap();
                        applied.lock().unwrap().push((activity.actor_uri.clone(), n));
                        db.run_blocking(|conn| inbox::mark_processed(conn, activity.id, now)).unwrap();
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }

    let applied = applied.lock().unwrap();
    assert_eq!(applied.len(), (SENDERS * PER_SENDER) as usize, "every activity applied");
    assert_eq!(applied.iter().collect::<HashSet<_>>().len(), applied.len(), "none applied twice");
    for sender in 0..SENDERS {
        let actor = format!("https://h{sender}.example/users/s{sender}");
        let order: Vec<u32> = applied.iter().filter(|(a, _)| *a == actor).map(|(_, n)| *n).collect();
        assert_eq!(order, (0..PER_SENDER).collect::<Vec<_>>(), "{actor}'s activities in the order received");
    }
}

#[test]
fn pruning_forgets_old_processed_activities_only() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        for (n, sender) in ["old@a.example", "recent@b.example", "unprocessed@c.example"].into_iter().enumerate() {
            inbox::record(conn, &activity(sender, 1, t0() + Duration::seconds(n as i64))).unwrap();
        }
        let claimed = claim_inbox(conn, t0() + Duration::minutes(1), 3, &[]);
        inbox::mark_processed(conn, claimed[0][0].id, t0()).unwrap();
        inbox::mark_processed(conn, claimed[1][0].id, t0() + Duration::days(2)).unwrap();

        assert_eq!(inbox::prune_processed(conn, t0() + Duration::days(1)).unwrap(), 1);
        assert!(inbox::record(conn, &activity("old@a.example", 1, t0())).unwrap(), "outside the dedupe window");
        assert!(!inbox::record(conn, &activity("recent@b.example", 1, t0())).unwrap());
        assert!(!inbox::record(conn, &activity("unprocessed@c.example", 1, t0())).unwrap());
        Ok::<_, DbError>(())
    })
    .unwrap();
}

fn push_outbox(conn: &mut DbConn, n: i64) -> i64 {
    let payload = serde_json::json!({ "status_id": n });
    outbox::push(conn, outbox::OutboxKind::StatusCreated, &payload, t0() + Duration::seconds(n)).unwrap()
}

/// The oldest claimable outbox record's id, claimed in a transaction of its own.
fn next_outbox(conn: &mut DbConn, max_attempts: i32) -> Option<i64> {
    tertulia_db::transaction(conn, |conn| Ok::<_, DbError>(outbox::claim_next(conn, max_attempts)?.map(|r| r.id)))
        .unwrap()
}

#[test]
fn the_outbox_hands_out_entries_oldest_first_until_removed_or_given_up() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let pushed: Vec<i64> = (0..3).map(|n| push_outbox(conn, n)).collect();

        let first = tertulia_db::transaction(conn, |conn| outbox::claim_next(conn, 3)).unwrap().unwrap();
        assert_eq!((first.id, first.kind), (pushed[0], outbox::OutboxKind::StatusCreated));
        let payload: serde_json::Value = serde_json::from_str(&first.payload).unwrap();
        assert_eq!(payload, serde_json::json!({ "status_id": 0 }));

        outbox::remove(conn, pushed[0]).unwrap();
        outbox::mark_failed(conn, pushed[1], "no followers table").unwrap();
        assert_eq!(next_outbox(conn, 3), Some(pushed[1]), "failed fewer times than allowed: still handed out");
        assert_eq!(next_outbox(conn, 1), Some(pushed[2]), "given up after one failure");
        outbox::remove(conn, pushed[2]).unwrap();
        assert_eq!(next_outbox(conn, 1), None);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn a_record_waits_until_handled_or_given_up_so_the_same_change_is_recorded_once() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let counted = |status: i64| serde_json::json!({ "kind": "event_counted", "status": status });
        let kind = outbox::OutboxKind::EventCounted;
        assert!(!outbox::waiting(conn, kind, &counted(1))?, "nothing recorded yet");
        let record = outbox::push(conn, kind, &counted(1), t0())?;
        assert!(outbox::waiting(conn, kind, &counted(1))?);
        assert!(!outbox::waiting(conn, kind, &counted(2))?, "another event's record");
        assert!(!outbox::waiting(conn, outbox::OutboxKind::PollCounted, &counted(1))?, "another kind");
        for _ in 0..outbox::MAX_ATTEMPTS {
            outbox::mark_failed(conn, record, "broken")?;
        }
        assert!(!outbox::waiting(conn, kind, &counted(1))?, "a record given up on waits no more");
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn two_workers_handling_the_outbox_at_once_take_each_record_once() {
    const RECORDS: usize = 40;
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let all: HashSet<i64> =
        db.run_blocking(|conn| Ok::<_, DbError>((0..RECORDS as i64).map(|n| push_outbox(conn, n)).collect())).unwrap();
    // What the outbox worker does: claim, handle and remove in one transaction.
    let take = |conn: &mut DbConn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(record) = outbox::claim_next(conn, 5)? else { return Ok::<_, DbError>(Vec::new()) };
            outbox::remove(conn, record.id)?;
            Ok(vec![record.id])
        })
        .unwrap()
    };
    let results = drain_from_two_threads(&db, RECORDS, take);
    assert_eq!(results.iter().map(Vec::len).sum::<usize>(), RECORDS, "no record was taken twice");
    assert_eq!(results.iter().flatten().copied().collect::<HashSet<i64>>(), all, "every record was taken");
}

#[test]
fn processes_racing_to_store_the_vapid_key_all_end_up_with_the_first_one() {
    let test_db = TestDatabase::create();
    // Separate pools stand for separate processes sharing the database.
    let pools: Vec<Db> = (0..4).map(|_| open(&test_db)).collect();
    let start = Arc::new(Barrier::new(pools.len()));
    let threads: Vec<_> = pools
        .into_iter()
        .enumerate()
        .map(|(n, db)| {
            let start = start.clone();
            std::thread::spawn(move || {
                let row = tertulia_db::push::VapidKeyRow {
                    id: 1,
                    private_key: format!("private-{n}"),
                    public_key: format!("public-{n}"),
                    created_at: t0(),
                };
                start.wait();
                db.run_blocking(move |conn| {
                    let stored = tertulia_db::push::insert_vapid_key(conn, &row)?;
                    Ok::<_, DbError>((stored, tertulia_db::push::vapid_key(conn)?.unwrap().public_key))
                })
                .unwrap()
            })
        })
        .collect();
    let results: Vec<(bool, String)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|(stored, _)| *stored).count(), 1, "{results:?}");
    let keys: HashSet<&String> = results.iter().map(|(_, key)| key).collect();
    assert_eq!(keys.len(), 1, "every process reads the same key: {results:?}");
}

/// A stored name the program does not know fails the read with a message
/// naming the value, rather than being read as some default.
fn assert_unreadable<T: std::fmt::Debug>(read: Result<T, DbError>, value: &str) {
    match read {
        Err(DbError::Unreadable(message)) => assert!(message.contains(&format!("'{value}'")), "{message}"),
        other => panic!("a row holding '{value}' was read as {other:?}"),
    }
}

#[test]
fn an_outbox_record_of_an_unknown_kind_fails_the_claim() {
    use diesel::RunQueryDsl;

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let id = db.run_blocking(|conn| Ok::<_, DbError>(push_outbox(conn, 0))).unwrap();
    db.run_blocking(move |conn| {
        diesel::sql_query(format!("UPDATE federation_outbox SET kind = 'status_teleported' WHERE id = {id}"))
            .execute(conn)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
    let claimed = db.run_blocking(|conn| tertulia_db::transaction(conn, |conn| outbox::claim_next(conn, 3)));
    assert_unreadable(claimed, "status_teleported");
}

#[test]
fn an_actor_of_an_unknown_type_fails_the_read() {
    use diesel::RunQueryDsl;
    use tertulia_db::actors::{self, ActorType};

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let id = db.run_blocking(|conn| Ok::<_, DbError>(local_account(conn, "ana"))).unwrap();
    let read = db.run_blocking(move |conn| actors::find(conn, id)).unwrap().unwrap();
    assert_eq!(read.actor_type, ActorType::Person, "a new local account is a Person");
    db.run_blocking(move |conn| {
        diesel::sql_query(format!("UPDATE accounts SET actor_type = 'Robot' WHERE id = {id}")).execute(conn)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
    assert_unreadable(db.run_blocking(move |conn| actors::find(conn, id)), "Robot");
}

#[test]
fn queue_depths_count_waiting_items_and_age_the_oldest_in_one_statement() {
    use tertulia_core::metrics::QueueDepth;
    use tertulia_db::queues;

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let now = t0() + Duration::hours(1);
        let actor = local_account(conn, "sender");
        delivery::enqueue(conn, &[job(actor, "old", "h.example", t0())], t0())?;
        delivery::enqueue(conn, &[job(actor, "new", "h.example", now)], now)?;
        let given_up = claim(conn, now, 1).pop().unwrap();
        delivery::fail(conn, given_up.id, now, "refused for good")?;
        inbox::record(conn, &activity("ana@es.example", 1, now - Duration::minutes(10)))?;
        inbox::record(conn, &activity("ana@es.example", 2, now))?;
        let stuck = push_outbox(conn, 0);
        for _ in 0..outbox::MAX_ATTEMPTS {
            outbox::mark_failed(conn, stuck, "a bug")?;
        }
        push_outbox(conn, 60);

        let (depths, statements) = tertulia_db::count_statements(conn, |conn| queues::depths(conn, now));
        assert_eq!(statements, 1);
        let depth = |queue, depth, oldest_age_seconds| QueueDepth { queue, depth, oldest_age_seconds };
        assert_eq!(
            depths?,
            [depth("delivery", 1, 0.0), depth("inbox", 2, 600.0), depth("outbox", 1, 3540.0), depth("push", 0, 0.0),],
            "given-up items do not count; the oldest waiting one sets the age"
        );
        Ok::<_, DbError>(())
    })
    .unwrap();
}
