//! Drawing the Sync screen from its state: the plan table (per level: create, update, link,
//! delete, unchanged) with what the run would take over, the question before going ARMED, the
//! live view (plan line, mode and run line, a gauge per level, rates, sparklines), and the list
//! below (held ops, not synced, drift, log, rejected). Where things sit is [`Panes`] (in the
//! state, shared with the mouse). Reads the state only.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::live::{Gauge, Live, LogLevel, action_verb, level_label, status_symbol};
use super::state::{List, Panes, Stage, State, at_end};
use crate::domain::SyncKind;
use crate::domain::when::{clock, human_duration};
use crate::store::{Drift, OpCounts};
use crate::sync::engine::HeldOp;
use crate::template::Severity;
use crate::tui::keymap;
use crate::tui::reads::PlanRead;
use crate::tui::screens::lacking;
use crate::tui::widgets::{
    Ctx, Scroll, box_rect, hint_line, message_screen, pane, render_list, text_box, truncate,
    wrap_words,
};

/// Widest a gauge's bar grows.
const MAX_BAR: usize = 60;
/// Widest the question box grows.
const QUESTION_WIDTH: u16 = 84;

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let text = match &state.stage {
        Stage::NotConfigured(missing) => Some(not_configured(missing)),
        Stage::Idle => Some(vec![
            "No plan yet: r plans (a dry run: nothing is written).".into(),
        ]),
        Stage::Planning => Some(vec![format!(
            "{} planning: reading Eptura Workplace, Condeco and the mapping store (a dry run: \
             nothing is written) …",
            ctx.spinner()
        )]),
        Stage::Failed(message) if state.live.is_none() => Some(vec![
            format!("✗ {message}"),
            String::new(),
            "Nothing was written. r plans again.".into(),
        ]),
        _ => None,
    };
    if let Some(text) = text {
        return message_screen(frame, area, "Sync", &text, ctx);
    }
    let panes = Panes::of(area, state);
    match (&state.live, &state.plan) {
        (Some(live), _) => render_live(frame, panes.top, state, live, ctx),
        (None, Some(plan)) => render_plan(frame, panes.top, plan, ctx),
        (None, None) => {}
    }
    render_list_pane(frame, panes.list, state, ctx);
    if state.stage == Stage::Confirming {
        render_question(frame, area, state, ctx);
    }
}

fn not_configured(missing: &[String]) -> Vec<String> {
    lacking(
        "The sync needs Eptura Workplace, Condeco and the mapping store; this session lacks:",
        missing,
        Some("spacebridge demo runs the whole onboarding against simulators."),
    )
}

fn count(map: &BTreeMap<SyncKind, u64>, kind: SyncKind) -> u64 {
    map.get(&kind).copied().unwrap_or(0)
}

/// "create 461 · update 0 · link 0 · delete 0 · unchanged 0".
pub fn counts_line(ops: &OpCounts) -> String {
    let sum = |map: &BTreeMap<SyncKind, u64>| map.values().sum::<u64>();
    format!(
        "create {} · update {} · link {} · delete {} · unchanged {}",
        sum(&ops.create),
        sum(&ops.update),
        sum(&ops.link),
        sum(&ops.delete),
        sum(&ops.unchanged)
    )
}

fn table_row(label: &str, cells: [u64; 5]) -> String {
    let [c, u, l, d, n] = cells;
    format!(" {label:<12} {c:>8} {u:>8} {l:>8} {d:>8} {n:>10}")
}

/// What the plan's notes say: the run it resumes, a retry of the rejected ones, the held ops,
/// what does not sync, the drift.
fn plan_notes(plan: &PlanRead, width: usize, ctx: &Ctx) -> Vec<Line<'static>> {
    let report = &plan.report;
    let mut notes = Vec::new();
    let warning = ctx.theme.severity(Some(Severity::Warning));
    let unchanged: u64 = report.ops.unchanged.values().sum();
    if let Some(resumes) = &plan.resumes {
        let why = match resumes.crashed {
            true => "it was left running by a process that died (a crash or a kill)".to_string(),
            false => format!("it ended {}", resumes.run.status),
        };
        notes.push(Line::styled(
            format!(
                "⚠ this sync resumes run {}: {why}; {unchanged} entities it already synced are \
                 unchanged and not redone",
                resumes.run.run_id
            ),
            warning,
        ));
    }
    if plan.retry_rejected {
        notes.push(Line::raw(
            "only what Condeco rejected (and what is under it); the rest waits for the next sync",
        ));
    }
    let held = &report.held_destructive;
    let bookings: u64 = held.iter().map(|h| h.hold.bookings).sum();
    let held_text = match held.len() {
        0 => "✓ nothing destructive".to_string(),
        n => format!("⚠ held: {n} destructive ({bookings} bookings)"),
    };
    notes.push(Line::raw(format!(
        "{held_text} · not synced: {} · drift: {} · {} requests read",
        report.skipped.len(),
        report.drift.len(),
        report.requests.eptura + report.requests.condeco
    )));
    notes
        .into_iter()
        .flat_map(|line| {
            let style = line.style;
            wrap_words(&line.to_string(), width)
                .into_iter()
                .map(move |l| Line::styled(l, style))
        })
        .collect()
}

