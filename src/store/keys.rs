//! Changing keys: the emergency code (a new ward key each time) and the rotation of the
//! main data key. Each is one transaction.

use rusqlite::{Transaction, params};
use zeroize::Zeroizing;

use super::access::access_binding;
use super::{
    CHECK_PLAINTEXT, KEK_ID, Scope, Session, check_binding, check_name, data_key_binding, put_meta,
    users, wrap_under_passphrase,
};
use crate::crypto::{self, Binding, PBKDF2_ITERATIONS, SealingKey, SecretKey};
use crate::{Error, Result};

/// Emergency codes are printed in groups: spaces, dashes and case do not matter.
pub(super) fn normalise_code(code: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(
        code.iter().filter(|b| b.is_ascii_alphanumeric()).map(|b| b.to_ascii_uppercase()).collect(),
    )
}

/// The fewest letters and digits in an emergency code.
pub const MIN_EMERGENCY_CODE_CHARS: usize = 12;

/// A fresh emergency code to print for a ward: 16 symbols of a 32-letter alphabet (80
/// bits) in groups of four, without I, O, 0 or 1, which read alike.
pub fn generate_emergency_code() -> Result<Zeroizing<String>> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = Zeroizing::new(crypto::random_bytes::<16>()?);
    let mut out = Zeroizing::new(String::with_capacity(19));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        // The low five bits of a uniform byte are uniform over the 32 symbols.
        #[allow(clippy::indexing_slicing)] // b & 31 < 32
        out.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    Ok(out)
}

impl Session {
    /// Sets (or replaces) the ward's emergency code. A new ward data key is made and every
    /// ward record re-sealed under it, so an old printed code opens nothing any more.
    pub fn set_emergency_code(&mut self, code: &[u8]) -> Result<()> {
        self.require_admin("set the emergency code")?;
        let code = normalise_code(code);
        if code.len() < MIN_EMERGENCY_CODE_CHARS {
            return Err(Error::Invalid {
                what: "emergency code",
                reason: format!("needs at least {MIN_EMERGENCY_CODE_CHARS} letters or digits"),
            });
        }
        let secret = SecretKey::generate()?;
        let new_ward = SealingKey::new(self.next_key_id()?, &secret)?;
        let slot_id = "emergency";
        let (salt, wrapped) = wrap_under_passphrase(slot_id, &code, &secret)?;
        let tx = self
            .store
            .conn
            .transaction()
            .map_err(Error::sql("start setting the emergency code"))?;
        reseal_scope(&tx, Scope::Ward, &self.ward, &new_ward, &self.master, &secret)?;
        tx.execute(
            "INSERT OR REPLACE INTO slots (slot_id, kind, user_id, iterations, salt, wrapped) VALUES (?1, 'emergency', NULL, ?2, ?3, ?4)",
            params![slot_id, PBKDF2_ITERATIONS, salt.as_slice(), wrapped],
        )
        .map_err(Error::sql("store the emergency slot"))?;
        tx.execute("DELETE FROM throttle WHERE gate = 'emergency'", [])
            .map_err(Error::sql("reset the emergency delay"))?;
        tx.commit().map_err(Error::sql("commit the emergency code"))?;
        self.ward = new_ward;
        Ok(())
    }

    /// Rotates the main data key: every main-scope row is re-sealed under a new key in one
    /// transaction, so a crash at any point leaves a store that opens with exactly one key.
    pub fn rotate_data_key(&mut self) -> Result<()> {
        self.require_admin("rotate the data key")?;
        let secret = SecretKey::generate()?;
        let new_main = SealingKey::new(self.next_key_id()?, &secret)?;
        let tx = self.store.conn.transaction().map_err(Error::sql("start the key rotation"))?;
        reseal_scope(&tx, Scope::Main, &self.main, &new_main, &self.master, &secret)?;
        tx.commit().map_err(Error::sql("commit the key rotation"))?;
        self.main = new_main;
        Ok(())
    }

    fn next_key_id(&self) -> Result<u32> {
        self.store
            .conn
            .query_row("SELECT MAX(key_id) + 1 FROM data_keys", [], |r| r.get(0))
            .map_err(Error::sql("number a new key"))
    }
}

