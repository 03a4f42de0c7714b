#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Documents in the shapes Mastodon, GoToSocial, Akkoma, Misskey, Mobilizon and Friendica send
//! (`tests/fixtures/<software>/`, written for these tests after each
//! project's documentation and test suites), read the way the inbox reads
//! them: the POST body checked as an activity from its signer, then the
//! post, actor or object it carries. Each test states what we keep.

use std::path::PathBuf;

use serde_json::Value;
use tertulia_core::visibility::Visibility;
use tertulia_db::actors::ActorRow;
use tertulia_domain::quotes::QuotePolicy;

use crate::inbox::check_sender;
use crate::protocol::{id_of, parse_activity, type_of, visibility_of};
use crate::resolver::{actor_fields, read_post};

/// The activity in `tests/fixtures/{path}`, accepted as a POST body from
/// its actor.
pub(crate) fn received(path: &str) -> Value {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    let body = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let activity = parse_activity(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
    let actor = id_of(activity.get("actor")).unwrap().to_owned();
    check_sender(&activity, &signer(&actor)).unwrap_or_else(|e| panic!("{path}: {e}"));
    activity
}

fn signer(uri: &str) -> ActorRow {
    ActorRow {
        id: 1,
        username: "sender".into(),
        domain: crate::urls::host_of(uri),
        uri: uri.into(),
        inbox_url: format!("{uri}/inbox"),
        shared_inbox_url: None,
        followers_url: Some(format!("{uri}/followers")),
        public_key_pem: String::new(),
        private_key_pem: None,
        public_key_id: None,
        also_known_as: "[]".into(),
        moved_to_account_id: None,
        actor_type: tertulia_db::actors::ActorType::Person,
        suspended_at: None,
        fetched_at: None,
        updated_at: chrono::NaiveDateTime::default(),
    }
}

/// What we keep of the post a `Create` carries.
struct Kept {
    visibility: Visibility,
    in_reply_to: Option<&'static str>,
    summary: &'static str,
    sensitive: bool,
    language: Option<&'static str>,
    mentions: &'static [&'static str],
    tags: &'static [&'static str],
    /// (URL, media type, description) of each attachment.
    attachments: &'static [(&'static str, &'static str, Option<&'static str>)],
    /// Text the kept content must show.
    shows: &'static str,
}

fn assert_post_kept(path: &str, kept: &Kept) {
    let activity = received(path);
    assert_eq!(type_of(&activity), "Create", "{path}");
    let note = &activity["object"];
    let post = read_post(note).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(Some(post.author), id_of(activity.get("actor")), "{path}: author");
    let followers = format!("{}/followers", post.author);
    assert_eq!(visibility_of(note, Some(&followers)), kept.visibility, "{path}: visibility");
    assert_eq!(post.in_reply_to, kept.in_reply_to, "{path}: reply target");
    assert_eq!(post.text.spoiler_text, kept.summary, "{path}: content warning");
    assert_eq!(post.text.sensitive, kept.sensitive, "{path}: sensitive");
    assert_eq!(post.text.language.as_deref(), kept.language, "{path}: language");
    assert_eq!(post.mentions, kept.mentions, "{path}: mentions");
    assert_eq!(post.tags, kept.tags, "{path}: hashtags");
    let attachments: Vec<(&str, &str, Option<&str>)> =
        post.attachments.iter().map(|a| (a.url.as_str(), a.content_type.as_str(), a.description.as_deref())).collect();
    assert_eq!(attachments, kept.attachments, "{path}: attachments");
    assert!(post.text.content.contains(kept.shows), "{path}: content {}", post.text.content);
    assert!(!post.text.content.contains("<script"), "{path}: content is sanitized");
    assert!(post.published.is_some(), "{path}: published");
}

const ANA: &str = "https://tertulia.test/users/ana";

#[test]
fn a_mastodon_reply_keeps_its_warning_mentions_tags_and_image() {
    assert_post_kept(
        "mastodon/create_note.json",
        &Kept {
            visibility: Visibility::Public,
            in_reply_to: Some("https://tertulia.test/users/ana/statuses/40"),
            summary: "quarterly numbers",
            sensitive: true,
            language: Some("en"),
            mentions: &[ANA],
            tags: &["finance"],
            attachments: &[(
                "https://files.masto.example/media_attachments/files/113/000/chart.png",
                "image/png",
                Some("Bar chart of Q2 spending by department"),
            )],
            shows: "the chart is up :chart_up:",
        },
    );
}

