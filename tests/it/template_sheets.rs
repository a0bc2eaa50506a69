//! `template::sheet_names`: the sheets of a file and which hold a header row, without loading.

use spacebridge::template::{self, LoadError, SheetInfo};

use crate::support::path_of;

fn fixture(name: &str) -> std::path::PathBuf {
    path_of("tests/fixtures").join(name)
}

#[test]
fn lists_every_sheet_and_marks_the_one_with_a_header_row() {
    let sheets = template::sheet_names(&fixture("valid/instructions-first.xlsx")).unwrap();
    assert_eq!(sheets.len(), 2, "{sheets:?}");
    assert!(!sheets[0].has_header, "{sheets:?}");
    assert_eq!(
        sheets[1],
        SheetInfo {
            name: "Space Data".into(),
            has_header: true
        }
    );
}

#[test]
fn a_csv_is_one_sheet_named_after_the_file() {
    let sheets = template::sheet_names(&fixture("valid/small-comma.csv")).unwrap();
    assert_eq!(
        sheets,
        vec![SheetInfo {
            name: "small-comma".into(),
            has_header: true
        }]
    );
}

#[test]
fn a_truncated_file_is_an_error() {
    let err = template::sheet_names(&fixture("broken/truncated.xlsx")).unwrap_err();
    assert!(matches!(err, LoadError::Corrupt { .. }), "{err}");
}

#[test]
fn a_missing_file_is_an_error() {
    let err = template::sheet_names(&fixture("valid/no-such-file.xlsx")).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }), "{err}");
}
