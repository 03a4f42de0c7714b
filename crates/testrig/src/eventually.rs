//! Waiting for something asynchronous (a delivery, a background job) with
//! a bound, never with a bare sleep: a test fails saying what it awaited.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::TestInstance;

/// How long a change may take (to reach another site, to be applied by a
/// worker) before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The first pause between probes; each later pause is half as long again,
/// up to [`LONGEST_PAUSE`]. Quick changes are seen quickly, and a slow one
/// (a loaded CI machine) does not spend the token's request limit (300 per
/// five minutes) on probes that ask the API several times each.
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_millis(500);

/// The pauses between probes, in order.
fn pauses() -> impl Iterator<Item = Duration> {
    std::iter::successors(Some(FIRST_PAUSE), |pause| Some((*pause * 3 / 2).min(LONGEST_PAUSE)))
}

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
    for pause in pauses() {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "still waiting after {limit:?} for: {what}{}", details());
        tokio::time::sleep(pause).await;
    }
    unreachable!("the pauses never run out")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe of three API requests, repeated for all of [`PATIENCE`],
    /// stays well under one token's 300 requests per five minutes (with the
    /// old fixed 50 ms pause it sent up to 1,800).
    #[test]
    fn waiting_the_whole_patience_stays_under_the_request_limit() {
        let mut waited = Duration::ZERO;
        let probes = pauses()
            .take_while(|pause| {
                waited += *pause;
                waited <= PATIENCE
            })
            .count()
            + 1;
        assert!(probes * 3 <= 250, "{probes} probes within {PATIENCE:?}");
        assert_eq!(pauses().next(), Some(FIRST_PAUSE), "the first retry comes quickly");
    }
}
