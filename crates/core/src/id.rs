//! Time-sortable 64-bit identifiers.
//!
//! Layout, from the most significant bit:
//!
//! | bits   | what                                                        |
//! |--------|-------------------------------------------------------------|
//! | 63..16 | milliseconds since the Unix epoch (bit 63 stays 0)          |
//! | 15..10 | the node: which process made it (0..=63)                     |
//! | 9..0   | a sequence within the millisecond (1,024 ids per node)       |
//!
//! Ordering by id is ordering by creation time (to the millisecond), so
//! `max_id`/`since_id` pagination is an index range scan. Two processes
//! sharing one PostgreSQL database never make the same id: each `serve`
//! process leases its own node number (1..=63) for as long as it runs (see
//! `tertulia_db::cluster`). Node 0 belongs to processes without a lease
//! (SQLite, which is one process, and admin commands); there the sequence
//! starts at a random value in its lower half for each new millisecond,
//! which makes a clash between two such commands unlikely, and the primary
//! key turns that rare case into an error rather than bad data. A process
//! needing more than 1,024 ids in one millisecond borrows the next
//! millisecond, so its ids stay unique and increasing.
//!
//! Ids are rendered as decimal strings in JSON: JavaScript clients lose
//! precision past 2^53, and Mastodon clients compare ids as strings.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use chrono::{DateTime, Utc};

const TIME_SHIFT: u32 = 16;
/// The low 16 bits [`Id::at`] takes from its caller.
const LOW_MASK: i64 = (1 << TIME_SHIFT) - 1;
const SEQUENCE_BITS: u32 = 10;
const SEQUENCE_MASK: i64 = (1 << SEQUENCE_BITS) - 1;
/// How many node numbers there are (0 included).
pub const NODES: u16 = 1 << (TIME_SHIFT - SEQUENCE_BITS);
/// The random start stays in the lower half, leaving room to count up.
const RANDOM_START_MASK: u64 = (1 << (SEQUENCE_BITS - 1)) - 1;

/// This process's node number, already shifted into place.
static NODE: AtomicI64 = AtomicI64::new(0);

/// A database identifier, sortable by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub i64);

impl Id {
    /// A fresh id, strictly greater than every id this process issued before.
    pub fn generate() -> Id {
        // The last (millisecond, sequence) issued, without the node bits:
        // counting up past the sequence's end carries into the millisecond.
        static LAST: AtomicI64 = AtomicI64::new(0);
        let now = Utc::now().timestamp_millis() << SEQUENCE_BITS;
        let mut last = LAST.load(Ordering::Relaxed);
        loop {
            // Same millisecond (or a clock that stepped back): count up from
            // the last id so ids stay unique and increasing.
            let candidate = if now > last { now | random_start() } else { last + 1 };
            match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return assemble(candidate, NODE.load(Ordering::Relaxed)),
                Err(current) => last = current,
            }
        }
    }

    /// Makes this process's ids carry `node` (taken modulo [`NODES`]) from
    /// now on. The caller makes sure no other live process uses the same
    /// number; 0 is for processes without a lease.
    pub fn set_node(node: u16) {
        NODE.store(i64::from(node % NODES) << SEQUENCE_BITS, Ordering::Relaxed);
    }

    /// This process's node number (see [`Id::set_node`]).
    pub fn this_node() -> u16 {
        Id(NODE.load(Ordering::Relaxed)).node()
    }

    /// The node number in this id (see the module's layout).
    pub fn node(self) -> u16 {
        // Six bits: always fits.
        ((self.0 & LOW_MASK) >> SEQUENCE_BITS) as u16
    }

    /// The smallest id that could have been generated at `time`: used to
    /// page by date and to seed historical data.
    pub fn lower_bound_at(time: DateTime<Utc>) -> Id {
        Id(time.timestamp_millis() << TIME_SHIFT)
    }

    /// An id for a row created at `time`, distinguished by `sequence`
    /// (only the low 16 bits are used). For importers and seeders.
    pub fn at(time: DateTime<Utc>, sequence: u16) -> Id {
        Id((time.timestamp_millis() << TIME_SHIFT) | (i64::from(sequence) & LOW_MASK))
    }

    /// When this id was generated.
    pub fn timestamp(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_millis(self.0 >> TIME_SHIFT)
    }
}

