//! The improvement plan's corrective actions: each added to an exercise against one of its
//! objectives, with an owner, a due date and the playbook or training it changes, and
//! tracked to closure. Only in the log (`corrective_action_added`, `_closed`), replayed,
//! like the chain of custody: nothing to keep in step.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Package;
use super::run::Exercise;
use crate::events::{Entry, Event};
use crate::playbook::Playbook;
use crate::store::{Permission, Session};
use crate::{Error, Result};

/// How many days before its due date an open action is reminded of.
pub const REMIND_DAYS: i64 = 14;

/// One corrective action, as replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// `EXERCISE-C1`, `-C2`...
    pub id: String,
    pub exercise: String,
    pub exercise_title: String,
    pub objective: String,
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    /// What it changes: `playbook:ID`, `playbook:ID#STEP` or `training:ID`.
    pub changes: String,
    pub added_by: String,
    pub added: DateTime<Utc>,
    pub closed: Option<Closed>,
}

/// How an action was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closed {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Where an action stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Standing {
    Closed,
    Open { days_left: i64 },
    Overdue { days_over: i64 },
}

impl Action {
    pub fn standing(&self, today: NaiveDate) -> Standing {
        if self.closed.is_some() {
            return Standing::Closed;
        }
        let days = (self.due - today).num_days();
        if days < 0 {
            Standing::Overdue { days_over: -days }
        } else {
            Standing::Open { days_left: days }
        }
    }

    /// Its standing in words.
    pub fn standing_words(&self, today: NaiveDate) -> String {
        match self.standing(today) {
            Standing::Closed => "closed".into(),
            Standing::Open { days_left } => {
                format!("open, due {} ({days_left} days left)", self.due)
            }
            Standing::Overdue { days_over } => {
                format!("overdue: was due {} ({days_over} days ago)", self.due)
            }
        }
    }
}

/// Every corrective action in `entries` (the whole log), in the order added; `titles`
/// gives each exercise's title by its id.
pub fn replay(entries: &[Entry], titles: &dyn Fn(&str) -> String) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for e in entries {
        match &e.event {
            Event::CorrectiveActionAdded { action, changes, due, objective, owner, text } => {
                let exercise = e.incident.clone().unwrap_or_default();
                out.push(Action {
                    id: action.clone(),
                    exercise_title: titles(&exercise),
                    exercise,
                    objective: objective.clone(),
                    text: text.clone(),
                    owner: owner.clone(),
                    due: *due,
                    changes: changes.clone(),
                    added_by: e.actor.clone(),
                    added: e.time,
                    closed: None,
                });
            }
            Event::CorrectiveActionClosed { action, note } => {
                if let Some(a) = out.iter_mut().find(|a| a.id == *action && a.closed.is_none()) {
                    a.closed = Some(Closed { by: e.actor.clone(), at: e.time, note: note.clone() });
                }
            }
            _ => {}
        }
    }
    out
}

/// A new corrective action, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction<'a> {
    pub objective: &'a str,
    pub text: &'a str,
    pub owner: &'a str,
    pub due: NaiveDate,
    pub changes: &'a str,
}

/// What an action changes, checked: a playbook in force (`ID` or `ID#STEP`, with or
/// without `playbook:`) or a training module (`training:ID`).
fn changes(text: &str, playbooks: &[Playbook], modules: &[String]) -> Result<String> {
    let text = text.trim();
    let bad = |reason: String| Error::Invalid { what: "what the action changes", reason };
    if let Some(module) = text.strip_prefix("training:") {
        return if modules.iter().any(|m| m == module) {
            Ok(text.to_owned())
        } else {
            Err(bad(format!("no training module `{module}`")))
        };
    }
    let target = text.strip_prefix("playbook:").unwrap_or(text);
    let (playbook, step) = match target.split_once('#') {
        Some((p, s)) => (p, Some(s)),
        None => (target, None),
    };
    let p = playbooks.iter().find(|p| p.id == playbook).ok_or_else(|| {
        bad(format!(
            "`{text}` is neither a playbook in force (playbook:ID or ID#STEP) nor training:MODULE"
        ))
    })?;
    if let Some(step) = step
        && !p.steps.iter().any(|s| s.id == step)
    {
        return Err(bad(format!("playbook `{playbook}` has no step `{step}`")));
    }
    Ok(format!("playbook:{target}"))
}

