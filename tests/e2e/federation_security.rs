//! What a stranger on the internet can try against federation, without an
//! account, and what the server does about it: forged keys of this site,
//! keys claimed from another site, floods of bad signatures, redirects to
//! elsewhere, votes and boosts on posts the sender may not see, links no
//! client may render. One real `tertulia serve` per test; the other sites
//! are stand-ins played by the test (`tertulia_testrig::StandInSite`), so
//! they can misbehave and their requests can be counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod federation_support;
mod support;

use federation_support::{PUBLIC, StandInActor, database_of, get_signed, post_signed};
use serde_json::{Value, json};
use tertulia_federation::signatures::SigningKey;
use tertulia_testrig::{Backend, Federation, StandInSite, TestInstance, eventually};

/// A single site on the run's engine, with `extra` settings.
async fn one_site(extra: &[(&str, &str)]) -> TestInstance {
    Federation::site(support::BINARY, Backend::from_env(), extra).await
}

/// A counter (`favourites_count`, `reblogs_count`, …) of `post` as its
/// author, holding `token`, sees it on `site`.
async fn counter(site: &TestInstance, token: &str, post: &Value, name: &str) -> i64 {
    let id = post["id"].as_str().unwrap();
    let status = site.api(token).get(&format!("/api/v1/statuses/{id}")).await.ok();
    status[name].as_i64().unwrap_or_else(|| panic!("no {name} in {status}"))
}

/// The followers of `username` on `site`, as `acct`s.
async fn followers_of(site: &TestInstance, token: &str) -> Vec<String> {
    let id = site.api(token).account_id().await;
    let followers = site.api(token).get(&format!("/api/v1/accounts/{id}/followers")).await.ok();
    followers.as_array().unwrap().iter().map(|a| a["acct"].as_str().unwrap().to_owned()).collect()
}

/// Waits until `token`'s account on `site` has `count` followers.
async fn wait_for_followers(site: &TestInstance, token: &str, count: usize) {
    eventually("the follows applied", || async { (followers_of(site, token).await.len() == count).then_some(()) })
        .await;
}

#[tokio::test]
async fn a_key_of_this_site_is_refused_before_anything_is_fetched_or_saved() {
    let es = one_site(&[]).await;
    es.create_user("alice", &[]).await;
    let alice_uri = es.url("/users/alice");
    let remote = StandInSite::start();
    let stranger =
        StandInActor::publish(&remote, "/users/stranger", |_| {}).await.key_named(format!("{alice_uri}#main-key"));
    let body = json!({"id": format!("{alice_uri}#x"), "type": "Delete", "actor": alice_uri, "object": alice_uri})
        .to_string()
        .into_bytes();

    // The request of the security review, then the same with the site's
    // own actor, then a signed GET with a key of this site.
    let mut errors = Vec::new();
    for key_id in [format!("{alice_uri}#main-key"), es.url("/actor#main-key")] {
        let forged = format!(r#"keyId="{key_id}",signature="AAAA""#);
        let (status, answer) = post_signed(&es, &stranger, &body, |headers| {
            headers.insert("signature".into(), forged);
        })
        .await;
        assert_eq!(status, 401, "{answer}");
        errors.push(answer["error"].as_str().unwrap().to_owned());
    }
    let read = get_signed(&es, &stranger, &alice_uri).await;
    assert_eq!(read.status(), 401);

    // alice is still a local account: WebFinger finds her, she signs in,
    // and neither her row nor the site actor's was turned into a remote one.
    let finger = es.get(&format!("/.well-known/webfinger?resource=acct:alice@{}", es.domain)).await;
    assert_eq!(finger.status(), 200, "alice was unlinked");
    es.token_with_scopes("alice", "read").await;
    let db = database_of(&es);
    for uri in [alice_uri.clone(), es.url("/actor")] {
        let lookup = uri.clone();
        let row = db.run(move |conn| tertulia_db::actors::find_by_uri(conn, &lookup)).await.unwrap().unwrap();
        assert_eq!(row.domain, None, "{uri} was saved as a remote actor");
    }
    // The admin of the sending side learns why.
    for error in errors {
        assert!(error.contains("is a key of this site"), "{error}");
    }
}

#[tokio::test]
async fn an_actor_cannot_claim_a_key_of_another_site_or_another_owner() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let victim_site = StandInSite::start();
    let evil_site = StandInSite::start();
    let bob = StandInActor::publish(&victim_site, "/users/bob", |_| {}).await;
    let bob_key_id = bob.key.key_id().to_owned();
    let ana_uri = es.url("/users/ana");

    // mallory's document says her key is bob's; eve's key is on her site,
    // but names bob as its owner.
    let mallory = StandInActor::publish(&evil_site, "/users/mallory", |actor| {
        actor["publicKey"]["id"] = json!(bob_key_id);
    })
    .await;
    let eve = StandInActor::publish(&evil_site, "/users/eve", |actor| {
        actor["publicKey"]["owner"] = json!(bob.uri);
    })
    .await;
    let mut errors = Vec::new();
    for claimant in [&mallory, &eve] {
        let (status, answer) = claimant.send(&es, &claimant.activity(1, "Follow", json!(ana_uri))).await;
        assert_eq!(status, 403, "{answer}");
        errors.push(answer["error"].as_str().unwrap().to_owned());
    }

    // bob's own requests still work.
    let (status, answer) = bob.send(&es, &bob.activity(1, "Follow", json!(ana_uri))).await;
    assert_eq!(status, 202, "{answer}");
    wait_for_followers(&es, &ana, 1).await;
    assert_eq!(followers_of(&es, &ana).await, [format!("bob@{}", victim_site.domain)]);
    assert!(errors[0].contains("claims key") && errors[0].contains("of another site"), "{}", errors[0]);
    assert!(errors[1].contains("whose owner is not"), "{}", errors[1]);
}

