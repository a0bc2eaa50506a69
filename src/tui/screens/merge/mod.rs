//! The Merge screen (existing Condeco customers): per level, how many Eptura entities matched
//! automatically, wait for review, will be created new, or could not be evaluated; the review
//! queue as a list (or any other band, `b`), the selected pair side by side ([`pair`]), and the
//! Condeco entities left without a partner (they stay untouched). The operator accepts,
//! rejects, chooses another candidate, marks new, undoes, or accepts a building's auto matches
//! at once; each decision goes to the store as it is made (the app runs it as a job and hands
//! back the match made again with it). Owns its [`State`]; never does I/O.

mod pair;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Action, Screen, lacking};
use crate::domain::{CondecoKey, Decision, DecisionChange, ExternalId, SyncKind};
use crate::matcher::{Band, Item, Level, Outcome};
use crate::template::Severity;
use crate::tui::keymap::{self, Command, Table};
use crate::tui::list::{Cursor, TextFilter};
use crate::tui::reads::MergeRead;
use crate::tui::widgets::{
    Ctx, Scroll, fit_words, list_block, message_screen, pane, render_list, text_box, truncate,
    wrapped_height,
};

pub use pair::{band_word, proposal};

/// The keys of the screen, most specific first.
const TABLES: &[Table] = &[keymap::MERGE, keymap::LIST, keymap::GLOBAL];
/// The keys while the candidate chooser is open: it takes them all.
const CHOOSER_TABLES: &[Table] = &[keymap::MERGE_CHOOSER, keymap::LIST];
/// The keys before there is anything to review.
const WAITING: &[Table] = &[keymap::MERGE_WAITING, keymap::GLOBAL];

/// Where the review stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The session lacks a setting: each one, with how to set it.
    NotConfigured(Vec<String>),
    /// Nothing read yet.
    Idle,
    /// Reading both services and matching.
    Reading,
    /// The match is shown.
    Ready,
    /// The read failed; nothing was written.
    Failed(String),
}

/// Which pairs the list shows (`b` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    #[default]
    Review,
    Decided,
    Auto,
    New,
    NotEvaluated,
    All,
}

impl Show {
    const ORDER: [Show; 6] = [
        Show::Review,
        Show::Decided,
        Show::Auto,
        Show::New,
        Show::NotEvaluated,
        Show::All,
    ];

    fn next(self) -> Show {
        let at = Show::ORDER.iter().position(|s| *s == self).unwrap_or(0);
        Show::ORDER[(at + 1) % Show::ORDER.len()]
    }

    fn keeps(self, item: &Item) -> bool {
        match self {
            Show::Review => item.band == Band::Review,
            Show::Decided => item.decision.is_some(),
            Show::Auto => item.band == Band::Auto,
            Show::New => item.band == Band::New,
            Show::NotEvaluated => item.band == Band::NotEvaluated,
            Show::All => true,
        }
    }

    fn title(self, count: usize) -> String {
        match self {
            Show::Review => format!("Review queue · {count} left"),
            Show::Decided => format!("Decided · {count}"),
            Show::Auto => format!("Auto matches · {count}"),
            Show::New => format!("New (to create) · {count}"),
            Show::NotEvaluated => format!("Not evaluated · {count}"),
            Show::All => format!("All pairs · {count}"),
        }
    }
}

/// The panes, in the order Tab visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Queue,
    Pair,
    Unpartnered,
}

impl Pane {
    fn next(self, forward: bool) -> Pane {
        match (self, forward) {
            (Pane::Queue, true) | (Pane::Unpartnered, false) => Pane::Pair,
            (Pane::Pair, true) | (Pane::Queue, false) => Pane::Unpartnered,
            (Pane::Unpartnered, true) | (Pane::Pair, false) => Pane::Queue,
        }
    }
}

/// Another Condeco entity to link the selected Eptura entity to (`c`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chooser {
    pub entity: ExternalId,
    /// The runner-up first, then the entities of the same level left without a partner.
    pub candidates: Vec<(CondecoKey, String)>,
    pub cursor: Cursor,
}

