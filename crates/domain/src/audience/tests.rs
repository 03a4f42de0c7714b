//! The table of `docs/architecture.md` ("Who receives a status"), row by
//! row, on a real database (SQLite, or PostgreSQL with
//! `TERTULIA_TEST_DB=postgres`). Each test builds one small world through
//! the domain's own services, as the API and the inbox call them, and
//! reads back the home rows, notifications and remote audience.

use std::collections::BTreeSet;

use chrono::Duration;
use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, Id};
use tertulia_db::actors::RemoteActorFields;
use tertulia_db::page::Page;
use tertulia_db::{feeds, notifications};
use tertulia_testrig::TestDatabase;

use super::*;
use crate::Context;
use crate::accounts::{self, FollowOptions};
use crate::federation_policy::Limits;
use crate::remote::{self, RemoteEdit, RemoteRevision, RemoteStatus};
use crate::statuses::{self, NewStatus, StatusChanges};
use crate::users::{self, NewUserRequest, Role};

const REMOTE_HOST: &str = "remote.example";
const TAG: &str = "audience";

/// The accounts every test starts with, by name:
/// - `alice` posts here; `carol` is mentioned; `dave` follows `#audience`;
/// - `bob` follows `alice` and `zed` with the bell on, and `erin`;
/// - `erin` boosts; `zed` posts and boosts from another site;
/// - `remi` (elsewhere) follows `alice`; `rita` (elsewhere) is mentioned.
struct World {
    ctx: Context,
    names: Vec<(&'static str, Id)>,
    _database: TestDatabase,
}

impl World {
    async fn new() -> World {
        let database = TestDatabase::create();
        let mut world = World { ctx: Context::for_test(&database), names: Vec::new(), _database: database };
        for name in ["alice", "bob", "carol", "dave", "erin"] {
            world.local(name).await;
        }
        for name in ["zed", "remi", "rita"] {
            world.remote(name).await;
        }
        let bell = FollowOptions { reblogs: true, notify: true };
        world.follow("bob", "alice", bell).await;
        world.follow("bob", "zed", bell).await;
        world.follow("bob", "erin", FollowOptions::default()).await;
        crate::tags::follow(&world.ctx.db, world.id("dave"), TAG, true).await.unwrap();
        let (remi, alice) = (world.id("remi"), world.id("alice"));
        remote::follow_received(&world.ctx, remi, alice, format!("https://{REMOTE_HOST}/follows/1")).await.unwrap();
        world
    }

    fn id(&self, name: &str) -> Id {
        self.names.iter().find(|(n, _)| *n == name).map(|(_, id)| *id).unwrap()
    }

    fn name(&self, id: i64) -> &'static str {
        self.names.iter().find(|(_, i)| i.0 == id).map(|(n, _)| *n).unwrap_or("someone else")
    }

    async fn local(&mut self, name: &'static str) {
        let request = NewUserRequest {
            username: name.into(),
            email: format!("{name}@acme.example"),
            password: "correct horse battery staple".into(),
            role: Role::User,
        };
        let id = users::create(&self.ctx, request).await.unwrap().account.id;
        self.names.push((name, id));
    }

    async fn remote(&mut self, name: &'static str) {
        let uri = format!("https://{REMOTE_HOST}/users/{name}");
        let now = tertulia_db::now();
        let (inbox, shared_inbox) = (format!("{uri}/inbox"), Some(format!("https://{REMOTE_HOST}/inbox")));
        let fields = RemoteActorFields::person(name.into(), REMOTE_HOST.into(), inbox, shared_inbox, now);
        let id = remote::save_actor(&self.ctx.db, uri, fields, Limits::default()).await.unwrap();
        self.names.push((name, id));
    }

    /// `follower` (here) follows `target`; a remote target's Accept arrives.
    async fn follow(&self, follower: &str, target: &str, options: FollowOptions) {
        let (follower, target_id) = (self.id(follower), self.id(target));
        accounts::follow(&self.ctx, follower, target_id, options).await.unwrap();
        if target == "zed" {
            remote::follow_accepted(&self.ctx, follower, target_id).await.unwrap();
        }
    }

    async fn post(&self, author: &str, text: &str, visibility: Visibility, in_reply_to_id: Option<Id>) -> Id {
        let status = NewStatus {
            text: text.into(),
            visibility: Some(visibility.as_str().into()),
            in_reply_to_id,
            ..Default::default()
        };
        statuses::create(&self.ctx, self.id(author), status).await.unwrap().id
    }

