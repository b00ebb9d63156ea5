//! The store's state: one sealed row per scope saying what the store holds, so that someone
//! who can read and write the file but holds no key cannot change it unseen.
//!
//! Each sealed record already refuses to open when it is moved to another row or kind, or
//! put back at an older version under the current version number. What a single record
//! cannot see is the table around it: a row deleted, a row put back whole from an older
//! copy of the file (validly sealed at its own older version), a clear `kind` changed, the
//! log's tail cut, a counter in a clear column changed. The state sees those:
//!
//! - `main`, sealed under the main data key: the activity log's size and head hash, how many
//!   emergency-access uses the log has taken in (`access_logged`, moved out of `meta`), the
//!   pack version in force, and, for the main-scope rows of every [`TRACKED`] table, a count
//!   and a set digest per (table, clear kind);
//! - `ward`, sealed under the ward data key (emergency access holds it and appends to
//!   `access_events`, so it keeps this one current): the last emergency-access use, and the
//!   same counts and digests of the ward-scope rows.
//!
//! The set digest of a group is the sum mod 2^256 of SHA-256(table, id, kind, version) of
//! its rows: a row written adds its new hash and subtracts its old one, so a write changes
//! the state in O(1) whatever the number of rows, and the order rows are seen in does not
//! matter. Checking recomputes the sums from the tables (one pass over the clear columns,
//! no row opened), compares the log's last row with the size and head (no scan of the log),
//! and checks that the append-only triggers are there with the SQL the migrations gave them.
//! A full unlock checks both states, emergency access the ward's, and every export (the log,
//! the contact tree, a backup) both again.
//!
//! **How the state sees the writes: SQLite's pre-update hook, not a call in each write
//! path.** The hook is called for every row inserted, updated or deleted on the connection,
//! including rows deleted by a foreign key's cascade (a user's slot) or by `INSERT OR
//! REPLACE`, so the rows' side of the state is folded in one place and cannot drift from
//! the writes: a new write path, or a table added to [`TRACKED`] (one line), is covered
//! without anything else to remember. What the hook cannot do is seal (it runs inside
//! SQLite, without the keys), so each write path calls `seal_state` before it commits, with
//! the keys it holds; a commit hook refuses (rolls back) any commit that still carries
//! changes not sealed into the state, so a path that forgets fails loudly in the tests
//! rather than leaving a state that no longer matches. A rollback drops the changes noted.
//! (Explicit calls in each write path would have missed cascades, and each new path or
//! table would have been one more place to remember.) One limit of the hook: a statement
//! that fails and is rolled back on its own, inside a transaction that then goes on and
//! commits, would leave its noted changes behind; no write path of the store goes on after
//! a failed statement (each returns its error and the transaction rolls back whole).
//!
//! **Limits.** A store from before schema 6 has no state: the first full unlock after the
//! upgrade writes it from what the tables hold then (trust on first use), and re-seals each
//! data key's check value with a mark saying the store keeps a state, so that deleting a
//! state row later is seen (a missing state with a marked check is tampering, not an old
//! store). Emergency access to a store whose ward state is not written yet is allowed.
//! Changes made before that first full unlock are trusted. Copying back the whole file from
//! an older copy (state and all) cannot be seen from inside the file: only a checkpoint kept
//! away from the workstation (an exported log's anchor) can tell. The failed-unlock counts
//! are written by unlocks that hold no key yet, so they cannot be sealed and are not
//! tracked: someone who can write the file can reset them (and could guess offline anyway).
//! Migrations run before the hook is installed: one that changes tracked rows must also
//! bring the state along (or the next unlock says the store was tampered with).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::hooks::Action;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::records::{record_binding, write_transaction};
use super::{
    CHECK_PLAINTEXT, EmergencySession, Kind, Scope, Session, Writer, check_binding, check_name,
    get_meta, open_json, put_meta, schema, seal_json,
};
use crate::crypto::{self, Binding, SealingKey};
use crate::log::GENESIS;
use crate::{Error, Result};

/// Where a tracked row's scope (and so the state that counts it) comes from.
#[derive(Debug, Clone, Copy)]
enum ScopeOf {
    Fixed(Scope),
    /// The row's clear column of this name: `ward`, else main.
    Column(&'static str),
}

/// A table whose rows the state counts and digests: which columns name a row, its kind and
/// its version (every clear column whose change matters).
#[derive(Debug)]
struct Tracked {
    table: &'static str,
    /// How a message names a group of its rows; `{}` is the kind.
    noun: &'static str,
    id: &'static str,
    kind: Option<&'static str>,
    scope: ScopeOf,
    version: &'static [&'static str],
}

