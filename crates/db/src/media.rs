//! Queries on `media_attachments`: uploads, and their link to a status.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tertulia_core::media::MediaKind;

use crate::schema::{accounts, media_attachments};
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_attachments)]
pub struct MediaRow {
    pub id: i64,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub kind: MediaKind,
    pub content_type: String,
    pub file_path: Option<String>,
    pub preview_path: Option<String>,
    pub remote_url: Option<String>,
    pub file_size: i64,
    pub description: Option<String>,
    pub focus: Option<String>,
    pub meta: String,
    pub blurhash: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a status's view shows of an upload. The read pipeline reads it as
/// a JSON array of [`AttachedMedia::COLUMNS`], in the fields' order
/// (`statuses::extras_among`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AttachedMedia {
    pub id: i64,
    #[serde(deserialize_with = "kind_by_name")]
    pub kind: MediaKind,
    pub content_type: String,
    pub file_path: Option<String>,
    pub preview_path: Option<String>,
    pub remote_url: Option<String>,
    pub description: Option<String>,
    pub meta: String,
    pub blurhash: Option<String>,
}

impl AttachedMedia {
    pub(crate) const COLUMNS: &str = "media_attachments.id, media_attachments.kind, media_attachments.content_type, \
        media_attachments.file_path, media_attachments.preview_path, media_attachments.remote_url, \
        media_attachments.description, media_attachments.meta, media_attachments.blurhash";
}

fn kind_by_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<MediaKind, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(deserializer)?;
    name.parse().map_err(serde::de::Error::custom)
}

impl From<MediaRow> for AttachedMedia {
    fn from(row: MediaRow) -> Self {
        AttachedMedia {
            id: row.id,
            kind: row.kind,
            content_type: row.content_type,
            file_path: row.file_path,
            preview_path: row.preview_path,
            remote_url: row.remote_url,
            description: row.description,
            meta: row.meta,
            blurhash: row.blurhash,
        }
    }
}

pub fn insert(conn: &mut DbConn, media: &MediaRow) -> Result<(), DbError> {
    diesel::insert_into(media_attachments::table).values(media).execute(conn)?;
    Ok(())
}

