//! The exercise register: the exercises of a year by type, against 42 CFR 482.15(d)(2)'s
//! two a year (one full-scale or functional exercise; one more, which may be a
//! facilitator-led tabletop), with what each covered and what is still required, and the
//! years' standing as a chart (`crate::charts`). Admins and incident leads see it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::run::Exercise;
use super::{ExerciseType, Package};
use crate::Result;
use crate::words::Zone;

/// Exercises a year 42 CFR 482.15(d)(2) asks of a hospital.
pub const REQUIRED: usize = 2;

/// One exercise of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: ExerciseType,
    /// The local date it started.
    pub date: String,
    pub ended: bool,
    /// The playbooks its injects tested, and the core capabilities its objectives name.
    pub playbooks: Vec<String>,
    pub capabilities: Vec<String>,
    pub observations: usize,
    /// An exercise held outside the app, entered by hand: what it covered, in words.
    pub recorded: Option<String>,
}

/// An exercise held outside the app, as its `exercise_recorded` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub seq: u64,
    pub date: chrono::NaiveDate,
    pub kind: ExerciseType,
    pub title: String,
    pub summary: String,
}

/// Every exercise entered by hand in `entries` (the whole log).
pub fn recorded(entries: &[crate::events::Entry]) -> Vec<Recorded> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            crate::events::Event::ExerciseRecorded { date, kind, summary, title } => {
                Some(Recorded {
                    seq: e.seq,
                    date: *date,
                    kind: *kind,
                    title: title.clone(),
                    summary: summary.clone(),
                })
            }
            _ => None,
        })
        .collect()
}

/// One year of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Year {
    pub year: i32,
    pub exercises: Vec<Held>,
    /// How many of each type.
    pub by_type: BTreeMap<String, usize>,
    /// What 42 CFR 482.15(d)(2) still asks for this year, in words (empty: met).
    pub still_required: Vec<String>,
}

/// The register: the years asked for, newest first, and the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Register {
    pub years: Vec<Year>,
    pub chart_svg: String,
}

/// What the rule still asks of a year that held `held`.
fn still_required(held: &[Held]) -> Vec<String> {
    let mut out = Vec::new();
    let operations = held.iter().filter(|h| h.kind.operations_based()).count();
    if operations == 0 {
        out.push("a full-scale or functional exercise (42 CFR 482.15(d)(2)(i))".to_owned());
    }
    // The second may be of any type: any exercise beyond the one that fills the first.
    if held.len() - usize::from(operations > 0) == 0 {
        out.push("one more exercise: full-scale, functional, a mock drill, or a tabletop or workshop led by a facilitator (42 CFR 482.15(d)(2)(ii))".to_owned());
    }
    out
}

/// The register of `exercises` for `years` (newest first), dates read in `zone`.
pub fn register(
    exercises: &[Exercise],
    by_hand: &[Recorded],
    packages: &[Package],
    years: &[i32],
    zone: &Zone,
) -> Result<Register> {
    let tz = zone.tz();
    let mut out = Vec::new();
    for &year in years {
        let mut held: Vec<Held> = exercises
            .iter()
            .filter(|x| chrono::Datelike::year(&x.started.with_timezone(&tz)) == year)
            .map(|x| {
                let package = packages.iter().find(|p| p.id == x.package);
                let mut playbooks: Vec<String> = x
                    .injects
                    .iter()
                    .flat_map(|i| &i.inject.tests)
                    .map(|t| t.playbook.clone())
                    .collect();
                playbooks.sort();
                playbooks.dedup();
                let mut capabilities: Vec<String> = package
                    .map(|p| p.objectives.iter().flat_map(|o| o.capabilities.clone()).collect())
                    .unwrap_or_default();
                capabilities.sort();
                capabilities.dedup();
                Held {
                    id: x.id.clone(),
                    title: x.title.clone(),
                    kind: x.kind,
                    date: zone.format(x.started, "%Y-%m-%d"),
                    ended: x.ended.is_some(),
                    playbooks,
                    capabilities,
                    observations: x.observations.len(),
                    recorded: None,
                }
            })
            .collect();
        held.extend(by_hand.iter().filter(|r| chrono::Datelike::year(&r.date) == year).map(|r| {
            Held {
                id: format!("recorded-{}", r.seq),
                title: r.title.clone(),
                kind: r.kind,
                date: r.date.to_string(),
                ended: true,
                playbooks: Vec::new(),
                capabilities: Vec::new(),
                observations: 0,
                recorded: Some(r.summary.clone()),
            }
        }));
        held.sort_by(|a, b| a.date.cmp(&b.date));
        let mut by_type = BTreeMap::new();
        for h in &held {
            *by_type.entry(h.kind.key().to_owned()).or_insert(0) += 1;
        }
        out.push(Year { year, still_required: still_required(&held), exercises: held, by_type });
    }
    let bars: Vec<crate::charts::Bar> = out
        .iter()
        .rev()
        .map(|y| {
            let met = REQUIRED - y.still_required.len().min(REQUIRED);
            crate::charts::Bar {
                label: y.year.to_string(),
                percent: (met * 100 / REQUIRED) as f64,
                words: format!("{} held, {met} of {REQUIRED} required met", y.exercises.len()),
            }
        })
        .collect();
    let chart_svg =
        crate::charts::percent_bars("Exercises a year against 42 CFR 482.15(d)(2)", &bars)?;
    Ok(Register { years: out, chart_svg })
}
