//! The steps that are not built yet (Merge, Sync, History), each a screen of its own so the
//! number keys and the steps line work for all five: it says that the step is not built, what
//! it will do, what to use meanwhile, and what the session already has for it (the Condeco
//! settings still missing, the mapping store). Replaced by the real screens later; only the
//! global keys work here.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Action, Screen};
use crate::tui::keymap::{self, Table};
use crate::tui::session::{Link, Session};
use crate::tui::step::Step;
use crate::tui::widgets::Ctx;

const TABLES: &[Table] = &[keymap::GLOBAL];

/// A step that is not built yet, and what it says.
#[derive(Debug, Clone)]
pub struct State {
    pub step: Step,
    lines: Vec<String>,
}

impl State {
    /// The placeholder of `step` in `session`.
    pub fn new(step: Step, session: &Session) -> State {
        let mut lines = vec![
            match step {
                Step::Merge => {
                    "It will match the portfolio against what Condeco already holds (existing \
                 customers): a review queue of likely pairs to accept, reject or mark new, \
                 before the first sync."
                }
                Step::Sync => {
                    "It will show the sync plan (create, update, link, delete per level), ask \
                 before going ARMED, and follow the run live. Meanwhile the command line \
                 runs it: spacebridge plan, then spacebridge sync."
                }
                _ => {
                    "It will list the runs kept in the mapping store (initial, daily, resumed) \
                 with their counts, rejected items and drift."
                }
            }
            .to_string(),
        ];
        if step != Step::Merge {
            lines.push(String::new());
            lines.extend(condeco_lines(session));
            if let Some(store) = &session.store {
                lines.push(format!("Mapping store: {}", store.display()));
            }
        }
        State { step, lines }
    }
}

/// What the session has for the sync's Condeco side.
fn condeco_lines(session: &Session) -> Vec<String> {
    let mut lines = vec![match &session.condeco {
        Link::Simulator(url) => format!("Condeco: simulator at {url}"),
        Link::Configured(url) => format!("Condeco: {url}"),
        Link::NotConfigured => "Condeco: not configured".to_string(),
    }];
    lines.extend((session.condeco_missing.iter()).map(|missing| format!("  ✗ {missing}")));
    lines
}

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        keymap::lookup(TABLES, &key).map(Action::Global)
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let mut lines = vec![
            Line::styled(
                format!("{} is not built yet.", self.step.title()),
                ctx.theme.title(),
            ),
            Line::raw(""),
        ];
        lines.extend(self.lines.iter().map(|l| Line::raw(l.clone())));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "1 Load and 2 Review work now; u in Review uploads to Eptura Workplace.",
            ctx.theme.dim(),
        ));
        let block = Block::bordered().title(Span::styled(
            format!(" {} ", self.step.title()),
            ctx.theme.title(),
        ));
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
    }

    fn tables(&self) -> &'static [Table] {
        TABLES
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        (self.step.title(), TABLES)
    }
}
