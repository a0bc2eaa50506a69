//! Where the fixed parts of the frame sit: the header, the steps line, the current screen, the
//! status line and the key hints ([`Chrome`]), and where each step's tab is drawn on the steps
//! line ([`step_tabs`], [`step_at`]). Shared by drawing and mouse handling so that clicks land
//! where things are drawn. Geometry only: no state, no drawing.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::step::Step;

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

/// Each step's tab text, in order, as drawn: " 1 Load ".
pub fn step_tabs() -> impl Iterator<Item = (Step, String)> {
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
