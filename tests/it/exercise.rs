//! Exercises from the CLI: the default packages check out and a package with mistakes is
//! named line by line; the ransomware tabletop is started as a drill, its injects brought
//! in one by one, a nurse logs a decision against the inject in play and an evaluator rates
//! a critical task under her own passphrase (a clinician may not).

use std::path::Path;

use crate::insider::{ADMIN, ADMIN_PASS, Ward};

const NURSE: &str = "Nina Nurse";
const NURSE_PASS: &[u8] = b"nina passphrase 12";
const LEAD: &str = "Eve Evaluator";
const LEAD_PASS: &[u8] = b"eve passphrase 123";

/// The line of the first `needle` in `text`, from 1.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn a_package_with_mistakes_is_named_at_each_line() {
    let ward = Ward::with_admin();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let defaults = root.join("playbooks/exercises");
    let out = ward.ok(&["exercise", "validate", defaults.to_str().unwrap()]);
    assert!(out.contains("All exercise packages are valid."), "{out}");

    let good = std::fs::read_to_string(defaults.join("ransomware-ehr-downtime.toml")).unwrap();
    let bad = good
        .replacen("\"ransomware#monitored-patients\"", "\"ransomware#watch-the-monitors\"", 1)
        .replacen("at = 20\n", "at = 5\n", 1)
        .replacen(
            "[[objectives.tasks]]\nid = \"report-to-law-enforcement\"",
            "[[objectives]]\nid = \"lonely\"\ntext = \"Nothing to rate.\"\ncapabilities = [\"planning\"]\n\n[[objectives.tasks]]\nid = \"report-to-law-enforcement\"",
            1,
        )
        .replacen("capabilities = [\"cybersecurity\", \"operational-coordination\"]", "capabilities = [\"cybersecurity\", \"magic\"]", 1);
    // The new objective goes before the tasks of "communicate", which then belong to it:
    // "communicate" is the objective left with no critical task.
    let dir = ward.path("mine");
    std::fs::create_dir_all(&dir).unwrap();
    let file = Path::new(&dir).join("mine.toml");
    std::fs::write(&file, &bad).unwrap();
    let (code, _, err) = ward.cli(&["exercise", "validate", &dir]);
    assert_eq!(code, 1);
    assert!(err.contains("error[exercise_invalid]"), "{err}");
    let name = file.display().to_string();
    let at = |needle: &str| format!("{name}:{}:", line_of(&bad, needle));
    for (needle, message) in [
        ("\"ransomware#watch-the-monitors\"", "unknown step `watch-the-monitors`"),
        (
            "at = 5\n",
            "injects come in time order: this one, at 5 min, must come after the one before, at 10 min",
        ),
        ("id = \"communicate\"", "objective `communicate` has no critical task"),
        ("\"magic\"", "unknown core capability `magic`"),
    ] {
        let want = at(needle);
        assert!(
            err.lines().any(|l| l.starts_with(&want) && l.contains(message)),
            "{want} {message}: {err}"
        );
    }
}

