//! The Load screen: a path field with Tab completion, the sheet and country choices, the
//! recently loaded files, and while a load runs in the background a spinner with the elapsed
//! time (Esc cancels). A file that cannot be read shows its [`crate::template::LoadError`]
//! message here. Owns its [`State`]; the app runs the load and reports back.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{Event as CrosstermEvent, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::Ctx;
use super::super::complete;
use super::super::keymap::{self, Command, Table};
use super::super::list::{Cursor, TextFilter};
use super::{Action, LoadRequest};
use crate::domain::CountryCode;
use crate::template::SheetInfo;

/// The Sheet choice's first entry: no sheet named, the loader picks.
pub const SHEET_AUTO: &str = "(auto: first sheet with a header row)";
/// The Country choice's first entry: no country given.
pub const COUNTRY_NONE: &str = "(none: US and Canada from the state code)";
/// The countries the Country choice offers after [`COUNTRY_NONE`]; any other two-letter code
/// can be typed.
pub const COUNTRIES: [(&str, &str); 17] = [
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("CH", "Switzerland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("SG", "Singapore"),
    ("IN", "India"),
    ("JP", "Japan"),
    ("MX", "Mexico"),
    ("BR", "Brazil"),
    ("AE", "United Arab Emirates"),
    ("ZA", "South Africa"),
];

/// The key tables while the Path field (or a Sheet field with no choice) has the focus.
pub const FIELD_TABLES: &[Table] = &[keymap::LOAD_FIELD, keymap::LOAD_FIELD_MOVE];
/// The key tables while the Sheet field offers the file's sheets.
pub const SHEET_TABLES: &[Table] = &[keymap::LOAD_SHEET_CHOICE, keymap::LOAD_FIELD];
/// The key tables while the Country field has the focus.
pub const COUNTRY_TABLES: &[Table] = &[keymap::LOAD_COUNTRY_CHOICE, keymap::LOAD_FIELD];
/// Every key of the screen, for the help overlay.
pub const HELP_TABLES: &[Table] = &[
    keymap::LOAD_FIELD,
    keymap::LOAD_FIELD_MOVE,
    keymap::LOAD_SHEET_CHOICE,
    keymap::LOAD_COUNTRY_CHOICE,
    keymap::LOAD_LIST,
    keymap::LIST,
    keymap::GLOBAL,
];
/// The key tables while the recent files list has the focus.
pub const LIST_TABLES: &[Table] = &[keymap::LOAD_LIST, keymap::LIST, keymap::GLOBAL];

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    Path,
    Sheet,
    Country,
    Recent,
}

impl Field {
    fn next(self) -> Field {
        match self {
            Field::Path => Field::Sheet,
            Field::Sheet => Field::Country,
            Field::Country => Field::Recent,
            Field::Recent => Field::Path,
        }
    }

    fn prev(self) -> Field {
        match self {
            Field::Path => Field::Recent,
            Field::Sheet => Field::Path,
            Field::Country => Field::Sheet,
            Field::Recent => Field::Country,
        }
    }
}

/// A load running in the background.
#[derive(Debug, Clone)]
pub struct Loading {
    pub path: PathBuf,
    pub started: Instant,
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub path: Input,
    pub sheet: Input,
    pub country: Input,
    pub focus: Field,
    pub recent: Vec<PathBuf>,
    /// Indexes into `recent` that the `/` filter keeps.
    pub recent_shown: Vec<usize>,
    pub recent_filter: TextFilter,
    pub recent_cursor: Cursor,
    pub recent_height: usize,
    /// Matches offered by the last Tab, and which one is in the field when cycling.
    pub completions: Vec<String>,
    pub completion: Option<usize>,
    pub loading: Option<Loading>,
    /// Why the last load failed, as the loader says it.
    pub error: Option<String>,
    /// What is loaded now ("FILE: 7 buildings · … · 10 ✗ errors"), shown when idle.
    pub current: Option<String>,
    /// The file whose sheets were last asked for, and the generation of that request.
    pub sheets_asked: Option<(PathBuf, u64)>,
    /// That file's sheets once read; `None` while unknown or unreadable (then Sheet is typed).
    pub sheets: Option<Vec<SheetInfo>>,
}

