//! The library: search as you type, open a playbook, read it by phase or as one role's job
//! action sheet. What the window shows comes from the core's own grouping.

use caregiver::playbook::view::PlaybookView;

use crate::harness::{ADMIN, ADMIN_PASS, App};

async fn results(app: &App, query: &str) -> Vec<String> {
    app.fill("#playbook-search", query).await;
    // Wait until the status speaks of this query.
    let want = if query.is_empty() { "available".to_owned() } else { format!("“{query}”") };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let status = app.find("#playbooks-status").await.text().await.unwrap();
        if status.contains(&want) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "status stayed {status:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.texts("#playbook-list .playbook-title").await
}

#[tokio::test(flavor = "multi_thread")]
async fn search_open_and_read_by_phase_and_by_role() {
    let app = App::launch_with_store(|_| {}).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.settled_state("#playbooks-status").await;

    let found = results(&app, "wire transfer").await;
    assert_eq!(found.first().map(String::as_str), Some("Business email compromise or wire fraud"));
    assert!(results(&app, "zzzz nothing").await.is_empty());
    let found = results(&app, "ransom").await;
    assert_eq!(found[0], "Ransomware or suspected malware outbreak");

    app.click("#playbook-list li[data-playbook-id=ransomware] button").await;
    app.wait_screen("playbook:ransomware").await;
    let view = PlaybookView::new(caregiver::playbook::find("ransomware").unwrap());
    assert_eq!(app.find("#playbook-title").await.text().await.unwrap(), view.playbook.title);
    // By phase: every step, once, under its phase heading.
    let steps =
        app.client.find_all(fantoccini::Locator::Css("#playbook-body .step")).await.unwrap();
    assert_eq!(steps.len(), view.playbook.steps.len());
    let headings = app.texts("#playbook-body .group > h3").await;
    let want: Vec<String> = view.phases.iter().map(|g| g.name.clone()).collect();
    assert_eq!(headings, want);

    // By role: the IT lead's job action sheet, by time band, with boxes for time and initials.
    app.click("#view-role").await;
    app.find("#role-select option[value=it-lead]").await.click().await.unwrap();
    let title = app.find("#playbook-body .sheet-title").await.text().await.unwrap();
    assert_eq!(title, "Job action sheet: IT/IS Lead");
    let sheet = view.roles.iter().find(|r| r.id == "it-lead").unwrap();
    let shown =
        app.client.find_all(fantoccini::Locator::Css("#playbook-body .step")).await.unwrap();
    assert_eq!(shown.len(), sheet.bands.iter().map(|b| b.steps.len()).sum::<usize>());
    assert_eq!(app.texts("#playbook-body .initials").await.len(), shown.len());

    app.click("#back-home").await;
    app.wait_screen("home").await;
    app.close().await;
}
