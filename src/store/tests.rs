//! Key-level tests of the store: they look inside sessions, at the keys themselves.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::json;

use super::*;
use crate::events::Event;

/// Test records: any JSON, sealed as a kind of each scope.
macro_rules! doc {
    ($name:ident, $kind:expr) => {
        #[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
        #[serde(transparent)]
        struct $name(serde_json::Value);
        impl Record for $name {
            const KIND: Kind = $kind;
        }
    };
}
doc!(PlaybookDoc, Kind::Playbook);
doc!(WardDoc, Kind::WardCallList);
doc!(MainDoc, Kind::Contact);
doc!(NoteDoc, Kind::Incident);

fn clock() -> SharedClock {
    crate::app::SystemClock::shared()
}

fn note(text: &str) -> Event {
    Event::Note { text: text.into() }
}

const ADMIN: &str = "Ada Admin";
const ADMIN_PASS: &[u8] = b"correct horse battery staple";
const CODE: &[u8] = b"WARD4-7K4M-Q2PX-9RTD";

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn fixture() -> (Fixture, Session, RecoveryKey) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let (session, recovery) = Store::create(&path, ADMIN, ADMIN_PASS, clock()).unwrap();
    (Fixture { _dir: dir, path }, session, recovery)
}

/// A second admin, added by `admin` and signed in on a connection of their own, past the
/// change of their first passphrase.
fn second_admin(fx: &Fixture, admin: &mut Session) -> Session {
    admin.add_user("Second Admin", Role::Admin, b"first passphrase 4", None).unwrap();
    let mut second = Store::open(&fx.path, clock())
        .unwrap()
        .unlock("Second Admin", b"first passphrase 4")
        .unwrap();
    second.change_passphrase("Second Admin", b"second admin own 5").unwrap();
    second
}

fn fill(session: &mut Session) {
    session.put("pb1", &PlaybookDoc(json!({"title": "Ward playbook"}))).unwrap();
    session.put("ward4", &WardDoc(json!({"name": "Switchboard"}))).unwrap();
    session.put("c1", &MainDoc(json!({"name": "Vendor support"}))).unwrap();
    session.put("n1", &NoteDoc(json!({"text": "isolated ward 4"}))).unwrap();
    session.set_idle_lock_minutes(5).unwrap();
}

/// Every sealed blob in the store, with how to open it, as (what, binding parts, blob).
fn sealed_blobs(conn: &Connection) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (sql, what) in [
        ("SELECT record_id, sealed FROM records WHERE scope = 'main'", "main record"),
        ("SELECT user_id, sealed FROM users", "user"),
        ("SELECT name || ' ' || holder_id, wrapped FROM key_wraps", "key wrap"),
        ("SELECT holder_id, wrapped FROM holders", "holder"),
        ("SELECT slot_id, wrapped FROM slots", "slot"),
        ("SELECT name, value FROM meta WHERE name = 'check_main'", "main check"),
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| Ok((format!("{what} {}", r.get::<_, String>(0)?), r.get(1)?)))
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