/// Every tracked table. A new table (a key scheme's new rows, say) is one line here.
const TRACKED: &[Tracked] = &[
    Tracked {
        table: "records",
        noun: "records of kind {}",
        id: "record_id",
        kind: Some("kind"),
        scope: ScopeOf::Column("scope"),
        version: &["version"],
    },
    Tracked {
        table: "users",
        noun: "users",
        id: "user_id",
        kind: None,
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["version", "name_tag"],
    },
    Tracked {
        table: "slots",
        noun: "unlock slots of kind {}",
        id: "slot_id",
        kind: Some("kind"),
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["user_id", "iterations", "salt", "wrapped"],
    },
    Tracked {
        table: "data_keys",
        noun: "data keys of scope {}",
        id: "key_id",
        kind: Some("scope"),
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["wrapped"],
    },
    Tracked {
        table: "meta",
        noun: "metadata values named {}",
        id: "name",
        kind: Some("name"),
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["value"],
    },
    Tracked {
        table: "imported_logs",
        noun: "imported logs",
        id: "log",
        kind: None,
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["size", "checkpoint"],
    },
    Tracked {
        table: "access_events",
        noun: "emergency-access records of kind {}",
        id: "seq",
        kind: Some("kind"),
        scope: ScopeOf::Fixed(Scope::Ward),
        version: &[],
    },
];

/// The log: its head is kept as (size, head hash), not as a set.
const LOG_TABLE: &str = "log_entries";
/// The emergency-access record (tracked above): its last number is kept too.
const ACCESS_TABLE: &str = "access_events";

fn state_binding(scope: Scope) -> Binding<'static> {
    Binding { domain: "store-state", table: "store_state", row: scope.as_str(), version: 0 }
}

fn tampered(what: impl Into<String>) -> Error {
    Error::StoreTampered { what: what.into() }
}

// ---- the set digest ----------------------------------------------------------------

/// A sum mod 2^256 of row hashes (little-endian 64-bit limbs); hex in the sealed JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sum([u64; 4]);

impl Sum {
    fn of(hash: &[u8; 32]) -> Sum {
        let mut limbs = [0u64; 4];
        for (limb, bytes) in limbs.iter_mut().zip(hash.chunks_exact(8)) {
            *limb = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        }
        Sum(limbs)
    }

    fn add(&mut self, other: &Sum) {
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(other.0) {
            let (s, c1) = a.overflowing_add(b);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *a = s;
            carry = c1 || c2;
        }
    }

    fn sub(&mut self, other: &Sum) {
        let mut borrow = false;
        for (a, b) in self.0.iter_mut().zip(other.0) {
            let (d, b1) = a.overflowing_sub(b);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *a = d;
            borrow = b1 || b2;
        }
    }

    fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    fn to_bytes(self) -> Vec<u8> {
        self.0.iter().flat_map(|l| l.to_le_bytes()).collect()
    }
}

impl Serialize for Sum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&data_encoding::HEXLOWER.encode(&self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for Sum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Sum, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = data_encoding::HEXLOWER
            .decode(text.as_bytes())
            .map_err(|_| serde::de::Error::custom("not a digest"))?;
        let hash: [u8; 32] =
            bytes.try_into().map_err(|_| serde::de::Error::custom("not a digest"))?;
        Ok(Sum::of(&hash))
    }
}

/// A group's rows: how many, and the sum of their hashes. In pending changes, `n` may be
/// negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Group {
    n: i64,
    sum: Sum,
}

impl Group {
    fn add(&mut self, other: &Group) {
        self.n += other.n;
        self.sum.add(&other.sum);
    }

    fn is_empty(&self) -> bool {
        self.n == 0 && self.sum.is_zero()
    }
}

/// Table → clear kind → group.
type Rows = BTreeMap<String, BTreeMap<String, Group>>;

/// One row as the state sees it: its scope, its group and its hash.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    scope: Scope,
    kind: String,
    hash: [u8; 32],
}

fn push_value(buf: &mut Vec<u8>, value: ValueRef<'_>) {
    let (tag, bytes): (u8, std::borrow::Cow<'_, [u8]>) = match value {
        ValueRef::Null => (0, (&[][..]).into()),
        ValueRef::Integer(i) => (1, i.to_be_bytes().to_vec().into()),
        ValueRef::Real(f) => (2, f.to_be_bytes().to_vec().into()),
        ValueRef::Text(t) => (3, t.into()),
        ValueRef::Blob(b) => (4, b.into()),
    };
    buf.push(tag);
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(&bytes);
}

fn kind_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => data_encoding::HEXLOWER.encode(b),
    }
}

/// Where a row's clear columns sit, in a SELECT of its table or in a noted change.
#[derive(Debug)]
struct Columns {
    tracked: &'static Tracked,
    id: usize,
    kind: Option<usize>,
    scope: Option<usize>,
    version: Vec<usize>,
}

