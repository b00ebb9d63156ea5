//! Signed playbook packs, through the CLI and the core: a pack imports only if its
//! signature, files, expiry and version all check out, and nothing is half-imported.

use std::path::{Path, PathBuf};

use caregiver::playbook::pack;
use serde_json::Value;

use crate::support::{caregiver, run};

const ADMIN: &str = "Ada Admin";

struct Org {
    tmp: tempfile::TempDir,
    store: PathBuf,
    pass: PathBuf,
    key: PathBuf,
    public: String,
    dir: PathBuf,
}

impl Org {
    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        run(caregiver(self.tmp.path()).arg("--store").arg(&self.store).args(args))
    }

    fn admin(&self, args: &[&str]) -> (i32, String, String) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--user", ADMIN, "--passphrase-file", self.pass.to_str().unwrap()]);
        self.cli(&all)
    }

    fn sign(&self, version: &str) -> PathBuf {
        let out = self.tmp.path().join(format!("pack-{version}.json"));
        let (code, _, err) = self.cli(&[
            "pack",
            "sign",
            self.dir.to_str().unwrap(),
            "--key",
            self.key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--pack-version",
            version,
        ]);
        assert_eq!(code, 0, "{err}");
        out
    }
}

fn write(path: &Path, text: &str) {
    std::io::Write::write_all(&mut std::fs::File::create(path).unwrap(), text.as_bytes()).unwrap();
}