impl State {
    pub fn new(recent: Vec<PathBuf>) -> State {
        let mut state = State {
            recent,
            recent_height: 5,
            ..State::default()
        };
        state.refresh_recent();
        state
    }

    /// Recompute which recent files the filter keeps; call after changing either.
    pub fn refresh_recent(&mut self) {
        let needle = self.recent_filter.needle();
        self.recent_shown = (self.recent.iter().enumerate())
            .filter(|(_, p)| {
                needle.is_empty() || p.display().to_string().to_lowercase().contains(&needle)
            })
            .map(|(i, _)| i)
            .collect();
        self.recent_cursor
            .follow(self.recent_shown.len(), self.recent_height);
    }

    /// The recent file under the cursor.
    pub fn selected_recent(&self) -> Option<&PathBuf> {
        let i = *self.recent_shown.get(self.recent_cursor.selected)?;
        self.recent.get(i)
    }

    pub fn tables(&self) -> &'static [Table] {
        match self.focus {
            Field::Recent => LIST_TABLES,
            Field::Sheet if self.sheets.is_some() => SHEET_TABLES,
            Field::Country => COUNTRY_TABLES,
            Field::Path | Field::Sheet => FIELD_TABLES,
        }
    }

    /// The existing file the path field names, if it is not the one whose sheets were
    /// last asked for: the app then reads its sheets in the background.
    pub fn sheets_wanted(&self) -> Option<PathBuf> {
        let typed = self.path.value().trim();
        let path = complete::expand_home(typed);
        let asked = self.sheets_asked.as_ref().map(|(p, _)| p);
        (!typed.is_empty() && asked != Some(&path) && path.is_file()).then_some(path)
    }

    /// Forget the sheets when the path field no longer names the file they belong to.
    pub fn drop_stale_sheets(&mut self) {
        let path = complete::expand_home(self.path.value().trim());
        if self.sheets_asked.as_ref().is_some_and(|(p, _)| *p != path) {
            self.sheets_asked = None;
            self.sheets = None;
        }
    }

    /// A reply with the sheets of `path` for request `generation`; `false` when it is stale
    /// (another file or a later request) and was dropped.
    pub fn sheets_read(
        &mut self,
        path: &std::path::Path,
        generation: u64,
        sheets: Option<Vec<SheetInfo>>,
    ) -> bool {
        let current = self
            .sheets_asked
            .as_ref()
            .is_some_and(|(p, g)| p == path && *g == generation);
        if current {
            self.sheets = sheets;
        }
        current
    }

    /// The sheet entries offered: [`SHEET_AUTO`] then each sheet, `None` when not known.
    fn sheet_index(&self) -> Option<usize> {
        let sheets = self.sheets.as_ref()?;
        let typed = self.sheet.value().trim();
        if typed.is_empty() {
            return Some(0);
        }
        let at = sheets
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(typed))?;
        Some(at + 1)
    }

    fn country_index(&self) -> Option<usize> {
        let typed = self.country.value().trim();
        if typed.is_empty() {
            return Some(0);
        }
        let at = COUNTRIES
            .iter()
            .position(|(code, _)| code.eq_ignore_ascii_case(typed))?;
        Some(at + 1)
    }

    /// Move the focused choice by `step` (±1), wrapping.
    pub fn pick(&mut self, step: isize) {
        match self.focus {
            Field::Sheet => {
                let Some(sheets) = &self.sheets else { return };
                let len = sheets.len() + 1;
                let at = self.sheet_index().unwrap_or(0);
                let next = (at as isize + step).rem_euclid(len as isize) as usize;
                let value = next
                    .checked_sub(1)
                    .map(|i| sheets[i].name.clone())
                    .unwrap_or_default();
                self.sheet = Input::new(value);
            }
            Field::Country => {
                let len = COUNTRIES.len() + 1;
                let at = self.country_index().unwrap_or(0);
                let next = (at as isize + step).rem_euclid(len as isize) as usize;
                let value = next
                    .checked_sub(1)
                    .map(|i| COUNTRIES[i].0.to_string())
                    .unwrap_or_default();
                self.country = Input::new(value);
            }
            Field::Path | Field::Recent => {}
        }
    }

    /// Whether a text field (or the recent list's `/` filter) has the keys.
    pub fn is_typing(&self) -> bool {
        self.focus != Field::Recent || self.recent_filter.editing
    }

    fn field_mut(&mut self) -> Option<&mut Input> {
        match self.focus {
            Field::Path => Some(&mut self.path),
            Field::Sheet => Some(&mut self.sheet),
            Field::Country => Some(&mut self.country),
            Field::Recent => None,
        }
    }

    /// A load of `path` with the sheet and country fields, or why they do not make one.
    pub fn request(&self, path: PathBuf) -> Result<LoadRequest, String> {
        let sheet = Some(self.sheet.value().trim().to_string()).filter(|s| !s.is_empty());
        let country = match self.country.value().trim() {
            "" => None,
            text => Some(CountryCode::parse(text).ok_or_else(|| {
                format!("\"{text}\" is not a two-letter ISO country code (e.g. GB): fix the Country field")
            })?),
        };
        Ok(LoadRequest {
            path,
            sheet,
            country,
        })
    }

    fn load_from_path_field(&self) -> Option<Action> {
        let typed = self.path.value().trim();
        if typed.is_empty() {
            return Some(Action::Message(
                "type the template's path first (Tab completes)".into(),
            ));
        }
        Some(match self.request(complete::expand_home(typed)) {
            Ok(request) => Action::Load(request),
            Err(message) => Action::Message(message),
        })
    }

    fn complete(&mut self) -> Option<Action> {
        if let Some(i) = self.completion.filter(|_| !self.completions.is_empty()) {
            let next = (i + 1) % self.completions.len();
            self.completion = Some(next);
            self.path = Input::new(self.completions[next].clone());
            return None;
        }
        let typed = self.path.value().to_string();
        let found = complete::candidates(&typed);
        match found.len() {
            0 => {
                self.completions.clear();
                return Some(Action::Message(format!(
                    "nothing to complete: no folder or template file starts with \"{typed}\""
                )));
            }
            1 => {
                self.path = Input::new(found[0].clone());
                self.completions.clear();
            }
            _ => {
                let common = complete::common_prefix(&found);
                if common.len() > typed.len() {
                    self.path = Input::new(common);
                    self.completion = None;
                } else {
                    self.path = Input::new(found[0].clone());
                    self.completion = Some(0);
                }
                self.completions = found;
            }
        }
        None
    }
}