#[test]
fn the_emergency_code_opens_ward_records_and_nothing_else() {
    let (fx, mut session, _) = fixture();
    fill(&mut session);
    session.set_emergency_code(CODE).unwrap();
    let store = session.lock();

    let em = store.unlock_emergency(b"ward4 7k4m q2px 9rtd").unwrap();
    let playbooks: Vec<Stored<PlaybookDoc>> = em.list().unwrap();
    assert_eq!(playbooks[0].value.0["title"], "Ward playbook");
    let calls: Vec<Stored<WardDoc>> = em.list().unwrap();
    assert_eq!(calls[0].value.0["name"], "Switchboard");
    // Asking emergency access for a main-scope record does not compile (the doctest on
    // `EmergencySession::list`); below, the key itself cannot open one either.

    // At the key level: the key the code unwraps opens no main-scope blob at all, whatever
    // binding or key id it is tried under.
    let conn = Connection::open(&fx.path).unwrap();
    let blobs = sealed_blobs(&conn);
    assert!(blobs.len() >= 8, "{}", blobs.len());
    let ward_secret_as_any_key = |id| SealingKey::new(id, &em_secret(&fx.path)).unwrap();
    for (what, blob) in &blobs {
        // A key wrap starts with its ephemeral public key; the sealed blob follows.
        let blob = if what.starts_with("key wrap") { &blob[32..] } else { &blob[..] };
        let id = crypto::key_id_of(blob).unwrap();
        let key = ward_secret_as_any_key(id);
        for domain in ["record", "user", "data-key", "slot", "check"] {
            for table in
                ["contact", "incident_note", "settings", "users", "data_keys", "slots", "meta"]
            {
                let at = Binding { domain, table, row: "", version: 0 };
                assert!(key.open(&at, blob).is_err(), "{what} opened under the ward key");
            }
        }
    }
    // And it is no one's seed: taken as one, it opens no key wrapped to anyone.
    let as_seed = crypto::BoxSecret::from_seed(&em_secret(&fx.path));
    let mut stmt = conn.prepare("SELECT name, holder_id, key_id, wrapped FROM key_wraps").unwrap();
    let wraps: Vec<(String, String, i64, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(wraps.len() >= 5, "{}", wraps.len());
    for (name, holder, key_id, wrapped) in &wraps {
        let at = Binding { domain: "key-wrap", table: name, row: holder, version: *key_id };
        assert!(as_seed.open(&at, wrapped).is_err(), "the {name} key of {holder} opened");
    }

    // The use was recorded, and an admin sees it.
    let store = em.lock();
    let admin = store.unlock(ADMIN, ADMIN_PASS).unwrap();
    let events = admin.access_events().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AccessKind::EmergencyUnlock);
}

/// The secret the emergency slot holds, unwrapped the way `unlock_emergency` does.
fn em_secret(path: &Path) -> SecretKey {
    let conn = Connection::open(path).unwrap();
    let (salt, wrapped): (Vec<u8>, Vec<u8>) = conn
        .query_row("SELECT salt, wrapped FROM slots WHERE kind = 'emergency'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let kek = SealingKey::new(
        KEK_ID,
        &SecretKey::from_passphrase(&normalise_code(CODE), &salt, PBKDF2_ITERATIONS),
    )
    .unwrap();
    kek.unwrap_key(&slot_binding("emergency"), &wrapped).unwrap()
}

#[test]
fn a_new_emergency_code_retires_the_old_one_and_keeps_ward_records() {
    let (_fx, mut session, _) = fixture();
    fill(&mut session);
    session.set_emergency_code(CODE).unwrap();
    session.set_emergency_code(b"NEWCODE-2222-3333").unwrap();
    let store = session.lock();
    let err = store.unlock_emergency(CODE).unwrap_err();
    assert_eq!(err.code(), "wrong_passphrase");
    let store = Store::open(&_fx.path, clock()).unwrap();
    let em = store.unlock_emergency(b"newcode 2222 3333").unwrap();
    assert_eq!(em.list::<PlaybookDoc>().unwrap().len(), 1);
    // Everyone still reads the ward records under the new ward key.
    let admin = em.lock().unlock(ADMIN, ADMIN_PASS).unwrap();
    assert_eq!(admin.list::<WardDoc>().unwrap().len(), 1);
    assert_eq!(admin.access_events().unwrap().len(), 1);
}

#[test]
fn without_a_code_emergency_access_says_so() {
    let (_fx, session, _) = fixture();
    let err = session.lock().unlock_emergency(CODE).unwrap_err();
    assert_eq!(err.code(), "no_emergency_code");
}

#[test]
fn rotation_reseals_every_main_row_and_leaves_one_main_key() {
    let (fx, mut session, _) = fixture();
    fill(&mut session);
    session.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    let old = session.main.id();
    session.rotate_data_key().unwrap();
    let new = session.main.id();
    assert_ne!(old, new);

    let conn = Connection::open(&fx.path).unwrap();
    // The new main key is wrapped to each holder (the admin, the nurse, the recovery key),
    // and no wrap of the old one is left.
    let main_wraps: Vec<i64> = conn
        .prepare("SELECT key_id FROM key_wraps WHERE name = 'main'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(main_wraps, vec![i64::from(new); 3]);
    let mut stmt = conn
        .prepare(
            "SELECT sealed FROM records WHERE scope = 'main' UNION ALL SELECT sealed FROM users",
        )
        .unwrap();
    let ids: Vec<u32> = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| crypto::key_id_of(&b.unwrap()).unwrap())
        .collect();
    assert!(ids.len() >= 5 && ids.iter().all(|&i| i == new), "{ids:?}");

    let session = session.lock().unlock(ADMIN, ADMIN_PASS).unwrap();
    assert_eq!(session.settings().unwrap().idle_lock_minutes, 5);
    let NoteDoc(note) = session.get::<NoteDoc>("n1").unwrap().unwrap();
    assert_eq!(note["text"], "isolated ward 4");
    assert_eq!(session.list_users().unwrap().len(), 2);
}

