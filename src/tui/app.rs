//! The one owner of the TUI's state, and the router. [`App::handle_event`] is the only way
//! state changes: keys, mouse, resizes, ticks and job messages all arrive as [`Event`]s on one
//! channel. A key goes to what is in front: an overlay (help, prompt, confirmation), else the
//! Upload panel, else the current screen; what they ask for comes back as an [`Action`] that the
//! app carries out. Long work runs as background jobs ([`Jobs`], the work itself in
//! [`super::work`]: loads, the upload, the merge's reads and decisions, the sync's plan and run,
//! the history) whose messages the app hands to the screen they concern; a message of a
//! cancelled or replaced job is dropped. A running sync takes the Sync screen's commands on a
//! channel the app keeps. Each screen keeps its own state machine; nothing here draws
//! ([`super::ui`] reads this state to draw it).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::domain::DecisionChange;
use crate::template::Loaded;
use crate::tui::complete;
use crate::tui::event::{Event, JobMessage, Reply};
use crate::tui::help::{self, Help};
use crate::tui::jobs::{JobKind, Jobs};
use crate::tui::keymap::{self, Command, Table};
use crate::tui::layout::{Chrome, step_at};
use crate::tui::portfolio_tree::Prepared;
use crate::tui::prompt::{self, Prompt};
use crate::tui::reads::EngineCommand;
use crate::tui::recent;
use crate::tui::screens::upload::Reach;
use crate::tui::screens::{
    Action, LoadRequest, Screen, history, load, merge, review, sync, upload,
};
use crate::tui::session::Session;
use crate::tui::step::Step;
use crate::tui::theme::Theme;
use crate::tui::widgets::plural;
use crate::tui::work;

/// How long a status message stays.
const MESSAGE_TTL: Duration = Duration::from_secs(8);
/// Rows the mouse wheel scrolls.
const WHEEL_ROWS: isize = 3;

/// A modal layer above the screen and the Upload panel; closing it shows them again.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    /// `?`: every key of what is in front.
    Help(Help),
    /// `:` or the export path.
    Prompt(Prompt),
    /// Quit while work runs?
    ConfirmQuit,
    /// The export target exists: overwrite it?
    ConfirmOverwrite(PathBuf),
}

/// A message in the status line.
#[derive(Debug, Clone)]
pub struct Message {
    pub text: String,
    pub at: Instant,
}

/// The load the Load job is doing, for what to do with its reply.
struct Loading {
    request: LoadRequest,
    reload: bool,
}

pub struct App {
    pub step: Step,
    pub load: load::State,
    pub review: Option<review::State>,
    pub merge: merge::State,
    pub sync: sync::State,
    pub history: history::State,
    /// The Upload panel over Review, while it is open.
    pub upload: Option<upload::State>,
    pub overlay: Overlay,
    pub session: Session,
    pub message: Option<Message>,
    pub theme: Theme,
    /// The terminal's size, for layout and mouse hits.
    pub size: Rect,
    pub now: Instant,
    pub tick: u64,
    pub dirty: bool,
    quit: bool,
    jobs: Jobs,
    loading: Option<Loading>,
    /// The last load that succeeded, for reload and export.
    last_request: Option<LoadRequest>,
    data_dir: Option<PathBuf>,
    /// Where the Sync screen's commands reach the running sync.
    sync_commands: Option<UnboundedSender<EngineCommand>>,
    /// Decisions made while the previous ones were still being recorded: recorded next.
    pending_decisions: Vec<DecisionChange>,
    /// What the decision being recorded is, for the status line once it is.
    deciding: Option<String>,
}

