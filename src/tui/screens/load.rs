//! The Load screen: a path field with Tab completion, the sheet and country choices, the
//! recently loaded files, and a Status box that says what is going on (the load running, why
//! the last one failed, the Tab matches, the sheets of the file, what is loaded) and grows to
//! hold the whole message. A file that cannot be read shows its
//! [`crate::template::LoadError`] message here, in words ([`describe_load_error`]). Owns its
//! [`State`]; the app runs the load and reports back.

use std::path::{Path, PathBuf};

use crossterm::event::{Event as CrosstermEvent, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Action, LoadRequest, Screen};
use crate::domain::CountryCode;
use crate::template::{LoadError, SheetInfo};
use crate::tui::complete::{self, Completer};
use crate::tui::keymap::{self, Command, Table};
use crate::tui::list::{Cursor, TextFilter};
use crate::tui::theme::Theme;
use crate::tui::widgets::{Ctx, pane, wrapped_height};

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

/// Which part of the screen has the keys. The recent files list comes first, so that a new
/// session's `?`, `q` and number keys are keys, not text typed into the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    Path,
    Sheet,
    Country,
    #[default]
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
    /// Tab completion of the path field.
    pub completer: Completer,
    pub loading: Option<Loading>,
    /// Why the last load failed; cleared as soon as a field changes.
    pub error: Option<String>,
    /// What is loaded now ("FILE: 7 buildings · … · 10 ✗ errors"), shown when idle.
    pub current: Option<String>,
    /// The file whose sheets were last asked for.
    pub sheets_asked: Option<PathBuf>,
    /// That file's sheets once read; `None` while unknown or unreadable (then Sheet is typed).
    pub sheets: Option<Vec<SheetInfo>>,
    /// Where the screen is drawn (set on every resize).
    pub area: Rect,
}

impl State {
    pub fn new(recent: Vec<PathBuf>) -> State {
        let mut state = State {
            recent,
            ..State::default()
        };
        state.refresh_recent();
        state
    }

    /// Rows the recent files list shows at once.
    pub fn recent_height(&self) -> usize {
        self.parts(self.area).recent_height()
    }

    /// Where the parts of the screen sit in `area`, the Status box as tall as its message.
    pub fn parts(&self, area: Rect) -> Parts {
        let lines = self.status_lines(Theme::default());
        let rows = wrapped_height(&lines, area.width.saturating_sub(2));
        Parts::of(area, u16::try_from(rows).unwrap_or(u16::MAX))
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
        let height = self.recent_height();
        self.recent_cursor.follow(self.recent_shown.len(), height);
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
        (!typed.is_empty() && self.sheets_asked.as_ref() != Some(&path) && path.is_file())
            .then_some(path)
    }

    /// Forget the sheets when the path field no longer names the file they belong to.
    pub fn drop_stale_sheets(&mut self) {
        let path = complete::expand_home(self.path.value().trim());
        if self.sheets_asked.as_ref().is_some_and(|p| *p != path) {
            self.sheets_asked = None;
            self.sheets = None;
        }
    }

    /// The sheets of `path` arrived; `false` when the path field has moved on to another
    /// file (the reply is dropped).
    pub fn sheets_read(&mut self, path: &Path, sheets: Option<Vec<SheetInfo>>) -> bool {
        let current = self.sheets_asked.as_deref() == Some(path);
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
        let wrap = |at: usize, len: usize| (at as isize + step).rem_euclid(len as isize) as usize;
        match self.focus {
            Field::Sheet => {
                let Some(sheets) = &self.sheets else { return };
                let next = wrap(self.sheet_index().unwrap_or(0), sheets.len() + 1);
                let value = next
                    .checked_sub(1)
                    .map(|i| sheets[i].name.clone())
                    .unwrap_or_default();
                self.sheet = Input::new(value);
            }
            Field::Country => {
                let next = wrap(self.country_index().unwrap_or(0), COUNTRIES.len() + 1);
                let value = next
                    .checked_sub(1)
                    .map(|i| COUNTRIES[i].0.to_string())
                    .unwrap_or_default();
                self.country = Input::new(value);
            }
            Field::Path | Field::Recent => return,
        }
        self.error = None;
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
        let typed = self.path.value().to_string();
        self.error = None;
        match self.completer.tab(&typed) {
            Some(text) => {
                self.path = Input::new(text);
                None
            }
            None => Some(Action::Message(complete::nothing_matches(&typed))),
        }
    }

