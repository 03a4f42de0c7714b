//! OAuth 2 as client apps use it: registration, the sign-in page with
//! PKCE, the out-of-band flow, the other grants, revocation and scopes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tertulia_testrig::{TEST_PASSWORD, TestInstance, http_client, openapi};

const CALLBACK: &str = "com.tapbots.Ivory.19300:/request_token";

async fn post_form(instance: &TestInstance, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    instance.client.post(instance.url(path)).form(form).send().await.unwrap()
}

async fn register(instance: &TestInstance, redirect_uris: &str, scopes: &str) -> Value {
    let response = post_form(
        instance,
        "/api/v1/apps",
        &[
            ("client_name", "Ivory <b>"),
            ("redirect_uris", redirect_uris),
            ("scopes", scopes),
            ("website", "https://tapbots.com"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn no_redirects() -> reqwest::Client {
    http_client().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn bearer_get(instance: &TestInstance, path: &str, token: &str) -> reqwest::Response {
    instance.client.get(instance.url(path)).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn apps_register_with_several_redirect_uris_and_match_the_schema() {
    let instance = support::start().await;
    let app = register(
        &instance,
        &format!("{CALLBACK}\nurn:ietf:wg:oauth:2.0:oob http://localhost:4000/cb"),
        "read write follow push",
    )
    .await;
    openapi::assert_matches(&app, "CredentialApplication");
    assert_eq!(app["redirect_uris"], json!([CALLBACK, "urn:ietf:wg:oauth:2.0:oob", "http://localhost:4000/cb"]));
    assert_eq!(app["scopes"], json!(["follow", "push", "read", "write"]));

    let json_app = instance
        .client
        .post(instance.url("/api/v1/apps"))
        .json(&json!({"client_name": "Elk", "redirect_uris": ["https://elk.zone/callback"], "scopes": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_app.status(), 200, "JSON bodies and redirect_uris arrays are accepted");

    for (form, complaint) in [
        (
            vec![("client_name", "x"), ("redirect_uris", "https://a.example/cb"), ("scopes", "read sudo")],
            "unknown scope 'sudo'",
        ),
        (vec![("client_name", "x"), ("redirect_uris", "not a uri")], "not an absolute URI"),
        (vec![("redirect_uris", "https://a.example/cb")], "client_name"),
    ] {
        let response = post_form(&instance, "/api/v1/apps", &form).await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(complaint), "{body}");
    }
    let metadata = instance.get_json("/.well-known/oauth-authorization-server").await;
    assert_eq!(metadata["code_challenge_methods_supported"], json!(["S256"]));
    assert!(metadata["scopes_supported"].as_array().unwrap().contains(&json!("write:statuses")));
}

#[tokio::test]
async fn authorization_code_with_pkce_signs_in_through_the_html_page() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let app = register(&instance, CALLBACK, "read write follow").await;
    let client_id = app["client_id"].as_str().unwrap();
    let verifier = "a-long-random-verifier-string-of-at-least-43-chars-0123456789";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));

    let page = instance
        .client
        .get(instance.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("scope", "read write"),
            ("state", "xyz"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    assert!(html.contains("Ivory &lt;b&gt;"), "app name shown, escaped");
    assert!(html.contains(r#"<label for="password">"#) && html.contains("Read your posts"));

    let sign_in = |password: &'static str| {
        let (instance, client_id, challenge) = (&instance, client_id.to_owned(), challenge.clone());
        async move {
            no_redirects()
                .post(instance.url("/oauth/authorize"))
                .form(&[
                    ("response_type", "code"),
                    ("client_id", client_id.as_str()),
                    ("redirect_uri", CALLBACK),
                    ("scope", "read write"),
                    ("state", "xyz"),
                    ("code_challenge", challenge.as_str()),
                    ("code_challenge_method", "S256"),
                    ("login", "ana@acme.example"),
                    ("password", password),
                    ("decision", "approve"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let refused = sign_in("wrong password!").await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("wrong username, e-mail address or password"));

    let accepted = sign_in(TEST_PASSWORD).await;
    assert_eq!(accepted.status(), 302);
    let location = accepted.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&format!("{CALLBACK}?")), "the registered URI, case kept: {location}");
    let location = url::Url::parse(location).unwrap();
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "xyz");
    let code = query["code"].clone();

    let exchange = |verifier: &'static str| {
        let (instance, client_id, code) = (&instance, client_id.to_owned(), code.clone());
        async move {
            post_form(
                instance,
                "/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", &client_id),
                    ("code", &code),
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let wrong = exchange("not-the-verifier").await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(wrong.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // The failed attempt used the code up: codes are single-use, whatever happens.
    let reused = exchange(verifier).await;
    assert_eq!(reused.json::<Value>().await.unwrap()["error"], "invalid_grant");

    // Sign in again and exchange properly.
    let accepted = sign_in(TEST_PASSWORD).await;
    let location = url::Url::parse(accepted.headers()["location"].to_str().unwrap()).unwrap();
    let code: String = location.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let token: Value = post_form(
        &instance,
        "/oauth/token",
        &[("grant_type", "authorization_code"), ("client_id", client_id), ("code", &code), ("code_verifier", verifier)],
    )
    .await
    .json()
    .await
    .unwrap();
    openapi::assert_matches(&token, "Token");
    assert_eq!(token["scope"], "read write");
    let me =
        bearer_get(&instance, "/api/v1/accounts/verify_credentials", token["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    openapi::assert_matches(&me, "CredentialAccount");
    assert_eq!(me["username"], "ana");
    let instance_info = instance.get_json("/api/v2/instance").await;
    assert_eq!(instance_info["usage"]["users"]["active_month"], 1, "signing in counts as activity");
}

#[tokio::test]
async fn out_of_band_sign_in_shows_the_code_and_denial_redirects_with_an_error() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let app = register(&instance, &format!("urn:ietf:wg:oauth:2.0:oob {CALLBACK}"), "read").await;
    let client_id = app["client_id"].as_str().unwrap();
    let page = post_form(
        &instance,
        "/oauth/authorize",
        &[
            ("client_id", client_id),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ("login", "ana"),
            ("password", TEST_PASSWORD),
            ("decision", "approve"),
        ],
    )
    .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let code = html.split(r#"<code id="code">"#).nth(1).unwrap().split('<').next().unwrap();
    let token = post_form(
        &instance,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("code", code),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
        ],
    )
    .await;
    assert_eq!(token.status(), 200);

    let denied = no_redirects()
        .post(instance.url("/oauth/authorize"))
        .form(&[("client_id", client_id), ("redirect_uri", CALLBACK), ("state", "s1"), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 302);
    let location = denied.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(CALLBACK) && location.contains("error=access_denied") && location.contains("state=s1")
    );
}

#[tokio::test]
async fn broken_sign_in_links_never_redirect_to_unregistered_uris() {
    let instance = support::start().await;
    let app = register(&instance, CALLBACK, "read").await;
    for (client_id, redirect_uri, complaint) in [
        ("unknown", CALLBACK, "not registered"),
        (app["client_id"].as_str().unwrap(), "https://evil.example/steal", "is not one of those registered"),
    ] {
        let response = no_redirects()
            .get(instance.url("/oauth/authorize"))
            .query(&[("client_id", client_id), ("redirect_uri", redirect_uri), ("response_type", "code")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(!response.headers().contains_key("location"));
        assert!(response.text().await.unwrap().contains(complaint));
    }
    let too_wide = instance
        .client
        .get(instance.url("/oauth/authorize"))
        .query(&[("client_id", app["client_id"].as_str().unwrap()), ("scope", "read write")])
        .send()
        .await
        .unwrap();
    assert_eq!(too_wide.status(), 400, "scopes beyond the registration are refused");
}

#[tokio::test]
async fn password_client_credentials_and_refresh_grants_and_revocation() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let app = register(&instance, "urn:ietf:wg:oauth:2.0:oob", "read write").await;
    let (id, secret) = (app["client_id"].as_str().unwrap(), app["client_secret"].as_str().unwrap());

    let password_grant = |password: &'static str| {
        let instance = &instance;
        async move {
            post_form(
                instance,
                "/oauth/token",
                &[
                    ("grant_type", "password"),
                    ("client_id", id),
                    ("client_secret", secret),
                    ("username", "ana"),
                    ("password", password),
                ],
            )
            .await
        }
    };
    let refused = password_grant("nope nope nope").await;
    assert_eq!(refused.status(), 403);
    let token: Value = password_grant(TEST_PASSWORD).await.json().await.unwrap();
    let access = token["access_token"].as_str().unwrap().to_owned();
    let refresh = token["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(bearer_get(&instance, "/api/v1/accounts/verify_credentials", &access).await.status(), 200);

    let bad_secret = post_form(
        &instance,
        "/oauth/token",
        &[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", "x")],
    )
    .await;
    assert_eq!(bad_secret.status(), 401);
    assert_eq!(bad_secret.json::<Value>().await.unwrap()["error"], "invalid_client");
    let app_token: Value = instance
        .client
        .post(instance.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "read")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app_token = app_token["access_token"].as_str().unwrap();
    let verified: Value =
        bearer_get(&instance, "/api/v1/apps/verify_credentials", app_token).await.json().await.unwrap();
    assert_eq!(verified["name"], "Ivory <b>");
    let no_user = bearer_get(&instance, "/api/v1/accounts/verify_credentials", app_token).await;
    assert_eq!(no_user.status(), 422, "an app token acts for no user");

    let refreshed: Value = post_form(
        &instance,
        "/oauth/token",
        &[("grant_type", "refresh_token"), ("client_id", id), ("client_secret", secret), ("refresh_token", &refresh)],
    )
    .await
    .json()
    .await
    .unwrap();
    let new_access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(
        bearer_get(&instance, "/api/v1/accounts/verify_credentials", &access).await.status(),
        401,
        "rotated out"
    );
    assert_eq!(bearer_get(&instance, "/api/v1/accounts/verify_credentials", new_access).await.status(), 200);

    let revoked =
        post_form(&instance, "/oauth/revoke", &[("client_id", id), ("client_secret", secret), ("token", new_access)])
            .await;
    assert_eq!(revoked.status(), 200);
    let after = bearer_get(&instance, "/api/v1/accounts/verify_credentials", new_access).await;
    assert_eq!(after.status(), 401);
    assert_eq!(after.json::<Value>().await.unwrap()["error"], "The access token is invalid");
    let unknown_grant = post_form(&instance, "/oauth/token", &[("grant_type", "magic"), ("client_id", id)]).await;
    assert_eq!(unknown_grant.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn the_password_grant_can_be_turned_off() {
    let instance =
        TestInstance::start_with_env(support::BINARY, &[("TERTULIA_OAUTH_ALLOW_PASSWORD_GRANT", "false")]).await;
    instance.create_user("ana", &[]).await;
    let app = register(&instance, "urn:ietf:wg:oauth:2.0:oob", "read").await;
    let response = post_form(
        &instance,
        "/oauth/token",
        &[
            ("grant_type", "password"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("username", "ana"),
            ("password", TEST_PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
    assert!(body["error_description"].as_str().unwrap().contains("oauth.allow_password_grant"));
}

#[tokio::test]
async fn missing_tokens_bad_tokens_wrong_scopes_and_suspension_are_refused() {
    let instance = support::start().await;
    let token = instance.sign_up("ana").await;
    assert_eq!(instance.get("/api/v1/accounts/verify_credentials").await.status(), 401);
    assert_eq!(bearer_get(&instance, "/api/v1/accounts/verify_credentials", "forged").await.status(), 401);
    let write_only = instance.token_with_scopes("ana", "write").await;
    let forbidden = bearer_get(&instance, "/api/v1/accounts/verify_credentials", &write_only).await;
    assert_eq!(forbidden.status(), 403);
    assert!(forbidden.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("read:accounts"));

    assert!(instance.cli(&["admin", "user", "suspend", "ana"]).await.status.success());
    assert_eq!(bearer_get(&instance, "/api/v1/accounts/verify_credentials", &token).await.status(), 403);
}

async fn app_token(instance: &TestInstance) -> String {
    let app = register(instance, "urn:ietf:wg:oauth:2.0:oob", "read write").await;
    let token: Value = post_form(
        instance,
        "/oauth/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("scope", "read write"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sign_up_through_an_app_only_when_registrations_are_open() {
    let closed = support::start().await;
    let token = app_token(&closed).await;
    let form = json!({"username": "newbie", "email": "newbie@acme.example", "password": "a long enough secret", "agreement": true});
    let refused = closed.api(&token).post("/api/v1/accounts", form.clone()).await;
    assert!(refused.error(403).contains("sign-ups are closed"));

    let open = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_INSTANCE_REGISTRATIONS_OPEN", "true")]).await;
    let token = app_token(&open).await;
    let api = open.api(&token);
    let mut no_agreement = form.clone();
    no_agreement["agreement"] = json!(false);
    assert!(api.post("/api/v1/accounts", no_agreement).await.error(422).contains("agreement"));
    let mut weak = form.clone();
    weak["password"] = json!("short");
    assert!(api.post("/api/v1/accounts", weak).await.error(422).contains("password"));

    let created = api.post("/api/v1/accounts", form.clone()).await.ok();
    openapi::assert_matches(&created, "Token");
    let me = open.api(created["access_token"].as_str().unwrap()).get("/api/v1/accounts/verify_credentials").await.ok();
    assert_eq!(me["username"], "newbie");
    let taken = api.post("/api/v1/accounts", form).await;
    assert_eq!(taken.status, 422, "the username is taken now: {}", taken.body);
    openapi::assert_matches(&taken.body, "ValidationError");
    assert_eq!(taken.body["details"]["username"][0]["error"], "ERR_TAKEN");
    assert_eq!(open.api("").post("/api/v1/accounts", json!({})).await.status, 401);
}

#[tokio::test]
async fn client_secrets_are_stored_only_as_hashes_and_the_grants_still_check_them() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let app = register(&instance, "urn:ietf:wg:oauth:2.0:oob", "read").await;
    let (id, secret) = (app["client_id"].as_str().unwrap(), app["client_secret"].as_str().unwrap());

    let config = tertulia_core::config::DatabaseConfig { url: instance.db.url.clone(), ..Default::default() };
    let db = tertulia_db::Db::connect(&config).unwrap();
    let lookup = id.to_owned();
    let row = db.run_blocking(move |conn| tertulia_db::oauth::find_application(conn, &lookup)).unwrap().unwrap();
    assert_eq!(row.client_secret_hash, format!("{:x}", Sha256::digest(secret.as_bytes())));
    let stored = format!("{row:?}");
    assert!(!stored.contains(secret), "the secret itself is stored nowhere: {stored}");

    let client_credentials = [("grant_type", "client_credentials"), ("client_id", id)];
    let granted =
        post_form(&instance, "/oauth/token", &[&client_credentials[..], &[("client_secret", secret)]].concat()).await;
    assert_eq!(granted.status(), 200);
    let wrong =
        post_form(&instance, "/oauth/token", &[&client_credentials[..], &[("client_secret", "not-it")]].concat()).await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.json::<Value>().await.unwrap()["error"], "invalid_client");

    let page = post_form(
        &instance,
        "/oauth/authorize",
        &[
            ("client_id", id),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ("login", "ana"),
            ("password", TEST_PASSWORD),
            ("decision", "approve"),
        ],
    )
    .await;
    let html = page.text().await.unwrap();
    let code = html.split(r#"<code id="code">"#).nth(1).unwrap().split('<').next().unwrap();
    let exchange = |secret: &str| {
        instance
            .client
            .post(instance.url("/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "authorization_code"), ("code", code)])
            .send()
    };
    assert_eq!(exchange("not-it").await.unwrap().status(), 401, "a wrong secret does not spend the code");
    let token: Value = exchange(secret).await.unwrap().json().await.unwrap();
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(bearer_get(&instance, "/api/v1/accounts/verify_credentials", access).await.status(), 200);
}
