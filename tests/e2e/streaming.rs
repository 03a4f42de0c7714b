//! The streaming API: WebSocket and server-sent events, which streams get
//! which events, and that visibility holds on every stream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, http_client, openapi};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest wait for something that must arrive.
const ARRIVAL: Duration = Duration::from_secs(10);
/// How long to watch for something that must not arrive, once a later
/// event has already shown the stream is flowing.
const QUIET: Duration = Duration::from_millis(300);

/// One streaming message: the stream, the event name and the payload
/// (parsed JSON, or the bare id for `delete`).
#[derive(Debug)]
struct Event {
    stream: Vec<String>,
    event: String,
    payload: Value,
}

impl Event {
    fn status_id(&self) -> &str {
        match self.event.as_str() {
            "delete" => self.payload.as_str().unwrap(),
            _ => self.payload["id"].as_str().unwrap(),
        }
    }
}

async fn connect(instance: &TestInstance, query: &str) -> Socket {
    let url = format!("ws://127.0.0.1:{}/api/v1/streaming{query}", instance.port);
    let (socket, _) = timeout(ARRIVAL, tokio_tungstenite::connect_async(url)).await.unwrap().unwrap();
    socket
}

/// Waits until the server has handled everything sent before: it answers
/// pings in order, so a pong means earlier (un)subscribe messages are done.
async fn sync(socket: &mut Socket) {
    socket.send(Message::Ping(b"sync".to_vec().into())).await.unwrap();
    timeout(ARRIVAL, async {
        while let Some(message) = socket.next().await {
            match message.unwrap() {
                Message::Pong(data) if &data[..] == b"sync" => return,
                Message::Text(text) => panic!("unexpected message while syncing: {text}"),
                _ => {}
            }
        }
        panic!("socket closed while syncing");
    })
    .await
    .expect("no pong");
}

async fn subscribe(socket: &mut Socket, message: Value) {
    socket.send(Message::text(message.to_string())).await.unwrap();
    sync(socket).await;
}

