//! Posting: `POST /api/v1/statuses`.

use std::collections::{HashMap, HashSet};

use tertulia_core::text::{self, MentionLink};
use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, Config, Id, StatusId};
use tertulia_db::accounts::{self, AccountRow};
use tertulia_db::notifications::{self, NotificationKind, NotificationRow};
use tertulia_db::statuses::{self, Counter, StatusRow};
use tertulia_db::{DbConn, DbError, conversations, feeds};

use super::view::StatusView;
use crate::Context;
use crate::audience;
use crate::events::{Event, StatusEvent};
use crate::kudos;
use crate::notification_policy::Decision;
use crate::outbox::{self, Outgoing};
use crate::polls::{self, NewPoll};
use crate::quotes::{self, QuotePolicy};
use crate::visibility;
use crate::{DomainError, media};

/// Longest content warning accepted.
const MAX_SPOILER_CHARS: usize = 500;
/// Longest `Idempotency-Key` remembered.
const MAX_IDEMPOTENCY_KEY: usize = 128;

/// A status to post, as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewStatus {
    pub text: String,
    pub visibility: Option<String>,
    pub in_reply_to_id: Option<Id>,
    pub spoiler_text: Option<String>,
    pub sensitive: bool,
    pub language: Option<String>,
    pub idempotency_key: Option<String>,
    /// Uploads to attach; shown in upload order (no position is stored).
    pub media_ids: Vec<Id>,
    pub poll: Option<NewPoll>,
    /// The status to quote (`quoted_status_id`, or Pleroma's `quote_id`).
    pub quoted_status_id: Option<Id>,
    /// Who may quote this status (`quote_approval_policy`).
    pub quote_approval_policy: Option<String>,
    /// The only accounts the post may mention (`allowed_mentions`); `None`
    /// allows any.
    pub allowed_mentions: Option<Vec<Id>>,
}

/// Posts a status for `author`: stores it with its mentions and tags, puts
/// it in the home timelines it belongs in, and notifies mentioned users,
/// all in one transaction; then announces the status and the
/// notifications.
pub async fn create(ctx: &Context, author: Id, request: NewStatus) -> Result<StatusView, DomainError> {
    let checked = Checked::new(&ctx.config, request)?;
    ctx.committed(move |conn| tertulia_db::transaction(conn, |conn| publish(conn, author, &checked))).await
}

/// A status that passed the checks that need no database: what a scheduled
/// status is held to when scheduled, and again when published.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    text: String,
    spoiler_text: String,
    media_ids: Vec<i64>,
    poll: Option<NewPoll>,
    visibility: Visibility,
    key: Option<String>,
    base_url: String,
    own_domain: String,
    sensitive: bool,
    language: Option<String>,
    reply_to: Option<Id>,
    quoted_id: Option<Id>,
    quote_policy: QuotePolicy,
    allowed_mentions: Option<Vec<Id>>,
    kudos: kudos::Rule,
}

impl Checked {
    pub(crate) fn new(config: &Config, request: NewStatus) -> Result<Checked, DomainError> {
        let (text, spoiler_text, media_ids) =
            check_body(config, &request.text, request.spoiler_text, &request.media_ids)?;
        if let Some(poll) = &request.poll {
            polls::check(poll)?;
            if !media_ids.is_empty() {
                return Err(polls::not_with_media());
            }
        }
        let visibility: Visibility = match request.visibility.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => v.parse().map_err(|e: tertulia_core::visibility::UnknownVisibility| {
                DomainError::invalid("visibility", e.to_string())
            })?,
            None => Visibility::Public,
        };
        let sensitive = request.sensitive || !spoiler_text.is_empty();
        let quote_policy =
            QuotePolicy::for_visibility(QuotePolicy::parse(request.quote_approval_policy.as_deref())?, visibility);
        Ok(Checked {
            text,
            spoiler_text,
            media_ids,
            poll: request.poll,
            visibility,
            key: request.idempotency_key.filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY),
            base_url: config.base_url(),
            own_domain: config.domain.to_lowercase(),
            sensitive,
            language: request.language.filter(|l| !l.is_empty()),
            reply_to: request.in_reply_to_id,
            quoted_id: request.quoted_status_id,
            quote_policy,
            allowed_mentions: request.allowed_mentions,
            kudos: kudos::Rule::new(&config.communities),
        })
    }

    /// The uploads to attach, deduplicated.
    pub(crate) fn media_ids(&self) -> &[i64] {
        &self.media_ids
    }

    pub(crate) fn visibility(&self) -> Visibility {
        self.visibility
    }

    pub(crate) fn reply_to(&self) -> Option<Id> {
        self.reply_to
    }
}

