//! A running sync as the Sync screen shows it, built from the engine's events: which run (and
//! whether it resumed one), a gauge per level, the requests a second and the 429s as recent
//! samples (for the sparklines), the concurrency the HTTP layer allows now, the ops a second and
//! the time left, the rejected items with Condeco's message, and a log kept to its last lines.
//! Pure state: the app hands it the events with the time they arrived; nothing here reads a
//! clock, draws or does I/O.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::domain::SyncKind;
use crate::domain::when::clock;
use crate::http::HttpStats;
use crate::store::{OpCounts, RunId, RunKind, RunStatus};
use crate::sync::Event;
use crate::sync::apply::Rejected;
use crate::sync::plan::Action;

/// Lines the log keeps (older ones are dropped).
pub const LOG_LINES: usize = 1000;
/// Samples the sparklines keep (one per traffic report, four a second).
pub const SAMPLES: usize = 240;
/// How far back the ops-a-second rate looks.
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// One level's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gauge {
    pub kind: SyncKind,
    /// "resources", or "deletes" for the pass that deletes.
    pub label: String,
    pub done: u64,
    pub total: u64,
    pub started: bool,
}

/// How much the log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogLevel {
    /// Levels, rejections, look-ups, throttling, pauses: what the operator acts on.
    #[default]
    Events,
    /// Every op as well.
    Ops,
}

/// One line of the log: when (since the run started), a symbol, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Duration,
    pub symbol: &'static str,
    pub text: String,
    /// Shown only at [`LogLevel::Ops`].
    pub detail: bool,
}

/// Everything the screen shows of a running (or finished) sync.
#[derive(Debug, Clone)]
pub struct Live {
    pub started_at: Instant,
    pub run: Option<RunId>,
    pub kind: Option<RunKind>,
    pub resumed_from: Option<RunId>,
    /// What it is doing: "reading Condeco", "applying", "paused", …
    pub phase: String,
    pub planned: Option<OpCounts>,
    pub gauges: Vec<Gauge>,
    /// The gauge of the level running now.
    pub current: Option<usize>,
    pub condeco: HttpStats,
    pub concurrency: usize,
    /// Requests a second to Condeco, one sample per traffic report.
    pub throughput: VecDeque<u64>,
    /// 429 answers per traffic report.
    pub throttled: VecDeque<u64>,
    last_traffic: Option<(Instant, HttpStats)>,
    /// (when, ops done so far): the ops-a-second rate and the ETA.
    done_samples: VecDeque<(Instant, u64)>,
    pub rejected: Vec<Rejected>,
    pub skipped: u64,
    pub log: VecDeque<LogLine>,
    pub level: LogLevel,
    pub finished: Option<RunStatus>,
    /// How long the run took, once it finished.
    pub took: Option<Duration>,
}

impl Live {
    /// A run about to start, its levels' gauges from the plan (so every level shows from the
    /// start, and its total is known before it runs).
    pub fn new(started_at: Instant, planned: &OpCounts) -> Live {
        let mut live = Live {
            started_at,
            run: None,
            kind: None,
            resumed_from: None,
            phase: "starting".into(),
            planned: None,
            gauges: Vec::new(),
            current: None,
            condeco: HttpStats::default(),
            concurrency: 0,
            throughput: VecDeque::new(),
            throttled: VecDeque::new(),
            last_traffic: None,
            done_samples: VecDeque::new(),
            rejected: Vec::new(),
            skipped: 0,
            log: VecDeque::new(),
            level: LogLevel::default(),
            finished: None,
            took: None,
        };
        live.plan_gauges(planned);
        live
    }

    /// One gauge per level with work to do, in the order they run, then the deletes.
    fn plan_gauges(&mut self, planned: &OpCounts) {
        let of = |map: &std::collections::BTreeMap<SyncKind, u64>, kind| {
            map.get(&kind).copied().unwrap_or(0)
        };
        self.gauges = (SyncKind::ALL.into_iter())
            .filter_map(|kind| {
                let total =
                    of(&planned.create, kind) + of(&planned.update, kind) + of(&planned.link, kind);
                (total > 0).then(|| Gauge {
                    kind,
                    label: level_label(kind).to_string(),
                    done: 0,
                    total,
                    started: false,
                })
            })
            .collect();
        let deletes: u64 = planned.delete.values().sum();
        if deletes > 0 {
            self.gauges.push(deletes_gauge(deletes));
        }
        self.planned = Some(planned.clone());
    }

