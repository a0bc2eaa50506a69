//! The merge matcher's benchmark of issue 10: 50,000 Eptura spaces against 50,000 Condeco
//! resources in 500 locations (10 floors of 10 rooms each), the Condeco side a drifted copy
//! (leading zeros dropped, prefixes, abbreviations, case, a typo, one room in twenty only on
//! one side). Only `match_entities` is timed, not the making of the input.
//!
//! Printed: the size, the wall and CPU time of each run and their medians, the bands, and the
//! peak memory of the process (VmHWM, the input included).
//!
//! `cargo run --release --example match_bench [LOCATIONS] [RUNS]` (default 500, 3).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use spacebridge::domain::CountryCode;
use spacebridge::domain::ids::{
    CondecoCountryId, CondecoFloorKey, CondecoLocationId, CondecoRegionId, CondecoResourceId,
    EpturaBuildingId, EpturaCountryId, EpturaFloorId, EpturaSpaceId,
};
use spacebridge::domain::{CondecoKey, ExternalId};
use spacebridge::matcher::{
    Band, CondecoEntity, EpturaEntity, Facts, Input, MatchConfig, SpaceKind, match_entities,
};

#[path = "support/mem.rs"]
mod mem;

use mem::peak_rss_kib;

const FLOORS: i64 = 10;
const ROOMS: i64 = 10;
const REGIONS: i64 = 10;

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let locations: i64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(500);
    let runs: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(3);
    let input = estate(locations);
    let spaces = input
        .eptura
        .iter()
        .filter(|e| e.key.space_id().is_some())
        .count();
    let resources = input
        .condeco
        .iter()
        .filter(|c| matches!(c.key, CondecoKey::Resource(_)))
        .count();
    println!(
        "{spaces} Eptura spaces against {resources} Condeco resources in {locations} locations \
         ({} Eptura and {} Condeco entities in all)",
        input.eptura.len(),
        input.condeco.len()
    );
    let mut times = Vec::new();
    let mut outcome = None;
    let mut cpu_times = Vec::new();
    for run in 1..=runs {
        let cpu_before = cpu_seconds()?;
        let started = Instant::now();
        let result = match_entities(&input, &MatchConfig::default());
        let took = started.elapsed();
        let cpu = cpu_seconds()? - cpu_before;
        println!(
            "run {run}: {:.3} s wall, {cpu:.2} s CPU",
            took.as_secs_f64()
        );
        times.push(took);
        cpu_times.push(cpu);
        outcome = Some(result);
    }
    times.sort();
    cpu_times.sort_by(f64::total_cmp);
    let median = times
        .get(times.len() / 2)
        .copied()
        .unwrap_or(Duration::ZERO);
    let cpu = cpu_times.get(cpu_times.len() / 2).copied().unwrap_or(0.0);
    println!(
        "median of {runs}: {:.3} s wall, {cpu:.2} s CPU",
        median.as_secs_f64()
    );
    if let Some(outcome) = outcome {
        let count = |band| outcome.items.iter().filter(|i| i.band == band).count();
        println!(
            "bands: {} auto, {} review, {} new; {} Condeco entities without a partner",
            count(Band::Auto),
            count(Band::Review),
            count(Band::New),
            outcome.unpartnered.len()
        );
        let mut flags: BTreeMap<String, usize> = BTreeMap::new();
        for item in outcome.items.iter().filter(|i| i.band == Band::Review) {
            for flag in &item.flags {
                *flags.entry(flag.describe().to_string()).or_default() += 1;
            }
        }
        println!("review, by flag: {flags:?}");
    }
    println!("peak memory: {:.1} MB", peak_rss_kib()? as f64 / 1024.0);
    Ok(())
}

/// CPU time of this process so far (user + system), from `/proc/self/stat`, in seconds (the
/// fairer figure on a machine other work shares; 10 ms steps).
fn cpu_seconds() -> Result<f64, Failure> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').ok_or("bad /proc/self/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11).ok_or("no utime")?.parse::<f64>()?
        + fields.get(12).ok_or("no stime")?.parse::<f64>()?;
    Ok(ticks / 100.0)
}

/// `locations` buildings on both sides, the Condeco side drifted.
fn estate(locations: i64) -> Input {
    let mut input = Input::default();
    let country = ExternalId::country(EpturaCountryId::new(1));
    let c_country = CondecoKey::Country(CondecoCountryId::new(1));
    input.eptura.push(EpturaEntity {
        key: country.clone(),
        ancestors: vec![],
        facts: facts("United States", Some("US")),
    });
    input
        .condeco
        .push(condeco(c_country, vec![], facts("USA", Some("USA"))));
    for r in 0..REGIONS {
        let city = format!("City {r}");
        let region = ExternalId::region(CountryCode::US, &city);
        let c_region = CondecoKey::Region(CondecoRegionId::new(r + 10));
        input.eptura.push(EpturaEntity {
            key: region.clone(),
            ancestors: vec![country.clone()],
            facts: facts(&city, None),
        });
        input
            .condeco
            .push(condeco(c_region, vec![c_country], facts(&city, None)));
        for b in (0..locations).filter(|b| b % REGIONS == r) {
            let up = (
                vec![region.clone(), country.clone()],
                vec![c_region, c_country],
            );
            building(&mut input, b, up);
        }
    }
    input
}

