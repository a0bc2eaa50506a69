//! The annotated copy for the customer: written as a real XLSX, read back with calamine.

use calamine::{Data, Reader, Xlsx};
use spacebridge::template::{self, LoadOptions};

#[test]
fn annotated_copy_keeps_the_data_and_lists_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("annotated.xlsx");
    let loaded = template::annotate::write(
        "tests/fixtures/diagnostics.xlsx".as_ref(),
        &LoadOptions::default(),
        &out,
    )
    .unwrap();
    assert!(loaded.has_errors());

    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec![loaded.sheet.clone(), "Findings".to_string()]
    );

    // The data sheet holds the customer's values where they were: the headers on their row.
    let data = book.worksheet_range(&loaded.sheet).unwrap();
    let header_row = loaded.header_row - 1;
    assert_eq!(
        data.get_value((header_row, 0)),
        Some(&Data::String("Building Name".into()))
    );
    let original = template::load(
        "tests/fixtures/diagnostics.xlsx".as_ref(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(original.counts, loaded.counts);

    // One Findings row per finding, with its code and cell.
    let findings = book.worksheet_range("Findings").unwrap();
    assert_eq!(findings.height(), loaded.diagnostics.len() + 1);
    for (i, d) in loaded.diagnostics.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(
            findings.get_value((row, 1)),
            Some(&Data::String(d.code.to_string()))
        );
        if !d.cell.is_empty() {
            assert_eq!(
                findings.get_value((row, 2)),
                Some(&Data::String(d.cell.clone()))
            );
        }
    }
}

#[test]
fn the_annotated_copy_loads_again_with_the_same_findings() {
    for source in [
        "assets/sample-template-mistakes.xlsx",
        "tests/fixtures/broken/dates-and-bools.xlsx",
        "tests/fixtures/broken/formula-errors.xlsx",
    ] {
        same_findings_after_annotating(source);
    }
}

fn same_findings_after_annotating(source: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("annotated.xlsx");
    let options = LoadOptions::default();
    let first = template::annotate::write(source.as_ref(), &options, &out).unwrap();
    let again = template::load(&out, &options).unwrap();
    assert_eq!(again.counts, first.counts);
    let codes = |l: &template::Loaded| {
        let mut c: Vec<(String, String)> = l
            .diagnostics
            .iter()
            .filter(|d| d.code != template::Code::IgnoredSheet)
            .map(|d| (d.code.to_string(), d.cell.clone()))
            .collect();
        c.sort();
        c
    };
    assert_eq!(codes(&again), codes(&first), "{source}");
}

#[test]
fn an_unreadable_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("annotated.xlsx");
    let result = template::annotate::write(
        "tests/fixtures/broken/truncated.xlsx".as_ref(),
        &LoadOptions::default(),
        &out,
    );
    assert!(result.is_err());
    assert!(!out.exists());
}
