//! The Upload panel over Review (`u`) and its stage machine: why the template cannot go,
//! which buildings would be left out, what to set when the session cannot reach Eptura
//! Workplace, what a dry run found (per kind: to create, already present), then the real
//! upload's gauges per kind, request counters and refused records, and how it ended (done,
//! stopped by the operator with exact counts, or failed, saying whether anything was written).
//! Owns the panel's [`State`]: its keys ask the app to start, cancel or stop the upload job
//! ([`Action`]), and the job's replies come back through [`State::progress`] and
//! [`State::finished`]. Never does I/O.

use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::{Action, Screen};
use crate::http::HttpStats;
use crate::sync::upload::{KindCount, UploadProgress, UploadReport};
use crate::template::{Loaded, Severity};
use crate::tui::keymap::{self, Command, Table};
use crate::tui::widgets::{
    Ctx, Scroll, box_rect, hint_line, inner_height, text_box, wrap_words, wrapped_height,
};

/// Refused records listed in the panel; the rest are counted.
const FAILURES_SHOWN: usize = 6;
/// Errors quoted when the template cannot go at all.
pub const ERRORS_SHOWN: usize = 5;
/// Widest the panel grows.
const PANEL_WIDTH: u16 = 96;

/// Where the upload stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// Errors that belong to no building: nothing can be uploaded. Holds the first errors.
    Blocked { errors: Vec<String>, total: usize },
    /// Errors in some buildings only: `y` goes on without them.
    LeaveOut,
    /// The session cannot reach Eptura: the panel lists what to set.
    NotConfigured,
    /// The dry run is running.
    Checking,
    /// What the dry run found.
    Checked(UploadReport),
    /// The real upload is running (the header says ARMED).
    Running,
    /// Esc was pressed: the writes in flight finish, then the upload stops.
    Stopping,
    /// The real upload finished (possibly with refused records).
    Done(UploadReport),
    /// The operator stopped the upload: what it did until then.
    Stopped(UploadReport),
    /// The dry run or the upload could not go on (connection, credentials).
    Failed { message: String, dry_run: bool },
}

/// What the session says about reaching Eptura Workplace, for a panel that must say what to
/// set.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// The session has an Eptura client.
    pub ready: bool,
    /// Where the settings were read ("profile acme of ~/.config/spacebridge/config.toml").
    pub settings_from: Option<String>,
    /// Each missing setting with how to set it.
    pub missing: Vec<String>,
}

/// The panel.
#[derive(Debug, Clone)]
pub struct State {
    pub stage: Stage,
    /// The loaded template; the upload job takes its portfolio without the broken buildings
    /// (the copy is made there, not on the UI thread).
    pub loaded: Arc<Loaded>,
    /// How many buildings go.
    pub going: usize,
    /// Labels of the buildings left out because of their errors.
    pub left_out: Vec<String>,
    /// The running upload's counts, as the job last reported them.
    pub progress: UploadProgress,
    /// Requests since the current job started.
    pub stats: HttpStats,
    /// What the session's after-upload step said (the demo's reservation centers).
    pub after: Option<String>,
    pub reach: Reach,
    /// Where the panel is drawn (set on every resize).
    pub area: Rect,
    pub scroll: Scroll,
}

impl State {
    /// The panel in `stage` (tests and the opening below).
    pub fn new(stage: Stage, loaded: Arc<Loaded>, left_out: Vec<String>) -> State {
        State {
            stage,
            // The totals arrive with the upload's first progress.
            progress: UploadProgress::default(),
            going: loaded.counts.buildings.saturating_sub(left_out.len()),
            loaded,
            left_out,
            stats: HttpStats::default(),
            after: None,
            reach: Reach::default(),
            area: Rect::default(),
            scroll: Scroll::default(),
        }
    }