impl Columns {
    /// The row whose column `i` is `get(i)`.
    fn row<'a>(
        &self,
        get: impl Fn(usize) -> rusqlite::Result<ValueRef<'a>>,
    ) -> rusqlite::Result<Row> {
        let mut buf = Vec::with_capacity(128);
        push_value(&mut buf, ValueRef::Text(self.tracked.table.as_bytes()));
        push_value(&mut buf, get(self.id)?);
        let kind = match self.kind {
            Some(i) => get(i)?,
            None => ValueRef::Null,
        };
        push_value(&mut buf, kind);
        for &i in &self.version {
            push_value(&mut buf, get(i)?);
        }
        let scope = match (self.tracked.scope, self.scope) {
            (ScopeOf::Fixed(s), _) => s,
            (ScopeOf::Column(_), Some(i)) => scope_of(get(i)?),
            (ScopeOf::Column(_), None) => Scope::Main,
        };
        Ok(Row {
            scope,
            kind: kind_text(kind),
            hash: crypto::sha256(&[b"caregiver-playbook/state-row", &buf]),
        })
    }
}

fn scope_of(value: ValueRef<'_>) -> Scope {
    if value == ValueRef::Text(b"ward") { Scope::Ward } else { Scope::Main }
}

// ---- changes noted by the connection's own triggers ----------------------------------

/// How many version columns a noted change has room for: the most any tracked table has.
fn version_width() -> usize {
    TRACKED.iter().map(|t| t.version.len()).max().unwrap_or(0)
}

/// The connection's own TEMP table and triggers (in memory, gone with the connection; the
/// file never holds them, so no one who edits the file can change them). Every insert,
/// delete and change of a clear column of a tracked table, and every log entry appended,
/// is noted as (table, sign, id, kind, scope, versions...): an update as its old row (-1)
/// and its new one (+1). Re-sealing a row (a key rotation) changes no clear column and
/// notes nothing. `recursive_triggers` makes the rows `INSERT OR REPLACE` deletes noted
/// too; rows a foreign key's cascade deletes (a user's slot) fire the triggers as any
/// delete does.
fn temp_schema() -> String {
    let width = version_width();
    let v_cols: Vec<String> = (0..width).map(|i| format!("v{i}")).collect();
    let mut sql = format!(
        "PRAGMA recursive_triggers = ON;
         CREATE TEMP TABLE state_changes (tbl TEXT NOT NULL, sign INTEGER NOT NULL, id, kind, scope{});",
        v_cols.iter().map(|c| format!(", {c}")).collect::<String>()
    );
    let note = |table: &str, sign: i64, values: &[String]| {
        format!("INSERT INTO temp.state_changes VALUES ('{table}', {sign}, {});", values.join(", "))
    };
    for t in TRACKED {
        let values = |row: &str| -> Vec<String> {
            let col = |c: Option<&str>| c.map_or("NULL".to_owned(), |c| format!("{row}.{c}"));
            let mut v = vec![col(Some(t.id)), col(t.kind)];
            v.push(col(match t.scope {
                ScopeOf::Column(c) => Some(c),
                ScopeOf::Fixed(_) => None,
            }));
            v.extend((0..width).map(|i| col(t.version.get(i).copied())));
            v
        };
        let mut clear = vec![t.id];
        clear.extend(t.kind);
        if let ScopeOf::Column(c) = t.scope {
            clear.push(c);
        }
        clear.extend(t.version);
        clear.sort_unstable();
        clear.dedup();
        let table = t.table;
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER state_{table}_insert AFTER INSERT ON main.{table} BEGIN {} END;
             CREATE TEMP TRIGGER state_{table}_delete AFTER DELETE ON main.{table} BEGIN {} END;
             CREATE TEMP TRIGGER state_{table}_update AFTER UPDATE OF {} ON main.{table} BEGIN {} {} END;",
            note(table, 1, &values("NEW")),
            note(table, -1, &values("OLD")),
            clear.join(", "),
            note(table, -1, &values("OLD")),
            note(table, 1, &values("NEW")),
        ));
    }
    // The log: an entry appended is its new head; anything else is never committed (the
    // file's own triggers refuse it too, unless someone dropped them).
    let log = |sign: i64, row: &str| {
        let mut v = vec![format!("{row}.seq"), "NULL".into(), "NULL".into(), format!("{row}.head")];
        v.extend((1..width).map(|_| "NULL".to_owned()));
        note(LOG_TABLE, sign, &v)
    };
    sql.push_str(&format!(
        "CREATE TEMP TRIGGER state_log_insert AFTER INSERT ON main.{LOG_TABLE} BEGIN {} END;
         CREATE TEMP TRIGGER state_log_delete AFTER DELETE ON main.{LOG_TABLE} BEGIN {} END;
         CREATE TEMP TRIGGER state_log_update AFTER UPDATE OF seq, head ON main.{LOG_TABLE} BEGIN {} END;",
        log(1, "NEW"),
        log(0, "OLD"),
        log(0, "NEW"),
    ));
    sql
}

/// What a write noted in Rust rather than in a row: the log's share of the
/// emergency-access record, the pack put in force. `dirty`: something is noted and not yet
/// sealed.
#[derive(Debug, Default)]
struct Notes {
    dirty: bool,
    access_logged: Option<i64>,
    pack_version: Option<u64>,
}

/// A store connection's watch on its writes (see the module's comment).
#[derive(Debug, Clone, Default)]
pub(super) struct Tracker(Arc<Mutex<Notes>>);

