//! The threads blocking work runs on.
//!
//! Database work, password hashing and image decoding run on tokio's
//! blocking pools: one for the main runtime (background workers) and one
//! per HTTP worker thread. tokio's default allows 512 threads per pool,
//! and each thread that allocates may take a malloc arena and a stack of
//! its own; yet more threads than pooled connections and hashing slots
//! only wait. So each pool is bounded by that sum.

use std::io;

use actix_web::rt::{System, SystemRunner};
use tertulia_core::Config;

/// Threads each blocking pool may run at once: one per pooled database
/// connection, and one per core for argon2, which hashes at most one
/// password per core at a time.
pub fn blocking_threads(config: &Config) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    config.database.pool_size as usize + cores
}

/// Name of the main runtime's blocking threads (`top -H` shows it).
const BLOCKING_THREAD_NAME: &str = "blocking-work";

/// The actix system every command runs on: a single-threaded runtime
/// whose blocking pool is bounded as above.
pub fn system(config: &Config) -> io::Result<SystemRunner> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name(BLOCKING_THREAD_NAME)
        .max_blocking_threads(blocking_threads(config))
        .build()?;
    Ok(System::with_tokio_rt(|| runtime))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Condvar, Mutex};

    use tertulia_core::Config;

    /// Threads of this process now (Linux). A thread's entry appears as
    /// it is created, before it runs. (nextest runs each test in a process
    /// of its own, so no other test's threads are counted.)
    fn threads() -> usize {
        std::fs::read_dir("/proc/self/task").unwrap().count()
    }

    #[test]
    fn blocking_work_waits_for_a_thread_beyond_the_bound() {
        let mut config = Config::default();
        config.database.pool_size = 2;
        let bound = super::blocking_threads(&config);
        let system = super::system(&config).unwrap();
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let before = threads();
        system.block_on(async {
            // tokio starts a blocking thread inside spawn_blocking when none
            // is idle and the pool is below its bound: the count is exact
            // as soon as the calls return.
            let tasks: Vec<_> = (0..3 * bound)
                .map(|_| {
                    let gate = gate.clone();
                    tokio::task::spawn_blocking(move || {
                        let (open, opened) = &*gate;
                        let _open = opened.wait_while(open.lock().unwrap(), |open| !*open).unwrap();
                    })
                })
                .collect();
            assert_eq!(threads() - before, bound);
            *gate.0.lock().unwrap() = true;
            gate.1.notify_all();
            for task in tasks {
                task.await.unwrap();
            }
        });
    }
}
