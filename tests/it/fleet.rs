//! The fleet folder from the CLI (issue 22): two real stores, a real shared folder. A
//! nurse's training acknowledgment on one workstation reaches the admin's dashboard on
//! another through `fleet publish` and `fleet collect`; every bad segment is refused with
//! its reason and nothing collected before is lost; collecting twice changes nothing.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{caregiver, run};

const ADMIN: &str = "Ada Admin";
const NINA: &str = "Nina Nurse";

/// A workstation: its own store in the shared temp folder.
struct Ws<'a> {
    tmp: &'a Path,
    store: PathBuf,
}

impl<'a> Ws<'a> {
    fn new(tmp: &'a Path, name: &str) -> Self {
        let ws = Self { tmp, store: tmp.join(format!("{name}.db")) };
        ws.ok(&["init", "--admin", ADMIN]);
        ws
    }

    fn run_as(&self, nina: bool, args: &[&str]) -> (i32, String, String) {
        let mut cmd = caregiver(self.tmp);
        cmd.arg("--store").arg(&self.store).args(args);
        let (name, pass) = if nina { (NINA, "nina") } else { (ADMIN, "admin") };
        cmd.arg("--passphrase-file").arg(self.tmp.join(pass));
        if args[0] != "init" {
            cmd.args(["--user", name]);
        }
        run(&mut cmd)
    }

