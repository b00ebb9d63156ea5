//! The breach risk assessment's result and checks, the counts affected, and the register's
//! fields, table by table. (The assessment and the register on a store, on a fake clock:
//! `app/breaches/tests.rs`.)

use chrono::NaiveDate;

use super::assessment::{Assessment, AssessmentForm, Check, Factor, Outcome, Rating};
use super::register::{BreachChange, BreachReport, apply};
use super::*;

fn check(applies: bool) -> Check {
    Check { applies, reason: "  because  ".into() }
}

fn factor(rating: Rating) -> Option<Factor> {
    Some(Factor { finding: "found".into(), rating })
}

/// A form: `exception` says which of the four checks applies (by index), `ratings` the
/// four factors (`None`: left out).
pub(crate) fn form(exception: Option<usize>, ratings: [Option<Rating>; 4]) -> AssessmentForm {
    let applies = |i| exception == Some(i);
    let [a, b, c, d] = ratings.map(|r| r.and_then(factor));
    AssessmentForm {
        secured: check(applies(0)),
        good_faith: check(applies(1)),
        inadvertent: check(applies(2)),
        not_retained: check(applies(3)),
        nature: a,
        recipient: b,
        acquired: c,
        mitigated: d,
        conclusion: "Concluded.".into(),
    }
}

#[test]
fn the_result_is_an_exception_a_low_probability_or_a_breach() {
    use Rating::{Low, NotLow};
    const ALL_LOW: [Option<Rating>; 4] = [Some(Low); 4];
    const NONE: [Option<Rating>; 4] = [None; 4];
    // (which exception applies, the factors, the result)
    type Row = (Option<usize>, [Option<Rating>; 4], Outcome);
    let table: &[Row] = &[
        (Some(0), NONE, Outcome::Exception),
        (Some(1), [Some(NotLow); 4], Outcome::Exception),
        (Some(2), ALL_LOW, Outcome::Exception),
        (Some(3), NONE, Outcome::Exception),
        (None, ALL_LOW, Outcome::LowProbability),
        (None, [Some(Low), Some(Low), Some(Low), Some(NotLow)], Outcome::Breach),
        (None, [Some(NotLow), Some(Low), Some(Low), Some(Low)], Outcome::Breach),
        (None, [Some(NotLow); 4], Outcome::Breach),
    ];
    for (exception, ratings, want) in table {
        let a = Assessment::of(form(*exception, *ratings)).unwrap();
        assert_eq!(a.outcome, *want, "{exception:?} {ratings:?}");
        assert_eq!(a.form.secured.reason, "because", "texts are trimmed");
    }
}

/// Each mistake names its field; nothing of what was typed is in the message.
#[test]
fn a_form_with_a_gap_names_the_field() {
    use Rating::Low;
    let missing_factor = form(None, [Some(Low), Some(Low), None, Some(Low)]);
    let mut no_reason = form(None, [Some(Low); 4]);
    no_reason.inadvertent.reason = " ".into();
    let mut no_conclusion = form(Some(0), [None; 4]);
    no_conclusion.conclusion = String::new();
    let mut long = form(None, [Some(Low); 4]);
    long.nature = Some(Factor { finding: "x".repeat(2_001), rating: Low });
    let table = [
        (missing_factor, "factor 3, whether it was acquired or viewed"),
        (no_reason, "exception (ii), inadvertent disclosure: reason"),
        (no_conclusion, "conclusion"),
        (long, "factor 1, the nature and extent of the information"),
    ];
    for (form, field) in table {
        let e = Assessment::of(form).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().starts_with(&format!("{field}: ")), "{e}");
    }
}

/// The form's words are the regulation's (45 CFR 164.402), each part cited.
#[test]
fn the_form_quotes_the_regulation() {
    let text = assessment::form_text();
    assert!(text.exceptions[1].rule.contains("in good faith and within the scope of authority"));
    assert!(text.exceptions[2].rule.contains("organized health care arrangement"));
    assert!(text.exceptions[3].rule.contains("would not reasonably have been able to retain"));
    assert!(text.factors[0].rule.contains("the likelihood of re-identification"));
    assert!(text.factors[3].rule.contains("has been mitigated"));
    for part in text.exceptions.iter().chain(&text.factors) {
        assert!(part.cite.contains("164.402"), "{part:?}");
    }
    assert!(text.source.contains("2013-01-25") && text.source.contains("checked"));
}