fn lock(notes: &Mutex<Notes>) -> MutexGuard<'_, Notes> {
    notes.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Tracker {
    /// Installs the TEMP triggers and the hooks on a store's connection (after its
    /// migrations).
    pub(super) fn install(conn: &mut Connection) -> Result<Tracker> {
        conn.execute_batch(&temp_schema()).map_err(Error::sql("watch its writes"))?;
        let tracker = Tracker::default();
        let notes = tracker.0.clone();
        conn.update_hook(Some(move |action: Action, db: &str, table: &str, _: i64| {
            if action == Action::SQLITE_INSERT && db == "temp" && table == "state_changes" {
                lock(&notes).dirty = true;
            }
        }))
        .map_err(Error::sql("watch its writes"))?;
        let notes = tracker.0.clone();
        // `true` turns the commit into a rollback: changes not sealed into the state never land.
        conn.commit_hook(Some(move || lock(&notes).dirty))
            .map_err(Error::sql("watch its writes"))?;
        let notes = tracker.0.clone();
        conn.rollback_hook(Some(move || *lock(&notes) = Notes::default()))
            .map_err(Error::sql("watch its writes"))?;
        Ok(tracker)
    }

    fn with<R>(&self, f: impl FnOnce(&mut Notes) -> R) -> R {
        let mut notes = lock(&self.0);
        notes.dirty = true;
        f(&mut notes)
    }
}

/// What one scope's state must take in.
#[derive(Debug, Default)]
struct Changes {
    rows: BTreeMap<(&'static str, String), Group>,
    log: Option<(i64, String)>,
    access_last: Option<i64>,
    access_logged: Option<i64>,
    pack_version: Option<u64>,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.rows.values().all(Group::is_empty)
            && self.log.is_none()
            && self.access_last.is_none()
            && self.access_logged.is_none()
            && self.pack_version.is_none()
    }
}

#[derive(Debug, Default)]
struct Pending {
    main: Changes,
    ward: Changes,
}

impl Pending {
    fn add(&mut self, table: &'static str, row: Row, sign: i64) {
        let changes = match row.scope {
            Scope::Main => &mut self.main,
            Scope::Ward => &mut self.ward,
        };
        let group = changes.rows.entry((table, row.kind)).or_default();
        group.n += sign;
        if sign > 0 {
            group.sum.add(&Sum::of(&row.hash));
        } else {
            group.sum.sub(&Sum::of(&row.hash));
        }
    }
}

/// Takes the changes noted since the last seal (and forgets them).
fn collect(conn: &Connection, tracker: &Tracker) -> Result<Pending> {
    let mut pending = Pending::default();
    {
        let mut stmt = conn
            .prepare_cached("SELECT * FROM temp.state_changes")
            .map_err(Error::sql("read the changes to seal"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the changes to seal"))?;
        while let Some(r) = rows.next().map_err(Error::sql("read the changes to seal"))? {
            let table: String = r.get(0).map_err(Error::sql("read the changes to seal"))?;
            let sign: i64 = r.get(1).map_err(Error::sql("read the changes to seal"))?;
            if table == LOG_TABLE {
                let seq: i64 = r.get(2).map_err(Error::sql("read the changes to seal"))?;
                let head: String = r.get(5).map_err(Error::sql("read the changes to seal"))?;
                if sign != 1 {
                    return Err(Error::Damaged {
                        what: format!("a write to the store (log entry {seq} changed or deleted)"),
                    });
                }
                if pending.main.log.as_ref().is_none_or(|(m, _)| seq > *m) {
                    pending.main.log = Some((seq, head));
                }
                continue;
            }
            let Some(t) = TRACKED.iter().find(|t| t.table == table) else { continue };
            let cols = Columns {
                tracked: t,
                id: 2,
                kind: t.kind.map(|_| 3),
                scope: matches!(t.scope, ScopeOf::Column(_)).then_some(4),
                version: (5..5 + t.version.len()).collect(),
            };
            let row = cols.row(|i| r.get_ref(i)).map_err(Error::sql("read the changes to seal"))?;
            if t.table == ACCESS_TABLE && sign > 0 {
                let seq: i64 = r.get(2).map_err(Error::sql("read the changes to seal"))?;
                let last = pending.ward.access_last.get_or_insert(seq);
                *last = (*last).max(seq);
            }
            pending.add(t.table, row, sign);
        }
    }
    conn.prepare_cached("DELETE FROM temp.state_changes")
        .and_then(|mut st| st.execute([]))
        .map_err(Error::sql("clear the changes sealed"))?;
    let notes = std::mem::take(&mut *lock(&tracker.0));
    pending.main.access_logged = notes.access_logged;
    pending.main.pack_version = notes.pack_version;
    Ok(pending)
}

// ---- the sealed state --------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct LogHead {
    size: i64,
    head: String,
}

impl Default for LogHead {
    fn default() -> Self {
        LogHead { size: 0, head: GENESIS.to_owned() }
    }
}

/// One scope's state, as sealed. Main holds the log, `access_logged` and the pack; ward
/// holds `access_last`; each holds the rows of its scope.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    log: LogHead,
    #[serde(default)]
    access_logged: i64,
    #[serde(default)]
    access_last: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pack_version: Option<u64>,
    #[serde(default)]
    rows: Rows,
}

