//! The HICP self-assessment (issue 17): the ten HHS 405(d) Health Industry Cybersecurity
//! Practices as a questionnaire sized to the organisation, scored, kept per date, and each
//! gap turned into a risk of the risk register in one step.
//!
//! - [`format`]: the questionnaire file format (`playbooks/assessments/*.toml`, documented
//!   in its README) and its checker, every problem as `file:line:column: message`.
//! - This module: the model, the embedded questionnaire, an assessment's record
//!   (`Kind::HicpAssessment`, one per date under a random record id, signed by the admins' key: admins record,
//!   incident leads read, as the risk register) and its [`score`].

pub mod csv;
pub mod format;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

pub use crate::checker::Diagnostic;
use crate::limits::MAX_NOTES_CHARS;
use crate::playbook::rules::Source;
use crate::risk::{Risk, Status, Treatment};
use crate::store::{Kind, Permission, Record, Session};
use crate::{Error, Result, checker};

/// The questionnaires, `playbooks/assessments/*.toml`, compiled into the binary.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks/assessments");

/// File extension of a questionnaire file; other files (the README) are skipped.
pub const EXTENSION: &str = "toml";

/// The questionnaire the app asks: HICP, 2023 edition.
pub const HICP: &str = "hicp-2023";

/// HICP's number of practices.
pub const PRACTICES: u8 = 10;

/// The organisation's size, as HICP sizes its sub-practices: small organisations take
/// Technical Volume 1; medium ones Technical Volume 2's medium sub-practices; large ones
/// those and the large ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    pub fn read(text: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Which of HICP's volumes it answers to, in words.
    pub fn words(self) -> &'static str {
        match self {
            Size::Small => "small: HICP Technical Volume 1",
            Size::Medium => "medium: HICP Technical Volume 2, the medium sub-practices",
            Size::Large => "large: HICP Technical Volume 2, the medium and large sub-practices",
        }
    }
}

/// One answer to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// In place.
    Yes,
    Partly,
    /// Not in place.
    No,
    /// Does not apply to this organisation: left out of the score.
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 4] = [Answer::Yes, Answer::Partly, Answer::No, Answer::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::Partly => "partly",
            Answer::No => "no",
            Answer::NotApplicable => "not-applicable",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Answer::Yes => "in place",
            Answer::Partly => "partly in place",
            Answer::No => "not in place",
            Answer::NotApplicable => "not applicable",
        }
    }

    /// As a person or a spreadsheet writes it: `yes`, `partly`, `no`, `n/a` and the like.
    pub fn read(text: &str) -> Option<Answer> {
        match text.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "in place" => Some(Answer::Yes),
            "partly" | "partial" | "partially" => Some(Answer::Partly),
            "no" | "n" | "not in place" => Some(Answer::No),
            "n/a" | "na" | "not-applicable" | "not applicable" => Some(Answer::NotApplicable),
            _ => None,
        }
    }

    /// Points out of 2 (none for not applicable).
    fn points(self) -> Option<u32> {
        match self {
            Answer::Yes => Some(2),
            Answer::Partly => Some(1),
            Answer::No => Some(0),
            Answer::NotApplicable => None,
        }
    }
}

/// A questionnaire, as its file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Questionnaire {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub summary: String,
    pub sources: Vec<Source>,
    pub threats: Vec<Threat>,
    pub practices: Vec<Practice>,
}

/// One of the threats the practices answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threat {
    pub id: String,
    pub title: String,
}

/// One practice and its questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Practice {
    pub number: u8,
    pub title: String,
    pub questions: Vec<Question>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub id: String,
    /// The sizes of organisation it is asked of.
    pub sizes: Vec<Size>,
    /// The question, answered in place, partly, not in place, or not applicable.
    pub ask: String,
    /// The weakness when it is not in place: a gap's risk's vulnerability.
    pub gap: String,
    /// The threat id a gap's risk names.
    pub threat: String,
    /// How a gap touches patient care, 0 to 3 ([`crate::risk::PATIENT_IMPACT`]).
    pub patient_impact: u8,
}

impl Questionnaire {
    /// The practices with only the questions asked of `size`.
    pub fn for_size(&self, size: Size) -> Vec<Practice> {
        self.practices
            .iter()
            .map(|p| Practice {
                questions: p
                    .questions
                    .iter()
                    .filter(|q| q.sizes.contains(&size))
                    .cloned()
                    .collect(),
                ..p.clone()
            })
            .collect()
    }

    fn question(&self, id: &str) -> Option<(&Practice, &Question)> {
        self.practices.iter().find_map(|p| p.questions.iter().find(|q| q.id == id).map(|q| (p, q)))
    }

    fn threat_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.threats.iter().find(|t| t.id == id).map_or(id, |t| t.title.as_str())
    }
}

