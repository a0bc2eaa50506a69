//! `spacebridge match [--format text|json|csv] [--band B]`: the merge preview against an
//! existing Condeco. Reads both services and the mapping store (decisions, earlier links),
//! writes nothing. Text: counts per level and band, then the review queue with both sides, the
//! fields that differ and the runner-up, then the Condeco entities left without a partner.
//! JSON: the shape of `spec/cli.md` (`levels`, each item with `eptura_id`, `condeco_id`,
//! `band`, `score`, `reasons`, `runner_up`), plus `counts` and `unpartnered`. CSV: one row per
//! Eptura entity with an empty `decision` column to fill in and give to `decide --from`.
//! Exit 0, or 2 when a service or the store cannot be read.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::Result;
use serde::Serialize;

use super::EXIT_UNREADABLE;
use super::connection::ConnectionArgs;
use crate::matcher::{
    BadThresholds, Band, Field, Item, Level, MatchConfig, Outcome, Unpartnered, Verdict,
};
use crate::sync::apply::ApplyOptions;
use crate::sync::{PlanOptions, SyncSettings};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = MatchFormat::Text)]
    pub format: MatchFormat,
    /// Only the entities of this band (auto, review, new, not-evaluated); repeatable.
    #[arg(long, value_enum, value_name = "BAND")]
    pub band: Vec<BandArg>,
    #[command(flatten)]
    pub matching: MatchArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchFormat {
    Text,
    Json,
    /// One row per Eptura entity, with a `decision` column for `decide --from`.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BandArg {
    Auto,
    Review,
    New,
    NotEvaluated,
}

impl BandArg {
    fn band(self) -> Band {
        match self {
            BandArg::Auto => Band::Auto,
            BandArg::Review => Band::Review,
            BandArg::New => Band::New,
            BandArg::NotEvaluated => Band::NotEvaluated,
        }
    }
}

/// The matcher's thresholds, shared by `match`, `plan` and `sync` so that they agree.
#[derive(Debug, Clone, clap::Args)]
pub struct MatchArgs {
    /// A match scoring at least this, clearly ahead of the runner-up, links without review.
    #[arg(long, value_name = "SCORE", default_value_t = MatchConfig::default().auto)]
    pub auto_threshold: f64,
    /// A match scoring at least this goes to review; below, the entity is new.
    #[arg(long, value_name = "SCORE", default_value_t = MatchConfig::default().review)]
    pub review_threshold: f64,
    /// How far ahead of the runner-up an automatic link must be.
    #[arg(long, value_name = "SCORE", default_value_t = MatchConfig::default().margin)]
    pub margin: f64,
}

impl MatchArgs {
    pub fn config(&self) -> Result<MatchConfig, BadThresholds> {
        MatchConfig::new(self.auto_threshold, self.review_threshold, self.margin)
    }
}

/// What `match` and `decide` need: the clients, the store and the thresholds; or what to set.
pub fn settings(
    connection: &ConnectionArgs,
    matching: &MatchArgs,
) -> std::result::Result<SyncSettings, String> {
    Ok(SyncSettings {
        eptura: connection.eptura_client()?,
        condeco: connection.condeco_client()?,
        store: connection.store_path()?,
        plan: PlanOptions {
            matching: matching.config().map_err(|e| e.to_string())?,
            ..PlanOptions::default()
        },
        apply: ApplyOptions::default(),
    })
}

/// Run the merge preview, or say on stderr why not.
pub fn preview(connection: &ConnectionArgs, matching: &MatchArgs) -> Result<Option<Outcome>> {
    let settings = match settings(connection, matching) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("spacebridge: {message}");
            return Ok(None);
        }
    };
    match super::runtime()?.block_on(crate::sync::merge::preview(&settings)) {
        Ok(outcome) => Ok(Some(outcome)),
        Err(e) => {
            eprintln!("spacebridge: {e}");
            Ok(None)
        }
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let Some(mut outcome) = preview(&args.connection, &args.matching)? else {
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    };
    let counts = outcome.counts();
    if !args.band.is_empty() {
        let wanted: Vec<Band> = args.band.iter().map(|b| b.band()).collect();
        outcome.items.retain(|item| wanted.contains(&item.band));
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        MatchFormat::Json => {
            let json = serde_json::to_string_pretty(&Report::of(&outcome, &counts))?;
            writeln!(out, "{json}")?;
        }
        MatchFormat::Csv => write_csv(&mut out, &outcome)?,
        MatchFormat::Text => write_text(&mut out, &outcome, &counts)?,
    }
    Ok(ExitCode::SUCCESS)
}

type Counts = BTreeMap<Level, BTreeMap<Band, usize>>;

/// `match --format json`.
#[derive(Serialize)]
struct Report<'a> {
    levels: BTreeMap<&'static str, Vec<&'a Item>>,
    counts: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    unpartnered: BTreeMap<&'static str, Vec<&'a Unpartnered>>,
}

impl<'a> Report<'a> {
    fn of(outcome: &'a Outcome, counts: &Counts) -> Self {
        let mut levels: BTreeMap<&'static str, Vec<&Item>> = Level::ALL
            .iter()
            .map(|l| (l.as_str(), Vec::new()))
            .collect();
        for item in &outcome.items {
            levels.entry(item.level.as_str()).or_default().push(item);
        }
        let mut unpartnered: BTreeMap<&'static str, Vec<&Unpartnered>> = BTreeMap::new();
        for entity in &outcome.unpartnered {
            unpartnered
                .entry(entity.level.as_str())
                .or_default()
                .push(entity);
        }
        let counts = counts
            .iter()
            .map(|(level, bands)| {
                let bands = bands.iter().map(|(b, n)| (b.as_str(), *n)).collect();
                (level.as_str(), bands)
            })
            .collect();
        Report {
            levels,
            counts,
            unpartnered,
        }
    }
}

