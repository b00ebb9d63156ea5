//! Operational periods replayed from the log, and the forms filled from them.

use serde_json::json;

use super::*;
use crate::contacts::Contact;
use crate::html::tests::{HOSTILE, anchor, assert_anchored, assert_escaped};
use crate::incident::tests::{entries, incident, replay, t};

/// A ransomware incident led by Lee Lead: period 1 from minute 0 (12 hours), Ian IT the
/// IT/IS lead from minute 5; two objectives at minute 10, the second closed at minute 50;
/// period 2 begins at minute 60, 8 hours long, and Nina takes IT/IS lead at minute 90;
/// notes by each, a general message in each period. `text` is what people typed.
fn walked(text: &str) -> Progress {
    let lee = "Lee Lead";
    let started = serde_json::to_value(incident(0)).unwrap();
    let script = [
        (0, lee, "incident_started", started),
        (5, lee, "position_assigned", json!({ "position": "it-lead", "person": "Ian IT" })),
        (
            10,
            lee,
            "objective_set",
            json!({ "number": 1, "text": format!("Keep care going {text}") }),
        ),
        (11, lee, "objective_set", json!({ "number": 2, "text": "Isolate the file server" })),
        (20, "Ian IT", "note", json!({ "text": format!("Servers unplugged {text}") })),
        (
            30,
            "Ian IT",
            "general_message",
            json!({ "to": "incident-commander", "subject": text, "text": text, "priority": "urgent" }),
        ),
        (50, lee, "objective_closed", json!({ "number": 2 })),
        (59, lee, "note", json!({ "text": "end of period 1" })),
        (60, lee, "period_started", json!({ "number": 2, "length_hours": 8 })),
        (61, "Ian IT", "note", json!({ "text": "backups checked" })),
        (90, lee, "position_assigned", json!({ "position": "it-lead", "person": text })),
        (95, text, "note", json!({ "text": "took over IT" })),
        (96, "Ian IT", "note", json!({ "text": "handed over" })),
        (
            97,
            lee,
            "general_message",
            json!({ "to": "it-lead", "subject": "", "text": "Restore order: EHR first", "priority": "low" }),
        ),
    ];
    let playbook = crate::playbook::find("ransomware").unwrap();
    let mut incident = incident(0);
    incident.title = format!("Ransomware {text}");
    replay(incident, &playbook, &entries(&script)).unwrap()
}

/// A contact of the tree, its name and phone as typed.
fn contact(id: &str, name: &str, phone: &str) -> Contact {
    serde_json::from_value(json!({
        "id": id, "name": name, "kind": "internal", "role": null, "position": "IT on call",
        "department": null, "organisation": null, "work_phone": phone, "mobile_phone": null,
        "pager": "4471", "radio_channel": null, "secure_messaging": null, "email": null,
        "support_line": null, "contract_ref": null, "policy_number": null, "claim_line": null,
        "channels": ["phone"], "notes": null, "called_by": null, "alternate": null,
        "escalate_after_minutes": 10, "incident_types": [],
    }))
    .unwrap()
}

fn sheet<'a>(
    p: &'a Progress,
    playbook: &'a Playbook,
    period: u32,
    zone: &'a Zone,
    anchor: &'a Anchor,
) -> Sheet<'a> {
    let contacts = vec![
        contact("ian-it", "Ian IT", "555-0100"),
        contact("x", p.incident.title.as_str(), p.incident.title.as_str()),
    ];
    Sheet {
        contacts: Box::leak(contacts.into_boxed_slice()),
        progress: p,
        playbook,
        period: p.period(Some(period)).unwrap(),
        prepared_by: "Pat Planner",
        now: t(120),
        zone,
        anchor,
    }
}

#[test]
fn entries_land_in_the_period_they_were_made_in() {
    let p = walked("x");
    let periods: Vec<(u32, Option<DateTime<Utc>>, u32)> =
        p.periods.iter().map(|q| (q.number, q.to, q.length_hours)).collect();
    assert_eq!(periods, [(1, Some(t(60)), 12), (2, None, 8)]);
    let by_period: Vec<(i64, u32)> =
        p.events.iter().map(|e| ((e.time - t(0)).num_minutes(), e.period)).collect();
    for (minute, period) in by_period {
        assert_eq!(period, if minute < 60 { 1 } else { 2 }, "entry at minute {minute}");
    }
    assert_eq!(p.period(None).unwrap().number, 2);
    assert_eq!(p.period(Some(2)).unwrap().until(), t(60 + 8 * 60));
    let err = p.period(Some(3)).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("periods 1 to 2; there is no period 3"), "{err}");
}

#[test]
fn objectives_carry_over_unless_closed() {
    let p = walked("x");
    let numbers = |n: u32| -> Vec<(u32, bool)> {
        p.objectives_in(p.period(Some(n)).unwrap())
            .iter()
            .map(|o| (o.number, o.closed.is_some()))
            .collect()
    };
    assert_eq!(numbers(1), [(1, false), (2, true)]);
    assert_eq!(numbers(2), [(1, false)]);
}

