//! Backup through SQLite's online backup API, and a restore that checks the copy before it
//! replaces anything.
//!
//! A restore replaces every user, key and record, so it asks for an admin of the store in
//! place (not only of the backup: anybody can make a store of their own in which they are
//! an admin). The same name and passphrase must unlock both as an admin. A store in place
//! that cannot be opened (damaged, or not a store) stops the restore: it is moved aside by
//! hand, and the backup restored into the empty place, where only the backup's admin is
//! checked.

use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use super::{Session, Store, connect, get_meta, in_groups_of_four};
use crate::clock::SharedClock;
use crate::store::Permission;
use crate::{Error, Result};

/// Whose store a restored backup is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// The backup's store id, as a short fingerprint (`9f3a-07c2-11be-4d80`).
    pub store_id: String,
    /// The names of the backup's admins, sorted.
    pub admins: Vec<String>,
    /// The fingerprint of the store it replaced; `None` when there was none.
    pub replaced: Option<String>,
    /// Whether the backup is a copy of the store it replaced.
    pub same_store: bool,
}

/// A store id as people compare it: its first 8 bytes, hex, in groups of four.
fn fingerprint(store_id: &[u8]) -> String {
    in_groups_of_four(&data_encoding::HEXLOWER.encode(store_id.get(..8).unwrap_or(store_id)))
}

impl Store {
    /// Restores `backup` over the store at `store_path`. `name` must unlock both the store
    /// in place (when there is one) and the backup with `passphrase`, as an admin of each,
    /// and the backup must be a sound store. Nothing is replaced unless every check
    /// passes. Says whose store the backup is.
    pub fn restore(
        store_path: &Path,
        backup: &Path,
        name: &str,
        passphrase: &[u8],
        clock: SharedClock,
    ) -> Result<Restored> {
        let dir =
            store_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        crate::paths::ensure_data_dir(dir)?;
        if !backup.is_file() {
            return Err(Error::RestoreRejected { reason: "the backup file does not exist".into() });
        }
        let replaced = admin_of_store_in_place(store_path, name, passphrase, clock.clone())?;
        // Work on a copy, so checking (and any schema upgrade) never changes the backup.
        let staging = tempfile::Builder::new()
            .prefix(".caregiver-restore-")
            .tempfile_in(dir)
            .map_err(Error::io("make a staging copy in", dir))?;
        std::fs::copy(backup, staging.path()).map_err(Error::io("copy the backup", backup))?;
        let reject = |reason: &str| Error::RestoreRejected { reason: reason.into() };
        let copy = Store::open(staging.path(), clock).map_err(|e| match e {
            Error::StoreTooNew { .. } => e,
            _ => reject("the backup is not a Caregiver Playbook store, or it is damaged"),
        })?;
        copy.integrity_check().map_err(|_| reject("the backup failed SQLite's integrity check"))?;
        let session = copy.unlock(name, passphrase)?;
        session.user.role.require(Permission::ManageWorkstation, "restore a backup")?;
        let store_id = fingerprint(&session.store.store_id()?);
        let restored = Restored {
            same_store: replaced.as_ref() == Some(&store_id),
            admins: session.admin_names()?,
            store_id,
            replaced,
        };
        let Session { store: verified, .. } = session;
        let mut live = connect(store_path, true)?;
        let backup_api = rusqlite::backup::Backup::new(&verified.conn, &mut live)
            .map_err(Error::sql("start the restore"))?;
        backup_api
            .run_to_completion(256, std::time::Duration::ZERO, None)
            .map_err(Error::sql("copy the backup into place"))?;
        drop(backup_api);
        live.query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))
            .map_err(Error::sql("checkpoint"))?;
        Ok(restored)
    }

    /// The store's id (set when it was made; it never changes).
    fn store_id(&self) -> Result<Vec<u8>> {
        get_meta(&self.conn, "store_id")?
            .ok_or_else(|| Error::NotAStore { path: self.path.clone() })
    }

    /// `PRAGMA integrity_check` must say `ok`.
    pub fn integrity_check(&self) -> Result<()> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(Error::sql("check its integrity"))?;
        if result == "ok" { Ok(()) } else { Err(Error::NotAStore { path: self.path.clone() }) }
    }
}

impl Session {
    /// Writes a consistent copy of the store to `dest` through SQLite's online backup API.
    /// The copy stays sealed: it opens only with a passphrase or the recovery key.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        self.require(Permission::ManageWorkstation, "make a backup")?;
        self.check_state()?;
        if dest.exists() {
            return Err(Error::Invalid {
                what: "backup file",
                reason: "already exists: choose a new name".into(),
            });
        }
        let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let staging = tempfile::Builder::new()
            .prefix(".caregiver-backup-")
            .tempfile_in(dir)
            .map_err(Error::io("write a backup in", dir))?;
        {
            let mut out =
                Connection::open(staging.path()).map_err(Error::sql("create the backup file"))?;
            let b = rusqlite::backup::Backup::new(&self.store.conn, &mut out)
                .map_err(Error::sql("start the backup"))?;
            b.run_to_completion(256, std::time::Duration::ZERO, None)
                .map_err(Error::sql("copy the store"))?;
            drop(b);
            // One self-contained file: no -wal beside it.
            out.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
                .map_err(Error::sql("finish the backup"))?;
        }
        staging.as_file().sync_all().map_err(Error::io("flush", dest))?;
        staging
            .persist_noclobber(dest)
            .map_err(|e| Error::io("write the backup", dest)(e.error))?;
        Ok(())
    }
}

/// Checks that `name` unlocks the store in place as an admin; returns its fingerprint, or
/// `None` when there is no store there. A store that cannot be opened is not replaced: the
/// error says to move it aside and restore into the empty place.
fn admin_of_store_in_place(
    store_path: &Path,
    name: &str,
    passphrase: &[u8],
    clock: SharedClock,
) -> Result<Option<String>> {
    let unreadable = || Error::RestoreRejected {
        reason: format!(
            "the store in place ({}) cannot be opened to check that you are its admin (it is \
             damaged, changed outside the app, or not a Caregiver Playbook store): move it \
             aside, with its -wal and -shm files, and restore into the empty place",
            store_path.display()
        ),
    };
    let checked = Store::open(store_path, clock).and_then(|live| {
        let session = live.unlock(name, passphrase)?;
        session.require(Permission::ManageWorkstation, "restore a backup")?;
        session.store.store_id()
    });
    match checked {
        Ok(id) => Ok(Some(fingerprint(&id))),
        Err(Error::StoreNotFound { .. }) => Ok(None),
        Err(Error::NotAStore { .. } | Error::Damaged { .. } | Error::StoreTampered { .. }) => {
            Err(unreadable())
        }
        Err(e) => Err(e),
    }
}
