//! Someone who can read and write the store file but holds no key (no passphrase, no
//! emergency code) changes it with SQL, as they would with `sqlite3`: each change is seen at
//! the next unlock (or export) as `store_tampered`, naming what disagrees. Ordinary use, and
//! stores from every earlier schema, never trip the check.
//!
//! Real SQLite files in temp folders, the real crypto, the real CLI; data goes in the way
//! users put it there (the importer, the user commands, the pack import).

use std::path::{Path, PathBuf};

use caregiver::app::App;
use caregiver::events::Event;
use caregiver::store::{Role, Session, Store};
use rusqlite::Connection;

use crate::support::{caregiver, clock, run, write_every_kind};

const ADMIN: &str = "Ada Admin";
const PASS: &str = "correct horse battery staple";
const CODE: &str = "WARD4-7K4M-Q2PX-9RTD";

/// One workstation: a store made with the CLI, a passphrase file for its admin.
struct Ws {
    tmp: tempfile::TempDir,
}

impl Ws {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("pass"), PASS).unwrap();
        let ws = Ws { tmp };
        let (code, _, err) = ws.cli_as(None, &["init", "--admin", ADMIN]);
        assert_eq!(code, 0, "{err}");
        ws
    }

    fn store(&self) -> PathBuf {
        self.tmp.path().join("store.db")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    }

    /// The CLI, signed in as `user` (with the admin's passphrase file) or as nobody.
    fn cli_as(&self, user: Option<(&str, &str)>, args: &[&str]) -> (i32, String, String) {
        let mut cmd = caregiver(self.tmp.path());
        cmd.arg("--store").arg(self.store()).args(args);
        match user {
            Some((name, pass_file)) => {
                cmd.args(["--user", name, "--passphrase-file", pass_file]);
            }
            None => {
                cmd.arg("--passphrase-file").arg(self.path("pass"));
            }
        }
        run(&mut cmd)
    }

    /// The CLI as the admin.
    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let pass = self.path("pass");
        self.cli_as(Some((ADMIN, pass.to_str().unwrap())), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.cli(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    fn unlock(&self) -> caregiver::Result<Session> {
        Store::open(&self.store(), clock())?.unlock(ADMIN, PASS.as_bytes())
    }

    /// The attacker: SQL straight on the file.
    fn sql(&self, sql: &str) {
        Connection::open(self.store()).unwrap().execute_batch(sql).unwrap();
    }

    /// A copy of the file as it is now, taken the way `sqlite3`'s `.backup` or `VACUUM INTO`
    /// would.
    fn older_copy(&self, name: &str) -> PathBuf {
        let copy = self.path(name);
        let conn = Connection::open(self.store()).unwrap();
        conn.execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
        copy
    }
}

#[track_caller]
fn assert_tampered(result: caregiver::Result<impl std::fmt::Debug>, what: &str) {
    let err = result.expect_err("the change was not seen");
    assert_eq!(err.code(), "store_tampered", "{err}");
    let message = err.to_string();
    assert!(message.starts_with("the store was changed outside Caregiver Playbook: "), "{message}");
    assert!(message.contains(what), "{message:?} does not say {what:?}");
}

#[track_caller]
fn assert_cli_tampered((code, _, err): (i32, String, String), what: &str) {
    assert_ne!(code, 0, "the CLI went on: {err}");
    assert!(err.contains("error[store_tampered]"), "{err}");
    assert!(err.contains(what), "{err:?} does not say {what:?}");
}

fn note(text: &str) -> Event {
    Event::Note { text: text.into() }
}

/// Attack 1: the log's append-only triggers dropped and its tail deleted: the state's size and
/// head say how long it was, and the triggers' absence is named too. Putting the trigger
/// back afterwards hides nothing.
#[test]
fn cutting_the_logs_tail_after_dropping_its_triggers_is_seen() {
    let ws = Ws::new();
    let session = ws.unlock().unwrap();
    let before = session.log_anchor().unwrap().size;
    for i in 0..5 {
        session.append(Some("inc-1"), &note(&format!("entry {i}"))).unwrap();
    }
    drop(session);
    let kept = before + 2;
    ws.sql(&format!(
        "DROP TRIGGER log_entries_no_delete; DELETE FROM log_entries WHERE seq > {kept};"
    ));
    let said =
        format!("the activity log has {kept} entries, the store's state says {}", before + 5);
    assert_tampered(ws.unlock(), &said);
    assert_tampered(
        ws.unlock(),
        "the trigger log_entries_no_delete that guards the log is missing",
    );
    let out = ws.path("log.jsonl");
    assert_cli_tampered(ws.cli(&["log", "export", "--out", out.to_str().unwrap()]), &said);
    assert!(!out.exists(), "nothing exported");

    // The trigger put back as it was: the log's head still tells.
    ws.sql(
        "CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;",
    );
    let err = ws.unlock().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("the store was changed outside Caregiver Playbook: {said}")
    );
}

