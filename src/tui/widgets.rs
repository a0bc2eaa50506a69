//! Drawing pieces every part of the TUI shares: the drawing context ([`Ctx`]), the key-hint
//! line drawn from the keymap, panes and list windows, text fitted to a width (a word is never cut in the middle), a
//! one-line bar whose parts shorten by priority ([`fit_segments`]), the scroll position of a
//! block of text ([`Scroll`]) and a centred text box. Pure functions of their arguments: no
//! state of their own, no I/O.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::tui::keymap::{self, Command, Table};
use crate::tui::list::TextFilter;
use crate::tui::theme::Theme;

/// What drawing needs besides the state it draws.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub theme: Theme,
    pub now: Instant,
    pub tick: u64,
}

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
/// Ticks (25 ms each, `event::TICK`) per frame of the spinner: ten frames a second.
const SPINNER_TICKS: u64 = 4;

impl Ctx {
    /// A plain context, for measuring text outside drawing (styles do not change its size).
    pub fn plain() -> Ctx {
        Ctx {
            theme: Theme::default(),
            now: Instant::now(),
            tick: 0,
        }
    }

    /// The spinner's frame for this tick.
    pub fn spinner(&self) -> &'static str {
        let frame = self.tick / SPINNER_TICKS;
        SPINNER[(frame % SPINNER.len() as u64) as usize]
    }
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

/// A pane's bordered block titled `title`: a focused pane has a thick border (┏━┓), so the
/// focus shows without colour, and the focus colour.
pub fn pane<'a>(title: &str, focused: bool, ctx: &Ctx) -> Block<'a> {
    let border = if focused {
        BorderType::Thick
    } else {
        BorderType::Plain
    };
    Block::bordered()
        .border_type(border)
        .border_style(ctx.theme.border(focused))
        .title(Span::styled(format!(" {title} "), ctx.theme.title()))
}

/// A list pane's block: [`pane`], with the text filter on its bottom border while one is typed
/// or kept.
pub fn list_block<'a>(
    title: &str,
    focused: bool,
    filter: Option<&TextFilter>,
    ctx: &Ctx,
) -> Block<'a> {
    let mut block = pane(title, focused, ctx);
    if let Some(filter) = filter.filter(|f| f.is_active()) {
        let cursor = if filter.editing { "▏" } else { "" };
        block = block.title_bottom(Line::from(vec![
            Span::styled(" /", ctx.theme.key()),
            Span::raw(format!("{}{cursor} ", filter.input.value())),
        ]));
    }
    block
}

