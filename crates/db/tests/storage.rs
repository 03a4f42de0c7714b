//! The storage layer against a real database: SQLite by default, PostgreSQL
//! when `TERTULIA_TEST_DB=postgres` (tests/run.sh runs both).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tertulia_core::Id;
use tertulia_core::config::DatabaseConfig;
use tertulia_db::accounts::{self, NewAccount};
use tertulia_db::users::{self, NewUser};
use tertulia_db::{Db, DbError, stats};
use tertulia_testrig::TestDatabase;

fn open(test_db: &TestDatabase) -> Db {
    let config =
        DatabaseConfig { url: test_db.url.clone(), pool_size: 2, connect_timeout_secs: 5, ..DatabaseConfig::default() };
    let db = Db::connect(&config).expect("connect");
    db.migrate().expect("migrate");
    db
}

fn new_account(username: &str, domain: Option<&str>) -> NewAccount {
    let now = tertulia_db::now();
    let host = domain.unwrap_or("local.example");
    NewAccount {
        id: Id::generate().0,
        username: username.into(),
        domain: domain.map(str::to_owned),
        display_name: username.into(),
        uri: format!("https://{host}/users/{username}"),
        url: None,
        inbox_url: format!("https://{host}/users/{username}/inbox"),
        outbox_url: None,
        followers_url: None,
        following_url: None,
        created_at: now,
        updated_at: now,
    }
}

fn new_user(account_id: i64, email: &str) -> NewUser {
    let now = tertulia_db::now();
    NewUser {
        id: Id::generate().0,
        account_id,
        email: email.into(),
        password_hash: "$argon2id$placeholder".into(),
        role: users::Role::User,
        created_at: now,
        updated_at: now,
    }
}

#[test]
fn both_migration_sets_have_the_same_migrations() {
    let names = |backend: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

#[test]
fn migrations_apply_once_and_then_report_nothing_to_do() {
    let test_db = TestDatabase::create();
    let config =
        DatabaseConfig { url: test_db.url.clone(), pool_size: 2, connect_timeout_secs: 5, ..DatabaseConfig::default() };
    let db = Db::connect(&config).unwrap();
    let shipped = std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(db.migrate().unwrap().applied.len(), shipped);
    assert!(db.migrate().unwrap().applied.is_empty());
}

#[test]
fn local_usernames_are_unique_regardless_of_case_but_remote_namesakes_are_fine() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        accounts::insert(conn, &new_account("Ana", None))?;
        let clash = accounts::insert(conn, &new_account("ana", None)).unwrap_err();
        assert!(clash.is_conflict_on("accounts_username_domain_key"), "{clash:?}");
        accounts::insert(conn, &new_account("ana", Some("es.acme.example")))?;
        accounts::insert(conn, &new_account("ana", Some("mx.acme.example")))?;
        let found = accounts::find_local_by_username(conn, "ANA")?.expect("case-insensitive lookup");
        assert_eq!(found.username, "Ana");
        assert_eq!(found.domain, None);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn emails_are_unique_regardless_of_case() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let a = new_account("ana", None);
        let b = new_account("bruno", None);
        accounts::insert(conn, &a)?;
        accounts::insert(conn, &b)?;
        users::insert(conn, &new_user(a.id, "staff@acme.example"))?;
        assert!(users::email_exists(conn, "STAFF@acme.example")?);
        let clash = users::insert(conn, &new_user(b.id, "Staff@ACME.example")).unwrap_err();
        assert!(clash.is_conflict_on("users_email_key"), "{clash:?}");
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let account = new_account("ana", None);
    let result = db.run_blocking(|conn| {
        tertulia_db::transaction(conn, |conn| {
            accounts::insert(conn, &account)?;
            // A user pointing at a missing account violates the foreign key.
            users::insert(conn, &new_user(Id::generate().0, "ana@acme.example"))
        })
    });
    assert!(result.is_err());
    let found = db.run_blocking(|conn| accounts::find_local_by_username(conn, "ana")).unwrap();
    assert!(found.is_none(), "the account insert was rolled back");
}

/// Stands for a bug: work that panics half-way through a transaction.
fn panics_half_way(conn: &mut tertulia_db::DbConn) -> Result<(), DbError> {
    accounts::insert(conn, &new_account("lost", None))?;
    panic!("a bug in the middle of a write transaction");
}

