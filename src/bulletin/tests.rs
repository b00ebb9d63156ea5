use super::*;

const PUMP: &str = include_str!("../../tests/fixtures/bulletins/infusion-pump.toml");

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn a_signed_bulletin_verifies_and_a_forged_other_or_expired_one_does_not() {
    let (key, public) = crate::playbook::pack::keygen().unwrap();
    let public = crate::playbook::pack::read_public_key(&public).unwrap();
    let signed = sign("pump.toml", PUMP, &key).unwrap();
    let b = verify(&signed, Some(&public), day("2026-12-02")).unwrap();
    assert_eq!((b.id.as_str(), b.severity.as_str()), ("hc3-2026-1201", "critical"));
    assert_eq!(b.affected[0].versions.as_deref(), Some("< 4.3"));

    let code = |r: Result<Bulletin>| r.unwrap_err().code();
    // A word changed after signing.
    let forged = signed.replacen("stop the infusion", "carry on", 1);
    assert_eq!(code(verify(&forged, Some(&public), day("2026-12-02"))), "bulletin_rejected");
    // Signed by another key.
    let (other, _) = crate::playbook::pack::keygen().unwrap();
    let by_other = sign("pump.toml", PUMP, &other).unwrap();
    assert_eq!(code(verify(&by_other, Some(&public), day("2026-12-02"))), "bulletin_rejected");
    // No key pinned.
    let e = verify(&signed, None, day("2026-12-02")).unwrap_err().to_string();
    assert!(e.contains("no signing key is pinned"), "{e}");
    // Expired.
    let e = verify(&signed, Some(&public), day("2100-01-01")).unwrap_err().to_string();
    assert!(e.contains("expired on 2099-12-31"), "{e}");
}

#[test]
fn problems_are_named_at_their_lines() {
    let bad = PUMP
        .replace("severity = \"critical\"", "severity = \"urgent\"")
        .replace("versions = \"< 4.3\"", "versions = \"soon\"")
        .replace("CVE-2026-40001", "CVE-26-1");
    let found = format::parse("pump.toml", &bad).unwrap_err();
    let line_of = |needle: &str| bad[..bad.find(needle).unwrap()].matches('\n').count() + 1;
    for (needle, says) in [
        ("\"urgent\"", "unknown severity `urgent`"),
        ("\"soon\"", "`versions` must be"),
        ("CVE-26-1", "is not a CVE id"),
    ] {
        assert!(
            found.iter().any(|d| d.line == line_of(needle) && d.message.contains(says)),
            "{says}: {found:?}"
        );
    }
}

#[test]
fn it_matches_the_assets_running_an_affected_version() {
    let csv = include_bytes!("../../tests/fixtures/assets/sample.csv");
    let assets: Vec<Asset> =
        crate::assets::csv::parse(csv, &["network-outage", "ehr-downtime", "medical-device"])
            .unwrap()
            .assets
            .into_iter()
            .map(|(_, a)| a)
            .collect();
    let index = matching::Index::new(&assets);
    let b = format::parse("pump.toml", PUMP).unwrap();
    let ids: Vec<&str> = affected_assets(&b, &index).iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["pump-4e-07"], "4.2.1 is before 4.3");
    let patched = format::parse("pump.toml", &PUMP.replace("< 4.3", "< 4.2")).unwrap();
    assert!(affected_assets(&patched, &index).is_empty());
}
