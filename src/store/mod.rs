//! The encrypted store: one SQLite file per workstation, shared by its staff.
//!
//! Key hierarchy (ARCHITECTURE.md records why; `holders.rs` has the details):
//!
//! ```text
//!  passphrase ──PBKDF2──► KEK ─ opens ─► the person's seed ─► key pair ◄─ wrapped to it:
//!      main data key (everyone) ─ seals ─► everything else (the signed pack too)
//!      ward data key (everyone)  ─ seals ─► ward copies (pack, call list), emergency uses
//!      admins' key (admins)      ─ signs ─► users, public keys, settings, the pinned pack key
//!                                ─ seals ─► the device key, which certifies each person's
//!                                           log key (from their seed: signs their entries)
//!  recovery key ──HKDF──► a key pair like a person's (every key wrapped to it)
//!  emergency code ──PBKDF2──► KEK ─ wraps ─► ward data key only
//! ```
//!
//! A [`Store`] is locked: it reads only clear metadata (and the lock-screen names). Unlocking
//! gives a [`Session`] (a user: the keys their role holds) or an [`EmergencySession`] (the
//! ward key only). Dropping either drops its keys.

mod access;
mod activity;
pub use activity::{BundleScope, CHECKPOINT_AFTER, CHECKPOINT_EVERY};
mod backup;
mod holders;
mod keys;
mod logkeys;
mod merge;
mod permissions;
mod records;
pub mod schema;
mod state;
#[cfg(test)]
mod tests;
mod throttle;
mod users;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};
use zeroize::Zeroizing;

use crate::clock::SharedClock;
use crate::crypto::{self, Binding, PBKDF2_ITERATIONS, SALT_LEN, SealingKey, SecretKey};
use crate::{Error, Result};

pub use access::{AccessEvent, AccessKind};
pub use backup::Restored;
use keys::normalise_code;
pub use keys::{MIN_EMERGENCY_CODE_CHARS, generate_emergency_code};
pub use merge::Imported;
pub use permissions::Permission;
pub use records::{Record, Stored, Writer};
#[doc(hidden)]
pub use state::rewrite_as_key_holder;
pub use throttle::{FREE_FAILURES, FREE_FAILURES_OF_ALL, Gate, delay_after};
pub use users::{MIN_PASSPHRASE_CHARS, Role, UserInfo};

/// The store's file name inside the data folder.
pub const STORE_FILE: &str = "caregiver.db";
/// Environment variable naming the store file (after `--store`, before the data folder).
pub const STORE_ENV: &str = "CAREGIVER_STORE";

/// Sealed JSON is padded to a multiple of this many bytes, so lengths show only a size class.
const PAD_BUCKET: usize = 64;
/// Key id of a key-encryption key: never stored, never used for data.
const KEK_ID: u32 = 0;

/// Finds the store: `explicit` (`--store`), else `CAREGIVER_STORE`, else `caregiver.db` in
/// the data folder (`data_dir` if given, else as [`crate::paths::resolve_data_dir`] finds
/// it), so the CLI and the desktop app share one store.
pub fn resolve_store_path(explicit: Option<&Path>, data_dir: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(STORE_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(crate::paths::resolve_data_dir(data_dir)?.join(STORE_FILE))
}

/// Which data key seals a record, and so who can open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every unlocked user; never emergency access.
    Main,
    /// Also emergency access: what ward staff need during an outage.
    Ward,
}

impl Scope {
    const fn as_str(self) -> &'static str {
        match self {
            Scope::Main => "main",
            Scope::Ward => "ward",
        }
    }
}

/// The kinds of sealed record. Each kind has a fixed scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A playbook imported, one record per file, by versions before packs were kept
    /// signed: read only to tell an admin to import the pack again, never shown.
    Playbook,
    /// The pack in force as imported: the pack file's text exactly as signed (main scope:
    /// the truth a full session verifies and the ward copy is checked against).
    SignedPack,
    /// The ward's copy of the signed pack, for emergency access (verified at every load).
    WardPack,
    /// The ward's copy of the pinned pack key, for emergency access to verify against.
    WardPackKey,
    /// The ward's call list, for emergency access.
    WardCallList,
    /// The contact tree: the people and organisations to call, in calling order.
    Contact,
    /// Workstation settings (idle lock ...).
    Settings,
    /// The public key that signs this organisation's playbook packs, pinned by an admin.
    PackKey,
    /// The pack in force's version and dates, as versions before packs were kept signed
    /// wrote them (ward scope): read only for the rollback check of a store from then.
    PackInfo,
    /// The workstation's Ed25519 key as stores from before kept it (any signed-in user could
    /// open it): moved to [`Kind::LogKey`] by the first session that holds the admins' key.
    DeviceKey,
    /// The workstation's Ed25519 key, which certifies each person's log key: its public
    /// half, and its private half sealed under a key only the admins' key gives.
    LogKey,
    /// A person's log key, certified by the workstation's key (the signer line of bundles).
    LogSigner,
    /// The signer lines of another workstation's imported log.
    ImportedSigners,
    /// An incident: its playbook, lead, discovery time, drill or not.
    Incident,
    /// What emergency access may see of an incident (ward scope): its title and whether it
    /// is open, so ward staff can follow its ward steps and log observations.
    WardIncident,
    /// Training: who is assigned which module, by when.
    Training,
    /// A simulated-phishing campaign's results.
    PhishingCampaign,
    /// An incident's breach report in the breach register (`crate::breach::register`).
    BreachReport,
    /// The asset register: the critical systems, data sets and medical devices, their
    /// priority, dependencies, restore order and patch status (one record).
    Asset,
    /// The risk register: threats, vulnerabilities, scores and treatments (one record).
    Risk,
    /// A HICP self-assessment: its date, size and answers (one record a date).
    HicpAssessment,
    /// CISA's Known Exploited Vulnerabilities catalogue as last imported (one record).
    KevCatalogue,
    /// A version of a written policy, kept six years after it is superseded.
    PolicyVersion,
    /// A signed threat bulletin as imported.
    Bulletin,
    /// An evidence item of an incident (`crate::forensics::evidence`): what it is, where it
    /// is kept, who collected it and when, its SHA-256. Its custody is in the log.
    Evidence,
    /// An indicator of compromise of an incident (`crate::forensics::indicators`), with its
    /// TLP marking.
    Indicator,
    /// An incident's forensic findings the lead records: how the attacker got in, the data
    /// affected (`crate::forensics::summary`).
    Findings,
    /// How far this workstation has published its log into the fleet folder
    /// (`crate::fleet::Cursor`).
    FleetCursor,
    /// The keys of the workstations this store collects from the fleet folder, pinned or
    /// enrolled (`crate::fleet::FleetKeys`).
    FleetKeys,
    /// The SIEM this workstation forwards its log to: host, port, CA, client certificate
    /// and key, whether typed text is sent (`crate::siem::Target`).
    SiemTarget,
    /// How far this workstation's log was forwarded to the SIEM (`crate::siem::Cursor`).
    SiemCursor,
}

