//! The written policies through the application layer: every policy in force with the
//! signed-in person's standing on those addressed to them; one policy to read (the version
//! in force, or an earlier one the store keeps) as HTML from the core; acknowledging the
//! version in force, under one's own unlock; compliance by policy and department (admins
//! and leads) as CSV or a printable page; and the printable policy itself, its version
//! and effective date on every page.

use chrono::NaiveDate;
use maud::html;
use serde::Serialize;

use super::App;
use super::records::Export;
use super::training::ReportFormat;
use crate::charts::{Bar, percent_bars};
use crate::csv_table::{self, Columns};
use crate::policy::{self, Compliance, Policy, PolicyAck, PolicyItem, Standing};
use crate::store::{Permission, UserInfo};
use crate::{Error, Result};

/// A policy in a list: what it is, and where the signed-in person stands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicySummary {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub effective: NaiveDate,
    pub review: NaiveDate,
    pub owner: String,
    /// `None`: not addressed to the signed-in person.
    pub mine: Option<Standing>,
}

/// One policy's page: a version's text as HTML, its sources, every version kept with its
/// dates, and the reader's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyPage {
    #[serde(flatten)]
    pub summary: PolicySummary,
    /// The version shown (the one in force unless an earlier one was asked for).
    pub shown: u32,
    pub in_force: bool,
    /// The text as written (Markdown), for a terminal.
    pub text: String,
    pub html: String,
    pub sources: Vec<String>,
    /// Every version: (version, effective, superseded on), newest first.
    pub versions: Vec<(u32, NaiveDate, Option<NaiveDate>)>,
}

/// The dashboard's part: compliance by policy and department, and its chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCompliance {
    pub rows: Vec<Compliance>,
    pub chart: String,
}

impl App {
    fn policy_in_force(&self, id: &str) -> Result<Policy> {
        self.policies_in_force()?.iter().find(|p| p.id == id).cloned().ok_or_else(|| {
            Error::Invalid { what: "policy", reason: format!("no policy `{id}` is in force") }
        })
    }

    /// Every (person, policy) pair of the audiences (admins and leads: everyone; others:
    /// their own).
    fn policy_items(&self, everyone: bool) -> Result<Vec<PolicyItem>> {
        let session = self.user()?;
        let users: Vec<UserInfo> =
            if everyone { session.list_users()? } else { vec![session.me()?] };
        let acks = session.policy_acks()?;
        Ok(policy::items(&users, &self.policies_in_force()?, &acks, self.now(), &self.zone().tz()))
    }

    /// Every policy in force, with the signed-in person's standing on those for them.
    pub fn policies(&self) -> Result<Vec<PolicySummary>> {
        let mine = self.policy_items(false)?;
        Ok(self.policies_in_force()?.iter().map(|p| summary(p, &mine)).collect())
    }

    /// One policy to read: the version in force, or `version` if the store keeps it.
    pub fn policy(&self, id: &str, version: Option<u32>) -> Result<PolicyPage> {
        let session = self.user()?;
        let current = self.policy_in_force(id)?;
        let kept = session.policy_versions()?;
        let mut versions: Vec<(u32, NaiveDate, Option<NaiveDate>)> = kept
            .iter()
            .filter(|(_, k)| k.policy.id == id)
            .map(|(_, k)| (k.policy.version, k.policy.effective, k.superseded))
            .collect();
        if !versions.iter().any(|v| v.0 == current.version) {
            versions.push((current.version, current.effective, None));
        }
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        let shown = match version {
            None => current.clone(),
            Some(v) if v == current.version => current.clone(),
            Some(v) => kept
                .into_iter()
                .map(|(_, k)| k.policy)
                .find(|p| p.id == id && p.version == v)
                .ok_or_else(|| Error::Invalid {
                    what: "policy",
                    reason: format!("version {v} of `{id}` is not kept on this workstation"),
                })?,
        };
        let mine = self.policy_items(false)?;
        Ok(PolicyPage {
            summary: summary(&current, &mine),
            shown: shown.version,
            in_force: shown.version == current.version,
            html: policy::html(&shown.body),
            text: shown.body.clone(),
            sources: shown.sources.iter().map(ToString::to_string).collect(),
            versions,
        })
    }

