//! The History screen: the runs kept in the mapping store (initial, daily, resumed), newest
//! first, each with its status, start, duration, ops, requests, rejected and drift counts; the
//! schedule a daemon keeps on the store (its rule, when its next run is due, whether it still
//! runs); a run drilled into (`Enter`) shows its rejected items with Condeco's message and its
//! drift report; `s` starts a sync now (the plan first). Owns its [`State`]; the app reads the
//! store for it ([`Action::ReadHistory`], [`Action::ReadRun`]). Never does I/O.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Action, Screen, lacking};
use crate::domain::when::{human_duration, short_time};
use crate::store::{Run, RunStatus};
use crate::tui::keymap::{self, Command, Table};
use crate::tui::list::Cursor;
use crate::tui::reads::{HistoryRead, RunDetail};
use crate::tui::widgets::{
    Ctx, Scroll, fit_words, message_screen, pane, plural, render_list, text_box, truncate,
    wrap_words, wrapped_height,
};

const TABLES: &[Table] = &[keymap::HISTORY, keymap::SCROLL, keymap::GLOBAL];

/// Where the history stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    NotConfigured(Vec<String>),
    Idle,
    Reading,
    Ready,
    Failed(String),
}

/// The panes, in the order Tab visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Runs,
    Detail,
}

/// Where the parts sit; shared by drawing and the mouse.
#[derive(Debug, Clone, Copy)]
pub struct Panes {
    pub schedule: Rect,
    pub runs: Rect,
    pub detail: Rect,
}

impl Panes {
    pub fn of(area: Rect) -> Panes {
        let [schedule, body] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        let [runs, detail] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
        Panes {
            schedule,
            runs,
            detail,
        }
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub stage: Stage,
    pub read: Option<HistoryRead>,
    pub cursor: Cursor,
    /// The run drilled into.
    pub detail: Option<RunDetail>,
    pub detail_scroll: Scroll,
    pub focus: Pane,
    pub area: Rect,
}

impl State {
    pub fn new(missing: Vec<String>) -> State {
        State {
            stage: match missing.is_empty() {
                true => Stage::Idle,
                false => Stage::NotConfigured(missing),
            },
            read: None,
            cursor: Cursor::default(),
            detail: None,
            detail_scroll: Scroll::default(),
            focus: Pane::default(),
            area: Rect::default(),
        }
    }

    pub fn reading(&mut self) {
        if self.read.is_none() {
            self.stage = Stage::Reading;
        }
    }

    /// The store's runs, or why they cannot be read.
    pub fn history(&mut self, result: Result<Box<HistoryRead>, String>) {
        match result {
            Ok(read) => {
                let keep = self.selected().map(|r| r.run_id);
                self.read = Some(*read);
                self.stage = Stage::Ready;
                let runs = self.runs();
                let at = keep
                    .and_then(|id| runs.iter().position(|r| r.run_id == id))
                    .unwrap_or(0);
                let len = runs.len();
                self.cursor.select(at, len, self.runs_height());
            }
            Err(message) => self.stage = Stage::Failed(message),
        }
    }

    /// One run's rejected items and drift.
    pub fn detail(&mut self, result: Result<Box<RunDetail>, String>) -> Option<String> {
        match result {
            Ok(detail) => {
                self.detail = Some(*detail);
                self.detail_scroll = Scroll::default();
                self.focus = Pane::Detail;
                None
            }
            Err(message) => Some(format!("✗ {message}")),
        }
    }

    fn runs(&self) -> &[Run] {
        self.read.as_ref().map_or(&[], |r| r.runs.as_slice())
    }

    pub fn selected(&self) -> Option<&Run> {
        self.runs().get(self.cursor.selected)
    }

    fn runs_height(&self) -> usize {
        usize::from(Panes::of(self.area).runs.height.saturating_sub(3)).max(1)
    }

    fn detail_rows(&self) -> (usize, usize) {
        let rect = Panes::of(self.area).detail;
        let width = rect.width.saturating_sub(2);
        let lines = self.detail_lines(usize::from(width));
        (
            wrapped_height(&lines, width),
            usize::from(rect.height.saturating_sub(2)).max(1),
        )
    }

    /// The selected run: its counts, and once drilled into, its rejected items and drift.
    fn detail_lines(&self, width: usize) -> Vec<Line<'static>> {
        let Some(run) = self.selected() else {
            return vec![Line::raw(
                "No sync has run on this store yet: 4 plans one, or s here.",
            )];
        };
        let mut text = vec![
            format!(
                "run {} ({}) {} {} · started {} · {}",
                run.run_id,
                run.kind,
                status_symbol(run.status),
                run.status,
                short_time(&run.started),
                run.duration_seconds()
                    .map_or_else(|| "running".into(), human_duration)
            ),
            format!(
                "ops {} (created, updated, linked, deleted) · requests {} Eptura, {} Condeco",
                run.ops.summary(),
                run.requests.eptura,
                run.requests.condeco
            ),
        ];
        match self.detail.as_ref().filter(|d| d.run == run.run_id) {
            None => text.push(format!(
                "{} rejected · {} drift · ⏎ shows them",
                run.rejected, run.drift
            )),
            Some(detail) => text.extend(drill(detail, self.read.as_ref())),
        }
        text.iter()
            .flat_map(|t| wrap_words(t, width.max(1)))
            .map(Line::raw)
            .collect()
    }
}

