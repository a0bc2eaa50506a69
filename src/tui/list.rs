//! Selection and scrolling shared by every list: a cursor (selected row and first shown row)
//! that handlers move and that drawing only reads. Only the window of rows that fits is ever
//! drawn, so lists of any length cost the same to draw. Also the `/` text filter every list
//! offers.

use crossterm::event::{Event as CrosstermEvent, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::Command;

/// A selected row and the first row of the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Apply a movement command to a list of `len` rows shown `height` at a time. Returns
    /// false for commands that are not movements.
    pub fn apply(&mut self, command: Command, len: usize, height: usize) -> bool {
        let page = height.max(1);
        let last = len.saturating_sub(1);
        self.selected = match command {
            Command::Up => self.selected.saturating_sub(1),
            Command::Down => (self.selected + 1).min(last),
            Command::PageUp => self.selected.saturating_sub(page),
            Command::PageDown => (self.selected + page).min(last),
            Command::Top => 0,
            Command::Bottom => last,
            _ => return false,
        };
        self.follow(len, height);
        true
    }

    /// Select `row` (clamped) and scroll it into view.
    pub fn select(&mut self, row: usize, len: usize, height: usize) {
        self.selected = row.min(len.saturating_sub(1));
        self.follow(len, height);
    }

    /// Scroll the window by `delta` rows (mouse wheel), keeping the selection inside it.
    pub fn scroll(&mut self, delta: isize, len: usize, height: usize) {
        let max_offset = len.saturating_sub(height.max(1));
        self.offset = self.offset.saturating_add_signed(delta).min(max_offset);
        let bottom = self.offset + height.max(1) - 1;
        self.selected = self
            .selected
            .clamp(self.offset, bottom.min(len.saturating_sub(1)));
    }

    /// Keep the selection inside the window and the window inside the list.
    pub fn follow(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        self.offset = window_start(self.selected, self.offset, len, height);
    }
}

/// A text filter typed after `/`.
#[derive(Debug, Clone, Default)]
pub struct TextFilter {
    pub input: Input,
    pub editing: bool,
}

impl TextFilter {
    /// Handle a key while the filter is being typed: Enter keeps it, Esc clears it, other
    /// keys edit it.
    pub fn type_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.editing = false,
            KeyCode::Esc => *self = TextFilter::default(),
            _ => {
                self.input.handle_event(&CrosstermEvent::Key(key));
            }
        }
    }

    /// The filter in lower case, as lists compare it.
    pub fn needle(&self) -> String {
        self.input.value().trim().to_lowercase()
    }

    pub fn is_active(&self) -> bool {
        self.editing || !self.input.value().is_empty()
    }
}

/// The first row to draw so that `selected` is visible, moving the window as little as possible.
pub fn window_start(selected: usize, offset: usize, len: usize, height: usize) -> usize {
    let height = height.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_moves_only_when_the_selection_leaves_it() {
        let mut c = Cursor::default();
        for _ in 0..12 {
            c.apply(Command::Down, 100, 10);
        }
        assert_eq!((c.selected, c.offset), (12, 3));
        c.apply(Command::Up, 100, 10);
        assert_eq!((c.selected, c.offset), (11, 3));
        c.apply(Command::Bottom, 100, 10);
        assert_eq!((c.selected, c.offset), (99, 90));
        c.apply(Command::PageUp, 100, 10);
        assert_eq!((c.selected, c.offset), (89, 89));
        c.apply(Command::Top, 100, 10);
        assert_eq!((c.selected, c.offset), (0, 0));
    }

    #[test]
    fn scrolling_keeps_selection_in_view_and_empty_lists_are_safe() {
        let mut c = Cursor::default();
        c.scroll(5, 100, 10);
        assert_eq!((c.selected, c.offset), (5, 5));
        c.scroll(-3, 100, 10);
        assert_eq!((c.selected, c.offset), (5, 2));
        let mut empty = Cursor::default();
        empty.apply(Command::Down, 0, 10);
        empty.scroll(3, 0, 10);
        assert_eq!((empty.selected, empty.offset), (0, 0));
    }
}