impl Kind {
    pub const ALL: [Kind; 31] = [
        Kind::Playbook,
        Kind::SignedPack,
        Kind::WardPack,
        Kind::WardPackKey,
        Kind::WardCallList,
        Kind::Contact,
        Kind::Settings,
        Kind::PackKey,
        Kind::PackInfo,
        Kind::DeviceKey,
        Kind::LogKey,
        Kind::LogSigner,
        Kind::ImportedSigners,
        Kind::Incident,
        Kind::WardIncident,
        Kind::Training,
        Kind::PhishingCampaign,
        Kind::BreachReport,
        Kind::Asset,
        Kind::Risk,
        Kind::HicpAssessment,
        Kind::KevCatalogue,
        Kind::PolicyVersion,
        Kind::Bulletin,
        Kind::Evidence,
        Kind::Indicator,
        Kind::Findings,
        Kind::FleetCursor,
        Kind::FleetKeys,
        Kind::SiemTarget,
        Kind::SiemCursor,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Playbook => "playbook",
            Kind::SignedPack => "signed_pack",
            Kind::WardPack => "ward_pack",
            Kind::WardPackKey => "ward_pack_key",
            Kind::WardCallList => "ward_call_list",
            Kind::Contact => "contact",
            Kind::Settings => "settings",
            Kind::PackKey => "pack_key",
            Kind::PackInfo => "pack_info",
            Kind::DeviceKey => "device_key",
            Kind::LogKey => "log_key",
            Kind::LogSigner => "log_signer",
            Kind::ImportedSigners => "imported_signers",
            Kind::Incident => "incident",
            Kind::WardIncident => "ward_incident",
            Kind::Training => "training",
            Kind::PhishingCampaign => "phishing_campaign",
            Kind::BreachReport => "breach_report",
            Kind::Asset => "asset",
            Kind::Risk => "risk",
            Kind::HicpAssessment => "hicp_assessment",
            Kind::KevCatalogue => "kev_catalogue",
            Kind::PolicyVersion => "policy_version",
            Kind::Bulletin => "bulletin",
            Kind::Evidence => "evidence",
            Kind::Indicator => "indicator",
            Kind::Findings => "forensic_findings",
            Kind::FleetCursor => "fleet_cursor",
            Kind::FleetKeys => "fleet_keys",
            Kind::SiemTarget => "siem_target",
            Kind::SiemCursor => "siem_cursor",
        }
    }

    /// Whether only admins write this kind: its records are signed by the admins' key, and
    /// a record without a good signature is refused (`record_forged`).
    pub const fn signed(self) -> bool {
        // Every kind only admins write (the permission table's `Manage...` rows): a staff
        // member who holds the main key cannot forge a phone number or an assignment.
        matches!(
            self,
            Kind::Settings
                | Kind::PackKey
                | Kind::LogKey
                | Kind::Contact
                | Kind::SignedPack
                | Kind::Training
                | Kind::PhishingCampaign
                | Kind::Asset
                | Kind::Risk
                | Kind::HicpAssessment
                | Kind::KevCatalogue
                | Kind::PolicyVersion
                | Kind::Bulletin
                | Kind::FleetKeys
                | Kind::SiemTarget
        )
    }

    pub const fn scope(self) -> Scope {
        match self {
            Kind::Playbook
            | Kind::WardPack
            | Kind::WardPackKey
            | Kind::WardCallList
            | Kind::PackInfo
            | Kind::WardIncident => Scope::Ward,
            Kind::SignedPack
            | Kind::Contact
            | Kind::Settings
            | Kind::PackKey
            | Kind::DeviceKey
            | Kind::LogKey
            | Kind::LogSigner
            | Kind::ImportedSigners
            | Kind::Incident
            | Kind::Training
            | Kind::PhishingCampaign
            | Kind::BreachReport
            | Kind::Asset
            | Kind::Risk
            | Kind::HicpAssessment
            | Kind::KevCatalogue
            | Kind::PolicyVersion
            | Kind::Bulletin
            | Kind::Evidence
            | Kind::Indicator
            | Kind::Findings
            | Kind::FleetCursor
            | Kind::FleetKeys
            | Kind::SiemTarget
            | Kind::SiemCursor => Scope::Main,
        }
    }
}

