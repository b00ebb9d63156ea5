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
