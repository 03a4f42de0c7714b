//! Turning other sites' URLs into local rows: actors and posts are looked
//! up here first and fetched (signed, by the site's own actor) only when
//! unknown, then stored through the domain so they behave like any other.

use serde_json::Value;
use tertulia_core::Id;
use tertulia_core::config::{Config, Protocol};
use tertulia_core::html;
use tertulia_db::actors::{self, ActorRow, ActorType, RemoteActorFields};
use tertulia_domain::calendar::{Attendance, RemoteEvent};
use tertulia_domain::remote::{
    self, RemoteAttachment, RemoteEdit, RemotePoll, RemoteRevision, RemoteStatus, Resolving,
};

use crate::client::Fetched;
use crate::protocol::{self, id_of, image_url, str_of, type_of, uris};
use crate::site_identity;
use crate::urls::host_of;
use crate::{Federation, FederationError};

/// Object types stored as posts.
const POST_TYPES: [&str; 5] = ["Note", "Question", "Article", "Page", "Event"];

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
        let fetched = self.fetch(uri).await?;
        self.save_actor(&fetched.document, fetched.url.as_str()).await
    }

    /// Stores an actor document that came from `source` (the URL that
    /// answered a fetch, or the sender of an `Update`). An actor of this
    /// site is never stored as a remote one, whatever another site says.
    pub(crate) async fn save_actor(&self, document: &Value, source: &str) -> Result<ActorRow, FederationError> {
        let (uri, fields) = actor_fields(document, source)?;
        if self.urls().is_local(&uri) {
            return Err(FederationError::Forbidden(format!(
                "{uri} is an account of this site; no document from elsewhere can change it"
            )));
        }
        let limits = self.admit(&fields.domain)?;
        let id = remote::save_actor(self.db(), uri, fields, limits).await?;
        self.db()
            .run(move |conn| actors::find(conn, id.0))
            .await?
            .ok_or_else(|| FederationError::Internal("saved actor vanished".into()))
    }

    /// Signed GET of an ActivityPub document on another site. The client
    /// refuses this site itself, sites outside the allowlist (on every
    /// redirect) and everything when federation is off.
    pub(crate) async fn fetch(&self, url: &str) -> Result<Fetched, FederationError> {
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
        let post = self.fetch_post(uri).await?;
        self.save_post(&post, depth).await
    }

    /// The document at `uri` as its own site serves it now: refused if
    /// another site answered or it carries another id.
    pub(crate) async fn fetch_post(&self, uri: &str) -> Result<Value, FederationError> {
        let fetched = self.fetch(uri).await?;
        if id_of(Some(&fetched.document)) != Some(uri) {
            return Err(FederationError::invalid(format!("{uri} answered with a document with another id")));
        }
        if host_of(fetched.url.as_str()) != host_of(uri) {
            return Err(FederationError::Forbidden(format!("{uri} was answered by another site ({})", fetched.url)));
        }
        Ok(fetched.document)
    }

    /// A post we already have, ours or stored, without fetching anything.
    pub(crate) async fn known_status(&self, uri: Option<&str>) -> Result<Option<Id>, FederationError> {
        let Some(uri) = uri else {
            return Ok(None);
        };
        if let Some(id) = self.urls().local_status_id(uri) {
            return Ok(Some(Id(id)));
        }
        let found = tertulia_domain::remote::known_status(self.db(), uri.to_owned()).await?;
        Ok(found.map(|(status, _)| status))
    }

    /// Stores a post document whose origin has been checked (fetched from
    /// its own URL, or sent signed by its author).
    pub(crate) async fn save_post(&self, note: &Value, depth: u32) -> Result<Id, FederationError> {
        let mut post = read_post(note)?;
        if self.admit(&host_of(post.uri).unwrap_or_default())?.reject_media {
            post.attachments.clear();
        }
        let author = self.actor(post.author).await?;
        let in_reply_to = match post.in_reply_to {
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
        let mentioned = self.known_actors(&post.mentions).await?;
        let status = RemoteStatus {
            uri: post.uri.to_owned(),
            url: post.url,
            author: Id(author.id),
            in_reply_to,
            visibility: protocol::visibility_of(note, author.followers_url.as_deref()),
            content: post.text.content,
            spoiler_text: post.text.spoiler_text,
            sensitive: post.text.sensitive,
            language: post.text.language,
            published: post.published.unwrap_or_else(tertulia_db::now),
            mentioned,
            tags: post.tags,
            attachments: post.attachments,
            poll: post.poll,
            event: post.event,
        };
        let id = remote::status_received(self.ctx(), status).await?;
        self.save_quote(note, id, author.followers_url.as_deref(), depth).await?;
        Ok(id)
    }

    /// An edited post document (the object of an `Update`), read as a new
    /// post is: its text, mentions, tags and event.
    pub(crate) async fn edited_post(&self, note: &Value) -> Result<RemoteEdit, FederationError> {
        let post = read_post(note)?;
        Ok(RemoteEdit {
            mentioned: self.known_actors(&post.mentions).await?,
            text: post.text,
            tags: post.tags,
            event: post.event,
        })
    }

    /// The local ids of the actors among `uris` known here; mentions of
    /// unknown actors are not fetched, so a post cannot make us fetch a
    /// whole address book.
    async fn known_actors(&self, uris: &[&str]) -> Result<Vec<Id>, FederationError> {
        let mut known = Vec::new();
        for uri in uris {
            let uri = (*uri).to_owned();
            if let Some(actor) = self.db().run(move |conn| actors::find_by_uri(conn, &uri)).await? {
                known.push(Id(actor.id));
            }
        }
        Ok(known)
    }
}

