//! The activity log in the store: one row per entry, its line sealed under the main key
//! (bound to its number), with the line's hash beside it; and one row per signed
//! checkpoint, signed by the log key of the person whose entries it covers (`logkeys.rs`).
//! See `crate::log` for the format.
//!
//! **Checkpoints at a pace.** Every entry is chained and durable at once, in its own
//! transaction. A checkpoint is signed when [`CHECKPOINT_EVERY`] of the session's entries
//! wait for one, or the oldest has waited [`CHECKPOINT_AFTER`] (at the next append or
//! tick), and always when the session locks, at incident close, at export and before paper
//! prints the log's anchor ([`Session::checkpoint_log`]). Why that is enough: inside the
//! store each entry is sealed (AES-GCM, bound to its number) and counted by the store's
//! sealed state, so no one without the main key changes one unseen; outside it, one
//! signature over the chain's head covers every entry before it. What the signature adds
//! is *who*: a checkpoint may cover only its signer's entries (and emergency access's).
//!
//! Which entries wait is kept in memory ([`Run`]: this session's unbroken run at the end of
//! the log) and checked against the log's last row before it is trusted, so a rolled-back
//! write or another process's entries are never signed as this person's. When the entries
//! waiting are not all this session's (another session ended without locking: the app was
//! killed, or the power went; or another process wrote meanwhile), they are opened: this
//! person's own are signed; those in another's name cannot be (their key left with them),
//! so the session appends an `entries_unsigned` entry in its own name declaring them
//! (`from`, `to`, the names), and its next checkpoint covers them as declared, which the
//! bundle's checkers accept and count (`docs/log-bundle.md`). Nothing is lost: the entries
//! stay chained, sealed and counted; only their authors' signatures are missing.

use std::io::Write;

use chrono::{DateTime, Utc};
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

/// A checkpoint is signed once this many of a session's entries wait for one. At 64, a
/// bundle's signatures cost its checker about a sixtieth of what one per entry did (verify
/// runs at hash speed), an append signs once in 64 (the append costs about what the
/// durable insert does), and an incident's busiest minutes (a lead logging a call or step
/// every few seconds) are signed every few minutes at worst, [`CHECKPOINT_AFTER`] bounding
/// the rest.
pub const CHECKPOINT_EVERY: u64 = 64;
/// ... or once the oldest has waited this long (checked at each append and each tick of the
/// window): on a ward, where an entry comes every minute or so, each is signed within a
/// minute, so a killed app or a power cut leaves at most a minute of one person's entries
/// without their signature (still chained, sealed and counted; see the module's comment).
pub const CHECKPOINT_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Log entries as their numbers and their lines, opened.
pub type OpenedLines = Vec<(u64, Zeroizing<String>)>;

/// This session's entries at the end of the log that wait for a checkpoint: `first` to
/// `last`, the line hash of `last`, and when the first was written.
#[derive(Debug, Clone)]
pub(super) struct Run {
    first: u64,
    last: u64,
    head: String,
    since: DateTime<Utc>,
}

/// The log's end: its size and head, and the size of its last signed checkpoint.
struct Tail {
    size: u64,
    head: String,
    signed: u64,
}

