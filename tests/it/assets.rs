//! The asset register from the CLI, as IT feeds it: a CMDB export imported whole; a file
//! with bad rows named FILE:line and nothing imported, or the good rows with
//! --skip-bad-rows; an export that imports back unchanged; the overdue and tier lists; and
//! who may see it: admins and incident leads, never clinicians or staff.

use std::path::Path;

use crate::insider::{ADMIN, ADMIN_PASS, Ward};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/assets")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn admin(ward: &Ward, args: &[&str]) -> (i32, String, String) {
    ward.as_user_run(ADMIN, ADMIN_PASS, args)
}

#[test]
fn a_file_with_bad_rows_imports_nothing_and_names_each_line() {
    let ward = Ward::with_admin();
    let file = fixture("problems.csv");
    let (code, _, err) = admin(&ward, &["assets", "import", &file]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("{file}:line 4: unknown tier `5`")), "{err}");
    assert!(err.contains(&format!("{file}:line 8: `loop-a` is in a dependency loop")), "{err}");
    assert!(err.contains(&format!("{file}:line 7: `depends_on` names `billing`")), "{err}");
    assert!(err.contains(&format!("{file}:line 6: the id `ad-core` is also used")), "{err}");
    assert!(err.contains("error[import_rejected]"), "{err}");
    let (code, out, _) = admin(&ward, &["assets", "list"]);
    assert_eq!((code, out.trim()), (0, "No asset to list."), "nothing was imported");

    // Skipping the bad rows imports the one good row, each skipped row reported.
    let (code, out, err) = admin(&ward, &["assets", "import", &file, "--skip-bad-rows"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Imported 1 assets (1 new, 0 changed, 0 removed); skipped 9 bad rows"),
        "{out}"
    );
    assert!(err.contains(&format!("{file}:line 10: left out: it depends on `ehr-app`")), "{err}");
}

