#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each outgoing document against a fixture of what we send
//! (`tests/fixtures/outgoing/`), with generated ids masked, and against
//! the shape Mastodon requires of it. `TERTULIA_BLESS=1` rewrites the
//! fixtures from the current output (review the diff before committing).

use std::path::PathBuf;

use chrono::NaiveDateTime;
use serde_json::Value;
use tertulia_db::accounts::AccountRow;
use tertulia_db::actors::ActorRow;
use tertulia_domain::statuses::StatusView;
use tertulia_domain::statuses::shared::SharedStatus;

use crate::activities as render;
use crate::protocol::PUBLIC;
use crate::urls::Urls;

const BASE: &str = "https://tertulia.test";
const MASKED: &str = "<generated>";

fn urls() -> Urls {
    Urls::new(BASE)
}

fn at(text: &str) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().naive_utc()
}

fn account() -> AccountRow {
    AccountRow {
        id: 7,
        username: "ana".into(),
        domain: None,
        display_name: "Ana Ruiz".into(),
        note: "<p>Payroll &amp; benefits</p>".into(),
        note_source: "Payroll & benefits".into(),
        uri: format!("{BASE}/users/ana"),
        url: None,
        avatar_url: Some(format!("{BASE}/media/avatar.png")),
        header_url: None,
        locked: true,
        bot: false,
        discoverable: true,
        indexable: false,
        hide_collections: false,
        fields: r#"[{"name":"Desk","value":"B<2>","verified_at":null}]"#.into(),
        site: None,
        suspended_at: None,
        silenced_at: None,
        sensitized_at: None,
        followers_count: 3,
        following_count: 4,
        statuses_count: 5,
        last_status_at: None,
        created_at: at("2026-01-02T03:04:05Z"),
        updated_at: at("2026-02-03T04:05:06Z"),
        moved_to_account_id: None,
        actor_type: tertulia_db::actors::ActorType::Person,
        kudos_count: 0,
    }
}

fn acme_spain() -> tertulia_core::config::SiteIdentity {
    tertulia_core::config::SiteIdentity {
        name: "ACME Spain".into(),
        country: "ES".into(),
        region: "Madrid".into(),
        time_zone: "Europe/Madrid".into(),
        default_language: "es".into(),
    }
}

fn actor() -> ActorRow {
    ActorRow {
        id: 7,
        username: "ana".into(),
        domain: None,
        uri: format!("{BASE}/users/ana"),
        inbox_url: format!("{BASE}/users/ana/inbox"),
        shared_inbox_url: None,
        followers_url: None,
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".into(),
        private_key_pem: None,
        public_key_id: None,
        also_known_as: r#"["https://old.example/users/ana"]"#.into(),
        moved_to_account_id: None,
        actor_type: tertulia_db::actors::ActorType::Person,
        suspended_at: None,
        fetched_at: None,
        updated_at: account().updated_at,
    }
}

const ANA: &str = "https://tertulia.test/users/ana";
const LUIS: &str = "https://mx.example/users/luis";

/// `document` with the values at `pointers` replaced by [`MASKED`].
fn masked(mut document: Value, pointers: &[&str]) -> Value {
    for pointer in pointers {
        *document.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer} missing")) = Value::from(MASKED);
    }
    document
}

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outgoing").join(format!("{name}.json"))
}

/// Compares `document` with its fixture, and checks what every activity
/// we send needs: our context, an id under our host, an actor of ours.
fn check(name: &str, document: &Value) {
    let path = fixture_path(name);
    if std::env::var_os("TERTULIA_BLESS").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(document).unwrap() + "\n").unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expected: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document, &expected, "{name} differs from {}", path.display());
    assert_eq!(document["@context"], crate::protocol::context(), "{name}: @context");
    let id = document["id"].as_str().unwrap();
    assert!(id == MASKED || id.starts_with(BASE), "{name}: id {id} is not ours");
    if let Some(actor) = document.get("actor").and_then(Value::as_str) {
        assert!(actor.starts_with(BASE), "{name}: actor {actor} is not ours");
    }
}