fn render_plan(frame: &mut Frame, area: Rect, plan: &PlanRead, ctx: &Ctx) {
    let ops = &plan.report.ops;
    let mut lines = vec![Line::styled(
        format!(
            " {:<12} {:>8} {:>8} {:>8} {:>8} {:>10}",
            "level", "create", "update", "link", "delete", "unchanged"
        ),
        ctx.theme.dim(),
    )];
    let mut total = [0u64; 5];
    for kind in SyncKind::ALL {
        let cells = [
            count(&ops.create, kind),
            count(&ops.update, kind),
            count(&ops.link, kind),
            count(&ops.delete, kind),
            count(&ops.unchanged, kind),
        ];
        for (sum, n) in total.iter_mut().zip(cells) {
            *sum += n;
        }
        lines.push(Line::raw(table_row(level_label(kind), cells)));
    }
    lines.push(Line::styled(table_row("total", total), ctx.theme.title()));
    lines.extend(plan_notes(
        plan,
        usize::from(area.width.saturating_sub(2)),
        ctx,
    ));
    let title = match plan.retry_rejected {
        true => "Plan: retry the rejected ones · dry run, nothing written yet",
        false => "Plan · dry run, nothing written yet",
    };
    text_box(
        frame,
        area,
        pane(title, false, ctx),
        lines,
        Scroll::default(),
        ctx,
    );
}

/// `█████░░░░░` of `width` cells for `done` of `total`.
fn bar(done: u64, total: u64, width: usize) -> String {
    let filled = match total {
        0 => width,
        _ => ((done.min(total) as f64 / total as f64) * width as f64).round() as usize,
    };
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn gauge_line(gauge: &Gauge, width: usize, current: bool, ctx: &Ctx) -> Line<'static> {
    let counts = format!(" {:>7}/{:<7}", gauge.done, gauge.total);
    let bar_width = width
        .saturating_sub(13 + counts.chars().count() + 1)
        .clamp(4, MAX_BAR);
    let state = match (gauge.started, gauge.done >= gauge.total) {
        (true, true) => "✓",
        (true, false) if current => "▸",
        _ => " ",
    };
    Line::from(vec![
        Span::raw(format!("{state}{:<12}", truncate(&gauge.label, 12))),
        Span::styled(bar(gauge.done, gauge.total, bar_width), ctx.theme.key()),
        Span::raw(counts),
    ])
}

/// A sparkline of `samples`, the newest at the right, `width` cells.
fn sparkline(samples: &std::collections::VecDeque<u64>, width: usize) -> String {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown: Vec<u64> = samples
        .iter()
        .skip(samples.len().saturating_sub(width))
        .copied()
        .collect();
    let top = shown.iter().copied().max().unwrap_or(0).max(1);
    let line: String = (shown.iter())
        .map(|&v| match v {
            0 => ' ',
            v => TICKS[((v * 7).div_ceil(top) as usize).min(7)],
        })
        .collect();
    format!("{line:<width$}")
}

/// The mode and the run: "ARMED · run 3 (initial) · resumes run 2 after a crash · …".
fn run_line(state: &State, live: &Live) -> (String, Style) {
    let mode = match (&state.stage, live.finished) {
        (_, Some(status)) => format!(
            "{} {status} in {}",
            status_symbol(status),
            human_duration(live.took.unwrap_or_default().as_secs_f64())
        ),
        (Stage::Paused, _) => "ARMED · PAUSED (p resumes)".to_string(),
        (Stage::Stopping, _) => "ARMED · cancelling after the writes in flight".to_string(),
        _ => format!("ARMED · {}", live.phase),
    };
    let mut parts = vec![mode];
    if let (Some(run), Some(kind)) = (live.run, live.kind) {
        parts.push(format!("run {run} ({kind})"));
    }
    if let Some(from) = live.resumed_from {
        let crashed = (state.plan.as_ref())
            .and_then(|p| p.resumes.as_ref())
            .is_some_and(|r| r.crashed);
        let how = if crashed { "crashed" } else { "stopped" };
        let done: u64 = live
            .planned
            .as_ref()
            .map_or(0, |p| p.unchanged.values().sum());
        parts.push(format!("after run {from} {how}: {done} already done"));
    }
    let style = match live.finished {
        Some(_) => Style::new().add_modifier(Modifier::BOLD),
        None => Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
    };
    (parts.join(" · "), style)
}

