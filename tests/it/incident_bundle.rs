//! An incident's evidence bundle from the CLI: the whole chain with the entries of other
//! incidents elided (a note of another incident never leaves), the evidence item and the
//! indicator its entries vouch for attached; both checkers accept it, with the trusted key;
//! a record changed in it, or an elided entry's hash, is caught by both; and it cannot be
//! merged into another workstation's timeline as if it were a whole log. The after-action
//! review answers the forensics questions.

use std::path::Path;
use std::process::Command;

use crate::forensics::{LENA, LENA_PASS, add_image, ward};
use crate::insider::Ward;

const OTHER: &str = "Ward 7 pharmacy fridge alarm: SENTINEL-OTHER-INCIDENT";

/// Both checkers on a bundle with the trusted key: (caregiver's exit and words, the Python
/// checker's).
fn both(ward: &Ward, bundle: &str, key: &str) -> [(i32, String); 2] {
    let (code, out, err) = ward.cli(&["log", "verify", bundle, "--pubkey", key]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_bundle.py");
    let py = Command::new("python3")
        .arg(script)
        .args([bundle, "--pubkey", key, "--all-signatures"])
        .output()
        .unwrap();
    let py_text =
        format!("{}{}", String::from_utf8_lossy(&py.stdout), String::from_utf8_lossy(&py.stderr));
    [(code, format!("{out}{err}")), (py.status.code().unwrap_or(-1), py_text)]
}

#[test]
fn an_incidents_bundle_holds_its_entries_and_records_and_verifies() {
    let (ward, id) = ward();
    let lena = |args: &[&str]| ward.as_user(LENA, LENA_PASS, args);
    let (item, _) = add_image(&ward, &id);
    lena(&["ioc", "add", &id, "ipv4", "203.0.113.7", "--tlp", "amber"]);
    let other = lena(&["incident", "start", "phishing"]).trim().to_owned();
    lena(&["incident", "note", &other, OTHER]);
    lena(&["incident", "note", &id, "Imaging done"]);

    let bundle = ward.path("incident.jsonl");
    lena(&["incident", "export", &id, "--format", "json", "--out", &bundle]);
    let key = ward.path("key.pem");
    lena(&["log", "key", "--out", &key]);
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(
        !text.contains("SENTINEL-OTHER-INCIDENT") && !text.contains(&other),
        "another incident leaked"
    );
    assert!(
        text.contains("Imaging done") && text.contains(&item) && text.contains("203.0.113.7"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("{\"t\":\"elided\"")));
    assert_eq!(text.lines().filter(|l| l.starts_with("{\"t\":\"record\"")).count(), 2);
    for (code, said) in both(&ward, &bundle, &key) {
        assert_eq!(code, 0, "{said}");
        assert!(said.contains("elided") && said.contains("2 records attached"), "{said}");
    }

    // A record changed in the bundle: both checkers name it.
    let changed = ward.path("changed.jsonl");
    std::fs::write(&changed, text.replacen("Safe 2", "Safe 3", 1)).unwrap();
    for (code, said) in both(&ward, &changed, &key) {
        assert_eq!(code, 1, "{said}");
        assert!(said.contains("does not match the SHA-256 entry"), "{said}");
    }
    // An elided entry's hash changed: the chain breaks.
    let elided = text.lines().find(|l| l.starts_with("{\"t\":\"elided\"")).unwrap();
    let at = elided.find("\"sha256\":\"").unwrap() + 10;
    let flipped = format!(
        "{}{}{}",
        &elided[..at],
        if &elided[at..at + 1] == "0" { "1" } else { "0" },
        &elided[at + 1..]
    );
    let broken = ward.path("broken.jsonl");
    std::fs::write(&broken, text.replacen(elided, &flipped, 1)).unwrap();
    for (code, said) in both(&ward, &broken, &key) {
        assert_eq!(code, 1, "{said}");
    }

    // The after-action review answers the forensics questions.
    lena(&[
        "evidence",
        "findings",
        &id,
        "--how-it-got-in",
        "A phishing email to payroll",
        "--data-affected",
        "None found",
    ]);
    let review = lena(&["incident", "review", &id]);
    for part in [
        "Forensics:",
        "How it got in: A phishing email to payroll",
        "Data affected: None found",
        "Evidence: 1 item",
        "Indicators: 1 (1 TLP:AMBER)",
    ] {
        assert!(review.contains(part), "{part} in {review}");
    }
    let page = ward.path("review.html");
    lena(&["incident", "review", &id, "--format", "html", "--out", &page]);
    let page = std::fs::read_to_string(&page).unwrap();
    assert!(
        page.contains("<h2>Forensics</h2>") && page.contains("A phishing email to payroll"),
        "{page}"
    );

    // Not a whole log: another workstation refuses to merge it.
    let elsewhere = Ward::with_admin();
    let (code, _, err) = elsewhere.as_user_run(
        crate::insider::ADMIN,
        crate::insider::ADMIN_PASS,
        &["log", "import", &bundle],
    );
    assert_eq!(code, 1);
    assert!(err.contains("is one incident's bundle"), "{err}");
}
