//! The Review screen: the loaded portfolio as a tree (building → floor → space) with ✓ ⚠ ✗ per
//! node, the details of the selection (a pane of its own that takes the focus and scrolls),
//! the findings (filterable by severity, code, building and text; Enter jumps to the node) and
//! the space types with their ME/WE usage and the rule that decided it. Errors about the whole
//! file (a missing column) show as a banner above the panes, and no node claims ✓ while they
//! stand. After a reload, a popup lists what changed; it takes every key until closed. Owns its
//! [`State`] and implements [`Screen`]; drawing reads the state only and draws only the rows
//! that fit. The details' lines are in [`details`].

mod details;

use details::Subject;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use tui_input::Input;

use super::{Action, Screen};
use crate::domain::PortfolioCounts;
use crate::template::{Code, Diagnostic, Loaded, Severity};
use crate::tui::keymap::{self, Command, Table};
use crate::tui::list::{Cursor, TextFilter};
use crate::tui::portfolio_tree::{Expansion, NodeId, Status, Tree, floor_label};
use crate::tui::theme::Theme;
use crate::tui::widgets::{
    Ctx, Scroll, box_rect, fit_words, inner_height, list_block, pane, plural, render_list,
    text_box, truncate, wrapped_height,
};

/// The key tables of this screen, most specific first.
pub const TABLES: &[Table] = &[keymap::REVIEW, keymap::LIST, keymap::GLOBAL];
/// The keys while the reload popup is open: it takes them all.
pub const CHANGES_TABLES: &[Table] = &[keymap::CHANGES, keymap::SCROLL];

/// The panes, in the order Tab visits them (reading order: left to right, top to bottom).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Details,
    Findings,
    Types,
}

impl Pane {
    const ORDER: [Pane; 4] = [Pane::Tree, Pane::Details, Pane::Findings, Pane::Types];

    fn next(self, forward: bool) -> Pane {
        let at = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let step = if forward { 1 } else { Pane::ORDER.len() - 1 };
        Pane::ORDER[(at + step) % Pane::ORDER.len()]
    }
}

/// Which findings the list shows.
#[derive(Debug, Clone, Default)]
pub struct FindingsFilter {
    pub severity: Option<Severity>,
    pub code: Option<Code>,
    /// A building's label, as findings carry it.
    pub building: Option<String>,
    pub text: TextFilter,
}

impl FindingsFilter {
    fn keeps(&self, d: &Diagnostic, needle: &str) -> bool {
        self.severity.is_none_or(|s| d.severity == s)
            && self.code.is_none_or(|c| d.code == c)
            && self
                .building
                .as_ref()
                .is_none_or(|b| d.building.as_ref() == Some(b))
            && (needle.is_empty() || finding_text(d).to_lowercase().contains(needle))
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.severity {
            parts.push(format!("{}s", s.word()));
        }
        if let Some(c) = self.code {
            parts.push(c.as_str().to_string());
        }
        if let Some(b) = &self.building {
            parts.push(b.clone());
        }
        parts.join(" · ")
    }
}

/// Rows each list can show, from the layout (set by the app on every resize).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heights {
    pub tree: usize,
    pub findings: usize,
    pub types: usize,
}

impl Default for Heights {
    fn default() -> Self {
        Heights {
            tree: 10,
            findings: 6,
            types: 4,
        }
    }
}

/// What changed between two loads of the same file (`r`).
#[derive(Debug, Clone)]
pub struct Changes {
    pub fixed: Vec<Diagnostic>,
    pub new: Vec<Diagnostic>,
    pub before: PortfolioCounts,
    pub after: PortfolioCounts,
    pub errors_before: usize,
    pub errors_after: usize,
}

impl Changes {
    pub fn between(old: &Loaded, new: &Loaded) -> Changes {
        let key = |d: &Diagnostic| (d.code, d.cell.clone(), d.value.clone());
        let old_keys: HashSet<_> = old.diagnostics.iter().map(key).collect();
        let new_keys: HashSet<_> = new.diagnostics.iter().map(key).collect();
        Changes {
            fixed: (old.diagnostics.iter())
                .filter(|d| !new_keys.contains(&key(d)))
                .cloned()
                .collect(),
            new: (new.diagnostics.iter())
                .filter(|d| !old_keys.contains(&key(d)))
                .cloned()
                .collect(),
            before: old.counts,
            after: new.counts,
            errors_before: old.tally().errors,
            errors_after: new.tally().errors,
        }
    }

