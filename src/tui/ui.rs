//! Drawing the whole frame from the app's state: the header (profile, connections, mode), the
//! steps across the top, the current screen, the status line, the key hints, and any overlay
//! (help, command line, export prompt, upload panel, quit confirmation). Reads state only: no awaiting, no
//! locks, no I/O. [`Chrome`] and [`step_at`] are shared with mouse handling so clicks land
//! where things are drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Link, Overlay};
use super::keymap::{self, Table};
use super::list::TextFilter;
use super::screens::{load, review, upload};
use super::{Ctx, Step};

/// The fixed parts of the frame.
#[derive(Debug, Clone, Copy)]
pub struct Chrome {
    pub header: Rect,
    pub steps: Rect,
    pub main: Rect,
    pub status: Rect,
    pub hints: Rect,
}

impl Chrome {
    pub fn of(area: Rect) -> Chrome {
        let [header, steps, main, status, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        Chrome {
            header,
            steps,
            main,
            status,
            hints,
        }
    }
}

pub fn render(frame: &mut Frame, app: &App) {
    let chrome = Chrome::of(frame.area());
    let ctx = Ctx {
        theme: app.theme,
        now: app.now,
        tick: app.tick,
    };
    render_header(frame, chrome.header, app, &ctx);
    render_steps(frame, chrome.steps, app, &ctx);
    match (app.step, &app.review) {
        (Step::Review, Some(state)) => review::render(frame, chrome.main, state, &ctx),
        _ => load::render(frame, chrome.main, &app.load, &ctx),
    }
    render_status(frame, chrome.status, app, &ctx);
    render_hints(frame, chrome.hints, app, &ctx);
    render_overlay(frame, chrome, app, &ctx);
}

/// One service's connection; `width` is the header's, to say as much as fits.
fn link_spans<'a>(name: &'a str, link: &Link, width: u16, ctx: &Ctx) -> Vec<Span<'a>> {
    let wide = width >= 120;
    let (symbol, ok, text) = match link {
        Link::NotConfigured if width >= 96 => ("○", false, "not configured".to_string()),
        Link::NotConfigured => ("○", false, "not set".to_string()),
        Link::Simulator(url) => ("●", true, format!("sim {}", short_url(url, wide))),
        Link::Configured(url) => ("◌", false, format!("configured {}", short_url(url, wide))),
    };
    vec![
        Span::raw(format!("{name} ")),
        Span::styled(symbol, ctx.theme.connected(ok)),
        Span::raw(format!(" {text}")),
    ]
}

/// The whole URL when there is room, else ":PORT" (or the host).
fn short_url(url: &str, wide: bool) -> String {
    if wide {
        return url.to_string();
    }
    match url.rsplit_once(':') {
        Some((_, port)) if port.chars().all(|c| c.is_ascii_digit()) => format!(":{port}"),
        _ => url.to_string(),
    }
}

fn render_header(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    let sep = || Span::styled(" ─ ", ctx.theme.dim());
    let profile = app.session.profile.as_deref().unwrap_or("no profile");
    // The mode comes first: it must survive the narrowest terminal.
    let mut spans = vec![
        Span::styled(" spacebridge", ctx.theme.title()),
        sep(),
        if app.is_armed() {
            // Writes are going out: the error style, and the word says it without colour.
            Span::styled(
                "ARMED",
                ctx.theme
                    .severity(Some(crate::template::Severity::Error))
                    .add_modifier(ratatui::style::Modifier::BOLD),
            )
        } else {
            Span::styled("DRY-RUN", ctx.theme.title())
        },
        sep(),
        Span::raw(profile.to_string()),
        sep(),
    ];
    spans.extend(link_spans("Eptura", &app.session.eptura, area.width, ctx));
    spans.push(sep());
    spans.extend(link_spans("Condeco", &app.session.condeco, area.width, ctx));
    if let Some(note) = &app.session.note {
        spans.push(sep());
        spans.push(Span::styled(note.clone(), ctx.theme.dim()));
    }
    frame.render_widget(Line::from(spans), area);
}

