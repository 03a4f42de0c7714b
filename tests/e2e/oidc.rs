//! Company sign-in through OpenID Connect, against a real provider (the npm
//! package `oidc-provider`, tests/oidc/provider.mjs) started here: a
//! Mastodon app's whole sign-in with cookies through the provider's pages,
//! provisioning with mapped claims and a group → admin role, a changed
//! claim on the next sign-in, a denied login, a forged and a reused state,
//! a suspended account, a wrong issuer in the configuration and a provider
//! that cannot be reached.
//!
//! Needs Node.js and the provider's packages: `cd tests/oidc && npm ci`
//! (tests/run.sh does it and sets TERTULIA_TEST_OIDC_PROVIDER).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tertulia_testrig::{TestApp, TestInstance, eventually, free_port, http_client, profile_fields};
use tokio::process::{Child, Command};

const APP_REDIRECT: &str = "https://app.example/signed-in";

/// The provider's directory: `TERTULIA_TEST_OIDC_PROVIDER`, or tests/oidc.
fn provider_dir() -> PathBuf {
    let dir = std::env::var_os("TERTULIA_TEST_OIDC_PROVIDER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc"));
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "the test OpenID provider is not installed in {}: run `npm ci` there (needs Node.js 20 or later: \
         `apt-get install nodejs npm`)",
        dir.display()
    );
    dir
}

/// `oidc-provider` on a free loopback port, killed (by its pid) when dropped.
struct Provider {
    issuer: String,
    people: PathBuf,
    _process: Child,
    _dir: tempfile::TempDir,
}

