//! Every key the TUI answers to, as tables of [`Binding`]s: the global keys, the list keys and
//! one table per screen. Key handling looks keys up here, and the status bar's hints and the
//! `?` help overlay are drawn from the same tables, so what the operator reads cannot drift from
//! what the keys do. This module only maps keys to [`Command`]s; it changes no state.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::step::Step;

/// What a key asks for. Screens interpret the commands that concern them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    CommandLine,
    Step(Step),
    NextPane,
    PrevPane,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Filter,
    Open,
    Expand,
    Collapse,
    Toggle,
    ExpandAll,
    CollapseAll,
    CycleSeverity,
    CycleCode,
    CycleBuilding,
    ClearFilters,
    Reload,
    Export,
    Load,
    Complete,
    NextField,
    PrevField,
    EditPath,
    Forget,
    /// Load screen: the previous / next sheet or country in the choice.
    ChoicePrev,
    ChoiceNext,
    /// Review: open the Upload panel.
    Upload,
    /// Merge: accept the proposed Condeco entity.
    AcceptPair,
    /// Merge: reject the proposed Condeco entity.
    RejectPair,
    /// Merge: link another Condeco entity (the runner-up, one left without a partner).
    ChooseOther,
    /// Merge: nothing in Condeco is the same thing; create it.
    MarkNew,
    /// Merge: take back the last decision.
    Undo,
    /// Merge: accept every auto match of the selected pair's building.
    AcceptBuilding,
    /// Merge: which band the queue shows.
    CycleBand,
    /// Merge, Sync, History: read again.
    Refresh,
    /// Sync: start (asks before going ARMED); History: sync now.
    StartSync,
    /// Sync: approve the selected held op.
    ApproveHeld,
    /// Sync: approve every held op.
    ApproveAll,
    /// Sync: pause, or resume a paused run.
    PauseResume,
    /// Sync: cancel the run after the writes in flight.
    CancelRun,
    /// Sync: plan and run just the entities Condeco rejected.
    RetryRejected,
    /// Sync: every op in the log, or only what matters.
    LogDetail,
    /// Enter in a prompt or a confirmation.
    Accept,
    /// Esc in a prompt or a confirmation.
    Dismiss,
}

/// One key (or a few equivalent keys) and what it does.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in hints and help: "↑/k".
    pub label: &'static str,
    /// What the key does, for the help overlay.
    pub does: &'static str,
    /// The short word shown in the status bar, if the key is worth a hint there.
    pub hint: Option<&'static str>,
    pub command: Command,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

const fn bind(
    keys: &'static [(KeyCode, KeyModifiers)],
    label: &'static str,
    does: &'static str,
    hint: Option<&'static str>,
    command: Command,
) -> Binding {
    Binding {
        keys,
        label,
        does,
        hint,
        command,
    }
}

/// A named group of bindings; the help overlay shows the name as a heading.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub title: &'static str,
    pub bindings: &'static [Binding],
}

/// Keys that work on every screen when no text field has the focus.
pub const GLOBAL: Table = Table {
    title: "Everywhere",
    bindings: &[
        bind(
            &[(KeyCode::Char('?'), NONE), (KeyCode::F(1), NONE)],
            "?",
            "help: every key of this screen",
            Some("help"),
            Command::Help,
        ),
        bind(
            &[(KeyCode::Char(':'), NONE)],
            ":",
            "command line (:load PATH, :export PATH, :q)",
            None,
            Command::CommandLine,
        ),
        bind(
            &[(KeyCode::Char('1'), NONE)],
            "1",
            "step 1: Load a template",
            Some("-5 steps"),
            Command::Step(Step::Load),
        ),
        bind(
            &[(KeyCode::Char('2'), NONE)],
            "2",
            "step 2: Review the portfolio and its findings",
            None,
            Command::Step(Step::Review),
        ),
        bind(
            &[(KeyCode::Char('3'), NONE)],
            "3",
            "step 3: Merge with Condeco",
            None,
            Command::Step(Step::Merge),
        ),
        bind(
            &[(KeyCode::Char('4'), NONE)],
            "4",
            "step 4: Sync",
            None,
            Command::Step(Step::Sync),
        ),
        bind(
            &[(KeyCode::Char('5'), NONE)],
            "5",
            "step 5: History of runs",
            None,
            Command::Step(Step::History),
        ),
        bind(
            &[(KeyCode::Tab, NONE)],
            "Tab",
            "next pane",
            Some("pane"),
            Command::NextPane,
        ),
        bind(
            &[(KeyCode::BackTab, NONE)],
            "S-Tab",
            "previous pane",
            None,
            Command::PrevPane,
        ),
        bind(
            &[(KeyCode::Esc, NONE)],
            "Esc",
            "back: close, clear the filter, or cancel the load",
            None,
            Command::Back,
        ),
        bind(
            &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)],
            "q",
            "quit (asks first while work runs; Ctrl-C twice quits at once)",
            Some("quit"),
            Command::Quit,
        ),
    ],
};

