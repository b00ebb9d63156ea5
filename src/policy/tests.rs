use chrono::TimeZone;

use super::*;
use crate::store::Role;

fn user(name: &str, role: Role, department: Option<&str>) -> UserInfo {
    UserInfo {
        name: name.into(),
        role,
        must_change_passphrase: false,
        department: department.map(Into::into),
        added: Some(Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()),
    }
}

fn text(version: u32, change: &str, material: Option<u32>) -> String {
    let material = material.map(|m| format!("material_version = {m}\n")).unwrap_or_default();
    format!(
        "+++\nid = \"security\"\ntitle = \"Security\"\nversion = {version}\neffective = \"2026-12-01\"\nreview = \"2027-12-01\"\nowner = \"IS\"\nchange = \"{change}\"\n{material}\n[audience]\nroles = [\"clinician\", \"staff\"]\ndepartments = [\"Ward 4\"]\n\n[[sources]]\ntitle = \"45 CFR 164.316\"\ndate = \"2013-01\"\n+++\n\n# Rules\n\nLock your screen.\n"
    )
}

#[test]
fn the_default_policy_checks_out_and_covers_every_role() {
    let all = embedded().unwrap();
    let p = all.iter().find(|p| p.id == "information-security").unwrap();
    assert_eq!(p.audience.roles.len(), 4);
    assert!(p.sources.iter().any(|s| s.title.contains("164.316")));
    for heading in [
        "Passwords",
        "Sending patient information",
        "Remote access",
        "Reporting incidents",
        "Sanctions",
        "Third parties",
        "Patching",
        "Risk assessment",
    ] {
        assert!(p.body.contains(heading), "{heading}");
    }
}

#[test]
fn a_good_file_parses_and_problems_are_at_their_lines() {
    let p = format::parse("security.md", &text(1, "material", None)).unwrap();
    assert_eq!((p.version, p.material_version), (1, 1));
    assert_eq!(p.body, "# Rules\n\nLock your screen.");

    let bad = text(3, "editorial", None)
        .replace("\"staff\"", "\"nurse\"")
        .replace("\"2027-12-01\"", "\"next year\"");
    let found = format::parse("security.md", &bad).unwrap_err();
    let line_of = |needle: &str| bad[..bad.find(needle).unwrap()].matches('\n').count() + 1;
    let at = |line: usize| {
        found
            .iter()
            .filter(|d| d.line == line)
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(at(line_of("\"nurse\"")).contains("unknown role `nurse`"), "{found:?}");
    assert!(at(line_of("\"next year\"")).contains("`review` must be a date"), "{found:?}");
    assert!(at(line_of("change = ")).contains("names `material_version`"), "{found:?}");

    let found = format::parse("security.md", &text(2, "editorial", Some(2))).unwrap_err();
    assert!(found[0].message.contains("an earlier version, from 1 to 1"), "{found:?}");
    let found = format::parse("security.md", "# no front matter\n").unwrap_err();
    assert_eq!((found[0].line, found[0].column), (1, 1));
    assert!(found[0].message.contains("+++"));
}

#[test]
fn raw_html_and_links_in_a_policy_stay_text() {
    let out = html(
        "Read <script>alert(1)</script> and [this](javascript:alert(1)) ![x](http://e/x.png)\n\n## Two",
    );
    assert!(!out.contains("<script>") && out.contains("&lt;script&gt;"), "{out}");
    assert!(!out.contains("href") && !out.contains("<img") && out.contains("this"), "{out}");
    assert!(out.contains("<h2>Two</h2>"), "{out}");
}

#[test]
fn a_material_version_asks_again_and_an_editorial_one_does_not() {
    let now = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
    let users = [
        user("Nina Nurse", Role::Clinician, Some("Ward 4")),
        user("Sam Staff", Role::Staff, Some("Ward 4")),
        user("Ada Admin", Role::Admin, Some("Ward 4")),
        user("Ed Elsewhere", Role::Clinician, Some("ED")),
    ];
    let acked = |version| PolicyAck {
        user: "Nina Nurse".into(),
        policy: "security".into(),
        version,
        at: now,
    };
    let v1 = format::parse("s.md", &text(1, "material", None)).unwrap();
    let v2 = format::parse("s.md", &text(2, "material", None)).unwrap();
    let v3 = format::parse("s.md", &text(3, "editorial", Some(2))).unwrap();
    let standing = |p: &Policy, acks: &[PolicyAck]| {
        items(&users, std::slice::from_ref(p), acks, now, &Utc)
            .into_iter()
            .map(|i| (i.user, matches!(i.standing, Standing::Acknowledged { .. })))
            .collect::<Vec<_>>()
    };
    // The audience: clinicians and staff of Ward 4, not the admin, not the ED.
    assert_eq!(
        standing(&v1, &[acked(1)]),
        [("Nina Nurse".into(), true), ("Sam Staff".into(), false)]
    );
    // Version 2 is material: Nina's acknowledgment of 1 no longer counts.
    assert_eq!(standing(&v2, &[acked(1)])[0], ("Nina Nurse".into(), false));
    // Version 3 is editorial over 2: an acknowledgment of 2 stands, one of 1 does not.
    assert_eq!(standing(&v3, &[acked(2)])[0], ("Nina Nurse".into(), true));
    assert_eq!(standing(&v3, &[acked(1)])[0], ("Nina Nurse".into(), false));
    // Due 14 days after the version took effect: overdue on the 20th.
    let sam =
        items(&users, &[v2], &[], now, &Utc).into_iter().find(|i| i.user == "Sam Staff").unwrap();
    assert_eq!(
        sam.standing,
        Standing::Due { due: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(), overdue: true }
    );
    let by = compliance(&items(&users, &[v1], &[acked(1)], now, &Utc));
    assert_eq!(
        (by[0].acknowledged, by[0].total, by[0].department.as_deref()),
        (1, 2, Some("Ward 4"))
    );
}
