//! The TUI driven headless: keys, mouse and background replies go into `App::handle_event`
//! and the tests assert on the state that results (no terminal involved).

use crate::support::tui::*;
use crossterm::event::KeyCode;
use spacebridge::template::Severity;
use spacebridge::tui::app::Overlay;
use spacebridge::tui::portfolio_tree::NodeId;
use spacebridge::tui::prompt::Prompt;
use spacebridge::tui::screens::review::Pane;
use spacebridge::tui::{Session, Step};

#[test]
fn vim_keys_and_arrows_move_the_tree_selection() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    type_text(&mut app, "jjj");
    press(&mut app, KeyCode::Down);
    assert_eq!(review(&app).tree_cursor.selected, 4);
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Up);
    assert_eq!(review(&app).tree_cursor.selected, 2);
    press(&mut app, KeyCode::Char('G'));
    let last = review(&app).rows.len() - 1;
    assert_eq!(review(&app).tree_cursor.selected, last);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(review(&app).tree_cursor.selected, 0);
}

#[test]
fn enter_expands_and_h_collapses_to_the_parent() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    let buildings = review(&app).rows.len();
    press(&mut app, KeyCode::Enter);
    let floors = app
        .review
        .as_ref()
        .map(|r| r.loaded.portfolio.buildings[0].floors.len());
    assert_eq!(Some(review(&app).rows.len()), floors.map(|f| f + buildings));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(review(&app).selected_node(), Some(NodeId::Space(0, 0, 0)));
    press(&mut app, KeyCode::Char('h'));
    assert_eq!(review(&app).selected_node(), Some(NodeId::Floor(0, 0)));
}

#[test]
fn slash_filters_the_tree_and_esc_clears_it() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "bos1");
    press(&mut app, KeyCode::Enter);
    let rows = &review(&app).rows;
    assert_eq!(rows.len(), 1, "only Boston matches");
    // While typing, letters were text, not commands: no step switch, no quit.
    assert!(!app.should_quit());
    assert_eq!(app.step, Step::Review);
    // The filter stays after Enter; movement keys work again.
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(review(&app).rows.len(), 7);
}

#[test]
fn findings_filter_by_severity_then_enter_jumps_to_the_node() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    let state = review(&app);
    assert_eq!(state.focus, Pane::Findings);
    assert_eq!(state.findings_filter.severity, Some(Severity::Warning));
    assert!(!state.findings.is_empty());
    assert!(
        state
            .findings
            .iter()
            .all(|&i| state.loaded.diagnostics[i].severity == Severity::Warning)
    );
    let finding = state.selected_finding().expect("a warning is selected");
    let target = state.tree.finding_node[finding].expect("a warning about a row");
    press(&mut app, KeyCode::Enter);
    let state = review(&app);
    assert_eq!(state.focus, Pane::Tree);
    assert_eq!(state.selected_node(), Some(target));
}

#[test]
fn code_and_building_filters_narrow_the_findings() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('c'));
    let state = review(&app);
    let code = state.findings_filter.code.expect("a code is chosen");
    assert!(
        state
            .findings
            .iter()
            .all(|&i| state.loaded.diagnostics[i].code == code)
    );
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('b'));
    let state = review(&app);
    let building = state.findings_filter.building.clone().expect("a building");
    assert!(
        state
            .findings
            .iter()
            .all(|&i| state.loaded.diagnostics[i].building.as_ref() == Some(&building))
    );
    assert!(state.findings.len() < state.loaded.diagnostics.len());
}

#[test]
fn number_keys_switch_steps_and_blocked_steps_say_why() {
    let (mut app, _rx) = app(100, 30);
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.step, Step::Load, "Review needs a template");
    let message = said(&app);
    assert!(message.contains("load a template first"), "{message}");

    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.step, Step::Load);
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.step, Step::Review);
}

