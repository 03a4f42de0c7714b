//! Editing: `PUT /api/v1/statuses/:id`, the edit history and the source.
//!
//! As on Mastodon, `status_edits` holds every version: the first edit
//! stores the status as first posted and then the new version, each later
//! edit its new version. A status never edited has a history of one, its
//! current version.

use chrono::{DateTime, NaiveDateTime, Utc};
use tertulia_core::config::Config;
use tertulia_core::{AccountId, Id};
use tertulia_db::edits::{self, EditRow};
use tertulia_db::statuses::{self, Revision, StatusRow};
use tertulia_db::{Db, DbConn, DbError, accounts, polls};

use super::create::{check_body, load_one, render};
use super::{StatusView, not_found};
use crate::Context;
use crate::audience;
use crate::events::{Event, StatusEvent};
use crate::media::MediaView;
use crate::outbox::{self, Outgoing};
use crate::visibility::{self, Viewer};
use crate::{AccountView, DomainError, media};

/// What an edit sends; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct StatusChanges {
    pub text: String,
    pub spoiler_text: Option<String>,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
    pub media_ids: Option<Vec<Id>>,
}

/// One version of a status.
#[derive(Debug, Clone)]
pub struct EditView {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: DateTime<Utc>,
    pub account: AccountView,
    pub poll_options: Option<Vec<String>>,
    pub media: Vec<MediaView>,
}

/// Edits one of the author's statuses: new text, mentions and tags, kept
/// in the history; boosters are notified and streams get the new version.
pub async fn edit(ctx: &Context, author: Id, id: Id, changes: StatusChanges) -> Result<StatusView, DomainError> {
    let config = ctx.config.clone();
    ctx.committed(move |conn| tertulia_db::transaction(conn, |conn| edit_in(conn, &config, author, id, &changes))).await
}

/// [`edit`] in the caller's transaction: an event's change re-renders its
/// status with it. Returns the edited status and the events to publish.
pub(crate) fn edit_in(
    conn: &mut DbConn,
    config: &Config,
    author: Id,
    id: Id,
    changes: &StatusChanges,
) -> Result<(StatusView, Vec<Event>), DomainError> {
    let kudos = crate::kudos::Rule::new(&config.communities);
    let Some(row) = visibility::find_visible(conn, Some(author.0), id.0)? else {
        return Err(not_found());
    };
    if row.account_id != author.0 {
        return Err(DomainError::Forbidden("you can only edit your own statuses".into()));
    }
    if row.reblog_of_id.is_some() {
        return Err(DomainError::invalid("id", "a boost cannot be edited"));
    }
    let current_media: Vec<Id> =
        tertulia_db::media::of_statuses(conn, &[row.id])?.into_iter().map(|m| Id(m.id)).collect();
    let wanted_media = changes.media_ids.clone().unwrap_or(current_media);
    let spoiler = changes.spoiler_text.clone().or_else(|| Some(row.spoiler_text.clone()));
    let (text, spoiler_text, media_ids) = check_body(config, &changes.text, spoiler, &wanted_media)?;
    let poll = polls::of_statuses(conn, &[row.id])?.pop();
    if poll.is_some() && !media_ids.is_empty() {
        return Err(crate::polls::not_with_media());
    }
    let rendered = render(conn, author.0, &text, &config.domain.to_lowercase(), &config.base_url())?;
    let revision = Revision {
        content: rendered.content,
        sensitive: changes.sensitive.unwrap_or(row.sensitive) || !spoiler_text.is_empty(),
        spoiler_text,
        text,
        language: changes.language.clone().filter(|l| !l.is_empty()).or(row.language.clone()),
        edited_at: tertulia_db::now(),
    };
    let version = NewVersion {
        revision,
        mentioned: rendered.mentioned,
        tags: rendered.tags,
        media: changes.media_ids.is_some().then(|| media_ids.clone()),
    };
    let (edited, pending) = apply(conn, &kudos, &row, version)?;
    if changes.media_ids.is_some() {
        tertulia_db::media::detach_all(conn, row.id)?;
        media::attach(conn, author.0, &media_ids, row.id)?;
    }
    if edited.visibility.federates() {
        outbox::record(conn, &Outgoing::StatusUpdated { status: row.id })?;
    }
    let view = load_one(conn, author.0, row.id)?.ok_or_else(not_found)?;
    Ok((view, pending))
}

/// A new version of a status, written here or received from its site.
pub(crate) struct NewVersion {
    pub(crate) revision: Revision,
    /// Accounts the new text mentions.
    pub(crate) mentioned: Vec<i64>,
    /// Hashtags of the new text: (lower-cased name, name as written).
    pub(crate) tags: Vec<(String, String)>,
    /// The attachments of the new version; `None` keeps the current ones.
    pub(crate) media: Option<Vec<i64>>,
}

