//! `spacebridge decide`: the operator's merge decisions, kept in the mapping store and honoured
//! by every later `match`, `plan` and `sync`.
//!
//! - `decide accept|reject ENTITY [CONDECO]`: the proposed Condeco entity is (is not) the same
//!   thing; without CONDECO, the one `match` proposes now (both services are read).
//! - `decide accept --under ENTITY`: every review proposal under an Eptura entity at once (a
//!   whole building), competing claims left out.
//! - `decide link ENTITY CONDECO`, `decide new ENTITY`, `decide undo ENTITY`, `decide list`.
//! - `decide --from FILE.csv`: the `match --format csv` output with its `decision` column
//!   filled in (accept, reject, link with the Condeco id in `condeco_id`, new, undo; blank rows
//!   are left alone): every row is checked first and nothing is recorded if one is wrong.
//!
//! ENTITY is LEVEL:ID as `match` prints it ("resource:4711", "region:US:Houston"); CONDECO is the
//! Condeco id ("88", a floor "12:3"). Exit 0 recorded, 1 bad input, 2 cannot read the store or
//! the services.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::connection::ConnectionArgs;
use super::matching::{CSV_COLUMNS, MatchArgs, preview};
use super::{EXIT_ERRORS, EXIT_UNREADABLE};
use crate::domain::{CondecoKey, Decision, DecisionChange, ExternalId};
use crate::matcher::{Band, Level};
use crate::store::Store;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(value_enum, required_unless_present = "from")]
    pub action: Option<Action>,
    /// The Eptura entity, as LEVEL:ID ("resource:4711", "location:12", "region:US:Houston").
    #[arg(value_name = "ENTITY")]
    pub entity: Option<String>,
    /// The Condeco entity: needed for link; for accept and reject, the current proposal when
    /// left out.
    #[arg(value_name = "CONDECO")]
    pub condeco: Option<String>,
    /// With accept: every review proposal under this Eptura entity (LEVEL:ID).
    #[arg(long, value_name = "ENTITY", conflicts_with = "entity")]
    pub under: Option<String>,
    /// Decisions from `match --format csv` with the decision column filled in.
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = ["action", "entity", "condeco", "under"])]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub matching: MatchArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Action {
    Accept,
    Reject,
    Link,
    New,
    Undo,
    List,
}

/// One change to the store.
type Change = DecisionChange;

/// Bad input: said, exit 1.
struct Refused(String);