/// The embedded HICP questionnaire, checked (once per process, when it checks out).
pub fn hicp() -> Result<Questionnaire> {
    static CHECKED: std::sync::OnceLock<Questionnaire> = std::sync::OnceLock::new();
    if let Some(q) = CHECKED.get() {
        return Ok(q.clone());
    }
    let q = checker::embedded::<Questionnaire>(&EMBEDDED, "playbooks/assessments", EXTENSION)
        .map_err(|diagnostics| Error::AssessmentInvalid { diagnostics })?
        .into_iter()
        .find(|q| q.id == HICP)
        .ok_or_else(|| Error::Invalid {
            what: "assessment",
            reason: format!("the built-in questionnaire `{HICP}` is missing"),
        })?;
    Ok(CHECKED.get_or_init(|| q).clone())
}

/// Checks questionnaire files: every problem in every file, in order. A folder means every
/// `*.toml` file in it. An empty result means all is well.
pub fn validate_paths(paths: &[&Path]) -> Vec<Diagnostic> {
    checker::validate_paths::<Questionnaire>(paths, EXTENSION)
}

/// One answer given, with an optional note (what is in place, what is planned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    pub answer: Answer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One self-assessment, as recorded: one a date (recording again that day replaces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub date: NaiveDate,
    pub size: Size,
    /// The questionnaire and its version answered.
    pub questionnaire: String,
    pub version: u32,
    /// Who recorded it.
    pub by: String,
    /// Each question asked of the size, by id.
    pub answers: BTreeMap<String, Given>,
}

impl Record for Assessment {
    const KIND: Kind = Kind::HicpAssessment;
}

/// Checks answers against the questions asked of `size`: every one answered, none to a
/// question not asked, notes within bounds.
pub fn check_answers(
    q: &Questionnaire,
    size: Size,
    answers: &BTreeMap<String, Given>,
) -> Result<()> {
    let invalid = |reason: String| Error::Invalid { what: "assessment", reason };
    let asked: Vec<&Question> =
        q.practices.iter().flat_map(|p| &p.questions).filter(|x| x.sizes.contains(&size)).collect();
    if let Some(id) = answers.keys().find(|id| !asked.iter().any(|x| &&x.id == id)) {
        return Err(invalid(match q.question(id) {
            Some(_) => format!("question `{id}` is not asked of a {} organisation", size.as_str()),
            None => format!("the questionnaire has no question `{id}`"),
        }));
    }
    let missing: Vec<&str> =
        asked.iter().filter(|x| !answers.contains_key(&x.id)).map(|x| x.id.as_str()).collect();
    if !missing.is_empty() {
        let more = if missing.len() > 5 {
            format!(" and {} more", missing.len() - 5)
        } else {
            String::new()
        };
        return Err(invalid(format!(
            "{} of {} questions are not answered: {}{more}",
            missing.len(),
            asked.len(),
            missing.iter().take(5).copied().collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some((id, _)) = answers
        .iter()
        .find(|(_, g)| g.note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS))
    {
        return Err(invalid(format!("the note to `{id}` is over {MAX_NOTES_CHARS} characters")));
    }
    Ok(())
}

/// A score: points out of the possible (2 a question in place, 1 partly), and the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub percent: u8,
    pub in_place: usize,
    pub partly: usize,
    pub not_in_place: usize,
    pub not_applicable: usize,
    /// `8 of 12 in place, 2 partly`.
    pub words: String,
}

impl Score {
    fn of(answers: impl Iterator<Item = Answer>) -> Score {
        let mut s = Score::default();
        let (mut points, mut possible) = (0u32, 0u32);
        for a in answers {
            match a {
                Answer::Yes => s.in_place += 1,
                Answer::Partly => s.partly += 1,
                Answer::No => s.not_in_place += 1,
                Answer::NotApplicable => s.not_applicable += 1,
            }
            if let Some(p) = a.points() {
                points += p;
                possible += 2;
            }
        }
        s.percent = u8::try_from((points * 100).checked_div(possible).unwrap_or(0)).unwrap_or(100);
        let applicable = s.in_place + s.partly + s.not_in_place;
        s.words = format!("{} of {applicable} in place", s.in_place);
        if s.partly > 0 {
            s.words.push_str(&format!(", {} partly", s.partly));
        }
        s
    }
}

/// One practice's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PracticeScore {
    pub number: u8,
    pub title: String,
    #[serde(flatten)]
    pub score: Score,
}

/// A question not (fully) in place: what a risk of the register would say of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub question: String,
    pub practice: u8,
    pub practice_title: String,
    pub ask: String,
    pub answer: Answer,
    pub answer_words: &'static str,
    pub note: Option<String>,
    pub gap: String,
    pub threat: String,
    pub patient_impact: u8,
    /// The risk id a gap becomes: `hicp-email-mfa`.
    pub risk_id: String,
}

