//! `/api/v1/accounts/*` and `/api/v1/follow_requests`.

mod endorsements;

pub use endorsements::{account_endorsements, endorse, endorsements, note, remove_from_followers};

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::accounts::{self, FollowOptions};
use tertulia_domain::media::{self, ProfileImage};
use tertulia_domain::{AccountStatusFilter, timelines};

use crate::auth::Auth;
use crate::entities::{Account, CredentialAccount, Relationship, Status};
use crate::forms::{Form, FormWithFiles, Query, flexible_bool, nested};
use crate::pagination::{self, PageParams, account_page, status_page};
use crate::statuses::path_id;
use crate::{ApiError, AppState, HandlerFuture};

/// `GET /api/v1/accounts/verify_credentials`: the signed-in user.
pub async fn verify_credentials(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(&["read:accounts", "profile"])?;
    Ok(HttpResponse::Ok().json(CredentialAccount::from_user(user, &state.ctx.config)))
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldAttribute {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Debug, Deserialize)]
pub struct CredentialsForm {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    bot: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    discoverable: Option<bool>,
    #[serde(default, deserialize_with = "nested")]
    fields_attributes: Option<Vec<FieldAttribute>>,
    #[serde(default, deserialize_with = "flexible_bool")]
    indexable: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    hide_collections: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    show_featured: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    show_media: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    show_media_replies: Option<bool>,
    #[serde(default)]
    attribution_domains: Option<Vec<String>>,
    #[serde(default)]
    avatar_description: Option<String>,
    #[serde(default)]
    header_description: Option<String>,
}

/// `PATCH /api/v1/accounts/update_credentials`: the text fields, and
/// `avatar` and `header` images when sent as multipart/form-data.
pub async fn update_credentials(
    state: web::Data<AppState>,
    auth: Auth,
    request: FormWithFiles<CredentialsForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:accounts")?;
    let mut me = user.clone();
    me.account = apply_credentials(&state, user.account.id, request).await?;
    Ok(HttpResponse::Ok().json(CredentialAccount::from_user(&me, &state.ctx.config)))
}

/// The one way a profile is edited, for `update_credentials` and
/// `PATCH /api/v1/profile` alike: images first, so their descriptions in
/// the same request apply to the new ones.
pub(crate) async fn apply_credentials(
    state: &AppState,
    account: Id,
    mut request: FormWithFiles<CredentialsForm>,
) -> Result<tertulia_domain::AccountView, ApiError> {
    for which in [ProfileImage::Avatar, ProfileImage::Header] {
        if let Some(upload) = request.take_file(which.field()) {
            let file = upload.file.path().to_owned();
            media::set_profile_image(&state.ctx, account, which, file).await?;
        }
    }
    let form = request.fields;
    let update = accounts::ProfileUpdate {
        display_name: form.display_name,
        note: form.note,
        locked: form.locked,
        bot: form.bot,
        discoverable: form.discoverable,
        fields: form.fields_attributes.map(|f| f.into_iter().map(|f| (f.name, f.value)).collect()),
        indexable: form.indexable,
        hide_collections: form.hide_collections,
        show_featured: form.show_featured,
        show_media: form.show_media,
        show_media_replies: form.show_media_replies,
        attribution_domains: form.attribution_domains,
        avatar_description: form.avatar_description,
        header_description: form.header_description,
    };
    Ok(accounts::update_profile(&state.ctx, account, update).await?)
}

#[derive(Debug, Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default, deserialize_with = "flexible_bool")]
    agreement: Option<bool>,
}

/// `POST /api/v1/accounts`: sign-up from an app, when `instance.registrations_open`.
pub async fn register(
    state: web::Data<AppState>,
    http: HttpRequest,
    auth: Auth,
    Form(form): Form<RegistrationForm>,
) -> Result<HttpResponse, ApiError> {
    let session = auth.session("write:accounts")?;
    if form.agreement != Some(true) {
        return Err(ApiError::invalid(
            tertulia_domain::Invalidity::Accepted,
            "agreement",
            "must be accepted: send agreement=true once the user has accepted the server rules",
        ));
    }
    let application = session.application.as_ref().map(|(id, _, _)| (id.0, session.scopes.clone()));
    let request = tertulia_domain::users::NewUserRequest {
        username: form.username,
        email: form.email,
        password: form.password,
        role: tertulia_domain::users::Role::User,
    };
    let token = tertulia_domain::oauth::register(&state.ctx, application, request, state.proxies.ip_of(&http)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "access_token": token.access_token,
        "token_type": "Bearer",
        "scope": token.scopes.to_string(),
        "created_at": token.created_at.timestamp(),
    })))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:accounts")?;
    let account = accounts::get(&state.ctx.db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Account::from_view(&account, &state.ctx.config)))
}

