use super::*;

const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/kev/sample.csv");
const ASSETS: &[u8] = include_bytes!("../../tests/fixtures/assets/sample.csv");

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn cisas_csv_reads_whole() {
    let entries = parse(SAMPLE).unwrap();
    assert_eq!(entries.len(), 3);
    let ivanti = &entries[0];
    assert_eq!(ivanti.cve, "CVE-2024-21887");
    assert_eq!(ivanti.product, "Connect Secure and Policy Secure");
    assert_eq!(ivanti.due, Some(day("2024-01-22")));
    assert!(ivanti.ransomware);
    assert!(ivanti.description.contains("command injection"));
}

#[test]
fn every_bad_row_is_named_at_its_line_and_nothing_is_kept() {
    let file = "cveID,vendorProject,product,dateAdded,dueDate\n\
                CVE-2024-21887,Ivanti,Connect Secure,2024-01-10,2024-01-22\n\
                CVE-24-1,Ivanti,Connect Secure,2024-01-10,\n\
                CVE-2024-0001,,Thing,2024-01-10,\n\
                CVE-2024-0002,Acme,Thing,10/01/2024,\n";
    let e = parse(file.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "import_rejected");
    let text = e.to_string();
    for part in [
        "line 3: `cveID` must be a CVE id like CVE-2024-21887, not `CVE-24-1`",
        "line 4: `vendorProject` is empty",
        "line 5:",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(!text.contains("line 2"), "{text}");
    let e = parse(b"cve,vendor\nx,y\n").unwrap_err().to_string();
    assert!(e.contains("cveid"), "{e}");
}

#[test]
fn entries_match_the_register_overdue_first() {
    let assets: Vec<Asset> =
        crate::assets::csv::parse(ASSETS, &["network-outage", "ehr-downtime", "medical-device"])
            .unwrap()
            .assets
            .into_iter()
            .map(|(_, a)| a)
            .collect();
    let found = matches(&parse(SAMPLE).unwrap(), &assets, day("2026-12-02"));
    // Only Windows is in the sample register: the servers and the CT scanner's Windows 10 IoT.
    assert_eq!(found.len(), 1);
    let smb = &found[0];
    assert_eq!(smb.entry.cve, "CVE-2017-0144");
    assert_eq!(smb.assets, ["ad-core", "ehr-app", "pacs", "ct-scanner"]);
    assert!(smb.overdue);
    assert_eq!(smb.words, "4 assets in the register run Microsoft Windows");
}
