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
        (
            12,
            lee,
            "briefing_written",
            json!({ "part": "summary", "text": format!("EHR down {text}") }),
        ),
        (
            13,
            lee,
            "briefing_written",
            json!({ "part": "safety", "text": format!("Mind the cables {text}") }),
        ),
        (
            14,
            lee,
            "briefing_written",
            json!({ "part": "action", "text": format!("Paper charts out {text}") }),
        ),
        (19, "Ian IT", "step_done", json!({ "step": "stop-and-unplug" })),
        (
            15,
            lee,
            "work_assigned",
            json!({ "position": "it-lead", "text": format!("Image the servers {text}") }),
        ),
        (
            16,
            lee,
            "hazard_noted",
            json!({ "hazard": format!("Wrong patient {text}"), "mitigation": format!("Two identifiers {text}") }),
        ),
        (
            17,
            "Ian IT",
            "system_status_set",
            json!({ "system": "ehr", "status": "down", "note": format!("Encrypted {text}") }),
        ),
        (
            18,
            "Ian IT",
            "system_status_set",
            json!({ "system": text, "status": "partial", "note": null }),
        ),
        (50, lee, "objective_closed", json!({ "number": 2 })),
        (59, lee, "note", json!({ "text": "end of period 1" })),
        (60, lee, "period_started", json!({ "number": 2, "length_hours": 8 })),
        (61, "Ian IT", "note", json!({ "text": "backups checked" })),
        (
            62,
            "Ian IT",
            "system_status_set",
            json!({ "system": "EHR", "status": "up", "note": null }),
        ),
        (
            63,
            lee,
            "briefing_written",
            json!({ "part": "action", "text": "Reconcile paper records" }),
        ),
        (64, lee, "hazard_noted", json!({ "hazard": "Fatigue", "mitigation": "12-hour shifts" })),
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
    let systems = vec![
        ("ehr".to_owned(), "Electronic health record".to_owned()),
        ("pacs".to_owned(), "PACS imaging".to_owned()),
    ];
    Sheet {
        contacts: Box::leak(contacts.into_boxed_slice()),
        systems: Box::leak(systems.into_boxed_slice()),
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
        (Form::Iap, 1, None, 12),
        (Form::F201, 1, None, 5),
        (Form::F204, 1, None, 3),
        (Form::F215A, 1, None, 3),
        (Form::F251, 1, None, 3),
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
        (Form::F201, 1, None),
        (Form::F204, 1, None),
        (Form::F215A, 1, None),
        (Form::F251, 1, None),
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
    assert!(
        err.contains("say one of 201, 202, 203, 204, 205A, 207, 213, 214, 215A, 251, IAP"),
        "{err}"
    );
    assert_eq!("215a".parse::<Form>().unwrap(), Form::F215A);
    assert_eq!("up".parse::<SystemStatus>().unwrap(), SystemStatus::Up);
    assert!("broken".parse::<SystemStatus>().is_err());
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
        "ASSIGNMENT LIST (HICS 204)",
        "COMMUNICATIONS LIST (HICS 205A)",
        "INCIDENT ACTION PLAN SAFETY ANALYSIS (HICS 215A)",
        "INCIDENT ORGANIZATION CHART (HICS 207)",
    ] {
        let found = packet[at..].find(heading).map(|i| i + at);
        at = found.unwrap_or_else(|| panic!("{heading} missing or out of order"));
    }
    // A page per form, and the 204's second branch (Logistics, after Command) on its own.
    assert_eq!(packet.matches("break-before: page").count(), 6);
    assert!(
        packet.contains("Image the servers x") && packet.contains("<td>Fatigue</td>"),
        "{packet}"
    );
    assert!(!packet.contains("Wrong patient"), "period 1's hazard is not period 2's: {packet}");
    assert!(packet.contains("Keep care going x") && !packet.contains("Isolate"), "{packet}");
    assert_eq!(packet.matches("class=\"anchor\"").count(), 1);
    assert_anchored(&packet);
}

