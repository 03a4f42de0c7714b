//! The company network over real HTTPS, as in production: `hq`, `es`, `mx`
//! and `outsider` on a private HTTPS network (a certificate authority made
//! by the test, a host name and port 443 per site; see docs/testing.md),
//! the company sites in allowlist mode. One story shares the four sites:
//! site follows bring public posts and nothing else, the allowlist keeps the
//! outsider out on every path until an admin admits it (at once), a domain
//! block drops queued deliveries, the directory and search find colleagues
//! across sites, a company-wide announcement reaches every site with its
//! streaming event, and a real relay (activityrelay) carries public posts,
//! their edits and deletions between es and mx, which neither follow each
//! other nor know anybody in common, and nothing meant for colleague sites.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod federation_support;
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tertulia_testrig::{Federation, HttpsNetwork, TestInstance, TestRelay, eventually, openapi};

const ALLOWLIST: (&str, &str) = ("TERTULIA_FEDERATION_MODE", "allowlist");
/// hq's reader polls the directory and timelines for as long as syncs take.
const PATIENT_READER: (&str, &str) = ("TERTULIA_RATE_LIMITS_PER_TOKEN", "100000");

/// `federation.allowed_domains` naming these sites of the network.
fn allowing(names: &[&str]) -> String {
    names.iter().map(|name| HttpsNetwork::host_name(name)).collect::<Vec<_>>().join(",")
}

fn allowed_domains(domains: &str) -> (&str, &str) {
    ("TERTULIA_FEDERATION_ALLOWED_DOMAINS", domains)
}

/// The texts of a list of statuses.
fn texts(statuses: &Value) -> Vec<String> {
    let statuses = statuses.as_array().unwrap_or_else(|| panic!("not a list: {statuses}"));
    statuses.iter().map(|s| s["content"].as_str().unwrap().replace("<p>", "").replace("</p>", "")).collect()
}

/// Whether `site` has stored the status `uri` at all.
async fn stored(site: &TestInstance, uri: &Value) -> bool {
    let uri = uri.as_str().unwrap().to_owned();
    let db = federation_support::database_of(site);
    db.run(move |conn| tertulia_db::statuses::find_by_uri(conn, &uri)).await.unwrap().is_some()
}