/// What we keep of a post document, read before anything is looked up:
/// the author, parent and mentioned actors are still URIs. (Visibility
/// needs the author's followers collection: [`protocol::visibility_of`].)
#[derive(Debug)]
pub(crate) struct PostDocument<'a> {
    pub(crate) uri: &'a str,
    pub(crate) author: &'a str,
    pub(crate) in_reply_to: Option<&'a str>,
    /// Actor URIs of the `Mention` tags.
    pub(crate) mentions: Vec<&'a str>,
    /// Lower-cased names of the `Hashtag` tags.
    pub(crate) tags: Vec<String>,
    pub(crate) url: Option<String>,
    pub(crate) text: RemoteRevision,
    pub(crate) published: Option<chrono::NaiveDateTime>,
    pub(crate) attachments: Vec<RemoteAttachment>,
    pub(crate) poll: Option<RemotePoll>,
    pub(crate) event: Option<RemoteEvent>,
}

/// Reads a post (`Note`, `Question`, …), refusing one that is not on its
/// author's site.
pub(crate) fn read_post(note: &Value) -> Result<PostDocument<'_>, FederationError> {
    if !POST_TYPES.contains(&type_of(note)) {
        return Err(FederationError::invalid(format!("a {} is not a post", type_of(note))));
    }
    let uri = id_of(Some(note)).ok_or_else(|| FederationError::invalid("the post has no id"))?;
    if web_host(uri).is_none() {
        return Err(FederationError::invalid(format!("post id '{uri}' is not an http(s) URL")));
    }
    let author =
        id_of(note.get("attributedTo")).ok_or_else(|| FederationError::invalid("the post has no attributedTo"))?;
    if host_of(uri) != host_of(author) {
        return Err(FederationError::Forbidden(format!("{uri} is not on the site of its author {author}")));
    }
    let tags = note.get("tag").map(as_list).unwrap_or_default();
    Ok(PostDocument {
        uri,
        author,
        in_reply_to: id_of(note.get("inReplyTo")),
        mentions: tags.iter().filter(|t| type_of(t) == "Mention").filter_map(|t| str_of(t, "href")).collect(),
        tags: tags
            .iter()
            .filter(|t| type_of(t) == "Hashtag")
            .filter_map(|t| str_of(t, "name"))
            .map(|name| name.trim_start_matches('#').to_lowercase())
            .collect(),
        url: web_link(id_of(note.get("url"))),
        text: revision(note),
        published: protocol::time_of(note, "published"),
        attachments: note
            .get("attachment")
            .map(as_list)
            .unwrap_or_default()
            .into_iter()
            .filter_map(attachment)
            .collect(),
        poll: question(note),
        event: event(note),
    })
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

/// The event of an `Event` (Mobilizon's, Friendica's or ours): its name
/// and times, its place's name (or street address), and the answer
/// totals its site counted, if it says. An `Event` without a valid
/// `startTime` is kept as a plain post.
pub(crate) fn event(note: &Value) -> Option<RemoteEvent> {
    if type_of(note) != "Event" {
        return None;
    }
    let starts_at = protocol::time_of(note, "startTime")?;
    let location = note.get("location").and_then(|place| match place {
        Value::String(name) => Some(name.clone()),
        place => str_of(place, "name").or_else(|| place.pointer("/address/streetAddress")?.as_str()).map(str::to_owned),
    });
    Some(RemoteEvent {
        name: html::to_plain_text(str_of(note, "name").unwrap_or_default()),
        starts_at,
        ends_at: protocol::time_of(note, "endTime").unwrap_or(starts_at),
        timezone: str_of(note, "timezone").map(str::to_owned),
        location: location.map(|l| html::to_plain_text(&l)),
        totals: answer_totals(note),
    })
}

