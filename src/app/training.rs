//! Security training from either front end: a person's own modules and acknowledgments,
//! and for admins and leads the compliance dashboard, the report, assignments and phishing
//! campaigns. Dates are local calendar days in the workstation's time zone.

use chrono::NaiveDate;
use serde::Serialize;

use super::App;
use super::incidents::Reminder;
use super::records::Export;
use crate::store::Permission;
use crate::training::records::{Ack, Campaign, Item, ItemState, Target};
use crate::training::report::{self, Dashboard};
use crate::training::{self, Section, phishing, schedule};
use crate::{Error, Result};

/// A module as the window and the terminal show it: the quiz's questions and choices, not
/// its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleView {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub recurrence: String,
    pub owner: String,
    pub summary: String,
    pub sections: Vec<Section>,
    pub checklist: Vec<String>,
    pub quiz: Option<QuizView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuizView {
    pub pass_mark_percent: u8,
    /// (question, choices)
    pub questions: Vec<(String, Vec<String>)>,
}

/// The training report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Html,
}

impl std::str::FromStr for ReportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "csv" => Ok(ReportFormat::Csv),
            "html" => Ok(ReportFormat::Html),
            _ => Err(Error::Invalid { what: "format", reason: "must be csv or html".into() }),
        }
    }
}

/// A phishing campaign's results file to import.
#[derive(Debug, Clone, Copy)]
pub struct ResultsFile<'a> {
    pub bytes: &'a [u8],
    /// The campaign's name.
    pub campaign: &'a str,
}

impl App {
    /// The workstation's date today, in its zone (`App::zone`).
    pub(super) fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.zone().tz()).date_naive()
    }

    /// The signed-in person's training: each module that applies, with where it stands.
    pub fn my_training(&self) -> Result<Vec<Item>> {
        let session = self.user()?;
        session.own_training_items(
            &self.modules()?,
            &session.training_acks()?,
            self.now(),
            &self.zone().tz(),
        )
    }

    /// Where people stand: everyone for admins and leads, yourself for others.
    pub fn training_items(&self) -> Result<Vec<Item>> {
        self.user()?.training_items(&self.modules()?, self.now(), &self.zone().tz())
    }

    /// A module to read (its quiz without the answers).
    pub fn training_module(&self, id: &str) -> Result<ModuleView> {
        self.user()?;
        module_view(id)
    }

    /// The signed-in person acknowledges a module (their own, under their own unlock),
    /// after its quiz (`answers`: one choice index per question, from 0).
    pub fn acknowledge_training(&self, id: &str, answers: Option<&[usize]>) -> Result<(Ack, Item)> {
        let ack = self.user()?.acknowledge_training(&self.modules()?, id, answers)?;
        let item = self
            .my_training()?
            .into_iter()
            .find(|i| i.module == id)
            .ok_or_else(|| Error::TrainingNotFound { id: id.to_owned() })?;
        Ok((ack, item))
    }

    /// The compliance dashboard (admins and leads).
    pub fn training_dashboard(&self) -> Result<Dashboard> {
        let session = self.user()?;
        session.require(Permission::SeeTrainingOfEveryone, "see the training dashboard")?;
        let mut d = report::dashboard(&self.training_items()?, &session.campaigns()?)?;
        let policies = self.policy_compliance()?;
        (d.policies, d.policy_chart) = (policies.rows, policies.chart);
        Ok(d)
    }

    /// The compliance report as a file (admins and leads).
    pub fn training_report(&self, format: ReportFormat) -> Result<Export> {
        let session = self.user()?;
        session.require(Permission::SeeTrainingOfEveryone, "make the training report")?;
        let items = self.training_items()?;
        let now = self.now();
        let (bytes, ext) = match format {
            ReportFormat::Csv => (report::csv(&items)?, "csv"),
            ReportFormat::Html => {
                let d = self.training_dashboard()?;
                (
                    report::html(&d, &items, session.user_name(), (now, &self.zone())).into_bytes(),
                    "html",
                )
            }
        };
        Ok(Export { file_name: format!("training-report-{}.{ext}", self.today()), bytes })
    }

    /// Assigns a module (admins): to a role, a department or a person.
    pub fn assign_training(&self, module: &str, target: Target, due: NaiveDate) -> Result<()> {
        self.user()?.assign_training(&self.modules()?, module, target, due, None).map(|_| ())
    }

    /// Imports a phishing campaign's results file (admins). A file with problems imports
    /// nothing: `import_rejected`, every bad line numbered.
    pub fn import_phishing(&self, file: ResultsFile<'_>) -> Result<Campaign> {
        let rows = phishing::parse_results(file.bytes)?;
        self.user()?.import_phishing(&self.modules()?, file.campaign, &rows, self.today())
    }

    /// The signed-in person's training due soon or overdue, as reminders (in the window,
    /// and once a day as a desktop notification).
    pub(super) fn training_reminders(&self, acks: &[Ack]) -> Result<Vec<Reminder>> {
        let now = self.now();
        let items =
            self.user()?.own_training_items(&self.modules()?, acks, now, &self.zone().tz())?;
        let day = schedule::reminder_day(now, &self.zone().tz());
        // The key changes each local day: once per item per day.
        let key = day.and_hms_opt(0, 0, 0).map_or(now, |d| d.and_utc());
        Ok(items
            .into_iter()
            .filter_map(|i| {
                let say = match i.state {
                    ItemState::DueSoon { due, days_left } => {
                        format!("{} is due {due} ({days_left} days left)", i.title)
                    }
                    ItemState::Overdue { due, days_over } => {
                        format!("{} was due {due}: {days_over} days overdue", i.title)
                    }
                    ItemState::Done { .. } | ItemState::NotDue { .. } => return None,
                };
                Some(Reminder {
                    incident: String::new(),
                    title: "Training".into(),
                    drill: false,
                    step: format!("training:{}", i.module),
                    say,
                    due: key,
                })
            })
            .collect())
    }
}

/// A due date as typed: `YYYY-MM-DD`.
pub fn parse_due(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Invalid { what: "due date", reason: "write it as 2026-12-31".into() })
}

/// A built-in module to read, without its quiz's answers (no store needed).
pub fn module_view(id: &str) -> Result<ModuleView> {
    let m = training::find(id)?;
    Ok(ModuleView {
        id: m.id,
        title: m.title,
        version: m.version,
        recurrence: m.recurrence.to_string(),
        owner: m.owner,
        summary: m.summary,
        sections: m.sections,
        checklist: m.checklist,
        quiz: m.quiz.map(|q| QuizView {
            pass_mark_percent: q.pass_mark_percent,
            questions: q.questions.into_iter().map(|x| (x.ask, x.choices)).collect(),
        }),
    })
}

/// Checks training module files or folders: every problem, as `file:line:column: message`.
pub fn validate_modules(paths: &[&std::path::Path]) -> Result<()> {
    let problems = training::validate_paths(paths);
    if problems.is_empty() { Ok(()) } else { Err(Error::TrainingInvalid { diagnostics: problems }) }
}
