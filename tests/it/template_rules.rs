//! The template's rules, one behaviour per test, on small in-memory CSV templates (the format
//! changes nothing after reading; the fixture tests cover every format).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use spacebridge::domain::{CountryCode, Usage};
use spacebridge::template::{self, Code, LoadError, LoadOptions, Loaded};

const HEADER: &str =
    "Building Name,Building Code,State Code,City,Zip,Floor,Room,Space Type,Capacity";

fn load_csv(rows: &[&str], options: &LoadOptions) -> Result<Loaded, LoadError> {
    let text = std::iter::once(HEADER)
        .chain(rows.iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    template::load_bytes("test.csv".as_ref(), text.into_bytes(), options)
}

fn load(rows: &[&str]) -> Loaded {
    load_csv(rows, &LoadOptions::default()).expect("the CSV loads")
}

fn codes(loaded: &Loaded) -> Vec<(&'static str, String)> {
    loaded
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.cell.clone()))
        .collect()
}

#[test]
fn a_clean_template_has_no_findings_and_the_right_shape() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,1",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-002,Conference Room,8",
        "Houston HQ,HOU1,TX,Houston,77002,2,2-001,Workstation,",
        "Toronto King,TOR1,ON,Toronto,M5H 1J9,Ground,G-01,Workstation,1",
    ]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", codes(&loaded));
    let c = loaded.counts;
    assert_eq!(
        (c.buildings, c.floors, c.spaces, c.space_types),
        (2, 3, 4, 2)
    );
    let hou = &loaded.portfolio.buildings[0];
    assert_eq!(hou.country, Some(CountryCode::US));
    assert_eq!(loaded.portfolio.buildings[1].country, Some(CountryCode::CA));
    // Capacity defaults to 1; the type seating 8 is a group space.
    assert_eq!(hou.floors[1].spaces[0].capacity, 1);
    let conference = loaded.portfolio.space_type("Conference Room").unwrap();
    assert_eq!(conference.usage, Usage::We);
}

#[test]
fn rows_of_one_building_must_agree_and_every_row_is_named() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,1",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-002,Workstation,1",
        "Houston HQ,HOU1,TX,Huston,77002,1,1-003,Workstation,1",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-004,Workstation,1",
    ]);
    let conflict = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::ConflictingBuilding)
        .expect("a conflict");
    assert_eq!(conflict.cell, "D4");
    assert_eq!(conflict.value, "Huston");
    assert!(conflict.message.contains("row 4"), "{}", conflict.message);
    assert!(
        conflict.message.contains("rows 2–3, 5"),
        "{}",
        conflict.message
    );
    assert_eq!(conflict.suggestion.as_deref(), Some("Houston"));
}

#[test]
fn case_and_spacing_differences_are_not_conflicts() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,1",
        "houston  hq,hou1,tx,HOUSTON,77002,1,1-002,Workstation,1",
    ]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", codes(&loaded));
    assert_eq!(loaded.counts.buildings, 1);
}

#[test]
fn one_name_with_two_codes_is_a_conflict() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,1",
        "Houston HQ,HOU2,TX,Houston,77002,1,1-002,Workstation,1",
    ]);
    assert!(codes(&loaded).contains(&("conflicting-building", "B3".to_string())));
}

#[test]
fn a_repeated_space_names_both_rows() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,1",
        "Houston HQ,HOU1,TX,Houston,77002,2,1-001,Workstation,1",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001 ,Workstation,1",
    ]);
    let duplicate = &loaded.diagnostics[0];
    assert_eq!(
        (duplicate.code, duplicate.cell.as_str()),
        (Code::DuplicateSpace, "G4")
    );
    assert!(duplicate.message.contains("row 2") && duplicate.message.contains("row 4"));
    // The same room on another floor is another space.
    assert_eq!(loaded.counts.spaces, 2);
}

#[test]
fn state_codes_give_the_country_or_a_suggestion() {
    let loaded = load(&["Houston HQ,HOU1,Texas,Houston,77002,1,1-001,Workstation,1"]);
    let bad = &loaded.diagnostics[0];
    assert_eq!((bad.code, bad.cell.as_str()), (Code::BadState, "C2"));
    assert_eq!(bad.suggestion.as_deref(), Some("TX (Texas)"));
    assert!(bad.message.contains("--country"));

    let london = "London Bridge,LON1,LND,London,SE1 9SG,1,1-001,Workstation,1";
    assert!(load(&[london]).has_errors());
    let options = LoadOptions {
        country: CountryCode::parse("GB"),
        ..LoadOptions::default()
    };
    let loaded = load_csv(&[london], &options).unwrap();
    assert!(!loaded.has_errors(), "{:?}", codes(&loaded));
    assert_eq!(
        loaded.portfolio.buildings[0].country,
        CountryCode::parse("GB")
    );
}

#[test]
fn cells_are_checked_against_their_column_type() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,2.5",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-002,Workstation,-3",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-003,Workstation,lots",
        "Houston HQ,HOU1,TX,Houston,77002,1,,Workstation,1",
        ",,TX,Houston,77002,1,1-005,Workstation,1",
    ]);
    let found = codes(&loaded);
    for expected in [
        ("bad-capacity", "I2"),
        ("bad-capacity", "I3"),
        ("bad-capacity", "I4"),
        ("missing-value", "G5"),
        ("missing-building-id", "A6"),
    ] {
        assert!(
            found.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} in {found:?}"
        );
    }
    let capacity = loaded.diagnostics.iter().find(|d| d.cell == "I2").unwrap();
    assert_eq!(capacity.value, "2.5");
    assert_eq!(capacity.suggestion.as_deref(), Some("3"));
    // Bad rows are reported, and the good rows are still there.
    assert_eq!(loaded.counts.spaces, 3);
}

