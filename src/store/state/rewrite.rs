//! Rewriting a scope's state whole from what the tables hold: trust on first use (the pack
//! in force, the log's checkpoints once schema 8 tracks them) and what a key holder can do.

use rusqlite::{Connection, OptionalExtension};

use super::tables::{count_rows, last_access, log_head};
use super::{CHECKPOINT_TABLE, Kind, Scope, read_state, write_state};
use crate::crypto::SealingKey;
use crate::store::open_json;
use crate::store::records::record_binding;
use crate::{Error, Result};

/// The pack version the pack records hold (trust on first use only: afterwards the state
/// keeps it): the signed pack's (main scope), else that of the record a store from before
/// packs were kept signed wrote (ward scope).
pub(super) fn pack_in_record(
    conn: &Connection,
    main: &SealingKey,
    ward: &SealingKey,
) -> Result<Option<u64>> {
    for (kind, id, key) in [(Kind::SignedPack, "signed-pack", main), (Kind::PackInfo, "pack", ward)]
    {
        let row: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT version, sealed FROM records WHERE record_id = ?1 AND kind = ?2",
                [id, kind.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(Error::sql("read the pack in force"))?;
        let Some((version, sealed)) = row else { continue };
        let info: serde_json::Value =
            open_json(key, &record_binding(kind, id, version), &sealed, || {
                "the pack in force".into()
            })?;
        return Ok(info.get("version").and_then(serde_json::Value::as_u64));
    }
    Ok(None)
}

/// What someone who holds a scope's data key can do to the file: write that scope's state
/// afresh from what the tables hold now (keeping its counters). The attack tests use it to
/// get past the state to the checks behind it (a user record re-sealed by a staff member,
/// a playbook forged with the ward key): it needs the key, so it gives nobody anything
/// their key does not already give them.
#[doc(hidden)]
pub fn rewrite_as_key_holder(conn: &Connection, scope: Scope, key: &SealingKey) -> Result<()> {
    let mut state = read_state(conn, scope, key)?.unwrap_or_default();
    let (main, ward) = count_rows(conn, scope == Scope::Main, scope == Scope::Ward)?;
    match scope {
        Scope::Main => {
            state.rows = main;
            state.log = log_head(conn)?;
            state.checkpoints = true;
        }
        Scope::Ward => {
            state.rows = ward;
            state.access_last = last_access(conn)?;
        }
    }
    write_state(conn, scope, key, &state)
}

/// A main state from before schema 8 starts counting the log's signed checkpoints, as the
/// table holds them now (the rest of the state was just checked).
pub(super) fn take_in_checkpoints(conn: &Connection, main: &SealingKey) -> Result<()> {
    let Some(mut state) = read_state(conn, Scope::Main, main)? else { return Ok(()) };
    let (mut rows, _) = count_rows(conn, true, false)?;
    match rows.remove(CHECKPOINT_TABLE) {
        Some(groups) => state.rows.insert(CHECKPOINT_TABLE.to_owned(), groups),
        None => state.rows.remove(CHECKPOINT_TABLE),
    };
    state.checkpoints = true;
    write_state(conn, Scope::Main, main, &state)
}
