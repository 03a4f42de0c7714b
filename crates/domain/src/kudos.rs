//! Recognition: a post carrying the kudos hashtag (`[communities]
//! kudos_tag`) thanks each colleague it mentions, with the first of its
//! other hashtags that names a configured badge (`kudos_badges`). Stock
//! clients need nothing new: staff write `#kudos #teamwork @ana thanks for
//! …`. The rule is applied where every post is stored, written here
//! (`statuses::publish`, `statuses::edit`) or arriving from another site
//! (`remote::status_received`): a colleague on another site learns of a
//! recognition because the post mentions them, so it reaches their site.
//!
//! A recognition shows on the receiver's profile (the read-only "Kudos"
//! field, from `accounts.kudos_count`), in their listing ([`received`]) and
//! in the analytics roll-up (`analytics::rollup`).

use tertulia_core::Id;
use tertulia_core::config::CommunitiesConfig;
use tertulia_core::visibility::Visibility;
use tertulia_db::kudos::{self, NewKudos, Readable};
use tertulia_db::page::Page;
use tertulia_db::statuses::StatusRow;
use tertulia_db::{Db, DbConn, DbError};

use crate::DomainError;
use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::visibility::Viewer;

/// Which posts are recognitions, from `[communities]`; names lower-cased as
/// stored tags are.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// Empty: recognitions are not recorded.
    tag: String,
    badges: Vec<String>,
}

impl Rule {
    pub(crate) fn new(config: &CommunitiesConfig) -> Rule {
        Rule {
            tag: config.kudos_tag.to_lowercase(),
            badges: config.kudos_badges.iter().map(|badge| badge.to_lowercase()).collect(),
        }
    }

    /// Whether a post with this visibility and these (lower-cased) tags is
    /// a recognition, and with which badge. Direct messages and site-only
    /// posts are not: a recognition is public praise the receiver's site
    /// must learn of.
    fn recognises<'a>(&'a self, visibility: Visibility, tags: &[String]) -> Option<Option<&'a str>> {
        let shown = matches!(visibility, Visibility::Public | Visibility::Unlisted | Visibility::Private);
        if self.tag.is_empty() || !shown || !tags.contains(&self.tag) {
            return None;
        }
        Some(self.badges.iter().find(|badge| tags.contains(badge)).map(String::as_str))
    }
}

/// Records the recognitions the post `row` makes of the accounts it
/// mentions (`tags` lower-cased), in the caller's transaction. An edited
/// post's earlier recognitions are replaced. Self-kudos do not count.
pub(crate) fn record(
    conn: &mut DbConn,
    rule: &Rule,
    row: &StatusRow,
    mentioned: &[i64],
    tags: &[String],
) -> Result<(), DbError> {
    // Only an edit can find recognitions already recorded.
    let mut touched = match row.edited_at {
        Some(_) => kudos::delete_of_status(conn, row.id)?,
        None => Vec::new(),
    };
    if let Some(badge) = rule.recognises(row.visibility, tags) {
        let mut receivers: Vec<i64> = mentioned.iter().copied().filter(|m| *m != row.account_id).collect();
        receivers.sort_unstable();
        receivers.dedup();
        let now = tertulia_db::now();
        let rows: Vec<NewKudos> = receivers
            .iter()
            .map(|&receiver_id| NewKudos {
                status_id: row.id,
                receiver_id,
                giver_id: row.account_id,
                badge,
                created_at: now,
            })
            .collect();
        kudos::insert(conn, &rows)?;
        touched.extend(receivers);
    }
    touched.sort_unstable();
    touched.dedup();
    kudos::recount(conn, &touched)
}

/// Removes the recognitions of a status being deleted.
pub(crate) fn forget(conn: &mut DbConn, status_id: i64) -> Result<(), DbError> {
    let receivers = kudos::delete_of_status(conn, status_id)?;
    kudos::recount(conn, &receivers)
}

/// Removes the recognitions an account being deleted gave, so the counts of
/// those who received them drop too (the rows alone would go by cascade).
pub(crate) fn forget_given_by(conn: &mut DbConn, giver: i64) -> Result<(), DbError> {
    let receivers = kudos::delete_given_by(conn, giver)?;
    kudos::recount(conn, &receivers)
}

/// One recognition as a reader sees it: the post, and its badge.
#[derive(Debug, Clone)]
pub struct Recognition {
    pub status: StatusView,
    pub badge: Option<String>,
}

/// A page of the recognitions `account` received, newest first: those whose
/// post `viewer` may see. The query leaves out the posts whose visibility
/// hides them from the viewer, so pages come out full; the read pipeline
/// then applies the rest of the rule (blocks, suspended authors).
pub async fn received(db: &Db, viewer: Viewer, account: Id, page: Page) -> Result<Vec<Recognition>, DomainError> {
    // As `visibility::can_see`: site-only posts are for signed-in staff.
    let readable = Readable {
        visibilities: match viewer {
            Some(_) => &[Visibility::Public, Visibility::Unlisted, Visibility::Local],
            None => &[Visibility::Public, Visibility::Unlisted],
        },
        reader: viewer,
    };
    Ok(db
        .read(move |conn| {
            let (rows, badges): (Vec<StatusRow>, Vec<(i64, Option<String>)>) =
                kudos::page_of(conn, account.0, readable, page)?
                    .into_iter()
                    .map(|(row, badge)| {
                        let id = row.id;
                        (row, (id, badge))
                    })
                    .unzip();
            let views = present::statuses(conn, viewer, rows, Reading::Account)?;
            Ok::<_, DbError>(
                views
                    .into_iter()
                    .map(|status| {
                        let badge = badges.iter().find(|(id, _)| *id == status.id.0).and_then(|(_, b)| b.clone());
                        Recognition { status, badge }
                    })
                    .collect(),
            )
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        Rule::new(&CommunitiesConfig {
            kudos_tag: "Kudos".into(),
            kudos_badges: vec!["TeamWork".into(), "mentor".into()],
        })
    }

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_kudos_tag_makes_a_recognition_with_the_first_configured_badge() {
        let rule = rule();
        assert_eq!(rule.recognises(Visibility::Public, &tags(&["kudos"])), Some(None));
        assert_eq!(
            rule.recognises(Visibility::Unlisted, &tags(&["kudos", "mentor", "teamwork"])),
            Some(Some("teamwork"))
        );
        assert_eq!(rule.recognises(Visibility::Private, &tags(&["kudos", "heroics"])), Some(None));
        assert_eq!(rule.recognises(Visibility::Public, &tags(&["teamwork"])), None);
    }

    #[test]
    fn direct_and_site_only_posts_and_an_empty_tag_recognise_nobody() {
        assert_eq!(rule().recognises(Visibility::Direct, &tags(&["kudos"])), None);
        assert_eq!(rule().recognises(Visibility::Local, &tags(&["kudos"])), None);
        let off = Rule::new(&CommunitiesConfig { kudos_tag: String::new(), kudos_badges: Vec::new() });
        assert_eq!(off.recognises(Visibility::Public, &tags(&["kudos", ""])), None);
    }
}