#[test]
fn merge_sync_and_history_say_what_the_session_lacks() {
    // The template has errors; the steps still open (they work on the services, not the file)
    // and, without settings, say what to set.
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    let steps = screen(&app).lines().nth(1).unwrap_or_default().to_string();
    assert!(!steps.contains("not built"), "{steps}");
    for (key, step) in [('3', Step::Merge), ('4', Step::Sync), ('5', Step::History)] {
        press(&mut app, KeyCode::Char(key));
        assert_eq!(app.step, step);
        let shown = screen(&app);
        assert!(shown.contains("this session lacks"), "{shown}");
        assert!(shown.contains("the mapping store"), "{shown}");
    }
    press(&mut app, KeyCode::Char('4'));
    let shown = screen(&app);
    assert!(shown.contains("Condeco is not configured"), "{shown}");
    assert!(shown.contains("spacebridge demo"), "{shown}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step, Step::Load, "Esc goes back");
}

#[test]
fn mouse_click_selects_a_row_and_a_step_tab() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    // Row 2 is the tree's top border, so row 5 is the fourth building.
    click(&mut app, 10, 6);
    assert_eq!(review(&app).tree_cursor.selected, 3);
    // A click on the border only focuses; a second click on the selected building opens it.
    click(&mut app, 10, 2);
    assert_eq!(review(&app).tree_cursor.selected, 3);
    assert_eq!(review(&app).rows.len(), 7);
    click(&mut app, 10, 6);
    assert!(review(&app).rows.len() > 7);
    wheel_down(&mut app, 10, 6);
    assert_eq!(app.step, Step::Review);
    // The steps row: " ▸1 Load  ..." — column 3 is inside the "1 Load" tab.
    click(&mut app, 3, 1);
    assert_eq!(app.step, Step::Load);
    click(&mut app, 12, 1);
    assert_eq!(app.step, Step::Review);
}

#[test]
fn help_overlay_opens_and_closes() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Overlay::Help(_)));
    assert!(screen(&app).contains("export the annotated XLSX"));
    // `/` searches the keys; Esc clears the search, then closes.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "reload");
    press(&mut app, KeyCode::Enter);
    let text = screen(&app);
    assert!(text.contains("reload the file"), "{text}");
    assert!(!text.contains("export the annotated XLSX"), "{text}");
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).contains("export the annotated XLSX"));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn q_quits_at_once_when_idle() {
    let (mut app, _rx) = app_with(SAMPLE, 100, 30);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit());
}

#[tokio::test]
async fn q_asks_first_while_a_load_runs() {
    let (mut app, _rx) = app(100, 30);
    type_path(&mut app, SAMPLE);
    press(&mut app, KeyCode::Enter);
    assert!(app.is_busy());
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "q");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::ConfirmQuit));
    press(&mut app, KeyCode::Char('n'));
    assert!(!app.should_quit());
    assert!(matches!(app.overlay, Overlay::None));
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.should_quit());
}

#[tokio::test]
async fn a_load_opens_review_and_is_remembered() {
    let (mut app, mut rx) = app(100, 30);
    type_path(&mut app, MISTAKES);
    press(&mut app, KeyCode::Enter);
    assert!(app.load.loading.is_some());
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert_eq!(result, Ok(()));
    assert_eq!(app.step, Step::Review);
    assert!(app.load.loading.is_none());
    assert_eq!(review(&app).loaded.counts.buildings, 7);
    assert!(app.load.recent[0].ends_with(MISTAKES));
}

#[tokio::test]
async fn cancelled_and_superseded_loads_are_dropped() {
    let (mut app, mut rx) = app(100, 30);
    type_path(&mut app, SAMPLE);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc); // cancels the running load
    assert!(app.load.loading.is_none());
    assert!(!app.is_busy());
    let (_, _) = next_reply(&mut app, &mut rx).await;
    assert!(
        app.review.is_none(),
        "the cancelled load's reply is ignored"
    );

    // Two loads in a row: only the second one's reply counts.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, &format!("load {SAMPLE}"));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, &format!("load {MISTAKES}"));
    press(&mut app, KeyCode::Enter);
    // The replies may come in either order; the superseded one (the sample, 422 spaces) must
    // never reach the screen, neither before the winner's reply nor after it.
    let spaces = |app: &spacebridge::tui::App| app.review.as_ref().map(|r| r.loaded.counts.spaces);
    let (first, _) = next_reply(&mut app, &mut rx).await;
    assert_ne!(spaces(&app), Some(422), "the superseded load is not shown");
    let (second, _) = next_reply(&mut app, &mut rx).await;
    assert_ne!(first, second, "two loads, two replies");
    assert_eq!(
        review(&app).loaded.counts.spaces,
        420,
        "the mistakes file won"
    );
}

#[tokio::test]
async fn reload_shows_what_changed() {
    // The customer sends the fixed file; r reloads it.
    let (mut app, _rx, _dir) = reloaded_app(100, 30).await;
    let changes = review(&app)
        .changes
        .clone()
        .expect("changes after a reload");
    assert_eq!(changes.errors_before, 10);
    assert_eq!(changes.errors_after, 0);
    assert!(changes.fixed.len() >= 10);
    assert_eq!((changes.before.spaces, changes.after.spaces), (420, 422));
    assert!(screen(&app).contains("what changed"));
    press(&mut app, KeyCode::Esc);
    assert!(!review(&app).show_changes);
}

