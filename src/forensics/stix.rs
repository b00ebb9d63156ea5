//! Indicators as a STIX 2.1 bundle (OASIS, STIX Version 2.1, 2021), for the outside
//! incident-response firm and an ISAC (Health-ISAC takes STIX): one `indicator` object per
//! indicator, with a STIX pattern (`[ipv4-addr:value = '192.0.2.10']`), `pattern_type`
//! `stix`, `valid_from` (first seen, else when it was recorded), its confidence and its TLP
//! 2.0 marking, and the marking-definition objects they refer to.
//!
//! **TLP 2.0 markings** are the ones OASIS publishes in cti-stix-common-objects
//! (`extension-definition-specifications/tlp-2.0`): five marking definitions with fixed ids
//! and the property extension `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`.
//! (STIX 2.1's own TLP markings are TLP 1.0's, WHITE to RED, with no AMBER+STRICT.)
//!
//! **Ids are deterministic**, so exporting the same indicators twice gives the same objects
//! and a receiver sees one indicator, not two: each is a UUID version 5 (RFC 9562, section
//! 5.5: SHA-1 of a namespace and a name, as the STIX specification itself uses for
//! cyber-observable ids) of the incident, the type and the value, under this app's own
//! namespace [`NAMESPACE`]; the bundle's of the ids it holds. Python's `uuid.uuid5` gives
//! the same ids. SHA-1 here names, it protects nothing.
//!
//! The output validates against OASIS's STIX 2.1 JSON schemas (`tests/fixtures/stix2.1/`,
//! checked in `tests/it/forensics.rs`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::indicators::Indicator;
use super::ioc::{IocType, Tlp};
use crate::{Error, Result};

/// The namespace of this app's STIX ids (a random UUID, fixed for ever).
pub const NAMESPACE: [u8; 16] = [
    0x18, 0xec, 0xff, 0x79, 0x01, 0x19, 0x43, 0x0c, 0x86, 0x04, 0x1b, 0xdd, 0x03, 0x6b, 0xbb, 0x03,
];

/// OASIS's TLP 2.0 property extension.
pub const TLP_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// When OASIS created the TLP 2.0 marking definitions.
const TLP_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// The id OASIS gives a marking's definition.
pub fn marking_id(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
}

/// A marking's definition object, as OASIS publishes it.
fn marking(tlp: Tlp) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id(tlp),
        "created": TLP_CREATED,
        "name": tlp.label(),
        "extensions": {
            TLP_EXTENSION: { "extension_type": "property-extension", "tlp_2_0": tlp.key() }
        }
    })
}

/// A UUID version 5 of `name` in `namespace` (RFC 9562, 5.5), written as usual.
pub fn uuid5(namespace: &[u8; 16], name: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(namespace);
    ctx.update(name.as_bytes());
    let digest = ctx.finish();
    let mut b = [0u8; 16];
    b.copy_from_slice(digest.as_ref().get(..16).unwrap_or(&[0; 16]));
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = data_encoding::HEXLOWER.encode(&b);
    let part = |r: std::ops::Range<usize>| hex.get(r).unwrap_or_default();
    format!("{}-{}-{}-{}-{}", part(0..8), part(8..12), part(12..16), part(16..20), part(20..32))
}

/// A string as a STIX pattern's literal: in single quotes, `\` and `'` escaped.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The STIX pattern that matches an indicator.
pub fn pattern(kind: IocType, value: &str) -> String {
    let path = match kind {
        IocType::Sha256 => "file:hashes.'SHA-256'",
        IocType::Sha1 => "file:hashes.'SHA-1'",
        IocType::Md5 => "file:hashes.MD5",
        IocType::Ipv4 => "ipv4-addr:value",
        IocType::Ipv6 => "ipv6-addr:value",
        IocType::Domain => "domain-name:value",
        IocType::Url => "url:value",
        IocType::FileName => "file:name",
        IocType::Account if value.contains('@') => "email-addr:value",
        IocType::Account => "user-account:account_login",
    };
    format!("[{path} = {}]", literal(value))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An indicator's STIX id.
pub fn indicator_id(i: &Indicator) -> String {
    let name =
        format!("caregiver-playbook indicator\n{}\n{}\n{}", i.incident, i.kind.key(), i.value);
    format!("indicator--{}", uuid5(&NAMESPACE, &name))
}

fn indicator(i: &Indicator) -> Value {
    let mut o = json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": indicator_id(i),
        "created": timestamp(i.added),
        "modified": timestamp(i.added),
        "name": format!("{} {}", i.kind.label(), i.value),
        "indicator_types": ["malicious-activity"],
        "pattern": pattern(i.kind, &i.value),
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": timestamp(i.first_seen.unwrap_or(i.added)),
        "object_marking_refs": [marking_id(i.tlp)],
    });
    if let Value::Object(map) = &mut o {
        if let Some(source) = &i.source {
            map.insert("description".into(), Value::String(format!("Source: {source}")));
        }
        if let Some(c) = i.confidence {
            map.insert("confidence".into(), Value::from(c.value()));
        }
    }
    o
}

/// The bundle of `list` (already limited to the export's highest marking), as JSON text:
/// the markings used first, in TLP order, then the indicators in order.
pub fn bundle(list: &[Indicator]) -> Result<String> {
    if list.is_empty() {
        return Err(Error::Invalid {
            what: "STIX export",
            reason:
                "no indicator is marked low enough for it: a bundle must hold at least one object"
                    .into(),
        });
    }
    let mut markings: Vec<Tlp> = list.iter().map(|i| i.tlp).collect();
    markings.sort();
    markings.dedup();
    let mut objects: Vec<Value> = markings.into_iter().map(marking).collect();
    let ids: Vec<String> = list.iter().map(indicator_id).collect();
    objects.extend(list.iter().map(indicator));
    let name = format!("caregiver-playbook bundle\n{}", ids.join("\n"));
    let bundle = json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid5(&NAMESPACE, &name)),
        "objects": objects,
    });
    serde_json::to_string_pretty(&bundle)
        .map_err(|e| Error::Invalid { what: "STIX export", reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")`.
    #[test]
    fn uuid5_is_rfc_9562s() {
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(uuid5(&dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        assert_eq!(NAMESPACE.len(), 16);
    }

    #[test]
    fn patterns_by_type_with_quotes_escaped() {
        let cases = [
            (IocType::Ipv4, "192.0.2.10", "[ipv4-addr:value = '192.0.2.10']"),
            (IocType::Ipv6, "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"),
            (IocType::Domain, "evil.example", "[domain-name:value = 'evil.example']"),
            (
                IocType::Url,
                "https://evil.example/a'b",
                "[url:value = 'https://evil.example/a\\'b']",
            ),
            (IocType::Sha256, "ab", "[file:hashes.'SHA-256' = 'ab']"),
            (IocType::Sha1, "ab", "[file:hashes.'SHA-1' = 'ab']"),
            (IocType::Md5, "ab", "[file:hashes.MD5 = 'ab']"),
            (IocType::FileName, "it's.exe", "[file:name = 'it\\'s.exe']"),
            (IocType::Account, "ops@evil.example", "[email-addr:value = 'ops@evil.example']"),
            (IocType::Account, "HOSPITAL\\svc", "[user-account:account_login = 'HOSPITAL\\\\svc']"),
        ];
        for (kind, value, want) in cases {
            assert_eq!(pattern(kind, value), want);
        }
    }
}