    /// The signed-in person acknowledges the version in force of a policy for them.
    pub fn acknowledge_policy(&self, id: &str) -> Result<PolicyAck> {
        let p = self.policy_in_force(id)?;
        self.user()?.acknowledge_policy(&p)
    }

    /// Compliance by policy and department (admins and leads), with its chart.
    pub fn policy_compliance(&self) -> Result<PolicyCompliance> {
        let session = self.user()?;
        session.require(Permission::SeeTrainingOfEveryone, "see policy compliance")?;
        let rows = policy::compliance(&self.policy_items(true)?);
        let bars: Vec<Bar> = rows
            .iter()
            .map(|c| Bar {
                label: format!(
                    "{}: {}",
                    c.title,
                    c.department.as_deref().unwrap_or("(no department)")
                ),
                percent: if c.total == 0 {
                    0.0
                } else {
                    c.acknowledged as f64 * 100.0 / c.total as f64
                },
                words: format!("{} of {}", c.acknowledged, c.total),
            })
            .collect();
        let chart = percent_bars("Policy acknowledgment by department", &bars)?;
        Ok(PolicyCompliance { rows, chart })
    }

    /// The compliance report (admins and leads): one row a person and policy as CSV, or
    /// the page by policy and department with its chart and who is overdue.
    pub fn policy_report(&self, format: ReportFormat) -> Result<Export> {
        let compliance = self.policy_compliance()?;
        let items = self.policy_items(true)?;
        let today = self.today();
        let (bytes, ext) = match format {
            ReportFormat::Csv => {
                (csv_table::write::<Field, PolicyItem>(&items, cell, "policy report")?, "csv")
            }
            ReportFormat::Html => {
                let printed = self.zone().minute(self.now());
                (report_html(&compliance, &items, &printed).into_bytes(), "html")
            }
        };
        Ok(Export { file_name: format!("policy-report-{today}.{ext}"), bytes })
    }

    /// A policy to print (any signed-in person): its title, version and effective date on
    /// every printed page.
    pub fn print_policy(&self, id: &str, version: Option<u32>) -> Result<Export> {
        let page = self.policy(id, version)?;
        let s = &page.summary;
        let (effective, _) = page
            .versions
            .iter()
            .find(|v| v.0 == page.shown)
            .map_or((s.effective, None), |v| (v.1, v.2));
        let mark = format!("{}, version {}, effective {effective}", s.title, page.shown);
        let body = html! {
            div.page-mark { (mark) }
            h1 { (s.title) }
            p.meta { "Version " (page.shown) ", effective " (effective) ". Owner: " (s.owner) ". Next review: " (s.review) "." }
            div.policy { (crate::html::picture(&page.html)) }
            h2 { "Sources" }
            ul { @for src in &page.sources { li { (src) } } }
        };
        let html = crate::html::page(&mark, body).replace("</style>", PRINT_MARK_CSS);
        Ok(Export { file_name: format!("{id}-v{}.html", page.shown), bytes: html.into_bytes() })
    }

    /// Checks policy files (no store needed): every problem at its place.
    pub fn validate_policies(paths: &[&std::path::Path]) -> Result<()> {
        let problems = policy::validate_paths(paths);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::PolicyInvalid { diagnostics: problems })
        }
    }

    /// Keeps the versions in force the store does not hold yet (an admin's session).
    pub(super) fn keep_policy_versions(&self) -> Result<usize> {
        // Everyone else's unlock loads nothing for it.
        if !self.user()?.role().may(Permission::ManageTraining) {
            return Ok(0);
        }
        let in_force = self.policies_in_force()?;
        self.user()?.keep_policy_versions(&in_force, self.today())
    }
}

