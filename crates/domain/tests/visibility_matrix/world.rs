//! Builds one case of the matrix on a real database, only through the
//! domain's public functions (as the API and the inbox call them): fresh
//! accounts, the follow, the post with its thread, boost, pin, favourite,
//! bookmark and list, then the block, mute and suspension.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::Duration;
use tertulia_core::config::DatabaseConfig;
use tertulia_core::visibility::Visibility;
use tertulia_core::{Config, Id};
use tertulia_db::actors::RemoteActorFields;
use tertulia_domain::accounts::{self, FollowOptions, ProfileUpdate};
use tertulia_domain::audit::Actor;
use tertulia_domain::federation_policy::Limits;
use tertulia_domain::moderation::{self, AccountAction, ActionRequest};
use tertulia_domain::polls::NewPoll;
use tertulia_domain::remote::{self, RemotePoll, RemoteStatus};
use tertulia_domain::statuses::{self, NewStatus};
use tertulia_domain::users::{self, NewUserRequest, Role};
use tertulia_domain::{Context, Db, DomainError, Events, lists};
use tertulia_testrig::TestDatabase;

use crate::model::{Block, Case, Follow, Mute, Site, Viewer};

/// The site the remote authors live on.
pub const REMOTE_HOST: &str = "remote.example";

/// A database, the event hub and the configuration every case shares.
pub struct Rig {
    pub ctx: Context,
    database: TestDatabase,
}

impl Rig {
    pub async fn start() -> Rig {
        let database = TestDatabase::create();
        let db = Db::connect(&DatabaseConfig {
            url: database.url.clone(),
            pool_size: 4,
            connect_timeout_secs: 5,
            ..DatabaseConfig::default()
        })
        .expect("connect to the test database");
        db.migrate().expect("migrate the test database");
        Rig { ctx: Context::new(db, Events::new(), Arc::new(Config::default())), database }
    }

    /// The database file, when the rig runs on SQLite.
    pub fn sqlite_path(&self) -> Option<&str> {
        self.database.url.strip_prefix("sqlite://")
    }
}

/// What one case made, by local id.
pub struct World {
    /// Every id made for the case is newer than this: timelines shared by
    /// all cases are read from here on.
    pub since: Id,
    pub author: Id,
    pub reader: Id,
    pub bystander: Id,
    pub booster: Id,
    /// The status under test: it carries `word`, `tag` and a poll.
    pub status: Id,
    /// The author's public reply to it.
    pub reply: Id,
    pub boost: Option<Id>,
    pub poll: Id,
    /// The reader's list holding the author, made while following.
    pub list: Option<Id>,
    /// Whether the reader's favourite and bookmark went through before the
    /// block and suspension.
    pub reader_saved_it: bool,
    /// A word only this case's status contains (for search).
    pub word: String,
    /// A hashtag only this case's status carries.
    pub tag: String,
}

impl World {
    /// Who `viewer` is here (`None`: not signed in).
    pub fn account_of(&self, viewer: Viewer) -> Option<i64> {
        match viewer {
            Viewer::Anonymous => None,
            Viewer::Bystander => Some(self.bystander.0),
            Viewer::Reader => Some(self.reader.0),
            Viewer::Author => Some(self.author.0),
        }
    }
}

/// Fails the case with the domain's error, naming the step.
pub type Step<T> = Result<T, String>;

fn step<T>(what: &str, result: Result<T, DomainError>) -> Step<T> {
    result.map_err(|e| format!("setting up: {what}: {e}"))
}

