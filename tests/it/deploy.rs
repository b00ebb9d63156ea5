//! The managed configuration IT pushes (issue 16): `caregiver deploy check` reads a folder
//! as workstations will, with a real signing key and a real signed pack made by the CLI,
//! and names every problem with its file (and, in managed.toml, its line and column); on a
//! workstation, a configuration with a problem puts nothing in force and says why.

use std::path::{Path, PathBuf};

use crate::support::{caregiver, run};

struct Deploy {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    public: String,
}

impl Deploy {
    /// A folder holding a pack signed with a new key, and `managed.toml` naming both.
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join("signing.key");
        let (code, out, err) =
            run(caregiver(tmp.path()).args(["pack", "keygen", "--out", key.to_str().unwrap()]));
        assert_eq!(code, 0, "{err}");
        let public = out.lines().last().unwrap().to_owned();
        let playbooks = tmp.path().join("playbooks");
        crate::support::edited_pack_folder(
            &playbooks,
            "Ransomware or suspected malware outbreak",
            "Ransomware (St Example's)",
        );
        let dir = tmp.path().join("managed");
        std::fs::create_dir_all(&dir).unwrap();
        let pack = dir.join("pack.json");
        let (code, _, err) = run(caregiver(tmp.path()).args([
            "pack",
            "sign",
            playbooks.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--out",
            pack.to_str().unwrap(),
        ]));
        assert_eq!(code, 0, "{err}");
        let d = Deploy { tmp, dir, public };
        d.write_managed(&d.public.clone(), "5");
        d
    }

    fn write_managed(&self, key: &str, idle: &str) {
        let text = format!(
            "managed_by = \"St Example's IT, service desk x4357\"\n\n[pack]\nfile = \"pack.json\"\nkeys = [\"{key}\"]\n\n[settings]\nidle_lock_minutes = {idle}\ntime_zone = \"America/New_York\"\nward_label = \"Ward 4 East\"\n\n[policy]\nforbid_local_changes = true\n"
        );
        std::fs::write(self.dir.join("managed.toml"), text).unwrap();
    }

    fn check(&self) -> (i32, String, String) {
        run(caregiver(self.tmp.path()).args([
            "deploy",
            "check",
            "--dir",
            self.dir.to_str().unwrap(),
        ]))
    }

    fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

#[test]
fn a_good_managed_configuration_checks_out() {
    let d = Deploy::new();
    let (code, out, err) = d.check();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("managed by St Example's IT, service desk x4357"), "{out}");
    assert!(out.contains("1 signing key(s) trusted"), "{out}");
    assert!(out.contains("local admins may not change"), "{out}");
}

