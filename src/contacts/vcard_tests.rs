use proptest::prelude::*;

use super::*;
use crate::contacts::testing::{TYPES, contact, ids, messages, tree};

const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/contacts/sample.vcf");

/// Reads a file well under the limits (which `limits_tests` try).
fn parse(bytes: &[u8], incident_types: &[&str]) -> Parsed {
    super::parse(bytes, incident_types).unwrap()
}

#[test]
fn the_sample_is_the_same_tree_as_the_csv_sample() {
    let parsed = parse(SAMPLE, TYPES);
    assert_eq!(messages(&parsed.problems), Vec::<String>::new());
    assert_eq!(
        messages(&parsed.warnings),
        vec!["line 220: channel `sms` is not secure: never use it for patient information"]
    );
    let from_csv = crate::contacts::csv::parse(
        include_bytes!("../../tests/fixtures/contacts/sample.csv"),
        TYPES,
    )
    .unwrap();
    assert_eq!(parsed.contacts.len(), 17);
    assert_eq!(parsed.into_contacts(), from_csv.into_contacts());
}

#[test]
fn the_sample_writes_and_reads_back_the_same() {
    let contacts = parse(SAMPLE, TYPES).into_contacts();
    let written = write(&contacts).unwrap();
    let again = parse(written.as_bytes(), TYPES);
    assert_eq!(again.problems, vec![]);
    assert_eq!(again.into_contacts(), contacts);
}

#[test]
fn what_write_writes() {
    let mut c = blank_contact();
    c.id = "ehr-vendor".into();
    c.name = "Example EHR, Inc.".into();
    c.kind = ContactKind::External;
    c.organisation = Some("Example EHR, Inc.".into());
    c.role = Some("ehr-vendor".into());
    c.support_line = Some("555-0150".into());
    c.mobile_phone = Some("555-0151".into());
    c.email = Some("support@ehr.example".into());
    c.channels = vec!["phone".into(), "work-email".into()];
    c.notes = Some("Sev 1; ask for \"hospital down\"\nthen wait".into());
    let text = write(std::slice::from_ref(&c)).unwrap();
    assert_eq!(
        text,
        "BEGIN:VCARD\r\n\
         VERSION:4.0\r\n\
         KIND:org\r\n\
         FN:Example EHR\\, Inc.\r\n\
         TEL;TYPE=cell:555-0151\r\n\
         EMAIL;TYPE=work:support@ehr.example\r\n\
         ROLE:ehr-vendor\r\n\
         ORG:Example EHR\\, Inc.\r\n\
         NOTE:Sev 1; ask for \"hospital down\"\\nthen wait\r\n\
         X-CAREGIVER-ID:ehr-vendor\r\n\
         X-CAREGIVER-KIND:external\r\n\
         X-CAREGIVER-CONTACT-ROLE:ehr-vendor\r\n\
         X-CAREGIVER-SUPPORT-LINE:555-0150\r\n\
         X-CAREGIVER-CHANNELS:phone;work-email\r\n\
         X-CAREGIVER-ESCALATE-AFTER:10\r\n\
         END:VCARD\r\n"
    );
    assert_eq!(parse(text.as_bytes(), TYPES).into_contacts(), vec![c]);
}

#[test]
fn an_email_the_vcard_crate_refuses_is_an_error_not_a_panic() {
    let mut c = blank_contact();
    c.id = "pat".into();
    c.name = "Pat".into();
    c.email = Some("pat@@example".into());
    let e = write(&[blank_contact(), c]).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().starts_with("vCard export: contact 2 of 2:"), "{e}");
    assert!(!e.to_string().contains("pat@"), "{e}");
}

#[test]
fn a_card_without_end_is_a_problem_at_its_begin_line() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/no-end.vcf"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 6: the card has no END:VCARD: it is cut off",
            "line 10: X-CAREGIVER-CALLED-BY refers to the contact on line 6, which has a problem",
            "line 15: the card has no END:VCARD: it is cut off",
        ]
    );
    assert_eq!(ids(&parsed), vec!["alex"]);
}

#[test]
fn version_2_1_is_refused_and_3_0_is_read() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/version21.vcf"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec!["line 1: vCard 2.1 is not supported: export the contacts as vCard 3.0 or 4.0"]
    );
    assert_eq!(ids(&parsed), vec!["blair-example"]);
    let blair = contact(&parsed, "blair-example");
    assert_eq!(parsed.contacts[0].0, 7);
    assert_eq!(blair.mobile_phone.as_deref(), Some("(555) 555-0102"));
    assert_eq!(blair.kind, ContactKind::Internal);
}

#[test]
fn latin_1_text_is_a_problem_at_its_line() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/latin1.vcf"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec!["line 7: the text is not UTF-8: export the contacts as UTF-8"]
    );
    assert_eq!(ids(&parsed), vec!["alex-example"]);
}

#[test]
fn loops_unknown_callers_and_the_same_person_twice() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/cycle.vcf"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 1: X-CAREGIVER-CALLED-BY goes round in a loop: lines 1 → 7 → 1",
            "line 7: X-CAREGIVER-CALLED-BY goes round in a loop: lines 7 → 1 → 7",
            "line 13: X-CAREGIVER-CALLED-BY names no contact in this file",
            "line 19: duplicate person: same name as line 1",
        ]
    );
    assert!(parsed.contacts.is_empty());
}