/// Stores `version` of `row`, the same way for a local edit and a remote
/// one: the history (the first edit keeps the status as first posted),
/// the text, its mentions and tags (so tag timelines follow), the kudos
/// they make. Boosters are notified of the edit, and local accounts the
/// new text mentions for the first time of the mention
/// ([`audience::of_edit`]). Returns the edited row and the events to publish.
pub(crate) fn apply(
    conn: &mut DbConn,
    kudos: &crate::kudos::Rule,
    row: &StatusRow,
    version: NewVersion,
) -> Result<(StatusRow, Vec<Event>), DomainError> {
    let current_media: Vec<i64> = tertulia_db::media::of_statuses(conn, &[row.id])?.iter().map(|m| m.id).collect();
    let poll_options = polls::of_statuses(conn, &[row.id])?.pop().as_ref().map(polls::PollRow::titles);
    if edits::of_status(conn, row.id)?.is_empty() {
        edits::insert(conn, &self::version(row, current_media.clone(), poll_options.clone(), row.created_at))?;
    }
    let before: Vec<i64> = statuses::mentions_of(conn, &[row.id])?.into_iter().map(|(_, account)| account).collect();
    let edited_at = version.revision.edited_at;
    statuses::revise(conn, row.id, &version.revision)?;
    statuses::clear_mentions_and_tags(conn, row.id)?;
    statuses::insert_mentions(conn, row.id, &version.mentioned)?;
    statuses::attach_tags(conn, row.id, &version.tags, edited_at)?;
    let edited = statuses::find(conn, row.id)?.ok_or_else(not_found)?;
    let media = version.media.unwrap_or(current_media);
    edits::insert(conn, &self::version(&edited, media, poll_options, edited_at))?;
    let tag_names: Vec<String> = version.tags.into_iter().map(|(name, _)| name).collect();
    crate::kudos::record(conn, kudos, &edited, &version.mentioned, &tag_names)?;
    crate::campaigns::record(conn, &edited, &tag_names, &version.mentioned)?;
    let newly_mentioned: Vec<i64> = version.mentioned.iter().copied().filter(|m| !before.contains(m)).collect();
    let audience =
        audience::of_edit(conn, &edited, &AccountId::all(&version.mentioned), &AccountId::all(&newly_mentioned))?;
    let mut pending = vec![Event::StatusUpdate(StatusEvent::new(&edited, tag_names, audience.home, version.mentioned))];
    pending.extend(audience::notify_all(conn, &audience.notices, AccountId(row.account_id), &edited)?);
    Ok((edited, pending))
}

fn version(row: &StatusRow, media: Vec<i64>, poll_options: Option<Vec<String>>, at: NaiveDateTime) -> EditRow {
    EditRow {
        id: Id::generate().0,
        status_id: row.id,
        account_id: row.account_id,
        text: row.text.clone(),
        content: row.content.clone(),
        spoiler_text: row.spoiler_text.clone(),
        sensitive: row.sensitive,
        media_attachments: serde_json::to_string(&media).unwrap_or_else(|_| "[]".into()),
        poll_options: poll_options.map(|o| serde_json::to_string(&o).unwrap_or_else(|_| "[]".into())),
        created_at: at,
    }
}

/// The versions of a status `viewer` may see, oldest first.
pub async fn history(db: &Db, viewer: Viewer, id: Id) -> Result<Vec<EditView>, DomainError> {
    db.run(move |conn| {
        let Some(row) = visibility::find_visible(conn, viewer, id.0)? else {
            return Ok::<_, DomainError>(None);
        };
        let mut versions = edits::of_status(conn, row.id)?;
        if versions.is_empty() {
            let media = tertulia_db::media::of_statuses(conn, &[row.id])?.iter().map(|m| m.id).collect();
            let poll = polls::of_statuses(conn, &[row.id])?.pop();
            versions.push(version(&row, media, poll.as_ref().map(polls::PollRow::titles), row.created_at));
        }
        let Some(account) = accounts::find(conn, row.account_id)? else {
            return Ok(None);
        };
        let account = AccountView::from(account);
        let mut views = Vec::with_capacity(versions.len());
        for version in versions {
            views.push(edit_view(conn, version, account.clone())?);
        }
        Ok(Some(views))
    })
    .await?
    .ok_or_else(not_found)
}

fn edit_view(conn: &mut DbConn, row: EditRow, account: AccountView) -> Result<EditView, DbError> {
    // The columns only ever hold JSON written here.
    let media_ids: Vec<i64> = serde_json::from_str(&row.media_attachments).unwrap_or_default();
    let media = tertulia_db::media::find_many(conn, &media_ids)?.into_iter().map(MediaView::from).collect();
    Ok(EditView {
        content: row.content,
        spoiler_text: row.spoiler_text,
        sensitive: row.sensitive,
        created_at: row.created_at.and_utc(),
        account,
        poll_options: row.poll_options.and_then(|o| serde_json::from_str(&o).ok()),
        media,
    })
}

/// The text as typed, for the edit form: (text, content warning).
pub async fn source(db: &Db, viewer: Viewer, id: Id) -> Result<(String, String), DomainError> {
    let view = super::get(db, viewer, id).await?;
    Ok((view.text, view.spoiler_text))
}
