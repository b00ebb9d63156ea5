//! Operational periods, objectives, general messages and the HICS forms from the CLI
//! (issue 21): a lead runs an incident through two periods, the IT/IS lead writes under
//! his own unlock, and the forms hold each period's objectives and each position's
//! entries, in local time; the log with the new entries verifies.

use std::path::Path;

use crate::support::{Workstation, caregiver, run};

const NY: Option<&str> = Some("America/New_York");

/// Runs the CLI as Ian IT, a clinician of the workstation.
fn as_ian(ws: &Workstation, args: &[&str]) -> (i32, String, String) {
    let p: &Path = ws.tmp.path();
    run(caregiver(p)
        .arg("--store")
        .arg(p.join("store.db"))
        .args(args)
        .args(["--user", "Ian IT", "--passphrase-file"])
        .arg(p.join("ian")))
}

fn ok_in(ws: &Workstation, args: &[&str]) -> String {
    let (code, out, err) = ws.run_in(NY, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn form(ws: &Workstation, id: &str, args: &[&str]) -> String {
    let out = ws.path("form.out");
    let mut all = vec!["incident", "form", id];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    ok_in(ws, &all);
    std::fs::read_to_string(out).unwrap()
}

/// A workstation with Ian IT, a clinician who has set his own passphrase.
fn with_ian() -> Workstation {
    let ws = Workstation::new();
    std::fs::write(ws.path("first"), "ian's first passphrase").unwrap();
    std::fs::write(ws.path("ian"), "ian's own passphrase 123").unwrap();
    let (first, ian) = (ws.path("first"), ws.path("ian"));
    let (first, ian) = (first.to_str().unwrap(), ian.to_str().unwrap());
    ws.ok(&["user", "add", "Ian IT", "--role", "clinician", "--new-passphrase-file", first]);
    let p = ws.tmp.path();
    let (code, _, err) = run(caregiver(p)
        .arg("--store")
        .arg(p.join("store.db"))
        .args(["user", "passwd", "Ian IT", "--new-passphrase-file", ian])
        .args(["--user", "Ian IT", "--passphrase-file", first]));
    assert_eq!(code, 0, "{err}");
    ws
}

#[test]
fn a_lead_runs_two_periods_and_prints_each_positions_214_and_the_objectives() {
    let ws = with_ian();
    let id = ws.ok(&["incident", "start", "ransomware", "--drill"]).trim().to_owned();
    ws.ok(&["incident", "assign", &id, "it-lead", "Ian IT"]);
    let listed = ws.ok(&["incident", "objective", &id, "--add", "Keep patient care going"]);
    assert!(listed.contains("1. Keep patient care going  (open)"), "{listed}");
    ws.ok(&["incident", "objective", &id, "--add", "Isolate the file server"]);

    // Ian writes under his own unlock; a clinician may not run the incident's command.
    let (code, _, err) = as_ian(&ws, &["incident", "note", &id, "Servers unplugged"]);
    assert_eq!(code, 0, "{err}");
    let message = ["incident", "message", &id, "--to", "incident-commander", "--text"];
    let (code, out, err) =
        as_ian(&ws, &[&message[..], &["File server isolated", "--priority", "urgent"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("General message recorded as log entry"), "{out}");
    let (code, _, err) = as_ian(&ws, &["incident", "period", &id, "--new"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");
    let (code, _, err) =
        as_ian(&ws, &["incident", "form", &id, "214", "--format", "html", "--out", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");

    ws.ok(&["incident", "objective", &id, "--close", "2"]);
    let periods = ws.ok(&["incident", "period", &id, "--new", "--length", "8"]);
    let show = ws.ok(&["incident", "show", &id]);
    assert!(show.contains("operational period 2: from "), "{show}");
    assert!(
        periods.contains("period 1: from ")
            && periods.contains(", 12 hours, started by Ada Admin\n"),
        "{periods}"
    );
    assert!(
        periods.contains("period 2: from ")
            && periods.contains("8 hours, started by Ada Admin  (current)"),
        "{periods}"
    );
    let (code, _, err) = as_ian(&ws, &["incident", "note", &id, "Backups checked"]);
    assert_eq!(code, 0, "{err}");

    // The 202 of period 2 carries the open objective, not the closed one; period 1 shows
    // both, the second as closed.
    let two = form(&ws, &id, &["202", "--format", "html"]);
    assert!(
        two.contains("INCIDENT OBJECTIVES (HICS 202)") && two.contains("Period 2: from "),
        "{two}"
    );
    assert!(
        two.contains("Keep patient care going") && !two.contains("Isolate the file server"),
        "{two}"
    );
    let one = form(&ws, &id, &["202", "--format", "html", "--period", "1"]);
    assert!(one.contains("Isolate the file server") && one.contains("closed "), "{one}");

    // Ian's 214 of period 1 holds his note and his message, in New York time; period 2's
    // holds the later note only.
    let p1 = form(&ws, &id, &["214", "--format", "html", "--period", "1", "--position", "it-lead"]);
    assert!(p1.contains("<th>3. Name</th><td>Ian IT</td>"), "{p1}");
    assert!(p1.contains("<th>4. HIMT Position</th><td>IT/IS Lead</td>"), "{p1}");
    assert!(p1.contains("Note: Servers unplugged") && !p1.contains("Backups checked"), "{p1}");
    assert!(p1.contains("General message (HICS 213) to Incident Commander"), "{p1}");
    assert!(p1.contains(" EST</td>") && p1.contains("(24-hour, America/New_York)"), "{p1}");
    let p2 = form(&ws, &id, &["214", "--format", "csv", "--position", "it-lead"]);
    assert!(p2.starts_with("period,position,entry,time_utc,time_local,by,activity\n"), "{p2}");
    assert!(p2.contains("Note: Backups checked") && !p2.contains("Servers unplugged"), "{p2}");
    let ic = form(&ws, &id, &["214", "--format", "html", "--period", "1"]);
    assert!(
        ic.contains("<td>Incident Commander</td>") && !ic.contains("Servers unplugged"),
        "{ic}"
    );

    let messages = form(&ws, &id, &["213", "--format", "html", "--period", "1"]);
    assert!(messages.contains("<td>File server isolated</td>"), "{messages}");
    assert!(messages.contains("<td>Urgent - High</td>"), "{messages}");
    let org = form(&ws, &id, &["203", "--format", "html"]);
    assert!(org.contains("<td>IT/IS Lead</td><td>Ian IT</td>"), "{org}");

    // Bad input is named and writes nothing.
    for (args, wanted) in [
        (vec!["215", "--format", "html"], "form: `215` is not a form the app fills in"),
        (vec!["202", "--format", "html", "--period", "3"], "there is no period 3"),
        (
            vec!["214", "--format", "html", "--position", "janitor"],
            "`janitor` is not a HICS position",
        ),
    ] {
        let out = ws.path("bad.html");
        let mut all = vec!["incident", "form", id.as_str()];
        all.extend(args);
        all.extend(["--out", out.to_str().unwrap()]);
        let (code, _, err) = ws.run(&all);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("error[invalid_input]") && err.contains(wanted), "{err}");
        assert!(!out.exists());
    }
    let (code, _, err) = ws.run(&["incident", "period", &id, "--new", "--length", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("period length: must be 1 to 168 hours"), "{err}");
    let (code, _, err) = ws.run(&["incident", "period", &id, "--length", "8"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = ws.run(&["incident", "objective", &id, "--close", "2"]);
    assert_eq!(code, 1);
    assert!(err.contains("no open objective 2"), "{err}");

    // The log with the new kinds of entry verifies.
    let bundle = ws.path("log.jsonl");
    ws.ok(&["log", "export", "--out", bundle.to_str().unwrap()]);
    let (code, out, err) = run(caregiver(ws.tmp.path()).args(["log", "verify"]).arg(&bundle));
    assert_eq!(code, 0, "{err}{out}");
}

/// The HICS 205A's CSV carries the contact tree: one row per contact, each column the
/// tree's field of that name, as `contacts list` gives it; its HTML names everyone.
#[test]
fn the_205a_round_trips_the_contact_tree() {
    let ws = Workstation::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contacts/sample.csv");
    ws.ok(&["contacts", "import", sample.to_str().unwrap()]);
    let tree: Vec<serde_json::Value> =
        serde_json::from_str(&ws.ok(&["contacts", "list", "--json"])).unwrap();
    assert!(tree.len() > 5, "{tree:?}");
    let id = ws.ok(&["incident", "start", "ransomware", "--drill"]).trim().to_owned();
    let csv = form(&ws, &id, &["205A", "--format", "csv"]);
    let mut rows = ::csv::Reader::from_reader(csv.as_bytes());
    let head = rows.headers().unwrap().clone();
    let mut n = 0;
    for row in rows.records() {
        let row = row.unwrap();
        let contact = tree.iter().find(|c| c["id"] == row[0]).unwrap();
        for (column, cell) in head.iter().zip(row.iter()) {
            let want = contact[column].as_str().unwrap_or_default();
            assert_eq!(caregiver::csv_safe::unguard(cell), want, "{column} of {}", contact["id"]);
        }
        n += 1;
    }
    assert_eq!(n, tree.len());
    let page = form(&ws, &id, &["205a", "--format", "html"]);
    assert!(page.contains("COMMUNICATIONS LIST (HICS 205A)"), "{page}");
    for contact in &tree {
        assert!(page.contains(contact["name"].as_str().unwrap()), "{}", contact["name"]);
    }
    // The packet holds it, after the 202 and the 203 and before the chart.
    let packet = form(&ws, &id, &["IAP", "--format", "html"]);
    let at = |text: &str| packet.find(text).unwrap_or_else(|| panic!("{text}:\n{packet}"));
    assert!(at("(HICS 202)") < at("(HICS 203)") && at("(HICS 203)") < at("(HICS 205A)"));
    assert!(at("(HICS 205A)") < at("(HICS 207)") && packet.contains("<svg"));
    let (code, _, err) = ws.run(&["incident", "form", &id, "207", "--format", "csv", "--out", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("the HICS 207 is printed: ask for html"), "{err}");
}

/// The HICS 201, 204, 215A and 251 from the CLI: the lead writes the briefing, a work
/// assignment and a hazard; Ian, a clinician, reports systems down (a register system and
/// one named by hand) but may not write the briefing; across a period change the summary,
/// the assignment and the statuses stand, the hazards and actions stay in their period;
/// the packet holds the 204 and 215A in their place.
#[test]
fn the_201_204_215a_and_251_are_written_from_the_cli_and_carried_over() {
    let ws = with_ian();
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/assets/sample.csv");
    ws.ok(&["assets", "import", assets.to_str().unwrap()]);
    let id = ws.ok(&["incident", "start", "ransomware", "--drill"]).trim().to_owned();
    ws.ok(&["incident", "assign", &id, "it-lead", "Ian IT"]);
    let said = ws.ok(&[
        "incident",
        "briefing",
        &id,
        "--summary",
        "EHR encrypted <b>",
        "--safety",
        "Cables on the floor",
        "--action",
        "Paper charts to every ward",
    ]);
    assert!(
        said.contains("Situation Summary written (HICS 201).")
            && said.contains("Current or planned action written"),
        "{said}"
    );
    ws.ok(&["incident", "assignment", &id, "--position", "it-lead", "--text", "Image the servers"]);
    ws.ok(&[
        "incident",
        "safety",
        &id,
        "--hazard",
        "Wrong-patient orders",
        "--mitigation",
        "Two identifiers",
    ]);

    let (code, out, err) = as_ian(
        &ws,
        &["incident", "system", &id, "ehr-db", "--status", "down", "--note", "Encrypted"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ehr-db: Nonfunctional (HICS 251)."), "{out}");
    let (code, _, err) =
        as_ian(&ws, &["incident", "system", &id, "Pneumatic tubes", "--status", "partial"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_ian(&ws, &["incident", "briefing", &id, "--summary", "mine"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]"), "{err}");

    // Bad input is named, exits non-zero and writes nothing: an empty part fails the whole
    // briefing, the summary typed beside it included.
    let (code, _, err) =
        ws.run(&["incident", "briefing", &id, "--summary", "Half written", "--action", "  "]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[invalid_input]") && err.contains("briefing: write 1 to 2000"),
        "{err}"
    );
    let (code, _, err) =
        ws.run(&["incident", "assignment", &id, "--position", "janitor", "--text", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("`janitor` is not a HICS position"), "{err}");
    let (code, _, _) = ws.run(&["incident", "system", &id, "ehr-db", "--status", "broken"]);
    assert_eq!(code, 2);
    let (code, _, _) = ws.run(&["incident", "briefing", &id]);
    assert_eq!(code, 2);

    ws.ok(&["incident", "period", &id, "--new"]);
    ws.ok(&["incident", "system", &id, "EHR-DB", "--status", "up"]);
    ws.ok(&[
        "incident",
        "safety",
        &id,
        "--hazard",
        "Fatigue",
        "--mitigation",
        "Shifts of 12 hours",
    ]);

    let b1 = form(&ws, &id, &["201", "--format", "html", "--period", "1"]);
    assert!(
        b1.contains("INCIDENT BRIEFING (HICS 201)") && b1.contains("EHR encrypted &lt;b&gt;"),
        "{b1}"
    );
    assert!(
        b1.contains("Cables on the floor") && b1.contains("Paper charts to every ward"),
        "{b1}"
    );
    assert!(!b1.contains("Half written"), "{b1}");
    assert!(b1.contains("<td>IT/IS Lead</td><td>Ian IT</td>") && b1.contains(" EST"), "{b1}");
    let b2 = form(&ws, &id, &["201", "--format", "csv"]);
    assert!(
        b2.contains("2,3. Situation Summary,EHR encrypted <b>,") && !b2.contains("Paper charts"),
        "{b2}"
    );

    let work = form(&ws, &id, &["204", "--format", "html"]);
    assert!(work.contains("<td>IT/IS Lead</td><td>Image the servers</td>"), "{work}");
    let safety = form(&ws, &id, &["215A", "--format", "html"]);
    assert!(safety.contains("<td>Fatigue</td>") && !safety.contains("Wrong-patient"), "{safety}");
    let safety1 = form(&ws, &id, &["215a", "--format", "csv", "--period", "1"]);
    assert!(safety1.contains("1,Wrong-patient orders,Two identifiers,"), "{safety1}");

    let s1 = form(&ws, &id, &["251", "--format", "html", "--period", "1"]);
    assert!(
        s1.contains("<td>EHR production database</td><td>Nonfunctional</td><td>Encrypted</td>"),
        "{s1}"
    );
    assert!(s1.contains("<td>PACS imaging archive</td><td>Not reported</td>"), "{s1}");
    assert!(s1.contains("<td>Pneumatic tubes</td><td>Partially functional</td>"), "{s1}");
    assert!(!s1.contains("Infusion pump"), "only the register's systems: {s1}");
    let s2 = form(&ws, &id, &["251", "--format", "csv"]);
    assert!(s2.contains("2,EHR production database,Fully functional,,"), "{s2}");
    assert!(s2.contains("2,Pneumatic tubes,Partially functional,,"), "carried over: {s2}");

    let packet = form(&ws, &id, &["IAP", "--format", "html"]);
    let at = |text: &str| packet.find(text).unwrap_or_else(|| panic!("{text}:\n{packet}"));
    assert!(at("(HICS 202)") < at("(HICS 203)") && at("(HICS 203)") < at("(HICS 204)"));
    assert!(at("(HICS 204)") < at("(HICS 205A)") && at("(HICS 205A)") < at("(HICS 215A)"));
    assert!(at("(HICS 215A)") < at("(HICS 207)"));

    let bundle = ws.path("log.jsonl");
    ws.ok(&["log", "export", "--out", bundle.to_str().unwrap()]);
    let (code, out, err) = run(caregiver(ws.tmp.path()).args(["log", "verify"]).arg(&bundle));
    assert_eq!(code, 0, "{err}{out}");
}