impl State {
    fn apply(&mut self, changes: Changes) {
        for ((table, kind), delta) in changes.rows {
            let groups = self.rows.entry(table.to_owned()).or_default();
            let group = groups.entry(kind.clone()).or_default();
            group.add(&delta);
            if group.is_empty() {
                groups.remove(&kind);
            }
            if groups.is_empty() {
                self.rows.remove(table);
            }
        }
        if let Some((size, head)) = changes.log {
            self.log = LogHead { size, head };
        }
        if let Some(last) = changes.access_last {
            self.access_last = self.access_last.max(last);
        }
        if let Some(done) = changes.access_logged {
            self.access_logged = done;
        }
        if let Some(v) = changes.pack_version {
            self.pack_version = Some(v);
        }
    }
}

fn read_state(conn: &Connection, scope: Scope, key: &SealingKey) -> Result<Option<State>> {
    let sealed: Option<Vec<u8>> = conn
        .prepare_cached("SELECT sealed FROM store_state WHERE scope = ?1")
        .and_then(|mut st| st.query_row([scope.as_str()], |r| r.get(0)).optional())
        .map_err(Error::sql("read the store's state"))?;
    sealed
        .map(|sealed| {
            open_json(key, &state_binding(scope), &sealed, String::new).map_err(|_| {
                tampered(format!(
                    "the store's {} state record does not open: it was changed or replaced",
                    scope.as_str()
                ))
            })
        })
        .transpose()
}

fn write_state(conn: &Connection, scope: Scope, key: &SealingKey, state: &State) -> Result<()> {
    let sealed = seal_json(key, &state_binding(scope), state)?;
    conn.prepare_cached("INSERT OR REPLACE INTO store_state (scope, sealed) VALUES (?1, ?2)")
        .and_then(|mut st| st.execute(params![scope.as_str(), sealed]))
        .map_err(Error::sql("write the store's state"))?;
    Ok(())
}

/// Whether the data key's check value carries the mark of a store that keeps a state (every
/// store made, or unlocked in full, since schema 6).
fn keeps_state(conn: &Connection, scope: Scope, key: &SealingKey) -> Result<bool> {
    let sealed = get_meta(conn, check_name(scope))?.unwrap_or_default();
    Ok(key.open(&check_binding(scope), &sealed).is_ok_and(|p| p.as_slice() == CHECK_PLAINTEXT))
}

/// Folds the noted changes into the states, inside the caller's transaction; `main` is
/// `None` under emergency access (which changes ward rows only). A scope whose state is not
/// written yet (a store from before schema 6 not yet unlocked in full) takes nothing: its
/// first full unlock counts everything.
pub(super) fn seal(
    conn: &Connection,
    tracker: &Tracker,
    main: Option<&SealingKey>,
    ward: &SealingKey,
) -> Result<()> {
    fold(conn, collect(conn, tracker)?, main, ward)
}

fn fold(
    conn: &Connection,
    pending: Pending,
    main: Option<&SealingKey>,
    ward: &SealingKey,
) -> Result<()> {
    for (scope, changes, key) in
        [(Scope::Main, pending.main, main), (Scope::Ward, pending.ward, Some(ward))]
    {
        if changes.is_empty() {
            continue;
        }
        let key = key.ok_or_else(|| Error::Invalid {
            what: "write",
            reason: "emergency access cannot change what the main key seals".into(),
        })?;
        if let Some(mut state) = read_state(conn, scope, key)? {
            state.apply(changes);
            write_state(conn, scope, key, &state)?;
        }
    }
    Ok(())
}

// ---- recomputing from the tables ---------------------------------------------------

