//! `Profile` (Mastodon 4.6): the owner's editable profile, as typed.

use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::profile::ProfileView;

use super::account::Field;

#[derive(Debug, Serialize)]
pub struct Profile {
    pub id: Id,
    pub display_name: String,
    /// The bio as typed, not the rendered HTML `Account.note` carries.
    pub note: String,
    pub fields: Vec<Field>,
    /// Null when unset, unlike `Account`, so a client can tell the default
    /// picture from an uploaded one.
    pub avatar: Option<String>,
    pub avatar_static: Option<String>,
    pub avatar_description: String,
    pub header: Option<String>,
    pub header_static: Option<String>,
    pub header_description: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub hide_collections: bool,
    pub show_featured: bool,
    pub show_media: bool,
    pub show_media_replies: bool,
    pub attribution_domains: Vec<String>,
}

impl Profile {
    pub fn from_view(view: ProfileView) -> Profile {
        let account = view.account;
        Profile {
            id: account.id,
            display_name: account.display_name,
            note: account.note_source,
            fields: account
                .fields
                .into_iter()
                .map(|f| Field { name: f.name, value: f.value, verified_at: None })
                .collect(),
            avatar_static: account.avatar_url.clone(),
            avatar: account.avatar_url,
            avatar_description: view.avatar_description,
            header_static: account.header_url.clone(),
            header: account.header_url,
            header_description: view.header_description,
            locked: account.locked,
            bot: account.bot,
            discoverable: account.discoverable,
            indexable: view.indexable,
            hide_collections: view.hide_collections,
            show_featured: view.show_featured,
            show_media: view.show_media,
            show_media_replies: view.show_media_replies,
            attribution_domains: view.attribution_domains,
        }
    }
}
