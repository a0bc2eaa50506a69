//! Findings about a template: severity, a stable code, and where (sheet, cell, row, column) as
//! the customer sees it, with the bad value, what to fix and a suggestion. Codes are a
//! contract (`spacebridge parse --format json`): add new ones, never rename.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::domain::text::{has_hidden, visible};

/// How bad a finding is. Ordered worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The symbol shown beside the word, so colour is never the only signal.
    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Error => "✗",
            Severity::Warning => "⚠",
            Severity::Info => "ℹ",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The stable finding codes. Each has one severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    MissingColumn,
    MissingValue,
    MissingBuildingId,
    BadState,
    BadCapacity,
    BadNumber,
    BadBoolean,
    FormulaError,
    WrongType,
    ConflictingBuilding,
    DuplicateSpace,
    NoData,
    HeaderRowMoved,
    WrongExtension,
    ZipPadded,
    NameSanitised,
    LongText,
    SimilarSpaceType,
    DuplicateColumn,
    UnnamedColumn,
    IgnoredSheet,
    ExtraColumn,
    ControlCharacter,
    TooLong,
    CellOutOfRange,
}

impl Code {
    pub const ALL: [Code; 25] = [
        Code::MissingColumn,
        Code::MissingValue,
        Code::MissingBuildingId,
        Code::BadState,
        Code::BadCapacity,
        Code::BadNumber,
        Code::BadBoolean,
        Code::FormulaError,
        Code::WrongType,
        Code::ConflictingBuilding,
        Code::DuplicateSpace,
        Code::NoData,
        Code::HeaderRowMoved,
        Code::WrongExtension,
        Code::ZipPadded,
        Code::NameSanitised,
        Code::LongText,
        Code::SimilarSpaceType,
        Code::DuplicateColumn,
        Code::UnnamedColumn,
        Code::IgnoredSheet,
        Code::ExtraColumn,
        Code::ControlCharacter,
        Code::TooLong,
        Code::CellOutOfRange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingColumn => "missing-column",
            Code::MissingValue => "missing-value",
            Code::MissingBuildingId => "missing-building-id",
            Code::BadState => "bad-state",
            Code::BadCapacity => "bad-capacity",
            Code::BadNumber => "bad-number",
            Code::BadBoolean => "bad-boolean",
            Code::FormulaError => "formula-error",
            Code::WrongType => "wrong-type",
            Code::ConflictingBuilding => "conflicting-building",
            Code::DuplicateSpace => "duplicate-space",
            Code::NoData => "no-data",
            Code::HeaderRowMoved => "header-row-moved",
            Code::WrongExtension => "wrong-extension",
            Code::ZipPadded => "zip-padded",
            Code::NameSanitised => "name-sanitised",
            Code::LongText => "long-text",
            Code::SimilarSpaceType => "similar-space-type",
            Code::DuplicateColumn => "duplicate-column",
            Code::UnnamedColumn => "unnamed-column",
            Code::IgnoredSheet => "ignored-sheet",
            Code::ExtraColumn => "extra-column",
            Code::ControlCharacter => "control-character",
            Code::TooLong => "too-long",
            Code::CellOutOfRange => "cell-out-of-range",
        }
    }

    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn severity(self) -> Severity {
        use Code::*;
        match self {
            MissingColumn | MissingValue | MissingBuildingId | BadState | BadCapacity
            | BadNumber | BadBoolean | FormulaError | WrongType | ConflictingBuilding
            | DuplicateSpace | NoData | ControlCharacter | TooLong => Severity::Error,
            HeaderRowMoved | WrongExtension | ZipPadded | NameSanitised | LongText
            | SimilarSpaceType | DuplicateColumn | UnnamedColumn | CellOutOfRange => {
                Severity::Warning
            }
            IgnoredSheet | ExtraColumn => Severity::Info,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub sheet: String,
    /// "J17"; empty for findings about the whole file or sheet.
    pub cell: String,
    /// 1-based row as the customer sees it; 0 for the whole file or sheet.
    pub row: u32,
    /// The column's header, when the finding is about a column.
    pub column: String,
    /// The bad value as the customer wrote it (long values shortened).
    pub value: String,
    pub message: String,
    pub suggestion: Option<String>,
    /// The building the row belongs to (its label), for grouping; not always known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
}

/// Longest value quoted in a finding; longer values end with "…".
const VALUE_SHOWN: usize = 120;

/// Shorten a value for display, on a character boundary.
pub fn shorten(value: &str) -> String {
    if value.chars().count() <= VALUE_SHOWN {
        return value.to_string();
    }
    let mut cut: String = value.chars().take(VALUE_SHOWN).collect();
    cut.push('…');
    cut
}

impl Diagnostic {
    /// A finding about the file or a sheet as a whole.
    pub fn file(code: Code, sheet: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            sheet: sheet.to_string(),
            cell: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            message: message.into(),
            suggestion: None,
            building: None,
            floor: None,
        }
    }

    pub fn with_value(mut self, value: &str) -> Diagnostic {
        self.value = shorten(value);
        self
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Every text of the finding with hidden characters written as visible escapes: a value
    /// quoted in a message may come straight from a cell.
    pub fn make_visible(&mut self) {
        let fields = [
            &mut self.sheet,
            &mut self.column,
            &mut self.value,
            &mut self.message,
        ];
        let optional = [&mut self.suggestion, &mut self.building, &mut self.floor];
        for text in fields.into_iter().chain(optional.into_iter().flatten()) {
            if has_hidden(text) {
                *text = visible(text).into_owned();
            }
        }
    }

    /// "L17 bad-capacity" style location for text output.
    pub fn location(&self) -> String {
        if self.cell.is_empty() {
            self.sheet.clone()
        } else {
            format!("{}!{}", self.sheet, self.cell)
        }
    }
}

/// Counts by severity and by code, for summaries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_code: BTreeMap<&'static str, usize>,
    /// Findings per building label; findings that belong to no building are not counted here.
    pub by_building: BTreeMap<String, usize>,
}

impl Tally {
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let mut tally = Tally::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => tally.errors += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Info => tally.infos += 1,
            }
            *tally.by_code.entry(d.code.as_str()).or_default() += 1;
            if let Some(building) = &d.building {
                *tally.by_building.entry(building.clone()).or_default() += 1;
            }
        }
        tally
    }
}

/// "A", "Z", "AA" for a 0-based column index.
pub fn column_letter(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(11), "L");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn every_text_of_a_finding_is_made_visible() {
        let mut d = Diagnostic::file(Code::BadBoolean, "Sheet\u{7}", "\"y\u{1b}[31m\" is not yes")
            .with_value("y\u{1b}[31m")
            .with_suggestion("y\u{0}");
        d.building = Some("HQ\u{202e}".into());
        d.make_visible();
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.chars().any(crate::domain::text::is_hidden), "{json}");
        assert_eq!(d.value, "y\\u{1b}[31m");
        assert_eq!(d.sheet, "Sheet\\u{7}");
    }

    #[test]
    fn long_values_are_shortened_on_char_boundaries() {
        let long = "é".repeat(500);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), VALUE_SHOWN + 1);
        assert!(short.ends_with('…'));
    }
}