#[test]
fn actors() {
    let site = acme_spain();
    use tertulia_domain::AccountView;
    let new_ana = AccountView { uri: "https://new.example/users/ana".into(), ..AccountView::from(account()) };
    let moved = AccountView { moved: Some(Box::new(new_ana)), ..AccountView::from(account()) };
    let person = render::person(&urls(), &moved, &actor(), Some(&site));
    check("person", &person);
    assert_eq!(person["type"], "Person");
    assert_eq!(person["publicKey"]["owner"], ANA);
    assert_eq!(person["site"]["timeZone"], "Europe/Madrid");
    let config = tertulia_core::Config { domain: "tertulia.test".into(), site, ..Default::default() };
    let instance_actor = render::instance_actor(&urls(), &config, &actor());
    check("instance_actor", &instance_actor);
    assert_eq!(instance_actor["site"]["name"], "ACME Spain");
    let bot = render::person(&urls(), &AccountRow { bot: true, ..account() }.into(), &actor(), None);
    assert!(bot.get("site").is_none(), "no [site]: no property");
    assert_eq!(bot["type"], "Service");
    assert!(bot.get("movedTo").is_none());
}

#[test]
fn announce_and_its_undo() {
    let boost = render::Boost {
        booster: "ana",
        uri: "https://tertulia.test/users/ana/statuses/11/activity",
        published: at("2026-03-04T05:06:07Z"),
    };
    let announce = render::announce(&urls(), &boost, "https://mx.example/notes/1", LUIS);
    check("announce", &announce);
    assert_eq!(announce["to"][0], PUBLIC);
    check("undo_announce", &render::undo(ANA, announce));
}

#[test]
fn deletes() {
    let uri = "https://tertulia.test/users/ana/statuses/12";
    let followers = urls().followers("ana");
    check("delete", &render::delete(ANA, uri, vec![PUBLIC.into()], vec![followers, LUIS.into()]));
    check("delete_actor", &render::delete_actor(ANA));
}

#[test]
fn one_to_one_activities() {
    let like = render::like(urls().like(ANA, 12), ANA, "https://mx.example/notes/1");
    check("like", &like);
    check("undo_like", &render::undo(ANA, like));
    check("follow", &render::follow(urls().follow(13), ANA, LUIS));
    check("block", &render::block(ANA, 14, LUIS));
    let follow = "https://mx.example/follows/15";
    check("accept_follow", &masked(render::answer_follow(true, ANA, LUIS, follow), &["/id"]));
    check("reject_follow", &masked(render::answer_follow(false, ANA, LUIS, follow), &["/id"]));
    let vote = render::vote(ANA, 16, 1, "Tuesday", "https://mx.example/notes/2", LUIS);
    check("vote", &vote);
}

#[test]
fn profile_changes() {
    check("update_person", &render::update_person(&urls(), &account().into(), &actor(), None));
    let moved = render::move_account(&urls(), "ana", ANA, "https://new.example/users/ana");
    check("move", &masked(moved, &["/id"]));
}

#[test]
fn quote_answers() {
    let request = "https://mx.example/notes/3#quote-request";
    let (quoting, quoted) = ("https://mx.example/notes/3", "https://tertulia.test/users/ana/statuses/17");
    let authorization = "https://tertulia.test/quote_authorizations/3";
    let accept = render::quote_answer(ANA, LUIS, request, quoting, quoted, Some(authorization));
    check("accept_quote", &masked(accept, &["/id"]));
    check("reject_quote", &masked(render::quote_answer(ANA, LUIS, request, quoting, quoted, None), &["/id"]));
    check("revoke_quote", &render::quote_revocation(ANA, authorization, LUIS));
}

