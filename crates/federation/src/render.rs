//! Local actors, posts and activities as other sites read them.
//!
//! Loading happens here too (one function per document), so that a route
//! serving a document and the worker sending it render it the same way.

use serde_json::{Value, json};
use tertulia_core::Config;
use tertulia_core::visibility::Visibility;
use tertulia_db::accounts::{self, AccountRow};
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError, media};

use crate::protocol::{self, addressing, timestamp};
use crate::urls::Urls;

/// A local account as a `Person` (or `Service` for bots). `moved_to` is
/// the actor it moved to, if it did.
pub fn person(urls: &Urls, account: &AccountRow, actor: &ActorRow, moved_to: Option<String>) -> Value {
    let name = &account.username;
    let uri = &actor.uri;
    let fields: Vec<tertulia_domain::ProfileField> = serde_json::from_str(&account.fields).unwrap_or_default();
    let attachment: Vec<Value> = fields
        .iter()
        .map(|f| {
            json!({
                "type": "PropertyValue",
                "name": f.name,
                "value": tertulia_core::text::escape_html(&f.value),
            })
        })
        .collect();
    let also_known_as: Vec<String> = serde_json::from_str(&actor.also_known_as).unwrap_or_default();
    let mut document = json!({
        "id": uri,
        "type": if account.bot { "Service" } else { "Person" },
        "preferredUsername": name,
        "name": account.display_name,
        "summary": account.note,
        "url": urls.profile_page(name),
        "inbox": urls.inbox(name),
        "outbox": urls.outbox(name),
        "followers": urls.followers(name),
        "following": urls.following(name),
        "featured": urls.featured(name),
        "endpoints": {"sharedInbox": urls.shared_inbox()},
        "manuallyApprovesFollowers": account.locked,
        "discoverable": account.discoverable,
        "indexable": account.indexable,
        "published": timestamp(account.created_at),
        "attachment": attachment,
        "tag": [],
        "publicKey": {
            "id": Urls::key_id(uri),
            "owner": uri,
            "publicKeyPem": actor.public_key_pem,
        },
    });
    if let Some(avatar) = &account.avatar_url {
        document["icon"] = json!({"type": "Image", "url": avatar});
    }
    if let Some(header) = &account.header_url {
        document["image"] = json!({"type": "Image", "url": header});
    }
    if !also_known_as.is_empty() {
        document["alsoKnownAs"] = json!(also_known_as);
    }
    if let Some(moved_to) = &moved_to {
        document["movedTo"] = json!(moved_to);
    }
    protocol::with_context(document)
}

/// The site's own actor (`Application`), which signs fetches.
pub fn instance_actor(urls: &Urls, config: &Config, actor: &ActorRow) -> Value {
    let uri = urls.instance_actor();
    protocol::with_context(json!({
        "id": uri,
        "type": "Application",
        "preferredUsername": config.domain,
        "name": config.instance.title,
        "url": format!("{}/about", urls.base()),
        "inbox": format!("{uri}/inbox"),
        "outbox": format!("{uri}/outbox"),
        "endpoints": {"sharedInbox": urls.shared_inbox()},
        "manuallyApprovesFollowers": false,
        "publicKey": {
            "id": Urls::key_id(&uri),
            "owner": uri,
            "publicKeyPem": actor.public_key_pem,
        },
    }))
}

/// What a `Note` needs besides the status row.
struct NoteParts {
    author: AccountRow,
    parent_uri: Option<String>,
    /// (actor URI, `@user@domain`) of each mentioned account.
    mentions: Vec<(String, String)>,
    tags: Vec<String>,
    attachments: Vec<Value>,
}

fn load_parts(conn: &mut DbConn, config: &Config, status: &StatusRow) -> Result<Option<NoteParts>, DbError> {
    let Some(author) = accounts::find(conn, status.account_id)? else {
        return Ok(None);
    };
    let parent_uri = match status.in_reply_to_id {
        Some(parent) => statuses::find(conn, parent)?.map(|p| p.uri),
        None => None,
    };
    let mentioned: Vec<i64> = statuses::mentions_of(conn, &[status.id])?.into_iter().map(|(_, a)| a).collect();
    let mentions = accounts::find_many(conn, &mentioned)?
        .into_iter()
        .map(|a| {
            let domain = a.domain.clone().unwrap_or_else(|| config.domain.clone());
            (a.uri, format!("@{}@{domain}", a.username))
        })
        .collect();
    let tags = statuses::tags_of(conn, &[status.id])?.into_iter().map(|(_, t)| t.name).collect();
    let attachments = media::of_statuses(conn, &[status.id])?
        .into_iter()
        .map(|m| {
            let meta: Value = serde_json::from_str(&m.meta).unwrap_or_default();
            let url = match (&m.file_path, &m.remote_url) {
                (Some(path), _) => tertulia_domain::media::url(config, path),
                (None, Some(remote)) => remote.clone(),
                (None, None) => String::new(),
            };
            json!({
                "type": "Document",
                "mediaType": m.content_type,
                "url": url,
                "name": m.description,
                "blurhash": m.blurhash,
                "width": meta.pointer("/original/width"),
                "height": meta.pointer("/original/height"),
            })
        })
        .collect();
    Ok(Some(NoteParts { author, parent_uri, mentions, tags, attachments }))
}

