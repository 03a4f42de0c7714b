//! One connection's view of the event hub: the streams it listens to, and
//! each event rendered for the person watching. Shared by the WebSocket and
//! the server-sent events endpoints.

use std::sync::Arc;

use tertulia_domain::events::{Event, Received, Subscriber};
use tertulia_domain::present::{self, Reading};
use tertulia_domain::statuses::StatusView;
use tertulia_domain::{DomainError, announcements, conversations, lists, notifications, statuses};

use super::channel::Channel;
use super::renders::{Listening, Watcher};
use super::slots::Slot;
use crate::auth::Auth;
use crate::entities::{Announcement, Conversation, Notification, Status};
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
    /// Held while the connection is open: shared renders consider the viewer.
    _listening: Option<Listening>,
}

impl Feed {
    /// Starts listening at once, so nothing published after the handshake
    /// is missed.
    pub fn new(state: AppState, auth: Auth, slot: Slot) -> Feed {
        let viewer = auth.0.as_ref().and_then(|s| s.user.as_ref()).map(|u| u.account.id.0);
        let subscriber = state.ctx.events.subscribe();
        let _listening = viewer.map(|viewer| state.streaming_renders.listen(viewer));
        Feed { state, auth, viewer, subscriber, channels: Vec::new(), lag_reported: false, _slot: slot, _listening }
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
        let routed: Vec<Channel> = self.channels.iter().filter(|c| c.carries(&event, self.viewer)).cloned().collect();
        let mut wanted = Vec::new();
        for channel in routed {
            if self.list_shows(&channel, &event).await {
                wanted.push(channel);
            }
        }
        let mut messages = Vec::new();
        // Home and public streams may see an event differently (mutes and
        // filters apply per context): one render per reading among them.
        let mut renders: Vec<(Reading, Option<Rendered>)> = Vec::new();
        for channel in wanted {
            let reading = channel.reading();
            let rendered = match renders.iter().find(|(r, _)| *r == reading) {
                Some((_, rendered)) => rendered.clone(),
                None => {
                    let rendered = self.render(&event, reading).await;
                    renders.push((reading, rendered.clone()));
                    rendered
                }
            };
            let Some(rendered) = rendered else { continue };
            if rendered.has_media || !matches!(channel, Channel::PublicMedia(_)) {
                messages.push(Message { stream: channel.names(), event: rendered.name, payload: rendered.payload });
            }
        }
        Next::Messages(messages)
    }

    /// For a `list` stream, whether the list timeline shows the status
    /// (asked of the list's own rule); true for every other stream.
    async fn list_shows(&self, channel: &Channel, event: &Event) -> bool {
        let (Channel::List(list), Some(viewer)) = (channel, self.viewer) else { return true };
        let Ok(list) = list.parse::<i64>() else { return false };
        let (owner, list) = (tertulia_core::Id(viewer), tertulia_core::Id(list));
        let shown = match event {
            Event::Update(status) | Event::StatusUpdate(status) => {
                lists::shows(&self.state.ctx.db, owner, list, status.id).await
            }
            Event::Delete(status) => lists::includes(&self.state.ctx.db, owner, list, status.author).await,
            _ => return false,
        };
        shown.unwrap_or_else(|e| {
            if !matches!(e, DomainError::NotFound(_)) {
                tracing::warn!(error = %e, "cannot check a list for its stream");
            }
            false
        })
    }

    /// The event's name and payload as this viewer sees it read as
    /// `reading`; `None` when they may not see it. Rendered once for every
    /// connection in the same situation ([`StreamingRenders`](super::renders::StreamingRenders)).
    async fn render(&self, event: &Arc<Event>, reading: Reading) -> Option<Rendered> {
        let watcher = self.watcher(event).await;
        let shared = self.state.streaming_renders.slot(event, (watcher, reading));
        shared.get_or_init(|| self.render_now(event, reading)).await.clone()
    }