fn building(input: &mut Input, b: i64, (up, c_up): (Vec<ExternalId>, Vec<CondecoKey>)) {
    let location = ExternalId::location(EpturaBuildingId::new(1_000 + b));
    let c_location = CondecoKey::Location(CondecoLocationId::new(1_000 + b));
    let name = format!("Building {b:03} Main Street Center");
    let street = format!("{} Main St", 100 + b);
    input.eptura.push(EpturaEntity {
        key: location.clone(),
        ancestors: up.clone(),
        facts: Facts {
            street: Some(street.clone()),
            code: Some(format!("B{b:03}")),
            ..facts(&name, None)
        },
    });
    let drifted = if b % 3 == 0 {
        name.replace("Center", "Ctr")
    } else {
        name
    };
    input.condeco.push(condeco(
        c_location,
        c_up.clone(),
        Facts {
            street: Some(street.replace(" St", " Street")),
            ..facts(&drifted, None)
        },
    ));
    for f in 1..=FLOORS {
        let floor = ExternalId::floor(EpturaFloorId::new(b * 100 + f));
        let c_floor = CondecoKey::Floor(CondecoFloorKey {
            location: CondecoLocationId::new(1_000 + b),
            number: f as i32,
        });
        let mut ancestors = vec![location.clone()];
        ancestors.extend(up.iter().cloned());
        let mut c_ancestors = vec![c_location];
        c_ancestors.extend(c_up.iter().copied());
        input.eptura.push(EpturaEntity {
            key: floor.clone(),
            ancestors: ancestors.clone(),
            facts: Facts {
                floor_number: Some(f as i32),
                ..facts(&format!("Level {f}"), None)
            },
        });
        input.condeco.push(condeco(
            c_floor,
            c_ancestors.clone(),
            Facts {
                floor_number: Some(f as i32),
                ..facts(&format!("{f}th Floor"), None)
            },
        ));
        ancestors.insert(0, floor);
        c_ancestors.insert(0, c_floor);
        for s in 1..=ROOMS {
            room(input, (b, f, s), &ancestors, &c_ancestors);
        }
    }
}

fn room(input: &mut Input, (b, f, s): (i64, i64, i64), up: &[ExternalId], c_up: &[CondecoKey]) {
    let id = (b * 100 + f) * 100 + s;
    let meeting = s % 5 == 0;
    let name = if meeting {
        format!("Conference Room {f}{}", char::from(b'A' + (s / 5) as u8))
    } else {
        format!("B{b:03}-{f:02}-{s:03}")
    };
    let drifted = match (b * 31 + f * 7 + s) % 20 {
        0 => None,
        1 | 2 if !meeting => Some(format!("B{b}-{f}-{s}")),
        3 => Some(name.replace("Conference Room", "Conf Rm")),
        4 => Some(name.to_uppercase()),
        5 => Some(format!("Desk {name}")),
        6 => Some(name.replace("Room", "Roon")),
        _ => Some(name.clone()),
    };
    let kind = if meeting {
        SpaceKind::Meeting
    } else {
        SpaceKind::Personal
    };
    let capacity = if meeting { 8 } else { 1 };
    input.eptura.push(EpturaEntity {
        key: ExternalId::resource(EpturaSpaceId::new(id)),
        ancestors: up.to_vec(),
        facts: Facts {
            kind: Some(kind),
            capacity: Some(capacity),
            ..facts(&name, None)
        },
    });
    let c_name = drifted.unwrap_or_else(|| format!("Retired {id}"));
    input.condeco.push(condeco(
        CondecoKey::Resource(CondecoResourceId::new(id)),
        c_up.to_vec(),
        Facts {
            kind: Some(kind),
            capacity: Some(capacity),
            ..facts(&c_name, None)
        },
    ));
}

fn facts(name: &str, code: Option<&str>) -> Facts {
    Facts {
        name: name.to_string(),
        code: code.map(str::to_string),
        ..Facts::default()
    }
}

fn condeco(key: CondecoKey, ancestors: Vec<CondecoKey>, facts: Facts) -> CondecoEntity {
    CondecoEntity {
        key,
        ancestors,
        external_id: None,
        facts,
    }
}
