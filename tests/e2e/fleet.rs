//! The fleet folder in the window (issue 22): two workstations, each its own data folder
//! and store, set up with the CLI as an admin would and sharing one fleet folder. On the
//! ward's, a staff member unlocks (the footer says when it published), acknowledges a
//! training module and locks: the workstation publishes. On the admin's, the dashboard
//! does not know of it until the admin collects from the Fleet screen; then it does.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::harness::{ADMIN, ADMIN_PASS, App, Cli};

const SAM: &str = "Sam Staff";
const SAM_FIRST: &str = "first passphrase 12";
const SAM_PASS: &str = "sam's own passphrase";
const MODULE: &str = "downtime-procedures";

/// A workstation's store set up with the CLI: its admin, Sam (staff, ward 4), the fleet
/// folder.
fn prepare(cli: &Cli, fleet: &Path) {
    cli.init();
    let first = cli.file("sam-first", SAM_FIRST.as_bytes());
    cli.ok(&[
        "user",
        "add",
        SAM,
        "--role",
        "staff",
        "--department",
        "Ward 4",
        "--new-passphrase-file",
        &first,
    ]);
    cli.ok(&["settings", "fleet-dir", fleet.to_str().unwrap()]);
}

/// The workstation folders in the fleet folder.
fn workstations(fleet: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fleet)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found
}

