//! Running an exercise: a drill incident of the package's playbook, with the exercise's own
//! entries in the same log. Nothing about the scenario clock is stored: [`replay`] derives
//! it from the entries (started, paused, resumed, speed changed, jumped to the next inject)
//! on the injected clock, so it replays like an incident. The facilitator (the drill's lead,
//! or whoever may command incidents) runs the clock; any signed-in participant logs a
//! decision against the inject in play; evaluators rate critical tasks, each observation an
//! entry under their own unlock.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{ExerciseType, Inject, Package};
use crate::events::{Entry, Event};
use crate::incident::{self, Incident, StartOptions};
use crate::playbook::Playbook;
use crate::store::{Permission, Session};
use crate::{Error, Result};

/// The fastest the scenario clock runs: an hour of scenario in a minute.
pub const MAX_SPEED: u32 = 60;

crate::choices::choices! {
    /// HSEEP's rating of a critical task (Exercise Evaluation Guide).
    Rating, "rating" {
        P = "p", "P: performed without challenges";
        S = "s", "S: performed with some challenges";
        M = "m", "M: performed with major challenges";
        U = "u", "U: unable to be performed";
    }
}

/// An inject as the facilitator's screen shows it, with when it came in real time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectState {
    #[serde(flatten)]
    pub inject: Inject,
    /// The module it belongs to.
    pub module: String,
    /// When it came into play (`None`: not yet).
    pub came: Option<DateTime<Utc>>,
}

/// A participant's decision, against the inject it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub inject: String,
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// An evaluator's observation of a critical task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observed {
    pub task: String,
    pub objective: String,
    pub rating: Rating,
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
    /// Scenario seconds when it was recorded.
    pub scenario: i64,
}

/// Where an exercise stands at a moment, replayed from its log entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exercise {
    /// The drill incident's id, which the exercise commands take.
    pub id: String,
    pub package: String,
    pub title: String,
    pub kind: ExerciseType,
    pub facilitator: String,
    pub started: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    pub running: bool,
    pub speed: u32,
    /// Scenario time, in seconds from the start.
    pub scenario: i64,
    /// Every inject in order, with when each came.
    pub injects: Vec<InjectState>,
    /// The index in `injects` of the inject in play (the last one come).
    pub in_play: Option<usize>,
    /// The index of the next inject, and the scenario seconds until it comes.
    pub next: Option<(usize, i64)>,
    pub decisions: Vec<Decision>,
    pub observations: Vec<Observed>,
}

impl Exercise {
    /// The inject in play.
    pub fn inject_in_play(&self) -> Option<&InjectState> {
        self.in_play.and_then(|i| self.injects.get(i))
    }

    /// The next inject.
    pub fn next_inject(&self) -> Option<&InjectState> {
        self.next.and_then(|(i, _)| self.injects.get(i))
    }
}

/// The exercise of an incident's entries, if it is one: its package's id.
pub fn package_of(entries: &[Entry]) -> Option<&str> {
    entries.iter().find_map(|e| match &e.event {
        Event::ExerciseStarted { package, .. } => Some(package.as_str()),
        _ => None,
    })
}

/// Scenario milliseconds after `real` elapsed at `speed`.
fn scaled(real: Duration, speed: u32) -> i64 {
    real.num_milliseconds().max(0).saturating_mul(i64::from(speed))
}

