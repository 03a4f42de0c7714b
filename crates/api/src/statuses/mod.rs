//! `/api/v1/statuses/*`.

mod edit;
mod quotes;

pub use edit::{history, source, update};
pub use quotes::{interaction_policy, quotes, revoke_quote};

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::Invalidity;
use tertulia_domain::polls::NewPoll;
use tertulia_domain::scheduled::{self, Posted};
use tertulia_domain::statuses::{self, NewStatus};
use tertulia_domain::{DomainError, conversations};

use crate::auth::Auth;
use crate::entities::{Account, ScheduledStatus, Status};
use crate::forms::{Form, Number, Query, flexible_bool};
use crate::pagination::{self, PageParams, account_page};
use crate::{ApiError, AppState, HandlerFuture};

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    /// Forks' spelling of a site-only post.
    #[serde(default, deserialize_with = "flexible_bool")]
    local_only: Option<bool>,
    #[serde(default)]
    in_reply_to_id: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    sensitive: Option<bool>,
    #[serde(default)]
    language: Option<String>,
    /// `media_ids[]=` in forms, an array in JSON.
    #[serde(default)]
    media_ids: Vec<String>,
    /// `poll[options][]=` and so on in forms, an object in JSON.
    #[serde(default)]
    poll: Option<PollForm>,
    /// When to publish; ISO 8601.
    #[serde(default)]
    scheduled_at: Option<String>,
    #[serde(default)]
    quoted_status_id: Option<String>,
    /// Pleroma's and Akkoma's name for `quoted_status_id`.
    #[serde(default)]
    quote_id: Option<String>,
    #[serde(default)]
    quote_approval_policy: Option<String>,
    /// `allowed_mentions[]=`: the only accounts the post may mention.
    #[serde(default)]
    allowed_mentions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct PollForm {
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    expires_in: Option<Number>,
    #[serde(default, deserialize_with = "flexible_bool")]
    multiple: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    hide_totals: Option<bool>,
}

impl PollForm {
    fn into_poll(self) -> Result<NewPoll, ApiError> {
        let expires_in = match &self.expires_in {
            Some(number) => number.value("poll[expires_in]")?,
            None => return Err(ApiError::invalid(Invalidity::Blank, "poll[expires_in]", "can't be blank")),
        };
        Ok(NewPoll {
            options: self.options,
            expires_in,
            multiple: self.multiple.unwrap_or(false),
            hide_totals: self.hide_totals.unwrap_or(false),
        })
    }
}

/// `media_ids` as ids; anything else is refused.
fn media_ids(raw: &[String]) -> Result<Vec<Id>, ApiError> {
    crate::forms::ids("media_ids", "media id", raw)
}

/// An id from the URL; anything else is a status that does not exist.
pub fn path_id(raw: &str) -> Result<Id, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound("Record not found".into()))
}

pub(crate) fn json(view: &statuses::StatusView, state: &AppState) -> HttpResponse {
    HttpResponse::Ok().json(Status::from_view(view, &state.ctx.config))
}

pub async fn create(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Form(form): Form<StatusForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let in_reply_to_id = match form.in_reply_to_id.as_deref().filter(|v| !v.is_empty()) {
        Some(raw) => Some(raw.parse().map_err(|_| ApiError::NotFound("the status you reply to was not found".into()))?),
        None => None,
    };
    let media_ids = media_ids(&form.media_ids)?;
    let poll = form.poll.map(PollForm::into_poll).transpose()?;
    let quoted_status_id = match form.quoted_status_id.or(form.quote_id).filter(|v| !v.is_empty()) {
        Some(raw) => Some(raw.parse().map_err(|_| ApiError::NotFound("the status you quote was not found".into()))?),
        None => None,
    };
    let allowed_mentions = form.allowed_mentions.map(|ids| ids.iter().filter_map(|id| id.parse().ok()).collect());
    let visibility = if form.local_only == Some(true) { Some("local".to_owned()) } else { form.visibility };
    let idempotency_key = request.headers().get("Idempotency-Key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let scheduled_at = form
        .scheduled_at
        .as_deref()
        .filter(|raw| !raw.trim().is_empty())
        .map(crate::scheduled::parse_time)
        .transpose()?;
    let new_status = NewStatus {
        text: form.status.unwrap_or_default(),
        visibility,
        in_reply_to_id,
        spoiler_text: form.spoiler_text,
        sensitive: form.sensitive.unwrap_or(false),
        language: form.language,
        idempotency_key,
        media_ids,
        poll,
        quoted_status_id,
        quote_approval_policy: form.quote_approval_policy,
        allowed_mentions,
    };
    let (ctx, author) = (&state.ctx, user.account.id);
    let unexpected_mentions = |e: DomainError| match e {
        DomainError::UnexpectedMentions(accounts) => ApiError::UnexpectedMentions {
            message: DomainError::UnexpectedMentions(Vec::new()).to_string(),
            accounts: serde_json::json!(
                accounts.iter().map(|a| Account::from_view(a, &ctx.config)).collect::<Vec<_>>()
            ),
        },
        other => other.into(),
    };
    let view = match scheduled_at {
        None => statuses::create(ctx, author, new_status).await.map_err(unexpected_mentions)?,
        Some(at) => {
            let application = auth.session("write:statuses")?.application.as_ref().map(|(id, _, _)| *id);
            match scheduled::post(ctx, author, application, new_status, at).await.map_err(unexpected_mentions)? {
                Posted::Now(view) => *view,
                Posted::Later(view) => {
                    return Ok(HttpResponse::Ok().json(ScheduledStatus::from_view(&view, &ctx.config)));
                }
            }
        }
    };
    Ok(json(&view, &state))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let view = statuses::get(&state.ctx.db, viewer, path_id(&id)?).await?;
    Ok(json(&view, &state))
}

/// `GET /api/v1/statuses?id[]=1&id[]=2`: several statuses at once, those
/// the viewer may see, in the order asked.
pub async fn many(state: web::Data<AppState>, request: HttpRequest, auth: Auth) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let views = statuses::many(&state.ctx.db, viewer, crate::accounts::query_ids(&request)).await?;
    Ok(HttpResponse::Ok().json(Status::list(&views, &state.ctx.config)))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let view = statuses::delete(&state.ctx, user.account.id, path_id(&id)?).await?;
    let mut entity = Status::from_view(&view, &state.ctx.config);
    entity.text = Some(view.text.clone());
    Ok(HttpResponse::Ok().json(entity))
}