/// Moving a selection or scrolling text: the same keys in lists, the details pane, the help
/// and the popups.
const MOVES: [Binding; 6] = [
    bind(
        &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        "↑/k",
        "up a row",
        None,
        Command::Up,
    ),
    bind(
        &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        "↓/j",
        "down a row",
        Some("scroll"),
        Command::Down,
    ),
    bind(
        &[(KeyCode::PageUp, NONE), (KeyCode::Char('u'), CTRL)],
        "PgUp",
        "page up (also Ctrl-U)",
        None,
        Command::PageUp,
    ),
    bind(
        &[(KeyCode::PageDown, NONE), (KeyCode::Char('d'), CTRL)],
        "PgDn",
        "page down (also Ctrl-D)",
        None,
        Command::PageDown,
    ),
    bind(
        &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)],
        "g",
        "to the top (also Home)",
        None,
        Command::Top,
    ),
    bind(
        &[(KeyCode::Char('G'), NONE), (KeyCode::End, NONE)],
        "G",
        "to the bottom (also End)",
        None,
        Command::Bottom,
    ),
];

/// Scrolling text (the help, the reload popup).
pub const SCROLL: Table = Table {
    title: "Scrolling",
    bindings: &MOVES,
};

/// Moving in any list (and scrolling the focused details pane).
pub const LIST: Table = Table {
    title: "Lists",
    bindings: &[
        MOVES[0],
        Binding {
            hint: Some("move"),
            ..MOVES[1]
        },
        MOVES[2],
        MOVES[3],
        MOVES[4],
        MOVES[5],
        bind(
            &[(KeyCode::Char('/'), NONE)],
            "/",
            "filter this list (Enter keeps, Esc clears)",
            Some("filter"),
            Command::Filter,
        ),
    ],
};

/// The Review screen, on top of [`LIST`] and [`GLOBAL`].
pub const REVIEW: Table = Table {
    title: "Review",
    bindings: &[
        bind(
            &[(KeyCode::Enter, NONE)],
            "⏎",
            "open: expand a node, or jump to a finding's node",
            Some("open"),
            Command::Open,
        ),
        bind(
            &[(KeyCode::Right, NONE), (KeyCode::Char('l'), NONE)],
            "→/l",
            "expand",
            None,
            Command::Expand,
        ),
        bind(
            &[(KeyCode::Left, NONE), (KeyCode::Char('h'), NONE)],
            "←/h",
            "collapse, or go to the parent",
            None,
            Command::Collapse,
        ),
        bind(
            &[(KeyCode::Char(' '), NONE)],
            "Space",
            "expand or collapse",
            None,
            Command::Toggle,
        ),
        bind(
            &[(KeyCode::Char('E'), NONE)],
            "E",
            "expand every building and floor",
            None,
            Command::ExpandAll,
        ),
        bind(
            &[(KeyCode::Char('C'), NONE)],
            "C",
            "collapse everything",
            None,
            Command::CollapseAll,
        ),
        bind(
            &[(KeyCode::Char('s'), NONE)],
            "s",
            "findings: cycle severity (all, errors, warnings, info)",
            Some("severity"),
            Command::CycleSeverity,
        ),
        bind(
            &[(KeyCode::Char('c'), NONE)],
            "c",
            "findings: cycle code",
            None,
            Command::CycleCode,
        ),
        bind(
            &[(KeyCode::Char('b'), NONE)],
            "b",
            "findings: cycle building",
            None,
            Command::CycleBuilding,
        ),
        bind(
            &[(KeyCode::Char('x'), NONE)],
            "x",
            "clear every filter",
            None,
            Command::ClearFilters,
        ),
        bind(
            &[(KeyCode::Char('r'), NONE)],
            "r",
            "reload the file and show what changed",
            Some("reload"),
            Command::Reload,
        ),
        bind(
            &[(KeyCode::Char('e'), NONE)],
            "e",
            "export the annotated XLSX for the customer",
            Some("export"),
            Command::Export,
        ),
        bind(
            &[(KeyCode::Char('u'), NONE)],
            "u",
            "upload to Eptura Workplace (a dry run first, then asks)",
            Some("upload"),
            Command::Upload,
        ),
    ],
};

