//! `/api/v1/instance/activity`, `privacy_policy`, `terms_of_service`,
//! `languages` and `translation_languages`: what the instance publishes
//! besides its description.

use actix_web::{HttpResponse, web};
use serde_json::json;
use tertulia_domain::instance_pages;

use crate::auth::Auth;
use crate::{ApiError, AppState};

/// `GET /api/v1/instance/activity`: 12 weeks, this one first, numbers as
/// strings (Mastodon's format).
pub async fn activity(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.viewer("read")?;
    let weeks = instance_pages::activity(&state.ctx.db, chrono::Utc::now()).await?;
    let body: Vec<serde_json::Value> = weeks
        .iter()
        .map(|w| {
            json!({
                "week": w.week.timestamp().to_string(),
                "statuses": w.activity.statuses.to_string(),
                "logins": w.activity.logins.to_string(),
                "registrations": w.activity.registrations.to_string(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/v1/instance/privacy_policy`.
pub async fn privacy_policy(state: web::Data<AppState>) -> HttpResponse {
    let policy = instance_pages::privacy_policy(&state.ctx.config);
    let updated_at = policy.date.and_time(chrono::NaiveTime::MIN).and_utc();
    HttpResponse::Ok().json(json!({
        "updated_at": crate::entities::timestamp(updated_at),
        "content": policy.html,
    }))
}

/// `GET /api/v1/instance/terms_of_service`: 404 when none are published.
pub async fn terms_of_service(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let terms = instance_pages::terms_of_service(&state.ctx.config)
        .ok_or_else(|| ApiError::NotFound("this server publishes no terms of service".into()))?;
    Ok(HttpResponse::Ok().json(json!({
        "effective_date": terms.date.format("%Y-%m-%d").to_string(),
        "effective": terms.date <= chrono::Utc::now().date_naive(),
        "content": terms.html,
        "succeeded_by": null,
    })))
}

/// `GET /api/v1/instance/languages`: every ISO 639-1 language a post may be
/// tagged with, as `{code, name}`, by code.
pub async fn languages() -> HttpResponse {
    let mut list: Vec<(&str, &str)> =
        isolang::languages().filter_map(|l| l.to_639_1().map(|code| (code, l.to_name()))).collect();
    list.sort_unstable();
    let body: Vec<serde_json::Value> = list.iter().map(|(code, name)| json!({"code": code, "name": name})).collect();
    HttpResponse::Ok().json(body)
}

/// `GET /api/v1/instance/translation_languages`: no translation service
/// is configured, so no language pairs, as Mastodon answers then.
pub async fn translation_languages() -> HttpResponse {
    HttpResponse::Ok().json(json!({}))
}