/// The next text message, as JSON.
async fn next_json(socket: &mut Socket) -> Value {
    timeout(ARRIVAL, async {
        loop {
            match socket.next().await.expect("socket closed").unwrap() {
                Message::Text(text) => return serde_json::from_str::<Value>(&text).unwrap(),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("no message arrived in time")
}

async fn next_event(socket: &mut Socket) -> Event {
    let message = next_json(socket).await;
    let raw = message["payload"].as_str().unwrap_or_else(|| panic!("no payload: {message}"));
    let event = message["event"].as_str().unwrap().to_owned();
    let payload = match event.as_str() {
        "delete" => Value::String(raw.to_owned()),
        _ => serde_json::from_str(raw).unwrap(),
    };
    Event { stream: serde_json::from_value(message["stream"].clone()).unwrap(), event, payload }
}

/// Every event up to and including the `update` of status `marker`, then
/// checks that nothing else follows for a short while.
async fn events_until(socket: &mut Socket, marker: &str) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let event = next_event(socket).await;
        let done = event.event == "update" && event.status_id() == marker;
        seen.push(event);
        if done {
            break;
        }
    }
    if let Ok(Some(Ok(Message::Text(text)))) = timeout(QUIET, socket.next()).await {
        panic!("unexpected message after the marker: {text}");
    }
    seen
}

fn ids(events: &[Event]) -> Vec<&str> {
    events.iter().map(Event::status_id).collect()
}

#[tokio::test]
async fn a_post_reaches_followers_user_stream_and_the_public_and_hashtag_streams() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    instance.api(&bruno).follow(&ana_id).await;

    let mut user = connect(&instance, &format!("?access_token={bruno}&stream=user")).await;
    let mut public = connect(&instance, "?stream=public").await;
    let mut hashtag = connect(&instance, "/?stream=hashtag&tag=Rust").await;
    let status = instance.api(&ana).post_status("Shipping it #rust", json!({})).await;
    let id = status["id"].as_str().unwrap();

    for (socket, stream) in
        [(&mut user, json!(["user"])), (&mut public, json!(["public"])), (&mut hashtag, json!(["hashtag", "rust"]))]
    {
        let event = next_event(socket).await;
        assert_eq!(event.event, "update");
        assert_eq!(json!(event.stream), stream);
        assert_eq!(event.status_id(), id);
        openapi::assert_matches(&event.payload, "Status");
        assert_eq!(event.payload["account"]["id"], ana_id.as_str());
    }
}

#[tokio::test]
async fn the_token_can_come_as_the_websocket_protocol_and_bad_tokens_get_401() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    instance.api(&bruno).follow(&ana_id).await;

    let url = format!("ws://127.0.0.1:{}/api/v1/streaming?stream=user", instance.port);
    let mut request = url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(&bruno).unwrap());
    let (mut socket, response) = timeout(ARRIVAL, tokio_tungstenite::connect_async(request)).await.unwrap().unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], bruno.as_str());
    let status = instance.api(&ana).post_status("for my followers", json!({"visibility": "private"})).await;
    let event = next_event(&mut socket).await;
    assert_eq!((event.event.as_str(), event.status_id()), ("update", status["id"].as_str().unwrap()));

    for query in ["?access_token=nonsense&stream=public", "?stream=user"] {
        let url = format!("ws://127.0.0.1:{}/api/v1/streaming{query}", instance.port);
        match timeout(ARRIVAL, tokio_tungstenite::connect_async(url)).await.unwrap() {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401, "{query}"),
            other => panic!("expected 401 for {query}, got {other:?}"),
        }
    }
    let mut request = url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("not-a-token"));
    match timeout(ARRIVAL, tokio_tungstenite::connect_async(request)).await.unwrap() {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let response = instance.get("/api/v1/streaming/public?access_token=nonsense").await;
    assert_eq!(response.status(), 401);
    let response = instance.get("/api/v1/streaming/user").await;
    assert_eq!(response.status(), 401, "the user stream needs a token");
}

#[tokio::test]
async fn one_socket_carries_several_streams_and_unsubscribe_stops_one() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let mut socket = connect(&instance, &format!("?access_token={bruno}")).await;
    subscribe(&mut socket, json!({"type": "subscribe", "stream": "hashtag", "tag": "launch"})).await;
    subscribe(&mut socket, json!({"type": "subscribe", "stream": "public"})).await;

    let first = instance.api(&ana).post_status("We are live #launch", json!({})).await;
    let mut streams: Vec<Value> = Vec::new();
    for _ in 0..2 {
        let event = next_event(&mut socket).await;
        assert_eq!(event.status_id(), first["id"].as_str().unwrap());
        streams.push(json!(event.stream));
    }
    streams.sort_by_key(Value::to_string);
    assert_eq!(streams, [json!(["hashtag", "launch"]), json!(["public"])]);

    subscribe(&mut socket, json!({"type": "unsubscribe", "stream": "public"})).await;
    instance.api(&ana).post_status("no tag, public only", json!({})).await;
    let second = instance.api(&ana).post_status("again #launch", json!({})).await;
    let events = events_until(&mut socket, second["id"].as_str().unwrap()).await;
    assert_eq!(events.len(), 1, "only the hashtag stream is left: {events:?}");
    assert_eq!(events[0].stream, ["hashtag", "launch"]);

    socket.send(Message::text(json!({"type": "subscribe", "stream": "nonsense"}).to_string())).await.unwrap();
    let error = next_json(&mut socket).await;
    assert_eq!(error["status"], 400, "{error}");
    assert!(error["error"].as_str().unwrap().contains("nonsense"), "{error}");

    let mut anonymous = connect(&instance, "").await;
    anonymous.send(Message::text(json!({"type": "subscribe", "stream": "user"}).to_string())).await.unwrap();
    let error = next_json(&mut anonymous).await;
    assert_eq!(error["status"], 401, "{error}");
}

