//! Web Push: the server's VAPID key as clients see it, and subscriptions as
//! stored. Sending is proved against independent RFC 8291 and 8292
//! implementations in `tests/clients/test_web_push.py`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use tertulia_testrig::openapi;

const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcx";
const AUTH: &str = "8eDyX_uCN0XRhSbY5hs7Hg";

#[tokio::test]
async fn one_vapid_key_is_announced_everywhere_and_kept_across_restarts() {
    let mut instance = support::start().await;
    let v2 = instance.get_json("/api/v2/instance").await;
    openapi::assert_matches(&v2, "Instance");
    let key = v2["configuration"]["vapid"]["public_key"].as_str().unwrap().to_owned();
    let point = URL_SAFE_NO_PAD.decode(&key).unwrap();
    assert_eq!((point.len(), point[0]), (65, 4), "an uncompressed P-256 point, base64url: {key}");

    let app = instance
        .api("")
        .post("/api/v1/apps", json!({"client_name": "Pushy", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}))
        .await
        .ok();
    assert_eq!(app["vapid_key"], key.as_str());
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    assert_eq!(api.get("/api/v1/apps/verify_credentials").await.ok()["vapid_key"], key.as_str());
    let subscription = api
        .post(
            "/api/v1/push/subscription",
            json!({"subscription": {"endpoint": "https://push.example/send/1", "keys": {"p256dh": P256DH, "auth": AUTH}}}),
        )
        .await
        .ok();
    openapi::assert_matches(&subscription, "WebPushSubscription");
    assert_eq!(subscription["server_key"], key.as_str());
    assert_eq!(subscription["standard"], true, "always RFC 8291 aes128gcm");

    instance.restart().await;
    let again = instance.get_json("/api/v2/instance").await;
    assert_eq!(again["configuration"]["vapid"]["public_key"], key.as_str(), "subscriptions stay valid");
}

#[tokio::test]
async fn push_endpoints_are_stored_exactly_as_sent() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    // A bare origin once came back with a "/" added, which a client
    // comparing endpoints takes for another subscription.
    for endpoint in [
        "https://push.example",
        "https://Push.Example:443/wpush/v2/gAAAAABh%3D%3D?k=1",
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b-x_y",
    ] {
        let form = [
            ("subscription[endpoint]", endpoint),
            ("subscription[keys][p256dh]", P256DH),
            ("subscription[keys][auth]", AUTH),
        ];
        let created = api.post_form("/api/v1/push/subscription", &form).await.ok();
        assert_eq!(created["endpoint"], endpoint);
        assert_eq!(api.get("/api/v1/push/subscription").await.ok()["endpoint"], endpoint);
    }
    let plain_http = [
        ("subscription[endpoint]", "http://push.example/x"),
        ("subscription[keys][p256dh]", P256DH),
        ("subscription[keys][auth]", AUTH),
    ];
    let refused = api.post_form("/api/v1/push/subscription", &plain_http).await.error(422);
    assert!(refused.contains("https"), "{refused}");
}