#[test]
fn a_gotosocial_followers_only_post_keeps_its_image_alt_text_and_quote_policy() {
    assert_post_kept(
        "gotosocial/create_note.json",
        &Kept {
            visibility: Visibility::Private,
            in_reply_to: None,
            summary: "",
            sensitive: false,
            language: Some("de"),
            mentions: &[ANA],
            tags: &[],
            // GoToSocial writes alt text in `summary` (the AS2 property
            // for a description), not only in `name`.
            attachments: &[(
                "https://gts.example/fileserver/01J0GTSACCT/attachment/original/01J0GTSMEDIA.webp",
                "image/webp",
                Some("Badge photo booth by the lobby"),
            )],
            shows: "New badge photos for",
        },
    );
    let note = &received("gotosocial/create_note.json")["object"];
    let followers = "https://gts.example/users/teo/followers";
    assert_eq!(crate::quotes::policy_of(note, Some(followers)), Some(QuotePolicy::Followers));
}

#[test]
fn an_akkoma_unlisted_post_keeps_its_linked_document() {
    assert_post_kept(
        "akkoma/create_note.json",
        &Kept {
            visibility: Visibility::Unlisted,
            in_reply_to: None,
            summary: "",
            sensitive: false,
            language: Some("en"),
            mentions: &[ANA],
            tags: &["office"],
            // Akkoma's attachment `url` is a list of `Link`s.
            attachments: &[(
                "https://akko.example/media/2f3e4d5c/scanner-manual.pdf",
                "application/pdf",
                Some("scanner-manual.pdf"),
            )],
            shows: "the scanner manual, page 3",
        },
    );
}

#[test]
fn a_misskey_direct_quote_keeps_its_warning_mention_and_quoted_post() {
    assert_post_kept(
        "misskey/create_note.json",
        &Kept {
            visibility: Visibility::Direct,
            in_reply_to: None,
            summary: "spoilers for the team quiz",
            sensitive: true,
            language: None,
            mentions: &[ANA],
            tags: &["quiz"],
            attachments: &[("https://mk.example/files/webpublic-5f6e7d8c.jpg", "image/jpeg", None)],
            shows: "answers attached :blobcat:",
        },
    );
    let note = &received("misskey/create_note.json")["object"];
    assert_eq!(crate::quotes::quoted_uri(note), Some("https://tertulia.test/users/ana/statuses/43"));
}

#[test]
fn polls_keep_their_options_counts_and_end() {
    for (path, options, counts, multiple, voters) in [
        ("mastodon/question.json", vec!["Thursday", "Friday"], vec![3, 2], false, 5),
        ("misskey/question.json", vec!["Fruit", "Crisps", "Cake"], vec![3, 1, 0], true, 0),
    ] {
        let activity = received(path);
        let post = read_post(&activity["object"]).unwrap_or_else(|e| panic!("{path}: {e}"));
        let poll = post.poll.unwrap_or_else(|| panic!("{path}: no poll"));
        assert_eq!(poll.options, options, "{path}");
        assert_eq!(poll.counts, counts, "{path}");
        assert_eq!(poll.multiple, multiple, "{path}");
        assert_eq!(poll.voters_count, voters, "{path}");
        assert!(poll.expires_at.is_some(), "{path}: end");
    }
}

