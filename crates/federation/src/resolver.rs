//! Turning other sites' URLs into local rows: actors and posts are looked
//! up here first and fetched (signed, by the site's own actor) only when
//! unknown, then stored through the domain so they behave like any other.

use serde_json::Value;
use tertulia_core::Id;
use tertulia_core::html;
use tertulia_db::actors::{self, ActorRow, RemoteActorFields};
use tertulia_db::statuses;
use tertulia_domain::remote::{self, RemoteAttachment, RemotePoll, RemoteRevision, RemoteStatus, Resolving};

use crate::protocol::{self, id_of, image_url, str_of, type_of, uris};
use crate::urls::host_of;
use crate::{Federation, FederationError};

/// Object types stored as posts.
const POST_TYPES: [&str; 4] = ["Note", "Question", "Article", "Page"];

impl Federation {
    /// The actor with this URI: ours, one we know, or fetched now.
    pub async fn actor(&self, uri: &str) -> Result<ActorRow, FederationError> {
        let known = {
            let uri = uri.to_owned();
            self.db().run(move |conn| actors::find_by_uri(conn, &uri)).await?
        };
        match known {
            Some(actor) => Ok(actor),
            None => self.refresh_actor(uri).await,
        }
    }

    /// Fetches the actor at `uri` again and stores what it says now.
    pub async fn refresh_actor(&self, uri: &str) -> Result<ActorRow, FederationError> {
        if self.urls().is_local(uri) {
            return Err(FederationError::NotFound(format!("local actor {uri}")));
        }
        let document = self.fetch(uri).await?;
        self.save_actor(&document, uri).await
    }

    /// Stores an actor document that came from `source` (the URL fetched,
    /// or the sender of an `Update`).
    pub(crate) async fn save_actor(&self, document: &Value, source: &str) -> Result<ActorRow, FederationError> {
        let fields = actor_fields(document, source)?;
        let host = fields.domain.clone().unwrap_or_default();
        if !self.allows_host(&host) {
            return Err(FederationError::Forbidden(format!("{host} is not in federation.allowed_domains")));
        }
        let uri = id_of(Some(document)).unwrap_or_default().to_owned();
        let id = remote::save_actor(self.db(), uri, fields).await?;
        self.db()
            .run(move |conn| actors::find(conn, id.0))
            .await?
            .ok_or_else(|| FederationError::Internal("saved actor vanished".into()))
    }

    /// Signed GET of an ActivityPub document on a site we federate with.
    pub(crate) async fn fetch(&self, url: &str) -> Result<Value, FederationError> {
        let host = host_of(url).ok_or_else(|| FederationError::invalid(format!("'{url}' is not a URL")))?;
        if !self.allows_host(&host) {
            return Err(FederationError::Forbidden(format!("{host} is not in federation.allowed_domains")));
        }
        let parsed = url::Url::parse(url).map_err(|e| FederationError::invalid(format!("'{url}': {e}")))?;
        let key = self.instance_key().await?;
        Ok(self.client().fetch(&parsed, &key).await?)
    }

    /// The local id of the post at `uri`: ours, one we have, or fetched and
    /// stored now (with up to `depth` parents, to complete the thread).
    pub async fn status(&self, uri: &str, depth: u32) -> Result<Id, FederationError> {
        if let Some(id) = self.known_status(Some(uri)).await? {
            return Ok(id);
        }
        let document = self.fetch(uri).await?;
        if id_of(Some(&document)) != Some(uri) {
            return Err(FederationError::invalid(format!("{uri} answered with a document with another id")));
        }
        self.save_post(&document, depth).await
    }

    /// A post we already have, ours or stored, without fetching anything.
    pub(crate) async fn known_status(&self, uri: Option<&str>) -> Result<Option<Id>, FederationError> {
        let Some(uri) = uri else {
            return Ok(None);
        };
        if let Some(id) = self.urls().local_status_id(uri) {
            return Ok(Some(Id(id)));
        }
        let uri = uri.to_owned();
        Ok(self.db().run(move |conn| statuses::find_by_uri(conn, &uri)).await?.map(|s| Id(s.id)))
    }

