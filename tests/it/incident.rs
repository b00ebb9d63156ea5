//! Running an incident from the CLI: start, walk the playbook through its decisions to the
//! end, note, close; every event in the activity log, which then verifies.

use std::path::Path;

use crate::support::{caregiver, run};

const ADMIN: &str = "Ada Admin";

struct Cli {
    tmp: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        std::io::Write::write_all(
            &mut std::fs::File::create(tmp.path().join("pass")).unwrap(),
            b"correct horse battery staple",
        )
        .unwrap();
        let cli = Self { tmp };
        let (code, _, err) = cli.run(&["init", "--admin", ADMIN]);
        assert_eq!(code, 0, "{err}");
        cli
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_in(None, args)
    }

    /// As [`Cli::run`], on a machine whose system zone is `tz` (`TZ`) when given.
    fn run_in(&self, tz: Option<&str>, args: &[&str]) -> (i32, String, String) {
        let p: &Path = self.tmp.path();
        let mut cmd = caregiver(p);
        if let Some(tz) = tz {
            cmd.env("TZ", tz);
        }
        run(cmd
            .arg("--store")
            .arg(p.join("store.db"))
            .args(args)
            .args(["--passphrase-file"])
            .arg(p.join("pass"))
            .args(if args[0] == "init" { vec![] } else { vec!["--user", ADMIN] }))
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }
}

fn current(show: &str) -> Option<String> {
    show.split("current step: ").nth(1).map(|s| s.lines().next().unwrap().trim().to_owned())
}

