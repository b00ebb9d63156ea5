//! The legal clocks of an incident, derived from its replayed log: on which branch each
//! applies, what it counts from (discovery, which may be corrected later; the start; the
//! moment its branch was taken; the end of the calendar year of discovery), its
//! arithmetic (elapsed minutes and hours; calendar days at the same wall-clock time;
//! business days that skip weekends and the playbook's holidays), the law-enforcement
//! pauses that freeze it (45 CFR 164.412: an oral request lasts at most 30 days unless a
//! written statement is recorded), and its state at a given moment.
//!
//! The arithmetic takes any `chrono` time zone; incidents use UTC until the workstation's
//! zone is set (issue 13's local time).

use std::collections::{BTreeMap, BTreeSet};

use crate::words::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use serde::Serialize;

use super::{StepState, StepStatus};
use crate::playbook::Playbook;
use crate::playbook::format::{ClockFrom, Condition, Span, Unit};

/// How long an oral law-enforcement request may delay a notice (45 CFR 164.412(b)).
pub const ORAL_DELAY_DAYS: i64 = 30;

/// Where a legal clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Its branch is not decided yet: it applies only if the decision goes its way.
    Undecided,
    /// Applies, not met, not past due.
    Running,
    /// Frozen by a law-enforcement delay: its time left does not go down.
    Paused,
    /// Past due, not met, while the incident is open.
    Overdue,
    /// Its step was done by the due time.
    Met,
    /// Its step was done after the due time.
    Late,
    /// Past due and not met, and the incident is closed.
    Missed,
    /// Its branch was not taken.
    NotApplicable,
}

impl DeadlineStatus {
    /// In words, as the review, the HICS 214 and the CLI print it.
    pub fn words(self) -> &'static str {
        match self {
            DeadlineStatus::Undecided => "undecided",
            DeadlineStatus::Running => "running",
            DeadlineStatus::Paused => "paused",
            DeadlineStatus::Overdue => "OVERDUE",
            DeadlineStatus::Met => "met",
            DeadlineStatus::Late => "met late",
            DeadlineStatus::Missed => "MISSED",
            DeadlineStatus::NotApplicable => "not applicable",
        }
    }
}

/// A law-enforcement delay of one clock (45 CFR 164.412), from its log entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    pub from: DateTime<Utc>,
    /// When it ended: resumed, or an oral request's 30 days over (`None`: still paused).
    pub to: Option<DateTime<Utc>>,
    /// A written statement was recorded (else the request was oral: 30 days at most).
    pub written: bool,
    /// The official's statement, as recorded.
    pub reason: String,
    pub by: String,
    /// It ended by itself: an oral request's 30 days ran out.
    pub lapsed: bool,
}

impl Pause {
    /// When an oral request runs out.
    fn lapses(&self) -> Option<DateTime<Utc>> {
        (!self.written).then(|| self.from + Duration::days(ORAL_DELAY_DAYS))
    }

    /// Ends it at `at`, or earlier if an oral request had run out by then.
    pub(crate) fn end(&mut self, at: DateTime<Utc>) {
        match self.lapses() {
            Some(lapse) if lapse < at => {
                self.to = Some(lapse);
                self.lapsed = true;
            }
            _ => self.to = Some(at),
        }
    }

    /// Its end as of `now`: an oral request past its 30 days has ended by itself.
    fn settle(&mut self, now: DateTime<Utc>) {
        if self.to.is_none() && self.lapses().is_some_and(|l| l <= now) {
            self.end(now);
        }
    }
}

/// A change of the discovery time, from its correcting log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveryChange {
    /// The correcting entry's number.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub was: DateTime<Utc>,
    pub discovered: DateTime<Utc>,
    pub reason: String,
}

