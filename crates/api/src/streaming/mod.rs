//! `/api/v1/streaming`: live events over a WebSocket (several streams on
//! one socket) or as server-sent events (one stream per request), as
//! docs.joinmastodon.org/methods/streaming describes.
//!
//! Each connection subscribes to the domain's event hub and presents every
//! event it routes for the person watching through the read pipeline
//! ([`feed`]), once per viewer situation however many connections share
//! it ([`renders`]). A slow reader never
//! holds up the hub: it misses the events it fell behind on. When the
//! server stops, the hub closes and every connection ends cleanly.

mod channel;
mod feed;
mod renders;
mod slots;

use std::convert::Infallible;
use std::time::Duration;

use actix_web::http::header::SEC_WEBSOCKET_PROTOCOL;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use serde::Deserialize;
use tertulia_domain::oauth;
use tokio::time::{Instant, Interval, interval_at};

use self::channel::Channel;
use self::feed::{Feed, Message, Next};
pub use self::renders::StreamingRenders;
pub use self::slots::StreamingSlots;
use crate::auth::{Auth, bearer_token};
use crate::forms::Query;
use crate::{ApiError, AppState, HandlerFuture};

/// How often a quiet connection is pinged, so proxies keep it open and dead
/// peers are noticed.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// Largest message a client may send (subscribe and unsubscribe are tiny).
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

#[derive(Debug, Default, Deserialize)]
pub struct StreamParams {
    access_token: Option<String>,
    stream: Option<String>,
    tag: Option<String>,
    list: Option<String>,
    /// `true` or `1` on `/public`, `/public/local`, `/public/remote`: the
    /// `:media` form of the stream (Mastodon's SSE paths).
    only_media: Option<String>,
}

/// A subscribe or unsubscribe message from a WebSocket client.
#[derive(Debug, Deserialize)]
struct Command {
    #[serde(rename = "type")]
    kind: String,
    stream: String,
    tag: Option<String>,
    list: Option<String>,
}

/// `GET /api/v1/streaming/health`, which clients probe before connecting.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("OK")
}

/// The caller, from `Authorization: Bearer`, the `access_token` parameter
/// or the `Sec-WebSocket-Protocol` header (browsers cannot set headers on
/// a WebSocket, so web clients send the token as the protocol). A token
/// that is sent but not valid is refused before anything else happens.
async fn authenticate(state: &AppState, request: &HttpRequest, params: &StreamParams) -> Result<Auth, ApiError> {
    let token = bearer_token(request)
        .or_else(|| params.access_token.clone().filter(|t| !t.is_empty()))
        .or_else(|| offered_protocol(request));
    let Some(token) = token else {
        return Ok(Auth(None));
    };
    match oauth::authenticate(&state.ctx.db, &token).await? {
        Some(session) => Ok(Auth(Some(session))),
        None => Err(ApiError::Unauthorized("The access token is invalid".into())),
    }
}

/// The first protocol the client offered in `Sec-WebSocket-Protocol`.
fn offered_protocol(request: &HttpRequest) -> Option<String> {
    let header = request.headers().get(SEC_WEBSOCKET_PROTOCOL)?.to_str().ok()?;
    header.split(',').map(str::trim).find(|p| !p.is_empty()).map(str::to_owned)
}

/// A feed listening to the stream named in the URL, if any; refused
/// before anything else when the connection caps are reached.
async fn open_feed(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    params: &StreamParams,
    stream: Option<&str>,
) -> Result<Feed, ApiError> {
    let slot = state.streaming_slots.take(state.proxies.client_of(request))?;
    let auth = authenticate(state, request, params).await?;
    let mut feed = Feed::new(state.get_ref().clone(), auth, slot);
    if let Some(name) = stream {
        let only_media = matches!(params.only_media.as_deref(), Some("true" | "1"));
        let name = match name {
            "public" | "public:local" | "public:remote" if only_media => format!("{name}:media"),
            _ => name.to_owned(),
        };
        feed.subscribe(Channel::parse(&name, params.tag.as_deref(), params.list.as_deref())?)?;
    }
    Ok(feed)
}

fn heartbeat() -> Interval {
    interval_at(Instant::now() + HEARTBEAT, HEARTBEAT)
}

/// `GET /api/v1/streaming`: the WebSocket.
pub async fn websocket(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Payload,
    Query(params): Query<StreamParams>,
) -> Result<HttpResponse, ApiError> {
    let feed = open_feed(&state, &request, &params, params.stream.as_deref()).await?;
    // Echo the protocol the client offered, or Chrome drops the connection.
    let protocol = offered_protocol(&request);
    let protocols: Vec<&str> = protocol.iter().map(String::as_str).collect();
    let (response, session, incoming) = actix_ws::handle_with_protocols(&request, body, &protocols)
        .map_err(|e| ApiError::BadRequest(format!("expected a WebSocket upgrade: {e}")))?;
    let incoming =
        incoming.max_frame_size(MAX_CLIENT_MESSAGE).aggregate_continuations().max_continuation_size(MAX_CLIENT_MESSAGE);
    actix_web::rt::spawn(run_socket(feed, session, incoming));
    Ok(response)
}