/// Attack 2a: a removed user's `users` and `slots` rows put back from an older copy of the file:
/// they cannot sign in again.
#[test]
fn a_removed_user_put_back_from_an_older_copy_cannot_sign_in() {
    let ws = Ws::new();
    let first = ws.file("nurse-first", "nurse first passphrase");
    ws.ok(&["user", "add", "Nina Nurse", "--role", "clinician", "--new-passphrase-file", &first]);
    let own = ws.file("nurse-own", "nurse's own passphrase");
    let (code, _, err) = ws.cli_as(
        Some(("Nina Nurse", &first)),
        &["user", "passwd", "Nina Nurse", "--new-passphrase-file", &own],
    );
    assert_eq!(code, 0, "{err}");
    let older = ws.older_copy("older.db");
    ws.ok(&["user", "remove", "Nina Nurse"]);
    let (code, _, err) = ws.cli_as(Some(("Nina Nurse", &own)), &["user", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[wrong_passphrase]"), "{err}");

    ws.sql(&format!(
        "ATTACH '{}' AS old;
         INSERT INTO users SELECT * FROM old.users WHERE user_id NOT IN (SELECT user_id FROM main.users);
         INSERT INTO holders SELECT * FROM old.holders WHERE holder_id NOT IN (SELECT holder_id FROM main.holders);
         INSERT INTO key_wraps SELECT * FROM old.key_wraps WHERE holder_id NOT IN (SELECT holder_id FROM main.key_wraps);",
        older.display()
    ));
    // Her own unlock stops at her old keys (the main key turned over when she was removed).
    let err = Store::open(&ws.store(), clock())
        .unwrap()
        .unlock("Nina Nurse", b"nurse's own passphrase")
        .unwrap_err();
    assert_eq!(err.code(), "record_damaged", "{err}");
    let said = "the store holds 2 users, the store's state says 1";
    assert_tampered(ws.unlock(), said);
    assert_tampered(ws.unlock(), "key holders of kind user");
}

fn sample_contacts() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contacts/sample.csv"),
    )
    .unwrap()
}

/// Attack 2b: the contact tree's whole row copied back from an older copy of the file: a validly
/// sealed older version, which opens on its own.
#[test]
fn the_contact_tree_put_back_at_an_older_version_is_seen() {
    let ws = Ws::new();
    let first = ws.file("tree-1.csv", &sample_contacts());
    ws.ok(&["contacts", "import", &first]);
    let older = ws.older_copy("older.db");
    let changed = sample_contacts().replacen("555", "556", 1);
    assert_ne!(changed, sample_contacts());
    let second = ws.file("tree-2.csv", &changed);
    ws.ok(&["contacts", "import", &second]);

    ws.sql(&format!(
        "ATTACH '{}' AS old;
         DELETE FROM records WHERE kind = 'contact';
         INSERT INTO records SELECT * FROM old.records WHERE kind = 'contact';",
        older.display()
    ));
    let said = "the records of kind contact are not those the store's state says";
    assert_tampered(ws.unlock(), said);
    assert_cli_tampered(ws.cli(&["contacts", "list"]), said);
    let out = ws.path("export.csv");
    assert_cli_tampered(
        ws.cli(&["contacts", "export", "--format", "csv", "--out", out.to_str().unwrap()]),
        said,
    );
}

