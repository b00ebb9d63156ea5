//! Sealed records: one JSON document per row, sealed under the data key of its kind's
//! scope, bound to its kind, id and version.
//!
//! Each kind of record is tied to its Rust type in one place, the type's [`Record`]
//! implementation (next to the type, in its domain): `put`, `get` and `list` take the
//! type and find the kind from it, so a kind cannot be written as one type and read as
//! another. Emergency access may list only ward-scope types; asking for another does not
//! compile.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};

use super::holders::{Authority, Trust};
use super::state::Tracker;
use super::{
    EmergencySession, Kind, Permission, Scope, Session, Settings, SignedRows, open_json,
    open_json_in, open_signed, seal_json, seal_signed, sign_rows,
};
use crate::crypto::{Binding, SealingKey};
use crate::{Error, Result};
use zeroize::Zeroizing;

/// A Rust type stored as sealed records of one [`Kind`].
pub trait Record: Serialize + DeserializeOwned {
    /// The kind its rows carry (and with it the key that seals them).
    const KIND: Kind;
}

/// A record as [`Session::list`] returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    pub id: String,
    pub version: i64,
    pub value: T,
}

pub(super) fn record_binding<'a>(kind: Kind, id: &'a str, version: i64) -> Binding<'a> {
    Binding { domain: "record", table: kind.as_str(), row: id, version }
}

/// Who may sign what only admins write: the admins' key, if the session holds it.
pub(super) fn write_record<R: Record>(
    conn: &Connection,
    key: &SealingKey,
    signer: Option<&Authority>,
    id: &str,
    value: &R,
) -> Result<i64> {
    write_record_noting(conn, key, signer, id, value, None)
}

/// As [`write_record`]; with `quiet`, the records' triggers are off (`Tracker::quiet`) and
/// the row written, and the row it replaced, are noted through it instead.
fn write_record_noting<R: Record>(
    conn: &Connection,
    key: &SealingKey,
    signer: Option<&Authority>,
    id: &str,
    value: &R,
    quiet: Option<&Tracker>,
) -> Result<i64> {
    let kind = R::KIND;
    let note = |scope: &str, version: i64, sign: i64| match quiet {
        Some(tracker) => tracker.note_row((id, kind, scope), version, sign),
        None => Ok(()),
    };
    // A record of a kind nobody signs is tried as new first (most writes of many records
    // are): sealed at version 1 and inserted unless its id is taken, which costs no read.
    if !kind.signed() {
        let at = record_binding(kind, id, 1);
        let sealed = seal_json(key, &at, value)?;
        let inserted = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO records (record_id, kind, scope, version, sealed, signature)
                 VALUES (?1, ?2, ?3, 1, ?4, NULL)",
            )
            .and_then(|mut st| {
                st.execute(params![id, kind.as_str(), kind.scope().as_str(), sealed])
            })
            .map_err(Error::sql("write a record"))?;
        if inserted == 1 {
            note(kind.scope().as_str(), 1, 1)?;
            return Ok(1);
        }
    }
    let current: Option<(i64, String, String)> = conn
        .prepare_cached("SELECT version, kind, scope FROM records WHERE record_id = ?1")
        .and_then(|mut st| st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional())
        .map_err(Error::sql("read a record version"))?;
    let version = match &current {
        Some((_, other, _)) if other != kind.as_str() => {
            return Err(Error::Invalid {
                what: "record id",
                reason: "is already used by a record of another kind".into(),
            });
        }
        Some((v, _, _)) => v + 1,
        None => 1,
    };
    let at = record_binding(kind, id, version);
    let (sealed, signature) = if kind.signed() {
        let authority = signer.ok_or(Error::AdminKeyMissing)?;
        let (sealed, signature) = seal_signed(key, authority, &at, value)?;
        (sealed, Some(signature))
    } else {
        (seal_json(key, &at, value)?, None)
    };
    // The version read above says whether the row is there (this write transaction holds
    // the write lock): an INSERT or an UPDATE, not an upsert. `OR ROLLBACK`: a constraint that
    // fails (none should) ends the whole write, so SQLite keeps no statement journal for the
    // statement (the TEMP triggers would otherwise make it copy every page the row touches);
    // the write's caller gets the error and nothing is committed.
    let (kind_s, scope_s) = (kind.as_str(), kind.scope().as_str());
    let changed = if current.is_none() {
        conn.prepare_cached(
            "INSERT OR ROLLBACK INTO records (record_id, kind, scope, version, sealed, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| st.execute(params![id, kind_s, scope_s, version, sealed, signature]))
    } else {
        conn.prepare_cached(
            "UPDATE OR ROLLBACK records SET version = ?3, sealed = ?4, signature = ?5
             WHERE record_id = ?1 AND kind = ?2",
        )
        .and_then(|mut st| st.execute(params![id, kind_s, version, sealed, signature]))
    }
    .map_err(Error::sql("write a record"))?;
    if changed != 1 {
        return Err(Error::Damaged { what: format!("the {} record {id}", kind.as_str()) });
    }
    // An update keeps the row's scope as it was.
    match &current {
        Some((old, _, scope)) => {
            note(scope, *old, -1)?;
            note(scope, version, 1)?;
        }
        None => note(scope_s, version, 1)?,
    }
    Ok(version)
}

