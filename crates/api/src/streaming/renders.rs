//! Events rendered once per viewer situation and shared by every connection
//! in that situation. What a stream sends for an event depends only on who
//! watches (what they may see, their mutes, filters and own flags) and on
//! where they read it (a home or a public stream: [`Reading`]). All
//! anonymous listeners are in one situation, and each signed-in viewer in
//! one per reading however many streams and connections they hold open, so
//! the read pipeline runs once per situation instead of once per
//! connection. Connections that ask while the first render is still under
//! way wait for it rather than starting their own.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tertulia_domain::events::Event;
use tertulia_domain::present::Reading;
use tokio::sync::OnceCell;

use super::feed::Rendered;

/// Recent events whose renders are kept. Connections handle an event
/// within moments of each other; one that falls further behind renders
/// for itself (still correct, only not shared).
const KEPT_EVENTS: usize = 64;

/// Who watches and where: everything a render depends on besides the event.
pub type Situation = (Option<i64>, Reading);

/// One render, shared: `None` when the situation may not see the event.
pub type SharedRender = Arc<OnceCell<Option<Rendered>>>;

#[derive(Default)]
pub struct StreamingRenders {
    recent: Mutex<VecDeque<Renders>>,
}

/// The renders of one event so far.
struct Renders {
    event: Arc<Event>,
    by_situation: HashMap<Situation, SharedRender>,
}

impl StreamingRenders {
    /// The render of `event` for `situation`, empty until someone fills it.
    pub fn slot(&self, event: &Arc<Event>, situation: Situation) -> SharedRender {
        // A panic elsewhere leaves only a cache behind: keep using it.
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let index = match recent.iter().position(|r| Arc::ptr_eq(&r.event, event)) {
            Some(index) => index,
            None => {
                if recent.len() == KEPT_EVENTS {
                    recent.pop_front();
                }
                recent.push_back(Renders { event: event.clone(), by_situation: HashMap::new() });
                recent.len() - 1
            }
        };
        recent[index].by_situation.entry(situation).or_default().clone()
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
        let anonymous = (None, Reading::Public);
        assert!(Arc::ptr_eq(&renders.slot(&first, anonymous), &renders.slot(&first, anonymous)));
        assert!(!Arc::ptr_eq(&renders.slot(&first, anonymous), &renders.slot(&second, anonymous)));
        assert!(!Arc::ptr_eq(&renders.slot(&first, anonymous), &renders.slot(&first, (Some(1), Reading::Public))));
        assert!(!Arc::ptr_eq(&renders.slot(&first, anonymous), &renders.slot(&first, (None, Reading::Home))));
    }

    #[test]
    fn old_events_make_room() {
        let renders = StreamingRenders::default();
        let oldest = event();
        let kept = renders.slot(&oldest, (None, Reading::Public));
        let newer: Vec<Arc<Event>> = (0..KEPT_EVENTS).map(|_| event()).collect();
        for event in &newer {
            renders.slot(event, (None, Reading::Public));
        }
        assert!(!Arc::ptr_eq(&kept, &renders.slot(&oldest, (None, Reading::Public))));
        assert_eq!(renders.recent.lock().unwrap().len(), KEPT_EVENTS);
    }
}
