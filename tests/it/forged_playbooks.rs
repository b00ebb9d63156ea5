//! Forged ward records: a holder of the ward's emergency code, with write access to the
//! store file, writes records sealed under the ward key (see `attacker`). Playbooks are
//! trusted by the pack's signature, never by that key; the ward's call list and incident
//! views are copies of main-scope truth, repaired (and logged) at the next full unlock.

use std::path::{Path, PathBuf};
use std::time::Instant;

use caregiver::app::{App, SystemClock, library};
use caregiver::events::Event;
use caregiver::store::Store;
use serde_json::{Value, json};

use crate::attacker::Attacker;
use crate::support::{caregiver, clock, contact, run};

const ADMIN: &str = "Ada Admin";
const PASS: &str = "correct horse battery staple";
const GENUINE_TITLE: &str = "Ransomware (St Example's edition)";
const BUILT_IN_TITLE: &str = "Ransomware or suspected malware outbreak";
const FORGED_STEP: &str = "Switch the computer OFF";

struct Ward {
    tmp: tempfile::TempDir,
    store: PathBuf,
    pass: PathBuf,
    code: String,
    /// The genuine pack as signed (version 2), and the key that signed it.
    pack: String,
    key_text: String,
    public: String,
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// The default pack with the ransomware title changed and one new playbook: what the
/// organisation signs.
fn pack_folder(root: &Path) -> PathBuf {
    let dir = root.join("pack");
    crate::support::edited_pack_folder(&dir, BUILT_IN_TITLE, GENUINE_TITLE);
    dir
}

/// The ransomware playbook as the forger wants it: its first step says to switch off.
fn forged_ransomware() -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/ransomware.toml"),
    )
    .unwrap();
    let forged = text
        .replace(
            "title = \"Unplug the affected computer from the network\"",
            &format!("title = \"{FORGED_STEP} at the wall\""),
        )
        .replace(&format!("title = \"{BUILT_IN_TITLE}\""), &format!("title = \"{GENUINE_TITLE}\""));
    assert!(forged.contains(FORGED_STEP));
    forged
}

fn now() -> chrono::DateTime<chrono::Utc> {
    caregiver::clock::Clock::now(&*clock())
}

/// A store with an admin and an emergency code; with `import`, the organisation's key is
/// pinned and its pack (version 2) imported.
fn ward(import: bool) -> Ward {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store.db");
    let pass = tmp.path().join("admin.pass");
    write(&pass, PASS);
    let mut app = App::new(store.clone(), SystemClock::shared(), Instant::now());
    app.setup(ADMIN, PASS.as_bytes(), Instant::now()).unwrap();
    let code = app.new_emergency_code().unwrap().to_string();
    let (key_text, public) = library::new_pack_key().unwrap();
    let (_, pack) =
        library::sign_pack(&pack_folder(tmp.path()), &key_text, Some(2), 365, now()).unwrap();
    if import {
        app.trust_pack_key(&public).unwrap();
        app.import_pack(&pack).unwrap();
    }
    Ward { tmp, store, pass, code, pack, key_text: key_text.to_string(), public }
}

impl Ward {
    fn app(&self) -> App {
        App::new(self.store.clone(), SystemClock::shared(), Instant::now())
    }

    /// The app under emergency access.
    fn emergency(&self) -> App {
        let mut app = self.app();
        app.unlock_emergency(self.code.as_bytes(), Instant::now()).unwrap();
        app
    }

    /// The app signed in as the admin: a full unlock.
    fn full(&self) -> App {
        let mut app = self.app();
        app.unlock(ADMIN, PASS.as_bytes(), Instant::now()).unwrap();
        app
    }