    /// Stores a post document whose origin has been checked (fetched from
    /// its own URL, or sent signed by its author).
    pub(crate) async fn save_post(&self, note: &Value, depth: u32) -> Result<Id, FederationError> {
        if !POST_TYPES.contains(&type_of(note)) {
            return Err(FederationError::invalid(format!("a {} is not a post", type_of(note))));
        }
        let uri = id_of(Some(note)).ok_or_else(|| FederationError::invalid("the post has no id"))?;
        let author_uri =
            id_of(note.get("attributedTo")).ok_or_else(|| FederationError::invalid("the post has no attributedTo"))?;
        if host_of(uri) != host_of(author_uri) {
            return Err(FederationError::Forbidden(format!("{uri} is not on the site of its author {author_uri}")));
        }
        let author = self.actor(author_uri).await?;
        let in_reply_to = match id_of(note.get("inReplyTo")) {
            Some(parent) if depth > 0 => match Box::pin(self.status(parent, depth - 1)).await {
                Ok(id) => Some(id),
                Err(error) => {
                    // A thread with a missing parent still shows the reply.
                    tracing::info!(%parent, %error, "cannot fetch the parent of a reply");
                    None
                }
            },
            _ => None,
        };
        let mut mentioned = Vec::new();
        let mut tags = Vec::new();
        for tag in note.get("tag").map(as_list).unwrap_or_default() {
            match type_of(tag) {
                "Mention" => {
                    if let Some(href) = str_of(tag, "href") {
                        let href = href.to_owned();
                        if let Some(actor) = self.db().run(move |conn| actors::find_by_uri(conn, &href)).await? {
                            mentioned.push(Id(actor.id));
                        }
                    }
                }
                "Hashtag" => {
                    if let Some(name) = str_of(tag, "name") {
                        tags.push(name.trim_start_matches('#').to_lowercase());
                    }
                }
                _ => {}
            }
        }
        let text = revision(note);
        let status = RemoteStatus {
            uri: uri.to_owned(),
            url: id_of(note.get("url")).map(str::to_owned),
            author: Id(author.id),
            in_reply_to,
            visibility: protocol::visibility_of(note, author.followers_url.as_deref()),
            content: text.content,
            spoiler_text: text.spoiler_text,
            sensitive: text.sensitive,
            language: text.language,
            published: protocol::time_of(note, "published").unwrap_or_else(tertulia_db::now),
            mentioned,
            tags,
            attachments: note
                .get("attachment")
                .map(as_list)
                .unwrap_or_default()
                .into_iter()
                .filter_map(attachment)
                .collect(),
            poll: question(note),
        };
        Ok(remote::status_received(self.db(), self.events(), status).await?)
    }
}

/// The text of a post, made safe: sanitized content, the content warning
/// as plain text, the sensitive flag and the language; `edited_at` is its
/// `updated` time (now, when it has none).
pub(crate) fn revision(note: &Value) -> RemoteRevision {
    RemoteRevision {
        content: html::sanitize(str_of(note, "content").unwrap_or_default()),
        spoiler_text: html::to_plain_text(str_of(note, "summary").unwrap_or_default()),
        sensitive: note.get("sensitive").and_then(Value::as_bool).unwrap_or(false),
        language: note.get("contentMap").and_then(Value::as_object).and_then(|m| m.keys().next().cloned()),
        edited_at: protocol::time_of(note, "updated").unwrap_or_else(tertulia_db::now),
    }
}

/// The poll of a `Question`: its options with their counts.
pub(crate) fn question(note: &Value) -> Option<RemotePoll> {
    let (options, multiple) = match (note.get("oneOf"), note.get("anyOf")) {
        (Some(one), _) => (one, false),
        (None, Some(any)) => (any, true),
        (None, None) => return None,
    };
    let options = as_list(options);
    if options.is_empty() {
        return None;
    }
    Some(RemotePoll {
        options: options.iter().map(|o| str_of(o, "name").unwrap_or_default().to_owned()).collect(),
        counts: options.iter().map(|o| o.pointer("/replies/totalItems").and_then(Value::as_i64).unwrap_or(0)).collect(),
        multiple,
        voters_count: note.get("votersCount").and_then(Value::as_i64).and_then(|v| i32::try_from(v).ok()).unwrap_or(0),
        expires_at: protocol::time_of(note, "endTime").or_else(|| protocol::time_of(note, "closed")),
    })
}

/// A file attached to a post: a `Document` (or `Image`, …) with a URL.
fn attachment(value: &Value) -> Option<RemoteAttachment> {
    let url = match value.get("url")? {
        Value::String(url) => url.clone(),
        link => str_of(link, "href").or_else(|| id_of(Some(link)))?.to_owned(),
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return None;
    }
    let number = |key: &str| value.get(key).and_then(Value::as_u64);
    Some(RemoteAttachment {
        url,
        content_type: str_of(value, "mediaType").unwrap_or("image/jpeg").to_owned(),
        description: str_of(value, "name").filter(|n| !n.is_empty()).map(str::to_owned),
        blurhash: str_of(value, "blurhash").map(str::to_owned),
        width: number("width"),
        height: number("height"),
    })
}

