use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::lists::ListView;

/// The Mastodon `List` entity.
#[derive(Debug, Serialize)]
pub struct List {
    pub id: Id,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
}

impl List {
    pub fn from_view(view: &ListView) -> List {
        List {
            id: view.id,
            title: view.title.clone(),
            replies_policy: view.replies_policy.to_string(),
            exclusive: view.exclusive,
        }
    }
}
