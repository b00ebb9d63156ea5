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
//! **How the state sees the writes: in one place, not a call per change in each write
//! path.** Each connection gets TEMP triggers (in memory, never in the file, generated from
//! [`TRACKED`]; `state/watch.rs`) that note every row inserted, deleted, or changed in a
//! clear column of a tracked table, including rows a foreign key's cascade deletes (a
//! user's slot) and rows `INSERT OR REPLACE` replaces (`recursive_triggers` is on for that),
//! and every log entry appended. A new write path, or a table added to [`TRACKED`] (one
//! line), is covered with nothing else to remember; explicit calls would have missed the
//! cascades, and each new path would be one more place to forget. The triggers cannot seal
//! (they run inside SQLite, without the keys), so each write path calls `seal_state` before
//! it commits, with the keys it holds: one read and one rewrite of a small row in the same
//! transaction. A commit hook refuses (rolls back) any commit that still carries changes
//! not sealed, so a path that forgets fails loudly in the tests rather than leaving a state
//! that no longer matches. What a statement or transaction rolls back, its notes go with
//! (they are rows of a TEMP table). One exception, for speed: a batch of records
//! (`put_many`) turns the `records` triggers off for its own statements and notes each row
//! it writes in Rust, through the same hashing (`Tracker::quiet`, `Tracker::note_row`);
//! nothing else runs meanwhile, and a rollback clears those notes and turns the triggers
//! on again. SQLite's pre-update hook would have done the same
//! without SQL triggers, but rusqlite builds it only with bindgen, so libclang at every
//! build: the TEMP triggers need nothing more than the bundled SQLite.
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
//! Migrations run before the triggers are installed: one that changes tracked rows must
//! also bring the state along (or the next unlock says the store was tampered with).

mod codec;
mod digest;
mod rewrite;
mod tables;
mod watch;

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use self::digest::Rows;
pub use self::rewrite::rewrite_as_key_holder;
use self::rewrite::{pack_in_record, take_in_checkpoints};
use self::tables::{check_triggers, count_rows, last_access, log_head};
pub(super) use self::watch::Tracker;
use self::watch::{Changes, Pending, collect, lock};
use super::records::write_transaction;
use super::{
    CHECK_PLAINTEXT, EmergencySession, Kind, Scope, Session, Writer, check_binding, check_name,
    get_meta, put_meta,
};
use crate::crypto::{Binding, SealingKey};
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
        table: "holders",
        noun: "key holders of kind {}",
        id: "holder_id",
        kind: Some("kind"),
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["public", "iterations", "salt", "wrapped", "must_change", "signature"],
    },
    Tracked {
        table: "key_wraps",
        noun: "keys wrapped to a holder, named {}",
        id: "holder_id",
        kind: Some("name"),
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["key_id", "wrapped"],
    },
    Tracked {
        table: "authorities",
        noun: "admins' keys",
        id: "version",
        kind: None,
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["public", "signature"],
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
        table: CHECKPOINT_TABLE,
        noun: "signed checkpoints of the activity log",
        id: "size",
        kind: None,
        scope: ScopeOf::Fixed(Scope::Main),
        version: &["line"],
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
/// The log's signed checkpoints (schema 8): tracked as a set, once the state says so.
const CHECKPOINT_TABLE: &str = "log_checkpoints";
/// The emergency-access record (tracked above): its last number is kept too.
const ACCESS_TABLE: &str = "access_events";

fn state_binding(scope: Scope) -> Binding<'static> {
    Binding { domain: "store-state", table: "store_state", row: scope.as_str(), version: 0 }
}

fn tampered(what: impl Into<String>) -> Error {
    Error::StoreTampered { what: what.into() }
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
    /// Whether `rows` counts the log's signed checkpoints: a main state written before
    /// schema 8 does not, and takes them in at the next full unlock (trust on first use, as
    /// the state itself was; the checkpoints sat unwatched in the log's rows until then).
    #[serde(default)]
    checkpoints: bool,
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

fn read_sealed(conn: &Connection, scope: Scope) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT sealed FROM store_state WHERE scope = ?1")
        .and_then(|mut st| st.query_row([scope.as_str()], |r| r.get(0)).optional())
        .map_err(Error::sql("read the store's state"))
}

