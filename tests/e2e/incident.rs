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
    app.wait_screen("start:ransomware:drill").await;
    assert_eq!(app.find("#start-confirm").await.text().await.unwrap(), "Start the drill");
    app.click("#start-confirm").await;
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
    while guided(&app).await.1 != "Drill ended" {
        assert!(Instant::now() < deadline, "not ended");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Closed incidents leave the home screen's list.
    app.click("#guided-home").await;
    app.wait_screen("home").await;
    app.settled_state("#playbooks-status").await;
    assert!(!app.exists("#open-incidents li").await, "a closed incident is still listed");

    // The log holds every action and verifies as an outsider would check it.
    let session = Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock(ADMIN, ADMIN_PASS.as_bytes())
        .unwrap();
    let mut bundle = Vec::new();
    session.export_log(&mut bundle).unwrap();
    let verified = caregiver::log::verify_bundle(bundle.as_slice(), None).unwrap();
    // started + a note + one entry per step walked + drill ended
    assert_eq!(verified.entries as usize, 1 + 1 + walked.len() + 1);
    let text = String::from_utf8(bundle).unwrap();
    assert!(text.contains("Ward 4 unplugged at 03:12"));
    assert!(text.contains("\"kind\":\"decision\"") && text.contains("\"kind\":\"drill_ended\""));
    app.close().await;
}

