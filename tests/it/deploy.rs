//! The managed configuration IT pushes (issue 16): `caregiver deploy check` reads a folder
//! as workstations will, with a real signing key and a real signed pack made by the CLI,
//! and names every problem with its file (and, in managed.toml, its line and column).

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

/// A pack that has expired is named with the date it expired (signed with the library, as
/// the CLI does, on a clock set back).
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
    assert!(err.contains("the pack expired on"), "{err}");
}