/// A run's rejected items (with Condeco's message, and whether a later write cleared them) and
/// its drift.
fn drill(detail: &RunDetail, read: Option<&HistoryRead>) -> Vec<String> {
    let mut text = Vec::new();
    if detail.rejected.is_empty() {
        text.push("✓ nothing rejected".into());
    } else {
        text.push(format!("rejected by Condeco ({}):", detail.rejected.len()));
        for item in &detail.rejected {
            let cleared = (item.cleared_at.as_deref())
                .map(|at| format!(" (since written, {})", short_time(at)))
                .unwrap_or_default();
            text.push(format!(
                "  ✗ {} {} ({}): {}{cleared}",
                item.eptura.kind(),
                item.eptura,
                item.http_status,
                item.message
            ));
        }
        if read.is_some_and(|r| r.outstanding > 0) {
            text.push(
                "  fix what each message names, then 4 Sync and r there retries just them".into(),
            );
        }
    }
    if detail.drift.is_empty() {
        text.push("✓ no drift".into());
    } else {
        text.push(format!("drift found in Condeco ({}):", detail.drift.len()));
        for drift in &detail.drift {
            let fields = match drift.fields.is_empty() {
                true => String::new(),
                false => format!(": {}", drift.fields.join(", ")),
            };
            text.push(format!(
                "  {} {} (Condeco {}) {}{fields}: put back by that run",
                drift.kind, drift.eptura, drift.condeco, drift.change
            ));
        }
    }
    text
}

fn status_symbol(status: RunStatus) -> &'static str {
    super::sync::live::status_symbol(status)
}

/// One run as a row of the list, fitted to `width`.
fn run_row(run: &Run, width: usize) -> String {
    let started = short_time(&run.started);
    let duration = run
        .duration_seconds()
        .map_or_else(|| "running".into(), human_duration);
    let status = format!("{} {}", status_symbol(run.status), run.status);
    let row = if width >= 100 {
        format!(
            "{:>4}  {:<8} {:<12} {:<19} {:>9}  {:<20} {:>11} {:>4} {:>5}",
            run.run_id,
            run.kind.to_string(),
            status,
            started,
            duration,
            run.ops.summary(),
            format!("{}/{}", run.requests.eptura, run.requests.condeco),
            run.rejected,
            run.drift
        )
    } else {
        format!(
            "{:>3} {:<7} {:<11} {:<11} {:>8} {:<15} {:>3} {:>3}",
            run.run_id,
            run.kind.to_string(),
            status,
            started.get(5..16).unwrap_or(&started),
            duration,
            run.ops.summary(),
            run.rejected,
            run.drift
        )
    };
    truncate(&row, width)
}

fn header(width: usize) -> String {
    let row = if width >= 100 {
        format!(
            "{:>4}  {:<8} {:<12} {:<19} {:>9}  {:<20} {:>11} {:>4} {:>5}",
            "RUN",
            "KIND",
            "STATUS",
            "STARTED (UTC)",
            "DURATION",
            "OPS +NEW ~UPD =LNK -DEL",
            "REQ E/C",
            "REJ",
            "DRIFT"
        )
    } else {
        format!(
            "{:>3} {:<7} {:<11} {:<11} {:>8} {:<15} {:>3} {:>3}",
            "RUN", "KIND", "STATUS", "STARTED", "TOOK", "+NEW ~UPD =L -D", "REJ", "DR"
        )
    };
    truncate(&row, width)
}

