//! Collecting the fleet folder: every workstation's segments read in order, each checked
//! against the workstation's pinned key and against what was imported before, then
//! imported with the log import's idempotence (`Session::import_log`, one transaction a
//! segment, so a refusal loses nothing imported before it). The report says, per
//! workstation, what was imported, what was refused and why, and whether it has gone quiet.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{FleetKeys, KEY_FILE, KEYS, Pinned, Trust, parse_segment_name, read_status};
use crate::log::{self, PublicKey};
use crate::store::{Permission, Session};
use crate::{Error, Result};

/// A segment larger than this is refused unread (a segment holds the entries of a few
/// minutes; the whole log of a busy year is a few megabytes).
pub const SEGMENT_LIMIT: u64 = 256 * 1024 * 1024;

/// Why a segment or a workstation was refused: a stable code for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refused {
    /// The folder has no readable `key.pem`.
    NoKey,
    /// No key is enrolled for it and collecting was told to pin none (`--require-enrolled`).
    Unenrolled,
    /// Its key is not the one pinned for it: refused until an admin accepts it.
    KeyChanged,
    /// A segment signed by another key than the workstation's pinned one.
    UnknownKey,
    /// A segment that does not verify: cut off mid-write, or altered (forged).
    Broken,
    /// Entries missing between what was collected and this segment.
    Gap,
    /// A segment whose content is not the entries its name says: an old one replayed.
    Replayed,
    /// The import refused it (it disagrees with what was imported before).
    Import,
}

/// One refusal: the file (or the key), the code, and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub file: String,
    pub code: Refused,
    pub reason: String,
}

/// What collecting did for one workstation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Workstation {
    /// Its folder's name (its log id).
    pub workstation: String,
    /// The fingerprint of the key its segments were checked against.
    pub key: Option<String>,
    /// Segments read and imported now, and the entries they brought.
    pub segments: u64,
    pub imported: u64,
    /// Segments collected before (skipped).
    pub already_collected: u64,
    /// Entries of its log in this store now.
    pub entries: u64,
    pub refused: Vec<Refusal>,
    pub warnings: Vec<String>,
    /// When it last published, as its status says.
    pub last_published: Option<DateTime<Utc>>,
    pub pack_version: Option<u64>,
    /// Not published for the days asked (or never).
    pub stale: bool,
    /// This workstation's own folder (nothing to import).
    pub this_workstation: bool,
}

/// The whole collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub dir: PathBuf,
    pub stale_days: u32,
    pub workstations: Vec<Workstation>,
}

/// How to collect.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub now: DateTime<Utc>,
    pub stale_days: u32,
    /// Pin no key on first collection: a workstation must be enrolled first.
    pub require_enrolled: bool,
    /// Import nothing: the status only.
    pub read_only: bool,
}

impl Session {
    /// Collects (or, `read_only`, reads the status of) every workstation folder of `dir`.
    /// Admins.
    pub fn collect_fleet(&self, dir: &Path, o: Options) -> Result<Report> {
        self.require(Permission::CollectFleet, "collect the fleet folder")?;
        let mut names = workstation_folders(dir)?;
        names.sort();
        let mut keys: FleetKeys = self.get(KEYS)?.unwrap_or_default();
        let before = keys.clone();
        let own = log::log_id(self.workstation_key()?.as_bytes());
        let mut report =
            Report { dir: dir.to_path_buf(), stale_days: o.stale_days, ..Report::default() };
        for name in names {
            let folder = dir.join(&name);
            let mut w = Workstation { workstation: name.clone(), ..Workstation::default() };
            if let Some(s) = read_status(&folder) {
                w.last_published = Some(s.published);
                w.pack_version = s.pack_version;
            }
            w.stale = w
                .last_published
                .is_none_or(|at| o.now - at > chrono::Duration::days(i64::from(o.stale_days)));
            if let Some(key) = self.trusted_key(&folder, &mut keys, &mut w, o) {
                let log = log::log_id(key.as_bytes());
                w.key = Some(key.fingerprint());
                w.this_workstation = log == own;
                if !w.this_workstation && !o.read_only {
                    self.collect_segments(&folder, &key, &mut w)?;
                }
                w.entries = self.imported_size(&log)?;
            } else if let Some(pinned) = keys.workstations.get(&w.workstation)
                && let Ok(key) = PublicKey::parse(&pinned.key)
            {
                // Refused: what was collected under its pinned key is still here.
                w.entries = self.imported_size(&log::log_id(key.as_bytes()))?;
            }
            report.workstations.push(w);
        }
        if keys != before && !o.read_only {
            self.put(KEYS, &keys)?;
        }
        Ok(report)
    }

