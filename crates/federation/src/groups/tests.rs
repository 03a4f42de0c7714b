//! Group `Announce`s in the shapes other FEP-1b12 implementations publish
//! (`tests/fixtures/{lemmy,friendica,guppe}/`), written for these tests
//! from their documentation: Lemmy's federation docs (a community wraps
//! each activity it forwards), Guppe's and Friendica's (the post itself).
//! Each is first accepted as a POST body from its signer.

use serde_json::json;

use super::{Announced, announced};
use crate::interop_tests::received;
use crate::protocol::PUBLIC;

#[test]
fn lemmy_new_post_is_the_wrapped_page() {
    let activity = received("lemmy/announce_create_page.json");
    assert_eq!(announced(&activity), Announced::Post("https://lemmy.acme.example/post/17"));
}

#[test]
fn lemmy_comment_is_the_wrapped_note() {
    let activity = received("lemmy/announce_create_note.json");
    assert_eq!(announced(&activity), Announced::Post("https://lemmy.acme.example/comment/40"));
}

#[test]
fn lemmy_moderator_removal_withdraws_the_post() {
    let activity = received("lemmy/announce_delete.json");
    assert_eq!(announced(&activity), Announced::Withdrawn("https://lemmy.acme.example/post/17"));
}

#[test]
fn lemmy_votes_edits_and_restores_are_not_boosts() {
    assert_eq!(announced(&received("lemmy/announce_like.json")), Announced::Ignored);
    let mut activity = received("lemmy/announce_like.json");
    for kind in ["Dislike", "Update", "Undo", "Lock", "Remove"] {
        activity["object"]["type"] = json!(kind);
        assert_eq!(announced(&activity), Announced::Ignored, "{kind}");
    }
}

#[test]
fn guppe_announces_the_post_by_id() {
    let activity = received("guppe/announce.json");
    assert_eq!(announced(&activity), Announced::Post("https://es.acme.example/users/ana/statuses/1"));
}

#[test]
fn friendica_announces_the_post_embedded() {
    let activity = received("friendica/announce_note.json");
    let post = "https://friendica.acme.example/objects/0ad1c2e3-0000-4000-8000-000000000001";
    assert_eq!(announced(&activity), Announced::Post(post));
}

#[test]
fn an_announce_of_nothing_is_invalid() {
    assert_eq!(announced(&json!({"type": "Announce", "id": "https://x.example/1"})), Announced::Invalid);
    let mut empty_create = received("lemmy/announce_create_page.json");
    empty_create["object"].as_object_mut().unwrap().remove("object");
    assert_eq!(announced(&empty_create), Announced::Invalid);
}

#[test]
fn a_private_groups_members_only_post_is_taken_inline() {
    let members = "https://hq.acme.example/users/night_shift/followers";
    let post = "https://es.acme.example/users/ana/statuses/9";
    let note = json!({
        "id": post, "type": "Note", "attributedTo": "https://es.acme.example/users/ana",
        "to": ["https://es.acme.example/users/ana/followers", members], "cc": [],
    });
    let activity = json!({
        "id": "https://hq.acme.example/users/night_shift/statuses/1/activity", "type": "Announce",
        "actor": "https://hq.acme.example/users/night_shift", "to": [members],
        "object": {"id": format!("{post}/activity"), "type": "Create", "object": note},
    });
    assert_eq!(announced(&activity), Announced::MembersOnly(&note));
    // Addressed to others than the Announce's audience, or to the public:
    // read by id from its own site, as any wrapped post.
    let mut elsewhere = activity.clone();
    elsewhere["to"] = json!(["https://hq.acme.example/users/other/followers"]);
    assert_eq!(announced(&elsewhere), Announced::Post(post));
    let mut public = activity.clone();
    public["object"]["object"]["cc"] = json!([PUBLIC]);
    assert_eq!(announced(&public), Announced::Post(post));
}