/// Where the parts of the screen sit; shared by drawing and the mouse.
#[derive(Debug, Clone, Copy)]
pub struct Panes {
    pub counts: Rect,
    pub queue: Rect,
    pub pair: Rect,
    pub unpartnered: Rect,
}

impl Panes {
    pub fn of(area: Rect) -> Panes {
        let counts_height = if area.width < 110 { 2 } else { 1 };
        let [counts, body] =
            Layout::vertical([Constraint::Length(counts_height), Constraint::Min(0)]).areas(area);
        let [left, pair] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(body);
        let below = (left.height / 3).clamp(3, 8);
        let [queue, unpartnered] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(below)]).areas(left);
        Panes {
            counts,
            queue,
            pair,
            unpartnered,
        }
    }

    fn hit(&self, column: u16, row: u16) -> Option<(Pane, Option<usize>)> {
        [
            (Pane::Queue, self.queue),
            (Pane::Pair, self.pair),
            (Pane::Unpartnered, self.unpartnered),
        ]
        .into_iter()
        .find(|(_, r)| r.contains((column, row).into()))
        .map(|(pane, r)| {
            let inside = row > r.y && row + 1 < r.y + r.height;
            (pane, inside.then(|| usize::from(row - r.y - 1)))
        })
    }
}

/// Rows a pane shows inside its border.
fn inner(rect: Rect) -> usize {
    usize::from(rect.height.saturating_sub(2)).max(1)
}

#[derive(Debug, Clone)]
pub struct State {
    pub stage: Stage,
    pub read: Option<MergeRead>,
    pub show: Show,
    /// Indexes into the outcome's items that the list shows, in order.
    pub rows: Vec<usize>,
    pub cursor: Cursor,
    pub filter: TextFilter,
    pub focus: Pane,
    pub pair_scroll: Scroll,
    pub unpartnered_cursor: Cursor,
    pub chooser: Option<Chooser>,
    /// Each decision made here, as what it replaced: undo puts that back.
    pub undo: Vec<Vec<(ExternalId, Option<Decision>)>>,
    /// A decision is being recorded (the list waits for the match made again).
    pub saving: bool,
    /// Something changed since the match was read (an upload, a sync): read again when shown.
    pub stale: bool,
    pub area: Rect,
    /// The counts line and the pairs left to review, worked out once per match (a frame must
    /// not walk every item of a large estate).
    counts: String,
    review_left: usize,
}

impl State {
    /// A screen that reads when first shown, or says what to set.
    pub fn new(missing: Vec<String>) -> State {
        State {
            stage: match missing.is_empty() {
                true => Stage::Idle,
                false => Stage::NotConfigured(missing),
            },
            read: None,
            show: Show::default(),
            rows: Vec::new(),
            cursor: Cursor::default(),
            filter: TextFilter::default(),
            focus: Pane::default(),
            pair_scroll: Scroll::default(),
            unpartnered_cursor: Cursor::default(),
            chooser: None,
            undo: Vec::new(),
            saving: false,
            stale: false,
            area: Rect::default(),
            counts: String::new(),
            review_left: 0,
        }
    }

    /// Pairs left to review (the steps line says so).
    pub fn review_left(&self) -> usize {
        self.review_left
    }

    /// The read (and match) started.
    pub fn reading(&mut self) {
        self.stage = Stage::Reading;
        self.stale = false;
    }

    /// Both services read and matched, or why not.
    pub fn matched(&mut self, result: Result<Box<MergeRead>, String>) {
        match result {
            Ok(read) => {
                self.read = Some(*read);
                self.stage = Stage::Ready;
                self.undo.clear();
                self.refresh_rows(None);
            }
            Err(message) => self.stage = Stage::Failed(message),
        }
    }

