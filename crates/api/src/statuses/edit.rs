//! Editing a status, its history and its source.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::statuses::{self, StatusChanges};

use super::{json, media_ids, path_id};
use crate::auth::Auth;
use crate::entities::{StatusEdit, StatusSource};
use crate::forms::{Form, flexible_bool};
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    sensitive: Option<bool>,
    #[serde(default)]
    language: Option<String>,
    /// Left out: the attachments stay as they are.
    #[serde(default)]
    media_ids: Option<Vec<String>>,
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<EditForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let changes = StatusChanges {
        text: form.status.unwrap_or_default(),
        spoiler_text: form.spoiler_text,
        sensitive: form.sensitive,
        language: form.language,
        media_ids: form.media_ids.as_deref().map(media_ids).transpose()?,
    };
    let view = statuses::edit(&state.ctx, user.account.id, path_id(&id)?, changes).await?;
    Ok(json(&view, &state))
}

pub async fn history(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let versions = statuses::history(&state.ctx.db, viewer, path_id(&id)?).await?;
    let body: Vec<StatusEdit> = versions.iter().map(|v| StatusEdit::from_view(v, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}

pub async fn source(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let id = path_id(&id)?;
    let (text, spoiler_text) = statuses::source(&state.ctx.db, viewer, id).await?;
    Ok(HttpResponse::Ok().json(StatusSource { id, text, spoiler_text }))
}
