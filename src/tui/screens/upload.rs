//! The Upload panel over Review (`u`): why the template cannot go, which buildings would be
//! left out, what a dry run found (per kind: to create, already present), then the real
//! upload's gauges per kind, request counters and refused records, and its summary. Owns the
//! panel's [`State`] and draws it; the app starts and cancels the background work (this module
//! never does I/O) and feeds the state with what the work reports.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::super::Ctx;
use super::super::keymap;
use crate::config::{ENV_EPTURA_PASSWORD, ENV_EPTURA_URL, ENV_EPTURA_USERNAME};
use crate::eptura::upload::{KindCount, UploadProgress, UploadReport};
use crate::http::HttpStats;
use crate::template::Loaded;

/// Refused records listed in the panel; the rest are counted.
const FAILURES_SHOWN: usize = 6;
/// Errors quoted when the template cannot go at all.
pub const ERRORS_SHOWN: usize = 5;

/// Where the upload stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// Errors that belong to no building: nothing can be uploaded. Holds the first errors.
    Blocked { errors: Vec<String>, total: usize },
    /// Errors in some buildings only: `y` goes on without them.
    LeaveOut,
    /// No Eptura connection in this session, and why when the settings said.
    NotConfigured(Option<String>),
    /// The dry run is running.
    Checking,
    /// What the dry run found.
    Checked(UploadReport),
    /// The real upload is running.
    Running,
    /// The real upload finished (possibly with refused records).
    Done(UploadReport),
    /// Esc stopped the upload.
    Cancelled,
    /// The connection failed or the credentials were refused.
    Failed(String),
}

/// The panel.
#[derive(Debug, Clone)]
pub struct State {
    pub stage: Stage,
    /// The loaded template; the upload task takes its portfolio without the broken buildings
    /// (the copy is made there, not on the UI thread).
    pub loaded: Arc<Loaded>,
    /// How many buildings go.
    pub going: usize,
    /// Labels of the buildings left out because of their errors.
    pub left_out: Vec<String>,
    /// The running upload's counts, copied in on every tick.
    pub progress: UploadProgress,
    /// Requests since the current job started.
    pub stats: HttpStats,
    /// What the session's after-upload step said (the demo's reservation centers).
    pub after: Option<String>,
}

impl State {
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
        }
    }
}

/// `now - start`, counter by counter.
pub fn stats_since(now: HttpStats, start: HttpStats) -> HttpStats {
    HttpStats {
        requests: now.requests.saturating_sub(start.requests),
        retries: now.retries.saturating_sub(start.retries),
        throttled: now.throttled.saturating_sub(start.throttled),
        server_errors: now.server_errors.saturating_sub(start.server_errors),
        transport_errors: now.transport_errors.saturating_sub(start.transport_errors),
    }
}

