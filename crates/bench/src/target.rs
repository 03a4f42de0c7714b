//! The server a load scenario talks to: on this machine only, with one
//! access token.

use std::time::Duration;

use reqwest::{Client, Url};
use serde_json::{Value, json};

use crate::BenchError;

#[derive(Clone)]
pub struct Target {
    pub client: Client,
    pub base: Url,
    pub token: String,
}

impl Target {
    /// Checks that `base_url` is on this machine (load goes nowhere else)
    /// and keeps `connections` connections open for reuse.
    pub fn new(base_url: &str, token: String, connections: usize) -> Result<Target, BenchError> {
        let base = loopback_url(base_url)?;
        let client = Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(connections).build()?;
        Ok(Target { client, base, token })
    }

    /// Signs `username` in with the OAuth password grant, through an app
    /// registered for the purpose.
    pub async fn sign_in(base_url: &str, username: &str, password: &str) -> Result<Target, BenchError> {
        let anonymous = Target::new(base_url, String::new(), 1)?;
        let app = anonymous
            .post_json(
                "/api/v1/apps",
                &json!({"client_name": "tertulia-bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write follow"}),
            )
            .await?;
        let token = anonymous
            .post_json(
                "/oauth/token",
                &json!({
                    "grant_type": "password", "username": username, "password": password, "scope": "read write follow",
                    "client_id": app["client_id"], "client_secret": app["client_secret"],
                }),
            )
            .await?;
        let token = token["access_token"]
            .as_str()
            .ok_or_else(|| BenchError::Check(format!("signing in {username} gave no token: {token}")))?;
        Ok(Target { token: token.to_owned(), ..anonymous })
    }

    pub fn url(&self, path: &str) -> Result<Url, BenchError> {
        self.base.join(path).map_err(|e| BenchError::Usage(format!("{path}: {e}")))
    }

    pub async fn get_json(&self, path: &str) -> Result<Value, BenchError> {
        let request = self.client.get(self.url(path)?);
        self.send(request, "GET", path).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, BenchError> {
        let request = self.client.post(self.url(path)?).json(body);
        self.send(request, "POST", path).await
    }

    async fn send(&self, request: reqwest::RequestBuilder, method: &str, path: &str) -> Result<Value, BenchError> {
        let request = if self.token.is_empty() { request } else { request.bearer_auth(&self.token) };
        let response = request.send().await?;
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            return Err(BenchError::Check(format!("{method} {path}: {status}: {body}")));
        }
        serde_json::from_str(&body).map_err(|e| BenchError::Check(format!("{method} {path}: not JSON ({e})")))
    }
}

/// `url` parsed, if it names this machine.
fn loopback_url(url: &str) -> Result<Url, BenchError> {
    let base = Url::parse(url).map_err(|e| BenchError::Usage(format!("--base-url: {e}")))?;
    if !matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) {
        return Err(BenchError::Usage(format!(
            "--base-url {base}: only a server on this machine (127.0.0.1, [::1] or localhost) may be load-tested"
        )));
    }
    Ok(base)
}
