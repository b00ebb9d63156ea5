//! The checker, table-driven: each broken playbook gives exactly these messages.

use super::format::parse_duration;
use super::*;

const GOOD: &str = r#"id = "t"
title = "Test"
version = 1
severity = "low"
summary = "A test."
triggers = ["always"]
sources = [{ title = "A source", date = "2026-12" }]
sheets = [{ role = "safety-officer", mission = "Keep people safe.", reports_to = "incident-commander", forms = ["HICS 215A"] }]

[[steps]]
id = "a"
title = "First"
instruction = "Do the first thing."
role = "safety-officer"
phase = "detection-analysis"
band = "immediate"
question = "Which way?"

[[steps.choices]]
label = "Left"
goto = "b"

[[steps.choices]]
label = "Right"
goto = "end"

[[steps]]
id = "b"
title = "Second"
instruction = "Do the second thing."
role = "it-lead"
phase = "containment-eradication-recovery"
band = "intermediate"
timer = { after = "15 minutes", say = "Check again" }
deadline = { within = "60 days", from = "discovery", what = "Notify" }
"#;

fn problems(text: &str) -> Vec<String> {
    match parse("t.toml", text) {
        Ok(_) => vec![],
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_good_playbook_parses_with_its_flow() {
    let p = parse("t.toml", GOOD).unwrap();
    assert_eq!(p.steps.len(), 2);
    assert_eq!(p.successors(0), vec!["b".to_owned(), "end".to_owned()]);
    assert_eq!(p.successors(1), vec!["end".to_owned()]);
    assert_eq!(p.steps[1].timer.as_ref().unwrap().after_minutes, 15);
    let d = &p.steps[1].deadlines[0];
    assert_eq!(d.within, format::Span { amount: 60, unit: format::Unit::Days });
    let branch = GOOD.replace(
        r#"from = "discovery""#,
        r#"from = "when", when = { step = "a", choice = "Left" }, unless = { step = "b" }"#,
    );
    let d = parse("t.toml", &branch).unwrap().steps[1].deadlines[0].clone();
    assert_eq!(d.from, format::ClockFrom::When);
    assert_eq!(d.when, Some(format::Condition { step: "a".into(), choice: Some("Left".into()) }));
    assert_eq!(d.unless, Some(format::Condition { step: "b".into(), choice: None }));
    for (text, want) in [
        ("10 business days", Some((10, format::Unit::BusinessDays))),
        ("10 work days", Some((10, format::Unit::BusinessDays))),
        ("1 work day", Some((1, format::Unit::BusinessDays))),
        ("72 hours", Some((72, format::Unit::Hours))),
        ("0 days", Some((0, format::Unit::Days))),
        ("0 hours", None),
        ("10 business", None),
    ] {
        let got = format::parse_span(text).map(|s| (s.amount, s.unit));
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn every_problem_is_reported_with_its_line_and_column() {
    // (what to replace in GOOD, with what, the problems expected)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            r#"goto = "b""#,
            r#"goto = "c""#,
            &[
                "t.toml:21:8: no step has the id `c`",
                "t.toml:28:6: no path from the first step reaches `b`",
            ],
        ),
        (
            r#"role = "it-lead""#,
            r#"role = "wizard""#,
            &[
                "t.toml:31:8: unknown role `wizard`: use a standard role (see playbooks/README.md) or declare it under [[roles]]",
            ],
        ),
        (
            r#"after = "15 minutes""#,
            r#"after = "soon""#,
            &[
                "t.toml:34:19: cannot read the timer `soon`: write a number and a unit, like `15 minutes` or `2 hours`",
            ],
        ),
        (
            r#"from = "discovery""#,
            r#"from = "yesterday""#,
            &[
                "t.toml:35:41: unknown deadline anchor `yesterday`: use one of discovery, start, when, year-end",
            ],
        ),
        (
            r#"from = "discovery""#,
            r#"from = "discovery", when = { step = "z" }"#,
            &["t.toml:35:70: no step has the id `z`"],
        ),
        (
            r#"from = "discovery""#,
            r#"from = "discovery", when = { step = "a", choice = "Up" }"#,
            &["t.toml:35:84: the decision `a` has no choice `Up`: use one of `Left`, `Right`"],
        ),
        (
            r#"from = "discovery""#,
            r#"from = "discovery", unless = { step = "b", choice = "Left" }"#,
            &["t.toml:35:86: `b` is not a decision: remove `choice`, or name a decision step"],
        ),
        (
            r#"from = "discovery""#,
            r#"from = "when""#,
            &[
                "t.toml:35:41: `from = \"when\"` needs a `when`: the step reached or the decision's answer it counts from",
            ],
        ),
        (
            r#"within = "60 days""#,
            r#"within = "10 weekdays""#,
            &[
                "t.toml:35:23: cannot read the deadline `10 weekdays`: write a number and a unit, like `60 days`, `72 hours` or `10 business days`",
            ],
        ),
        (
            r#"sources = [{ title = "A source", date = "2026-12" }]"#,
            r#"sources = [{ title = "A source", date = "2026-12" }]
holidays = ["2026-02-30"]"#,
            &["t.toml:8:13: cannot read the holiday `2026-02-30`: write a date like `2026-12-25`"],
        ),
        (
            r#"instruction = "Do the second thing.""#,
            r#"instruction = "   ""#,
            &["t.toml:30:15: `instruction` is empty"],
        ),
        (
            r#"id = "b""#,
            r#"id = "a""#,
            &[
                "t.toml:28:6: two steps have the id `a`",
                "t.toml:21:8: no step has the id `b`",
                "t.toml:28:6: no path from the first step reaches `a`",
            ],
        ),
        (
            r#"phase = "containment-eradication-recovery""#,
            r#"phase = "respond""#,
            &[
                "t.toml:32:9: `respond` is a NIST Rev. 3 (CSF 2.0) function, but the first step uses a life-cycle stage: use one set",
            ],
        ),
        (
            r#"what = "Notify" }"#,
            r#"what = "Notify", or_when = { affected = "lots" } }"#,
            &["t.toml:35:94: unknown count `lots`: use one of media, hhs-now, under-500"],
        ),
        (
            r#"calls = []"#,
            r#"calls = ["ghostbusters"]"#,
            &[
                "t.toml:36:10: unknown contact role `ghostbusters`: a call names a standard contact role (see playbooks/README.md), the only ones the contact list holds",
            ],
        ),
    ];
    let good = format!("{GOOD}calls = []\n");
    assert_eq!(problems(&good), Vec::<String>::new());
    for (from, to, want) in cases {
        let text = good.replacen(from, to, 1);
        assert_ne!(text, good, "{from} is not in the playbook");
        assert_eq!(problems(&text), *want, "{from} -> {to}");
    }
}

#[test]
fn all_problems_come_in_one_run() {
    let text = GOOD
        .replacen(r#"role = "it-lead""#, r#"role = "wizard""#, 1)
        .replacen(r#"band = "intermediate""#, r#"band = "later""#, 1)
        .replacen(r#"severity = "low""#, r#"severity = "meh""#, 1);
    assert_eq!(problems(&text).len(), 3, "{:?}", problems(&text));
}

#[test]
fn flow_problems_unreachable_steps_and_loops_without_exit() {
    // `b` never reached: the decision's both choices end.
    let text = GOOD.replacen(r#"goto = "b""#, r#"goto = "end""#, 1);
    assert_eq!(problems(&text), vec!["t.toml:28:6: no path from the first step reaches `b`"]);
    // `b` loops back to `a`, and `a` can still end: fine.
    let text =
        GOOD.replacen("band = \"intermediate\"\n", "band = \"intermediate\"\nnext = \"a\"\n", 1);
    assert_eq!(problems(&text), Vec::<String>::new());
    // Both choices lead into a loop with no way out.
    let text = GOOD.replacen(r#"goto = "end""#, r#"goto = "b""#, 1).replacen(
        "band = \"intermediate\"\n",
        "band = \"intermediate\"\nnext = \"a\"\n",
        1,
    );
    assert_eq!(
        problems(&text),
        vec![
            "t.toml:11:6: from `a` there is no way to the end: a loop with no way out",
            "t.toml:28:6: from `b` there is no way to the end: a loop with no way out",
        ]
    );
}

#[test]
fn decisions_need_a_question_and_two_choices_and_no_next() {
    let one_choice = GOOD.replacen("[[steps.choices]]\nlabel = \"Right\"\ngoto = \"end\"\n", "", 1);
    assert_eq!(
        problems(&one_choice),
        vec!["t.toml:17:12: a question needs two or more [[steps.choices]]"]
    );
    let with_next =
        GOOD.replacen("question = \"Which way?\"", "question = \"Which way?\"\nnext = \"b\"", 1);
    assert_eq!(
        problems(&with_next),
        vec!["t.toml:18:8: a decision goes where its choices say: remove `next`"]
    );
}

/// A decision a form answers: each choice says which of the form's results take it, and
/// every result takes exactly one choice; each mistake at its place.
#[test]
fn a_form_decision_says_which_result_takes_each_choice() {
    let formed = |left: &str, right: &str| {
        GOOD.replacen(
            "question = \"Which way?\"",
            "question = \"Which way?\"\nform = \"four-factor\"",
            1,
        )
        .replacen("goto = \"b\"\n", &format!("goto = \"b\"\n{left}"), 1)
        .replacen("goto = \"end\"\n", &format!("goto = \"end\"\n{right}"), 1)
    };
    let good = formed("means = [\"breach\", \"low-probability\"]\n", "means = \"exception\"\n");
    let p = parse("t.toml", &good).unwrap();
    assert_eq!(p.steps[0].form.as_deref(), Some("four-factor"));
    assert_eq!(p.steps[0].choices[0].means, ["breach", "low-probability"]);
    assert_eq!(p.steps[0].choices[1].means, ["exception"]);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            good.replace("four-factor", "five-factor"),
            vec!["t.toml:18:8: unknown form `five-factor`: use one of four-factor"],
        ),
        (
            formed("means = [\"breach\", \"low-probability\"]\n", ""),
            vec![
                "t.toml:26:9: a choice of a decision the `four-factor` form answers needs `means`: which of its results (breach, low-probability, exception) take it",
                "t.toml:18:8: no choice means `exception`: every result of the `four-factor` form must take a choice",
            ],
        ),
        (
            formed("means = \"breach\"\n", "means = [\"breach\", \"maybe\", \"exception\"]\n"),
            vec![
                "t.toml:28:9: another choice of this decision already means `breach`",
                "t.toml:28:9: unknown result `maybe`: the form gives breach, low-probability, exception",
                "t.toml:18:8: no choice means `low-probability`: every result of the `four-factor` form must take a choice",
            ],
        ),
        (
            formed("means = 3\n", "means = [\"breach\", \"low-probability\", \"exception\"]\n"),
            vec![
                "t.toml:23:9: `means` is a result (`\"breach\"`) or a list of them (`[\"breach\", \"low-probability\"]`)",
            ],
        ),
        (
            GOOD.replacen("goto = \"end\"\n", "goto = \"end\"\nmeans = \"breach\"\n", 1),
            vec![
                "t.toml:26:9: `means` says which result of a form takes this choice: give the step a `form`",
            ],
        ),
        (
            GOOD.replacen(
                "band = \"intermediate\"",
                "band = \"intermediate\"\nform = \"four-factor\"",
                1,
            ),
            vec![
                "t.toml:34:8: a form answers a decision: add a `question` and its [[steps.choices]]",
            ],
        ),
    ];
    for (text, want) in cases {
        assert_eq!(problems(&text), want, "{text}");
    }
}

#[test]
fn syntax_errors_and_unknown_keys_name_their_place() {
    let broken = GOOD.replacen("title = \"Test\"", "title = \"Test", 1);
    let got = problems(&broken);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("t.toml:2:"), "{got:?}");
    let typo = GOOD.replacen(
        "instruction = \"Do the first thing.\"",
        "instrucion = \"Do the first thing.\"",
        1,
    );
    let got = problems(&typo);
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("instrucion"), "{got:?}");
}

#[test]
fn durations_read_as_people_write_them() {
    let table = [
        ("15 minutes", Some(15)),
        ("1 hour", Some(60)),
        ("12 hours", Some(720)),
        ("60 days", Some(86_400)),
        ("2 weeks", Some(20_160)),
        ("0 days", None),
        ("soon", None),
        ("15", None),
        ("15 fortnights", None),
        ("1 hour extra", None),
    ];
    for (text, want) in table {
        assert_eq!(parse_duration(text), want, "{text}");
    }
}

#[test]
fn the_embedded_pack_is_valid_and_complete() {
    let list = embedded().unwrap();
    assert_eq!(list.len(), 10);
    for p in &list {
        assert!(p.situation.is_some(), "{} has no situation", p.id);
        assert!(p.steps.iter().any(|s| s.ward), "{} has no ward step", p.id);
        assert!(p.steps.iter().any(|s| s.question.is_some()), "{} has no decision", p.id);
        assert!(
            p.steps.iter().any(|s| s.timer.is_some() || !s.deadlines.is_empty()),
            "{} has no timer or deadline",
            p.id
        );
        assert!(p.sources.len() >= 2, "{} cites too little", p.id);
    }
    assert!(list.iter().any(|p| p.id == "ransomware"));
}

#[test]
fn job_action_sheets_come_from_the_steps() {
    let p = find("ransomware").unwrap();
    let sheet = sheet::job_action_sheet(&p, "IT/IS Lead").unwrap();
    assert!(sheet.starts_with("JOB ACTION SHEET: IT/IS Lead\n"));
    assert!(sheet.contains("Position: local position"), "{sheet}");
    assert!(sheet.contains("Mission: ") && sheet.contains("== DOCUMENTS AND FORMS =="), "{sheet}");
    let it_steps = p.steps.iter().filter(|s| s.role == "it-lead").count();
    assert_eq!(sheet.matches("Time ______  Initials ______").count(), it_steps);
    assert_eq!(sheet::job_action_sheet(&p, "it-lead").unwrap(), sheet);
    let err = sheet::job_action_sheet(&p, "astronaut").unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let whole = sheet::by_phase(&p);
    for s in &p.steps {
        assert!(whole.contains(&format!("({})", s.id)), "{} missing", s.id);
    }
}

mod never_panics {
    use proptest::prelude::*;

    use super::super::parse;

    const SEED: &str = include_str!("../../playbooks/phi-breach.toml");

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any text at all: an answer, never a panic.
        #[test]
        fn on_arbitrary_text(text in "\\PC{0,400}") {
            let _ = parse("fuzz.toml", &text);
        }

        /// A real playbook with a slice cut out, or a byte changed: still no panic, and any
        /// problem has a position inside the file.
        #[test]
        fn on_damaged_playbooks(start in 0usize..SEED.len(), len in 0usize..200, byte in any::<u8>()) {
            let mut bytes = SEED.as_bytes().to_vec();
            let end = (start + len).min(bytes.len());
            if len % 2 == 0 {
                bytes.drain(start..end);
            } else {
                bytes[start] = byte;
            }
            let text = String::from_utf8_lossy(&bytes);
            if let Err(problems) = parse("fuzz.toml", &text) {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(p.line >= 1 && p.line <= text.lines().count() + 1, "{p}");
                }
            }
        }
    }
}

