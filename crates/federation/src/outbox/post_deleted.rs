//! A deleted local post: `Delete` with a `Tombstone`, or for a boost
//! `Undo(Announce)`, to whom the post had gone. The row is gone, so
//! everything comes from the record.

use tertulia_core::AccountId;
use tertulia_core::visibility::Visibility;
use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::audience::{self, Addressing};

use super::recipients::{Plan, Planned, inboxes_of};
use crate::activities;
use crate::protocol::addressing;
use crate::render;
use crate::urls::Urls;

/// The post `uri`, addressed as `post` says; `boost_of` names the boosted
/// post's URI and author when it was a boost.
pub(super) fn plan(
    conn: &mut DbConn,
    urls: &Urls,
    uri: &str,
    boost_of: Option<&(String, i64)>,
    post: &Addressing<'_>,
) -> Result<Planned, DbError> {
    let Some(actor) = render::local_actor(conn, post.author.0)? else {
        return Ok(None);
    };
    if let Some((original_uri, original_author)) = boost_of {
        let Some(original_actor) = actors::find(conn, *original_author)? else {
            return Ok(None);
        };
        // Receivers match the Undo by the Announce's id alone.
        let boost = activities::Boost { booster: &actor.username, uri, published: tertulia_db::now() };
        let members_only = post.visibility == Visibility::Private;
        let announce = activities::withdrawn_announce(urls, &boost, original_uri, &original_actor.uri, members_only);
        let to = audience::remote_of_boost(post.author, post.visibility, AccountId(*original_author));
        let inboxes = inboxes_of(conn, urls, &to)?;
        return Ok(Some(Plan { activity: activities::undo(&actor.uri, announce), signer: post.author.0, inboxes }));
    }
    let mentioned_uris: Vec<String> =
        actors::find_many(conn, &AccountId::raw(post.mentioned))?.into_iter().map(|a| a.uri).collect();
    let (to, cc) = addressing(post.visibility, &urls.followers(&actor.username), &mentioned_uris);
    let activity = activities::delete(&actor.uri, uri, to, cc);
    let inboxes = inboxes_of(conn, urls, &audience::remote_of_post(post))?;
    Ok(Some(Plan { activity, signer: post.author.0, inboxes }))
}