    /// The key a workstation's segments are checked against: its pinned key, or its
    /// folder's key pinned now (with a warning); `None` (refused) when its folder shows
    /// another key than the pinned one, or none.
    fn trusted_key(
        &self,
        folder: &Path,
        keys: &mut FleetKeys,
        w: &mut Workstation,
        o: Options,
    ) -> Option<PublicKey> {
        let shown = super::read_small(&folder.join(KEY_FILE))
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| PublicKey::parse(&text).ok());
        let refuse = |w: &mut Workstation, code, reason: String| {
            w.refused.push(Refusal { file: KEY_FILE.into(), code, reason });
        };
        let Some(shown) = shown else {
            refuse(w, Refused::NoKey, "the folder has no readable public key".into());
            return None;
        };
        let shown_b64 = shown.base64();
        match keys.workstations.get_mut(&w.workstation) {
            None if o.require_enrolled => {
                let reason = format!(
                    "no key is enrolled for this workstation (its folder shows {}): enroll it with `caregiver fleet enroll {} --key FILE`",
                    shown.fingerprint(),
                    w.workstation
                );
                refuse(w, Refused::Unenrolled, reason);
                None
            }
            None if o.read_only => {
                w.warnings.push(format!(
                    "its key {} is not pinned yet: the first collection pins it",
                    shown.fingerprint()
                ));
                Some(shown)
            }
            None => {
                w.warnings.push(format!(
                    "its key {} was pinned now, the first time it was collected: compare it with `caregiver log key` on that workstation",
                    shown.fingerprint()
                ));
                let pinned = Pinned {
                    key: shown_b64,
                    trust: Trust::FirstCollected,
                    at: o.now,
                    offered: None,
                    earlier: Vec::new(),
                };
                keys.workstations.insert(w.workstation.clone(), pinned);
                Some(shown)
            }
            Some(p) if p.key == shown_b64 => PublicKey::parse(&p.key).ok(),
            Some(p) => {
                let was = PublicKey::parse(&p.key).map(|k| k.fingerprint()).unwrap_or_default();
                p.offered = Some(shown_b64);
                let reason = format!(
                    "its key changed from {was} to {}: nothing is collected from it until an admin accepts the new key (`caregiver fleet accept {}`)",
                    shown.fingerprint(),
                    w.workstation
                );
                refuse(w, Refused::KeyChanged, reason);
                None
            }
        }
    }

    /// Reads a workstation's segments in order and imports what is new; stops at the first
    /// refusal (what follows it would leave a gap).
    fn collect_segments(&self, folder: &Path, key: &PublicKey, w: &mut Workstation) -> Result<()> {
        let log = log::log_id(key.as_bytes());
        let mut segments: Vec<(u64, u64, String)> = std::fs::read_dir(folder)
            .map_err(Error::io("read", folder))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| parse_segment_name(&name).map(|(a, b)| (a, b, name)))
            .collect();
        segments.sort();
        for (first, last, name) in segments {
            let known = self.imported_size(&log)?;
            if last <= known {
                w.already_collected += 1;
                continue;
            }
            let mut refuse = |code, reason: String| {
                w.refused.push(Refusal { file: name.clone(), code, reason });
            };
            if first > known + 1 {
                let reason = format!(
                    "a gap: entries {} to {} are in no segment collected; this one starts at entry {first}",
                    known + 1,
                    first - 1
                );
                refuse(Refused::Gap, reason);
                break;
            }
            let text = match read_segment(&folder.join(&name)) {
                Ok(text) => text,
                Err(reason) => {
                    refuse(Refused::Broken, reason);
                    break;
                }
            };
            let v = match log::verify_bundle(text.as_bytes(), Some(key)) {
                Ok(v) => v,
                Err(e @ Error::SignerMismatch { .. }) => {
                    refuse(Refused::UnknownKey, e.to_string());
                    break;
                }
                Err(e) => {
                    refuse(Refused::Broken, e.to_string());
                    break;
                }
            };
            if v.from + 1 != first || v.entries != last {
                let reason = format!(
                    "named for entries {first} to {last}, it holds entries {} to {}: an old segment replayed or renamed",
                    v.from + 1,
                    v.entries
                );
                refuse(Refused::Replayed, reason);
                break;
            }
            match self.import_log(&text) {
                Ok(imported) => {
                    w.segments += 1;
                    w.imported += imported.new_entries;
                }
                Err(e) => {
                    refuse(Refused::Import, e.to_string());
                    break;
                }
            }
        }
        Ok(())
    }

    /// Pins a workstation's key from a copy an admin holds (replacing any pinned or offered
    /// one). Admins.
    pub fn enroll_workstation(
        &self,
        workstation: &str,
        key: &PublicKey,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.require(Permission::CollectFleet, "enroll a workstation")?;
        check_name(workstation)?;
        let mut keys: FleetKeys = self.get(KEYS)?.unwrap_or_default();
        let mut earlier = Vec::new();
        if let Some(before) = keys.workstations.remove(workstation) {
            earlier = before.earlier;
            earlier.push(before.key);
            earlier.retain(|k| *k != key.base64());
        }
        let pinned =
            Pinned { key: key.base64(), trust: Trust::Enrolled, at: now, offered: None, earlier };
        keys.workstations.insert(workstation.to_owned(), pinned);
        self.put(KEYS, &keys)?;
        Ok(())
    }

    /// Accepts the changed key a workstation's folder showed at the last collection.
    /// Admins. Returns the new key's fingerprint.
    pub fn accept_workstation_key(&self, workstation: &str, now: DateTime<Utc>) -> Result<String> {
        self.require(Permission::CollectFleet, "accept a workstation's new key")?;
        let mut keys: FleetKeys = self.get(KEYS)?.unwrap_or_default();
        let nothing = || Error::Invalid {
            what: "workstation",
            reason: format!(
                "`{workstation}` shows no changed key to accept (collect the fleet folder first)"
            ),
        };
        let p = keys.workstations.get_mut(workstation).ok_or_else(nothing)?;
        let offered = p.offered.take().ok_or_else(nothing)?;
        let fingerprint = PublicKey::parse(&offered)?.fingerprint();
        let mut earlier = std::mem::take(&mut p.earlier);
        earlier.push(std::mem::take(&mut p.key));
        *p = Pinned { key: offered, trust: Trust::Accepted, at: now, offered: None, earlier };
        self.put(KEYS, &keys)?;
        Ok(fingerprint)
    }
}

fn check_name(workstation: &str) -> Result<()> {
    if super::valid_workstation(workstation) {
        Ok(())
    } else {
        Err(Error::Invalid {
            what: "workstation",
            reason: "a workstation is named by its folder: letters, digits, - and _ only".into(),
        })
    }
}

/// The workstation folders of the fleet folder (hidden ones and other files left out).
fn workstation_folders(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Invalid {
        what: "fleet folder",
        reason: format!("{} cannot be read: {e}", dir.display()),
    })?;
    Ok(entries
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().into_string().ok()?;
            (e.file_type().ok()?.is_dir() && super::valid_workstation(&name)).then_some(name)
        })
        .collect())
}

/// A segment's text: refused (with the reason) when too large, unreadable or not UTF-8.
fn read_segment(path: &Path) -> std::result::Result<String, String> {
    let size = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?.len();
    if size > SEGMENT_LIMIT {
        return Err(format!("{size} bytes, over the limit of {SEGMENT_LIMIT}"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text: damaged".into())
}
