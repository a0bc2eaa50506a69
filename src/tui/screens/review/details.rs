//! The details pane of the Review screen: every field of the selected building, floor or
//! space (its findings and the source row first: the cell to fix must not fall below the
//! fold), the whole of a selected finding, or a space type with the rule that decided its
//! usage. The lines are built for a given width so the pane can be scrolled by exactly what
//! they take. Knows the template and its tree, not the screen: the screen says what to show
//! ([`Subject`]).

use ratatui::text::{Line, Span};

use crate::domain::names::{floor_number, sanitise_for_condeco};
use crate::template::Loaded;
use crate::tui::portfolio_tree::{NodeId, Tree, floor_label};
use crate::tui::theme::Theme;
use crate::tui::widgets::{plural, wrap_words};

/// What the details are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Nothing selected; the text says why.
    Nothing(&'static str),
    Node(NodeId),
    /// A finding, by its index in the diagnostics.
    Finding(usize),
    /// A space type, by its index in the portfolio's.
    Type(usize),
}

/// The loaded template the details read.
pub struct Template<'a> {
    pub loaded: &'a Loaded,
    pub tree: &'a Tree,
    /// Errors about the whole file (no building can be uploaded while there are any).
    pub file_errors: usize,
}

/// Width of the label column of the details pane ("Description" plus a space).
const LABEL_WIDTH: usize = 12;

fn field(name: &str, value: impl Into<String>, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<11} "), theme.dim()),
        Span::raw(value.into()),
    ])
}

/// Wrap the value of `label  value` lines that are too wide under the value, not under the
/// label, so the label column stays readable on a narrow pane. Other lines are left to the
/// paragraph's own wrapping.
fn hang_values(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let room = width.saturating_sub(LABEL_WIDTH);
    if room < 8 {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let is_field =
            line.spans.len() == 2 && line.spans[0].content.chars().count() == LABEL_WIDTH;
        if !is_field || line.width() <= width {
            out.push(line);
            continue;
        }
        let label = line.spans[0].clone();
        let value_style = line.spans[1].style;
        for (i, chunk) in wrap_words(&line.spans[1].content, room)
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                label.clone()
            } else {
                Span::raw(" ".repeat(LABEL_WIDTH))
            };
            out.push(Line::from(vec![head, Span::styled(chunk, value_style)]));
        }
    }
    out
}

/// The title and the lines of the details of `subject`, the values of long fields wrapped
/// under their value within `width`.
pub fn lines(
    template: &Template,
    subject: Subject,
    theme: Theme,
    width: usize,
) -> (String, Vec<Line<'static>>) {
    let (title, lines) = match subject {
        Subject::Finding(i) => finding_details(template, i, theme),
        Subject::Type(t) => type_details(template, t, theme),
        Subject::Node(node) => node_details(template, node, theme),
        Subject::Nothing(why) => ("Details".to_string(), vec![Line::raw(why)]),
    };
    (title, hang_values(lines, width))
}

/// "Space Data!A17:P17": the whole row of the data sheet.
fn source_range(loaded: &Loaded, row: u32) -> String {
    let first = loaded.columns.first().map_or("A", |c| c.letter.as_str());
    let last = loaded.columns.last().map_or("A", |c| c.letter.as_str());
    format!("{}!{first}{row}:{last}{row}", loaded.sheet)
}

fn finding_lines(template: &Template, findings: &[usize], theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for &i in findings {
        let d = &template.loaded.diagnostics[i];
        lines.push(Line::from(vec![
            Span::styled(d.severity.symbol(), theme.severity(Some(d.severity))),
            Span::raw(format!(" {} {} {}", d.cell, d.code.as_str(), d.message)),
        ]));
        if let Some(s) = &d.suggestion {
            lines.push(Line::raw(format!("  → {s}")));
        }
    }
    lines
}

fn condeco_name(name: &str, theme: Theme) -> Option<Line<'static>> {
    let clean = sanitise_for_condeco(name);
    (clean != name).then(|| field("Condeco", format!("\"{clean}\" (sanitised)"), theme))
}

fn node_details(template: &Template, node: NodeId, theme: Theme) -> (String, Vec<Line<'static>>) {
    let loaded = template.loaded;
    let status = template.tree.status(node);
    let summary = match status.worst() {
        None if template.file_errors > 0 => format!(
            "{} no errors here, but {} about the whole file block the upload",
            status.shown(true),
            plural(template.file_errors as u32, "error")
        ),
        None => "✓ no errors or warnings".to_string(),
        Some(_) => {
            let counts: Vec<String> = [(status.errors, "error"), (status.warnings, "warning")]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, noun)| plural(n, noun))
                .collect();
            format!("{} {} here and below", status.symbol(), counts.join(" · "))
        }
    };
    // Findings and the source row first: on a small terminal they are what must not fall
    // below the fold.
    let mut lines = vec![Line::styled(summary, theme.severity(status.worst()))];
    lines.extend(finding_lines(template, template.tree.findings(node), theme));
    let (title, fields) = match node {
        NodeId::Building(b) => building_fields(loaded, b, theme),
        NodeId::Floor(b, f) => floor_fields(loaded, b, f, theme),
        NodeId::Space(b, f, s) => space_fields(loaded, b, f, s, theme),
    };
    lines.extend(fields);
    (title, lines)
}

/// "—" for a value the template leaves empty.
fn or_dash(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "—".to_string())
}