fn render_live(frame: &mut Frame, area: Rect, state: &State, live: &Live, ctx: &Ctx) {
    let width = usize::from(area.width);
    let planned = (live.planned.as_ref()).map_or_else(String::new, counts_line);
    let held = state.held();
    let bookings: u64 = held.iter().map(|h| h.hold.bookings).sum();
    let approved = held
        .iter()
        .filter(|h| state.approved.contains(&h.hold.id))
        .count();
    let mut lines = vec![Line::raw(truncate(
        &format!(
            " Plan: {planned} · held {} ({bookings} bookings, {approved} approved)",
            held.len()
        ),
        width,
    ))];
    let (run, style) = run_line(state, live);
    lines.push(Line::styled(truncate(&format!(" {run}"), width), style));
    lines.extend(
        (live.gauges.iter().enumerate())
            .map(|(at, g)| gauge_line(g, width, live.current == Some(at), ctx)),
    );
    let eta = match (live.finished, live.eta()) {
        (Some(_), _) => "done".to_string(),
        (None, Some(eta)) => format!("ETA {}", clock(eta.as_secs())),
        (None, None) => "ETA —".to_string(),
    };
    let rate = live.ops_rate().map_or(0.0, |r| r);
    lines.push(Line::raw(truncate(
        &format!(
            " {} req/s · {rate:.0} ops/s · in flight ≤{} (AIMD) · {eta} · retries {} · 429s {} · \
             rejected {} · skipped {}",
            live.request_rate(),
            live.concurrency,
            live.condeco.retries,
            live.condeco.throttled,
            live.rejected.len(),
            live.skipped
        ),
        width,
    )));
    let spark = width.saturating_sub(26) / 2;
    lines.push(Line::from(vec![
        Span::raw(" throughput "),
        Span::styled(sparkline(&live.throughput, spark), ctx.theme.key()),
        Span::raw("  429s "),
        Span::styled(
            sparkline(&live.throttled, spark),
            ctx.theme.severity(Some(Severity::Warning)),
        ),
    ]));
    frame.render_widget(Paragraph::new(lines), area);
}

fn list_title(state: &State) -> String {
    let len = state.list_len();
    match state.list {
        List::Held => {
            let held = state.held();
            let bookings: u64 = held.iter().map(|h| h.hold.bookings).sum();
            format!("Held destructive · {len} · {bookings} bookings · d approves · Tab: more")
        }
        List::NotSynced => format!("Not synced · {len} · Tab: more"),
        List::Drift => format!("Drift in Condeco · {len} · Tab: more"),
        List::Log => {
            let level = match state.live.as_ref().map(|l| l.level) {
                Some(LogLevel::Ops) => "every op",
                _ => "events",
            };
            format!("Log · {level} (l) · Tab: more")
        }
        List::Rejected => format!("Rejected by Condeco · {len} · Tab: more"),
    }
}

fn held_row(state: &State, h: &HeldOp) -> String {
    let approved = state.approved.contains(&h.hold.id) || h.hold.approved;
    let mark = if approved { "☑ approved" } else { "☐ HELD" };
    format!(
        "{mark} {} {} {} · {} bookings · {} resources · {} [{}]",
        action_verb(h.action),
        h.kind,
        h.eptura_id,
        h.hold.bookings,
        h.hold.resources,
        h.hold.reason,
        h.hold.id
    )
}

fn drift_row(d: &Drift) -> String {
    let fields = match d.fields.is_empty() {
        true => String::new(),
        false => format!(": {}", d.fields.join(", ")),
    };
    format!(
        "{} {} (Condeco {}) {} in Condeco{fields}: put back by the sync",
        d.kind, d.eptura, d.condeco, d.change
    )
}

