//! `/api/v1/profile` (Mastodon 4.6), `/api/v1/profile/*` (Mastodon 4.3) and
//! `/api/v1/emails/confirmations`: the signed-in user's own profile and address.

use actix_web::{HttpResponse, web};
use tertulia_domain::accounts;
use tertulia_domain::media::{self, ProfileImage};

use crate::accounts::{CredentialsForm, apply_credentials};
use crate::auth::Auth;
use crate::entities::{CredentialAccount, Profile};
use crate::forms::FormWithFiles;
use crate::{ApiError, AppState, HandlerFuture};

/// `GET /api/v1/profile`: the caller's profile as typed, for an edit form.
pub async fn show(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(&["read:accounts", "profile"])?;
    let profile = tertulia_domain::profile::get(&state.ctx.db, user.account.id).await?;
    Ok(HttpResponse::Ok().json(Profile::from_view(profile)))
}

/// `PATCH /api/v1/profile`: the same inputs as `update_credentials`,
/// answered with the Profile.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    request: FormWithFiles<CredentialsForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:accounts")?;
    apply_credentials(&state, user.account.id, request).await?;
    let profile = tertulia_domain::profile::get(&state.ctx.db, user.account.id).await?;
    Ok(HttpResponse::Ok().json(Profile::from_view(profile)))
}

/// `DELETE /api/v1/profile/avatar` and `…/header`: the default picture
/// shows again; answers with the updated CredentialAccount.
pub fn remove_image(which: ProfileImage) -> impl Fn(web::Data<AppState>, Auth) -> HandlerFuture + Clone + 'static {
    move |state, auth| {
        Box::pin(async move {
            let user = auth.user("write:accounts")?;
            media::remove_profile_image(&state.ctx.db, user.account.id, which).await?;
            let mut me = user.clone();
            me.account = accounts::get(&state.ctx.db, user.account.id).await?;
            Ok(HttpResponse::Ok().json(CredentialAccount::from_user(&me, &state.ctx.config)))
        })
    }
}

/// `POST /api/v1/emails/confirmations`. Tertulia sends no e-mail: every
/// address is usable at once, so, as Mastodon does for an address already
/// confirmed, the request is refused with 403.
pub async fn resend_confirmation(auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.user("write:accounts")?;
    Err(ApiError::Forbidden(
        "This method is only available while the e-mail is awaiting confirmation; on this server addresses need no confirmation"
            .into(),
    ))
}
