//! Company-wide announcements, from the site actor to the sites that
//! follow this one as a site.

use tertulia_core::Config;
use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::announcements;

use super::recipients::{Plan, Planned};
use crate::announcements::{shown, withdrawn};
use crate::urls::Urls;

/// `Create`/`Update` of announcement `id`, or its `Delete` (`withdraw`).
/// A published one withdrawn meanwhile sends nothing: its `Delete` follows.
pub(super) fn plan(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    id: i64,
    withdraw: bool,
) -> Result<Planned, DbError> {
    let Some(site) = actors::find_by_uri(conn, &urls.instance_actor())? else {
        return Ok(None);
    };
    let activity = if withdraw {
        withdrawn(urls, id)
    } else {
        match announcements::company_wide(conn, id)? {
            Some(view) => shown(urls, config, &view),
            None => return Ok(None),
        }
    };
    Ok(Some(Plan { activity, signer: site.id, inboxes: actors::site_follower_inboxes(conn, site.id)? }))
}
