//! The encrypted store as people meet it in the window: first run, the lock screen,
//! emergency access, first passphrases, user admin and the idle lock.

use std::path::Path;

use caregiver::store::{AccessKind, Role, Store};

use crate::harness::{ADMIN, ADMIN_PASS, App};

const CODE: &str = "WARD4-7K4M-Q2PX-9RTD";

/// A workstation set up with the CLI as an admin would: the ward's emergency code, and
/// the contact tree imported from the sample CSV.
async fn ward_with_sample_contacts() -> App {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/contacts/sample.csv");
    App::launch_with_cli(|cli| {
        cli.init();
        cli.ok(&["emergency-code", "set", "--code-file", &cli.file("ward-code", CODE.as_bytes())]);
        cli.ok(&["contacts", "import", sample.to_str().unwrap()]);
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_creates_the_store_and_shows_the_recovery_key_once() {
    let app = App::launch().await;
    app.wait_screen("setup").await;
    app.fill("#setup-name", "Rita Admin").await;
    app.fill("#setup-pass", "rita's long passphrase").await;
    app.fill("#setup-pass2", "rita's long passphrase").await;
    app.click("#setup-submit").await;
    let key = app.find("#recovery-key").await.text().await.unwrap();
    assert_eq!(key.split('-').count(), 13, "{key}");
    assert!(app.exists("#recovery-print").await);
    let next = app.find("#recovery-continue").await;
    assert!(!next.is_enabled().await.unwrap(), "continue before confirming the key is kept");
    app.click("#recovery-confirm").await;
    next.click().await.unwrap();
    app.wait_screen("home").await;
    let (state, _) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready");
    assert!(app.find("#signed-in").await.text().await.unwrap().contains("Rita Admin"));

    // The store is real: the core opens it with the passphrase, and with the recovery key.
    let store = Store::open(&app.store_path(), crate::harness::clock()).unwrap();
    assert_eq!(store.lock_screen_names().unwrap(), vec!["Rita Admin".to_owned()]);
    let session = store.unlock("Rita Admin", b"rita's long passphrase").unwrap();
    assert_eq!(session.role(), Role::Admin);
    Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock_with_recovery_key("Rita Admin", &key)
        .unwrap();
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lock_screen_shows_no_data_and_a_wrong_passphrase_opens_nothing() {
    let app = App::launch_with_store(|s| {
        s.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    })
    .await;
    app.wait_screen("locked").await;
    // The screen is marked before its names arrive from the core.
    app.find(".pick").await;
    assert_eq!(app.texts(".pick").await, vec![ADMIN.to_owned(), "Nina Nurse".to_owned()]);
    assert!(!app.exists("#playbook-list").await);
    assert!(!app.exists("#emergency-open").await, "no code set: no emergency button");
    assert!(!app.main_text().await.contains("null"), "an absent part printed as text");

    app.click(&format!("input[name=unlock-name][value=\"{ADMIN}\"]")).await;
    app.fill("#unlock-pass", "not my passphrase").await;
    app.click("#unlock-submit").await;
    let alert = app.find("#unlock-form .alert[data-code]").await;
    assert_eq!(alert.attr("data-code").await.unwrap().as_deref(), Some("wrong_passphrase"));
    assert!(alert.text().await.unwrap().contains("wrong name or passphrase"));
    assert_eq!(app.find("#unlock-pass").await.prop("value").await.unwrap().as_deref(), Some(""));

    app.fill("#unlock-pass", ADMIN_PASS).await;
    app.click("#unlock-submit").await;
    app.wait_screen("home").await;
    assert!(app.exists("#playbook-list").await);

    app.click("#nav-lock").await;
    app.wait_screen("locked").await;
    assert!(!app.exists("#playbook-list").await, "data stayed on screen after locking");
    assert!(!app.exists("#signed-in").await);
    app.close().await;
}

/// The break-glass path as a ward meets it: IT imports the hospital's contact CSV with
/// the CLI and sets the ward's code; a nurse opens emergency access and finds each ward
/// contact's name and number, and a step that says to call the service desk names it
/// with its number. Nothing else of the tree shows.
#[tokio::test(flavor = "multi_thread")]
async fn emergency_access_shows_the_ward_call_list_imported_from_the_contact_csv() {
    let app = ward_with_sample_contacts().await;
    app.wait_screen("locked").await;
    assert!(!app.find("#emergency-banner").await.is_displayed().await.unwrap());
    app.unlock_emergency("ward4 7k4m q2px 9rtd").await;

    let banner = app.find("#emergency-banner").await;
    assert!(banner.is_displayed().await.unwrap(), "no emergency banner");
    assert!(banner.text().await.unwrap().contains("EMERGENCY ACCESS"));
    let (state, _) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready");
    // The ward's contacts in sample.csv (roles the ward calls first), in calling order.
    app.find("#call-list li").await;
    assert_eq!(
        app.texts("#call-list li").await,
        [
            "Riley Testperson: (555) 555-0103",
            "IT Service Desk (Example Health): (555) 555-0110 ext 1",
            "Zoë Fictional: +1 555 555 0111",
        ]
    );
    // The rest of the tree (outside parties, the insurer's claim line) is not for the ward.
    let shown = app.main_text().await;
    for hidden in ["Sample Mutual Cyber Claims", "Placeholder Forensics", "Morgan Example-Lead"] {
        assert!(!shown.contains(hidden), "{hidden} shown under emergency access");
    }
    assert!(!app.exists("#nav-admin").await);

    // A ward step that says to call the service desk names it, with its number.
    app.click("#playbook-list li[data-playbook-id=ehr-downtime] button").await;
    app.wait_screen("playbook:ehr-downtime").await;
    let call = app.find("li.step[data-step=confirm-down] .step-call").await.text().await.unwrap();
    assert_eq!(call, "Call: IT Service Desk (Example Health), (555) 555-0110 ext 1");

    app.click("#nav-lock").await;
    app.wait_screen("locked").await;
    assert!(!app.find("#emergency-banner").await.is_displayed().await.unwrap());

    // The use was recorded in the store.
    let admin = Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock(ADMIN, ADMIN_PASS.as_bytes())
        .unwrap();
    let events = admin.access_events().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AccessKind::EmergencyUnlock);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_user_sets_their_own_passphrase_before_anything_else() {
    let app = App::launch_with_store(|s| {
        s.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    })
    .await;
    app.unlock("Nina Nurse", "first passphrase 1", "must-change").await;
    assert!(!app.exists("#playbook-list").await);
    assert!(!app.exists("#nav-home").await);
    app.fill("#new-pass", "nina's own passphrase").await;
    app.fill("#new-pass2", "nina's own passphrase").await;
    app.click("#passphrase-submit").await;
    app.wait_screen("home").await;
    assert!(!app.exists("#nav-admin").await, "a clinician sees no admin screen");
    Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock("Nina Nurse", b"nina's own passphrase")
        .unwrap();
    app.close().await;
}

/// The ward's path (issue 14): with no personal passphrase, emergency access, then
/// "Suspected ransomware": the first screen is the first ward step, with its call line's
/// name and number from the ward call list (imported from the contact CSV), and Next
/// reaches the step that keeps eyes on monitored patients. "All steps" is one tap away.
#[tokio::test(flavor = "multi_thread")]
async fn a_situation_button_under_emergency_access_opens_the_wards_first_step() {
    let app = ward_with_sample_contacts().await;
    app.unlock_emergency(CODE).await;
    app.click("button.situation[data-situation=ransomware]").await;
    app.wait_screen("ward:ransomware").await;
    let first = app.find("#ward-step-title[data-step=stop-and-unplug]").await;
    assert_eq!(first.text().await.unwrap(), "Unplug the affected computer from the network");
    let call = app.find(".step-call").await.text().await.unwrap();
    assert_eq!(call, "Call: IT Service Desk (Example Health), (555) 555-0110 ext 1");
    assert!(app.exists("#ward-print").await);
    app.click("#ward-next").await;
    let next = app.find("#ward-step-title[data-step=monitored-patients]").await;
    assert_eq!(
        next.text().await.unwrap(),
        "Keep eyes on monitored patients and check medical devices"
    );
    app.click("#ward-all").await;
    app.wait_screen("playbook:ransomware").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_user_and_makes_an_emergency_code_in_the_window() {
    let app = App::launch_with_store(|_| {}).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-admin").await;
    app.wait_screen("admin").await;
    app.fill("#add-name", "Lee Lead").await;
    app.find("#add-role option[value=lead]").await.click().await.unwrap();
    app.fill("#add-pass", "lee's first passphrase").await;
    app.click("#add-submit").await;
    let row = app.find("tr[data-user=\"Lee Lead\"]").await.text().await.unwrap();
    assert!(row.contains("Incident lead") && row.contains("Must set own passphrase"), "{row}");

    app.click("#emergency-new").await;
    app.click("#emergency-new").await; // the second click confirms
    let code = app.find("#emergency-code-shown").await.text().await.unwrap();
    assert_eq!(code.len(), 19, "{code}");
    Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock_emergency(code.as_bytes())
        .unwrap();
    let users = Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock(ADMIN, ADMIN_PASS.as_bytes())
        .unwrap()
        .list_users()
        .unwrap();
    assert!(users.iter().any(|u| u.name == "Lee Lead" && u.role == Role::Lead));
    app.close().await;
}

/// The admin set one idle minute: the window warns, then locks by itself and shows no data.
#[tokio::test(flavor = "multi_thread")]
async fn the_idle_lock_warns_then_locks_the_window() {
    let app = App::launch_with_store(|s| s.set_idle_lock_minutes(1).unwrap()).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    let warning = app.find("#idle-warning:not([hidden])").await;
    assert!(warning.is_displayed().await.unwrap());
    let warning = warning.text().await.unwrap();
    assert!(warning.contains("The app locks in"), "{warning}");
    // No input from here on (WebDriver reads are not input): the core locks at 60 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let screen = app.attr_now("#main", "data-screen").await.unwrap_or_default();
        if screen == "locked" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {screen} after 90 s idle");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(!app.exists("#playbook-list").await);
    assert!(!app.find("#idle-warning").await.is_displayed().await.unwrap());
    app.close().await;
}

/// The admin sets the workstation's time zone in the window: every time the window shows
/// reads in it with its abbreviation, and "Use this computer's zone" goes back.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_the_time_zone_and_the_window_reads_in_it() {
    let app = App::launch_with_cli(|cli| {
        cli.init();
        cli.ok(&["incident", "start", "ransomware", "--drill"]);
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-admin").await;
    app.wait_screen("admin").await;
    let said = app.find("#zone-now").await.text().await.unwrap();
    assert!(said.ends_with("this computer's zone."), "{said}");
    app.fill("#zone-name", "America/Chicago").await;
    app.click("#zone-submit").await;
    app.wait_attr("#zone-system", "type", "button").await;
    let said = app.find("#zone-now").await.text().await.unwrap();
    assert_eq!(said, "Times read in America/Chicago, set here.");

    app.click("#nav-home").await;
    app.wait_screen("home").await;
    let line = app.find("#open-incidents .playbook-situation").await.text().await.unwrap();
    let chicago = caregiver::words::Zone::named("America/Chicago").unwrap();
    let today = chicago.format(chrono::Utc::now(), "%Y-%m-%d");
    assert!(line.contains(&format!("started {today} ")), "{line}");
    assert!(line.contains(" CST by Ada Admin"), "{line}");

    // A discovery time typed on the Start screen is on the workstation's clock too: 09:00
    // in Chicago, and the 60-day clock due at 09:00 there.
    app.click("button.situation[data-situation=ransomware]").await;
    app.wait_screen("start:ransomware").await;
    // The screen is marked before its data is drawn: wait for the field.
    app.find("#start-discovered").await;
    app.eval("document.getElementById('start-discovered').value = '2026-11-20T09:00'; return 1")
        .await;
    app.click("#start-confirm").await;
    let due = app.find("#deadlines li").await.text().await.unwrap();
    assert!(due.contains("(due 2027-01-19 09:00 CST)"), "{due}");

    app.click("#nav-admin").await;
    app.wait_screen("admin").await;
    app.click("#zone-system").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.exists("#zone-system").await {
        assert!(std::time::Instant::now() < deadline, "the admin screen kept the zone set");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let said = app.find("#zone-now").await.text().await.unwrap();
    assert!(said.ends_with("this computer's zone."), "{said}");
    app.close().await;
}
