//! ActivityPub relays: subscribing, the relay's answer, and what a relay
//! forwards.
//!
//! Two conventions are spoken (see docs/federation.md, "Relays"): LitePub
//! (the site actor follows the relay's actor, which forwards posts as
//! `Announce`) and Mastodon's (the site actor follows the public
//! collection at the relay's inbox, which forwards the original
//! activities, signed with its own key). Either way the relay is never
//! trusted for content: a forwarded activity only names a post, which is
//! fetched from its own site (a signed fetch through the address guard and
//! the federation policy) and stored only if that site serves it publicly;
//! a forwarded profile change likewise only names an actor to read again.

use serde_json::Value;
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::relays::{RelayProtocol, RelayRow};
use tertulia_domain::relays::{self, NewRelay};
use tertulia_domain::remote;

use crate::client::FetchError;
use crate::protocol::{self, id_of, type_of};
use crate::resolver::read_post;
use crate::urls::host_of;
use crate::{Federation, FederationError};

/// What a relay forwards; anything else it sends (its `Follow` of this
/// site, `Accept`, `Undo`) is about the relay itself and handled as usual.
const FORWARDED: [&str; 4] = ["Create", "Update", "Delete", "Announce"];

impl Federation {
    /// Subscribes to the relay at `url`: the relay's actor for LitePub, its
    /// inbox for Mastodon's protocol. The running server sends the Follow.
    pub async fn add_relay(&self, url: &str, protocol: RelayProtocol) -> Result<RelayRow, FederationError> {
        let url = url.trim();
        let host = host_of(url).ok_or_else(|| {
            FederationError::invalid(format!(
                "'{url}' is not a relay address; give its full URL, e.g. https://relay.example/inbox"
            ))
        })?;
        if self.urls().is_local(url) {
            return Err(FederationError::invalid("a site cannot subscribe to itself as a relay"));
        }
        self.admit(&host)?;
        let relay = match protocol {
            RelayProtocol::Litepub => {
                let actor = self.actor(url).await?;
                NewRelay { inbox_url: actor.delivery_inbox().to_owned(), actor_uri: Some(actor.uri), protocol }
            }
            RelayProtocol::Mastodon => NewRelay { inbox_url: url.to_owned(), actor_uri: None, protocol },
        };
        Ok(relays::subscribe(self.db(), relay).await?)
    }

    /// The accepted relay `signer` is, if any: a relay forwards activities
    /// of others, so its signature stands for none of their actors.
    pub(crate) async fn relay_signing(&self, signer: &ActorRow) -> Result<Option<RelayRow>, FederationError> {
        Ok(relays::accepted_by_actor(self.db(), signer.uri.clone()).await?)
    }

    /// Applies what `relay` forwarded, if it is a forwarded kind; `false`
    /// for the relay's own business, such as an update of its own actor.
    pub(crate) async fn relayed(&self, relay: &ActorRow, activity: &Value) -> Result<bool, FederationError> {
        let object = activity.get("object").unwrap_or(&Value::Null);
        let about_relay = id_of(Some(object)) == Some(relay.uri.as_str());
        if !FORWARDED.contains(&type_of(activity)) || about_relay || self.relay_signing(relay).await?.is_none() {
            return Ok(false);
        }
        if protocol::is_actor(object) {
            if type_of(activity) != "Update" {
                return Ok(false);
            }
            self.relayed_profile(object).await?;
            return Ok(true);
        }
        let uri =
            id_of(Some(object)).ok_or_else(|| FederationError::invalid("the relayed activity names no object"))?;
        // This site's own posts come back from the relay: nothing to do.
        if self.urls().is_local(uri) {
            return Ok(true);
        }
        let known = remote::known_status(self.db(), uri.to_owned()).await?;
        match (type_of(activity), known) {
            ("Delete", Some((_, author))) => self.relayed_deletion(uri, author).await?,
            ("Delete", None) => {}
            ("Update", Some(_)) => {
                let post = self.public_post_at_origin(uri).await?;
                let author = self.actor(read_post(&post)?.author).await?;
                let edit = self.edited_post(&post).await?;
                remote::status_updated(self.ctx(), Id(author.id), uri.to_owned(), edit).await?;
            }
            (_, Some(_)) => {}
            (_, None) => {
                let post = self.public_post_at_origin(uri).await?;
                self.save_post(&post, self.config().federation.max_reply_depth).await?;
            }
        }
        Ok(true)
    }

    /// A relayed profile change: the body is only the relay's word, so the
    /// actor is read again from its own site (a signed fetch through the
    /// address guard and the federation policy) and that is stored. Only
    /// actors known here are read: a relay does not bring in new people.
    async fn relayed_profile(&self, actor: &Value) -> Result<(), FederationError> {
        let uri = id_of(Some(actor)).ok_or_else(|| FederationError::invalid("the relayed actor has no id"))?.to_owned();
        // This site's own people come back from the relay: nothing to do.
        if self.urls().is_local(&uri) {
            return Ok(());
        }
        let lookup = uri.clone();
        if self.db().run(move |conn| actors::find_by_uri(conn, &lookup)).await?.is_some() {
            self.refresh_actor(&uri).await?;
        }
        Ok(())
    }

    /// The post at `uri` as its own site serves it now, refused unless it
    /// is public: a relay only carries public posts.
    async fn public_post_at_origin(&self, uri: &str) -> Result<Value, FederationError> {
        let post = self.fetch_post(uri).await?;
        let author = self.actor(read_post(&post)?.author).await?;
        if protocol::visibility_of(&post, author.followers_url.as_deref()) != Visibility::Public {
            return Err(FederationError::Forbidden(format!(
                "{uri} is not public; a relay may only carry public posts"
            )));
        }
        Ok(post)
    }

    /// A relayed deletion of the post `uri` by `author`: applied only once
    /// its own site no longer serves it.
    async fn relayed_deletion(&self, uri: &str, author: Id) -> Result<(), FederationError> {
        match self.fetch(uri).await {
            Err(FederationError::Fetch(FetchError::Gone | FetchError::Status(404))) => {
                Ok(remote::status_deleted(self.ctx(), author, uri.to_owned()).await?)
            }
            Err(error) => Err(error),
            Ok(_) => Err(FederationError::Forbidden(format!(
                "{uri} is still served by its site; a relayed deletion of it is ignored"
            ))),
        }
    }

    /// The relay's `Accept` or `Reject` of the site actor's follow (the
    /// answer's `object`). Only the relay may answer: its actor if known, or
    /// else an actor on the host of its inbox, which is then recorded as
    /// the relay's actor.
    pub(crate) async fn relay_answered(
        &self,
        answerer: &ActorRow,
        follow: &Value,
        accepted: bool,
    ) -> Result<(), FederationError> {
        let Some(relay) = id_of(Some(follow)).and_then(|uri| self.urls().relay_of_follow(uri)) else {
            return Ok(());
        };
        let Some(relay) = relays::find(self.db(), Id(relay)).await? else {
            return Ok(());
        };
        let is_the_relay = match &relay.actor_uri {
            Some(actor) => *actor == answerer.uri,
            None => host_of(&relay.inbox_url) == host_of(&answerer.uri),
        };
        if !is_the_relay {
            return Err(FederationError::Forbidden(format!(
                "{} answered the follow of the relay at {}, which only that relay may answer",
                answerer.uri, relay.inbox_url
            )));
        }
        relays::answered(self.db(), Id(relay.id), accepted, answerer.uri.clone()).await?;
        Ok(())
    }
}
