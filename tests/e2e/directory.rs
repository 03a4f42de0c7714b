//! The cross-site directory of colleagues: `hq` follows `es` and `mx` as
//! sites, and its directory and account search list their discoverable
//! people, kept current over ActivityPub with nobody following anybody.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use tertulia_testrig::{Federation, TestInstance, eventually, eventually_within, openapi};

/// The reader's token polls hq's directory for as long as the sync takes.
const PATIENT_READER: [(&str, &str); 1] = [("TERTULIA_RATE_LIMITS_PER_TOKEN", "100000")];

#[tokio::test]
async fn hq_lists_and_finds_discoverable_colleagues_of_every_site_it_follows() {
    let [hq, es, mx] = Federation::start(support::BINARY, [&PATIENT_READER, &[], &[]]).await;
    let (es_domain, mx_domain) = (es.domain.clone(), mx.domain.clone());
    let (ana, luis) = (format!("ana@{es_domain}"), format!("luis@{mx_domain}"));
    // ana was on es before hq followed it: the follow brings her profile.
    es.sign_up_colleague("ana", &[("Skills", "Kubernetes, Rust"), ("Office", "Madrid")], true).await;
    hq.follow_site(&es).await;
    hq.follow_site(&mx).await;
    es.sign_up_colleague("hidden", &[("Skills", "Kubernetes")], false).await;
    mx.sign_up_colleague("luis", &[("Skills", "kubernetes operators")], true).await;
    let reader = hq.sign_up_colleague("reader", &[], true).await;
    hq.sign_up_colleague("madrid", &[], true).await;
    hq.sign_up_colleague("madridista", &[], true).await;

    // Nobody posted, nobody follows anybody: profiles came with the sync
    // (hidden's profile too, as it was made non-discoverable).
    let listed = eventually("ana and luis, not hidden, in hq's directory", || async {
        let listed = hq.api(&reader).directory("limit=80").await;
        let hidden_gone = !listed.iter().any(|a| a.starts_with("hidden"));
        (listed.contains(&ana) && listed.contains(&luis) && hidden_gone).then_some(listed)
    })
    .await;
    assert!(listed.contains(&"reader".to_owned()) && listed.contains(&"madrid".to_owned()), "{listed:?}");
    for account in hq.api(&reader).get("/api/v1/directory").await.ok().as_array().unwrap() {
        openapi::assert_matches(account, "Account");
    }

    // A Skills value finds colleagues on both sites, never the hidden one.
    let both = [ana.clone(), luis.clone()];
    eventually("a Skills search on hq to find ana and luis alone", || async {
        (hq.api(&reader).search_accounts("kubernetes").await == both).then_some(())
    })
    .await;
    let at_es = es.sign_up("es_reader").await;
    assert_eq!(es.api(&at_es).search_accounts("kubernetes").await, ["ana"]);
    assert_eq!(es.api(&at_es).search_accounts("hidden").await, ["hidden"], "still found by name");
    // Ranked: exact username, then names starting so, then field values.
    let madrid = hq.api(&reader).search_accounts("madrid").await;
    assert_eq!(madrid, ["madrid".to_owned(), "madridista".to_owned(), ana.clone()]);
    let accounts_v1 =
        tertulia_testrig::accts(&hq.api(&reader).get("/api/v1/accounts/search?q=madrid&offset=1&limit=1").await.ok());
    assert_eq!(accounts_v1, ["madridista"]);

    // local=true is hq alone; pages follow each other without repeats.
    let local = hq.api(&reader).directory("local=true&order=new").await;
    assert_eq!(local, ["madridista", "madrid", "reader"]);
    let first = hq.api(&reader).directory("local=true&order=new&limit=1").await;
    let second = hq.api(&reader).directory("local=true&order=new&limit=1&offset=1").await;
    assert_eq!([first, second].concat(), local[..2]);

    // Bad parameters are refused with a sentence.
    let refused = hq.api(&reader).get("/api/v1/directory?order=sideways").await.error(422);
    assert!(refused.contains("active, new"), "{refused}");
    let refused = hq.api(&reader).get("/api/v1/directory?limit=many").await.error(400);
    assert!(refused.contains("limit"), "{refused}");

    // A new colleague on mx is findable on hq without ever posting.
    mx.sign_up_colleague("carmen", &[("Skills", "Terraform")], true).await;
    let carmen = format!("carmen@{mx_domain}");
    eventually("carmen findable on hq by her skills", || async {
        hq.api(&reader).search_accounts("terraform").await.contains(&carmen).then_some(())
    })
    .await;

    // A departure leaves hq's directory.
    let gone = mx.cli(&["admin", "user", "delete", "luis", "--yes"]).await;
    assert!(gone.status.success(), "{}", gone.stderr);
    mx.eventually("luis gone from hq's directory", || async {
        (!hq.api(&reader).directory("limit=80").await.contains(&luis)).then_some(())
    })
    .await;
}

/// Measures the directory sync for the closing note (run on a quiet
/// machine, see `docs/federation.md`): how long a new colleague on mx
/// takes to be findable on hq, and how fast a site that starts following
/// mx learns of the people already there.
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn directory_sync_figures() {
    const NEW_COLLEAGUES: usize = 50;
    const ALREADY_THERE: usize = 100;
    let [hq, mx] = Federation::start(support::BINARY, [&PATIENT_READER, &[]]).await;
    for n in 0..ALREADY_THERE {
        mx.create_user(&format!("staff{n}"), &[]).await;
    }
    let reader = hq.sign_up("reader").await;
    let started = Instant::now();
    hq.follow_site(&mx).await;
    eventually_within(Duration::from_secs(600), "every mx colleague in hq's directory", || async {
        let listed = directory_size(&hq, &reader).await;
        (listed >= ALREADY_THERE).then_some(())
    })
    .await;
    let sync = started.elapsed();

    let mut waits = Vec::new();
    for n in 0..NEW_COLLEAGUES {
        let username = format!("new{n}");
        mx.create_user(&username, &[]).await;
        let created = Instant::now();
        let acct = format!("{username}@{}", mx.domain);
        eventually("the new colleague findable on hq", || async {
            hq.api(&reader).search_accounts(&username).await.contains(&acct).then_some(())
        })
        .await;
        waits.push(created.elapsed());
    }
    waits.sort();
    let at = |q: f64| waits[((waits.len() as f64 * q).ceil() as usize).clamp(1, waits.len()) - 1];
    println!(
        "directory sync: {ALREADY_THERE} accounts in {:.2} s ({:.0} accounts/s); new colleague findable on another site: p50 {} ms, p99 {} ms over {NEW_COLLEAGUES}",
        sync.as_secs_f64(),
        ALREADY_THERE as f64 / sync.as_secs_f64(),
        at(0.50).as_millis(),
        at(0.99).as_millis(),
    );
}

/// How many remote accounts hq's directory lists, page by page.
async fn directory_size(hq: &TestInstance, token: &str) -> usize {
    let mut listed = 0;
    loop {
        let page = hq.api(token).directory(&format!("limit=80&offset={listed}")).await;
        listed += page.len();
        if page.len() < 80 {
            return listed - 1; // the reader
        }
    }
}
