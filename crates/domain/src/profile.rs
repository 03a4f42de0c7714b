//! The owner's view of their profile (Mastodon 4.6 `Profile`): the settings
//! only they see, and the rules for the ones `update_credentials` never had.
//! Updates themselves go through [`crate::accounts::update_profile`].

use tertulia_core::Id;
use tertulia_db::{Db, DbConn, DbError, accounts, media};

use crate::{AccountView, DomainError};

/// Mastodon's limit on sites allowed to credit an account.
pub const MAX_ATTRIBUTION_DOMAINS: usize = 10;

/// An account with its owner-only settings.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub account: AccountView,
    pub indexable: bool,
    pub hide_collections: bool,
    pub show_featured: bool,
    pub show_media: bool,
    pub show_media_replies: bool,
    pub attribution_domains: Vec<String>,
    /// Empty when there is no image or it has no description, as on Mastodon.
    pub avatar_description: String,
    pub header_description: String,
}

/// The caller's profile.
pub async fn get(db: &Db, account: Id) -> Result<ProfileView, DomainError> {
    let view = crate::accounts::get(db, account).await?;
    let (settings, described) = db
        .run(move |conn| {
            let settings = accounts::profile_settings(conn, account.0)?;
            let ids: Vec<i64> = [settings.avatar_media_id, settings.header_media_id].into_iter().flatten().collect();
            Ok::<_, DbError>((settings, media::descriptions(conn, &ids)?))
        })
        .await?;
    let description = |id: Option<i64>| {
        id.and_then(|id| described.iter().find(|(m, _)| *m == id)).map(|(_, d)| d.clone()).unwrap_or_default()
    };
    Ok(ProfileView {
        avatar_description: description(settings.avatar_media_id),
        header_description: description(settings.header_media_id),
        account: view,
        indexable: settings.indexable,
        hide_collections: settings.hide_collections,
        show_featured: settings.show_featured,
        show_media: settings.show_media,
        show_media_replies: settings.show_media_replies,
        attribution_domains: serde_json::from_str(&settings.attribution_domains).unwrap_or_default(),
    })
}

/// Checks and normalises attribution domains into the stored JSON array:
/// lower-cased, without duplicates, at most [`MAX_ATTRIBUTION_DOMAINS`].
pub(crate) fn attribution_domains(domains: Vec<String>) -> Result<String, DomainError> {
    let mut clean: Vec<String> = Vec::new();
    for domain in domains {
        let domain = domain.trim().trim_end_matches('.').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let valid = domain.len() <= 253
            && domain.split('.').all(|label| {
                !label.is_empty() && label.len() <= 63 && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !valid {
            return Err(DomainError::invalid("attribution_domains", format!("{domain:?} is not a domain name")));
        }
        if !clean.contains(&domain) {
            clean.push(domain);
        }
    }
    if clean.len() > MAX_ATTRIBUTION_DOMAINS {
        return Err(DomainError::invalid_as(
            crate::Invalidity::AboveLimit,
            "attribution_domains",
            format!("at most {MAX_ATTRIBUTION_DOMAINS} domains"),
        ));
    }
    serde_json::to_string(&clean).map_err(|e| DomainError::Internal(e.to_string()))
}

/// Alt text for the avatar and header, kept on their upload rows; `None`
/// leaves it as it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageDescriptions {
    pub avatar: Option<String>,
    pub header: Option<String>,
}

impl ImageDescriptions {
    /// Refuses a description for an image the account does not have, rather
    /// than dropping it unseen.
    pub(crate) fn check(&self, conn: &mut DbConn, account: i64) -> Result<(), DomainError> {
        let settings = accounts::profile_settings(conn, account)?;
        for (field, text, media) in [
            ("avatar_description", &self.avatar, settings.avatar_media_id),
            ("header_description", &self.header, settings.header_media_id),
        ] {
            if text.as_deref().is_some_and(|t| !t.trim().is_empty()) && media.is_none() {
                return Err(DomainError::invalid(field, "there is no image to describe: upload one first"));
            }
        }
        Ok(())
    }

    pub(crate) fn apply(&self, conn: &mut DbConn, account: i64) -> Result<(), DbError> {
        let settings = accounts::profile_settings(conn, account)?;
        let now = tertulia_db::now();
        for (text, media) in [(&self.avatar, settings.avatar_media_id), (&self.header, settings.header_media_id)] {
            if let (Some(text), Some(media)) = (text, media) {
                let text = text.trim();
                media::set_description(conn, media, (!text.is_empty()).then_some(text), now)?;
            }
        }
        Ok(())
    }
}