impl App {
    /// A new app whose background jobs report on `tx`. `data_dir` keeps the recent files;
    /// `None` keeps nothing (tests).
    pub fn new(
        tx: UnboundedSender<Event>,
        session: Session,
        data_dir: Option<PathBuf>,
        theme: Theme,
        size: Rect,
    ) -> App {
        let recent = data_dir.as_deref().map(recent::read).unwrap_or_default();
        let missing = session.sync_settings().err().unwrap_or_default();
        let mut app = App {
            step: Step::Load,
            load: load::State::new(recent),
            review: None,
            merge: merge::State::new(missing.clone()),
            sync: sync::State::new(missing.clone()),
            history: history::State::new(if session.store.is_some() {
                Vec::new()
            } else {
                missing
            }),
            upload: None,
            overlay: Overlay::None,
            session,
            message: None,
            theme,
            size,
            now: Instant::now(),
            tick: 0,
            dirty: true,
            quit: false,
            jobs: Jobs::new(tx),
            loading: None,
            last_request: None,
            data_dir,
            sync_commands: None,
            pending_decisions: Vec::new(),
            deciding: None,
        };
        app.relayout();
        app
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether work the operator waits for runs (anything but reading a file's sheet names).
    pub fn is_busy(&self) -> bool {
        self.jobs.kinds().any(|k| k != JobKind::Sheets)
    }

    /// The running work that quitting would cut short (a load, an export, an upload, a
    /// decision being recorded, a sync): quitting asks first.
    pub fn work_at_stake(&self) -> Vec<JobKind> {
        (self.jobs.kinds())
            .filter(|k| {
                matches!(
                    k,
                    JobKind::Load
                        | JobKind::Export
                        | JobKind::Upload
                        | JobKind::Decide
                        | JobKind::Sync
                )
            })
            .collect()
    }

    /// Wait a moment for the jobs cancelled on quitting to wind down: a sync finishes its
    /// writes in flight and records its run as cancelled, so the next one resumes it cleanly.
    pub async fn wind_down(&mut self) -> bool {
        self.jobs.wind_down(Duration::from_secs(10)).await
    }

    /// The jobs running, oldest first, and when each started.
    pub fn running(&self) -> Vec<(JobKind, Instant)> {
        (self.jobs.kinds())
            .filter_map(|k| Some((k, self.jobs.started(k)?)))
            .collect()
    }

    /// Whether an upload (dry run or real) runs.
    pub fn is_uploading(&self) -> bool {
        self.jobs.is_running(JobKind::Upload)
    }

    /// Whether a real upload or a sync writes: the header's mode says ARMED.
    pub fn is_armed(&self) -> bool {
        self.upload.as_ref().is_some_and(upload::State::is_armed) || self.sync.is_armed()
    }

    /// Why a step cannot be opened now, if it cannot.
    pub fn step_blocked(&self, step: Step) -> Option<&'static str> {
        (step == Step::Review && self.review.is_none()).then_some("load a template first")
    }

    /// What the steps line says of a step: pairs left to review, a sync running.
    pub fn step_note(&self, step: Step) -> Option<String> {
        match step {
            Step::Merge => {
                let left = self.merge.review_left();
                (left > 0).then(|| format!("{left} to review"))
            }
            Step::Sync => self.sync.note_for_steps(),
            _ => None,
        }
    }

    /// The current screen.
    pub fn screen(&self) -> &dyn Screen {
        match (self.step, &self.review) {
            (Step::Review, Some(review)) => review,
            (Step::Merge, _) => &self.merge,
            (Step::Sync, _) => &self.sync,
            (Step::History, _) => &self.history,
            (Step::Load | Step::Review, _) => &self.load,
        }
    }

    fn screen_mut(&mut self) -> &mut dyn Screen {
        let App {
            step,
            load,
            review,
            merge,
            sync,
            history,
            ..
        } = self;
        match (*step, review) {
            (Step::Review, Some(review)) => review,
            (Step::Merge, _) => merge,
            (Step::Sync, _) => sync,
            (Step::History, _) => history,
            (Step::Load | Step::Review, _) => load,
        }
    }

    /// What takes keys when no overlay is open: the Upload panel, else the screen.
    pub fn front(&self) -> &dyn Screen {
        match &self.upload {
            Some(panel) => panel,
            None => self.screen(),
        }
    }

    fn front_mut(&mut self) -> &mut dyn Screen {
        // Two steps, because returning the panel's borrow from one arm of a match would keep
        // `self` borrowed in the other (a limit of today's borrow checker).
        if self.upload.is_none() {
            return self.screen_mut();
        }
        match &mut self.upload {
            Some(panel) => panel,
            None => &mut self.load,
        }
    }

    /// The key tables in force now: the overlay's, else those of what is in front.
    pub fn tables(&self) -> &'static [Table] {
        match &self.overlay {
            Overlay::Help(_) => help::TABLES,
            Overlay::Prompt(_) => &[keymap::PROMPT],
            Overlay::ConfirmQuit | Overlay::ConfirmOverwrite(_) => &[keymap::CONFIRM],
            Overlay::None => self.front().tables(),
        }
    }

