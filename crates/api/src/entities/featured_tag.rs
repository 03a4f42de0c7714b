use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::featured_tags::FeaturedTagView;

/// The Mastodon `FeaturedTag` entity.
#[derive(Debug, Serialize)]
pub struct FeaturedTag {
    pub id: Id,
    pub name: String,
    /// The account's own posts with the tag.
    pub url: String,
    /// A number written as a string, as Mastodon does.
    pub statuses_count: String,
    /// A date (`YYYY-MM-DD`), not a time.
    pub last_status_at: Option<String>,
}

impl FeaturedTag {
    pub fn from_view(view: &FeaturedTagView) -> FeaturedTag {
        FeaturedTag {
            id: view.id,
            name: view.name.clone(),
            url: format!("{}/tagged/{}", view.account_url, view.name.to_lowercase()),
            statuses_count: view.statuses_count.to_string(),
            last_status_at: view.last_status_at.map(|day| day.format("%Y-%m-%d").to_string()),
        }
    }

    pub fn list(views: &[FeaturedTagView]) -> Vec<FeaturedTag> {
        views.iter().map(FeaturedTag::from_view).collect()
    }
}
