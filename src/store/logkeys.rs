//! Who holds the activity log's keys.
//!
//! - The workstation's Ed25519 *device key* certifies each person's log key. Only admins
//!   (and the recovery key) hold it: its PKCS#8 is sealed under a key derived from the
//!   admins' key (`derive(secret, "device key")`), in one record only admins write
//!   (`Kind::LogKey`, signed by the admins' key), which also holds its public half for
//!   every session (the log id, the anchor paper prints, bundle headers). When the admins'
//!   key turns over, it is sealed again under the new one.
//! - Each person's *log key* is derived from their seed (`signing_key(seed, "log ed25519")`)
//!   and signs the checkpoints of the entries their sessions append. A certificate by the
//!   device key binds it to the log and their name: the signer line bundles carry, kept as
//!   a sealed record (`Kind::LogSigner`, keyed by the key's log-id digest) forever, since a
//!   removed person's past checkpoints still need it. It is made whenever a session holding
//!   the admins' key makes a person's key pair.
//! - Stores from before kept the device key as a main-scope record any signed-in user could
//!   open (`Kind::DeviceKey`). The first session that holds the admins' key moves it and
//!   deletes the old record; until then it is read for its public half only.

use data_encoding::BASE64;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::holders::{Authority, Trust};
use super::records::{read_one, version_in, write_record};
use super::{KEK_ID, Kind, Record, Session};
use crate::crypto::{self, Binding, SealingKey, SecretKey};
use crate::log::{DeviceKey, LogSigner, PublicKey, log_id};
use crate::{Error, Result};

/// The id of the one device-key record.
const DEVICE_ID: &str = "log-key";
/// The id of the device-key record of stores from before.
const LEGACY_ID: &str = "device";

/// The device key as admins keep it: its public half for everyone, its private half sealed
/// under a key only the admins' key gives.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceKeyRecord {
    /// The raw public key, base64.
    public: String,
    /// The version of the admins' key it is sealed under.
    admin_version: i64,
    /// PKCS#8, sealed, base64.
    sealed: String,
}

impl Record for DeviceKeyRecord {
    const KIND: Kind = Kind::LogKey;
}

/// The device key of a store from before: PKCS#8, base64, under the main key.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct LegacyDeviceKey(Zeroizing<String>);

impl Record for LegacyDeviceKey {
    const KIND: Kind = Kind::DeviceKey;
}

/// A person's certified log key: the signer line exactly as bundles carry it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignerRecord {
    pub line: String,
}

impl Record for SignerRecord {
    const KIND: Kind = Kind::LogSigner;
}

fn device_binding(admin_version: i64) -> Binding<'static> {
    Binding { domain: "device-key", table: "log_key", row: DEVICE_ID, version: admin_version }
}

fn sealing_key(authority: &Authority) -> Result<SealingKey> {
    Ok(SealingKey::new(KEK_ID, &crypto::derive(authority.secret(), "device key"))?)
}

fn damaged() -> Error {
    Error::Damaged { what: "the workstation's signing key".into() }
}

fn write_device(
    conn: &Connection,
    main: &SealingKey,
    authority: &Authority,
    key: &DeviceKey,
    pkcs8: &[u8],
) -> Result<()> {
    let sealed = sealing_key(authority)?.seal(&device_binding(authority.version), pkcs8)?;
    let record = DeviceKeyRecord {
        public: key.public().base64(),
        admin_version: authority.version,
        sealed: BASE64.encode(&sealed),
    };
    write_record(conn, main, Some(authority), DEVICE_ID, &record)?;
    Ok(())
}

/// Opens the device key's PKCS#8 with the admins' key it is sealed under.
fn open_device(record: &DeviceKeyRecord, authority: &Authority) -> Result<Zeroizing<Vec<u8>>> {
    if record.admin_version != authority.version {
        return Err(damaged());
    }
    let sealed = BASE64.decode(record.sealed.as_bytes()).map_err(|_| damaged())?;
    sealing_key(authority)?.open(&device_binding(authority.version), &sealed).map_err(|_| damaged())
}

/// The device key, opened with the admins' key, inside the caller's transaction: moved
/// from where stores from before kept it (that record deleted), or made for a store that
/// never had one.
pub(super) fn device_key(
    conn: &Connection,
    main: &SealingKey,
    authority: &Authority,
) -> Result<DeviceKey> {
    let trust = authority.trust();
    if let Some(record) =
        read_one::<DeviceKeyRecord>(conn, main, Some(trust), Kind::LogKey, DEVICE_ID)?
    {
        let key = DeviceKey::from_pkcs8(&open_device(&record, authority)?)?;
        if key.public().base64() != record.public {
            return Err(damaged());
        }
        return Ok(key);
    }
    let (key, pkcs8) = match read_one::<LegacyDeviceKey>(
        conn,
        main,
        None,
        Kind::DeviceKey,
        LEGACY_ID,
    )? {
        Some(LegacyDeviceKey(text)) => {
            let der = Zeroizing::new(BASE64.decode(text.as_bytes()).map_err(|_| damaged())?);
            (DeviceKey::from_pkcs8(&der)?, der)
        }
        None => {
            // Only a store that never had a key gets one. A key that cannot be found in a
            // store with a log (a damaged index, say) is damage, never a reason to replace
            // the key that signed it. The scan skips every index on purpose.
            let had_one: bool = conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM records NOT INDEXED WHERE record_id IN ('device', 'log-key'))
                         OR EXISTS (SELECT 1 FROM log_entries)",
                    [],
                    |r| r.get(0),
                )
                .map_err(Error::sql("look for the workstation's signing key"))?;
            if had_one {
                return Err(damaged());
            }
            DeviceKey::generate()?
        }
    };
    write_device(conn, main, authority, &key, &pkcs8)?;
    conn.execute("DELETE FROM records WHERE kind = ?1", [Kind::DeviceKey.as_str()])
        .map_err(Error::sql("retire the old signing key record"))?;
    Ok(key)
}

