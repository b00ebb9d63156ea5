//! Incident exports: the HICS 214 Activity Log as printable HTML, CSV for a spreadsheet, and
//! (through the store) the JSON evidence bundle of the workstation's signed log.
//!
//! Every row comes from the incident's log entries. The HTML prints the log's checkpoint
//! (size and head) at the foot, so a paper copy anchors the log: a later export must hold
//! the same entry at that size.

use chrono::{DateTime, Utc};

use crate::incident::{Event, Progress};
use crate::playbook::Playbook;
use crate::{Error, Result};

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

/// The log's state when an export was made: printed on paper copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub log: String,
    pub size: u64,
    pub head: String,
}

fn step_title<'a>(playbook: &'a Playbook, id: &'a str) -> &'a str {
    playbook.steps.iter().find(|s| s.id == id).map_or(id, |s| s.title.as_str())
}

/// One activity row in words, as HICS 214's "notable activities" column wants it.
pub fn activity(playbook: &Playbook, e: &Event) -> String {
    let step = e.step.as_deref().map(|s| step_title(playbook, s)).unwrap_or_default();
    let detail = e.detail.as_deref().unwrap_or_default();
    match e.kind.as_str() {
        "incident_started" => format!("Started the playbook \u{201c}{}\u{201d}", playbook.title),
        "step_done" => format!("Done: {step}"),
        "step_skipped" => format!("Skipped: {step} (reason: {detail})"),
        "decision" => format!("Decided at \u{201c}{step}\u{201d}: {detail}"),
        "note" => format!("Note: {detail}"),
        "observation" => format!("Observation (ward staff, emergency access): {detail}"),
        "position_assigned" => format!("Position assigned: {detail}"),
        "call_made" => format!("Call to {detail}"),
        "timer_acknowledged" => format!("Reminder seen: {step}"),
        "incident_closed" => "Incident closed".to_owned(),
        "drill_ended" => "Drill ended".to_owned(),
        other => other.replace('_', " "),
    }
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn when(time: &str) -> String {
    DateTime::parse_from_rfc3339(time)
        .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| time.to_owned())
}

/// The HICS 214 Activity Log of one incident, as a self-contained HTML page that prints.
pub fn hics214_html(
    p: &Progress,
    playbook: &Playbook,
    prepared_by: &str,
    anchor: &Anchor,
    now: DateTime<Utc>,
) -> String {
    let i = &p.incident;
    let from = i.started.format("%Y-%m-%d %H:%M").to_string();
    let to = p.events.last().map_or_else(|| from.clone(), |e| when(&e.time));
    let drill = if i.drill { " <strong class=\"drill\">DRILL</strong>" } else { "" };
    let mut resources = String::new();
    for a in &p.positions {
        resources.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&a.person),
            escape(&a.name),
            escape(&a.since.format("%Y-%m-%d %H:%M").to_string())
        ));
    }
    let mut rows = String::new();
    for e in &p.events {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&when(&e.time)),
            escape(&activity(playbook, e)),
            escape(&e.actor)
        ));
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HICS 214 Activity Log: {title}</title>
<style>
body {{ font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 11pt; margin: 1.5cm; color: #000; }}
h1 {{ font-size: 15pt; margin: 0 0 0.5em; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 0.8em; }}
th, td {{ border: 1px solid #000; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
.drill {{ border: 2px solid #000; padding: 0 4px; }}
.anchor {{ font-size: 8pt; word-break: break-all; }}
tr {{ break-inside: avoid; }}
thead {{ display: table-header-group; }}
</style></head><body>
<h1>ACTIVITY LOG (HICS 214)</h1>
<table>
<tr><th>1. Incident Name</th><td>{title}{drill}<br>Incident {id}</td></tr>
<tr><th>2. Operational Period</th><td>From {from} to {to} (UTC, 24-hour)</td></tr>
<tr><th>3. Name</th><td>{lead}</td></tr>
<tr><th>4. HIMT Position</th><td>Incident Commander (incident lead)</td></tr>
<tr><th>Discovered</th><td>{discovered} (UTC): legal clocks run from here</td></tr>
</table>
<table>
<thead><tr><th>Resources assigned (as ICS 214): Name</th><th>HIMT Position</th><th>Since (UTC)</th></tr></thead>
<tbody>
{resources}</tbody>
</table>
<table>
<thead><tr><th>5. Date/Time (UTC)</th><th>Notable Activities</th><th>By</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<table>
<tr><th>6. Prepared by</th><td>Name: {prepared_by}<br>Signature: ______________________<br>Date/Time: {prepared_at} UTC<br>Facility: ______________________</td></tr>
</table>
<p class="anchor">Activity log {log}: {size} entries, head {head}. Check the electronic log against this: <code>caregiver log verify</code>.</p>
</body></html>
"#,
        title = escape(&i.title),
        id = escape(&i.id),
        lead = escape(&i.lead),
        discovered = i.discovered.format("%Y-%m-%d %H:%M"),
        prepared_by = escape(prepared_by),
        prepared_at = now.format("%Y-%m-%d %H:%M"),
        log = escape(&anchor.log),
        size = anchor.size,
        head = escape(&anchor.head),
    )
}

/// The incident's activity as CSV (RFC 4180): one row per log entry.
pub fn csv(p: &Progress, playbook: &Playbook) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Invalid { what: "export", reason: e.to_string() };
    w.write_record(["entry", "time_utc", "incident", "drill", "by", "kind", "step", "activity"])
        .map_err(fail)?;
    for e in &p.events {
        let seq = e.seq.to_string();
        w.write_record([
            seq.as_str(),
            e.time.as_str(),
            p.incident.id.as_str(),
            if p.incident.drill { "yes" } else { "no" },
            e.actor.as_str(),
            e.kind.as_str(),
            e.step.as_deref().unwrap_or_default(),
            activity(playbook, e).as_str(),
        ])
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
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    if !matches!(session.role_now()?, crate::store::Role::Admin | crate::store::Role::Lead) {
        return Err(Error::PermissionDenied {
            action: "export an incident",
            needed: "admins and incident leads",
        });
    }
    let p = crate::incident::progress(session, playbooks, id)?;
    let playbook = crate::incident::playbook(playbooks, &p.incident.playbook)?;
    Ok(match format {
        Format::Html => {
            hics214_html(&p, playbook, session.user_name(), &session.log_anchor()?, now)
                .into_bytes()
        }
        Format::Csv => csv(&p, playbook)?.into_bytes(),
        Format::Json => {
            let mut bundle = Vec::new();
            session.export_log(&mut bundle)?;
            bundle
        }
    })
}