/// Waits until a segment in `folder` holds `text` (the publish at lock runs on its own
/// thread, after the window has shown the lock screen).
fn wait_for_segment_with(folder: &Path, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if caregiver::fleet::parse_segment_name(&name).is_some()
                && std::fs::read_to_string(&path).unwrap().contains(text)
            {
                return name;
            }
        }
        assert!(Instant::now() < deadline, "no segment in {} holds {text}", folder.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn acknowledge(app: &App) {
    app.click("#nav-training").await;
    app.click(&format!("#my-training li[data-module={MODULE}] button")).await;
    app.find(&format!("#module-title[data-module={MODULE}]")).await;
    for el in app.client.find_all(fantoccini::Locator::Css("input.confirm")).await.unwrap() {
        el.click().await.unwrap();
    }
    let module = caregiver::training::find(MODULE).unwrap();
    for (q, question) in module.quiz.unwrap().questions.iter().enumerate() {
        app.click(&format!("#q{q}-{}", question.answer)).await;
    }
    app.click("#ack-submit").await;
    app.wait_attr("#ack-status", "data-state", "done").await;
}

async fn module_chart(app: &App) -> String {
    app.click("#nav-training").await;
    app.wait_screen("training").await;
    app.find("#chart-modules svg").await.html(false).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_training_ack_on_the_ward_reaches_the_admins_dashboard_through_the_fleet_folder() {
    let fleet_root = tempfile::tempdir().unwrap();
    let fleet = fleet_root.path().join("fleet");
    std::fs::create_dir(&fleet).unwrap();

    // The ward's workstation: Sam unlocks; the workstation publishes, and says so.
    let ward = App::launch_with_cli(|cli| prepare(cli, &fleet)).await;
    ward.set_own_passphrase(SAM, SAM_FIRST, SAM_PASS);
    ward.unlock(SAM, SAM_PASS, "home").await;
    ward.wait_attr("#fleet-published", "data-state", "published").await;
    let said = ward.text("#fleet-published").await;
    // Local time with its zone, as every screen shows times: "… 2026-12-02 14:05 EST".
    let time =
        said.strip_prefix("Fleet folder: last published ").unwrap_or_else(|| panic!("{said}"));
    let (date, rest) = time.split_once(' ').unwrap();
    assert!(date.len() == 10 && date.as_bytes()[4] == b'-', "{said}");
    let (clock, zone) = rest.split_once(' ').unwrap();
    assert!(clock.len() == 5 && clock.as_bytes()[2] == b':' && !zone.is_empty(), "{said}");
    let [folder] = workstations(&fleet).try_into().unwrap();
    let ward_id = folder.file_name().unwrap().to_string_lossy().into_owned();

    // She acknowledges the module and locks: the lock publishes the acknowledgment.
    acknowledge(&ward).await;
    ward.click("#nav-lock").await;
    ward.wait_screen("locked").await;
    let segment = wait_for_segment_with(&folder, "training_acknowledged");
    assert!(caregiver::fleet::parse_segment_name(&segment).is_some());
    assert!(!ward.exists("#fleet-published:not([hidden])").await, "locked: nothing said");

    // The share goes away (unmounted): her next unlock is not held up, and the footer says
    // the folder is not reachable and is tried again, with when it last published.
    let unmounted = fleet_root.path().join("unmounted");
    std::fs::rename(&fleet, &unmounted).unwrap();
    ward.unlock(SAM, SAM_PASS, "home").await;
    ward.wait_attr("#fleet-published", "data-state", "retrying").await;
    let said = ward.text("#fleet-published").await;
    assert!(said.contains("not reachable") && said.contains("last published 20"), "{said}");
    ward.click("#nav-lock").await;
    ward.wait_screen("locked").await;
    ward.close().await;
    std::fs::rename(&unmounted, &fleet).unwrap();

    // The admin's workstation, another store: the dashboard does not know of it yet.
    let admin = App::launch_with_cli(|cli| prepare(cli, &fleet)).await;
    admin.unlock(ADMIN, ADMIN_PASS, "home").await;
    let chart = module_chart(&admin).await;
    assert!(chart.contains("0 of 1") && !chart.contains("1 of 1"), "{chart}");

    // The Fleet screen: the folder, the ward's workstation not collected yet.
    admin.click("#nav-fleet").await;
    admin.wait_screen("fleet").await;
    admin.wait_attr("#fleet-folder", "data-path", fleet.to_str().unwrap()).await;
    let row = format!("#fleet-table tr[data-workstation=\"{ward_id}\"]");
    let before = admin.text(&row).await;
    assert!(before.contains("not pinned yet"), "{before}");

    // Collect now: imported, with the warning that its key was pinned at this first
    // collection; the admin's own workstation is named as this one.
    admin.click("#fleet-collect").await;
    admin.wait_attr(&row, "data-state", "imported").await;
    let after = admin.text(&row).await;
    assert!(after.contains("pinned now") && after.contains("Warning"), "{after}");
    assert!(after.contains("built-in pack"), "{after}");
    let busy = admin.text("#fleet-busy").await;
    assert!(busy.starts_with("Collected: ") && !busy.starts_with("Collected: 0 "), "{busy}");
    assert!(admin.exists("#fleet-table tr[data-state=this]").await);

    // The dashboard counts her acknowledgment now.
    let chart = module_chart(&admin).await;
    assert!(chart.contains("100% · 1 of 1"), "{chart}");

    // The ward's folder shows another key (a rebuilt workstation): refused until the admin
    // accepts it, after a confirmation.
    let rebuilt = Cli::new(&fleet_root.path().join("rebuilt").join("data"));
    rebuilt.init();
    let key = fleet_root.path().join("rebuilt.pem");
    rebuilt.ok(&["log", "key", "--out", key.to_str().unwrap()]);
    std::fs::copy(&key, folder.join("key.pem")).unwrap();
    admin.click("#nav-fleet").await;
    admin.wait_screen("fleet").await;
    admin.click("#fleet-collect").await;
    admin.wait_attr(&row, "data-state", "refused").await;
    let refused = admin.text(&row).await;
    assert!(refused.contains("Refused") && refused.contains("key changed"), "{refused}");
    admin.click(&format!("button[data-accept-ask=\"{ward_id}\"]")).await;
    admin.click(&format!("button[data-accept=\"{ward_id}\"]")).await;
    admin.wait_attr(&row, "data-state", "up-to-date").await;
    assert!(!admin.exists(&format!("button[data-accept-ask=\"{ward_id}\"]")).await);
    admin.close().await;
}
