use proptest::prelude::*;

use super::*;
use ::csv::{ReaderBuilder, StringRecord};

use crate::csv_table::RowProblem;

use crate::contacts::ContactKind;
use crate::contacts::testing::{TYPES, contact, ids, messages, tree};

const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/contacts/sample.csv");

/// Reads a file well under the limits (which `limits_tests` try).
fn parse(bytes: &[u8], incident_types: &[&str]) -> Parsed {
    super::parse(bytes, incident_types).unwrap()
}

#[test]
fn the_columns_are_the_fields_in_order() {
    let columns: Vec<&str> = Field::ALL.iter().map(|f| f.column()).collect();
    assert_eq!(columns, COLUMNS);
}

#[test]
fn the_sample_reads_whole() {
    let parsed = parse(SAMPLE, TYPES);
    assert_eq!(messages(&parsed.problems), Vec::<String>::new());
    assert_eq!(
        messages(&parsed.warnings),
        vec!["line 16: channel `sms` is not secure: never use it for patient information"]
    );
    assert_eq!(
        ids(&parsed),
        vec![
            "ic-morgan",
            "house-sup-riley",
            "it-service-desk",
            "zoe-fictional",
            "privacy-jose",
            "legal-sam",
            "cno-wang",
            "ehr-vendor",
            "cyber-insurer",
            "ir-firm",
            "fbi-field-office",
            "ic3",
            "hhs-ocr",
            "state-health",
            "health-isac",
            "nearby-hospital",
            "ems-dispatch",
        ]
    );
    // Line numbers count the multi-line note of legal counsel.
    let lines: Vec<usize> = parsed.contacts.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);

    let legal = contact(&parsed, "legal-sam");
    assert_eq!(legal.name, "Sam Placeholder, Esq.");
    assert_eq!(
        legal.notes.as_deref(),
        Some(
            "Say \"privileged & confidential; prepared at the direction of counsel\" on \
             every email.\nCalls the insurer before the IR firm."
        )
    );
    assert_eq!(legal.called_by.as_deref(), Some("ic-morgan"));
    assert_eq!(legal.alternate.as_deref(), Some("privacy-jose"));

    let vendor = contact(&parsed, "ehr-vendor");
    assert_eq!(vendor.kind, ContactKind::External);
    assert_eq!(vendor.role.as_deref(), Some("ehr-vendor"));
    assert_eq!(vendor.support_line.as_deref(), Some("+1 (555) 555-0150 x2"));
    assert_eq!(vendor.contract_ref.as_deref(), Some("MSA-0042; BAA-2024-017"));
    assert_eq!(vendor.incident_types, vec!["ehr-downtime", "ransomware", "vendor-breach"]);

    let insurer = contact(&parsed, "cyber-insurer");
    assert_eq!(insurer.policy_number.as_deref(), Some("CYB-0000-1234-EX"));
    assert_eq!(insurer.claim_line.as_deref(), Some("1-555-555-0160"));
    assert_eq!(insurer.escalate_after_minutes, 60);

    let zoe = contact(&parsed, "zoe-fictional");
    assert_eq!(zoe.name, "Zoë Fictional");
    assert_eq!(zoe.channels, vec!["mobile", "pager", "work-email"]);
    assert_eq!(contact(&parsed, "cno-wang").name, "王示例");
    assert_eq!(contact(&parsed, "ic-morgan").called_by, None);
}

#[test]
fn the_sample_writes_and_reads_back_the_same() {
    let contacts = parse(SAMPLE, TYPES).into_contacts();
    let written = write(&contacts).unwrap();
    let again = parse(&written, TYPES);
    assert_eq!(again.problems, vec![]);
    assert_eq!(again.into_contacts(), contacts);
}

