//! The activity log: appended in the store, exported, and checked by the app, by Python and
//! openssl, and after tampering in the export or in the store.

use std::path::Path;

use caregiver::app::App;
use caregiver::events::Event;
use caregiver::store::{Role, Store};
use rusqlite::Connection;

use crate::support::{caregiver, clock, run};

const ADMIN: &str = "Ada Admin";
const PASS: &[u8] = b"correct horse battery staple";

fn note(text: &str) -> Event {
    Event::Note { text: text.into() }
}

fn store_with_entries(dir: &Path, n: u64) -> std::path::PathBuf {
    let path = dir.join("store.db");
    let (session, _) = Store::create(&path, ADMIN, PASS, clock()).unwrap();
    for i in 1..=n {
        let seq = session.append(Some("inc-1"), &note(&format!("entry {i}"))).unwrap();
        assert_eq!(seq, i);
    }
    path
}

fn export(tmp: &Path, store: &Path) -> std::path::PathBuf {
    let pass = tmp.join("pass");
    std::io::Write::write_all(&mut std::fs::File::create(&pass).unwrap(), PASS).unwrap();
    let out = tmp.join("bundle.jsonl");
    let (code, stdout, err) = run(caregiver(tmp)
        .arg("--store")
        .arg(store)
        .args(["log", "export", "--out"])
        .arg(&out)
        .args(["--user", ADMIN, "--passphrase-file"])
        .arg(&pass));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("Exported "), "{stdout}");
    out
}

#[test]
fn an_export_verifies_with_the_app_and_with_python_and_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_entries(tmp.path(), 6);
    let bundle = export(tmp.path(), &store);

    let (code, out, err) = run(caregiver(tmp.path()).args(["log", "verify"]).arg(&bundle));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verifies: 6 entries, 6 signed checkpoints"), "{out}");

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_bundle.py");
    let outsider = std::process::Command::new("python3")
        .arg(&script)
        .arg(&bundle)
        .arg("--all-signatures")
        .output()
        .expect("python3 runs (scripts/setup.sh installs it)");
    let said = String::from_utf8_lossy(&outsider.stdout);
    assert!(outsider.status.success(), "{said}{}", String::from_utf8_lossy(&outsider.stderr));
    assert!(said.starts_with("ok: 6 entries, chain intact"), "{said}");

    // One changed letter in entry 4: both checkers fail, and name it.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let tampered = tmp.path().join("tampered.jsonl");
    std::io::Write::write_all(
        &mut std::fs::File::create(&tampered).unwrap(),
        text.replacen("entry 4", "entry X", 1).as_bytes(),
    )
    .unwrap();
    let (code, _, err) = run(caregiver(tmp.path()).args(["log", "verify"]).arg(&tampered));
    assert_eq!(code, 1);
    assert!(
        err.contains("error[log_broken]")
            && err.contains("the checkpoint for 4 entries does not match entry 4"),
        "{err}"
    );
    let outsider =
        std::process::Command::new("python3").arg(&script).arg(&tampered).output().unwrap();
    assert!(!outsider.status.success());
    assert!(
        String::from_utf8_lossy(&outsider.stdout)
            .contains("the checkpoint for 4 entries does not match entry 4")
    );
}