    fn ok_as(&self, nina: bool, args: &[&str]) -> String {
        let (code, out, err) = self.run_as(nina, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_as(false, args)
    }

    /// Adds a user.
    fn add_user(&self, name: &str) {
        let first = self.tmp.join("first");
        let args = ["user", "add", name, "--role", "clinician", "--department", "Ward 4"];
        let mut args = args.to_vec();
        args.extend(["--new-passphrase-file", first.to_str().unwrap()]);
        self.ok(&args);
    }

    /// Starts a drill: entries of the log.
    fn drill(&self) {
        self.ok(&["incident", "start", "network-outage", "--drill"]);
    }

    /// Adds Nina, who sets her own passphrase.
    fn add_nina(&self) {
        self.add_user(NINA);
        let mut cmd = caregiver(self.tmp);
        cmd.arg("--store").arg(&self.store);
        cmd.args(["user", "passwd", NINA, "--new-passphrase-file"]).arg(self.tmp.join("nina"));
        cmd.args(["--user", NINA, "--passphrase-file"]).arg(self.tmp.join("first"));
        let (code, _, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
    }

    fn log_id(&self) -> String {
        let out = self.ok(&["log", "key"]);
        let key = self.tmp.join("k.pem");
        let _ = std::fs::remove_file(&key);
        self.ok(&["log", "key", "--out", key.to_str().unwrap()]);
        let pem = std::fs::read_to_string(&key).unwrap();
        let key = caregiver::log::PublicKey::parse(&pem).unwrap();
        assert!(out.contains(&key.fingerprint()), "{out}");
        caregiver::log::log_id(key.as_bytes())
    }

    fn training_state(&self, user: &str, module: &str) -> String {
        let items: Vec<Value> =
            serde_json::from_str(&self.ok(&["training", "list", "--json"])).unwrap();
        items
            .into_iter()
            .find(|i| i["user"] == user && i["module"] == module)
            .map(|i| i["state"]["state"].as_str().unwrap().to_owned())
            .unwrap()
    }

    fn collect(&self, dir: &Path, extra: &[&str]) -> Value {
        let mut args = vec!["fleet", "collect", dir.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    /// The entries of workstation `id`'s log this store holds.
    fn collected(&self, dir: &Path, id: &str) -> u64 {
        let status: Value = serde_json::from_str(&self.ok(&[
            "fleet",
            "status",
            "--dir",
            dir.to_str().unwrap(),
            "--json",
        ]))
        .unwrap();
        workstation(&status, id)["entries"].as_u64().unwrap()
    }
}

fn workstation<'v>(report: &'v Value, id: &str) -> &'v Value {
    report["workstations"].as_array().unwrap().iter().find(|w| w["workstation"] == id).unwrap()
}

fn answers(module: &str) -> String {
    let m = caregiver::training::find(module).unwrap();
    let q = m.quiz.unwrap();
    q.questions.iter().map(|q| (q.answer + 1).to_string()).collect::<Vec<_>>().join(",")
}

fn segments(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    names.sort();
    names
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// The passphrase files, and an empty shared folder: the fleet folder.
fn shared_folder(tmp: &Path) -> PathBuf {
    setup(tmp);
    let fleet = tmp.join("fleet");
    std::fs::create_dir(&fleet).unwrap();
    fleet
}

fn setup(tmp: &Path) {
    std::fs::write(tmp.join("admin"), "correct horse battery staple").unwrap();
    std::fs::write(tmp.join("first"), "first passphrase 12").unwrap();
    std::fs::write(tmp.join("nina"), "nina's own passphrase").unwrap();
}

#[test]
fn a_training_ack_on_one_workstation_reaches_the_admins_dashboard_on_another() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let fleet = shared_folder(tmp);
    let ward = Ws::new(tmp, "ward4");
    let admin = Ws::new(tmp, "admin");
    ward.add_nina();
    admin.add_nina();
    let id = ward.log_id();

    // Publishing needs a folder: none set is a clear error, nothing written.
    let (code, _, err) = ward.run_as(false, &["fleet", "publish"]);
    assert_eq!(code, 1);
    assert!(err.contains("error[invalid_input]") && err.contains("none is set"), "{err}");
    let (code, _, err) = ward.run_as(false, &["settings", "fleet-dir", "fleet"]);
    assert_eq!(code, 1);
    assert!(err.contains("full path"), "{err}");
    ward.ok(&["settings", "fleet-dir", fleet.to_str().unwrap()]);

    // Nina acknowledges on the ward's workstation; the workstation publishes under her
    // session, as the window does at her lock.
    let module = "downtime-procedures";
    ward.ok_as(true, &["training", "ack", module, "--answers", &answers(module)]);
    let out = ward.ok_as(true, &["fleet", "publish"]);
    assert!(out.contains("Published entries 1 to "), "{out}");
    let folder = fleet.join(&id);
    let status: Value =
        serde_json::from_slice(&std::fs::read(folder.join("status.json")).unwrap()).unwrap();
    assert_eq!(status["log"], id.as_str());
    let published = status["entries"].as_u64().unwrap();
    assert_eq!(segments(&folder), [format!("{:012}-{published:012}.jsonl", 1)]);
    assert!(std::fs::read_to_string(folder.join("key.pem")).unwrap().contains("PUBLIC KEY"));
    // Each segment verifies on its own with the existing checker, against the key.
    let seg = folder.join(&segments(&folder)[0]);
    let key = folder.join("key.pem");
    let out = ward.ok(&["log", "verify", seg.to_str().unwrap(), "--pubkey", key.to_str().unwrap()]);
    assert!(out.contains("verifies"), "{out}");
    let show = ward.ok(&["settings", "show"]);
    assert!(show.contains("fleet-dir") && show.contains("last published"), "{show}");
    // Publishing with nothing new writes no segment.
    let out = ward.ok(&["fleet", "publish"]);
    assert!(out.contains("Nothing new") || out.contains("Published entries"), "{out}");

    // The admin's dashboard does not know of it yet.
    assert_eq!(admin.training_state(NINA, module), "not_due");
    let report = admin.collect(&fleet, &[]);
    let w = workstation(&report, &id);
    assert!(w["refused"].as_array().unwrap().is_empty(), "{w}");
    assert!(w["imported"].as_u64().unwrap() >= published, "{w}");
    assert!(w["warnings"][0].as_str().unwrap().contains("pinned now"), "{w}");
    assert_eq!(w["stale"], false);
    assert_eq!(admin.training_state(NINA, module), "done");
    let timeline = admin.ok(&["log", "timeline"]);
    assert!(timeline.contains(&id) && timeline.contains("training_acknowledged"), "{timeline}");
    // An incident the ward logged reads in the admin's merged timeline of that incident.
    let incident = ward.ok(&["incident", "start", "network-outage", "--drill"]);
    let incident = incident.lines().next().unwrap().trim().to_owned();
    ward.ok(&["fleet", "publish"]);
    let latest = admin.collect(&fleet, &[]);
    assert_eq!(workstation(&latest, &id)["segments"], 1);
    let of_incident = admin.ok(&["log", "timeline", "--incident", &incident]);
    assert!(of_incident.contains(&id) && of_incident.contains("incident_started"), "{of_incident}");
    let timeline = admin.ok(&["log", "timeline"]);

    // Collecting twice changes nothing.
    let again = admin.collect(&fleet, &[]);
    let w2 = workstation(&again, &id);
    assert_eq!(w2["imported"], 0);
    assert_eq!(w2["segments"], 0);
    assert!(w2["warnings"].as_array().unwrap().is_empty(), "{w2}");
    assert_eq!(w2["entries"], workstation(&latest, &id)["entries"]);
    assert_eq!(admin.ok(&["log", "timeline"]), timeline);

    // The status lists it: when it published, the pack in force, the entries collected.
    let out = admin.ok(&["fleet", "status", "--dir", fleet.to_str().unwrap()]);
    assert!(
        out.contains(&id) && out.contains("built-in pack") && out.contains("published"),
        "{out}"
    );
    // Only admins collect.
    let (code, _, err) = admin.run_as(true, &["fleet", "collect", fleet.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("permission_denied"), "{err}");
}

/// What a case does to a copy of the ward's folder.
type Spoil<'a> = Box<dyn Fn(&Path) + 'a>;

/// The ward's, the admin's and another workstation, the ward's log published once into
/// the fleet folder: (the folder, the three, the ward's log id).
fn three_workstations(tmp: &Path) -> (PathBuf, [Ws<'_>; 3], String) {
    let (fleet, ward, id) = ward_published(tmp);
    (fleet, [ward, Ws::new(tmp, "admin"), Ws::new(tmp, "other")], id)
}

/// The ward's workstation, its log published once into the fleet folder: (the folder,
/// the workstation, its log id).
fn ward_published(tmp: &Path) -> (PathBuf, Ws<'_>, String) {
    let fleet = shared_folder(tmp);
    let ward = Ws::new(tmp, "ward4");
    let id = ward.log_id();
    ward.ok(&["settings", "fleet-dir", fleet.to_str().unwrap()]);
    ward.drill();
    ward.ok(&["fleet", "publish"]);
    (fleet, ward, id)
}

#[test]
fn every_bad_segment_is_refused_with_its_reason_and_nothing_collected_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let (fleet, [ward, admin, other], id) = three_workstations(tmp);
    let first = admin.collect(&fleet, &[]);
    let collected = workstation(&first, &id)["entries"].as_u64().unwrap();
    assert!(collected > 0);

    // The ward works on: two more segments.
    ward.drill();
    ward.ok(&["fleet", "publish"]);
    ward.drill();
    ward.ok(&["fleet", "publish"]);
    let folder = fleet.join(&id);
    let names = segments(&folder);
    assert_eq!(names.len(), 3, "{names:?}");
    let (seg1, seg2) = (&names[0], &names[1]);
    // A segment checks on its own with both checkers, against the workstation's key.
    let key = folder.join("key.pem");
    let out = ward.ok(&[
        "log",
        "verify",
        folder.join(seg2).to_str().unwrap(),
        "--pubkey",
        key.to_str().unwrap(),
    ]);
    assert!(out.contains("a segment") && out.contains("verifies"), "{out}");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_bundle.py");
    let py = std::process::Command::new("python3")
        .arg(&script)
        .arg(folder.join(seg2))
        .args(["--all-signatures", "--pubkey"])
        .arg(&key)
        .env("TMPDIR", tmp)
        .output()
        .expect("python3 runs (scripts/setup.sh installs it)");
    let said = String::from_utf8_lossy(&py.stdout);
    assert!(py.status.success() && said.contains("a segment"), "{said}");
    // The other workstation's log, published elsewhere: a segment signed by another key.
    let elsewhere = tmp.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    other.ok(&["settings", "fleet-dir", elsewhere.to_str().unwrap()]);
    other.drill();
    other.ok(&["fleet", "publish"]);
    let other_folder = elsewhere.join(other.log_id());
    let other_seg = other_folder.join(&segments(&other_folder)[0]);

    // Each case is the ward's folder with one thing wrong with its second segment.
    let cases: Vec<(&str, &str, Spoil<'_>)> = vec![
        (
            "cut off mid-write",
            "broken",
            Box::new(|f: &Path| {
                let text = std::fs::read(f.join(seg2)).unwrap();
                std::fs::write(f.join(seg2), &text[..text.len() * 2 / 3]).unwrap();
            }),
        ),
        (
            "forged",
            "broken",
            Box::new(|f: &Path| {
                let text = std::fs::read_to_string(f.join(seg2)).unwrap();
                let forged = text.replacen("\"actor\":\"Ada Admin\"", "\"actor\":\"Eve Admin\"", 1);
                assert_ne!(text, forged);
                std::fs::write(f.join(seg2), forged).unwrap();
            }),
        ),
        (
            "another key's",
            "unknown_key",
            Box::new(|f: &Path| {
                std::fs::copy(&other_seg, f.join(seg2)).unwrap();
            }),
        ),
        ("a gap", "gap", Box::new(|f: &Path| std::fs::remove_file(f.join(seg2)).unwrap())),
        (
            "an old one replayed",
            "replayed",
            Box::new(|f: &Path| {
                std::fs::copy(f.join(seg1), f.join(seg2)).unwrap();
            }),
        ),
    ];
    for (what, code, spoil) in cases {
        let dir = tmp.join(format!("case-{code}"));
        copy_folder(&folder, &dir.join(&id));
        spoil(&dir.join(&id));
        let report = admin.collect(&dir, &[]);
        let w = workstation(&report, &id);
        let refused = w["refused"].as_array().unwrap();
        assert_eq!(refused.len(), 1, "{what}: {w}");
        assert_eq!(refused[0]["code"], code, "{what}: {w}");
        let expected = if code == "gap" { &names[2] } else { seg2 };
        assert_eq!(refused[0]["file"], expected.as_str(), "{what}: {w}");
        assert!(!refused[0]["reason"].as_str().unwrap().is_empty());
        assert_eq!(w["imported"], 0, "{what}: {w}");
        // Nothing collected before is lost.
        assert_eq!(admin.collected(&dir, &id), collected, "{what}");
        let out = admin.ok(&["fleet", "collect", dir.to_str().unwrap()]);
        assert!(out.contains(&format!("REFUSED {expected} [{code}]")), "{what}: {out}");
    }

    // The folder as published collects whole after all that.
    let report = admin.collect(&fleet, &[]);
    let w = workstation(&report, &id);
    assert!(w["refused"].as_array().unwrap().is_empty(), "{w}");
    assert_eq!(w["segments"], 2);
    assert!(w["entries"].as_u64().unwrap() > collected);
}

#[test]
fn keys_are_enrolled_or_pinned_and_a_changed_key_waits_for_an_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let (fleet, [ward, admin, other], id) = three_workstations(tmp);

    // Collecting only enrolled workstations refuses it until the admin enrolls its key.
    let report = admin.collect(&fleet, &["--require-enrolled"]);
    let w = workstation(&report, &id);
    assert_eq!(w["refused"][0]["code"], "unenrolled", "{w}");
    assert_eq!(w["entries"], 0);
    let key = tmp.join("ward-key.pem");
    ward.ok(&["log", "key", "--out", key.to_str().unwrap()]);
    let out = admin.ok(&["fleet", "enroll", &id, "--key", key.to_str().unwrap()]);
    assert!(out.contains("enrolled"), "{out}");
    let report = admin.collect(&fleet, &["--require-enrolled"]);
    let w = workstation(&report, &id);
    assert!(w["refused"].as_array().unwrap().is_empty(), "{w}");
    assert!(w["warnings"].as_array().unwrap().is_empty(), "{w}");
    let collected = w["entries"].as_u64().unwrap();
    assert!(collected > 0);

    // Its folder now shows another key (a rebuilt workstation, or someone else's):
    // refused until an admin accepts it, and nothing collected is lost.
    let other_key = tmp.join("other-key.pem");
    other.ok(&["log", "key", "--out", other_key.to_str().unwrap()]);
    std::fs::copy(&other_key, fleet.join(&id).join("key.pem")).unwrap();
    let report = admin.collect(&fleet, &[]);
    let w = workstation(&report, &id);
    assert_eq!(w["refused"][0]["code"], "key_changed", "{w}");
    assert!(w["refused"][0]["reason"].as_str().unwrap().contains("fleet accept"), "{w}");
    assert_eq!(admin.collected(&fleet, &id), collected);
    let report = admin.collect(&fleet, &[]);
    assert_eq!(workstation(&report, &id)["refused"][0]["code"], "key_changed");
    // Nothing to accept on a workstation that showed no new key.
    let (code, _, err) = admin.run_as(false, &["fleet", "accept", "nosuchworkstation"]);
    assert_eq!(code, 1);
    assert!(err.contains("no changed key"), "{err}");
    let out = admin.ok(&["fleet", "accept", &id]);
    assert!(out.contains("accepted"), "{out}");
    // From then on that key is the workstation's: the old key's segments are refused.
    let report = admin.collect(&fleet, &[]);
    let w = workstation(&report, &id);
    assert_eq!(w["refused"][0]["code"], "unknown_key", "{w}");
}

#[test]
fn a_fleet_folder_that_goes_away_is_an_error_and_the_next_publish_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let (fleet, ward, id) = ward_published(tmp);
    let folder = fleet.join(&id);
    let before = segments(&folder);
    // The share goes away: the publish says so and writes nothing.
    std::fs::rename(&fleet, tmp.join("unplugged")).unwrap();
    ward.drill();
    let (code, _, err) = ward.run_as(false, &["fleet", "publish"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(!fleet.exists());
    // It comes back: the next publish goes on from the last entry published.
    std::fs::rename(tmp.join("unplugged"), &fleet).unwrap();
    let out = ward.ok(&["fleet", "publish"]);
    let last: u64 = before[0][13..25].parse().unwrap();
    assert!(out.contains(&format!("Published entries {} to ", last + 1)), "{out}");
    let names = segments(&folder);
    assert_eq!(names.len(), 2);
    assert!(names[1].starts_with(&format!("{:012}-", last + 1)), "{names:?}");
    // No temporary file is ever left behind.
    for e in std::fs::read_dir(&folder).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with(".tmp-"), "{name}");
    }
    // An emptied share (a new USB stick) gets the whole log again, from entry 1.
    std::fs::remove_dir_all(&folder).unwrap();
    let out = ward.ok(&["fleet", "publish"]);
    assert!(out.contains("Published entries 1 to "), "{out}");
}

#[test]
fn the_periodic_publish_never_fails_it_tries_again_later() {
    use caregiver::app::fleet::Attempt;
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    setup(tmp);
    let ws = Ws::new(tmp, "ward4");
    ws.drill();
    let now = std::time::Instant::now;
    let mut app = caregiver::app::App::new(ws.store.clone(), crate::support::clock(), now());
    app.unlock(ADMIN, b"correct horse battery staple", now()).unwrap();
    assert_eq!(app.publish_fleet_quietly(), Attempt::NoFolder);
    let fleet = tmp.join("fleet");
    app.set_fleet_dir(Some(fleet.to_str().unwrap())).unwrap();
    // The share is not mounted: later, and nothing made on the local disk in its place.
    match app.publish_fleet_quietly() {
        Attempt::RetryLater { reason } => assert!(reason.contains("cannot be reached"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(!fleet.exists());
    assert_eq!(app.fleet_last_published().unwrap(), None);
    std::fs::create_dir(&fleet).unwrap();
    match app.publish_fleet_quietly() {
        Attempt::Published(p) => assert_eq!(p.segment.map(|s| s.0), Some(1)),
        other => panic!("{other:?}"),
    }
    assert!(app.fleet_last_published().unwrap().is_some());
}

#[test]
fn the_managed_configurations_fleet_folder_wins_and_a_relative_one_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let (_, ward, id) = ward_published(tmp);
    let managed = tmp.join("managed");
    let it_fleet = tmp.join("it-fleet");
    std::fs::create_dir_all(&managed).unwrap();
    std::fs::create_dir(&it_fleet).unwrap();
    let toml = |dir: &str| {
        format!(
            "managed_by = \"IT\"\n\n[settings]\nfleet_dir = \"{dir}\"\n\n[policy]\nforbid_local_changes = true\n"
        )
    };
    std::fs::write(managed.join("managed.toml"), toml("fleet")).unwrap();
    let (code, out, err) = run(caregiver(tmp).args(["deploy", "check", "--dir"]).arg(&managed));
    assert_eq!(code, 1);
    let said = format!("{out}{err}");
    assert!(said.contains("managed.toml:4:1: `fleet_dir` must be a full path"), "{said}");
    std::fs::write(managed.join("managed.toml"), toml(it_fleet.to_str().unwrap())).unwrap();
    let out = ward.ok(&["fleet", "publish"]);
    assert!(out.contains(&it_fleet.join(&id).display().to_string()), "{out}");
    assert!(out.contains("Published entries 1 to "), "{out}");
    let (code, _, err) = ward.run_as(false, &["settings", "fleet-dir", "none"]);
    assert_eq!(code, 1);
    assert!(err.contains("managed"), "{err}");
}

#[test]
fn a_lead_cannot_make_a_nurse_trained_by_importing_a_bundle_of_her_own_making() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let fleet = shared_folder(tmp);
    let admin = Ws::new(tmp, "admin");
    admin.add_nina();
    let module = "downtime-procedures";
    // A lead on the admin's workstation, who may import logs.
    let args = ["user", "add", "Lee Lead", "--role", "lead", "--department", "Ward 4"];
    let mut args = args.to_vec();
    let first = tmp.join("first");
    args.extend(["--new-passphrase-file", first.to_str().unwrap()]);
    admin.ok(&args);
    let lee = |args: &[&str], pass: &Path| {
        let mut cmd = caregiver(tmp);
        cmd.arg("--store").arg(&admin.store).args(args);
        cmd.args(["--user", "Lee Lead", "--passphrase-file"]).arg(pass);
        run(&mut cmd)
    };
    let own = tmp.join("nina");
    let (code, _, err) = lee(
        &["user", "passwd", "Lee Lead", "--new-passphrase-file", own.to_str().unwrap()],
        &first,
    );
    assert_eq!(code, 0, "{err}");

    // Lee makes a store of her own, with a "Nina Nurse" who acknowledges the module, and
    // imports its log: a well-formed, well-signed bundle under a key no admin trusts.
    let forge = Ws::new(tmp, "forge");
    forge.add_nina();
    forge.ok_as(true, &["training", "ack", module, "--answers", &answers(module)]);
    let bundle = tmp.join("forged.jsonl");
    forge.ok(&["log", "export", "--out", bundle.to_str().unwrap()]);
    let (code, out, err) = lee(&["log", "import", bundle.to_str().unwrap()], &own);
    assert_eq!(code, 0, "{out}{err}");
    // The merged timeline shows it (forensics reads every imported log); the training
    // dashboard does not count it.
    assert!(admin.ok(&["log", "timeline"]).contains("training_acknowledged"));
    assert_eq!(admin.training_state(NINA, module), "not_due");

    // The same acknowledgment from a workstation of the fleet counts once it is collected
    // (its key pinned by the admin's collection), and still after the admin accepts the
    // workstation's new key: what was collected under the old one stays counted.
    let ward = Ws::new(tmp, "ward4");
    ward.add_nina();
    let id = ward.log_id();
    ward.ok(&["settings", "fleet-dir", fleet.to_str().unwrap()]);
    ward.ok_as(true, &["training", "ack", module, "--answers", &answers(module)]);
    ward.ok_as(true, &["fleet", "publish"]);
    admin.collect(&fleet, &[]);
    assert_eq!(admin.training_state(NINA, module), "done");
    let rebuilt = Ws::new(tmp, "rebuilt");
    let other_key = tmp.join("rebuilt-key.pem");
    rebuilt.ok(&["log", "key", "--out", other_key.to_str().unwrap()]);
    std::fs::copy(&other_key, fleet.join(&id).join("key.pem")).unwrap();
    admin.collect(&fleet, &[]);
    admin.ok(&["fleet", "accept", &id]);
    assert_eq!(admin.training_state(NINA, module), "done");
}

#[test]
fn a_newer_signed_pack_in_the_fleet_folder_is_picked_up_and_an_older_or_forged_one_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    setup(tmp);
    let fleet = tmp.join("fleet");
    let packs = fleet.join("packs");
    std::fs::create_dir_all(&packs).unwrap();
    let ward = Ws::new(tmp, "ward4");
    ward.add_nina();
    ward.ok(&["settings", "fleet-dir", fleet.to_str().unwrap()]);
    let playbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let sign = |key: &Path, version: &str, out: &Path| {
        let args = ["pack", "sign", playbooks.to_str().unwrap(), "--key", key.to_str().unwrap()];
        let mut args = args.to_vec();
        args.extend(["--out", out.to_str().unwrap(), "--pack-version", version]);
        ward.ok(&args);
    };
    let ours = tmp.join("ours.key");
    let public = ward.ok(&["pack", "keygen", "--out", ours.to_str().unwrap()]);
    ward.ok(&["pack", "trust", public.lines().last().unwrap()]);
    let theirs = tmp.join("theirs.key");
    ward.ok(&["pack", "keygen", "--out", theirs.to_str().unwrap()]);
    // In the folder: version 5 signed with the pinned key; a version 9 signed with another
    // key; a version 7 altered after signing.
    sign(&ours, "5", &packs.join("v5.pack"));
    sign(&theirs, "9", &packs.join("other.pack"));
    let altered = tmp.join("v7.pack");
    sign(&ours, "7", &altered);
    let text = std::fs::read_to_string(&altered).unwrap();
    let at = text.find("Ransomware").unwrap();
    let text = format!("{}Ransomwar3{}", &text[..at], &text[at + "Ransomware".len()..]);
    std::fs::write(packs.join("v7.pack"), text).unwrap();

    // A nurse's publish picks up version 5: in force for her, for the store at the next
    // admin's sign-in.
    let out = ward.ok_as(true, &["fleet", "publish"]);
    assert!(
        out.contains("Picked up pack version 5") && out.contains("until an admin's sign-in"),
        "{out}"
    );
    let id = ward.log_id();
    let status: Value =
        serde_json::from_slice(&std::fs::read(fleet.join(&id).join("status.json")).unwrap())
            .unwrap();
    assert_eq!(status["pack_version"], 5, "{status}");
    // The admin's publish takes it into the store; then it is in force for everyone.
    let out = ward.ok(&["fleet", "publish"]);
    assert!(
        out.contains("Picked up pack version 5 from the fleet folder; it is in force."),
        "{out}"
    );
    assert!(ward.ok_as(true, &["pack", "status"]).contains("pack version 5 in force"));
    let out = ward.ok(&["fleet", "publish"]);
    assert!(!out.contains("Picked up"), "{out}");

    // An older pack in the folder is never a way back.
    std::fs::remove_file(packs.join("v5.pack")).unwrap();
    sign(&ours, "3", &packs.join("v3.pack"));
    let out = ward.ok(&["fleet", "publish"]);
    assert!(!out.contains("Picked up"), "{out}");
    assert!(ward.ok(&["pack", "status"]).contains("pack version 5 in force"));
}

/// A ward's app, signed in as the admin, publishing into `tmp/fleet`.
fn publishing_app(tmp: &Path) -> (caregiver::app::App, PathBuf) {
    setup(tmp);
    let ws = Ws::new(tmp, "ward4");
    ws.drill();
    let now = std::time::Instant::now;
    let mut app = caregiver::app::App::new(ws.store.clone(), crate::support::clock(), now());
    app.unlock(ADMIN, b"correct horse battery staple", now()).unwrap();
    let fleet = tmp.join("fleet");
    std::fs::create_dir(&fleet).unwrap();
    app.set_fleet_dir(Some(fleet.to_str().unwrap())).unwrap();
    let folder = fleet.join(caregiver::log::log_id(app.log_key().unwrap().as_bytes()));
    (app, folder)
}

/// The window's publish is built under the app's lock, written without it and ended under
/// it again: a publish that another one overtook meanwhile does not move the cursor a
/// second time (back to where it ended), and the next publish follows on from the other.
#[test]
fn a_publish_overtaken_while_it_wrote_does_not_move_the_cursor_twice() {
    use caregiver::app::fleet::Attempt;
    let tmp = tempfile::tempdir().unwrap();
    let (app, folder) = publishing_app(tmp.path());
    let slow = app.prepare_fleet_publish(false).unwrap().unwrap();
    let (_, slow_last) = slow.segment().unwrap();
    // Another publish, whole, while the slow one is still writing; then more entries.
    let app = std::sync::Mutex::new(app);
    let take = || app.lock().unwrap();
    let Attempt::Published(other) = caregiver::app::App::publish_fleet_off_lock(take) else {
        panic!("the other publish failed");
    };
    assert_eq!(other.segment, Some((1, slow_last)));
    take().start_incident("network-outage", true, None, None).unwrap();
    // The slow one ends now: its files are whole, the cursor is the other's.
    let written = slow.write();
    let ended = take().finish_fleet_publish(slow, written).unwrap();
    assert_eq!(ended.segment, Some((1, slow_last)));
    // The next publish starts after the other's last entry, not again from 1.
    let Attempt::Published(next) = caregiver::app::App::publish_fleet_off_lock(take) else {
        panic!("the next publish failed");
    };
    let (first, last) = next.segment.unwrap();
    assert_eq!(first, slow_last + 1);
    assert_eq!(
        segments(&folder),
        [caregiver::fleet::segment_name(1, slow_last), caregiver::fleet::segment_name(first, last)]
    );
    let shown = take().fleet_publishing().unwrap();
    assert_eq!(shown.last_published, Some(next.at));
    assert_eq!(shown.retrying, None);
    assert_eq!(shown.every_minutes, 5);
}

/// The publish made at lock is built before the keys go and written with the app locked;
/// its cursor is kept at the next publish under a session, which follows on from it. A
/// share gone at the periodic publish is said (retrying) until a publish reaches it.
#[test]
fn the_lock_publish_is_written_after_the_keys_are_gone_and_the_next_follows_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut app, folder) = publishing_app(tmp.path());
    let at_lock = app.lock_publishing().unwrap();
    assert!(app.fleet_last_published().is_err(), "locked: no session");
    let (_, last) = at_lock.segment().unwrap();
    let written = at_lock.write();
    let p = app.finish_fleet_publish(at_lock, written).unwrap();
    assert_eq!(p.segment, Some((1, last)));
    assert_eq!(segments(&folder), [caregiver::fleet::segment_name(1, last)]);
    let now = std::time::Instant::now;
    app.unlock(ADMIN, b"correct horse battery staple", now()).unwrap();
    app.start_incident("network-outage", true, None, None).unwrap();
    let p = app.publish_fleet().unwrap();
    assert_eq!(p.segment.map(|s| s.0), Some(last + 1), "{p:?}");
    assert_eq!(app.fleet_last_published().unwrap(), Some(p.at));

    // The idle lock builds its publication too, at the tick that locks, and only then.
    let idle = std::time::Instant::now();
    app.touch(idle);
    app.set_idle_lock_minutes(1).unwrap();
    app.start_incident("network-outage", true, None, None).unwrap();
    assert!(app.tick_publishing(idle + std::time::Duration::from_secs(30)).is_none());
    let at_idle = app.tick_publishing(idle + std::time::Duration::from_secs(61)).unwrap();
    assert!(app.fleet_last_published().is_err(), "the idle lock locked");
    assert_eq!(at_idle.segment().map(|s| s.0), Some(p.entries + 1));
    let written = at_idle.write();
    let p = app.finish_fleet_publish(at_idle, written).unwrap();
    app.unlock(ADMIN, b"correct horse battery staple", now()).unwrap();

    // The share goes: the try fails, the window says so, nothing moves; back, it resumes.
    let fleet = folder.parent().unwrap().to_path_buf();
    let aside = tmp.path().join("unmounted");
    std::fs::rename(&fleet, &aside).unwrap();
    app.start_incident("network-outage", true, None, None).unwrap();
    match app.publish_fleet_quietly() {
        caregiver::app::fleet::Attempt::RetryLater { reason } => {
            assert!(reason.contains("cannot be reached"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let shown = app.fleet_publishing().unwrap();
    assert!(shown.retrying.as_deref().unwrap_or_default().contains("cannot be reached"));
    assert_eq!(shown.last_published, Some(p.at));
    std::fs::rename(&aside, &fleet).unwrap();
    let again = app.publish_fleet().unwrap();
    assert_eq!(again.segment.map(|s| s.0), Some(p.entries + 1));
    assert_eq!(app.fleet_publishing().unwrap().retrying, None);
}
