//! The risk register's reminders on a fake clock: a treatment past its date and a review
//! due, once a day, to admins only; the yearly risk analysis from 30 days before a year
//! since the register was imported.

use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::app::admin::NewUser;
use crate::clock::FakeClock;
use crate::store::Role;

const PASS: &[u8] = b"correct horse battery staple";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn risk_steps(app: &App) -> Vec<String> {
    let mut steps: Vec<String> = app
        .reminders()
        .into_iter()
        .filter(|r| r.step.starts_with("risk:"))
        .map(|r| r.step)
        .collect();
    steps.sort();
    steps
}

#[test]
fn treatments_reviews_and_the_yearly_analysis_remind_admins() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::starting_at(at("2026-11-28T12:00:00Z"));
    let mut app = App::new(dir.path().join("store.db"), clock.clone(), Instant::now())
        .with_managed_dir(dir.path().join("managed"));
    app.setup("Ada Admin", PASS, Instant::now()).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();
    app.import_assets(include_bytes!("../../tests/fixtures/assets/sample.csv"), false).unwrap();
    app.import_risks(include_bytes!("../../tests/fixtures/risk/sample.csv"), false).unwrap();
    // ransomware-ehr's treatment was due 2026-11-15; no review is due yet.
    assert_eq!(risk_steps(&app), ["risk:ransomware-ehr:treatment"]);

    // 2027-01-15: pump-takeover's review is due too, and bec-payroll's treatment (12-31).
    clock.set(at("2027-01-15T09:00:00Z"));
    assert_eq!(
        risk_steps(&app),
        [
            "risk:bec-payroll:treatment",
            "risk:pump-takeover:review",
            "risk:ransomware-ehr:treatment"
        ]
    );

    // The yearly analysis: imported 2026-11-28, due 2027-11-28, reminded from 2027-10-29.
    clock.set(at("2027-10-27T09:00:00Z"));
    assert!(!risk_steps(&app).contains(&"risk:analysis".to_owned()));
    clock.set(at("2027-10-29T09:00:00Z"));
    let analysis = app.reminders().into_iter().find(|r| r.step == "risk:analysis").unwrap();
    assert!(analysis.say.contains("due 2027-11-28 (the last was 2026-11-28)"), "{}", analysis.say);

    // An incident lead reads the register but is not reminded of it.
    let lead = NewUser {
        name: "Lee Lead",
        role: Role::Lead,
        first_passphrase: b"first passphrase 12",
        department: None,
    };
    app.add_user(lead).unwrap();
    app.unlock("Lee Lead", b"first passphrase 12", Instant::now()).unwrap();
    app.change_own_passphrase(b"lead passphrase 12").unwrap();
    assert!(!app.risks().unwrap().is_empty());
    assert!(risk_steps(&app).is_empty());
}