#[tokio::test]
async fn e_writes_the_annotated_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("for-customer.xlsx");
    let (mut app, mut rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('e'));
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("e opens the export prompt");
    };
    assert!(
        prompt
            .input
            .value()
            .ends_with("sample-template-mistakes-annotated.xlsx")
    );
    // Replace the default with our path.
    app.overlay = Overlay::Prompt(Prompt::export(out.display().to_string()));
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert_eq!(result, Ok(()));
    assert!(out.exists());
    let message = said(&app);
    assert!(message.contains("wrote the annotated copy"), "{message}");
}

#[tokio::test]
async fn tab_completes_the_path() {
    let (mut app, mut rx) = app(100, 30);
    type_path(&mut app, "assets/sample-template-m");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.load.path.value(), MISTAKES);
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn recent_files_are_filtered_and_loaded_and_tab_cycles_the_load_fields() {
    let data = tempfile::tempdir().expect("temp dir");
    let recent: Vec<std::path::PathBuf> = [SAMPLE, MISTAKES, "assets/gone.xlsx"]
        .iter()
        .map(|p| std::path::absolute(p).expect("absolute"))
        .collect();
    std::fs::write(
        data.path().join("recent.json"),
        serde_json::to_vec(&recent).expect("json"),
    )
    .expect("write recent.json");
    let (mut app, mut rx) = new_app(Session::default(), Some(data.path().to_path_buf()), 100, 30);
    assert_eq!(app.load.recent.len(), 3);
    // The list has the keys at first; Tab moves between the list and the fields.
    assert!(!app.load.is_typing());
    press(&mut app, KeyCode::Tab);
    assert!(
        app.load.is_typing(),
        "Tab from the list wraps to the path field"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "mistakes");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.load.recent_shown.len(), 1);
    assert!(screen(&app).contains("/mistakes"));
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert_eq!(result, Ok(()));
    assert_eq!(review(&app).loaded.counts.spaces, 420);
    // The loaded file moved to the top of the saved list.
    let saved: Vec<std::path::PathBuf> =
        serde_json::from_slice(&std::fs::read(data.path().join("recent.json")).expect("read"))
            .expect("json");
    assert!(saved[0].ends_with(MISTAKES));
    assert_eq!(saved.len(), 3);
}

#[test]
fn command_line_completes_verbs_and_load_shows_what_is_loaded() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "exp");
    press(&mut app, KeyCode::Tab);
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!(": opens the command line");
    };
    assert_eq!(prompt.input.value(), "export ");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "bogus");
    press(&mut app, KeyCode::Enter);
    let message = said(&app);
    assert!(message.contains("unknown command"), "{message}");
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.step, Step::Load);
    assert!(screen(&app).contains(&format!(
        "loaded {MISTAKES}: 10 errors · 3 warnings · 7 buildings"
    )));
}

#[tokio::test]
async fn esc_cancels_a_reload_from_review_and_keeps_the_view() {
    let (mut app, mut rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('r'));
    assert!(app.is_busy());
    assert!(screen(&app).contains("Esc cancels"));
    press(&mut app, KeyCode::Esc);
    assert!(!app.is_busy());
    assert_eq!(app.step, Step::Review);
    let _ = next_reply(&mut app, &mut rx).await;
    assert!(
        review(&app).changes.is_none(),
        "the cancelled reload is not applied"
    );
}

#[test]
fn load_help_lists_the_field_keys_and_the_list_keys() {
    // Tall enough for every table, the sheet and country choices included.
    let (mut app, _rx) = app(100, 60);
    press(&mut app, KeyCode::F(1));
    let text = screen(&app);
    assert!(text.contains("complete the path"), "{text}");
    assert!(text.contains("forget the selected recent file"), "{text}");
    assert!(text.contains("next sheet"), "{text}");
    assert!(text.contains("next country"), "{text}");
    assert!(text.contains("Everywhere"), "{text}");
}

#[test]
fn ctrl_c_quits_even_while_a_filter_is_typed() {
    let (mut app, _rx) = app_with(SAMPLE, 100, 30);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "hou");
    ctrl(&mut app, 'c');
    assert!(app.should_quit());
}