#[tokio::test]
async fn bad_signatures_make_the_server_refetch_a_known_actor_at_most_once() {
    let es = one_site(&[]).await;
    es.create_user("ana", &[]).await;
    let remote = StandInSite::start();
    let bob = StandInActor::publish(&remote, "/users/bob", |_| {}).await;
    let ana_uri = es.url("/users/ana");
    let follow = bob.activity(1, "Follow", json!(ana_uri));
    let (status, answer) = bob.send(&es, &follow).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(remote.gets("/users/bob"), 1, "bob fetched once to learn his key");

    // Twenty requests signed with the wrong key for bob's key id, then
    // twenty naming keys bob does not have: at most one more fetch.
    let forger = StandInActor::publish(&remote, "/users/forger", |_| {}).await;
    for n in 0..20 {
        let forged = forger.key_named(bob.key.key_id().to_owned());
        let (status, answer) = post_signed(&es, &forged, &follow, |_| {}).await;
        assert_eq!(status, 401, "forgery {n}: {answer}");
    }
    for n in 0..20 {
        let unknown = forger.key_named(format!("{}#key-{n}", bob.uri));
        let (status, answer) = post_signed(&es, &unknown, &follow, |_| {}).await;
        assert!(matches!(status, 401 | 403), "unknown key {n}: {status} {answer}");
    }
    assert!(remote.gets("/users/bob") <= 2, "bob was fetched {} times", remote.gets("/users/bob"));
    // bob himself is not locked out.
    let (status, answer) = bob.send(&es, &bob.activity(2, "Follow", json!(ana_uri))).await;
    assert_eq!(status, 202, "{answer}");
}

/// A vote of `voter` for `option` in the poll of the post `poll_uri`.
fn vote(voter: &StandInActor, n: u32, poll_uri: &str, option: &str) -> Vec<u8> {
    let note = json!({
        "id": format!("{}#votes/{n}", voter.uri),
        "type": "Note",
        "name": option,
        "attributedTo": voter.uri,
        "inReplyTo": poll_uri,
        "to": [poll_uri],
    });
    voter.activity(n, "Create", note)
}

