//! `caregiver exercise ...`: tabletop exercises (playbooks/exercises/README.md): the
//! packages, running one as a drill with its scenario clock, decisions and observations.

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::exercises::validate_packages;
use caregiver::exercise::actions::NewAction;
use caregiver::exercise::run::{Control, Exercise, Rating};
use caregiver::words::Zone;
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, paths, print_json, say, warn, write_file};

/// HSEEP's ratings, as the CLI takes them.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RatingArg {
    /// Performed without challenges.
    P,
    /// Performed with some challenges.
    S,
    /// Performed with major challenges.
    M,
    /// Unable to be performed.
    U,
}

impl From<RatingArg> for Rating {
    fn from(r: RatingArg) -> Rating {
        match r {
            RatingArg::P => Rating::P,
            RatingArg::S => Rating::S,
            RatingArg::M => Rating::M,
            RatingArg::U => Rating::U,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ExerciseCommand {
    /// Check exercise package files; every problem is printed as FILE:LINE:COLUMN: message.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The exercise packages in force, and the exercises run on this workstation.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A package in full: the situation manual, the modules of injects and the guides.
    Show {
        package_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Start an exercise of a package: a drill incident you facilitate. Prints its id.
    Start { package_id: String },
    /// Where an exercise stands: the scenario clock, the inject in play and the next one.
    Status {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Bring in the next inject now (the facilitator).
    Inject {
        id: String,
        /// Jump the scenario clock to the next inject.
        #[arg(long, required = true)]
        next: bool,
    },
    /// Pause the scenario clock (the facilitator).
    Pause { id: String },
    /// Run the scenario clock again (the facilitator).
    Resume { id: String },
    /// Run the scenario clock N times faster than real time, 1 to 60 (the facilitator).
    Speed { id: String, speed: u32 },
    /// Log a participant's decision against the inject in play (or the one named).
    Decide {
        id: String,
        text: String,
        #[arg(long, value_name = "INJECT")]
        inject: Option<String>,
    },
    /// Record an evaluator's observation of a critical task, under your own unlock
    /// (admins and incident leads): P, S, M or U, with a note.
    Observe {
        id: String,
        task: String,
        #[arg(long, value_enum, ignore_case = true)]
        rating: RatingArg,
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// The exercise register: this year's exercises (and the two before) by type against
    /// 42 CFR 482.15(d)(2)'s two a year, and what is still required (admins and incident
    /// leads). `--chart FILE` writes the years' chart as SVG.
    Register {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Enter an exercise held outside the app in the register (admins and incident leads):
    /// TYPE is tabletop, workshop, drill, functional or full-scale.
    Record {
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
        #[arg(long)]
        title: String,
        /// What it covered: scenario, playbooks, capabilities.
        #[arg(long, value_name = "TEXT")]
        covered: String,
    },
    /// Write the after-action report and improvement plan (AAR/IP), with the timeline.
    Report {
        id: String,
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// The AAR/IP's formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// The corrective actions of the improvement plans: yours (admins and incident leads:
    /// every one), open ones first by due date.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a corrective action to an exercise, against one of its objectives (its
    /// facilitator, admins and incident leads).
    Add {
        /// The exercise's id.
        exercise: String,
        #[arg(long)]
        objective: String,
        #[arg(long)]
        text: String,
        #[arg(long, value_name = "NAME")]
        owner: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        due: String,
        /// What it changes: a playbook (ID or ID#STEP) or training:MODULE.
        #[arg(long, value_name = "WHAT")]
        changes: String,
    },
    /// Close a corrective action that is done (its owner, admins and incident leads).
    Close {
        action: String,
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
}

pub fn run_actions(auth: &Auth, cmd: ActionsCommand) -> Result {
    match cmd {
        ActionsCommand::List { json } => {
            let app = auth.signed_in()?;
            let list = app.corrective_actions()?;
            if json {
                print_json(&list);
                return Ok(());
            }
            if list.is_empty() {
                say("No corrective action.");
            }
            let today = app.now().with_timezone(&app.zone().tz()).date_naive();
            for a in &list {
                say(&format!(
                    "{}  {}  owner {}  {}",
                    a.id,
                    a.standing_words(today),
                    a.owner,
                    a.changes
                ));
                say(&format!("    {} ({}, objective {})", a.text, a.exercise_title, a.objective));
            }
        }
        ActionsCommand::Add { exercise, objective, text, owner, due, changes } => {
            let due = caregiver::app::training::parse_due(&due)?;
            let new = NewAction {
                objective: &objective,
                text: &text,
                owner: &owner,
                due,
                changes: &changes,
            };
            let a = auth.signed_in()?.add_corrective_action(&exercise, &new)?;
            say(&format!("Added corrective action {} for {}, due {}", a.id, a.owner, a.due));
        }
        ActionsCommand::Close { action, note } => {
            let a = auth.signed_in()?.close_corrective_action(&action, &note)?;
            say(&format!("Closed corrective action {}", a.id));
        }
    }
    Ok(())
}

pub fn run(auth: &Auth, cmd: ExerciseCommand) -> Result {
    match cmd {
        ExerciseCommand::Validate { paths: list } => {
            if let Err(e) = validate_packages(&paths(&list)) {
                if let Error::ExerciseInvalid { diagnostics } = &e {
                    diagnostics.iter().for_each(|d| warn(&d.to_string()));
                }
                return Err(e);
            }
            say("All exercise packages are valid.");
        }
        ExerciseCommand::List { json } => {
            let app = auth.signed_in()?;
            let packages = app.exercise_packages()?;
            let exercises = app.exercises()?;
            if json {
                print_json(&serde_json::json!({ "packages": packages, "exercises": exercises }));
                return Ok(());
            }
            say("Packages:");
            for p in &packages {
                say(&format!(
                    "  {:<28} {} ({}, {} injects over {}, playbooks: {})",
                    p.id,
                    p.title,
                    p.kind.label(),
                    p.injects,
                    caregiver::words::minutes(i64::from(p.minutes)),
                    p.playbooks.join(", ")
                ));
            }
            let zone = app.zone();
            say(if exercises.is_empty() { "No exercise run yet." } else { "Exercises:" });
            for x in &exercises {
                let state = if x.ended.is_some() { "ended" } else { "running" };
                say(&format!("  {}  {}  {}  [{state}]", x.id, zone.minute(x.started), x.title));
            }
        }
        ExerciseCommand::Show { package_id, json } => {
            let p = auth.signed_in()?.exercise_package(&package_id)?;
            if json {
                print_json(&p);
                return Ok(());
            }
            say(&format!("{} ({}, version {})", p.title, p.kind.label(), p.version));
            say(&format!("\nScenario:\n  {}", p.scenario));
            say(&format!("\nParticipants: {}", p.participants.join("; ")));
            say("\nObjectives and critical tasks:");
            for o in &p.objectives {
                say(&format!("  {}: {} [{}]", o.id, o.text, o.capabilities.join(", ")));
                for t in &o.tasks {
                    say(&format!("    {}: {} (observe: {})", t.id, t.task, t.observe.join("; ")));
                }
            }
            for m in &p.modules {
                say(&format!("\n{}", m.title));
                for i in &m.injects {
                    let tests: Vec<String> = i.tests.iter().map(ToString::to_string).collect();
                    say(&format!(
                        "  +{:<8} {} ({}): {}",
                        caregiver::words::minutes(i64::from(i.at)),
                        i.id,
                        i.from,
                        i.message
                    ));
                    say(&format!(
                        "            expect: {}; tests: {}",
                        i.expect.join("; "),
                        tests.join(", ")
                    ));
                }
                m.questions.iter().for_each(|q| say(&format!("  ? {q}")));
            }
            say(&format!("\nFacilitator's guide:\n  {}", p.facilitator));
            say(&format!("\nEvaluator's guide:\n  {}", p.evaluator));
            p.sources.iter().for_each(|s| say(&format!("Source: {s}")));
        }
        ExerciseCommand::Start { package_id } => {
            let app = auth.signed_in()?;
            let x = app.start_exercise(&package_id)?;
            say(&format!("Started exercise {} ({}, a drill)", x.id, x.title));
            print_status(&x, &app.zone());
        }
        ExerciseCommand::Status { id, json } => {
            let app = auth.signed_in()?;
            let x = app.exercise(&id)?;
            if json {
                print_json(&x);
            } else {
                print_status(&x, &app.zone());
            }
        }
        ExerciseCommand::Register { year, json, chart } => {
            let register = auth.signed_in()?.exercise_register(year)?;
            if let Some(path) = chart {
                write_file(&path, register.chart_svg.as_bytes())?;
            }
            if json {
                print_json(&register.years);
                return Ok(());
            }
            for y in &register.years {
                let counts: Vec<String> =
                    y.by_type.iter().map(|(k, n)| format!("{n} {k}")).collect();
                say(&format!(
                    "{}: {} exercises ({})",
                    y.year,
                    y.exercises.len(),
                    counts.join(", ")
                ));
                for h in &y.exercises {
                    if let Some(covered) = &h.recorded {
                        say(&format!(
                            "  {}  {} ({}, held outside the app): {covered}",
                            h.date,
                            h.title,
                            h.kind.label()
                        ));
                        continue;
                    }
                    say(&format!(
                        "  {}  {}  {} ({}); playbooks: {}",
                        h.date,
                        h.id,
                        h.title,
                        h.kind.label(),
                        h.playbooks.join(", ")
                    ));
                }
                if y.still_required.is_empty() {
                    say("  42 CFR 482.15(d)(2): met");
                }
                y.still_required.iter().for_each(|r| say(&format!("  Still required: {r}")));
            }
        }
        ExerciseCommand::Record { kind, date, title, covered } => {
            let kind = caregiver::exercise::ExerciseType::of(&kind)?;
            let date = caregiver::app::training::parse_due(&date)?;
            auth.signed_in()?.record_exercise(kind, date, &title, &covered)?;
            say(&format!("Recorded the {} of {date} in the register.", kind.label()));
        }
        ExerciseCommand::Report { id, format: ReportFormat::Html, out } => {
            let html = auth.signed_in()?.exercise_report_html(&id)?;
            write_file(&out, html.as_bytes())?;
            say(&format!("Wrote the AAR/IP of {id} to {}", out.display()));
        }
        ExerciseCommand::Inject { id, next: _ } => control(auth, &id, Control::Next)?,
        ExerciseCommand::Pause { id } => control(auth, &id, Control::Pause)?,
        ExerciseCommand::Resume { id } => control(auth, &id, Control::Resume)?,
        ExerciseCommand::Speed { id, speed } => control(auth, &id, Control::Speed(speed))?,
        ExerciseCommand::Decide { id, text, inject } => {
            let x = auth.signed_in()?.exercise_decision(&id, inject.as_deref(), &text)?;
            if let Some(d) = x.decisions.last() {
                say(&format!("Decision logged against inject {} by {}", d.inject, d.by));
            }
        }
        ExerciseCommand::Observe { id, task, rating, note } => {
            let x = auth.signed_in()?.observe_exercise(&id, &task, rating.into(), &note)?;
            if let Some(o) = x.observations.last() {
                say(&format!(
                    "Observation of {} ({}) recorded by {}",
                    o.task,
                    o.rating.label(),
                    o.by
                ));
            }
        }
    }
    Ok(())
}

fn control(auth: &Auth, id: &str, control: Control) -> Result {
    let app = auth.signed_in()?;
    let x = app.control_exercise(id, control)?;
    print_status(&x, &app.zone());
    Ok(())
}

/// The facilitator's screen, as text.
fn print_status(x: &Exercise, zone: &Zone) {
    let clock = caregiver::words::duration(chrono::Duration::seconds(x.scenario));
    let state = match (x.ended, x.running) {
        (Some(_), _) => "ended".to_owned(),
        (None, false) => "paused".to_owned(),
        (None, true) => format!("running at {}x", x.speed),
    };
    say(&format!("{}  {}  scenario clock {clock} ({state})", x.id, x.title));
    if let Some(i) = x.inject_in_play() {
        let came = i.came.map(|t| zone.minute(t)).unwrap_or_default();
        say(&format!(
            "In play: {} ({}), from {}, came {came}",
            i.inject.id, i.module, i.inject.from
        ));
        say(&format!("  {}", i.inject.message));
        say(&format!("  Expected: {}", i.inject.expect.join("; ")));
    }
    match (x.next_inject(), x.next) {
        (Some(n), Some((_, left))) => {
            let left = caregiver::words::duration(chrono::Duration::seconds(left));
            say(&format!(
                "Next: {} from {}, in {left} of scenario time",
                n.inject.id, n.inject.from
            ));
        }
        _ => say("Next: none, the last inject is in play"),
    }
}
