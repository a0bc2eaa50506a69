//! Drawing the whole frame from the app's state: the header (mode, profile, connections, fitted
//! to the width by shortening whole parts, never cutting a word), the steps line, the current
//! screen and the Upload panel over it, the status line (what runs, then the last message),
//! the key hints, and any overlay (help, prompt, confirmation). Reads state only: no awaiting,
//! no locks, no I/O. Where things sit is [`super::layout`]'s, shared with mouse handling.

use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::template::Severity;
use crate::tui::app::{App, Overlay};
use crate::tui::jobs::JobKind;
use crate::tui::keymap;
use crate::tui::layout::{Chrome, step_tabs};
use crate::tui::screens::Screen;
use crate::tui::session::Link;
use crate::tui::step::Step;
use crate::tui::widgets::{
    Ctx, Scroll, Segment, box_rect, fit_segments, fit_words, hint_line, text_box,
};

pub fn render(frame: &mut Frame, app: &App) {
    let chrome = Chrome::of(frame.area());
    let ctx = Ctx {
        theme: app.theme,
        now: app.now,
        tick: app.tick,
    };
    render_header(frame, chrome, app, &ctx);
    render_steps(frame, chrome, app, &ctx);
    app.screen().render(frame, chrome.main, &ctx);
    if let Some(panel) = &app.upload {
        panel.render(frame, chrome.main, &ctx);
    }
    render_status(frame, chrome, app, &ctx);
    frame.render_widget(
        hint_line(app.tables(), chrome.hints.width, &ctx),
        chrome.hints,
    );
    render_overlay(frame, chrome, app, &ctx);
}

/// The forms of one service's part of the header, longest first: the whole address, the
/// port only, the symbol only.
fn link_segment<'a>(name: &'a str, link: &Link, ctx: &Ctx) -> Segment<'a> {
    let (symbol, ok, long, short) = match link {
        Link::NotConfigured => ("○", false, "not configured".to_string(), "not set".into()),
        Link::Simulator(url) => (
            "●",
            true,
            format!("sim {url}"),
            format!("sim {}", port(url)),
        ),
        Link::Configured(url) => (
            "◌",
            false,
            format!("configured {url}"),
            format!("configured {}", port(url)),
        ),
    };
    let form = |text: Option<String>| {
        let mut spans = vec![
            Span::raw(format!("{name} ")),
            Span::styled(symbol, ctx.theme.connected(ok)),
        ];
        spans.extend(text.map(|t| Span::raw(format!(" {t}"))));
        spans
    };
    vec![form(Some(long)), form(Some(short)), form(None)]
}

/// ":PORT" of an address, or the address when it has none.
fn port(url: &str) -> String {
    match url.rsplit_once(':') {
        Some((_, port)) if port.chars().all(|c| c.is_ascii_digit()) => format!(":{port}"),
        _ => url.to_string(),
    }
}

fn render_header(frame: &mut Frame, chrome: Chrome, app: &App, ctx: &Ctx) {
    let mode = if app.is_armed() {
        // Writes are going out: the error style, and the word says it without colour.
        Span::styled(
            "ARMED",
            ctx.theme
                .severity(Some(Severity::Error))
                .add_modifier(Modifier::BOLD),
        )
    } else {
        Span::styled("DRY-RUN", ctx.theme.title())
    };
    let profile = app.session.profile.as_deref().unwrap_or("no profile");
    let note = (app.session.note.iter())
        .map(|note| vec![Span::styled(note.clone(), ctx.theme.dim())])
        .chain([vec![]])
        .collect();
    let segments = vec![
        vec![vec![Span::styled("spacebridge", ctx.theme.title())], vec![]],
        vec![vec![mode]],
        vec![
            vec![Span::raw(profile.to_string())],
            vec![Span::raw(fit_words(profile, 12))],
        ],
        link_segment("Eptura", &app.session.eptura, ctx),
        link_segment("Condeco", &app.session.condeco, ctx),
        note,
    ];
    let separator = Span::styled(" ─ ", ctx.theme.dim());
    // Given up first: the note, the name, the addresses; the mode always stays.
    let order = [5, 0, 3, 4, 2];
    let width = chrome.header.width.saturating_sub(1);
    let line = fit_segments(&segments, &separator, &order, width);
    let mut spans = vec![Span::raw(" ")];
    spans.extend(line.spans);
    frame.render_widget(Line::from(spans), chrome.header);
}

