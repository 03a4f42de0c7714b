//! `GET` and `POST /oauth/userinfo`: who the token's user is, as the
//! standard claims of OpenID Connect Core 1.0 §5.1 that Mastodon 4.4
//! returns, so "sign in with your Tertulia account" works for other apps.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::Auth;
use crate::entities::Account;
use crate::{ApiError, AppState};

pub async fn userinfo(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(&["profile", "read:accounts"])?;
    let account = Account::from_view(&user.account, &state.ctx.config);
    Ok(HttpResponse::Ok().json(json!({
        "iss": format!("{}/", state.ctx.config.base_url()),
        "sub": user.account.uri,
        "name": user.account.display_name,
        "preferred_username": user.account.username,
        "profile": account.url,
        "picture": account.avatar,
    })))
}
