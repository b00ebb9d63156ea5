//! `caregiver breach ...`: the privacy officer's breach risk assessment, and the breach
//! register (list, show, record, export as CSV).

use std::path::PathBuf;

use caregiver::app::breaches::Selection;
use caregiver::breach::assessment::{Check, Factor, Rating};
use caregiver::breach::register::{BreachEntry, Reporting};
use caregiver::breach::{AssessmentForm, BreachChange};
use caregiver::words::Zone;
use clap::{Args, Subcommand, ValueEnum};

use super::incidents::{clocks, summary};
use super::{Auth, Result, print_json, say, warn, write_file};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

/// A factor's rating: does it point to a low probability that the information was
/// compromised?
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RatingArg {
    Low,
    NotLow,
}

impl From<RatingArg> for Rating {
    fn from(r: RatingArg) -> Rating {
        match r {
            RatingArg::Low => Rating::Low,
            RatingArg::NotLow => Rating::NotLow,
        }
    }
}

/// The breach risk assessment's answers (45 CFR 164.402), as flags.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Was the information secured (encrypted to HHS guidance, the key not breached, or
    /// destroyed)?
    #[arg(long, value_enum)]
    secured: YesNo,
    #[arg(long, value_name = "TEXT")]
    secured_reason: String,
    /// Exception (i): unintentional acquisition, access or use by a workforce member or
    /// person acting under the hospital's authority, in good faith, within the scope of
    /// authority, with no further impermissible use or disclosure.
    #[arg(long, value_enum)]
    good_faith: YesNo,
    #[arg(long, value_name = "TEXT")]
    good_faith_reason: String,
    /// Exception (ii): inadvertent disclosure by a person authorized to access PHI here to
    /// another person authorized at the same covered entity, business associate or OHCA,
    /// with no further impermissible use or disclosure.
    #[arg(long, value_enum)]
    inadvertent: YesNo,
    #[arg(long, value_name = "TEXT")]
    inadvertent_reason: String,
    /// Exception (iii): a good-faith belief that the unauthorized recipient would not
    /// reasonably have been able to retain the information.
    #[arg(long, value_enum)]
    not_retained: YesNo,
    #[arg(long, value_name = "TEXT")]
    not_retained_reason: String,
    /// Factor 1: the nature and extent of the PHI, the types of identifiers and the
    /// likelihood of re-identification (the finding in words).
    #[arg(long, value_name = "TEXT", requires = "nature_rating")]
    nature: Option<String>,
    #[arg(long, value_enum, requires = "nature")]
    nature_rating: Option<RatingArg>,
    /// Factor 2: the unauthorized person who used the PHI or to whom it was disclosed.
    #[arg(long, value_name = "TEXT", requires = "recipient_rating")]
    recipient: Option<String>,
    #[arg(long, value_enum, requires = "recipient")]
    recipient_rating: Option<RatingArg>,
    /// Factor 3: whether the PHI was actually acquired or viewed.
    #[arg(long, value_name = "TEXT", requires = "acquired_rating")]
    acquired: Option<String>,
    #[arg(long, value_enum, requires = "acquired")]
    acquired_rating: Option<RatingArg>,
    /// Factor 4: the extent to which the risk to the PHI has been mitigated.
    #[arg(long, value_name = "TEXT", requires = "mitigated_rating")]
    mitigated: Option<String>,
    #[arg(long, value_enum, requires = "mitigated")]
    mitigated_rating: Option<RatingArg>,
    /// Your conclusion and its reasons.
    #[arg(long, value_name = "TEXT")]
    conclusion: String,
}

impl AssessArgs {
    fn form(self) -> AssessmentForm {
        let check = |yes: YesNo, reason: String| Check { applies: yes == YesNo::Yes, reason };
        let factor = |finding: Option<String>, rating: Option<RatingArg>| {
            finding.zip(rating).map(|(finding, rating)| Factor { finding, rating: rating.into() })
        };
        AssessmentForm {
            secured: check(self.secured, self.secured_reason),
            good_faith: check(self.good_faith, self.good_faith_reason),
            inadvertent: check(self.inadvertent, self.inadvertent_reason),
            not_retained: check(self.not_retained, self.not_retained_reason),
            nature: factor(self.nature, self.nature_rating),
            recipient: factor(self.recipient, self.recipient_rating),
            acquired: factor(self.acquired, self.acquired_rating),
            mitigated: factor(self.mitigated, self.mitigated_rating),
            conclusion: self.conclusion,
        }
    }
}

