use serde::Serialize;
use tertulia_core::config::{KUDOS_FIELD_NAME, SITE_FIELD_NAME, SiteIdentity};
use tertulia_core::text::escape_html;
use tertulia_core::{Config, Id};
use tertulia_domain::AccountView;
use tertulia_domain::oauth::SessionUser;
use tertulia_domain::roles;

use super::timestamp;
use crate::static_files::{MISSING_AVATAR_PATH, MISSING_HEADER_PATH};

/// The Mastodon `Account` entity.
#[derive(Debug, Serialize)]
pub struct Account {
    pub id: Id,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    /// A date (`2026-11-23`), not a timestamp, as in Mastodon.
    pub last_status_at: Option<String>,
    pub emojis: Vec<serde_json::Value>,
    pub fields: Vec<Field>,
    /// The account this one moved to; clients show a "moved" banner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<Box<Account>>,
    /// Tertulia's extension: the site the account belongs to. Absent when
    /// its site publishes none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tertulia: Option<AccountExtension>,
}

/// The `tertulia` extension attribute of an account.
#[derive(Debug, Serialize)]
pub struct AccountExtension {
    pub site: SiteIdentity,
}

#[derive(Debug, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

impl Account {
    pub fn from_view(view: &AccountView, config: &Config) -> Account {
        let base = config.base_url();
        let avatar = view.avatar_url.clone().unwrap_or_else(|| format!("{base}{MISSING_AVATAR_PATH}"));
        let header = view.header_url.clone().unwrap_or_else(|| format!("{base}{MISSING_HEADER_PATH}"));
        // Mastodon reports account creation at day precision.
        let created_day = view.created_at.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let site = view.site(config);
        Account {
            id: view.id,
            username: view.username.clone(),
            acct: view.acct(),
            display_name: view.display_name.clone(),
            locked: view.locked,
            bot: view.bot,
            discoverable: view.discoverable,
            indexable: view.indexable,
            group: view.group,
            created_at: timestamp(created_day.unwrap_or(view.created_at)),
            note: view.note.clone(),
            url: view.url.clone(),
            uri: view.uri.clone(),
            avatar_static: avatar.clone(),
            avatar,
            header_static: header.clone(),
            header,
            followers_count: view.followers_count,
            following_count: view.following_count,
            statuses_count: view.statuses_count,
            last_status_at: view.last_status_at.map(|t| t.date_naive().to_string()),
            emojis: Vec::new(),
            moved: view.moved.as_ref().map(|target| Box::new(Account::from_view(target, config))),
            fields: view
                .fields
                .iter()
                .map(|f| Field {
                    name: escape_html(&f.name),
                    value: escape_html(&f.value),
                    verified_at: f.verified_at.map(timestamp),
                })
                .chain(site.map(site_field))
                .chain(kudos_field(view))
                .collect(),
            tertulia: site.map(|site| AccountExtension { site: site.clone() }),
        }
    }
}

/// The read-only Site field appended to an account's own fields, so stock
/// clients show where a colleague works. Never part of `source.fields`,
/// which clients edit from.
fn site_field(site: &SiteIdentity) -> Field {
    Field { name: SITE_FIELD_NAME.into(), value: escape_html(&site.profile_field_value()), verified_at: None }
}

/// The read-only Kudos field of an account of this site that received
/// recognitions (docs/communities.md). Other sites' accounts have none: this
/// site knows only the recognitions it saw, not their whole count.
fn kudos_field(view: &AccountView) -> Option<Field> {
    (view.domain.is_none() && view.kudos_count > 0).then(|| Field {
        name: KUDOS_FIELD_NAME.into(),
        value: view.kudos_count.to_string(),
        verified_at: None,
    })
}

/// The signed-in user's own account, with the `source` clients edit from
/// (`GET /api/v1/accounts/verify_credentials`).
#[derive(Debug, Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: Role,
}

#[derive(Debug, Serialize)]
pub struct Source {
    pub privacy: &'static str,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    pub fields: Vec<Field>,
    pub follow_requests_count: i64,
    pub indexable: bool,
    pub discoverable: bool,
    pub hide_collections: bool,
}

#[derive(Debug, Serialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub permissions: String,
    pub color: String,
    pub highlighted: bool,
}

impl Role {
    /// Mastodon's `Role` for a user's role: its permission bits, and the
    /// badge clients show for staff.
    pub fn of(role: roles::Role) -> Role {
        Role {
            id: role.as_str().into(),
            name: role.as_str().into(),
            permissions: roles::permission_bits(role).to_string(),
            color: String::new(),
            highlighted: roles::is_staff(role),
        }
    }
}

impl CredentialAccount {
    pub fn from_user(user: &SessionUser, config: &Config) -> CredentialAccount {
        let account = Account::from_view(&user.account, config);
        CredentialAccount {
            source: Source {
                privacy: "public",
                sensitive: false,
                language: None,
                note: user.account.note_source.clone(),
                fields: user
                    .account
                    .fields
                    .iter()
                    .map(|f| Field { name: f.name.clone(), value: f.value.clone(), verified_at: None })
                    .collect(),
                follow_requests_count: 0,
                indexable: user.account.indexable,
                discoverable: user.account.discoverable,
                hide_collections: user.account.hide_collections,
            },
            role: Role::of(user.role),
            account,
        }
    }
}