/// Each problem is named with its file; in managed.toml with its line and column too.
#[test]
fn every_problem_is_named_with_its_file() {
    let other = {
        let d = Deploy::new();
        d.public.clone()
    };
    let managed = |d: &Deploy| d.file("managed.toml");
    type Spoil = Box<dyn Fn(&Deploy)>;
    type Said = Box<dyn Fn(&Deploy) -> String>;
    let cases: Vec<(&str, Spoil, Said)> = vec![
        (
            "signed by another key",
            Box::new(move |d: &Deploy| d.write_managed(&other, "5")),
            Box::new(|d: &Deploy| {
                format!("{}:1:1: does not check out against the keys listed", d.file("pack.json"))
            }),
        ),
        (
            "not a key",
            Box::new(|d: &Deploy| d.write_managed("not-a-key", "5")),
            Box::new(move |d: &Deploy| format!("{}:5:9: is not an Ed25519 public key", managed(d))),
        ),
        (
            "no key",
            Box::new(|d: &Deploy| {
                let text = std::fs::read_to_string(d.dir.join("managed.toml")).unwrap();
                let start = text.find("keys = [").unwrap();
                let end = start + text[start..].find(']').unwrap() + 1;
                std::fs::write(
                    d.dir.join("managed.toml"),
                    format!("{}keys = []{}", &text[..start], &text[end..]),
                )
                .unwrap();
            }),
            Box::new(|d: &Deploy| {
                format!("{}:1:1: no key listed in `[pack] keys` can check it", d.file("pack.json"))
            }),
        ),
        (
            "an idle lock too long",
            Box::new(|d: &Deploy| d.write_managed(&d.public, "600")),
            Box::new(move |d: &Deploy| {
                format!("{}:8:1: `idle_lock_minutes` must be 1 to 120", d.file("managed.toml"))
            }),
        ),
        (
            "not TOML",
            Box::new(|d: &Deploy| {
                std::fs::write(d.dir.join("managed.toml"), "managed_by = \"IT\"\n[pack\n").unwrap()
            }),
            Box::new(|d: &Deploy| format!("{}:2:", d.file("managed.toml"))),
        ),
        (
            "the pack cannot be read",
            Box::new(|d: &Deploy| {
                std::fs::remove_file(d.dir.join("pack.json")).unwrap();
                std::fs::create_dir(d.dir.join("pack.json")).unwrap();
            }),
            Box::new(|d: &Deploy| format!("{}:1:1: cannot be read", d.file("pack.json"))),
        ),
        (
            "no managed.toml",
            Box::new(|d: &Deploy| std::fs::remove_file(d.dir.join("managed.toml")).unwrap()),
            Box::new(|d: &Deploy| format!("{}:1:1: not found", d.file("managed.toml"))),
        ),
    ];
    for (what, spoil, want) in cases {
        let d = Deploy::new();
        spoil(&d);
        let (code, _, err) = d.check();
        assert_eq!(code, 1, "{what}");
        assert!(err.contains(&want(&d)), "{what}: want {}\n{err}", want(&d));
        assert!(err.contains("error[invalid_input]: managed configuration"), "{what}: {err}");
    }
}

/// A pack that has expired is named, with its file and the date it expired (signed with
/// the library, as the CLI does, on a clock set back).
#[test]
fn an_expired_pack_is_named() {
    let d = Deploy::new();
    let key = std::fs::read_to_string(d.tmp.path().join("signing.key")).unwrap();
    let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
    let (_, text) = caregiver::app::library::sign_pack(
        Path::new(&d.tmp.path().join("playbooks")),
        &key,
        Some(7),
        30,
        long_ago,
    )
    .unwrap();
    std::fs::write(d.dir.join("pack.json"), text).unwrap();
    let (code, _, err) = d.check();
    assert_eq!(code, 1);
    assert!(err.contains(&format!("{}:1:1: ", d.file("pack.json"))), "{err}");
    assert!(err.contains("the pack expired on"), "{err}");
}

/// Runs the CLI against a store in `tmp` with the managed configuration looked for in
/// `managed` (as workstations look in the platform's place): (exit code, stdout, stderr).
fn on_workstation(tmp: &Path, managed: &Path, args: &[&str]) -> (i32, String, String) {
    let pass = tmp.join("admin.pass");
    std::fs::write(&pass, "correct horse battery staple").unwrap();
    let mut all: Vec<&str> = args.to_vec();
    if args[0] != "init" {
        all.extend(["--user", "Ada Admin"]);
    }
    all.extend(["--passphrase-file", pass.to_str().unwrap()]);
    run(caregiver(tmp)
        .env("CAREGIVER_MANAGED_DIR", managed)
        .arg("--store")
        .arg(tmp.join("store.db"))
        .args(&all))
}

fn sign(d: &Deploy, version: &str, out: &Path) {
    sign_folder(d, &d.tmp.path().join("playbooks"), version, out);
}

/// Signs `folder` with the managed key as pack `version`, written to `out`.
fn sign_folder(d: &Deploy, folder: &Path, version: &str, out: &Path) {
    let (code, _, err) = run(caregiver(d.tmp.path()).args([
        "pack",
        "sign",
        folder.to_str().unwrap(),
        "--key",
        d.tmp.path().join("signing.key").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--pack-version",
        version,
    ]));
    assert_eq!(code, 0, "{err}");
}

