//! The encrypted store on real SQLite files in temp folders, with the real crypto.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use caregiver::contacts::calltree::ContactTree;
use caregiver::events::Event;
use caregiver::incident::Incident;
use caregiver::store::{Kind, Record, Role, Session, Store, schema};
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;
use serde_json::Value;

use crate::support::{
    caregiver, clock, contact, read_each_kind, read_every_kind, run, write_every_kind,
};

const ADMIN: &str = "Ada Admin";
const PASS: &[u8] = b"correct horse battery staple";
const CODE: &[u8] = b"WARD4-7K4M-Q2PX-9RTD";
const SENTINEL: &str = "ZQXSENTINEL";

fn new_store(dir: &Path) -> (PathBuf, Session) {
    let path = dir.join("store.db");
    let (session, _) = Store::create(&path, ADMIN, PASS, clock()).unwrap();
    (path, session)
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                hits.push(p);
            }
        }
    }
    hits
}

fn write_all(session: &mut Session, marker: &str) {
    write_every_kind(session, marker);
    let nurse = format!("{marker} Nurse");
    session.add_user(&nurse, Role::Clinician, b"first passphrase 1", None).unwrap();
}

/// A contact tree of one contact named `name`.
fn tree(name: &str) -> ContactTree {
    ContactTree(vec![contact("c1", name, None)])
}

#[test]
fn a_sentinel_written_through_every_kind_of_record_never_reaches_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, mut session) = new_store(tmp.path());
    write_all(&mut session, SENTINEL);
    session.set_emergency_code(CODE).unwrap();
    session.set_idle_lock_minutes(7).unwrap();
    let em = Store::open(&path, clock()).unwrap().unlock_emergency(CODE).unwrap();
    drop(em);

    let needles: [&[u8]; 4] = [SENTINEL.as_bytes(), PASS, b"first passphrase 1", b"7K4M"];
    assert!(path.with_extension("db-wal").exists(), "the WAL should hold the writes");
    for needle in needles {
        let hits = files_containing(tmp.path(), needle);
        assert!(
            hits.is_empty(),
            "{:?} found in {hits:?} before a checkpoint",
            String::from_utf8_lossy(needle)
        );
    }
    Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(session);
    for needle in needles {
        let hits = files_containing(tmp.path(), needle);
        assert!(
            hits.is_empty(),
            "{:?} found in {hits:?} after a checkpoint",
            String::from_utf8_lossy(needle)
        );
    }
    // The values really are there, sealed: the admin reads them back.
    let session = Store::open(&path, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    let incidents = session.list::<Incident>().unwrap();
    assert!(incidents[0].value.title.contains(SENTINEL));
    assert!(session.list_users().unwrap().iter().any(|u| u.name.contains(SENTINEL)));
}

