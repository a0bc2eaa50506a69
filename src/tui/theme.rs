//! Styles. With `NO_COLOR` set (to anything but empty) no colour is used at all, only bold,
//! dim and reverse; and nothing is ever told by colour alone (symbols and words carry it).

use ratatui::style::{Color, Modifier, Style};

use crate::template::Severity;

/// The styles; the default is the plain one (no colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set and non-empty (<https://no-color.org>).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn severity(&self, severity: Option<Severity>) -> Style {
        match severity {
            Some(Severity::Error) => self.pick(
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Some(Severity::Warning) => self.pick(Style::new().fg(Color::Yellow), Style::new()),
            Some(Severity::Info) => self.pick(Style::new().fg(Color::Blue), Style::new()),
            None => self.pick(Style::new().fg(Color::Green), Style::new()),
        }
    }

    pub fn selected(&self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            self.pick(
                Style::new().bg(Color::DarkGray),
                Style::new().add_modifier(Modifier::UNDERLINED),
            )
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.pick(
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD),
            )
        } else {
            Style::new()
        }
    }

    pub fn key(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn dim(&self) -> Style {
        self.pick(
            Style::new().fg(Color::DarkGray),
            Style::new().add_modifier(Modifier::DIM),
        )
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn current_step(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn connected(&self, ok: bool) -> Style {
        match (self.color, ok) {
            (true, true) => Style::new().fg(Color::Green),
            (true, false) => Style::new().fg(Color::DarkGray),
            (false, _) => Style::new(),
        }
    }
}
