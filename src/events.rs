//! The activity log's vocabulary: every kind of entry, typed. An entry's line carries
//! `kind` and `payload`; [`Event`] is the one serde-tagged enum with a variant per kind and
//! its payload's fields. Writers build variants, readers match them exhaustively, and no
//! code outside this enum compares a kind as a string.
//!
//! The bytes on disk are what they were when kinds were strings: the same kind names, the
//! same payload fields (written in alphabetical order, as before), so every store and
//! bundle made earlier still reads and verifies. A kind is never renamed and a field never
//! changes its meaning; a new kind or an optional field may be added.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::breach::{Affected, Assessment};
use crate::contacts::calltree::Outcome;
use crate::exercise::ExerciseType;
use crate::exercise::run::Rating;
use crate::forensics::evidence::EvidenceKind;
use crate::forensics::ioc::{IocType, Tlp};
use crate::incident::Incident;
use crate::log::Logged;
use crate::store::{AccessEvent, AccessKind};
use crate::training::Score;
use crate::training::records::Target;

/// An activity-log entry as read: its time parsed, its event typed.
pub type Entry = Logged<Event>;

/// What an activity-log entry says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Event {
    /// An incident (or drill) began; its payload is the incident as recorded.
    IncidentStarted(Incident),
    /// The current step was done.
    StepDone { step: String },
    /// The current step was skipped, with a reason.
    StepSkipped { reason: String, step: String },
    /// A decision step was answered; `goto` is the step its answer leads to.
    Decision { choice: String, goto: String, step: String },
    /// A HICS position was given to a person (its earlier holder hands it over).
    PositionAssigned { person: String, position: String },
    /// Someone saw a step's reminder and said so.
    TimerAcknowledged { step: String },
    /// A call to a contact of the tree, and how it went.
    CallMade { contact: String, name: String, outcome: Outcome },
    /// A note on an incident.
    Note { text: String },
    /// What ward staff saw under emergency access (`at`), logged at the next full unlock.
    Observation {
        at: DateTime<Utc>,
        text: String,
        /// The number of the emergency-access record it came from.
        #[serde(rename = "use")]
        access_use: i64,
    },
    /// The incident was closed; `open_step` is the step that was current then.
    IncidentClosed { open_step: Option<String> },
    /// The drill was ended; `open_step` is the step that was current then.
    DrillEnded { open_step: Option<String> },
    /// The discovery time was set again (`discovered`; it was `was`), with a reason. It
    /// corrects the entry that set the time in force (the start, or the last correction).
    DiscoveryCorrected { discovered: DateTime<Utc>, reason: String, was: DateTime<Utc> },
    /// A legal clock (named by its step) was paused for a law-enforcement delay (45 CFR
    /// 164.412); `reason` holds the official's statement; `written`: a written statement
    /// (else oral, 30 days at most).
    ClockPaused { clock: String, reason: String, written: bool },
    /// A paused clock runs again.
    ClockResumed { clock: String },
    /// The incident's privacy officer completed and signed the breach risk assessment (45
    /// CFR 164.402): the form as filled in and its outcome. The decisions it answers follow
    /// as their own `decision` entries, in the same write.
    BreachAssessed(Assessment),
    /// The incident's breach report in the register was recorded or changed: the counts
    /// affected (in all and by state; `None`: not known) and the names of the fields that
    /// changed. Never a value of another field, never a name.
    BreachRecorded { affected: Option<Affected>, fields: Vec<String> },
    /// Emergency access was used (`at`), logged at the next full unlock.
    EmergencyAccessUsed {
        at: DateTime<Utc>,
        kind: AccessKind,
        #[serde(rename = "use")]
        access_use: i64,
    },
    /// A full unlock found a ward copy (written with the ward key, which the emergency
    /// code also opens) differing from the main-scope truth it is derived from, and
    /// rewrote it from the truth. `what` names the copy and how it differed.
    WardCopyRepaired { what: String },
    /// Entries `from` to `to` (the ones just before this), in the `names` listed, were
    /// found waiting for a checkpoint after their session ended without signing one (the
    /// app killed, the power cut): this entry's writer declares them, and their next
    /// checkpoint covers them (`crate::log::UNSIGNED_KIND`).
    EntriesUnsigned { from: u64, names: Vec<String>, to: u64 },
    /// A training module was assigned.
    TrainingAssigned { due: NaiveDate, module: String, target: Target },
    /// The signed-in person acknowledged a module (after its quiz, if it has one).
    TrainingAcknowledged { module: String, score: Option<Score>, title: String, version: u32 },
    /// A person read a threat bulletin addressed to them, under their own unlock: its read
    /// receipt.
    BulletinAcknowledged { bulletin: String, title: String },
    /// A person read and accepted a version of a written policy, under their own unlock.
    PolicyAcknowledged { policy: String, title: String, version: u32 },
    /// A phishing simulation's results were imported; `refreshers` clickers were assigned
    /// the refresher.
    PhishingImported {
        campaign: String,
        clicked: usize,
        refreshers: usize,
        reported: usize,
        sent: usize,
    },
    /// An evidence item was added to the incident (`crate::forensics::evidence`): its id,
    /// what it is, its SHA-256 if it has one, and the SHA-256 of its record as written
    /// (`record`), so a record changed afterwards is seen. Its writer holds it first.
    EvidenceAdded { item: String, record: String, sha256: Option<String>, what: EvidenceKind },
    /// The item's holder (`from`, the writer) handed it to `to`, for `purpose`, in
    /// `condition`: pending until `to` confirms it.
    CustodyTransferred {
        condition: Option<String>,
        from: String,
        item: String,
        purpose: String,
        to: String,
    },
    /// The writer, the person a hand-over (the entry `transfer`) was addressed to, received
    /// the item (in `condition`): they hold it from now.
    CustodyConfirmed { condition: Option<String>, item: String, transfer: u64 },
    /// The item's file was hashed again: its SHA-256 then, and whether it matched the item's.
    EvidenceVerified { item: String, matches: bool, sha256: String },
    /// An indicator of compromise was recorded: its id, type and TLP marking and the SHA-256
    /// of its record (`record`); never its value, which only some roles may read.
    IndicatorAdded { indicator: String, record: String, tlp: Tlp, what: IocType },
    /// Indicators were exported for sharing (`format`: csv or stix), those marked up to
    /// `tlp_max`: which ones.
    IndicatorsShared { format: String, indicators: Vec<String>, tlp_max: Tlp },
    /// The incident's forensic findings were recorded or changed: the names of the fields
    /// changed (how it got in, the data affected), never their text.
    FindingsRecorded { fields: Vec<String> },
    /// A new operational period (HICS) began: its number (the first began with the
    /// incident) and how many hours it is planned to last. Every entry from this one on
    /// belongs to it, until the next one begins.
    PeriodStarted { length_hours: u32, number: u32 },
    /// An incident objective (HICS 202) was set, numbered from 1 in the incident. It
    /// carries over into each next operational period until it is closed.
    ObjectiveSet { number: u32, text: String },
    /// An incident objective was closed (met, or dropped): it is not carried into the next
    /// operational period.
    ObjectiveClosed { number: u32 },
    /// A general message (HICS 213) from the writer to the holder of a HICS position, to be
    /// printed and carried when phones are down.
    GeneralMessage {
        priority: crate::incident::hics::Priority,
        subject: String,
        text: String,
        to: String,
    },
    /// An exercise began, as a drill incident (this entry follows its start): the package
    /// it runs (`crate::exercise`), its type, title and version.
    ExerciseStarted { kind: ExerciseType, package: String, title: String, version: u32 },
    /// The facilitator paused the scenario clock (`scenario`: its seconds then).
    ExercisePaused { scenario: i64 },
    /// The facilitator started the scenario clock again.
    ExerciseResumed { scenario: i64 },
    /// The scenario clock runs `speed` times faster than real time from now.
    ExerciseSpeedChanged { scenario: i64, speed: u32 },
    /// The facilitator jumped the scenario clock to the next inject, `inject`.
    InjectJumped { inject: String, scenario: i64 },
    /// A participant's decision, against the inject it answers.
    ExerciseDecision { inject: String, text: String },
    /// An evaluator's observation of a critical task, with HSEEP's rating, under the
    /// evaluator's own unlock.
    ExerciseObserved { note: String, rating: Rating, task: String },
    /// A corrective action of the exercise's improvement plan: against an objective, with
    /// an owner, a due date and the playbook or training it changes.
    CorrectiveActionAdded {
        action: String,
        changes: String,
        due: NaiveDate,
        objective: String,
        owner: String,
        text: String,
    },
    /// A corrective action was done and closed, with a note of what was done.
    CorrectiveActionClosed { action: String, note: String },
    /// An exercise held outside the app (a full-scale exercise, say) was entered in the
    /// register: its date, type, title and what it covered.
    ExerciseRecorded { date: NaiveDate, kind: ExerciseType, summary: String, title: String },
    /// A part of the incident briefing (HICS 201) was written: the situation summary or
    /// the health and safety briefing (the latest written stands, into each next period),
    /// or a current or planned action (listed in the period it was written in).
    BriefingWritten { part: crate::incident::hics::BriefingPart, text: String },
    /// The work assignment and special instructions (HICS 204) of a position: the latest
    /// written stands, into each next period, until another is written.
    WorkAssigned { position: String, text: String },
    /// A hazard or risk and its mitigation (HICS 215A), for the period it was noted in.
    HazardNoted { hazard: String, mitigation: String },
    /// A facility system's status (HICS 251): a system of the asset register (its id) or
    /// one named by hand; it stands, into each next period, until set again.
    SystemStatusSet {
        note: Option<String>,
        status: crate::incident::hics::SystemStatus,
        system: String,
    },
}

