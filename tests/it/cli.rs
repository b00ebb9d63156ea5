//! The `caregiver` command line, run as a user would.

use crate::support::{caregiver, run};

#[test]
fn version_and_help() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, _) = run(caregiver(tmp.path()).arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("caregiver {}", caregiver::VERSION));

    let (code, out, _) = run(caregiver(tmp.path()).arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("playbook"), "{out}");
}

#[test]
fn playbook_list_prints_the_embedded_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let want = caregiver::playbook::embedded_summaries().unwrap();
    assert!(!want.is_empty());

    let (code, out, err) = run(caregiver(tmp.path()).args(["playbook", "list"]));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), want.len());
    for (line, p) in lines.iter().zip(&want) {
        assert!(line.starts_with(&p.id) && line.ends_with(&p.title), "{line:?} vs {p:?}");
    }
    assert!(out.contains("Ransomware or suspected malware outbreak"));
}

#[test]
fn playbook_list_json_is_the_same_list() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(caregiver(tmp.path()).args(["playbook", "list", "--json"]));
    assert_eq!(code, 0, "{err}");
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want = serde_json::to_value(caregiver::playbook::embedded_summaries().unwrap()).unwrap();
    assert_eq!(got, want);
    assert!(got[0]["id"].is_string() && got[0]["title"].is_string());
}

#[test]
fn bad_usage_exits_non_zero_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(caregiver(tmp.path()).args(["playbook", "frobnicate"]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("frobnicate"), "{err}");
}

#[test]
fn listing_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, _) = run(caregiver(tmp.path()).args(["playbook", "list"]));
    assert_eq!(code, 0);
    let entries: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(entries.is_empty(), "playbook list wrote {entries:?}");
}

/// The CLI and the desktop app must agree on the data folder, so they share one store.
#[test]
fn the_app_identifier_matches_the_desktop_config() {
    let conf = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/tauri.conf.json"),
    )
    .unwrap();
    let conf: serde_json::Value = serde_json::from_str(&conf).unwrap();
    assert_eq!(conf["identifier"], caregiver::paths::APP_IDENTIFIER);
}

