//! Shared fixtures: run the real `caregiver` binary with an isolated environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A `caregiver` command whose HOME and data folders point into `tmp`, so a test can
/// never touch the real user's data.
pub fn caregiver(tmp: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caregiver"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", tmp.join("home"))
        .env("XDG_DATA_HOME", tmp.join("xdg-data"))
        .env("CAREGIVER_DATA_DIR", tmp.join("data"))
        // Never the machine's own managed configuration: one a test puts here, or none.
        .env("CAREGIVER_MANAGED_DIR", tmp.join("managed"))
        .env("LANG", "C.UTF-8")
        // Times people read are in the system's zone: the tests read UTC unless they say.
        .env("TZ", "UTC");
    cmd
}

/// Runs `cmd` and returns (exit code, stdout, stderr) as text.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("spawn caregiver");
    (
        status.code().unwrap_or(-1),
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}

/// An import file just over the size limit: `header`, then filler.
pub fn over_the_size_limit(header: &str) -> String {
    format!("{header}\n{}", "a".repeat(caregiver::limits::MAX_FILE_BYTES))
}

/// The clock the core tests open stores with: the system's.
pub fn clock() -> caregiver::clock::SharedClock {
    caregiver::app::SystemClock::shared()
}

/// A contact with only an id and a name (and `role`), as a test builds one.
pub fn contact(id: &str, name: &str, role: Option<&str>) -> caregiver::contacts::Contact {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "kind": "internal", "role": role, "position": null,
        "department": null, "organisation": null, "work_phone": "555-0100", "mobile_phone": null,
        "pager": null, "radio_channel": null, "secure_messaging": null, "email": null,
        "support_line": null, "contract_ref": null, "policy_number": null, "claim_line": null,
        "channels": ["phone"], "notes": null, "called_by": null, "alternate": null,
        "escalate_after_minutes": 10, "incident_types": [],
    }))
    .unwrap()
}

