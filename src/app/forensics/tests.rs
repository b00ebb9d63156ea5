//! The forensic record through the application layer, on a real store and a fake clock:
//! evidence hashed from a file and from a tool, handed over and confirmed by people under
//! their own unlock, checked again; indicators with their markings and exports; who may do
//! what; assets checked against the register; the summary.

use chrono::TimeDelta;

use crate::app::App;
use crate::app::admin::NewUser;
use crate::app::tests::{PASS, app, start};
use crate::events::Event;
use crate::forensics::custody::TransferState;
use crate::forensics::evidence::{EvidenceHash, EvidenceKind, HashSource, NewEvidence};
use crate::forensics::indicators::{Format, NewIndicator};
use crate::forensics::ioc::{Confidence, IocType, Tlp};
use crate::forensics::summary::FindingsChange;
use crate::store::Role;

const FIRST: &[u8] = b"first passphrase 1";

/// Signs in as `name` (with their own passphrase, set at their first unlock).
fn sign_in(app: &mut App, name: &str, t0: std::time::Instant) {
    app.lock();
    let own = format!("{name}'s own passphrase");
    if app.unlock(name, own.as_bytes(), t0).is_err() {
        app.unlock(name, FIRST, t0).unwrap();
        app.change_own_passphrase(own.as_bytes()).unwrap();
    }
}

fn ada(app: &mut App, t0: std::time::Instant) {
    app.lock();
    app.unlock("Ada Admin", PASS, t0).unwrap();
}

fn new_item(what: &str, hash: Option<EvidenceHash>) -> NewEvidence {
    NewEvidence { description: what.into(), hash, ..Default::default() }
}

fn ioc(kind: IocType, value: &str, tlp: Tlp) -> NewIndicator {
    NewIndicator {
        kind,
        value: value.into(),
        tlp: Some(tlp),
        source: None,
        first_seen: None,
        confidence: None,
        asset: None,
    }
}

