//! `caregiver hicp ...`: the HICP self-assessment (playbooks/assessments/README.md).

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::hicp::validate_questionnaires;
use caregiver::hicp::{Scored, Size};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, paths, print_json, read_import, say, warn, warn_listed, write_file};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SizeArg {
    Small,
    Medium,
    Large,
}

impl From<SizeArg> for Size {
    fn from(s: SizeArg) -> Size {
        match s {
            SizeArg::Small => Size::Small,
            SizeArg::Medium => Size::Medium,
            SizeArg::Large => Size::Large,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum HicpCommand {
    /// Check questionnaire files; every problem is printed as FILE:LINE:COLUMN: message.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The questions asked of an organisation of a size (admins and incident leads).
    Questions {
        #[arg(long, value_enum)]
        size: SizeArg,
        #[arg(long)]
        json: bool,
    },
    /// Write the questions of a size as a CSV to fill in: answer yes, partly, no or n/a,
    /// with an optional note (admins and incident leads).
    Template {
        #[arg(long, value_enum)]
        size: SizeArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Record today's self-assessment from a filled-in answers CSV (admins). Every bad
    /// row is reported as FILE:line N: message, and nothing is recorded while one is.
    Assess {
        file: PathBuf,
        #[arg(long, value_enum)]
        size: SizeArg,
    },
    /// Every self-assessment with its score, newest first (admins and incident leads).
    List {
        #[arg(long)]
        json: bool,
    },
    /// One self-assessment: its score by practice and its gaps (admins and incident leads).
    Show {
        date: NaiveDate,
        #[arg(long)]
        json: bool,
    },
    /// Write the chart of the score over time, as SVG (admins and incident leads).
    Chart {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Add a gap of a self-assessment to the risk register (admins).
    GapToRisk {
        date: NaiveDate,
        question: String,
        /// 1 (rare) to 5 (almost certain).
        #[arg(long)]
        likelihood: u8,
        /// 1 (negligible) to 5 (severe).
        #[arg(long)]
        impact: u8,
    },
}

pub fn run(auth: &Auth, cmd: HicpCommand) -> Result {
    match cmd {
        HicpCommand::Validate { paths: list } => {
            if let Err(e) = validate_questionnaires(&paths(&list)) {
                if let Error::AssessmentInvalid { diagnostics } = &e {
                    diagnostics.iter().for_each(|d| warn(&d.to_string()));
                }
                return Err(e);
            }
            say("All self-assessment questionnaires are valid.");
        }
        HicpCommand::Questions { size, json } => {
            let view = auth.signed_in()?.hicp_questions(size.into())?;
            if json {
                print_json(&view);
                return Ok(());
            }
            say(&format!(
                "{} (version {}), {}",
                view.title,
                view.version,
                Size::from(size).words()
            ));
            view.sources.iter().for_each(|s| say(&format!("Source: {s}")));
            for p in &view.practices {
                say(&format!("\n{}. {}", p.number, p.title));
                for q in &p.questions {
                    say(&format!("  {:<26} {}", q.id, q.ask));
                }
            }
        }
        HicpCommand::Template { size, out } => {
            let export = auth.signed_in()?.hicp_answers_template(size.into())?;
            write_file(&out, &export.bytes)?;
            say(&format!("Wrote the questions to answer to {}", out.display()));
        }
        HicpCommand::Assess { file, size } => {
            let bytes = read_import(&file)?;
            let scored = match auth.signed_in()?.record_hicp_csv(size.into(), &bytes) {
                Err(Error::ImportRejected { problems }) => {
                    warn_listed(&problems, "problems", |p| format!("{}:{p}", file.display()));
                    return Err(Error::ImportRejected { problems });
                }
                other => other?,
            };
            say(&format!("Recorded the self-assessment of {}.", scored.date));
            print_scored(&scored);
        }
        HicpCommand::List { json } => {
            let view = auth.signed_in()?.hicp_assessments()?;
            if json {
                print_json(&view.assessments);
                return Ok(());
            }
            if view.assessments.is_empty() {
                say("No self-assessment recorded yet.");
            }
            for s in &view.assessments {
                say(&format!(
                    "{}  {:<6} {:>3}%  {}; {} gaps; by {}",
                    s.date,
                    s.size.as_str(),
                    s.overall.percent,
                    s.overall.words,
                    s.gaps.len(),
                    s.by
                ));
            }
        }
        HicpCommand::Show { date, json } => {
            let scored = auth.signed_in()?.hicp_assessment(date)?;
            if json {
                print_json(&scored);
            } else {
                print_scored(&scored);
            }
        }
        HicpCommand::Chart { out } => {
            write_file(&out, auth.signed_in()?.hicp_assessments()?.over_time.as_bytes())?;
            say(&format!("Wrote the chart to {}", out.display()));
        }
        HicpCommand::GapToRisk { date, question, likelihood, impact } => {
            let v = auth.signed_in()?.hicp_gap_to_risk(date, &question, likelihood, impact)?;
            say(&format!(
                "Added `{}` to the risk register: {} through {} (score {}, due {}).",
                v.risk.id,
                v.risk.threat,
                v.risk.vulnerability,
                v.score,
                v.risk.due.map_or_else(String::new, |d| d.to_string())
            ));
        }
    }
    Ok(())
}

fn print_scored(s: &Scored) {
    say(&format!("{}: {}% ({}), {}", s.date, s.overall.percent, s.overall.words, s.size_words));
    for p in &s.practices {
        say(&format!(
            "  {:>2}. {:<50} {:>3}%  {}",
            p.number, p.title, p.score.percent, p.score.words
        ));
    }
    if s.gaps.is_empty() {
        say("No gaps.");
        return;
    }
    say("Gaps, most serious for patients first (add one with `caregiver hicp gap-to-risk`):");
    for g in &s.gaps {
        let note = g.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        say(&format!("  {:<26} {}: {}{note}", g.question, g.answer_words, g.gap));
    }
}
