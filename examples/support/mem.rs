//! What the examples share: the process's peak resident memory, from Linux's
//! `/proc/self/status` (VmHWM).

use std::error::Error;

/// Peak resident memory of this process so far, in KiB.
pub fn peak_rss_kib() -> Result<u64, Box<dyn Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("bad VmHWM line")?
        .parse()?)
}