    /// Take the events that arrived at `now`.
    pub fn absorb(&mut self, events: Vec<Event>, now: Instant) {
        for event in events {
            self.take(event, now);
        }
    }

    fn take(&mut self, event: Event, now: Instant) {
        match event {
            Event::Started {
                run,
                kind,
                resumed_from,
            } => {
                self.run = Some(run);
                self.kind = Some(kind);
                self.resumed_from = resumed_from;
                let text = match resumed_from {
                    Some(from) => format!("run {run} ({kind}) started: it resumes run {from}"),
                    None => format!("run {run} ({kind}) started"),
                };
                self.say(now, "▶", text);
            }
            Event::Reading { what } => {
                self.phase = format!("reading {what}");
                self.say(now, "·", format!("reading {what} …"));
            }
            Event::Planned { counts, held } => {
                self.plan_gauges(&counts);
                self.phase = "applying".into();
                let [c, u, l, d] = counts.totals();
                self.say(
                    now,
                    "·",
                    format!("planned: {c} to create, {u} to update, {l} to link, {d} to delete; {held} held"),
                );
            }
            Event::LevelStarted { kind, total } => self.level_started(kind, total, now),
            Event::OpDone {
                action,
                label,
                done,
                ..
            } => {
                if let Some(gauge) = self.current.and_then(|at| self.gauges.get_mut(at)) {
                    gauge.done = done;
                }
                self.note_done(now);
                self.log_line(now, "✓", format!("{} {label}", action_word(action)), true);
            }
            Event::Rejected(rejected) => {
                let text = format!(
                    "{} {} rejected ({}): {}",
                    rejected.kind, rejected.eptura_id, rejected.status, rejected.message
                );
                self.say(now, "✗", text);
                self.rejected.push(rejected);
            }
            Event::Skipped { label, reason, .. } => {
                self.skipped += 1;
                self.say(now, "⚠", format!("{label} skipped: {reason}"));
            }
            Event::LookingUp { label } => {
                self.say(
                    now,
                    "⚠",
                    format!("{label}: its answer was lost, looking it up first"),
                );
            }
            Event::QuotaPaused { renews_in } => {
                self.phase = format!(
                    "waiting for Condeco's quota ({} left)",
                    clock(renews_in.as_secs())
                );
                self.say(
                    now,
                    "⚠",
                    format!(
                        "Condeco's daily quota is used up: waiting {} for it to renew",
                        clock(renews_in.as_secs())
                    ),
                );
            }
            Event::Traffic {
                condeco,
                concurrency,
                ..
            } => self.traffic(condeco, concurrency, now),
            Event::Finished { status, counts, .. } => {
                self.finished = Some(status);
                self.took = Some(now.saturating_duration_since(self.started_at));
                self.phase = status.to_string();
                self.say(
                    now,
                    status_symbol(status),
                    format!("finished {status}: {}", counts.summary()),
                );
            }
        }
    }

    fn level_started(&mut self, kind: SyncKind, total: u64, now: Instant) {
        // The level's own gauge; once every level ran, the deletes'; else (approvals made
        // while the run ran, run after the rest) a gauge of its own.
        let unstarted = |deletes: bool| {
            (self.gauges.iter())
                .position(|g| !g.started && is_deletes(g) == deletes && (deletes || g.kind == kind))
        };
        let at = match unstarted(false).or_else(|| unstarted(true)) {
            Some(at) => at,
            None => {
                self.gauges.push(Gauge {
                    kind,
                    label: format!("{} (approved)", level_label(kind)),
                    done: 0,
                    total,
                    started: false,
                });
                self.gauges.len() - 1
            }
        };
        let gauge = &mut self.gauges[at];
        gauge.kind = kind;
        gauge.total = total;
        gauge.started = true;
        self.current = Some(at);
        let label = gauge.label.clone();
        self.say(now, "·", format!("{label}: {total} to do"));
    }