/// Where an exercise stands at `now`: its scenario clock, replayed from the incident's
/// entries (`entries`, in log order), the injects come, the decisions and observations.
pub fn replay(
    incident: &Incident,
    package: &Package,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> Exercise {
    let mut injects: Vec<InjectState> = package
        .modules
        .iter()
        .flat_map(|m| {
            m.injects.iter().map(|i| InjectState {
                inject: i.clone(),
                module: m.title.clone(),
                came: None,
            })
        })
        .collect();
    let (mut running, mut speed, mut scenario_ms) = (true, 1u32, 0i64);
    let mut since = incident.started;
    let mut ended = None;
    let (mut decisions, mut observations) = (Vec::new(), Vec::new());

    // Moves the scenario clock on to real time `to`, marking the injects that came.
    let advance = |injects: &mut Vec<InjectState>,
                   scenario_ms: &mut i64,
                   since: &mut DateTime<Utc>,
                   to: DateTime<Utc>,
                   running: bool,
                   speed: u32| {
        let from_ms = *scenario_ms;
        if running && to > *since {
            *scenario_ms = from_ms.saturating_add(scaled(to - *since, speed));
        }
        for i in injects.iter_mut().filter(|i| i.came.is_none()) {
            let at_ms = i64::from(i.inject.at) * 60_000;
            if at_ms <= *scenario_ms {
                let after = (at_ms - from_ms).max(0) / i64::from(speed.max(1));
                i.came = Some(*since + Duration::milliseconds(after));
            }
        }
        if to > *since {
            *since = to;
        }
    };

    for e in entries {
        if ended.is_some() {
            break;
        }
        advance(&mut injects, &mut scenario_ms, &mut since, e.time, running, speed);
        match &e.event {
            Event::ExercisePaused { .. } => running = false,
            Event::ExerciseResumed { .. } => running = true,
            Event::ExerciseSpeedChanged { speed: s, .. } => speed = (*s).clamp(1, MAX_SPEED),
            Event::InjectJumped { inject, .. } => {
                if let Some(i) = injects.iter().find(|i| i.inject.id == *inject) {
                    scenario_ms = scenario_ms.max(i64::from(i.inject.at) * 60_000);
                }
                advance(&mut injects, &mut scenario_ms, &mut since, e.time, false, speed);
            }
            Event::ExerciseDecision { inject, text } => decisions.push(Decision {
                inject: inject.clone(),
                text: text.clone(),
                by: e.actor.clone(),
                at: e.time,
            }),
            Event::ExerciseObserved { note, rating, task } => {
                let objective = package.task(task).map(|(o, _)| o.id.clone()).unwrap_or_default();
                observations.push(Observed {
                    task: task.clone(),
                    objective,
                    rating: *rating,
                    note: note.clone(),
                    by: e.actor.clone(),
                    at: e.time,
                    scenario: scenario_ms / 1000,
                });
            }
            Event::DrillEnded { .. } | Event::IncidentClosed { .. } => ended = Some(e.time),
            _ => {}
        }
    }
    if ended.is_none() {
        advance(&mut injects, &mut scenario_ms, &mut since, now, running, speed);
    }
    let in_play = injects.iter().rposition(|i| i.came.is_some());
    let next = injects.iter().enumerate().find(|(_, i)| i.came.is_none()).map(|(n, i)| {
        let left = (i64::from(i.inject.at) * 60_000 - scenario_ms).max(0) / 1000;
        (n, left)
    });
    Exercise {
        id: incident.id.clone(),
        package: package.id.clone(),
        title: package.title.clone(),
        kind: package.kind,
        facilitator: incident.lead.clone(),
        started: incident.started,
        ended,
        running: running && ended.is_none(),
        speed,
        scenario: scenario_ms / 1000,
        injects,
        in_play,
        next,
        decisions,
        observations,
    }
}

/// Starts an exercise of a package: a drill incident of its playbook, with the
/// `exercise_started` entry in the same write. The signed-in user facilitates.
pub fn start(
    session: &Session,
    playbooks: &[Playbook],
    package: &Package,
    now: DateTime<Utc>,
) -> Result<Incident> {
    let playbook = package.playbook().ok_or_else(|| Error::Invalid {
        what: "exercise package",
        reason: format!("`{}` tests no playbook step", package.id),
    })?;
    let options = StartOptions { drill: true, discovered: None, lead: None };
    let also = Event::ExerciseStarted {
        kind: package.kind,
        package: package.id.clone(),
        title: package.title.clone(),
        version: package.version,
    };
    incident::start_with(session, playbooks, playbook, options, now, Some(&also))
}

/// An exercise by its id, replayed at the session's time.
pub fn progress(session: &Session, packages: &[Package], id: &str) -> Result<Exercise> {
    let incident = incident::by_id(session, id)?;
    let entries = session.events(Some(id))?;
    let package = package_of(&entries).ok_or_else(|| Error::Invalid {
        what: "exercise",
        reason: format!("incident `{id}` is not an exercise"),
    })?;
    let package = super::find(packages, package)?;
    Ok(replay(&incident, package, &entries, session.now()))
}

/// Every exercise, newest first, replayed from the whole log read once.
pub fn list(session: &Session, packages: &[Package]) -> Result<Vec<Exercise>> {
    let entries: Vec<Entry> = session.events(None)?;
    let mut out = Vec::new();
    for i in incident::list(session)?.into_iter().filter(|i| i.drill) {
        let own: Vec<Entry> =
            entries.iter().filter(|e| e.incident.as_deref() == Some(&i.id)).cloned().collect();
        if let Some(package) = package_of(&own).and_then(|p| super::find(packages, p).ok()) {
            out.push(replay(&i, package, &own, session.now()));
        }
    }
    Ok(out)
}

/// What the facilitator does with the scenario clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Jump to the next inject now.
    Next,
    Pause,
    Resume,
    /// Run the scenario clock this many times faster than real time (1 to [`MAX_SPEED`]).
    Speed(u32),
}

