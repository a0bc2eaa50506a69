//! What a new user hit in the TUI (issue 11, tried in tmux at 80×24 and 200×50), one test per
//! defect: headless keys and mouse against the app, and snapshots at both sizes. Each test
//! names the defect it holds down.

use crossterm::event::KeyCode;
use spacebridge::tui::app::Overlay;
use spacebridge::tui::portfolio_tree::NodeId;
use spacebridge::tui::prompt::Prompt;
use spacebridge::tui::screens::load::Field;
use spacebridge::tui::screens::review::Pane;
use spacebridge::tui::screens::upload::Stage;
use spacebridge::tui::{Link, Session, Step};

use crate::support::eptura_client;
use crate::support::tui::*;

const MISSING_COLUMNS: &str = "tests/fixtures/broken/missing-columns.xlsx";
const LATIN1: &str = "tests/fixtures/broken/latin1.csv";

/// A session like the demo's: both services on simulators at fixed addresses.
fn demo_session() -> Session {
    Session {
        profile: Some("demo (new-customer)".into()),
        eptura: Link::Simulator("http://127.0.0.1:41234".into()),
        condeco: Link::Simulator("http://127.0.0.1:41235".into()),
        ..Session::default()
    }
}

/// Line `n` of the drawn frame (without the quotes the test backend puts around it).
fn line(app: &spacebridge::tui::App, n: usize) -> String {
    let drawn = screen(app);
    let line = drawn.lines().nth(n).unwrap_or_default();
    line.trim_matches('"').to_string()
}

#[test]
fn expand_all_and_collapse_all_keep_the_selected_node() {
    // Defect: E/C kept the row number, so the selection jumped to another node.
    let (mut app, _rx) = app_with(MISTAKES, 80, 24);
    press(&mut app, KeyCode::Char('j')); // Boston
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('j')); // Boston's first floor
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('j')); // its first space
    assert_eq!(review(&app).selected_node(), Some(NodeId::Space(1, 0, 0)));
    press(&mut app, KeyCode::Char('E'));
    assert_eq!(review(&app).selected_node(), Some(NodeId::Space(1, 0, 0)));
    press(&mut app, KeyCode::Char('C'));
    assert_eq!(
        review(&app).selected_node(),
        Some(NodeId::Building(1)),
        "the space is hidden: its building is selected"
    );
    press(&mut app, KeyCode::Char('E'));
    assert_eq!(review(&app).selected_node(), Some(NodeId::Building(1)));
}

#[tokio::test]
async fn the_reload_popup_shows_its_whole_list_at_80_by_24() {
    // Defect: at 80×24 the popup's list was cut (it kept two rows free for nothing).
    let (mut app, _rx, _dir) = reloaded_app(80, 24).await;
    app.message = None; // it names the temporary file
    let shown = screen(&app);
    assert!(shown.contains("I407"), "the last finding fixed: {shown}");
    assert!(shown.contains("Esc or ⏎ closes"), "{shown}");
    insta::assert_snapshot!("new_user_reload_popup_80x24", shown);
}

#[tokio::test]
async fn the_reload_popup_takes_every_key_and_scrolls_to_its_end() {
    // Defect: keys passed through the popup to the tree behind it, and a list longer than the
    // terminal could not be scrolled.
    let (mut app, _rx, _dir) = reloaded_app(80, 16).await;
    app.message = None;
    let tree = review(&app).tree_cursor;
    assert!(!screen(&app).contains("Esc or ⏎ closes"), "cut at 80×16");
    for key in [KeyCode::Char('j'), KeyCode::Char('G'), KeyCode::Char('E')] {
        press(&mut app, key);
    }
    assert_eq!(
        review(&app).tree_cursor,
        tree,
        "the tree behind did not move"
    );
    assert!(review(&app).show_changes);
    let bottom = screen(&app);
    assert!(bottom.contains("Esc or ⏎ closes"), "{bottom}");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(screen(&app), bottom, "j stops at the last line");
    press(&mut app, KeyCode::Char('g'));
    assert!(screen(&app).contains("13 fixed"));
    press(&mut app, KeyCode::Esc);
    assert!(!review(&app).show_changes);
}