    /// "2 fixed · 1 new · spaces 420 → 422".
    pub fn summary(&self) -> String {
        if self.fixed.is_empty() && self.new.is_empty() && self.before == self.after {
            return format!(
                "no change since the last load ({} errors)",
                self.errors_after
            );
        }
        let mut parts = vec![
            format!("{} fixed", self.fixed.len()),
            format!("{} new", self.new.len()),
            format!("errors {} → {}", self.errors_before, self.errors_after),
        ];
        let (b, a) = (self.before, self.after);
        for (name, x, y) in [
            ("buildings", b.buildings, a.buildings),
            ("floors", b.floors, a.floors),
            ("spaces", b.spaces, a.spaces),
            ("space types", b.space_types, a.space_types),
        ] {
            if x != y {
                parts.push(format!("{name} {x} → {y}"));
            }
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub loaded: Arc<Loaded>,
    pub tree: Tree,
    pub expansion: Expansion,
    /// The tree's visible rows, top to bottom.
    pub rows: Vec<NodeId>,
    pub tree_cursor: Cursor,
    pub tree_filter: TextFilter,
    /// Indexes of the diagnostics the findings list shows.
    pub findings: Vec<usize>,
    pub findings_cursor: Cursor,
    pub findings_filter: FindingsFilter,
    /// Indexes of the space types shown.
    pub types: Vec<usize>,
    pub types_cursor: Cursor,
    pub types_filter: TextFilter,
    pub focus: Pane,
    /// The list pane whose selection the details pane shows (the last one focused).
    pub details_of: Pane,
    pub details_scroll: Scroll,
    pub heights: Heights,
    /// Where the screen is drawn (set on every resize).
    pub area: Rect,
    pub changes: Option<Changes>,
    pub show_changes: bool,
    pub changes_scroll: Scroll,
    /// Errors that belong to no building (a missing column): nothing can be uploaded.
    pub file_errors: Vec<usize>,
}

impl State {
    pub fn new(loaded: Arc<Loaded>) -> State {
        let tree = Tree::build(&loaded);
        State::with_tree(loaded, tree)
    }

    /// The state for a template whose tree is already built.
    pub fn with_tree(loaded: Arc<Loaded>, tree: Tree) -> State {
        let file_errors = (loaded.diagnostics.iter().enumerate())
            .filter(|(_, d)| d.severity == Severity::Error && d.building.is_none())
            .map(|(i, _)| i)
            .collect();
        let mut state = State {
            findings: (0..loaded.diagnostics.len()).collect(),
            types: (0..loaded.portfolio.space_types.len()).collect(),
            loaded,
            tree,
            expansion: Expansion::default(),
            rows: Vec::new(),
            tree_cursor: Cursor::default(),
            tree_filter: TextFilter::default(),
            findings_cursor: Cursor::default(),
            findings_filter: FindingsFilter::default(),
            types_cursor: Cursor::default(),
            types_filter: TextFilter::default(),
            focus: Pane::Tree,
            details_of: Pane::Tree,
            details_scroll: Scroll::default(),
            heights: Heights::default(),
            area: Rect::default(),
            changes: None,
            show_changes: false,
            changes_scroll: Scroll::default(),
            file_errors,
        };
        state.refresh_rows();
        state
    }

    /// The state after reloading the same file: the new data, the operator's view kept where
    /// it still fits, and what changed.
    pub fn reloaded(self, loaded: Arc<Loaded>, tree: Tree) -> State {
        let changes = Changes::between(&self.loaded, &loaded);
        let mut next = State::with_tree(loaded, tree);
        next.focus = self.focus;
        next.details_of = self.details_of;
        next.heights = self.heights;
        next.area = self.area;
        if self.loaded.portfolio.buildings.len() == next.loaded.portfolio.buildings.len() {
            next.expansion = self.expansion;
        }
        next.tree_cursor = self.tree_cursor;
        next.refresh_rows();
        next.changes = Some(changes);
        next.show_changes = true;
        next
    }

    pub fn selected_node(&self) -> Option<NodeId> {
        self.rows.get(self.tree_cursor.selected).copied()
    }

    pub fn selected_finding(&self) -> Option<usize> {
        self.findings.get(self.findings_cursor.selected).copied()
    }

    fn refresh_rows(&mut self) {
        self.rows = self
            .tree
            .visible(&self.expansion, &self.tree_filter.needle());
        self.tree_cursor.follow(self.rows.len(), self.heights.tree);
    }

    /// Recompute the visible rows keeping the selected node selected; when it is hidden now,
    /// its nearest visible ancestor.
    fn refresh_rows_keeping_node(&mut self) {
        let kept = self.selected_node();
        self.refresh_rows();
        let mut node = kept;
        while let Some(n) = node {
            if let Some(row) = self.rows.iter().position(|r| *r == n) {
                self.tree_cursor
                    .select(row, self.rows.len(), self.heights.tree);
                return;
            }
            node = n.parent();
        }
    }

    fn refresh_findings(&mut self) {
        let needle = self.findings_filter.text.needle();
        self.findings = (self.loaded.diagnostics.iter().enumerate())
            .filter(|(_, d)| self.findings_filter.keeps(d, &needle))
            .map(|(i, _)| i)
            .collect();
        self.findings_cursor
            .follow(self.findings.len(), self.heights.findings);
    }

    fn refresh_types(&mut self) {
        let needle = self.types_filter.needle();
        self.types = (self.loaded.portfolio.space_types.iter().enumerate())
            .filter(|(_, t)| needle.is_empty() || t.name.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        self.types_cursor
            .follow(self.types.len(), self.heights.types);
    }

    /// Lay the panes out in `area` and keep every window consistent with the new heights.
    pub fn set_area(&mut self, area: Rect) {
        self.area = area;
        let heights = self.panes().heights();
        self.heights = heights;
        self.tree_cursor.follow(self.rows.len(), heights.tree);
        self.findings_cursor
            .follow(self.findings.len(), heights.findings);
        self.types_cursor.follow(self.types.len(), heights.types);
    }

    /// Where the panes sit in the screen's area.
    pub fn panes(&self) -> Panes {
        Panes::of(self.area, !self.file_errors.is_empty())
    }

    /// Whether a text field (a `/` filter) has the keys.
    pub fn is_typing(&self) -> bool {
        !self.show_changes && self.focused_filter().editing
    }

    /// The list pane keys act on: the focused one, or for the details pane the list whose
    /// selection it shows.
    fn list_pane(&self) -> Pane {
        match self.focus {
            Pane::Details => self.details_of,
            pane => pane,
        }
    }

    /// Focus `pane`; a list pane also becomes what the details show, from their top.
    fn focus_on(&mut self, pane: Pane) {
        self.focus = pane;
        if pane != Pane::Details && self.details_of != pane {
            self.details_of = pane;
            self.details_scroll = Scroll::default();
        }
    }

    fn focused_filter(&self) -> &TextFilter {
        match self.list_pane() {
            Pane::Findings => &self.findings_filter.text,
            Pane::Types => &self.types_filter,
            Pane::Tree | Pane::Details => &self.tree_filter,
        }
    }

    fn focused_filter_mut(&mut self) -> &mut TextFilter {
        match self.list_pane() {
            Pane::Findings => &mut self.findings_filter.text,
            Pane::Types => &mut self.types_filter,
            Pane::Tree | Pane::Details => &mut self.tree_filter,
        }
    }

    fn refresh_focused(&mut self) {
        match self.list_pane() {
            Pane::Tree | Pane::Details => {
                self.refresh_rows();
                self.select_first_match();
            }
            Pane::Findings => self.refresh_findings(),
            Pane::Types => self.refresh_types(),
        }
    }

    /// After the tree filter changed: select the first row that matches by itself (not one
    /// shown only as the path to a match).
    fn select_first_match(&mut self) {
        let needle = self.tree_filter.needle();
        if needle.is_empty() {
            return;
        }
        if let Some(row) = self
            .rows
            .iter()
            .position(|n| self.tree.matches(*n, &needle))
        {
            self.tree_cursor
                .select(row, self.rows.len(), self.heights.tree);
        }
    }

    /// Select `node` in the tree, opening its ancestors (and clearing a tree filter that hides
    /// it), and give the tree the focus.
    pub fn jump_to(&mut self, node: NodeId) {
        self.expansion.reveal(node);
        self.refresh_rows();
        if !self.rows.contains(&node) {
            self.tree_filter = TextFilter::default();
            self.refresh_rows();
        }
        if let Some(row) = self.rows.iter().position(|n| *n == node) {
            self.tree_cursor
                .select(row, self.rows.len(), self.heights.tree);
        }
        self.focus_on(Pane::Tree);
        self.details_scroll = Scroll::default();
    }

    /// The cursor of a list pane, its length and its height; `None` for the details pane.
    fn list(&mut self, pane: Pane) -> Option<(&mut Cursor, usize, usize)> {
        match pane {
            Pane::Tree => Some((&mut self.tree_cursor, self.rows.len(), self.heights.tree)),
            Pane::Findings => Some((
                &mut self.findings_cursor,
                self.findings.len(),
                self.heights.findings,
            )),
            Pane::Types => Some((&mut self.types_cursor, self.types.len(), self.heights.types)),
            Pane::Details => None,
        }
    }

    /// What the details pane shows: the selection of the list pane it follows.
    fn details_subject(&self) -> Subject {
        let selected = match self.details_of {
            Pane::Findings => self.selected_finding().map(Subject::Finding),
            Pane::Types => (self.types.get(self.types_cursor.selected)).map(|&t| Subject::Type(t)),
            Pane::Tree | Pane::Details => self.selected_node().map(Subject::Node),
        };
        selected.unwrap_or(Subject::Nothing("nothing matches the filter"))
    }

    /// The details pane's title and lines for a pane `width` columns wide inside.
    fn details(&self, theme: Theme, width: u16) -> (String, Vec<Line<'static>>) {
        let template = details::Template {
            loaded: &self.loaded,
            tree: &self.tree,
            file_errors: self.file_errors.len(),
        };
        details::lines(&template, self.details_subject(), theme, usize::from(width))
    }

    /// The rows the details take in the details pane, and the rows it shows at once.
    fn details_rows(&self) -> (usize, usize) {
        let rect = self.panes().details;
        let width = rect.width.saturating_sub(2);
        let (_, lines) = self.details(Theme::default(), width);
        (wrapped_height(&lines, width), inner_height(rect))
    }

    /// Scroll a pane by mouse wheel.
    pub fn scroll(&mut self, pane: Pane, delta: isize) {
        if pane == Pane::Details {
            let (len, height) = self.details_rows();
            self.details_scroll.wheel(delta, len, height);
        } else if let Some((cursor, len, height)) = self.list(pane) {
            cursor.scroll(delta, len, height);
        }
    }

    /// Click on a pane: focus it; on its `row`-th visible line, select that row, and on the row
    /// already selected, open it like Enter.
    pub fn click(&mut self, pane: Pane, row: Option<usize>) -> Option<Action> {
        let again = self.focus == pane;
        self.focus_on(pane);
        let row = row?;
        let (cursor, len, height) = self.list(pane)?;
        let target = cursor.offset + row;
        if target >= len {
            return None;
        }
        if again && cursor.selected == target {
            return open(self);
        }
        cursor.select(target, len, height);
        self.details_scroll = Scroll::default();
        None
    }

    /// The reload popup's lines and the rows it shows at once.
    fn changes_rows(&self) -> (usize, usize) {
        let Some(changes) = &self.changes else {
            return (0, 0);
        };
        let lines = changes_lines(changes, Theme::default());
        let rect = box_rect(self.area, &lines, CHANGES_WIDTH);
        (
            wrapped_height(&lines, rect.width.saturating_sub(2)),
            inner_height(rect),
        )
    }

    fn set_open(&mut self, node: NodeId, open: bool) {
        if self.tree.has_children(node) {
            self.expansion.set(node, open);
            self.refresh_rows();
        }
    }

    fn cycle_code(&mut self) {
        let codes: BTreeSet<Code> = self.loaded.diagnostics.iter().map(|d| d.code).collect();
        self.findings_filter.code = cycle(
            &codes.into_iter().collect::<Vec<_>>(),
            self.findings_filter.code,
        );
    }

    fn cycle_building(&mut self) {
        let mut labels: Vec<String> = Vec::new();
        for d in &self.loaded.diagnostics {
            if let Some(b) = &d.building
                && !labels.contains(b)
            {
                labels.push(b.clone());
            }
        }
        self.findings_filter.building = cycle(&labels, self.findings_filter.building.clone());
    }
}

/// The next value after `current` in `values`, then none, then the first again.
fn cycle<T: Clone + PartialEq>(values: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => values.first().cloned(),
        Some(c) => {
            let at = values.iter().position(|v| *v == c)?;
            values.get(at + 1).cloned()
        }
    }
}

/// Handle a key: the reload popup takes every key while open, then a filter being typed, then
/// the screen's key tables.
pub fn handle_key(state: &mut State, key: KeyEvent) -> Option<Action> {
    if state.show_changes {
        changes_key(state, &key);
        return None;
    }
    if state.is_typing() {
        type_into_filter(state, key);
        return None;
    }
    let command = keymap::lookup(TABLES, &key)?;
    handle_command(state, command)
}

/// A key while the reload popup is open: scroll it or close it; nothing reaches the panes.
fn changes_key(state: &mut State, key: &KeyEvent) {
    match keymap::lookup(CHANGES_TABLES, key) {
        Some(Command::Dismiss) => {
            state.show_changes = false;
            state.changes_scroll = Scroll::default();
        }
        Some(command) => {
            let (len, height) = state.changes_rows();
            state.changes_scroll.apply(command, len, height);
        }
        None => {}
    }
}

fn type_into_filter(state: &mut State, key: KeyEvent) {
    state.focused_filter_mut().type_key(key);
    state.refresh_focused();
}

/// Carry out a command; commands this screen does not own go back to the app.
pub fn handle_command(state: &mut State, command: Command) -> Option<Action> {
    if state.focus == Pane::Details {
        let (len, height) = state.details_rows();
        if state.details_scroll.apply(command, len, height) {
            return None;
        }
    } else if let Some((cursor, len, height)) = state.list(state.focus)
        && cursor.apply(command, len, height)
    {
        state.details_scroll = Scroll::default();
        return None;
    }
    match command {
        Command::NextPane => state.focus_on(state.focus.next(true)),
        Command::PrevPane => state.focus_on(state.focus.next(false)),
        Command::Filter => {
            state.focus_on(state.list_pane());
            state.focused_filter_mut().editing = true;
        }
        Command::Open => return open(state),
        Command::Expand | Command::Collapse | Command::Toggle => tree_command(state, command),
        Command::ExpandAll => {
            state.expansion.open_all(&state.tree);
            state.refresh_rows_keeping_node();
        }
        Command::CollapseAll => {
            state.expansion.close_all();
            state.refresh_rows_keeping_node();
        }
        Command::CycleSeverity => {
            state.findings_filter.severity = cycle(
                &[Severity::Error, Severity::Warning, Severity::Info],
                state.findings_filter.severity,
            );
            state.show_findings();
        }
        Command::CycleCode => {
            state.cycle_code();
            state.show_findings();
        }
        Command::CycleBuilding => {
            state.cycle_building();
            state.show_findings();
        }
        Command::ClearFilters => clear_filters(state),
        Command::Back => return back(state),
        Command::Reload => return Some(Action::Reload),
        Command::Export => return Some(Action::ExportPrompt),
        Command::Upload => return Some(Action::OpenUpload),
        other => return Some(Action::Global(other)),
    }
    None
}

impl State {
    /// The findings filter changed: show the list it leaves, focused.
    fn show_findings(&mut self) {
        self.focus_on(Pane::Findings);
        self.refresh_findings();
        self.details_scroll = Scroll::default();
    }
}

fn has_filters(state: &State) -> bool {
    let f = &state.findings_filter;
    state.tree_filter.is_active()
        || state.types_filter.is_active()
        || f.text.is_active()
        || f.severity.is_some()
        || f.code.is_some()
        || f.building.is_some()
}

fn clear_filters(state: &mut State) {
    state.tree_filter = TextFilter::default();
    state.types_filter = TextFilter::default();
    state.findings_filter = FindingsFilter::default();
    state.refresh_rows();
    state.refresh_findings();
    state.refresh_types();
}

/// Esc: clear filters first, then return to the tree, then go back to Load.
fn back(state: &mut State) -> Option<Action> {
    if has_filters(state) {
        clear_filters(state);
        None
    } else if state.focus != Pane::Tree {
        state.focus_on(Pane::Tree);
        None
    } else {
        Some(Action::Global(Command::Back))
    }
}

fn open(state: &mut State) -> Option<Action> {
    match state.list_pane() {
        Pane::Tree | Pane::Details => tree_command(state, Command::Toggle),
        Pane::Findings => {
            let i = state.selected_finding()?;
            match state.tree.finding_node[i] {
                Some(node) => state.jump_to(node),
                None => {
                    return Some(Action::Message(
                        "this finding is about the whole file, not one building or space"
                            .to_string(),
                    ));
                }
            }
        }
        Pane::Types => {
            let t = *state.types.get(state.types_cursor.selected)?;
            let name = state.loaded.portfolio.space_types[t].name.to_lowercase();
            state.tree_filter.input = Input::new(name);
            state.refresh_rows();
            state.focus_on(Pane::Tree);
        }
    }
    None
}

fn tree_command(state: &mut State, command: Command) {
    let Some(node) = state.selected_node() else {
        return;
    };
    let open = state.expansion.is_open(node);
    match command {
        Command::Expand => state.set_open(node, true),
        Command::Toggle => state.set_open(node, !open),
        Command::Collapse if open => state.set_open(node, false),
        Command::Collapse => {
            if let Some(parent) = node.parent() {
                state.jump_to(parent);
            }
        }
        _ => {}
    }
}

/// Where each pane sits; used both to draw and to map mouse clicks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    /// The line above the panes that says what blocks the whole file (zero rows when
    /// nothing does).
    pub banner: Rect,
    pub tree: Rect,
    pub findings: Rect,
    pub details: Rect,
    pub types: Rect,
}

impl Panes {
    pub fn of(area: Rect, banner: bool) -> Panes {
        let [banner, area] =
            Layout::vertical([Constraint::Length(u16::from(banner)), Constraint::Min(0)])
                .areas(area);
        // On a narrow terminal the tree gets a larger share, so building names fit.
        let tree_share = if area.width < 100 { 60 } else { 58 };
        let [left, right] = Layout::horizontal([
            Constraint::Percentage(tree_share),
            Constraint::Percentage(100 - tree_share),
        ])
        .areas(area);
        let [tree, findings] =
            Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(left);
        let [details, types] =
            Layout::vertical([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(right);
        Panes {
            banner,
            tree,
            findings,
            details,
            types,
        }
    }

    pub fn heights(&self) -> Heights {
        let inner = |r: Rect| usize::from(r.height.saturating_sub(2)).max(1);
        Heights {
            tree: inner(self.tree),
            findings: inner(self.findings),
            types: inner(self.types),
        }
    }

    /// The pane under a screen position, and the line inside it (`None` on the border).
    pub fn hit(&self, column: u16, row: u16) -> Option<(Pane, Option<usize>)> {
        [
            (Pane::Tree, self.tree),
            (Pane::Details, self.details),
            (Pane::Findings, self.findings),
            (Pane::Types, self.types),
        ]
        .into_iter()
        .find(|(_, r)| r.contains((column, row).into()))
        .map(|(pane, r)| {
            let inside = row > r.y && row + 1 < r.y + r.height;
            (pane, inside.then(|| usize::from(row - r.y - 1)))
        })
    }
}

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        handle_key(self, key)
    }

