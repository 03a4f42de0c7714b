//! The dataset, generated in memory before anything is written: who
//! follows whom, who posts what and when, who favourites what, and the
//! home timeline each status lands in. Pure and deterministic for a given
//! seed, so runs are comparable.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Hashtags, most used first: their use follows a Zipf-like curve.
pub const TAGS: &[&str] = &[
    "rust",
    "opensource",
    "linux",
    "music",
    "photography",
    "books",
    "coffee",
    "cycling",
    "news",
    "travel",
    "gardening",
    "art",
    "science",
    "climate",
    "history",
    "cooking",
    "running",
    "movies",
    "gaming",
    "python",
    "security",
    "design",
    "privacy",
    "cats",
    "dogs",
    "mastodon",
    "fediverse",
    "weekend",
    "monday",
    "work",
];

/// What kind of status one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Original,
    /// A reply to the status at this index.
    Reply(u32),
    /// A boost of the status at this index.
    Boost(u32),
}

#[derive(Debug, Clone)]
pub struct PlannedStatus {
    pub id: i64,
    pub author: u32,
    pub kind: Kind,
    pub created_at: DateTime<Utc>,
    /// Indexes into [`TAGS`].
    pub tags: Vec<u8>,
    /// Words of the text, as indexes into the word list (see `text`).
    pub words: Vec<u8>,
    pub replies: i32,
    pub reblogs: i32,
    pub favourites: i32,
}

#[derive(Debug, Clone, Copy)]
pub struct PlannedFavourite {
    pub id: i64,
    pub account: u32,
    pub status: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
pub struct PlannedFollow {
    pub id: i64,
    pub follower: u32,
    pub target: u32,
    pub created_at: DateTime<Utc>,
}

/// The sizes asked for.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub accounts: u32,
    pub statuses: u32,
    pub days: u32,
}

pub struct Plan {
    pub accounts: u32,
    /// When each account was created.
    pub account_created_at: Vec<DateTime<Utc>>,
    pub follows: Vec<PlannedFollow>,
    /// `followers[a]`: who follows account `a`, sorted.
    pub followers: Vec<Vec<u32>>,
    /// `following[a]`: whom account `a` follows, sorted.
    pub following: Vec<Vec<u32>>,
    /// In id (and time) order.
    pub statuses: Vec<PlannedStatus>,
    pub favourites: Vec<PlannedFavourite>,
}

/// Share of statuses that are replies and boosts.
const REPLY_SHARE: f64 = 0.20;
const BOOST_SHARE: f64 = 0.10;
/// Share of non-boost statuses with hashtags (one or two).
const TAGGED_SHARE: f64 = 0.30;
/// Replies and boosts pick among this many most recent statuses: people
/// react to what is new.
const RECENT_WINDOW: usize = 5_000;
/// Average favourites per non-boost status.
const FAVOURITES_PER_STATUS: f64 = 1.5;

/// Hands out `Id::at` ids unique within one table, even for rows created
/// in the same millisecond.
#[derive(Default)]
pub struct IdClock {
    used: HashSet<i64>,
}

impl IdClock {
    pub fn at(&mut self, time: DateTime<Utc>) -> i64 {
        let mut sequence: u16 = 0;
        loop {
            let id = tertulia_core::Id::at(time, sequence).0;
            if self.used.insert(id) {
                return id;
            }
            sequence = sequence.wrapping_add(1);
        }
    }
}

/// Weights `1 / (rank + 1)^exponent`: rank 0 is the most popular.
fn zipf(count: usize, exponent: f64) -> Option<WeightedIndex<f64>> {
    WeightedIndex::new((0..count).map(|rank| 1.0 / ((rank + 1) as f64).powf(exponent))).ok()
}

pub fn generate(rng: &mut StdRng, sizes: Sizes, now: DateTime<Utc>) -> Plan {
    let accounts = sizes.accounts.max(2);
    let start = now - Duration::days(i64::from(sizes.days.max(1)));
    // Accounts exist before the first status, one a minute.
    let account_created_at: Vec<DateTime<Utc>> =
        (0..accounts).map(|i| start - Duration::minutes(i64::from(accounts - i))).collect();
    let (follows, followers, following) = follow_graph(rng, accounts, start);
    let statuses = statuses(rng, accounts, sizes.statuses, start, now);
    let mut plan =
        Plan { accounts, account_created_at, follows, followers, following, statuses, favourites: Vec::new() };
    add_favourites(rng, &mut plan, now);
    plan
}