/// A property that may hold one item or an array of them.
fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The columns of a remote actor, read from its document. `source` must be
/// on the same site as the actor's id, so no site can speak for another.
fn actor_fields(document: &Value, source: &str) -> Result<RemoteActorFields, FederationError> {
    if !protocol::is_actor(document) {
        return Err(FederationError::invalid(format!("a {} is not an actor", type_of(document))));
    }
    let uri = id_of(Some(document)).ok_or_else(|| FederationError::invalid("the actor has no id"))?;
    let host = host_of(uri).ok_or_else(|| FederationError::invalid(format!("actor id '{uri}' is not a URL")))?;
    if host_of(source).as_deref() != Some(host.as_str()) {
        return Err(FederationError::Forbidden(format!("{source} cannot speak for actor {uri}")));
    }
    let username = str_of(document, "preferredUsername")
        .filter(|name| !name.is_empty())
        .ok_or_else(|| FederationError::invalid(format!("actor {uri} has no preferredUsername")))?;
    let inbox =
        str_of(document, "inbox").ok_or_else(|| FederationError::invalid(format!("actor {uri} has no inbox")))?;
    let key = match document.get("publicKey") {
        Some(Value::Array(keys)) => keys.first(),
        other => other,
    };
    let key = key.ok_or_else(|| FederationError::invalid(format!("actor {uri} has no publicKey")))?;
    let fields: Vec<tertulia_domain::ProfileField> = document
        .get("attachment")
        .map(as_list)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| type_of(a) == "PropertyValue")
        .map(|a| tertulia_domain::ProfileField {
            name: str_of(a, "name").unwrap_or_default().to_owned(),
            value: html::to_plain_text(str_of(a, "value").unwrap_or_default()),
            verified_at: None,
        })
        .collect();
    let flag = |key: &str, default: bool| document.get(key).and_then(Value::as_bool).unwrap_or(default);
    let now = tertulia_db::now();
    Ok(RemoteActorFields {
        username: username.to_owned(),
        domain: Some(host),
        display_name: str_of(document, "name").unwrap_or_default().to_owned(),
        note: html::sanitize(str_of(document, "summary").unwrap_or_default()),
        url: id_of(document.get("url")).map(str::to_owned),
        inbox_url: inbox.to_owned(),
        shared_inbox_url: document.pointer("/endpoints/sharedInbox").and_then(Value::as_str).map(str::to_owned),
        outbox_url: str_of(document, "outbox").map(str::to_owned),
        followers_url: str_of(document, "followers").map(str::to_owned),
        following_url: str_of(document, "following").map(str::to_owned),
        featured_url: id_of(document.get("featured")).map(str::to_owned),
        public_key_pem: str_of(key, "publicKeyPem").unwrap_or_default().to_owned(),
        public_key_id: str_of(key, "id").map(str::to_owned),
        avatar_url: image_url(document.get("icon")),
        header_url: image_url(document.get("image")),
        locked: flag("manuallyApprovesFollowers", false),
        bot: matches!(type_of(document), "Service" | "Application"),
        discoverable: flag("discoverable", false),
        indexable: flag("indexable", false),
        fields: serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into()),
        also_known_as: serde_json::to_string(&uris(document.get("alsoKnownAs"))).unwrap_or_else(|_| "[]".into()),
        actor_type: type_of(document).to_owned(),
        fetched_at: Some(now),
        updated_at: now,
    })
}

impl Federation {
    /// The actor `username@host`, looked up with WebFinger if unknown.
    pub async fn actor_by_handle(&self, username: &str, host: &str) -> Result<ActorRow, FederationError> {
        let known = {
            let (username, host) = (username.to_owned(), host.to_lowercase());
            self.db()
                .run(move |conn| {
                    let account = tertulia_db::accounts::find_by_handle(conn, &username, Some(&host))?;
                    match account {
                        Some(account) => actors::find(conn, account.id),
                        None => Ok(None),
                    }
                })
                .await?
        };
        if let Some(actor) = known {
            return Ok(actor);
        }
        let scheme = if self.config().federation.allow_private_addresses { "http" } else { "https" };
        let finger = format!("{scheme}://{host}/.well-known/webfinger?resource=acct:{username}@{host}");
        let answer = self.fetch(&finger).await?;
        let actor_uri = answer
            .get("links")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|link| {
                str_of(link, "rel") == Some("self")
                    && str_of(link, "type").is_some_and(|t| t.contains("activity+json") || t.contains("ld+json"))
            })
            .and_then(|link| str_of(link, "href"))
            .ok_or_else(|| FederationError::NotFound(format!("@{username}@{host}")))?
            .to_owned();
        self.actor(&actor_uri).await
    }
}

impl tertulia_domain::remote::RemoteResolver for Federation {
    fn resolve_account<'a>(&'a self, username: &'a str, host: &'a str) -> Resolving<'a> {
        Box::pin(async move {
            let found = self.actor_by_handle(username, host).await.map(|actor| Id(actor.id));
            not_found_unless_domain(found, &format!("@{username}@{host}"))
        })
    }

    fn resolve_status<'a>(&'a self, url: &'a str) -> Resolving<'a> {
        Box::pin(async move {
            let found = self.status(url, self.config().federation.max_reply_depth).await;
            not_found_unless_domain(found, url)
        })
    }
}

/// A lookup that failed on the network is "not found" to the user; the
/// reason goes to the log for the admin.
fn not_found_unless_domain(found: Result<Id, FederationError>, what: &str) -> Result<Id, tertulia_domain::DomainError> {
    match found {
        Ok(id) => Ok(id),
        Err(FederationError::Domain(error)) => Err(error),
        Err(error) => {
            tracing::info!(%what, %error, "cannot resolve a remote account or post");
            Err(tertulia_domain::DomainError::NotFound(what.to_owned()))
        }
    }
}