/// A breach report's fields (HHS's breach portal), each replacing the one held; an empty
/// value clears it. Dates are YYYY-MM-DD.
#[derive(Debug, Args)]
pub struct RecordArgs {
    #[arg(long, value_name = "DATE")]
    breach_start: Option<String>,
    #[arg(long, value_name = "DATE")]
    breach_end: Option<String>,
    #[arg(long, value_name = "DATE")]
    discovery_end: Option<String>,
    /// Type of breach (repeat for several): hacking, unauthorized-access, theft, loss,
    /// improper-disposal, other.
    #[arg(long = "type", value_name = "TYPE")]
    types: Option<Vec<String>>,
    #[arg(long, value_name = "TEXT")]
    type_other: Option<String>,
    /// Location of the information (repeat for several): laptop, desktop, network-server,
    /// email, portable-device, emr, paper, other.
    #[arg(long = "location", value_name = "LOCATION")]
    locations: Option<Vec<String>>,
    #[arg(long, value_name = "TEXT")]
    location_other: Option<String>,
    /// Type of information (repeat): clinical, demographic, financial, other.
    #[arg(long, value_name = "TYPE")]
    phi: Option<Vec<String>>,
    #[arg(long, value_name = "TEXT")]
    phi_other: Option<String>,
    /// A brief description of the breach (no patient names).
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// Safeguards in place before the breach (repeat): none, privacy-rule, administrative,
    /// physical, technical.
    #[arg(long = "safeguard", value_name = "SAFEGUARD")]
    safeguards: Option<Vec<String>>,
    /// When the notices to individuals began, and end (expected).
    #[arg(long, value_name = "DATE")]
    notice_start: Option<String>,
    #[arg(long, value_name = "DATE")]
    notice_end: Option<String>,
    #[arg(long, value_name = "yes|no")]
    substitute_notice: Option<String>,
    #[arg(long, value_name = "yes|no")]
    media_notice: Option<String>,
    #[arg(long, value_name = "DATE")]
    media_notice_date: Option<String>,
    /// When the breach was reported to HHS.
    #[arg(long, value_name = "DATE")]
    hhs_reported: Option<String>,
    /// Actions taken in response (repeat): encryption, passwords, risk-management-plan,
    /// technical-safeguards, evaluations, physical-security, risk-analysis, ba-training,
    /// credit-monitoring, ba-contracts, policies, sanctions, mitigation, training, other.
    #[arg(long = "action", value_name = "ACTION")]
    actions: Option<Vec<String>>,
    #[arg(long, value_name = "TEXT")]
    actions_other: Option<String>,
    /// The business associate involved, by name.
    #[arg(long, value_name = "NAME")]
    business_associate: Option<String>,
    /// The number of people affected in all.
    #[arg(long, value_name = "N")]
    affected: Option<String>,
    /// The number affected who live in a state: CA=510 (repeat; replaces the states held).
    #[arg(long = "state", value_name = "XX=N")]
    by_state: Option<Vec<String>>,
}

