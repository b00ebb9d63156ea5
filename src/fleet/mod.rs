//! The fleet folder (issue 22; `docs/fleet.md`): a shared folder (SMB, NFS, a USB stick)
//! every workstation publishes its signed log into and an admin's workstation collects
//! from. No server of our own.
//!
//! ```text
//! FLEET_DIR/
//!   <log id>/                       one folder per workstation, named by its log id
//!     key.pem                       its log's public key (the workstation's device key)
//!     status.json                   when it last published, how far, the pack in force
//!     000000000001-000000000042.jsonl   a segment: entries 1 to 42
//!     000000000043-000000000057.jsonl   the next: entries 43 to 57, opening with the
//!                                       signed checkpoint at 42
//! ```
//!
//! Every file is written under a temporary name in the same folder (`.tmp-` and the
//! name), flushed to disk, then renamed into place: a reader sees a whole file or none.
//! `publish.rs` writes; `collect.rs` reads, checks and refuses.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::{Kind, Record};

pub mod collect;
pub mod publish;

/// The file holding a workstation's public key in its folder.
pub const KEY_FILE: &str = "key.pem";
/// The file holding a workstation's status in its folder.
pub const STATUS_FILE: &str = "status.json";
/// What a file is named while it is written, before the rename.
pub const TEMP_PREFIX: &str = ".tmp-";

/// A segment's file name: its first and last entries, zero-padded so names sort in order.
pub fn segment_name(first: u64, last: u64) -> String {
    format!("{first:012}-{last:012}.jsonl")
}

/// A segment's first and last entries from its file name; `None` for any other file.
pub fn parse_segment_name(name: &str) -> Option<(u64, u64)> {
    let stem = name.strip_suffix(".jsonl")?;
    let (first, last) = stem.split_once('-')?;
    let digits = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) || !digits(last) {
        return None;
    }
    let (first, last) = (first.parse().ok()?, last.parse().ok()?);
    (first >= 1 && first <= last).then_some((first, last))
}

/// `status.json`: what a workstation last published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The workstation's log id (its folder's name).
    pub log: String,
    /// When it last published (UTC).
    pub published: DateTime<Utc>,
    /// How many of its log's entries are published.
    pub entries: u64,
    /// The version of the signed pack in force, if one is (else the built-in pack).
    pub pack_version: Option<u64>,
}

/// How far this workstation has published into the fleet folder (one sealed record):
/// a restart resumes from here. A folder other than `dir` starts again from the first
/// entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    pub dir: String,
    pub entries: u64,
    pub published: Option<DateTime<Utc>>,
}

impl Record for Cursor {
    const KIND: Kind = Kind::FleetCursor;
}

/// The record id of the cursor.
pub const CURSOR: &str = "fleet-cursor";

/// How a workstation's key came to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// Pinned the first time its folder was collected (the report warned).
    FirstCollected,
    /// Enrolled by an admin from a copy of its key.
    Enrolled,
    /// A changed key an admin accepted.
    Accepted,
}

/// A workstation's key as the collecting store trusts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    /// The Ed25519 public key, raw, base64.
    pub key: String,
    pub trust: Trust,
    pub at: DateTime<Utc>,
    /// Another key its folder showed since, refused until an admin accepts it.
    pub offered: Option<String>,
    /// The keys it had before an admin accepted or enrolled this one (base64): what was
    /// collected under them still counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<String>,
}

impl FleetKeys {
    /// The log ids of every key trusted now or before (see [`Pinned::earlier`]).
    pub fn log_ids(&self) -> std::collections::HashSet<String> {
        self.workstations
            .values()
            .flat_map(|p| std::iter::once(&p.key).chain(&p.earlier))
            .filter_map(|k| crate::log::PublicKey::parse(k).ok())
            .map(|k| crate::log::log_id(k.as_bytes()))
            .collect()
    }
}

impl crate::store::Session {
    /// The log ids of the fleet's trusted workstations: the imported logs whose entries
    /// count for training, beside this workstation's own.
    pub fn fleet_logs(&self) -> crate::Result<std::collections::HashSet<String>> {
        Ok(self.get::<FleetKeys>(KEYS)?.unwrap_or_default().log_ids())
    }
}

/// The workstations' keys (one sealed record signed by the admins' key), by the name of
/// their folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetKeys {
    pub workstations: std::collections::BTreeMap<String, Pinned>,
}

impl Record for FleetKeys {
    const KIND: Kind = Kind::FleetKeys;
}

/// The record id of the workstations' keys.
pub const KEYS: &str = "fleet-keys";

/// A workstation folder's name: a log id's characters only, so it is one path component.
pub fn valid_workstation(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads a workstation's `status.json`, if it has a readable one.
pub fn read_status(folder: &Path) -> Option<Status> {
    serde_json::from_slice(&read_small(&folder.join(STATUS_FILE))?).ok()
}

/// A small file of a workstation's folder (its key, its status): `None` when missing,
/// unreadable or over 64 KiB, so a file someone swapped for a huge one is never read.
pub fn read_small(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    const LIMIT: u64 = 64 * 1024;
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(LIMIT + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= LIMIT).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_round_trip_and_nothing_else_parses() {
        assert_eq!(segment_name(1, 42), "000000000001-000000000042.jsonl");
        assert_eq!(parse_segment_name(&segment_name(43, 57)), Some((43, 57)));
        for other in [
            ".tmp-000000000001-000000000042.jsonl",
            "000000000042-000000000001.jsonl",
            "000000000000-000000000001.jsonl",
            "1-42.jsonl",
            "key.pem",
            "status.json",
        ] {
            assert_eq!(parse_segment_name(other), None, "{other}");
        }
        assert!(valid_workstation("ab12-cd34"));
        assert!(!valid_workstation("../x") && !valid_workstation(""));
    }
}
