//! Due dates across time zones and clock changes, table-driven. Every instant is given in
//! UTC with the local time it is in its zone, and the test checks that local time first,
//! so a wrong guess about a zone's rules fails loudly rather than testing something else.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;

use super::*;
use crate::training::Recurrence::{self, Months, Once};

fn zone(name: &str) -> Tz {
    name.parse().unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// `instant` shown in `tz` as `YYYY-MM-DD HH:MM:SS +hh:mm`.
fn local(instant: DateTime<Utc>, tz: &Tz) -> String {
    instant.with_timezone(tz).format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

#[test]
fn next_due_counts_calendar_months_from_the_local_date_of_the_acknowledgment() {
    // (zone, acknowledged at (UTC), which is locally, recurrence, due)
    let table: &[(&str, &str, &str, Recurrence, Option<&str>)] = &[
        // New York, fall-back day: 01:30 happens twice (EDT, then EST); both are 3 November.
        (
            "America/New_York",
            "2024-11-03T05:30:00Z",
            "2024-11-03 01:30:00 -04:00",
            Months(12),
            Some("2025-11-03"),
        ),
        (
            "America/New_York",
            "2024-11-03T06:30:00Z",
            "2024-11-03 01:30:00 -05:00",
            Months(12),
            Some("2025-11-03"),
        ),
        // 23:30 on the fall-back day is already 4 November in UTC.
        (
            "America/New_York",
            "2024-11-04T04:30:00Z",
            "2024-11-03 23:30:00 -05:00",
            Months(12),
            Some("2025-11-03"),
        ),
        // Spring-forward day: 02:00 to 03:00 never happens.
        (
            "America/New_York",
            "2024-03-10T07:30:00Z",
            "2024-03-10 03:30:00 -04:00",
            Months(6),
            Some("2024-09-10"),
        ),
        // 23:30 on 10 March is 11 March in UTC.
        (
            "America/New_York",
            "2024-03-11T03:30:00Z",
            "2024-03-10 23:30:00 -04:00",
            Months(6),
            Some("2024-09-10"),
        ),
        // Locally 29 February (UTC: 1 March): yearly clamps to 28 February, not 1 March.
        (
            "America/New_York",
            "2024-03-01T04:30:00Z",
            "2024-02-29 23:30:00 -05:00",
            Months(12),
            Some("2025-02-28"),
        ),
        // London: 01:30 twice on 27 October 2024 (BST, then GMT).
        (
            "Europe/London",
            "2024-10-27T00:30:00Z",
            "2024-10-27 01:30:00 +01:00",
            Months(12),
            Some("2025-10-27"),
        ),
        (
            "Europe/London",
            "2024-10-27T01:30:00Z",
            "2024-10-27 01:30:00 +00:00",
            Months(12),
            Some("2025-10-27"),
        ),
        // Half past midnight on 1 July in London is still 30 June in UTC.
        (
            "Europe/London",
            "2024-06-30T23:30:00Z",
            "2024-07-01 00:30:00 +01:00",
            Months(12),
            Some("2025-07-01"),
        ),
        // Sydney, summer (+11): locally 1 February, so a month later is 1 March; from the UTC
        // date (31 January) it would wrongly be 29 February.
        (
            "Australia/Sydney",
            "2024-01-31T14:00:00Z",
            "2024-02-01 01:00:00 +11:00",
            Months(1),
            Some("2024-03-01"),
        ),
        // Sydney's autumn fall-back: 02:30 twice on 7 April 2024.
        (
            "Australia/Sydney",
            "2024-04-06T15:30:00Z",
            "2024-04-07 02:30:00 +11:00",
            Months(6),
            Some("2024-10-07"),
        ),
        (
            "Australia/Sydney",
            "2024-04-06T16:30:00Z",
            "2024-04-07 02:30:00 +10:00",
            Months(6),
            Some("2024-10-07"),
        ),
        // The evening before Sydney's spring-forward.
        (
            "Australia/Sydney",
            "2024-10-05T13:30:00Z",
            "2024-10-05 23:30:00 +10:00",
            Months(12),
            Some("2025-10-05"),
        ),
        // Kolkata, +05:30: a quarter past midnight on 31 January is 30 January in UTC.
        (
            "Asia/Kolkata",
            "2024-01-30T18:45:00Z",
            "2024-01-31 00:15:00 +05:30",
            Months(6),
            Some("2024-07-31"),
        ),
        (
            "Asia/Kolkata",
            "2024-01-30T18:29:00Z",
            "2024-01-30 23:59:00 +05:30",
            Months(6),
            Some("2024-07-30"),
        ),
        // Chatham, +13:45 in summer, +12:45 in winter.
        (
            "Pacific/Chatham",
            "2024-12-31T10:15:00Z",
            "2025-01-01 00:00:00 +13:45",
            Months(12),
            Some("2026-01-01"),
        ),
        (
            "Pacific/Chatham",
            "2024-12-31T10:14:00Z",
            "2024-12-31 23:59:00 +13:45",
            Months(12),
            Some("2025-12-31"),
        ),
        (
            "Pacific/Chatham",
            "2024-06-30T11:15:00Z",
            "2024-07-01 00:00:00 +12:45",
            Months(12),
            Some("2025-07-01"),
        ),
        // Lord Howe: +10:30 in winter, +11:00 in summer (a 30-minute change).
        (
            "Australia/Lord_Howe",
            "2024-10-05T13:30:00Z",
            "2024-10-06 00:00:00 +10:30",
            Months(6),
            Some("2025-04-06"),
        ),
        (
            "Australia/Lord_Howe",
            "2024-10-05T13:29:00Z",
            "2024-10-05 23:59:00 +10:30",
            Months(6),
            Some("2025-04-05"),
        ),
        (
            "Australia/Lord_Howe",
            "2024-10-06T13:00:00Z",
            "2024-10-07 00:00:00 +11:00",
            Months(1),
            Some("2024-11-07"),
        ),
        // Month ends: clamped to the month's last day.
        (
            "UTC",
            "2024-01-31T12:00:00Z",
            "2024-01-31 12:00:00 +00:00",
            Months(1),
            Some("2024-02-29"),
        ),
        (
            "UTC",
            "2023-01-31T12:00:00Z",
            "2023-01-31 12:00:00 +00:00",
            Months(1),
            Some("2023-02-28"),
        ),
        (
            "UTC",
            "2024-03-31T12:00:00Z",
            "2024-03-31 12:00:00 +00:00",
            Months(1),
            Some("2024-04-30"),
        ),
        (
            "UTC",
            "2024-08-31T12:00:00Z",
            "2024-08-31 12:00:00 +00:00",
            Months(6),
            Some("2025-02-28"),
        ),
        (
            "UTC",
            "2024-02-29T12:00:00Z",
            "2024-02-29 12:00:00 +00:00",
            Months(12),
            Some("2025-02-28"),
        ),
        (
            "UTC",
            "2024-02-29T12:00:00Z",
            "2024-02-29 12:00:00 +00:00",
            Months(48),
            Some("2028-02-29"),
        ),
        // Clamping does not carry over: from 28 February, the next is 28 February.
        (
            "UTC",
            "2025-02-28T12:00:00Z",
            "2025-02-28 12:00:00 +00:00",
            Months(12),
            Some("2026-02-28"),
        ),
        (
            "UTC",
            "2024-12-31T23:59:59Z",
            "2024-12-31 23:59:59 +00:00",
            Months(120),
            Some("2034-12-31"),
        ),
        // Once: never due again.
        ("America/New_York", "2024-11-03T05:30:00Z", "2024-11-03 01:30:00 -04:00", Once, None),
    ];
    for (name, at, seen_locally, recurrence, want) in table {
        let tz = zone(name);
        let at = utc(at);
        assert_eq!(local(at, &tz), *seen_locally, "{name} {at}: check the table");
        assert_eq!(next_due(recurrence, at, &tz), want.map(date), "{name} {at} {recurrence}");
    }
}

#[test]
fn due_state_counts_local_days_and_is_overdue_from_local_midnight() {
    use DueState::{DueSoon, NotDue, Overdue};
    // (zone, due, now (UTC), which is locally, state)
    let table: &[(&str, &str, &str, &str, DueState)] = &[
        // Overdue exactly at local midnight, not a second before.
        (
            "America/New_York",
            "2025-03-10",
            "2025-03-11T03:59:59Z",
            "2025-03-10 23:59:59 -04:00",
            DueSoon { due: date("2025-03-10"), days_left: 0 },
        ),
        (
            "America/New_York",
            "2025-03-10",
            "2025-03-11T04:00:00Z",
            "2025-03-11 00:00:00 -04:00",
            Overdue { due: date("2025-03-10"), days_over: 1 },
        ),
        // Across the spring-forward change (a 23-hour day): still whole local days.
        (
            "America/New_York",
            "2024-03-23",
            "2024-03-10T04:30:00Z",
            "2024-03-09 23:30:00 -05:00",
            DueSoon { due: date("2024-03-23"), days_left: 14 },
        ),
        (
            "America/New_York",
            "2024-03-24",
            "2024-03-10T04:30:00Z",
            "2024-03-09 23:30:00 -05:00",
            NotDue { due: date("2024-03-24"), days_left: 15 },
        ),
        // Across the fall-back change (a 25-hour day).
        (
            "America/New_York",
            "2024-11-16",
            "2024-11-02T16:00:00Z",
            "2024-11-02 12:00:00 -04:00",
            DueSoon { due: date("2024-11-16"), days_left: 14 },
        ),
        (
            "America/New_York",
            "2024-11-17",
            "2024-11-02T16:00:00Z",
            "2024-11-02 12:00:00 -04:00",
            NotDue { due: date("2024-11-17"), days_left: 15 },
        ),
        (
            "America/New_York",
            "2024-11-02",
            "2024-11-04T04:59:00Z",
            "2024-11-03 23:59:00 -05:00",
            Overdue { due: date("2024-11-02"), days_over: 1 },
        ),
        (
            "America/New_York",
            "2024-11-02",
            "2024-11-04T05:00:00Z",
            "2024-11-04 00:00:00 -05:00",
            Overdue { due: date("2024-11-02"), days_over: 2 },
        ),
        // London, on its spring-forward day.
        (
            "Europe/London",
            "2024-03-31",
            "2024-03-31T22:59:59Z",
            "2024-03-31 23:59:59 +01:00",
            DueSoon { due: date("2024-03-31"), days_left: 0 },
        ),
        (
            "Europe/London",
            "2024-03-31",
            "2024-03-31T23:00:00Z",
            "2024-04-01 00:00:00 +01:00",
            Overdue { due: date("2024-03-31"), days_over: 1 },
        ),
        // Sydney, on its fall-back day (southern hemisphere: April).
        (
            "Australia/Sydney",
            "2024-04-07",
            "2024-04-07T13:59:59Z",
            "2024-04-07 23:59:59 +10:00",
            DueSoon { due: date("2024-04-07"), days_left: 0 },
        ),
        (
            "Australia/Sydney",
            "2024-04-07",
            "2024-04-07T14:00:00Z",
            "2024-04-08 00:00:00 +10:00",
            Overdue { due: date("2024-04-07"), days_over: 1 },
        ),
        // Kolkata: the due day starts at 18:30 UTC the day before.
        (
            "Asia/Kolkata",
            "2024-06-01",
            "2024-05-31T18:30:00Z",
            "2024-06-01 00:00:00 +05:30",
            DueSoon { due: date("2024-06-01"), days_left: 0 },
        ),
        (
            "Asia/Kolkata",
            "2024-06-01",
            "2024-06-01T18:30:00Z",
            "2024-06-02 00:00:00 +05:30",
            Overdue { due: date("2024-06-01"), days_over: 1 },
        ),
        // Chatham: 00:45 on 15 January locally is still 14 January in UTC.
        (
            "Pacific/Chatham",
            "2025-01-29",
            "2025-01-14T11:00:00Z",
            "2025-01-15 00:45:00 +13:45",
            DueSoon { due: date("2025-01-29"), days_left: 14 },
        ),
        (
            "Pacific/Chatham",
            "2025-01-30",
            "2025-01-14T11:00:00Z",
            "2025-01-15 00:45:00 +13:45",
            NotDue { due: date("2025-01-30"), days_left: 15 },
        ),
        (
            "Pacific/Chatham",
            "2025-01-14",
            "2025-01-14T11:00:00Z",
            "2025-01-15 00:45:00 +13:45",
            Overdue { due: date("2025-01-14"), days_over: 1 },
        ),
        // Lord Howe, at the midnight before its 30-minute spring-forward.
        (
            "Australia/Lord_Howe",
            "2024-10-05",
            "2024-10-05T13:29:59Z",
            "2024-10-05 23:59:59 +10:30",
            DueSoon { due: date("2024-10-05"), days_left: 0 },
        ),
        (
            "Australia/Lord_Howe",
            "2024-10-05",
            "2024-10-05T13:30:00Z",
            "2024-10-06 00:00:00 +10:30",
            Overdue { due: date("2024-10-05"), days_over: 1 },
        ),
        // Havana moves its clocks at midnight: 10 March 2024 starts at 01:00, and the due
        // date's day is over then.
        (
            "America/Havana",
            "2024-03-09",
            "2024-03-10T04:59:59Z",
            "2024-03-09 23:59:59 -05:00",
            DueSoon { due: date("2024-03-09"), days_left: 0 },
        ),
        (
            "America/Havana",
            "2024-03-09",
            "2024-03-10T05:00:00Z",
            "2024-03-10 01:00:00 -04:00",
            Overdue { due: date("2024-03-09"), days_over: 1 },
        ),
        // Far off, and long overdue.
        (
            "UTC",
            "2025-12-31",
            "2025-01-01T12:00:00Z",
            "2025-01-01 12:00:00 +00:00",
            NotDue { due: date("2025-12-31"), days_left: 364 },
        ),
        (
            "UTC",
            "2020-01-01",
            "2025-01-01T12:00:00Z",
            "2025-01-01 12:00:00 +00:00",
            Overdue { due: date("2020-01-01"), days_over: 1827 },
        ),
    ];
    for (name, due, now, seen_locally, want) in table {
        let tz = zone(name);
        let now = utc(now);
        assert_eq!(local(now, &tz), *seen_locally, "{name} {now}: check the table");
        let got = due_state(date(due), now, &tz);
        assert_eq!(got, *want, "{name} due {due} at {now}");
        assert_eq!(got.due(), date(due));
        assert_eq!(got.is_overdue(), matches!(want, Overdue { .. }));
    }
}

#[test]
fn due_soon_is_the_last_fourteen_days_and_the_due_day() {
    let tz = zone("Europe/London");
    let due = date("2025-06-30");
    let mut seen = Vec::new();
    for days_before in -2i64..=16 {
        let day = due - chrono::Duration::days(days_before);
        let noon = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
        seen.push(match due_state(due, noon, &tz) {
            DueState::NotDue { days_left, .. } => ('n', days_left),
            DueState::DueSoon { days_left, .. } => ('s', days_left),
            DueState::Overdue { days_over, .. } => ('o', -days_over),
        });
    }
    let want: Vec<(char, i64)> = (-2i64..=16)
        .map(|b| match b {
            b if b < 0 => ('o', b),
            b if b <= DUE_SOON_DAYS => ('s', b),
            b => ('n', b),
        })
        .collect();
    assert_eq!(seen, want);
}

#[test]
fn the_reminder_day_is_the_local_date() {
    let table: &[(&str, &str, &str)] = &[
        ("Pacific/Chatham", "2024-12-31T10:15:00Z", "2025-01-01"),
        ("Pacific/Chatham", "2024-12-31T10:14:59Z", "2024-12-31"),
        ("America/New_York", "2024-11-04T04:30:00Z", "2024-11-03"),
        ("America/New_York", "2024-11-03T05:30:00Z", "2024-11-03"),
        ("America/New_York", "2024-11-03T06:30:00Z", "2024-11-03"),
        ("Asia/Kolkata", "2024-01-30T18:30:00Z", "2024-01-31"),
        ("Australia/Lord_Howe", "2024-10-05T13:30:00Z", "2024-10-06"),
        ("UTC", "2024-10-05T23:59:59Z", "2024-10-05"),
    ];
    for (name, now, want) in table {
        assert_eq!(reminder_day(utc(now), &zone(name)), date(want), "{name} {now}");
    }
}

#[test]
fn any_time_zone_will_do() {
    let at = utc("2024-01-30T18:45:00Z");
    let plus_5_30 = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    assert_eq!(next_due(&Recurrence::YEARLY, at, &plus_5_30), Some(date("2025-01-31")));
    assert_eq!(next_due(&Recurrence::YEARLY, at, &Utc), Some(date("2025-01-30")));
    assert_eq!(reminder_day(at, &plus_5_30), date("2024-01-31"));
    // The app passes the machine's zone; whatever it is, the answer is a date near by.
    let here = reminder_day(at, &chrono::Local);
    assert!((here - date("2024-01-30")).num_days().abs() <= 1);
    // A date past the end of the calendar is held at the last one.
    let end = NaiveDate::MAX.and_hms_opt(0, 0, 0).unwrap().and_utc();
    assert_eq!(next_due(&Months(12), end, &Utc), Some(NaiveDate::MAX));
}

#[test]
fn due_states_serialise_for_the_window() {
    let s = DueState::DueSoon { due: date("2025-03-10"), days_left: 3 };
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, r#"{"state":"due_soon","due":"2025-03-10","days_left":3}"#);
    assert_eq!(serde_json::from_str::<DueState>(&json).unwrap(), s);
}
