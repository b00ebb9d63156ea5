//! Changing keys: the emergency code (a new ward key each time) and the rotation of the
//! main data key. Each is one transaction.

use rusqlite::{Transaction, params};
use zeroize::Zeroizing;

use super::{
    CHECK_PLAINTEXT, KEK_ID, Permission, Scope, Session, check_binding, check_name,
    data_key_binding, put_meta, throttle, wrap_under_passphrase,
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
        self.require(Permission::ManageWorkstation, "set the emergency code")?;
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
        throttle::reset(&tx, &throttle::EMERGENCY)?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &new_ward)?;
        tx.commit().map_err(Error::sql("commit the emergency code"))?;
        self.ward = new_ward;
        Ok(())
    }

    /// Rotates the main data key: every main-scope row is re-sealed under a new key in one
    /// transaction, so a crash at any point leaves a store that opens with exactly one key.
    pub fn rotate_data_key(&mut self) -> Result<()> {
        self.require(Permission::ManageWorkstation, "rotate the data key")?;
        let secret = SecretKey::generate()?;
        let new_main = SealingKey::new(self.next_key_id()?, &secret)?;
        let tx = self.store.conn.transaction().map_err(Error::sql("start the key rotation"))?;
        reseal_scope(&tx, Scope::Main, &self.main, &new_main, &self.master, &secret)?;
        super::state::seal(&tx, &self.store.state, Some(&new_main), &self.ward)?;
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
    // Each sealed table: the domain its blobs are bound to, and a SELECT of (rowid, bound
    // table, bound row, bound version, sealed). Bindings must match how each was sealed.
    let tables: &[(&str, &str, &str)] = match scope {
        Scope::Main => &[
            (
                "records",
                "record",
                "SELECT rowid, kind, record_id, version, sealed FROM records WHERE scope = 'main'",
            ),
            ("users", "user", "SELECT rowid, 'users', user_id, version, sealed FROM users"),
            // Entries' bytes only: their content is bound by the hash chain and does not change.
            (
                "log_entries",
                "log-entry",
                "SELECT rowid, 'log_entries', '', seq, sealed FROM log_entries",
            ),
            (
                "imported_entries",
                "imported-entry",
                "SELECT rowid, log, '', seq, sealed FROM imported_entries",
            ),
            (
                "store_state",
                "store-state",
                "SELECT rowid, 'store_state', scope, 0, sealed FROM store_state WHERE scope = 'main'",
            ),
        ],
        Scope::Ward => &[
            (
                "records",
                "record",
                "SELECT rowid, kind, record_id, version, sealed FROM records WHERE scope = 'ward'",
            ),
            (
                "access_events",
                "access-event",
                "SELECT rowid, 'access_events', '', seq, sealed FROM access_events",
            ),
            (
                "store_state",
                "store-state",
                "SELECT rowid, 'store_state', scope, 0, sealed FROM store_state WHERE scope = 'ward'",
            ),
        ],
    };
    for (table, domain, select) in tables {
        reseal_rows(tx, table, domain, select, old, new)?;
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

/// Re-seals the `sealed` column of every row `select` yields, from `old` to `new`.
fn reseal_rows(
    tx: &Transaction<'_>,
    table: &str,
    domain: &str,
    select: &str,
    old: &SealingKey,
    new: &SealingKey,
) -> Result<()> {
    let rows: Vec<(i64, String, String, i64, Vec<u8>)> = {
        let mut stmt = tx.prepare(select).map_err(Error::sql("read rows to re-seal"))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .map_err(Error::sql("read rows to re-seal"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Error::sql("read rows to re-seal"))?
    };
    let update = format!("UPDATE {table} SET sealed = ?1 WHERE rowid = ?2");
    for (rowid, bound_table, row, version, sealed) in rows {
        let at = Binding { domain, table: &bound_table, row: &row, version };
        let plain = old.open(&at, &sealed).map_err(|_| Error::Damaged {
            what: format!("a sealed row of {table} (row {rowid})"),
        })?;
        tx.execute(&update, params![new.seal(&at, &plain)?, rowid])
            .map_err(Error::sql("re-seal a row"))?;
    }
    Ok(())
}
