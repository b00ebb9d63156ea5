//! The written policy through the application layer, on a real store and a fake clock: a
//! nurse acknowledges the default policy under her own unlock; the admin publishes version
//! 2 in a signed pack (material: she is asked again; version 1 stays readable); version 3
//! is editorial (her acknowledgment of 2 stands); a policy for one department is refused
//! to a nurse of another; the compliance report and the printable policy.

use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::app::admin::NewUser;
use crate::app::library;
use crate::app::training::ReportFormat;
use crate::clock::FakeClock;
use crate::policy::Standing;
use crate::store::Role;

const PASS: &[u8] = b"correct horse battery staple";
const DEFAULT: &str = include_str!("../../playbooks/policies/information-security.md");

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A pack of the default playbooks' one file and `policies` (name, text), signed.
fn pack(dir: &std::path::Path, key: &str, version: u64, policies: &[(&str, String)]) -> String {
    let folder = dir.join(format!("pack-{version}"));
    std::fs::create_dir_all(folder.join("policies")).unwrap();
    std::fs::write(folder.join("phishing.toml"), include_str!("../../playbooks/phishing.toml"))
        .unwrap();
    for (name, text) in policies {
        std::fs::write(folder.join("policies").join(name), text).unwrap();
    }
    library::sign_pack(&folder, key, Some(version), 30, at("2026-12-01T00:00:00Z")).unwrap().1
}

fn standing(app: &App) -> Option<Standing> {
    app.policies().unwrap().into_iter().find(|p| p.id == "information-security").unwrap().mine
}

#[test]
fn versions_are_acknowledged_each_by_its_reader_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::starting_at(at("2026-12-02T09:00:00Z"));
    let mut app = App::new(dir.path().join("store.db"), clock.clone(), Instant::now())
        .with_managed_dir(dir.path().join("managed"));
    app.setup("Ada Admin", PASS, Instant::now()).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();
    let first = b"first passphrase 12";
    for (name, department) in [("Nina Nurse", "Ward 4"), ("Ed Nurse", "ED")] {
        let user = NewUser {
            name,
            role: Role::Clinician,
            first_passphrase: first,
            department: Some(department),
        };
        app.add_user(user).unwrap();
    }
    app.unlock("Nina Nurse", first, Instant::now()).unwrap();
    app.change_own_passphrase(b"nina passphrase 12").unwrap();

    // Version 1, built in: Nina reads it and acknowledges it.
    assert!(matches!(standing(&app), Some(Standing::Due { overdue: false, .. })));
    let page = app.policy("information-security", None).unwrap();
    assert!(page.html.contains("<h2>5. Sending patient information</h2>"), "{}", page.html);
    let ack = app.acknowledge_policy("information-security").unwrap();
    assert_eq!((ack.user.as_str(), ack.version), ("Nina Nurse", 1));
    assert!(matches!(standing(&app), Some(Standing::Acknowledged { version: 1, .. })));

    // The admin publishes version 2, a material change, and a policy for the ED only.
    app.unlock("Ada Admin", PASS, Instant::now()).unwrap();
    let (key, public) = library::new_pack_key().unwrap();
    let v2 = DEFAULT
        .replacen("version = 1", "version = 2", 1)
        .replacen("effective = \"2026-12-01\"", "effective = \"2026-12-02\"", 1)
        .replace(
            "Lock your screen when you walk away",
            "Lock your screen (Windows key + L) when you walk away",
        );
    let ed_only = DEFAULT
        .replacen("id = \"information-security\"", "id = \"ed-triage\"", 1)
        .replacen("title = \"Information security policy\"", "title = \"ED triage devices\"", 1)
        .replacen("departments = []", "departments = [\"ED\"]", 1);
    app.trust_pack_key(&public).unwrap();
    app.import_pack(&pack(
        dir.path(),
        &key,
        2,
        &[("information-security.md", v2.clone()), ("ed-triage.md", ed_only)],
    ))
    .unwrap();
    app.lock();
    // The admin's next sign-in keeps the new version, marking version 1 superseded.
    app.unlock("Ada Admin", PASS, Instant::now()).unwrap();
    let page = app.policy("information-security", None).unwrap();
    assert_eq!(
        page.versions.iter().map(|v| (v.0, v.2.map(|d| d.to_string()))).collect::<Vec<_>>(),
        [(2, None), (1, Some("2026-12-02".into()))]
    );

    app.unlock("Nina Nurse", b"nina passphrase 12", Instant::now()).unwrap();
    assert!(matches!(standing(&app), Some(Standing::Due { .. })), "a material version asks again");
    let old = app.policy("information-security", Some(1)).unwrap();
    assert!(
        !old.in_force && !old.html.contains("Windows key + L"),
        "version 1 stays readable as it was"
    );
    assert!(app.policy("information-security", None).unwrap().html.contains("Windows key + L"));
    assert_eq!(app.acknowledge_policy("information-security").unwrap().version, 2);
    // The ED's policy is not hers to acknowledge.
    let e = app.acknowledge_policy("ed-triage").unwrap_err();
    assert!(e.to_string().contains("not addressed to you"), "{e}");
    assert!(app.policies().unwrap().iter().find(|p| p.id == "ed-triage").unwrap().mine.is_none());

    // Version 3, editorial over 2: Nina's acknowledgment of 2 stands.
    app.unlock("Ada Admin", PASS, Instant::now()).unwrap();
    let v3 = v2.replacen("version = 2", "version = 3", 1).replacen(
        "change = \"material\"",
        "change = \"editorial\"\nmaterial_version = 2",
        1,
    );
    app.import_pack(&pack(dir.path(), &key, 3, &[("information-security.md", v3)])).unwrap();
    app.unlock("Nina Nurse", b"nina passphrase 12", Instant::now()).unwrap();
    assert!(matches!(standing(&app), Some(Standing::Acknowledged { version: 2, .. })));
    assert_eq!(app.policy_compliance().unwrap_err().code(), "permission_denied");

    // The admin's compliance report and the printable policy.
    clock.set(at("2026-12-20T09:00:00Z"));
    app.unlock("Ada Admin", PASS, Instant::now()).unwrap();
    let c = app.policy_compliance().unwrap();
    let ward4 = c
        .rows
        .iter()
        .find(|r| r.policy == "information-security" && r.department.as_deref() == Some("Ward 4"))
        .unwrap();
    assert_eq!((ward4.acknowledged, ward4.total), (1, 1));
    assert!(c.chart.contains("1 of 1"));
    let csv = String::from_utf8(app.policy_report(ReportFormat::Csv).unwrap().bytes).unwrap();
    assert!(csv.contains("Ed Nurse,ED,information-security,3,overdue,2026-12-16,"), "{csv}");
    let dashboard = app.training_dashboard().unwrap();
    assert!(dashboard.policy_chart.contains("Information security policy: ED"));
    let print =
        String::from_utf8(app.print_policy("information-security", None).unwrap().bytes).unwrap();
    assert!(
        print.contains("Information security policy, version 3, effective 2026-12-02")
            && print.contains("position:fixed"),
        "{print}"
    );
}