/// Workstation settings an admin sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Settings {
    /// The desktop app locks after this many idle minutes.
    pub idle_lock_minutes: u32,
    /// The IANA time zone people on this workstation read times in, set by an admin where
    /// the system's is wrong; `None`: the system's (`words::Zone::system`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// How long before a legal clock is due its reminders come, in minutes, longest
    /// first (default 7 days and 1 day).
    #[serde(default = "default_clock_reminders")]
    pub clock_reminders: Vec<u32>,
    /// The states and territories the organisation operates in, for clock rules that
    /// apply in one (`None`: not set yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdictions: Option<Vec<String>>,
    /// The organisation's traits clock rules may require (`publicly-traded`, ...; `None`:
    /// not set yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traits: Option<Vec<String>>,
    /// The day the risk register was last imported: the last risk analysis on record
    /// (45 CFR 164.308(a)(1)(ii)(A)), which falls due again a year on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_analysed: Option<chrono::NaiveDate>,
    /// The fleet folder this workstation publishes its log into (`docs/fleet.md`); the
    /// managed configuration's, when it names one, wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet_dir: Option<String>,
}

fn default_clock_reminders() -> Vec<u32> {
    vec![7 * 24 * 60, 24 * 60]
}

impl Record for Settings {
    const KIND: Kind = Kind::Settings;
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            idle_lock_minutes: 10,
            time_zone: None,
            clock_reminders: default_clock_reminders(),
            jurisdictions: None,
            traits: None,
            risk_analysed: None,
            fleet_dir: None,
        }
    }
}

/// ASCII text in groups of four joined by dashes (`ABCD-EFGH-IJ`), as people read keys out.
fn in_groups_of_four(text: &str) -> String {
    let groups: Vec<&str> =
        text.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    groups.join("-")
}

/// The recovery key, shown once when the store is created. Whoever holds it can reset any
/// passphrase: print it and lock it away.
pub struct RecoveryKey(Zeroizing<String>);

impl RecoveryKey {
    fn from_secret(secret: &SecretKey) -> Self {
        let text = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(secret.as_bytes()));
        Self(Zeroizing::new(in_groups_of_four(&text)))
    }

    /// Reads a recovery key as printed (groups, dashes, spaces and case do not matter).
    /// Every copy of it is wiped when dropped.
    pub fn parse(text: &str) -> Result<SecretKey> {
        // Room for every character at once: growing would leave copies behind unwiped.
        let mut clean = Zeroizing::new(String::with_capacity(text.len()));
        clean.extend(
            text.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()),
        );
        let bad = || Error::Invalid { what: "recovery key", reason: "not a recovery key".into() };
        let bytes = Zeroizing::new(
            data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).map_err(|_| bad())?,
        );
        SecretKey::from_slice(&bytes).map_err(|_| bad())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(..)")
    }
}

/// A locked store: the file is open, no key is in memory.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Where the store's times come from (the log's entries, users added, failed unlocks).
    clock: SharedClock,
    /// The row changes not yet sealed into the store's state (`state.rs`).
    state: state::Tracker,
}

/// An unlocked session of one user: holds the keys their role holds until dropped.
#[derive(Debug)]
pub struct Session {
    store: Store,
    main: SealingKey,
    ward: SealingKey,
    /// The data keys' secrets, to wrap them to a new holder.
    main_secret: SecretKey,
    ward_secret: SecretKey,
    /// The admins' key: admins (and a recovery-key unlock) only.
    admin: Option<holders::Authority>,
    /// The admins' authority key this session trusts (the newest in the chain).
    trust: holders::Trust,
    /// The person's own seed; `None` after a recovery-key unlock (a new passphrase makes a
    /// new one).
    seed: Option<SecretKey>,
    /// The master key of a store from before schema 7, while some slot still wraps it.
    legacy: Option<SecretKey>,
    user: users::CurrentUser,
    /// The public half of the workstation's key (the log id), read at the first need.
    device: std::cell::OnceCell<crate::log::PublicKey>,
    /// The person's own log key, which signs the checkpoints of their entries.
    signer: std::cell::OnceCell<crate::log::LogSigner>,
    /// This session's entries that wait for a signed checkpoint (`activity.rs`): a hint,
    /// checked against the log before it is trusted.
    log_run: std::cell::RefCell<Option<activity::Run>>,
    /// The zone the workstation's managed configuration sets, over the store's setting.
    managed_zone: Option<crate::words::Zone>,
    /// The zone as last worked out (`Session::zone`), forgotten when it is set again.
    zone: std::cell::Cell<Option<crate::words::Zone>>,
    /// The organisation's profile for the legal clocks as last read, with the versions of
    /// the settings and the contact list it was read at (`incident::run`).
    pub(crate) organisation: std::cell::RefCell<Option<crate::incident::OrganisationRead>>,
    /// The role `ready` last found, and what the store had seen then ([`Store::seen`]).
    checked: std::cell::Cell<Option<(Seen, Role)>>,
}

/// Emergency access: holds the ward key only, so it can open playbooks and the ward call
/// list and nothing else.
#[derive(Debug)]
pub struct EmergencySession {
    store: Store,
    ward: SealingKey,
}

