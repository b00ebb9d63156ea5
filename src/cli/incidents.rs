//! `caregiver incident ...`: run an incident from the terminal.

use std::path::PathBuf;

use caregiver::app::App;
use caregiver::contacts::calltree::Outcome;
use caregiver::contacts::channels;
use caregiver::incident::clocks::discovery_words;
use caregiver::incident::export::Format;
use caregiver::incident::hics::{BriefingPart, Priority, Request, SystemStatus};
use caregiver::incident::periods::Message;
use caregiver::incident::{Action, Progress};
use caregiver::words::Zone;
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, print_json, say, warn, when, write_file};

/// What a call came to, as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Reached,
    NoAnswer,
    LeftMessage,
    WrongNumber,
}

impl From<OutcomeArg> for Outcome {
    fn from(o: OutcomeArg) -> Outcome {
        match o {
            OutcomeArg::Reached => Outcome::Reached,
            OutcomeArg::NoAnswer => Outcome::NoAnswer,
            OutcomeArg::LeftMessage => Outcome::LeftMessage,
            OutcomeArg::WrongNumber => Outcome::WrongNumber,
        }
    }
}

/// An incident's export: the HICS 214, CSV, or the signed evidence bundle.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Html,
    Csv,
    Json,
}

impl From<ExportFormat> for Format {
    fn from(f: ExportFormat) -> Format {
        match f {
            ExportFormat::Html => Format::Html,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Json => Format::Json,
        }
    }
}

/// A HICS form's formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormFormat {
    Html,
    Csv,
}

/// A facility system's status (HICS 251).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Up,
    Down,
    Partial,
}

impl From<StatusArg> for SystemStatus {
    fn from(s: StatusArg) -> SystemStatus {
        match s {
            StatusArg::Up => SystemStatus::Up,
            StatusArg::Down => SystemStatus::Down,
            StatusArg::Partial => SystemStatus::Partial,
        }
    }
}

/// A general message's priority (HICS 213).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PriorityArg {
    Urgent,
    Medium,
    Low,
}

impl From<PriorityArg> for Priority {
    fn from(p: PriorityArg) -> Priority {
        match p {
            PriorityArg::Urgent => Priority::Urgent,
            PriorityArg::Medium => Priority::Medium,
            PriorityArg::Low => Priority::Low,
        }
    }
}

