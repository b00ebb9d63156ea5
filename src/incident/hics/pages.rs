//! The forms' printable pages, written with maud on `html::page`: every value a person
//! typed (a name, an objective, a message) is escaped by maud. Each page opens with the
//! form's name and number and closes with the log's anchor, as the HICS 214 always has.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Form, SECTIONS, Sheet, section};
use crate::events::Event;
use crate::html;

/// The head every form shares: its name and number, then the incident's name (block 1)
/// and the operational period (block 2).
pub(super) fn head(form: Form, sheet: &Sheet<'_>) -> Markup {
    let i = &sheet.progress.incident;
    html! {
        h1 { (form.title().to_uppercase()) " (" (form.code()) ")" }
        table {
            tr {
                th { "1. Incident Name" }
                td { (i.title) (html::drill(i.drill)) br; "Incident " (i.id) }
            }
            tr { th { "2. Operational Period" } td { (sheet.period_words()) } }
        }
    }
}

/// A "Prepared by" block: the name printed, the rest to sign by hand.
pub(super) fn prepared(number: &str, sheet: &Sheet<'_>) -> Markup {
    html! {
        table {
            tr {
                th { (number) ". Prepared by" }
                td {
                    "Name: " (sheet.prepared_by) br;
                    "Signature: ______________________" br;
                    "Date/Time: " (sheet.zone.minute(sheet.now)) br;
                    "Facility: ______________________"
                }
            }
        }
    }
}

/// A whole page: the form's body, then the log's anchor.
pub(super) fn page(form: Form, sheet: &Sheet<'_>, body: Markup) -> String {
    let title = format!(
        "{} {}: {}, period {}",
        form.code(),
        form.title(),
        sheet.progress.incident.title,
        sheet.period.number
    );
    html::page(&title, html! { (body) (html::anchor(sheet.anchor)) })
}

/// HICS 202 Incident Objectives: the period's objectives, each open or closed.
pub(super) fn f202(sheet: &Sheet<'_>) -> Markup {
    let zone = sheet.zone;
    let objectives = sheet.progress.objectives_in(sheet.period);
    let commander = sheet.progress.organisation_in(sheet.period, sheet.now);
    let commander = commander.iter().find(|a| a.position == "incident-commander");
    html! {
        (head(Form::F202, sheet))
        h2 { "3. Incident Objectives" }
        @if objectives.is_empty() {
            p { "No objective set for this period." }
        } @else {
            (html::table(
                &["#", "Objective", "Set", "Status"],
                objectives.iter().map(|o| [
                    o.number.to_string(),
                    o.text.clone(),
                    format!("{} by {}", zone.minute(o.set), o.by),
                    match &o.closed {
                        Some((at, by)) => format!("closed {} by {by}", zone.minute(*at)),
                        None => "open: carried into the next period".to_owned(),
                    },
                ]),
            ))
        }
        table {
            tr { th { "4. Factors to Consider" } td { br; br; br; } }
            tr {
                th { "5. HICS 215A Incident Action Plan Safety Analysis and/or Site Safety Plan" }
                td { "[ ] Yes   [ ] No" br; "Approved Site Safety Plan location: ____________" }
            }
        }
        (prepared("6", sheet))
        table {
            tr {
                th { "7. Approved by" }
                td {
                    "Incident Commander: " (commander.map_or("", |a| a.person.as_str())) br;
                    "Signature: ______________________" br;
                    "Date/Time: ______________________"
                }
            }
        }
    }
}

/// HICS 203 Organization Assignment List: who holds each position at the period's end (or
/// now), grouped by section.
pub(super) fn f203(sheet: &Sheet<'_>) -> Markup {
    let zone = sheet.zone;
    let held = sheet.progress.organisation_in(sheet.period, sheet.now);
    html! {
        (head(Form::F203, sheet))
        @for (n, name) in SECTIONS.iter().enumerate() {
            h2 { (n + 3) ". " (name) }
            @let rows: Vec<_> = held.iter().filter(|a| section(&a.position) == *name).collect();
            @if rows.is_empty() {
                p { "Not activated." }
            } @else {
                (html::table(
                    &["Position", "Name", "Since"],
                    rows.iter().map(|a| [a.name.clone(), a.person.clone(), zone.minute(a.since)]),
                ))
            }
        }
        (prepared(&(SECTIONS.len() + 3).to_string(), sheet))
    }
}

/// One general message as the 213 prints it.
pub(super) struct Message {
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub from: String,
    pub from_position: String,
    pub to: String,
    pub to_name: String,
    pub priority: super::Priority,
    pub subject: String,
    pub text: String,
}