async fn waiting_deliveries(site: &TestInstance) -> String {
    let status = site.cli(&["admin", "federation", "status"]).await;
    assert!(status.status.success(), "{}", status.stderr);
    status.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_network_federates_over_https_and_keeps_the_outsider_out() {
    let network = HttpsNetwork::new();
    // es and mx also allow the relay they subscribe to; hq admits it later.
    let (hq_allows, es_allows, mx_allows) =
        (allowing(&["es", "mx"]), allowing(&["hq", "mx", "relay"]), allowing(&["hq", "es", "relay"]));
    let hq_settings = [ALLOWLIST, allowed_domains(&hq_allows), PATIENT_READER];
    let es_settings = [ALLOWLIST, allowed_domains(&es_allows)];
    let mx_settings = [ALLOWLIST, allowed_domains(&mx_allows)];
    let sites = [("hq", &hq_settings[..]), ("es", &es_settings), ("mx", &mx_settings), ("outsider", &[])];
    // The relay admits the company's sites; it starts beside them, as its
    // set-up (a Python process per command) takes longer than theirs.
    let company = ["hq", "es", "mx"].map(HttpsNetwork::host_name);
    let admitted = company.each_ref().map(String::as_str);
    let (sites, relay) =
        tokio::join!(Federation::start_https(support::BINARY, &network, sites), TestRelay::start(&network, &admitted),);
    let [hq, es, mx, mut outsider] = sites;
    assert_eq!((hq.base_url.as_str(), hq.domain.as_str()), ("https://hq.tertulia.test", "hq.tertulia.test"));

    let ceo = hq.sign_up_admin("ceo").await;
    let reader = hq.sign_up_colleague("reader", &[], true).await;
    let ana = es.sign_up_colleague("ana", &[("Skills", "Kubernetes, Rust"), ("Office", "Madrid")], true).await;
    es.sign_up_colleague("hidden", &[("Skills", "Kubernetes")], false).await;
    let luis = mx.sign_up_colleague("luis", &[("Skills", "kubernetes operators")], true).await;
    let olga = outsider.sign_up("olga").await;
    let (ana_acct, luis_acct) = (format!("ana@{}", es.domain), format!("luis@{}", mx.domain));

    // hq follows es and mx as sites; they follow hq for its announcements.
    hq.follow_site(&es).await;
    hq.follow_site(&mx).await;
    es.follow_site(&hq).await;
    mx.follow_site(&hq).await;

    // Site follows bring public posts alone, with nobody following anybody.
    let hidden_posts = [
        es.api(&ana).post_status("es unlisted", json!({"visibility": "unlisted"})).await,
        es.api(&ana).post_status("es followers only", json!({"visibility": "private"})).await,
        es.api(&ana).post_status("es site only", json!({"visibility": "local"})).await,
    ];
    es.api(&ana).post_status("es public", json!({})).await;
    mx.api(&luis).post_status("mx public", json!({})).await;
    eventually("es's and mx's public posts on hq", || async {
        let mut seen = texts(&hq.api(&reader).get("/api/v1/timelines/public?remote=true").await.ok());
        seen.sort();
        (seen == ["es public", "mx public"]).then_some(())
    })
    .await;
    for post in &hidden_posts {
        assert!(!stored(&hq, &post["uri"]).await, "hq received {}", post["content"]);
    }
    let me = es.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    assert_eq!((me["followers_count"].as_u64(), me["following_count"].as_u64()), (Some(0), Some(0)));

    // The directory on hq lists discoverable colleagues of all three sites,
    // and a Skills value finds them; a new colleague on mx becomes findable.
    let listed = eventually("ana and luis, not hidden, in hq's directory", || async {
        let listed = hq.api(&reader).directory("limit=80").await;
        let complete = listed.contains(&ana_acct) && listed.contains(&luis_acct);
        (complete && !listed.iter().any(|a| a.starts_with("hidden"))).then_some(listed)
    })
    .await;
    assert!(listed.contains(&"reader".to_owned()), "{listed:?}");
    eventually("a Skills search on hq to find ana and luis", || async {
        (hq.api(&reader).search_accounts("kubernetes").await == [ana_acct.clone(), luis_acct.clone()]).then_some(())
    })
    .await;
    mx.sign_up_colleague("carmen", &[("Skills", "Terraform")], true).await;
    let carmen = format!("carmen@{}", mx.domain);
    eventually("carmen findable on hq by her skills", || async {
        (hq.api(&reader).search_accounts("terraform").await == [carmen.clone()]).then_some(())
    })
    .await;

    // A company-wide announcement from hq reaches es and mx, live.
    let mut es_events = es.api(&ana).user_events().await;
    let mut mx_events = mx.api(&luis).user_events().await;
    let text = "Record year: thank you all";
    let announcement = json!({"text": text, "published": true, "company_wide": true});
    hq.api(&ceo).post("/api/v1/admin/announcements", announcement).await.ok();
    for (site, token, events) in [(&es, &ana, &mut es_events), (&mx, &luis, &mut mx_events)] {
        let shown: Value = serde_json::from_str(&events.wait_for("announcement").await).unwrap();
        openapi::assert_matches(&shown, "Announcement");
        assert!(shown["content"].as_str().unwrap().contains(text), "{shown}");
        let listed = site.api(token).announcements().await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["origin_site"], hq.domain);
    }

    // The allowlist refuses the outsider: lookups from hq, signed fetches
    // of hq (and WebFinger) by the outsider.
    assert!(hq.api(&reader).resolved("olga", &outsider).await.is_empty(), "hq looked up an outsider");
    assert!(outsider.api(&olga).resolved("reader", &hq).await.is_empty(), "hq answered an outsider");
    assert!(hq.logs().contains("not on this site's federation allowlist"), "the refusal names the allowlist");

    // An admin admits it through the API: at once, on the running server.
    let allow = hq.api(&ceo).post("/api/v1/admin/domain_allows", json!({"domain": outsider.domain})).await.ok();
    assert_eq!(hq.api(&reader).resolved("olga", &outsider).await.len(), 1, "the admitted site is reachable");
    let reader_on_outsider = outsider.api(&olga).resolve("reader", &hq).await;
    outsider.api(&olga).follow_and_wait(&reader_on_outsider).await;

    // Withdrawn again: hq neither delivers to the outsider nor takes its
    // activities (olga's unfollow is refused at hq's inbox).
    hq.api(&ceo).delete(&format!("/api/v1/admin/domain_allows/{}", allow["id"].as_str().unwrap())).await.ok();
    let company_only = hq.api(&reader).post_status("For the company only", json!({})).await;
    eventually("reader's post on es", || async {
        let seen = texts(&es.api(&ana).get("/api/v1/timelines/public?remote=true").await.ok());
        seen.contains(&"For the company only".to_owned()).then_some(())
    })
    .await;
    // The outbox queues nothing for a site not allowed: once hq's queue is
    // empty, no delivery to the outsider is still on its way.
    eventually("hq's delivery queue to be done", || async {
        waiting_deliveries(&hq).await.contains("Deliveries waiting: 0").then_some(())
    })
    .await;
    assert!(!stored(&outsider, &company_only["uri"]).await, "a post reached a site no longer allowed");
    outsider.api(&olga).post(&format!("/api/v1/accounts/{reader_on_outsider}/unfollow"), json!({})).await.ok();
    eventually("hq's inbox to refuse the outsider's unfollow", || async {
        outsider.logs().contains("delivery refused for good").then_some(())
    })
    .await;
    let reader_id = hq.api(&reader).account_id().await;
    let followers = hq.api(&reader).get(&format!("/api/v1/accounts/{reader_id}/followers")).await.ok();
    assert_eq!(tertulia_testrig::accts(&followers), [format!("olga@{}", outsider.domain)], "the unfollow was applied");

    // A domain block drops the deliveries queued for the blocked site.
    hq.api(&ceo).post("/api/v1/admin/domain_allows", json!({"domain": outsider.domain})).await.ok();
    outsider.stop_with("TERM", Duration::from_secs(10)).await;
    hq.api(&reader).post_status("While the outsider is down", json!({})).await;
    eventually("a delivery waiting for the outsider", || async {
        (!waiting_deliveries(&hq).await.contains("Deliveries waiting: 0")).then_some(())
    })
    .await;
    let block = json!({"domain": outsider.domain, "severity": "suspend"});
    hq.api(&ceo).post("/api/v1/admin/domain_blocks", block).await.ok();
    let status = waiting_deliveries(&hq).await;
    assert!(status.contains("Deliveries waiting: 0"), "{status}");

    // A real relay runs on the network: hq fetches its actor over HTTPS.
    hq.api(&ceo).post("/api/v1/admin/domain_allows", json!({"domain": relay.domain})).await.ok();
    let q = format!("@relay@{}", relay.domain);
    let found = hq.api(&reader).get(&format!("/api/v2/search?type=accounts&resolve=true&q={q}")).await.ok();
    let relay_account = &found["accounts"][0];
    assert_eq!(relay_account["acct"], format!("relay@{}", relay.domain), "{found}\n{}", relay.logs());
    assert_eq!(relay_account["bot"], true, "the relay is an Application actor");

    // es and mx subscribe to the relay, each in one of the two protocols it
    // speaks; with no site follow and nobody following anybody between
    // them, es's public post reaches mx through it, taken from es, and
    // posts that are not public do not.
    es.subscribe_to(&relay, "litepub").await;
    mx.subscribe_to(&relay, "mastodon").await;
    let not_for_the_relay = [
        es.api(&ana).post_status("unlisted, not relayed", json!({"visibility": "unlisted"})).await,
        es.api(&ana).post_status("followers only, not relayed", json!({"visibility": "private"})).await,
    ];
    let relayed = es.api(&ana).post_status("Through the relay", json!({})).await;
    let shown = eventually("es's post on mx through the relay", || async {
        let timeline = mx.api(&luis).get("/api/v1/timelines/public?remote=true").await.ok();
        timeline.as_array().unwrap().iter().find(|s| s["uri"] == relayed["uri"]).cloned()
    })
    .await;
    assert_eq!(shown["account"]["acct"], ana_acct, "{shown}\n{}", relay.logs());
    for post in &not_for_the_relay {
        assert!(!stored(&mx, &post["uri"]).await, "mx received {}", post["content"]);
    }

    // Its edit and its deletion travel the same way (the relay forwards
    // them as they are), each checked against es before mx applies it.
    let path = format!("/api/v1/statuses/{}", relayed["id"].as_str().unwrap());
    es.api(&ana).put(&path, json!({"status": "Through the relay, edited"})).await.ok();
    eventually("the edit on mx", || async {
        let timeline = texts(&mx.api(&luis).get("/api/v1/timelines/public?remote=true").await.ok());
        timeline.contains(&"Through the relay, edited".to_owned()).then_some(())
    })
    .await;
    es.api(&ana).delete(&path).await.ok();
    eventually("the deletion on mx", || async { (!stored(&mx, &relayed["uri"]).await).then_some(()) }).await;

    // The relay follows mx back, but it is no colleague site: neither mx's
    // directory nor a profile change reaches it, only mx's own Follow and
    // its Accept of the relay's follow back. hq, a site following mx, has
    // the change once mx has sent everything.
    mx.api(&luis).patch("/api/v1/accounts/update_credentials", json!({"display_name": "Luis M."})).await.ok();
    eventually("luis's new name on hq", || async {
        let found = hq.api(&reader).get("/api/v2/search?type=accounts&q=luis").await.ok();
        (found["accounts"][0]["display_name"] == "Luis M.").then_some(())
    })
    .await;
    eventually("mx's delivery queue to be done", || async {
        waiting_deliveries(&mx).await.contains("Deliveries waiting: 0").then_some(())
    })
    .await;
    assert_eq!(relay.deliveries_from(&mx), 2, "{}", relay.logs());
}

