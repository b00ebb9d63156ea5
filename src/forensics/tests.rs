//! The forensic record's pure parts: custody replayed from entries (pending, confirmed,
//! withdrawn, and entries that claim more than their writer could do), the form, the CSV
//! and STIX exports, the summary, and the log payloads of the new entry kinds.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

use super::custody::{self, TransferState};
use super::evidence::{EvidenceHash, EvidenceItem, EvidenceKind, EvidenceView};
use super::indicators::{self, Indicator};
use super::ioc::{Confidence, IocType, Tlp};
use super::summary::{Findings, summarise};
use super::*;
use crate::events::{Entry, Event};
use crate::html::tests::{HOSTILE, anchor, assert_anchored, assert_escaped};

const INC: &str = "20261128-0600-a1b2c3";
const ITEM: &str = "20261128-0600-a1b2c3-E1";

fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().to_utc()
        + TimeDelta::minutes(minutes)
}

fn entry(seq: u64, actor: &str, event: Event) -> Entry {
    Entry {
        log: "ws-1".into(),
        seq,
        time: t(seq as i64 * 10),
        actor: actor.into(),
        role: "lead".into(),
        incident: Some(INC.into()),
        event,
        corrects: None,
    }
}

fn added(seq: u64, by: &str) -> Entry {
    let e = Event::EvidenceAdded {
        item: ITEM.into(),
        record: "r".into(),
        sha256: None,
        what: EvidenceKind::DiskImage,
    };
    entry(seq, by, e)
}

fn hand(seq: u64, actor: &str, from: &str, to: &str) -> Entry {
    let e = Event::CustodyTransferred {
        condition: Some("sealed".into()),
        from: from.into(),
        item: ITEM.into(),
        purpose: "imaging".into(),
        to: to.into(),
    };
    entry(seq, actor, e)
}

fn confirm(seq: u64, actor: &str, transfer: u64) -> Entry {
    entry(seq, actor, Event::CustodyConfirmed { condition: None, item: ITEM.into(), transfer })
}

/// A hand-over is pending until its receiver confirms it; then they hold the item.
#[test]
fn a_hand_over_is_pending_until_its_receiver_confirms_it() {
    let mut log = vec![added(1, "Ada Admin"), hand(2, "Ada Admin", "Ada Admin", "Sam Staff")];
    let c = custody::replay(&log).remove(ITEM).unwrap();
    assert_eq!((c.holder.as_str(), c.since), ("Ada Admin", Some(t(10))));
    assert_eq!(c.pending().unwrap().to, "Sam Staff");
    assert!(c.involves("sam staff") && c.involves("Ada Admin") && !c.involves("Cleo"));

    log.push(confirm(3, "Sam Staff", 2));
    let c = custody::replay(&log).remove(ITEM).unwrap();
    assert!(c.pending().is_none());
    assert_eq!((c.holder.as_str(), c.since), ("Sam Staff", Some(t(30))));
    assert_eq!(
        c.transfers[0].state,
        TransferState::Confirmed { entry: 3, at: t(30), condition: None }
    );
    assert_eq!(c.entries, [1, 2, 3]);
    assert!(c.not_counted.is_empty());

    // As the window and `--json` read it: the hand-over's own entry, time and condition,
    // and the confirmation's beside them, each under its own name (a name written twice
    // in one object is read as the last one by JSON readers).
    let json = serde_json::to_string(&c.transfers[0]).unwrap();
    let read: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(read.as_object().unwrap().len(), json.matches("\":").count(), "{json}");
    let want = json!({
        "entry": 2, "at": t(20), "from": "Ada Admin", "to": "Sam Staff", "purpose": "imaging",
        "condition": "sealed", "state": "confirmed", "confirmed_entry": 3,
        "confirmed_at": t(30), "received_condition": null,
    });
    assert_eq!(read, want);
}

