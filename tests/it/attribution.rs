//! No one writes an entry in another's name: each person's checkpoints are signed with
//! their own log key, certified by the workstation's key, which only admins hold. Stores
//! made with the CLI as users make them; the attacker is an insider with one clinician's
//! passphrase and the store file (rusqlite and `caregiver::crypto`, as `keys.rs` does);
//! bundles checked by the app and by `docs/verify_bundle.py`.

use std::path::{Path, PathBuf};
use std::process::Command;

use caregiver::crypto::{self, Binding, SealingKey};
use caregiver::log::{Entry, GENESIS, LogSigner, line_hash};

use crate::insider::{ADMIN, ADMIN_PASS, Insider, Ward};

const LEAD: &str = "Lena Lead";
const LEAD_PASS: &[u8] = b"lena's own passphrase 3";
const CLINICIAN: &str = "Cora Clinician";
const CLINICIAN_PASS: &[u8] = b"cora's own passphrase 5";
const LEAD_NOTE: &str = "Ward 4 back on the EHR at 14:10";

/// A store made with the CLI: Ada (admin), Lena (lead) and Cora (clinician), each with a
/// passphrase of their own.
fn ward() -> Ward {
    let ward = Ward::with_admin();
    ward.add(LEAD, "lead", LEAD_PASS);
    ward.add(CLINICIAN, "clinician", CLINICIAN_PASS);
    ward
}

/// An incident started by Lena, with a note each by Lena, Cora and Ada.
fn incident(ward: &Ward) -> String {
    let id = ward.as_user(LEAD, LEAD_PASS, &["incident", "start", "ransomware"]);
    let id = id.trim().to_owned();
    ward.as_user(LEAD, LEAD_PASS, &["incident", "note", &id, LEAD_NOTE]);
    ward.as_user(CLINICIAN, CLINICIAN_PASS, &["incident", "note", &id, "Paper charts out"]);
    ward.as_user(ADMIN, ADMIN_PASS, &["incident", "note", &id, "Backups checked"]);
    id
}

/// The admin's export and trusted key: (bundle, key.pem).
fn export(ward: &Ward, name: &str) -> (String, String) {
    let bundle = ward.path(&format!("{name}.jsonl"));
    let key = ward.path(&format!("{name}.pem"));
    ward.as_user(ADMIN, ADMIN_PASS, &["log", "export", "--out", &bundle]);
    ward.as_user(ADMIN, ADMIN_PASS, &["log", "key", "--out", &key]);
    (bundle, key)
}

