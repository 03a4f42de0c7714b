//! `/api/v2/filters/*` (filters, `keywords/*`, `statuses/*`) and the v1
//! `/api/v1/filters/*`, whose filters are the keywords of v2 filters.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tertulia_domain::filters::{self, FilterChanges, FilterView, KeywordChange, V1Changes};

use crate::auth::Auth;
use crate::entities::{Filter, FilterKeyword, FilterStatus, V1Filter};
use crate::forms::{self, Form, flexible_bool, nested, string_or_list};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct KeywordForm {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    keyword: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    whole_word: Option<bool>,
    #[serde(default, rename = "_destroy", deserialize_with = "flexible_bool")]
    destroy: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct FilterForm {
    #[serde(default)]
    title: Option<String>,
    #[serde(default, deserialize_with = "string_or_list")]
    context: Vec<String>,
    #[serde(default)]
    filter_action: Option<String>,
    /// Seconds; a number, a numeric string, or empty to remove the expiry.
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default, deserialize_with = "nested")]
    keywords_attributes: Option<Vec<KeywordForm>>,
}

impl FilterForm {
    fn changes(self) -> Result<FilterChanges, ApiError> {
        let expires_in = forms::expires_in(self.expires_in)?;
        let keywords = self
            .keywords_attributes
            .unwrap_or_default()
            .into_iter()
            .map(|k| {
                Ok(KeywordChange {
                    id: k.id.as_deref().filter(|id| !id.is_empty()).map(path_id).transpose()?,
                    keyword: k.keyword,
                    whole_word: k.whole_word,
                    destroy: k.destroy.unwrap_or(false),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(FilterChanges {
            title: self.title,
            context: (!self.context.is_empty()).then_some(self.context),
            action: self.filter_action,
            expires_in,
            keywords,
        })
    }
}

fn ok<T: serde::Serialize>(body: T) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(body))
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let views = filters::all(&state.ctx.db, user.account.id).await?;
    ok(views.iter().map(Filter::from_view).collect::<Vec<_>>())
}

/// `GET /api/v1/filters`: each keyword as a v1 filter.
pub async fn index_v1(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let views = filters::all(&state.ctx.db, user.account.id).await?;
    ok(views.iter().flat_map(V1Filter::from_view).collect::<Vec<_>>())
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    ok(Filter::from_view(&filters::get(&state.ctx.db, user.account.id, path_id(&id)?).await?))
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<FilterForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    ok(Filter::from_view(&filters::create(&state.ctx.db, user.account.id, form.changes()?).await?))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<FilterForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    ok(Filter::from_view(&filters::update(&state.ctx.db, user.account.id, path_id(&id)?, form.changes()?).await?))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}

pub async fn keywords(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let keywords = filters::keywords(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    ok(keywords.iter().map(FilterKeyword::from_view).collect::<Vec<_>>())
}

#[derive(Debug, Deserialize)]
pub struct OneKeywordForm {
    #[serde(default)]
    keyword: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    whole_word: Option<bool>,
}

pub async fn add_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<OneKeywordForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    let keyword = form.keyword.unwrap_or_default();
    let view =
        filters::add_keyword(&state.ctx.db, user.account.id, path_id(&id)?, keyword, form.whole_word.unwrap_or(false))
            .await?;
    ok(FilterKeyword::from_view(&view))
}

pub async fn show_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    ok(FilterKeyword::from_view(&filters::get_keyword(&state.ctx.db, user.account.id, path_id(&id)?).await?))
}

pub async fn update_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<OneKeywordForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    let view =
        filters::update_keyword(&state.ctx.db, user.account.id, path_id(&id)?, form.keyword, form.whole_word).await?;
    ok(FilterKeyword::from_view(&view))
}

pub async fn delete_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete_keyword(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}

pub async fn statuses(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let statuses = filters::statuses(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    ok(statuses.iter().map(FilterStatus::from_view).collect::<Vec<_>>())
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status_id: String,
}

pub async fn add_status(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    let status = path_id(&form.status_id)
        .map_err(|_| ApiError::BadRequest(format!("status_id: '{}' is not an id", form.status_id)))?;
    ok(FilterStatus::from_view(&filters::add_status(&state.ctx.db, user.account.id, path_id(&id)?, status).await?))
}

pub async fn show_status(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    ok(FilterStatus::from_view(&filters::get_status(&state.ctx.db, user.account.id, path_id(&id)?).await?))
}

pub async fn delete_status(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete_status(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}

/// The v1 filter's parameters.
#[derive(Debug, Deserialize)]
pub struct V1FilterForm {
    #[serde(default)]
    phrase: Option<String>,
    #[serde(default, deserialize_with = "string_or_list")]
    context: Vec<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    irreversible: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    whole_word: Option<bool>,
    #[serde(default)]
    expires_in: Option<Value>,
}

impl V1FilterForm {
    fn changes(self) -> Result<V1Changes, ApiError> {
        Ok(V1Changes {
            phrase: self.phrase,
            context: (!self.context.is_empty()).then_some(self.context),
            irreversible: self.irreversible,
            whole_word: self.whole_word,
            expires_in: forms::expires_in(self.expires_in)?,
        })
    }
}

/// The v1 filter `keyword` of `view`.
fn v1(view: &FilterView, keyword: tertulia_core::Id) -> Result<HttpResponse, ApiError> {
    let found = V1Filter::from_view(view).into_iter().find(|f| f.id == keyword);
    ok(found.ok_or_else(|| ApiError::NotFound("filter not found".into()))?)
}

/// `GET /api/v1/filters/:id`.
pub async fn show_v1(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let id = path_id(&id)?;
    v1(&filters::get_v1(&state.ctx.db, user.account.id, id).await?, id)
}

/// `POST /api/v1/filters`: a new filter with the phrase as its keyword.
pub async fn create_v1(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<V1FilterForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    let (view, keyword) = filters::create_v1(&state.ctx.db, user.account.id, form.changes()?).await?;
    v1(&view, keyword)
}

/// `PUT /api/v1/filters/:id`.
pub async fn update_v1(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<V1FilterForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    let id = path_id(&id)?;
    v1(&filters::update_v1(&state.ctx.db, user.account.id, id, form.changes()?).await?, id)
}

/// `DELETE /api/v1/filters/:id`.
pub async fn delete_v1(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete_v1(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}
