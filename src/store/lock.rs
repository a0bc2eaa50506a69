//! The run lock: one row naming the process that runs a sync on this store, so that two syncs
//! never write through one store at once. A holder on this machine whose process has ended is
//! stale and is taken over; a holder on another machine (a store on a shared disk) is never
//! presumed dead. The lock is released when its [`RunLock`] guard is dropped.

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::error::{StoreError, sql};
use super::{Store, connect};

/// Who holds the lock: a process on a host. Shown as "pid 1234 on host".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    pub pid: u32,
    pub host: String,
}

impl LockHolder {
    /// This process on this machine.
    pub fn this_process() -> LockHolder {
        LockHolder {
            pid: std::process::id(),
            host: this_host(),
        }
    }

    /// Whether the holder is known to be gone: a process of this machine that no longer runs.
    pub fn is_stale(&self) -> bool {
        self.host == this_host() && !process_is_running(self.pid)
    }
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {} on {}", self.pid, self.host)
    }
}

/// The held run lock; dropping it releases the lock.
pub struct RunLock {
    conn: Connection,
    holder: LockHolder,
    path: PathBuf,
}

impl RunLock {
    pub fn holder(&self) -> &LockHolder {
        &self.holder
    }

    /// Releases the lock now, reporting a failure that `Drop` would have to ignore.
    pub fn release(self) -> Result<(), StoreError> {
        self.delete_row()
            .map(|_| ())
            .map_err(sql(&self.path, "releasing the run lock"))
    }

    fn delete_row(&self) -> rusqlite::Result<usize> {
        self.conn.execute(
            "DELETE FROM run_lock WHERE pid = ?1 AND host = ?2",
            params![self.holder.pid, self.holder.host],
        )
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // A failure here leaves a row that the next run finds stale and takes over.
        let _ = self.delete_row();
    }
}

impl Store {
    /// Takes the run lock for `holder`, taking over a stale one; refuses, naming the holder and
    /// since when, while another live process holds it (this one included).
    pub fn acquire_lock(&self, holder: &LockHolder) -> Result<RunLock, StoreError> {
        let mut conn = connect(&self.path)?;
        take_lock(&mut conn, &self.path, holder)?;
        Ok(RunLock {
            conn,
            holder: holder.clone(),
            path: self.path.clone(),
        })
    }

    /// The current holder of the run lock and since when, if any.
    pub fn lock_holder(&self) -> Result<Option<(LockHolder, String)>, StoreError> {
        current_holder(&self.conn).map_err(sql(&self.path, "reading the run lock"))
    }
}

fn take_lock(conn: &mut Connection, path: &Path, holder: &LockHolder) -> Result<(), StoreError> {
    let action = "taking the run lock";
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql(path, action))?;
    if let Some((current, since)) = current_holder(&tx).map_err(sql(path, action))?
        && !current.is_stale()
    {
        return Err(StoreError::Locked {
            path: path.to_path_buf(),
            holder: current.to_string(),
            since,
        });
    }
    tx.execute(
        "INSERT OR REPLACE INTO run_lock (id, holder, pid, host) VALUES (1, ?1, ?2, ?3)",
        params![holder.to_string(), holder.pid, holder.host],
    )
    .map_err(sql(path, action))?;
    super::stop_point::reached(action);
    tx.commit().map_err(sql(path, action))
}

fn current_holder(conn: &Connection) -> rusqlite::Result<Option<(LockHolder, String)>> {
    conn.query_row(
        "SELECT pid, host, since FROM run_lock WHERE id = 1",
        [],
        |row| {
            let holder = LockHolder {
                pid: row.get(0)?,
                host: row.get(1)?,
            };
            Ok((holder, row.get(2)?))
        },
    )
    .optional()
}

fn this_host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Whether a process with this id exists on this machine: `kill(pid, 0)` sends nothing, it only
/// checks that the process exists and that we may signal it (a refusal means it exists).
#[cfg(unix)]
fn process_is_running(pid: u32) -> bool {
    use rustix::io::Errno;
    use rustix::process::{Pid, test_kill_process};

    let Some(pid) = i32::try_from(pid)
        .ok()
        .filter(|&raw| raw > 0)
        .and_then(Pid::from_raw)
    else {
        return false;
    };
    matches!(test_kill_process(pid), Ok(()) | Err(Errno::PERM))
}

/// Without a portable check, a holder is presumed alive.
#[cfg(not(unix))]
fn process_is_running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::temp_store;

    /// The id of a process that has ended (and been reaped).
    fn ended_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_name() {
        let (_dir, store) = temp_store();
        let me = LockHolder::this_process();
        let lock = store.acquire_lock(&me).unwrap();
        assert_eq!(lock.holder(), &me);
        let error = store.acquire_lock(&me).err().unwrap();
        assert!(matches!(error, StoreError::Locked { .. }), "{error}");
        assert!(error.to_string().contains(&me.to_string()), "{error}");
        let (holder, since) = store.lock_holder().unwrap().unwrap();
        assert_eq!(holder, me);
        assert!(error.to_string().contains(&since), "{error}");
    }

    #[test]
    fn dropping_the_guard_releases_the_lock() {
        let (_dir, store) = temp_store();
        let me = LockHolder::this_process();
        drop(store.acquire_lock(&me).unwrap());
        assert_eq!(store.lock_holder().unwrap(), None);
        let again = store.acquire_lock(&me).unwrap();
        again.release().unwrap();
        assert_eq!(store.lock_holder().unwrap(), None);
    }

    #[test]
    fn a_lock_left_by_an_ended_process_is_taken_over() {
        let (_dir, store) = temp_store();
        let gone = LockHolder {
            pid: ended_pid(),
            host: this_host(),
        };
        let stale = store.acquire_lock(&gone).unwrap();
        std::mem::forget(stale); // as if that process had been killed
        let me = LockHolder::this_process();
        let lock = store.acquire_lock(&me).unwrap();
        assert_eq!(store.lock_holder().unwrap().unwrap().0, me);
        drop(lock);
    }

    #[test]
    fn a_holder_on_another_machine_is_never_presumed_dead() {
        let (_dir, store) = temp_store();
        let elsewhere = LockHolder {
            pid: ended_pid(),
            host: format!("{}-elsewhere", this_host()),
        };
        std::mem::forget(store.acquire_lock(&elsewhere).unwrap());
        let error = store
            .acquire_lock(&LockHolder::this_process())
            .err()
            .unwrap();
        assert!(error.to_string().contains("-elsewhere"), "{error}");
    }
}