#[test]
fn a_ransomware_drill_runs_through_its_decisions_to_the_end_and_the_log_verifies() {
    let cli = Cli::new();
    let id = cli.ok(&[
        "incident",
        "start",
        "ransomware",
        "--drill",
        "--discovered",
        "2026-11-28T06:30:00Z",
    ]);
    let id = id.trim().to_owned();
    let show = cli.ok(&["incident", "show", &id]);
    assert!(show.contains("[DRILL]") && show.contains("discovered 2026-11-28 06:30 UTC"), "{show}");

    let playbook = caregiver::playbook::find("ransomware").unwrap();
    let mut steps_seen = Vec::new();
    let mut state = show;
    let mut decisions = 0;
    while let Some(step) = current(&state) {
        assert!(steps_seen.len() < 40, "the walk does not end: {steps_seen:?}");
        let s = playbook.steps.iter().find(|s| s.id == step).unwrap();
        state = if s.question.is_some() {
            decisions += 1;
            // The first decision takes its first answer; later ones their last.
            let answer = if decisions == 1 {
                "1".to_owned()
            } else {
                s.choices.last().unwrap().label.clone()
            };
            cli.ok(&["incident", "step", &id, &step, "--choose", &answer])
        } else if step == "paper-downtime" {
            cli.ok(&["incident", "step", &id, &step, "--skip", "ward already on paper"])
        } else {
            cli.ok(&["incident", "step", &id, &step, "--done"])
        };
        steps_seen.push(step);
    }
    assert!(state.contains("playbook finished"), "{state}");
    assert!(decisions >= 2, "{steps_seen:?}");
    assert!(steps_seen.len() < playbook.steps.len(), "a branch skipped some steps: {steps_seen:?}");

    // Wrong moves are refused with a reason.
    let (code, _, err) = cli.run(&["incident", "step", &id, "stop-and-unplug", "--done"]);
    assert_eq!(code, 1);
    assert!(err.contains("the playbook is finished"), "{err}");

    cli.ok(&["incident", "note", &id, "Ward 4 back on the EHR at 14:10"]);
    let closed = cli.ok(&["incident", "close", &id]);
    assert!(closed.contains("closed"), "{closed}");
    let (code, _, err) = cli.run(&["incident", "note", &id, ""]);
    assert_eq!(code, 1, "{err}");

    let show = cli.ok(&["incident", "show", &id]);
    for kind in ["incident_started", "step_done", "step_skipped", "decision", "note", "drill_ended"]
    {
        assert!(show.contains(kind), "{kind} missing:\n{show}");
    }
    assert!(show.contains("ward already on paper"));

    // The three exports: HICS 214 HTML, CSV, and the JSON evidence bundle, which verifies.
    let html_path = cli.tmp.path().join("214.html");
    cli.ok(&["incident", "export", &id, "--format", "html", "--out", html_path.to_str().unwrap()]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    for part in [
        "ACTIVITY LOG (HICS 214)",
        "1. Incident Name",
        "2. Operational Period",
        "3. Name",
        "4. HIMT Position",
        "5. Date/Time",
        "6. Prepared by",
        "DRILL",
        "Skipped: ",
        "(reason: ward already on paper)",
        "Note: Ward 4 back on the EHR at 14:10",
        "Drill ended",
    ] {
        assert!(html.contains(part), "{part} missing from the HICS 214 export");
    }
    assert!(
        html.contains(&format!("{} entries, head ", 1 + steps_seen.len() + 2)),
        "no log anchor"
    );
    let csv_path = cli.tmp.path().join("214.csv");
    cli.ok(&["incident", "export", &id, "--format", "csv", "--out", csv_path.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(
        csv.starts_with("entry,time_utc,time_local,incident,drill,by,kind,step,activity\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1 + 1 + steps_seen.len() + 2);
    assert!(csv.contains(",yes,Ada Admin,decision,"), "{csv}");
    let (code, _, err) = cli.run(&["incident", "export", &id, "--format", "pdf", "--out", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("[possible values: html, csv, json]"), "{err}");

    let bundle = cli.tmp.path().join("log.jsonl");
    cli.ok(&["incident", "export", &id, "--format", "json", "--out", bundle.to_str().unwrap()]);
    let (code, out, err) = run(caregiver(cli.tmp.path()).args(["log", "verify"]).arg(&bundle));
    assert_eq!(code, 0, "{err}");
    let entries = 1 + steps_seen.len() + 2;
    assert!(out.contains(&format!("{entries} entries")), "{out}");

    // Paper anchors the log: the HICS 214 and the review (text and HTML) print the last
    // checkpoint and the fingerprint of the key `log key` prints and the bundle is signed by.
    let key = cli.ok(&["log", "key"]);
    let fingerprint = key.lines().next().unwrap().strip_prefix("fingerprint: ").unwrap();
    assert!(out.contains(&format!("\nsigner: {fingerprint}\n")), "{out}");
    let signed = format!("Signed by the workstation key with fingerprint {fingerprint}.");
    assert!(html.contains(&signed), "no fingerprint on the HICS 214");
    for format in ["text", "html"] {
        let review = cli.ok(&["incident", "review", &id, "--format", format]);
        let checkpoint = format!("last checkpoint: {entries} entries, head ");
        assert!(review.contains(&checkpoint) && review.contains(&signed), "{format}: {review}");
    }
}

#[test]
fn a_decision_needs_an_answer_and_only_the_current_step_moves() {
    let cli = Cli::new();
    let id = cli.ok(&["incident", "start", "phishing"]).trim().to_owned();
    let playbook = caregiver::playbook::find("phishing").unwrap();
    let first = &playbook.steps[0];
    let second = &playbook.steps[1];
    let (code, _, err) = cli.run(&["incident", "step", &id, &second.id, "--done"]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("the current step is `{}`", first.id)), "{err}");
    let (code, _, err) = cli.run(&["incident", "step", &id, &first.id]);
    assert_eq!(code, 2, "one of --done, --skip, --choose is required: {err}");
    let (code, _, err) = cli.run(&["incident", "start", "no-such-playbook"]);
    assert_eq!(code, 1);
    assert!(err.contains("playbook_not_found"), "{err}");
    let (code, _, err) =
        cli.run(&["incident", "start", "phishing", "--discovered", "2099-01-01T00:00:00Z"]);
    assert_eq!(code, 1);
    assert!(err.contains("discovery time: is in the future"), "{err}");
    let decision = playbook.steps.iter().find(|s| s.question.is_some()).unwrap();
    assert!(decision.choices.len() >= 2);
    let list = cli.ok(&["incident", "list"]);
    assert!(list.contains(&id) && list.contains(&playbook.title), "{list}");
}

#[test]
fn the_lead_assigns_positions_and_the_review_tells_what_happened() {
    let cli = Cli::new();
    let p = cli.tmp.path();
    std::fs::write(p.join("first"), b"first passphrase 12").unwrap();
    let (code, _, err) = run(caregiver(p)
        .arg("--store")
        .arg(p.join("store.db"))
        .args(["--user", ADMIN, "--passphrase-file"])
        .arg(p.join("pass"))
        .args(["user", "add", "Lee Lead", "--role", "lead", "--new-passphrase-file"])
        .arg(p.join("first")));
    assert_eq!(code, 0, "{err}");

    // The lead must be a user of this workstation; by default it is whoever starts.
    let (code, _, err) = cli.run(&["incident", "start", "ransomware", "--lead", "Nobody Known"]);
    assert_eq!(code, 1);
    assert!(err.contains("incident lead: is not a user of this workstation"), "{err}");
    let id = cli
        .ok(&[
            "incident",
            "start",
            "ransomware",
            "--lead",
            "lee lead",
            "--discovered",
            "2026-11-01T08:00:00Z",
        ])
        .trim()
        .to_owned();
    let show = cli.ok(&["incident", "show", &id]);
    assert!(show.contains("lead Lee Lead"), "{show}");
    assert!(show.contains("Incident Commander") && show.contains("Lee Lead"), "{show}");
    // The 60-day clock runs from discovery: 2026-12-31 08:00.
    let clock = clock_line(&show, "breach-decision");
    assert!(clock.contains("due 2026-12-31 08:00 UTC"), "{show}");
    // The first step's reminder is set for 15 minutes after the start.
    assert!(show.contains("reminder set") && show.contains("(stop-and-unplug)"), "{show}");

    let (code, _, err) = cli.run(&["incident", "assign", &id, "chief-of-everything", "Ian IT"]);
    assert_eq!(code, 1);
    assert!(err.contains("is not a HICS position"), "{err}");
    let held = cli.ok(&["incident", "assign", &id, "it-lead", "Ian IT"]);
    assert!(held.contains("IT/IS Lead") && held.contains("Ian IT"), "{held}");
    let (code, _, err) = cli.run(&["incident", "ack-timer", &id, "paper-downtime"]);
    assert_eq!(code, 1, "no reminder waits on that step: {err}");
    cli.ok(&["incident", "ack-timer", &id, "stop-and-unplug"]);
    let show = cli.ok(&["incident", "show", &id]);
    assert!(!show.contains("reminder set"), "{show}");

    cli.ok(&["incident", "step", &id, "stop-and-unplug", "--done"]);
    cli.ok(&["incident", "step", &id, "monitored-patients", "--done"]);
    cli.ok(&["incident", "step", &id, "paper-downtime", "--skip", "the ward was already on paper"]);
    cli.ok(&["incident", "step", &id, "check-spread", "--choose", "2"]);
    let review = cli.ok(&["incident", "review", &id]);
    for part in [
        "After-action review: Ransomware",
        "2 done, 1 decisions, 1 skipped",
        "open for ",
        "1 skipped",
        "SKIPPED  Switch the unit to paper downtime procedures (the ward was already on paper)",
        "Immediate (0-2 hours)",
        "due 2026-12-31 08:00 UTC: Notify affected individuals if this is a breach",
    ] {
        assert!(review.contains(part), "{part:?} missing:\n{review}");
    }
    let json = cli.ok(&["incident", "review", &id, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["skipped"], 1);
    let (code, _, err) = cli.run(&["incident", "review", &id, "--format", "pdf"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[possible values: text, html, json]"), "{err}");

    // The timeline picture and the printable review (which holds the same picture).
    let svg_path = p.join("timeline.svg");
    cli.ok(&["incident", "timeline", &id, "--out", svg_path.to_str().unwrap()]);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("Incident Commander") && svg.contains("Unit staff")
    );
    let review_path = p.join("review.html");
    cli.ok(&[
        "incident",
        "review",
        &id,
        "--format",
        "html",
        "--out",
        review_path.to_str().unwrap(),
    ]);
    let review_html = std::fs::read_to_string(&review_path).unwrap();
    assert!(
        review_html.contains("<svg")
            && review_html.contains("<td>SKIPPED: the ward was already on paper</td>")
    );

    // The HICS 214 export lists who held which position.
    let html_path = p.join("214.html");
    cli.ok(&["incident", "export", &id, "--format", "html", "--out", html_path.to_str().unwrap()]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("<td>Ian IT</td><td>IT/IS Lead</td>"), "{html}");
    assert!(html.contains("Position assigned: IT/IS Lead: Ian IT"), "{html}");
}

/// Ward staff under emergency access log what they see; it reaches the incident's signed
/// log at the next full unlock, once, and the chain still verifies.
#[test]
fn an_observation_under_emergency_access_reaches_the_incident_log() {
    use caregiver::app::App;
    use caregiver::events::Event;
    use std::time::Instant;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store.db");
    let pass = b"correct horse battery staple";
    let mut app = App::new(path.clone(), crate::support::clock(), Instant::now());
    app.setup(ADMIN, pass, Instant::now()).unwrap();
    app.set_emergency_code(b"WARD-CODE-1234-5678").unwrap();
    let started = app.start_incident("ehr-downtime", false, None, None).unwrap().progress.incident;
    app.lock();

    app.unlock_emergency(b"WARD-CODE-1234-5678", Instant::now()).unwrap();
    let open = app.ward_incidents().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].incident.title, started.title);
    assert_eq!(app.observe("no-such-incident", "x").unwrap_err().code(), "invalid_input");
    assert_eq!(app.observe(&started.id, "   ").unwrap_err().code(), "invalid_input");
    app.observe(&started.id, "Bed 12 infusion pump shows a ransom note").unwrap();
    app.lock();
    // Not in the database in clear.
    let raw = std::fs::read(&path).unwrap();
    assert!(!raw.windows(10).any(|w| w == b"ransom not"));

    let observations = |app: &App| -> Vec<caregiver::incident::Activity> {
        let progress = app.progress(&started.id).unwrap();
        progress
            .events
            .into_iter()
            .filter(|e| matches!(e.event, Event::Observation { .. }))
            .collect()
    };
    app.unlock(ADMIN, pass, Instant::now()).unwrap();
    let seen = observations(&app);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].actor, "emergency access");
    assert_eq!(seen[0].detail.as_deref(), Some("Bed 12 infusion pump shows a ransom note"));
    // Once only, and the log still verifies.
    app.lock();
    app.unlock(ADMIN, pass, Instant::now()).unwrap();
    assert_eq!(observations(&app).len(), 1);
    app.export_log().unwrap();

    // A closed incident takes no more observations.
    app.close_incident(&started.id).unwrap();
    app.unlock_emergency(b"WARD-CODE-1234-5678", Instant::now()).unwrap();
    assert!(app.ward_incidents().unwrap().is_empty());
    assert_eq!(app.observe(&started.id, "late").unwrap_err().code(), "invalid_input");
}

/// Walks a drill of `playbook` through the CLI as a user would: each decision answered as
/// `answers` says, every other step done, to the end; then closes it.
fn walk_drill(cli: &Cli, id: &str, playbook: &str, answers: &[(&str, &str)]) {
    let p = caregiver::playbook::find(playbook).unwrap();
    let mut state = cli.ok(&["incident", "show", id]);
    let mut walked = 0;
    while let Some(step) = current(&state) {
        walked += 1;
        assert!(walked < 40, "the walk does not end at {step}");
        let s = p.steps.iter().find(|s| s.id == step).unwrap();
        state = if s.form.is_some() {
            // The privacy officer's signed assessment answers it, with the answer's meaning.
            let answer = answers.iter().find(|(d, _)| *d == step).map(|(_, a)| *a).unwrap();
            let means = &s.choices.iter().find(|c| c.label == answer).unwrap().means[0];
            cli.ok(&["incident", "assign", id, "privacy-officer", ADMIN]);
            let args = crate::breach::assess_args(id, means);
            cli.ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
        } else if s.question.is_some() {
            let answer = answers.iter().find(|(d, _)| *d == step).map(|(_, a)| *a).unwrap();
            cli.ok(&["incident", "step", id, &step, "--choose", answer])
        } else {
            cli.ok(&["incident", "step", id, &step, "--done"])
        };
    }
    cli.ok(&["incident", "close", id]);
}

/// The clock line `incident show` prints for `clock`, with its state below.
fn clock_line(show: &str, clock: &str) -> String {
    let start = show.find(&format!("clock {clock} (")).unwrap_or_else(|| panic!("{show}"));
    show[start..].lines().take(2).collect::<Vec<_>>().join("\n")
}

/// Issue 13's two drills, as a user runs them. A PHI breach under 500 people, no state
/// over 500: the media and HHS-now clocks are "not applicable" (never MISSED) in the
/// review, the show and the HICS 214, and the yearly HHS report is due 60 days after the
/// end of the calendar year of discovery. Discovery is moved back with a reason, and a
/// law-enforcement delay paused and resumed, on the way. A medical-device incident
/// answered "No patient harmed": the FDA report is "not applicable".
#[test]
fn the_two_drills_show_not_applicable_clocks_and_the_yearly_hhs_date() {
    let cli = Cli::new();
    // Discovered two days ago; moved back to three.
    let now = chrono::Utc::now();
    let discovered = (now - chrono::Duration::days(2)).to_rfc3339();
    let earlier = now - chrono::Duration::days(3);
    let id = cli.ok(&["incident", "start", "phi-breach", "--drill", "--discovered", &discovered]);
    let id = id.trim().to_owned();
    let moved = cli.ok(&[
        "incident",
        "discovery",
        &id,
        "--at",
        &earlier.to_rfc3339(),
        "--reason",
        "the audit log shows the first access a day earlier",
    ]);
    assert!(moved.contains("recorded at the start as"), "{moved}");
    assert!(moved.contains("the audit log shows the first access a day earlier"), "{moved}");
    let paused = cli.ok(&[
        "incident",
        "pause",
        &id,
        "--clock",
        "notify-individuals",
        "--reason",
        "Det. Ray, county police, by phone: notice would hinder the investigation",
    ]);
    assert!(clock_line(&paused, "hipaa-individuals").contains("(paused;"), "{paused}");
    let resumed = cli.ok(&["incident", "resume", &id, "--clock", "notify-individuals"]);
    assert!(clock_line(&resumed, "hipaa-individuals").contains("(running;"), "{resumed}");
    let (code, _, err) = cli.run(&["incident", "resume", &id, "--clock", "notify-individuals"]);
    assert_eq!(code, 1, "{err}");

    walk_drill(
        &cli,
        &id,
        "phi-breach",
        &[
            ("exceptions-check", "No, or not sure"),
            ("four-factor", "No, or not sure: treat it as a breach"),
            ("contact-details", "No, everyone was reached"),
            ("media-check", "No"),
            ("hhs-check", "No, fewer than 500"),
        ],
    );
    let show = cli.ok(&["incident", "show", &id]);
    for clock in ["hipaa-media", "hipaa-hhs-500"] {
        let line = clock_line(&show, clock);
        assert!(line.contains("(not applicable;") && line.contains("due \u{2014}"), "{line}");
    }
    let yearly_due = caregiver::incident::clocks::year_end(earlier, &chrono::Utc)
        .and_then(|end| {
            let sixty = caregiver::playbook::format::parse_span("60 days").unwrap();
            caregiver::incident::clocks::add_span(end, sixty, &[], &chrono::Utc)
        })
        .unwrap();
    let yearly = clock_line(&show, "hipaa-hhs-yearly");
    assert!(yearly.contains(&caregiver::words::minute(yearly_due)), "{yearly}");
    assert!(yearly.contains("(met;") && yearly.contains("164.408(c)"), "{yearly}");
    assert!(clock_line(&show, "hipaa-individuals").contains("(met;"), "{show}");

    let review = cli.ok(&["incident", "review", &id]);
    assert!(!review.contains("MISSED"), "{review}");
    assert_eq!(review.matches("not applicable: its branch was not taken").count(), 2, "{review}");
    assert!(review.contains(&format!("due {} UTC", caregiver::words::minute(yearly_due))));
    assert!(review.contains("in no case later than 60 calendar days after discovery"));
    assert!(review.contains("law-enforcement delay (oral)"), "{review}");
    let json = cli.ok(&["incident", "review", &id, "--format", "json"]);
    assert_eq!(json.matches("\"status\": \"not_applicable\"").count(), 2, "{json}");
    let html_path = cli.tmp.path().join("phi-214.html");
    cli.ok(&["incident", "export", &id, "--format", "html", "--out", html_path.to_str().unwrap()]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Legal clock") && !html.contains("MISSED"), "{html}");
    assert_eq!(html.matches("not applicable: its branch was not taken").count(), 2);
    assert!(html.contains("Discovery time corrected"), "the correction is in the log");

    // The medical-device drill: no patient harmed, so no FDA report clock.
    let id = cli.ok(&["incident", "start", "medical-device", "--drill"]).trim().to_owned();
    walk_drill(
        &cli,
        &id,
        "medical-device",
        &[("harm-check", "No"), ("fleet-check", "No, only this device"), ("privacy-check", "No")],
    );
    let show = cli.ok(&["incident", "show", &id]);
    assert!(clock_line(&show, "fda-803-30").contains("(not applicable;"), "{show}");
    let review = cli.ok(&["incident", "review", &id]);
    assert!(!review.contains("MISSED") && !review.contains("OVERDUE"), "{review}");
    assert!(review.contains("within 10 business days of discovery, if"), "{review}");
}

/// What a person reads is in the workstation's zone, with its abbreviation: the system's
/// (here `TZ`), or the one an admin set for a workstation whose system zone is wrong; the
/// log and its exports keep UTC. Across a daylight-saving change, each time carries its own
/// abbreviation.
#[test]
fn people_read_local_time_the_system_zone_or_the_one_an_admin_set() {
    let cli = Cli::new();
    let id = cli.ok(&[
        "incident",
        "start",
        "phi-breach",
        "--drill",
        "--discovered",
        "2026-10-31T18:30:00Z",
    ]);
    let id = id.trim().to_owned();
    let in_new_york = |args: &[&str]| {
        let (code, out, err) = cli.run_in(Some("America/New_York"), args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    // Discovered the day before New York's clocks go back: EDT then.
    let show = in_new_york(&["incident", "show", &id]);
    assert!(show.contains("discovered 2026-10-31 14:30 EDT"), "{show}");
    let settings = in_new_york(&["settings", "show"]);
    assert!(settings.contains("time-zone  America/New_York (the system's;"), "{settings}");

    // The admin sets Chicago: the system's zone no longer counts.
    let set = cli.ok(&["settings", "time-zone", "America/Chicago"]);
    assert!(set.contains("now read in America/Chicago"), "{set}");
    let show = in_new_york(&["incident", "show", &id]);
    assert!(show.contains("discovered 2026-10-31 13:30 CDT"), "{show}");
    let review = cli.ok(&["incident", "review", &id]);
    assert!(review.contains("Discovered 2026-10-31 13:30 CDT"), "{review}");
    let html = cli.tmp.path().join("214.html");
    cli.ok(&["incident", "export", &id, "--format", "html", "--out", html.to_str().unwrap()]);
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("(24-hour, America/Chicago)") && html.contains(" CST"), "{html}");

    // What is not a zone is refused, naming it; `system` goes back to the system's.
    let (code, _, err) = cli.run(&["settings", "time-zone", "Mars/Olympus"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[invalid_input]") && err.contains("`Mars/Olympus`"), "{err}");
    cli.ok(&["settings", "time-zone", "system"]);
    let show = in_new_york(&["incident", "show", &id]);
    assert!(show.contains("discovered 2026-10-31 14:30 EDT"), "{show}");
}

/// `caregiver incident clocks` lists every running legal clock of the open incidents,
/// soonest due first, in the workstation's zone; `caregiver settings clock-reminders` sets
/// how long before they are due the reminders come.
#[test]
fn the_workstations_clocks_and_their_reminders_from_the_cli() {
    let cli = Cli::new();
    assert!(cli.ok(&["incident", "clocks"]).contains("No legal clock is running."));
    let id = cli.ok(&[
        "incident",
        "start",
        "phi-breach",
        "--drill",
        "--discovered",
        "2026-11-20T15:00:00Z",
    ]);
    let id = id.trim().to_owned();
    let clocks = cli.ok(&["incident", "clocks"]);
    let first = clocks.lines().next().unwrap();
    assert!(first.starts_with("due 2027-01-19 15:00 UTC  running, "), "{clocks}");
    assert!(
        clocks.contains(&format!("[DRILL] ({id}): Notify each affected individual")),
        "{clocks}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&cli.ok(&["incident", "clocks", "--json"])).unwrap();
    assert_eq!(json[0]["clock"]["step"], "notify-individuals", "{json}");

    let set = cli.ok(&["settings", "clock-reminders", "14d", "2d", "4h"]);
    assert!(set.contains("remind 14 d, 2 d, 4 h before they are due"), "{set}");
    assert!(cli.ok(&["settings", "show"]).contains("clock-reminders  14 d, 2 d, 4 h before"));
    let (code, _, err) = cli.run(&["settings", "clock-reminders", "soon"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[invalid_input]") && err.contains("`soon` is not a lead time"),
        "{err}"
    );
}
