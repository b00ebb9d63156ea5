//! Running an incident: start a playbook, walk it one step at a time (done, skipped with a
//! reason, or a decision's choice), assign HICS positions, take notes, close it. Every
//! event is an activity-log entry; where an incident stands (the current step, who holds
//! which position, each step's outcome, the timers and the legal deadlines) is worked out
//! by replaying its entries, so the log is the one record of what happened.

pub mod clocks;
pub mod export;
pub mod hics;
pub mod periods;
mod replay;
pub mod review;
mod run;
pub mod timeline;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use clocks::{DeadlineState, DeadlineStatus, DiscoveryChange, Pause};
pub use replay::replay;
pub use run::*;

use crate::events::Event;
use crate::store::{Kind, Record};
use crate::{Error, Result};

/// What an incident is, as recorded when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub playbook: String,
    pub playbook_version: u32,
    pub title: String,
    pub lead: String,
    pub started: DateTime<Utc>,
    /// When the problem was discovered: the legal clocks run from here. As recorded at the
    /// start; a replayed incident holds the latest correction.
    pub discovered: DateTime<Utc>,
    /// A drill runs the same, and is marked as a drill everywhere.
    pub drill: bool,
}

impl Record for Incident {
    const KIND: Kind = Kind::Incident;
}

/// What emergency (break-glass) access may know of an incident: sealed under the ward key,
/// so a ward's staff can see that it is running, read its ward steps and log what they
/// observe. No name, no note, no log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardIncident {
    pub id: String,
    pub playbook: String,
    pub title: String,
    pub started: DateTime<Utc>,
    pub drill: bool,
    pub closed: bool,
}

impl Record for WardIncident {
    const KIND: Kind = Kind::WardIncident;
}

/// One thing that happened in an incident, from its log entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    /// The operational period it was made in (from 1), by its time.
    pub period: u32,
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub event: Event,
    /// The step it is about, if any.
    pub step: Option<String>,
    /// In words: a skip's reason, a decision's answer, a note's text, who took a position,
    /// a call's outcome.
    pub detail: Option<String>,
}

/// A HICS position and who holds it in this incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub position: String,
    /// The position's display name.
    pub name: String,
    pub person: String,
    pub since: DateTime<Utc>,
}

/// Where one step of the playbook stands in this incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not reached (yet, or not on the path the decisions took).
    Pending,
    /// The step to do now.
    Current,
    Done,
    Skipped,
    /// A decision, answered.
    Chosen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepState {
    pub id: String,
    pub title: String,
    pub role: String,
    pub phase: String,
    pub band: String,
    pub ward: bool,
    pub status: StepStatus,
    /// When the step became the current step (last time, in a loop).
    pub reached: Option<DateTime<Utc>>,
    /// When it was done, skipped or answered.
    pub finished: Option<DateTime<Utc>>,
    pub by: Option<String>,
    /// The skip's reason or the decision's answer.
    pub detail: Option<String>,
}

/// A reminder a step sets when it is reached ("has IT security called back?").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimerState {
    pub step: String,
    pub say: String,
    pub due: DateTime<Utc>,
    /// Someone has seen it and said so (a `timer_acknowledged` entry).
    pub acknowledged: bool,
}

/// Where an incident stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub incident: Incident,
    /// The step to do now (`None`: the playbook is finished).
    pub current: Option<String>,
    pub done: usize,
    pub skipped: usize,
    pub closed: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub events: Vec<Activity>,
    /// Who holds which position; the lead holds Incident Commander from the start.
    pub positions: Vec<Assignment>,
    /// Every step of the playbook, in the playbook's order.
    pub steps: Vec<StepState>,
    pub timers: Vec<TimerState>,
    /// The legal clocks, as they stood when replayed.
    pub deadlines: Vec<DeadlineState>,
    /// Corrections of the discovery time, oldest first (`incident.discovered` is the
    /// latest).
    pub discovery_changes: Vec<DiscoveryChange>,
    /// The entry that set the discovery time in force (the start, or the last correction):
    /// the one a new correction corrects.
    pub discovery_entry: Option<u64>,
    /// The calls made from the contact tree, oldest first.
    pub calls: Vec<crate::contacts::calltree::Call>,
    /// The latest breach risk assessment (45 CFR 164.402), with who signed it and when.
    pub assessment: Option<crate::breach::Assessed>,
    /// How many people the breach affected, in all and by state, as the breach register
    /// last recorded it (`None`: not recorded, or not known).
    pub affected: Option<crate::breach::Affected>,
    /// The operational periods, oldest first; the first began with the incident.
    pub periods: Vec<periods::Period>,
    /// Every objective set (HICS 202), in the order set, with when it was closed.
    pub objectives: Vec<periods::Objective>,
    /// Every assignment of a position in the order made, the lead's Incident Commander
    /// first: who held what when (the 203, the 207 and each position's 214 read it).
    pub history: Vec<Assignment>,
}

impl Progress {
    /// The positions a person holds here.
    pub fn positions_of(&self, person: &str) -> Vec<&str> {
        self.positions
            .iter()
            .filter(|a| a.person.eq_ignore_ascii_case(person))
            .map(|a| a.position.as_str())
            .collect()
    }

    /// A person's job action sheet for this incident: the steps for the positions they
    /// hold, each with where it stands.
    pub fn job_sheet(&self, person: &str) -> Vec<&StepState> {
        let held = self.positions_of(person);
        self.steps.iter().filter(|s| held.contains(&s.role.as_str())).collect()
    }
}

/// What to do with the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Done,
    Skip(String),
    /// A decision's answer: its label (case-insensitive) or its number from 1.
    Choose(String),
}

impl Action {
    /// From the window's words: `done`, `skip` with a reason, `choose` with an answer.
    pub fn parse(kind: &str, value: Option<String>) -> Result<Self> {
        match (kind, value) {
            ("done", _) => Ok(Action::Done),
            ("skip", Some(reason)) => Ok(Action::Skip(reason)),
            ("choose", Some(answer)) => Ok(Action::Choose(answer)),
            ("skip", None) => {
                Err(Error::Invalid { what: "step", reason: "a skip needs a reason".into() })
            }
            _ => Err(Error::Invalid { what: "step", reason: "say done, skip or choose".into() }),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
