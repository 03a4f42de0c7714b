//! Resident memory of a server process, from Linux's `/proc/PID/status`:
//! `VmRSS` (now) and `VmHWM` (the peak since start or since the last
//! reset). Writing `5` to `/proc/PID/clear_refs` resets the peak, so each
//! scenario can report its own.

use crate::BenchError;

/// Resident set size now and at its peak, in MiB.
#[derive(Debug, Clone, Copy)]
pub struct Rss {
    pub current_mib: f64,
    pub peak_mib: f64,
}

/// Reads the resident sizes of process `pid`.
pub fn read(pid: u32) -> Result<Rss, BenchError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| BenchError::Usage(format!("cannot read the memory of process {pid}: {e} (Linux only)")))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .ok_or_else(|| BenchError::Check(format!("/proc/{pid}/status has no {name} line")))
    };
    Ok(Rss { current_mib: field("VmRSS:")?, peak_mib: field("VmHWM:")? })
}

/// Starts a new peak for process `pid` from its current size.
pub fn reset_peak(pid: u32) -> Result<(), BenchError> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
        .map_err(|e| BenchError::Usage(format!("cannot reset the peak memory of process {pid}: {e}")))
}