/// Seals the device key again under `new` when the admins' key turns over (inside the
/// rotation's transaction, after the signed records were signed again by `new`).
pub(super) fn reseal_device_key(
    conn: &Connection,
    main: &SealingKey,
    old: &Authority,
    new: &Authority,
) -> Result<()> {
    let trust = new.trust();
    let Some(record) =
        read_one::<DeviceKeyRecord>(conn, main, Some(trust), Kind::LogKey, DEVICE_ID)?
    else {
        return Ok(());
    };
    let pkcs8 = open_device(&record, old)?;
    let key = DeviceKey::from_pkcs8(&pkcs8)?;
    write_device(conn, main, new, &key, &pkcs8)
}

/// The device key's public half, as any session reads it: from the admins' record, or
/// (until an admin's session moves it) from the record of stores from before.
pub(super) fn device_public(
    conn: &Connection,
    main: &SealingKey,
    trust: Trust,
) -> Result<PublicKey> {
    if let Some(record) =
        read_one::<DeviceKeyRecord>(conn, main, Some(trust), Kind::LogKey, DEVICE_ID)?
    {
        return PublicKey::parse(&record.public).map_err(|_| damaged());
    }
    match read_one::<LegacyDeviceKey>(conn, main, None, Kind::DeviceKey, LEGACY_ID)? {
        Some(LegacyDeviceKey(text)) => {
            let der = Zeroizing::new(BASE64.decode(text.as_bytes()).map_err(|_| damaged())?);
            Ok(*DeviceKey::from_pkcs8(&der)?.public())
        }
        None => Err(damaged()),
    }
}

/// The record id of a person's certified key: its log-id digest.
fn signer_id(key: &PublicKey) -> String {
    log_id(key.as_bytes())
}

/// Certifies the log key of `seed` as `name`'s, inside the caller's transaction.
pub(super) fn certify(
    conn: &Connection,
    main: &SealingKey,
    device: &DeviceKey,
    name: &str,
    seed: &SecretKey,
) -> Result<()> {
    let signer = LogSigner::from_seed(seed, device.log_id())?;
    let line = serde_json::to_string(&device.certify(name.trim(), signer.public()))
        .map_err(|e| Error::Invalid { what: "signer", reason: e.to_string() })?;
    write_record(conn, main, None, &signer_id(signer.public()), &SignerRecord { line })?;
    Ok(())
}

/// Makes a person's key pair's certificate: opens the device key with the admins' key and
/// certifies `seed`'s log key as `name`'s (a new user, a reset passphrase, a person moving
/// from a store from before).
pub(super) fn certify_person(
    conn: &Connection,
    main: &SealingKey,
    authority: &Authority,
    name: &str,
    seed: &SecretKey,
) -> Result<()> {
    let device = device_key(conn, main, authority)?;
    certify(conn, main, &device, name, seed)
}

impl Session {
    /// The device key's public half (the log id, the anchor, bundle headers).
    pub(super) fn device_public(&self) -> Result<&PublicKey> {
        if let Some(key) = self.device.get() {
            return Ok(key);
        }
        let key = device_public(&self.store.conn, &self.main, self.trust)?;
        Ok(self.device.get_or_init(|| key))
    }

    /// The signed-in person's log key, which signs the checkpoints of their entries. It
    /// must be certified (every key pair made since this was kept is, and an admin's
    /// unlock certifies their own).
    pub(super) fn log_signer(&self) -> Result<&LogSigner> {
        if let Some(signer) = self.signer.get() {
            return Ok(signer);
        }
        let seed = self.seed.as_ref().ok_or(Error::PassphraseChangeRequired)?;
        let log = log_id(self.device_public()?.as_bytes());
        let signer = LogSigner::from_seed(seed, &log)?;
        if version_in(&self.store.conn, Kind::LogSigner, &signer_id(signer.public()))?.is_none() {
            return Err(Error::LogSignerMissing);
        }
        Ok(self.signer.get_or_init(|| signer))
    }

    /// The certified keys of everyone who has signed in since keys were certified: the
    /// signer lines of an export, by key.
    pub(super) fn signer_lines(&self) -> Result<Vec<String>> {
        Ok(self.list::<SignerRecord>()?.into_iter().map(|s| s.value.line).collect())
    }

    /// At the unlock of a session that holds the admins' key: moves the device key of a
    /// store from before, and certifies the person's own key if it is not yet. One write,
    /// only when there is something to do.
    pub(super) fn settle_log_keys(&self) -> Result<()> {
        let Some(authority) = &self.admin else { return Ok(()) };
        let conn = &self.store.conn;
        let to_move = version_in(conn, Kind::DeviceKey, LEGACY_ID)?.is_some()
            || version_in(conn, Kind::LogKey, DEVICE_ID)?.is_none();
        let to_certify = match &self.seed {
            Some(seed) => {
                let key = *LogSigner::from_seed(seed, "")?.public();
                version_in(conn, Kind::LogSigner, &signer_id(&key))?.is_none()
            }
            None => false,
        };
        if !to_move && !to_certify {
            return Ok(());
        }
        let tx = super::records::write_transaction(conn)?;
        let device = device_key(&tx, &self.main, authority)?;
        if let (true, Some(seed)) = (to_certify, &self.seed) {
            certify(&tx, &self.main, &device, self.user_name(), seed)?;
        }
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the log's keys"))
    }
}