/// A local status as a `Note`, or `None` if it is gone.
pub fn note(conn: &mut DbConn, config: &Config, urls: &Urls, status: &StatusRow) -> Result<Option<Value>, DbError> {
    let Some(parts) = load_parts(conn, config, status)? else {
        return Ok(None);
    };
    let visibility: Visibility = status.visibility;
    let mentioned_uris: Vec<String> = parts.mentions.iter().map(|(uri, _)| uri.clone()).collect();
    let (to, cc) = addressing(visibility, &urls.followers(&parts.author.username), &mentioned_uris);
    let mut tag: Vec<Value> =
        parts.mentions.iter().map(|(uri, handle)| json!({"type": "Mention", "href": uri, "name": handle})).collect();
    tag.extend(
        parts.tags.iter().map(|name| json!({"type": "Hashtag", "href": urls.tag(name), "name": format!("#{name}")})),
    );
    let mut note = json!({
        "id": status.uri,
        "type": "Note",
        "attributedTo": urls.actor(&parts.author.username),
        "url": status.url.clone().unwrap_or_else(|| status.uri.clone()),
        "published": timestamp(status.created_at),
        "to": to,
        "cc": cc,
        "inReplyTo": parts.parent_uri,
        "sensitive": status.sensitive,
        "summary": if status.spoiler_text.is_empty() { Value::Null } else { json!(status.spoiler_text) },
        "content": status.content,
        "tag": tag,
        "attachment": parts.attachments,
        "replies": Value::Null,
    });
    if let Some(language) = &status.language {
        note["contentMap"] = json!({ language: status.content });
    }
    if let Some(edited) = status.edited_at {
        note["updated"] = json!(timestamp(edited));
    }
    if let Some(conversation) = status.conversation_id {
        note["conversation"] = json!(format!("{}/contexts/{conversation}", urls.base()));
    }
    if let Some(poll) = tertulia_db::polls::of_statuses(conn, &[status.id])?.pop() {
        add_question(&mut note, &poll);
    }
    let author_uri = urls.actor(&parts.author.username);
    crate::quotes::add_to_note(conn, status, &author_uri, &urls.followers(&parts.author.username), &mut note)?;
    Ok(Some(note))
}

/// Makes a `Note` with a poll a `Question`, as Mastodon writes polls:
/// options in `oneOf` (or `anyOf` when several may be chosen), each with
/// its vote count.
fn add_question(note: &mut Value, poll: &tertulia_db::polls::PollRow) {
    let options: Vec<Value> = poll
        .titles()
        .iter()
        .zip(poll.counts())
        .map(|(title, votes)| json!({"type": "Note", "name": title, "replies": {"type": "Collection", "totalItems": votes}}))
        .collect();
    note["type"] = json!("Question");
    note[if poll.multiple { "anyOf" } else { "oneOf" }] = json!(options);
    note["votersCount"] = json!(poll.voters_count);
    if let Some(end) = poll.expires_at {
        note["endTime"] = json!(timestamp(end));
        if end <= tertulia_db::now() {
            note["closed"] = json!(timestamp(end));
        }
    }
}

/// `Create` (or `Update`, for an edit) wrapping a local status.
pub fn create_or_update(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    status: &StatusRow,
    update: bool,
) -> Result<Option<Value>, DbError> {
    let Some(note) = note(conn, config, urls, status)? else {
        return Ok(None);
    };
    let (kind, id) = match (update, status.edited_at) {
        (true, Some(at)) => ("Update", format!("{}#updates/{}", status.uri, at.and_utc().timestamp())),
        _ => ("Create", format!("{}/activity", status.uri)),
    };
    Ok(Some(protocol::with_context(json!({
        "id": id,
        "type": kind,
        "actor": note["attributedTo"],
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }))))
}

/// `Update` of a local status that is not an edit (no `updated`, so
/// receivers do not show it as edited): a poll's new counts (`what` =
/// `votes`), a quote's authorization or a new quote policy (`quote`).
pub fn unedited_update(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    status: &StatusRow,
    what: &str,
) -> Result<Option<Value>, DbError> {
    let Some(note) = note(conn, config, urls, status)? else {
        return Ok(None);
    };
    let id = format!("{}#updates/{what}-{}", status.uri, tertulia_core::Id::generate().0);
    Ok(Some(protocol::with_context(json!({
        "id": id,
        "type": "Update",
        "actor": note["attributedTo"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }))))
}

/// A local boost, as an `Announce` needs it.
pub struct Boost<'a> {
    pub booster: &'a str,
    pub uri: &'a str,
    pub published: chrono::NaiveDateTime,
}