    /// Type `key` into the focused field; an edit forgets the last error and Tab matches.
    fn type_key(&mut self, key: KeyEvent) {
        let focus = self.focus;
        let Some(input) = self.field_mut() else {
            return;
        };
        if input.handle_event(&CrosstermEvent::Key(key)).is_some() {
            self.error = None;
            if focus == Field::Path {
                self.completer.reset();
            }
        }
    }

    /// A recent file was picked: load it with the sheet and country fields.
    fn load_recent(&mut self) -> Option<Action> {
        let Some(path) = self.selected_recent().cloned() else {
            // Nothing to pick: the path field is where a file is named.
            self.focus = Field::Path;
            return None;
        };
        self.path = Input::new(path.display().to_string());
        self.completer.reset();
        Some(
            self.request(path)
                .map_or_else(Action::Message, Action::Load),
        )
    }

    /// What the Status box says, most pressing first.
    fn status_lines(&self, theme: Theme) -> Vec<Line<'static>> {
        let dim = |text: &str| Line::styled(text.to_string(), theme.dim());
        if let Some(loading) = &self.loading {
            return vec![
                Line::raw(format!("loading {} …", loading.path.display())),
                dim("Esc cancels; the other keys keep working."),
            ];
        }
        if let Some(error) = &self.error {
            return vec![
                Line::styled(
                    format!("✗ {error}"),
                    theme.severity(Some(crate::template::Severity::Error)),
                ),
                dim("Fix the path, the sheet or the country and press Enter again."),
            ];
        }
        if self.focus == Field::Sheet
            && let Some(sheets) = &self.sheets
        {
            let at = self.sheet_index();
            let names = std::iter::once("(auto)".to_string()).chain(sheets.iter().map(|s| {
                let mark = if s.has_header { " ✓" } else { "" };
                format!("{}{mark}", s.name)
            }));
            let shown: Vec<String> = names
                .enumerate()
                .map(|(i, n)| if Some(i) == at { format!("[{n}]") } else { n })
                .collect();
            return vec![
                Line::raw(format!("sheets: {}", shown.join(" · "))),
                dim("↑↓ or j/k pick; ✓ = a header row in its first 20 rows."),
            ];
        }
        let names = self.completer.names();
        if self.focus == Field::Path && !names.is_empty() {
            return vec![
                dim(&format!("{} matches (Tab again cycles):", names.len())),
                Line::raw(names.join("  ")),
            ];
        }
        if let Some(current) = &self.current {
            return vec![
                Line::raw(format!("loaded {current}")),
                dim("2 opens Review; Enter on a path or a recent file loads another."),
            ];
        }
        let first = if self.focus == Field::Recent {
            "i (or a click on Path) types the template's path; Tab completes it, Enter loads it."
        } else {
            "Enter loads the file; it is read in the background and Review opens when done."
        };
        vec![
            dim(first),
            dim(".xlsx .xlsm .xls .xlsb .ods .csv are told apart by content, not by name."),
        ]
    }

    /// Click on the form's `field`: focus it; on the focused choice, pick the next entry.
    fn click_field(&mut self, field: Field) {
        if field == self.focus {
            self.pick(1);
        }
        self.focus = field;
    }
}

