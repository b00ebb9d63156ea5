//! The activity log in the store: one row per entry, its line sealed under the main key
//! (bound to its number), with the line's hash and the signed checkpoint beside it. See `crate::log` for the format.

use std::io::Write;

use data_encoding::BASE64;
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

use super::records::write_transaction;
use super::{Kind, Role, Session, Writer, get_meta, put_meta};
use crate::crypto::Binding;
use crate::log::{self, DeviceKey, GENESIS, Verified};
use crate::{Error, Result};

fn entry_binding(seq: u64) -> Binding<'static> {
    Binding { domain: "log-entry", table: "log_entries", row: "", version: seq as i64 }
}

impl Session {
    /// The workstation's signing key: opened from the store, or made and sealed there the
    /// first time (stores from before the activity log).
    pub(super) fn device_key(&self) -> Result<&DeviceKey> {
        if let Some(key) = self.device.get() {
            return Ok(key);
        }
        let key = match self.get::<String>(Kind::DeviceKey, "device")? {
            Some(text) => {
                let text = Zeroizing::new(text);
                let der = Zeroizing::new(BASE64.decode(text.as_bytes()).map_err(|_| {
                    Error::Damaged { what: "the workstation's signing key".into() }
                })?);
                DeviceKey::from_pkcs8(&der)?
            }
            None => {
                // Only a store that never had a key gets one. A key that cannot be found
                // in a store with a log (a damaged index, say) is damage, never a reason to
                // replace the key that signed it. The scan skips every index on purpose.
                let had_one: bool = self
                    .store
                    .conn
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM records NOT INDEXED WHERE record_id = 'device')
                             OR EXISTS (SELECT 1 FROM log_entries)",
                        [],
                        |r| r.get(0),
                    )
                    .map_err(Error::sql("look for the workstation's signing key"))?;
                if had_one {
                    return Err(Error::Damaged { what: "the workstation's signing key".into() });
                }
                let (key, pkcs8) = DeviceKey::generate()?;
                let text = Zeroizing::new(BASE64.encode(&pkcs8));
                self.put(Kind::DeviceKey, "device", &*text)?;
                key
            }
        };
        Ok(self.device.get_or_init(|| key))
    }

    /// Appends one entry and its signed checkpoint, durably, in one transaction. Returns
    /// the entry's number. `corrects` names an earlier entry this one corrects: entries are
    /// never edited.
    pub fn append(
        &self,
        incident: Option<&str>,
        kind: &str,
        payload: serde_json::Value,
        corrects: Option<u64>,
    ) -> Result<u64> {
        self.write(|w| w.append(incident, kind, payload, corrects))
    }

    /// One entry's line, opened; a failure names the entry.
    fn open_entry(&self, seq: u64, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.main.open(&entry_binding(seq), sealed).map_err(|_| Error::LogBroken {
            reason: format!("entry {seq} in the store failed its integrity check"),
        })
    }

    /// Moves the record of emergency-access uses (and the observations made under it) into
    /// the activity log: emergency access holds no key that can write the log, so each is
    /// logged at the next full unlock, with its own time, once (the number of the last one
    /// logged is kept with it).
    pub fn log_access_events(&self) -> Result<usize> {
        let key = self.device_key()?;
        let tx = write_transaction(&self.store.conn)?;
        self.ready()?;
        let done = get_meta(&tx, "access_logged")?
            .and_then(|b| b.try_into().ok())
            .map_or(0, i64::from_be_bytes);
        let mut logged = 0;
        for event in self.read_access_events()?.into_iter().filter(|e| e.seq > done) {
            let who = ("emergency access", "emergency");
            if event.kind == "observation" {
                let payload =
                    serde_json::json!({ "at": event.at, "use": event.seq, "text": event.text });
                let incident = event.incident.as_deref();
                append_in(&tx, self, key, who, incident, "observation", payload, None)?;
            } else {
                let payload =
                    serde_json::json!({ "at": event.at, "use": event.seq, "kind": event.kind });
                append_in(&tx, self, key, who, None, "emergency_access_used", payload, None)?;
            }
            put_meta(&tx, "access_logged", &event.seq.to_be_bytes())?;
            logged += 1;
        }
        tx.commit().map_err(Error::sql("commit the log entries"))?;
        Ok(logged)
    }

    /// The log's entries (for one incident, or all), opened: any signed-in user reads the
    /// record of what was done.
    pub fn log_entries(&self, incident: Option<&str>) -> Result<Vec<log::Entry>> {
        self.ready()?;
        let mut stmt = self
            .store
            .conn
            .prepare_cached("SELECT seq, sealed FROM log_entries ORDER BY seq")
            .map_err(Error::sql("read the log"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(Error::sql("read the log"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read the log"))?;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read the log"))?;
            let line = self.open_entry(seq as u64, &sealed)?;
            let entry: log::Entry = serde_json::from_slice(&line).map_err(|_| {
                Error::LogBroken { reason: format!("entry {seq} in the store cannot be read") }
            })?;
            if incident.is_none() || entry.incident.as_deref() == incident {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// The log's id, size and head now: what a paper export prints to anchor the log.
    pub fn log_anchor(&self) -> Result<crate::incident::export::Anchor> {
        self.ready()?;
        let key = self.device_key()?;
        let (size, head): (i64, String) = self
            .store
            .conn
            .query_row("SELECT seq, head FROM log_entries ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(Error::sql("read the log's head"))?
            .unwrap_or((0, GENESIS.to_owned()));
        Ok(crate::incident::export::Anchor {
            log: key.log_id().to_owned(),
            size: size as u64,
            head,
        })
    }

    /// Writes the whole log as a bundle (`docs/log-bundle.md`), one row at a time.
    /// Incident leads and admins.
    pub fn export_log(&self, out: &mut impl Write) -> Result<u64> {
        if !matches!(self.ready()?, Role::Admin | Role::Lead) {
            return Err(Error::PermissionDenied {
                action: "export the activity log",
                needed: "admins and incident leads",
            });
        }
        let key = self.device_key()?;
        let io = |e: std::io::Error| Error::Invalid { what: "export", reason: e.to_string() };
        writeln!(out, "{}", key.header_line()).map_err(io)?;
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT seq, sealed, checkpoint FROM log_entries ORDER BY seq")
            .map_err(Error::sql("read the log"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read the log"))?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(Error::sql("read the log"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read the log"))?;
            let seq = seq as u64;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read the log"))?;
            let checkpoint: String = row.get(2).map_err(Error::sql("read the log"))?;
            let line = self.open_entry(seq, &sealed)?;
            out.write_all(&line).and_then(|()| out.write_all(b"\n")).map_err(io)?;
            writeln!(out, "{checkpoint}").map_err(io)?;
            count += 1;
        }
        Ok(count)
    }

    /// Checks the store's own log end to end, as an outsider would check an export.
    pub fn verify_log(&self) -> Result<Verified> {
        let mut bundle = Vec::new();
        self.export_log(&mut bundle)?;
        log::verify_bundle(bundle.as_slice())
    }
}

/// Appends inside the caller's transaction: reads the head, seals the line, signs the
/// checkpoint. `who` is (actor, role).
#[allow(clippy::too_many_arguments)]
fn append_in(
    tx: &Connection,
    session: &Session,
    key: &DeviceKey,
    who: (&str, &str),
    incident: Option<&str>,
    kind: &str,
    payload: serde_json::Value,
    corrects: Option<u64>,
) -> Result<u64> {
    let (size, head): (i64, String) = tx
        .prepare_cached("SELECT seq, head FROM log_entries ORDER BY seq DESC LIMIT 1")
        .and_then(|mut st| st.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(Error::sql("read the log's head"))?
        .unwrap_or((0, GENESIS.to_owned()));
    let size = size as u64;
    if let Some(c) = corrects
        && !(1..=size).contains(&c)
    {
        return Err(Error::Invalid {
            what: "correction",
            reason: format!("there is no entry {c}"),
        });
    }
    let seq = size + 1;
    let line =
        log::entry_line(key.log_id(), seq, &head, who.0, who.1, incident, kind, payload, corrects)?;
    let sealed = session.main.seal(&entry_binding(seq), line.as_bytes())?;
    let checkpoint = key.checkpoint(seq, &log::line_hash(&line));
    let checkpoint_line = serde_json::to_string(&checkpoint)
        .map_err(|e| Error::Invalid { what: "checkpoint", reason: e.to_string() })?;
    tx.prepare_cached(
        "INSERT INTO log_entries (seq, sealed, head, checkpoint) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut st| st.execute(params![seq as i64, sealed, checkpoint.head, checkpoint_line]))
    .map_err(Error::sql("append to the log"))?;
    Ok(seq)
}

impl Writer<'_> {
    /// Appends a log entry inside this write: the entry lands with the other writes or not
    /// at all.
    pub fn append(
        &self,
        incident: Option<&str>,
        kind: &str,
        payload: serde_json::Value,
        corrects: Option<u64>,
    ) -> Result<u64> {
        let key = self.session.device_key()?;
        let who = (self.session.user_name(), self.role.as_str());
        append_in(&self.tx, self.session, key, who, incident, kind, payload, corrects)
    }
}
