//! Snapshots of every screen on a fixed-size `TestBackend` (text only), plus a check that
//! `NO_COLOR` drawing uses no colour at all. Accept changes with `cargo insta review`.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use ratatui::style::Color;
use spacebridge::tui::Theme;

#[test]
fn load_empty() {
    let (app, _rx) = app(100, 30);
    insta::assert_snapshot!("load_empty", draw(&app).backend());
}

#[tokio::test]
async fn loading_shows_spinner_elapsed_and_cancel() {
    let (mut app, _rx) = app(100, 30);
    type_path(&mut app, MISTAKES);
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("loading", draw(&app).backend());
}

#[tokio::test]
async fn load_error_is_shown() {
    let (mut app, mut rx) = app(100, 30);
    type_path(&mut app, "assets/no-such-file.xlsx");
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert!(result.is_err());
    insta::assert_snapshot!("load_error", draw(&app).backend());
}

#[test]
fn review_with_errors() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    // Jump from the second finding (a bad state code) to its space in the tree.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("review_with_errors", draw(&app).backend());
}

#[test]
fn review_findings_filtered_to_errors() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('j'));
    insta::assert_snapshot!("review_findings_errors", draw(&app).backend());
}

#[test]
fn review_help_overlay() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("review_help", draw(&app).backend());
}

#[test]
fn review_at_80_by_24() {
    let (mut app, _rx) = app_with(MISTAKES, 80, 24);
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("review_80x24", draw(&app).backend());
}

#[test]
fn review_clean_sample_space_types() {
    let (mut app, _rx) = app_with(SAMPLE, 100, 30);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('j'));
    insta::assert_snapshot!("review_space_types", draw(&app).backend());
}

#[test]
fn no_color_draws_without_colour_but_keeps_symbols() {
    let (mut app, _rx) = app_with(MISTAKES, 100, 30);
    app.theme = Theme { color: false };
    let terminal = draw(&app);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "no foreground colour under NO_COLOR");
        assert_eq!(cell.bg, Color::Reset, "no background colour under NO_COLOR");
    }
    let text = terminal.backend().to_string();
    assert!(text.contains('✗') && text.contains('⚠'));
    app.theme = Theme { color: true };
    let coloured = draw(&app);
    assert!(
        coloured
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset),
        "with colour allowed some cell is coloured"
    );
}

#[test]
fn load_at_80_by_24() {
    let (app, _rx) = app(80, 24);
    insta::assert_snapshot!("load_80x24", draw(&app).backend());
}

#[tokio::test]
async fn reload_popup_lists_what_changed() {
    let (mut app, _rx, _dir) = reloaded_app(100, 30).await;
    app.message = None; // it names the temporary file
    insta::assert_snapshot!("review_reloaded", draw(&app).backend());
}

#[test]
fn tiny_terminals_draw_without_panicking() {
    for (width, height) in [(1, 1), (10, 4), (20, 6), (40, 10), (60, 12)] {
        let (mut app, _rx) = app_with(MISTAKES, width, height);
        draw(&app);
        press(&mut app, KeyCode::Char('E'));
        press(&mut app, KeyCode::Char('G'));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('j'));
        draw(&app);
        press(&mut app, KeyCode::Char('?'));
        draw(&app);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('e'));
        draw(&app);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('1'));
        draw(&app);
    }
}