    /// `zed`'s post `n`, as its site delivers it.
    async fn remote_post(&self, n: u32, visibility: Visibility, mentioned: &[&str]) -> Id {
        let status = RemoteStatus {
            uri: format!("https://{REMOTE_HOST}/users/zed/statuses/{n}"),
            url: None,
            author: self.id("zed"),
            in_reply_to: None,
            visibility,
            content: format!("<p>hello #{TAG}</p>"),
            spoiler_text: String::new(),
            sensitive: false,
            language: None,
            published: tertulia_db::now(),
            mentioned: mentioned.iter().map(|name| self.id(name)).collect(),
            tags: vec![TAG.into()],
            attachments: Vec::new(),
            poll: None,
            event: None,
        };
        remote::status_received(&self.ctx, status).await.unwrap()
    }

    async fn boost(&self, booster: &str, status: Id) -> Id {
        if booster == "zed" {
            let announce = format!("https://{REMOTE_HOST}/users/zed/statuses/{}/activity", status.0);
            let ctx = &self.ctx;
            remote::boost_received(ctx, self.id("zed"), status, announce.clone(), tertulia_db::now()).await.unwrap();
            let row = self.ctx.db.run(move |conn| tertulia_db::statuses::find_by_uri(conn, &announce)).await.unwrap();
            return Id(row.unwrap().id);
        }
        statuses::reblog(&self.ctx, self.id(booster), status).await.unwrap();
        let (booster, original) = (self.id(booster).0, status.0);
        let boost = self.ctx.db.run(move |conn| tertulia_db::statuses::find_reblog(conn, booster, original)).await;
        Id(boost.unwrap().unwrap().id)
    }

    /// Who has `status` in their home timeline.
    async fn home(&self, status: Id) -> BTreeSet<&'static str> {
        let mut holders = BTreeSet::new();
        for (name, id) in &self.names {
            let reader = id.0;
            let page = self.ctx.db.run(move |conn| feeds::page(conn, reader, Page::first(200))).await.unwrap();
            if page.contains(&status.0) {
                holders.insert(*name);
            }
        }
        holders
    }

    /// Who was notified about `status`, and of what (filtered ones count:
    /// the audience decides who, the recipient's policy how).
    async fn notices(&self, status: Id) -> BTreeSet<(&'static str, String)> {
        let mut found = BTreeSet::new();
        for (name, id) in &self.names {
            let account = id.0;
            let rows = self
                .ctx
                .db
                .run(move |conn| notifications::page(conn, account, None, &[], true, Page::first(200)))
                .await
                .unwrap();
            found.extend(
                rows.into_iter().filter(|n| n.status_id == Some(status.0)).map(|n| (*name, n.kind.to_string())),
            );
        }
        found
    }

    /// Whom on other sites `status` goes to: (followers of, site followers, addressed).
    async fn remote_audience(&self, status: Id) -> (Option<&'static str>, bool, BTreeSet<&'static str>) {
        let to = self
            .ctx
            .db
            .run(move |conn| {
                let row = tertulia_db::statuses::find(conn, status.0)?.unwrap();
                remote_of_status(conn, &row)
            })
            .await
            .unwrap();
        let accounts = to.accounts.iter().map(|id| self.name(id.0)).collect();
        (to.followers_of.map(|id| self.name(id.0)), to.site_followers, accounts)
    }
}