/// A status as the domain's view shows it: a reply with a content
/// warning, a remote mention, a hashtag, an image and a poll.
fn status_view() -> StatusView {
    use tertulia_domain::quotes::{QuoteApproval, QuotePolicy};
    use tertulia_domain::{AccountView, MentionView};
    let luis = MentionView {
        id: tertulia_core::Id(8),
        username: "luis".into(),
        domain: Some("mx.example".into()),
        uri: LUIS.into(),
        url: LUIS.into(),
    };
    StatusView {
        id: tertulia_core::Id(20),
        uri: format!("{ANA}/statuses/20"),
        url: format!("{BASE}/@ana/20"),
        account: AccountView::from(account()),
        content: "<p>Lunch vote, <span class=\"h-card\">@luis</span> #Cafeteria</p>".into(),
        text: "Lunch vote, @luis@mx.example #Cafeteria".into(),
        spoiler_text: "food".into(),
        sensitive: true,
        visibility: tertulia_core::visibility::Visibility::Unlisted,
        language: Some("es".into()),
        created_at: at("2026-03-04T05:06:07Z").and_utc(),
        edited_at: Some(at("2026-03-04T06:00:00Z").and_utc()),
        in_reply_to_id: Some(tertulia_core::Id(19)),
        in_reply_to_account_id: Some(tertulia_core::Id(8)),
        reblog: None,
        mentions: vec![luis],
        tags: vec![("cafeteria".into(), "Cafeteria".into())],
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        favourited: false,
        reblogged: false,
        bookmarked: false,
        media: vec![tertulia_domain::media::MediaView {
            id: tertulia_core::Id(21),
            kind: tertulia_core::media::MediaKind::Image,
            content_type: "image/png".into(),
            file_path: Some("ab/menu.png".into()),
            preview_path: None,
            remote_url: None,
            description: Some("Today's menu".into()),
            meta: serde_json::json!({"original": {"width": 640, "height": 480}}),
            blurhash: Some("LEHV6nWB2yk8".into()),
        }],
        poll: Some(tertulia_domain::polls::PollView {
            id: tertulia_core::Id(22),
            expires_at: Some(at("2026-03-05T05:06:07Z").and_utc()),
            expired: false,
            multiple: false,
            votes_count: 3,
            voters_count: 3,
            options: vec![("Paella".into(), Some(2)), ("Tacos".into(), Some(1))],
            own_votes: None,
        }),
        pinned: false,
        muted: false,
        filtered: Vec::new(),
        quote: None,
        quote_approval: QuoteApproval { policy: QuotePolicy::Followers, viewer_allowed: false },
        quotes_count: 0,
    }
}

/// `view` as sent to other sites: a reply in a thread, quoting a post.
fn linked(view: StatusView) -> SharedStatus {
    SharedStatus {
        view,
        in_reply_to_uri: Some("https://mx.example/notes/19".into()),
        conversation: Some(23),
        quote: Some(("https://mx.example/notes/18".into(), Some("https://mx.example/authorizations/1".into()))),
        event: None,
    }
}

fn config() -> tertulia_core::Config {
    tertulia_core::Config { domain: "tertulia.test".into(), ..Default::default() }
}

#[test]
fn a_status_view_becomes_a_question_with_its_mentions_tags_media_and_quote() {
    let note = render::to_note(&linked(status_view()), &urls(), &config());
    let document = render::document(&note);
    check("question", &document);
    assert_eq!(document["type"], "Question");
    assert_eq!(document["attributedTo"], ANA);
    // Unlisted: followers in `to`, everyone and the mentioned in `cc`.
    assert_eq!(document["to"], serde_json::json!([urls().followers("ana")]));
    assert_eq!(document["cc"], serde_json::json!([PUBLIC, LUIS]));
    assert_eq!(document["tag"][0]["name"], "@luis@mx.example");
    assert_eq!(document["oneOf"][1]["replies"]["totalItems"], 1);

    let plain = StatusView { poll: None, edited_at: None, ..status_view() };
    let note = render::to_note(
        &SharedStatus { view: plain, in_reply_to_uri: None, conversation: None, quote: None, event: None },
        &urls(),
        &config(),
    );
    let create = render::create_or_update(&note, false);
    check("create", &create);
    assert_eq!(create["object"]["type"], "Note");
    assert!(create["object"].get("@context").is_none());
    assert_eq!(create["to"], create["object"]["to"]);

    // In the outbox collection, only the collection carries `@context`.
    let mut item = create.clone();
    item.as_object_mut().map(|fields| fields.remove("@context"));
    assert_eq!(render::create_item(&note), item);
    assert!(create.get("@context").is_some());
}

#[test]
fn edits_and_other_changes_of_a_post_are_updates() {
    let note = render::to_note(&linked(status_view()), &urls(), &config());
    let edit = render::create_or_update(&note, true);
    check("update_edit", &edit);
    assert_eq!(edit["type"], "Update");
    assert!(edit["object"]["updated"].is_string());
    check("update_votes", &masked(render::unedited_update(&note, "votes"), &["/id"]));
    let request = render::quote_request(&note, "https://mx.example/notes/18", LUIS);
    check("quote_request", &request);
    assert_eq!(request["instrument"]["id"], note.id);
}

#[test]
fn hidden_poll_totals_stay_hidden_from_other_sites() {
    let mut view = status_view();
    if let Some(poll) = &mut view.poll {
        poll.options = vec![("Paella".into(), None), ("Tacos".into(), None)];
    }
    let document = render::document(&render::to_note(&linked(view), &urls(), &config()));
    assert_eq!(document["oneOf"][0]["replies"]["totalItems"], 0);
}