/// The rows of the wanted scopes as the tables hold them: (main, ward).
fn count_rows(conn: &Connection, main: bool, ward: bool) -> Result<(Rows, Rows)> {
    let layout_cols = |t: &Tracked| -> Vec<String> {
        let mut cols = vec![t.id.to_owned(), t.kind.unwrap_or("NULL").to_owned()];
        cols.push(match t.scope {
            ScopeOf::Column(c) => c.to_owned(),
            ScopeOf::Fixed(_) => "NULL".to_owned(),
        });
        cols.extend(t.version.iter().map(|c| (*c).to_owned()));
        cols
    };
    let (mut rows_main, mut rows_ward) = (Rows::new(), Rows::new());
    for t in TRACKED {
        let wanted = match t.scope {
            ScopeOf::Fixed(Scope::Main) => main,
            ScopeOf::Fixed(Scope::Ward) => ward,
            ScopeOf::Column(_) => main || ward,
        };
        if !wanted {
            continue;
        }
        let cols = layout_cols(t);
        let n = cols.len();
        // Positions in the SELECT: id 0, kind 1, scope 2, versions from 3.
        let columns = Columns {
            tracked: t,
            id: 0,
            kind: t.kind.map(|_| 1),
            scope: matches!(t.scope, ScopeOf::Column(_)).then_some(2),
            version: (3..n).collect(),
        };
        let sql = format!("SELECT {} FROM {}", cols.join(", "), t.table);
        let mut stmt = conn.prepare(&sql).map_err(Error::sql("read the store's rows"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the store's rows"))?;
        while let Some(r) = rows.next().map_err(Error::sql("read the store's rows"))? {
            let row = columns.row(|i| r.get_ref(i)).map_err(Error::sql("read a row"))?;
            let into = match row.scope {
                Scope::Main if main => &mut rows_main,
                Scope::Ward if ward => &mut rows_ward,
                _ => continue,
            };
            let group = into.entry(t.table.to_owned()).or_default().entry(row.kind).or_default();
            group.n += 1;
            group.sum.add(&Sum::of(&row.hash));
        }
    }
    Ok((rows_main, rows_ward))
}

fn log_head(conn: &Connection) -> Result<LogHead> {
    Ok(conn
        .prepare_cached("SELECT seq, head FROM log_entries ORDER BY seq DESC LIMIT 1")
        .and_then(|mut st| {
            st.query_row([], |r| Ok(LogHead { size: r.get(0)?, head: r.get(1)? })).optional()
        })
        .map_err(Error::sql("read the log's head"))?
        .unwrap_or_default())
}

fn last_access(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM access_events", [], |r| r.get(0))
        .map_err(Error::sql("read the emergency-access record"))
}

fn noun(table: &str, kind: &str) -> String {
    let noun = TRACKED.iter().find(|t| t.table == table).map_or("rows", |t| t.noun);
    noun.replace("{}", kind)
}

/// What differs between the rows the state counts and those found, worst first.
fn compare_rows(expected: &Rows, found: &Rows) -> Vec<String> {
    let empty = BTreeMap::new();
    let mut counts = Vec::new();
    let mut digests = Vec::new();
    for t in TRACKED {
        let want = expected.get(t.table).unwrap_or(&empty);
        let got = found.get(t.table).unwrap_or(&empty);
        let mut kinds: Vec<&String> = want.keys().chain(got.keys()).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let w = want.get(kind).copied().unwrap_or_default();
            let g = got.get(kind).copied().unwrap_or_default();
            if w.n != g.n {
                counts.push(format!(
                    "the store holds {} {}, the store's state says {}",
                    g.n,
                    noun(t.table, kind),
                    w.n
                ));
            } else if w.sum != g.sum {
                digests.push(format!(
                    "the {} are not those the store's state says: one was put back from an older copy, or its id or version was changed",
                    noun(t.table, kind)
                ));
            }
        }
    }
    counts.extend(digests);
    counts
}

/// The triggers the migrations make (`CREATE TRIGGER name ... END`), by name, with their SQL
/// as SQLite keeps it.
fn expected_triggers() -> BTreeMap<&'static str, &'static str> {
    let mut out = BTreeMap::new();
    for sql in schema::MIGRATIONS {
        let mut rest = *sql;
        while let Some(start) = rest.find("CREATE TRIGGER ") {
            let from = rest.get(start..).unwrap_or_default();
            let Some(end) = from.find("END;") else { break };
            let statement = from.get(..end + 3).unwrap_or_default();
            if let Some(name) = statement.split_whitespace().nth(2) {
                out.insert(name, statement);
            }
            rest = from.get(end..).unwrap_or_default();
        }
    }
    out
}

fn check_triggers(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .map_err(Error::sql("read the store's triggers"))?;
    let found: BTreeMap<String, Option<String>> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(Error::sql("read the store's triggers"))?
        .collect::<rusqlite::Result<_>>()
        .map_err(Error::sql("read the store's triggers"))?;
    let expected = expected_triggers();
    let mut problems = Vec::new();
    for (name, sql) in &expected {
        match found.get(*name) {
            None => problems.push(format!("the trigger {name} that guards the log is missing")),
            Some(s) if s.as_deref() != Some(*sql) => {
                problems.push(format!("the trigger {name} that guards the log was changed"));
            }
            Some(_) => {}
        }
    }
    for name in found.keys().filter(|n| !expected.contains_key(n.as_str())) {
        problems.push(format!("the store has a trigger ({name}) it was never given"));
    }
    Ok(problems)
}

/// Compares a scope's state with the tables; every problem, worst first.
fn compare(conn: &Connection, scope: Scope, state: &State, rows: &Rows) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    match scope {
        Scope::Main => {
            let head = log_head(conn)?;
            if head.size != state.log.size {
                problems.push(format!(
                    "the activity log has {} entries, the store's state says {}",
                    head.size, state.log.size
                ));
            } else if head.head != state.log.head {
                problems.push(format!(
                    "the activity log's last entry ({}) is not the one the store's state says",
                    head.size
                ));
            }
            let last = last_access(conn)?;
            if state.access_logged > last {
                problems.push(format!(
                    "the emergency-access record ends at use {last}, the store's state says {} were logged",
                    state.access_logged
                ));
            }
            if let Some(v) = state.pack_version {
                let present: bool = conn
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM records WHERE record_id = 'pack' AND kind = ?1)",
                        [Kind::PackInfo.as_str()],
                        |r| r.get(0),
                    )
                    .map_err(Error::sql("read the pack in force"))?;
                if !present {
                    problems.push(format!(
                        "the record of the pack in force is missing, the store's state says version {v}"
                    ));
                }
            }
        }
        Scope::Ward => {
            let last = last_access(conn)?;
            if last != state.access_last {
                problems.push(format!(
                    "the emergency-access record ends at use {last}, the store's state says {}",
                    state.access_last
                ));
            }
        }
    }
    problems.extend(compare_rows(&state.rows, rows));
    problems.extend(check_triggers(conn)?);
    Ok(problems)
}