/// An event's answer totals: Mobilizon's `participantCount` (those
/// going), with our `maybeCount` and `notGoingCount` when present (other
/// software sends neither: none is counted). No `participantCount`, or a
/// count that is not a whole number from 0 up, means no totals.
fn answer_totals(event: &Value) -> Option<Attendance> {
    let count = |key: &str| event.get(key).and_then(Value::as_i64).filter(|count| *count >= 0);
    Some(Attendance {
        going: count("participantCount")?,
        maybe: count("maybeCount").unwrap_or(0),
        not_going: count("notGoingCount").unwrap_or(0),
    })
}

/// A file attached to a post: a `Document` (or `Image`, …) with a URL.
/// Its description is its `name`, or its `summary` (where GoToSocial
/// writes alt text, https://docs.gotosocial.org/en/latest/federation/posts/).
fn attachment(value: &Value) -> Option<RemoteAttachment> {
    let url = web_link(attachment_url(value.get("url")?))?;
    let number = |key: &str| value.get(key).and_then(Value::as_u64);
    Some(RemoteAttachment {
        url,
        content_type: str_of(value, "mediaType").unwrap_or("image/jpeg").to_owned(),
        description: str_of(value, "name")
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or_else(|| str_of(value, "summary").map(html::to_plain_text).filter(|s| !s.is_empty())),
        blurhash: str_of(value, "blurhash").map(str::to_owned),
        width: number("width"),
        height: number("height"),
    })
}

/// An attachment's `url`: a link, a `Link` with an `href`, or a list of
/// those, as Akkoma and Pleroma write it (the first is the original).
fn attachment_url(url: &Value) -> Option<&str> {
    match url {
        Value::String(url) => Some(url),
        Value::Array(links) => links.first().and_then(attachment_url),
        link => str_of(link, "href").or_else(|| id_of(Some(link))),
    }
}

/// `link` if it may reach a client as a link or image (http or https):
/// checked before anything another site sends is stored.
fn web_link(link: Option<&str>) -> Option<String> {
    link.filter(|link| html::is_web_link(link)).map(str::to_owned)
}

/// The host of `id` if it is an http(s) URL: other sites' ids become links
/// in our clients (when a post or actor has no `url`), so nothing else is
/// accepted as one.
pub(crate) fn web_host(id: &str) -> Option<String> {
    html::is_web_link(id).then(|| host_of(id)).flatten()
}

