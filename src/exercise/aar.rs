//! The after-action report and improvement plan (AAR/IP) in HSEEP's layout: the exercise
//! overview, then per objective its core capabilities, each critical task's ratings, the
//! strengths (tasks performed without challenges) and areas for improvement (the others,
//! and tasks not observed); the timeline picture; the decisions by inject; and the
//! improvement plan, every corrective action with its owner, due date, what it changes and
//! where it stands. One printable page through [`crate::html::page`].

use chrono::{DateTime, NaiveDate, Utc};
use maud::html;
use serde::Serialize;

use super::actions::Action;
use super::run::{Exercise, Rating};
use super::{CORE_CAPABILITIES, Package};
use crate::html;
use crate::words::Zone;

/// One objective's analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveAnalysis {
    pub id: String,
    pub text: String,
    pub capabilities: Vec<String>,
    /// Each critical task, its latest rating (`None`: not observed).
    pub tasks: Vec<(String, Option<Rating>)>,
    /// The objective's rating: its worst task's (`None`: a task not observed).
    pub rating: Option<Rating>,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
}

/// The report's content; the page adds the timeline and the anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aar {
    pub exercise: Exercise,
    pub scenario: String,
    pub participants: Vec<String>,
    pub objectives: Vec<ObjectiveAnalysis>,
    pub actions: Vec<Action>,
}

/// The report of `exercise` of `package`, with its corrective actions.
pub fn report(exercise: &Exercise, package: &Package, actions: Vec<Action>) -> Aar {
    let objectives = package
        .objectives
        .iter()
        .map(|o| {
            let mut strengths = Vec::new();
            let mut improvements = Vec::new();
            let tasks: Vec<(String, Option<Rating>)> = o
                .tasks
                .iter()
                .map(|t| {
                    let seen: Vec<_> =
                        exercise.observations.iter().filter(|x| x.task == t.id).collect();
                    for x in &seen {
                        let line =
                            format!("{} ({}, {}): {}", t.task, x.rating.label(), x.by, x.note);
                        if x.rating == Rating::P {
                            strengths.push(line)
                        } else {
                            improvements.push(line)
                        }
                    }
                    if seen.is_empty() {
                        improvements.push(format!("{}: not observed", t.task));
                    }
                    (t.id.clone(), seen.last().map(|x| x.rating))
                })
                .collect();
            let rating = tasks
                .iter()
                .map(|(_, r)| *r)
                .collect::<Option<Vec<Rating>>>()
                .and_then(|all| all.into_iter().max());
            ObjectiveAnalysis {
                id: o.id.clone(),
                text: o.text.clone(),
                capabilities: o.capabilities.clone(),
                tasks,
                rating,
                strengths,
                improvements,
            }
        })
        .collect();
    Aar {
        exercise: exercise.clone(),
        scenario: package.scenario.clone(),
        participants: package.participants.clone(),
        objectives,
        actions,
    }
}

fn capability_title(id: &str) -> &str {
    CORE_CAPABILITIES.iter().find(|(k, _)| *k == id).map_or(id, |(_, t)| t)
}

/// The AAR/IP as one printable page: times in `zone`, the timeline picture the core drew
/// (`timeline_svg`), the log's anchor at its foot.
pub fn html(
    aar: &Aar,
    timeline_svg: &str,
    anchor: &crate::log::Anchor,
    (now, zone): (DateTime<Utc>, &Zone),
) -> String {
    let x = &aar.exercise;
    let today: NaiveDate = now.with_timezone(&zone.tz()).date_naive();
    let rating = |r: Option<Rating>| r.map_or("not observed", Rating::label);
    let body = html! {
        h1 { "After-Action Report / Improvement Plan: " (x.title) (html::drill(true)) }
        p { "Exercise " (x.id) ", " (x.kind.label()) ", started " (zone.minute(x.started))
            @if let Some(end) = x.ended { ", ended " (zone.minute(end)) }
            ". Facilitator: " (x.facilitator) ". Printed " (zone.minute(now)) "." }
        h2 { "Exercise overview" }
        p { (aar.scenario) }
        p { "Participants: " (aar.participants.join("; ")) }
        h2 { "Analysis of core capabilities, by objective" }
        @for o in &aar.objectives {
            h2 { "Objective " (o.id) ": " (o.text) }
            p { "Core capabilities: "
                (o.capabilities.iter().map(|c| capability_title(c)).collect::<Vec<_>>().join(", "))
                ". Rating: " (rating(o.rating)) }
            (html::table(&["Critical task", "Rating"], o.tasks.iter().map(|(t, r)| [t.clone(), rating(*r).to_owned()])))
            p { strong { "Strengths" } }
            @if o.strengths.is_empty() { p { "None recorded." } }
            ul { @for s in &o.strengths { li { (s) } } }
            p { strong { "Areas for improvement" } }
            @if o.improvements.is_empty() { p { "None recorded." } }
            ul { @for s in &o.improvements { li { (s) } } }
        }
        h2 { "Timeline" }
        (html::picture(timeline_svg))
        h2 { "Injects and decisions" }
        (html::table(
            &["Inject", "Came", "From", "Message", "Decisions"],
            x.injects.iter().map(|i| {
                let decided: Vec<String> = x.decisions.iter().filter(|d| d.inject == i.inject.id)
                    .map(|d| format!("{} ({})", d.text, d.by)).collect();
                [i.inject.id.clone(), i.came.map(|t| zone.minute(t)).unwrap_or_else(|| "not reached".into()),
                 i.inject.from.clone(), i.inject.message.clone(), decided.join("; ")]
            }),
        ))
        h2 { "Appendix A: Improvement plan" }
        @if aar.actions.is_empty() { p { "No corrective action recorded." } }
        @else {
            (html::table(
                &["Action", "Objective", "Corrective action", "Changes", "Owner", "Due", "Status"],
                aar.actions.iter().map(|a| [a.id.clone(), a.objective.clone(), a.text.clone(), a.changes.clone(),
                    a.owner.clone(), a.due.to_string(), a.standing_words(today)]),
            ))
        }
        (html::anchor(anchor))
    };
    html::page(&format!("AAR/IP: {}", x.title), body)
}