/// Re-seals every row of `scope` from `old` to `new`, replaces the wrapped data key and the
/// check value. Runs inside the caller's transaction.
fn reseal_scope(
    tx: &Transaction<'_>,
    scope: Scope,
    old: &SealingKey,
    new: &SealingKey,
    master: &SecretKey,
    new_secret: &SecretKey,
) -> Result<()> {
    let rows: Vec<(String, String, i64, Vec<u8>)> = {
        let mut stmt = tx
            .prepare("SELECT record_id, kind, version, sealed FROM records WHERE scope = ?1")
            .map_err(Error::sql("read records to re-seal"))?;
        stmt.query_map([scope.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(Error::sql("read records to re-seal"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Error::sql("read records to re-seal"))?
    };
    for (id, kind, version, sealed) in rows {
        let at = Binding { domain: "record", table: &kind, row: &id, version };
        let plain = old
            .open(&at, &sealed)
            .map_err(|_| Error::Damaged { what: format!("the {kind} record {id}") })?;
        tx.execute(
            "UPDATE records SET sealed = ?1 WHERE record_id = ?2",
            params![new.seal(&at, &plain)?, id],
        )
        .map_err(Error::sql("re-seal a record"))?;
    }
    match scope {
        Scope::Main => {
            users::reseal_all(tx, old, new)?;
            reseal_log(tx, old, new)?;
        }
        Scope::Ward => {
            let events: Vec<(i64, Vec<u8>)> = {
                let mut stmt = tx
                    .prepare("SELECT seq, sealed FROM access_events")
                    .map_err(Error::sql("read access events"))?;
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(Error::sql("read access events"))?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(Error::sql("read access events"))?
            };
            for (seq, sealed) in events {
                let plain = old
                    .open(&access_binding(seq), &sealed)
                    .map_err(|_| Error::Damaged { what: format!("access event {seq}") })?;
                tx.execute(
                    "UPDATE access_events SET sealed = ?1 WHERE seq = ?2",
                    params![new.seal(&access_binding(seq), &plain)?, seq],
                )
                .map_err(Error::sql("re-seal an access event"))?;
            }
        }
    }
    let wrapped =
        SealingKey::new(KEK_ID, master)?.wrap(&data_key_binding(scope, new.id()), new_secret)?;
    tx.execute(
        "UPDATE data_keys SET key_id = ?1, wrapped = ?2 WHERE scope = ?3",
        params![new.id(), wrapped, scope.as_str()],
    )
    .map_err(Error::sql("store the new data key"))?;
    put_meta(tx, check_name(scope), &new.seal(&check_binding(scope), CHECK_PLAINTEXT)?)?;
    Ok(())
}

/// Re-seals every activity-log entry's bytes under the new key (their content, bound by the
/// hash chain, does not change).
fn reseal_log(tx: &Transaction<'_>, old: &SealingKey, new: &SealingKey) -> Result<()> {
    let rows: Vec<(i64, Vec<u8>)> = {
        let mut stmt = tx
            .prepare("SELECT seq, sealed FROM log_entries")
            .map_err(Error::sql("read the log"))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(Error::sql("read the log"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Error::sql("read the log"))?
    };
    for (seq, sealed) in rows {
        let at = Binding { domain: "log-entry", table: "log_entries", row: "", version: seq };
        let plain = old
            .open(&at, &sealed)
            .map_err(|_| Error::Damaged { what: format!("log entry {seq}") })?;
        tx.execute(
            "UPDATE log_entries SET sealed = ?1 WHERE seq = ?2",
            params![new.seal(&at, &plain)?, seq],
        )
        .map_err(Error::sql("re-seal a log entry"))?;
    }
    let imported: Vec<(String, i64, Vec<u8>)> = {
        let mut stmt = tx
            .prepare("SELECT log, seq, sealed FROM imported_entries")
            .map_err(Error::sql("read imported entries"))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(Error::sql("read imported entries"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Error::sql("read imported entries"))?
    };
    for (log, seq, sealed) in imported {
        let at = Binding { domain: "imported-entry", table: &log, row: "", version: seq };
        let plain = old
            .open(&at, &sealed)
            .map_err(|_| Error::Damaged { what: format!("imported entry {seq} of log {log}") })?;
        tx.execute(
            "UPDATE imported_entries SET sealed = ?1 WHERE log = ?2 AND seq = ?3",
            params![new.seal(&at, &plain)?, log, seq],
        )
        .map_err(Error::sql("re-seal an imported entry"))?;
    }
    Ok(())
}