    /// `caregiver ARGS --user ADMIN`.
    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--user", ADMIN, "--passphrase-file", self.pass.to_str().unwrap()]);
        run(caregiver(self.tmp.path()).arg("--store").arg(&self.store).args(all))
    }

    /// What the log says was repaired, read with the core (an unlock of the store alone
    /// repairs nothing).
    fn repairs(&self) -> Vec<String> {
        let session =
            Store::open(&self.store, clock()).unwrap().unlock(ADMIN, PASS.as_bytes()).unwrap();
        session
            .events::<Event>(None)
            .unwrap()
            .into_iter()
            .filter_map(|e| match e.event {
                Event::WardCopyRepaired { what } => Some(what),
                _ => None,
            })
            .collect()
    }

    fn attacker(&self) -> Attacker {
        Attacker::with_code(&self.store, &self.code)
    }
}

/// The ransomware playbook an app shows, as text.
fn shown(app: &App) -> String {
    let p = app.playbook("ransomware").unwrap();
    format!("{} {:?}", p.title, p.steps)
}

/// A pack signed by a key the attacker made, holding the forged ransomware playbook.
fn pack_of_their_own(root: &Path) -> (String, String) {
    let dir = root.join("their-pack");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir.join("ransomware.toml"), &forged_ransomware());
    let (key_text, public) = library::new_pack_key().unwrap();
    let (_, pack) = library::sign_pack(&dir, &key_text, Some(99), 365, now()).unwrap();
    (pack, public)
}

fn ward_pack(text: &str, version: u64) -> Value {
    json!({ "text": text, "version": version, "imported": now() })
}

#[test]
fn forged_playbooks_sealed_under_the_ward_key_are_never_shown() {
    let w = ward(true);
    // The genuine pack with the ransomware file changed (its hash no longer matches).
    let mut changed: Value = serde_json::from_str(&w.pack).unwrap();
    changed["files"]["ransomware.toml"] = Value::String(forged_ransomware());
    let (theirs, _) = pack_of_their_own(w.tmp.path());
    let cases: Vec<(&str, &str, &str, Value, Option<&str>)> = vec![
        (
            "a per-file playbook record, as versions before signed packs kept them",
            "playbook",
            "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
            json!({ "file": "ransomware.toml", "text": forged_ransomware() }),
            None,
        ),
        (
            "the ward's copy of the signed pack, with a file changed",
            "ward_pack",
            "ward-pack",
            ward_pack(&changed.to_string(), 2),
            Some("the file ransomware.toml was changed after the pack was signed"),
        ),
        (
            "the ward's copy of the pack swapped for one signed by another key",
            "ward_pack",
            "ward-pack",
            ward_pack(&theirs, 99),
            Some("the signature does not match this organisation's key"),
        ),
    ];
    for (what, kind, id, value, refused) in cases {
        w.attacker().write(kind, id, &value);

        // Emergency access: never the forged step. A pack that fails verification is not in
        // force: the built-in pack is, and the warning says what failed.
        let em = w.emergency();
        let text = shown(&em);
        assert!(!text.contains(FORGED_STEP), "{what}: {text}");
        match refused {
            None => {
                assert!(text.starts_with(GENUINE_TITLE), "{what}: {text}");
                assert_eq!(em.pack_info().unwrap().unwrap().version, 2, "{what}");
                assert!(em.pack_warning().unwrap().is_none(), "{what}");
            }
            Some(reason) => {
                assert!(text.starts_with(BUILT_IN_TITLE), "{what}: {text}");
                let err = em.pack_info().unwrap_err();
                assert_eq!(err.code(), "pack_rejected", "{what}");
                let message = err.to_string();
                assert!(
                    message.starts_with("the imported playbook pack is not in force, the built-in pack is shown instead: ")
                        && message.contains(reason),
                    "{what}: {message}"
                );
                assert_eq!(em.pack_warning().unwrap().unwrap().to_string(), message);
                assert!(
                    em.search_playbooks("switch the computer off")
                        .unwrap()
                        .iter()
                        .all(|h| !format!("{h:?}").contains(FORGED_STEP))
                );
            }
        }
        drop(em);

        // A full session (the CLI's) reads the pack from the main scope: the genuine one,
        // with no warning; the unlock rewrites the ward's copies and logs it.
        let (code, out, err) = w.cli(&["playbook", "show", "ransomware"]);
        assert_eq!(code, 0, "{what}: {err}");
        assert!(!out.contains(FORGED_STEP), "{what}: {out}");
        assert!(
            out.contains(GENUINE_TITLE) && out.contains("Unplug the affected computer"),
            "{what}: {out}"
        );
        assert!(!err.contains("warning"), "{what}: {err}");
        let (code, out, _) = w.cli(&["pack", "status"]);
        assert_eq!(code, 0, "{what}");
        assert!(out.starts_with("pack version 2 in force"), "{what}: {out}");

        // The next emergency access finds the genuine pack again.
        let em = w.emergency();
        assert!(shown(&em).starts_with(GENUINE_TITLE), "{what}");
        assert_eq!(em.pack_info().unwrap().unwrap().version, 2, "{what}");
    }
    let repairs = w.repairs();
    assert_eq!(
        repairs,
        [
            "unsigned playbook records were there beside the signed pack",
            "the ward's copy of the playbook pack differed",
            "the ward's copy of the playbook pack differed",
        ],
    );
    // The App API in a full session agrees with the CLI.
    let full = w.full();
    assert!(shown(&full).starts_with(GENUINE_TITLE));
    assert!(full.pack_warning().unwrap().is_none());
}

