//! Pictures of the incident screens for a person to look at (not a check): run
//! `xvfb-run -a cargo test -p caregiver-desktop --test e2e screens -- --ignored`, then open
//! the PNG files in `$CAREGIVER_SHOTS` (default: the system temp folder).

use std::time::Duration;

use crate::harness::{ADMIN, ADMIN_PASS, App};

async fn shot(app: &App, name: &str) {
    // WebKit's screenshot lags a frame behind a redraw.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let dir = std::env::var_os("CAREGIVER_SHOTS").map_or_else(std::env::temp_dir, Into::into);
    let png = app.client.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "makes pictures for a person to look at"]
async fn incident_screens() {
    let app = App::launch_with_store(|s| {
        s.add_user("Ian IT", caregiver::store::Role::Staff, b"first passphrase 12", None).unwrap();
        s.replace_contacts(&[
            crate::calls::contact("desk", "Sam Servicedesk", "it-service-desk", None, None),
            crate::calls::contact(
                "ciso",
                "Cora Security",
                "it-security-lead",
                Some("desk"),
                Some("cio"),
            ),
            crate::calls::contact("cio", "Ike Information", "vendor-support", Some("desk"), None),
        ])
        .unwrap();
    })
    .await;
    app.client.set_window_size(1280, 900).await.unwrap();
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.find("button.situation").await;
    shot(&app, "01-home").await;
    app.click("button.situation[data-situation=ransomware]").await;
    app.find("#start-lead").await;
    shot(&app, "02-start").await;
    app.eval("document.getElementById('start-discovered').value = '2026-11-01T08:00'; return 1")
        .await;
    app.click("#start-confirm").await;
    app.find("#guided-title").await;
    shot(&app, "03-guided").await;
    app.click("#step-done").await;
    app.wait_for_step_change("stop-and-unplug").await;
    app.click("#step-done").await;
    app.wait_for_step_change("monitored-patients").await;
    app.click("#step-skip").await;
    app.fill("#skip-reason", "the ward was already on paper").await;
    app.click("#skip-confirm").await;
    app.wait_for_step_change("paper-downtime").await;
    shot(&app, "04-decision").await;
    app.click("#nav-team").await;
    app.find("#positions").await;
    shot(&app, "05-team").await;
    app.click("#nav-calls").await;
    app.find("#call-tree").await;
    app.click("li[data-contact=ciso] > .outcomes button[data-outcome=wrong-number]").await;
    app.find("li[data-contact=ciso] .alternate").await;
    shot(&app, "07-calls").await;
    app.click("#nav-review").await;
    app.find("#timeline svg").await;
    shot(&app, "06-review").await;
    app.click("#nav-contacts").await;
    app.find("#whole-tree").await;
    shot(&app, "08-contacts").await;
    app.click("#nav-training").await;
    app.find("#dashboard").await;
    shot(&app, "09-training").await;
    app.click("#my-training li[data-module=phishing-awareness] button").await;
    app.find("#module-title").await;
    shot(&app, "10-module").await;
    app.close().await;
}