/// `GET /api/v1/accounts?id[]=1&id[]=2`: several accounts at once, in the
/// order asked; unknown ones are left out.
pub async fn many(state: web::Data<AppState>, request: HttpRequest, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:accounts")?;
    let views = accounts::many(&state.ctx.db, query_ids(&request)).await?;
    let body: Vec<Account> = views.iter().map(|a| Account::from_view(a, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize)]
pub struct LookupParams {
    #[serde(default)]
    acct: String,
}

/// `GET /api/v1/accounts/lookup?acct=user[@domain]`: public, as on Mastodon.
pub async fn lookup(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<LookupParams>,
) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:accounts")?;
    if params.acct.trim().is_empty() {
        return Err(ApiError::BadRequest("acct is required".into()));
    }
    let account = accounts::lookup(&state.ctx.db, &state.ctx.config.domain, &params.acct).await?;
    Ok(HttpResponse::Ok().json(Account::from_view(&account, &state.ctx.config)))
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountStatusesParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "flexible_bool")]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    only_media: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    pinned: Option<bool>,
    #[serde(default)]
    tagged: Option<String>,
}

pub async fn statuses(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<AccountStatusesParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let account = accounts::get(&state.ctx.db, path_id(&id)?).await?;
    let page = params.page.page(pagination::STATUSES)?;
    // At most a handful, all on the first page: later pages are empty
    // (and carry no Link header), so clients that page stop at once.
    if params.pinned == Some(true) {
        let views = if page.max_id.is_some() || page.min_id.is_some() || page.since_id.is_some() {
            Vec::new()
        } else {
            tertulia_domain::statuses::pinned(&state.ctx.db, viewer, account.id).await?
        };
        return Ok(HttpResponse::Ok().json(Status::list(&views, &state.ctx.config)));
    }
    let tag_id = match params.tagged.filter(|t| !t.is_empty()) {
        Some(tag) => match tertulia_domain::statuses::tag_id(&state.ctx.db, &tag).await? {
            Some(id) => Some(id),
            None => return Ok(status_page(&request, &state.ctx.config, &[])),
        },
        None => None,
    };
    let filter = AccountStatusFilter {
        exclude_replies: params.exclude_replies == Some(true),
        exclude_reblogs: params.exclude_reblogs == Some(true),
        only_media: params.only_media == Some(true),
        tag_id,
    };
    let views = timelines::account_statuses(&state.ctx.db, viewer, account.id, filter, page).await?;
    Ok(status_page(&request, &state.ctx.config, &views))
}