/// A connection whose work panicked goes back to the pool with its
/// transaction neither committed nor rolled back. Reused, it kept SQLite's
/// write lock (other writers waited, then failed) and turned the next
/// transaction into a savepoint inside the dead one, never committed.
#[tokio::test]
async fn after_a_panic_inside_a_write_transaction_the_next_write_commits_at_once() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let crashed = db.run(|conn| tertulia_db::transaction(conn, panics_half_way)).await;
    assert!(matches!(crashed, Err(DbError::Unavailable(_))), "{crashed:?}");

    let started = std::time::Instant::now();
    db.run(|conn| tertulia_db::transaction(conn, |conn| accounts::insert(conn, &new_account("ana", None))))
        .await
        .expect("the next write");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "the next write waited {:?}", started.elapsed());

    // Seen through connections of their own.
    let config =
        DatabaseConfig { url: test_db.url.clone(), pool_size: 1, connect_timeout_secs: 5, ..DatabaseConfig::default() };
    let (ana, lost) = Db::connect(&config)
        .unwrap()
        .run_blocking(|conn| {
            Ok::<_, DbError>((
                accounts::find_local_by_username(conn, "ana")?,
                accounts::find_local_by_username(conn, "lost")?,
            ))
        })
        .unwrap();
    assert!(ana.is_some(), "the write after the panic was committed");
    assert!(lost.is_none(), "the write that panicked was rolled back");
}

/// An error of the caller's own, as the domain's refusals are: not a
/// database error, yet able to carry one.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("refused")]
    Refused,
    #[error(transparent)]
    Database(#[from] DbError),
}

fn insert_then_refuse(conn: &mut tertulia_db::DbConn, username: &str) -> Result<(), Refusal> {
    accounts::insert(conn, &new_account(username, None))?;
    Err(Refusal::Refused)
}

fn local_account_exists(db: &Db, username: &str) -> bool {
    db.run_blocking(|conn| accounts::find_local_by_username(conn, username)).unwrap().is_some()
}

/// A transaction whose work fails with an error of its own (a rule broken
/// half-way) rolls back as on a database error, so a refused request
/// leaves nothing half-written; nested, only the savepoint rolls back.
#[tokio::test]
async fn a_transaction_refused_with_an_error_of_its_own_is_rolled_back() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);

    let refused = db.write(|conn| insert_then_refuse(conn, "ana")).await;
    assert!(matches!(refused, Err(Refusal::Refused)), "{refused:?}");
    assert!(!local_account_exists(&db, "ana"), "the refused write was rolled back");

    let outer = db.run_blocking(|conn| {
        tertulia_db::transaction(conn, |conn| {
            accounts::insert(conn, &new_account("bruno", None))?;
            let inner = tertulia_db::transaction(conn, |conn| insert_then_refuse(conn, "carmen"));
            assert!(matches!(inner, Err(Refusal::Refused)), "{inner:?}");
            Ok::<_, Refusal>(())
        })
    });
    assert!(outer.is_ok(), "{outer:?}");
    assert!(local_account_exists(&db, "bruno"), "the outer transaction committed");
    assert!(!local_account_exists(&db, "carmen"), "the refused savepoint was rolled back");
}

#[test]
fn deleting_an_account_cascades_to_its_user_and_suspension_is_counted() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let month_ago = tertulia_db::now() - chrono::Duration::days(30);
    db.run_blocking(|conn| {
        let a = new_account("ana", None);
        let b = new_account("bruno", None);
        accounts::insert(conn, &a)?;
        accounts::insert(conn, &b)?;
        users::insert(conn, &new_user(a.id, "ana@acme.example"))?;
        users::insert(conn, &new_user(b.id, "bruno@acme.example"))?;
        assert_eq!(stats::instance_stats(conn, month_ago, month_ago)?.users, 2);

        accounts::set_suspended(conn, b.id, Some(tertulia_db::now()))?;
        assert_eq!(stats::instance_stats(conn, month_ago, month_ago)?.users, 1);
        accounts::set_suspended(conn, b.id, None)?;

        accounts::delete(conn, a.id)?;
        assert!(users::find_by_username(conn, "ana")?.is_none());
        assert_eq!(users::list_with_accounts(conn)?.len(), 1);
        assert!(matches!(accounts::delete(conn, a.id), Err(DbError::NotFound)));
        assert!(matches!(accounts::set_suspended(conn, a.id, None), Err(DbError::NotFound)));
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn ids_from_the_generator_round_trip_through_the_database() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let account = new_account("ana", None);
    let id = account.id;
    db.run_blocking(|conn| accounts::insert(conn, &account)).unwrap();
    let row = db.run_blocking(|conn| accounts::find(conn, id)).unwrap().unwrap();
    assert_eq!(row.id, id);
    assert!(Id(row.id).timestamp().is_some());
}

#[tokio::test]
async fn async_work_runs_off_the_runtime_and_ping_answers() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.ping().await.unwrap();
    let count = db.run(|conn| users::list_with_accounts(conn).map(|u| u.len())).await.unwrap();
    assert_eq!(count, 0);
}