/// An assessment scored: overall, by practice, and its gaps (most serious for patients
/// first, then in practice order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub date: NaiveDate,
    pub size: Size,
    pub size_words: &'static str,
    pub by: String,
    pub questionnaire: String,
    pub version: u32,
    pub overall: Score,
    pub practices: Vec<PracticeScore>,
    pub gaps: Vec<Gap>,
}

/// The risk id a question's gap becomes.
pub fn risk_id(question: &str) -> String {
    format!("hicp-{question}")
}

/// Scores an assessment against its questionnaire (questions it no longer holds, from an
/// older version, are left out).
pub fn score(q: &Questionnaire, a: &Assessment) -> Scored {
    let mut practices = Vec::new();
    let mut gaps = Vec::new();
    for p in &q.practices {
        let answered: Vec<(&Question, &Given)> =
            p.questions.iter().filter_map(|x| a.answers.get(&x.id).map(|g| (x, g))).collect();
        practices.push(PracticeScore {
            number: p.number,
            title: p.title.clone(),
            score: Score::of(answered.iter().map(|(_, g)| g.answer)),
        });
        for (x, g) in answered {
            if matches!(g.answer, Answer::Partly | Answer::No) {
                gaps.push(Gap {
                    question: x.id.clone(),
                    practice: p.number,
                    practice_title: p.title.clone(),
                    ask: x.ask.clone(),
                    answer: g.answer,
                    answer_words: g.answer.words(),
                    note: g.note.clone(),
                    gap: x.gap.clone(),
                    threat: q.threat_title(&x.threat).to_owned(),
                    patient_impact: x.patient_impact,
                    risk_id: risk_id(&x.id),
                });
            }
        }
    }
    gaps.sort_by_key(|g| (std::cmp::Reverse(g.patient_impact), g.answer != Answer::No, g.practice));
    let known = q.practices.iter().flat_map(|p| &p.questions);
    let overall = Score::of(known.filter_map(|x| a.answers.get(&x.id)).map(|g| g.answer));
    Scored {
        date: a.date,
        size: a.size,
        size_words: a.size.words(),
        by: a.by.clone(),
        questionnaire: a.questionnaire.clone(),
        version: a.version,
        overall,
        practices,
        gaps,
    }
}

/// How a gap becomes a risk: its threat and weakness, the likelihood and impact the admin
/// gives, its question's impact on patient care, owned by `owner`, to be mitigated within
/// 90 days and reviewed then.
pub fn gap_risk(gap: &Gap, likelihood: u8, impact: u8, owner: &str, today: NaiveDate) -> Risk {
    let due = today + chrono::Days::new(90);
    Risk {
        id: gap.risk_id.clone(),
        threat: gap.threat.clone(),
        vulnerability: gap.gap.clone(),
        assets: Vec::new(),
        likelihood,
        impact,
        patient_impact: gap.patient_impact,
        owner: Some(owner.to_owned()),
        treatment: Treatment::Mitigate,
        plan: Some(format!("HICP practice {} ({}): {}", gap.practice, gap.practice_title, gap.ask)),
        due: Some(due),
        status: Status::Open,
        next_review: Some(due),
    }
}

impl Session {
    /// Every self-assessment recorded, oldest first (admins and incident leads).
    pub fn hicp_assessments(&self) -> Result<Vec<Assessment>> {
        self.require(Permission::ReadAssets, "read the HICP self-assessments")?;
        let mut list: Vec<Assessment> =
            self.list::<Assessment>()?.into_iter().map(|s| s.value).collect();
        list.sort_by_key(|a| a.date);
        Ok(list)
    }

    /// Records a self-assessment (admins): it replaces one of the same date. Its record id
    /// is random, as every record there can be many of: the date stays sealed.
    pub fn record_hicp(&self, assessment: &Assessment) -> Result<()> {
        self.require(Permission::ManageAssets, "record a HICP self-assessment")?;
        let same_day =
            self.list::<Assessment>()?.into_iter().find(|s| s.value.date == assessment.date);
        let id = match same_day {
            Some(s) => s.id,
            None => crate::store::new_record_id()?,
        };
        self.write(|w| {
            w.require(Permission::ManageAssets, "record a HICP self-assessment")?;
            w.put(&id, assessment)?;
            Ok(())
        })
    }

    /// Adds one risk to the register (admins); an id the register holds is refused.
    pub fn add_risk(&self, risk: Risk) -> Result<()> {
        let mut risks = self.risks()?;
        if risks.iter().any(|r| r.id == risk.id) {
            return Err(Error::Invalid {
                what: "risk",
                reason: format!("the risk register already holds `{}`", risk.id),
            });
        }
        risks.push(risk);
        let register = crate::risk::RiskRegister(risks);
        self.write(|w| {
            w.require(Permission::ManageAssets, "change the risk register")?;
            w.put(crate::risk::REGISTER, &register)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
