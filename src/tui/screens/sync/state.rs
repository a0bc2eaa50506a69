//! The Sync screen's state and its stage machine's transitions (what the plan, the run's
//! events, the operator's approvals and the run's end do to it), and where its parts sit
//! ([`Panes`], shared by drawing and the mouse). Never draws, never does I/O.

use std::collections::BTreeSet;
use std::time::Instant;

use ratatui::layout::{Constraint, Layout, Rect};

use super::live::Live;
use crate::domain::SyncKind;
use crate::sync::engine::HeldOp;
use crate::sync::{Event, SyncReport};
use crate::tui::keymap::Command;
use crate::tui::list::Cursor;
use crate::tui::reads::{EngineCommand, PlanRead};
use crate::tui::screens::Action;
use crate::tui::widgets::Scroll;

/// Rows of the plan box besides the levels: border, header, total, and three lines of notes.
const PLAN_EXTRA: u16 = 2 + 1 + 1 + 3;

/// Where the parts of the screen sit.
#[derive(Debug, Clone, Copy)]
pub struct Panes {
    /// The plan box, or the live view's lines above the list.
    pub top: Rect,
    /// The list below.
    pub list: Rect,
}

impl Panes {
    pub fn of(area: Rect, state: &State) -> Panes {
        let wanted = match &state.live {
            Some(live) => 4 + live.gauges.len() as u16,
            None => SyncKind::ALL.len() as u16 + PLAN_EXTRA,
        };
        // The list keeps at least five rows (three of content).
        let top = wanted.min(area.height.saturating_sub(5));
        let [top, list] =
            Layout::vertical([Constraint::Length(top), Constraint::Min(0)]).areas(area);
        Panes { top, list }
    }
}

/// Where the sync stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The session lacks a setting: each one, with how to set it.
    NotConfigured(Vec<String>),
    /// No plan yet.
    Idle,
    /// The dry run runs (nothing is written).
    Planning,
    /// The plan is shown; nothing written.
    Planned,
    /// The question before going ARMED.
    Confirming,
    /// The run writes (ARMED).
    Running,
    /// Paused: the writes in flight finished, no new one starts.
    Paused,
    /// Cancelled: the writes in flight finish, then the run ends.
    Stopping,
    /// The run ended (its report in [`State::report`]).
    Finished,
    /// The plan or the run could not be made; nothing (more) was written.
    Failed(String),
}

/// The lists below the plan or the live view; Tab cycles them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum List {
    /// The destructive ops held for approval.
    #[default]
    Held,
    /// What does not sync and why.
    NotSynced,
    /// Mapped entities changed in Condeco directly.
    Drift,
    /// The run's log.
    Log,
    /// What Condeco rejected, with its message.
    Rejected,
}

impl List {
    /// The lists offered in a stage, in Tab order.
    fn offered(running: bool) -> &'static [List] {
        if running {
            &[List::Log, List::Rejected, List::Held]
        } else {
            &[List::Held, List::NotSynced, List::Drift]
        }
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub stage: Stage,
    pub plan: Option<PlanRead>,
    /// Held ops the operator approved (by hold id), on the plan or while the run runs.
    pub approved: BTreeSet<String>,
    pub live: Option<Live>,
    /// The report of the run that ended.
    pub report: Option<SyncReport>,
    pub list: List,
    pub cursor: Cursor,
    /// The log follows its end unless the operator scrolled up.
    pub log_scroll: Option<Scroll>,
    /// Open the question before going ARMED as soon as the plan arrives (History's "sync now").
    pub arm_when_planned: bool,
    /// Something changed since the plan was made (a decision, an upload): plan again when shown.
    pub stale: bool,
    pub area: Rect,
}

impl State {
    /// A screen that plans when first shown, or says what to set.
    pub fn new(missing: Vec<String>) -> State {
        State {
            stage: match missing.is_empty() {
                true => Stage::Idle,
                false => Stage::NotConfigured(missing),
            },
            plan: None,
            approved: BTreeSet::new(),
            live: None,
            report: None,
            list: List::default(),
            cursor: Cursor::default(),
            log_scroll: None,
            arm_when_planned: false,
            stale: false,
            area: Rect::default(),
        }
    }

