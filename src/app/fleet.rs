//! The fleet folder (issue 22; `docs/fleet.md`): where it is (the managed configuration's,
//! else the one an admin set), publishing this workstation's log into it (asked for, or at
//! unlock, lock and every few minutes, when a missing folder only means "later"), and, on
//! an admin's workstation, collecting every workstation's log from it, their keys and
//! their status.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// How often the window publishes while someone is signed in. Five minutes: an entry
/// reaches the admin's collection within minutes even when nobody locks for a whole shift,
/// and 5,000 workstations make about 17 small writes a second on the share (a segment, a
/// status), light for any file server; an unreachable share costs one failed look per
/// period.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(5 * 60);

/// A publication built under the app's lock (`App::prepare_fleet_publish`), written with
/// nothing of the app held (`Prepared::write`), then ended under the lock again
/// (`App::finish_fleet_publish`).
pub struct Prepared {
    dir: PathBuf,
    log: String,
    key_pem: String,
    /// The cursor as the publication found it: moved on only if it is still this one.
    from: Cursor,
    /// The entries published before this publication's segment.
    start: u64,
    /// The new entries: (bytes, first entry, last entry).
    segment: Option<(Vec<u8>, u64, u64)>,
    status: Status,
    /// The cursor once written.
    to: Cursor,
}

/// Entry numbers only: the segment's bytes are the log's.
impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("dir", &self.dir)
            .field("log", &self.log)
            .field("from", &self.from)
            .field("segment", &self.segment.as_ref().map(|s| (s.1, s.2)))
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// What writing a publication did.
#[derive(Debug)]
pub enum Written {
    /// Its files are in place, in this workstation's folder.
    Done(PathBuf),
    /// This workstation's folder is gone from the fleet folder (a new USB stick, an
    /// emptied share): the whole log is published again, from entry 1.
    FolderGone,
    /// The fleet folder could not be reached or written: nothing half-written.
    Failed(Error),
}

impl Prepared {
    /// Writes the publication into the fleet folder, each file whole or not at all. Holds
    /// nothing of the app: a share that hangs delays only this.
    pub fn write(&self) -> Written {
        if let Err(e) = publish::reachable(&self.dir) {
            return Written::Failed(e);
        }
        if self.start > 0 && !self.dir.join(&self.log).is_dir() {
            return Written::FolderGone;
        }
        let publication = Publication {
            log: &self.log,
            key_pem: &self.key_pem,
            segment: self.segment.as_ref().map(|(bytes, a, b)| (bytes.as_slice(), *a, *b)),
            status: &self.status,
        };
        match publish::write(&self.dir, &publication) {
            Ok(folder) => Written::Done(folder),
            Err(e) => Written::Failed(e),
        }
    }

    /// The entries this publication's segment holds, if it has one.
    pub fn segment(&self) -> Option<(u64, u64)> {
        self.segment.as_ref().map(|s| (s.1, s.2))
    }
}

/// What the window says of publishing (`App::fleet_publishing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publishing {
    /// The fleet folder in force (none: this workstation does not publish).
    pub folder: Option<String>,
    /// When this workstation last published into it.
    pub last_published: Option<DateTime<Utc>>,
    /// Why the last try failed, when it did: it is tried again at the next.
    pub retrying: Option<String>,
    /// How often the window publishes (minutes).
    pub every_minutes: u64,
}

/// What the app remembers of publishing while it runs (kept across locks: none of it is
/// the log's content).
#[derive(Debug, Default)]
pub(super) struct Memory {
    /// A cursor move a publish ended while locked could not make: (from, to).
    pending: Option<(Cursor, Cursor)>,
    /// The last try: the folder, and why it failed if it did.
    tried: Option<Tried>,
    /// When the last try that wrote its files published.
    published: Option<DateTime<Utc>>,
    /// The SIEM forward's last failure, until one succeeds (`siem.rs`).
    pub(super) siem_failed: Option<super::siem::Failure>,
}

