//! The application layer on a real store in a temp folder, on a fake clock: sessions, the
//! idle lock, emergency access, and an incident run through its reminders, an unanswered
//! call and a legal deadline without a single sleep.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::app::incidents::Reminder;
use crate::clock::FakeClock;
use crate::contacts::calltree::Outcome;
use crate::events::Event;
use crate::incident::DeadlineStatus;
use crate::playbook::pack::{PACK_KEY, PackKey, SIGNED_PACK, SignedPack};
use crate::store::Role;

pub(crate) const PASS: &[u8] = b"correct horse battery staple";

pub(crate) fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().to_utc()
}

/// A fresh app on a store in a temp folder, on a fake clock at `t0`.
pub(crate) fn app() -> (tempfile::TempDir, App, Arc<FakeClock>, Instant) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::starting_at(start());
    let now = Instant::now();
    let app = App::new(dir.path().join("data/store.db"), clock.clone(), now)
        .with_managed_dir(dir.path().join("managed"));
    (dir, app, clock, now)
}

#[test]
fn setup_then_lock_then_unlock() {
    let (_dir, mut app, _, t0) = app();
    assert_eq!(app.status(t0).phase, Phase::Setup);
    assert_eq!(app.playbooks().unwrap_err().code(), "locked");
    let key = app.setup("Ada Admin", PASS, t0).unwrap();
    assert_eq!(key.as_str().split('-').count(), 13);
    let st = app.status(t0);
    assert_eq!(st.phase, Phase::Unlocked);
    assert_eq!(st.user.unwrap().role, Role::Admin);
    assert!(!app.playbooks().unwrap().is_empty());

    app.lock();
    assert_eq!(app.status(t0).phase, Phase::Locked);
    assert_eq!(app.playbooks().unwrap_err().code(), "locked");
    assert_eq!(app.users().unwrap_err().code(), "locked");
    let screen = app.lock_screen().unwrap();
    assert_eq!(screen, LockScreen { names: vec!["Ada Admin".into()], emergency_available: false });
    assert_eq!(
        app.unlock("Ada Admin", b"wrong passphrase!", t0).unwrap_err().code(),
        "wrong_passphrase"
    );
    assert_eq!(app.unlock("Ada Admin", PASS, t0).unwrap().phase, Phase::Unlocked);
}

/// The store opened ahead of the lock screen serves its first call, and still reads what
/// changed since it was opened (another process adding a user meanwhile); with no store
/// yet, nothing is opened.
#[test]
fn the_lock_screen_uses_the_store_opened_ahead() {
    let (dir, mut app, clock, t0) = app();
    app.open_ahead();
    assert_eq!(app.status(t0).phase, Phase::Setup);
    app.setup("Ada Admin", PASS, t0).unwrap();
    app.lock();

    app.open_ahead();
    let store = Store::open(&dir.path().join("data/store.db"), clock.clone()).unwrap();
    let mut other = store.unlock("Ada Admin", PASS).unwrap();
    other.add_user("Nora Nurse", Role::Staff, PASS, None).unwrap();
    let names = vec!["Ada Admin".to_owned(), "Nora Nurse".to_owned()];
    assert_eq!(app.lock_screen().unwrap().names, names);
    // Its first call took it: the next opens the file again.
    assert!(app.ahead.borrow().is_none());
    assert_eq!(app.lock_screen().unwrap().names, names);
    assert_eq!(app.unlock("Nora Nurse", PASS, t0).unwrap().phase, Phase::Unlocked);
}

/// Table-driven: (idle minutes set, seconds idle, locked?).
#[test]
fn the_idle_lock_follows_the_admins_setting() {
    let cases =
        [(10, 599, false), (10, 600, true), (1, 59, false), (1, 60, true), (30, 1200, false)];
    for (minutes, idle_secs, locks) in cases {
        let (_dir, mut app, _, t0) = app();
        app.setup("Ada Admin", PASS, t0).unwrap();
        app.set_idle_lock_minutes(minutes).unwrap();
        app.touch(t0);
        let later = t0 + Duration::from_secs(idle_secs);
        assert_eq!(app.status(later).idle_lock_secs, u64::from(minutes) * 60);
        assert_eq!(app.tick(later), locks, "{minutes} min, {idle_secs} s idle");
        assert_eq!(app.status(later).phase == Phase::Locked, locks);
    }
}