/// Attack 3: the pack record deleted, which would let an older pack be imported again.
#[test]
fn deleting_the_pack_record_is_seen_and_lets_no_older_pack_in() {
    let ws = Ws::new();
    let key = ws.path("signing.key");
    let key = key.to_str().unwrap();
    let public = ws.ok(&["pack", "keygen", "--out", key]).lines().last().unwrap().to_owned();
    ws.ok(&["pack", "trust", &public]);
    let playbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let sign = |version: &str| {
        let out = ws.path(&format!("pack-{version}.json"));
        ws.ok(&[
            "pack",
            "sign",
            playbooks.to_str().unwrap(),
            "--key",
            key,
            "--out",
            out.to_str().unwrap(),
            "--pack-version",
            version,
        ]);
        out.to_str().unwrap().to_owned()
    };
    let (one, two) = (sign("1"), sign("2"));
    ws.ok(&["pack", "import", &two]);

    ws.sql("DELETE FROM records WHERE kind = 'signed_pack';");
    let said = "the record of the pack in force is missing, the store's state says version 2";
    assert_tampered(ws.unlock(), said);
    assert_tampered(
        ws.unlock(),
        "the store holds 0 records of kind signed_pack, the store's state says 1",
    );
    assert_cli_tampered(ws.cli(&["pack", "import", &one]), said);
}

/// Attack 4: a row's clear kind changed: the contact tree would just vanish from every list.
#[test]
fn changing_a_rows_clear_kind_is_seen() {
    let ws = Ws::new();
    let file = ws.file("tree.csv", &sample_contacts());
    ws.ok(&["contacts", "import", &file]);
    assert!(ws.ok(&["contacts", "list"]).lines().count() > 3);

    ws.sql("UPDATE records SET kind = 'contacts' WHERE kind = 'contact';");
    let said = "the store holds 0 records of kind contact, the store's state says 1";
    assert_cli_tampered(ws.cli(&["contacts", "list"]), said);
    assert_tampered(ws.unlock(), said);
    assert_tampered(
        ws.unlock(),
        "the store holds 1 records of kind contacts, the store's state says 0",
    );
}

/// Attack 5: the counter of emergency-access uses the log has taken in set high (in `meta`, where
/// it was before schema 6), or the record of uses reset: both are seen, by a full unlock and
/// by emergency access.
#[test]
fn setting_the_access_counter_or_resetting_the_access_record_is_seen() {
    let ws = Ws::new();
    let code = ws.file("code", CODE);
    ws.ok(&["emergency-code", "set", "--code-file", &code]);
    let em = Store::open(&ws.store(), clock()).unwrap().unlock_emergency(CODE.as_bytes()).unwrap();
    drop(em);
    let mut app = App::new(ws.store(), clock(), std::time::Instant::now());
    app.unlock(ADMIN, PASS.as_bytes(), std::time::Instant::now()).unwrap();
    app.lock();
    let pristine = ws.older_copy("pristine.db");

    ws.sql("INSERT INTO meta (name, value) VALUES ('access_logged', x'00000000000003e8');");
    let said = "the store holds 1 metadata values named access_logged, the store's state says 0";
    assert_tampered(ws.unlock(), said);
    assert_cli_tampered(ws.cli(&["user", "list"]), said);

    // The record of uses reset to nothing.
    std::fs::copy(&pristine, ws.store()).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ws.store().display()));
    }
    ws.unlock().unwrap();
    ws.sql("DELETE FROM access_events;");
    let said = "the emergency-access record ends at use 0, the store's state says 1";
    assert_tampered(
        Store::open(&ws.store(), clock()).unwrap().unlock_emergency(CODE.as_bytes()),
        said,
    );
    assert_tampered(
        ws.unlock(),
        "the emergency-access record ends at use 0, the store's state says 1 were logged",
    );
}

/// The state itself deleted (to be trusted again, as a store from before schema 6 is): the
/// data key's check value says the store keeps one.
#[test]
fn deleting_the_state_is_seen() {
    let ws = Ws::new();
    ws.sql("DELETE FROM store_state WHERE scope = 'ward';");
    assert_tampered(ws.unlock(), "the store's ward state record is missing");
    let code = ws.file("code", CODE);
    assert_cli_tampered(
        ws.cli(&["emergency-code", "set", "--code-file", &code]),
        "the store's ward state record is missing",
    );
    ws.sql("DELETE FROM store_state;");
    assert_tampered(ws.unlock(), "the store's main state record is missing");
}

