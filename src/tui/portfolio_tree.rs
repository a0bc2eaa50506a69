//! The portfolio as a tree for the Review screen: each building, floor and space with the
//! findings that concern it and an aggregated status (✓ ⚠ ✗ with counts), and the flattening
//! of that tree into the rows currently visible (expanded nodes, optional text filter). Built
//! once per load, so drawing touches only the visible window however large the portfolio is.
//! Pure data: no drawing, no I/O.

use std::collections::HashMap;

use crate::template::{Loaded, Severity};

/// A loaded template with its tree, ready for Review. Built in the background so that opening
/// a 100,000-space portfolio does not stall the UI.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub loaded: Loaded,
    pub tree: Tree,
}

impl Prepared {
    pub fn new(loaded: Loaded) -> Prepared {
        let tree = Tree::build(&loaded);
        Prepared { loaded, tree }
    }
}

/// A node of the tree, by position in the portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeId {
    Building(usize),
    Floor(usize, usize),
    Space(usize, usize, usize),
}

impl NodeId {
    pub fn building(self) -> usize {
        match self {
            NodeId::Building(b) | NodeId::Floor(b, _) | NodeId::Space(b, _, _) => b,
        }
    }

    pub fn depth(self) -> usize {
        match self {
            NodeId::Building(_) => 0,
            NodeId::Floor(..) => 1,
            NodeId::Space(..) => 2,
        }
    }

    pub fn parent(self) -> Option<NodeId> {
        match self {
            NodeId::Building(_) => None,
            NodeId::Floor(b, _) => Some(NodeId::Building(b)),
            NodeId::Space(b, f, _) => Some(NodeId::Floor(b, f)),
        }
    }
}

/// Errors and warnings at or below a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    pub errors: u32,
    pub warnings: u32,
}

impl Status {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => {}
        }
    }

    fn merge(&mut self, other: Status) {
        self.errors += other.errors;
        self.warnings += other.warnings;
    }

    /// The worst severity present, `None` when clean.
    pub fn worst(self) -> Option<Severity> {
        if self.errors > 0 {
            Some(Severity::Error)
        } else if self.warnings > 0 {
            Some(Severity::Warning)
        } else {
            None
        }
    }

    /// ✓, ⚠ or ✗.
    pub fn symbol(self) -> &'static str {
        self.worst().map_or("✓", Severity::symbol)
    }

    /// The symbol shown for a node: [`Status::symbol`], but ⊘ (blocked) instead of ✓ when
    /// the file has errors that belong to no building (then nothing can be uploaded).
    pub fn shown(self, file_blocked: bool) -> &'static str {
        if file_blocked && self.worst().is_none() {
            "⊘"
        } else {
            self.symbol()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SpaceNode {
    pub status: Status,
    /// Indexes into `Loaded::diagnostics`.
    pub findings: Vec<usize>,
    search: String,
}

#[derive(Debug, Clone, Default)]
pub struct FloorNode {
    pub status: Status,
    /// Findings about the floor itself (rows that made no space, e.g. a blank room).
    pub findings: Vec<usize>,
    pub spaces: Vec<SpaceNode>,
    search: String,
}

#[derive(Debug, Clone, Default)]
pub struct BuildingNode {
    pub status: Status,
    pub findings: Vec<usize>,
    pub floors: Vec<FloorNode>,
    search: String,
}

/// The tree's statuses and the node each finding belongs to.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub buildings: Vec<BuildingNode>,
    /// For each diagnostic, its node; `None` for findings about the whole file or sheet.
    pub finding_node: Vec<Option<NodeId>>,
    /// Number of spaces of each space type.
    pub type_counts: HashMap<String, usize>,
}

impl Tree {
    pub fn build(loaded: &Loaded) -> Tree {
        let portfolio = &loaded.portfolio;
        let mut tree = Tree::default();
        let mut by_row: HashMap<u32, NodeId> = HashMap::new();
        let mut by_label: HashMap<String, usize> = HashMap::new();
        let mut type_counts: HashMap<&str, usize> = HashMap::new();
        for (b, building) in portfolio.buildings.iter().enumerate() {
            by_label.insert(building.label(), b);
            let mut node = BuildingNode {
                search: building.label().to_lowercase(),
                ..BuildingNode::default()
            };
            for (f, floor) in building.floors.iter().enumerate() {
                let mut floor_node = FloorNode {
                    search: floor_label(&floor.name).to_lowercase(),
                    ..FloorNode::default()
                };
                for (s, space) in floor.spaces.iter().enumerate() {
                    by_row.insert(space.source.row, NodeId::Space(b, f, s));
                    *type_counts.entry(space.space_type.as_str()).or_default() += 1;
                    floor_node.spaces.push(SpaceNode {
                        search: format!("{} {}", space.name, space.space_type).to_lowercase(),
                        ..SpaceNode::default()
                    });
                }
                node.floors.push(floor_node);
            }
            tree.buildings.push(node);
        }
        tree.type_counts = (type_counts.into_iter())
            .map(|(name, n)| (name.to_string(), n))
            .collect();
        for (i, d) in loaded.diagnostics.iter().enumerate() {
            let on_sheet = d.sheet == loaded.sheet && d.row > 0;
            let node = on_sheet
                .then(|| by_row.get(&d.row).copied())
                .flatten()
                .or_else(|| {
                    let b = *by_label.get(d.building.as_deref()?)?;
                    let floor = d.floor.as_deref().and_then(|name| {
                        portfolio.buildings[b]
                            .floors
                            .iter()
                            .position(|f| f.name == name)
                    });
                    Some(floor.map_or(NodeId::Building(b), |f| NodeId::Floor(b, f)))
                });
            tree.finding_node.push(node);
            if let Some(node) = node {
                tree.findings_mut(node).push(i);
            }
        }
        tree.aggregate(loaded);
        tree
    }

