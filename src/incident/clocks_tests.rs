//! The legal clocks, one table per rule: a branch not taken, a moved discovery, a pause,
//! business days, the calendar-year end, and daylight-saving changes. Replayed at a
//! given moment (the app's fake clock passes its time the same way); no sleep.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::America::New_York;
use serde_json::json;

use super::*;
use crate::incident::tests::{Line, entries, t};
use crate::incident::{Incident, Progress, replay};
use crate::playbook::format::{Span, Unit};

const DAY: i64 = 24 * 60;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An incident of `playbook` started at minute 0, discovered at minute `discovered`.
fn incident(playbook: &str, discovered: i64) -> Incident {
    Incident {
        id: "inc".into(),
        playbook: playbook.into(),
        playbook_version: 2,
        title: playbook.into(),
        lead: "Lee Lead".into(),
        started: t(0),
        discovered: t(discovered),
        drill: true,
    }
}

/// The entries of a walk through `playbook` from its first step, one a minute: each
/// decision answered as `answers` says, every other step done, until `stop` is the
/// current step (or the end); then `extra`, and the close at minute `close` if given.
fn walk<'a>(
    playbook: &str,
    answers: &[(&str, &str)],
    stop: &str,
    extra: &[Line<'a>],
    close: Option<i64>,
) -> Vec<Line<'a>> {
    let p = crate::playbook::find(playbook).unwrap();
    let mut script: Vec<Line<'a>> = vec![(
        0,
        "Lee Lead",
        "incident_started",
        serde_json::to_value(incident(playbook, 0)).unwrap(),
    )];
    let mut at = p.steps.first().map(|s| s.id.clone());
    let mut minute = 0;
    while let Some(id) = at.filter(|id| id != stop) {
        minute += 1;
        let index = p.steps.iter().position(|s| s.id == id).unwrap();
        let step = &p.steps[index];
        at = if step.question.is_some() {
            let label = answers.iter().find(|(s, _)| *s == id).map(|(_, c)| *c).unwrap();
            let choice = step.choices.iter().find(|c| c.label == label).unwrap();
            script.push((
                minute,
                "Pat Privacy",
                "decision",
                json!({ "step": id, "choice": label, "goto": choice.goto }),
            ));
            Some(choice.goto.clone())
        } else {
            script.push((minute, "Pat Privacy", "step_done", json!({ "step": id })));
            p.successors(index).into_iter().next()
        }
        .filter(|s| s != "end");
    }
    script.extend_from_slice(extra);
    if let Some(c) = close {
        script.push((c, "Lee Lead", "drill_ended", json!({ "open_step": null })));
    }
    script
}

fn replayed(playbook: &str, discovered: i64, script: &[Line<'_>], now: i64) -> Progress {
    let p = crate::playbook::find(playbook).unwrap();
    let mut i = incident(playbook, discovered);
    i.discovered = t(discovered);
    replay(i, &p, &entries(script), t(now), &Zone::UTC, &Organisation::default()).unwrap()
}

fn clock<'a>(p: &'a Progress, name: &str) -> &'a DeadlineState {
    p.deadlines.iter().find(|d| d.step == name).unwrap()
}

const UNDER_500: &[(&str, &str)] = &[
    ("exceptions-check", "No, or not sure"),
    ("four-factor", "No, or not sure: treat it as a breach"),
    ("contact-details", "No, everyone was reached"),
    ("media-check", "No"),
    ("hhs-check", "No, fewer than 500"),
];

const OVER_500: &[(&str, &str)] = &[
    ("exceptions-check", "No, or not sure"),
    ("four-factor", "No, or not sure: treat it as a breach"),
    ("contact-details", "No, everyone was reached"),
    ("media-check", "Yes, more than 500 in at least one state"),
    ("hhs-check", "Yes, 500 or more"),
];

const NO_NOTICE: &[(&str, &str)] = &[("exceptions-check", "Yes, and the reason is written down")];

