//! The directory sync: a site that starts following this one gets an
//! `Update(Person)` of each person this site's directory lists, so its
//! directory lists them before they ever post (`docs/federation.md`,
//! "Directory sync").

use tertulia_core::{AccountId, Config};
use tertulia_db::{DbConn, DbError};
use tertulia_domain::audience;

use super::account::update_person;
use super::recipients::Planned;
use crate::urls::Urls;

/// `Update(Person)` of `account`, for `site` alone.
pub(super) fn listed(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    account: i64,
    site: Option<i64>,
) -> Result<Planned, DbError> {
    update_person(conn, config, urls, account, &audience::remote_of_directory_entry(site.map(AccountId)))
}
