//! Training from the CLI: assignment, acknowledgment under the learner's own unlock (never
//! anyone else's), the quiz, a GoPhish campaign's clickers getting the refresher, and the
//! compliance report.

use std::path::Path;

use crate::support::{caregiver, over_the_size_limit, run};

const ADMIN: &str = "Ada Admin";
const FIRST: &str = "first passphrase 12";
const NINA_OWN: &str = "nina's own passphrase";

struct Ws {
    tmp: tempfile::TempDir,
}

impl Ws {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("admin"), "correct horse battery staple").unwrap();
        std::fs::write(tmp.path().join("first"), FIRST).unwrap();
        std::fs::write(tmp.path().join("nina"), NINA_OWN).unwrap();
        let ws = Self { tmp };
        ws.ok(None, &["init", "--admin", ADMIN]);
        ws
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.tmp.path().join(name)
    }

    /// Runs as `user` (None: the admin) with that user's passphrase file.
    fn run_as(&self, user: Option<(&str, &str)>, args: &[&str]) -> (i32, String, String) {
        let p: &Path = self.tmp.path();
        let (name, pass) = user.unwrap_or((ADMIN, "admin"));
        let mut cmd = caregiver(p);
        cmd.arg("--store").arg(p.join("store.db")).args(args);
        cmd.arg("--passphrase-file").arg(p.join(pass));
        if args[0] != "init" {
            cmd.args(["--user", name]);
        }
        run(&mut cmd)
    }

    fn ok(&self, user: Option<(&str, &str)>, args: &[&str]) -> String {
        let (code, out, err) = self.run_as(user, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    fn add_user(&self, name: &str, role: &str, department: &str) {
        let first = self.path("first");
        self.ok(
            None,
            &[
                "user",
                "add",
                name,
                "--role",
                role,
                "--department",
                department,
                "--new-passphrase-file",
                first.to_str().unwrap(),
            ],
        );
    }
}

/// The right answers to a module's quiz, as the CLI takes them (numbers from 1).
fn answers(module: &str) -> String {
    let m = caregiver::training::find(module).unwrap();
    m.quiz
        .unwrap()
        .questions
        .iter()
        .map(|q| (q.answer + 1).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn wrong_answers(module: &str) -> String {
    let m = caregiver::training::find(module).unwrap();
    let q = m.quiz.unwrap();
    q.questions
        .iter()
        .map(|q| ((q.answer + 1) % q.choices.len() + 1).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn items(ws: &Ws) -> Vec<serde_json::Value> {
    serde_json::from_str(&ws.ok(None, &["training", "list", "--json"])).unwrap()
}

fn state(ws: &Ws, user: &str, module: &str) -> String {
    items(ws)
        .into_iter()
        .find(|i| i["user"] == user && i["module"] == module)
        .map(|i| i["state"]["state"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| "not assigned".to_owned())
}

#[test]
fn an_acknowledgment_is_the_learners_own_and_passes_the_quiz() {
    let ws = Ws::new();
    ws.add_user("Nina Nurse", "clinician", "Ward 4");
    let nina = Some(("Nina Nurse", "first"));
    let nina_pass = ws.path("nina");
    ws.ok(
        nina,
        &["user", "passwd", "Nina Nurse", "--new-passphrase-file", nina_pass.to_str().unwrap()],
    );
    let nina = Some(("Nina Nurse", "nina"));

    // Downtime procedures are for clinicians, staff and leads: the admin has none to do.
    assert_eq!(state(&ws, "Nina Nurse", "downtime-procedures"), "not_due");
    assert_eq!(state(&ws, ADMIN, "downtime-procedures"), "not assigned");
    // The admin cannot acknowledge it, for Nina or for anyone: an acknowledgment is always
    // the signed-in person's own, and this one is not assigned to the admin.
    let (code, _, err) = ws.run_as(
        None,
        &["training", "ack", "downtime-procedures", "--answers", &answers("downtime-procedures")],
    );
    assert_eq!(code, 1);
    assert!(err.contains("not assigned to you"), "{err}");
    assert_eq!(state(&ws, "Nina Nurse", "downtime-procedures"), "not_due");
    // Nobody acknowledges under someone else's unlock: the wrong passphrase opens nothing.
    let (code, _, err) = ws.run_as(
        Some(("Nina Nurse", "admin")),
        &["training", "ack", "downtime-procedures", "--answers", &answers("downtime-procedures")],
    );
    assert_eq!(code, 1);
    assert!(err.contains("wrong_passphrase"), "{err}");

    // The quiz first: none, or wrong, is refused with the score.
    let (code, _, err) = ws.run_as(nina, &["training", "ack", "downtime-procedures"]);
    assert_eq!(code, 1);
    assert!(err.contains("answer it first"), "{err}");
    let (code, _, err) = ws.run_as(
        nina,
        &[
            "training",
            "ack",
            "downtime-procedures",
            "--answers",
            &wrong_answers("downtime-procedures"),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("0 of 5 right"), "{err}");
    let out = ws.ok(
        nina,
        &["training", "ack", "downtime-procedures", "--answers", &answers("downtime-procedures")],
    );
    assert!(out.contains("Acknowledged downtime-procedures as Nina Nurse (quiz: 5 of 5)"), "{out}");
    assert_eq!(state(&ws, "Nina Nurse", "downtime-procedures"), "done");

    // The acknowledgment is an entry of the signed log, by Nina.
    let bundle = ws.path("log.jsonl");
    ws.ok(None, &["log", "export", "--out", bundle.to_str().unwrap()]);
    let text = std::fs::read_to_string(&bundle).unwrap();
    let line = text.lines().find(|l| l.contains("\"training_acknowledged\"")).unwrap();
    assert!(line.contains("\"actor\":\"Nina Nurse\""), "{line}");
    let (code, out, err) = run(caregiver(ws.tmp.path()).args(["log", "verify"]).arg(&bundle));
    assert_eq!(code, 0, "{out}{err}");

    // An assignment after the acknowledgment asks for a new one, by its date.
    // --person names who is assigned; --user (here CAREGIVER_USER) says who signs in.
    let (code, _, err) = run(caregiver(ws.tmp.path())
        .env("CAREGIVER_USER", ADMIN)
        .arg("--store")
        .arg(ws.path("store.db"))
        .arg("--passphrase-file")
        .arg(ws.path("admin"))
        .args([
            "training",
            "assign",
            "downtime-procedures",
            "--person",
            "Nina Nurse",
            "--due",
            "2020-01-31",
        ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(state(&ws, "Nina Nurse", "downtime-procedures"), "overdue");
    // By department, and the report lists it.
    ws.ok(
        None,
        &[
            "training",
            "assign",
            "secure-messaging",
            "--department",
            "ward 4",
            "--due",
            "2099-01-01",
        ],
    );
    let csv_path = ws.path("report.csv");
    ws.ok(None, &["training", "report", "--format", "csv", "--out", csv_path.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(
        csv.starts_with("user,department,module,title,status,due,last_acknowledged_utc,reason\n")
    );
    assert!(csv.contains("Nina Nurse,Ward 4,downtime-procedures,"), "{csv}");
    assert!(csv.contains(",overdue,2020-01-31,"), "{csv}");
    let html_path = ws.path("report.html");
    ws.ok(None, &["training", "report", "--format", "html", "--out", html_path.to_str().unwrap()]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains("<svg")
            && html.contains("Completion by department")
            && html.contains("Ward 4")
    );
    // Nina may not make the report.
    let (code, _, err) =
        ws.run_as(nina, &["training", "report", "--format", "csv", "--out", "x.csv"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn a_gophish_campaign_assigns_the_refresher_to_exactly_the_clickers() {
    let ws = Ws::new();
    for (name, dept) in [
        ("Nina Nurse", "Ward 4"),
        ("Omar Orderly", "Transport"),
        ("Paula Pharmacist", "Pharmacy"),
        ("Sam Surgeon", "Theatres"),
        ("Tara Triage", "Emergency"),
        ("Wendy W. Manager", "Ward 4"),
    ] {
        ws.add_user(name, "staff", dept);
    }
    // Wendy's name in the campaign differs; her contact's email matches.
    {
        use caregiver::store::Store;
        let session = Store::open(&ws.path("store.db"), crate::support::clock())
            .unwrap()
            .unlock(ADMIN, b"correct horse battery staple")
            .unwrap();
        let wendy: caregiver::contacts::Contact = serde_json::from_value(serde_json::json!({
            "id": "wendy", "name": "Wendy W. Manager", "kind": "internal", "role": null,
            "position": null, "department": "Ward 4", "organisation": null, "work_phone": null,
            "mobile_phone": null, "pager": null, "radio_channel": null, "secure_messaging": null,
            "email": "Wendy.Wardmanager@example.org", "support_line": null, "contract_ref": null,
            "policy_number": null, "claim_line": null, "channels": [], "notes": null,
            "called_by": null, "alternate": null, "escalate_after_minutes": 10, "incident_types": []
        }))
        .unwrap();
        session.replace_contacts(&[wendy]).unwrap();
    }
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/phishing/gophish-results.csv");
    let out = ws.ok(
        None,
        &[
            "training",
            "import-phishing",
            fixture.to_str().unwrap(),
            "--campaign",
            "January invoice",
        ],
    );
    assert!(
        out.contains("14 sent, 5 clicked, 5 reported; refresher assigned to 4 people"),
        "{out}"
    );
    let mut refreshed: Vec<String> = items(&ws)
        .into_iter()
        .filter(|i| i["module"] == "phishing-awareness")
        .filter(|i| i["reason"].as_str().is_some_and(|r| r.contains("January invoice")))
        .map(|i| i["user"].as_str().unwrap().to_owned())
        .collect();
    refreshed.sort();
    assert_eq!(refreshed, ["Omar Orderly", "Paula Pharmacist", "Sam Surgeon", "Wendy W. Manager"]);
    // The same campaign twice would assign twice: refused, nothing changes.
    let (code, _, err) = ws.run_as(
        None,
        &[
            "training",
            "import-phishing",
            fixture.to_str().unwrap(),
            "--campaign",
            "January invoice",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("imported already"), "{err}");
    // A bad file: every bad line named, nothing imported.
    let bad = ws.path("bad.csv");
    std::fs::write(&bad, "email,name,clicked,reported,time\na@example.org,,maybe,no,\n,,yes,no,\n")
        .unwrap();
    let (code, _, err) = ws.run_as(None, &["training", "import-phishing", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    // The same code the window gets for the same file.
    assert!(err.contains("error[import_rejected]"), "{err}");
    assert!(err.contains("line 2") && err.contains("line 3"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    let html = ws.path("report.html");
    ws.ok(None, &["training", "report", "--format", "html", "--out", html.to_str().unwrap()]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("January invoice") && html.contains("36% clicked"), "{html}");
}

/// A results file over a limit imports nothing: over 20 MB or 200,000 rows it is refused
/// whole (`invalid_input`), a name or an address too long is a problem of its line, and
/// past the first 100 problems the rest are counted. The same campaign name then imports,
/// so nothing was kept of it.
#[test]
fn a_results_file_over_a_limit_imports_nothing() {
    let ws = Ws::new();
    let simple = |n: usize, row: &dyn Fn(usize) -> String| {
        let mut text = String::from("email,name,clicked,reported\n");
        (0..n).for_each(|i| text.push_str(&(row(i) + "\n")));
        text
    };
    let gophish = format!(
        "{}\n1,Clicked Link,,,,,false,,nina@hospital.example,{},Nurse,\n",
        caregiver::training::phishing::GOPHISH_COLUMNS.join(","),
        "Nina".repeat(60)
    );
    // (file, its text, the code, what the error says)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "big.csv",
            over_the_size_limit("email,clicked,reported"),
            "invalid_input",
            "phishing results file: the file is larger than 20 MB (20,971,520 bytes)",
        ),
        (
            "rows.csv",
            simple(200_001, &|i| format!("p{i}@hospital.example,,no,no")),
            "invalid_input",
            "phishing results file: line 200,002: the file has more than 200,000 rows",
        ),
        (
            "email.csv",
            simple(1, &|_| format!("{}@hospital.example,,no,no", "n".repeat(240))),
            "import_rejected",
            "email.csv: line 2: `email` is longer than 254 characters",
        ),
        (
            "name.csv",
            simple(1, &|_| format!(",{},yes,no", "Nina".repeat(51))),
            "import_rejected",
            "name.csv: line 2: `name` is longer than 200 characters",
        ),
        (
            "gophish.csv",
            gophish,
            "import_rejected",
            "gophish.csv: line 2: `first_name` and `last_name` together are longer than 200",
        ),
        (
            "many.csv",
            simple(5_000, &|i| format!("p{i}@hospital.example,,maybe,no")),
            "import_rejected",
            "5,000 rows have problems, so nothing was imported",
        ),
    ];
    for (file, text, code, says) in cases {
        let path = ws.path(file);
        std::fs::write(&path, text).unwrap();
        let args = ["training", "import-phishing", path.to_str().unwrap(), "--campaign", "Dec"];
        let (exit, _, err) = ws.run_as(None, &args);
        assert_eq!(exit, 1, "{file}: {err}");
        assert!(err.contains(&format!("error[{code}]")) && err.contains(says), "{file}:\n{err}");
        assert!(err.len() < 40_000 && !err.contains("NinaNina"), "{file}: {} bytes", err.len());
    }
    let (_, _, err) = ws.run_as(
        None,
        &[
            "training",
            "import-phishing",
            ws.path("many.csv").to_str().unwrap(),
            "--campaign",
            "Dec",
        ],
    );
    assert_eq!(err.lines().filter(|l| l.contains("many.csv: line ")).count(), 100, "{err}");
    assert!(err.contains("\n… and 4,900 more problems\n"), "{err}");
    let good = ws.path("good.csv");
    std::fs::write(&good, "email,name,clicked,reported\nnina@hospital.example,,yes,no\n").unwrap();
    let out =
        ws.ok(None, &["training", "import-phishing", good.to_str().unwrap(), "--campaign", "Dec"]);
    assert!(out.contains("1 sent, 1 clicked"), "{out}");
}
