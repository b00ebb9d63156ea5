//! The encrypted store: one SQLite file per workstation, shared by its staff.
//!
//! Key hierarchy (ARCHITECTURE.md records why):
//!
//! ```text
//!  user passphrase ──PBKDF2──► KEK ─┐
//!  recovery key ────────────────────┼─ wraps ─► master key ─ wraps ─► main data key ─ seals ─► everything
//!                                   │                        └ wraps ─► ward data key ─ seals ─► playbooks, ward call list
//!  emergency code ──PBKDF2──► KEK ──┴─ wraps ─► ward data key only
//! ```
//!
//! A [`Store`] is locked: it reads only clear metadata (and the lock-screen names). Unlocking
//! gives a [`Session`] (a user: every key) or an [`EmergencySession`] (the ward key only).
//! Dropping either drops its keys.

mod access;
mod activity;
mod backup;
mod keys;
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
    /// A playbook imported from a signed pack.
    Playbook,
    /// The ward's call list, for emergency access.
    WardCallList,
    /// The contact tree: the people and organisations to call, in calling order.
    Contact,
    /// Workstation settings (idle lock ...).
    Settings,
    /// The public key that signs this organisation's playbook packs, pinned by an admin.
    PackKey,
    /// The pack in force: its version and dates (ward scope: the emergency view shows it).
    PackInfo,
    /// The workstation's Ed25519 key that signs the activity log's checkpoints.
    DeviceKey,
    /// An incident: its playbook, lead, discovery time, drill or not.
    Incident,
    /// What emergency access may see of an incident (ward scope): its title and whether it
    /// is open, so ward staff can follow its ward steps and log observations.
    WardIncident,
    /// Training: who is assigned which module, by when.
    Training,
    /// A simulated-phishing campaign's results.
    PhishingCampaign,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Playbook,
        Kind::WardCallList,
        Kind::Contact,
        Kind::Settings,
        Kind::PackKey,
        Kind::PackInfo,
        Kind::DeviceKey,
        Kind::Incident,
        Kind::WardIncident,
        Kind::Training,
        Kind::PhishingCampaign,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Playbook => "playbook",
            Kind::WardCallList => "ward_call_list",
            Kind::Contact => "contact",
            Kind::Settings => "settings",
            Kind::PackKey => "pack_key",
            Kind::PackInfo => "pack_info",
            Kind::DeviceKey => "device_key",
            Kind::Incident => "incident",
            Kind::WardIncident => "ward_incident",
            Kind::Training => "training",
            Kind::PhishingCampaign => "phishing_campaign",
        }
    }

    pub const fn scope(self) -> Scope {
        match self {
            Kind::Playbook | Kind::WardCallList | Kind::PackInfo | Kind::WardIncident => {
                Scope::Ward
            }
            Kind::Contact
            | Kind::Settings
            | Kind::PackKey
            | Kind::DeviceKey
            | Kind::Incident
            | Kind::Training
            | Kind::PhishingCampaign => Scope::Main,
        }
    }
}

/// Workstation settings an admin sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Settings {
    /// The desktop app locks after this many idle minutes.
    pub idle_lock_minutes: u32,
}

impl Record for Settings {
    const KIND: Kind = Kind::Settings;
}

