//! What the federation end-to-end tests share: sites on loopback, waiting
//! for a change to travel, and requests signed by hand as another server
//! would sign them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;
use tertulia_federation::signatures::{self, SigningKey};
use tertulia_testrig::{Backend, TestDatabase, TestInstance};

use crate::support;

/// How long a change may take to reach another site before a test fails.
const PROPAGATION: Duration = Duration::from_secs(30);

/// The development switch every site of the test rig needs.
const LOCAL_FEDERATION: (&str, &str) = ("TERTULIA_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true");

/// A site on `backend` that federates with the others on this machine,
/// with `extra` settings.
pub async fn site(backend: Backend, extra: &[(&str, &str)]) -> TestInstance {
    let mut env = vec![LOCAL_FEDERATION];
    env.extend_from_slice(extra);
    TestInstance::start_on(support::BINARY, TestDatabase::create_on(backend), &env).await
}

/// Polls `probe` until it returns `Some`, or fails after [`PROPAGATION`].
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(PROPAGATION, what, probe).await
}

/// Polls `probe` until it returns `Some`, or fails after `limit`.
pub async fn eventually_within<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

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
