//! Media attachments: uploads stored under the media directory, their
//! descriptions and focal points, and profile pictures.
//!
//! Files live at `<media.dir>/<yyyy>/<mm>/<id>.<ext>` with the preview at
//! `<id>-small.<ext>`; the database keeps paths relative to the media
//! directory, and URLs are built from them with [`url`].

mod image;

use std::path::{Path, PathBuf};

use chrono::Datelike;
use serde_json::{Value, json};
use tertulia_core::media::{MediaKind, MediaType, SNIFF_LEN};
use tertulia_core::{Config, Id};
use tertulia_db::media::{self, AttachedMedia, MediaRow};
use tertulia_db::{Db, DbConn};

pub use self::image::IMAGE_MATRIX_LIMIT;
pub use tertulia_db::media::ProfileImage;

use crate::Context;
use crate::DomainError;

/// Longest description (alt text) accepted, as on Mastodon.
pub const MAX_DESCRIPTION_CHARS: usize = 1_500;
/// Where files are served, below the base URL.
pub const URL_PREFIX: &str = "/media/";
/// Largest preview, each way.
const PREVIEW_BOUNDS: (u32, u32) = (640, 640);
const AVATAR_BOUNDS: (u32, u32) = (400, 400);
const HEADER_BOUNDS: (u32, u32) = (1_500, 500);

/// An upload as its owner and statuses show it.
#[derive(Debug, Clone)]
pub struct MediaView {
    pub id: Id,
    pub kind: MediaKind,
    pub content_type: String,
    /// Relative to the media directory; see [`url`].
    pub file_path: Option<String>,
    pub preview_path: Option<String>,
    pub remote_url: Option<String>,
    pub description: Option<String>,
    /// Mastodon's `meta`: `original`, `small`, `focus`.
    pub meta: Value,
    pub blurhash: Option<String>,
}

impl From<MediaRow> for MediaView {
    fn from(row: MediaRow) -> Self {
        MediaView::from(AttachedMedia::from(row))
    }
}

impl From<AttachedMedia> for MediaView {
    fn from(row: AttachedMedia) -> Self {
        MediaView {
            id: Id(row.id),
            kind: row.kind,
            content_type: row.content_type,
            file_path: row.file_path,
            preview_path: row.preview_path,
            remote_url: row.remote_url,
            description: row.description,
            // The column only ever holds JSON written here.
            meta: serde_json::from_str(&row.meta).unwrap_or_else(|_| json!({})),
            blurhash: row.blurhash,
        }
    }
}

/// The public URL of a stored file.
pub fn url(config: &Config, relative_path: &str) -> String {
    format!("{}{URL_PREFIX}{relative_path}", config.base_url())
}

/// An upload as the client sent it. The files are the caller's temporary
/// copies; this module reads them and may move them.
#[derive(Debug, Clone, Default)]
pub struct NewMedia {
    pub file: PathBuf,
    pub thumbnail: Option<PathBuf>,
    pub description: Option<String>,
    pub focus: Option<String>,
}

/// Stores an upload for `account`: images are re-encoded with a preview
/// and a blurhash; video and audio are kept as they are.
pub async fn upload(ctx: &Context, account: Id, request: NewMedia) -> Result<MediaView, DomainError> {
    let description = check_description(request.description)?;
    let focus = request.focus.as_deref().filter(|f| !f.is_empty()).map(parse_focus).transpose()?;
    let id = Id::generate().0;
    let dir = ctx.config.media.dir.clone();
    let stored = blocking(move || store(&dir, id, &request.file, request.thumbnail.as_deref(), None)).await?;
    let mut meta = stored.meta.clone();
    set_focus(&mut meta, focus);
    let now = tertulia_db::now();
    let row = MediaRow {
        id,
        account_id: account.0,
        status_id: None,
        kind: stored.media_type.kind(),
        content_type: stored.media_type.mime().into(),
        file_path: Some(stored.file_path.clone()),
        preview_path: stored.preview_path.clone(),
        remote_url: None,
        file_size: stored.file_size,
        description,
        focus: focus.map(|(x, y)| format!("{x},{y}")),
        meta: meta.to_string(),
        blurhash: stored.blurhash.clone(),
        created_at: now,
        updated_at: now,
    };
    let inserted = row.clone();
    if let Err(error) = ctx.db.write(move |conn| media::insert(conn, &inserted)).await {
        stored.remove(&ctx.config.media.dir);
        return Err(error.into());
    }
    Ok(MediaView::from(row))
}

