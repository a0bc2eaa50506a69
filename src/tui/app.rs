//! The one owner of the TUI's state. [`App::handle_event`] is the only way state changes: keys,
//! mouse, resizes, ticks and background replies all arrive as [`Event`]s on one channel.
//! Background work (loading a template, writing the annotated copy, the upload to Eptura with
//! its dry run) runs in tokio tasks that answer by message, tagged with a generation so that a stale reply (a cancelled or superseded
//! load) is dropped. Nothing here draws; [`super::ui`] reads this state to draw it.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{
    Event as CrosstermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton,
    MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::event::{Background, Event};
use super::keymap::{self, Command, Table};
use super::list::TextFilter;
use super::portfolio_tree::Prepared;
use super::screens::{Action, LoadRequest, load, review, upload};
use super::theme::Theme;
use super::{Step, complete, recent, ui};
use crate::domain::Portfolio;
use crate::eptura::EpturaClient;
use crate::eptura::upload::{UploadOptions, UploadProgress, UploadReport};
use crate::http::HttpStats;
use crate::template::{self, LoadOptions, Loaded};

/// How long a status message stays.
const MESSAGE_TTL: Duration = Duration::from_secs(8);
/// Rows the mouse wheel scrolls.
const WHEEL_ROWS: isize = 3;

/// Where the TUI is connected, for the status bar, and the clients the work uses.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The customer profile, or what stands for one ("demo").
    pub profile: Option<String>,
    pub eptura: Link,
    pub condeco: Link,
    /// Said in the status bar when set (e.g. "simulators not available").
    pub note: Option<String>,
    /// The Eptura Workplace client, when the session has one (the upload needs it).
    pub eptura_client: Option<EpturaClient>,
    /// Why there is no client, when the settings said (e.g. "the Eptura user is not set: ...").
    pub eptura_problem: Option<String>,
    /// A step run after every successful real upload (the demo's reservation centers).
    pub after_upload: Option<AfterUpload>,
}

/// What [`AfterUpload`] returns: a sentence for the operator, or why it failed.
pub type AfterUploadFuture = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// A step the session runs after a successful real upload, with the client and what was
/// uploaded. The demo sets one that stands in for the customer's step in Eptura's admin UI.
#[derive(Clone)]
pub struct AfterUpload(
    pub Arc<dyn Fn(EpturaClient, Arc<Portfolio>) -> AfterUploadFuture + Send + Sync>,
);

impl std::fmt::Debug for AfterUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AfterUpload(..)")
    }
}

/// The state of one service connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Link {
    #[default]
    NotConfigured,
    /// A simulator started by `spacebridge demo`.
    Simulator(String),
    Configured(String),
}

/// A modal layer above the screen.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    /// `?`: every key of the screen; `/` narrows the list.
    Help {
        scroll: u16,
        filter: TextFilter,
    },
    CommandLine(Input),
    Export(Input),
    /// The Upload panel ([`App::upload`] holds its state).
    Upload,
    ConfirmQuit,
}

impl Overlay {
    pub fn help() -> Overlay {
        Overlay::Help {
            scroll: 0,
            filter: TextFilter::default(),
        }
    }
}

/// A message in the status line.
#[derive(Debug, Clone)]
pub struct Message {
    pub text: String,
    pub at: Instant,
}

struct LoadJob {
    generation: u64,
    cancel: Arc<AtomicBool>,
    request: LoadRequest,
    reload: bool,
    _task: JoinHandle<()>,
}

struct UploadJob {
    generation: u64,
    dry_run: bool,
    progress: watch::Receiver<UploadProgress>,
    /// The client's counters when the job started.
    stats_at_start: HttpStats,
    task: JoinHandle<()>,
}

struct ExportJob {
    generation: u64,
    out: PathBuf,
    _task: JoinHandle<()>,
}