#[tokio::test]
async fn remote_votes_count_only_in_polls_the_voter_may_see() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let remote = StandInSite::start();
    let follower = StandInActor::publish(&remote, "/users/follower", |_| {}).await;
    let stranger = StandInActor::publish(&remote, "/users/stranger", |_| {}).await;
    let mentioned = StandInActor::publish(&remote, "/users/mentioned", |_| {}).await;
    mentioned.answer_webfinger(&remote, "mentioned");
    let (status, answer) = follower.send(&es, &follower.activity(1, "Follow", json!(es.url("/users/ana")))).await;
    assert_eq!(status, 202, "{answer}");
    wait_for_followers(&es, &ana, 1).await;
    // es learns the mentioned account the way a user's search does.
    es.api(&ana).get(&format!("/api/v2/search?type=accounts&resolve=true&q=@mentioned@{}", remote.domain)).await.ok();

    let poll = json!({"options": ["Sí", "No"], "expires_in": 3600});
    let post = |text: String, visibility: &'static str| {
        let api = es.api(&ana);
        let poll = poll.clone();
        async move { api.post_status(&text, json!({"poll": poll, "visibility": visibility})).await }
    };
    let public = post("¿Comida el viernes?".into(), "public").await;
    let private = post("¿Cena de equipo?".into(), "private").await;
    let direct = post(format!("@mentioned@{} ¿vienes?", remote.domain), "direct").await;
    let uri = |post: &Value| post["uri"].as_str().unwrap().to_owned();

    // Refused first, then a vote in the public poll by the same sender:
    // once that one is counted, the refused one has been handled.
    for (voter, n, poll) in [(&stranger, 2, uri(&private)), (&follower, 3, uri(&direct))] {
        let (status, answer) = voter.send(&es, &vote(voter, n, &poll, "Sí")).await;
        assert_eq!(status, 202, "{answer}");
    }
    for (voter, n, poll) in [
        (&stranger, 4, uri(&public)),
        (&follower, 5, uri(&public)),
        (&follower, 6, uri(&private)),
        (&mentioned, 7, uri(&direct)),
    ] {
        let (status, answer) = voter.send(&es, &vote(voter, n, &poll, "Sí")).await;
        assert_eq!(status, 202, "{answer}");
    }
    let votes = |post: &Value| {
        let (api, id) = (es.api(&ana), post["poll"]["id"].as_str().unwrap().to_owned());
        async move { api.get(&format!("/api/v1/polls/{id}")).await.ok()["votes_count"].as_i64().unwrap() }
    };
    eventually("the votes counted", || async {
        (votes(&public).await == 2 && votes(&private).await >= 1 && votes(&direct).await >= 1).then_some(())
    })
    .await;
    assert_eq!(votes(&private).await, 1, "only the follower votes in a followers-only poll");
    assert_eq!(votes(&direct).await, 1, "only the mentioned account votes in a direct poll");
}

#[tokio::test]
async fn remote_likes_count_only_on_posts_the_liker_may_see() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let remote = StandInSite::start();
    let stranger = StandInActor::publish(&remote, "/users/stranger", |_| {}).await;
    let private = es.api(&ana).post_status("Solo seguidores", json!({"visibility": "private"})).await;
    let site_only = es.api(&ana).post_status("Solo para Madrid", json!({"visibility": "local"})).await;
    let public = es.api(&ana).post_status("Para todos", json!({})).await;
    // The public post last: once its like is counted, the sender's earlier
    // likes have been handled.
    for (n, post) in [(1, &private), (2, &site_only), (3, &public)] {
        let (status, answer) = stranger.send(&es, &stranger.activity(n, "Like", post["uri"].clone())).await;
        assert_eq!(status, 202, "{answer}");
    }
    let favourites = |post| counter(&es, &ana, post, "favourites_count");
    eventually("the like of the public post counted", || async { (favourites(&public).await == 1).then_some(()) })
        .await;
    assert_eq!(favourites(&private).await, 0, "a stranger liked a followers-only post");
    assert_eq!(favourites(&site_only).await, 0, "a site-only post was liked from another site");
}

#[tokio::test]
async fn an_actor_the_author_blocks_reads_no_posts_in_the_outbox_or_featured() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let remote = StandInSite::start();
    let blocked = StandInActor::publish(&remote, "/users/blocked", |_| {}).await;
    blocked.answer_webfinger(&remote, "blocked");
    let reader = StandInActor::publish(&remote, "/users/reader", |_| {}).await;
    let api = es.api(&ana);
    let post = api.post_status("Para todos", json!({})).await;
    api.post(&format!("/api/v1/statuses/{}/pin", post["id"].as_str().unwrap()), json!({})).await.ok();
    let found = api.get(&format!("/api/v2/search?type=accounts&resolve=true&q=@blocked@{}", remote.domain)).await.ok();
    let blocked_id = found["accounts"][0]["id"].as_str().unwrap_or_else(|| panic!("not found: {found}"));
    api.post(&format!("/api/v1/accounts/{blocked_id}/block"), json!({})).await.ok();

    for (actor, expected) in [(&reader, 1), (&blocked, 0)] {
        for path in ["/users/ana/outbox?page=1", "/users/ana/collections/featured"] {
            let response = get_signed(&es, &actor.key, &es.url(path)).await;
            assert_eq!(response.status(), 200, "{path}");
            let collection: Value = response.json().await.unwrap();
            let items = collection["orderedItems"].as_array().unwrap();
            assert_eq!(items.len(), expected, "{} reading {path}: {collection}", actor.uri);
        }
    }
}

