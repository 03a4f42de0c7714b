//! The event hub: what just happened, announced to whoever listens (the
//! streaming API today). One hub is made by the binary at start-up and
//! shared by every request.
//!
//! Domain functions that change what people see take an `&Events` handle
//! and publish themselves, after their transaction commits. The other
//! design, returning the events for the caller to publish, would give every
//! caller (the API now, the federation inbox later) a duty it could forget,
//! and a forgotten call would silently break streaming. Inside a
//! transaction the events are only collected; [`Events::committed`]
//! publishes them once the work has succeeded, so a rolled-back change is
//! never announced.
//!
//! Events carry domain data (ids, author, visibility, audience), never
//! rendered JSON: what a subscriber receives depends on who is watching
//! (whether they may see the status, whether they favourited it), so the
//! API renders each event per subscriber.
//!
//! With several processes on one PostgreSQL database ([`Events::clustered`]),
//! a listener connected to one process must hear what a request in another
//! did: each commit's events are also sent, as JSON, to the other processes
//! through the [`Cluster`] connection (`LISTEN`/`NOTIFY`), and events from
//! them are published to this process's subscribers. A process publishes
//! its own events to its own subscribers directly, and the cluster does not
//! echo a process's messages back to it, so nobody gets an event twice.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, Id};
use tertulia_db::cluster::{Cluster, Incoming};
use tertulia_db::statuses::StatusRow;
use tokio::sync::{Notify, broadcast, watch};

/// Events kept for a subscriber that has not read them yet. A subscriber
/// further behind than this misses the oldest ones; publishing never waits.
const BACKLOG: usize = 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Event {
    /// A status was posted or boosted.
    Update(StatusEvent),
    /// A status was deleted, or a boost undone.
    Delete(StatusEvent),
    /// A notification was created for `recipient`.
    Notification { recipient: Id, id: Id },
    /// A status was edited.
    StatusUpdate(StatusEvent),
    /// A direct-message thread of `recipient` (their conversation `id`)
    /// has a new status.
    Conversation { recipient: Id, id: Id },
    /// An account's filters changed. Nothing emits it yet: filters are not
    /// built.
    FiltersChanged { account: Id },
    /// An announcement was published or changed: every reader's user stream.
    Announcement { id: Id },
    /// An emoji's reactions to an announcement now number `count`.
    AnnouncementReaction { announcement: Id, name: String, count: i64 },
    /// An announcement was unpublished or deleted.
    AnnouncementDelete { id: Id },
}

/// A status as the event routing needs it: enough to decide which streams
/// it belongs to, without loading it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusEvent {
    pub id: Id,
    pub author: Id,
    #[serde(with = "visibility_name")]
    pub visibility: Visibility,
    /// Written on this site.
    pub local: bool,
    pub reply: bool,
    pub boost: bool,
    /// Lower-cased hashtag names.
    pub tags: Vec<String>,
    /// Accounts whose home timeline holds the status.
    pub home_readers: Vec<i64>,
    /// Accounts the status mentions.
    pub mentioned: Vec<i64>,
}

impl StatusEvent {
    pub(crate) fn new(row: &StatusRow, tags: Vec<String>, home_readers: Vec<AccountId>, mentioned: Vec<i64>) -> Self {
        StatusEvent {
            id: Id(row.id),
            author: Id(row.account_id),
            visibility: row.visibility,
            local: row.local,
            reply: row.in_reply_to_id.is_some(),
            boost: row.reblog_of_id.is_some(),
            tags,
            home_readers: AccountId::raw(&home_readers),
            mentioned,
        }
    }
}

/// The hub. Cloning gives another handle to the same hub.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Arc<Event>>,
    closing: Arc<watch::Sender<bool>>,
    /// Rung after every committed change, so the federation outbox worker
    /// looks for new records at once instead of at its next poll.
    changed: Arc<Notify>,
    /// Rung when a scheduled status is added or moved, so the worker that
    /// publishes them looks again at its next due time.
    scheduled: Arc<Notify>,
    /// The other processes on the same database, if any.
    cluster: Option<Cluster>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            sender: broadcast::channel(BACKLOG).0,
            closing: Arc::new(watch::channel(false).0),
            changed: Arc::new(Notify::new()),
            scheduled: Arc::new(Notify::new()),
            cluster: None,
        }
    }
}

impl Events {
    pub fn new() -> Self {
        Self::default()
    }

    /// A hub that also sends its events to the other processes of `cluster`
    /// and publishes theirs (arriving on `incoming`). Needs a tokio runtime.
    pub fn clustered(cluster: Cluster, incoming: Incoming) -> Self {
        let events = Events { cluster: Some(cluster), ..Self::default() };
        tokio::spawn(relay(events.sender.clone(), incoming));
        events
    }

    /// Starts listening: the subscriber receives events published from now on.
    pub fn subscribe(&self) -> Subscriber {
        Subscriber { events: self.sender.subscribe(), closing: self.closing.subscribe() }
    }

    /// Resolves after the next committed change (or at once if one came
    /// since the last call).
    pub async fn changed(&self) {
        self.changed.notified().await
    }

    /// Tells the scheduled-status worker its next due time may have moved.
    pub(crate) fn schedule_changed(&self) {
        self.scheduled.notify_one();
    }

