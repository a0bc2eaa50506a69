//! Entry points of the fuzz targets in `fuzz/`, compiled only with `--cfg fuzzing` (which
//! `cargo fuzz` sets): each takes arbitrary bytes to a reader of outside input, whose only
//! acceptable answers are a value or an error. Nothing here is part of the library's API.

use std::path::Path;

use crate::template::{self, LoadOptions};

/// A template file of any format (told from its content, as `parse` does).
pub fn template(bytes: &[u8]) {
    let _ = template::load_bytes(
        Path::new("fuzz.xlsx"),
        bytes.to_vec(),
        &LoadOptions::default(),
    );
}

/// One candidate header row: cells separated by tabs.
pub fn header_row(text: &str) {
    let score = template::columns::header_score(text.split('\t'));
    let _ = (score.is_header(), score.rank());
    for cell in text.split('\t') {
        let _ = template::Column::recognise(cell);
    }
}

/// A floor name as the sync reads it.
pub fn floor_name(text: &str) {
    let _ = crate::domain::names::floor_number(text);
    let _ = crate::domain::names::sanitise_for_condeco(text);
    let _ = crate::domain::names::condeco_name_issues(text);
}

/// An answer body of Eptura Workplace.
pub fn eptura_answer(body: &[u8]) {
    crate::eptura::fuzz_decode(body);
}

/// An answer body of Condeco.
pub fn condeco_answer(body: &[u8]) {
    crate::condeco::fuzz_decode(body);
}

/// A config file.
pub fn config(text: &str) {
    let _ = crate::config::fuzz_read(text).map_err(|e| e.to_string());
}
