//! What a user keeps about other accounts: private notes, endorsements
//! (accounts featured on their profile), and who may follow them.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::accounts;

use crate::auth::Auth;
use crate::entities::Relationship;
use crate::forms::{Form, Query};
use crate::pagination::{self, PageParams, account_page};
use crate::statuses::path_id;
use crate::{ApiError, AppState, HandlerFuture};

#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/v1/accounts/:id/note`: an empty or missing comment removes it.
pub async fn note(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:accounts")?;
    let comment = form.comment.unwrap_or_default();
    let relationship = accounts::set_note(&state.ctx.db, user.account.id, path_id(&id)?, comment).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

/// `POST /api/v1/accounts/:id/pin` and `/endorse` (`on`), `/unpin` and
/// `/unendorse`.
pub fn endorse(on: bool) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> HandlerFuture + Clone + 'static {
    move |state, auth, id| {
        Box::pin(async move {
            let user = auth.user("write:accounts")?;
            let relationship = accounts::endorse(&state.ctx.db, user.account.id, path_id(&id)?, on).await?;
            Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
        })
    }
}

/// `GET /api/v1/endorsements`: the accounts the user endorses.
pub async fn endorsements(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:accounts")?;
    let rows = accounts::endorsements(&state.ctx.db, user.account.id, params.page(pagination::ACCOUNTS)?).await?;
    Ok(account_page(&request, &state.ctx.config, &rows))
}

/// `GET /api/v1/accounts/:id/endorsements`: whom an account endorses; public.
pub async fn account_endorsements(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:accounts")?;
    let account = accounts::get(&state.ctx.db, path_id(&id)?).await?;
    let rows = accounts::endorsements(&state.ctx.db, account.id, params.page(pagination::ACCOUNTS)?).await?;
    Ok(account_page(&request, &state.ctx.config, &rows))
}

/// `POST /api/v1/accounts/:id/remove_from_followers`.
pub async fn remove_from_followers(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:follows")?;
    let relationship = accounts::remove_from_followers(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}