/// A power-law follow graph: each account follows between 1 and twice the
/// average, `min(150, accounts / 2)`, choosing targets with Zipf weights
/// (account 0 is the most followed).
#[allow(clippy::type_complexity)]
fn follow_graph(
    rng: &mut StdRng,
    accounts: u32,
    start: DateTime<Utc>,
) -> (Vec<PlannedFollow>, Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let average = (accounts / 2).clamp(1, 150);
    let Some(popularity) = zipf(accounts as usize, 1.0) else {
        return (Vec::new(), vec![Vec::new(); accounts as usize], vec![Vec::new(); accounts as usize]);
    };
    let mut ids = IdClock::default();
    let mut follows = Vec::new();
    let mut followers = vec![Vec::new(); accounts as usize];
    let mut following = vec![Vec::new(); accounts as usize];
    for follower in 0..accounts {
        let wanted = rng.gen_range(1..=2 * average - 1).min(accounts - 1) as usize;
        let mut chosen = HashSet::with_capacity(wanted);
        // Popular targets are drawn again and again; give up rather than
        // spin when the graph is nearly complete.
        for _ in 0..wanted * 20 {
            if chosen.len() == wanted {
                break;
            }
            let target = popularity.sample(rng) as u32;
            if target != follower {
                chosen.insert(target);
            }
        }
        let mut chosen: Vec<u32> = chosen.into_iter().collect();
        chosen.sort_unstable();
        for &target in &chosen {
            let created_at = start - Duration::seconds(rng.gen_range(0..86_400 * 30));
            follows.push(PlannedFollow { id: ids.at(created_at), follower, target, created_at });
            followers[target as usize].push(follower);
        }
        following[follower as usize] = chosen;
    }
    for list in &mut followers {
        list.sort_unstable();
    }
    (follows, followers, following)
}