fn refuse(problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let more = problems.len().saturating_sub(3);
    let mut what = problems.into_iter().take(3).collect::<Vec<_>>().join("; ");
    if more > 0 {
        what.push_str(&format!("; and {more} more"));
    }
    Err(tampered(what))
}

/// How a scope stands: its state, or none yet (trusted at the next full unlock), or none
/// where one must be.
enum Found {
    State(State),
    NotYet,
}

fn find(conn: &Connection, scope: Scope, key: &SealingKey) -> Result<Found> {
    match read_state(conn, scope, key)? {
        Some(state) => Ok(Found::State(state)),
        None if keeps_state(conn, scope, key)? => {
            Err(tampered(format!("the store's {} state record is missing", scope.as_str())))
        }
        None => Ok(Found::NotYet),
    }
}

/// Checks the scopes given (each with its key) against the tables, in one read
/// transaction (one snapshot, whatever another process writes meanwhile). Returns the
/// scopes that have no state yet.
fn check(
    conn: &Connection,
    main: Option<&SealingKey>,
    ward: Option<&SealingKey>,
) -> Result<Vec<Scope>> {
    let tx = conn.unchecked_transaction().map_err(Error::sql("start reading the store"))?;
    let mut states = Vec::new();
    let mut not_yet = Vec::new();
    for (scope, key) in [(Scope::Main, main), (Scope::Ward, ward)] {
        let Some(key) = key else { continue };
        match find(&tx, scope, key)? {
            Found::State(s) => states.push((scope, s)),
            Found::NotYet => not_yet.push(scope),
        }
    }
    let has = |s: Scope| states.iter().any(|(scope, _)| *scope == s);
    let (rows_main, rows_ward) = count_rows(&tx, has(Scope::Main), has(Scope::Ward))?;
    let mut problems = Vec::new();
    for (scope, state) in &states {
        let rows = match scope {
            Scope::Main => &rows_main,
            Scope::Ward => &rows_ward,
        };
        problems.extend(compare(&tx, *scope, state, rows)?);
    }
    problems.dedup();
    drop(tx);
    refuse(problems)?;
    Ok(not_yet)
}

/// Writes the state of each scope in `scopes` from what the tables hold now, inside the
/// caller's transaction (a new store, or trust on first use), and folds the changes noted
/// so far into the other scope. The data keys' check values get the mark first.
pub(super) fn write_fresh(
    conn: &Connection,
    tracker: &Tracker,
    main: &SealingKey,
    ward: &SealingKey,
    scopes: &[Scope],
) -> Result<()> {
    let fresh = |s: Scope| scopes.contains(&s);
    let mut access_logged = 0;
    let mut pack_version = None;
    if fresh(Scope::Main) {
        // Until schema 6 the log's share of the emergency-access record was a clear counter.
        if let Some(bytes) = get_meta(conn, "access_logged")? {
            access_logged = bytes.try_into().map_or(0, i64::from_be_bytes);
            conn.execute("DELETE FROM meta WHERE name = 'access_logged'", [])
                .map_err(Error::sql("move the emergency-access counter"))?;
        }
        pack_version = pack_in_record(conn, ward)?;
    }
    for (scope, key) in [(Scope::Main, main), (Scope::Ward, ward)] {
        if fresh(scope) {
            put_meta(conn, check_name(scope), &key.seal(&check_binding(scope), CHECK_PLAINTEXT)?)?;
        }
    }
    let (rows_main, rows_ward) = count_rows(conn, fresh(Scope::Main), fresh(Scope::Ward))?;
    let mut pending = collect(conn, tracker)?;
    if fresh(Scope::Main) {
        let state = State {
            log: log_head(conn)?,
            access_logged,
            pack_version,
            rows: rows_main,
            ..State::default()
        };
        write_state(conn, Scope::Main, main, &state)?;
        pending.main = Changes::default();
    }
    if fresh(Scope::Ward) {
        let state = State { access_last: last_access(conn)?, rows: rows_ward, ..State::default() };
        write_state(conn, Scope::Ward, ward, &state)?;
        pending.ward = Changes::default();
    }
    fold(conn, pending, Some(main), ward)
}

