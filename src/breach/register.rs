//! The breach register: every breach of this workstation's incidents (an incident whose
//! latest assessment says breach, or one recorded by hand), with the fields of HHS's
//! breach report ("Notice to the Secretary of HHS of Breach of Unsecured Protected Health
//! Information", its portal's sections 3 and 4: dates, type, location, kinds of
//! information, safeguards in place, notices, actions taken, a business associate) and the
//! number affected in all and in each state. `docs/breach-register.md` lists each field
//! with the portal's question it answers.
//!
//! An incident's report is one sealed record ([`BreachReport`], kind `breach_report`, under
//! a random record id with the incident's id sealed inside). Each change is written with a
//! `breach_recorded` log entry in the changer's name carrying the counts only (in all and
//! by state, never a name) and the fields changed, so the replay exposes `affected`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Affected, Assessed, Outcome, is_privacy_officer, privacy_officer, require_officer};
use crate::events::{self, Event};
use crate::incident::{self, Incident, Progress};
use crate::playbook::Playbook;
use crate::store::{Kind, Permission, Record, Role, Session, Stored, new_record_id};
use crate::words::Zone;
use crate::{Error, Result};

crate::choices::choices! {
    /// The portal's "Type of Breach".
    BreachType, "type of breach" {
        Hacking = "hacking", "Hacking/IT Incident";
        UnauthorizedAccess = "unauthorized-access", "Unauthorized Access/Disclosure";
        Theft = "theft", "Theft";
        Loss = "loss", "Loss";
        ImproperDisposal = "improper-disposal", "Improper Disposal";
        Other = "other", "Other";
    }
}

crate::choices::choices! {
    /// The portal's "Location of Breached Information".
    Location, "location of the information" {
        Laptop = "laptop", "Laptop";
        Desktop = "desktop", "Desktop Computer";
        NetworkServer = "network-server", "Network Server";
        Email = "email", "E-mail";
        PortableDevice = "portable-device", "Other Portable Electronic Device";
        Emr = "emr", "Electronic Medical Record";
        Paper = "paper", "Paper/Films";
        Other = "other", "Other";
    }
}

crate::choices::choices! {
    /// The portal's "Type of Protected Health Information Involved".
    PhiType, "type of information" {
        Clinical = "clinical", "Clinical";
        Demographic = "demographic", "Demographic";
        Financial = "financial", "Financial";
        Other = "other", "Other";
    }
}

crate::choices::choices! {
    /// The portal's "Safeguards in Place Prior to Breach".
    Safeguard, "safeguards in place" {
        None = "none", "None";
        PrivacyRule = "privacy-rule", "Privacy Rule Safeguards (Training, Policies and Procedures, etc.)";
        Administrative = "administrative", "Security Rule Administrative Safeguards (Risk Analysis, Risk Management, etc.)";
        Physical = "physical", "Security Rule Physical Safeguards (Facility Access Controls, Workstation Security, etc.)";
        Technical = "technical", "Security Rule Technical Safeguards (Access Controls, Transmission Security, etc.)";
    }
}

crate::choices::choices! {
    /// The portal's "Actions Taken in Response to Breach".
    ResponseAction, "action taken" {
        Encryption = "encryption", "Adopted encryption technologies";
        Passwords = "passwords", "Changed password/strengthened password requirements";
        RiskManagementPlan = "risk-management-plan", "Created a new/updated Security Rule Risk Management Plan";
        TechnicalSafeguards = "technical-safeguards", "Implemented new technical safeguards";
        Evaluations = "evaluations", "Implemented periodic technical and nontechnical evaluations";
        PhysicalSecurity = "physical-security", "Improved physical security";
        RiskAnalysis = "risk-analysis", "Performed a new/updated Security Rule Risk Analysis";
        BaTraining = "ba-training", "Provided business associate with additional training on HIPAA requirements";
        CreditMonitoring = "credit-monitoring", "Provided individuals with free credit monitoring";
        BaContracts = "ba-contracts", "Revised business associate contracts";
        Policies = "policies", "Revised policies and procedures";
        Sanctions = "sanctions", "Sanctioned workforce members involved (including termination)";
        Mitigation = "mitigation", "Took steps to mitigate harm";
        Training = "training", "Trained or retrained workforce members";
        Other = "other", "Other";
    }
}

