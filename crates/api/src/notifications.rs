//! `/api/v1/notifications/*`.

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tertulia_core::Config;
use tertulia_domain::markers;
use tertulia_domain::notification_groups::{self, GROUPED_BY_DEFAULT, NotificationGroup};
use tertulia_domain::notifications::{self, NotificationFilter};

use crate::auth::Auth;
use crate::entities::{Account, AccountWarning, Notification, Report, Status, timestamp};
use crate::forms::{Query, flexible_bool};
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState, HandlerFuture};

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    exclude_types: Vec<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    include_filtered: Option<bool>,
}

impl ListParams {
    fn filter(self) -> NotificationFilter {
        NotificationFilter {
            types: self.types,
            exclude_types: self.exclude_types,
            include_filtered: self.include_filtered.unwrap_or(false),
        }
    }
}

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let page = params.page.page(pagination::NOTIFICATIONS)?;
    let filter = params.filter();
    let views = notifications::list(&state.ctx, user.account.id, filter, page).await?;
    let keys: Vec<_> = views.iter().map(|v| v.id).collect();
    let body: Vec<Notification> = views.iter().map(|v| Notification::from_view(v, &state.ctx.config)).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let view = notifications::get(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Notification::from_view(&view, &state.ctx.config)))
}

pub async fn dismiss(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notifications::dismiss(&state.ctx.db, user.account.id, Some(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn clear(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notifications::dismiss(&state.ctx.db, user.account.id, None).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

#[derive(Debug, Default, Deserialize)]
pub struct GroupedParams {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    grouped_types: Option<Vec<String>>,
}

/// The kinds to group: those asked for, else Mastodon's default.
fn grouped_types(asked: Option<Vec<String>>) -> Vec<String> {
    asked.unwrap_or_else(|| GROUPED_BY_DEFAULT.iter().map(|t| (*t).to_owned()).collect())
}

/// `GET /api/v2/notifications`: notifications grouped as Mastodon 4.3 does
/// (several favourites of one status become one group). A group is listed
/// once, where its newest notification is; the next page starts below the
/// newest notification of the last group (see `notification_groups`).
pub async fn list_grouped(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<GroupedParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let page = params.list.page.page(pagination::NOTIFICATIONS)?;
    let grouped = grouped_types(params.grouped_types);
    let filter = params.list.filter();
    let groups = notification_groups::page(&state.ctx, user.account.id, filter, grouped, page).await?;
    let keys: Vec<_> = groups.iter().map(|g| g.newest.id).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &grouped_results(&groups, &state.ctx.config)))
}

/// Mastodon's `GroupedNotificationsResults`: the groups, and each account
/// and status they refer to once.
fn grouped_results(groups: &[NotificationGroup], config: &Config) -> Value {
    let mut accounts = Vec::new();
    let mut statuses = Vec::new();
    let mut seen_accounts = HashSet::new();
    let mut seen_statuses = HashSet::new();
    let mut rendered = Vec::new();
    for group in groups {
        for account in &group.sample {
            if seen_accounts.insert(account.id) {
                accounts.push(Account::from_view(account, config));
            }
        }
        if let Some(status) = &group.newest.status
            && seen_statuses.insert(status.id)
        {
            statuses.push(Status::from_view(status, config));
        }
        let mut entry = json!({
            "group_key": group.key,
            "notifications_count": group.count,
            "type": group.newest.kind.as_str(),
            "most_recent_notification_id": group.newest.id,
            "page_min_id": group.oldest_id,
            "page_max_id": group.newest.id,
            "latest_page_notification_at": timestamp(group.latest_at()),
            "sample_account_ids": group.sample.iter().map(|a| a.id).collect::<Vec<_>>(),
            "status_id": group.newest.status.as_ref().map(|s| s.id),
        });
        // As on a v1 notification, only the groups of these kinds carry them.
        if let Some(report) = &group.newest.report {
            entry["report"] = json!(Report::from_view(report, config));
        }
        if let Some(warning) = &group.newest.moderation_warning {
            entry["moderation_warning"] = json!(AccountWarning::from_view(warning, config));
        }
        rendered.push(entry);
    }
    json!({ "accounts": accounts, "statuses": statuses, "notification_groups": rendered })
}

/// `GET /api/v2/notifications/:group_key`.
pub async fn get_group(
    state: web::Data<AppState>,
    auth: Auth,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let group = notification_groups::get(&state.ctx.db, user.account.id, key.into_inner()).await?;
    Ok(HttpResponse::Ok().json(grouped_results(&[group], &state.ctx.config)))
}

/// `GET /api/v2/notifications/:group_key/accounts`.
pub async fn group_accounts(
    state: web::Data<AppState>,
    auth: Auth,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let accounts = notification_groups::accounts(&state.ctx.db, user.account.id, key.into_inner()).await?;
    let body: Vec<Account> = accounts.iter().map(|a| Account::from_view(a, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `POST /api/v2/notifications/:group_key/dismiss`.
pub async fn dismiss_group(
    state: web::Data<AppState>,
    auth: Auth,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notification_groups::dismiss(&state.ctx.db, user.account.id, key.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// Unread notifications counted by default, and at most (Mastodon's caps).
const UNREAD_DEFAULT_CAP: i64 = 100;
const UNREAD_MAX_CAP: i64 = 1000;

#[derive(Debug, Default, Deserialize)]
pub struct UnreadParams {
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    exclude_types: Vec<String>,
    #[serde(default)]
    grouped_types: Option<Vec<String>>,
}

/// `GET /api/v1/notifications/unread_count` (notifications) and
/// `/api/v2/notifications/unread_count` (groups), counted from the
/// `notifications` marker.
pub fn unread_count(
    grouped: bool,
) -> impl Fn(web::Data<AppState>, Auth, Query<UnreadParams>) -> HandlerFuture + Clone + 'static {
    move |state, auth, Query(params)| {
        Box::pin(async move {
            let user = auth.user("read:notifications")?;
            let cap = params.limit.unwrap_or(UNREAD_DEFAULT_CAP).clamp(1, UNREAD_MAX_CAP);
            let after = markers::notifications_position(&state.ctx.db, user.account.id).await?;
            let filter = NotificationFilter {
                types: params.types,
                exclude_types: params.exclude_types,
                include_filtered: false,
            };
            let grouped = grouped.then(|| grouped_types(params.grouped_types));
            let count =
                notifications::unread_count(&state.ctx.db, user.account.id, after, filter, grouped, cap).await?;
            Ok(HttpResponse::Ok().json(json!({ "count": count })))
        })
    }
}
