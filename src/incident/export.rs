//! Incident exports: the HICS 214 Activity Log as printable HTML, CSV for a spreadsheet, and
//! (through the store) the JSON evidence bundle of the workstation's signed log.
//!
//! Every row comes from the incident's log entries. The HTML prints the log's last
//! checkpoint (size and head) and the fingerprint of the key that signed it at the foot, so
//! a paper copy anchors the log: a later export must hold the same checkpoint, signed by
//! the same key.

use chrono::{DateTime, Utc};

use crate::csv_safe::write_row;
use crate::events::Event;
use crate::incident::{Activity, Progress};
use crate::log::Anchor;
use crate::playbook::Playbook;
use crate::store::Permission;
use crate::words::Zone;
use crate::{Error, Result, html};

/// The formats of `caregiver incident export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Json,
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "html" => Ok(Format::Html),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(Error::Invalid { what: "format", reason: "must be html, csv or json".into() }),
        }
    }
}

fn step_title<'a>(playbook: &'a Playbook, id: &'a str) -> &'a str {
    playbook.steps.iter().find(|s| s.id == id).map_or(id, |s| s.title.as_str())
}

/// One activity row in words, as HICS 214's "notable activities" column wants it; times in
/// `zone`.
pub fn activity(playbook: &Playbook, e: &Activity, zone: &Zone) -> String {
    let step = e.step.as_deref().map(|s| step_title(playbook, s)).unwrap_or_default();
    let detail = e.detail.as_deref().unwrap_or_default();
    match &e.event {
        Event::IncidentStarted(_) => {
            format!("Started the playbook \u{201c}{}\u{201d}", playbook.title)
        }
        Event::StepDone { .. } => format!("Done: {step}"),
        Event::StepSkipped { .. } => format!("Skipped: {step} (reason: {detail})"),
        Event::Decision { .. } => format!("Decided at \u{201c}{step}\u{201d}: {detail}"),
        Event::Note { .. } => format!("Note: {detail}"),
        Event::Observation { .. } => {
            format!("Observation (ward staff, emergency access): {detail}")
        }
        Event::PositionAssigned { .. } => format!("Position assigned: {detail}"),
        Event::CallMade { .. } => format!("Call to {detail}"),
        Event::TimerAcknowledged { .. } => format!("Reminder seen: {step}"),
        Event::IncidentClosed { .. } => "Incident closed".to_owned(),
        Event::DrillEnded { .. } => "Drill ended".to_owned(),
        Event::DiscoveryCorrected { discovered, reason, was } => format!(
            "Discovery time corrected: set to {} (was {}): {reason}",
            zone.minute(*discovered),
            zone.minute(*was)
        ),
        Event::ClockPaused { .. } => format!("Clock paused: {detail}"),
        Event::ClockResumed { clock } => format!("Clock resumed: {clock}"),
        Event::BreachAssessed(_) => detail.to_owned(),
        Event::BreachRecorded { .. } => format!("Breach register: {detail}"),
        Event::EvidenceAdded { .. } => format!("Evidence added: {detail}"),
        Event::CustodyTransferred { .. } => format!("Evidence handed over: {detail}"),
        Event::CustodyConfirmed { .. } => format!("Evidence received: {detail}"),
        Event::EvidenceVerified { .. } => format!("Evidence checked: {detail}"),
        Event::IndicatorAdded { .. } => format!("Indicator of compromise recorded: {detail}"),
        Event::IndicatorsShared { .. } => format!("Indicators shared: {detail}"),
        Event::FindingsRecorded { .. } => format!("Forensic findings recorded: {detail}"),
        Event::PeriodStarted { .. } => format!("Operational period started: {detail}"),
        Event::ObjectiveSet { .. } => format!("Objective set: {detail}"),
        Event::ObjectiveClosed { .. } => format!("Objective closed: {detail}"),
        Event::GeneralMessage { .. } => format!("General message (HICS 213) {detail}"),
        Event::ExerciseStarted { .. }
        | Event::ExercisePaused { .. }
        | Event::ExerciseResumed { .. }
        | Event::ExerciseSpeedChanged { .. }
        | Event::InjectJumped { .. }
        | Event::ExerciseDecision { .. }
        | Event::ExerciseObserved { .. }
        | Event::CorrectiveActionAdded { .. }
        | Event::CorrectiveActionClosed { .. }
        | Event::ExerciseRecorded { .. } => format!("Exercise: {detail}"),
        Event::BriefingWritten { .. } => format!("Incident briefing (HICS 201): {detail}"),
        Event::WorkAssigned { .. } => format!("Work assignment (HICS 204): {detail}"),
        Event::HazardNoted { .. } => format!("Safety analysis (HICS 215A): {detail}"),
        Event::SystemStatusSet { .. } => format!("Facility system status (HICS 251): {detail}"),
        other @ (Event::EmergencyAccessUsed { .. }
        | Event::WardCopyRepaired { .. }
        | Event::EntriesUnsigned { .. }
        | Event::TrainingAssigned { .. }
        | Event::TrainingAcknowledged { .. }
        | Event::PolicyAcknowledged { .. }
        | Event::BulletinAcknowledged { .. }
        | Event::PhishingImported { .. }) => other.kind().replace('_', " "),
    }
}

