//! Evidence items: what each is, where it is kept, who collected it and when, the asset it
//! came from, its SHA-256 and how that was made (streamed from the file by the app, or as a
//! write-blocker or imaging tool reported it), and its chain of custody ([`super::custody`]).
//!
//! An item is one sealed record (`Kind::Evidence`, under a random record id; the item's own
//! id, `{incident}-E{n}`, which people write on the bag, is sealed inside), written in one
//! transaction with an `evidence_added` entry in the adder's name that carries the item's
//! SHA-256 and the SHA-256 of the record as written. A record is never changed afterwards:
//! every read compares it with its entry, and one that differs (re-sealed by someone holding
//! the main key, or put back from an older copy) is an error naming the item.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::custody::{self, Custody};
use super::hash::FileHash;
use super::{AssetRef, changed, next_id, record_digest, text};
use crate::events::{self, Event};
use crate::incident::Incident;
use crate::store::{Kind, Permission, Record, Role, Session, new_record_id};
use crate::{Error, Result};

crate::choices::choices! {
    /// What an evidence item is.
    EvidenceKind, "kind of evidence" {
        DiskImage = "disk-image", "Disk image";
        MemoryCapture = "memory-capture", "Memory capture";
        LogExport = "log-export", "Log export";
        RansomNotePhoto = "ransom-note-photo", "Ransom note photo";
        UsbStick = "usb-stick", "USB stick";
        Paper = "paper", "Paper";
        Other = "other", "Other";
    }
}

/// How an item's SHA-256 was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum HashSource {
    /// Streamed from the file by this app: the file's name and size.
    App { file: String, bytes: u64 },
    /// Made elsewhere (a write-blocker's report, an imaging tool) and typed in.
    Tool { tool: String },
}

/// An item's SHA-256 (lower-case hex) and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceHash {
    pub sha256: String,
    #[serde(flatten)]
    pub source: HashSource,
}

impl EvidenceHash {
    /// The hash of a file as the app streamed it.
    pub fn of_file(file: &FileHash) -> Self {
        EvidenceHash {
            sha256: file.sha256.clone(),
            source: HashSource::App { file: file.file.clone(), bytes: file.bytes },
        }
    }

    /// A hash made elsewhere: checked to be 64 hexadecimal digits; the tool named.
    pub fn of_tool(sha256: &str, tool: &str) -> Result<Self> {
        EvidenceHash {
            sha256: sha256.to_owned(),
            source: HashSource::Tool { tool: tool.to_owned() },
        }
        .checked()
    }

    /// Checked as it will be kept, whoever made it (a front end may send one whole): the
    /// SHA-256 64 hexadecimal digits, in lower case; the tool or the file named.
    pub fn checked(self) -> Result<Self> {
        let one_line = |value: &str, what, max| {
            text(Some(value), what, max, true, false).map(Option::unwrap_or_default)
        };
        let source = match self.source {
            HashSource::Tool { tool } => {
                HashSource::Tool { tool: one_line(&tool, "tool", crate::limits::MAX_TEXT_CHARS)? }
            }
            // A file name is at most 255 bytes on every file system.
            HashSource::App { file, bytes } => {
                HashSource::App { file: one_line(&file, "file name", 255)?, bytes }
            }
        };
        Ok(EvidenceHash { sha256: super::hash::sha256_hex(&self.sha256)?, source })
    }

    /// How it was made, in words.
    pub fn made_by(&self) -> String {
        match &self.source {
            HashSource::App { file, bytes } => {
                format!(
                    "computed by Caregiver Playbook from {file} ({} bytes)",
                    crate::words::count(*bytes as usize)
                )
            }
            HashSource::Tool { tool } => format!("recorded from {tool}"),
        }
    }
}

/// One evidence item, as recorded when it was added (never changed afterwards: new fields
/// are optional and left out when absent, so its record digest stays what the log says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// `{incident}-E{n}`: what people write on the bag and type.
    pub id: String,
    pub incident: String,
    pub kind: EvidenceKind,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_at: Option<String>,
    pub collected_by: String,
    pub collected: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<EvidenceHash>,
    /// Who added it (its first holder) and when.
    pub added_by: String,
    pub added: DateTime<Utc>,
}

