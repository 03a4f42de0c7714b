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
        &state.db,
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
    let (name, website) = session.application.clone().map(|(_, name, website)| (name, website)).unwrap_or_default();
    let vapid_key = crate::push::server_key(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "name": name,
        "website": website,
        "scopes": session.scopes.iter().collect::<Vec<_>>(),
        "vapid_key": vapid_key,
        "base_url": state.config.base_url(),
    })))
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