/// Table-driven: each clock on the branch taken runs; on a branch not taken it is "not
/// applicable", whenever the review is read; before its decision it is "undecided".
#[test]
fn a_branch_not_taken_is_not_applicable() {
    use DeadlineStatus::{Met, NotApplicable as Na, Running, Undecided};
    // (playbook, answers, stop at, closed?, [(clock, state)])
    type Case<'a> =
        (&'a str, &'a [(&'a str, &'a str)], &'a str, bool, &'a [(&'a str, DeadlineStatus)]);
    let cases: &[Case<'_>] = &[
        (
            "phi-breach",
            UNDER_500,
            "end",
            true,
            &[
                ("notify-individuals", Met),
                ("notify-media", Na),
                ("notify-hhs-now", Na),
                ("log-for-hhs", Met),
            ],
        ),
        (
            "phi-breach",
            OVER_500,
            "end",
            true,
            &[
                ("notify-individuals", Met),
                ("notify-media", Met),
                ("notify-hhs-now", Met),
                ("log-for-hhs", Na),
            ],
        ),
        (
            "phi-breach",
            UNDER_500,
            "media-check",
            false,
            &[
                ("notify-individuals", Met),
                ("notify-media", Undecided),
                ("notify-hhs-now", Undecided),
                ("log-for-hhs", Undecided),
            ],
        ),
        (
            "phi-breach",
            UNDER_500,
            "lessons",
            false,
            &[("notify-media", Na), ("notify-hhs-now", Na), ("log-for-hhs", Met)],
        ),
        (
            "phi-breach",
            NO_NOTICE,
            "end",
            true,
            &[
                ("notify-individuals", Na),
                ("notify-media", Na),
                ("notify-hhs-now", Na),
                ("log-for-hhs", Na),
            ],
        ),
        (
            "phi-breach",
            UNDER_500,
            "four-factor",
            false,
            &[("notify-individuals", Running), ("notify-media", Undecided)],
        ),
        // Closed before its decision: the branch was never taken.
        ("phi-breach", UNDER_500, "media-check", true, &[("notify-media", Na)]),
        (
            "medical-device",
            &[
                ("harm-check", "No"),
                ("fleet-check", "No, only this device"),
                ("privacy-check", "No"),
            ],
            "end",
            true,
            &[("report-fda", Na), ("breach-assess", Na)],
        ),
        (
            "medical-device",
            &[("harm-check", "Yes, or not sure")],
            "report-fda",
            false,
            &[("report-fda", Running), ("breach-assess", Undecided)],
        ),
    ];
    for (playbook, answers, stop, closed, want) in cases {
        // Read a day later, and a year later: a branch not taken never becomes missed.
        for now in [DAY, 400 * DAY] {
            let script = walk(playbook, answers, stop, &[], closed.then_some(90));
            let p = replayed(playbook, 0, &script, now);
            for (name, status) in *want {
                let c = clock(&p, name);
                let status = match (status, now) {
                    (Running, n) if n > 60 * DAY => DeadlineStatus::Overdue,
                    (s, _) => *s,
                };
                assert_eq!(c.status, status, "{playbook} to {stop}, {name}, at {now}");
                assert_eq!(
                    c.due.is_none(),
                    status == Na,
                    "{name}: no due date when not applicable"
                );
                if status == Na {
                    assert!(
                        c.state_words(&Zone::UTC).starts_with("not applicable"),
                        "{}",
                        c.state_words(&Zone::UTC)
                    );
                }
            }
        }
    }
}

/// An open clock past due is overdue while the incident is open, and missed once it is
/// closed without being met.
#[test]
fn past_due_is_overdue_while_open_and_missed_once_closed() {
    let script = walk("phi-breach", UNDER_500, "notify-individuals", &[], None);
    for (now, closed, want) in [
        (59 * DAY, false, DeadlineStatus::Running),
        (61 * DAY, false, DeadlineStatus::Overdue),
        (59 * DAY, true, DeadlineStatus::Running),
        (61 * DAY, true, DeadlineStatus::Missed),
    ] {
        let mut script = script.clone();
        if closed {
            script.push((
                100,
                "Lee Lead",
                "drill_ended",
                json!({ "open_step": "notify-individuals" }),
            ));
        }
        let p = replayed("phi-breach", 0, &script, now);
        assert_eq!(clock(&p, "notify-individuals").status, want, "{now}, closed {closed}");
    }
}

/// Table-driven: a corrected discovery time moves every clock that counts from discovery
/// (and the yearly report's calendar year); the last correction wins.
#[test]
fn moving_discovery_moves_the_clocks() {
    let correct = |at: i64, to: &str, was: &str| -> Line<'static> {
        (
            at,
            "Lee Lead",
            "discovery_corrected",
            json!({ "discovered": to, "reason": "found in the audit log", "was": was }),
        )
    };
    // (corrections, the individuals' due, the yearly report's due)
    let cases: Vec<(Vec<Line<'static>>, &str, &str)> = vec![
        (vec![], "2027-01-27T06:00:00Z", "2027-03-02T00:00:00Z"),
        (
            vec![correct(200, "2026-11-20T08:00:00Z", "2026-11-28T06:00:00Z")],
            "2027-01-19T08:00:00Z",
            "2027-03-02T00:00:00Z",
        ),
        (
            vec![
                correct(200, "2026-11-20T08:00:00Z", "2026-11-28T06:00:00Z"),
                correct(300, "2025-12-30T10:00:00Z", "2026-11-20T08:00:00Z"),
            ],
            "2026-02-28T10:00:00Z",
            "2026-03-02T00:00:00Z",
        ),
    ];
    for (corrections, individuals, yearly) in cases {
        let script = walk("phi-breach", UNDER_500, "lessons", &corrections, None);
        let p = replayed("phi-breach", 0, &script, 400);
        assert_eq!(clock(&p, "notify-individuals").due, Some(utc(individuals)));
        assert!(clock(&p, "log-for-hhs").anchor.is_some());
        assert_eq!(clock(&p, "log-for-hhs").due, Some(utc(yearly)), "{individuals}");
        assert_eq!(p.discovery_changes.len(), corrections.len());
        if let Some(last) = p.discovery_changes.last() {
            assert_eq!(p.incident.discovered, last.discovered);
            assert_eq!(p.discovery_entry, Some(last.seq));
            let words = discovery_words(p.incident.discovered, &p.discovery_changes, &Zone::UTC);
            assert!(words.contains("recorded at the start as 2026-11-28 06:00 UTC"), "{words}");
        }
    }
}

/// Table-driven: a law-enforcement delay freezes the time left; an oral one ends by
/// itself after 30 days unless a written statement is recorded in time; a resumed clock
/// runs on from where it stood.
#[test]
fn a_pause_freezes_the_time_left() {
    let pause = |day: i64, written: bool| -> Line<'static> {
        (
            day * DAY,
            "Lee Lead",
            "clock_paused",
            json!({ "clock": "notify-individuals", "reason": "Det. Ray, county police: notice would hinder the investigation", "written": written }),
        )
    };
    let resume = |day: i64| -> Line<'static> {
        (day * DAY, "Lee Lead", "clock_resumed", json!({ "clock": "notify-individuals" }))
    };
    use DeadlineStatus::{Overdue, Paused, Running};
    // (entries, read on day, state, days left, due day)
    let cases: Vec<(Vec<Line<'static>>, i64, DeadlineStatus, i64, i64)> = vec![
        (vec![], 20, Running, 40, 60),
        (vec![pause(10, false)], 20, Paused, 50, 70),
        (vec![pause(10, false)], 39, Paused, 50, 89),
        // The oral request's 30 days are over on day 40: the clock runs again.
        (vec![pause(10, false)], 45, Running, 45, 90),
        (vec![pause(10, true)], 45, Paused, 50, 95),
        (vec![pause(10, false), resume(15)], 20, Running, 45, 65),
        // A written statement within the 30 days keeps the delay.
        (vec![pause(10, false), pause(35, true)], 50, Paused, 50, 100),
        // After them, it starts a new delay: the lapse ran from day 40 to 45.
        (vec![pause(10, false), pause(45, true)], 50, Paused, 45, 95),
        (vec![pause(10, true), resume(30), pause(40, false)], 41, Paused, 40, 81),
        (vec![pause(10, false), resume(15)], 70, Overdue, -5, 65),
    ];
    for (extra, day, status, left, due) in cases {
        let script = walk("phi-breach", UNDER_500, "notify-individuals", &extra, None);
        let p = replayed("phi-breach", 0, &script, day * DAY);
        let c = clock(&p, "notify-individuals");
        let what = format!("{extra:?} on day {day}");
        assert_eq!(c.status, status, "{what}");
        assert_eq!(c.left_minutes, Some(left * DAY), "{what}");
        assert_eq!(c.due, Some(t(due * DAY)), "{what}");
    }
    // Met while paused: met, against the due time as it stood then.
    let mut extra = vec![pause(10, true)];
    extra.push((70 * DAY, "Pat Privacy", "step_done", json!({ "step": "notify-individuals" })));
    let p = replayed(
        "phi-breach",
        0,
        &walk("phi-breach", UNDER_500, "notify-individuals", &extra, None),
        71 * DAY,
    );
    assert_eq!(clock(&p, "notify-individuals").status, DeadlineStatus::Met);
}