    /// The decisions were recorded and the match made again, or why not (nothing changed
    /// then, or only part of a batch: the match read next says). Returns what to say.
    pub fn decided(&mut self, result: Result<Box<Outcome>, String>) -> Option<String> {
        self.saving = false;
        let keep = self.selected().map(|item| item.eptura_id.clone());
        match (result, &mut self.read) {
            (Ok(outcome), Some(read)) => {
                read.outcome = *outcome;
                self.refresh_rows(keep);
                None
            }
            (Ok(_), None) => None,
            (Err(message), _) => {
                self.undo.pop();
                Some(format!("✗ the decision was not recorded: {message}"))
            }
        }
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        self.read.as_ref().map(|r| &r.outcome)
    }

    /// The pair the cursor is on.
    pub fn selected(&self) -> Option<&Item> {
        let at = *self.rows.get(self.cursor.selected)?;
        self.outcome()?.items.get(at)
    }

    /// The rows of the band shown and the text filter; the selection stays on `keep` while
    /// it is shown, else on the same row number (the next pair of the queue).
    fn refresh_rows(&mut self, keep: Option<ExternalId>) {
        let needle = self.filter.needle();
        let Some(outcome) = self.read.as_ref().map(|r| &r.outcome) else {
            self.rows.clear();
            return;
        };
        self.counts = counts_text(outcome);
        self.review_left = (outcome.items.iter())
            .filter(|i| i.band == Band::Review)
            .count();
        self.rows = (outcome.items.iter().enumerate())
            .filter(|(_, item)| self.show.keeps(item))
            .filter(|(_, item)| {
                needle.is_empty() || row_text(item).to_lowercase().contains(&needle)
            })
            .map(|(at, _)| at)
            .collect();
        let at = keep.and_then(|id| {
            (self.rows.iter())
                .position(|&i| outcome.items.get(i).is_some_and(|x| x.eptura_id == id))
        });
        let height = inner(Panes::of(self.area).queue);
        self.cursor
            .select(at.unwrap_or(self.cursor.selected), self.rows.len(), height);
        self.pair_scroll = Scroll::default();
    }

    fn unpartnered_len(&self) -> usize {
        self.outcome().map_or(0, |o| o.unpartnered.len())
    }

    /// Record `changes`, remembering what they replace for undo.
    fn decide(&mut self, changes: Vec<DecisionChange>) -> Option<Action> {
        if changes.is_empty() {
            return None;
        }
        let outcome = self.outcome()?;
        let before = changes
            .iter()
            .map(|c| {
                let entity = c.entity().clone();
                let previous = outcome.item(&entity).and_then(|i| i.decision);
                (entity, previous)
            })
            .collect();
        self.undo.push(before);
        self.saving = true;
        Some(Action::Decide(changes))
    }

    /// A decision about the selected pair.
    fn decide_selected(&mut self, command: Command) -> Option<Action> {
        let item = self.selected()?;
        let entity = item.eptura_id.clone();
        let proposed = item.condeco_id;
        let decision = match (command, proposed) {
            (Command::AcceptPair, Some(key)) => Decision::Accept(key),
            (Command::RejectPair, Some(key)) => Decision::Reject(key),
            (Command::MarkNew, _) => Decision::New,
            _ => {
                return Some(Action::Message(format!(
                    "{} {entity} has no proposed Condeco entity: c chooses one, n marks it new",
                    item.level
                )));
            }
        };
        self.decide(vec![DecisionChange::Set(entity, decision)])
    }

    /// `A`: every auto match under the selected pair's building, accepted (pinned) at once.
    fn accept_building(&mut self) -> Option<Action> {
        let item = self.selected()?;
        let Some(building) = building_of(item) else {
            return Some(Action::Message(
                "A works on a building: select a location, a floor or a resource".into(),
            ));
        };
        let changes = self.outcome()?.accept_under(&building, Band::Auto);
        if changes.is_empty() {
            return Some(Action::Message(format!(
                "no auto match left to accept under location {building}"
            )));
        }
        self.decide(changes)
    }

