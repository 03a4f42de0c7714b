//! What the operations metrics read from storage at scrape time
//! (`tertulia_core::metrics` declares them).

use tertulia_core::metrics::{PoolUsage, QueueDepth};
use tertulia_db::queues;

use crate::{Context, DomainError};

/// Every durable queue's depth and the age of its oldest item.
pub async fn queue_depths(ctx: &Context) -> Result<Vec<QueueDepth>, DomainError> {
    Ok(ctx.db.read(|conn| queues::depths(conn, tertulia_db::now())).await?)
}

/// The database pool's connections now.
pub fn pool_usage(ctx: &Context) -> PoolUsage {
    ctx.db.pool_usage()
}