/// Table-driven: business days skip Saturdays, Sundays and the listed holidays, and keep
/// the wall-clock time; hours and days are what they say.
#[test]
fn business_days_skip_weekends_and_listed_holidays() {
    let holidays = [date("2026-11-26"), date("2026-12-25")];
    let span = |amount, unit| Span { amount, unit };
    // (anchor, span, due)
    let cases = [
        // Monday + 10 business days: two weeks later.
        ("2026-11-30T09:00:00Z", span(10, Unit::BusinessDays), "2026-12-14T09:00:00Z"),
        // Friday + 1: Monday.
        ("2026-12-04T16:30:00Z", span(1, Unit::BusinessDays), "2026-12-07T16:30:00Z"),
        // Saturday + 1: Monday.
        ("2026-12-05T10:00:00Z", span(1, Unit::BusinessDays), "2026-12-07T10:00:00Z"),
        // Wednesday before Thanksgiving + 2: Thursday is a holiday, so Friday, Monday.
        ("2026-11-25T08:00:00Z", span(2, Unit::BusinessDays), "2026-11-30T08:00:00Z"),
        // Over Christmas (Friday) and the weekend.
        ("2026-12-24T12:00:00Z", span(1, Unit::BusinessDays), "2026-12-28T12:00:00Z"),
        ("2026-12-21T12:00:00Z", span(15, Unit::BusinessDays), "2027-01-12T12:00:00Z"),
        ("2026-11-28T06:00:00Z", span(72, Unit::Hours), "2026-12-01T06:00:00Z"),
        ("2026-11-28T06:00:00Z", span(60, Unit::Days), "2027-01-27T06:00:00Z"),
        ("2026-11-28T06:00:00Z", span(2, Unit::Weeks), "2026-12-12T06:00:00Z"),
        ("2026-11-28T06:00:00Z", span(90, Unit::Minutes), "2026-11-28T07:30:00Z"),
    ];
    for (anchor, span, due) in cases {
        assert_eq!(
            add_span(utc(anchor), span, &holidays, &Utc),
            Some(utc(due)),
            "{anchor} + {span:?}"
        );
    }
    assert!(!is_business_day(date("2026-11-26"), &holidays));
    assert!(is_business_day(date("2026-11-27"), &holidays));
    assert!(!is_business_day(date("2026-11-28"), &[]));
    // The medical-device playbook's FDA clock: 10 work days, skipping its federal holidays.
    let p = crate::playbook::find("medical-device").unwrap();
    let fda = p.steps.iter().find(|s| s.id == "report-fda").unwrap().deadlines[0].clone();
    assert_eq!(fda.within, span(10, Unit::BusinessDays));
    let due = add_span(utc("2026-11-20T09:00:00Z"), fda.within, &p.holidays, &Utc);
    assert_eq!(due, Some(utc("2026-12-07T09:00:00Z")), "Thanksgiving skipped");
}