impl Default for Settings {
    fn default() -> Self {
        Self { idle_lock_minutes: 10 }
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

/// An unlocked session of one user: holds every data key until dropped.
#[derive(Debug)]
pub struct Session {
    store: Store,
    master: SecretKey,
    main: SealingKey,
    ward: SealingKey,
    user: users::CurrentUser,
    /// The workstation's log signing key, opened at the first append.
    device: std::cell::OnceCell<crate::log::DeviceKey>,
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

fn seal_json<T: Serialize>(key: &SealingKey, at: &Binding<'_>, value: &T) -> Result<Vec<u8>> {
    let mut json = Zeroizing::new(serde_json::to_vec(value).map_err(|e| Error::Invalid {
        what: "record",
        reason: format!("cannot be encoded: {e}"),
    })?);
    crypto::pad_to_bucket(&mut json, PAD_BUCKET);
    Ok(key.seal(at, &json)?)
}

fn open_json<T: DeserializeOwned>(
    key: &SealingKey,
    at: &Binding<'_>,
    sealed: &[u8],
    what: impl FnOnce() -> String,
) -> Result<T> {
    let plain = key.open(at, sealed).map_err(|_| Error::Damaged { what: what() })?;
    serde_json::from_slice(&plain).map_err(|_| Error::Damaged { what: "a sealed value".into() })
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

impl Store {
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
        let master = SecretKey::generate()?;
        let recovery = SecretKey::generate()?;
        let main_secret = SecretKey::generate()?;
        let main = SealingKey::new(1, &main_secret)?;
        let ward_secret = SecretKey::generate()?;
        let ward = SealingKey::new(2, &ward_secret)?;
        let master_key = SealingKey::new(KEK_ID, &master)?;
        let tx = conn.transaction().map_err(Error::sql("start creating the store"))?;
        put_meta(&tx, "store_id", &crypto::random_bytes::<16>()?)?;
        put_meta(&tx, "tag_salt", &crypto::random_bytes::<16>()?)?;
        put_meta(&tx, "directory_key", SecretKey::generate()?.as_bytes())?;
        for (scope, key, secret) in
            [(Scope::Main, &main, &main_secret), (Scope::Ward, &ward, &ward_secret)]
        {
            let wrapped = master_key.wrap(&data_key_binding(scope, key.id()), secret)?;
            tx.execute(
                "INSERT INTO data_keys (key_id, scope, wrapped) VALUES (?1, ?2, ?3)",
                params![key.id(), scope.as_str(), wrapped],
            )
            .map_err(Error::sql("store a data key"))?;
            put_meta(&tx, check_name(scope), &key.seal(&check_binding(scope), CHECK_PLAINTEXT)?)?;
        }
        let recovery_slot = "recovery".to_owned();
        let recovery_kek = SealingKey::new(KEK_ID, &recovery)?;
        tx.execute(
            "INSERT INTO slots (slot_id, kind, user_id, iterations, salt, wrapped) VALUES (?1, 'recovery', NULL, 0, x'', ?2)",
            params![recovery_slot, recovery_kek.wrap(&slot_binding(&recovery_slot), &master)?],
        )
        .map_err(Error::sql("store the recovery slot"))?;
        let admin = users::NewUser { name: admin_name, role: Role::Admin, must_change: false };
        let user_id = users::insert(&tx, &main, &admin, admin_passphrase, &master, clock.now())?;
        state::write_fresh(&tx, &tracker, &main, &ward, &[Scope::Main, Scope::Ward])?;
        tx.commit().map_err(Error::sql("commit the new store"))?;
        let store = Store { conn, path: path.to_path_buf(), clock, state: tracker };
        let user = users::load_current(&store.conn, &main, &user_id)?;
        let session = Session { store, master, main, ward, user, device: Default::default() };
        session.device_key()?;
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
        match kek.unwrap_key(&slot_binding(slot_id), wrapped) {
            Ok(key) => {
                throttle::reset(&self.conn, counts)?;
                Ok(key)
            }
            Err(_) => {
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
        let found = users::find_slot(&self.conn, name)?;
        let (user_id, slot_id, iterations, salt, wrapped) = match found {
            Some(f) => f,
            None => {
                // Same work as a real attempt, so timing does not tell names apart.
                let _ = SecretKey::from_passphrase(passphrase, &[0u8; SALT_LEN], PBKDF2_ITERATIONS);
                throttle::fail(&self.conn, &counts, self.now_ms())?;
                return Err(Error::WrongPassphrase);
            }
        };
        let kek =
            SealingKey::new(KEK_ID, &SecretKey::from_passphrase(passphrase, &salt, iterations))?;
        let master = self.open_slot(&counts, &kek, &slot_id, &wrapped)?;
        self.into_session(master, &user_id)
    }

    /// Unlocks with the recovery key as `name`, who must then set a new passphrase. Counts
    /// towards the same delays as a passphrase for `name`.
    pub fn unlock_with_recovery_key(self, name: &str, recovery_key: &str) -> Result<Session> {
        let tag = users::name_tag(&self.conn, name)?;
        let counts = throttle::user_counts(&tag);
        throttle::check(&self.conn, &counts, self.now_ms())?;
        let recovery = RecoveryKey::parse(recovery_key)?;
        let wrapped: Vec<u8> = self
            .conn
            .query_row("SELECT wrapped FROM slots WHERE kind = 'recovery'", [], |r| r.get(0))
            .map_err(Error::sql("read the recovery slot"))?;
        let kek = SealingKey::new(KEK_ID, &recovery)?;
        let master = self.open_slot(&counts, &kek, "recovery", &wrapped)?;
        let user_id =
            users::find_slot(&self.conn, name)?.map(|f| f.0).ok_or(Error::UserNotFound)?;
        let mut session = self.into_session(master, &user_id)?;
        session.user.forced_change = true;
        Ok(session)
    }

    fn into_session(self, master: SecretKey, user_id: &str) -> Result<Session> {
        let main = self.load_data_key(&master, Scope::Main)?;
        let ward = self.load_data_key(&master, Scope::Ward)?;
        state::at_unlock(&self.conn, &self.state, &main, &ward)?;
        let user = users::load_current(&self.conn, &main, user_id)?;
        Ok(Session { store: self, master, main, ward, user, device: Default::default() })
    }

    fn load_data_key(&self, master: &SecretKey, scope: Scope) -> Result<SealingKey> {
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
        self.verify_check(&key, scope)?;
        Ok(key)
    }

    /// Opens the stored check value, so a wrong or swapped key is caught before any data.
    fn verify_check(&self, key: &SealingKey, scope: Scope) -> Result<()> {
        let sealed = get_meta(&self.conn, check_name(scope))?.unwrap_or_default();
        match key.open(&check_binding(scope), &sealed) {
            Ok(p) if [CHECK_PLAINTEXT, CHECK_PLAINTEXT_BEFORE_STATE].contains(&p.as_slice()) => {
                Ok(())
            }
            _ => Err(Error::Damaged { what: format!("the {} key check", scope.as_str()) }),
        }
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
        let key_id: u32 = self
            .conn
            .query_row("SELECT key_id FROM data_keys WHERE scope = 'ward'", [], |r| r.get(0))
            .map_err(Error::sql("read the ward key id"))?;
        let ward = SealingKey::new(key_id, &secret)?;
        self.verify_check(&ward, Scope::Ward)?;
        state::at_emergency_unlock(&self.conn, &ward)?;
        let session = EmergencySession { store: self, ward };
        session.record_access(AccessKind::EmergencyUnlock)?;
        Ok(session)
    }
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

    /// Locks: drops every key and returns the locked store.
    pub fn lock(self) -> Store {
        self.store
    }

    /// The user's role as the store says now (not as it was at unlock), once their
    /// passphrase no longer needs changing. A removed user's open session can do nothing.
    fn ready(&self) -> Result<Role> {
        let (role, must_change) = users::role_now(&self.store.conn, &self.main, &self.user)?;
        if must_change || self.user.forced_change {
            return Err(Error::PassphraseChangeRequired);
        }
        Ok(role)
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
