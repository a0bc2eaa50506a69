//! Reading one cell as the type its column wants: text, a whole number, a number, yes/no.
//! Spreadsheets hand us floats for "101", dates where text was meant and cached formula errors;
//! every such case becomes a [`CellProblem`] that quotes the value as the customer sees it.

use std::borrow::Cow;

use calamine::{Data, DataRef};

/// Why a cell could not be read as its column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum CellProblem {
    /// A cached formula error such as `#REF!`.
    FormulaError(String),
    /// A date, time or boolean where text or a number belongs; the value as shown.
    WrongType { shown: String, kind: &'static str },
    /// Text that is not a value of the wanted type; the text as written.
    NotA { shown: String },
}

/// The text of a cell, trimmed; numbers as the customer typed them (1.0 → "1"); `None` when
/// blank. Borrows the cell's text when it is text, so the common case does not allocate.
pub fn text<'c>(cell: Option<&'c DataRef<'_>>) -> Result<Option<Cow<'c, str>>, CellProblem> {
    match cell {
        None | Some(DataRef::Empty) => Ok(None),
        Some(DataRef::Int(i)) => Ok(Some(Cow::Owned(i.to_string()))),
        Some(DataRef::Float(f)) => Ok(Some(Cow::Owned(format_number(*f)))),
        Some(other) => match as_str(other) {
            Some(s) => {
                let t = s.trim();
                Ok((!t.is_empty()).then_some(Cow::Borrowed(t)))
            }
            None => Err(not_text(other)),
        },
    }
}

/// The text of a text cell (inline or shared); `None` for any other type.
pub fn as_str<'c>(cell: &'c DataRef<'_>) -> Option<&'c str> {
    match cell {
        DataRef::String(s) => Some(s),
        DataRef::SharedString(s) => Some(s),
        _ => None,
    }
}

/// A cell as the spreadsheet shows it, for quoting a value of an unexpected type.
pub fn shown(cell: &DataRef<'_>) -> String {
    Data::from(cell.clone()).to_string()
}

/// A number as a person writes it: no ".0" on whole numbers.
pub fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn not_text(cell: &DataRef<'_>) -> CellProblem {
    match cell {
        DataRef::Error(e) => CellProblem::FormulaError(e.to_string()),
        DataRef::Bool(b) => CellProblem::WrongType {
            shown: if *b { "TRUE" } else { "FALSE" }.to_string(),
            kind: "a TRUE/FALSE cell",
        },
        DataRef::DateTime(d) => CellProblem::WrongType {
            shown: excel_serial_to_date(d.as_f64()),
            kind: "a date cell",
        },
        DataRef::DateTimeIso(s) => CellProblem::WrongType {
            shown: s.clone(),
            kind: "a date cell",
        },
        DataRef::DurationIso(s) => CellProblem::WrongType {
            shown: s.clone(),
            kind: "a duration cell",
        },
        other => CellProblem::WrongType {
            shown: shown(other),
            kind: "an unexpected cell type",
        },
    }
}

/// A number ≥ 0 (square feet); blank is `None`.
pub fn non_negative(cell: Option<&DataRef<'_>>) -> Result<Option<f64>, CellProblem> {
    let value = match cell {
        None | Some(DataRef::Empty) => return Ok(None),
        Some(DataRef::Int(i)) => *i as f64,
        Some(DataRef::Float(f)) => *f,
        Some(other) => match as_str(other) {
            Some(s) if s.trim().is_empty() => return Ok(None),
            Some(s) => parse_number(s).ok_or_else(|| CellProblem::NotA {
                shown: s.trim().to_string(),
            })?,
            None => return Err(not_text(other)),
        },
    };
    if value.is_finite() && value >= 0.0 {
        Ok(Some(value))
    } else {
        Err(CellProblem::NotA {
            shown: format_number(value),
        })
    }
}

/// A whole number ≥ 0 (capacity); 2.0 is 2, 2.5 is a problem; blank is `None`.
pub fn whole(cell: Option<&DataRef<'_>>) -> Result<Option<u32>, CellProblem> {
    let shown = |v: f64| CellProblem::NotA {
        shown: format_number(v),
    };
    match non_negative(cell)? {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && v <= f64::from(u32::MAX) => Ok(Some(v as u32)),
        Some(v) => Err(shown(v)),
    }
}