/// Table-driven: the end of the calendar year of discovery, then 60 days (45 CFR
/// 164.408(c)): the end of 1 March, or of 29 February in a leap year; in a zone, the
/// zone's year.
#[test]
fn the_calendar_year_end() {
    let sixty = Span { amount: 60, unit: Unit::Days };
    for (discovered, end, due) in [
        ("2026-03-05T10:00:00Z", "2027-01-01T00:00:00Z", "2027-03-02T00:00:00Z"),
        ("2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z", "2027-03-02T00:00:00Z"),
        ("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z", "2028-03-01T00:00:00Z"),
    ] {
        let end_utc = year_end(utc(discovered), &Utc).unwrap();
        assert_eq!(end_utc, utc(end), "{discovered}");
        assert_eq!(add_span(end_utc, sixty, &[], &Utc), Some(utc(due)), "{discovered}");
    }
    // 22:00 on 31 December in New York is already 2027 in UTC, but 2026 there.
    let ny = year_end(utc("2027-01-01T03:00:00Z"), &New_York).unwrap();
    assert_eq!(ny, utc("2027-01-01T05:00:00Z"));
    assert_eq!(add_span(ny, sixty, &[], &New_York), Some(utc("2027-03-02T05:00:00Z")));
    // The under-500 branch's yearly report, through the replay.
    let script = walk("phi-breach", UNDER_500, "lessons", &[], None);
    let p = replayed("phi-breach", 0, &script, 500);
    let yearly = clock(&p, "log-for-hhs");
    assert_eq!(yearly.due, Some(utc("2027-03-02T00:00:00Z")));
    assert!(yearly.rule.contains("end of the calendar year of discovery"), "{}", yearly.rule);
}