/// The limit ARCHITECTURE.md states: emergency access has no anchor in the store but the
/// ward's copy of the key, so a code holder who replaces it and signs their own pack
/// misleads emergency access, until the next full unlock, which finds it and repairs it.
#[test]
fn a_swapped_ward_key_misleads_emergency_access_only_until_the_next_full_unlock() {
    let w = ward(true);
    let (theirs, their_key) = pack_of_their_own(w.tmp.path());
    let a = w.attacker();
    a.write("ward_pack", "ward-pack", &ward_pack(&theirs, 99));
    a.write("ward_pack_key", "ward-pack-key", &their_key);
    let em = w.emergency();
    assert!(shown(&em).contains(FORGED_STEP), "the stated limit no longer holds: update the docs");
    drop(em);

    // A full session never shows it, and its unlock repairs both copies.
    let full = w.full();
    assert!(shown(&full).starts_with(GENUINE_TITLE));
    drop(full);
    assert_eq!(
        w.repairs(),
        [
            "the ward's copy of the playbook pack differed",
            "the ward's copy of the pinned pack key differed",
        ]
    );
    assert_eq!(a.read("ward_pack_key", "ward-pack-key"), Some(json!(w.public)));
    let em = w.emergency();
    assert!(shown(&em).starts_with(GENUINE_TITLE));
    assert_eq!(em.pack_info().unwrap().unwrap().version, 2);
}

/// On a managed workstation the keys IT pushed anchor emergency access: the same swap of
/// the ward's key copy and a pack of their own shows nothing of theirs, even before a full
/// unlock: the ward's copy must check out against a managed key. With the managed pack
/// there, that pack is shown; with only the managed keys, the built-in pack and why.
#[test]
fn on_a_managed_workstation_the_managed_keys_anchor_emergency_access() {
    let w = ward(true);
    let (theirs, their_key) = pack_of_their_own(w.tmp.path());
    let a = w.attacker();
    a.write("ward_pack", "ward-pack", &ward_pack(&theirs, 99));
    a.write("ward_pack_key", "ward-pack-key", &their_key);
    let managed = w.tmp.path().join("managed");
    std::fs::create_dir_all(&managed).unwrap();
    let toml = |pack: bool| {
        let pack_line = if pack { "file = \"pack.json\"\n" } else { "" };
        format!("managed_by = \"St Example's IT\"\n[pack]\n{pack_line}keys = [\"{}\"]\n", w.public)
    };
    write(&managed.join("pack.json"), &w.pack);
    for with_pack in [true, false] {
        write(&managed.join("managed.toml"), &toml(with_pack));
        let mut em = w.app().with_managed_dir(managed.clone());
        em.unlock_emergency(w.code.as_bytes(), Instant::now()).unwrap();
        let seen = shown(&em);
        assert!(!seen.contains(FORGED_STEP), "with the managed pack: {with_pack}");
        if with_pack {
            assert!(seen.starts_with(GENUINE_TITLE), "{seen}");
        } else {
            assert!(seen.starts_with(BUILT_IN_TITLE), "{seen}");
            let why = em.pack_info().unwrap_err().to_string();
            assert!(why.contains("not signed by a key the managed configuration lists"), "{why}");
        }
    }
}

