//! Groups (FEP-1b12) across three sites: a group on `hq`, members on `hq`,
//! `es` and `mx`, driven through the client API as staff would from any
//! Mastodon app (follow to join, mention to post), plus the shell and the
//! extension API for what stock clients cannot do (create, moderate).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod federation_support;
mod support;

use federation_support::{PUBLIC, StandInActor};
use serde_json::{Value, json};
use tertulia_testrig::{Federation, StandInSite, TestInstance, World, eventually, openapi};

/// The status with `uri` (or a boost of it) in `token`'s home on `site`.
async fn in_home(site: &TestInstance, token: &str, uri: &str) -> Option<Value> {
    let home = site.api(token).get("/api/v1/timelines/home").await.ok();
    home.as_array().unwrap().iter().find(|s| s["uri"] == uri || s["reblog"]["uri"] == uri).cloned()
}

/// The posts the group on `site` announced, by their URIs.
async fn announced(site: &TestInstance, token: &str, group: &str) -> Vec<String> {
    let statuses = site.api(token).get(&format!("/api/v1/accounts/{group}/statuses")).await.ok();
    statuses.as_array().unwrap().iter().filter_map(|s| s["reblog"]["uri"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_group_on_hq_shares_members_posts_with_members_on_es_and_mx() {
    let world = World::plan()
        .site("hq", &["gina", "carl"])
        .site("es", &["ana", "eva"])
        .site("mx", &["luis", "nora"])
        .start(support::BINARY)
        .await;
    let (hq, es, mx) = (world.site("hq"), world.site("es"), world.site("mx"));
    let (gina, carl, luis) = (&world.user("gina").token, &world.user("carl").token, &world.user("luis").token);
    let ana = &world.user("ana").token;

    // An admin creates the group from the shell, gina moderating it; the
    // same name twice is refused in words an admin understands.
    let create = ["admin", "group", "create", "safety", "--display-name", "Safety at work", "--moderator", "gina"];
    let created = hq.cli(&[&create[..], &["--rules", "Be kind. No sales."]].concat()).await;
    assert!(created.status.success(), "{}", created.stderr);
    let again = hq.cli(&create).await;
    assert!(!again.status.success() && again.stderr.contains("'safety' is already taken"), "{}", again.stderr);

    // Any client shows it as an account with `group: true` and its rules.
    let group = hq.api(gina).get("/api/v1/accounts/lookup?acct=safety").await.ok();
    openapi::assert_matches(&group, "Account");
    assert_eq!((group["group"].as_bool(), group["display_name"].as_str()), (Some(true), Some("Safety at work")));
    assert!(group["note"].as_str().unwrap().contains("No sales."), "{group}");
    let group_id = group["id"].as_str().unwrap().to_owned();
    let shown = hq.api(carl).get(&format!("/api/v1/tertulia/groups/{group_id}")).await.ok();
    assert_eq!(shown["moderators"][0]["username"], "gina");

    // Joining is following, from this site and from the others.
    hq.api(gina).follow_and_wait(&group_id).await;
    let at_es = world.api("ana").resolve("safety", hq).await;
    let on_es = world.api("ana").get(&format!("/api/v1/accounts/{at_es}")).await.ok();
    assert_eq!(on_es["group"], true, "another site shows the group as a group: {on_es}");
    world.api("ana").follow_and_wait(&at_es).await;
    let at_mx = world.api("luis").resolve("safety", hq).await;
    world.api("luis").follow_and_wait(&at_mx).await;

    // A non-member's mention is not announced (decided as it is posted).
    let spam = hq.api(carl).post_status("@safety cheap gloves, DM me", json!({})).await;
    assert!(!announced(hq, carl, &group_id).await.contains(&spam["uri"].as_str().unwrap().to_owned()));

    // A member on es posts to the group by mentioning it: the group
    // announces it to every member, here and on mx.
    let post =
        world.api("ana").post_status(&format!("@safety@{} The fire drill is at 11.", hq.domain), json!({})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    let on_mx = eventually("ana's post reaching luis on mx through the group", || in_home(mx, luis, &uri)).await;
    openapi::assert_matches(&on_mx, "Status");
    assert_eq!(on_mx["account"]["acct"], format!("safety@{}", hq.domain), "shown as the group's boost: {on_mx}");
    let on_hq = eventually("ana's post in gina's home on hq", || in_home(hq, gina, &uri)).await;
    assert_eq!(on_hq["account"]["id"], group_id.as_str());

    // A member replying in a thread the group announced is announced too,
    // without mentioning the group.
    let reply = hq
        .api(gina)
        .post_status("Assembly point is car park B.", json!({"in_reply_to_id": on_hq["reblog"]["id"]}))
        .await;
    let reply_uri = reply["uri"].as_str().unwrap().to_owned();
    eventually("gina's reply reaching luis on mx", || in_home(mx, luis, &reply_uri)).await;
    assert!(!announced(hq, carl, &group_id).await.contains(&spam["uri"].as_str().unwrap().to_owned()));

    // Only a moderator removes a post; then it leaves every member's home.
    let path = format!("/api/v1/tertulia/groups/{group_id}/statuses/{}", on_hq["reblog"]["id"].as_str().unwrap());
    let refused = hq.api(carl).delete(&path).await.error(403);
    assert!(refused.contains("moderators of @safety"), "{refused}");
    hq.api(gina).delete(&path).await.ok();
    assert!(in_home(hq, gina, &uri).await.is_none(), "the removed post is still in gina's home on hq");
    eventually("the removed post leaving luis's home on mx", || async {
        in_home(mx, luis, &uri).await.is_none().then_some(())
    })
    .await;
    // The author keeps her own post on her own site.
    assert!(in_home(es, &world.user("ana").token, &uri).await.is_some());

    // A moderator removes a member: luis is no longer in the group, so his
    // mentions are no longer announced.
    let luis_on_hq = hq.api(gina).get(&format!("/api/v1/accounts/lookup?acct=luis@{}", mx.domain)).await.ok();
    let member = format!("/api/v1/tertulia/groups/{group_id}/members/{}", luis_on_hq["id"].as_str().unwrap());
    hq.api(gina).delete(&member).await.ok();
    eventually("luis no longer following the group on mx", || async {
        let relation = mx.api(luis).get(&format!("/api/v1/accounts/relationships?id[]={at_mx}")).await.ok();
        (relation[0]["following"] == false).then_some(())
    })
    .await;

    // Staff create groups through the extension API too (admin scope); a
    // user without the role is told what is missing.
    let admin = hq.cli(&["admin", "user", "role", "gina", "admin"]).await;
    assert!(admin.status.success(), "{}", admin.stderr);
    let staff = hq.token_with_scopes("gina", "read write admin:read admin:write").await;
    let body = json!({"name": "night_shift", "display_name": "Night shift", "private": true, "rules": "Members only"});
    let made = hq.api(&staff).post("/api/v1/tertulia/groups", body.clone()).await.ok();
    assert_eq!((made["account"]["group"].as_bool(), made["account"]["locked"].as_bool()), (Some(true), Some(true)));
    assert_eq!(made["moderators"][0]["username"], "gina");
    let carl_admin_scope = hq.token_with_scopes("carl", "read write admin:write").await;
    let denied = hq.api(&carl_admin_scope).post("/api/v1/tertulia/groups", json!({"name": "x"})).await.error(403);
    assert!(denied.contains("manage_users"), "{denied}");
    let bad = hq.api(&staff).post("/api/v1/tertulia/groups", json!({"name": "night shift!"})).await.error(422);
    assert!(bad.contains("letters"), "{bad}");

    // Joining the private group from mx waits for a moderator's approval.
    let night = made["account"]["id"].as_str().unwrap().to_owned();
    let night_at_mx = world.api("luis").resolve("night_shift", hq).await;
    assert_eq!(world.api("luis").follow(&night_at_mx).await["requested"], true);
    let requests = format!("/api/v1/tertulia/groups/{night}/join_requests");
    let asking = eventually("luis's request to join reaching hq", || async {
        hq.api(gina).get(&requests).await.ok().as_array().unwrap().first().cloned()
    })
    .await;
    assert!(hq.api(carl).get(&requests).await.error(403).contains("moderators of @night_shift"));
    hq.api(gina).post(&format!("{requests}/{}/authorize", asking["id"].as_str().unwrap()), json!({})).await.ok();
    eventually("luis admitted to the private group", || async {
        let relation = mx.api(luis).get(&format!("/api/v1/accounts/relationships?id[]={night_at_mx}")).await.ok();
        (relation[0]["following"] == true).then_some(())
    })
    .await;

    // gina (hq) and ana (es) join too; carl, eva and nora are no members.
    hq.api(gina).follow(&night).await;
    let gina_id = hq.api(gina).account_id().await;
    hq.api(gina).post(&format!("{requests}/{gina_id}/authorize"), json!({})).await.ok();
    let night_at_es = world.api("ana").resolve("night_shift", hq).await;
    world.api("ana").follow(&night_at_es).await;
    let ana_on_hq = eventually("ana's request to join reaching hq", || async {
        let asking = hq.api(gina).get(&requests).await.ok();
        asking.as_array().unwrap().iter().find(|a| a["acct"] == format!("ana@{}", es.domain)).cloned()
    })
    .await;
    hq.api(gina).post(&format!("{requests}/{}/authorize", ana_on_hq["id"].as_str().unwrap()), json!({})).await.ok();
    eventually("ana admitted to the private group", || async {
        let relation = es.api(ana).get(&format!("/api/v1/accounts/relationships?id[]={night_at_es}")).await.ok();
        (relation[0]["following"] == true).then_some(())
    })
    .await;
    members_only_posts_reach_members_alone(&world, &night, &night_at_mx).await;

    // A moderator adds another: carl may now answer join requests.
    let carl_id = hq.api(carl).account_id().await;
    let moderators = format!("/api/v1/tertulia/groups/{night}/moderators");
    let now = hq.api(gina).post(&moderators, json!({"account_id": carl_id})).await.ok();
    assert_eq!(now["moderators"].as_array().unwrap().len(), 2, "{now}");
    assert!(hq.api(carl).get(&requests).await.ok().as_array().unwrap().is_empty());
    hq.api(gina).post(&moderators, json!({"account_id": group_id})).await.error(404);
    let unreadable = hq.api(gina).post(&moderators, json!({})).await.error(422);
    assert!(unreadable.contains("account_id"), "{unreadable}");

    // Search and the directory list groups.
    let found = hq.api(carl).get("/api/v2/search?type=accounts&q=safety").await.ok();
    assert_eq!(found["accounts"][0]["group"], true, "{found}");
    let directory = hq.api(carl).get("/api/v1/directory?local=true&groups=true").await.ok();
    let listed: Vec<&str> = directory.as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), 2, "only the two groups: {listed:?}");
    assert!(listed.contains(&"safety") && listed.contains(&"night_shift"), "{listed:?}");
}

/// The private group `night` (its id on hq; `night_at_mx` on mx) has
/// members gina (hq), ana (es) and luis (mx). Ana's members-only post to it
/// reaches gina and luis, on their sites, and no non-member (carl on hq,
/// eva on es, nora on mx) sees it anywhere; once a moderator removes it,
/// the members no longer see it either.
async fn members_only_posts_reach_members_alone(world: &World, night: &str, night_at_mx: &str) {
    let (hq, es, mx) = (world.site("hq"), world.site("es"), world.site("mx"));
    let token = |name: &str| world.user(name).token.clone();
    let text = format!("@night_shift@{} #handover keys are in locker 6", hq.domain);
    let post = world.api("ana").post_status(&text, json!({"visibility": "private"})).await;
    let uri = post["uri"].as_str().unwrap().to_owned();

    // Each member gets it in their home, as the group's boost, and opens it.
    let mut ids = Vec::new();
    for (site, member) in [(hq, "gina"), (mx, "luis")] {
        let member_token = token(member);
        let shared =
            eventually(&format!("ana's members-only post reaching {member}"), || in_home(site, &member_token, &uri))
                .await;
        openapi::assert_matches(&shared, "Status");
        assert_eq!(shared["account"]["group"], true, "shown as the group's boost: {shared}");
        assert_eq!(shared["reblog"]["visibility"], "private", "{shared}");
        let id = shared["reblog"]["id"].as_str().unwrap().to_owned();
        assert_eq!(site.api(&token(member)).get(&format!("/api/v1/statuses/{id}")).await.ok()["uri"], uri);
        let found =
            site.api(&token(member)).get(&format!("/api/v2/search?type=statuses&resolve=true&q={uri}")).await.ok();
        assert_eq!(found["statuses"][0]["uri"], uri, "{member}'s search by its address: {found}");
        ids.push((site, member, id));
    }
    ids.push((es, "ana", post["id"].as_str().unwrap().to_owned()));

    // Non-members on every site: not found, and nowhere in a list.
    let ana_at_mx = mx.api(&token("nora")).resolve("ana", es).await;
    for ((site, _, id), outsider) in ids.iter().zip(["carl", "nora", "eva"]) {
        let api = site.api(&token(outsider));
        api.get(&format!("/api/v1/statuses/{id}")).await.error(404);
        api.get(&format!("/api/v1/statuses/{id}/context")).await.error(404);
        assert!(in_home(site, &token(outsider), &uri).await.is_none(), "in {outsider}'s home");
        let tagged = api.get("/api/v1/timelines/tag/handover").await.ok();
        assert!(!tagged.to_string().contains(&uri), "in {outsider}'s tag timeline: {tagged}");
        let found = api.get(&format!("/api/v2/search?type=statuses&resolve=true&q={uri}")).await.ok();
        assert_eq!(found["statuses"], json!([]), "{outsider}'s search: {found}");
    }
    let nora = mx.api(&token("nora"));
    for account in [&ana_at_mx, night_at_mx] {
        let listed = nora.get(&format!("/api/v1/accounts/{account}/statuses")).await.ok();
        assert!(!listed.to_string().contains(&uri), "nora sees it on a profile: {listed}");
    }

    // A moderator removes it: the members no longer see it.
    let (_, _, on_hq) = &ids[0];
    hq.api(&token("gina")).delete(&format!("/api/v1/tertulia/groups/{night}/statuses/{on_hq}")).await.ok();
    for (site, member, id) in &ids[..2] {
        eventually(&format!("the removed post leaving {member}'s home"), || async {
            in_home(site, &token(member), &uri).await.is_none().then_some(())
        })
        .await;
        site.api(&token(member)).get(&format!("/api/v1/statuses/{id}")).await.error(404);
    }
}

/// A Lemmy community on another site, played by a stand-in serving the
/// documents Lemmy publishes: joined by following it, its announces of
/// members' activities wrapped whole (`Announce` of `Create`) reach the
/// member's home, and a moderator's removal (`Announce` of `Delete`) takes
/// them out again.
#[tokio::test]
async fn a_lemmy_community_is_joined_and_its_wrapped_announces_reach_home() {
    let [hq] = Federation::start(support::BINARY, [&[]]).await;
    let bob = hq.sign_up("bob").await;
    let lemmy = StandInSite::start();
    let community = StandInActor::publish(&lemmy, "/c/safety", |actor| {
        actor["type"] = json!("Group");
        actor["name"] = json!("Safety");
    })
    .await;
    community.answer_webfinger(&lemmy, "safety");
    let alba = StandInActor::publish(&lemmy, "/u/alba", |_| {}).await;
    let page_uri = lemmy.url("/post/17");
    let page = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": page_uri,
        "type": "Page",
        "attributedTo": alba.uri,
        "to": [community.uri, PUBLIC],
        "name": "Ladders in warehouse B",
        "content": "<p>Two are missing their rubber feet.</p>",
        "mediaType": "text/html",
        "audience": community.uri,
        "published": "2026-12-07T10:00:00Z",
    });
    lemmy.serve("/post/17", page.clone());

    let found =
        hq.api(&bob).get(&format!("/api/v2/search?type=accounts&resolve=true&q=@safety@{}", lemmy.domain)).await.ok();
    assert_eq!(found["accounts"][0]["group"], true, "{found}");
    let community_id = found["accounts"][0]["id"].as_str().unwrap().to_owned();
    hq.api(&bob).follow(&community_id).await;
    let follow = eventually("bob's Follow at the community", || async {
        lemmy.posts().into_iter().map(|(_, body)| body).find(|body| body["type"] == "Follow")
    })
    .await;
    let accept =
        json!({"id": lemmy.url("/activities/accept/1"), "type": "Accept", "actor": community.uri, "object": follow});
    community.send(&hq, &wrapped(accept)).await;
    eventually("bob in the community", || async {
        let relation = hq.api(&bob).get(&format!("/api/v1/accounts/relationships?id[]={community_id}")).await.ok();
        (relation[0]["following"] == true).then_some(())
    })
    .await;

    let create = json!({
        "id": lemmy.url("/activities/create/1"), "type": "Create", "actor": alba.uri,
        "object": page, "to": [PUBLIC], "cc": [community.uri], "audience": community.uri,
    });
    let (status, answer) = community.send(&hq, &announce(&community, 1, create)).await;
    assert_eq!(status, 202, "{answer}");
    let shown = eventually("the community's post in bob's home", || in_home(&hq, &bob, &page_uri)).await;
    openapi::assert_matches(&shown, "Status");
    assert_eq!(shown["account"]["id"], community_id.as_str(), "shown as the community's boost: {shown}");

    // A vote is no boost; a moderator's removal takes the post out.
    let like = json!({"id": lemmy.url("/activities/like/1"), "type": "Like", "actor": alba.uri, "object": page_uri});
    community.send(&hq, &announce(&community, 2, like)).await;
    let delete = json!({
        "id": lemmy.url("/activities/delete/1"), "type": "Delete", "actor": lemmy.url("/u/moderator"),
        "object": page_uri, "summary": "Off topic", "audience": community.uri,
    });
    community.send(&hq, &announce(&community, 3, delete)).await;
    eventually("the removed post leaving bob's home", || async {
        in_home(&hq, &bob, &page_uri).await.is_none().then_some(())
    })
    .await;
    let boosts = hq.api(&bob).get(&format!("/api/v1/accounts/{community_id}/statuses")).await.ok();
    assert_eq!(boosts.as_array().unwrap().len(), 0, "the vote became a boost: {boosts}");

    // Our own private group sends a members-only post to its Lemmy member
    // in the shape Lemmy reads (FEP-1b12): the author's `Create` wrapped
    // whole, the post inline, to the group's members and nobody else.
    let created = hq.cli(&["admin", "group", "create", "crew", "--moderator", "bob", "--private"]).await;
    assert!(created.status.success(), "{}", created.stderr);
    let crew = hq.api(&bob).get("/api/v1/accounts/lookup?acct=crew").await.ok();
    let (crew_id, crew_uri) = (crew["id"].as_str().unwrap(), crew["uri"].as_str().unwrap());
    let join =
        json!({"id": lemmy.url("/activities/follow/1"), "type": "Follow", "actor": alba.uri, "object": crew_uri});
    alba.send(&hq, &wrapped(join)).await;
    hq.api(&bob).follow(crew_id).await;
    let requests = format!("/api/v1/tertulia/groups/{crew_id}/join_requests");
    let asking = eventually("alba's and bob's requests to join", || async {
        let asking = hq.api(&bob).get(&requests).await.ok();
        (asking.as_array().unwrap().len() == 2).then_some(asking)
    })
    .await;
    for requester in asking.as_array().unwrap() {
        hq.api(&bob).post(&format!("{requests}/{}/authorize", requester["id"].as_str().unwrap()), json!({})).await.ok();
    }
    let post = hq.api(&bob).post_status("@crew the keys are in locker 6", json!({"visibility": "private"})).await;
    let shared = eventually("the crew's Announce at the Lemmy site", || async {
        lemmy.posts().into_iter().map(|(_, body)| body).find(|body| body["type"] == "Announce")
    })
    .await;
    let bob_uri = hq.api(&bob).get("/api/v1/accounts/verify_credentials").await.ok()["uri"].clone();
    assert_eq!((&shared["actor"], &shared["to"]), (&json!(crew_uri), &json!([format!("{crew_uri}/followers")])));
    let create = &shared["object"];
    assert_eq!((&create["type"], &create["actor"]), (&json!("Create"), &bob_uri), "{shared}");
    assert_eq!((&create["object"]["id"], &create["object"]["content"]), (&post["uri"], &post["content"]));
    assert!(!shared.to_string().contains(PUBLIC), "a members-only post addressed to the public: {shared}");

    // A moderator withdraws it: the Undo names the share and stays with the members.
    let path = format!("/api/v1/tertulia/groups/{crew_id}/statuses/{}", post["id"].as_str().unwrap());
    hq.api(&bob).delete(&path).await.ok();
    let withdrawn = eventually("the crew's Undo at the Lemmy site", || async {
        lemmy.posts().into_iter().map(|(_, body)| body).find(|body| body["type"] == "Undo")
    })
    .await;
    assert_eq!(withdrawn["object"]["id"], shared["id"], "{withdrawn}");
    assert!(!withdrawn.to_string().contains(PUBLIC), "a members-only share withdrawn in public: {withdrawn}");
}

/// `activity` with the ActivityStreams context, as bytes to send.
fn wrapped(mut activity: Value) -> Vec<u8> {
    activity["@context"] = json!("https://www.w3.org/ns/activitystreams");
    activity.to_string().into_bytes()
}

/// The community's `Announce` number `n` of `activity`, as Lemmy wraps it.
fn announce(community: &StandInActor, n: u32, activity: Value) -> Vec<u8> {
    wrapped(json!({
        "id": format!("{}/activities/announce/{n}", community.uri),
        "type": "Announce",
        "actor": community.uri,
        "object": activity,
        "to": [PUBLIC],
        "cc": [format!("{}/followers", community.uri)],
    }))
}
