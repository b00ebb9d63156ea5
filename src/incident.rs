//! Running an incident: start a playbook, walk it one step at a time (done, skipped with a
//! reason, or a decision's choice), take notes, close it. Every event is an activity-log
//! entry; where an incident stands is worked out by replaying its entries, so the log is
//! the one record of what happened.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::playbook::Playbook;
use crate::playbook::format::END;
use crate::store::{Kind, Role, Session};
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
    /// When the problem was discovered: the legal clocks run from here.
    pub discovered: DateTime<Utc>,
    /// A drill runs the same, and is marked as a drill everywhere.
    pub drill: bool,
}

/// One thing that happened in an incident, from its log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub seq: u64,
    pub time: String,
    pub actor: String,
    pub kind: String,
    pub step: Option<String>,
    pub detail: Option<String>,
}

/// Where an incident stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub incident: Incident,
    /// The step to do now (`None`: the playbook is finished).
    pub current: Option<String>,
    pub done: usize,
    pub skipped: usize,
    pub closed: bool,
    pub events: Vec<Event>,
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

fn playbook<'a>(playbooks: &'a [Playbook], id: &str) -> Result<&'a Playbook> {
    playbooks
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::PlaybookNotFound { id: id.to_owned() })
}

fn new_id(now: DateTime<Utc>) -> Result<String> {
    let random = crate::crypto::random_bytes::<3>()?;
    Ok(format!("{}-{}", now.format("%Y%m%d-%H%M"), data_encoding::HEXLOWER.encode(&random)))
}

