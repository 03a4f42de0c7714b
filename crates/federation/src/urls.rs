//! The URLs this site gives its actors, posts and activities. They are
//! permanent: other sites store them, so changing one breaks every copy.

/// Builds this site's ActivityPub URLs from its base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    base: String,
    /// The site's host (with its port, if any), as [`host_of`] names it.
    host: Option<String>,
}

impl Urls {
    pub fn new(base_url: &str) -> Urls {
        Urls { base: base_url.trim_end_matches('/').to_owned(), host: host_of(base_url) }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn actor(&self, username: &str) -> String {
        format!("{}/users/{username}", self.base)
    }

    pub fn profile_page(&self, username: &str) -> String {
        format!("{}/@{username}", self.base)
    }

    pub fn inbox(&self, username: &str) -> String {
        format!("{}/inbox", self.actor(username))
    }

    pub fn outbox(&self, username: &str) -> String {
        format!("{}/outbox", self.actor(username))
    }

    pub fn followers(&self, username: &str) -> String {
        format!("{}/followers", self.actor(username))
    }

    pub fn following(&self, username: &str) -> String {
        format!("{}/following", self.actor(username))
    }

    pub fn featured(&self, username: &str) -> String {
        format!("{}/collections/featured", self.actor(username))
    }

    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }

    /// The site's own actor, which signs fetches and follows other sites.
    pub fn instance_actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    /// Key ids are the actor's URL with a fragment, as Mastodon does.
    pub fn key_id(actor_uri: &str) -> String {
        format!("{actor_uri}#main-key")
    }

    pub fn tag(&self, name: &str) -> String {
        format!("{}/tags/{name}", self.base)
    }

    /// The `Follow` activity a local follow request sent.
    pub fn follow(&self, request_id: i64) -> String {
        format!("{}/follows/{request_id}", self.base)
    }

    /// The site actor's `Follow` of relay `relay_id`.
    pub fn relay_follow(&self, relay_id: i64) -> String {
        format!("{}/relays/{relay_id}/follow", self.base)
    }

    /// The relay whose follow `follow_uri` names, if it is one of ours.
    pub fn relay_of_follow(&self, follow_uri: &str) -> Option<i64> {
        follow_uri.strip_prefix(&format!("{}/relays/", self.base))?.strip_suffix("/follow")?.parse().ok()
    }

    /// A local like, named after the favourite's pair so an Undo can name it
    /// without storing anything.
    pub fn like(&self, actor_uri: &str, status_id: i64) -> String {
        format!("{actor_uri}#likes/{status_id}")
    }

    /// Whether `url` is on this site: its host is ours, whatever the scheme,
    /// the case or a trailing dot. Such a URL is never fetched, delivered to
    /// or stored as another site's.
    pub fn is_local(&self, url: &str) -> bool {
        self.host.is_some() && host_of(url) == self.host
    }

    /// The local status id in a status URL of this site
    /// (`/users/ana/statuses/123`), if it is one.
    pub fn local_status_id(&self, url: &str) -> Option<i64> {
        let path = url.strip_prefix(&self.base)?;
        let mut parts = path.trim_start_matches('/').split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("users"), Some(_), Some("statuses"), Some(id), None) => id.parse().ok(),
            _ => None,
        }
    }
}

/// The host (with port, if any) of a URL: how sites are named here. A
/// trailing dot (`es.example.`, the same name to DNS) is dropped, so a site
/// has one name only.
pub fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.trim_end_matches('.').to_lowercase();
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_status_urls_are_recognised_and_others_are_not() {
        let urls = Urls::new("http://localhost:3001/");
        assert_eq!(urls.local_status_id("http://localhost:3001/users/ana/statuses/42"), Some(42));
        assert_eq!(urls.local_status_id("http://localhost:3002/users/ana/statuses/42"), None);
        assert_eq!(urls.local_status_id("http://localhost:3001/users/ana"), None);
        assert!(urls.is_local("http://localhost:3001/users/ana"));
        assert!(!urls.is_local("http://localhost:30011/users/ana"));
        assert!(!urls.is_local("http://localhost:3001.evil.example/users/ana"));
        assert!(!urls.is_local("not a url"));
    }

    #[test]
    fn every_spelling_of_our_own_host_is_local() {
        let urls = Urls::new("https://hq.acme.example");
        for url in [
            "https://hq.acme.example/users/alice#main-key",
            "http://hq.acme.example/users/alice",
            "https://HQ.Acme.Example/users/alice",
            "https://hq.acme.example./users/alice",
            "https://hq.acme.example:443/users/alice",
            "https://user@hq.acme.example/users/alice",
        ] {
            assert!(urls.is_local(url), "{url}");
        }
        assert!(!urls.is_local("https://hq.acme.example:8443/users/alice"));
        assert!(!urls.is_local("https://es.acme.example/users/alice"));
    }

    #[test]
    fn hosts_keep_their_port() {
        assert_eq!(host_of("http://LocalHost:3001/users/a").as_deref(), Some("localhost:3001"));
        assert_eq!(host_of("https://es.acme.example/inbox").as_deref(), Some("es.acme.example"));
        assert_eq!(host_of("https://es.acme.example./inbox").as_deref(), Some("es.acme.example"));
    }
}
