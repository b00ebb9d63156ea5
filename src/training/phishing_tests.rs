//! Importing campaign results: GoPhish's export as it is, the simple CSV, and every bad
//! line reported with its number.

use super::*;

const GOPHISH: &[u8] = include_bytes!("../../tests/fixtures/phishing/gophish-results.csv");

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// The lines of the rows that are clicked, and of those that are reported.
fn clickers_and_reporters(rows: &[PhishRow]) -> (Vec<usize>, Vec<usize>) {
    (
        rows.iter().filter(|r| r.clicked).map(|r| r.line).collect(),
        rows.iter().filter(|r| r.reported).map(|r| r.line).collect(),
    )
}

fn problems(bytes: &[u8]) -> Vec<(usize, String)> {
    match parse_results(bytes) {
        Ok(rows) => panic!("expected problems, got {rows:?}"),
        Err(Refused::Problems(p)) => p.first.into_iter().map(|p| (p.line, p.message)).collect(),
        Err(Refused::Limit(e)) => panic!("expected problems, got {e}"),
    }
}

#[test]
fn gophish_export_clickers_and_reporters() {
    let rows = parse_results(GOPHISH).unwrap();
    assert_eq!(rows.len(), 14);
    assert_eq!(rows.first().map(|r| r.line), Some(2));
    let names = |pick: fn(&PhishRow) -> bool| -> Vec<&str> {
        rows.iter().filter(|r| pick(r)).map(|r| r.name.as_deref().unwrap()).collect()
    };
    // Clicked Link or Submitted Data.
    assert_eq!(
        names(|r| r.clicked),
        ["Omar Orderly", "Paula Pharmacist", "Sam Surgeon", "Wendy Wardmanager", "Zoe Zeal"]
    );
    // reported = true, or the status Email Reported; Raj reported without opening, Uma
    // after opening, Sam and Wendy after clicking.
    assert_eq!(
        names(|r| r.reported),
        ["Raj Radiographer", "Sam Surgeon", "Tara Triage", "Uma Unitclerk", "Wendy Wardmanager"]
    );
    // Opened only, sent only, an error, not yet sent: neither.
    assert_eq!(
        names(|r| !r.clicked && !r.reported),
        [
            "Nina Nurse",
            "Victor Volunteer",
            "Xavier Xray",
            "Yara Registrar",
            "Dev Dietitian",
            "Ben Biomed"
        ]
    );
    assert_eq!(clickers_and_reporters(&rows), (vec![3, 4, 6, 10, 13], vec![5, 6, 7, 8, 10]));

    let omar = &rows[1];
    assert_eq!(
        *omar,
        PhishRow {
            line: 3,
            email: Some("omar.orderly@example.org".into()),
            name: Some("Omar Orderly".into()),
            clicked: true,
            reported: false,
            time: Some(utc("2024-01-15T15:22:31.123456789Z")),
        }
    );
    // Every row has its time; a position with a comma in it (quoted) does not shift columns.
    assert!(rows.iter().all(|r| r.time.is_some() && r.email.is_some()));
    assert_eq!(rows[11].email.as_deref(), Some("zoe.zeal@example.org"));
    assert_eq!(rows[13].time, Some(utc("2024-01-15T14:00:04.07Z")));
}

#[test]
fn gophish_export_with_a_byte_order_mark_lf_lines_or_columns_moved() {
    let want = parse_results(GOPHISH).unwrap();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(GOPHISH);
    assert_eq!(parse_results(&with_bom).unwrap(), want);
    let text = std::str::from_utf8(GOPHISH).unwrap();
    let lf = text.replace("\r\n", "\n") + "\n";
    assert_eq!(parse_results(lf.as_bytes()).unwrap(), want);

    // Columns found by name: a different order, and a column a later version might add.
    let moved = "email,first_name,last_name,status,reported,modified_date,department\n\
                 omar.orderly@example.org,Omar,Orderly,Clicked Link,false,2024-01-15T10:22:31-05:00,Pharmacy\n";
    let rows = parse_results(moved.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].clicked && !rows[0].reported);
    assert_eq!(rows[0].time, Some(utc("2024-01-15T15:22:31Z")));
}

#[test]
fn gophish_details_formula_guards_zero_times_and_missing_names() {
    let text = "id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position\n\
        a1,Email Sent,,0,0,2024-01-15T09:00:00Z,FALSE,0001-01-01T00:00:00Z,x@example.org,'=Eve,'-Smith,\n\
        a2,clicked link,,0,0,2024-01-15T09:00:00Z,TRUE,,y@example.org,,,\n";
    let rows = parse_results(text.as_bytes()).unwrap();
    assert_eq!(rows[0].name.as_deref(), Some("=Eve -Smith"));
    assert_eq!(rows[0].time, None, "Go's zero time means never");
    assert!(!rows[0].clicked && !rows[0].reported);
    assert_eq!(rows[1].name, None);
    assert_eq!(rows[1].time, None);
    assert!(rows[1].clicked && rows[1].reported);
}

