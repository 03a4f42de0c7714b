//! The loop the delivery and inbox workers share: whenever a worker is
//! free, claim as much work from the database as there are free workers,
//! and run each piece in a task of its own that holds a worker.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, watch};

/// How often the queue is looked at when nothing woke the pool; also how
/// soon retries come due.
const POLL: Duration = Duration::from_millis(500);

/// Runs until `shutdown` turns true. `claim(free)` takes up to `free`
/// pieces of work (it logs its own errors and returns none then); `start`
/// turns one into the task that does it. `wake` is rung when new work is
/// queued. Work in flight at shutdown is abandoned: the queues claim with
/// leases, which run out, and the work is claimed again.
pub(crate) async fn run<T, Claimed, Task>(
    workers: usize,
    wake: &Notify,
    mut shutdown: watch::Receiver<bool>,
    mut claim: impl FnMut(usize) -> Claimed,
    start: impl Fn(T) -> Task,
) where
    Claimed: Future<Output = Vec<T>>,
    Task: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(workers));
    loop {
        // Wait for a free worker first: claiming with none free would only
        // hold work back from other processes.
        let first = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        let claimed = claim(slots.available_permits() + 1).await;
        if claimed.is_empty() {
            drop(first);
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = wake.notified() => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
            continue;
        }
        let mut first = Some(first);
        for work in claimed {
            let slot = match first.take() {
                Some(slot) => slot,
                None => match slots.clone().acquire_owned().await {
                    Ok(slot) => slot,
                    Err(_) => return,
                },
            };
            let task = start(work);
            tokio::spawn(async move {
                task.await;
                drop(slot);
            });
        }
    }
}
