//! `/api/v1/markers`.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tertulia_domain::markers::{self, MarkerView};

use crate::auth::Auth;
use crate::entities::timestamp;
use crate::forms::{Form, Query};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct GetParams {
    #[serde(default)]
    timeline: Vec<String>,
}

fn render(views: &[MarkerView]) -> HttpResponse {
    let body: serde_json::Map<String, Value> = views
        .iter()
        .map(|m| {
            let marker = json!({
                "last_read_id": m.last_read_id,
                "version": m.version,
                "updated_at": timestamp(m.updated_at),
            });
            (m.timeline.to_string(), marker)
        })
        .collect();
    HttpResponse::Ok().json(body)
}

pub async fn get(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<GetParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?;
    let views = markers::get(&state.ctx.db, user.account.id, params.timeline).await?;
    Ok(render(&views))
}

#[derive(Debug, Deserialize)]
pub struct Position {
    last_read_id: String,
}

/// `home[last_read_id]=…` or `{"home": {"last_read_id": "…"}}`.
pub async fn save(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<BTreeMap<String, Position>>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let positions = form
        .into_iter()
        .map(|(timeline, position)| {
            let id = path_id(&position.last_read_id)
                .map_err(|_| ApiError::BadRequest(format!("{timeline}[last_read_id]: not an id")))?;
            Ok((timeline, id))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let views = markers::save(&state.ctx.db, user.account.id, positions).await?;
    Ok(render(&views))
}
