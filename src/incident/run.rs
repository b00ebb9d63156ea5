//! Running an incident against the store: start it, act on its steps, hand out positions,
//! record calls and notes, close it; what emergency access sees of it. Every change is an
//! activity-log entry (with the records it points at, in the same write).
//!
//! Incidents and their ward views are stored under random record ids: the incident's own
//! id (`YYYYMMDD-HHMM-xxxxxx`, which people read and type) is sealed inside, so the clear
//! columns do not tell when incidents started or how many a day.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::clocks::Organisation;
use super::{Action, Incident, Progress, WardIncident, replay};
use crate::events::{self, Event};
use crate::playbook::Playbook;
use crate::store::{EmergencySession, Permission, Role, Session, Stored, new_record_id};
use crate::{Error, Result};

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

/// An incident by its id, with the record that holds it.
fn find(session: &Session, id: &str) -> Result<Stored<Incident>> {
    session
        .list::<Incident>()?
        .into_iter()
        .find(|r| r.value.id == id)
        .ok_or_else(|| no_incident(id))
}

/// An incident by its id (what evidence and indicators are recorded against).
pub fn by_id(session: &Session, id: &str) -> Result<Incident> {
    find(session, id).map(|r| r.value)
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
    start_with(session, playbooks, playbook_id, options, now, None)
}

/// [`start`], with `also` logged after the start in the same write (an exercise's start).
pub(crate) fn start_with(
    session: &Session,
    playbooks: &[Playbook],
    playbook_id: &str,
    options: StartOptions,
    now: DateTime<Utc>,
    also: Option<&Event>,
) -> Result<Incident> {
    let p = playbook(playbooks, playbook_id)?;
    let discovered = options.discovered.unwrap_or(now);
    if discovered > now + Duration::minutes(5) {
        return Err(Error::Invalid { what: "discovery time", reason: "is in the future".into() });
    }
    let lead = match options.lead.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => session.user_name().to_owned(),
        Some(wanted) => session.user_named(wanted)?.ok_or_else(|| Error::Invalid {
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
    let (record, ward_record) = (new_record_id()?, new_record_id()?);
    session.write(|w| {
        w.put(&record, &incident)?;
        w.put(&ward_record, &ward)?;
        w.append(Some(&incident.id), &Event::IncidentStarted(incident.clone()))?;
        match also {
            Some(event) => w.append(Some(&incident.id), event),
            None => Ok(0),
        }
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
    let zone = session.zone();
    let organisation = organisation(session)?;
    list(session)?
        .into_iter()
        .map(|i| {
            let own = by_incident.remove(&i.id).unwrap_or_default();
            let p = playbook(playbooks, &i.playbook)?;
            replay(i, p, &own, session.now(), &zone, &organisation)
        })
        .collect()
}

/// Where an incident stands, replayed from its log entries.
pub fn progress(session: &Session, playbooks: &[Playbook], id: &str) -> Result<Progress> {
    let incident = find(session, id)?.value;
    let p = playbook(playbooks, &incident.playbook)?;
    let entries = session.events(Some(id))?;
    replay(incident, p, &entries, session.now(), &session.zone(), &organisation(session)?)
}

/// The organisation's profile as last read, with the versions of the records it was read
/// from: the settings (states, traits) and the contact list (notice windows).
#[derive(Debug)]
pub struct OrganisationRead {
    versions: (Option<i64>, Option<i64>),
    organisation: Organisation,
}

/// What the legal clocks need to know of the organisation: read again only when the
/// settings or the contact list have a new version (two reads of a clear column).
pub fn organisation(session: &Session) -> Result<Organisation> {
    let versions = (session.settings_version()?, session.contacts_version()?);
    if let Some(read) = session.organisation.borrow().as_ref()
        && read.versions == versions
    {
        return Ok(read.organisation.clone());
    }
    let settings = session.settings()?;
    let windows = session
        .contacts()?
        .into_iter()
        .filter_map(|c| {
            Some((c.role?, crate::playbook::format::parse_span(c.notice_within.as_deref()?)?))
        })
        .collect();
    let organisation =
        Organisation { jurisdictions: settings.jurisdictions, traits: settings.traits, windows };
    session
        .organisation
        .replace(Some(OrganisationRead { versions, organisation: organisation.clone() }));
    Ok(organisation)
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
    if let Some(form) = &s.form {
        // The privacy officer's signed assessment answers it (`crate::breach::assessment`).
        return refuse(format!(
            "this decision is answered by the {form} breach risk assessment, which the incident's privacy officer completes and signs (the form on this step, or caregiver breach assess)"
        ));
    }
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
    session.append(Some(id), &event)?;
    progress(session, playbooks, id)
}

/// Whether `user`, holding `role`, may run this incident's command (assign positions,
/// close it): its own lead always may; others need [`Permission::CommandIncidents`].
pub fn may_command(role: Role, user: &str, incident: &Incident) -> bool {
    incident.lead.eq_ignore_ascii_case(user) || role.may(Permission::CommandIncidents)
}

/// Refuses unless the signed-in user may run this incident's command. The role is the one
/// read inside the write, not the one at unlock.
pub(crate) fn require_command(
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
    known_position(playbook(playbooks, &now.incident.playbook)?, position)?;
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is closed".into() });
    }
    let person = person_name(person)?;
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "assign positions")?;
        let event = Event::PositionAssigned { person: person.clone(), position: position.into() };
        w.append(Some(id), &event)
    })?;
    progress(session, playbooks, id)
}

