//! The asset register's CSV and its views, on the fixtures a CMDB export looks like.

use chrono::NaiveDate;

use super::csv::{Parsed, parse, write};
use super::*;

const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/assets/sample.csv");
const PROBLEMS: &[u8] = include_bytes!("../../tests/fixtures/assets/problems.csv");
const PLAYBOOKS: &[&str] = &["ehr-downtime", "network-outage", "medical-device"];

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn parsed(bytes: &[u8]) -> Parsed {
    parse(bytes, PLAYBOOKS).unwrap()
}

fn lines(p: &Parsed) -> Vec<String> {
    p.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_cmdb_export_reads_whole() {
    let p = parsed(SAMPLE);
    assert_eq!(lines(&p), Vec::<String>::new());
    assert_eq!(p.assets.len(), 7);
    let pump = &p.assets.iter().find(|(_, a)| a.id == "pump-4e-07").unwrap().1;
    assert_eq!(pump.kind, AssetKind::MedicalDevice);
    assert_eq!(pump.asset_tag.as_deref(), Some("BME-004417"));
    assert!(pump.mds2_on_file && !pump.sbom_on_file && pump.vendor_validated_only);
    assert_eq!(pump.end_of_support, Some(day("2025-06-30")));
    let app = &p.assets.iter().find(|(_, a)| a.id == "ehr-app").unwrap();
    assert_eq!(app.0, 4, "the line of its row");
    assert_eq!(app.1.depends_on, ["ad-core", "ehr-db"]);
}

/// Every kind of bad row, each at its line; the rows that need a bad row are left out
/// with it; only the good row remains.
#[test]
fn every_bad_row_is_named_at_its_line() {
    let p = parsed(PROBLEMS);
    assert_eq!(
        lines(&p),
        [
            "line 3: `last_patched` must be a date like 2026-12-31, not `2026-13-01`",
            "line 4: unknown tier `5`: tiers are 1 (life-critical) to 4",
            "line 5: unknown kind `imaging`: use system, data-set or medical-device",
            "line 5: `mds2_on_file` must be yes or no, not `maybe`",
            "line 6: the id `ad-core` is also used by an earlier row",
            "line 7: `depends_on` names `billing`, which no row of the file is",
            "line 8: `loop-a` is in a dependency loop: an asset cannot need itself, even through others",
            "line 9: `loop-b` is in a dependency loop: an asset cannot need itself, even through others",
            "line 10: left out: it depends on `ehr-app`, a row with problems",
            "line 11: `end_of_support` must be a date like 2026-12-31, not `2026-02-30`",
            "line 11: `downtime_playbook` `brochure-printing` is not a playbook in force",
        ]
    );
    let ids: Vec<&str> = p.assets.iter().map(|(_, a)| a.id.as_str()).collect();
    assert_eq!(ids, ["ad-core"]);
}

#[test]
fn a_header_that_cannot_be_used_is_the_only_problem() {
    for (text, want) in [
        ("name,kind,tier\nEHR,system,1\n", "line 1: the column `id` is missing"),
        ("", "line 1: the file is empty: its first line must name the columns"),
        ("id,name,kind,tier,tier\nehr,EHR,system,1,1\n", "line 1: the column `tier` appears twice"),
    ] {
        let p = parsed(text.as_bytes());
        assert_eq!(lines(&p).first().map(String::as_str), Some(want), "{text}");
        assert!(p.assets.is_empty());
    }
}

#[test]
fn an_export_imports_back_to_the_same_register() {
    let before: Vec<Asset> = parsed(SAMPLE).assets.into_iter().map(|(_, a)| a).collect();
    let mut odd = before[0].clone();
    odd.id = "formula".into();
    odd.name = "=HYPERLINK(\"x\")".into();
    odd.compensating_controls = Some("line one\nline two, \"quoted\"".into());
    let mut all = before.clone();
    all.push(odd);
    let bytes = write(&all).unwrap();
    let after: Vec<Asset> = parsed(&bytes).assets.into_iter().map(|(_, a)| a).collect();
    assert_eq!(after, all);
}

/// Patch status on a given day: days behind counts from the last patch while the version
/// is not the latest; overdue past the window; unsupported past the end of support.
#[test]
fn patch_status_and_the_overdue_list() {
    let assets: Vec<Asset> = parsed(SAMPLE).assets.into_iter().map(|(_, a)| a).collect();
    let today = day("2026-12-02");
    let status = |id: &str| assets.iter().find(|a| a.id == id).unwrap().patch_status(today);
    assert_eq!(
        status("ehr-db"),
        PatchStatus {
            current: Some(false),
            days_behind: Some(123),
            overdue: true,
            unsupported: false
        }
    );
    assert_eq!(status("ad-core").current, Some(true));
    assert_eq!(status("patient-db").current, None);
    assert!(status("pump-4e-07").unsupported && status("pump-4e-07").overdue);

    let overdue = list(&assets, Filter { overdue: true, tier: None }, today, &KevFlags::new());
    let ids: Vec<&str> = overdue.iter().map(|v| v.asset.id.as_str()).collect();
    assert_eq!(ids, ["ehr-db", "pacs", "pump-4e-07"], "in restore order, unordered last");
    let tier2 = list(&assets, Filter { overdue: false, tier: Some(2) }, today, &KevFlags::new());
    assert_eq!(
        tier2.iter().map(|v| v.asset.id.as_str()).collect::<Vec<_>>(),
        ["pacs", "ct-scanner"]
    );
    let all = list(&assets, Filter::default(), today, &KevFlags::new());
    let ad = all.iter().find(|v| v.asset.id == "ad-core").unwrap();
    assert_eq!(ad.needed_by, ["ehr-db", "ehr-app", "pacs"]);
    assert_eq!(
        behind_by_tier(&assets, today),
        [(1, 5, 2, 2, 1), (2, 2, 1, 1, 0), (3, 0, 0, 0, 0), (4, 0, 0, 0, 0)]
    );
}

#[test]
fn the_printed_register_is_in_restore_order_with_the_overdue_ones() {
    let assets: Vec<Asset> = parsed(SAMPLE).assets.into_iter().map(|(_, a)| a).collect();
    let html =
        report::html(&assets, day("2026-12-02"), "2026-12-02 09:00 UTC", &KevFlags::new()).unwrap();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
    assert!(
        at("<td>ad-core</td>") < at("<td>ehr-db</td>")
            && at("<td>ehr-db</td>") < at("<td>ct-scanner</td>")
    );
    let overdue = at("Overdue or unsupported");
    assert!(html[overdue..].contains("Isolated VLAN; drug library updated by USB only"));
    assert!(html.contains("123 days behind, OVERDUE"));
    assert!(html.contains("Printed 2026-12-02 09:00 UTC"));
    // The chart of how far behind each tier is, with its words in each bar.
    assert!(html.contains("Assets behind the latest version, by tier"), "chart");
    let chart = report::behind_chart(&assets, day("2026-12-02")).unwrap();
    assert!(chart.starts_with("<svg") && chart.contains("Tier 1: life-critical"));
    for (t, n, behind, over, _) in behind_by_tier(&assets, day("2026-12-02")) {
        let words = format!("{behind} of {n} behind, {over} overdue");
        assert!(chart.contains(&words), "tier {t}: {words}");
    }
}
