//! An incident's evidence in the window: the incident lead adds a real file as evidence (the
//! core reads it with its progress shown, and the SHA-256 the window shows is
//! `sha256sum`'s) and hands it to a staff member; the staff member, under their own unlock,
//! is told on the home screen that it waits for them, confirms it, checks the file again,
//! and saves the chain-of-custody form, which shows the hand-over and its confirmation; the
//! incident's bundle carries the item, its hand-over and confirmation, and verifies.

use std::path::Path;
use std::process::Command;

use caregiver::incident::StartOptions;
use caregiver::store::Role;

use crate::harness::App;

const LEE: &str = "Lee Lead";
const SAM: &str = "Sam Staff";
const FIRST: &str = "first passphrase 12";
const OWN: &str = "their own passphrase";

/// A file of `len` bytes that no two runs of a block repeat (a simple LCG), so a hash that
/// skipped or repeated a block would differ.
fn write_image(path: &Path, len: usize) {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect();
    std::fs::write(path, bytes).unwrap();
}

/// `sha256sum`'s answer for `path`.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success(), "sha256sum: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_adds_a_file_as_evidence_and_hands_it_over_and_the_receiver_confirms_it() {
    let mut id = String::new();
    let app = App::launch_with_store(|s| {
        s.add_user(LEE, Role::Lead, FIRST.as_bytes(), None).unwrap();
        s.add_user(SAM, Role::Staff, FIRST.as_bytes(), None).unwrap();
        let playbooks = caregiver::playbook::embedded().unwrap();
        let options = StartOptions { lead: Some(LEE.into()), ..Default::default() };
        let started =
            caregiver::incident::start(s, &playbooks, "ransomware", options, chrono::Utc::now());
        id = started.unwrap().id;
    })
    .await;
    app.set_own_passphrase(LEE, FIRST, OWN);
    app.set_own_passphrase(SAM, FIRST, OWN);
    // 24 MiB: read in 24 blocks, so the bar moves before it reaches the end.
    let image = app.root().join("ward4-pc12.img");
    write_image(&image, 24 << 20);
    let want = sha256sum(&image);

    // The lead opens the incident's evidence from its screens.
    app.unlock(LEE, OWN, "home").await;
    app.click(&format!("#open-incidents li[data-incident-id=\"{id}\"] button")).await;
    app.wait_screen(&format!("incident:{id}")).await;
    app.click("#nav-forensics").await;
    app.wait_screen(&format!("forensics:{id}")).await;
    app.find("#evidence-none").await;

    // A path that is no file: the core names it, nothing is added.
    app.fill("#ev-description", "Disk image of the ward 4 nurses station PC").await;
    app.fill("#ev-path", &app.root().join("no-such.img").display().to_string()).await;
    app.click("#ev-add").await;
    app.find("#evidence-add-form .alert[data-code=io]").await;
    assert!(app.exists("#evidence-none").await);

    // The real file: read with its progress, then the item with sha256sum's hash.
    app.find("#ev-kind option[value=disk-image]").await.click().await.unwrap();
    app.fill("#ev-kept-at", "IT security safe, shelf 2").await;
    app.fill("#ev-path", &image.display().to_string()).await;
    app.click("#ev-add").await;
    app.wait_attr("#ev-status", "data-state", "added").await;
    assert_eq!(app.attr_now("#ev-progress", "data-state").await.as_deref(), Some("done"));
    assert_eq!(app.attr_now("#ev-progress", "data-percent").await.as_deref(), Some("100"));
    let bar = app.eval("return document.querySelector('#ev-progress-bar').value").await;
    assert_eq!(bar.as_f64(), Some(100.0));
    let item = format!("{id}-E1");
    let card = format!("#evidence-list li[data-item=\"{item}\"]");
    app.wait_attr(&card, "data-holder", LEE).await;
    let shown = app.find(&format!("{card} .evidence-sha256")).await.text().await.unwrap();
    assert_eq!(shown, want, "the window shows sha256sum's answer");
    let card_text = app.find(&card).await.text().await.unwrap();
    assert!(
        card_text.contains("Disk image") && card_text.contains("ward4-pc12.img"),
        "{card_text}"
    );
    assert!(card_text.contains("IT security safe, shelf 2"), "{card_text}");

    // Indicators: a mistake named by its code, then two, each with its marking; shared as
    // CSV up to TLP:GREEN, which leaves the RED one out. The findings feed the summary.
    app.find("#ioc-type option[value=domain]").await.click().await.unwrap();
    app.fill("#ioc-value", "not a domain!").await;
    app.click("#ioc-add").await;
    app.find("#ioc-add-form .alert[data-code=indicator_invalid]").await;
    app.fill("#ioc-value", "evil-updates[.]example").await;
    app.find("#ioc-tlp option[value=green]").await.click().await.unwrap();
    app.click("#ioc-add").await;
    app.find(&format!("#indicator-table tr[data-indicator=\"{id}-I1\"]")).await;
    app.find("#ioc-type option[value=ipv4]").await.click().await.unwrap();
    app.fill("#ioc-value", "203.0.113[.]7").await;
    app.find("#ioc-tlp option[value=red]").await.click().await.unwrap();
    app.click("#ioc-add").await;
    app.find(&format!("#indicator-table tr[data-indicator=\"{id}-I2\"]")).await;
    let value = app.find(&format!("tr[data-indicator=\"{id}-I1\"] td.sha256")).await;
    assert_eq!(value.text().await.unwrap(), "evil-updates.example", "taken back to its form");
    let summary = app.find("#forensics-summary").await.text().await.unwrap();
    assert!(summary.contains("1 TLP:GREEN, 1 TLP:RED"), "{summary}");
    app.click("#ioc-export").await;
    app.wait_attr("#ioc-export-status", "data-state", "saved").await;
    let said = app.find("#ioc-export-status").await.text().await.unwrap();
    assert!(
        said.starts_with("Saved 1 indicator: ") && said.ends_with("1 marked above it left out."),
        "{said}"
    );
    let csv = app.attr_now("#ioc-export-status", "data-path").await.unwrap();
    let csv = std::fs::read_to_string(csv).unwrap();
    assert!(csv.contains("evil-updates.example") && !csv.contains("203.0.113.7"), "{csv}");
    app.fill("#findings-vector", "A phishing email opened on ward 4").await;
    app.click("#findings-save").await;
    app.wait_attr("#findings-status", "data-state", "saved").await;
    let summary = app.find("#forensics-summary").await.text().await.unwrap();
    assert!(summary.contains("A phishing email opened on ward 4"), "{summary}");

    // The lead hands it to Sam: pending until Sam confirms.
    app.click(&format!("{card} button[data-action=hand-over]")).await;
    app.find(&format!("#hand-to-{item} option[value=\"{SAM}\"]")).await.click().await.unwrap();
    app.fill(&format!("#hand-purpose-{item}"), "Imaging by IT security").await;
    app.fill(&format!("#hand-condition-{item}"), "Sealed bag 4471, intact").await;
    app.click(&format!("#hand-submit-{item}")).await;
    app.wait_attr(&card, "data-pending", SAM).await;
    assert_eq!(app.attr_now(&card, "data-holder").await.as_deref(), Some(LEE));
    app.click("#nav-lock").await;

    // Sam, under his own unlock: the home screen says it waits for him.
    app.unlock(SAM, OWN, "home").await;
    let waiting = format!("#evidence-waiting li[data-item=\"{item}\"]");
    let said = app.find(&waiting).await.text().await.unwrap();
    assert!(
        said.contains(&format!("from {LEE}")) && said.contains("Imaging by IT security"),
        "{said}"
    );
    app.click(&format!("{waiting} button")).await;
    app.wait_screen(&format!("forensics:{id}")).await;
    // Staff add nothing: the item handed to him, no form to add one.
    assert!(!app.exists("#evidence-add-form").await && !app.exists("#findings-form").await);
    app.fill(&format!("#confirm-condition-{item}"), "Seal 4471 intact on arrival").await;
    app.click(&format!("#confirm-{item}")).await;
    app.wait_attr(&card, "data-holder", SAM).await;
    assert!(app.attr_now(&card, "data-pending").await.is_none());
    assert!(!app.exists("#evidence-waiting-here:not([hidden])").await);

    // He checks the file again: it matches.
    app.click(&format!("{card} button[data-action=check]")).await;
    app.fill(&format!("#check-path-{item}"), &image.display().to_string()).await;
    app.click(&format!("#check-submit-{item}")).await;
    app.wait_attr(&format!("{card} p.status"), "data-state", "matches").await;

    // The chain-of-custody form, saved to print: the hand-over and its confirmation.
    app.click(&format!("{card} button[data-action=print]")).await;
    app.wait_attr(&format!("{card} p.status"), "data-state", "saved").await;
    let path = app.attr_now(&format!("{card} p.status"), "data-path").await.unwrap();
    assert!(path.ends_with(&format!("custody-{item}.html")), "{path}");
    assert!(Path::new(&path).starts_with(app.export_dir()), "{path}");
    let html = std::fs::read_to_string(&path).unwrap();
    for want in [
        "CHAIN OF CUSTODY",
        &item,
        &want,
        "Imaging by IT security",
        "Sealed bag 4471, intact",
        &format!("Confirmed by {SAM} at "),
        "received Seal 4471 intact on arrival",
        "matches",
    ] {
        assert!(html.contains(want), "the form lacks {want:?}:\n{html}");
    }
    let row = html.split("<tr>").find(|r| r.contains("Imaging by IT security")).unwrap();
    assert!(row.contains(LEE) && row.contains(SAM), "from and to on its row: {row}");

    // The incident's bundle, as an admin exports it for the outside firm: the item's
    // record, its hand-over and confirmation, and it verifies against the trusted key.
    let data_dir = app.store_path().parent().unwrap().to_path_buf();
    let cli = crate::harness::Cli::new(&data_dir);
    let bundle = data_dir.with_file_name("incident.jsonl").display().to_string();
    let key = data_dir.with_file_name("log.pem").display().to_string();
    cli.ok(&["incident", "export", &id, "--format", "json", "--out", &bundle]);
    cli.ok(&["log", "key", "--out", &key]);
    let said = cli.ok(&["log", "verify", &bundle, "--pubkey", &key]);
    assert!(said.contains("(the trusted key)") && said.contains("3 records attached"), "{said}");
    let text = std::fs::read_to_string(&bundle).unwrap();
    for want in ["\"t\":\"record\"", "custody_transferred", "custody_confirmed", &item, &want] {
        assert!(text.contains(want), "the bundle lacks {want:?}");
    }
    app.close().await;
}