/// The period's general messages, oldest first, each with its writer's position then and
/// the name of who held the position it is for.
pub(super) fn messages(sheet: &Sheet<'_>) -> Vec<Message> {
    let p = sheet.progress;
    p.events
        .iter()
        .filter(|e| e.period == sheet.period.number)
        .filter_map(|e| match &e.event {
            Event::GeneralMessage { priority, subject, text, to } => Some(Message {
                seq: e.seq,
                time: e.time,
                from: e.actor.clone(),
                from_position: p
                    .positions_at(&e.actor, e.time)
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                to: sheet.playbook.role_name(to).to_owned(),
                to_name: p
                    .holders_at(e.time)
                    .get(to.as_str())
                    .map(|a| a.person.clone())
                    .unwrap_or_default(),
                priority: *priority,
                subject: subject.clone(),
                text: text.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// HICS 213 General Message: each of the period's messages on its own page, for a runner
/// to carry; the reply blocks left to write by hand.
pub(super) fn f213(sheet: &Sheet<'_>) -> Markup {
    let zone = sheet.zone;
    let i = &sheet.progress.incident;
    let all = messages(sheet);
    html! {
        @if all.is_empty() {
            (head(Form::F213, sheet))
            p { "No general message in this period." }
        }
        @for (n, m) in all.iter().enumerate() {
            section style=[(n > 0).then_some("break-before: page")] {
                h1 { "GENERAL MESSAGE (HICS 213)" }
                table {
                    tr {
                        th { "1. Incident Name" }
                        td { (i.title) (html::drill(i.drill)) br; "Incident " (i.id) ", period " (sheet.period.number) ", log entry " (m.seq) }
                    }
                    tr { th { "2. To" } td { "Name: " (m.to_name) br; "Position: " (m.to) } }
                    tr { th { "3. From" } td { "Name: " (m.from) br; "Position: " (m.from_position) } }
                    tr { th { "4. Subject" } td { (m.subject) } }
                    tr { th { "5. Date" } td { (zone.format(m.time, "%Y-%m-%d")) } }
                    tr { th { "6. Time" } td { (zone.format(m.time, "%H:%M")) " (24-hour, " (zone.name()) ")" } }
                    tr { th { "7. Priority" } td { (m.priority.words()) } }
                    tr { th { "8. Message" } td style="white-space: pre-wrap" { (m.text) } }
                    tr { th { "9. Approved by" } td { "Name: ____________  Signature: ____________" } }
                    tr { th { "10. Reply / Action Taken" } td { br; br; br; } }
                    tr {
                        th { "11. Replied by" }
                        td { "Name: ____________  Signature: ____________" br; "Position: ____________  Facility: ____________  Date/Time: ____________" }
                    }
                }
            }
        }
    }
}

/// HICS 214 Activity Log of one position for one period: the entries made by whoever held
/// the position when they made them, in local time.
pub(super) fn f214(sheet: &Sheet<'_>, position: &str) -> Markup {
    let zone = sheet.zone;
    let names = sheet.progress.holders_in(position, sheet.period);
    let rows = sheet.position_rows(position);
    html! {
        (head(Form::F214, sheet))
        table {
            tr { th { "3. Name" } td { (names.join(", ")) } }
            tr { th { "4. HIMT Position" } td { (sheet.playbook.role_name(position)) } }
        }
        h2 { "5. Activity Log" }
        (html::table(
            &["Date/Time", "Notable Activities", "By"],
            rows.iter().map(|e| [
                zone.minute(e.time),
                super::super::export::activity(sheet.playbook, e, zone),
                e.actor.clone(),
            ]),
        ))
        (prepared("6", sheet))
    }
}

/// HICS 205A Communications List: how to reach each person of the contact tree, with the
/// position they hold in the incident when they hold one.
pub(super) fn f205a(sheet: &Sheet<'_>) -> Markup {
    let held = sheet.progress.organisation_in(sheet.period, sheet.now);
    let rows = sheet.contacts.iter().map(|c| {
        let holds: Vec<&str> = held
            .iter()
            .filter(|a| a.person.eq_ignore_ascii_case(&c.name))
            .map(|a| a.name.as_str())
            .collect();
        let position = if holds.is_empty() {
            c.position.clone().or_else(|| c.role.clone()).unwrap_or_default()
        } else {
            holds.join(", ")
        };
        [position, c.name.clone(), super::contact_methods(c)]
    });
    html! {
        (head(Form::F205A, sheet))
        h2 { "3. Basic Local Communications Information" }
        (html::table(&["Assignment/Position", "Name", "Method(s) of Contact"], rows))
        (prepared("4", sheet))
    }
}

/// HICS 207 Incident Organization Chart: the positions held at the period's end (or now),
/// drawn by the core.
pub(super) fn f207(sheet: &Sheet<'_>) -> Markup {
    let held = sheet.progress.organisation_in(sheet.period, sheet.now);
    let svg = super::chart::svg(&held);
    html! {
        (head(Form::F207, sheet))
        h2 { "3. Organization Chart" }
        figure { (html::picture(&svg)) }
        (prepared("4", sheet))
    }
}

/// The incident action plan for a period: the 202, 203, 204, 205A, 215A and 207, each
/// from a new page, in one print for the briefing.
pub(super) fn iap(sheet: &Sheet<'_>) -> Markup {
    let parts = [
        f202(sheet),
        f203(sheet),
        super::plan::f204(sheet),
        f205a(sheet),
        super::plan::f215a(sheet),
        f207(sheet),
    ];
    html! {
        @for (n, part) in parts.into_iter().enumerate() {
            section.form style=[(n > 0).then_some("break-before: page")] { (part) }
        }
    }
}
