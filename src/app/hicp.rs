//! The HICP self-assessment through the application layer: the questions for the
//! organisation's size, recording the answers (admins; on the workstation's date), every
//! assessment scored with a chart over time (admins and incident leads), the answers as a
//! CSV to fill in, and a gap made a risk of the register in one step (admins).

use std::collections::BTreeMap;

use serde::Serialize;

use super::App;
use super::records::Export;
use crate::charts::{Bar, percent_bars};
use crate::hicp::{self, Answer, Assessment, Given, Practice, Questionnaire, Scored, Size};
use crate::risk::{self, RiskView};
use crate::store::Permission;
use crate::{Error, Result};

/// The questionnaire as a screen asks it of one size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionsView {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub summary: String,
    /// Each source in words, with its date.
    pub sources: Vec<String>,
    pub size: Size,
    /// Every size with its words, for the choice.
    pub sizes: Vec<(Size, &'static str)>,
    /// Every answer with its words.
    pub answers: Vec<(Answer, &'static str)>,
    pub practices: Vec<Practice>,
}

/// The assessments screen: every assessment scored (newest first), the charts, and
/// whether the person may record one and add gaps to the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentsView {
    pub assessments: Vec<Scored>,
    /// The overall score of each assessment over time, oldest first.
    pub over_time: String,
    /// The latest assessment's score by practice (none before the first).
    pub by_practice: Option<String>,
    /// The risk ids the register holds, so a gap already added says so.
    pub in_register: Vec<String>,
    pub may_record: bool,
}

impl App {
    /// The questions asked of an organisation of `size` (admins and incident leads).
    pub fn hicp_questions(&self, size: Size) -> Result<QuestionsView> {
        self.user()?.require(Permission::ReadAssets, "read the HICP self-assessment")?;
        let q = hicp::hicp()?;
        Ok(QuestionsView {
            id: q.id.clone(),
            title: q.title.clone(),
            version: q.version,
            summary: q.summary.clone(),
            sources: q.sources.iter().map(ToString::to_string).collect(),
            size,
            sizes: Size::ALL.iter().map(|s| (*s, s.words())).collect(),
            answers: Answer::ALL.iter().map(|a| (*a, a.words())).collect(),
            practices: q.for_size(size),
        })
    }

    /// Records the answers as today's assessment (admins), replacing one made earlier today;
    /// returns it scored.
    pub fn record_hicp(&self, size: Size, answers: BTreeMap<String, Given>) -> Result<Scored> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "record a HICP self-assessment")?;
        let q = hicp::hicp()?;
        let answers = answers
            .into_iter()
            .map(|(id, g)| {
                let note = g.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
                (id, Given { note, ..g })
            })
            .collect();
        hicp::check_answers(&q, size, &answers)?;
        let assessment = Assessment {
            date: self.today(),
            size,
            questionnaire: q.id.clone(),
            version: q.version,
            by: session.user_name().to_owned(),
            answers,
        };
        session.record_hicp(&assessment)?;
        Ok(hicp::score(&q, &assessment))
    }

    /// Every assessment scored, newest first, with the charts (admins and incident leads).
    pub fn hicp_assessments(&self) -> Result<AssessmentsView> {
        let session = self.user()?;
        let q = hicp::hicp()?;
        let scored: Vec<Scored> =
            session.hicp_assessments()?.iter().map(|a| hicp::score(&q, a)).collect();
        let over_time = percent_bars(
            "HICP self-assessment score over time",
            &scored
                .iter()
                .map(|s| Bar {
                    label: format!("{} ({})", s.date, s.size.as_str()),
                    percent: f64::from(s.overall.percent),
                    words: s.overall.words.clone(),
                })
                .collect::<Vec<_>>(),
        )?;
        let by_practice = match scored.last() {
            None => None,
            Some(latest) => Some(percent_bars(
                &format!("HICP score by practice, {}", latest.date),
                &latest
                    .practices
                    .iter()
                    .map(|p| Bar {
                        label: format!("{}. {}", p.number, p.title),
                        percent: f64::from(p.score.percent),
                        words: p.score.words.clone(),
                    })
                    .collect::<Vec<_>>(),
            )?),
        };
        let in_register = session.risks()?.into_iter().map(|r| r.id).collect();
        let may_record = session.role_now()?.may(Permission::ManageAssets);
        let assessments = scored.into_iter().rev().collect();
        Ok(AssessmentsView { assessments, over_time, by_practice, in_register, may_record })
    }

    /// One assessment scored, by its date (admins and incident leads).
    pub fn hicp_assessment(&self, date: chrono::NaiveDate) -> Result<Scored> {
        let session = self.user()?;
        let q = hicp::hicp()?;
        let found = session.hicp_assessments()?.into_iter().find(|a| a.date == date);
        found.map(|a| hicp::score(&q, &a)).ok_or_else(|| Error::Invalid {
            what: "assessment",
            reason: format!("no HICP self-assessment was recorded on {date}"),
        })
    }

    /// Adds a gap of an assessment to the risk register in one step (admins): its threat and
    /// weakness, the likelihood and impact given (1 to 5), owned by the admin, to be
    /// mitigated within 90 days. A gap already in the register is refused.
    pub fn hicp_gap_to_risk(
        &self,
        date: chrono::NaiveDate,
        question: &str,
        likelihood: u8,
        impact: u8,
    ) -> Result<RiskView> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "change the risk register")?;
        for (name, n) in [("likelihood", likelihood), ("impact", impact)] {
            if !(1..=5).contains(&n) {
                return Err(Error::Invalid {
                    what: "risk",
                    reason: format!("the {name} must be 1 to 5, not {n}"),
                });
            }
        }
        let scored = self.hicp_assessment(date)?;
        let gap =
            scored.gaps.iter().find(|g| g.question == question).ok_or_else(|| Error::Invalid {
                what: "assessment",
                reason: format!(
                    "question `{question}` is not a gap of the assessment of {date}: \
                     only questions answered partly or no are"
                ),
            })?;
        let today = self.today();
        let risk = hicp::gap_risk(gap, likelihood, impact, session.user_name(), today);
        let id = risk.id.clone();
        session.add_risk(risk)?;
        let views = risk::prioritised(&session.risks()?, today);
        views.into_iter().find(|v| v.risk.id == id).ok_or_else(|| Error::Invalid {
            what: "risk",
            reason: format!("`{id}` was not found in the register after it was added"),
        })
    }

    /// The questions of a size as a CSV to fill in (admins and incident leads): one row a
    /// question, the `answer` and `note` columns empty.
    pub fn hicp_answers_template(&self, size: Size) -> Result<Export> {
        let view = self.hicp_questions(size)?;
        let bytes = hicp::csv::template(&view.practices)?;
        Ok(Export { file_name: format!("hicp-{}-answers.csv", size.as_str()), bytes })
    }

    /// Records an assessment from a filled-in answers CSV (admins): every problem at its line.
    pub fn record_hicp_csv(&self, size: Size, bytes: &[u8]) -> Result<Scored> {
        let q: Questionnaire = hicp::hicp()?;
        let answers = hicp::csv::read(bytes, &q)?;
        self.record_hicp(size, answers)
    }
}

/// Checks self-assessment questionnaire files (no store needed): every problem at its place.
pub fn validate_questionnaires(paths: &[&std::path::Path]) -> Result<()> {
    let problems = hicp::validate_paths(paths);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::AssessmentInvalid { diagnostics: problems })
    }
}

#[cfg(test)]
#[path = "hicp_tests.rs"]
mod tests;