#[test]
fn what_write_writes() {
    let mut c = blank_contact();
    c.id = "pat".into();
    c.name = "=HYPERLINK(\"x\")".into();
    c.work_phone = Some("+1 555 555 0100".into());
    c.notes = Some("'quoted' and, \"more\"\nnext line".into());
    c.channels = vec!["phone".into(), "sms".into()];
    let bytes = write(std::slice::from_ref(&c)).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    let (header, rest) = text.split_once("\r\n").unwrap();
    assert_eq!(header, COLUMNS.join(","));
    assert_eq!(
        rest,
        "pat,\"'=HYPERLINK(\"\"x\"\")\",internal,,,,,'+1 555 555 0100,,,,,,,,,,phone;sms,\
         \"''quoted' and, \"\"more\"\"\nnext line\",,,10,,\r\n"
    );
    let back = parse(&bytes, TYPES);
    assert_eq!(back.into_contacts(), vec![c]);
}

#[test]
fn a_spreadsheet_header_in_any_order_and_case_with_a_bom() {
    let file = "\u{feff}Name,Work Phone,ORGANIZATION,Called-By,Id\r\n\
                Alex Example,555-0100,Example Health,,alex\r\n\
                Blair Example,,,Alex Example,\r\n\
                ,,,,\r\n\r\n";
    let parsed = parse(file.as_bytes(), TYPES);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(ids(&parsed), vec!["alex", "blair-example"]);
    let alex = contact(&parsed, "alex");
    assert_eq!(alex.work_phone.as_deref(), Some("555-0100"));
    assert_eq!(alex.organisation.as_deref(), Some("Example Health"));
    assert_eq!(contact(&parsed, "blair-example").called_by.as_deref(), Some("alex"));
}

#[test]
fn columns_separated_by_semicolons() {
    let file = "id;name;channels;notes\nalex;Alex Example;\"phone;mobile\";\"a, b; c\"\n";
    let parsed = parse(file.as_bytes(), TYPES);
    assert_eq!(parsed.problems, vec![]);
    let alex = contact(&parsed, "alex");
    assert_eq!(alex.channels, vec!["phone", "mobile"]);
    assert_eq!(alex.notes.as_deref(), Some("a, b; c"));
}

#[test]
fn kind_and_minutes_as_people_write_them() {
    let file = "name,kind,escalate_after_minutes\n\
                A One,External,1 hour\nB Two,,\nC Three,vendor,soon\nD Four,internal,0\n";
    let parsed = parse(file.as_bytes(), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 4: kind must be internal or external",
            "line 4: escalate_after_minutes must be a whole number of minutes from 1 to 1440",
            "line 5: escalate_after_minutes must be from 1 to 1440 minutes",
        ]
    );
    let a = contact(&parsed, "a-one");
    assert_eq!((a.kind, a.escalate_after_minutes), (ContactKind::External, 60));
    let b = contact(&parsed, "b-two");
    assert_eq!((b.kind, b.escalate_after_minutes), (ContactKind::Internal, 10));
}

#[test]
fn an_unknown_column_is_a_problem_at_line_1_and_its_cells_are_ignored() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/unknown-column.csv"), TYPES);
    assert_eq!(lines(&parsed.problems), vec![1]);
    assert!(
        parsed.problems[0].message.starts_with("unknown column `emial` (its cells were ignored)")
    );
    assert_eq!(ids(&parsed), vec!["alex-one", "blair-two"]);
    assert_eq!(contact(&parsed, "alex-one").email, None);
}

#[test]
fn a_missing_name_column_reads_nothing() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/missing-name.csv"), TYPES);
    assert_eq!(lines(&parsed.problems), vec![1, 1]);
    assert_eq!(parsed.problems[0].message, "the column `name` is missing");
    assert!(parsed.problems[1].message.starts_with("unknown column `full_name`"));
    assert!(parsed.contacts.is_empty());
}

