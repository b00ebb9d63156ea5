use super::*;

const TYPES: &[&str] = &["ransomware", "phi-breach"];

fn person(id: &str, name: &str) -> Contact {
    Contact { id: id.into(), name: name.into(), ..blank_contact() }
}

fn lines(problems: &[RowProblem]) -> Vec<usize> {
    problems.iter().map(|p| p.line).collect()
}

fn ids(parsed: &Parsed) -> Vec<&str> {
    parsed.contacts.iter().map(|(_, c)| c.id.as_str()).collect()
}

#[test]
fn a_problem_reads_line_then_message() {
    let p = RowProblem { line: 7, message: "name is empty".into() };
    assert_eq!(p.to_string(), "line 7: name is empty");
}

#[test]
fn ids_made_from_names() {
    assert_eq!(slug("Zoë Díaz-Ortega"), "zoe-diaz-ortega");
    assert_eq!(slug("  IT Service Desk (Example Health) "), "it-service-desk-example-health");
    assert_eq!(slug("Łukasz Żółć"), "lukasz-zolc");
    assert_eq!(slug("Straße & Søn"), "strasse-son");
    assert_eq!(slug("王示例"), "");
    assert_eq!(slug(&"a b ".repeat(40)).len(), 55);
    assert!(is_valid_id(&slug(&"Ab-".repeat(40))));
}

#[test]
fn phone_numbers() {
    for good in [
        "555-0100",
        "(555) 555-0101",
        "+1 555 555 0102",
        "+1 (555) 555-0103 x12",
        "555.555.0104 ext 9",
        "555-0105 Ext. 77",
        "555-0106x3",
        "123",
    ] {
        assert!(is_phone(good), "{good}");
    }
    for bad in [
        "12",
        "call me",
        "555-0100 or 555-0101",
        "555+0100",
        "555-0100 x",
        "555-0100 ext twelve",
        "(-) ..",
        "5550100555010055501005550100555010",
        "555\n0100",
    ] {
        assert!(!is_phone(bad), "{bad}");
    }
}

#[test]
fn email_addresses() {
    for good in ["a@b.example", "o'brien+it@hospital.example", "first.last@sub.hospital.example"] {
        assert!(is_email(good), "{good}");
    }
    for bad in [
        "a@b",
        "a@@b.example",
        "a b@c.example",
        ".a@b.example",
        "a..b@c.example",
        "a@-b.example",
        "josé@hospital.example",
        "mailto:a@b.example",
    ] {
        assert!(!is_email(bad), "{bad}");
    }
}

/// Every address `is_email` takes, the vCard crate takes too (else a contact imported
/// from CSV could not be written as a vCard).
#[test]
fn the_vcard_crate_takes_every_email_that_passes() {
    for email in [
        "a@b.example",
        "o'brien+it@hospital.example",
        "x_y%z-w@a-b.c-d.example",
        "1@2.3",
        "first.last@sub.hospital.example",
    ] {
        assert!(is_email(email), "{email}");
        assert!(email.parse::<::vcard::values::EmailValue>().is_ok(), "{email}");
    }
}

#[test]
fn a_tidy_contact_passes_and_is_given_back_tidy() {
    let mut c = person("", "  Alex   Example ");
    c.role = Some(" IT Service_Desk ".into());
    c.position = Some("   ".into());
    c.notes = Some("one\r\ntwo\rthree \n".into());
    c.channels = vec![" Phone ".into(), "".into(), "phone".into(), "work_email".into()];
    c.email = Some("alex@hospital.example".into());
    c.work_phone = Some("555-0100".into());
    c.incident_types = vec!["Ransomware".into()];
    let parsed = check_all(vec![(2, c)], TYPES);
    assert_eq!(parsed.problems, vec![]);
    let (line, c) = &parsed.contacts[0];
    assert_eq!(*line, 2);
    assert_eq!(c.id, "alex-example");
    assert_eq!(c.name, "Alex   Example");
    assert_eq!(c.role.as_deref(), Some("it-service-desk"));
    assert_eq!(c.position, None);
    assert_eq!(c.notes.as_deref(), Some("one\ntwo\nthree"));
    assert_eq!(c.channels, vec!["phone", "work-email"]);
    assert_eq!(c.incident_types, vec!["ransomware"]);
    assert_eq!(
        parsed.warnings,
        vec![RowProblem { line: 2, message: "channels lists `phone` twice: kept once".into() }]
    );
    // Checking what came out changes nothing.
    let again = check_all(parsed.contacts.clone(), TYPES);
    assert_eq!(again.contacts, parsed.contacts);
}

