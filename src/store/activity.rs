//! The activity log in the store: one row per entry, its line sealed under the main key
//! (bound to its number), with the line's hash and the signed checkpoint beside it, signed
//! by the log key of the person whose session appended it (`logkeys.rs`). See `crate::log`
//! for the format.

use std::io::Write;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};
use zeroize::Zeroizing;

use super::access::AccessEvent;
use super::records::write_transaction;
use super::{Permission, Session, Writer};
use crate::crypto::Binding;
use crate::log::{
    self, Anchor, Author, EMERGENCY_ACTOR, GENESIS, LogSigner, Logged, Position, PublicKey,
    Verified,
};
use crate::{Error, Result};

fn entry_binding(seq: u64) -> Binding<'static> {
    Binding { domain: "log-entry", table: "log_entries", row: "", version: seq as i64 }
}

impl Session {
    /// Appends one entry and its signed checkpoint, durably, in one transaction. Returns
    /// the entry's number. `event` is one variant of the log's vocabulary (a serde-tagged
    /// enum: its `kind` and `payload` become the entry's).
    pub fn append<E: Serialize>(&self, incident: Option<&str>, event: &E) -> Result<u64> {
        self.write(|w| w.append(incident, event))
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
    /// logged is kept in the store's sealed state). `to_event` says how the log's vocabulary records a use:
    /// (incident, event).
    pub fn log_access_events<E: Serialize>(
        &self,
        to_event: impl Fn(&AccessEvent) -> (Option<String>, E),
    ) -> Result<usize> {
        // Signed by the person who unlocked; the entries' actor is emergency access.
        let signer = self.log_signer()?;
        let tx = write_transaction(&self.store.conn)?;
        self.ready()?;
        let done = self.access_logged(&tx)?;
        let mut logged = 0;
        for access in self.read_access_events()?.into_iter().filter(|e| e.seq > done) {
            let (incident, event) = to_event(&access);
            let by = Author { actor: EMERGENCY_ACTOR, role: "emergency", time: self.now() };
            append_in(&tx, self, signer, by, incident.as_deref(), &event, None)?;
            self.note_access_logged(access.seq);
            logged += 1;
        }
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the log entries"))?;
        Ok(logged)
    }

    /// The log's entries (for one incident, or all), read as events of `E`: any signed-in
    /// user reads the record of what was done. An entry that cannot be read is an error
    /// naming it.
    pub fn events<E: DeserializeOwned>(&self, incident: Option<&str>) -> Result<Vec<Logged<E>>> {
        self.log_entries(incident)?.into_iter().map(log::Entry::decode).collect()
    }

    /// The log's entries as their lines hold them (for one incident, or all).
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

    /// Checks the store against a checkpoint kept away from it (printed at the foot of a
    /// HICS 214 or a review, or the last one of an earlier export): the log must be that
    /// log, and hold that entry with that head. What the store cannot see from inside (the
    /// whole file copied back from an older copy, its state with it) shows here as a log
    /// shorter than, or different from, what already left the workstation.
    pub fn check_anchor(&self, log: Option<&str>, size: u64, head: &str) -> Result<()> {
        self.ready()?;
        let own = log::log_id(self.device_public()?.as_bytes());
        if let Some(other) = log.filter(|l| *l != own) {
            return Err(Error::Invalid {
                what: "checkpoint",
                reason: format!("is of log {other}, not of this workstation's ({own})"),
            });
        }
        if size == 0 {
            // A checkpoint of an empty log: any log starts with it.
            return if head == GENESIS {
                Ok(())
            } else {
                Err(Error::Invalid {
                    what: "checkpoint",
                    reason: "an empty log's head is 64 zeros".into(),
                })
            };
        }
        let (entries, sealed): (i64, Option<Vec<u8>>) = self
            .store
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM log_entries), (SELECT sealed FROM log_entries WHERE seq = ?1)",
                [size as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(Error::sql("read the log"))?;
        let tampered = |said: String| Error::StoreTampered {
            what: format!(
                "{said}: the store was copied back from an older copy, or its log was cut or rewritten"
            ),
        };
        let Some(sealed) = sealed else {
            return Err(tampered(format!(
                "the activity log has {entries} entries, the checkpoint kept away from the store says {size}"
            )));
        };
        let line = self.open_entry(size, &sealed)?;
        let line = std::str::from_utf8(&line).map_err(|_| Error::LogBroken {
            reason: format!("entry {size} in the store cannot be read"),
        })?;
        if log::line_hash(line) != head {
            return Err(tampered(format!(
                "entry {size} of the activity log is not the one the checkpoint kept away from the store names"
            )));
        }
        Ok(())
    }

    /// The log's last checkpoint (id, size, head) and its key's fingerprint: what paper
    /// prints to anchor the log.
    pub fn log_anchor(&self) -> Result<Anchor> {
        self.ready()?;
        let key = self.device_public()?;
        let (size, head): (i64, String) = self
            .store
            .conn
            .query_row("SELECT seq, head FROM log_entries ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(Error::sql("read the log's head"))?
            .unwrap_or((0, GENESIS.to_owned()));
        Ok(Anchor {
            log: log::log_id(key.as_bytes()),
            size: size as u64,
            head,
            fingerprint: key.fingerprint(),
        })
    }

    /// The public half of the workstation's signing key, for an admin to keep a trusted
    /// copy of (`--pubkey` checks bundles against it). Incident leads and admins.
    pub fn log_public_key(&self) -> Result<PublicKey> {
        self.require(Permission::HandleRecords, "show the activity log's signing key")?;
        Ok(*self.device_public()?)
    }

    /// Writes the whole log as a bundle (`docs/log-bundle.md`), one row at a time.
    /// Incident leads and admins.
    pub fn export_log(&self, out: &mut impl Write) -> Result<u64> {
        self.require(Permission::HandleRecords, "export the activity log")?;
        self.check_state()?;
        let key = self.device_public()?;
        let io = |e: std::io::Error| Error::Invalid { what: "export", reason: e.to_string() };
        writeln!(out, "{}", log::header_line(key)).map_err(io)?;
        for line in self.signer_lines()? {
            writeln!(out, "{line}").map_err(io)?;
        }
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

    /// Checks the store's own log end to end, as an outsider would check an export, against
    /// the store's own key.
    pub fn verify_log(&self) -> Result<Verified> {
        let mut bundle = Vec::new();
        self.export_log(&mut bundle)?;
        log::verify_bundle(bundle.as_slice(), Some(self.device_public()?))
    }
}

/// Appends inside the caller's transaction: reads the head, seals the line, signs the
/// checkpoint with the appending person's key.
fn append_in<E: Serialize>(
    tx: &Connection,
    session: &Session,
    signer: &LogSigner,
    by: Author<'_>,
    incident: Option<&str>,
    event: &E,
    corrects: Option<u64>,
) -> Result<u64> {
    let (kind, payload) = log::kind_and_payload(event)?;
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
    let at = Position { log: signer.log_id(), seq, prev: &head };
    let line = log::entry_line(at, by, incident, &kind, &payload, corrects)?;
    let sealed = session.main.seal(&entry_binding(seq), line.as_bytes())?;
    let checkpoint = signer.checkpoint(seq, &log::line_hash(&line));
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
    pub fn append<E: Serialize>(&self, incident: Option<&str>, event: &E) -> Result<u64> {
        self.entry(incident, event, None)
    }

    /// Appends an entry that corrects entry `corrects`: entries are never edited, a
    /// correction points back at the one it corrects.
    pub fn correct<E: Serialize>(
        &self,
        corrects: u64,
        incident: Option<&str>,
        event: &E,
    ) -> Result<u64> {
        self.entry(incident, event, Some(corrects))
    }

    fn entry<E: Serialize>(
        &self,
        incident: Option<&str>,
        event: &E,
        corrects: Option<u64>,
    ) -> Result<u64> {
        let signer = self.session.log_signer()?;
        let by = Author {
            actor: self.session.user_name(),
            role: self.role.as_str(),
            time: self.session.now(),
        };
        append_in(&self.tx, self.session, signer, by, incident, event, corrects)
    }
}
