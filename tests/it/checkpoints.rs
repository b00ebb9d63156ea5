//! Checkpoints at a pace (issue 15), on stores made with the CLI as users make them: a
//! session that ends without signing (the app killed, the power cut: here a session dropped
//! without locking, which leaves the file exactly as a killed process does) leaves its
//! entries chained, sealed and counted; the same person signs them at their next write,
//! anyone else declares them, and both checkers accept the bundle and say so. The
//! checkpoints are counted by the store's state, from schema 8 on and in stores upgraded to
//! it.

use std::path::Path;
use std::process::Command;

use caregiver::events::Event;
use caregiver::store::Store;

use crate::insider::{ADMIN, ADMIN_PASS, Ward};
use crate::support::clock;

const LEAD: &str = "Lena Lead";
const LEAD_PASS: &[u8] = b"lena's own passphrase 3";
const CLINICIAN: &str = "Cora Clinician";
const CLINICIAN_PASS: &[u8] = b"cora's own passphrase 5";

fn ward() -> Ward {
    let ward = Ward::with_admin();
    ward.add(LEAD, "lead", LEAD_PASS);
    ward.add(CLINICIAN, "clinician", CLINICIAN_PASS);
    ward
}

/// Lena starts an incident with the CLI, then writes `notes` notes in a session that ends
/// without locking. Returns the incident's id.
fn lena_is_cut_off(ward: &Ward, notes: usize) -> String {
    let id = ward.as_user(LEAD, LEAD_PASS, &["incident", "start", "ransomware"]);
    let id = id.trim().to_owned();
    let session = Store::open(&ward.store, clock()).unwrap().unlock(LEAD, LEAD_PASS).unwrap();
    for i in 0..notes {
        session.append(Some(&id), &Event::Note { text: format!("Lena's note {i}") }).unwrap();
    }
    std::mem::forget(session);
    id
}

/// The admin's export, checked by `caregiver log verify` and `docs/verify_bundle.py
/// --all-signatures` against the trusted key: what each said (both must pass).
fn export_and_check(ward: &Ward) -> [String; 2] {
    let bundle = ward.path("bundle.jsonl");
    let key = ward.path("key.pem");
    ward.as_user(ADMIN, ADMIN_PASS, &["log", "export", "--out", &bundle]);
    ward.as_user(ADMIN, ADMIN_PASS, &["log", "key", "--out", &key]);
    let app = ward.ok(&["log", "verify", &bundle, "--pubkey", &key]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_bundle.py");
    let py = Command::new("python3")
        .arg(script)
        .args([&bundle, "--pubkey", &key, "--all-signatures"])
        .output()
        .expect("python3 runs (scripts/setup.sh installs it)");
    let said = String::from_utf8_lossy(&py.stdout).into_owned();
    assert!(py.status.success(), "{said}{}", String::from_utf8_lossy(&py.stderr));
    [app, said]
}

fn checkpoint_sizes(ward: &Ward) -> Vec<i64> {
    let conn = ward.conn();
    let mut stmt = conn.prepare("SELECT size FROM log_checkpoints ORDER BY size").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Every CLI command ends by locking, which signs: the log's last entry is always signed.
#[test]
fn each_command_signs_what_it_wrote() {
    let ward = ward();
    let id = ward.as_user(LEAD, LEAD_PASS, &["incident", "start", "ransomware"]);
    ward.as_user(CLINICIAN, CLINICIAN_PASS, &["incident", "note", id.trim(), "Paper charts out"]);
    assert_eq!(checkpoint_sizes(&ward), [1, 2]);
    for said in export_and_check(&ward) {
        assert!(!said.contains("unsigned:"), "{said}");
    }
}

/// Lena's session is cut off with two notes unsigned. Cora writes next: she cannot sign
/// Lena's entries, so her write declares them first, and her checkpoint covers them as
/// declared. Both checkers accept the bundle and name the declaration.
#[test]
fn another_persons_unsigned_entries_are_declared_by_the_next_writer() {
    let ward = ward();
    let id = lena_is_cut_off(&ward, 2);
    assert_eq!(checkpoint_sizes(&ward), [1], "entries 2 and 3 wait for Lena's checkpoint");
    ward.as_user(CLINICIAN, CLINICIAN_PASS, &["incident", "note", &id, "Paper charts out"]);
    // 4: Cora's declaration, signed at her unlock (a change of session); 5: her note,
    // signed when her command ends.
    assert_eq!(checkpoint_sizes(&ward), [1, 4, 5]);
    let declared = "entries 2 to 3, declared by Cora Clinician at entry 4";
    for said in export_and_check(&ward) {
        assert!(said.contains("unsigned: 2 entries") && said.contains(declared), "{said}");
    }
    let session = Store::open(&ward.store, clock()).unwrap().unlock(ADMIN, ADMIN_PASS).unwrap();
    let events = session.events::<Event>(None).unwrap();
    assert_eq!(
        (events[3].actor.as_str(), &events[3].event),
        (CLINICIAN, &Event::EntriesUnsigned { from: 2, to: 3, names: vec![LEAD.to_owned()] })
    );
}

/// The same person back (at their next unlock, by the CLI) signs their own entries: no
/// declaration.
#[test]
fn a_persons_own_unsigned_entries_are_signed_at_their_next_unlock() {
    let ward = ward();
    let id = lena_is_cut_off(&ward, 3);
    ward.as_user(LEAD, LEAD_PASS, &["incident", "note", &id, "Back on the EHR at 14:10"]);
    // Her three signed at her unlock, her note when the command ends.
    assert_eq!(checkpoint_sizes(&ward), [1, 4, 5]);
    for said in export_and_check(&ward) {
        assert!(!said.contains("unsigned:"), "{said}");
    }
}

/// The store's state counts the signed checkpoints: one deleted behind the triggers' back
/// (dropped and put back as they were) is seen at the next unlock, in a new store and in
/// one upgraded from schema 7 (which takes them in at its first full unlock).
#[test]
fn a_checkpoint_deleted_from_the_file_is_seen_at_unlock() {
    let new = ward();
    let v7 = {
        let ward = Ward { tmp: tempfile::tempdir().unwrap(), store: Default::default() };
        let store = ward.tmp.path().join("data").join("caregiver.db");
        std::fs::create_dir_all(store.parent().unwrap()).unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v7.db");
        std::fs::copy(fixture, &store).unwrap();
        Ward { store, ..ward }
    };
    let fixture_admin = ("Fixture Admin", b"fixture passphrase 1".as_slice());
    for (ward, (name, pass)) in [(&new, (ADMIN, ADMIN_PASS)), (&v7, fixture_admin)] {
        let id = ward.as_user(name, pass, &["incident", "start", "ransomware"]);
        ward.as_user(name, pass, &["incident", "note", id.trim(), "Paper charts out"]);
        let last = *checkpoint_sizes(ward).last().unwrap();
        ward.conn()
            .execute_batch(&format!(
                "DROP TRIGGER log_checkpoints_no_delete;
                 DELETE FROM log_checkpoints WHERE size = {last};
                 CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;"
            ))
            .unwrap();
        let (code, _, err) = ward.as_user_run(name, pass, &["incident", "list"]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("error[store_tampered]")
                && err.contains("signed checkpoints of the activity log"),
            "{err}"
        );
    }
}