#[test]
fn every_problem_of_a_row_is_reported() {
    let mut c = person("Bad Id", "");
    c.role = Some("janitor".into());
    c.work_phone = Some("call me".into());
    c.claim_line = Some("1".into());
    c.email = Some("pat at home".into());
    c.escalate_after_minutes = 0;
    c.channels = vec!["carrier-pigeon".into()];
    c.incident_types = vec!["alien-invasion".into()];
    c.department = Some("IT\nOps".into());
    c.called_by = Some("Bad Id".into());
    let parsed = check_all(vec![(5, c)], TYPES);
    let messages: Vec<&str> = parsed.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(lines(&parsed.problems), vec![5; 11], "{messages:#?}");
    for expected in [
        "name is empty",
        "id must be lower-case letters, digits and dashes (at most 64), like `ian-it`",
        "department has a control character or a line break",
        "role `janitor` is not a standard contact role (see docs/contacts.md)",
        "work_phone is not a phone number",
        "claim_line is not a phone number",
        "email is not an email address like name@hospital.example",
        "escalate_after_minutes must be from 1 to 1440 minutes",
        "channels has an unknown channel `carrier-pigeon`",
        "incident_types names `alien-invasion`, which is not a playbook id",
        "called_by names this contact itself",
    ] {
        assert!(messages.iter().any(|m| m.starts_with(expected)), "{expected}: {messages:#?}");
    }
    assert!(parsed.contacts.is_empty());
    // No message quotes the person's number or address.
    assert!(messages.iter().all(|m| !m.contains("call me") && !m.contains("pat at home")));
}

#[test]
fn an_unsecure_channel_is_allowed_with_a_warning() {
    let mut c = person("pat", "Pat Example");
    c.mobile_phone = Some("555-0101".into());
    c.channels = vec!["sms".into(), "public-email".into(), "pager".into()];
    let parsed = check_all(vec![(2, c)], TYPES);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.contacts.len(), 1);
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![
            "line 2: channel `sms` is not secure: never use it for patient information",
            "line 2: channel `public-email` is not secure: never use it for patient information",
            "line 2: channel `public-email` is approved but there is no email",
            "line 2: channel `pager` is approved but there is no pager",
        ]
    );
}

#[test]
fn ids_repeated_and_made_unique() {
    let rows = vec![
        (2, person("alex", "Alex One")),
        (3, person("alex", "Alex Two")),
        (4, person("", "José Díaz")),
        (5, person("", "Jose Diaz")),
        (6, person("jose-diaz-2", "Someone Else")),
        (7, person("", "王示例")),
        (8, person("", "  JOSÉ  díaz ")),
    ];
    let parsed = check_all(rows, TYPES);
    assert_eq!(ids(&parsed), vec!["alex", "jose-diaz", "jose-diaz-3", "jose-diaz-2", "contact-7"]);
    let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "line 3: id is already used by line 2",
            "line 8: duplicate person: same name as line 4"
        ]
    );
}

#[test]
fn called_by_and_alternate_by_id_or_by_name() {
    let mut b = person("", "Blair Example");
    b.called_by = Some("alex".into());
    b.alternate = Some("  casey   EXAMPLE".into());
    let rows =
        vec![(2, person("alex", "Alex Example")), (3, b), (4, person("c3", "Casey Example"))];
    let parsed = check_all(rows, TYPES);
    assert_eq!(parsed.problems, vec![]);
    let (_, b) = &parsed.contacts[1];
    assert_eq!(b.called_by.as_deref(), Some("alex"));
    assert_eq!(b.alternate.as_deref(), Some("c3"));
}