/// The 201 holds the summary and safety briefing standing at the period's end, the
/// organisation, the objectives, and the period's actions: written ones and the steps done.
#[test]
fn the_201_briefs_the_period() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("x");
    let (zone, anchor) = (Zone::UTC, anchor());
    let one = html(Form::F201, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    assert!(one.starts_with("<!DOCTYPE html>") && one.contains("INCIDENT BRIEFING (HICS 201)"));
    assert!(one.contains("EHR down x") && one.contains("Mind the cables x"), "{one}");
    assert!(one.contains("<td>IT/IS Lead</td><td>Ian IT</td>"), "{one}");
    assert!(one.contains("Keep care going x") && one.contains("Paper charts out x"), "{one}");
    assert!(!one.contains("Reconcile paper records"), "{one}");
    // The written action (minute 14) before the step the log shows done (minute 19).
    let (written, done) = (one.find("Paper charts out x"), one.find("done (log entry"));
    assert!(written.is_some() && done.is_some() && written < done, "{one}");
    // The summary stands into period 2; the actions are that period's own.
    let two = html(Form::F201, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(two.contains("EHR down x") && two.contains("Reconcile paper records"), "{two}");
    assert!(!two.contains("Paper charts out"), "{two}");
    assert!(!two.contains("done (log entry"), "period 2 has no step done: {two}");
    let text =
        String::from_utf8(csv(Form::F201, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap())
            .unwrap();
    assert!(text.starts_with("period,block,text,time_local,by\n"), "{text}");
    assert!(text.contains("1,3. Situation Summary,EHR down x,"), "{text}");
}

/// The 204 prints a page per branch with its positions' leaders and work assignments;
/// an assignment stands into the next period and follows the reassignment.
#[test]
fn the_204_lists_each_branchs_assignments() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("Nina Nurse");
    let (zone, anchor) = (Zone::UTC, anchor());
    let one = html(Form::F204, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    assert!(one.contains("<th>3. Branch</th><td>Logistics Section</td>"), "{one}");
    assert!(
        one.contains("<td>IT/IS Lead</td><td>Ian IT</td><td>work 555-0100; pager 4471</td>"),
        "{one}"
    );
    assert!(one.contains("<td>IT/IS Lead</td><td>Image the servers Nina Nurse</td>"), "{one}");
    let two = html(Form::F204, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(two.contains("<td>IT/IS Lead</td><td>Nina Nurse</td>"), "{two}");
    assert!(two.contains("Image the servers Nina Nurse"), "{two}");
    let text =
        String::from_utf8(csv(Form::F204, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap())
            .unwrap();
    assert!(
        text.contains("2,Logistics Section,IT/IS Lead,Nina Nurse,,Image the servers Nina Nurse\n"),
        "{text}"
    );
}

/// The 215A holds the hazards of its period only.
#[test]
fn the_215a_holds_the_periods_hazards() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("x");
    let (zone, anchor) = (Zone::UTC, anchor());
    let one = html(Form::F215A, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    assert!(one.contains("<td>1</td><td>Wrong patient x</td><td>Two identifiers x</td>"), "{one}");
    assert!(!one.contains("Fatigue"), "{one}");
    let two = html(Form::F215A, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(
        two.contains("<td>Fatigue</td><td>12-hour shifts</td>") && !two.contains("Wrong patient")
    );
    let text = String::from_utf8(
        csv(Form::F215A, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap(),
    )
    .unwrap();
    assert!(text.contains("2,Fatigue,12-hour shifts,"), "{text}");
}

/// The 251 lists the register's systems with the status standing at the period's end
/// (matched by id or name, any case), then the systems named by hand; without a register,
/// only those.
#[test]
fn the_251_follows_the_register_and_carries_statuses_over() {
    let playbook = crate::playbook::find("ransomware").unwrap();
    let p = walked("Billing");
    let (zone, anchor) = (Zone::UTC, anchor());
    let one = html(Form::F251, &sheet(&p, &playbook, 1, &zone, &anchor), None).unwrap();
    assert!(
        one.contains(
            "<td>Electronic health record</td><td>Nonfunctional</td><td>Encrypted Billing</td>"
        ),
        "{one}"
    );
    assert!(one.contains("<td>PACS imaging</td><td>Not reported</td>"), "{one}");
    assert!(one.contains("<td>Billing</td><td>Partially functional</td>"), "{one}");
    let two = html(Form::F251, &sheet(&p, &playbook, 2, &zone, &anchor), None).unwrap();
    assert!(two.contains("<td>Electronic health record</td><td>Fully functional</td>"), "{two}");
    assert!(two.contains("<td>Billing</td><td>Partially functional</td>"), "carried over: {two}");
    let mut bare = sheet(&p, &playbook, 2, &zone, &anchor);
    bare.systems = &[];
    let hand = html(Form::F251, &bare, None).unwrap();
    assert!(
        hand.contains("<td>EHR</td><td>Fully functional</td>") && !hand.contains("PACS"),
        "{hand}"
    );
    let text = String::from_utf8(csv(Form::F251, &bare, None).unwrap()).unwrap();
    assert!(text.starts_with("period,system,status,comments,reported\n"), "{text}");
    assert!(text.contains("2,EHR,Fully functional,,"), "{text}");
}