pub struct App {
    pub step: Step,
    pub load: load::State,
    pub review: Option<review::State>,
    /// The Upload panel's state, kept while an upload runs even when the panel is closed.
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
    tx: UnboundedSender<Event>,
    next_generation: u64,
    load_job: Option<LoadJob>,
    export_job: Option<ExportJob>,
    upload_job: Option<UploadJob>,
    /// The last load that succeeded, for reload and export.
    last_request: Option<LoadRequest>,
    data_dir: Option<PathBuf>,
}

impl App {
    /// A new app whose background tasks report on `tx`. `data_dir` keeps the recent files;
    /// `None` keeps nothing (tests).
    pub fn new(
        tx: UnboundedSender<Event>,
        session: Session,
        data_dir: Option<PathBuf>,
        theme: Theme,
        size: Rect,
    ) -> App {
        let recent = data_dir.as_deref().map(recent::read).unwrap_or_default();
        let mut app = App {
            step: Step::Load,
            load: load::State::new(recent),
            review: None,
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
            tx,
            next_generation: 0,
            load_job: None,
            export_job: None,
            upload_job: None,
            last_request: None,
            data_dir,
        };
        app.relayout();
        app
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether background work runs (a load, an export or an upload).
    pub fn is_busy(&self) -> bool {
        self.load_job.is_some() || self.export_job.is_some() || self.upload_job.is_some()
    }

    /// Whether an upload (dry run or real) runs.
    pub fn is_uploading(&self) -> bool {
        self.upload_job.is_some()
    }

    /// Whether a real upload runs: the header's mode says ARMED.
    pub fn is_armed(&self) -> bool {
        self.upload_job.as_ref().is_some_and(|j| !j.dry_run)
    }

    /// Why a step cannot be opened now, if it cannot.
    pub fn step_blocked(&self, step: Step) -> Option<&'static str> {
        let valid = self.review.as_ref().is_some_and(|r| !r.loaded.has_errors());
        match step {
            Step::Load => None,
            _ if self.review.is_none() => Some("load a template first"),
            Step::Review => None,
            Step::Merge | Step::Sync | Step::History if !valid => {
                Some("load a valid template first")
            }
            Step::Merge | Step::Sync | Step::History => Some("not built yet"),
        }
    }

