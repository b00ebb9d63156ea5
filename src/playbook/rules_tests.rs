//! The rules of `playbook::rules`, each shown catching a playbook that breaks it: a real
//! default playbook, changed the way a careless edit would, through the real checker.

use super::rules::{COMMAND_AND_GENERAL_STAFF, SAFETY_OFFICER};
use super::*;

const RANSOMWARE: &str = include_str!("../../playbooks/ransomware.toml");

fn problems(text: &str) -> Vec<String> {
    match parse("ransomware.toml", text) {
        Ok(_) => vec![],
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

/// The 1-based line and column where `needle` first starts in `text`.
fn at(text: &str, needle: &str) -> String {
    let offset = text.find(needle).unwrap();
    let line = text[..offset].matches('\n').count() + 1;
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("ransomware.toml:{line}:{column}")
}

/// `text` with the `[[sheets]]` block of `role` taken out.
fn without_sheet(text: &str, role: &str) -> String {
    let block = format!("[[sheets]]\nrole = \"{role}\"\n");
    let start = text.find(&block).unwrap();
    let end = start + text[start..].find("\n\n").unwrap() + 2;
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn the_real_ransomware_playbook_passes_every_rule() {
    assert_eq!(problems(RANSOMWARE), Vec::<String>::new());
}

#[test]
fn a_command_or_general_staff_position_without_a_sheet_is_caught_at_its_first_step() {
    let text = without_sheet(RANSOMWARE, "operations-chief");
    let want = format!(
        "{}: `operations-chief` is a HICS Command or General Staff position: give it a job action sheet under [[sheets]] (mission, reports_to, forms)",
        at(&text, "\"operations-chief\"")
    );
    assert_eq!(problems(&text), [want]);
    // A local position without a sheet is not a Command or General Staff one: allowed.
    assert!(!COMMAND_AND_GENERAL_STAFF.contains(&"it-lead"));
    assert_eq!(problems(&without_sheet(RANSOMWARE, "it-lead")), Vec::<String>::new());
}

#[test]
fn an_empty_sheet_is_caught() {
    let text = RANSOMWARE.replacen(
        "mission = \"Organise and direct",
        "mission = \"   \"\nx = \"Organise and direct",
        1,
    );
    // An unknown key is refused by the reader; an empty mission and forms by the checker.
    assert!(problems(&text)[0].contains("unknown field `x`"), "{:?}", problems(&text));
    let start = RANSOMWARE.find("[[sheets]]\nrole = \"incident-commander\"").unwrap();
    let mission_line = RANSOMWARE[start..].find("mission = ").unwrap() + start;
    let end = mission_line + RANSOMWARE[mission_line..].find('\n').unwrap();
    let text = format!("{}mission = \"\"{}", &RANSOMWARE[..mission_line], &RANSOMWARE[end..]);
    let text = text.replacen(
        "forms = [\"HICS 201 Incident Briefing\", \"HICS 202 Incident Objectives\", \"HICS 203 Organization Assignment List\", \"HICS 207 Incident Organization Chart\", \"HICS 214 Activity Log\"]",
        "forms = []",
        1,
    );
    let got = problems(&text);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].ends_with("`mission` is empty"), "{got:?}");
    assert!(
        got[1].ends_with(
            "`forms` needs at least one document or form, like \"HICS 214 Activity Log\""
        ),
        "{got:?}"
    );
}

#[test]
fn a_playbook_without_the_safety_officer_is_caught() {
    // Give the Safety Officer's step to the Incident Commander, and drop its sheet.
    let text = without_sheet(RANSOMWARE, SAFETY_OFFICER).replacen(
        "role = \"safety-officer\"",
        "role = \"incident-commander\"",
        1,
    );
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].ends_with("the Safety Officer has no step: every playbook gives the Safety Officer a task (the HICS 215A safety analysis)"),
        "{got:?}"
    );
    // The Safety Officer's sheet must list the HICS 215A.
    let text = RANSOMWARE.replacen(
        "forms = [\"HICS 215A Incident Action Plan Safety Analysis\", \"HICS 214 Activity Log\"]",
        "forms = [\"HICS 214 Activity Log\"]",
        1,
    );
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].ends_with("the Safety Officer's sheet lists the HICS 215A safety analysis"));
}

#[test]
fn a_call_to_a_role_the_contact_list_cannot_hold_is_caught() {
    let text = RANSOMWARE.replacen("calls = [\"biomed\", ", "calls = [\"ghostbusters\", ", 1);
    assert_eq!(
        problems(&text),
        [format!(
            "{}: unknown contact role `ghostbusters`: a call names a standard contact role (see playbooks/README.md), the only ones the contact list holds",
            at(&text, "\"ghostbusters\"")
        )]
    );
    // Declaring it does not help: the contact list holds the standard roles only.
    let declared = RANSOMWARE.replacen(
        "# ---------------------------------------------------------------- job action sheets",
        "[[contact_roles]]\nid = \"ghostbusters\"\nname = \"Ghostbusters\"\n",
        1,
    );
    let got = problems(&declared);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("`[[contact_roles]]` is not read"), "{got:?}");
}

