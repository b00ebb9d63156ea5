//! The heat map, the printable report and the report's CSV, on the sample register.

use std::collections::HashSet;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::html::tests::{HOSTILE, assert_escaped};

const SAMPLE: &[u8] = include_bytes!("../../../tests/fixtures/risk/sample.csv");

fn risks() -> Vec<Risk> {
    let assets: HashSet<&str> =
        ["ad-core", "ehr-db", "ehr-app", "pacs", "pump-4e-07"].into_iter().collect();
    let p = super::super::csv::parse(SAMPLE, &assets).unwrap();
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    p.risks.into_iter().map(|(_, r)| r).collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
}

/// The cells of the tooltip layer: (likelihood, impact, count, band, title).
fn cells(svg: &str) -> Vec<(usize, usize, usize, String, String)> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!(" {name}=\"");
        let from = tag.find(&key).unwrap() + key.len();
        tag[from..].split('"').next().unwrap().to_owned()
    };
    svg.split("<rect class=\"cell\"")
        .skip(1)
        .map(|rest| {
            let tag = rest.split('>').next().unwrap();
            let title = rest.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
            (
                attr(tag, "data-likelihood").parse().unwrap(),
                attr(tag, "data-impact").parse().unwrap(),
                attr(tag, "data-count").parse().unwrap(),
                attr(tag, "data-band"),
                title.to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_heat_map_is_an_accessible_svg_with_a_titled_cell_for_each_of_25() {
    let svg = heat_map_svg(&risks());
    assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Risk heat map of 4 risks"), "{svg}");
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert!(svg.contains("1 critical, 2 high, 1 medium, 0 low"), "{svg}");
    assert!(!svg.contains("font-face") && !svg.contains(".ttf"));
    let cells = cells(&svg);
    assert_eq!(cells.len(), 25);
    let at = |l: usize, i: usize| cells.iter().find(|c| c.0 == l && c.1 == i).unwrap().clone();
    assert_eq!(at(4, 5), (4, 5, 1, "critical".into(), "Likelihood 4, impact 5: 1 risk".into()));
    assert_eq!(at(2, 5).2, 1);
    assert_eq!(at(3, 3).3, "medium");
    assert_eq!(at(3, 4).3, "high");
    assert_eq!(at(1, 1), (1, 1, 0, "low".into(), "Likelihood 1, impact 1: 0 risks".into()));
    // The closed phi-email (L3 x I2) is not counted.
    assert_eq!(at(3, 2).2, 0);
    assert_eq!(cells.iter().map(|c| c.2).sum::<usize>(), 4);
    // The band is in words too, not only in colour.
    for band in ["low", "medium", "high", "critical"] {
        assert!(svg.contains(&format!(">\n{band}\n</text>")), "{band}");
    }
}

#[test]
fn an_empty_register_draws_an_empty_map() {
    let svg = heat_map_svg(&[]);
    assert_eq!(cells(&svg).len(), 25);
    assert!(svg.contains("aria-label=\"Risk heat map of 0 risks"));
}

#[test]
fn the_report_lists_the_register_in_priority_order_with_its_flags_and_escapes_text() {
    let mut list = risks();
    list[3].threat = HOSTILE.into();
    let zone = crate::words::Zone::named("UTC").unwrap();
    let now = Utc.with_ymd_and_hms(2027, 2, 1, 9, 30, 0).unwrap();
    let page = html(&list, today(), "Ada Admin", (now, &zone));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<h1>Risk register</h1>") && page.contains("by Ada Admin"));
    assert!(page.contains("<svg role=\"img\""));
    let at = |id: &str| page.find(&format!("<td>{id}</td>")).unwrap_or_else(|| panic!("{id}"));
    let order = ["ransomware-ehr", "pump-takeover", "pacs-outage", "bec-payroll", "phi-email"];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{pair:?}");
    }
    assert!(page.contains("<td>20 (critical)</td>"));
    assert!(page.contains("<td>direct: patients could be harmed, or care stops</td>"));
    assert!(page.contains("<td>treatment overdue</td>"));
    assert!(page.contains("<td>review due</td>"));
    assert_escaped(&page, 1);
}

#[test]
fn the_csv_report_has_the_rank_score_band_and_flags() {
    let bytes = csv_report(&risks(), today()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "rank,id,threat,vulnerability,assets,likelihood,impact,score,band,patient_impact,owner,\
         treatment,plan,due,status,next_review,treatment_overdue,review_due"
    );
    assert_eq!(lines.len(), 6);
    assert!(lines[1].starts_with("1,ransomware-ehr,"), "{}", lines[1]);
    assert!(lines[1].contains(",ehr-db;ehr-app,4,5,20,critical,3,CISO,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",2026-11-15,in-progress,2027-03-01,yes,no"), "{}", lines[1]);
    assert!(lines[2].starts_with("2,pump-takeover,") && lines[2].ends_with(",no,yes"));
    assert!(lines[5].starts_with("5,phi-email,") && lines[5].ends_with(",closed,2027-12-01,no,no"));
}

#[test]
fn bands_cover_every_score() {
    let names: Vec<&str> = [1, 4, 5, 9, 10, 15, 16, 25].map(|s| Band::of(s).name()).to_vec();
    assert_eq!(names, ["low", "low", "medium", "medium", "high", "high", "critical", "critical"]);
}
