//! `/api/v1/accounts/*`.

use actix_web::{HttpResponse, web};

use crate::auth::Auth;
use crate::entities::CredentialAccount;
use crate::{ApiError, AppState};

/// `GET /api/v1/accounts/verify_credentials`: the signed-in user.
pub async fn verify_credentials(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(&["read:accounts", "profile"])?;
    Ok(HttpResponse::Ok().json(CredentialAccount::from_user(user, &state.config)))
}
