//! Black-box tests of `spacebridge parse` (the CLI contract in spec/cli.md) over the files in
//! `tests/fixtures/` and `assets/`. What each fixture holds and must give is listed in
//! `tests/fixtures/README.md`; the numbers asserted here are the ones the fixtures were made with.
//!
//! Exit codes: 0 valid, 1 has errors, 2 cannot read. No run may panic.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::cli::{args, command};
use crate::support::path_of;

/// (buildings, floors, spaces, space_types)
type Counts = (u64, u64, u64, u64);

/// The small template: HOU1 (floors 1, 2), BOS1 (Ground, Level 3), TOR1 (2, B1); 30 spaces;
/// Workstation, Office, Conference Room, Phone Booth, Parking.
const SMALL: Counts = (3, 6, 30, 5);
const NON_ASCII: Counts = (2, 4, 10, 4);
const CANADA_ONLY: Counts = (4, 7, 20, 5);
const SAMPLE: Counts = (7, 21, 422, 11);

const DIAGNOSTICS: &str = "tests/fixtures/diagnostics.xlsx";

// ---------------------------------------------------------------------------------- helpers

struct Run {
    file: String,
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: stdout is not JSON ({e})\nstdout: {}\nstderr: {}",
                self.file,
                head(&self.stdout),
                head(&self.stderr)
            )
        })
    }
}

fn head(s: &str) -> String {
    s.chars().take(2000).collect()
}

/// Runs `spacebridge parse FILE EXTRA...` and checks what must hold for every run.
fn parse_with(rel: &str, extra: &[&str]) -> Run {
    let mut arguments = args(&["parse", &path_of(rel).display().to_string()]);
    arguments.extend(args(extra));
    let out = command(&arguments, &[]).output().expect("run spacebridge");
    let run = Run {
        file: rel.to_string(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "{rel}: spacebridge panicked:\n{}",
        head(&run.stderr)
    );
    assert!(
        [0, 1, 2].contains(&run.code),
        "{rel}: exit code {} is not 0, 1 or 2 (killed by a signal gives -1)\nstderr: {}",
        run.code,
        head(&run.stderr)
    );
    run
}

fn parse_json(rel: &str) -> Run {
    parse_with(rel, &["--format", "json"])
}

fn diagnostics(v: &Value) -> &[Value] {
    v["diagnostics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no diagnostics array in {v}"))
}

fn str_of<'a>(d: &'a Value, key: &str) -> &'a str {
    d[key].as_str().unwrap_or("")
}

/// The value field as text, whether the parser wrote it as a string or a number.
fn value_text(d: &Value) -> String {
    match &d["value"] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn find<'a>(v: &'a Value, code: &str, cell: &str) -> Option<&'a Value> {
    diagnostics(v)
        .iter()
        .find(|d| str_of(d, "code") == code && str_of(d, "cell") == cell)
}

fn has_code(v: &Value, severity: &str, code: &str) -> bool {
    diagnostics(v)
        .iter()
        .any(|d| str_of(d, "code") == code && str_of(d, "severity") == severity)
}

fn count_severity(v: &Value, severity: &str) -> usize {
    diagnostics(v)
        .iter()
        .filter(|d| str_of(d, "severity") == severity)
        .count()
}

