//! The legal clocks of an incident, derived from its replayed log: on which branch each
//! applies, what it counts from (discovery, which may be corrected later; the start; the
//! moment its branch was taken; the end of the calendar year of discovery), its
//! arithmetic (elapsed minutes and hours; calendar days at the same wall-clock time;
//! business days that skip weekends and the playbook's holidays), the law-enforcement
//! pauses that freeze it (45 CFR 164.412: an oral request lasts at most 30 days unless a
//! written statement is recorded), and its state at a given moment.
//!
//! The arithmetic takes any `chrono` time zone: incidents count in the workstation's.
//! A clock that follows a rule of the pack may apply only in one state, only to an
//! organisation with a trait, or read its span from a contact's notice window: the
//! [`Organisation`] profile decides those, and a clock it cannot decide yet (no profile
//! set, no window recorded) is undecided and says what is missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::words::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use serde::Serialize;

use super::{StepState, StepStatus};
use crate::playbook::Playbook;
use crate::playbook::format::{ClockFrom, Condition, Counted, Span, Unit};

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
    /// The clock's name, as `pause` and `resume` take it: its rule's id, or its step's.
    pub clock: String,
    /// The id of the step that meets it.
    pub step: String,
    /// The clock rule it follows, and the rule's citation.
    pub rule_id: Option<String>,
    pub source: Option<crate::playbook::rules::Source>,
    /// Why it is undecided or not applicable beyond its branch (its state, the
    /// organisation's profile, a notice window not recorded).
    pub note: Option<String>,
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

/// What the clocks need to know of the organisation: set by an admin (the states it
/// operates in, its traits) and read from the contact list (notice windows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// The states and territories it operates in (`None`: not set yet).
    pub jurisdictions: Option<Vec<String>>,
    /// Its traits, from [`crate::playbook::clockrules::TRAITS`] (`None`: not set yet).
    pub traits: Option<Vec<String>>,
    /// Notice windows from the contact list, by contact role (the cyber insurer's policy).
    pub windows: BTreeMap<String, Span>,
}

/// Whether a clock applies to this organisation, as far as its rule's conditions go.
enum Fit {
    Applies,
    /// Not known yet: what is missing.
    Unknown(String),
    /// Never: why.
    Not(String),
}

