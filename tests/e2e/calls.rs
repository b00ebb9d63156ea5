//! The call tree in the window: an incident lead works through it; a wrong number asks
//! for the alternate at once; the outcomes land in the HICS 214 export. The contact tree
//! screen marks the channels the core says are not for patient information.

use std::time::{Duration, Instant};

use caregiver::contacts::Contact;

use crate::harness::{ADMIN, ADMIN_PASS, App};

pub fn contact(
    id: &str,
    name: &str,
    role: &str,
    called_by: Option<&str>,
    alternate: Option<&str>,
) -> Contact {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "kind": "internal", "role": role, "position": null,
        "department": "IT", "organisation": null, "work_phone": "555-0142", "mobile_phone": null,
        "pager": null, "radio_channel": null, "secure_messaging": null, "email": null,
        "support_line": null, "contract_ref": null, "policy_number": null, "claim_line": null,
        "channels": ["phone", "sms"], "notes": null, "called_by": called_by, "alternate": alternate,
        "escalate_after_minutes": 10, "incident_types": []
    }))
    .unwrap()
}

async fn wait_unreached(app: &App, want: &str) {
    app.wait_attr("#unreached", "data-count", want).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lead_works_through_the_call_tree_and_the_calls_reach_the_hics_214() {
    let app = App::launch_with_store(|s| {
        s.replace_contacts(&[
            contact("desk", "Sam Servicedesk", "it-service-desk", None, None),
            contact("ciso", "Cora Security", "it-security-lead", Some("desk"), Some("cio")),
            contact("cio", "Ike Information", "vendor-support", Some("desk"), None),
        ])
        .unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("button.situation[data-situation=ransomware]").await;
    app.find("#start-lead").await;
    app.click("#start-confirm").await;
    app.find("#guided-title").await;
    // The first step says to call the service desk: its number is on the step.
    let calls = app.find("#step-calls").await.text().await.unwrap();
    assert!(calls.contains("Sam Servicedesk") && calls.contains("555-0142"), "{calls}");

    app.click("#nav-calls").await;
    app.find("#call-tree").await;
    wait_unreached(&app, "3").await;
    let tree = app.texts("#call-tree > li h3").await;
    assert_eq!(tree.len(), 3, "{tree:?}");
    assert!(tree[0].starts_with("Sam Servicedesk"), "the lead calls the desk first: {tree:?}");
    // SMS is listed, and flagged as not for patient information.
    assert!(
        app.find("#call-tree .channel.unsecure")
            .await
            .text()
            .await
            .unwrap()
            .contains("no patient information")
    );
    let phone = app.find("li[data-contact=desk] .channel[data-channel=phone]").await;
    assert_eq!(phone.text().await.unwrap(), "Desk phone");
    assert_eq!(phone.attr("class").await.unwrap().as_deref(), Some("channel"));

    app.click("button[data-contact=desk][data-outcome=reached]").await;
    wait_unreached(&app, "2").await;
    // A wrong number for the security lead: call the alternate now.
    app.click("li[data-contact=ciso] > .outcomes button[data-outcome=wrong-number]").await;
    app.wait_attr("li[data-contact=ciso]", "data-state", "escalate").await;
    let state = app.find("li[data-contact=ciso] .call-state").await.text().await.unwrap();
    assert!(state.contains("call the alternate, Ike Information"), "{state}");
    app.click("li[data-contact=ciso] .alternate button[data-outcome=reached]").await;
    wait_unreached(&app, "0").await;
    assert!(
        app.find("#unreached")
            .await
            .text()
            .await
            .unwrap()
            .contains("Everyone on the tree has been reached")
    );

    // The calls are in the HICS 214 the window saves.
    app.click("#nav-review").await;
    app.find("#review-title").await;
    app.click("#export-html").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let path = loop {
        if let Some(p) = app.attr_now("#export-status", "data-path").await {
            break p;
        }
        assert!(Instant::now() < deadline, "not saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let html = std::fs::read_to_string(path).unwrap();
    for line in [
        "Call to Sam Servicedesk: reached",
        "Call to Cora Security: wrong number",
        "Call to Ike Information: reached",
    ] {
        assert!(html.contains(line), "{line} missing from the HICS 214");
    }
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contact_tree_marks_the_channels_not_for_patient_information() {
    let app = App::launch_with_store(|s| {
        s.replace_contacts(&[
            contact("desk", "Sam Servicedesk", "it-service-desk", None, None),
            contact("ciso", "Cora Security", "it-security-lead", Some("desk"), None),
        ])
        .unwrap();
    })
    .await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.click("#nav-contacts").await;
    app.wait_screen("contacts").await;
    app.find("#whole-tree li[data-contact=desk] > .unsecure").await;
    // Both have phone and SMS: SMS is named as the core names it, and marked; phone is not.
    let marked = app.texts("#whole-tree li[data-contact] > .unsecure").await;
    assert_eq!(marked, ["Not for patient information: Text message (SMS)"; 2], "{marked:?}");
    assert!(app.exists("#whole-tree li[data-contact=desk] > .unsecure[data-channels=sms]").await);
    app.click("#nav-home").await;
    app.wait_screen("home").await;
    app.close().await;
}