/// Reads every record of a kind. A kind only admins write is checked against `trust`.
/// Each row is read in place (its blob borrowed from SQLite) and decrypted in one buffer
/// kept for the whole read.
fn read_records<T: DeserializeOwned>(
    conn: &Connection,
    key: &SealingKey,
    trust: Option<Trust>,
    kind: Kind,
) -> Result<Vec<Stored<T>>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT record_id, version, sealed, signature FROM records WHERE kind = ?1 ORDER BY record_id",
        )
        .map_err(Error::sql("read records"))?;
    let mut rows = stmt.query([kind.as_str()]).map_err(Error::sql("read records"))?;
    let mut scratch = Zeroizing::new(Vec::new());
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(Error::sql("read records"))? {
        let read = |i| row.get_ref(i).map_err(Error::sql("read a record"));
        let id: String = row.get(0).map_err(Error::sql("read a record"))?;
        let version: i64 = row.get(1).map_err(Error::sql("read a record"))?;
        let sealed = read(2)?.as_blob().map_err(|e| Error::sql("read a record")(e.into()))?;
        let value = if kind.signed() {
            let signature =
                read(3)?.as_blob_or_null().map_err(|e| Error::sql("read a record")(e.into()))?;
            open_record(key, trust, kind, &id, version, sealed, signature)?
        } else {
            let at = record_binding(kind, &id, version);
            open_json_in(key, &at, sealed, &mut scratch, || {
                format!("the {} record {id}", kind.as_str())
            })?
        };
        out.push(Stored { value, id, version });
    }
    Ok(out)
}

/// Reads one record. A kind only admins write is checked against `trust`.
pub(super) fn read_one<T: DeserializeOwned>(
    conn: &Connection,
    key: &SealingKey,
    trust: Option<Trust>,
    kind: Kind,
    id: &str,
) -> Result<Option<T>> {
    let row: Option<(i64, Vec<u8>, Option<Vec<u8>>)> = conn
        .prepare_cached(
            "SELECT version, sealed, signature FROM records WHERE record_id = ?1 AND kind = ?2",
        )
        .and_then(|mut st| {
            st.query_row(params![id, kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })
        .map_err(Error::sql("read a record"))?;
    row.map(|(version, sealed, signature)| {
        open_record(key, trust, kind, id, version, &sealed, signature.as_deref())
    })
    .transpose()
}

pub(super) fn version_in(conn: &Connection, kind: Kind, id: &str) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT version FROM records WHERE record_id = ?1 AND kind = ?2")
        .and_then(|mut st| st.query_row(params![id, kind.as_str()], |r| r.get(0)).optional())
        .map_err(Error::sql("read a record version"))
}

fn open_record<T: DeserializeOwned>(
    key: &SealingKey,
    trust: Option<Trust>,
    kind: Kind,
    id: &str,
    version: i64,
    sealed: &[u8],
    signature: Option<&[u8]>,
) -> Result<T> {
    let at = record_binding(kind, id, version);
    let what = || format!("the {} record {id}", kind.as_str());
    match (kind.signed(), trust) {
        (false, _) => open_json(key, &at, sealed, what),
        (true, Some(trust)) => open_signed(key, trust, &at, sealed, signature, what),
        (true, None) => Err(Error::Forged { what: what() }),
    }
}

/// Signs every record of the kinds only admins write with `authority` (a store moving to
/// keys per person, whose records were never signed: `old` is `None`; or after the admins'
/// key changed: each is checked against the `old` one first).
pub(super) fn sign_all(
    tx: &Connection,
    main: &SealingKey,
    authority: &Authority,
    old: Option<Trust>,
) -> Result<()> {
    for kind in Kind::ALL.into_iter().filter(|k| k.signed()) {
        let rows = SignedRows {
            select: "SELECT record_id, version, sealed, signature FROM records WHERE kind = ?1",
            param: kind.as_str(),
            update: "UPDATE records SET signature = ?1 WHERE record_id = ?2",
            domain: "record",
            table: kind.as_str(),
        };
        sign_rows(tx, &rows, main, authority, old)?;
    }
    Ok(())
}

/// A write transaction taken at once (`BEGIN IMMEDIATE`), so the version read and the
/// write that follows cannot interleave with another connection's write. Dropped without
/// [`WriteTx::commit`], it rolls back, as rusqlite's `Transaction` does.
///
/// Not rusqlite's `Transaction`: that one parses `BEGIN IMMEDIATE` and `COMMIT` afresh for
/// every write (`execute_batch`), a measurable share of a log append. Here both are cached
/// statements.
#[derive(Debug)]
pub(super) struct WriteTx<'c> {
    conn: &'c Connection,
}