impl Record for EvidenceItem {
    const KIND: Kind = Kind::Evidence;
}

/// A new evidence item as a person describes it. `collected_by` defaults to the person
/// adding it, `collected` to now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct NewEvidence {
    pub kind: Option<EvidenceKind>,
    pub description: String,
    pub kept_at: Option<String>,
    pub collected_by: Option<String>,
    pub collected: Option<DateTime<Utc>>,
    /// The asset it came from, its tag or id as typed (checked against the asset register
    /// by the application layer).
    pub asset: Option<String>,
    /// `None`: a physical item with nothing to hash (paper, the stick itself).
    pub hash: Option<EvidenceHash>,
}

/// An item with its chain of custody, as every view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceView {
    pub item: EvidenceItem,
    #[serde(flatten)]
    pub custody: Custody,
}

/// Adds an evidence item to an incident (incident leads and admins): the record and its
/// `evidence_added` entry in one write. The adder is its first holder.
pub fn add(
    session: &Session,
    incident: &Incident,
    new: NewEvidence,
    asset: Option<AssetRef>,
) -> Result<EvidenceView> {
    let action = "add evidence";
    session.require(Permission::ManageEvidence, action)?;
    let now = session.now();
    let description =
        text(Some(&new.description), "description", crate::limits::MAX_NOTES_CHARS, true, true)?
            .unwrap_or_default();
    let kept_at = text(
        new.kept_at.as_deref(),
        "where it is kept",
        crate::limits::MAX_TEXT_CHARS,
        false,
        false,
    )?;
    let collected_by = text(new.collected_by.as_deref(), "collected by", 80, false, false)?
        .unwrap_or_else(|| session.user_name().to_owned());
    let hash = new.hash.map(EvidenceHash::checked).transpose()?;
    let collected = new.collected.unwrap_or(now);
    if collected > now + Duration::minutes(5) {
        return Err(Error::Invalid { what: "collection time", reason: "is in the future".into() });
    }
    let record_id = new_record_id()?;
    session
        .write(|w| {
            w.require(Permission::ManageEvidence, action)?;
            // Numbered inside the write: no other writer can take the same number meanwhile.
            let held = session.list::<EvidenceItem>()?;
            let id = next_id(&incident.id, 'E', held.iter().map(|r| r.value.id.as_str()));
            let item = EvidenceItem {
                id,
                incident: incident.id.clone(),
                kind: new.kind.unwrap_or(EvidenceKind::Other),
                description,
                kept_at,
                collected_by,
                collected,
                asset,
                hash,
                added_by: session.user_name().to_owned(),
                added: now,
            };
            let event = Event::EvidenceAdded {
                item: item.id.clone(),
                record: record_digest(&item)?,
                sha256: item.hash.as_ref().map(|h| h.sha256.clone()),
                what: item.kind,
            };
            w.put(&record_id, &item)?;
            w.append(Some(&incident.id), &event)?;
            Ok(item.id)
        })
        .and_then(|id| view_of(session, &incident.id, &id))
}

/// Whether `user` (holding `role`) sees this item: incident leads and admins see every
/// item; anyone else the items that passed, or are passing, through their hands.
pub fn may_see(role: Role, user: &str, custody: &Custody) -> bool {
    role.may(Permission::ManageEvidence) || custody.involves(user)
}

/// Every item of an incident with its custody, in the order they were added: every item
/// for incident leads and admins; for anyone else, those that passed through their hands.
/// Each record is checked against its log entry.
pub fn list(session: &Session, incident: &str) -> Result<Vec<EvidenceView>> {
    let entries = session.events(Some(incident))?;
    views(session, incident, &entries)
}

/// [`list`] from the incident's entries, read once by the caller.
pub fn views(
    session: &Session,
    incident: &str,
    entries: &[events::Entry],
) -> Result<Vec<EvidenceView>> {
    let role = session.role_now()?;
    let user = session.user_name();
    let mut chains = custody::replay(entries);
    let mut out = Vec::new();
    for stored in session.list::<EvidenceItem>()? {
        let item = stored.value;
        if item.incident != incident {
            continue;
        }
        let custody = chains.remove(&item.id).unwrap_or_default();
        check(&item, &custody)?;
        if may_see(role, user, &custody) {
            out.push(EvidenceView { item, custody });
        }
    }
    if let Some(id) = chains.into_iter().find(|(_, c)| c.added.is_some()).map(|(id, _)| id) {
        return Err(changed(format!("the log's evidence item {id}, whose record is missing,")));
    }
    out.sort_by_key(|v| v.custody.added.as_ref().map_or(0, |a| a.entry));
    Ok(out)
}