    fn note_done(&mut self, now: Instant) {
        let done = self.done();
        self.done_samples.push_back((now, done));
        while (self.done_samples.front())
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) > RATE_WINDOW)
            && self.done_samples.len() > 2
        {
            self.done_samples.pop_front();
        }
    }

    fn traffic(&mut self, condeco: HttpStats, concurrency: usize, now: Instant) {
        if let Some((at, before)) = self.last_traffic {
            let seconds = now.saturating_duration_since(at).as_secs_f64();
            let requests = condeco.requests.saturating_sub(before.requests);
            let rate = match seconds > 0.0 {
                true => (requests as f64 / seconds).round() as u64,
                false => 0,
            };
            push_sample(&mut self.throughput, rate);
            push_sample(
                &mut self.throttled,
                condeco.throttled.saturating_sub(before.throttled),
            );
            if condeco.throttled > before.throttled {
                let text = format!(
                    "{} × 429 from Condeco: backing off, concurrency {} → {concurrency}",
                    condeco.throttled - before.throttled,
                    self.concurrency
                );
                self.log_line(now, "⚠", text, false);
            }
        }
        self.last_traffic = Some((now, condeco));
        self.condeco = condeco;
        self.concurrency = concurrency;
    }

    /// Ops done over every level.
    pub fn done(&self) -> u64 {
        self.gauges.iter().map(|g| g.done).sum()
    }

    /// Ops planned over every level.
    pub fn total(&self) -> u64 {
        self.gauges.iter().map(|g| g.total).sum()
    }

    /// Ops a second over the last few seconds.
    pub fn ops_rate(&self) -> Option<f64> {
        let (first, last) = (self.done_samples.front()?, self.done_samples.back()?);
        let seconds = last.0.saturating_duration_since(first.0).as_secs_f64();
        (seconds > 0.5).then(|| last.1.saturating_sub(first.1) as f64 / seconds)
    }

    /// Time left at the current pace.
    pub fn eta(&self) -> Option<Duration> {
        let rate = self.ops_rate().filter(|r| *r > 0.0)?;
        let left = self.total().saturating_sub(self.done());
        Some(Duration::from_secs_f64(left as f64 / rate))
    }

    /// Requests a second to Condeco, the latest sample.
    pub fn request_rate(&self) -> u64 {
        self.throughput.back().copied().unwrap_or(0)
    }

    /// The log lines shown at the current level, oldest first.
    pub fn shown_log(&self) -> impl Iterator<Item = &LogLine> {
        let all = self.level == LogLevel::Ops;
        self.log.iter().filter(move |l| all || !l.detail)
    }

    /// Something the operator did (paused, approved, …), in the log.
    pub fn note(&mut self, now: Instant, symbol: &'static str, text: String) {
        self.say(now, symbol, text);
    }

    fn say(&mut self, now: Instant, symbol: &'static str, text: String) {
        self.log_line(now, symbol, text, false);
    }

    fn log_line(&mut self, now: Instant, symbol: &'static str, text: String, detail: bool) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(LogLine {
            at: now.saturating_duration_since(self.started_at),
            symbol,
            text,
            detail,
        });
    }
}

fn push_sample(samples: &mut VecDeque<u64>, value: u64) {
    if samples.len() == SAMPLES {
        samples.pop_front();
    }
    samples.push_back(value);
}

/// The label of the pass that deletes.
const DELETES: &str = "deletes";

fn is_deletes(gauge: &Gauge) -> bool {
    gauge.label == DELETES
}

fn deletes_gauge(total: u64) -> Gauge {
    Gauge {
        kind: SyncKind::Resource,
        label: DELETES.into(),
        done: 0,
        total,
        started: false,
    }
}

/// A level as the gauges name it.
pub fn level_label(kind: SyncKind) -> &'static str {
    match kind {
        SyncKind::Country => "countries",
        SyncKind::Group => "groups",
        SyncKind::Region => "regions",
        SyncKind::Location => "locations",
        SyncKind::Floor => "floors",
        SyncKind::WorkspaceType => "ws types",
        SyncKind::Resource => "resources",
    }
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Link { .. } => "linked",
        Action::Delete => "deleted",
        Action::Recreate => "recreated",
    }
}

/// What an op will do, as the plan says it.
pub fn action_verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Link { .. } => "link",
        Action::Delete => "delete",
        Action::Recreate => "delete and create again",
    }
}