pub(super) fn write_transaction(conn: &Connection) -> Result<WriteTx<'_>> {
    conn.prepare_cached("BEGIN IMMEDIATE")
        .and_then(|mut st| st.execute([]))
        .map_err(Error::sql("start a write"))?;
    Ok(WriteTx { conn })
}

impl WriteTx<'_> {
    /// Commits, durably (the connection's `synchronous = FULL`). On an error the
    /// transaction is still open, and dropping `self` rolls it back.
    pub(super) fn commit(self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("COMMIT").and_then(|mut st| st.execute([])).map(|_| ())
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        // Committed, or already ended by SQLite (some errors roll back on their own).
        if !self.conn.is_autocommit() {
            // Nothing to report to: the caller is already returning the error that
            // brought it here. As with rusqlite's `Transaction`, a failed rollback is
            // dropped: the next write then fails to begin, and closing the connection
            // rolls the transaction back.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Session {
    /// Writes a record (inserting it, or replacing it with the next version), durably.
    pub fn put<R: Record>(&self, id: &str, value: &R) -> Result<i64> {
        let tx = write_transaction(&self.store.conn)?;
        self.ready()?;
        let key = self.key_for(R::KIND.scope());
        let version = write_record(&tx, key, self.admin.as_ref(), id, value)?;
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the record"))?;
        Ok(version)
    }

    /// Writes many records of one kind in one transaction: all or none.
    pub fn put_many<'a, R: Record + 'a>(
        &self,
        items: impl IntoIterator<Item = (&'a str, &'a R)>,
    ) -> Result<()> {
        let tx = write_transaction(&self.store.conn)?;
        self.ready()?;
        let key = self.key_for(R::KIND.scope());
        // Each record's row noted here rather than by the triggers (a TEMP row written,
        // read back and deleted per record): only this loop's statements run meanwhile.
        let tracker = &self.store.state;
        tracker.quiet(&tx)?;
        for (id, value) in items {
            write_record_noting(&tx, key, self.admin.as_ref(), id, value, Some(tracker))?;
        }
        tracker.loud(&tx)?;
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the records"))
    }

    /// Reads one record.
    pub fn get<R: Record>(&self, id: &str) -> Result<Option<R>> {
        self.ready()?;
        read_one(&self.store.conn, self.key_for(R::KIND.scope()), Some(self.trust), R::KIND, id)
    }

    /// Reads every record of a kind.
    pub fn list<R: Record>(&self) -> Result<Vec<Stored<R>>> {
        self.ready()?;
        read_records(&self.store.conn, self.key_for(R::KIND.scope()), Some(self.trust), R::KIND)
    }

    /// The version of one record (its clear column), without opening it: a copy read at
    /// this version is still what the record holds (`None`: there is no such record).
    pub fn version_of<R: Record>(&self, id: &str) -> Result<Option<i64>> {
        self.ready()?;
        version_in(&self.store.conn, R::KIND, id)
    }

    /// The workstation settings (defaults until an admin sets them).
    pub fn settings(&self) -> Result<Settings> {
        Ok(self.get::<Settings>("settings")?.unwrap_or_default())
    }

    /// The zone people on this workstation read times in, and legal clocks count days in:
    /// the managed configuration's, else the one an admin set, else the system's. Worked
    /// out once per session (and again after `set_time_zone`).
    pub fn zone(&self) -> crate::words::Zone {
        if let Some(zone) = self.managed_zone.or(self.zone.get()) {
            return zone;
        }
        let zone = self
            .settings()
            .ok()
            .and_then(|s| s.time_zone)
            .and_then(|name| crate::words::Zone::named(&name).ok())
            .unwrap_or_else(crate::words::Zone::system);
        self.zone.set(Some(zone));
        zone
    }

    /// The zone the workstation's managed configuration sets: it holds over the store's
    /// setting for this session.
    pub(crate) fn set_managed_zone(&mut self, zone: Option<crate::words::Zone>) {
        self.managed_zone = zone;
    }

    /// Sets the idle time after which the desktop app locks (1 to 120 minutes).
    pub fn set_idle_lock_minutes(&self, minutes: u32) -> Result<()> {
        self.require(Permission::ManageWorkstation, "change the idle lock")?;
        if !(1..=120).contains(&minutes) {
            return Err(Error::Invalid {
                what: "idle lock",
                reason: "must be 1 to 120 minutes".into(),
            });
        }
        let settings = Settings { idle_lock_minutes: minutes, ..self.settings()? };
        self.put("settings", &settings).map(|_| ())
    }

    /// Sets how long before a legal clock is due its reminders come (minutes; one to six,
    /// each up to a year). Admins.
    pub fn set_clock_reminders(&self, mut minutes: Vec<u32>) -> Result<()> {
        self.require(Permission::ManageWorkstation, "change the clock reminders")?;
        minutes.sort_unstable_by(|a, b| b.cmp(a));
        minutes.dedup();
        if minutes.is_empty()
            || minutes.len() > 6
            || minutes.iter().any(|m| !(1..=525_600).contains(m))
        {
            return Err(Error::Invalid {
                what: "clock reminders",
                reason: "must be one to six lead times, each from 1 minute to 365 days".into(),
            });
        }
        let settings = Settings { clock_reminders: minutes, ..self.settings()? };
        self.put("settings", &settings).map(|_| ())
    }

    /// Sets the organisation's profile the legal clocks' rules look at: the states and
    /// territories it operates in (postal codes) and its traits. Admins.
    pub fn set_organisation(&self, jurisdictions: &[String], traits: &[String]) -> Result<()> {
        self.require(Permission::ManageWorkstation, "change the organisation's profile")?;
        use crate::playbook::clockrules::{JURISDICTIONS, TRAITS};
        let mut states: Vec<String> =
            jurisdictions.iter().map(|j| j.trim().to_uppercase()).collect();
        if let Some(bad) = states.iter().find(|j| !JURISDICTIONS.contains(&j.as_str())) {
            return Err(Error::Invalid {
                what: "jurisdiction",
                reason: format!(
                    "`{bad}` is not a US state's or territory's two-letter postal code"
                ),
            });
        }
        let mut traits: Vec<String> = traits.iter().map(|t| t.trim().to_owned()).collect();
        if let Some(bad) = traits.iter().find(|t| !TRAITS.iter().any(|(id, _)| id == t)) {
            let known: Vec<&str> = TRAITS.iter().map(|(id, _)| *id).collect();
            return Err(Error::Invalid {
                what: "organisation trait",
                reason: format!("unknown trait `{bad}`: use one of {}", known.join(", ")),
            });
        }
        states.sort_unstable();
        states.dedup();
        traits.sort_unstable();
        traits.dedup();
        let settings =
            Settings { jurisdictions: Some(states), traits: Some(traits), ..self.settings()? };
        self.put("settings", &settings).map(|_| ())
    }

    /// The version of the settings' record (`None`: none written yet).
    pub fn settings_version(&self) -> Result<Option<i64>> {
        self.version_of::<Settings>("settings")
    }

    /// Sets the time zone people on this workstation read times in (an IANA name such as
    /// `America/New_York`), or `None` for the system's. Admins.
    pub fn set_time_zone(&self, zone: Option<&str>) -> Result<()> {
        self.require(Permission::ManageWorkstation, "change the time zone")?;
        let time_zone = zone.map(|z| crate::words::Zone::named(z).map(|z| z.name().to_owned()));
        let settings = Settings { time_zone: time_zone.transpose()?, ..self.settings()? };
        self.put("settings", &settings)?;
        self.zone.set(None);
        Ok(())
    }

    /// Sets the fleet folder this workstation publishes its log into, or none. Admins.
    pub fn set_fleet_dir(&self, dir: Option<&str>) -> Result<()> {
        self.require(Permission::ManageWorkstation, "set the fleet folder")?;
        let settings = Settings { fleet_dir: dir.map(str::to_owned), ..self.settings()? };
        self.put("settings", &settings)?;
        Ok(())
    }
}

/// Several writes that land together or not at all (see [`Session::write`]).
#[derive(Debug)]
pub struct Writer<'a> {
    pub(super) tx: WriteTx<'a>,
    pub(super) session: &'a Session,
    /// The signed-in user's role, checked when the write began.
    pub(super) role: super::Role,
}

