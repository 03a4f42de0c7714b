//! Staff relocating between sites: the new account lists the old one as
//! an alias, then the old account moves, and followers everywhere follow
//! the new one (ActivityPub `Move`, as Mastodon does it).

use tertulia_core::Id;
use tertulia_db::actors::ActorRow;
use tertulia_domain::accounts;

use crate::{Federation, FederationError};

impl Federation {
    /// Adds the account at `handle` (`@luis@es.acme.example`) to the
    /// aliases of the local `username`; returns all its aliases.
    pub async fn add_alias(&self, username: &str, handle: &str) -> Result<Vec<String>, FederationError> {
        let local = self.local_id(username).await?;
        let other = self.remote_by_handle(handle).await?;
        Ok(tertulia_domain::accounts::add_alias(self.db(), local, other.uri).await?)
    }

    /// Moves the local `username` to the account at `handle`, which must
    /// list it as an alias; returns the new account.
    pub async fn move_account(&self, username: &str, handle: &str) -> Result<ActorRow, FederationError> {
        let local = self.local_id(username).await?;
        let known = self.remote_by_handle(handle).await?;
        // Fetched afresh: the alias was probably added minutes ago.
        let target = self.refresh_actor(&known.uri).await?;
        let own_uri = self.urls().actor(username);
        let aliases: Vec<String> = serde_json::from_str(&target.also_known_as).unwrap_or_default();
        if !aliases.iter().any(|a| a.eq_ignore_ascii_case(&own_uri)) {
            let site = target.domain.clone().unwrap_or_default();
            return Err(FederationError::Forbidden(format!(
                "{handle} does not list this account as an alias yet; on {site} run: \
                 tertulia admin user alias {} --add @{username}@{}",
                target.username,
                self.config().domain
            )));
        }
        tertulia_domain::accounts::move_to(self.ctx(), local, Id(target.id)).await?;
        Ok(target)
    }

    async fn local_id(&self, username: &str) -> Result<Id, FederationError> {
        let name = username.to_owned();
        let found = self.db().run(move |conn| accounts::local_profile(conn, &name)).await?;
        found.map(|a| a.id).ok_or_else(|| FederationError::NotFound(format!("local user {username}")))
    }

    /// The remote account `@user@site`.
    async fn remote_by_handle(&self, handle: &str) -> Result<ActorRow, FederationError> {
        let handle = handle.trim().trim_start_matches('@');
        let (user, host) =
            handle.split_once('@').filter(|(user, host)| !user.is_empty() && !host.is_empty()).ok_or_else(|| {
                FederationError::invalid(format!("'{handle}' is not a handle such as @luis@mx.acme.example"))
            })?;
        if host.eq_ignore_ascii_case(&self.config().domain) {
            return Err(FederationError::invalid(format!("@{handle} is on this site, not another one")));
        }
        self.actor_by_handle(user, host).await
    }
}
