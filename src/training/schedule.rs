//! When training is due, in the workstation's time zone.
//!
//! A nurse who acknowledges a module at 23:30 on 10 March has done it on 10 March, whatever
//! the date in UTC. So every date here is a *local* date: the store keeps instants in UTC,
//! and these functions turn them into dates in the zone they are given (the workstation's zone, `App::zone`, in
//! the app; any [`TimeZone`] in tests). Counting is in whole local days, so a daylight-
//! saving change (a 23- or 25-hour day) never shifts a due date or a count by one.

use chrono::{DateTime, Months, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::Recurrence;

/// A due date this many local days away, or fewer, is "due soon".
pub const DUE_SOON_DAYS: i64 = 14;

/// The date the next acknowledgment is due: the local date of `last_ack` plus the
/// recurrence's months (calendar months, clamped to the month's end: 31 January plus one
/// month is 28 or 29 February); `None` for [`Recurrence::Once`].
///
/// Clamping does not carry over: yearly from 29 February 2024 is due 28 February 2025,
/// and an acknowledgment then is next due 28 February 2026. A date past the end of the
/// calendar (near year 262,000) is held at the last date there is.
pub fn next_due<Tz: TimeZone>(
    recurrence: &Recurrence,
    last_ack: DateTime<Utc>,
    tz: &Tz,
) -> Option<NaiveDate> {
    let Recurrence::Months(months) = *recurrence else { return None };
    let acked = local_date(last_ack, tz);
    Some(acked.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX))
}

/// Where a due date stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DueState {
    /// More than [`DUE_SOON_DAYS`] local days to go.
    NotDue { due: NaiveDate, days_left: i64 },
    /// Due today (`days_left` 0) or within [`DUE_SOON_DAYS`] local days.
    DueSoon { due: NaiveDate, days_left: i64 },
    /// The due date's local day is over: 1 on the day after it.
    Overdue { due: NaiveDate, days_over: i64 },
}

impl DueState {
    pub fn due(&self) -> NaiveDate {
        match *self {
            DueState::NotDue { due, .. }
            | DueState::DueSoon { due, .. }
            | DueState::Overdue { due, .. } => due,
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, DueState::Overdue { .. })
    }
}

/// Where a due date stands at `now` in the zone: overdue once the due date's local day is
/// over (from local midnight, or the first instant of the next day where a clock change
/// skips midnight); due soon from [`DUE_SOON_DAYS`] local days before, through the due
/// date itself; not due before that.
pub fn due_state<Tz: TimeZone>(due: NaiveDate, now: DateTime<Utc>, tz: &Tz) -> DueState {
    let today = local_date(now, tz);
    let days = due.signed_duration_since(today).num_days();
    if days < 0 {
        DueState::Overdue { due, days_over: days.saturating_neg() }
    } else if days <= DUE_SOON_DAYS {
        DueState::DueSoon { due, days_left: days }
    } else {
        DueState::NotDue { due, days_left: days }
    }
}

/// The key for "once per item per day" reminders: the local date of `now`.
pub fn reminder_day<Tz: TimeZone>(now: DateTime<Utc>, tz: &Tz) -> NaiveDate {
    local_date(now, tz)
}

/// An instant's date on the wall calendar of the zone. (From UTC, every instant has exactly
/// one local time, even in the repeated hour of a clock change.)
fn local_date<Tz: TimeZone>(instant: DateTime<Utc>, tz: &Tz) -> NaiveDate {
    instant.with_timezone(tz).date_naive()
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