/// A new hand-over by the holder withdraws the pending one, which can no longer be
/// confirmed; entries that claim more than their writer could do are listed, not counted.
#[test]
fn withdrawn_hand_overs_and_claims_beyond_the_writer_are_not_counted() {
    let log = vec![
        added(1, "Ada Admin"),
        hand(2, "Ada Admin", "Ada Admin", "Wrong Person"),
        hand(3, "Ada Admin", "Ada Admin", "Sam Staff"),
        confirm(4, "Wrong Person", 2),
        // Someone who does not hold it hands it to themselves, and confirms.
        hand(5, "Ivy Insider", "Sam Staff", "Ivy Insider"),
        confirm(6, "Ivy Insider", 5),
        // A confirmation by someone the hand-over is not addressed to.
        confirm(7, "Ivy Insider", 3),
        added(8, "Ivy Insider"),
        confirm(9, "SAM STAFF", 3),
    ];
    let c = custody::replay(&log).remove(ITEM).unwrap();
    assert_eq!(c.holder, "Sam Staff");
    assert_eq!(c.transfers.len(), 2);
    assert_eq!(c.transfers[0].state, TransferState::Withdrawn { by: 3 });
    assert!(matches!(c.transfers[1].state, TransferState::Confirmed { entry: 9, .. }));
    assert_eq!(
        c.not_counted,
        [
            "entry 4: a confirmation by Wrong Person of entry 2, which was not a hand-over to them waiting for it",
            "entry 5: a hand-over by Ivy Insider, who did not hold the item",
            "entry 6: a confirmation by Ivy Insider of entry 5, which was not a hand-over to them waiting for it",
            "entry 7: a confirmation by Ivy Insider of entry 3, which was not a hand-over to them waiting for it",
            "entry 8: the item added a second time",
        ]
    );
    assert!(!c.involves("Wrong Person"), "a withdrawn hand-over involves nobody new");
}

fn item(description: &str) -> EvidenceItem {
    EvidenceItem {
        id: ITEM.into(),
        incident: INC.into(),
        kind: EvidenceKind::DiskImage,
        description: description.into(),
        kept_at: Some(format!("Safe {HOSTILE}")),
        collected_by: "Ada Admin".into(),
        collected: t(0),
        asset: Some(AssetRef {
            tag: "WS-12".into(),
            id: Some("ws-12".into()),
            name: Some("Ward PC".into()),
        }),
        hash: Some(EvidenceHash {
            sha256: "ab".repeat(32),
            source: evidence::HashSource::Tool { tool: "FTK Imager".into() },
        }),
        added_by: "Ada Admin".into(),
        added: t(10),
    }
}

fn incident() -> crate::incident::Incident {
    crate::incident::Incident {
        id: INC.into(),
        playbook: "ransomware".into(),
        playbook_version: 1,
        title: format!("Ransomware {HOSTILE}"),
        lead: "Ada Admin".into(),
        started: t(0),
        discovered: t(0),
        drill: true,
    }
}