#[test]
fn search_finds_what_a_nurse_might_type() {
    let list = embedded().unwrap();
    let ids = |q: &str| view::search(&list, q).into_iter().map(|h| h.id).collect::<Vec<_>>();
    let table: &[(&str, &str)] = &[
        ("ransom", "ransomware"),
        ("RANSOM note", "ransomware"),
        ("ehr down", "ehr-downtime"),
        ("clicked a link", "phishing"),
        ("wire transfer", "business-email-compromise"),
        ("laptop stolen", "lost-device"),
        ("infusion pump", "medical-device"),
    ];
    for (query, first) in table {
        let got = ids(query);
        assert_eq!(got.first().map(String::as_str), Some(*first), "{query}: {got:?}");
    }
    assert_eq!(ids("").len(), 10);
    assert!(ids("zzzz nothing matches this").is_empty());
    let hit = &view::search(&list, "ransom")[0];
    assert_eq!(hit.matched, "title");
}

#[test]
fn the_view_groups_every_step_once_by_phase_and_once_by_role() {
    for p in embedded().unwrap() {
        let n = p.steps.len();
        let v = view::PlaybookView::new(p);
        let mut by_phase: Vec<usize> = v.phases.iter().flat_map(|g| g.steps.clone()).collect();
        let mut by_role: Vec<usize> =
            v.roles.iter().flat_map(|r| r.bands.iter().flat_map(|b| b.steps.clone())).collect();
        by_phase.sort_unstable();
        by_role.sort_unstable();
        assert_eq!(by_phase, (0..n).collect::<Vec<_>>(), "{}", v.playbook.id);
        assert_eq!(by_role, by_phase, "{}", v.playbook.id);
    }
}
