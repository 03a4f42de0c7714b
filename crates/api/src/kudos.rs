//! `GET /api/v1/tertulia/accounts/:id/kudos` (extension): the recognitions
//! an account received, newest first, for richer clients and the web pages.
//! Stock clients see the same posts in timelines and the count as the
//! account's "Kudos" profile field (docs/communities.md).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::{accounts, kudos};

use crate::auth::Auth;
use crate::entities::Status;
use crate::forms::Query;
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

/// One recognition: the post that made it and its badge. `id` is the
/// post's, which also pages the list (`max_id`, `min_id`, `since_id`).
#[derive(Serialize)]
struct Recognition {
    id: Id,
    badge: Option<String>,
    status: Status,
}

pub async fn received(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let account = accounts::get(&state.ctx.db, path_id(&id)?).await?;
    let page = params.page(pagination::STATUSES)?;
    let config = &state.ctx.config;
    let body: Vec<Recognition> = kudos::received(&state.ctx.db, viewer, account.id, page)
        .await?
        .into_iter()
        .map(|recognition| Recognition {
            id: recognition.status.id,
            badge: recognition.badge,
            status: Status::from_view(&recognition.status, config),
        })
        .collect();
    let keys: Vec<Id> = body.iter().map(|recognition| recognition.id).collect();
    Ok(paged(&request, &config.base_url(), &keys, &body))
}