    fn click(&mut self, _area: Rect, column: u16, row: u16) -> Option<Action> {
        if self.show_changes {
            return None;
        }
        let (pane, line) = self.panes().hit(column, row)?;
        State::click(self, pane, line)
    }

    fn wheel(&mut self, _area: Rect, column: u16, row: u16, delta: isize) {
        if self.show_changes {
            let (len, height) = self.changes_rows();
            self.changes_scroll.wheel(delta, len, height);
        } else if let Some((pane, _)) = self.panes().hit(column, row) {
            self.scroll(pane, delta);
        }
    }

    fn resize(&mut self, area: Rect) {
        self.set_area(area);
    }

    fn render(&self, frame: &mut Frame, _area: Rect, ctx: &Ctx) {
        let panes = self.panes();
        render_banner(frame, panes.banner, self, ctx);
        render_tree(frame, panes.tree, self, ctx);
        render_findings(frame, panes.findings, self, ctx);
        render_details(frame, panes.details, self, ctx);
        render_types(frame, panes.types, self, ctx);
        if self.show_changes
            && let Some(changes) = &self.changes
        {
            render_changes(frame, self.area, changes, self.changes_scroll, ctx);
        }
    }

    fn tables(&self) -> &'static [Table] {
        if self.show_changes {
            CHANGES_TABLES
        } else {
            TABLES
        }
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        if self.show_changes {
            ("Review: what changed", CHANGES_TABLES)
        } else {
            ("Review", TABLES)
        }
    }

