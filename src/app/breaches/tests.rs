//! The breach risk assessment and the register on a real store, on a fake clock: who may
//! sign, the decisions its result answers and the clocks that follow, the register's
//! counts in the log, who reads and changes it, and its exports.

use chrono::TimeDelta;

use crate::app::App;
use crate::app::admin::NewUser;
use crate::app::breaches::Selection;
use crate::app::tests::{PASS, app, start};
use crate::breach::assessment::{Outcome, Rating};
use crate::breach::register::Reporting;
use crate::breach::tests::form;
use crate::breach::{Affected, BreachChange};
use crate::events::Event;
use crate::incident::export::Format;
use crate::incident::{Action, DeadlineStatus, StepStatus};
use crate::store::Role;

const FIRST: &[u8] = b"first passphrase 1";

/// Starts a PHI breach discovered an hour before the start, and walks it to its first
/// four-factor decision.
fn to_the_assessment(app: &App) -> String {
    let discovered = start() - TimeDelta::hours(1);
    let view = app.start_incident("phi-breach", false, Some(discovered), None).unwrap();
    let id = view.progress.incident.id.clone();
    let mut current = view.progress.current;
    while let Some(step) = current.filter(|s| s != "exceptions-check") {
        current = app.incident_step(&id, &step, Action::Done).unwrap().progress.current;
    }
    id
}

/// Signs in as `name` for the first time and sets their own passphrase.
fn first_unlock(app: &mut App, name: &str, t0: std::time::Instant) {
    app.lock();
    app.unlock(name, FIRST, t0).unwrap();
    app.change_own_passphrase(format!("{name}'s own passphrase").as_bytes()).unwrap();
}

fn clock_status(app: &App, id: &str, clock: &str) -> DeadlineStatus {
    let p = app.progress(id).unwrap();
    p.deadlines.iter().find(|d| d.step == clock).unwrap().status
}