/// Adds a corrective action to an exercise (its facilitator, admins and incident leads),
/// against one of its objectives.
pub fn add(
    session: &Session,
    exercise: &Exercise,
    package: &Package,
    (playbooks, modules): (&[Playbook], &[String]),
    new: &NewAction<'_>,
) -> Result<Action> {
    if !package.objectives.iter().any(|o| o.id == new.objective) {
        let known: Vec<&str> = package.objectives.iter().map(|o| o.id.as_str()).collect();
        return Err(Error::Invalid {
            what: "objective",
            reason: format!(
                "`{}` is not an objective of this exercise: use one of {}",
                new.objective,
                known.join(", ")
            ),
        });
    }
    let text = super::run::checked_text(new.text, "corrective action")?;
    let owner = new.owner.trim();
    if owner.is_empty() || owner.chars().count() > 80 || owner.chars().any(char::is_control) {
        return Err(Error::Invalid {
            what: "owner",
            reason: "write a name of 1 to 80 characters on one line".into(),
        });
    }
    let changes = changes(new.changes, playbooks, modules)?;
    let entries = session.events(Some(&exercise.id))?;
    let n =
        entries.iter().filter(|e| matches!(e.event, Event::CorrectiveActionAdded { .. })).count();
    let action = format!("{}-C{}", exercise.id, n + 1);
    let event = Event::CorrectiveActionAdded {
        action: action.clone(),
        changes,
        due: new.due,
        objective: new.objective.to_owned(),
        owner: owner.to_owned(),
        text,
    };
    let incident = crate::incident::by_id(session, &exercise.id)?;
    session.write(|w| {
        let role = w.role();
        if !crate::incident::may_command(role, session.user_name(), &incident)
            && !role.may(Permission::EvaluateExercises)
        {
            return Err(Permission::EvaluateExercises.denied("add a corrective action"));
        }
        w.append(Some(&exercise.id), &event)
    })?;
    let all = replay(&session.events(Some(&exercise.id))?, &|_| exercise.title.clone());
    all.into_iter().find(|a| a.id == action).ok_or_else(|| Error::Invalid {
        what: "corrective action",
        reason: "was not recorded".into(),
    })
}

/// Whether the signed-in person sees `action`: its owner, and admins and incident leads
/// (`everyone`: the role read now holds [`Permission::EvaluateExercises`]).
pub fn sees(session: &Session, everyone: bool, action: &Action) -> bool {
    everyone || action.owner.eq_ignore_ascii_case(session.user_name())
}

/// Closes an open action (its owner, admins and incident leads), with a note of what was
/// done.
pub fn close(session: &Session, all: &[Action], id: &str, note: &str) -> Result<Action> {
    let action = all.iter().find(|a| a.id == id).ok_or_else(|| Error::Invalid {
        what: "corrective action",
        reason: format!("no corrective action `{id}`"),
    })?;
    if action.closed.is_some() {
        return Err(Error::Invalid {
            what: "corrective action",
            reason: "is already closed".into(),
        });
    }
    let note = super::run::checked_text(note, "closing note")?;
    let event = Event::CorrectiveActionClosed { action: id.to_owned(), note: note.clone() };
    session.write(|w| {
        if !w.role().may(Permission::EvaluateExercises)
            && !action.owner.eq_ignore_ascii_case(session.user_name())
        {
            return Err(Error::PermissionDenied {
                action: "close a corrective action",
                needed: "its owner, admins and incident leads",
            });
        }
        w.append(Some(&action.exercise), &event)
    })?;
    let mut closed = action.clone();
    closed.closed = Some(Closed { by: session.user_name().to_owned(), at: session.now(), note });
    Ok(closed)
}