#[test]
fn a_phone_export_imports_as_internal_contacts() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/phone-export.vcf"), TYPES);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(
        messages(&parsed.warnings),
        vec![
            "line 1: an extra TEL was left out: one work, one cell and one pager number are kept",
            "line 19: an extra EMAIL was left out: one address is kept",
            "line 19: ROLE is not a standard contact role: it was left out",
        ]
    );
    assert_eq!(
        ids(&parsed),
        vec!["pat-example", "quinn-sample", "robin-placeholder", "sky-sample"]
    );
    let lines: Vec<usize> = parsed.contacts.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![1, 19, 29, 34]);

    let pat = contact(&parsed, "pat-example");
    let expected = Contact {
        id: "pat-example".into(),
        name: "Pat Example".into(),
        position: Some("Charge Nurse".into()),
        organisation: Some("Example Health".into()),
        department: Some("Radiology".into()),
        mobile_phone: Some("(555) 555-0131".into()),
        work_phone: Some("(555) 555-0132".into()),
        email: Some("pat.example@hospital.example".into()),
        notes: Some("Cover for the, night shift\nsecond line".into()),
        ..blank_contact()
    };
    assert_eq!(pat, &expected);

    let quinn = contact(&parsed, "quinn-sample");
    assert_eq!(quinn.work_phone.as_deref(), Some("+1-555-555-0134 x12"));
    assert_eq!(quinn.pager.as_deref(), Some("555-0135"));
    assert_eq!(quinn.email.as_deref(), Some("quinn.sample@hospital.example"));
    assert_eq!(quinn.role, None);

    // An old phone's bare parameters (TEL;CELL:) in a 3.0 card.
    let sky = contact(&parsed, "sky-sample");
    assert_eq!(sky.mobile_phone.as_deref(), Some("555-0137"));
    assert_eq!(sky.work_phone.as_deref(), Some("555-0138"));
    assert_eq!(sky.email.as_deref(), Some("sky.sample@hospital.example"));

    let robin = contact(&parsed, "robin-placeholder");
    assert_eq!(robin.work_phone.as_deref(), Some("555-0136"));
    assert_eq!(robin.escalate_after_minutes, crate::contacts::DEFAULT_ESCALATE_MINUTES);
}

#[test]
fn problems_in_the_cards_own_words() {
    let file = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Pat Example\r\nTEL;TYPE=cell:call me\r\n\
                X-CAREGIVER-KIND:vendor\r\nX-CAREGIVER-ID:pat\r\nX-CAREGIVER-ID:pat2\r\n\
                X-CAREGIVER-FAVOURITE-COLOUR:blue\r\nEND:VCARD\r\n";
    let parsed = parse(file.as_bytes(), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 1: X-CAREGIVER-KIND must be internal or external",
            "line 1: X-CAREGIVER-ID appears twice",
            "line 1: TEL;TYPE=cell is not a phone number: use digits, spaces and + - ( ) ., \
             an extension as x123 or ext 123, 3 to 32 characters",
        ]
    );
    assert_eq!(
        messages(&parsed.warnings),
        vec![
            "line 1: X-CAREGIVER-FAVOURITE-COLOUR is not a property this app knows: it was ignored"
        ]
    );
}

#[test]
fn syntax_problems_at_their_own_line() {
    let file = "\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Pat Example\r\nPHOTO:junk that is dropped\r\n\
                EMAIL;TYPE=work:not-an-address\r\nEND:VCARD\r\n\
                BEGIN:VCARD\r\nVERSION:4.0\r\nN:Example;Alex\r\nEND:VCARD\r\n\
                stray text\r\nmore stray text\r\n\
                BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Blair Example\r\nEND:VCARD\r\n\
                BEGIN:VCARD\r\nFN:Casey Example\r\nEND:VCARD\r\n";
    let parsed = parse(file.as_bytes(), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 6: the value of the property EMAIL is invalid",
            "line 8: the card has no FN (its name)",
            "line 12: text outside a card (a card starts with BEGIN:VCARD)",
            "line 18: the card has no VERSION",
        ]
    );
    assert_eq!(ids(&parsed), vec!["blair-example"]);
}

#[test]
fn files_with_no_cards() {
    for (file, expected) in [
        (&b""[..], "line 1: the file has no cards (each starts with BEGIN:VCARD)"),
        (b"\xEF\xBB\xBF\r\n", "line 1: the file has no cards (each starts with BEGIN:VCARD)"),
        (b"\xFF\xFEB\0", "line 1: the file is UTF-16 text: export the contacts as UTF-8"),
        (b"name,phone\r\n", "line 1: text outside a card (a card starts with BEGIN:VCARD)"),
    ] {
        assert_eq!(messages(&parse(file, TYPES).problems), vec![expected], "{file:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn write_then_parse_gives_back_the_same_contacts((contacts, problems) in tree()) {
        prop_assert_eq!(problems, vec![]);
        let text = write(&contacts).unwrap();
        let parsed = parse(text.as_bytes(), TYPES);
        prop_assert_eq!(&parsed.problems, &vec![]);
        prop_assert_eq!(parsed.into_contacts(), contacts);
    }

    #[test]
    fn any_bytes_give_problems_not_a_panic(lines in prop::collection::vec(
        prop_oneof![
            Just("BEGIN:VCARD".to_owned()),
            Just("END:VCARD".to_owned()),
            Just("VERSION:4.0".to_owned()),
            Just("VERSION:3.0".to_owned()),
            Just("FN:A".to_owned()),
            "[ A-Z;:=,\\\\\"-]{0,20}",
            "X-CAREGIVER-[A-Z-]{0,12}:[a-z;,]{0,8}",
            "TEL;TYPE=[a-z]{0,5}:[0-9x ]{0,8}",
        ],
        0..40,
    ), junk in prop::collection::vec(any::<u8>(), 0..40)) {
        let mut file = lines.join("\r\n").into_bytes();
        file.extend(junk);
        let parsed = parse(&file, TYPES);
        for pair in parsed.problems.windows(2) {
            prop_assert!(pair[0].line <= pair[1].line);
        }
    }
}
