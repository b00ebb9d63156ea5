//! The breach decision and the breach register with the real CLI on a real store: the
//! privacy officer signs the four-factor assessment under their own unlock, its result
//! answers the playbook's decisions; the register takes the HHS report's fields and the
//! counts by state, refuses bad input naming the field, and exports CSV for the yearly
//! submission and for one breach; the log, with both new kinds of entry, verifies.

use crate::insider::{ADMIN, ADMIN_PASS, Ward};

const PAT: &str = "Pat Privacy";
const PAT_PASS: &[u8] = b"pat's own passphrase";

/// `caregiver breach assess ID ...` with answers whose result is `outcome` (`breach`,
/// `low-probability` or `exception`).
pub fn assess_args(id: &str, outcome: &str) -> Vec<String> {
    let exception = if outcome == "exception" { "yes" } else { "no" };
    let rating = if outcome == "breach" { "not-low" } else { "low" };
    let mut args: Vec<String> = ["breach", "assess", id].map(String::from).to_vec();
    for check in ["secured", "good-faith", "inadvertent", "not-retained"] {
        let applies = if check == "good-faith" { exception } else { "no" };
        args.extend([format!("--{check}"), applies.into()]);
        args.extend([format!("--{check}-reason"), format!("{check}: as found")]);
    }
    for factor in ["nature", "recipient", "acquired", "mitigated"] {
        args.extend([format!("--{factor}"), format!("{factor}: as found")]);
        args.extend([format!("--{factor}-rating"), rating.into()]);
    }
    args.extend(["--conclusion".into(), format!("The result is {outcome}.")]);
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// A PHI breach discovered three days ago, walked by the admin (its lead) to the
/// exceptions check; Pat holds its privacy-officer position.
fn breach_at_the_assessment(ward: &Ward) -> String {
    let admin = |args: &[&str]| ward.as_user(ADMIN, ADMIN_PASS, args);
    let discovered = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
    let id = admin(&["incident", "start", "phi-breach", "--discovered", &discovered]);
    let id = id.trim().to_owned();
    for step in [
        "report-now",
        "stop-further",
        "record-discovery",
        "gather-facts",
        "safety-analysis",
        "state-report",
    ] {
        admin(&["incident", "step", &id, step, "--done"]);
    }
    admin(&["incident", "assign", &id, "privacy-officer", PAT]);
    id
}

#[test]
fn the_privacy_officer_signs_on_the_cli_and_the_breach_enters_the_register() {
    let ward = Ward::with_admin();
    ward.add(PAT, "lead", PAT_PASS);
    ward.add("Sam Staff", "staff", b"sam's own passphrase");
    let id = breach_at_the_assessment(&ward);
    let pat = |args: &[&str]| ward.as_user(PAT, PAT_PASS, args);
    let pat_run = |args: &[&str]| ward.as_user_run(PAT, PAT_PASS, args);

    // The decision is the form's: nobody answers it by hand, not even its lead.
    let (code, _, err) = ward.as_user_run(
        ADMIN,
        ADMIN_PASS,
        &["incident", "step", &id, "exceptions-check", "--choose", "2"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[invalid_input]") && err.contains("privacy officer completes"),
        "{err}"
    );
    // Only the position's holder signs it.
    let (code, _, err) = ward.as_user_run(ADMIN, ADMIN_PASS, &strs(&assess_args(&id, "breach")));
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]: only the person holding the incident's privacy-officer position"), "{err}");
    // Bad input names its field: a factor left out with no exception; a flag missing.
    let mut gap = assess_args(&id, "breach");
    let at = gap.iter().position(|a| a == "--acquired").unwrap();
    gap.drain(at..at + 4);
    let (code, _, err) = pat_run(&strs(&gap));
    assert_eq!(code, 1);
    assert!(
        err.contains("factor 3, whether it was acquired or viewed: no exception applies"),
        "{err}"
    );
    let (code, _, err) = pat_run(&["breach", "assess", &id, "--secured", "no"]);
    assert_eq!(code, 2, "clap names the missing flags: {err}");
    assert!(err.contains("--secured-reason"), "{err}");

    let out = pat(&strs(&assess_args(&id, "breach")));
    assert!(out.contains("Signed: breach: notification required"), "{out}");
    assert!(out.contains("current step: law-enforcement-delay"), "{out}");
    assert!(out.contains("clock hipaa-individuals (running; step notify-individuals)"), "{out}");

    // The register: Pat records the report; each bad field is named, nothing changes.
    let list = pat(&["breach", "list"]);
    assert!(list.contains(&id) && list.contains("number affected not recorded"), "{list}");
    for (flag, value, named) in [
        ("--state", "ZZ=4", "state: use a two-letter code"),
        ("--breach-start", "yesterday", "breach start date: write a date like 2026-11-28"),
        ("--type", "ransom", "type of breach: use one of hacking, unauthorized-access"),
        ("--affected", "lots", "number affected: write a whole number"),
    ] {
        let (code, _, err) = pat_run(&["breach", "record", &id, flag, value]);
        assert_eq!(code, 1, "{flag}");
        assert!(err.contains(&format!("error[invalid_input]: {named}")), "{err}");
    }
    let shown = pat(&[
        "breach",
        "record",
        &id,
        "--affected",
        "312",
        "--state",
        "CA=300",
        "--state",
        "or=12",
        "--type",
        "theft",
        "--location",
        "laptop",
        "--phi",
        "clinical",
        "--phi",
        "demographic",
        "--safeguard",
        "privacy-rule",
        "--action",
        "mitigation",
        "--action",
        "other",
        "--actions-other",
        "=HYPERLINK(\"http://x\")",
        "--description",
        "Laptop stolen from a car",
    ]);
    assert!(
        shown.contains("yearly report (under 500)") && shown.contains("CA=300; OR=12"),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&pat(&["breach", "show", &id, "--json"])).unwrap();
    assert_eq!(json["report"]["affected"]["total"], 312);
    assert_eq!(json["assessment"]["assessment"]["outcome"], "breach");

    // Sam, who holds no position, reads nothing of it and changes nothing.
    let sam = |args: &[&str]| ward.as_user_run("Sam Staff", b"sam's own passphrase", args);
    assert_eq!(sam(&["breach", "list"]).1.trim(), "No breach in the register.");
    let (code, _, err) = sam(&["breach", "record", &id, "--affected", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");

    // The yearly submission (incident leads and admins) and the individual report, every
    // cell guarded against formulas.
    let year = chrono::Utc::now().format("%Y").to_string();
    let yearly = ward.path("yearly.csv");
    let said = pat(&["breach", "export", "--year", &year, "--out", &yearly]);
    assert!(said.contains("Exported 1 breach to"), "{said}");
    let text = std::fs::read_to_string(&yearly).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    assert_eq!(header.iter().collect::<Vec<_>>(), caregiver::breach::export::COLUMNS);
    let row = rows.records().next().unwrap().unwrap();
    let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!((cell("incident"), cell("individuals_affected")), (id.clone(), "312".to_owned()));
    assert_eq!(cell("affected_by_state"), "CA=300; OR=12");
    assert_eq!(cell("breach_type"), "Theft");
    assert_eq!(cell("phi_types"), "Clinical; Demographic");
    assert_eq!(cell("actions_other"), "'=HYPERLINK(\"http://x\")");
    assert_eq!((cell("assessment"), cell("assessed_by")), ("breach".to_owned(), PAT.to_owned()));
    let (code, _, err) = sam(&["breach", "export", "--year", &year, "--out", &yearly]);
    assert_eq!(code, 1, "{err}");
    let one = ward.path("one.csv");
    pat(&["breach", "export", "--incident", &id, "--out", &one]);
    assert!(std::fs::read_to_string(&one).unwrap().contains("Laptop stolen from a car"));
    let last_year = (chrono::Utc::now() - chrono::Duration::days(400)).format("%Y").to_string();
    let said = pat(&["breach", "export", "--year", &last_year, "--out", &yearly]);
    assert!(said.contains("Exported 0 breaches"), "{said}");

    // The review and the HICS 214 show the assessment; the log holds both kinds of entry,
    // the register's with the counts only, and verifies.
    let admin = |args: &[&str]| ward.as_user(ADMIN, ADMIN_PASS, args);
    let review = admin(&["incident", "review", &id]);
    assert!(
        review.contains(&format!("Breach risk assessment (45 CFR 164.402), signed by {PAT}")),
        "{review}"
    );
    assert!(
        review.contains(
            "Factor 3: whether it was actually acquired or viewed: not low. acquired: as found"
        ),
        "{review}"
    );
    let html = ward.path("214.html");
    admin(&["incident", "export", &id, "--format", "html", "--out", &html]);
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.contains("Breach risk assessment (45 CFR 164.402)")
            && html.contains("Breach register: "),
        "{html}"
    );
    let bundle = ward.path("log.jsonl");
    admin(&["incident", "export", &id, "--format", "json", "--out", &bundle]);
    let verified = admin(&["log", "verify", &bundle]);
    assert!(verified.starts_with("ok: log "), "{verified}");
    let log = std::fs::read_to_string(&bundle).unwrap();
    let recorded = log.lines().find(|l| l.contains("\"kind\":\"breach_recorded\"")).unwrap();
    assert!(recorded.contains("\"by_state\":{\"CA\":300,\"OR\":12}"), "{recorded}");
    assert!(!recorded.contains("Laptop stolen"), "{recorded}");
    assert!(log.contains("\"kind\":\"breach_assessed\""));
}

/// A low probability, signed by the privacy officer, closes the notice clocks: no notice
/// clock applies and the incident is not in the register.
#[test]
fn a_low_probability_closes_the_notice_clocks() {
    let ward = Ward::with_admin();
    ward.add(PAT, "lead", PAT_PASS);
    let id = breach_at_the_assessment(&ward);
    let out = ward.as_user(PAT, PAT_PASS, &strs(&assess_args(&id, "low-probability")));
    assert!(out.contains("current step: document-no-notice"), "{out}");
    assert!(
        out.contains("clock hipaa-individuals (not applicable; step notify-individuals)"),
        "{out}"
    );
    let (code, _, err) = ward.as_user_run(PAT, PAT_PASS, &["breach", "show", &id]);
    assert_eq!(code, 1);
    assert!(err.contains("is not in the breach register"), "{err}");
}
