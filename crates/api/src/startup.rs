//! Endpoints every client calls at sign-in whose features Tertulia does
//! not offer (yet): they answer with the correct empty value, as a Mastodon
//! server with nothing configured does, never with 404.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use tertulia_domain::statuses;

use crate::auth::Auth;
use crate::entities::Status;
use crate::forms::Query;
use crate::pagination::{self, PageParams, paged};
use crate::{ApiError, AppState, HandlerFuture};

fn empty_list() -> HttpResponse {
    HttpResponse::Ok().json(json!([]))
}

/// No custom emoji are configured.
pub async fn custom_emojis() -> HttpResponse {
    empty_list()
}

/// Public lists with nothing in them yet: trending links.
pub async fn public_empty_list(auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.viewer("read")?;
    Ok(empty_list())
}

pub async fn extended_description(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "updated_at": crate::entities::timestamp(chrono::Utc::now()),
        "content": maud::html! { p { (state.ctx.config.instance.description) } }.into_string(),
    }))
}

pub async fn preferences(auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.user("read:accounts")?;
    Ok(HttpResponse::Ok().json(json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": null,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}

/// `GET /api/v1/bookmarks` and `GET /api/v1/favourites`.
pub fn saved(
    bookmarks: bool,
) -> impl Fn(web::Data<AppState>, HttpRequest, Auth, Query<PageParams>) -> HandlerFuture + Clone + 'static {
    move |state, request, auth, Query(params)| {
        Box::pin(async move {
            let user = auth.user(if bookmarks { "read:bookmarks" } else { "read:favourites" })?;
            let rows =
                statuses::saved(&state.ctx.db, user.account.id, bookmarks, params.page(pagination::STATUSES)?).await?;
            let keys: Vec<_> = rows.iter().map(|(key, _)| *key).collect();
            let body: Vec<Status> = rows.iter().map(|(_, v)| Status::from_view(v, &state.ctx.config)).collect();
            Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
        })
    }
}