/// A name no earlier case used (usernames: letters, digits, `_`).
fn fresh(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub async fn build(rig: &Rig, case: &Case) -> Step<World> {
    let (ctx, db) = (&rig.ctx, &rig.ctx.db);
    let since = Id::generate();
    let reader_name = fresh("reader");
    let reader = local_user(rig, &reader_name).await?;
    let bystander = local_user(rig, &fresh("bystander")).await?;
    let booster = local_user(rig, &fresh("booster")).await?;
    let author_name = fresh("author");
    let author = match case.site {
        Site::Here => local_user(rig, &author_name).await?,
        Site::Elsewhere => remote_user(rig, &author_name).await?,
    };

    follow(rig, case, reader, author).await?;
    step("reader follows booster", accounts::follow(ctx, reader, booster, FollowOptions::default()).await)?;

    let word = fresh("word");
    let tag = fresh("tag");
    let (status, reply) = match case.site {
        Site::Here => post_here(rig, case, author, &reader_name, &word, &tag).await?,
        Site::Elsewhere => post_elsewhere(rig, case, author, reader, &author_name, &word, &tag).await?,
    };
    let poll = rig
        .ctx
        .db
        .run(move |conn| tertulia_db::polls::of_statuses(conn, &[status.0]))
        .await
        .map_err(|e| format!("reading the poll: {e}"))?
        .first()
        .map(|poll| Id(poll.id))
        .ok_or("the status has no poll")?;
    if case.pinnable() {
        step("author pins the status", statuses::pin(db, author, status, true).await)?;
    }
    let boost = if case.boostable() {
        Some(step("booster boosts the status", statuses::reblog(ctx, booster, status).await)?.id)
    } else {
        None
    };

    // What the reader does while no block or suspension stands in the way.
    let favourited = statuses::favourite(ctx, reader, status, true).await;
    let bookmarked = statuses::bookmark(db, reader, status, true).await;
    let reader_saved_it = expect_refusal_unless(case.reader_could_open_at_first(), "favourite", favourited)?
        & expect_refusal_unless(case.reader_could_open_at_first(), "bookmark", bookmarked)?;
    let list = if case.follow == Follow::Following {
        let changes = lists::ListChanges { title: Some("team".into()), ..Default::default() };
        let list = step("reader makes a list", lists::create(db, reader, changes).await)?.id;
        step("reader lists the author", lists::add_members(db, reader, list, vec![author]).await)?;
        Some(list)
    } else {
        None
    };

    restrict(rig, case, reader, author).await?;
    Ok(World {
        since,
        author,
        reader,
        bystander,
        booster,
        status,
        reply,
        boost,
        poll,
        list,
        reader_saved_it,
        word,
        tag,
    })
}

/// `Ok(true)` if an action went through as the model says it should,
/// `Ok(false)` if it was refused as "not found" as it should; an error
/// otherwise.
fn expect_refusal_unless<T>(allowed: bool, what: &str, result: Result<T, DomainError>) -> Step<bool> {
    match (allowed, result) {
        (true, Ok(_)) => Ok(true),
        (false, Err(DomainError::NotFound(_))) => Ok(false),
        (false, Ok(_)) => Err(format!("the reader could {what} a status they may not open")),
        (_, Err(e)) => Err(format!("the reader's {what} failed: {e}")),
    }
}

pub async fn local_user(rig: &Rig, username: &str) -> Step<Id> {
    let request = NewUserRequest {
        username: username.to_owned(),
        email: format!("{username}@acme.example"),
        password: "correct horse battery staple".into(),
        role: Role::User,
    };
    Ok(step("create a local user", users::create(&rig.ctx, request).await)?.account.id)
}

/// A remote account as the inbox stores it when it first hears of it.
async fn remote_user(rig: &Rig, username: &str) -> Step<Id> {
    let uri = format!("https://{REMOTE_HOST}/users/{username}");
    let now = tertulia_db::now();
    let fields = RemoteActorFields {
        username: username.to_owned(),
        domain: REMOTE_HOST.into(),
        display_name: username.to_owned(),
        note: String::new(),
        url: Some(format!("https://{REMOTE_HOST}/@{username}")),
        inbox_url: format!("{uri}/inbox"),
        shared_inbox_url: Some(format!("https://{REMOTE_HOST}/inbox")),
        outbox_url: Some(format!("{uri}/outbox")),
        followers_url: Some(format!("{uri}/followers")),
        following_url: Some(format!("{uri}/following")),
        featured_url: None,
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nunused here\n-----END PUBLIC KEY-----\n".into(),
        public_key_id: Some(format!("{uri}#main-key")),
        avatar_url: None,
        header_url: None,
        locked: false,
        bot: false,
        discoverable: true,
        indexable: true,
        fields: "[]".into(),
        site: None,
        also_known_as: "[]".into(),
        actor_type: tertulia_db::actors::ActorType::Person,
        fetched_at: Some(now),
        updated_at: now,
    };
    step("store a remote actor", remote::save_actor(&rig.ctx.db, uri.clone(), fields, Limits::default()).await)
}

/// The reader's follow of the author: accepted at once by an open local
/// account; left pending by a locked one; for a remote author, accepted
/// when its site's Accept arrives.
async fn follow(rig: &Rig, case: &Case, reader: Id, author: Id) -> Step<()> {
    let ctx = &rig.ctx;
    if case.follow == Follow::None {
        return Ok(());
    }
    if case.site == Site::Here && case.follow == Follow::Requested {
        let locked = ProfileUpdate { locked: Some(true), ..Default::default() };
        step("author locks the account", accounts::update_profile(ctx, author, locked).await)?;
    }
    let relationship = step("reader follows author", accounts::follow(ctx, reader, author, Default::default()).await)?;
    if case.site == Site::Elsewhere && case.follow == Follow::Following {
        step("the remote site accepts", remote::follow_accepted(ctx, reader, author).await)?;
    } else if relationship.following != (case.follow == Follow::Following) {
        return Err(format!("the follow came out as {relationship:?}"));
    }
    Ok(())
}

fn poll_options() -> Vec<String> {
    vec!["yes".into(), "no".into()]
}

/// The status and the author's public reply to it, posted here.
async fn post_here(rig: &Rig, case: &Case, author: Id, reader_name: &str, word: &str, tag: &str) -> Step<(Id, Id)> {
    let ctx = &rig.ctx;
    let mention = if case.mentions_reader { format!("@{reader_name} ") } else { String::new() };
    let status = NewStatus {
        text: format!("{mention}{word} about #{tag}"),
        visibility: Some(case.visibility.as_str().into()),
        poll: Some(NewPoll { options: poll_options(), expires_in: 3600, multiple: false, hide_totals: false }),
        ..Default::default()
    };
    let status = step("author posts", statuses::create(ctx, author, status).await)?.id;
    let reply = NewStatus {
        text: "and a public follow-up".into(),
        visibility: Some(Visibility::Public.as_str().into()),
        in_reply_to_id: Some(status),
        ..Default::default()
    };
    let reply = step("author replies", statuses::create(ctx, author, reply).await)?.id;
    Ok((status, reply))
}

/// The status and the author's public reply, as the inbox stores them
/// when the author's site delivers them.
async fn post_elsewhere(
    rig: &Rig,
    case: &Case,
    author: Id,
    reader: Id,
    author_name: &str,
    word: &str,
    tag: &str,
) -> Step<(Id, Id)> {
    let now = tertulia_db::now();
    let uri = |n: &str| format!("https://{REMOTE_HOST}/users/{author_name}/statuses/{n}");
    let original = RemoteStatus {
        uri: uri("1"),
        url: None,
        author,
        in_reply_to: None,
        visibility: case.visibility,
        content: format!("<p>{word} about #{tag}</p>"),
        spoiler_text: String::new(),
        sensitive: false,
        language: None,
        published: now,
        mentioned: if case.mentions_reader { vec![reader] } else { Vec::new() },
        tags: vec![tag.to_owned()],
        attachments: Vec::new(),
        poll: Some(RemotePoll {
            options: poll_options(),
            counts: vec![0, 0],
            multiple: false,
            voters_count: 0,
            expires_at: Some(now + Duration::hours(1)),
        }),
        event: None,
    };
    let reply = RemoteStatus {
        uri: uri("2"),
        visibility: Visibility::Public,
        content: "<p>and a public follow-up</p>".into(),
        mentioned: Vec::new(),
        tags: Vec::new(),
        poll: None,
        ..original.clone()
    };
    let status = step("the remote post arrives", remote::status_received(&rig.ctx, original).await)?;
    let reply = RemoteStatus { in_reply_to: Some(status), ..reply };
    let reply = step("the remote reply arrives", remote::status_received(&rig.ctx, reply).await)?;
    Ok((status, reply))
}

/// The block, mute and suspension, made after everything else: the reader
/// had whatever access the follow and mention gave until now.
async fn restrict(rig: &Rig, case: &Case, reader: Id, author: Id) -> Step<()> {
    let db = &rig.ctx.db;
    match case.block {
        Block::None => {}
        Block::ReaderBlocksAuthor => {
            step("reader blocks author", accounts::block(db, reader, author).await)?;
        }
        // What the inbox does with a remote author's Block, too.
        Block::AuthorBlocksReader => {
            step("author blocks reader", accounts::block(db, author, reader).await)?;
        }
    }
    let hide_notifications = match case.mute {
        Mute::None => None,
        Mute::KeepNotifications => Some(false),
        Mute::HideNotifications => Some(true),
    };
    if let Some(notifications) = hide_notifications {
        step("reader mutes author", accounts::mute(db, reader, author, true, notifications, None).await)?;
    }
    if case.author_suspended {
        // Here or elsewhere: the admin API's suspension, as a moderator takes it.
        let suspend =
            ActionRequest { action: AccountAction::Suspend, text: String::new(), report_id: None, notify: false };
        step("a moderator suspends the author", moderation::act(&rig.ctx, Actor::CommandLine, author, suspend).await)?;
    }
    Ok(())
}