#[tokio::test]
async fn favourites_notify_and_deletions_are_announced() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    instance.api(&bruno).follow(&ana_id).await;
    let mut notifications = connect(&instance, &format!("?access_token={ana}&stream=user:notification")).await;
    let mut home = connect(&instance, &format!("?access_token={bruno}&stream=user")).await;

    let status = instance.api(&ana).post_status("like me", json!({})).await;
    let id = status["id"].as_str().unwrap();
    assert_eq!(next_event(&mut home).await.status_id(), id);
    instance.api(&bruno).post(&format!("/api/v1/statuses/{id}/favourite"), json!({})).await.ok();
    let event = next_event(&mut notifications).await;
    assert_eq!(
        (event.event.as_str(), event.stream.as_slice()),
        ("notification", &["user:notification".to_owned()][..])
    );
    openapi::assert_matches(&event.payload, "Notification");
    assert_eq!(event.payload["type"], "favourite");
    assert_eq!(event.payload["status"]["id"], id);
    assert_eq!(event.payload["status"]["favourited"], false, "rendered for ana, who did not favourite it");

    instance.api(&ana).delete(&format!("/api/v1/statuses/{id}")).await.ok();
    let event = next_event(&mut home).await;
    assert_eq!((event.event.as_str(), event.payload.clone()), ("delete", json!(id)));
}

#[tokio::test]
async fn direct_messages_arrive_as_conversations_and_edits_as_status_updates() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    instance.api(&bruno).follow(&ana_id).await;
    let mut direct = connect(&instance, &format!("?access_token={bruno}&stream=direct")).await;
    let mut outsider = connect(&instance, &format!("?access_token={carmen}&stream=direct")).await;
    let mut home = connect(&instance, &format!("?access_token={bruno}&stream=user")).await;

    let secret = instance.api(&ana).post_status("@bruno the launch moved", json!({"visibility": "direct"})).await;
    let event = next_event(&mut direct).await;
    assert_eq!((event.event.as_str(), event.stream.as_slice()), ("conversation", &["direct".to_owned()][..]));
    openapi::assert_matches(&event.payload, "Conversation");
    assert_eq!((event.payload["unread"].as_bool(), &event.payload["last_status"]["id"]), (Some(true), &secret["id"]));
    // Carmen's first event is her own thread: ana's message to bruno never reached her.
    let hers = instance.api(&ana).post_status("@carmen lunch?", json!({"visibility": "direct"})).await;
    assert_eq!(next_event(&mut outsider).await.payload["last_status"]["id"], hers["id"]);

    let post = instance.api(&ana).post_status("Draft", json!({})).await;
    let id = post["id"].as_str().unwrap();
    instance.api(&ana).put(&format!("/api/v1/statuses/{id}"), json!({"status": "Final"})).await.ok();
    let edited = loop {
        let event = next_event(&mut home).await;
        if event.event == "status.update" {
            break event;
        }
    };
    openapi::assert_matches(&edited.payload, "Status");
    assert_eq!(edited.payload["id"], id);
    assert!(edited.payload["content"].as_str().unwrap().contains("Final"));
}

#[tokio::test]
async fn private_and_site_only_posts_stay_out_of_streams_that_may_not_see_them() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    instance.api(&bruno).follow(&ana_id).await;

    let mut follower = connect(&instance, &format!("?access_token={bruno}&stream=user")).await;
    // Carmen does not follow ana: user and public on one socket, so the
    // public marker proves her user stream had its chance.
    let mut stranger = connect(&instance, &format!("?access_token={carmen}&stream=user")).await;
    subscribe(&mut stranger, json!({"type": "subscribe", "stream": "public"})).await;
    let mut anonymous = connect(&instance, "?stream=public").await;

    let api = instance.api(&ana);
    let private = api.post_status("followers only", json!({"visibility": "private"})).await;
    let site_only = api.post_status("staff only", json!({"visibility": "local"})).await;
    let marker = api.post_status("everyone", json!({})).await;
    let (private, site_only, marker) =
        (private["id"].as_str().unwrap(), site_only["id"].as_str().unwrap(), marker["id"].as_str().unwrap());

    let seen = events_until(&mut follower, marker).await;
    assert_eq!(ids(&seen), [private, site_only, marker], "the follower gets all three");
    let seen = events_until(&mut stranger, marker).await;
    assert_eq!(ids(&seen), [site_only, marker], "a stranger never gets the private post: {seen:?}");
    assert!(seen.iter().all(|e| e.stream == ["public"]), "nothing on carmen's user stream: {seen:?}");
    let seen = events_until(&mut anonymous, marker).await;
    assert_eq!(ids(&seen), [marker], "anonymous readers get neither: {seen:?}");
}

