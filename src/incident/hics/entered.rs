//! What people write for the HICS 201, 204, 215A and 251 (issue 21): the briefing's
//! situation summary, health and safety briefing and actions, a position's work
//! assignment, a hazard and its mitigation, a facility system's status. Each is a log entry
//! in the writer's name; the forms read them back for one operational period (a summary, a
//! work assignment or a system status stands into each next period until written again).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::super::periods::{Period, open, text};
use super::super::{Activity, Progress, known_position, playbook, progress, require_command};
use crate::events::Event;
use crate::playbook::Playbook;
use crate::store::Session;
use crate::{Error, Result};

/// A part of the incident briefing (HICS 201) a person writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BriefingPart {
    /// 3. Situation Summary.
    Summary,
    /// 4. Health and Safety Briefing.
    Safety,
    /// 8. A current or planned action.
    Action,
}

impl BriefingPart {
    /// In the form's words.
    pub fn words(self) -> &'static str {
        match self {
            BriefingPart::Summary => "Situation Summary",
            BriefingPart::Safety => "Health and Safety Briefing",
            BriefingPart::Action => "Current or planned action",
        }
    }
}

/// A facility system's status, as the HICS 251 offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemStatus {
    Up,
    Partial,
    Down,
}

impl SystemStatus {
    /// In the form's words.
    pub fn words(self) -> &'static str {
        match self {
            SystemStatus::Up => "Fully functional",
            SystemStatus::Partial => "Partially functional",
            SystemStatus::Down => "Nonfunctional",
        }
    }
}

impl std::str::FromStr for SystemStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "up" => Ok(SystemStatus::Up),
            "partial" => Ok(SystemStatus::Partial),
            "down" => Ok(SystemStatus::Down),
            _ => Err(Error::Invalid {
                what: "system status",
                reason: "must be up, down or partial".into(),
            }),
        }
    }
}

/// Appends the events `make` gives, in one write, in the name of someone who may run the
/// incident's command (its lead, incident leads and admins), while it is open.
fn command_write(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    action: &'static str,
    make: impl FnOnce(&Progress) -> Result<Vec<Event>>,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    open(&now)?;
    let events = make(&now)?;
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, action)?;
        for event in &events {
            w.append(Some(id), event)?;
        }
        Ok(())
    })?;
    progress(session, playbooks, id)
}

/// Writes parts of the incident briefing, all or none.
pub fn write_briefing(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    parts: &[(BriefingPart, &str)],
) -> Result<Progress> {
    command_write(session, playbooks, id, "write the briefing", |_| {
        if parts.is_empty() {
            return Err(Error::Invalid { what: "briefing", reason: "write a part of it".into() });
        }
        parts
            .iter()
            .map(|(part, typed)| {
                Ok(Event::BriefingWritten { part: *part, text: text(typed, "briefing", 2_000)? })
            })
            .collect()
    })
}

/// Writes a position's work assignment and special instructions.
pub fn assign_work(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    position: &str,
    typed: &str,
) -> Result<Progress> {
    command_write(session, playbooks, id, "assign work", |now| {
        known_position(playbook(playbooks, &now.incident.playbook)?, position)?;
        let text = text(typed, "work assignment", 2_000)?;
        Ok(vec![Event::WorkAssigned { position: position.to_owned(), text }])
    })
}

/// Notes a hazard or risk and its mitigation for the current period.
pub fn note_hazard(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    hazard: &str,
    mitigation: &str,
) -> Result<Progress> {
    command_write(session, playbooks, id, "note hazards", |_| {
        Ok(vec![Event::HazardNoted {
            hazard: text(hazard, "hazard", 500)?,
            mitigation: text(mitigation, "mitigation", 1_000)?,
        }])
    })
}

/// Sets a facility system's status: anyone signed in, while the incident is open (who
/// sees a system down reports it). `system` is an asset register id or a system's name.
pub fn set_system_status(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    system: &str,
    status: SystemStatus,
    note: Option<&str>,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    open(&now)?;
    let note = match note.map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(text(n, "note", 500)?),
    };
    let event = Event::SystemStatusSet { note, status, system: text(system, "system", 120)? };
    session.append(Some(id), &event)?;
    progress(session, playbooks, id)
}

/// One written thing as a form shows it: what, when, by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written<T> {
    pub what: T,
    pub time: DateTime<Utc>,
    pub by: String,
}

fn written<T>(e: &Activity, what: T) -> Written<T> {
    Written { what, time: e.time, by: e.actor.clone() }
}

/// The entries up to a period's end (`so_far`) or in it.
fn entries<'a>(
    p: &'a Progress,
    period: &Period,
    so_far: bool,
) -> impl Iterator<Item = &'a Activity> {
    let n = period.number;
    p.events.iter().filter(move |e| if so_far { e.period <= n } else { e.period == n })
}

/// The briefing of a period: the summary and the safety briefing standing at its end, and
/// the actions written in it.
#[derive(Debug, Default)]
pub struct Briefing {
    pub summary: Option<Written<String>>,
    pub safety: Option<Written<String>>,
    pub actions: Vec<Written<String>>,
}

/// Reads the briefing of a period.
pub fn briefing(p: &Progress, period: &Period) -> Briefing {
    let mut b = Briefing::default();
    for e in entries(p, period, true) {
        if let Event::BriefingWritten { part, text } = &e.event {
            let w = written(e, text.clone());
            match part {
                BriefingPart::Summary => b.summary = Some(w),
                BriefingPart::Safety => b.safety = Some(w),
                BriefingPart::Action if e.period == period.number => b.actions.push(w),
                BriefingPart::Action => {}
            }
        }
    }
    b
}

/// Work assignments by position.
pub type Work = BTreeMap<String, Written<String>>;

/// The work assignment standing for each position at a period's end.
pub fn work(p: &Progress, period: &Period) -> Work {
    let mut all = BTreeMap::new();
    for e in entries(p, period, true) {
        if let Event::WorkAssigned { position, text } = &e.event {
            all.insert(position.clone(), written(e, text.clone()));
        }
    }
    all
}

/// The hazards noted in a period, with their mitigations.
pub fn hazards(p: &Progress, period: &Period) -> Vec<Written<(String, String)>> {
    entries(p, period, false)
        .filter_map(|e| match &e.event {
            Event::HazardNoted { hazard, mitigation } => {
                Some(written(e, (hazard.clone(), mitigation.clone())))
            }
            _ => None,
        })
        .collect()
}

/// The status standing for each system at a period's end (by the system as typed, folded
/// to lower case), with its note.
pub fn statuses(
    p: &Progress,
    period: &Period,
) -> BTreeMap<String, Written<(String, SystemStatus, Option<String>)>> {
    let mut all = BTreeMap::new();
    for e in entries(p, period, true) {
        if let Event::SystemStatusSet { system, status, note } = &e.event {
            all.insert(system.to_lowercase(), written(e, (system.clone(), *status, note.clone())));
        }
    }
    all
}