    /// Who this viewer is for `event`'s render: for a status, alike with
    /// every listener who stands to it as they do (asked once per event
    /// for all listeners); their own for anything else, or when the query
    /// fails.
    async fn watcher(&self, event: &Arc<Event>) -> Watcher {
        let Some(viewer) = self.viewer else { return Watcher::Anonymous };
        let (Event::Update(status) | Event::StatusUpdate(status)) = event.as_ref() else {
            return Watcher::Viewer(viewer);
        };
        let renders = &self.state.streaming_renders;
        let standings = renders.standings(event);
        let standings = standings
            .get_or_init(|| async {
                let found = statuses::viewer_standings(&self.state.ctx.db, status.id, renders.listeners()).await;
                let found = found.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot group streaming viewers; rendering for each");
                    Vec::new()
                });
                found.into_iter().map(|standing| (standing.viewer, standing)).collect()
            })
            .await;
        Watcher::of(viewer, standings)
    }

    /// The read pipeline run for this viewer ([`present`]): visibility,
    /// blocks, mutes and filters as on the timeline the stream mirrors.
    async fn render_now(&self, event: &Event, reading: Reading) -> Option<Rendered> {
        let (db, config) = (&self.state.ctx.db, &self.state.ctx.config);
        let mut has_media = false;
        let mut status_json = |view: StatusView| {
            let shown = view.reblog.as_deref().unwrap_or(&view);
            has_media = !shown.media.is_empty();
            json(&Status::from_view(&view, config))
        };
        let (name, rendered) = match event {
            Event::Update(status) => {
                ("update", present::status(db, self.viewer, status.id.0, reading).await.map(&mut status_json))
            }
            Event::StatusUpdate(status) => {
                ("status.update", present::status(db, self.viewer, status.id.0, reading).await.map(&mut status_json))
            }
            Event::Notification { recipient, id } => (
                "notification",
                notifications::get(db, *recipient, *id).await.map(|view| json(&Notification::from_view(&view, config))),
            ),
            Event::Conversation { recipient, id } => (
                "conversation",
                conversations::get(db, *recipient, *id).await.map(|view| json(&Conversation::from_view(&view, config))),
            ),
            Event::Delete(status) => {
                return Some(Rendered { name: "delete", payload: Some(status.id.to_string()), has_media: true });
            }
            Event::FiltersChanged { .. } => {
                return Some(Rendered { name: "filters_changed", payload: None, has_media: false });
            }
            Event::Announcement { id } => (
                "announcement",
                announcements::shown_to(db, tertulia_core::Id(self.viewer?), *id)
                    .await
                    .map(|view| json(&Announcement::from_view(&view, config))),
            ),
            Event::AnnouncementReaction { announcement, name, count } => {
                let payload = serde_json::json!({"name": name, "count": count, "announcement_id": announcement});
                return Some(Rendered {
                    name: "announcement.reaction",
                    payload: Some(payload.to_string()),
                    has_media: false,
                });
            }
            Event::AnnouncementDelete { id } => {
                return Some(Rendered { name: "announcement.delete", payload: Some(id.to_string()), has_media: false });
            }
        };
        match rendered {
            Ok(payload) => Some(Rendered { name, payload: Some(payload), has_media }),
            // Not visible to this viewer, or already gone again.
            Err(DomainError::NotFound(_)) => None,
            Err(e) => {
                tracing::warn!(error = %e, event = name, "cannot load a streaming event");
                None
            }
        }
    }
}

/// An event rendered for one viewer situation.
#[derive(Debug, Clone)]
pub struct Rendered {
    name: &'static str,
    payload: Option<String>,
    /// Whether the status has attachments (the `public:media` streams
    /// carry only those; deletes go to them all, as the id alone tells
    /// nothing).
    has_media: bool,
}

/// Entities always serialize; `null` would only hide a bug, never crash.
fn json(entity: &impl serde::Serialize) -> String {
    serde_json::to_string(entity).unwrap_or_else(|_| "null".into())
}
