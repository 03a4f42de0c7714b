//! `/api/v1/tertulia/groups`: Tertulia's extension for groups (FEP-1b12).
//! Stock clients join a group by following it and post to it by mentioning
//! it; these endpoints are for what they cannot do: staff create groups,
//! and a group's moderators remove its posts and members.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::audit::Actor;
use tertulia_domain::groups::{self, GroupView, NewGroup};
use tertulia_domain::roles::Permission;

use crate::auth::Auth;
use crate::entities::Account;
use crate::forms::{Form, Query, flexible_bool};
use crate::pagination::{self, PageParams, account_page};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

/// A group as the extension shows it: the account clients show (with
/// `group: true`), its rules and its moderators.
#[derive(Debug, Serialize)]
pub struct Group {
    pub account: Account,
    pub rules: String,
    pub moderators: Vec<Account>,
}

impl Group {
    fn from_view(view: &GroupView, config: &tertulia_core::Config) -> Group {
        Group {
            account: Account::from_view(&view.account, config),
            rules: view.rules.clone(),
            moderators: view.moderators.iter().map(|m| Account::from_view(m, config)).collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default, deserialize_with = "flexible_bool")]
    private: Option<bool>,
    #[serde(default)]
    rules: String,
}

/// `POST /api/v1/tertulia/groups`: a staff member (a role that manages
/// users) creates a group and becomes its first moderator.
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<GroupForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted("admin:write", Permission::ManageUsers)?;
    let group = NewGroup {
        name: form.name,
        display_name: form.display_name,
        private: form.private.unwrap_or(false),
        rules: form.rules,
        moderator: user.account.id,
    };
    let view = groups::create(&state.ctx, Actor::from(user), group).await?;
    Ok(HttpResponse::Ok().json(Group::from_view(&view, &state.ctx.config)))
}

/// `GET /api/v1/tertulia/groups/:id`: a group of this site.
pub async fn show(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let view = groups::find(&state.ctx.db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Group::from_view(&view, &state.ctx.config)))
}

/// `DELETE /api/v1/tertulia/groups/:id/statuses/:status_id`: a moderator
/// removes a post from the group (the post or the group's boost of it).
pub async fn remove_post(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let (group, status) = path.into_inner();
    groups::remove_post(&state.ctx, user.account.id, path_id(&group)?, path_id(&status)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `DELETE /api/v1/tertulia/groups/:id/members/:account_id`: a moderator
/// removes a member.
pub async fn remove_member(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:follows")?;
    let (group, member) = path.into_inner();
    groups::remove_member(&state.ctx.db, user.account.id, path_id(&group)?, path_id(&member)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `GET /api/v1/tertulia/groups/:id/join_requests`: who asks to join a
/// private group, for its moderators.
pub async fn join_requests(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:follows")?;
    let page = params.page(pagination::ACCOUNTS)?;
    let rows = groups::join_requests(&state.ctx.db, user.account.id, path_id(&id)?, page).await?;
    Ok(account_page(&request, &state.ctx.config, &rows))
}

/// `POST /api/v1/tertulia/groups/:id/join_requests/:account_id/authorize`
/// and `…/reject`: a moderator answers a request to join.
pub async fn answer_join_request(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:follows")?;
    let (group, requester, decision) = path.into_inner();
    let accept = match decision.as_str() {
        "authorize" => true,
        "reject" => false,
        _ => return Err(ApiError::NotFound("Record not found".into())),
    };
    let (group, requester) = (path_id(&group)?, path_id(&requester)?);
    groups::answer_join_request(&state.ctx, user.account.id, group, requester, accept).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

#[derive(Debug, Default, Deserialize)]
pub struct ModeratorForm {
    #[serde(default)]
    account_id: String,
}

/// `POST /api/v1/tertulia/groups/:id/moderators` (`account_id`): a
/// moderator adds another person of this site as a moderator.
pub async fn add_moderator(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<ModeratorForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:accounts")?;
    let account = form
        .account_id
        .parse()
        .map_err(|_| ApiError::Unprocessable(format!("account_id: '{}' is not an account id", form.account_id)))?;
    let view = groups::add_moderator(&state.ctx.db, user.account.id, path_id(&id)?, account).await?;
    Ok(HttpResponse::Ok().json(Group::from_view(&view, &state.ctx.config)))
}