    /// What the steps line says of the sync: running or paused.
    pub fn note_for_steps(&self) -> Option<String> {
        match self.stage {
            Stage::Paused => Some("paused".into()),
            Stage::Running | Stage::Stopping => Some("syncing".into()),
            _ => None,
        }
    }

    /// Whether a run writes now: the header says ARMED.
    pub fn is_armed(&self) -> bool {
        matches!(self.stage, Stage::Running | Stage::Paused | Stage::Stopping)
    }

    /// The dry run started.
    pub fn planning(&mut self) {
        self.stage = Stage::Planning;
        self.stale = false;
    }

    /// The plan arrived, or why there is none.
    pub fn planned(&mut self, result: Result<Box<PlanRead>, String>) {
        match result {
            Ok(plan) => {
                // Approvals stay for the ops still held in the new plan.
                let held: BTreeSet<&str> =
                    held_ops(&plan.report).map(|h| h.hold.id.as_str()).collect();
                self.approved.retain(|id| held.contains(id.as_str()));
                // The held ops first when there are any: they wait for the operator.
                self.list = match plan.report.held_destructive.is_empty() {
                    true => List::NotSynced,
                    false => List::Held,
                };
                self.plan = Some(*plan);
                // A new plan: what the last run showed is history now (History has it).
                self.live = None;
                self.report = None;
                self.stage = Stage::Planned;
                self.cursor = Cursor::default();
                if std::mem::take(&mut self.arm_when_planned) {
                    self.stage = Stage::Confirming;
                }
            }
            Err(message) => {
                self.arm_when_planned = false;
                self.stage = Stage::Failed(message);
            }
        }
    }

    /// The run the operator confirmed started.
    pub fn started(&mut self, now: Instant) {
        let planned = self
            .plan
            .as_ref()
            .map(|p| p.report.ops.clone())
            .unwrap_or_default();
        self.live = Some(Live::new(now, &planned));
        self.report = None;
        self.stage = Stage::Running;
        self.list = List::Log;
        self.cursor = Cursor::default();
        self.log_scroll = None;
    }

    /// Events of the running sync, as they arrived at `now`.
    pub fn events(&mut self, events: Vec<Event>, now: Instant) {
        if let Some(live) = &mut self.live {
            live.absorb(events, now);
        }
    }

    /// The run ended: its report, or why it could not start. Returns what the status line
    /// should say.
    pub fn finished(&mut self, result: Result<Box<SyncReport>, String>) -> String {
        self.stale = true;
        match result {
            Ok(report) => {
                let said = summary(&report);
                self.stage = Stage::Finished;
                if !report.rejected.is_empty() {
                    self.list = List::Rejected;
                    self.cursor = Cursor::default();
                }
                self.report = Some(*report);
                said
            }
            Err(message) => {
                let said = format!("✗ the sync could not start: {message}");
                self.stage = Stage::Failed(message);
                said
            }
        }
    }

    /// The held ops of the plan (or of the run's report once it ended).
    pub fn held(&self) -> Vec<&HeldOp> {
        match (&self.report, &self.plan) {
            (Some(report), _) => held_ops(report).collect(),
            (None, Some(plan)) => held_ops(&plan.report).collect(),
            _ => Vec::new(),
        }
    }

    pub(super) fn list_len(&self) -> usize {
        let plan = self.plan.as_ref().map(|p| &p.report);
        match self.list {
            List::Held => self.held().len(),
            List::NotSynced => plan.map_or(0, |p| p.skipped.len()),
            List::Drift => plan.map_or(0, |p| p.drift.len()),
            List::Log => self.live.as_ref().map_or(0, |l| l.shown_log().count()),
            List::Rejected => self.rejected_len(),
        }
    }

    fn rejected_len(&self) -> usize {
        match (&self.report, &self.live) {
            (Some(report), _) => report.rejected.len(),
            (None, Some(live)) => live.rejected.len(),
            _ => 0,
        }
    }

    pub(super) fn list_height(&self) -> usize {
        usize::from(Panes::of(self.area, self).list.height.saturating_sub(2)).max(1)
    }