/// Stores and fans out a checked status, in the caller's transaction: the
/// one path by which every local status is posted, at once or as scheduled.
/// Returns the status as its author sees it and the events to publish
/// after the commit.
pub(crate) fn publish(
    conn: &mut DbConn,
    author: Id,
    checked: &Checked,
) -> Result<(StatusView, Vec<Event>), DomainError> {
    let Checked {
        text,
        spoiler_text,
        media_ids,
        poll,
        visibility,
        key,
        base_url,
        own_domain,
        sensitive,
        language,
        reply_to,
        quoted_id,
        quote_policy,
        allowed_mentions,
        kudos,
    } = checked;
    let (visibility, sensitive, reply_to) = (*visibility, *sensitive, *reply_to);
    if let Some(key) = key
        && let Some(existing) = statuses::find_by_idempotency_key(conn, author.0, key)?
    {
        let view = load_one(conn, author.0, existing)?.ok_or_else(|| DomainError::NotFound("status".into()))?;
        return Ok((view, Vec::new()));
    }
    let Some(author_row) = accounts::find(conn, author.0)? else {
        return Err(DomainError::NotFound("account".into()));
    };
    let parent = match reply_to {
        Some(parent_id) => match visibility::find_visible(conn, Some(author.0), parent_id.0)? {
            Some(parent) => Some(parent),
            None => return Err(DomainError::NotFound("the status you reply to".into())),
        },
        None => None,
    };
    let quoted = match quoted_id {
        Some(quoted_id) => Some(quotes::quotable(conn, author.0, *quoted_id)?),
        None => None,
    };
    let mut rendered = render(conn, author.0, text, own_domain, base_url)?;
    if let Some(allowed) = allowed_mentions {
        let unexpected: Vec<i64> = rendered.mentioned.iter().copied().filter(|m| !allowed.contains(&Id(*m))).collect();
        if !unexpected.is_empty() {
            let accounts = accounts::find_many(conn, &unexpected)?.into_iter().map(Into::into).collect();
            return Err(DomainError::UnexpectedMentions(accounts));
        }
    }
    if let Some(quoted) = &quoted {
        rendered.content = quotes::with_fallback_link(&rendered.content, text, quoted);
    }
    let id = Id::generate().0;
    let now = tertulia_db::now();
    let row = StatusRow {
        url: Some(format!("{base_url}/@{}/{id}", author_row.username)),
        in_reply_to_id: parent.as_ref().map(|p| p.id),
        in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
        conversation_id: Some(match parent.as_ref().and_then(|p| p.conversation_id) {
            Some(thread) => thread,
            None => conversations::create(conn, now)?,
        }),
        text: text.clone(),
        content: rendered.content,
        spoiler_text: spoiler_text.clone(),
        sensitive,
        language: language.clone(),
        ..StatusRow::new_local(
            id,
            format!("{base_url}/users/{}/statuses/{id}", author_row.username),
            author.0,
            visibility,
            now,
        )
    };
    statuses::insert(conn, &row)?;
    tertulia_db::quotes::set_policy(conn, id, quote_policy.as_str())?;
    let mut pending = Vec::new();
    if let Some(quoted) = &quoted {
        pending.extend(quotes::record(conn, base_url, &row, quoted)?);
    }
    media::attach(conn, author.0, media_ids, id)?;
    if let Some(poll) = poll {
        polls::insert(conn, &row, poll, now)?;
    }
    let mentioned_ids = rendered.mentioned;
    statuses::insert_mentions(conn, id, &mentioned_ids)?;
    statuses::attach_tags(conn, id, &rendered.tags, now)?;
    accounts::adjust_statuses_count(conn, author.0, 1, Some(now))?;
    if let Some(parent) = &parent {
        statuses::adjust_counter(conn, parent.id, Counter::Replies, 1)?;
    }
    let tag_names: Vec<String> = rendered.tags.into_iter().map(|(name, _)| name).collect();
    kudos::record(conn, kudos, &row, &mentioned_ids, &tag_names)?;
    crate::campaigns::record(conn, &row, &tag_names, &mentioned_ids)?;
    let audience = audience::of_post(conn, &row, &AccountId::all(&mentioned_ids))?;
    feeds::push(conn, &audience.home, StatusId(id), AccountId(author.0), None)?;
    pending.push(Event::Update(StatusEvent::new(&row, tag_names, audience.home, mentioned_ids.clone())));
    if visibility == Visibility::Direct {
        pending.extend(crate::conversations::record(conn, &row, &mentioned_ids)?);
    }
    pending.extend(audience::notify_all(conn, &audience.notices, AccountId(author.0), &row)?);
    if visibility.federates() {
        outbox::record(conn, &Outgoing::StatusCreated { status: id })?;
    }
    pending.extend(crate::groups::announce_accepted(conn, base_url, &row, &mentioned_ids)?);
    if let Some(key) = key {
        statuses::remember_idempotency_key(conn, author.0, key, id, now)?;
    }
    let view = load_one(conn, author.0, id)?.ok_or_else(|| DomainError::Internal("new status vanished".into()))?;
    Ok((view, pending))
}

