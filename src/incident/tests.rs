//! Replaying an incident's log: branches, timers, deadlines, positions.

use super::*;
use chrono::Duration;

use crate::events;
use crate::log::Entry;

/// Minute `minutes` of the test incidents (2026-11-28 06:00 UTC is minute 0).
pub(crate) fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().with_timezone(&Utc)
        + Duration::minutes(minutes)
}

/// The ransomware drill the scripts run, started at minute 0 by Lee Lead.
pub(crate) fn incident(discovered_minutes: i64) -> Incident {
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

/// Replays as the app does, with the clocks as they stand at minute 1,000.
pub(crate) fn replay(
    incident: Incident,
    p: &crate::playbook::Playbook,
    entries: &[events::Entry],
) -> Result<Progress> {
    super::replay(incident, p, entries, t(1_000), &crate::words::Zone::UTC, &Default::default())
}

/// One scripted entry: (minute, actor, kind, payload).
pub(crate) type Line<'a> = (i64, &'a str, &'a str, serde_json::Value);

/// The log's entries for a script, as the store reads them back.
pub(crate) fn entries(script: &[Line<'_>]) -> Vec<events::Entry> {
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
            (5, "A", "step_done", done("monitored-patients")),
            (6, "A", "step_done", done("paper-downtime")),
            (8, "A", "decision", serde_json::json!({ "step": "check-spread", "choice": "Yes", "goto": "activate-command" })),
            (12, "A", "step_done", done("activate-command")),
            (15, "A", "step_done", done("safety-analysis")),
            (20, "A", "step_done", done("clinical-impact-check")),
        ]),
    )
    .unwrap();
    let contain = progress.timers.iter().find(|t| t.step == "contain-network").unwrap();
    assert_eq!(contain.due, t(50));
    assert!(!contain.acknowledged);
}

/// The 60-day notice runs from discovery, not from the start, and is met or late by its
/// step's outcome; a skipped step does not meet it (the clock runs on).
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
        (100, "step_skipped", DeadlineStatus::Running),
    ] {
        let progress = walk(finish_at, kind);
        let d = progress.deadlines.iter().find(|d| d.step == "breach-decision").unwrap();
        assert_eq!(d.due, Some(due));
        assert_eq!(d.skipped.is_some(), kind == "step_skipped");
        assert_eq!(d.status, status, "finished at minute {finish_at}");
    }
    let open =
        replay(incident(0), &p, &entries(&[(0, "A", "incident_started", started())])).unwrap();
    let breach = open.deadlines.iter().find(|d| d.step == "breach-decision").unwrap();
    assert_eq!(breach.status, DeadlineStatus::Running);
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
