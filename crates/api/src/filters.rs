//! `/api/v2/filters/*`, `/api/v2/filter_keywords/*`,
//! `/api/v2/filter_statuses/*` and the v1 `/api/v1/filters` view.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tertulia_domain::filters::{self, FilterChanges, KeywordChange};

use crate::auth::Auth;
use crate::entities::{Filter, FilterKeyword, FilterStatus, V1Filter};
use crate::forms::{Attributes, Form, flexible_bool, string_or_list};
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
    #[serde(default)]
    keywords_attributes: Option<Attributes<KeywordForm>>,
}

impl FilterForm {
    fn changes(self) -> Result<FilterChanges, ApiError> {
        let expires_in = match self.expires_in {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(text)) if text.trim().is_empty() => Some(None),
            Some(value) => {
                let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                let seconds = text
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::Unprocessable(format!("expires_in: '{text}' is not a number of seconds")))?;
                Some(Some(seconds))
            }
        };
        let keywords = self
            .keywords_attributes
            .map(Attributes::into_list)
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
    let views = filters::all(&state.db, user.account.id).await?;
    ok(views.iter().map(Filter::from_view).collect::<Vec<_>>())
}

/// `GET /api/v1/filters`: each keyword as a v1 filter.
pub async fn index_v1(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let views = filters::all(&state.db, user.account.id).await?;
    ok(views.iter().flat_map(V1Filter::from_view).collect::<Vec<_>>())
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    ok(Filter::from_view(&filters::get(&state.db, user.account.id, path_id(&id)?).await?))
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<FilterForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    ok(Filter::from_view(&filters::create(&state.db, user.account.id, form.changes()?).await?))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<FilterForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    ok(Filter::from_view(&filters::update(&state.db, user.account.id, path_id(&id)?, form.changes()?).await?))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete(&state.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}

pub async fn keywords(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let keywords = filters::keywords(&state.db, user.account.id, path_id(&id)?).await?;
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
        filters::add_keyword(&state.db, user.account.id, path_id(&id)?, keyword, form.whole_word.unwrap_or(false))
            .await?;
    ok(FilterKeyword::from_view(&view))
}

pub async fn show_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    ok(FilterKeyword::from_view(&filters::get_keyword(&state.db, user.account.id, path_id(&id)?).await?))
}

pub async fn update_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<OneKeywordForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    let view =
        filters::update_keyword(&state.db, user.account.id, path_id(&id)?, form.keyword, form.whole_word).await?;
    ok(FilterKeyword::from_view(&view))
}

pub async fn delete_keyword(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete_keyword(&state.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}

pub async fn statuses(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    let statuses = filters::statuses(&state.db, user.account.id, path_id(&id)?).await?;
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
        .map_err(|_| ApiError::Unprocessable(format!("status_id: '{}' is not an id", form.status_id)))?;
    ok(FilterStatus::from_view(&filters::add_status(&state.db, user.account.id, path_id(&id)?, status).await?))
}

pub async fn show_status(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:filters")?;
    ok(FilterStatus::from_view(&filters::get_status(&state.db, user.account.id, path_id(&id)?).await?))
}

pub async fn delete_status(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:filters")?;
    filters::delete_status(&state.db, user.account.id, path_id(&id)?).await?;
    ok(json!({}))
}