/// Everything a workstation does in a day never trips the check: records of every kind,
/// users added, changed and removed, emergency access and the full unlock that logs it,
/// an observation, key rotation, a new emergency code, a pack import, another workstation's
/// log, a backup restored, and every export.
#[test]
fn ordinary_use_never_trips_the_check() {
    let ws = Ws::new();
    let checked = |what: &str| {
        let s = ws.unlock().unwrap_or_else(|e| panic!("after {what}: {e}"));
        s.check_state().unwrap_or_else(|e| panic!("after {what}: {e}"));
        s
    };
    let mut s = checked("init");
    write_every_kind(&s, "ordinary");
    write_every_kind(&s, "ordinary again");
    s.set_idle_lock_minutes(9).unwrap();
    s.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", Some("Ward 4")).unwrap();
    s.add_user("Lee Lead", Role::Lead, b"first passphrase 2", None).unwrap();
    s.set_department("Nina Nurse", Some("Ward 5")).unwrap();
    s.change_passphrase("Lee Lead", b"a reset passphrase").unwrap();
    s.remove_user("Lee Lead").unwrap();
    s.append(None, &note("a note")).unwrap();
    s.write(|w| {
        w.append(None, &note("two at once"))?;
        w.correct(1, None, &note("a correction"))
    })
    .unwrap();
    drop(s);
    let mut s = checked("records, users and the log");

    let code = ws.file("code", CODE);
    ws.ok(&["emergency-code", "set", "--code-file", &code]);
    let em = Store::open(&ws.store(), clock()).unwrap().unlock_emergency(CODE.as_bytes()).unwrap();
    em.record_observation("inc-1", "smoke in the corridor").unwrap();
    drop(em);
    let em = Store::open(&ws.store(), clock()).unwrap().unlock_emergency(CODE.as_bytes()).unwrap();
    drop(em);
    drop(s);
    let mut app = App::new(ws.store(), clock(), std::time::Instant::now());
    app.unlock(ADMIN, PASS.as_bytes(), std::time::Instant::now()).unwrap();
    app.lock();
    s = checked("emergency access");
    assert_eq!(s.log_access_events(Event::of_access).unwrap(), 0, "logged once, at the unlock");

    s.rotate_data_key().unwrap();
    s.set_emergency_code(b"ANOTHER-CODE-0002").unwrap();
    drop(s);
    Store::open(&ws.store(), clock()).unwrap().unlock_emergency(b"ANOTHER-CODE-0002").unwrap();
    s = checked("key rotation and a new emergency code");

    // A pack (which replaces the test's playbook record, not one that parses), then
    // contacts, through the CLI.
    let key = ws.path("signing.key");
    let public = ws
        .ok(&["pack", "keygen", "--out", key.to_str().unwrap()])
        .lines()
        .last()
        .unwrap()
        .to_owned();
    ws.ok(&["pack", "trust", &public]);
    let playbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    for version in ["1", "2"] {
        let out = ws.path(&format!("pack-{version}.json"));
        ws.ok(&[
            "pack",
            "sign",
            playbooks.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--pack-version",
            version,
        ]);
        ws.ok(&["pack", "import", out.to_str().unwrap()]);
    }
    let tree = ws.file("tree.csv", &sample_contacts());
    ws.ok(&["contacts", "import", &tree]);
    ws.ok(&["contacts", "import", &tree]);
    drop(s);
    s = checked("contacts and packs");
    assert_eq!(s.pack_version_in_force().unwrap(), Some(2));

    // Another workstation's log.
    let other = ws.path("other.db");
    let (o, _) = Store::create(&other, ADMIN, PASS.as_bytes(), clock()).unwrap();
    o.append(None, &note("elsewhere")).unwrap();
    let mut bundle = Vec::new();
    o.export_log(&mut bundle).unwrap();
    s.import_log(&String::from_utf8(bundle).unwrap()).unwrap();
    drop(s);
    s = checked("a log import");

    // Every export, then a backup restored over the store.
    let out = ws.path("log.jsonl");
    ws.ok(&["log", "export", "--out", out.to_str().unwrap()]);
    let csv = ws.path("tree-out.csv");
    ws.ok(&["contacts", "export", "--format", "csv", "--out", csv.to_str().unwrap()]);
    let backup = ws.path("backup.db");
    ws.ok(&["backup", backup.to_str().unwrap()]);
    s.append(None, &note("after the backup")).unwrap();
    drop(s);
    ws.ok(&["restore", backup.to_str().unwrap()]);
    let s = checked("a restore");
    assert!(s.verify_log().unwrap().entries > 0);
}