impl Provider {
    async fn start(port: u16, redirect_uri: &str, people: &Value) -> Provider {
        let code = provider_dir();
        let dir = tempfile::tempdir().unwrap();
        let people_file = dir.path().join("people.json");
        std::fs::write(&people_file, people.to_string()).unwrap();
        let process = Command::new("node")
            .current_dir(&code)
            .arg("provider.mjs")
            .arg(port.to_string())
            .arg(redirect_uri)
            .arg(&people_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node (apt-get install nodejs)");
        let address = format!("127.0.0.1:{port}");
        eventually("the OpenID provider accepts connections", || async {
            tokio::net::TcpStream::connect(&address).await.ok().map(|_| ())
        })
        .await;
        Provider { issuer: format!("http://127.0.0.1:{port}"), people: people_file, _process: process, _dir: dir }
    }

    /// Changes the people's claims, as IT would in the company directory.
    fn set_people(&self, people: &Value) {
        std::fs::write(&self.people, people.to_string()).unwrap();
    }
}

fn people(ana_title: &str) -> Value {
    json!({
        "ana": {
            "preferred_username": "ana.garcia@acme.example",
            "name": "Ana García",
            "email": "ana.garcia@acme.example",
            "email_verified": true,
            "department": "Finance",
            "title": ana_title,
            "office": "Madrid HQ",
            "groups": ["staff", "tertulia-admins"],
        },
        "bruno": {
            "preferred_username": "bruno",
            "name": "Bruno Díaz",
            "email": "bruno@acme.example",
            "groups": ["staff"],
        },
    })
}

fn settings(issuer: &str) -> String {
    format!(
        r#"[auth]
local_passwords = false

[auth.oidc]
issuer = "{issuer}"
name = "Contoso"
client_id = "tertulia"
client_secret = "tertulia-test-secret"
timeout_secs = 5
admin_groups = ["tertulia-admins"]
"#
    )
}

/// A browser without JavaScript: follows nothing by itself, keeps cookies
/// by name (one provider and one Tertulia, so paths and hosts do not matter).
struct Browser {
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new() -> Browser {
        let client = http_client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, cookies: BTreeMap::new() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let cookie: Vec<String> = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let response = request.header(COOKIE, cookie.join("; ")).send().await.unwrap();
        for set in response.headers().get_all(SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        response
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let request = self.client.get(url);
        self.send(request).await
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let request = self.client.post(url).form(form);
        self.send(request).await
    }
}

fn location(response: &reqwest::Response, base: &str) -> String {
    assert!(response.status().is_redirection(), "expected a redirect, got {}", response.status());
    let location = response.headers()[LOCATION].to_str().unwrap();
    url::Url::parse(base).unwrap().join(location).unwrap().to_string()
}

fn authorize_query(app: &TestApp, redirect_uri: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", "read")
        .append_pair("state", "app-state-42")
        .finish()
}

/// What a person does at the provider: sign in as `login` and consent
/// (or cancel), until the provider sends them back to Tertulia's callback,
/// whose URL is returned.
async fn at_provider(browser: &mut Browser, instance: &TestInstance, start: &str, login: Option<&str>) -> String {
    let mut url = location(&browser.get(start).await, start);
    while !url.starts_with(&instance.base_url) {
        let response = browser.get(&url).await;
        if response.status().is_redirection() {
            url = location(&response, &url);
            continue;
        }
        assert_eq!(response.status(), 200, "provider page {url}");
        let page = response.text().await.unwrap();
        let response = match login {
            None => browser.get(&format!("{url}/abort")).await,
            Some(login) if page.contains(r#"value="login""#) => {
                browser.post(&url, &[("prompt", "login"), ("login", login), ("password", "any")]).await
            }
            Some(_) => browser.post(&url, &[("prompt", "consent")]).await,
        };
        url = location(&response, &url);
    }
    url
}

/// Signs `login` in through the provider for the app, and returns the
/// account `verify_credentials` shows.
async fn company_sign_in(instance: &TestInstance, app: &TestApp, login: &str) -> Value {
    let mut browser = Browser::new();
    let start = instance.url(&format!("/oauth/oidc/start?{}", authorize_query(app, APP_REDIRECT)));
    let callback = at_provider(&mut browser, instance, &start, Some(login)).await;
    let back_to_app = location(&browser.get(&callback).await, &callback);
    let back_to_app = url::Url::parse(&back_to_app).unwrap();
    assert!(back_to_app.as_str().starts_with(APP_REDIRECT), "{back_to_app}");
    let query: BTreeMap<String, String> = back_to_app.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "app-state-42", "the app's own state comes back to it");
    let token = instance.exchange_code(app, &query["code"], APP_REDIRECT).await;
    instance.verify_credentials(token["access_token"].as_str().unwrap_or_else(|| panic!("no token: {token}"))).await
}

async fn register_app(instance: &TestInstance) -> TestApp {
    let app: Value = instance
        .client
        .post(instance.url("/api/v1/apps"))
        .form(&[("client_name", "Contoso Social"), ("redirect_uris", APP_REDIRECT), ("scopes", "read")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    TestApp {
        client_id: app["client_id"].as_str().unwrap().to_owned(),
        client_secret: app["client_secret"].as_str().unwrap().to_owned(),
    }
}

async fn page(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    response.text().await.unwrap()
}

#[tokio::test]
async fn staff_sign_in_with_the_company_provider_and_get_their_company_profile() {
    let provider_port = free_port();
    let config_dir = tempfile::tempdir().unwrap();
    let config_file = config_dir.path().join("tertulia.toml");
    std::fs::write(&config_file, settings(&format!("http://127.0.0.1:{provider_port}"))).unwrap();
    let config_path = config_file.display().to_string();
    let mut instance = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_CONFIG", &config_path)]).await;
    let provider = Provider::start(provider_port, &instance.url("/oauth/oidc/callback"), &people("Controller")).await;
    let app = register_app(&instance).await;

    // The sign-in page offers the provider, and no password, since local
    // passwords are off and there is no directory.
    let html =
        page(instance.get(&format!("/oauth/authorize?{}", authorize_query(&app, APP_REDIRECT))).await, 200).await;
    assert!(html.contains("Sign in with Contoso") && html.contains(r#"action="/oauth/oidc/start""#), "{html}");
    assert!(!html.contains(r#"name="password""#), "{html}");

    // First sign-in creates the account from the claims (ID token and
    // user info); the admin group makes an admin.
    let ana = company_sign_in(&instance, &app, "ana").await;
    assert_eq!(ana["username"], "ana_garcia", "the part before @, dots as underscores");
    assert_eq!(ana["display_name"], "Ana García");
    assert_eq!(ana["role"]["name"], "admin");
    let company_fields = |title: &str| {
        [("Department", "Finance"), ("Title", title), ("Office", "Madrid HQ")]
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .to_vec()
    };
    assert_eq!(profile_fields(&ana), company_fields("Controller"));

    // A later sign-in follows the provider: same account, new title.
    provider.set_people(&people("Head of Finance"));
    let again = company_sign_in(&instance, &app, "ana").await;
    assert_eq!(again["id"], ana["id"]);
    assert_eq!(profile_fields(&again), company_fields("Head of Finance"));
    let bruno = company_sign_in(&instance, &app, "bruno").await;
    assert_eq!((bruno["username"].as_str(), bruno["role"]["name"].as_str()), (Some("bruno"), Some("user")));

    // The person cancels at the provider: a page saying so, no code.
    let mut browser = Browser::new();
    let start = instance.url(&format!("/oauth/oidc/start?{}", authorize_query(&app, APP_REDIRECT)));
    let callback = at_provider(&mut browser, &instance, &start, None).await;
    let html = page(browser.get(&callback).await, 403).await;
    assert!(html.contains("Contoso did not sign you in"), "{html}");

    // A forged state, and a real one used twice, get no account.
    let html = page(browser.get(&instance.url("/oauth/oidc/callback?state=forged&code=stolen")).await, 400).await;
    assert!(html.contains("expired or was already used"), "{html}");
    let callback = at_provider(&mut browser, &instance, &start, Some("bruno")).await;
    assert_eq!(browser.get(&callback).await.status(), 302);
    let html = page(browser.get(&callback).await, 400).await;
    assert!(html.contains("expired or was already used"), "{html}");

    // A suspended account stays out, however it signs in.
    assert!(instance.cli(&["admin", "user", "suspend", "bruno"]).await.status.success());
    let callback = at_provider(&mut browser, &instance, &start, Some("bruno")).await;
    let html = page(browser.get(&callback).await, 403).await;
    assert!(html.contains("This account is suspended"), "{html}");

    // The configured issuer is not the one the provider announces: a
    // clear page for the person, both URLs in the log for IT.
    let wrong_issuer = format!("http://localhost:{provider_port}");
    std::fs::write(&config_file, settings(&wrong_issuer)).unwrap();
    instance.restart().await;
    let html = page(browser.get(&start).await, 503).await;
    assert!(html.contains("Signing in with Contoso is not working right now"), "{html}");
    let logs = instance.logs();
    assert!(logs.contains(&wrong_issuer) && logs.contains(&provider.issuer), "{logs}");

    // The provider cannot be reached (nothing listens on that port).
    std::fs::write(&config_file, settings(&format!("http://127.0.0.1:{}", free_port()))).unwrap();
    instance.restart().await;
    let html = page(browser.get(&start).await, 503).await;
    assert!(html.contains("Contoso cannot be reached"), "{html}");
    assert_eq!(instance.get("/healthz").await.status(), 200);
}
