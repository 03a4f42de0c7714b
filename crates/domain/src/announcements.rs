//! Announcements: messages admins show to everyone on the site, at the top
//! of their client (Mastodon's announcements), with per-reader dismissals
//! and emoji reactions.
//!
//! Admins write them with `tertulia admin announcement …` or the admin API,
//! publish them at once or at a scheduled time ([`keep_publishing`], run
//! once per cluster), and may mark them company-wide: those are also sent,
//! through the outbox, to every site that follows this one as a site, and
//! arrive there through [`received`] naming their origin. Only their origin
//! changes them; each site keeps its own dismissals and reactions.
//!
//! Every change a reader would see is announced on the streaming API after
//! its commit: `announcement` when one appears or changes, `announcement.delete`
//! when it is unpublished or deleted, `announcement.reaction` with the new
//! count of an emoji.

use std::time::Duration;

use chrono::NaiveDateTime;
use tertulia_core::{Config, Id, text};
use tertulia_db::announcements::{self as rows, AnnouncementRow, ReactionCount};
use tertulia_db::{Db, DbConn, DbError};

use crate::audit::{self, Actor, Target};
use crate::events::Event;
use crate::outbox::{self, Outgoing};
use crate::{Context, DomainError};

/// Longest announcement text, in characters.
const MAX_TEXT_LENGTH: usize = 5_000;
/// Longest reaction name: one emoji, possibly several code points joined.
const MAX_REACTION_LENGTH: usize = 16;
/// How often the publishing job looks for announcements that are due: the
/// most a scheduled one appears late.
const PUBLISH_CHECK: Duration = Duration::from_secs(1);

/// What an admin writes: the whole announcement, for creating and editing.
#[derive(Debug, Clone, Default)]
pub struct AnnouncementForm {
    pub text: String,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    /// Show `starts_at`/`ends_at` as dates only.
    pub all_day: bool,
    /// Publish at once (otherwise it stays a draft, or waits for `scheduled_at`).
    pub publish: bool,
    /// When to publish it, if not at once.
    pub scheduled_at: Option<NaiveDateTime>,
    /// Also send it to every site that follows this one as a site.
    pub company_wide: bool,
}

/// An announcement as a reader or an admin sees it.
#[derive(Debug, Clone)]
pub struct AnnouncementView {
    pub id: Id,
    pub text: String,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub all_day: bool,
    pub published: bool,
    pub published_at: Option<NaiveDateTime>,
    pub scheduled_at: Option<NaiveDateTime>,
    pub company_wide: bool,
    /// The site it came from; `None` for this site's own.
    pub origin_domain: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Whether the reader dismissed it (`None` for an admin's view).
    pub read: Option<bool>,
    pub reactions: Vec<Reaction>,
}

impl AnnouncementView {
    /// The text as HTML. One received from another site ends by naming
    /// its origin, so stock clients show where it comes from.
    pub fn content_html(&self, config: &Config) -> String {
        let html = text::render_plain_text(&self.text, |_, _| None, &format!("{}/tags", config.base_url()));
        match &self.origin_domain {
            Some(origin) => format!("{html}<p>— {}</p>", text::escape_html(&format!("Company-wide, from {origin}"))),
            None => html,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    pub name: String,
    pub count: i64,
    /// Whether the reader reacted so (`None` without a reader).
    pub me: Option<bool>,
}

/// A company-wide announcement as its origin site sends it.
#[derive(Debug, Clone)]
pub struct ReceivedAnnouncement {
    pub text: String,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub all_day: bool,
    pub published_at: NaiveDateTime,
}

fn not_found() -> DomainError {
    DomainError::NotFound("announcement".into())
}

fn view(row: AnnouncementRow, read: Option<bool>, reactions: Vec<Reaction>) -> AnnouncementView {
    AnnouncementView {
        id: Id(row.id),
        text: row.text,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        // Mastodon: false when there are no dates to show as days.
        all_day: row.all_day && (row.starts_at.is_some() || row.ends_at.is_some()),
        published: row.published,
        published_at: row.published_at,
        scheduled_at: row.scheduled_at,
        company_wide: row.company_wide,
        origin_domain: row.origin_domain,
        created_at: row.created_at,
        updated_at: row.updated_at,
        read,
        reactions,
    }
}

/// Views of `rows` as `reader` sees them (or as an admin does, without one).
fn views(conn: &mut DbConn, rows: Vec<AnnouncementRow>, reader: Option<Id>) -> Result<Vec<AnnouncementView>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let dismissed = match reader {
        Some(reader) => Some(rows::dismissed_of(conn, reader.0, &ids)?),
        None => None,
    };
    let counts = rows::reactions_of(conn, &ids, reader.map(|r| r.0))?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let reactions = counts
                .iter()
                .filter(|c| c.announcement_id == row.id)
                .map(|c| Reaction { name: c.name.clone(), count: c.count, me: reader.map(|_| c.me) })
                .collect();
            let read = dismissed.as_ref().map(|d| d.contains(&row.id));
            view(row, read, reactions)
        })
        .collect())
}