/// The text, content warning and attachment ids of a status, trimmed and
/// checked: posting and editing share these rules.
pub(super) fn check_body(
    config: &Config,
    text: &str,
    spoiler_text: Option<String>,
    media_ids: &[Id],
) -> Result<(String, String, Vec<i64>), DomainError> {
    let text = text.trim().to_owned();
    let mut seen = HashSet::new();
    let media_ids: Vec<i64> = media_ids.iter().map(|id| id.0).filter(|id| seen.insert(*id)).collect();
    if text.is_empty() && media_ids.is_empty() {
        return Err(DomainError::blank("status"));
    }
    let max_media = config.limits.max_media_attachments as usize;
    if media_ids.len() > max_media {
        return Err(DomainError::invalid_as(
            crate::Invalidity::AboveLimit,
            "media_ids",
            format!("too many attachments: at most {max_media}"),
        ));
    }
    let max = config.limits.max_status_chars as usize;
    if text::countable_length(&text) > max {
        return Err(DomainError::too_long("status", max));
    }
    let spoiler_text = spoiler_text.unwrap_or_default().trim().to_owned();
    if spoiler_text.chars().count() > MAX_SPOILER_CHARS {
        return Err(DomainError::invalid(
            "spoiler_text",
            format!("is too long: at most {MAX_SPOILER_CHARS} characters"),
        ));
    }
    Ok((text, spoiler_text, media_ids))
}

/// A status's text as HTML, with what it links to.
pub(super) struct Rendered {
    pub content: String,
    /// Local accounts mentioned, the author left out.
    pub mentioned: Vec<i64>,
    /// (lower-cased name, name as first typed)
    pub tags: Vec<(String, String)>,
}

/// Renders `text` for `author`, resolving its mentions and hashtags.
pub(super) fn render(
    conn: &mut DbConn,
    author: i64,
    text: &str,
    own_domain: &str,
    base_url: &str,
) -> Result<Rendered, DbError> {
    let mentioned = resolve_mentions(conn, text, own_domain)?;
    let content = text::render_plain_text(
        text,
        |username, domain| {
            let key = (username.to_lowercase(), domain.map(str::to_lowercase).filter(|d| d != own_domain));
            mentioned.get(&key).map(|account| MentionLink {
                url: account.url.clone().unwrap_or_else(|| account.uri.clone()),
                username: account.username.clone(),
            })
        },
        &format!("{base_url}/tags"),
    );
    let tags = text::hashtags(text)
        .into_iter()
        .map(|name| {
            let display = display_form(text, &name);
            (name, display)
        })
        .collect();
    let mentioned = mentioned.values().map(|a| a.id).filter(|account| *account != author).collect();
    Ok(Rendered { content, mentioned, tags })
}