#[test]
fn a_facilitator_runs_the_ransomware_tabletop_and_an_evaluator_rates_a_task() {
    let ward = Ward::with_admin();
    ward.add(NURSE, "clinician", NURSE_PASS);
    ward.add(LEAD, "lead", LEAD_PASS);
    let admin = |args: &[&str]| ward.as_user(ADMIN, ADMIN_PASS, args);

    let list = admin(&["exercise", "list"]);
    for id in [
        "ransomware-ehr-downtime",
        "phishing-bec",
        "compromised-medical-device",
        "vendor-phi-breach",
        "network-phone-outage",
    ] {
        assert!(list.contains(id), "{id}: {list}");
    }
    assert!(list.contains("No exercise run yet."), "{list}");
    let shown = admin(&["exercise", "show", "ransomware-ehr-downtime"]);
    assert!(
        shown.contains("Facilitator's guide:")
            && shown.contains("Evaluator's guide:")
            && shown.contains("HSEEP"),
        "{shown}"
    );

    let started = admin(&["exercise", "start", "ransomware-ehr-downtime"]);
    let id = started.split_whitespace().nth(2).unwrap().to_owned();
    assert!(started.contains("In play: ransom-note"), "{started}");
    for want in ["monitors-stale", "ehr-down-everywhere", "servers-encrypted", "safety-check"] {
        let out = admin(&["exercise", "inject", &id, "--next"]);
        assert!(out.contains(&format!("In play: {want}")), "{want}: {out}");
    }
    // Paused, then running faster.
    assert!(admin(&["exercise", "pause", &id]).contains("(paused)"));
    assert!(admin(&["exercise", "resume", &id]).contains("running at 1x"));
    assert!(admin(&["exercise", "speed", &id, "10"]).contains("running at 10x"));
    let (code, _, err) = ward.as_user_run(ADMIN, ADMIN_PASS, &["exercise", "speed", &id, "100"]);
    assert_eq!(code, 1, "{err}");

    // A nurse decides; she may not evaluate nor run the clock.
    let (code, out, err) = ward.as_user_run(
        NURSE,
        NURSE_PASS,
        &["exercise", "decide", &id, "The Safety Officer starts the HICS 215A"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("against inject safety-check by Nina Nurse"), "{out}");
    let (code, _, err) = ward.as_user_run(
        NURSE,
        NURSE_PASS,
        &["exercise", "observe", &id, "activate-command", "--rating", "P", "--note", "fine"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    let (code, _, err) =
        ward.as_user_run(NURSE, NURSE_PASS, &["exercise", "inject", &id, "--next"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");

    // The evaluator, under her own passphrase; a wrong one records nothing.
    let (code, _, _) = ward.as_user_run(
        LEAD,
        b"not her passphrase",
        &["exercise", "observe", &id, "activate-command", "--rating", "S", "--note", "x"],
    );
    assert_eq!(code, 1);
    let out = ward.as_user(
        LEAD,
        LEAD_PASS,
        &[
            "exercise",
            "observe",
            &id,
            "activate-command",
            "--rating",
            "S",
            "--note",
            "Command up after 40 minutes",
        ],
    );
    assert!(out.contains("recorded by Eve Evaluator"), "{out}");
    let (code, _, err) = ward.as_user_run(
        LEAD,
        LEAD_PASS,
        &["exercise", "observe", &id, "no-such-task", "--rating", "S", "--note", "x"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("not a critical task"), "{err}");

    let status: serde_json::Value =
        serde_json::from_str(&admin(&["exercise", "status", &id, "--json"])).unwrap();
    assert_eq!(status["observations"].as_array().unwrap().len(), 1);
    assert_eq!(status["observations"][0]["rating"], "s");
    assert_eq!(status["observations"][0]["by"], LEAD);
    assert_eq!(status["decisions"][0]["inject"], "safety-check");
    let list: serde_json::Value =
        serde_json::from_str(&admin(&["exercise", "list", "--json"])).unwrap();
    assert_eq!(list["exercises"][0]["id"], id.as_str());
    // The improvement plan: a corrective action for the nurse, in the AAR/IP and her list.
    let due = "2099-01-31";
    let out = admin(&[
        "actions",
        "add",
        &id,
        "--objective",
        "contain-the-spread",
        "--text",
        "Run a 30-minute command drill each quarter",
        "--owner",
        NURSE,
        "--due",
        due,
        "--changes",
        "ransomware#activate-command",
    ]);
    assert!(out.contains(&format!("Added corrective action {id}-C1")), "{out}");
    let (code, _, err) = ward.as_user_run(
        NURSE,
        NURSE_PASS,
        &[
            "actions",
            "add",
            &id,
            "--objective",
            "contain-the-spread",
            "--text",
            "x",
            "--owner",
            NURSE,
            "--due",
            due,
            "--changes",
            "ransomware",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    let report = ward.path("aar.html");
    admin(&["exercise", "report", &id, "--format", "html", "--out", &report]);
    let html = std::fs::read_to_string(&report).unwrap();
    for want in [
        "After-Action Report / Improvement Plan",
        "Command up after 40 minutes",
        "Run a 30-minute command drill each quarter",
        due,
        "<svg",
        "Strengths",
        "Areas for improvement",
    ] {
        assert!(html.contains(want), "{want}");
    }
    let mine: serde_json::Value =
        serde_json::from_str(&ward.as_user(NURSE, NURSE_PASS, &["actions", "list", "--json"]))
            .unwrap();
    assert_eq!(mine[0]["owner"], NURSE);
    assert_eq!(mine[0]["due"], due);
    ward.as_user(
        NURSE,
        NURSE_PASS,
        &["actions", "close", &format!("{id}-C1"), "--note", "First drill held"],
    );
    assert!(admin(&["actions", "list"]).contains("closed"));

    // The register: this year's tabletop, and the full-scale or functional exercise still
    // required; a clinician may not see it.
    let register = admin(&["exercise", "register", "--chart", &ward.path("chart.svg")]);
    assert!(
        register.contains("1 tabletop")
            && register.contains("Still required: a full-scale or functional exercise"),
        "{register}"
    );
    assert!(std::fs::read_to_string(ward.path("chart.svg")).unwrap().contains("<svg"));
    let (code, _, err) = ward.as_user_run(NURSE, NURSE_PASS, &["exercise", "register"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    // A full-scale exercise held outside the app, entered by the evaluator: the first part
    // of the requirement is met. A date to come, or a clinician, records nothing.
    let held = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let (date, year) = (held.to_string(), chrono::Datelike::year(&held).to_string());
    let record = |date: &str| {
        [
            "exercise",
            "record",
            "--type",
            "full-scale",
            "--date",
            date,
            "--title",
            "County mass casualty exercise",
            "--covered",
            "EHR downtime in the ED",
        ]
        .map(str::to_owned)
    };
    let (code, _, _) =
        ward.as_user_run(LEAD, LEAD_PASS, &record("2999-01-01").each_ref().map(String::as_str));
    assert_eq!(code, 1);
    let (code, _, _) =
        ward.as_user_run(NURSE, NURSE_PASS, &record(&date).each_ref().map(String::as_str));
    assert_eq!(code, 1);
    ward.as_user(LEAD, LEAD_PASS, &record(&date).each_ref().map(String::as_str));
    let register = admin(&["exercise", "register", "--year", &year]);
    assert!(
        register
            .contains("County mass casualty exercise (Full-scale exercise, held outside the app)"),
        "{register}"
    );
    // The year asked comes first: its lines up to the next year's.
    let first: Vec<&str> = register.lines().skip(1).take_while(|l| l.starts_with("  ")).collect();
    assert!(!first.iter().any(|l| l.contains("(42 CFR 482.15(d)(2)(i))")), "{register}");

    // It runs as a drill incident, and the log with the new entries verifies.
    let incidents = admin(&["incident", "list"]);
    assert!(incidents.contains(&id) && incidents.contains("[DRILL]"), "{incidents}");
    let bundle = ward.path("log.jsonl");
    admin(&["log", "export", "--out", &bundle]);
    let (code, out, err) = ward.cli(&["log", "verify", &bundle]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_package_ships_in_the_signed_pack_checked_against_its_playbooks() {
    let ward = Ward::with_admin();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = Path::new(&ward.path("pack")).to_owned();
    std::fs::create_dir_all(folder.join("exercises")).unwrap();
    std::fs::copy(root.join("playbooks/phishing.toml"), folder.join("phishing.toml")).unwrap();
    let ours = std::fs::read_to_string(root.join("playbooks/exercises/phishing-bec.toml"))
        .unwrap()
        .replacen("id = \"phishing-bec\"", "id = \"our-phishing\"", 1)
        .replacen(
            "title = \"Phishing leading to business email compromise\"",
            "title = \"Our phishing drill\"",
            1,
        );
    // A step the pack's playbooks do not have: named at its line, nothing signed.
    let broken = ours.replacen("\"phishing#warn-staff\"", "\"phishing#shout\"", 1);
    std::fs::write(folder.join("exercises/ours.toml"), &broken).unwrap();
    let key = ward.path("signing.key");
    let public = ward.ok(&["pack", "keygen", "--out", &key]).lines().last().unwrap().to_owned();
    let signed = ward.path("pack.json");
    let (code, _, err) =
        ward.cli(&["pack", "sign", folder.to_str().unwrap(), "--key", &key, "--out", &signed]);
    assert_eq!(code, 1, "{err}");
    let line = line_of(&broken, "\"phishing#shout\"");
    assert!(
        err.contains(&format!("ours.toml:{line}:")) && err.contains("unknown step `shout`"),
        "{err}"
    );
    assert!(!Path::new(&signed).exists());

    std::fs::write(folder.join("exercises/ours.toml"), &ours).unwrap();
    ward.ok(&["pack", "sign", folder.to_str().unwrap(), "--key", &key, "--out", &signed]);
    ward.as_user(ADMIN, ADMIN_PASS, &["pack", "trust", &public]);
    ward.as_user(ADMIN, ADMIN_PASS, &["pack", "import", &signed]);
    let list = ward.as_user(ADMIN, ADMIN_PASS, &["exercise", "list"]);
    assert!(list.contains("our-phishing") && list.contains("Our phishing drill"), "{list}");
    assert!(list.contains("ransomware-ehr-downtime"), "the built-in ones stay: {list}");
    let started = ward.as_user(ADMIN, ADMIN_PASS, &["exercise", "start", "our-phishing"]);
    assert!(started.contains("In play: password-entered"), "{started}");
}
