//! The breach decision in the window: the privacy officer, under their own unlock, completes
//! the four-factor form on the incident's decision step (a mistake first, named by the
//! core); its result answers the decisions; the notification clocks then show on the
//! Clocks screen in the workstation's zone; the HICS 214 saved from the window holds the
//! signed assessment and reads in local time.

use std::time::{Duration, Instant};

use caregiver::incident::{Action, StartOptions};
use caregiver::store::{Role, Store};

use crate::harness::{ADMIN, ADMIN_PASS, App};

const PAT: &str = "Pat Privacy";
const PAT_FIRST: &str = "first passphrase 12";
const PAT_PASS: &str = "pat's own passphrase";
const ZONE: &str = "America/Chicago";

#[tokio::test(flavor = "multi_thread")]
async fn the_privacy_officer_completes_the_four_factor_form_in_the_window() {
    let discovered = chrono::Utc::now() - chrono::Duration::days(2);
    let mut id = String::new();
    let app = App::launch_with_store(|s| {
        s.set_time_zone(Some(ZONE)).unwrap();
        s.add_user(PAT, Role::Lead, PAT_FIRST.as_bytes(), None).unwrap();
        let playbooks = caregiver::playbook::embedded().unwrap();
        let options = StartOptions { discovered: Some(discovered), ..Default::default() };
        let started =
            caregiver::incident::start(s, &playbooks, "phi-breach", options, chrono::Utc::now());
        id = started.unwrap().id;
        for step in [
            "report-now",
            "stop-further",
            "record-discovery",
            "gather-facts",
            "safety-analysis",
            "state-report",
        ] {
            caregiver::incident::step(s, &playbooks, &id, step, Action::Done).unwrap();
        }
        caregiver::incident::assign(s, &playbooks, &id, "privacy-officer", PAT).unwrap();
    })
    .await;
    app.set_own_passphrase(PAT, PAT_FIRST, PAT_PASS);

    app.unlock(PAT, PAT_PASS, "home").await;
    app.click("#open-incidents li button").await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.wait_attr("#guided-title", "data-step", "exceptions-check").await;
    // The decision is the form's: no answers to click, no skip; the form for Pat.
    assert!(!app.exists("button[data-choice]").await && !app.exists("#step-skip").await);
    app.click("#assess-open").await;
    app.wait_screen(&format!("assess:{id}")).await;
    let rule = app.find("section[data-part=good-faith] .rule").await.text().await.unwrap();
    assert!(rule.contains("in good faith and within the scope of authority"), "{rule}");

    for check in ["secured", "good-faith", "inadvertent", "not-retained"] {
        app.click(&format!("#{check}-no")).await;
        app.fill(
            &format!("#{check}-reason"),
            "Does not apply: sent to a stranger outside the hospital",
        )
        .await;
    }
    for (factor, rating) in
        [("nature", "not-low"), ("recipient", "not-low"), ("acquired", "low"), ("mitigated", "low")]
    {
        app.fill(&format!("#{factor}-finding"), &format!("{factor}: as found on the ward")).await;
        app.click(&format!("#{factor}-rating-{rating}")).await;
    }
    // The conclusion left out: the core names the field, nothing is signed.
    app.click("#assess-submit").await;
    let said = app.find("#assess-form .alert[data-code=invalid_input]").await.text().await.unwrap();
    assert!(said.contains("conclusion: write it in 1 to 2,000 characters"), "{said}");
    app.fill("#conclusion", "Names and diagnoses went to a stranger: a breach.").await;
    app.click("#assess-submit").await;

    // The result answered both decisions: the notices follow.
    app.wait_screen(&format!("incident:{id}")).await;
    app.wait_attr("#guided-title", "data-step", "law-enforcement-delay").await;

    // The notice to individuals runs on the Clocks screen, due in Chicago time.
    app.click("#nav-clocks").await;
    app.wait_screen("clocks").await;
    let clock = format!("#clock-list li[data-clock=hipaa-individuals][data-incident-id=\"{id}\"]");
    let due = app.find(&format!("{clock} .clock-due")).await.text().await.unwrap();
    let chicago = caregiver::words::Zone::named(ZONE).unwrap();
    let sixty = caregiver::playbook::format::parse_span("60 days").unwrap();
    let when =
        caregiver::incident::clocks::add_span(discovered, sixty, &[], &chicago.tz()).unwrap();
    assert!(due.starts_with(&format!("Due {} · running, ", chicago.minute(when))), "{due}");
    assert!(due.contains(" CST") || due.contains(" CDT"), "{due}");

    // The HICS 214 saved from the window: the assessment as signed, in local time.
    app.click(&format!("{clock} .clock-incident")).await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.click("#nav-review").await;
    app.find("#review-assessment").await;
    app.click("#export-html").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let path = loop {
        if let Some(path) = app
            .attr_now("#export-status", "data-path")
            .await
            .filter(|p| p.ends_with("hics214.html"))
        {
            break path;
        }
        assert!(Instant::now() < deadline, "not saved:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.contains("Breach risk assessment (45 CFR 164.402)"), "{html}");
    assert!(html.contains(&format!("Signed by {PAT} (privacy officer)")), "{html}");
    assert!(html.contains("breach: notification required"), "{html}");
    assert!(html.contains(&format!("(24-hour, {ZONE})")) && !html.contains("UTC"), "{html}");
    assert!(html.contains(&chicago.minute(discovered)), "the discovery in local time: {html}");

    // The register: Pat completes the breach's report in the window (a bad field named
    // first), then saves the year's submission.
    app.click("#nav-breaches").await;
    app.wait_screen("breaches").await;
    let card = format!("#breach-list li[data-incident-id=\"{id}\"]");
    app.wait_attr(&card, "data-reporting", "unknown").await;
    app.click(&format!("{card} button.primary")).await;
    app.wait_screen(&format!("breach:{id}")).await;
    app.fill("#br-affected", "312").await;
    app.fill("#br-states", "CA=300, ZZ=12").await;
    app.click("#br-types-theft").await;
    app.click("#br-locations-laptop").await;
    app.click("#breach-save").await;
    let said = app.find("#breach-form .alert[data-code=invalid_input]").await.text().await.unwrap();
    assert!(said.contains("state: use a two-letter code"), "{said}");
    app.fill("#br-states", "CA=300, OR=12").await;
    app.click("#breach-save").await;
    app.wait_attr("#breach-status", "data-state", "saved").await;
    app.click("#breach-back").await;
    app.wait_screen("breaches").await;
    app.wait_attr(&card, "data-reporting", "yearly").await;
    let year = discovered.with_timezone(&chicago.tz()).format("%Y").to_string();
    app.fill("#export-year", &year).await;
    app.click("#export-year-save").await;
    let want = format!("breaches-{year}-under-500.csv");
    let deadline = Instant::now() + Duration::from_secs(10);
    let csv = loop {
        let saved = app.attr_now("#breach-export-status", "data-path").await;
        if let Some(path) = saved.filter(|p| p.ends_with(&want)) {
            break std::fs::read_to_string(path).unwrap();
        }
        assert!(Instant::now() < deadline, "not saved:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(csv.contains(&id) && csv.contains(",312,CA=300; OR=12,"), "{csv}");

    // The assessment, the decisions it answered and the register's change (the refused one
    // wrote nothing) are in Pat's name in the log.
    let session = Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock(ADMIN, ADMIN_PASS.as_bytes())
        .unwrap();
    let entries = session.log_entries(Some(&id)).unwrap();
    let signed: Vec<(&str, &str)> = entries
        .iter()
        .rev()
        .filter(|e| e.actor == PAT)
        .take(4)
        .map(|e| (e.kind.as_str(), e.actor.as_str()))
        .collect();
    let kinds = ["breach_recorded", "decision", "decision", "breach_assessed"];
    assert_eq!(signed, kinds.map(|k| (k, PAT)));
    app.close().await;
}