fn check(form: &AnnouncementForm, now: NaiveDateTime) -> Result<String, DomainError> {
    let text = form.text.trim().to_owned();
    if text.is_empty() {
        return Err(DomainError::blank("text"));
    }
    if text.chars().count() > MAX_TEXT_LENGTH {
        return Err(DomainError::too_long("text", MAX_TEXT_LENGTH));
    }
    if let (Some(starts), Some(ends)) = (form.starts_at, form.ends_at)
        && ends <= starts
    {
        return Err(DomainError::invalid("ends_at", "must be after starts_at"));
    }
    if let Some(at) = form.scheduled_at {
        if form.publish {
            return Err(DomainError::invalid("scheduled_at", "give a scheduled time or publish now, not both"));
        }
        if at <= now {
            return Err(DomainError::invalid("scheduled_at", "must be in the future"));
        }
    }
    Ok(text)
}

/// The events and outbox record of a published announcement that appeared
/// or changed.
fn shown(conn: &mut DbConn, row: &AnnouncementRow) -> Result<Vec<Event>, DbError> {
    if row.company_wide && row.origin_domain.is_none() {
        outbox::record(conn, &Outgoing::AnnouncementShown { announcement: row.id })?;
    }
    Ok(vec![Event::Announcement { id: Id(row.id) }])
}

/// The events and outbox record of a published announcement taken away.
fn withdrawn(conn: &mut DbConn, row: &AnnouncementRow) -> Result<Vec<Event>, DbError> {
    if row.company_wide && row.origin_domain.is_none() {
        outbox::record(conn, &Outgoing::AnnouncementWithdrawn { announcement: row.id })?;
    }
    Ok(vec![Event::AnnouncementDelete { id: Id(row.id) }])
}

/// The row `id` of this site's own announcements: those received from
/// another site are changed only by their origin.
fn own(conn: &mut DbConn, id: Id) -> Result<AnnouncementRow, DomainError> {
    let row = rows::find(conn, id.0)?.ok_or_else(not_found)?;
    if let Some(origin) = &row.origin_domain {
        return Err(DomainError::Forbidden(format!(
            "This announcement comes from {origin}; only an admin there can change it"
        )));
    }
    Ok(row)
}

/// Creates an announcement, published at once if the form says so.
pub async fn create(ctx: &Context, actor: &Actor, form: AnnouncementForm) -> Result<AnnouncementView, DomainError> {
    let now = tertulia_db::now();
    let text = check(&form, now)?;
    let actor = actor.clone();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let row = AnnouncementRow {
                id: Id::generate().0,
                text,
                starts_at: form.starts_at,
                ends_at: form.ends_at,
                all_day: form.all_day,
                published: form.publish,
                published_at: form.publish.then_some(now),
                scheduled_at: form.scheduled_at,
                company_wide: form.company_wide,
                origin_domain: None,
                remote_uri: None,
                created_at: now,
                updated_at: now,
            };
            rows::insert(conn, &row)?;
            audit::record(conn, &actor, "create", &target(&row))?;
            let events = if row.published { shown(conn, &row)? } else { Vec::new() };
            Ok((views(conn, vec![row], None)?.remove(0), events))
        })
    })
    .await
}

