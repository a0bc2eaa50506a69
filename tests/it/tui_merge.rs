//! The Merge screen driven headless against the `existing-customer` simulators over loopback
//! with a real store: the counts per level and band, the review queue and the pair view (insta
//! snapshots at 80×24 and 200×50), each decision recorded in the store as it is made (accept,
//! reject, choose another candidate, mark new, undo, a building's auto matches at once), the
//! Condeco entity left without a partner, and the mouse.

use crossterm::event::KeyCode;
use spacebridge::domain::{Decision, ExternalId, SyncKind};
use spacebridge::matcher::Band;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::store::Store;
use spacebridge::tui::screens::merge::{Show, Stage};
use spacebridge::tui::{App, Event, Step};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::tui::*;
use crate::support::{Simulators, spawn_sims};

/// The existing customer's simulators and an app of `width`×`height` on Merge, matched.
async fn merged(
    width: u16,
    height: u16,
) -> (Simulators, tempfile::TempDir, App, UnboundedReceiver<Event>) {
    let sims = spawn_sims(Scenario::ExistingCustomer, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let session = connected(&sims, &dir.path().join("store.sqlite"));
    let (mut app, mut rx) = app_in(session, SAMPLE, width, height);
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(app.step, Step::Merge);
    assert_eq!(app.merge.stage, Stage::Reading);
    settle(&mut app, &mut rx).await;
    assert_eq!(app.merge.stage, Stage::Ready);
    (sims, dir, app, rx)
}

/// The decisions the store holds, by Eptura entity.
fn stored(dir: &tempfile::TempDir) -> Vec<(ExternalId, Decision)> {
    let store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    let decisions = store.decisions().unwrap();
    decisions
        .into_iter()
        .map(|d| (d.eptura, d.decision))
        .collect()
}

fn selected_name(app: &App) -> String {
    app.merge
        .selected()
        .map(|i| i.eptura_name.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_queue_and_the_pair_show_what_to_decide() {
    let (sims, _dir, mut app, _rx) = merged(200, 50).await;
    let shown = screen(&app);
    assert!(
        shown.contains("region 1 auto 5 review")
            && shown.contains("resource 308 auto 1 new")
            && shown.contains("Review queue · 5 left"),
        "{shown}"
    );
    // The pair: both names, the state that agrees, the score, the bookings on Condeco's side.
    assert!(
        shown.contains("region US:Houston  →  Condeco 14 (Texas)"),
        "{shown}"
    );
    assert!(shown.contains("≠ Houston"), "{shown}");
    assert!(shown.contains("= TX"), "{shown}");
    assert!(
        shown.contains("bookings on the Condeco side: 143"),
        "{shown}"
    );
    assert!(
        shown.contains("resource 177 Hudson Room"),
        "the Condeco-only room"
    );
    insta::assert_snapshot!("merge_review_queue_200x50", draw(&app).backend());

    // A resource pair with drifted names, a runner-up and its bookings, from all the pairs.
    while app.merge.show != Show::All {
        press(&mut app, KeyCode::Char('b'));
    }
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "conf rm 3a");
    press(&mut app, KeyCode::Enter);
    let item = app.merge.selected().expect("the room is listed").clone();
    assert_eq!(item.eptura_name, "Conf Rm 3A");
    assert_eq!(item.condeco_name.as_deref(), Some("Conference Room 3A"));
    let shown = screen(&app);
    assert!(shown.contains("Conf Rm 3A"), "{shown}");
    assert!(shown.contains("bookings on the Condeco side:"), "{shown}");
    insta::assert_snapshot!("merge_pair_200x50", draw(&app).backend());
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_merge_screen_fits_80x24() {
    let (sims, _dir, mut app, _rx) = merged(80, 24).await;
    insta::assert_snapshot!("merge_review_queue_80x24", draw(&app).backend());
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('G'));
    insta::assert_snapshot!("merge_pair_80x24", draw(&app).backend());
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_decision_goes_to_the_store_as_it_is_made_and_undo_takes_it_back() {
    let (sims, dir, mut app, mut rx) = merged(120, 40).await;
    let houston = app.merge.selected().unwrap().clone();
    assert_eq!(houston.band, Band::Review);

    // Accept: recorded, and the pair leaves the queue (it is decided now).
    press(&mut app, KeyCode::Char('a'));
    assert!(app.merge.saving);
    settle(&mut app, &mut rx).await;
    let key = houston.condeco_id.unwrap();
    assert_eq!(
        stored(&dir),
        [(houston.eptura_id.clone(), Decision::Accept(key))]
    );
    assert_eq!(app.merge.rows.len(), 4, "{}", screen(&app));
    assert_ne!(selected_name(&app), "Houston", "the next pair is selected");
    assert!(screen(&app).contains("Review queue · 4 left"));

    // Undo: the decision is gone from the store and the pair is back in the queue.
    press(&mut app, KeyCode::Char('u'));
    settle(&mut app, &mut rx).await;
    assert_eq!(stored(&dir), []);
    assert_eq!(app.merge.rows.len(), 5);

    // Reject: recorded; the entity stays in review, flagged, waiting for a decision.
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('x'));
    settle(&mut app, &mut rx).await;
    assert_eq!(
        stored(&dir),
        [(houston.eptura_id.clone(), Decision::Reject(key))]
    );
    let rejected = app
        .merge
        .outcome()
        .unwrap()
        .item(&houston.eptura_id)
        .unwrap();
    assert_eq!(
        rejected.band,
        Band::Review,
        "a rejected entity waits for a decision"
    );

    // Mark new: replaces the rejection.
    while selected_name(&app) != "Houston" {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Char('n'));
    settle(&mut app, &mut rx).await;
    assert_eq!(stored(&dir), [(houston.eptura_id.clone(), Decision::New)]);

    // Choose another candidate: the chooser lists Condeco's regions without a partner.
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(app.merge.show, Show::Decided);
    press(&mut app, KeyCode::Char('c'));
    let chooser = app.merge.chooser.clone();
    let Some(chooser) = chooser else {
        // Texas is Houston's only candidate and it is free again: the chooser offers it.
        panic!("a chooser opens: {}", said(&app));
    };
    assert!(!chooser.candidates.is_empty());
    let (picked, _) = chooser.candidates[0].clone();
    press(&mut app, KeyCode::Enter);
    settle(&mut app, &mut rx).await;
    assert_eq!(
        stored(&dir),
        [(houston.eptura_id.clone(), Decision::LinkTo(picked))]
    );

    // A building's auto matches at once: every auto pair under it is pinned as accepted.
    while app.merge.show != Show::Auto {
        press(&mut app, KeyCode::Char('b'));
    }
    while app
        .merge
        .selected()
        .is_some_and(|i| i.level.as_str() != "resource")
    {
        press(&mut app, KeyCode::Char('j'));
    }
    let building = (app.merge.selected().unwrap().ancestors.iter())
        .find(|a| a.kind() == SyncKind::Location)
        .unwrap()
        .clone();
    press(&mut app, KeyCode::Char('A'));
    settle(&mut app, &mut rx).await;
    let pinned = stored(&dir)
        .into_iter()
        .filter(|(_, d)| matches!(d, Decision::Accept(_)))
        .count();
    let under = (app.merge.outcome().unwrap().items.iter())
        .filter(|i| i.ancestors.contains(&building) || i.eptura_id == building)
        .count();
    assert!(pinned > 10 && pinned <= under, "{pinned} of {under}");
    // One undo takes the whole building back.
    press(&mut app, KeyCode::Char('u'));
    settle(&mut app, &mut rx).await;
    assert_eq!(stored(&dir).len(), 1, "only Houston's link is left");
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mouse_selects_pairs_and_scrolls() {
    let (sims, _dir, mut app, _rx) = merged(120, 40).await;
    // Row 3 is the queue's top border (header, steps, two count lines): row 6 is its third pair.
    let panes = spacebridge::tui::screens::merge::Panes::of(app.main_area());
    let third = panes.queue.y + 3;
    click(&mut app, panes.queue.x + 5, third);
    assert_eq!(app.merge.cursor.selected, 2);
    assert_eq!(selected_name(&app), "Chicago");
    // The wheel over the pair scrolls it (nothing to scroll: it stays), over the queue moves.
    wheel_down(&mut app, panes.queue.x + 5, third);
    assert_eq!(
        app.merge.cursor.selected, 2,
        "five rows fit: nothing to scroll"
    );
    // A click on the steps line switches step.
    click(&mut app, 36, 1);
    assert_eq!(app.step, Step::Sync);
    sims.shutdown().await;
}