/// Puts a (millisecond, sequence) `stamp` and a shifted `node` into the
/// layout.
fn assemble(stamp: i64, node: i64) -> Id {
    Id(((stamp >> SEQUENCE_BITS) << TIME_SHIFT) | node | (stamp & SEQUENCE_MASK))
}

fn random_start() -> i64 {
    // No RNG dependency in core: the standard library's randomly keyed
    // hasher, fed a counter, gives unpredictable values.
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let hash = KEYS.get_or_init(RandomState::new).hash_one(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hash & RANDOM_START_MASK) as i64
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An id in a URL or form could not be read as a number.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a valid id")]
pub struct InvalidId(String);

impl FromStr for Id {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<i64>().ok().filter(|v| *v > 0).map(Id).ok_or_else(|| InvalidId(s.to_owned()))
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads the decimal string [`Serialize`](serde::Serialize) writes.
impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_strictly_even_within_one_millisecond() {
        let ids: Vec<Id> = (0..10_000).map(|_| Id::generate()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ids_carry_the_node_and_sort_by_time_first() {
        let millis = 1_700_000_000_000_i64;
        let stamp = |sequence: i64| (millis << SEQUENCE_BITS) | sequence;
        let node = |n: i64| n << SEQUENCE_BITS;
        let (of_five, of_nine) = (assemble(stamp(7), node(5)), assemble(stamp(2), node(9)));
        assert_eq!((of_five.node(), of_nine.node()), (5, 9));
        assert_eq!(of_five.timestamp(), of_nine.timestamp());
        let next_millisecond = assemble(stamp(0) + (1 << SEQUENCE_BITS), node(1));
        assert!(of_nine < next_millisecond, "time outranks the node");
    }

    #[test]
    fn a_burst_past_the_sequence_borrows_the_next_millisecond_not_the_node() {
        let stamp = (1_700_000_000_000_i64 << SEQUENCE_BITS) | SEQUENCE_MASK;
        let node = 3 << SEQUENCE_BITS;
        let (last, next) = (assemble(stamp, node), assemble(stamp + 1, node));
        assert!(last < next);
        assert_eq!((last.node(), next.node()), (3, 3));
        assert_eq!(next.timestamp().map(|t| t.timestamp_millis()), Some(1_700_000_000_001));
    }

    #[test]
    fn decimal_strings_of_equal_length_sort_like_numbers() {
        let a = Id::generate().to_string();
        let b = Id::generate().to_string();
        assert_eq!(a.len(), b.len());
        assert!(a < b);
    }

    #[test]
    fn timestamp_round_trips_to_the_millisecond() {
        let now = Utc::now();
        let id = Id::at(now, 7);
        assert_eq!(id.timestamp().map(|t| t.timestamp_millis()), Some(now.timestamp_millis()));
        assert!(Id::lower_bound_at(now) <= id);
    }

    #[test]
    fn parsing_rejects_garbage_and_non_positive_values() {
        assert!("abc".parse::<Id>().is_err());
        assert!("0".parse::<Id>().is_err());
        assert!("-5".parse::<Id>().is_err());
        assert_eq!("42".parse::<Id>().ok(), Some(Id(42)));
    }

    #[test]
    fn serializes_as_a_json_string_and_reads_it_back() {
        assert_eq!(serde_json::to_string(&Id(123)).ok().as_deref(), Some("\"123\""));
        assert_eq!(serde_json::from_str::<Id>("\"123\"").ok(), Some(Id(123)));
        assert!(serde_json::from_str::<Id>("\"x\"").is_err());
    }
}