    /// Open the panel for `loaded`: errors no building owns refuse it, buildings with errors
    /// are left out after asking, a session that cannot reach Eptura says what to set, and
    /// otherwise a dry run starts at once (the action).
    pub fn open(loaded: Arc<Loaded>, reach: Reach, area: Rect) -> (State, Option<Action>) {
        let unattributed: Vec<String> = (loaded.unattributed_errors())
            .map(|d| format!("✗ {} {} {}", d.cell, d.code.as_str(), d.message))
            .collect();
        let left_out = loaded.broken_buildings();
        let stage = if !unattributed.is_empty() {
            Stage::Blocked {
                total: unattributed.len(),
                errors: unattributed.into_iter().take(ERRORS_SHOWN).collect(),
            }
        } else if !left_out.is_empty() {
            Stage::LeaveOut
        } else {
            Stage::NotConfigured
        };
        let mut state = State::new(stage, loaded, left_out);
        state.reach = reach;
        state.area = area;
        let action = match state.stage {
            Stage::NotConfigured => state.dry_run(),
            _ => None,
        };
        (state, action)
    }

    /// Start the dry run, or say what to set when Eptura cannot be reached.
    fn dry_run(&mut self) -> Option<Action> {
        if !self.reach.ready {
            self.stage = Stage::NotConfigured;
            return None;
        }
        self.start(Stage::Checking, true)
    }

    fn start(&mut self, stage: Stage, dry_run: bool) -> Option<Action> {
        self.stage = stage;
        self.progress = UploadProgress::default();
        self.stats = HttpStats::default();
        self.after = None;
        self.scroll = Scroll::default();
        Some(Action::StartUpload { dry_run })
    }

    /// Whether a real upload runs: the header says ARMED.
    pub fn is_armed(&self) -> bool {
        matches!(self.stage, Stage::Running | Stage::Stopping)
    }

    /// Whether the dry run or the upload runs.
    pub fn is_running(&self) -> bool {
        matches!(
            self.stage,
            Stage::Checking | Stage::Running | Stage::Stopping
        )
    }

    /// The running job's progress.
    pub fn progress(&mut self, progress: UploadProgress, stats: HttpStats) {
        self.progress = progress;
        self.stats = stats;
    }

    /// The job ended: its report (or why it stopped), its requests and what the after-upload
    /// step said. Returns what the status line should say.
    pub fn finished(
        &mut self,
        result: Result<UploadReport, String>,
        stats: HttpStats,
        after: Option<Result<String, String>>,
    ) -> Option<String> {
        let dry_run = matches!(self.stage, Stage::Checking);
        self.stats = stats;
        self.after = after.map(|a| a.unwrap_or_else(|e| format!("✗ {e}")));
        self.scroll = Scroll::default();
        let (stage, said) = match result {
            Ok(report) if dry_run => (Stage::Checked(report), None),
            Ok(report) if report.stopped => {
                let said = format!(
                    "upload stopped: {} record(s) created before it stopped; they stay, and the \
                     next upload (u) finishes the rest",
                    report.writes()
                );
                (Stage::Stopped(report), Some(said))
            }
            Ok(report) => {
                let said = summary(&report, self.after.as_deref());
                (Stage::Done(report), Some(said))
            }
            Err(message) if dry_run => {
                let said = format!("✗ {message}; nothing was written");
                (Stage::Failed { message, dry_run }, Some(said))
            }
            Err(message) => {
                let said = format!("✗ {message}: what was created stays; u again does the rest");
                (Stage::Failed { message, dry_run }, Some(said))
            }
        };
        self.stage = stage;
        said
    }

    /// Rows of the panel's text and the rows it shows at once.
    fn rows(&self) -> (usize, usize) {
        let lines = self.lines(&Ctx::plain());
        let rect = box_rect(self.area, &lines, PANEL_WIDTH);
        (
            wrapped_height(&lines, rect.width.saturating_sub(2)),
            inner_height(rect),
        )
    }

    /// The panel's text, its own key hints at the end.
    fn lines(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let width = self.area.width.saturating_sub(4).min(PANEL_WIDTH);
        let inner = usize::from(width.saturating_sub(2)).max(1);
        let mut lines = body(self, inner, ctx);
        lines.push(Line::raw(""));
        lines.push(hint_line(self.tables(), width.saturating_sub(2), ctx));
        lines
    }

    fn title(&self) -> &'static str {
        match &self.stage {
            Stage::Blocked { .. } => "Upload: not possible",
            Stage::LeaveOut => "Upload: leave broken buildings out?",
            Stage::NotConfigured => "Upload: Eptura is not configured",
            Stage::Checking | Stage::Checked(_) => "Upload: dry run",
            Stage::Running | Stage::Stopping => "Upload: ARMED",
            Stage::Done(_) => "Upload: done",
            Stage::Stopped(_) => "Upload: stopped",
            Stage::Failed { dry_run: true, .. } => "Upload: the dry run failed",
            Stage::Failed { .. } => "Upload: failed",
        }
    }
}