#[test]
fn headers_that_cannot_be_used() {
    for (file, expected) in [
        (&b""[..], "line 1: the file is empty: its first line must name the columns"),
        (
            b"\xEF\xBB\xBF\r\n\r\n",
            "line 1: the file is empty: its first line must name the columns",
        ),
        (
            b"\xFF\xFEn\0a\0",
            "line 1: the file is UTF-16 text (\"Unicode text\"): save it as \"CSV UTF-8\" instead",
        ),
        (b"name,id,Name\nA,a,A\n", "line 1: the column `name` appears twice"),
        (
            b"id,n\xE4me\n",
            "line 1: the column names are not UTF-8 text: save the file as \"CSV UTF-8\"",
        ),
        (b"id,\"name\n", "line 1: a column name opens a quote that is not closed on its line"),
    ] {
        let parsed = parse(file, TYPES);
        assert_eq!(messages(&parsed.problems), vec![expected], "{file:?}");
        assert!(parsed.contacts.is_empty());
    }
    // A file without a header: its first row's values are not repeated back.
    let parsed = parse(b"Pat Example,555-0100\nAlex Example,555-0101\n", TYPES);
    assert_eq!(lines(&parsed.problems), vec![1]);
    assert!(parsed.problems[0].message.starts_with("the first line must name the columns"));
    assert!(!parsed.problems[0].message.contains("Pat"));
}

fn lines(problems: &[RowProblem]) -> Vec<usize> {
    problems.iter().map(|p| p.line).collect()
}

#[test]
fn latin_1_text_is_a_problem_at_its_line() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/latin1.csv"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 3: the text is not UTF-8 (an accented letter saved in another encoding?): \
             save the file as \"CSV UTF-8\"",
            "line 4: called_by refers to the contact on line 3, which has a problem",
        ]
    );
    assert_eq!(ids(&parsed), vec!["alex-one", "eli-five"]);
}

#[test]
fn latin_1_in_the_second_line_of_a_note_is_reported_there() {
    let parsed = parse(b"name,notes\nAlex One,\"first\nsecond \xE9\"\nBlair Two,\n", TYPES);
    assert_eq!(lines(&parsed.problems), vec![3]);
    assert_eq!(ids(&parsed), vec!["blair-two"]);
}

#[test]
fn the_same_person_twice() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/duplicate-people.csv"), TYPES);
    assert_eq!(messages(&parsed.problems), vec!["line 4: duplicate person: same name as line 2"]);
    // José Díaz and Jose Diaz are different people with the same id made from the name.
    assert_eq!(ids(&parsed), vec!["alex-example", "blair-example", "jose-diaz", "jose-diaz-2"]);
}

const CUT_OFF: &str =
    "line {}: a quoted cell opens on this line and is not closed: add the closing quote (\")";

fn cut_off(line: usize) -> String {
    CUT_OFF.replace("{}", &line.to_string())
}

#[test]
fn a_cut_off_quote_is_reported_where_it_opens_and_the_rows_after_it_are_read() {
    // Without the scanner, the csv crate reads lines 3 and 4 as one row whose name runs
    // over a line break.
    let bytes = include_bytes!("../../tests/fixtures/contacts/cut-off-quote.csv");
    let mut plain = ReaderBuilder::new().flexible(true).from_reader(&bytes[..]);
    let swallowed: Vec<StringRecord> = plain.records().map(Result::unwrap).collect();
    assert_eq!(
        swallowed[1].get(1),
        Some("Blair Two,internal,,alex-one\r\ncasey-three,Casey Three,internal,Line one")
    );

    let parsed = parse(bytes, TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![cut_off(3), "line 6: called_by names no contact in this file".to_owned()]
    );
    assert_eq!(ids(&parsed), vec!["alex-one", "casey-three", "eli-five"]);
    let lines: Vec<usize> = parsed.contacts.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![2, 4, 7]);
    // The note's CRLF (an Excel file's line end) is kept as a plain line break.
    assert_eq!(contact(&parsed, "casey-three").notes.as_deref(), Some("Line one\nline two"));
    assert_eq!(contact(&parsed, "eli-five").notes.as_deref(), Some("Ends \"well\""));
}

#[test]
fn a_quote_cut_off_at_the_end_of_the_file() {
    // The csv crate ends the cell at the end of the file without a word.
    let bytes = include_bytes!("../../tests/fixtures/contacts/cut-off-quote-at-end.csv");
    let mut plain = ReaderBuilder::new().flexible(true).from_reader(&bytes[..]);
    assert_eq!(plain.records().filter(Result::is_ok).count(), 2);

    let parsed = parse(bytes, TYPES);
    assert_eq!(messages(&parsed.problems), vec![cut_off(3)]);
    assert_eq!(ids(&parsed), vec!["alex-one", "casey-three"]);
}

