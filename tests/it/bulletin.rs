//! Signed threat bulletins from the CLI: IT security signs one with the organisation's
//! key; an admin imports it (the pinned key checked) and sees the pump in the register
//! that runs the affected firmware; a forged one, one signed by another key and an expired
//! one are refused; a nurse has it to read until she acknowledges it, and the admin sees
//! the read receipt.

use crate::insider::{ADMIN, ADMIN_PASS, Ward};
use crate::support::fixture;

const NURSE: &str = "Nina Nurse";
const NURSE_PASS: &[u8] = b"nina passphrase 12";

#[test]
fn a_signed_bulletin_reaches_its_audience_and_forged_or_expired_ones_do_not() {
    let ward = Ward::with_admin();
    let admin = |args: &[&str]| ward.as_user_run(ADMIN, ADMIN_PASS, args);
    ward.add(NURSE, "clinician", NURSE_PASS);
    admin(&["assets", "import", &fixture("assets/sample.csv")]);
    let key = ward.path("signing.key");
    let public = ward.ok(&["pack", "keygen", "--out", &key]).lines().last().unwrap().to_owned();
    let signed = ward.path("bulletin.json");
    let source = fixture("bulletins/infusion-pump.toml");
    ward.ok(&["bulletin", "validate", &source]);
    ward.ok(&["bulletin", "sign", &source, "--key", &key, "--out", &signed]);

    // Nothing pinned yet: refused.
    let (code, _, err) = admin(&["bulletin", "import", &signed]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[bulletin_rejected]") && err.contains("no signing key is pinned"),
        "{err}"
    );
    admin(&["pack", "trust", &public]);
    let (code, out, err) = admin(&["bulletin", "import", &signed]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("hc3-2026-1201")
            && out.contains("1 asset in the register runs an affected product: pump-4e-07"),
        "{out}"
    );

    // Forged, signed by another key, expired: refused, and the list holds only the one.
    let forged = ward.path("forged.json");
    std::fs::write(
        &forged,
        std::fs::read_to_string(&signed).unwrap().replacen("stop the infusion", "carry on", 1),
    )
    .unwrap();
    let other_key = ward.path("other.key");
    ward.ok(&["pack", "keygen", "--out", &other_key]);
    let by_other = ward.path("other.json");
    ward.ok(&["bulletin", "sign", &source, "--key", &other_key, "--out", &by_other]);
    let old = ward.path("old.toml");
    std::fs::write(
        &old,
        std::fs::read_to_string(&source)
            .unwrap()
            .replace("2099-12-31", "2025-01-31")
            .replace("2026-12-01", "2025-01-01")
            .replace("hc3-2026-1201", "hc3-2025-0101"),
    )
    .unwrap();
    let expired = ward.path("expired.json");
    ward.ok(&["bulletin", "sign", &old, "--key", &key, "--out", &expired]);
    for (file, says) in [
        (&forged, "does not match the pinned key"),
        (&by_other, "does not match the pinned key"),
        (&expired, "expired on 2025-01-31"),
    ] {
        let (code, _, err) = admin(&["bulletin", "import", file]);
        assert_eq!(code, 1, "{file}");
        assert!(err.contains(says), "{file}: {err}");
    }

    // The nurse has it to read until she acknowledges it; the admin sees the receipt.
    let (_, list, _) = ward.as_user_run(NURSE, NURSE_PASS, &["bulletin", "list"]);
    assert!(
        list.contains("TO READ") && !list.contains("hc3-2025-0101") && !list.contains("pump-4e-07"),
        "{list}"
    );
    let (code, out, err) =
        ward.as_user_run(NURSE, b"not her passphrase", &["bulletin", "ack", "hc3-2026-1201"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("wrong_passphrase"), "{err}");
    let out = ward.as_user(NURSE, NURSE_PASS, &["bulletin", "ack", "hc3-2026-1201"]);
    assert!(out.contains("Read: Infusion pumps"), "{out}");
    let (_, list, _) = ward.as_user_run(NURSE, NURSE_PASS, &["bulletin", "list"]);
    assert!(list.contains("[read]"), "{list}");
    let (_, list, _) = admin(&["bulletin", "list"]);
    assert!(list.contains("read by 1 of 2"), "{list}");
}