    /// `d`: approve the selected held op (on the plan, `d` again holds it again).
    pub(super) fn approve_selected(&mut self) -> Option<Action> {
        if self.list != List::Held {
            self.list = List::Held;
            self.cursor = Cursor::default();
            return Some(Action::Message(
                "the held ops are listed now: d again approves the selected one".into(),
            ));
        }
        let held = self.held();
        let op = held.get(self.cursor.selected)?;
        let id = op.hold.id.clone();
        let bookings = op.hold.bookings;
        if self.is_armed() {
            if !self.approved.insert(id.clone()) {
                return Some(Action::Message(format!("{id} is approved already")));
            }
            self.note(format!(
                "approved {id}: it runs after the rest, under the deletion cap"
            ));
            return Some(Action::Engine(EngineCommand::Approve(vec![id])));
        }
        let said = if self.approved.remove(&id) {
            format!("{id} is held again")
        } else {
            self.approved.insert(id.clone());
            format!("{id} approved: {bookings} booking(s) will be lost when the sync runs")
        };
        Some(Action::Message(said))
    }

    /// `D`: approve every held op.
    pub(super) fn approve_all(&mut self) -> Option<Action> {
        let ids: Vec<String> = (self.held().into_iter())
            .map(|h| h.hold.id.clone())
            .filter(|id| !self.approved.contains(id))
            .collect();
        if ids.is_empty() {
            return Some(Action::Message("no held op left to approve".into()));
        }
        self.approved.extend(ids.iter().cloned());
        if !self.is_armed() {
            return Some(Action::Message(format!(
                "{} held op(s) approved",
                ids.len()
            )));
        }
        self.note(format!(
            "approved {} held op(s): they run after the rest, under the deletion cap",
            ids.len()
        ));
        Some(Action::Engine(EngineCommand::Approve(ids)))
    }

    pub(super) fn note(&mut self, text: String) {
        if let Some(live) = &mut self.live {
            let now = live.started_at + live.log.back().map(|l| l.at).unwrap_or_default();
            live.note(now, "·", text);
        }
    }

    pub(super) fn movement(&mut self, command: Command) -> bool {
        let (len, height) = (self.list_len(), self.list_height());
        if self.list == List::Log {
            let mut scroll = self.log_scroll.unwrap_or_else(|| at_end(len, height));
            let moved = scroll.apply(command, len, height);
            // Back at the end: follow it again.
            self.log_scroll = (scroll != at_end(len, height)).then_some(scroll);
            return moved;
        }
        self.cursor.apply(command, len, height)
    }

    pub(super) fn next_list(&mut self, forward: bool) {
        let offered = List::offered(self.live.is_some());
        let at = offered.iter().position(|l| *l == self.list).unwrap_or(0);
        let step = if forward { 1 } else { offered.len() - 1 };
        self.list = offered[(at + step) % offered.len()];
        self.cursor = Cursor::default();
    }
}

/// A scroll position at the end of text `len` lines long seen `height` at a time.
pub(super) fn at_end(len: usize, height: usize) -> Scroll {
    let mut scroll = Scroll::default();
    scroll.apply(Command::Bottom, len, height);
    scroll
}

fn held_ops(report: &SyncReport) -> impl Iterator<Item = &HeldOp> {
    report.held_destructive.iter()
}

/// The status line when a run ends.
fn summary(report: &SyncReport) -> String {
    let run = report
        .run_id
        .map(|r| format!("run {r} "))
        .unwrap_or_default();
    let ops = report.ops.summary();
    match report.status.as_str() {
        "succeeded" => format!("✓ {run}succeeded: {ops}"),
        "partial" => format!(
            "⚠ {run}partial: {} rejected by Condeco (listed with its message); fix them, then \
             r retries just those",
            report.rejected.len()
        ),
        "cancelled" => format!("⊘ {run}cancelled: {ops} done; the next sync resumes the rest"),
        _ => format!(
            "✗ {run}failed: {}; the next sync resumes it",
            report.reason.as_deref().unwrap_or("see the log")
        ),
    }
}