pub fn handle_key(state: &mut State, key: KeyEvent) -> Option<Action> {
    if state.loading.is_some() && keymap::lookup(&[keymap::GLOBAL], &key) == Some(Command::Back) {
        return Some(Action::CancelLoad);
    }
    if state.focus == Field::Recent && state.recent_filter.editing {
        state.recent_filter.type_key(key);
        state.refresh_recent();
        return None;
    }
    let command = keymap::lookup(state.tables(), &key);
    if state.is_typing() {
        match command {
            Some(command) => handle_command(state, command),
            None => {
                let focus = state.focus;
                if let Some(input) = state.field_mut()
                    && input.handle_event(&CrosstermEvent::Key(key)).is_some()
                    && focus == Field::Path
                {
                    state.completion = None;
                    state.completions.clear();
                }
                None
            }
        }
    } else {
        handle_command(state, command?)
    }
}

pub fn handle_command(state: &mut State, command: Command) -> Option<Action> {
    if state.focus == Field::Recent {
        let len = state.recent_shown.len();
        if command == Command::Up && state.recent_cursor.selected == 0 {
            state.focus = Field::Country;
            return None;
        }
        if state.recent_cursor.apply(command, len, state.recent_height) {
            return None;
        }
    }
    match command {
        Command::Load if state.focus == Field::Recent => {
            let path = state.selected_recent()?.clone();
            state.path = Input::new(path.display().to_string());
            return Some(
                state
                    .request(path)
                    .map_or_else(Action::Message, Action::Load),
            );
        }
        Command::Load => {
            let action = state.load_from_path_field();
            if matches!(action, Some(Action::Load(_))) {
                // Leave the field so ?, q and the step keys work while it loads.
                state.focus = Field::Recent;
            }
            return action;
        }
        Command::Complete if state.focus == Field::Path => return state.complete(),
        Command::ChoicePrev => state.pick(-1),
        Command::ChoiceNext => state.pick(1),
        Command::Complete | Command::NextField | Command::NextPane => {
            state.focus = state.focus.next();
        }
        Command::PrevField | Command::PrevPane => state.focus = state.focus.prev(),
        Command::EditPath => state.focus = Field::Path,
        Command::Back if state.is_typing() => state.focus = Field::Recent,
        Command::Forget => {
            let at = *state.recent_shown.get(state.recent_cursor.selected)?;
            let path = state.recent.remove(at);
            state.refresh_recent();
            return Some(Action::ForgetRecent(path));
        }
        Command::Filter => state.recent_filter.editing = true,
        Command::Back if state.recent_filter.is_active() => {
            state.recent_filter = TextFilter::default();
            state.refresh_recent();
        }
        other => return Some(Action::Global(other)),
    }
    None
}