/// The facilitator moves the scenario clock: the drill's lead, or whoever may command
/// incidents (the role read inside the write).
pub fn control(
    session: &Session,
    packages: &[Package],
    id: &str,
    control: Control,
) -> Result<Exercise> {
    let now = progress(session, packages, id)?;
    let refuse = |reason: &str| Err(Error::Invalid { what: "exercise", reason: reason.into() });
    if now.ended.is_some() {
        return refuse("the exercise has ended");
    }
    let scenario = now.scenario;
    let event = match control {
        Control::Next => match now.next_inject() {
            None => return refuse("the last inject is in play: there is no next one"),
            Some(n) => Event::InjectJumped { inject: n.inject.id.clone(), scenario },
        },
        Control::Pause if !now.running => return refuse("the scenario clock is already paused"),
        Control::Pause => Event::ExercisePaused { scenario },
        Control::Resume if now.running => return refuse("the scenario clock is running"),
        Control::Resume => Event::ExerciseResumed { scenario },
        Control::Speed(s) if !(1..=MAX_SPEED).contains(&s) => {
            return refuse(&format!("the speed is 1 (real time) to {MAX_SPEED} times faster"));
        }
        Control::Speed(speed) => Event::ExerciseSpeedChanged { scenario, speed },
    };
    let incident = incident::by_id(session, id)?;
    session.write(|w| {
        if !incident::may_command(w.role(), session.user_name(), &incident) {
            return Err(Permission::CommandIncidents.denied("run an exercise's scenario clock"));
        }
        w.append(Some(id), &event)
    })?;
    progress(session, packages, id)
}

/// A participant's decision, logged against an inject that has come (the one in play when
/// `inject` is `None`).
pub fn decide(
    session: &Session,
    packages: &[Package],
    id: &str,
    inject: Option<&str>,
    text: &str,
) -> Result<Exercise> {
    let now = progress(session, packages, id)?;
    let text = checked_text(text, "decision")?;
    if now.ended.is_some() {
        return Err(Error::Invalid { what: "exercise", reason: "the exercise has ended".into() });
    }
    let answered = match inject {
        None => now.inject_in_play().ok_or_else(|| Error::Invalid {
            what: "inject",
            reason: "no inject is in play yet".into(),
        })?,
        Some(wanted) => {
            now.injects.iter().find(|i| i.inject.id == wanted && i.came.is_some()).ok_or_else(
                || Error::Invalid {
                    what: "inject",
                    reason: format!("`{wanted}` is not an inject that has come into play"),
                },
            )?
        }
    };
    let event = Event::ExerciseDecision { inject: answered.inject.id.clone(), text };
    session.append(Some(id), &event)?;
    progress(session, packages, id)
}

/// An evaluator's observation of a critical task, with its rating: a log entry under the
/// evaluator's own unlock (admins and incident leads evaluate).
pub fn observe(
    session: &Session,
    packages: &[Package],
    id: &str,
    task: &str,
    rating: Rating,
    note: &str,
) -> Result<Exercise> {
    let now = progress(session, packages, id)?;
    let package = super::find(packages, &now.package)?;
    if package.task(task).is_none() {
        let known: Vec<&str> =
            package.objectives.iter().flat_map(|o| &o.tasks).map(|t| t.id.as_str()).collect();
        return Err(Error::Invalid {
            what: "critical task",
            reason: format!(
                "`{task}` is not a critical task of this exercise: use one of {}",
                known.join(", ")
            ),
        });
    }
    let note = checked_text(note, "observation")?;
    let event = Event::ExerciseObserved { note, rating, task: task.to_owned() };
    session.write(|w| {
        w.role().require(Permission::EvaluateExercises, "record an exercise observation")?;
        w.append(Some(id), &event)
    })?;
    progress(session, packages, id)
}

/// A decision's or an observation's text: trimmed, 1 to 2,000 characters.
pub(crate) fn checked_text(text: &str, what: &'static str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > crate::limits::MAX_NOTES_CHARS {
        return Err(Error::Invalid {
            what,
            reason: format!("write 1 to {} characters", crate::limits::MAX_NOTES_CHARS),
        });
    }
    Ok(text.to_owned())
}

/// An exercise entry in words, for the incident's activity and the review.
pub fn entry_words(event: &Event) -> String {
    let at = |s: &i64| crate::words::duration(Duration::seconds(*s));
    match event {
        Event::ExerciseStarted { kind, title, version, .. } => {
            format!("{} started: {title} (version {version})", kind.label())
        }
        Event::ExercisePaused { scenario } => format!("Scenario clock paused at {}", at(scenario)),
        Event::ExerciseResumed { scenario } => {
            format!("Scenario clock resumed at {}", at(scenario))
        }
        Event::ExerciseSpeedChanged { scenario, speed } => {
            format!("Scenario clock at {speed}x from {}", at(scenario))
        }
        Event::InjectJumped { inject, scenario } => {
            format!("Jumped to inject {inject} from {}", at(scenario))
        }
        Event::ExerciseDecision { inject, text } => format!("Decision on inject {inject}: {text}"),
        Event::ExerciseObserved { note, rating, task } => {
            format!("Observed {task}, rated {}: {note}", rating.label())
        }
        Event::CorrectiveActionAdded { action, due, owner, text, .. } => {
            format!("Corrective action {action} for {owner}, due {due}: {text}")
        }
        Event::CorrectiveActionClosed { action, note } => {
            format!("Corrective action {action} closed: {note}")
        }
        Event::ExerciseRecorded { date, kind, title, .. } => {
            format!("{} held on {date} recorded: {title}", kind.label())
        }
        other => other.kind().replace('_', " "),
    }
}
