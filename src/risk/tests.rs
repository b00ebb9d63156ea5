//! The risk register's CSV, its priority order and its heat map.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::csv::{parse, write};
use super::*;

const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/risk/sample.csv");
const PROBLEMS: &[u8] = include_bytes!("../../tests/fixtures/risk/problems.csv");

fn assets() -> HashSet<&'static str> {
    ["ad-core", "ehr-db", "ehr-app", "pacs", "pump-4e-07"].into_iter().collect()
}

fn risks() -> Vec<Risk> {
    let p = parse(SAMPLE, &assets()).unwrap();
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    p.risks.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn every_bad_row_is_named_at_its_line() {
    let p = parse(PROBLEMS, &assets()).unwrap();
    let lines: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "line 3: `likelihood` must be a whole number from 1 to 5, not `6`",
            "line 4: `assets` names `printer-9`, which the asset register does not hold",
            "line 5: the id `ransomware-ehr` is also used by an earlier row",
            "line 6: unknown treatment `ignore`: use mitigate, accept, transfer or avoid",
            "line 6: `due` must be a date like 2026-12-31, not `31/12/2026`",
            "line 6: unknown status `maybe`: use open, in-progress or closed",
        ]
    );
    assert_eq!(p.risks.iter().map(|(_, r)| r.id.as_str()).collect::<Vec<_>>(), ["ransomware-ehr"]);
}

#[test]
fn an_export_imports_back_to_the_same_register() {
    let before = risks();
    let after: Vec<Risk> = parse(&write(&before).unwrap(), &assets())
        .unwrap()
        .risks
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(after, before);
}

/// Patient impact weighs first, then the score; closed risks last. A treatment past its
/// date is overdue unless closed; a review on or before today is due.
#[test]
fn the_priority_order_puts_patients_first() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let list = prioritised(&risks(), today);
    let ids: Vec<&str> = list.iter().map(|v| v.risk.id.as_str()).collect();
    // bec-payroll scores 12 but touches no patient: after pacs-outage (9, care delayed).
    assert_eq!(ids, ["ransomware-ehr", "pump-takeover", "pacs-outage", "bec-payroll", "phi-email"]);
    assert_eq!(list[0].score, 20);
    assert!(list[0].treatment_overdue && !list[1].treatment_overdue);
    let grid = heat(&risks());
    assert_eq!(grid[3][4], 1, "ransomware-ehr: likelihood 4, impact 5");
    assert_eq!(grid.iter().flatten().sum::<usize>(), 4, "the closed risk is not on the map");
}
