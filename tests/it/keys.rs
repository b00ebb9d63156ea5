//! Keys per person and per role, against an insider: someone who can read and write the
//! store file (sqlite3, a few lines of code) and knows one passphrase. Each test does what
//! such a person would, with the keys their passphrase opens and nothing else, then checks
//! that the app refuses the result. The store is fed the way users feed it (the CLI, the
//! importer).

use std::path::Path;

use caregiver::crypto::{self, Binding, SealingKey, SecretKey};
use caregiver::store::{Role, Scope, Store, rewrite_as_key_holder};
use rusqlite::{Connection, params};
use serde_json::Value;

use crate::insider::{ADMIN, ADMIN_PASS, Insider, Ward, user_id};
use crate::support::clock;

const NURSE: &str = "Nina Nurse";
const NURSE_PASS: &[u8] = b"nina's own passphrase 7";

/// A store made with the CLI: Ada (admin), and Nina (clinician) who has set her own
/// passphrase.
fn ward() -> Ward {
    let ward = Ward::with_admin();
    ward.add(NURSE, "clinician", NURSE_PASS);
    ward
}

/// Rewrites a user record as its next version, sealed under `main` the way the app seals
/// them (JSON padded with spaces), keeping whatever signature the row had.
fn reseal_user(conn: &Connection, main: &SealingKey, id: &str, change: impl FnOnce(&mut Value)) {
    let (version, sealed): (i64, Vec<u8>) = conn
        .query_row("SELECT version, sealed FROM users WHERE user_id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let at = |version| Binding { domain: "user", table: "users", row: id, version };
    let mut doc: Value =
        serde_json::from_slice(&main.open(&at(version), &sealed).unwrap()).unwrap();
    change(&mut doc);
    let mut plain = serde_json::to_vec(&doc).unwrap();
    plain.resize(plain.len().div_ceil(64) * 64, b' ');
    let forged = main.seal(&at(version + 1), &plain).unwrap();
    conn.execute(
        "UPDATE users SET version = ?1, sealed = ?2 WHERE user_id = ?3",
        params![version + 1, forged, id],
    )
    .unwrap();
    // The store's state is sealed under the main key, which the attacker holds: rewritten,
    // it agrees, so what refuses the record is the admins' signature.
    rewrite_as_key_holder(conn, Scope::Main, main).unwrap();
}

#[test]
fn a_staff_passphrase_cannot_make_its_owner_an_admin() {
    let ward = ward();
    let conn = ward.conn();
    let nina = Insider::open(&conn, NURSE, NURSE_PASS);
    // Nina's passphrase opens the main key: she can read and re-seal user records...
    let main = nina.main_key(&conn);
    reseal_user(&conn, &main, &nina.id, |doc| doc["role"] = "admin".into());
    drop(conn);

    // ...but the record is not signed by the admins' key, so no one accepts it: not Nina's
    // own session (which could then remove Ada), not Ada's.
    let (code, _, err) = ward.as_user_run(NURSE, NURSE_PASS, &["user", "remove", ADMIN]);
    assert_eq!(code, 1);
    assert!(err.contains("error[record_forged]"), "{err}");
    assert!(err.contains("is not signed by the admins' key"), "{err}");
    let (code, _, err) = ward.as_user_run(ADMIN, ADMIN_PASS, &["user", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[record_forged]"), "{err}");
    // Ada is still there (checked without the CLI's list, which the forged row stops).
    let conn = ward.conn();
    assert_eq!(
        conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0)).unwrap(),
        2
    );

    // Copying Ada's signature onto the forged row does not help: it signs Ada's record.
    conn.execute(
        "UPDATE users SET signature = (SELECT signature FROM users WHERE user_id != ?1) WHERE user_id = ?1",
        [&nina.id],
    )
    .unwrap();
    rewrite_as_key_holder(&conn, Scope::Main, &main).unwrap();
    let err = Store::open(&ward.store, clock()).unwrap().unlock(NURSE, NURSE_PASS).unwrap_err();
    assert_eq!(err.code(), "record_forged");
}

#[test]
fn a_staff_member_cannot_give_themselves_the_admins_key() {
    let ward = ward();
    let conn = ward.conn();
    let nina = Insider::open(&conn, NURSE, NURSE_PASS);
    assert!(nina.key(&conn, "admin").is_none(), "a clinician holds the admins' key");
    // Nina wraps an admins' key of her own making to herself: the app finds it is not the
    // admins' key the chain of trust names.
    let public: Vec<u8> = conn
        .query_row("SELECT public FROM holders WHERE holder_id = ?1", [&nina.id], |r| r.get(0))
        .unwrap();
    let public: [u8; 32] = public.try_into().unwrap();
    let at = Binding { domain: "key-wrap", table: "admin", row: &nina.id, version: 1 };
    let own = crypto::seal_to(&public, &at, &SecretKey::generate().unwrap()).unwrap();
    conn.execute(
        "INSERT INTO key_wraps (name, holder_id, key_id, wrapped) VALUES ('admin', ?1, 1, ?2)",
        params![nina.id, own],
    )
    .unwrap();
    rewrite_as_key_holder(&conn, Scope::Main, &nina.main_key(&conn)).unwrap();
    let err = Store::open(&ward.store, clock()).unwrap().unlock(NURSE, NURSE_PASS).unwrap_err();
    assert_eq!(err.code(), "record_forged", "{err}");
    // Nor can she sign a settings record: her session holds no admins' key.
    conn.execute("DELETE FROM key_wraps WHERE name = 'admin' AND holder_id = ?1", [&nina.id])
        .unwrap();
    rewrite_as_key_holder(&conn, Scope::Main, &nina.main_key(&conn)).unwrap();
    let (code, _, err) = ward.as_user_run(NURSE, NURSE_PASS, &["settings", "idle-lock", "120"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
}

/// Every row of `table` as (column name, value) lists, to put back later.
fn save_rows(
    conn: &Connection,
    table: &str,
    filter: &str,
    id: &str,
) -> Vec<Vec<(String, rusqlite::types::Value)>> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} WHERE {filter} = ?1")).unwrap();
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    stmt.query_map([id], |r| {
        Ok(names.iter().enumerate().map(|(i, n)| (n.clone(), r.get(i).unwrap())).collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn put_back(conn: &Connection, table: &str, rows: &[Vec<(String, rusqlite::types::Value)>]) {
    for row in rows {
        let cols: Vec<&str> = row.iter().map(|(n, _)| n.as_str()).collect();
        let marks: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT OR REPLACE INTO {table} ({}) VALUES ({})",
            cols.join(", "),
            marks.join(", ")
        );
        conn.execute(&sql, rusqlite::params_from_iter(row.iter().map(|(_, v)| v))).unwrap();
    }
}

#[test]
fn a_removed_users_saved_slot_opens_nothing_written_after_removal() {
    let ward = ward();
    let conn = ward.conn();
    let nina = Insider::open(&conn, NURSE, NURSE_PASS);
    // Before she leaves, Nina saves her slot, her keys and her user row.
    let saved_holder = save_rows(&conn, "holders", "holder_id", &nina.id);
    let saved_wraps = save_rows(&conn, "key_wraps", "holder_id", &nina.id);
    let saved_user = save_rows(&conn, "users", "user_id", &nina.id);
    let old_main = nina.main_key(&conn);
    drop(conn);

    ward.as_user(ADMIN, ADMIN_PASS, &["user", "remove", NURSE]);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contacts/sample.csv");
    ward.as_user(ADMIN, ADMIN_PASS, &["contacts", "import", sample.to_str().unwrap()]);

    // Everything written since she left is sealed under keys her saved slot does not open.
    let conn = ward.conn();
    let rows: Vec<(String, String, i64, Vec<u8>)> = conn
        .prepare("SELECT kind, record_id, version, sealed FROM records")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let contacts = rows.iter().filter(|r| r.0 == "contact").count();
    assert!(contacts >= 1, "the import wrote the contact tree");
    for (kind, id, version, sealed) in &rows {
        let at = Binding { domain: "record", table: kind, row: id, version: *version };
        assert!(old_main.open(&at, sealed).is_err(), "her old key opened the {kind} record");
    }

    // Put back her rows as they were: her passphrase opens her old seed, whose keys are
    // not the store's any more.
    put_back(&conn, "users", &saved_user);
    put_back(&conn, "holders", &saved_holder);
    put_back(&conn, "key_wraps", &saved_wraps);
    drop(conn);
    let err = Store::open(&ward.store, clock()).unwrap().unlock(NURSE, NURSE_PASS).unwrap_err();
    assert_eq!(err.code(), "record_damaged", "{err}");
    // Nor can she make the store's state agree: it is sealed under the new main key.
    let err = Store::open(&ward.store, clock()).unwrap().unlock(ADMIN, ADMIN_PASS).unwrap_err();
    assert_eq!(err.code(), "store_tampered", "{err}");
}

#[test]
fn a_removed_admin_cannot_sign_with_the_old_admins_key() {
    let ward = ward();
    let first = ward.secret("bob-first", b"bob first passphrase");
    ward.as_user(
        ADMIN,
        ADMIN_PASS,
        &["user", "add", "Bob Admin", "--role", "admin", "--new-passphrase-file", &first],
    );
    let conn = ward.conn();
    let bob = Insider::open(&conn, "Bob Admin", b"bob first passphrase");
    assert!(bob.key(&conn, "admin").is_some(), "an admin holds the admins' key");
    let saved_wraps = save_rows(&conn, "key_wraps", "holder_id", &bob.id);
    drop(conn);
    ward.as_user(ADMIN, ADMIN_PASS, &["user", "remove", "Bob Admin"]);

    // The admins' key turned over: version 2, signed by version 1.
    let conn = ward.conn();
    let versions: i64 =
        conn.query_row("SELECT MAX(version) FROM authorities", [], |r| r.get(0)).unwrap();
    assert_eq!(versions, 2);
    // Bob's saved wraps still open the old admins' key and the old main key. The old main
    // key no longer opens Nina's record (re-sealed under the new one), so he cannot even
    // read what he would re-sign; and the app trusts only signatures of version 2.
    put_back(&conn, "key_wraps", &saved_wraps);
    let (old_admin_version, _) = bob.key(&conn, "admin").unwrap();
    assert_eq!(old_admin_version, 1);
    let old_main = bob.main_key(&conn);
    let nina_id = user_id(&conn, NURSE);
    let (version, sealed): (i64, Vec<u8>) = conn
        .query_row("SELECT version, sealed FROM users WHERE user_id = ?1", [&nina_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let at = Binding { domain: "user", table: "users", row: &nina_id, version };
    assert!(old_main.open(&at, &sealed).is_err());
    drop(conn);
    // Putting his wraps back is itself seen: he cannot seal the state under the new key.
    let err = Store::open(&ward.store, clock()).unwrap().unlock(ADMIN, ADMIN_PASS).unwrap_err();
    assert_eq!(err.code(), "store_tampered", "{err}");
    assert!(err.to_string().contains("keys wrapped to a holder"), "{err}");
}

/// A store from before keys per person (the schema 5 fixture: an admin, a nurse, a
/// recovery key, all wrapping one master key) moves one slot at a time, each in one
/// transaction, and the master key goes when the last slot has moved.
#[test]
fn a_store_from_before_moves_to_keys_per_person_and_drops_the_master_key() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("v5.db");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v5.db");
    std::fs::copy(fixture, &path).unwrap();
    let count = |sql: &str| -> i64 {
        Connection::open(&path).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let master_left = || {
        count("SELECT COUNT(*) FROM data_keys")
            + count("SELECT COUNT(*) FROM slots WHERE kind != 'emergency'")
    };

    // The admin's unlock moves the admin; the nurse and the recovery key still wrap the
    // master key, so it stays (wrapped to the admin too, to keep it in step).
    let admin = Store::open(&path, clock())
        .unwrap()
        .unlock("Fixture Admin", b"fixture passphrase 1")
        .unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM holders"), 1);
    assert_eq!(count("SELECT COUNT(*) FROM slots WHERE kind = 'user'"), 1);
    assert!(master_left() > 0);
    assert_eq!(admin.settings().unwrap().idle_lock_minutes, 12);
    drop(admin);

    // The nurse's unlock moves her.
    let nurse = Store::open(&path, clock())
        .unwrap()
        .unlock("Fixture Nurse", b"fixture passphrase 2")
        .unwrap();
    assert!(nurse.must_change_passphrase());
    drop(nurse);
    assert_eq!(count("SELECT COUNT(*) FROM slots WHERE kind = 'user'"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM key_wraps WHERE name = 'admin'"), 1, "the admin's only");

    // A new recovery key retires the old recovery slot, and with it the master key.
    let mut admin = Store::open(&path, clock())
        .unwrap()
        .unlock("Fixture Admin", b"fixture passphrase 1")
        .unwrap();
    let recovery = admin.new_recovery_key().unwrap();
    assert_eq!(master_left(), 0);
    assert_eq!(count("SELECT COUNT(*) FROM key_wraps WHERE name = 'legacy'"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM meta WHERE name = 'legacy_admin'"), 0);
    assert_eq!(admin.list_users().unwrap().len(), 2);
    drop(admin);

    // Everything still opens, and the new recovery key resets the nurse's passphrase.
    let mut nurse = Store::open(&path, clock())
        .unwrap()
        .unlock_with_recovery_key("Fixture Nurse", recovery.as_str())
        .unwrap();
    nurse.change_passphrase("Fixture Nurse", b"nurse's new passphrase").unwrap();
    drop(nurse);
    let nurse = Store::open(&path, clock())
        .unwrap()
        .unlock("Fixture Nurse", b"nurse's new passphrase")
        .unwrap();
    assert_eq!(nurse.role(), Role::Clinician);
    assert_eq!(nurse.settings().unwrap().idle_lock_minutes, 12);
    let em = nurse.lock().unlock_emergency(b"FIXTURE-CODE-0001").unwrap();
    drop(em);
}

/// A staff member who holds the main key re-seals the contact tree with another phone
/// number (and the store's state with it): the tree is only admins' to write, so no one is
/// shown the forged number.
#[test]
fn a_staff_passphrase_cannot_change_a_number_in_the_contact_tree() {
    let ward = ward();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contacts/sample.csv");
    ward.as_user(ADMIN, ADMIN_PASS, &["contacts", "import", sample.to_str().unwrap()]);
    let before = ward.as_user(NURSE, NURSE_PASS, &["contacts", "list"]);

    let conn = ward.conn();
    let nina = Insider::open(&conn, NURSE, NURSE_PASS);
    let main = nina.main_key(&conn);
    let (id, version, sealed): (String, i64, Vec<u8>) = conn
        .query_row(
            "SELECT record_id, version, sealed FROM records WHERE kind = 'contact'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let at = |version| Binding { domain: "record", table: "contact", row: &id, version };
    let text = String::from_utf8(main.open(&at(version), &sealed).unwrap().to_vec()).unwrap();
    let digit = text.find(|c: char| c.is_ascii_digit()).unwrap();
    let mut forged = text.clone();
    forged.replace_range(digit..digit + 1, if &text[digit..=digit] == "9" { "1" } else { "9" });
    let resealed = main.seal(&at(version + 1), forged.as_bytes()).unwrap();
    conn.execute(
        "UPDATE records SET version = ?1, sealed = ?2 WHERE record_id = ?3",
        params![version + 1, resealed, id],
    )
    .unwrap();
    rewrite_as_key_holder(&conn, Scope::Main, &main).unwrap();
    drop(conn);

    for (name, pass) in [(ADMIN, ADMIN_PASS), (NURSE, NURSE_PASS)] {
        let (code, out, err) = ward.as_user_run(name, pass, &["contacts", "list"]);
        assert_eq!(code, 1, "{name} was shown {out}");
        assert!(err.contains("error[record_forged]"), "{err}");
    }
    assert!(!before.is_empty());
}