#[test]
fn evidence_is_handed_over_and_confirmed_under_each_persons_own_unlock() {
    let (dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    app.set_time_zone(Some("UTC")).unwrap();
    for (name, role) in [("Sam Staff", Role::Staff), ("Cleo Clinician", Role::Clinician)] {
        app.add_user(NewUser { name, role, first_passphrase: FIRST, department: None }).unwrap();
    }
    let id = app.start_incident("ransomware", false, None, None).unwrap().progress.incident.id;

    // A file hashed as it is streamed; an image hashed by a tool; a paper note with none.
    let image = dir.path().join("ws12.img");
    std::fs::write(&image, vec![42u8; 3 * crate::forensics::hash::BUFFER + 5]).unwrap();
    let mut seen = Vec::new();
    let hashed = App::hash_file(&image, |p| seen.push(p.done)).unwrap();
    assert_eq!(seen.len(), 5, "a call before the first block and one per block");
    clock.advance(TimeDelta::minutes(5));
    let mut new = new_item("Disk image of WS-12", Some(EvidenceHash::of_file(&hashed)));
    new.kind = Some(EvidenceKind::DiskImage);
    new.kept_at = Some("Safe 2, IT office".into());
    let e1 = app.add_evidence(&id, new).unwrap();
    assert_eq!(e1.item.id, format!("{id}-E1"));
    assert_eq!(e1.custody.holder, "Ada Admin");
    assert_eq!(e1.item.collected, start() + TimeDelta::minutes(5));
    let tool = App::hash_from_tool(&"AB".repeat(32), "Tableau TX1").unwrap();
    let e2 = app.add_evidence(&id, new_item("Memory of the file server", Some(tool))).unwrap();
    let e3 = app.add_evidence(&id, new_item("Ransom note, paper", None)).unwrap();
    assert_eq!(e3.item.id, format!("{id}-E3"));
    // A hash handed in whole (as a front end may) is checked all the same.
    let sent =
        EvidenceHash { sha256: "zz".repeat(32), source: HashSource::Tool { tool: "t".into() } };
    let e = app.add_evidence(&id, new_item("x", Some(sent))).unwrap_err();
    assert!(e.to_string().starts_with("SHA-256: character 1 is not a hexadecimal digit"), "{e}");
    let e = App::hash_from_tool("abc", "FTK").unwrap_err();
    assert_eq!(e.to_string(), "SHA-256: is 3 hexadecimal digits long; a SHA-256 is 64");
    let future =
        NewEvidence { collected: Some(start() + TimeDelta::days(1)), ..new_item("x", None) };
    assert_eq!(
        app.add_evidence(&id, future).unwrap_err().to_string(),
        "collection time: is in the future"
    );
    assert_eq!(
        app.add_evidence("nope", new_item("x", None)).unwrap_err().to_string(),
        "incident: no incident `nope`"
    );

    // Ada hands the image to Sam: pending until Sam confirms.
    clock.advance(TimeDelta::minutes(5));
    let e = app.transfer_evidence(&e1.item.id, "Nobody", "imaging", None).unwrap_err();
    assert!(e.to_string().starts_with("receiver: is not a user of this workstation"), "{e}");
    let v =
        app.transfer_evidence(&e1.item.id, "sam staff", "imaging", Some("sealed bag 114")).unwrap();
    let pending = v.custody.pending().unwrap();
    assert_eq!((pending.to.as_str(), pending.from.as_str()), ("Sam Staff", "Ada Admin"));
    assert_eq!(v.custody.holder, "Ada Admin", "the holder until Sam confirms");
    let e = app.confirm_evidence(&e1.item.id, None).unwrap_err();
    assert_eq!(e.to_string(), "only the person it is addressed to may confirm this hand-over");

    // Sam sees the item addressed to him, and only it; he confirms under his own unlock.
    sign_in(&mut app, "Sam Staff", t0);
    let mine: Vec<String> = app.evidence(&id).unwrap().into_iter().map(|v| v.item.id).collect();
    assert_eq!(mine, std::slice::from_ref(&e1.item.id));
    assert_eq!(app.evidence_waiting_for_me().unwrap().len(), 1);
    assert_eq!(app.evidence_item(&e2.item.id).unwrap_err().code(), "permission_denied");
    let e = app.transfer_evidence(&e1.item.id, "Cleo Clinician", "x", None).unwrap_err();
    assert_eq!(e.to_string(), "only the person holding it may hand this evidence item over");
    assert_eq!(app.add_evidence(&id, new_item("x", None)).unwrap_err().code(), "permission_denied");
    clock.advance(TimeDelta::minutes(5));
    let v = app.confirm_evidence(&e1.item.id, Some("seal intact")).unwrap();
    assert_eq!(v.custody.holder, "Sam Staff");
    assert!(matches!(v.custody.transfers[0].state, TransferState::Confirmed { .. }));
    assert!(app.evidence_waiting_for_me().unwrap().is_empty());
    let e = app.confirm_evidence(&e1.item.id, None).unwrap_err();
    assert!(e.to_string().ends_with("is waiting to be confirmed"), "{e}");

    // Sam, the holder, checks the file: the same file matches, a changed one does not;
    // both checks are logged.
    let ok = app.verify_evidence(&e1.item.id, &hashed).unwrap();
    assert!(ok.matches && ok.mismatch().is_none());
    std::fs::write(&image, b"changed").unwrap();
    let other = App::hash_file(&image, |_| {}).unwrap();
    let bad = app.verify_evidence(&e1.item.id, &other).unwrap();
    assert!(!bad.matches);
    assert_eq!(bad.mismatch().unwrap().code(), "evidence_mismatch");
    // He hands it to Cleo by mistake, then to Ada instead: the first is withdrawn.
    app.transfer_evidence(&e1.item.id, "Cleo Clinician", "storage", None).unwrap();
    let v = app.transfer_evidence(&e1.item.id, "Ada Admin", "back to the safe", None).unwrap();
    assert!(matches!(v.custody.transfers[1].state, TransferState::Withdrawn { .. }));
    assert_eq!(v.custody.pending().unwrap().to, "Ada Admin");
    assert_eq!(v.custody.checks.len(), 2);

    // Cleo cannot confirm the withdrawn hand-over, and reads no indicator.
    sign_in(&mut app, "Cleo Clinician", t0);
    let e = app.confirm_evidence(&e1.item.id, None).unwrap_err();
    assert_eq!(e.code(), "permission_denied");
    assert_eq!(
        app.indicators(&id).unwrap_err().to_string(),
        "only admins, incident leads and staff may read indicators of compromise"
    );
    let view = app.forensics(&id).unwrap();
    assert!(view.indicators.is_none() && view.summary.is_none() && !view.manages_evidence);
    assert!(
        view.evidence.is_empty(),
        "a hand-over withdrawn before she confirmed it shows her nothing"
    );

    // The log holds the whole chain, each entry in its writer's name.
    ada(&mut app, t0);
    let kinds: Vec<(String, &str)> = app
        .user()
        .unwrap()
        .events::<Event>(Some(&id))
        .unwrap()
        .into_iter()
        .filter(|e| !matches!(e.event, Event::IncidentStarted(_)))
        .map(|e| (e.actor, e.event.kind()))
        .collect();
    let names: Vec<(&str, &str)> = kinds.iter().map(|(a, k)| (a.as_str(), *k)).collect();
    assert_eq!(
        names,
        [
            ("Ada Admin", "evidence_added"),
            ("Ada Admin", "evidence_added"),
            ("Ada Admin", "evidence_added"),
            ("Ada Admin", "custody_transferred"),
            ("Sam Staff", "custody_confirmed"),
            ("Sam Staff", "evidence_verified"),
            ("Sam Staff", "evidence_verified"),
            ("Sam Staff", "custody_transferred"),
            ("Sam Staff", "custody_transferred"),
        ]
    );
    let v = app.confirm_evidence(&e1.item.id, None).unwrap();
    assert_eq!(v.custody.holder, "Ada Admin");

    // The form: every hand-over, the withdrawn one marked, the checks, the anchor.
    let form = app.custody_form(&e1.item.id).unwrap();
    assert_eq!(form.file_name, format!("custody-{}.html", e1.item.id));
    let html = String::from_utf8(form.bytes).unwrap();
    for want in [
        "Withdrawn: replaced by entry",
        "DOES NOT MATCH",
        "Confirmed by Sam Staff",
        "the checkpoint below covers all of them",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    assert!(app.user().unwrap().verify_log().is_ok());
}

#[test]
fn indicators_keep_their_marking_and_exports_hold_none_above_the_highest_allowed() {
    let (_dir, mut app, clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    app.add_user(NewUser {
        name: "Sam Staff",
        role: Role::Staff,
        first_passphrase: FIRST,
        department: None,
    })
    .unwrap();
    app.add_user(NewUser {
        name: "Lena Lead",
        role: Role::Lead,
        first_passphrase: FIRST,
        department: None,
    })
    .unwrap();
    let id = app.start_incident("ransomware", false, None, None).unwrap().progress.incident.id;
    sign_in(&mut app, "Lena Lead", t0);
    let mut red = ioc(IocType::Ipv4, "203.0.113[.]9", Tlp::Red);
    red.first_seen = Some(start() - TimeDelta::days(3));
    red.confidence = Some(Confidence::of("high").unwrap());
    red.source = Some("EDR alert 4411".into());
    let i1 = app.add_indicator(&id, red).unwrap();
    assert_eq!((i1.id.as_str(), i1.value.as_str()), (format!("{id}-I1").as_str(), "203.0.113.9"));
    let mut green = ioc(IocType::Domain, "Evil.Example", Tlp::Green);
    green.first_seen = Some(start() - TimeDelta::days(1));
    app.add_indicator(&id, green).unwrap();
    let plain = NewIndicator { tlp: None, ..ioc(IocType::Md5, &"0a".repeat(16), Tlp::Clear) };
    assert_eq!(app.add_indicator(&id, plain).unwrap().tlp, Tlp::AmberStrict, "the default");
    let e = app.add_indicator(&id, ioc(IocType::Domain, "evil.example", Tlp::Clear)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("indicator: this domain name is already recorded as {id}-I2")
    );
    let e = app.add_indicator(&id, ioc(IocType::Ipv4, "203.0.113.300", Tlp::Clear)).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("indicator_invalid", "IPv4 address: part 4 is over 255 (ipv4_part_range)")
    );

    // GREEN: the domain only; RED stays home, and is counted.
    clock.advance(TimeDelta::minutes(1));
    for format in [Format::Csv, Format::Stix] {
        let out = app.export_indicators(&id, format, Tlp::Green).unwrap();
        assert_eq!((out.written, out.left_out), (1, 2));
        let text = String::from_utf8(out.export.bytes).unwrap();
        assert!(text.contains("evil.example") && !text.contains("203.0.113.9"), "{text}");
        assert!(out.export.file_name.ends_with(if format == Format::Csv {
            "tlp-green.csv"
        } else {
            "tlp-green.stix.json"
        }));
    }
    let e = app.export_indicators(&id, Format::Csv, Tlp::Clear).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "indicator export: no indicator of incident {id} is marked TLP:CLEAR or lower (3 are marked above it)"
        )
    );
    let shared: Vec<Event> = app
        .user()
        .unwrap()
        .events::<Event>(Some(&id))
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .filter(|e| matches!(e, Event::IndicatorsShared { .. }))
        .collect();
    assert_eq!(shared.len(), 2);
    // No entry carries a value.
    let log = serde_json::to_string(&app.user().unwrap().log_entries(Some(&id)).unwrap()).unwrap();
    assert!(!log.contains("203.0.113.9") && !log.contains("evil.example"), "{log}");

    // Staff read indicators; they neither add nor export them.
    sign_in(&mut app, "Sam Staff", t0);
    assert_eq!(app.indicators(&id).unwrap().len(), 3);
    assert_eq!(
        app.add_indicator(&id, ioc(IocType::Url, "http://x.example", Tlp::Red)).unwrap_err().code(),
        "permission_denied"
    );
    assert_eq!(
        app.export_indicators(&id, Format::Csv, Tlp::Red).unwrap_err().code(),
        "permission_denied"
    );
    assert_eq!(app.forensics_summary(&id).unwrap_err().code(), "permission_denied");

    // The summary: the span of malicious activity from first seen, the lead's findings.
    sign_in(&mut app, "Lena Lead", t0);
    let change = FindingsChange {
        entry_vector: Some("Phishing email to the ward clerk".into()),
        data_affected: None,
    };
    let s = app.record_findings(&id, &change).unwrap();
    assert_eq!(s.first_malicious, Some(start() - TimeDelta::days(3)));
    assert_eq!(s.last_malicious, Some(start() - TimeDelta::days(1)));
    assert_eq!(s.entry_vector.as_deref(), Some("Phishing email to the ward clerk"));
    let e = app.record_findings(&id, &change).unwrap_err();
    assert!(e.to_string().starts_with("findings: nothing changed"), "{e}");
    let cleared = FindingsChange {
        entry_vector: Some(String::new()),
        data_affected: Some("Scheduling data".into()),
    };
    let s = app.record_findings(&id, &cleared).unwrap();
    assert_eq!((s.entry_vector, s.data_affected.as_deref()), (None, Some("Scheduling data")));
    let whole = app.forensics(&id).unwrap();
    assert_eq!(whole.indicators.unwrap().len(), 3);
    assert!(whole.summary.is_some() && whole.manages_indicators);
}