fn connect(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let not_a_store = || Error::NotAStore { path: path.to_path_buf() };
    let conn = Connection::open_with_flags(path, flags).map_err(|_| not_a_store())?;
    // The first read of the header tells a database from any other file.
    conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
        .map_err(|_| not_a_store())?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(Error::sql("switch to WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(not_a_store());
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; \
         PRAGMA foreign_keys = ON;",
    )
    .map_err(Error::sql("set its pragmas"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(Error::sql("set its busy timeout"))?;
    Ok(conn)
}

fn slot_binding(slot_id: &str) -> Binding<'_> {
    Binding { domain: "slot", table: "slots", row: slot_id, version: 0 }
}

fn data_key_binding(scope: Scope, key_id: u32) -> Binding<'static> {
    Binding { domain: "data-key", table: "data_keys", row: scope.as_str(), version: key_id as i64 }
}

fn check_binding(scope: Scope) -> Binding<'static> {
    Binding { domain: "check", table: "meta", row: scope.as_str(), version: 0 }
}

/// A data key's check value; since schema 6 it also says that the store keeps a sealed
/// state (`state.rs`), so a state row deleted is not taken for a store from before.
const CHECK_PLAINTEXT: &[u8] = b"caregiver-playbook key check; store state kept";
/// The check value of stores from before schema 6, until their first full unlock.
const CHECK_PLAINTEXT_BEFORE_STATE: &[u8] = b"caregiver-playbook key check";

fn check_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Main => "check_main",
        Scope::Ward => "check_ward",
    }
}

fn random_id() -> Result<String> {
    Ok(data_encoding::HEXLOWER.encode(&crypto::random_bytes::<16>()?))
}

/// A new record id: 128 random bits, hex, that says nothing about the record.
pub fn new_record_id() -> Result<String> {
    random_id()
}

/// A value as it is sealed: JSON, padded to a size class.
fn encode_json<T: Serialize>(value: &T) -> Result<Zeroizing<Vec<u8>>> {
    let mut json = Zeroizing::new(Vec::with_capacity(256));
    write_json(&mut json, value)?;
    Ok(json)
}

/// Appends `value` as JSON padded to a size class (the padding counts from where the JSON
/// starts: a sealing buffer already holds its header).
fn write_json<T: Serialize>(buf: &mut Vec<u8>, value: &T) -> Result<()> {
    let start = buf.len();
    serde_json::to_writer(&mut *buf, value).map_err(|e| Error::Invalid {
        what: "record",
        reason: format!("cannot be encoded: {e}"),
    })?;
    crypto::pad_tail(buf, start, PAD_BUCKET);
    Ok(())
}

/// Seals `value` as padded JSON, written once into the sealing buffer and encrypted there.
fn seal_json<T: Serialize>(key: &SealingKey, at: &Binding<'_>, value: &T) -> Result<Vec<u8>> {
    key.seal_with(at, 2 * PAD_BUCKET, |buf| write_json(buf, value))
}

fn open_json<T: DeserializeOwned>(
    key: &SealingKey,
    at: &Binding<'_>,
    sealed: &[u8],
    what: impl FnOnce() -> String,
) -> Result<T> {
    decode_json(&key.open(at, sealed).map_err(|_| Error::Damaged { what: what() })?)
}

/// As [`open_json`], decrypting in `scratch` (see [`SealingKey::open_in`]).
fn open_json_in<T: DeserializeOwned>(
    key: &SealingKey,
    at: &Binding<'_>,
    sealed: &[u8],
    scratch: &mut Zeroizing<Vec<u8>>,
    what: impl FnOnce() -> String,
) -> Result<T> {
    decode_json(key.open_in(at, sealed, scratch).map_err(|_| Error::Damaged { what: what() })?)
}

fn decode_json<T: DeserializeOwned>(plain: &[u8]) -> Result<T> {
    serde_json::from_slice(plain).map_err(|_| Error::Damaged { what: "a sealed value".into() })
}

/// Seals `value` and signs it with the admins' key: (sealed, signature).
fn seal_signed<T: Serialize>(
    key: &SealingKey,
    authority: &holders::Authority,
    at: &Binding<'_>,
    value: &T,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let plain = encode_json(value)?;
    Ok((key.seal(at, &plain)?, authority.sign(at, &plain)))
}

/// Opens a value only admins write, and checks the admins' signature over it.
fn open_signed<T: DeserializeOwned>(
    key: &SealingKey,
    trust: holders::Trust,
    at: &Binding<'_>,
    sealed: &[u8],
    signature: Option<&[u8]>,
    what: impl Fn() -> String,
) -> Result<T> {
    let plain = key.open(at, sealed).map_err(|_| Error::Damaged { what: what() })?;
    trust.verify(at, &plain, signature, &what)?;
    decode_json(&plain)
}

/// A row read back to sign again: (id, version, sealed, signature).
type SignedRow = (String, i64, Vec<u8>, Option<Vec<u8>>);

/// Where the rows [`sign_rows`] signs live: the SELECT of (id, version, sealed, signature)
/// with its one parameter, the UPDATE of signature ?1 for id ?2, and the binding's domain
/// and table.
struct SignedRows<'a> {
    select: &'a str,
    param: &'a str,
    update: &'a str,
    domain: &'a str,
    table: &'a str,
}

