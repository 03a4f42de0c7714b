//! Gives memory the server no longer uses back to the system.
//!
//! glibc's malloc gives each thread that allocates an arena of its own
//! (up to eight per core), and keeps what is freed in those arenas for
//! reuse: after a burst of requests (sign-ins, posting, timeline reads on
//! every blocking thread) the process stays at its peak size while idle.
//! `malloc_trim` returns the free pages of every arena to the kernel, so
//! an idle server shrinks back within [`TRIM_EVERY`] (docs/benchmarks.md,
//! "Issue 17: memory", has the figures). It walks the free lists under
//! each arena's lock, which is cheap next to a request, hence a timer
//! rather than a check of how much is free. Other allocators, or other C
//! libraries, are left alone.

// The one place outside argon2's working memory where the workspace
// allows unsafe code: calling the C library's allocator controls, which
// the standard library does not offer.
#![allow(unsafe_code)]

use std::time::Duration;

use tokio::sync::watch;

/// How often free memory is returned.
const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Returns free memory to the system every [`TRIM_EVERY`] until `stop`
/// turns true.
pub async fn keep_trimmed(mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(TRIM_EVERY);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
        trim();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks glibc's own free lists, under its
    // own locks; it takes and returns no pointer of ours.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

// glibc's trimming on Linux: elsewhere `trim` does nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[cfg(test)]
mod tests {
    /// Resident memory of this process, in KiB (`/proc/self/status`).
    fn resident_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn freed_memory_below_a_live_block_goes_back_to_the_system() {
        const BLOCKS: usize = 64 * 1024;
        // 64 MiB in blocks small enough for the heap (not mmap), then one
        // block above them that stays: free() alone cannot shrink the heap
        // past it, as after a burst of requests some allocation outlives it.
        let blocks: Vec<Vec<u8>> = (0..BLOCKS).map(|_| vec![1u8; 1024]).collect();
        let live = vec![1u8; 1024];
        drop(blocks);
        let before = resident_kib();
        super::trim();
        let after = resident_kib();
        assert!(before.saturating_sub(after) > 32 * 1024, "resident {before} KiB before trimming, {after} KiB after");
        assert_eq!(live[0], 1);
    }
}
