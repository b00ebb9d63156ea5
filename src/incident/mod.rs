//! Running an incident: start a playbook, walk it one step at a time (done, skipped with a
//! reason, or a decision's choice), assign HICS positions, take notes, close it. Every
//! event is an activity-log entry; where an incident stands (the current step, who holds
//! which position, each step's outcome, the timers and the legal deadlines) is worked out
//! by replaying its entries, so the log is the one record of what happened.

pub mod export;
pub mod review;
pub mod timeline;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::events::{self, Event};
use crate::playbook::Playbook;
use crate::playbook::format::END;
use crate::store::{EmergencySession, Kind, Permission, Record, Role, Session};
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

/// The record id of an incident's ward view (record ids are unique across kinds).
pub fn ward_record_id(id: &str) -> String {
    format!("ward-{id}")
}

/// One thing that happened in an incident, from its log entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Its step is not finished: compare `due` with the clock.
    Open,
    /// Its step was done by the deadline.
    Met,
    /// Its step was done after the deadline.
    Late,
    /// Its step was skipped (with a reason).
    Skipped,
}

/// A clock that runs from discovery or from the start (the 60-day breach notice, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineState {
    pub step: String,
    pub what: String,
    /// `discovery` or `start`.
    pub from: String,
    pub due: DateTime<Utc>,
    pub status: DeadlineStatus,
    pub finished: Option<DateTime<Utc>>,
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
    pub deadlines: Vec<DeadlineState>,
    /// The calls made from the contact tree, oldest first.
    pub calls: Vec<crate::contacts::calltree::Call>,
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

/// The playbook in force with this id (an incident's, say).
pub fn playbook<'a>(playbooks: &'a [Playbook], id: &str) -> Result<&'a Playbook> {
    playbooks
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::PlaybookNotFound { id: id.to_owned() })
}

fn new_id(now: DateTime<Utc>) -> Result<String> {
    let random = crate::crypto::random_bytes::<3>()?;
    Ok(format!("{}-{}", now.format("%Y%m%d-%H%M"), data_encoding::HEXLOWER.encode(&random)))
}

fn no_incident(id: &str) -> Error {
    Error::Invalid { what: "incident", reason: format!("no incident `{id}`") }
}

/// A person's name as a position holder or lead: trimmed, 1 to 80 characters, one line.
fn person_name(text: &str) -> Result<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(Error::Invalid {
            what: "name",
            reason: "write a name of 1 to 80 characters on one line".into(),
        });
    }
    Ok(name.to_owned())
}

/// Starts an incident (or a drill) of a playbook in force. The lead defaults to the
/// signed-in user and otherwise must be a user of this workstation (they will resume it
/// under their own unlock). `discovered` defaults to now and may not be in the future.
pub fn start(
    session: &Session,
    playbooks: &[Playbook],
    playbook_id: &str,
    options: StartOptions,
    now: DateTime<Utc>,
) -> Result<Incident> {
    let p = playbook(playbooks, playbook_id)?;
    let discovered = options.discovered.unwrap_or(now);
    if discovered > now + Duration::minutes(5) {
        return Err(Error::Invalid { what: "discovery time", reason: "is in the future".into() });
    }
    let lead = match options.lead.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => session.user_name().to_owned(),
        Some(wanted) => session
            .list_users()?
            .into_iter()
            .map(|u| u.name)
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::Invalid {
                what: "incident lead",
                reason: "is not a user of this workstation".into(),
            })?,
    };
    let incident = Incident {
        id: new_id(now)?,
        playbook: p.id.clone(),
        playbook_version: p.version,
        title: p.title.clone(),
        lead,
        started: now,
        discovered,
        drill: options.drill,
    };
    let ward = WardIncident {
        id: incident.id.clone(),
        playbook: p.id.clone(),
        title: p.title.clone(),
        started: now,
        drill: options.drill,
        closed: false,
    };
    session.write(|w| {
        w.put(&incident.id, &incident)?;
        w.put(&ward_record_id(&incident.id), &ward)?;
        w.append(Some(&incident.id), &Event::IncidentStarted(incident.clone()), None)
    })?;
    Ok(incident)
}

/// How to start an incident: everything but the playbook is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartOptions {
    pub drill: bool,
    pub discovered: Option<DateTime<Utc>>,
    /// A user of this workstation; the signed-in user when `None`.
    pub lead: Option<String>,
}

