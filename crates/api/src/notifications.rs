//! `/api/v1/notifications/*`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::notifications::{self, NotificationFilter};

use crate::auth::Auth;
use crate::entities::Notification;
use crate::forms::Query;
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    exclude_types: Vec<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let page = params.page.page(pagination::NOTIFICATIONS)?;
    let filter = NotificationFilter { types: params.types, exclude_types: params.exclude_types };
    let views = notifications::list(&state.db, &state.events, user.account.id, filter, page).await?;
    let keys: Vec<_> = views.iter().map(|v| v.id).collect();
    let body: Vec<Notification> = views.iter().map(|v| Notification::from_view(v, &state.config)).collect();
    Ok(paged(&request, &state.config.base_url(), &keys, &body))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let view = notifications::get(&state.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Notification::from_view(&view, &state.config)))
}

pub async fn dismiss(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notifications::dismiss(&state.db, user.account.id, Some(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn clear(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notifications::dismiss(&state.db, user.account.id, None).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// Notification types grouped by default in v2 (Mastodon's choice).
const GROUPED_BY_DEFAULT: &[&str] = &["favourite", "reblog", "follow"];

#[derive(Debug, Default, Deserialize)]
pub struct GroupedParams {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    grouped_types: Option<Vec<String>>,
}

/// `GET /api/v2/notifications`: notifications grouped as Mastodon 4.3 does
/// (several favourites of one status become one group). Groups are formed
/// within the requested page of notifications, so a group split across
/// pages appears on each page with the part it has there.
pub async fn list_grouped(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<GroupedParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let page = params.list.page.page(pagination::NOTIFICATIONS)?;
    let filter = NotificationFilter { types: params.list.types, exclude_types: params.list.exclude_types };
    let views = notifications::list(&state.db, &state.events, user.account.id, filter, page).await?;
    let grouped: Vec<String> =
        params.grouped_types.unwrap_or_else(|| GROUPED_BY_DEFAULT.iter().map(|t| (*t).to_owned()).collect());

    let mut groups: Vec<(String, Vec<&tertulia_domain::notifications::NotificationView>)> = Vec::new();
    for view in &views {
        let key = if grouped.contains(&view.kind) { view.group_key.clone() } else { format!("ungrouped-{}", view.id) };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(view),
            None => groups.push((key, vec![view])),
        }
    }
    let mut accounts = Vec::new();
    let mut statuses = Vec::new();
    let mut seen_accounts = std::collections::HashSet::new();
    let mut seen_statuses = std::collections::HashSet::new();
    let mut rendered = Vec::new();
    for (key, members) in &groups {
        let newest = members[0];
        let oldest = members[members.len() - 1];
        let mut sample = Vec::new();
        for member in members {
            if !sample.contains(&member.account.id) && sample.len() < 8 {
                sample.push(member.account.id);
            }
            if seen_accounts.insert(member.account.id) {
                accounts.push(crate::entities::Account::from_view(&member.account, &state.config));
            }
        }
        if let Some(status) = &newest.status
            && seen_statuses.insert(status.id)
        {
            statuses.push(crate::entities::Status::from_view(status, &state.config));
        }
        rendered.push(json!({
            "group_key": key,
            "notifications_count": members.len(),
            "type": newest.kind,
            "most_recent_notification_id": newest.id,
            "page_min_id": oldest.id,
            "page_max_id": newest.id,
            "latest_page_notification_at": crate::entities::timestamp(newest.created_at),
            "sample_account_ids": sample,
            "status_id": newest.status.as_ref().map(|s| s.id),
        }));
    }
    let keys: Vec<_> = views.iter().map(|v| v.id).collect();
    let body = json!({ "accounts": accounts, "statuses": statuses, "notification_groups": rendered });
    Ok(paged(&request, &state.config.base_url(), &keys, &body))
}
