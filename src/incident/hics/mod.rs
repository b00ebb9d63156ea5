//! The HICS 2014 forms an incident's log fills in (`docs/hics-forms.md` lists each one's
//! fields and the source they follow): 201 Incident Briefing, 202 Incident Objectives, 203
//! Organization Assignment List, 204 Assignment List, 205A Communications List (from the
//! contact tree), 207 Incident Organization Chart (`chart.rs`, SVG), 213 General Message,
//! 214 Activity Log per position, 215A Incident Action Plan Safety Analysis and 251 Facility
//! System Status Report (`plan.rs`, from what people wrote: `entered.rs`), each for one
//! operational period, and the incident action plan packet (the 202, 203, 204, 205A, 215A
//! and 207 in one print), as printable HTML (through `html::page`, the log's anchor at the foot) and
//! as CSV (every cell guarded against formulas). Times read in the workstation's zone,
//! with its name.

mod chart;
pub mod entered;
mod pages;
mod plan;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Progress;
use super::periods::Period;
use crate::contacts::Contact;
use crate::csv_safe::write_row;
use crate::log::Anchor;
use crate::playbook::Playbook;
use crate::words::Zone;
use crate::{Error, Result};

pub use entered::{BriefingPart, SystemStatus};

/// A general message's priority, as the HICS 213 offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    Urgent,
    Medium,
    #[default]
    Low,
}

impl Priority {
    /// In the form's words.
    pub fn words(self) -> &'static str {
        match self {
            Priority::Urgent => "Urgent - High",
            Priority::Medium => "Non urgent - Medium",
            Priority::Low => "Informational - Low",
        }
    }
}

impl std::str::FromStr for Priority {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "urgent" | "high" => Ok(Priority::Urgent),
            "medium" => Ok(Priority::Medium),
            "low" | "" => Ok(Priority::Low),
            _ => Err(Error::Invalid {
                what: "priority",
                reason: "must be urgent, medium or low".into(),
            }),
        }
    }
}

/// The forms the app fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Form {
    /// Incident Briefing.
    F201,
    /// Incident Objectives.
    F202,
    /// Organization Assignment List.
    F203,
    /// Assignment List, per branch.
    F204,
    /// Communications List.
    F205A,
    /// Incident Organization Chart.
    F207,
    /// General Message.
    F213,
    /// Activity Log, per position.
    F214,
    /// Incident Action Plan Safety Analysis.
    F215A,
    /// Facility System Status Report.
    F251,
    /// The incident action plan packet: 202, 203, 204, 205A, 215A and 207.
    Iap,
}

impl Form {
    pub const ALL: [Form; 11] = [
        Form::F201,
        Form::F202,
        Form::F203,
        Form::F204,
        Form::F205A,
        Form::F207,
        Form::F213,
        Form::F214,
        Form::F215A,
        Form::F251,
        Form::Iap,
    ];

    /// Its number, as typed and printed ("202", "205A"; "IAP" for the packet).
    pub fn number(self) -> &'static str {
        match self {
            Form::F201 => "201",
            Form::F202 => "202",
            Form::F203 => "203",
            Form::F204 => "204",
            Form::F205A => "205A",
            Form::F207 => "207",
            Form::F213 => "213",
            Form::F214 => "214",
            Form::F215A => "215A",
            Form::F251 => "251",
            Form::Iap => "IAP",
        }
    }

    /// How its heading names it: "HICS 202"; the packet is no HICS form of its own.
    pub fn code(self) -> String {
        match self {
            Form::Iap => "IAP".to_owned(),
            f => format!("HICS {}", f.number()),
        }
    }

    /// Its name, as the form's heading prints it.
    pub fn title(self) -> &'static str {
        match self {
            Form::F201 => "Incident Briefing",
            Form::F202 => "Incident Objectives",
            Form::F203 => "Organization Assignment List",
            Form::F204 => "Assignment List",
            Form::F205A => "Communications List",
            Form::F207 => "Incident Organization Chart",
            Form::F213 => "General Message",
            Form::F214 => "Activity Log",
            Form::F215A => "Incident Action Plan Safety Analysis",
            Form::F251 => "Facility System Status Report",
            Form::Iap => "Incident Action Plan",
        }
    }
}

impl std::str::FromStr for Form {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let typed = s.trim().to_ascii_uppercase();
        let number = typed.trim_start_matches("HICS").trim();
        Form::ALL.into_iter().find(|f| f.number() == number).ok_or_else(|| Error::Invalid {
            what: "form",
            reason: format!(
                "`{s}` is not a form the app fills in; say one of {}",
                Form::ALL.map(Form::number).join(", ")
            ),
        })
    }
}

