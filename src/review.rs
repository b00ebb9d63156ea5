//! The after-action review of an incident or a drill, from its replayed log: which steps
//! were done and which skipped (with the reasons), the time each phase took, the legal
//! deadlines met or missed, and each time band against the playbook's target (the
//! immediate steps within 2 hours of the start, the intermediate ones within 12).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::incident::{DeadlineStatus, Incident, Progress, StepStatus};
use crate::playbook::Playbook;
use crate::playbook::format::{BANDS, band_name, phase_name};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub incident: Incident,
    pub closed_at: Option<DateTime<Utc>>,
    /// From the start to the close (or to now, while it runs), in minutes.
    pub minutes: i64,
    pub done: usize,
    pub skipped: usize,
    pub decisions: usize,
    /// Steps never reached (other branches, or not got to).
    pub not_reached: usize,
    pub notes: usize,
    pub observations: usize,
    /// Every step reached, in the order they were finished.
    pub steps: Vec<StepOutcome>,
    pub phases: Vec<PhaseTime>,
    pub deadlines: Vec<DeadlineOutcome>,
    pub bands: Vec<BandTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepOutcome {
    pub step: String,
    pub title: String,
    pub role: String,
    /// `done`, `skipped`, `chosen` or `current` (reached, not finished).
    pub status: StepStatus,
    pub finished: Option<DateTime<Utc>>,
    pub by: Option<String>,
    /// The skip's reason or the decision's answer.
    pub detail: Option<String>,
    /// Minutes from reaching the step to finishing it.
    pub minutes: Option<i64>,
}

/// How long a phase (NIST stage or CSF function) ran: from the first of its steps reached
/// to the last finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseTime {
    pub phase: String,
    pub name: String,
    pub steps: usize,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub minutes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    MetLate,
    Missed,
    Skipped,
    Open,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineOutcome {
    pub step: String,
    pub what: String,
    pub due: DateTime<Utc>,
    pub outcome: Verdict,
    pub finished: Option<DateTime<Utc>>,
}

/// A time band against its target: were its steps finished within it?
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandTarget {
    pub band: String,
    pub name: String,
    /// Minutes from the start by which the band's steps should be finished (`None`: no
    /// target, as for the extended and demobilisation bands).
    pub target_minutes: Option<i64>,
    pub finished_steps: usize,
    /// The last of its steps finished, in minutes from the start.
    pub last_minutes: Option<i64>,
    /// Steps finished after the target.
    pub late_steps: usize,
    pub met: Option<bool>,
}

/// The targets of the time bands, in minutes from the start.
fn band_target(band: &str) -> Option<i64> {
    match band {
        "immediate" => Some(120),
        "intermediate" => Some(720),
        _ => None,
    }
}