/// The Load screen while a text field (path, sheet, country) has the focus. Other keys type.
pub const LOAD_FIELD: Table = Table {
    title: "Typing in a field (other keys type)",
    bindings: &[
        bind(
            &[(KeyCode::Enter, NONE)],
            "⏎",
            "load the file",
            Some("load"),
            Command::Load,
        ),
        bind(
            &[(KeyCode::Tab, NONE)],
            "Tab",
            "complete the path (again: next match); next field elsewhere",
            Some("complete"),
            Command::Complete,
        ),
        bind(
            &[(KeyCode::BackTab, NONE)],
            "S-Tab",
            "previous field",
            None,
            Command::PrevField,
        ),
        bind(
            &[(KeyCode::Esc, NONE)],
            "Esc",
            "leave the field (then ? help, q quit, 1-5 steps)",
            Some("leave field"),
            Command::Back,
        ),
        bind(
            &[(KeyCode::F(1), NONE)],
            "F1",
            "help",
            Some("help"),
            Command::Help,
        ),
        bind(
            &[(KeyCode::Char('c'), CTRL)],
            "C-c",
            "quit",
            Some("quit"),
            Command::Quit,
        ),
    ],
};

/// The Load screen's Path field (and a Sheet field with no choice to offer), with
/// [`LOAD_FIELD`]: the arrows move between fields.
pub const LOAD_FIELD_MOVE: Table = Table {
    title: "Path field",
    bindings: &[
        bind(
            &[(KeyCode::Down, NONE)],
            "↓",
            "next field",
            None,
            Command::NextField,
        ),
        bind(
            &[(KeyCode::Up, NONE)],
            "↑",
            "previous field",
            None,
            Command::PrevField,
        ),
    ],
};

/// The Load screen's Sheet field once the file's sheets are known, with [`LOAD_FIELD`].
pub const LOAD_SHEET_CHOICE: Table = Table {
    title: "Sheet choice",
    bindings: &[
        bind(
            &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
            "↑/k",
            "previous sheet (✓ = has a header row)",
            Some("sheet"),
            Command::ChoicePrev,
        ),
        bind(
            &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
            "↓/j",
            "next sheet",
            None,
            Command::ChoiceNext,
        ),
    ],
};

/// The Load screen's Country field, with [`LOAD_FIELD`]; letters still type a code.
pub const LOAD_COUNTRY_CHOICE: Table = Table {
    title: "Country choice (letters type any code)",
    bindings: &[
        bind(
            &[(KeyCode::Up, NONE)],
            "↑",
            "previous country",
            Some("country"),
            Command::ChoicePrev,
        ),
        bind(
            &[(KeyCode::Down, NONE)],
            "↓",
            "next country",
            None,
            Command::ChoiceNext,
        ),
    ],
};

/// The Load screen's recent files list, on top of [`LIST`] and [`GLOBAL`].
pub const LOAD_LIST: Table = Table {
    title: "Recent files",
    bindings: &[
        bind(
            &[(KeyCode::Enter, NONE)],
            "⏎",
            "load the selected recent file (with none: type a path)",
            Some("load"),
            Command::Load,
        ),
        bind(
            &[(KeyCode::Char('i'), NONE), (KeyCode::Char('p'), NONE)],
            "i",
            "edit the path",
            Some("edit path"),
            Command::EditPath,
        ),
        bind(
            &[(KeyCode::Char('d'), NONE)],
            "d",
            "forget the selected recent file",
            None,
            Command::Forget,
        ),
    ],
};

