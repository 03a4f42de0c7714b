//! Mastodon's named streams (`user`, `public:local`, `hashtag` …) and which
//! events each one carries.

use tertulia_core::visibility::Visibility;
use tertulia_domain::Origin;
use tertulia_domain::events::{Event, StatusEvent};
use tertulia_domain::present::Reading;

use crate::ApiError;
use crate::auth::Auth;

/// One stream a connection listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// The home timeline and the notifications.
    User,
    UserNotification,
    Public(Origin),
    /// `public:media` and its local and remote forms: the same, only
    /// statuses with attachments (see `feed`, which sees the attachments).
    PublicMedia(Origin),
    /// `tag` is lower-cased, without `#`.
    Hashtag {
        tag: String,
        local: bool,
    },
    List(String),
    Direct,
}

impl Channel {
    /// The stream `name` with its `tag` or `list` parameter.
    pub fn parse(name: &str, tag: Option<&str>, list: Option<&str>) -> Result<Channel, ApiError> {
        let tag = || {
            tag.map(|t| t.trim().trim_start_matches('#').to_lowercase())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| ApiError::BadRequest(format!("the {name} stream needs a 'tag' parameter")))
        };
        Ok(match name {
            "user" => Channel::User,
            "user:notification" => Channel::UserNotification,
            "public" => Channel::Public(Origin::Everywhere),
            "public:local" => Channel::Public(Origin::ThisSite),
            "public:remote" => Channel::Public(Origin::OtherSites),
            "public:media" => Channel::PublicMedia(Origin::Everywhere),
            "public:local:media" => Channel::PublicMedia(Origin::ThisSite),
            "public:remote:media" => Channel::PublicMedia(Origin::OtherSites),
            "hashtag" => Channel::Hashtag { tag: tag()?, local: false },
            "hashtag:local" => Channel::Hashtag { tag: tag()?, local: true },
            "list" => Channel::List(
                list.filter(|l| !l.is_empty())
                    .ok_or_else(|| ApiError::BadRequest("the list stream needs a 'list' parameter".into()))?
                    .to_owned(),
            ),
            "direct" => Channel::Direct,
            other => return Err(ApiError::BadRequest(format!("unknown stream '{other}'"))),
        })
    }

    /// The `stream` array of each message: `["hashtag", "rust"]`.
    pub fn names(&self) -> Vec<String> {
        let name = match self {
            Channel::User => "user",
            Channel::UserNotification => "user:notification",
            Channel::Public(Origin::Everywhere) => "public",
            Channel::Public(Origin::ThisSite) => "public:local",
            Channel::Public(Origin::OtherSites) => "public:remote",
            Channel::PublicMedia(Origin::Everywhere) => "public:media",
            Channel::PublicMedia(Origin::ThisSite) => "public:local:media",
            Channel::PublicMedia(Origin::OtherSites) => "public:remote:media",
            Channel::Hashtag { local: false, .. } => "hashtag",
            Channel::Hashtag { local: true, .. } => "hashtag:local",
            Channel::List(_) => "list",
            Channel::Direct => "direct",
        };
        let mut names = vec![name.to_owned()];
        match self {
            Channel::Hashtag { tag, .. } => names.push(tag.clone()),
            Channel::List(id) => names.push(id.clone()),
            _ => {}
        }
        names
    }

    /// Which timeline the stream mirrors, so events are presented as it
    /// presents them (mutes and filters of that context).
    pub fn reading(&self) -> Reading {
        match self {
            Channel::User | Channel::List(_) => Reading::Home,
            Channel::Public(_) | Channel::PublicMedia(_) | Channel::Hashtag { .. } => Reading::Public,
            Channel::UserNotification => Reading::Notifications,
            Channel::Direct => Reading::Asked,
        }
    }

    /// Refuses a caller who may not listen: personal streams need a user
    /// token with the matching scope; public ones are open to anyone.
    pub fn check_access(&self, auth: &Auth) -> Result<(), ApiError> {
        match self {
            Channel::User | Channel::Direct => auth.user("read:statuses").map(drop),
            Channel::UserNotification => auth.user("read:notifications").map(drop),
            Channel::List(_) => auth.user("read:lists").map(drop),
            Channel::Public(_) | Channel::PublicMedia(_) | Channel::Hashtag { .. } => {
                auth.viewer("read:statuses").map(drop)
            }
        }
    }

    /// Whether this stream carries `event` for `viewer`. This routes only;
    /// whether the viewer may see the status is checked again when the
    /// event is rendered for them.
    pub fn carries(&self, event: &Event, viewer: Option<i64>) -> bool {
        match event {
            // As on Mastodon, new direct messages reach the direct stream
            // as `conversation` events, not as statuses.
            Event::Update(_) | Event::StatusUpdate(_) if *self == Channel::Direct => false,
            Event::Update(status) | Event::Delete(status) | Event::StatusUpdate(status) => {
                self.carries_status(status, viewer)
            }
            Event::Notification { recipient, .. } => {
                matches!(self, Channel::User | Channel::UserNotification) && viewer == Some(recipient.0)
            }
            Event::FiltersChanged { account } => *self == Channel::User && viewer == Some(account.0),
            Event::Conversation { recipient, .. } => *self == Channel::Direct && viewer == Some(recipient.0),
            // Announcements are for everyone on the site, as on Mastodon.
            Event::Announcement { .. } | Event::AnnouncementReaction { .. } | Event::AnnouncementDelete { .. } => {
                *self == Channel::User && viewer.is_some()
            }
        }
    }

    fn carries_status(&self, status: &StatusEvent, viewer: Option<i64>) -> bool {
        match self {
            Channel::User => viewer.is_some_and(|v| status.home_readers.contains(&v)),
            Channel::UserNotification => false,
            Channel::Public(origin) | Channel::PublicMedia(origin) => {
                !status.reply && on_public_timelines(status, viewer) && from(*origin, status)
            }
            Channel::Hashtag { tag, local } => {
                on_public_timelines(status, viewer)
                    && status.tags.contains(tag)
                    && from(if *local { Origin::ThisSite } else { Origin::Everywhere }, status)
            }
            // Any status a list could show; `feed` asks the list timeline's
            // own rule whether this list shows it.
            Channel::List(_) => viewer.is_some() && status.visibility != Visibility::Direct,
            Channel::Direct => {
                status.visibility == Visibility::Direct
                    && viewer.is_some_and(|v| v == status.author.0 || status.mentioned.contains(&v))
            }
        }
    }
}

