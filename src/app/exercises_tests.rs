//! An exercise through the application layer, on a real store and a fake clock: injects
//! come in order at their offsets; pause, speed and jump move the scenario clock; a
//! participant's decision is logged against the inject in play; an evaluator's observation
//! is an entry under their own unlock; a clinician may not evaluate.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use crate::app::App;
use crate::app::admin::NewUser;
use crate::clock::FakeClock;
use crate::events::Event;
use crate::exercise::run::{Control, Exercise, Rating};
use crate::store::Role;

const PASS: &[u8] = b"correct horse battery staple";
const FIRST: &[u8] = b"first passphrase 12";
const OWN: &[u8] = b"my own passphrase 12";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn in_play(x: &Exercise) -> Option<&str> {
    x.inject_in_play().map(|i| i.inject.id.as_str())
}

#[test]
fn injects_come_in_order_and_pause_speed_and_jump_move_the_scenario_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::starting_at(at("2026-06-01T09:00:00Z"));
    let mut app = App::new(dir.path().join("store.db"), clock.clone(), Instant::now())
        .with_managed_dir(dir.path().join("managed"));
    app.setup("Ada Admin", PASS, Instant::now()).unwrap();
    for (name, role) in [("Eve Evaluator", Role::Lead), ("Nia Nurse", Role::Clinician)] {
        let user = NewUser { name, role, first_passphrase: FIRST, department: None };
        app.add_user(user).unwrap();
    }
    for name in ["Eve Evaluator", "Nia Nurse"] {
        app.unlock(name, FIRST, Instant::now()).unwrap();
        app.change_own_passphrase(OWN).unwrap();
    }
    app.unlock("Ada Admin", PASS, Instant::now()).unwrap();

    let x = app.start_exercise("ransomware-ehr-downtime").unwrap();
    let id = x.id.clone();
    assert_eq!(x.facilitator, "Ada Admin");
    assert_eq!(in_play(&x), Some("ransom-note"));
    assert_eq!(x.next.map(|(_, left)| left), Some(10 * 60));
    // A drill incident of the package's playbook.
    let incident = app.incident(&id).unwrap();
    assert!(incident.progress.incident.drill);
    assert_eq!(incident.progress.incident.playbook, "ransomware");

    // Real time: the second inject at 10 minutes, the third at 20.
    clock.advance(Duration::minutes(9));
    assert_eq!(in_play(&app.exercise(&id).unwrap()), Some("ransom-note"));
    clock.advance(Duration::minutes(1));
    let x = app.exercise(&id).unwrap();
    assert_eq!(in_play(&x), Some("monitors-stale"));
    assert_eq!(x.injects[1].came, Some(at("2026-06-01T09:10:00Z")));

    // Paused: nothing comes, however long.
    app.control_exercise(&id, Control::Pause).unwrap();
    assert!(app.control_exercise(&id, Control::Pause).is_err());
    clock.advance(Duration::hours(2));
    let x = app.exercise(&id).unwrap();
    assert!(!x.running);
    assert_eq!((x.scenario, in_play(&x)), (600, Some("monitors-stale")));
    app.control_exercise(&id, Control::Resume).unwrap();

    // Ten times faster: the third inject (at 20 min) comes one real minute later.
    app.control_exercise(&id, Control::Speed(10)).unwrap();
    assert!(app.control_exercise(&id, Control::Speed(0)).is_err());
    assert!(app.control_exercise(&id, Control::Speed(61)).is_err());
    clock.advance(Duration::seconds(59));
    assert_eq!(in_play(&app.exercise(&id).unwrap()), Some("monitors-stale"));
    clock.advance(Duration::seconds(1));
    let x = app.exercise(&id).unwrap();
    assert_eq!((x.scenario, in_play(&x)), (1200, Some("ehr-down-everywhere")));
    app.control_exercise(&id, Control::Speed(1)).unwrap();

    // Jump: the next inject now, and the clock runs on from its offset.
    let x = app.control_exercise(&id, Control::Next).unwrap();
    assert_eq!((x.scenario, in_play(&x)), (35 * 60, Some("servers-encrypted")));
    clock.advance(Duration::minutes(5));
    let x = app.exercise(&id).unwrap();
    assert_eq!(x.scenario, 40 * 60);
    let order: Vec<&str> =
        x.injects.iter().filter(|i| i.came.is_some()).map(|i| i.inject.id.as_str()).collect();
    assert_eq!(
        order,
        ["ransom-note", "monitors-stale", "ehr-down-everywhere", "servers-encrypted"]
    );
    let times: Vec<_> = x.injects.iter().filter_map(|i| i.came).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // A participant's decision, against the inject in play.
    app.unlock("Nia Nurse", OWN, Instant::now()).unwrap();
    let x = app.exercise_decision(&id, None, "Call the service desk, go to paper").unwrap();
    assert_eq!(x.decisions[0].inject, "servers-encrypted");
    assert_eq!(x.decisions[0].by, "Nia Nurse");
    assert!(app.exercise_decision(&id, Some("restore-order"), "too early").is_err());
    assert!(app.exercise_decision(&id, None, "  ").is_err());
    // A clinician may not evaluate, nor run the clock.
    let e = app.observe_exercise(&id, "isolate-machines", Rating::S, "slow").unwrap_err();
    assert_eq!(e.code(), "permission_denied");
    assert_eq!(app.control_exercise(&id, Control::Next).unwrap_err().code(), "permission_denied");

    // The evaluator, under her own unlock.
    app.unlock("Eve Evaluator", OWN, Instant::now()).unwrap();
    let bad = app.observe_exercise(&id, "no-such-task", Rating::P, "x").unwrap_err();
    assert!(bad.to_string().contains("isolate-machines"), "{bad}");
    let x = app
        .observe_exercise(&id, "isolate-machines", Rating::S, "Unplugged after 12 minutes")
        .unwrap();
    let o = &x.observations[0];
    assert_eq!(
        (o.objective.as_str(), o.rating, o.by.as_str()),
        ("contain-the-spread", Rating::S, "Eve Evaluator")
    );
    let entries = app.user().unwrap().events(Some(&id)).unwrap();
    let observed =
        entries.iter().find(|e| matches!(e.event, Event::ExerciseObserved { .. })).unwrap();
    assert_eq!(observed.actor, "Eve Evaluator");

    // Jumping to the end; then there is no next.
    app.unlock("Ada Admin", PASS, Instant::now()).unwrap();
    let mut x = app.exercise(&id).unwrap();
    while x.next.is_some() {
        x = app.control_exercise(&id, Control::Next).unwrap();
    }
    assert_eq!(in_play(&x), Some("data-taken"));
    assert!(app.control_exercise(&id, Control::Next).is_err());
    assert_eq!(app.exercises().unwrap().len(), 1);
    // An incident that is not an exercise is not one.
    let real = app.start_incident("ransomware", false, None, None).unwrap();
    assert!(app.exercise(&real.progress.incident.id).is_err());
    assert_eq!(app.exercises().unwrap().len(), 1);
}

