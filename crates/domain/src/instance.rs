//! What the instance says about itself: counts and the contact account.

use chrono::{Duration, Utc};
use tertulia_db::stats::{self, InstanceStats};
use tertulia_db::{accounts, users};

use crate::Context;
use crate::{AccountView, DomainError};

/// Live figures for `/api/v*/instance` and nodeinfo.
#[derive(Debug, Clone)]
pub struct InstanceInfo {
    pub stats: InstanceStats,
    /// The account staff should contact: `instance.contact_username` if it
    /// exists, otherwise the first admin.
    pub contact: Option<AccountView>,
    pub rules: Vec<crate::rules::Rule>,
}

pub async fn info(ctx: &Context) -> Result<InstanceInfo, DomainError> {
    let contact_username = ctx.config.instance.contact_username.clone();
    let (stats, contact) = ctx
        .db
        .run(move |conn| {
            let now = Utc::now().naive_utc();
            let stats = stats::instance_stats(conn, now - Duration::days(30), now - Duration::days(180))?;
            let configured = if contact_username.is_empty() {
                None
            } else {
                accounts::find_local_by_username(conn, &contact_username)?
            };
            let contact = match configured {
                Some(account) => Some(account),
                None => users::first_admin(conn)?.map(|(_, account)| account),
            };
            Ok::<_, DomainError>((stats, contact))
        })
        .await?;
    Ok(InstanceInfo { stats, contact: contact.map(AccountView::from), rules: crate::rules::list(&ctx.db).await? })
}
