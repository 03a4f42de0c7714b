//! A test binary of its own: it reads this process's resident memory,
//! which other tests running at the same time would disturb.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use tertulia_domain::password;

/// Resident memory of this process in MiB (Linux's `/proc/self/status`).
fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib / 1024.0
}

#[tokio::test(flavor = "current_thread")]
async fn hashing_returns_its_19_mib_to_the_system() {
    // glibc maps the first large block and unmaps it when freed, but that
    // free raises its threshold: later hashes would come from the blocking
    // thread's arena and stay there. So measure after a first hash.
    let stored = password::hash("correct horse battery").await.unwrap();
    let before = resident_mib();
    for _ in 0..3 {
        assert!(password::verify("correct horse battery", Some(&stored)).await);
    }
    let kept = resident_mib() - before;
    assert!(kept < 8.0, "three password checks kept {kept:.1} MiB resident; argon2 uses 19 MiB each");
}