fn open_state(scope: Scope, key: &SealingKey, sealed: &[u8]) -> Result<State> {
    let at = state_binding(scope);
    key.open(&at, sealed).ok().and_then(|plain| codec::decode(&plain)).ok_or_else(|| {
        tampered(format!(
            "the store's {} state record does not open: it was changed or replaced",
            scope.as_str()
        ))
    })
}

/// Seals a state in its binary encoding (`state/codec.rs`).
fn seal_state_record(scope: Scope, key: &SealingKey, state: &State) -> Result<Vec<u8>> {
    key.seal_with(&state_binding(scope), 1024, |buf| {
        codec::encode(state, buf);
        Ok::<(), Error>(())
    })
}

fn read_state(conn: &Connection, scope: Scope, key: &SealingKey) -> Result<Option<State>> {
    read_sealed(conn, scope)?.map(|sealed| open_state(scope, key, &sealed)).transpose()
}

fn write_state(conn: &Connection, scope: Scope, key: &SealingKey, state: &State) -> Result<()> {
    let sealed = seal_state_record(scope, key, state)?;
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
    // A statement that failed `OR ROLLBACK` (a record's write) has already ended the
    // transaction: what the caller goes on to write must not be sealed and committed alone.
    if conn.is_autocommit() {
        return Err(Error::Invalid {
            what: "write",
            reason: "a statement failed and rolled it back; nothing was saved".into(),
        });
    }
    fold(conn, tracker, collect(conn, tracker)?, main, ward)
}

fn fold(
    conn: &Connection,
    tracker: &Tracker,
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
        let Some(sealed) = read_sealed(conn, scope)? else { continue };
        let slot = usize::from(scope == Scope::Ward);
        let cached = lock(&tracker.cached).get_mut(slot).and_then(Option::take);
        let mut state = match cached {
            Some((id, bytes, state)) if id == key.id() && bytes == sealed => state,
            _ => open_state(scope, key, &sealed)?,
        };
        state.apply(changes);
        let sealed = seal_state_record(scope, key, &state)?;
        conn.prepare_cached("UPDATE store_state SET sealed = ?2 WHERE scope = ?1")
            .and_then(|mut st| st.execute(params![scope.as_str(), sealed]))
            .map_err(Error::sql("write the store's state"))?;
        if let Some(c) = lock(&tracker.cached).get_mut(slot) {
            *c = Some((key.id(), sealed, state));
        }
    }
    Ok(())
}

// ---- recomputing from the tables ---------------------------------------------------

fn noun(table: &str, kind: &str) -> String {
    let noun = TRACKED.iter().find(|t| t.table == table).map_or("rows", |t| t.noun);
    noun.replace("{}", kind)
}

/// What differs between the rows the state counts and those found, worst first; `skip`: a
/// table the state does not count yet.
fn compare_rows(expected: &Rows, found: &Rows, skip: Option<&str>) -> Vec<String> {
    let empty = BTreeMap::new();
    let mut counts = Vec::new();
    let mut digests = Vec::new();
    for t in TRACKED.iter().filter(|t| Some(t.table) != skip) {
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
                // The signed pack (or, in a store from before packs were kept signed, the
                // record of the pack imported then).
                let present: bool = conn
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM records
                           WHERE (record_id = 'signed-pack' AND kind = ?1)
                              OR (record_id = 'pack' AND kind = ?2))",
                        [Kind::SignedPack.as_str(), Kind::PackInfo.as_str()],
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
    let skip = (scope == Scope::Main && !state.checkpoints).then_some(CHECKPOINT_TABLE);
    problems.extend(compare_rows(&state.rows, rows, skip));
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
        pack_version = pack_in_record(conn, main, ward)?;
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
            checkpoints: true,
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
    fold(conn, tracker, pending, Some(main), ward)
}

