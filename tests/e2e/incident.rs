//! The moment the product exists for: a ransomware drill walked in the real window, one
//! step at a time, through its decisions to the end; then its export verifies.

use std::time::{Duration, Instant};

use caregiver::store::Store;

use crate::harness::{ADMIN, ADMIN_PASS, App};

/// The guided screen's heading now: (its step, or None once the playbook is complete, and
/// its text). The screen redraws after every action, so a read can race a redraw: retry.
async fn guided(app: &App) -> (Option<String>, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(el) = app.client.find(fantoccini::Locator::Css("#guided-title")).await
            && let (Ok(step), Ok(text)) = (el.attr("data-step").await, el.text().await)
        {
            return (step, text);
        }
        assert!(Instant::now() < deadline, "no guided screen:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn shown_step(app: &App) -> Option<String> {
    guided(app).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ransomware_drill_runs_to_the_end_in_the_window_and_its_export_verifies() {
    let app = App::launch_with_store(|_| {}).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.settled_state("#playbooks-status").await;
    app.fill("#playbook-search", "ransom").await;
    app.click("#playbook-list li[data-playbook-id=ransomware] button").await;
    app.wait_screen("playbook:ransomware").await;
    app.click("#start-drill").await;
    app.find("#guided-title").await;
    assert!(app.find("#drill-band").await.is_displayed().await.unwrap(), "no DRILL band");
    assert!(!app.main_text().await.contains("null"), "an absent part printed as text");

    let playbook = caregiver::playbook::find("ransomware").unwrap();
    let mut walked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while let Some(step) = shown_step(&app).await {
        assert!(Instant::now() < deadline && walked.len() < 40, "stuck after {walked:?}");
        let s = playbook.steps.iter().find(|s| s.id == step).expect("a step of the playbook");
        if s.question.is_some() {
            app.click("button[data-choice=\"1\"]").await;
        } else if walked.is_empty() {
            // The first step: note something, then mark it done.
            app.click("#step-note").await;
            app.fill("#note-text", "Ward 4 unplugged at 03:12").await;
            app.click("#note-save").await;
            app.wait_for_step_change_or_same(&step).await;
            app.click("#step-done").await;
        } else {
            app.click("#step-done").await;
        }
        walked.push(step.clone());
        app.wait_for_step_change(&step).await;
    }
    assert!(walked.len() >= 5, "{walked:?}");

    // Any signed-in user resumes an open incident where it stands, from the home screen.
    app.click("#nav-home").await;
    app.wait_screen("home").await;
    let open = app.find("#open-incidents li .playbook-title").await.text().await.unwrap();
    assert_eq!(open, "DRILL: Ransomware or suspected malware outbreak");
    app.click("#open-incidents li button").await;
    app.find("#close-incident").await;
    app.click("#close-incident").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while guided(&app).await.1 != "Incident closed" {
        assert!(Instant::now() < deadline, "not closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Closed incidents leave the home screen's list.
    app.click("#guided-home").await;
    app.wait_screen("home").await;
    app.settled_state("#playbooks-status").await;
    assert!(!app.exists("#open-incidents li").await, "a closed incident is still listed");

    // The log holds every action and verifies as an outsider would check it.
    let session =
        Store::open(&app.store_path()).unwrap().unlock(ADMIN, ADMIN_PASS.as_bytes()).unwrap();
    let mut bundle = Vec::new();
    session.export_log(&mut bundle).unwrap();
    let verified = caregiver::log::verify_bundle(bundle.as_slice()).unwrap();
    // started + a note + one entry per step walked + drill ended
    assert_eq!(verified.entries as usize, 1 + 1 + walked.len() + 1);
    let text = String::from_utf8(bundle).unwrap();
    assert!(text.contains("Ward 4 unplugged at 03:12"));
    assert!(text.contains("\"kind\":\"decision\"") && text.contains("\"kind\":\"drill_ended\""));
    app.close().await;
}