#[test]
fn a_quote_cut_off_in_the_notes() {
    let parsed =
        parse(include_bytes!("../../tests/fixtures/contacts/cut-off-quote-in-notes.csv"), TYPES);
    assert_eq!(messages(&parsed.problems), vec![cut_off(2)]);
    assert_eq!(ids(&parsed), vec!["blair-two", "casey-three"]);
    assert_eq!(contact(&parsed, "casey-three").notes.as_deref(), Some("Two \"lines\"\nhere"));
}

#[test]
fn a_line_break_in_a_cell_is_not_a_cut_off_quote() {
    let file = "name,position,notes\r\n\
                Alex One,\"Director\r\nIT Security\",\"two\r\nlines\"\r\n\
                Blair Two,Nurse,\r\n";
    let parsed = parse(file.as_bytes(), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec!["line 2: position has a control character or a line break"]
    );
    assert_eq!(ids(&parsed), vec!["blair-two"]);
    assert_eq!(parsed.contacts[0].0, 5);
}

#[test]
fn a_loop_in_called_by() {
    let parsed = parse(include_bytes!("../../tests/fixtures/contacts/cycle.csv"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 2: called_by goes round in a loop: lines 2 → 4 → 3 → 2",
            "line 3: called_by goes round in a loop: lines 3 → 2 → 4 → 3",
            "line 4: called_by goes round in a loop: lines 4 → 3 → 2 → 4",
            "line 6: called_by refers to the contact on line 2, which has a problem",
        ]
    );
    assert_eq!(ids(&parsed), vec!["drew"]);
}

#[test]
fn an_unknown_called_by_and_its_dependants() {
    let parsed =
        parse(include_bytes!("../../tests/fixtures/contacts/unknown-called-by.csv"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 3: called_by names no contact in this file",
            "line 4: called_by refers to the contact on line 3, which has a problem",
            "line 5: alternate refers to the contact on line 3, which has a problem",
        ]
    );
    assert_eq!(ids(&parsed), vec!["alex", "eli"]);
    // Eli's caller was named by name: it is stored as the id.
    assert_eq!(contact(&parsed, "eli").called_by.as_deref(), Some("alex"));
}

#[test]
fn rows_with_the_wrong_number_of_cells() {
    let parsed =
        parse(include_bytes!("../../tests/fixtures/contacts/wrong-field-count.csv"), TYPES);
    assert_eq!(
        messages(&parsed.problems),
        vec![
            "line 3: the row has 4 cells, the header has 3",
            "line 4: the row has 2 cells, the header has 3"
        ]
    );
    assert_eq!(ids(&parsed), vec!["alex", "drew"]);
}

#[test]
fn the_formula_guard_comes_off_only_where_write_put_it() {
    let file = "name,notes\n'Ohana Clinic,'=1+1\nB Two,''x\nC Three,'\n";
    let parsed = parse(file.as_bytes(), TYPES);
    let names: Vec<(&str, Option<&str>)> =
        parsed.contacts.iter().map(|(_, c)| (c.name.as_str(), c.notes.as_deref())).collect();
    assert_eq!(
        names,
        vec![("'Ohana Clinic", Some("=1+1")), ("B Two", Some("'x")), ("C Three", Some("'"))]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn write_then_parse_gives_back_the_same_contacts((contacts, problems) in tree()) {
        prop_assert_eq!(problems, vec![]);
        let bytes = write(&contacts).unwrap();
        let parsed = parse(&bytes, TYPES);
        prop_assert_eq!(&parsed.problems, &vec![]);
        prop_assert_eq!(parsed.into_contacts(), contacts);
    }

    #[test]
    fn any_bytes_give_problems_not_a_panic(bytes in prop::collection::vec(
        prop_oneof![Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b';'), Just(0xE9), any::<u8>(), b'a'..b'f'],
        0..300,
    )) {
        let mut file = b"id,name,notes,called_by\n".to_vec();
        file.extend(bytes);
        let parsed = parse(&file, TYPES);
        for pair in parsed.problems.windows(2) {
            prop_assert!(pair[0].line <= pair[1].line);
        }
    }
}
