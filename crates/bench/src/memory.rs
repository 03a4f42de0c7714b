//! Resident memory of a server process, from Linux's `/proc/PID/status`:
//! `VmRSS` (now) and `VmHWM` (the peak since start or since the last
//! reset). Writing `5` to `/proc/PID/clear_refs` resets the peak, so each
//! scenario can report its own.

use crate::{BenchError, report};

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

#[derive(Debug, clap::Args)]
pub struct MemoryArgs {
    /// Process id of the running `tertulia serve`.
    #[arg(long)]
    pid: u32,
    /// What the server has just done, for the report ("idle", "timelines"…).
    #[arg(long)]
    label: String,
    /// Start a new peak after reading, so the next reading covers only
    /// what happens in between.
    #[arg(long)]
    reset: bool,
}

/// `tertulia-bench memory`: prints a server's resident size now and at
/// its peak.
pub fn run(args: MemoryArgs) -> Result<(), BenchError> {
    let rss = read(args.pid)?;
    if args.reset {
        reset_peak(args.pid)?;
    }
    report::json_line(&serde_json::json!({
        "scenario": "memory",
        "label": args.label,
        "pid": args.pid,
        "rss_mib": report::round(rss.current_mib),
        "peak_rss_mib": report::round(rss.peak_mib),
    }));
    report::table(
        &["server memory", "RSS MiB", "peak RSS MiB"],
        &[vec![args.label, format!("{:.1}", rss.current_mib), format!("{:.1}", rss.peak_mib)]],
    );
    Ok(())
}