/// Where the parts of the screen sit; used to draw and to map clicks.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    pub form: Rect,
    pub status: Rect,
    pub recent: Rect,
}

impl Parts {
    pub fn of(area: Rect) -> Parts {
        let [form, status, recent] = Layout::vertical([
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Min(3),
        ])
        .areas(area);
        Parts {
            form,
            status,
            recent,
        }
    }

    pub fn recent_height(&self) -> usize {
        usize::from(self.recent.height.saturating_sub(2)).max(1)
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let parts = Parts::of(area);
    render_form(frame, parts.form, state, ctx);
    render_status(frame, parts.status, state, ctx);
    render_recent(frame, parts.recent, state, ctx);
}

fn input_line<'a>(label: &str, input: &Input, focused: bool, hint: &str, ctx: &Ctx) -> Line<'a> {
    let marker = if focused { "▸ " } else { "  " };
    let mut spans = vec![
        Span::styled(format!("{marker}{label:<8}"), ctx.theme.border(focused)),
        Span::raw(input.value().to_string()),
    ];
    if focused {
        spans.push(Span::styled("▏", ctx.theme.key()));
    }
    if input.value().is_empty() {
        spans.push(Span::styled(format!(" {hint}"), ctx.theme.dim()));
    }
    Line::from(spans)
}

/// A choice field: `◂ entry ▸` and where it is in the list, or the typed text when it is
/// not one of the entries.
fn choice_line<'a>(
    label: &str,
    entry: Option<(String, usize, usize)>,
    input: &Input,
    focused: bool,
    ctx: &Ctx,
) -> Line<'a> {
    let Some((text, at, len)) = entry else {
        return input_line(label, input, focused, "", ctx);
    };
    let marker = if focused { "▸ " } else { "  " };
    let mut spans = vec![
        Span::styled(format!("{marker}{label:<8}"), ctx.theme.border(focused)),
        Span::styled("◂ ", ctx.theme.key()),
        Span::raw(text),
        Span::styled(" ▸", ctx.theme.key()),
    ];
    if focused {
        spans.push(Span::styled(format!("  {}/{len}", at + 1), ctx.theme.dim()));
    }
    Line::from(spans)
}

fn sheet_entry(state: &State) -> Option<(String, usize, usize)> {
    let sheets = state.sheets.as_ref()?;
    let at = state.sheet_index()?;
    let text = match at.checked_sub(1) {
        None => SHEET_AUTO.to_string(),
        Some(i) if sheets[i].has_header => format!("{} ✓", sheets[i].name),
        Some(i) => sheets[i].name.clone(),
    };
    Some((text, at, sheets.len() + 1))
}

fn country_entry(state: &State) -> Option<(String, usize, usize)> {
    let at = state.country_index()?;
    let text = match at.checked_sub(1) {
        None => COUNTRY_NONE.to_string(),
        Some(i) => format!("{} {}", COUNTRIES[i].0, COUNTRIES[i].1),
    };
    Some((text, at, COUNTRIES.len() + 1))
}

