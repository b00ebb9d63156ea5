//! SIEM forwarding (issue 22) against a real syslog server: rsyslogd from the system's
//! packages (`scripts/setup.sh` installs rsyslog and rsyslog-gnutls), listening with TLS
//! (its gtls driver) on a free local port, with a CA and a server certificate made by
//! openssl, writing every message it receives raw to a file. The store is made and
//! forwarded with the real `caregiver` CLI; the bulk of its entries are notes written
//! through the application layer the window calls.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{caregiver, run};

#[path = "../common/rsyslog.rs"]
mod rsyslog;
use rsyslog::{Rsyslog, certificates, free_port};

const ADMIN: &str = "Ada Admin";
const PASS: &str = "correct horse battery staple";
/// What every note says: none of it may reach the SIEM unless the admin opted in.
const NOTE: &str = "Patient Jane Roe, MRN 0042, bed";

struct Ws {
    tmp: PathBuf,
    store: PathBuf,
}

impl Ws {
    fn new(tmp: &Path) -> Ws {
        std::fs::write(tmp.join("admin"), PASS).unwrap();
        std::fs::write(tmp.join("first"), "first passphrase 12").unwrap();
        let ws = Ws { tmp: tmp.to_path_buf(), store: tmp.join("ward4.db") };
        ws.ok(&["init", "--admin", ADMIN]);
        ws
    }

    fn cmd(&self, user: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = caregiver(&self.tmp);
        cmd.arg("--store").arg(&self.store).args(args);
        if args[0] != "init" {
            cmd.args(["--user", user.unwrap_or(ADMIN)]);
        }
        let pass = if user.is_some() { "staff" } else { "admin" };
        cmd.arg("--passphrase-file").arg(self.tmp.join(pass));
        cmd
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        run(&mut self.cmd(None, args))
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    /// Fails with the stable code given, and says so on stderr.
    fn fails(&self, args: &[&str], code: &str) -> String {
        let (status, out, err) = self.run(args);
        assert_ne!(status, 0, "{args:?} succeeded: {out}");
        assert!(err.contains(&format!("error[{code}]")), "{args:?}: {err}");
        err
    }

    fn status(&self) -> Value {
        serde_json::from_str(&self.ok(&["siem", "status", "--json"])).unwrap()
    }

    fn set(&self, port: u16, ca: &str, extra: &[&str]) {
        let target = format!("localhost:{port}");
        let ca = self.tmp.join(ca);
        let mut args = vec!["siem", "set", &target, "--ca", ca.to_str().unwrap()];
        args.extend(extra);
        self.ok(&args);
    }

    /// An incident (drill) started with the CLI, and `n` notes on it through the app layer
    /// (the window's calls), each with recognisable patient text. Returns the incident.
    fn notes(&self, incident: Option<&str>, n: usize) -> String {
        let id = match incident {
            Some(id) => id.to_owned(),
            None => self.ok(&["incident", "start", "ransomware", "--drill"]).trim().to_owned(),
        };
        self.ok(&["incident", "note", &id, &format!("{NOTE} 1 (from the CLI)")]);
        let now = Instant::now;
        let mut app = caregiver::app::App::new(self.store.clone(), crate::support::clock(), now());
        app.unlock(ADMIN, PASS.as_bytes(), now()).unwrap();
        for i in 0..n.saturating_sub(1) {
            app.incident_note(&id, &format!("{NOTE} {}", i + 2)).unwrap();
        }
        id
    }

    /// The hash of every entry of the store's log, from `log export`, by its number; the
    /// chain checked on the way (each entry's `prev` is the hash before it).
    fn exported_hashes(&self) -> BTreeMap<u64, String> {
        let out = self.tmp.join("export.jsonl");
        let _ = std::fs::remove_file(&out);
        self.ok(&["log", "export", "--out", out.to_str().unwrap()]);
        let text = std::fs::read_to_string(&out).unwrap();
        let mut hashes = BTreeMap::new();
        let mut prev = caregiver::log::GENESIS.to_owned();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["t"] == "entry" {
                assert_eq!(v["prev"], prev.as_str());
                let digest = ring::digest::digest(&ring::digest::SHA256, line.as_bytes());
                prev = data_encoding::HEXLOWER.encode(digest.as_ref());
                hashes.insert(v["seq"].as_u64().unwrap(), prev.clone());
            }
        }
        hashes
    }
}