/// The Merge screen, on top of [`LIST`] and [`GLOBAL`].
pub const MERGE: Table = Table {
    title: "Merge",
    bindings: &[
        bind(
            &[(KeyCode::Char('a'), NONE)],
            "a",
            "accept: the proposed Condeco entity is the same thing",
            Some("accept"),
            Command::AcceptPair,
        ),
        bind(
            &[(KeyCode::Char('x'), NONE)],
            "x",
            "reject: it is not (never proposed again; the entity waits for a decision)",
            Some("reject"),
            Command::RejectPair,
        ),
        bind(
            &[(KeyCode::Char('c'), NONE)],
            "c",
            "choose another Condeco entity (the runner-up, or one left without a partner)",
            Some("choose"),
            Command::ChooseOther,
        ),
        bind(
            &[(KeyCode::Char('n'), NONE)],
            "n",
            "mark new: nothing in Condeco is the same thing; the sync creates it",
            Some("new"),
            Command::MarkNew,
        ),
        bind(
            &[(KeyCode::Char('u'), NONE)],
            "u",
            "undo the last decision",
            Some("undo"),
            Command::Undo,
        ),
        bind(
            &[(KeyCode::Char('A'), NONE)],
            "A",
            "accept every auto match of the selected pair's building at once (pins them)",
            Some("accept building"),
            Command::AcceptBuilding,
        ),
        bind(
            &[(KeyCode::Char('b'), NONE)],
            "b",
            "which pairs the list shows: review, decided, auto, new, not evaluated, all",
            Some("band"),
            Command::CycleBand,
        ),
        bind(
            &[(KeyCode::Char('r'), NONE)],
            "r",
            "read both services again and match",
            None,
            Command::Refresh,
        ),
    ],
};

/// The Merge screen before there is a match to show (reading, or the read failed).
pub const MERGE_WAITING: Table = Table {
    title: "Merge",
    bindings: &[bind(
        &[(KeyCode::Char('r'), NONE)],
        "r",
        "read both services again and match (nothing is written)",
        Some("read again"),
        Command::Refresh,
    )],
};

/// The Merge screen's candidate chooser (`c`), on top of [`LIST`].
pub const MERGE_CHOOSER: Table = Table {
    title: "Choose another Condeco entity",
    bindings: &[
        bind(
            &[(KeyCode::Enter, NONE)],
            "⏎",
            "link the selected Condeco entity",
            Some("link"),
            Command::Open,
        ),
        bind(
            &[(KeyCode::Esc, NONE)],
            "Esc",
            "close the chooser",
            Some("close"),
            Command::Dismiss,
        ),
    ],
};

/// The Sync screen with a plan shown (a dry run), on top of [`LIST`] and [`GLOBAL`].
pub const SYNC_PLAN: Table = Table {
    title: "Sync: the plan (dry run)",
    bindings: &[
        bind(
            &[(KeyCode::Char('s'), NONE)],
            "s",
            "sync: asks before going ARMED, then writes to Condeco",
            Some("sync"),
            Command::StartSync,
        ),
        bind(
            &[(KeyCode::Char('d'), NONE)],
            "d",
            "approve (or hold again) the selected destructive op",
            Some("approve"),
            Command::ApproveHeld,
        ),
        bind(
            &[(KeyCode::Char('D'), NONE)],
            "D",
            "approve every destructive op",
            None,
            Command::ApproveAll,
        ),
        bind(
            &[(KeyCode::Char('r'), NONE)],
            "r",
            "plan again (reads both services)",
            Some("re-plan"),
            Command::Refresh,
        ),
    ],
};

/// The question before a sync writes.
pub const SYNC_ARM: Table = Table {
    title: "Go ARMED?",
    bindings: &[
        bind(
            &[(KeyCode::Char('y'), NONE)],
            "y",
            "yes: go ARMED and start writing to Condeco",
            Some("go ARMED"),
            Command::Accept,
        ),
        bind(
            &[(KeyCode::Char('n'), NONE), (KeyCode::Esc, NONE)],
            "n",
            "no: back to the plan (nothing is written)",
            Some("back"),
            Command::Dismiss,
        ),
    ],
};