/// An incident's breach report, as HHS's portal asks it. Every field may be empty until
/// known; the discovery date is the incident's (corrected in its log, not here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BreachReport {
    /// The incident it belongs to.
    pub incident: String,
    pub breach_start: Option<NaiveDate>,
    pub breach_end: Option<NaiveDate>,
    pub discovery_end: Option<NaiveDate>,
    pub types: Vec<BreachType>,
    pub type_other: Option<String>,
    pub locations: Vec<Location>,
    pub location_other: Option<String>,
    pub phi: Vec<PhiType>,
    pub phi_other: Option<String>,
    pub description: Option<String>,
    pub safeguards: Vec<Safeguard>,
    pub notice_start: Option<NaiveDate>,
    pub notice_end: Option<NaiveDate>,
    pub substitute_notice: Option<bool>,
    pub media_notice: Option<bool>,
    pub media_notice_date: Option<NaiveDate>,
    pub hhs_reported: Option<NaiveDate>,
    pub actions: Vec<ResponseAction>,
    pub actions_other: Option<String>,
    pub business_associate: Option<String>,
    pub affected: Option<Affected>,
}

impl Record for BreachReport {
    const KIND: Kind = Kind::BreachReport;
}

/// A change to a report, as typed (the window's fields, the CLI's flags): each field given
/// replaces the one held; an empty text or list clears it; a field not given is kept.
/// Dates are `YYYY-MM-DD`; yes/no fields `yes` or `no`; options by their keys; the states
/// as `CA=510`. The core reads and checks every one, naming the field at fault.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BreachChange {
    pub breach_start: Option<String>,
    pub breach_end: Option<String>,
    pub discovery_end: Option<String>,
    pub types: Option<Vec<String>>,
    pub type_other: Option<String>,
    pub locations: Option<Vec<String>>,
    pub location_other: Option<String>,
    pub phi: Option<Vec<String>>,
    pub phi_other: Option<String>,
    pub description: Option<String>,
    pub safeguards: Option<Vec<String>>,
    pub notice_start: Option<String>,
    pub notice_end: Option<String>,
    pub substitute_notice: Option<String>,
    pub media_notice: Option<String>,
    pub media_notice_date: Option<String>,
    pub hhs_reported: Option<String>,
    pub actions: Option<Vec<String>>,
    pub actions_other: Option<String>,
    pub business_associate: Option<String>,
    /// The number affected in all (empty: not known; clears the states too).
    pub affected: Option<String>,
    /// The number affected in each state, `CA=510` each.
    pub by_state: Option<Vec<String>>,
}

/// A date as typed: `None` when empty; `what` names the field.
fn date(text: &str, what: &'static str) -> Result<Option<NaiveDate>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Error::Invalid { what, reason: "write a date like 2026-11-28".into() })
}

/// A text as typed: trimmed, `None` when empty, at most `max` characters.
fn words(text: &str, what: &'static str, max: usize) -> Result<Option<String>> {
    let t = text.trim();
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::Invalid {
            what,
            reason: format!(
                "write at most {} characters, no control characters",
                crate::words::count(max)
            ),
        });
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

fn yes_no(text: &str, what: &'static str) -> Result<Option<bool>> {
    match text.trim() {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err(Error::Invalid { what, reason: "say yes or no".into() }),
    }
}