/// The HICS 214 Activity Log of one incident, as a self-contained HTML page that prints,
/// its times in the workstation's `zone`.
pub fn hics214_html(
    p: &Progress,
    playbook: &Playbook,
    prepared_by: &str,
    anchor: &Anchor,
    (now, zone): (DateTime<Utc>, &Zone),
) -> String {
    let i = &p.incident;
    let from = zone.minute(i.started);
    let to = p.events.last().map_or_else(|| from.clone(), |e| zone.minute(e.time));
    let resources =
        p.positions.iter().map(|a| [a.person.clone(), a.name.clone(), zone.minute(a.since)]);
    let rows = p
        .events
        .iter()
        .map(|e| [zone.minute(e.time), activity(playbook, e, zone), e.actor.clone()]);
    let clocks =
        p.deadlines.iter().map(|d| [d.described(), d.due_words(zone), d.state_words(zone)]);
    let body = maud::html! {
        h1 { "ACTIVITY LOG (HICS 214)" }
        table {
            tr {
                th { "1. Incident Name" }
                td { (i.title) (html::drill(i.drill)) br; "Incident " (i.id) }
            }
            tr {
                th { "2. Operational Period" }
                td { "From " (from) " to " (to) " (24-hour, " (zone.name()) ")" }
            }
            tr { th { "3. Name" } td { (i.lead) } }
            tr { th { "4. HIMT Position" } td { "Incident Commander (incident lead)" } }
            tr {
                th { "Discovered" }
                td {
                    (crate::incident::clocks::discovery_words(i.discovered, &p.discovery_changes, zone))
                    ": legal clocks run from here"
                }
            }
        }
        @if !p.deadlines.is_empty() {
            (html::table(&["Legal clock", "Due", "State"], clocks))
        }
        @if let Some(assessed) = &p.assessment {
            (assessed.html(p.affected.as_ref(), zone))
        }
        (html::table(
            &["Resources assigned (as ICS 214): Name", "HIMT Position", "Since"],
            resources,
        ))
        (html::table(&["5. Date/Time", "Notable Activities", "By"], rows))
        table {
            tr {
                th { "6. Prepared by" }
                td {
                    "Name: " (prepared_by) br;
                    "Signature: ______________________" br;
                    "Date/Time: " (zone.minute(now)) br;
                    "Facility: ______________________"
                }
            }
        }
        (html::anchor(anchor))
    };
    html::page(&format!("HICS 214 Activity Log: {}", i.title), body)
}

/// The incident's activity as CSV (RFC 4180): one row per log entry, its time in UTC (RFC
/// 3339, as the log) and in `zone` as people read it, every cell guarded against formulas.
pub fn csv(p: &Progress, playbook: &Playbook, zone: &Zone) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Invalid { what: "export", reason: e.to_string() };
    let header =
        ["entry", "time_utc", "time_local", "incident", "drill", "by", "kind", "step", "activity"];
    write_row(&mut w, header).map_err(fail)?;
    for e in &p.events {
        let seq = e.seq.to_string();
        let time = e.time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let local = zone.second(e.time);
        write_row(
            &mut w,
            [
                seq.as_str(),
                time.as_str(),
                local.as_str(),
                p.incident.id.as_str(),
                if p.incident.drill { "yes" } else { "no" },
                e.actor.as_str(),
                e.event.kind(),
                e.step.as_deref().unwrap_or_default(),
                activity(playbook, e, zone).as_str(),
            ],
        )
        .map_err(fail)?;
    }
    let bytes =
        w.into_inner().map_err(|e| Error::Invalid { what: "export", reason: e.to_string() })?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid { what: "export", reason: e.to_string() })
}

