//! `GET /api/v1/instance` and `GET /api/v2/instance`: what the server is
//! and what it allows, read by every client at sign-in.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use tertulia_core::Config;
use tertulia_core::media::MediaType;
use tertulia_domain::instance::{self, InstanceInfo};
use tertulia_domain::{polls, statuses};

use crate::entities::Account;
use crate::{ApiError, AppState, MASTODON_COMPATIBLE_VERSION};

/// Links count as this many characters, whatever their length (Mastodon).
const CHARACTERS_RESERVED_PER_URL: u32 = 23;
const VIDEO_MATRIX_LIMIT: u32 = 8_294_400;
const VIDEO_FRAME_RATE_LIMIT: u32 = 60;
/// The Mastodon API level implemented, per `api_versions` (Mastodon 4.3
/// is 2: grouped notifications at `/api/v2/notifications`). Clients switch
/// features on it, so it only rises when the endpoints that level implies
/// exist.
const MASTODON_API_VERSION: u32 = 2;
pub const SOURCE_URL: &str = "https://example.invalid/tertulia";

pub async fn v1(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let info = instance::info(&state.ctx).await?;
    Ok(HttpResponse::Ok().json(render_v1(&state.ctx.config, &info)))
}

pub async fn v2(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let info = instance::info(&state.ctx).await?;
    let mut entity = render_v2(&state.ctx.config, &info);
    entity["configuration"]["vapid"] = json!({ "public_key": crate::push::server_key(&state).await? });
    if state.ctx.config.site.is_published() {
        // Tertulia's extension: which of the company's sites this is.
        entity["tertulia"] = json!({ "site": state.ctx.config.site });
    }
    Ok(HttpResponse::Ok().json(entity))
}

fn contact_account(config: &Config, info: &InstanceInfo) -> Value {
    info.contact.as_ref().map(|view| json!(Account::from_view(view, config))).unwrap_or(Value::Null)
}

/// The community rules, as the `Rule` entity.
fn rules(info: &InstanceInfo) -> Value {
    info.rules.iter().map(|r| json!({"id": r.id, "text": r.text, "hint": r.hint})).collect()
}

/// `GET /api/v1/instance/rules`.
pub async fn rules_list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let info = instance::info(&state.ctx).await?;
    Ok(HttpResponse::Ok().json(rules(&info)))
}

fn statuses_limits(config: &Config) -> Value {
    json!({
        "max_characters": config.limits.max_status_chars,
        "max_media_attachments": config.limits.max_media_attachments,
        "characters_reserved_per_url": CHARACTERS_RESERVED_PER_URL,
    })
}

fn media_limits(config: &Config) -> Value {
    json!({
        "supported_mime_types": MediaType::ALL.map(MediaType::mime),
        "image_size_limit": config.media.max_image_bytes,
        "image_matrix_limit": tertulia_domain::media::IMAGE_MATRIX_LIMIT,
        "video_size_limit": config.media.max_video_bytes,
        "video_frame_rate_limit": VIDEO_FRAME_RATE_LIMIT,
        "video_matrix_limit": VIDEO_MATRIX_LIMIT,
    })
}

fn poll_limits() -> Value {
    json!({
        "max_options": polls::MAX_OPTIONS,
        "max_characters_per_option": polls::MAX_OPTION_CHARS,
        "min_expiration": polls::MIN_EXPIRATION_SECS,
        "max_expiration": polls::MAX_EXPIRATION_SECS,
    })
}

fn thumbnail_url(config: &Config) -> String {
    format!("{}{}", config.base_url(), crate::static_files::MISSING_HEADER_PATH)
}

fn render_v1(config: &Config, info: &InstanceInfo) -> Value {
    let instance = &config.instance;
    json!({
        "uri": config.domain,
        "title": instance.title,
        "short_description": instance.description,
        "description": instance.description,
        "email": instance.contact_email,
        "version": MASTODON_COMPATIBLE_VERSION,
        "urls": { "streaming_api": config.streaming_url() },
        "stats": {
            "user_count": info.stats.users,
            "status_count": info.stats.local_statuses,
            "domain_count": info.stats.known_domains,
        },
        "thumbnail": thumbnail_url(config),
        "languages": instance.languages,
        "registrations": instance.registrations_open,
        "approval_required": false,
        "invites_enabled": false,
        "configuration": {
            "accounts": { "max_featured_tags": 0 },
            "statuses": statuses_limits(config),
            "media_attachments": media_limits(config),
            "polls": poll_limits(),
        },
        "contact_account": contact_account(config, info),
        "rules": rules(info),
    })
}

fn render_v2(config: &Config, info: &InstanceInfo) -> Value {
    let instance = &config.instance;
    json!({
        "domain": config.domain,
        "title": instance.title,
        "version": MASTODON_COMPATIBLE_VERSION,
        "source_url": SOURCE_URL,
        "description": instance.description,
        "usage": { "users": { "active_month": info.stats.active_month } },
        "thumbnail": { "url": thumbnail_url(config) },
        "icon": [],
        "languages": instance.languages,
        "configuration": {
            "urls": { "streaming": config.streaming_url() },
            "accounts": {
                "max_featured_tags": 0,
                "max_pinned_statuses": statuses::MAX_PINS,
                "max_profile_fields": config.limits.max_profile_fields,
            },
            "statuses": statuses_limits(config),
            "media_attachments": media_limits(config),
            "polls": poll_limits(),
            "translation": { "enabled": false },
        },
        "registrations": {
            "enabled": instance.registrations_open,
            "approval_required": false,
            "message": null,
            "url": null,
        },
        "api_versions": { "mastodon": MASTODON_API_VERSION },
        "contact": {
            "email": instance.contact_email,
            "account": contact_account(config, info),
        },
        "rules": rules(info),
    })
}