    /// The key tables in force now: the overlay's, else the screen's.
    pub fn tables(&self) -> &'static [Table] {
        match &self.overlay {
            Overlay::Help { .. } => &[keymap::HELP],
            Overlay::CommandLine(_) | Overlay::Export(_) => &[keymap::PROMPT],
            Overlay::ConfirmQuit => &[keymap::CONFIRM],
            Overlay::Upload => &[keymap::UPLOAD],
            Overlay::None => self.screen_tables(),
        }
    }

    /// Every key table of the current screen, whatever has the focus (what `?` lists).
    pub fn help_tables(&self) -> &'static [Table] {
        if self.upload.is_some() {
            return &[keymap::UPLOAD];
        }
        match self.step {
            Step::Load => load::HELP_TABLES,
            _ => self.screen_tables(),
        }
    }

    /// The key tables of the current screen in its current focus.
    pub fn screen_tables(&self) -> &'static [Table] {
        match self.step {
            Step::Load => self.load.tables(),
            Step::Review => review::TABLES,
            _ => &[keymap::GLOBAL],
        }
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
            Event::Background(reply) => {
                self.handle_background(reply);
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
        self.refresh_upload_progress();
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

    /// Give each screen the list heights of the current terminal size.
    fn relayout(&mut self) {
        let main = ui::Chrome::of(self.size).main;
        self.load.recent_height = load::Parts::of(main).recent_height();
        self.load.refresh_recent();
        if let Some(review) = &mut self.review {
            review.set_heights(review::Panes::of(main).heights());
        }
    }

    fn handle_key(&mut self, key: KeyEvent) {
        if self.esc_cancels_load(&key) {
            self.cancel_load();
            return;
        }
        // Ctrl-C quits from anywhere, also while a filter is being typed.
        if matches!(self.overlay, Overlay::None)
            && key.code == KeyCode::Char('c')
            && key.modifiers.contains(KeyModifiers::CONTROL)
        {
            self.request_quit();
            return;
        }
        let action = match &mut self.overlay {
            Overlay::None => match self.step {
                Step::Load => load::handle_key(&mut self.load, key),
                Step::Review => match &mut self.review {
                    Some(state) => review::handle_key(state, key),
                    None => keymap::lookup(&[keymap::GLOBAL], &key).map(Action::Global),
                },
                _ => keymap::lookup(&[keymap::GLOBAL], &key).map(Action::Global),
            },
            Overlay::Help { scroll, filter } => {
                if filter.editing {
                    filter.type_key(key);
                    *scroll = 0;
                    return;
                }
                match keymap::lookup(&[keymap::HELP], &key) {
                    Some(Command::Dismiss) if filter.is_active() => *filter = TextFilter::default(),
                    // Help opened from the Upload panel goes back to it.
                    Some(Command::Dismiss) if self.upload.is_some() => {
                        self.overlay = Overlay::Upload;
                    }
                    Some(Command::Dismiss) => self.overlay = Overlay::None,
                    Some(Command::Up) => *scroll = scroll.saturating_sub(1),
                    Some(Command::Down) => *scroll = scroll.saturating_add(1),
                    Some(Command::Filter) => filter.editing = true,
                    _ => {}
                }
                None
            }
            Overlay::ConfirmQuit => {
                match keymap::lookup(&[keymap::CONFIRM], &key) {
                    Some(Command::Accept) => self.quit_now(),
                    Some(Command::Dismiss) if self.upload_job.is_some() => {
                        self.overlay = Overlay::Upload;
                    }
                    Some(Command::Dismiss) => self.overlay = Overlay::None,
                    _ => {}
                }
                None
            }
            Overlay::CommandLine(_) | Overlay::Export(_) => {
                self.prompt_key(key);
                None
            }
            Overlay::Upload => {
                self.upload_key(key);
                None
            }
        };
        if let Some(action) = action {
            self.apply(action);
        }
    }

    /// Esc cancels a running load from any screen, unless something on top takes Esc first (an
    /// overlay, or a filter being typed).
    fn esc_cancels_load(&self, key: &KeyEvent) -> bool {
        let typing = match self.step {
            Step::Review => self.review.as_ref().is_some_and(review::State::is_typing),
            _ => false,
        };
        self.load_job.is_some()
            && matches!(self.overlay, Overlay::None)
            && !typing
            && keymap::lookup(&[keymap::GLOBAL], key) == Some(Command::Back)
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let command = keymap::lookup(&[keymap::PROMPT], &key);
        let (Overlay::CommandLine(input) | Overlay::Export(input)) = &mut self.overlay else {
            return;
        };
        match command {
            Some(Command::Dismiss) => self.overlay = Overlay::None,
            Some(Command::Complete) => {
                let verbs = matches!(self.overlay, Overlay::CommandLine(_));
                if let Overlay::CommandLine(input) | Overlay::Export(input) = &mut self.overlay {
                    complete_prompt(input, verbs);
                }
            }
            Some(Command::Accept) => {
                let text = input.value().trim().to_string();
                let overlay = std::mem::take(&mut self.overlay);
                match overlay {
                    Overlay::CommandLine(_) => self.run_command_line(&text),
                    Overlay::Export(_) => self.start_export(complete::expand_home(&text)),
                    _ => {}
                }
            }
            _ => {
                input.handle_event(&CrosstermEvent::Key(key));
            }
        }
    }

    /// Carry out what a screen asked for.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Global(command) => self.global(command),
            Action::Load(request) => self.start_load(request, false),
            Action::CancelLoad => self.cancel_load(),
            Action::Reload => match self.last_request.clone() {
                Some(request) => self.start_load(request, true),
                None => self.say("nothing to reload: load a template first"),
            },
            Action::ExportPrompt => self.open_export_prompt(),
            Action::Upload => self.open_upload(),
            Action::ForgetRecent(path) => {
                self.save_recent();
                self.say(format!("forgot {}", path.display()));
            }
            Action::Message(text) => self.say(text),
        }
    }

    fn global(&mut self, command: Command) {
        match command {
            Command::Help => self.overlay = Overlay::help(),
            Command::CommandLine => self.overlay = Overlay::CommandLine(Input::default()),
            Command::Step(step) => self.switch_step(step),
            Command::Quit => self.request_quit(),
            Command::Back if self.step != Step::Load => self.step = Step::Load,
            _ => {}
        }
    }

    pub fn switch_step(&mut self, step: Step) {
        match self.step_blocked(step) {
            Some(reason) => self.say(format!("{} is not possible yet: {reason}", step.title())),
            None => self.step = step,
        }
    }

    fn request_quit(&mut self) {
        if self.is_busy() {
            self.overlay = Overlay::ConfirmQuit;
        } else {
            self.quit_now();
        }
    }

    fn quit_now(&mut self) {
        if let Some(job) = &self.load_job {
            job.cancel.store(true, Ordering::Relaxed);
        }
        if let Some(job) = &self.upload_job {
            job.task.abort();
        }
        self.quit = true;
    }

    /// `:load PATH` (with the Load screen's sheet and country), `:export PATH`, `:reload`,
    /// `:help`, `:q`, a step by number or name.
    fn run_command_line(&mut self, text: &str) {
        let (verb, rest) = text.split_once(' ').unwrap_or((text, ""));
        let rest = rest.trim();
        match verb {
            "q" | "quit" | "exit" => self.request_quit(),
            "q!" | "quit!" => self.quit_now(),
            "help" | "h" => self.overlay = Overlay::help(),
            "load" | "l" | "e" | "open" if !rest.is_empty() => {
                match self.load.request(complete::expand_home(rest)) {
                    Ok(request) => self.start_load(request, false),
                    Err(message) => self.say(message),
                }
            }
            "export" | "w" if !rest.is_empty() => self.start_export(complete::expand_home(rest)),
            "export" | "w" => self.open_export_prompt(),
            "reload" | "r" => self.apply(Action::Reload),
            "upload" | "u" => self.open_upload(),
            _ => match Step::parse(verb) {
                Some(step) => self.switch_step(step),
                None => self.say(format!(
                    "unknown command \":{text}\": try :load PATH, :export PATH, :reload, \
                     :upload, :review, :help or :q"
                )),
            },
        }
    }

    /// Start loading a template in the background; a load already running is cancelled.
    pub fn start_load(&mut self, request: LoadRequest, reload: bool) {
        self.cancel_load_quietly();
        self.next_generation += 1;
        let generation = self.next_generation;
        let cancel = Arc::new(AtomicBool::new(false));
        let options = LoadOptions {
            sheet: request.sheet.clone(),
            country: request.country,
            cancel: Some(cancel.clone()),
        };
        let path = request.path.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let loaded = tokio::task::spawn_blocking(move || {
                template::load(&path, &options).map(|loaded| Box::new(Prepared::new(loaded)))
            })
            .await;
            let result = match loaded {
                Ok(Ok(prepared)) => Ok(prepared),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the loader stopped unexpectedly: {e}")),
            };
            let _ = tx.send(Event::Background(Background::Loaded { generation, result }));
        });
        tracing::info!(path = %request.path.display(), generation, "load started");
        self.load.loading = Some(load::Loading {
            path: request.path.clone(),
            started: self.now,
        });
        self.load.error = None;
        self.load_job = Some(LoadJob {
            generation,
            cancel,
            request,
            reload,
            _task: task,
        });
    }

    /// When the Load screen's path field names a file whose sheets are not known yet, read
    /// them in the background; the reply carries the path and generation.
    fn read_sheets_if_wanted(&mut self) {
        if self.step != Step::Load {
            return;
        }
        self.load.drop_stale_sheets();
        let Some(path) = self.load.sheets_wanted() else {
            return;
        };
        // Without a runtime (a synchronous test) there is nowhere to read them.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        self.next_generation += 1;
        let generation = self.next_generation;
        self.load.sheets_asked = Some((path.clone(), generation));
        self.load.sheets = None;
        let tx = self.tx.clone();
        runtime.spawn(async move {
            let for_reader = path.clone();
            let read =
                tokio::task::spawn_blocking(move || template::sheet_names(&for_reader)).await;
            let result = match read {
                Ok(Ok(sheets)) => Ok(sheets),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the sheet reader stopped unexpectedly: {e}")),
            };
            let _ = tx.send(Event::Background(Background::Sheets {
                generation,
                path,
                result,
            }));
        });
        tracing::debug!(generation, "sheet names asked");
    }

    fn cancel_load_quietly(&mut self) -> bool {
        match self.load_job.take() {
            Some(job) => {
                job.cancel.store(true, Ordering::Relaxed);
                self.load.loading = None;
                true
            }
            None => false,
        }
    }

    fn cancel_load(&mut self) {
        if self.cancel_load_quietly() {
            self.say("load cancelled");
        }
    }

    fn handle_background(&mut self, reply: Background) {
        match reply {
            Background::Loaded { generation, result } => {
                let current = self.load_job.as_ref().map(|j| j.generation);
                if current != Some(generation) {
                    tracing::debug!(generation, "stale load reply dropped");
                    return;
                }
                let Some(job) = self.load_job.take() else {
                    return;
                };
                self.load.loading = None;
                match result {
                    Ok(prepared) => self.show(job.request, *prepared, job.reload),
                    Err(message) if job.reload => self.say(format!("✗ reload failed: {message}")),
                    Err(message) => {
                        self.load.error = Some(message.clone());
                        self.load.focus = load::Field::Path;
                        self.step = Step::Load;
                        self.say(format!("✗ {message}"));
                    }
                }
            }
            Background::Sheets {
                generation,
                path,
                result,
            } => {
                let sheets = result
                    .map_err(|message| tracing::info!("sheets not read: {message}"))
                    .ok();
                if !self.load.sheets_read(&path, generation, sheets) {
                    tracing::debug!(generation, "stale sheets reply dropped");
                }
            }
            Background::Exported { generation, result } => {
                if self.export_job.as_ref().map(|j| j.generation) != Some(generation) {
                    return;
                }
                let out = self.export_job.take().map(|j| j.out);
                match (result, out) {
                    (Ok(()), Some(out)) => self.say(format!(
                        "✓ annotated copy written to {}: send it to the customer",
                        out.display()
                    )),
                    (Err(message), _) => self.say(format!("✗ {message}")),
                    (Ok(()), None) => {}
                }
            }
            Background::Uploaded {
                generation,
                result,
                after,
            } => self.uploaded(generation, result, after),
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
        let current = format!(
            "{}: {} buildings · {} floors · {} spaces · {} ✗ errors · {} ⚠ warnings",
            loaded.file.display(),
            loaded.counts.buildings,
            loaded.counts.floors,
            loaded.counts.spaces,
            tally.errors,
            tally.warnings
        );
        let summary = format!("loaded {current}");
        self.load.current = Some(current);
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
        self.load.path = Input::new(request.path.display().to_string());
        // Coming back to Load later should not land in a field where `?` or `q` type.
        self.load.focus = load::Field::Recent;
        self.last_request = Some(request);
        self.step = Step::Review;
        self.say(summary);
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
                self.overlay = Overlay::Export(Input::new(default.display().to_string()));
            }
            None => self.say("nothing to export: load a template first"),
        }
    }

    /// Write the annotated copy of the loaded template to `out` in the background.
    pub fn start_export(&mut self, out: PathBuf) {
        let Some(request) = self.last_request.clone() else {
            self.say("nothing to export: load a template first");
            return;
        };
        self.next_generation += 1;
        let generation = self.next_generation;
        let options = LoadOptions {
            sheet: request.sheet,
            country: request.country,
            cancel: None,
        };
        let tx = self.tx.clone();
        let target = out.clone();
        let task = tokio::spawn(async move {
            let written = tokio::task::spawn_blocking(move || {
                template::annotate::write(&request.path, &options, &target)
            })
            .await;
            let result = match written {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the export stopped unexpectedly: {e}")),
            };
            let _ = tx.send(Event::Background(Background::Exported {
                generation,
                result,
            }));
        });
        self.say(format!("writing the annotated copy to {} …", out.display()));
        self.export_job = Some(ExportJob {
            generation,
            out,
            _task: task,
        });
    }

    /// `u` in Review: open the Upload panel. A running upload's panel shows again; otherwise
    /// errors no building owns refuse the template, buildings with errors are left out after
    /// asking, a session without Eptura says what to set, and else a dry run starts.
    fn open_upload(&mut self) {
        if self.upload_job.is_some() && self.upload.is_some() {
            self.overlay = Overlay::Upload;
            return;
        }
        let Some(review) = &self.review else {
            self.say("nothing to upload: load a template first");
            return;
        };
        let loaded = review.loaded.clone();
        let unattributed: Vec<String> = (loaded.unattributed_errors())
            .map(|d| format!("✗ {} {} {}", d.cell, d.code.as_str(), d.message))
            .collect();
        let left_out = loaded.broken_buildings();
        let stage = if !unattributed.is_empty() {
            upload::Stage::Blocked {
                total: unattributed.len(),
                errors: unattributed
                    .into_iter()
                    .take(upload::ERRORS_SHOWN)
                    .collect(),
            }
        } else if !left_out.is_empty() {
            upload::Stage::LeaveOut
        } else {
            self.checking_or_not_configured()
        };
        let start = matches!(stage, upload::Stage::Checking);
        self.upload = Some(upload::State::new(stage, loaded, left_out));
        self.overlay = Overlay::Upload;
        if start {
            self.start_upload(true);
        }
    }

    /// The dry run's stage when the session can reach Eptura, else why it cannot.
    fn checking_or_not_configured(&self) -> upload::Stage {
        match self.session.eptura_client {
            Some(_) => upload::Stage::Checking,
            None => upload::Stage::NotConfigured(self.session.eptura_problem.clone()),
        }
    }

    fn upload_key(&mut self, key: KeyEvent) {
        match keymap::lookup(&[keymap::UPLOAD], &key) {
            Some(Command::Accept) => self.upload_go_on(),
            Some(Command::Dismiss) if self.upload_job.is_some() => self.cancel_upload(),
            Some(Command::Dismiss) => self.close_upload(),
            Some(Command::Quit) => self.request_quit(),
            Some(Command::Help) => self.overlay = Overlay::help(),
            _ => {}
        }
    }

    /// `y` in the panel: leave the broken buildings out and dry-run, or upload after the dry
    /// run; on a finished panel, close it.
    fn upload_go_on(&mut self) {
        let next = match self.upload.as_ref().map(|p| &p.stage) {
            Some(upload::Stage::LeaveOut) => self.checking_or_not_configured(),
            Some(upload::Stage::Checked(report)) if report.writes() > 0 => upload::Stage::Running,
            Some(upload::Stage::Checking | upload::Stage::Running) | None => return,
            Some(_) => return self.close_upload(),
        };
        let start = match next {
            upload::Stage::Checking => Some(true),
            upload::Stage::Running => Some(false),
            _ => None,
        };
        if let Some(panel) = &mut self.upload {
            panel.stage = next;
        }
        if let Some(dry_run) = start {
            self.start_upload(dry_run);
        }
    }

    fn close_upload(&mut self) {
        self.overlay = Overlay::None;
        if self.upload_job.is_none() {
            self.upload = None;
        }
    }

    /// Run the upload of the panel's portfolio (dry or real) in a background task that reports
    /// with [`Background::Uploaded`]; its progress comes through a watch channel read on ticks.
    fn start_upload(&mut self, dry_run: bool) {
        let (Some(client), Some(panel)) = (self.session.eptura_client.clone(), &mut self.upload)
        else {
            return;
        };
        self.next_generation += 1;
        let generation = self.next_generation;
        let loaded = panel.loaded.clone();
        panel.progress = UploadProgress::default();
        panel.stats = HttpStats::default();
        panel.after = None;
        let (progress_tx, progress) = watch::channel(panel.progress);
        let after = if dry_run {
            None
        } else {
            self.session.after_upload.clone()
        };
        let stats_at_start = client.http().stats();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let portfolio = Arc::new(loaded.without_broken_buildings().0);
            let options = UploadOptions {
                dry_run,
                progress: Some(progress_tx),
                ..UploadOptions::default()
            };
            let result = crate::eptura::upload::upload(&client, &portfolio, options)
                .await
                .map_err(|e| e.to_string());
            let after = match (&result, after) {
                (Ok(_), Some(step)) => Some((step.0)(client.clone(), portfolio.clone()).await),
                _ => None,
            };
            let _ = tx.send(Event::Background(Background::Uploaded {
                generation,
                result,
                after,
            }));
        });
        tracing::info!(generation, dry_run, "upload started");
        self.upload_job = Some(UploadJob {
            generation,
            dry_run,
            progress,
            stats_at_start,
            task,
        });
    }

    /// Copy the running upload's progress and request counters into the panel.
    fn refresh_upload_progress(&mut self) {
        let (Some(job), Some(panel), Some(client)) = (
            &self.upload_job,
            &mut self.upload,
            &self.session.eptura_client,
        ) else {
            return;
        };
        panel.progress = *job.progress.borrow();
        panel.stats = upload::stats_since(client.http().stats(), job.stats_at_start);
    }

    /// Esc while an upload runs: stop it. What was created stays; the next upload (which
    /// matches what is there) finishes the rest.
    fn cancel_upload(&mut self) {
        self.refresh_upload_progress();
        let Some(job) = self.upload_job.take() else {
            return;
        };
        job.task.abort();
        if job.dry_run {
            self.close_upload();
            self.say("dry run cancelled");
        } else {
            if let Some(panel) = &mut self.upload {
                panel.stage = upload::Stage::Cancelled;
            }
            self.say("upload cancelled: what was created stays; the next upload finishes the rest");
        }
    }

    fn uploaded(
        &mut self,
        generation: u64,
        result: Result<UploadReport, String>,
        after: Option<Result<String, String>>,
    ) {
        if self.upload_job.as_ref().map(|j| j.generation) != Some(generation) {
            tracing::debug!(generation, "stale upload reply dropped");
            return;
        }
        self.refresh_upload_progress();
        let Some(job) = self.upload_job.take() else {
            return;
        };
        let after = after.map(|a| a.unwrap_or_else(|e| format!("✗ {e}")));
        let message = match &result {
            Ok(_) if job.dry_run => None,
            Ok(report) => Some(upload_summary(report, after.as_deref())),
            Err(message) => Some(format!("✗ {message}: upload again to finish the rest")),
        };
        if let Some(panel) = &mut self.upload {
            panel.after = after;
            panel.stage = match result {
                Ok(report) if job.dry_run => upload::Stage::Checked(report),
                Ok(report) => upload::Stage::Done(report),
                Err(message) => upload::Stage::Failed(message),
            };
        }
        if let Some(message) = message {
            self.say(message);
        }
    }

    fn handle_mouse(&mut self, mouse: MouseEvent) {
        let chrome = ui::Chrome::of(self.size);
        let (column, row) = (mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if !matches!(self.overlay, Overlay::None) {
                    return;
                }
                if row == chrome.steps.y {
                    if let Some(step) = ui::step_at(chrome.steps, column) {
                        self.switch_step(step);
                    }
                    return;
                }
                self.click(chrome.main, column, row);
            }
            MouseEventKind::ScrollDown => self.wheel(chrome.main, column, row, WHEEL_ROWS),
            MouseEventKind::ScrollUp => self.wheel(chrome.main, column, row, -WHEEL_ROWS),
            _ => {}
        }
    }

    fn click(&mut self, main: Rect, column: u16, row: u16) {
        match self.step {
            Step::Review => {
                let action = self.review.as_mut().and_then(|review| {
                    let (pane, line) = review::Panes::of(main).hit(column, row)?;
                    review.click(pane, line)
                });
                if let Some(action) = action {
                    self.apply(action);
                }
            }
            Step::Load => {
                let parts = load::Parts::of(main);
                if parts.form.contains((column, row).into()) {
                    let field = match row.saturating_sub(parts.form.y) {
                        0 | 1 => load::Field::Path,
                        2 => load::Field::Sheet,
                        _ => load::Field::Country,
                    };
                    // A click on the focused choice picks the next entry.
                    if field == self.load.focus {
                        self.load.pick(1);
                    }
                    self.load.focus = field;
                } else if parts.recent.contains((column, row).into()) && row > parts.recent.y {
                    let line = usize::from(row.saturating_sub(parts.recent.y + 1));
                    let target = self.load.recent_cursor.offset + line;
                    if target < self.load.recent_shown.len() {
                        self.load.focus = load::Field::Recent;
                        self.load.recent_cursor.select(
                            target,
                            self.load.recent_shown.len(),
                            self.load.recent_height,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn wheel(&mut self, main: Rect, column: u16, row: u16, delta: isize) {
        match (&mut self.overlay, self.step) {
            (Overlay::Help { scroll, .. }, _) => {
                *scroll = scroll.saturating_add_signed(delta as i16);
            }
            (Overlay::None, Step::Review) => {
                if let Some(review) = &mut self.review
                    && let Some((pane, _)) = review::Panes::of(main).hit(column, row)
                {
                    review.scroll(pane, delta);
                }
            }
            (Overlay::None, Step::Load) => {
                let len = self.load.recent_shown.len();
                let height = self.load.recent_height;
                self.load.recent_cursor.scroll(delta, len, height);
            }
            _ => {}
        }
    }
}

/// Tab in a prompt: complete the path after the verb (`:load sam` → `:load samples/`).
/// The command line's verbs, for Tab completion.
const VERBS: [&str; 7] = [
    "load ", "export ", "reload", "upload", "review", "help", "quit",
];

/// Tab in a prompt: the verb when none is typed yet (command line only), else the path after
/// it (`:load sam` → `:load samples/`).
fn complete_prompt(input: &mut Input, verbs: bool) {
    let value = input.value().to_string();
    let (head, typed) = match value.rfind(' ') {
        Some(at) => value.split_at(at + 1),
        None => ("", value.as_str()),
    };
    let found = if verbs && head.is_empty() {
        (VERBS.iter())
            .filter(|v| v.starts_with(typed))
            .map(|v| v.to_string())
            .collect()
    } else {
        complete::candidates(typed)
    };
    let completed = match found.len() {
        0 => return,
        1 => found[0].clone(),
        _ => complete::common_prefix(&found),
    };
    *input = Input::new(format!("{head}{completed}"));
}

/// The status line after a real upload: counts, refusals and the after-upload step.
fn upload_summary(report: &UploadReport, after: Option<&str>) -> String {
    let present = report.space_types.present
        + report.buildings.present
        + report.floors.present
        + report.spaces.present;
    let mut text = if report.has_failures() {
        format!(
            "✗ upload done with {} refused: {} created, {present} already present",
            report.failures.len(),
            report.writes()
        )
    } else {
        format!(
            "✓ upload done: {} created, {present} already present",
            report.writes()
        )
    };
    if let Some(after) = after {
        text.push_str(" · ");
        text.push_str(after);
    }
    text
}

/// "site.xlsx" → "site-annotated.xlsx" in the same folder.
pub fn annotated_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "template".to_string());
    file.with_file_name(format!("{stem}-annotated.xlsx"))
}