/// A store from every schema before the state opens: emergency access before its first
/// full unlock is let in, the first full unlock writes the state (trust on first use), and
/// from then on the state sees changes as it does in a new store.
#[test]
fn stores_from_before_the_state_upgrade_open_and_are_then_watched() {
    const FIXTURE_ADMIN: &str = "Fixture Admin";
    const FIXTURE_PASS: &[u8] = b"fixture passphrase 1";
    const FIXTURE_CODE: &[u8] = b"FIXTURE-CODE-0001";
    let tmp = tempfile::tempdir().unwrap();
    for version in 1..=5 {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/store-v{version}.db"));
        let copy = tmp.path().join(format!("v{version}.db"));
        std::fs::copy(&fixture, &copy).unwrap();
        let unlock = || Store::open(&copy, clock()).unwrap().unlock(FIXTURE_ADMIN, FIXTURE_PASS);
        let count = |sql: &str| -> i64 {
            Connection::open(&copy).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
        };

        drop(Store::open(&copy, clock()).unwrap().unlock_emergency(FIXTURE_CODE).unwrap());
        assert_eq!(count("SELECT COUNT(*) FROM store_state"), 0, "schema {version}");
        let session = unlock().unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM store_state"), 2, "schema {version}");
        assert_eq!(count("SELECT COUNT(*) FROM meta WHERE name = 'access_logged'"), 0);
        assert_eq!(session.log_access_events(Event::of_access).unwrap(), 2, "schema {version}");
        session.check_state().unwrap();
        drop(session);
        drop(Store::open(&copy, clock()).unwrap().unlock_emergency(FIXTURE_CODE).unwrap());
        unlock().unwrap().check_state().unwrap();

        Connection::open(&copy).unwrap().execute_batch("DELETE FROM store_state").unwrap();
        assert_tampered(unlock(), "the store's main state record is missing");
        assert_tampered(
            Store::open(&copy, clock()).unwrap().unlock_emergency(FIXTURE_CODE),
            "the store's ward state record is missing",
        );
    }
}

/// The limit of the state, and its answer: the whole file copied back from an older copy
/// (its state with it) cannot be told from inside, but a checkpoint that already left the
/// workstation (an earlier export, or the foot of a printed HICS 214) can tell it.
#[test]
fn a_whole_file_copied_back_is_seen_against_a_checkpoint_kept_away_from_it() {
    let ws = Ws::new();
    let session = ws.unlock().unwrap();
    session.append(Some("inc-1"), &note("before the copy")).unwrap();
    drop(session);
    let older = ws.older_copy("older.db");
    let session = ws.unlock().unwrap();
    session.append(Some("inc-1"), &note("after the copy")).unwrap();
    let anchor = session.log_anchor().unwrap();
    drop(session);
    let export = ws.path("export.jsonl");
    let export = export.to_str().unwrap();
    ws.ok(&["log", "export", "--out", export]);
    let out = ws.ok(&["log", "check", "--bundle", export]);
    assert!(
        out.starts_with("ok: this store's log holds the checkpoint kept away from it"),
        "{out}"
    );
    let size = anchor.size.to_string();
    ws.ok(&["log", "check", "--size", &size, "--head", &anchor.head]);

    // The attacker puts the whole older file back: the store's own state agrees with it.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ws.store().display()));
    }
    std::fs::copy(&older, ws.store()).unwrap();
    ws.unlock().unwrap();
    // The kept checkpoint does not.
    for args in [
        vec!["log", "check", "--bundle", export],
        vec!["log", "check", "--size", &size, "--head", &anchor.head],
    ] {
        let (code, _, err) = ws.cli(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(err.contains("error[store_tampered]"), "{err}");
        assert!(err.contains("the checkpoint kept away from the store says"), "{err}");
    }
    // An entry the store holds, but not the one the checkpoint names, is refused too.
    let (code, _, err) = ws.cli(&["log", "check", "--size", "1", "--head", &"f".repeat(64)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("entry 1 of the activity log is not the one"), "{err}");
}