    /// Resolves after the next [`schedule_changed`](Self::schedule_changed)
    /// (or at once if one came since the last call).
    pub(crate) async fn schedule_change(&self) {
        self.scheduled.notified().await
    }

    /// Announces committed changes. Without subscribers they are dropped.
    pub(crate) fn publish(&self, events: Vec<Event>) {
        self.changed.notify_one();
        if let Some(cluster) = self.cluster.as_ref().filter(|_| !events.is_empty()) {
            match serde_json::to_string(&events) {
                Ok(message) => cluster.send(message),
                Err(error) => tracing::error!(%error, "events not sent to the other processes"),
            }
        }
        for event in events {
            // An error only means nobody is listening right now.
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Tells every subscriber the server is stopping, so long-lived
    /// connections end cleanly instead of holding up the shutdown.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// Publishes the events other processes send, until they stop coming.
async fn relay(sender: broadcast::Sender<Arc<Event>>, mut incoming: Incoming) {
    while let Some(message) = incoming.recv().await {
        match serde_json::from_str::<Vec<Event>>(&message) {
            Ok(events) => {
                for event in events {
                    // An error only means nobody is listening right now.
                    let _ = sender.send(Arc::new(event));
                }
            }
            Err(error) => tracing::error!(%error, "unreadable events from another process dropped"),
        }
    }
}

/// [`Visibility`] as its name, on the wire between processes.
mod visibility_name {
    use serde::{Deserialize, Deserializer, Serializer};
    use tertulia_core::visibility::Visibility;

    pub fn serialize<S: Serializer>(visibility: &Visibility, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(visibility.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Visibility, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One listener's end of the hub.
pub struct Subscriber {
    events: broadcast::Receiver<Arc<Event>>,
    closing: watch::Receiver<bool>,
}

/// What a subscriber gets next.
#[derive(Debug)]
pub enum Received {
    Event(Arc<Event>),
    /// The subscriber fell behind and this many events were skipped.
    Missed(u64),
    /// The hub is closed: the server is stopping.
    Closed,
}

impl Subscriber {
    /// Waits for the next event. Safe to cancel (for example in `select!`).
    pub async fn recv(&mut self) -> Received {
        if *self.closing.borrow() {
            return Received::Closed;
        }
        tokio::select! {
            _ = self.closing.wait_for(|closing| *closing) => Received::Closed,
            received = self.events.recv() => match received {
                Ok(event) => Received::Event(event),
                Err(broadcast::error::RecvError::Lagged(missed)) => Received::Missed(missed),
                Err(broadcast::error::RecvError::Closed) => Received::Closed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters_changed(account: i64) -> Event {
        Event::FiltersChanged { account: Id(account) }
    }

    #[tokio::test]
    async fn subscribers_get_events_in_order_and_the_end_on_close() {
        let events = Events::new();
        let mut subscriber = events.subscribe();
        events.publish(vec![filters_changed(1), filters_changed(2)]);
        for expected in [1, 2] {
            match subscriber.recv().await {
                Received::Event(event) => {
                    assert!(matches!(*event, Event::FiltersChanged { account } if account == Id(expected)))
                }
                other => panic!("expected event {expected}, got {other:?}"),
            }
        }
        events.close();
        assert!(matches!(subscriber.recv().await, Received::Closed));
    }

    #[tokio::test]
    async fn events_from_another_process_reach_subscribers_intact() {
        let (to_relay, incoming) = tokio::sync::mpsc::unbounded_channel();
        let events = Events::new();
        let mut subscriber = events.subscribe();
        tokio::spawn(relay(events.sender.clone(), incoming));
        let update = Event::Update(StatusEvent {
            id: Id(7),
            author: Id(3),
            visibility: Visibility::Local,
            local: true,
            reply: false,
            boost: false,
            tags: vec!["ñu".into()],
            home_readers: vec![3, 4],
            mentioned: vec![],
        });
        to_relay.send(serde_json::to_string(&vec![update, filters_changed(9)]).unwrap()).unwrap();
        match subscriber.recv().await {
            Received::Event(event) => match &*event {
                Event::Update(status) => {
                    assert_eq!(
                        (status.id, status.visibility, status.home_readers.as_slice()),
                        (Id(7), Visibility::Local, &[3, 4][..])
                    );
                    assert_eq!(status.tags, ["ñu"]);
                }
                other => panic!("expected the update, got {other:?}"),
            },
            other => panic!("expected the update, got {other:?}"),
        }
        assert!(
            matches!(subscriber.recv().await, Received::Event(e) if matches!(*e, Event::FiltersChanged { account } if account == Id(9)))
        );
    }

    #[tokio::test]
    async fn a_slow_subscriber_skips_events_without_blocking_the_hub() {
        let events = Events::new();
        let mut subscriber = events.subscribe();
        let total = BACKLOG as i64 + 10;
        events.publish((0..total).map(filters_changed).collect());
        assert!(matches!(subscriber.recv().await, Received::Missed(10)));
        assert!(
            matches!(subscriber.recv().await, Received::Event(e) if matches!(*e, Event::FiltersChanged { account } if account == Id(10)))
        );
    }
}