    fn findings_mut(&mut self, node: NodeId) -> &mut Vec<usize> {
        match node {
            NodeId::Building(b) => &mut self.buildings[b].findings,
            NodeId::Floor(b, f) => &mut self.buildings[b].floors[f].findings,
            NodeId::Space(b, f, s) => &mut self.buildings[b].floors[f].spaces[s].findings,
        }
    }

    /// Each node's status: its own findings plus its children's.
    fn aggregate(&mut self, loaded: &Loaded) {
        let own = |findings: &[usize]| {
            let mut status = Status::default();
            for &i in findings {
                status.add(loaded.diagnostics[i].severity);
            }
            status
        };
        for building in &mut self.buildings {
            let mut b_status = own(&building.findings);
            for floor in &mut building.floors {
                let mut f_status = own(&floor.findings);
                for space in &mut floor.spaces {
                    space.status = own(&space.findings);
                    f_status.merge(space.status);
                }
                floor.status = f_status;
                b_status.merge(f_status);
            }
            building.status = b_status;
        }
    }

    pub fn status(&self, node: NodeId) -> Status {
        match node {
            NodeId::Building(b) => self.buildings[b].status,
            NodeId::Floor(b, f) => self.buildings[b].floors[f].status,
            NodeId::Space(b, f, s) => self.buildings[b].floors[f].spaces[s].status,
        }
    }

    /// Findings attached to this very node (not its children).
    pub fn findings(&self, node: NodeId) -> &[usize] {
        match node {
            NodeId::Building(b) => &self.buildings[b].findings,
            NodeId::Floor(b, f) => &self.buildings[b].floors[f].findings,
            NodeId::Space(b, f, s) => &self.buildings[b].floors[f].spaces[s].findings,
        }
    }

    /// Whether the node's own text (not its children's) contains `needle` (lower case).
    pub fn matches(&self, node: NodeId, needle: &str) -> bool {
        let search = match node {
            NodeId::Building(b) => &self.buildings[b].search,
            NodeId::Floor(b, f) => &self.buildings[b].floors[f].search,
            NodeId::Space(b, f, s) => &self.buildings[b].floors[f].spaces[s].search,
        };
        search.contains(needle)
    }

    pub fn has_children(&self, node: NodeId) -> bool {
        match node {
            NodeId::Building(b) => !self.buildings[b].floors.is_empty(),
            NodeId::Floor(b, f) => !self.buildings[b].floors[f].spaces.is_empty(),
            NodeId::Space(..) => false,
        }
    }

    /// The rows to show, top to bottom. With a filter (lower case), a node shows when it, an
    /// ancestor or a descendant matches; paths to matching descendants open by themselves.
    pub fn visible(&self, expansion: &Expansion, filter: &str) -> Vec<NodeId> {
        let mut rows = Vec::new();
        for (b, building) in self.buildings.iter().enumerate() {
            if filter.is_empty() {
                self.push_unfiltered(b, expansion, &mut rows);
                continue;
            }
            let b_hit = building.search.contains(filter);
            let floor_hits: Vec<(bool, Vec<usize>)> = building
                .floors
                .iter()
                .map(|floor| {
                    let spaces = floor
                        .spaces
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.search.contains(filter))
                        .map(|(i, _)| i)
                        .collect();
                    (floor.search.contains(filter), spaces)
                })
                .collect();
            let below = floor_hits.iter().any(|(f, s)| *f || !s.is_empty());
            if !b_hit && !below {
                continue;
            }
            rows.push(NodeId::Building(b));
            if !below && !expansion.is_open(NodeId::Building(b)) {
                continue;
            }
            for (f, (f_hit, spaces)) in floor_hits.into_iter().enumerate() {
                if !(b_hit || f_hit || !spaces.is_empty()) {
                    continue;
                }
                rows.push(NodeId::Floor(b, f));
                if !(spaces.is_empty() || b_hit || f_hit) {
                    rows.extend(spaces.into_iter().map(|s| NodeId::Space(b, f, s)));
                } else if !spaces.is_empty() || expansion.is_open(NodeId::Floor(b, f)) {
                    let count = building.floors[f].spaces.len();
                    rows.extend((0..count).map(|s| NodeId::Space(b, f, s)));
                }
            }
        }
        rows
    }

    fn push_unfiltered(&self, b: usize, expansion: &Expansion, rows: &mut Vec<NodeId>) {
        rows.push(NodeId::Building(b));
        if !expansion.is_open(NodeId::Building(b)) {
            return;
        }
        for (f, floor) in self.buildings[b].floors.iter().enumerate() {
            rows.push(NodeId::Floor(b, f));
            if expansion.is_open(NodeId::Floor(b, f)) {
                rows.extend((0..floor.spaces.len()).map(|s| NodeId::Space(b, f, s)));
            }
        }
    }
}

