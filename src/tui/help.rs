//! The `?` help overlay: every key of what is in front (a screen, the Upload panel, the reload
//! popup), drawn from the same tables as the hint line, titled after it, in a box as wide as
//! the terminal allows (up to [`HELP_WIDTH`]) with long descriptions wrapped under their own
//! column. `/` searches the keys; the arrows, PgUp/PgDn, g/G scroll, never past the last line.
//! Owns its state and its keys; drawing reads the state only.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::tui::keymap::{self, Command, Table};
use crate::tui::list::TextFilter;
use crate::tui::theme::Theme;
use crate::tui::widgets::{Ctx, Scroll, inner_height, text_box, wrap_words, wrapped_height};

/// Widest the help grows.
pub const HELP_WIDTH: u16 = 110;
/// The keys of the help itself.
pub const TABLES: &[Table] = &[keymap::HELP, keymap::SCROLL];
/// Columns of the key labels ("  PgDn   ").
const LABEL_COLUMN: usize = 9;
const MOUSE: &str = "the wheel scrolls the pane under the pointer; a click selects a row (a \
                     second click opens it like Enter), focuses a pane, picks a field, or \
                     switches step on the steps line";

/// The open help.
#[derive(Debug, Clone)]
pub struct Help {
    /// What its keys are of ("Review", "Upload panel").
    pub title: &'static str,
    pub tables: &'static [Table],
    pub scroll: Scroll,
    pub filter: TextFilter,
}

/// What a key did to the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Close,
}

impl Help {
    pub fn new(title: &'static str, tables: &'static [Table]) -> Help {
        Help {
            title,
            tables,
            scroll: Scroll::default(),
            filter: TextFilter::default(),
        }
    }

    /// Where the help is drawn over `area` (the screen's).
    pub fn rect(area: Rect) -> Rect {
        let width = area.width.saturating_sub(4).min(HELP_WIDTH);
        area.centered(Constraint::Length(width), Constraint::Percentage(100))
    }

    /// The help's lines for a box `width` columns wide inside its border, already wrapped.
    pub fn lines(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let needle = self.filter.needle();
        let room = width.saturating_sub(LABEL_COLUMN).max(8);
        let mut lines = Vec::new();
        for table in self.tables {
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
            lines.push(Line::styled(table.title, theme.title()));
            for binding in bindings {
                let label = format!("  {:<width$}", binding.label, width = LABEL_COLUMN - 2);
                for (i, part) in wrap_words(binding.does, room).into_iter().enumerate() {
                    let head = if i == 0 {
                        Span::styled(label.clone(), theme.key())
                    } else {
                        Span::raw(" ".repeat(LABEL_COLUMN))
                    };
                    lines.push(Line::from(vec![head, Span::raw(part)]));
                }
            }
        }
        if needle.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Mouse", theme.title()));
            lines.extend(
                wrap_words(MOUSE, width.saturating_sub(2))
                    .into_iter()
                    .map(|l| Line::raw(format!("  {l}"))),
            );
        } else if lines.is_empty() {
            lines.push(Line::raw(format!("no key does \"{needle}\"")));
        }
        lines
    }

    /// The help's length and the rows it shows over `area`.
    fn rows(&self, area: Rect) -> (usize, usize) {
        let rect = Help::rect(area);
        let width = rect.width.saturating_sub(2);
        let lines = self.lines(usize::from(width), Theme::default());
        (wrapped_height(&lines, width), inner_height(rect))
    }

    /// A key, with the help drawn over `area`.
    pub fn handle_key(&mut self, key: KeyEvent, area: Rect) -> Outcome {
        if self.filter.editing {
            self.filter.type_key(key);
            self.scroll = Scroll::default();
            return Outcome::Stay;
        }
        match keymap::lookup(TABLES, &key) {
            Some(Command::Dismiss) if self.filter.is_active() => {
                self.filter = TextFilter::default();
            }
            Some(Command::Dismiss) => return Outcome::Close,
            Some(Command::Filter) => self.filter.editing = true,
            Some(command) => {
                let (len, height) = self.rows(area);
                self.scroll.apply(command, len, height);
            }
            None => {}
        }
        Outcome::Stay
    }

    /// The mouse wheel over the help.
    pub fn wheel(&mut self, delta: isize, area: Rect) {
        let (len, height) = self.rows(area);
        self.scroll.wheel(delta, len, height);
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let rect = Help::rect(area);
        let lines = self.lines(usize::from(rect.width.saturating_sub(2)), ctx.theme);
        let mut block = Block::bordered().title(Span::styled(
            format!(" Help: {} · Esc closes ", self.title),
            ctx.theme.title(),
        ));
        if self.filter.is_active() {
            let cursor = if self.filter.editing { "▏" } else { "" };
            block = block.title_bottom(Line::from(vec![
                Span::styled(" /", ctx.theme.key()),
                Span::raw(format!("{}{cursor} ", self.filter.input.value())),
            ]));
        }
        text_box(frame, rect, block, lines, self.scroll, ctx);
    }
}