    fn is_typing(&self) -> bool {
        State::is_typing(self)
    }
}

/// The details pane (focused: its border says so, and the keys scroll it).
fn render_details(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let (title, lines) = state.details(ctx.theme, area.width.saturating_sub(2));
    let title = truncate(&title, usize::from(area.width.saturating_sub(4)));
    let block = pane(&title, state.focus == Pane::Details, ctx);
    text_box(frame, area, block, lines, state.details_scroll, ctx);
}

/// "✗ 2 errors about the whole file …": why no building can go while the file has errors
/// that belong to none of them.
fn render_banner(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    if area.height == 0 {
        return;
    }
    let mut codes: Vec<&str> = (state.file_errors.iter())
        .map(|&i| state.loaded.diagnostics[i].code.as_str())
        .collect();
    codes.dedup();
    let text = format!(
        "✗ nothing can be uploaded: {} about the whole file ({}) · s lists them · r reloads \
         the fixed file",
        plural(state.file_errors.len() as u32, "error"),
        codes.join(", ")
    );
    frame.render_widget(
        Line::styled(
            fit_words(&text, usize::from(area.width)),
            ctx.theme.severity(Some(Severity::Error)),
        ),
        area,
    );
}

fn status_counts(status: Status) -> String {
    let mut out = String::new();
    if status.errors > 0 {
        out.push_str(&format!(" {}✗", status.errors));
    }
    if status.warnings > 0 {
        out.push_str(&format!(" {}⚠", status.warnings));
    }
    out
}