#[test]
fn the_aar_holds_the_observations_and_the_plan_whose_actions_remind_until_closed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::starting_at(at("2026-06-01T09:00:00Z"));
    let mut app = App::new(dir.path().join("store.db"), clock.clone(), Instant::now())
        .with_managed_dir(dir.path().join("managed"));
    app.setup("Ada Admin", PASS, Instant::now()).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();
    let user = NewUser {
        name: "Nia Nurse",
        role: Role::Clinician,
        first_passphrase: FIRST,
        department: None,
    };
    app.add_user(user).unwrap();

    let x = app.start_exercise("ransomware-ehr-downtime").unwrap();
    let id = x.id.clone();
    app.control_exercise(&id, Control::Next).unwrap();
    app.exercise_decision(&id, None, "<b>Watch</b> beds 3 & 4 in person").unwrap();
    app.observe_exercise(&id, "watch-monitored-patients", Rating::P, "Runner posted at once")
        .unwrap();
    app.observe_exercise(
        &id,
        "isolate-machines",
        Rating::M,
        "Two PCs <script>x</script> turned off",
    )
    .unwrap();

    let new = |due: &'static str, changes: &'static str| crate::exercise::actions::NewAction {
        objective: "contain-the-spread",
        text: "Teach unplug, do not power off",
        owner: "Nia Nurse",
        due: chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
        changes,
    };
    // What it changes must exist.
    assert!(app.add_corrective_action(&id, &new("2026-06-20", "ransomware#no-step")).is_err());
    assert!(app.add_corrective_action(&id, &new("2026-06-20", "training:nothing")).is_err());
    let bad_objective = crate::exercise::actions::NewAction {
        objective: "nope",
        ..new("2026-06-20", "ransomware")
    };
    assert!(app.add_corrective_action(&id, &bad_objective).is_err());
    let a =
        app.add_corrective_action(&id, &new("2026-06-20", "ransomware#stop-and-unplug")).unwrap();
    assert_eq!(a.id, format!("{id}-C1"));
    assert_eq!(a.changes, "playbook:ransomware#stop-and-unplug");

    let html = app.exercise_report_html(&id).unwrap();
    for want in [
        "After-Action Report / Improvement Plan",
        "Runner posted at once",
        "M: performed with major challenges",
        "Appendix A: Improvement plan",
        "Teach unplug, do not power off",
        "2026-06-20",
        "<svg",
        "&lt;b&gt;Watch&lt;/b&gt; beds 3 &amp; 4",
        "&lt;script&gt;x&lt;/script&gt;",
    ] {
        assert!(html.contains(want), "{want}");
    }
    assert!(!html.contains("<script>x"));

    // Due in 19 days: no reminder yet; 14 days before, one; overdue, another wording.
    let reminded = |app: &App| {
        app.reminders().into_iter().filter(|r| r.step.starts_with("action:")).collect::<Vec<_>>()
    };
    assert!(reminded(&app).is_empty());
    clock.set(at("2026-06-06T09:00:00Z"));
    let r = reminded(&app);
    assert_eq!(r.len(), 1);
    assert!(r[0].say.contains("is due 2026-06-20 (14 days left)"), "{}", r[0].say);
    // The owner sees it too, and closes it.
    app.unlock("Nia Nurse", FIRST, Instant::now()).unwrap();
    app.change_own_passphrase(OWN).unwrap();
    clock.set(at("2026-06-22T09:00:00Z"));
    let r = reminded(&app);
    assert!(r.len() == 1 && r[0].say.contains("2 days overdue"), "{r:?}");
    let list = app.corrective_actions().unwrap();
    assert_eq!(list.len(), 1);
    app.close_corrective_action(&a.id, "Taught on all units").unwrap();
    assert!(app.close_corrective_action(&a.id, "again").is_err());
    assert!(reminded(&app).is_empty());
    assert!(app.corrective_actions().unwrap()[0].closed.is_some());
}