#[test]
fn roles_are_checked_in_the_core() {
    let (fx, mut admin, _) = fixture();
    admin.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    let mut nurse = Store::open(&fx.path, clock())
        .unwrap()
        .unlock("Nina Nurse", b"first passphrase 1")
        .unwrap();
    assert!(nurse.must_change_passphrase());
    assert_eq!(nurse.list_users().unwrap_err().code(), "passphrase_change_required");
    nurse.change_passphrase("nina nurse", b"my own passphrase 2").unwrap();
    assert!(!nurse.must_change_passphrase());
    assert_eq!(nurse.list_users().unwrap().len(), 2);

    let denied = [
        nurse.add_user("X", Role::Admin, b"first passphrase 1", None).unwrap_err(),
        nurse.remove_user(ADMIN).unwrap_err(),
        nurse.set_emergency_code(CODE).unwrap_err(),
        nurse.rotate_data_key().unwrap_err(),
        nurse.backup(&fx.path.with_extension("bak")).unwrap_err(),
        nurse.change_passphrase(ADMIN, b"taking over admin").unwrap_err(),
        nurse.set_idle_lock_minutes(1).unwrap_err(),
        nurse.access_events().unwrap_err(),
    ];
    for e in denied {
        assert_eq!(e.code(), "permission_denied", "{e}");
    }

    // An admin reset makes the user change it again.
    admin.change_passphrase("Nina Nurse", b"reset by admin 3").unwrap();
    let nurse = nurse.lock().unlock("Nina Nurse", b"reset by admin 3").unwrap();
    assert!(nurse.must_change_passphrase());

    // The last admin stays; nobody removes themselves.
    assert_eq!(admin.remove_user(ADMIN).unwrap_err().code(), "invalid_input");
    let mut second = second_admin(&fx, &mut admin);
    second.remove_user(ADMIN).unwrap();
    assert_eq!(second.remove_user("Second Admin").unwrap_err().code(), "invalid_input");
    second.remove_user("Nina Nurse").unwrap();
    let store = second.lock();
    assert_eq!(store.lock_screen_names().unwrap(), vec!["Second Admin".to_owned()]);
    assert_eq!(store.unlock(ADMIN, ADMIN_PASS).unwrap_err().code(), "wrong_passphrase");
}

#[test]
fn a_removed_users_open_session_loses_its_powers() {
    let (fx, mut admin, _) = fixture();
    let mut second = second_admin(&fx, &mut admin);
    admin.remove_user("Second Admin").unwrap();
    // The removed admin's open session can do nothing any more.
    assert_eq!(second.remove_user(ADMIN).unwrap_err().code(), "session_ended");
    assert_eq!(second.list_users().unwrap_err().code(), "session_ended");
    // The one admin left cannot remove itself.
    assert_eq!(admin.remove_user(ADMIN).unwrap_err().code(), "invalid_input");
}

/// `ready` reads the user's row and the key checks again only when the store may have
/// changed: another connection's commit is seen at the next call, however many calls came
/// before it.
#[test]
fn keys_turned_over_by_another_session_stop_an_open_one_at_its_next_call() {
    let (fx, mut admin, _) = fixture();
    let second = second_admin(&fx, &mut admin);
    for i in 0..3 {
        second.put(&format!("n{i}"), &NoteDoc(json!({"text": "before"}))).unwrap();
        assert_eq!(second.list::<NoteDoc>().unwrap().len(), i + 1);
    }
    admin.rotate_data_key().unwrap();
    let err = second.put("n9", &NoteDoc(json!({"text": "after"}))).unwrap_err();
    assert_eq!(err.code(), "keys_changed", "{err}");
    assert_eq!(second.list::<NoteDoc>().unwrap_err().code(), "keys_changed");
    // The session that turned them over goes on with the new ones.
    admin.put("n9", &NoteDoc(json!({"text": "after"}))).unwrap();
    assert_eq!(admin.list::<NoteDoc>().unwrap().len(), 4);
}

