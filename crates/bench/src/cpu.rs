//! CPU time a server process has used, from Linux's `/proc/PID/stat`
//! (`utime` + `stime`, user and system time of all its threads).

use std::time::Duration;

use crate::BenchError;

/// Clock ticks per second of `/proc/PID/stat` times: the kernel reports
/// them in USER_HZ, which is 100 on every architecture Linux exposes to
/// user space (`getconf CLK_TCK`).
const TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time process `pid` has used since it started.
pub fn used(pid: u32) -> Result<Duration, BenchError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| BenchError::Usage(format!("cannot read the CPU time of process {pid}: {e} (Linux only)")))?;
    ticks(&stat)
        .map(|ticks| Duration::from_millis(ticks * 1_000 / TICKS_PER_SECOND))
        .ok_or_else(|| BenchError::Check(format!("/proc/{pid}/stat has no CPU times: {stat}")))
}

/// `utime + stime` of a `/proc/PID/stat` line: fields 14 and 15, counted
/// after the command name, which is in parentheses and may hold spaces.
fn ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Fields from the third (state); utime is the 14th, so the 12th here.
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::ticks;

    #[test]
    fn user_and_system_ticks_follow_a_name_with_spaces() {
        let stat = "4242 (tokio worker) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 75 0 0 20 0 9 0 100 0 0";
        assert_eq!(ticks(stat), Some(325));
        assert_eq!(ticks("4242 (x) S"), None);
    }

    #[test]
    fn reads_this_process() {
        assert!(super::used(std::process::id()).is_ok());
    }
}
