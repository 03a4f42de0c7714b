//! Site-level follows: this site's own actor following another site's,
//! so every public post written there arrives here (HQ following the
//! regional sites sees the whole company's public conversation in its
//! federated timeline without anyone following each colleague).

use tertulia_core::Id;
use tertulia_db::actors;
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