/// The HICS section a position belongs to, as the 203 groups them and the 207 draws them.
pub fn section(position: &str) -> &'static str {
    match position {
        "incident-commander"
        | "public-information-officer"
        | "safety-officer"
        | "liaison-officer"
        | "medical-technical-specialist"
        | "privacy-officer"
        | "legal-counsel" => COMMAND,
        "operations-chief" | "clinical-lead" | "unit-staff" => "Operations Section",
        "planning-chief" => "Planning Section",
        "logistics-chief" | "it-lead" => "Logistics Section",
        "finance-chief" => "Finance/Administration Section",
        _ => OTHER,
    }
}

/// The 203's first block.
pub const COMMAND: &str = "Incident Commander and Command Staff";
/// The positions a playbook declares beyond the standard ones.
pub const OTHER: &str = "Other positions";
/// The 203's blocks in order.
pub const SECTIONS: [&str; 6] = [
    COMMAND,
    "Operations Section",
    "Planning Section",
    "Logistics Section",
    "Finance/Administration Section",
    OTHER,
];

/// What a form is filled from: the incident replayed, one operational period, and who
/// prints it when.
#[derive(Debug)]
pub struct Sheet<'a> {
    pub progress: &'a Progress,
    pub playbook: &'a Playbook,
    pub period: &'a Period,
    pub prepared_by: &'a str,
    pub now: DateTime<Utc>,
    pub zone: &'a Zone,
    pub anchor: &'a Anchor,
    /// The contact tree (the 205A's list).
    pub contacts: &'a [Contact],
    /// The asset register's systems, id and name (the 251's list; empty without one).
    pub systems: &'a [(String, String)],
}

impl Sheet<'_> {
    /// The period in words: its number, from and to, and the zone.
    pub fn period_words(&self) -> String {
        let p = self.period;
        let planned = if p.to.is_none() { " (planned)" } else { "" };
        format!(
            "Period {}: from {} to {}{planned} (24-hour, {})",
            p.number,
            self.zone.minute(p.from),
            self.zone.minute(p.until()),
            self.zone.name()
        )
    }

    /// The 214's rows for a position: the entries of the period made by whoever held it
    /// when they made them.
    pub fn position_rows(&self, position: &str) -> Vec<&super::Activity> {
        let p = self.progress;
        p.events
            .iter()
            .filter(|e| e.period == self.period.number)
            .filter(|e| p.positions_at(&e.actor, e.time).iter().any(|a| a.position == position))
            .collect()
    }
}

/// A form as printable HTML. `position` is the 214's (Incident Commander by default).
pub fn html(form: Form, sheet: &Sheet<'_>, position: Option<&str>) -> Result<String> {
    let body = match form {
        Form::F201 => plan::f201(sheet),
        Form::F204 => plan::f204(sheet),
        Form::F215A => plan::f215a(sheet),
        Form::F251 => plan::f251(sheet),
        Form::F202 => pages::f202(sheet),
        Form::F203 => pages::f203(sheet),
        Form::F205A => pages::f205a(sheet),
        Form::F207 => pages::f207(sheet),
        Form::F213 => pages::f213(sheet),
        Form::F214 => pages::f214(sheet, position_of(sheet, position)?),
        Form::Iap => pages::iap(sheet),
    };
    Ok(pages::page(form, sheet, body))
}

fn position_of<'a>(sheet: &Sheet<'_>, position: Option<&'a str>) -> Result<&'a str> {
    let position = position.unwrap_or("incident-commander");
    super::known_position(sheet.playbook, position)?;
    Ok(position)
}