/// Replaces an announcement's text, dates and flags. A published one stays
/// published (readers see the change); `publish` in the form publishes a
/// draft. Turning `company_wide` off withdraws it from the other sites.
pub async fn edit(
    ctx: &Context,
    actor: &Actor,
    id: Id,
    form: AnnouncementForm,
) -> Result<AnnouncementView, DomainError> {
    let now = tertulia_db::now();
    let text = check(&form, now)?;
    let actor = actor.clone();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let before = own(conn, id)?;
            let publishing = form.publish && !before.published;
            let row = AnnouncementRow {
                text,
                starts_at: form.starts_at,
                ends_at: form.ends_at,
                all_day: form.all_day,
                published: before.published || form.publish,
                published_at: if publishing { Some(now) } else { before.published_at },
                scheduled_at: if before.published || form.publish { None } else { form.scheduled_at },
                company_wide: form.company_wide,
                updated_at: now,
                ..before.clone()
            };
            rows::update(conn, &row)?;
            audit::record(conn, &actor, "update", &target(&row))?;
            let mut events = Vec::new();
            if before.published && before.company_wide && !row.company_wide {
                outbox::record(conn, &Outgoing::AnnouncementWithdrawn { announcement: row.id })?;
            }
            if row.published {
                events = shown(conn, &row)?;
            }
            Ok((views(conn, vec![row], None)?.remove(0), events))
        })
    })
    .await
}

/// Publishes a draft or scheduled announcement now; publishing a published
/// one changes nothing.
pub async fn publish(ctx: &Context, actor: &Actor, id: Id) -> Result<AnnouncementView, DomainError> {
    let actor = actor.clone();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            own(conn, id)?;
            let events = publish_in(conn, id.0, tertulia_db::now())?;
            let row = rows::find(conn, id.0)?.ok_or_else(not_found)?;
            audit::record(conn, &actor, "publish", &target(&row))?;
            Ok((views(conn, vec![row], None)?.remove(0), events))
        })
    })
    .await
}

/// Publishes `id` unless it already is; the events to announce.
fn publish_in(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<Vec<Event>, DbError> {
    if !rows::publish(conn, id, now)? {
        return Ok(Vec::new());
    }
    match rows::find(conn, id)? {
        Some(row) => shown(conn, &row),
        None => Ok(Vec::new()),
    }
}

/// Takes a published announcement back to a draft: readers no longer see it.
pub async fn unpublish(ctx: &Context, actor: &Actor, id: Id) -> Result<AnnouncementView, DomainError> {
    let actor = actor.clone();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let before = own(conn, id)?;
            let row = AnnouncementRow {
                published: false,
                published_at: None,
                scheduled_at: None,
                updated_at: tertulia_db::now(),
                ..before.clone()
            };
            rows::update(conn, &row)?;
            audit::record(conn, &actor, "unpublish", &target(&row))?;
            let events = if before.published { withdrawn(conn, &before)? } else { Vec::new() };
            Ok((views(conn, vec![row], None)?.remove(0), events))
        })
    })
    .await
}

/// Deletes an announcement, with its dismissals and reactions.
pub async fn delete(ctx: &Context, actor: &Actor, id: Id) -> Result<(), DomainError> {
    let actor = actor.clone();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let row = own(conn, id)?;
            audit::record(conn, &actor, "destroy", &target(&row))?;
            let events = if row.published { withdrawn(conn, &row)? } else { Vec::new() };
            rows::delete(conn, row.id)?;
            Ok(((), events))
        })
    })
    .await
}