fn render_form(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let sheet = match sheet_entry(state) {
        Some(entry) => choice_line(
            "Sheet",
            Some(entry),
            &state.sheet,
            state.focus == Field::Sheet,
            ctx,
        ),
        None => input_line(
            "Sheet",
            &state.sheet,
            state.focus == Field::Sheet,
            "automatic: the first sheet with a header row",
            ctx,
        ),
    };
    let lines = vec![
        input_line(
            "Path",
            &state.path,
            state.focus == Field::Path,
            "the customer's template (Tab completes)",
            ctx,
        ),
        sheet,
        choice_line(
            "Country",
            country_entry(state),
            &state.country,
            state.focus == Field::Country,
            ctx,
        ),
    ];
    let focused = state.is_typing();
    let block = Block::bordered()
        .border_style(ctx.theme.border(focused))
        .title(Span::styled(
            " Load a Space Data template ",
            ctx.theme.title(),
        ));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_status(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let mut lines = Vec::new();
    if let Some(loading) = &state.loading {
        let elapsed = ctx.now.saturating_duration_since(loading.started);
        let frame_symbol = SPINNER[(ctx.tick as usize) % SPINNER.len()];
        lines.push(Line::from(vec![
            Span::styled(frame_symbol, ctx.theme.key()),
            Span::raw(format!(
                " loading {} … {:.1} s",
                loading.path.display(),
                elapsed.as_secs_f64()
            )),
        ]));
        lines.push(Line::styled("Esc cancels", ctx.theme.dim()));
    } else if let Some(error) = &state.error {
        lines.push(Line::styled(
            format!("✗ {error}"),
            ctx.theme.severity(Some(crate::template::Severity::Error)),
        ));
    } else if state.focus == Field::Sheet
        && let Some(sheets) = &state.sheets
    {
        let at = state.sheet_index();
        let names = std::iter::once("(auto)".to_string()).chain(sheets.iter().map(|s| {
            let mark = if s.has_header { " ✓" } else { "" };
            format!("{}{mark}", s.name)
        }));
        let shown: Vec<String> = names
            .enumerate()
            .map(|(i, n)| if Some(i) == at { format!("[{n}]") } else { n })
            .collect();
        lines.push(Line::raw(format!("sheets: {}", shown.join(" · "))));
        lines.push(Line::styled(
            "↑↓ or j/k pick; ✓ = a header row in its first 20 rows.",
            ctx.theme.dim(),
        ));
    } else if state.completions.is_empty()
        && let Some(current) = &state.current
    {
        lines.push(Line::raw(format!("loaded {current}")));
        lines.push(Line::styled(
            "2 opens Review; Enter on a path or a recent file loads another.",
            ctx.theme.dim(),
        ));
    } else if !state.completions.is_empty() {
        let shown: Vec<String> = state
            .completions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = c.rsplit_once('/').map_or(c.as_str(), |(_, n)| n);
                let name = if name.is_empty() { c.as_str() } else { name };
                if Some(i) == state.completion {
                    format!("[{name}]")
                } else {
                    name.to_string()
                }
            })
            .collect();
        lines.push(Line::styled(
            format!("{} matches (Tab again cycles):", state.completions.len()),
            ctx.theme.dim(),
        ));
        lines.push(Line::raw(shown.join("  ")));
    } else {
        lines.push(Line::styled(
            "Enter loads the file; it is read in the background and Review opens when done.",
            ctx.theme.dim(),
        ));
        lines.push(Line::styled(
            ".xlsx .xlsm .xls .xlsb .ods .csv are told apart by content, not by name.",
            ctx.theme.dim(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" Status "))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn render_recent(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let focused = state.focus == Field::Recent;
    let mut block = Block::bordered()
        .border_style(ctx.theme.border(focused))
        .title(Span::styled(" Recent files ", ctx.theme.title()));
    if state.recent_filter.is_active() {
        let cursor = if state.recent_filter.editing {
            "▏"
        } else {
            ""
        };
        block = block.title_bottom(Line::from(vec![
            Span::styled(" /", ctx.theme.key()),
            Span::raw(format!("{}{cursor} ", state.recent_filter.input.value())),
        ]));
    }
    if state.recent.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "none yet: files you load are remembered here",
                ctx.theme.dim(),
            ))
            .block(block),
            area,
        );
        return;
    }
    let cursor = state.recent_cursor;
    let items = (state.recent_shown.iter())
        .skip(cursor.offset)
        .take(state.recent_height)
        .map(|&i| ListItem::new(state.recent[i].display().to_string()));
    let list = List::new(items)
        .block(block)
        .highlight_style(ctx.theme.selected(focused));
    let selected =
        (!state.recent_shown.is_empty()).then(|| cursor.selected.saturating_sub(cursor.offset));
    let mut list_state = ListState::default().with_selected(selected);
    frame.render_stateful_widget(list, area, &mut list_state);
}