#[tokio::test]
async fn remote_servers_cannot_boost_site_only_posts() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let remote = StandInSite::start();
    let booster = StandInActor::publish(&remote, "/users/booster", |_| {}).await;
    let site_only = es.api(&ana).post_status("Solo para Madrid", json!({"visibility": "local"})).await;
    let public = es.api(&ana).post_status("Para todos", json!({})).await;
    for (n, post) in [(1, &site_only), (2, &public)] {
        let (status, answer) = booster.send(&es, &booster.activity(n, "Announce", post["uri"].clone())).await;
        assert_eq!(status, 202, "{answer}");
    }
    let reblogs = |post| counter(&es, &ana, post, "reblogs_count");
    eventually("the public post boosted", || async { (reblogs(&public).await == 1).then_some(()) }).await;
    assert_eq!(reblogs(&site_only).await, 0);
    let notes = es.api(&ana).get("/api/v1/notifications?types[]=reblog").await.ok();
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
    assert_eq!(notes[0]["status"]["id"], public["id"]);
}

/// A stand-in site that redirects (an open redirect) GETs of `/users/fake`
/// to an actor on another site, which claims to be `/users/fake` of the
/// first; and a `Follow` of `target` from that claimed actor, signed with
/// the impostor's key under the claimed actor's key id.
struct Impostor {
    trusted: StandInSite,
    elsewhere: StandInSite,
    claimed: String,
    key: SigningKey,
}

impl Impostor {
    async fn start() -> Impostor {
        let (trusted, elsewhere) = (StandInSite::start(), StandInSite::start());
        let claimed = trusted.url("/users/fake");
        let impostor = StandInActor::publish(&elsewhere, "/users/fake", |actor| {
            actor["id"] = json!(claimed);
            actor["publicKey"]["id"] = json!(format!("{claimed}#main-key"));
            actor["publicKey"]["owner"] = json!(claimed);
        })
        .await;
        trusted.redirect("/users/fake", &impostor.uri);
        let key = impostor.key_named(format!("{claimed}#main-key"));
        Impostor { trusted, elsewhere, claimed, key }
    }

    async fn follow(&self, site: &TestInstance) -> (u16, Value) {
        let follow = json!({
            "id": format!("{}#follow", self.claimed),
            "type": "Follow",
            "actor": self.claimed,
            "object": site.url("/users/ana"),
        });
        post_signed(site, &self.key, follow.to_string().as_bytes(), |_| {}).await
    }
}

#[tokio::test]
async fn a_fetched_actor_is_judged_by_the_site_that_answered() {
    let impostor = Impostor::start().await;
    let es = one_site(&[]).await;
    es.create_user("ana", &[]).await;
    let (status, answer) = impostor.follow(&es).await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("cannot speak for"), "{answer}");
    assert_eq!(impostor.elsewhere.gets("/users/fake"), 1, "the redirect is followed where every site is allowed");
}

#[tokio::test]
async fn redirects_are_followed_only_to_allowed_sites() {
    let impostor = Impostor::start().await;
    let es = one_site(&[
        ("TERTULIA_FEDERATION_MODE", "allowlist"),
        ("TERTULIA_FEDERATION_ALLOWED_DOMAINS", impostor.trusted.domain.as_str()),
    ])
    .await;
    es.create_user("ana", &[]).await;
    let (status, answer) = impostor.follow(&es).await;
    assert_eq!(impostor.trusted.gets("/users/fake"), 1);
    assert_eq!(impostor.elsewhere.gets("/users/fake"), 0, "the redirect was followed to a site not allowed");
    assert_eq!(status, 401, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("is not on this site's federation allowlist"), "{answer}");
}

#[tokio::test]
async fn with_federation_off_nothing_leaves_the_site() {
    let es = one_site(&[("TERTULIA_FEDERATION_ENABLED", "false")]).await;
    let ana = es.sign_up("ana").await;
    let remote = StandInSite::start();
    let bob = StandInActor::publish(&remote, "/users/bob", |_| {}).await;
    bob.answer_webfinger(&remote, "bob");

    // A WebFinger lookup from search, a key fetch for a signed GET, and a
    // delivery already in the queue: none goes out.
    let found =
        es.api(&ana).get(&format!("/api/v2/search?type=accounts&resolve=true&q=@bob@{}", remote.domain)).await.ok();
    assert_eq!(found["accounts"], json!([]), "{found}");
    assert_eq!(get_signed(&es, &bob.key, &es.url("/users/ana")).await.status(), 401);
    let ana_id: i64 = es.api(&ana).account_id().await.parse().unwrap();
    let job = tertulia_db::delivery::NewDeliveryJob {
        activity_id: es.url("/users/ana#queued"),
        actor_account_id: ana_id,
        inbox_url: remote.url("/inbox"),
        inbox_host: remote.domain.clone(),
        payload: json!({"type": "Create"}).to_string(),
        next_attempt_at: tertulia_db::now(),
    };
    database_of(&es).run(move |conn| tertulia_db::delivery::enqueue(conn, &[job], tertulia_db::now())).await.unwrap();
    eventually("the queued delivery given up", || async {
        let status = es.cli(&["admin", "federation", "status"]).await;
        status.stdout.contains("federation.enabled = false").then_some(())
    })
    .await;
    assert_eq!(remote.all_gets(), 0, "something was fetched");
    assert_eq!(remote.posts(), [], "something was delivered");
}