    /// Where the screens are drawn.
    pub fn main_area(&self) -> Rect {
        Chrome::of(self.size).main
    }

    pub fn handle_event(&mut self, event: Event) {
        self.now = Instant::now();
        match event {
            Event::Key(key) => {
                if key.kind == KeyEventKind::Press {
                    self.handle_key(key);
                    self.read_sheets_if_wanted();
                    self.dirty = true;
                }
            }
            Event::Mouse(mouse) => {
                self.handle_mouse(mouse);
                self.read_sheets_if_wanted();
                self.dirty = true;
            }
            Event::Resize(width, height) => {
                self.size = Rect::new(0, 0, width, height);
                self.relayout();
                self.dirty = true;
            }
            Event::Tick => self.on_tick(),
            Event::Job(message) => {
                self.on_job(*message);
                // A failed load leaves its path in the field: offer that file's sheets.
                self.read_sheets_if_wanted();
                self.dirty = true;
            }
        }
    }

    fn on_tick(&mut self) {
        self.tick = self.tick.wrapping_add(1);
        if self.is_busy() {
            self.dirty = true;
        }
        if self
            .message
            .as_ref()
            .is_some_and(|m| self.now.duration_since(m.at) > MESSAGE_TTL)
        {
            self.message = None;
            self.dirty = true;
        }
    }

