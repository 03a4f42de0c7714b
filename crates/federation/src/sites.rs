//! Site-level follows: this site's own actor following another site's,
//! so every public post written there arrives here (HQ following the
//! regional sites sees the whole company's public conversation in its
//! federated timeline without anyone following each colleague).

use tertulia_core::Id;
use tertulia_db::actors::{self, ActorRow, ActorType};
use tertulia_db::relays;
use tertulia_domain::accounts::{self, FollowOptions};

use crate::{Federation, FederationError};

/// Where a site follow stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SiteFollow {
    /// The other site has not answered yet (the server sends the Follow).
    Requested,
    Following,
    NotFollowing,
}

impl Federation {
    /// The site actor of `domain`, found with WebFinger as Mastodon's is
    /// (`acct:domain@domain`).
    pub(crate) async fn site_actor(&self, domain: &str) -> Result<actors::ActorRow, FederationError> {
        let domain = domain.trim().to_lowercase();
        if domain == self.config().domain.to_lowercase() {
            return Err(FederationError::invalid("a site cannot follow itself"));
        }
        self.actor_by_handle(&domain, &domain).await
    }

    /// Starts following `domain`'s public posts; the running server sends
    /// the Follow.
    pub async fn follow_site(&self, domain: &str) -> Result<SiteFollow, FederationError> {
        let remote = self.site_actor(domain).await?;
        let own = Id(self.instance_actor().id);
        let relationship = accounts::follow(self.ctx(), own, Id(remote.id), FollowOptions::default()).await?;
        Ok(state(relationship.following, relationship.requested))
    }

    /// Stops following `domain`'s public posts.
    pub async fn unfollow_site(&self, domain: &str) -> Result<SiteFollow, FederationError> {
        let remote = self.site_actor(domain).await?;
        let relationship = accounts::unfollow(self.db(), Id(self.instance_actor().id), Id(remote.id)).await?;
        Ok(state(relationship.following, relationship.requested))
    }

    /// Refuses `signer` unless it is another site's own actor that follows
    /// this site as a site, as HQ's does after `tertulia admin federation
    /// follow-site`: what only such sites may read (the adoption figures).
    /// Passing the federation policy is not enough, since in `open` mode
    /// every server on the internet does; nor is a relay's follow-back.
    pub(crate) async fn ensure_follows_as_site(&self, signer: &ActorRow) -> Result<(), FederationError> {
        let own = Id(self.instance_actor().id);
        let uri = signer.uri.clone();
        let relay = self.db().run(move |conn| relays::accepted_by_actor(conn, &uri)).await?;
        let follows = signer.actor_type == ActorType::Application
            && relay.is_none()
            && accounts::follows(self.db(), Id(signer.id), own).await?;
        if follows {
            return Ok(());
        }
        let here = &self.config().domain;
        let site = signer.domain.as_deref().unwrap_or("the other site");
        Err(FederationError::Forbidden(format!(
            "only a site that follows {here} as a site may read this, and {} does not; \
             to allow it, run `tertulia admin federation follow-site {here}` on {site}",
            signer.uri
        )))
    }

    /// The sites this site follows or asked to follow, by domain.
    pub async fn followed_sites(&self) -> Result<Vec<(String, SiteFollow)>, FederationError> {
        let own = Id(self.instance_actor().id);
        let targets = accounts::followed_sites(self.db(), own).await?;
        Ok(targets.into_iter().map(|(domain, following)| (domain, state(following, !following))).collect())
    }
}

fn state(following: bool, requested: bool) -> SiteFollow {
    match (following, requested) {
        (true, _) => SiteFollow::Following,
        (false, true) => SiteFollow::Requested,
        (false, false) => SiteFollow::NotFollowing,
    }
}