/// Reviews an incident as it stands at `now` (open ones too: the review so far).
pub fn review(p: &Progress, playbook: &Playbook, now: DateTime<Utc>) -> Review {
    let i = &p.incident;
    let end = p.closed_at.unwrap_or(now);
    let minutes_since_start = |t: DateTime<Utc>| (t - i.started).num_minutes();
    let mut steps: Vec<StepOutcome> = p
        .steps
        .iter()
        .filter(|s| s.status != StepStatus::Pending)
        .map(|s| StepOutcome {
            step: s.id.clone(),
            title: s.title.clone(),
            role: playbook.role_name(&s.role).to_owned(),
            status: s.status,
            finished: s.finished,
            by: s.by.clone(),
            detail: s.detail.clone(),
            minutes: s.reached.zip(s.finished).map(|(a, b)| (b - a).num_minutes()),
        })
        .collect();
    steps.sort_by_key(|s| s.finished.unwrap_or(DateTime::<Utc>::MAX_UTC));

    let mut phases: Vec<PhaseTime> = Vec::new();
    for s in p.steps.iter().filter(|s| s.status != StepStatus::Pending) {
        let (Some(from), to) = (s.reached, s.finished.or(s.reached)) else { continue };
        let to = to.unwrap_or(from);
        match phases.iter_mut().find(|ph| ph.phase == s.phase) {
            Some(ph) => {
                ph.steps += 1;
                ph.from = ph.from.min(from);
                ph.to = ph.to.max(to);
            }
            None => phases.push(PhaseTime {
                phase: s.phase.clone(),
                name: phase_name(&s.phase).to_owned(),
                steps: 1,
                from,
                to,
                minutes: 0,
            }),
        }
    }
    for ph in &mut phases {
        ph.minutes = (ph.to - ph.from).num_minutes();
    }
    phases.sort_by_key(|ph| ph.from);

    let deadlines = p
        .deadlines
        .iter()
        .map(|d| DeadlineOutcome {
            step: d.step.clone(),
            what: d.what.clone(),
            due: d.due,
            outcome: match d.status {
                DeadlineStatus::Met => Verdict::Met,
                DeadlineStatus::Late => Verdict::MetLate,
                DeadlineStatus::Skipped => Verdict::Skipped,
                DeadlineStatus::Open if d.due < end => Verdict::Missed,
                DeadlineStatus::Open => Verdict::Open,
            },
            finished: d.finished,
        })
        .collect();

    let bands = BANDS
        .iter()
        .filter_map(|(band, _)| {
            let finished: Vec<i64> = p
                .steps
                .iter()
                .filter(|s| s.band == *band)
                .filter(|s| matches!(s.status, StepStatus::Done | StepStatus::Chosen))
                .filter_map(|s| s.finished.map(minutes_since_start))
                .collect();
            let in_band = p.steps.iter().any(|s| s.band == *band);
            if !in_band {
                return None;
            }
            let target = band_target(band);
            let late = target.map_or(0, |t| finished.iter().filter(|m| **m > t).count());
            // An open band whose target has passed with its steps unfinished is missed too.
            let unfinished_past_target = target.is_some_and(|t| {
                minutes_since_start(end) > t
                    && p.steps
                        .iter()
                        .any(|s| s.band == *band && matches!(s.status, StepStatus::Current))
            });
            Some(BandTarget {
                band: (*band).to_owned(),
                name: band_name(band).to_owned(),
                target_minutes: target,
                finished_steps: finished.len(),
                last_minutes: finished.iter().copied().max(),
                late_steps: late,
                met: target.map(|_| late == 0 && !unfinished_past_target),
            })
        })
        .collect();

    let count = |status: StepStatus| p.steps.iter().filter(|s| s.status == status).count();
    Review {
        incident: i.clone(),
        closed_at: p.closed_at,
        minutes: (end - i.started).num_minutes(),
        done: count(StepStatus::Done),
        skipped: count(StepStatus::Skipped),
        decisions: count(StepStatus::Chosen),
        not_reached: count(StepStatus::Pending),
        notes: p.events.iter().filter(|e| e.kind == "note").count(),
        observations: p.events.iter().filter(|e| e.kind == "observation").count(),
        steps,
        phases,
        deadlines,
        bands,
    }
}

impl Verdict {
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::MetLate => "met late",
            Verdict::Missed => "MISSED",
            Verdict::Skipped => "skipped",
            Verdict::Open => "open",
        }
    }
}

/// The review as plain text, for the terminal.
pub fn text(r: &Review) -> String {
    let span = |m: i64| crate::export::span(Duration::minutes(m));
    let mut out = String::new();
    let drill = if r.incident.drill { " [DRILL]" } else { "" };
    out.push_str(&format!("After-action review: {}{drill}\n", r.incident.title));
    out.push_str(&format!(
        "Incident {}, started {}, {} {}\n",
        r.incident.id,
        r.incident.started.format("%Y-%m-%d %H:%M UTC"),
        if r.closed_at.is_some() { "closed after" } else { "open for" },
        span(r.minutes)
    ));
    out.push_str(&format!(
        "{} done, {} decisions, {} skipped, {} not reached; {} notes, {} observations\n",
        r.done, r.decisions, r.skipped, r.not_reached, r.notes, r.observations
    ));
    out.push_str("\nSteps:\n");
    for s in &r.steps {
        let status = match s.status {
            StepStatus::Done => "done",
            StepStatus::Skipped => "SKIPPED",
            StepStatus::Chosen => "decided",
            StepStatus::Current => "open",
            StepStatus::Pending => "not reached",
        };
        let detail = s.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        let took = s.minutes.map(|m| format!(", took {}", span(m))).unwrap_or_default();
        out.push_str(&format!("  {status:<8} {}{detail} [{}{took}]\n", s.title, s.role));
    }
    out.push_str("\nTime per phase:\n");
    for ph in &r.phases {
        out.push_str(&format!("  {:<40} {} over {} steps\n", ph.name, span(ph.minutes), ph.steps));
    }
    out.push_str("\nTime bands against their targets:\n");
    for b in &r.bands {
        let target =
            b.target_minutes.map_or("no target".to_owned(), |t| format!("target {}", span(t)));
        let verdict = match b.met {
            Some(true) => "met".to_owned(),
            Some(false) => format!("NOT MET ({} steps late)", b.late_steps),
            None => String::new(),
        };
        let last =
            b.last_minutes.map(|m| format!(", last step at {}", span(m))).unwrap_or_default();
        out.push_str(&format!(
            "  {:<28} {target}: {} steps finished{last} {verdict}\n",
            b.name, b.finished_steps
        ));
    }
    out.push_str("\nDeadlines:\n");
    for d in &r.deadlines {
        out.push_str(&format!(
            "  {:<8} due {}: {}\n",
            d.outcome.words(),
            d.due.format("%Y-%m-%d %H:%M UTC"),
            d.what
        ));
    }
    out
}
