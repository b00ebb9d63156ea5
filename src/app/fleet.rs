//! The fleet folder (issue 22; `docs/fleet.md`): where it is (the managed configuration's,
//! else the one an admin set), publishing this workstation's log into it (asked for, or at
//! unlock, lock and every few minutes, when a missing folder only means "later"), and, on
//! an admin's workstation, collecting every workstation's log from it, their keys and
//! their status.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::App;
use crate::fleet::collect::{Options, Report};
use crate::fleet::publish::{self, Publication};
use crate::fleet::{CURSOR, Cursor, Status};
use crate::log::{self, PublicKey};
use crate::{Error, Result};

/// What one publish did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// The workstation's folder in the fleet folder.
    pub folder: PathBuf,
    /// The segment written: its first and last entries (none when nothing was new).
    pub segment: Option<(u64, u64)>,
    /// Entries published in all.
    pub entries: u64,
    pub at: DateTime<Utc>,
}

/// The periodic publish: done, nothing to do (no folder set), or to be tried again later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Attempt {
    Published(Published),
    NoFolder,
    RetryLater { reason: String },
}

impl App {
    /// The fleet folder in force: the managed configuration's, else the one an admin set.
    pub fn fleet_dir(&self) -> Result<Option<PathBuf>> {
        if let Some(dir) = self.managed().and_then(|m| m.settings.fleet_dir.clone()) {
            return Ok(Some(dir));
        }
        Ok(self.user()?.settings()?.fleet_dir.map(PathBuf::from))
    }

    /// Sets the fleet folder (a full path), or none. Admins, unless IT's policy forbids it.
    pub fn set_fleet_dir(&mut self, dir: Option<&str>) -> Result<()> {
        self.refuse_if_managed("the fleet folder")?;
        if let Some(dir) = dir
            && (dir.len() > 4096 || !Path::new(dir).is_absolute())
        {
            return Err(Error::Invalid {
                what: "fleet folder",
                reason: "must be a full path (such as /mnt/fleet or \\\\server\\share\\fleet)"
                    .into(),
            });
        }
        self.user()?.set_fleet_dir(dir)
    }

    /// Publishes the entries new since the last publish into the fleet folder, with the
    /// key and the status (anyone signed in). A folder not set or not reachable is an
    /// error naming it; nothing is half-written and the next publish starts from the same
    /// entry.
    pub fn publish_fleet(&self) -> Result<Published> {
        let dir = self.fleet_dir()?.ok_or_else(|| Error::Invalid {
            what: "fleet folder",
            reason: "none is set: an admin sets one (`caregiver settings fleet-dir PATH`), or \
                     IT's managed configuration names one"
                .into(),
        })?;
        let session = self.user()?;
        let key = session.workstation_key()?;
        let log = log::log_id(key.as_bytes());
        let mut cursor: Cursor = session.get(CURSOR)?.unwrap_or_default();
        let dir_text = dir.display().to_string();
        // Another folder, or this workstation's folder gone from it: start from the first.
        if cursor.dir != dir_text || !dir.join(&log).is_dir() {
            cursor = Cursor { dir: dir_text, ..Cursor::default() };
        }
        let segment = session.log_segment(cursor.entries)?;
        let at = self.now();
        let entries = segment.as_ref().map_or(cursor.entries, |s| s.1);
        let pack_version = self.pack_info().ok().flatten().map(|info| info.version);
        let status = Status { log: log.clone(), published: at, entries, pack_version };
        let first = cursor.entries + 1;
        let folder = publish::write(
            &dir,
            &Publication {
                log: &log,
                key_pem: &key.pem(),
                segment: segment.as_ref().map(|(bytes, last)| (bytes.as_slice(), first, *last)),
                status: &status,
            },
        )?;
        cursor.entries = entries;
        cursor.published = Some(at);
        session.put(CURSOR, &cursor)?;
        Ok(Published { folder, segment: segment.map(|(_, last)| (first, last)), entries, at })
    }

    /// The publish the window makes at unlock, at lock and every few minutes: never an
    /// error, a folder missing or unreachable is tried again at the next one.
    pub fn publish_fleet_quietly(&self) -> Attempt {
        match self.fleet_dir() {
            Ok(None) => return Attempt::NoFolder,
            Ok(Some(_)) => {}
            Err(e) => return Attempt::RetryLater { reason: e.to_string() },
        }
        match self.publish_fleet() {
            Ok(p) => Attempt::Published(p),
            Err(e) => Attempt::RetryLater { reason: e.to_string() },
        }
    }

    /// When this workstation last published into the fleet folder in force, if it has.
    pub fn fleet_last_published(&self) -> Result<Option<DateTime<Utc>>> {
        let cursor: Option<Cursor> = self.user()?.get(CURSOR)?;
        let dir = self.fleet_dir()?.map(|d| d.display().to_string());
        Ok(cursor.filter(|c| Some(&c.dir) == dir.as_ref()).and_then(|c| c.published))
    }

    /// Collects every workstation's log from `dir` (admins): what was imported, what was
    /// refused and why, which have not published for `stale_days`.
    pub fn collect_fleet(
        &self,
        dir: &Path,
        stale_days: u32,
        require_enrolled: bool,
    ) -> Result<Report> {
        let o = Options { now: self.now(), stale_days, require_enrolled, read_only: false };
        self.user()?.collect_fleet(dir, o)
    }

    /// The workstations of `dir` (else the fleet folder in force), each with when it last
    /// published, the pack it has in force, its key's standing and the entries collected
    /// (admins). Reads only.
    pub fn fleet_status(&self, dir: Option<&Path>, stale_days: u32) -> Result<Report> {
        let dir = match dir {
            Some(d) => d.to_path_buf(),
            None => self.fleet_dir()?.ok_or_else(|| Error::Invalid {
                what: "fleet folder",
                reason: "none is set: name one (`--dir DIR`)".into(),
            })?,
        };
        let o = Options { now: self.now(), stale_days, require_enrolled: false, read_only: true };
        self.user()?.collect_fleet(&dir, o)
    }

    /// Enrolls a workstation's key from a trusted copy (base64 or PEM, or a file holding
    /// it), as `caregiver log key` shows it on that workstation (admins). Returns its
    /// fingerprint.
    pub fn enroll_workstation(&self, workstation: &str, key: &str) -> Result<String> {
        let key = PublicKey::read(key)?;
        self.user()?.enroll_workstation(workstation, &key, self.now())?;
        Ok(key.fingerprint())
    }

    /// Accepts the changed key a workstation showed at the last collection (admins).
    pub fn accept_workstation_key(&self, workstation: &str) -> Result<String> {
        self.user()?.accept_workstation_key(workstation, self.now())
    }
}
