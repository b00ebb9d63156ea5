//! Training in the window: a staff member reads a module, ticks its checklist, passes its
//! quiz and acknowledges it under their own unlock; the admin's dashboard shows it done.

use caregiver::store::{Role, Store};

use crate::harness::{ADMIN, ADMIN_PASS, App};

const SAM: &str = "Sam Staff";
const SAM_FIRST: &str = "first passphrase 12";
const SAM_PASS: &str = "sam's own passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_member_acknowledges_a_module_and_the_dashboard_shows_it() {
    let app = App::launch_with_store(|s| {
        s.add_user(SAM, Role::Staff, SAM_FIRST.as_bytes(), None).unwrap();
        s.set_department(SAM, Some("Ward 4")).unwrap();
    })
    .await;
    app.set_own_passphrase(SAM, SAM_FIRST, SAM_PASS);

    app.unlock(SAM, SAM_PASS, "home").await;
    app.click("#nav-training").await;
    app.click("#my-training li[data-module=downtime-procedures] button").await;
    app.find("#module-title[data-module=downtime-procedures]").await;
    // The checklist and the quiz come first.
    app.click("#ack-submit").await;
    let said = app.find("#ack-form .alert").await.text().await.unwrap();
    assert!(said.contains("Tick each line"), "{said}");
    for el in app.client.find_all(fantoccini::Locator::Css("input.confirm")).await.unwrap() {
        el.click().await.unwrap();
    }
    let module = caregiver::training::find("downtime-procedures").unwrap();
    for (q, question) in module.quiz.unwrap().questions.iter().enumerate() {
        app.click(&format!("#q{q}-{}", question.answer)).await;
    }
    app.click("#ack-submit").await;
    app.wait_attr("#ack-status", "data-state", "done").await;
    // Sam sees no dashboard.
    app.click("#module-back").await;
    app.find("#my-training").await;
    assert!(!app.exists("#dashboard").await);
    let state = app
        .find("#my-training li[data-module=downtime-procedures]")
        .await
        .attr("data-state")
        .await
        .unwrap();
    assert_eq!(state.as_deref(), Some("done"));

    // The admin's dashboard shows it: downtime procedures 1 of 1 done (admins have none).
    app.click("#nav-lock").await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-training").await;
    let chart = app.find("#chart-modules svg").await.html(false).await.unwrap();
    assert!(chart.contains("100% · 1 of 1"), "{chart}");
    let departments = app.find("#chart-departments svg").await.html(false).await.unwrap();
    assert!(departments.contains("Ward 4"), "{departments}");
    // The acknowledgment is Sam's entry in the signed log.
    let session = Store::open(&app.store_path(), crate::harness::clock())
        .unwrap()
        .unlock(ADMIN, ADMIN_PASS.as_bytes())
        .unwrap();
    let acks = session.training_acks().unwrap();
    assert_eq!(acks.len(), 1);
    assert_eq!((acks[0].user.as_str(), acks[0].module.as_str()), (SAM, "downtime-procedures"));
    app.close().await;
}