/// The pack version the pack record holds (trust on first use only: afterwards the state
/// keeps it).
fn pack_in_record(conn: &Connection, ward: &SealingKey) -> Result<Option<u64>> {
    let kind = Kind::PackInfo;
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT version, sealed FROM records WHERE record_id = 'pack' AND kind = ?1",
            [kind.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(Error::sql("read the pack in force"))?;
    let Some((version, sealed)) = row else { return Ok(None) };
    let info: serde_json::Value =
        open_json(ward, &record_binding(kind, "pack", version), &sealed, || {
            "the pack in force".into()
        })?;
    Ok(info.get("version").and_then(serde_json::Value::as_u64))
}

/// A full unlock: checks both states; a store from before schema 6 gets its states now
/// (trust on first use).
pub(super) fn at_unlock(
    conn: &Connection,
    tracker: &Tracker,
    main: &SealingKey,
    ward: &SealingKey,
) -> Result<()> {
    if check(conn, Some(main), Some(ward))?.is_empty() {
        return Ok(());
    }
    let tx = write_transaction(conn)?;
    // Another process may have written them since: only the missing ones are made.
    let mut missing = Vec::new();
    for (scope, key) in [(Scope::Main, main), (Scope::Ward, ward)] {
        if matches!(find(&tx, scope, key)?, Found::NotYet) {
            missing.push(scope);
        }
    }
    write_fresh(&tx, tracker, main, ward, &missing)?;
    tx.commit().map_err(Error::sql("commit the store's state"))
}

/// Emergency access: checks the ward state (a store whose ward state is not written yet is
/// let in: see the module's limits).
pub(super) fn at_emergency_unlock(conn: &Connection, ward: &SealingKey) -> Result<()> {
    check(conn, None, Some(ward)).map(|_| ())
}

impl Session {
    /// Checks the store's state against what the store holds (as a full unlock does):
    /// `store_tampered` if something was changed outside the app. Every export asks.
    pub fn check_state(&self) -> Result<()> {
        check(&self.store.conn, Some(&self.main), Some(&self.ward)).map(|_| ())
    }

    /// Folds this transaction's changes into the states: call before every commit.
    pub(super) fn seal_state(&self, tx: &Connection) -> Result<()> {
        seal(tx, &self.store.state, Some(&self.main), &self.ward)
    }

    /// How many emergency-access uses the log has taken in, inside the caller's
    /// transaction (a store from before schema 6 not yet unlocked in full: its old counter).
    pub(super) fn access_logged(&self, tx: &Connection) -> Result<i64> {
        Ok(match read_state(tx, Scope::Main, &self.main)? {
            Some(state) => state.access_logged,
            None => get_meta(tx, "access_logged")?
                .and_then(|b| b.try_into().ok())
                .map_or(0, i64::from_be_bytes),
        })
    }

    /// Notes that the log has taken in the emergency-access uses up to `seq`.
    pub(super) fn note_access_logged(&self, seq: i64) {
        self.store.state.with(|n| n.access_logged = Some(seq));
    }

    /// The pack version in force as the store's state keeps it (`None`: no pack imported
    /// since the store keeps a state). A pack record deleted or put back from an older
    /// copy does not lower it.
    pub fn pack_version_in_force(&self) -> Result<Option<u64>> {
        self.ready()?;
        Ok(read_state(&self.store.conn, Scope::Main, &self.main)?.and_then(|s| s.pack_version))
    }
}

impl Writer<'_> {
    /// Records the version of the pack this write puts in force, in the store's state.
    pub fn record_pack_version(&self, version: u64) {
        self.session.store.state.with(|n| n.pack_version = Some(version));
    }
}

impl EmergencySession {
    /// Folds this transaction's changes (emergency-access records) into the ward state.
    pub(super) fn seal_state(&self, tx: &Connection) -> Result<()> {
        seal(tx, &self.store.state, None, &self.ward)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_and_subtract_in_any_order() {
        let a = Sum::of(&[0xff; 32]);
        let b = Sum::of(&crypto::sha256(&[b"b"]));
        let mut s = Sum::default();
        s.add(&a);
        s.add(&b);
        s.sub(&a);
        assert_eq!(s, b);
        s.sub(&b);
        assert!(s.is_zero());
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Sum>(&json).unwrap(), b);
    }

    /// The triggers the check expects are those a new store has, SQL and all.
    #[test]
    fn the_expected_triggers_are_those_of_a_new_store() {
        let mut conn = Connection::open_in_memory().unwrap();
        schema::migrate(&mut conn).unwrap();
        assert_eq!(expected_triggers().len(), 4);
        assert!(check_triggers(&conn).unwrap().is_empty());
        conn.execute_batch("DROP TRIGGER log_entries_no_delete").unwrap();
        assert_eq!(
            check_triggers(&conn).unwrap(),
            ["the trigger log_entries_no_delete that guards the log is missing"]
        );
    }
}