fn kinds(report: &UploadReport) -> [(&'static str, KindCount); 4] {
    [
        ("space types", report.space_types),
        ("buildings", report.buildings),
        ("floors", report.floors),
        ("spaces", report.spaces),
    ]
}

fn requests_line<'a>(stats: HttpStats, ctx: &Ctx) -> Line<'a> {
    Line::styled(
        format!(
            "{} requests · {} retries · {} × 429 · {} server errors",
            stats.requests, stats.retries, stats.throttled, stats.server_errors
        ),
        ctx.theme.dim(),
    )
}

fn left_out_lines<'a>(state: &State, ctx: &Ctx) -> Vec<Line<'a>> {
    if state.left_out.is_empty() {
        return vec![];
    }
    vec![Line::styled(
        format!(
            "⚠ left out (they have errors): {}",
            state.left_out.join(", ")
        ),
        ctx.theme.severity(Some(crate::template::Severity::Warning)),
    )]
}

/// The dry run's (or the upload's) counts as a table.
fn count_table<'a>(report: &UploadReport, create: &str) -> Vec<Line<'a>> {
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

fn failure_lines<'a>(report: &UploadReport, ctx: &Ctx) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let error = ctx.theme.severity(Some(crate::template::Severity::Error));
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
fn gauge_line<'a>(kind: &str, count: KindCount, total: usize, width: usize) -> Line<'a> {
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
fn gauges<'a>(progress: &UploadProgress, width: usize) -> Vec<Line<'a>> {
    let t = progress.totals;
    let bar = width.saturating_sub(GAUGE_TEXT).clamp(6, 30);
    vec![
        gauge_line("space types", progress.space_types, t.space_types, bar),
        gauge_line("buildings", progress.buildings, t.buildings, bar),
        gauge_line("floors", progress.floors, t.floors, bar),
        gauge_line("spaces", progress.spaces, t.spaces, bar),
    ]
}

/// The panel's title and lines; `width` is the room inside its border.
fn body<'a>(state: &State, width: usize, ctx: &Ctx) -> (String, Vec<Line<'a>>) {
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
            ("Upload: not possible".into(), lines)
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
            ("Upload: leave broken buildings out?".into(), lines)
        }
        Stage::NotConfigured(problem) => {
            let mut lines = vec![Line::styled(
                "Eptura Workplace is not configured in this session.",
                bold,
            )];
            lines.extend(problem.iter().map(|p| Line::raw(format!("✗ {p}"))));
            lines.push(Line::raw(format!(
                "Set {ENV_EPTURA_URL}, {ENV_EPTURA_USERNAME} and {ENV_EPTURA_PASSWORD} \
                 (or eptura_url, eptura_username, eptura_password in a config profile), \
                 then start spacebridge again. spacebridge demo runs against a simulator."
            )));
            ("Upload: Eptura is not configured".into(), lines)
        }
        Stage::Checking => {
            let mut lines = vec![Line::raw(
                "Dry run: reading what Eptura Workplace already has (nothing is written) …",
            )];
            lines.extend(left_out_lines(state, ctx));
            lines.push(requests_line(state.stats, ctx));
            ("Upload: dry run".into(), lines)
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
                    "✓ everything is already in Eptura Workplace: nothing to upload",
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
            ("Upload: dry run".into(), lines)
        }
        Stage::Running => {
            let mut lines = vec![Line::styled(
                "Uploading to Eptura Workplace … Esc cancels",
                bold,
            )];
            lines.extend(gauges(&state.progress, width));
            lines.extend(left_out_lines(state, ctx));
            lines.push(requests_line(state.stats, ctx));
            ("Upload: ARMED".into(), lines)
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
            ("Upload: done".into(), lines)
        }
        Stage::Cancelled => {
            let mut lines = vec![Line::styled(
                "Upload cancelled. What was created stays; the next upload finishes the rest.",
                bold,
            )];
            lines.extend(gauges(&state.progress, width));
            ("Upload: cancelled".into(), lines)
        }
        Stage::Failed(message) => (
            "Upload: stopped".into(),
            vec![
                Line::styled(format!("✗ {message}"), bold),
                Line::raw("Nothing is lost: upload again to finish the rest."),
            ],
        ),
    }
}

/// Draw the panel centred over `area`, sized to its content.
pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let width = area.width.saturating_sub(4).min(96);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let (title, mut lines) = body(state, inner, ctx);
    lines.push(Line::raw(""));
    lines.push(super::super::ui::hint_line(
        &[keymap::UPLOAD],
        area.width,
        ctx,
    ));
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let height = (rows as u16 + 2).min(area.height);
    let rect = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(Span::styled(format!(" {title} "), ctx.theme.title())))
            .wrap(Wrap { trim: false }),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::eptura::upload::UploadFailure;
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
        let mut terminal = Terminal::new(TestBackend::new(width, 30)).expect("test backend");
        terminal
            .draw(|frame| render(frame, frame.area(), state, &ctx))
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

    #[test]
    fn stats_since_subtracts_counter_by_counter() {
        let start = HttpStats {
            requests: 10,
            retries: 1,
            ..HttpStats::default()
        };
        let now = HttpStats {
            requests: 25,
            retries: 3,
            throttled: 2,
            ..HttpStats::default()
        };
        let d = stats_since(now, start);
        assert_eq!((d.requests, d.retries, d.throttled), (15, 2, 2));
    }
}