#[test]
fn the_simple_csv() {
    let text = "email,name,clicked,reported,time\n\
        nina.nurse@example.org,Nina Nurse,no,yes,2024-01-15T10:22:31-05:00\n\
        ,Omar Orderly,YES,No,2024-01-15T15:22:31Z\n\
        paula.pharmacist@example.org,,true,false,\n\
        raj.radiographer@example.org,Raj Radiographer,1,0,2024-01-15 10:22:31+05:30\n\
        sam.surgeon@example.org,Sam Surgeon,False,TRUE,\n";
    let rows = parse_results(text.as_bytes()).unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(clickers_and_reporters(&rows), (vec![3, 4, 5], vec![2, 6]));
    assert_eq!(rows[0].time, Some(utc("2024-01-15T15:22:31Z")));
    assert_eq!(rows[1].email, None);
    assert_eq!(rows[1].name.as_deref(), Some("Omar Orderly"));
    assert_eq!(rows[2].name, None);
    assert_eq!(rows[2].time, None);
    assert_eq!(rows[3].time, Some(utc("2024-01-15T04:52:31Z")));

    // Any order; the name column or the email column, or the time, may be left out.
    let rows = parse_results(b"reported,clicked,name\r\nyes,no,Nina Nurse\r\n").unwrap();
    assert_eq!(rows[0].name.as_deref(), Some("Nina Nurse"));
    assert!(rows[0].reported && !rows[0].clicked);
    let rows = parse_results(b"Email , Clicked, Reported\nnina.nurse@example.org,0,1\n").unwrap();
    assert_eq!(rows[0].email.as_deref(), Some("nina.nurse@example.org"));

    // A byte-order mark (as Excel's "CSV UTF-8" writes) is not part of the first column.
    let rows =
        parse_results(b"\xEF\xBB\xBFemail,clicked,reported\r\nx@example.org,no,no\r\n").unwrap();
    assert_eq!(rows[0].line, 2);

    // Only a header: no rows, no problem.
    assert_eq!(parse_results(b"email,name,clicked,reported,time\n").unwrap(), vec![]);
}

#[test]
fn blank_lines_empty_rows_and_multi_line_values_keep_the_line_numbers_true() {
    let text = "email,name,clicked,reported\n\
        \n\
        nina.nurse@example.org,\"Nina\nNurse\",no,no\n\
        ,,,\n\
        omar.orderly@example.org,Omar Orderly,maybe,no\n";
    assert_eq!(
        problems(text.as_bytes()),
        [(6, "`clicked` must be yes, no, true, false, 1 or 0".to_owned())]
    );
}

