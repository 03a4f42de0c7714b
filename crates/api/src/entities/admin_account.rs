//! Mastodon's `Admin::Account` (docs.joinmastodon.org/entities/Admin_Account/).

use serde::Serialize;
use tertulia_core::Config;
use tertulia_domain::moderation::ModeratedAccount;

use super::account::Role;
use super::{Account, timestamp};

#[derive(Debug, Serialize)]
pub struct AdminAccount {
    id: String,
    username: String,
    domain: Option<String>,
    created_at: String,
    email: String,
    /// The address of the newest sign-in.
    ip: Option<String>,
    ips: Vec<AdminIp>,
    locale: String,
    invite_request: Option<String>,
    role: Role,
    /// Addresses are not confirmed by e-mail here: every account counts
    /// as confirmed.
    confirmed: bool,
    approved: bool,
    disabled: bool,
    silenced: bool,
    suspended: bool,
    sensitized: bool,
    account: Account,
}

/// Mastodon's `Admin::Ip`: an address a user signed in from.
#[derive(Debug, Serialize)]
struct AdminIp {
    ip: String,
    used_at: String,
}

impl AdminAccount {
    pub fn from_view(moderated: &ModeratedAccount, config: &Config) -> AdminAccount {
        let account = &moderated.account;
        let user = moderated.user.as_ref();
        AdminAccount {
            id: account.id.to_string(),
            username: account.username.clone(),
            domain: account.domain.clone(),
            created_at: timestamp(user.map_or(account.created_at, |u| u.created_at)),
            email: user.map(|u| u.email.clone()).unwrap_or_default(),
            ip: user.and_then(|u| u.addresses.first()).map(|a| a.ip.clone()),
            ips: user.map_or_else(Vec::new, |u| {
                u.addresses.iter().map(|a| AdminIp { ip: a.ip.clone(), used_at: timestamp(a.used_at) }).collect()
            }),
            locale: user.map(|u| u.locale.clone()).unwrap_or_default(),
            invite_request: None,
            role: Role::of(user.map_or(tertulia_domain::roles::Role::User, |u| u.role)),
            confirmed: true,
            approved: user.is_none_or(|u| u.approved),
            disabled: user.is_some_and(|u| u.disabled),
            silenced: account.silenced,
            suspended: account.suspended,
            sensitized: account.sensitized,
            account: Account::from_view(account, config),
        }
    }
}