/// Widest a tree label is padded to before the counts columns.
const LABEL_MAX: usize = 48;

/// One tree row's parts, before they are fitted to the pane.
struct TreeRow {
    /// Indent and disclosure ("  ▸ ").
    left: String,
    status: Status,
    label: String,
    /// Floors and spaces ("4 fl 79 sp"), or a space's type.
    right: String,
    /// Errors and warnings below (" 3✗ 1⚠").
    counts: String,
}

impl TreeRow {
    fn of(state: &State, node: NodeId, narrow: bool) -> TreeRow {
        let portfolio = &state.loaded.portfolio;
        let status = state.tree.status(node);
        let disclosure = if !state.tree.has_children(node) {
            "  "
        } else if state.expansion.is_open(node) || !state.tree_filter.needle().is_empty() {
            "▾ "
        } else {
            "▸ "
        };
        let (label, right) = match node {
            NodeId::Building(b) => {
                let building = &portfolio.buildings[b];
                let spaces = building.space_count();
                let right = if narrow {
                    format!("{spaces} sp")
                } else {
                    format!("{} fl {spaces:>5} sp", building.floors.len())
                };
                (building.label(), right)
            }
            NodeId::Floor(b, f) => {
                let floor = &portfolio.buildings[b].floors[f];
                (
                    floor_label(&floor.name),
                    format!("{} sp", floor.spaces.len()),
                )
            }
            NodeId::Space(b, f, s) => {
                let space = &portfolio.buildings[b].floors[f].spaces[s];
                (space.name.clone(), truncate(&space.space_type, 16))
            }
        };
        TreeRow {
            left: format!("{}{disclosure}", "  ".repeat(node.depth())),
            status,
            label,
            right,
            counts: status_counts(status),
        }
    }

