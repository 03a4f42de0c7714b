//! `/api/v1/media`, `/api/v2/media` and the stored files under `/media/`.

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::media::MediaType;
use tertulia_domain::media::{self, MediaUpdate, NewMedia};

use crate::auth::Auth;
use crate::entities::MediaAttachment;
use crate::forms::{Form, FormWithFiles};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct MediaForm {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    focus: Option<String>,
}

/// `POST /api/v1/media` and `POST /api/v2/media`. Processing is done
/// before answering, so both answer 200 with the finished attachment.
pub async fn upload(
    state: web::Data<AppState>,
    auth: Auth,
    mut form: FormWithFiles<MediaForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:media")?;
    let file = form
        .take_file("file")
        .ok_or_else(|| ApiError::invalid(tertulia_domain::Invalidity::Blank, "file", "can't be blank"))?;
    let thumbnail = form.take_file("thumbnail");
    let request = NewMedia {
        file: file.file.path().to_owned(),
        thumbnail: thumbnail.as_ref().map(|t| t.file.path().to_owned()),
        description: form.fields.description,
        focus: form.fields.focus,
    };
    // `file` and `thumbnail` stay in scope until the end: their temporary
    // files are deleted when they drop, after the upload is stored.
    let view = media::upload(&state.ctx, user.account.id, request).await?;
    Ok(HttpResponse::Ok().json(MediaAttachment::from_view(&view, &state.ctx.config)))
}

/// `GET /api/v1/media/:id`: only the uploader sees it.
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:media")?;
    let view = media::get(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(MediaAttachment::from_view(&view, &state.ctx.config)))
}

/// `PUT /api/v1/media/:id`: description and focal point.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<MediaForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:media")?;
    let update = MediaUpdate { description: form.description, focus: form.focus };
    let view = media::update(&state.ctx.db, user.account.id, path_id(&id)?, update).await?;
    Ok(HttpResponse::Ok().json(MediaAttachment::from_view(&view, &state.ctx.config)))
}

/// `DELETE /api/v1/media/:id`: an upload not attached to a status, with
/// its files; answers the attachment as it was.
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:media")?;
    let view = media::delete(&state.ctx, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(MediaAttachment::from_view(&view, &state.ctx.config)))
}

/// `GET /media/{path}`: a stored file. Only paths of the shape the store
/// writes (`2026/11/123.jpg`) are served, so nothing outside the media
/// directory, nor its temporary uploads, can be reached.
pub async fn serve(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound("no such file".into());
    let media_type = stored_file_type(&path).ok_or_else(not_found)?;
    let file = NamedFile::open_async(state.ctx.config.media.dir.join(path.as_str())).await.map_err(|_| not_found())?;
    let mut response =
        file.set_content_type(media_type.mime().parse().map_err(|_| not_found())?).into_response(&request);
    let headers = response.headers_mut();
    // A stored file never changes: a new upload gets a new id.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// The type of a file the store could have written at `path`: digits for
/// year and month, then `<digits>[-small].<known extension>`.
fn stored_file_type(path: &str) -> Option<MediaType> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let [year, month, name] = path.split('/').collect::<Vec<_>>()[..] else { return None };
    let (stem, extension) = name.split_once('.')?;
    let id = stem.strip_suffix("-small").unwrap_or(stem);
    (digits(year) && digits(month) && digits(id)).then(|| MediaType::from_extension(extension)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stored_file_paths_are_served() {
        assert_eq!(stored_file_type("2026/11/123.jpg"), Some(MediaType::Jpeg));
        assert_eq!(stored_file_type("2026/11/123-small.png"), Some(MediaType::Png));
        assert_eq!(stored_file_type("2026/11/../../etc/passwd"), None);
        assert_eq!(stored_file_type("../11/123.jpg"), None);
        assert_eq!(stored_file_type("tmp/upload-abc"), None);
        assert_eq!(stored_file_type("2026/11/123.exe"), None);
        assert_eq!(stored_file_type("2026/11/123.jpg.png/x"), None);
        assert_eq!(stored_file_type("2026/11/12a.jpg"), None);
    }
}