/// Table-driven, in New York: hours are elapsed time across a change; days and business
/// days keep the wall-clock time; a time the spring change skips moves to the first
/// moment after it.
#[test]
fn clocks_hold_across_daylight_saving_changes() {
    let holidays = [date("2026-11-11")];
    let span = |amount, unit| Span { amount, unit };
    for (anchor, span, due) in [
        // 12:00 EST on 7 March + 72 hours: 13:00 EDT on 10 March (72 hours elapsed).
        ("2026-03-07T17:00:00Z", span(72, Unit::Hours), "2026-03-10T17:00:00Z"),
        // 10:00 EST on 1 March + 60 days: 10:00 EDT on 30 April.
        ("2026-03-01T15:00:00Z", span(60, Unit::Days), "2026-04-30T14:00:00Z"),
        // 09:00 EDT on Friday 30 October + 10 business days (11 November a holiday):
        // 09:00 EST on 16 November.
        ("2026-10-30T13:00:00Z", span(10, Unit::BusinessDays), "2026-11-16T14:00:00Z"),
        // 02:30 EST on 7 March + 1 day: 02:30 does not exist on 8 March; 03:00 EDT.
        ("2026-03-07T07:30:00Z", span(1, Unit::Days), "2026-03-08T07:00:00Z"),
        // 01:30 EDT on 31 October + 1 day: 01:30 comes twice on 1 November; the first.
        ("2026-10-31T05:30:00Z", span(1, Unit::Days), "2026-11-01T05:30:00Z"),
        // 12:00 EDT + 1 week over the autumn change: 12:00 EST.
        ("2026-10-28T16:00:00Z", span(1, Unit::Weeks), "2026-11-04T17:00:00Z"),
    ] {
        assert_eq!(
            add_span(utc(anchor), span, &holidays, &New_York),
            Some(utc(due)),
            "{anchor} + {span:?}"
        );
    }
    // A pause across the change freezes elapsed time: an hour paused is an hour later.
    let base = utc("2026-11-01T04:00:00Z");
    let pauses = [Pause {
        from: utc("2026-10-31T04:00:00Z"),
        to: Some(utc("2026-11-01T12:00:00Z")),
        written: true,
        reason: "x".into(),
        by: "x".into(),
        lapsed: false,
    }];
    assert_eq!(due_at(base, &pauses, utc("2026-11-02T00:00:00Z")), base + Duration::hours(32));
}

fn with(
    playbook: &str,
    discovered: i64,
    script: &[Line<'_>],
    now: i64,
    org: &Organisation,
) -> Progress {
    let p = crate::playbook::find(playbook).unwrap();
    let mut script = script.to_vec();
    script[0].3 = serde_json::to_value(incident(playbook, discovered)).unwrap();
    replay(incident(playbook, discovered), &p, &entries(&script), t(now), &Zone::UTC, org).unwrap()
}

fn named<'a>(p: &'a Progress, clock: &str) -> &'a DeadlineState {
    p.deadlines.iter().find(|d| d.clock == clock).unwrap()
}

fn org(states: Option<&[&str]>, traits: Option<&[&str]>, insurer: Option<&str>) -> Organisation {
    let list = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect();
    Organisation {
        jurisdictions: states.map(list),
        traits: traits.map(list),
        windows: insurer
            .map(|w| ("cyber-insurer".to_owned(), crate::playbook::format::parse_span(w).unwrap()))
            .into_iter()
            .collect(),
    }
}

