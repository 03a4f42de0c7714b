//! What the domain hands to the API and CLI: rows shaped for display,
//! free of storage details.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tertulia_core::config::SiteIdentity;
use tertulia_core::html::is_web_link;
use tertulia_core::{Config, Id};
use tertulia_db::accounts::AccountRow;
use tertulia_db::actors::ActorType;
use tertulia_db::statuses::MentionedAccount;

/// An account as shown to others.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub id: Id,
    pub username: String,
    /// `None` for local accounts.
    pub domain: Option<String>,
    pub display_name: String,
    /// Sanitized HTML.
    pub note: String,
    /// The note as its author typed it.
    pub note_source: String,
    pub uri: String,
    pub url: String,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    /// A group (FEP-1b12), here or elsewhere: following it is joining it.
    pub group: bool,
    pub discoverable: bool,
    /// Whether public posts may be searched by anyone.
    pub indexable: bool,
    pub hide_collections: bool,
    pub suspended: bool,
    /// Limited by a moderator: only followers see its posts.
    pub silenced: bool,
    /// A moderator marked all its media sensitive.
    pub sensitized: bool,
    /// Profile metadata such as Department, Site, Skills.
    pub fields: Vec<ProfileField>,
    /// The site a remote account belongs to, as its actor published it;
    /// `None` for local accounts: see [`AccountView::site`].
    pub remote_site: Option<SiteIdentity>,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    /// Recognitions received (see `crate::kudos`).
    pub kudos_count: i64,
    pub last_status_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The account this one moved to; filled where a profile is shown.
    pub moved: Option<Box<AccountView>>,
}

/// One name/value pair of profile metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileField {
    /// As typed: plain text, escaped when rendered.
    pub name: String,
    /// As typed: plain text, escaped when rendered.
    pub value: String,
    pub verified_at: Option<DateTime<Utc>>,
}

impl AccountView {
    /// `user` for local accounts, `user@domain` for remote ones.
    pub fn acct(&self) -> String {
        acct(&self.username, self.domain.as_deref())
    }

    /// The site this account belongs to: `[site]` for local accounts, what
    /// its own site published for remote ones. `None` when none is
    /// published.
    pub fn site<'a>(&'a self, config: &'a Config) -> Option<&'a SiteIdentity> {
        match &self.domain {
            None => Some(&config.site),
            Some(_) => self.remote_site.as_ref(),
        }
        .filter(|site| site.is_published())
    }
}

/// An account a status mentions, as the status names it.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionView {
    pub id: Id,
    pub username: String,
    /// `None` for local accounts.
    pub domain: Option<String>,
    pub uri: String,
    pub url: String,
}

impl MentionView {
    /// `user` for local accounts, `user@domain` for remote ones.
    pub fn acct(&self) -> String {
        acct(&self.username, self.domain.as_deref())
    }
}

impl From<MentionedAccount> for MentionView {
    fn from(account: MentionedAccount) -> Self {
        MentionView {
            id: Id(account.id),
            url: web_page(account.url.as_deref(), &account.uri),
            username: account.username,
            domain: account.domain,
            uri: account.uri,
        }
    }
}

fn acct(username: &str, domain: Option<&str>) -> String {
    match domain {
        None => username.to_owned(),
        Some(domain) => format!("{username}@{domain}"),
    }
}

impl From<AccountRow> for AccountView {
    fn from(row: AccountRow) -> Self {
        AccountView {
            id: Id(row.id),
            url: web_page(row.url.as_deref(), &row.uri),
            username: row.username,
            domain: row.domain,
            display_name: row.display_name,
            note: row.note,
            note_source: row.note_source,
            uri: row.uri,
            avatar_url: row.avatar_url.filter(|url| is_web_link(url)),
            header_url: row.header_url.filter(|url| is_web_link(url)),
            locked: row.locked,
            bot: row.bot,
            group: row.actor_type == ActorType::Group,
            discoverable: row.discoverable,
            indexable: row.indexable,
            hide_collections: row.hide_collections,
            suspended: row.suspended_at.is_some(),
            silenced: row.silenced_at.is_some(),
            sensitized: row.sensitized_at.is_some(),
            // The column only ever holds what `ProfileField` serialised; an
            // unreadable value shows as no fields rather than failing.
            fields: serde_json::from_str(&row.fields).unwrap_or_default(),
            // Written by federation from a checked `SiteIdentity`; an
            // unreadable value shows as no site.
            remote_site: row.site.as_deref().and_then(|site| serde_json::from_str(site).ok()),
            followers_count: row.followers_count.into(),
            following_count: row.following_count.into(),
            statuses_count: row.statuses_count.into(),
            kudos_count: row.kudos_count.into(),
            last_status_at: row.last_status_at.map(|t| t.and_utc()),
            created_at: row.created_at.and_utc(),
            moved: None,
        }
    }
}

/// The web page clients link for an account or a status: its `url` if that
/// is an http(s) link, else its ActivityPub id if that is one, else nothing.
/// Federation stores only such links; this also covers rows stored before
/// it checked, so a `javascript:` value from another site never reaches a
/// client.
pub(crate) fn web_page(url: Option<&str>, uri: &str) -> String {
    url.into_iter().chain([uri]).find(|link| is_web_link(link)).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_become_pages() {
        let uri = "https://es.example/users/ana";
        assert_eq!(web_page(Some("https://es.example/@ana"), uri), "https://es.example/@ana");
        assert_eq!(web_page(Some("javascript:alert(1)"), uri), uri);
        assert_eq!(web_page(None, uri), uri);
        assert_eq!(web_page(Some("data:text/html,x"), "javascript://es.example/%0Aalert(1)"), "");
    }
}