#[test]
fn follows_likes_boosts_undos_and_deletes_name_what_the_inbox_acts_on() {
    let object_of = |path: &str, kind: &str| {
        let activity = received(path);
        assert_eq!(type_of(&activity), kind, "{path}");
        activity["object"].clone()
    };
    assert_eq!(id_of(Some(&object_of("gotosocial/follow.json", "Follow"))), Some(ANA));
    assert_eq!(
        id_of(Some(&object_of("gotosocial/like.json", "Like"))),
        Some("https://tertulia.test/users/ana/statuses/41")
    );
    assert_eq!(
        id_of(Some(&object_of("misskey/like.json", "Like"))),
        Some("https://tertulia.test/users/ana/statuses/44")
    );
    let accepted = object_of("gotosocial/accept.json", "Accept");
    assert_eq!(id_of(accepted.get("actor")), Some(ANA), "the follower the Accept answers");
    assert!(!crate::quotes::answers_request(&accepted), "an accepted follow is not a quote answer");
    assert_eq!(
        id_of(Some(&object_of("akkoma/announce.json", "Announce"))),
        Some("https://tertulia.test/users/ana/statuses/42")
    );
    let undone_like = object_of("akkoma/undo_like.json", "Undo");
    assert_eq!(type_of(&undone_like), "Like");
    assert_eq!(id_of(undone_like.get("object")), Some("https://tertulia.test/users/ana/statuses/42"));
    let undone_follow = object_of("misskey/undo_follow.json", "Undo");
    assert_eq!(type_of(&undone_follow), "Follow");
    assert_eq!(id_of(undone_follow.get("object")), Some(ANA));
    for (path, deleted) in [
        ("mastodon/delete.json", "https://masto.example/users/marta/statuses/113000000000000001"),
        ("misskey/delete.json", "https://mk.example/notes/a1b2c3d4e5"),
    ] {
        let tombstone = object_of(path, "Delete");
        assert_eq!(type_of(&tombstone), "Tombstone", "{path}");
        assert_eq!(id_of(Some(&tombstone)), Some(deleted), "{path}");
    }
}

#[test]
fn a_mastodon_profile_update_keeps_names_fields_images_and_key() {
    let activity = received("mastodon/update_person.json");
    assert_eq!(type_of(&activity), "Update");
    let actor = id_of(activity.get("actor")).unwrap();
    let (uri, fields) = actor_fields(&activity["object"], actor).unwrap();
    assert_eq!(uri, actor);
    assert_eq!((fields.username.as_str(), fields.domain.as_str()), ("marta", "masto.example"));
    assert_eq!(fields.display_name, "Marta Gil");
    assert!(fields.note.contains("Finance"));
    assert_eq!(fields.shared_inbox_url.as_deref(), Some("https://masto.example/inbox"));
    assert_eq!(fields.avatar_url.as_deref(), Some("https://files.masto.example/accounts/avatars/marta.png"));
    assert_eq!(fields.header_url.as_deref(), Some("https://files.masto.example/accounts/headers/marta.jpg"));
    assert!(fields.fields.contains("Floor 3"), "{}", fields.fields);
    assert!(fields.discoverable && fields.indexable && !fields.locked && !fields.bot);
    assert_eq!(fields.public_key_id.as_deref(), Some("https://masto.example/users/marta#main-key"));
}

#[test]
fn a_mobilizon_event_keeps_its_name_times_zone_place_and_participant_count() {
    let activity = received("mobilizon/create_event.json");
    let post = read_post(&activity["object"]).unwrap();
    assert!(post.text.content.contains("meet the team"), "{}", post.text.content);
    let event = post.event.expect("an Event is kept as an event");
    assert_eq!(event.name, "Open day at the Lyon workshop");
    let utc = |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    assert_eq!((event.starts_at, event.ends_at), (utc("2030-05-14 07:00"), utc("2030-05-14 15:00")));
    assert_eq!(event.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(event.location.as_deref(), Some("Atelier Croix-Rousse"));
    // Mobilizon counts those going; it has no maybe nor declined.
    let totals = event.totals.expect("participantCount read as the totals");
    assert_eq!((totals.going, totals.maybe, totals.not_going), (3, 0, 0));
}

#[test]
fn mobilizon_joins_and_leaves_and_friendica_tentative_accepts_answer_the_event_they_name() {
    use tertulia_domain::calendar::Answer;
    for (path, answer) in [
        ("mobilizon/join.json", Some(Answer::Going)),
        ("mobilizon/leave.json", None),
        ("friendica/tentative_accept.json", Some(Answer::Maybe)),
    ] {
        let activity = received(path);
        assert_eq!(crate::activities::answer_of(type_of(&activity)), Some(answer), "{path}");
        assert_eq!(id_of(activity.get("object")), Some("https://hq.example/users/ana/statuses/1101"), "{path}");
    }
}
