//! The Merge screen's pair view: one Eptura entity and the Condeco entity proposed for it side
//! by side, every compared field marked (= agreed, ≈ partly, ≠ differed; the differing ones in
//! the warning or error style as well), then the score and band, the runner-up, the flags, the
//! bookings on the Condeco side (what a wrong link would move) and the decision. Lines only:
//! the screen draws them in its pane.

use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::CondecoKey;
use crate::matcher::{Band, Field, Item, Reason, Verdict};
use crate::template::Severity;
use crate::tui::theme::Theme;
use crate::tui::widgets::{truncate, wrap_words};

/// The mark of a compared field; a symbol, so that it reads without colour.
pub fn verdict_mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Agreed => "=",
        Verdict::Partly => "≈",
        Verdict::Differed => "≠",
    }
}

fn verdict_style(verdict: Verdict, theme: Theme) -> Style {
    match verdict {
        Verdict::Agreed => Style::new(),
        Verdict::Partly => theme.severity(Some(Severity::Warning)),
        Verdict::Differed => theme.severity(Some(Severity::Error)),
    }
}

/// The band as the operator reads it.
pub fn band_word(band: Band) -> &'static str {
    match band {
        Band::Auto => "auto",
        Band::Review => "review",
        Band::New => "new",
        Band::NotEvaluated => "not evaluated",
    }
}

/// "Condeco 14 (Texas)", or what stands for a missing proposal.
pub fn proposal(item: &Item) -> String {
    match (&item.condeco_id, &item.condeco_name) {
        (Some(key), Some(name)) => format!("Condeco {key} ({name})"),
        (Some(key), None) => format!("Condeco {key} (gone)"),
        (None, _) if item.band == Band::New => "nothing: it will be created".to_string(),
        (None, _) => "no candidate".to_string(),
    }
}

/// Width of the field column.
const FIELD: usize = 12;

/// The pair view of `item` in `width` columns.
pub fn lines(
    item: &Item,
    bookings: &HashMap<CondecoKey, u64>,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let bold = theme.title();
    let column = width.saturating_sub(FIELD + 4) / 2;
    let condeco_head = item
        .condeco_id
        .map_or_else(|| "Condeco".to_string(), |key| format!("Condeco {key}"));
    let mut lines = vec![
        Line::styled(
            truncate(
                &format!("{} {}  →  {}", item.level, item.eptura_id, proposal(item)),
                width,
            ),
            bold,
        ),
        Line::styled(
            format!(
                "{:FIELD$}   {:<column$} {}",
                "",
                "Eptura",
                truncate(&condeco_head, column)
            ),
            theme.dim(),
        ),
    ];
    // The names as both sides hold them, marked by the name's verdict; then every other field.
    let name = item.reasons.iter().find(|r| r.field == Field::Name);
    lines.push(value_row(
        "name",
        name.map(|r| r.verdict),
        &item.eptura_name,
        item.condeco_name.as_deref().unwrap_or("—"),
        column,
        theme,
    ));
    lines.extend(note_lines(name, width, theme));
    for reason in item.reasons.iter().filter(|r| r.field != Field::Name) {
        lines.push(reason_row(reason, column, theme));
        lines.extend(note_lines(Some(reason), width, theme));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("score {:.2} · {}", item.score, band_word(item.band)),
        bold,
    ));
    lines.push(Line::raw(match &item.runner_up {
        Some(r) => truncate(
            &format!(
                "runner-up: Condeco {} ({}) {:.2}",
                r.condeco_id, r.condeco_name, r.score
            ),
            width,
        ),
        None => "runner-up: none".to_string(),
    }));
    for flag in &item.flags {
        lines.extend(
            wrap_words(&format!("⚠ {}", flag.describe()), width)
                .into_iter()
                .map(|l| Line::styled(l, theme.severity(Some(Severity::Warning)))),
        );
    }
    let booked = item
        .condeco_id
        .map_or(0, |key| bookings.get(&key).copied().unwrap_or(0));
    lines.push(Line::raw(match item.condeco_id {
        Some(_) => format!("bookings on the Condeco side: {booked}"),
        None => "bookings on the Condeco side: none (no Condeco entity)".to_string(),
    }));
    lines.push(Line::styled(
        match item.decision {
            Some(decision) => format!("decided: {decision} (u undoes it)"),
            None => "no decision yet".to_string(),
        },
        bold,
    ));
    lines
}

/// How far a field that did not agree was off, under its row.
fn note_lines(reason: Option<&Reason>, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let Some(note) = reason.and_then(reason_note) else {
        return Vec::new();
    };
    wrap_words(&note, width.saturating_sub(FIELD + 3))
        .into_iter()
        .map(|l| Line::styled(format!("{:FIELD$}   {l}", ""), theme.dim()))
        .collect()
}

fn value_row(
    field: &str,
    verdict: Option<Verdict>,
    eptura: &str,
    condeco: &str,
    column: usize,
    theme: Theme,
) -> Line<'static> {
    let mark = verdict.map_or(" ", verdict_mark);
    let style = verdict.map_or(Style::new(), |v| verdict_style(v, theme));
    Line::from(vec![
        Span::raw(format!("{:FIELD$} ", truncate(field, FIELD))),
        Span::styled(format!("{mark} "), style),
        Span::raw(format!(
            "{:<column$} {}",
            truncate(eptura, column),
            truncate(condeco, column)
        )),
    ])
}

fn reason_row(reason: &Reason, column: usize, theme: Theme) -> Line<'static> {
    value_row(
        reason.field.as_str(),
        Some(reason.verdict),
        reason.eptura.as_deref().unwrap_or("—"),
        reason.condeco.as_deref().unwrap_or("—"),
        column,
        theme,
    )
}

/// How far a field that did not agree was off: "0.00 · words "houston" and "texas"".
fn reason_note(reason: &Reason) -> Option<String> {
    if reason.verdict == Verdict::Agreed {
        return None;
    }
    Some(match &reason.note {
        Some(note) => format!("similarity {:.2} · {note}", reason.similarity),
        None => format!("similarity {:.2}", reason.similarity),
    })
}
