//! Incoming `Flag`: another site forwards a report about accounts of ours
//! (documented in `docs/federation.md`, "Reports"). Its `object` lists
//! actors and statuses; those of this site open reports here, from the
//! sending actor (usually that site's own actor, so the reporter stays
//! anonymous), with its `content` as the comment. Sites whose domain block
//! rejects reports are not heard.

use serde_json::Value;
use tertulia_core::Id;
use tertulia_db::actors::{self, ActorRow};
use tertulia_domain::reports;

use crate::protocol::{str_of, uris};
use crate::urls::host_of;
use crate::{Federation, FederationError};

impl Federation {
    pub(crate) async fn flagged(&self, sender: &ActorRow, activity: &Value) -> Result<(), FederationError> {
        let host = host_of(&sender.uri).unwrap_or_default();
        if self.admit(&host)?.reject_reports {
            tracing::info!(
                sender = %sender.uri,
                "report (Flag) ignored: this site's domain block on {host} rejects its reports"
            );
            return Ok(());
        }
        let (mut accounts, mut statuses) = (Vec::new(), Vec::new());
        for uri in uris(activity.get("object")) {
            if let Some(status) = self.urls().local_status_id(&uri) {
                statuses.push(Id(status));
                continue;
            }
            let found = {
                let uri = uri.clone();
                self.db().run(move |conn| actors::find_by_uri(conn, &uri)).await?
            };
            match found.filter(|actor| actor.domain.is_none()) {
                Some(account) => accounts.push(Id(account.id)),
                None => tracing::info!(
                    sender = %sender.uri,
                    object = %uri,
                    "report (Flag) names something that is not an account or status of this site; left out"
                ),
            }
        }
        let comment = str_of(activity, "content").unwrap_or_default().to_owned();
        let opened = reports::received(self.ctx(), Id(sender.id), accounts, statuses, comment).await?;
        if opened.is_empty() {
            tracing::info!(sender = %sender.uri, "report (Flag) names nothing of this site; ignored");
        }
        Ok(())
    }
}