const RANSOMWARE: &[(&str, &str)] = &[
    ("check-spread", "More than one, or shared systems failing, or not sure"),
    ("care-capacity", "Yes, keep accepting"),
    ("materiality-check", "Yes, decided it is material"),
];

/// Table-driven: the clock rules shipped as data apply as the organisation's profile says:
/// a state's rule only in that state, the SEC's only to a publicly traded organisation,
/// the insurer's from the insurer contact's notice window; each is undecided, saying what
/// is missing, until the profile or the window is set. Business days skip the rule set's
/// own holidays (California's day after Thanksgiving is not a federal holiday).
#[test]
fn clock_rules_fit_the_organisation() {
    use DeadlineStatus::{NotApplicable as Na, Running, Undecided};
    let day = |d: &str| utc(&format!("{d}:00Z"));
    let ransom = walk("ransomware", RANSOMWARE, "contain-network", &[], None);
    let filing = walk("ransomware", RANSOMWARE, "file-8k", &[], None);
    let phi = walk("phi-breach", UNDER_500, "state-report", &[], None);
    let three_days = -3 * DAY;
    // With only the federal holidays, the same 15 business days end a day sooner.
    let federal = crate::playbook::find("medical-device").unwrap().holidays;
    let span = crate::playbook::format::parse_span("15 business days").unwrap();
    assert_eq!(add_span(t(three_days), span, &federal, &Utc), Some(utc("2026-12-17T06:00:00Z")));
    // (playbook, script, discovered, organisation, clock, state, due, words in the state)
    type Case<'a> = (
        &'a str,
        &'a [Line<'a>],
        i64,
        Organisation,
        &'a str,
        DeadlineStatus,
        Option<DateTime<Utc>>,
        &'a str,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "phi-breach",
            &phi,
            three_days,
            org(None, None, None),
            "ca-1280-15",
            Undecided,
            Some(day("2026-12-18T06:00")),
            "applies only to an organisation in CA",
        ),
        (
            "phi-breach",
            &phi,
            three_days,
            org(Some(&["NY"]), None, None),
            "ca-1280-15",
            Na,
            None,
            "applies only in CA; this organisation is in NY",
        ),
        // Discovered Wednesday 25 November: Thanksgiving and the day after are California
        // holidays, so the 15th business day is Friday 18 December (17 December under the
        // federal holidays alone).
        (
            "phi-breach",
            &phi,
            three_days,
            org(Some(&["CA"]), None, None),
            "ca-1280-15",
            Running,
            Some(day("2026-12-18T06:00")),
            "left",
        ),
        (
            "ransomware",
            &ransom,
            0,
            org(Some(&["NY"]), None, None),
            "ny-405-46",
            Running,
            Some(t(72 * 60)),
            "left",
        ),
        (
            "ransomware",
            &ransom,
            0,
            org(Some(&["CA"]), None, None),
            "ny-405-46",
            Na,
            None,
            "applies only in NY",
        ),
        (
            "ransomware",
            &ransom,
            0,
            org(None, None, None),
            "cyber-insurer-notice",
            Undecided,
            None,
            "no notice window is recorded for the cyber-insurer contact",
        ),
        (
            "ransomware",
            &ransom,
            0,
            org(None, None, Some("48 hours")),
            "cyber-insurer-notice",
            Running,
            Some(t(48 * 60)),
            "left",
        ),
        (
            "ransomware",
            &filing,
            0,
            org(None, Some(&[]), None),
            "sec-8k-105",
            Na,
            None,
            "publicly traded",
        ),
        (
            "ransomware",
            &filing,
            0,
            org(None, None, None),
            "sec-8k-105",
            Undecided,
            None,
            "an admin sets the organisation's profile",
        ),
    ];
    for (playbook, script, discovered, o, name, status, due, words) in cases {
        let p = with(playbook, discovered, script, 60, &o);
        let c = named(&p, name);
        assert_eq!((c.status, c.due), (status, due), "{name} with {o:?}");
        let said = c.state_words(&Zone::UTC);
        assert!(said.contains(words), "{name}: {said}");
        assert!(c.source.as_ref().is_some_and(|s| !s.date.is_empty()), "{name} cites its source");
    }
    // The SEC's 4 business days count from the materiality decision, not discovery.
    let public = with("ransomware", 0, &filing, 60, &org(None, Some(&["publicly-traded"]), None));
    let sec = named(&public, "sec-8k-105");
    let decided = filing.iter().find(|l| l.2 == "decision" && l.3["step"] == "materiality-check");
    let decided = t(decided.unwrap().0);
    assert_eq!(sec.anchor, Some(decided));
    assert_eq!(sec.status, Running);
    // Saturday 28 November 06:00 + minutes: Monday 30 = 1, ... Thursday 3 December = 4.
    assert_eq!(sec.due, Some(decided + Duration::days(5)));
    // The insurer's window is in the rule's words once the contact list gives it.
    let insured = with("ransomware", 0, &ransom, 60, &org(None, None, Some("48 hours")));
    assert!(named(&insured, "cyber-insurer-notice").rule.contains("48 hours"));
}