/// One of the caller's own uploads; anyone else's is not found.
pub async fn get(db: &Db, account: Id, id: Id) -> Result<MediaView, DomainError> {
    db.run(move |conn| media::find_own(conn, account.0, id.0))
        .await?
        .map(MediaView::from)
        .ok_or_else(|| DomainError::NotFound("media".into()))
}

/// Changes to an upload; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct MediaUpdate {
    pub description: Option<String>,
    pub focus: Option<String>,
}

pub async fn update(db: &Db, account: Id, id: Id, update: MediaUpdate) -> Result<MediaView, DomainError> {
    let description = update.description.map(|d| check_description(Some(d))).transpose()?;
    let focus = update.focus.map(|f| if f.is_empty() { Ok(None) } else { parse_focus(&f).map(Some) }).transpose()?;
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(mut row) = media::find_own(conn, account.0, id.0)? else {
                return Err(DomainError::NotFound("media".into()));
            };
            if let Some(description) = description {
                row.description = description;
            }
            if let Some(focus) = focus {
                let mut meta: Value = serde_json::from_str(&row.meta).unwrap_or_else(|_| json!({}));
                set_focus(&mut meta, focus);
                row.meta = meta.to_string();
                row.focus = focus.map(|(x, y)| format!("{x},{y}"));
            }
            let now = tertulia_db::now();
            media::update_details(conn, row.id, row.description.as_deref(), row.focus.as_deref(), &row.meta, now)?;
            Ok(MediaView::from(row))
        })
    })
    .await
}

/// Deletes one of the caller's uploads and its files. Only uploads not in
/// use may go: one on a status (Mastodon answers 422 too) or serving as a
/// profile picture would leave a broken image behind.
pub async fn delete(ctx: &Context, account: Id, id: Id) -> Result<MediaView, DomainError> {
    let row = ctx
        .db
        .write(move |conn| {
            let Some(row) = media::find_own(conn, account.0, id.0)? else {
                return Err(DomainError::NotFound("media".into()));
            };
            if row.status_id.is_some() || media::is_profile_image(conn, row.id)? {
                return Err(DomainError::invalid(
                    "id",
                    "this media is in use by a status or as a profile picture and cannot be deleted",
                ));
            }
            media::delete_unattached(conn, row.id)?;
            Ok(row)
        })
        .await?;
    let files = [row.file_path.clone(), row.preview_path.clone()];
    let dir = ctx.config.media.dir.clone();
    blocking(move || {
        for path in files.iter().flatten() {
            remove_file(&dir, path);
        }
        Ok(())
    })
    .await?;
    Ok(MediaView::from(row))
}

/// Removes a stored file; one already gone is no fault.
fn remove_file(dir: &Path, path: &str) {
    match std::fs::remove_file(dir.join(path)) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(%error, path, "could not remove a media file");
        }
        _ => {}
    }
}

/// Makes an uploaded image the account's avatar or header, shrunk to fit.
pub async fn set_profile_image(
    ctx: &Context,
    account: Id,
    which: ProfileImage,
    file: PathBuf,
) -> Result<(), DomainError> {
    let bounds = match which {
        ProfileImage::Avatar => AVATAR_BOUNDS,
        ProfileImage::Header => HEADER_BOUNDS,
    };
    let field = which.field();
    let id = Id::generate().0;
    let dir = ctx.config.media.dir.clone();
    let stored = blocking(move || store(&dir, id, &file, None, Some(bounds))).await.map_err(|e| match e {
        DomainError::Invalid { kind, reason, .. } => DomainError::Invalid { field, kind, reason },
        other => other,
    })?;
    if stored.media_type.kind() != MediaKind::Image {
        stored.remove(&ctx.config.media.dir);
        return Err(DomainError::invalid(field, "must be an image (JPEG, PNG, GIF or WebP)"));
    }
    let now = tertulia_db::now();
    let file_url = url(&ctx.config, &stored.file_path);
    let row = MediaRow {
        id,
        account_id: account.0,
        status_id: None,
        kind: MediaKind::Image,
        content_type: stored.media_type.mime().into(),
        file_path: Some(stored.file_path.clone()),
        preview_path: stored.preview_path.clone(),
        remote_url: None,
        file_size: stored.file_size,
        description: None,
        focus: None,
        meta: stored.meta.to_string(),
        blurhash: stored.blurhash.clone(),
        created_at: now,
        updated_at: now,
    };
    let saved = ctx
        .db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                media::insert(conn, &row)?;
                media::set_profile_image(conn, account.0, which, row.id, &file_url, now)?;
                crate::outbox::record(conn, &crate::outbox::Outgoing::ProfileUpdated { account: account.0 })
            })
        })
        .await;
    if let Err(error) = saved {
        stored.remove(&ctx.config.media.dir);
        return Err(error.into());
    }
    Ok(())
}

