use super::*;

fn all_yes(q: &Questionnaire, size: Size) -> BTreeMap<String, Given> {
    q.for_size(size)
        .iter()
        .flat_map(|p| &p.questions)
        .map(|x| (x.id.clone(), Given { answer: Answer::Yes, note: None }))
        .collect()
}

#[test]
fn the_embedded_questionnaire_checks_out_and_sizes_grow() {
    let q = hicp().unwrap();
    assert_eq!(q.practices.len(), 10);
    assert_eq!(
        q.practices.iter().map(|p| p.number).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    assert!(q.sources.iter().any(|s| s.title.contains("2023 Edition") && s.date == "2023-04"));
    let count = |size| q.for_size(size).iter().map(|p| p.questions.len()).sum::<usize>();
    let (small, medium, large) = (count(Size::Small), count(Size::Medium), count(Size::Large));
    assert!(small < medium && medium < large, "{small} {medium} {large}");
    // Every practice asks something of every size.
    for size in Size::ALL {
        for p in q.for_size(size) {
            assert!(!p.questions.is_empty(), "practice {} asks nothing of {size:?}", p.number);
        }
    }
    // A large organisation is asked everything a medium one is.
    let medium_ids: Vec<String> =
        q.for_size(Size::Medium).iter().flat_map(|p| &p.questions).map(|x| x.id.clone()).collect();
    let large_ids: Vec<String> =
        q.for_size(Size::Large).iter().flat_map(|p| &p.questions).map(|x| x.id.clone()).collect();
    assert!(medium_ids.iter().all(|id| large_ids.contains(id)));
}

#[test]
fn scores_count_partly_as_half_and_leave_out_not_applicable() {
    let q = hicp().unwrap();
    let mut answers = all_yes(&q, Size::Small);
    let asked = answers.len();
    answers.insert("email-mfa".into(), Given { answer: Answer::No, note: None });
    answers.insert(
        "data-backups".into(),
        Given { answer: Answer::Partly, note: Some("tapes on site".into()) },
    );
    answers
        .insert("endpoint-encryption".into(), Given { answer: Answer::NotApplicable, note: None });
    check_answers(&q, Size::Small, &answers).unwrap();
    let a = Assessment {
        date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        size: Size::Small,
        questionnaire: q.id.clone(),
        version: q.version,
        by: "Alex Admin".into(),
        answers,
    };
    let s = score(&q, &a);
    let applicable = asked - 1;
    let expected = ((applicable - 2) * 2 + 1) * 100 / (applicable * 2);
    assert_eq!(usize::from(s.overall.percent), expected);
    assert_eq!(s.overall.words, format!("{} of {applicable} in place, 1 partly", applicable - 2));
    let email = s.practices.iter().find(|p| p.number == 1).unwrap();
    assert_eq!(email.score.not_in_place, 1);
    assert!(email.score.percent < 100);
    // Backups touch patient care most: that gap comes first.
    assert_eq!(s.gaps.len(), 2);
    assert_eq!(s.gaps[0].question, "data-backups");
    assert_eq!(s.gaps[0].patient_impact, 3);
    assert_eq!(s.gaps[0].note.as_deref(), Some("tapes on site"));
    assert_eq!(s.gaps[1].risk_id, "hicp-email-mfa");
    assert_eq!(
        s.gaps[1].threat,
        "Social engineering (phishing, pretexting, business email compromise)"
    );

    let risk = gap_risk(&s.gaps[1], 4, 3, "Alex Admin", a.date);
    assert_eq!(risk.id, "hicp-email-mfa");
    assert_eq!(risk.vulnerability, "Email reachable with a password alone");
    assert_eq!(risk.score(), 12);
    assert_eq!(risk.due, NaiveDate::from_ymd_opt(2027, 3, 2));
    assert!(risk.plan.unwrap().starts_with("HICP practice 1 (Email protection systems)"));
}

#[test]
fn answers_must_cover_the_questions_of_the_size_and_no_others() {
    let q = hicp().unwrap();
    let mut answers = all_yes(&q, Size::Small);
    answers.remove("ir-plan");
    let e = check_answers(&q, Size::Small, &answers).unwrap_err().to_string();
    assert!(e.contains("1 of") && e.contains("ir-plan"), "{e}");

    let mut answers = all_yes(&q, Size::Small);
    answers.insert("endpoint-edr".into(), Given { answer: Answer::Yes, note: None });
    let e = check_answers(&q, Size::Small, &answers).unwrap_err().to_string();
    assert!(e.contains("`endpoint-edr` is not asked of a small organisation"), "{e}");

    let mut answers = all_yes(&q, Size::Large);
    answers.insert("made-up".into(), Given { answer: Answer::Yes, note: None });
    let e = check_answers(&q, Size::Large, &answers).unwrap_err().to_string();
    assert!(e.contains("no question `made-up`"), "{e}");
}

#[test]
fn answers_read_as_people_write_them() {
    for (text, answer) in [
        ("Yes", Some(Answer::Yes)),
        (" partly ", Some(Answer::Partly)),
        ("N", Some(Answer::No)),
        ("n/a", Some(Answer::NotApplicable)),
        ("maybe", None),
        ("", None),
    ] {
        assert_eq!(Answer::read(text), answer, "{text:?}");
    }
}

const GOOD: &str = r#"id = "mini"
title = "Mini"
version = 1
summary = "A test."

[[sources]]
title = "HICP 2023 Edition"
date = "2023-04"

[[threats]]
id = "ransomware"
title = "Ransomware"
"#;

fn practices(n: u8, extra: &str) -> String {
    let mut s = String::new();
    for i in 1..=n {
        s.push_str(&format!(
            "\n[[practices]]\nnumber = {i}\ntitle = \"P{i}\"\n\n[[practices.questions]]\nid = \"q{i}\"\nsizes = [\"small\", \"medium\", \"large\"]\nask = \"Is it in place?\"\ngap = \"It is not\"\nthreat = \"ransomware\"\npatient_impact = 2\n{}",
            if i == 3 { extra } else { "" }
        ));
    }
    s
}

#[test]
fn a_good_file_parses() {
    let q = format::parse("mini.toml", &format!("{GOOD}{}", practices(10, ""))).unwrap();
    assert_eq!(q.practices.len(), 10);
}

#[test]
fn every_problem_is_reported_at_its_place() {
    let extra = "\n[[practices.questions]]\nid = \"q1\"\nsizes = [\"huge\", \"small\", \"small\"]\nask = \"  \"\ngap = \"g\"\nthreat = \"phishing\"\npatient_impact = 7\n";
    let text = format!("{GOOD}{}", practices(9, extra));
    let found = format::parse("mini.toml", &text).unwrap_err();
    let at = |needle: &str| {
        let offset = text.find(needle).unwrap();
        let line = text[..offset].matches('\n').count() + 1;
        found
            .iter()
            .find(|d| d.line == line)
            .map(|d| d.message.clone())
            .unwrap_or_else(|| panic!("nothing at line {line} ({needle}): {found:?}"))
    };
    assert!(at("id = \"q1\"\nsizes = [\"huge\"").contains("already used on line"));
    assert!(at("sizes = [\"huge\"").contains("unknown size `huge`"));
    assert!(at("ask = \"  \"").contains("`ask` is empty"));
    assert!(
        at("threat = \"phishing\"").contains("unknown threat `phishing`: use one of ransomware")
    );
    assert!(at("patient_impact = 7").contains("0 (none) to 3"));
    assert!(found.iter().any(|d| d.message.contains("HICP has 10 practices: this file has 9")));
    assert!(found.iter().all(|d| d.file == "mini.toml"));
}

#[test]
fn practices_go_in_order_and_unknown_keys_are_caught() {
    let text = format!("{GOOD}{}", practices(10, "")).replace("number = 4", "number = 5");
    let found = format::parse("mini.toml", &text).unwrap_err();
    assert!(found.iter().any(|d| d.message.contains("this should be practice 4")), "{found:?}");
    let text = format!("{GOOD}{}", practices(10, "")).replace("summary =", "sumary =");
    let found = format::parse("mini.toml", &text).unwrap_err();
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("sumary"), "{found:?}");
}