/// One legal clock of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineState {
    /// The clock's name: the id of the step that meets it.
    pub step: String,
    pub what: String,
    /// The rule in words: `within 60 days of discovery`.
    pub rule: String,
    /// The branch it applies on, in words (`None`: always).
    pub when: Option<String>,
    pub from: ClockFrom,
    /// What it counts from (`None`: not known yet, or not applicable).
    pub anchor: Option<DateTime<Utc>>,
    /// When it is due, pauses included (`None`: not applicable, or not known yet).
    pub due: Option<DateTime<Utc>>,
    pub status: DeadlineStatus,
    /// Minutes left at the moment it was worked out (negative: overdue); frozen while
    /// paused. `None` once met or when not applicable.
    pub left_minutes: Option<i64>,
    /// When its step was done or answered.
    pub finished: Option<DateTime<Utc>>,
    /// Its step was skipped, for this reason: that does not meet it.
    pub skipped: Option<String>,
    pub pauses: Vec<Pause>,
}

/// What the replay knows that the clocks are derived from.
pub(crate) struct Facts<'a> {
    pub discovered: DateTime<Utc>,
    pub started: DateTime<Utc>,
    pub steps: &'a [StepState],
    /// Each decision's latest answer and when.
    pub answers: &'a BTreeMap<String, (String, DateTime<Utc>)>,
    /// When each step was first reached.
    pub first_reached: &'a BTreeMap<String, DateTime<Utc>>,
    pub pauses: BTreeMap<String, Vec<Pause>>,
    pub current: Option<&'a str>,
    pub closed: bool,
    /// The workstation's zone: calendar and business days, and the year's end, are its.
    pub zone: chrono_tz::Tz,
}

/// Whether a clock's branch was taken: since when, not (yet), or never.
enum Branch {
    Taken(DateTime<Utc>),
    Undecided,
    NotTaken,
}

fn branch(p: &Playbook, when: &Condition, f: &Facts<'_>, ahead: &BTreeSet<String>) -> Branch {
    let taken = match &when.choice {
        Some(choice) => match f.answers.get(&when.step) {
            Some((answer, at)) if answer == choice => Some(*at),
            Some(_) => return Branch::NotTaken,
            None => None,
        },
        None => f.first_reached.get(&when.step).copied(),
    };
    match taken {
        Some(at) => Branch::Taken(at),
        None if f.closed || !ahead.contains(&when.step) || p.steps.is_empty() => Branch::NotTaken,
        None => Branch::Undecided,
    }
}

/// The steps still reachable from the current one, itself included.
fn ahead(p: &Playbook, current: Option<&str>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = current.map(str::to_owned).into_iter().collect();
    while let Some(id) = todo.pop() {
        let Some(index) = p.steps.iter().position(|s| s.id == id) else { continue };
        if seen.insert(id) {
            todo.extend(p.successors(index));
        }
    }
    seen
}

/// The due time at `t`: the base due, moved on by the time each pause that began before it
/// had run by `t` (a pause begun once the clock was past due does not revive it).
fn due_at(base: DateTime<Utc>, pauses: &[Pause], t: DateTime<Utc>) -> DateTime<Utc> {
    let mut due = base;
    for p in pauses {
        let end = p.to.unwrap_or(t).min(t);
        if p.from < due && end > p.from {
            due += end - p.from;
        }
    }
    due
}

