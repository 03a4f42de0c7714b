//! `tertulia-bench seed`: fills an empty database with a realistic dataset
//! through the storage layer, fast, and prints a token to read it with.
//!
//! The first account is created the real way (`users::create`, which
//! hashes its password with argon2); every other user reuses that hash.
//! That is a benchmark shortcut: hashing 10,000 passwords would take
//! minutes and measure nothing. The token comes from the real password
//! grant, so it is stored exactly as a client's would be.

mod plan;

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, Utc};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use tertulia_core::config::{DatabaseConfig, Protocol};
use tertulia_core::text::{self, MentionLink};
use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, Config};
use tertulia_db::accounts::{self, NewAccount};
use tertulia_db::bulk::{
    self, AccountCounts, NewFavourite, NewFollow, NewHomeEntry, NewMention, NewNotification, NewStatusTag,
};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::users::{self, NewUser};
use tertulia_db::{Db, DbConn, DbError};
use tertulia_domain::Events;
use tertulia_domain::oauth::{self, Grant, NewApp, RegisterApp, SignInThrottle};
use tertulia_domain::users::{NewUserRequest, Role};

pub use self::plan::TAGS;
use self::plan::{IdClock, Kind, Plan, Sizes};
use crate::BenchError;
use crate::report::{self, round};

/// Rows written per transaction. Rows land all over the secondary indexes,
/// and SQLite writes every page a transaction changed to its log at commit:
/// with small transactions the same index pages are written again and
/// again. 50,000 rows keep a transaction to seconds and a few hundred MiB.
const BATCH_ROWS: usize = 50_000;
/// The tables loaded in bulk, whose secondary indexes are built after the
/// load (accounts and users stay indexed: few rows, and looked up while
/// loading).
const LOADED_TABLES: &[&str] =
    &["follows", "statuses", "status_tags", "mentions", "home_feed_entries", "favourites", "notifications"];
/// Password of every seeded user (they share one hash).
pub const PASSWORD: &str = "bench-Password-2026";
/// Followers the posting benchmark wants its author to have.
const POSTER_FOLLOWERS: usize = 1_000;
/// Statuses whose home-timeline readers are checked against the domain's
/// own rule after seeding.
const CHECKED_STATUSES: usize = 25;

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// `sqlite:///path/to/file.db` or `postgres://user@host/db`; the
    /// database should be empty (tables are created if missing).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 2_000)]
    accounts: u32,
    #[arg(long, default_value_t = 100_000)]
    statuses: u32,
    /// Statuses are spread over this many days, ending now.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// Seed of the random generator: the same seed gives the same dataset.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Host name the seeded accounts' URLs use (the server's `domain`).
    #[arg(long, default_value = "localhost")]
    domain: String,
    /// Entries kept per home timeline: the server's
    /// `limits.home_timeline_length`.
    #[arg(long, default_value_t = Config::default().limits.home_timeline_length)]
    home_timeline_length: u32,
}

/// How many rows went into each table.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    accounts: usize,
    users: usize,
    follows: usize,
    statuses: usize,
    status_tags: usize,
    mentions: usize,
    home_entries: usize,
    favourites: usize,
    notifications: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.accounts
            + self.users
            + self.follows
            + self.statuses
            + self.status_tags
            + self.mentions
            + self.home_entries
            + self.favourites
            + self.notifications
    }
}

/// What the write phase needs besides the plan.
struct Context {
    base_url: String,
    /// Database id of each planned account.
    account_ids: Vec<i64>,
    usernames: Vec<String>,
    /// Database id of each entry of [`TAGS`].
    tag_ids: Vec<i64>,
}

