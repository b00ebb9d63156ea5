//! Security training: the modules staff read and acknowledge, checked like playbooks.
//!
//! - [`format`]: the module file format (documented in `playbooks/training/README.md`) and
//!   its checker, every problem as `file:line:column: message`.
//! - This module: the model, the default set embedded from `playbooks/training/*.toml`,
//!   [`validate_paths`] and quiz [`score`]-ing.
//! - [`schedule`]: when the next acknowledgment is due, in the workstation's time zone.
//! - [`phishing`]: importing a simulated-phishing campaign's results (GoPhish's export, or
//!   a simple CSV).
//!
//! Everything here is a pure function of its input: the store keeps who was assigned what,
//! who acknowledged what and when, and the imported campaign results.

pub mod format;
pub mod phishing;
pub mod records;
pub mod report;
pub mod schedule;

use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

pub use crate::checker::Diagnostic;
pub use format::parse;

use crate::{Error, Result, checker};

/// The default training set, `playbooks/training/*.toml`, compiled into the binary. The
/// playbook loader reads only the top level of `playbooks/`, so these are never taken for
/// playbooks.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks/training");

/// File extension of a module file; other files (the README) are skipped.
pub const EXTENSION: &str = "toml";

/// One training module: a short read, a READ-DO checklist, and an optional quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Module {
    pub id: String,
    pub title: String,
    /// Raised whenever the module changes.
    pub version: u32,
    /// The version whose acknowledgments count: this one, unless its change is editorial
    /// (`change = "editorial"`, `material_version = N`): a material change asks everyone
    /// again.
    pub material_version: u32,
    /// Who keeps this module up to date (a team, not a person's name).
    pub owner: String,
    pub recurrence: Recurrence,
    /// Store roles assigned by default: `clinician`, `staff`, `lead`, `admin` (see
    /// [`crate::store::Role`]).
    pub roles: Vec<String>,
    pub summary: String,
    pub sections: Vec<Section>,
    /// Things the learner confirms they will do (READ-DO style), shown before acknowledging.
    pub checklist: Vec<String>,
    pub quiz: Option<Quiz>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quiz {
    /// 1 to 100: the share of right answers needed to pass.
    pub pass_mark_percent: u8,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub ask: String,
    pub choices: Vec<String>,
    /// Index into `choices`, from 0. (The file counts from 1: `answer = 1` is the first.)
    pub answer: usize,
}

/// How often a module must be acknowledged again.
///
/// Serialised as `"once"` or `{"months": 12}`; written in module files (and shown) as
/// `once`, `yearly`, `every month`, `every 6 months` or `every 2 years`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    /// Acknowledged once, never due again (until a new version).
    Once,
    /// Due again this many calendar months after the last acknowledgment.
    Months(u32),
}

/// The longest recurrence a module file may set: ten years.
pub const MAX_RECURRENCE_MONTHS: u32 = 120;

impl Recurrence {
    pub const YEARLY: Recurrence = Recurrence::Months(12);

    /// Reads a recurrence as module files write it, or says why it cannot.
    pub fn read(text: &str) -> std::result::Result<Recurrence, String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let months = match words.as_slice() {
            ["once"] => return Ok(Recurrence::Once),
            ["yearly" | "annually"] | ["every", "year"] => 12,
            ["monthly"] | ["every", "month"] => 1,
            ["every", n, unit @ ("month" | "months" | "year" | "years")] => {
                let per = if unit.starts_with("year") { 12 } else { 1 };
                let n: u32 = n.parse().map_err(|_| Self::unreadable(text))?;
                let months = n.saturating_mul(per);
                if n == 0 || months > MAX_RECURRENCE_MONTHS {
                    return Err(format!(
                        "`{}` is out of range: a recurrence is from 1 to {MAX_RECURRENCE_MONTHS} months",
                        text.trim()
                    ));
                }
                months
            }
            _ => return Err(Self::unreadable(text)),
        };
        Ok(Recurrence::Months(months))
    }

    fn unreadable(text: &str) -> String {
        format!(
            "cannot read the recurrence `{}`: write `once`, `yearly`, `every N months` or `every N years`",
            text.trim()
        )
    }
}

impl std::fmt::Display for Recurrence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Recurrence::Once => f.write_str("once"),
            Recurrence::Months(12) => f.write_str("yearly"),
            Recurrence::Months(1) => f.write_str("every month"),
            Recurrence::Months(n) if n > 12 && n % 12 == 0 => write!(f, "every {} years", n / 12),
            Recurrence::Months(n) => write!(f, "every {n} months"),
        }
    }
}

impl std::str::FromStr for Recurrence {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Recurrence::read(s).map_err(|reason| Error::Invalid { what: "recurrence", reason })
    }
}

/// The result of one quiz attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Questions answered with the right choice.
    pub correct: usize,
    /// Questions in the quiz.
    pub total: usize,
    /// `correct` out of `total`, in whole percent, rounded down (so it never shows a pass
    /// mark that was not reached).
    pub percent: u8,
    pub passed: bool,
}

/// Scores answers (one choice index per question, from 0, in order) against a quiz.
///
/// Passed means: one answer per question, every answer one of its question's choices, and
/// `correct / total` at or above the pass mark (compared exactly, not after rounding). A
/// wrong number of answers, or an answer that is no choice, is not passed; the right
/// answers among those given are still counted.
pub fn score(quiz: &Quiz, answers: &[usize]) -> Score {
    let total = quiz.questions.len();
    let correct = quiz.questions.iter().zip(answers).filter(|(q, a)| q.answer == **a).count();
    let percent = correct.saturating_mul(100).checked_div(total).unwrap_or(0);
    let well_formed = total > 0
        && answers.len() == total
        && quiz.questions.iter().zip(answers).all(|(q, a)| *a < q.choices.len());
    let passed = well_formed
        && correct.saturating_mul(100) >= usize::from(quiz.pass_mark_percent).saturating_mul(total);
    Score { correct, total, percent: u8::try_from(percent).unwrap_or(100), passed }
}

/// Every module of the embedded default set, checked, sorted by title.
pub fn embedded() -> Result<Vec<Module>> {
    checker::embedded(&EMBEDDED, "playbooks/training", EXTENSION)
        .map_err(|diagnostics| Error::TrainingInvalid { diagnostics })
}

/// One module of the embedded set, by id.
pub fn find(id: &str) -> Result<Module> {
    embedded()?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Error::TrainingNotFound { id: id.to_owned() })
}

/// Checks module files: every problem in every file, in order, and module ids used by more
/// than one file. A folder means every `*.toml` file in it (not its subfolders). An empty
/// result means all is well.
pub fn validate_paths(paths: &[&Path]) -> Vec<Diagnostic> {
    checker::validate_paths::<Module>(paths, EXTENSION)
}

#[cfg(test)]
mod tests;