/// Every clock of the playbook, as it stands at `now`.
pub(crate) fn derive(p: &Playbook, mut f: Facts<'_>, now: DateTime<Utc>) -> Vec<DeadlineState> {
    let ahead = ahead(p, f.current);
    let mut out = Vec::new();
    for (s, state) in p.steps.iter().zip(f.steps) {
        let Some(d) = &s.deadline else { continue };
        let mut pauses = f.pauses.remove(&s.id).unwrap_or_default();
        pauses.iter_mut().for_each(|pause| pause.settle(now));
        let mut branch =
            d.when.as_ref().map_or(Branch::Taken(f.discovered), |w| branch(p, w, &f, &ahead));
        if let Some(Branch::Taken(_)) = d.unless.as_ref().map(|u| self::branch(p, u, &f, &ahead)) {
            branch = Branch::NotTaken;
        }
        let anchor = match (d.from, &branch) {
            (_, Branch::NotTaken) => None,
            (ClockFrom::Discovery, _) => Some(f.discovered),
            (ClockFrom::Start, _) => Some(f.started),
            (ClockFrom::YearEnd, _) => year_end(f.discovered, &f.zone),
            (ClockFrom::When, Branch::Taken(at)) => Some(*at),
            (ClockFrom::When, Branch::Undecided) => None,
        };
        let base = anchor.and_then(|a| add_span(a, d.within, &p.holidays, &f.zone));
        let finished = match state.status {
            StepStatus::Done | StepStatus::Chosen => state.finished,
            _ => None,
        };
        // An open delay holds the clock only if it began before the clock ran out.
        let paused = base.is_some_and(|b| {
            let due = due_at(b, &pauses, now);
            pauses.iter().any(|p| p.to.is_none() && p.from < due)
        });
        let status = match (&branch, base, finished) {
            (Branch::NotTaken, ..) => DeadlineStatus::NotApplicable,
            (Branch::Undecided, ..) => DeadlineStatus::Undecided,
            (Branch::Taken(_), Some(base), Some(t)) if t <= due_at(base, &pauses, t) => {
                DeadlineStatus::Met
            }
            (Branch::Taken(_), _, Some(_)) => DeadlineStatus::Late,
            (Branch::Taken(_), _, None) if paused => DeadlineStatus::Paused,
            (Branch::Taken(_), Some(base), None) if now <= due_at(base, &pauses, now) => {
                DeadlineStatus::Running
            }
            (Branch::Taken(_), _, None) if f.closed => DeadlineStatus::Missed,
            (Branch::Taken(_), _, None) => DeadlineStatus::Overdue,
        };
        let due = match status {
            DeadlineStatus::NotApplicable => None,
            DeadlineStatus::Met | DeadlineStatus::Late => {
                base.zip(finished).map(|(b, t)| due_at(b, &pauses, t))
            }
            _ => base.map(|b| due_at(b, &pauses, now)),
        };
        let left_minutes = match status {
            DeadlineStatus::NotApplicable | DeadlineStatus::Met | DeadlineStatus::Late => None,
            _ => due.map(|d| (d - now).num_minutes()),
        };
        out.push(DeadlineState {
            step: s.id.clone(),
            what: d.what.clone(),
            rule: d.rule_words(),
            when: d.when_words(p),
            from: d.from,
            anchor,
            due,
            status,
            left_minutes,
            finished,
            skipped: (state.status == StepStatus::Skipped).then(|| state.detail.clone()).flatten(),
            pauses,
        });
    }
    out
}

// ---- in words, as every view and export gives them ----

impl DeadlineState {
    /// What the clock is for, with its rule and branch: `Notify HHS ... (within 60 days of
    /// discovery, if "Are 500 or more people affected in total?" is answered "Yes")`.
    pub fn described(&self) -> String {
        let when = self.when.as_deref().map(|w| format!(", {w}")).unwrap_or_default();
        format!("{} ({}{when})", self.what, self.rule)
    }

    /// Its due time in `zone` to the minute, or a dash when it has none.
    pub fn due_words(&self, zone: &Zone) -> String {
        self.due.map_or_else(|| "\u{2014}".to_owned(), |t| zone.minute(t))
    }

