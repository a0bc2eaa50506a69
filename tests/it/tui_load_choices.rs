//! The Load screen's Sheet and Country choices: the file's sheets read in the background,
//! picked with the keys, and used by the load; stale sheet replies dropped.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use spacebridge::tui::Event;
use spacebridge::tui::screens::load::Field;

const INSTRUCTIONS_FIRST: &str = "tests/fixtures/valid/instructions-first.xlsx";

#[tokio::test]
async fn the_sheets_of_a_completed_path_are_offered_and_the_picked_one_is_loaded() {
    let (mut app, mut rx) = app(80, 24);
    type_path(&mut app, "tests/fixtures/valid/instructions-f");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.load.path.value(), INSTRUCTIONS_FIRST);
    let (_, path) = next_sheets(&mut app, &mut rx).await;
    assert!(path.ends_with("instructions-first.xlsx"));
    let sheets = app.load.sheets.clone().expect("the sheets were read");
    assert_eq!(sheets.len(), 2);
    // ↓ leaves the path field for the Sheet choice.
    press(&mut app, KeyCode::Down);
    assert_eq!(app.load.focus, Field::Sheet);
    assert!(screen(&app).contains("(auto: first sheet with a header row)"));
    // auto → first sheet → "Space Data" ✓
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.load.sheet.value(), sheets[0].name);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.load.sheet.value(), "Space Data");
    let drawn = screen(&app);
    assert!(drawn.contains("Space Data ✓"), "{drawn}");
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.load.sheet.value(), "Space Data");
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert_eq!(result, Ok(()), "{}", said(&app));
    let review = app.review.as_ref().expect("loaded");
    assert_eq!(review.loaded.sheet, "Space Data");
}

#[tokio::test]
async fn a_sheet_without_a_header_row_picked_is_what_the_loader_is_asked_for() {
    let (mut app, mut rx) = app(80, 24);
    type_path(&mut app, INSTRUCTIONS_FIRST);
    press(&mut app, KeyCode::Tab);
    next_sheets(&mut app, &mut rx).await;
    let first = app.load.sheets.clone().expect("read")[0].name.clone();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    let message = result.expect_err("the first sheet has no header row");
    assert!(message.contains(&first), "{message}");
}

#[tokio::test]
async fn a_country_is_picked_or_typed_and_used_by_the_load() {
    let (mut app, _rx) = app(80, 24);
    type_path(&mut app, SAMPLE);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.load.focus, Field::Country);
    assert!(screen(&app).contains("(none: US and Canada from the state code)"));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.load.country.value(), "IE");
    assert!(screen(&app).contains("IE Ireland"));
    let request = app.load.request(SAMPLE.into()).expect("a valid country");
    assert_eq!(request.country.map(|c| c.to_string()), Some("IE".into()));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.load.country.value(), "");
    let request = app.load.request(SAMPLE.into()).expect("no country");
    assert_eq!(request.country, None);
    // Any two-letter code can still be typed, also one the list does not have.
    type_text(&mut app, "PT");
    let request = app.load.request(SAMPLE.into()).expect("typed country");
    assert_eq!(request.country.map(|c| c.to_string()), Some("PT".into()));
}

#[tokio::test]
async fn a_reply_for_a_file_no_longer_in_the_path_field_is_dropped() {
    let (mut app, mut rx) = app(80, 24);
    type_path(&mut app, INSTRUCTIONS_FIRST);
    press(&mut app, KeyCode::Tab);
    // The operator moves on to another file before the first reply arrives.
    let stale = match tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv()).await {
        Ok(Some(Event::Job(message))) => message,
        other => panic!("expected a sheets reply, got {other:?}"),
    };
    assert_eq!(app.load.focus, Field::Path);
    for _ in 0..INSTRUCTIONS_FIRST.len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, SAMPLE);
    press(&mut app, KeyCode::Tab);
    app.handle_event(Event::Job(stale));
    assert!(
        app.load.sheets.is_none(),
        "the stale reply was dropped: {:?}",
        app.load.sheets
    );
    let (_, path) = next_sheets(&mut app, &mut rx).await;
    assert!(path.ends_with(SAMPLE));
    assert!(app.load.sheets.is_some());
}

#[tokio::test]
async fn the_sheet_choice_at_80_by_24() {
    let (mut app, mut rx) = app(80, 24);
    type_path(&mut app, INSTRUCTIONS_FIRST);
    next_sheets(&mut app, &mut rx).await;
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    insta::assert_snapshot!("load_sheet_choice_80x24", screen(&app));
}

#[tokio::test]
async fn a_click_on_the_focused_choice_picks_the_next_entry() {
    let (mut app, _rx) = app(80, 24);
    let form = app.load.parts(app.main_area()).form;
    let country_row = form.y + 3;
    click(&mut app, form.x + 12, country_row);
    assert_eq!(app.load.focus, Field::Country);
    assert_eq!(app.load.country.value(), "", "the first click only focuses");
    click(&mut app, form.x + 12, country_row);
    assert_eq!(app.load.country.value(), "GB");
}

#[tokio::test]
async fn the_sheet_is_typed_when_the_file_cannot_be_read() {
    let (mut app, mut rx) = app(80, 24);
    type_path(&mut app, "tests/fixtures/broken/truncated.xlsx");
    next_sheets(&mut app, &mut rx).await;
    assert!(app.load.sheets.is_none());
    press(&mut app, KeyCode::Down);
    assert_eq!(app.load.focus, Field::Sheet);
    type_text(&mut app, "jk Data");
    assert_eq!(app.load.sheet.value(), "jk Data");
}

#[tokio::test]
async fn a_recent_file_that_fails_to_load_offers_its_sheets() {
    let (mut app, mut rx) = app(80, 24);
    app.load.recent = vec![INSTRUCTIONS_FIRST.into()];
    app.load.refresh_recent();
    app.load.sheet = tui_input::Input::new("Instructions".into());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.load.focus, Field::Recent);
    press(&mut app, KeyCode::Enter);
    let (_, result) = next_reply(&mut app, &mut rx).await;
    assert!(result.is_err(), "the Instructions sheet has no header row");
    // The sheets reply may have come before the load's (next_reply hands it over).
    if app.load.sheets.is_none() {
        let (_, path) = next_sheets(&mut app, &mut rx).await;
        assert!(path.ends_with("instructions-first.xlsx"));
    }
    assert_eq!(app.load.focus, Field::Path);
    assert_eq!(app.load.sheets.as_ref().map(Vec::len), Some(2));
}