fn keys<T: Ord>(list: &[String], of: fn(&str) -> Result<T>) -> Result<Vec<T>> {
    let mut out =
        list.iter().filter(|k| !k.trim().is_empty()).map(|k| of(k)).collect::<Result<Vec<T>>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Applies `change` to `report`, checks the report as a whole, and returns the names of
/// the fields it changed. `discovered` is the incident's discovery date and `today` the
/// workstation's, both in its zone: no date of something done may be after today.
pub fn apply(
    report: &mut BreachReport,
    change: &BreachChange,
    discovered: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<&'static str>> {
    let before = report.clone();
    let c = change;
    let r = report;
    macro_rules! set {
        ($field:ident, $read:expr) => {
            if let Some(v) = &c.$field {
                r.$field = $read(v)?;
            }
        };
    }
    set!(breach_start, |v| date(v, "breach start date"));
    set!(breach_end, |v| date(v, "breach end date"));
    set!(discovery_end, |v| date(v, "discovery end date"));
    set!(types, |v: &Vec<String>| keys(v, BreachType::of));
    set!(type_other, |v| words(v, "type of breach, other", 200));
    set!(locations, |v: &Vec<String>| keys(v, Location::of));
    set!(location_other, |v| words(v, "location, other", 200));
    set!(phi, |v: &Vec<String>| keys(v, PhiType::of));
    set!(phi_other, |v| words(v, "type of information, other", 200));
    set!(description, |v| words(v, "description", 2_000));
    set!(safeguards, |v: &Vec<String>| keys(v, Safeguard::of));
    set!(notice_start, |v| date(v, "individual notice start date"));
    set!(notice_end, |v| date(v, "individual notice end date"));
    set!(substitute_notice, |v| yes_no(v, "substitute notice"));
    set!(media_notice, |v| yes_no(v, "media notice"));
    set!(media_notice_date, |v| date(v, "media notice date"));
    set!(hhs_reported, |v| date(v, "HHS report date"));
    set!(actions, |v: &Vec<String>| keys(v, ResponseAction::of));
    set!(actions_other, |v| words(v, "actions taken, other", 2_000));
    set!(business_associate, |v| words(v, "business associate", 200));
    if c.affected.is_some() || c.by_state.is_some() {
        let total = match &c.affected {
            Some(t) if t.trim().is_empty() => None,
            Some(t) => {
                Some(t.trim().replace(',', "").parse::<u64>().map_err(|_| Error::Invalid {
                    what: "number affected",
                    reason: "write a whole number, like 640".into(),
                })?)
            }
            None => r.affected.as_ref().map(|a| a.total),
        };
        let states = match &c.by_state {
            Some(list) => list
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| Affected::parse_state(s))
                .collect::<Result<Vec<_>>>()?,
            None => r
                .affected
                .as_ref()
                .map(|a| a.by_state.clone().into_iter().collect())
                .unwrap_or_default(),
        };
        r.affected = match total {
            Some(total) => Some(Affected::checked(total, states)?),
            None if states.is_empty() || c.affected.is_some() => None,
            None => {
                // Each state read first, so a bad code is named as such.
                let sum = states.iter().map(|(_, n)| *n).fold(0u64, u64::saturating_add);
                Affected::checked(sum.min(100_000_000), states)?;
                return Err(Error::Invalid {
                    what: "state",
                    reason: "give the number affected in all first".into(),
                });
            }
        };
    }
    check(r, discovered, today)?;
    Ok(changed(&before, r))
}

/// The rules across fields: ends not before starts, nothing done after today, an "other"
/// described, "none" alone among the safeguards.
fn check(r: &BreachReport, discovered: NaiveDate, today: NaiveDate) -> Result<()> {
    let invalid = |what, reason: &str| Err(Error::Invalid { what, reason: reason.to_owned() });
    let done = [
        (r.breach_start, "breach start date"),
        (r.breach_end, "breach end date"),
        (r.discovery_end, "discovery end date"),
        (r.notice_start, "individual notice start date"),
        (r.media_notice_date, "media notice date"),
        (r.hhs_reported, "HHS report date"),
    ];
    for (day, what) in done {
        if day.is_some_and(|d| d > today) {
            return invalid(what, "is after today");
        }
    }
    if let (Some(a), Some(b)) = (r.breach_start, r.breach_end)
        && b < a
    {
        return invalid("breach end date", "is before the breach start date");
    }
    if r.breach_start.is_some_and(|d| d > discovered) {
        return invalid("breach start date", "is after the discovery date");
    }
    if r.discovery_end.is_some_and(|d| d < discovered) {
        return invalid("discovery end date", "is before the discovery date");
    }
    if let (Some(a), Some(b)) = (r.notice_start, r.notice_end)
        && b < a
    {
        return invalid("individual notice end date", "is before its start date");
    }
    let others = [
        (r.types.contains(&BreachType::Other), &r.type_other, "type of breach, other"),
        (r.locations.contains(&Location::Other), &r.location_other, "location, other"),
        (r.phi.contains(&PhiType::Other), &r.phi_other, "type of information, other"),
        (r.actions.contains(&ResponseAction::Other), &r.actions_other, "actions taken, other"),
    ];
    for (chosen, text, what) in others {
        if chosen && text.is_none() {
            return invalid(what, "\u{201c}other\u{201d} is chosen: describe it");
        }
    }
    if r.safeguards.contains(&Safeguard::None) && r.safeguards.len() > 1 {
        return invalid("safeguards in place", "\u{201c}none\u{201d} goes alone");
    }
    Ok(())
}