#[test]
fn names_condeco_rejects_are_warnings_with_the_sanitised_name() {
    let loaded = load(&["Houston HQ,HOU1,TX,Houston,77002,1,\"Desk, Window\",Workstation,1"]);
    let d = &loaded.diagnostics[0];
    assert_eq!((d.code, d.cell.as_str()), (Code::NameSanitised, "G2"));
    assert_eq!(d.suggestion.as_deref(), Some("Desk Window"));
    assert!(!loaded.has_errors());
}

#[test]
fn a_rare_near_miss_of_a_common_space_type_is_flagged() {
    let mut rows: Vec<String> = (0..6)
        .map(|i| format!("HQ,HQ1,TX,Houston,77002,1,R{i},Conference Room,8"))
        .collect();
    rows.push("HQ,HQ1,TX,Houston,77002,1,R9,Confernce Room,8".into());
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let loaded = load(&rows);
    let d = &loaded.diagnostics[0];
    assert_eq!((d.code, d.cell.as_str()), (Code::SimilarSpaceType, "H8"));
    assert_eq!(d.suggestion.as_deref(), Some("Conference Room"));
    assert_eq!(d.building.as_deref(), Some("HQ (HQ1)"));
}

#[test]
fn missing_required_columns_are_reported_once() {
    let text = "Building Name,State Code,Floor,Room\nHQ,TX,1,101\nHQ,TX,1,102\n";
    let loaded =
        template::load_bytes("t.csv".as_ref(), text.into(), &LoadOptions::default()).unwrap();
    let missing: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::MissingColumn)
        .map(|d| d.column.as_str())
        .collect();
    assert_eq!(missing, vec!["Space Type"]);
    assert_eq!(loaded.diagnostics.len(), 1);
}

#[test]
fn extra_duplicate_and_unnamed_columns() {
    let text = "Building Name,State Code,Floor,Room,Space Type,Cost Center,Room,\n\
                HQ,TX,1,101,Office,CC-7,999,stray\n";
    let loaded =
        template::load_bytes("t.csv".as_ref(), text.into(), &LoadOptions::default()).unwrap();
    let found = codes(&loaded);
    assert!(found.contains(&("extra-column", "F1".into())), "{found:?}");
    assert!(
        found.contains(&("duplicate-column", "G1".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("unnamed-column", "H2".into())),
        "{found:?}"
    );
    let space = &loaded.portfolio.buildings[0].floors[0].spaces[0];
    assert_eq!(space.name, "101");
    assert_eq!(
        space.extra,
        vec![("Cost Center".to_string(), "CC-7".to_string())]
    );
}

#[test]
fn captions_above_the_headers_are_kept_for_display() {
    let text = "Space Data Template\n\
                Building,Site code,State,Floor,Room,Type\n\
                Building Name,Building Code,State Code,Floor,Room,Space Type\n\
                HQ,HQ1,TX,1,101,Office\n";
    let loaded =
        template::load_bytes("t.csv".as_ref(), text.into(), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.header_row, 3);
    assert_eq!(loaded.columns[1].caption.as_deref(), Some("Site code"));
    assert_eq!(loaded.columns[0].caption.as_deref(), Some("Building"));
    assert!(codes(&loaded).contains(&("header-row-moved", "A3".into())));
}

#[test]
fn a_cancelled_load_says_so() {
    let cancel = Arc::new(AtomicBool::new(true));
    let options = LoadOptions {
        cancel: Some(cancel),
        ..LoadOptions::default()
    };
    let result = template::load("assets/sample-template.xlsx".as_ref(), &options);
    assert!(
        matches!(result, Err(LoadError::Cancelled { .. })),
        "{result:?}"
    );
}

#[test]
fn broken_buildings_can_be_left_out_of_an_upload() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,2.5",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-002,Conference Room,8",
        "Toronto King,TOR1,ON,Toronto,M5H 1J9,1,1-001,Workstation,1",
    ]);
    assert!(loaded.has_errors());
    assert_eq!(loaded.unattributed_errors().count(), 0);
    let (portfolio, left_out) = loaded.without_broken_buildings();
    assert_eq!(left_out, vec!["Houston HQ (HOU1)".to_string()]);
    assert_eq!(loaded.broken_buildings(), left_out);
    assert_eq!(portfolio.buildings.len(), 1);
    assert_eq!(portfolio.buildings[0].code.as_deref(), Some("TOR1"));
    // Only the types the kept buildings use.
    let types: Vec<&str> = portfolio
        .space_types
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(types, vec!["Workstation"]);

    let orphan = load(&[",,TX,Houston,77002,1,1-001,Workstation,1"]);
    assert_eq!(orphan.unattributed_errors().count(), 1);
}

#[test]
fn findings_are_counted_by_code_and_by_building() {
    let loaded = load(&[
        "Houston HQ,HOU1,TX,Houston,77002,1,1-001,Workstation,2.5",
        "Houston HQ,HOU1,TX,Houston,77002,1,1-002,Workstation,x",
        "Toronto King,TOR1,ON,Toronto,M5H 1J9,1,\"Desk, 1\",Workstation,1",
    ]);
    let tally = loaded.tally();
    assert_eq!((tally.errors, tally.warnings), (2, 1));
    assert_eq!(tally.by_code.get("bad-capacity"), Some(&2));
    assert_eq!(tally.by_building.get("Houston HQ (HOU1)"), Some(&2));
    assert_eq!(tally.by_building.get("Toronto King (TOR1)"), Some(&1));
}