/// An announcement is named in the audit log by the start of its text,
/// which still tells which one it was once it is deleted.
fn target(row: &AnnouncementRow) -> Target {
    Target::new("announcement", row.id, row.text.chars().take(60).collect::<String>())
}

/// Every announcement, newest first, as admins see them.
pub async fn list_all(db: &Db) -> Result<Vec<AnnouncementView>, DomainError> {
    Ok(db
        .run(|conn| {
            let all = rows::list_all(conn)?;
            views(conn, all, None)
        })
        .await?)
}

/// One announcement as admins see it.
pub async fn get(db: &Db, id: Id) -> Result<AnnouncementView, DomainError> {
    db.run(move |conn| match rows::find(conn, id.0)? {
        Some(row) => Ok::<_, DomainError>(views(conn, vec![row], None)?.pop()),
        None => Ok(None),
    })
    .await?
    .ok_or_else(not_found)
}

/// The published announcements not yet over, as `reader` sees them.
pub async fn current(db: &Db, reader: Id) -> Result<Vec<AnnouncementView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let rows = rows::current(conn, tertulia_db::now())?;
            views(conn, rows, Some(reader))
        })
        .await?)
}

/// One published announcement as `reader` sees it (for its streaming
/// event); not found when it is not published.
pub async fn shown_to(db: &Db, reader: Id, id: Id) -> Result<AnnouncementView, DomainError> {
    db.run(move |conn| {
        let row = published(conn, id)?;
        Ok::<_, DomainError>(views(conn, vec![row], Some(reader))?.remove(0))
    })
    .await
}

fn published(conn: &mut DbConn, id: Id) -> Result<AnnouncementRow, DomainError> {
    rows::find(conn, id.0)?.filter(|row| row.published).ok_or_else(not_found)
}

/// Marks a published announcement as read by `reader`.
pub async fn dismiss(db: &Db, reader: Id, id: Id) -> Result<(), DomainError> {
    db.write(move |conn| {
        published(conn, id)?;
        rows::dismiss(conn, id.0, reader.0)?;
        Ok(())
    })
    .await
}

/// Checks a reaction's name: a unicode emoji. Custom emoji shortcodes
/// (ASCII letters, digits and `_`) are refused: this site has none.
fn check_reaction(name: &str) -> Result<(), DomainError> {
    let length = name.chars().count();
    if length == 0 || length > MAX_REACTION_LENGTH || name.chars().any(|c| c.is_ascii() || c.is_whitespace()) {
        return Err(DomainError::invalid("name", format!("'{name}' is not a recognized emoji")));
    }
    Ok(())
}

/// Adds (`add`) or removes `reader`'s reaction `name`; readers on the
/// streaming API hear the emoji's new count.
pub async fn react(ctx: &Context, reader: Id, id: Id, name: String, add: bool) -> Result<(), DomainError> {
    check_reaction(&name)?;
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            published(conn, id)?;
            let now = tertulia_db::now();
            let changed = if add {
                rows::add_reaction(conn, id.0, reader.0, &name, now)?
            } else {
                rows::remove_reaction(conn, id.0, reader.0, &name)?
            };
            if !changed {
                return Ok(((), Vec::new()));
            }
            let count = rows::reactions_of(conn, &[id.0], None)?
                .into_iter()
                .find(|c| c.name == name)
                .map_or(0, |c: ReactionCount| c.count);
            Ok(((), vec![Event::AnnouncementReaction { announcement: id, name, count }]))
        })
    })
    .await
}

/// Publishes the scheduled announcements whose time has come; how many.
pub async fn publish_due(ctx: &Context) -> Result<usize, DomainError> {
    ctx.committed(|conn| {
        tertulia_db::transaction(conn, |conn| {
            let now = tertulia_db::now();
            let mut events = Vec::new();
            for row in rows::due(conn, now)? {
                events.extend(publish_in(conn, row.id, now)?);
            }
            Ok((events.len(), events))
        })
    })
    .await
}