/// The after-action review's formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReviewFormat {
    Text,
    Html,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Start an incident of a playbook in force; prints the new incident's id.
    Start {
        playbook_id: String,
        /// A drill: it runs the same and is marked as a drill everywhere.
        #[arg(long)]
        drill: bool,
        /// When the problem was discovered (RFC 3339; default: now). Legal clocks run from it.
        #[arg(long, value_name = "RFC3339")]
        discovered: Option<chrono::DateTime<chrono::Utc>>,
        /// The incident lead, a user of this workstation (default: you). They hold
        /// Incident Commander.
        #[arg(long, value_name = "NAME")]
        lead: Option<String>,
    },
    /// Give a HICS position (e.g. it-lead, privacy-officer) to a person; its earlier
    /// holder hands it over. The incident's lead, incident leads and admins.
    Assign { id: String, position: String, person: String },
    /// Say that a step's reminder has been seen.
    AckTimer { id: String, step_id: String },
    /// Record a call to a contact of the tree and its outcome.
    Call {
        id: String,
        contact: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
    },
    /// Draw the incident's timeline (time across, one row per position) as SVG.
    Timeline {
        id: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The after-action review: steps done and skipped with reasons, time per phase,
    /// legal clocks (not applicable on a branch not taken), time bands against their targets. Text, or --format
    /// html with the timeline picture, or json.
    Review {
        id: String,
        #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
        format: ReviewFormat,
        /// Write here instead of the terminal.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List incidents, newest first.
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Where an incident stands, and what happened in it.
    Show { id: String },
    /// Every legal clock of the open incidents that runs, is paused or is overdue, overdue
    /// and soonest due first.
    Clocks {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Act on the current step: --done, --skip REASON, or --choose ANSWER for a decision.
    #[command(group(clap::ArgGroup::new("action").required(true).args(["done", "skip", "choose"])))]
    Step {
        id: String,
        step_id: String,
        #[arg(long)]
        done: bool,
        #[arg(long, value_name = "REASON")]
        skip: Option<String>,
        #[arg(long, value_name = "CHOICE")]
        choose: Option<String>,
    },
    /// Add a note to an incident's record.
    Note { id: String, text: String },
    /// Set the discovery time again, with a reason (45 CFR 164.404(a)(2)): a correcting
    /// log entry; every legal clock is derived from the new time. The lead, incident
    /// leads and admins.
    Discovery {
        id: String,
        #[arg(long, value_name = "RFC3339")]
        at: chrono::DateTime<chrono::Utc>,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Pause a legal clock (named by its step) for a law-enforcement delay (45 CFR
    /// 164.412), with the official's statement. An oral request ends by itself after 30
    /// days; --written records a written statement.
    Pause {
        id: String,
        #[arg(long, value_name = "NAME")]
        clock: String,
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[arg(long)]
        written: bool,
    },
    /// End a law-enforcement delay: the clock runs again.
    Resume {
        id: String,
        #[arg(long, value_name = "NAME")]
        clock: String,
    },
    /// Close an incident (or end a drill).
    Close { id: String },
    /// The operational periods; --new starts the next one (the lead, incident leads and
    /// admins), --length HOURS long (default: the current period's; the first is 12).
    Period {
        id: String,
        #[arg(long)]
        new: bool,
        #[arg(long, value_name = "HOURS", requires = "new")]
        length: Option<u32>,
    },
    /// The incident objectives (HICS 202), carried into each next period until closed:
    /// list them, --add TEXT or --close N (the lead, incident leads and admins).
    #[command(group(clap::ArgGroup::new("change").args(["add", "close"])))]
    Objective {
        id: String,
        #[arg(long, value_name = "TEXT")]
        add: Option<String>,
        #[arg(long, value_name = "N")]
        close: Option<u32>,
    },
    /// Write a general message (HICS 213) to a HICS position, logged in your name and
    /// printable with `incident form ID 213`, for a runner to carry when phones are down.
    Message {
        id: String,
        #[arg(long, value_name = "POSITION")]
        to: String,
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// Default: the message's first words.
        #[arg(long, value_name = "TEXT", default_value = "")]
        subject: String,
        #[arg(long, value_enum, default_value = "low")]
        priority: PriorityArg,
    },
    /// Write the incident briefing (HICS 201): its situation summary and health and safety
    /// briefing (each stands until written again), or a current or planned action (the
    /// lead, incident leads and admins).
    #[command(group(clap::ArgGroup::new("part").args(["summary", "safety", "action"]).required(true).multiple(true)))]
    Briefing {
        id: String,
        #[arg(long, value_name = "TEXT")]
        summary: Option<String>,
        #[arg(long, value_name = "TEXT")]
        safety: Option<String>,
        #[arg(long, value_name = "TEXT")]
        action: Option<String>,
    },
    /// Write a position's work assignment and special instructions (HICS 204); it stands
    /// until written again (the lead, incident leads and admins).
    Assignment {
        id: String,
        #[arg(long, value_name = "POS")]
        position: String,
        #[arg(long, value_name = "TEXT")]
        text: String,
    },
    /// Note a hazard or risk and its mitigation for the current period (HICS 215A; the
    /// lead, incident leads and admins).
    Safety {
        id: String,
        #[arg(long, value_name = "TEXT")]
        hazard: String,
        #[arg(long, value_name = "TEXT")]
        mitigation: String,
    },
    /// Set a facility system's status (HICS 251): SYSTEM is an asset register id or a
    /// system's name; it stands until set again. Anyone signed in.
    System {
        id: String,
        system: String,
        #[arg(long, value_enum)]
        status: StatusArg,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Print a HICS form for an operational period (default: the current one): 201
    /// Incident Briefing, 202 Incident Objectives, 203 Organization Assignment List, 204
    /// Assignment List, 205A Communications List, 207 Incident Organization Chart, 213
    /// General Message, 214 Activity Log of a position (default: incident-commander), 215A
    /// Incident Action Plan Safety Analysis, 251 Facility System Status Report, or IAP (the
    /// action plan packet). Incident leads and admins.
    Form {
        id: String,
        /// 201, 202, 203, 204, 205A, 207, 213, 214, 215A, 251 or IAP.
        form: String,
        #[arg(long, value_enum)]
        format: FormFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_name = "N")]
        period: Option<u32>,
        #[arg(long, value_name = "POS")]
        position: Option<String>,
    },
    /// Export an incident: html (the HICS 214 Activity Log), csv, or json (the signed
    /// evidence bundle of this workstation's log). Incident leads and admins.
    Export {
        id: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub(super) fn summary(p: &Progress, zone: &Zone) {
    let drill = if p.incident.drill { "  [DRILL]" } else { "" };
    say(&format!("{}  {}{drill}", p.incident.id, p.incident.title));
    say(&format!(
        "lead {}; discovered {}; {} done, {} skipped; {}",
        p.incident.lead,
        when(zone, p.incident.discovered),
        p.done,
        p.skipped,
        match (&p.current, p.closed) {
            (_, true) => "closed".to_owned(),
            (Some(step), false) => format!("current step: {step}"),
            (None, false) => "playbook finished: close it".to_owned(),
        }
    ));
}

/// The legal clocks, one line each and the state below.
pub(super) fn clocks(p: &Progress, zone: &Zone) {
    for d in &p.deadlines {
        let due = d.due_words(zone);
        let step = if d.clock == d.step { String::new() } else { format!("; step {}", d.step) };
        let status = d.status.words();
        say(&format!("  clock {} ({status}{step}): due {due}: {}", d.clock, d.described()));
        say(&format!("      {}", d.state_words(zone)));
    }
}

/// The operational periods, one line each, the current one marked.
fn periods(p: &Progress, zone: &Zone) {
    for period in &p.periods {
        let current = if period.to.is_none() { "  (current)" } else { "" };
        say(&format!(
            "period {}: from {} to {}, {} hours, started by {}{current}",
            period.number,
            zone.minute(period.from),
            zone.minute(period.until()),
            period.length_hours,
            period.by
        ));
    }
}

/// The objectives, open and closed.
fn objectives(p: &Progress, zone: &Zone) {
    if p.objectives.is_empty() {
        say("No objective set.");
    }
    for o in &p.objectives {
        let state = match &o.closed {
            Some((at, by)) => format!("closed {} by {by}", zone.minute(*at)),
            None => "open".to_owned(),
        };
        say(&format!("{:>3}. {}  ({state})", o.number, o.text));
    }
}

fn show(app: &App, p: &Progress) {
    let zone = &app.zone();
    let now = app.now();
    summary(p, zone);
    if let Some(period) = p.periods.last() {
        say(&format!(
            "operational period {}: from {} to {} (planned)",
            period.number,
            zone.minute(period.from),
            zone.minute(period.until())
        ));
    }
    say("positions:");
    for a in &p.positions {
        say(&format!("  {:<40} {}", a.name, a.person));
    }
    if !p.closed {
        for t in p.timers.iter().filter(|t| !t.acknowledged) {
            let state = if t.due <= now { "DUE" } else { "set" };
            say(&format!("  reminder {state} {} ({}): {}", when(zone, t.due), t.step, t.say));
        }
    }
    clocks(p, zone);
    say("log:");
    for e in &p.events {
        let what = [e.step.as_deref(), e.detail.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        let time = zone.second(e.time);
        say(&format!("  {:>4}  {time}  {:<16} {:<16} {what}", e.seq, e.actor, e.event.kind()));
    }
}

pub fn run(auth: &Auth, cmd: IncidentCommand) -> Result {
    let app = auth.signed_in()?;
    let zone = &app.zone();
    match cmd {
        IncidentCommand::Start { playbook_id, drill, discovered, lead } => {
            let view = app.start_incident(&playbook_id, drill, discovered, lead)?;
            say(&view.progress.incident.id);
        }
        IncidentCommand::Assign { id, position, person } => {
            for a in &app.assign_position(&id, &position, &person)?.progress.positions {
                say(&format!("{:<40} {}", a.name, a.person));
            }
        }
        IncidentCommand::Review { id, format, out } => {
            let text = match format {
                ReviewFormat::Text => app.review_text(&id)?,
                ReviewFormat::Html => app.review_html(&id)?,
                ReviewFormat::Json => {
                    serde_json::to_string_pretty(&app.review(&id)?).map_err(|e| {
                        caregiver::Error::Invalid { what: "review", reason: e.to_string() }
                    })?
                }
            };
            match out {
                Some(path) => {
                    write_file(&path, text.as_bytes())?;
                    say(&format!("Wrote the review of {id} to {}", path.display()));
                }
                None => say(text.trim_end()),
            }
        }
        IncidentCommand::Timeline { id, out } => {
            write_file(&out, app.timeline_svg(&id)?.as_bytes())?;
            say(&format!("Wrote the timeline of {id} to {}", out.display()));
        }
        IncidentCommand::Call { id, contact, outcome } => {
            let outcome = Outcome::from(outcome);
            let calls = app.call(&id, &contact, outcome)?;
            let unreached = calls.unreached_names();
            say(&format!(
                "Recorded: {contact} ({}). Still unreached: {}",
                outcome.words(),
                if unreached.is_empty() { "nobody".to_owned() } else { unreached.join(", ") }
            ));
        }
        IncidentCommand::AckTimer { id, step_id } => {
            summary(&app.acknowledge_timer(&id, &step_id)?.progress, zone);
        }
        IncidentCommand::Clocks { json } => {
            let clocks = app.running_clocks()?;
            if json {
                print_json(&clocks);
            } else if clocks.is_empty() {
                say("No legal clock is running.");
            }
            for c in clocks.iter().filter(|_| !json) {
                let drill = if c.drill { " [DRILL]" } else { "" };
                say(&format!("due {}  {}", c.due_words, c.state_words));
                say(&format!("    {}{drill} ({}): {}", c.title, c.incident, c.clock.described()));
            }
        }
        IncidentCommand::List { json } => {
            let list = app.incidents()?;
            if json {
                print_json(&list);
            }
            for i in list.iter().filter(|_| !json) {
                let drill = if i.drill { "  [DRILL]" } else { "" };
                say(&format!("{}  {}  {}{drill}", i.id, zone.minute(i.started), i.title));
            }
        }
        IncidentCommand::Show { id } => {
            let view = app.incident(&id)?;
            show(&app, &view.progress);
            if let Some(panel) = &view.register {
                super::assets::print_panel(panel);
            }
        }
        IncidentCommand::Step { id, step_id, done: _, skip, choose } => {
            let action = match (skip, choose) {
                (Some(reason), _) => Action::Skip(reason),
                (_, Some(answer)) => Action::Choose(answer),
                _ => Action::Done,
            };
            summary(&app.incident_step(&id, &step_id, action)?.progress, zone);
        }
        IncidentCommand::Note { id, text } => {
            for w in channels::check(&text) {
                warn(&format!("warning[unsecure_channel]: {}", w.message));
            }
            let (seq, _) = app.incident_note(&id, &text)?;
            say(&format!("Note recorded as log entry {seq}."));
        }
        IncidentCommand::Discovery { id, at, reason } => {
            let p = app.correct_discovery(&id, at, &reason)?.progress;
            say(&format!(
                "discovered {}",
                discovery_words(p.incident.discovered, &p.discovery_changes, zone)
            ));
            clocks(&p, zone);
        }
        IncidentCommand::Pause { id, clock, reason, written } => {
            clocks(&app.pause_clock(&id, &clock, &reason, written)?.progress, zone);
        }
        IncidentCommand::Resume { id, clock } => {
            clocks(&app.resume_clock(&id, &clock)?.progress, zone)
        }
        IncidentCommand::Close { id } => summary(&app.close_incident(&id)?.progress, zone),
        IncidentCommand::Period { id, new, length } => {
            let p = if new { app.start_period(&id, length)?.progress } else { app.progress(&id)? };
            periods(&p, zone);
        }
        IncidentCommand::Objective { id, add, close } => {
            let p = match (add, close) {
                (Some(text), _) => app.set_objective(&id, &text)?.progress,
                (_, Some(n)) => app.close_objective(&id, n)?.progress,
                _ => app.progress(&id)?,
            };
            objectives(&p, zone);
        }
        IncidentCommand::Message { id, to, text, subject, priority } => {
            for w in channels::check(&text) {
                warn(&format!("warning[unsecure_channel]: {}", w.message));
            }
            let message = Message { to, subject, text, priority: priority.into() };
            let (seq, view) = app.general_message(&id, message)?;
            let period = view.progress.period(None)?.number;
            say(&format!(
                "General message recorded as log entry {seq}; print it with: caregiver incident form {id} 213 --period {period} --format html --out FILE"
            ));
        }
        IncidentCommand::Briefing { id, summary, safety, action } => {
            let typed = [
                (BriefingPart::Summary, summary),
                (BriefingPart::Safety, safety),
                (BriefingPart::Action, action),
            ];
            let parts: Vec<(BriefingPart, &str)> =
                typed.iter().filter_map(|(p, t)| Some((*p, t.as_deref()?))).collect();
            app.write_briefing(&id, &parts)?;
            for (part, _) in parts {
                say(&format!("{} written (HICS 201).", part.words()));
            }
        }
        IncidentCommand::Assignment { id, position, text } => {
            app.assign_work(&id, &position, &text)?;
            say(&format!("Work assignment of {position} written (HICS 204)."));
        }
        IncidentCommand::Safety { id, hazard, mitigation } => {
            app.note_hazard(&id, &hazard, &mitigation)?;
            say("Hazard and mitigation noted (HICS 215A).");
        }
        IncidentCommand::System { id, system, status, note } => {
            let status = SystemStatus::from(status);
            app.set_system_status(&id, &system, status, note.as_deref())?;
            say(&format!("{system}: {} (HICS 251).", status.words()));
        }
        IncidentCommand::Form { id, form, format, out, period, position } => {
            let format = match format {
                FormFormat::Html => Format::Html,
                FormFormat::Csv => Format::Csv,
            };
            let request = Request { form: form.parse()?, format, period, position };
            let file = app.incident_form(&id, &request)?;
            write_file(&out, &file.bytes)?;
            say(&format!("Wrote HICS {} of {id} to {}", request.form.number(), out.display()));
        }
        IncidentCommand::Export { id, format, out } => {
            write_file(&out, &app.export_incident(&id, format.into())?.bytes)?;
            say(&format!("Exported incident {id} to {}", out.display()));
        }
    }
    Ok(())
}
