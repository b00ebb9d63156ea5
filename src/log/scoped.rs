//! An incident's bundle (`docs/log-bundle.md`, "Incident bundles"): the whole chain, with
//! each entry that is not the incident's replaced by an `elided` line that keeps its place
//! (its sequence number, the `prev` it carried and the SHA-256 of its line), so every
//! checkpoint still verifies while nothing of another incident leaves the workstation; and
//! after an entry that vouches for a record (its payload's `record`: the SHA-256 of the
//! record's JSON), a `record` line carrying that JSON, which a checker hashes and compares.

use serde::{Deserialize, Serialize};

/// An entry left out of an incident's bundle: where it stands in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elided {
    /// Always `"elided"`.
    pub t: String,
    pub log: String,
    pub seq: u64,
    pub prev: String,
    /// The SHA-256 of the entry's line, hex: the `prev` of the next entry.
    pub sha256: String,
}

/// A record an entry of the bundle vouches for: its JSON exactly as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attached {
    /// Always `"record"`.
    pub t: String,
    pub log: String,
    /// The entry whose payload's `record` is this JSON's SHA-256.
    pub entry: u64,
    /// What the record is: `evidence`, `indicator`.
    pub kind: String,
    /// The record's JSON, as text.
    pub json: String,
}

/// The line of an entry left out, from its line.
pub fn elided_line(entry: &super::Entry, line: &str) -> String {
    let elided = Elided {
        t: "elided".into(),
        log: entry.log.clone(),
        seq: entry.seq,
        prev: entry.prev.clone(),
        sha256: super::line_hash(line),
    };
    serde_json::to_string(&elided).unwrap_or_default()
}

/// The line that attaches a record to entry `seq` of `log`.
pub fn record_line(log: &str, seq: u64, kind: &str, json: &[u8]) -> String {
    let attached = Attached {
        t: "record".into(),
        log: log.to_owned(),
        entry: seq,
        kind: kind.to_owned(),
        json: String::from_utf8_lossy(json).into_owned(),
    };
    serde_json::to_string(&attached).unwrap_or_default()
}

/// The record an entry vouches for: its payload's `record`, when it is a SHA-256.
pub fn vouched(payload: &serde_json::Value) -> Option<&str> {
    payload.get("record").and_then(serde_json::Value::as_str).filter(|d| {
        d.len() == 64 && d.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}
