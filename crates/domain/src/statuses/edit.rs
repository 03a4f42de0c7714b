//! Editing: `PUT /api/v1/statuses/:id`, the edit history and the source.
//!
//! As on Mastodon, `status_edits` holds every version: the first edit
//! stores the status as first posted and then the new version, each later
//! edit its new version. A status never edited has a history of one, its
//! current version.

use chrono::{DateTime, NaiveDateTime, Utc};
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
    let base_url = ctx.config.base_url();
    let own_domain = ctx.config.domain.to_lowercase();
    let config = ctx.config.clone();
    let kudos = crate::kudos::Rule::new(&config.communities);
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
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
            let (text, spoiler_text, media_ids) = check_body(&config, &changes.text, spoiler, &wanted_media)?;
            let poll = polls::of_statuses(conn, &[row.id])?.pop();
            if poll.is_some() && !media_ids.is_empty() {
                return Err(crate::polls::not_with_media());
            }
            let poll_options = poll.as_ref().map(polls::PollRow::titles);
            let now = tertulia_db::now();
            if edits::of_status(conn, row.id)?.is_empty() {
                let original_media = tertulia_db::media::of_statuses(conn, &[row.id])?.iter().map(|m| m.id).collect();
                let original = version(&row, original_media, poll_options.clone(), row.created_at);
                edits::insert(conn, &original)?;
            }
            if changes.media_ids.is_some() {
                tertulia_db::media::detach_all(conn, row.id)?;
                media::attach(conn, author.0, &media_ids, row.id)?;
            }
            let rendered = render(conn, author.0, &text, &own_domain, &base_url)?;
            let revision = Revision {
                content: rendered.content,
                sensitive: changes.sensitive.unwrap_or(row.sensitive) || !spoiler_text.is_empty(),
                spoiler_text,
                text,
                language: changes.language.clone().filter(|l| !l.is_empty()).or(row.language.clone()),
                edited_at: now,
            };
            statuses::revise(conn, row.id, &revision)?;
            statuses::clear_mentions_and_tags(conn, row.id)?;
            statuses::insert_mentions(conn, row.id, &rendered.mentioned)?;
            statuses::attach_tags(conn, row.id, &rendered.tags, now)?;
            let Some(edited) = statuses::find(conn, row.id)? else {
                return Err(not_found());
            };
            edits::insert(conn, &version(&edited, media_ids, poll_options, now))?;
            let tag_names: Vec<String> = rendered.tags.into_iter().map(|(name, _)| name).collect();
            crate::kudos::record(conn, &kudos, &edited, &rendered.mentioned, &tag_names)?;
            crate::campaigns::record(conn, &edited, &tag_names)?;
            if edited.visibility.federates() {
                outbox::record(conn, &Outgoing::StatusUpdated { status: row.id })?;
            }
            let audience = audience::of_edit(conn, &edited, &AccountId::all(&rendered.mentioned))?;
            let mut pending =
                vec![Event::StatusUpdate(StatusEvent::new(&edited, tag_names, audience.home, rendered.mentioned))];
            pending.extend(audience::notify_all(conn, &audience.notices, AccountId(author.0), &edited)?);
            let view = load_one(conn, author.0, row.id)?.ok_or_else(not_found)?;
            Ok((view, pending))
        })
    })
    .await
}

pub(crate) fn version(
    row: &StatusRow,
    media: Vec<i64>,
    poll_options: Option<Vec<String>>,
    at: NaiveDateTime,
) -> EditRow {
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
