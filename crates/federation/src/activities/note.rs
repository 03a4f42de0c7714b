//! A local post as a `Note` (a `Question` when it has a poll), rendered
//! from the domain's [`SharedStatus`] (the view the Mastodon API renders,
//! with the URIs it links to), so rendering queries nothing.
//! Shapes after Mastodon's (https://docs.joinmastodon.org/spec/activitypub/#Note),
//! polls as Mastodon's `Question` (`oneOf`/`anyOf`, `votersCount`), quotes
//! after FEP-044f (https://w3id.org/fep/044f) with GoToSocial's
//! `interactionPolicy.canQuote` (https://docs.gotosocial.org/en/latest/federation/interaction_policy/),
//! events as ActivityStreams `Event`s (`name`, `startTime`, `endTime`,
//! a `Place` as `location`), the shape Mobilizon and Friendica exchange,
//! with the answer totals: those going as Mobilizon's `participantCount`
//! (https://docs.joinmobilizon.org/contribute/activity_pub/), the maybes
//! and the declines as our own `maybeCount` and `notGoingCount`
//! (docs/communities.md).

use std::collections::BTreeMap;

use serde::Serialize;
use tertulia_core::Config;
use tertulia_domain::media::MediaView;
use tertulia_domain::polls::PollView;
use tertulia_domain::quotes::QuotePolicy;
use tertulia_domain::statuses::shared::SharedStatus;

use crate::protocol::{PUBLIC, addressing, timestamp};
use crate::urls::Urls;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Note {
    pub(crate) id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub(crate) attributed_to: String,
    url: String,
    pub(crate) published: String,
    pub(crate) to: Vec<String>,
    pub(crate) cc: Vec<String>,
    in_reply_to: Option<String>,
    sensitive: bool,
    summary: Option<String>,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_map: Option<BTreeMap<String, String>>,
    tag: Vec<Tag>,
    attachment: Vec<Attachment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    /// The edit time in seconds, which names the `Update` of an edit.
    #[serde(skip)]
    pub(crate) edited_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation: Option<String>,
    #[serde(flatten)]
    poll: Option<Poll>,
    interaction_policy: InteractionPolicy,
    #[serde(flatten)]
    quote: Option<Quote>,
    #[serde(flatten)]
    event: Option<Event>,
}

/// What an `Event` adds to a note. `timezone` is Mobilizon's extension,
/// the IANA zone the organiser chose; the counts are the answers given on
/// this, the event's own site, where every site sends its answers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    name: String,
    start_time: String,
    end_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
    participant_count: i64,
    maybe_count: i64,
    not_going_count: i64,
}

#[derive(Debug, Clone, Serialize)]
struct Place {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
}