/// Serves one socket until either side closes it or the server stops.
async fn run_socket(mut feed: Feed, mut session: Session, mut incoming: actix_ws::AggregatedMessageStream) {
    let mut ping = heartbeat();
    let close = loop {
        tokio::select! {
            received = feed.recv() => match feed.handle(received).await {
                Next::Messages(messages) => {
                    if send_all(&mut session, messages).await.is_err() {
                        return;
                    }
                }
                Next::Closed => {
                    break Some(CloseReason { code: CloseCode::Away, description: Some("server stopping".into()) });
                }
            },
            _ = ping.tick() => {
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
            message = incoming.recv() => match message {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    if let Some(error) = command(&mut feed, &text) && session.text(error).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Ping(data))) => {
                    if session.pong(&data).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Close(_))) | None => break None,
                Some(Ok(AggregatedMessage::Binary(_) | AggregatedMessage::Pong(_))) => {}
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "streaming client sent a bad frame");
                    break Some(CloseReason { code: CloseCode::Protocol, description: None });
                }
            },
        }
    };
    let _ = session.close(close).await;
}

async fn send_all(session: &mut Session, messages: Vec<Message>) -> Result<(), actix_ws::Closed> {
    for message in messages {
        session.text(serde_json::to_string(&message).unwrap_or_default()).await?;
    }
    Ok(())
}

/// Applies a subscribe or unsubscribe message; returns the error to send
/// back, in Mastodon's form (`{"error": "...", "status": 400}`).
fn command(feed: &mut Feed, text: &str) -> Option<String> {
    let outcome = serde_json::from_str::<Command>(text)
        .map_err(|e| ApiError::BadRequest(format!("expected {{\"type\": \"subscribe\", \"stream\": …}}: {e}")))
        .and_then(|command| {
            let channel = Channel::parse(&command.stream, command.tag.as_deref(), command.list.as_deref())?;
            match command.kind.as_str() {
                "subscribe" => feed.subscribe(channel),
                "unsubscribe" => {
                    feed.unsubscribe(&channel);
                    Ok(())
                }
                other => Err(ApiError::BadRequest(format!("unknown message type '{other}'"))),
            }
        });
    let error = outcome.err()?;
    Some(serde_json::json!({ "error": error.to_string(), "status": error.status_code().as_u16() }).to_string())
}

/// Builds the server-sent events handler for one stream, so the route table
/// reads `streaming::events("public:local")`.
pub fn events(
    stream: &'static str,
) -> impl Fn(web::Data<AppState>, HttpRequest, Query<StreamParams>) -> HandlerFuture + Clone + 'static {
    move |state, request, Query(params)| {
        Box::pin(async move {
            let feed = open_feed(&state, &request, &params, Some(stream)).await?;
            Ok(HttpResponse::Ok()
                .content_type("text/event-stream")
                .insert_header(("Cache-Control", "no-cache"))
                // Tells nginx not to buffer the stream.
                .insert_header(("X-Accel-Buffering", "no"))
                .streaming(sse_body(feed)))
        })
    }
}

/// The event stream: a greeting comment, then events, with a `:thump`
/// comment when quiet. Pulled by actix one chunk at a time, so a slow
/// reader holds at most one chunk here and misses hub events instead.
fn sse_body(feed: Feed) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> {
    let greeting = futures_util::stream::once(async { Ok(Bytes::from_static(b":)\n\n")) });
    let events = futures_util::stream::unfold((feed, heartbeat()), |(mut feed, mut thump)| async move {
        loop {
            let received = tokio::select! {
                received = feed.recv() => received,
                _ = thump.tick() => return Some((Ok(Bytes::from_static(b":thump\n\n")), (feed, thump))),
            };
            match feed.handle(received).await {
                Next::Messages(messages) if messages.is_empty() => continue,
                Next::Messages(messages) => {
                    let text: String = messages.iter().map(sse_event).collect();
                    return Some((Ok(Bytes::from(text)), (feed, thump)));
                }
                Next::Closed => return None,
            }
        }
    });
    futures_util::StreamExt::chain(greeting, events)
}

fn sse_event(message: &Message) -> String {
    format!("event: {}\ndata: {}\n\n", message.event, message.payload.as_deref().unwrap_or_default())
}
