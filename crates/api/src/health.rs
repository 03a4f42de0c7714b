//! `GET /healthz`: for load balancers and monitoring.

use actix_web::{HttpResponse, web};

use crate::{ApiError, AppState};

/// 200 when the database answers, 503 (with the reason) when it does not.
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.ctx.db.ping().await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "database": state.ctx.db.backend_name(),
    })))
}
