//! The shape of the TUI's code: its files import each other one way only (no loop such as app
//! → ui → screen → app), and the app owns no screen's stage machine. Read from the source
//! files, as a reviewer would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The module a file holds, as a path under `tui` ("app", "screens::review"; "" for the root).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(root).expect("under the root");
    let mut parts: Vec<String> = (relative.iter())
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The file's code without its comments and its `#[cfg(test)]` module.
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("read a source file");
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => &text,
    };
    (text.lines())
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a `use` tree names: `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        return vec![path.trim_end_matches("::").to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    (parts.into_iter())
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(&format!("{prefix}{}", p.trim())))
        .collect()
}

/// Every path the code names that may lead into the TUI: its `use` trees, and the
/// `crate::tui::…` and `super::…` paths written in the code.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim_start();
        let statement = statement
            .strip_prefix("pub ")
            .or_else(|| statement.strip_prefix("pub(crate) "))
            .unwrap_or(statement);
        if let Some(tree) = statement.strip_prefix("use ") {
            paths.extend(expand(tree));
        }
    }
    for start in ["crate::tui::", "super::"] {
        for (at, _) in code.match_indices(start) {
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(path.trim_end_matches("::").to_string());
        }
    }
    paths
}

/// The module of the TUI a path in `module` leads to, if any: the longest known module its
/// segments start with.
fn target(module: &[String], path: &str, known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let segments: Vec<&str> = path.split("::").collect();
    let (mut base, rest): (Vec<String>, &[&str]) = match segments.as_slice() {
        ["crate", "tui", rest @ ..] => (Vec::new(), rest),
        ["self", rest @ ..] => (module.to_vec(), rest),
        ["super", ..] => {
            // Each `super` is one module up (foo::bar's is foo, whichever file holds it).
            let supers = segments.iter().take_while(|s| **s == "super").count();
            let mut base = module.to_vec();
            base.truncate(base.len().saturating_sub(supers));
            (base, &segments[supers..])
        }
        // A path relative to the module: one of its own submodules.
        [first, ..] if known.contains(&[module, &[first.to_string()]].concat()) => {
            (module.to_vec(), &segments[..])
        }
        _ => return None,
    };
    let mut found = base.clone();
    for segment in rest {
        base.push(segment.to_string());
        if known.contains(&base) {
            found = base.clone();
        } else {
            break;
        }
    }
    Some(found)
}

/// The modules each module of the TUI imports (itself and its own ancestors' items aside).
fn imports() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let files = files(&root);
    let known: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&root, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(&root, file);
        let targets = (named_paths(&code(file)).iter())
            .filter_map(|path| target(&module, path, &known))
            .filter(|t| *t != module)
            .collect();
        graph.insert(module, targets);
    }
    graph
}

/// A loop in `graph`, as the modules along it, if there is one.
fn a_loop(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|m| name(m)).collect();
            cycle.push(name(node));
            return Some(cycle);
        }
        if !done.insert(node.clone()) {
            return None;
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "tui".to_string()
    } else {
        module.join("::")
    }
}

#[test]
fn the_tui_s_files_import_each_other_one_way_only() {
    let graph = imports();
    let app = graph.get(&vec!["app".to_string()]).expect("the app module");
    assert!(
        app.contains(&vec!["screens".to_string(), "upload".to_string()]),
        "the reader sees the app's imports: {app:?}"
    );
    assert!(
        !app.contains(&vec!["ui".to_string()]),
        "the app never draws"
    );
    assert_eq!(a_loop(&graph), None, "a loop among the TUI's modules");
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let module = |m: &str| vec![m.to_string()];
    let graph = BTreeMap::from([
        (module("app"), BTreeSet::from([module("ui")])),
        (module("ui"), BTreeSet::from([module("upload")])),
        (module("upload"), BTreeSet::from([module("app")])),
    ]);
    assert_eq!(
        a_loop(&graph),
        Some(vec![
            "app".into(),
            "ui".into(),
            "upload".into(),
            "app".into()
        ])
    );
}

#[test]
fn use_trees_are_read_whole() {
    assert_eq!(
        expand("crate::tui::{keymap::{self, Table}, widgets::Ctx}"),
        vec![
            "crate::tui::keymap::self",
            "crate::tui::keymap::Table",
            "crate::tui::widgets::Ctx"
        ]
    );
}

#[test]
fn the_app_owns_no_screen_s_stage_machine() {
    let app = code(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/app.rs"));
    for stage in ["Stage::", "Field::Sheet", "Pane::"] {
        assert!(
            !app.contains(stage),
            "app.rs names a screen's states ({stage}): that belongs to the screen"
        );
    }
}
