//! The Sync screen and its stage machine: the plan first (a dry run: create, update, link,
//! delete and unchanged per level, the destructive ops held with the bookings each would lose,
//! what is not synced and why, the drift, and the run it would take over after a crash), held
//! ops approved one by one or all, then a question before it goes ARMED; then the run live
//! ([`live`]: a gauge per level, requests a second, sparklines of throughput and 429s, the
//! concurrency, the time left, a scrolling log, the rejected items with Condeco's message),
//! paused, resumed or cancelled, held ops approved while it runs; then how it ended, with the
//! rejected ones retried on their own (planned first as well). The state and its transitions
//! are [`state`]; this file is its keys (they ask the app for the plan, the run and the engine
//! commands, [`Action`]) and mouse; drawing is [`draw`]. Never does I/O.

mod draw;
pub mod live;
mod state;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Action, Screen};
use crate::tui::keymap::{self, Command, Table};
use crate::tui::reads::EngineCommand;
use crate::tui::widgets::Ctx;

pub use live::{Live, LogLevel};
use state::at_end;
pub use state::{List, Panes, Stage, State};

/// The key tables of each stage: only the keys that do something there.
const NONE: &[Table] = &[keymap::GLOBAL];
const IDLE: &[Table] = &[keymap::SYNC_IDLE, keymap::GLOBAL];
const PLANNED: &[Table] = &[keymap::SYNC_PLAN, keymap::SCROLL, keymap::GLOBAL];
const CONFIRMING: &[Table] = &[keymap::SYNC_ARM];
const RUNNING: &[Table] = &[keymap::SYNC_RUNNING, keymap::SCROLL, keymap::GLOBAL];
const FINISHED: &[Table] = &[keymap::SYNC_DONE, keymap::SCROLL, keymap::GLOBAL];
const FINISHED_REJECTED: &[Table] = &[
    keymap::SYNC_RETRY,
    keymap::SYNC_DONE,
    keymap::SCROLL,
    keymap::GLOBAL,
];

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        let command = keymap::lookup(self.tables(), &key)?;
        match (command, &self.stage) {
            (Command::Accept, Stage::Confirming) => Some(Action::StartSync {
                approved: self.approved.clone(),
                retry_rejected: self.plan.as_ref().is_some_and(|p| p.retry_rejected),
            }),
            (Command::Dismiss, Stage::Confirming) => {
                self.stage = Stage::Planned;
                Some(Action::Message("not started: nothing was written".into()))
            }
            (Command::Refresh, Stage::Idle | Stage::Failed(_) | Stage::Planned) => {
                Some(Action::Plan {
                    retry_rejected: false,
                })
            }
            (Command::StartSync, Stage::Planned) => {
                self.stage = Stage::Confirming;
                None
            }
            (Command::StartSync, Stage::Finished) => Some(Action::Plan {
                retry_rejected: false,
            }),
            (Command::RetryRejected, Stage::Finished) => Some(Action::Plan {
                retry_rejected: true,
            }),
            (Command::ApproveHeld, _) => self.approve_selected(),
            (Command::ApproveAll, _) => self.approve_all(),
            (Command::PauseResume, Stage::Running) => {
                self.stage = Stage::Paused;
                self.note("paused: the writes in flight finish, no new one starts".into());
                Some(Action::Engine(EngineCommand::Pause))
            }
            (Command::PauseResume, Stage::Paused) => {
                self.stage = Stage::Running;
                self.note("resumed".into());
                Some(Action::Engine(EngineCommand::Resume))
            }
            (Command::CancelRun, Stage::Running | Stage::Paused) => {
                self.stage = Stage::Stopping;
                self.note("cancelling: the writes in flight finish, then the run ends".into());
                Some(Action::Engine(EngineCommand::Cancel))
            }
            (Command::LogDetail, _) => {
                if let Some(live) = &mut self.live {
                    live.level = match live.level {
                        LogLevel::Events => LogLevel::Ops,
                        LogLevel::Ops => LogLevel::Events,
                    };
                    self.log_scroll = None;
                }
                None
            }
            (Command::NextPane | Command::PrevPane, _) => {
                self.next_list(command == Command::NextPane);
                None
            }
            (
                Command::Up
                | Command::Down
                | Command::PageUp
                | Command::PageDown
                | Command::Top
                | Command::Bottom,
                _,
            ) => {
                self.movement(command);
                None
            }
            (other, _) => Some(Action::Global(other)),
        }
    }

    fn click(&mut self, _area: Rect, column: u16, row: u16) -> Option<Action> {
        let list = Panes::of(self.area, self).list;
        let inside =
            list.contains((column, row).into()) && row > list.y && row + 1 < list.y + list.height;
        if !inside || self.list == List::Log {
            return None;
        }
        let at = self.cursor.offset + usize::from(row - list.y - 1);
        let (len, height) = (self.list_len(), self.list_height());
        if at < len {
            self.cursor.select(at, len, height);
        }
        None
    }

    fn wheel(&mut self, _area: Rect, _column: u16, _row: u16, delta: isize) {
        let (len, height) = (self.list_len(), self.list_height());
        if self.list == List::Log {
            let mut scroll = self.log_scroll.unwrap_or_else(|| at_end(len, height));
            scroll.wheel(delta, len, height);
            self.log_scroll = (scroll != at_end(len, height)).then_some(scroll);
        } else {
            self.cursor.scroll(delta, len, height);
        }
    }

    fn resize(&mut self, area: Rect) {
        self.area = area;
    }

    fn opened(&mut self) -> Option<Action> {
        let unplanned = matches!(self.stage, Stage::Idle);
        let replan = self.stale && matches!(self.stage, Stage::Planned | Stage::Failed(_));
        (unplanned || replan).then_some(Action::Plan {
            retry_rejected: false,
        })
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        draw::render(frame, area, self, ctx);
    }

    fn tables(&self) -> &'static [Table] {
        match self.stage {
            Stage::NotConfigured(_) | Stage::Planning => NONE,
            Stage::Idle | Stage::Failed(_) => IDLE,
            Stage::Planned => PLANNED,
            Stage::Confirming => CONFIRMING,
            Stage::Running | Stage::Paused | Stage::Stopping => RUNNING,
            Stage::Finished if self.report.as_ref().is_some_and(|r| !r.rejected.is_empty()) => {
                FINISHED_REJECTED
            }
            Stage::Finished => FINISHED,
        }
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        ("Sync", self.tables())
    }
}
