//! Operational periods and HICS forms in the window (issue 21): the lead sets objectives,
//! closes one and starts a second period; the IT/IS lead, under his own unlock, writes a
//! general message (HICS 213) to the Incident Commander; the lead saves the period's HICS
//! 202 and 213 and the IT/IS lead's HICS 214, which hold the period's objectives and that
//! position's entries in local time. The IT/IS lead reports a system partly down (HICS
//! 251) and the lead notes a hazard (HICS 215A): the packet and the 251 hold them.

use std::time::{Duration, Instant};

use caregiver::incident::StartOptions;
use caregiver::store::Role;

use crate::harness::App;

const LEE: &str = "Lee Lead";
const IAN: &str = "Ian IT";
const FIRST: &str = "first passphrase 12";
const OWN: &str = "an own passphrase 34";
const ZONE: &str = "America/Chicago";

/// Saves a form from the Team screen and returns the saved file's text.
async fn save_form(app: &App, form: &str, period: &str, position: Option<&str>) -> String {
    let before = app.attr_now("#command-status", "data-path").await;
    app.find(&format!("#form-kind option[value=\"{form}\"]")).await.click().await.unwrap();
    app.find(&format!("#form-period option[value=\"{period}\"]")).await.click().await.unwrap();
    if let Some(position) = position {
        app.find(&format!("#form-position option[value=\"{position}\"]"))
            .await
            .click()
            .await
            .unwrap();
    }
    app.click("#form-save").await;
    let stem =
        if form == "IAP" { "iap".to_owned() } else { format!("hics{}", form.to_lowercase()) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let path = loop {
        let now = app.attr_now("#command-status", "data-path").await;
        if let Some(path) =
            now.filter(|p| Some(p) != before.as_ref() && p.contains(&format!(".{stem}-p{period}")))
        {
            break path;
        }
        let said = app.eval("return document.querySelector('main').innerText").await;
        assert!(Instant::now() < deadline, "{form} not saved:\n{said}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    std::fs::read_to_string(path).unwrap()
}

/// Waits until a form's field is empty again: the screen was drawn again with the reply.
async fn wait_cleared(app: &App, field: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let ask = format!("return document.querySelector('{field}').value");
    while app.eval(&ask).await != "" {
        assert!(Instant::now() < deadline, "{field} not sent:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_runs_two_periods_and_prints_the_objectives_a_213_and_a_214() {
    let mut id = String::new();
    let app = App::launch_with_store(|s| {
        s.set_time_zone(Some(ZONE)).unwrap();
        s.add_user(LEE, Role::Lead, FIRST.as_bytes(), None).unwrap();
        s.add_user(IAN, Role::Clinician, FIRST.as_bytes(), None).unwrap();
        let playbooks = caregiver::playbook::embedded().unwrap();
        let options = StartOptions { lead: Some(LEE.into()), ..Default::default() };
        let started =
            caregiver::incident::start(s, &playbooks, "ransomware", options, chrono::Utc::now());
        id = started.unwrap().id;
    })
    .await;
    app.set_own_passphrase(LEE, FIRST, OWN);
    app.set_own_passphrase(IAN, FIRST, OWN);
    let open = format!("#open-incidents li[data-incident-id=\"{id}\"] button");

    // The lead: the IT/IS lead assigned, two objectives, the second closed, period 2.
    app.unlock(LEE, OWN, "home").await;
    app.click(&open).await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.click("#nav-team").await;
    app.find("#periods tr[data-period=\"1\"]").await;
    app.find("#assign-position option[value=it-lead]").await.click().await.unwrap();
    app.fill("#assign-person", IAN).await;
    app.click("#assign-confirm").await;
    app.find("#positions tr[data-position=it-lead]").await;
    app.fill("#objective-text", "Keep patient care going on paper").await;
    app.click("#objective-add").await;
    app.find("#objectives li[data-objective=\"1\"]").await;
    app.fill("#objective-text", "Isolate the file server").await;
    app.click("#objective-add").await;
    app.find("#objectives li[data-objective=\"2\"] button").await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.exists("#objectives li[data-objective=\"2\"]").await {
        assert!(Instant::now() < deadline, "not closed:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A length the core refuses is named; nothing starts.
    app.fill("#period-length", "eight").await;
    app.click("#period-start").await;
    let said = app.find(".alert[data-code=invalid_input]").await.text().await.unwrap();
    assert!(said.contains("period length: must be 1 to 168 hours"), "{said}");
    app.fill("#period-length", "8").await;
    app.click("#period-start").await;
    app.find("#periods tr[data-period=\"2\"]").await;
    assert!(app.exists("#objectives li[data-objective=\"1\"]").await, "carried over");
    app.click("#nav-lock").await;

    // Ian, the IT/IS lead, writes a 213 to the Incident Commander; he may not start periods.
    app.unlock(IAN, OWN, "home").await;
    app.click(&open).await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.click("#nav-team").await;
    app.find("#message-form").await;
    assert!(!app.exists("#period-form").await);
    app.find("#message-priority option[value=urgent]").await.click().await.unwrap();
    app.fill("#message-subject", "File server").await;
    app.fill("#message-text", "File server isolated; backups are clean.").await;
    app.click("#message-send").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.find("#command-status").await.text().await.unwrap().contains("Message logged") {
        assert!(Instant::now() < deadline, "{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // He reports a system partly down (HICS 251); the briefing is not his to write.
    assert!(!app.exists("#briefing-form").await && !app.exists("#hazard-form").await);
    app.fill("#system-name", "EHR").await;
    app.find("#system-status option[value=partial]").await.click().await.unwrap();
    app.fill("#system-note", "Read-only from ward 4").await;
    app.click("#system-save").await;
    wait_cleared(&app, "#system-name").await;
    app.click("#nav-lock").await;

    // The lead prints period 2's 202 and 213 and the IT/IS lead's 214.
    app.unlock(LEE, OWN, "home").await;
    app.click(&open).await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.click("#nav-team").await;
    app.find("#periods tr[data-period=\"2\"]").await;
    app.fill("#hazard-text", "Wrong-patient orders on paper").await;
    app.fill("#hazard-mitigation", "Two identifiers on every order").await;
    app.click("#hazard-save").await;
    wait_cleared(&app, "#hazard-text").await;
    let objectives = save_form(&app, "202", "2", None).await;
    assert!(objectives.contains("INCIDENT OBJECTIVES (HICS 202)"), "{objectives}");
    assert!(objectives.contains("Keep patient care going on paper"), "{objectives}");
    assert!(!objectives.contains("Isolate the file server"), "{objectives}");
    let packet = save_form(&app, "IAP", "2", None).await;
    for form in
        ["(HICS 202)", "(HICS 203)", "(HICS 204)", "(HICS 205A)", "(HICS 215A)", "(HICS 207)"]
    {
        assert!(packet.contains(form), "{form}: {packet}");
    }
    assert!(
        packet.contains(
            "<td>Wrong-patient orders on paper</td><td>Two identifiers on every order</td>"
        ),
        "{packet}"
    );
    let systems = save_form(&app, "251", "2", None).await;
    assert!(
        systems.contains("<td>EHR</td><td>Partially functional</td><td>Read-only from ward 4</td>"),
        "{systems}"
    );
    assert!(packet.contains("Keep patient care going on paper"), "{packet}");
    assert!(packet.contains(">Ian IT</text>"), "the chart: {packet}");
    let message = save_form(&app, "213", "2", None).await;
    assert!(message.contains("File server isolated; backups are clean."), "{message}");
    assert!(message.contains("<td>Name: Ian IT<br>Position: IT/IS Lead</td>"), "{message}");
    assert!(message.contains("<td>Urgent - High</td>"), "{message}");
    let log = save_form(&app, "214", "2", Some("it-lead")).await;
    assert!(log.contains("<th>4. HIMT Position</th><td>IT/IS Lead</td>"), "{log}");
    assert!(log.contains("General message (HICS 213) to Incident Commander: File server"), "{log}");
    assert!(log.contains(&format!("(24-hour, {ZONE})")) && !log.contains(" UTC"), "{log}");
    assert!(log.contains(" CST</td>") || log.contains(" CDT</td>"), "{log}");
    app.close().await;
}

/// The pictures of the printed action plan packet in `docs/hics-packet.png` (its first
/// page) and `docs/hics-207.png` (its safety analysis and organization chart) (not a check:
/// run `xvfb-run -a cargo test -p caregiver-desktop --test e2e hics::packet_picture --
/// --ignored` to take it again): a lead saves the packet from the Team screen, and the
/// saved HTML is opened in the webview and photographed.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "takes the picture docs/hics-forms.md shows"]
async fn packet_picture() {
    let mut id = String::new();
    let app = App::launch_with_store(|s| {
        s.set_time_zone(Some(ZONE)).unwrap();
        s.add_user(LEE, Role::Lead, FIRST.as_bytes(), None).unwrap();
        s.replace_contacts(&[
            crate::calls::contact("lee", LEE, "incident-commander", None, None),
            crate::calls::contact("ian", IAN, "it-security-lead", Some("lee"), None),
            crate::calls::contact("sam", "Sam Servicedesk", "it-service-desk", Some("ian"), None),
        ])
        .unwrap();
        let playbooks = caregiver::playbook::embedded().unwrap();
        let options = StartOptions { lead: Some(LEE.into()), drill: true, ..Default::default() };
        let started =
            caregiver::incident::start(s, &playbooks, "ransomware", options, chrono::Utc::now());
        id = started.unwrap().id;
        for (position, person) in [
            ("it-lead", IAN),
            ("safety-officer", "Sofia Safety"),
            ("planning-chief", "Pat Planner"),
            ("clinical-lead", "Nina Nurse"),
        ] {
            caregiver::incident::assign(s, &playbooks, &id, position, person).unwrap();
        }
        for objective in [
            "Keep patient care going on paper downtime procedures",
            "Isolate the infected file server and the ward 4 workstations",
            "Restore the EHR from clean backups in the register's restore order",
        ] {
            caregiver::incident::periods::set_objective(s, &playbooks, &id, objective).unwrap();
        }
        let entered = caregiver::incident::hics::entered::note_hazard;
        let hazard = "Wrong-patient orders while charting on paper";
        entered(s, &playbooks, &id, hazard, "Two identifiers on every order and label").unwrap();
        let work = "Image the file server before any restore; report to the IC hourly";
        caregiver::incident::hics::entered::assign_work(s, &playbooks, &id, "it-lead", work)
            .unwrap();
    })
    .await;
    app.set_own_passphrase(LEE, FIRST, OWN);
    app.unlock(LEE, OWN, "home").await;
    app.click(&format!("#open-incidents li[data-incident-id=\"{id}\"] button")).await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.click("#nav-team").await;
    app.find("#periods tr[data-period=\"1\"]").await;
    let path = app.attr_now("#command-status", "data-path").await;
    assert!(path.is_none());
    save_form(&app, "IAP", "1", None).await;
    let path = app.attr_now("#command-status", "data-path").await.unwrap();
    app.client.set_window_size(900, 1270).await.unwrap();
    app.client.goto(&format!("file://{path}")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    std::fs::write(docs.join("hics-packet.png"), app.client.screenshot().await.unwrap()).unwrap();
    // The chart's page: the 207 from its heading.
    let chart =
        "[...document.querySelectorAll('h1')].find((h) => h.textContent.includes('(HICS 207)'))";
    app.eval(&format!("{chart}.scrollIntoView(); return true")).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    std::fs::write(docs.join("hics-207.png"), app.client.screenshot().await.unwrap()).unwrap();
    app.close().await;
}
