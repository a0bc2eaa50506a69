//! The `:` command line and the export path prompt: a text field with Tab completion of the
//! path (and, on the command line, of the verb) that always says what Tab found: the matches,
//! the one in the field while Tab cycles them, or that nothing matches. Owns its state and its
//! keys; running what was typed is the app's. Drawing reads the state only.

use crossterm::event::{Event as CrosstermEvent, KeyEvent};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::tui::complete::{self, Completer};
use crate::tui::keymap::{self, Command};
use crate::tui::layout::Chrome;
use crate::tui::widgets::{Ctx, Scroll, box_rect, fit_words, hint_line, text_box};

/// The command line's verbs, for Tab completion.
pub const VERBS: [&str; 11] = [
    "load ", "export ", "reload", "upload", "review", "merge", "sync", "plan", "history", "help",
    "quit",
];
/// What the command line offers, shown above it.
const COMMANDS: &str =
    ":load PATH  :export PATH  :reload  :upload  :merge  :plan  :sync  :history  :help  :q";

/// Which prompt is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `:` at the bottom of the frame.
    Command,
    /// Where to write the annotated copy.
    Export,
}

/// An open prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: Kind,
    pub input: Input,
    pub completer: Completer,
    /// What the last Tab found, when it is worth saying.
    pub feedback: Option<String>,
}

/// What a key did to the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Cancel,
    /// Enter: what was typed, trimmed.
    Run(String),
}

impl Prompt {
    pub fn command() -> Prompt {
        Prompt::new(Kind::Command, String::new())
    }

    /// The export prompt, the path field holding `default`.
    pub fn export(default: String) -> Prompt {
        Prompt::new(Kind::Export, default)
    }

    fn new(kind: Kind, text: String) -> Prompt {
        Prompt {
            kind,
            input: Input::new(text),
            completer: Completer::default(),
            feedback: None,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match keymap::lookup(&[keymap::PROMPT], &key) {
            Some(Command::Dismiss) => return Outcome::Cancel,
            Some(Command::Accept) => return Outcome::Run(self.input.value().trim().to_string()),
            Some(Command::Complete) => self.complete(),
            _ => {
                if self.input.handle_event(&CrosstermEvent::Key(key)).is_some() {
                    self.completer.reset();
                    self.feedback = None;
                }
            }
        }
        Outcome::Stay
    }

    /// Tab: the verb when none is typed yet (command line only), else the path after it
    /// (`:load sam` → `:load samples/`); and say what was found.
    fn complete(&mut self) {
        let value = self.input.value().to_string();
        let (head, typed) = match value.rfind(' ') {
            Some(at) => value.split_at(at + 1),
            None => ("", value.as_str()),
        };
        if self.kind == Kind::Command && head.is_empty() {
            let verbs: Vec<&str> = VERBS
                .iter()
                .copied()
                .filter(|v| v.starts_with(typed))
                .collect();
            self.feedback = match verbs.as_slice() {
                [] => Some(format!("no command starts with \"{typed}\"")),
                [one] => {
                    self.input = Input::new((*one).to_string());
                    None
                }
                many => Some(format!("commands: {}", many.join(" "))),
            };
            return;
        }
        match self.completer.tab(typed) {
            Some(text) => {
                self.input = Input::new(format!("{head}{text}"));
                let names = self.completer.names();
                self.feedback = (!names.is_empty())
                    .then(|| format!("{} matches (Tab cycles): {}", names.len(), names.join("  ")));
            }
            None => self.feedback = Some(complete::nothing_matches(typed)),
        }
    }

    /// Draw the prompt: the command line on the last two rows of the frame, the export
    /// prompt as a box over the screen.
    pub fn render(&self, frame: &mut Frame, chrome: Chrome, ctx: &Ctx) {
        match self.kind {
            Kind::Command => self.render_command_line(frame, chrome, ctx),
            Kind::Export => self.render_export(frame, chrome, ctx),
        }
    }

    fn render_command_line(&self, frame: &mut Frame, chrome: Chrome, ctx: &Ctx) {
        let above = match &self.feedback {
            Some(found) => Line::raw(format!(
                " {}",
                fit_words(found, usize::from(chrome.status.width.saturating_sub(1)))
            )),
            None => {
                let hints = hint_line(&[keymap::PROMPT], chrome.status.width, ctx);
                let mut spans = vec![Span::styled(format!(" {COMMANDS} "), ctx.theme.dim())];
                spans.extend(hints.spans);
                Line::from(spans)
            }
        };
        frame.render_widget(Clear, chrome.status);
        frame.render_widget(above, chrome.status);
        let line = Line::from(vec![
            Span::styled(":", ctx.theme.key()),
            Span::raw(self.input.value().to_string()),
            Span::styled("▏", ctx.theme.key()),
        ]);
        frame.render_widget(Clear, chrome.hints);
        frame.render_widget(line, chrome.hints);
    }

    fn render_export(&self, frame: &mut Frame, chrome: Chrome, ctx: &Ctx) {
        let mut lines = vec![
            Line::raw("Write the annotated copy (bad cells highlighted, a Findings sheet) to:"),
            Line::from(vec![
                Span::raw(self.input.value().to_string()),
                Span::styled("▏", ctx.theme.key()),
            ]),
        ];
        lines.extend(
            self.feedback
                .iter()
                .map(|f| Line::styled(f.clone(), ctx.theme.dim())),
        );
        lines.push(Line::raw(""));
        lines.push(hint_line(&[keymap::PROMPT], chrome.main.width, ctx));
        let rect = box_rect(chrome.main, &lines, 80);
        let block = Block::bordered().title(" Export annotated XLSX ");
        text_box(frame, rect, block, lines, Scroll::default(), ctx);
    }
}
