//! The Review screen: the loaded portfolio as a tree (building → floor → space) with ✓ ⚠ ✗ per
//! node, the details of the selected node, the findings (filterable by severity, code, building
//! and text; Enter jumps to the node) and the space types with their ME/WE usage and the rule
//! that decided it. Owns its [`State`]; keys come in through [`handle_key`], drawing through
//! [`render`], which reads the state only and draws only the rows that fit.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};
use tui_input::Input;

use super::super::Ctx;
use super::super::keymap::{self, Command, Table};
use super::super::list::{Cursor, TextFilter};
use super::super::portfolio_tree::{Expansion, NodeId, Status, Tree, floor_label};
use super::Action;
use crate::domain::PortfolioCounts;
use crate::domain::names::{floor_number, sanitise_for_condeco};
use crate::template::{Code, Diagnostic, Loaded, Severity};

/// The key tables of this screen, most specific first.
pub const TABLES: &[Table] = &[keymap::REVIEW, keymap::LIST, keymap::GLOBAL];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Findings,
    Types,
}

impl Pane {
    fn next(self, forward: bool) -> Pane {
        match (self, forward) {
            (Pane::Tree, true) | (Pane::Types, false) => Pane::Findings,
            (Pane::Findings, true) | (Pane::Tree, false) => Pane::Types,
            (Pane::Types, true) | (Pane::Findings, false) => Pane::Tree,
        }
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
    pub heights: Heights,
    pub changes: Option<Changes>,
    pub show_changes: bool,
}

impl State {
    pub fn new(loaded: Arc<Loaded>) -> State {
        let tree = Tree::build(&loaded);
        State::with_tree(loaded, tree)
    }

