//! `/api/v1/polls/*`: reading a poll and voting.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::polls;

use crate::auth::Auth;
use crate::entities::Poll;
use crate::forms::{Form, Number};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct VoteForm {
    /// Option indexes, from 0; `choices[]=` in forms.
    #[serde(default)]
    choices: Vec<Number>,
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let view = polls::get(&state.ctx, viewer, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Poll::from_view(&view)))
}

pub async fn vote(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<VoteForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let choices = form.choices.iter().map(|c| c.value("choices")).collect::<Result<Vec<i64>, ApiError>>()?;
    let view = polls::vote(&state.ctx, user.account.id, path_id(&id)?, choices).await?;
    Ok(HttpResponse::Ok().json(Poll::from_view(&view)))
}