    /// `u`: put back what the last decision replaced.
    fn undo_last(&mut self) -> Option<Action> {
        let Some(before) = self.undo.pop() else {
            return Some(Action::Message("nothing to undo".into()));
        };
        let changes = before
            .into_iter()
            .map(|(entity, previous)| match previous {
                Some(decision) => DecisionChange::Set(entity, decision),
                None => DecisionChange::Undo(entity),
            })
            .collect();
        self.saving = true;
        Some(Action::Decide(changes))
    }

    /// `c`: the candidates to link instead.
    fn open_chooser(&mut self) -> Option<Action> {
        let item = self.selected()?;
        let outcome = self.outcome()?;
        let mut candidates: Vec<(CondecoKey, String)> = item
            .runner_up
            .iter()
            .map(|r| {
                (
                    r.condeco_id,
                    format!("runner-up {:.2} · {}", r.score, r.condeco_name),
                )
            })
            .collect();
        candidates.extend(
            (outcome.unpartnered.iter())
                .filter(|u| u.level == item.level)
                .map(|u| {
                    (
                        u.condeco_id,
                        format!("without a partner · {}", u.condeco_name),
                    )
                }),
        );
        if candidates.is_empty() {
            return Some(Action::Message(format!(
                "no other {} in Condeco to choose: n marks it new",
                item.level
            )));
        }
        self.chooser = Some(Chooser {
            entity: item.eptura_id.clone(),
            candidates,
            cursor: Cursor::default(),
        });
        None
    }

    fn chooser_key(&mut self, key: &KeyEvent) -> Option<Action> {
        let command = keymap::lookup(CHOOSER_TABLES, key)?;
        let height = self.chooser_height();
        let chooser = self.chooser.as_mut()?;
        match command {
            Command::Dismiss => self.chooser = None,
            Command::Open => {
                let (key, _) = chooser.candidates.get(chooser.cursor.selected)?.clone();
                let entity = chooser.entity.clone();
                self.chooser = None;
                return self.decide(vec![DecisionChange::Set(entity, Decision::LinkTo(key))]);
            }
            movement => {
                let len = chooser.candidates.len();
                chooser.cursor.apply(movement, len, height);
            }
        }
        None
    }

    fn chooser_rect(&self) -> Rect {
        let area = Panes::of(self.area).pair;
        let rows = self.chooser.as_ref().map_or(0, |c| c.candidates.len()) as u16;
        let height = (rows + 3).min(area.height);
        Rect::new(area.x, area.y + area.height - height, area.width, height)
    }

    fn chooser_height(&self) -> usize {
        usize::from(self.chooser_rect().height.saturating_sub(3)).max(1)
    }

    fn pair_rows(&self) -> (usize, usize) {
        let rect = Panes::of(self.area).pair;
        let lines = self.pair_text(Ctx::plain().theme, rect.width.saturating_sub(2));
        (
            wrapped_height(&lines, rect.width.saturating_sub(2)),
            inner(rect),
        )
    }

    fn pair_text(&self, theme: crate::tui::theme::Theme, width: u16) -> Vec<Line<'static>> {
        match (self.selected(), &self.read) {
            (Some(item), Some(read)) => {
                pair::lines(item, &read.bookings, usize::from(width), theme)
            }
            _ => empty_pair(self),
        }
    }

    fn movement(&mut self, command: Command) {
        let panes = Panes::of(self.area);
        match self.focus {
            Pane::Queue => {
                if self
                    .cursor
                    .apply(command, self.rows.len(), inner(panes.queue))
                {
                    self.pair_scroll = Scroll::default();
                }
            }
            Pane::Pair => {
                let (len, height) = self.pair_rows();
                self.pair_scroll.apply(command, len, height);
            }
            Pane::Unpartnered => {
                let len = self.unpartnered_len();
                self.unpartnered_cursor
                    .apply(command, len, inner(panes.unpartnered));
            }
        }
    }
}

/// The location an item belongs to: itself, or its nearest location ancestor.
fn building_of(item: &Item) -> Option<ExternalId> {
    std::iter::once(&item.eptura_id)
        .chain(&item.ancestors)
        .find(|id| id.kind() == SyncKind::Location)
        .cloned()
}