    /// The state for a template whose tree is already built.
    pub fn with_tree(loaded: Arc<Loaded>, tree: Tree) -> State {
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
            heights: Heights::default(),
            changes: None,
            show_changes: false,
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
        next.heights = self.heights;
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

    /// Keep every window consistent with new list heights.
    pub fn set_heights(&mut self, heights: Heights) {
        self.heights = heights;
        self.tree_cursor.follow(self.rows.len(), heights.tree);
        self.findings_cursor
            .follow(self.findings.len(), heights.findings);
        self.types_cursor.follow(self.types.len(), heights.types);
    }

    /// Whether a text field (a `/` filter) has the keys.
    pub fn is_typing(&self) -> bool {
        self.focused_filter().editing
    }

    fn focused_filter(&self) -> &TextFilter {
        match self.focus {
            Pane::Tree => &self.tree_filter,
            Pane::Findings => &self.findings_filter.text,
            Pane::Types => &self.types_filter,
        }
    }

    fn focused_filter_mut(&mut self) -> &mut TextFilter {
        match self.focus {
            Pane::Tree => &mut self.tree_filter,
            Pane::Findings => &mut self.findings_filter.text,
            Pane::Types => &mut self.types_filter,
        }
    }

    fn refresh_focused(&mut self) {
        match self.focus {
            Pane::Tree => {
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
        self.focus = Pane::Tree;
    }

    fn focused_list(&mut self) -> (&mut Cursor, usize, usize) {
        match self.focus {
            Pane::Tree => (&mut self.tree_cursor, self.rows.len(), self.heights.tree),
            Pane::Findings => (
                &mut self.findings_cursor,
                self.findings.len(),
                self.heights.findings,
            ),
            Pane::Types => (&mut self.types_cursor, self.types.len(), self.heights.types),
        }
    }

    /// Scroll a pane by mouse wheel.
    pub fn scroll(&mut self, pane: Pane, delta: isize) {
        let focus = self.focus;
        self.focus = pane;
        let (cursor, len, height) = self.focused_list();
        cursor.scroll(delta, len, height);
        self.focus = focus;
    }

    /// Click on a pane: focus it; on its `row`-th visible line, select that row, and on the row
    /// already selected, open it like Enter.
    pub fn click(&mut self, pane: Pane, row: Option<usize>) -> Option<Action> {
        let again = self.focus == pane;
        self.focus = pane;
        let row = row?;
        let (cursor, len, height) = self.focused_list();
        let target = cursor.offset + row;
        if target >= len {
            return None;
        }
        if again && cursor.selected == target {
            return open(self);
        }
        cursor.select(target, len, height);
        None
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

/// Handle a key: a typing filter takes it first, then the screen's key tables.
pub fn handle_key(state: &mut State, key: KeyEvent) -> Option<Action> {
    if state.is_typing() {
        type_into_filter(state, key);
        return None;
    }
    let command = keymap::lookup(TABLES, &key)?;
    handle_command(state, command)
}

fn type_into_filter(state: &mut State, key: KeyEvent) {
    state.focused_filter_mut().type_key(key);
    state.refresh_focused();
}

/// Carry out a command; commands this screen does not own go back to the app.
pub fn handle_command(state: &mut State, command: Command) -> Option<Action> {
    if state.show_changes && matches!(command, Command::Back | Command::Open) {
        state.show_changes = false;
        return None;
    }
    {
        let (cursor, len, height) = state.focused_list();
        if cursor.apply(command, len, height) {
            return None;
        }
    }
    match command {
        Command::NextPane => state.focus = state.focus.next(true),
        Command::PrevPane => state.focus = state.focus.next(false),
        Command::Filter => state.focused_filter_mut().editing = true,
        Command::Open => return open(state),
        Command::Expand | Command::Collapse | Command::Toggle => tree_command(state, command),
        Command::ExpandAll => {
            state.expansion.open_all(&state.tree);
            state.refresh_rows();
        }
        Command::CollapseAll => {
            state.expansion.close_all();
            state.refresh_rows();
        }
        Command::CycleSeverity => {
            state.findings_filter.severity = cycle(
                &[Severity::Error, Severity::Warning, Severity::Info],
                state.findings_filter.severity,
            );
            state.focus = Pane::Findings;
            state.refresh_findings();
        }
        Command::CycleCode => {
            state.cycle_code();
            state.focus = Pane::Findings;
            state.refresh_findings();
        }
        Command::CycleBuilding => {
            state.cycle_building();
            state.focus = Pane::Findings;
            state.refresh_findings();
        }
        Command::ClearFilters => clear_filters(state),
        Command::Back => return back(state),
        Command::Reload => return Some(Action::Reload),
        Command::Export => return Some(Action::ExportPrompt),
        Command::Upload => return Some(Action::Upload),
        other => return Some(Action::Global(other)),
    }
    None
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
        state.focus = Pane::Tree;
        None
    } else {
        Some(Action::Global(Command::Back))
    }
}

fn open(state: &mut State) -> Option<Action> {
    match state.focus {
        Pane::Tree => tree_command(state, Command::Toggle),
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
            state.focus = Pane::Tree;
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
    pub tree: Rect,
    pub findings: Rect,
    pub details: Rect,
    pub types: Rect,
}

impl Panes {
    pub fn of(area: Rect) -> Panes {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(area);
        let [tree, findings] =
            Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(left);
        let [details, types] =
            Layout::vertical([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(right);
        Panes {
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

    /// The list pane under a screen position, and the list line under it (`None` on the
    /// pane's border).
    pub fn hit(&self, column: u16, row: u16) -> Option<(Pane, Option<usize>)> {
        [
            (Pane::Tree, self.tree),
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

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let panes = Panes::of(area);
    render_tree(frame, panes.tree, state, ctx);
    render_findings(frame, panes.findings, state, ctx);
    render_details(frame, panes.details, state, ctx);
    render_types(frame, panes.types, state, ctx);
    if state.show_changes
        && let Some(changes) = &state.changes
    {
        render_changes(frame, area, changes, ctx);
    }
}

fn block<'a>(title: &str, focused: bool, filter: Option<&TextFilter>, ctx: &Ctx) -> Block<'a> {
    let mut block = Block::bordered()
        .border_style(ctx.theme.border(focused))
        .title(Span::styled(format!(" {title} "), ctx.theme.title()));
    if let Some(filter) = filter.filter(|f| f.is_active()) {
        let cursor = if filter.editing { "▏" } else { "" };
        block = block.title_bottom(Line::from(vec![
            Span::styled(" /", ctx.theme.key()),
            Span::raw(format!("{}{cursor} ", filter.input.value())),
        ]));
    }
    block
}

/// Draw `lines` (already only the window) as a list with `selected` (relative) highlighted.
fn render_window(
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

/// Widest a tree label is padded to before the counts column.
const LABEL_MAX: usize = 48;

/// One tree row: indent, disclosure, status symbol, label; counts on the right.
fn tree_line<'a>(state: &State, node: NodeId, width: usize, ctx: &Ctx) -> Line<'a> {
    let portfolio = &state.loaded.portfolio;
    let status = state.tree.status(node);
    let disclosure = if !state.tree.has_children(node) {
        "  "
    } else if state.expansion.is_open(node) || !state.tree_filter.needle().is_empty() {
        "▾ "
    } else {
        "▸ "
    };
    let narrow = width < 50;
    let (label, right) = match node {
        NodeId::Building(b) => {
            let building = &portfolio.buildings[b];
            let spaces = building.space_count();
            let right = if narrow {
                format!("{spaces:>5} sp")
            } else {
                format!("{:>3} fl {spaces:>5} sp", building.floors.len())
            };
            (building.label(), right)
        }
        NodeId::Floor(b, f) => {
            let floor = &portfolio.buildings[b].floors[f];
            (
                floor_label(&floor.name),
                format!("{:>5} sp", floor.spaces.len()),
            )
        }
        NodeId::Space(b, f, s) => {
            let space = &portfolio.buildings[b].floors[f].spaces[s];
            (space.name.clone(), truncate(&space.space_type, 16))
        }
    };
    let right = format!("{right}{:>7}", status_counts(status));
    let indent = "  ".repeat(node.depth());
    let left = format!("{indent}{disclosure}");
    let symbol = status.symbol();
    let used = left.chars().count() + 2 + right.chars().count() + 1;
    // On wide terminals keep the counts near the names instead of at the far edge.
    let room = width.saturating_sub(used).min(LABEL_MAX);
    let label = truncate(&label, room);
    let pad = room.saturating_sub(label.chars().count());
    Line::from(vec![
        Span::raw(left),
        Span::styled(symbol, ctx.theme.severity(status.worst())),
        Span::raw(format!(" {label}{} ", " ".repeat(pad))),
        Span::styled(right, ctx.theme.dim()),
    ])
}

/// "1 error", "3 errors".
fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn truncate(text: &str, width: usize) -> String {
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

fn render_tree(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let c = state.loaded.counts;
    let title = format!(
        "Portfolio  {} buildings · {} floors · {} spaces",
        c.buildings, c.floors, c.spaces
    );
    let focused = state.focus == Pane::Tree;
    let width = usize::from(area.width.saturating_sub(2));
    let cursor = state.tree_cursor;
    let lines = (state.rows.iter())
        .skip(cursor.offset)
        .take(state.heights.tree)
        .map(|node| tree_line(state, *node, width, ctx))
        .collect();
    let block = block(&title, focused, Some(&state.tree_filter), ctx);
    let selected = (!state.rows.is_empty()).then(|| cursor.selected.saturating_sub(cursor.offset));
    render_window(frame, area, block, lines, selected, focused, ctx);
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
    let mut block = block(&title, focused, Some(&state.findings_filter.text), ctx);
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
    render_window(frame, area, block, lines, selected, focused, ctx);
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
    let block = block(&title, focused, Some(&state.types_filter), ctx);
    let selected = (!lines.is_empty()).then(|| cursor.selected.saturating_sub(cursor.offset));
    render_window(frame, area, block, lines, selected, focused, ctx);
}

/// Width of the label column of the details pane ("Description" plus a space).
const LABEL_WIDTH: usize = 12;

fn field<'a>(name: &str, value: impl Into<String>, ctx: &Ctx) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{name:<11} "), ctx.theme.dim()),
        Span::raw(value.into()),
    ])
}

/// Wrap the value of `label  value` lines that are too wide under the value, not under the
/// label, so the label column stays readable on a narrow pane. Other lines are left to the
/// paragraph's own wrapping.
fn hang_values(lines: Vec<Line<'_>>, width: usize) -> Vec<Line<'_>> {
    let room = width.saturating_sub(LABEL_WIDTH);
    if room < 8 {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let is_field =
            line.spans.len() == 2 && line.spans[0].content.chars().count() == LABEL_WIDTH;
        if !is_field || line.width() <= width {
            out.push(line);
            continue;
        }
        let label = line.spans[0].clone();
        let value_style = line.spans[1].style;
        for (i, chunk) in wrap_words(&line.spans[1].content, room)
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                label.clone()
            } else {
                Span::raw(" ".repeat(LABEL_WIDTH))
            };
            out.push(Line::from(vec![head, Span::styled(chunk, value_style)]));
        }
    }
    out
}

/// Greedy word wrap to `width` (at least 1) characters; words longer than a line are cut.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
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

fn render_details(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let (title, lines) = match state.focus {
        Pane::Findings => match state.selected_finding() {
            Some(i) => finding_details(state, i, ctx),
            None => ("Details".to_string(), vec![]),
        },
        Pane::Types => match state.types.get(state.types_cursor.selected) {
            Some(&t) => type_details(state, t, ctx),
            None => ("Details".to_string(), vec![]),
        },
        Pane::Tree => match state.selected_node() {
            Some(node) => node_details(state, node, ctx),
            None => (
                "Details".to_string(),
                vec![Line::raw("nothing matches the filter")],
            ),
        },
    };
    let block = Block::bordered().title(Span::styled(format!(" {title} "), ctx.theme.title()));
    let lines = hang_values(lines, usize::from(area.width.saturating_sub(2)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// "Space Data!A17:P17": the whole row of the data sheet.
fn source_range(loaded: &Loaded, row: u32) -> String {
    let first = loaded.columns.first().map_or("A", |c| c.letter.as_str());
    let last = loaded.columns.last().map_or("A", |c| c.letter.as_str());
    format!("{}!{first}{row}:{last}{row}", loaded.sheet)
}

fn finding_lines<'a>(state: &State, findings: &[usize], ctx: &Ctx) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for &i in findings {
        let d = &state.loaded.diagnostics[i];
        lines.push(Line::from(vec![
            Span::styled(d.severity.symbol(), ctx.theme.severity(Some(d.severity))),
            Span::raw(format!(" {} {} {}", d.cell, d.code.as_str(), d.message)),
        ]));
        if let Some(s) = &d.suggestion {
            lines.push(Line::raw(format!("  → {s}")));
        }
    }
    lines
}

fn condeco_name<'a>(name: &str, ctx: &Ctx) -> Option<Line<'a>> {
    let clean = sanitise_for_condeco(name);
    (clean != name).then(|| field("Condeco", format!("\"{clean}\" (sanitised)"), ctx))
}

fn node_details<'a>(state: &State, node: NodeId, ctx: &Ctx) -> (String, Vec<Line<'a>>) {
    let loaded = &state.loaded;
    let status = state.tree.status(node);
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_string());
    let own = state.tree.findings(node);
    let summary = match status.worst() {
        None => "✓ no errors or warnings".to_string(),
        Some(_) => format!(
            "{} {} · {} here and below",
            status.symbol(),
            plural(status.errors, "error"),
            plural(status.warnings, "warning")
        ),
    };
    // Findings first: on a small terminal they are what must not fall below the fold.
    let mut lines = vec![Line::styled(summary, ctx.theme.severity(status.worst()))];
    lines.extend(finding_lines(state, own, ctx));
    let title;
    match node {
        NodeId::Building(b) => {
            let building = &loaded.portfolio.buildings[b];
            title = format!("Building {}", building.display_name());
            lines.push(field("Name", opt(&building.name), ctx));
            lines.push(field("Code", opt(&building.code), ctx));
            lines.extend(building.name.as_deref().and_then(|n| condeco_name(n, ctx)));
            lines.push(field("State", building.state_code.clone(), ctx));
            let country = building.country.as_ref().map(|c| c.as_str().to_string());
            lines.push(field("Country", opt(&country), ctx));
            let address = [&building.address, &building.address2]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(field("Address", address, ctx));
            lines.push(field("City", opt(&building.city), ctx));
            lines.push(field("Zip", opt(&building.zip), ctx));
            lines.push(field(
                "Contains",
                format!(
                    "{} floors · {} spaces",
                    building.floors.len(),
                    building.space_count()
                ),
                ctx,
            ));
            lines.push(field(
                "Source",
                format!("{} (first row)", source_range(loaded, building.source.row)),
                ctx,
            ));
        }
        NodeId::Floor(b, f) => {
            let building = &loaded.portfolio.buildings[b];
            let floor = &building.floors[f];
            title = floor_label(&floor.name);
            lines.push(field("Floor", floor.name.clone(), ctx));
            let number = match floor_number(&floor.name) {
                Some(n) => format!("{n}"),
                None => "none: the name holds no number".to_string(),
            };
            lines.push(field("Condeco #", number, ctx));
            lines.push(field("Building", building.label(), ctx));
            lines.push(field("Spaces", floor.spaces.len().to_string(), ctx));
            lines.push(field(
                "Source",
                format!("{} (first row)", source_range(loaded, floor.source.row)),
                ctx,
            ));
        }
        NodeId::Space(b, f, s) => {
            let building = &loaded.portfolio.buildings[b];
            let floor = &building.floors[f];
            let space = &floor.spaces[s];
            title = format!("Space {}", space.name);
            lines.push(field("Room", space.name.clone(), ctx));
            lines.extend(condeco_name(&space.name, ctx));
            lines.push(field("Building", building.label(), ctx));
            let number = floor_number(&floor.name).map_or("no number".into(), |n| n.to_string());
            lines.push(field(
                "Floor",
                format!("{}  → Condeco floor {number}", floor.name),
                ctx,
            ));
            let usage = loaded.portfolio.space_type(&space.space_type).map_or_else(
                || "usage unknown".to_string(),
                |t| format!("{} ({})", t.usage, t.rule),
            );
            lines.push(field(
                "Type",
                format!("{} · {usage}", space.space_type),
                ctx,
            ));
            lines.push(field("Capacity", space.capacity.to_string(), ctx));
            lines.push(field("Occupiable", yes_no(space.occupiable), ctx));
            lines.push(field("Reservable", yes_no(space.reservable), ctx));
            let number = |v: Option<f64>| v.map_or("—".to_string(), |n| n.to_string());
            lines.push(field("Sq ft", number(space.square_feet), ctx));
            lines.push(field("Rentable", number(space.rentable_square_feet), ctx));
            lines.push(field("Description", opt(&space.description), ctx));
            for (header, value) in &space.extra {
                lines.push(field(header, value.clone(), ctx));
            }
            lines.push(field("Source", source_range(loaded, space.source.row), ctx));
        }
    }
    (title, lines)
}

fn finding_details<'a>(state: &State, i: usize, ctx: &Ctx) -> (String, Vec<Line<'a>>) {
    let d = &state.loaded.diagnostics[i];
    let mut lines = vec![
        Line::from(vec![
            Span::styled(d.severity.symbol(), ctx.theme.severity(Some(d.severity))),
            Span::raw(format!(" {} {}", d.severity.word(), d.code.as_str())),
        ]),
        field("Where", d.location(), ctx),
    ];
    if !d.column.is_empty() {
        lines.push(field("Column", d.column.clone(), ctx));
    }
    if !d.value.is_empty() {
        lines.push(field("Value", format!("\"{}\"", d.value), ctx));
    }
    lines.push(Line::raw(d.message.clone()));
    if let Some(s) = &d.suggestion {
        lines.push(field("Suggested", s.clone(), ctx));
    }
    if let Some(b) = &d.building {
        lines.push(field("Building", b.clone(), ctx));
    }
    if let Some(f) = &d.floor {
        lines.push(field("Floor", f.clone(), ctx));
    }
    let hint = if state.tree.finding_node[i].is_some() {
        "⏎ jumps to it in the tree"
    } else {
        "about the whole file"
    };
    lines.push(Line::styled(hint, ctx.theme.dim()));
    (format!("Finding {}", d.location()), lines)
}

fn type_details<'a>(state: &State, t: usize, ctx: &Ctx) -> (String, Vec<Line<'a>>) {
    let ty = &state.loaded.portfolio.space_types[t];
    let count = state.tree.type_counts.get(&ty.name).copied().unwrap_or(0);
    let synced = match ty.usage {
        crate::domain::Usage::Me => "synced as Condeco personal spaces (desks)",
        crate::domain::Usage::We => "synced as Condeco meeting spaces (rooms)",
        crate::domain::Usage::None => "not synced to Condeco",
    };
    let lines = vec![
        field("Usage", ty.usage.to_string(), ctx),
        field("Because", ty.rule.to_string(), ctx),
        field("Sync", synced, ctx),
        field("Spaces", count.to_string(), ctx),
        Line::styled("⏎ shows its spaces in the tree", ctx.theme.dim()),
    ];
    (format!("Space type {}", ty.name), lines)
}

fn render_changes(frame: &mut Frame, area: Rect, changes: &Changes, ctx: &Ctx) {
    let mut lines = vec![Line::styled(changes.summary(), ctx.theme.title())];
    let mut section = |title: &str, list: &[Diagnostic]| {
        if list.is_empty() {
            return;
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(title.to_string(), ctx.theme.title()));
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
    lines.push(Line::styled("Esc or ⏎ closes", ctx.theme.dim()));
    let width = area.width.saturating_sub(8).min(90);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" Reloaded: what changed "))
            .wrap(Wrap { trim: false }),
        popup,
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
}
