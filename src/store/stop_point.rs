//! A hook for crash tests, and nothing else: `SPACEBRIDGE_STOP_AT="ACTION:N"` makes the process
//! stop inside the N-th store transaction doing ACTION (the action names of the store's error
//! messages: "completing a write intent", "starting a run", ...), its work done but not
//! committed, say so on stderr and wait there to be killed, so that a test can SIGKILL it at
//! exactly that point. Unset, as everywhere but in those tests, a transaction pays one check of
//! a value read once. It never commits, rolls back or changes anything.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The environment variable a crash test sets.
pub const STOP_AT: &str = "SPACEBRIDGE_STOP_AT";

/// How long a stopped process waits to be killed before it aborts by itself.
const WAIT_TO_BE_KILLED: Duration = Duration::from_secs(300);

/// The transaction to stop in, and how many of its kind were seen so far.
struct StopPoint {
    action: String,
    nth: u64,
    seen: AtomicU64,
}

fn stop_point() -> Option<&'static StopPoint> {
    static POINT: OnceLock<Option<StopPoint>> = OnceLock::new();
    POINT
        .get_or_init(|| {
            let text = std::env::var(STOP_AT).ok()?;
            let (action, nth) = text.rsplit_once(':')?;
            Some(StopPoint {
                action: action.trim().to_string(),
                nth: nth.trim().parse().ok()?,
                seen: AtomicU64::new(0),
            })
        })
        .as_ref()
}

/// Called inside every store transaction, before it commits.
pub(super) fn reached(action: &str) {
    let Some(point) = stop_point() else {
        return;
    };
    if point.action != action || point.seen.fetch_add(1, Ordering::SeqCst) + 1 != point.nth {
        return;
    }
    eprintln!(
        "spacebridge: stopped inside \"{action}\" #{} ({STOP_AT}), waiting to be killed",
        point.nth
    );
    std::thread::sleep(WAIT_TO_BE_KILLED);
    std::process::abort();
}
