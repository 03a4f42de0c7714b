//! Relays, both conventions, from `tertulia admin federation relays` to
//! the federated timeline. Two real sites, hq and es, subscribe to a
//! Mastodon-protocol relay and es also to a LitePub one; the relays are
//! stand-ins played by the test at the HTTP level, so the Follow each
//! receives can be checked and what each forwards can be forged. Whatever a
//! relay forwards is shown only as its own site (hq, a real server) serves
//! it, posts and profiles alike.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod federation_support;
mod support;

use diesel::prelude::*;
use federation_support::{PUBLIC, StandInActor};
use serde_json::{Value, json};
use tertulia_db::schema::inbox_activities;
use tertulia_testrig::{Federation, StandInSite, TestInstance, eventually};

/// A stand-in relay: its site and its actor (an `Application`, as relays
/// publish), which signs what it sends.
struct Relay {
    site: StandInSite,
    actor: StandInActor,
}

impl Relay {
    async fn start() -> Relay {
        let site = StandInSite::start();
        let actor = StandInActor::publish(&site, "/actor", |actor| actor["type"] = json!("Application")).await;
        Relay { site, actor }
    }

    /// The shared inbox, where sites deliver to the relay.
    fn inbox(&self) -> String {
        self.site.url("/inbox")
    }

    /// The activities of `kind` the relay received from actors of `site`.
    fn received(&self, site: &TestInstance, kind: &str) -> Vec<Value> {
        let on_site = site.url("/");
        let mut found: Vec<Value> = self.site.posts().into_iter().map(|(_, body)| body).collect();
        found.retain(|body| body["type"] == kind && body["actor"].as_str().is_some_and(|a| a.starts_with(&on_site)));
        found
    }

    /// Waits for `site`'s Follow, checks what it names and accepts it.
    async fn accept_follow_of(&self, site: &TestInstance, expected_object: &str) {
        let follow =
            eventually("the site's Follow at the relay", || async { self.received(site, "Follow").into_iter().next() })
                .await;
        assert_eq!(follow["object"], expected_object, "{follow}");
        assert!(follow["id"].as_str().unwrap().starts_with(&site.url("/relays/")), "{follow}");
        let accept = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}#accepts/{}", self.actor.uri, site.domain),
            "type": "Accept",
            "actor": self.actor.uri,
            "object": follow,
        });
        self.forward(site, &accept).await;
        eventually("the relay listed as accepted", || async {
            relays_listed(site).await.contains("accepted").then_some(())
        })
        .await;
    }

    /// Sends `activity` to `site`, signed by the relay, as a relay forwards.
    async fn forward(&self, site: &TestInstance, activity: &Value) {
        let (status, answer) = self.actor.send(site, activity.to_string().as_bytes()).await;
        assert_eq!(status, 202, "{answer}");
    }
}

async fn relays_listed(site: &TestInstance) -> String {
    let listed = site.cli(&["admin", "federation", "relays", "list"]).await;
    assert!(listed.status.success(), "{}", listed.stderr);
    listed.stdout
}

/// The texts of the public (federated) timeline as `token`'s owner reads it.
async fn public_timeline(site: &TestInstance, token: &str) -> Vec<String> {
    let timeline = site.api(token).get("/api/v1/timelines/public?limit=40").await.ok();
    timeline.as_array().unwrap().iter().map(|status| status["content"].as_str().unwrap().to_owned()).collect()
}

/// How `site` settled the received activity `id`, once it did: `Ok` if
/// it applied it, or why it refused it.
async fn outcome_of(site: &TestInstance, id: &str) -> Result<(), String> {
    let db = federation_support::database_of(site);
    eventually(&format!("{id} settled"), || {
        let (db, id) = (db.clone(), id.to_owned());
        async move {
            let row = db
                .run(move |conn| {
                    inbox_activities::table
                        .filter(inbox_activities::activity_uri.eq(&id))
                        .filter(
                            inbox_activities::processed_at.is_not_null().or(inbox_activities::failed_at.is_not_null()),
                        )
                        .select((inbox_activities::failed_at.is_not_null(), inbox_activities::last_error))
                        .first::<(bool, Option<String>)>(conn)
                        .optional()
                        .map_err(tertulia_db::DbError::from)
                })
                .await
                .unwrap();
            row.map(|(failed, error)| if failed { Err(error.unwrap_or_default()) } else { Ok(()) })
        }
    })
    .await
}

