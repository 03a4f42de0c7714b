//! Counts per key in fixed time windows, keeping at most a set number of
//! keys: the request limits count per address and per token with it, and
//! sign-in counts failed passwords per account. Anyone can make up keys
//! (addresses, logins), so the map must not grow with what they send.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Counters of `K` in windows of `window_secs`, at most `capacity` keys.
#[derive(Debug)]
pub struct WindowCounters<K> {
    window_secs: i64,
    capacity: usize,
    entries: Mutex<HashMap<K, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    window_start: i64,
    count: u32,
}

/// A key's count after [`WindowCounters::try_add`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Whether this event was within the limit (and so counted).
    pub allowed: bool,
    /// Events counted in the current window.
    pub count: u32,
    /// When the current window ends, Unix seconds.
    pub window_end: i64,
}

impl<K: Hash + Eq + Clone> WindowCounters<K> {
    pub fn new(window_secs: u32, capacity: usize) -> WindowCounters<K> {
        WindowCounters {
            window_secs: i64::from(window_secs.max(1)),
            capacity: capacity.max(2),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key` at `now` (Unix seconds), unless it has
    /// already reached `limit` in this window.
    pub fn try_add(&self, key: &K, limit: u32, now: i64) -> Counted {
        let window_start = now - now.rem_euclid(self.window_secs);
        let mut entries = self.lock();
        if !entries.contains_key(key) && entries.len() >= self.capacity {
            self.make_room(&mut entries, window_start);
        }
        let entry = entries.entry(key.clone()).or_insert(Entry { window_start, count: 0 });
        if entry.window_start != window_start {
            *entry = Entry { window_start, count: 0 };
        }
        let allowed = entry.count < limit;
        if allowed {
            entry.count += 1;
        }
        Counted { allowed, count: entry.count, window_end: window_start + self.window_secs }
    }

    /// Events counted for `key` in the window holding `now`.
    pub fn count(&self, key: &K, now: i64) -> u32 {
        let window_start = now - now.rem_euclid(self.window_secs);
        self.lock().get(key).filter(|e| e.window_start == window_start).map_or(0, |e| e.count)
    }

    /// Forgets `key`'s count.
    pub fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Frees room for a new key: first the counts of past windows, which
    /// mean nothing any more; if the current window alone fills the map,
    /// the half with the fewest events, which are the furthest from any
    /// limit. Halving keeps this rare: one pass per `capacity / 2` new keys.
    fn make_room(&self, entries: &mut HashMap<K, Entry>, window_start: i64) {
        entries.retain(|_, e| e.window_start == window_start);
        if entries.len() < self.capacity {
            return;
        }
        let mut counts: Vec<u32> = entries.values().map(|e| e.count).collect();
        let half = counts.len() / 2;
        let (_, &mut median, _) = counts.select_nth_unstable(half);
        let mut to_evict = entries.len() - half;
        entries.retain(|_, e| {
            let evict = to_evict > 0 && e.count <= median;
            to_evict -= usize::from(evict);
            !evict
        });
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, Entry>> {
        // A panic elsewhere while holding the lock leaves counts that are
        // still usable: keep counting rather than fail every request.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a five-minute window.
    const START: i64 = 1_800_000_000;

    #[test]
    fn a_key_gets_its_limit_per_window_then_a_fresh_one() {
        let counters = WindowCounters::new(300, 100);
        for expected in 1..=3 {
            let counted = counters.try_add(&"a", 3, START + 10);
            assert!(counted.allowed);
            assert_eq!(counted.count, expected);
            assert_eq!(counted.window_end, START + 300);
        }
        assert!(!counters.try_add(&"a", 3, START + 20).allowed);
        assert!(counters.try_add(&"b", 3, START + 20).allowed, "other keys are unaffected");
        assert_eq!(counters.count(&"a", START + 299), 3);
        assert_eq!(counters.count(&"a", START + 300), 0);
        assert!(counters.try_add(&"a", 3, START + 300).allowed);
        counters.remove(&"a");
        assert_eq!(counters.count(&"a", START + 300), 0);
    }

    #[test]
    fn many_distinct_keys_never_grow_the_map_past_its_capacity() {
        let counters = WindowCounters::new(300, 1_000);
        for key in 0..100_000u32 {
            counters.try_add(&key, 10, START + 1);
            assert!(counters.len() <= 1_000, "{} keys after {key}", counters.len());
        }
    }

    #[test]
    fn when_full_the_busiest_keys_keep_their_counts() {
        let counters = WindowCounters::new(300, 10);
        let busy = "busy".to_owned();
        for _ in 0..5 {
            counters.try_add(&busy, 100, START);
        }
        for key in 0..50 {
            counters.try_add(&format!("once-{key}"), 100, START);
        }
        assert_eq!(counters.count(&busy, START), 5, "the key closest to its limit was kept");
    }

    #[test]
    fn past_windows_are_dropped_first() {
        let counters = WindowCounters::new(300, 4);
        for key in 0..4 {
            counters.try_add(&key, 10, START);
        }
        counters.try_add(&99, 10, START + 300);
        assert_eq!(counters.len(), 1, "the four old counts went; the new one is in");
    }
}