/// The CLI, with its temp folder pointed into the test's own folder: nothing lands there.
#[test]
fn the_cli_leaves_no_plaintext_in_the_store_or_the_temp_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let temp_dir = tmp.path().join("tmp");
    std::fs::create_dir_all(&temp_dir).unwrap();
    let secrets = tmp.path().join("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let pass = secrets.join("admin.pass");
    let first = secrets.join("nurse.pass");
    std::io::Write::write_all(&mut std::fs::File::create(&pass).unwrap(), PASS).unwrap();
    std::io::Write::write_all(&mut std::fs::File::create(&first).unwrap(), b"first passphrase 1\n")
        .unwrap();
    let store = tmp.path().join("data/store.db");
    let cli = |args: &[&str]| {
        let mut cmd = caregiver(tmp.path());
        cmd.env("TMPDIR", &temp_dir).env("SQLITE_TMPDIR", &temp_dir);
        cmd.arg("--store").arg(&store).args(args);
        run(&mut cmd)
    };
    let (code, out, err) = cli(&[
        "init",
        "--admin",
        &format!("{SENTINEL} Admin"),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("RECOVERY KEY"));
    let admin = format!("{SENTINEL} Admin");
    let (code, _, err) = cli(&[
        "user",
        "add",
        &format!("{SENTINEL} Nurse"),
        "--role",
        "clinician",
        "--new-passphrase-file",
        first.to_str().unwrap(),
        "--user",
        &admin,
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cli(&[
        "user",
        "list",
        "--json",
        "--user",
        &admin,
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("{SENTINEL} Nurse")));

    for dir in [tmp.path().join("data"), temp_dir] {
        for needle in [SENTINEL.as_bytes(), PASS, b"first passphrase 1"] {
            let hits = files_containing(&dir, needle);
            assert!(hits.is_empty(), "{:?} found in {hits:?}", String::from_utf8_lossy(needle));
        }
    }
}

#[test]
fn flipped_bytes_in_sealed_columns_are_always_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, mut session) = new_store(tmp.path());
    write_all(&mut session, "tamper");
    let conn = Connection::open(&path).unwrap();
    let rows: Vec<(String, String, Vec<u8>)> = conn
        // Every record a caller reads (the log's keys are the store's own, read once).
        .prepare(
            "SELECT record_id, kind, sealed FROM records
             WHERE kind NOT IN ('device_key', 'log_key', 'log_signer')",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // The keys (the pinned pack key, its ward copy, the log's keys as stores from before
    // and now keep them, the people's certified log keys), the settings and imported
    // logs' signers.
    assert_eq!(rows.len(), Kind::ALL.len() - 7, "a record of every kind but the keys and settings");

    let mut runner =
        TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });
    let strategy = (0..rows.len(), proptest::prelude::any::<proptest::sample::Index>(), 0u8..8);
    runner
        .run(&strategy, |(row, index, bit)| {
            let (id, _kind, original) = &rows[row];
            let mut bad = original.clone();
            let i = index.index(bad.len());
            bad[i] ^= 1 << bit;
            conn.execute(
                "UPDATE records SET sealed = ?1 WHERE record_id = ?2",
                rusqlite::params![bad, id],
            )
            .unwrap();
            let got = read_every_kind(&session);
            conn.execute(
                "UPDATE records SET sealed = ?1 WHERE record_id = ?2",
                rusqlite::params![original, id],
            )
            .unwrap();
            let err = got.expect_err("a flipped byte was not detected");
            proptest::prop_assert_eq!(err.code(), "record_damaged");
            Ok(())
        })
        .unwrap();

    // Flipped bytes in the sealed user rows stop the user list, never return a wrong name.
    let users: Vec<(String, Vec<u8>)> = conn
        .prepare("SELECT user_id, sealed FROM users")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, original) in &users {
        for i in (0..original.len()).step_by(7) {
            let mut bad = original.clone();
            bad[i] ^= 0x20;
            conn.execute(
                "UPDATE users SET sealed = ?1 WHERE user_id = ?2",
                rusqlite::params![bad, id],
            )
            .unwrap();
            let err = session.list_users().unwrap_err();
            assert!(matches!(err.code(), "record_damaged" | "session_ended"), "{err}");
        }
        conn.execute(
            "UPDATE users SET sealed = ?1 WHERE user_id = ?2",
            rusqlite::params![original, id],
        )
        .unwrap();
    }
    assert_eq!(session.list_users().unwrap().len(), 2);
}