/// Starts an incident (or a drill) of a playbook in force, led by the signed-in user.
/// `discovered` defaults to now and may not be in the future.
pub fn start(
    session: &Session,
    playbooks: &[Playbook],
    playbook_id: &str,
    drill: bool,
    discovered: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Incident> {
    let p = playbook(playbooks, playbook_id)?;
    let discovered = discovered.unwrap_or(now);
    if discovered > now + chrono::Duration::minutes(5) {
        return Err(Error::Invalid { what: "discovery time", reason: "is in the future".into() });
    }
    let incident = Incident {
        id: new_id(now)?,
        playbook: p.id.clone(),
        playbook_version: p.version,
        title: p.title.clone(),
        lead: session.user_name().to_owned(),
        started: now,
        discovered,
        drill,
    };
    session.write(|w| {
        w.put(Kind::Incident, &incident.id, &incident)?;
        let payload = serde_json::to_value(&incident)
            .map_err(|e| Error::Invalid { what: "incident", reason: e.to_string() })?;
        w.append(Some(&incident.id), "incident_started", payload, None)
    })?;
    Ok(incident)
}

/// Every incident, newest first.
pub fn list(session: &Session) -> Result<Vec<Incident>> {
    let mut all: Vec<Incident> =
        session.list(Kind::Incident)?.into_iter().map(|r| r.value).collect();
    all.sort_by_key(|i| std::cmp::Reverse(i.started));
    Ok(all)
}

/// Where an incident stands, replayed from its log entries.
pub fn progress(session: &Session, playbooks: &[Playbook], id: &str) -> Result<Progress> {
    let incident: Incident = session.get(Kind::Incident, id)?.ok_or_else(|| Error::Invalid {
        what: "incident",
        reason: format!("no incident `{id}`"),
    })?;
    let p = playbook(playbooks, &incident.playbook)?;
    let mut current = p.steps.first().map(|s| s.id.clone());
    let (mut done, mut skipped, mut closed) = (0, 0, false);
    let mut events = Vec::new();
    for entry in session.log_entries(Some(id))? {
        let step = entry.payload.get("step").and_then(|v| v.as_str()).map(str::to_owned);
        let text = |key: &str| entry.payload.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let detail = match entry.kind.as_str() {
            "step_done" => {
                done += 1;
                current = step.as_deref().and_then(|s| after(p, s, None));
                None
            }
            "step_skipped" => {
                skipped += 1;
                current = step.as_deref().and_then(|s| after(p, s, None));
                text("reason")
            }
            "decision" => {
                done += 1;
                let goto = text("goto");
                current = step.as_deref().and_then(|s| after(p, s, goto.as_deref()));
                text("choice")
            }
            "note" => text("text"),
            "incident_closed" | "drill_ended" => {
                closed = true;
                None
            }
            _ => None,
        };
        events.push(Event {
            seq: entry.seq,
            time: entry.time,
            actor: entry.actor,
            kind: entry.kind,
            step,
            detail,
        });
    }
    Ok(Progress { incident, current, done, skipped, closed, events })
}

/// The step after `step`: the chosen branch, else the step's successor; `None` at the end.
fn after(p: &Playbook, step: &str, goto: Option<&str>) -> Option<String> {
    let index = p.steps.iter().position(|s| s.id == step)?;
    let next = match goto {
        Some(g) => g.to_owned(),
        None => p.successors(index).into_iter().next()?,
    };
    (next != END).then_some(next)
}

/// Acts on the current step. Only the current step can be acted on; a decision needs a
/// choice and only a decision takes one.
pub fn step(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    step_id: &str,
    action: Action,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    let refuse = |reason: String| Err(Error::Invalid { what: "step", reason });
    if now.closed {
        return refuse("the incident is closed".into());
    }
    let Some(current) = now.current.as_deref() else {
        return refuse("the playbook is finished: close the incident".into());
    };
    if current != step_id {
        return refuse(format!(
            "`{step_id}` is not the step to do now; the current step is `{current}`"
        ));
    }
    let p = playbook(playbooks, &now.incident.playbook)?;
    let s = p
        .steps
        .iter()
        .find(|s| s.id == step_id)
        .ok_or_else(|| Error::PlaybookNotFound { id: step_id.to_owned() })?;
    let (kind, payload) = match (&action, s.question.is_some()) {
        (Action::Skip(reason), _) if reason.trim().is_empty() => {
            return refuse("a skip needs a reason".into());
        }
        (Action::Skip(reason), _) => {
            ("step_skipped", serde_json::json!({ "step": step_id, "reason": reason.trim() }))
        }
        (Action::Done, false) => ("step_done", serde_json::json!({ "step": step_id })),
        (Action::Done, true) => {
            let labels: Vec<&str> = s.choices.iter().map(|c| c.label.as_str()).collect();
            return refuse(format!(
                "this step is a decision: choose one of {}",
                labels.join(" / ")
            ));
        }
        (Action::Choose(_), false) => return refuse("this step is not a decision".into()),
        (Action::Choose(answer), true) => {
            let by_number = answer
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| s.choices.get(i));
            let choice = by_number
                .or_else(|| s.choices.iter().find(|c| c.label.eq_ignore_ascii_case(answer.trim())))
                .ok_or_else(|| Error::Invalid {
                    what: "choice",
                    reason: format!("`{answer}` is not one of this decision's answers"),
                })?;
            (
                "decision",
                serde_json::json!({ "step": step_id, "choice": choice.label, "goto": choice.goto }),
            )
        }
    };
    session.append(Some(id), kind, payload, None)?;
    progress(session, playbooks, id)
}

/// A note on an incident.
pub fn note(session: &Session, id: &str, text: &str) -> Result<u64> {
    if text.trim().is_empty() {
        return Err(Error::Invalid { what: "note", reason: "is empty".into() });
    }
    let _: Incident = session.get(Kind::Incident, id)?.ok_or_else(|| Error::Invalid {
        what: "incident",
        reason: format!("no incident `{id}`"),
    })?;
    session.append(Some(id), "note", serde_json::json!({ "text": text.trim() }), None)
}

/// Closes an incident (its lead, incident leads and admins).
pub fn close(session: &Session, playbooks: &[Playbook], id: &str) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    let allowed = now.incident.lead == session.user_name()
        || matches!(session.role(), Role::Admin | Role::Lead);
    if !allowed {
        return Err(Error::PermissionDenied {
            action: "close an incident",
            needed: "its lead, incident leads and admins",
        });
    }
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is already closed".into() });
    }
    let kind = if now.incident.drill { "drill_ended" } else { "incident_closed" };
    session.append(Some(id), kind, serde_json::json!({ "open_step": now.current }), None)?;
    progress(session, playbooks, id)
}