/// `caregiver log verify` and `docs/verify_bundle.py --all-signatures`, both with
/// `--pubkey`: each one's (exit code, what it said).
fn both_checkers(ward: &Ward, bundle: &str, key: &str) -> [(i32, String); 2] {
    let (code, out, err) = ward.cli(&["log", "verify", bundle, "--pubkey", key]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_bundle.py");
    let py = Command::new("python3")
        .arg(script)
        .args([bundle, "--pubkey", key])
        .output()
        .expect("python3 runs (scripts/setup.sh installs it)");
    let said =
        String::from_utf8_lossy(&py.stdout).into_owned() + &String::from_utf8_lossy(&py.stderr);
    [(code, out + &err), (py.status.code().unwrap_or(-1), said)]
}

fn assert_verifies(ward: &Ward, bundle: &str, key: &str) {
    for (code, said) in both_checkers(ward, bundle, key) {
        assert_eq!(code, 0, "{said}");
        assert!(said.contains("(the trusted key)"), "{said}");
    }
}

/// The audit's attack, redone: Cora, with her passphrase and the file, tries to open the
/// workstation's key (there is no copy she can open), then rewrites Lena's note in a real
/// export, re-chains it and signs every checkpoint from there on with her own certified
/// log key. Both checkers refuse it, naming Lena's entry and both names.
#[test]
fn a_clinician_cannot_rewrite_the_leads_note_with_her_own_key() {
    let ward = ward();
    incident(&ward);
    let (bundle, key) = export(&ward, "real");
    assert_verifies(&ward, &bundle, &key);

    let conn = ward.conn();
    let cora = Insider::open(&conn, CLINICIAN, CLINICIAN_PASS);
    assert!(cora.key(&conn, "admin").is_none(), "a clinician holds the admins' key");
    let old: i64 = conn
        .query_row("SELECT COUNT(*) FROM records WHERE kind = 'device_key'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(old, 0, "the device key is still a main-scope record");
    // The one record of the device key opens with the main key, but its private half is
    // sealed under a key derived from the admins' key: nothing Cora holds opens it.
    let (version, sealed): (i64, Vec<u8>) = conn
        .query_row("SELECT version, sealed FROM records WHERE kind = 'log_key'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let (main_id, main) = cora.key(&conn, "main").unwrap();
    let at = Binding { domain: "record", table: "log_key", row: "log-key", version };
    let plain = SealingKey::new(main_id, &main).unwrap().open(&at, &sealed).unwrap();
    let record: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let inner =
        data_encoding::BASE64.decode(record["sealed"].as_str().unwrap().as_bytes()).unwrap();
    let admin_version = record["admin_version"].as_i64().unwrap();
    let inner_at =
        Binding { domain: "device-key", table: "log_key", row: "log-key", version: admin_version };
    let (_, ward_key) = cora.key(&conn, "ward").unwrap();
    for held in [&main, &ward_key, &cora.seed] {
        let guess = SealingKey::new(0, &crypto::derive(held, "device key")).unwrap();
        assert!(guess.open(&inner_at, &inner).is_err(), "a key Cora holds opens the device key");
    }

    // She re-signs with what she has: her own log key, which the bundle certifies.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let cora_key = LogSigner::from_seed(&cora.seed, header["log"].as_str().unwrap()).unwrap();
    assert!(text.contains(&format!("\"key\":\"{}\"", cora_key.public().base64())));
    let (mut out, mut head, mut seq, mut forging, mut forged_seq) =
        (Vec::new(), GENESIS.to_owned(), 0, false, 0);
    for line in text.lines() {
        if line.starts_with("{\"t\":\"entry\"") {
            let mut entry: Entry = serde_json::from_str(line).unwrap();
            entry.prev = head.clone();
            if entry.actor == LEAD && entry.payload["text"] == LEAD_NOTE {
                entry.payload["text"] = "Ward 4 EHR outage: no issue seen".into();
                (forging, forged_seq) = (true, entry.seq);
            }
            let line = serde_json::to_string(&entry).unwrap();
            (head, seq) = (line_hash(&line), entry.seq);
            out.push(line);
        } else if line.starts_with("{\"t\":\"checkpoint\"") && forging {
            out.push(serde_json::to_string(&cora_key.checkpoint(seq, &head)).unwrap());
        } else {
            out.push(line.to_owned());
        }
    }
    assert!(forged_seq > 0, "the lead's note is in the export");
    let forged = ward.path("forged.jsonl");
    std::fs::write(&forged, out.join("\n") + "\n").unwrap();
    let want = format!(
        "entry {forged_seq} is in the name of {LEAD}, but the checkpoint that covers it (line"
    );
    for (code, said) in both_checkers(&ward, &forged, &key) {
        assert_eq!(code, 1, "{said}");
        assert!(
            said.contains(&want) && said.contains(&format!("the key of {CLINICIAN}")),
            "{said}"
        );
    }
    let (_, _, err) = ward.cli(&["log", "verify", &forged, "--pubkey", &key]);
    assert!(err.contains("error[log_broken]"), "{err}");

    // Nor can she put a device key of her own in place of the admins' record: it is signed
    // by the admins' key, and the copy she re-seals is refused.
    let mut swapped = record.clone();
    swapped["public"] = caregiver::log::DeviceKey::generate().unwrap().0.public().base64().into();
    let mut json = serde_json::to_vec(&swapped).unwrap();
    json.resize(json.len().div_ceil(64) * 64, b' ');
    let resealed = SealingKey::new(main_id, &main).unwrap().seal(&at, &json).unwrap();
    conn.execute("UPDATE records SET sealed = ?1 WHERE kind = 'log_key'", [resealed]).unwrap();
    let (code, _, err) = ward.as_user_run(ADMIN, ADMIN_PASS, &["log", "key"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[record_forged]"), "{err}");
}

/// Entries by three people, made through the CLI as they would, each signed by its
/// author's key: both checkers accept the export, and the bundle from before people
/// signed their own (every checkpoint by the workstation's key) still verifies.
#[test]
fn entries_by_three_people_verify_with_both_checkers_and_old_bundles_still_do() {
    let ward = ward();
    incident(&ward);
    let (bundle, key) = export(&ward, "three");
    assert_verifies(&ward, &bundle, &key);
    let text = std::fs::read_to_string(&bundle).unwrap();
    let signers: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with("{\"t\":\"signer\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut names: Vec<&str> = signers.iter().map(|s| s["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, [ADMIN, CLINICIAN, LEAD]);
    // Each checkpoint names the key of the person whose entry it follows.
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.windows(2) {
        if pair[0].starts_with("{\"t\":\"entry\"") {
            let entry: Entry = serde_json::from_str(pair[0]).unwrap();
            let cp: serde_json::Value = serde_json::from_str(pair[1]).unwrap();
            let signer = signers.iter().find(|s| s["name"] == entry.actor.as_str()).unwrap();
            let key = caregiver::log::PublicKey::parse(signer["key"].as_str().unwrap()).unwrap();
            assert_eq!(cp["by"], key.fingerprint().as_str(), "{}", pair[0]);
        }
    }
    let (_, out, _) = ward.cli(&["log", "verify", &bundle, "--pubkey", &key]);
    assert!(out.contains("people: 3 keys certified by the signer"), "{out}");

    // Imported on another workstation, the log keeps its signer lines and checkpoints: its
    // re-export verifies on its own, each entry by its author's key.
    let other = ward.tmp.path().join("other.db");
    let (session, _) =
        caregiver::store::Store::create(&other, ADMIN, ADMIN_PASS, crate::support::clock())
            .unwrap();
    let imported = session.import_log(&text).unwrap();
    let verified = session.verify_imported_log(&imported.log).unwrap();
    assert_eq!((verified.entries, verified.people), (imported.new_entries, 3));

    let old = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/log/bundle-before-typed-events.jsonl");
    let old = old.to_str().unwrap();
    let header: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(old).unwrap().lines().next().unwrap())
            .unwrap();
    let old_key = header["public_key"].as_str().unwrap();
    assert_verifies(&ward, old, old_key);
}

/// A removed person's past entries still verify: their certificate is kept. Removing an
/// admin turns the admins' key over, and the device key is sealed again under the new one:
/// the admin left adds a person (certified with it) and the log still verifies.
#[test]
fn a_removed_persons_past_entries_still_verify() {
    let ward = ward();
    ward.add("Bob Admin", "admin", b"bob's own passphrase 9");
    let id = incident(&ward);
    ward.as_user(
        "Bob Admin",
        b"bob's own passphrase 9",
        &["incident", "note", &id, "Bob was here"],
    );
    for gone in [LEAD, "Bob Admin"] {
        ward.as_user(ADMIN, ADMIN_PASS, &["user", "remove", gone]);
    }
    ward.add("Dan Lead", "lead", b"dan's own passphrase 4");
    ward.as_user(
        "Dan Lead",
        b"dan's own passphrase 4",
        &["incident", "note", &id, "Dan took over"],
    );
    let (bundle, key) = export(&ward, "after-removal");
    assert_verifies(&ward, &bundle, &key);
    let text = std::fs::read_to_string(&bundle).unwrap();
    for name in [LEAD, "Bob Admin", "Dan Lead"] {
        let signer = text.lines().find(|l| {
            l.starts_with("{\"t\":\"signer\"") && l.contains(&format!("\"name\":\"{name}\""))
        });
        assert!(signer.is_some(), "no signer line for {name}");
    }
}

/// A store from before (schema 5: one master key, the device key a main-scope record any
/// user could open) moves its device key at the admin's unlock: the old record is gone,
/// the log keeps its id (the same key), and its old entries (checkpoints signed by the
/// device key) and the new ones (signed by the admin's own key) verify with both checkers.
#[test]
fn a_store_from_before_moves_its_device_key_at_the_admins_unlock() {
    let ward = Ward { tmp: tempfile::tempdir().unwrap(), store: PathBuf::new() };
    let store = ward.tmp.path().join("data").join("caregiver.db");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v5.db");
    std::fs::copy(fixture, &store).unwrap();
    let ward = Ward { store, ..ward };
    let old_log: String = {
        let checkpoint: String = ward
            .conn()
            .query_row("SELECT checkpoint FROM log_entries WHERE seq = 1", [], |r| r.get(0))
            .unwrap();
        serde_json::from_str::<serde_json::Value>(&checkpoint).unwrap()["log"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let admin = ("Fixture Admin", b"fixture passphrase 1".as_slice());
    let id = ward.as_user(admin.0, admin.1, &["incident", "start", "ransomware"]);
    ward.as_user(admin.0, admin.1, &["incident", "note", id.trim(), "After the move"]);
    let kinds: Vec<String> = ward
        .conn()
        .prepare("SELECT kind FROM records WHERE kind IN ('device_key', 'log_key')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kinds, ["log_key"], "the device key moved, and the old record went");
    let bundle = ward.path("v5.jsonl");
    let key = ward.path("v5.pem");
    ward.as_user(admin.0, admin.1, &["log", "export", "--out", &bundle]);
    ward.as_user(admin.0, admin.1, &["log", "key", "--out", &key]);
    assert_verifies(&ward, &bundle, &key);
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(text.starts_with(&format!(
        "{{\"t\":\"header\",\"format\":\"caregiver-log-bundle/1\",\"log\":\"{old_log}\""
    )));
    let checkpoints: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with("{\"t\":\"checkpoint\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(checkpoints[0].get("by").is_none(), "the old checkpoint is the device key's");
    assert!(checkpoints.last().unwrap().get("by").is_some(), "the new ones are the admin's");
}
