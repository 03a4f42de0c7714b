//! One connection's view of the event hub: the streams it listens to, and
//! each event rendered for the person watching. Shared by the WebSocket and
//! the server-sent events endpoints.

use tertulia_domain::events::{Event, Received, Subscriber};
use tertulia_domain::{DomainError, conversations, notifications, statuses};

use super::channel::Channel;
use super::slots::Slot;
use crate::auth::Auth;
use crate::entities::{Conversation, Notification, Status};
use crate::{ApiError, AppState};

/// Most streams one connection may listen to at once.
const MAX_CHANNELS: usize = 32;

/// One event for one stream, ready to send.
#[derive(Debug, serde::Serialize)]
pub struct Message {
    pub stream: Vec<String>,
    pub event: &'static str,
    /// A JSON document as a string, or a bare id for `delete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

/// What came out of the hub, after routing and rendering.
pub enum Next {
    /// Possibly empty: most events concern other people.
    Messages(Vec<Message>),
    /// The server is stopping.
    Closed,
}

pub struct Feed {
    state: AppState,
    auth: Auth,
    viewer: Option<i64>,
    subscriber: Subscriber,
    channels: Vec<Channel>,
    lag_reported: bool,
    /// Held while the connection is open: the cap counts it.
    _slot: Slot,
}

impl Feed {
    /// Starts listening at once, so nothing published after the handshake
    /// is missed.
    pub fn new(state: AppState, auth: Auth, slot: Slot) -> Feed {
        let viewer = auth.0.as_ref().and_then(|s| s.user.as_ref()).map(|u| u.account.id.0);
        let subscriber = state.events.subscribe();
        Feed { state, auth, viewer, subscriber, channels: Vec::new(), lag_reported: false, _slot: slot }
    }

    /// Adds a stream, if the caller may listen to it.
    pub fn subscribe(&mut self, channel: Channel) -> Result<(), ApiError> {
        channel.check_access(&self.auth)?;
        if self.channels.contains(&channel) {
            return Ok(());
        }
        if self.channels.len() >= MAX_CHANNELS {
            return Err(ApiError::BadRequest(format!("at most {MAX_CHANNELS} streams per connection")));
        }
        self.channels.push(channel);
        Ok(())
    }

    pub fn unsubscribe(&mut self, channel: &Channel) {
        self.channels.retain(|c| c != channel);
    }

    /// Waits for the next event from the hub. Safe to cancel.
    pub async fn recv(&mut self) -> Received {
        self.subscriber.recv().await
    }

    /// Routes and renders what [`recv`](Self::recv) returned.
    pub async fn handle(&mut self, received: Received) -> Next {
        let event = match received {
            Received::Event(event) => event,
            Received::Closed => return Next::Closed,
            Received::Missed(missed) => {
                if !self.lag_reported {
                    self.lag_reported = true;
                    tracing::warn!(missed, "a streaming client reads too slowly; skipping events it missed");
                }
                return Next::Messages(Vec::new());
            }
        };
        let wanted: Vec<&Channel> = self.channels.iter().filter(|c| c.carries(&event, self.viewer)).collect();
        if wanted.is_empty() {
            return Next::Messages(Vec::new());
        }
        let Some((name, payload)) = self.render(&event).await else {
            return Next::Messages(Vec::new());
        };
        Next::Messages(
            wanted.into_iter().map(|c| Message { stream: c.names(), event: name, payload: payload.clone() }).collect(),
        )
    }

    /// The event's name and payload as this viewer sees it; `None` when
    /// they may not see it (the visibility rules run again here).
    async fn render(&self, event: &Event) -> Option<(&'static str, Option<String>)> {
        let (db, config) = (&self.state.db, &self.state.config);
        let (name, rendered) = match event {
            Event::Update(status) => (
                "update",
                statuses::get(db, self.viewer, status.id).await.map(|view| json(&Status::from_view(&view, config))),
            ),
            Event::StatusUpdate(status) => (
                "status.update",
                statuses::get(db, self.viewer, status.id).await.map(|view| json(&Status::from_view(&view, config))),
            ),
            Event::Notification { recipient, id } => (
                "notification",
                notifications::get(db, *recipient, *id).await.map(|view| json(&Notification::from_view(&view, config))),
            ),
            Event::Conversation { recipient, id } => (
                "conversation",
                conversations::get(db, *recipient, *id).await.map(|view| json(&Conversation::from_view(&view, config))),
            ),
            Event::Delete(status) => return Some(("delete", Some(status.id.to_string()))),
            Event::FiltersChanged { .. } => return Some(("filters_changed", None)),
        };
        match rendered {
            Ok(payload) => Some((name, Some(payload))),
            // Not visible to this viewer, or already gone again.
            Err(DomainError::NotFound(_)) => None,
            Err(e) => {
                tracing::warn!(error = %e, event = name, "cannot load a streaming event");
                None
            }
        }
    }
}

/// Entities always serialize; `null` would only hide a bug, never crash.
fn json(entity: &impl serde::Serialize) -> String {
    serde_json::to_string(entity).unwrap_or_else(|_| "null".into())
}