/// The columns of `match --format csv`, which `decide --from` reads back.
pub const CSV_COLUMNS: [&str; 13] = [
    "level",
    "eptura_id",
    "eptura_name",
    "condeco_id",
    "condeco_name",
    "band",
    "score",
    "runner_up_id",
    "runner_up_name",
    "runner_up_score",
    "differs",
    "flags",
    "decision",
];

fn write_csv(out: &mut impl Write, outcome: &Outcome) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(CSV_COLUMNS)?;
    for item in &outcome.items {
        let runner = item.runner_up.as_ref();
        let flags: Vec<&str> = item.flags.iter().map(|f| f.describe()).collect();
        csv.write_record([
            item.level.as_str().to_string(),
            item.eptura_id.to_string(),
            item.eptura_name.clone(),
            item.condeco_id.map(|k| k.to_string()).unwrap_or_default(),
            item.condeco_name.clone().unwrap_or_default(),
            item.band.as_str().to_string(),
            format!("{:.3}", item.score),
            runner.map(|r| r.condeco_id.to_string()).unwrap_or_default(),
            runner.map(|r| r.condeco_name.clone()).unwrap_or_default(),
            runner
                .map(|r| format!("{:.3}", r.score))
                .unwrap_or_default(),
            differences(item).join("; "),
            flags.join("; "),
            item.decision
                .map(|d| d.word().to_string())
                .unwrap_or_default(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// The fields that did not agree, as "field: Eptura ≠ Condeco (similarity)".
fn differences(item: &Item) -> Vec<String> {
    item.reasons
        .iter()
        .filter(|r| r.verdict != Verdict::Agreed)
        .map(|r| {
            let field = field_name(r.field);
            let values = format!(
                "{} ≠ {}",
                r.eptura.as_deref().unwrap_or("—"),
                r.condeco.as_deref().unwrap_or("—")
            );
            match &r.note {
                Some(note) => format!("{field}: {values} ({:.2}, {note})", r.similarity),
                None => format!("{field}: {values} ({:.2})", r.similarity),
            }
        })
        .collect()
}

/// A field as JSON names it ("postal_code").
fn field_name(field: Field) -> &'static str {
    field.as_str()
}

fn write_text(out: &mut impl Write, outcome: &Outcome, counts: &Counts) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<10} {:>7} {:>7} {:>7} {:>14}",
        "level", "auto", "review", "new", "not evaluated"
    )?;
    for level in Level::ALL {
        let n = |band| {
            counts
                .get(&level)
                .and_then(|c| c.get(&band))
                .copied()
                .unwrap_or(0)
        };
        writeln!(
            out,
            "{:<10} {:>7} {:>7} {:>7} {:>14}",
            level.as_str(),
            n(Band::Auto),
            n(Band::Review),
            n(Band::New),
            n(Band::NotEvaluated)
        )?;
    }
    let queue: Vec<&Item> = outcome
        .items
        .iter()
        .filter(|i| i.band == Band::Review)
        .collect();
    if !queue.is_empty() {
        writeln!(out, "\nreview ({}):", queue.len())?;
    }
    for item in queue {
        write_review_item(out, item)?;
    }
    if !outcome.unpartnered.is_empty() {
        writeln!(
            out,
            "\nCondeco entities without an Eptura partner, left untouched ({}):",
            outcome.unpartnered.len()
        )?;
        for entity in &outcome.unpartnered {
            let carries = entity
                .external_id
                .as_deref()
                .map(|id| format!(" [externalId {id}]"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} {:?}{carries}",
                entity.level, entity.condeco_id, entity.condeco_name
            )?;
        }
    }
    Ok(())
}

fn write_review_item(out: &mut impl Write, item: &Item) -> std::io::Result<()> {
    let proposal = match (&item.condeco_id, &item.condeco_name) {
        (Some(id), Some(name)) => format!("Condeco {id} {name:?}, score {:.2}", item.score),
        (Some(id), None) => format!("Condeco {id} (gone)"),
        _ => "no candidate".to_string(),
    };
    writeln!(
        out,
        "  {} {} {:?} → {proposal}",
        item.level, item.eptura_id, item.eptura_name
    )?;
    let agreed: Vec<String> = item
        .reasons
        .iter()
        .filter(|r| r.verdict == Verdict::Agreed)
        .map(|r| match (&r.eptura, &r.condeco) {
            (Some(e), Some(c)) if e != c => format!("{} ({e} = {c})", field_name(r.field)),
            _ => field_name(r.field).to_string(),
        })
        .collect();
    if !agreed.is_empty() {
        writeln!(out, "      agrees: {}", agreed.join(", "))?;
    }
    for difference in differences(item) {
        writeln!(out, "      differs: {difference}")?;
    }
    if let Some(runner) = &item.runner_up {
        writeln!(
            out,
            "      runner-up: Condeco {} {:?}, score {:.2}",
            runner.condeco_id, runner.condeco_name, runner.score
        )?;
    }
    for flag in &item.flags {
        writeln!(out, "      ⚠ {}", flag.describe())?;
    }
    if let Some(decision) = item.decision {
        writeln!(out, "      decided: {decision}")?;
    }
    let entity = format!("{}:{}", item.level, item.eptura_id);
    writeln!(
        out,
        "      decide: spacebridge decide accept|reject|new {entity}, or link {entity} CONDECO_ID"
    )
}