#[tokio::test]
async fn the_reload_popup_at_200_by_50() {
    let (mut app, _rx, _dir) = reloaded_app(200, 50).await;
    app.message = None;
    insta::assert_snapshot!("new_user_reload_popup_200x50", screen(&app));
}

#[tokio::test]
async fn a_load_error_shows_whole_and_goes_when_the_path_changes() {
    // Defect: the Status box was 3 lines, so the fix at the end of a message ("save it again
    // as UTF-8 CSV") was cut while Recent files showed empty lines; and an old error stayed
    // after a new path was typed.
    let (mut app, mut rx) = app(80, 24);
    type_path(&mut app, LATIN1);
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert!(result.is_err());
    app.message = None; // the same message, cut, is in the status line
    let shown = screen(&app);
    assert!(shown.contains("UTF-8 CSV"), "{shown}");
    insta::assert_snapshot!("new_user_load_error_80x24", shown);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(
        app.load.error, None,
        "editing the path forgets the old error"
    );
    assert!(!screen(&app).contains("UTF-8 CSV"));
}

#[tokio::test]
async fn a_missing_file_and_a_folder_are_said_in_words() {
    // Defect: a missing path or a directory showed a raw "(os error 2)".
    for (path, expected) in [
        (
            "assets/no-such-file.xlsx",
            "there is no file assets/no-such-file.xlsx",
        ),
        ("assets", "assets is a folder"),
    ] {
        let (mut app, mut rx) = app(80, 24);
        type_path(&mut app, path);
        press(&mut app, KeyCode::Enter);
        let (_, result) = next_reply(&mut app, &mut rx).await;
        let message = result.expect_err("it cannot load");
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("os error"), "{message}");
    }
}

#[test]
fn the_details_pane_takes_the_focus_scrolls_and_shows_the_source_first() {
    // Defect: the details pane could not be focused or scrolled, and hid Source (the cell to
    // fix) at 80×24.
    let (mut app, _rx) = app_with(MISTAKES, 80, 24);
    press(&mut app, KeyCode::Char('s')); // errors
    press(&mut app, KeyCode::Enter); // jump to the first error's space
    let shown = screen(&app);
    assert!(shown.contains("Source      Space Data!A20:P20"), "{shown}");
    insta::assert_snapshot!("new_user_review_details_80x24", shown);
    press(&mut app, KeyCode::Tab);
    assert_eq!(review(&app).focus, Pane::Details);
    assert!(screen(&app).contains(" more "), "lines are hidden below");
    press(&mut app, KeyCode::Char('G'));
    let bottom = screen(&app);
    assert!(bottom.contains(" above "), "{bottom}");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(screen(&app), bottom, "j stops at the last line");
    press(&mut app, KeyCode::Char('g'));
    assert!(screen(&app).contains("Source"));
    // The wheel over the details scrolls them too.
    let details = review(&app).panes().details;
    wheel_down(&mut app, details.x + 2, details.y + 2);
    assert!(screen(&app).contains(" ↑ 3 ↓ "), "three rows down");
}

#[test]
fn review_at_200_by_50() {
    let (mut app, _rx) = app_in(demo_session(), MISTAKES, 200, 50);
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("new_user_review_200x50", screen(&app));
}

#[test]
fn help_is_as_wide_as_the_terminal_allows_and_titled_after_what_is_in_front() {
    // Defect: help was 72 columns even at 200×50 and cut lines.
    let (mut app, _rx) = app_with(MISTAKES, 200, 50);
    press(&mut app, KeyCode::Char('?'));
    let shown = screen(&app);
    let title = (shown.lines())
        .find(|l| l.contains("Help: Review"))
        .expect("the help's title names the screen");
    let width = title.trim_matches(|c| c != '┌' && c != '┐').chars().count();
    assert!(width > 100, "the help is {width} wide at 200 columns");
    assert!(
        shown.contains("quit (asks first while work runs; Ctrl-C twice quits at once)"),
        "{shown}"
    );
    insta::assert_snapshot!("new_user_help_200x50", shown);
    // At 80 columns long lines wrap under their description instead of being cut.
    let (mut app, _rx) = app_with(MISTAKES, 80, 24);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("new_user_help_80x24", screen(&app));
}