/// Random damage anywhere in the file: every read either fails with an error or returns
/// exactly what was written. Never a panic, never wrong data.
#[test]
fn random_damage_to_the_file_gives_errors_or_the_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, mut session) = new_store(tmp.path());
    write_all(&mut session, "damage");
    let truth: Vec<Vec<Value>> = read_every_kind(&session).unwrap();
    drop(session);
    Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let pristine = std::fs::read(&path).unwrap();

    let mut runner =
        TestRunner::new(Config { cases: 40, failure_persistence: None, ..Config::default() });
    let strategy = (proptest::prelude::any::<proptest::sample::Index>(), 1u8..=255);
    let case = tmp.path().join("case.db");
    runner
        .run(&strategy, |(index, mask)| {
            let mut bytes = pristine.clone();
            let i = index.index(bytes.len());
            bytes[i] ^= mask;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", case.display()));
            }
            std::io::Write::write_all(&mut std::fs::File::create(&case).unwrap(), &bytes).unwrap();
            let Ok(store) = Store::open(&case, clock()) else { return Ok(()) };
            let Ok(session) = store.unlock(ADMIN, PASS) else { return Ok(()) };
            for (got, want) in read_each_kind(&session).into_iter().zip(&truth) {
                if let Ok(got) = got {
                    for record in &got {
                        proptest::prop_assert!(want.contains(record), "wrong data at byte {i}");
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

fn write_file(path: &Path, bytes: &[u8]) {
    std::io::Write::write_all(&mut std::fs::File::create(path).unwrap(), bytes).unwrap();
}

#[test]
fn a_wrong_passphrase_gets_one_message_and_a_delay_that_survives_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, session) = new_store(tmp.path());
    drop(session);
    let good = tmp.path().join("good.pass");
    let bad = tmp.path().join("bad.pass");
    write_file(&good, PASS);
    write_file(&bad, b"not the passphrase at all");
    let list = |user: &str, pass: &Path| {
        run(caregiver(tmp.path())
            .arg("--store")
            .arg(&path)
            .args(["user", "list", "--user", user, "--passphrase-file"])
            .arg(pass))
    };
    // Unknown name and wrong passphrase: the same exit code and message.
    let (c1, o1, e1) = list(ADMIN, &bad);
    let (c2, _, e2) = list("Nobody At All", &bad);
    assert_eq!((c1, c2), (1, 1));
    assert!(o1.is_empty());
    assert_eq!(e1, "caregiver: error[wrong_passphrase]: wrong name or passphrase\n");
    assert_eq!(e1, e2);
    // Two more failures, each in a new process; then even the right passphrase must wait.
    list(ADMIN, &bad);
    list(ADMIN, &bad);
    let (code, _, err) = list(ADMIN, &good);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("caregiver: error[unlock_throttled]: too many failed attempts: wait "),
        "{err}"
    );
    let wait = caregiver::store::delay_after(caregiver::store::Gate::Unlock, 4);
    std::thread::sleep(wait + std::time::Duration::from_millis(200));
    let (code, out, err) = list(ADMIN, &good);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(ADMIN));
}

/// One person's failed unlocks delay the name they tried, not everyone; a name that does
/// not exist is delayed the same way, so the delay does not tell names apart. On the
/// store's own clock.
#[test]
fn failed_unlocks_delay_the_name_tried_not_everyone() {
    use caregiver::store::{FREE_FAILURES, Gate, delay_after};
    let tmp = tempfile::tempdir().unwrap();
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().to_utc();
    let fake = caregiver::clock::FakeClock::starting_at(start);
    let clock: caregiver::clock::SharedClock = fake.clone();
    let path = tmp.path().join("store.db");
    let (mut session, _) = Store::create(&path, ADMIN, PASS, clock.clone()).unwrap();
    session.add_user("Bea Lead", Role::Lead, b"bea's first passphrase", None).unwrap();
    drop(session);
    let unlock = |name: &str, pass: &[u8]| {
        Store::open(&path, clock.clone()).unwrap().unlock(name, pass).map(drop)
    };
    for _ in 0..FREE_FAILURES {
        assert_eq!(unlock(ADMIN, b"not the passphrase").unwrap_err().code(), "wrong_passphrase");
        let err = unlock("Nobody At All", b"not the passphrase").unwrap_err();
        assert_eq!(err.code(), "wrong_passphrase");
    }
    let admin = unlock(ADMIN, PASS).unwrap_err();
    let nobody = unlock("Nobody At All", b"anything at all").unwrap_err();
    assert_eq!(admin.code(), "unlock_throttled");
    assert_eq!(admin.to_string(), nobody.to_string());
    unlock("Bea Lead", b"bea's first passphrase").unwrap();
    fake.advance(chrono::Duration::from_std(delay_after(Gate::Unlock, FREE_FAILURES)).unwrap());
    unlock(ADMIN, PASS).unwrap();
}