#[tokio::test]
async fn server_sent_events_deliver_updates_and_the_health_probe_answers() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let health = instance.get("/api/v1/streaming/health").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "OK");

    // The instance's client gives up after 30 s; a stream needs no limit,
    // every wait below is bounded instead.
    let client = http_client().build().unwrap();
    let mut response =
        timeout(ARRIVAL, client.get(instance.url("/api/v1/streaming/public")).send()).await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let status = instance.api(&ana).post_status("streamed #sse", json!({})).await;
    let id = status["id"].as_str().unwrap();

    let mut received = String::new();
    let data = timeout(ARRIVAL, async {
        loop {
            let chunk = response.chunk().await.unwrap().expect("stream ended");
            received.push_str(std::str::from_utf8(&chunk).unwrap());
            if let Some(start) = received.find("event: update\ndata: ") {
                let rest = &received[start + "event: update\ndata: ".len()..];
                if let Some(end) = rest.find("\n\n") {
                    return rest[..end].to_owned();
                }
            }
        }
    })
    .await
    .expect("no update arrived");
    let payload: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(payload["id"], id);
    openapi::assert_matches(&payload, "Status");
}

#[tokio::test]
async fn stopping_the_server_closes_open_streams_at_once() {
    let mut instance = support::start().await;
    let mut socket = connect(&instance, "?stream=public").await;
    let client = http_client().build().unwrap();
    let mut sse = timeout(ARRIVAL, client.get(instance.url("/api/v1/streaming/public")).send()).await.unwrap().unwrap();
    assert_eq!(sse.chunk().await.unwrap().as_deref(), Some(&b":)\n\n"[..]), "the greeting comes first");

    // Well under the 4 s grace period: the streams must not hold it up.
    let status = instance.stop_with("TERM", Duration::from_secs(3)).await;
    assert!(status.success(), "exit status {status}:\n{}", instance.logs());
    let closing = timeout(ARRIVAL, socket.next()).await.unwrap();
    assert!(
        matches!(closing, Some(Ok(Message::Close(Some(ref frame)))) if frame.code == tungstenite::protocol::frame::coding::CloseCode::Away),
        "{closing:?}"
    );
    let end = timeout(ARRIVAL, sse.chunk()).await.unwrap();
    assert!(matches!(end, Ok(None) | Err(_)), "the event stream ends: {end:?}");
}

