//! A report forwarded to the reported account's site: `Flag` from the site
//! actor, so the reporter stays anonymous there (as on Mastodon).

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::reports;

use super::recipients::{Plan, Planned, remote_inbox};
use crate::activities;
use crate::urls::Urls;

pub(super) fn forwarded(conn: &mut DbConn, urls: &Urls, report: i64) -> Result<Planned, DbError> {
    let (Some(site), Some(forward)) =
        (actors::find_by_uri(conn, &urls.instance_actor())?, reports::forward_of(conn, report)?)
    else {
        return Ok(None);
    };
    let Some(target) = actors::find(conn, forward.target.0)? else {
        return Ok(None);
    };
    let Some(inbox) = remote_inbox(&target) else {
        return Ok(None);
    };
    let activity = activities::flag(&site.uri, report, &target.uri, &forward.status_uris, &forward.comment);
    Ok(Some(Plan { activity, signer: site.id, inboxes: vec![inbox] }))
}