/// Each step's tab text, in order, as drawn: " 1 Load ".
fn step_tabs() -> impl Iterator<Item = (Step, String)> {
    Step::ALL
        .into_iter()
        .map(|s| (s, format!(" {} {} ", s.number(), s.title())))
}

/// The step whose tab is drawn at `column` of the steps row.
pub fn step_at(area: Rect, column: u16) -> Option<Step> {
    let mut x = area.x + 1;
    for (step, text) in step_tabs() {
        let width = text.chars().count() as u16;
        if column >= x && column < x + width {
            return Some(step);
        }
        x += width + 1;
    }
    None
}

fn render_steps(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    let mut spans = vec![Span::raw(" ")];
    let mut blocked: Vec<(Step, &str)> = Vec::new();
    for (step, text) in step_tabs() {
        let reason = app.step_blocked(step);
        let style = if step == app.step {
            ctx.theme.current_step()
        } else if reason.is_some() {
            ctx.theme.dim()
        } else {
            Style::new()
        };
        let text = if step == app.step {
            text.replacen(' ', "▸", 1)
        } else {
            text
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
        if let Some(reason) = reason {
            blocked.push((step, reason));
        }
    }
    let mut groups: Vec<(u8, u8, &str)> = Vec::new();
    for (step, reason) in blocked {
        match groups.last_mut() {
            Some((_, last, r)) if *r == reason && *last + 1 == step.number() => {
                *last = step.number();
            }
            _ => groups.push((step.number(), step.number(), reason)),
        }
    }
    let described: Vec<String> = groups
        .into_iter()
        .map(|(first, last, reason)| {
            if first == last {
                format!("{first}: {reason}")
            } else {
                format!("{first}-{last}: {reason}")
            }
        })
        .collect();
    if !described.is_empty() {
        spans.push(Span::styled(
            format!("⊘ {}", described.join(" · ")),
            ctx.theme.dim(),
        ));
    }
    frame.render_widget(Line::from(spans), area);
}

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

fn render_status(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    let mut spans = Vec::new();
    if app.is_busy() {
        let symbol = SPINNER[(app.tick as usize) % SPINNER.len()];
        let what = match &app.load.loading {
            Some(loading) => format!(
                " loading … {:.1} s · Esc cancels ",
                ctx.now
                    .saturating_duration_since(loading.started)
                    .as_secs_f64()
            ),
            None if app.is_armed() => " uploading … Esc in the panel cancels ".to_string(),
            None if app.is_uploading() => " dry run … ".to_string(),
            None => " exporting … ".to_string(),
        };
        spans.push(Span::styled(symbol, ctx.theme.key()));
        spans.push(Span::raw(what));
    }
    if let Some(message) = &app.message {
        spans.push(Span::raw(format!(" {}", message.text)));
    }
    frame.render_widget(Line::from(spans), area);
}

/// Hints that are always shown, however narrow the terminal: the way out and the way to
/// every other key.
const KEPT_HINTS: [&str; 2] = ["help", "quit"];

/// The key hints of `tables` that fit in `width`: in table order, dropping hints from the end
/// (never help or quit) until the rest fits.
pub fn hint_line<'a>(tables: &[Table], width: u16, ctx: &Ctx) -> Line<'a> {
    let mut hints: Vec<(String, &str)> = keymap::hints(tables)
        .into_iter()
        .map(|(label, hint)| {
            // A hint may extend its key's label: "1" with "-5 steps" reads "1-5 steps".
            let (more, word) = hint
                .split_once(' ')
                .filter(|(m, _)| m.starts_with('-'))
                .unwrap_or(("", hint));
            (format!(" {label}{more}"), word)
        })
        .collect();
    let used = |hints: &[(String, &str)]| {
        (hints.iter())
            .map(|(k, w)| k.chars().count() + w.chars().count() + 2)
            .sum::<usize>()
    };
    while used(&hints) > usize::from(width) {
        match hints.iter().rposition(|(_, w)| !KEPT_HINTS.contains(w)) {
            Some(at) => {
                hints.remove(at);
            }
            None => break,
        }
    }
    let spans = hints.into_iter().flat_map(|(key, word)| {
        [
            Span::styled(key, ctx.theme.key()),
            Span::raw(format!(" {word} ")),
        ]
    });
    Line::from(spans.collect::<Vec<_>>())
}

fn render_hints(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    if let Overlay::CommandLine(input) = &app.overlay {
        let line = Line::from(vec![
            Span::styled(":", ctx.theme.key()),
            Span::raw(input.value().to_string()),
            Span::styled("▏", ctx.theme.key()),
        ]);
        frame.render_widget(line, area);
        return;
    }
    frame.render_widget(hint_line(app.tables(), area.width, ctx), area);
}

fn render_overlay(frame: &mut Frame, chrome: Chrome, app: &App, ctx: &Ctx) {
    match &app.overlay {
        Overlay::None => {}
        Overlay::CommandLine(_) => {
            let hint = hint_line(&[keymap::PROMPT], chrome.status.width, ctx);
            frame.render_widget(Clear, chrome.status);
            frame.render_widget(
                Line::from(
                    [
                        vec![Span::styled(
                            " :load PATH  :export PATH  :reload  :upload  :review  :help  :q ",
                            ctx.theme.dim(),
                        )],
                        hint.spans,
                    ]
                    .concat(),
                ),
                chrome.status,
            );
        }
        Overlay::Help { scroll, filter } => {
            render_help(frame, chrome.main, app, *scroll, filter, ctx);
        }
        Overlay::Export(input) => {
            let lines = vec![
                Line::raw("Write the annotated copy (bad cells highlighted, a Findings sheet) to:"),
                Line::from(vec![
                    Span::raw(input.value().to_string()),
                    Span::styled("▏", ctx.theme.key()),
                ]),
                Line::raw(""),
                hint_line(&[keymap::PROMPT], chrome.main.width, ctx),
            ];
            popup(frame, chrome.main, " Export annotated XLSX ", lines, 7);
        }
        Overlay::Upload => {
            if let Some(panel) = &app.upload {
                upload::render(frame, chrome.main, panel, ctx);
            }
        }
        Overlay::ConfirmQuit => {
            let lines = vec![
                Line::raw("A load, an export or an upload is still running."),
                Line::raw("Quit anyway? It will be cancelled."),
                Line::raw(""),
                hint_line(&[keymap::CONFIRM], chrome.main.width, ctx),
            ];
            popup(frame, chrome.main, " Quit? ", lines, 6);
        }
    }
}

fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, height: u16) {
    let width = area.width.saturating_sub(4).min(76);
    let rect = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(title.to_string()))
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn render_help(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    scroll: u16,
    filter: &TextFilter,
    ctx: &Ctx,
) {
    let needle = filter.needle();
    let mut lines = Vec::new();
    for table in app.help_tables() {
        let bindings: Vec<_> = (table.bindings.iter())
            .filter(|b| {
                needle.is_empty()
                    || b.does.to_lowercase().contains(&needle)
                    || b.label.to_lowercase().contains(&needle)
            })
            .collect();
        if bindings.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(table.title, ctx.theme.title()));
        for binding in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<7}", binding.label), ctx.theme.key()),
                Span::raw(binding.does),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Mouse", ctx.theme.title()));
    lines.push(Line::raw(
        "  wheel scrolls the pane under the pointer; click selects a row (again: opens it) or a step",
    ));
    let width = area.width.saturating_sub(4).min(72);
    let rect = area.centered(Constraint::Length(width), Constraint::Percentage(100));
    frame.render_widget(Clear, rect);
    let title = format!(
        " Help: {} (Esc closes, ↑↓ scroll, / search) ",
        app.step.title()
    );
    let mut block = Block::bordered().title(title);
    if filter.is_active() {
        let cursor = if filter.editing { "▏" } else { "" };
        block = block.title_bottom(Line::from(vec![
            Span::styled(" /", ctx.theme.key()),
            Span::raw(format!("{}{cursor} ", filter.input.value())),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}