/// Every incident, newest first.
pub fn list(session: &Session) -> Result<Vec<Incident>> {
    let mut all: Vec<Incident> = session.list::<Incident>()?.into_iter().map(|r| r.value).collect();
    all.sort_by_key(|i| std::cmp::Reverse(i.started));
    Ok(all)
}

/// Where every incident stands, newest first, replayed from the whole log read once
/// (`entries`: `Session::events(None)`), for screens that show them all.
pub fn all_progress(
    session: &Session,
    playbooks: &[Playbook],
    entries: Vec<events::Entry>,
) -> Result<Vec<Progress>> {
    let mut by_incident: BTreeMap<String, Vec<events::Entry>> = BTreeMap::new();
    for e in entries {
        if let Some(id) = e.incident.clone() {
            by_incident.entry(id).or_default().push(e);
        }
    }
    list(session)?
        .into_iter()
        .map(|i| {
            let own = by_incident.remove(&i.id).unwrap_or_default();
            let p = playbook(playbooks, &i.playbook)?;
            replay(i, p, &own)
        })
        .collect()
}

/// Where an incident stands, replayed from its log entries.
pub fn progress(session: &Session, playbooks: &[Playbook], id: &str) -> Result<Progress> {
    let incident: Incident = session.get(id)?.ok_or_else(|| no_incident(id))?;
    let p = playbook(playbooks, &incident.playbook)?;
    let entries = session.events(Some(id))?;
    replay(incident, p, &entries)
}

/// Replays an incident's entries over its playbook.
pub fn replay(incident: Incident, p: &Playbook, entries: &[events::Entry]) -> Result<Progress> {
    let mut steps: Vec<StepState> = p
        .steps
        .iter()
        .map(|s| StepState {
            id: s.id.clone(),
            title: s.title.clone(),
            role: s.role.clone(),
            phase: s.phase.clone(),
            band: s.band.clone(),
            ward: s.ward,
            status: StepStatus::Pending,
            reached: None,
            finished: None,
            by: None,
            detail: None,
        })
        .collect();
    let mut positions: BTreeMap<String, (String, DateTime<Utc>)> = BTreeMap::new();
    positions.insert("incident-commander".into(), (incident.lead.clone(), incident.started));
    let mut timers: Vec<TimerState> = Vec::new();
    let mut current = p.steps.first().map(|s| s.id.clone());
    reach(p, &mut steps, &mut timers, current.as_deref(), incident.started);
    let (mut done, mut skipped, mut closed, mut closed_at) = (0, 0, false, None);
    let mut events = Vec::new();
    for entry in entries {
        let at = entry.time;
        let step = entry.event.step().map(str::to_owned);
        let mut finish = |status: StepStatus, detail: Option<String>| {
            if let Some(s) = steps.iter_mut().find(|s| Some(&s.id) == step.as_ref()) {
                s.status = status;
                s.finished = Some(at);
                s.by = Some(entry.actor.clone());
                s.detail = detail;
            }
        };
        let mut moved = None;
        let detail = match &entry.event {
            Event::StepDone { step } => {
                done += 1;
                finish(StepStatus::Done, None);
                moved = Some(after(p, step, None));
                None
            }
            Event::StepSkipped { step, reason } => {
                skipped += 1;
                finish(StepStatus::Skipped, Some(reason.clone()));
                moved = Some(after(p, step, None));
                Some(reason.clone())
            }
            Event::Decision { step, choice, goto } => {
                done += 1;
                finish(StepStatus::Chosen, Some(choice.clone()));
                moved = Some(after(p, step, Some(goto)));
                Some(choice.clone())
            }
            Event::PositionAssigned { position, person } => {
                positions.insert(position.clone(), (person.clone(), at));
                Some(format!("{}: {person}", p.role_name(position)))
            }
            Event::TimerAcknowledged { step } => {
                // Every timer this step has started so far: the one on screen, and any
                // from an earlier pass through a loop.
                for t in timers.iter_mut().filter(|t| &t.step == step) {
                    t.acknowledged = true;
                }
                None
            }
            Event::Note { text } | Event::Observation { text, .. } => Some(text.clone()),
            Event::CallMade { name, outcome, .. } => Some(format!("{name}: {}", outcome.words())),
            Event::IncidentClosed { .. } | Event::DrillEnded { .. } => {
                closed = true;
                closed_at = Some(at);
                None
            }
            Event::IncidentStarted(_)
            | Event::EmergencyAccessUsed { .. }
            | Event::TrainingAssigned { .. }
            | Event::TrainingAcknowledged { .. }
            | Event::PhishingImported { .. } => None,
        };
        if let Some(next) = moved {
            current = next;
            reach(p, &mut steps, &mut timers, current.as_deref(), at);
        }
        events.push(Activity {
            seq: entry.seq,
            time: at,
            actor: entry.actor.clone(),
            event: entry.event.clone(),
            step,
            detail,
        });
    }
    let deadlines = deadlines(&incident, p, &steps);
    let positions = positions
        .into_iter()
        .map(|(position, (person, since))| Assignment {
            name: p.role_name(&position).to_owned(),
            position,
            person,
            since,
        })
        .collect();
    Ok(Progress {
        incident,
        current,
        done,
        skipped,
        closed,
        closed_at,
        events,
        positions,
        steps,
        timers,
        deadlines,
        calls: crate::contacts::calltree::calls_of(entries),
    })
}