#[test]
fn the_recovery_key_resets_a_forgotten_passphrase() {
    let (fx, session, recovery) = fixture();
    drop(session);
    let store = Store::open(&fx.path, clock()).unwrap();
    let wrong = store.unlock_with_recovery_key(ADMIN, "AAAA-BBBB").unwrap_err();
    assert_eq!(wrong.code(), "invalid_input");
    let store = Store::open(&fx.path, clock()).unwrap();
    let mut session =
        store.unlock_with_recovery_key(ADMIN, &recovery.as_str().to_lowercase()).unwrap();
    assert!(session.must_change_passphrase());
    session.change_passphrase(ADMIN, b"a brand new passphrase").unwrap();
    let store = session.lock();
    store.unlock(ADMIN, b"a brand new passphrase").unwrap();
}

/// The key is read in one wiped buffer, whatever the grouping, case and spacing.
#[test]
fn a_recovery_key_reads_as_printed_in_any_grouping() {
    let secret = SecretKey::generate().unwrap();
    let printed = RecoveryKey::from_secret(&secret);
    let text = printed.as_str();
    let variants = [
        text.to_owned(),
        text.to_lowercase(),
        text.replace('-', " "),
        text.replace('-', "\n"),
        format!("  {text}\r\n"),
        text.replace('-', ""),
    ];
    for variant in variants {
        assert_eq!(RecoveryKey::parse(&variant).unwrap().as_bytes(), secret.as_bytes());
    }
    assert_eq!(RecoveryKey::parse(&text[..20]).unwrap_err().code(), "invalid_input");
}

#[test]
fn swapped_and_replayed_records_fail_to_open() {
    let (fx, session, _) = fixture();
    session.put("a", &MainDoc(json!({"name": "A"}))).unwrap();
    session.put("b", &MainDoc(json!({"name": "B"}))).unwrap();
    let conn = Connection::open(&fx.path).unwrap();
    let blob = |id: &str| -> Vec<u8> {
        conn.query_row("SELECT sealed FROM records WHERE record_id = ?1", [id], |r| r.get(0))
            .unwrap()
    };
    let (a, b) = (blob("a"), blob("b"));
    conn.execute("UPDATE records SET sealed = ?1 WHERE record_id = 'a'", [&b]).unwrap();
    let err = session.get::<MainDoc>("a").unwrap_err();
    assert_eq!(err.code(), "record_damaged");
    assert_eq!(
        err.to_string(),
        "the contact record a failed its integrity check: it was changed, moved or damaged"
    );
    conn.execute("UPDATE records SET sealed = ?1 WHERE record_id = 'a'", [&a]).unwrap();
    assert!(session.get::<MainDoc>("a").is_ok());

    // Replay: an older sealed version put back under the current version number.
    session.put("a", &MainDoc(json!({"name": "A2"}))).unwrap();
    conn.execute("UPDATE records SET sealed = ?1 WHERE record_id = 'a'", [&a]).unwrap();
    let err = session.get::<MainDoc>("a").unwrap_err();
    assert_eq!(err.code(), "record_damaged");

    // A record moved to another kind.
    conn.execute("UPDATE records SET kind = 'incident' WHERE record_id = 'b'", []).unwrap();
    let err = session.list::<NoteDoc>().unwrap_err();
    assert_eq!(err.code(), "record_damaged");
}