    /// Tell the operator something in the status line.
    pub fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::info!("{text}");
        self.message = Some(Message { text, at: self.now });
    }

    /// Give every screen the area it is drawn in.
    fn relayout(&mut self) {
        let main = self.main_area();
        self.load.resize(main);
        self.merge.resize(main);
        self.sync.resize(main);
        self.history.resize(main);
        if let Some(review) = &mut self.review {
            review.resize(main);
        }
        if let Some(panel) = &mut self.upload {
            panel.resize(main);
        }
    }

    fn handle_key(&mut self, key: KeyEvent) {
        // Ctrl-C quits from anywhere, also while a field or a filter is being typed; asked
        // while work runs, a second one quits at once (as in k9s and lazygit).
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            match self.overlay {
                Overlay::ConfirmQuit => self.quit_now(),
                _ => self.request_quit(),
            }
            return;
        }
        let action = match &mut self.overlay {
            Overlay::None => self.front_mut().handle_key(key),
            Overlay::Help(help) => {
                if help.handle_key(key, Chrome::of(self.size).main) == help::Outcome::Close {
                    self.overlay = Overlay::None;
                }
                None
            }
            Overlay::Prompt(prompt) => match prompt.handle_key(key) {
                prompt::Outcome::Stay => None,
                prompt::Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    None
                }
                prompt::Outcome::Run(text) => {
                    let kind = prompt.kind;
                    self.overlay = Overlay::None;
                    self.run_prompt(kind, &text);
                    None
                }
            },
            Overlay::ConfirmQuit | Overlay::ConfirmOverwrite(_) => {
                self.confirm_key(&key);
                None
            }
        };
        if let Some(action) = action {
            self.apply(action);
        }
    }

    fn confirm_key(&mut self, key: &KeyEvent) {
        let answer = keymap::lookup(&[keymap::CONFIRM], key);
        match (answer, std::mem::take(&mut self.overlay)) {
            (Some(Command::Accept), Overlay::ConfirmQuit) => self.quit_now(),
            (Some(Command::Accept), Overlay::ConfirmOverwrite(out)) => self.start_export(out),
            // Back to the path, to pick another.
            (Some(Command::Dismiss), Overlay::ConfirmOverwrite(out)) => {
                self.overlay = Overlay::Prompt(Prompt::export(out.display().to_string()));
            }
            (Some(Command::Dismiss), _) => {}
            (_, question) => self.overlay = question,
        }
    }

    /// Carry out what a screen asked for.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Global(command) => self.global(command),
            Action::Load(request) => self.start_load(request, false),
            Action::Reload => match self.last_request.clone() {
                Some(request) => self.start_load(request, true),
                None => self.say("nothing to reload: load a template first"),
            },
            Action::ExportPrompt => self.open_export_prompt(),
            Action::OpenUpload => self.open_upload(),
            Action::StartUpload { dry_run } => self.start_upload(dry_run),
            Action::CancelUpload => {
                self.jobs.cancel(JobKind::Upload);
                self.upload = None;
                self.say("dry run cancelled: nothing was written");
            }
            Action::StopUpload => {
                self.jobs.stop(JobKind::Upload);
                self.say("stopping the upload after the writes in flight …");
            }
            Action::ClosePanel => self.upload = None,
            Action::ForgetRecent(path) => {
                self.save_recent();
                self.say(format!("forgot {}", path.display()));
            }
            Action::Message(text) => self.say(text),
            Action::ReadMerge => self.read_merge(),
            Action::Decide(changes) => self.decide(changes),
            Action::Plan { retry_rejected } => self.plan(retry_rejected),
            Action::StartSync {
                approved,
                retry_rejected,
            } => self.start_sync(approved, retry_rejected),
            Action::Engine(command) => self.tell_engine(command),
            Action::ReadHistory => self.read_history(),
            Action::ReadRun(run) => {
                if let Some(store) = self.session.store.clone() {
                    self.jobs.start(JobKind::History, self.now, |_, _| {
                        work::run_detail(store, run)
                    });
                }
            }
            Action::SyncNow => self.sync_now(),
        }
    }

    /// Read both services and match them for the Merge screen.
    fn read_merge(&mut self) {
        let Ok(settings) = self.session.sync_settings() else {
            return;
        };
        let started =
            (self.jobs).start(JobKind::Match, self.now, |_, _| work::merge_read(settings));
        if started.is_some() {
            self.merge.reading();
        }
    }

    /// Record merge decisions (after the ones being recorded, if any) and match again.
    fn decide(&mut self, changes: Vec<DecisionChange>) {
        if self.jobs.is_running(JobKind::Decide) {
            self.pending_decisions.extend(changes);
            return;
        }
        let (Some(store), Some(read)) = (self.session.store.clone(), &self.merge.read) else {
            return;
        };
        let said = describe_changes(&changes, self.merge.outcome());
        let job = work::Decide {
            store,
            changes,
            view: read.view.clone(),
            config: crate::matcher::MatchConfig::default(),
        };
        if (self.jobs)
            .start(JobKind::Decide, self.now, |_, _| work::decide(job))
            .is_some()
        {
            self.merge.saving = true;
            self.deciding = Some(said);
        }
    }

    /// Plan a sync (a dry run) for the Sync screen.
    fn plan(&mut self, retry_rejected: bool) {
        if self.sync.is_armed() {
            self.say("a sync is running: its plan is the one shown");
            return;
        }
        let Ok(settings) = self.session.sync_settings() else {
            return;
        };
        let started = self.jobs.start(JobKind::Plan, self.now, |_, _| {
            work::plan(settings, retry_rejected)
        });
        if started.is_some() {
            self.sync.planning();
        }
    }

    /// Run the sync the operator confirmed, with the held ops they approved.
    fn start_sync(&mut self, approved: std::collections::BTreeSet<String>, retry_rejected: bool) {
        let Ok(mut settings) = self.session.sync_settings() else {
            return;
        };
        settings.plan.approved = approved;
        let (tx, commands) = mpsc::unbounded_channel();
        let job = work::Sync {
            settings,
            retry_rejected,
            commands,
        };
        let started = self
            .jobs
            .start(JobKind::Sync, self.now, |reporter, cancel| {
                work::sync(job, reporter, cancel)
            });
        if started.is_some() {
            self.sync_commands = Some(tx);
            self.sync.started(self.now);
            tracing::info!(retry_rejected, "sync started");
        }
    }

    fn tell_engine(&mut self, command: EngineCommand) {
        let sent = (self.sync_commands.as_ref()).is_some_and(|tx| tx.send(command).is_ok());
        if !sent {
            self.say("no sync is running");
        }
    }

    fn read_history(&mut self) {
        let Some(store) = self.session.store.clone() else {
            return;
        };
        let started = (self.jobs).start(JobKind::History, self.now, |_, _| work::history(store));
        if started.is_some() {
            self.history.reading();
        }
    }

    /// History's `s`: to Sync, plan, and ask before going ARMED once the plan is in.
    fn sync_now(&mut self) {
        self.step = Step::Sync;
        if self.sync.is_armed() {
            self.say("a sync is running already");
            return;
        }
        self.sync.arm_when_planned = true;
        self.plan(false);
    }

    fn global(&mut self, command: Command) {
        match command {
            Command::Help => {
                let (title, tables) = self.front().help();
                self.overlay = Overlay::Help(Help::new(title, tables));
            }
            Command::CommandLine => self.overlay = Overlay::Prompt(Prompt::command()),
            Command::Step(step) => {
                // A finished Upload panel closes on the way to another step.
                if self.upload.as_ref().is_some_and(|p| !p.is_running()) {
                    self.upload = None;
                }
                self.switch_step(step);
            }
            Command::Quit => self.request_quit(),
            Command::Back if self.jobs.is_running(JobKind::Load) => self.cancel_load(),
            Command::Back if self.step != Step::Load => self.step = Step::Load,
            _ => {}
        }
    }

    pub fn switch_step(&mut self, step: Step) {
        match self.step_blocked(step) {
            Some(reason) => self.say(format!("{} is not possible yet: {reason}", step.title())),
            None => {
                self.step = step;
                if let Some(action) = self.screen_mut().opened() {
                    self.apply(action);
                }
            }
        }
    }

    fn request_quit(&mut self) {
        if !self.work_at_stake().is_empty() {
            self.overlay = Overlay::ConfirmQuit;
        } else {
            self.quit_now();
        }
    }

    fn quit_now(&mut self) {
        self.jobs.cancel_all();
        self.quit = true;
    }

    fn run_prompt(&mut self, kind: prompt::Kind, text: &str) {
        match kind {
            prompt::Kind::Command => self.run_command_line(text),
            prompt::Kind::Export => self.export_to(complete::expand_home(text)),
        }
    }

    /// `:load PATH` (with the Load screen's sheet and country), `:export PATH`, `:reload`,
    /// `:upload`, `:help`, `:q`, a step by number or name.
    fn run_command_line(&mut self, text: &str) {
        let (verb, rest) = text.split_once(' ').unwrap_or((text, ""));
        let rest = rest.trim();
        match verb {
            "q" | "quit" | "exit" => self.request_quit(),
            "q!" | "quit!" => self.quit_now(),
            "help" | "h" => self.global(Command::Help),
            "load" | "l" | "e" | "open" if !rest.is_empty() => {
                match self.load.request(complete::expand_home(rest)) {
                    Ok(request) => self.start_load(request, false),
                    Err(message) => self.say(message),
                }
            }
            "export" | "w" if !rest.is_empty() => self.export_to(complete::expand_home(rest)),
            "export" | "w" => self.open_export_prompt(),
            "reload" | "r" => self.apply(Action::Reload),
            "upload" | "u" => self.open_upload(),
            "plan" => {
                self.switch_step(Step::Sync);
                self.plan(false);
            }
            _ => match Step::parse(verb) {
                Some(step) => self.switch_step(step),
                None => self.say(format!(
                    "unknown command \":{text}\": try :load PATH, :export PATH, :reload, \
                     :upload, :review, :merge, :sync, :plan, :history, :help or :q"
                )),
            },
        }
    }

    /// Start loading a template in the background; a load already running is replaced.
    pub fn start_load(&mut self, request: LoadRequest, reload: bool) {
        let for_job = request.clone();
        let started = self.jobs.start(JobKind::Load, self.now, |_, cancel| {
            work::load(for_job, cancel)
        });
        if started.is_none() {
            return;
        }
        tracing::info!(path = %request.path.display(), reload, "load started");
        self.load.loading = Some(load::Loading {
            path: request.path.clone(),
        });
        self.load.error = None;
        // The last message is about something else; the status line shows the load now.
        self.message = None;
        self.loading = Some(Loading { request, reload });
    }

    /// When the Load screen's path field names a file whose sheets are not known yet, read
    /// them in the background.
    fn read_sheets_if_wanted(&mut self) {
        if self.step != Step::Load {
            return;
        }
        self.load.drop_stale_sheets();
        let Some(path) = self.load.sheets_wanted() else {
            return;
        };
        let for_job = path.clone();
        if (self.jobs)
            .start(JobKind::Sheets, self.now, |_, _| work::sheets(for_job))
            .is_some()
        {
            self.load.sheets_asked = Some(path);
            self.load.sheets = None;
        }
    }

    fn cancel_load(&mut self) {
        if self.jobs.cancel(JobKind::Load) {
            self.load.loading = None;
            self.loading = None;
            self.say("load cancelled");
        }
    }

    /// A message from a job: dropped when the job was cancelled or replaced, else handed to
    /// the screen it concerns.
    fn on_job(&mut self, message: JobMessage) {
        let Some(kind) = self.jobs.accept(&message) else {
            tracing::debug!(id = message.id.0, "message of an old job dropped");
            return;
        };
        tracing::debug!(?kind, done = message.done, "job message");
        match message.reply {
            Reply::Loaded(result) => self.loaded_reply(result),
            Reply::Sheets { path, result } => {
                let sheets = result
                    .map_err(|message| tracing::info!("sheets not read: {message}"))
                    .ok();
                self.load.sheets_read(&path, sheets);
            }
            Reply::Exported(Ok(out)) => self.say(format!(
                "✓ wrote the annotated copy {}: send it to the customer · {}",
                file_name(&out),
                out.display()
            )),
            Reply::Exported(Err(message)) => self.say(format!("✗ {message}")),
            Reply::UploadProgress { progress, stats } => {
                if let Some(panel) = &mut self.upload {
                    panel.progress(progress, stats);
                }
            }
            Reply::Uploaded {
                result,
                stats,
                after,
            } => {
                // What the merge and the sync read is out of date once something was written.
                if result.as_ref().is_ok_and(|r| r.writes() > 0) {
                    self.merge.stale = true;
                    self.sync.stale = true;
                }
                let said = (self.upload.as_mut()).and_then(|p| p.finished(result, stats, after));
                if let Some(said) = said {
                    self.say(said);
                }
            }
            Reply::Matched(result) => self.merge.matched(result),
            Reply::Decided(result) => {
                let decided = self.deciding.take().unwrap_or_default();
                match self.merge.decided(result) {
                    Some(failed) => self.say(failed),
                    None => self.say(format!("✓ recorded {decided}")),
                }
                self.sync.stale = true;
                let pending = std::mem::take(&mut self.pending_decisions);
                if !pending.is_empty() {
                    self.decide(pending);
                }
            }
            Reply::Planned(result) => self.sync.planned(result),
            Reply::SyncEvents(events) => self.sync.events(events, self.now),
            Reply::Synced(result) => {
                self.sync_commands = None;
                self.merge.stale = true;
                let said = self.sync.finished(result);
                self.say(said);
            }
            Reply::History(result) => self.history.history(result),
            Reply::RunDetail(result) => {
                if let Some(said) = self.history.detail(result) {
                    self.say(said);
                }
            }
        }
    }

    fn loaded_reply(&mut self, result: Result<Box<Prepared>, String>) {
        self.load.loading = None;
        let Some(Loading { request, reload }) = self.loading.take() else {
            return;
        };
        match result {
            Ok(prepared) => self.show(request, *prepared, reload),
            Err(message) if reload => self.say(format!("✗ reload failed: {message}")),
            Err(message) => {
                self.load.error = Some(message.clone());
                self.load.focus = load::Field::Path;
                self.step = Step::Load;
                self.say(format!("✗ {message}"));
            }
        }
    }

    /// Show a loaded template: Review opens (keeping the view on a reload). Builds the tree
    /// here; background loads arrive with it built (see [`App::show`]).
    pub fn loaded(&mut self, request: LoadRequest, loaded: Loaded, reload: bool) {
        self.show(request, Prepared::new(loaded), reload);
    }

    /// Show a template whose tree is built.
    pub fn show(&mut self, request: LoadRequest, prepared: Prepared, reload: bool) {
        let Prepared { loaded, tree } = prepared;
        let tally = loaded.tally();
        // Errors first: they are what must survive a narrow status line.
        let counts = format!(
            "{} · {} · {} buildings · {} floors · {} spaces",
            plural(tally.errors as u32, "error"),
            plural(tally.warnings as u32, "warning"),
            loaded.counts.buildings,
            loaded.counts.floors,
            loaded.counts.spaces,
        );
        let symbol = match (tally.errors, tally.warnings) {
            (0, 0) => "✓",
            (0, _) => "⚠",
            _ => "✗",
        };
        let name = file_name(&loaded.file);
        self.load.current = Some(format!("{}: {counts}", loaded.file.display()));
        let loaded = Arc::new(loaded);
        self.review = Some(match self.review.take() {
            Some(previous) if reload => previous.reloaded(loaded, tree),
            previous => {
                // Freeing a large portfolio takes a while; not on the UI thread.
                if let Some(previous) = previous
                    && tokio::runtime::Handle::try_current().is_ok()
                {
                    tokio::task::spawn_blocking(move || drop(previous));
                }
                review::State::with_tree(loaded, tree)
            }
        });
        self.relayout();
        self.remember(&request.path);
        self.load.path = tui_input::Input::new(request.path.display().to_string());
        self.load.completer.reset();
        // Coming back to Load later should not land in a field where `?` or `q` type.
        self.load.focus = load::Field::Recent;
        self.last_request = Some(request);
        self.step = Step::Review;
        self.say(format!("{symbol} loaded {name}: {counts}"));
    }

    fn remember(&mut self, path: &Path) {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        recent::remember(&mut self.load.recent, &absolute);
        self.load.refresh_recent();
        self.save_recent();
    }

    fn save_recent(&self) {
        if let Some(dir) = &self.data_dir {
            recent::write(dir, &self.load.recent);
        }
    }

    fn open_export_prompt(&mut self) {
        match &self.review {
            Some(review) => {
                let default = annotated_path(&review.loaded.file);
                self.overlay = Overlay::Prompt(Prompt::export(default.display().to_string()));
            }
            None => self.say("nothing to export: load a template first"),
        }
    }

    /// Export to `out`, asking first when a file is there already.
    fn export_to(&mut self, out: PathBuf) {
        if out.exists() {
            self.overlay = Overlay::ConfirmOverwrite(out);
        } else {
            self.start_export(out);
        }
    }

    /// Write the annotated copy of the loaded template to `out` in the background.
    pub fn start_export(&mut self, out: PathBuf) {
        let Some(request) = self.last_request.clone() else {
            self.say("nothing to export: load a template first");
            return;
        };
        let said = format!("writing the annotated copy {} …", file_name(&out));
        let started = self
            .jobs
            .start(JobKind::Export, self.now, |_, _| work::export(request, out));
        if started.is_some() {
            self.say(said);
        }
    }

    /// `u` in Review: open the Upload panel (what it shows first is the panel's to decide).
    fn open_upload(&mut self) {
        let Some(review) = &self.review else {
            self.say("nothing to upload: load a template first");
            return;
        };
        let reach = Reach {
            ready: self.session.eptura_client.is_some(),
            settings_from: self.session.settings_from.clone(),
            missing: self.session.eptura_missing.clone(),
        };
        let (panel, action) = upload::State::open(review.loaded.clone(), reach, self.main_area());
        self.upload = Some(panel);
        if let Some(action) = action {
            self.apply(action);
        }
    }

    /// Run the upload of the panel's template (dry or real) as a job.
    fn start_upload(&mut self, dry_run: bool) {
        let (Some(client), Some(panel)) = (self.session.eptura_client.clone(), &self.upload) else {
            return;
        };
        let job = work::Upload {
            client,
            loaded: panel.loaded.clone(),
            dry_run,
            after: (!dry_run)
                .then(|| self.session.after_upload.clone())
                .flatten(),
        };
        self.jobs
            .start(JobKind::Upload, self.now, |reporter, cancel| {
                work::upload(job, reporter, cancel)
            });
        tracing::info!(dry_run, "upload started");
    }

    fn handle_mouse(&mut self, mouse: MouseEvent) {
        let chrome = Chrome::of(self.size);
        let (column, row) = (mouse.column, mouse.row);
        let delta = match mouse.kind {
            MouseEventKind::ScrollDown => WHEEL_ROWS,
            MouseEventKind::ScrollUp => -WHEEL_ROWS,
            MouseEventKind::Down(MouseButton::Left) => {
                self.click(chrome, column, row);
                return;
            }
            _ => return,
        };
        match &mut self.overlay {
            Overlay::Help(help) => help.wheel(delta, chrome.main),
            Overlay::None => self.front_mut().wheel(chrome.main, column, row, delta),
            _ => {}
        }
    }

    /// A click: on a step tab it switches step; in the screen, the screen (or the open
    /// panel) decides. Overlays take no clicks.
    fn click(&mut self, chrome: Chrome, column: u16, row: u16) {
        if !matches!(self.overlay, Overlay::None) {
            return;
        }
        if row == chrome.steps.y && self.upload.is_none() {
            if let Some(step) = step_at(chrome.steps, column) {
                self.switch_step(step);
            }
            return;
        }
        if let Some(action) = self.front_mut().click(chrome.main, column, row) {
            self.apply(action);
        }
    }
}

/// What the status line says once decisions are recorded: "region US:Houston (Houston):
/// accept 14".
fn describe_changes(
    changes: &[DecisionChange],
    outcome: Option<&crate::matcher::Outcome>,
) -> String {
    match changes {
        [DecisionChange::Set(entity, decision)] => {
            let name = (outcome.and_then(|o| o.item(entity)))
                .map(|i| format!(" ({})", i.eptura_name))
                .unwrap_or_default();
            format!("{} {entity}{name}: {decision}", entity.kind())
        }
        [DecisionChange::Undo(entity)] => format!("{} {entity}: no decision", entity.kind()),
        many => format!("{} decisions", many.len()),
    }
}

/// The last part of `path` ("site.xlsx"), or the whole path when it has none.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    )
}

/// "site.xlsx" → "site-annotated.xlsx" in the same folder.
pub fn annotated_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "template".to_string());
    file.with_file_name(format!("{stem}-annotated.xlsx"))
}
