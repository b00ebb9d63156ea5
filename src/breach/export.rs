//! The breach register as CSV (RFC 4180, every cell guarded against formulas by
//! `csv_safe`): one row per breach, its columns the fields of HHS's breach report
//! (`docs/breach-register.md` gives each column's source). Two selections: the yearly
//! submission (every breach discovered in a calendar year that affected fewer than 500
//! people, or whose count is still unknown, drills left out: 45 CFR 164.408(c)), and one
//! incident's breach, for its individual report.

use chrono::Datelike;

use super::register::{BreachEntry, Reporting};
use crate::csv_safe::write_row;
use crate::words::Zone;
use crate::{Error, Result};

/// The columns, in order.
pub const COLUMNS: [&str; 30] = [
    "incident",
    "title",
    "drill",
    "breach_start",
    "breach_end",
    "discovery_start",
    "discovery_end",
    "individuals_affected",
    "affected_by_state",
    "hhs_reporting",
    "breach_type",
    "breach_type_other",
    "location",
    "location_other",
    "phi_types",
    "phi_other",
    "description",
    "safeguards",
    "individual_notice_start",
    "individual_notice_end",
    "substitute_notice",
    "media_notice",
    "media_notice_date",
    "hhs_reported",
    "actions",
    "actions_other",
    "business_associate",
    "assessment",
    "assessed_by",
    "assessed_at",
];

/// The breaches of the yearly submission for `year` (discovered that calendar year in the
/// workstation's zone, fewer than 500 affected or not known yet, no drills), and the ids of
/// those whose count is not recorded yet.
pub fn of_year(entries: Vec<BreachEntry>, year: i32) -> (Vec<BreachEntry>, Vec<String>) {
    let rows: Vec<BreachEntry> = entries
        .into_iter()
        .filter(|e| e.discovered.year() == year && !e.incident.drill)
        .filter(|e| e.reporting != Reporting::Now)
        .collect();
    let unknown = rows
        .iter()
        .filter(|e| e.reporting == Reporting::Unknown)
        .map(|e| e.incident.id.clone())
        .collect();
    (rows, unknown)
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn yes_no(b: Option<bool>) -> String {
    b.map(|b| if b { "yes" } else { "no" }).unwrap_or_default().to_owned()
}

fn labels<T: Copy>(list: &[T], label: fn(T) -> &'static str) -> String {
    list.iter().map(|v| label(*v)).collect::<Vec<_>>().join("; ")
}

/// One breach's row, as [`COLUMNS`] names them.
fn row(e: &BreachEntry, zone: &Zone) -> [String; 30] {
    let r = &e.report;
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let reporting = match e.reporting {
        Reporting::Now => "500 or more: reported at the same time as the individuals",
        Reporting::Yearly => "fewer than 500: yearly report",
        Reporting::Unknown => "number affected not recorded",
    };
    let assessed = e.assessment.as_ref();
    [
        e.incident.id.clone(),
        e.incident.title.clone(),
        (if e.incident.drill { "yes" } else { "no" }).to_owned(),
        day(r.breach_start),
        day(r.breach_end),
        day(Some(e.discovered)),
        day(r.discovery_end),
        r.affected.as_ref().map(|a| a.total.to_string()).unwrap_or_default(),
        r.affected.as_ref().map(super::Affected::states_words).unwrap_or_default(),
        reporting.to_owned(),
        labels(&r.types, |v| v.label()),
        text(&r.type_other),
        labels(&r.locations, |v| v.label()),
        text(&r.location_other),
        labels(&r.phi, |v| v.label()),
        text(&r.phi_other),
        text(&r.description),
        labels(&r.safeguards, |v| v.label()),
        day(r.notice_start),
        day(r.notice_end),
        yes_no(r.substitute_notice),
        yes_no(r.media_notice),
        day(r.media_notice_date),
        day(r.hhs_reported),
        labels(&r.actions, |v| v.label()),
        text(&r.actions_other),
        text(&r.business_associate),
        assessed.map(|a| a.assessment.outcome.as_str().to_owned()).unwrap_or_default(),
        assessed.map(|a| a.by.clone()).unwrap_or_default(),
        assessed.map(|a| zone.minute(a.at)).unwrap_or_default(),
    ]
}

/// The breaches as CSV, a header and one row each; times in `zone`.
pub fn csv(entries: &[BreachEntry], zone: &Zone) -> Result<String> {
    let fail = |e: csv::Error| Error::Invalid { what: "export", reason: e.to_string() };
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(&mut w, COLUMNS).map_err(fail)?;
    for e in entries {
        write_row(&mut w, row(e, zone)).map_err(fail)?;
    }
    let bytes =
        w.into_inner().map_err(|e| Error::Invalid { what: "export", reason: e.to_string() })?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid { what: "export", reason: e.to_string() })
}