/// `Announce` of `original_uri` by a local booster.
pub fn announce(urls: &Urls, boost: &Boost<'_>, original_uri: &str, original_author: &str) -> Value {
    protocol::with_context(json!({
        "id": boost.uri,
        "type": "Announce",
        "actor": urls.actor(boost.booster),
        "published": timestamp(boost.published),
        "to": [protocol::PUBLIC],
        "cc": [original_author, urls.followers(boost.booster)],
        "object": original_uri,
    }))
}

/// `Undo` of an activity we sent earlier, embedded so the receiver need
/// not have kept it.
pub fn undo(actor_uri: &str, activity: Value) -> Value {
    let id = format!("{}#undo", protocol::id_of(Some(&activity)).unwrap_or(actor_uri));
    let to = activity.get("to").cloned().unwrap_or(json!([]));
    let cc = activity.get("cc").cloned().unwrap_or(json!([]));
    let inner = strip_context(activity);
    protocol::with_context(json!({"id": id, "type": "Undo", "actor": actor_uri, "to": to, "cc": cc, "object": inner}))
}

/// `Delete` of a local status, with a `Tombstone`.
pub fn delete(actor_uri: &str, uri: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    protocol::with_context(json!({
        "id": format!("{uri}#delete"),
        "type": "Delete",
        "actor": actor_uri,
        "to": to,
        "cc": cc,
        "object": {"id": uri, "type": "Tombstone", "atomUri": uri},
    }))
}

/// A vote in a remote poll, as Mastodon sends one: a `Note` named after
/// the option, in reply to the `Question`, addressed to its author only.
pub fn vote(voter_uri: &str, poll: i64, choice: i64, title: &str, question_uri: &str, author_uri: &str) -> Value {
    let id = format!("{voter_uri}#votes/{poll}/{choice}");
    protocol::with_context(json!({
        "id": format!("{id}/activity"),
        "type": "Create",
        "actor": voter_uri,
        "to": [author_uri],
        "object": {
            "id": id,
            "type": "Note",
            "name": title,
            "attributedTo": voter_uri,
            "inReplyTo": question_uri,
            "to": [author_uri],
        },
    }))
}

/// `Delete` of a local actor whose account was deleted.
pub fn delete_actor(actor_uri: &str) -> Value {
    protocol::with_context(json!({
        "id": format!("{actor_uri}#delete"),
        "type": "Delete",
        "actor": actor_uri,
        "object": actor_uri,
        "to": [protocol::PUBLIC],
    }))
}

/// An activity whose object is a plain link (`Like`, `Follow`).
pub fn simple(kind: &str, id: &str, actor_uri: &str, object: &str) -> Value {
    protocol::with_context(json!({"id": id, "type": kind, "actor": actor_uri, "object": object}))
}

/// `Accept` or `Reject` of a follow, embedding the Follow as Mastodon does.
pub fn answer_follow(accepted: bool, target_uri: &str, follower_uri: &str, follow_uri: &str) -> Value {
    let kind = if accepted { "Accept" } else { "Reject" };
    let id = format!("{target_uri}#{}/{}", kind.to_lowercase(), tertulia_core::Id::generate().0);
    protocol::with_context(json!({
        "id": id,
        "type": kind,
        "actor": target_uri,
        "object": {"id": follow_uri, "type": "Follow", "actor": follower_uri, "object": target_uri},
    }))
}

/// `Update` of a local actor after a profile change.
pub fn update_person(urls: &Urls, account: &AccountRow, actor: &ActorRow, moved_to: Option<String>) -> Value {
    let person = person(urls, account, actor, moved_to);
    let id = format!("{}#updates/{}", actor.uri, account.updated_at.and_utc().timestamp_millis());
    protocol::with_context(json!({
        "id": id,
        "type": "Update",
        "actor": actor.uri,
        "to": [protocol::PUBLIC],
        "cc": [urls.followers(&account.username)],
        "object": strip_context(person),
    }))
}

/// `Move` of a local account to its new actor on another site.
pub fn move_account(urls: &Urls, account: &AccountRow, actor: &ActorRow, target_uri: &str) -> Value {
    let id = format!("{}#moves/{}", actor.uri, tertulia_core::Id::generate().0);
    protocol::with_context(json!({
        "id": id,
        "type": "Move",
        "actor": actor.uri,
        "object": actor.uri,
        "target": target_uri,
        "to": [urls.followers(&account.username)],
    }))
}

fn strip_context(mut document: Value) -> Value {
    if let Value::Object(map) = &mut document {
        map.remove("@context");
    }
    document
}

/// The URI of the actor `account` moved to, if it moved.
pub fn moved_to(conn: &mut DbConn, account: &AccountRow) -> Result<Option<String>, DbError> {
    Ok(match account.moved_to_account_id {
        Some(target) => actors::find(conn, target)?.map(|t| t.uri),
        None => None,
    })
}

/// Loads the actor row of a local account, for callers that have an id.
pub fn local_actor(conn: &mut DbConn, id: i64) -> Result<Option<(AccountRow, ActorRow)>, DbError> {
    let account = accounts::find(conn, id)?.filter(|a| a.domain.is_none());
    let actor = actors::find(conn, id)?;
    Ok(account.zip(actor))
}