/// The Sync screen while a run runs, on top of [`LIST`] and [`GLOBAL`].
pub const SYNC_RUNNING: Table = Table {
    title: "Sync: running",
    bindings: &[
        bind(
            &[(KeyCode::Char('p'), NONE)],
            "p",
            "pause (the writes in flight finish), or resume",
            Some("pause/resume"),
            Command::PauseResume,
        ),
        bind(
            &[(KeyCode::Char('c'), NONE)],
            "c",
            "cancel after the writes in flight (the next sync resumes the rest)",
            Some("cancel"),
            Command::CancelRun,
        ),
        bind(
            &[(KeyCode::Char('d'), NONE)],
            "d",
            "approve the selected held op: it runs after the rest, under the deletion cap",
            Some("approve"),
            Command::ApproveHeld,
        ),
        bind(
            &[(KeyCode::Char('D'), NONE)],
            "D",
            "approve every held op",
            None,
            Command::ApproveAll,
        ),
        bind(
            &[(KeyCode::Char('l'), NONE)],
            "l",
            "log: every op, or only what matters",
            Some("log level"),
            Command::LogDetail,
        ),
    ],
};

/// The Sync screen once a run ended, on top of [`SCROLL`] and [`GLOBAL`].
pub const SYNC_DONE: Table = Table {
    title: "Sync: finished",
    bindings: &[
        bind(
            &[(KeyCode::Char('s'), NONE)],
            "s",
            "plan a new sync",
            Some("new sync"),
            Command::StartSync,
        ),
        bind(
            &[(KeyCode::Char('l'), NONE)],
            "l",
            "log: every op, or only what matters",
            None,
            Command::LogDetail,
        ),
    ],
};

/// The Sync screen once a run ended with rejected items, on top of [`SYNC_DONE`].
pub const SYNC_RETRY: Table = Table {
    title: "Sync: rejected items",
    bindings: &[bind(
        &[(KeyCode::Char('r'), NONE)],
        "r",
        "retry just the rejected ones (after fixing what Condeco said), plan first",
        Some("retry rejected"),
        Command::RetryRejected,
    )],
};

/// The Sync screen with no plan (not read yet, or planning failed).
pub const SYNC_IDLE: Table = Table {
    title: "Sync",
    bindings: &[bind(
        &[(KeyCode::Char('r'), NONE)],
        "r",
        "plan (reads both services; nothing is written)",
        Some("plan"),
        Command::Refresh,
    )],
};

/// The History screen, on top of [`LIST`] and [`GLOBAL`].
pub const HISTORY: Table = Table {
    title: "History",
    bindings: &[
        bind(
            &[(KeyCode::Enter, NONE)],
            "⏎",
            "open the run: its rejected items and drift",
            Some("open"),
            Command::Open,
        ),
        bind(
            &[(KeyCode::Char('s'), NONE)],
            "s",
            "sync now: the plan first, then the question before going ARMED",
            Some("sync now"),
            Command::StartSync,
        ),
        bind(
            &[(KeyCode::Char('r'), NONE)],
            "r",
            "read the store again",
            Some("refresh"),
            Command::Refresh,
        ),
    ],
};

/// The `:` command line and the export path prompt. Other keys type.
pub const PROMPT: Table = Table {
    title: "Prompt",
    bindings: &[
        bind(
            &[(KeyCode::Enter, NONE)],
            "⏎",
            "run it",
            Some("run"),
            Command::Accept,
        ),
        bind(
            &[(KeyCode::Tab, NONE)],
            "Tab",
            "complete the path (again: the next match)",
            Some("complete"),
            Command::Complete,
        ),
        bind(
            &[(KeyCode::Esc, NONE)],
            "Esc",
            "cancel",
            Some("cancel"),
            Command::Dismiss,
        ),
    ],
};

/// A yes/no question (quit while work runs, overwrite a file).
pub const CONFIRM: Table = Table {
    title: "Confirm",
    bindings: &[
        bind(
            &[(KeyCode::Char('y'), NONE), (KeyCode::Enter, NONE)],
            "y",
            "yes",
            Some("yes"),
            Command::Accept,
        ),
        bind(
            &[(KeyCode::Char('n'), NONE), (KeyCode::Esc, NONE)],
            "n",
            "no, go back",
            Some("no"),
            Command::Dismiss,
        ),
    ],
};