#[tokio::test]
async fn the_list_stream_carries_what_the_list_timeline_shows() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    instance.api(&ana).follow(&bruno_id).await;
    let list = instance.api(&ana).post("/api/v1/lists", json!({"title": "Leads", "replies_policy": "list"})).await.ok();
    let list_id = list["id"].as_str().unwrap();
    let members = format!("/api/v1/lists/{list_id}/accounts");
    instance.api(&ana).post_form(&members, &[("account_ids[]", &bruno_id)]).await.ok();

    let mut socket = connect(&instance, &format!("?access_token={ana}")).await;
    subscribe(&mut socket, json!({"type": "subscribe", "stream": "list", "list": list_id})).await;
    let mut strangers = connect(&instance, &format!("?access_token={carmen}")).await;
    subscribe(&mut strangers, json!({"type": "subscribe", "stream": "list", "list": list_id})).await;

    instance.api(&carmen).post_status("not on the list", json!({})).await;
    let carmens = instance.api(&carmen).post_status("a question", json!({})).await;
    // A reply to someone outside the list: the "list" replies policy
    // leaves it out of the timeline, so out of the stream too.
    instance.api(&bruno).post_status("an answer", json!({"in_reply_to_id": carmens["id"]})).await;
    let shown = instance.api(&bruno).post_status("for the leads", json!({"visibility": "private"})).await;
    let marker = instance.api(&bruno).post_status("and the marker", json!({})).await;
    let marker_id = marker["id"].as_str().unwrap();

    let events = events_until(&mut socket, marker_id).await;
    assert_eq!(ids(&events), [shown["id"].as_str().unwrap(), marker_id]);
    assert_eq!(json!(events[0].stream), json!(["list", list_id]));
    openapi::assert_matches(&events[0].payload, "Status");
    let timeline = instance.api(&ana).ids(&format!("/api/v1/timelines/list/{list_id}")).await;
    assert_eq!(timeline, ids(&events).into_iter().rev().map(str::to_owned).collect::<Vec<_>>(), "stream = timeline");

    instance.api(&bruno).delete(&format!("/api/v1/statuses/{}", shown["id"].as_str().unwrap())).await.ok();
    let deleted = next_event(&mut socket).await;
    assert_eq!((deleted.event.as_str(), deleted.status_id()), ("delete", shown["id"].as_str().unwrap()));

    // Someone else's list is not theirs to hear: the marker of their own
    // public post arrives on the public stream, nothing on the list.
    subscribe(&mut strangers, json!({"type": "subscribe", "stream": "public"})).await;
    let own = instance.api(&carmen).post_status("mine", json!({})).await;
    let heard = events_until(&mut strangers, own["id"].as_str().unwrap()).await;
    assert!(heard.iter().all(|e| e.stream[0] != "list"), "{heard:?}");
}

#[tokio::test]
async fn mutes_and_filters_apply_on_streams_as_on_the_timelines_they_mirror() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let (carmen, carmen_id) = instance.sign_up_with_id("carmen").await;
    let api = instance.api(&ana);
    api.follow(&bruno_id).await;
    api.follow(&carmen_id).await;
    let list = api.post("/api/v1/lists", json!({"title": "Team", "replies_policy": "list"})).await.ok();
    let list_id = list["id"].as_str().unwrap();
    let members = format!("/api/v1/lists/{list_id}/accounts");
    api.post_form(&members, &[("account_ids[]", &bruno_id), ("account_ids[]", &carmen_id)]).await.ok();
    api.post(&format!("/api/v1/accounts/{carmen_id}/mute"), json!({})).await.ok();
    let warn = json!({"title": "Launch", "context": ["home"], "filter_action": "warn",
        "keywords_attributes": [{"keyword": "launch"}]});
    api.post("/api/v2/filters", warn).await.ok();
    let hide = json!({"title": "Noise", "context": ["home"], "filter_action": "hide",
        "keywords_attributes": [{"keyword": "lunch menu"}]});
    api.post("/api/v2/filters", hide).await.ok();

    let mut home = connect(&instance, &format!("?access_token={ana}&stream=user")).await;
    let mut listed = connect(&instance, &format!("?access_token={ana}")).await;
    subscribe(&mut listed, json!({"type": "subscribe", "stream": "list", "list": list_id})).await;
    let mut public = connect(&instance, &format!("?access_token={ana}&stream=public")).await;
    let muted = instance.api(&carmen).post_status("muted chatter", json!({})).await;
    let lunch = instance.api(&bruno).post_status("Today's lunch menu: soup", json!({})).await;
    let launch = instance.api(&bruno).post_status("The launch is on Friday", json!({})).await;
    let marker = instance.api(&bruno).post_status("marker", json!({})).await;
    let (launch_id, marker_id) = (launch["id"].as_str().unwrap(), marker["id"].as_str().unwrap());

    for socket in [&mut home, &mut listed] {
        let events = events_until(socket, marker_id).await;
        assert_eq!(ids(&events), [launch_id, marker_id], "muted and hidden statuses stay out");
        assert_eq!(events[0].payload["filtered"][0]["filter"]["title"], "Launch");
        assert_eq!(events[1].payload["filtered"], json!([]));
    }
    // The public stream mirrors the public timeline: home filters do not
    // apply there, the mute does.
    let events = events_until(&mut public, marker_id).await;
    assert_eq!(ids(&events), [lunch["id"].as_str().unwrap(), launch_id, marker_id]);
    assert_eq!(events[1].payload["filtered"], json!([]));

    let muted_id = muted["id"].as_str().unwrap().to_owned();
    for timeline in ["/api/v1/timelines/home".to_owned(), format!("/api/v1/timelines/list/{list_id}")] {
        let shown = api.ids(&timeline).await;
        assert!(!shown.contains(&muted_id), "{timeline} shows a muted account");
        assert_eq!(shown.first().map(String::as_str), Some(marker_id), "{timeline}");
    }
}

