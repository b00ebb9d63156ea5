//! The home screen and the window's safety settings, read from the real window.

use crate::harness::{ADMIN, ADMIN_PASS, App};

#[tokio::test(flavor = "multi_thread")]
async fn home_screen_lists_the_embedded_playbooks() {
    let app = App::launch_with_store(|_| {}).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    let (state, text) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready", "the home screen did not get its playbooks from the core: {text}");

    let want: Vec<String> =
        caregiver::playbook::embedded_summaries().unwrap().into_iter().map(|p| p.title).collect();
    let shown = app.texts("#playbook-list .playbook-title").await;
    assert_eq!(shown, want);
    assert!(shown.iter().any(|t| t == "Ransomware or suspected malware outbreak"));
    let pack = app.find("#pack-in-force[data-version]").await;
    assert_eq!(pack.text().await.unwrap(), "Built-in playbook pack");
    app.close().await;
}

/// The app keeps its data where it is told, and no test touches the real user's folder.
#[tokio::test(flavor = "multi_thread")]
async fn the_app_uses_its_own_data_folder_and_never_the_real_one() {
    let real = caregiver::paths::default_data_dir().expect("a platform data folder");
    let before = snapshot(&real);

    let app = App::launch().await;
    app.wait_screen("setup").await;
    let shown = app.find("#app-data-dir[data-path]").await.attr("data-path").await.unwrap();
    assert_eq!(shown.as_deref(), Some(app.data_dir.to_str().unwrap()));
    assert!(app.data_dir.is_dir(), "the app did not create its data folder");
    assert!(app.data_dir.starts_with(app.root()));
    app.close().await;

    assert_eq!(snapshot(&real), before, "a test wrote into {}", real.display());
}

/// The content security policy and the frozen prototypes hold in the real webview.
#[tokio::test(flavor = "multi_thread")]
async fn the_webview_refuses_eval_and_freezes_prototypes() {
    let app = App::launch().await;
    app.wait_screen("setup").await;
    let eval = app.eval("try { return String(eval('1 + 1')); } catch (e) { return e.name; }").await;
    assert_eq!(eval, "EvalError", "the CSP let eval run");
    let frozen = app.eval("return Object.isFrozen(Object.prototype);").await;
    assert_eq!(frozen, true, "freezePrototype is off");
    app.close().await;
}

/// The first Tab lands on the skip link, and it moves focus into the main content.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_screen_works_from_the_keyboard() {
    let app = App::launch().await;
    app.wait_screen("setup").await;
    let body = app.find("body").await;
    body.send_keys("\u{E004}").await.unwrap(); // Tab
    let focused = app.eval("return document.activeElement.className;").await;
    assert_eq!(focused, "skip-link");
    let active = app.client.active_element().await.unwrap();
    active.send_keys("\u{E007}").await.unwrap(); // Enter
    let focused = app.eval("return document.activeElement.id;").await;
    assert_eq!(focused, "main");
    app.close().await;
}

/// (exists, modified time, entry count) of a folder: enough to see a write.
fn snapshot(dir: &std::path::Path) -> Option<(std::time::SystemTime, usize)> {
    let meta = std::fs::metadata(dir).ok()?;
    let entries = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    Some((meta.modified().ok()?, entries))
}