#[test]
fn a_swapped_slot_or_data_key_does_not_open() {
    let (fx, mut session, _) = fixture();
    session.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    let admin_id = session.user.id.clone();
    drop(session);
    let conn = Connection::open(&fx.path).unwrap();
    // The nurse's slot pointed at the admin's user id (the admin's own slot deleted): the
    // nurse's passphrase does not open it as the admin, since the slot is bound to its id.
    // (sqlite3 enforces no foreign key unless asked: the attacker's tool neither.)
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for table in ["holders", "key_wraps"] {
        tx.execute(&format!("DELETE FROM {table} WHERE holder_id = ?1"), [&admin_id]).unwrap();
        tx.execute(
            &format!("UPDATE {table} SET holder_id = ?1 WHERE holder_id != 'recovery'"),
            [&admin_id],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let err =
        Store::open(&fx.path, clock()).unwrap().unlock(ADMIN, b"first passphrase 1").unwrap_err();
    assert_eq!(err.code(), "wrong_passphrase");
    assert_eq!(
        Store::open(&fx.path, clock()).unwrap().unlock(ADMIN, ADMIN_PASS).unwrap_err().code(),
        "wrong_passphrase"
    );
}

#[test]
fn swapped_key_wraps_are_caught_before_any_data() {
    let (fx, mut session, _) = fixture();
    session.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", None).unwrap();
    drop(session);
    let conn = Connection::open(&fx.path).unwrap();
    // Swap the main and ward keys wrapped to each holder: the binding (the key's name) or
    // the check values catch it.
    conn.execute(
        "UPDATE key_wraps SET wrapped = (SELECT k2.wrapped FROM key_wraps k2
           WHERE k2.holder_id = key_wraps.holder_id AND k2.name != key_wraps.name
             AND k2.name IN ('main', 'ward'))
         WHERE name IN ('main', 'ward')",
        [],
    )
    .unwrap();
    for (n, pass) in [(ADMIN, ADMIN_PASS), ("Nina Nurse", b"first passphrase 1".as_slice())] {
        let e = Store::open(&fx.path, clock()).unwrap().unlock(n, pass).unwrap_err();
        assert_eq!(e.code(), "record_damaged", "{e}");
    }
}

#[test]
fn a_newer_store_and_a_foreign_file_are_refused() {
    let (fx, session, _) = fixture();
    drop(session);
    let conn = Connection::open(&fx.path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&fx.path, clock()).unwrap_err();
    assert_eq!(err.code(), "store_too_new");
    assert!(err.to_string().contains("schema 99"), "{err}");

    let other = fx.path.with_file_name("other.db");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    assert_eq!(Store::open(&other, clock()).unwrap_err().code(), "not_a_store");
    let tables: i64 = Connection::open(&other)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "opening a foreign database must not change it");

    let text = fx.path.with_file_name("notes.txt");
    std::fs::File::create(&text).unwrap();
    std::io::Write::write_all(
        &mut std::fs::File::create(&text).unwrap(),
        b"hello, this is not SQLite at all",
    )
    .unwrap();
    assert_eq!(Store::open(&text, clock()).unwrap_err().code(), "not_a_store");
    assert_eq!(
        Store::open(&fx.path.with_file_name("missing.db"), clock()).unwrap_err().code(),
        "store_not_found"
    );
}

#[test]
fn creating_over_an_existing_file_changes_nothing() {
    let (fx, session, _) = fixture();
    drop(session);
    let before = std::fs::read(&fx.path).unwrap();
    let err = Store::create(&fx.path, "Eve", b"another passphrase", clock()).unwrap_err();
    assert_eq!(err.code(), "store_exists");
    assert_eq!(std::fs::read(&fx.path).unwrap(), before);
}

#[test]
fn weak_input_is_refused_with_what_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let cases: [(&str, &[u8], &str); 3] = [
        ("", ADMIN_PASS, "user name: is empty"),
        ("Ada", b"short", "passphrase: needs at least 12 characters"),
        ("Bad\u{7}Name", ADMIN_PASS, "user name: contains a control character"),
    ];
    for (name, pass, want) in cases {
        let err = Store::create(&path, name, pass, clock()).unwrap_err();
        assert_eq!(err.to_string(), want);
        assert!(!path.exists(), "a refused create left a file");
    }
    let (_fx, mut session, _) = fixture();
    let err = session.set_emergency_code(b"12-34").unwrap_err();
    assert_eq!(err.to_string(), "emergency code: needs at least 12 letters or digits");
}

#[test]
fn batches_are_all_or_nothing_and_ids_keep_their_kind() {
    let (_fx, session, _) = fixture();
    let values: Vec<(String, NoteDoc)> =
        (0..100).map(|i| (format!("n{i}"), NoteDoc(json!({ "i": i })))).collect();
    session.put_many(values.iter().map(|(id, v)| (id.as_str(), v))).unwrap();
    assert_eq!(session.list::<NoteDoc>().unwrap().len(), 100);

    // n5 is a note: reusing its id for a contact fails, and takes the whole batch with it.
    let bad = [("c1", MainDoc(json!({}))), ("n5", MainDoc(json!({})))];
    let err = session.put_many(bad.iter().map(|(id, v)| (*id, v))).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(session.list::<MainDoc>().unwrap().is_empty());
    assert_eq!(session.put("n5", &MainDoc(json!({}))).unwrap_err().code(), "invalid_input");
}