#[test]
fn the_privacy_officer_signs_and_the_result_answers_the_decisions_and_the_clocks_follow() {
    use Rating::{Low, NotLow};
    let (_dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();
    for (name, role) in [("Pat Privacy", Role::Lead), ("Sam Staff", Role::Staff)] {
        let user = NewUser { name, role, first_passphrase: FIRST, department: None };
        app.add_user(user).unwrap();
    }
    let (low, bad) = (to_the_assessment(&app), to_the_assessment(&app));

    // Nobody holds the position: even an admin is refused, and the decision cannot be
    // answered, skipped or done by hand.
    let e = app.assess_breach(&low, form(None, [Some(Low); 4])).unwrap_err();
    assert_eq!(e.code(), "permission_denied");
    assert!(e.to_string().contains("privacy-officer position"), "{e}");
    for action in [Action::Choose("2".into()), Action::Skip("on paper".into()), Action::Done] {
        let e = app.incident_step(&low, "exceptions-check", action).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains("privacy officer completes and signs"), "{e}");
    }
    for id in [&low, &bad] {
        app.assign_position(id, "privacy-officer", "Pat Privacy").unwrap();
    }

    // Pat signs under their own unlock: a low probability answers both decisions, and the
    // notice to individuals no longer applies.
    first_unlock(&mut app, "Pat Privacy", t0);
    clock.advance(TimeDelta::hours(1));
    assert_eq!(clock_status(&app, &low, "notify-individuals"), DeadlineStatus::Running);
    let p = app.assess_breach(&low, form(None, [Some(Low); 4])).unwrap().progress;
    assert_eq!(p.current.as_deref(), Some("document-no-notice"));
    let signed = p.assessment.as_ref().unwrap();
    assert_eq!(
        (signed.assessment.outcome, signed.by.as_str()),
        (Outcome::LowProbability, "Pat Privacy")
    );
    assert_eq!(signed.at, start() + TimeDelta::hours(1));
    let answered = |id: &str| {
        app.progress(id)
            .unwrap()
            .steps
            .into_iter()
            .filter(|s| s.status == StepStatus::Chosen)
            .map(|s| (s.id, s.detail.unwrap(), s.by.unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        answered(&low),
        [
            ("exceptions-check".into(), "No, or not sure".into(), "Pat Privacy".into()),
            (
                "four-factor".into(),
                "Yes, low probability, or an exception applies".into(),
                "Pat Privacy".into()
            ),
        ]
    );
    assert_eq!(clock_status(&app, &low, "notify-individuals"), DeadlineStatus::NotApplicable);
    let kinds: Vec<&str> = p.events.iter().rev().take(3).map(|e| e.event.kind()).collect();
    assert_eq!(kinds, ["decision", "decision", "breach_assessed"]);
    assert!(p.events.iter().rev().take(3).all(|e| e.actor == "Pat Privacy"));

    // A breach: the decisions lead to the notices, whose clock runs from discovery.
    let p = app
        .assess_breach(&bad, form(None, [Some(Low), Some(Low), Some(Low), Some(NotLow)]))
        .unwrap()
        .progress;
    assert_eq!(p.current.as_deref(), Some("law-enforcement-delay"));
    let notice = p.deadlines.iter().find(|d| d.step == "notify-individuals").unwrap();
    assert_eq!(notice.status, DeadlineStatus::Running);
    assert_eq!(notice.due, Some(start() - TimeDelta::hours(1) + TimeDelta::days(60)));
    // Nothing waits for another assessment now.
    let e = app.assess_breach(&bad, form(Some(0), [None; 4])).unwrap_err();
    assert!(e.to_string().contains("not the step to do now"), "{e}");

    // The register holds the breach, not the low probability; Pat records its counts, and
    // the log entry carries the counts and the fields changed only.
    let register = app.breach_register().unwrap();
    let ids: Vec<&str> = register.entries.iter().map(|e| e.incident.id.as_str()).collect();
    assert_eq!(ids, [bad.as_str()]);
    assert_eq!(
        (register.entries[0].reporting, register.entries[0].recorded),
        (Reporting::Unknown, false)
    );
    let change = BreachChange {
        affected: Some("640".into()),
        by_state: Some(vec!["CA=510".into(), "NV=130".into()]),
        description: Some("Laptop left on the 7:15 train".into()),
        types: Some(vec!["loss".into()]),
        ..Default::default()
    };
    let entry = app.record_breach(&bad, &change).unwrap();
    assert_eq!(entry.reporting, Reporting::Now);
    let affected = app.progress(&bad).unwrap().affected.unwrap();
    let want = Affected::checked(640, vec![("CA".into(), 510), ("NV".into(), 130)]).unwrap();
    assert_eq!(affected, want);
    assert!(affected.media_notice() && affected.hhs_now());
    let last = app.progress(&bad).unwrap().events.pop().unwrap();
    let Event::BreachRecorded { fields, .. } = &last.event else { panic!("{last:?}") };
    assert_eq!(fields, &["breach_type", "description", "individuals_affected"]);
    let payload = serde_json::to_string(&last.event).unwrap();
    assert!(!payload.contains("train"), "no value of another field in the log: {payload}");
    assert_eq!(app.record_breach(&bad, &change).unwrap_err().code(), "invalid_input");

    // A staff member with no position sees none of it, and changes nothing.
    first_unlock(&mut app, "Sam Staff", t0);
    assert!(app.breach_register().unwrap().entries.is_empty());
    assert_eq!(app.breach(&bad).unwrap_err().code(), "permission_denied");
    let e = app.record_breach(&bad, &change).unwrap_err();
    assert_eq!(
        e.to_string(),
        "only the incident's privacy officer and admins may change the breach register"
    );

    // The admin records the low-probability incident by hand; the yearly submission holds
    // the breaches under 500 (or not counted yet), the individual report the one asked.
    app.lock();
    app.unlock("Ada Admin", PASS, t0).unwrap();
    app.record_breach(&low, &BreachChange::default()).unwrap();
    assert_eq!(app.breach_register().unwrap().entries.len(), 2);
    let year = app.export_breaches(&Selection::Year(2026)).unwrap();
    assert_eq!((year.rows, year.unknown_count.clone()), (1, vec![low.clone()]));
    assert_eq!(year.export.file_name, "breaches-2026-under-500.csv");
    assert!(String::from_utf8(year.export.bytes).unwrap().contains(&low));
    let one = app.export_breaches(&Selection::Incident(bad.clone())).unwrap();
    let text = String::from_utf8(one.export.bytes).unwrap();
    assert!(text.contains(",640,CA=510; NV=130,") && text.contains("Laptop left on"), "{text}");
    assert_eq!(app.export_breaches(&Selection::Year(2025)).unwrap().rows, 0);

    // The HICS 214 and the review show the assessment as signed.
    let html = String::from_utf8(app.export_incident(&bad, Format::Html).unwrap().bytes).unwrap();
    assert!(
        html.contains("Breach risk assessment (45 CFR 164.402)")
            && html.contains("Signed by Pat Privacy"),
        "{html}"
    );
    assert!(
        app.review_text(&low)
            .unwrap()
            .contains("result: low probability that the information was compromised")
    );
}
