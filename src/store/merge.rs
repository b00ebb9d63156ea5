//! Other workstations' logs, imported from their bundles (`caregiver log import`), and the
//! merged timeline: every entry of this workstation and the imported ones, ordered by time,
//! then log, then sequence. Imported entries are read-only; importing a bundle twice
//! changes nothing; a bundle that disagrees with what was imported before is refused.

use rusqlite::{OptionalExtension, params};
use serde::de::DeserializeOwned;

use super::records::write_transaction;
use super::{Permission, Session};
use crate::crypto::Binding;
use crate::log::{self, Entry, Logged};
use crate::{Error, Result};

fn binding(log: &str, seq: u64) -> Binding<'_> {
    Binding { domain: "imported-entry", table: log, row: "", version: seq as i64 }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub log: String,
    pub new_entries: u64,
    pub already_present: u64,
}

impl Session {
    /// Imports another workstation's bundle: verified first (whole), then its entries
    /// sealed in the store in one transaction. Incident leads and admins.
    pub fn import_log(&self, bundle: &str) -> Result<Imported> {
        self.require(Permission::HandleRecords, "import an activity log")?;
        let verified = log::verify_bundle(bundle.as_bytes(), None)?;
        if verified.log == self.device_key()?.log_id() {
            return Err(Error::Invalid {
                what: "bundle",
                reason: "is this workstation's own log: it is already here".into(),
            });
        }
        let mut lines = bundle.lines();
        let header = lines.next().unwrap_or_default().to_owned();
        let mut last_checkpoint = String::new();
        let tx = write_transaction(&self.store.conn)?;
        let (mut new_entries, mut already_present) = (0, 0);
        let known: Option<i64> = tx
            .query_row("SELECT size FROM imported_logs WHERE log = ?1", [&verified.log], |r| {
                r.get(0)
            })
            .optional()
            .map_err(Error::sql("read imported logs"))?;
        if known.is_none() {
            tx.execute(
                "INSERT INTO imported_logs (log, header, size, checkpoint) VALUES (?1, ?2, 0, '')",
                params![verified.log, header],
            )
            .map_err(Error::sql("record an imported log"))?;
        }
        for line in lines.filter(|l| !l.is_empty()) {
            if !line.starts_with("{\"t\":\"entry\"") {
                last_checkpoint = line.to_owned();
                continue;
            }
            let entry: Entry = serde_json::from_str(line)
                .map_err(|_| Error::LogBroken { reason: "an entry cannot be read".into() })?;
            let hash = log::line_hash(line);
            let before: Option<String> = tx
                .query_row(
                    "SELECT hash FROM imported_entries WHERE log = ?1 AND seq = ?2",
                    params![verified.log, entry.seq as i64],
                    |r| r.get(0),
                )
                .optional()
                .map_err(Error::sql("read imported entries"))?;
            match before {
                Some(h) if h == hash => already_present += 1,
                Some(_) => {
                    return Err(Error::LogBroken {
                        reason: format!(
                            "entry {} of log {} differs from the one imported before: one of the two was altered",
                            entry.seq, verified.log
                        ),
                    });
                }
                None => {
                    let sealed =
                        self.main.seal(&binding(&verified.log, entry.seq), line.as_bytes())?;
                    tx.execute(
                        "INSERT INTO imported_entries (log, seq, hash, sealed) VALUES (?1, ?2, ?3, ?4)",
                        params![verified.log, entry.seq as i64, hash, sealed],
                    )
                    .map_err(Error::sql("store an imported entry"))?;
                    new_entries += 1;
                }
            }
        }
        if verified.entries as i64 > known.unwrap_or(0) {
            tx.execute(
                "UPDATE imported_logs SET size = ?1, checkpoint = ?2 WHERE log = ?3",
                params![verified.entries as i64, last_checkpoint, verified.log],
            )
            .map_err(Error::sql("record an imported log"))?;
        }
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the import"))?;
        Ok(Imported { log: verified.log, new_entries, already_present })
    }

    /// This workstation's entries and every imported log's, for one incident or all, read
    /// as events of `E`, ordered by time, then log id, then sequence.
    pub fn merged_timeline<E: DeserializeOwned>(
        &self,
        incident: Option<&str>,
    ) -> Result<Vec<Logged<E>>> {
        let mut all = self.events(incident)?;
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT log, seq, sealed FROM imported_entries ORDER BY log, seq")
            .map_err(Error::sql("read imported entries"))?;
        let mut rows = stmt.query([]).map_err(Error::sql("read imported entries"))?;
        while let Some(row) = rows.next().map_err(Error::sql("read imported entries"))? {
            let log: String = row.get(0).map_err(Error::sql("read imported entries"))?;
            let seq: i64 = row.get(1).map_err(Error::sql("read imported entries"))?;
            let sealed: Vec<u8> = row.get(2).map_err(Error::sql("read imported entries"))?;
            let line = self.main.open(&binding(&log, seq as u64), &sealed).map_err(|_| {
                Error::LogBroken {
                    reason: format!("imported entry {seq} of log {log} failed its integrity check"),
                }
            })?;
            let entry: Entry = serde_json::from_slice(&line).map_err(|_| Error::LogBroken {
                reason: format!("imported entry {seq} of log {log} cannot be read"),
            })?;
            if incident.is_none() || entry.incident.as_deref() == incident {
                all.push(entry.decode()?);
            }
        }
        all.sort_by(|a, b| {
            a.time.cmp(&b.time).then_with(|| a.log.cmp(&b.log)).then(a.seq.cmp(&b.seq))
        });
        Ok(all)
    }

    /// Re-exports an imported log as a bundle (its own header, entries, last checkpoint),
    /// so each workstation's chain stays checkable on its own.
    pub fn export_imported_log(&self, log: &str, out: &mut impl std::io::Write) -> Result<u64> {
        self.ready()?;
        let io = |e: std::io::Error| Error::Invalid { what: "export", reason: e.to_string() };
        let (header, checkpoint): (String, String) = self
            .store
            .conn
            .query_row("SELECT header, checkpoint FROM imported_logs WHERE log = ?1", [log], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(Error::sql("read imported logs"))?
            .ok_or_else(|| Error::Invalid {
                what: "log",
                reason: format!("no imported log `{log}`"),
            })?;
        writeln!(out, "{header}").map_err(io)?;
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT seq, sealed FROM imported_entries WHERE log = ?1 ORDER BY seq")
            .map_err(Error::sql("read imported entries"))?;
        let mut rows = stmt.query([log]).map_err(Error::sql("read imported entries"))?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(Error::sql("read imported entries"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read imported entries"))?;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read imported entries"))?;
            let line = self.main.open(&binding(log, seq as u64), &sealed).map_err(|_| {
                Error::LogBroken {
                    reason: format!("imported entry {seq} of log {log} failed its integrity check"),
                }
            })?;
            out.write_all(&line).and_then(|()| out.write_all(b"\n")).map_err(io)?;
            count += 1;
        }
        writeln!(out, "{checkpoint}").map_err(io)?;
        Ok(count)
    }

    /// Checks an imported log's chain on its own, against its last checkpoint.
    pub fn verify_imported_log(&self, log: &str) -> Result<log::Verified> {
        let mut bundle = Vec::new();
        self.export_imported_log(log, &mut bundle)?;
        log::verify_bundle(bundle.as_slice(), None)
    }
}
