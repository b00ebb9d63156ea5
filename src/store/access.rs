//! The record of emergency-access uses and of what ward staff observed under it, kept
//! (sealed under the ward key, so emergency access can write it) until the activity log
//! takes it over at the next full unlock. Append-only.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::records::write_transaction;
use super::{EmergencySession, Permission, Session, open_json, seal_json};
use crate::crypto::{Binding, SealingKey};
use crate::{Error, Result};

/// What happened under emergency access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    /// The ward's code opened the app.
    EmergencyUnlock,
    /// Ward staff wrote down what they saw during an open incident.
    Observation,
}

impl AccessKind {
    /// As the record's clear `kind` column holds it.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::EmergencyUnlock => "emergency_unlock",
            AccessKind::Observation => "observation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEvent {
    pub seq: i64,
    pub kind: AccessKind,
    pub at: chrono::DateTime<chrono::Utc>,
    /// An observation's incident and words (`kind` = `observation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

pub(super) fn access_binding(seq: i64) -> Binding<'static> {
    Binding { domain: "access-event", table: "access_events", row: "", version: seq }
}

fn append_access_event(
    conn: &Connection,
    ward: &SealingKey,
    at: chrono::DateTime<chrono::Utc>,
    kind: AccessKind,
    observed: Option<(&str, &str)>,
) -> Result<()> {
    let seq: i64 = conn
        .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM access_events", [], |r| r.get(0))
        .map_err(Error::sql("number an access event"))?;
    let event = AccessEvent {
        seq,
        kind,
        at,
        incident: observed.map(|(incident, _)| incident.to_owned()),
        text: observed.map(|(_, text)| text.to_owned()),
    };
    let sealed = seal_json(ward, &access_binding(seq), &event)?;
    conn.execute(
        "INSERT INTO access_events (seq, kind, sealed) VALUES (?1, ?2, ?3)",
        params![seq, kind.as_str(), sealed],
    )
    .map_err(Error::sql("record an access event"))?;
    Ok(())
}

impl Session {
    /// The uses of emergency access recorded so far (admins and leads).
    pub fn access_events(&self) -> Result<Vec<AccessEvent>> {
        self.require(Permission::HandleRecords, "read the access record")?;
        self.read_access_events()
    }

    pub(super) fn read_access_events(&self) -> Result<Vec<AccessEvent>> {
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT seq, kind, sealed FROM access_events ORDER BY seq")
            .map_err(Error::sql("read access events"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
            })
            .map_err(Error::sql("read access events"))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kind, sealed) = row.map_err(Error::sql("read an access event"))?;
            let event: AccessEvent = open_json(&self.ward, &access_binding(seq), &sealed, || {
                format!("access event {seq}")
            })?;
            if event.kind.as_str() != kind || event.seq != seq {
                return Err(Error::Damaged { what: format!("access event {seq}") });
            }
            out.push(event);
        }
        Ok(out)
    }
}

impl EmergencySession {
    /// Appends one access event and folds it into the ward state, in one transaction.
    fn append(&self, kind: AccessKind, observed: Option<(&str, &str)>) -> Result<()> {
        let tx = write_transaction(&self.store.conn)?;
        append_access_event(&tx, &self.ward, self.store.clock.now(), kind, observed)?;
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit an access event"))
    }

    pub(super) fn record_access(&self, kind: AccessKind) -> Result<()> {
        self.append(kind, None)
    }

    /// Records what ward staff observed during an open incident. Emergency access holds
    /// no key that writes the log, so the observation waits here, sealed, and becomes an
    /// `observation` entry of the incident at the next full unlock, with its own time.
    /// `crate::incident::observe` checks the incident is open first.
    pub fn record_observation(&self, incident: &str, text: &str) -> Result<()> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 2000 {
            return Err(Error::Invalid {
                what: "observation",
                reason: "write 1 to 2000 characters".into(),
            });
        }
        self.append(AccessKind::Observation, Some((incident, text)))
    }
}