/// Removes the account's avatar or header (`DELETE /api/v1/profile/avatar`).
pub async fn remove_profile_image(db: &Db, account: Id, which: ProfileImage) -> Result<(), DomainError> {
    Ok(db
        .write(move |conn| {
            media::clear_profile_image(conn, account.0, which, tertulia_db::now())?;
            crate::outbox::record(conn, &crate::outbox::Outgoing::ProfileUpdated { account: account.0 })
        })
        .await?)
}

/// Attaches `ids` to a new status, in the status's transaction. Each must
/// be the author's own and not already on a status.
pub(crate) fn attach(conn: &mut DbConn, author: i64, ids: &[i64], status_id: i64) -> Result<(), DomainError> {
    check_attachable(conn, author, ids)?;
    media::attach(conn, ids, status_id)?;
    Ok(())
}

/// Reserves `ids` for a scheduled status, in its transaction, under the
/// rule of [`attach`]: until it is published, no other status takes them.
pub(crate) fn reserve(
    conn: &mut DbConn,
    author: i64,
    ids: &[i64],
    scheduled_status_id: i64,
) -> Result<(), DomainError> {
    check_attachable(conn, author, ids)?;
    media::reserve(conn, ids, scheduled_status_id)?;
    Ok(())
}

fn check_attachable(conn: &mut DbConn, author: i64, ids: &[i64]) -> Result<(), DomainError> {
    if media::find_attachable(conn, author, ids)?.len() != ids.len() {
        return Err(DomainError::invalid(
            "media_ids",
            "each attachment must be one of your uploads, not yet attached to a status nor scheduled with one",
        ));
    }
    Ok(())
}