fn summary(v: &Value) -> String {
    diagnostics(v)
        .iter()
        .map(|d| {
            format!(
                "{} {} {} {:?}",
                str_of(d, "severity"),
                str_of(d, "code"),
                str_of(d, "cell"),
                value_text(d)
            )
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn counts(v: &Value) -> Counts {
    let c = &v["counts"];
    let n = |k: &str| {
        c[k].as_u64()
            .unwrap_or_else(|| panic!("counts.{k} missing in {c}"))
    };
    (n("buildings"), n("floors"), n("spaces"), n("space_types"))
}

/// Exit 0, the expected header row and counts, no error diagnostics.
fn assert_valid(rel: &str, header_row: u64, expected: Counts) -> Value {
    let run = parse_json(rel);
    let v = run.json();
    assert_eq!(
        run.code,
        0,
        "{rel}: exit code; diagnostics:\n  {}",
        summary(&v)
    );
    assert_eq!(
        count_severity(&v, "error"),
        0,
        "{rel}: errors:\n  {}",
        summary(&v)
    );
    assert_eq!(
        v["header_row"].as_u64(),
        Some(header_row),
        "{rel}: header_row"
    );
    assert_eq!(
        counts(&v),
        expected,
        "{rel}: (buildings, floors, spaces, space_types)"
    );
    assert!(
        str_of(&v, "file").contains(file_name(rel)),
        "{rel}: file field is {}",
        v["file"]
    );
    v
}

fn assert_has(v: &Value, rel: &str, severity: &str, code: &str) {
    assert!(
        has_code(v, severity, code),
        "{rel}: expected a {severity} {code}; got:\n  {}",
        summary(v)
    );
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// A file that cannot be loaded as a template: exit 2 with a message naming the file on stderr,
/// or exit 1 with at least one error diagnostic. Never exit 0.
fn assert_rejected(rel: &str) -> Run {
    let run = parse_json(rel);
    match run.code {
        2 => {
            assert!(
                !run.stderr.trim().is_empty(),
                "{rel}: exit 2 with an empty stderr"
            );
            assert!(
                run.stderr.contains(file_name(rel)),
                "{rel}: the error does not name the file:\n{}",
                head(&run.stderr)
            );
        }
        1 => {
            let v = run.json();
            assert!(
                count_severity(&v, "error") > 0,
                "{rel}: exit 1 without an error diagnostic"
            );
        }
        _ => panic!(
            "{rel}: loaded as valid (exit 0), expected a clear error:\n{}",
            head(&run.stdout)
        ),
    }
    run
}

/// Runs that exit 1 must carry an error diagnostic at each of these cells.
fn assert_errors_at(rel: &str, cells: &[&str]) -> Value {
    let run = parse_json(rel);
    assert_eq!(
        run.code,
        1,
        "{rel}: exit code\nstderr: {}",
        head(&run.stderr)
    );
    let v = run.json();
    let missing: Vec<_> = cells
        .iter()
        .filter(|cell| {
            !diagnostics(&v)
                .iter()
                .any(|d| str_of(d, "cell") == **cell && str_of(d, "severity") == "error")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{rel}: no error at {missing:?}; got:\n  {}",
        summary(&v)
    );
    v
}

// ------------------------------------------------------------------------- valid: formats

#[test]
fn small_xlsx_is_valid() {
    let v = assert_valid("tests/fixtures/valid/small.xlsx", 4, SMALL);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
}

#[test]
fn small_xlsx_has_no_warnings() {
    let v = parse_json("tests/fixtures/valid/small.xlsx").json();
    assert_eq!(
        count_severity(&v, "warning"),
        0,
        "warnings:\n  {}",
        summary(&v)
    );
}

#[test]
fn small_xls_is_valid() {
    let v = assert_valid("tests/fixtures/valid/small.xls", 4, SMALL);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
}

#[test]
fn small_ods_is_valid() {
    let v = assert_valid("tests/fixtures/valid/small.ods", 4, SMALL);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
}

#[test]
fn small_xlsm_is_valid() {
    let v = assert_valid("tests/fixtures/valid/small.xlsm", 4, SMALL);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
}

#[test]
fn small_xlsb_is_valid() {
    let v = assert_valid("tests/fixtures/valid/small.xlsb", 4, SMALL);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
}

/// Written by SheetJS with the short cell records (no column index), which calamine 0.38 skips:
/// read naively, only column A and the numbers survive. Loading it must never look complete
/// while cells are missing.
#[test]
fn xlsb_with_short_cell_records_is_read_fully_or_rejected() {
    let rel = "tests/fixtures/valid/small-short-records.xlsb";
    let run = parse_json(rel);
    if run.code == 0 {
        assert_eq!(
            counts(&run.json()),
            SMALL,
            "{rel}: exit 0 but not every space was read"
        );
    } else {
        assert_rejected(rel);
    }
}

#[test]
fn comma_csv_is_valid() {
    assert_valid("tests/fixtures/valid/small-comma.csv", 1, SMALL);
}

#[test]
fn semicolon_csv_is_valid() {
    assert_valid("tests/fixtures/valid/small-semicolon.csv", 1, SMALL);
}

#[test]
fn csv_with_utf8_bom_is_valid() {
    assert_valid("tests/fixtures/valid/small-bom.csv", 1, SMALL);
}

#[test]
fn canada_only_ods_is_valid() {
    assert_valid("tests/fixtures/valid/canada-only.ods", 4, CANADA_ONLY);
}

// ------------------------------------------------------------------------- valid: layout drift

#[test]
fn header_on_row_2_under_a_merged_title_is_found_with_a_warning() {
    let rel = "tests/fixtures/valid/header-row-2.xlsx";
    let v = assert_valid(rel, 2, SMALL);
    assert_has(&v, rel, "warning", "header-row-moved");
}

#[test]
fn lowercase_and_alias_headers_on_row_1_are_found_with_a_warning() {
    let rel = "tests/fixtures/valid/header-row-1-lowercase.xlsx";
    let v = assert_valid(rel, 1, SMALL);
    assert_has(&v, rel, "warning", "header-row-moved");
}

#[test]
fn instructions_sheet_before_the_data_is_ignored_and_listed() {
    let rel = "tests/fixtures/valid/instructions-first.xlsx";
    let v = assert_valid(rel, 4, SMALL);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
    let listed = diagnostics(&v).iter().any(|d| {
        str_of(d, "code") == "ignored-sheet"
            && str_of(d, "severity") == "info"
            && (str_of(d, "sheet") == "Instructions"
                || str_of(d, "message").contains("Instructions"))
    });
    assert!(
        listed,
        "{rel}: no ignored-sheet info for Instructions; got:\n  {}",
        summary(&v)
    );
}

#[test]
fn reordered_columns_with_blanks_and_an_extra_column_are_read() {
    let rel = "tests/fixtures/valid/reordered-columns.xlsx";
    let v = assert_valid(rel, 4, SMALL);
    let extra = find(&v, "extra-column", "I4");
    assert!(
        extra.is_some(),
        "{rel}: no extra-column at I4 (Cost Center); got:\n  {}",
        summary(&v)
    );
    assert_eq!(extra.map(|d| str_of(d, "severity")), Some("info"));
}

#[test]
fn xlsx_content_with_xls_extension_loads_with_a_warning() {
    let rel = "tests/fixtures/valid/wrong-extension.xls";
    let v = assert_valid(rel, 4, SMALL);
    assert_has(&v, rel, "warning", "wrong-extension");
}

#[test]
fn non_ascii_names_load_and_only_non_latin_names_are_sanitised() {
    let rel = "tests/fixtures/valid/non-ascii.xlsx";
    let v = assert_valid(rel, 4, NON_ASCII);
    assert!(
        find(&v, "name-sanitised", "I11").is_some(),
        "{rel}: \"東京 Room\" (I11) not flagged:\n  {}",
        summary(&v)
    );
    for cell in ["I10", "I13"] {
        // "Zürich Büro", "Straße 3": extended ASCII, Condeco accepts them
        assert!(
            find(&v, "name-sanitised", cell).is_none(),
            "{rel}: {cell} is extended ASCII, must not be sanitised"
        );
    }
}

// ------------------------------------------------------------------------- sample assets

#[test]
fn sample_template_asset_is_valid() {
    let rel = "assets/sample-template.xlsx";
    let v = assert_valid(rel, 4, SAMPLE);
    assert_eq!(str_of(&v, "sheet"), "Space Data");
    assert_has(&v, rel, "info", "ignored-sheet");
}

#[test]
fn sample_template_with_mistakes_reports_each_mistake() {
    let rel = "assets/sample-template-mistakes.xlsx";
    let run = parse_json(rel);
    assert_eq!(run.code, 1, "{rel}: exit code");
    let v = run.json();
    let expected = [
        ("bad-capacity", "L20"),
        ("bad-state", "C29"),
        ("bad-state", "C240"),
        ("missing-value", "I169"),
        ("duplicate-space", "I115"),
        ("conflicting-building", "F297"),
        ("zip-padded", "G129"),
        ("similar-space-type", "J348"),
        ("name-sanitised", "I407"),
        ("bad-boolean", "K67"),
        ("bad-number", "N220"),
        ("formula-error", "L158"),
    ];
    let missing: Vec<_> = expected
        .iter()
        .filter(|(code, cell)| find(&v, code, cell).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "{rel}: missing {missing:?}; got:\n  {}",
        summary(&v)
    );
}

// ------------------------------------------------------------------------- diagnostics.xlsx

/// (severity, code, cell) as documented in tests/fixtures/README.md.
const DIAGNOSTICS_EXPECTED: &[(&str, &str, &str)] = &[
    ("error", "bad-capacity", "L20"),
    ("error", "bad-state", "C21"),
    ("error", "bad-state", "C22"),
    ("error", "missing-value", "I23"),
    ("error", "bad-boolean", "K25"),
    ("error", "bad-number", "N26"),
    ("error", "bad-number", "N27"),
    ("error", "formula-error", "L28"),
    ("error", "wrong-type", "I29"),
    ("error", "conflicting-building", "F30"),
    ("error", "duplicate-space", "I32"),
    ("warning", "zip-padded", "G33"),
    ("warning", "name-sanitised", "I34"),
    ("warning", "similar-space-type", "J35"),
    ("warning", "long-text", "M36"),
    ("info", "extra-column", "Q4"),
];

fn diagnostics_json() -> Value {
    let run = parse_json(DIAGNOSTICS);
    assert_eq!(
        run.code,
        1,
        "{DIAGNOSTICS}: exit code\nstderr: {}",
        head(&run.stderr)
    );
    run.json()
}

#[test]
fn diagnostics_xlsx_reports_every_documented_finding() {
    let v = diagnostics_json();
    let missing: Vec<_> = DIAGNOSTICS_EXPECTED
        .iter()
        .filter(|(sev, code, cell)| {
            find(&v, code, cell).is_none_or(|d| str_of(d, "severity") != *sev)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "missing (severity, code, cell): {missing:?}\ngot:\n  {}",
        summary(&v)
    );
}

#[test]
fn row_without_building_name_or_code_is_an_error() {
    let v = diagnostics_json();
    let found = ["A24", "B24"]
        .iter()
        .any(|cell| find(&v, "missing-building-id", cell).is_some());
    assert!(
        found,
        "no missing-building-id at A24/B24; got:\n  {}",
        summary(&v)
    );
}

#[test]
fn diagnostics_quote_the_bad_value() {
    let v = diagnostics_json();
    for (code, cell, value) in [
        ("bad-capacity", "L20", "2.5"),
        ("bad-state", "C21", "Texas"),
        ("bad-boolean", "K25", "maybe"),
        ("bad-number", "N27", "abc"),
        ("formula-error", "L28", "#N/A"),
        ("zip-padded", "G33", "2134"),
        ("similar-space-type", "J35", "Confernce Room"),
    ] {
        let d = find(&v, code, cell).unwrap_or_else(|| panic!("no {code} at {cell}"));
        assert_eq!(value_text(d), value, "{code} at {cell}: value");
    }
}

#[test]
fn diagnostics_suggest_the_nearest_fix() {
    let v = diagnostics_json();
    for (code, cell, hint) in [
        ("bad-state", "C21", "TX"),
        ("similar-space-type", "J35", "Conference Room"),
        ("zip-padded", "G33", "02134"),
    ] {
        let d = find(&v, code, cell).unwrap_or_else(|| panic!("no {code} at {cell}"));
        let text = format!("{} {}", str_of(d, "suggestion"), str_of(d, "message"));
        assert!(
            text.contains(hint),
            "{code} at {cell} should suggest {hint}: {d}"
        );
    }
}

#[test]
fn duplicate_space_names_both_rows() {
    let v = diagnostics_json();
    let d =
        find(&v, "duplicate-space", "I32").unwrap_or_else(|| panic!("no duplicate-space at I32"));
    assert!(
        str_of(d, "message").contains("31"),
        "message should name row 31: {d}"
    );
}

#[test]
fn diagnostics_carry_the_contract_fields() {
    let v = diagnostics_json();
    let keys = [
        "severity",
        "code",
        "sheet",
        "cell",
        "row",
        "column",
        "value",
        "message",
        "suggestion",
    ];
    for d in diagnostics(&v) {
        for k in keys {
            assert!(d.get(k).is_some(), "diagnostic without {k}: {d}");
        }
        assert!(
            ["error", "warning", "info"].contains(&str_of(d, "severity")),
            "bad severity: {d}"
        );
        assert!(!str_of(d, "message").is_empty(), "empty message: {d}");
    }
}

#[test]
fn diagnostic_row_matches_its_cell_reference() {
    let v = diagnostics_json();
    for d in diagnostics(&v) {
        let cell = str_of(d, "cell");
        let digits: String = cell
            .chars()
            .skip_while(|c| c.is_ascii_alphabetic())
            .collect();
        if let Ok(row) = digits.parse::<u64>() {
            assert_eq!(
                d["row"].as_u64(),
                Some(row),
                "row field disagrees with cell: {d}"
            );
        }
    }
}

// ------------------------------------------------------------------------- text format

#[test]
fn text_format_summarises_a_valid_file() {
    let run = parse_with("tests/fixtures/valid/small.xlsx", &["--format", "text"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("30"),
        "text summary should give the 30 spaces:\n{}",
        head(&run.stdout)
    );
}

#[test]
fn text_format_lists_findings_with_code_and_cell() {
    let run = parse_with(DIAGNOSTICS, &["--format", "text"]);
    assert_eq!(run.code, 1);
    let all = format!("{}{}", run.stdout, run.stderr);
    for needle in ["bad-capacity", "L20", "duplicate-space", "I32"] {
        assert!(
            all.contains(needle),
            "text output lacks {needle}:\n{}",
            head(&all)
        );
    }
}

// ------------------------------------------------------------------------- broken files

#[test]
fn missing_file_cannot_be_read() {
    let run = parse_json("tests/fixtures/does-not-exist.xlsx");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("does-not-exist.xlsx"),
        "stderr: {}",
        head(&run.stderr)
    );
}

macro_rules! rejected {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_rejected(concat!("tests/fixtures/broken/", $file));
            }
        )*
    };
}

rejected! {
    empty_file_is_rejected => "empty.xlsx",
    truncated_xlsx_is_rejected => "truncated.xlsx",
    truncated_xls_is_rejected => "truncated.xls",
    truncated_ods_is_rejected => "truncated.ods",
    truncated_xlsb_is_rejected => "truncated.xlsb",
    random_bytes_as_xlsx_are_rejected => "random.xlsx",
    random_bytes_as_bin_are_rejected => "random.bin",
    zip_without_a_workbook_is_rejected => "zip-not-excel.xlsx",
    pdf_renamed_to_xlsx_is_rejected => "pdf-renamed.xlsx",
    html_table_saved_as_xls_is_rejected => "html-as.xls",
    workbook_with_missing_sheet_part_is_rejected => "sheet-missing.xlsx",
    workbook_with_malformed_sheet_xml_is_rejected => "sheet-xml-garbled.xlsx",
    sheet_with_headers_only_is_rejected => "only-headers.xlsx",
    sheet_without_template_headers_is_rejected => "no-header.xlsx",
    ragged_csv_is_rejected => "csv-ragged.csv",
}

#[test]
fn encrypted_workbook_says_it_is_password_protected() {
    let rel = "tests/fixtures/broken/encrypted.xlsx";
    let run = parse_json(rel);
    assert_eq!(run.code, 2, "{rel}: exit code");
    let err = run.stderr.to_lowercase();
    assert!(
        err.contains("encrypted.xlsx"),
        "{rel}: stderr does not name the file: {}",
        head(&run.stderr)
    );
    assert!(
        err.contains("password") || err.contains("encrypt"),
        "{rel}: stderr: {}",
        head(&run.stderr)
    );
}

#[test]
fn missing_required_columns_are_reported() {
    let rel = "tests/fixtures/broken/missing-columns.xlsx";
    let run = parse_json(rel);
    assert_eq!(
        run.code,
        1,
        "{rel}: exit code\nstderr: {}",
        head(&run.stderr)
    );
    let v = run.json();
    for column in ["Floor", "Space Type"] {
        let reported = diagnostics(&v).iter().any(|d| {
            str_of(d, "code") == "missing-column"
                && str_of(d, "severity") == "error"
                && (str_of(d, "column") == column || str_of(d, "message").contains(column))
        });
        assert!(
            reported,
            "{rel}: no missing-column error for {column}; got:\n  {}",
            summary(&v)
        );
    }
}

#[test]
fn dates_and_booleans_in_text_and_number_columns_are_errors() {
    // I6 Room date, H7 Floor date, L8 Capacity TRUE, I9 Room FALSE, L10 Capacity date, H11 Floor TRUE
    assert_errors_at(
        "tests/fixtures/broken/dates-and-bools.xlsx",
        &["I6", "H7", "L8", "I9", "L10", "H11"],
    );
}

const FORMULA_ERRORS: [(&str, &str); 6] = [
    ("L8", "#DIV/0!"),
    ("I9", "#N/A"),
    ("H10", "#VALUE!"),
    ("I11", "#REF!"),
    ("H12", "#N/A"),
    ("L13", "#REF!"),
];

/// Every formula error is reported at its cell; `quotes_value` when the reader can see which
/// error the file cached.
fn assert_formula_errors(rel: &str, quotes_value: bool) {
    let cells: Vec<&str> = FORMULA_ERRORS.iter().map(|(cell, _)| *cell).collect();
    let v = assert_errors_at(rel, &cells);
    for (cell, value) in FORMULA_ERRORS {
        let d = find(&v, "formula-error", cell).unwrap_or_else(|| {
            panic!("{rel}: no formula-error at {cell}; got:\n  {}", summary(&v))
        });
        if quotes_value {
            assert!(
                value_text(d).contains(value),
                "{rel}: {cell} should quote {value}: {d}"
            );
        }
    }
}

#[test]
fn cached_formula_errors_in_xlsx_are_reported() {
    assert_formula_errors("tests/fixtures/broken/formula-errors.xlsx", true);
}

/// Excel stores =NA() in an .xlsb as a BrtFmlaError record; calamine 0.38 skips that record, so
/// a naive read sees an empty cell (and Capacity silently defaults to 1). The loader finds the
/// formula without a value and reports it, without knowing which error it was.
#[test]
fn cached_formula_errors_in_xlsb_are_reported() {
    assert_formula_errors("tests/fixtures/broken/formula-errors.xlsb", false);
}

/// A cell as long as Excel allows (32,767 characters) is no name or description anyone can
/// use: it is a `too-long` error (issue 13, A.8), and what is printed of it is cut.
#[test]
fn huge_cells_are_too_long_errors_and_are_cut_in_the_output() {
    let rel = "tests/fixtures/broken/huge-cell.xlsx";
    let run = parse_json(rel);
    let v = run.json();
    assert_eq!(
        run.code,
        1,
        "{rel}: a 32,767-character name is an error:\n  {}",
        summary(&v)
    );
    for cell in ["I6", "M6"] {
        let finding = find(&v, "too-long", cell)
            .unwrap_or_else(|| panic!("{rel}: {cell} not flagged too-long:\n  {}", summary(&v)));
        assert_eq!(finding["severity"], "error", "{cell}");
        assert!(
            finding["value"]
                .as_str()
                .is_some_and(|t| t.chars().count() < 200),
            "{cell}: the value quoted is cut"
        );
    }
    let text = parse_with(rel, &[]);
    assert!(
        text.stdout.len() < 20_000,
        "{rel}: the text report quotes the huge cells in full ({} bytes)",
        text.stdout.len()
    );
}

#[test]
fn a_million_formatted_empty_rows_are_skipped_quickly() {
    let rel = "tests/fixtures/broken/million-rows.xlsx";
    // A hang detector, not a benchmark: an unoptimised build of calamine alone needs 15-35 s here.
    let limit = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 15 });
    let start = Instant::now();
    let run = parse_json(rel);
    let took = start.elapsed();
    assert_eq!(
        run.code,
        0,
        "{rel}: exit code\nstderr: {}",
        head(&run.stderr)
    );
    assert_eq!(counts(&run.json()), SMALL, "{rel}: counts");
    assert!(took < limit, "{rel}: took {took:?} (limit {limit:?})");
}

#[test]
fn latin1_csv_is_not_loaded_silently() {
    let rel = "tests/fixtures/broken/latin1.csv";
    let run = parse_json(rel);
    if run.code == 2 {
        assert!(
            run.stderr.contains("latin1.csv"),
            "{rel}: stderr: {}",
            head(&run.stderr)
        );
        return;
    }
    // Read anyway (decoded as Latin-1/Windows-1252): then the operator must be told.
    let v = run.json();
    let told = diagnostics(&v).iter().any(|d| {
        let text = format!("{} {}", str_of(d, "code"), str_of(d, "message")).to_lowercase();
        str_of(d, "severity") != "info"
            && ["encoding", "utf-8", "utf8", "latin", "8859", "1252"]
                .iter()
                .any(|w| text.contains(w))
    });
    assert!(
        told,
        "{rel}: not UTF-8 but no encoding finding; got:\n  {}",
        summary(&v)
    );
}