/// The bytes of one incident's export in a format (incident leads and admins): the same
/// for the CLI and the window.
pub fn incident_file(
    session: &crate::store::Session,
    playbooks: &[Playbook],
    id: &str,
    format: Format,
    reader: (DateTime<Utc>, &Zone),
) -> Result<Vec<u8>> {
    session.require(Permission::HandleRecords, "export an incident")?;
    let p = crate::incident::progress(session, playbooks, id)?;
    let playbook = crate::incident::playbook(playbooks, &p.incident.playbook)?;
    Ok(match format {
        Format::Html => {
            hics214_html(&p, playbook, session.user_name(), &session.log_anchor()?, reader)
                .into_bytes()
        }
        Format::Csv => csv(&p, playbook, reader.1)?.into_bytes(),
        // The incident's bundle, its records attached by the caller that reads them
        // (`App::export_incident`); here with the chain and the incident's entries only.
        Format::Json => {
            let mut bundle = Vec::new();
            let scope = crate::store::BundleScope { incident: id, ..Default::default() };
            session.export_incident_log(&mut bundle, &scope)?;
            bundle
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::tests::{HOSTILE, anchor, assert_anchored, assert_escaped};

    /// Names, the title and a skip's reason are escaped wherever the form prints them; the
    /// log's anchor stays at the foot.
    #[test]
    fn the_hics214_escapes_what_people_typed() {
        let playbook = crate::playbook::find("ransomware").unwrap();
        let mut p = crate::incident::review::tests::walked_because(5, Some(30), HOSTILE);
        p.incident.title = HOSTILE.to_owned();
        p.incident.lead = HOSTILE.to_owned();
        let anchor = anchor();
        let now = p.incident.started + chrono::Duration::hours(1);
        let html = hics214_html(&p, &playbook, HOSTILE, &anchor, (now, &Zone::UTC));
        // The page's title, the incident's name, the lead, the skip, the preparer.
        assert_escaped(&html, 5);
        assert!(html.contains("<strong class=\"drill\">DRILL</strong>"), "{html}");
        assert_anchored(&html);
    }

    /// A name or an id that starts like a formula never runs as one in a spreadsheet.
    #[test]
    fn the_csv_guards_against_formulas() {
        let playbook = crate::playbook::find("ransomware").unwrap();
        let mut p = crate::incident::review::tests::walked_because(5, Some(30), "-1");
        p.incident.id = "@inc".into();
        for e in &mut p.events {
            e.actor = "=HYPERLINK(\"x\")".into();
        }
        let text = csv(&p, &playbook, &Zone::UTC).unwrap();
        let mut rows = ::csv::Reader::from_reader(text.as_bytes());
        let mut n = 0;
        for row in rows.records() {
            let row = row.unwrap();
            assert_eq!((&row[3], &row[5]), ("'@inc", "'=HYPERLINK(\"x\")"));
            assert!(row.iter().all(|c| !c.starts_with(crate::csv_safe::formula_start)), "{row:?}");
            n += 1;
        }
        assert_eq!(n, p.events.len());
    }

    /// The HICS 214 and the CSV read in the workstation's zone, with its abbreviation on
    /// every time; the CSV keeps UTC beside it, as the log does.
    #[test]
    fn the_hics_214_and_the_csv_read_in_local_time() {
        let playbook = crate::playbook::find("ransomware").unwrap();
        let p = crate::incident::review::tests::walked_because(5, Some(30), "reason");
        let ny = Zone::named("America/New_York").unwrap();
        let now = p.incident.started + chrono::Duration::hours(1);
        let html = hics214_html(&p, &playbook, "Lee Lead", &anchor(), (now, &ny));
        let started = ny.minute(p.incident.started);
        assert!(started.ends_with(" EST"), "{started}");
        assert!(html.contains(&format!("From {started} to ")), "{html}");
        assert!(html.contains("(24-hour, America/New_York)"), "{html}");
        assert!(!html.contains("UTC"), "{html}");
        let text = csv(&p, &playbook, &ny).unwrap();
        let mut rows = ::csv::Reader::from_reader(text.as_bytes());
        let first = rows.records().next().unwrap().unwrap();
        assert_eq!(&first[1], "2026-11-28T06:00:00.000Z");
        assert_eq!(&first[2], "2026-11-28 01:00:00 EST");
    }
}
