//! `/api/v1/tertulia/campaigns`: Tertulia's extension for idea campaigns.
//! Stock clients take part without it: staff post ideas with the
//! campaign's hashtag and vote by favouriting. These endpoints are for what
//! they cannot do: admins (or a group's moderators, for their group) open,
//! edit, close and reopen campaigns, moderators move ideas through their
//! states, and anyone reads the ranking or downloads it as CSV.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::campaigns::{self, CampaignChange, CampaignView, IdeaView, NewCampaign, Organiser};

use crate::auth::Auth;
use crate::csv::Csv;
use crate::entities::{Status, timestamp};
use crate::forms::{Form, Query};
use crate::pagination::STATUSES;
use crate::statuses::path_id;
use crate::tags::TrendParams;
use crate::{ApiError, AppState};

#[derive(Debug, Serialize)]
pub struct Campaign {
    id: String,
    /// Without `#`, lower-case.
    tag: String,
    question: String,
    description: String,
    deadline: String,
    /// `open` until the deadline or until it is closed, then `closed`.
    state: &'static str,
    /// When it was closed before its deadline.
    closed_at: Option<String>,
    /// The group whose posts are the ideas; `null`: the whole site.
    group_id: Option<String>,
    created_at: String,
}

impl From<&CampaignView> for Campaign {
    fn from(view: &CampaignView) -> Campaign {
        Campaign {
            id: view.id.to_string(),
            tag: view.tag.clone(),
            question: view.question.clone(),
            description: view.description.clone(),
            deadline: timestamp(view.deadline),
            state: if view.open { "open" } else { "closed" },
            closed_at: view.closed_at.map(timestamp),
            group_id: view.group.map(|group| group.to_string()),
            created_at: timestamp(view.created_at),
        }
    }
}

/// An idea: its post, its state and its votes (favourites and votes for
/// its poll's first option, given before the campaign ended).
#[derive(Debug, Serialize)]
pub struct Idea {
    status: Status,
    state: &'static str,
    votes: i64,
}

impl Idea {
    fn from_view(view: &IdeaView, config: &tertulia_core::Config) -> Idea {
        Idea { status: Status::from_view(&view.status, config), state: view.state.as_str(), votes: view.votes }
    }
}

#[derive(Debug, Serialize)]
pub struct CampaignWithIdeas {
    #[serde(flatten)]
    campaign: Campaign,
    ideas: Vec<Idea>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    tag: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    group_id: Option<String>,
}

/// An edit: the fields sent replace the current ones.
#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    question: Option<String>,
    description: Option<String>,
    deadline: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReopenForm {
    deadline: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StateForm {
    #[serde(default)]
    state: String,
}

/// Admins run any campaign, a group's moderators their group's (the rule
/// is the domain's); staff use admin tokens, moderators their app's.
const ORGANISER_SCOPES: &[&str] = &["admin:write", "write:statuses"];

/// `POST /api/v1/tertulia/campaigns`: an admin opens a campaign, or a
/// group's moderator one for their group (`group_id`).
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<CampaignForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(ORGANISER_SCOPES)?;
    let group = match form.group_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => Some(id.parse().map_err(|_| {
            ApiError::Unprocessable(format!("group_id: '{id}' is not a group id; take it from the group's account"))
        })?),
        None => None,
    };
    let new = NewCampaign {
        tag: form.tag,
        question: form.question,
        deadline: form.deadline,
        description: form.description,
        group,
    };
    let view = campaigns::create(&state.ctx, Organiser::from(user), new).await?;
    Ok(HttpResponse::Ok().json(Campaign::from(&view)))
}

/// `PUT /api/v1/tertulia/campaigns/:id`: edits an open campaign's
/// `question`, `description` or `deadline`.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(ORGANISER_SCOPES)?;
    let change = CampaignChange { question: form.question, description: form.description, deadline: form.deadline };
    let view = campaigns::update(&state.ctx, Organiser::from(user), path_id(&id)?, change).await?;
    Ok(HttpResponse::Ok().json(Campaign::from(&view)))
}

/// `POST /api/v1/tertulia/campaigns/:id/close`: ends it now.
pub async fn close(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(ORGANISER_SCOPES)?;
    let view = campaigns::close(&state.ctx, Organiser::from(user), path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Campaign::from(&view)))
}

/// `POST /api/v1/tertulia/campaigns/:id/reopen`: opens it again, until a
/// new `deadline` if its own has passed.
pub async fn reopen(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<ReopenForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(ORGANISER_SCOPES)?;
    let view = campaigns::reopen(&state.ctx, Organiser::from(user), path_id(&id)?, form.deadline).await?;
    Ok(HttpResponse::Ok().json(Campaign::from(&view)))
}

pub async fn list(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let views = campaigns::list(&state.ctx.db, viewer).await?;
    Ok(HttpResponse::Ok().json(views.iter().map(Campaign::from).collect::<Vec<_>>()))
}

/// `GET /api/v1/tertulia/campaigns/:id`: the campaign with its ideas most
/// voted first, `offset`/`limit` at a time.
pub async fn show(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let window = params.window(STATUSES)?;
    let (campaign, ideas) = campaigns::show(&state.ctx.db, viewer, path_id(&id)?, window.offset, window.limit).await?;
    let config = &state.ctx.config;
    let ideas = ideas.iter().map(|idea| Idea::from_view(idea, config)).collect();
    Ok(HttpResponse::Ok().json(CampaignWithIdeas { campaign: Campaign::from(&campaign), ideas }))
}

/// `GET /api/v1/tertulia/campaigns/:id/ideas.csv`: every idea the caller
/// may see, most voted first.
pub async fn ideas_csv(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let (campaign, ideas) = campaigns::all_ideas(&state.ctx.db, viewer, path_id(&id)?).await?;
    let mut csv = Csv::new(&["url", "author", "votes", "state"]);
    for idea in &ideas {
        let account = &idea.status.account;
        let domain = account.domain.as_deref().unwrap_or(&state.ctx.config.domain);
        let author = format!("{}@{domain}", account.username);
        csv.row(&[&idea.status.url, &author, &idea.votes.to_string(), idea.state.as_str()]);
    }
    Ok(csv.into_response(&format!("campaign-{}-ideas", campaign.tag)))
}

/// `POST /api/v1/tertulia/campaigns/:id/ideas/:status_id/state`: a
/// moderator (of the site, or of the campaign's group) moves an idea on;
/// its author is told.
pub async fn move_idea(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    Form(form): Form<StateForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user_with_any(ORGANISER_SCOPES)?;
    let (campaign, status) = (path_id(&path.0)?, path_id(&path.1)?);
    let view = campaigns::move_idea(&state.ctx, user, campaign, status, &form.state).await?;
    Ok(HttpResponse::Ok().json(Idea::from_view(&view, &state.ctx.config)))
}
