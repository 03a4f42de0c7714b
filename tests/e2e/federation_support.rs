//! What the federation end-to-end tests share: a site's database, and
//! requests signed by hand as another server would sign them. (Sites and
//! waiting are the test rig's: `Federation`, `eventually`.)

use std::collections::BTreeMap;

use serde_json::Value;
use tertulia_federation::signatures::{self, SigningKey};
use tertulia_testrig::TestInstance;

/// A connection to `site`'s own database, beside the running server.
pub fn database_of(site: &TestInstance) -> tertulia_db::Db {
    tertulia_db::Db::connect(&tertulia_core::config::DatabaseConfig {
        url: site.db.url.clone(),
        pool_size: 1,
        connect_timeout_secs: 5,
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
