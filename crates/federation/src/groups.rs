//! What a group's `Announce` carries (FEP-1b12). Groups announce either
//! the member's post itself (Guppe, Friendica, and Tertulia's own groups,
//! so that Mastodon shows them as boosts) or the member's activity
//! wrapped whole (Lemmy: `Announce` of `Create` of a `Page` or `Note`,
//! and of `Delete` when a moderator removes a post). Wrapped posts are
//! never taken from the wrapper: they are read by id from their own site,
//! as any boosted post, so a group cannot forge its members' words.
//! The one exception is a private group's members-only post: its author's
//! site serves it to nobody but the author's followers, so the group sends
//! it inline, and only a group may (see the inbox).

use serde_json::Value;
use tertulia_core::visibility::Visibility;

use crate::protocol::{id_of, type_of, uris, visibility_of};

/// What an `Announce` asks of us.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Announced<'a> {
    /// Show the post with this id as boosted by the announcer.
    Post(&'a str),
    /// A members-only post shared by a private group with its members,
    /// inline in a wrapped `Create`: store it as sent, then as boosted.
    MembersOnly(&'a Value),
    /// The announcer withdraws its boost of the post with this id: a
    /// group's moderator removed it, or its author deleted it.
    Withdrawn(&'a str),
    /// A wrapped activity a boost cannot show (votes, edits, follows,
    /// a group's housekeeping); nothing to do.
    Ignored,
    /// No object at all.
    Invalid,
}

/// Reads the object of an `Announce`.
pub(crate) fn announced(activity: &Value) -> Announced<'_> {
    let object = activity.get("object");
    let Some(id) = id_of(object) else {
        return Announced::Invalid;
    };
    let Some(object) = object.filter(|o| o.is_object()) else {
        return Announced::Post(id);
    };
    let inner = || id_of(object.get("object")).map_or(Announced::Invalid, Announced::Post);
    match type_of(object) {
        "Create" => match object.get("object") {
            Some(post) if is_members_only(activity, post) => Announced::MembersOnly(post),
            _ => inner(),
        },
        "Delete" => match inner() {
            Announced::Post(uri) => Announced::Withdrawn(uri),
            other => other,
        },
        "Update" | "Like" | "Dislike" | "Undo" | "Follow" | "Accept" | "Reject" | "Add" | "Remove" | "Block"
        | "Lock" | "Announce" | "Flag" | "Move" => Announced::Ignored,
        _ => Announced::Post(id),
    }
}

/// Whether `post`, inline in `announce`, is a members-only post: addressed
/// to the collection the `Announce` goes to (the group's members) and not
/// to the public.
fn is_members_only(announce: &Value, post: &Value) -> bool {
    let members = uris(announce.get("to"));
    let addressed = [uris(post.get("to")), uris(post.get("cc"))].concat();
    post.is_object()
        && !matches!(visibility_of(post, None), Visibility::Public | Visibility::Unlisted)
        && addressed.iter().any(|uri| members.contains(uri))
}

#[cfg(test)]
mod tests;