/// Local accounts mentioned in `text`, keyed by (username, domain) with the
/// domain `None` for this site. Unknown handles are left out.
fn resolve_mentions(
    conn: &mut DbConn,
    text: &str,
    own_domain: &str,
) -> Result<HashMap<(String, Option<String>), AccountRow>, DbError> {
    let mut found = HashMap::new();
    for (username, domain) in text::mentions(text) {
        let domain = domain.filter(|d| d != own_domain);
        if let Some(account) = accounts::find_by_handle(conn, &username, domain.as_deref())? {
            found.insert((username.to_lowercase(), domain), account);
        }
    }
    Ok(found)
}

/// The tag as first typed (`#RustLang`), for display.
fn display_form(text: &str, lower_name: &str) -> String {
    text::tokenize(text)
        .into_iter()
        .find_map(|token| match token {
            text::Token::Hashtag(name) if name.to_lowercase() == lower_name => Some(name.to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| lower_name.to_owned())
}

/// Notifies `recipient`, never of their own actions nor about a thread they
/// muted. Returns the event to publish once the transaction commits.
pub(crate) fn notify(
    conn: &mut DbConn,
    recipient: i64,
    from: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
    group_key: String,
) -> Result<Option<Event>, DbError> {
    notify_with(conn, new_notification(recipient, from, kind, status_id, group_key))
}

/// [`notify`] for a notification already built (one naming a report).
pub(crate) fn notify_with(conn: &mut DbConn, mut row: NotificationRow) -> Result<Option<Event>, DbError> {
    let (recipient, from) = (row.account_id, row.from_account_id);
    if recipient == from {
        return Ok(None);
    }
    if let Some(status) = row.status_id
        && conversations::is_thread_muted(conn, recipient, status)?
    {
        return Ok(None);
    }
    match crate::notification_policy::decide(conn, recipient, from, row.kind, row.status_id)? {
        Decision::Accept => deliver_row(conn, row).map(Some),
        Decision::Drop => Ok(None),
        // Stored and counted on the sender's request, but not announced.
        Decision::Filter => {
            row.filtered = true;
            notifications::insert(conn, &row)?;
            crate::notification_policy::record_filtered(conn, recipient, from, row.status_id)?;
            Ok(None)
        }
    }
}

/// Stores a notification unconditionally (a poll's end is announced to its
/// own author too).
pub(crate) fn deliver(
    conn: &mut DbConn,
    recipient: i64,
    from: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
    group_key: String,
) -> Result<Event, DbError> {
    deliver_row(conn, new_notification(recipient, from, kind, status_id, group_key))
}

/// Stores a notification made whole by the caller, unconditionally.
pub(crate) fn deliver_row(conn: &mut DbConn, row: NotificationRow) -> Result<Event, DbError> {
    notifications::insert(conn, &row)?;
    // Filtered notifications are not pushed: only those that are announced.
    crate::push::queue(conn, row.account_id, row.from_account_id, row.kind, row.id)?;
    Ok(Event::Notification { recipient: Id(row.account_id), id: Id(row.id) })
}

/// A notification of `kind` from `from` to `recipient`, made now.
pub(crate) fn new_notification(
    recipient: i64,
    from: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
    group_key: String,
) -> NotificationRow {
    NotificationRow {
        id: Id::generate().0,
        account_id: recipient,
        from_account_id: from,
        kind,
        status_id,
        group_key,
        created_at: tertulia_db::now(),
        filtered: false,
        report_id: None,
        account_warning_id: None,
    }
}

/// One status as `viewer` sees it, if they may.
pub(crate) fn load_one(conn: &mut DbConn, viewer: i64, id: i64) -> Result<Option<StatusView>, DbError> {
    crate::present::one(conn, Some(viewer), id, crate::present::Reading::Asked)
}
