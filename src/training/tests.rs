//! The module checker, table-driven (each broken module gives exactly these messages),
//! quiz scoring, recurrences, and the embedded default set.

use std::path::Path;

use super::*;

const GOOD: &str = r#"id = "t"
title = "Test module"
version = 1
owner = "Security"
recurrence = "yearly"
roles = ["clinician", "staff"]
summary = "A test."
checklist = ["Do one thing", "Do another"]

[[sections]]
heading = "First"
text = "Read this."

[quiz]
pass_mark_percent = 80

[[quiz.questions]]
ask = "Which?"
choices = ["Left", "Right"]
answer = 2

[[quiz.questions]]
ask = "Why?"
choices = ["Because", "No reason", "Who knows"]
answer = 1
"#;

fn problems(text: &str) -> Vec<String> {
    match parse("t.toml", text) {
        Ok(_) => vec![],
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_good_module_parses_with_answers_counted_from_zero() {
    let m = parse("t.toml", GOOD).unwrap();
    assert_eq!(m.id, "t");
    assert_eq!(m.version, 1);
    assert_eq!(m.recurrence, Recurrence::Months(12));
    assert_eq!(m.roles, ["clinician", "staff"]);
    assert_eq!(m.checklist, ["Do one thing", "Do another"]);
    assert_eq!(m.sections, [Section { heading: "First".into(), text: "Read this.".into() }]);
    let quiz = m.quiz.unwrap();
    assert_eq!(quiz.pass_mark_percent, 80);
    assert_eq!(quiz.questions[0].answer, 1, "`answer = 2` is the second choice");
    assert_eq!(quiz.questions[1].answer, 0);
    assert_eq!(quiz.questions[1].choices.len(), 3);
}

#[test]
fn a_module_needs_no_quiz_and_no_checklist() {
    let text = GOOD.split("[quiz]").next().unwrap().replacen(
        "checklist = [\"Do one thing\", \"Do another\"]\n",
        "",
        1,
    );
    let m = parse("t.toml", &text).unwrap();
    assert_eq!(m.quiz, None);
    assert!(m.checklist.is_empty());
}

#[test]
fn every_problem_is_reported_with_its_line_and_column() {
    // (what to replace in GOOD, with what, the problems expected)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            r#"id = "t""#,
            r#"id = "T t""#,
            &[
                "t.toml:1:6: module id `T t` must be lower-case letters, digits and dashes, like `phishing-awareness`",
            ],
        ),
        (r#"title = "Test module""#, r#"title = "   ""#, &["t.toml:2:9: `title` is empty"]),
        (
            "version = 1",
            "version = 0",
            &["t.toml:3:11: `version` must be a whole number from 1 up"],
        ),
        (r#"owner = "Security""#, r#"owner = """#, &["t.toml:4:9: `owner` is empty"]),
        (
            r#""yearly""#,
            r#""every 0 months""#,
            &[
                "t.toml:5:14: `every 0 months` is out of range: a recurrence is from 1 to 120 months",
            ],
        ),
        (
            r#""yearly""#,
            r#""fortnightly""#,
            &[
                "t.toml:5:14: cannot read the recurrence `fortnightly`: write `once`, `yearly`, `every N months` or `every N years`",
            ],
        ),
        (
            r#""yearly""#,
            r#""every 11 years""#,
            &[
                "t.toml:5:14: `every 11 years` is out of range: a recurrence is from 1 to 120 months",
            ],
        ),
        (
            r#""staff"]"#,
            r#""nurse"]"#,
            &["t.toml:6:23: unknown role `nurse`: use one of clinician, staff, lead, admin"],
        ),
        (r#""staff"]"#, r#""clinician"]"#, &["t.toml:6:23: role `clinician` is listed twice"]),
        (
            r#"["clinician", "staff"]"#,
            "[]",
            &["t.toml:6:9: `roles` needs at least one role: clinician, staff, lead, admin"],
        ),
        (r#""A test.""#, r#""""#, &["t.toml:7:11: `summary` is empty"]),
        (
            r#""Do another""#,
            r#""  do ONE   thing""#,
            &["t.toml:8:30: this checklist item is already on line 8"],
        ),
        (r#""Do another""#, r#""""#, &["t.toml:8:30: a checklist item is empty"]),
        (
            "[[sections]]\nheading = \"First\"\ntext = \"Read this.\"\n",
            "sections = []\n",
            &["t.toml:10:12: a module needs at least one [[sections]]"],
        ),
        (r#"heading = "First""#, r#"heading = """#, &["t.toml:11:11: `heading` is empty"]),
        (r#"text = "Read this.""#, r#"text = """""""#, &["t.toml:12:8: `text` is empty"]),
        (
            "pass_mark_percent = 80",
            "pass_mark_percent = 0",
            &["t.toml:15:21: `pass_mark_percent` must be a whole number from 1 to 100"],
        ),
        (
            "pass_mark_percent = 80",
            "pass_mark_percent = 101",
            &["t.toml:15:21: `pass_mark_percent` must be a whole number from 1 to 100"],
        ),
        (
            r#"choices = ["Left", "Right"]"#,
            r#"choices = ["Left"]"#,
            &[
                "t.toml:19:11: a question needs two or more choices",
                "t.toml:20:10: `answer` 2 is not one of the choices: write 1 to 1 (1 is the first choice)",
            ],
        ),
        (
            r#"choices = ["Left", "Right"]"#,
            "choices = []",
            &["t.toml:19:11: a question needs two or more choices"],
        ),
        (r#""Right""#, r#""""#, &["t.toml:19:20: a choice is empty"]),
        (
            "answer = 1",
            "answer = 4",
            &[
                "t.toml:25:10: `answer` 4 is not one of the choices: write 1 to 3 (1 is the first choice)",
            ],
        ),
        (
            "answer = 1",
            "answer = 0",
            &[
                "t.toml:25:10: `answer` 0 is not one of the choices: write 1 to 3 (1 is the first choice)",
            ],
        ),
        (
            "answer = 1",
            "answer = -1",
            &[
                "t.toml:25:10: `answer` -1 is not one of the choices: write 1 to 3 (1 is the first choice)",
            ],
        ),
        (
            r#"ask = "Why?""#,
            r#"ask = " which?""#,
            &["t.toml:23:7: this question is already asked on line 18"],
        ),
        (r#"ask = "Why?""#, r#"ask = "  ""#, &["t.toml:23:7: `ask` is empty"]),
        (
            r#""No reason""#,
            r#""BECAUSE""#,
            &["t.toml:24:23: two choices of this question read the same"],
        ),
    ];
    assert_eq!(problems(GOOD), Vec::<String>::new());
    for (from, to, want) in cases {
        let text = GOOD.replacen(from, to, 1);
        assert_ne!(text, GOOD, "{from} is not in the module");
        assert_eq!(problems(&text), *want, "{from} -> {to}");
    }
}

#[test]
fn all_problems_come_in_one_run_in_file_order() {
    let text = GOOD
        .replacen(r#""yearly""#, r#""fortnightly""#, 1)
        .replacen(r#""staff"]"#, r#""nurse"]"#, 1)
        .replacen("pass_mark_percent = 80", "pass_mark_percent = 0", 1)
        .replacen("answer = 1", "answer = 9", 1)
        .replacen(r#"ask = "Why?""#, r#"ask = "Which?""#, 1);
    let lines: Vec<usize> = parse("t.toml", &text).unwrap_err().iter().map(|d| d.line).collect();
    assert_eq!(lines, [5, 6, 15, 23, 25]);
}

#[test]
fn syntax_errors_unknown_and_missing_keys_name_their_place() {
    let broken = GOOD.replacen(r#"title = "Test module""#, r#"title = "Test module"#, 1);
    let got = problems(&broken);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("t.toml:2:"), "{got:?}");

    let typo = GOOD.replacen(r#"owner = "Security""#, r#"ownr = "Security""#, 1);
    let got = problems(&typo);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("t.toml:4:1: "), "{got:?}");
    assert!(got[0].contains("unknown field `ownr`"), "{got:?}");

    let nested = GOOD.replacen("answer = 2", "answer = 2\nhint = \"left\"", 1);
    let got = problems(&nested);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("t.toml:21:1: ") && got[0].contains("hint"), "{got:?}");

    let missing = GOOD.replacen("owner = \"Security\"\n", "", 1);
    let got = problems(&missing);
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("missing field `owner`"), "{got:?}");

    let wrong_type = GOOD.replacen("answer = 2", "answer = \"Right\"", 1);
    let got = problems(&wrong_type);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("t.toml:20:10: "), "{got:?}");

    assert_eq!(problems("").len(), 1);
}

#[test]
fn recurrences_read_as_people_write_them() {
    let table: &[(&str, Result<Recurrence, &str>)] = &[
        ("once", Ok(Recurrence::Once)),
        ("Once", Ok(Recurrence::Once)),
        ("yearly", Ok(Recurrence::Months(12))),
        ("annually", Ok(Recurrence::Months(12))),
        ("every year", Ok(Recurrence::Months(12))),
        ("monthly", Ok(Recurrence::Months(1))),
        ("every month", Ok(Recurrence::Months(1))),
        ("every 1 month", Ok(Recurrence::Months(1))),
        ("every 6 months", Ok(Recurrence::Months(6))),
        ("  Every   6  Months ", Ok(Recurrence::Months(6))),
        ("every 2 years", Ok(Recurrence::Months(24))),
        ("every 120 months", Ok(Recurrence::Months(120))),
        ("every 10 years", Ok(Recurrence::Months(120))),
        ("every 0 months", Err("`every 0 months` is out of range")),
        ("every 121 months", Err("`every 121 months` is out of range")),
        ("every 11 years", Err("`every 11 years` is out of range")),
        ("every 4294967295 years", Err("out of range")),
        ("every 99999999999 months", Err("cannot read")),
        ("every -1 months", Err("cannot read")),
        ("every six months", Err("cannot read")),
        ("fortnightly", Err("cannot read the recurrence `fortnightly`")),
        ("every 2 weeks", Err("cannot read")),
        ("6 months", Err("cannot read")),
        ("", Err("cannot read")),
    ];
    for (text, want) in table {
        match (Recurrence::read(text), want) {
            (Ok(got), Ok(want)) => assert_eq!(got, *want, "{text:?}"),
            (Err(got), Err(want)) => assert!(got.contains(want), "{text:?}: {got}"),
            (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
        }
    }
    for months in 1..=MAX_RECURRENCE_MONTHS {
        let r = Recurrence::Months(months);
        assert_eq!(Recurrence::read(&r.to_string()), Ok(r), "{r}");
    }
    assert_eq!(Recurrence::Once.to_string(), "once");
    assert_eq!(Recurrence::YEARLY.to_string(), "yearly");
    assert_eq!(Recurrence::Months(6).to_string(), "every 6 months");
    assert_eq!(Recurrence::Months(36).to_string(), "every 3 years");
    assert_eq!(Recurrence::Months(18).to_string(), "every 18 months");
    let err = "fortnightly".parse::<Recurrence>().unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_eq!("every 6 months".parse::<Recurrence>().unwrap(), Recurrence::Months(6));
}

#[test]
fn recurrences_and_scores_serialise_for_the_store() {
    assert_eq!(serde_json::to_string(&Recurrence::Once).unwrap(), r#""once""#);
    assert_eq!(serde_json::to_string(&Recurrence::Months(6)).unwrap(), r#"{"months":6}"#);
    for r in [Recurrence::Once, Recurrence::Months(12)] {
        let back: Recurrence = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
    let s = Score { correct: 4, total: 5, percent: 80, passed: true };
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, r#"{"correct":4,"total":5,"percent":80,"passed":true}"#);
    assert_eq!(serde_json::from_str::<Score>(&json).unwrap(), s);
}

fn quiz(pass_mark_percent: u8, questions: usize) -> Quiz {
    Quiz {
        pass_mark_percent,
        questions: (0..questions)
            .map(|i| Question {
                ask: format!("Question {i}"),
                choices: vec!["a".into(), "b".into(), "c".into(), "d".into()],
                answer: i % 4,
            })
            .collect(),
    }
}

#[test]
fn scores_count_right_answers_and_never_panic() {
    let s = |correct, total, percent, passed| Score { correct, total, percent, passed };
    let five = quiz(80, 5); // right answers: 0 1 2 3 0
    let three = quiz(66, 3); // right answers: 0 1 2
    let table: &[(&Quiz, &[usize], Score)] = &[
        (&five, &[0, 1, 2, 3, 0], s(5, 5, 100, true)),
        (&five, &[0, 1, 2, 3, 1], s(4, 5, 80, true)),
        (&five, &[1, 1, 2, 3, 1], s(3, 5, 60, false)),
        (&five, &[1, 0, 0, 3, 1], s(1, 5, 20, false)),
        // Too few, too many, none: not passed, right ones still counted.
        (&five, &[0, 1, 2, 3], s(4, 5, 80, false)),
        (&five, &[0, 1, 2, 3, 0, 0], s(5, 5, 100, false)),
        (&five, &[], s(0, 5, 0, false)),
        // An answer that is no choice: wrong, and not passed even with enough right.
        (&five, &[0, 1, 2, 3, 9], s(4, 5, 80, false)),
        (&five, &[0, 1, 2, 3, usize::MAX], s(4, 5, 80, false)),
        // 2 of 3 is 66.7%: passes 66 (compared exactly), shown as 66.
        (&three, &[0, 1, 0], s(2, 3, 66, true)),
        (&three, &[0, 0, 0], s(1, 3, 33, false)),
    ];
    for (quiz, answers, want) in table {
        assert_eq!(score(quiz, answers), *want, "{answers:?}");
    }
    // 2 of 3 against a pass mark of 67: 66.7% is below it.
    assert_eq!(score(&quiz(67, 3), &[0, 1, 0]), s(2, 3, 66, false));
    assert_eq!(score(&quiz(100, 3), &[0, 1, 2]), s(3, 3, 100, true));
    assert_eq!(score(&quiz(100, 3), &[0, 1, 0]), s(2, 3, 66, false));
    // A quiz with no questions cannot be passed (the checker refuses one anyway).
    assert_eq!(score(&quiz(1, 0), &[]), s(0, 0, 0, false));
}

#[test]
fn the_embedded_set_is_valid_and_complete() {
    let list = embedded().unwrap();
    let ids: Vec<&str> = list.iter().map(|m| m.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "device-security",
            "downtime-procedures",
            "job-action-sheet",
            "phishing-awareness",
            "reporting-incidents",
            "secure-messaging",
            "social-engineering",
        ]
    );
    let all = ["clinician", "staff", "lead", "admin"];
    for m in &list {
        let expected = match m.id.as_str() {
            "job-action-sheet" => Recurrence::Once,
            "downtime-procedures" => Recurrence::Months(6),
            _ => Recurrence::YEARLY,
        };
        assert_eq!(m.recurrence, expected, "{}", m.id);
        if m.id == "downtime-procedures" {
            assert_eq!(m.roles, ["clinician", "staff", "lead"]);
        } else {
            assert_eq!(m.roles, all, "{}", m.id);
        }
        assert!(m.sections.len() >= 3, "{} is too short", m.id);
        assert!(m.checklist.len() >= 3, "{} has too short a checklist", m.id);
        let quiz = m.quiz.as_ref().unwrap();
        assert!((3..=5).contains(&quiz.questions.len()), "{}", m.id);
        // Every quiz passes with all right and fails with all wrong.
        let right: Vec<usize> = quiz.questions.iter().map(|q| q.answer).collect();
        assert!(score(quiz, &right).passed, "{}", m.id);
        let wrong: Vec<usize> = quiz.questions.iter().map(|q| (q.answer + 1) % 2).collect();
        assert!(!score(quiz, &wrong).passed, "{}", m.id);
        // A quiz whose right answer is always in the same place teaches nothing.
        assert!(right.iter().any(|a| *a != right[0]), "{}: every answer is {}", m.id, right[0]);
        // A nurse reads it in five minutes: well under 1,000 words.
        let words: usize = m.sections.iter().map(|s| s.text.split_whitespace().count()).sum();
        assert!(words < 1000, "{} has {words} words", m.id);
    }
    let pass_80 = list.iter().filter(|m| m.quiz.as_ref().unwrap().pass_mark_percent == 80);
    assert!(pass_80.count() > list.len() / 2, "most quizzes pass at 80");
    let sorted_titles = {
        let mut t: Vec<&str> = list.iter().map(|m| m.title.as_str()).collect();
        t.sort_unstable();
        t
    };
    assert_eq!(list.iter().map(|m| m.title.as_str()).collect::<Vec<_>>(), sorted_titles);
}

#[test]
fn the_playbook_pack_still_holds_exactly_the_ten_playbooks() {
    let playbooks = crate::playbook::embedded().unwrap();
    assert_eq!(playbooks.len(), 10);
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    assert_eq!(crate::playbook::validate_paths(&[&folder]), vec![]);
}

#[test]
fn modules_are_found_by_id() {
    assert_eq!(find("phishing-awareness").unwrap().title, "Spotting and reporting phishing email");
    let err = find("no-such-module").unwrap_err();
    assert_eq!(err.code(), "training_not_found");
    assert_eq!(err.to_string(), "no training module with id `no-such-module`");
}

#[test]
fn validate_paths_checks_folders_and_files_and_ids_across_files() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/training");
    assert_eq!(validate_paths(&[&folder]), vec![], "the README is skipped");

    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    let c = dir.path().join("c.toml");
    std::fs::write(&a, GOOD).unwrap();
    std::fs::write(&b, format!("# The same module again.\n\n{GOOD}")).unwrap();
    std::fs::write(&c, b"id = \"\xff\"").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a module").unwrap();
    std::fs::create_dir(dir.path().join("sub.toml")).unwrap();
    let got: Vec<String> = validate_paths(&[dir.path()]).iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            format!("{}:1:1: the file is not UTF-8 text: save it as UTF-8", c.display()),
            format!("{}:3:6: module id `t` is also used by {}", b.display(), a.display()),
        ]
    );
    // Files one by one, and a path that is not there.
    let missing = dir.path().join("missing.toml");
    let got = validate_paths(&[&a, &missing]);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].line, got[0].column), (1, 1));
    assert!(got[0].message.starts_with("cannot read the file"), "{got:?}");
    // The error an embedded set would give names every problem.
    let err = Error::TrainingInvalid { diagnostics: validate_paths(&[dir.path()]) };
    assert_eq!(err.code(), "training_invalid");
    assert!(err.to_string().starts_with("2 problems; the first: "), "{err}");
}

mod never_panics {
    use proptest::prelude::*;

    use super::super::parse;

    const SEED: &str = include_str!("../../playbooks/training/phishing-awareness.toml");

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any text at all: an answer, never a panic.
        #[test]
        fn on_arbitrary_text(text in "\\PC{0,400}") {
            let _ = parse("fuzz.toml", &text);
        }

        /// Text made of the format's own pieces, in any order.
        #[test]
        fn on_shuffled_keys(lines in proptest::collection::vec(prop_oneof![
            Just("id = \"x\"\n"), Just("title = \"T\"\n"), Just("version = 1\n"),
            Just("owner = \"O\"\n"), Just("recurrence = \"every 0 months\"\n"),
            Just("roles = [\"staff\", \"staff\"]\n"), Just("summary = \"\"\n"),
            Just("[[sections]]\nheading = \"\"\ntext = \"t\"\n"), Just("[quiz]\n"),
            Just("pass_mark_percent = -5\n"), Just("[[quiz.questions]]\n"),
            Just("ask = \"?\"\n"), Just("choices = []\n"), Just("answer = 99999999999\n"),
        ], 0..30)) {
            let _ = parse("fuzz.toml", &lines.concat());
        }

        /// A real module with a slice cut out, or a byte changed: still no panic, and any
        /// problem has a position inside the file.
        #[test]
        fn on_damaged_modules(start in 0usize..SEED.len(), len in 0usize..200, byte in any::<u8>()) {
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

/// A material new version of a module asks everyone again; an editorial one keeps the
/// acknowledgments of the material version it names.
#[test]
fn a_material_version_asks_again_and_an_editorial_one_does_not() {
    use chrono::TimeZone;

    use crate::store::{Role, UserInfo};
    use crate::training::records::{Ack, items};
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
    let nurse = UserInfo {
        name: "Nina Nurse".into(),
        role: Role::Clinician,
        must_change_passphrase: false,
        department: None,
        added: Some(now - chrono::Duration::days(200)),
    };
    let acked = |version| Ack {
        user: "Nina Nurse".into(),
        module: "t".into(),
        version,
        at: now - chrono::Duration::days(10),
        score: None,
    };
    let done = |text: &str, version| {
        let m = parse("t.toml", text).unwrap();
        items(std::slice::from_ref(&nurse), &[m], &[], &[acked(version)], now, &chrono::Utc)[0]
            .state
            .is_done()
    };
    assert!(done(GOOD, 1));
    let v2 = GOOD.replace("version = 1", "version = 2");
    assert!(!done(&v2, 1), "a material version 2 asks again");
    assert!(done(&v2, 2));
    let v3 =
        GOOD.replace("version = 1", "version = 3\nchange = \"editorial\"\nmaterial_version = 2");
    assert!(done(&v3, 2), "an editorial version 3 keeps version 2's");
    assert!(!done(&v3, 1));
    let bad = GOOD.replace("version = 1", "version = 3\nchange = \"editorial\"");
    assert!(
        problems(&bad).iter().any(|p| p.contains("names `material_version`")),
        "{:?}",
        problems(&bad)
    );
}
