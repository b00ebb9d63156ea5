//! The after-action review of an incident or a drill, from its replayed log: which steps
//! were done and which skipped (with the reasons), the time each phase took, the legal
//! clocks (running, met, missed, or not applicable on a branch not taken) and the
//! discovery time with its corrections, and each time band against the playbook's target
//! (the immediate steps within 2 hours of the start, the intermediate ones within 12). The text
//! and the printed review end with the log's anchor (its last checkpoint and its key's
//! fingerprint), as the HICS 214 does.

use crate::words::Zone;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::events::Event;
use crate::incident::clocks::discovery_words;
use crate::incident::{
    DeadlineState, DeadlineStatus, DiscoveryChange, Incident, Progress, StepStatus,
};
use crate::log::Anchor;
use crate::playbook::Playbook;
use crate::playbook::format::{BANDS, band_name, phase_name};
use crate::{html, words};

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
    /// The legal clocks as they stand (on a branch not taken: not applicable).
    pub deadlines: Vec<DeadlineState>,
    /// Corrections of the discovery time (the incident holds the latest).
    pub discovery_changes: Vec<DiscoveryChange>,
    /// The latest breach risk assessment, as signed.
    pub assessment: Option<crate::breach::Assessed>,
    /// How many people the breach affected, as the register last recorded it.
    pub affected: Option<crate::breach::Affected>,
    pub bands: Vec<BandTarget>,
    /// The forensics summary, for a reader who may see it (filled in by the application
    /// layer, which reads the incident's evidence and indicators).
    pub forensics: Option<crate::forensics::summary::Summary>,
    /// Every entry of the incident, numbered from 1 as the timeline numbers its marks.
    pub entries: Vec<ReviewEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewEntry {
    pub number: usize,
    pub time: DateTime<Utc>,
    pub by: String,
    pub what: String,
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
pub fn review(p: &Progress, playbook: &Playbook, now: DateTime<Utc>, zone: &Zone) -> Review {
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
        notes: p.events.iter().filter(|e| matches!(e.event, Event::Note { .. })).count(),
        observations: p
            .events
            .iter()
            .filter(|e| matches!(e.event, Event::Observation { .. }))
            .count(),
        steps,
        phases,
        deadlines: p.deadlines.clone(),
        discovery_changes: p.discovery_changes.clone(),
        assessment: p.assessment.clone(),
        affected: p.affected.clone(),
        bands,
        forensics: None,
        entries: p
            .events
            .iter()
            .enumerate()
            .map(|(n, e)| ReviewEntry {
                number: n + 1,
                time: e.time,
                by: e.actor.clone(),
                what: crate::incident::export::activity(playbook, e, zone),
            })
            .collect(),
    }
}

/// A step's outcome in one word, as the text and the HTML review give it.
fn outcome_word(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Done => "done",
        StepStatus::Skipped => "SKIPPED",
        StepStatus::Chosen => "decided",
        StepStatus::Current => "open",
        StepStatus::Pending => "not reached",
    }
}