fn building_fields(loaded: &Loaded, b: usize, theme: Theme) -> (String, Vec<Line<'static>>) {
    let building = &loaded.portfolio.buildings[b];
    let address = [&building.address, &building.address2]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let country = building.country.as_ref().map(|c| c.as_str().to_string());
    let mut lines = vec![
        field(
            "Source",
            format!("{} (first row)", source_range(loaded, building.source.row)),
            theme,
        ),
        field("Name", or_dash(&building.name), theme),
        field("Code", or_dash(&building.code), theme),
    ];
    lines.extend(
        building
            .name
            .as_deref()
            .and_then(|n| condeco_name(n, theme)),
    );
    lines.extend([
        field("State", building.state_code.clone(), theme),
        field("Country", or_dash(&country), theme),
        field("Address", address, theme),
        field("City", or_dash(&building.city), theme),
        field("Zip", or_dash(&building.zip), theme),
        field(
            "Contains",
            format!(
                "{} floors · {} spaces",
                building.floors.len(),
                building.space_count()
            ),
            theme,
        ),
    ]);
    (format!("Building {}", building.display_name()), lines)
}

fn floor_fields(loaded: &Loaded, b: usize, f: usize, theme: Theme) -> (String, Vec<Line<'static>>) {
    let building = &loaded.portfolio.buildings[b];
    let floor = &building.floors[f];
    let number = match floor_number(&floor.name) {
        Some(n) => format!("{n}"),
        None => "none: the name holds no number".to_string(),
    };
    let lines = vec![
        field(
            "Source",
            format!("{} (first row)", source_range(loaded, floor.source.row)),
            theme,
        ),
        field("Floor", floor.name.clone(), theme),
        field("Condeco #", number, theme),
        field("Building", building.label(), theme),
        field("Spaces", floor.spaces.len().to_string(), theme),
    ];
    (floor_label(&floor.name), lines)
}

fn space_fields(
    loaded: &Loaded,
    b: usize,
    f: usize,
    s: usize,
    theme: Theme,
) -> (String, Vec<Line<'static>>) {
    let building = &loaded.portfolio.buildings[b];
    let floor = &building.floors[f];
    let space = &floor.spaces[s];
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let number = |v: Option<f64>| v.map_or("—".to_string(), |n| n.to_string());
    let condeco_floor = floor_number(&floor.name).map_or("no number".into(), |n| n.to_string());
    let usage = loaded.portfolio.space_type(&space.space_type).map_or_else(
        || "usage unknown".to_string(),
        |t| format!("{} ({})", t.usage, t.rule),
    );
    let mut lines = vec![
        field("Source", source_range(loaded, space.source.row), theme),
        field("Room", space.name.clone(), theme),
    ];
    lines.extend(condeco_name(&space.name, theme));
    lines.extend([
        field("Building", building.label(), theme),
        field(
            "Floor",
            format!("{}  → Condeco floor {condeco_floor}", floor.name),
            theme,
        ),
        field("Type", format!("{} · {usage}", space.space_type), theme),
        field("Capacity", space.capacity.to_string(), theme),
        field("Occupiable", yes_no(space.occupiable), theme),
        field("Reservable", yes_no(space.reservable), theme),
        field("Sq ft", number(space.square_feet), theme),
        field("Rentable", number(space.rentable_square_feet), theme),
        field("Description", or_dash(&space.description), theme),
    ]);
    for (header, value) in &space.extra {
        lines.push(field(header, value.clone(), theme));
    }
    (format!("Space {}", space.name), lines)
}

fn finding_details(template: &Template, i: usize, theme: Theme) -> (String, Vec<Line<'static>>) {
    let d = &template.loaded.diagnostics[i];
    let mut lines = vec![
        Line::from(vec![
            Span::styled(d.severity.symbol(), theme.severity(Some(d.severity))),
            Span::raw(format!(" {} {}", d.severity.word(), d.code.as_str())),
        ]),
        field("Where", d.location(), theme),
    ];
    if !d.column.is_empty() {
        lines.push(field("Column", d.column.clone(), theme));
    }
    if !d.value.is_empty() {
        lines.push(field("Value", format!("\"{}\"", d.value), theme));
    }
    lines.push(Line::raw(d.message.clone()));
    if let Some(s) = &d.suggestion {
        lines.push(field("Suggested", s.clone(), theme));
    }
    if let Some(b) = &d.building {
        lines.push(field("Building", b.clone(), theme));
    }
    if let Some(f) = &d.floor {
        lines.push(field("Floor", f.clone(), theme));
    }
    let hint = if template.tree.finding_node[i].is_some() {
        "⏎ jumps to it in the tree"
    } else {
        "about the whole file"
    };
    lines.push(Line::styled(hint, theme.dim()));
    (format!("Finding {}", d.location()), lines)
}

fn type_details(template: &Template, t: usize, theme: Theme) -> (String, Vec<Line<'static>>) {
    let ty = &template.loaded.portfolio.space_types[t];
    let count = template
        .tree
        .type_counts
        .get(&ty.name)
        .copied()
        .unwrap_or(0);
    let synced = match ty.usage {
        crate::domain::Usage::Me => "synced as Condeco personal spaces (desks)",
        crate::domain::Usage::We => "synced as Condeco meeting spaces (rooms)",
        crate::domain::Usage::None => "not synced to Condeco",
    };
    let lines = vec![
        field("Usage", ty.usage.to_string(), theme),
        field("Because", ty.rule.to_string(), theme),
        field("Sync", synced, theme),
        field("Spaces", count.to_string(), theme),
        Line::styled("⏎ shows its spaces in the tree", theme.dim()),
    ];
    (format!("Space type {}", ty.name), lines)
}
