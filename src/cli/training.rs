//! `caregiver training ...`: modules, assignments, acknowledgments, phishing campaigns.

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::training::{self, ModuleView, ReportFormat, ResultsFile};
use caregiver::training::records::Target;
use caregiver::training::report;
use clap::{Subcommand, ValueEnum};

use super::users::RoleArg;
use super::{Auth, Result, paths, print_json, read_import, say, warn, warn_listed, write_file};

/// The compliance report's formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormatArg {
    Csv,
    Html,
}

impl From<ReportFormatArg> for ReportFormat {
    fn from(f: ReportFormatArg) -> ReportFormat {
        match f {
            ReportFormatArg::Csv => ReportFormat::Csv,
            ReportFormatArg::Html => ReportFormat::Html,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    /// Where you stand on your modules (admins and leads: everyone), with due dates.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Read a module: its text, its checklist and its quiz.
    Show { module: String },
    /// Assign a module to a role (--role), a department (--department) or a person
    /// (--person NAME), due on a date (admins).
    #[command(group(clap::ArgGroup::new("to").required(true).args(["role", "department", "person"])))]
    Assign {
        module: String,
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
        #[arg(long, value_name = "NAME")]
        department: Option<String>,
        /// The person assigned (a user of this workstation).
        #[arg(long, value_name = "NAME")]
        person: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        due: chrono::NaiveDate,
    },
    /// Acknowledge a module you are assigned, as yourself (--user), after its quiz.
    Ack {
        module: String,
        /// The quiz answers in order, each the number of the choice from 1: `2,1,3`.
        #[arg(long, value_name = "N,N,...", value_delimiter = ',')]
        answers: Option<Vec<usize>>,
    },
    /// The compliance report: csv, or printable html with the charts (admins and leads).
    Report {
        #[arg(long, value_enum)]
        format: ReportFormatArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Import a simulated-phishing campaign's results (GoPhish's CSV export as it is, or
    /// email,name,clicked,reported,time); clickers are assigned the refresher (admins). A
    /// file may have at most 20 MB and 200,000 rows, names of 200 characters and addresses
    /// of 254; the first 100 problems are listed, the rest counted.
    ImportPhishing {
        file: PathBuf,
        /// The campaign's name (default: the file's name).
        #[arg(long, value_name = "NAME")]
        campaign: Option<String>,
    },
    /// Check training module files (or folders): every problem as file:line:column.
    Validate {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

fn print_module(m: &ModuleView) {
    say(&format!("{}  (version {}, {}; kept by {})", m.title, m.version, m.recurrence, m.owner));
    say(&format!("\n{}", m.summary));
    for sec in &m.sections {
        say(&format!("\n## {}\n{}", sec.heading, sec.text));
    }
    say("\nI will:");
    for c in &m.checklist {
        say(&format!("  [ ] {c}"));
    }
    if let Some(q) = &m.quiz {
        say(&format!("\nQuiz ({}% to pass):", q.pass_mark_percent));
        for (n, (ask, choices)) in q.questions.iter().enumerate() {
            say(&format!("{}. {ask}", n + 1));
            for (k, choice) in choices.iter().enumerate() {
                say(&format!("   {}) {choice}", k + 1));
            }
        }
        say(&format!("\nAnswer with: caregiver training ack {} --answers N,N,...", m.id));
    }
}

pub fn run(auth: &Auth, cmd: TrainingCommand) -> Result {
    match cmd {
        TrainingCommand::Validate { paths: list } => {
            if let Err(e) = training::validate_modules(&paths(&list)) {
                if let Error::TrainingInvalid { diagnostics } = &e {
                    diagnostics.iter().for_each(|d| warn(&d.to_string()));
                }
                return Err(e);
            }
            say("All training modules are valid.");
        }
        TrainingCommand::Show { module } => print_module(&training::module_view(&module)?),
        TrainingCommand::List { json } => {
            let items = auth.signed_in()?.training_items()?;
            if json {
                print_json(&items);
            }
            for i in items.iter().filter(|_| !json) {
                say(&format!("{:<20} {:<22} {}", i.user, i.module, report::state_words(&i.state)));
            }
        }
        TrainingCommand::Assign { module, role, department, person, due } => {
            let target = match (role, department, person) {
                (Some(r), _, _) => Target::Role(r.into()),
                (_, Some(d), _) => Target::Department(d),
                (_, _, Some(p)) => Target::User(p),
                (None, None, None) => unreachable_target()?,
            };
            auth.signed_in()?.assign_training(&module, target, due)?;
            say(&format!("Assigned {module}, due {due}."));
        }
        TrainingCommand::Ack { module, answers } => {
            let answers: Option<Vec<usize>> =
                answers.map(|a| a.into_iter().map(|n| n.saturating_sub(1)).collect());
            let (ack, _) = auth.signed_in()?.acknowledge_training(&module, answers.as_deref())?;
            let score = ack
                .score
                .map(|s| format!(" (quiz: {} of {})", s.correct, s.total))
                .unwrap_or_default();
            say(&format!("Acknowledged {} as {}{score}; logged.", ack.module, ack.user));
        }
        TrainingCommand::Report { format, out } => {
            write_file(&out, &auth.signed_in()?.training_report(format.into())?.bytes)?;
            say(&format!("Wrote the training report to {}", out.display()));
        }
        TrainingCommand::ImportPhishing { file, campaign } => {
            let bytes = read_import(&file)?;
            let name = campaign.unwrap_or_else(|| {
                file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
            });
            let results = ResultsFile { bytes: &bytes, campaign: &name };
            let c = match auth.signed_in()?.import_phishing(results) {
                Err(Error::ImportRejected { problems }) => {
                    warn_listed(&problems, "problems", |p| format!("{}: {p}", file.display()));
                    return Err(Error::ImportRejected { problems });
                }
                other => other?,
            };
            say(&format!(
                "Campaign \u{201c}{}\u{201d}: {} sent, {} clicked, {} reported; refresher assigned to {} people; {} rows matched no user.",
                c.name,
                c.sent,
                c.clicked,
                c.reported,
                c.clickers.len(),
                c.unmatched
            ));
        }
    }
    Ok(())
}

/// clap's group makes one of --role, --department and --person required.
fn unreachable_target() -> Result<Target> {
    Err(Error::Invalid {
        what: "assign",
        reason: "say one of --role ROLE, --department NAME or --person NAME".into(),
    })
}