/// A run's status as a symbol, so it reads without colour.
pub fn status_symbol(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Succeeded => "✓",
        RunStatus::Partial => "⚠",
        RunStatus::Failed => "✗",
        RunStatus::Cancelled => "⊘",
        RunStatus::Running => "…",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(create: &[(SyncKind, u64)], delete: &[(SyncKind, u64)]) -> OpCounts {
        OpCounts {
            create: create.iter().copied().collect(),
            delete: delete.iter().copied().collect(),
            ..OpCounts::default()
        }
    }

    fn done(kind: SyncKind, done: u64, total: u64) -> Event {
        Event::OpDone {
            kind,
            action: Action::Create,
            label: format!("{kind} {done}"),
            done,
            total,
        }
    }

    #[test]
    fn levels_fill_their_own_gauge_and_the_deletes_theirs() {
        let start = Instant::now();
        let planned = counts(
            &[(SyncKind::Location, 2), (SyncKind::Resource, 10)],
            &[(SyncKind::Resource, 3)],
        );
        let mut live = Live::new(start, &planned);
        let labels: Vec<&str> = live.gauges.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["locations", "resources", "deletes"]);
        let at = |s| start + Duration::from_secs(s);
        live.absorb(
            vec![
                Event::LevelStarted {
                    kind: SyncKind::Location,
                    total: 2,
                },
                done(SyncKind::Location, 2, 2),
                Event::LevelStarted {
                    kind: SyncKind::Resource,
                    total: 10,
                },
                done(SyncKind::Resource, 4, 10),
            ],
            at(1),
        );
        live.absorb(vec![done(SyncKind::Resource, 10, 10)], at(3));
        live.absorb(
            vec![
                Event::LevelStarted {
                    kind: SyncKind::Resource,
                    total: 3,
                },
                Event::OpDone {
                    kind: SyncKind::Resource,
                    action: Action::Delete,
                    label: "resource 9".into(),
                    done: 1,
                    total: 3,
                },
            ],
            at(4),
        );
        let shown: Vec<(u64, u64)> = live.gauges.iter().map(|g| (g.done, g.total)).collect();
        assert_eq!(shown, [(2, 2), (10, 10), (1, 3)]);
        assert_eq!((live.done(), live.total()), (13, 15));
        // 13 - 2 ops in the 3 s since the first sample: about 3.7 a second, 2 ops left.
        let rate = live.ops_rate().unwrap();
        assert!((rate - 11.0 / 3.0).abs() < 0.01, "{rate}");
        assert_eq!(live.eta().map(|d| d.as_secs()), Some(0));
    }

    #[test]
    fn traffic_becomes_rates_and_throttling_is_logged() {
        let start = Instant::now();
        let mut live = Live::new(start, &OpCounts::default());
        let stats = |requests, throttled| HttpStats {
            requests,
            throttled,
            ..HttpStats::default()
        };
        let traffic = |requests, throttled, concurrency| Event::Traffic {
            condeco: stats(requests, throttled),
            eptura: HttpStats::default(),
            concurrency,
            paced_rate: None,
        };
        live.absorb(vec![traffic(0, 0, 16)], start);
        live.absorb(vec![traffic(50, 0, 16)], start + Duration::from_millis(250));
        live.absorb(vec![traffic(100, 3, 8)], start + Duration::from_millis(500));
        assert_eq!(Vec::from(live.throughput.clone()), [200, 200]);
        assert_eq!(Vec::from(live.throttled.clone()), [0, 3]);
        assert_eq!(live.concurrency, 8);
        let last = live.log.back().unwrap();
        assert_eq!(last.symbol, "⚠");
        assert!(last.text.contains("concurrency 16 → 8"), "{}", last.text);
    }

    #[test]
    fn the_log_keeps_its_last_lines_and_ops_only_at_the_ops_level() {
        let start = Instant::now();
        let mut live = Live::new(start, &counts(&[(SyncKind::Resource, 2000)], &[]));
        live.absorb(
            vec![Event::LevelStarted {
                kind: SyncKind::Resource,
                total: 2000,
            }],
            start,
        );
        live.absorb(
            (1..=1500)
                .map(|n| done(SyncKind::Resource, n, 2000))
                .collect(),
            start,
        );
        assert_eq!(live.log.len(), LOG_LINES);
        assert_eq!(live.shown_log().count(), 0, "ops are details");
        live.level = LogLevel::Ops;
        assert_eq!(live.shown_log().count(), LOG_LINES);
        assert!(live.log.back().unwrap().text.ends_with("1500"));
    }
}
