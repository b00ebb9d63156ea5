//! The HICS 201 Incident Briefing, 204 Assignment List, 215A Incident Action Plan Safety
//! Analysis and 251 Facility System Status Report, as printable pages (maud escapes every
//! typed value) and as CSV rows, filled from what people wrote (`entered`) and what the
//! log and the asset register already hold.

use maud::{Markup, html};

use super::entered::{self, SystemStatus};
use super::pages::{head, prepared};
use super::{Form, SECTIONS, Sheet, section};
use crate::events::Event;
use crate::html;

/// Who holds a position at the period's end (or now), if anyone.
fn holder<'a>(sheet: &'a Sheet<'_>, position: &str) -> Option<&'a str> {
    let held = sheet.progress.organisation_in(sheet.period, sheet.now);
    held.into_iter().find(|a| a.position == position).map(|a| a.person.as_str())
}

/// The steps the log shows finished in the period: done, skipped or decided.
fn done_in_period<'a>(sheet: &'a Sheet<'_>) -> impl Iterator<Item = &'a super::super::Activity> {
    let n = sheet.period.number;
    sheet.progress.events.iter().filter(move |e| {
        e.period == n
            && matches!(
                e.event,
                Event::StepDone { .. } | Event::StepSkipped { .. } | Event::Decision { .. }
            )
    })
}

/// HICS 201 Incident Briefing.
pub(super) fn f201(sheet: &Sheet<'_>) -> Markup {
    let (p, zone) = (sheet.progress, sheet.zone);
    let b = entered::briefing(p, sheet.period);
    let typed = |w: &Option<entered::Written<String>>| match w {
        Some(w) => html! {
            p style="white-space: pre-wrap" { (w.what) }
            p { small { "Written " (zone.minute(w.time)) " by " (w.by) } }
        },
        None => html! { p { "Not written yet." } br; br; },
    };
    let held = p.organisation_in(sheet.period, sheet.now);
    let objectives = p.objectives_in(sheet.period);
    // In time order: the actions written, and the steps the log shows done.
    let mut timed: Vec<(chrono::DateTime<chrono::Utc>, String, String)> = b
        .actions
        .iter()
        .map(|a| (a.time, a.what.clone(), format!("planned or current, by {}", a.by)))
        .collect();
    timed.extend(done_in_period(sheet).map(|e| {
        let what = super::super::export::activity(sheet.playbook, e, zone);
        (e.time, what, format!("done (log entry {}), by {}", e.seq, e.actor))
    }));
    timed.sort_by_key(|(at, ..)| *at);
    let actions: Vec<[String; 3]> =
        timed.into_iter().map(|(at, what, status)| [zone.minute(at), what, status]).collect();
    html! {
        (head(Form::F201, sheet))
        h2 { "3. Situation Summary" }
        (typed(&b.summary))
        h2 { "4. Health and Safety Briefing" }
        (typed(&b.safety))
        table { tr { th { "5. Map / Sketch" } td { "[ ] See attached" } } }
        h2 { "6. Current Hospital Incident Management Team" }
        (html::table(&["Position", "Name"], held.iter().map(|a| [a.name.clone(), a.person.clone()])))
        h2 { "7. Incident Objectives" }
        @if objectives.is_empty() {
            p { "No objective set for this period." }
        } @else {
            ol { @for o in &objectives { li value=(o.number) { (o.text) @if o.closed.is_some() { " (closed)" } } } }
        }
        h2 { "8. Summary of Current and Planned Actions" }
        @if actions.is_empty() {
            p { "No action written or done yet in this period." }
        } @else {
            (html::table(&["Time", "Action", "Status"], actions))
        }
        h2 { "9. Summary of Resources Requested and Assigned" }
        (html::table(
            &["Resource", "Date/Time Ordered", "ETA", "Date/Time Arrived", "Notes (location/assignment/status)"],
            [[""; 5], [""; 5], [""; 5]],
        ))
        (prepared("10", sheet))
    }
}

/// The sections the 204 prints a page for: those with a position held or work assigned.
fn branches<'a>(sheet: &Sheet<'_>, work: &entered::Work) -> Vec<&'a str> {
    let held = sheet.progress.organisation_in(sheet.period, sheet.now);
    SECTIONS
        .into_iter()
        .filter(|s| {
            held.iter().any(|a| section(&a.position) == *s)
                || work.keys().any(|pos| section(pos) == *s)
        })
        .collect()
}