/// The FDA's yearly user-facility report (Form FDA 3419) is due by 1 January: `0 days`
/// after the end of the calendar year, on the branch where a report was made.
#[test]
fn the_fda_yearly_report_is_due_on_the_first_of_january() {
    let answers = [("harm-check", "Yes, or not sure")];
    let p = crate::playbook::find("medical-device").unwrap();
    let harm = p.steps.iter().position(|s| s.id == "harm-check").unwrap();
    let after = p.steps.get(harm + 1).unwrap().id.clone();
    let script = walk("medical-device", &answers, &after, &[], None);
    let progress = with("medical-device", 0, &script, 60, &Organisation::default());
    let yearly = named(&progress, "fda-803-33");
    assert_eq!(yearly.due, Some(utc("2027-01-01T00:00:00Z")), "{yearly:?}");
    assert_eq!(yearly.status, DeadlineStatus::Running);
}

/// Table-driven: the breach register's counts drive the media and HHS clocks whatever the
/// decisions said (`or_when`): a drill answered "under 500, no state over 500" whose
/// register then counts 600 Californians has a running media notice and HHS notice, from
/// the record that said so; counts put right take them back; with no counts, the answers
/// alone decide.
#[test]
fn the_registers_counts_drive_the_media_and_hhs_clocks() {
    use DeadlineStatus::{Met, NotApplicable as Na, Running};
    let counts = |total: u64, ca: u64| json!({ "affected": { "total": total, "by_state": { "CA": ca } }, "fields": ["affected"] });
    // Walked to the end: the notices on the branch taken are done, the others not.
    let answered_under = walk("phi-breach", UNDER_500, "end", &[], None);
    // (records at minutes 30 and 40, [(clock, state)])
    type Case<'a> = (&'a [(i64, serde_json::Value)], &'a [(&'a str, DeadlineStatus)]);
    let cases: &[Case<'_>] = &[
        (&[], &[("hipaa-media", Na), ("hipaa-hhs-500", Na), ("hipaa-hhs-yearly", Met)]),
        (&[(30, counts(600, 600))], &[("hipaa-media", Running), ("hipaa-hhs-500", Running)]),
        (
            &[(30, counts(300, 300))],
            &[("hipaa-media", Na), ("hipaa-hhs-500", Na), ("hipaa-hhs-yearly", Met)],
        ),
        // Put right: 600 was a typo for 60.
        (
            &[(30, counts(600, 600)), (40, counts(60, 60))],
            &[("hipaa-media", Na), ("hipaa-hhs-500", Na)],
        ),
    ];
    for (records, want) in cases {
        let mut script = answered_under.clone();
        for (minute, payload) in *records {
            script.push((*minute, "Pat Privacy", "breach_recorded", payload.clone()));
        }
        let p = replayed("phi-breach", 0, &script, 60);
        for (name, status) in *want {
            let c = named(&p, name);
            assert_eq!(c.status, *status, "{name} with {records:?}: {}", c.state_words(&Zone::UTC));
        }
    }
    // The media notice counts from discovery, as the rule says; its words name the count.
    let mut script = answered_under.clone();
    script.push((30, "Pat Privacy", "breach_recorded", counts(600, 600)));
    let media = named(&replayed("phi-breach", 0, &script, 60), "hipaa-media").clone();
    assert_eq!(media.due, Some(t(0) + Duration::days(60)));
    let when = media.when.unwrap();
    assert!(
        when.contains("or if the breach register counts more than 500 residents of one state"),
        "{when}"
    );
}