#[test]
fn activity_postpones_the_lock_and_a_restart_keeps_the_setting() {
    let (dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    app.set_idle_lock_minutes(2).unwrap();
    app.touch(t0 + Duration::from_secs(100));
    assert!(!app.tick(t0 + Duration::from_secs(200)));
    assert_eq!(app.status(t0 + Duration::from_secs(200)).idle_remaining_secs, 20);
    assert!(app.tick(t0 + Duration::from_secs(220)));
    // A new window on the same store reads the admin's setting at unlock.
    let mut again = App::new(dir.path().join("data/store.db"), clock, t0);
    again.unlock("Ada Admin", PASS, t0).unwrap();
    assert_eq!(again.status(t0).idle_lock_secs, 120);
}

#[test]
fn emergency_access_shows_playbooks_and_nothing_of_the_admins() {
    let (dir, mut app, _, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let code = app.new_emergency_code().unwrap();
    // A pack imported through the importer (kept as signed, with the ward's copies of it
    // and of the pinned key) shows under emergency access too.
    let (key_text, public) = library::new_pack_key().unwrap();
    let folder = dir.path().join("pack");
    std::fs::create_dir(&folder).unwrap();
    let extra = include_str!("../../playbooks/phishing.toml").replacen(
        "id = \"phishing\"",
        "id = \"ward-extra\"",
        1,
    );
    std::fs::write(folder.join("extra.toml"), extra).unwrap();
    let (_, signed) = library::sign_pack(&folder, &key_text, Some(3), 30, start()).unwrap();
    app.trust_pack_key(&public).unwrap();
    app.import_pack(&signed).unwrap();
    assert_eq!(code.len(), 19);
    app.lock();
    assert!(app.lock_screen().unwrap().emergency_available);
    assert_eq!(
        app.unlock_emergency(b"NOT-THE-CODE-AT-ALL", t0).unwrap_err().code(),
        "wrong_passphrase"
    );
    let st = app.unlock_emergency(code.to_lowercase().as_bytes(), t0).unwrap();
    assert_eq!(st.phase, Phase::Emergency);
    assert!(st.user.is_none());
    let shown = app.playbooks().unwrap();
    assert_eq!(shown.len(), 11);
    assert!(shown.iter().any(|p| p.id == "ward-extra"));
    let info = app.pack_info().unwrap().unwrap();
    assert_eq!((info.version, info.imported), (3, Some(start())));
    assert!(app.pack_warning().unwrap().is_none());
    assert!(app.ward_call_list().unwrap().0.is_empty());
    assert_eq!(app.users().unwrap_err().code(), "locked");
    assert_eq!(app.settings().unwrap_err().code(), "locked");
    app.lock();
    assert_eq!(app.status(t0).phase, Phase::Locked);
}

#[test]
fn a_new_user_must_change_their_passphrase_first() {
    let (_dir, mut app, _, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let nina = admin::NewUser {
        name: "Nina Nurse",
        role: Role::Clinician,
        first_passphrase: b"first passphrase 1",
        department: Some("Ward 4"),
    };
    app.add_user(nina).unwrap();
    app.unlock("Nina Nurse", b"first passphrase 1", t0).unwrap();
    assert!(app.status(t0).user.unwrap().must_change_passphrase);
    assert_eq!(app.playbooks().unwrap_err().code(), "passphrase_change_required");
    app.change_own_passphrase(b"nina's own passphrase").unwrap();
    assert!(!app.status(t0).user.unwrap().must_change_passphrase);
    assert!(!app.playbooks().unwrap().is_empty());
    let users = app.users().unwrap();
    assert_eq!(users.len(), 2);
    let nina = users.iter().find(|u| u.name == "Nina Nurse").unwrap();
    assert_eq!(nina.department.as_deref(), Some("Ward 4"));
    let x = admin::NewUser {
        name: "X",
        role: Role::Admin,
        first_passphrase: b"first passphrase 2",
        department: None,
    };
    assert_eq!(app.add_user(x).unwrap_err().code(), "permission_denied");
}

/// An incident on the fake clock, with no sleep anywhere: a step's reminder comes due 15
/// minutes after its step was reached and is announced once; an unanswered call escalates
/// to the alternate on the contact's wait; the 60-day breach notice is open on day 59 and
/// missed on day 61; every log entry carries the fake clock's time.
#[test]
fn an_incident_runs_through_a_reminder_a_call_and_a_deadline_on_a_fake_clock() {
    let (_dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let csv = include_bytes!("../../tests/fixtures/contacts/sample.csv");
    let file = contacts::ContactFile { bytes: csv, name: "sample.csv" };
    app.import_contacts(file, false).unwrap();
    let view = app.start_incident("ransomware", true, None, None).unwrap();
    let id = view.progress.incident.id.clone();
    assert_eq!(view.progress.incident.started, start());
    assert!(view.can_command);
    assert_eq!(view.my_positions, ["incident-commander"]);

    clock.advance(TimeDelta::minutes(14));
    assert!(app.announce_reminders().is_empty());
    clock.advance(TimeDelta::minutes(1));
    let due = app.announce_reminders();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].step.as_str(), due[0].drill), ("stop-and-unplug", true));
    assert_eq!(due[0].due, start() + TimeDelta::minutes(15));
    assert!(app.announce_reminders().is_empty(), "announced once");
    assert_eq!(app.reminders().len(), 1, "the banner keeps it until it is seen");
    app.lock();
    assert!(app.announce_reminders().is_empty(), "nothing while locked");
    app.unlock("Ada Admin", PASS, t0).unwrap();
    let seen = app.acknowledge_timer(&id, "stop-and-unplug").unwrap();
    assert!(seen.progress.timers.iter().all(|t| t.acknowledged));
    assert!(app.reminders().is_empty());
    assert_eq!(app.acknowledge_timer(&id, "stop-and-unplug").unwrap_err().code(), "invalid_input");

    // A call nobody answers: the alternate is due after the contact's wait (10 minutes).
    let calls = app.call(&id, "it-service-desk", Outcome::NoAnswer).unwrap();
    assert_eq!(calls.unreached, calls.tree.len());
    clock.advance(TimeDelta::minutes(9));
    assert!(app.reminders().iter().all(|r| !r.step.starts_with("call:")));
    clock.advance(TimeDelta::minutes(1));
    let escalate: Vec<Reminder> =
        app.reminders().into_iter().filter(|r| r.step == "call:it-service-desk").collect();
    assert_eq!(escalate.len(), 1, "{escalate:?}");
    assert!(escalate[0].say.contains("call the alternate"), "{}", escalate[0].say);

    // The breach notice runs 60 days from discovery (here, the start).
    let breach = |app: &App| {
        let r = app.review(&id).unwrap();
        r.deadlines.into_iter().find(|d| d.step == "breach-decision").unwrap()
    };
    clock.set(start() + TimeDelta::days(59));
    assert_eq!(breach(&app).status, DeadlineStatus::Running);
    clock.set(start() + TimeDelta::days(61));
    assert_eq!(breach(&app).status, DeadlineStatus::Overdue, "open: overdue, not missed");

    // The log's entries carry the fake clock's times, in order.
    let times: Vec<DateTime<Utc>> =
        app.user().unwrap().events::<Event>(Some(&id)).unwrap().iter().map(|e| e.time).collect();
    assert_eq!(
        times,
        [start(), start() + TimeDelta::minutes(15), start() + TimeDelta::minutes(15)],
        "started, reminder seen, call made"
    );
}

/// On the fake clock: the lead moves discovery back with a reason (a correcting entry
/// pointing at the one it replaces; the clocks follow; a clinician who is not the lead
/// may not); a law-enforcement delay freezes the time left, and an oral one ends by
/// itself after 30 days.
#[test]
fn discovery_moves_and_pauses_freeze_the_legal_clocks_on_a_fake_clock() {
    let (_dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    // Whatever this machine's zone: the clocks count, and read, in UTC here.
    app.set_time_zone(Some("UTC")).unwrap();
    let view = app.start_incident("phi-breach", true, None, None).unwrap();
    let id = view.progress.incident.id.clone();
    let individuals = |app: &App| {
        let p = app.progress(&id).unwrap();
        p.deadlines.into_iter().find(|d| d.step == "notify-individuals").unwrap()
    };
    assert_eq!(individuals(&app).due, Some(start() + TimeDelta::days(60)));

    clock.advance(TimeDelta::days(3));
    let earlier = start() - TimeDelta::days(10);
    let moved =
        app.correct_discovery(&id, earlier, "the audit log shows access on the 18th").unwrap();
    assert_eq!(moved.progress.incident.discovered, earlier);
    assert_eq!(individuals(&app).due, Some(earlier + TimeDelta::days(60)));
    let again = start() - TimeDelta::days(9);
    app.correct_discovery(&id, again, "the 18th was a test login").unwrap();
    let log = app.user().unwrap().events::<Event>(Some(&id)).unwrap();
    let started = log.iter().find(|e| matches!(e.event, Event::IncidentStarted(_))).unwrap();
    let fixes: Vec<_> =
        log.iter().filter(|e| matches!(e.event, Event::DiscoveryCorrected { .. })).collect();
    assert_eq!(fixes.len(), 2);
    assert_eq!(fixes[0].corrects, Some(started.seq), "the first corrects the start");
    assert_eq!(fixes[1].corrects, Some(fixes[0].seq), "the second corrects the first");
    assert!(matches!(&fixes[1].event, Event::DiscoveryCorrected { was, .. } if *was == earlier));
    let text = app.review_text(&id).unwrap();
    assert!(text.contains("recorded at the start as 2026-11-28 06:00 UTC"), "{text}");
    let future = app.correct_discovery(&id, start() + TimeDelta::days(30), "typo");
    assert_eq!(future.unwrap_err().code(), "invalid_input");
    assert_eq!(app.correct_discovery(&id, earlier, "  ").unwrap_err().code(), "invalid_input");

    // A law-enforcement delay: the time left does not move while it holds.
    let paused =
        app.pause_clock(&id, "notify-individuals", "Det. Ray, county police, by phone", false);
    let left = paused
        .unwrap()
        .progress
        .deadlines
        .iter()
        .find(|d| d.clock == "hipaa-individuals")
        .unwrap()
        .left_minutes;
    assert_eq!(individuals(&app).status, DeadlineStatus::Paused);
    clock.advance(TimeDelta::days(5));
    assert_eq!(individuals(&app).left_minutes, left, "frozen");
    let twice = app.pause_clock(&id, "notify-individuals", "again", false);
    assert_eq!(twice.unwrap_err().code(), "invalid_input");
    app.resume_clock(&id, "notify-individuals").unwrap();
    clock.advance(TimeDelta::days(1));
    assert_eq!(individuals(&app).status, DeadlineStatus::Running);
    assert_eq!(individuals(&app).left_minutes, left.map(|l| l - 24 * 60));
    assert_eq!(app.resume_clock(&id, "notify-individuals").unwrap_err().code(), "invalid_input");
    let unknown = app.pause_clock(&id, "no-such-clock", "x", true).unwrap_err();
    assert!(unknown.to_string().contains("notify-individuals"), "{unknown}");
    // An oral delay ends by itself after 30 days.
    app.pause_clock(&id, "notify-individuals", "FBI field office, by phone", false).unwrap();
    clock.advance(TimeDelta::days(31));
    assert_eq!(individuals(&app).status, DeadlineStatus::Running);
    assert!(individuals(&app).pauses[1].lapsed);

    // A clinician who is not the lead may not move discovery.
    let nina = admin::NewUser {
        name: "Nina Nurse",
        role: Role::Clinician,
        first_passphrase: b"first passphrase 1",
        department: None,
    };
    app.add_user(nina).unwrap();
    app.unlock("Nina Nurse", b"first passphrase 1", t0).unwrap();
    app.change_own_passphrase(b"nina's own passphrase").unwrap();
    let denied = app.correct_discovery(&id, earlier, "I think it was earlier").unwrap_err();
    assert_eq!(denied.code(), "permission_denied");
}

/// Emergency access sees an open incident's ward steps, with the calls they name resolved
/// from the ward call list, and logs an observation; a signed-in user cannot pose as
/// emergency access.
#[test]
fn emergency_access_follows_ward_steps_and_observes() {
    let (_dir, mut app, _, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let csv = include_bytes!("../../tests/fixtures/contacts/sample.csv");
    app.import_contacts(contacts::ContactFile { bytes: csv, name: "sample.csv" }, false).unwrap();
    let code = app.new_emergency_code().unwrap();
    let id = app.start_incident("ehr-downtime", false, None, None).unwrap().progress.incident.id;
    assert_eq!(app.observe(&id, "x").unwrap_err().code(), "invalid_input");
    assert_eq!(app.ward_incidents().unwrap_err().code(), "locked");
    app.lock();
    app.unlock_emergency(code.as_bytes(), t0).unwrap();
    let ward = app.ward_incidents().unwrap();
    assert_eq!(ward.len(), 1);
    assert!(!ward[0].steps.is_empty() && ward[0].steps.iter().all(|s| s.ward));
    let n = ward[0].steps.iter().position(|s| s.id == "confirm-down").unwrap();
    let call = &ward[0].calls[n];
    assert_eq!(call.len(), 1);
    assert_eq!(call[0].name.as_deref(), Some("IT Service Desk (Example Health)"));
    assert_eq!(call[0].phone.as_deref(), Some("(555) 555-0110 ext 1"));
    app.observe(&id, "Lab results printer down on ward 3").unwrap();
    assert_eq!(app.incident(&id).unwrap_err().code(), "locked");
    app.lock();
    app.unlock("Ada Admin", PASS, t0).unwrap();
    let view = app.incident(&id).unwrap();
    assert!(view.progress.events.iter().any(|e| matches!(e.event, Event::Observation { .. })
        && e.detail.as_deref() == Some("Lab results printer down on ward 3")));
}

/// The same bad phishing file gives the same error whichever front end sends it.
#[test]
fn a_bad_phishing_file_is_rejected_with_every_bad_line() {
    let (_dir, mut app, _, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let file =
        training::ResultsFile { bytes: b"email,clicked\nnot-an-email,maybe\n", campaign: "Q4" };
    let err = app.import_phishing(file).unwrap_err();
    assert_eq!(err.code(), "import_rejected", "{err}");
}

/// The window's preview of a file with thousands of problems and warnings: the first 100
/// of each, and a count of the rest; importing it without skipping imports nothing.
#[test]
fn the_preview_lists_the_first_hundred_problems_and_counts_the_rest() {
    let (_dir, mut app, _, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let mut csv = String::from("name,email,channels,mobile_phone\n");
    for i in 0..3_000 {
        csv.push_str(&format!("Bad {i},not an address,phone,\n"));
        csv.push_str(&format!("Texted {i},,sms,555-0199\n"));
    }
    let file = contacts::ContactFile { bytes: csv.as_bytes(), name: "tree.csv" };
    let preview = app.preview_contacts(file).unwrap();
    assert_eq!(preview.good, 3_000);
    assert_eq!((preview.problems.first.len(), preview.problems.more), (100, 2_900));
    assert_eq!(
        preview.problems.first[99],
        "line 200: email is not an email address like name@hospital.example"
    );
    // Each texted contact: sms is not secure; each bad one: no work_phone for `phone`.
    assert_eq!((preview.warnings.first.len(), preview.warnings.more), (100, 5_900));
    let err = app.import_contacts(file, false).unwrap_err();
    assert_eq!(err.code(), "import_rejected");
    assert!(err.to_string().ends_with("; … and 2,900 more problems"), "{err}");
    assert!(app.contacts().unwrap().is_empty());
}

/// The sizes of the log's signed checkpoints, read from the file as an outsider would.
fn checkpoint_sizes(app: &App) -> Vec<i64> {
    let conn = rusqlite::Connection::open(app.store_path()).unwrap();
    let mut stmt = conn.prepare("SELECT size FROM log_checkpoints ORDER BY size").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Checkpoints at a pace, on the fake clock: one per `CHECKPOINT_EVERY` entries, one when
/// the oldest waiting entry has waited `CHECKPOINT_AFTER` (at the next append, or at the
/// window's tick), one at incident close, and one at lock.
#[test]
fn checkpoints_come_at_a_pace_and_at_lock_and_close() {
    use crate::store::{CHECKPOINT_AFTER, CHECKPOINT_EVERY};
    let (_dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let id = app.start_incident("ransomware", true, None, None).unwrap().progress.incident.id;
    // Entry 1 started the incident: notes 2 to 64 make the 64 entries a checkpoint waits for.
    for i in 2..CHECKPOINT_EVERY {
        app.incident_note(&id, &format!("note {i}")).unwrap();
        assert!(checkpoint_sizes(&app).is_empty(), "signed early, at entry {i}");
    }
    app.incident_note(&id, "the 64th").unwrap();
    assert_eq!(checkpoint_sizes(&app), [64]);

    // 65 waits; 59 seconds later 66 still waits; at 61 seconds, 67 is signed with them.
    app.incident_note(&id, "65").unwrap();
    clock.advance(CHECKPOINT_AFTER - TimeDelta::seconds(1));
    app.incident_note(&id, "66").unwrap();
    assert_eq!(checkpoint_sizes(&app), [64]);
    clock.advance(TimeDelta::seconds(2));
    app.incident_note(&id, "67").unwrap();
    assert_eq!(checkpoint_sizes(&app), [64, 67]);

    // The tick signs what has waited long enough, and only that.
    app.incident_note(&id, "68").unwrap();
    assert!(!app.tick(t0));
    assert_eq!(checkpoint_sizes(&app), [64, 67]);
    clock.advance(CHECKPOINT_AFTER);
    assert!(!app.tick(t0));
    assert_eq!(checkpoint_sizes(&app), [64, 67, 68]);

    // Closing the incident is signed with it; so is locking.
    app.close_incident(&id).unwrap();
    assert_eq!(checkpoint_sizes(&app), [64, 67, 68, 69]);
    let id = app.start_incident("ransomware", true, None, None).unwrap().progress.incident.id;
    app.incident_note(&id, "before the lock").unwrap();
    app.lock();
    assert_eq!(checkpoint_sizes(&app), [64, 67, 68, 69, 71]);
    assert!(app.unlock("Ada Admin", PASS, t0).is_ok());
    let bundle = app.user().unwrap().verify_log().unwrap();
    assert_eq!((bundle.entries, bundle.checkpoints, bundle.declared), (71, 5, 0));
}

/// The workstation's clocks, soonest first, and their reminders at the lead times the
/// admin set, each announced once, on the fake clock: 7 days before, 1 day before, and
/// overdue; a paused clock reminds no one.
#[test]
fn running_clocks_are_listed_and_remind_at_their_lead_times() {
    let (_dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();
    let id = app.start_incident("phi-breach", true, None, None).unwrap().progress.incident.id;
    let clocks = app.running_clocks().unwrap();
    assert!(!clocks.is_empty());
    assert!(clocks.windows(2).all(|w| w[0].clock.due <= w[1].clock.due), "soonest first");
    let individuals = clocks.iter().find(|c| c.clock.step == "notify-individuals").unwrap();
    assert_eq!(individuals.incident, id);
    assert_eq!(individuals.due_words, "2027-01-27 06:00 UTC");
    let of_individuals = |app: &mut App| -> Vec<String> {
        let all = app.announce_reminders();
        all.into_iter()
            .filter(|r| r.step.starts_with("clock:hipaa-individuals:"))
            .map(|r| r.say)
            .collect()
    };
    assert!(of_individuals(&mut app).is_empty(), "60 days ahead: no reminder yet");

    // 53 days on: 7 days left, once.
    clock.advance(TimeDelta::days(53));
    let said = of_individuals(&mut app);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("due 2027-01-27 06:00 UTC, 7 d left"), "{}", said[0]);
    assert!(of_individuals(&mut app).is_empty(), "announced once");
    // 59 days on: 1 day left.
    clock.advance(TimeDelta::days(6));
    assert_eq!(of_individuals(&mut app).len(), 1);
    // Overdue.
    clock.advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    let said = of_individuals(&mut app);
    assert!(said.len() == 1 && said[0].starts_with("OVERDUE: "), "{said:?}");

    // The admin's own lead times, in words; nonsense is refused.
    assert_eq!(app.set_clock_reminders("2d, 4h 30m").unwrap(), [2 * 24 * 60, 4 * 60, 30]);
    let err = app.set_clock_reminders("soon").unwrap_err();
    assert!(err.to_string().contains("`soon` is not a lead time"), "{err}");
    assert_eq!(app.set_clock_reminders("").unwrap_err().code(), "invalid_input");
}

// ---- the managed configuration (issue 16) ----

const MANAGED_TITLE: &str = "EHR downtime (managed)";

/// Writes a managed configuration into the app's managed folder (`app()`'s): a pack of
/// version 9 (one playbook retitled) signed with a new key, that key, an idle lock of 5
/// minutes, and the policy.
fn write_managed(dir: &Path, forbid_local_changes: bool) {
    write_managed_version(dir, forbid_local_changes, 9);
}

/// [`write_managed`], the pack of `version`.
fn write_managed_version(dir: &Path, forbid_local_changes: bool, version: u64) {
    let (secret, public) = crate::playbook::pack::keygen().unwrap();
    let playbooks = dir.join("managed-playbooks");
    std::fs::create_dir_all(&playbooks).unwrap();
    let text = include_str!("../../playbooks/ehr-downtime.toml").replacen(
        "title = \"EHR or clinical system downtime (planned and unplanned)\"",
        &format!("title = \"{MANAGED_TITLE}\""),
        1,
    );
    std::fs::write(playbooks.join("ehr-downtime.toml"), text).unwrap();
    let signed = crate::playbook::pack::sign(&playbooks, &secret, version, 30, start()).unwrap();
    let managed = dir.join("managed");
    std::fs::create_dir_all(&managed).unwrap();
    std::fs::write(managed.join("pack.json"), signed).unwrap();
    std::fs::write(
        managed.join("managed.toml"),
        format!(
            "managed_by = \"St Example's IT\"\n[pack]\nfile = \"pack.json\"\nkeys = [\"{public}\"]\n[settings]\nidle_lock_minutes = 5\n[policy]\nforbid_local_changes = {forbid_local_changes}\n"
        ),
    )
    .unwrap();
}

/// A pack of `version` signed with a key of the workstation's own admin: (its public key,
/// the pack).
pub(crate) fn local_pack(dir: &Path, version: u64) -> (String, String) {
    let (secret, public) = crate::playbook::pack::keygen().unwrap();
    let playbooks = dir.join(format!("local-playbooks-{version}"));
    std::fs::create_dir_all(&playbooks).unwrap();
    let text = include_str!("../../playbooks/ehr-downtime.toml").replacen(
        "title = \"EHR or clinical system downtime (planned and unplanned)\"",
        "title = \"EHR downtime (local)\"",
        1,
    );
    std::fs::write(playbooks.join("ehr-downtime.toml"), text).unwrap();
    (public, crate::playbook::pack::sign(&playbooks, &secret, version, 30, start()).unwrap())
}

fn titles(app: &App) -> Vec<String> {
    app.playbooks().unwrap().into_iter().map(|p| p.title).collect()
}

/// A local admin cannot untrust the managed key: with the policy, pinning another key or
/// importing a pack is refused; without it, the store's pin changes but the managed pack
/// is still checked against the managed key and stays in force, and an older local pack is
/// refused as a rollback (the managed pack is in the store since setup).
/// Nor can they make the idle lock longer than the managed one, with or without it.
#[test]
fn a_local_admin_cannot_untrust_the_managed_key_or_lengthen_the_idle_lock() {
    for forbid in [true, false] {
        let (dir, mut app, _, t0) = app();
        write_managed(dir.path(), forbid);
        app.setup("Ada Admin", PASS, t0).unwrap();
        assert!(titles(&app).iter().any(|t| t == MANAGED_TITLE), "{forbid}");
        assert_eq!(app.status(t0).idle_lock_secs, 300);
        let (other_key, older) = local_pack(dir.path(), 5);

        let trusted = app.trust_pack_key(&other_key);
        let imported = app.import_pack(&older);
        let lengthened = app.set_idle_lock_minutes(30);
        if forbid {
            for refused in [trusted, imported.map(|_| ()), lengthened] {
                assert_eq!(refused.unwrap_err().code(), "managed");
            }
        } else {
            trusted.unwrap();
            // The managed pack was taken into the store at setup: an older one is a rollback.
            let refused = imported.unwrap_err();
            assert_eq!(refused.code(), "pack_rejected", "{refused}");
            assert!(refused.to_string().contains("not newer than the version in force (9)"));
            lengthened.unwrap();
        }
        let titles = titles(&app);
        assert!(titles.iter().any(|t| t == MANAGED_TITLE), "{forbid}: {titles:?}");
        assert!(!titles.iter().any(|t| t == "EHR downtime (local)"), "{forbid}: {titles:?}");
        assert_eq!(app.pack_info().unwrap().unwrap().version, 9);
        assert_eq!(app.status(t0).idle_lock_secs, 300, "{forbid}");
        app.touch(t0);
        assert!(app.tick(t0 + Duration::from_secs(300)), "{forbid}: not locked at 5 minutes");
    }
}

/// The managed pack is taken into the store when an admin signs in (the first admin at
/// setup) and it is newer than the store's: its key pinned, the ward's copies written. A
/// configuration pushed broken later leaves that last good pack in force, and says why;
/// a newer managed pack is in force at once for anyone, and in the store from the next
/// admin's sign-in.
#[test]
fn the_store_keeps_the_last_good_managed_pack() {
    let (dir, mut app, clock, t0) = app();
    write_managed(dir.path(), true);
    app.setup("Ada Admin", PASS, t0).unwrap();
    let stored = |app: &App| {
        let session = app.user().unwrap();
        let pack = session.get::<SignedPack>(SIGNED_PACK).unwrap().map(|p| p.version);
        let key = session.get::<PackKey>(PACK_KEY).unwrap().map(|k| k.0);
        (pack, key)
    };
    let managed_key = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join("managed/managed.toml")).unwrap();
        text.split("keys = [\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
    };
    assert_eq!(stored(&app), (Some(9), Some(managed_key(dir.path()))));
    app.add_user(admin::NewUser {
        name: "Sam Staff",
        role: Role::Staff,
        first_passphrase: b"first passphrase 12",
        department: None,
    })
    .unwrap();
    app.lock();

    // IT pushes a pack edited after signing: nothing of it is in force, the store's is.
    let pack_file = dir.path().join("managed/pack.json");
    let good = std::fs::read_to_string(&pack_file).unwrap();
    std::fs::write(&pack_file, good.replacen(MANAGED_TITLE, "EHR downtime (tampered)", 1)).unwrap();
    let store = dir.path().join("data/store.db");
    let mut broken =
        App::new(store.clone(), clock.clone(), t0).with_managed_dir(dir.path().join("managed"));
    broken.unlock("Ada Admin", PASS, t0).unwrap();
    let problem = broken.managed_view().problem.unwrap();
    assert!(problem.contains("pack.json"), "{problem}");
    assert!(titles(&broken).iter().any(|t| t == MANAGED_TITLE));
    assert!(!titles(&broken).iter().any(|t| t.contains("tampered")));
    assert_eq!(broken.pack_info().unwrap().unwrap().version, 9);
    broken.lock();

    // A newer managed pack, signed with a new key: in force at once for a staff member,
    // who cannot write packs; in the store, with its key, from the next admin's sign-in.
    write_managed_version(dir.path(), true, 10);
    let mut staff =
        App::new(store.clone(), clock.clone(), t0).with_managed_dir(dir.path().join("managed"));
    staff.unlock("Sam Staff", b"first passphrase 12", t0).unwrap();
    staff.change_own_passphrase(b"second passphrase 34").unwrap();
    assert_eq!(staff.pack_info().unwrap().unwrap().version, 10);
    let session = staff.user().unwrap();
    assert_eq!(session.get::<SignedPack>(SIGNED_PACK).unwrap().map(|p| p.version), Some(9));
    staff.lock();
    let mut admin = App::new(store, clock, t0).with_managed_dir(dir.path().join("managed"));
    admin.unlock("Ada Admin", PASS, t0).unwrap();
    assert_eq!(stored(&admin), (Some(10), Some(managed_key(dir.path()))));
}