/// The upload with this id, if it belongs to `account_id`.
pub fn find_own(conn: &mut DbConn, account_id: i64, id: i64) -> Result<Option<MediaRow>, DbError> {
    Ok(media_attachments::table
        .find(id)
        .filter(media_attachments::account_id.eq(account_id))
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets the description, focus and meta (which holds the focus too).
pub fn update_details(
    conn: &mut DbConn,
    id: i64,
    description: Option<&str>,
    focus: Option<&str>,
    meta: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(media_attachments::table.find(id))
        .set((
            media_attachments::description.eq(description),
            media_attachments::focus.eq(focus),
            media_attachments::meta.eq(meta),
            media_attachments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Of `ids`, those uploaded by `account_id` and not yet on any status
/// (nor reserved for a scheduled one).
pub fn find_attachable(conn: &mut DbConn, account_id: i64, ids: &[i64]) -> Result<Vec<MediaRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(media_attachments::table
        .filter(media_attachments::id.eq_any(ids))
        .filter(media_attachments::account_id.eq(account_id))
        .filter(media_attachments::status_id.is_null())
        .filter(media_attachments::scheduled_status_id.is_null())
        .select(MediaRow::as_select())
        .load(conn)?)
}

pub fn attach(conn: &mut DbConn, ids: &[i64], status_id: i64) -> Result<(), DbError> {
    diesel::update(media_attachments::table.filter(media_attachments::id.eq_any(ids)))
        .set(media_attachments::status_id.eq(status_id))
        .execute(conn)?;
    Ok(())
}

/// Unlinks a status's media, keeping the uploads (for redrafting).
pub fn detach_all(conn: &mut DbConn, status_id: i64) -> Result<(), DbError> {
    diesel::update(media_attachments::table.filter(media_attachments::status_id.eq(status_id)))
        .set(media_attachments::status_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// The media of these statuses, oldest upload first.
pub fn of_statuses(conn: &mut DbConn, status_ids: &[i64]) -> Result<Vec<MediaRow>, DbError> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(media_attachments::table
        .filter(media_attachments::status_id.eq_any(status_ids))
        .order(media_attachments::id.asc())
        .select(MediaRow::as_select())
        .load(conn)?)
}

/// Which profile picture an upload becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileImage {
    Avatar,
    Header,
}

impl ProfileImage {
    /// The form field that carries it.
    pub fn field(self) -> &'static str {
        match self {
            ProfileImage::Avatar => "avatar",
            ProfileImage::Header => "header",
        }
    }
}

/// Points the account's avatar or header at an upload.
pub fn set_profile_image(
    conn: &mut DbConn,
    account_id: i64,
    which: ProfileImage,
    media_id: i64,
    url: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let target = accounts::table.find(account_id);
    let changed = match which {
        ProfileImage::Avatar => diesel::update(target)
            .set((accounts::avatar_media_id.eq(media_id), accounts::avatar_url.eq(url), accounts::updated_at.eq(now)))
            .execute(conn)?,
        ProfileImage::Header => diesel::update(target)
            .set((accounts::header_media_id.eq(media_id), accounts::header_url.eq(url), accounts::updated_at.eq(now)))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Removes the account's avatar or header; the default picture shows again.
pub fn clear_profile_image(
    conn: &mut DbConn,
    account_id: i64,
    which: ProfileImage,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let target = accounts::table.find(account_id);
    let none: Option<i64> = None;
    let no_url: Option<String> = None;
    let changed = match which {
        ProfileImage::Avatar => diesel::update(target)
            .set((accounts::avatar_media_id.eq(none), accounts::avatar_url.eq(no_url), accounts::updated_at.eq(now)))
            .execute(conn)?,
        ProfileImage::Header => diesel::update(target)
            .set((accounts::header_media_id.eq(none), accounts::header_url.eq(no_url), accounts::updated_at.eq(now)))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Uploads by id (those that still exist), oldest first: the attachments
/// an earlier version of a status had.
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<MediaRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(media_attachments::table
        .filter(media_attachments::id.eq_any(ids))
        .order(media_attachments::id.asc())
        .select(MediaRow::as_select())
        .load(conn)?)
}

/// Reserves uploads for a scheduled status: they stay off other statuses
/// until it is published or cancelled ([`crate::scheduled::delete`]).
pub fn reserve(conn: &mut DbConn, ids: &[i64], scheduled_status_id: i64) -> Result<(), DbError> {
    diesel::update(media_attachments::table.filter(media_attachments::id.eq_any(ids)))
        .set(media_attachments::scheduled_status_id.eq(scheduled_status_id))
        .execute(conn)?;
    Ok(())
}

/// The uploads reserved for these scheduled statuses, oldest first, with
/// the scheduled status each belongs to.
pub fn of_scheduled(conn: &mut DbConn, scheduled_ids: &[i64]) -> Result<Vec<(i64, MediaRow)>, DbError> {
    if scheduled_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<i64>, MediaRow)> = media_attachments::table
        .filter(media_attachments::scheduled_status_id.eq_any(scheduled_ids))
        .order(media_attachments::id.asc())
        .select((media_attachments::scheduled_status_id, MediaRow::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(scheduled, row)| (scheduled.unwrap_or_default(), row)).collect())
}

/// Whether an upload is some account's avatar or header (those rows have
/// no status yet are in use).
pub fn is_profile_image(conn: &mut DbConn, media_id: i64) -> Result<bool, DbError> {
    let users: i64 = accounts::table
        .filter(accounts::avatar_media_id.eq(media_id).or(accounts::header_media_id.eq(media_id)))
        .count()
        .get_result(conn)?;
    Ok(users > 0)
}

/// Deletes an upload's row, unless it has been attached meanwhile.
pub fn delete_unattached(conn: &mut DbConn, id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(media_attachments::table.find(id).filter(media_attachments::status_id.is_null()))
        .execute(conn)?)
}

/// Sets the alt text of an avatar or header upload.
pub fn set_description(
    conn: &mut DbConn,
    id: i64,
    description: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(media_attachments::table.find(id))
        .set((media_attachments::description.eq(description), media_attachments::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The alt text of each of `ids` that has one.
pub fn descriptions(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    Ok(media_attachments::table
        .filter(media_attachments::id.eq_any(ids))
        .filter(media_attachments::description.is_not_null())
        .select((media_attachments::id, media_attachments::description.assume_not_null()))
        .load(conn)?)
}