fn statuses(
    rng: &mut StdRng,
    accounts: u32,
    count: u32,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<PlannedStatus> {
    let span_ms = (now - start).num_milliseconds().max(1);
    let mut times: Vec<i64> = (0..count).map(|_| rng.gen_range(0..span_ms)).collect();
    times.sort_unstable();
    // A few accounts post most statuses, but not the same few that are most
    // followed: otherwise every status would reach nearly everyone and the
    // home timelines would be several times the average fan-out.
    let Some(activity) = zipf(accounts as usize, 0.7) else {
        return Vec::new();
    };
    let mut posters: Vec<u32> = (0..accounts).collect();
    posters.shuffle(rng);
    let tag_choice = zipf(TAGS.len(), 1.1);
    let mut ids = IdClock::default();
    let mut statuses: Vec<PlannedStatus> = Vec::with_capacity(count as usize);
    let mut boosted: HashSet<(u32, u32)> = HashSet::new();
    for offset in times {
        let created_at = start + Duration::milliseconds(offset);
        let author = posters[activity.sample(rng)];
        let roll: f64 = rng.r#gen();
        let recent = pick_recent(rng, &statuses);
        let kind = match recent {
            Some(target) if roll < BOOST_SHARE => {
                let original = match statuses[target as usize].kind {
                    Kind::Boost(of) => of,
                    _ => target,
                };
                let fresh = statuses[original as usize].author != author && boosted.insert((author, original));
                if fresh { Kind::Boost(original) } else { Kind::Original }
            }
            Some(target) if roll < BOOST_SHARE + REPLY_SHARE => match statuses[target as usize].kind {
                Kind::Boost(of) => Kind::Reply(of),
                _ => Kind::Reply(target),
            },
            _ => Kind::Original,
        };
        let mut tags = Vec::new();
        let mut words = Vec::new();
        if !matches!(kind, Kind::Boost(_)) {
            let length = rng.gen_range(6..30);
            words = (0..length).map(|_| rng.gen_range(0..=u8::MAX)).collect();
            if let Some(choice) = &tag_choice
                && rng.gen_bool(TAGGED_SHARE)
            {
                tags.push(choice.sample(rng) as u8);
                if rng.gen_bool(0.3) {
                    tags.push(choice.sample(rng) as u8);
                }
                tags.sort_unstable();
                tags.dedup();
            }
        }
        match kind {
            Kind::Reply(parent) => statuses[parent as usize].replies += 1,
            Kind::Boost(original) => statuses[original as usize].reblogs += 1,
            Kind::Original => {}
        }
        statuses.push(PlannedStatus {
            id: ids.at(created_at),
            author,
            kind,
            created_at,
            tags,
            words,
            replies: 0,
            reblogs: 0,
            favourites: 0,
        });
    }
    statuses
}

/// One of the most recent statuses, if there are any.
fn pick_recent(rng: &mut StdRng, statuses: &[PlannedStatus]) -> Option<u32> {
    if statuses.is_empty() {
        return None;
    }
    let window = statuses.len().min(RECENT_WINDOW);
    Some((statuses.len() - 1 - rng.gen_range(0..window)) as u32)
}

/// Favourites on non-boost statuses: an exponential number per status
/// (mean [`FAVOURITES_PER_STATUS`]), from distinct accounts other than the
/// author, within six hours of posting.
fn add_favourites(rng: &mut StdRng, plan: &mut Plan, now: DateTime<Utc>) {
    let mut ids = IdClock::default();
    let limit = (plan.accounts as usize - 1).min(50);
    for (index, status) in plan.statuses.iter_mut().enumerate() {
        if matches!(status.kind, Kind::Boost(_)) {
            continue;
        }
        let draw: f64 = rng.r#gen();
        let count = ((-(1.0 - draw).ln()) * FAVOURITES_PER_STATUS).floor() as usize;
        let mut fans = HashSet::new();
        for _ in 0..count.min(limit) * 4 {
            if fans.len() == count.min(limit) {
                break;
            }
            let fan = rng.gen_range(0..plan.accounts);
            if fan != status.author {
                fans.insert(fan);
            }
        }
        let mut fans: Vec<u32> = fans.into_iter().collect();
        fans.sort_unstable();
        for account in fans {
            let created_at = (status.created_at + Duration::seconds(rng.gen_range(1..6 * 3600))).min(now);
            plan.favourites.push(PlannedFavourite {
                id: ids.at(created_at),
                account,
                status: index as u32,
                created_at,
            });
            status.favourites += 1;
        }
    }
}

impl Plan {
    /// Who gets status `index` in their home timeline, as account indexes:
    /// the same rule as the real fan-out (`audience::home_readers` for
    /// posts, the boost rule for boosts), worked out from the in-memory
    /// graph. Every status here is public and mentions only the author of
    /// the status it replies to, and nobody follows tags, so the parts of
    /// those rules about mentions and tag followers add no one.
    pub fn home_readers(&self, index: usize) -> Vec<u32> {
        let status = &self.statuses[index];
        let author = status.author;
        let followers = &self.followers[author as usize];
        let mut readers: Vec<u32> = match status.kind {
            Kind::Original => followers.clone(),
            Kind::Reply(parent) => {
                let replied_to = self.statuses[parent as usize].author;
                if replied_to == author {
                    followers.clone()
                } else {
                    // Followers who also follow the person replied to, and
                    // that person themself.
                    followers
                        .iter()
                        .copied()
                        .filter(|f| *f == replied_to || self.following[*f as usize].binary_search(&replied_to).is_ok())
                        .collect()
                }
            }
            Kind::Boost(original) => {
                let original_author = self.statuses[original as usize].author;
                followers.iter().copied().filter(|f| *f != original_author).collect()
            }
        };
        readers.push(author);
        readers.sort_unstable();
        readers.dedup();
        readers
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn small_plan(seed: u64) -> Plan {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        generate(&mut StdRng::seed_from_u64(seed), Sizes { accounts: 100, statuses: 3_000, days: 10 }, now)
    }

    #[test]
    fn same_seed_same_dataset() {
        let (a, b) = (small_plan(7), small_plan(7));
        let ids = |p: &Plan| p.statuses.iter().map(|s| (s.id, s.author, s.kind)).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.follows.len(), b.follows.len());
        assert_ne!(ids(&a), ids(&small_plan(8)));
    }

    #[test]
    fn statuses_sort_by_time_and_mix_kinds() {
        let plan = small_plan(1);
        assert!(plan.statuses.windows(2).all(|w| w[0].id < w[1].id && w[0].created_at <= w[1].created_at));
        let replies = plan.statuses.iter().filter(|s| matches!(s.kind, Kind::Reply(_))).count();
        let boosts = plan.statuses.iter().filter(|s| matches!(s.kind, Kind::Boost(_))).count();
        assert!((450..750).contains(&replies), "about 20% replies, got {replies}");
        assert!((150..330).contains(&boosts), "about 10% boosts, got {boosts}");
        // Replies and boosts point backwards in time, boosts at originals.
        for (i, status) in plan.statuses.iter().enumerate() {
            match status.kind {
                Kind::Reply(p) => assert!((p as usize) < i),
                Kind::Boost(o) => {
                    assert!((o as usize) < i);
                    assert!(!matches!(plan.statuses[o as usize].kind, Kind::Boost(_)));
                }
                Kind::Original => {}
            }
        }
    }

    #[test]
    fn follow_graph_is_skewed_and_averages_near_target() {
        let plan = small_plan(3);
        let average = plan.follows.len() as f64 / 100.0;
        assert!((40.0..=55.0).contains(&average), "average follows {average}");
        assert!(plan.followers[0].len() > plan.followers[99].len() * 3);
        assert!(plan.follows.iter().all(|f| f.follower != f.target));
    }

    #[test]
    fn replies_reach_only_followers_of_both() {
        let plan = small_plan(5);
        let (index, status) = plan
            .statuses
            .iter()
            .enumerate()
            .find(|(_, s)| matches!(s.kind, Kind::Reply(p) if plan.statuses[p as usize].author != s.author))
            .unwrap_or_else(|| panic!("no reply to someone else"));
        let Kind::Reply(parent) = status.kind else { unreachable!() };
        let replied_to = plan.statuses[parent as usize].author;
        for reader in plan.home_readers(index) {
            if reader != status.author && reader != replied_to {
                assert!(plan.following[reader as usize].binary_search(&replied_to).is_ok());
                assert!(plan.following[reader as usize].binary_search(&status.author).is_ok());
            }
        }
    }
}
