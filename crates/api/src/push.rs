//! `/api/v1/push/subscription`: Web Push subscriptions, one per token.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::push::{self, NewSubscription, Subscription};

use crate::auth::Auth;
use crate::forms::{Form, flexible_bool};
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct Keys {
    #[serde(default)]
    p256dh: String,
    #[serde(default)]
    auth: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SubscriptionParams {
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    keys: Keys,
}

/// One alert flag, sent as a JSON boolean or a form string.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Flag(#[serde(deserialize_with = "flexible_bool")] Option<bool>);

#[derive(Debug, Default, Deserialize)]
pub struct DataParams {
    #[serde(default)]
    alerts: BTreeMap<String, Flag>,
    #[serde(default)]
    policy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PushForm {
    #[serde(default)]
    subscription: Option<SubscriptionParams>,
    #[serde(default)]
    data: DataParams,
}

fn alerts(data: &DataParams) -> BTreeMap<String, bool> {
    data.alerts.iter().map(|(name, flag)| (name.clone(), flag.0.unwrap_or(false))).collect()
}

/// The server's VAPID public key, announced as `vapid_key` (instance,
/// application) and `server_key` (subscription). Empty only before the
/// server's first start has made it, which no client can observe.
pub(crate) async fn server_key(state: &AppState) -> Result<String, ApiError> {
    Ok(push::server_key(&state.ctx.db).await?.unwrap_or_default())
}

/// The `WebPushSubscription` entity. `standard` is true: pushes are always
/// encrypted as RFC 8291 (aes128gcm) says, whatever the client asked.
fn render(subscription: &Subscription, server_key: String) -> serde_json::Value {
    json!({
        "id": subscription.id,
        "endpoint": subscription.endpoint,
        "alerts": subscription.alerts,
        "policy": subscription.policy,
        "server_key": server_key,
        "standard": true,
    })
}

fn token(auth: &Auth) -> Result<tertulia_core::Id, ApiError> {
    let session = auth.session("push")?;
    session
        .user
        .as_ref()
        .ok_or_else(|| ApiError::Unprocessable("This method requires an authenticated user".into()))?;
    Ok(session.token_id)
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<PushForm>,
) -> Result<HttpResponse, ApiError> {
    let token = token(&auth)?;
    let subscription = form.subscription.unwrap_or_default();
    let request = NewSubscription {
        endpoint: subscription.endpoint,
        p256dh: subscription.keys.p256dh,
        auth: subscription.keys.auth,
        alerts: alerts(&form.data),
        policy: form.data.policy,
    };
    let allow_http = state.ctx.config.federation.allow_private_addresses;
    let subscription = push::subscribe(&state.ctx.db, token, request, allow_http).await?;
    Ok(HttpResponse::Ok().json(render(&subscription, server_key(&state).await?)))
}

/// 404 when the token has no subscription, as on Mastodon: clients expect it.
pub async fn show(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let token = token(&auth)?;
    let found = push::get(&state.ctx.db, token).await.map_err(|_| ApiError::NotFound("Record not found".into()))?;
    Ok(HttpResponse::Ok().json(render(&found, server_key(&state).await?)))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<PushForm>,
) -> Result<HttpResponse, ApiError> {
    let token = token(&auth)?;
    let policy = form.data.policy.clone();
    let subscription = push::update(&state.ctx.db, token, alerts(&form.data), policy).await?;
    Ok(HttpResponse::Ok().json(render(&subscription, server_key(&state).await?)))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    push::unsubscribe(&state.ctx.db, token(&auth)?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