/// The pinned key changed (an admin pinned a new one): the pack in force no longer
/// verifies, in a full session and under emergency access. The built-in pack is shown,
/// with a warning on every listing; `pack status` fails with what failed.
#[test]
fn a_pack_that_no_longer_verifies_gives_way_to_the_built_in_pack_with_a_warning() {
    let w = ward(true);
    let (_, other_public) = library::new_pack_key().unwrap();
    let (code, _, err) = w.cli(&["pack", "trust", &other_public]);
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = w.cli(&["playbook", "show", "ransomware"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(BUILT_IN_TITLE) && !out.contains(GENUINE_TITLE), "{out}");
    assert!(
        err.starts_with("caregiver: warning[pack_rejected]: the imported playbook pack is not in force, the built-in pack is shown instead: the signature does not match"),
        "{err}"
    );
    let (code, out, err) = w.cli(&["pack", "status"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("error[pack_rejected]") && err.contains("the signature does not match"),
        "{err}"
    );

    let em = w.emergency();
    assert!(shown(&em).starts_with(BUILT_IN_TITLE));
    assert_eq!(em.pack_info().unwrap_err().code(), "pack_rejected");
    // Pinning a key is an admin's act, not a repair.
    assert!(w.repairs().is_empty());
}

#[test]
fn forged_ward_call_list_and_incident_views_are_repaired_at_the_next_full_unlock() {
    let w = ward(true);
    let session = Store::open(&w.store, clock()).unwrap().unlock(ADMIN, PASS.as_bytes()).unwrap();
    session
        .replace_contacts(&[
            contact("desk", "IT Service Desk", Some("it-service-desk")),
            contact("sup", "House Supervisor", Some("house-supervisor")),
        ])
        .unwrap();
    drop(session);
    let genuine = w.emergency().ward_call_list().unwrap();
    assert_eq!(genuine.0.len(), 2);
    assert!(genuine.0.iter().all(|c| c.phone.as_deref() == Some("555-0100")));

    let a = w.attacker();
    let forged =
        json!([{ "name": "IT Service Desk", "role": "it-service-desk", "phone": "555-6666" }]);
    a.write("ward_call_list", "ward-call-list", &forged);
    a.write(
        "ward_incident",
        "1234567890abcdef1234567890abcdef",
        &json!({ "id": "20261128-0600-abcdef", "playbook": "ransomware",
                 "title": "Ransomware: switch every computer OFF", "started": now(),
                 "drill": false, "closed": false }),
    );
    // Emergency access cannot tell (it holds only the ward key): it shows the forgery.
    let em = w.emergency();
    assert_eq!(em.ward_call_list().unwrap().0[0].phone.as_deref(), Some("555-6666"));
    assert_eq!(em.ward_incidents().unwrap().len(), 1);
    drop(em);

    // A full session never shows the ward's copy: the list derives from the tree.
    let full = w.full();
    assert_eq!(full.ward_call_list().unwrap(), genuine);
    drop(full);
    // The unlock found both forgeries, rewrote them from the truth and logged it.
    assert_eq!(
        w.repairs(),
        [
            "the ward's call list differed",
            "the ward's view of open incidents held incidents that are not open",
        ]
    );
    let em = w.emergency();
    assert_eq!(em.ward_call_list().unwrap(), genuine);
    assert!(em.ward_incidents().unwrap().is_empty());
    drop(em);
    // Repaired once: the next unlock finds nothing to repair.
    drop(w.full());
    assert_eq!(w.repairs().len(), 2);
}

#[test]
fn ordinary_use_shows_the_signed_pack_everywhere_and_repairs_nothing() {
    let w = ward(true);
    let full = w.full();
    let incident = full.start_incident("pager-outage", true, None, None).unwrap();
    let id = incident.progress.incident.id.clone();
    drop(full);

    let em = w.emergency();
    let ids: Vec<String> = em.playbooks().unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(ids.len(), 11);
    assert!(ids.contains(&"pager-outage".to_owned()));
    assert!(shown(&em).starts_with(GENUINE_TITLE));
    let info = em.pack_info().unwrap().unwrap();
    assert!(em.pack_warning().unwrap().is_none());
    let open = em.ward_incidents().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].incident.id, id);
    assert!(!open[0].steps.is_empty());
    drop(em);

    // Pack status agrees with what is shown, in both kinds of session.
    let (code, out, _) = w.cli(&["pack", "status"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(&format!("pack version {} in force", info.version)), "{out}");
    let full = w.full();
    assert_eq!(full.pack_info().unwrap(), Some(info));
    full.close_incident(&id).unwrap();
    drop(full);
    assert!(w.emergency().ward_incidents().unwrap().is_empty());
    drop(w.full());
    assert!(w.repairs().is_empty(), "ordinary use repaired {:?}", w.repairs());
}

/// A store from before packs were kept signed: per-file playbook records and no signed
/// text. Nothing proves those records are the organisation's, so the built-in pack is
/// shown, with a warning asking an admin to import the pack again, which then works (the
/// same version as before).
#[test]
fn a_store_from_before_signed_packs_shows_the_built_in_pack_until_the_pack_is_imported_again() {
    use caregiver::playbook::pack::{PackInfo, PackedPlaybook};
    let w = ward(false);
    let session = Store::open(&w.store, clock()).unwrap().unlock(ADMIN, PASS.as_bytes()).unwrap();
    let old = PackedPlaybook { file: "ransomware.toml".into(), text: forged_ransomware() };
    session.put("0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a", &old).unwrap();
    let info = PackInfo {
        version: 2,
        created: now(),
        expires: now(),
        imported: Some(now()),
        playbooks: vec!["ransomware".into()],
    };
    session.put("pack", &info).unwrap();
    drop(session);

    for app in [w.full(), w.emergency()] {
        assert!(shown(&app).starts_with(BUILT_IN_TITLE));
        let warning = app.pack_warning().unwrap().unwrap().to_string();
        assert!(warning.contains("an admin imports the pack again"), "{warning}");
    }
    let (code, out, err) = w.cli(&["playbook", "show", "ransomware"]);
    assert_eq!(code, 0);
    assert!(out.contains(BUILT_IN_TITLE) && !out.contains(FORGED_STEP), "{out}");
    assert!(err.contains("warning[pack_rejected]"), "{err}");

    let full = w.full();
    full.trust_pack_key(&w.public).unwrap();
    // A pack older than the one the store had is refused; the same version imports.
    let (_, older) =
        library::sign_pack(&pack_folder(w.tmp.path()), &w.key_text, Some(1), 365, now()).unwrap();
    let err = full.import_pack(&older).unwrap_err();
    assert!(err.to_string().contains("is older than the version imported before (2)"), "{err}");
    full.import_pack(&w.pack).unwrap();
    assert!(shown(&full).starts_with(GENUINE_TITLE));
    assert!(full.pack_warning().unwrap().is_none());
    drop(full);
    assert!(shown(&w.emergency()).starts_with(GENUINE_TITLE));
    assert!(w.repairs().is_empty());
}