/// Why `site` refused the received activity `id`, once it did.
async fn refusal_of(site: &TestInstance, id: &str) -> String {
    outcome_of(site, id).await.expect_err("the activity was applied")
}

/// `bob`'s display name as `site` shows him to `token`'s owner.
async fn display_name_on(site: &TestInstance, token: &str, bob: &str) -> String {
    let found = site.api(token).get(&format!("/api/v1/accounts/lookup?acct={bob}")).await.ok();
    found["display_name"].as_str().unwrap().to_owned()
}

/// `create` as a relay would forward it with its object swapped for
/// `object_uri` and `content`, under the activity id `id`.
fn forged(create: &Value, id: &str, object_uri: &str, content: &str) -> Value {
    let mut forged = create.clone();
    forged["id"] = json!(id);
    forged["object"]["id"] = json!(object_uri);
    forged["object"]["content"] = json!(content);
    forged
}

#[tokio::test]
async fn relays_carry_public_posts_between_sites_and_nothing_their_origin_does_not_serve() {
    let [hq, es] = Federation::start(support::BINARY, [&[], &[]]).await;
    let mastodon_relay = Relay::start().await;
    let litepub_relay = Relay::start().await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;

    // Mastodon's protocol: the public collection followed at the inbox.
    for site in [&hq, &es] {
        let added = site.cli(&["admin", "federation", "relays", "add", &mastodon_relay.inbox()]).await;
        assert!(added.status.success(), "{}", added.stderr);
        assert!(added.stdout.contains("requested"), "{}", added.stdout);
        mastodon_relay.accept_follow_of(site, PUBLIC).await;
    }
    // Asking twice, or in an unknown protocol, is a clear error.
    let again = es.cli(&["admin", "federation", "relays", "add", &mastodon_relay.inbox()]).await;
    assert!(!again.status.success());
    assert!(again.stderr.contains("already subscribes to the relay"), "{}", again.stderr);
    let unknown =
        es.cli(&["admin", "federation", "relays", "add", "https://r.example/inbox", "--protocol", "rss"]).await;
    assert!(
        unknown.stderr.contains("--protocol: 'rss' is not a relay protocol (litepub, mastodon)"),
        "{}",
        unknown.stderr
    );

    // LitePub: the relay's actor followed; the relay follows back.
    let added =
        es.cli(&["admin", "federation", "relays", "add", &litepub_relay.actor.uri, "--protocol", "litepub"]).await;
    assert!(added.status.success(), "{}", added.stderr);
    litepub_relay.accept_follow_of(&es, &litepub_relay.actor.uri).await;
    let follow_back = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#follows/es", litepub_relay.actor.uri),
        "type": "Follow",
        "actor": litepub_relay.actor.uri,
        "object": es.url("/actor"),
    });
    litepub_relay.forward(&es, &follow_back).await;
    eventually("es accepting the relay's follow", || async {
        let accepted = litepub_relay.received(&es, "Accept");
        accepted.into_iter().find(|accept| accept["object"]["id"] == follow_back["id"])
    })
    .await;

    // Only public posts go to the relays: the private and unlisted ones,
    // written first, never do.
    hq.api(&bob).post_status("private words", json!({"visibility": "private"})).await;
    let unlisted = hq.api(&bob).post_status("unlisted words", json!({"visibility": "unlisted"})).await;
    let public = hq.api(&bob).post_status("public words", json!({})).await;
    let create = eventually("bob's public post at the relay", || async {
        mastodon_relay.received(&hq, "Create").into_iter().find(|create| create["object"]["id"] == public["uri"])
    })
    .await;
    assert_eq!(mastodon_relay.received(&hq, "Create").len(), 1, "only the public post reaches the relay");
    es.api(&ana).post_status("private at es", json!({"visibility": "private"})).await;
    let ana_public = es.api(&ana).post_status("public at es", json!({})).await;
    for relay in [&mastodon_relay, &litepub_relay] {
        let creates = eventually("ana's public post at each relay", || async {
            let creates = relay.received(&es, "Create");
            creates.iter().any(|c| c["object"]["id"] == ana_public["uri"]).then_some(creates)
        })
        .await;
        assert_eq!(creates.len(), 1, "only the public post reaches the relay: {creates:?}");
    }

    // The Mastodon relay forwards to es, signed with its own key. Forgeries
    // first: a post hq does not have, and hq's unlisted post; then the
    // genuine Create with its content tampered with on the way.
    let missing = forged(&create, &hq.url("/forged/1"), &hq.url("/users/bob/statuses/1"), "forged words");
    let not_public = forged(&create, &hq.url("/forged/2"), unlisted["uri"].as_str().unwrap(), "unlisted words");
    let mut tampered = create.clone();
    tampered["object"]["content"] = json!("tampered words");
    for activity in [&missing, &not_public, &tampered] {
        mastodon_relay.forward(&es, activity).await;
    }
    eventually("bob's public post shown on es", || async {
        public_timeline(&es, &ana).await.iter().any(|text| text.contains("public words")).then_some(())
    })
    .await;
    let shown = public_timeline(&es, &ana).await.join("\n");
    for unchecked in ["forged words", "unlisted words", "tampered words"] {
        assert!(!shown.contains(unchecked), "{unchecked} shown: {shown}");
    }
    assert!(refusal_of(&es, missing["id"].as_str().unwrap()).await.contains("404"));
    let refused = refusal_of(&es, not_public["id"].as_str().unwrap()).await;
    assert!(refused.contains("is not public; a relay may only carry public posts"), "{refused}");

    // A LitePub relay's Announce: the post is fetched from hq.
    let second = hq.api(&bob).post_status("second public words", json!({})).await;
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#announces/1", litepub_relay.actor.uri),
        "type": "Announce",
        "actor": litepub_relay.actor.uri,
        "object": second["uri"],
        "to": [PUBLIC],
    });
    litepub_relay.forward(&es, &announce).await;
    eventually("the announced post shown on es", || async {
        public_timeline(&es, &ana).await.iter().any(|text| text.contains("second public words")).then_some(())
    })
    .await;

    // A deletion hq did not make is ignored: hq still serves the post.
    let delete = json!({
        "id": hq.url("/forged/3"),
        "type": "Delete",
        "actor": create["actor"],
        "object": public["uri"],
        "to": [PUBLIC],
    });
    mastodon_relay.forward(&es, &delete).await;
    let refused = refusal_of(&es, &hq.url("/forged/3")).await;
    assert!(refused.contains("is still served by its site"), "{refused}");
    assert!(public_timeline(&es, &ana).await.iter().any(|text| text.contains("public words")));

    // A relayed profile change is read again from hq, never taken from the
    // relay: a forged display name does not apply, a real change does.
    let bob_acct = format!("bob@{}", hq.domain);
    let profile_update = |id: &str, name: &str| {
        let person = json!({"id": create["actor"], "type": "Person", "preferredUsername": "bob", "name": name});
        json!({"id": hq.url(id), "type": "Update", "actor": create["actor"], "object": person, "to": [PUBLIC]})
    };
    mastodon_relay.forward(&es, &profile_update("/forged/4", "Forged Name")).await;
    assert_eq!(outcome_of(&es, &hq.url("/forged/4")).await, Ok(()));
    assert_eq!(display_name_on(&es, &ana, &bob_acct).await, "bob", "no display name yet, so the username");
    hq.api(&bob).patch("/api/v1/accounts/update_credentials", json!({"display_name": "Bob Real"})).await.ok();
    mastodon_relay.forward(&es, &profile_update("/forged/5", "Forged Again")).await;
    assert_eq!(outcome_of(&es, &hq.url("/forged/5")).await, Ok(()));
    assert_eq!(display_name_on(&es, &ana, &bob_acct).await, "Bob Real");

    // Leaving: the relay gets the Undo of the very Follow it accepted.
    let removed = es.cli(&["admin", "federation", "relays", "remove", &mastodon_relay.inbox()]).await;
    assert!(removed.status.success(), "{}", removed.stderr);
    let follow = mastodon_relay.received(&es, "Follow").remove(0);
    let undo =
        eventually("the Undo at the relay", || async { mastodon_relay.received(&es, "Undo").into_iter().next() }).await;
    assert_eq!(undo["object"]["id"], follow["id"]);
    assert_eq!(undo["object"]["object"], PUBLIC);
    assert!(!relays_listed(&es).await.contains(&mastodon_relay.inbox()));
    let again = es.cli(&["admin", "federation", "relays", "remove", &mastodon_relay.inbox()]).await;
    assert!(again.stderr.contains("not found"), "{}", again.stderr);
}