/// The 204's rows of one branch: position, who holds it, their contact, its assignment.
fn branch_rows(sheet: &Sheet<'_>, work: &entered::Work, branch: &str) -> Vec<[String; 4]> {
    let held = sheet.progress.organisation_in(sheet.period, sheet.now);
    let mut positions: Vec<&str> = held.iter().map(|a| a.position.as_str()).collect();
    positions.extend(work.keys().map(String::as_str));
    positions.sort_unstable();
    positions.dedup();
    positions
        .into_iter()
        .filter(|pos| section(pos) == branch)
        .map(|pos| {
            let person = held.iter().find(|a| a.position == pos).map(|a| a.person.clone());
            let contact = person
                .as_deref()
                .and_then(|name| sheet.contacts.iter().find(|c| c.name.eq_ignore_ascii_case(name)));
            [
                sheet.playbook.role_name(pos).to_owned(),
                person.unwrap_or_else(|| "Not assigned".into()),
                contact.map(super::contact_methods).unwrap_or_default(),
                work.get(pos).map(|w| w.what.clone()).unwrap_or_default(),
            ]
        })
        .collect()
}

/// HICS 204 Assignment List: a page per branch (HICS section) with someone in it.
pub(super) fn f204(sheet: &Sheet<'_>) -> Markup {
    let work = entered::work(sheet.progress, sheet.period);
    let all = branches(sheet, &work);
    let ops = holder(sheet, "operations-chief").unwrap_or("Not activated");
    html! {
        @for (n, branch) in all.iter().enumerate() {
            @let rows = branch_rows(sheet, &work, branch);
            section style=[(n > 0).then_some("break-before: page")] {
                (head(Form::F204, sheet))
                table {
                    tr { th { "3. Branch" } td { (branch) } }
                    tr { th { "4. Operations Personnel" } td { "Operations Section Chief: " (ops) } }
                }
                h2 { "5. Resources Assigned" }
                (html::table(&["Position", "Leader", "Contact"], rows.iter().map(|r| [&r[0], &r[1], &r[2]])))
                h2 { "6. Work Assignments" }
                (html::table(&["Position", "Work assignment"], rows.iter().map(|r| [&r[0], &r[3]])))
                table {
                    tr { th { "7. Special Instructions" } td { br; br; } }
                    tr { th { "8. Communications" } td { "As in 5, and the HICS 205A." } }
                }
                (prepared("9", sheet))
            }
        }
    }
}

/// HICS 215A Incident Action Plan Safety Analysis: the period's hazards and mitigations.
pub(super) fn f215a(sheet: &Sheet<'_>) -> Markup {
    let zone = sheet.zone;
    let rows = entered::hazards(sheet.progress, sheet.period);
    html! {
        (head(Form::F215A, sheet))
        h2 { "3. Hazards/Risks and Mitigations" }
        @if rows.is_empty() {
            p { "No hazard noted in this period." }
        } @else {
            (html::table(
                &["#", "Hazards/Risks", "Mitigations", "Noted"],
                rows.iter().enumerate().map(|(n, w)| [
                    (n + 1).to_string(),
                    w.what.0.clone(),
                    w.what.1.clone(),
                    format!("{} by {}", zone.minute(w.time), w.by),
                ]),
            ))
        }
        table {
            tr {
                th { "4. Prepared by (Safety Officer)" }
                td { "Name: " (holder(sheet, "safety-officer").unwrap_or_default()) br; "Signature: ______________________" }
            }
            tr {
                th { "5. Prepared by (Operations Section Chief)" }
                td { "Name: " (holder(sheet, "operations-chief").unwrap_or_default()) br; "Signature: ______________________" }
            }
        }
        (prepared("6", sheet))
    }
}