/// Writes one record of every kind a caller can write, each carrying `marker` in a field
/// a person would type (the settings and the keys hold no such field), through the typed
/// API: (kind, record id) of each.
pub fn write_every_kind(session: &caregiver::store::Session, marker: &str) {
    use caregiver::contacts::calltree::{ContactTree, WardCallList, WardContact};
    use caregiver::incident::{Incident, WardIncident};
    use caregiver::playbook::pack::{PackInfo, PackedPlaybook, SignedPack, WardPack};
    use caregiver::training::records::{Assignment, Assignments, Campaign, Target};
    let now = chrono::Utc::now();
    let text = |what: &str| format!("{marker} in a {what} record");
    let p = PackedPlaybook { file: "x.toml".into(), text: text("playbook") };
    session.put("playbook-1", &p).unwrap();
    let signed = SignedPack { text: text("signed pack"), version: 1, imported: now };
    session.put("signed_pack-1", &signed).unwrap();
    let ward_pack = WardPack(SignedPack { text: text("ward pack"), ..signed });
    session.put("ward_pack-1", &ward_pack).unwrap();
    let ward = WardContact { name: text("ward call list"), role: None, phone: None };
    session.put("ward_call_list-1", &WardCallList(vec![ward])).unwrap();
    let tree = ContactTree(vec![contact("c1", &text("contact"), None)]);
    session.put("contact-1", &tree).unwrap();
    let info = PackInfo {
        version: 1,
        created: now,
        expires: now,
        imported: None,
        playbooks: vec![text("pack info")],
    };
    session.put("pack_info-1", &info).unwrap();
    let incident = Incident {
        id: "inc-1".into(),
        playbook: "ransomware".into(),
        playbook_version: 1,
        title: text("incident"),
        lead: ADMIN_NAME.into(),
        started: now,
        discovered: now,
        drill: false,
    };
    session.put("incident-1", &incident).unwrap();
    let ward = WardIncident {
        id: "inc-1".into(),
        playbook: "ransomware".into(),
        title: text("ward incident"),
        started: now,
        drill: false,
        closed: false,
    };
    session.put("ward_incident-1", &ward).unwrap();
    let a = Assignment {
        module: "phishing-awareness".into(),
        target: Target::Department(text("training")),
        due: now.date_naive(),
        assigned_by: ADMIN_NAME.into(),
        assigned_at: now,
        reason: None,
    };
    session.put("training-1", &Assignments(vec![a])).unwrap();
    let c = Campaign {
        id: "phishing_campaign-1".into(),
        name: text("phishing campaign"),
        imported_at: now,
        sent: 1,
        clicked: 0,
        reported: 0,
        clickers: vec![],
        reporters: vec![],
        unmatched: 1,
    };
    session.put("phishing_campaign-1", &c).unwrap();
    let report = caregiver::breach::BreachReport {
        incident: "inc-1".into(),
        description: Some(text("breach report")),
        ..Default::default()
    };
    session.put("breach_report-1", &report).unwrap();
    let assets = caregiver::assets::csv::parse(
        format!("id,name,kind,tier\nehr-db,{},system,1\n", text("asset")).as_bytes(),
        &[],
    )
    .unwrap();
    let register =
        caregiver::assets::AssetRegister(assets.assets.into_iter().map(|(_, a)| a).collect());
    session.put("asset-1", &register).unwrap();
    let risks = caregiver::risk::csv::parse(
        format!(
            "id,threat,vulnerability,likelihood,impact,treatment\nr1,{},Unpatched,3,4,mitigate\n",
            text("risk")
        )
        .as_bytes(),
        &std::collections::HashSet::new(),
    )
    .unwrap();
    let risks = caregiver::risk::RiskRegister(risks.risks.into_iter().map(|(_, r)| r).collect());
    session.put("risk-1", &risks).unwrap();
    // A self-assessment's answers as an admin's filled-in CSV gives them.
    let hicp = caregiver::hicp::hicp().unwrap();
    let answers = format!("question,answer,note\nemail-mfa,no,{}\n", text("hicp note"));
    let answers = caregiver::hicp::csv::read(answers.as_bytes(), &hicp).unwrap();
    let assessment = caregiver::hicp::Assessment {
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        size: caregiver::hicp::Size::Small,
        questionnaire: hicp.id,
        version: hicp.version,
        by: text("assessor"),
        answers,
    };
    session.put("hicp-1", &assessment).unwrap();
    let kev = format!(
        "cveID,vendorProject,product,dateAdded,notes\nCVE-2024-21887,Ivanti,Connect Secure,2024-01-10,{}\n",
        text("kev note")
    );
    let kev = caregiver::kev::KevCatalogue {
        imported: None,
        entries: caregiver::kev::parse(kev.as_bytes()).unwrap(),
    };
    session.put("kev-1", &kev).unwrap();
    let policy = caregiver::policy::embedded().unwrap().remove(0);
    let policy = caregiver::policy::KeptVersion {
        policy: caregiver::policy::Policy { body: text("policy text"), ..policy },
        superseded: None,
    };
    session.put("policy-1", &policy).unwrap();
    let bulletin = caregiver::bulletin::format::parse(
        "b.toml",
        &include_str!("../fixtures/bulletins/infusion-pump.toml")
            .replace("Do not connect", &text("bulletin")),
    )
    .unwrap();
    let kept =
        caregiver::bulletin::Kept { bulletin, imported_by: ADMIN_NAME.into(), imported: now };
    session.put("bulletin-1", &kept).unwrap();
    let item = caregiver::forensics::evidence::EvidenceItem {
        id: "inc-1-E1".into(),
        incident: "inc-1".into(),
        kind: caregiver::forensics::evidence::EvidenceKind::Paper,
        description: text("evidence"),
        kept_at: None,
        collected_by: ADMIN_NAME.into(),
        collected: now,
        asset: None,
        hash: None,
        added_by: ADMIN_NAME.into(),
        added: now,
    };
    session.put("evidence-1", &item).unwrap();
    let indicator = caregiver::forensics::indicators::Indicator {
        id: "inc-1-I1".into(),
        incident: "inc-1".into(),
        kind: caregiver::forensics::ioc::IocType::FileName,
        value: text("indicator"),
        tlp: caregiver::forensics::ioc::Tlp::Red,
        source: None,
        first_seen: None,
        confidence: None,
        asset: None,
        added_by: ADMIN_NAME.into(),
        added: now,
    };
    session.put("indicator-1", &indicator).unwrap();
    let findings = caregiver::forensics::summary::Findings {
        incident: "inc-1".into(),
        entry_vector: Some(text("findings")),
        data_affected: None,
    };
    session.put("forensic_findings-1", &findings).unwrap();
    let cursor =
        caregiver::fleet::Cursor { dir: text("fleet cursor"), entries: 3, published: Some(now) };
    session.put("fleet_cursor-1", &cursor).unwrap();
    let pinned = caregiver::fleet::Pinned {
        key: text("fleet key"),
        trust: caregiver::fleet::Trust::FirstCollected,
        at: now,
        offered: None,
        earlier: vec![text("fleet earlier key")],
    };
    let keys = caregiver::fleet::FleetKeys {
        workstations: [(text("fleet workstation"), pinned)].into_iter().collect(),
    };
    session.put("fleet_keys-1", &keys).unwrap();
    let target = caregiver::siem::Target {
        host: text("siem host"),
        port: 6514,
        ca_pem: text("siem CA"),
        client_cert_pem: Some(text("siem client certificate")),
        client_key_pem: Some(zeroize::Zeroizing::new(text("siem client key"))),
        send_text: false,
        plain_tcp: false,
    };
    session.put("siem_target-1", &target).unwrap();
    let cursor =
        caregiver::siem::Cursor { target: text("siem cursor"), entries: 3, forwarded: Some(now) };
    session.put("siem_cursor-1", &cursor).unwrap();
}

