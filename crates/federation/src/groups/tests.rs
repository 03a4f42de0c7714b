//! Group `Announce`s in the shapes other FEP-1b12 implementations publish,
//! written from their documentation: Lemmy's federation docs
//! (join-lemmy.org/docs/contributors/05-federation.html: a community wraps
//! each activity it forwards), Guppe's and Friendica's (the post itself).

use serde_json::{Value, json};

use super::{Announced, announced};

const LEMMY_COMMUNITY: &str = "https://lemmy.acme.example/c/safety";

/// A Lemmy community forwarding a member's activity, as Lemmy sends it.
fn lemmy_announce(inner: Value) -> Value {
    json!({
        "@context": ["https://join-lemmy.org/context.json", "https://www.w3.org/ns/activitystreams"],
        "actor": LEMMY_COMMUNITY,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": inner,
        "cc": [format!("{LEMMY_COMMUNITY}/followers")],
        "type": "Announce",
        "id": "https://lemmy.acme.example/activities/announce/create/8d3b4e61-6f87-4b2b-9d60-2d4a0c0f7b9e",
    })
}

#[test]
fn lemmy_new_post_is_the_wrapped_page() {
    let create = json!({
        "actor": "https://lemmy.acme.example/u/alba",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "type": "Page",
            "id": "https://lemmy.acme.example/post/17",
            "attributedTo": "https://lemmy.acme.example/u/alba",
            "to": [LEMMY_COMMUNITY, "https://www.w3.org/ns/activitystreams#Public"],
            "name": "Ladders in warehouse B",
            "content": "<p>Two are missing their rubber feet.</p>",
            "mediaType": "text/html",
            "audience": LEMMY_COMMUNITY,
            "published": "2026-12-07T10:00:00Z",
        },
        "cc": [LEMMY_COMMUNITY],
        "audience": LEMMY_COMMUNITY,
        "type": "Create",
        "id": "https://lemmy.acme.example/activities/create/3f0c2a55-1c1e-4e57-8f43-7b1f4b9f2e10",
    });
    assert_eq!(announced(&lemmy_announce(create)), Announced::Post("https://lemmy.acme.example/post/17"));
}

#[test]
fn lemmy_comment_is_the_wrapped_note() {
    let create = json!({
        "type": "Create",
        "id": "https://lemmy.acme.example/activities/create/5a1d",
        "actor": "https://lemmy.acme.example/u/alba",
        "object": {
            "type": "Note",
            "id": "https://lemmy.acme.example/comment/40",
            "attributedTo": "https://lemmy.acme.example/u/alba",
            "inReplyTo": "https://lemmy.acme.example/post/17",
            "content": "<p>Fixed this morning.</p>",
            "audience": LEMMY_COMMUNITY,
        },
    });
    assert_eq!(announced(&lemmy_announce(create)), Announced::Post("https://lemmy.acme.example/comment/40"));
}

#[test]
fn lemmy_moderator_removal_withdraws_the_post() {
    let delete = json!({
        "type": "Delete",
        "id": "https://lemmy.acme.example/activities/delete/77aa",
        "actor": "https://lemmy.acme.example/u/moderator",
        "object": "https://lemmy.acme.example/post/17",
        "summary": "Off topic",
        "audience": LEMMY_COMMUNITY,
    });
    assert_eq!(announced(&lemmy_announce(delete)), Announced::Withdrawn("https://lemmy.acme.example/post/17"));
}

#[test]
fn lemmy_votes_edits_and_restores_are_not_boosts() {
    for (kind, object) in [
        ("Like", json!("https://lemmy.acme.example/post/17")),
        ("Dislike", json!("https://lemmy.acme.example/post/17")),
        ("Update", json!({"type": "Page", "id": "https://lemmy.acme.example/post/17"})),
        ("Undo", json!({"type": "Delete", "id": "https://lemmy.acme.example/activities/delete/77aa"})),
        ("Lock", json!("https://lemmy.acme.example/post/17")),
    ] {
        let inner =
            json!({"type": kind, "id": format!("https://lemmy.acme.example/activities/{kind}/1"), "object": object});
        assert_eq!(announced(&lemmy_announce(inner)), Announced::Ignored, "{kind}");
    }
}

#[test]
fn guppe_announces_the_post_by_id() {
    let guppe = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Announce",
        "id": "https://gup.acme.example/s/4b1c2f",
        "actor": "https://gup.acme.example/u/safety",
        "object": "https://es.acme.example/users/ana/statuses/1",
        "to": ["https://gup.acme.example/u/safety/followers", "https://www.w3.org/ns/activitystreams#Public"],
    });
    assert_eq!(announced(&guppe), Announced::Post("https://es.acme.example/users/ana/statuses/1"));
}

#[test]
fn friendica_announces_the_post_embedded() {
    let friendica = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": "https://friendica.acme.example/objects/0ad1/Announce",
        "type": "Announce",
        "actor": "https://friendica.acme.example/profile/safety",
        "object": {
            "id": "https://friendica.acme.example/objects/0ad1",
            "type": "Note",
            "attributedTo": "https://friendica.acme.example/profile/marta",
            "content": "Fire drill on Thursday at 11.",
        },
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["https://friendica.acme.example/followers/safety"],
    });
    assert_eq!(announced(&friendica), Announced::Post("https://friendica.acme.example/objects/0ad1"));
}

#[test]
fn an_announce_of_nothing_is_invalid() {
    assert_eq!(announced(&json!({"type": "Announce", "id": "https://x.example/1"})), Announced::Invalid);
    let empty_create =
        lemmy_announce(json!({"type": "Create", "id": "https://lemmy.acme.example/activities/create/1"}));
    assert_eq!(announced(&empty_create), Announced::Invalid);
}
