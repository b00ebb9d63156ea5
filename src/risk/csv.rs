//! The risk register as CSV (documented in `docs/risk.md`): one risk a row, read as every
//! import reads CSV ([`crate::csv_table`]), written as every export is. Every problem of a
//! row is reported at its line: a missing or bad id, threat or vulnerability; a
//! likelihood, impact or patient impact out of its range; an unknown treatment or status;
//! a date that is not one; an asset the asset register does not hold; the same id twice
//! (at the later row). Nothing is imported while there is one, unless the bad rows are
//! skipped.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::{PATIENT_IMPACT, Risk, Status, Treatment};
use crate::Result;
use crate::checker::is_valid_id;
use crate::csv_table::{self, Columns, RowProblem, date};
use crate::limits::{MAX_NOTES_CHARS, MAX_TEXT_CHARS, quoted};

/// The most risks one file may hold.
pub const MAX_RISKS: usize = 20_000;

/// The columns, in the order [`write`] writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Threat,
    Vulnerability,
    Assets,
    Likelihood,
    Impact,
    PatientImpact,
    Owner,
    Treatment,
    Plan,
    Due,
    Status,
    NextReview,
}

impl Columns for Field {
    const ALL: &'static [Field] = &[
        Field::Id,
        Field::Threat,
        Field::Vulnerability,
        Field::Assets,
        Field::Likelihood,
        Field::Impact,
        Field::PatientImpact,
        Field::Owner,
        Field::Treatment,
        Field::Plan,
        Field::Due,
        Field::Status,
        Field::NextReview,
    ];
    const REQUIRED: &'static [&'static str] =
        &["id", "threat", "vulnerability", "likelihood", "impact", "treatment"];
    const FILE: &'static str = "risks file";
    const FILE_WITH_ARTICLE: &'static str = "a risks file";
    const MAX_ROWS: usize = MAX_RISKS;

    fn column(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Threat => "threat",
            Field::Vulnerability => "vulnerability",
            Field::Assets => "assets",
            Field::Likelihood => "likelihood",
            Field::Impact => "impact",
            Field::PatientImpact => "patient_impact",
            Field::Owner => "owner",
            Field::Treatment => "treatment",
            Field::Plan => "plan",
            Field::Due => "due",
            Field::Status => "status",
            Field::NextReview => "next_review",
        }
    }
}

/// What an import found: the risks that can be stored (with their lines), and every
/// problem by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub risks: Vec<(usize, Risk)>,
    pub problems: Vec<RowProblem>,
}