impl Event {
    /// The entry's kind, as its line carries it (for tables and exports that show it).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::IncidentStarted(_) => "incident_started",
            Event::StepDone { .. } => "step_done",
            Event::StepSkipped { .. } => "step_skipped",
            Event::Decision { .. } => "decision",
            Event::PositionAssigned { .. } => "position_assigned",
            Event::TimerAcknowledged { .. } => "timer_acknowledged",
            Event::CallMade { .. } => "call_made",
            Event::Note { .. } => "note",
            Event::Observation { .. } => "observation",
            Event::IncidentClosed { .. } => "incident_closed",
            Event::DrillEnded { .. } => "drill_ended",
            Event::DiscoveryCorrected { .. } => "discovery_corrected",
            Event::ClockPaused { .. } => "clock_paused",
            Event::ClockResumed { .. } => "clock_resumed",
            Event::BreachAssessed(_) => "breach_assessed",
            Event::BreachRecorded { .. } => "breach_recorded",
            Event::EmergencyAccessUsed { .. } => "emergency_access_used",
            Event::WardCopyRepaired { .. } => "ward_copy_repaired",
            Event::EntriesUnsigned { .. } => "entries_unsigned",
            Event::TrainingAssigned { .. } => "training_assigned",
            Event::TrainingAcknowledged { .. } => "training_acknowledged",
            Event::PhishingImported { .. } => "phishing_imported",
            Event::PolicyAcknowledged { .. } => "policy_acknowledged",
            Event::BulletinAcknowledged { .. } => "bulletin_acknowledged",
            Event::EvidenceAdded { .. } => "evidence_added",
            Event::CustodyTransferred { .. } => "custody_transferred",
            Event::CustodyConfirmed { .. } => "custody_confirmed",
            Event::EvidenceVerified { .. } => "evidence_verified",
            Event::IndicatorAdded { .. } => "indicator_added",
            Event::IndicatorsShared { .. } => "indicators_shared",
            Event::FindingsRecorded { .. } => "findings_recorded",
            Event::PeriodStarted { .. } => "period_started",
            Event::ObjectiveSet { .. } => "objective_set",
            Event::ObjectiveClosed { .. } => "objective_closed",
            Event::GeneralMessage { .. } => "general_message",
            Event::ExerciseStarted { .. } => "exercise_started",
            Event::ExercisePaused { .. } => "exercise_paused",
            Event::ExerciseResumed { .. } => "exercise_resumed",
            Event::ExerciseSpeedChanged { .. } => "exercise_speed_changed",
            Event::InjectJumped { .. } => "inject_jumped",
            Event::ExerciseDecision { .. } => "exercise_decision",
            Event::ExerciseObserved { .. } => "exercise_observed",
            Event::CorrectiveActionAdded { .. } => "corrective_action_added",
            Event::CorrectiveActionClosed { .. } => "corrective_action_closed",
            Event::ExerciseRecorded { .. } => "exercise_recorded",
            Event::BriefingWritten { .. } => "briefing_written",
            Event::WorkAssigned { .. } => "work_assigned",
            Event::HazardNoted { .. } => "hazard_noted",
            Event::SystemStatusSet { .. } => "system_status_set",
        }
    }

    /// How the entry goes to the SIEM (`crate::siem`, `docs/siem.md`): its facility and
    /// severity, and whether it carries text a person typed (notes, observations, reasons,
    /// messages, briefings, hazards, decisions and observations of exercises, ...), which
    /// leaves as its kind and hash only unless the admin opted in. Names, ids, counts and
    /// choices a playbook offers are not typed text.
    pub fn siem_class(&self) -> crate::siem::Class {
        use crate::siem::Class;
        match self {
            Event::EmergencyAccessUsed { .. }
            | Event::WardCopyRepaired { .. }
            | Event::EntriesUnsigned { .. } => Class::security(),
            Event::EvidenceVerified { matches: false, .. } => Class::warning(),
            Event::BreachAssessed(_) => Class::warning().typed(),
            Event::IncidentStarted(_)
            | Event::IncidentClosed { .. }
            | Event::DrillEnded { .. }
            | Event::ClockResumed { .. }
            | Event::BreachRecorded { .. }
            | Event::EvidenceAdded { .. }
            | Event::EvidenceVerified { matches: true, .. }
            | Event::IndicatorAdded { .. }
            | Event::IndicatorsShared { .. }
            | Event::FindingsRecorded { .. } => Class::notice(),
            Event::Observation { .. }
            | Event::DiscoveryCorrected { .. }
            | Event::ClockPaused { .. }
            | Event::CustodyTransferred { .. }
            | Event::CustodyConfirmed { .. } => Class::notice().typed(),
            Event::StepDone { .. }
            | Event::Decision { .. }
            | Event::PositionAssigned { .. }
            | Event::TimerAcknowledged { .. }
            | Event::CallMade { .. }
            | Event::TrainingAssigned { .. }
            | Event::TrainingAcknowledged { .. }
            | Event::PhishingImported { .. }
            | Event::PolicyAcknowledged { .. }
            | Event::BulletinAcknowledged { .. }
            | Event::PeriodStarted { .. }
            | Event::ObjectiveClosed { .. }
            | Event::ExerciseStarted { .. }
            | Event::ExercisePaused { .. }
            | Event::ExerciseResumed { .. }
            | Event::ExerciseSpeedChanged { .. }
            | Event::InjectJumped { .. } => Class::info(),
            Event::Note { .. }
            | Event::StepSkipped { .. }
            | Event::ObjectiveSet { .. }
            | Event::GeneralMessage { .. }
            | Event::ExerciseDecision { .. }
            | Event::ExerciseObserved { .. }
            | Event::CorrectiveActionAdded { .. }
            | Event::CorrectiveActionClosed { .. }
            | Event::ExerciseRecorded { .. }
            | Event::BriefingWritten { .. }
            | Event::WorkAssigned { .. }
            | Event::HazardNoted { .. }
            | Event::SystemStatusSet { .. } => Class::info().typed(),
        }
    }

    /// The playbook step the entry is about, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            Event::StepDone { step }
            | Event::StepSkipped { step, .. }
            | Event::Decision { step, .. }
            | Event::TimerAcknowledged { step } => Some(step),
            _ => None,
        }
    }

    /// How the log records a use of emergency access: (its incident, the event).
    pub fn of_access(access: &AccessEvent) -> (Option<String>, Event) {
        match (access.kind, &access.text) {
            (AccessKind::Observation, Some(text)) => (
                access.incident.clone(),
                Event::Observation { at: access.at, text: text.clone(), access_use: access.seq },
            ),
            (kind, _) => {
                (None, Event::EmergencyAccessUsed { at: access.at, kind, access_use: access.seq })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// The store writes the `entries_unsigned` declaration itself (it is generic over the
    /// vocabulary), with the log's kind name: it must be this variant's kind and payload.
    #[test]
    fn the_stores_declaration_is_the_entries_unsigned_event() {
        let event = Event::EntriesUnsigned { from: 2, names: vec!["Lena Lead".into()], to: 3 };
        let (kind, payload) = crate::log::kind_and_payload(&event).unwrap();
        assert_eq!(kind, crate::log::UNSIGNED_KIND);
        assert_eq!(event.kind(), crate::log::UNSIGNED_KIND);
        assert_eq!(payload, json!({ "from": 2, "names": ["Lena Lead"], "to": 3 }));
    }

    /// Every kind, as the code wrote it with `json!` before events were typed: the typed
    /// variant writes the same kind and the same payload bytes, and reads back as itself.
    #[test]
    fn every_kind_writes_the_bytes_it_always_wrote() {
        let incident = Incident {
            id: "20261128-0600-a1b2c3".into(),
            playbook: "ransomware".into(),
            playbook_version: 3,
            title: "Ransomware".into(),
            lead: "Lee Lead".into(),
            started: t("2026-11-28T06:00:00Z"),
            discovered: t("2026-11-28T05:30:00Z"),
            drill: true,
        };
        let cases: Vec<(Event, &str, serde_json::Value)> = vec![
            (
                Event::IncidentStarted(incident.clone()),
                "incident_started",
                serde_json::to_value(&incident).unwrap(),
            ),
            (Event::StepDone { step: "s1".into() }, "step_done", json!({ "step": "s1" })),
            (
                Event::StepSkipped { reason: "on paper".into(), step: "s2".into() },
                "step_skipped",
                json!({ "step": "s2", "reason": "on paper" }),
            ),
            (
                Event::Decision { choice: "Yes".into(), goto: "s4".into(), step: "s3".into() },
                "decision",
                json!({ "step": "s3", "choice": "Yes", "goto": "s4" }),
            ),
            (
                Event::PositionAssigned { person: "Ian IT".into(), position: "it-lead".into() },
                "position_assigned",
                json!({ "position": "it-lead", "person": "Ian IT" }),
            ),
            (
                Event::TimerAcknowledged { step: "s1".into() },
                "timer_acknowledged",
                json!({ "step": "s1" }),
            ),
            (
                Event::CallMade {
                    contact: "it-desk".into(),
                    name: "IT Service Desk".into(),
                    outcome: Outcome::NoAnswer,
                },
                "call_made",
                json!({ "contact": "it-desk", "name": "IT Service Desk", "outcome": "no-answer" }),
            ),
            (Event::Note { text: "hi".into() }, "note", json!({ "text": "hi" })),
            (
                Event::IncidentClosed { open_step: Some("s9".into()) },
                "incident_closed",
                json!({ "open_step": "s9" }),
            ),
            (Event::DrillEnded { open_step: None }, "drill_ended", json!({ "open_step": null })),
            (
                Event::TrainingAssigned {
                    due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                    module: "phishing-awareness".into(),
                    target: Target::Role(crate::store::Role::Clinician),
                },
                "training_assigned",
                json!({ "module": "phishing-awareness", "target": { "by": "role", "value": "clinician" }, "due": "2026-12-31" }),
            ),
            (
                Event::TrainingAcknowledged {
                    module: "m".into(),
                    score: None,
                    title: "M".into(),
                    version: 2,
                },
                "training_acknowledged",
                json!({ "module": "m", "version": 2, "title": "M", "score": null }),
            ),
            (
                Event::ExerciseObserved {
                    note: "slow".into(),
                    rating: Rating::S,
                    task: "isolate-machines".into(),
                },
                "exercise_observed",
                json!({ "note": "slow", "rating": "s", "task": "isolate-machines" }),
            ),
            (
                Event::CorrectiveActionAdded {
                    action: "x-C1".into(),
                    changes: "playbook:ransomware".into(),
                    due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                    objective: "contain".into(),
                    owner: "Nia Nurse".into(),
                    text: "Teach it".into(),
                },
                "corrective_action_added",
                json!({ "action": "x-C1", "changes": "playbook:ransomware", "due": "2026-12-31", "objective": "contain", "owner": "Nia Nurse", "text": "Teach it" }),
            ),
            (
                Event::ExerciseRecorded {
                    date: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
                    kind: ExerciseType::FullScale,
                    summary: "EHR downtime".into(),
                    title: "County exercise".into(),
                },
                "exercise_recorded",
                json!({ "date": "2026-05-01", "kind": "full-scale", "summary": "EHR downtime", "title": "County exercise" }),
            ),
            (
                Event::PolicyAcknowledged {
                    policy: "information-security".into(),
                    title: "Information security policy".into(),
                    version: 2,
                },
                "policy_acknowledged",
                json!({ "policy": "information-security", "title": "Information security policy", "version": 2 }),
            ),
            (
                Event::PhishingImported {
                    campaign: "Q4".into(),
                    clicked: 3,
                    refreshers: 2,
                    reported: 1,
                    sent: 14,
                },
                "phishing_imported",
                json!({ "campaign": "Q4", "sent": 14, "clicked": 3, "reported": 1, "refreshers": 2 }),
            ),
        ];
        for (event, kind, old_payload) in cases {
            let (k, payload) = crate::log::kind_and_payload(&event).unwrap();
            assert_eq!((k.as_str(), event.kind()), (kind, kind));
            assert_eq!(
                serde_json::to_string(&payload).unwrap(),
                serde_json::to_string(&old_payload).unwrap(),
                "{kind}"
            );
            let back: Event =
                serde_json::from_value(json!({ "kind": kind, "payload": old_payload })).unwrap();
            assert_eq!(back, event);
        }
    }

    /// Emergency-access entries from before: `at` as `to_rfc3339()` wrote it (+00:00).
    #[test]
    fn emergency_entries_written_before_still_read() {
        let back: Event = serde_json::from_value(json!({
            "kind": "observation",
            "payload": { "at": "2026-11-28T06:10:00.123456+00:00", "use": 2, "text": "printer down" },
        }))
        .unwrap();
        assert!(
            matches!(back, Event::Observation { access_use: 2, ref text, .. } if text == "printer down")
        );
        let back: Event = serde_json::from_value(json!({
            "kind": "emergency_access_used",
            "payload": { "at": "2026-11-28T06:00:00+00:00", "use": 1, "kind": "emergency_unlock" },
        }))
        .unwrap();
        assert_eq!(
            back,
            Event::EmergencyAccessUsed {
                at: t("2026-11-28T06:00:00Z"),
                kind: AccessKind::EmergencyUnlock,
                access_use: 1
            }
        );
    }
}