#[test]
fn help_pages_and_stops_at_its_last_line() {
    // Defect: PgDn/G/End were listed but did nothing, and j scrolled past the end.
    let (mut app, _rx) = app_with(MISTAKES, 80, 24);
    press(&mut app, KeyCode::Char('?'));
    let last = "switches step on the steps line";
    assert!(!screen(&app).contains(last));
    press(&mut app, KeyCode::End);
    let bottom = screen(&app);
    assert!(bottom.contains(last), "{bottom}");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(screen(&app), bottom, "j stops at the last line");
    press(&mut app, KeyCode::Char('k'));
    assert!(!screen(&app).contains(last), "one k goes back one line");
    press(&mut app, KeyCode::Home);
    assert!(screen(&app).contains("│Review"));
    press(&mut app, KeyCode::PageDown);
    assert!(!screen(&app).contains("│Review"), "PgDn pages");
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(screen(&app), bottom);
}

#[test]
fn at_80_columns_nothing_is_cut_mid_word_and_names_fit() {
    // Defect: at 80 columns the header and the status line were cut mid-word, and tree names
    // were cut while seven columns stayed blank.
    let (mut app, _rx) = app_in(demo_session(), MISTAKES, 80, 24);
    let header = line(&app, 0);
    assert!(
        header.contains("DRY-RUN")
            && header.contains("Eptura ● sim :41234")
            && header.contains("Condeco ● sim :41235"),
        "{header}"
    );
    let shown = screen(&app);
    for name in [
        "Houston Energy Center (HOU1)",
        "Washington Capitol Hill (DCA1)",
        "Toronto King West (TOR1)",
    ] {
        assert!(shown.contains(name), "{name} whole:\n{shown}");
    }
    let message = "the upload stopped while listing the floors of Washington Capitol Hill \
                   (DCA1): the connection was refused; check the address and try again";
    app.say(message);
    let status = line(&app, 22);
    let cut = status.trim().trim_end_matches('…');
    assert!(status.trim().ends_with('…'), "{status}");
    assert!(message.starts_with(cut), "{status}");
    assert_eq!(
        &message[cut.len()..cut.len() + 1],
        " ",
        "cut at a word: {status}"
    );
    app.message = None;
    insta::assert_snapshot!("new_user_review_demo_80x24", screen(&app));
}

#[tokio::test]
async fn a_load_clears_the_previous_status_message() {
    // Defect: the previous status message showed through during a load.
    let (mut app, _rx) = app_with(MISTAKES, 80, 24);
    app.say("✓ annotated copy written to /tmp/x.xlsx: send it to the customer");
    press(&mut app, KeyCode::Char('r'));
    let status = line(&app, 22);
    assert!(status.contains("loading"), "{status}");
    assert!(!status.contains("annotated copy"), "{status}");
}

#[test]
fn a_bare_start_has_the_keys_not_the_path_field() {
    // Defect: bare `spacebridge` started with the focus in the path field, so the global
    // keys typed into it.
    let (mut app, _rx) = app(80, 24);
    assert_eq!(app.load.focus, Field::Recent);
    press(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Overlay::Help(_)));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.step, Step::Sync);
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.load.path.value(), "", "nothing was typed into the path");
    // Enter on the empty recent list (or i) goes to the path field.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.load.focus, Field::Path);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_dry_run_says_nothing_was_written() {
    // Defect: a failed dry run said "upload stopped … upload again to finish the rest"
    // though nothing had been written.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address")
    };
    let session = Session {
        eptura: Link::Configured(format!("http://{closed}")),
        eptura_client: Some(eptura_client(&format!("http://{closed}"))),
        ..Session::default()
    };
    let (mut app, mut rx) = app_in(session, SAMPLE, 80, 24);
    press(&mut app, KeyCode::Char('u'));
    let (_, result) = next_reply(&mut app, &mut rx).await;
    let message = result.expect_err("nothing listens there");
    assert!(
        message.starts_with("the dry run stopped while"),
        "{message}"
    );
    let panel = app.upload.as_ref().expect("the panel stays open");
    assert!(matches!(panel.stage, Stage::Failed { dry_run: true, .. }));
    let shown = screen(&app);
    assert!(shown.contains("Nothing was written"), "{shown}");
    assert!(!shown.contains("finish the rest"), "{shown}");
    assert!(said(&app).contains("nothing was written"), "{}", said(&app));
}

