//! CISA's KEV catalogue from the CLI, as an admin carries it in: imported as CISA publishes
//! it and matched against the asset register (the Windows servers and the CT scanner, past
//! the due date); a malformed catalogue named line by line and nothing kept; an incident
//! lead reads the matches, a clinician is refused. An entry past its due date puts the
//! assets not patched since it was added on the patch overdue list.

use crate::insider::{ADMIN, ADMIN_PASS, Ward};
use crate::support::fixture;

#[test]
fn the_catalogue_is_matched_against_the_register() {
    let ward = Ward::with_admin();
    let admin = |args: &[&str]| ward.as_user_run(ADMIN, ADMIN_PASS, args);
    let (_, out, _) = admin(&["kev", "list"]);
    assert!(out.contains("No KEV catalogue imported yet"), "{out}");
    admin(&["assets", "import", &fixture("assets/sample.csv")]);

    let bad = ward.path("kev-bad.csv");
    std::fs::write(&bad, "cveID,vendorProject,product,dateAdded\nCVE-2024-21887,Ivanti,Connect Secure,2024-01-10\nCVE-x,Acme,Thing,2024-13-40\n").unwrap();
    let (code, _, err) = admin(&["kev", "import", &bad]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("{bad}:line 3: `cveID` must be a CVE id")), "{err}");
    assert!(err.contains("error[import_rejected]"), "{err}");
    let (_, out, _) = admin(&["kev", "list"]);
    assert!(out.contains("No KEV catalogue imported yet"), "nothing kept: {out}");

    let (code, out, err) = admin(&["kev", "import", &fixture("kev/sample.csv")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Imported the KEV catalogue: 3 entries."), "{out}");
    let (_, out, _) = admin(&["kev", "list"]);
    assert!(out.contains("3 entries, 1 affecting the register"), "{out}");
    assert!(out.contains("CVE-2017-0144") && out.contains("4 assets in the register run Microsoft Windows; due 2022-08-10 [OVERDUE, ransomware]"), "{out}");
    assert!(out.contains("assets: ad-core, ehr-app, pacs, ct-scanner"), "{out}");

    // An entry added after the Windows servers were last patched, past its due date: they
    // join the patch overdue list, with the entry named; the ones patched since are not.
    let recent = ward.path("kev-recent.csv");
    std::fs::write(&recent, "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate\nCVE-2026-10001,Microsoft,Windows,Windows example flaw,2026-11-05,2026-11-25\n").unwrap();
    admin(&["kev", "import", &recent]);
    let (_, overdue, _) = admin(&["assets", "list", "--overdue"]);
    assert!(
        overdue.contains("ehr-app")
            && overdue.contains("KNOWN EXPLOITED, past due: CVE-2026-10001 (due 2026-11-25)"),
        "{overdue}"
    );
    assert!(
        !overdue.contains("ad-core"),
        "patched on 2026-11-12, after the entry was added: {overdue}"
    );
    admin(&["kev", "import", &fixture("kev/sample.csv")]);

    ward.add("Lee Lead", "lead", b"lead passphrase 12");
    ward.add("Cal Clinician", "clinician", b"clinician passphrase 12");
    let json = ward.as_user("Lee Lead", b"lead passphrase 12", &["kev", "list", "--json"]);
    let view: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(view["matches"][0]["cve"], "CVE-2017-0144");
    let (code, _, err) = ward.as_user_run(
        "Lee Lead",
        b"lead passphrase 12",
        &["kev", "import", &fixture("kev/sample.csv")],
    );
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    let (code, out, err) =
        ward.as_user_run("Cal Clinician", b"clinician passphrase 12", &["kev", "list"]);
    assert_eq!(code, 1);
    assert!(
        out.is_empty() && err.contains("only admins and incident leads may read the KEV catalogue"),
        "{err}"
    );
}