impl Organisation {
    fn fit(&self, d: &crate::playbook::format::Deadline) -> Fit {
        if let Some(state) = &d.jurisdiction {
            match &self.jurisdictions {
                None => {
                    return Fit::Unknown(format!(
                        "applies only to an organisation in {state}: an admin sets the organisation's states"
                    ));
                }
                Some(list) if !list.contains(state) => {
                    return Fit::Not(format!(
                        "applies only in {state}; this organisation is in {}",
                        words_or_none(list)
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(t) = &d.requires {
            let name = crate::playbook::clockrules::TRAITS
                .iter()
                .find(|(id, _)| id == t)
                .map_or(t.as_str(), |(_, n)| n);
            match &self.traits {
                None => {
                    return Fit::Unknown(format!(
                        "applies only if the organisation is {name}: an admin sets the organisation's profile"
                    ));
                }
                Some(list) if !list.contains(t) => {
                    return Fit::Not(format!(
                        "applies only if the organisation is {name}, and it is not"
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(role) = &d.within_contact
            && !d.window_known
            && !self.windows.contains_key(role)
        {
            return Fit::Unknown(format!(
                "no notice window is recorded for the {role} contact: an admin adds `notice_within` to the contact list"
            ));
        }
        Fit::Applies
    }

    /// The rule in words, with the span in force: `within 72 hours of discovery (the
    /// cyber-insurer contact's notice window)`.
    fn rule_words(&self, d: &crate::playbook::format::Deadline) -> String {
        match d.within_contact.as_ref() {
            Some(role) if self.windows.contains_key(role) => format!(
                "within {} of {} (the {role} contact's notice window)",
                self.span(d).words(),
                d.from.words()
            ),
            Some(role) if !d.window_known => {
                format!("within the {role} contact's notice window of {}", d.from.words())
            }
            _ => d.rule_words(),
        }
    }

    /// Whether the clock has a span: its own, or its contact's notice window.
    fn span_known(&self, d: &crate::playbook::format::Deadline) -> bool {
        d.window_known || d.within_contact.as_ref().is_some_and(|r| self.windows.contains_key(r))
    }

    /// The clock's span: the contact's notice window when it has one, else the rule's.
    fn span(&self, d: &crate::playbook::format::Deadline) -> Span {
        d.within_contact.as_ref().and_then(|r| self.windows.get(r)).copied().unwrap_or(d.within)
    }
}

fn words_or_none(list: &[String]) -> String {
    if list.is_empty() { "no state".to_owned() } else { list.join(", ") }
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
    pub organisation: &'a Organisation,
    /// The breach register's counts as each of its records gave them, in order.
    pub counted: &'a [(DateTime<Utc>, Option<crate::breach::Affected>)],
}

/// Since when the register's counts have said `what`: the first of the records since which
/// every one says so (the latest included). `None`: the latest does not, or none has.
fn counted_since(what: Counted, f: &Facts<'_>) -> Option<DateTime<Utc>> {
    let mut since = None;
    for (at, counts) in f.counted {
        match counts {
            Some(a) if what.holds(a) => since = since.or(Some(*at)),
            _ => since = None,
        }
    }
    since
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
pub(crate) fn derive(p: &Playbook, f: Facts<'_>, now: DateTime<Utc>) -> Vec<DeadlineState> {
    let ahead = ahead(p, f.current);
    let mut out = Vec::new();
    let clocks =
        p.steps.iter().zip(f.steps).flat_map(|(s, st)| s.deadlines.iter().map(move |d| (s, st, d)));
    for (s, state, d) in clocks {
        // A pause names its clock; one logged before clocks had names of their own names
        // the step, and holds each clock the step meets.
        let mut pauses = f.pauses.get(&d.clock).cloned().unwrap_or_default();
        if d.clock != s.id {
            pauses.extend(f.pauses.get(&s.id).cloned().unwrap_or_default());
            pauses.sort_by_key(|p| p.from);
        }
        pauses.iter_mut().for_each(|pause| pause.settle(now));
        let mut branch = match (&d.when, d.or_when) {
            (None, Some(_)) => Branch::NotTaken,
            (None, None) => Branch::Taken(f.discovered),
            (Some(w), _) => branch(p, w, &f, &ahead),
        };
        // The register's counts take the branch too: the numbers, whatever was answered.
        if let Some(since) = d.or_when.and_then(|c| counted_since(c, &f)) {
            branch = match branch {
                Branch::Taken(at) => Branch::Taken(at.min(since)),
                _ => Branch::Taken(since),
            };
        } else if d.when.is_none() && d.or_when.is_some() && !f.closed {
            branch = Branch::Undecided;
        }
        if let Some(Branch::Taken(_)) = d.unless.as_ref().map(|u| self::branch(p, u, &f, &ahead)) {
            branch = Branch::NotTaken;
        }
        let finished = match state.status {
            StepStatus::Done | StepStatus::Chosen => state.finished,
            _ => None,
        };
        let mut note = None;
        // A clock met already needs no profile to say it applies.
        let fit = match f.organisation.fit(d) {
            Fit::Unknown(_) if finished.is_some() => Fit::Applies,
            fit => fit,
        };
        match (fit, &branch) {
            (_, Branch::NotTaken) | (Fit::Applies, _) => {}
            (Fit::Not(why), _) => {
                branch = Branch::NotTaken;
                note = Some(why);
            }
            (Fit::Unknown(why), _) => {
                branch = Branch::Undecided;
                note = Some(why);
            }
        }
        let anchor = match (d.from, &branch) {
            (_, Branch::NotTaken) => None,
            (ClockFrom::Discovery, _) => Some(f.discovered),
            (ClockFrom::Start, _) => Some(f.started),
            (ClockFrom::YearEnd, _) => year_end(f.discovered, &f.zone),
            (ClockFrom::When, Branch::Taken(at)) => Some(*at),
            (ClockFrom::When, Branch::Undecided) => None,
        };
        let base = anchor
            .filter(|_| f.organisation.span_known(d))
            .and_then(|a| add_span(a, f.organisation.span(d), &d.holidays, &f.zone));
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
            clock: d.clock.clone(),
            step: s.id.clone(),
            rule_id: d.rule.clone(),
            source: d.source.clone(),
            note,
            what: d.what.clone(),
            rule: f.organisation.rule_words(d),
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
        let source = self.source.as_ref().map(|s| format!("; source: {s}")).unwrap_or_default();
        format!("{} ({}{when}{source})", self.what, self.rule)
    }

    /// Its due time in `zone` to the minute, or a dash when it has none.
    pub fn due_words(&self, zone: &Zone) -> String {
        self.due.map_or_else(|| "\u{2014}".to_owned(), |t| zone.minute(t))
    }

    /// Its state in words, with the time left, its pauses and a skip; times in `zone`.
    pub fn state_words(&self, zone: &Zone) -> String {
        let left = self.left_minutes.map(crate::words::minutes).unwrap_or_default();
        let mut out = match self.status {
            DeadlineStatus::Undecided => match &self.note {
                Some(note) => format!("undecided: {note}"),
                None => format!("undecided: applies only {}", self.when_words()),
            },
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
            DeadlineStatus::NotApplicable => match &self.note {
                Some(note) => format!("not applicable: {note}"),
                None => "not applicable: its branch was not taken".to_owned(),
            },
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
