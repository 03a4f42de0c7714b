//! `/api/v1/lists/*`, `/api/v1/accounts/:id/lists` and
//! `/api/v1/timelines/list/:id`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_core::Id;
use tertulia_domain::AccountView;
use tertulia_domain::lists::{self, ListChanges, ListView};

use crate::auth::Auth;
use crate::entities::List;
use crate::forms::{Form, Query, flexible_bool, string_or_list};
use crate::pagination::{self, PageParams, account_page, status_page};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    exclusive: Option<bool>,
}

impl From<ListForm> for ListChanges {
    fn from(form: ListForm) -> Self {
        ListChanges { title: form.title, replies_policy: form.replies_policy, exclusive: form.exclusive }
    }
}

fn one(view: &ListView) -> HttpResponse {
    HttpResponse::Ok().json(List::from_view(view))
}

fn many(views: &[ListView]) -> HttpResponse {
    HttpResponse::Ok().json(views.iter().map(List::from_view).collect::<Vec<_>>())
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:lists")?;
    Ok(many(&lists::all(&state.ctx.db, user.account.id).await?))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:lists")?;
    Ok(one(&lists::get(&state.ctx.db, user.account.id, path_id(&id)?).await?))
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<ListForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:lists")?;
    Ok(one(&lists::create(&state.ctx.db, user.account.id, form.into()).await?))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<ListForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:lists")?;
    Ok(one(&lists::update(&state.ctx.db, user.account.id, path_id(&id)?, form.into()).await?))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:lists")?;
    lists::delete(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn members(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:lists")?;
    let page = params.page(pagination::ACCOUNTS)?;
    let accounts = lists::members(&state.ctx.db, user.account.id, path_id(&id)?, page).await?;
    let keyed: Vec<(Id, AccountView)> = accounts.into_iter().map(|a| (a.id, a)).collect();
    Ok(account_page(&request, &state.ctx.config, &keyed))
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountIds {
    #[serde(default, deserialize_with = "string_or_list")]
    account_ids: Vec<String>,
}

impl AccountIds {
    fn ids(&self) -> Result<Vec<Id>, ApiError> {
        if self.account_ids.is_empty() {
            return Err(ApiError::invalid(
                tertulia_domain::Invalidity::Blank,
                "account_ids",
                "give at least one account",
            ));
        }
        self.account_ids.iter().map(|raw| path_id(raw)).collect()
    }
}

pub async fn add_members(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<AccountIds>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:lists")?;
    lists::add_members(&state.ctx.db, user.account.id, path_id(&id)?, form.ids()?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// The ids come in the body or, as some clients send them, in the query.
pub async fn remove_members(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Query(query): Query<AccountIds>,
    Form(form): Form<AccountIds>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:lists")?;
    let ids = if form.account_ids.is_empty() { query.ids()? } else { form.ids()? };
    lists::remove_members(&state.ctx.db, user.account.id, path_id(&id)?, ids).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// `GET /api/v1/accounts/:id/lists`: the caller's lists with that account.
pub async fn containing(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:lists")?;
    Ok(many(&lists::containing(&state.ctx.db, user.account.id, path_id(&id)?).await?))
}

pub async fn timeline(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:lists")?;
    let page = params.page(pagination::STATUSES)?;
    let views = lists::timeline(&state.ctx.db, user.account.id, path_id(&id)?, page).await?;
    Ok(status_page(&request, &state.ctx.config, &views))
}