/// What a list row says, and what the text filter searches.
fn row_text(item: &Item) -> String {
    let condeco = match (&item.condeco_name, item.band) {
        (Some(name), _) => name.clone(),
        (None, Band::New) => "(new)".to_string(),
        (None, _) => "—".to_string(),
    };
    format!("{} {} ⇄ {condeco}", item.level, item.eptura_name)
}

/// The band as a symbol, so the list reads without colour.
fn band_mark(band: Band) -> &'static str {
    match band {
        Band::Auto => "✓",
        Band::Review => "?",
        Band::New => "+",
        Band::NotEvaluated => "⊘",
    }
}

fn item_line(item: &Item, width: usize, theme: crate::tui::theme::Theme) -> Line<'static> {
    let score = match item.condeco_id {
        Some(_) => format!("{:.2}", item.score),
        None => "  — ".to_string(),
    };
    let decided = item
        .decision
        .map(|d| format!(" [{}]", d.word()))
        .unwrap_or_default();
    let text = format!("{score} {}{decided}", row_text(item));
    let style = match item.band {
        Band::Review => theme.severity(Some(Severity::Warning)),
        Band::NotEvaluated => theme.severity(Some(Severity::Error)),
        _ => ratatui::style::Style::new(),
    };
    Line::from(vec![
        Span::styled(format!("{} ", band_mark(item.band)), style),
        Span::raw(truncate(&text, width.saturating_sub(2))),
    ])
}

/// "country 2 auto · region 1 auto 5 review · …": each level's bands that are not empty.
fn counts_text(outcome: &Outcome) -> String {
    let counts = outcome.counts();
    let mut parts = Vec::new();
    for level in Level::ALL {
        let Some(bands) = counts.get(&level) else {
            continue;
        };
        let said: Vec<String> = Band::ALL
            .iter()
            .filter_map(|band| {
                let n = bands.get(band).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {}", band_word(*band)))
            })
            .collect();
        parts.push(format!("{level} {}", said.join(" ")));
    }
    parts.join(" · ")
}

fn empty_pair(state: &State) -> Vec<Line<'static>> {
    let text = match state.show {
        Show::Review if state.rows.is_empty() && state.filter.needle().is_empty() => {
            "✓ Nothing left to review. 4 plans the sync; b shows the other pairs."
        }
        _ => "No pair selected.",
    };
    vec![Line::raw(text)]
}