/// Which buildings and floors are open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    open: std::collections::HashSet<NodeId>,
}

impl Expansion {
    pub fn is_open(&self, node: NodeId) -> bool {
        self.open.contains(&node)
    }

    pub fn set(&mut self, node: NodeId, open: bool) {
        if open {
            self.open.insert(node);
        } else {
            self.open.remove(&node);
        }
    }

    /// Open every ancestor of `node`, so it becomes visible.
    pub fn reveal(&mut self, node: NodeId) {
        let mut up = node.parent();
        while let Some(parent) = up {
            self.open.insert(parent);
            up = parent.parent();
        }
    }

    pub fn open_all(&mut self, tree: &Tree) {
        for (b, building) in tree.buildings.iter().enumerate() {
            self.open.insert(NodeId::Building(b));
            for f in 0..building.floors.len() {
                self.open.insert(NodeId::Floor(b, f));
            }
        }
    }

    pub fn close_all(&mut self) {
        self.open.clear();
    }
}

/// "Floor 2" for a bare number, else the floor's own name ("Ground", "Level 3").
pub fn floor_label(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_digit() || c == '-') {
        format!("Floor {name}")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{LoadOptions, load};
    use std::path::Path;

    fn mistakes() -> Loaded {
        load(
            Path::new("assets/sample-template-mistakes.xlsx"),
            &LoadOptions::default(),
        )
        .expect("the sample with mistakes loads")
    }

    #[test]
    fn findings_reach_their_space_and_aggregate_upwards() {
        let loaded = mistakes();
        let tree = Tree::build(&loaded);
        let capacity = loaded
            .diagnostics
            .iter()
            .position(|d| d.code.as_str() == "bad-capacity")
            .expect("the sample has a bad capacity");
        let Some(NodeId::Space(b, f, s)) = tree.finding_node[capacity] else {
            panic!("bad-capacity should sit on a space");
        };
        let space = &loaded.portfolio.buildings[b].floors[f].spaces[s];
        assert_eq!(space.source.row, loaded.diagnostics[capacity].row);
        assert!(tree.status(NodeId::Space(b, f, s)).errors >= 1);
        assert!(tree.status(NodeId::Floor(b, f)).errors >= 1);
        assert_eq!(tree.status(NodeId::Building(b)).symbol(), "✗");
        let total: u32 = tree.buildings.iter().map(|b| b.status.errors).sum();
        let attached = loaded
            .diagnostics
            .iter()
            .zip(&tree.finding_node)
            .filter(|(d, n)| d.severity == Severity::Error && n.is_some())
            .count();
        assert_eq!(total as usize, attached);
    }

    #[test]
    fn rows_without_a_space_attach_to_their_floor() {
        let loaded = mistakes();
        let tree = Tree::build(&loaded);
        let blank_room = loaded
            .diagnostics
            .iter()
            .position(|d| d.code.as_str() == "missing-value")
            .expect("the sample has a blank room");
        assert!(matches!(
            tree.finding_node[blank_room],
            Some(NodeId::Floor(..))
        ));
    }

    #[test]
    fn visible_rows_follow_expansion_and_filter() {
        let loaded = mistakes();
        let tree = Tree::build(&loaded);
        let mut expansion = Expansion::default();
        assert_eq!(
            tree.visible(&expansion, "").len(),
            loaded.portfolio.buildings.len()
        );
        expansion.set(NodeId::Building(0), true);
        let floors = loaded.portfolio.buildings[0].floors.len();
        assert_eq!(
            tree.visible(&expansion, "").len(),
            loaded.portfolio.buildings.len() + floors
        );
        let name = loaded.portfolio.buildings[2].floors[0].spaces[0]
            .name
            .to_lowercase();
        let rows = tree.visible(&Expansion::default(), &name);
        assert!(rows.contains(&NodeId::Space(2, 0, 0)));
        assert!(rows.contains(&NodeId::Building(2)));
        assert!(!rows.contains(&NodeId::Building(0)) || name.contains("hou"));
    }
}