/// The form shows every hand-over, marks the pending one, escapes what people typed and
/// ends with the log's anchor, saying which of the item's entries it covers.
#[test]
fn the_form_marks_pending_hand_overs_and_ends_with_the_anchor() {
    let log = vec![
        added(1, "Ada Admin"),
        hand(2, "Ada Admin", "Ada Admin", "Sam Staff"),
        confirm(3, "Sam Staff", 2),
        hand(4, "Sam Staff", "Sam Staff", "Lena Lead"),
        entry(
            5,
            "Sam Staff",
            Event::EvidenceVerified { item: ITEM.into(), matches: false, sha256: "cd".repeat(32) },
        ),
        hand(6, "Sam Staff", "Sam Staff", HOSTILE),
    ];
    let custody = custody::replay(&log).remove(ITEM).unwrap();
    let view = EvidenceView { item: item(HOSTILE), custody };
    let zone = crate::words::Zone::named("America/New_York").unwrap();
    let page = form::html(&view, &incident(), &anchor(), "Ada Admin", (t(90), &zone));
    assert_anchored(&page);
    assert_escaped(&page, 4);
    assert!(page.contains("<h1>CHAIN OF CUSTODY</h1>"), "{page}");
    assert!(
        page.contains("Confirmed by Sam Staff at 2026-11-28 01:30 EST (entry 3)</td>"),
        "{page}"
    );
    assert!(page.contains("Withdrawn: replaced by entry 6"), "{page}");
    assert!(page.contains("PENDING: &lt;script&gt;"), "{page}");
    assert!(page.contains("DOES NOT MATCH"), "{page}");
    assert!(page.contains("recorded from FTK Imager"), "{page}");
    assert!(page.contains("Ward PC (ws-12)"), "{page}");
    assert!(page.contains("DRILL"), "{page}");
    assert!(
        page.contains("Sam Staff since 2026-11-28 01:30 EST; a hand-over to &lt;script&gt;"),
        "{page}"
    );
    // The anchor's checkpoint is at 5 entries: entry 6 is after it.
    assert!(page.contains("This item's log entries: 1, 2, 3, 4, 5, 6; the checkpoint below covers 1, 2, 3, 4, 5, not 6."), "{page}");
}

fn indicator(n: u32, kind: IocType, value: &str, tlp: Tlp, seen: Option<i64>) -> Indicator {
    Indicator {
        id: format!("{INC}-I{n}"),
        incident: INC.into(),
        kind,
        value: value.into(),
        tlp,
        source: Some("EDR".into()),
        first_seen: seen.map(t),
        confidence: Some(Confidence::of("high").unwrap()),
        asset: None,
        added_by: "Ada Admin".into(),
        added: t(100),
    }
}

/// An export holds only what is marked up to its highest marking: RED never reaches a GREEN
/// export, in either format; what it leaves out is counted.
#[test]
fn exports_hold_nothing_marked_above_their_highest_marking() {
    let all = vec![
        indicator(1, IocType::Ipv4, "192.0.2.10", Tlp::Red, Some(5)),
        indicator(2, IocType::Domain, "evil.example", Tlp::Green, None),
        indicator(3, IocType::FileName, "=cmd|' /C calc'!A0", Tlp::Clear, None),
        indicator(4, IocType::Url, "https://evil.example/x", Tlp::AmberStrict, None),
        indicator(5, IocType::Sha256, &"ef".repeat(32), Tlp::Amber, None),
    ];
    for (max, kept) in
        [(Tlp::Clear, 1), (Tlp::Green, 2), (Tlp::Amber, 3), (Tlp::AmberStrict, 4), (Tlp::Red, 5)]
    {
        let (shared, left_out) = indicators::up_to(all.clone(), max);
        assert_eq!((shared.len(), left_out), (kept, 5 - kept), "{max:?}");
        assert!(shared.iter().all(|i| i.tlp <= max));
        let csv = String::from_utf8(indicators::csv(&shared).unwrap()).unwrap();
        let bundle = stix::bundle(&shared).unwrap();
        if max < Tlp::Red {
            for text in [&csv, &bundle] {
                assert!(!text.contains("192.0.2.10") && !text.contains("TLP:RED"), "{text}");
                assert!(!text.contains(stix::marking_id(Tlp::Red)), "{text}");
            }
        }
    }
    let (green, _) = indicators::up_to(all.clone(), Tlp::Green);
    let csv = String::from_utf8(indicators::csv(&green).unwrap()).unwrap();
    assert_eq!(
        csv,
        format!(
            "\u{feff}id,incident,type,value,tlp,confidence,source,first_seen,asset,added,added_by\r\n\
             {INC}-I2,{INC},domain,evil.example,TLP:GREEN,85,EDR,,,2026-11-28T07:40:00Z,Ada Admin\r\n\
             {INC}-I3,{INC},file-name,'=cmd|' /C calc'!A0,TLP:CLEAR,85,EDR,,,2026-11-28T07:40:00Z,Ada Admin\r\n"
        )
    );
    assert!(stix::bundle(&[]).unwrap_err().to_string().contains("at least one object"));
}