/// The Upload panel, when it asks whether to leave the broken buildings out.
pub const UPLOAD_LEAVE_OUT: Table = Table {
    title: "Upload: leave buildings out?",
    bindings: &[bind(
        &[(KeyCode::Char('y'), NONE), (KeyCode::Enter, NONE)],
        "y",
        "leave the buildings with errors out and dry-run the others",
        Some("leave out"),
        Command::Accept,
    )],
};

/// The Upload panel after a dry run that found records to create.
pub const UPLOAD_CONFIRM: Table = Table {
    title: "Upload: after the dry run",
    bindings: &[bind(
        &[(KeyCode::Char('y'), NONE), (KeyCode::Enter, NONE)],
        "y",
        "upload: create what the dry run found (the header says ARMED while it runs)",
        Some("upload"),
        Command::Accept,
    )],
};

/// The Upload panel's way out when it asks a question.
pub const UPLOAD_NO: Table = Table {
    title: "Upload: no",
    bindings: &[bind(
        &[(KeyCode::Esc, NONE), (KeyCode::Char('n'), NONE)],
        "Esc",
        "close without uploading",
        Some("close"),
        Command::Dismiss,
    )],
};

/// The Upload panel with nothing left to do (refused, not configured, done, stopped).
pub const UPLOAD_CLOSE: Table = Table {
    title: "Upload: finished",
    bindings: &[bind(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Enter, NONE),
            (KeyCode::Char('n'), NONE),
        ],
        "Esc",
        "close the panel",
        Some("close"),
        Command::Dismiss,
    )],
};

/// The Upload panel with nothing left to do: the next steps, closing the panel on the way.
pub const UPLOAD_NEXT: Table = Table {
    title: "Upload: next",
    bindings: &[
        bind(
            &[(KeyCode::Char('3'), NONE)],
            "3",
            "close; Merge with an existing Condeco",
            Some("merge"),
            Command::Step(Step::Merge),
        ),
        bind(
            &[(KeyCode::Char('4'), NONE)],
            "4",
            "close; plan the sync to Condeco",
            Some("sync"),
            Command::Step(Step::Sync),
        ),
    ],
};

/// The Upload panel while the dry run runs.
pub const UPLOAD_CHECKING: Table = Table {
    title: "Upload: dry run running",
    bindings: &[bind(
        &[(KeyCode::Esc, NONE)],
        "Esc",
        "cancel the dry run (nothing is written either way)",
        Some("cancel"),
        Command::Dismiss,
    )],
};

/// The Upload panel while the real upload runs.
pub const UPLOAD_RUNNING: Table = Table {
    title: "Upload: running",
    bindings: &[bind(
        &[(KeyCode::Esc, NONE)],
        "Esc",
        "stop: finish the writes in flight, then stop (the next upload does the rest)",
        Some("stop"),
        Command::Dismiss,
    )],
};

/// The Upload panel's keys in every stage.
pub const UPLOAD_PANEL: Table = Table {
    title: "Upload panel",
    bindings: &[
        bind(
            &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)],
            "q",
            "quit (asks first while the upload runs)",
            Some("quit"),
            Command::Quit,
        ),
        bind(
            &[(KeyCode::Char('?'), NONE), (KeyCode::F(1), NONE)],
            "?",
            "help: the keys of this panel",
            Some("help"),
            Command::Help,
        ),
    ],
};

/// The reload popup (what changed since the last load), on top of [`SCROLL`].
pub const CHANGES: Table = Table {
    title: "Reloaded: what changed",
    bindings: &[bind(
        &[(KeyCode::Esc, NONE), (KeyCode::Enter, NONE)],
        "Esc",
        "close the popup",
        Some("close"),
        Command::Dismiss,
    )],
};

/// The help overlay, on top of [`SCROLL`].
pub const HELP: Table = Table {
    title: "Help",
    bindings: &[
        bind(
            &[
                (KeyCode::Esc, NONE),
                (KeyCode::Char('?'), NONE),
                (KeyCode::Char('q'), NONE),
                (KeyCode::F(1), NONE),
            ],
            "Esc",
            "close the help",
            Some("close"),
            Command::Dismiss,
        ),
        bind(
            &[(KeyCode::Char('/'), NONE)],
            "/",
            "search the keys (Enter keeps, Esc clears)",
            Some("search"),
            Command::Filter,
        ),
    ],
};