impl Screen for State {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.chooser.is_some() {
            return self.chooser_key(&key);
        }
        if self.filter.editing {
            self.filter.type_key(key);
            let keep = self.selected().map(|i| i.eptura_id.clone());
            self.refresh_rows(keep);
            return None;
        }
        let command = keymap::lookup(self.tables(), &key)?;
        let ready = self.stage == Stage::Ready;
        match command {
            Command::Refresh if !matches!(self.stage, Stage::NotConfigured(_)) => {
                Some(Action::ReadMerge)
            }
            _ if !ready => Some(Action::Global(command)).filter(|_| is_global(command)),
            _ if self.saving && is_decision(command) => Some(Action::Message(
                "the last decision is still being recorded: a moment".into(),
            )),
            Command::AcceptPair | Command::RejectPair | Command::MarkNew => {
                self.decide_selected(command)
            }
            Command::ChooseOther => self.open_chooser(),
            Command::Undo => self.undo_last(),
            Command::AcceptBuilding => self.accept_building(),
            Command::CycleBand => {
                self.show = self.show.next();
                self.cursor = Cursor::default();
                self.refresh_rows(None);
                None
            }
            Command::Filter => {
                self.focus = Pane::Queue;
                self.filter.editing = true;
                None
            }
            Command::NextPane | Command::PrevPane => {
                self.focus = self.focus.next(command == Command::NextPane);
                None
            }
            Command::Back if self.filter.is_active() => {
                self.filter = TextFilter::default();
                self.refresh_rows(None);
                None
            }
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Top
            | Command::Bottom => {
                self.movement(command);
                None
            }
            other => Some(Action::Global(other)),
        }
    }

    fn click(&mut self, _area: Rect, column: u16, row: u16) -> Option<Action> {
        if self.chooser.is_some() || self.stage != Stage::Ready {
            return None;
        }
        let panes = Panes::of(self.area);
        let (pane, line) = panes.hit(column, row)?;
        self.focus = pane;
        let line = line?;
        match pane {
            Pane::Queue => {
                let at = self.cursor.offset + line;
                if at < self.rows.len() {
                    self.cursor.select(at, self.rows.len(), inner(panes.queue));
                    self.pair_scroll = Scroll::default();
                }
            }
            Pane::Unpartnered => {
                let at = self.unpartnered_cursor.offset + line;
                let len = self.unpartnered_len();
                if at < len {
                    self.unpartnered_cursor
                        .select(at, len, inner(panes.unpartnered));
                }
            }
            Pane::Pair => {}
        }
        None
    }

    fn wheel(&mut self, _area: Rect, column: u16, row: u16, delta: isize) {
        let panes = Panes::of(self.area);
        match panes.hit(column, row) {
            Some((Pane::Queue, _)) => {
                (self.cursor).scroll(delta, self.rows.len(), inner(panes.queue));
            }
            Some((Pane::Pair, _)) => {
                let (len, height) = self.pair_rows();
                self.pair_scroll.wheel(delta, len, height);
            }
            Some((Pane::Unpartnered, _)) => {
                let len = self.unpartnered_len();
                (self.unpartnered_cursor).scroll(delta, len, inner(panes.unpartnered));
            }
            None => {}
        }
    }

    fn resize(&mut self, area: Rect) {
        self.area = area;
        let height = inner(Panes::of(area).queue);
        self.cursor.follow(self.rows.len(), height);
    }

    fn opened(&mut self) -> Option<Action> {
        let unread = matches!(self.stage, Stage::Idle | Stage::Failed(_));
        (unread || (self.stale && self.stage == Stage::Ready)).then_some(Action::ReadMerge)
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        match &self.stage {
            Stage::Ready => {}
            Stage::NotConfigured(missing) => {
                return message_screen(frame, area, "Merge", &not_configured(missing), ctx);
            }
            Stage::Idle | Stage::Reading => {
                let text = vec![format!(
                    "{} reading Eptura Workplace, Condeco and the mapping store, then matching \
                     (nothing is written) …",
                    ctx.spinner()
                )];
                return message_screen(frame, area, "Merge", &text, ctx);
            }
            Stage::Failed(message) => {
                let text = vec![
                    format!("✗ {message}"),
                    String::new(),
                    "Nothing was written. r reads again.".to_string(),
                ];
                return message_screen(frame, area, "Merge", &text, ctx);
            }
        }
        let panes = Panes::of(area);
        render_counts(frame, panes.counts, self, ctx);
        render_queue(frame, panes.queue, self, ctx);
        render_pair(frame, panes.pair, self, ctx);
        render_unpartnered(frame, panes.unpartnered, self, ctx);
        if self.chooser.is_some() {
            render_chooser(frame, self, ctx);
        }
    }

    fn tables(&self) -> &'static [Table] {
        match (&self.stage, &self.chooser) {
            (_, Some(_)) => CHOOSER_TABLES,
            (Stage::Ready, None) => TABLES,
            (Stage::NotConfigured(_), None) => &[keymap::GLOBAL],
            _ => WAITING,
        }
    }

    fn help(&self) -> (&'static str, &'static [Table]) {
        ("Merge", self.tables())
    }

    fn is_typing(&self) -> bool {
        self.filter.editing
    }
}

fn is_global(command: Command) -> bool {
    matches!(
        command,
        Command::Help | Command::CommandLine | Command::Step(_) | Command::Quit | Command::Back
    )
}