/// A store with an admin, a signing key, and a folder of playbooks: the default pack with
/// the ransomware title changed and one new playbook.
fn org() -> Org {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("admin.pass");
    write(&pass, "correct horse battery staple");
    let store = tmp.path().join("store.db");
    let key = tmp.path().join("signing.key");
    let dir = tmp.path().join("pack");
    crate::support::edited_pack_folder(
        &dir,
        "Ransomware or suspected malware outbreak",
        "Ransomware (St Example's edition)",
    );

    let mut o = Org { tmp, store, pass, key, public: String::new(), dir };
    let (code, _, err) =
        o.cli(&["init", "--admin", ADMIN, "--passphrase-file", o.pass.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = o.cli(&["pack", "keygen", "--out", o.key.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    o.public = out.lines().last().unwrap().to_owned();
    o
}

#[test]
fn keygen_writes_a_private_key_once_and_prints_the_public_key() {
    let o = org();
    assert_eq!(pack::read_public_key(&o.public).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&o.key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let before = std::fs::read(&o.key).unwrap();
    let (code, _, err) = o.cli(&["pack", "keygen", "--out", o.key.to_str().unwrap()]);
    assert_eq!(code, 1, "keygen must not replace a key");
    assert!(err.contains("error[io]"), "{err}");
    assert_eq!(std::fs::read(&o.key).unwrap(), before);
}

#[test]
fn a_signed_pack_verifies_imports_and_takes_precedence() {
    let o = org();
    let pack_file = o.sign("2");
    let (code, out, err) =
        o.cli(&["pack", "verify", pack_file.to_str().unwrap(), "--pubkey", &o.public]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: pack version 2,") && out.contains("11 playbooks"), "{out}");

    // Not before the key is pinned.
    let (code, _, err) = o.admin(&["pack", "import", pack_file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[pack_rejected]") && err.contains("no pack signing key is pinned"),
        "{err}"
    );

    let (code, _, err) = o.admin(&["pack", "trust", &o.public]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = o.admin(&["pack", "import", pack_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("version 2"), "{out}");
    let (_, out, _) = o.admin(&["pack", "status"]);
    assert!(out.starts_with("pack version 2 in force"), "{out}");

    let (code, out, err) = o.admin(&["playbook", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    let titles: Vec<&str> =
        list.as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 11);
    assert!(titles.contains(&"Ransomware (St Example's edition)"));
    assert!(!titles.contains(&"Ransomware or suspected malware outbreak"));
    assert!(titles.contains(&"Pager system outage"));
    // Without a user, only the built-in pack can be read.
    let (_, out, _) = o.cli(&["playbook", "list"]);
    assert!(out.contains("Ransomware or suspected malware outbreak"));

    // An older (or the same) version is never imported again.
    let older = o.sign("1");
    for file in [&older, &pack_file] {
        let (code, _, err) = o.admin(&["pack", "import", file.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(err.contains("is not newer than the version in force (2)"), "{err}");
    }
    let (_, out, _) = o.admin(&["pack", "status"]);
    assert!(out.starts_with("pack version 2 in force"), "{out}");
}

/// Every way a pack can be wrong, each refused with its own message; the store keeps the
/// pack it had.
#[test]
fn tampered_foreign_and_broken_packs_are_refused_whole() {
    let o = org();
    let good = o.sign("5");
    assert_eq!(o.admin(&["pack", "trust", &o.public]).0, 0);
    let text = std::fs::read_to_string(&good).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();

    let mut changed_file = original.clone();
    let content = changed_file["files"]["ransomware.toml"]
        .as_str()
        .unwrap()
        .replace("Leave the computer switched ON", "Switch the computer OFF");
    changed_file["files"]["ransomware.toml"] = Value::String(content);
    let mut extra_file = original.clone();
    extra_file["files"]["extra.toml"] = original["files"]["phishing.toml"].clone();
    let mut missing_file = original.clone();
    missing_file["files"].as_object_mut().unwrap().remove("phishing.toml");
    let mut bad_signature = original.clone();
    let manifest =
        original["manifest"].as_str().unwrap().replace("\"version\": 5", "\"version\": 50");
    bad_signature["manifest"] = Value::String(manifest);

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "a changed file",
            changed_file.to_string(),
            "the file ransomware.toml was changed after the pack was signed",
        ),
        (
            "an extra file",
            extra_file.to_string(),
            "the file extra.toml is not in the signed manifest",
        ),
        (
            "a missing file",
            missing_file.to_string(),
            "the file phishing.toml is listed in the manifest but missing",
        ),
        ("a changed manifest", bad_signature.to_string(), "the signature does not match"),
        ("not a pack", "{\"hello\": 1}".into(), "not a Caregiver Playbook pack"),
    ];
    for (what, body, want) in &cases {
        let file = o.tmp.path().join("bad.json");
        write(&file, body);
        // The same reason, told as the step it stopped: verifying never says "import".
        let (code, _, err) =
            o.cli(&["pack", "verify", file.to_str().unwrap(), "--pubkey", &o.public]);
        assert_eq!(code, 1, "{what}");
        let verify = "caregiver: error[pack_rejected]: the playbook pack does not verify: ";
        assert!(err.starts_with(verify) && err.contains(want), "{what}: {err}");
        assert!(!err.contains("import"), "{what}: {err}");
        let (code, _, err) = o.admin(&["pack", "import", file.to_str().unwrap()]);
        assert_eq!(code, 1, "{what}");
        let import = "caregiver: error[pack_rejected]: the playbook pack was not imported: ";
        assert!(err.starts_with(import) && err.contains(want), "{what}: {err}");
        let (_, out, _) = o.admin(&["pack", "status"]);
        assert!(out.starts_with("no pack imported"), "{what} left {out}");
    }

    // A pack signed by another key.
    let other_key = o.tmp.path().join("other.key");
    let (_, out, _) = o.cli(&["pack", "keygen", "--out", other_key.to_str().unwrap()]);
    let other_public = out.lines().last().unwrap();
    let (code, _, err) =
        o.cli(&["pack", "verify", good.to_str().unwrap(), "--pubkey", other_public]);
    assert_eq!(code, 1);
    assert!(err.contains("the signature does not match"), "{err}");

    // A bad public key, when verifying and when pinning it.
    let (code, _, err) = o.cli(&["pack", "verify", good.to_str().unwrap(), "--pubkey", "AAAA"]);
    assert_eq!(code, 1);
    assert!(err.contains("the playbook pack does not verify: the public key is not"), "{err}");
    let (code, _, err) = o.admin(&["pack", "trust", "AAAA"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[pack_rejected]: the pack signing key was not pinned: "), "{err}");

    // Expiry, on the core's clock.
    let key = pack::read_public_key(&o.public).unwrap();
    let later = chrono::Utc::now() + chrono::Duration::days(366);
    let err = pack::verify(&text, &key, later).unwrap_err();
    assert_eq!(err.code(), "pack_rejected");
    assert!(err.to_string().contains("the pack expired on"), "{err}");
    assert!(pack::verify(&text, &key, chrono::Utc::now()).is_ok());

    // A folder with a broken playbook is never signed.
    write(&o.dir.join("broken.toml"), "id = \"broken\"\ntitle = \"Broken\n");
    let out = o.tmp.path().join("never.json");
    let (code, _, err) = o.cli(&[
        "pack",
        "sign",
        o.dir.to_str().unwrap(),
        "--key",
        o.key.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("broken.toml:2:"), "{err}");
    let (code, _, err) = o.cli(&[
        "pack",
        "sign",
        o.dir.to_str().unwrap(),
        "--key",
        o.tmp.path().join("admin.pass").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("error[pack_rejected]: the playbook pack was not signed: "), "{err}");
    assert!(!out.exists());
}