/// The first command of `tables` (searched in order) bound to `key`. Shift is ignored for
/// characters (terminals differ on whether `?` or `G` carry it).
pub fn lookup(tables: &[Table], key: &KeyEvent) -> Option<Command> {
    let mut modifiers = key.modifiers;
    if matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab) {
        modifiers.remove(KeyModifiers::SHIFT);
    }
    tables.iter().flat_map(|t| t.bindings.iter()).find_map(|b| {
        b.keys
            .iter()
            .any(|(code, mods)| {
                let mut mods = *mods;
                mods.remove(KeyModifiers::SHIFT);
                *code == key.code && mods == modifiers
            })
            .then_some(b.command)
    })
}

/// The status bar's hints: "label word" for every binding that has a hint, in table order.
pub fn hints(tables: &[Table]) -> Vec<(&'static str, &'static str)> {
    let mut seen = Vec::new();
    for b in tables.iter().flat_map(|t| t.bindings.iter()) {
        if let Some(hint) = b.hint
            && !seen.iter().any(|(_, h)| *h == hint)
        {
            seen.push((b.label, hint));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn shifted_characters_match_their_binding() {
        let tables: &[Table] = &[LIST, GLOBAL];
        assert_eq!(
            lookup(tables, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Command::Bottom)
        );
        assert_eq!(
            lookup(tables, &key(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Command::Help)
        );
        assert_eq!(
            lookup(tables, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Command::Quit)
        );
        assert_eq!(lookup(tables, &key(KeyCode::Char('z'), NONE)), None);
    }

    #[test]
    fn earlier_tables_win() {
        // In Review, Enter opens; Esc still falls through to the global Back.
        let tables: &[Table] = &[REVIEW, LIST, GLOBAL];
        assert_eq!(
            lookup(tables, &key(KeyCode::Enter, NONE)),
            Some(Command::Open)
        );
        assert_eq!(
            lookup(tables, &key(KeyCode::Esc, NONE)),
            Some(Command::Back)
        );
    }

    #[test]
    fn no_key_is_bound_twice_within_a_screen() {
        for tables in [
            &[REVIEW, LIST, GLOBAL][..],
            &[LOAD_LIST, LIST, GLOBAL][..],
            &[LOAD_FIELD, LOAD_FIELD_MOVE][..],
            &[LOAD_SHEET_CHOICE, LOAD_FIELD][..],
            &[LOAD_COUNTRY_CHOICE, LOAD_FIELD][..],
            &[UPLOAD_LEAVE_OUT, UPLOAD_NO, UPLOAD_PANEL][..],
            &[UPLOAD_CONFIRM, UPLOAD_NO, UPLOAD_PANEL][..],
            &[UPLOAD_CLOSE, UPLOAD_NEXT, UPLOAD_PANEL][..],
            &[MERGE_WAITING, GLOBAL][..],
            &[UPLOAD_CHECKING, UPLOAD_PANEL][..],
            &[UPLOAD_RUNNING, UPLOAD_PANEL][..],
            &[HELP, SCROLL][..],
            &[MERGE, LIST, GLOBAL][..],
            &[MERGE_CHOOSER, LIST][..],
            &[SYNC_PLAN, SCROLL, GLOBAL][..],
            &[SYNC_ARM][..],
            &[SYNC_RUNNING, SCROLL, GLOBAL][..],
            &[SYNC_RETRY, SYNC_DONE, SCROLL, GLOBAL][..],
            &[SYNC_IDLE, GLOBAL][..],
            &[HISTORY, SCROLL, GLOBAL][..],
            &[CHANGES, SCROLL][..],
            &[CONFIRM][..],
            &[PROMPT][..],
        ] {
            let mut keys: Vec<_> = tables
                .iter()
                .flat_map(|t| t.bindings.iter())
                .flat_map(|b| b.keys.iter())
                .collect();
            let total = keys.len();
            keys.sort_by_key(|(code, mods)| format!("{code:?}{mods:?}"));
            keys.dedup();
            assert_eq!(keys.len(), total, "a key is bound twice");
        }
    }

    #[test]
    fn hints_come_from_bindings() {
        let hints = hints(&[REVIEW, LIST, GLOBAL]);
        assert!(hints.contains(&("e", "export")));
        assert!(hints.contains(&("?", "help")));
    }
}