#[test]
fn the_203_follows_reassignments() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("Nina Nurse");
    let (zone, anchor) = (Zone::UTC, anchor());
    let first = html(Form::F203, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    let second = html(Form::F203, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(first.contains("<td>IT/IS Lead</td><td>Ian IT</td>"), "{first}");
    assert!(second.contains("<td>IT/IS Lead</td><td>Nina Nurse</td>"), "{second}");
    assert!(!second.contains("Ian IT"), "{second}");
    assert!(first.contains("<h2>6. Logistics Section</h2>"), "{first}");
    let csv = csv(Form::F203, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert!(text.contains("2,Logistics Section,IT/IS Lead,Nina Nurse,"), "{text}");
}

/// The 214 of a position holds the entries its holders made while they held it, in the
/// period asked for, in local time; another position's entries are not in it.
#[test]
fn the_214_is_per_position_and_period_in_local_time() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("Nina Nurse");
    let (ny, anchor) = (Zone::named("America/New_York").unwrap(), anchor());
    let one = html(Form::F214, &sheet(&p, &playbook, 1, &ny, &anchor), Some("it-lead")).unwrap();
    assert!(one.contains("<th>4. HIMT Position</th><td>IT/IS Lead</td>"), "{one}");
    assert!(one.contains("<th>3. Name</th><td>Ian IT</td>"), "{one}");
    assert!(one.contains("Note: Servers unplugged Nina Nurse"), "{one}");
    assert!(one.contains(&format!("<td>{}</td>", ny.minute(t(20)))), "{one}");
    assert!(ny.minute(t(20)).ends_with(" EST"));
    assert!(!one.contains("end of period 1") && !one.contains("backups checked"), "{one}");
    let two = html(Form::F214, &sheet(&p, &playbook, 2, &ny, &anchor), Some("it-lead")).unwrap();
    assert!(two.contains("<th>3. Name</th><td>Ian IT, Nina Nurse</td>"), "{two}");
    assert!(two.contains("backups checked") && two.contains("took over IT"), "{two}");
    // Ian's note after he handed over is not the IT/IS lead's.
    assert!(!two.contains("handed over"), "{two}");
    let ic = html(Form::F214, &sheet(&p, &playbook, 1, &ny, &anchor), None).unwrap();
    assert!(ic.contains("end of period 1") && !ic.contains("Servers unplugged"), "{ic}");
    assert_anchored(&one);
    let err = html(Form::F214, &sheet(&p, &playbook, 1, &ny, &anchor), Some("janitor"));
    assert_eq!(err.unwrap_err().code(), "invalid_input");
}

#[test]
fn the_202_and_the_213_hold_the_periods_objectives_and_messages() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("Nina Nurse");
    let (zone, anchor) = (Zone::UTC, anchor());
    let two = html(Form::F202, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(two.contains("Keep care going Nina Nurse") && !two.contains("Isolate"), "{two}");
    let message = html(Form::F213, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(message.contains("<td>Name: Nina Nurse<br>Position: IT/IS Lead</td>"), "{message}");
    assert!(message.contains("<td>Name: Lee Lead<br>Position: Incident Commander</td>"));
    assert!(message.contains(">Restore order: EHR first</td>"), "{message}");
    let one = html(Form::F213, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    assert!(one.contains("<td>Urgent - High</td>"), "{one}");
    assert!(!one.contains("Restore order"), "{one}");
}

/// What people typed (the incident's title, names, objectives, messages) is escaped in
/// every form.
#[test]
fn every_form_escapes_what_people_typed() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked(HOSTILE);
    let (zone, anchor) = (Zone::UTC, anchor());
    for (form, period, position, times) in [
        (Form::F202, 1, None, 2),
        (Form::F203, 2, None, 2),
        (Form::F213, 1, None, 4),
        (Form::F214, 1, Some("it-lead"), 3),
        (Form::F214, 2, Some("it-lead"), 3),
        (Form::F205A, 2, None, 4),
        (Form::F207, 2, None, 2),
        (Form::Iap, 1, None, 8),
    ] {
        let page = html(form, &sheet(&p, &playbook, period, &zone, &anchor), position).unwrap();
        eprintln!("{form:?} of period {period}");
        assert_escaped(&page, times);
        assert_anchored(&page);
    }
}

#[test]
fn every_forms_csv_guards_against_formulas() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("=HYPERLINK(\"x\")");
    let (zone, anchor) = (Zone::UTC, anchor());
    for (form, period, position) in [
        (Form::F202, 1, None),
        (Form::F203, 2, None),
        (Form::F205A, 1, None),
        (Form::F213, 1, None),
        (Form::F214, 2, Some("it-lead")),
    ] {
        let text = csv(form, &sheet(&p, &playbook, period, &zone, &anchor), position).unwrap();
        let mut rows = ::csv::Reader::from_reader(text.as_slice());
        let mut n = 0;
        for row in rows.records() {
            let row = row.unwrap();
            assert!(row.iter().all(|c| !c.starts_with(crate::csv_safe::formula_start)), "{row:?}");
            n += 1;
        }
        assert!(n > 0, "{form:?}");
    }
}

/// `docs/hics-forms.md` lists each form's fields: every one is in the form's HTML.
#[test]
fn each_form_holds_every_field_the_docs_list() {
    let doc = include_str!("../../../docs/hics-forms.md");
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("x");
    let (zone, anchor) = (Zone::UTC, anchor());
    let mut checked = Vec::new();
    let mut form = None;
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            let number = heading.trim_start_matches("HICS ").split_whitespace().next();
            let number = number.unwrap_or_default();
            form = number.parse::<Form>().ok();
            checked.extend(form);
        } else if let (Some(f), Some(field)) = (form, line.strip_prefix("- field: ")) {
            let field = field.split('`').nth(1).unwrap_or_default();
            let page = html(f, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
            let escaped = maud::html! { (field) }.into_string();
            assert!(page.contains(&escaped), "HICS {} has no `{field}`", f.number());
        }
    }
    assert_eq!(checked, Form::ALL, "docs/hics-forms.md documents every form, in order");
    // The pictures it shows are there.
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for picture in doc.split("](").skip(1).filter_map(|s| s.split(')').next()) {
        assert!(docs.join(picture).is_file(), "docs/{picture} is missing");
    }
}

