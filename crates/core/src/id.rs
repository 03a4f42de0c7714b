//! Time-sortable 64-bit identifiers.
//!
//! Layout: 48 bits of milliseconds since the Unix epoch, then 16 bits that
//! start at a random value in the lower half for each new millisecond and
//! count up for further ids in the same millisecond. Ordering by id is
//! ordering by creation time, so `max_id`/`since_id` pagination is an index
//! range scan. The random start makes it unlikely (about 1 in 32,768 per
//! pair of ids made in the same millisecond) that two processes sharing one
//! database, such as the server and an admin command, pick the same id; the
//! primary key turns that rare case into an error rather than bad data.
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
const SEQUENCE_MASK: i64 = (1 << TIME_SHIFT) - 1;
/// The random start stays in the lower half, leaving room to count up.
const RANDOM_START_MASK: u64 = (1 << (TIME_SHIFT - 1)) - 1;

/// A database identifier, sortable by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub i64);

impl Id {
    /// A fresh id, strictly greater than every id this process issued before.
    pub fn generate() -> Id {
        static LAST: AtomicI64 = AtomicI64::new(0);
        let now = Utc::now().timestamp_millis() << TIME_SHIFT;
        let mut last = LAST.load(Ordering::Relaxed);
        loop {
            // Same millisecond (or a clock that stepped back): count up from
            // the last id so ids stay unique and increasing.
            let candidate = if now > last { now | random_start() } else { last + 1 };
            match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Id(candidate),
                Err(current) => last = current,
            }
        }
    }

    /// The smallest id that could have been generated at `time`: used to
    /// page by date and to seed historical data.
    pub fn lower_bound_at(time: DateTime<Utc>) -> Id {
        Id(time.timestamp_millis() << TIME_SHIFT)
    }

    /// An id for a row created at `time`, distinguished by `sequence`
    /// (only the low 16 bits are used). For importers and seeders.
    pub fn at(time: DateTime<Utc>, sequence: u16) -> Id {
        Id((time.timestamp_millis() << TIME_SHIFT) | (i64::from(sequence) & SEQUENCE_MASK))
    }

    /// When this id was generated.
    pub fn timestamp(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_millis(self.0 >> TIME_SHIFT)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_strictly_even_within_one_millisecond() {
        let ids: Vec<Id> = (0..10_000).map(|_| Id::generate()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
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
    fn serializes_as_a_json_string() {
        assert_eq!(serde_json::to_string(&Id(123)).ok().as_deref(), Some("\"123\""));
    }
}