pub fn run(args: &Args) -> Result<ExitCode> {
    let store_path = match args.connection.store_path() {
        Ok(path) => path,
        Err(message) => {
            eprintln!("spacebridge: {message}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let changes = match changes(args)? {
        Ok(Some(changes)) => changes,
        Ok(None) => return Ok(ExitCode::from(EXIT_UNREADABLE)),
        Err(Refused(message)) => {
            eprintln!("spacebridge: {message}");
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
    };
    let mut store = match Store::open(&store_path) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("spacebridge: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    if args.action == Some(Action::List) {
        for stored in store.decisions()? {
            let level = stored.eptura.kind();
            println!(
                "{level}:{} {} ({})",
                stored.eptura, stored.decision, stored.decided_at
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    for change in changes {
        let changed = store.change_decision(&change)?;
        let entity = change.entity();
        match (&change, changed) {
            (Change::Set(_, decision), _) => println!("{}:{entity}: {decision}", entity.kind()),
            (Change::Undo(_), true) => println!("{}:{entity}: undone", entity.kind()),
            (Change::Undo(_), false) => println!("{}:{entity}: had no decision", entity.kind()),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What to record; `Ok(None)` when the services could not be read (already said).
fn changes(args: &Args) -> Result<std::result::Result<Option<Vec<Change>>, Refused>> {
    if let Some(file) = &args.from {
        return Ok(from_csv(file).map(Some));
    }
    let Some(action) = args.action else {
        return Ok(Err(Refused(
            "say what to decide, or give --from FILE.csv".into(),
        )));
    };
    if action == Action::List {
        return Ok(Ok(Some(Vec::new())));
    }
    if let Some(under) = &args.under {
        if action != Action::Accept {
            return Ok(Err(Refused("--under goes with accept only".into())));
        }
        return accept_under(args, under);
    }
    let entity = match args.entity.as_deref().map(parse_entity) {
        Some(Ok(entity)) => entity,
        Some(Err(refused)) => return Ok(Err(refused)),
        None => return Ok(Err(Refused("name the Eptura entity, as LEVEL:ID".into()))),
    };
    let condeco = match args.condeco.as_deref().map(|c| parse_condeco(&entity, c)) {
        Some(Ok(key)) => Some(key),
        Some(Err(refused)) => return Ok(Err(refused)),
        None => None,
    };
    let change = match (action, condeco) {
        (Action::Undo, _) => Change::Undo(entity),
        (Action::New, _) => Change::Set(entity, Decision::New),
        (Action::Link, Some(key)) => Change::Set(entity, Decision::LinkTo(key)),
        (Action::Link, None) => {
            return Ok(Err(Refused(
                "link needs the Condeco entity: decide link ENTITY CONDECO".into(),
            )));
        }
        (Action::Accept | Action::Reject, Some(key)) => Change::Set(entity, verdict(action, key)),
        (Action::Accept | Action::Reject, None) => {
            let Some(outcome) = preview(&args.connection, &args.matching)? else {
                return Ok(Ok(None));
            };
            match outcome.item(&entity).and_then(|i| i.condeco_id) {
                Some(key) => Change::Set(entity, verdict(action, key)),
                None => {
                    return Ok(Err(Refused(format!(
                        "{}:{entity} has no proposed Condeco entity: give one (decide {} \
                         ENTITY CONDECO), or decide new",
                        entity.kind(),
                        if action == Action::Accept {
                            "link"
                        } else {
                            "reject"
                        }
                    ))));
                }
            }
        }
        (Action::List, _) => return Ok(Ok(Some(Vec::new()))),
    };
    Ok(Ok(Some(vec![change])))
}

fn verdict(action: Action, key: CondecoKey) -> Decision {
    if action == Action::Reject {
        Decision::Reject(key)
    } else {
        Decision::Accept(key)
    }
}

/// Accept every review proposal under an Eptura entity (itself included), but no competing
/// claim (two entities proposing one Condeco entity need a person each).
fn accept_under(
    args: &Args,
    under: &str,
) -> Result<std::result::Result<Option<Vec<Change>>, Refused>> {
    let root = match parse_entity(under) {
        Ok(root) => root,
        Err(refused) => return Ok(Err(refused)),
    };
    let Some(outcome) = preview(&args.connection, &args.matching)? else {
        return Ok(Ok(None));
    };
    let changes: Vec<Change> = outcome.accept_under(&root, Band::Review);
    if changes.is_empty() {
        eprintln!("spacebridge: nothing in review under {under}");
    }
    Ok(Ok(Some(changes)))
}

/// "resource:4711" → the Eptura entity.
fn parse_entity(text: &str) -> std::result::Result<ExternalId, Refused> {
    let bad = |why: String| Refused(format!("{text:?} is not an Eptura entity: {why}"));
    let (level, id) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| bad("write it as LEVEL:ID, e.g. resource:4711".into()))?;
    let level = Level::ALL
        .into_iter()
        .find(|l| l.as_str() == level)
        .ok_or_else(|| bad("the level is country, region, location, floor or resource".into()))?;
    ExternalId::parse(level.kind(), id).map_err(|e| bad(e.to_string()))
}

fn parse_condeco(entity: &ExternalId, text: &str) -> std::result::Result<CondecoKey, Refused> {
    CondecoKey::parse(entity.kind(), text.trim()).map_err(|e| {
        Refused(format!(
            "{text:?} is not a Condeco {} for {}:{entity}: {e}",
            entity.kind(),
            entity.kind()
        ))
    })
}

/// Every decision of a `match --format csv` file; all its problems at once, by line.
fn from_csv(path: &Path) -> std::result::Result<Vec<Change>, Refused> {
    let cannot =
        |e: &dyn std::fmt::Display| Refused(format!("cannot read {}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| cannot(&e))?;
    let headers = reader.headers().map_err(|e| cannot(&e))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(level), Some(entity), Some(condeco), Some(decision)) = (
        column(CSV_COLUMNS[0]),
        column(CSV_COLUMNS[1]),
        column(CSV_COLUMNS[3]),
        column("decision"),
    ) else {
        return Err(Refused(format!(
            "{} lacks one of the columns level, eptura_id, condeco_id, decision: give the \
             output of `spacebridge match --format csv` with the decision column filled in",
            path.display()
        )));
    };
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let word = cell(decision).to_ascii_lowercase();
        if word.is_empty() {
            continue;
        }
        let row = parse_entity(&format!("{}:{}", cell(level), cell(entity))).and_then(|e| {
            let key = || parse_condeco(&e, cell(condeco));
            let change = match word.as_str() {
                "accept" => Change::Set(e.clone(), Decision::Accept(key()?)),
                "reject" => Change::Set(e.clone(), Decision::Reject(key()?)),
                "link" | "link-to" => Change::Set(e.clone(), Decision::LinkTo(key()?)),
                "new" => Change::Set(e.clone(), Decision::New),
                "undo" => Change::Undo(e.clone()),
                _ => {
                    return Err(Refused(format!(
                        "decision {word:?}: write accept, reject, link, new or undo, or leave \
                         it blank"
                    )));
                }
            };
            Ok(change)
        });
        match row {
            Ok(change) => changes.push(change),
            Err(Refused(why)) => problems.push(format!("line {line}: {why}")),
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(Refused(format!(
            "{} has {} bad rows, nothing recorded:\n  {}",
            path.display(),
            problems.len(),
            problems.join("\n  ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_level_and_id() {
        assert!(parse_entity("resource:4711").is_ok());
        assert!(parse_entity("region:US:Houston").is_ok());
        for bad in ["4711", "room:4711", "resource:abc", "region:Houston"] {
            let Err(Refused(why)) = parse_entity(bad) else {
                panic!("{bad} accepted");
            };
            assert!(why.contains(bad), "{why}");
        }
    }

    #[test]
    fn a_csv_is_read_whole_and_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.csv");
        let header = CSV_COLUMNS.join(",");
        let good = format!(
            "{header}\nresource,1,A,9,A,review,0.7,,,,,,accept\n\
             floor,2,L3,5:3,Level 3,review,0.6,,,,,,link\n\
             location,3,HQ,,,new,0,,,,,,\nresource,4,B,,,new,0,,,,,,new\n"
        );
        std::fs::write(&path, good).unwrap();
        let Ok(changes) = from_csv(&path) else {
            panic!("refused");
        };
        assert_eq!(changes.len(), 3, "blank decisions are left alone");
        let bad = format!(
            "{header}\nresource,1,A,,A,review,0.7,,,,,,accept\nresource,x,A,9,,,,,,,,,maybe\n"
        );
        std::fs::write(&path, bad).unwrap();
        let Err(Refused(why)) = from_csv(&path) else {
            panic!("accepted");
        };
        assert!(why.contains("line 2") && why.contains("line 3"), "{why}");
    }
}
