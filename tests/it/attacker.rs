//! What a holder of the ward's emergency code can do with write access to the store file,
//! and nothing more: read the emergency slot and the ward data key's id with SQLite,
//! derive the KEK from the code with the slot's salt and iterations, unwrap the ward key,
//! and write records sealed exactly as the app seals them (JSON padded to 64-byte buckets,
//! AES-256-GCM bound to the record's kind, id and version), straight into the file.

use std::path::Path;

use caregiver::crypto::{Binding, SealingKey, SecretKey, pad_to_bucket};
use caregiver::store::Scope;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The store file opened with SQLite, and the ward key unwrapped with the emergency code.
pub struct Attacker {
    conn: Connection,
    ward: SealingKey,
}

impl Attacker {
    /// Everything a code holder derives from the code and the file.
    pub fn with_code(store: &Path, code: &str) -> Attacker {
        let conn = Connection::open(store).unwrap();
        let (slot_id, iterations, salt, wrapped): (String, u32, Vec<u8>, Vec<u8>) = conn
            .query_row(
                "SELECT slot_id, iterations, salt, wrapped FROM slots WHERE kind = 'emergency'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        // As printed, in any case and grouping: letters and digits, upper case.
        let code: Vec<u8> = code
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_uppercase())
            .collect();
        // A KEK's key id is 0: it is never stored, never used for data.
        let kek =
            SealingKey::new(0, &SecretKey::from_passphrase(&code, &salt, iterations)).unwrap();
        let slot = Binding { domain: "slot", table: "slots", row: &slot_id, version: 0 };
        let secret = kek.unwrap_key(&slot, &wrapped).unwrap();
        // The key id is in the header of any blob sealed under the key: its check value.
        let check: Vec<u8> = conn
            .query_row("SELECT value FROM meta WHERE name = 'check_ward'", [], |r| r.get(0))
            .unwrap();
        let key_id = caregiver::crypto::key_id_of(&check).unwrap();
        Attacker { conn, ward: SealingKey::new(key_id, &secret).unwrap() }
    }

    /// Writes a ward-scope record of `kind` (as the `kind` column spells it) under `id`, at
    /// the next version, sealed under the ward key as the app seals it.
    pub fn write<T: Serialize>(&self, kind: &str, id: &str, value: &T) {
        let version: i64 = self
            .conn
            .query_row("SELECT version FROM records WHERE record_id = ?1", [id], |r| r.get(0))
            .optional()
            .unwrap()
            .map_or(1, |v: i64| v + 1);
        let mut json = serde_json::to_vec(value).unwrap();
        pad_to_bucket(&mut json, 64);
        let at = Binding { domain: "record", table: kind, row: id, version };
        let sealed = self.ward.seal(&at, &json).unwrap();
        self.conn
            .execute(
                "INSERT INTO records (record_id, kind, scope, version, sealed) \
                 VALUES (?1, ?2, 'ward', ?3, ?4) \
                 ON CONFLICT (record_id) DO UPDATE SET version = excluded.version, sealed = excluded.sealed",
                params![id, kind, version, sealed],
            )
            .unwrap();
        // The ward's state is sealed under the ward key too: the code holder rewrites it,
        // so what stops the forgery is what lies behind the state.
        caregiver::store::rewrite_as_key_holder(&self.conn, Scope::Ward, &self.ward).unwrap();
    }

    /// Reads a ward-scope record back (the code opens it), as JSON.
    pub fn read(&self, kind: &str, id: &str) -> Option<serde_json::Value> {
        let (version, sealed): (i64, Vec<u8>) = self
            .conn
            .query_row(
                "SELECT version, sealed FROM records WHERE record_id = ?1 AND kind = ?2",
                params![id, kind],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .unwrap()?;
        let at = Binding { domain: "record", table: kind, row: id, version };
        let plain = self.ward.open(&at, &sealed).unwrap();
        Some(serde_json::from_slice(&plain).unwrap())
    }
}
