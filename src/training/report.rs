//! The training dashboard's data and the compliance report: completion by module and by
//! department (as charts), the overdue list, phishing click and report rates over
//! campaigns, as CSV for a spreadsheet and as one printable HTML page.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::records::{Campaign, Completion, Item, ItemState, completion};
use crate::charts::{self, Bar, Rates};
use crate::csv_safe::write_row;
use crate::{Error, Result, html};

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
    /// Acknowledgment of the written policies by policy and department (filled in by the
    /// application layer, which holds the policies in force), and its chart.
    pub policies: Vec<crate::policy::Compliance>,
    pub policy_chart: String,
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
        policies: Vec::new(),
        policy_chart: String::new(),
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

/// One row per person and module (RFC 4180), every cell guarded against formulas.
pub fn csv(items: &[Item]) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Invalid { what: "report", reason: e.to_string() };
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        [
            "user",
            "department",
            "module",
            "title",
            "status",
            "due",
            "last_acknowledged_utc",
            "reason",
        ],
    )
    .map_err(fail)?;
    for i in items {
        let last = i.last_ack.map(|t| t.to_rfc3339()).unwrap_or_default();
        write_row(
            &mut w,
            [
                i.user.as_str(),
                i.department.as_deref().unwrap_or_default(),
                i.module.as_str(),
                i.title.as_str(),
                state_id(&i.state),
                due_of(&i.state).as_str(),
                last.as_str(),
                i.reason.as_deref().unwrap_or_default(),
            ],
        )
        .map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::Invalid { what: "report", reason: e.to_string() })
}

/// The compliance report as one printable page: the charts, the overdue list, every
/// person's standing, and the campaigns.
pub fn html(
    d: &Dashboard,
    items: &[Item],
    prepared_by: &str,
    (now, zone): (DateTime<Utc>, &crate::words::Zone),
) -> String {
    let department = |i: &Item| i.department.clone().unwrap_or_default();
    let overdue = d
        .overdue
        .iter()
        .map(|i| [i.user.clone(), department(i), i.title.clone(), state_words(&i.state)]);
    let everyone = items.iter().map(|i| {
        [
            i.user.clone(),
            department(i),
            i.title.clone(),
            state_words(&i.state),
            i.last_ack.map(|t| zone.minute(t)).unwrap_or_default(),
        ]
    });
    let campaigns = d.campaigns.iter().map(|c| {
        [
            c.name.clone(),
            c.imported_at.format("%Y-%m-%d").to_string(),
            c.sent.to_string(),
            format!("{} ({:.0}%)", c.clicked, percent(c.clicked, c.sent)),
            format!("{} ({:.0}%)", c.reported, percent(c.reported, c.sent)),
        ]
    });
    let body = maud::html! {
        h1 { "Security training compliance report" }
        p {
            "Prepared " (zone.minute(now)) " by " (prepared_by)
            " from this workstation's store; every acknowledgment is an entry of its signed"
            " activity log."
        }
        h2 { "Completion" }
        (html::picture(&d.module_chart))
        (html::picture(&d.department_chart))
        h2 { "Overdue" }
        (html::table(&["Person", "Department", "Module", "Status"], overdue))
        @if !d.policies.is_empty() {
            h2 { "Written policies" }
            (html::picture(&d.policy_chart))
            (html::table(&["Policy", "Version", "Department", "Acknowledged"], d.policies.iter().map(|c| [
                c.title.clone(),
                c.version.to_string(),
                c.department.clone().unwrap_or_else(|| "(no department)".into()),
                format!("{} of {}", c.acknowledged, c.total),
            ])))
        }
        h2 { "Phishing simulations" }
        (html::picture(&d.phishing_chart))
        (html::table(&["Campaign", "Imported", "Sent", "Clicked", "Reported"], campaigns))
        h2 { "Everyone" }
        (html::table(
            &["Person", "Department", "Module", "Status", "Last acknowledged"],
            everyone,
        ))
    };
    html::page("Security training compliance report", body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::tests::{HOSTILE, assert_escaped};
    use chrono::TimeZone;

    /// A person's name, their department, a module's title and a campaign's name are
    /// escaped; the charts go in as drawn (they escape their own text).
    #[test]
    fn the_html_report_escapes_what_people_typed() {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap();
        let due = at.date_naive();
        let items = vec![Item {
            user: HOSTILE.to_owned(),
            department: Some(HOSTILE.to_owned()),
            module: "phishing-basics".into(),
            title: HOSTILE.to_owned(),
            state: ItemState::Overdue { due, days_over: 3 },
            last_ack: Some(at),
            reason: None,
        }];
        let campaigns = vec![Campaign {
            id: "c1".into(),
            name: HOSTILE.to_owned(),
            imported_at: at,
            sent: 10,
            clicked: 2,
            reported: 5,
            clickers: vec![],
            reporters: vec![],
            unmatched: 0,
        }];
        let d = dashboard(&items, &campaigns).unwrap();
        let html = html(&d, &items, HOSTILE, (at, &crate::words::Zone::UTC));
        // Overdue and everyone: name, department, module (6); the campaign; the preparer.
        assert_escaped(&html, 8);
        assert!(html.contains("<td>2 (20%)</td><td>5 (50%)</td>"), "{html}");
        assert_eq!(html.matches("<svg").count(), 3, "three charts");
    }

    /// What people typed never runs as a formula when a spreadsheet opens the report.
    #[test]
    fn the_csv_report_guards_against_formulas() {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap();
        let items = vec![Item {
            user: "=1+2".into(),
            department: Some("@SUM(A1:A9)".into()),
            module: "phishing-basics".into(),
            title: "-2+3".into(),
            state: ItemState::Overdue { due: at.date_naive(), days_over: 3 },
            last_ack: None,
            reason: Some("+cmd|' /C calc'!A0".into()),
        }];
        let text = String::from_utf8(csv(&items).unwrap()).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert_eq!(
            row,
            "'=1+2,'@SUM(A1:A9),phishing-basics,'-2+3,overdue,2026-11-28,,'+cmd|' /C calc'!A0"
        );
    }
}
