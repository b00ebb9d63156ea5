//! Recomputing from the tables what the state says: the tracked rows' counts and sums (one
//! pass over their clear columns; no row is opened), the log's head (its last row only), the
//! last emergency-access use, and the triggers the migrations made.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};

use super::digest::{Columns, Rows, Sum};
use super::{LogHead, Scope, ScopeOf, TRACKED, Tracked};
use crate::store::schema;
use crate::{Error, Result};

/// The rows of the wanted scopes as the tables hold them: (main, ward).
pub(super) fn count_rows(conn: &Connection, main: bool, ward: bool) -> Result<(Rows, Rows)> {
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
            version: 3..n,
        };
        let sql = format!("SELECT {} FROM {}", cols.join(", "), t.table);
        let mut stmt = conn.prepare(&sql).map_err(Error::sql("read the store's rows"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the store's rows"))?;
        let mut buf = Vec::with_capacity(256);
        while let Some(r) = rows.next().map_err(Error::sql("read the store's rows"))? {
            let row = columns.row(&mut buf, |i| r.get_ref(i)).map_err(Error::sql("read a row"))?;
            let into = match row.scope {
                Scope::Main if main => &mut rows_main,
                Scope::Ward if ward => &mut rows_ward,
                _ => continue,
            };
            let groups = into.entry(t.table.to_owned()).or_default();
            let group = match groups.get_mut(row.kind.as_ref()) {
                Some(group) => group,
                None => groups.entry(row.kind.into_owned()).or_default(),
            };
            group.n += 1;
            group.sum.add(&Sum::of(&row.hash));
        }
    }
    Ok((rows_main, rows_ward))
}

pub(super) fn log_head(conn: &Connection) -> Result<LogHead> {
    Ok(conn
        .prepare_cached("SELECT seq, head FROM log_entries ORDER BY seq DESC LIMIT 1")
        .and_then(|mut st| {
            st.query_row([], |r| Ok(LogHead { size: r.get(0)?, head: r.get(1)? })).optional()
        })
        .map_err(Error::sql("read the log's head"))?
        .unwrap_or_default())
}

pub(super) fn last_access(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM access_events", [], |r| r.get(0))
        .map_err(Error::sql("read the emergency-access record"))
}

/// The triggers the migrations make (`CREATE TRIGGER name ... END`) and do not drop again
/// (`DROP TRIGGER name;`, applied before the same migration's creates), by name, with their
/// SQL as SQLite keeps it.
pub(super) fn expected_triggers() -> BTreeMap<&'static str, &'static str> {
    let mut out = BTreeMap::new();
    for sql in schema::MIGRATIONS {
        let mut rest = *sql;
        while let Some(start) = rest.find("DROP TRIGGER ") {
            let from = rest.get(start..).unwrap_or_default();
            if let Some(name) = from.split_whitespace().nth(2) {
                out.remove(name.trim_end_matches(';'));
            }
            rest = from.get("DROP TRIGGER ".len()..).unwrap_or_default();
        }
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

pub(super) fn check_triggers(conn: &Connection) -> Result<Vec<String>> {
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