/// A pack of version 7, signed with the managed key, whose ransomware playbook is titled
/// "Ransomware (local edition)": its file.
fn local_edition(d: &Deploy) -> PathBuf {
    let folder = d.tmp.path().join("local");
    crate::support::edited_pack_folder(
        &folder,
        "Ransomware or suspected malware outbreak",
        "Ransomware (local edition)",
    );
    let local = d.tmp.path().join("local.json");
    sign_folder(d, &folder, "7", &local);
    local
}

/// A managed workstation: the managed pack is in force from the first run, its zone and
/// idle lock hold, and a local admin can change none of them while the policy forbids it.
#[test]
fn the_managed_pack_and_settings_are_in_force_and_locked() {
    let d = Deploy::new();
    let ws = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| on_workstation(ws.path(), &d.dir, args);
    let (code, _, err) = cli(&["init", "--admin", "Ada Admin"]);
    assert_eq!(code, 0, "{err}");
    let (_, list, _) = cli(&["playbook", "list"]);
    assert!(list.contains("Ransomware (St Example's)"), "{list}");
    let (_, show, _) = cli(&["settings", "show"]);
    assert!(
        show.contains("managed-by  St Example's IT, service desk x4357; local changes forbidden"),
        "{show}"
    );
    assert!(show.contains("time-zone  America/New_York"), "{show}");
    for change in [
        vec!["settings", "idle-lock", "30"],
        vec!["settings", "time-zone", "Europe/London"],
        vec!["pack", "trust", &d.public],
    ] {
        let (code, _, err) = cli(&change);
        assert_eq!(code, 1, "{change:?}");
        assert!(
            err.contains("error[managed]") && err.contains("is managed by St Example's IT"),
            "{change:?}: {err}"
        );
    }
}