fn names(list: &[&'static str]) -> BTreeSet<&'static str> {
    list.iter().copied().collect()
}

fn notices(list: &[(&'static str, &str)]) -> BTreeSet<(&'static str, String)> {
    list.iter().map(|(name, kind)| (*name, (*kind).to_owned())).collect()
}

type Names = &'static [&'static str];
type Notices = &'static [(&'static str, &'static str)];
/// (followers of, site followers, addressed); `None`: not sent elsewhere.
type Remote = Option<(Option<&'static str>, bool, Names)>;

/// What the table says of one status.
struct Row {
    home: Names,
    notices: Notices,
    remote: Remote,
}

async fn check(world: &World, case: &str, status: Id, row: Row) {
    assert_eq!(world.home(status).await, names(row.home), "{case}: home rows");
    assert_eq!(world.notices(status).await, notices(row.notices), "{case}: notifications");
    if let Some((followers_of, site, addressed)) = row.remote {
        assert_eq!(world.remote_audience(status).await, (followers_of, site, names(addressed)), "{case}: elsewhere");
    }
}

const MENTIONS: &str = "@carol @rita@remote.example hello #audience";

#[tokio::test]
async fn local_posts_by_visibility() {
    let world = World::new().await;
    let both: Notices = &[("carol", "mention"), ("bob", "status")];
    let rows: [(Visibility, Names, Notices, Remote); 5] = [
        (Visibility::Public, &["alice", "bob", "dave"], both, Some((Some("alice"), true, &["carol", "rita"]))),
        (Visibility::Unlisted, &["alice", "bob"], both, Some((Some("alice"), false, &["carol", "rita"]))),
        (Visibility::Private, &["alice", "bob", "carol"], both, Some((Some("alice"), false, &["carol", "rita"]))),
        (Visibility::Direct, &["alice", "carol"], &[("carol", "mention")], Some((None, false, &["carol", "rita"]))),
        (Visibility::Local, &["alice", "bob", "dave"], both, Some((None, false, &[]))),
    ];
    for (visibility, home, notices, remote) in rows {
        let status = world.post("alice", MENTIONS, visibility, None).await;
        check(&world, &format!("local {visibility} post"), status, Row { home, notices, remote }).await;
    }
}

#[tokio::test]
async fn local_reply_to_someone_else() {
    let world = World::new().await;
    let parent = world.post("carol", "a question", Visibility::Public, None).await;
    let reply = world.post("alice", "an answer", Visibility::Public, Some(parent)).await;
    // Bob follows alice but not carol: the reply is not for his home, nor
    // for his bell.
    let row = Row { home: &["alice"], notices: &[], remote: Some((Some("alice"), true, &["carol"])) };
    check(&world, "local public reply to carol", reply, row).await;
}

#[tokio::test]
async fn remote_posts_by_visibility() {
    let world = World::new().await;
    let both: Notices = &[("carol", "mention"), ("bob", "status")];
    let rows: [(Visibility, Names, Notices); 4] = [
        (Visibility::Public, &["bob", "dave"], both),
        (Visibility::Unlisted, &["bob"], both),
        (Visibility::Private, &["bob", "carol"], both),
        (Visibility::Direct, &["carol"], &[("carol", "mention")]),
    ];
    for (n, (visibility, home, notices)) in (1..).zip(rows) {
        let status = world.remote_post(n, visibility, &["carol", "rita"]).await;
        check(&world, &format!("remote {visibility} post"), status, Row { home, notices, remote: None }).await;
    }
}

#[tokio::test]
async fn boosts_skip_readers_who_have_the_original() {
    let world = World::new().await;
    let post = world.post("alice", "worth sharing", Visibility::Public, None).await;
    // Bob has the original at the top of his home: Erin's boost is not
    // shown to him again; Erin, who does not follow Alice, gets it.
    let boost = world.boost("erin", post).await;
    let row = Row { home: &["erin"], notices: &[], remote: Some((Some("erin"), false, &["alice"])) };
    check(&world, "local boost", boost, row).await;
    let heard = notices(&[("alice", "reblog"), ("bob", "status")]);
    assert_eq!(world.notices(post).await, heard, "the author hears of the boost");

    let remote_boost = world.boost("zed", post).await;
    check(&world, "remote boost", remote_boost, Row { home: &[], notices: &[], remote: None }).await;

    // A post Bob has not seen: the first boost reaches him, a second boost
    // of it does not.
    let unseen = world.post("carol", "elsewhere in the site", Visibility::Public, None).await;
    let first = world.boost("erin", unseen).await;
    let second = world.boost("zed", unseen).await;
    assert_eq!(world.home(first).await, names(&["bob", "erin"]), "the first boost");
    assert!(!world.home(second).await.contains("bob"), "a second boost of the same post stays out");
}

#[tokio::test]
async fn a_boost_of_an_original_beyond_the_falloff_is_shown() {
    let world = World::new().await;
    let post = world.post("alice", "an old post", Visibility::Public, None).await;
    for n in 0..BOOST_FALLOFF {
        world.post("alice", &format!("newer {n}"), Visibility::Public, None).await;
    }
    let boost = world.boost("erin", post).await;
    assert!(world.home(boost).await.contains("bob"), "the original is {BOOST_FALLOFF} entries down");
}

#[tokio::test]
async fn a_follow_merges_posts_but_not_boosts_already_shown() {
    let world = World::new().await;
    let post = world.post("alice", "worth sharing", Visibility::Public, None).await;
    let unseen = world.post("carol", "not followed", Visibility::Public, None).await;
    let of_seen = world.boost("erin", post).await;
    let of_unseen = world.boost("erin", unseen).await;
    let own = world.post("erin", "my own", Visibility::Private, None).await;
    accounts::unfollow(&world.ctx.db, world.id("bob"), world.id("erin")).await.unwrap();
    assert!(!world.home(own).await.contains("bob"), "unfollowing removes Erin's posts");
    world.follow("bob", "erin", FollowOptions::default()).await;
    assert!(world.home(own).await.contains("bob"), "Erin's post is merged back");
    assert!(world.home(of_unseen).await.contains("bob"), "a boost of a post Bob has not seen is merged");
    assert!(!world.home(of_seen).await.contains("bob"), "a boost of a post in Bob's home is not merged");
}

#[tokio::test]
async fn edits_notify_local_boosters_of_local_and_remote_posts() {
    let world = World::new().await;
    let post = world.post("alice", MENTIONS, Visibility::Public, None).await;
    world.boost("erin", post).await;
    world.boost("zed", post).await;
    let changes = StatusChanges { text: "edited #audience".into(), ..Default::default() };
    statuses::edit(&world.ctx, world.id("alice"), post, changes).await.unwrap();
    let row = Row {
        home: &["alice", "bob", "dave"],
        notices: &[("carol", "mention"), ("bob", "status"), ("alice", "reblog"), ("erin", "update")],
        remote: Some((Some("alice"), true, &[])),
    };
    check(&world, "edited local post", post, row).await;

    let remote_post = world.remote_post(1, Visibility::Public, &[]).await;
    world.boost("erin", remote_post).await;
    let revision = RemoteRevision {
        content: "<p>edited</p>".into(),
        spoiler_text: String::new(),
        sensitive: false,
        language: None,
        edited_at: tertulia_db::now() + Duration::seconds(1),
    };
    let uri = format!("https://{REMOTE_HOST}/users/zed/statuses/1");
    // The edit mentions carol for the first time: she hears of it.
    let edit = RemoteEdit { text: revision, mentioned: vec![world.id("carol")], tags: Vec::new(), event: None };
    remote::status_updated(&world.ctx, world.id("zed"), uri, edit).await.unwrap();
    let row = Row {
        home: &["bob", "dave"],
        notices: &[("bob", "status"), ("erin", "update"), ("carol", "mention")],
        remote: None,
    };
    check(&world, "edited remote post", remote_post, row).await;
}

#[test]
fn a_deleted_post_goes_where_it_went() {
    // The outbox has only the deletion record by then: the same rule from
    // the same facts.
    let [author, replied_to, quoted, mentioned] = [1, 2, 3, 7].map(AccountId);
    let mentions = [mentioned];
    let post = |visibility| Addressing {
        author,
        visibility,
        in_reply_to_account: Some(replied_to),
        quoted_account: Some(quoted),
        mentioned: &mentions,
    };
    let followers = |site| RemoteAudience {
        followers_of: Some(author),
        site_followers: site,
        relays: site,
        accounts: vec![replied_to, quoted, mentioned],
    };
    assert_eq!(remote_of_post(&post(Visibility::Public)), followers(true));
    assert_eq!(remote_of_post(&post(Visibility::Unlisted)), followers(false));
    assert_eq!(remote_of_post(&post(Visibility::Private)), followers(false));
    let direct = RemoteAudience { followers_of: None, site_followers: false, relays: false, accounts: vec![mentioned] };
    assert_eq!(remote_of_post(&post(Visibility::Direct)), direct);
    assert_eq!(remote_of_post(&post(Visibility::Local)), RemoteAudience::default());
    assert_eq!(remote_of_boost(author, Visibility::Local, replied_to), RemoteAudience::default());
}

#[test]
fn profiles_go_to_followers_and_the_sites_following_this_one() {
    let [person, site] = [1, 2].map(AccountId);
    let profile =
        RemoteAudience { followers_of: Some(person), site_followers: true, relays: false, accounts: Vec::new() };
    assert_eq!(remote_of_profile(person), profile);
    let entry = RemoteAudience { followers_of: None, site_followers: false, relays: false, accounts: vec![site] };
    assert_eq!(remote_of_directory_entry(Some(site)), entry);
    // A new colleague: the sites following this one, not whoever follows
    // them by the time the record is sent.
    let newcomer = RemoteAudience { followers_of: None, site_followers: true, relays: false, accounts: Vec::new() };
    assert_eq!(remote_of_directory_entry(None), newcomer);
}