/// The rows `skip..skip + take` of the list shown, as text: only what is drawn is formatted,
/// however long the list.
fn list_rows(state: &State, skip: usize, take: usize) -> Vec<String> {
    let plan = state.plan.as_ref().map(|p| &p.report);
    let window = |rows: Box<dyn Iterator<Item = String> + '_>| -> Vec<String> {
        rows.skip(skip).take(take).collect()
    };
    match state.list {
        List::Held => {
            let held = state.held();
            window(Box::new(held.into_iter().map(|h| held_row(state, h))))
        }
        List::NotSynced => {
            let skipped = plan.map(|p| p.skipped.as_slice()).unwrap_or_default();
            window(Box::new(
                skipped.iter().map(|s| format!("{}: {}", s.what, s.reason)),
            ))
        }
        List::Drift => {
            let drift = plan.map(|p| p.drift.as_slice()).unwrap_or_default();
            window(Box::new(drift.iter().map(drift_row)))
        }
        List::Log => window(Box::new(
            (state.live.iter().flat_map(|l| l.shown_log()))
                .map(|l| format!("+{} {} {}", clock(l.at.as_secs()), l.symbol, l.text)),
        )),
        List::Rejected => {
            let rejected = match (&state.report, &state.live) {
                (Some(report), _) => report.rejected.as_slice(),
                (None, Some(live)) => live.rejected.as_slice(),
                _ => &[],
            };
            window(Box::new(rejected.iter().map(|r| {
                format!("✗ {} {} ({}): {}", r.kind, r.eptura_id, r.status, r.message)
            })))
        }
    }
}

fn render_list_pane(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let width = usize::from(area.width.saturating_sub(2));
    let len = state.list_len();
    let title = list_title(state);
    let mut block = pane(&title, true, ctx);
    if state.list == List::Log {
        let scroll = state.log_scroll.unwrap_or_else(|| at_end(len, height));
        let offset = scroll.offset(len, height);
        let shown: Vec<Line> = (list_rows(state, offset, height).into_iter())
            .map(|text| Line::raw(truncate(&text, width)))
            .collect();
        if let Some(more) = scroll.more(len, height) {
            block = block.title_bottom(Line::styled(more, ctx.theme.key()).right_aligned());
        }
        frame.render_widget(Paragraph::new(shown).block(block), area);
        return;
    }
    if len == 0 {
        let empty = match state.list {
            List::Held => "✓ nothing destructive: nothing held",
            List::Rejected => "✓ nothing rejected",
            List::Drift => "✓ no drift",
            _ => "nothing",
        };
        frame.render_widget(Paragraph::new(Line::raw(empty)).block(block), area);
        return;
    }
    let style = match state.list {
        List::Rejected => ctx.theme.severity(Some(Severity::Error)),
        _ => Style::new(),
    };
    let lines: Vec<Line> = (list_rows(state, state.cursor.offset, height).into_iter())
        .map(|text| Line::styled(truncate(&text, width), style))
        .collect();
    let selected = Some(state.cursor.selected - state.cursor.offset);
    render_list(frame, area, block, lines, selected, true, ctx);
}

fn render_question(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let Some(plan) = &state.plan else {
        return;
    };
    let report = &plan.report;
    let held = &report.held_destructive;
    let approved: Vec<_> = held
        .iter()
        .filter(|h| state.approved.contains(&h.hold.id))
        .collect();
    let lost: u64 = approved.iter().map(|h| h.hold.bookings).sum();
    let mut text = vec![
        format!("The sync writes to Condeco: {}.", counts_line(&report.ops)),
        match (approved.len(), held.len()) {
            (0, 0) => "Nothing destructive.".to_string(),
            (0, n) => format!("{n} destructive op(s) stay held (no booking is lost)."),
            (a, n) => format!("{a} of {n} held op(s) approved: {lost} booking(s) will be lost."),
        },
    ];
    if let Some(resumes) = &plan.resumes {
        text.push(format!("It resumes run {}.", resumes.run.run_id));
    }
    if plan.retry_rejected {
        text.push("Only what Condeco rejected is retried.".into());
    }
    text.push("The header says ARMED while it writes; p pauses, c cancels.".into());
    let mut lines: Vec<Line> = text.into_iter().map(Line::raw).collect();
    lines.push(Line::raw(""));
    lines.push(hint_line(&[keymap::SYNC_ARM], QUESTION_WIDTH, ctx));
    let rect = box_rect(area, &lines, QUESTION_WIDTH);
    let block = Block::bordered().title(Span::styled(" Go ARMED? ", ctx.theme.title()));
    text_box(frame, rect, block, lines, Scroll::default(), ctx);
}