/// Refuses a position that is neither a standard HICS one nor declared by the playbook.
pub(crate) fn known_position(p: &Playbook, position: &str) -> Result<()> {
    let known = crate::playbook::format::STANDARD_ROLES.iter().any(|(r, _)| *r == position)
        || p.roles.iter().any(|(r, _)| r == position);
    if known {
        Ok(())
    } else {
        Err(Error::Invalid {
            what: "position",
            reason: format!("`{position}` is not a HICS position or a role of this playbook"),
        })
    }
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
    session.append(Some(id), &Event::TimerAcknowledged { step: step_id.to_owned() })?;
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
    session.append(Some(id), &event)?;
    progress(session, playbooks, id)
}

/// A note on an incident.
pub fn note(session: &Session, id: &str, text: &str) -> Result<u64> {
    if text.trim().is_empty() {
        return Err(Error::Invalid { what: "note", reason: "is empty".into() });
    }
    find(session, id)?;
    session.append(Some(id), &Event::Note { text: text.trim().to_owned() })
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
    // Stores from before the ward view have none to update.
    let ward = session.list::<WardIncident>()?.into_iter().find(|r| r.value.id == id);
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "close an incident")?;
        if let Some(Stored { id: record, value: mut ward, .. }) = ward {
            ward.closed = true;
            w.put(&record, &ward)?;
        }
        w.append(Some(id), &event)?;
        // The record of an incident closed is signed with its close.
        w.checkpoint_log()
    })?;
    progress(session, playbooks, id)
}

/// A reason typed for a clock change: trimmed, 1 to 2,000 characters.
fn reason_text(text: &str, what: &'static str) -> Result<String> {
    let reason = text.trim();
    if reason.is_empty() || reason.chars().count() > 2_000 {
        return Err(Error::Invalid {
            what,
            reason: "write a reason of 1 to 2,000 characters".into(),
        });
    }
    Ok(reason.to_owned())
}

/// Sets the discovery time again, with a reason (45 CFR 164.404(a)(2): the date is fixed
/// after investigation): its lead, incident leads and admins. A correcting entry that
/// points at the entry whose time it replaces; every clock is derived from it.
pub fn correct_discovery(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    discovered: DateTime<Utc>,
    reason: &str,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    let reason = reason_text(reason, "discovery reason")?;
    if discovered > session.now() + Duration::minutes(5) {
        return Err(Error::Invalid { what: "discovery time", reason: "is in the future".into() });
    }
    if discovered == now.incident.discovered {
        return Err(Error::Invalid {
            what: "discovery time",
            reason: "is the discovery time already in force".into(),
        });
    }
    let corrects = now.discovery_entry.ok_or_else(|| no_incident(id))?;
    let event = Event::DiscoveryCorrected { discovered, reason, was: now.incident.discovered };
    session.write(|w| {
        require_command(
            w.role(),
            session.user_name(),
            &now.incident,
            "correct the discovery time",
        )?;
        w.correct(corrects, Some(id), &event)
    })?;
    progress(session, playbooks, id)
}

/// The clock of this incident named `clock` (its step's id).
/// A clock by its name (its rule's id, or its step's), or by the id of the one step that
/// meets it when the step meets one clock.
fn clock_of<'a>(p: &'a Progress, clock: &str) -> Result<&'a crate::incident::DeadlineState> {
    let on_step: Vec<_> = p.deadlines.iter().filter(|d| d.step == clock).collect();
    let found = p.deadlines.iter().find(|d| d.clock == clock);
    found.or(if on_step.len() == 1 { on_step.first().copied() } else { None }).ok_or_else(|| {
        let names: Vec<String> = p
            .deadlines
            .iter()
            .map(|d| {
                if d.clock == d.step {
                    d.clock.clone()
                } else {
                    format!("{} (step {})", d.clock, d.step)
                }
            })
            .collect();
        Error::Invalid {
            what: "clock",
            reason: format!(
                "this incident has no clock `{clock}`; its clocks are: {}",
                if names.is_empty() { "none".to_owned() } else { names.join(", ") }
            ),
        }
    })
}

/// Pauses a legal clock for a law-enforcement delay (45 CFR 164.412), with the official's
/// statement: its lead, incident leads and admins. An oral request ends by itself after 30
/// days; `written` records a written statement (also while an oral one holds).
pub fn pause_clock(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    clock: &str,
    reason: &str,
    written: bool,
) -> Result<Progress> {
    use crate::incident::DeadlineStatus as S;
    let now = progress(session, playbooks, id)?;
    let reason = reason_text(reason, "delay statement")?;
    let state = clock_of(&now, clock)?;
    let refuse = |why: &str| Err(Error::Invalid { what: "clock", reason: why.to_owned() });
    match state.status {
        S::Met | S::Late => return refuse("is met: there is nothing to pause"),
        S::NotApplicable => return refuse("does not apply: its branch was not taken"),
        // Paused already: only a written statement after an oral request adds anything.
        S::Paused if !written || state.pauses.last().is_some_and(|p| p.written) => {
            return refuse("is paused already (a written statement may follow an oral one)");
        }
        S::Overdue | S::Missed => return refuse("is past due: a delay cannot revive it"),
        S::Undecided | S::Running | S::Paused => {}
    }
    let event = Event::ClockPaused { clock: state.clock.clone(), reason, written };
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "pause a legal clock")?;
        w.append(Some(id), &event)
    })?;
    progress(session, playbooks, id)
}

/// Ends a law-enforcement delay: the clock runs again.
pub fn resume_clock(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    clock: &str,
) -> Result<Progress> {
    let now = progress(session, playbooks, id)?;
    let state = clock_of(&now, clock)?;
    if state.status != crate::incident::DeadlineStatus::Paused {
        return Err(Error::Invalid { what: "clock", reason: "is not paused".into() });
    }
    let event = Event::ClockResumed { clock: state.clock.clone() };
    session.write(|w| {
        require_command(w.role(), session.user_name(), &now.incident, "resume a legal clock")?;
        w.append(Some(id), &event)
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
