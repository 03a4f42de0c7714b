//! Keeps the server's memory small without tuning by the admin.
//!
//! glibc's malloc gives each thread that allocates an arena of its own
//! (up to eight per core), and keeps what is freed in those arenas for
//! reuse: after a burst of requests (sign-ins, posting, timeline reads on
//! every blocking thread) the process stays at its peak size while idle,
//! and the peak itself grows with the number of arenas.
//!
//! - [`limit_arenas`] caps the arenas at one per core before any thread
//!   starts: more threads than cores cannot allocate at the same moment
//!   anyway, and each extra arena holds memory of its own (the peak was
//!   about 8 MB lower with two arenas than with glibc's default,
//!   docs/benchmarks.md, "Issue 17: memory"). An admin's own
//!   `MALLOC_ARENA_MAX` is left in force.
//! - [`keep_trimmed`]: `malloc_trim` returns the free pages of every arena
//!   to the kernel, so an idle server shrinks back within [`TRIM_EVERY`].
//!   It walks the free lists under each arena's lock, which is cheap next
//!   to a request, hence a timer rather than a check of how much is free.
//!
//! Other allocators, or other C libraries, are left alone.

// The one place outside argon2's working memory where the workspace
// allows unsafe code: calling the C library's allocator controls, which
// the standard library does not offer.
#![allow(unsafe_code)]

use std::time::Duration;

use tokio::sync::watch;

/// How often free memory is returned.
const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Caps malloc's arenas at one per core, unless the environment sets
/// `MALLOC_ARENA_MAX`. Call it before starting threads: arenas made
/// before stay.
pub fn limit_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        set_arena_limit(cores);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_arena_limit(arenas: usize) {
    let arenas = libc::c_int::try_from(arenas).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only changes a setting of glibc's allocator; it takes
    // and returns no pointer.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_arena_limit(_arenas: usize) {}

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

    /// How many arenas malloc has made so far (`malloc_info` lists each
    /// as a `<heap nr=…>`).
    fn arenas() -> usize {
        let mut buffer: *mut libc::c_char = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        // SAFETY: open_memstream writes the buffer's address and size into
        // the two variables when the stream is closed; the buffer is read
        // once, then freed with the allocator that made it.
        let report = unsafe {
            let stream = libc::open_memstream(&raw mut buffer, &raw mut size);
            assert!(!stream.is_null());
            assert_eq!(libc::malloc_info(0, stream), 0);
            libc::fclose(stream);
            let report = std::slice::from_raw_parts(buffer.cast::<u8>(), size).to_vec();
            libc::free(buffer.cast());
            report
        };
        String::from_utf8(report).unwrap().matches("<heap nr=").count()
    }

    #[test]
    fn with_the_limit_reached_new_threads_share_the_arenas_there_are() {
        let before = arenas();
        super::set_arena_limit(before);
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let start = start.clone();
                // All eight allocate at once, each holding its block until
                // the others have theirs: without a limit each gets an arena.
                std::thread::spawn(move || {
                    let block = vec![1u8; 4096];
                    start.wait();
                    block[0]
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), 1);
        }
        assert_eq!(arenas(), before, "eight threads made no arena past the limit of {before}");
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