#[test]
fn a_bad_header_is_reported_on_line_1() {
    let simple = "email,name,clicked,reported,time";
    let cases: &[(&[u8], &[&str])] = &[
        (b"", &["the file is empty: the first line must name the columns"]),
        (b"\n\n", &["the file is empty: the first line must name the columns"]),
        (
            b"nina.nurse@example.org,Nina Nurse,yes,no\n",
            &[
                "the first line must name the columns: either GoPhish's results export (id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position) or email,name,clicked,reported,time",
            ],
        ),
        (
            b"email,name,clicked,reportd,time\n",
            &[
                "column 4 of the header is not one of email, name, clicked, reported, time",
                "the header has no `reported` column",
            ],
        ),
        (b"email,clicked,reported,clicked\n", &["the header names the column `clicked` twice"]),
        (
            b"clicked,reported,time\n",
            &["the header needs an `email` column, a `name` column, or both"],
        ),
        (
            b"id,status,reported,modified_date,email,first_name\n",
            &["the header looks like GoPhish's results export, but has no `last_name` column"],
        ),
        (
            b"email,n\xffme,clicked,reported\n",
            &["this line is not UTF-8 text: save the file as CSV UTF-8"],
        ),
    ];
    for (bytes, want) in cases {
        let got = problems(bytes);
        let want: Vec<(usize, String)> = want.iter().map(|m| (1, (*m).to_owned())).collect();
        assert_eq!(got, want, "{}", String::from_utf8_lossy(bytes));
    }
    assert!(parse_results(simple.as_bytes()).unwrap().is_empty());
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let simple = b"email,name,clicked,reported,time\n\
        nina.nurse@example.org,Nina Nurse,no,yes,\n\
        omar.orderly@example.org,Omar Orderly,maybe,perhaps,\n\
        paula.pharmacist@example.org,Paula Pharmacist,no,no,15/01/2024 10:22\n\
        raj.radiographer@example.org,Raj Radiographer,no\n\
        ,,yes,no,\n\
        sam.surgeon at example.org,Sam Surgeon,no,no,\n\
        NINA.NURSE@example.org,Nina Nurse,no,no,\n\
        tara.triage@example.org,Tara \xe9Triage,no,no,\n\
        uma.unitclerk@example.org,Uma Unitclerk,no,no,2024-01-15T10:22:31\n\
        victor.volunteer@example.org,Victor Volunteer,yes,no,\n";
    let want: &[(usize, &str)] = &[
        (3, "`clicked` must be yes, no, true, false, 1 or 0"),
        (3, "`reported` must be yes, no, true, false, 1 or 0"),
        (
            4,
            "`time` is not a date and time with its UTC offset, like 2024-01-15T10:22:31-05:00 or 2024-01-15T15:22:31Z",
        ),
        (5, "this line has 3 values, but the header names 5 columns"),
        (6, "the row has neither an email address nor a name"),
        (7, "`email` is not an email address"),
        (8, "this email address is already on line 2"),
        (9, "this line is not UTF-8 text: save the file as CSV UTF-8"),
        (
            10,
            "`time` is not a date and time with its UTC offset, like 2024-01-15T10:22:31-05:00 or 2024-01-15T15:22:31Z",
        ),
    ];
    let want: Vec<(usize, String)> = want.iter().map(|(l, m)| (*l, (*m).to_owned())).collect();
    assert_eq!(problems(simple), want);

    let gophish = b"id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position\n\
        a1,Email Opened,,0,0,,false,2024-01-15T09:47:13-05:00,nina.nurse@example.org,Nina,Nurse,\n\
        a2,Clicked Lnk,,0,0,,false,2024-01-15T09:47:13-05:00,omar.orderly@example.org,Omar,Orderly,\n\
        a3,Email Sent,,0,0,,yes please,2024-01-15T09:47:13-05:00,paula.pharmacist@example.org,Paula,Pharmacist,\n\
        a4,Email Sent,,0,0,,false,15/01/2024,raj.radiographer@example.org,Raj,Radiographer,\n\
        a5,Email Sent,,0,0,,false,,,,,\n\
        a6,Email Sent,,0,0,,false,2024-01-15T09:47:13-05:00,sam.surgeon@example.org,Sam\n";
    let want: &[(usize, &str)] = &[
        (
            3,
            "`status` is not a GoPhish status: expected one of Scheduled, Queued, Sending, Retrying, Email Sent, Error, Error Sending Email, Email Opened, Clicked Link, Submitted Data, Email Reported, Unknown",
        ),
        (4, "`reported` must be true or false"),
        (
            5,
            "`modified_date` is not a date and time as GoPhish writes it, like 2024-01-15T10:22:31-05:00",
        ),
        (6, "the row has neither an email address nor a name"),
        (7, "this line has 10 values, but the header names 12 columns"),
    ];
    let want: Vec<(usize, String)> = want.iter().map(|(l, m)| (*l, (*m).to_owned())).collect();
    assert_eq!(problems(gophish), want);
}

#[test]
fn problems_never_quote_names_or_addresses() {
    let text = "email,name,clicked,reported,time\n\
        nina.nurse@example,Nina Nurse,maybe,no,soon\n\
        ,Omar Orderly,yes,\n\
        paula@@example.org,Paula Pharmacist,,,\n";
    let all = problems(text.as_bytes());
    assert!(all.len() >= 5, "{all:?}");
    for (_, message) in &all {
        for secret in ["nina", "Nina", "Omar", "paula", "Paula", "example", "maybe", "soon"] {
            assert!(!message.contains(secret), "{message}");
        }
    }
    let shown = PhishProblem { line: 7, message: "m".into() }.to_string();
    assert_eq!(shown, "line 7: m");
}

mod never_panics {
    use proptest::prelude::*;

    use super::super::parse_results;
    use super::GOPHISH;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any bytes at all: rows or problems, never a panic, and problems on real lines.
        #[test]
        fn on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Err(refused) = parse_results(&bytes) {
                let super::super::Refused::Problems(problems) = refused else {
                    return Err(TestCaseError::fail("a file this small is under every limit"));
                };
                prop_assert!(!problems.is_empty());
                let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
                for p in problems.first {
                    prop_assert!(p.line >= 1 && p.line <= lines, "{p}");
                }
            }
        }

        /// The real export with a slice cut out or a byte changed.
        #[test]
        fn on_damaged_exports(start in 0usize..GOPHISH.len(), len in 0usize..120, byte in any::<u8>()) {
            let mut bytes = GOPHISH.to_vec();
            let end = (start + len).min(bytes.len());
            if len % 2 == 0 {
                bytes.drain(start..end);
            } else {
                bytes[start] = byte;
            }
            let _ = parse_results(&bytes);
        }
    }
}
