//! Three sites federating on one machine: `hq`, `es` and `mx`, each a real
//! `tertulia serve` with its own database. `hq` runs on PostgreSQL whenever
//! a PostgreSQL server is available (tests/run.sh always starts one), so
//! every run mixes the two engines. Everything is driven through the
//! client API, as staff would, plus raw signed requests for bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod federation_support;
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use federation_support::{database_of, get_signed, post_signed, send_signed};
use serde_json::{Value, json};
use tertulia_federation::signatures::{self, SigningKey};
use tertulia_testrig::{Backend, Federation, TestInstance, World, eventually, eventually_within, http_client, openapi};

/// hq (PostgreSQL when available), es with `es_env` and mx.
async fn three_sites(es_env: &[(&str, &str)]) -> [TestInstance; 3] {
    Federation::start(support::BINARY, [&[], es_env, &[]]).await
}

/// The status with `uri` in `token`'s home timeline on `site`, if there.
async fn in_home(site: &TestInstance, token: &str, uri: &str) -> Option<Value> {
    let home = site.api(token).get("/api/v1/timelines/home").await.ok();
    home.as_array().unwrap().iter().find(|s| s["uri"] == uri || s["reblog"]["uri"] == uri).cloned()
}

#[tokio::test]
async fn staff_follow_post_reply_like_boost_edit_and_delete_across_three_sites() {
    let [hq, es, mx] = three_sites(&[]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;
    let luis = mx.sign_up("luis").await;

    // bob@hq follows ana@es (open) and luis@mx (locked: needs approval).
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    mx.api(&luis).patch("/api/v1/accounts/update_credentials", json!({"locked": true})).await.ok();
    let luis_at_hq = hq.api(&bob).resolve("luis", &mx).await;
    let relationship = hq.api(&bob).follow(&luis_at_hq).await;
    assert_eq!(relationship["requested"], true, "{relationship}");
    let request = eventually("the follow request to reach mx", || async {
        let requests = mx.api(&luis).get("/api/v1/follow_requests").await.ok();
        requests.as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!(request["acct"], format!("bob@{}", hq.domain));
    mx.api(&luis)
        .post(&format!("/api/v1/follow_requests/{}/authorize", request["id"].as_str().unwrap()), json!({}))
        .await
        .ok();
    eventually("mx's Accept to reach hq", || async {
        let rel = hq.api(&bob).get(&format!("/api/v1/accounts/relationships?id[]={luis_at_hq}")).await.ok();
        (rel[0]["following"] == true).then_some(())
    })
    .await;
    // luis@mx follows ana and bob, so the whole thread reaches mx too.
    let ana_at_mx = mx.api(&luis).resolve("ana", &es).await;
    mx.api(&luis).follow_and_wait(&ana_at_mx).await;
    let bob_at_mx = mx.api(&luis).resolve("bob", &hq).await;
    mx.api(&luis).follow_and_wait(&bob_at_mx).await;

    // ana posts; it reaches both followers' home timelines.
    let post = es.api(&ana).post_status("Hola equipo, ¿quién sabe de #kubernetes?", json!({})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    let at_hq = eventually("ana's post on hq", || in_home(&hq, &bob, &uri)).await;
    let at_mx = eventually("ana's post on mx", || in_home(&mx, &luis, &uri)).await;
    assert_eq!(at_hq["account"]["acct"], format!("ana@{}", es.domain));
    assert!(at_hq["content"].as_str().unwrap().contains("Hola equipo"), "{at_hq}");
    assert_eq!(at_hq["tags"][0]["name"], "kubernetes");

    // bob replies from hq; the reply threads under the post on all three.
    let reply = hq
        .api(&bob)
        .post_status(&format!("@ana@{} yo, hablemos", es.domain), json!({"in_reply_to_id": at_hq["id"]}))
        .await;
    let reply_uri = reply["uri"].as_str().unwrap().to_owned();
    for (site, token, local_id) in [(&es, &ana, post["id"].clone()), (&mx, &luis, at_mx["id"].clone())] {
        eventually("the reply in the thread", || async {
            let context =
                site.api(token).get(&format!("/api/v1/statuses/{}/context", local_id.as_str().unwrap())).await.ok();
            context["descendants"].as_array().unwrap().iter().any(|s| s["uri"] == reply_uri.as_str()).then_some(())
        })
        .await;
    }
    let mention = eventually("ana's mention notification", || async {
        let notes = es.api(&ana).get("/api/v1/notifications?types[]=mention").await.ok();
        notes.as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!(mention["status"]["uri"], reply_uri.as_str());

    // Likes and boosts from hq update the counts at the origin.
    let hq_id = at_hq["id"].as_str().unwrap();
    hq.api(&bob).post(&format!("/api/v1/statuses/{hq_id}/favourite"), json!({})).await.ok();
    hq.api(&bob).post(&format!("/api/v1/statuses/{hq_id}/reblog"), json!({})).await.ok();
    let es_id = post["id"].as_str().unwrap().to_owned();
    eventually("the like and boost counted on es", || async {
        let status = es.api(&ana).get(&format!("/api/v1/statuses/{es_id}")).await.ok();
        (status["favourites_count"] == 1 && status["reblogs_count"] == 1 && status["replies_count"] == 1).then_some(())
    })
    .await;
    // mx follows bob: the boost reaches mx. luis has ana's post in his home
    // already, so the boost is not shown there again (as on Mastodon).
    eventually("bob's boost on mx", || async {
        let boosts = mx.api(&luis).get(&format!("/api/v1/accounts/{bob_at_mx}/statuses")).await.ok();
        boosts.as_array().unwrap().iter().any(|s| s["reblog"]["uri"] == uri.as_str()).then_some(())
    })
    .await;
    let home = mx.api(&luis).get("/api/v1/timelines/home").await.ok();
    let shown =
        home.as_array().unwrap().iter().filter(|s| s["uri"] == uri.as_str() || s["reblog"]["uri"] == uri.as_str());
    assert_eq!(shown.count(), 1, "ana's post once in luis's home: {home}");
    hq.api(&bob).post(&format!("/api/v1/statuses/{hq_id}/unfavourite"), json!({})).await.ok();
    eventually("the like taken back on es", || async {
        let status = es.api(&ana).get(&format!("/api/v1/statuses/{es_id}")).await.ok();
        (status["favourites_count"] == 0).then_some(())
    })
    .await;

    // ana edits, then deletes: both reach hq.
    es.api(&ana).put(&format!("/api/v1/statuses/{es_id}"), json!({"status": "Hola equipo (editado)"})).await.ok();
    eventually("the edit on hq", || async {
        let status = hq.api(&bob).get(&format!("/api/v1/statuses/{hq_id}")).await.ok();
        status["content"].as_str().unwrap().contains("editado").then_some(())
    })
    .await;
    es.api(&ana).delete(&format!("/api/v1/statuses/{es_id}")).await.ok();
    eventually("the deletion on hq and mx", || async {
        let hq_gone = hq.api(&bob).get(&format!("/api/v1/statuses/{hq_id}")).await.status == 404;
        let mx_gone = in_home(&mx, &luis, &uri).await.is_none();
        (hq_gone && mx_gone).then_some(())
    })
    .await;

    // Profile changes propagate.
    es.api(&ana).patch("/api/v1/accounts/update_credentials", json!({"display_name": "Ana (Madrid)"})).await.ok();
    eventually("ana's new name on hq", || async {
        let account = hq.api(&bob).get(&format!("/api/v1/accounts/{ana_at_hq}")).await.ok();
        (account["display_name"] == "Ana (Madrid)").then_some(())
    })
    .await;
}

#[tokio::test]
async fn followers_only_and_site_only_posts_stay_where_they_belong() {
    // es serves unsigned GETs here, to show what it serves and what not.
    let [hq, es, mx] = three_sites(&[("TERTULIA_FEDERATION_AUTHORIZED_FETCH", "false")]).await;
    let bob = hq.sign_up("bob").await;
    let carol = mx.sign_up("carol").await;
    let ana = es.sign_up("ana").await;
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    // carol knows ana but does not follow her.
    let ana_at_mx = mx.api(&carol).resolve("ana", &es).await;

    let site_only = es.api(&ana).post_status("Solo para Madrid", json!({"visibility": "local"})).await;
    let private = es.api(&ana).post_status("Solo seguidores", json!({"visibility": "private"})).await;
    let public = es.api(&ana).post_status("Para todos", json!({"visibility": "public"})).await;
    eventually("the public post on hq", || in_home(&hq, &bob, public["uri"].as_str().unwrap())).await;
    // Deliveries run in parallel, so the private post may arrive second.
    let at_hq =
        eventually("the follower gets the private post", || in_home(&hq, &bob, private["uri"].as_str().unwrap())).await;
    assert_eq!(at_hq["visibility"], "private");
    assert!(in_home(&hq, &bob, site_only["uri"].as_str().unwrap()).await.is_none(), "a site-only post left es");

    // mx got nothing but what is public: ana's account page there shows
    // only the public post.
    let seen_on_mx = mx.api(&carol).get(&format!("/api/v1/accounts/{ana_at_mx}/statuses")).await.ok();
    assert!(
        seen_on_mx.as_array().unwrap().iter().all(|s| s["uri"] != private["uri"] && s["uri"] != site_only["uri"]),
        "{seen_on_mx}"
    );

    // Pasting a post's link into search fetches it, if it is public.
    let search = |uri: String| {
        let api = mx.api(&carol);
        async move { api.get(&format!("/api/v2/search?resolve=true&type=statuses&q={uri}")).await.ok() }
    };
    let found = search(public["uri"].as_str().unwrap().to_owned()).await;
    assert_eq!(found["statuses"][0]["uri"], public["uri"], "{found}");
    assert_eq!(found["statuses"][0]["account"]["acct"], format!("ana@{}", es.domain));
    let found = search(private["uri"].as_str().unwrap().to_owned()).await;
    assert_eq!(found["statuses"], json!([]), "{found}");

    // Unsigned fetches: public posts are served, the others are not.
    let fetch = |uri: &str| es.client.get(uri).header("accept", "application/activity+json").send();
    let served = fetch(public["uri"].as_str().unwrap()).await.unwrap();
    assert_eq!(served.status(), 200);
    let note: Value = served.json().await.unwrap();
    assert_eq!(note["type"], "Note");
    assert_eq!(note["to"][0], "https://www.w3.org/ns/activitystreams#Public");
    for hidden in [&private, &site_only] {
        assert_eq!(fetch(hidden["uri"].as_str().unwrap()).await.unwrap().status(), 404, "{}", hidden["uri"]);
    }
    // hq requires signatures (the default): unsigned fetches get 401, but
    // its site actor and WebFinger stay open.
    let actor = hq.client.get(hq.url("/users/bob")).header("accept", "application/activity+json").send().await.unwrap();
    assert_eq!(actor.status(), 401);
    let body: Value = actor.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("not signed"), "{body}");
    let site_actor =
        hq.client.get(hq.url("/actor")).header("accept", "application/activity+json").send().await.unwrap();
    assert_eq!(site_actor.status(), 200);
    let finger = hq.get_json(&format!("/.well-known/webfinger?resource=acct:bob@{}", hq.domain)).await;
    assert_eq!(finger["links"][0]["href"], hq.url("/users/bob"));
}

/// The key `username` on `site` signs with, read from that site's
/// database: the test then speaks for the account as its server would.
async fn signing_key_of(site: &TestInstance, username: &str) -> SigningKey {
    let db = database_of(site);
    let uri = site.url(&format!("/users/{username}"));
    let lookup = uri.clone();
    let actor = db.run(move |conn| tertulia_db::actors::find_by_uri(conn, &lookup)).await.unwrap().unwrap();
    SigningKey::from_pem(format!("{uri}#main-key"), actor.private_key_pem.as_deref().expect("key made")).unwrap()
}

/// Headers changed after signing, to spoil a request.
type Tamper = Box<dyn FnOnce(&mut BTreeMap<String, String>)>;
/// What is wrong, the key, the body, the tampering, the expected status
/// and a word the error must contain.
type BadDelivery = (&'static str, SigningKey, Vec<u8>, Tamper, u16, &'static str);

#[tokio::test]
async fn forged_stale_tampered_and_oversized_deliveries_are_refused_and_store_nothing() {
    let [hq, es, _mx] = three_sites(&[]).await;
    hq.create_user("bob", &[]).await;
    let ana = es.sign_up("ana").await;
    // es learns bob (and his key) the normal way.
    let bob_at_es = es.api(&ana).resolve("bob", &hq).await;
    let bob_uri = hq.url("/users/bob");
    let ana_uri = es.url("/users/ana");
    let follow = |actor: &str, id: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Follow", "actor": actor, "object": ana_uri})
            .to_string()
            .into_bytes()
    };
    let bob_key = signing_key_of(&hq, "bob").await;
    let forger =
        SigningKey::from_pem(format!("{bob_uri}#main-key"), &signatures::generate_keypair().unwrap().private_pem)
            .unwrap();

    let body = follow(&bob_uri, &format!("{bob_uri}#follows/1"));
    let cases: Vec<BadDelivery> = vec![
        (
            "no signature",
            bob_key.clone(),
            body.clone(),
            Box::new(|h| {
                h.remove("signature");
            }),
            401,
            "not signed",
        ),
        ("someone else's key", forger, body.clone(), Box::new(|_| {}), 401, "does not match"),
        (
            "wrong digest",
            bob_key.clone(),
            body.clone(),
            Box::new(|h| {
                h.insert("digest".into(), signatures::digest(b"other"));
            }),
            401,
            "Digest",
        ),
        (
            "stale date",
            bob_key.clone(),
            body.clone(),
            Box::new(|h| {
                h.insert("date".into(), "Mon, 01 Jan 2024 00:00:00 GMT".into());
            }),
            401,
            "Date",
        ),
        (
            "actor is not the signer",
            bob_key.clone(),
            follow(&es.url("/users/someone"), &format!("{bob_uri}#follows/2")),
            Box::new(|_| {}),
            403,
            "not the signer",
        ),
        ("not JSON", bob_key.clone(), b"{not json".to_vec(), Box::new(|_| {}), 400, "JSON"),
    ];
    for (what, key, body, tamper, status, message) in cases {
        let (got, answer) = post_signed(&es, &key, &body, tamper).await;
        assert_eq!(got, status, "{what}: {answer}");
        assert!(answer["error"].as_str().unwrap_or_default().contains(message), "{what}: {answer}");
    }
    let huge = vec![b' '; 2 * 1024 * 1024];
    let (got, _) = post_signed(&es, &bob_key, &huge, |_| {}).await;
    assert_eq!(got, 413, "an oversized body");

    // Nothing was stored: ana has no follower yet. Then the genuine
    // delivery of the same Follow works, which proves the key was right.
    let ana_profile = es.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    assert_eq!(ana_profile["followers_count"], 0);
    let (got, answer) = post_signed(&es, &bob_key, &body, |_| {}).await;
    assert_eq!(got, 202, "{answer}");
    eventually("the genuine follow applied", || async {
        let me = es.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
        (me["followers_count"] == 1).then_some(())
    })
    .await;
    let followers = es.api(&ana).ids(&format!("/api/v1/accounts/{}/followers", es.api(&ana).account_id().await)).await;
    assert_eq!(followers, vec![bob_at_es]);
}

/// Home timelines live where their readers do: a local post (or boost) must
/// not leave rows on the author's site for remote followers or mentioned
/// remote accounts. Nobody reads those rows, and the trim, which walks
/// local users, would never remove them.
#[tokio::test]
async fn remote_followers_and_mentioned_remote_accounts_get_no_home_timeline_on_the_authors_site() {
    let [hq, es] = Federation::start(support::BINARY, [&[], &[]]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;

    let public = es.api(&ana).post_status("Para todos", json!({})).await;
    let id = public["id"].as_str().unwrap();
    es.api(&ana).post(&format!("/api/v1/statuses/{id}/reblog"), json!({})).await.ok();
    let direct = es.api(&ana).post_status(&format!("Hola @bob@{}", hq.domain), json!({"visibility": "direct"})).await;
    for post in [&public, &direct] {
        eventually("ana's posts on hq", || in_home(&hq, &bob, post["uri"].as_str().unwrap())).await;
    }

    let db = database_of(&es);
    let bob_on_es = es.api(&ana).resolve("bob", &hq).await.parse::<i64>().unwrap();
    let ana_on_es = es.api(&ana).account_id().await.parse::<i64>().unwrap();
    let page = tertulia_db::page::Page::first(40);
    let (bobs_rows, anas_rows) = db
        .run(move |conn| {
            Ok::<_, tertulia_db::DbError>((
                tertulia_db::feeds::page(conn, bob_on_es, page)?,
                tertulia_db::feeds::page(conn, ana_on_es, page)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(bobs_rows, Vec::<i64>::new(), "home timeline rows on es for bob, who lives on hq");
    // Her boost of her own post is not shown again just above it.
    assert_eq!(anas_rows.len(), 2, "ana's own home timeline has her post and her message: {anas_rows:?}");
}

#[tokio::test]
async fn a_site_that_was_down_gets_the_posts_made_meanwhile() {
    let mut world =
        World::plan().site("hq", &["bob"]).site("es", &["ana"]).follows("ana", "bob").start(support::BINARY).await;

    world.site_mut("es").stop_with("TERM", Duration::from_secs(10)).await;
    let post = world.api("bob").post_status("Noticias de HQ mientras es está parado", json!({})).await;
    // hq tries, fails and backs off before es comes back.
    tokio::time::sleep(Duration::from_secs(2)).await;
    world.site_mut("es").start_again().await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    let (es, ana) = (world.site("es"), &world.user("ana").token);
    eventually("the post made while es was down", || in_home(es, ana, &uri)).await;
}

#[tokio::test]
async fn a_sender_killed_during_fan_out_delivers_everything_once_after_restart() {
    let posts = 30;
    // A short request timeout makes the leases of the killed process's
    // in-flight jobs run out quickly.
    let [mut hq, es, mx] =
        Federation::start(support::BINARY, [&[("TERTULIA_FEDERATION_REQUEST_TIMEOUT_SECS", "3")], &[], &[]]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;
    let luis = mx.sign_up("luis").await;
    let bob_at_es = es.api(&ana).resolve("bob", &hq).await;
    es.api(&ana).follow_and_wait(&bob_at_es).await;
    let bob_at_mx = mx.api(&luis).resolve("bob", &hq).await;
    mx.api(&luis).follow_and_wait(&bob_at_mx).await;

    let mut uris = Vec::new();
    for n in 0..posts {
        let post = hq.api(&bob).post_status(&format!("Anuncio {n}"), json!({})).await;
        uris.push(post["uri"].as_str().unwrap().to_owned());
    }
    hq.stop_with("KILL", Duration::from_secs(10)).await;
    hq.start_again().await;

    for (site, token) in [(&es, &ana), (&mx, &luis)] {
        eventually("every post, once, after the restart", || async {
            let home = site.api(token).get("/api/v1/timelines/home?limit=40").await.ok();
            let got: Vec<&str> = home.as_array().unwrap().iter().filter_map(|s| s["uri"].as_str()).collect();
            let complete = uris.iter().all(|uri| got.contains(&uri.as_str()));
            assert!(
                uris.iter().all(|uri| got.iter().filter(|g| **g == uri).count() <= 1),
                "a post arrived twice: {got:?}"
            );
            complete.then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn a_mastodon_shaped_post_is_sanitized_keeps_its_attachments_and_counts_once() {
    let [hq, es, _mx] = three_sites(&[]).await;
    hq.create_user("bob", &[]).await;
    let ana = es.sign_up("ana").await;
    es.api(&ana).resolve("bob", &hq).await;
    let bob_key = signing_key_of(&hq, "bob").await;
    let bob_uri = hq.url("/users/bob");
    let ana_uri = es.url("/users/ana");
    let note_uri = format!("{bob_uri}/statuses/4242");
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let create = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", {"blurhash": "toot:blurhash"}],
        "id": format!("{note_uri}/activity"),
        "type": "Create",
        "actor": bob_uri,
        "to": [public],
        "cc": [format!("{bob_uri}/followers"), ana_uri],
        "object": {
            "id": note_uri,
            "type": "Note",
            "attributedTo": bob_uri,
            "to": [public],
            "cc": [format!("{bob_uri}/followers"), ana_uri],
            "published": "2026-11-23T10:00:00Z",
            "content": "<p onclick=\"steal()\">Hola <span class=\"h-card\"><a href=\"https://x.example/\" class=\"u-url mention\">@ana</a></span><script>alert(1)</script></p>",
            "contentMap": {"es": "<p>Hola</p>"},
            "tag": [
                {"type": "Mention", "href": ana_uri, "name": format!("@ana@{}", es.domain)},
                {"type": "Hashtag", "href": hq.url("/tags/Diagramas"), "name": "#Diagramas"}
            ],
            "attachment": [{
                "type": "Document", "mediaType": "image/png", "url": hq.url("/files/diagram.png"),
                "name": "Network diagram", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "width": 640, "height": 480
            }],
        },
    })
    .to_string()
    .into_bytes();
    for _ in 0..2 {
        let (status, answer) = post_signed(&es, &bob_key, &create, |_| {}).await;
        assert_eq!(status, 202, "{answer}");
    }
    let mention = eventually("the mention notification", || async {
        let notes = es.api(&ana).get("/api/v1/notifications?types[]=mention").await.ok();
        notes.as_array().unwrap().first().cloned()
    })
    .await;
    let status = &mention["status"];
    tertulia_testrig::openapi::assert_matches(status, "Status");
    let content = status["content"].as_str().unwrap();
    assert!(!content.contains("script") && !content.contains("onclick"), "{content}");
    assert!(content.contains("Hola") && content.contains(r#"class="u-url mention""#), "{content}");
    assert_eq!(status["language"], "es");
    assert_eq!(status["tags"][0]["name"], "diagramas");
    let media = &status["media_attachments"][0];
    assert_eq!(media["type"], "image");
    assert_eq!(media["remote_url"], hq.url("/files/diagram.png"));
    assert_eq!(media["description"], "Network diagram");
    assert_eq!(media["meta"]["original"]["width"], 640);
    // The redelivery changed nothing.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let notes = es.api(&ana).get("/api/v1/notifications?types[]=mention").await.ok();
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
}

#[tokio::test]
async fn a_site_following_another_site_receives_all_its_public_posts() {
    let [hq, es, mx] = three_sites(&[]).await;
    let ana = es.sign_up("ana").await;
    let reader = hq.sign_up("reader").await;
    let carol = mx.sign_up("carol").await;

    let asked = hq.cli(&["admin", "federation", "follow-site", &es.domain]).await;
    assert!(asked.status.success(), "{}", asked.stderr);
    assert!(asked.stdout.contains(&es.domain), "{}", asked.stdout);
    eventually("es to accept hq's site follow", || async {
        let sites = hq.cli(&["admin", "federation", "sites"]).await;
        sites.stdout.contains(&format!("{}: following", es.domain)).then_some(())
    })
    .await;

    // Nobody on hq follows ana, yet her public post reaches hq's federated
    // timeline; her followers-only post does not, and mx gets nothing.
    let private = es.api(&ana).post_status("Solo seguidores", json!({"visibility": "private"})).await;
    let public = es.api(&ana).post_status("Para toda la empresa", json!({})).await;
    let federated = eventually("ana's public post in hq's federated timeline", || async {
        let timeline = hq.api(&reader).get("/api/v1/timelines/public?remote=true").await.ok();
        let uris: Vec<String> =
            timeline.as_array().unwrap().iter().filter_map(|s| s["uri"].as_str().map(str::to_owned)).collect();
        uris.contains(&public["uri"].as_str().unwrap().to_owned()).then_some(uris)
    })
    .await;
    assert!(!federated.contains(&private["uri"].as_str().unwrap().to_owned()), "{federated:?}");
    let at_mx = mx.api(&carol).get("/api/v1/timelines/public?remote=true").await.ok();
    assert_eq!(at_mx, json!([]));

    let left = hq.cli(&["admin", "federation", "unfollow-site", &es.domain]).await;
    assert!(left.status.success(), "{}", left.stderr);
    let status = hq.cli(&["admin", "federation", "status"]).await;
    assert!(status.stdout.contains("Deliveries waiting"), "{}", status.stdout);
}

#[tokio::test]
async fn staff_moving_from_es_to_mx_take_their_followers_along() {
    let [hq, es, mx] = three_sites(&[]).await;
    let bob = hq.sign_up("bob").await;
    let old = es.sign_up("luis").await;
    let ana = es.sign_up("ana").await;
    let new = mx.sign_up("luis").await;
    // bob (hq) and ana (es, same site) follow luis@es.
    let luis_at_hq = hq.api(&bob).resolve("luis", &es).await;
    hq.api(&bob).follow_and_wait(&luis_at_hq).await;
    let luis_at_es = es.api(&old).account_id().await;
    es.api(&ana).follow(&luis_at_es).await;

    // Moving before the new account names the old one is refused, clearly.
    let refused = es.cli(&["admin", "user", "move", "luis", "--to", &format!("@luis@{}", mx.domain)]).await;
    assert!(!refused.status.success());
    assert!(refused.stderr.contains("alias"), "{}", refused.stderr);

    let alias = mx.cli(&["admin", "user", "alias", "luis", "--add", &format!("@luis@{}", es.domain)]).await;
    assert!(alias.status.success(), "{}", alias.stderr);
    let moved = es.cli(&["admin", "user", "move", "luis", "--to", &format!("@luis@{}", mx.domain)]).await;
    assert!(moved.status.success(), "{}", moved.stderr);

    // Followers on both sites now follow luis@mx, not luis@es.
    let new_id = mx.api(&new).account_id().await;
    eventually("both followers moved to luis@mx", || async {
        let me = mx.api(&new).get(&format!("/api/v1/accounts/{new_id}")).await.ok();
        (me["followers_count"] == 2).then_some(())
    })
    .await;
    let rel = hq.api(&bob).get(&format!("/api/v1/accounts/relationships?id[]={luis_at_hq}")).await.ok();
    assert_eq!(rel[0]["following"], false, "{rel}");
    let old_profile = hq.api(&bob).get(&format!("/api/v1/accounts/{luis_at_hq}")).await.ok();
    assert_eq!(old_profile["moved"]["acct"], format!("luis@{}", mx.domain), "{old_profile}");
    let on_es = es.api(&ana).get(&format!("/api/v1/accounts/{luis_at_es}")).await.ok();
    assert_eq!(on_es["moved"]["acct"], format!("luis@{}", mx.domain), "{on_es}");
    tertulia_testrig::openapi::assert_matches(&on_es, "Account");
}

#[tokio::test]
async fn blocks_and_deleted_accounts_cut_the_ties_on_the_other_site() {
    let [hq, es, _mx] = three_sites(&[]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    let bob_at_es = es.api(&ana).resolve("bob", &hq).await;
    es.api(&ana).follow_and_wait(&bob_at_es).await;

    // ana blocks bob: on hq, bob no longer follows her and sees the block.
    es.api(&ana).post(&format!("/api/v1/accounts/{bob_at_es}/block"), json!({})).await.ok();
    let relationship = || async {
        hq.api(&bob).get(&format!("/api/v1/accounts/relationships?id[]={ana_at_hq}")).await.ok()[0].clone()
    };
    eventually("the block to reach hq", || async {
        let rel = relationship().await;
        (rel["following"] == false && rel["blocked_by"] == true).then_some(())
    })
    .await;
    es.api(&ana).post(&format!("/api/v1/accounts/{bob_at_es}/unblock"), json!({})).await.ok();
    // Once the Undo(Block) reaches hq, bob can follow her again.
    eventually("the unblock to reach hq", || async { (relationship().await["blocked_by"] == false).then_some(()) })
        .await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    es.api(&ana).follow_and_wait(&bob_at_es).await;

    // bob's account is deleted on hq (signed by his key, as his site
    // would): es forgets him and his posts.
    let post = hq.api(&bob).post_status("Me voy de la empresa", json!({})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    eventually("bob's post on es", || in_home(&es, &ana, &uri)).await;
    let bob_uri = hq.url("/users/bob");
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{bob_uri}#delete"),
        "type": "Delete",
        "actor": bob_uri,
        "object": bob_uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let key = signing_key_of(&hq, "bob").await;
    let (status, answer) = post_signed(&es, &key, delete.to_string().as_bytes(), |_| {}).await;
    assert_eq!(status, 202, "{answer}");
    eventually("bob and his post gone from es", || async {
        let gone = es.api(&ana).get(&format!("/api/v1/accounts/{bob_at_es}")).await.status == 404;
        (gone && in_home(&es, &ana, &uri).await.is_none()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn browsers_get_web_pages_and_servers_get_activitypub() {
    let es =
        Federation::site(support::BINARY, Backend::from_env(), &[("TERTULIA_FEDERATION_AUTHORIZED_FETCH", "false")])
            .await;
    let ana = es.sign_up("ana").await;
    es.api(&ana).patch("/api/v1/accounts/update_credentials", json!({"display_name": "Ana <García>"})).await.ok();
    let public = es.api(&ana).post_status("Hola <mundo>", json!({})).await;
    let private = es.api(&ana).post_status("Secreto", json!({"visibility": "private"})).await;
    let browser = http_client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let html = "text/html,application/xhtml+xml";

    let redirect = browser.get(es.url("/users/ana")).header("accept", html).send().await.unwrap();
    assert_eq!(redirect.status(), 303);
    assert_eq!(redirect.headers()["location"], es.url("/@ana"));
    let profile = browser.get(es.url("/@ana")).header("accept", html).send().await.unwrap();
    assert_eq!(profile.status(), 200);
    assert!(profile.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let policy = profile.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.starts_with("default-src 'none'"), "the pages' strict policy: {policy}");
    let text = profile.text().await.unwrap();
    assert!(text.contains("Ana &lt;García&gt;") && text.contains(&format!("@ana@{}", es.domain)), "{text}");
    let alternate =
        format!(r#"<link rel="alternate" type="application/activity+json" href="{}">"#, es.url("/users/ana"));
    assert!(text.contains(&alternate), "{text}");
    let site_actor = browser.get(es.url(&format!("/@{}", es.domain))).send().await.unwrap();
    assert_eq!(site_actor.status(), 404, "the site's own actor is not a person with a page");

    let note = browser.get(public["uri"].as_str().unwrap()).header("accept", html).send().await.unwrap();
    assert_eq!(note.status(), 303);
    let page = browser.get(es.url(note.headers()["location"].to_str().unwrap().trim_start_matches(&es.base_url)));
    let page = page.send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Hola &lt;mundo&gt;"), "{page}");
    let hidden = browser.get(es.url(&format!("/@ana/{}", private["id"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(hidden.status(), 404);

    let actor = browser.get(es.url("/users/ana")).header("accept", "application/activity+json").send().await.unwrap();
    assert_eq!(actor.status(), 200);
    let actor: Value = actor.json().await.unwrap();
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], "ana");
    assert_eq!(actor["publicKey"]["id"], format!("{}#main-key", es.url("/users/ana")));
    assert!(actor["publicKey"]["publicKeyPem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(actor["endpoints"]["sharedInbox"], es.url("/inbox"));
    let outbox: Value = browser
        .get(es.url("/users/ana/outbox?page=1"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = outbox["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the public post: {outbox}");
    assert_eq!(items[0]["object"]["id"], public["uri"]);
    assert!(outbox.get("@context").is_some(), "the collection page carries @context: {outbox}");
    assert!(items[0].get("@context").is_none(), "its items do not repeat it: {outbox}");
}

#[tokio::test]
async fn followers_only_posts_are_served_to_signed_followers_and_rotated_keys_are_refetched() {
    let [hq, es, mx] = three_sites(&[]).await;
    let bob = hq.sign_up("bob").await;
    let carol = mx.sign_up("carol").await;
    let ana = es.sign_up("ana").await;
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    mx.api(&carol).resolve("ana", &es).await;
    // es looks carol up, so her site makes her key.
    es.api(&ana).resolve("carol", &mx).await;
    let private = es.api(&ana).post_status("Solo seguidores", json!({"visibility": "private"})).await;
    let uri = private["uri"].as_str().unwrap();

    let follower = signing_key_of(&hq, "bob").await;
    let stranger = signing_key_of(&mx, "carol").await;
    let served = get_signed(&es, &follower, uri).await;
    assert_eq!(served.status(), 200, "a signed follower may read it");
    let note: Value = served.json().await.unwrap();
    assert_eq!(note["to"][0], es.url("/users/ana/followers"));
    assert_eq!(get_signed(&es, &stranger, uri).await.status(), 404, "a non-follower may not");
    assert_eq!(es.client.get(uri).header("accept", "application/activity+json").send().await.unwrap().status(), 401);

    // bob's site rotates his key; es still holds the old one, fails to
    // verify, fetches bob again and accepts the request.
    let fresh = signatures::generate_keypair().unwrap();
    let db = database_of(&hq);
    let bob_uri = hq.url("/users/bob");
    {
        use diesel::prelude::*;
        use tertulia_db::schema::accounts;
        let (uri, private_pem, public_pem) = (bob_uri.clone(), fresh.private_pem.clone(), fresh.public_pem.clone());
        db.run(move |conn| {
            diesel::update(accounts::table.filter(accounts::uri.eq(uri)))
                .set((accounts::private_key_pem.eq(private_pem), accounts::public_key_pem.eq(public_pem)))
                .execute(conn)
                .map_err(tertulia_db::DbError::from)
        })
        .await
        .unwrap();
    }
    let rotated = SigningKey::from_pem(format!("{bob_uri}#main-key"), &fresh.private_pem).unwrap();
    assert_eq!(get_signed(&es, &rotated, uri).await.status(), 200, "the new key is fetched and accepted");
    assert_eq!(get_signed(&es, &follower, uri).await.status(), 401, "the old key no longer works");
}

#[tokio::test]
async fn deleting_a_user_tells_the_other_sites_and_leaves_the_address_gone() {
    let world =
        World::plan().site("hq", &["bob"]).site("es", &["luis"]).follows("bob", "luis").start(support::BINARY).await;
    let (hq, es, bob) = (world.site("hq"), world.site("es"), &world.user("bob").token);
    let luis_at_hq = world.id_on("luis", "hq");
    let post = world.api("luis").post_status("Último día en Madrid", json!({})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    eventually("luis's post on hq", || in_home(hq, bob, &uri)).await;

    let deleted = es.cli(&["admin", "user", "delete", "luis", "--yes"]).await;
    assert!(deleted.status.success(), "{}", deleted.stderr);
    eventually("luis and his post gone from hq", || async {
        let gone = hq.api(bob).get(&format!("/api/v1/accounts/{luis_at_hq}")).await.status == 404;
        (gone && in_home(hq, bob, &uri).await.is_none()).then_some(())
    })
    .await;
    // The address answers 410 Gone, and cannot be taken by someone new.
    let key = signing_key_of(hq, "bob").await;
    assert_eq!(get_signed(es, &key, &es.url("/users/luis")).await.status(), 410);
    let again = es.cli(&["admin", "user", "create", "--username", "luis", "--email", "other@es.example"]).await;
    assert!(!again.status.success(), "a deleted address was reused: {}", again.stdout);
}

#[tokio::test]
async fn polls_travel_as_questions_and_votes_are_counted_where_the_poll_lives() {
    let world =
        World::plan().site("hq", &["bob"]).site("mx", &["carol"]).follows("bob", "carol").start(support::BINARY).await;
    let (hq, mx) = (world.site("hq"), world.site("mx"));
    let (bob, carol) = (world.user("bob").token.clone(), world.user("carol").token.clone());

    let post = mx
        .api(&carol)
        .post_status(
            "¿Dónde hacemos el offsite?",
            json!({"poll": {"options": ["Madrid", "CDMX", "Lisboa"], "expires_in": 86400}}),
        )
        .await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    let at_hq = eventually("the poll on hq", || in_home(hq, &bob, &uri)).await;
    let poll = &at_hq["poll"];
    tertulia_testrig::openapi::assert_matches(poll, "Poll");
    let titles: Vec<&str> = poll["options"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Madrid", "CDMX", "Lisboa"]);
    assert_eq!(poll["multiple"], false);

    let poll_id = poll["id"].as_str().unwrap();
    hq.api(&bob).post(&format!("/api/v1/polls/{poll_id}/votes"), json!({"choices": ["1"]})).await.ok();
    let local_poll_id = post["poll"]["id"].as_str().unwrap().to_owned();
    let counted = eventually("bob's vote counted on mx", || async {
        let poll = mx.api(&carol).get(&format!("/api/v1/polls/{local_poll_id}")).await.ok();
        (poll["votes_count"] == 1).then_some(poll)
    })
    .await;
    assert_eq!(counted["options"][1]["votes_count"], 1, "{counted}");
    assert_eq!(counted["voters_count"], 1, "{counted}");
    // mx tells its followers the new counts; that is not an edit.
    let hq_status = at_hq["id"].as_str().unwrap().to_owned();
    let updated = eventually("the new counts on hq", || async {
        let status = hq.api(&bob).get(&format!("/api/v1/statuses/{hq_status}")).await.ok();
        (status["poll"]["votes_count"] == 1).then_some(status)
    })
    .await;
    assert_eq!(updated["poll"]["options"][1]["votes_count"], 1, "{updated}");
    assert_eq!(updated["edited_at"], Value::Null, "{updated}");
}

/// Who fetches one of ana's posts from her site, es: another server
/// (signed as a follower of hers, as a stranger, or not signed) or a
/// browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetcher {
    Follower,
    Stranger,
    Unsigned,
    Browser,
}

/// The state of ana's site while the posts are fetched.
#[derive(Debug, Clone, Copy)]
struct Ties {
    /// ana blocks the stranger and the follower blocks ana.
    blocked: bool,
    suspended: bool,
}

/// The answer a fetch of ana's post gets: the visibility matrix's rule for
/// the pages only other servers and browsers read (see docs/api.md, "Who
/// sees a status"). Signatures are required (authorized fetch, the
/// default); site-only posts never leave the site; the web page shows only
/// what anyone may read.
fn expected_answer(visibility: &str, fetcher: Fetcher, mentioned: bool, ties: Ties) -> u16 {
    let shown = match fetcher {
        Fetcher::Unsigned => return 401,
        Fetcher::Browser => matches!(visibility, "public" | "unlisted"),
        Fetcher::Follower | Fetcher::Stranger => {
            !ties.blocked
                && match visibility {
                    "public" | "unlisted" => true,
                    "private" => fetcher == Fetcher::Follower || mentioned,
                    "direct" => mentioned,
                    _ => false,
                }
        }
    };
    if shown && !ties.suspended { 200 } else { 404 }
}

#[tokio::test]
async fn other_servers_and_browsers_fetch_exactly_the_posts_the_visibility_matrix_allows() {
    let [es, hq] = Federation::start(support::BINARY, [&[], &[]]).await;
    let ana = es.sign_up("ana").await;
    let bob = hq.sign_up("bob").await;
    hq.create_user("carol", &[]).await;
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    let carol_at_es = es.api(&ana).resolve("carol", &hq).await;
    let bob_at_es = es.api(&ana).resolve("bob", &hq).await;

    // Every visibility, mentioning nobody, the follower or the stranger.
    let mut posts = Vec::new();
    for visibility in ["public", "unlisted", "local", "private", "direct"] {
        for mentioned in [None, Some(Fetcher::Follower), Some(Fetcher::Stranger)] {
            let handle = match mentioned {
                Some(Fetcher::Follower) => format!("@bob@{} ", hq.domain),
                Some(_) => format!("@carol@{} ", hq.domain),
                None => String::new(),
            };
            let text = format!("{handle}a {visibility} post");
            let post = es.api(&ana).post_status(&text, json!({"visibility": visibility})).await;
            posts.push((visibility, mentioned, post));
        }
    }
    let keys = [
        (Fetcher::Follower, Some(signing_key_of(&hq, "bob").await)),
        (Fetcher::Stranger, Some(signing_key_of(&hq, "carol").await)),
        (Fetcher::Unsigned, None),
        (Fetcher::Browser, None),
    ];
    let check = |ties: Ties| {
        let (es, posts, keys) = (&es, &posts, &keys);
        async move {
            let mut wrong = Vec::new();
            for (visibility, mentioned, post) in posts {
                let uri = post["uri"].as_str().unwrap();
                for (fetcher, key) in keys {
                    let response = match (fetcher, key) {
                        (_, Some(key)) => get_signed(es, key, uri).await,
                        (Fetcher::Browser, None) => es.get(&format!("/@ana/{}", post["id"].as_str().unwrap())).await,
                        (_, None) => {
                            es.client.get(uri).header("accept", "application/activity+json").send().await.unwrap()
                        }
                    };
                    let expected = expected_answer(visibility, *fetcher, *mentioned == Some(*fetcher), ties);
                    if response.status().as_u16() != expected {
                        wrong.push(format!(
                            "{ties:?}: {fetcher:?} fetching a {visibility} post mentioning {mentioned:?}: \
                             expected {expected}, got {}",
                            response.status()
                        ));
                    }
                }
            }
            assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        }
    };
    check(Ties { blocked: false, suspended: false }).await;

    // Blocks both ways: ana blocks the stranger here; the follower blocks
    // ana on hq, and hq's Block reaches es.
    es.api(&ana).post(&format!("/api/v1/accounts/{carol_at_es}/block"), json!({})).await.ok();
    hq.api(&bob).post(&format!("/api/v1/accounts/{ana_at_hq}/block"), json!({})).await.ok();
    eventually("bob's block on es", || async {
        let rel = es.api(&ana).get(&format!("/api/v1/accounts/relationships?id[]={bob_at_es}")).await.ok();
        (rel[0]["blocked_by"] == true).then_some(())
    })
    .await;
    check(Ties { blocked: true, suspended: false }).await;

    assert!(es.cli(&["admin", "user", "suspend", "ana"]).await.status.success());
    check(Ties { blocked: true, suspended: true }).await;
}

/// How `site`'s inbox stands with the first activity of type `kind` that
/// `actor` sent: (applied, attempts, last error), or `None` before it came.
async fn inbox_state(site: &TestInstance, actor: &str, kind: &str) -> Option<(bool, i32, Option<String>)> {
    use diesel::prelude::*;
    use tertulia_db::schema::inbox_activities as received;
    let (actor, kind) = (actor.to_owned(), kind.to_owned());
    database_of(site)
        .run(move |conn| {
            Ok::<_, tertulia_db::DbError>(
                received::table
                    .filter(received::actor_uri.eq(actor))
                    .filter(received::kind.eq(kind))
                    .select((received::processed_at.is_not_null(), received::attempts, received::last_error))
                    .first(conn)
                    .optional()?,
            )
        })
        .await
        .unwrap()
}

/// A "tarpit" on loopback: accepts connections and never answers. Returns
/// its address; it stops with the test.
async fn tarpit() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        // Bounded: the site under test opens a few connections at most.
        for _ in 0..100 {
            let Ok((socket, _)) = listener.accept().await else { return };
            held.push(socket);
        }
    });
    address
}

#[tokio::test]
async fn a_sender_stuck_on_a_slow_site_holds_up_nobody_else_and_is_retried() {
    // es waits 30 s for a remote answer, but gives one activity 3 s.
    let es_env =
        [("TERTULIA_FEDERATION_REQUEST_TIMEOUT_SECS", "30"), ("TERTULIA_FEDERATION_INBOX_ACTIVITY_TIMEOUT_SECS", "3")];
    let [hq, es] = Federation::start(support::BINARY, [&[], &es_env]).await;
    hq.create_user("bob", &[]).await;
    hq.create_user("carol", &[]).await;
    let ana = es.sign_up("ana").await;
    // es learns both (and so their keys are made).
    for user in ["bob", "carol"] {
        es.api(&ana).resolve(user, &hq).await;
    }
    let (bob_uri, carol_uri) = (hq.url("/users/bob"), hq.url("/users/carol"));

    // bob boosts a post on a site that never answers; then carol follows ana.
    let slow_post = format!("http://{}/notes/1", tarpit().await);
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{bob_uri}/boosts/1"), "type": "Announce",
        "actor": bob_uri, "object": slow_post, "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{carol_uri}#follows/1"), "type": "Follow",
        "actor": carol_uri, "object": es.url("/users/ana"),
    });
    let (status, answer) =
        post_signed(&es, &signing_key_of(&hq, "bob").await, announce.to_string().as_bytes(), |_| {}).await;
    assert_eq!(status, 202, "{answer}");
    let (status, answer) =
        post_signed(&es, &signing_key_of(&hq, "carol").await, follow.to_string().as_bytes(), |_| {}).await;
    assert_eq!(status, 202, "{answer}");

    eventually_within(Duration::from_secs(5), "carol's follow applied while bob's boost hangs", || async {
        let me = es.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
        (me["followers_count"] == 1).then_some(())
    })
    .await;
    let (applied, _, _) = inbox_state(&es, &bob_uri, "Announce").await.expect("bob's boost stored");
    assert!(!applied, "the boost cannot be applied: its post never comes");
    // The boost is abandoned after its 3 s and kept for a retry.
    let (applied, _, error) = eventually("the boost abandoned and kept for a retry", || async {
        inbox_state(&es, &bob_uri, "Announce").await.filter(|(_, attempts, _)| *attempts >= 1)
    })
    .await;
    assert!(!applied);
    assert!(error.as_deref().unwrap_or_default().contains("longer than 3 seconds"), "{error:?}");
}

#[tokio::test]
async fn a_boost_that_failed_while_the_authors_site_was_down_is_applied_once_it_is_back() {
    let [hq, es, mut mx] = three_sites(&[]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;
    let luis = mx.sign_up("luis").await;
    let post = mx.api(&luis).post_status("Informe trimestral de MX", json!({})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    let found = hq.api(&bob).get(&format!("/api/v2/search?resolve=true&type=statuses&q={uri}")).await.ok();
    let at_hq = found["statuses"][0]["id"].as_str().expect("hq fetched luis's post").to_owned();
    let bob_at_es = es.api(&ana).resolve("bob", &hq).await;
    es.api(&ana).follow_and_wait(&bob_at_es).await;

    // mx goes down; bob boosts luis's post, which es has never seen and
    // cannot fetch now.
    mx.stop_with("TERM", Duration::from_secs(10)).await;
    hq.api(&bob).post(&format!("/api/v1/statuses/{at_hq}/reblog"), json!({})).await.ok();
    let bob_uri = hq.url("/users/bob");
    let (applied, _, error) = eventually("es's first try at the boost failing", || async {
        inbox_state(&es, &bob_uri, "Announce").await.filter(|(_, attempts, _)| *attempts >= 1)
    })
    .await;
    assert!(!applied, "{error:?}");

    mx.start_again().await;
    eventually("the boost in ana's home once mx is back", || in_home(&es, &ana, &uri)).await;
}

#[tokio::test]
async fn past_its_allowance_a_remote_site_gets_429_and_other_sites_do_not() {
    let [hq, es, mx] = three_sites(&[("TERTULIA_RATE_LIMITS_INBOX_PER_HOST", "3")]).await;
    let ana = es.sign_up("ana").await;
    // es learns them (and so their keys are made).
    for (site, user) in [(&hq, "bob"), (&hq, "carol"), (&mx, "luis")] {
        site.create_user(user, &[]).await;
        es.api(&ana).resolve(user, site).await;
    }
    let like = |site: &TestInstance, user: &str, n: u32| {
        let actor = site.url(&format!("/users/{user}"));
        json!({
            "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/likes/{n}"), "type": "Like",
            "actor": actor, "object": format!("{actor}/statuses/1"),
        })
        .to_string()
        .into_bytes()
    };
    let (bob, carol, luis) =
        (signing_key_of(&hq, "bob").await, signing_key_of(&hq, "carol").await, signing_key_of(&mx, "luis").await);

    for n in 0..3 {
        let (status, answer) = post_signed(&es, &bob, &like(&hq, "bob", n), |_| {}).await;
        assert_eq!(status, 202, "activity {n}: {answer}");
    }
    // The allowance is hq's, whichever of its accounts signs.
    for (key, user) in [(&bob, "bob"), (&carol, "carol")] {
        let refused = send_signed(&es, key, &like(&hq, user, 9), |_| {}).await;
        assert_eq!(refused.status(), 429, "{user}");
        let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=300).contains(&retry_after), "{retry_after}");
        let answer: Value = refused.json().await.unwrap();
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(&hq.domain) && error.contains("rate_limits.inbox_per_host"), "{error}");
    }
    let (status, answer) = post_signed(&es, &luis, &like(&mx, "luis", 0), |_| {}).await;
    assert_eq!(status, 202, "another site is not held back: {answer}");
}

fn status_id(status: &Value) -> &str {
    status["id"].as_str().unwrap()
}

/// `quoter` on `theirs` follows `author` on `ours` and quotes their post;
/// the quote is asked for, accepted, shown on both sites, then revoked.
async fn quote_across(ours: &TestInstance, author: &str, theirs: &TestInstance, quoter: &str) {
    let author_token = ours.sign_up(author).await;
    let quoter_token = theirs.sign_up(quoter).await;
    let author_there = theirs.api(&quoter_token).resolve(author, ours).await;
    theirs.api(&quoter_token).follow_and_wait(&author_there).await;

    let original = ours.api(&author_token).post_status("Release notes for 2.0", json!({})).await;
    let uri = original["uri"].as_str().unwrap().to_owned();
    let there = eventually("the post on the other site", || in_home(theirs, &quoter_token, &uri)).await;
    assert_eq!(there["quote_approval"]["current_user"], "automatic", "the policy federated: {there}");

    let quote =
        theirs.api(&quoter_token).post_status("Great work", json!({"quoted_status_id": status_id(&there)})).await;
    assert_eq!(quote["quote"]["state"], "pending", "until the quoted site consents: {quote}");
    let accepted = eventually("the quote to be accepted", || async {
        let seen = theirs.api(&quoter_token).get(&format!("/api/v1/statuses/{}", status_id(&quote))).await.ok();
        (seen["quote"]["state"] == "accepted").then_some(seen)
    })
    .await;
    assert_eq!(accepted["quote"]["quoted_status"]["uri"], uri.as_str());
    openapi::assert_matches(&accepted, "Status");

    // On the quoted site: notified, listed, and shown accepted.
    let quote_uri = quote["uri"].as_str().unwrap();
    let note = eventually("the quote notification", || async {
        let notes = ours.api(&author_token).get("/api/v1/notifications?types[]=quote").await.ok();
        notes.as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!(note["status"]["uri"], quote_uri);
    assert_eq!(note["status"]["quote"]["state"], "accepted");
    assert_eq!(note["status"]["quote"]["quoted_status"]["id"], status_id(&original));
    let listed = ours.api(&author_token).get(&format!("/api/v1/statuses/{}/quotes", status_id(&original))).await.ok();
    assert_eq!(listed[0]["uri"], quote_uri, "{listed}");
    let quote_here = listed[0]["id"].as_str().unwrap().to_owned();

    // The authorization we issued can be fetched and names both posts.
    let authorization = format!("{}/quote_authorizations/{quote_here}", ours.base_url);
    let key = signing_key_of(theirs, quoter).await;
    let document: Value = get_signed(ours, &key, &authorization).await.json().await.unwrap();
    assert_eq!(document["type"], "QuoteAuthorization");
    assert_eq!(
        (document["interactingObject"].as_str(), document["interactionTarget"].as_str()),
        (Some(quote_uri), Some(uri.as_str()))
    );

    // Revoked on the quoted site: the other site hears of it.
    let revoke = format!("/api/v1/statuses/{}/quotes/{quote_here}/revoke", status_id(&original));
    let revoked = ours.api(&author_token).post(&revoke, json!({})).await.ok();
    assert_eq!(revoked["quote"]["state"], "revoked");
    eventually("the revocation on the quoting site", || async {
        let seen = theirs.api(&quoter_token).get(&format!("/api/v1/statuses/{}", status_id(&quote))).await.ok();
        (seen["quote"]["state"] == "revoked").then_some(())
    })
    .await;
    assert_eq!(get_signed(ours, &key, &authorization).await.status(), 404, "revoked: the authorization is gone");

    // A new policy travels too: the other site then refuses to quote.
    let policy = format!("/api/v1/statuses/{}/interaction_policy", status_id(&original));
    ours.api(&author_token).put(&policy, json!({"quote_approval_policy": "nobody"})).await.ok();
    eventually("the new policy on the quoting site", || async {
        let seen = theirs.api(&quoter_token).get(&format!("/api/v1/statuses/{}", status_id(&there))).await.ok();
        (seen["quote_approval"]["current_user"] == "denied").then_some(())
    })
    .await;
    let again = json!({"status": "once more", "quoted_status_id": status_id(&there)});
    theirs.api(&quoter_token).post("/api/v1/statuses", again).await.error(422);
}

#[tokio::test]
async fn a_quote_from_another_site_is_asked_for_accepted_shown_and_revoked_both_ways() {
    let [hq, es] = Federation::start(support::BINARY, [&[], &[]]).await;
    quote_across(&hq, "ana", &es, "bruno").await;
    quote_across(&es, "carmen", &hq, "diego").await;
}

#[tokio::test]
async fn a_third_site_shows_a_quote_as_accepted_once_it_has_checked_the_authorization() {
    let [hq, es, mx] = three_sites(&[]).await;
    let ana = hq.sign_up("ana").await;
    let bruno = es.sign_up("bruno").await;
    let luis = mx.sign_up("luis").await;
    let ana_at_es = es.api(&bruno).resolve("ana", &hq).await;
    es.api(&bruno).follow_and_wait(&ana_at_es).await;
    let bruno_at_mx = mx.api(&luis).resolve("bruno", &es).await;
    mx.api(&luis).follow_and_wait(&bruno_at_mx).await;

    let original = hq.api(&ana).post_status("Quarterly figures", json!({})).await;
    let uri = original["uri"].as_str().unwrap().to_owned();
    let there = eventually("ana's post on es", || in_home(&es, &bruno, &uri)).await;
    let quote = es.api(&bruno).post_status("Read this", json!({"quoted_status_id": status_id(&there)})).await;
    let quote_uri = quote["uri"].as_str().unwrap().to_owned();
    // mx gets the quote, then its authorization from hq (by way of es's
    // Update), which it fetches from hq before believing it.
    let at_mx = eventually("the quote accepted on mx", || async {
        let seen = in_home(&mx, &luis, &quote_uri).await?;
        (seen["quote"]["state"] == "accepted").then_some(seen)
    })
    .await;
    assert_eq!(at_mx["quote"]["quoted_status"]["uri"], uri.as_str(), "{at_mx}");
}

/// How `token`'s account on `site` relates to the account `id` there.
async fn relationship(site: &TestInstance, token: &str, id: &str) -> Value {
    site.api(token).get(&format!("/api/v1/accounts/relationships?id[]={id}")).await.ok()[0].clone()
}

#[tokio::test]
async fn removed_followers_and_blocked_sites_are_cut_off_on_both_sides() {
    let [hq, es] = Federation::start(support::BINARY, [&[], &[]]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    let bob_at_es = es.api(&ana).resolve("bob", &hq).await;

    // ana removes bob from her followers: es sends Reject(Follow), and hq
    // ends bob's follow too.
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    let removed =
        es.api(&ana).post(&format!("/api/v1/accounts/{bob_at_es}/remove_from_followers"), json!({})).await.ok();
    assert_eq!(removed["followed_by"], false);
    eventually("bob's follow of ana to end on hq", || async {
        (relationship(&hq, &bob, &ana_at_hq).await["following"] == false).then_some(())
    })
    .await;

    // They follow each other; ana's post and follow reach bob.
    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    es.api(&ana).follow_and_wait(&bob_at_es).await;
    let post = es.api(&ana).post_status("Hola desde es", json!({})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    eventually("ana's post in bob's home", || in_home(&hq, &bob, &uri)).await;
    let from_ana = |notifications: Value| {
        notifications.as_array().unwrap().iter().any(|n| n["account"]["id"] == ana_at_hq.as_str())
    };
    assert!(from_ana(hq.api(&bob).get("/api/v1/notifications").await.ok()), "ana's follow notification");

    // bob blocks es: ana's posts and notifications leave bob's view, and
    // ana stops following him, on both sites.
    hq.api(&bob).post("/api/v1/domain_blocks", json!({"domain": es.domain})).await.ok();
    let rel = relationship(&hq, &bob, &ana_at_hq).await;
    assert_eq!((rel["domain_blocking"].as_bool(), rel["followed_by"].as_bool()), (Some(true), Some(false)), "{rel}");
    assert!(in_home(&hq, &bob, &uri).await.is_none(), "a post from a blocked site stayed in home");
    assert!(!from_ana(hq.api(&bob).get("/api/v1/notifications").await.ok()), "a notification from a blocked site");
    eventually("ana's follow of bob to end on es", || async {
        (relationship(&es, &ana, &bob_at_es).await["following"] == false).then_some(())
    })
    .await;

    hq.api(&bob).delete(&format!("/api/v1/domain_blocks?domain={}", es.domain)).await.ok();
    assert!(in_home(&hq, &bob, &uri).await.is_some(), "unblocking shows the site's posts again");
}