/// The same indicators give the same bundle, ids and all; the markings are OASIS's TLP 2.0
/// definitions, only those used.
#[test]
fn the_bundle_is_deterministic_and_carries_the_tlp_2_markings() {
    let list = vec![
        indicator(1, IocType::Ipv4, "192.0.2.10", Tlp::Amber, Some(5)),
        indicator(2, IocType::Account, "ops@evil.example", Tlp::Clear, None),
    ];
    let a = stix::bundle(&list).unwrap();
    assert_eq!(a, stix::bundle(&list).unwrap());
    let b: serde_json::Value = serde_json::from_str(&a).unwrap();
    let objects = b["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 4);
    assert_eq!(objects[0]["id"], "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    assert_eq!(objects[0]["name"], "TLP:CLEAR");
    assert_eq!(objects[1]["id"], "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    assert_eq!(
        objects[1]["extensions"][stix::TLP_EXTENSION],
        json!({ "extension_type": "property-extension", "tlp_2_0": "amber" })
    );
    let ip = &objects[2];
    assert_eq!(ip["pattern"], "[ipv4-addr:value = '192.0.2.10']");
    assert_eq!(ip["pattern_type"], "stix");
    assert_eq!(ip["valid_from"], "2026-11-28T06:05:00.000Z");
    assert_eq!(ip["created"], "2026-11-28T07:40:00.000Z");
    assert_eq!(ip["confidence"], 85);
    assert_eq!(ip["description"], "Source: EDR");
    assert_eq!(ip["object_marking_refs"], json!([stix::marking_id(Tlp::Amber)]));
    assert_eq!(ip["id"], stix::indicator_id(&list[0]));
    assert_eq!(objects[3]["valid_from"], "2026-11-28T07:40:00.000Z", "recorded when not seen");
    // Another value, another id; another incident, another id.
    let mut other = list[0].clone();
    other.incident = "20261201-0900-ffffff".into();
    assert_ne!(stix::indicator_id(&other), stix::indicator_id(&list[0]));
}

#[test]
fn the_summary_names_systems_and_the_span_of_malicious_activity() {
    let mut a = indicator(1, IocType::Ipv4, "192.0.2.10", Tlp::Red, Some(50));
    a.asset = Some(AssetRef {
        tag: "WS12".into(),
        id: Some("ws-12".into()),
        name: Some("Ward PC".into()),
    });
    let b = indicator(2, IocType::Domain, "evil.example", Tlp::Green, Some(-30));
    let c = indicator(3, IocType::Domain, "c2.example", Tlp::Green, None);
    let view = EvidenceView {
        item: item("image"),
        custody: custody::replay(&[added(1, "Ada Admin")]).remove(ITEM).unwrap(),
    };
    let findings = Findings {
        incident: INC.into(),
        entry_vector: Some("phishing email to the ward clerk".into()),
        data_affected: None,
    };
    let s = summarise(findings, &[view], &[a, b, c]);
    assert_eq!(s.systems_affected.len(), 1);
    assert_eq!(s.systems_affected[0].asset, "Ward PC (ws-12)");
    assert_eq!(s.systems_affected[0].evidence, [ITEM]);
    assert_eq!(s.systems_affected[0].indicators, [format!("{INC}-I1")]);
    assert_eq!((s.first_malicious, s.last_malicious), (Some(t(-30)), Some(t(50))));
    assert_eq!(s.entry_vector.as_deref(), Some("phishing email to the ward clerk"));
    assert_eq!(s.by_tlp, [("TLP:GREEN".to_owned(), 2), ("TLP:RED".to_owned(), 1)]);
    assert_eq!((s.evidence_items, s.pending_transfers, s.indicators), (1, 0, 3));
}

/// The new kinds of entry, as their lines carry them; an indicator's entry has no value.
#[test]
fn forensic_entries_write_these_payloads() {
    let cases: Vec<(Event, &str, serde_json::Value)> = vec![
        (
            Event::EvidenceAdded {
                item: ITEM.into(),
                record: "r1".into(),
                sha256: None,
                what: EvidenceKind::UsbStick,
            },
            "evidence_added",
            json!({ "item": ITEM, "record": "r1", "sha256": null, "what": "usb-stick" }),
        ),
        (
            Event::CustodyTransferred {
                condition: None,
                from: "A".into(),
                item: ITEM.into(),
                purpose: "p".into(),
                to: "B".into(),
            },
            "custody_transferred",
            json!({ "condition": null, "from": "A", "item": ITEM, "purpose": "p", "to": "B" }),
        ),
        (
            Event::CustodyConfirmed {
                condition: Some("intact".into()),
                item: ITEM.into(),
                transfer: 7,
            },
            "custody_confirmed",
            json!({ "condition": "intact", "item": ITEM, "transfer": 7 }),
        ),
        (
            Event::EvidenceVerified { item: ITEM.into(), matches: true, sha256: "ab".into() },
            "evidence_verified",
            json!({ "item": ITEM, "matches": true, "sha256": "ab" }),
        ),
        (
            Event::IndicatorAdded {
                indicator: "I1".into(),
                record: "r".into(),
                tlp: Tlp::AmberStrict,
                what: IocType::FileName,
            },
            "indicator_added",
            json!({ "indicator": "I1", "record": "r", "tlp": "amber+strict", "what": "file-name" }),
        ),
        (
            Event::IndicatorsShared {
                format: "stix".into(),
                indicators: vec!["I1".into()],
                tlp_max: Tlp::Green,
            },
            "indicators_shared",
            json!({ "format": "stix", "indicators": ["I1"], "tlp_max": "green" }),
        ),
        (
            Event::FindingsRecorded { fields: vec!["how it got in".into()] },
            "findings_recorded",
            json!({ "fields": ["how it got in"] }),
        ),
    ];
    for (event, kind, payload) in cases {
        let (k, p) = crate::log::kind_and_payload(&event).unwrap();
        assert_eq!((k.as_str(), event.kind()), (kind, kind));
        assert_eq!(serde_json::to_string(&p).unwrap(), serde_json::to_string(&payload).unwrap());
        let back: Event =
            serde_json::from_value(json!({ "kind": kind, "payload": payload })).unwrap();
        assert_eq!(back, event);
        assert!(!entry_words(&event).is_empty());
    }
}

#[test]
fn text_fields_ids_and_digests() {
    assert_eq!(text(Some("  a  "), "x", 5, true, false).unwrap().as_deref(), Some("a"));
    assert_eq!(text(Some("  "), "x", 5, false, false).unwrap(), None);
    assert_eq!(text(None, "purpose", 5, true, false).unwrap_err().to_string(), "purpose: is empty");
    assert_eq!(
        text(Some("abcdef"), "x", 5, true, false).unwrap_err().to_string(),
        "x: is longer than 5 characters"
    );
    assert_eq!(
        text(Some("a\nb"), "x", 5, true, false).unwrap_err().to_string(),
        "x: must be on one line"
    );
    assert_eq!(text(Some("a\nb"), "x", 5, true, true).unwrap().as_deref(), Some("a\nb"));
    let ids = [format!("{INC}-E2"), format!("{INC}-E10"), "other-E99".to_owned()];
    assert_eq!(next_id(INC, 'E', ids.iter().map(String::as_str)), format!("{INC}-E11"));
    assert_eq!(next_id(INC, 'I', std::iter::empty()), format!("{INC}-I1"));
    let a = item("one");
    assert_eq!(record_digest(&a).unwrap(), record_digest(&a.clone()).unwrap());
    assert_ne!(record_digest(&a).unwrap(), record_digest(&item("two")).unwrap());
}