/// The names of the fields that differ, as the CSV's columns name them.
fn changed(a: &BreachReport, b: &BreachReport) -> Vec<&'static str> {
    let pairs = [
        (a.breach_start != b.breach_start, "breach_start"),
        (a.breach_end != b.breach_end, "breach_end"),
        (a.discovery_end != b.discovery_end, "discovery_end"),
        (a.types != b.types || a.type_other != b.type_other, "breach_type"),
        (a.locations != b.locations || a.location_other != b.location_other, "location"),
        (a.phi != b.phi || a.phi_other != b.phi_other, "phi_types"),
        (a.description != b.description, "description"),
        (a.safeguards != b.safeguards, "safeguards"),
        (a.notice_start != b.notice_start || a.notice_end != b.notice_end, "individual_notice"),
        (a.substitute_notice != b.substitute_notice, "substitute_notice"),
        (
            a.media_notice != b.media_notice || a.media_notice_date != b.media_notice_date,
            "media_notice",
        ),
        (a.hhs_reported != b.hhs_reported, "hhs_reported"),
        (a.actions != b.actions || a.actions_other != b.actions_other, "actions"),
        (a.business_associate != b.business_associate, "business_associate"),
        (a.affected != b.affected, "individuals_affected"),
    ];
    pairs.into_iter().filter(|(differs, _)| *differs).map(|(_, name)| name).collect()
}

/// A `breach_recorded` entry in words: the fields changed and the counts.
pub fn recorded_words(affected: Option<&Affected>, fields: &[String]) -> String {
    let counts =
        affected.map_or_else(|| "number affected not recorded".to_owned(), Affected::words);
    let fields = if fields.is_empty() { "entered".to_owned() } else { fields.join(", ") };
    format!("{fields}; {counts}")
}

/// Where a breach is reported to HHS, by its count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    /// 500 or more: at the same time as the individuals (164.408(b)).
    Now,
    /// Fewer than 500: in the yearly report (164.408(c)).
    Yearly,
    /// The number affected is not recorded yet.
    Unknown,
}

/// One breach of the register, as the list, the screen and the CSV show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreachEntry {
    /// The incident, with the discovery time in force.
    pub incident: Incident,
    pub closed: bool,
    /// The discovery date in the workstation's zone (the portal's discovery start date).
    pub discovered: NaiveDate,
    /// The latest breach risk assessment, if any.
    pub assessment: Option<Assessed>,
    /// Whether a report was recorded (else `report` is empty: a breach by its assessment
    /// whose report is still to be completed).
    pub recorded: bool,
    pub report: BreachReport,
    pub reporting: Reporting,
    pub privacy_officer: Option<String>,
    /// The signed-in person may change it (its privacy officer, or by permission).
    pub may_edit: bool,
}

/// The register's options, for the window's form: (key, label) of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Options {
    pub types: Vec<(&'static str, &'static str)>,
    pub locations: Vec<(&'static str, &'static str)>,
    pub phi: Vec<(&'static str, &'static str)>,
    pub safeguards: Vec<(&'static str, &'static str)>,
    pub actions: Vec<(&'static str, &'static str)>,
    pub states: &'static [&'static str],
}

pub fn options() -> Options {
    Options {
        types: BreachType::options(),
        locations: Location::options(),
        phi: PhiType::options(),
        safeguards: Safeguard::options(),
        actions: ResponseAction::options(),
        states: super::STATES,
    }
}

fn entry(
    p: Progress,
    report: Option<BreachReport>,
    zone: &Zone,
    user: &str,
    role: Role,
) -> BreachEntry {
    let recorded = report.is_some();
    let report = report
        .unwrap_or_else(|| BreachReport { incident: p.incident.id.clone(), ..Default::default() });
    let reporting = match &report.affected {
        Some(a) if a.hhs_now() => Reporting::Now,
        Some(_) => Reporting::Yearly,
        None => Reporting::Unknown,
    };
    BreachEntry {
        discovered: p.incident.discovered.with_timezone(&zone.tz()).date_naive(),
        closed: p.closed,
        may_edit: is_privacy_officer(&p, user) || role.may(Permission::KeepBreachRegister),
        privacy_officer: privacy_officer(&p).map(str::to_owned),
        assessment: p.assessment.clone(),
        incident: p.incident,
        recorded,
        report,
        reporting,
    }
}