/// One 251 row: the system, its status words, the comment and who set it when.
pub(super) fn system_rows(sheet: &Sheet<'_>) -> Vec<[String; 4]> {
    let zone = sheet.zone;
    let mut set = entered::statuses(sheet.progress, sheet.period);
    let row = |name: String,
               w: Option<&entered::Written<(String, SystemStatus, Option<String>)>>| {
        match w {
            Some(w) => [
                name,
                w.what.1.words().to_owned(),
                w.what.2.clone().unwrap_or_default(),
                format!("{} by {}", zone.minute(w.time), w.by),
            ],
            None => [name, "Not reported".into(), String::new(), String::new()],
        }
    };
    let mut rows = Vec::new();
    for (id, name) in sheet.systems {
        let w = set.remove(&id.to_lowercase()).or_else(|| set.remove(&name.to_lowercase()));
        rows.push(row(name.clone(), w.as_ref()));
    }
    for (_, w) in set {
        rows.push(row(w.what.0.clone(), Some(&w)));
    }
    rows
}

/// HICS 251 Facility System Status Report: the asset register's systems (and any named by
/// hand), each with the status standing at the period's end.
pub(super) fn f251(sheet: &Sheet<'_>) -> Markup {
    let rows = system_rows(sheet);
    let from = if sheet.systems.is_empty() {
        "Systems entered by hand (no asset register on this workstation)."
    } else {
        "The asset register's systems, then any entered by hand."
    };
    html! {
        (head(Form::F251, sheet))
        table { tr { th { "3. Name of Facility Reporting Status" } td { "______________________" } } }
        p { (from) }
        @if rows.is_empty() {
            p { "No system status reported yet." }
        }
        (html::table(&["4. System", "5. Status", "6. Comments", "Reported"], rows))
        (prepared("7", sheet))
    }
}

/// The CSV rows of the 201 (one per part, objective and action), 204 (one per position),
/// 215A (one per hazard) and 251 (one per system), each with the period.
pub(super) fn csv_rows(
    form: Form,
    sheet: &Sheet<'_>,
) -> (&'static [&'static str], Vec<Vec<String>>) {
    let (p, zone, n) = (sheet.progress, sheet.zone, sheet.period.number.to_string());
    match form {
        Form::F201 => {
            let b = entered::briefing(p, sheet.period);
            let row = |block: &str, text: String, at, by: &str| {
                vec![n.clone(), block.to_owned(), text, zone.minute(at), by.to_owned()]
            };
            let mut rows = Vec::new();
            for (block, w) in
                [("3. Situation Summary", &b.summary), ("4. Health and Safety Briefing", &b.safety)]
            {
                rows.extend(w.iter().map(|w| row(block, w.what.clone(), w.time, &w.by)));
            }
            let team = "6. Current Hospital Incident Management Team";
            for a in p.organisation_in(sheet.period, sheet.now) {
                rows.push(row(team, format!("{}: {}", a.name, a.person), a.since, ""));
            }
            for o in p.objectives_in(sheet.period) {
                let text = format!("{}. {}", o.number, o.text);
                rows.push(row("7. Incident Objectives", text, o.set, &o.by));
            }
            let actions = "8. Summary of Current and Planned Actions";
            rows.extend(b.actions.iter().map(|a| row(actions, a.what.clone(), a.time, &a.by)));
            (&["period", "block", "text", "time_local", "by"], rows)
        }
        Form::F204 => {
            let work = entered::work(p, sheet.period);
            let rows = branches(sheet, &work)
                .into_iter()
                .flat_map(|b| branch_rows(sheet, &work, b).into_iter().map(move |r| (b, r)))
                .map(|(b, r)| {
                    let [position, leader, contact, assignment] = r;
                    vec![n.clone(), b.to_owned(), position, leader, contact, assignment]
                })
                .collect();
            (&["period", "branch", "position", "leader", "contact", "work_assignment"], rows)
        }
        Form::F215A => {
            let rows = entered::hazards(p, sheet.period)
                .into_iter()
                .map(|w| vec![n.clone(), w.what.0, w.what.1, zone.minute(w.time), w.by])
                .collect();
            (&["period", "hazard", "mitigation", "noted_local", "by"], rows)
        }
        _ => {
            let rows = system_rows(sheet)
                .into_iter()
                .map(|[s, status, note, by]| vec![n.clone(), s, status, note, by])
                .collect();
            (&["period", "system", "status", "comments", "reported"], rows)
        }
    }
}