/// Without the policy, a newer pack the store holds stays in force over an older managed
/// one (no rollback), and a newer managed one takes over again, and is taken into the
/// store at the next admin's sign-in; a managed configuration with a problem then leaves
/// that last good managed pack in force, and says why.
#[test]
fn the_managed_pack_never_rolls_back_and_a_bad_configuration_changes_nothing() {
    let d = Deploy::new();
    let text = std::fs::read_to_string(d.dir.join("managed.toml")).unwrap();
    std::fs::write(
        d.dir.join("managed.toml"),
        text.replace("forbid_local_changes = true", "forbid_local_changes = false"),
    )
    .unwrap();
    sign(&d, "5", &d.dir.join("pack.json"));
    let ws = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| on_workstation(ws.path(), &d.dir, args);
    assert_eq!(cli(&["init", "--admin", "Ada Admin"]).0, 0);
    // A local pack, version 7, with its own title.
    let local = local_edition(&d);
    assert_eq!(cli(&["pack", "trust", &d.public]).0, 0);
    let (code, _, err) = cli(&["pack", "import", local.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, list, _) = cli(&["playbook", "list"]);
    assert!(
        list.contains("Ransomware (local edition)"),
        "the older managed pack rolled back: {list}"
    );
    sign(&d, "9", &d.dir.join("pack.json"));
    let (_, list, _) = cli(&["playbook", "list"]);
    assert!(list.contains("Ransomware (St Example's)"), "the newer managed pack: {list}");

    // Signed by a key it does not list: not in force, named; the store's pack is, the last
    // good managed one (version 9, taken in when the admin signed in above).
    let other = Deploy::new();
    std::fs::copy(other.dir.join("pack.json"), d.dir.join("pack.json")).unwrap();
    let (_, list, _) = cli(&["playbook", "list"]);
    assert!(list.contains("Ransomware (St Example's)"), "{list}");
    let (_, show, _) = cli(&["settings", "show"]);
    assert!(
        show.contains("managed-by  none: the managed configuration has problems")
            && show.contains("pack.json"),
        "{show}"
    );
}

/// Each problem a managed configuration can have on a workstation (a pack whose text no
/// longer matches its signature, an expired pack, no key, unreadable files, a missing
/// pack) puts nothing of it in force: the workstation goes on with the pack its store
/// holds, the last good managed pack an admin's sign-in took in, and `settings show` names
/// the file. Put right, the managed pack is in force again, and taken in. A rollback is not
/// a problem: an older managed pack gives way to the store's newer one (above).
#[test]
fn a_managed_configuration_with_a_problem_leaves_the_store_pack_in_force_and_names_the_file() {
    let d = Deploy::new();
    let toml = std::fs::read_to_string(d.dir.join("managed.toml"))
        .unwrap()
        .replace("forbid_local_changes = true", "forbid_local_changes = false");
    std::fs::write(d.dir.join("managed.toml"), &toml).unwrap();
    sign(&d, "9", &d.dir.join("pack.json"));
    let good_pack = std::fs::read_to_string(d.dir.join("pack.json")).unwrap();
    let ws = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| on_workstation(ws.path(), &d.dir, args);
    // The workstation is set up with an earlier managed pack, version 7, with its own title.
    let local = local_edition(&d);
    std::fs::copy(&local, d.dir.join("pack.json")).unwrap();
    assert_eq!(cli(&["init", "--admin", "Ada Admin"]).0, 0);
    // Version 9 is pushed, but something spoils it before anyone signs in.
    std::fs::write(d.dir.join("pack.json"), &good_pack).unwrap();
    let in_force = |want: &str, what: &str| {
        let (code, list, err) = cli(&["playbook", "list"]);
        assert_eq!(code, 0, "{what}: {err}");
        assert!(list.contains(want), "{what}: want {want}\n{list}");
    };

    let pack = d.dir.join("pack.json");
    let managed = d.dir.join("managed.toml");
    let expired = {
        let key = std::fs::read_to_string(d.tmp.path().join("signing.key")).unwrap();
        let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
        let playbooks = d.tmp.path().join("playbooks");
        caregiver::app::library::sign_pack(&playbooks, &key, Some(9), 30, long_ago).unwrap().1
    };
    let no_keys = {
        let start = toml.find("keys = [").unwrap();
        let end = start + toml[start..].find(']').unwrap() + 1;
        format!("{}keys = []{}", &toml[..start], &toml[end..])
    };
    let unreadable = |path: &Path| {
        std::fs::remove_file(path).unwrap();
        std::fs::create_dir(path).unwrap();
    };
    type Spoil<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Spoil, &Path, &str)> = vec![
        (
            "a pack edited after signing",
            Box::new(|| {
                let edited = good_pack.replace("Ransomware (St Example's)", "Ransomware (edited)");
                std::fs::write(&pack, edited).unwrap();
            }),
            &pack,
            "does not check out against the keys listed",
        ),
        (
            "an expired pack",
            Box::new(|| std::fs::write(&pack, &expired).unwrap()),
            &pack,
            "the pack expired on",
        ),
        (
            "no key",
            Box::new(|| std::fs::write(&managed, &no_keys).unwrap()),
            &pack,
            "no key listed in `[pack] keys` can check it",
        ),
        ("an unreadable pack", Box::new(|| unreadable(&pack)), &pack, "cannot be read"),
        (
            "an unreadable managed.toml",
            Box::new(|| unreadable(&managed)),
            &managed,
            "cannot be read",
        ),
        (
            "no pack",
            Box::new(|| std::fs::remove_file(&pack).unwrap()),
            &pack,
            "not found: `[pack] file` names it",
        ),
    ];
    let mut last_good = "Ransomware (local edition)";
    for (what, spoil, file, says) in cases {
        spoil();
        in_force(last_good, what);
        let (code, show, err) = cli(&["settings", "show"]);
        assert_eq!(code, 0, "{what}: {err}");
        assert!(
            show.contains("managed-by  none: the managed configuration has problems")
                && show.contains(&format!("{}:", file.display()))
                && show.contains(says),
            "{what}: want {} and {says}\n{show}",
            file.display()
        );
        for path in [&pack, &managed] {
            if path.is_dir() {
                std::fs::remove_dir(path).unwrap();
            }
        }
        std::fs::write(&pack, &good_pack).unwrap();
        std::fs::write(&managed, &toml).unwrap();
        in_force("Ransomware (St Example's)", &format!("{what}, put right"));
        last_good = "Ransomware (St Example's)";
    }
}
