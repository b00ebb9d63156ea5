//! The SIEM in the window (issue 22): a real rsyslogd from the system's packages listening
//! with TLS (its gtls driver) on a free local port, its CA and server certificate made by
//! openssl (`tests/common/rsyslog.rs`, which `tests/it/siem.rs` includes too). The admin
//! runs a drill with a note, sets the SIEM on the Fleet screen (choosing the CA file),
//! clicks "Forward now", and the note's
//! entry is found by its hash in what rsyslogd wrote, with none of its text; the status
//! says nothing waits. With the SIEM down, "Forward now" leaves the status saying why, and
//! focused; then forwarding is turned off after a confirmation, and a client certificate
//! without its key is refused.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{ADMIN, ADMIN_PASS, App, Cli};

#[path = "../common/rsyslog.rs"]
mod rsyslog;
use rsyslog::{Rsyslog, certificates, free_port};

const NOTE: &str = "Patient Jane Roe, MRN 0042, moved to bed 7";

/// The store's log entries of `kind`, exported with the CLI: (incident, hash) each, the
/// hash being SHA-256 of the entry's line, as the messages carry it.
fn exported(cli: &Cli, dir: &Path, kind: &str) -> Vec<(String, String)> {
    let out = dir.join("export.jsonl");
    let _ = std::fs::remove_file(&out);
    cli.ok(&["log", "export", "--out", out.to_str().unwrap()]);
    std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            (v["t"] == "entry" && v["kind"] == kind).then(|| {
                (v["incident"].as_str().unwrap().to_owned(), caregiver::log::line_hash(line))
            })
        })
        .collect()
}