/// The review as plain text, for the terminal, with the log's anchor at its foot; times in
/// `zone`.
pub fn text(r: &Review, anchor: &Anchor, zone: &Zone) -> String {
    let span = words::minutes;
    let mut out = String::new();
    let drill = if r.incident.drill { " [DRILL]" } else { "" };
    out.push_str(&format!("After-action review: {}{drill}\n", r.incident.title));
    out.push_str(&format!(
        "Incident {}, started {}, {} {}\n",
        r.incident.id,
        zone.minute(r.incident.started),
        if r.closed_at.is_some() { "closed after" } else { "open for" },
        span(r.minutes)
    ));
    out.push_str(&format!(
        "Discovered {}\n",
        discovery_words(r.incident.discovered, &r.discovery_changes, zone)
    ));
    out.push_str(&format!(
        "{} done, {} decisions, {} skipped, {} not reached; {} notes, {} observations\n",
        r.done, r.decisions, r.skipped, r.not_reached, r.notes, r.observations
    ));
    out.push_str("\nSteps:\n");
    for s in &r.steps {
        let status = outcome_word(s.status);
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
    out.push_str("\nLegal clocks:\n");
    for d in &r.deadlines {
        out.push_str(&format!(
            "  {:<14} due {}: {}\n                 {}\n",
            d.status.words(),
            d.due_words(zone),
            d.described(),
            d.state_words(zone)
        ));
    }
    if let Some(a) = &r.assessment {
        out.push('\n');
        out.push_str(&a.text(r.affected.as_ref(), zone));
    }
    if let Some(f) = &r.forensics {
        out.push_str("\nForensics:\n");
        for (what, answer) in f.lines(zone) {
            out.push_str(&format!("  {what}: {answer}\n"));
        }
    }
    out.push('\n');
    for line in anchor.lines() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The incident's timeline as the picture draws it: one lane per HICS position (a step's
/// entry goes in its step's position; anything else in the lane of a position its author
/// holds, else in a lane of its own), time across from discovery or start to the close.
pub fn timeline(
    p: &Progress,
    playbook: &Playbook,
    now: DateTime<Utc>,
    zone: &Zone,
) -> crate::incident::timeline::Timeline {
    use crate::incident::timeline::{DeadlineMark, Mark, MarkKind, Timeline};
    let i = &p.incident;
    let mut lanes: Vec<String> = Vec::new();
    let mut lane = |name: String| -> usize {
        match lanes.iter().position(|l| *l == name) {
            Some(n) => n,
            None => {
                lanes.push(name);
                lanes.len() - 1
            }
        }
    };
    // The lead's lane first.
    lane(playbook.role_name("incident-commander").to_owned());
    let mut marks = Vec::new();
    for e in &p.events {
        let time = e.time;
        let step = e.step.as_deref().and_then(|s| playbook.steps.iter().find(|x| x.id == s));
        let name = match step {
            Some(s) => playbook.role_name(&s.role).to_owned(),
            None if matches!(e.event, Event::Observation { .. }) => {
                "Ward staff (emergency access)".to_owned()
            }
            None => p
                .positions
                .iter()
                .find(|a| a.person.eq_ignore_ascii_case(&e.actor))
                .map_or_else(|| e.actor.clone(), |a| a.name.clone()),
        };
        let kind = match e.event {
            Event::IncidentStarted(_) => MarkKind::Started,
            Event::StepDone { .. } => MarkKind::Done,
            Event::StepSkipped { .. } => MarkKind::Skipped,
            Event::Decision { .. } | Event::BreachAssessed(_) => MarkKind::Decision,
            Event::Note { .. } => MarkKind::Note,
            Event::CallMade { .. } => MarkKind::Call,
            Event::PositionAssigned { .. } => MarkKind::Assigned,
            Event::Observation { .. } => MarkKind::Observation,
            Event::IncidentClosed { .. } | Event::DrillEnded { .. } => MarkKind::Closed,
            Event::TimerAcknowledged { .. }
            | Event::DiscoveryCorrected { .. }
            | Event::ClockPaused { .. }
            | Event::ClockResumed { .. }
            | Event::BreachRecorded { .. }
            | Event::EmergencyAccessUsed { .. }
            | Event::WardCopyRepaired { .. }
            | Event::EntriesUnsigned { .. }
            | Event::TrainingAssigned { .. }
            | Event::TrainingAcknowledged { .. }
            | Event::PolicyAcknowledged { .. }
            | Event::BulletinAcknowledged { .. }
            | Event::PhishingImported { .. }
            | Event::EvidenceAdded { .. }
            | Event::CustodyTransferred { .. }
            | Event::CustodyConfirmed { .. }
            | Event::EvidenceVerified { .. }
            | Event::IndicatorAdded { .. }
            | Event::IndicatorsShared { .. }
            | Event::FindingsRecorded { .. }
            | Event::PeriodStarted { .. }
            | Event::ObjectiveSet { .. }
            | Event::ObjectiveClosed { .. }
            | Event::GeneralMessage { .. }
            | Event::ExerciseStarted { .. }
            | Event::ExercisePaused { .. }
            | Event::ExerciseResumed { .. }
            | Event::ExerciseSpeedChanged { .. }
            | Event::InjectJumped { .. }
            | Event::ExerciseDecision { .. }
            | Event::ExerciseObserved { .. }
            | Event::CorrectiveActionAdded { .. }
            | Event::CorrectiveActionClosed { .. }
            | Event::ExerciseRecorded { .. }
            | Event::BriefingWritten { .. }
            | Event::WorkAssigned { .. }
            | Event::HazardNoted { .. }
            | Event::SystemStatusSet { .. } => MarkKind::Other,
        };
        // The lane says the position; the review's numbered entries say who.
        let label = crate::incident::export::activity(playbook, e, zone);
        marks.push(Mark { time, lane: lane(name), kind, label });
    }
    // A clock on a branch not taken, or not decided, is not drawn: the review lists it.
    let deadlines = p
        .deadlines
        .iter()
        .filter(|d| !matches!(d.status, DeadlineStatus::NotApplicable | DeadlineStatus::Undecided))
        .filter_map(|d| {
            Some(DeadlineMark {
                time: d.due?,
                label: d.what.clone(),
                met: match d.status {
                    DeadlineStatus::Met => Some(true),
                    DeadlineStatus::Late | DeadlineStatus::Overdue | DeadlineStatus::Missed => {
                        Some(false)
                    }
                    _ => None,
                },
            })
        })
        .collect();
    let end = p.closed_at.unwrap_or(now).max(i.started);
    // Discovery opens the picture when it came shortly before the start; a discovery long
    // before would squeeze the whole response into the right-hand edge (the review and
    // the HICS 214 still give it).
    let start = if i.started - i.discovered <= end - i.started {
        i.discovered.min(i.started)
    } else {
        i.started
    };
    Timeline {
        title: format!("{} \u{2014} {}", i.title, i.id),
        drill: i.drill,
        start,
        end,
        lanes,
        marks,
        deadlines,
        zone: *zone,
    }
}

/// The review as one printable HTML page: the summary, the timeline picture (the same SVG
/// the window shows), the tables, and the log's anchor at the foot.
pub fn html(
    r: &Review,
    timeline_svg: &str,
    anchor: &Anchor,
    (now, zone): (DateTime<Utc>, &Zone),
) -> String {
    let span = words::minutes;
    let i = &r.incident;
    let entries = r
        .entries
        .iter()
        .map(|e| [e.number.to_string(), zone.second(e.time), e.by.clone(), e.what.clone()]);
    let steps = r.steps.iter().map(|s| {
        let outcome = outcome_word(s.status);
        [
            s.title.clone(),
            s.role.clone(),
            s.detail.as_ref().map_or_else(|| outcome.to_owned(), |d| format!("{outcome}: {d}")),
            s.finished.map(|t| zone.minute(t)).unwrap_or_default(),
            s.by.clone().unwrap_or_default(),
            s.minutes.map(span).unwrap_or_default(),
        ]
    });
    let phases =
        r.phases.iter().map(|ph| [ph.name.clone(), ph.steps.to_string(), span(ph.minutes)]);
    let bands = r.bands.iter().map(|b| {
        [
            b.name.clone(),
            b.target_minutes.map_or("none".to_owned(), |t| format!("within {}", span(t))),
            b.finished_steps.to_string(),
            b.last_minutes.map(span).unwrap_or_default(),
            match b.met {
                Some(true) => "met".to_owned(),
                Some(false) => format!("NOT MET ({} late)", b.late_steps),
                None => String::new(),
            },
        ]
    });
    let deadlines =
        r.deadlines.iter().map(|d| [d.described(), d.due_words(zone), d.state_words(zone)]);
    let body = maud::html! {
        h1 { "After-action review: " (i.title) (html::drill(i.drill)) }
        p {
            "Incident " (i.id) "; lead " (i.lead) "; discovered " (discovery_words(i.discovered, &r.discovery_changes, zone))
            "; started " (zone.minute(i.started)) "; "
            (if r.closed_at.is_some() { "closed after" } else { "open for" }) " "
            (span(r.minutes)) "."
            br;
            (r.done) " steps done, " (r.decisions) " decisions, " (r.skipped) " skipped, "
            (r.not_reached) " not reached; " (r.notes) " notes, " (r.observations) " observations."
        }
        h2 { "Timeline" }
        (html::picture(timeline_svg))
        h2 { "Entries (numbered as in the timeline)" }
        (html::table(&["No.", "Time", "By", "Activity"], entries))
        h2 { "Steps" }
        (html::table(&["Step", "Position", "Outcome", "When", "By", "Took"], steps))
        h2 { "Time per phase" }
        (html::table(&["Phase", "Steps", "Time"], phases))
        h2 { "Time bands against their targets" }
        (html::table(&["Band", "Target", "Finished", "Last step at", "Verdict"], bands))
        h2 { "Legal clocks" }
        (html::table(&["Clock", "Due", "State"], deadlines))
        @if let Some(assessed) = &r.assessment {
            (assessed.html(r.affected.as_ref(), zone))
        }
        @if let Some(f) = &r.forensics {
            h2 { "Forensics" }
            (html::table(&["", "Answer"], f.lines(zone).into_iter().map(|(w, a)| [w.to_owned(), a])))
        }
        p {
            "Made " (zone.minute(now))
            " by Caregiver Playbook from the workstation's signed activity log (times "
            (zone.name()) ", 24-hour)."
        }
        (html::anchor(anchor))
    };
    html::page(&format!("After-action review: {}", i.title), body)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::html::tests::{anchor, assert_anchored};
    use crate::incident::tests::{entries, incident, replay, t};
    use chrono::Duration;

    /// A ransomware incident that starts at minute 0, finishes `stop-and-unplug` at
    /// `first_done`, skips the paper step, takes the "Yes" branch, and closes at `closed`.
    fn walked(first_done: i64, closed: Option<i64>) -> Progress {
        walked_because(first_done, closed, "on paper already")
    }

    /// As [`walked`], with the paper step skipped for `reason`.
    pub(crate) fn walked_because(first_done: i64, closed: Option<i64>, reason: &str) -> Progress {
        let lee = "Lee Lead";
        let script: Vec<(i64, &str, &str, serde_json::Value)> = [
            Some((0, lee, "incident_started", serde_json::to_value(incident(-30)).unwrap())),
            Some((first_done, lee, "step_done", serde_json::json!({ "step": "stop-and-unplug" }))),
            Some((first_done + 1, lee, "step_skipped", serde_json::json!({ "step": "paper-downtime", "reason": reason }))),
            Some((first_done + 2, lee, "decision", serde_json::json!({ "step": "check-spread", "choice": "Yes", "goto": "activate-command" }))),
            closed.map(|c| (c, lee, "incident_closed", serde_json::json!({}))),
        ]
        .into_iter()
        .flatten()
        .collect();
        let playbook = crate::playbook::find("ransomware").unwrap();
        replay(incident(-30), &playbook, &entries(&script)).unwrap()
    }

    /// Table-driven: the immediate band's 2-hour target is met or not by when its steps
    /// finished, and by whether an immediate step was still open when time ran out.
    #[test]
    fn time_bands_against_their_targets() {
        let playbook = crate::playbook::find("ransomware").unwrap();
        // (first step done at, closed at, reviewed at, immediate band met?)
        for (first, closed, now, met) in [
            (5, Some(30), 40, true),
            (100, Some(110), 140, true),
            (117, Some(119), 140, true),
            (121, Some(130), 140, false),
            (5, None, 60, true),
            (5, None, 125, false),
        ] {
            let r = review(&walked(first, closed), &playbook, t(now), &Zone::UTC);
            let immediate = r.bands.iter().find(|b| b.band == "immediate").unwrap();
            assert_eq!(immediate.met, Some(met), "first {first}, closed {closed:?}, now {now}");
            assert_eq!(immediate.target_minutes, Some(120));
            let extended = r.bands.iter().find(|b| b.band == "extended").unwrap();
            assert_eq!(extended.met, None, "no target after 12 hours");
        }
    }

    #[test]
    fn the_review_counts_and_explains() {
        let playbook = crate::playbook::find("ransomware").unwrap();
        let r = review(&walked(5, Some(30)), &playbook, t(50), &Zone::UTC);
        assert_eq!((r.done, r.skipped, r.decisions, r.minutes), (1, 1, 1, 30));
        let skipped = r.steps.iter().find(|s| s.status == StepStatus::Skipped).unwrap();
        assert_eq!(skipped.detail.as_deref(), Some("on paper already"));
        assert_eq!(r.steps[0].minutes, Some(5), "reached at 0, done at 5");
        // The 60-day deadline from discovery still runs after the close: not missed.
        let breach = r.deadlines.iter().find(|d| d.step == "breach-decision").unwrap();
        assert_eq!(breach.status, DeadlineStatus::Running);
        assert_eq!(breach.due, Some(t(-30) + Duration::days(60)));
        assert_eq!(r.entries.len(), 5);
        assert_eq!(r.entries[4].what, "Incident closed");
        let text = text(&r, &anchor(), &Zone::UTC);
        assert!(
            text.contains(
                "SKIPPED  Switch the unit to paper downtime procedures (on paper already)"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "\n\nActivity log ws-1, last checkpoint: 5 entries, head ab12.\n\
                 Signed by the workstation key with fingerprint 0123 4567.\n\
                 To check an export against this page, run caregiver log verify on it: it must \
                 print this fingerprint, and the export must hold a checkpoint at 5 entries with \
                 this head.\n"
            ),
            "{text}"
        );
        let html = html(&r, "<svg></svg>", &anchor(), (t(60), &Zone::UTC));
        assert!(html.contains("<td>SKIPPED: on paper already</td>") && html.contains("DRILL"));
        assert_anchored(&html);
    }

    /// What people typed (the title, the lead's name, a skip's reason) is escaped; the
    /// timeline picture goes in as drawn.
    #[test]
    fn the_html_review_escapes_what_people_typed() {
        use crate::html::tests::{HOSTILE, assert_escaped};
        let playbook = crate::playbook::find("ransomware").unwrap();
        let mut p = walked_because(5, Some(30), HOSTILE);
        p.incident.title = HOSTILE.to_owned();
        p.incident.lead = HOSTILE.to_owned();
        let svg = "<svg><text>drawn</text></svg>";
        let html =
            html(&review(&p, &playbook, t(50), &Zone::UTC), svg, &anchor(), (t(60), &Zone::UTC));
        // The page's title and heading, the lead, the skip's outcome and its entry.
        assert_escaped(&html, 5);
        assert!(html.contains("<svg><text>drawn</text></svg>"));
    }

    /// The timeline opens at discovery when it came shortly before the start, and at the
    /// start when discovery was long before (it would squeeze the picture).
    #[test]
    fn the_timeline_puts_each_entry_in_its_positions_lane() {
        let playbook = crate::playbook::find("ransomware").unwrap();
        let p = walked(5, Some(30));
        let tl = timeline(&p, &playbook, t(60), &Zone::UTC);
        assert_eq!(tl.start, t(-30));
        assert_eq!(tl.end, t(30));
        assert_eq!(tl.marks.len(), 5);
        let lane_of = |label: &str| {
            let m = tl.marks.iter().find(|m| m.label.contains(label)).unwrap();
            tl.lanes[m.lane].clone()
        };
        assert_eq!(lane_of("Unplug"), "Unit staff");
        assert_eq!(lane_of("Decided"), playbook.role_name("clinical-lead"));
        assert_eq!(lane_of("Incident closed"), "Incident Commander");
        let mut long_before = p.clone();
        long_before.incident.discovered = t(-24 * 60);
        assert_eq!(timeline(&long_before, &playbook, t(60), &Zone::UTC).start, t(0));
        crate::incident::timeline::render_svg(&tl).unwrap();
    }
}
