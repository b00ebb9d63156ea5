use super::*;

/// A small package that checks out; each test changes one thing in it.
const GOOD: &str = r#"id = "small"
title = "Small"
version = 1
type = "tabletop"
scenario = "Screens go dark."
participants = ["Charge nurse"]
facilitator = "Read it aloud."
evaluator = "Rate each task."
sources = [{ title = "HSEEP", date = "2020-01" }]

[[objectives]]
id = "contain"
text = "Contain it."
capabilities = ["cybersecurity"]

[[objectives.tasks]]
id = "unplug"
task = "Unplug."
observe = ["Who unplugs"]

[[modules]]
title = "One"
questions = ["Who calls?"]

[[modules.injects]]
id = "note"
at = 0
from = "Nurse"
message = "A ransom note."
expect = ["Unplug"]
tests = ["ransomware#stop-and-unplug"]

[[modules.injects]]
id = "spread"
at = 10
from = "IT"
message = "It spreads."
expect = ["Command"]
tests = ["ransomware#activate-command"]
"#;

/// Every problem of `text` (the checker's and the steps' against the built-in playbooks),
/// as `line:column: message`.
fn problems(text: &str) -> Vec<String> {
    let playbooks = crate::playbook::embedded().unwrap();
    let found = match format::parse("x.toml", text) {
        Ok(p) => format::resolve(&p, &playbooks, "x.toml"),
        Err(d) => d,
    };
    found
        .iter()
        .map(|d| {
            assert_eq!(d.file, "x.toml");
            format!("{}:{}: {}", d.line, d.column, d.message)
        })
        .collect()
}

#[test]
fn a_good_package_checks_out() {
    assert_eq!(problems(GOOD), Vec::<String>::new());
    let p = format::parse("x.toml", GOOD).unwrap();
    assert_eq!(p.kind, ExerciseType::Tabletop);
    assert_eq!(p.injects().map(|i| i.at).collect::<Vec<_>>(), [0, 10]);
    assert_eq!(p.playbook(), Some("ransomware"));
    assert_eq!(p.task("unplug").map(|(o, _)| o.id.as_str()), Some("contain"));
    assert_eq!(p.injects().next().unwrap().tests[0].to_string(), "ransomware#stop-and-unplug");
}

/// Each kind of mistake, named at its line and column.
#[test]
fn every_mistake_is_named_at_its_place() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"tests = ["ransomware#activate-command"]"#,
            r#"tests = ["ransomware#no-such-step"]"#,
            "39:10: unknown step `no-such-step` in `ransomware#no-such-step`: playbook `ransomware` has no such step",
        ),
        (
            r#"tests = ["ransomware#activate-command"]"#,
            r#"tests = ["nothing#activate-command"]"#,
            "39:10: unknown playbook `nothing` in `nothing#activate-command`: no playbook in force has that id",
        ),
        (
            r#"tests = ["ransomware#activate-command"]"#,
            r#"tests = ["ransomware activate-command"]"#,
            "39:10: `ransomware activate-command` must name a playbook step as playbook-id#step-id, like ransomware#stop-and-unplug",
        ),
        (
            "at = 10",
            "at = 0",
            "35:6: injects come in time order: this one, at 0 min, must come after the one before, at 0 min",
        ),
        ("at = 10", "at = -5", "35:6: `at` is minutes from the start, 0 to 10080"),
        (
            "[[objectives.tasks]]\nid = \"unplug\"\ntask = \"Unplug.\"\nobserve = [\"Who unplugs\"]\n",
            "",
            "12:6: objective `contain` has no critical task: add an [[objectives.tasks]] evaluators rate",
        ),
        (
            r#"capabilities = ["cybersecurity"]"#,
            r#"capabilities = ["hacking"]"#,
            "14:17: unknown core capability `hacking`: use one of planning, public-information-and-warning, operational-coordination, operational-communications, cybersecurity, intelligence-and-information-sharing, situational-assessment, infrastructure-systems, logistics-and-supply-chain-management, public-health-healthcare-and-emergency-medical-services, forensics-and-attribution, access-control-and-identity-verification, risk-management, health-and-social-services",
        ),
        (
            r#"sources = [{ title = "HSEEP", date = "2020-01" }]"#,
            r#"sources = [{ title = "HSEEP", date = "someday" }]"#,
            "9:38: a source's `date` must be YYYY, YYYY-MM or YYYY-MM-DD (the edition cited), not `someday`",
        ),
        (
            r#"sources = [{ title = "HSEEP", date = "2020-01" }]"#,
            "sources = []",
            "9:11: `sources` needs at least one source",
        ),
        ("id = \"spread\"", "id = \"note\"", "34:6: inject id `note` is already used on line 26"),
        (
            "type = \"tabletop\"",
            "type = \"game night\"",
            "4:8: unknown `type` `game night`: use one of tabletop, workshop, drill, functional, full-scale",
        ),
        (
            "expect = [\"Command\"]",
            "expect = []",
            "38:10: an inject lists at least one action it `expect`s",
        ),
        (
            "questions = [\"Who calls?\"]",
            "questions = []",
            "23:13: a module needs at least one discussion question",
        ),
        ("message = \"It spreads.\"", "message = \" \"", "37:11: an inject's `message` is empty"),
        (
            "id = \"small\"",
            "id = \"Small One\"",
            "1:6: exercise id `Small One` must be lower-case letters, digits and dashes, like `ransomware-tabletop`",
        ),
        // The TOML reader stops at an unknown key: the one problem.
        (
            "from = \"IT\"",
            "from = \"IT\"\nfrom_whom = \"IT\"",
            "37:1: unknown field `from_whom`, expected one of `id`, `at`, `from`, `message`, `expect`, `tests`",
        ),
    ];
    for (from, to, want) in cases {
        assert!(GOOD.contains(from), "{from}");
        let text = GOOD.replacen(from, to, 1);
        let got = problems(&text);
        assert!(got.iter().any(|g| g == want), "{from} -> {to}: got {got:#?}");
    }
}

#[test]
fn the_default_packages_check_out_and_test_real_steps() {
    let list = embedded().unwrap();
    let ids: Vec<&str> = list.iter().map(|p| p.id.as_str()).collect();
    for id in [
        "ransomware-ehr-downtime",
        "phishing-bec",
        "compromised-medical-device",
        "vendor-phi-breach",
        "network-phone-outage",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let cited = ["HSEEP", "CTEP", "482.15(d)(2)", "Sentinel Event Alert 67"];
    for p in &list {
        for c in cited {
            assert!(p.sources.iter().any(|s| s.title.contains(c)), "{} cites {c}", p.id);
        }
        assert!(p.injects().count() >= 5, "{}", p.id);
        assert!(p.objectives.iter().all(|o| !o.tasks.is_empty()), "{}", p.id);
    }
    let ransomware = find(&list, "ransomware-ehr-downtime").unwrap();
    assert_eq!(ransomware.playbook(), Some("ransomware"));
    let summary = PackageSummary::from(ransomware);
    assert_eq!(summary.playbooks, ["ehr-downtime", "ransomware"]);
    assert!(find(&list, "nope").is_err());
}

#[test]
fn validate_names_files_and_ids_used_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("b.toml"), GOOD).unwrap();
    let playbooks = crate::playbook::embedded().unwrap();
    let got: Vec<String> =
        validate_paths(&[dir.path()], &playbooks).iter().map(ToString::to_string).collect();
    let b = dir.path().join("b.toml").display().to_string();
    let a = dir.path().join("a.toml").display().to_string();
    assert_eq!(got, [format!("{b}:1:6: exercise id `small` is also used by {a}")]);
}
