//! A tabletop exercise in the window: the facilitator runs the ransomware tabletop on the
//! facilitator's screen through five injects, pausing it; a participant's decision is
//! logged against the inject in play; an evaluator rates a critical task under her own
//! unlock; the AAR/IP saved from the window holds the observation and a corrective action,
//! whose due date shows in the reminders; the register shows the year's exercise and what
//! is still required.

use caregiver::store::Role;

use crate::harness::{ADMIN, ADMIN_PASS, App};

const EVE: &str = "Eve Evaluator";
const FIRST: &str = "first passphrase 12";
const EVE_PASS: &str = "eve's own passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn a_facilitator_runs_the_ransomware_tabletop_and_its_plan_reminds() {
    let app = App::launch_with_store(|s| {
        s.add_user(EVE, Role::Lead, FIRST.as_bytes(), None).unwrap();
    })
    .await;
    app.set_own_passphrase(EVE, FIRST, EVE_PASS);

    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-exercises").await;
    app.wait_screen("exercises").await;
    app.click("#start-exercise-ransomware-ehr-downtime").await;
    let screen = loop {
        let key = app.attr_now("#main", "data-screen").await.unwrap_or_default();
        if key.starts_with("exercise:") {
            break key;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let id = screen.trim_start_matches("exercise:").to_owned();
    app.wait_attr("#inject-now", "data-inject", "ransom-note").await;
    let message = app.find("#inject-now .inject-message").await.text().await.unwrap();
    assert!(message.contains("ransom note"), "{message}");
    app.wait_attr("#inject-next", "data-inject", "monitors-stale").await;
    let asked = app.texts_of_shown("#inject-questions li").await;
    assert!(asked.iter().any(|q| q.contains("downtime forms")), "{asked:?}");

    // Paused, then through five injects.
    app.click("#exercise-pause").await;
    app.wait_attr("#scenario-clock", "data-running", "false").await;
    for inject in [
        "monitors-stale",
        "ehr-down-everywhere",
        "servers-encrypted",
        "safety-check",
        "segment-network",
    ] {
        app.click("#exercise-next").await;
        app.wait_attr("#inject-now", "data-inject", inject).await;
    }
    app.click("#exercise-resume").await;
    app.wait_attr("#scenario-clock", "data-running", "true").await;

    // The table's decision, against the inject in play.
    app.fill("#decision-text", "Cut the clinical network; lab and imaging go to downtime").await;
    app.click("#decision-log").await;
    app.wait_attr("#decision-list li", "data-inject", "segment-network").await;

    // A corrective action due in a week.
    let due = (harness_now() + chrono::Duration::days(7)).format("%Y-%m-%d").to_string();
    app.click("#action-objective option[value=contain-the-spread]").await;
    app.fill("#action-text", "Label every network cable on the units").await;
    app.fill("#action-owner", EVE).await;
    app.fill("#action-due", &due).await;
    app.fill("#action-changes", "ransomware#stop-and-unplug").await;
    app.click("#action-add").await;
    app.wait_attr("#exercise-actions li", "data-state", "open").await;

    // The evaluator, under her own unlock.
    app.click("#nav-lock").await;
    app.unlock(EVE, EVE_PASS, "home").await;
    // The action she owns is due within a week: it is in the reminders.
    let reminder =
        app.find(&format!("#reminder-banner .reminder[data-step=\"action:{id}-C1\"]")).await;
    let said = reminder.text().await.unwrap();
    assert!(said.contains(&due), "{said}");
    app.click("#nav-exercises").await;
    app.wait_screen("exercises").await;
    app.click(&format!("#exercise-list li[data-exercise=\"{id}\"] button")).await;
    app.wait_screen(&format!("exercise:{id}")).await;
    app.click("#observe-task option[value=isolate-machines]").await;
    app.click("#observe-rating option[value=s]").await;
    app.fill("#observe-note", "Two PCs were powered off before they were unplugged").await;
    app.click("#observe-save").await;
    app.wait_attr("#observation-list li", "data-rating", "s").await;

    app.click("#exercise-report").await;
    let path = loop {
        if let Some(p) = app.attr_now("#exercise-status", "data-path").await {
            break p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let page = std::fs::read_to_string(&path).unwrap();
    for want in [
        "After-Action Report / Improvement Plan",
        "Two PCs were powered off before they were unplugged",
        "S: performed with some challenges",
        "Label every network cable on the units",
        due.as_str(),
        "<svg",
    ] {
        assert!(page.contains(want), "{want}");
    }

    // The register: this year's tabletop, and what is still required.
    app.click("#exercise-back").await;
    app.wait_screen("exercises").await;
    let year = app.find("#exercise-register .register-year").await;
    assert_eq!(year.attr("data-held").await.unwrap().as_deref(), Some("1"));
    let text = year.text().await.unwrap();
    assert!(text.contains("Still required: a full-scale or functional exercise"), "{text}");
    app.close().await;
}

fn harness_now() -> chrono::DateTime<chrono::Utc> {
    crate::harness::clock().now()
}