pub async fn run(args: SeedArgs) -> Result<(), BenchError> {
    let started = Instant::now();
    let mut config = Config { domain: args.domain.clone(), protocol: Protocol::Http, ..Config::default() };
    config.database = DatabaseConfig { url: args.database_url.clone(), pool_size: 2, ..config.database };
    let db = Db::connect(&config.database)?;
    db.migrate()?;

    let now = Utc::now();
    let sizes = Sizes { accounts: args.accounts, statuses: args.statuses, days: args.days };
    let plan = Arc::new(plan::generate(&mut StdRng::seed_from_u64(args.seed), sizes, now));
    let planned = started.elapsed().as_secs_f64();

    // Account 0, the most followed, is the one the token acts for.
    // The seeder announces nothing: no server is listening yet.
    let ctx = tertulia_domain::Context::new(db.clone(), Events::new(), Arc::new(config.clone()));
    let first_id = tertulia_domain::users::create(
        &ctx,
        NewUserRequest { username: username(0), email: email(0), password: PASSWORD.into(), role: Role::User },
    )
    .await?
    .account
    .id
    .0;
    let writing = Instant::now();
    let base_url = config.base_url();
    let home_timeline_length = args.home_timeline_length;
    let (counts, phases) = db
        .run({
            let plan = plan.clone();
            move |conn| {
                let Some((user, _)) = users::find_by_username(conn, &username(0))? else {
                    return Err(BenchError::Check("the first seeded user vanished".to_owned()));
                };
                let mut phases = Phases::default();
                let loading = phases.time("drop_indexes", || bulk::start_loading(conn, LOADED_TABLES))?;
                let context =
                    phases.time("accounts", || write_accounts(conn, &plan, base_url, first_id, &user.password_hash))?;
                let mut counts =
                    Counts { accounts: plan.accounts as usize, users: plan.accounts as usize, ..Counts::default() };
                // One clock for the notifications of all three phases: their
                // times overlap and their ids share one primary key.
                let mut notifications = IdClock::default();
                phases.time("follows", || write_follows(conn, &plan, &context, &mut notifications, &mut counts))?;
                phases.time("statuses", || write_statuses(conn, &plan, &context, &mut notifications, &mut counts))?;
                phases.time("home_timelines", || {
                    write_home_timelines(conn, &plan, &context, home_timeline_length, &mut counts)
                })?;
                phases
                    .time("favourites", || write_favourites(conn, &plan, &context, &mut notifications, &mut counts))?;
                phases.time("counters", || write_account_counts(conn, &plan, &context))?;
                phases.time("indexes_and_foreign_keys", || bulk::finish_loading(conn, loading))?;
                check_fan_out(conn, &plan, &context)?;
                Ok((counts, phases))
            }
        })
        .await?;
    let write_secs = writing.elapsed().as_secs_f64();
    let account_id = first_id;
    let token = mint_token(&ctx).await?;

    let backend = db.backend_name();
    let rows = counts.total();
    let poster = account_nearest(&plan, POSTER_FOLLOWERS);
    report::json_line(&json!({
        "scenario": "seed",
        "backend": backend,
        "accounts": counts.accounts,
        "follows": counts.follows,
        "statuses": counts.statuses,
        "favourites": counts.favourites,
        "home_entries": counts.home_entries,
        "notifications": counts.notifications,
        "rows": rows,
        "plan_secs": round(planned),
        "write_secs": round(write_secs),
        "rows_per_sec": round(rows as f64 / write_secs.max(1e-9)),
        "statuses_per_sec": round(counts.statuses as f64 / write_secs.max(1e-9)),
        "seed": args.seed,
        "home_timeline_length": args.home_timeline_length,
        "phase_secs": phases.0.iter().map(|(name, secs)| (name.to_string(), json!(round(*secs)))).collect::<serde_json::Map<_, _>>(),
        "account_id": account_id.to_string(),
        "username": username(0),
        "password": PASSWORD,
        "tag": TAGS[0],
        "poster": username(poster),
        "poster_followers": plan.followers[poster as usize].len(),
        "token": token,
    }));
    let row = |name: &str, n: usize| vec![name.to_owned(), n.to_string()];
    report::table(
        &["table", "rows"],
        &[
            row("accounts", counts.accounts),
            row("users", counts.users),
            row("follows", counts.follows),
            row("statuses", counts.statuses),
            row("status_tags", counts.status_tags),
            row("mentions", counts.mentions),
            row("home_feed_entries", counts.home_entries),
            row("favourites", counts.favourites),
            row("notifications", counts.notifications),
            row("total", rows),
        ],
    );
    let phase_list: Vec<String> = phases.0.iter().map(|(name, secs)| format!("{name} {secs:.1} s")).collect();
    println!("phases: {}", phase_list.join(", "));
    println!(
        "{backend}: {rows} rows in {write_secs:.1} s ({:.0} rows/s), plan {planned:.1} s; token for {} (id {account_id}): {token}",
        rows as f64 / write_secs.max(1e-9),
        username(0),
    );
    Ok(())
}