fn is_decision(command: Command) -> bool {
    matches!(
        command,
        Command::AcceptPair
            | Command::RejectPair
            | Command::MarkNew
            | Command::ChooseOther
            | Command::Undo
            | Command::AcceptBuilding
    )
}

/// What the screen says when the session cannot reach a service or the store.
fn not_configured(missing: &[String]) -> Vec<String> {
    lacking(
        "The merge needs Eptura Workplace, Condeco and the mapping store; this session lacks:",
        missing,
        Some("spacebridge demo --scenario existing-customer runs it against simulators."),
    )
}

fn render_counts(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let mut text = state.counts.clone();
    if state.saving {
        text = format!("{} recording the decision … · {text}", ctx.spinner());
    }
    let room = usize::from(area.width) * usize::from(area.height);
    frame.render_widget(
        Paragraph::new(fit_words(&format!(" {text}"), room)).wrap(Wrap { trim: false }),
        area,
    );
}

fn render_queue(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let Some(outcome) = state.outcome() else {
        return;
    };
    let height = inner(area);
    let width = usize::from(area.width.saturating_sub(2));
    let lines: Vec<Line> = (state.rows.iter())
        .skip(state.cursor.offset)
        .take(height)
        .filter_map(|&at| outcome.items.get(at))
        .map(|item| item_line(item, width, ctx.theme))
        .collect();
    let focused = state.focus == Pane::Queue;
    let title = state.show.title(state.rows.len());
    let block = list_block(&title, focused, Some(&state.filter), ctx);
    let selected = (!state.rows.is_empty()).then(|| state.cursor.selected - state.cursor.offset);
    render_list(frame, area, block, lines, selected, focused, ctx);
}

fn render_pair(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let lines = state.pair_text(ctx.theme, area.width.saturating_sub(2));
    let block = pane("Pair", state.focus == Pane::Pair, ctx);
    text_box(frame, area, block, lines, state.pair_scroll, ctx);
}

fn render_unpartnered(frame: &mut Frame, area: Rect, state: &State, ctx: &Ctx) {
    let Some(outcome) = state.outcome() else {
        return;
    };
    let height = inner(area);
    let width = usize::from(area.width.saturating_sub(2));
    let lines: Vec<Line> = (outcome.unpartnered.iter())
        .skip(state.unpartnered_cursor.offset)
        .take(height)
        .map(|u| {
            let carries = (u.external_id.as_deref())
                .map(|id| format!(" [externalId {id}]"))
                .unwrap_or_default();
            let text = format!("{} {} {}{carries}", u.level, u.condeco_id, u.condeco_name);
            Line::raw(truncate(&text, width))
        })
        .collect();
    let focused = state.focus == Pane::Unpartnered;
    let title = format!("Condeco only · {} · untouched", outcome.unpartnered.len());
    let block = pane(&title, focused, ctx);
    let selected = (!outcome.unpartnered.is_empty())
        .then(|| state.unpartnered_cursor.selected - state.unpartnered_cursor.offset);
    render_list(
        frame,
        area,
        block,
        lines,
        selected.filter(|_| focused),
        focused,
        ctx,
    );
}

fn render_chooser(frame: &mut Frame, state: &State, ctx: &Ctx) {
    let Some(chooser) = &state.chooser else {
        return;
    };
    let rect = state.chooser_rect();
    let height = state.chooser_height();
    let width = usize::from(rect.width.saturating_sub(2));
    let mut lines = vec![Line::styled(
        truncate(
            &format!("link {} {} to:", chooser.entity.kind(), chooser.entity),
            width,
        ),
        ctx.theme.title(),
    )];
    lines.extend(
        (chooser.candidates.iter())
            .skip(chooser.cursor.offset)
            .take(height)
            .map(|(key, what)| Line::raw(truncate(&format!("Condeco {key} · {what}"), width))),
    );
    frame.render_widget(Clear, rect);
    let block = pane("Choose another Condeco entity", true, ctx);
    let selected = chooser.cursor.selected - chooser.cursor.offset + 1;
    render_list(frame, rect, block, lines, Some(selected), true, ctx);
}