/// Waits until rsyslogd has written a message carrying `hash` (it writes shortly after it
/// reads), and returns every line it wrote.
fn wait_received(dir: &Path, hash: &str) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(dir.join("received.log")).unwrap_or_default();
        if text.contains(&format!(" hash=\"{hash}\"")) {
            return text.lines().map(str::to_owned).collect();
        }
        assert!(Instant::now() < until, "rsyslogd never received {hash}:\n{text}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the element matching `css` says `words` (an alert drawn again after a click
/// keeps its code from before: its text is what tells), and returns its text.
async fn wait_text(app: &App, css: &str, words: &str) -> String {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let text = app.find(css).await.text().await.unwrap_or_default();
        if text.contains(words) {
            return text;
        }
        assert!(Instant::now() < until, "{css} never said {words}: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_the_siem_on_the_fleet_screen_and_forward_now_reaches_rsyslog() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    certificates(dir);
    let port = free_port();
    let server = Rsyslog::start(dir, port);
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();

    let app = App::launch_with_cli(Cli::init).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;

    // A drill, with a note naming a patient.
    app.settled_state("#playbooks-status").await;
    app.fill("#playbook-search", "ransom").await;
    app.click("#playbook-list li[data-playbook-id=ransomware] button").await;
    app.wait_screen("playbook:ransomware").await;
    app.click("#start-drill").await;
    app.wait_screen("start:ransomware:drill").await;
    app.click("#start-confirm").await;
    app.find("#guided-title").await;
    app.click("#step-note").await;
    app.fill("#note-text", NOTE).await;
    app.click("#note-save").await;
    app.wait_for_step_change_or_same("").await;

    // The Fleet screen: no SIEM yet, and nothing to forward to.
    app.click("#nav-fleet").await;
    app.wait_screen("fleet").await;
    app.wait_attr("#siem-state", "data-state", "off").await;
    assert!(app.find("#siem-forward").await.attr("disabled").await.unwrap().is_some());
    assert!(!app.find("#siem-send-text").await.is_selected().await.unwrap(), "text sent unasked");

    // Saved without a CA: refused, with the code and words.
    app.fill("#siem-target", &format!("localhost:{port}")).await;
    app.click("#siem-save").await;
    let said = wait_text(&app, "#siem-form-alert", "choose the CA certificate").await;
    assert!(said.contains("Code for IT support: invalid_input"), "{said}");

    // With the CA chosen: set; TLS, typed text withheld, the entries waiting.
    app.choose_file("#siem-ca", "hospital-ca.pem", &ca).await;
    app.click("#siem-save").await;
    app.wait_attr("#siem-state", "data-state", "set").await;
    let target = app.text("#siem-target-now").await;
    assert!(target.contains(&format!("localhost:{port}, TLS")), "{target}");
    let text = app.text("#siem-text-now").await;
    assert!(text.contains("withheld"), "{text}");
    let waiting = app.attr_now("#siem-state", "data-waiting").await.unwrap();
    assert_ne!(waiting, "0", "the drill's entries wait");

    // Forward now: the note's entry reaches rsyslogd by its hash, without its text; the
    // status says nothing waits, with when it last forwarded (local time and zone).
    app.click("#siem-forward").await;
    app.wait_attr("#siem-state", "data-waiting", "0").await;
    let busy = app.text("#siem-busy").await;
    assert!(busy.starts_with(&format!("Sent {waiting} entries to localhost:{port}")), "{busy}");
    let counts = app.text("#siem-counts").await;
    assert!(counts.contains(&format!("Forwarded: {waiting} entries, last 20")), "{counts}");
    assert!(counts.ends_with("Waiting: 0 entries."), "{counts}");
    let cli = Cli::new(&app.data_dir);
    let notes = exported(&cli, dir, "note");
    let [(incident, hash)] = notes.try_into().unwrap();
    let lines = wait_received(dir, &hash);
    let line = lines.iter().find(|l| l.contains(&hash)).unwrap();
    assert!(line.contains(&format!("incident=\"{incident}\"")), "{line}");
    assert!(lines.iter().all(|l| !l.contains("Jane Roe") && !l.contains("MRN")), "{lines:?}");

    // The SIEM goes down and a note is written meanwhile: after Forward now, the status
    // says why (focused, so it is read out) and still counts the note waiting.
    drop(server);
    cli.ok(&["incident", "note", &incident, "written while the SIEM is down"]);
    app.click("#siem-forward").await;
    app.wait_attr("#siem-failed", "data-code", "siem_unreachable").await;
    let focused = app.eval("return document.activeElement.id").await;
    assert_eq!(focused, "siem-failed", "the failure is read out");
    let failed = app.text("#siem-failed").await;
    assert!(
        failed.contains("The last forward failed") && failed.contains("Tried again"),
        "{failed}"
    );
    assert_ne!(app.attr_now("#siem-state", "data-waiting").await.unwrap(), "0");

    // Turned off, after a confirmation; Cancel first changes nothing.
    app.click("#siem-off").await;
    app.click("#siem-off-confirm-box button:not(.danger)").await;
    assert_eq!(app.attr_now("#siem-state", "data-state").await.unwrap(), "set");
    app.click("#siem-off").await;
    app.click("#siem-off-confirm").await;
    app.wait_attr("#siem-state", "data-state", "off").await;
    let status: Value = serde_json::from_str(&cli.ok(&["siem", "status", "--json"])).unwrap();
    assert_eq!(status["target"], Value::Null, "{status}");

    // Mutual TLS half given (a certificate, no key): refused, named, and nothing set.
    let cert = std::fs::read_to_string(dir.join("server.pem")).unwrap();
    app.choose_file("#siem-ca", "hospital-ca.pem", &ca).await;
    app.choose_file("#siem-client-cert", "ward4.pem", &cert).await;
    app.click("#siem-save").await;
    let said = wait_text(&app, "#siem-form-alert", "give both the certificate and its key").await;
    assert!(said.contains("Code for IT support: invalid_input"), "{said}");
    assert_eq!(app.attr_now("#siem-state", "data-state").await.unwrap(), "off");
    app.close().await;
}