#[derive(Debug)]
struct Tried {
    dir: String,
    failed: Option<String>,
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
        Self::publish_with(|| self)?.ok_or_else(|| Error::Invalid {
            what: "fleet folder",
            reason: "none is set: an admin sets one (`caregiver settings fleet-dir PATH`), or \
                     IT's managed configuration names one"
                .into(),
        })
    }

    /// The publish the window makes at unlock, at lock and every few minutes: never an
    /// error, a folder missing or unreachable is tried again at the next one.
    pub fn publish_fleet_quietly(&self) -> Attempt {
        Self::quietly(Self::publish_with(|| self))
    }

    /// The window's publish, the app behind a lock that `take` takes: the publication is
    /// built with the app taken, written with nothing of it held (a share that hangs
    /// delays no window command), and the cursor moved on with the app taken again.
    pub fn publish_fleet_off_lock<G: Deref<Target = App>>(take: impl Fn() -> G) -> Attempt {
        Self::quietly(Self::publish_with(take))
    }

    fn quietly(done: Result<Option<Published>>) -> Attempt {
        match done {
            Ok(Some(p)) => Attempt::Published(p),
            Ok(None) => Attempt::NoFolder,
            Err(e) => Attempt::RetryLater { reason: e.to_string() },
        }
    }

    /// Prepares, writes (with nothing taken) and finishes one publish; once more from
    /// entry 1 when this workstation's folder is gone from the fleet folder. `None`: no
    /// folder is set.
    fn publish_with<G: Deref<Target = App>>(take: impl Fn() -> G) -> Result<Option<Published>> {
        let Some(p) = take().prepare_fleet_publish(false)? else { return Ok(None) };
        let p = match p.write() {
            Written::FolderGone => match take().prepare_fleet_publish(true)? {
                Some(again) => again,
                None => return Ok(None),
            },
            written => return take().finish_fleet_publish(p, written).map(Some),
        };
        let written = p.write();
        take().finish_fleet_publish(p, written).map(Some)
    }

    /// Builds, in memory, what a publish writes: the entries new since the cursor (since
    /// entry 1 when `from_start`, or when the cursor is another folder's), the key, the
    /// status and the cursor it moves to. Reads the store only: nothing of the fleet
    /// folder. `None`: no folder is set. A cursor a publish made while the app was locked
    /// is kept first.
    pub fn prepare_fleet_publish(&self, from_start: bool) -> Result<Option<Prepared>> {
        let Some(dir) = self.fleet_dir()? else { return Ok(None) };
        let session = self.user()?;
        let key = session.workstation_key()?;
        let log = log::log_id(key.as_bytes());
        let mut stored: Cursor = session.get(CURSOR)?.unwrap_or_default();
        let pending = self.fleet.borrow_mut().pending.take();
        if let Some((from, to)) = pending
            && from == stored
        {
            session.put(CURSOR, &to)?;
            stored = to;
        }
        let dir_text = dir.display().to_string();
        let start = if stored.dir != dir_text || from_start { 0 } else { stored.entries };
        let segment = session.log_segment(start)?;
        let at = self.now();
        let entries = segment.as_ref().map_or(start, |s| s.1);
        let pack_version = self.pack_info().ok().flatten().map(|info| info.version);
        let status = Status { log: log.clone(), published: at, entries, pack_version };
        let to = Cursor { dir: dir_text, entries, published: Some(at) };
        Ok(Some(Prepared {
            dir,
            log,
            key_pem: key.pem(),
            from: stored,
            start,
            segment: segment.map(|(bytes, last)| (bytes, start + 1, last)),
            status,
            to,
        }))
    }

    /// Ends a publish written off the lock: the cursor moves on only if the publish wrote
    /// its files and the cursor is still the one it was built from (another publish that
    /// moved it meanwhile is not moved on twice). Locked meanwhile (the publish made at
    /// lock), the move waits in memory for the next publish under a session. What the
    /// window shows (`fleet_publishing`) is kept either way.
    pub fn finish_fleet_publish(&self, p: Prepared, written: Written) -> Result<Published> {
        let dir = p.to.dir.clone();
        let folder = match written {
            Written::Done(folder) => folder,
            Written::FolderGone => {
                let e = Error::Invalid {
                    what: "fleet folder",
                    reason: format!(
                        "this workstation's folder is gone from {dir}: it publishes again from \
                         entry 1 at the next publish"
                    ),
                };
                self.fleet.borrow_mut().tried = Some(Tried { dir, failed: Some(e.to_string()) });
                return Err(e);
            }
            Written::Failed(e) => {
                self.fleet.borrow_mut().tried = Some(Tried { dir, failed: Some(e.to_string()) });
                return Err(e);
            }
        };
        let at = p.status.published;
        {
            let mut memory = self.fleet.borrow_mut();
            memory.tried = Some(Tried { dir, failed: None });
            if memory.published.is_none_or(|last| last < at) {
                memory.published = Some(at);
            }
        }
        match self.user() {
            Ok(session) => {
                let stored: Cursor = session.get(CURSOR)?.unwrap_or_default();
                if stored == p.from {
                    session.put(CURSOR, &p.to)?;
                }
            }
            Err(_) => self.fleet.borrow_mut().pending = Some((p.from.clone(), p.to.clone())),
        }
        let segment = p.segment.as_ref().map(|s| (s.1, s.2));
        Ok(Published { folder, segment, entries: p.to.entries, at })
    }

    /// Locks (see `App::lock`), first building the publication of what this session
    /// logged, since the lock drops the keys it needs: write it off the lock and hand it
    /// to `finish_fleet_publish`. `None`: nothing to publish (no folder, not signed in).
    pub fn lock_publishing(&mut self) -> Option<Prepared> {
        let p = self.prepare_fleet_publish(false).ok().flatten();
        self.lock();
        p
    }

    /// `App::tick`, first building the publication when this tick is the idle lock.
    pub fn tick_publishing(&mut self, now: Instant) -> Option<Prepared> {
        let p = if self.idle_out(now) {
            self.prepare_fleet_publish(false).ok().flatten()
        } else {
            None
        };
        self.tick(now);
        p
    }

    /// What the window says of publishing: the folder in force, when this workstation last
    /// published into it, and why the last try failed if it did (tried again at the next).
    pub fn fleet_publishing(&self) -> Result<Publishing> {
        let folder = self.fleet_dir()?.map(|d| d.display().to_string());
        let stored = self.fleet_last_published()?;
        let memory = self.fleet.borrow();
        let tried = memory.tried.as_ref().filter(|t| Some(&t.dir) == folder.as_ref());
        let remembered = memory.published.filter(|_| tried.is_some());
        Ok(Publishing {
            last_published: stored.max(remembered),
            retrying: tried.and_then(|t| t.failed.clone()),
            every_minutes: PUBLISH_EVERY.as_secs() / 60,
            folder,
        })
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

    /// Collects the fleet folder in force (the window's "Collect now"; admins).
    pub fn collect_fleet_in_force(&self, stale_days: u32) -> Result<Report> {
        let dir = self.fleet_dir()?.ok_or_else(|| Error::Invalid {
            what: "fleet folder",
            reason: "none is set: an admin sets one (`caregiver settings fleet-dir PATH`), or \
                     IT's managed configuration names one"
                .into(),
        })?;
        self.collect_fleet(&dir, stale_days, false)
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