    /// Its state in words, with the time left, its pauses and a skip; times in `zone`.
    pub fn state_words(&self, zone: &Zone) -> String {
        let left = self.left_minutes.map(crate::words::minutes).unwrap_or_default();
        let mut out = match self.status {
            DeadlineStatus::Undecided => format!("undecided: applies only {}", self.when_words()),
            DeadlineStatus::Running => format!("running, {left} left"),
            DeadlineStatus::Paused => format!("paused, {left} left (frozen)"),
            DeadlineStatus::Overdue => {
                format!("OVERDUE by {}", crate::words::minutes(-self.left_minutes.unwrap_or(0)))
            }
            DeadlineStatus::Met | DeadlineStatus::Late => format!(
                "{} {}",
                self.status.words(),
                self.finished.map(|t| zone.minute(t)).unwrap_or_default()
            ),
            DeadlineStatus::Missed => "MISSED".to_owned(),
            DeadlineStatus::NotApplicable => "not applicable: its branch was not taken".to_owned(),
        };
        for p in &self.pauses {
            let kind = if p.written { "written" } else { "oral" };
            let to = match (p.to, p.lapsed) {
                (Some(to), true) => format!(" to {} (oral, 30 days over)", zone.minute(to)),
                (Some(to), false) => format!(" to {}", zone.minute(to)),
                (None, _) => ", still paused".to_owned(),
            };
            out.push_str(&format!(
                "; law-enforcement delay ({kind}) from {}{to}: {}",
                zone.minute(p.from),
                p.reason
            ));
        }
        if let Some(reason) = &self.skipped {
            out.push_str(&format!("; its step was skipped ({reason}), which does not meet it"));
        }
        out
    }

    fn when_words(&self) -> &str {
        self.when.as_deref().unwrap_or("on its branch")
    }
}

/// The discovery time in words, in `zone`, with every correction: `2026-11-28 06:30 EST
/// (recorded at the start as 2026-11-28 08:00 EST; set to ... on ... by Lee Lead: reason)`.
pub fn discovery_words(
    discovered: DateTime<Utc>,
    changes: &[DiscoveryChange],
    zone: &Zone,
) -> String {
    let now = zone.minute(discovered);
    let Some(first) = changes.first() else { return now };
    let mut out = format!("{now} (recorded at the start as {}", zone.minute(first.was));
    for c in changes {
        out.push_str(&format!(
            "; set to {} on {} by {}: {}",
            zone.minute(c.discovered),
            zone.minute(c.at),
            c.by,
            c.reason
        ));
    }
    out.push(')');
    out
}

// ---- the arithmetic ----

/// A local date and time in `tz` as UTC: in a gap (clocks going forward) the first moment
/// after it, when ambiguous (clocks going back) the earlier one.
fn resolve<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    (0..=4)
        .find_map(|half_hours| {
            tz.from_local_datetime(&(local + Duration::minutes(30 * half_hours))).earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// Monday to Friday, and not one of `holidays`.
pub fn is_business_day(day: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && holidays.binary_search(&day).is_err()
}

/// When a clock of `span` that counts from `anchor` is due, in the zone `tz`: minutes and
/// hours are elapsed time; days and weeks the same wall-clock time that many calendar days
/// later; business days the same wall-clock time on the `n`th business day after the
/// anchor's day (`holidays` sorted). `None` past the calendar's range.
pub fn add_span<Tz: TimeZone>(
    anchor: DateTime<Utc>,
    span: Span,
    holidays: &[NaiveDate],
    tz: &Tz,
) -> Option<DateTime<Utc>> {
    let n = i64::from(span.amount);
    let local = anchor.with_timezone(tz).naive_local();
    match span.unit {
        Unit::Minutes => anchor.checked_add_signed(Duration::minutes(n)),
        Unit::Hours => anchor.checked_add_signed(Duration::hours(n)),
        Unit::Days => {
            resolve(tz, local.checked_add_days(chrono::Days::new(u64::from(span.amount)))?)
        }
        Unit::Weeks => {
            resolve(tz, local.checked_add_days(chrono::Days::new(7 * u64::from(span.amount)))?)
        }
        Unit::BusinessDays => {
            let mut day = local.date();
            let mut counted = 0;
            while counted < span.amount {
                day = day.succ_opt()?;
                if is_business_day(day, holidays) {
                    counted += 1;
                }
            }
            resolve(tz, day.and_time(local.time()))
        }
    }
}

/// The end of the calendar year of `t` in `tz`: midnight starting 1 January of the next.
pub fn year_end<Tz: TimeZone>(t: DateTime<Utc>, tz: &Tz) -> Option<DateTime<Utc>> {
    let year = t.with_timezone(tz).year().checked_add(1)?;
    resolve(tz, NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0)?)
}

#[cfg(test)]
#[path = "clocks_tests.rs"]
mod tests;