#[test]
fn a_citation_needs_a_title_and_a_date_and_a_withdrawn_one_names_its_replacement() {
    let title = "NIST SP 800-61 Rev. 3: Incident Response Recommendations";
    // No date: the reader refuses it at its place.
    let text = RANSOMWARE.replacen(", date = \"2025-04\" }", " }", 1);
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("missing field `date`"), "{got:?}");
    // A plain string, as the old format had: refused.
    let text = RANSOMWARE.replacen(
        "  { title = \"HICS 2014 Guidebook",
        "  \"HICS 2014 Guidebook\",\n  { title = \"x",
        1,
    );
    assert!(problems(&text)[0].contains("expected struct RawSource"), "{:?}", problems(&text));
    // An empty title, and a date that is not one.
    let text = RANSOMWARE.replacen("date = \"2025-04\"", "date = \"April 2025\"", 1);
    assert_eq!(
        problems(&text),
        [format!(
            "{}: a source's `date` must be YYYY, YYYY-MM or YYYY-MM-DD (the edition cited), not `April 2025`",
            at(&text, "\"April 2025\"")
        )]
    );
    let text =
        RANSOMWARE.replacen("{ title = \"NIST SP 800-61 Rev. 3", "{ title = \" \", x = \"", 1);
    assert!(problems(&text)[0].contains("unknown field `x`"));
    // The withdrawn Rev. 2, however it is spelled, is flagged with Rev. 3.
    for old in
        ["NIST SP 800-61 Rev. 2", "NIST SP 800-61r2", "NIST Special Publication 800-61 Revision 2"]
    {
        let text = RANSOMWARE.replacen("NIST SP 800-61 Rev. 3", old, 1);
        let got = problems(&text);
        assert_eq!(got.len(), 1, "{old}: {got:?}");
        assert!(got[0].starts_with(&format!("{}: ", at(&text, &format!("\"{old}")))), "{got:?}");
        assert!(got[0].contains("withdrawn source: NIST SP 800-61 Rev. 2 was withdrawn in April 2025: cite NIST SP 800-61 Rev. 3"), "{got:?}");
    }
    assert!(RANSOMWARE.contains(title));
    // The SAFER Guides before the January 2025 revision.
    let text = RANSOMWARE.replacen(
        "  { title = \"HICS 2014 Guidebook",
        "  { title = \"ONC SAFER Guide: Contingency Planning\", date = \"2016\" },\n  { title = \"HICS 2014 Guidebook",
        1,
    );
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("the ONC SAFER Guides were revised in January 2025"), "{got:?}");
    let text = text.replacen("date = \"2016\"", "date = \"2025-01\"", 1);
    assert_eq!(problems(&text), Vec::<String>::new());
}

#[test]
fn sheets_name_real_roles_with_steps_and_no_loops() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "role = \"finance-chief\"\nmission",
            "role = \"astronaut\"\nmission",
            "unknown role `astronaut`",
        ),
        (
            "role = \"finance-chief\"\nmission",
            "role = \"medical-technical-specialist\"\nmission",
            "no step is for `medical-technical-specialist`",
        ),
        (
            "reports_to = \"incident-commander\"",
            "reports_to = \"chief-of-everything\"",
            "unknown role `chief-of-everything`",
        ),
        (
            "role = \"safety-officer\"\nmission = \"Watch the response to the ransomware attack for hazards to patients, visitors and staff; make sure the safety analysis is done and acted on; stop any unsafe act.\"\nreports_to = \"incident-commander\"",
            "role = \"safety-officer\"\nmission = \"Watch.\"\nreports_to = \"safety-officer\"",
            "a position does not report to itself",
        ),
    ];
    for (from, to, want) in cases {
        let text = RANSOMWARE.replacen(from, to, 1);
        assert_ne!(text, RANSOMWARE, "{from}");
        let got = problems(&text);
        assert!(got.iter().any(|g| g.contains(want)), "{to}: {got:?}");
    }
}

#[test]
fn every_default_playbook_has_a_full_sheet_for_every_position_it_uses() {
    let list = embedded().unwrap();
    assert_eq!(list.len(), 10);
    for p in &list {
        assert!(p.steps.iter().any(|s| s.role == SAFETY_OFFICER), "{}", p.id);
        assert!(
            p.steps.iter().any(|s| s.role == SAFETY_OFFICER && s.instruction.contains("HICS 215A")),
            "{}: the Safety Officer's task is the HICS 215A",
            p.id
        );
        for role in p.steps.iter().map(|s| s.role.as_str()) {
            let text = sheet::job_action_sheet(p, role).unwrap();
            for part in ["Position: ", "Reports to: ", "Mission: ", "== DOCUMENTS AND FORMS =="] {
                assert!(text.contains(part), "{} {role}: {part} missing\n{text}", p.id);
            }
        }
        for s in &p.sources {
            assert!(!s.title.contains("800-61 Rev. 2:"), "{}: {}", p.id, s.title);
        }
    }
}