#[test]
fn the_register_imports_lists_and_exports_back_unchanged() {
    let ward = Ward::with_admin();
    let (code, out, err) = admin(&ward, &["assets", "import", &fixture("sample.csv")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Imported 7 assets (7 new, 0 changed, 0 removed)."), "{out}");

    let (_, list, _) = admin(&ward, &["assets", "list"]);
    let first: Vec<&str> = list.lines().map(|l| l.split_whitespace().nth(3).unwrap()).collect();
    assert_eq!(first[..5], ["ad-core", "ehr-db", "ehr-app", "pacs", "ct-scanner"], "{list}");
    let (_, json, _) = admin(&ward, &["assets", "list", "--json", "--overdue"]);
    let overdue: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pump = overdue.as_array().unwrap().iter().find(|a| a["id"] == "pump-4e-07").unwrap();
    assert_eq!(pump["patch"]["unsupported"], true);
    assert_eq!(pump["vendor_validated_only"], true);
    let (_, tier2, _) = admin(&ward, &["assets", "list", "--tier", "2"]);
    assert_eq!(tier2.lines().count(), 2, "{tier2}");
    let (code, _, err) = admin(&ward, &["assets", "list", "--tier", "7"]);
    assert_eq!(code, 2, "clap refuses a tier out of range: {err}");

    let out = ward.path("export.csv");
    let (code, _, err) = admin(&ward, &["assets", "export", "--format", "csv", "--out", &out]);
    assert_eq!(code, 0, "{err}");
    let (code, again, err) = admin(&ward, &["assets", "import", &out]);
    assert_eq!(code, 0, "{err}");
    assert!(again.contains("Imported 7 assets (0 new, 0 changed, 0 removed)."), "{again}");
}

/// Incident leads read the register; clinicians and staff are refused, and nobody but an
/// admin imports or exports it.
#[test]
fn leads_read_the_register_and_clinicians_and_staff_see_nothing_of_it() {
    let ward = Ward::with_admin();
    admin(&ward, &["assets", "import", &fixture("sample.csv")]);
    ward.add("Lee Lead", "lead", b"lead passphrase 12");
    ward.add("Cal Clinician", "clinician", b"clinician passphrase 12");
    ward.add("Sam Staff", "staff", b"staff passphrase 12");
    let list = ward.as_user("Lee Lead", b"lead passphrase 12", &["assets", "list"]);
    assert!(list.contains("pump-4e-07"), "{list}");
    let printed = ward.path("register.html");
    ward.as_user("Lee Lead", b"lead passphrase 12", &["assets", "report", "--out", &printed]);
    assert!(std::fs::read_to_string(&printed).unwrap().contains("In the agreed restore order"));
    let out = ward.path("lead.csv");
    let (code, _, err) = ward.as_user_run(
        "Lee Lead",
        b"lead passphrase 12",
        &["assets", "export", "--format", "csv", "--out", &out],
    );
    assert_eq!(code, 1);
    assert!(err.contains("only admins may export the asset register"), "{err}");
    let people: [(&str, &[u8]); 2] =
        [("Cal Clinician", b"clinician passphrase 12"), ("Sam Staff", b"staff passphrase 12")];
    for (name, pass) in people {
        let (code, out, err) = ward.as_user_run(name, pass, &["assets", "list"]);
        assert_eq!(code, 1, "{name}");
        assert!(out.is_empty() && !err.contains("pump"), "{name}: {err}");
        assert!(
            err.contains("error[permission_denied]: only admins and incident leads may read the asset register"),
            "{name}: {err}"
        );
    }
}

/// The ransomware playbook's restore step shows the agreed restore order from the
/// register to leads and admins, and tells a clinician who can see it; the medical-device
/// playbook's steps find a device by its tag.
#[test]
fn the_restore_step_shows_the_order_and_a_device_is_found_by_its_tag() {
    let ward = Ward::with_admin();
    admin(&ward, &["assets", "import", &fixture("sample.csv")]);
    ward.add("Cal Clinician", "clinician", b"clinician passphrase 12");
    let (_, id, err) = admin(&ward, &["incident", "start", "ransomware", "--drill"]);
    let id = id.trim().to_owned();
    assert!(!id.is_empty(), "{err}");
    let p = caregiver::playbook::find("ransomware").unwrap();
    let answers = [
        ("check-spread", "More than one, or shared systems failing, or not sure"),
        ("care-capacity", "Yes, keep accepting"),
    ];
    loop {
        let (_, show, _) = admin(&ward, &["incident", "show", &id]);
        let step =
            show.split("current step: ").nth(1).unwrap().lines().next().unwrap().trim().to_owned();
        if step == "restore-systems" {
            let at = show
                .find("asset register, the agreed restore order:")
                .unwrap_or_else(|| panic!("{show}"));
            let ids: Vec<&str> =
                show[at..].lines().skip(1).map(|l| l.split_whitespace().nth(3).unwrap()).collect();
            assert_eq!(ids, ["ad-core", "ehr-db", "ehr-app", "pacs", "ct-scanner"], "{show}");
            assert!(show.contains("RTO 4 h; downtime: ehr-downtime"), "{show}");
            break;
        }
        let s = p.steps.iter().find(|s| s.id == step).unwrap();
        let args: Vec<&str> = match answers.iter().find(|(d, _)| *d == step) {
            Some((_, answer)) => vec!["incident", "step", &id, &step, "--choose", answer],
            None if s.question.is_none() => vec!["incident", "step", &id, &step, "--done"],
            None => panic!("no answer for {step}"),
        };
        let (code, _, err) = admin(&ward, &args);
        assert_eq!(code, 0, "{err}");
    }
    let show =
        ward.as_user("Cal Clinician", b"clinician passphrase 12", &["incident", "show", &id]);
    assert!(show.contains("(the asset register is for incident leads and admins)"), "{show}");
    assert!(!show.contains("ehr-db"), "{show}");

    let (code, found, err) = admin(&ward, &["assets", "find", "--tag", "bme 004417"]);
    assert_eq!(code, 0, "{err}");
    assert!(found.contains("pump-4e-07") && found.contains("ExampleMed Infusa 3000"), "{found}");
    assert!(found.contains("compensating controls: Isolated VLAN"), "{found}");
    let (code, _, err) = admin(&ward, &["assets", "find", "--tag", "BME-999999"]);
    assert_eq!(code, 1);
    assert!(err.contains("no asset in the register has the tag `BME-999999`"), "{err}");
}

/// The risk register from the CLI: risks checked against the asset register (an asset it
/// does not hold is a problem at its line), listed with patient impact first, exported and
/// imported back unchanged; a clinician is refused.
#[test]
fn the_risk_register_imports_in_priority_order_against_the_assets() {
    let ward = Ward::with_admin();
    let risks = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/risk/sample.csv");
    let risks = risks.to_string_lossy().into_owned();
    // Before the assets are there, every asset a risk names is unknown.
    let (code, _, err) = admin(&ward, &["risk", "import", &risks]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{risks}:line 2: `assets` names `ehr-db`, which the asset register does not hold"
        )),
        "{err}"
    );
    admin(&ward, &["assets", "import", &fixture("sample.csv")]);
    let (code, out, err) = admin(&ward, &["risk", "import", &risks]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Imported 5 risks (5 new, 0 changed, 0 removed)."), "{out}");
    let (_, list, _) = admin(&ward, &["risk", "list"]);
    let ids: Vec<&str> = list
        .lines()
        .map(|l| l.split(": ").nth(1).unwrap().split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["ransomware-ehr", "pump-takeover", "pacs-outage", "bec-payroll", "phi-email"],
        "{list}"
    );
    assert!(list.lines().next().unwrap().contains("[treatment OVERDUE]"), "{list}");
    let out = ward.path("risks.csv");
    admin(&ward, &["risk", "export", "--format", "csv", "--out", &out]);
    let (_, again, _) = admin(&ward, &["risk", "import", &out]);
    assert!(again.contains("Imported 5 risks (0 new, 0 changed, 0 removed)."), "{again}");
    // The printable report (HTML with the heat map) and its CSV, in priority order.
    let page = ward.path("risks.html");
    let (code, said, err) = admin(&ward, &["risk", "report", "--format", "html", "--out", &page]);
    assert_eq!(code, 0, "{err}");
    assert!(said.contains("Wrote the risk report to"), "{said}");
    let page = std::fs::read_to_string(&page).unwrap();
    assert!(page.contains("<svg role=\"img\"") && page.contains("Likelihood 4, impact 5: 1 risk"));
    assert!(page.find("<td>ransomware-ehr</td>") < page.find("<td>pump-takeover</td>"));
    let csv = ward.path("risks-report.csv");
    admin(&ward, &["risk", "report", "--format", "csv", "--out", &csv]);
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.lines().nth(1).unwrap().starts_with("1,ransomware-ehr,"), "{table}");
    ward.add("Cal Clinician", "clinician", b"clinician passphrase 12");
    let (code, _, err) =
        ward.as_user_run("Cal Clinician", b"clinician passphrase 12", &["risk", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("only admins and incident leads may read the risk register"), "{err}");
    let args = ["risk", "report", "--format", "csv", "--out", &csv];
    let (code, _, err) = ward.as_user_run("Cal Clinician", b"clinician passphrase 12", &args);
    assert_eq!(code, 1);
    assert!(err.contains("only admins and incident leads may read the risk register"), "{err}");
}