/// A property that may hold one item or an array of them.
fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The id and columns of a remote actor, read from its document. `source`
/// must be on the same site as the actor's id, so no site can speak for
/// another; so must its key, whose `owner` must be the actor itself (a key
/// claimed by someone else would take its place: key ids are unique).
pub(crate) fn actor_fields(document: &Value, source: &str) -> Result<(String, RemoteActorFields), FederationError> {
    let Some(actor_type) = protocol::actor_type(document) else {
        return Err(FederationError::invalid(format!("a {} is not an actor", type_of(document))));
    };
    let uri = id_of(Some(document)).ok_or_else(|| FederationError::invalid("the actor has no id"))?;
    let host =
        web_host(uri).ok_or_else(|| FederationError::invalid(format!("actor id '{uri}' is not an http(s) URL")))?;
    if host_of(source).as_deref() != Some(host.as_str()) {
        return Err(FederationError::Forbidden(format!("{source} cannot speak for actor {uri}")));
    }
    let username = match str_of(document, "preferredUsername").filter(|name| !name.is_empty()) {
        Some(name) => name.to_owned(),
        None => handle_from_id(uri),
    };
    let inbox =
        str_of(document, "inbox").ok_or_else(|| FederationError::invalid(format!("actor {uri} has no inbox")))?;
    let key = match document.get("publicKey") {
        Some(Value::Array(keys)) => keys.first(),
        other => other,
    };
    let key = key.ok_or_else(|| FederationError::invalid(format!("actor {uri} has no publicKey")))?;
    let key_id =
        str_of(key, "id").ok_or_else(|| FederationError::invalid(format!("the publicKey of actor {uri} has no id")))?;
    if host_of(key_id).as_deref() != Some(host.as_str()) {
        return Err(FederationError::Forbidden(format!("actor {uri} claims key {key_id} of another site")));
    }
    if id_of(key.get("owner")) != Some(uri) {
        return Err(FederationError::Forbidden(format!("actor {uri} claims key {key_id}, whose owner is not {uri}")));
    }
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
    let fields = RemoteActorFields {
        username,
        domain: host,
        display_name: str_of(document, "name").unwrap_or_default().to_owned(),
        note: html::sanitize(str_of(document, "summary").unwrap_or_default()),
        url: web_link(id_of(document.get("url"))),
        inbox_url: inbox.to_owned(),
        shared_inbox_url: document.pointer("/endpoints/sharedInbox").and_then(Value::as_str).map(str::to_owned),
        outbox_url: str_of(document, "outbox").map(str::to_owned),
        followers_url: str_of(document, "followers").map(str::to_owned),
        following_url: str_of(document, "following").map(str::to_owned),
        featured_url: id_of(document.get("featured")).map(str::to_owned),
        public_key_pem: str_of(key, "publicKeyPem").unwrap_or_default().to_owned(),
        public_key_id: Some(key_id.to_owned()),
        avatar_url: web_link(image_url(document.get("icon")).as_deref()),
        header_url: web_link(image_url(document.get("image")).as_deref()),
        locked: flag("manuallyApprovesFollowers", false),
        bot: matches!(actor_type, ActorType::Service | ActorType::Application),
        discoverable: flag("discoverable", false),
        indexable: flag("indexable", false),
        fields: serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into()),
        site: site_identity::from_actor(document).and_then(|site| serde_json::to_string(&site).ok()),
        also_known_as: serde_json::to_string(&uris(document.get("alsoKnownAs"))).unwrap_or_else(|_| "[]".into()),
        actor_type,
        fetched_at: Some(now),
        updated_at: now,
    };
    Ok((uri.to_owned(), fields))
}

/// Longest handle made up for an actor without `preferredUsername`.
const MAX_DERIVED_HANDLE: usize = 30;

/// A handle for an actor without `preferredUsername` (valid ActivityPub; some
/// servers publish none): the last segment of its id's path, in the
/// characters handles use (letters, digits, `_`, `.` and `-`, anything else
/// becoming `_`, starting and ending with a letter or digit), or `actor` when
/// nothing is left. `remote::save_actor` numbers it if another actor of the
/// same site holds it.
fn handle_from_id(uri: &str) -> String {
    let url = url::Url::parse(uri).ok();
    let segment = url.as_ref().and_then(url::Url::path_segments).and_then(|mut s| s.rfind(|s| !s.is_empty()));
    let handle: String = segment
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '_' })
        .collect();
    let trimmed = |handle: &str| handle.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_owned();
    let handle = trimmed(&trimmed(&handle).chars().take(MAX_DERIVED_HANDLE).collect::<String>());
    if handle.is_empty() { "actor".to_owned() } else { handle }
}