#[test]
fn forms_and_priorities_parse_as_typed() {
    assert_eq!("214".parse::<Form>().unwrap(), Form::F214);
    assert_eq!("HICS 202".parse::<Form>().unwrap(), Form::F202);
    assert_eq!("205a".parse::<Form>().unwrap(), Form::F205A);
    assert_eq!("iap".parse::<Form>().unwrap(), Form::Iap);
    let err = "215".parse::<Form>().unwrap_err().to_string();
    assert!(err.contains("say one of 202, 203, 205A, 207, 213, 214, IAP"), "{err}");
    assert_eq!("urgent".parse::<Priority>().unwrap(), Priority::Urgent);
    assert!("asap".parse::<Priority>().is_err());
}

/// The 205A lists every contact of the tree with its methods, the position each holds in
/// the incident where they hold one; its CSV holds the tree's own fields.
#[test]
fn the_205a_lists_the_contact_tree() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("x");
    let (zone, anchor) = (Zone::UTC, anchor());
    let s = sheet(&p, &playbook, 1, &zone, &anchor);
    let page = html(Form::F205A, &s, None).unwrap();
    assert!(
        page.contains("<td>IT/IS Lead</td><td>Ian IT</td><td>work 555-0100; pager 4471</td>"),
        "{page}"
    );
    let text = String::from_utf8(csv(Form::F205A, &s, None).unwrap()).unwrap();
    assert!(text.starts_with("id,name,position,role,work_phone,mobile_phone,pager,radio_channel,secure_messaging,email\n"), "{text}");
    assert!(text.contains("ian-it,Ian IT,IT on call,,555-0100,,4471,,,\n"), "{text}");
    assert_eq!(csv(Form::F207, &s, None).unwrap_err().code(), "invalid_input");
}

/// The 207 draws who holds each position at the period's end; a reassignment shows its
/// new holder; every name is text the SVG escapes.
#[test]
fn the_207_follows_reassignments() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("Nina Nurse");
    let (zone, anchor) = (Zone::UTC, anchor());
    let one = html(Form::F207, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    let two = html(Form::F207, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(one.contains("<svg") && one.contains("role=\"img\""), "{one}");
    assert!(one.contains(">Ian IT</text>") && !one.contains(">Nina Nurse</text>"), "{one}");
    assert!(two.contains(">Nina Nurse</text>") && !two.contains(">Ian IT</text>"), "{two}");
    assert!(two.contains(">Logistics Section</text>") && two.contains(">Lee Lead</text>"), "{two}");
}

/// The packet holds the 202, 203, 205A and 207 of the period, each from a new page, the
/// period's objectives in it, and one anchor at its foot.
#[test]
fn the_action_plan_packet_holds_its_forms_for_the_period() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("x");
    let (zone, anchor) = (Zone::UTC, anchor());
    let packet = html(Form::Iap, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    let mut at = 0;
    for heading in [
        "INCIDENT OBJECTIVES (HICS 202)",
        "ORGANIZATION ASSIGNMENT LIST (HICS 203)",
        "COMMUNICATIONS LIST (HICS 205A)",
        "INCIDENT ORGANIZATION CHART (HICS 207)",
    ] {
        let found = packet[at..].find(heading).map(|i| i + at);
        at = found.unwrap_or_else(|| panic!("{heading} missing or out of order"));
    }
    assert_eq!(packet.matches("break-before: page").count(), 3);
    assert!(packet.contains("Keep care going x") && !packet.contains("Isolate"), "{packet}");
    assert_eq!(packet.matches("class=\"anchor\"").count(), 1);
    assert_anchored(&packet);
}