fn render_steps(frame: &mut Frame, chrome: Chrome, app: &App, ctx: &Ctx) {
    let mut spans = vec![Span::raw(" ")];
    let mut blocked: Vec<(Step, String)> = Vec::new();
    let mut notes: Vec<(Step, String)> = Vec::new();
    for (step, text) in step_tabs() {
        let reason = app.step_blocked(step);
        let note = app.step_note(step);
        let style = if step == app.step {
            ctx.theme.current_step()
        } else if reason.is_some() || note.is_some() {
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
        blocked.extend(reason.map(|r| (step, r.to_string())));
        notes.extend(note.map(|n| (step, n)));
    }
    let mut said: Vec<String> = described(&blocked)
        .into_iter()
        .map(|b| format!("⊘ {b}"))
        .collect();
    said.extend(described(&notes));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = usize::from(chrome.steps.width).saturating_sub(used + 1);
    spans.push(Span::styled(
        format!(" {}", fit_words(&said.join(" · "), room)),
        ctx.theme.dim(),
    ));
    frame.render_widget(Line::from(spans), chrome.steps);
}

/// "3-5: not possible yet": runs of neighbouring steps that share a reason, said once.
fn described(reasons: &[(Step, String)]) -> Vec<String> {
    let mut groups: Vec<(u8, u8, &str)> = Vec::new();
    for (step, reason) in reasons {
        match groups.last_mut() {
            Some((_, last, r)) if r == reason && *last + 1 == step.number() => {
                *last = step.number();
            }
            _ => groups.push((step.number(), step.number(), reason.as_str())),
        }
    }
    (groups.into_iter())
        .map(|(first, last, reason)| {
            if first == last {
                format!("{first}: {reason}")
            } else {
                format!("{first}-{last}: {reason}")
            }
        })
        .collect()
}

/// What the running jobs are doing, for the status line.
fn busy_text(app: &App, ctx: &Ctx) -> Option<String> {
    let mut parts = Vec::new();
    for (kind, started) in app.running() {
        let part = match kind {
            JobKind::Load => format!(
                "loading … {:.1} s · Esc cancels",
                ctx.now.saturating_duration_since(started).as_secs_f64()
            ),
            JobKind::Upload if app.is_armed() => "uploading … Esc in the panel stops".into(),
            JobKind::Upload => "dry run …".into(),
            JobKind::Export => "writing the annotated copy …".into(),
            JobKind::Match => "reading both services and matching …".into(),
            JobKind::Decide => "recording the decision …".into(),
            JobKind::Plan => "planning the sync (a dry run) …".into(),
            JobKind::Sync => match &app.sync.live {
                Some(live) => format!("syncing {}/{} · 4 Sync shows it", live.done(), live.total()),
                None => "syncing …".into(),
            },
            JobKind::History => "reading the history …".into(),
            JobKind::Sheets => continue,
        };
        parts.push(part);
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn render_status(frame: &mut Frame, chrome: Chrome, app: &App, ctx: &Ctx) {
    let width = usize::from(chrome.status.width);
    let mut spans = Vec::new();
    let mut used = 0;
    if let Some(busy) = busy_text(app, ctx) {
        let text = format!(" {} ", fit_words(&busy, width.saturating_sub(3)));
        used = text.chars().count() + 1;
        spans.push(Span::styled(format!(" {}", ctx.spinner()), ctx.theme.key()));
        spans.push(Span::raw(text));
    }
    if let Some(message) = &app.message {
        let room = width.saturating_sub(used + 1);
        if room > 8 {
            spans.push(Span::raw(format!(" {}", fit_words(&message.text, room))));
        }
    }
    frame.render_widget(Line::from(spans), chrome.status);
}

/// What quitting would cut short, and what becomes of it.
fn quit_question(app: &App) -> Vec<String> {
    let at_stake = app.work_at_stake();
    let mut lines: Vec<String> = (at_stake.iter())
        .map(|kind| {
            match kind {
                JobKind::Sync => {
                    "A sync is running: quitting cancels it after the writes in flight, and the \
                     next sync resumes it (nothing is done twice)."
                }
                JobKind::Upload => {
                    "An upload is running: it stops where it is; the next one finishes the rest."
                }
                JobKind::Decide => "A merge decision is being recorded: it may not be kept.",
                JobKind::Export => "The annotated copy is being written: it is cancelled.",
                _ => "A template is loading: it is cancelled.",
            }
            .to_string()
        })
        .collect();
    lines.push("Quit anyway? Ctrl-C again quits too.".to_string());
    lines
}

fn render_overlay(frame: &mut Frame, chrome: Chrome, app: &App, ctx: &Ctx) {
    let question = match &app.overlay {
        Overlay::None => return,
        Overlay::Help(help) => return help.render(frame, chrome.main, ctx),
        Overlay::Prompt(prompt) => return prompt.render(frame, chrome, ctx),
        Overlay::ConfirmQuit => (" Quit? ", quit_question(app)),
        Overlay::ConfirmOverwrite(out) => (
            " Overwrite? ",
            vec![
                format!("{} exists already.", out.display()),
                "Overwrite it with the annotated copy? n goes back to the path.".to_string(),
            ],
        ),
    };
    let (title, text) = question;
    let mut lines: Vec<Line> = text.into_iter().map(Line::raw).collect();
    lines.push(Line::raw(""));
    lines.push(hint_line(&[keymap::CONFIRM], chrome.main.width, ctx));
    let rect = box_rect(chrome.main, &lines, 76);
    text_box(
        frame,
        rect,
        Block::bordered().title(title),
        lines,
        Scroll::default(),
        ctx,
    );
}