#[test]
fn the_store_refuses_deletes_and_tampering_in_it_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_entries(tmp.path(), 4);
    let conn = Connection::open(&store).unwrap();
    let err = conn.execute("DELETE FROM log_entries WHERE seq = 2", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("UPDATE log_entries SET seq = 9 WHERE seq = 2", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("UPDATE log_entries SET checkpoint = '' WHERE seq = 1", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");

    // Swapping two entries' sealed bytes: entry 2 no longer opens.
    conn.execute_batch(
        "UPDATE log_entries SET sealed = (SELECT sealed FROM log_entries WHERE seq = 3) WHERE seq = 2;",
    )
    .unwrap();
    let session = Store::open(&store, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let err = session.verify_log().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the activity log does not verify: entry 2 in the store failed its integrity check"
    );
    assert_eq!(session.append(None, &note("")).unwrap(), 5, "appending goes on");

    // Someone who drops the triggers and deletes an entry is still caught.
    let tmp2 = tempfile::tempdir().unwrap();
    let store2 = store_with_entries(tmp2.path(), 4);
    let conn2 = Connection::open(&store2).unwrap();
    conn2
        .execute_batch("DROP TRIGGER log_entries_no_delete; DELETE FROM log_entries WHERE seq = 3;")
        .unwrap();
    let session = Store::open(&store2, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let err = session.verify_log().unwrap_err();
    assert!(err.to_string().contains("entry 4 follows entry 2"), "{err}");
    // Appending checks only the head (it stays O(1)); the gap is still there for verify.
    session.append(None, &note("")).unwrap();
    assert!(session.verify_log().unwrap_err().to_string().contains("entry 4 follows entry 2"));
}

#[test]
fn corrections_point_back_and_rotation_keeps_the_log_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_entries(tmp.path(), 2);
    let mut session = Store::open(&store, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let seq = session.write(|w| w.correct(2, Some("inc-1"), &note("entry 2 was wrong"))).unwrap();
    assert_eq!(seq, 3);
    let err = session.write(|w| w.correct(9, None, &note(""))).unwrap_err();
    assert_eq!(err.to_string(), "correction: there is no entry 9");
    session.rotate_data_key().unwrap();
    let v = session.verify_log().unwrap();
    assert_eq!(v.entries, 3);

    // Only leads and admins export; a clinician cannot.
    session.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    let mut nurse = session.lock().unlock("Nina Nurse", b"first passphrase 1").unwrap();
    nurse.change_passphrase("Nina Nurse", b"nina's own passphrase").unwrap();
    assert_eq!(nurse.append(None, &note("")).unwrap(), 4);
    assert_eq!(nurse.verify_log().unwrap_err().code(), "permission_denied");
}

/// Emergency access cannot write the log itself: each use is logged at the next full
/// unlock, once, with its own time.
#[test]
fn emergency_access_uses_land_in_the_log_once() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store.db");
    let (mut session, _) = Store::create(&path, ADMIN, PASS, clock()).unwrap();
    session.set_emergency_code(b"WARD4-7K4M-Q2PX-9RTD").unwrap();
    let store = session.lock();
    let store = store.unlock_emergency(b"WARD4-7K4M-Q2PX-9RTD").unwrap().lock();
    let store = store.unlock_emergency(b"WARD4-7K4M-Q2PX-9RTD").unwrap().lock();
    drop(store);
    // The app logs them at each full unlock: the second unlock logs nothing again.
    let mut app = App::new(path.clone(), clock(), std::time::Instant::now());
    for _ in 0..2 {
        app.unlock(ADMIN, PASS, std::time::Instant::now()).unwrap();
        app.lock();
    }
    let session = Store::open(&path, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let mut bundle = Vec::new();
    session.export_log(&mut bundle).unwrap();
    let text = String::from_utf8(bundle).unwrap();
    let uses: Vec<&str> =
        text.lines().filter(|l| l.contains("\"kind\":\"emergency_access_used\"")).collect();
    assert_eq!(uses.len(), 2, "{text}");
    assert!(uses[0].contains("\"actor\":\"emergency access\""));
    assert_eq!(session.verify_log().unwrap().entries, 2);
}

/// Two workstations: one imports the other's bundle into a merged, read-only timeline;
/// importing again changes nothing; a longer bundle adds only the new entries; a bundle
/// that disagrees with what was imported is refused.
#[test]
fn merging_another_workstations_log() {
    let tmp = tempfile::tempdir().unwrap();
    let ward = tmp.path().join("ward");
    let command = tmp.path().join("command");
    std::fs::create_dir_all(&ward).unwrap();
    std::fs::create_dir_all(&command).unwrap();
    let ward_store = store_with_entries(&ward, 3);
    let command_store = store_with_entries(&command, 2);

    let ward_session = Store::open(&ward_store, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let mut first = Vec::new();
    ward_session.export_log(&mut first).unwrap();
    let first = String::from_utf8(first).unwrap();

    let session = Store::open(&command_store, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let done = session.import_log(&first).unwrap();
    assert_eq!((done.new_entries, done.already_present), (3, 0));
    let again = session.import_log(&first).unwrap();
    assert_eq!((again.new_entries, again.already_present), (0, 3));

    ward_session.append(Some("inc-1"), &note("later")).unwrap();
    let mut second = Vec::new();
    ward_session.export_log(&mut second).unwrap();
    let second = String::from_utf8(second).unwrap();
    let more = session.import_log(&second).unwrap();
    assert_eq!((more.new_entries, more.already_present), (1, 3));

    let timeline = session.merged_timeline::<Event>(Some("inc-1")).unwrap();
    assert_eq!(timeline.len(), 2 + 4);
    assert!(timeline.windows(2).all(|w| w[0].time <= w[1].time), "ordered by time");
    let logs: std::collections::BTreeSet<&str> = timeline.iter().map(|e| e.log.as_str()).collect();
    assert_eq!(logs.len(), 2);
    assert_eq!(session.verify_imported_log(&done.log).unwrap().entries, 4);

    // This workstation's own log is not imported; a tampered bundle is refused before
    // anything of it is stored.
    let mut own = Vec::new();
    session.export_log(&mut own).unwrap();
    let err = session.import_log(&String::from_utf8(own).unwrap()).unwrap_err();
    assert!(err.to_string().contains("this workstation's own log"), "{err}");
    let tampered = second.replacen("entry 2", "entry X", 1);
    let err = session.import_log(&tampered).unwrap_err();
    assert_eq!(err.code(), "log_broken");
    assert_eq!(session.merged_timeline::<Event>(None).unwrap().len(), 2 + 4);

    // Read-only in the database, and kept whole across a key rotation.
    let conn = Connection::open(&command_store).unwrap();
    let err = conn.execute("DELETE FROM imported_entries", []).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    let mut session = session;
    session.rotate_data_key().unwrap();
    assert_eq!(session.merged_timeline::<Event>(None).unwrap().len(), 2 + 4);
}

/// A bundle exported before log entries were typed (`tests/fixtures/log/`, made with that
/// version's CLI and window: every kind it wrote but `incident_closed`) still verifies, by
/// the CLI and as an import, and every entry reads into the event enum.
#[test]
fn a_bundle_from_before_typed_events_verifies_and_reads_as_events() {
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/log/bundle-before-typed-events.jsonl");
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(caregiver(tmp.path()).args(["log", "verify"]).arg(&bundle));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("15 entries, 15 signed checkpoints"), "{out}");

    let text = std::fs::read_to_string(&bundle).unwrap();
    let events: Vec<Event> = text
        .lines()
        .filter(|l| l.starts_with("{\"t\":\"entry\""))
        .map(|l| serde_json::from_str::<caregiver::log::Entry>(l).unwrap().decode().unwrap().event)
        .collect();
    assert_eq!(events.len(), 15);
    let mut kinds: Vec<&str> = events.iter().map(Event::kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "call_made",
            "decision",
            "drill_ended",
            "emergency_access_used",
            "incident_started",
            "note",
            "observation",
            "phishing_imported",
            "position_assigned",
            "step_done",
            "step_skipped",
            "timer_acknowledged",
            "training_acknowledged",
            "training_assigned",
        ]
    );
    assert!(events.iter().any(
        |e| matches!(e, Event::Observation { text, .. } if text == "Lab printer down on ward 3")
    ));

    // Imported into another workstation, it joins the merged timeline, typed.
    let store = store_with_entries(tmp.path(), 1);
    let session = Store::open(&store, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    assert_eq!(session.import_log(&text).unwrap().new_entries, 15);
    assert_eq!(session.merged_timeline::<Event>(None).unwrap().len(), 16);
}
