//! Other workstations' logs, imported from their bundles (`caregiver log import`), and the
//! merged timeline: every entry of this workstation and the imported ones, ordered by time,
//! then log, then sequence. Imported entries are read-only; importing a bundle twice
//! changes nothing; a bundle that disagrees with what was imported before is refused.
//!
//! Each imported entry is kept with the checkpoint that followed it in its bundle (sealed
//! together: `line \n checkpoint`), and each log's signer lines in a sealed record, so a
//! re-export carries what a checker needs to tell who signed each entry.

use rusqlite::{Connection, OptionalExtension, params};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::records::write_transaction;
use super::{Kind, Permission, Record, Session};
use crate::crypto::Binding;
use crate::log::{self, Entry, Logged};
use crate::{Error, Result};

fn binding(log: &str, seq: u64) -> Binding<'_> {
    Binding { domain: "imported-entry", table: log, row: "", version: seq as i64 }
}

/// The signer lines of an imported log (names are personal data: sealed).
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ImportedSigners {
    lines: Vec<String>,
}

impl Record for ImportedSigners {
    const KIND: Kind = Kind::ImportedSigners;
}

fn signers_id(log: &str) -> String {
    format!("signers-{log}")
}

/// An imported entry as sealed: its line, and the checkpoint that followed it, if kept.
fn split(plain: &[u8]) -> (&[u8], Option<&[u8]>) {
    match plain.iter().position(|b| *b == b'\n') {
        Some(at) => (plain.get(..at).unwrap_or_default(), plain.get(at + 1..)),
        None => (plain, None),
    }
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
        if verified.elided > 0 {
            return Err(Error::Invalid {
                what: "bundle",
                reason: "is one incident's bundle, with the other entries left out: import the \
                         workstation's whole log (caregiver log export) to merge it"
                    .into(),
            });
        }
        if verified.log == log::log_id(self.device_public()?.as_bytes()) {
            return Err(Error::Invalid {
                what: "bundle",
                reason: "is this workstation's own log: it is already here".into(),
            });
        }
        if verified.from > 0 {
            self.check_continues(&verified)?;
        }
        let mut lines = bundle.lines().filter(|l| !l.is_empty()).peekable();
        let header = lines.next().unwrap_or_default().to_owned();
        let mut signers: ImportedSigners =
            self.get(&signers_id(&verified.log))?.unwrap_or_default();
        let signers_before = signers.lines.len();
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
        while let Some(line) = lines.next() {
            if line.starts_with("{\"t\":\"signer\"") {
                if !signers.lines.iter().any(|l| l == line) {
                    signers.lines.push(line.to_owned());
                }
                continue;
            }
            if !line.starts_with("{\"t\":\"entry\"") {
                last_checkpoint = line.to_owned();
                continue;
            }
            let checkpoint =
                lines.peek().copied().filter(|l| l.starts_with("{\"t\":\"checkpoint\""));
            if self.import_entry(&tx, &verified.log, known.unwrap_or(0) as u64, line, checkpoint)? {
                new_entries += 1;
            } else {
                already_present += 1;
            }
        }
        if verified.entries as i64 > known.unwrap_or(0) {
            tx.execute(
                "UPDATE imported_logs SET size = ?1, checkpoint = ?2 WHERE log = ?3",
                params![verified.entries as i64, last_checkpoint, verified.log],
            )
            .map_err(Error::sql("record an imported log"))?;
        }
        if signers.lines.len() > signers_before {
            super::records::write_record(
                &tx,
                &self.main,
                None,
                &signers_id(&verified.log),
                &signers,
            )?;
        }
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the import"))?;
        Ok(Imported { log: verified.log, new_entries, already_present })
    }

    /// A segment (a bundle opening with the signed checkpoint at `from`) must follow on
    /// from what was imported of its log: no gap before it, and the entry at `from` the
    /// one its opening checkpoint signed.
    fn check_continues(&self, v: &log::Verified) -> Result<()> {
        let known = self.imported_size(&v.log)?;
        if v.from > known {
            return Err(Error::LogBroken {
                reason: format!(
                    "a gap: the segment starts after entry {}, but entries {} to {} of log {} were never imported",
                    v.from,
                    known + 1,
                    v.from,
                    v.log
                ),
            });
        }
        let hash: Option<String> = self
            .store
            .conn
            .query_row(
                "SELECT hash FROM imported_entries WHERE log = ?1 AND seq = ?2",
                params![v.log, v.from as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(Error::sql("read imported entries"))?;
        if hash.as_deref() != Some(v.from_head.as_str()) {
            return Err(Error::LogBroken {
                reason: format!(
                    "the segment does not follow on from entry {} of log {} as imported before",
                    v.from, v.log
                ),
            });
        }
        Ok(())
    }

    /// How many entries of another workstation's log are imported (0 for none).
    pub fn imported_size(&self, log: &str) -> Result<u64> {
        let size: Option<i64> = self
            .store
            .conn
            .query_row("SELECT size FROM imported_logs WHERE log = ?1", [log], |r| r.get(0))
            .optional()
            .map_err(Error::sql("read imported logs"))?;
        Ok(size.unwrap_or(0) as u64)
    }

    /// This workstation's log key (its public half, which every bundle's header carries):
    /// anyone signed in.
    pub fn workstation_key(&self) -> Result<log::PublicKey> {
        self.ready()?;
        Ok(*self.device_public()?)
    }

    /// Stores one entry of a verified bundle with the checkpoint that followed it: true if
    /// it is new. One imported before must be the same line; if it was kept without its
    /// checkpoint (imported before checkpoints were kept), it gets this one.
    fn import_entry(
        &self,
        tx: &Connection,
        log: &str,
        known: u64,
        line: &str,
        checkpoint: Option<&str>,
    ) -> Result<bool> {
        // Only the number is needed here (the bundle was verified whole): read without
        // building the payload.
        #[derive(serde::Deserialize)]
        struct Numbered {
            seq: u64,
        }
        let entry: Numbered = serde_json::from_str(line)
            .map_err(|_| Error::LogBroken { reason: "an entry cannot be read".into() })?;
        let hash = log::line_hash(line);
        // Cached statements: a fleet's collection imports a million entries this way. An
        // entry past the log's imported size cannot be there yet: no lookup.
        let before: Option<(String, Vec<u8>)> = if entry.seq > known {
            None
        } else {
            tx.prepare_cached(
                "SELECT hash, sealed FROM imported_entries WHERE log = ?1 AND seq = ?2",
            )
            .and_then(|mut st| {
                st.query_row(params![log, entry.seq as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(Error::sql("read imported entries"))?
        };
        let plain = match checkpoint {
            Some(cp) => format!("{line}\n{cp}"),
            None => line.to_owned(),
        };
        let sealed = self.main.seal(&binding(log, entry.seq), plain.as_bytes())?;
        match before {
            Some((h, _)) if h != hash => Err(Error::LogBroken {
                reason: format!(
                    "entry {} of log {log} differs from the one imported before: one of the two was altered",
                    entry.seq
                ),
            }),
            Some((_, stored)) => {
                let had = self.open_imported(log, entry.seq, &stored)?;
                if checkpoint.is_some() && split(&had).1.is_none() {
                    tx.execute(
                        "UPDATE imported_entries SET sealed = ?1 WHERE log = ?2 AND seq = ?3",
                        params![sealed, log, entry.seq as i64],
                    )
                    .map_err(Error::sql("store an imported entry"))?;
                }
                Ok(false)
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO imported_entries (log, seq, hash, sealed) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut st| st.execute(params![log, entry.seq as i64, hash, sealed]))
                .map_err(Error::sql("store an imported entry"))?;
                Ok(true)
            }
        }
    }

    fn open_imported(
        &self,
        log: &str,
        seq: u64,
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        self.main.open(&binding(log, seq), sealed).map_err(|_| Error::LogBroken {
            reason: format!("imported entry {seq} of log {log} failed its integrity check"),
        })
    }

    /// This workstation's entries and every imported log's, for one incident or all, read
    /// as events of `E`, ordered by time, then log id, then sequence.
    pub fn merged_timeline<E: DeserializeOwned>(
        &self,
        incident: Option<&str>,
    ) -> Result<Vec<Logged<E>>> {
        self.timeline_of(incident, |_| true)
    }

    /// This workstation's entries and those of the imported logs `from` accepts (by log
    /// id), read and ordered as [`Session::merged_timeline`] reads them.
    pub fn timeline_of<E: DeserializeOwned>(
        &self,
        incident: Option<&str>,
        from: impl Fn(&str) -> bool,
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
            if !from(&log) {
                continue;
            }
            let seq: i64 = row.get(1).map_err(Error::sql("read imported entries"))?;
            let sealed: Vec<u8> = row.get(2).map_err(Error::sql("read imported entries"))?;
            let plain = self.open_imported(&log, seq as u64, &sealed)?;
            let entry: Entry =
                serde_json::from_slice(split(&plain).0).map_err(|_| Error::LogBroken {
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

    /// Re-exports an imported log as a bundle (its own header, signer lines, entries with
    /// the checkpoints kept, its last checkpoint), so each workstation's chain stays
    /// checkable on its own.
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
        let signers: ImportedSigners = self.get(&signers_id(log))?.unwrap_or_default();
        for line in &signers.lines {
            writeln!(out, "{line}").map_err(io)?;
        }
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT seq, sealed FROM imported_entries WHERE log = ?1 ORDER BY seq")
            .map_err(Error::sql("read imported entries"))?;
        let mut rows = stmt.query([log]).map_err(Error::sql("read imported entries"))?;
        let mut count = 0;
        let mut last_written: Option<Vec<u8>> = None;
        while let Some(row) = rows.next().map_err(Error::sql("read imported entries"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read imported entries"))?;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read imported entries"))?;
            let plain = self.open_imported(log, seq as u64, &sealed)?;
            let (line, kept) = split(&plain);
            out.write_all(line).and_then(|()| out.write_all(b"\n")).map_err(io)?;
            if let Some(cp) = kept {
                out.write_all(cp).and_then(|()| out.write_all(b"\n")).map_err(io)?;
            }
            last_written = kept.map(<[u8]>::to_vec);
            count += 1;
        }
        if last_written.as_deref() != Some(checkpoint.as_bytes()) {
            writeln!(out, "{checkpoint}").map_err(io)?;
        }
        Ok(count)
    }

    /// Checks an imported log's chain on its own, against its last checkpoint.
    pub fn verify_imported_log(&self, log: &str) -> Result<log::Verified> {
        let mut bundle = Vec::new();
        self.export_imported_log(log, &mut bundle)?;
        log::verify_bundle(bundle.as_slice(), None)
    }
}