/// The key tables of each stage: only the keys that do something there.
const LEAVE_OUT: &[Table] = &[
    keymap::UPLOAD_LEAVE_OUT,
    keymap::UPLOAD_NO,
    keymap::UPLOAD_PANEL,
    keymap::SCROLL,
];
const CONFIRM: &[Table] = &[
    keymap::UPLOAD_CONFIRM,
    keymap::UPLOAD_NO,
    keymap::UPLOAD_PANEL,
    keymap::SCROLL,
];
const CHECKING: &[Table] = &[
    keymap::UPLOAD_CHECKING,
    keymap::UPLOAD_PANEL,
    keymap::SCROLL,
];
const RUNNING: &[Table] = &[keymap::UPLOAD_RUNNING, keymap::UPLOAD_PANEL, keymap::SCROLL];
const STOPPING: &[Table] = &[keymap::UPLOAD_PANEL, keymap::SCROLL];
const FINISHED: &[Table] = &[
    keymap::UPLOAD_CLOSE,
    keymap::UPLOAD_NEXT,
    keymap::UPLOAD_PANEL,
    keymap::SCROLL,
];

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        let command = keymap::lookup(self.tables(), &key)?;
        match (command, &self.stage) {
            (Command::Help | Command::Quit | Command::Step(_), _) => Some(Action::Global(command)),
            (Command::Accept, Stage::LeaveOut) => self.dry_run(),
            (Command::Accept, Stage::Checked(report)) if report.writes() > 0 => {
                self.start(Stage::Running, false)
            }
            (Command::Dismiss, Stage::Checking) => Some(Action::CancelUpload),
            (Command::Dismiss, Stage::Running) => {
                self.stage = Stage::Stopping;
                Some(Action::StopUpload)
            }
            (Command::Dismiss, _) => Some(Action::ClosePanel),
            (movement, _) => {
                let (len, height) = self.rows();
                self.scroll.apply(movement, len, height);
                None
            }
        }
    }

    fn wheel(&mut self, _area: Rect, _column: u16, _row: u16, delta: isize) {
        let (len, height) = self.rows();
        self.scroll.wheel(delta, len, height);
    }

    fn resize(&mut self, area: Rect) {
        self.area = area;
    }

    /// Draw the panel centred over `area`, sized to its content.
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let lines = self.lines(ctx);
        let rect = box_rect(area, &lines, PANEL_WIDTH);
        let block = Block::bordered().title(Span::styled(
            format!(" {} ", self.title()),
            ctx.theme.title(),
        ));
        text_box(frame, rect, block, lines, self.scroll, ctx);
    }

    fn tables(&self) -> &'static [Table] {
        match &self.stage {
            Stage::LeaveOut => LEAVE_OUT,
            Stage::Checked(report) if report.writes() > 0 => CONFIRM,
            Stage::Checking => CHECKING,
            Stage::Running => RUNNING,
            Stage::Stopping => STOPPING,
            _ => FINISHED,
        }
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        ("Upload panel", self.tables())
    }
}

/// The status line after a real upload: counts, refusals and the after-upload step.
fn summary(report: &UploadReport, after: Option<&str>) -> String {
    let present = report.space_types.present
        + report.buildings.present
        + report.floors.present
        + report.spaces.present;
    let mut text = if report.has_failures() {
        format!(
            "✗ upload done with {} refused: {} created, {present} already present",
            report.failures.len(),
            report.writes()
        )
    } else {
        format!(
            "✓ upload done: {} created, {present} already present",
            report.writes()
        )
    };
    if let Some(after) = after {
        text.push_str(" · ");
        text.push_str(after);
    }
    text
}

fn kinds(report: &UploadReport) -> [(&'static str, KindCount); 4] {
    [
        ("space types", report.space_types),
        ("buildings", report.buildings),
        ("floors", report.floors),
        ("spaces", report.spaces),
    ]
}

fn requests_line(stats: HttpStats, ctx: &Ctx) -> Line<'static> {
    Line::styled(
        format!(
            "{} requests · {} retries · {} × 429 · {} server errors",
            stats.requests, stats.retries, stats.throttled, stats.server_errors
        ),
        ctx.theme.dim(),
    )
}

