//! How a store connection sees its own writes: TEMP triggers note every change of a
//! tracked row, and SQLite's hooks refuse a commit that carries changes not sealed into the
//! state (see the parent module's comment for why this way).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;
use rusqlite::hooks::Action;
use rusqlite::types::ValueRef;

use super::digest::{Columns, Group, Row, Sum};
use super::{ACCESS_TABLE, LOG_TABLE, Scope, ScopeOf, State, TRACKED};
use crate::store::Kind;
use crate::{Error, Result};

/// The table whose triggers a write of many records may turn off for its own statements,
/// noting each row it writes itself ([`Tracker::quiet`], [`Tracker::note_row`]).
pub(in crate::store) const QUIET_TABLE: &str = "records";

/// How many version columns a noted change has room for: the most any tracked table has.
pub(super) fn version_width() -> usize {
    TRACKED.iter().map(|t| t.version.len()).max().unwrap_or(0)
}

/// The connection's own TEMP table and triggers (in memory, gone with the connection; the
/// file never holds them, so no one who edits the file can change them). Every insert,
/// delete and change of a clear column of a tracked table, and every log entry appended,
/// is noted as (table, sign, id, kind, scope, versions...): an update as its old row (-1)
/// and its new one (+1). Re-sealing a row (a key rotation) changes no clear column and
/// notes nothing. `recursive_triggers` makes the rows `INSERT OR REPLACE` deletes noted
/// too; rows a foreign key's cascade deletes (a user's slot) fire the triggers as any
/// delete does. While `temp.state_quiet` holds a row, the triggers of [`QUIET_TABLE`] note
/// nothing: a write of many records notes its own rows in Rust instead (see
/// [`Tracker::quiet`]).
pub(super) fn temp_schema() -> String {
    let width = version_width();
    let v_cols: Vec<String> = (0..width).map(|i| format!("v{i}")).collect();
    let mut sql = format!(
        "PRAGMA recursive_triggers = ON;
         CREATE TEMP TABLE state_changes (tbl TEXT NOT NULL, sign INTEGER NOT NULL, id, kind, scope{});
         CREATE TEMP TABLE state_quiet (on_ INTEGER NOT NULL);",
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
        let when = if table == QUIET_TABLE {
            " WHEN NOT EXISTS (SELECT 1 FROM temp.state_quiet)"
        } else {
            ""
        };
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER state_{table}_insert AFTER INSERT ON main.{table}{when} BEGIN {} END;
             CREATE TEMP TRIGGER state_{table}_delete AFTER DELETE ON main.{table}{when} BEGIN {} END;
             CREATE TEMP TRIGGER state_{table}_update AFTER UPDATE OF {} ON main.{table}{when} BEGIN {} {} END;",
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
pub(super) struct Notes {
    pub(super) dirty: bool,
    /// Rows written while the triggers were quiet, noted here by the write itself.
    pub(super) noted: Pending,
    /// `temp.state_quiet` holds its row (this transaction's; a rollback clears both).
    pub(super) quiet: bool,
    pub(super) access_logged: Option<i64>,
    pub(super) pack_version: Option<u64>,
}

/// A scope's state as this connection last read or wrote it: (the key's id, its sealed
/// bytes, what they hold). A write that finds the same bytes under the same key need not
/// open and parse them again.
pub(super) type Cached = Option<(u32, Vec<u8>, State)>;

/// A store connection's watch on its writes (see the module's comment).
#[derive(Debug, Clone, Default)]
pub(in crate::store) struct Tracker {
    notes: Arc<Mutex<Notes>>,
    /// Rows of the tables a session's role and key checks come from (`users`, `meta`)
    /// this connection has written, and transactions it has rolled back.
    access_changes: Arc<AtomicU64>,
    /// Main's, then ward's.
    pub(super) cached: Arc<Mutex<[Cached; 2]>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Tracker {
    /// Installs the TEMP triggers and the hooks on a store's connection (after its
    /// migrations).
    pub(in crate::store) fn install(conn: &mut Connection) -> Result<Tracker> {
        conn.execute_batch(&temp_schema()).map_err(Error::sql("watch its writes"))?;
        let tracker = Tracker::default();
        let notes = tracker.notes.clone();
        let changes = tracker.access_changes.clone();
        conn.update_hook(Some(move |action: Action, db: &str, table: &str, _: i64| {
            if action == Action::SQLITE_INSERT && db == "temp" && table == "state_changes" {
                lock(&notes).dirty = true;
            } else if db == "main" && (table == "users" || table == "meta") {
                changes.fetch_add(1, Ordering::Relaxed);
            }
        }))
        .map_err(Error::sql("watch its writes"))?;
        let notes = tracker.notes.clone();
        // `true` turns the commit into a rollback: changes not sealed into the state never land.
        conn.commit_hook(Some(move || lock(&notes).dirty))
            .map_err(Error::sql("watch its writes"))?;
        let notes = tracker.notes.clone();
        let changes = tracker.access_changes.clone();
        conn.rollback_hook(Some(move || {
            *lock(&notes) = Notes::default();
            // What was read inside the transaction may be gone with it.
            changes.fetch_add(1, Ordering::Relaxed);
        }))
        .map_err(Error::sql("watch its writes"))?;
        Ok(tracker)
    }

    /// How many rows of `users` and `meta` this connection has written, and how many
    /// transactions it has rolled back: while it stays put, what was read from them holds.
    pub(in crate::store) fn access_changes(&self) -> u64 {
        self.access_changes.load(Ordering::Relaxed)
    }

    /// Turns the triggers of [`QUIET_TABLE`] off, inside the caller's write transaction,
    /// until [`Tracker::loud`] (a rollback turns them on again with everything else). Meanwhile
    /// the caller notes each row of that table its statements change ([`Tracker::note_row`])
    /// and runs no other write. Sealing the state refuses to go on while they are off.
    pub(in crate::store) fn quiet(&self, tx: &Connection) -> Result<()> {
        self.set_quiet(tx, true)
    }

    /// Turns the triggers of [`QUIET_TABLE`] on again.
    pub(in crate::store) fn loud(&self, tx: &Connection) -> Result<()> {
        self.set_quiet(tx, false)
    }

    fn set_quiet(&self, tx: &Connection, quiet: bool) -> Result<()> {
        let sql = if quiet {
            "INSERT INTO temp.state_quiet VALUES (1)"
        } else {
            "DELETE FROM temp.state_quiet"
        };
        tx.prepare_cached(sql)
            .and_then(|mut st| st.execute([]))
            .map_err(Error::sql("watch its writes"))?;
        lock(&self.notes).quiet = quiet;
        Ok(())
    }

    /// Notes a row of [`QUIET_TABLE`] written while its triggers were quiet, as they would
    /// have: `sign` 1 for the row as it now is, -1 for the row it replaced.
    pub(in crate::store) fn note_row(
        &self,
        (id, kind, scope): (&str, Kind, &str),
        version: i64,
        sign: i64,
    ) -> Result<()> {
        let not_watched = || Error::Invalid {
            what: "write",
            reason: format!("the table {QUIET_TABLE} is not one the state watches"),
        };
        let tracked = TRACKED.iter().find(|t| t.table == QUIET_TABLE).ok_or_else(not_watched)?;
        let cols = Columns {
            tracked,
            id: 0,
            kind: tracked.kind.map(|_| 1),
            scope: matches!(tracked.scope, ScopeOf::Column(_)).then_some(2),
            version: 3..3 + tracked.version.len(),
        };
        let values = [
            ValueRef::Text(id.as_bytes()),
            ValueRef::Text(kind.as_str().as_bytes()),
            ValueRef::Text(scope.as_bytes()),
            ValueRef::Integer(version),
        ];
        let mut buf = Vec::with_capacity(128);
        let row = cols
            .row(&mut buf, |i| values.get(i).copied().ok_or(rusqlite::Error::InvalidColumnIndex(i)))
            .map_err(|_| not_watched())?;
        self.with(|notes| notes.noted.add(tracked.table, row, sign));
        Ok(())
    }

    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Notes) -> R) -> R {
        let mut notes = lock(&self.notes);
        notes.dirty = true;
        f(&mut notes)
    }
}

/// What one scope's state must take in.
#[derive(Debug, Default)]
pub(super) struct Changes {
    pub(super) rows: BTreeMap<(&'static str, String), Group>,
    pub(super) log: Option<(i64, String)>,
    pub(super) access_last: Option<i64>,
    pub(super) access_logged: Option<i64>,
    pub(super) pack_version: Option<u64>,
}

impl Changes {
    pub(super) fn is_empty(&self) -> bool {
        self.rows.values().all(Group::is_empty)
            && self.log.is_none()
            && self.access_last.is_none()
            && self.access_logged.is_none()
            && self.pack_version.is_none()
    }
}

#[derive(Debug, Default)]
pub(super) struct Pending {
    pub(super) main: Changes,
    pub(super) ward: Changes,
}

impl Pending {
    pub(super) fn add(&mut self, table: &'static str, row: Row, sign: i64) {
        let changes = match row.scope {
            Scope::Main => &mut self.main,
            Scope::Ward => &mut self.ward,
        };
        changes.add(table, &row.kind, &row.hash, sign);
    }
}

impl Changes {
    /// Adds (`sign` 1) or takes away (-1) one row's hash in its group.
    fn add(&mut self, table: &'static str, kind: &str, hash: &[u8; 32], sign: i64) {
        // Few groups change in one write: look before allocating a key.
        let found = self.rows.iter_mut().find(|((t, k), _)| *t == table && k == kind);
        let group = match found {
            Some((_, group)) => group,
            None => self.rows.entry((table, kind.to_owned())).or_default(),
        };
        group.n += sign;
        if sign > 0 {
            group.sum.add(&Sum::of(hash));
        } else {
            group.sum.sub(&Sum::of(hash));
        }
    }
}

/// Takes the changes noted since the last seal (and forgets them). Each noted row is read
/// in place and hashed in one scratch buffer: nothing is allocated per row but a group
/// seen for the first time.
pub(super) fn collect(conn: &Connection, tracker: &Tracker) -> Result<Pending> {
    let notes = std::mem::take(&mut *lock(&tracker.notes));
    if notes.quiet {
        return Err(Error::Invalid {
            what: "write",
            reason: "the store's watch on its records was left off; nothing was saved".into(),
        });
    }
    let mut pending = notes.noted;
    let columns: Vec<Columns> = TRACKED
        .iter()
        .map(|t| Columns {
            tracked: t,
            id: 2,
            kind: t.kind.map(|_| 3),
            scope: matches!(t.scope, ScopeOf::Column(_)).then_some(4),
            version: 5..5 + t.version.len(),
        })
        .collect();
    let mut buf = Vec::with_capacity(256);
    {
        let failed = Error::sql("read the changes to seal");
        let mut stmt = conn.prepare_cached("SELECT * FROM temp.state_changes").map_err(failed)?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the changes to seal"))?;
        while let Some(r) = rows.next().map_err(Error::sql("read the changes to seal"))? {
            let read = |i| r.get_ref(i).map_err(Error::sql("read the changes to seal"));
            let table =
                read(0)?.as_str().map_err(|e| Error::sql("read the changes to seal")(e.into()))?;
            let sign: i64 = r.get(1).map_err(Error::sql("read the changes to seal"))?;
            if table == LOG_TABLE {
                let seq: i64 = r.get(2).map_err(Error::sql("read the changes to seal"))?;
                if sign != 1 {
                    return Err(Error::Damaged {
                        what: format!("a write to the store (log entry {seq} changed or deleted)"),
                    });
                }
                if pending.main.log.as_ref().is_none_or(|(m, _)| seq > *m) {
                    let head: String = r.get(5).map_err(Error::sql("read the changes to seal"))?;
                    pending.main.log = Some((seq, head));
                }
                continue;
            }
            let Some(cols) = columns.iter().find(|c| c.tracked.table == table) else { continue };
            let row = cols
                .row(&mut buf, |i| r.get_ref(i))
                .map_err(Error::sql("read the changes to seal"))?;
            let t = cols.tracked;
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
    pending.main.access_logged = notes.access_logged;
    pending.main.pack_version = notes.pack_version;
    Ok(pending)
}
