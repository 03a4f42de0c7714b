//! Whom to follow next: accounts followed by those the user follows, then
//! this site's most-followed accounts. Never someone the user follows,
//! asked to follow, blocks, is blocked by, mutes, or dismissed.

use std::collections::{HashMap, HashSet};

use tertulia_core::Id;
use tertulia_db::{Db, DbError, accounts, blocks, social, suggestions};

use crate::{AccountView, DomainError};

/// Why an account is suggested (Mastodon's `sources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Followed by accounts the user follows.
    FriendsOfFriends,
    /// Among the most followed on this site.
    MostFollowed,
}

#[derive(Debug, Clone)]
pub struct Suggestion {
    pub account: AccountView,
    pub source: Source,
}

/// Up to `limit` suggestions for `account`, best first.
pub async fn for_account(db: &Db, account: Id, limit: usize) -> Result<Vec<Suggestion>, DomainError> {
    Ok(db
        .run(move |conn| {
            let me = account.0;
            let mut shared: HashMap<i64, usize> = HashMap::new();
            for target in suggestions::friends_of_friends(conn, me)? {
                *shared.entry(target).or_default() += 1;
            }
            let mut ranked: Vec<(i64, Source)> = {
                let mut by_shared: Vec<(i64, usize)> = shared.into_iter().collect();
                by_shared.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                by_shared.into_iter().map(|(id, _)| (id, Source::FriendsOfFriends)).collect()
            };
            let popular = suggestions::most_followed_local(conn, (limit * 2) as i64 + 50)?;
            ranked.extend(popular.into_iter().map(|id| (id, Source::MostFollowed)));

            let candidates: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
            let mut excluded: HashSet<i64> = HashSet::from([me]);
            excluded.extend(social::following_among(conn, me, &candidates)?.into_iter().map(|f| f.target_account_id));
            excluded.extend(social::requested_among(conn, me, &candidates)?);
            excluded.extend(blocks::hidden_from(conn, me, &candidates, true, tertulia_db::now())?);
            excluded.extend(suggestions::dismissed(conn, me)?);

            let mut seen = HashSet::new();
            let remaining: Vec<(i64, Source)> =
                ranked.into_iter().filter(|(id, _)| !excluded.contains(id) && seen.insert(*id)).collect();
            let ids: Vec<i64> = remaining.iter().map(|(id, _)| *id).collect();
            // Only people who chose to be found, as on Mastodon.
            let mut rows: HashMap<i64, accounts::AccountRow> = accounts::find_many(conn, &ids)?
                .into_iter()
                .filter(|a| a.suspended_at.is_none() && a.discoverable)
                .map(|a| (a.id, a))
                .collect();
            Ok::<_, DbError>(
                remaining
                    .into_iter()
                    .filter_map(|(id, source)| rows.remove(&id).map(|row| Suggestion { account: row.into(), source }))
                    .take(limit)
                    .collect(),
            )
        })
        .await?)
}

/// Stops suggesting `target` to `account`.
pub async fn dismiss(db: &Db, account: Id, target: Id) -> Result<(), DomainError> {
    Ok(db.run(move |conn| suggestions::dismiss(conn, account.0, target.0, tertulia_db::now())).await?)
}
