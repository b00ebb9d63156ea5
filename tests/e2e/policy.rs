//! The written policy in the window: a staff member reads it in large type and
//! acknowledges it under their own unlock; the admin publishes version 2 (a material
//! change, signed into a pack with the CLI as IT does) and the staff member is asked again,
//! with version 1 still there to read.

use std::path::Path;

use caregiver::store::Role;

use crate::harness::{App, Cli};

const SAM: &str = "Sam Staff";
const SAM_FIRST: &str = "first passphrase 12";
const SAM_PASS: &str = "sam's own passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn staff_acknowledge_the_policy_and_are_asked_again_for_a_material_version() {
    let app = App::launch_with_store(|s| {
        s.add_user(SAM, Role::Staff, SAM_FIRST.as_bytes(), None).unwrap();
    })
    .await;
    app.set_own_passphrase(SAM, SAM_FIRST, SAM_PASS);

    app.unlock(SAM, SAM_PASS, "home").await;
    app.click("#nav-policies").await;
    app.wait_screen("policies").await;
    let row = "#policy-list li[data-policy=information-security]";
    app.wait_attr(row, "data-state", "due").await;
    app.click(&format!("{row} button")).await;
    app.wait_screen("policy:information-security").await;
    let heading = app.find("#policy-text h2").await.text().await.unwrap();
    assert_eq!(heading, "1. What we protect, and why");
    app.click("#policy-ack").await;
    app.wait_attr("#policy-standing", "data-state", "acknowledged").await;
    let said = app.find("#policy-status").await.text().await.unwrap();
    assert_eq!(said, "Acknowledged version 1. Thank you.");
    assert!(!app.exists("#policy-ack").await);

    // IT signs version 2 (a material change) into a pack; the admin imports it.
    let data_dir = app.store_path().parent().unwrap().to_path_buf();
    let cli = Cli::new(&data_dir);
    let folder = data_dir.with_file_name("pack");
    std::fs::create_dir_all(folder.join("policies")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::copy(root.join("playbooks/phishing.toml"), folder.join("phishing.toml")).unwrap();
    let v1 =
        std::fs::read_to_string(root.join("playbooks/policies/information-security.md")).unwrap();
    let v2 = v1.replacen("version = 1", "version = 2", 1).replace(
        "Lock your screen when you walk away",
        "Lock your screen (Windows key + L) when you walk away",
    );
    std::fs::write(folder.join("policies/information-security.md"), v2).unwrap();
    let key = data_dir.with_file_name("signing.key").display().to_string();
    let public = cli.ok(&["pack", "keygen", "--out", &key]).lines().last().unwrap().to_owned();
    let signed = data_dir.with_file_name("pack.json").display().to_string();
    cli.ok(&["pack", "sign", folder.to_str().unwrap(), "--key", &key, "--out", &signed]);
    cli.ok(&["pack", "trust", &public]);
    cli.ok(&["pack", "import", &signed]);

    // Sam is asked again; version 1 stays readable.
    app.click("#policy-back").await;
    app.wait_screen("policies").await;
    app.wait_attr(row, "data-state", "due").await;
    app.click(&format!("{row} button")).await;
    app.wait_screen("policy:information-security").await;
    let text = app.find("#policy-text").await.text().await.unwrap();
    assert!(text.contains("Windows key + L"), "{text}");
    assert_eq!(app.texts("#policy-versions li").await.len(), 2);
    app.click("#policy-version-1").await;
    app.wait_screen("policy:information-security:v1").await;
    // The screen key changes before the version's text is drawn: wait for the text.
    app.wait_attr("#policy-text", "data-version", "1").await;
    let old = app.find("#policy-text").await.text().await.unwrap();
    assert!(!old.contains("Windows key + L"), "{old}");
    assert!(!app.exists("#policy-ack").await, "an earlier version is not acknowledged");
    app.click("#policy-version-2").await;
    app.wait_screen("policy:information-security:v2").await;
    app.wait_attr("#policy-text", "data-version", "2").await;
    app.click("#policy-ack").await;
    app.wait_attr("#policy-standing", "data-state", "acknowledged").await;
    // Printed, with its version and date on every page.
    app.click("#policy-print").await;
    let path = loop {
        if let Some(p) = app.attr_now("#policy-status", "data-path").await {
            break p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(
        page.contains("Information security policy, version 2, effective 2026-12-01"),
        "{page}"
    );
    app.close().await;
}