/// The page mark printed at the top of every page (a fixed element repeats on each
/// printed page), closing the page's style.
const PRINT_MARK_CSS: &str = ".page-mark{font-size:9pt;color:#3d4650;border-bottom:1px solid #59636e;margin-bottom:1em}\
@media print{.page-mark{position:fixed;top:0;left:0;right:0;background:#fff}body{margin-top:2.5em}}</style>";

fn summary(p: &Policy, mine: &[PolicyItem]) -> PolicySummary {
    PolicySummary {
        id: p.id.clone(),
        title: p.title.clone(),
        version: p.version,
        effective: p.effective,
        review: p.review,
        owner: p.owner.clone(),
        mine: mine.iter().find(|i| i.policy == p.id).map(|i| i.standing.clone()),
    }
}

/// The standing in words, as every view prints it.
pub fn standing_words(s: &Standing) -> String {
    match s {
        Standing::Acknowledged { version, .. } => format!("acknowledged (version {version})"),
        Standing::Due { due, overdue: true } => format!("OVERDUE since {due}"),
        Standing::Due { due, overdue: false } => format!("to acknowledge by {due}"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    User,
    Department,
    Policy,
    Version,
    Status,
    Due,
    Acknowledged,
}

impl Columns for Field {
    const ALL: &'static [Field] = &[
        Field::User,
        Field::Department,
        Field::Policy,
        Field::Version,
        Field::Status,
        Field::Due,
        Field::Acknowledged,
    ];
    const REQUIRED: &'static [&'static str] = &[];
    const FILE: &'static str = "policy report";
    const FILE_WITH_ARTICLE: &'static str = "a policy report";
    const MAX_ROWS: usize = 0;

    fn column(self) -> &'static str {
        match self {
            Field::User => "user",
            Field::Department => "department",
            Field::Policy => "policy",
            Field::Version => "version",
            Field::Status => "status",
            Field::Due => "due",
            Field::Acknowledged => "acknowledged_utc",
        }
    }
}

fn cell(i: &PolicyItem, f: Field) -> String {
    match f {
        Field::User => i.user.clone(),
        Field::Department => i.department.clone().unwrap_or_default(),
        Field::Policy => i.policy.clone(),
        Field::Version => i.version.to_string(),
        Field::Status => match i.standing {
            Standing::Acknowledged { .. } => "acknowledged".into(),
            Standing::Due { overdue: true, .. } => "overdue".into(),
            Standing::Due { overdue: false, .. } => "due".into(),
        },
        Field::Due => match i.standing {
            Standing::Due { due, .. } => due.to_string(),
            Standing::Acknowledged { .. } => String::new(),
        },
        Field::Acknowledged => match i.standing {
            Standing::Acknowledged { at, .. } => at.to_rfc3339(),
            Standing::Due { .. } => String::new(),
        },
    }
}

fn report_html(c: &PolicyCompliance, items: &[PolicyItem], printed: &str) -> String {
    let rows = c.rows.iter().map(|r| {
        [
            r.title.clone(),
            r.version.to_string(),
            r.department.clone().unwrap_or_else(|| "(no department)".into()),
            format!("{} of {}", r.acknowledged, r.total),
        ]
    });
    let overdue = items
        .iter()
        .filter(|i| matches!(i.standing, Standing::Due { overdue: true, .. }))
        .map(|i| {
            [
                i.user.clone(),
                i.department.clone().unwrap_or_default(),
                i.title.clone(),
                standing_words(&i.standing),
            ]
        });
    let body = html! {
        h1 { "Policy acknowledgment report" }
        p { "Printed " (printed) "." }
        (crate::html::picture(&c.chart))
        h2 { "By policy and department" }
        (crate::html::table(&["Policy", "Version", "Department", "Acknowledged"], rows))
        h2 { "Overdue" }
        (crate::html::table(&["Person", "Department", "Policy", "Standing"], overdue))
    };
    crate::html::page("Policy acknowledgment report", body)
}

#[cfg(test)]
#[path = "policies_tests.rs"]
mod tests;