#[test]
fn a_template_with_a_missing_column_claims_no_check_mark() {
    // Defect: a template with a missing column showed ✓ on every node while the upload
    // refused it.
    let (app, _rx) = app_with(MISSING_COLUMNS, 80, 24);
    let shown = screen(&app);
    let tree: Vec<&str> = (shown.lines())
        .filter(|l| l.contains(" sp┃") || l.contains(" sp│"))
        .collect();
    assert!(!tree.is_empty(), "{shown}");
    for row in &tree {
        assert!(!row.contains('✓'), "{row}");
        assert!(row.contains('⊘'), "{row}");
    }
    assert!(shown.contains("about the whole file"), "{shown}");
    insta::assert_snapshot!("new_user_missing_columns_80x24", shown);
    let (app, _rx) = app_with(MISSING_COLUMNS, 200, 50);
    insta::assert_snapshot!("new_user_missing_columns_200x50", screen(&app));
}

#[test]
fn tab_on_the_command_line_says_what_it_found() {
    // Defect: `:load` Tab completion gave no feedback.
    let (mut app, _rx) = app(80, 24);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "load assets/sample-t");
    press(&mut app, KeyCode::Tab);
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the command line is open");
    };
    assert_eq!(prompt.input.value(), "load assets/sample-template");
    let shown = screen(&app);
    assert!(shown.contains("matches (Tab cycles)"), "{shown}");
    assert!(shown.contains("sample-template.xlsx"), "{shown}");
    press(&mut app, KeyCode::Tab);
    assert!(
        screen(&app).contains("[sample-template"),
        "Tab again cycles"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "load assets/zz");
    press(&mut app, KeyCode::Tab);
    let shown = screen(&app);
    assert!(
        shown.contains("nothing to complete: no folder or template file starts with"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_second_ctrl_c_quits_at_once() {
    // Defect: a second Ctrl-C did not force the quit (k9s and lazygit do).
    let (mut app, _rx) = app(80, 24);
    type_path(&mut app, SAMPLE);
    press(&mut app, KeyCode::Enter);
    assert!(app.is_busy());
    ctrl(&mut app, 'c');
    assert!(matches!(app.overlay, Overlay::ConfirmQuit));
    assert!(!app.should_quit());
    ctrl(&mut app, 'c');
    assert!(app.should_quit());
}

#[tokio::test]
async fn export_asks_before_overwriting_a_file() {
    // Defect: `e` overwrote an existing file without asking.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("for-customer.xlsx");
    std::fs::write(&out, b"the customer's own notes").expect("write");
    let (mut app, mut rx) = app_with(MISTAKES, 80, 24);
    press(&mut app, KeyCode::Char('e'));
    app.overlay = Overlay::Prompt(Prompt::export(out.display().to_string()));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::ConfirmOverwrite(_)));
    assert!(screen(&app).contains("exists already"));
    press(&mut app, KeyCode::Char('n'));
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("n goes back to the path");
    };
    assert_eq!(prompt.input.value(), out.display().to_string());
    assert_eq!(
        std::fs::read(&out).expect("read"),
        b"the customer's own notes",
        "nothing written yet"
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert_eq!(result, Ok(()));
    assert!(std::fs::metadata(&out).expect("written").len() > 1000);
}