fn left_out_lines(state: &State, ctx: &Ctx) -> Vec<Line<'static>> {
    if state.left_out.is_empty() {
        return vec![];
    }
    vec![Line::styled(
        format!(
            "⚠ left out (they have errors): {}",
            state.left_out.join(", ")
        ),
        ctx.theme.severity(Some(Severity::Warning)),
    )]
}

/// The dry run's (or the upload's) counts as a table.
fn count_table(report: &UploadReport, create: &str) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw(format!(
        "  {:<12} {create:>12} {:>10} {:>8}",
        "", "present", "refused"
    ))];
    for (kind, count) in kinds(report) {
        lines.push(Line::raw(format!(
            "  {kind:<12} {:>12} {:>10} {:>8}",
            count.created, count.present, count.failed
        )));
    }
    lines
}

fn failure_lines(report: &UploadReport, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let error = ctx.theme.severity(Some(Severity::Error));
    for failure in report.failures.iter().take(FAILURES_SHOWN) {
        lines.push(Line::styled(
            format!("✗ {} {}: {}", failure.kind, failure.name, failure.message),
            error,
        ));
    }
    if report.failures.len() > FAILURES_SHOWN {
        lines.push(Line::raw(format!(
            "  … and {} more refused",
            report.failures.len() - FAILURES_SHOWN
        )));
    }
    lines
}

/// `█████░░░░░ 5/7` for one kind.
fn gauge_line(kind: &str, count: KindCount, total: usize, width: usize) -> Line<'static> {
    let done = count.created + count.present + count.failed;
    let filled = (done * width)
        .checked_div(total)
        .unwrap_or(width)
        .min(width);
    Line::raw(format!(
        "  {kind:<12} {}{} {done:>4}/{total:<4} {} created · {} present · {} refused",
        "█".repeat(filled),
        "░".repeat(width - filled),
        count.created,
        count.present,
        count.failed
    ))
}

/// Columns of a gauge line besides its bar.
const GAUGE_TEXT: usize = 66;

/// One gauge per kind; the bars take what the panel's `width` leaves (6 to 30 columns).
fn gauges(progress: &UploadProgress, width: usize) -> Vec<Line<'static>> {
    let t = progress.totals;
    let bar = width.saturating_sub(GAUGE_TEXT).clamp(6, 30);
    vec![
        gauge_line("space types", progress.space_types, t.space_types, bar),
        gauge_line("buildings", progress.buildings, t.buildings, bar),
        gauge_line("floors", progress.floors, t.floors, bar),
        gauge_line("spaces", progress.spaces, t.spaces, bar),
    ]
}

/// What the panel says about a session that cannot reach Eptura: where the settings came
/// from, then each missing setting ("the Eptura password is not set") with how to set it
/// indented under it; `width` is the room inside the border.
fn not_configured(state: &State, width: usize, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        "Eptura Workplace is not configured in this session.",
        ctx.theme.title(),
    )];
    lines.extend(
        (state.reach.settings_from.iter()).map(|from| Line::raw(format!("Settings: {from}."))),
    );
    if state.reach.missing.is_empty() {
        lines.push(Line::raw(
            "The settings could not be read: the header says why.",
        ));
    } else {
        lines.push(Line::raw("Set these, then start spacebridge again:"));
        let error = ctx.theme.severity(Some(Severity::Error));
        for missing in &state.reach.missing {
            let (what, how) = missing.split_once(": ").unwrap_or((missing, ""));
            lines.push(Line::styled(format!("  ✗ {what}"), error));
            lines.extend(
                (wrap_words(how, width.saturating_sub(4)).into_iter())
                    .filter(|l| !l.is_empty())
                    .map(|l| Line::raw(format!("    {l}"))),
            );
        }
    }
    lines.push(Line::raw(
        "spacebridge demo runs the same panel against built-in simulators.",
    ));
    lines
}