/// A step becomes the current one at `at`: mark it and start its timer.
fn reach(
    p: &Playbook,
    steps: &mut [StepState],
    timers: &mut Vec<TimerState>,
    step: Option<&str>,
    at: DateTime<Utc>,
) {
    let Some(id) = step else { return };
    if let Some(s) = steps.iter_mut().find(|s| s.id == id) {
        s.status = StepStatus::Current;
        s.reached = Some(at);
    }
    if let Some(timer) = p.steps.iter().find(|s| s.id == id).and_then(|s| s.timer.as_ref()) {
        let minutes = i64::try_from(timer.after_minutes).unwrap_or(i64::MAX / 120_000);
        timers.push(TimerState {
            step: id.to_owned(),
            say: timer.say.clone(),
            due: at + Duration::minutes(minutes),
            acknowledged: false,
        });
    }
}

/// The playbook's deadlines for this incident: every one runs from discovery (or the
/// start) whether or not its step has been reached, because the law's clock does.
fn deadlines(incident: &Incident, p: &Playbook, steps: &[StepState]) -> Vec<DeadlineState> {
    p.steps
        .iter()
        .zip(steps)
        .filter_map(|(s, state)| {
            let d = s.deadline.as_ref()?;
            let anchor = if d.from == "start" { incident.started } else { incident.discovered };
            let minutes = i64::try_from(d.within_minutes).unwrap_or(i64::MAX / 120_000);
            let due = anchor + Duration::minutes(minutes);
            let status = match (state.status, state.finished) {
                (StepStatus::Done | StepStatus::Chosen, Some(t)) if t <= due => DeadlineStatus::Met,
                (StepStatus::Done | StepStatus::Chosen, Some(_)) => DeadlineStatus::Late,
                (StepStatus::Skipped, _) => DeadlineStatus::Skipped,
                _ => DeadlineStatus::Open,
            };
            Some(DeadlineState {
                step: s.id.clone(),
                what: d.what.clone(),
                from: d.from.clone(),
                due,
                status,
                finished: state.finished,
            })
        })
        .collect()
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
    let step = step_id.to_owned();
    let event = match (&action, s.question.is_some()) {
        (Action::Skip(reason), _) if reason.trim().is_empty() => {
            return refuse("a skip needs a reason".into());
        }
        (Action::Skip(reason), _) => Event::StepSkipped { reason: reason.trim().to_owned(), step },
        (Action::Done, false) => Event::StepDone { step },
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
            Event::Decision { choice: choice.label.clone(), goto: choice.goto.clone(), step }
        }
    };
    session.append(Some(id), &event, None)?;
    progress(session, playbooks, id)
}

/// Whether `user`, holding `role`, may run this incident's command (assign positions,
/// close it): its own lead always may; others need [`Permission::CommandIncidents`].
pub fn may_command(role: Role, user: &str, incident: &Incident) -> bool {
    incident.lead.eq_ignore_ascii_case(user) || role.may(Permission::CommandIncidents)
}

/// Refuses unless the signed-in user may run this incident's command. The role is the one
/// read inside the write, not the one at unlock.
fn require_command(
    role: Role,
    user: &str,
    incident: &Incident,
    action: &'static str,
) -> Result<()> {
    if may_command(role, user, incident) {
        Ok(())
    } else {
        Err(Error::PermissionDenied { action, needed: "its lead, incident leads and admins" })
    }
}

