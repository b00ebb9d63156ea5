//! Clock rules as data, as a hospital uses them: its own state's rule added in a
//! `*.clocks.toml` file of its signed pack (no new build), checked with file:line:column
//! first; the organisation's profile set with `caregiver settings organisation`; and the
//! cyber insurer's notice window imported with the contact list. Each drives the clock an
//! incident shows.

use std::path::Path;

use crate::support::Workstation;

type Hospital = Workstation;

impl Workstation {
    /// The line `incident show` prints for a clock, and the state under it.
    fn clock(&self, id: &str, clock: &str) -> String {
        let show = self.ok_in_utc(&["incident", "show", id]);
        let at = show.find(&format!("clock {clock} (")).unwrap_or_else(|| panic!("{show}"));
        show[at..].lines().take(2).collect::<Vec<_>>().join("\n")
    }

    fn ok_in_utc(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run_in(Some("UTC"), args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }
}

/// Texas's rule, as a Texas hospital's compliance office would write it.
const TEXAS: &str = r#"id = "texas"
title = "Texas legal clocks"

[[rules]]
id = "tx-521-053"
title = "Texas: report a breach of 250 or more Texans to the attorney general"
within = "30 days"
from = "discovery"
jurisdiction = "TX"
what = "Report a breach of system security affecting at least 250 Texas residents to the Texas attorney general as soon as practicable and not later than 30 days after determining it occurred (Texas Business and Commerce Code 521.053(i))"
source = { title = "Texas Business and Commerce Code 521.053, as amended by SB 768 (2023)", date = "2023-09-01" }
"#;

#[test]
fn a_hospital_adds_its_states_clock_rule_in_its_signed_pack() {
    let h = Hospital::new();
    let folder = h.tmp.path().join("pack");
    std::fs::create_dir_all(&folder).unwrap();
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let phi = std::fs::read_to_string(defaults.join("phi-breach.toml")).unwrap();
    let named = phi.replacen(
        "deadlines = [{ rule = \"ca-1280-15\" }]",
        "deadlines = [{ rule = \"ca-1280-15\" }, { rule = \"tx-521-053\" }]",
        1,
    );
    assert_ne!(named, phi);
    std::fs::write(folder.join("phi-breach.toml"), &named).unwrap();

    // Before the rule exists, the checker names the place that uses it.
    let (code, _, err) = h.run(&["playbook", "validate", folder.to_str().unwrap()]);
    assert_eq!(code, 1);
    let line = named.lines().position(|l| l.contains("tx-521-053")).unwrap() + 1;
    let column = named.lines().nth(line - 1).unwrap().find("\"tx-521-053\"").unwrap() + 1;
    let place = format!("phi-breach.toml:{line}:{column}: no clock rule has the id `tx-521-053`");
    assert!(err.contains(&place), "{err}");
    // A rule file with a mistake: reported at its line and column, and nothing signed.
    let typo = TEXAS.replace("jurisdiction = \"TX\"", "jurisdiction = \"Texas\"");
    std::fs::write(folder.join("texas.clocks.toml"), &typo).unwrap();
    let (code, _, err) = h.run(&["playbook", "validate", folder.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("texas.clocks.toml:9:16: unknown jurisdiction `Texas`"), "{err}");
    h.ok(&["pack", "keygen", "--out", h.path("signing.key").to_str().unwrap()]);
    let (code, _, err) = h.run(&[
        "pack",
        "sign",
        folder.to_str().unwrap(),
        "--key",
        h.path("signing.key").to_str().unwrap(),
        "--out",
        h.path("pack.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "a pack with a problem is not signed");
    assert!(err.contains("texas.clocks.toml:9:16"), "{err}");
    assert!(!h.tmp.path().join("pack.json").exists());

    std::fs::write(folder.join("texas.clocks.toml"), TEXAS).unwrap();
    assert!(h.ok(&["playbook", "validate", folder.to_str().unwrap()]).contains("no problems"));
    let keygen_out = h.ok(&["pack", "keygen", "--out", h.path("second.key").to_str().unwrap()]);
    let public = keygen_out.lines().last().unwrap().to_owned();
    h.ok(&[
        "pack",
        "sign",
        folder.to_str().unwrap(),
        "--key",
        h.path("second.key").to_str().unwrap(),
        "--out",
        h.path("pack.json").to_str().unwrap(),
    ]);
    h.ok(&["pack", "trust", &public]);
    h.ok(&["pack", "import", h.path("pack.json").to_str().unwrap()]);

    let id = h.ok(&[
        "incident",
        "start",
        "phi-breach",
        "--drill",
        "--discovered",
        "2026-11-20T15:00:00Z",
    ]);
    let id = id.trim();
    // No profile yet: the state's clock is shown, undecided, saying what is missing.
    let texas = h.clock(id, "tx-521-053");
    assert!(texas.contains("undecided: applies only to an organisation in TX"), "{texas}");
    assert!(texas.contains("Texas Business and Commerce Code 521.053"), "{texas}");

    let set = h.ok(&["settings", "organisation", "--state", "tx", "--state", "NM"]);
    assert!(set.contains("states NM, TX"), "{set}");
    let texas = h.clock(id, "tx-521-053");
    assert!(texas.contains("due 2026-12-20 15:00 UTC"), "{texas}");
    // California's rule does not apply in Texas, and says why.
    let california = h.clock(id, "ca-1280-15");
    assert!(
        california.contains("not applicable: applies only in CA; this organisation is in NM, TX"),
        "{california}"
    );
    assert!(h.ok_in_utc(&["settings", "show"]).contains("organisation  states NM, TX"));

    let (code, _, err) = h.run(&["settings", "organisation", "--state", "XX"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[invalid_input]") && err.contains("`XX`"), "{err}");
    let (code, _, err) = h.run(&["settings", "organisation", "--trait", "listed"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown trait `listed`"), "{err}");
}

#[test]
fn the_insurers_notice_window_comes_from_the_contact_list() {
    let h = Hospital::new();
    let header = "id,name,kind,role,organisation,claim_line,policy_number,channels,notice_within";
    let write = |window: &str| {
        let csv = format!(
            "{header}\ninsurer-claims,Claims desk,external,cyber-insurer,Example Mutual,1-555-555-0160,CYB-0000-1234-EX,phone,{window}\n"
        );
        std::fs::write(h.tmp.path().join("contacts.csv"), csv).unwrap();
    };
    let id = h.ok(&[
        "incident",
        "start",
        "ransomware",
        "--drill",
        "--discovered",
        "2026-11-20T15:00:00Z",
    ]);
    let id = id.trim();
    let before = h.clock(id, "cyber-insurer-notice");
    assert!(
        before.contains("no notice window is recorded for the cyber-insurer contact"),
        "{before}"
    );

    write("within a week");
    let (code, _, err) = h.run(&["contacts", "import", h.path("contacts.csv").to_str().unwrap()]);
    assert_eq!(code, 1, "a window that is not one is refused");
    assert!(
        err.contains("line 2")
            && err.contains("notice_within `within a week` is not a notice window"),
        "{err}"
    );

    write("72 hours");
    h.ok(&["contacts", "import", h.path("contacts.csv").to_str().unwrap()]);
    let after = h.clock(id, "cyber-insurer-notice");
    assert!(after.contains("due 2026-11-23 15:00 UTC"), "{after}");
    assert!(after.contains("the cyber-insurer contact's notice window"), "{after}");
    let clocks = h.ok_in_utc(&["incident", "clocks"]);
    assert!(clocks.contains("Give the cyber insurer notice"), "{clocks}");
    // The window goes out with an export and comes back with it.
    let exported = h.ok(&[
        "contacts",
        "export",
        "--format",
        "csv",
        "--out",
        h.path("back.csv").to_str().unwrap(),
    ]);
    let _ = exported;
    let back = std::fs::read_to_string(h.tmp.path().join("back.csv")).unwrap();
    assert!(back.contains("notice_within") && back.contains("72 hours"), "{back}");
}