impl RecordArgs {
    fn change(self) -> BreachChange {
        BreachChange {
            breach_start: self.breach_start,
            breach_end: self.breach_end,
            discovery_end: self.discovery_end,
            types: self.types,
            type_other: self.type_other,
            locations: self.locations,
            location_other: self.location_other,
            phi: self.phi,
            phi_other: self.phi_other,
            description: self.description,
            safeguards: self.safeguards,
            notice_start: self.notice_start,
            notice_end: self.notice_end,
            substitute_notice: self.substitute_notice,
            media_notice: self.media_notice,
            media_notice_date: self.media_notice_date,
            hhs_reported: self.hhs_reported,
            actions: self.actions,
            actions_other: self.actions_other,
            business_associate: self.business_associate,
            affected: self.affected,
            by_state: self.by_state,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum BreachCommand {
    /// Complete and sign the breach risk assessment (45 CFR 164.402) of an incident: you
    /// must hold its privacy-officer position. Its result (breach, low probability, or an
    /// exception applies) answers the playbook's four-factor decisions.
    Assess {
        id: String,
        #[command(flatten)]
        answers: Box<AssessArgs>,
    },
    /// The breach register: every breach you may see, newest discovery first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One incident's breach, every field of its report.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Record an incident's breach report, or change it (its privacy officer, admins).
    Record {
        id: String,
        #[command(flatten)]
        fields: Box<RecordArgs>,
    },
    /// Export as CSV: --year YYYY, the yearly submission to HHS (the breaches discovered
    /// that year that affected fewer than 500; incident leads and admins), or --incident
    /// ID, one breach's report.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["year", "incident"])))]
    Export {
        #[arg(long, value_name = "YYYY")]
        year: Option<i32>,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

fn reporting(r: Reporting) -> &'static str {
    match r {
        Reporting::Now => "HHS now (500 or more)",
        Reporting::Yearly => "yearly report (under 500)",
        Reporting::Unknown => "number affected not recorded",
    }
}

fn show(e: &BreachEntry, zone: &Zone) {
    let r = &e.report;
    let drill = if e.incident.drill { "  [DRILL]" } else { "" };
    say(&format!("{}  {}{drill}", e.incident.id, e.incident.title));
    let officer = e.privacy_officer.as_deref().unwrap_or("nobody yet");
    say(&format!("discovered {}; privacy officer {officer}", e.discovered));
    match &e.assessment {
        Some(a) => say(&format!(
            "assessment: {} (signed by {} at {})",
            a.assessment.outcome.words(),
            a.by,
            zone.minute(a.at)
        )),
        None => say("assessment: none signed (recorded by hand)"),
    }
    if !e.recorded {
        say("report: not recorded yet (caregiver breach record ID ...)");
    }
    let day = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    let text = |t: &Option<String>| t.clone().unwrap_or_else(|| "-".to_owned());
    let list = |l: Vec<&str>| if l.is_empty() { "-".to_owned() } else { l.join("; ") };
    let rows = [
        ("breach dates", format!("{} to {}", day(r.breach_start), day(r.breach_end))),
        ("discovery end", day(r.discovery_end)),
        ("affected", r.affected.as_ref().map_or_else(|| "-".to_owned(), |a| a.total.to_string())),
        ("by state", r.affected.as_ref().map_or_else(|| "-".to_owned(), |a| a.states_words())),
        ("reporting", reporting(e.reporting).to_owned()),
        ("type", list(r.types.iter().map(|v| v.label()).collect())),
        ("type, other", text(&r.type_other)),
        ("location", list(r.locations.iter().map(|v| v.label()).collect())),
        ("location, other", text(&r.location_other)),
        ("information", list(r.phi.iter().map(|v| v.label()).collect())),
        ("information, other", text(&r.phi_other)),
        ("description", text(&r.description)),
        ("safeguards", list(r.safeguards.iter().map(|v| v.label()).collect())),
        ("notice to people", format!("{} to {}", day(r.notice_start), day(r.notice_end))),
        (
            "substitute notice",
            r.substitute_notice.map_or("-", |b| if b { "yes" } else { "no" }).to_owned(),
        ),
        (
            "media notice",
            format!(
                "{} {}",
                r.media_notice.map_or("-", |b| if b { "yes" } else { "no" }),
                day(r.media_notice_date)
            ),
        ),
        ("reported to HHS", day(r.hhs_reported)),
        ("actions", list(r.actions.iter().map(|v| v.label()).collect())),
        ("actions, other", text(&r.actions_other)),
        ("business associate", text(&r.business_associate)),
    ];
    for (name, value) in rows {
        say(&format!("  {name:<20} {value}"));
    }
}

pub fn run(auth: &Auth, cmd: BreachCommand) -> Result {
    let app = auth.signed_in()?;
    let zone = &app.zone();
    match cmd {
        BreachCommand::Assess { id, answers } => {
            let p = app.assess_breach(&id, answers.form())?.progress;
            if let Some(a) = &p.assessment {
                say(&format!("Signed: {}", a.assessment.outcome.words()));
            }
            summary(&p, zone);
            clocks(&p, zone);
        }
        BreachCommand::List { json } => {
            let register = app.breach_register()?;
            if json {
                print_json(&register.entries);
            } else if register.entries.is_empty() {
                say("No breach in the register.");
            }
            for e in register.entries.iter().filter(|_| !json) {
                let drill = if e.incident.drill { " [DRILL]" } else { "" };
                let count =
                    e.report.affected.as_ref().map_or("?".to_owned(), |a| a.total.to_string());
                say(&format!(
                    "{}  discovered {}  {count:>7} affected  {}  {}{drill}",
                    e.incident.id,
                    e.discovered,
                    reporting(e.reporting),
                    e.incident.title
                ));
            }
        }
        BreachCommand::Show { id, json } => {
            let e = app.breach(&id)?;
            if json { print_json(&e) } else { show(&e, zone) }
        }
        BreachCommand::Record { id, fields } => {
            show(&app.record_breach(&id, &fields.change())?, zone)
        }
        BreachCommand::Export { year, incident, out } => {
            let selection = match (year, incident) {
                (Some(year), _) => Selection::Year(year),
                (None, Some(id)) => Selection::Incident(id),
                (None, None) => unreachable_selection()?,
            };
            let done = app.export_breaches(&selection)?;
            write_file(&out, &done.export.bytes)?;
            let breaches = if done.rows == 1 { "breach" } else { "breaches" };
            say(&format!("Exported {} {breaches} to {}", done.rows, out.display()));
            for id in &done.unknown_count {
                warn(&format!(
                    "warning[count_missing]: {id}: the number affected is not recorded (caregiver breach record {id} --affected N)"
                ));
            }
        }
    }
    Ok(())
}

/// clap's group makes one of --year and --incident required.
fn unreachable_selection() -> Result<Selection> {
    Err(caregiver::Error::Invalid {
        what: "export",
        reason: "say --year YYYY or --incident ID".into(),
    })
}