/// Gives a HICS position (a standard one, or one the playbook declares) to a person; the
/// position's earlier holder, if any, hands it over. The person need not have a user on
/// this workstation (the CEO may command from elsewhere); one who has sees their job
/// action sheet here.
pub fn assign(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    position: &str,
    person: &str,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    let p = playbook(playbooks, &now.incident.playbook)?;
    let known = crate::playbook::format::STANDARD_ROLES.iter().any(|(r, _)| *r == position)
        || p.roles.iter().any(|(r, _)| r == position);
    if !known {
        return Err(Error::Invalid {
            what: "position",
            reason: format!("`{position}` is not a HICS position or a role of this playbook"),
        });
    }
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is closed".into() });
    }
    let person = person_name(person)?;
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "assign positions")?;
        let event = Event::PositionAssigned { person: person.clone(), position: position.into() };
        w.append(Some(id), &event, None)
    })?;
    progress(session, playbooks, id)
}

/// Says that a step's reminder has been seen (so it stops asking).
pub fn acknowledge_timer(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    step_id: &str,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    if !now.timers.iter().any(|t| t.step == step_id && !t.acknowledged) {
        return Err(Error::Invalid {
            what: "timer",
            reason: format!("step `{step_id}` has no reminder waiting"),
        });
    }
    session.append(Some(id), &Event::TimerAcknowledged { step: step_id.to_owned() }, None)?;
    progress(session, playbooks, id)
}

/// Records a call made during an incident to a contact of the tree, with its outcome.
pub fn call(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    contact: &str,
    outcome: crate::contacts::calltree::Outcome,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is closed".into() });
    }
    let person = session.contacts()?.into_iter().find(|c| c.id == contact).ok_or_else(|| {
        Error::Invalid { what: "contact", reason: format!("no contact `{contact}` in the tree") }
    })?;
    let event = Event::CallMade { contact: person.id, name: person.name, outcome };
    session.append(Some(id), &event, None)?;
    progress(session, playbooks, id)
}

/// A note on an incident.
pub fn note(session: &Session, id: &str, text: &str) -> Result<u64> {
    if text.trim().is_empty() {
        return Err(Error::Invalid { what: "note", reason: "is empty".into() });
    }
    let _: Incident = session.get(id)?.ok_or_else(|| no_incident(id))?;
    session.append(Some(id), &Event::Note { text: text.trim().to_owned() }, None)
}

/// Closes an incident (or ends a drill): its lead, incident leads and admins.
pub fn close(session: &Session, playbooks: &[Playbook], id: &str) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is already closed".into() });
    }
    let open_step = now.current.clone();
    let event = if now.incident.drill {
        Event::DrillEnded { open_step }
    } else {
        Event::IncidentClosed { open_step }
    };
    let ward_id = ward_record_id(id);
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "close an incident")?;
        // Stores from before the ward view have none to update.
        if let Some(mut ward) = session.get::<WardIncident>(&ward_id)? {
            ward.closed = true;
            w.put(&ward_id, &ward)?;
        }
        w.append(Some(id), &event, None)
    })?;
    progress(session, playbooks, id)
}

/// The open incidents emergency access may see, newest first.
pub fn ward_incidents(emergency: &EmergencySession) -> Result<Vec<WardIncident>> {
    let mut open: Vec<WardIncident> = emergency
        .list::<WardIncident>()?
        .into_iter()
        .map(|r| r.value)
        .filter(|w| !w.closed)
        .collect();
    open.sort_by_key(|w| std::cmp::Reverse(w.started));
    Ok(open)
}

