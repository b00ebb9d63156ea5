//! Changing keys: the emergency code (a new ward key each time) and the rotation of the
//! main data key. Each is one transaction.

use rusqlite::{Connection, params};
use zeroize::Zeroizing;

use super::holders::{self, Keys};
use super::logkeys;
use super::{
    CHECK_PLAINTEXT, KEK_ID, Permission, RecoveryKey, Scope, Session, check_binding, check_name,
    data_key_binding, get_meta, put_meta, records, throttle, users, wrap_under_passphrase,
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
    /// Sets (or replaces) the ward's emergency code. A new ward data key is made, every
    /// ward record re-sealed under it and the key wrapped to every holder, so an old printed
    /// code opens nothing any more.
    pub fn set_emergency_code(&mut self, code: &[u8]) -> Result<()> {
        self.require(Permission::ManageWorkstation, "set the emergency code")?;
        let code = normalise_code(code);
        if code.len() < MIN_EMERGENCY_CODE_CHARS {
            return Err(Error::Invalid {
                what: "emergency code",
                reason: format!("needs at least {MIN_EMERGENCY_CODE_CHARS} letters or digits"),
            });
        }
        let tx = self
            .store
            .conn
            .unchecked_transaction()
            .map_err(Error::sql("start setting the emergency code"))?;
        let (new_ward, secret) = self.turn_over(&tx, Scope::Ward)?;
        let slot_id = "emergency";
        let (salt, wrapped) = wrap_under_passphrase(slot_id, &code, &secret)?;
        tx.execute(
            "INSERT OR REPLACE INTO slots (slot_id, kind, user_id, iterations, salt, wrapped) VALUES (?1, 'emergency', NULL, ?2, ?3, ?4)",
            params![slot_id, PBKDF2_ITERATIONS, salt.as_slice(), wrapped],
        )
        .map_err(Error::sql("store the emergency slot"))?;
        throttle::reset(&tx, &throttle::EMERGENCY)?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &new_ward)?;
        tx.commit().map_err(Error::sql("commit the emergency code"))?;
        self.ward = new_ward;
        self.ward_secret = secret;
        Ok(())
    }

    /// Rotates the main data key: every main-scope row is re-sealed under a new key in one
    /// transaction, so a crash at any point leaves a store that opens with exactly one key.
    pub fn rotate_data_key(&mut self) -> Result<()> {
        self.require(Permission::ManageWorkstation, "rotate the data key")?;
        let tx = self
            .store
            .conn
            .unchecked_transaction()
            .map_err(Error::sql("start the key rotation"))?;
        let (new_main, secret) = self.turn_over(&tx, Scope::Main)?;
        super::state::seal(&tx, &self.store.state, Some(&new_main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the key rotation"))?;
        self.main = new_main;
        self.main_secret = secret;
        Ok(())
    }

    /// After a user is removed (inside the removal's transaction): a new main key (every
    /// main row re-sealed), a new ward key too unless an emergency code is set (the code
    /// wraps the ward key, and only a new code turns it over), and, when an admin was
    /// removed, a new admins' key (signed by the old, every signature made again). Each new
    /// key is wrapped to the holders left. Returns the keys to hold from the commit on.
    pub(super) fn rotate_after_removal(
        &self,
        tx: &Connection,
        admin_removed: bool,
    ) -> Result<Keys> {
        let (main, main_secret) = self.turn_over(tx, Scope::Main)?;
        let has_code: bool = tx
            .query_row("SELECT EXISTS (SELECT 1 FROM slots WHERE kind = 'emergency')", [], |r| {
                r.get(0)
            })
            .map_err(Error::sql("read the emergency slot"))?;
        let ward = if has_code {
            (
                SealingKey::new(self.ward.id(), &self.ward_secret)?,
                SecretKey::from_slice(self.ward_secret.as_bytes())?,
            )
        } else {
            self.turn_over_with(tx, Scope::Ward, Some(&main))?
        };
        let old = self.authority()?;
        let admin = if admin_removed {
            let admins = users::admin_ids(tx, &main, self.trust)?;
            let new = holders::rotate_authority(tx, old, &admins)?;
            users::sign_all(tx, &main, &new, Some(self.trust))?;
            records::sign_all(tx, &main, &new, Some(self.trust))?;
            // The workstation's key, sealed under a key the old admins' key gave: again
            // under the new one, which the removed admin never held.
            logkeys::reseal_device_key(tx, &main, old, &new)?;
            if let Some(master) = &self.legacy {
                holders::put_legacy_authority(tx, master, &new)?;
            }
            new
        } else {
            holders::Authority::copy_of(old)?
        };
        let legacy = match &self.legacy {
            Some(m) => Some(SecretKey::from_slice(m.as_bytes())?),
            None => None,
        };
        Ok(Keys { main: (main, main_secret), ward, admin: Some(admin), legacy })
    }

    /// Makes a new recovery key (admins): its key pair replaces the old one's, every key is
    /// wrapped to it, and the old printed key opens nothing. In a store from before schema
    /// 7, this retires the old recovery slot (and, once every person has moved, the old
    /// master key with it).
    pub fn new_recovery_key(&mut self) -> Result<RecoveryKey> {
        self.require(Permission::ManageWorkstation, "make a new recovery key")?;
        let authority = self.authority()?;
        let recovery = SecretKey::generate()?;
        let tx = self
            .store
            .conn
            .unchecked_transaction()
            .map_err(Error::sql("start making a recovery key"))?;
        tx.execute("DELETE FROM holders WHERE holder_id = ?1", [holders::RECOVERY])
            .map_err(Error::sql("retire the old recovery key"))?;
        tx.execute("DELETE FROM slots WHERE kind = 'recovery'", [])
            .map_err(Error::sql("retire the old recovery slot"))?;
        holders::put_holder(&tx, holders::NewHolder::Recovery { recovery: &recovery }, authority)?;
        self.wrap_my_keys_to(&tx, holders::RECOVERY, true)?;
        let legacy_gone = self.legacy.is_some() && holders::retire_if_done(&tx)?;
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the recovery key"))?;
        if legacy_gone {
            self.legacy = None;
        }
        Ok(RecoveryKey::from_secret(&recovery))
    }

    /// Holds `keys` from now on (after the transaction that made them committed).
    pub(super) fn take_keys(&mut self, keys: Keys) {
        let Keys { main, ward, admin, legacy } = keys;
        if let Some(admin) = &admin {
            self.trust = admin.trust();
        }
        (self.main, self.main_secret) = main;
        (self.ward, self.ward_secret) = ward;
        self.admin = admin;
        self.legacy = legacy;
    }

    /// A new data key for `scope`: every row of the scope re-sealed under it, its check
    /// value, and the key wrapped to every holder (and under the old master key while a
    /// store moves). Inside the caller's transaction.
    fn turn_over(&self, tx: &Connection, scope: Scope) -> Result<(SealingKey, SecretKey)> {
        self.turn_over_with(tx, scope, None)
    }

    /// As [`Session::turn_over`]; `main_now` is the main key to read the admins' list with
    /// when the main key has just turned over in the same transaction.
    fn turn_over_with(
        &self,
        tx: &Connection,
        scope: Scope,
        main_now: Option<&SealingKey>,
    ) -> Result<(SealingKey, SecretKey)> {
        let secret = SecretKey::generate()?;
        let new = SealingKey::new(next_key_id(tx)?, &secret)?;
        reseal_scope(tx, scope, self.key_for(scope), &new)?;
        let main = main_now.unwrap_or(if scope == Scope::Main { &new } else { &self.main });
        let admins = users::admin_ids(tx, main, self.trust)?;
        holders::wrap_to_all(
            tx,
            scope.as_str(),
            i64::from(new.id()),
            &secret,
            self.trust,
            &admins,
        )?;
        if let Some(master) = &self.legacy {
            let wrapped = SealingKey::new(KEK_ID, master)?
                .wrap(&data_key_binding(scope, new.id()), &secret)?;
            tx.execute(
                "UPDATE data_keys SET key_id = ?1, wrapped = ?2 WHERE scope = ?3",
                params![new.id(), wrapped, scope.as_str()],
            )
            .map_err(Error::sql("store the new data key"))?;
        }
        Ok((new, secret))
    }
}

/// The ward key's id: the key its check value is sealed under.
pub(super) fn ward_key_id(conn: &Connection) -> Result<u32> {
    let check = get_meta(conn, check_name(Scope::Ward))?.unwrap_or_default();
    crypto::key_id_of(&check).map_err(|_| Error::Damaged { what: "the ward key check".into() })
}

/// A key id not used before: one more than any key id in the store.
fn next_key_id(conn: &Connection) -> Result<u32> {
    let mut max = 0;
    for scope in [Scope::Main, Scope::Ward] {
        let check = get_meta(conn, check_name(scope))?.unwrap_or_default();
        max = max.max(crypto::key_id_of(&check).unwrap_or(0));
    }
    let wrapped: Option<i64> = conn
        .query_row("SELECT MAX(key_id) FROM key_wraps WHERE name IN ('main', 'ward')", [], |r| {
            r.get(0)
        })
        .map_err(Error::sql("number a new key"))?;
    let stored: Option<i64> = conn
        .query_row("SELECT MAX(key_id) FROM data_keys", [], |r| r.get(0))
        .map_err(Error::sql("number a new key"))?;
    let most = [wrapped, stored]
        .into_iter()
        .flatten()
        .filter_map(|v| u32::try_from(v).ok())
        .fold(max, u32::max);
    Ok(most + 1)
}

/// Re-seals every row of `scope` from `old` to `new` and replaces the check value. Runs
/// inside the caller's transaction.
fn reseal_scope(tx: &Connection, scope: Scope, old: &SealingKey, new: &SealingKey) -> Result<()> {
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
    put_meta(tx, check_name(scope), &new.seal(&check_binding(scope), CHECK_PLAINTEXT)?)?;
    Ok(())
}

/// Re-seals the `sealed` column of every row `select` yields, from `old` to `new`.
fn reseal_rows(
    tx: &Connection,
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
