//! What the federation end-to-end tests share: a site's database, and
//! requests signed by hand as another server would sign them. (Sites and
//! waiting are the test rig's: `Federation`, `eventually`.)

// Each test file that includes this module uses part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tertulia_federation::signatures::{self, SigningKey};
use tertulia_testrig::{StandInSite, TestInstance};

/// A connection to `site`'s own database, beside the running server.
pub fn database_of(site: &TestInstance) -> tertulia_db::Db {
    tertulia_db::Db::connect(&tertulia_core::config::DatabaseConfig {
        url: site.db.url.clone(),
        pool_size: 1,
        connect_timeout_secs: 5,
        ..tertulia_core::config::DatabaseConfig::default()
    })
    .unwrap()
}

/// A signed POST to `site`'s shared inbox, as a remote server would send:
/// the status and the JSON answer.
pub async fn post_signed(
    site: &TestInstance,
    key: &SigningKey,
    body: &[u8],
    tamper: impl FnOnce(&mut BTreeMap<String, String>),
) -> (u16, Value) {
    let response = send_signed(site, key, body, tamper).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The signed POST of [`post_signed`], answered in full.
pub async fn send_signed(
    site: &TestInstance,
    key: &SigningKey,
    body: &[u8],
    tamper: impl FnOnce(&mut BTreeMap<String, String>),
) -> reqwest::Response {
    let url = url::Url::parse(&site.url("/inbox")).unwrap();
    let signed = signatures::sign_request(key, "POST", &url, Some(body), chrono::Utc::now()).unwrap();
    let mut headers = BTreeMap::from([
        ("date".to_owned(), signed.date),
        ("digest".to_owned(), signed.digest.unwrap()),
        ("signature".to_owned(), signed.signature),
        ("content-type".to_owned(), "application/activity+json".to_owned()),
    ]);
    tamper(&mut headers);
    let mut request = site.client.post(url).body(body.to_vec());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap()
}

/// A signed GET of `url` as `key`'s owner would send it.
pub async fn get_signed(site: &TestInstance, key: &SigningKey, url: &str) -> reqwest::Response {
    let parsed = url::Url::parse(url).unwrap();
    let signed = signatures::sign_request(key, "GET", &parsed, None, chrono::Utc::now()).unwrap();
    site.client
        .get(url)
        .header("accept", "application/activity+json")
        .header("date", signed.date)
        .header("signature", signed.signature)
        .send()
        .await
        .unwrap()
}

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// An actor published on a stand-in site, with the key it signs with.
pub struct StandInActor {
    pub uri: String,
    pub key: SigningKey,
    private_pem: String,
}

impl StandInActor {
    /// Publishes a `Person` at `path` on `site` with a fresh key, after
    /// `adjust` has changed its document. The key is made off the test's
    /// runtime: blocking it for the second that takes under load would keep
    /// the HTTP client from noticing a server closing an idle connection,
    /// and the next request on it would fail.
    pub async fn publish(site: &StandInSite, path: &str, adjust: impl FnOnce(&mut Value)) -> StandInActor {
        let pair = tokio::task::spawn_blocking(signatures::generate_keypair).await.unwrap().unwrap();
        let uri = site.url(path);
        let key_id = format!("{uri}#main-key");
        let mut document = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": path.rsplit('/').next().unwrap(),
            "inbox": format!("{uri}/inbox"),
            "outbox": format!("{uri}/outbox"),
            "followers": format!("{uri}/followers"),
            "endpoints": {"sharedInbox": site.url("/inbox")},
            "publicKey": {"id": key_id, "owner": uri, "publicKeyPem": pair.public_pem},
        });
        adjust(&mut document);
        site.serve(path, document);
        let key = SigningKey::from_pem(key_id, &pair.private_pem).unwrap();
        StandInActor { uri, key, private_pem: pair.private_pem }
    }

    /// This actor's key under another key id, to sign as someone else.
    pub fn key_named(&self, key_id: String) -> SigningKey {
        SigningKey::from_pem(key_id, &self.private_pem).unwrap()
    }

    /// Answers WebFinger lookups on `site` with this actor (the stand-in
    /// site ignores the query: one actor per site can be looked up).
    pub fn answer_webfinger(&self, site: &StandInSite, username: &str) {
        let jrd = json!({
            "subject": format!("acct:{username}@{}", site.domain),
            "links": [{"rel": "self", "type": "application/activity+json", "href": self.uri}],
        });
        site.serve("/.well-known/webfinger", jrd);
    }

    /// An activity of this actor, numbered `n` (its id is on the actor's site).
    pub fn activity(&self, n: u32, kind: &str, object: Value) -> Vec<u8> {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}#activities/{n}", self.uri),
            "type": kind,
            "actor": self.uri,
            "object": object,
            "to": [PUBLIC],
        })
        .to_string()
        .into_bytes()
    }

    /// Sends `body` to `site`'s inbox, signed with this actor's key.
    pub async fn send(&self, site: &TestInstance, body: &[u8]) -> (u16, Value) {
        post_signed(site, &self.key, body, |_| {}).await
    }
}
