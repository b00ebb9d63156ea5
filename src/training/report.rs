//! The training dashboard's data and the compliance report: completion by module and by
//! department (as charts), the overdue list, phishing click and report rates over
//! campaigns, as CSV for a spreadsheet and as one printable HTML page.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::records::{Campaign, Completion, Item, ItemState, completion};
use crate::incident::export::escape;
use crate::training::charts::{self, Bar, Rates};
use crate::{Error, Result};

/// What the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub by_module: Vec<Completion>,
    pub by_department: Vec<Completion>,
    pub overdue: Vec<Item>,
    pub campaigns: Vec<Campaign>,
    pub module_chart: String,
    pub department_chart: String,
    pub phishing_chart: String,
}

fn percent(done: usize, total: usize) -> f64 {
    if total == 0 { 0.0 } else { done as f64 * 100.0 / total as f64 }
}

fn bars(groups: &[Completion]) -> Vec<Bar> {
    groups
        .iter()
        .map(|c| Bar {
            label: c.name.clone(),
            percent: percent(c.done, c.total),
            words: format!("{} of {}", c.done, c.total),
        })
        .collect()
}

pub fn dashboard(items: &[Item], campaigns: &[Campaign]) -> Result<Dashboard> {
    let (by_module, by_department) = completion(items);
    let rates: Vec<Rates> = campaigns
        .iter()
        .map(|c| Rates {
            label: c.name.clone(),
            clicked: percent(c.clicked, c.sent),
            reported: percent(c.reported, c.sent),
        })
        .collect();
    let mut overdue: Vec<Item> =
        items.iter().filter(|i| matches!(i.state, ItemState::Overdue { .. })).cloned().collect();
    overdue.sort_by_key(|i| match i.state {
        ItemState::Overdue { days_over, .. } => std::cmp::Reverse(days_over),
        _ => std::cmp::Reverse(0),
    });
    Ok(Dashboard {
        module_chart: charts::percent_bars("Completion by module", &bars(&by_module))?,
        department_chart: charts::percent_bars("Completion by department", &bars(&by_department))?,
        phishing_chart: charts::campaign_rates(
            "Phishing simulations: who clicked, who reported",
            &rates,
        )?,
        by_module,
        by_department,
        overdue,
        campaigns: campaigns.to_vec(),
    })
}

/// An item's standing in words.
pub fn state_words(s: &ItemState) -> String {
    match s {
        ItemState::Done { next: Some(n) } => format!("done; due again {n}"),
        ItemState::Done { next: None } => "done".to_owned(),
        ItemState::NotDue { due, .. } => format!("due {due}"),
        ItemState::DueSoon { due, days_left } => format!("due soon: {due} ({days_left} days)"),
        ItemState::Overdue { due, days_over } => format!("OVERDUE since {due} ({days_over} days)"),
    }
}

fn state_id(s: &ItemState) -> &'static str {
    match s {
        ItemState::Done { .. } => "done",
        ItemState::NotDue { .. } => "not_due",
        ItemState::DueSoon { .. } => "due_soon",
        ItemState::Overdue { .. } => "overdue",
    }
}

fn due_of(s: &ItemState) -> String {
    match s {
        ItemState::Done { next } => next.map(|d| d.to_string()).unwrap_or_default(),
        ItemState::NotDue { due, .. }
        | ItemState::DueSoon { due, .. }
        | ItemState::Overdue { due, .. } => due.to_string(),
    }
}

/// One row per person and module (RFC 4180).
pub fn csv(items: &[Item]) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Invalid { what: "report", reason: e.to_string() };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "user",
        "department",
        "module",
        "title",
        "status",
        "due",
        "last_acknowledged_utc",
        "reason",
    ])
    .map_err(fail)?;
    for i in items {
        let last = i.last_ack.map(|t| t.to_rfc3339()).unwrap_or_default();
        w.write_record([
            i.user.as_str(),
            i.department.as_deref().unwrap_or_default(),
            i.module.as_str(),
            i.title.as_str(),
            state_id(&i.state),
            due_of(&i.state).as_str(),
            last.as_str(),
            i.reason.as_deref().unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::Invalid { what: "report", reason: e.to_string() })
}

/// The compliance report as one printable page: the charts, the overdue list, every
/// person's standing, and the campaigns.
pub fn html(d: &Dashboard, items: &[Item], prepared_by: &str, now: DateTime<Utc>) -> String {
    let row = |cells: &[&str]| -> String {
        let tds: String = cells.iter().map(|c| format!("<td>{}</td>", escape(c))).collect();
        format!("<tr>{tds}</tr>\n")
    };
    let overdue: String = d
        .overdue
        .iter()
        .map(|i| {
            row(&[&i.user, i.department.as_deref().unwrap_or(""), &i.title, &state_words(&i.state)])
        })
        .collect();
    let all: String = items
        .iter()
        .map(|i| {
            let last =
                i.last_ack.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
            row(&[
                &i.user,
                i.department.as_deref().unwrap_or(""),
                &i.title,
                &state_words(&i.state),
                &last,
            ])
        })
        .collect();
    let campaigns: String = d
        .campaigns
        .iter()
        .map(|c| {
            row(&[
                &c.name,
                &c.imported_at.format("%Y-%m-%d").to_string(),
                &c.sent.to_string(),
                &format!("{} ({:.0}%)", c.clicked, percent(c.clicked, c.sent)),
                &format!("{} ({:.0}%)", c.reported, percent(c.reported, c.sent)),
            ])
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Security training compliance report</title>
<style>
body {{ font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 11pt; margin: 1.5cm; color: #000; }}
h1 {{ font-size: 15pt; }} h2 {{ font-size: 12pt; margin-top: 1.2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #000; padding: 3px 6px; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
svg {{ max-width: 100%; height: auto; }}
tr {{ break-inside: avoid; }}
</style></head><body>
<h1>Security training compliance report</h1>
<p>Prepared {now} UTC by {by} from this workstation's store; every acknowledgment is an entry of its signed activity log.</p>
<h2>Completion</h2>
{module_chart}
{department_chart}
<h2>Overdue</h2>
<table><thead><tr><th>Person</th><th>Department</th><th>Module</th><th>Status</th></tr></thead><tbody>
{overdue}</tbody></table>
<h2>Phishing simulations</h2>
{phishing_chart}
<table><thead><tr><th>Campaign</th><th>Imported</th><th>Sent</th><th>Clicked</th><th>Reported</th></tr></thead><tbody>
{campaigns}</tbody></table>
<h2>Everyone</h2>
<table><thead><tr><th>Person</th><th>Department</th><th>Module</th><th>Status</th><th>Last acknowledged (UTC)</th></tr></thead><tbody>
{all}</tbody></table>
</body></html>
"#,
        now = now.format("%Y-%m-%d %H:%M"),
        by = escape(prepared_by),
        module_chart = d.module_chart,
        department_chart = d.department_chart,
        phishing_chart = d.phishing_chart,
    )
}