/// A full unlock: checks both states; a store from before schema 6 gets its states now
/// (trust on first use).
pub(super) fn at_unlock(
    conn: &Connection,
    tracker: &Tracker,
    main: &SealingKey,
    ward: &SealingKey,
) -> Result<()> {
    let counts_checkpoints = |c: &Connection| {
        Ok::<_, Error>(read_state(c, Scope::Main, main)?.is_none_or(|s| s.checkpoints))
    };
    if check(conn, Some(main), Some(ward))?.is_empty() && counts_checkpoints(conn)? {
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
    if !counts_checkpoints(&tx)? {
        take_in_checkpoints(&tx, main)?;
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
    use super::digest::Sum;
    use super::tables::expected_triggers;
    use super::*;
    use crate::crypto;
    use crate::store::schema;

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

    /// A state sealed as JSON (every store written before the binary encoding: the schema 6
    /// and 7 fixtures too) opens and checks; the next write seals it in binary, and the state
    /// still sees a row deleted behind its back.
    #[test]
    fn a_json_state_still_opens_and_the_next_write_makes_it_binary() {
        use crate::store::{Kind, Record};
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Doc(String);
        impl Record for Doc {
            const KIND: Kind = Kind::Incident;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let clock = crate::app::SystemClock::shared;
        let (session, _) =
            crate::store::Store::create(&path, "Ada Admin", b"correct horse battery", clock())
                .unwrap();
        session.put("a", &Doc("one".into())).unwrap();
        let plain = |session: &Session, scope: Scope, key: &SealingKey| {
            let sealed = read_sealed(&session.store.conn, scope).unwrap().unwrap();
            key.open(&state_binding(scope), &sealed).unwrap().to_vec()
        };
        for (scope, key) in [(Scope::Main, &session.main), (Scope::Ward, &session.ward)] {
            assert_eq!(plain(&session, scope, key).first(), Some(&0), "binary");
            let state = read_state(&session.store.conn, scope, key).unwrap().unwrap();
            let json = crate::store::seal_json(key, &state_binding(scope), &state).unwrap();
            session
                .store
                .conn
                .execute(
                    "UPDATE store_state SET sealed = ?2 WHERE scope = ?1",
                    params![scope.as_str(), json],
                )
                .unwrap();
            assert_eq!(plain(&session, scope, key).first(), Some(&b'{'), "JSON, as written before");
        }
        drop(session);
        let open = || {
            crate::store::Store::open(&path, clock())
                .unwrap()
                .unlock("Ada Admin", b"correct horse battery")
        };
        let session = open().unwrap();
        session.check_state().unwrap();
        session.put("b", &Doc("two".into())).unwrap();
        assert_eq!(plain(&session, Scope::Main, &session.main).first(), Some(&0), "binary again");
        session.check_state().unwrap();
        drop(session);
        Connection::open(&path)
            .unwrap()
            .execute("DELETE FROM records WHERE record_id = 'a'", [])
            .unwrap();
        assert!(matches!(open(), Err(Error::StoreTampered { .. })));
    }

    /// A record's write that fails `OR ROLLBACK` ends the transaction: what follows in the
    /// same write is refused, not sealed and committed on its own.
    #[test]
    fn nothing_is_sealed_after_a_write_was_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let (session, _) = crate::store::Store::create(
            &path,
            "Ada Admin",
            b"correct horse battery",
            crate::app::SystemClock::shared(),
        )
        .unwrap();
        let conn = &session.store.conn;
        let tx = write_transaction(conn).unwrap();
        tx.execute(
            "INSERT OR ROLLBACK INTO records (record_id, kind, scope, version, sealed)
             VALUES ('x', 'incident', 'nowhere', 1, x'00')",
            [],
        )
        .unwrap_err();
        assert!(conn.is_autocommit());
        assert!(matches!(session.seal_state(&tx), Err(Error::Invalid { what: "write", .. })));
        assert!(tx.commit().is_err());
        session.check_state().unwrap();
    }

    /// The triggers the check expects are those a new store has, SQL and all.
    #[test]
    fn the_expected_triggers_are_those_of_a_new_store() {
        let mut conn = Connection::open_in_memory().unwrap();
        schema::migrate(&mut conn).unwrap();
        assert_eq!(expected_triggers().len(), 6);
        assert!(!expected_triggers().contains_key("log_entries_no_change"));
        assert!(check_triggers(&conn).unwrap().is_empty());
        conn.execute_batch("DROP TRIGGER log_entries_no_delete").unwrap();
        assert_eq!(
            check_triggers(&conn).unwrap(),
            ["the trigger log_entries_no_delete that guards the log is missing"]
        );
    }
}
