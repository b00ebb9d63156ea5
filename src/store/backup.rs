//! Backup through SQLite's online backup API, and a restore that checks the copy before it
//! replaces anything.

use std::path::Path;

use rusqlite::Connection;

use super::{Session, Store, connect};
use crate::clock::SharedClock;
use crate::store::Permission;
use crate::{Error, Result};

impl Store {
    /// Restores `backup` over the store at `store_path`, after checking that the backup is
    /// a sound store that `name` (an admin in the backup) unlocks. Nothing is replaced
    /// unless every check passes.
    pub fn restore(
        store_path: &Path,
        backup: &Path,
        name: &str,
        passphrase: &[u8],
        clock: SharedClock,
    ) -> Result<()> {
        let dir =
            store_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        crate::paths::ensure_data_dir(dir)?;
        if !backup.is_file() {
            return Err(Error::RestoreRejected { reason: "the backup file does not exist".into() });
        }
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
        Ok(())
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