/// Whether an incident is in the register: its latest assessment says breach, or a report
/// was recorded for it.
fn in_register(p: &Progress, report: Option<&BreachReport>) -> bool {
    report.is_some()
        || p.assessment.as_ref().is_some_and(|a| a.assessment.outcome == Outcome::Breach)
}

fn reports(session: &Session) -> Result<Vec<Stored<BreachReport>>> {
    session.list::<BreachReport>()
}

/// The register, newest discovery first: every breach for a role holding
/// [`Permission::HandleRecords`]; for anyone else, the breaches of the incidents where they
/// hold the privacy-officer position.
pub fn list(
    session: &Session,
    playbooks: &[Playbook],
    entries: Vec<events::Entry>,
) -> Result<Vec<BreachEntry>> {
    let role = session.role_now()?;
    let user = session.user_name();
    let all = role.may(Permission::HandleRecords);
    let mut held = reports(session)?;
    let zone = session.zone();
    let mut out = Vec::new();
    for p in incident::all_progress(session, playbooks, entries)? {
        let at = held.iter().position(|r| r.value.incident == p.incident.id);
        let report = at.map(|i| held.swap_remove(i).value);
        if in_register(&p, report.as_ref()) && (all || is_privacy_officer(&p, user)) {
            out.push(entry(p, report, &zone, user, role));
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.incident.discovered));
    Ok(out)
}

/// One incident's breach: its privacy officer, or a role holding
/// [`Permission::HandleRecords`]. Refused when the incident is not in the register.
pub fn show(session: &Session, playbooks: &[Playbook], id: &str) -> Result<BreachEntry> {
    let p = incident::progress(session, playbooks, id)?;
    let role = session.role_now()?;
    require_officer(
        &p,
        session.user_name(),
        role,
        Some(Permission::HandleRecords),
        "read the breach register",
    )?;
    let report = reports(session)?.into_iter().find(|r| r.value.incident == id).map(|r| r.value);
    if !in_register(&p, report.as_ref()) {
        return Err(Error::Invalid {
            what: "breach",
            reason: format!(
                "incident `{id}` is not in the breach register: its assessment does not say breach and no report was recorded"
            ),
        });
    }
    Ok(entry(p, report, &session.zone(), session.user_name(), role))
}

/// Records an incident's breach report, or changes it: its privacy officer, or a role
/// holding [`Permission::KeepBreachRegister`]. The record and a `breach_recorded` entry
/// (the counts and the fields changed) in one write. An incident recorded by hand joins
/// the register whatever its assessment says.
pub fn record(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    change: &BreachChange,
) -> Result<BreachEntry> {
    let p = incident::progress(session, playbooks, id)?;
    let (user, action) = (session.user_name(), "change the breach register");
    let may = |role| require_officer(&p, user, role, Some(Permission::KeepBreachRegister), action);
    // Before anything is read or compared: a refusal tells nothing about what is held.
    may(session.role_now()?)?;
    let zone = session.zone();
    let held = reports(session)?.into_iter().find(|r| r.value.incident == id);
    let is_new = held.is_none();
    let (record_id, mut report) = match held {
        Some(Stored { id: record, value, .. }) => (record, value),
        None => (new_record_id()?, BreachReport { incident: id.to_owned(), ..Default::default() }),
    };
    let discovered = p.incident.discovered.with_timezone(&zone.tz()).date_naive();
    let today = session.now().with_timezone(&zone.tz()).date_naive();
    let fields = apply(&mut report, change, discovered, today)?;
    if fields.is_empty() && !is_new {
        return Err(Error::Invalid {
            what: "breach report",
            reason: "nothing changed: give a field to change".into(),
        });
    }
    let event = Event::BreachRecorded {
        affected: report.affected.clone(),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    };
    session.write(|w| {
        may(w.role())?;
        w.put(&record_id, &report)?;
        w.append(Some(id), &event)
    })?;
    show(session, playbooks, id)
}