/// The loader's error in the operator's words: a missing file or a folder said plainly
/// instead of the system's "(os error 2)".
pub fn describe_load_error(error: &LoadError) -> String {
    match error {
        LoadError::Io { path, source } => match source.kind() {
            std::io::ErrorKind::NotFound => format!(
                "there is no file {}: check the path (Tab completes it)",
                path.display()
            ),
            std::io::ErrorKind::IsADirectory => format!(
                "{} is a folder: add the template's file name (Tab lists the files in it)",
                path.display()
            ),
            std::io::ErrorKind::PermissionDenied => format!(
                "{} cannot be read with your permissions: copy it somewhere you can read, or \
                 ask for access",
                path.display()
            ),
            _ => error.to_string(),
        },
        other => other.to_string(),
    }
}

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.focus == Field::Recent && self.recent_filter.editing {
            self.recent_filter.type_key(key);
            self.refresh_recent();
            return None;
        }
        let command = keymap::lookup(self.tables(), &key);
        match command {
            Some(command) => handle_command(self, command),
            None => {
                self.type_key(key);
                None
            }
        }
    }

    fn click(&mut self, area: Rect, column: u16, row: u16) -> Option<Action> {
        let parts = self.parts(area);
        if parts.form.contains((column, row).into()) {
            match row.saturating_sub(parts.form.y) {
                0 | 1 => self.focus = Field::Path,
                2 => self.click_field(Field::Sheet),
                _ => self.click_field(Field::Country),
            }
        } else if parts.recent.contains((column, row).into()) && row > parts.recent.y {
            let line = usize::from(row.saturating_sub(parts.recent.y + 1));
            let target = self.recent_cursor.offset + line;
            if target < self.recent_shown.len() {
                self.focus = Field::Recent;
                let height = self.recent_height();
                self.recent_cursor
                    .select(target, self.recent_shown.len(), height);
            }
        }
        None
    }

    fn wheel(&mut self, _area: Rect, _column: u16, _row: u16, delta: isize) {
        let height = self.recent_height();
        (self.recent_cursor).scroll(delta, self.recent_shown.len(), height);
    }

    fn resize(&mut self, area: Rect) {
        self.area = area;
        self.refresh_recent();
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let parts = self.parts(area);
        render_form(frame, parts.form, self, ctx);
        frame.render_widget(
            Paragraph::new(self.status_lines(ctx.theme))
                .block(Block::bordered().title(" Status "))
                .wrap(Wrap { trim: false }),
            parts.status,
        );
        render_recent(frame, parts.recent, self, ctx);
    }

    fn tables(&self) -> &'static [Table] {
        State::tables(self)
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        ("Load", HELP_TABLES)
    }

    fn is_typing(&self) -> bool {
        State::is_typing(self)
    }
}

pub fn handle_command(state: &mut State, command: Command) -> Option<Action> {
    if state.focus == Field::Recent {
        let len = state.recent_shown.len();
        if command == Command::Up && state.recent_cursor.selected == 0 {
            state.focus = Field::Country;
            return None;
        }
        let height = state.recent_height();
        if state.recent_cursor.apply(command, len, height) {
            return None;
        }
    }
    match command {
        Command::Load if state.focus == Field::Recent => return state.load_recent(),
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

/// The Status box's rows inside its border when its message is short.
const STATUS_ROWS: u16 = 3;
/// The recent files list's rows (with its border) it keeps however long the status.
const RECENT_MIN: u16 = 4;

impl Parts {
    /// The parts in `area`, the Status box holding `status_rows` rows of message (at least
    /// three, at most what leaves the recent files a few rows).
    pub fn of(area: Rect, status_rows: u16) -> Parts {
        let form_height = 5;
        let most = area.height.saturating_sub(form_height + RECENT_MIN);
        let status_height = (status_rows.max(STATUS_ROWS) + 2).min(most.max(STATUS_ROWS + 2));
        let [form, status, recent] = Layout::vertical([
            Constraint::Length(form_height),
            Constraint::Length(status_height),
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
    let block = pane("Load a Space Data template", state.is_typing(), ctx);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_recent(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let focused = state.focus == Field::Recent;
    let mut block = pane("Recent files", focused, ctx);
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
        .take(usize::from(area.height.saturating_sub(2)))
        .map(|&i| ListItem::new(state.recent[i].display().to_string()));
    let list = List::new(items)
        .block(block)
        .highlight_style(ctx.theme.selected(focused));
    let selected =
        (!state.recent_shown.is_empty()).then(|| cursor.selected.saturating_sub(cursor.offset));
    let mut list_state = ListState::default().with_selected(selected);
    frame.render_stateful_widget(list, area, &mut list_state);
}