#[tokio::test]
async fn viewers_who_stand_alike_share_a_render_and_the_others_keep_their_own() {
    let instance = support::start().await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let (marta, marta_id) = instance.sign_up_with_id("marta").await;
    let original = instance.api(&carmen).post_status("the original", json!({})).await;
    let original_id = original["id"].as_str().unwrap();
    let mut viewers = Vec::new();
    for name in ["dora", "eva", "ana", "fabio", "gil", "hugo"] {
        let viewer = instance.sign_up(name).await;
        instance.api(&viewer).follow(&bruno_id).await;
        instance.api(&viewer).follow(&marta_id).await;
        viewers.push(viewer);
    }
    let [dora, eva, muter, hider, blocker, faver] = viewers.try_into().unwrap();
    instance.api(&muter).post(&format!("/api/v1/accounts/{bruno_id}/mute"), json!({})).await.ok();
    instance.api(&blocker).post(&format!("/api/v1/accounts/{bruno_id}/block"), json!({})).await.ok();
    let hide = json!({"title": "Secrets", "context": ["home"], "filter_action": "hide",
        "keywords_attributes": [{"keyword": "secret"}]});
    instance.api(&hider).post("/api/v2/filters", hide).await.ok();
    instance.api(&faver).post(&format!("/api/v1/statuses/{original_id}/favourite"), json!({})).await.ok();

    let mut sockets = Vec::new();
    for token in [&dora, &eva, &muter, &hider, &blocker, &faver] {
        sockets.push(connect(&instance, &format!("?access_token={token}&stream=user")).await);
    }
    let secret = instance.api(&bruno).post_status("a secret plan", json!({})).await;
    let boost = instance.api(&bruno).post(&format!("/api/v1/statuses/{original_id}/reblog"), json!({})).await.ok();
    let marker = instance.api(&marta).post_status("marker", json!({})).await;
    let (secret_id, boost_id) = (secret["id"].as_str().unwrap(), boost["id"].as_str().unwrap());
    let marker_id = marker["id"].as_str().unwrap();

    let [dora, eva, muter, hider, blocker, faver] = sockets.try_into().unwrap();
    for (mut socket, favourited) in [(dora, false), (eva, false), (faver, true)] {
        let events = events_until(&mut socket, marker_id).await;
        assert_eq!(ids(&events), [secret_id, boost_id, marker_id]);
        assert_eq!(events[1].payload["reblog"]["favourited"], favourited);
    }
    for mut socket in [muter, blocker] {
        assert_eq!(ids(&events_until(&mut socket, marker_id).await), [marker_id], "the author is muted or blocked");
    }
    let mut hider = hider;
    assert_eq!(ids(&events_until(&mut hider, marker_id).await), [boost_id, marker_id], "the filter hides the post");
}