/// How long a public post on es takes to show on mx through the real relay
/// (a measurement for docs/benchmarks.md, "Relays"): from the post's API
/// call on es to mx's federated timeline listing it, polled as
/// [`eventually`] does (first after 50 ms, then up to every 0.5 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn relay_figures() {
    const POSTS: usize = 20;
    let network = HttpsNetwork::new();
    let sites = [("es", &[PATIENT_READER][..]), ("mx", &[PATIENT_READER])];
    let company = ["es", "mx"].map(HttpsNetwork::host_name);
    let admitted = company.each_ref().map(String::as_str);
    let (sites, relay) =
        tokio::join!(Federation::start_https(support::BINARY, &network, sites), TestRelay::start(&network, &admitted));
    let [es, mx] = sites;
    let ana = es.sign_up("ana").await;
    let luis = mx.sign_up("luis").await;
    es.subscribe_to(&relay, "litepub").await;
    mx.subscribe_to(&relay, "mastodon").await;

    let mut waits = Vec::new();
    for n in 0..POSTS {
        let started = Instant::now();
        let post = es.api(&ana).post_status(&format!("relayed {n}"), json!({})).await;
        eventually("the post on mx through the relay", || async {
            let timeline = mx.api(&luis).get("/api/v1/timelines/public?remote=true").await.ok();
            timeline.as_array().unwrap().iter().any(|s| s["uri"] == post["uri"]).then_some(())
        })
        .await;
        waits.push(started.elapsed());
    }
    waits.sort();
    let at = |q: f64| waits[((waits.len() as f64 * q).ceil() as usize).clamp(1, waits.len()) - 1];
    println!(
        "es to mx through activityrelay: p50 {} ms, p99 {} ms over {POSTS} public posts",
        at(0.50).as_millis(),
        at(0.99).as_millis(),
    );
}
