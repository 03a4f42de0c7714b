//! Signing in to a test instance the way a client app does.

use serde_json::{Value, json};

use crate::TestInstance;

/// The password `create_user` gives every user.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// A registered OAuth application.
#[derive(Debug, Clone)]
pub struct TestApp {
    pub client_id: String,
    pub client_secret: String,
}

impl TestInstance {
    /// Creates a local user through the CLI, with [`TEST_PASSWORD`].
    pub async fn create_user(&self, username: &str, extra_args: &[&str]) {
        let email = format!("{username}@acme.example");
        let mut args = vec!["admin", "user", "create", "--username", username, "--email", &email, "--password-stdin"];
        args.extend_from_slice(extra_args);
        let out = self.cli_with_stdin(&args, &format!("{TEST_PASSWORD}\n")).await;
        assert!(out.status.success(), "create {username}: {}{}", out.stdout, out.stderr);
    }

    /// Registers an app with the out-of-band redirect URI and `scopes`.
    pub async fn register_app(&self, scopes: &str) -> TestApp {
        let response = self
            .client
            .post(self.url("/api/v1/apps"))
            .form(&[("client_name", "Test rig"), ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"), ("scopes", scopes)])
            .send()
            .await
            .expect("POST /api/v1/apps");
        assert_eq!(response.status(), 200);
        let app: Value = response.json().await.expect("app JSON");
        TestApp {
            client_id: app["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: app["client_secret"].as_str().expect("client_secret").to_owned(),
        }
    }

    /// An app's own token (client-credentials grant), acting for no user.
    pub async fn app_token(&self, scopes: &str) -> String {
        let app = self.register_app(scopes).await;
        let response = self
            .client
            .post(self.url("/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("scope", scopes),
            ])
            .send()
            .await
            .expect("POST /oauth/token");
        let body: Value = response.json().await.expect("token JSON");
        body["access_token"].as_str().unwrap_or_else(|| panic!("no token in {body}")).to_owned()
    }

    /// A token for `username` (password grant) with `scopes`.
    pub async fn token_with_scopes(&self, username: &str, scopes: &str) -> String {
        let app = self.register_app(scopes).await;
        let response = self
            .client
            .post(self.url("/oauth/token"))
            .json(&json!({
                "grant_type": "password",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "username": username,
                "password": TEST_PASSWORD,
                "scope": scopes,
            }))
            .send()
            .await
            .expect("POST /oauth/token");
        let status = response.status();
        let body: Value = response.json().await.expect("token JSON");
        assert_eq!(status, 200, "token for {username}: {body}");
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Creates `username` and returns a token with every user scope.
    pub async fn sign_up(&self, username: &str) -> String {
        self.create_user(username, &[]).await;
        self.token_with_scopes(username, "read write follow push").await
    }

    /// [`sign_up`](Self::sign_up), with the new account's id: most tests
    /// need both to follow, mention or list someone.
    pub async fn sign_up_with_id(&self, username: &str) -> (String, String) {
        let token = self.sign_up(username).await;
        let id = self.api(&token).account_id().await;
        (token, id)
    }

    /// Exchanges an authorization `code` issued to `app` for `redirect_uri`
    /// (a confidential client: it sends its secret) and returns the token
    /// response.
    pub async fn exchange_code(&self, app: &TestApp, code: &str, redirect_uri: &str) -> Value {
        let response = self
            .client
            .post(self.url("/oauth/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ])
            .send()
            .await
            .expect("POST /oauth/token");
        let status = response.status();
        let body: Value = response.json().await.expect("token JSON");
        assert_eq!(status, 200, "code exchange: {body}");
        body
    }

    /// The signed-in account as `verify_credentials` shows it to `token`.
    pub async fn verify_credentials(&self, token: &str) -> Value {
        self.api(token).get("/api/v1/accounts/verify_credentials").await.ok()
    }
}

/// An account's profile fields, as (name, value) pairs, from the `source`
/// that `verify_credentials` shows.
pub fn profile_fields(account: &Value) -> Vec<(String, String)> {
    let fields = account["source"]["fields"].as_array().unwrap_or_else(|| panic!("no source.fields in {account}"));
    fields.iter().map(|f| (f["name"].as_str().unwrap().to_owned(), f["value"].as_str().unwrap().to_owned())).collect()
}