/// The admin of the stores these tests make.
pub const ADMIN_NAME: &str = "Ada Admin";

/// Every record of every kind a caller can read, as JSON, in a fixed order of kinds.
pub fn read_every_kind(session: &caregiver::store::Session) -> caregiver::Result<Vec<Vec<Value>>> {
    read_each_kind(session).into_iter().collect()
}

/// [`read_every_kind`], kind by kind: each kind read, or its error.
pub fn read_each_kind(session: &caregiver::store::Session) -> Vec<caregiver::Result<Vec<Value>>> {
    use caregiver::contacts::calltree::{ContactTree, WardCallList};
    use caregiver::incident::{Incident, WardIncident};
    use caregiver::playbook::pack::{PackInfo, PackedPlaybook, SignedPack, WardPack};
    use caregiver::store::{Record, Session};
    use caregiver::training::records::{Assignments, Campaign};
    fn all<R: Record>(s: &Session) -> caregiver::Result<Vec<Value>> {
        Ok(s.list::<R>()?
            .into_iter()
            .map(|r| serde_json::json!({ "id": r.id, "version": r.version, "value": serde_json::to_value(r.value).unwrap() }))
            .collect())
    }
    vec![
        all::<PackedPlaybook>(session),
        all::<SignedPack>(session),
        all::<WardPack>(session),
        all::<WardCallList>(session),
        all::<ContactTree>(session),
        all::<PackInfo>(session),
        all::<Incident>(session),
        all::<WardIncident>(session),
        all::<Assignments>(session),
        all::<Campaign>(session),
        all::<caregiver::breach::BreachReport>(session),
        all::<caregiver::assets::AssetRegister>(session),
        all::<caregiver::risk::RiskRegister>(session),
        all::<caregiver::hicp::Assessment>(session),
        all::<caregiver::kev::KevCatalogue>(session),
        all::<caregiver::policy::KeptVersion>(session),
        all::<caregiver::bulletin::Kept>(session),
        all::<caregiver::forensics::evidence::EvidenceItem>(session),
        all::<caregiver::forensics::indicators::Indicator>(session),
        all::<caregiver::forensics::summary::Findings>(session),
        all::<caregiver::fleet::Cursor>(session),
        all::<caregiver::fleet::FleetKeys>(session),
        all::<caregiver::siem::Target>(session),
        all::<caregiver::siem::Cursor>(session),
    ]
}

use serde_json::Value;

/// A folder `dir` holding the default pack as an organisation would edit it before
/// signing: every playbook, the one titled `title` retitled `new_title`, and one new
/// playbook (a copy of network-outage as `pager-outage`, "Pager system outage").
pub fn edited_pack_folder(dir: &Path, title: &str, new_title: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    for entry in std::fs::read_dir(&defaults).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".toml") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let text =
                text.replace(&format!("title = \"{title}\""), &format!("title = \"{new_title}\""));
            std::fs::write(dir.join(&name), text).unwrap();
        }
    }
    let extra = std::fs::read_to_string(defaults.join("network-outage.toml"))
        .unwrap()
        .replacen("id = \"network-outage\"", "id = \"pager-outage\"", 1)
        .replacen("title = \"Network or internet outage\"", "title = \"Pager system outage\"", 1);
    std::fs::write(dir.join("pager-outage.toml"), extra).unwrap();
}

/// The first admin's name in a [`Workstation`].
pub const ADMIN: &str = "Ada Admin";

/// A store with its first admin in a temp folder, driven through the real CLI as that admin
/// (the passphrase from a file).
pub struct Workstation {
    pub tmp: tempfile::TempDir,
}

impl Workstation {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("pass"), "correct horse battery staple").unwrap();
        let ws = Self { tmp };
        let (code, _, err) = ws.run(&["init", "--admin", ADMIN]);
        assert_eq!(code, 0, "{err}");
        ws
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_in(None, args)
    }

    /// As [`Workstation::run`], on a machine whose system zone is `tz` (`TZ`) when given.
    pub fn run_in(&self, tz: Option<&str>, args: &[&str]) -> (i32, String, String) {
        let p: &Path = self.tmp.path();
        let mut cmd = caregiver(p);
        if let Some(tz) = tz {
            cmd.env("TZ", tz);
        }
        cmd.arg("--store").arg(p.join("store.db")).args(args);
        cmd.arg("--passphrase-file").arg(p.join("pass"));
        if args.first() != Some(&"init") {
            cmd.args(["--user", ADMIN]);
        }
        run(&mut cmd)
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

/// A file of `tests/fixtures/` (`assets/sample.csv`), as a command takes it.
pub fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
        .to_string_lossy()
        .into_owned()
}