/// The public and hashtag timelines' rule: original public statuses, and
/// site-only ones for signed-in people.
fn on_public_timelines(status: &StatusEvent, viewer: Option<i64>) -> bool {
    !status.boost
        && match status.visibility {
            Visibility::Public => true,
            Visibility::Local => viewer.is_some(),
            _ => false,
        }
}

fn from(origin: Origin, status: &StatusEvent) -> bool {
    match origin {
        Origin::Everywhere => true,
        Origin::ThisSite => status.local,
        Origin::OtherSites => !status.local,
    }
}

#[cfg(test)]
mod tests {
    use tertulia_core::Id;

    use super::*;

    fn status(visibility: Visibility, local: bool) -> StatusEvent {
        StatusEvent {
            id: Id(10),
            author: Id(1),
            visibility,
            local,
            reply: false,
            boost: false,
            tags: vec!["rust".into()],
            home_readers: vec![1, 2],
            mentioned: vec![3],
        }
    }

    #[test]
    fn names_round_trip() {
        for (name, tag) in [("user", None), ("public:remote", None), ("hashtag:local", Some("rust"))] {
            let channel = Channel::parse(name, tag, None).unwrap();
            assert_eq!(channel.names()[0], name);
        }
        assert_eq!(Channel::parse("hashtag", Some("#Rust"), None).unwrap().names(), ["hashtag", "rust"]);
        assert!(Channel::parse("hashtag", None, None).is_err());
        assert!(Channel::parse("nonsense", None, None).is_err());
    }

    #[test]
    fn public_streams_follow_origin_and_visibility() {
        let local_post = Event::Update(status(Visibility::Public, true));
        let remote_post = Event::Update(status(Visibility::Public, false));
        let site_only = Event::Update(status(Visibility::Local, true));
        let private = Event::Update(status(Visibility::Private, true));
        let public_local = Channel::Public(Origin::ThisSite);
        let public_remote = Channel::Public(Origin::OtherSites);
        assert!(public_local.carries(&local_post, None) && !public_local.carries(&remote_post, None));
        assert!(public_remote.carries(&remote_post, None) && !public_remote.carries(&local_post, None));
        assert!(!public_local.carries(&site_only, None) && public_local.carries(&site_only, Some(9)));
        assert!(!public_local.carries(&private, Some(2)));
        let mut reply = status(Visibility::Public, true);
        reply.reply = true;
        assert!(!public_local.carries(&Event::Update(reply.clone()), None));
        let tag = Channel::Hashtag { tag: "rust".into(), local: false };
        assert!(tag.carries(&Event::Update(reply), None), "hashtag streams include replies");
    }

    #[test]
    fn personal_streams_go_to_their_owner_only() {
        let post = Event::Update(status(Visibility::Private, true));
        assert!(Channel::User.carries(&post, Some(2)) && !Channel::User.carries(&post, Some(3)));
        let direct = Event::Delete(status(Visibility::Direct, true));
        assert!(Channel::Direct.carries(&direct, Some(3)) && !Channel::Direct.carries(&direct, Some(2)));
        assert!(!Channel::Direct.carries(&Event::Update(status(Visibility::Direct, true)), Some(3)));
        let conversation = Event::Conversation { recipient: Id(3), id: Id(7) };
        assert!(Channel::Direct.carries(&conversation, Some(3)) && !Channel::Direct.carries(&conversation, Some(2)));
        assert!(!Channel::User.carries(&conversation, Some(3)));
        let notification = Event::Notification { recipient: Id(2), id: Id(5) };
        assert!(Channel::UserNotification.carries(&notification, Some(2)));
        assert!(!Channel::User.carries(&notification, Some(3)));
        assert!(!Channel::List("1".into()).carries(&post, None));
        assert!(!Channel::List("1".into()).carries(&Event::Update(status(Visibility::Direct, true)), Some(2)));
    }

    #[test]
    fn announcements_reach_every_signed_in_user_stream_and_nothing_else() {
        let events = [
            Event::Announcement { id: Id(1) },
            Event::AnnouncementReaction { announcement: Id(1), name: "👍".into(), count: 2 },
            Event::AnnouncementDelete { id: Id(1) },
        ];
        for event in &events {
            assert!(Channel::User.carries(event, Some(2)) && Channel::User.carries(event, Some(3)));
            assert!(!Channel::User.carries(event, None));
            for other in [Channel::UserNotification, Channel::Direct, Channel::Public(Origin::Everywhere)] {
                assert!(!other.carries(event, Some(2)), "{other:?}");
            }
        }
    }
}
