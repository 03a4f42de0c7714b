//! `/api/v1|v2/notifications/policy` and `/api/v1/notifications/requests*`:
//! notification filtering (rules in `domain::notification_policy`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tertulia_domain::notification_policy::{self, Decision, PolicyChanges, PolicyView, RequestView};

use crate::auth::Auth;
use crate::entities::{Account, Status, timestamp};
use crate::forms::{Form, Query, flexible_bool, string_or_list};
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState, HandlerFuture};

fn summary(view: &PolicyView) -> Value {
    json!({
        "pending_requests_count": view.pending_requests,
        "pending_notifications_count": view.pending_notifications,
    })
}

/// The v2 entity (accept, filter or drop per condition) or the v1 one
/// (filter or not).
fn render(view: &PolicyView, v2: bool) -> Value {
    if v2 {
        return json!({
            "for_not_following": view.for_not_following.as_str(),
            "for_not_followers": view.for_not_followers.as_str(),
            "for_new_accounts": view.for_new_accounts.as_str(),
            "for_private_mentions": view.for_private_mentions.as_str(),
            "for_limited_accounts": view.for_limited_accounts.as_str(),
            "summary": summary(view),
        });
    }
    json!({
        "filter_not_following": view.for_not_following != Decision::Accept,
        "filter_not_followers": view.for_not_followers != Decision::Accept,
        "filter_new_accounts": view.for_new_accounts != Decision::Accept,
        "filter_private_mentions": view.for_private_mentions != Decision::Accept,
        "summary": summary(view),
    })
}

/// `GET /api/v1/notifications/policy` (`v2 = false`) and `/api/v2/…`.
pub fn get_policy(v2: bool) -> impl Fn(web::Data<AppState>, Auth) -> HandlerFuture + Clone + 'static {
    move |state, auth| {
        Box::pin(async move {
            let user = auth.user("read:notifications")?;
            let view = notification_policy::get(&state.ctx.db, user.account.id).await?;
            Ok(HttpResponse::Ok().json(render(&view, v2)))
        })
    }
}

/// Both versions' fields: v2 names a decision, v1 says whether to filter.
#[derive(Debug, Default, Deserialize)]
pub struct PolicyForm {
    for_not_following: Option<String>,
    for_not_followers: Option<String>,
    for_new_accounts: Option<String>,
    for_private_mentions: Option<String>,
    for_limited_accounts: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    filter_not_following: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    filter_not_followers: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    filter_new_accounts: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    filter_private_mentions: Option<bool>,
}

impl PolicyForm {
    fn changes(self) -> PolicyChanges {
        let v1 = |filter: Option<bool>| filter.map(|f| if f { Decision::Filter } else { Decision::Accept }.to_string());
        PolicyChanges {
            for_not_following: self.for_not_following.or(v1(self.filter_not_following)),
            for_not_followers: self.for_not_followers.or(v1(self.filter_not_followers)),
            for_new_accounts: self.for_new_accounts.or(v1(self.filter_new_accounts)),
            for_private_mentions: self.for_private_mentions.or(v1(self.filter_private_mentions)),
            for_limited_accounts: self.for_limited_accounts,
        }
    }
}

/// `PATCH /api/v1/notifications/policy` and `/api/v2/…`.
pub fn update_policy(
    v2: bool,
) -> impl Fn(web::Data<AppState>, Auth, Form<PolicyForm>) -> HandlerFuture + Clone + 'static {
    move |state, auth, Form(form)| {
        Box::pin(async move {
            let user = auth.user("write:notifications")?;
            let view = notification_policy::update(&state.ctx.db, user.account.id, form.changes()).await?;
            Ok(HttpResponse::Ok().json(render(&view, v2)))
        })
    }
}

/// Mastodon's `NotificationRequest` (its count is a string there).
fn request_entity(view: &RequestView, state: &AppState) -> Value {
    json!({
        "id": view.id,
        "created_at": timestamp(view.created_at),
        "updated_at": timestamp(view.updated_at),
        "notifications_count": view.notifications_count.to_string(),
        "account": Account::from_view(&view.account, &state.ctx.config),
        "last_status": view.last_status.as_ref().map(|s| Status::from_view(s, &state.ctx.config)),
    })
}

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let page = params.page(pagination::ACCOUNTS)?;
    let views = notification_policy::requests(&state.ctx.db, user.account.id, page).await?;
    let keys: Vec<_> = views.iter().map(|v| v.id).collect();
    let body: Vec<Value> = views.iter().map(|v| request_entity(v, &state)).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let view = notification_policy::request(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(request_entity(&view, &state)))
}

/// `POST …/requests/:id/accept` (`accept = true`) and `…/dismiss`.
pub fn settle_one(
    accept: bool,
) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> HandlerFuture + Clone + 'static {
    move |state, auth, id| {
        Box::pin(async move {
            let user = auth.user("write:notifications")?;
            let settled =
                notification_policy::settle(&state.ctx.db, user.account.id, vec![path_id(&id)?], accept).await?;
            if settled == 0 {
                return Err(ApiError::NotFound("notification request not found".into()));
            }
            Ok(HttpResponse::Ok().json(json!({})))
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RequestIds {
    #[serde(default, deserialize_with = "string_or_list")]
    id: Vec<String>,
}

/// `POST …/requests/accept` and `…/dismiss` with `id[]`; ids that are not
/// the caller's pending requests are passed over, as on Mastodon.
pub fn settle_many(
    accept: bool,
) -> impl Fn(web::Data<AppState>, Auth, Form<RequestIds>) -> HandlerFuture + Clone + 'static {
    move |state, auth, Form(form)| {
        Box::pin(async move {
            let user = auth.user("write:notifications")?;
            let ids = form.id.iter().map(|raw| path_id(raw)).collect::<Result<Vec<_>, _>>()?;
            notification_policy::settle(&state.ctx.db, user.account.id, ids, accept).await?;
            Ok(HttpResponse::Ok().json(json!({})))
        })
    }
}

/// `GET …/requests/merged`: accepting is done at once here, so accepted
/// requests are always merged.
pub async fn merged(auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.user("read:notifications")?;
    Ok(HttpResponse::Ok().json(json!({ "merged": true })))
}