#[test]
fn rows_that_refer_to_a_row_left_out_are_left_out_to_the_end_of_the_chain() {
    // e → d → c → b, and b has a problem; a is fine; f's alternate is d.
    let mut b = person("b", "Blair");
    b.email = Some("nope".into());
    let mut c = person("c", "Casey");
    c.called_by = Some("b".into());
    let mut d = person("d", "Drew");
    d.called_by = Some("c".into());
    let mut e = person("e", "Eli");
    e.called_by = Some("d".into());
    let mut f = person("f", "Fran");
    f.alternate = Some("d".into());
    f.called_by = Some("a".into());
    // Listed in an order that needs more than one pass.
    let rows = vec![(2, e), (3, f), (4, d), (5, c), (6, b), (7, person("a", "Alex"))];
    let parsed = check_all(rows, TYPES);
    assert_eq!(ids(&parsed), vec!["a"]);
    let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "line 2: called_by refers to the contact on line 4, which has a problem",
            "line 3: alternate refers to the contact on line 4, which has a problem",
            "line 4: called_by refers to the contact on line 5, which has a problem",
            "line 5: called_by refers to the contact on line 6, which has a problem",
            "line 6: email is not an email address like name@hospital.example",
        ]
    );
}

#[test]
fn a_loop_in_called_by_is_reported_on_each_of_its_rows() {
    let mut a = person("a", "Alex");
    a.called_by = Some("a2".into());
    let mut a2 = person("a2", "Alex Two");
    a2.called_by = Some("a".into());
    let mut c = person("c", "Casey");
    c.called_by = Some("a".into());
    c.alternate = Some("a".into());
    let mut d = person("d", "Drew");
    d.alternate = Some("e".into());
    let mut e = person("e", "Eli");
    e.alternate = Some("d".into());
    let parsed = check_all(vec![(2, a), (3, a2), (4, c), (5, d), (6, e)], TYPES);
    // Alternates may name each other: only `called_by` must not loop.
    assert_eq!(ids(&parsed), vec!["d", "e"]);
    let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "line 2: called_by goes round in a loop: lines 2 → 3 → 2",
            "line 3: called_by goes round in a loop: lines 3 → 2 → 3",
            "line 4: called_by refers to the contact on line 2, which has a problem",
            "line 4: alternate refers to the contact on line 2, which has a problem",
        ]
    );
}

/// A chain of rows (each called by the row after it): the rounds of leaving rows out that
/// reading the file again and again would take, one per link, are found in one pass.
#[test]
fn a_long_chain_behind_a_bad_row_is_left_out_row_by_row() {
    let n = 2_000;
    let rows: Vec<(usize, Contact)> = (0..n)
        .map(|i| {
            let mut c = person(&format!("c{i}"), &format!("Person {i}"));
            c.called_by = (i + 1 < n).then(|| format!("c{}", i + 1));
            if i + 1 == n {
                c.email = Some("not an address".into());
            }
            (i + 2, c)
        })
        .collect();
    let parsed = check_all(rows, TYPES);
    assert!(parsed.contacts.is_empty());
    assert_eq!(parsed.problems.len(), n);
    assert_eq!(
        parsed.problems[0].to_string(),
        "line 2: called_by refers to the contact on line 3, which has a problem"
    );
}

/// Once the rows checked hold 100 problems, later rows' problems are counted, not kept:
/// the first problems by line are all there, a row found bad later among them too.
#[test]
fn problems_past_the_first_hundred_are_counted() {
    let mut first = person("first", "First Person");
    first.called_by = Some("last".into());
    let mut rows = vec![(2, first)];
    for i in 0..300 {
        let mut c = person(&format!("c{i}"), &format!("Person {i}"));
        c.email = Some("not an address".into());
        rows.push((i + 3, c));
    }
    rows.push((303, person("last", "Person 0")));
    let parsed = check_all(rows, TYPES);
    assert!(parsed.contacts.is_empty());
    assert_eq!((parsed.problems.len(), parsed.more_problems), (101, 201));
    let listed: Vec<String> = parsed.problems.iter().take(2).map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "line 2: called_by refers to the contact on line 303, which has a problem",
            "line 3: email is not an email address like name@hospital.example",
        ]
    );
}