/// Signs again with `authority` every row of `rows`: each opened with `main` and, when
/// `old` is given, checked against that admins' key first (a store moving to keys per
/// person has none to check against).
fn sign_rows(
    tx: &Connection,
    rows: &SignedRows<'_>,
    main: &SealingKey,
    authority: &holders::Authority,
    old: Option<holders::Trust>,
) -> Result<()> {
    let found: Vec<SignedRow> = tx
        .prepare(rows.select)
        .and_then(|mut st| {
            st.query_map([rows.param], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .map_err(Error::sql("read rows to sign"))?;
    for (id, version, sealed, signature) in found {
        let at = Binding { domain: rows.domain, table: rows.table, row: &id, version };
        let what = || format!("the {} record {id}", rows.table);
        let plain = main.open(&at, &sealed).map_err(|_| Error::Damaged { what: what() })?;
        if let Some(old) = old {
            old.verify(&at, &plain, signature.as_deref(), what)?;
        }
        tx.execute(rows.update, params![authority.sign(&at, &plain), id])
            .map_err(Error::sql("sign a row"))?;
    }
    Ok(())
}

/// A new wrapping of `secret` under a passphrase: (salt, wrapped) for a slot row.
fn wrap_under_passphrase(
    slot_id: &str,
    passphrase: &[u8],
    secret: &SecretKey,
) -> Result<([u8; SALT_LEN], Vec<u8>)> {
    let salt = crypto::random_bytes::<SALT_LEN>()?;
    let kek =
        SealingKey::new(KEK_ID, &SecretKey::from_passphrase(passphrase, &salt, PBKDF2_ITERATIONS))?;
    Ok((salt, kek.wrap(&slot_binding(slot_id), secret)?))
}

fn put_meta(tx: &Connection, name: &str, value: &[u8]) -> Result<()> {
    tx.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)", params![name, value])
        .map_err(Error::sql("write its metadata"))?;
    Ok(())
}

fn get_meta(conn: &Connection, name: &str) -> Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| r.get(0))
        .optional()
        .map_err(Error::sql("read its metadata"))
}

/// What a connection has seen of its store: `PRAGMA data_version` (which moves when another
/// connection commits) and how many rows of `users` and `meta` this connection has written
/// or rolled back ([`state::Tracker`]'s hook counts them). While both stay put, what was
/// read from those tables still holds.
type Seen = (i64, u64);