#[test]
fn client_secrets_stored_before_they_were_hashed_are_hashed_by_the_migration() {
    use diesel::RunQueryDsl;
    use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
    use tertulia_db::{DbConn, oauth};
    const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
    const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
    const HASHING: &str = "2026-12-06-000001";

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    // Back to just before the hashing migration, store an app the way the
    // code before it did, and migrate again.
    db.run_blocking(|conn| {
        for _ in 0..100 {
            let reverted = match conn {
                DbConn::Sqlite(c) => c.revert_last_migration(SQLITE).map(|v| v.to_string()),
                DbConn::Postgres(c) => c.revert_last_migration(POSTGRES).map(|v| v.to_string()),
            }
            .unwrap();
            if reverted.replace('-', "") == HASHING.replace('-', "") {
                break;
            }
        }
        diesel::sql_query(
            "INSERT INTO oauth_applications (id, name, redirect_uris, scopes, client_id, client_secret, created_at) \
             VALUES (1, 'Old app', 'urn:ietf:wg:oauth:2.0:oob', 'read', 'old-client', 'old-secret', CURRENT_TIMESTAMP)",
        )
        .execute(conn)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
    db.migrate().unwrap();
    let app = db.run_blocking(|conn| oauth::find_application(conn, "old-client")).unwrap().unwrap();
    // `printf old-secret | sha256sum`: the migration's hash and the code's agree.
    assert_eq!(app.client_secret_hash, "5d865deae06fbd34fe9ce848f3e5fc4368f2f612b18aef47f29f2164563a0140");
    assert_eq!(app.client_secret_hash, oauth::hash_secret("old-secret"));
}

/// Waits (at most ten seconds) until `done` holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "not within ten seconds: {what}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn processes_on_one_postgres_database_hear_each_other_and_one_leads_at_a_time() {
    use tertulia_db::cluster::{Cluster, Incoming, Membership};
    let test_db = TestDatabase::create();
    let config =
        DatabaseConfig { url: test_db.url.clone(), pool_size: 2, connect_timeout_secs: 5, ..DatabaseConfig::default() };
    let join = || match Cluster::join(&config).unwrap() {
        Membership::Clustered(cluster, incoming) => Some((cluster, incoming)),
        Membership::Alone(_) => None,
    };
    let Some((a, mut to_a)) = join() else {
        eprintln!("skipped: SQLite serves one process (TERTULIA_TEST_DB=postgres joins a cluster)");
        return;
    };
    let (b, mut to_b) = join().unwrap();
    let receive = |incoming: &mut Incoming| {
        let mut message = None;
        eventually("a message arrives", || {
            message = incoming.try_recv().ok();
            message.is_some()
        });
        message.unwrap()
    };
    // Longer than a notification may carry: sent in parts, received whole.
    let long = "ñandú ".repeat(4_000);
    a.send(long.clone());
    assert_eq!(receive(&mut to_b), long);
    b.send("short".into());
    assert_eq!(receive(&mut to_a), "short", "a hears b, and not its own message");

    eventually("one process leads", || a.is_leader() || b.is_leader());
    assert!(!(a.is_leader() && b.is_leader()), "two leaders");
    let (leader, other) = if a.is_leader() { (a, b) } else { (b, a) };
    drop(leader);
    eventually("the other takes over when the leader leaves", || other.is_leader());
}

/// Reads `values` back through the database as `$ty`, each bound as text
/// and selected again, on whichever backend the test runs.
macro_rules! assert_text_round_trip {
    ($conn:expr, $ty:ty, $values:expr) => {
        for &value in $values.iter() {
            let back: $ty = diesel::select(value.into_sql::<diesel::sql_types::Text>()).get_result($conn).unwrap();
            assert_eq!(back, value);
        }
    };
}

#[test]
fn stored_enums_round_trip_through_the_database() {
    use diesel::IntoSql;
    use diesel::RunQueryDsl;
    use tertulia_core::media::MediaKind;
    use tertulia_core::visibility::Visibility;
    use tertulia_db::filters::FilterAction;
    use tertulia_db::lists::RepliesPolicy;
    use tertulia_db::markers::MarkerTimeline;
    use tertulia_db::notification_policies::Decision;
    use tertulia_db::notifications::NotificationKind;
    use tertulia_db::quotes::QuoteState;

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        assert_text_round_trip!(conn, Visibility, Visibility::ALL);
        assert_text_round_trip!(conn, MediaKind, MediaKind::ALL);
        assert_text_round_trip!(conn, QuoteState, QuoteState::ALL);
        assert_text_round_trip!(conn, users::Role, users::Role::ALL);
        assert_text_round_trip!(conn, NotificationKind, NotificationKind::ALL);
        assert_text_round_trip!(conn, Decision, Decision::ALL);
        assert_text_round_trip!(conn, RepliesPolicy, RepliesPolicy::ALL);
        assert_text_round_trip!(conn, MarkerTimeline, MarkerTimeline::ALL);
        assert_text_round_trip!(conn, FilterAction, FilterAction::ALL);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn account_and_status_ids_are_bigint_values() {
    use diesel::{IntoSql, RunQueryDsl};
    use tertulia_core::{AccountId, StatusId};

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let (account, status) = (AccountId(Id::generate().0), StatusId(i64::MAX));
    db.run_blocking(move |conn| {
        let back: AccountId = diesel::select(account.into_sql::<diesel::sql_types::BigInt>()).get_result(conn)?;
        assert_eq!(back, account);
        let back: StatusId = diesel::select(status.into_sql::<diesel::sql_types::BigInt>()).get_result(conn)?;
        assert_eq!(back, status);
        Ok::<_, DbError>(())
    })
    .unwrap();
}

#[test]
fn a_stored_visibility_this_program_does_not_know_fails_the_read() {
    use diesel::RunQueryDsl;
    use tertulia_core::visibility::Visibility;
    use tertulia_db::statuses::{self, StatusRow};

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let author = new_account("ana", None);
    let id = Id::generate().0;
    let written = db.run_blocking(|conn| {
        accounts::insert(conn, &author)?;
        let row =
            StatusRow::new_local(id, format!("{}/1", author.uri), author.id, Visibility::Local, author.created_at);
        statuses::insert(conn, &row)?;
        statuses::find(conn, id)
    });
    assert_eq!(written.unwrap().unwrap().visibility, Visibility::Local);

    db.run_blocking(|conn| {
        diesel::sql_query(format!("UPDATE statuses SET visibility = 'secret' WHERE id = {id}")).execute(conn)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
    match db.run_blocking(|conn| statuses::find(conn, id)) {
        Err(DbError::Unreadable(message)) => {
            assert!(message.contains("'visibility'"), "the column is named: {message}");
            assert!(message.contains("'secret' is not a visibility"), "the value is named: {message}");
        }
        other => panic!("a row with an unknown visibility was read as {other:?}"),
    }
}

/// Every text column holding a closed set of names, with one row written
/// through its table's module and read back by it: after raw SQL stores a
/// name this program does not know, the read fails naming the value,
/// rather than guessing a default.
#[test]
fn an_unknown_stored_name_fails_the_read_in_every_typed_column() {
    use diesel::RunQueryDsl;
    use tertulia_db::filters::{self, FilterAction, FilterRow};
    use tertulia_db::lists::{self, ListRow, RepliesPolicy};
    use tertulia_db::notification_policies::{self, Decision, PolicyRow};
    use tertulia_db::notifications::{self, NotificationKind, NotificationRow};

    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let ana = new_account("ana", None);
    let (owner, now, id) = (ana.id, tertulia_db::now(), Id::generate().0);
    db.run_blocking(move |conn| {
        accounts::insert(conn, &ana)?;
        users::insert(conn, &new_user(owner, "ana@hq.example"))?;
        let list = ListRow {
            id,
            account_id: owner,
            title: "Leads".into(),
            replies_policy: RepliesPolicy::List,
            exclusive: false,
            created_at: now,
        };
        lists::insert(conn, &list)?;
        let filter = FilterRow {
            id,
            account_id: owner,
            title: "Spoilers".into(),
            context: r#"["home"]"#.into(),
            action: FilterAction::Warn,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        filters::insert(conn, &filter)?;
        let policy = PolicyRow {
            account_id: owner,
            for_not_following: Decision::Accept,
            for_not_followers: Decision::Accept,
            for_new_accounts: Decision::Accept,
            for_private_mentions: Decision::Filter,
            for_limited_accounts: Decision::Drop,
            updated_at: now,
        };
        notification_policies::save_policy(conn, &policy)?;
        let notification = NotificationRow {
            id,
            account_id: owner,
            from_account_id: owner,
            kind: NotificationKind::FollowRequest,
            status_id: None,
            group_key: format!("ungrouped-{id}"),
            created_at: now,
            filtered: false,
            report_id: None,
            account_warning_id: None,
        };
        notifications::insert(conn, &notification)
    })
    .unwrap();

    type Read = fn(&mut tertulia_db::DbConn, i64, i64) -> Result<bool, DbError>;
    // (`markers.timeline` is not here: markers are only ever read by
    // timeline name, so a row with another name is never read.)
    let columns: [(&str, &str, &str, Read); 5] = [
        ("users", "role", "role", |conn, _, _| Ok(users::find_by_username(conn, "ana")?.is_some())),
        ("lists", "replies_policy", "replies policy", |conn, owner, id| Ok(lists::find(conn, owner, id)?.is_some())),
        ("filters", "action", "filter action", |conn, owner, id| Ok(filters::find(conn, owner, id)?.is_some())),
        ("notification_policies", "for_new_accounts", "notification policy decision", |conn, owner, _| {
            Ok(notification_policies::find_policy(conn, owner)?.is_some())
        }),
        ("notifications", "kind", "notification type", |conn, owner, id| {
            Ok(notifications::find(conn, owner, id)?.is_some())
        }),
    ];
    for (table, column, kind, read) in columns {
        assert!(db.run_blocking(move |conn| read(conn, owner, id)).unwrap(), "{table} is read before");
        db.run_blocking(move |conn| {
            diesel::sql_query(format!("UPDATE {table} SET {column} = 'bogus'")).execute(conn)?;
            Ok::<_, DbError>(())
        })
        .unwrap();
        match db.run_blocking(move |conn| read(conn, owner, id)) {
            Err(DbError::Unreadable(message)) => {
                assert!(message.contains(&format!("'bogus' is not a {kind}")), "{table}.{column}: {message}");
            }
            other => panic!("{table}.{column} holding an unknown name was read as {other:?}"),
        }
    }
}

/// Two requests signed by the same new actor arrive at once and both store
/// its key. On PostgreSQL the second insert waited for the first to commit
/// and then failed on the unique `uri`, so one of the requests was refused
/// (seen as a failed `@user@site` search between two sites).
#[test]
fn an_actor_stored_by_two_transactions_at_once_is_one_account() {
    use std::sync::{Arc, Barrier};

    use tertulia_db::actors::{self, RemoteActorFields};
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    let uri = "https://es.acme.example/users/eva";
    let fields = |display_name: &str| {
        let mut fields = RemoteActorFields::person(
            "eva".into(),
            "es.acme.example".into(),
            format!("{uri}/inbox"),
            None,
            tertulia_db::now(),
        );
        fields.display_name = display_name.into();
        fields
    };
    let first_stored = Arc::new(Barrier::new(2));
    let first = {
        let (db, first_stored, fields) = (db.clone(), first_stored.clone(), fields("Eva"));
        std::thread::spawn(move || {
            db.run_blocking(move |conn| {
                tertulia_db::transaction(conn, |conn| {
                    let id = actors::upsert_remote(conn, uri, &fields)?;
                    first_stored.wait();
                    // Still uncommitted while the second transaction stores
                    // the same actor.
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    Ok::<_, DbError>(id)
                })
            })
            .unwrap()
        })
    };
    first_stored.wait();
    let second = db
        .run_blocking(move |conn| {
            tertulia_db::transaction(conn, |conn| actors::upsert_remote(conn, uri, &fields("Eva R.")))
        })
        .expect("the second transaction refreshes the actor the first stored");
    assert_eq!(first.join().unwrap(), second, "one account for one actor");
    let stored = db.run_blocking(move |conn| accounts::find(conn, second)).unwrap().expect("stored");
    assert_eq!(stored.display_name, "Eva R.", "the later document wins");
}