/// A form as CSV: one row per objective, position, message or activity, with the period.
pub fn csv(form: Form, sheet: &Sheet<'_>, position: Option<&str>) -> Result<Vec<u8>> {
    let (p, zone, n) = (sheet.progress, sheet.zone, sheet.period.number.to_string());
    let (head, rows): (&[&str], Vec<Vec<String>>) = match form {
        Form::F201 | Form::F204 | Form::F215A | Form::F251 => plan::csv_rows(form, sheet),
        Form::F202 => (
            &["period", "number", "objective", "status", "set_by", "set_local"],
            p.objectives_in(sheet.period)
                .into_iter()
                .map(|o| {
                    let status = if o.closed.is_some() { "closed" } else { "open" };
                    vec![
                        n.clone(),
                        o.number.to_string(),
                        o.text.clone(),
                        status.into(),
                        o.by.clone(),
                        zone.minute(o.set),
                    ]
                })
                .collect(),
        ),
        Form::F203 => (
            &["period", "section", "position", "name", "since_local"],
            p.organisation_in(sheet.period, sheet.now)
                .into_iter()
                .map(|a| {
                    let section = section(&a.position).to_owned();
                    vec![n.clone(), section, a.name.clone(), a.person.clone(), zone.minute(a.since)]
                })
                .collect(),
        ),
        Form::F205A => (
            &CONTACT_COLUMNS,
            sheet.contacts.iter().map(|c| contact_row(c).map(str::to_owned).to_vec()).collect(),
        ),
        Form::F207 | Form::Iap => {
            return Err(Error::Invalid {
                what: "format",
                reason: format!("the {} is printed: ask for html", form.code()),
            });
        }
        Form::F213 => (
            &["period", "entry", "time_local", "from", "to", "priority", "subject", "message"],
            pages::messages(sheet)
                .into_iter()
                .map(|m| {
                    vec![
                        n.clone(),
                        m.seq.to_string(),
                        zone.minute(m.time),
                        m.from,
                        m.to,
                        m.priority.words().into(),
                        m.subject,
                        m.text,
                    ]
                })
                .collect(),
        ),
        Form::F214 => {
            let position = position_of(sheet, position)?;
            let name = sheet.playbook.role_name(position).to_owned();
            (
                &["period", "position", "entry", "time_utc", "time_local", "by", "activity"],
                sheet
                    .position_rows(position)
                    .into_iter()
                    .map(|e| {
                        vec![
                            n.clone(),
                            name.clone(),
                            e.seq.to_string(),
                            e.time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                            zone.minute(e.time),
                            e.actor.clone(),
                            super::export::activity(sheet.playbook, e, zone),
                        ]
                    })
                    .collect(),
            )
        }
    };
    let fail = |e: ::csv::Error| Error::Invalid { what: "form", reason: e.to_string() };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    write_row(&mut w, head.iter().copied()).map_err(fail)?;
    for row in &rows {
        write_row(&mut w, row.iter().map(String::as_str)).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::Invalid { what: "form", reason: e.to_string() })
}

/// The 205A CSV's columns: the contact tree's own names for them, so it reads back.
pub const CONTACT_COLUMNS: [&str; 10] = [
    "id",
    "name",
    "position",
    "role",
    "work_phone",
    "mobile_phone",
    "pager",
    "radio_channel",
    "secure_messaging",
    "email",
];

fn contact_row(c: &Contact) -> [&str; 10] {
    fn o(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or_default()
    }
    [
        &c.id,
        &c.name,
        o(&c.position),
        o(&c.role),
        o(&c.work_phone),
        o(&c.mobile_phone),
        o(&c.pager),
        o(&c.radio_channel),
        o(&c.secure_messaging),
        o(&c.email),
    ]
}

/// How to reach a contact, in words: each method it has, named.
pub(crate) fn contact_methods(c: &Contact) -> String {
    let methods = [
        ("work", &c.work_phone),
        ("mobile", &c.mobile_phone),
        ("pager", &c.pager),
        ("radio", &c.radio_channel),
        ("secure messaging", &c.secure_messaging),
        ("e-mail", &c.email),
    ];
    methods
        .iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| format!("{name} {v}")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Which form, for which period and position, in which format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub form: Form,
    /// HTML or CSV.
    pub format: super::export::Format,
    /// The operational period (`None`: the current one).
    pub period: Option<u32>,
    /// The 214's position (`None`: Incident Commander).
    pub position: Option<String>,
}

/// The bytes of one form of an incident (incident leads and admins, as its exports): the
/// same for the CLI and the window.
pub fn form_file(
    session: &crate::store::Session,
    playbooks: &[Playbook],
    id: &str,
    request: &Request,
    (now, zone): (DateTime<Utc>, &Zone),
) -> Result<Vec<u8>> {
    session.require(crate::store::Permission::HandleRecords, "print an incident's forms")?;
    let progress = super::progress(session, playbooks, id)?;
    let playbook = super::playbook(playbooks, &progress.incident.playbook)?;
    let anchor = session.log_anchor()?;
    let contacts = session.contacts()?;
    let systems: Vec<(String, String)> = session
        .assets()?
        .into_iter()
        .filter(|a| a.kind == crate::assets::AssetKind::System)
        .map(|a| (a.id, a.name))
        .collect();
    let sheet = Sheet {
        contacts: &contacts,
        systems: &systems,
        progress: &progress,
        playbook,
        period: progress.period(request.period)?,
        prepared_by: session.user_name(),
        now,
        zone,
        anchor: &anchor,
    };
    let position = request.position.as_deref();
    match request.format {
        super::export::Format::Html => Ok(html(request.form, &sheet, position)?.into_bytes()),
        super::export::Format::Csv => csv(request.form, &sheet, position),
        super::export::Format::Json => {
            Err(Error::Invalid { what: "format", reason: "a form is html or csv".into() })
        }
    }
}