impl Store {
    fn seen(&self) -> Result<Seen> {
        let version: i64 = self
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut st| st.query_row([], |r| r.get(0)))
            .map_err(Error::sql("read whether the store changed"))?;
        Ok((version, self.state.access_changes()))
    }

    /// Creates a new store at `path` with its first admin, and returns the admin's session
    /// and the recovery key (show it once). Refuses to touch an existing file.
    pub fn create(
        path: &Path,
        admin_name: &str,
        admin_passphrase: &[u8],
        clock: SharedClock,
    ) -> Result<(Session, RecoveryKey)> {
        users::check_name(admin_name)?;
        users::check_passphrase(admin_passphrase)?;
        if path.exists() {
            return Err(Error::StoreExists { path: path.to_path_buf() });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::paths::ensure_data_dir(dir)?;
        }
        let result = Self::create_inner(path, admin_name, admin_passphrase, clock);
        if result.is_err() {
            // Nothing half-made stays behind: the file did not exist before.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        result
    }

    fn create_inner(
        path: &Path,
        admin_name: &str,
        admin_passphrase: &[u8],
        clock: SharedClock,
    ) -> Result<(Session, RecoveryKey)> {
        let mut conn = connect(path, true)?;
        schema::migrate(&mut conn)?;
        let tracker = state::Tracker::install(&mut conn)?;
        let recovery = SecretKey::generate()?;
        let main_secret = SecretKey::generate()?;
        let main = SealingKey::new(1, &main_secret)?;
        let ward_secret = SecretKey::generate()?;
        let ward = SealingKey::new(2, &ward_secret)?;
        let tx = conn.transaction().map_err(Error::sql("start creating the store"))?;
        put_meta(&tx, "store_id", &crypto::random_bytes::<16>()?)?;
        put_meta(&tx, "tag_salt", &crypto::random_bytes::<16>()?)?;
        put_meta(&tx, "directory_key", SecretKey::generate()?.as_bytes())?;
        for (scope, key) in [(Scope::Main, &main), (Scope::Ward, &ward)] {
            put_meta(&tx, check_name(scope), &key.seal(&check_binding(scope), CHECK_PLAINTEXT)?)?;
        }
        let authority = holders::first_authority_key(&tx)?;
        let admin = users::NewUser { name: admin_name, role: Role::Admin, must_change: false };
        let user_id = users::insert(&tx, &main, &authority, &admin, clock.now())?;
        let seed = holders::create(
            &tx,
            &user_id,
            admin_passphrase,
            &recovery,
            &authority,
            [(&main, &main_secret), (&ward, &ward_secret)],
        )?;
        logkeys::certify_person(&tx, &main, &authority, admin_name, &seed)?;
        state::write_fresh(&tx, &tracker, &main, &ward, &[Scope::Main, Scope::Ward])?;
        tx.commit().map_err(Error::sql("commit the new store"))?;
        let store = Store { conn, path: path.to_path_buf(), clock, state: tracker };
        let trust = authority.trust();
        let user = users::load_current(&store.conn, &main, trust, &user_id)?;
        let session = Session {
            store,
            main,
            ward,
            main_secret,
            ward_secret,
            admin: Some(authority),
            trust,
            seed: Some(seed),
            legacy: None,
            user,
            device: Default::default(),
            signer: Default::default(),
            log_run: Default::default(),
            managed_zone: None,
            zone: Default::default(),
            organisation: Default::default(),
            checked: Default::default(),
        };
        Ok((session, RecoveryKey::from_secret(&recovery)))
    }

    /// Opens an existing store, upgrading its schema if it is older. No key is read.
    pub fn open(path: &Path, clock: SharedClock) -> Result<Store> {
        if !path.is_file() {
            return Err(Error::StoreNotFound { path: path.to_path_buf() });
        }
        let mut conn = connect(path, false)?;
        // Version 0 is any other SQLite file: never "upgrade" somebody else's database.
        if schema::version(&conn)? == 0 {
            return Err(Error::NotAStore { path: path.to_path_buf() });
        }
        schema::migrate(&mut conn)?;
        if get_meta(&conn, "store_id")?.is_none() {
            return Err(Error::NotAStore { path: path.to_path_buf() });
        }
        let state = state::Tracker::install(&mut conn)?;
        Ok(Store { conn, path: path.to_path_buf(), clock, state })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The clock the store was opened with.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The names for the lock screen's user picker, sorted.
    pub fn lock_screen_names(&self) -> Result<Vec<String>> {
        users::lock_screen_names(&self.conn)
    }

    /// Whether an admin has set an emergency code (the lock screen offers the button).
    pub fn has_emergency_code(&self) -> Result<bool> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM slots WHERE kind = 'emergency')", [], |r| {
                r.get(0)
            })
            .map_err(Error::sql("read the emergency slot"))
    }

    /// Unwraps a slot's key with `kek`. A failure counts in each of `counts` (their
    /// growing delays) and gives the one uniform error; a success clears them.
    fn open_slot(
        &self,
        counts: &[throttle::Count<'_>],
        kek: &SealingKey,
        slot_id: &str,
        wrapped: &[u8],
    ) -> Result<SecretKey> {
        let opened = kek.unwrap_key(&slot_binding(slot_id), wrapped).map_err(|_| ());
        self.count_attempt(counts, opened)
    }

    /// Counts an unlock attempt: a failure in each of `counts` (the one uniform error), a
    /// success clears them.
    fn count_attempt<T>(
        &self,
        counts: &[throttle::Count<'_>],
        opened: std::result::Result<T, ()>,
    ) -> Result<T> {
        match opened {
            Ok(value) => {
                throttle::reset(&self.conn, counts)?;
                Ok(value)
            }
            Err(()) => {
                throttle::fail(&self.conn, counts, self.now_ms())?;
                Err(Error::WrongPassphrase)
            }
        }
    }

    /// Unlocks as a user. A wrong name and a wrong passphrase give the same error, take the
    /// same time, and count towards the same growing delays: the name's own (counted by
    /// the name's tag, whether or not the name exists) and that of every failed unlock.
    pub fn unlock(self, name: &str, passphrase: &[u8]) -> Result<Session> {
        let tag = users::name_tag(&self.conn, name)?;
        let counts = throttle::user_counts(&tag);
        throttle::check(&self.conn, &counts, self.now_ms())?;
        let user_id = users::find_user_id(&self.conn, name)?;
        if let Some(id) = &user_id {
            if let Some((iterations, salt, wrapped)) = holders::person_slot(&self.conn, id)? {
                let kek = SealingKey::new(
                    KEK_ID,
                    &SecretKey::from_passphrase(passphrase, &salt, iterations),
                )?;
                let opened =
                    self.count_attempt(&counts, holders::open_person(&kek, id, &wrapped))?;
                return self.person_session(id, opened, &kek);
            }
            if let Some((slot_id, iterations, salt, wrapped)) = users::legacy_slot(&self.conn, id)?
            {
                let kek = SealingKey::new(
                    KEK_ID,
                    &SecretKey::from_passphrase(passphrase, &salt, iterations),
                )?;
                let master = self.open_slot(&counts, &kek, &slot_id, &wrapped)?;
                return self.move_legacy(master, id, Moving::Person(passphrase));
            }
        }
        // Same work as a real attempt, so timing does not tell names apart.
        let _ = SecretKey::from_passphrase(passphrase, &[0u8; SALT_LEN], PBKDF2_ITERATIONS);
        throttle::fail(&self.conn, &counts, self.now_ms())?;
        Err(Error::WrongPassphrase)
    }

    /// A person's session from their opened seed: the chain of admins' keys followed to
    /// the newest (and trusted from now on), their keys opened and checked, their user
    /// record checked against the admins' signature.
    fn person_session(
        self,
        user_id: &str,
        opened: holders::Opened,
        kek: &SealingKey,
    ) -> Result<Session> {
        let trust = holders::follow_chain(&self.conn, opened.trust)?;
        let pair = crypto::BoxSecret::from_seed(&opened.seed);
        let keys = holders::open_keys(&self.conn, user_id, &pair, trust)?;
        state::at_unlock(&self.conn, &self.state, &keys.main.0, &keys.ward.0)?;
        let mut user = users::load_current(&self.conn, &keys.main.0, trust, user_id)?;
        user.must_change = opened.must_change;
        let seed = if trust != opened.trust {
            let now = holders::Opened { trust, ..opened };
            self.write_sealed(&keys, |tx| holders::retrust_person(tx, kek, user_id, &now))?;
            now.seed
        } else {
            opened.seed
        };
        let session = self.session(keys, trust, Some(seed), user);
        session.settle_log_keys()?;
        Ok(session)
    }

    /// One write of an unlock (a slot re-sealed to trust a newer admins' key), with the
    /// store's state sealed in the same transaction.
    fn write_sealed(
        &self,
        keys: &holders::Keys,
        write: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<()> {
        let tx = records::write_transaction(&self.conn)?;
        write(&tx)?;
        state::seal(&tx, &self.state, Some(&keys.main.0), &keys.ward.0)?;
        tx.commit().map_err(Error::sql("commit the unlock slot"))
    }

    fn session(
        self,
        keys: holders::Keys,
        trust: holders::Trust,
        seed: Option<SecretKey>,
        user: users::CurrentUser,
    ) -> Session {
        let holders::Keys { main: (main, main_secret), ward: (ward, ward_secret), admin, legacy } =
            keys;
        Session {
            store: self,
            main,
            ward,
            main_secret,
            ward_secret,
            admin,
            trust,
            seed,
            legacy,
            user,
            device: Default::default(),
            signer: Default::default(),
            log_run: Default::default(),
            managed_zone: None,
            zone: Default::default(),
            organisation: Default::default(),
            checked: Default::default(),
        }
    }

    /// Unlocks with the recovery key as `name`, who must then set a new passphrase. Counts
    /// towards the same delays as a passphrase for `name`.
    pub fn unlock_with_recovery_key(self, name: &str, recovery_key: &str) -> Result<Session> {
        let tag = users::name_tag(&self.conn, name)?;
        let counts = throttle::user_counts(&tag);
        throttle::check(&self.conn, &counts, self.now_ms())?;
        let recovery = RecoveryKey::parse(recovery_key)?;
        let mut session = match holders::open_recovery(&self.conn, &recovery)? {
            Some(opened) => {
                let first = self.count_attempt(&counts, opened)?;
                let user_id = users::find_user_id(&self.conn, name)?.ok_or(Error::UserNotFound)?;
                let trust = holders::follow_chain(&self.conn, first)?;
                let pair = crypto::BoxSecret::from_seed(&holders::recovery_seed(&recovery)?);
                let keys = holders::open_keys(&self.conn, holders::RECOVERY, &pair, trust)?;
                state::at_unlock(&self.conn, &self.state, &keys.main.0, &keys.ward.0)?;
                if trust != first {
                    self.write_sealed(&keys, |tx| holders::retrust_recovery(tx, &recovery, trust))?;
                }
                let user = users::load_current(&self.conn, &keys.main.0, trust, &user_id)?;
                let session = self.session(keys, trust, None, user);
                session.settle_log_keys()?;
                session
            }
            None => {
                let wrapped: Vec<u8> = self
                    .conn
                    .query_row("SELECT wrapped FROM slots WHERE kind = 'recovery'", [], |r| {
                        r.get(0)
                    })
                    .map_err(Error::sql("read the recovery slot"))?;
                let kek = SealingKey::new(KEK_ID, &recovery)?;
                let master = self.open_slot(&counts, &kek, "recovery", &wrapped)?;
                let user_id = users::find_user_id(&self.conn, name)?.ok_or(Error::UserNotFound)?;
                self.move_legacy(master, &user_id, Moving::Recovery(&recovery))?
            }
        };
        session.user.forced_change = true;
        Ok(session)
    }

    /// A data key of a store from before schema 7, unwrapped with its master key.
    fn load_data_key(&self, master: &SecretKey, scope: Scope) -> Result<(SealingKey, SecretKey)> {
        let (key_id, wrapped): (u32, Vec<u8>) = self
            .conn
            .query_row(
                "SELECT key_id, wrapped FROM data_keys WHERE scope = ?1",
                [scope.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(Error::sql("read a data key"))?;
        let damaged = || Error::Damaged { what: format!("the {} data key", scope.as_str()) };
        let secret = SealingKey::new(KEK_ID, master)?
            .unwrap_key(&data_key_binding(scope, key_id), &wrapped)
            .map_err(|_| damaged())?;
        let key = SealingKey::new(key_id, &secret)?;
        holders::verify_check(&self.conn, &key, scope)?;
        Ok((key, secret))
    }

    /// Moves one slot of a store from before schema 7 (a person's, at their unlock, or the
    /// recovery key's) to keys of its own, in one transaction, and opens the session.
    fn move_legacy(self, master: SecretKey, user_id: &str, moving: Moving<'_>) -> Result<Session> {
        let main = self.load_data_key(&master, Scope::Main)?;
        let ward = self.load_data_key(&master, Scope::Ward)?;
        state::at_unlock(&self.conn, &self.state, &main.0, &ward.0)?;
        let tx = self.conn.unchecked_transaction().map_err(Error::sql("start the key upgrade"))?;
        let (authority, first) = holders::legacy_authority(&tx, &master)?;
        if first {
            users::sign_all(&tx, &main.0, &authority, None)?;
            records::sign_all(&tx, &main.0, &authority, None)?;
        }
        let trust = authority.trust();
        let doc_role = users::role_of(&tx, &main.0, trust, user_id)?;
        let (holder, seed, must_change) = match moving {
            Moving::Person(passphrase) => {
                let must_change = users::legacy_must_change(&tx, &main.0, trust, user_id)?;
                let new = holders::NewHolder::Person { user_id, passphrase, must_change };
                let seed = holders::put_holder(&tx, new, &authority)?;
                tx.execute("DELETE FROM slots WHERE user_id = ?1", [user_id])
                    .map_err(Error::sql("retire an old unlock slot"))?;
                (user_id.to_owned(), Some(seed), must_change)
            }
            Moving::Recovery(recovery) => {
                holders::put_holder(&tx, holders::NewHolder::Recovery { recovery }, &authority)?;
                tx.execute("DELETE FROM slots WHERE kind = 'recovery'", [])
                    .map_err(Error::sql("retire the old recovery slot"))?;
                (holders::RECOVERY.to_owned(), None, true)
            }
        };
        // The moving session holds the admins' key: the workstation's key moves to where
        // only admins open it, and the person's log key is certified.
        let device = logkeys::device_key(&tx, &main.0, &authority)?;
        if let Some(seed) = &seed {
            let name = users::load_current(&tx, &main.0, trust, user_id)?.name;
            logkeys::certify(&tx, &main.0, &device, &name, seed)?;
        }
        let holds_admin = holder == holders::RECOVERY || doc_role == Role::Admin;
        let keys = holders::Keys {
            main,
            ward,
            admin: holds_admin.then_some(authority),
            legacy: Some(master),
        };
        holders::wrap_keys_to(&tx, &holder, &keys, trust)?;
        let keys = holders::finish_legacy(&tx, keys)?;
        state::seal(&tx, &self.state, Some(&keys.main.0), &keys.ward.0)?;
        tx.commit().map_err(Error::sql("commit the key upgrade"))?;
        let mut user = users::load_current(&self.conn, &keys.main.0, trust, user_id)?;
        user.must_change = must_change;
        Ok(self.session(keys, trust, seed, user))
    }

    /// Emergency (break-glass) access with the ward's emergency code. Opens the ward key
    /// only, and records the use.
    pub fn unlock_emergency(self, code: &[u8]) -> Result<EmergencySession> {
        throttle::check(&self.conn, &throttle::EMERGENCY, self.now_ms())?;
        let slot: Option<(String, u32, Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT slot_id, iterations, salt, wrapped FROM slots WHERE kind = 'emergency'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(Error::sql("read the emergency slot"))?;
        let (slot_id, iterations, salt, wrapped) = slot.ok_or(Error::NoEmergencyCode)?;
        let kek = SealingKey::new(
            KEK_ID,
            &SecretKey::from_passphrase(&normalise_code(code), &salt, iterations),
        )?;
        let secret = self.open_slot(&throttle::EMERGENCY, &kek, &slot_id, &wrapped)?;
        let ward = SealingKey::new(keys::ward_key_id(&self.conn)?, &secret)?;
        holders::verify_check(&self.conn, &ward, Scope::Ward)?;
        state::at_emergency_unlock(&self.conn, &ward)?;
        let session = EmergencySession { store: self, ward };
        session.record_access(AccessKind::EmergencyUnlock)?;
        Ok(session)
    }
}

/// Which slot of a store from before schema 7 is moving.
enum Moving<'a> {
    /// A person's, with the passphrase that just opened it.
    Person(&'a [u8]),
    /// The recovery key's.
    Recovery(&'a SecretKey),
}

impl EmergencySession {
    /// Ends emergency access: drops the ward key.
    pub fn lock(self) -> Store {
        self.store
    }
}

impl Session {
    pub fn user_name(&self) -> &str {
        &self.user.name
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// True until a user with a first (or reset) passphrase sets their own.
    pub fn must_change_passphrase(&self) -> bool {
        self.user.must_change || self.user.forced_change
    }

    /// Locks: signs the log's waiting entries (best effort: `activity.rs`), drops every
    /// key and returns the locked store.
    pub fn lock(self) -> Store {
        let _ = self.checkpoint_log();
        self.store
    }

    /// The user's role as the store says now (not as it was at unlock), once their
    /// passphrase no longer needs changing. A removed user's open session can do nothing.
    ///
    /// The user's row and the key checks are read again whenever the store may have
    /// changed since they were last read ([`Store::seen`]: another connection committed,
    /// or this one wrote to `users` or `meta`), and not otherwise: reading them costs an
    /// append a fifth of its instructions (`benches/README.md`).
    fn ready(&self) -> Result<Role> {
        let seen = self.store.seen()?;
        let role = match self.checked.get() {
            Some((at, role)) if at == seen => role,
            _ => {
                let role = users::role_now(&self.store.conn, &self.main, self.trust, &self.user)?;
                self.keys_current()?;
                self.checked.set(Some((seen, role)));
                role
            }
        };
        if self.user.must_change || self.user.forced_change {
            return Err(Error::PassphraseChangeRequired);
        }
        Ok(role)
    }

    /// Refuses to go on with keys an admin has since turned over (in another process): what
    /// this session wrote with them, no one could read.
    fn keys_current(&self) -> Result<()> {
        let mut stmt = self
            .store
            .conn
            .prepare_cached(
                "SELECT name, value FROM meta WHERE name IN ('check_main', 'check_ward')",
            )
            .map_err(Error::sql("read the key checks"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the key checks"))?;
        while let Some(row) = rows.next().map_err(Error::sql("read the key checks"))? {
            let name: String = row.get(0).map_err(Error::sql("read the key checks"))?;
            let value: Vec<u8> = row.get(1).map_err(Error::sql("read the key checks"))?;
            let held = if name == "check_main" { self.main.id() } else { self.ward.id() };
            if crypto::key_id_of(&value).ok() != Some(held) {
                return Err(Error::KeysChanged);
            }
        }
        Ok(())
    }

    /// The signed-in user's role as the store holds it now (an admin may have changed it
    /// since unlock); refuses a removed user.
    pub fn role_now(&self) -> Result<Role> {
        self.ready()
    }

    /// Refuses `action` unless the signed-in user's role, as the store holds it now,
    /// has `permission`; returns that role.
    pub fn require(&self, permission: Permission, action: &'static str) -> Result<Role> {
        let role = self.ready()?;
        role.require(permission, action)?;
        Ok(role)
    }

    /// Now, by the store's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.store.clock.now()
    }

    fn key_for(&self, scope: Scope) -> &SealingKey {
        match scope {
            Scope::Main => &self.main,
            Scope::Ward => &self.ward,
        }
    }
}