/// `None`: no description; longer ones are refused.
fn check_description(description: Option<String>) -> Result<Option<String>, DomainError> {
    let description = description.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(DomainError::invalid(
            "description",
            format!("is too long: at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(description)
}

/// `"x,y"`, each from -1.0 to 1.0 (Mastodon's focal point).
fn parse_focus(text: &str) -> Result<(f64, f64), DomainError> {
    let invalid = || DomainError::invalid("focus", "must be two numbers from -1.0 to 1.0, as \"x,y\"");
    let (x, y) = text.split_once(',').ok_or_else(invalid)?;
    let coordinate = |v: &str| v.trim().parse::<f64>().ok().filter(|v| (-1.0..=1.0).contains(v)).ok_or_else(invalid);
    Ok((coordinate(x)?, coordinate(y)?))
}

fn set_focus(meta: &mut Value, focus: Option<(f64, f64)>) {
    let Some(object) = meta.as_object_mut() else { return };
    match focus {
        Some((x, y)) => object.insert("focus".into(), json!({ "x": x, "y": y })),
        None => object.remove("focus"),
    };
}

/// Runs file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| DomainError::Internal(format!("media task stopped: {e}")))?
}

/// Files written for one upload.
#[derive(Debug)]
struct Stored {
    media_type: MediaType,
    file_path: String,
    preview_path: Option<String>,
    file_size: i64,
    meta: Value,
    blurhash: Option<String>,
}

impl Stored {
    /// Deletes the files again (those that were written), when the
    /// upload is refused or its row could not be saved.
    fn remove(&self, dir: &Path) {
        for path in std::iter::once(&self.file_path).chain(&self.preview_path) {
            remove_file(dir, path);
        }
    }
}

fn sniff(path: &Path) -> Result<MediaType, DomainError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    std::fs::File::open(path)
        .and_then(|file| file.take(SNIFF_LEN as u64).read_to_end(&mut head))
        .map_err(|e| DomainError::Internal(format!("reading upload {}: {e}", path.display())))?;
    MediaType::sniff(&head).ok_or_else(unsupported)
}

/// The refusal of a file whose type is not accepted.
pub fn unsupported() -> DomainError {
    let accepted: Vec<&str> = MediaType::ALL.iter().map(|t| t.mime()).collect();
    DomainError::invalid("file", format!("this file type is not supported; accepted: {}", accepted.join(", ")))
}

/// Writes the upload `source` (and its preview) under `dir` as `id`.
/// Still images are re-encoded, which drops EXIF and other metadata,
/// except GIFs, kept as sent so animations survive (GIF has no EXIF).
/// With `bounds`, the image is first shrunk to fit them. Every file is
/// decoded before anything is written, and a failed write removes what
/// was written, so a refused upload leaves nothing behind.
fn store(
    dir: &Path,
    id: i64,
    source: &Path,
    thumbnail: Option<&Path>,
    bounds: Option<(u32, u32)>,
) -> Result<Stored, DomainError> {
    let media_type = sniff(source)?;
    let original = match media_type.kind() {
        MediaKind::Image => {
            let decoded = image::decode(source, media_type)?;
            Some(match bounds {
                Some(bounds) => image::fit(&decoded, bounds),
                None => decoded,
            })
        }
        MediaKind::Video | MediaKind::Audio => None,
    };
    let thumbnail = match thumbnail {
        Some(path) => {
            let thumbnail_type = sniff(path)?;
            Some((image::decode(path, thumbnail_type)?, thumbnail_type))
        }
        None => None,
    };
    let preview = match (&thumbnail, &original) {
        (Some((thumbnail, thumbnail_type)), _) => Some((image::fit(thumbnail, PREVIEW_BOUNDS), *thumbnail_type)),
        (None, Some(original)) => Some((image::fit(original, PREVIEW_BOUNDS), media_type)),
        (None, None) => None,
    };

    let now = chrono::Utc::now();
    let folder = format!("{:04}/{:02}", now.year(), now.month());
    let file_path = format!("{folder}/{id}.{}", media_type.extension());
    let preview_path = preview.as_ref().map(|(_, t)| format!("{folder}/{id}-small.{}", t.extension()));
    let written = (|| {
        std::fs::create_dir_all(dir.join(&folder))
            .map_err(|e| DomainError::Internal(format!("creating {}: {e}", dir.join(&folder).display())))?;
        match &original {
            // Unchanged GIFs keep their animation; GIF carries no EXIF.
            Some(picture) if media_type != MediaType::Gif || bounds.is_some() => {
                image::encode(picture, media_type, &dir.join(&file_path))?
            }
            _ => move_file(source, &dir.join(&file_path))?,
        }
        if let (Some((picture, preview_type)), Some(path)) = (&preview, &preview_path) {
            image::encode(picture, *preview_type, &dir.join(path))?;
        }
        std::fs::metadata(dir.join(&file_path))
            .map(|m| i64::try_from(m.len()).unwrap_or(i64::MAX))
            .map_err(|e| DomainError::Internal(format!("reading {file_path}: {e}")))
    })();
    let mut meta = json!({});
    if let Some(original) = &original {
        meta["original"] = image::details(original);
    }
    if let Some((preview, _)) = &preview {
        meta["small"] = image::details(preview);
    }
    let stored = Stored {
        media_type,
        file_path,
        preview_path,
        file_size: 0,
        meta,
        blurhash: preview.as_ref().and_then(|(preview, _)| image::blurhash(preview)),
    };
    match written {
        Ok(file_size) => Ok(Stored { file_size, ..stored }),
        Err(error) => {
            stored.remove(dir);
            Err(error)
        }
    }
}

fn move_file(from: &Path, to: &Path) -> Result<(), DomainError> {
    // The upload's temporary file sits in the media directory, so this is
    // a rename; copying is the fallback for a directory on another disk.
    std::fs::rename(from, to)
        .or_else(|_| std::fs::copy(from, to).map(|_| ()))
        .map_err(|e| DomainError::Internal(format!("storing {}: {e}", to.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_is_two_numbers_within_bounds() {
        assert_eq!(parse_focus("0.5,-1").unwrap(), (0.5, -1.0));
        assert!(parse_focus("1.5,0").is_err());
        assert!(parse_focus("0.5").is_err());
        assert!(parse_focus("a,b").is_err());
    }

    #[test]
    fn long_descriptions_are_refused() {
        assert!(check_description(Some("x".repeat(MAX_DESCRIPTION_CHARS))).is_ok());
        assert!(check_description(Some("x".repeat(MAX_DESCRIPTION_CHARS + 1))).is_err());
        assert_eq!(check_description(Some("  ".into())).unwrap(), None);
    }
}
