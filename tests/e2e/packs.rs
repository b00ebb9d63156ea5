//! A signed pack imported on the workstation is what the window shows, with its version.

use caregiver::playbook::pack;

use crate::harness::{ADMIN, ADMIN_PASS, App};

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_pack_is_in_force_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let text = include_str!("../../playbooks/ehr-downtime.toml").replacen(
        "title = \"EHR or clinical system downtime (planned and unplanned)\"",
        "title = \"EHR downtime (St Example's procedure)\"",
        1,
    );
    std::io::Write::write_all(
        &mut std::fs::File::create(dir.path().join("ehr-downtime.toml")).unwrap(),
        text.as_bytes(),
    )
    .unwrap();
    let (secret, public) = pack::keygen().unwrap();
    let now = chrono::Utc::now();
    let signed = pack::sign(dir.path(), &secret, 7, 30, now).unwrap();

    let app = App::launch_with_store(|s| {
        pack::trust(s, &pack::read_public_key(&public).unwrap()).unwrap();
        pack::import(s, &signed, now).unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    let (state, _) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready");
    let titles = app.texts("#playbook-list .playbook-title").await;
    assert_eq!(titles.len(), 10);
    assert!(titles.iter().any(|t| t == "EHR downtime (St Example's procedure)"), "{titles:?}");
    assert!(!titles.iter().any(|t| t.starts_with("EHR or clinical system downtime")));
    let footer = app.find("#pack-in-force[data-version]").await;
    assert_eq!(footer.attr("data-version").await.unwrap().as_deref(), Some("7"));
    assert!(footer.text().await.unwrap().starts_with("Playbook pack version 7, signed "));
    app.close().await;
}

/// A pack that no longer verifies against the pinned key (here an admin pinned another
/// key after importing it) is never shown: the window shows the built-in playbooks and
/// says so on the home screen, in words a nurse can act on.
#[tokio::test(flavor = "multi_thread")]
async fn a_pack_that_fails_its_check_gives_way_to_the_built_in_pack_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let text = include_str!("../../playbooks/ehr-downtime.toml").replacen(
        "title = \"EHR or clinical system downtime (planned and unplanned)\"",
        "title = \"EHR downtime (St Example's procedure)\"",
        1,
    );
    std::fs::write(dir.path().join("ehr-downtime.toml"), text).unwrap();
    let (secret, public) = pack::keygen().unwrap();
    let (_, other) = pack::keygen().unwrap();
    let now = chrono::Utc::now();
    let signed = pack::sign(dir.path(), &secret, 7, 30, now).unwrap();

    let app = App::launch_with_store(|s| {
        pack::trust(s, &pack::read_public_key(&public).unwrap()).unwrap();
        pack::import(s, &signed, now).unwrap();
        pack::trust(s, &pack::read_public_key(&other).unwrap()).unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    let (state, _) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready");
    let warning = app.find("#pack-warning:not([hidden])").await;
    let said = warning.text().await.unwrap();
    assert!(said.contains("These are the built-in playbooks, not your hospital's own."), "{said}");
    let titles = app.texts("#playbook-list .playbook-title").await;
    assert!(titles.iter().any(|t| t.starts_with("EHR or clinical system downtime")), "{titles:?}");
    assert!(!titles.iter().any(|t| t == "EHR downtime (St Example's procedure)"));
    let footer = app.find("#pack-in-force[data-version]").await;
    assert_eq!(footer.attr("data-version").await.unwrap().as_deref(), Some("built-in"));
    app.close().await;
}

/// A workstation IT manages: the managed pack is in force from the first run, and the
/// footer says who manages it.
#[tokio::test(flavor = "multi_thread")]
async fn the_managed_pack_is_in_force_with_the_managed_banner() {
    let (secret, public) = pack::keygen().unwrap();
    let playbooks = tempfile::tempdir().unwrap();
    let text = include_str!("../../playbooks/ehr-downtime.toml").replacen(
        "title = \"EHR or clinical system downtime (planned and unplanned)\"",
        "title = \"EHR downtime (managed by IT)\"",
        1,
    );
    std::fs::write(playbooks.path().join("ehr-downtime.toml"), text).unwrap();
    let signed = pack::sign(playbooks.path(), &secret, 11, 30, chrono::Utc::now()).unwrap();
    let exports = tempfile::tempdir().unwrap();
    let exports_dir = exports.path().join("ward 4 exports");
    let app = App::launch_with_cli(|cli| {
        cli.init();
        cli.ok(&["incident", "start", "ransomware", "--drill"]);
        let managed = cli.managed_dir();
        std::fs::create_dir_all(&managed).unwrap();
        std::fs::write(managed.join("pack.json"), &signed).unwrap();
        std::fs::write(
            managed.join("managed.toml"),
            format!(
                "managed_by = \"St Example's IT\"\n[pack]\nfile = \"pack.json\"\nkeys = [\"{public}\"]\n[settings]\nward_label = \"Ward 4 East\"\nexports_dir = \"{}\"\n[policy]\nforbid_local_changes = true\n",
                exports_dir.display()
            ),
        )
        .unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    let (state, _) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready");
    let titles = app.texts("#playbook-list .playbook-title").await;
    assert!(titles.iter().any(|t| t == "EHR downtime (managed by IT)"), "{titles:?}");
    let footer = app.find("#pack-in-force[data-version]").await;
    assert_eq!(footer.attr("data-version").await.unwrap().as_deref(), Some("11"));
    app.wait_attr("#managed-by", "data-managed", "yes").await;
    let banner = app.find("#managed-by").await.text().await.unwrap();
    assert_eq!(banner, "Ward 4 East · Managed by St Example's IT (settings locked)");

    // The window saves exports in the folder IT named.
    app.click("#open-incidents li button").await;
    app.click("#nav-review").await;
    app.find("#review-title").await;
    app.click("#export-html").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let path = loop {
        if let Some(p) = app.attr_now("#export-status", "data-path").await {
            break std::path::PathBuf::from(p);
        }
        assert!(std::time::Instant::now() < deadline, "not saved");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(path.parent(), Some(exports_dir.as_path()), "{}", path.display());
    assert!(std::fs::read_to_string(&path).unwrap().contains("HICS 214"));
    app.close().await;
}
