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
        let app = App::register(base_url).await?;
        app.sign_in(username, password).await
    }

    pub fn url(&self, path: &str) -> Result<Url, BenchError> {
        self.base.join(path).map_err(|e| BenchError::Usage(format!("{path}: {e}")))
    }

    /// The WebSocket streaming URL for `stream`, authenticated by query
    /// parameter as Mastodon's clients do.
    pub fn streaming_socket_url(&self, stream: &str) -> Result<Url, BenchError> {
        let mut url = self.url("/api/v1/streaming")?;
        url.query_pairs_mut().append_pair("stream", stream).append_pair("access_token", &self.token);
        url.set_scheme("ws").map_err(|()| BenchError::Usage(format!("{url}: cannot become a ws:// URL")))?;
        Ok(url)
    }

    /// One page of a paginated list, and the address of the next page (the
    /// `rel="next"` link of its `Link` header) if there is one.
    pub async fn get_page(&self, url: Url) -> Result<(Value, Option<Url>), BenchError> {
        let response = self.client.get(url.clone()).bearer_auth(&self.token).send().await?.error_for_status()?;
        let next = response
            .headers()
            .get("link")
            .and_then(|link| link.to_str().ok())
            .and_then(next_link)
            .and_then(|next| Url::parse(next).ok());
        let body = response.text().await?;
        let page = serde_json::from_str(&body).map_err(|e| BenchError::Check(format!("GET {url}: not JSON ({e})")))?;
        Ok((page, next))
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

/// An OAuth application registered on the server, through which any
/// number of users sign in.
pub struct App {
    anonymous: Target,
    client_id: Value,
    client_secret: Value,
}

impl App {
    pub async fn register(base_url: &str) -> Result<App, BenchError> {
        let anonymous = Target::new(base_url, String::new(), 1)?;
        let app = anonymous
            .post_json(
                "/api/v1/apps",
                &json!({"client_name": "tertulia-bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write follow"}),
            )
            .await?;
        Ok(App { client_id: app["client_id"].clone(), client_secret: app["client_secret"].clone(), anonymous })
    }

    /// Signs `username` in with the OAuth password grant.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<Target, BenchError> {
        let token = self
            .anonymous
            .post_json(
                "/oauth/token",
                &json!({
                    "grant_type": "password", "username": username, "password": password, "scope": "read write follow",
                    "client_id": self.client_id, "client_secret": self.client_secret,
                }),
            )
            .await?;
        let token = token["access_token"]
            .as_str()
            .ok_or_else(|| BenchError::Check(format!("signing in {username} gave no token: {token}")))?;
        Ok(Target { token: token.to_owned(), ..self.anonymous.clone() })
    }
}

/// The target of `rel="next"` in a `Link` header.
fn next_link(header: &str) -> Option<&str> {
    header.split(',').find_map(|link| {
        let (target, params) = link.split_once(';')?;
        params.contains("rel=\"next\"").then(|| target.trim().trim_start_matches('<').trim_end_matches('>'))
    })
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

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn next_link_is_found_among_others() {
        let header =
            r#"<http://127.0.0.1:3000/a?max_id=9>; rel="next", <http://127.0.0.1:3000/a?min_id=20>; rel="prev""#;
        assert_eq!(next_link(header), Some("http://127.0.0.1:3000/a?max_id=9"));
        assert_eq!(next_link(r#"<http://127.0.0.1:3000/a?min_id=20>; rel="prev""#), None);
    }
}