/// A real incident, started from the home screen's big button: the lead gives IT/IS Lead
/// to a colleague, walks the second branch of the first decision to the end, reads the
/// review with its timeline, and saves the exports from the window; the saved evidence
/// bundle verifies and the HICS 214 names the position.
#[tokio::test(flavor = "multi_thread")]
async fn a_ransomware_incident_from_the_home_screen_exports_from_the_window() {
    let app = App::launch_with_store(|s| {
        s.add_user("Ian IT", caregiver::store::Role::Staff, b"first passphrase 12", None).unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("button.situation[data-situation=ransomware]").await;
    app.wait_screen("start:ransomware").await;
    app.find("#start-lead").await;
    // The lead defaults to whoever is signed in; discovery defaults to now.
    let lead = app.eval("return document.getElementById('start-lead').value").await;
    assert_eq!(lead, ADMIN);
    app.eval("const d = document.getElementById('start-discovered'); d.value = '2026-11-01T08:00'; return d.value").await;
    app.click("#start-confirm").await;
    app.find("#guided-title").await;
    assert!(!app.exists("#drill-band").await, "a real incident is not a drill");
    assert!(app.main_text().await.contains("left ·") || app.exists("#deadlines").await);
    let deadline_text = app.find("#deadlines li").await.text().await.unwrap();
    assert!(deadline_text.contains("Notify affected individuals"), "{deadline_text}");

    // The team: the lead holds Incident Commander and gives IT/IS Lead to Ian IT.
    app.click("#nav-team").await;
    app.find("#positions").await;
    app.eval("document.getElementById('assign-position').value = 'it-lead'; return true").await;
    app.fill("#assign-person", "Ian IT").await;
    app.click("#assign-confirm").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.exists("#positions tr[data-position=it-lead]").await {
        assert!(Instant::now() < deadline, "no assignment:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(app.find("#my-sheet-title").await.text().await.unwrap().contains("Incident Commander"));
    app.click("#nav-guide").await;

    let playbook = caregiver::playbook::find("ransomware").unwrap();
    let mut walked = Vec::new();
    let mut decisions = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while let Some(step) = shown_step(&app).await {
        assert!(Instant::now() < deadline && walked.len() < 40, "stuck after {walked:?}");
        let s = playbook.steps.iter().find(|s| s.id == step).expect("a step of the playbook");
        if s.question.is_some() {
            decisions += 1;
            // The first decision takes its second answer (another branch); the rest the
            // first, by the keyboard.
            if decisions == 1 {
                app.click("button[data-choice=\"2\"]").await;
            } else {
                app.find("#guided-title").await.send_keys("1").await.unwrap();
            }
        } else {
            app.find("#guided-title").await.send_keys("d").await.unwrap();
        }
        walked.push(step.clone());
        app.wait_for_step_change(&step).await;
    }
    assert!(decisions >= 2, "{walked:?}");
    let first = playbook.steps.iter().find(|s| s.question.is_some()).unwrap();
    let second_branch = &first.choices[1].goto;
    assert!(walked.contains(second_branch), "the second branch was not taken: {walked:?}");

    app.click("#close-incident").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while guided(&app).await.1 != "Incident closed" {
        assert!(Instant::now() < deadline, "not closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The review: the timeline picture and the tables.
    app.click("#nav-review").await;
    app.find("#review-title").await;
    let svg = app.find("#timeline svg").await;
    let picture = svg.html(false).await.unwrap();
    assert!(picture.contains("IT/IS Lead") || picture.contains("Incident Commander"), "{picture}");
    let summary = app.find("#review-summary").await.text().await.unwrap();
    assert!(summary.starts_with("Closed after"), "{summary}");
    let anchor = app.find("#review-anchor").await.text().await.unwrap();

    // The exports, saved from the window.
    for (button, suffix) in [("#export-json", "log.jsonl"), ("#export-html", "hics214.html")] {
        app.click(button).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let path = app.attr_now("#export-status", "data-path").await;
            if let Some(path) = path.filter(|p| p.ends_with(suffix)) {
                assert!(path.starts_with(app.export_dir().to_str().unwrap()), "{path}");
                break;
            }
            assert!(Instant::now() < deadline, "not saved:\n{}", app.main_text().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let mut files: Vec<_> =
        std::fs::read_dir(app.export_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let bundle = files.iter().find(|p| p.to_str().unwrap().ends_with("log.jsonl")).unwrap();
    let verified = caregiver::log::verify_bundle(
        std::io::BufReader::new(std::fs::File::open(bundle).unwrap()),
        None,
    )
    .unwrap();
    // started + assignment + one entry per step + closed
    assert_eq!(verified.entries as usize, 1 + 1 + walked.len() + 1);
    // The review printed from the window anchors the log: its last checkpoint and signer.
    let signer = verified.signer.fingerprint();
    assert!(
        anchor.contains(&format!("last checkpoint: {} entries", verified.entries))
            && anchor.contains(&format!("fingerprint {signer}.")),
        "{anchor}"
    );
    let html = std::fs::read_to_string(
        files.iter().find(|p| p.to_str().unwrap().ends_with(".html")).unwrap(),
    )
    .unwrap();
    assert!(
        html.contains("ACTIVITY LOG (HICS 214)")
            && html.contains("<td>Ian IT</td><td>IT/IS Lead</td>")
    );
    assert!(!html.contains("DRILL"));
    app.close().await;
}

/// A step's reminder that has come due shows on every screen, and on the incident's own
/// screen with "Seen"; saying so is logged and silences it. (The incident was started 20
/// minutes ago, so the first step's 15-minute reminder is due at once.)
#[tokio::test(flavor = "multi_thread")]
async fn a_due_reminder_shows_until_someone_says_they_saw_it() {
    let app = App::launch_with_store(|s| {
        let playbooks = caregiver::playbook::embedded().unwrap();
        let then = chrono::Utc::now() - chrono::Duration::minutes(20);
        caregiver::incident::start(s, &playbooks, "ransomware", Default::default(), then).unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    let banner = app.find("#reminder-banner .reminder").await;
    assert!(banner.text().await.unwrap().contains("Has IT security called back?"));
    app.click("#reminder-banner .reminder button").await;
    app.find("#guided-title").await;
    let shown = app.find("#reminders .reminder[data-step=stop-and-unplug]").await;
    assert!(shown.text().await.unwrap().contains("Has IT security called back?"));
    // On the incident's own screen the banner leaves it to the step's screen.
    assert!(!app.find("#reminder-banner").await.is_displayed().await.unwrap());
    app.click("#reminders .reminder button.seen").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.exists("#reminders").await {
        assert!(Instant::now() < deadline, "the reminder stayed after Seen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let session = Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock(ADMIN, ADMIN_PASS.as_bytes())
        .unwrap();
    let entries = session.log_entries(None).unwrap();
    assert!(entries.iter().any(|e| e.kind == "timer_acknowledged"));
    app.close().await;
}

/// Under emergency access, ward staff see the open incident's ward steps and log what
/// they see; the next full unlock puts it in the incident's signed log.
#[tokio::test(flavor = "multi_thread")]
async fn ward_staff_under_emergency_access_log_an_observation() {
    const CODE: &str = "WARD4-7K4M-Q2PX-9RTD";
    let app = App::launch_with_store(|s| {
        s.set_emergency_code(CODE.as_bytes()).unwrap();
        let playbooks = caregiver::playbook::embedded().unwrap();
        caregiver::incident::start(
            s,
            &playbooks,
            "ehr-downtime",
            Default::default(),
            chrono::Utc::now(),
        )
        .unwrap();
    })
    .await;
    app.unlock_emergency(CODE).await;
    let card = app.find("#ward-incidents article.ward-incident").await;
    assert!(card.text().await.unwrap().contains("Steps for ward staff"));
    app.fill("#ward-incidents textarea", "Lab printer on ward 3 prints blank pages").await;
    app.click("#ward-incidents button[data-observe]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.main_text().await.contains("Logged.") {
        assert!(Instant::now() < deadline, "not logged:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.click("#nav-lock").await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#open-incidents li button").await;
    app.find("#guided-title").await;
    app.click("#nav-review").await;
    app.find("#review-title").await;
    let summary = app.find("#review-summary").await.text().await.unwrap();
    assert!(summary.contains("1 observations"), "{summary}");
    let entries = app.eval("return document.querySelector('.review-entries').textContent").await;
    assert!(
        entries.as_str().unwrap().contains(
            "Observation (ward staff, emergency access): Lab printer on ward 3 prints blank pages"
        ),
        "{entries}"
    );
    app.close().await;
}

/// The workstation's Clocks screen lists the running legal clocks of the open incidents,
/// the most urgent first, in local time, and opens the incident from a clock.
#[tokio::test(flavor = "multi_thread")]
async fn the_clocks_screen_lists_running_clocks_and_opens_their_incident() {
    let app = App::launch_with_cli(|cli| {
        cli.init();
        cli.ok(&["settings", "time-zone", "America/New_York"]);
        cli.ok(&[
            "incident",
            "start",
            "phi-breach",
            "--drill",
            "--discovered",
            "2026-11-20T15:00:00Z",
        ]);
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-clocks").await;
    app.wait_screen("clocks").await;
    let first = app.find("#clock-list li").await;
    assert_eq!(first.attr("data-clock").await.unwrap().as_deref(), Some("hipaa-individuals"));
    let due = app.find("#clock-list li .clock-due").await.text().await.unwrap();
    assert!(due.starts_with("Due 2027-01-19 10:00 EST · running, "), "{due}");
    let id = first.attr("data-incident-id").await.unwrap().unwrap();
    app.click("#clock-list li .clock-incident").await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.close().await;
}

/// An admin sets the organisation's state in the window (Admin > Organisation): the
/// California rule's clock, undecided until then, runs and is listed on the Clocks screen.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_the_organisations_state_and_its_rules_clock_runs() {
    let discovered = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let app = App::launch_with_cli(|cli| {
        cli.init();
        cli.ok(&["incident", "start", "phi-breach", "--drill", "--discovered", &discovered]);
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-clocks").await;
    app.wait_screen("clocks").await;
    app.find("#clock-list").await;
    assert!(!app.exists("#clock-list li[data-clock=ca-1280-15]").await, "undecided: not running");

    app.click("#nav-admin").await;
    app.wait_screen("admin").await;
    app.fill("#org-states", "ca").await;
    app.click("#org-submit").await;
    let status = app.find("#org-form .status").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !status.text().await.unwrap().starts_with("Saved: CA") {
        assert!(Instant::now() < deadline, "the organisation was not saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    app.click("#nav-clocks").await;
    app.wait_screen("clocks").await;
    let ca = app.find("#clock-list li[data-clock=ca-1280-15]").await;
    assert_eq!(ca.attr("data-status").await.unwrap().as_deref(), Some("running"));
    let text = ca.text().await.unwrap();
    assert!(text.contains("California Department of Public Health"), "{text}");
    assert!(text.contains("within 15 business days of discovery"), "{text}");
    app.close().await;
}