#[test]
fn backup_and_restore_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, session) = new_store(tmp.path());
    session.put("c1", &tree("before backup")).unwrap();
    drop(session);
    let pass = tmp.path().join("admin.pass");
    write_file(&pass, PASS);
    let cli = |args: &[&str]| {
        run(caregiver(tmp.path())
            .arg("--store")
            .arg(&path)
            .args(args)
            .args(["--user", ADMIN, "--passphrase-file"])
            .arg(&pass))
    };
    let backup = tmp.path().join("backup.db");
    let (code, _, err) = cli(&["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 1, "a backup must not overwrite a file");
    assert!(err.contains("already exists"), "{err}");

    // Change the store after the backup.
    let session = Store::open(&path, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    session.put("c1", &tree("after backup")).unwrap();
    drop(session);

    // A damaged backup, and a backup another passphrase guards, are refused: nothing changes.
    let damaged = tmp.path().join("damaged.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    let n = bytes.len();
    bytes[n / 2..].fill(0x5a);
    write_file(&damaged, &bytes);
    let other_dir = tempfile::tempdir().unwrap();
    let (other, _) =
        Store::create(&other_dir.path().join("o.db"), ADMIN, b"a different passphrase", clock())
            .unwrap();
    let foreign = tmp.path().join("foreign.db");
    other.backup(&foreign).unwrap();
    for (file, want) in [(&damaged, "restore_rejected"), (&foreign, "wrong_passphrase")] {
        let (code, _, err) = cli(&["restore", file.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(err.contains(want), "{err}");
        let session = Store::open(&path, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
        let c: ContactTree = session.get("c1").unwrap().unwrap();
        assert_eq!(c, tree("after backup"));
    }

    let (code, _, err) = cli(&["restore", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let store = Store::open(&path, clock()).unwrap();
    store.integrity_check().unwrap();
    let session = store.unlock(ADMIN, PASS).unwrap();
    let c: ContactTree = session.get("c1").unwrap().unwrap();
    assert_eq!(c, tree("before backup"));
}

/// A restore replaces every user and key: only an admin of the store in place may do it
/// (a store anybody makes has them as its admin), and it says whose store the backup is.
#[test]
fn restore_needs_an_admin_of_the_store_in_place_and_says_whose_store_the_backup_is() {
    const EVE: &str = "Eve Clinician";
    const EVE_PASS: &[u8] = b"eve's own passphrase";
    let tmp = tempfile::tempdir().unwrap();
    let (path, mut session) = new_store(tmp.path());
    session.put("c1", &tree("the real tree")).unwrap();
    session.add_user(EVE, Role::Clinician, EVE_PASS, None).unwrap();
    let own = tmp.path().join("own-backup.db");
    session.backup(&own).unwrap();
    drop(session);
    let mut eve = Store::open(&path, clock()).unwrap().unlock(EVE, EVE_PASS).unwrap();
    eve.change_passphrase(EVE, EVE_PASS).unwrap();
    drop(eve);
    // Stores of their own, made anywhere, in which each is an admin.
    let other = tempfile::tempdir().unwrap();
    let forge = |admin: &str, pass: &[u8], file: &str| {
        let made = other.path().join(format!("{file}.store"));
        let (s, _) = Store::create(&made, admin, pass, clock()).unwrap();
        s.put("c1", &tree("a forged tree")).unwrap();
        let out = tmp.path().join(file);
        s.backup(&out).unwrap();
        out
    };
    let by_eve = forge(EVE, EVE_PASS, "eve.db");
    let by_stranger = forge("Mallory", b"mallory's passphrase", "mallory.db");
    let by_ada = forge(ADMIN, PASS, "ada-elsewhere.db");
    let restore = |file: &Path, user: &str, pass: &[u8]| {
        let pass_file = tmp.path().join("restore.pass");
        write_file(&pass_file, pass);
        run(caregiver(tmp.path())
            .arg("--store")
            .arg(&path)
            .arg("restore")
            .arg(file)
            .args(["--user", user, "--passphrase-file"])
            .arg(&pass_file))
    };
    let tree_now = || {
        let s = Store::open(&path, clock()).unwrap().unlock(ADMIN, PASS).unwrap();
        s.get::<ContactTree>("c1").unwrap().unwrap()
    };

    for (file, user, pass, want) in [
        (&by_eve, EVE, EVE_PASS, "error[permission_denied]: only admins may restore a backup"),
        (&by_stranger, "Mallory", &b"mallory's passphrase"[..], "error[wrong_passphrase]"),
    ] {
        let (code, out, err) = restore(file, user, pass);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(err.contains(want), "{err}");
        assert_eq!(tree_now(), tree("the real tree"));
    }

    let (code, out, err) = restore(&own, ADMIN, PASS);
    assert_eq!(code, 0, "{err}");
    let id = out.lines().nth(1).unwrap();
    assert!(
        id.starts_with("The backup is of store ")
            && id.ends_with(": the same store as the one it replaced."),
        "{out}"
    );
    assert!(out.contains("\nIts admins: Ada Admin\n"), "{out}");

    let (code, out, err) = restore(&by_ada, ADMIN, PASS);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(": a DIFFERENT store from the one it replaced ("), "{out}");
    assert_eq!(tree_now(), tree("a forged tree"));

    // A store in place that no longer opens is not replaced: move it aside, then restore.
    write_file(&path, &[0x5a; 8192]);
    let (code, _, err) = restore(&own, ADMIN, PASS);
    assert_eq!(code, 1);
    assert!(err.contains("error[restore_rejected]") && err.contains("move it aside"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), [0x5a; 8192]);
    for suffix in ["", "-wal", "-shm"] {
        let aside = tmp.path().join(format!("damaged.db{suffix}"));
        let _ = std::fs::rename(format!("{}{suffix}", path.display()), aside);
    }
    assert!(!path.exists());
    let (code, out, err) = restore(&own, ADMIN, PASS);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(": there was no store in place."), "{out}");
    assert_eq!(tree_now(), tree("the real tree"));
}

/// The store at every schema version ever shipped opens with this binary, upgrades, and
/// reads back what the fixture holds. `make_fixture` writes the current version's fixture.
#[test]
fn fixtures_of_every_schema_version_open_and_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    for version in 1..=schema::CURRENT {
        let fixture = fixture_path(version);
        assert!(
            fixture.exists(),
            "no fixture for schema {version}: run `cargo test --test it make_fixture -- --ignored` before changing the schema"
        );
        let copy = tmp.path().join(format!("v{version}.db"));
        std::fs::copy(&fixture, &copy).unwrap();
        let store = Store::open(&copy, clock()).unwrap();
        assert_eq!(schema::version(&Connection::open(&copy).unwrap()).unwrap(), schema::CURRENT);
        store.integrity_check().unwrap();
        let mut session = store.unlock(FIXTURE_ADMIN, FIXTURE_PASS).unwrap();
        assert_eq!(session.settings().unwrap().idle_lock_minutes, 12);
        assert_eq!(session.list_users().unwrap().len(), 2);
        assert_eq!(session.access_events().unwrap().len(), 1);
        // The activity log came with schema 3: its entries survive upgrades and read as
        // typed events; the fixture's one emergency-access use is logged at the first full
        // unlock (older schemas: only that).
        assert_eq!(session.log_access_events(Event::of_access).unwrap(), 1);
        let logged = if version >= 3 { 2 } else { 1 };
        assert_eq!(session.verify_log().unwrap().entries, logged, "schema {version}");
        let events = session.events::<Event>(None).unwrap();
        assert!(matches!(events.last().unwrap().event, Event::EmergencyAccessUsed { .. }));
        if version >= 3 {
            assert_eq!(events[0].event, Event::Note { text: "fixture entry".into() });
        }
        // Every sealed row of the fixture still opens: re-sealing them all under a new key
        // opens each one (the fixtures' own test records have no type of today's).
        session.rotate_data_key().unwrap();
        let em = session.lock().unlock_emergency(FIXTURE_CODE).unwrap();
        drop(em);
        let ward_rows: i64 = Connection::open(&copy)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM records WHERE kind = 'ward_call_list'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(ward_rows, 1);
    }
}

const FIXTURE_ADMIN: &str = "Fixture Admin";
const FIXTURE_PASS: &[u8] = b"fixture passphrase 1";
const FIXTURE_CODE: &[u8] = b"FIXTURE-CODE-0001";
const FIXTURE_NURSE: &str = "Fixture Nurse";
const FIXTURE_NURSE_PASS: &[u8] = b"fixture passphrase 2";

fn fixture_path(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/store-v{version}.db"))
}

#[test]
#[ignore = "writes tests/fixtures/store-vN.db for the current schema; run by hand before a schema change"]
fn make_fixture() {
    let path = fixture_path(schema::CURRENT);
    let _ = std::fs::remove_file(&path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let (mut s, _) = Store::create(&path, FIXTURE_ADMIN, FIXTURE_PASS, clock()).unwrap();
    s.add_user("Fixture Nurse", Role::Clinician, b"fixture passphrase 2", None).unwrap();
    write_every_kind(&s, "fixture");
    s.set_idle_lock_minutes(12).unwrap();
    s.set_emergency_code(FIXTURE_CODE).unwrap();
    let entry = Event::Note { text: "fixture entry".into() };
    s.append(Some("fixture-incident"), &entry).unwrap();
    let em = s.lock().unlock_emergency(FIXTURE_CODE).unwrap();
    drop(em);
    let conn = Connection::open(&path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(())).unwrap();
}

// ---- crash safety: kill -9 a writer at random moments ----

const CHILD_ENV: &str = "CAREGIVER_TEST_CRASH_STORE";
const MODE_ENV: &str = "CAREGIVER_TEST_CRASH_MODE";

/// The writer the crash test kills. Runs only when the parent sets CHILD_ENV.
#[test]
#[ignore = "a child process of the kill_dash_nine tests"]
fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let mode = std::env::var(MODE_ENV).unwrap_or_default();
    if mode == "move" {
        // Copies of a store from before keys per person, each moved by two unlocks.
        for i in 0u64.. {
            let copy = Path::new(&path).join(format!("move-{i:04}.db"));
            // Copied under another name and renamed: a kill during the copy (not the
            // app's doing) leaves no half a store to check.
            let partial = copy.with_extension("partial");
            std::fs::copy(fixture_path(5), &partial).unwrap();
            std::fs::rename(&partial, &copy).unwrap();
            println!("start {i}");
            for (name, pass) in [(FIXTURE_ADMIN, FIXTURE_PASS), (FIXTURE_NURSE, FIXTURE_NURSE_PASS)]
            {
                drop(Store::open(&copy, clock()).unwrap().unlock(name, pass).unwrap());
            }
            println!("ack {i}");
        }
    }
    let mut session = Store::open(Path::new(&path), clock()).unwrap().unlock(ADMIN, PASS).unwrap();
    for i in 0u64.. {
        if mode == "rekey" {
            session.rotate_data_key().unwrap();
        } else if mode == "log" {
            let note = Event::Note { text: format!("note {i}") };
            let seq = session.append(Some("crash"), &note).unwrap();
            println!("ack {seq}");
            continue;
        } else {
            session.put(&format!("note-{i:06}"), &incident(i)).unwrap();
        }
        // Printed only after the commit returned: an acknowledged write.
        println!("ack {i}");
    }
}

/// A record the crash test writes: an incident numbered `i`, with a title of some length.
fn incident(i: u64) -> Incident {
    let t = chrono::DateTime::UNIX_EPOCH + chrono::Duration::seconds(i as i64);
    Incident {
        id: format!("note-{i:06}"),
        playbook: "ransomware".into(),
        playbook_version: 1,
        title: format!("{i} {}", "x".repeat(300)),
        lead: ADMIN.into(),
        started: t,
        discovered: t,
        drill: true,
    }
}

fn crash_once(path: &Path, mode: &str, kill_after: u64) -> Option<u64> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "store::crash_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .env(MODE_ENV, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut last = None;
    let reader = BufReader::new(child.stdout.take().unwrap());
    for line in reader.lines() {
        let Ok(line) = line else { break };
        if let Some(n) = line.strip_prefix("ack ") {
            last = Some(n.parse().unwrap());
            if last >= Some(kill_after) {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, mid-write.
    child.wait().unwrap();
    last
}

#[test]
fn kill_dash_nine_during_writes_loses_no_acknowledged_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, session) = new_store(tmp.path());
    drop(session);
    let mut acknowledged = 0u64;
    for round in 0..12u64 {
        let before = count_notes(&path);
        let acked = crash_once(&path, "notes", (round * 7) % 23 + 1);
        let store = Store::open(&path, clock()).unwrap();
        store.integrity_check().unwrap();
        let session = store.unlock(ADMIN, PASS).unwrap();
        let notes = session.list::<Incident>().unwrap();
        // The child restarts numbering each round: every acked index exists, in order.
        if let Some(last) = acked {
            assert!(
                notes.len() as u64 >= before.max(last + 1),
                "round {round}: {} notes, acked {last}",
                notes.len()
            );
            acknowledged += last + 1;
        }
    }
    assert!(acknowledged > 0);
}

#[test]
fn kill_dash_nine_during_key_rotation_leaves_exactly_one_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, session) = new_store(tmp.path());
    for i in 0..150 {
        session.put(&format!("c{i}"), &tree(&format!("contact {i}"))).unwrap();
    }
    drop(session);
    for round in 0..8u64 {
        crash_once(&path, "rekey", round % 3);
        let store = Store::open(&path, clock()).unwrap();
        store.integrity_check().unwrap();
        let conn = Connection::open(&path).unwrap();
        // One main key: every holder's wrap of it has the key id the check value has.
        let check: Vec<u8> = conn
            .query_row("SELECT value FROM meta WHERE name = 'check_main'", [], |r| r.get(0))
            .unwrap();
        let wraps: Vec<i64> = conn
            .prepare("SELECT key_id FROM key_wraps WHERE name = 'main'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let id = i64::from(caregiver::crypto::key_id_of(&check).unwrap());
        assert_eq!(wraps, vec![id; 2], "round {round}: the admin's and the recovery key's");
        let session = store.unlock(ADMIN, PASS).unwrap();
        let contacts = session.list::<ContactTree>().unwrap();
        assert_eq!(contacts.len(), 150, "round {round}");
    }
}

/// A store from before keys per person, killed at varying moments while its people move
/// to keys of their own (each move one transaction): every copy opens, passes SQLite's
/// integrity check, and unlocks for both people, moved or not.
#[test]
fn kill_dash_nine_while_a_store_moves_to_keys_per_person_leaves_stores_that_open() {
    let tmp = tempfile::tempdir().unwrap();
    for round in 0..6u64 {
        let dir = tmp.path().join(format!("round-{round}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "store::crash_child", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .env(MODE_ENV, "move")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let reader = BufReader::new(child.stdout.take().unwrap());
        for line in reader.lines() {
            // Killed while the second copy is being moved, a little later each round.
            if line.unwrap() == "start 1" {
                std::thread::sleep(std::time::Duration::from_millis(round * 90));
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let copy = entry.unwrap().path();
            if copy.extension().is_none_or(|e| e != "db") {
                continue;
            }
            let store = Store::open(&copy, clock()).unwrap();
            store.integrity_check().unwrap();
            let admin = store.unlock(FIXTURE_ADMIN, FIXTURE_PASS).unwrap();
            assert_eq!(admin.settings().unwrap().idle_lock_minutes, 12, "{}", copy.display());
            let nurse = admin.lock().unlock(FIXTURE_NURSE, FIXTURE_NURSE_PASS).unwrap();
            assert!(nurse.must_change_passphrase());
        }
    }
}

fn count_notes(path: &Path) -> u64 {
    Connection::open(path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM records WHERE kind = ?1", [Incident::KIND.as_str()], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as u64
}

#[test]
fn kill_dash_nine_during_log_appends_loses_no_acknowledged_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, session) = new_store(tmp.path());
    drop(session);
    let mut highest_ack = 0;
    for round in 0..10u64 {
        if let Some(acked) = crash_once(&path, "log", highest_ack + (round * 5) % 17 + 1) {
            highest_ack = highest_ack.max(acked);
        }
        let store = Store::open(&path, clock()).unwrap();
        store.integrity_check().unwrap();
        let session = store.unlock(ADMIN, PASS).unwrap();
        let verified = session.verify_log().unwrap();
        assert!(
            verified.entries >= highest_ack,
            "round {round}: {} entries, acked {highest_ack}",
            verified.entries
        );
    }
    assert!(highest_ack > 10, "the child barely wrote: {highest_ack}");
}
