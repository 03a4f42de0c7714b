//! The process's memory, CPU time and open files, read from Linux's
//! `/proc` at scrape time. Off Linux (where Tertulia is not run in
//! production) the figures read as 0.

use rustix::process::{Resource, getrlimit};
use tertulia_core::metrics::ProcessUsage;

pub(super) fn usage() -> ProcessUsage {
    ProcessUsage {
        resident_bytes: resident_pages().unwrap_or(0) * page_size(),
        cpu_seconds: cpu_ticks().unwrap_or(0) as f64 / ticks_per_second(),
        open_fds: std::fs::read_dir("/proc/self/fd").map(|entries| entries.count() as u64).unwrap_or(0),
        max_fds: getrlimit(Resource::Nofile).current.unwrap_or(0),
    }
}

fn page_size() -> u64 {
    rustix::param::page_size() as u64
}

fn ticks_per_second() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

/// The second field of `/proc/self/statm`: resident pages (proc(5)).
fn resident_pages() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    statm.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system time of all threads, in clock ticks: fields 14 and 15
/// of `/proc/self/stat` (proc(5)). They are counted after the command
/// name, which is in parentheses and may hold spaces.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_uses_memory_cpu_and_files() {
        let now = usage();
        assert!(now.resident_bytes > 1024 * 1024, "{now:?}");
        assert!(now.open_fds >= 3 && now.max_fds >= now.open_fds, "{now:?}");
        // CPU time is counted in clock ticks (10 ms), and a loaded machine
        // may give this thread none for a while: work until one is counted,
        // for ten seconds at the most.
        let spin = std::time::Instant::now();
        while usage().cpu_seconds == 0.0 && spin.elapsed() < std::time::Duration::from_secs(10) {
            std::hint::black_box(spin.elapsed());
        }
        assert!(usage().cpu_seconds > 0.0, "no CPU time counted after {:?}", spin.elapsed());
    }
}
