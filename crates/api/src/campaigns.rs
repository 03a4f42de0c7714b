//! `/api/v1/tertulia/campaigns`: Tertulia's extension for idea campaigns.
//! Stock clients take part without it: staff post ideas with the
//! campaign's hashtag and vote by favouriting. These endpoints are for what
//! they cannot do: admins open campaigns, moderators move ideas through
//! their states, and anyone reads the ranking or downloads it as CSV.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::audit::Actor;
use tertulia_domain::campaigns::{self, CampaignView, IdeaView, NewCampaign};
use tertulia_domain::roles::Permission;

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
    deadline: String,
    /// `open` until the deadline, then `closed`.
    state: &'static str,
    created_at: String,
}

impl From<&CampaignView> for Campaign {
    fn from(view: &CampaignView) -> Campaign {
        Campaign {
            id: view.id.to_string(),
            tag: view.tag.clone(),
            question: view.question.clone(),
            deadline: timestamp(view.deadline),
            state: if view.open { "open" } else { "closed" },
            created_at: timestamp(view.created_at),
        }
    }
}

/// An idea: its post, its state and its votes (the post's favourites).
#[derive(Debug, Serialize)]
pub struct Idea {
    status: Status,
    state: &'static str,
    votes: i64,
}

impl Idea {
    fn from_view(view: &IdeaView, config: &tertulia_core::Config) -> Idea {
        Idea {
            status: Status::from_view(&view.status, config),
            state: view.state.as_str(),
            votes: view.status.favourites_count,
        }
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
}

#[derive(Debug, Default, Deserialize)]
pub struct StateForm {
    #[serde(default)]
    state: String,
}

/// `POST /api/v1/tertulia/campaigns`: an admin (a role that manages the
/// site's settings) opens a campaign.
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<CampaignForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted("admin:write", Permission::ManageSettings)?;
    let new = NewCampaign { tag: form.tag, question: form.question, deadline: form.deadline };
    let view = campaigns::create(&state.ctx, Actor::from(user), new).await?;
    Ok(HttpResponse::Ok().json(Campaign::from(&view)))
}

pub async fn list(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:statuses")?;
    let views = campaigns::list(&state.ctx.db).await?;
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
        csv.row(&[&idea.status.url, &author, &idea.status.favourites_count.to_string(), idea.state.as_str()]);
    }
    Ok(csv.into_response(&format!("campaign-{}-ideas", campaign.tag)))
}

/// `POST /api/v1/tertulia/campaigns/:id/ideas/:status_id/state`: a
/// moderator moves an idea on; its author is told.
pub async fn move_idea(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    Form(form): Form<StateForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted("admin:write", Permission::ManageReports)?;
    let (campaign, status) = (path_id(&path.0)?, path_id(&path.1)?);
    let view =
        campaigns::move_idea(&state.ctx, user.account.id, Actor::from(user), campaign, status, &form.state).await?;
    Ok(HttpResponse::Ok().json(Idea::from_view(&view, &state.ctx.config)))
}