/// A loop longer than ten rows is named by its length and its first ten lines, so a loop
/// of n rows takes n short messages (5,000 rows once took a gigabyte).
#[test]
fn a_long_loop_is_named_by_its_length() {
    let ring = |n: usize| -> Vec<(usize, Contact)> {
        (0..n)
            .map(|i| {
                let mut c = person(&format!("c{i}"), &format!("Person {i}"));
                c.called_by = Some(format!("c{}", (i + 1) % n));
                (i + 2, c)
            })
            .collect()
    };
    let first = |n| check_all(ring(n), TYPES).problems[0].to_string();
    assert_eq!(
        first(10),
        "line 2: called_by goes round in a loop: lines 2 → 3 → 4 → 5 → 6 → 7 → 8 → 9 → 10 → 11 → 2"
    );
    assert_eq!(
        first(5_000),
        "line 2: called_by goes round in a loop of 5,000 rows: lines 2 → 3 → 4 → 5 → 6 → 7 → 8 \
         → 9 → 10 → 11 → …"
    );
}

/// A field over its length is one problem, and a role or a list that long is dropped, so
/// no message quotes it nor says something of each of its items.
#[test]
fn a_field_too_long_is_one_problem() {
    let mut c = person("", &"Zoë ".repeat(60));
    c.role = Some("x".repeat(300));
    c.channels = (0..700).map(|i| format!("c{i}")).collect();
    c.notes = Some("n".repeat(2_001));
    c.department = Some("d".repeat(200));
    let parsed = check_all(vec![(2, c)], TYPES);
    let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "line 2: name is longer than 200 characters",
            "line 2: role is longer than 200 characters",
            "line 2: notes is longer than 2,000 characters",
            "line 2: channels is longer than 2,000 characters",
        ]
    );
    assert!(parsed.warnings.is_empty());
}

#[test]
fn nothing_in_nothing_out() {
    assert_eq!(check_all(vec![], TYPES), Parsed::default());
}

mod left_out {
    use proptest::prelude::*;

    use super::super::{Field, left_out_with};

    /// What `left_out_with` stands for: reading the rows in order again and again, until a
    /// round leaves no more out (n rounds for a chain of n, so only for small files).
    fn by_rounds(
        bad: &[bool],
        caller: &[Option<usize>],
        alternate: &[Option<usize>],
    ) -> Vec<(usize, Field, usize)> {
        let mut bad = bad.to_vec();
        let mut out = Vec::new();
        loop {
            let mut changed = false;
            for i in 0..bad.len() {
                if bad[i] {
                    continue;
                }
                for (field, target) in
                    [(Field::CalledBy, caller[i]), (Field::Alternate, alternate[i])]
                {
                    if let Some(j) = target.filter(|&j| bad[j]) {
                        out.push((i, field, j));
                        bad[i] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        out.sort_by_key(|(i, _, _)| *i);
        out
    }

    /// Rows, each maybe bad, maybe referring (by `called_by`, by `alternate`) to another.
    fn rows() -> impl Strategy<Value = (Vec<bool>, Vec<Option<usize>>, Vec<Option<usize>>)> {
        (0usize..12).prop_flat_map(|n| {
            let target = move |i: usize| {
                proptest::option::of(0..n.max(1)).prop_map(move |t| t.filter(|&j| j != i && j < n))
            };
            (
                proptest::collection::vec(proptest::bool::weighted(0.2), n),
                (0..n).map(target).collect::<Vec<_>>(),
                (0..n).map(target).collect::<Vec<_>>(),
            )
        })
    }

    proptest! {
        #[test]
        fn the_same_as_reading_again_and_again((bad, caller, alternate) in rows()) {
            prop_assert_eq!(
                left_out_with(&bad, &caller, &alternate),
                by_rounds(&bad, &caller, &alternate)
            );
        }
    }
}