/// A mention or hashtag in a post's (or actor's) `tag`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub(crate) enum Tag {
    Mention { href: String, name: String },
    Hashtag { href: String, name: String },
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Attachment {
    #[serde(rename = "type")]
    kind: &'static str,
    media_type: String,
    url: String,
    name: Option<String>,
    blurhash: Option<String>,
    width: Option<u64>,
    height: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Poll {
    #[serde(skip_serializing_if = "Option::is_none")]
    one_of: Option<Vec<PollOption>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    any_of: Option<Vec<PollOption>>,
    voters_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct PollOption {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    replies: Collection,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Collection {
    #[serde(rename = "type")]
    kind: &'static str,
    total_items: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct InteractionPolicy {
    can_quote: CanQuote,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct CanQuote {
    automatic_approval: Vec<String>,
    manual_approval: Vec<String>,
}

/// The quoted post, under FEP-044f's name and the older ones Akkoma,
/// Pleroma and Misskey read.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Quote {
    quote: String,
    quote_url: String,
    #[serde(rename = "_misskey_quote")]
    misskey_quote: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote_authorization: Option<String>,
}

/// The note of a local status, as its author's site publishes it.
pub(crate) fn to_note(status: &SharedStatus, urls: &Urls, config: &Config) -> Note {
    let view = &status.view;
    let author = &view.account.username;
    let attributed_to = urls.actor(author);
    let followers = urls.followers(author);
    let mentioned: Vec<String> = view.mentions.iter().map(|m| m.uri.clone()).collect();
    let (to, cc) = addressing(view.visibility, &followers, &mentioned);
    let mut tag: Vec<Tag> = view
        .mentions
        .iter()
        .map(|m| Tag::Mention {
            href: m.uri.clone(),
            name: format!("@{}@{}", m.username, m.domain.as_deref().unwrap_or(&config.domain)),
        })
        .collect();
    tag.extend(view.tags.iter().map(|(name, _)| Tag::Hashtag { href: urls.tag(name), name: format!("#{name}") }));
    let poll = view.poll.as_ref().map(poll);
    let event = status.event.as_ref().map(|(event, totals)| Event {
        name: event.name.clone(),
        start_time: timestamp(event.starts_at),
        end_time: timestamp(event.ends_at),
        location: event.location.clone().map(|name| Place { kind: "Place", name }),
        timezone: event.timezone.clone(),
        participant_count: totals.going,
        maybe_count: totals.maybe,
        not_going_count: totals.not_going,
    });
    let mut automatic_approval = vec![attributed_to.clone()];
    match view.quote_approval.policy {
        QuotePolicy::Public => automatic_approval.push(PUBLIC.to_owned()),
        QuotePolicy::Followers => automatic_approval.push(followers),
        QuotePolicy::Nobody => {}
    }
    Note {
        id: view.uri.clone(),
        kind: match (&poll, &event) {
            (Some(_), _) => "Question",
            (None, Some(_)) => "Event",
            (None, None) => "Note",
        },
        attributed_to,
        url: view.url.clone(),
        published: timestamp(view.created_at.naive_utc()),
        to,
        cc,
        in_reply_to: status.in_reply_to_uri.clone(),
        sensitive: view.sensitive,
        summary: Some(view.spoiler_text.clone()).filter(|s| !s.is_empty()),
        content: view.content.clone(),
        content_map: view.language.clone().map(|language| BTreeMap::from([(language, view.content.clone())])),
        tag,
        attachment: view.media.iter().map(|m| attachment(m, config)).collect(),
        updated: view.edited_at.map(|at| timestamp(at.naive_utc())),
        edited_at: view.edited_at.map(|at| at.timestamp()),
        conversation: status.conversation.map(|thread| format!("{}/contexts/{thread}", urls.base())),
        poll,
        interaction_policy: InteractionPolicy {
            can_quote: CanQuote { automatic_approval, manual_approval: Vec::new() },
        },
        quote: status.quote.clone().map(|(uri, authorization)| Quote {
            quote: uri.clone(),
            quote_url: uri.clone(),
            misskey_quote: uri,
            quote_authorization: authorization,
        }),
        event,
    }
}

fn attachment(media: &MediaView, config: &Config) -> Attachment {
    let url = match (&media.file_path, &media.remote_url) {
        (Some(path), _) => tertulia_domain::media::url(config, path),
        (None, Some(remote)) => remote.clone(),
        (None, None) => String::new(),
    };
    let size = |key: &str| media.meta.pointer(&format!("/original/{key}")).and_then(serde_json::Value::as_u64);
    Attachment {
        kind: "Document",
        media_type: media.content_type.clone(),
        url,
        name: media.description.clone(),
        blurhash: media.blurhash.clone(),
        width: size("width"),
        height: size("height"),
    }
}

/// Options with their counts; while the author hides totals (until the
/// poll ends) other sites see none, as our own clients do.
fn poll(poll: &PollView) -> Poll {
    let options: Vec<PollOption> = poll
        .options
        .iter()
        .map(|(name, votes)| PollOption {
            kind: "Note",
            name: name.clone(),
            replies: Collection { kind: "Collection", total_items: votes.unwrap_or(0) },
        })
        .collect();
    let end = poll.expires_at.map(|at| timestamp(at.naive_utc()));
    Poll {
        one_of: Some(options.clone()).filter(|_| !poll.multiple),
        any_of: Some(options).filter(|_| poll.multiple),
        voters_count: poll.voters_count,
        closed: end.clone().filter(|_| poll.expired),
        end_time: end,
    }
}