/// `GET /api/v1/accounts/:id/followers` (`incoming = true`) and `…/following`.
pub fn follow_list(
    incoming: bool,
) -> impl Fn(web::Data<AppState>, HttpRequest, Auth, web::Path<String>, Query<PageParams>) -> HandlerFuture + Clone + 'static
{
    move |state, request, auth, id, Query(params)| {
        Box::pin(async move {
            auth.viewer("read:accounts")?;
            let account = accounts::get(&state.ctx.db, path_id(&id)?).await?;
            let page = params.page(pagination::ACCOUNTS)?;
            let rows = accounts::follow_list(&state.ctx.db, account.id, incoming, page).await?;
            Ok(account_page(&request, &state.ctx.config, &rows))
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowForm {
    #[serde(default, deserialize_with = "flexible_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    notify: Option<bool>,
}

pub async fn follow(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<FollowForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:follows")?;
    let options = FollowOptions { reblogs: form.reblogs.unwrap_or(true), notify: form.notify.unwrap_or(false) };
    let relationship = accounts::follow(&state.ctx, user.account.id, path_id(&id)?, options).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

pub async fn unfollow(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:follows")?;
    let relationship = accounts::unfollow(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

/// The account ids of `?id[]=1&id[]=2` (or a single `?id=1`), as clients
/// send them to `relationships` and `familiar_followers`.
pub(crate) fn query_ids(request: &HttpRequest) -> Vec<Id> {
    url::form_urlencoded::parse(request.query_string().as_bytes())
        .filter(|(k, _)| k == "id" || k == "id[]")
        .filter_map(|(_, v)| v.parse().ok())
        .take(pagination::ACCOUNTS.max as usize)
        .collect()
}

/// `GET /api/v1/accounts/familiar_followers?id[]=1`.
pub async fn familiar_followers(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:follows")?;
    let found = accounts::familiar_followers(&state.ctx.db, user.account.id, query_ids(&request)).await?;
    let body: Vec<serde_json::Value> = found
        .iter()
        .map(|(id, known)| {
            let accounts: Vec<Account> = known.iter().map(|a| Account::from_view(a, &state.ctx.config)).collect();
            serde_json::json!({ "id": id, "accounts": accounts })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/v1/accounts/relationships?id[]=1&id[]=2`.
pub async fn relationships(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:follows")?;
    let ids = query_ids(&request);
    let relationships = accounts::relationships(&state.ctx.db, user.account.id, ids).await?;
    let body: Vec<Relationship> = relationships.iter().map(Relationship::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

pub async fn follow_requests(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:follows")?;
    let rows = accounts::follow_requests(&state.ctx.db, user.account.id, params.page(pagination::ACCOUNTS)?).await?;
    Ok(account_page(&request, &state.ctx.config, &rows))
}

/// `POST /api/v1/follow_requests/:id/authorize` and `…/reject`.
pub async fn answer_follow_request(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:follows")?;
    let (id, decision) = path.into_inner();
    let accept = match decision.as_str() {
        "authorize" => true,
        "reject" => false,
        _ => return Err(ApiError::NotFound("Record not found".into())),
    };
    let relationship = accounts::answer_follow_request(&state.ctx, user.account.id, path_id(&id)?, accept).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

/// `POST /api/v1/accounts/:id/block` and `…/unblock`.
pub async fn block(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:blocks")?;
    let relationship = accounts::block(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

pub async fn unblock(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:blocks")?;
    let relationship = accounts::unblock(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

#[derive(Debug, Default, Deserialize)]
pub struct MuteForm {
    #[serde(default, deserialize_with = "flexible_bool")]
    notifications: Option<bool>,
    /// Seconds; 0 or absent: until unmuted.
    #[serde(default)]
    duration: Option<serde_json::Value>,
}

pub async fn mute(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<MuteForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:mutes")?;
    let duration = match &form.duration {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) if s.is_empty() => None,
        Some(serde_json::Value::String(s)) => {
            Some(s.parse().map_err(|_| ApiError::BadRequest(format!("duration: '{s}' is not a number of seconds")))?)
        }
        Some(other) => return Err(ApiError::BadRequest(format!("duration: {other} is not a number of seconds"))),
    };
    let notifications = form.notifications.unwrap_or(true);
    let relationship =
        accounts::mute(&state.ctx.db, user.account.id, path_id(&id)?, true, notifications, duration).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

pub async fn unmute(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:mutes")?;
    let relationship = accounts::mute(&state.ctx.db, user.account.id, path_id(&id)?, false, false, None).await?;
    Ok(HttpResponse::Ok().json(Relationship::from(&relationship)))
}

/// `GET /api/v1/blocks` (`blocked = true`) and `GET /api/v1/mutes`.
pub fn blocked_or_muted(
    blocked: bool,
) -> impl Fn(web::Data<AppState>, HttpRequest, Auth, Query<PageParams>) -> HandlerFuture + Clone + 'static {
    move |state, request, auth, Query(params)| {
        Box::pin(async move {
            let user = auth.user(if blocked { "read:blocks" } else { "read:mutes" })?;
            let page = params.page(pagination::ACCOUNTS)?;
            let rows = accounts::blocked_or_muted(&state.ctx.db, user.account.id, blocked, page).await?;
            Ok(account_page(&request, &state.ctx.config, &rows))
        })
    }
}