/// The schedule's two lines: when the next run is due (first: what an operator looks for),
/// then the rule and the daemon that runs it.
fn schedule_lines(read: &HistoryRead) -> [String; 2] {
    let counts = format!(
        "{} · {} rejection(s) not cleared yet",
        plural(read.runs.len() as u32, "run"),
        read.outstanding
    );
    let Some(schedule) = &read.schedule else {
        return [
            "No schedule: `spacebridge schedule --at 02:30` runs the daily sync".into(),
            format!("cron or a systemd timer also do (README) · {counts}"),
        ];
    };
    let next = match (&schedule.next_run, read.daemon_alive) {
        (_, false) => format!(
            "⚠ its daemon ({}) is not running: start it again",
            schedule.holder
        ),
        (Some(next), true) => format!("Next run {} UTC", short_time(next)),
        (None, true) => "A scheduled run is running now".to_string(),
    };
    [
        format!("{next} · {}", schedule.rule),
        format!("daemon {} · {counts}", schedule.holder),
    ]
}

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        let command = keymap::lookup(TABLES, &key)?;
        match command {
            Command::Refresh if !matches!(self.stage, Stage::NotConfigured(_)) => {
                Some(Action::ReadHistory)
            }
            Command::StartSync if !matches!(self.stage, Stage::NotConfigured(_)) => {
                Some(Action::SyncNow)
            }
            Command::Open => self.selected().map(|run| Action::ReadRun(run.run_id)),
            Command::NextPane | Command::PrevPane => {
                self.focus = match self.focus {
                    Pane::Runs => Pane::Detail,
                    Pane::Detail => Pane::Runs,
                };
                None
            }
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Top
            | Command::Bottom => {
                if self.focus == Pane::Detail {
                    let (len, height) = self.detail_rows();
                    self.detail_scroll.apply(command, len, height);
                } else {
                    let len = self.runs().len();
                    self.cursor.apply(command, len, self.runs_height());
                    self.detail_scroll = Scroll::default();
                }
                None
            }
            other => Some(Action::Global(other)),
        }
    }

    fn click(&mut self, _area: Rect, column: u16, row: u16) -> Option<Action> {
        let panes = Panes::of(self.area);
        if panes.detail.contains((column, row).into()) {
            self.focus = Pane::Detail;
            return None;
        }
        // The runs' first row is their header.
        let runs = panes.runs;
        if !runs.contains((column, row).into())
            || row < runs.y + 2
            || row + 1 >= runs.y + runs.height
        {
            return None;
        }
        self.focus = Pane::Runs;
        let at = self.cursor.offset + usize::from(row - runs.y - 2);
        let len = self.runs().len();
        if at >= len {
            return None;
        }
        // A second click on the selected run opens it, like Enter.
        if at == self.cursor.selected {
            return Some(Action::ReadRun(self.runs()[at].run_id));
        }
        self.cursor.select(at, len, self.runs_height());
        self.detail_scroll = Scroll::default();
        None
    }

    fn wheel(&mut self, _area: Rect, column: u16, row: u16, delta: isize) {
        let panes = Panes::of(self.area);
        if panes.detail.contains((column, row).into()) {
            let (len, height) = self.detail_rows();
            self.detail_scroll.wheel(delta, len, height);
        } else {
            let len = self.runs().len();
            self.cursor.scroll(delta, len, self.runs_height());
        }
    }

    fn resize(&mut self, area: Rect) {
        self.area = area;
    }

    fn opened(&mut self) -> Option<Action> {
        (!matches!(self.stage, Stage::NotConfigured(_))).then_some(Action::ReadHistory)
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let read = match &self.stage {
            Stage::NotConfigured(missing) => {
                let intro = "The history is kept in the mapping store; this session lacks:";
                let text = lacking(intro, missing, None);
                return message_screen(frame, area, "History", &text, ctx);
            }
            Stage::Failed(message) => {
                let text = vec![
                    format!("✗ {message}"),
                    String::new(),
                    "r reads again.".into(),
                ];
                return message_screen(frame, area, "History", &text, ctx);
            }
            Stage::Idle | Stage::Reading => {
                let text = vec![format!("{} reading the mapping store …", ctx.spinner())];
                return message_screen(frame, area, "History", &text, ctx);
            }
            Stage::Ready => match &self.read {
                Some(read) => read,
                None => return,
            },
        };
        let panes = Panes::of(area);
        let width = usize::from(area.width);
        let [next, rule] = schedule_lines(read);
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(fit_words(&format!(" {next}"), width), ctx.theme.title()),
                Line::styled(fit_words(&format!(" {rule}"), width), ctx.theme.dim()),
            ]),
            panes.schedule,
        );
        let inner = usize::from(panes.runs.width.saturating_sub(2));
        let height = self.runs_height();
        let mut lines = vec![Line::styled(header(inner), ctx.theme.dim())];
        lines.extend(
            (read.runs.iter().skip(self.cursor.offset).take(height))
                .map(|run| Line::raw(run_row(run, inner))),
        );
        let focused = self.focus == Pane::Runs;
        let block = pane("Runs · newest first", focused, ctx);
        let selected =
            (!read.runs.is_empty()).then(|| self.cursor.selected - self.cursor.offset + 1);
        render_list(frame, panes.runs, block, lines, selected, focused, ctx);
        let detail = self.detail_lines(usize::from(panes.detail.width.saturating_sub(2)));
        let title = match self.selected() {
            Some(run) => format!("Run {}", run.run_id),
            None => "Run".into(),
        };
        let block = pane(&title, self.focus == Pane::Detail, ctx);
        text_box(frame, panes.detail, block, detail, self.detail_scroll, ctx);
    }

    fn tables(&self) -> &'static [Table] {
        match self.stage {
            Stage::NotConfigured(_) => &[keymap::GLOBAL],
            _ => TABLES,
        }
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        ("History", self.tables())
    }
}
