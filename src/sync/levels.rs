//! The executor both directions share (the sync to Condeco in [`super::apply`], the upload to
//! Eptura in [`super::upload`]): a plan's ops run level by level, parents' level first, and
//! within a level up to `concurrency` ops at once. Pause and cancel ([`Control`]) act between
//! ops, never inside one: an op that started finishes and is settled, so its outcome (and any
//! mapping or count it brings) is never lost. A fatal error stops the level from starting new
//! ops; those in flight finish. What an op does, and what its outcome means, is the caller's:
//! this module owns only the order, the concurrency and the stopping.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Pause and cancel, as the engine handle (or the TUI's upload) sets them.
#[derive(Debug, Clone)]
pub struct Control {
    pub cancel: CancellationToken,
    pub paused: watch::Receiver<bool>,
    /// Hold ids the operator approved while the run ran: their ops run after the rest.
    pub approved: Arc<Mutex<BTreeSet<String>>>,
}

impl Control {
    /// Neither paused nor cancellable from outside (the plain `sync` command).
    pub fn detached() -> (Control, watch::Sender<bool>) {
        Self::cancelled_by(CancellationToken::new())
    }

    /// Cancelled by `cancel`, never paused; the sender pauses it.
    pub fn cancelled_by(cancel: CancellationToken) -> (Control, watch::Sender<bool>) {
        let (tx, rx) = watch::channel(false);
        (
            Control {
                cancel,
                paused: rx,
                approved: Arc::default(),
            },
            tx,
        )
    }

    /// The same pause and approvals under a child token: a fatal error can stop this run's new
    /// ops without cancelling the caller's token.
    pub fn child(&self) -> Control {
        Control {
            cancel: self.cancel.child_token(),
            paused: self.paused.clone(),
            approved: self.approved.clone(),
        }
    }

    /// Wait while paused; `false` when cancelled.
    pub async fn proceed(&self) -> bool {
        let mut paused = self.paused.clone();
        loop {
            if self.cancel.is_cancelled() {
                return false;
            }
            if !*paused.borrow_and_update() {
                return true;
            }
            tokio::select! {
                _ = self.cancel.cancelled() => return false,
                changed = paused.changed() => if changed.is_err() { return true; },
            }
        }
    }
}

/// Why a level stopped before its last op.
#[derive(Debug)]
pub enum Halt<E> {
    Cancelled,
    /// An op failed in a way that stops the run (the first such error).
    Failed(E),
}

/// Run one level's `ops`, at most `concurrency` at once, each through `run`; every outcome is
/// handed to `settle` as it comes in (completion order). Once `control` is cancelled or an op
/// fails fatally (`Err`), no new op starts: those in flight finish and are settled, and the
/// reason is returned. A fatal error cancels `control` (pass a [`Control::child`] to keep the
/// caller's token).
pub async fn run_level<'o, O, T, E, F, Fut>(
    ops: &[&'o O],
    concurrency: usize,
    control: &Control,
    run: F,
    mut settle: impl FnMut(&'o O, T),
) -> Option<Halt<E>>
where
    F: Fn(&'o O) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut waiting = ops.iter().copied();
    let mut running = FuturesUnordered::new();
    let mut halt = None;
    loop {
        while halt.is_none() && running.len() < concurrency.max(1) {
            let Some(op) = waiting.next() else {
                break;
            };
            let started = &run;
            running.push(async move {
                let outcome = match control.proceed().await {
                    true => Some(started(op).await),
                    false => None,
                };
                (op, outcome)
            });
        }
        let Some((op, outcome)) = running.next().await else {
            break;
        };
        match outcome {
            Some(Ok(done)) => settle(op, done),
            None => {
                halt.get_or_insert(Halt::Cancelled);
            }
            Some(Err(error)) => {
                if !matches!(halt, Some(Halt::Failed(_))) {
                    halt = Some(Halt::Failed(error));
                }
                control.cancel.cancel();
            }
        }
    }
    halt
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_level_runs_every_op_within_its_concurrency() {
        let (control, _pause) = Control::detached();
        let ops: Vec<u32> = (0..20).collect();
        let refs: Vec<&u32> = ops.iter().collect();
        let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let mut settled = Vec::new();
        let halt: Option<Halt<()>> = run_level(
            &refs,
            3,
            &control,
            |op| {
                let (now, most) = (&now, &most);
                async move {
                    let at_once = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(at_once, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    Ok(*op * 2)
                }
            },
            |op, doubled| settled.push((*op, doubled)),
        )
        .await;
        assert!(halt.is_none());
        settled.sort_unstable();
        assert_eq!(settled, ops.iter().map(|o| (*o, o * 2)).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_fatal_error_starts_nothing_new_but_settles_what_was_in_flight() {
        let (control, _pause) = Control::detached();
        let caller = control.cancel.clone();
        let run = control.child();
        let ops: Vec<u32> = (0..50).collect();
        let refs: Vec<&u32> = ops.iter().collect();
        let started = AtomicUsize::new(0);
        let mut settled = 0;
        let halt = run_level(
            &refs,
            4,
            &run,
            |op| {
                let started = &started;
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    if *op == 5 { Err("refused") } else { Ok(()) }
                }
            },
            |_, ()| settled += 1,
        )
        .await;
        assert!(matches!(halt, Some(Halt::Failed("refused"))));
        let started = started.load(Ordering::SeqCst);
        assert!(
            started < 10,
            "{started} ops started after a fatal error at the sixth"
        );
        assert_eq!(settled, started - 1, "every other started op is settled");
        assert!(!caller.is_cancelled(), "the caller's token is left alone");
    }

    #[tokio::test]
    async fn a_cancelled_control_runs_nothing() {
        let (control, _pause) = Control::detached();
        control.cancel.cancel();
        let ops = [1, 2, 3];
        let refs: Vec<&i32> = ops.iter().collect();
        let mut settled = 0;
        let halt: Option<Halt<()>> = run_level(
            &refs,
            2,
            &control,
            |_| async { Ok(()) },
            |_, ()| settled += 1,
        )
        .await;
        assert!(matches!(halt, Some(Halt::Cancelled)));
        assert_eq!(settled, 0);
    }
}
