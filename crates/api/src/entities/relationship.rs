use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::accounts::Relationship as RelationshipView;

/// The Mastodon `Relationship` entity.
#[derive(Debug, Serialize)]
pub struct Relationship {
    pub id: Id,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

impl From<&RelationshipView> for Relationship {
    fn from(view: &RelationshipView) -> Self {
        Relationship {
            id: view.id,
            following: view.following,
            showing_reblogs: view.showing_reblogs,
            notifying: view.notifying,
            languages: None,
            followed_by: view.followed_by,
            blocking: view.blocking,
            blocked_by: view.blocked_by,
            muting: view.muting,
            muting_notifications: view.muting_notifications,
            requested: view.requested,
            requested_by: false,
            domain_blocking: view.domain_blocking,
            endorsed: view.endorsed,
            note: view.note.clone(),
        }
    }
}
