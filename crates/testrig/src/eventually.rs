//! Waiting for something asynchronous (a delivery, a background job) with
//! a bound, never with a bare sleep: a test fails saying what it awaited.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::TestInstance;

/// How long a change may take (to reach another site, to be applied by a
/// worker) before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// How often a probe is tried again.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// Polls `probe` until it returns `Some`, or fails after [`PATIENCE`]
/// naming `what` was awaited.
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(PATIENCE, what, probe).await
}

/// [`eventually`] with another bound.
pub async fn eventually_within<T, F, Fut>(limit: Duration, what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    poll(limit, what, probe, String::new).await
}

impl TestInstance {
    /// [`eventually`], with this server's log in the failure message (for
    /// what its own background work should bring about).
    pub async fn eventually<T, F, Fut>(&self, what: &str, probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        poll(PATIENCE, what, probe, || format!("\nserver log:\n{}", self.logs())).await
    }
}

async fn poll<T, F, Fut>(limit: Duration, what: &str, mut probe: F, details: impl Fn() -> String) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "still waiting after {limit:?} for: {what}{}", details());
        tokio::time::sleep(POLL_EVERY).await;
    }
}