/// Seconds spent in each write phase, in order.
#[derive(Default)]
struct Phases(Vec<(&'static str, f64)>);

impl Phases {
    fn time<T>(&mut self, name: &'static str, phase: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let outcome = phase();
        self.0.push((name, started.elapsed().as_secs_f64()));
        outcome
    }
}

/// The account whose follower count is nearest `followers`.
fn account_nearest(plan: &Plan, followers: usize) -> u32 {
    (0..plan.accounts).min_by_key(|&a| plan.followers[a as usize].len().abs_diff(followers)).unwrap_or(0)
}

pub fn username(index: u32) -> String {
    format!("user{index}")
}

fn email(index: u32) -> String {
    format!("user{index}@bench.invalid")
}

fn naive(time: DateTime<Utc>) -> NaiveDateTime {
    time.naive_utc()
}

/// Accounts 1.. with their users (account 0 exists already), and the tags.
fn write_accounts(
    conn: &mut DbConn,
    plan: &Plan,
    base_url: String,
    first_id: i64,
    password_hash: &str,
) -> Result<Context, DbError> {
    let mut account_clock = IdClock::default();
    let mut user_clock = IdClock::default();
    let mut account_ids = vec![first_id];
    let usernames: Vec<String> = (0..plan.accounts).map(username).collect();
    let indexes: Vec<u32> = (1..plan.accounts).collect();
    for chunk in indexes.chunks(BATCH_ROWS / 2) {
        tertulia_db::transaction(conn, |conn| {
            for &index in chunk {
                let created_at = plan.account_created_at[index as usize];
                let id = account_clock.at(created_at);
                let name = &usernames[index as usize];
                let actor = format!("{base_url}/users/{name}");
                accounts::insert(
                    conn,
                    &NewAccount {
                        id,
                        username: name.clone(),
                        domain: None,
                        display_name: format!("User {index}"),
                        url: Some(format!("{base_url}/@{name}")),
                        inbox_url: format!("{actor}/inbox"),
                        outbox_url: Some(format!("{actor}/outbox")),
                        followers_url: Some(format!("{actor}/followers")),
                        following_url: Some(format!("{actor}/following")),
                        uri: actor,
                        created_at: naive(created_at),
                        updated_at: naive(created_at),
                    },
                )?;
                users::insert(
                    conn,
                    &NewUser {
                        id: user_clock.at(created_at),
                        account_id: id,
                        email: email(index),
                        password_hash: password_hash.to_owned(),
                        role: Role::User,
                        created_at: naive(created_at),
                        updated_at: naive(created_at),
                    },
                )?;
                account_ids.push(id);
            }
            Ok::<_, DbError>(())
        })?;
    }
    let now = tertulia_db::now();
    let tag_ids = TAGS
        .iter()
        .map(|name| tertulia_db::tags::find_or_create(conn, name, name, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Context { base_url, account_ids, usernames, tag_ids })
}

/// The follows, and a `follow` notification for each (grouped by day, as
/// `accounts::follow` does).
fn write_follows(
    conn: &mut DbConn,
    plan: &Plan,
    context: &Context,
    clock: &mut IdClock,
    counts: &mut Counts,
) -> Result<(), DbError> {
    for chunk in plan.follows.chunks(BATCH_ROWS / 2) {
        let follows: Vec<NewFollow> = chunk
            .iter()
            .map(|f| NewFollow {
                id: f.id,
                account_id: context.account_ids[f.follower as usize],
                target_account_id: context.account_ids[f.target as usize],
                created_at: naive(f.created_at),
            })
            .collect();
        let notifications: Vec<NewNotification> = chunk
            .iter()
            .map(|f| NewNotification {
                id: clock.at(f.created_at),
                account_id: context.account_ids[f.target as usize],
                from_account_id: context.account_ids[f.follower as usize],
                kind: "follow".into(),
                status_id: None,
                group_key: format!("follow-{}", f.created_at.timestamp() / 86_400),
                created_at: naive(f.created_at),
            })
            .collect();
        tertulia_db::transaction(conn, |conn| {
            bulk::insert_follows(conn, &follows)?;
            bulk::insert_notifications(conn, &notifications)
        })?;
        counts.follows += follows.len();
        counts.notifications += notifications.len();
    }
    Ok(())
}

/// Words statuses are made of.
const WORDS: &[&str] = &[
    "the",
    "release",
    "today",
    "we",
    "shipped",
    "a",
    "new",
    "build",
    "and",
    "it",
    "is",
    "faster",
    "than",
    "before",
    "thanks",
    "to",
    "everyone",
    "who",
    "helped",
    "meeting",
    "notes",
    "are",
    "in",
    "wiki",
    "please",
    "review",
    "my",
    "change",
    "lunch",
    "at",
    "noon",
    "office",
    "closed",
    "on",
    "friday",
    "great",
    "talk",
    "about",
    "databases",
    "timelines",
    "coffee",
    "machine",
    "broken",
    "again",
    "deploy",
    "went",
    "fine",
    "weekend",
    "plans",
    "rain",
];

/// The statuses in time order with their tags, mentions and the
/// notifications replies and boosts send, a batch per transaction.
fn write_statuses(
    conn: &mut DbConn,
    plan: &Plan,
    context: &Context,
    notification_clock: &mut IdClock,
    counts: &mut Counts,
) -> Result<(), DbError> {
    let mut mention_clock = IdClock::default();
    let indexes: Vec<usize> = (0..plan.statuses.len()).collect();
    for chunk in indexes.chunks(BATCH_ROWS / 2) {
        let mut rows = Vec::with_capacity(chunk.len());
        let mut tags = Vec::new();
        let mut mentions = Vec::new();
        let mut notifications = Vec::new();
        for &index in chunk {
            let status = &plan.statuses[index];
            let row = status_row(plan, context, index);
            let author = row.account_id;
            tags.extend(
                status.tags.iter().map(|t| NewStatusTag { status_id: row.id, tag_id: context.tag_ids[*t as usize] }),
            );
            let notified = match status.kind {
                Kind::Reply(parent) if plan.statuses[parent as usize].author != status.author => {
                    let parent_author = context.account_ids[plan.statuses[parent as usize].author as usize];
                    let id = mention_clock.at(status.created_at);
                    mentions.push(NewMention { id, status_id: row.id, account_id: parent_author });
                    Some((parent_author, "mention", row.id, format!("ungrouped-{}", row.id)))
                }
                Kind::Boost(original) => {
                    let original = &plan.statuses[original as usize];
                    let key = format!("reblog-{}", original.id);
                    Some((context.account_ids[original.author as usize], "reblog", original.id, key))
                }
                _ => None,
            };
            if let Some((recipient, kind, status_id, group_key)) = notified {
                notifications.push(NewNotification {
                    id: notification_clock.at(status.created_at),
                    account_id: recipient,
                    from_account_id: author,
                    kind: kind.into(),
                    status_id: Some(status_id),
                    group_key,
                    created_at: row.created_at,
                });
            }
            rows.push(row);
        }
        tertulia_db::transaction(conn, |conn| {
            bulk::insert_statuses(conn, &rows)?;
            bulk::insert_status_tags(conn, &tags)?;
            bulk::insert_mentions(conn, &mentions)?;
            bulk::insert_notifications(conn, &notifications)
        })?;
        counts.statuses += rows.len();
        counts.status_tags += tags.len();
        counts.mentions += mentions.len();
        counts.notifications += notifications.len();
    }
    Ok(())
}

/// Every reader's home timeline as the server keeps it: the entries the
/// real fan-out would have made, newest first, cut at `length` per reader
/// (the server trims to `limits.home_timeline_length`). Rows go in sorted
/// by reader and status, the order of the table's primary key, so each
/// batch appends to the index instead of scattering over it.
fn write_home_timelines(
    conn: &mut DbConn,
    plan: &Plan,
    context: &Context,
    length: u32,
    counts: &mut Counts,
) -> Result<(), DbError> {
    let mut kept = vec![0u32; plan.accounts as usize];
    let mut entries: Vec<(i64, usize)> = Vec::new();
    for index in (0..plan.statuses.len()).rev() {
        for reader in plan.home_readers(index) {
            let slot = &mut kept[reader as usize];
            if *slot < length {
                *slot += 1;
                entries.push((context.account_ids[reader as usize], index));
            }
        }
    }
    entries.sort_unstable_by_key(|&(reader, index)| (reader, plan.statuses[index].id));
    for chunk in entries.chunks(BATCH_ROWS) {
        let rows: Vec<NewHomeEntry> = chunk
            .iter()
            .map(|&(account_id, index)| {
                let status = &plan.statuses[index];
                NewHomeEntry {
                    account_id,
                    status_id: status.id,
                    author_account_id: context.account_ids[status.author as usize],
                    reblog_of_id: match status.kind {
                        Kind::Boost(original) => Some(plan.statuses[original as usize].id),
                        _ => None,
                    },
                }
            })
            .collect();
        tertulia_db::transaction(conn, |conn| bulk::insert_home_entries(conn, &rows))?;
        counts.home_entries += rows.len();
    }
    Ok(())
}

/// The stored form of planned status `index`, shaped as posting and
/// boosting store theirs.
fn status_row(plan: &Plan, context: &Context, index: usize) -> StatusRow {
    let status = &plan.statuses[index];
    let name = &context.usernames[status.author as usize];
    let base_url = &context.base_url;
    let id = status.id;
    let parent = match status.kind {
        Kind::Reply(parent) => Some(&plan.statuses[parent as usize]),
        _ => None,
    };
    let (text, content) = match status.kind {
        Kind::Boost(_) => (String::new(), String::new()),
        _ => {
            let mention = parent.map(|p| &context.usernames[p.author as usize]).filter(|m| *m != name);
            let mut text: Vec<String> = mention.iter().map(|m| format!("@{m}")).collect();
            text.extend(status.words.iter().map(|w| WORDS[*w as usize % WORDS.len()].to_owned()));
            text.extend(status.tags.iter().map(|t| format!("#{}", TAGS[*t as usize])));
            let text = text.join(" ");
            let content = text::render_plain_text(
                &text,
                |username, _| {
                    mention
                        .filter(|m| m.as_str() == username)
                        .map(|m| MentionLink { url: format!("{base_url}/@{m}"), username: m.clone() })
                },
                &format!("{base_url}/tags"),
            );
            (text, content)
        }
    };
    let boost = matches!(status.kind, Kind::Boost(_));
    StatusRow {
        id,
        uri: format!("{base_url}/users/{name}/statuses/{id}{}", if boost { "/activity" } else { "" }),
        url: (!boost).then(|| format!("{base_url}/@{name}/{id}")),
        account_id: context.account_ids[status.author as usize],
        in_reply_to_id: parent.map(|p| p.id),
        in_reply_to_account_id: parent.map(|p| context.account_ids[p.author as usize]),
        reblog_of_id: match status.kind {
            Kind::Boost(original) => Some(plan.statuses[original as usize].id),
            _ => None,
        },
        conversation_id: None,
        visibility: Visibility::Public,
        local: true,
        text,
        content,
        spoiler_text: String::new(),
        sensitive: false,
        language: (!boost).then(|| "en".into()),
        application_id: None,
        replies_count: status.replies,
        reblogs_count: status.reblogs,
        favourites_count: status.favourites,
        created_at: naive(status.created_at),
        edited_at: None,
        deleted_at: None,
    }
}

/// Favourites, each with its notification to the author.
fn write_favourites(
    conn: &mut DbConn,
    plan: &Plan,
    context: &Context,
    clock: &mut IdClock,
    counts: &mut Counts,
) -> Result<(), DbError> {
    for chunk in plan.favourites.chunks(BATCH_ROWS / 2) {
        let favourites: Vec<NewFavourite> = chunk
            .iter()
            .map(|f| NewFavourite {
                id: f.id,
                account_id: context.account_ids[f.account as usize],
                status_id: plan.statuses[f.status as usize].id,
                created_at: naive(f.created_at),
            })
            .collect();
        let notifications: Vec<NewNotification> = chunk
            .iter()
            .map(|f| {
                let status = &plan.statuses[f.status as usize];
                NewNotification {
                    id: clock.at(f.created_at),
                    account_id: context.account_ids[status.author as usize],
                    from_account_id: context.account_ids[f.account as usize],
                    kind: "favourite".into(),
                    status_id: Some(status.id),
                    group_key: format!("favourite-{}", status.id),
                    created_at: naive(f.created_at),
                }
            })
            .collect();
        tertulia_db::transaction(conn, |conn| {
            bulk::insert_favourites(conn, &favourites)?;
            bulk::insert_notifications(conn, &notifications)
        })?;
        counts.favourites += favourites.len();
        counts.notifications += notifications.len();
    }
    Ok(())
}

fn write_account_counts(conn: &mut DbConn, plan: &Plan, context: &Context) -> Result<(), DbError> {
    let mut posted = vec![(0i32, None); plan.accounts as usize];
    for status in &plan.statuses {
        let entry = &mut posted[status.author as usize];
        entry.0 += 1;
        entry.1 = Some(naive(status.created_at));
    }
    tertulia_db::transaction(conn, |conn| {
        for (index, (statuses, last_status_at)) in posted.into_iter().enumerate() {
            let counts = AccountCounts {
                followers: plan.followers[index].len() as i32,
                following: plan.following[index].len() as i32,
                statuses,
                last_status_at,
            };
            bulk::set_account_counts(conn, context.account_ids[index], counts)?;
        }
        Ok(())
    })
}

/// Checks the seeded fan-out against the domain's own rule for a sample of
/// posts, so the seeder cannot drift from what posting really does.
/// A [`BenchError::Check`] when they differ.
fn check_fan_out(conn: &mut DbConn, plan: &Plan, context: &Context) -> Result<(), BenchError> {
    let posts: Vec<usize> =
        (0..plan.statuses.len()).filter(|i| !matches!(plan.statuses[*i].kind, Kind::Boost(_))).collect();
    let step = (posts.len() / CHECKED_STATUSES).max(1);
    for &index in posts.iter().step_by(step) {
        let Some(row) = statuses::find(conn, plan.statuses[index].id)? else {
            return Err(BenchError::Check(format!("seeded status {} is missing", plan.statuses[index].id)));
        };
        let mentioned: Vec<AccountId> =
            statuses::mentions_of(conn, &[row.id])?.into_iter().map(|(_, a)| AccountId(a)).collect();
        let expected = tertulia_domain::audience::home_readers(conn, &row, &mentioned)?;
        let mut seeded: Vec<AccountId> =
            plan.home_readers(index).into_iter().map(|r| AccountId(context.account_ids[r as usize])).collect();
        seeded.sort_unstable();
        if seeded != expected {
            return Err(BenchError::Check(format!(
                "seeded home timelines for status {} differ from the real fan-out ({} readers instead of {})",
                row.id,
                seeded.len(),
                expected.len()
            )));
        }
    }
    Ok(())
}

/// Registers an app and signs account 0 in with the password grant.
async fn mint_token(ctx: &tertulia_domain::Context) -> Result<String, BenchError> {
    let NewApp { app, client_secret } = oauth::register_app(
        &ctx.db,
        RegisterApp {
            name: "tertulia-bench".into(),
            redirect_uris: vec![oauth::OOB_REDIRECT_URI.into()],
            scopes: "read write follow push".into(),
            website: None,
        },
    )
    .await?;
    let grant =
        Grant::Password { username: username(0), password: PASSWORD.into(), scopes: Some("read write follow".into()) };
    let throttle = SignInThrottle::new(&ctx.config.rate_limits);
    let issued = oauth::issue_token(ctx, &throttle, &app.client_id, Some(&client_secret), grant, None)
        .await
        .map_err(|e| BenchError::Check(format!("cannot sign in as {}: {e}", username(0))))?;
    Ok(issued.access_token)
}
