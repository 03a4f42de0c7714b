//! The load generator's core, shared by the scenarios that send many
//! requests: `concurrency` workers, each sending its next request as soon
//! as the previous one is answered, until the request budget (or the time
//! budget, when there is one) runs out.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::BenchError;

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub requests: usize,
    /// No request starts after this much time.
    pub time: Option<Duration>,
}

/// What the workers saw.
pub struct Outcome {
    /// Milliseconds from sending to the answer of each request that
    /// succeeded, sorted.
    pub latencies: Vec<f64>,
    /// Why each failed request failed.
    pub errors: Vec<String>,
    /// From the first request to the last answer.
    pub seconds: f64,
}

impl Outcome {
    /// Requests sent, successful or not.
    pub fn requests(&self) -> usize {
        self.latencies.len() + self.errors.len()
    }
}

/// Runs `request(n)` for n = 0, 1, … on `concurrency` workers within
/// `budget`.
pub async fn run<F, Fut>(concurrency: usize, budget: Budget, request: F) -> Result<Outcome, BenchError>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BenchError>> + Send,
{
    let request = Arc::new(request);
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = budget.time.map(|time| started + time);
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (request, issued) = (request.clone(), issued.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if n >= budget.requests || deadline.is_some_and(|d| Instant::now() >= d) {
                        return (latencies, errors);
                    }
                    let sent = Instant::now();
                    match request(n).await {
                        Ok(()) => latencies.push(sent.elapsed().as_secs_f64() * 1_000.0),
                        Err(error) => errors.push(error.to_string()),
                    }
                }
            })
        })
        .collect();
    let mut outcome = Outcome { latencies: Vec::new(), errors: Vec::new(), seconds: 0.0 };
    for worker in workers {
        let (mut latencies, mut errors) =
            worker.await.map_err(|e| BenchError::Check(format!("a load worker stopped: {e}")))?;
        outcome.latencies.append(&mut latencies);
        outcome.errors.append(&mut errors);
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome.latencies.sort_by(f64::total_cmp);
    Ok(outcome)
}