/// Secrets never come from argv: with no terminal and no file, the CLI says how to give one.
#[test]
fn a_passphrase_needs_a_terminal_or_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    std::io::Write::write_all(
        &mut std::fs::File::create(&pass).unwrap(),
        b"correct horse battery\n",
    )
    .unwrap();
    let store = tmp.path().join("s.db");
    let cli = |args: &[&str]| {
        let mut cmd = caregiver(tmp.path());
        cmd.arg("--store").arg(&store).args(args).stdin(std::process::Stdio::null());
        run(&mut cmd)
    };
    let (code, _, err) =
        cli(&["init", "--admin", "Ada", "--passphrase-file", pass.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) =
        cli(&["init", "--admin", "Ada", "--passphrase-file", pass.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("error[store_exists]"), "{err}");

    let (code, out, err) = cli(&["user", "list", "--user", "Ada"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("no terminal to ask on: use --passphrase-file FILE"), "{err}");

    let (code, _, err) = cli(&["user", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("--user NAME"), "{err}");

    let empty = tmp.path().join("empty");
    std::fs::File::create(&empty).unwrap();
    let (code, _, err) =
        cli(&["user", "list", "--user", "Ada", "--passphrase-file", empty.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("error[invalid_input]") && err.contains("is empty"), "{err}");

    let (code, _, err) = cli(&[
        "user",
        "add",
        "Bob",
        "--role",
        "surgeon",
        "--new-passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "a bad role is a usage error");
    assert!(err.contains("[possible values: clinician, staff, lead, admin]"), "{err}");

    let (code, _, err) =
        cli(&["user", "list", "--user", "Ada", "--passphrase-file", "/nonexistent/pass"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[io]: cannot read the file /nonexistent/pass"), "{err}");
}

#[test]
fn playbook_validate_reports_every_problem_with_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(caregiver(tmp.path())
        .args(["playbook", "validate"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "ok: no problems found\n");

    let good = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/lost-device.toml"),
    )
    .unwrap();
    let bad = good.replacen("role = \"it-lead\"", "role = \"wizard\"", 1).replacen(
        "band = \"immediate\"",
        "band = \"whenever\"",
        1,
    );
    let bad_path = tmp.path().join("bad.toml");
    std::io::Write::write_all(&mut std::fs::File::create(&bad_path).unwrap(), bad.as_bytes())
        .unwrap();
    let line_of = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (code, out, err) = run(caregiver(tmp.path()).args(["playbook", "validate"]).arg(&bad_path));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let file = bad_path.display().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with(&format!("{file}:{}:8: unknown band `whenever`", line_of("whenever"))),
        "{err}"
    );
    assert!(
        lines[1].starts_with(&format!("{file}:{}:8: unknown role `wizard`", line_of("wizard"))),
        "{err}"
    );
    assert!(lines[2].starts_with("caregiver: error[playbook_invalid]: 2 problems"), "{err}");
}

#[test]
fn playbook_show_prints_a_playbook_and_a_job_action_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(caregiver(tmp.path()).args(["playbook", "show", "ransomware"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Ransomware or suspected malware outbreak\n"));
    assert!(out.contains("== DETECTION AND ANALYSIS ==") || out.contains("== CONTAINMENT"));
    let (code, out, err) = run(caregiver(tmp.path()).args([
        "playbook",
        "show",
        "ransomware",
        "--role",
        "incident-commander",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("JOB ACTION SHEET: Incident Commander\n"), "{out}");
    let (code, _, err) = run(caregiver(tmp.path()).args(["playbook", "show", "no-such-playbook"]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "caregiver: error[playbook_not_found]: no playbook with id `no-such-playbook`\n"
    );
}

/// A store with an admin (`Ada`) and a clinician (`Cleo`) who has set her own passphrase,
/// and a `cli` that signs in as `user` with their passphrase file.
struct Ward {
    tmp: tempfile::TempDir,
    /// The recovery key `init` printed.
    recovery: String,
}

impl Ward {
    const ADMIN_PASS: &str = "correct horse battery";
    const CLINICIAN_PASS: &str = "cleo's own passphrase";

    fn new() -> Self {
        let mut ward = Ward { tmp: tempfile::tempdir().unwrap(), recovery: String::new() };
        for (file, text) in [
            ("Ada.pass", Self::ADMIN_PASS),
            ("Cleo.pass", Self::CLINICIAN_PASS),
            ("first.pass", "cleo's first passphrase"),
        ] {
            std::fs::write(ward.tmp.path().join(file), text).unwrap();
        }
        let ada = ward.path("Ada.pass");
        let (code, out, err) = ward.cli(&["init", "--admin", "Ada", "--passphrase-file", &ada]);
        assert_eq!(code, 0, "{err}");
        let mut lines = out.lines().skip_while(|l| !l.starts_with("RECOVERY KEY"));
        ward.recovery = lines.nth(1).unwrap().trim().to_owned();
        let first = ward.path("first.pass");
        let add = ["user", "add", "Cleo", "--role", "clinician", "--new-passphrase-file", &first];
        let (code, _, err) = ward.as_user("Ada", &add);
        assert_eq!(code, 0, "{err}");
        let own = ward.path("Cleo.pass");
        let (code, _, err) = ward.cli(&[
            "user",
            "passwd",
            "Cleo",
            "--new-passphrase-file",
            &own,
            "--user",
            "Cleo",
            "--passphrase-file",
            &first,
        ]);
        assert_eq!(code, 0, "{err}");
        ward
    }

    fn path(&self, name: &str) -> String {
        self.tmp.path().join(name).to_str().unwrap().to_owned()
    }

    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = caregiver(self.tmp.path());
        cmd.arg("--store").arg(self.tmp.path().join("s.db")).args(args);
        run(&mut cmd)
    }

    fn as_user(&self, user: &str, args: &[&str]) -> (i32, String, String) {
        let pass = self.path(&format!("{user}.pass"));
        let mut all = args.to_vec();
        all.extend(["--user", user, "--passphrase-file", &pass]);
        self.cli(&all)
    }
}

/// Exporting the whole contact tree is for admins, in the core: a clinician's CLI is
/// refused and writes nothing.
#[test]
fn a_clinician_cannot_export_the_contact_tree() {
    let ward = Ward::new();
    let out = ward.path("tree.csv");
    let export = ["contacts", "export", "--format", "csv", "--out", &out];
    let (code, _, err) = ward.as_user("Cleo", &export);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "caregiver: error[permission_denied]: only admins may export the contact tree\n"
    );
    assert!(!std::path::Path::new(&out).exists());
    let (code, _, err) = ward.as_user("Ada", &export);
    assert_eq!(code, 0, "{err}");
    assert!(std::path::Path::new(&out).exists());
}

/// Adding a user checks everything before it writes: a bad department adds nobody.
#[test]
fn a_bad_department_adds_no_user() {
    let ward = Ward::new();
    let first = ward.path("first.pass");
    let add = |department: &str| {
        ward.as_user(
            "Ada",
            &[
                "user",
                "add",
                "Dee",
                "--role",
                "staff",
                "--new-passphrase-file",
                &first,
                "--department",
                department,
            ],
        )
    };
    let (code, _, err) = add(&"W".repeat(65));
    assert_eq!(code, 1);
    assert!(err.contains("error[invalid_input]: department: write 1 to 64 characters"), "{err}");
    let (code, out, err) = ward.as_user("Ada", &["user", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let users: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> =
        users.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ada", "Cleo"]);
    // The same user with a good department: added once, with it.
    let (code, _, err) = add(&"W".repeat(64));
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = ward.as_user("Ada", &["user", "list", "--json"]);
    let users: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(users[2]["name"], "Dee");
    assert_eq!(users[2]["department"], "W".repeat(64));
}

/// The recovery key as `init` prints it resets a forgotten passphrase; a key file that is
/// not text is refused like any wrong key, and opens nothing.
#[test]
fn the_printed_recovery_key_resets_a_passphrase() {
    let ward = Ward::new();
    assert_eq!(ward.recovery.len(), 52 + 12, "{}", ward.recovery);
    let new = ward.path("Ada.pass");
    std::fs::write(&new, "ada's brand new passphrase").unwrap();
    let key = ward.path("key.txt");
    let passwd =
        ["user", "passwd", "Ada", "--new-passphrase-file", &new, "--recovery-key-file", &key];
    std::fs::write(&key, b"\xff\xfe not text").unwrap();
    let (code, _, err) = ward.cli(&passwd);
    assert_eq!(code, 1);
    assert!(err.contains("error[invalid_input]: recovery key: not a recovery key"), "{err}");
    std::fs::write(&key, ward.recovery.to_lowercase().replace('-', " ")).unwrap();
    let (code, _, err) = ward.cli(&passwd);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = ward.as_user("Ada", &["user", "list"]);
    assert_eq!(code, 0, "{err}");
}
