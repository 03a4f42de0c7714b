//! Adoption figures between sites (docs/analytics.md, "Company-wide
//! table"): each site serves its aggregate counts at `/actor/adoption`
//! (see `routes::published_adoption`), and pulls those of the sites it
//! follows, signed by its own actor, so the other site can tell who asks.

use std::time::Duration;

use tertulia_domain::analytics::company::{self, PullFailure, SiteFigures};

use crate::client::FetchError;
use crate::urls::host_of;
use crate::{Federation, FederationError, SiteFollow};

/// How often the leader pulls the followed sites' figures again. Their
/// roll-ups change once an hour; so does this.
const PULL_EVERY: Duration = Duration::from_secs(3600);

/// The path of the figures under a site's actor.
const ADOPTION_PATH: &str = "/adoption";

impl Federation {
    /// Pulls the figures of every site this site follows and stores them
    /// (or why they could not be pulled); forgets the sites no longer
    /// followed. Returns each site's outcome, by domain.
    pub async fn pull_site_adoption(&self) -> Result<Vec<(String, Result<(), PullFailure>)>, FederationError> {
        let followed: Vec<String> = self
            .followed_sites()
            .await?
            .into_iter()
            .filter(|(_, state)| *state == SiteFollow::Following)
            .map(|(domain, _)| domain)
            .collect();
        company::forget_pulls_except(self.db(), followed.clone()).await?;
        let mut outcomes = Vec::new();
        for domain in followed {
            let outcome = self.pull_site(&domain).await;
            company::store_pull(self.db(), &domain, outcome.clone(), tertulia_db::now()).await?;
            outcomes.push((domain, outcome.map(|_| ())));
        }
        Ok(outcomes)
    }

    async fn pull_site(&self, domain: &str) -> Result<SiteFigures, PullFailure> {
        let actor = self.site_actor(domain).await.map_err(failure)?;
        let url = format!("{}{ADOPTION_PATH}", actor.uri);
        let fetched = self.fetch(&url).await.map_err(failure)?;
        if host_of(fetched.url.as_str()) != host_of(&actor.uri) {
            return Err(PullFailure::BadDocument(format!("{url} was answered by another site ({})", fetched.url)));
        }
        company::read_published(fetched.document, domain)
    }

    /// Pulls now and every [`PULL_EVERY`] until `stop`; run by the
    /// cluster's leader only.
    pub async fn keep_sites_pulled(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            match self.pull_site_adoption().await {
                Ok(outcomes) => {
                    for (site, outcome) in &outcomes {
                        if let Err(error) = outcome {
                            tracing::warn!(site, %error, "analytics: could not pull a site's adoption figures; trying again within the hour");
                        }
                    }
                    tracing::info!(sites = outcomes.len(), "analytics: pulled the followed sites' adoption figures");
                }
                Err(error) => {
                    tracing::error!(%error, "analytics: pulling the sites' adoption figures failed; trying again within the hour")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(PULL_EVERY) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }
}

/// What went wrong, in the three kinds an admin acts on differently: the
/// site cannot be reached (network, its server), it refuses this site
/// (federation policy, signature), or it answered something unreadable.
fn failure(error: FederationError) -> PullFailure {
    match error {
        FederationError::Fetch(FetchError::Status(status @ (401 | 403))) => PullFailure::Refused(format!(
            "the site answered HTTP {status}: it does not federate with this site, or could not check its signature"
        )),
        FederationError::Fetch(FetchError::Status(404)) => PullFailure::Refused(
            "the site publishes no adoption figures (HTTP 404); it may run an older Tertulia".into(),
        ),
        FederationError::Fetch(error @ (FetchError::NotJson(_) | FetchError::TooLarge { .. })) => {
            PullFailure::BadDocument(error.to_string())
        }
        FederationError::Fetch(error @ FetchError::NotAllowed(_)) => PullFailure::Refused(error.to_string()),
        FederationError::Forbidden(reason) => PullFailure::Refused(reason),
        other => PullFailure::Unreachable(other.to_string()),
    }
}
