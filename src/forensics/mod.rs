//! An incident's forensic record (issue 19): the evidence collected and who has held each
//! item, the indicators of compromise found, and the lead's findings, so that the outside
//! incident-response firm, the insurer, law enforcement or a court can ask who held an item
//! when, whether it is the item that was collected, and what the attacker left behind, and
//! get an answer from a workstation that worked with the network down.
//!
//! - [`evidence`]: evidence items, each one sealed record (`Kind::Evidence`) with its
//!   SHA-256 ([`hash`]: computed by streaming the file, or as a tool recorded it) and an
//!   `evidence_added` log entry carrying the item's hash and the SHA-256 of its record as
//!   written, so a record changed afterwards is seen at every read.
//! - [`custody`]: the chain of custody, kept only in the activity log: a hand-over is a
//!   `custody_transferred` entry under the handing person's unlock, pending until the
//!   receiving person confirms it under theirs (`custody_confirmed`); re-hashing a file is
//!   an `evidence_verified` entry. Nothing edits or removes an entry (the log is
//!   append-only, chained and signed), so custody is only ever added to; who holds an item
//!   is replayed from its entries. [`form`] prints an item's chain-of-custody form.
//! - [`ioc`] and [`indicators`]: indicators of compromise, each a sealed record
//!   (`Kind::Indicator`) with its TLP 2.0 marking, checked for its type's form; exported as
//!   CSV or as a STIX 2.1 bundle ([`stix`]) up to a marking the exporter chooses. Their
//!   `indicator_added` entries carry the type, the marking and the record's SHA-256, never
//!   the value: everyone reads an incident's log, clinicians may not read indicators.
//! - [`summary`]: the lead's findings (how the attacker got in, the data affected; a sealed
//!   record, `Kind::Findings`) and the summary of the record: systems affected, the first
//!   and last malicious activity.
//!
//! Who may do what is the permission table's: incident leads and admins manage evidence
//! and indicators (`ManageEvidence`, `ManageIndicators`); staff read indicators too
//! (`ReadIndicators`), clinicians do not; whoever an item passes through sees that item,
//! hands it on while they hold it and confirms a hand-over addressed to them, whatever
//! their role. `docs/forensics.md` documents the formats and the rules.

pub mod custody;
pub mod evidence;
pub mod form;
pub mod hash;
pub mod indicators;
pub mod ioc;
pub mod stix;
pub mod summary;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// An asset evidence or an indicator names: the tag or id as typed, and the asset of the
/// register it is (`None` when the register held no assets to check it against).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetRef {
    pub tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl AssetRef {
    /// The asset in words: its name and id, or the tag as typed.
    pub fn words(&self) -> String {
        match (&self.name, &self.id) {
            (Some(name), Some(id)) => format!("{name} ({id})"),
            _ => self.tag.clone(),
        }
    }

    /// What tells one asset from another: the register's id, or the tag as typed.
    pub fn key(&self) -> String {
        self.id.clone().unwrap_or_else(|| self.tag.to_lowercase())
    }
}

/// A text field a person typed: trimmed; `None` when empty unless `required` (then an
/// error); at most `max` characters; on one line unless `lines`.
pub(crate) fn text(
    value: Option<&str>,
    what: &'static str,
    max: usize,
    required: bool,
    lines: bool,
) -> Result<Option<String>> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let Some(v) = value else {
        return if required {
            Err(Error::Invalid { what, reason: "is empty".into() })
        } else {
            Ok(None)
        };
    };
    if v.chars().count() > max {
        return Err(Error::Invalid {
            what,
            reason: format!("is longer than {} characters", crate::words::count(max)),
        });
    }
    if v.chars().any(|c| c.is_control() && !(lines && matches!(c, '\n' | '\t'))) {
        let reason = if lines { "holds a control character" } else { "must be on one line" };
        return Err(Error::Invalid { what, reason: reason.into() });
    }
    Ok(Some(v.to_owned()))
}

/// The SHA-256 (hex) of a record as written: of `serde_json::to_vec(record)`, its compact
/// JSON, which its log entry carries (`record`); a record changed afterwards no longer has
/// it. Records keep their fields' order and leave out an absent optional field, so the same
/// record always writes the same JSON: an export that carries that JSON lets anyone check
/// it against the signed entry with a SHA-256 tool.
pub fn record_digest<T: Serialize>(record: &T) -> Result<String> {
    let json = serde_json::to_vec(record)
        .map_err(|e| Error::Invalid { what: "record", reason: e.to_string() })?;
    Ok(data_encoding::HEXLOWER.encode(&crate::crypto::sha256(&[&json])))
}

/// The next number of an incident's items (`{incident}-E3`, `{incident}-I12`): one more than
/// the highest of `ids` with that prefix.
pub(crate) fn next_id<'a>(
    incident: &str,
    letter: char,
    ids: impl Iterator<Item = &'a str>,
) -> String {
    let prefix = format!("{incident}-{letter}");
    let highest = ids
        .filter_map(|id| id.strip_prefix(&prefix).and_then(|n| n.parse::<u32>().ok()))
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

/// The error for a record whose log entry says otherwise (changed, or put back older).
pub(crate) fn changed(what: String) -> Error {
    Error::Damaged { what: format!("{what} (it is not what the activity log recorded)") }
}

/// A forensic log entry in words, as an incident's activity shows it (the HICS 214, the
/// review): never an indicator's value, which its entry does not hold.
pub fn entry_words(event: &crate::events::Event) -> String {
    use crate::events::Event;
    let and =
        |c: &Option<String>| c.as_ref().map(|c| format!(" (condition: {c})")).unwrap_or_default();
    match event {
        Event::EvidenceAdded { item, what, sha256, .. } => format!(
            "{item}, {}{}",
            what.label().to_lowercase(),
            sha256.as_ref().map(|h| format!(", SHA-256 {h}")).unwrap_or_default()
        ),
        Event::CustodyTransferred { item, from, to, purpose, condition } => {
            format!("{item} from {from} to {to} for {purpose}{}", and(condition))
        }
        Event::CustodyConfirmed { item, transfer, condition } => {
            format!("{item}, the hand-over of entry {transfer} confirmed{}", and(condition))
        }
        Event::EvidenceVerified { item, matches: true, .. } => format!("{item}, the file matches"),
        Event::EvidenceVerified { item, matches: false, .. } => {
            format!("{item}, the file DOES NOT MATCH its SHA-256")
        }
        Event::IndicatorAdded { indicator, what, tlp, .. } => {
            format!("{indicator}, {} ({})", what.label(), tlp.label())
        }
        Event::IndicatorsShared { format, indicators, tlp_max } => format!(
            "{} as {} up to {}",
            crate::words::counted(indicators.len(), "indicator", "indicators"),
            format.to_uppercase(),
            tlp_max.label()
        ),
        Event::FindingsRecorded { fields } => fields.join(", "),
        other => other.kind().replace('_', " "),
    }
}

#[cfg(test)]
mod tests;