/// The messages rsyslog wrote, one a line.
fn received(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("received.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// An SD-PARAM's value in a received message (hash, seq: no escapes in them).
fn param<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {name}=\""))? + name.len() + 3;
    line.get(at..)?.split('"').next()
}

/// Waits until rsyslog has written every hash of `want` (it writes shortly after it
/// reads), then returns what it received.
fn until_received(dir: &Path, want: &BTreeMap<u64, String>) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let lines = received(dir);
        let got: BTreeSet<&str> = lines.iter().filter_map(|l| param(l, "hash")).collect();
        if want.values().all(|h| got.contains(h.as_str())) || Instant::now() > until {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every message is one of the store's entries, each entry is there (by hash and number),
/// and no note's text is anywhere.
fn check_received(lines: &[String], want: &BTreeMap<u64, String>) -> usize {
    let mut by_hash: BTreeMap<&str, usize> = BTreeMap::new();
    for line in lines {
        assert!(line.starts_with('<') && line.contains(" [caregiver@32473 "), "{line}");
        assert!(!line.contains("Jane Roe") && !line.contains("MRN"), "note text sent: {line}");
        let hash = param(line, "hash").unwrap();
        let seq: u64 = param(line, "seq").unwrap().parse().unwrap();
        assert_eq!(want.get(&seq).map(String::as_str), Some(hash), "{line}");
        *by_hash.entry(hash).or_default() += 1;
    }
    let unique: BTreeSet<&str> = by_hash.keys().copied().collect();
    let expected: BTreeSet<&str> = want.values().map(String::as_str).collect();
    assert_eq!(unique, expected, "deduplicated by hash: exactly the store's entries");
    lines.len() - unique.len()
}

fn setup() -> (tempfile::TempDir, Ws) {
    let tmp = tempfile::tempdir().unwrap();
    certificates(tmp.path());
    let ws = Ws::new(tmp.path());
    (tmp, ws)
}

#[test]
fn a_thousand_entries_reach_rsyslog_once_each_by_hash_across_a_kill_and_a_server_restart() {
    let (tmp, ws) = setup();
    let dir = tmp.path();
    let port = free_port();
    let server = Rsyslog::start(dir, port);
    ws.set(port, "ca.pem", &[]);
    // Half the log, forwarded whole.
    let incident = ws.notes(None, 500);
    let out = ws.ok(&["siem", "forward"]);
    let first = ws.exported_hashes();
    assert!(out.contains(&format!("Forwarded {} entries", first.len())), "{out}");
    check_received(&until_received(dir, &first), &first);
    // The SIEM restarts; the other half is written meanwhile.
    drop(server);
    let _server = Rsyslog::start(dir, port);
    ws.notes(Some(&incident), 520);
    let all = ws.exported_hashes();
    assert!(all.len() >= 1000 + 2, "{}", all.len());
    let before = ws.status();
    assert_eq!(before["forwarded"], first.len() as u64);
    assert_eq!(before["waiting"], (all.len() - first.len()) as u64);
    // The forward is killed (SIGKILL) midway: some batches sent, the rest not.
    let mut forward = ws.cmd(None, &["siem", "forward", "--batch", "10"]);
    let mut child = forward.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    while received(dir).len() < first.len() + 100 {
        assert!(child.try_wait().unwrap().is_none(), "the forward ended before it was killed");
        assert!(Instant::now() < until, "the forward sent nothing");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().unwrap().is_none(), "the forward ended before it was killed");
    child.kill().unwrap();
    child.wait().unwrap();
    let midway = ws.status();
    let forwarded = midway["forwarded"].as_u64().unwrap();
    assert!(forwarded > first.len() as u64 && forwarded < all.len() as u64, "{midway}");
    // After the restart it resumes where it stopped, and catches up.
    let out = ws.ok(&["siem", "forward", "--json"]);
    let done: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(done["sent"], all.len() as u64 - forwarded, "{out}");
    assert_eq!(
        (done["entries"].as_u64(), done["waiting"].as_u64()),
        (Some(all.len() as u64), Some(0))
    );
    let lines = until_received(dir, &all);
    let duplicates = check_received(&lines, &all);
    // At least once: the batch in flight when it was killed may come twice, no more.
    assert!(duplicates <= 10, "{duplicates} duplicates");
    // Nothing waits: another forward sends nothing.
    assert!(ws.ok(&["siem", "forward"]).contains("Forwarded 0 entries"));
    let status = ws.ok(&["siem", "status"]);
    assert!(status.contains(&format!("localhost:{port}, TLS, typed text withheld")), "{status}");
}

#[test]
fn a_wrong_ca_or_a_siem_that_is_down_is_an_error_and_nothing_is_lost() {
    let (tmp, ws) = setup();
    let dir = tmp.path();
    let port = free_port();
    ws.notes(None, 20);
    let total = ws.exported_hashes();
    // Down: nothing listens on the port.
    ws.set(port, "ca.pem", &[]);
    let err = ws.fails(&["siem", "forward"], "siem_unreachable");
    assert!(err.contains(&format!("localhost:{port}")), "{err}");
    assert_eq!(
        (ws.status()["forwarded"].as_u64(), ws.status()["waiting"].as_u64()),
        (Some(0), Some(total.len() as u64))
    );
    let _server = Rsyslog::start(dir, port);
    // A server whose certificate the CA set does not sign: refused, nothing sent.
    ws.set(port, "other.pem", &[]);
    let err = ws.fails(&["siem", "forward"], "siem_certificate");
    assert!(err.contains("not trusted"), "{err}");
    assert_eq!(ws.status()["forwarded"], 0);
    // The right CA: every entry goes, once.
    ws.set(port, "ca.pem", &[]);
    assert!(ws.ok(&["siem", "forward"]).contains(&format!("Forwarded {} entries", total.len())));
    let lines = until_received(dir, &total);
    assert_eq!(check_received(&lines, &total), 0);
    // Notes go as their kind and hash only; the incident's start goes whole.
    for line in &lines {
        let note = line.contains(" kind=\"note\"");
        assert_eq!(line.contains(" text=\"withheld\"] note: typed text not sent"), note, "{line}");
    }
}

#[test]
fn the_admin_may_opt_in_to_send_typed_text_and_only_admins_set_the_siem() {
    let (tmp, ws) = setup();
    let dir = tmp.path();
    let port = free_port();
    let _server = Rsyslog::start(dir, port);
    ws.notes(None, 3);
    let all = ws.exported_hashes();
    ws.set(port, "ca.pem", &["--send-text"]);
    ws.ok(&["siem", "forward"]);
    let lines = until_received(dir, &all);
    assert_eq!(lines.len(), all.len());
    let notes: Vec<&String> = lines.iter().filter(|l| l.contains("kind=\"note\"")).collect();
    assert_eq!(notes.len(), 3);
    assert!(notes.iter().all(|l| l.contains(NOTE) && !l.contains("withheld")), "{notes:?}");
    // Staff cannot set or turn off the SIEM, but their session forwards.
    let first = tmp.path().join("first");
    ws.ok(&[
        "user",
        "add",
        "Sam Staff",
        "--role",
        "staff",
        "--new-passphrase-file",
        first.to_str().unwrap(),
    ]);
    let staff = tmp.path().join("staff");
    std::fs::write(&staff, "sam's own passphrase").unwrap();
    let mut passwd = caregiver(tmp.path());
    passwd.arg("--store").arg(&ws.store).args([
        "user",
        "passwd",
        "Sam Staff",
        "--new-passphrase-file",
    ]);
    passwd.arg(&staff).args(["--user", "Sam Staff", "--passphrase-file"]).arg(&first);
    assert_eq!(run(&mut passwd).0, 0);
    let ca = tmp.path().join("ca.pem");
    let target = format!("localhost:{port}");
    let args = ["siem", "set", &target, "--ca", ca.to_str().unwrap()];
    let (code, _, err) = run(&mut ws.cmd(Some("Sam Staff"), &args));
    assert!(code != 0 && err.contains("error[permission_denied]"), "{err}");
    let (code, _, err) = run(&mut ws.cmd(Some("Sam Staff"), &["siem", "off"]));
    assert!(code != 0 && err.contains("error[permission_denied]"), "{err}");
    let (code, out, err) = run(&mut ws.cmd(Some("Sam Staff"), &["siem", "forward"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Forwarded "), "{out}");
    // Bad input, named: the target, a CA file that is not one, a client key alone.
    ws.fails(&["siem", "set", "localhost", "--ca", ca.to_str().unwrap()], "invalid_input");
    let key = tmp.path().join("server.key");
    let err = ws.fails(&["siem", "set", &target, "--ca", key.to_str().unwrap()], "invalid_input");
    assert!(err.contains("CA file"), "{err}");
    // Mutual TLS: the client key is sealed, and never printed.
    let cert = tmp.path().join("server.pem");
    let args = [
        "siem",
        "set",
        &target,
        "--ca",
        ca.to_str().unwrap(),
        "--client-cert",
        cert.to_str().unwrap(),
        "--client-key",
        key.to_str().unwrap(),
    ];
    ws.ok(&args);
    let status = ws.ok(&["siem", "status", "--json"]);
    let key_text = std::fs::read_to_string(&key).unwrap();
    let key_body = key_text.lines().nth(1).unwrap();
    assert!(!status.contains(key_body) && status.contains("\"mutual_tls\": true"), "{status}");
    ws.ok(&["siem", "off"]);
    assert_eq!(ws.status()["target"], Value::Null);
}

#[test]
fn the_split_api_moves_the_cursor_once_and_the_periodic_forward_never_fails() {
    use caregiver::app::siem::{Attempt, SiemSetting};
    let (tmp, ws) = setup();
    let dir = tmp.path();
    ws.notes(None, 5);
    let port = free_port();
    let now = Instant::now;
    let mut app = caregiver::app::App::new(ws.store.clone(), crate::support::clock(), now());
    app.unlock(ADMIN, PASS.as_bytes(), now()).unwrap();
    assert_eq!(app.forward_siem_quietly(), Attempt::NotSet);
    let ca_pem = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let setting = SiemSetting {
        host: "127.0.0.1".into(),
        port,
        ca_pem,
        client_cert_pem: None,
        client_key_pem: None,
        send_text: false,
        plain_tcp: false,
    };
    app.set_siem(setting.clone()).unwrap();
    match app.forward_siem_quietly() {
        Attempt::RetryLater { code, .. } => assert_eq!(code, "siem_unreachable"),
        other => panic!("{other:?}"),
    }
    // The status the window shows says why, for this target, until a forward goes through;
    // another process (the CLI) knows nothing of it.
    let failed = app.siem_status().unwrap().retrying.unwrap();
    assert_eq!(
        (failed.code.as_str(), failed.target.clone()),
        ("siem_unreachable", format!("127.0.0.1:{port}"))
    );
    assert!(!failed.reason.is_empty() && !failed.reason.contains("BEGIN"), "{failed:?}");
    assert_eq!(ws.status()["retrying"], Value::Null);
    // The same target set again forgets it (a new setting, a new start).
    app.set_siem(setting).unwrap();
    assert_eq!(app.siem_status().unwrap().retrying, None);
    assert!(matches!(app.forward_siem_quietly(), Attempt::RetryLater { .. }));
    let _server = Rsyslog::start(dir, port);
    let batch = app.siem_batch(4).unwrap().unwrap();
    assert_eq!(
        (batch.from, batch.to, batch.target()),
        (0, 4, format!("127.0.0.1:{port}").as_str())
    );
    // Sent off the app's thread, as the window does.
    let batch = std::thread::spawn(move || batch.send().map(|()| batch)).join().unwrap().unwrap();
    assert!(app.siem_sent(&batch).unwrap());
    // The same batch again does not move the cursor back or forward.
    assert!(!app.siem_sent(&batch).unwrap());
    assert_eq!(app.siem_status().unwrap().forwarded, 4);
    assert!(app.siem_status().unwrap().retrying.is_some(), "kept until a forward goes through");
    match app.forward_siem_quietly() {
        Attempt::Forwarded(f) => assert_eq!((f.sent, f.waiting), (f.entries - 4, 0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.siem_status().unwrap().retrying, None);
    assert!(app.siem_batch(10).unwrap().is_none());
}

#[test]
fn plain_tcp_only_when_the_admin_says_so_for_a_lab() {
    let (tmp, ws) = setup();
    let dir = tmp.path();
    let port = free_port();
    let _server = Rsyslog::start_with(dir, port, false);
    ws.notes(None, 3);
    let all = ws.exported_hashes();
    let (code, _, err) = ws.run(&[
        "siem",
        "set",
        &format!("localhost:{port}"),
        "--ca",
        dir.join("ca.pem").to_str().unwrap(),
        "--insecure-plain-tcp",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("for a lab only"), "{err}");
    assert!(ws.ok(&["siem", "status"]).contains("plain TCP (lab only)"));
    ws.ok(&["siem", "forward"]);
    let lines = until_received(dir, &all);
    check_received(&lines, &all);
}
