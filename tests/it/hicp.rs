//! The HICP self-assessment from the CLI, as an admin does it: write the questions for the
//! organisation's size as a CSV, fill it in, record it; a badly filled file names each bad
//! line and records nothing; the score, the gaps and the chart; a gap added to the risk
//! register in one step; an incident lead reads it, a clinician is refused.

use crate::insider::{ADMIN, ADMIN_PASS, Ward};

fn admin(ward: &Ward, args: &[&str]) -> (i32, String, String) {
    ward.as_user_run(ADMIN, ADMIN_PASS, args)
}

/// The template with every answer `yes`, except `no` for the questions named.
fn filled(template: &str, no: &[&str]) -> String {
    template
        .split("\r\n")
        .map(|line| {
            let Some(row) = line.strip_suffix(",,") else { return line.to_owned() };
            let id = row.split(',').nth(1).unwrap_or("");
            format!("{row},{},", if no.contains(&id) { "no" } else { "yes" })
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn an_admin_records_a_self_assessment_and_turns_a_gap_into_a_risk() {
    let ward = Ward::with_admin();
    let template = ward.path("hicp.csv");
    let (code, _, err) = admin(&ward, &["hicp", "template", "--size", "small", "--out", &template]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(text.contains("practice,question,ask,answer,note"), "{text}");
    assert!(text.contains("email-mfa") && !text.contains("endpoint-edr"), "small only");

    // Filled in badly: an unknown answer, a question answered twice. Nothing is recorded.
    let bad = ward.path("bad.csv");
    let wrong = filled(&text, &[]).replacen(",yes,", ",sometimes,", 1);
    let first_row = wrong.split("\r\n").nth(1).unwrap().to_owned();
    std::fs::write(&bad, format!("{wrong}\r\n{}", first_row.replace("sometimes", "yes"))).unwrap();
    let (code, _, err) = admin(&ward, &["hicp", "assess", &bad, "--size", "small"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{bad}:line 2: `answer` must be yes, partly, no or n/a, not `sometimes`"
        )),
        "{err}"
    );
    assert!(err.contains("is already answered on line 2"), "{err}");
    assert!(err.contains("error[import_rejected]"), "{err}");
    let (_, list, _) = admin(&ward, &["hicp", "list"]);
    assert!(list.contains("No self-assessment recorded yet."), "{list}");

    // Filled in well, with two gaps.
    let good = ward.path("good.csv");
    std::fs::write(&good, filled(&text, &["email-mfa", "data-backups"])).unwrap();
    let (code, out, err) = admin(&ward, &["hicp", "assess", &good, "--size", "small"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Recorded the self-assessment of"), "{out}");
    assert!(out.contains("1. Email protection systems"), "{out}");
    // Backups touch patient care most: listed first.
    let backups = out.find("data-backups").unwrap();
    let mfa = out.find("email-mfa").unwrap();
    assert!(backups < mfa, "{out}");

    let (_, json, _) = admin(&ward, &["hicp", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let date = list[0]["date"].as_str().unwrap().to_owned();
    assert_eq!(list[0]["gaps"].as_array().unwrap().len(), 2);
    assert_eq!(list[0]["size"], "small");

    let chart = ward.path("hicp.svg");
    admin(&ward, &["hicp", "chart", "--out", &chart]);
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains(&format!("{date} (small)")), "{svg}");

    // One step from a gap to the register; the second time is refused.
    let args = ["hicp", "gap-to-risk", &date, "data-backups", "--likelihood", "3", "--impact", "5"];
    let (code, out, err) = admin(&ward, &args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Added `hicp-data-backups` to the risk register"), "{out}");
    let (_, risks, _) = admin(&ward, &["risk", "list"]);
    assert!(risks.contains("hicp-data-backups") && risks.contains("score 15"), "{risks}");
    let (code, _, err) = admin(&ward, &args);
    assert_eq!(code, 1);
    assert!(err.contains("already holds `hicp-data-backups`"), "{err}");

    // A lead reads it; a clinician sees nothing of it.
    ward.add("Lee Lead", "lead", b"lead passphrase 12");
    ward.add("Cal Clinician", "clinician", b"clinician passphrase 12");
    let shown = ward.as_user("Lee Lead", b"lead passphrase 12", &["hicp", "show", &date]);
    assert!(shown.contains("email-mfa"), "{shown}");
    let (code, _, err) = ward.as_user_run(
        "Lee Lead",
        b"lead passphrase 12",
        &["hicp", "assess", &good, "--size", "small"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    let (code, out, err) =
        ward.as_user_run("Cal Clinician", b"clinician passphrase 12", &["hicp", "list"]);
    assert_eq!(code, 1);
    assert!(
        out.is_empty()
            && err.contains("only admins and incident leads may read the HICP self-assessments"),
        "{err}"
    );
}

#[test]
fn questionnaire_files_are_checked_with_every_problem_at_its_place() {
    let ward = Ward::with_admin();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/playbooks/assessments");
    let (code, out, err) = ward.cli(&["hicp", "validate", shipped]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("All self-assessment questionnaires are valid."), "{out}");
    let text = std::fs::read_to_string(format!("{shipped}/hicp-2023.toml")).unwrap();
    let broken = text.replacen("threat = \"ransomware\"", "threat = \"ransomwear\"", 1);
    let line = broken[..broken.find("ransomwear").unwrap()].matches('\n').count() + 1;
    let file = ward.path("hicp-broken.toml");
    std::fs::write(&file, broken).unwrap();
    let (code, _, err) = ward.cli(&["hicp", "validate", &file]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{file}:{line}:")) && err.contains("unknown threat `ransomwear`"),
        "{err}"
    );
    assert!(err.contains("error[assessment_invalid]"), "{err}");
}