/// Draw `lines` (already only the window that fits) as a list in `block`, with `selected`
/// (relative to the window) highlighted.
pub fn render_list(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    lines: Vec<Line>,
    selected: Option<usize>,
    focused: bool,
    ctx: &Ctx,
) {
    let list = List::new(lines.into_iter().map(ListItem::new))
        .block(block)
        .highlight_style(ctx.theme.selected(focused));
    let mut list_state = ListState::default().with_selected(selected);
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// A screen that only says something (what to set, what it is doing, what failed): `text` in
/// a bordered box titled `title` filling `area`, wrapped.
pub fn message_screen(frame: &mut Frame, area: Rect, title: &str, text: &[String], ctx: &Ctx) {
    let lines: Vec<Line> = text.iter().map(|l| Line::raw(l.clone())).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(Span::styled(format!(" {title} "), ctx.theme.title())))
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// "1 error", "3 errors".
pub fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` cut to `width` characters with "…" at the end; whole when it fits.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// `text` cut to `width` characters after its last whole word that fits (or after a `/` of a
/// path), with "…"; a first word longer than the width is cut like [`truncate`].
pub fn fit_words(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    // Room for `width - 1` characters and the "…"; a space right after them still counts.
    let room = width.saturating_sub(1);
    let mut cut = None;
    for (n, (at, c)) in text.char_indices().take(room + 1).enumerate() {
        if c == ' ' && n > 0 {
            cut = Some(at);
        } else if c == '/' && n < room {
            cut = Some(at + c.len_utf8());
        }
    }
    match cut {
        Some(at) => format!("{}…", text[..at].trim_end()),
        None => truncate(text, width),
    }
}

/// Greedy word wrap to `width` (at least 1) characters; words longer than a line are cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let len = row.chars().count();
            let gap = usize::from(len > 0);
            if len + gap + word.len() <= width {
                if gap == 1 {
                    row.push(' ');
                }
                row.extend(word);
                break;
            }
            if len > 0 {
                rows.push(std::mem::take(&mut row));
                continue;
            }
            let rest = word.split_off(width);
            row.extend(word);
            rows.push(std::mem::take(&mut row));
            word = rest;
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// Rows `lines` take when wrapped (as [`text_box`] wraps them) at `width` columns.
pub fn wrapped_height(lines: &[Line], width: u16) -> usize {
    Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width)
}

/// A part of a one-line bar, from its longest form to its shortest; an empty form leaves the
/// part out.
pub type Segment<'a> = Vec<Vec<Span<'a>>>;

/// The parts of a bar joined by `separator`, each in the longest form that lets the line fit
/// in `width`. Parts are shortened one form at a time, taking turns in `order` (indexes into
/// `segments`), until the line fits: each part of `order` gives up one form before any gives
/// up a second.
pub fn fit_segments<'a>(
    segments: &[Segment<'a>],
    separator: &Span<'a>,
    order: &[usize],
    width: u16,
) -> Line<'a> {
    let mut form = vec![0usize; segments.len()];
    let line = |form: &[usize]| {
        let mut spans: Vec<Span<'a>> = Vec::new();
        for (segment, &at) in segments.iter().zip(form) {
            let Some(chosen) = segment.get(at).filter(|s| !s.is_empty()) else {
                continue;
            };
            if !spans.is_empty() {
                spans.push(separator.clone());
            }
            spans.extend(chosen.iter().cloned());
        }
        Line::from(spans)
    };
    let fits = |form: &[usize]| line(form).width() <= usize::from(width);
    while !fits(&form) {
        let mut shortened = false;
        for &i in order {
            if segments.get(i).is_some_and(|s| form[i] + 1 < s.len()) {
                form[i] += 1;
                shortened = true;
                if fits(&form) {
                    break;
                }
            }
        }
        if !shortened {
            break;
        }
    }
    line(&form)
}

/// How far a block of text is scrolled, kept within the text: scrolling stops at its last
/// line instead of running on into blank space.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    offset: usize,
}

impl Scroll {
    /// The first line shown of text `len` lines long seen `height` at a time (clamped, in
    /// case the text or the view changed since the last key).
    pub fn offset(&self, len: usize, height: usize) -> usize {
        self.offset.min(len.saturating_sub(height))
    }

    /// Apply a movement command to text `len` lines long seen `height` at a time. Returns
    /// false for commands that are not movements.
    pub fn apply(&mut self, command: Command, len: usize, height: usize) -> bool {
        let page = height.max(1);
        let at = self.offset(len, height);
        self.offset = match command {
            Command::Up => at.saturating_sub(1),
            Command::Down => at + 1,
            Command::PageUp => at.saturating_sub(page),
            Command::PageDown => at + page,
            Command::Top => 0,
            Command::Bottom => len,
            _ => return false,
        };
        self.offset = self.offset(len, height);
        true
    }

    /// Scroll by `delta` lines (the mouse wheel).
    pub fn wheel(&mut self, delta: isize, len: usize, height: usize) {
        self.offset = self
            .offset(len, height)
            .saturating_add_signed(delta)
            .min(len.saturating_sub(height));
    }

    /// What is hidden: " ↓ 4 more " below, " ↑ 3 above ", or " ↑ 3 ↓ 4 more " both;
    /// `None` when everything shows.
    pub fn more(&self, len: usize, height: usize) -> Option<String> {
        let at = self.offset(len, height);
        let below = len.saturating_sub(at + height);
        match (at, below) {
            (0, 0) => None,
            (at, 0) => Some(format!(" ↑ {at} above ")),
            (0, below) => Some(format!(" ↓ {below} more ")),
            (at, below) => Some(format!(" ↑ {at} ↓ {below} more ")),
        }
    }
}

/// A box `max_width` wide at most and as tall as `lines` wrapped in it (at most `area`'s
/// height), centred in `area`.
pub fn box_rect(area: Rect, lines: &[Line], max_width: u16) -> Rect {
    let width = area.width.saturating_sub(4).min(max_width);
    let rows = wrapped_height(lines, width.saturating_sub(2));
    let height = (rows as u16).saturating_add(2).min(area.height);
    area.centered(Constraint::Length(width), Constraint::Length(height))
}

/// Rows of text inside a box drawn in `rect` (its border taken off).
pub fn inner_height(rect: Rect) -> usize {
    usize::from(rect.height.saturating_sub(2))
}

/// Draw `lines` wrapped in a bordered box over whatever is below, scrolled by `scroll`, with
/// "↓ N more" on the bottom border when lines are hidden.
pub fn text_box(
    frame: &mut Frame,
    rect: Rect,
    block: Block,
    lines: Vec<Line>,
    scroll: Scroll,
    ctx: &Ctx,
) {
    let len = wrapped_height(&lines, rect.width.saturating_sub(2));
    let height = inner_height(rect);
    let mut block = block;
    if let Some(more) = scroll.more(len, height) {
        block = block.title_bottom(Line::styled(more, ctx.theme.key()).right_aligned());
    }
    let offset = u16::try_from(scroll.offset(len, height)).unwrap_or(u16::MAX);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((offset, 0)),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_and_long_words_are_cut() {
        assert_eq!(
            wrap_words("1201 Louisiana St, Suite 300", 12),
            vec!["1201", "Louisiana", "St, Suite", "300"]
        );
        assert_eq!(wrap_words("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("", 4), vec![""]);
    }

    #[test]
    fn fitting_cuts_after_a_whole_word() {
        assert_eq!(fit_words("loaded the sample template", 16), "loaded the…");
        assert_eq!(fit_words("short", 16), "short");
        assert_eq!(fit_words("averyveryverylongword", 8), "averyve…");
        assert_eq!(fit_words("✓ é ü ö ä", 6), "✓ é ü…");
        assert_eq!(
            fit_words("written to /tmp/demo-17027/sample-annotated.xlsx", 30),
            "written to /tmp/demo-17027/…"
        );
    }

    #[test]
    fn scrolling_stops_at_the_last_line() {
        let mut scroll = Scroll::default();
        for _ in 0..50 {
            scroll.apply(Command::Down, 30, 10);
        }
        assert_eq!(scroll.offset(30, 10), 20, "j stops at the end");
        scroll.apply(Command::Up, 30, 10);
        assert_eq!(scroll.offset(30, 10), 19, "one k comes back one line");
        scroll.apply(Command::Bottom, 30, 10);
        assert_eq!(scroll.more(30, 10).as_deref(), Some(" ↑ 20 above "));
        scroll.apply(Command::Top, 30, 10);
        assert_eq!(scroll.more(30, 10).as_deref(), Some(" ↓ 20 more "));
        scroll.apply(Command::PageDown, 30, 10);
        assert_eq!(scroll.offset(30, 10), 10);
        assert_eq!(scroll.more(30, 10).as_deref(), Some(" ↑ 10 ↓ 10 more "));
        assert_eq!(Scroll::default().more(5, 10), None);
        assert!(!scroll.apply(Command::Open, 30, 10));
    }

    #[test]
    fn segments_shorten_in_order_until_the_line_fits() {
        let seg = |forms: &[&str]| -> Segment<'static> {
            forms
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        vec![]
                    } else {
                        vec![Span::raw(f.to_string())]
                    }
                })
                .collect()
        };
        let segments = || {
            vec![
                seg(&["spacebridge", ""]),
                seg(&["DRY-RUN"]),
                seg(&["Eptura ● sim :4000", "Eptura ●"]),
            ]
        };
        let sep = Span::raw(" ─ ");
        let wide = fit_segments(&segments(), &sep, &[0, 2], 80);
        assert_eq!(
            wide.to_string(),
            "spacebridge ─ DRY-RUN ─ Eptura ● sim :4000"
        );
        let narrow = fit_segments(&segments(), &sep, &[0, 2], 30);
        assert_eq!(narrow.to_string(), "DRY-RUN ─ Eptura ● sim :4000");
        let narrower = fit_segments(&segments(), &sep, &[0, 2], 20);
        assert_eq!(narrower.to_string(), "DRY-RUN ─ Eptura ●");
    }
}