fn tail(tx: &Connection) -> Result<Tail> {
    let (size, head, signed): (i64, String, i64) = tx
        .prepare_cached(
            "SELECT COALESCE((SELECT seq FROM log_entries ORDER BY seq DESC LIMIT 1), 0),
                    COALESCE((SELECT head FROM log_entries ORDER BY seq DESC LIMIT 1), ?1),
                    COALESCE((SELECT size FROM log_checkpoints ORDER BY size DESC LIMIT 1), 0)",
        )
        .and_then(|mut st| st.query_row([GENESIS], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
        .map_err(Error::sql("read the log's head"))?;
    Ok(Tail { size: size as u64, head, signed: signed as u64 })
}

/// Signs and keeps the checkpoint at `size` entries (whose last line hashes to `head`).
fn sign_at(tx: &Connection, signer: &LogSigner, size: u64, head: &str) -> Result<()> {
    let checkpoint = signer.checkpoint(size, head);
    let line = serde_json::to_string(&checkpoint)
        .map_err(|e| Error::Invalid { what: "checkpoint", reason: e.to_string() })?;
    tx.prepare_cached("INSERT INTO log_checkpoints (size, line) VALUES (?1, ?2)")
        .and_then(|mut st| st.execute(params![size as i64, line]))
        .map_err(Error::sql("sign the log"))?;
    Ok(())
}

impl Session {
    /// Appends one entry, durably, in one transaction (and the signed checkpoint, when one
    /// is due). Returns the entry's number. `event` is one variant of the log's vocabulary (a serde-tagged
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

    /// The log's last signed checkpoint (id, size, head) and its key's fingerprint: what
    /// paper prints to anchor the log. The entries waiting for one are signed first (when
    /// this session can), so paper anchors the whole log.
    pub fn log_anchor(&self) -> Result<Anchor> {
        self.ready()?;
        // Best effort: a session that cannot sign (its key not yet certified) prints the
        // last checkpoint there is.
        let _ = self.checkpoint_log();
        let key = self.device_public()?;
        let (size, head): (i64, String) = self
            .store
            .conn
            .query_row(
                "SELECT c.size, e.head FROM log_checkpoints c JOIN log_entries e ON e.seq = c.size
                 ORDER BY c.size DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
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

    /// Writes the whole log as a bundle (`docs/log-bundle.md`), one row at a time, each
    /// entry followed by the checkpoint signed at it, if one was; the entries waiting for a
    /// checkpoint are signed first, so the bundle ends with one. Incident leads and admins.
    pub fn export_log(&self, out: &mut impl Write) -> Result<u64> {
        self.write_bundle(out, None)
    }

    /// Writes an incident's bundle: the whole chain, the entries of other incidents and of
    /// none elided (declarations of unsigned entries kept whole: the names the checkpoints
    /// answer for depend on them), each record one of its entries vouches for attached
    /// after it ([`crate::log::scoped`]). Incident leads and admins.
    pub fn export_incident_log(
        &self,
        out: &mut impl Write,
        scope: &BundleScope<'_>,
    ) -> Result<u64> {
        self.write_bundle(out, Some(scope))
    }

    fn write_bundle(&self, out: &mut impl Write, scope: Option<&BundleScope<'_>>) -> Result<u64> {
        self.require(Permission::HandleRecords, "export the activity log")?;
        self.write_from(out, scope, 0)
    }

    /// Writes a segment of the log for the fleet folder (`docs/fleet.md`): the entries after
    /// the first `after`, opening with the signed checkpoint at `after` (none when 0), so
    /// `verify_bundle` checks it on its own. `None` when there is nothing after `after`.
    /// Anyone signed in: the workstation publishes at every unlock and lock.
    pub fn log_segment(&self, after: u64) -> Result<Option<(Vec<u8>, u64)>> {
        self.require(Permission::PublishLog, "publish the activity log")?;
        self.checkpoint_log()?;
        let size: i64 = self
            .store
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM log_entries", [], |r| r.get(0))
            .map_err(Error::sql("read the log"))?;
        if size as u64 <= after {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        self.write_from(&mut bytes, None, after)?;
        Ok(Some((bytes, size as u64)))
    }

    /// Up to `max` of this workstation's own log entries after the first `after`, each its
    /// number and its line, opened; and the log's size. For the SIEM, so anyone signed in.
    pub fn log_lines(&self, after: u64, max: usize) -> Result<(OpenedLines, u64)> {
        self.require(Permission::PublishLog, "forward the activity log")?;
        self.ready()?;
        let conn = &self.store.conn;
        let size = tail(conn)?.size;
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, sealed FROM log_entries WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(Error::sql("read the log"))?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let mut rows =
            stmt.query(params![after as i64, limit]).map_err(Error::sql("read the log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(Error::sql("read the log"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read the log"))?;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read the log"))?;
            let line = self.open_entry(seq as u64, &sealed)?;
            let line = String::from_utf8(line.to_vec()).map_err(|_| Error::LogBroken {
                reason: format!("entry {seq} in the store is not UTF-8"),
            })?;
            out.push((seq as u64, Zeroizing::new(line)));
        }
        Ok((out, size))
    }

    fn write_from(
        &self,
        out: &mut impl Write,
        scope: Option<&BundleScope<'_>>,
        after: u64,
    ) -> Result<u64> {
        self.check_state()?;
        self.checkpoint_log()?;
        let key = self.device_public()?;
        let io = |e: std::io::Error| Error::Invalid { what: "export", reason: e.to_string() };
        writeln!(out, "{}", log::header_line(key)).map_err(io)?;
        for line in self.signer_lines()? {
            writeln!(out, "{line}").map_err(io)?;
        }
        if after > 0 {
            let opening: String = self
                .store
                .conn
                .query_row(
                    "SELECT line FROM log_checkpoints WHERE size = ?1",
                    [after as i64],
                    |r| r.get(0),
                )
                .optional()
                .map_err(Error::sql("read the log"))?
                .ok_or_else(|| Error::LogBroken {
                    reason: format!(
                        "no signed checkpoint at entry {after} to start a segment from"
                    ),
                })?;
            writeln!(out, "{opening}").map_err(io)?;
        }
        let mut stmt = self
            .store
            .conn
            .prepare(
                "SELECT e.seq, e.sealed, c.line FROM log_entries e
                 LEFT JOIN log_checkpoints c ON c.size = e.seq WHERE e.seq > ?1 ORDER BY e.seq",
            )
            .map_err(Error::sql("read the log"))?;
        let mut rows = stmt.query([after as i64]).map_err(Error::sql("read the log"))?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(Error::sql("read the log"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read the log"))?;
            let seq = seq as u64;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read the log"))?;
            let checkpoint: Option<String> = row.get(2).map_err(Error::sql("read the log"))?;
            let line = self.open_entry(seq, &sealed)?;
            match scope {
                None => out.write_all(&line).and_then(|()| out.write_all(b"\n")).map_err(io)?,
                Some(scope) => write_scoped(out, scope, &line).map_err(io)?,
            }
            if let Some(checkpoint) = checkpoint {
                writeln!(out, "{checkpoint}").map_err(io)?;
            }
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

/// What an incident's bundle holds: the incident, and the records its entries vouch for,
/// by SHA-256: (what the record is, its JSON as hashed).
#[derive(Debug, Default)]
pub struct BundleScope<'a> {
    pub incident: &'a str,
    pub records: std::collections::HashMap<String, (&'static str, Vec<u8>)>,
}

/// One entry of an incident's bundle: whole (with the records it vouches for), or elided.
fn write_scoped(out: &mut impl Write, scope: &BundleScope<'_>, line: &[u8]) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(line);
    let entry: Option<log::Entry> = serde_json::from_str(&text).ok();
    let Some(entry) = entry else {
        return writeln!(out, "{text}");
    };
    if entry.incident.as_deref() != Some(scope.incident) && entry.kind != log::UNSIGNED_KIND {
        return writeln!(out, "{}", log::scoped::elided_line(&entry, &text));
    }
    writeln!(out, "{text}")?;
    if let Some((kind, json)) =
        log::scoped::vouched(&entry.payload).and_then(|d| scope.records.get(d))
    {
        writeln!(out, "{}", log::scoped::record_line(&entry.log, entry.seq, kind, json))?;
    }
    Ok(())
}

/// Appends inside the caller's transaction: reads the log's end (settling entries waiting
/// for a checkpoint that are not this session's), seals the line, and signs the checkpoint
/// when one is due.
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
    let mut end = tail(tx)?;
    if end.signed < end.size && !session.run_is(&end) {
        session.settle_others(tx, signer, &end)?;
        end = tail(tx)?;
    }
    if let Some(c) = corrects
        && !(1..=end.size).contains(&c)
    {
        return Err(Error::Invalid {
            what: "correction",
            reason: format!("there is no entry {c}"),
        });
    }
    let seq = insert_entry(
        tx,
        session,
        signer,
        by,
        end.size,
        &end.head,
        (&kind, &payload, incident, corrects),
    )?;
    let head = session.log_run.borrow().as_ref().map(|r| r.head.clone()).unwrap_or_default();
    let due = session.log_run.borrow().as_ref().is_some_and(|run| {
        seq - end.signed >= CHECKPOINT_EVERY || by.time - run.since >= CHECKPOINT_AFTER
    });
    if due {
        sign_at(tx, signer, seq, &head)?;
        session.log_run.replace(None);
    }
    Ok(seq)
}

/// Inside the caller's transaction: signs a checkpoint at the log's end, settling first the
/// entries that wait for one and are not this session's. False if none waits.
fn sign_all(tx: &Connection, session: &Session, signer: &LogSigner) -> Result<bool> {
    let mut end = tail(tx)?;
    if end.signed == end.size {
        session.log_run.replace(None);
        return Ok(false);
    }
    if !session.run_is(&end) {
        session.settle_others(tx, signer, &end)?;
        end = tail(tx)?;
    }
    sign_at(tx, signer, end.size, &end.head)?;
    session.log_run.replace(None);
    Ok(true)
}

/// What an entry says: (kind, payload, incident, corrects).
type Said<'a> = (&'a str, &'a serde_json::Value, Option<&'a str>, Option<u64>);

/// Seals and inserts the entry after `size` (whose line hashed to `prev`), and extends the
/// session's run of waiting entries with it.
fn insert_entry(
    tx: &Connection,
    session: &Session,
    signer: &LogSigner,
    by: Author<'_>,
    size: u64,
    prev: &str,
    (kind, payload, incident, corrects): Said<'_>,
) -> Result<u64> {
    let seq = size + 1;
    let at = Position { log: signer.log_id(), seq, prev };
    let line = log::entry_line(at, by, incident, kind, payload, corrects)?;
    let sealed = session.main.seal(&entry_binding(seq), line.as_bytes())?;
    let head = log::line_hash(&line);
    tx.prepare_cached("INSERT INTO log_entries (seq, sealed, head) VALUES (?1, ?2, ?3)")
        .and_then(|mut st| st.execute(params![seq as i64, sealed, head]))
        .map_err(Error::sql("append to the log"))?;
    let mut run = session.log_run.borrow_mut();
    match run.as_mut() {
        Some(r) if r.last == size => {
            r.last = seq;
            r.head = head;
        }
        _ => *run = Some(Run { first: seq, last: seq, head, since: by.time }),
    }
    Ok(seq)
}

impl Session {
    /// Whether the entries waiting for a checkpoint at the log's end `end` are exactly this
    /// session's run (its last one still the log's last, by number and hash).
    fn run_is(&self, end: &Tail) -> bool {
        self.log_run.borrow().as_ref().is_some_and(|run| {
            run.first == end.signed + 1 && run.last == end.size && run.head == end.head
        })
    }

    /// Entries wait for a checkpoint that are not (known to be) this session's: opens them.
    /// This person's own and emergency access's become the session's run; before the first
    /// in another's name, the run so far is signed; from it on, the entries are declared in
    /// an `entries_unsigned` entry in this person's name, which the session's next
    /// checkpoint covers with them.
    fn settle_others(&self, tx: &Connection, signer: &LogSigner, end: &Tail) -> Result<()> {
        let mut stmt = tx
            .prepare_cached("SELECT seq, sealed, head FROM log_entries WHERE seq > ?1 ORDER BY seq")
            .map_err(Error::sql("read the log"))?;
        let mut rows = stmt.query([end.signed as i64]).map_err(Error::sql("read the log"))?;
        let me = self.user_name();
        let mut before: Option<(u64, String)> = None;
        let mut others: Option<u64> = None;
        let mut names: Vec<String> = Vec::new();
        while let Some(row) = rows.next().map_err(Error::sql("read the log"))? {
            let seq: i64 = row.get(0).map_err(Error::sql("read the log"))?;
            let sealed: Vec<u8> = row.get(1).map_err(Error::sql("read the log"))?;
            let head: String = row.get(2).map_err(Error::sql("read the log"))?;
            let seq = seq as u64;
            // An entry that does not open (damaged: verify names it) is not this person's
            // to sign; declaring it keeps the log going.
            let actor = self
                .open_entry(seq, &sealed)
                .ok()
                .and_then(|line| serde_json::from_slice::<log::Entry>(&line).ok())
                .map_or_else(|| format!("(entry {seq}, which does not open)"), |e| e.actor);
            if actor != me && actor != EMERGENCY_ACTOR {
                others.get_or_insert(seq);
                if !names.contains(&actor) {
                    names.push(actor);
                }
            } else if others.is_none() {
                before = Some((seq, head));
            }
        }
        drop(rows);
        let now = self.now();
        let Some(from) = others else {
            // All this person's own, or emergency access's: the session takes them on.
            self.log_run.replace(Some(Run {
                first: end.signed + 1,
                last: end.size,
                head: end.head.clone(),
                since: now,
            }));
            return Ok(());
        };
        if let Some((seq, head)) = before {
            sign_at(tx, signer, seq, &head)?;
        }
        names.sort();
        let declared = serde_json::json!({ "from": from, "to": end.size, "names": names });
        let by = Author { actor: me, role: self.role().as_str(), time: now };
        self.log_run.replace(None);
        insert_entry(
            tx,
            self,
            signer,
            by,
            end.size,
            &end.head,
            (log::UNSIGNED_KIND, &declared, None, None),
        )?;
        if let Some(run) = self.log_run.borrow_mut().as_mut() {
            run.first = from;
        }
        Ok(())
    }

    /// Signs a checkpoint over every entry that waits for one (declaring first those in
    /// another's name, as an append does). At lock, at export, before paper prints the
    /// log's anchor. Returns whether it signed one.
    pub fn checkpoint_log(&self) -> Result<bool> {
        let end = tail(&self.store.conn)?;
        if end.signed == end.size {
            self.log_run.replace(None);
            return Ok(false);
        }
        let signer = self.log_signer()?;
        let tx = write_transaction(&self.store.conn)?;
        self.ready()?;
        if !sign_all(&tx, self, signer)? {
            return Ok(false);
        }
        self.seal_state(&tx)?;
        tx.commit().map_err(Error::sql("commit the log's checkpoint"))?;
        Ok(true)
    }

    /// Signs a checkpoint if this session's oldest entry waiting for one has waited
    /// [`CHECKPOINT_AFTER`] (the window's tick asks). Returns whether it signed one.
    pub fn checkpoint_if_due(&self) -> Result<bool> {
        let due = self
            .log_run
            .borrow()
            .as_ref()
            .is_some_and(|run| self.now() - run.since >= CHECKPOINT_AFTER);
        if due { self.checkpoint_log() } else { Ok(false) }
    }
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

    /// Signs a checkpoint over every entry waiting for one, inside this write (an incident
    /// closed is signed with its close).
    pub fn checkpoint_log(&self) -> Result<()> {
        sign_all(&self.tx, self.session, self.session.log_signer()?).map(|_| ())
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
