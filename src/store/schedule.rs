//! The schedule a `schedule` daemon keeps on its store: the rule it runs by ("every 6h",
//! "every day at 02:30 local time"), when its next run is due and which process runs it. One
//! row, written by the daemon before each wait; read by `history` and the TUI, which say when
//! the next run is and whether the daemon is still alive.

use rusqlite::{Row, params};

use super::Store;
use super::error::{StoreError, sql};
use super::lock::LockHolder;
use super::schema::now;

/// The schedule as the daemon last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// "a sync every day at 02:30 local time".
    pub rule: String,
    /// When the next run is due, UTC ISO 8601; `None` while a run runs.
    pub next_run: Option<String>,
    pub holder: LockHolder,
    /// When the daemon wrote this, UTC ISO 8601.
    pub updated_at: String,
}

impl Store {
    /// Records the daemon's rule and its next run (`None`: a run is running now).
    pub fn record_schedule(
        &mut self,
        rule: &str,
        next_run: Option<&str>,
        holder: &LockHolder,
    ) -> Result<(), StoreError> {
        let upsert = concat!(
            "INSERT OR REPLACE INTO schedule (id, rule, next_run, pid, host, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ",
            now!(),
            ")"
        );
        self.write("recording the schedule", |tx, path| {
            tx.execute(upsert, params![rule, next_run, holder.pid, holder.host])
                .map(|_| ())
                .map_err(sql(path, "recording the schedule"))
        })
    }

    /// The schedule a daemon last recorded, if one ever ran on this store.
    pub fn schedule(&self) -> Result<Option<Schedule>, StoreError> {
        self.find(
            "SELECT rule, next_run, pid, host, updated_at FROM schedule WHERE id = 1",
            [],
            schedule_row,
            "reading the schedule",
        )
    }
}

fn schedule_row(row: &Row<'_>) -> rusqlite::Result<Schedule> {
    Ok(Schedule {
        rule: row.get(0)?,
        next_run: row.get(1)?,
        holder: LockHolder {
            pid: row.get(2)?,
            host: row.get(3)?,
        },
        updated_at: row.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::temp_store;

    #[test]
    fn the_last_recorded_schedule_is_read_back() {
        let (_dir, mut store) = temp_store();
        assert_eq!(store.schedule().unwrap(), None);
        let me = LockHolder::this_process();
        store
            .record_schedule("every 6h", Some("2026-01-01T06:00:00Z"), &me)
            .unwrap();
        store.record_schedule("every 6h", None, &me).unwrap();
        let schedule = store.schedule().unwrap().unwrap();
        assert_eq!(schedule.rule, "every 6h");
        assert_eq!(schedule.next_run, None, "the newest write wins");
        assert_eq!(schedule.holder, me);
    }
}