/// Reads and checks a file; `assets` are the ids of the asset register.
pub fn parse(bytes: &[u8], assets: &HashSet<&str>) -> Result<Parsed> {
    crate::limits::check_file_size(Field::FILE, bytes)?;
    let table = match csv_table::read::<Field>(bytes)? {
        Ok(table) => table,
        Err(problems) => return Ok(Parsed { risks: Vec::new(), problems }),
    };
    let mut problems = table.problems;
    let mut risks = Vec::new();
    let mut seen = HashSet::new();
    for r in table.rows {
        let mut risk = Risk {
            id: String::new(),
            threat: String::new(),
            vulnerability: String::new(),
            assets: Vec::new(),
            likelihood: 0,
            impact: 0,
            patient_impact: 0,
            owner: None,
            treatment: Treatment::Mitigate,
            plan: None,
            due: None,
            status: Status::Open,
            next_review: None,
        };
        let mut found = Vec::new();
        for (field, text) in &r.values {
            set_field(&mut risk, *field, text, assets, &mut found);
        }
        for (what, text) in
            [("id", &risk.id), ("threat", &risk.threat), ("vulnerability", &risk.vulnerability)]
        {
            if text.is_empty() {
                found.push(format!("`{what}` is empty"));
            }
        }
        if !risk.id.is_empty() && !is_valid_id(&risk.id) {
            found.push(format!(
                "id `{}` must be lower-case letters, digits and dashes, like `ransomware-ehr`",
                quoted(&risk.id)
            ));
        } else if !risk.id.is_empty() && !seen.insert(risk.id.clone()) {
            found.push(format!("the id `{}` is also used by an earlier row", risk.id));
        }
        let bad = !found.is_empty() || !r.located.is_empty();
        problems.extend(r.located);
        problems.extend(found.into_iter().map(|message| RowProblem { line: r.line, message }));
        if !bad {
            risks.push((r.line, risk));
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok(Parsed { risks, problems })
}

/// A score of `column` from `low` to `high`.
fn scale(text: &str, column: &str, (low, high): (u8, u8), problems: &mut Vec<String>) -> u8 {
    match text.parse::<u8>().ok().filter(|n| (low..=high).contains(n)) {
        Some(n) => n,
        None => {
            problems.push(format!(
                "`{column}` must be a whole number from {low} to {high}, not `{}`",
                quoted(text)
            ));
            low
        }
    }
}

fn set_field(
    r: &mut Risk,
    field: Field,
    text: &str,
    assets: &HashSet<&str>,
    problems: &mut Vec<String>,
) {
    let column = field.column();
    let limit = if field == Field::Plan { MAX_NOTES_CHARS } else { MAX_TEXT_CHARS };
    if text.chars().count() > limit {
        problems.push(format!("`{column}` is longer than {limit} characters"));
        return;
    }
    let opt = || (!text.is_empty()).then(|| text.to_owned());
    match field {
        Field::Id => r.id = text.to_owned(),
        Field::Threat => r.threat = text.to_owned(),
        Field::Vulnerability => r.vulnerability = text.to_owned(),
        Field::Assets => {
            r.assets = text
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            for a in r.assets.iter().filter(|a| !assets.contains(a.as_str())) {
                problems.push(format!(
                    "`assets` names `{}`, which the asset register does not hold",
                    quoted(a)
                ));
            }
        }
        Field::Likelihood => r.likelihood = scale(text, column, (1, 5), problems),
        Field::Impact => r.impact = scale(text, column, (1, 5), problems),
        Field::PatientImpact if text.is_empty() => r.patient_impact = 0,
        Field::PatientImpact => {
            let high = PATIENT_IMPACT.iter().map(|(n, _)| *n).max().unwrap_or(0);
            r.patient_impact = scale(text, column, (0, high), problems);
        }
        Field::Owner => r.owner = opt(),
        Field::Plan => r.plan = opt(),
        Field::Treatment => match Treatment::ALL.iter().find(|(n, _)| *n == text.to_lowercase()) {
            Some((_, t)) => r.treatment = *t,
            None => problems.push(format!(
                "unknown treatment `{}`: use mitigate, accept, transfer or avoid",
                quoted(text)
            )),
        },
        Field::Status if text.is_empty() => r.status = Status::Open,
        Field::Status => match Status::ALL.iter().find(|(n, _)| *n == text.to_lowercase()) {
            Some((_, s)) => r.status = *s,
            None => problems.push(format!(
                "unknown status `{}`: use open, in-progress or closed",
                quoted(text)
            )),
        },
        Field::Due => r.due = date(text, column, problems),
        Field::NextReview => r.next_review = date(text, column, problems),
    }
}

/// Writes the register as CSV: every column in order, as every export is written.
pub fn write(risks: &[Risk]) -> Result<Vec<u8>> {
    csv_table::write::<Field, Risk>(risks, cell, "risks CSV")
}

fn cell(r: &Risk, field: Field) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let day =
        |v: Option<NaiveDate>| v.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    match field {
        Field::Id => r.id.clone(),
        Field::Threat => r.threat.clone(),
        Field::Vulnerability => r.vulnerability.clone(),
        Field::Assets => r.assets.join(";"),
        Field::Likelihood => r.likelihood.to_string(),
        Field::Impact => r.impact.to_string(),
        Field::PatientImpact => r.patient_impact.to_string(),
        Field::Owner => text(&r.owner),
        Field::Treatment => r.treatment.as_str().to_owned(),
        Field::Plan => text(&r.plan),
        Field::Due => day(r.due),
        Field::Status => r.status.as_str().to_owned(),
        Field::NextReview => day(r.next_review),
    }
}
