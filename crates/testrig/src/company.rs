//! Steps many company-network tests take: a site following another,
//! admins, colleagues with profile fields, and what the directory, account
//! search and announcements show.

use serde_json::{Value, json};

use crate::{ApiClient, TestInstance, eventually, openapi};

/// What an admin's token may do in these tests.
const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

impl TestInstance {
    /// Has this site follow `site` as a site (`tertulia admin federation
    /// follow-site`) and waits until `site` accepts.
    pub async fn follow_site(&self, site: &TestInstance) {
        let asked = self.cli(&["admin", "federation", "follow-site", &site.domain]).await;
        assert!(asked.status.success(), "follow-site {}: {}", site.domain, asked.stderr);
        eventually("the site follow to be accepted", || async {
            let sites = self.cli(&["admin", "federation", "sites"]).await;
            sites.stdout.contains(&format!("{}: following", site.domain)).then_some(())
        })
        .await;
    }

    /// Creates `username` as an admin; returns a token with the user and
    /// admin scopes.
    pub async fn sign_up_admin(&self, username: &str) -> String {
        self.create_user(username, &["--admin"]).await;
        self.token_with_scopes(username, ADMIN_SCOPES).await
    }

    /// Signs `username` up with these profile fields and discoverability;
    /// returns a token.
    pub async fn sign_up_colleague(&self, username: &str, fields: &[(&str, &str)], discoverable: bool) -> String {
        let token = self.sign_up(username).await;
        let fields: Vec<Value> = fields.iter().map(|(name, value)| json!({"name": name, "value": value})).collect();
        let body = json!({"fields_attributes": fields, "discoverable": discoverable});
        self.api(&token).patch("/api/v1/accounts/update_credentials", body).await.ok();
        token
    }
}

impl ApiClient<'_> {
    /// The `acct`s `GET /api/v1/directory?<query>` lists.
    pub async fn directory(&self, query: &str) -> Vec<String> {
        accts(&self.get(&format!("/api/v1/directory?{query}")).await.ok())
    }

    /// The `acct`s an account search for `q` finds, without resolving.
    pub async fn search_accounts(&self, q: &str) -> Vec<String> {
        let found = self.get(&format!("/api/v2/search?type=accounts&q={q}")).await.ok();
        accts(&found["accounts"])
    }

    /// What a search with resolve finds for `@username@<other's domain>`:
    /// nothing when either site refuses the other.
    pub async fn resolved(&self, username: &str, other: &TestInstance) -> Vec<Value> {
        let q = format!("@{username}@{}", other.domain);
        let found = self.get(&format!("/api/v2/search?type=accounts&resolve=true&q={q}")).await.ok();
        found["accounts"].as_array().cloned().unwrap_or_default()
    }

    /// The announcements this user sees, each checked against Mastodon's
    /// schema.
    pub async fn announcements(&self) -> Vec<Value> {
        let list = self.get("/api/v1/announcements").await.ok();
        let list = list.as_array().unwrap_or_else(|| panic!("not a list: {list}")).clone();
        for announcement in &list {
            openapi::assert_matches(announcement, "Announcement");
        }
        list
    }
}

/// The `acct` of each account in a JSON array.
pub fn accts(accounts: &Value) -> Vec<String> {
    let accounts = accounts.as_array().unwrap_or_else(|| panic!("not a list of accounts: {accounts}"));
    accounts.iter().map(|a| a["acct"].as_str().expect("acct").to_owned()).collect()
}

/// A user's server-sent events (`GET /api/v1/streaming/user`).
pub struct EventStream {
    response: reqwest::Response,
    /// What arrived and was not yet consumed by [`wait_for`](Self::wait_for).
    unread: String,
}

impl ApiClient<'_> {
    /// Opens the user's event stream; it is subscribed once this returns
    /// (the server's greeting came).
    pub async fn user_events(&self) -> EventStream {
        let url = self.instance.url("/api/v1/streaming/user");
        let mut response = self.instance.client.get(url).bearer_auth(&self.token).send().await.expect("stream");
        assert_eq!(response.status(), 200, "GET /api/v1/streaming/user");
        let greeting = response.chunk().await.expect("stream greeting");
        assert_eq!(greeting.as_deref(), Some(&b":)\n\n"[..]), "the stream's greeting");
        EventStream { response, unread: String::new() }
    }
}

impl EventStream {
    /// The data of the next `event` on the stream (events of other kinds
    /// before it are skipped); fails after [`PATIENCE`](crate::PATIENCE).
    pub async fn wait_for(&mut self, event: &str) -> String {
        let marker = format!("event: {event}\ndata: ");
        tokio::time::timeout(crate::PATIENCE, async {
            loop {
                if let Some(start) = self.unread.find(&marker).map(|at| at + marker.len())
                    && let Some(length) = self.unread[start..].find('\n')
                {
                    let data = self.unread[start..start + length].to_owned();
                    self.unread.drain(..start + length);
                    return data;
                }
                let chunk = self.response.chunk().await.expect("stream").expect("the stream ended");
                self.unread.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {event} event within {:?}; received: {}", crate::PATIENCE, self.unread))
    }
}