/// The record must be what its `evidence_added` entry recorded.
fn check(item: &EvidenceItem, custody: &Custody) -> Result<()> {
    let logged = custody.added.as_ref().map(|a| (a.record.as_str(), a.sha256.as_deref()));
    let digest = record_digest(item)?;
    let sha256 = item.hash.as_ref().map(|h| h.sha256.as_str());
    if logged == Some((digest.as_str(), sha256)) {
        Ok(())
    } else {
        Err(changed(format!("the evidence item {}", item.id)))
    }
}

/// One item by its id (`{incident}-E{n}`), for those who may see it.
pub fn get(session: &Session, id: &str) -> Result<EvidenceView> {
    let incident = session
        .list::<EvidenceItem>()?
        .into_iter()
        .find(|r| r.value.id == id)
        .map(|r| r.value.incident)
        .ok_or_else(|| no_item(id))?;
    view_of(session, &incident, id)
}

fn no_item(id: &str) -> Error {
    Error::Invalid {
        what: "evidence item",
        reason: format!("no evidence item `{}`", crate::limits::quoted(id)),
    }
}

fn view_of(session: &Session, incident: &str, id: &str) -> Result<EvidenceView> {
    let entries = session.events(Some(incident))?;
    let item = session
        .list::<EvidenceItem>()?
        .into_iter()
        .map(|r| r.value)
        .find(|i| i.id == id)
        .ok_or_else(|| no_item(id))?;
    let custody = custody::replay(&entries).remove(id).unwrap_or_default();
    check(&item, &custody)?;
    if !may_see(session.role_now()?, session.user_name(), &custody) {
        return Err(Error::PermissionDenied {
            action: "see this evidence item",
            needed: "incident leads, admins and the people it passed through",
        });
    }
    Ok(EvidenceView { item, custody })
}

/// Re-hashes an item's file: whether the file still has the SHA-256 recorded for the item.
/// The check is logged (`evidence_verified`) whatever it finds. Incident leads and admins,
/// the item's holder, or the person a hand-over of it is addressed to.
pub fn verify(session: &Session, id: &str, file: &FileHash) -> Result<Verification> {
    let user = session.user_name();
    let entry = session.write(|w| {
        // Read inside the write: the custody it is checked against is the latest.
        let view = get(session, id)?;
        let c = &view.custody;
        let may = w.role().may(Permission::ManageEvidence)
            || c.holder.eq_ignore_ascii_case(user)
            || c.pending().is_some_and(|t| t.to.eq_ignore_ascii_case(user));
        if !may {
            return Err(Error::PermissionDenied {
                action: "check this evidence item",
                needed: "incident leads, admins, its holder and the person it is being handed to",
            });
        }
        let Some(recorded) = &view.item.hash else {
            return Err(Error::Invalid {
                what: "evidence item",
                reason: format!(
                    "{id} has no SHA-256 recorded: there is nothing to check the file against"
                ),
            });
        };
        let matches = recorded.sha256 == file.sha256;
        let event =
            Event::EvidenceVerified { item: id.to_owned(), matches, sha256: file.sha256.clone() };
        Ok((w.append(Some(&view.item.incident), &event)?, matches, recorded.sha256.clone()))
    })?;
    let (entry, matches, recorded) = entry;
    Ok(Verification { item: id.to_owned(), matches, found: file.sha256.clone(), recorded, entry })
}

/// What re-hashing an item's file found: whether it matches, both hashes, and the log entry
/// that records the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub item: String,
    pub matches: bool,
    pub found: String,
    pub recorded: String,
    pub entry: u64,
}

impl Verification {
    /// A mismatch as the error a script sees (`evidence_mismatch`).
    pub fn mismatch(&self) -> Option<Error> {
        (!self.matches).then(|| Error::EvidenceMismatch {
            item: self.item.clone(),
            found: self.found.clone(),
            recorded: self.recorded.clone(),
        })
    }
}
