//! Where an incident stands, worked out from its log entries alone: the current step,
//! each step's outcome and times, who holds which position, the reminders (from when their
//! step was reached) and the legal clocks (`clocks`: on the branches taken, from the
//! discovery time in force, with their pauses), as they stand at a given moment.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::clocks::{self, DiscoveryChange, Facts, Pause};
use super::periods::{DEFAULT_PERIOD_HOURS, Objective, Period};
use super::{Activity, Assignment, Incident, Progress, StepState, StepStatus, TimerState};
use crate::Result;
use crate::events::{self, Event};
use crate::playbook::Playbook;
use crate::playbook::format::END;

/// Replays an incident's entries over its playbook; its clocks as they stand at `now`.
pub fn replay(
    mut incident: Incident,
    p: &Playbook,
    entries: &[events::Entry],
    now: DateTime<Utc>,
    zone: &crate::words::Zone,
    organisation: &clocks::Organisation,
) -> Result<Progress> {
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
    let assignment = |position: &str, person: &str, since| Assignment {
        name: p.role_name(position).to_owned(),
        position: position.to_owned(),
        person: person.to_owned(),
        since,
    };
    let mut history = vec![assignment("incident-commander", &incident.lead, incident.started)];
    // The first operational period begins with the incident; each `period_started` ends
    // the one before it.
    let mut periods = vec![Period {
        number: 1,
        from: incident.started,
        to: None,
        length_hours: DEFAULT_PERIOD_HOURS,
        by: incident.lead.clone(),
    }];
    let mut objectives: Vec<Objective> = Vec::new();
    let mut timers: Vec<TimerState> = Vec::new();
    let mut current = p.steps.first().map(|s| s.id.clone());
    let mut first_reached: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    let mut answers: BTreeMap<String, (String, DateTime<Utc>)> = BTreeMap::new();
    let mut pauses: BTreeMap<String, Vec<Pause>> = BTreeMap::new();
    let mut discovery_changes: Vec<DiscoveryChange> = Vec::new();
    let mut discovery_entry = None;
    let (mut assessment, mut affected) = (None, None);
    // The register's counts as each record gave them, for the clocks they drive.
    let mut counted = Vec::new();
    reach(p, &mut steps, &mut timers, current.as_deref(), incident.started);
    if let Some(first) = &current {
        first_reached.insert(first.clone(), incident.started);
    }
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
                answers.insert(step.clone(), (choice.clone(), at));
                done += 1;
                finish(StepStatus::Chosen, Some(choice.clone()));
                moved = Some(after(p, step, Some(goto)));
                Some(choice.clone())
            }
            Event::PositionAssigned { position, person } => {
                positions.insert(position.clone(), (person.clone(), at));
                history.push(assignment(position, person, at));
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
            Event::IncidentStarted(_) => {
                discovery_entry = Some(entry.seq);
                None
            }
            Event::DiscoveryCorrected { discovered, reason, was } => {
                incident.discovered = *discovered;
                discovery_entry = Some(entry.seq);
                discovery_changes.push(DiscoveryChange {
                    seq: entry.seq,
                    at,
                    by: entry.actor.clone(),
                    was: *was,
                    discovered: *discovered,
                    reason: reason.clone(),
                });
                Some(format!(
                    "discovery set to {} UTC (was {} UTC): {reason}",
                    crate::words::minute(*discovered),
                    crate::words::minute(*was)
                ))
            }
            Event::ClockPaused { clock, reason, written } => {
                let list = pauses.entry(clock.clone()).or_default();
                match list.last_mut().filter(|p| p.to.is_none()) {
                    // An oral request past its 30 days ended by itself: this one is new.
                    Some(open) => {
                        open.end(at);
                        if open.lapsed {
                            list.push(pause_of(at, reason, *written, &entry.actor));
                        } else {
                            open.to = None;
                            if *written && !open.written {
                                open.written = true;
                                open.reason = format!("{}; in writing: {reason}", open.reason);
                            }
                        }
                    }
                    None => list.push(pause_of(at, reason, *written, &entry.actor)),
                }
                Some(format!(
                    "{clock}: {} law-enforcement delay: {reason}",
                    if *written { "written" } else { "oral" }
                ))
            }
            Event::ClockResumed { clock } => {
                // A pause logged before clocks had names of their own names the step.
                let step = p.steps.iter().find(|s| s.deadlines.iter().any(|d| d.clock == *clock));
                let names = [Some(clock.as_str()), step.map(|s| s.id.as_str())];
                for name in names.into_iter().flatten() {
                    if let Some(open) =
                        pauses.get_mut(name).and_then(|l| l.last_mut()).filter(|p| p.to.is_none())
                    {
                        open.end(at);
                    }
                }
                Some(clock.clone())
            }
            Event::BreachAssessed(a) => {
                let signed = crate::breach::Assessed::new(entry.seq, at, &entry.actor, a.clone());
                let summary = signed.summary();
                assessment = Some(signed);
                Some(summary)
            }
            Event::BreachRecorded { affected: counts, fields } => {
                affected.clone_from(counts);
                counted.push((at, counts.clone()));
                Some(crate::breach::register::recorded_words(counts.as_ref(), fields))
            }
            Event::EvidenceAdded { .. }
            | Event::CustodyTransferred { .. }
            | Event::CustodyConfirmed { .. }
            | Event::EvidenceVerified { .. }
            | Event::IndicatorAdded { .. }
            | Event::IndicatorsShared { .. }
            | Event::FindingsRecorded { .. } => Some(crate::forensics::entry_words(&entry.event)),
            Event::ExerciseStarted { .. }
            | Event::ExercisePaused { .. }
            | Event::ExerciseResumed { .. }
            | Event::ExerciseSpeedChanged { .. }
            | Event::InjectJumped { .. }
            | Event::ExerciseDecision { .. }
            | Event::ExerciseObserved { .. }
            | Event::CorrectiveActionAdded { .. }
            | Event::CorrectiveActionClosed { .. }
            | Event::ExerciseRecorded { .. } => {
                Some(crate::exercise::run::entry_words(&entry.event))
            }
            Event::EmergencyAccessUsed { .. }
            | Event::WardCopyRepaired { .. }
            | Event::EntriesUnsigned { .. }
            | Event::TrainingAssigned { .. }
            | Event::TrainingAcknowledged { .. }
            | Event::PolicyAcknowledged { .. }
            | Event::BulletinAcknowledged { .. }
            | Event::PhishingImported { .. } => None,
            Event::PeriodStarted { length_hours, .. } => {
                let number = u32::try_from(periods.len()).unwrap_or(u32::MAX).saturating_add(1);
                if let Some(last) = periods.last_mut() {
                    last.to = Some(at);
                }
                periods.push(Period {
                    number,
                    from: at,
                    to: None,
                    length_hours: *length_hours,
                    by: entry.actor.clone(),
                });
                Some(format!("period {number}, {length_hours} hours"))
            }
            Event::ObjectiveSet { number, text } => {
                objectives.push(Objective {
                    number: *number,
                    text: text.clone(),
                    set: at,
                    by: entry.actor.clone(),
                    closed: None,
                });
                Some(format!("{number}. {text}"))
            }
            Event::ObjectiveClosed { number } => {
                let open =
                    objectives.iter_mut().find(|o| o.number == *number && o.closed.is_none());
                let text = open.as_ref().map(|o| o.text.clone()).unwrap_or_default();
                if let Some(o) = open {
                    o.closed = Some((at, entry.actor.clone()));
                }
                Some(format!("{number}. {text}"))
            }
            Event::GeneralMessage { to, subject, .. } => {
                Some(format!("to {}: {subject}", p.role_name(to)))
            }
            Event::BriefingWritten { part, text } => Some(format!("{}: {text}", part.words())),
            Event::WorkAssigned { position, text } => {
                Some(format!("{}: {text}", p.role_name(position)))
            }
            Event::HazardNoted { hazard, mitigation } => {
                Some(format!("{hazard}; mitigation: {mitigation}"))
            }
            Event::SystemStatusSet { system, status, note } => Some(match note {
                Some(note) => format!("{system}: {} ({note})", status.words()),
                None => format!("{system}: {}", status.words()),
            }),
        };
        if let Some(next) = moved {
            current = next;
            reach(p, &mut steps, &mut timers, current.as_deref(), at);
            if let Some(id) = &current {
                first_reached.entry(id.clone()).or_insert(at);
            }
        }
        events.push(Activity {
            period: periods.last().map_or(1, |p| p.number),
            seq: entry.seq,
            time: at,
            actor: entry.actor.clone(),
            event: entry.event.clone(),
            step,
            detail,
        });
    }
    let facts = Facts {
        discovered: incident.discovered,
        started: incident.started,
        steps: &steps,
        answers: &answers,
        first_reached: &first_reached,
        pauses,
        current: current.as_deref(),
        closed,
        zone: zone.tz(),
        organisation,
        counted: &counted,
    };
    let deadlines = clocks::derive(p, facts, now);
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
        discovery_changes,
        discovery_entry,
        calls: crate::contacts::calltree::calls_of(entries),
        assessment,
        affected,
        periods,
        objectives,
        history,
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

fn pause_of(at: DateTime<Utc>, reason: &str, written: bool, by: &str) -> Pause {
    Pause {
        from: at,
        to: None,
        written,
        reason: reason.to_owned(),
        by: by.to_owned(),
        lapsed: false,
    }
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