/// The panel's lines for its stage; `width` is the room inside its border.
fn body(state: &State, width: usize, ctx: &Ctx) -> Vec<Line<'static>> {
    let bold = ctx.theme.title();
    match &state.stage {
        Stage::Blocked { errors, total } => {
            let mut lines = vec![
                Line::styled("✗ This template cannot be uploaded.", bold),
                Line::raw(format!(
                    "{total} error(s) belong to no building (a missing column, a row without \
                     a building): fix them in the file, then r reloads it."
                )),
            ];
            lines.extend(errors.iter().map(|e| Line::raw(format!("  {e}"))));
            lines
        }
        Stage::LeaveOut => {
            let mut lines = vec![Line::styled(
                format!(
                    "Some buildings have errors; these {} would be left out:",
                    state.left_out.len()
                ),
                bold,
            )];
            lines.extend(state.left_out.iter().map(|l| Line::raw(format!("  ✗ {l}"))));
            lines.push(Line::raw(format!(
                "y goes on with the other {} building(s) (a dry run first); Esc closes.",
                state.going
            )));
            lines
        }
        Stage::NotConfigured => not_configured(state, width, ctx),
        Stage::Checking => {
            let mut lines = vec![Line::raw(
                "Dry run: reading what Eptura Workplace already has (nothing is written) …",
            )];
            lines.extend(left_out_lines(state, ctx));
            lines.push(requests_line(state.stats, ctx));
            lines
        }
        Stage::Checked(report) => {
            let mut lines = vec![Line::styled(
                "Dry run (nothing was written): what the upload would do",
                bold,
            )];
            lines.extend(count_table(report, "to create"));
            lines.extend(left_out_lines(state, ctx));
            lines.push(requests_line(state.stats, ctx));
            if report.writes() == 0 {
                lines.push(Line::styled(
                    "✓ everything is already in Eptura Workplace: nothing to upload. Next: 3 \
                     merges with an existing Condeco, 4 plans the sync",
                    bold,
                ));
            } else {
                lines.push(Line::styled(
                    format!(
                        "y uploads: creates {} record(s) in Eptura Workplace",
                        report.writes()
                    ),
                    bold,
                ));
            }
            lines
        }
        Stage::Running | Stage::Stopping => {
            let head = if matches!(state.stage, Stage::Stopping) {
                "Stopping: the writes in flight finish, then the upload stops …"
            } else {
                "Uploading to Eptura Workplace … Esc stops it"
            };
            let mut lines = vec![Line::styled(head, bold)];
            lines.extend(gauges(&state.progress, width));
            lines.extend(left_out_lines(state, ctx));
            lines.push(requests_line(state.stats, ctx));
            lines
        }
        Stage::Done(report) => {
            let verdict = if report.has_failures() {
                format!(
                    "✗ done with {} record(s) refused: fix them and upload again",
                    report.failures.len()
                )
            } else {
                format!("✓ done: {} record(s) created", report.writes())
            };
            let mut lines = vec![Line::styled(verdict, bold)];
            lines.extend(count_table(report, "created"));
            lines.extend(failure_lines(report, ctx));
            lines.extend(left_out_lines(state, ctx));
            lines.extend(state.after.iter().map(|a| Line::raw(a.clone())));
            lines.push(requests_line(state.stats, ctx));
            lines
        }
        Stage::Stopped(report) => {
            let mut lines = vec![Line::styled(
                format!(
                    "Upload stopped. {} record(s) were created before it stopped; they stay, \
                     and the next upload (u) finishes the rest.",
                    report.writes()
                ),
                bold,
            )];
            lines.extend(count_table(report, "created"));
            lines.extend(failure_lines(report, ctx));
            lines.push(requests_line(state.stats, ctx));
            lines
        }
        Stage::Failed { message, dry_run } => {
            let then = if *dry_run {
                "Nothing was written. Check the connection and the settings, then u tries again."
            } else {
                "What was created stays: u again matches what is there and finishes the rest."
            };
            vec![
                Line::styled(format!("✗ {message}"), bold),
                Line::raw(then),
                requests_line(state.stats, ctx),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::sync::upload::UploadFailure;
    use crate::tui::Theme;

    /// A loaded template with one building, enough for drawing the panel.
    fn empty_template() -> Arc<Loaded> {
        let csv = "Building Name,State Code,Floor,Room,Space Type\nHQ,TX,1,101,Office\n";
        let loaded = crate::template::load_bytes(
            std::path::Path::new("t.csv"),
            csv.as_bytes().to_vec(),
            &crate::template::LoadOptions::default(),
        )
        .expect("a one-row CSV template loads");
        Arc::new(loaded)
    }

    fn drawn(state: &State, width: u16) -> String {
        let ctx = Ctx {
            theme: Theme { color: false },
            now: Instant::now(),
            tick: 0,
        };
        let mut state = state.clone();
        state.area = Rect::new(0, 0, width, 30);
        let mut terminal = Terminal::new(TestBackend::new(width, 30)).expect("test backend");
        terminal
            .draw(|frame| state.render(frame, frame.area(), &ctx))
            .expect("drawing never fails on a test backend");
        terminal.backend().to_string()
    }

    #[test]
    fn refused_records_are_listed_with_eptura_s_message_then_counted() {
        let failures = (1..=8)
            .map(|i| UploadFailure {
                kind: "space",
                name: format!("HOU1 / Level 2 / 2{i:02}"),
                message: format!("Eptura answered 400: name {i} is reserved"),
            })
            .collect();
        let report = UploadReport {
            spaces: KindCount {
                created: 10,
                present: 0,
                failed: 8,
            },
            failures,
            ..UploadReport::default()
        };
        let state = State::new(
            Stage::Done(report),
            empty_template(),
            vec!["Boston Seaport (BOS1)".into()],
        );
        let text = drawn(&state, 110);
        assert!(text.contains("done with 8 record(s) refused"), "{text}");
        assert!(
            text.contains("✗ space HOU1 / Level 2 / 201: Eptura answered 400: name 1 is reserved"),
            "{text}"
        );
        assert!(text.contains("… and 2 more refused"), "{text}");
        assert!(!text.contains("name 7 is reserved"), "{text}");
        assert!(text.contains("left out (they have errors): Boston Seaport (BOS1)"));
    }

    #[test]
    fn gauges_fill_by_what_is_settled_and_fit_80_columns() {
        let mut state = State::new(Stage::Running, empty_template(), vec![]);
        state.progress.totals.spaces = 400;
        state.progress.spaces = KindCount {
            created: 150,
            present: 40,
            failed: 10,
        };
        state.stats.throttled = 3;
        state.stats.retries = 4;
        let text = drawn(&state, 80);
        let line = (text.lines())
            .find(|l| l.contains("spaces"))
            .expect("a spaces gauge");
        assert!(line.contains("200/400"), "{line}");
        assert!(
            line.contains("150 created · 40 present · 10 refused"),
            "{line}"
        );
        let bar: String = line.chars().filter(|c| *c == '█' || *c == '░').collect();
        let filled = bar.chars().filter(|c| *c == '█').count();
        assert_eq!(filled * 2, bar.chars().count(), "half full: {line}");
        assert!(text.contains("4 retries · 3 × 429"), "{text}");
    }

    fn key(c: char) -> crossterm::event::KeyEvent {
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c))
    }

    #[test]
    fn while_armed_y_does_nothing_and_is_not_offered() {
        let mut state = State::new(Stage::Running, empty_template(), vec![]);
        let offered = |state: &State| crate::tui::keymap::hints(state.tables());
        assert!(!offered(&state).iter().any(|(key, _)| *key == "y"));
        assert_eq!(state.handle_key(key('y')), None);
        assert!(matches!(state.stage, Stage::Running));
        let esc = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc);
        assert_eq!(state.handle_key(esc), Some(Action::StopUpload));
        assert!(matches!(state.stage, Stage::Stopping));
        assert_eq!(
            state.handle_key(esc),
            None,
            "stopping: Esc again does nothing"
        );
        assert!(
            state.is_armed(),
            "still armed until the writes in flight end"
        );
        let text = drawn(&state, 80);
        assert!(!text.contains(" y "), "{text}");

        // After a dry run with something to do, y is offered and starts the upload.
        let report = UploadReport {
            spaces: KindCount {
                created: 3,
                ..KindCount::default()
            },
            ..UploadReport::default()
        };
        let mut state = State::new(Stage::Checked(report), empty_template(), vec![]);
        assert!(offered(&state).contains(&("y", "upload")));
        assert_eq!(
            state.handle_key(key('y')),
            Some(Action::StartUpload { dry_run: false })
        );
        assert!(state.is_armed());
    }
}