    /// The row in a pane `width` wide whose right-hand columns are `right` and `counts` wide
    /// (the widest of the rows shown), the label taking what is left.
    fn line(
        self,
        state: &State,
        width: usize,
        right: usize,
        counts: usize,
        ctx: &Ctx,
    ) -> Line<'static> {
        let used = self.left.chars().count() + 2 + right + counts + 1;
        // On wide terminals keep the counts near the names instead of at the far edge.
        let room = width.saturating_sub(used).min(LABEL_MAX);
        let label = truncate(&self.label, room);
        let pad = room.saturating_sub(label.chars().count());
        Line::from(vec![
            Span::raw(self.left),
            Span::styled(
                self.status.shown(!state.file_errors.is_empty()),
                ctx.theme.severity(self.status.worst()),
            ),
            Span::raw(format!(" {label}{} ", " ".repeat(pad))),
            Span::styled(
                format!("{:>right$}{:>counts$}", self.right, self.counts),
                ctx.theme.dim(),
            ),
        ])
    }
}

fn render_tree(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let c = state.loaded.counts;
    let width = usize::from(area.width.saturating_sub(2));
    let mut title = format!(
        "Portfolio  {} buildings · {} floors · {} spaces",
        c.buildings, c.floors, c.spaces
    );
    if title.chars().count() + 2 > width {
        title = format!(
            "Portfolio  {} bldg · {} fl · {} sp",
            c.buildings, c.floors, c.spaces
        );
    }
    let focused = state.focus == Pane::Tree;
    let cursor = state.tree_cursor;
    let rows: Vec<TreeRow> = (state.rows.iter())
        .skip(cursor.offset)
        .take(state.heights.tree)
        .map(|node| TreeRow::of(state, *node, width < 50))
        .collect();
    let widest = |part: fn(&TreeRow) -> &str| {
        (rows.iter())
            .map(|r| part(r).chars().count())
            .max()
            .unwrap_or(0)
    };
    let (right, counts) = (widest(|r| &r.right), widest(|r| &r.counts));
    let lines = (rows.into_iter())
        .map(|row| row.line(state, width, right, counts, ctx))
        .collect();
    let block = list_block(&title, focused, Some(&state.tree_filter), ctx);
    let selected = (!state.rows.is_empty()).then(|| cursor.selected.saturating_sub(cursor.offset));
    render_list(frame, area, block, lines, selected, focused, ctx);
}