#[test]
fn counts_by_state_are_checked_and_drive_the_thresholds() {
    let a = Affected::checked(640, vec![("ca".into(), 510), ("NV".into(), 130)]).unwrap();
    assert_eq!(a.states_words(), "CA=510; NV=130");
    assert!(a.media_notice() && a.hhs_now());
    let b = Affected::checked(499, vec![("NY".into(), 499)]).unwrap();
    assert!(!b.media_notice() && !b.hhs_now());
    let edge = Affected::checked(500, vec![("NY".into(), 500)]).unwrap();
    assert!(!edge.media_notice(), "more than 500 in a state, not 500");
    assert!(edge.hhs_now(), "500 or more in all");
    for (total, states, field) in [
        (10, vec![("XX", 1)], "state"),
        (10, vec![("CA", 6), ("ca", 1)], "state"),
        (10, vec![("CA", 0)], "state count"),
        (10, vec![("CA", 6), ("NV", 5)], "number affected"),
        (100_000_001, vec![], "number affected"),
    ] {
        let states = states.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
        let e = Affected::checked(total, states).unwrap_err();
        assert!(e.to_string().starts_with(&format!("{field}: ")), "{e}");
    }
    assert_eq!(Affected::parse_state("tx=12").unwrap(), ("tx".to_owned(), 12));
    assert!(Affected::parse_state("TX 12").is_err());
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn change(f: impl FnOnce(&mut BreachChange)) -> BreachChange {
    let mut c = BreachChange::default();
    f(&mut c);
    c
}

/// The register's fields as typed: each read, checked with the others, and the fields
/// changed named; an empty value clears; a bad one names its field.
#[test]
fn a_report_takes_its_fields_as_typed() {
    let (discovered, today) = (day("2026-11-20"), day("2026-12-02"));
    let mut r = BreachReport { incident: "i".into(), ..Default::default() };
    let c = change(|c| {
        c.breach_start = Some("2026-11-18".into());
        c.types = Some(vec!["theft".into(), "loss".into(), "theft".into()]);
        c.locations = Some(vec!["laptop".into()]);
        c.affected = Some("1,200".into());
        c.by_state = Some(vec!["CA=700".into(), "nv=500".into()]);
        c.substitute_notice = Some("no".into());
    });
    let fields = apply(&mut r, &c, discovered, today).unwrap();
    assert_eq!(
        fields,
        ["breach_start", "breach_type", "location", "substitute_notice", "individuals_affected"]
    );
    assert_eq!(r.types.len(), 2, "sorted and each once");
    assert_eq!(r.affected.as_ref().unwrap().total, 1_200);
    assert!(r.affected.as_ref().unwrap().media_notice());
    // The states alone replace the states; the total is kept.
    let fields =
        apply(&mut r, &change(|c| c.by_state = Some(vec!["CA=1".into()])), discovered, today);
    assert_eq!(fields.unwrap(), ["individuals_affected"]);
    assert_eq!(r.affected.as_ref().unwrap().total, 1_200);
    // Cleared.
    apply(&mut r, &change(|c| c.breach_start = Some(String::new())), discovered, today).unwrap();
    assert_eq!(r.breach_start, None);
    apply(&mut r, &change(|c| c.affected = Some(" ".into())), discovered, today).unwrap();
    assert_eq!(r.affected, None);

    let bad: Vec<(BreachChange, &str)> = vec![
        (change(|c| c.breach_start = Some("18/11/2026".into())), "breach start date"),
        (change(|c| c.breach_start = Some("2026-11-21".into())), "breach start date"),
        (change(|c| c.hhs_reported = Some("2026-12-03".into())), "HHS report date"),
        (change(|c| c.discovery_end = Some("2026-11-19".into())), "discovery end date"),
        (
            change(|c| {
                c.breach_start = Some("2026-11-10".into());
                c.breach_end = Some("2026-11-09".into());
            }),
            "breach end date",
        ),
        (change(|c| c.types = Some(vec!["other".into()])), "type of breach, other"),
        (change(|c| c.types = Some(vec!["ransomware".into()])), "type of breach"),
        (
            change(|c| c.safeguards = Some(vec!["none".into(), "technical".into()])),
            "safeguards in place",
        ),
        (change(|c| c.media_notice = Some("maybe".into())), "media notice"),
        (change(|c| c.affected = Some("many".into())), "number affected"),
        (change(|c| c.by_state = Some(vec!["CA=5".into()])), "state"),
        (change(|c| c.business_associate = Some("x".repeat(201))), "business associate"),
    ];
    for (c, field) in bad {
        let mut fresh = BreachReport::default();
        let e = apply(&mut fresh, &c, discovered, today).unwrap_err();
        assert!(e.to_string().starts_with(&format!("{field}: ")), "{field}: {e}");
    }
}

/// The two new kinds of entry: the assessment as signed (its form and result), and the
/// register's change with the counts and the fields changed only; each reads back as
/// itself.
#[test]
fn the_log_entries_hold_the_form_and_the_counts() {
    use crate::events::Event;
    let assessed = Event::BreachAssessed(Assessment::of(form(Some(0), [None; 4])).unwrap());
    let (kind, payload) = crate::log::kind_and_payload(&assessed).unwrap();
    assert_eq!((kind.as_str(), assessed.kind()), ("breach_assessed", "breach_assessed"));
    assert_eq!(payload["outcome"], "exception");
    assert_eq!(payload["form"]["secured"]["applies"], true);
    assert_eq!(payload["form"]["nature"], serde_json::Value::Null);
    let affected = Affected::checked(12, vec![("NY".into(), 12)]).unwrap();
    let recorded = Event::BreachRecorded {
        affected: Some(affected),
        fields: vec!["individuals_affected".into()],
    };
    let (kind, payload) = crate::log::kind_and_payload(&recorded).unwrap();
    assert_eq!(kind, "breach_recorded");
    assert_eq!(
        payload,
        serde_json::json!({ "affected": { "by_state": { "NY": 12 }, "total": 12 }, "fields": ["individuals_affected"] })
    );
    for event in [assessed, recorded] {
        let (kind, payload) = crate::log::kind_and_payload(&event).unwrap();
        let back: Event =
            serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
                .unwrap();
        assert_eq!(back, event);
    }
}