/// Where the register holds assets, a tag must name one of them; an empty register checks
/// nothing. The summary names the systems affected.
#[test]
fn assets_are_checked_against_the_register_when_it_holds_any() {
    let (_dir, mut app, _clock, t0) = app();
    app.setup("Ada Admin", PASS, t0).unwrap();
    let id = app.start_incident("ransomware", false, None, None).unwrap().progress.incident.id;
    let unchecked =
        NewEvidence { asset: Some("WS-99".into()), ..new_item("before the register", None) };
    let v = app.add_evidence(&id, unchecked).unwrap();
    assert_eq!((v.item.asset.unwrap().id, v.item.id.ends_with("-E1")), (None, true));

    let csv = "id,name,kind,tier,asset_tag\nehr-db,EHR database,system,1,\npump-7,Infusion pump 7,medical-device,1,BIO-0042\n";
    app.import_assets(csv.as_bytes(), false).unwrap();
    let e = app
        .add_evidence(&id, NewEvidence { asset: Some("WS-99".into()), ..new_item("x", None) })
        .unwrap_err();
    assert_eq!(e.to_string(), "asset: no asset in the register has the id or tag `WS-99`");
    let v = app
        .add_evidence(
            &id,
            NewEvidence { asset: Some("bio 0042".into()), ..new_item("pump log", None) },
        )
        .unwrap();
    let a = v.item.asset.unwrap();
    assert_eq!((a.id.as_deref(), a.name.as_deref()), (Some("pump-7"), Some("Infusion pump 7")));
    let mut i = ioc(IocType::FileName, "locker.exe", Tlp::Amber);
    i.asset = Some("EHR-DB".into());
    app.add_indicator(&id, i).unwrap();
    let s = app.forensics_summary(&id).unwrap();
    let systems: Vec<&str> = s.systems_affected.iter().map(|s| s.asset.as_str()).collect();
    assert_eq!(systems, ["EHR database (ehr-db)", "Infusion pump 7 (pump-7)", "WS-99"]);
}
