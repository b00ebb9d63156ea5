//! Operational periods (HICS): the first begins with the incident, the lead starts each
//! next one (its length set then, the last one's by default); the incident's objectives
//! (HICS 202), each carried into the next period until it is closed; general messages (HICS
//! 213). All of it is log entries in the writer's name; which period an entry belongs to
//! is derived by the replay from its time, never stored with it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::hics::Priority;
use super::{Assignment, Progress, progress, require_command};
use crate::events::Event;
use crate::playbook::Playbook;
use crate::store::Session;
use crate::{Error, Result};

/// The first period's length, and a period's when none is given: HICS's common 12 hours.
pub const DEFAULT_PERIOD_HOURS: u32 = 12;

/// One operational period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// From 1.
    pub number: u32,
    pub from: DateTime<Utc>,
    /// When the next period began (`None`: this one is the current one).
    pub to: Option<DateTime<Utc>>,
    /// How long it was planned to last.
    pub length_hours: u32,
    /// Who started it (the incident's lead for the first).
    pub by: String,
}

impl Period {
    /// Its end: when the next began, else its planned end.
    pub fn until(&self) -> DateTime<Utc> {
        self.to.unwrap_or(self.from + Duration::hours(i64::from(self.length_hours)))
    }

    /// Whether `t` falls in it.
    pub fn holds(&self, t: DateTime<Utc>) -> bool {
        t >= self.from && self.to.is_none_or(|to| t < to)
    }
}

/// An incident objective (HICS 202).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objective {
    /// From 1 in the incident.
    pub number: u32,
    pub text: String,
    pub set: DateTime<Utc>,
    pub by: String,
    /// When it was closed, and by whom.
    pub closed: Option<(DateTime<Utc>, String)>,
}

impl Progress {
    /// The operational period numbered `number` (`None`: the current one).
    pub fn period(&self, number: Option<u32>) -> Result<&Period> {
        let found = match number {
            None => self.periods.last(),
            Some(n) => self.periods.iter().find(|p| p.number == n),
        };
        found.ok_or_else(|| Error::Invalid {
            what: "operational period",
            reason: format!(
                "this incident has periods 1 to {}; there is no period {}",
                self.periods.len(),
                number.unwrap_or_default()
            ),
        })
    }

    /// The objectives of a period: set before it ended and not closed before it began
    /// (an objective closed during it shows there, as closed).
    pub fn objectives_in(&self, period: &Period) -> Vec<&Objective> {
        let end = period.to;
        self.objectives
            .iter()
            .filter(|o| end.is_none_or(|end| o.set < end))
            .filter(|o| o.closed.as_ref().is_none_or(|(at, _)| *at >= period.from))
            .collect()
    }

    /// Who holds each position at `t` (by position id).
    pub fn holders_at(&self, t: DateTime<Utc>) -> BTreeMap<&str, &Assignment> {
        let mut held = BTreeMap::new();
        for a in self.history.iter().filter(|a| a.since <= t) {
            held.insert(a.position.as_str(), a);
        }
        held
    }

    /// The organisation at a period's end (or now, for the current period): who holds
    /// which position, as the 203 and the 207 list it.
    pub fn organisation_in(&self, period: &Period, now: DateTime<Utc>) -> Vec<&Assignment> {
        let at = period.to.map_or(now, |to| to - Duration::milliseconds(1));
        self.holders_at(at).into_values().collect()
    }

    /// The positions `person` held at `t`.
    pub fn positions_at(&self, person: &str, t: DateTime<Utc>) -> Vec<&Assignment> {
        self.holders_at(t).into_values().filter(|a| a.person.eq_ignore_ascii_case(person)).collect()
    }

    /// Everyone who held `position` at some time in `period`, in the order they took it.
    pub fn holders_in(&self, position: &str, period: &Period) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let before = self.holders_at(period.from).get(position).map(|a| a.person.as_str());
        let during = self
            .history
            .iter()
            .filter(|a| a.position == position && period.holds(a.since) && a.since > period.from)
            .map(|a| a.person.as_str());
        for name in before.into_iter().chain(during) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name);
            }
        }
        names
    }
}

pub(crate) fn open(now: &Progress) -> Result<()> {
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is closed".into() });
    }
    Ok(())
}

/// Text a person typed for a form: trimmed, 1 to `max` characters.
pub(crate) fn text(text: &str, what: &'static str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(Error::Invalid { what, reason: format!("write 1 to {max} characters") });
    }
    Ok(t.to_owned())
}

/// Starts the next operational period (its lead, incident leads and admins), `length_hours`
/// long (1 to 168; the current period's length when `None`).
pub fn start_period(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    length_hours: Option<u32>,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    open(&now)?;
    let current = now.period(None)?;
    let length_hours = length_hours.unwrap_or(current.length_hours);
    if !(1..=168).contains(&length_hours) {
        return Err(Error::Invalid {
            what: "period length",
            reason: "must be 1 to 168 hours".into(),
        });
    }
    let event = Event::PeriodStarted { length_hours, number: current.number + 1 };
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "start a period")?;
        w.append(Some(id), &event)
    })?;
    progress(session, playbooks, id)
}

/// Sets a new incident objective (its lead, incident leads and admins).
pub fn set_objective(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    objective: &str,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    open(&now)?;
    let text = text(objective, "objective", 500)?;
    let number = now.objectives.iter().map(|o| o.number).max().unwrap_or(0) + 1;
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "set objectives")?;
        w.append(Some(id), &Event::ObjectiveSet { number, text: text.clone() })
    })?;
    progress(session, playbooks, id)
}

/// Closes an open objective by its number (its lead, incident leads and admins).
pub fn close_objective(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    number: u32,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    open(&now)?;
    if !now.objectives.iter().any(|o| o.number == number && o.closed.is_none()) {
        return Err(Error::Invalid {
            what: "objective",
            reason: format!("this incident has no open objective {number}"),
        });
    }
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "close objectives")?;
        w.append(Some(id), &Event::ObjectiveClosed { number })
    })?;
    progress(session, playbooks, id)
}

/// What a general message (HICS 213) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The position it is for (a HICS position or one of the playbook's).
    pub to: String,
    pub subject: String,
    pub text: String,
    pub priority: Priority,
}

/// Writes a general message (HICS 213) from the signed-in person to a position: anyone
/// signed in, while the incident is open. Returns its log entry's number.
pub fn message(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    message: Message,
) -> Result<u64> {
    let now = progress(session, playbooks, id)?;
    open(&now)?;
    let p = super::playbook(playbooks, &now.incident.playbook)?;
    super::known_position(p, &message.to)?;
    let text = text(&message.text, "message", 2_000)?;
    let subject = match message.subject.trim() {
        "" => text.chars().take(60).collect(),
        s => self::text(s, "subject", 200)?,
    };
    let event = Event::GeneralMessage { priority: message.priority, subject, text, to: message.to };
    session.append(Some(id), &event)
}