impl Federation {
    /// The actor `username@host`, looked up with WebFinger if unknown.
    pub async fn actor_by_handle(&self, username: &str, host: &str) -> Result<ActorRow, FederationError> {
        // Even an actor stored before its site was refused is not looked up.
        self.admit(host)?;
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
        let answer = self.fetch(&webfinger_url(self.config(), username, host)).await?.document;
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

/// Where to ask another site about `username@host`. Plain http only for a
/// test or laptop network, that is with private addresses allowed and this
/// site itself on http: a site on https behind a local CA (on private
/// addresses, as a company intranet or a test with TLS has) asks its peers
/// over https too.
fn webfinger_url(config: &Config, username: &str, host: &str) -> String {
    let plain = config.federation.allow_private_addresses && config.protocol == Protocol::Http;
    let scheme = if plain { "http" } else { "https" };
    format!("{scheme}://{host}/.well-known/webfinger?resource=acct:{username}@{host}")
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn answer_totals_need_a_whole_participant_count() {
        let totals = |counts: Value| answer_totals(&counts).map(|t| (t.going, t.maybe, t.not_going));
        let ours = json!({"participantCount": 4, "maybeCount": 2, "notGoingCount": 1});
        assert_eq!(totals(ours), Some((4, 2, 1)));
        assert_eq!(totals(json!({"participantCount": 4})), Some((4, 0, 0)));
        assert_eq!(totals(json!({"maybeCount": 2})), None, "no participantCount, no totals");
        assert_eq!(totals(json!({"participantCount": -1})), None);
        assert_eq!(totals(json!({"participantCount": "4"})), None);
        assert_eq!(totals(json!({"participantCount": 4, "maybeCount": -2})), Some((4, 0, 0)));
    }

    fn actor(adjust: impl FnOnce(&mut Value)) -> Value {
        let id = "https://es.example/users/ana";
        let mut document = json!({
            "id": id,
            "type": "Person",
            "preferredUsername": "ana",
            "inbox": format!("{id}/inbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": "PEM"},
        });
        adjust(&mut document);
        document
    }

    fn refusal(document: &Value) -> String {
        actor_fields(document, "https://es.example/users/ana").unwrap_err().to_string()
    }

    #[test]
    fn an_actor_may_only_claim_its_own_key() {
        let (uri, fields) = actor_fields(&actor(|_| {}), "https://es.example/users/ana").unwrap();
        assert_eq!((uri.as_str(), fields.domain.as_str()), ("https://es.example/users/ana", "es.example"));
        assert_eq!(fields.public_key_id.as_deref(), Some("https://es.example/users/ana#main-key"));

        let elsewhere = actor(|a| a["publicKey"]["id"] = json!("https://hq.example/users/bob#main-key"));
        assert!(refusal(&elsewhere).contains("claims key https://hq.example/users/bob#main-key of another site"));
        let owned_by_other = actor(|a| a["publicKey"]["owner"] = json!("https://es.example/users/luis"));
        assert!(refusal(&owned_by_other).contains("whose owner is not"));
        let no_owner = actor(|a| {
            a["publicKey"].as_object_mut().unwrap().remove("owner");
        });
        assert!(refusal(&no_owner).contains("whose owner is not"));
        let no_id = actor(|a| {
            a["publicKey"].as_object_mut().unwrap().remove("id");
        });
        assert!(refusal(&no_id).contains("has no id"));
    }

    #[test]
    fn links_other_than_http_are_not_kept() {
        let document = actor(|a| {
            a["url"] = json!("javascript:alert(1)");
            a["icon"] = json!({"type": "Image", "url": "data:image/png;base64,AAAA"});
            a["image"] = json!("https://es.example/header.png");
        });
        let (_, fields) = actor_fields(&document, "https://es.example/users/ana").unwrap();
        assert_eq!((fields.url, fields.avatar_url), (None, None));
        assert_eq!(fields.header_url.as_deref(), Some("https://es.example/header.png"));
        let scripted_id = actor(|a| a["id"] = json!("javascript://es.example/%0Aalert(1)"));
        assert!(refusal(&scripted_id).contains("is not an http(s) URL"));
    }

    #[test]
    fn webfinger_uses_https_unless_the_site_itself_is_on_plain_http() {
        let mut config = Config::default();
        let asked = |config: &Config| webfinger_url(config, "ana", "es.example");
        assert_eq!(asked(&config), "https://es.example/.well-known/webfinger?resource=acct:ana@es.example");
        config.federation.allow_private_addresses = true;
        assert_eq!(asked(&config), "http://es.example/.well-known/webfinger?resource=acct:ana@es.example");
        config.protocol = Protocol::Https;
        assert_eq!(asked(&config), "https://es.example/.well-known/webfinger?resource=acct:ana@es.example");
    }

    #[test]
    fn actors_without_preferred_username_get_one_from_their_id() {
        let document = actor(|a| {
            a.as_object_mut().unwrap().remove("preferredUsername");
        });
        let (_, fields) = actor_fields(&document, "https://es.example/users/ana").unwrap();
        assert_eq!(fields.username, "ana");
        for (id, handle) in [
            ("https://pub.example/ap/actors/9f3a-77/", "9f3a-77"),
            ("https://pub.example/@ana.garcia", "ana.garcia"),
            ("https://pub.example/people/ana%20garc%C3%ADa", "ana_20garc_C3_ADa"),
            ("https://pub.example/u/_-.x.-_", "x"),
            ("https://pub.example/", "actor"),
            ("https://pub.example/x/!!!", "actor"),
            ("https://pub.example/x/aaaaaaaaaabbbbbbbbbbcccccccccc-dddd", "aaaaaaaaaabbbbbbbbbbcccccccccc"),
            ("https://pub.example/x/aaaaaaaaaabbbbbbbbbbccccccccc-dddd", "aaaaaaaaaabbbbbbbbbbccccccccc"),
        ] {
            assert_eq!(handle_from_id(id), handle, "{id}");
        }
    }
}