/// "1,234.5" and " 20 " are numbers; thousands separators are allowed.
fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Yes/no: yes/no, y/n, true/false, 1/0, x (yes); blank is `None` (the column's default).
pub fn yes_no(cell: Option<&DataRef<'_>>) -> Result<Option<bool>, CellProblem> {
    match cell {
        None | Some(DataRef::Empty) => Ok(None),
        Some(DataRef::Bool(b)) => Ok(Some(*b)),
        Some(DataRef::Int(1)) => Ok(Some(true)),
        Some(DataRef::Int(0)) => Ok(Some(false)),
        Some(DataRef::Float(f)) if *f == 1.0 => Ok(Some(true)),
        Some(DataRef::Float(f)) if *f == 0.0 => Ok(Some(false)),
        Some(DataRef::Int(i)) => Err(CellProblem::NotA {
            shown: i.to_string(),
        }),
        Some(DataRef::Float(f)) => Err(CellProblem::NotA {
            shown: format_number(*f),
        }),
        Some(other) => match as_str(other) {
            Some(s) => yes_no_text(s.trim()).map_err(|()| CellProblem::NotA {
                shown: s.trim().to_string(),
            }),
            None => Err(not_text(other)),
        },
    }
}

/// A yes/no spelling, any case, without allocating (it is read on every row).
fn yes_no_text(text: &str) -> Result<Option<bool>, ()> {
    const YES: [&str; 5] = ["yes", "y", "true", "1", "x"];
    const NO: [&str; 4] = ["no", "n", "false", "0"];
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(text));
    if text.is_empty() {
        Ok(None)
    } else if is(&YES) {
        Ok(Some(true))
    } else if is(&NO) {
        Ok(Some(false))
    } else {
        Err(())
    }
}

/// An Excel serial date (days since 1899-12-30) as "2024-03-01", with the time when present.
pub fn excel_serial_to_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return format_number(serial);
    }
    let days = serial.floor() as i64;
    let (y, m, d) = civil_from_days(days - 25_569);
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if seconds == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            seconds / 3600,
            (seconds / 60) % 60
        )
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard Hinnant's method.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::CellErrorType;

    #[test]
    fn numbers_read_as_text_lose_the_trailing_zero() {
        assert_eq!(text(Some(&DataRef::Float(101.0))), Ok(Some("101".into())));
        assert_eq!(text(Some(&DataRef::Float(1.5))), Ok(Some("1.5".into())));
        assert_eq!(
            text(Some(&DataRef::SharedString(" HQ "))),
            Ok(Some("HQ".into()))
        );
        assert_eq!(text(Some(&DataRef::String("  ".into()))), Ok(None));
        assert!(matches!(
            text(Some(&DataRef::Error(CellErrorType::Ref))),
            Err(CellProblem::FormulaError(e)) if e == "#REF!"
        ));
        assert!(matches!(
            text(Some(&DataRef::Bool(true))),
            Err(CellProblem::WrongType { .. })
        ));
    }

    #[test]
    fn capacity_is_a_whole_number() {
        assert_eq!(whole(Some(&DataRef::Float(2.0))), Ok(Some(2)));
        assert_eq!(whole(Some(&DataRef::String(" 12 ".into()))), Ok(Some(12)));
        assert_eq!(
            whole(Some(&DataRef::Float(2.5))),
            Err(CellProblem::NotA {
                shown: "2.5".into()
            })
        );
        assert!(whole(Some(&DataRef::Int(-1))).is_err());
        assert!(whole(Some(&DataRef::String("ten".into()))).is_err());
        assert_eq!(whole(None), Ok(None));
    }

    #[test]
    fn yes_no_spellings() {
        for yes in ["yes", "Y", "TRUE", "1", "x"] {
            assert_eq!(
                yes_no(Some(&DataRef::String(yes.into()))),
                Ok(Some(true)),
                "{yes}"
            );
        }
        for no in ["no", "n", "False", "0"] {
            assert_eq!(
                yes_no(Some(&DataRef::String(no.into()))),
                Ok(Some(false)),
                "{no}"
            );
        }
        assert_eq!(yes_no(Some(&DataRef::Int(1))), Ok(Some(true)));
        assert!(yes_no(Some(&DataRef::String("maybe".into()))).is_err());
    }

    #[test]
    fn serial_dates() {
        assert_eq!(excel_serial_to_date(45352.0), "2024-03-01");
        assert_eq!(excel_serial_to_date(25569.0), "1970-01-01");
        assert_eq!(excel_serial_to_date(45352.5), "2024-03-01 12:00");
    }
}
