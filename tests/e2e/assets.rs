//! The asset register in the window: an admin imports the sample CSV with a preview, sees
//! the inventory in restore order, filters it to the overdue or unsupported assets, reads
//! how far behind each tier is and exports it; then imports the risk register, sees the
//! heat map and the risks in priority order and saves the printable report; imports CISA's
//! KEV catalogue and sees the entry that affects the register; records a HICP
//! self-assessment, sees its charts and gaps, and adds a gap to the risk register in one
//! step; an incident lead reads all of it without the admin's part; a clinician is not
//! offered the screen.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::{ADMIN, ADMIN_PASS, App};

const LEAD: &str = "Lee Lead";
const CLINICIAN: &str = "Cleo Clinician";
const FIRST: &str = "first passphrase 12";
const OWN: &str = "their own passphrase";

/// The ids of the inventory's rows, in the order shown.
async fn rows(app: &App) -> Vec<String> {
    let ids = app
        .eval(
            "return [...document.querySelectorAll('#assets-table tbody tr')]\
             .map((r) => r.dataset.asset)",
        )
        .await;
    serde_json::from_value(ids).unwrap()
}

/// The ids of the risk list's rows, in the order shown.
async fn risk_rows(app: &App) -> Vec<String> {
    let ids = app
        .eval(
            "return [...document.querySelectorAll('#risks-table tbody tr')]\
             .map((r) => r.dataset.risk)",
        )
        .await;
    serde_json::from_value(ids).unwrap()
}

/// The text a picture the core drew holds (its labels and the words beside its bars).
async fn svg_text(app: &App, css: &str) -> String {
    app.find(css).await;
    let text = app.eval(&format!("return document.querySelector(\"{css}\").textContent")).await;
    text.as_str().unwrap_or_default().to_owned()
}