impl Writer<'_> {
    /// The signed-in user's role, as read inside this write (a demotion by another
    /// session since unlock counts).
    pub fn role(&self) -> super::Role {
        self.role
    }

    /// Refuses `action` unless the role read inside this write has `permission`.
    pub fn require(&self, permission: Permission, action: &'static str) -> Result<()> {
        self.role.require(permission, action)
    }

    /// Writes a record, as [`Session::put`] does, inside the transaction.
    pub fn put<R: Record>(&self, id: &str, value: &R) -> Result<i64> {
        let key = self.session.key_for(R::KIND.scope());
        write_record(&self.tx, key, self.session.admin.as_ref(), id, value)
    }

    /// Removes every record of a kind.
    pub fn clear<R: Record>(&self) -> Result<usize> {
        self.tx
            .execute("DELETE FROM records WHERE kind = ?1", [R::KIND.as_str()])
            .map_err(Error::sql("remove records"))
    }
}

impl Session {
    /// Runs `f` in one write transaction: every write it makes lands, or none does.
    pub fn write<R>(&self, f: impl FnOnce(&Writer<'_>) -> Result<R>) -> Result<R> {
        let tx = write_transaction(&self.store.conn)?;
        let role = self.ready()?;
        let writer = Writer { tx, session: self, role };
        let out = f(&writer)?;
        self.seal_state(&writer.tx)?;
        writer.tx.commit().map_err(Error::sql("commit the records"))?;
        Ok(out)
    }
}

impl EmergencySession {
    /// Reads the records of a ward-scope kind. Other kinds are sealed under a key this
    /// session does not hold: asking for one does not compile.
    ///
    /// ```
    /// # fn ward(em: &caregiver::store::EmergencySession) -> caregiver::Result<()> {
    /// // The ward's call list is sealed under the ward key: emergency access reads it.
    /// let list = em.list::<caregiver::contacts::calltree::WardCallList>()?;
    /// # Ok(()) }
    /// # let _: fn(&caregiver::store::EmergencySession) -> caregiver::Result<()> = ward;
    /// ```
    ///
    /// ```compile_fail
    /// # fn main_scope(em: &caregiver::store::EmergencySession) -> caregiver::Result<()> {
    /// // The contact tree is sealed under the main key: asking for it does not compile.
    /// let tree = em.list::<caregiver::contacts::calltree::ContactTree>()?;
    /// # Ok(()) }
    /// # let _: fn(&caregiver::store::EmergencySession) -> caregiver::Result<()> = main_scope;
    /// ```
    pub fn list<R: Record>(&self) -> Result<Vec<Stored<R>>> {
        const { assert!(matches!(R::KIND.scope(), Scope::Ward), "not a ward-scope record") };
        read_records(&self.store.conn, &self.ward, None, R::KIND)
    }

    /// Reads one record of a ward-scope kind (others do not compile, as for [`Self::list`]).
    pub fn get<R: Record>(&self, id: &str) -> Result<Option<R>> {
        const { assert!(matches!(R::KIND.scope(), Scope::Ward), "not a ward-scope record") };
        read_one(&self.store.conn, &self.ward, None, R::KIND, id)
    }

    /// The version of one ward-scope record (its clear column), without opening it.
    pub fn version_of<R: Record>(&self, id: &str) -> Result<Option<i64>> {
        const { assert!(matches!(R::KIND.scope(), Scope::Ward), "not a ward-scope record") };
        version_in(&self.store.conn, R::KIND, id)
    }
}