/// Publishes scheduled announcements when they are due, until `stop` turns
/// true. Run once per cluster (the binary sees to it); publishing is also
/// conditional on the row, so a second runner would do no harm.
pub async fn keep_publishing(ctx: Context, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(error) = publish_due(&ctx).await {
            tracing::error!(%error, "scheduled announcements: cannot publish the due ones");
        }
        tokio::select! {
            _ = tokio::time::sleep(PUBLISH_CHECK) => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
    }
}

/// Stores or updates a company-wide announcement `uri` sent by the site
/// `origin`, published as its origin published it.
pub async fn received(
    ctx: &Context,
    origin: String,
    uri: String,
    announcement: ReceivedAnnouncement,
) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let now = tertulia_db::now();
            let existing = received_from(conn, &origin, &uri)?;
            let row = AnnouncementRow {
                id: existing.as_ref().map_or_else(|| Id::generate().0, |e| e.id),
                text: announcement.text,
                starts_at: announcement.starts_at,
                ends_at: announcement.ends_at,
                all_day: announcement.all_day,
                published: true,
                published_at: Some(announcement.published_at),
                scheduled_at: None,
                company_wide: true,
                origin_domain: Some(origin),
                remote_uri: Some(uri),
                created_at: existing.as_ref().map_or(now, |e| e.created_at),
                updated_at: now,
            };
            match existing {
                Some(_) => rows::update(conn, &row)?,
                None => rows::insert(conn, &row)?,
            }
            Ok(((), vec![Event::Announcement { id: Id(row.id) }]))
        })
    })
    .await
}

/// Removes the company-wide announcement `uri` its origin `origin`
/// unpublished or deleted; unknown ones are ignored.
pub async fn received_withdrawal(ctx: &Context, origin: String, uri: String) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(row) = received_from(conn, &origin, &uri)? else {
                return Ok(((), Vec::new()));
            };
            rows::delete(conn, row.id)?;
            Ok(((), vec![Event::AnnouncementDelete { id: Id(row.id) }]))
        })
    })
    .await
}

/// The announcement `uri` received before, if any; refused unless it came
/// from `origin`, so one site cannot change another's.
fn received_from(conn: &mut DbConn, origin: &str, uri: &str) -> Result<Option<AnnouncementRow>, DomainError> {
    let existing = rows::find_by_remote_uri(conn, uri)?;
    if existing.as_ref().is_some_and(|row| row.origin_domain.as_deref() != Some(origin)) {
        return Err(DomainError::Forbidden(format!("{uri} belongs to another site than {origin}")));
    }
    Ok(existing)
}

/// A local announcement as federation renders it: published and
/// company-wide, else `None` (then nothing is sent).
pub fn company_wide(conn: &mut DbConn, id: i64) -> Result<Option<AnnouncementView>, DbError> {
    let Some(row) = rows::find(conn, id)?.filter(|r| r.published && r.company_wide && r.origin_domain.is_none()) else {
        return Ok(None);
    };
    Ok(views(conn, vec![row], None)?.pop())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reactions_are_unicode_emoji_only() {
        for good in ["👍", "🎉", "👩‍💻", "❤️"] {
            assert!(check_reaction(good).is_ok(), "{good}");
        }
        for bad in ["", "blobcat", "👍 ", "thumbs_up", &"🎉".repeat(17)] {
            assert!(check_reaction(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_schedule_must_lie_ahead_and_not_beside_publishing_now() {
        let now = tertulia_db::now();
        let form =
            |publish, scheduled_at| AnnouncementForm { text: "Hi".into(), publish, scheduled_at, ..Default::default() };
        assert!(check(&form(false, Some(now + chrono::Duration::minutes(1))), now).is_ok());
        assert!(check(&form(false, Some(now - chrono::Duration::minutes(1))), now).is_err());
        assert!(check(&form(true, Some(now + chrono::Duration::minutes(1))), now).is_err());
        assert!(check(&AnnouncementForm { text: "  ".into(), ..Default::default() }, now).is_err());
    }
}
