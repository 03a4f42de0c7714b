//! `POST /api/v1/apps` and `GET /api/v1/apps/verify_credentials`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::oauth::{self, NewApp, RegisterApp, RegisteredApp};

use crate::auth::Auth;
use crate::forms::{Form, string_or_list};
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct AppForm {
    #[serde(default)]
    client_name: String,
    #[serde(default, deserialize_with = "string_or_list")]
    redirect_uris: Vec<String>,
    #[serde(default)]
    scopes: Option<String>,
    #[serde(default)]
    website: Option<String>,
}

pub async fn create(state: web::Data<AppState>, Form(form): Form<AppForm>) -> Result<HttpResponse, ApiError> {
    let NewApp { app, client_secret } = oauth::register_app(
        &state.ctx.db,
        RegisterApp {
            name: form.client_name,
            redirect_uris: form.redirect_uris,
            scopes: form.scopes.unwrap_or_default(),
            website: form.website,
        },
    )
    .await?;
    let mut entity = render(&app, &crate::push::server_key(&state).await?);
    entity["client_id"] = json!(app.client_id);
    // Shown this once: only its hash is kept.
    entity["client_secret"] = json!(client_secret);
    entity["client_secret_expires_at"] = json!(0);
    Ok(HttpResponse::Ok().json(entity))
}

/// Any token of the app will do, including a client-credentials one.
pub async fn verify_credentials(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let session = auth.session("read")?;
    let (id, _, _) = session.application.as_ref().ok_or_else(|| ApiError::NotFound("application not found".into()))?;
    let app = oauth::find_app_by_id(&state.ctx.db, *id).await?;
    let mut entity = render(&app, &crate::push::server_key(&state).await?);
    // The token's scopes, which may be fewer than the app registered.
    entity["scopes"] = json!(session.scopes.iter().collect::<Vec<_>>());
    entity["base_url"] = json!(state.ctx.config.base_url());
    Ok(HttpResponse::Ok().json(entity))
}

/// The `Application` entity, without secrets.
fn render(app: &RegisteredApp, vapid_key: &str) -> serde_json::Value {
    json!({
        "id": app.id,
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.iter().collect::<Vec<_>>(),
        "redirect_uri": app.redirect_uris.join("\n"),
        "redirect_uris": app.redirect_uris,
        "vapid_key": vapid_key,
    })
}