pub async fn context(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let (ancestors, descendants) = statuses::context(&state.ctx.db, viewer, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ancestors": Status::list(&ancestors, &state.ctx.config),
        "descendants": Status::list(&descendants, &state.ctx.config),
    })))
}

/// The actions on one status: (un)favourite, (un)bookmark, (un)reblog.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    Favourite,
    Unfavourite,
    Bookmark,
    Unbookmark,
    Reblog,
    Unreblog,
    Pin,
    Unpin,
    /// Mute the status's thread: no more notifications about it.
    Mute,
    Unmute,
}

impl Action {
    fn scope(self) -> &'static str {
        match self {
            Action::Favourite | Action::Unfavourite => "write:favourites",
            Action::Bookmark | Action::Unbookmark => "write:bookmarks",
            Action::Reblog | Action::Unreblog => "write:statuses",
            Action::Pin | Action::Unpin => "write:accounts",
            Action::Mute | Action::Unmute => "write:mutes",
        }
    }
}

/// Builds the handler for one action, so the route table reads
/// `statuses::act(Action::Favourite)`.
pub fn act(action: Action) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> HandlerFuture + Clone + 'static {
    move |state, auth, id| {
        Box::pin(async move {
            let user = auth.user(action.scope())?;
            let (ctx, db, actor, id) = (&state.ctx, &state.ctx.db, user.account.id, path_id(&id)?);
            let view = match action {
                Action::Favourite => statuses::favourite(ctx, actor, id, true).await?,
                Action::Unfavourite => statuses::favourite(ctx, actor, id, false).await?,
                Action::Bookmark => statuses::bookmark(db, actor, id, true).await?,
                Action::Unbookmark => statuses::bookmark(db, actor, id, false).await?,
                Action::Reblog => statuses::reblog(ctx, actor, id).await?,
                Action::Unreblog => statuses::unreblog(ctx, actor, id).await?,
                Action::Pin => statuses::pin(db, actor, id, true).await?,
                Action::Unpin => statuses::pin(db, actor, id, false).await?,
                Action::Mute => conversations::mute(db, actor, id, true).await?,
                Action::Unmute => conversations::mute(db, actor, id, false).await?,
            };
            Ok(json(&view, &state))
        })
    }
}

/// `favourited_by` (`favourites = true`) or `reblogged_by`: the accounts,
/// paged by favourite or boost id.
pub fn reacted_by(
    favourites: bool,
) -> impl Fn(web::Data<AppState>, HttpRequest, Auth, web::Path<String>, Query<PageParams>) -> HandlerFuture + Clone + 'static
{
    move |state, request, auth, id, Query(params)| {
        Box::pin(async move {
            let viewer = auth.viewer("read:statuses")?;
            let page = params.page(pagination::ACCOUNTS)?;
            let id = path_id(&id)?;
            let rows = if favourites {
                statuses::favourited_by(&state.ctx.db, viewer, id, page).await?
            } else {
                statuses::reblogged_by(&state.ctx.db, viewer, id, page).await?
            };
            Ok(account_page(&request, &state.ctx.config, &rows))
        })
    }
}
