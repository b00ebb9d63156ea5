//! The written policy from the CLI: a nurse reads and acknowledges it under her own
//! passphrase (a wrong one acknowledges nothing); the admin signs version 2 into a pack
//! with the CLI (a material change) and the nurse is asked again while version 1 stays
//! readable; a policy file with a mistake is named at its line and nothing is signed; the
//! report by policy and department; the log, with its new entries, verifies.

use std::path::Path;

use crate::insider::{ADMIN, ADMIN_PASS, Ward};

const NURSE: &str = "Nina Nurse";
const NURSE_PASS: &[u8] = b"nina passphrase 12";

#[test]
fn staff_acknowledge_each_material_version_under_their_own_passphrase() {
    let ward = Ward::with_admin();
    ward.add(NURSE, "clinician", NURSE_PASS);
    let nurse = |args: &[&str]| ward.as_user_run(NURSE, NURSE_PASS, args);

    let (_, list, _) = nurse(&["policy", "list"]);
    assert!(list.contains("information-security") && list.contains("to acknowledge by"), "{list}");
    let (_, text, _) = nurse(&["policy", "show", "information-security"]);
    assert!(
        text.contains("## 5. Sending patient information")
            && text.contains("Source: 45 CFR 164.308"),
        "{text}"
    );
    // A wrong passphrase acknowledges nothing.
    let (code, _, err) =
        ward.as_user_run(NURSE, b"not her passphrase", &["policy", "ack", "information-security"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[wrong_passphrase]"), "{err}");
    let (_, list, _) = nurse(&["policy", "list"]);
    assert!(list.contains("to acknowledge by"), "{list}");
    let (code, out, err) = nurse(&["policy", "ack", "information-security"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Nina Nurse acknowledged information-security version 1."), "{out}");

    // Version 2, a material change, signed into a pack with the CLI.
    let folder = Path::new(&ward.path("pack")).to_owned();
    std::fs::create_dir_all(folder.join("policies")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("playbooks/phishing.toml"), folder.join("phishing.toml")).unwrap();
    let v1 =
        std::fs::read_to_string(root.join("playbooks/policies/information-security.md")).unwrap();
    let broken =
        v1.replacen("version = 1", "version = 2", 1).replacen("\"staff\"", "\"porter\"", 1);
    let policy_file = folder.join("policies/information-security.md");
    std::fs::write(&policy_file, &broken).unwrap();
    let line = broken[..broken.find("\"porter\"").unwrap()].matches('\n').count() + 1;
    let (code, _, err) =
        ward.cli(&["policy", "validate", folder.join("policies").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("information-security.md:{line}:"))
            && err.contains("unknown role `porter`"),
        "{err}"
    );
    let key = ward.path("signing.key");
    let public = ward.ok(&["pack", "keygen", "--out", &key]).lines().last().unwrap().to_owned();
    let signed = ward.path("pack.json");
    let (code, _, err) =
        ward.cli(&["pack", "sign", folder.to_str().unwrap(), "--key", &key, "--out", &signed]);
    assert_eq!(code, 1, "a pack with a bad policy is not signed");
    assert!(err.contains("unknown role `porter`") && !Path::new(&signed).exists(), "{err}");
    std::fs::write(
        &policy_file,
        v1.replacen("version = 1", "version = 2", 1)
            .replace("## 12. Sanctions", "## 12. Sanctions and support"),
    )
    .unwrap();
    ward.ok(&["pack", "sign", folder.to_str().unwrap(), "--key", &key, "--out", &signed]);
    ward.as_user(ADMIN, ADMIN_PASS, &["pack", "trust", &public]);
    ward.as_user(ADMIN, ADMIN_PASS, &["pack", "import", &signed]);
    // The admin's next command keeps the new version beside the first.
    ward.as_user(ADMIN, ADMIN_PASS, &["policy", "list"]);

    let (_, list, _) = nurse(&["policy", "list"]);
    assert!(list.contains("v2") && list.contains("to acknowledge by"), "asked again: {list}");
    let (code, old, err) = nurse(&["policy", "show", "information-security", "--version", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        old.contains("(version 1, no longer in force)") && !old.contains("Sanctions and support"),
        "{old}"
    );
    assert!(old.contains("version 1: effective 2026-12-01, until 2026-12-01"), "{old}");
    nurse(&["policy", "ack", "information-security"]);

    // The report, by policy and department; the log verifies with the new entries.
    let report = ward.path("policy.csv");
    ward.as_user(ADMIN, ADMIN_PASS, &["policy", "report", "--format", "csv", "--out", &report]);
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.contains("Nina Nurse,,information-security,2,acknowledged,,"), "{csv}");
    let (code, _, err) = nurse(&["policy", "report", "--format", "csv", "--out", &report]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    let bundle = ward.path("log.jsonl");
    let pem = ward.path("log.pem");
    ward.as_user(ADMIN, ADMIN_PASS, &["log", "export", "--out", &bundle]);
    ward.as_user(ADMIN, ADMIN_PASS, &["log", "key", "--out", &pem]);
    let (code, out, err) = ward.cli(&["log", "verify", &bundle, "--pubkey", &pem]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&bundle).unwrap().matches("policy_acknowledged").count(), 2);
}