#[tokio::test]
async fn links_that_are_not_http_never_reach_a_client() {
    let es = one_site(&[]).await;
    let reader = es.sign_up("reader").await;
    let remote = StandInSite::start();
    let mallory = StandInActor::publish(&remote, "/users/mallory", |actor| {
        actor["url"] = json!("javascript:alert(1)");
        actor["icon"] = json!({"type": "Image", "url": "javascript:alert(2)"});
        actor["image"] = json!({"type": "Image", "url": "data:text/html,<script>alert(3)</script>"});
    })
    .await;
    let note_uri = remote.url("/notes/1");
    remote.serve(
        "/notes/1",
        json!({"id": note_uri, "type": "Note", "attributedTo": mallory.uri, "to": [PUBLIC],
               "content": "<p>Hola</p>", "url": "javascript:alert(4)"}),
    );
    let found = es.api(&reader).get(&format!("/api/v2/search?resolve=true&type=statuses&q={note_uri}")).await.ok();
    let status = &found["statuses"][0];
    assert_eq!(status["uri"], note_uri, "{found}");
    assert_eq!(status["url"], note_uri, "{status}");
    let account = &status["account"];
    assert_eq!(account["url"], mallory.uri.as_str(), "{account}");
    assert_eq!(account["avatar"], es.url("/avatars/original/missing.png"), "{account}");
    assert_eq!(account["header"], es.url("/headers/original/missing.png"), "{account}");
    let text = found.to_string();
    assert!(!text.contains("javascript:") && !text.contains("data:"), "{text}");
}

#[tokio::test]
async fn actors_without_preferred_username_get_a_handle_from_their_id() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let remote = StandInSite::start();
    let unnamed = |actor: &mut Value| {
        actor.as_object_mut().unwrap().remove("preferredUsername");
    };
    // Both ids end in the same segment: the second handle gets a number.
    let first = StandInActor::publish(&remote, "/actors/7f3a", unnamed).await;
    let second = StandInActor::publish(&remote, "/people/7f3a", unnamed).await;
    for actor in [&first, &second] {
        let (status, answer) = actor.send(&es, &actor.activity(1, "Follow", json!(es.url("/users/ana")))).await;
        assert_eq!(status, 202, "{answer}");
    }
    wait_for_followers(&es, &ana, 2).await;
    let mut accts = followers_of(&es, &ana).await;
    accts.sort();
    assert_eq!(accts, [format!("7f3a@{}", remote.domain), format!("7f3a_2@{}", remote.domain)]);
}

#[tokio::test]
async fn company_wide_announcements_come_only_from_a_site_actor_this_site_follows() {
    let es = one_site(&[]).await;
    let ana = es.sign_up("ana").await;
    let ana_uri = es.url("/users/ana");
    let remote = StandInSite::start();
    // A person, and a site actor es does not follow, each send a signed
    // announcement of their own site, then follow ana: activities of one
    // sender are applied in order, so once the follow is in, the
    // announcement was dealt with.
    let person = StandInActor::publish(&remote, "/users/ceo", |_| {}).await;
    let site_actor = StandInActor::publish(&remote, "/actor", |actor| actor["type"] = json!("Application")).await;
    for (n, sender) in [&person, &site_actor].into_iter().enumerate() {
        let announcement = json!({
            "id": remote.url(&format!("/announcements/{n}")),
            "type": "CompanyAnnouncement",
            "attributedTo": sender.uri,
            "content": "<p>Everyone gets a bonus</p>",
            "source": {"content": "Everyone gets a bonus", "mediaType": "text/plain"},
            "published": "2026-12-07T05:00:00Z",
        });
        let (status, answer) = sender.send(&es, &sender.activity(1, "Create", announcement)).await;
        assert_eq!(status, 202, "{answer}");
        let (status, answer) = sender.send(&es, &sender.activity(2, "Follow", json!(ana_uri))).await;
        assert_eq!(status, 202, "{answer}");
        wait_for_followers(&es, &ana, n + 1).await;
    }
    let shown = es.api(&ana).get("/api/v1/announcements").await.ok();
    assert_eq!(shown, json!([]), "announcements from a person or an unfollowed site are refused");
}
