//! Events rendered once per viewer situation and shared by every connection
//! in that situation. What a stream sends for an event depends only on who
//! watches (what they may see, their mutes, filters and own flags) and on
//! where they read it (a home or a public stream: [`Reading`]). All
//! anonymous listeners are in one situation; for a status, so are all
//! signed-in viewers who stand alike to it ([`Watcher::Alike`]), found for
//! every listening viewer by one query per event; everyone else is in one
//! situation of their own per reading, however many streams and
//! connections they hold open. Connections that ask while the first render
//! is still under way wait for it rather than starting their own.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tertulia_domain::events::Event;
use tertulia_domain::present::Reading;
use tertulia_domain::statuses::ViewerStanding;
use tokio::sync::OnceCell;

use super::feed::Rendered;

/// Recent events whose renders are kept. Connections handle an event
/// within moments of each other; one that falls further behind renders
/// for itself (still correct, only not shared).
const KEPT_EVENTS: usize = 64;

/// Who watches, as far as a render can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Watcher {
    Anonymous,
    /// A signed-in viewer whose render is their own.
    Viewer(i64),
    /// Signed-in viewers with no relation to the status that the read
    /// pipeline applies besides following its authors: their renders are
    /// the same, so any one of them renders for all.
    Alike {
        follows_author: bool,
        follows_original_author: bool,
    },
}

impl Watcher {
    /// Where `viewer` stands among `standings`; their own situation unless
    /// the query found them plain.
    pub fn of(viewer: i64, standings: &HashMap<i64, ViewerStanding>) -> Watcher {
        match standings.get(&viewer) {
            Some(standing) if !standing.special => Watcher::Alike {
                follows_author: standing.follows_author,
                follows_original_author: standing.follows_original_author,
            },
            _ => Watcher::Viewer(viewer),
        }
    }
}

/// Who watches and where: everything a render depends on besides the event.
pub type Situation = (Watcher, Reading);

/// One render, shared: `None` when the situation may not see the event.
pub type SharedRender = Arc<OnceCell<Option<Rendered>>>;

/// How the listening viewers stand to one event's status, loaded once.
pub type SharedStandings = Arc<OnceCell<HashMap<i64, ViewerStanding>>>;

#[derive(Default)]
pub struct StreamingRenders {
    recent: Mutex<VecDeque<Renders>>,
    /// Signed-in viewers listening now, with how many connections each.
    listening: Mutex<HashMap<i64, usize>>,
}

/// The renders of one event so far.
struct Renders {
    event: Arc<Event>,
    standings: SharedStandings,
    by_situation: HashMap<Situation, SharedRender>,
}

/// One connection of a signed-in viewer, counted while it is held.
pub struct Listening {
    renders: Arc<StreamingRenders>,
    viewer: i64,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let mut listening = self.renders.listening.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = listening.get_mut(&self.viewer) {
            *count -= 1;
            if *count == 0 {
                listening.remove(&self.viewer);
            }
        }
    }
}

impl StreamingRenders {
    /// Counts `viewer` among the listeners until the result is dropped.
    pub fn listen(self: &Arc<Self>, viewer: i64) -> Listening {
        *self.listening.lock().unwrap_or_else(PoisonError::into_inner).entry(viewer).or_default() += 1;
        Listening { renders: self.clone(), viewer }
    }

    /// The signed-in viewers listening now.
    pub fn listeners(&self) -> Vec<i64> {
        self.listening.lock().unwrap_or_else(PoisonError::into_inner).keys().copied().collect()
    }

    /// The render of `event` for `situation`, empty until someone fills it.
    pub fn slot(&self, event: &Arc<Event>, situation: Situation) -> SharedRender {
        self.with_renders(event, |renders| renders.by_situation.entry(situation).or_default().clone())
    }

    /// How the listeners stand to `event`'s status, empty until someone
    /// loads it.
    pub fn standings(&self, event: &Arc<Event>) -> SharedStandings {
        self.with_renders(event, |renders| renders.standings.clone())
    }

    fn with_renders<T>(&self, event: &Arc<Event>, pick: impl FnOnce(&mut Renders) -> T) -> T {
        // A panic elsewhere leaves only a cache behind: keep using it.
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let index = match recent.iter().position(|r| Arc::ptr_eq(&r.event, event)) {
            Some(index) => index,
            None => {
                if recent.len() == KEPT_EVENTS {
                    recent.pop_front();
                }
                recent.push_back(Renders {
                    event: event.clone(),
                    standings: SharedStandings::default(),
                    by_situation: HashMap::new(),
                });
                recent.len() - 1
            }
        };
        pick(&mut recent[index])
    }
}

#[cfg(test)]
mod tests {
    use tertulia_core::Id;

    use super::*;

    fn event() -> Arc<Event> {
        Arc::new(Event::FiltersChanged { account: Id(1) })
    }

    #[test]
    fn one_slot_per_event_and_situation() {
        let renders = StreamingRenders::default();
        let (first, second) = (event(), event());
        let anonymous = (Watcher::Anonymous, Reading::Public);
        assert!(Arc::ptr_eq(&renders.slot(&first, anonymous), &renders.slot(&first, anonymous)));
        assert!(!Arc::ptr_eq(&renders.slot(&first, anonymous), &renders.slot(&second, anonymous)));
        assert!(!Arc::ptr_eq(
            &renders.slot(&first, anonymous),
            &renders.slot(&first, (Watcher::Viewer(1), Reading::Public))
        ));
        assert!(!Arc::ptr_eq(
            &renders.slot(&first, anonymous),
            &renders.slot(&first, (Watcher::Anonymous, Reading::Home))
        ));
    }

    #[test]
    fn old_events_make_room() {
        let renders = StreamingRenders::default();
        let oldest = event();
        let kept = renders.slot(&oldest, (Watcher::Anonymous, Reading::Public));
        let newer: Vec<Arc<Event>> = (0..KEPT_EVENTS).map(|_| event()).collect();
        for event in &newer {
            renders.slot(event, (Watcher::Anonymous, Reading::Public));
        }
        assert!(!Arc::ptr_eq(&kept, &renders.slot(&oldest, (Watcher::Anonymous, Reading::Public))));
        assert_eq!(renders.recent.lock().unwrap().len(), KEPT_EVENTS);
    }

    #[test]
    fn listeners_counted_per_connection() {
        let renders = Arc::new(StreamingRenders::default());
        let (first, second) = (renders.listen(7), renders.listen(7));
        assert_eq!(renders.listeners(), vec![7]);
        drop(first);
        assert_eq!(renders.listeners(), vec![7]);
        drop(second);
        assert!(renders.listeners().is_empty());
    }
}
