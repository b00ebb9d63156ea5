//! Migrations: numbered SQL files in `migrations/`, embedded in the binary, applied in one
//! transaction and recorded in `PRAGMA user_version`. A store newer than this binary is
//! refused before anything is read.

use rusqlite::Connection;

use crate::{Error, Result};

/// Every migration, in order: `MIGRATIONS[i]` takes a store from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_records_by_kind_and_id.sql"),
    include_str!("../../migrations/0003_activity_log.sql"),
    include_str!("../../migrations/0004_imported_logs.sql"),
    include_str!("../../migrations/0005_failed_unlocks_per_name.sql"),
    include_str!("../../migrations/0006_store_state.sql"),
    include_str!("../../migrations/0007_keys_per_person.sql"),
    include_str!("../../migrations/0008_log_checkpoints.sql"),
];

/// The schema version this binary writes.
pub const CURRENT: u32 = MIGRATIONS.len() as u32;

/// The store's schema version.
pub fn version(conn: &Connection) -> Result<u32> {
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(Error::sql("read the schema version"))?;
    u32::try_from(v).map_err(|_| Error::StoreTooNew { found: u32::MAX, supported: CURRENT })
}

/// Brings the store up to [`CURRENT`] in one transaction; refuses a newer store.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found = version(conn)?;
    if found > CURRENT {
        return Err(Error::StoreTooNew { found, supported: CURRENT });
    }
    if found == CURRENT {
        return Ok(());
    }
    let tx = conn.transaction().map_err(Error::sql("start the upgrade"))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql).map_err(Error::sql("apply a schema upgrade"))?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(Error::sql("record the schema version"))?;
    }
    tx.commit().map_err(Error::sql("commit the schema upgrade"))
}
