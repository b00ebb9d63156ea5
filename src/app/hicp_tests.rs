//! The HICP self-assessment through the application layer, on a real store and a fake
//! clock: an admin records two assessments on two dates (the second from a filled-in CSV),
//! the chart shows both, a gap becomes a risk in one step and only once; an incident lead
//! reads but may not record; a clinician is refused.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};

use crate::app::App;
use crate::app::admin::NewUser;
use crate::clock::FakeClock;
use crate::hicp::{Answer, Given, Size};
use crate::store::Role;

const PASS: &[u8] = b"correct horse battery staple";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn answers(app: &App, size: Size, no: &[&str]) -> BTreeMap<String, Given> {
    let view = app.hicp_questions(size).unwrap();
    view.practices
        .iter()
        .flat_map(|p| &p.questions)
        .map(|q| {
            let answer = if no.contains(&q.id.as_str()) { Answer::No } else { Answer::Yes };
            (q.id.clone(), Given { answer, note: None })
        })
        .collect()
}

fn user(app: &mut App, name: &'static str, role: Role) {
    let first = b"first passphrase 12";
    app.add_user(NewUser { name, role, first_passphrase: first, department: None }).unwrap();
}

#[test]
fn assessments_are_kept_per_date_charted_and_gaps_become_risks() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::starting_at(at("2026-06-01T12:00:00Z"));
    let mut app = App::new(dir.path().join("store.db"), clock.clone(), Instant::now())
        .with_managed_dir(dir.path().join("managed"));
    app.setup("Ada Admin", PASS, Instant::now()).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();

    let first = app
        .record_hicp(Size::Medium, answers(&app, Size::Medium, &["email-mfa", "network-segments"]))
        .unwrap();
    assert_eq!(first.date, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
    assert_eq!(first.by, "Ada Admin");
    assert_eq!(first.gaps.len(), 2);
    // The flat network touches patient care most: it comes first.
    assert_eq!(first.gaps[0].question, "network-segments");

    // Recorded again the same day: it replaces that day's, under a record id that says
    // nothing of the date.
    app.record_hicp(Size::Medium, answers(&app, Size::Medium, &["email-mfa", "network-segments"]))
        .unwrap();
    assert_eq!(app.hicp_assessments().unwrap().assessments.len(), 1);
    let file = rusqlite::Connection::open(dir.path().join("store.db")).unwrap();
    let ids: Vec<String> = file
        .prepare("SELECT record_id FROM records WHERE kind = 'hicp_assessment'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len(), 1);
    assert!(ids[0].len() == 32 && !ids[0].contains("2026"), "{ids:?}");

    // Half a year on, from the CSV an admin filled in: one gap left.
    clock.set(at("2026-12-01T12:00:00Z"));
    let template = app.hicp_answers_template(Size::Medium).unwrap();
    assert_eq!(template.file_name, "hicp-medium-answers.csv");
    let text = String::from_utf8(template.bytes).unwrap();
    let filled = text.replace(",,\r\n", ",yes,\r\n").replace(
        &format!("network-segments,{},yes,", csv_cell(&text, "network-segments")),
        &format!(
            "network-segments,{},partly,VLANs for imaging only",
            csv_cell(&text, "network-segments")
        ),
    );
    let second = app.record_hicp_csv(Size::Medium, filled.as_bytes()).unwrap();
    assert!(second.overall.percent > first.overall.percent);
    assert_eq!(second.gaps.len(), 1);
    assert_eq!(second.gaps[0].note.as_deref(), Some("VLANs for imaging only"));

    let view = app.hicp_assessments().unwrap();
    assert_eq!(
        view.assessments.iter().map(|a| a.date.to_string()).collect::<Vec<_>>(),
        ["2026-12-01", "2026-06-01"]
    );
    assert!(
        view.over_time.contains("2026-06-01 (medium)")
            && view.over_time.contains("2026-12-01 (medium)")
    );
    assert!(view.by_practice.as_deref().unwrap().contains("6. Network management"));
    assert!(view.may_record);

    // A gap of the first assessment becomes a risk in one step, once.
    let june = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let risk = app.hicp_gap_to_risk(june, "email-mfa", 4, 3).unwrap();
    assert_eq!(risk.risk.id, "hicp-email-mfa");
    assert_eq!(risk.risk.owner.as_deref(), Some("Ada Admin"));
    assert_eq!(risk.score, 12);
    assert_eq!(risk.risk.due, NaiveDate::from_ymd_opt(2027, 3, 1));
    assert!(app.risks().unwrap().iter().any(|r| r.risk.id == "hicp-email-mfa"));
    assert!(app.hicp_assessments().unwrap().in_register.contains(&"hicp-email-mfa".to_owned()));
    let again = app.hicp_gap_to_risk(june, "email-mfa", 4, 3).unwrap_err();
    assert!(again.to_string().contains("already holds `hicp-email-mfa`"), "{again}");
    let not_gap = app.hicp_gap_to_risk(june, "ir-plan", 4, 3).unwrap_err();
    assert!(not_gap.to_string().contains("not a gap"), "{not_gap}");
    assert!(app.hicp_gap_to_risk(june, "network-segments", 6, 3).is_err());
    // Adding a gap is not a risk analysis: the yearly analysis date is untouched.
    assert_eq!(app.user().unwrap().settings().unwrap().risk_analysed, None);

    // An incident lead reads the assessments, and may neither record nor add a risk.
    user(&mut app, "Lee Lead", Role::Lead);
    user(&mut app, "Cal Clinician", Role::Clinician);
    app.unlock("Lee Lead", b"first passphrase 12", Instant::now()).unwrap();
    app.change_own_passphrase(b"lead passphrase 12").unwrap();
    let view = app.hicp_assessments().unwrap();
    assert_eq!(view.assessments.len(), 2);
    assert!(!view.may_record);
    let e = app.record_hicp(Size::Small, answers(&app, Size::Small, &[])).unwrap_err();
    assert_eq!(e.code(), "permission_denied");
    assert_eq!(
        app.hicp_gap_to_risk(june, "network-segments", 3, 3).unwrap_err().code(),
        "permission_denied"
    );

    // A clinician sees nothing of it.
    app.unlock("Cal Clinician", b"first passphrase 12", Instant::now()).unwrap();
    app.change_own_passphrase(b"clinician passphrase 12").unwrap();
    assert_eq!(app.hicp_assessments().unwrap_err().code(), "permission_denied");
    assert_eq!(app.hicp_questions(Size::Small).unwrap_err().code(), "permission_denied");
}

/// The `ask` cell of a question's row in the template, as written (quoted or not).
fn csv_cell(text: &str, id: &str) -> String {
    let line = text.lines().find(|l| l.contains(&format!(",{id},"))).unwrap();
    let after = &line[line.find(&format!(",{id},")).unwrap() + id.len() + 2..];
    after.trim_end_matches(",yes,").trim_end_matches(",,").to_owned()
}