#[test]
fn a_failed_write_leaves_no_log_entry_and_the_next_write_goes_through() {
    let (_fx, session, _) = fixture();
    session.append(None, &note("first")).unwrap();
    let err = session
        .write(|w| {
            w.append(None, &note("never lands"))?;
            w.put("n1", &NoteDoc(json!({ "text": "nor this" })))?;
            Err::<(), _>(Error::Invalid { what: "test", reason: "stop here".into() })
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(session.log_entries(None).unwrap().len(), 1);
    assert!(session.get::<NoteDoc>("n1").unwrap().is_none());
    // The failed write's transaction was rolled back, not left open: the next one begins.
    assert_eq!(session.append(None, &note("second")).unwrap(), 2);
    assert_eq!(session.verify_log().unwrap().entries, 2);
}

/// A write path that forgets to seal its changes into the store's state cannot commit
/// them: the commit hook turns the commit into a rollback. Sealed, the same change lands
/// and the store still unlocks.
#[test]
fn a_change_not_sealed_into_the_state_never_commits() {
    let (fx, session, _) = fixture();
    let conn = &session.store.conn;
    conn.execute("INSERT INTO meta (name, value) VALUES ('extra', x'00')", []).unwrap_err();
    assert!(get_meta(conn, "extra").unwrap().is_none());
    let tx = records::write_transaction(conn).unwrap();
    tx.execute("INSERT INTO meta (name, value) VALUES ('extra', x'00')", []).unwrap();
    session.seal_state(&tx).unwrap();
    tx.commit().unwrap();
    assert!(get_meta(conn, "extra").unwrap().is_some());
    drop(session);
    Store::open(&fx.path, clock()).unwrap().unlock(ADMIN, ADMIN_PASS).unwrap();
}

/// A batch notes its own records' rows while the triggers are quiet: rows new and
/// replaced, of a kind anyone writes and of a signed ward kind, are noted as the triggers
/// would have noted them (the state still matches the tables, and the store unlocks). A
/// batch that fails turns the triggers on again with its rollback: the next write is noted.
#[test]
fn a_batch_notes_its_rows_as_the_triggers_would_and_leaves_them_on() {
    let (fx, session, _) = fixture();
    let first: Vec<(String, NoteDoc)> =
        (0..20).map(|i| (format!("n{i}"), NoteDoc(json!({ "i": i })))).collect();
    session.put_many(first.iter().map(|(id, v)| (id.as_str(), v))).unwrap();
    let second: Vec<(String, NoteDoc)> =
        (10..30).map(|i| (format!("n{i}"), NoteDoc(json!({ "again": i })))).collect();
    session.put_many(second.iter().map(|(id, v)| (id.as_str(), v))).unwrap();
    assert_eq!(session.version_of::<NoteDoc>("n15").unwrap(), Some(2));
    let ward: Vec<(String, WardDoc)> =
        (0..3).map(|i| (format!("w{i}"), WardDoc(json!({ "w": i })))).collect();
    session.put_many(ward.iter().map(|(id, v)| (id.as_str(), v))).unwrap();
    session.put_many(ward.iter().take(2).map(|(id, v)| (id.as_str(), v))).unwrap();
    assert_eq!(session.version_of::<WardDoc>("w1").unwrap(), Some(2));
    session.check_state().unwrap();

    let bad = [("c1", MainDoc(json!({}))), ("n5", MainDoc(json!({})))];
    assert_eq!(
        session.put_many(bad.iter().map(|(id, v)| (*id, v))).unwrap_err().code(),
        "invalid_input"
    );
    session.put("c2", &MainDoc(json!({}))).unwrap();
    session.put("n3", &NoteDoc(json!({ "once more": true }))).unwrap();
    session.check_state().unwrap();
    drop(session);
    let session = Store::open(&fx.path, clock()).unwrap().unlock(ADMIN, ADMIN_PASS).unwrap();
    assert_eq!(session.list::<NoteDoc>().unwrap().len(), 30);
    assert_eq!(session.list::<MainDoc>().unwrap().len(), 1);
}