/// What the screen says once it has been drawn again with something else than `before`.
async fn said_after(app: &App, before: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now =
            app.eval("return document.querySelector('#assets-said')?.textContent ?? ''").await;
        let now = now.as_str().unwrap_or_default().to_owned();
        if !now.is_empty() && now != before {
            return now;
        }
        assert!(Instant::now() < deadline, "nothing new said:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The path a save reported in `css`'s `data-path`, waited for.
async fn saved(app: &App, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(p) = app.attr_now(css, "data-path").await {
            return p;
        }
        assert!(Instant::now() < deadline, "nothing saved:\n{}", app.main_text().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_imports_the_register_and_leads_read_it_but_clinicians_see_no_way_in() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/assets/sample.csv");
    let csv = std::fs::read_to_string(&sample).unwrap();
    let app = App::launch_with_cli(|cli| {
        cli.init();
        let first = cli.file("first-passphrase", FIRST.as_bytes());
        for (name, role) in [(LEAD, "lead"), (CLINICIAN, "clinician")] {
            cli.ok(&["user", "add", name, "--role", role, "--new-passphrase-file", &first]);
        }
    })
    .await;
    app.set_own_passphrase(LEAD, FIRST, OWN);
    app.set_own_passphrase(CLINICIAN, FIRST, OWN);

    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-assets").await;
    app.wait_screen("assets").await;
    app.find("#assets-none").await;

    // The preview, then the import.
    app.choose_file("#assets-file", "sample.csv", &csv).await;
    let summary = app.find("#assets-preview-summary").await.text().await.unwrap();
    assert_eq!(
        summary, "7 assets can be imported: 7 new, 0 changed, 0 removed from the register.",
        "{summary}"
    );
    assert!(!app.exists("#assets-preview-problems").await);
    app.click("#assets-import").await;
    let said = app.find("#assets-said").await.text().await.unwrap();
    assert!(said.starts_with("Imported 7 assets: 7 new"), "{said}");

    // The inventory in restore order (those without one after, by tier then id).
    app.find("#assets-table").await;
    assert_eq!(
        rows(&app).await,
        ["ad-core", "ehr-db", "ehr-app", "pacs", "ct-scanner", "patient-db", "pump-4e-07"]
    );
    let pump = app.find("#assets-table tr[data-asset=pump-4e-07] .asset-patch").await;
    let words = pump.text().await.unwrap();
    assert!(words.contains("days behind, OVERDUE, UNSUPPORTED, vendor-validated only"), "{words}");
    let ad = app.find("#assets-table tr[data-asset=ad-core] .asset-patch").await;
    assert_eq!(ad.text().await.unwrap(), "current");

    // Overdue or unsupported only: the core asked again.
    app.click("#assets-overdue").await;
    app.wait_attr("#assets-inventory", "data-filter", "overdue:all").await;
    assert_eq!(rows(&app).await, ["ehr-db", "pacs", "pump-4e-07"]);
    // And one tier of those.
    app.find("#assets-tier").await;
    app.eval(
        "const s = document.querySelector('#assets-tier'); s.value = '2';\
         s.dispatchEvent(new Event('change', { bubbles: true }))",
    )
    .await;
    app.wait_attr("#assets-inventory", "data-filter", "overdue:2").await;
    assert_eq!(rows(&app).await, ["pacs"]);

    // How far behind, by tier: tier 1 holds 5, 2 behind, 2 overdue, 1 unsupported.
    let tier1 = app.texts_of_shown("#assets-behind tr[data-tier='1'] td").await;
    assert_eq!(tier1, ["5", "2", "2", "1"]);
    let tier2 = app.texts_of_shown("#assets-behind tr[data-tier='2'] td").await;
    assert_eq!(tier2, ["2", "1", "1", "0"]);

    // The export, saved through the core.
    app.click("#assets-export-csv").await;
    let path = saved(&app, "#assets-export-status").await;
    assert!(path.ends_with("asset-register.csv"), "{path}");
    let exported = std::fs::read_to_string(&path).unwrap();
    assert!(exported.lines().any(|l| l.starts_with("pump-4e-07,")), "{exported}");

    // The risk register: imported with a preview, then the heat map (the core's SVG) and
    // the list in priority order.
    let risks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/risk/sample.csv");
    let risks = std::fs::read_to_string(&risks).unwrap();
    app.find("#risks-none").await;
    app.choose_file("#risks-file", "risks.csv", &risks).await;
    let summary = app.find("#risks-preview-summary").await.text().await.unwrap();
    assert_eq!(summary, "5 risks can be imported: 5 new, 0 changed, 0 removed from the register.");
    app.click("#risks-import").await;
    // The screen drawn again, with the register.
    app.find("#risks-table").await;
    let said = app.find("#assets-said").await.text().await.unwrap();
    assert!(said.starts_with("Imported 5 risks: 5 new"), "{said}");
    let cell = "#risk-heat-map svg rect.cell[data-likelihood='4'][data-impact='5']";
    assert_eq!(app.attr_now(cell, "data-count").await.as_deref(), Some("1"));
    let title =
        app.eval(&format!("return document.querySelector(\"{cell} title\").textContent")).await;
    assert_eq!(title, "Likelihood 4, impact 5: 1 risk");
    let label = app.attr_now("#risk-heat-map svg", "aria-label").await.unwrap();
    assert!(label.starts_with("Risk heat map of 4 risks"), "{label}");
    assert_eq!(
        risk_rows(&app).await,
        ["ransomware-ehr", "pump-takeover", "pacs-outage", "bec-payroll", "phi-email"]
    );
    // The printable report, saved through the core.
    app.click("#risks-print").await;
    let path = saved(&app, "#risks-report-status").await;
    assert!(path.ends_with(".html") && path.contains("risk-report-"), "{path}");
    let report = std::fs::read_to_string(&path).unwrap();
    assert!(report.contains("Likelihood 4, impact 5: 1 risk"), "{report}");

    // How far behind each tier is, drawn by the core.
    let chart = svg_text(&app, "#assets-behind-chart svg").await;
    assert!(chart.contains("2 of 5 behind, 2 overdue"), "{chart}");

    // CISA's KEV catalogue, carried in by hand: the Windows entry affects four assets and
    // is past its due date.
    let kev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/kev/sample.csv");
    let kev = std::fs::read_to_string(&kev).unwrap();
    let before = app.find("#assets-said").await.text().await.unwrap();
    app.choose_file("#kev-file", "known_exploited_vulnerabilities.csv", &kev).await;
    let said = said_after(&app, &before).await;
    assert_eq!(said, "Imported the KEV catalogue: 3 entries.");
    let row = app.texts_of_shown("#kev-table tr[data-cve=CVE-2017-0144] td").await;
    assert!(row[1].contains("4 assets in the register run Microsoft Windows"), "{row:?}");
    assert!(row[1].contains("ad-core, ehr-app, pacs, ct-scanner"), "{row:?}");
    assert_eq!(row[3], "OVERDUE; used in ransomware");

    // The HICP self-assessment: none yet; the questions for a medium organisation, every
    // one answered in place but the network's segments, saved on today's date.
    app.find("#hicp-none").await;
    app.wait_attr("#hicp-form", "data-state", "ready").await;
    app.eval(
        "document.querySelectorAll('#hicp-form input[type=radio][value=yes]')\
         .forEach((r) => { r.checked = true; })",
    )
    .await;
    app.click("#hicp-network-segments-no").await;
    app.find("#hicp-network-segments-note")
        .await
        .send_keys("VLANs for imaging only")
        .await
        .unwrap();
    let before = app.find("#assets-said").await.text().await.unwrap();
    app.click("#hicp-save").await;
    let said = said_after(&app, &before).await;
    assert!(
        said.starts_with("Saved the self-assessment of") && said.ends_with("1 gaps."),
        "{said}"
    );
    let over_time = svg_text(&app, "#hicp-over-time svg").await;
    assert!(over_time.contains("(medium)"), "{over_time}");
    let by_practice = svg_text(&app, "#hicp-by-practice svg").await;
    assert!(by_practice.contains("6. Network management"), "{by_practice}");
    let gap = app.find("#hicp-gaps tr[data-gap=network-segments]").await.text().await.unwrap();
    assert!(gap.contains("VLANs for imaging only") && gap.contains("not in place"), "{gap}");
    // One step from the gap to the risk register.
    app.click("#hicp-add-network-segments").await;
    let said = said_after(&app, &said).await;
    assert!(said.contains("as hicp-network-segments (score 9)"), "{said}");
    assert!(risk_rows(&app).await.contains(&"hicp-network-segments".to_owned()));
    let gap = app.find("#hicp-gaps tr[data-gap=network-segments]").await.text().await.unwrap();
    assert!(gap.contains("In the risk register"), "{gap}");

    // An incident lead reads it, without the admin's part.
    app.click("#nav-lock").await;
    app.unlock(LEAD, OWN, "home").await;
    app.click("#nav-assets").await;
    app.wait_screen("assets").await;
    app.find("#assets-table").await;
    assert_eq!(rows(&app).await.len(), 7);
    assert!(!app.exists("#assets-file").await);
    assert_eq!(risk_rows(&app).await.len(), 6);
    assert!(app.exists("#risks-print").await && !app.exists("#risks-file").await);
    app.find("#hicp-gaps tr[data-gap=network-segments]").await;
    assert!(!app.exists("#hicp-save").await && !app.exists("#hicp-add-network-segments").await);
    app.find("#kev-table tr[data-cve=CVE-2017-0144]").await;
    assert!(!app.exists("#kev-file").await);

    // A clinician is not offered it.
    app.click("#nav-lock").await;
    app.unlock(CLINICIAN, OWN, "home").await;
    app.find("#nav-home").await;
    assert!(!app.exists("#nav-assets").await);
    app.close().await;
}

/// A ransomware incident's restore step shows the agreed restore order from the register,
/// in order, in the window: the register imported and the drill walked to that step with
/// the CLI, as IT and a lead would, then the incident resumed from the home screen.
#[tokio::test(flavor = "multi_thread")]
async fn the_ransomware_restore_step_shows_the_restore_order_in_the_window() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/assets/sample.csv");
    let app = App::launch_with_cli(|cli| {
        cli.init();
        cli.ok(&["assets", "import", sample.to_str().unwrap()]);
        let id = cli.ok(&["incident", "start", "ransomware", "--drill"]).trim().to_owned();
        let playbook = caregiver::playbook::find("ransomware").unwrap();
        let answers = [
            ("check-spread", "More than one, or shared systems failing, or not sure"),
            ("care-capacity", "Yes, keep accepting"),
        ];
        for _ in 0..40 {
            let show = cli.ok(&["incident", "show", &id]);
            let step = show.split("current step: ").nth(1).unwrap().lines().next().unwrap().trim();
            if step == "restore-systems" {
                return;
            }
            let s = playbook.steps.iter().find(|s| s.id == step).unwrap();
            match answers.iter().find(|(d, _)| *d == step) {
                Some((_, answer)) => cli.ok(&["incident", "step", &id, step, "--choose", answer]),
                None if s.question.is_none() => cli.ok(&["incident", "step", &id, step, "--done"]),
                None => panic!("no answer for {step}"),
            };
        }
        panic!("the drill never reached the restore step");
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#open-incidents li button").await;
    app.find("#step-register").await;
    let title = app.find("#guided-title").await.text().await.unwrap();
    assert_eq!(title, "Rebuild and restore systems in priority order");
    let order = app.eval(
        "return [...document.querySelectorAll('#step-register tr[data-asset]')].map((r) => r.dataset.asset)",
    )
    .await;
    assert_eq!(order, serde_json::json!(["ad-core", "ehr-db", "ehr-app", "pacs", "ct-scanner"]));
    app.close().await;
}