/// Ward staff under emergency access log what they see during an open incident; it
/// reaches the incident's log at the next full unlock (see `Session::log_access_events`).
pub fn observe(emergency: &EmergencySession, id: &str, text: &str) -> Result<()> {
    if !ward_incidents(emergency)?.iter().any(|w| w.id == id) {
        return Err(Error::Invalid {
            what: "incident",
            reason: "is not an open incident on this workstation".into(),
        });
    }
    emergency.record_observation(id, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Entry;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    fn incident(discovered_minutes: i64) -> Incident {
        Incident {
            id: "inc".into(),
            playbook: "ransomware".into(),
            playbook_version: 1,
            title: "Ransomware".into(),
            lead: "Lee Lead".into(),
            started: t(0),
            discovered: t(discovered_minutes),
            drill: true,
        }
    }

    /// One scripted entry: (minute, actor, kind, payload).
    type Line<'a> = (i64, &'a str, &'a str, serde_json::Value);

    /// The log's entries for a script, as the store reads them back.
    fn entries(script: &[Line<'_>]) -> Vec<events::Entry> {
        script
            .iter()
            .enumerate()
            .map(|(n, (at, actor, kind, payload))| Entry {
                t: "entry".into(),
                log: "test".into(),
                seq: n as u64 + 1,
                prev: crate::log::GENESIS.into(),
                time: t(*at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                actor: (*actor).into(),
                role: "lead".into(),
                incident: Some("inc".into()),
                kind: (*kind).into(),
                payload: payload.clone(),
                corrects: None,
            })
            .map(|e| e.decode().unwrap())
            .collect()
    }

    /// The payload of `incident_started`: the incident as recorded.
    fn started() -> serde_json::Value {
        serde_json::to_value(incident(0)).unwrap()
    }

    fn done(step: &str) -> serde_json::Value {
        serde_json::json!({ "step": step })
    }

    #[test]
    fn replay_follows_the_branch_and_times_each_step() {
        let p = crate::playbook::find("ransomware").unwrap();
        let log = entries(&[
            (0, "Lee Lead", "incident_started", started()),
            (4, "Nina Nurse", "step_done", done("stop-and-unplug")),
            (
                9,
                "Nina Nurse",
                "step_skipped",
                serde_json::json!({ "step": "paper-downtime", "reason": "already on paper" }),
            ),
            (
                12,
                "Lee Lead",
                "decision",
                serde_json::json!({ "step": "check-spread", "choice": "Yes", "goto": "activate-command" }),
            ),
        ]);
        let p = replay(incident(-30), &p, &log).unwrap();
        assert_eq!(p.current.as_deref(), Some("activate-command"));
        assert_eq!((p.done, p.skipped), (2, 1));
        let state = |id: &str| p.steps.iter().find(|s| s.id == id).unwrap();
        assert_eq!(state("stop-and-unplug").status, StepStatus::Done);
        assert_eq!(state("stop-and-unplug").reached, Some(t(0)));
        assert_eq!(state("stop-and-unplug").finished, Some(t(4)));
        assert_eq!(state("stop-and-unplug").by.as_deref(), Some("Nina Nurse"));
        assert_eq!(state("paper-downtime").status, StepStatus::Skipped);
        assert_eq!(state("paper-downtime").detail.as_deref(), Some("already on paper"));
        assert_eq!(state("check-spread").status, StepStatus::Chosen);
        assert_eq!(state("activate-command").status, StepStatus::Current);
        assert_eq!(state("activate-command").reached, Some(t(12)));
        // The branch not taken was never reached.
        assert_eq!(state("check-one-computer").status, StepStatus::Pending);
    }

    /// Table-driven on a fake clock: a step's reminder is due its `after` from when the
    /// step was reached, whatever happens to the step; acknowledging it silences it.
    #[test]
    fn timers_run_from_when_their_step_is_reached() {
        let p = crate::playbook::find("ransomware").unwrap();
        // (minute stop-and-unplug was reached by, acknowledged?, due minute)
        let cases: [(&[Line<'_>], bool, i64); 3] = [
            (&[(0, "A", "incident_started", started())], false, 15),
            (
                &[
                    (0, "A", "incident_started", started()),
                    (3, "A", "step_done", done("stop-and-unplug")),
                ],
                false,
                15,
            ),
            (
                &[
                    (0, "A", "incident_started", started()),
                    (16, "A", "timer_acknowledged", done("stop-and-unplug")),
                ],
                true,
                15,
            ),
        ];
        for (script, acknowledged, due) in cases {
            let progress = replay(incident(0), &p, &entries(script)).unwrap();
            let timer = progress.timers.iter().find(|t| t.step == "stop-and-unplug").unwrap();
            assert_eq!(timer.due, t(due));
            assert_eq!(timer.acknowledged, acknowledged, "{script:?}");
        }
        // A later step's timer starts when that step is reached (minute 20), not at start.
        let progress = replay(
            incident(0),
            &p,
            &entries(&[
                (0, "A", "incident_started", started()),
                (5, "A", "step_done", done("stop-and-unplug")),
                (6, "A", "step_done", done("paper-downtime")),
                (8, "A", "decision", serde_json::json!({ "step": "check-spread", "choice": "Yes", "goto": "activate-command" })),
                (20, "A", "step_done", done("activate-command")),
            ]),
        )
        .unwrap();
        let contain = progress.timers.iter().find(|t| t.step == "contain-network").unwrap();
        assert_eq!(contain.due, t(50));
        assert!(!contain.acknowledged);
    }

    /// The 60-day notice runs from discovery, not from the start, and is met, late,
    /// skipped or open by its step's outcome.
    #[test]
    fn deadlines_run_from_discovery() {
        let p = crate::playbook::find("ransomware").unwrap();
        let sixty_days = 60 * 24 * 60;
        let walk = |finish_at: i64, kind: &str| {
            let mut script = vec![(0, "A", "incident_started", started())];
            for s in ["stop-and-unplug", "paper-downtime"] {
                script.push((1, "A", "step_done", done(s)));
            }
            script.push((2, "A", "decision", serde_json::json!({ "step": "check-spread", "choice": "No", "goto": "check-one-computer" })));
            script.push((3, "A", "decision", serde_json::json!({ "step": "check-one-computer", "choice": "No", "goto": "rebuild-one-computer" })));
            script.push((4, "A", "step_done", done("rebuild-one-computer")));
            let payload = if kind == "step_skipped" {
                serde_json::json!({ "step": "breach-decision", "reason": "no data left" })
            } else {
                serde_json::json!({ "step": "breach-decision", "choice": "x", "goto": "stand-down" })
            };
            script.push((finish_at, "A", kind, payload));
            let owned: Vec<_> = script.into_iter().collect();
            replay(incident(-60), &p, &entries(&owned)).unwrap()
        };
        // Discovered an hour before the start: due 60 days after discovery.
        let due = t(-60 + sixty_days);
        for (finish_at, kind, status) in [
            (sixty_days - 61, "decision", DeadlineStatus::Met),
            (sixty_days - 60, "decision", DeadlineStatus::Met),
            (sixty_days - 59, "decision", DeadlineStatus::Late),
            (100, "step_skipped", DeadlineStatus::Skipped),
        ] {
            let progress = walk(finish_at, kind);
            let d = progress.deadlines.iter().find(|d| d.step == "breach-decision").unwrap();
            assert_eq!(d.due, due);
            assert_eq!(d.status, status, "finished at minute {finish_at}");
        }
        let open =
            replay(incident(0), &p, &entries(&[(0, "A", "incident_started", started())])).unwrap();
        assert_eq!(open.deadlines.len(), 1);
        assert_eq!(open.deadlines[0].status, DeadlineStatus::Open);
    }

    #[test]
    fn the_lead_commands_and_positions_change_hands() {
        let p = crate::playbook::find("ransomware").unwrap();
        let progress = replay(
            incident(0),
            &p,
            &entries(&[
                (0, "Lee Lead", "incident_started", started()),
                (
                    1,
                    "Lee Lead",
                    "position_assigned",
                    serde_json::json!({ "position": "it-lead", "person": "Ian IT" }),
                ),
                (
                    2,
                    "Lee Lead",
                    "position_assigned",
                    serde_json::json!({ "position": "privacy-officer", "person": "Ian IT" }),
                ),
                (
                    3,
                    "Lee Lead",
                    "position_assigned",
                    serde_json::json!({ "position": "privacy-officer", "person": "Pat Privacy" }),
                ),
            ]),
        )
        .unwrap();
        let held: Vec<(&str, &str)> =
            progress.positions.iter().map(|a| (a.position.as_str(), a.person.as_str())).collect();
        assert_eq!(
            held,
            [
                ("incident-commander", "Lee Lead"),
                ("it-lead", "Ian IT"),
                ("privacy-officer", "Pat Privacy")
            ]
        );
        assert_eq!(progress.positions_of("ian it"), ["it-lead"]);
        let sheet = progress.job_sheet("Ian IT");
        assert!(!sheet.is_empty() && sheet.iter().all(|s| s.role == "it-lead"));
        assert!(progress.job_sheet("Nobody").is_empty());
        assert_eq!(progress.events[3].detail.as_deref(), Some("Privacy Officer: Pat Privacy"));
    }
}
