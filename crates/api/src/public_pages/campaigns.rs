//! `/campaigns` (every idea campaign of this site) and `/campaigns/{tag}`
//! (the newest campaign on a hashtag: its question and its public ideas,
//! most voted first).

use actix_web::{HttpResponse, web};
use maud::{Markup, PreEscaped, html};
use tertulia_domain::campaigns::{self, CampaignView, IdeaView};

use super::{PageError, Section, display_name, page};
use crate::AppState;
use crate::forms::Query;
use crate::pagination::STATUSES;
use crate::tags::TrendParams;
use crate::web::{offset_pager, when};

pub async fn index(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let found = campaigns::list(&state.ctx.db, None).await?;
    let main = html! {
        h1 { "Idea campaigns" }
        p { "To send an idea, post it with the campaign's hashtag from your app; to vote for one, favourite it." }
        @if found.is_empty() {
            p.muted { "This site has no campaigns yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Campaign" }
                    th scope="col" { "Question" }
                    th scope="col" { "Ends" }
                } }
                tbody {
                    @for campaign in &found {
                        tr {
                            th scope="row" { a href=(format!("/campaigns/{}", campaign.tag)) { "#" (campaign.tag) } }
                            td { (campaign.question) }
                            td { (ending(campaign)) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Section::Campaigns, "Idea campaigns", main))
}

pub async fn show(
    state: web::Data<AppState>,
    tag: web::Path<String>,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, PageError> {
    let window = params.window(STATUSES)?;
    let (campaign, ideas) = campaigns::public_page(&state.ctx.db, &tag, window.offset, window.limit).await?;
    let title = format!("#{}", campaign.tag);
    let main = html! {
        h1 { (title) }
        p { strong { (campaign.question) } }
        @if !campaign.description.is_empty() { p { (campaign.description) } }
        dl.facts {
            dt { "Ends" } dd { (ending(&campaign)) }
            dt { "Taking part" }
            dd {
                @if campaign.open {
                    "Post your idea with #" (campaign.tag) " from your app; favourite the ideas you back."
                } @else {
                    "Closed: new ideas and votes no longer count."
                }
            }
        }
        h2 { "Ideas, most votes first" }
        @if ideas.is_empty() { p.muted { "No public ideas yet." } }
        @for (place, idea) in ideas.iter().enumerate() {
            (idea_card(window.offset + place as i64 + 1, idea))
        }
        (offset_pager(&format!("/campaigns/{}", campaign.tag), &window, ideas.len(), ("← More votes", "Fewer votes →")))
    };
    Ok(page(Section::Campaigns, &title, main))
}

fn idea_card(place: i64, idea: &IdeaView) -> Markup {
    let post = &idea.status;
    let votes = if idea.votes == 1 { "1 vote".to_owned() } else { format!("{} votes", idea.votes) };
    html! {
        article {
            h2 {
                (place) ". " a href=(post.account.url) { (display_name(&post.account)) }
                " " span.muted { "@" (post.account.acct()) }
            }
            p { span.status { (votes) } span.status { (idea.state.as_str().replace('_', " ")) } }
            @if !post.spoiler_text.is_empty() { p.notice { (post.spoiler_text) } }
            // The domain sanitised the post's HTML when it was stored.
            blockquote { (PreEscaped(&post.content)) }
            p.muted { a href=(post.url) { time datetime=(post.created_at.to_rfc3339()) { (when(post.created_at)) } } }
        }
    }
}

/// When the campaign ends, or when it ended.
fn ending(campaign: &CampaignView) -> Markup {
    let end = campaign.closed_at.unwrap_or(campaign.deadline);
    html! {
        @if !campaign.open { "Closed " }
        time datetime=(end.to_rfc3339()) { (when(end)) }
    }
}