fn finding_text(d: &Diagnostic) -> String {
    let cell = if d.cell.is_empty() { "-" } else { &d.cell };
    format!("{cell:<5} {:<20} {}", d.code.as_str(), d.message)
}

fn render_findings(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let tally = state.loaded.tally();
    let mut title = format!(
        "Findings  {} · {} · {} info",
        plural(tally.errors as u32, "error"),
        plural(tally.warnings as u32, "warning"),
        tally.infos
    );
    if let Some(changes) = &state.changes {
        title.push_str(&format!(" │ since last load: {}", changes.summary()));
    }
    let described = state.findings_filter.describe();
    let focused = state.focus == Pane::Findings;
    let cursor = state.findings_cursor;
    let lines: Vec<Line> = (state.findings.iter())
        .skip(cursor.offset)
        .take(state.heights.findings)
        .map(|&i| {
            let d = &state.loaded.diagnostics[i];
            Line::from(vec![
                Span::styled(d.severity.symbol(), ctx.theme.severity(Some(d.severity))),
                Span::raw(format!(" {}", finding_text(d))),
            ])
        })
        .collect();
    let empty = lines.is_empty();
    let mut block = list_block(&title, focused, Some(&state.findings_filter.text), ctx);
    if !described.is_empty() {
        block = block.title_bottom(Line::from(vec![
            Span::styled(" filter ", ctx.theme.key()),
            Span::raw(format!(
                "{described} → {} shown (x clears) ",
                state.findings.len()
            )),
        ]));
    }
    if empty {
        let text = if state.loaded.diagnostics.is_empty() {
            "✓ no findings: the template is clean"
        } else {
            "no finding matches the filter (x clears it)"
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let selected = Some(cursor.selected.saturating_sub(cursor.offset));
    render_list(frame, area, block, lines, selected, focused, ctx);
}

fn render_types(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let focused = state.focus == Pane::Types;
    let cursor = state.types_cursor;
    let types = &state.loaded.portfolio.space_types;
    let name_width = (state.types.iter())
        .map(|&t| types[t].name.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let lines: Vec<Line> = (state.types.iter())
        .skip(cursor.offset)
        .take(state.heights.types)
        .map(|&t| {
            let ty = &types[t];
            let count = state.tree.type_counts.get(&ty.name).copied().unwrap_or(0);
            let name = truncate(&ty.name, name_width);
            Line::from(vec![
                Span::styled(format!("{:<4}", ty.usage.to_string()), ctx.theme.key()),
                Span::raw(format!(" {name:<name_width$} {count:>6} ")),
                Span::styled(ty.rule.to_string(), ctx.theme.dim()),
            ])
        })
        .collect();
    let title = format!("Space types  {}", types.len());
    let block = list_block(&title, focused, Some(&state.types_filter), ctx);
    let selected = (!lines.is_empty()).then(|| cursor.selected.saturating_sub(cursor.offset));
    render_list(frame, area, block, lines, selected, focused, ctx);
}

/// Widest the reload popup grows.
const CHANGES_WIDTH: u16 = 90;

/// The reload popup's text: the summary, then the findings fixed and the new ones.
fn changes_lines(changes: &Changes, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(changes.summary(), theme.title())];
    let mut section = |title: &str, list: &[Diagnostic]| {
        if list.is_empty() {
            return;
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(title.to_string(), theme.title()));
        for d in list {
            let value = if d.value.is_empty() {
                String::new()
            } else {
                format!(" \"{}\"", d.value)
            };
            lines.push(Line::raw(format!(
                "  {} {:<5} {:<20}{value}",
                d.severity.symbol(),
                d.cell,
                d.code.as_str()
            )));
        }
    };
    section("✓ Fixed since the last load", &changes.fixed);
    section("+ New since the last load", &changes.new);
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Esc or ⏎ closes; ↑↓ PgUp PgDn scroll",
        theme.dim(),
    ));
    lines
}

/// The reload popup over the panes, as tall as its text allows, scrolled by `scroll`.
fn render_changes(frame: &mut Frame, area: Rect, changes: &Changes, scroll: Scroll, ctx: &Ctx) {
    let lines = changes_lines(changes, ctx.theme);
    let rect = box_rect(area, &lines, CHANGES_WIDTH);
    let block = Block::bordered().title(" Reloaded: what changed ");
    text_box(frame, rect, block, lines, scroll, ctx);
}
