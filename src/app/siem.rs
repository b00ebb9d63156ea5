//! SIEM forwarding (issue 22; `docs/siem.md`): the target an admin sets, and forwarding
//! this workstation's own log entries to it, at least once and with no gap.
//!
//! Split so that no lock is held during network I/O: [`App::siem_batch`] (under the app:
//! reads the entries after the cursor and builds their messages in memory), [`Batch::send`]
//! (no app: connects, sends, flushes, closes; runs on any thread), [`App::siem_sent`]
//! (under the app: moves the cursor past the batch, only if it still stands where the
//! batch began, for the same target). `forward_siem` chains them until caught up (the
//! CLI); `forward_siem_quietly` and `forward_siem_off_lock` never fail (the window's
//! forwards) and remember a failure for the status to show until one succeeds.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::App;
use crate::events::Event;
use crate::log;
use crate::siem::message::entry_frame;
use crate::siem::send::Link;
use crate::siem::{Cursor, Target};
use crate::{Error, Result};

/// The largest certificate or key taken, in bytes.
pub const PEM_LIMIT: usize = 1024 * 1024;

/// The entries a batch holds at most by default (one connection each).
pub const BATCH: usize = 500;

/// What an admin sets: the target and its certificates as PEM text (read from files by
/// the front end), as the store keeps it (its `Debug` leaves the client key out).
pub type SiemSetting = Target;

/// Entries read after the cursor, as framed messages ready to send.
#[derive(Debug)]
pub struct Batch {
    link: Link,
    /// The cursor when the batch was read: the entries 1 to `from` were forwarded.
    pub from: u64,
    /// The batch's last entry.
    pub to: u64,
    frames: Vec<Vec<u8>>,
}

impl Batch {
    /// The target's name (`host:port`).
    pub fn target(&self) -> &str {
        &self.link.name
    }

    /// Connects to the SIEM and sends the batch (no app needed: run it on any thread).
    pub fn send(&self) -> Result<()> {
        self.link.send(&self.frames)
    }
}

/// What a forward did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forwarded {
    pub target: String,
    /// Entries sent by this forward.
    pub sent: u64,
    /// Entries forwarded to this target in all (1 to this).
    pub entries: u64,
    /// Entries still waiting.
    pub waiting: u64,
    pub at: DateTime<Utc>,
}

/// The periodic forward: done, nothing to do (no SIEM set), or to be tried again later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Attempt {
    Forwarded(Forwarded),
    NotSet,
    RetryLater { code: String, reason: String },
}

/// Where forwarding stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiemStatus {
    /// The target (`host:port`), if one is set.
    pub target: Option<String>,
    pub tls: bool,
    pub mutual_tls: bool,
    pub send_text: bool,
    /// Entries forwarded to the target (1 to this).
    pub forwarded: u64,
    pub last_forwarded: Option<DateTime<Utc>>,
    /// Entries of the log not yet forwarded.
    pub waiting: u64,
    /// Why the window's last forward to this target failed, if it did (tried again at the
    /// next). Kept in memory while the app runs: the CLI's is always none.
    pub retrying: Option<Failure>,
}

/// A forward that failed: to which target, why (the error's code and message: no secret,
/// no patient data), when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub target: String,
    pub code: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// `HOST:PORT` or `[IPv6]:PORT`, as an admin types it (the CLI's argument, the window's
/// field): the host and the port.
pub fn host_and_port(text: &str) -> Result<(String, u16)> {
    let text = text.trim();
    let bad = || Error::Invalid {
        what: "SIEM",
        reason: format!("`{text}` is not HOST:PORT (such as siem.example.org:6514)"),
    };
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 || host.contains(['[', ']', '/', ' ']) {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

impl App {
    /// Sets the SIEM target (admins): its CA, client certificate and key are checked
    /// first; nothing is stored when one is bad. No connection is made.
    pub fn set_siem(&self, mut target: SiemSetting) -> Result<String> {
        let invalid =
            |reason: &str| Error::Invalid { what: "certificate file", reason: reason.into() };
        if target.ca_pem.trim().is_empty() {
            return Err(invalid(
                "none was chosen: choose the CA certificate (PEM) the SIEM's certificate is signed by",
            ));
        }
        let key = target.client_key_pem.as_deref().map_or(0, String::len);
        let parts = [Some(&target.ca_pem), target.client_cert_pem.as_ref()];
        if parts.into_iter().flatten().map(String::len).chain([key]).any(|n| n > PEM_LIMIT) {
            return Err(invalid("a file chosen is over 1 MB: not a PEM certificate or key"));
        }
        // A client certificate or key left empty is none.
        target.client_cert_pem = target.client_cert_pem.filter(|t| !t.trim().is_empty());
        target.client_key_pem = target.client_key_pem.filter(|k| !k.trim().is_empty());
        target.host = target.host.trim().to_owned();
        if target.host.is_empty() || target.host.len() > 253 || target.port == 0 {
            return Err(Error::Invalid {
                what: "SIEM",
                reason: "give its host and port as HOST:PORT (such as siem.example.org:6514)"
                    .into(),
            });
        }
        Link::of(&target)?;
        self.user()?.set_siem_target(Some(&target))?;
        self.fleet.borrow_mut().siem_failed = None;
        Ok(target.name())
    }

    /// Turns forwarding off (admins). The cursor stays: setting the same target again
    /// resumes from it.
    pub fn siem_off(&self) -> Result<()> {
        self.user()?.set_siem_target(None)?;
        self.fleet.borrow_mut().siem_failed = None;
        Ok(())
    }

    /// Where forwarding stands (anyone signed in).
    pub fn siem_status(&self) -> Result<SiemStatus> {
        let session = self.user()?;
        let target = session.siem_target()?;
        let name = target.as_ref().map(Target::name);
        let cursor = match &name {
            Some(n) => session.siem_cursor(n)?,
            None => Cursor::default(),
        };
        let (_, size) = session.log_lines(0, 0)?;
        let failed = self.fleet.borrow().siem_failed.clone();
        Ok(SiemStatus {
            retrying: failed.filter(|f| Some(&f.target) == name.as_ref()),
            tls: target.as_ref().is_some_and(|t| !t.plain_tcp),
            mutual_tls: target.as_ref().is_some_and(|t| t.client_cert_pem.is_some()),
            send_text: target.as_ref().is_some_and(|t| t.send_text),
            target: name,
            forwarded: cursor.entries,
            last_forwarded: cursor.forwarded,
            waiting: size.saturating_sub(cursor.entries),
        })
    }

    /// Reads up to `max` entries after the cursor and builds their messages (anyone signed
    /// in): `None` when none wait. An error when no SIEM is set.
    pub fn siem_batch(&self, max: usize) -> Result<Option<Batch>> {
        let session = self.user()?;
        let target = session.siem_target()?.ok_or_else(|| Error::Invalid {
            what: "SIEM",
            reason: "none is set: an admin sets one (`caregiver siem set HOST:PORT --ca FILE`)"
                .into(),
        })?;
        let link = Link::of(&target)?;
        let cursor = session.siem_cursor(&link.name)?;
        let (lines, _) = session.log_lines(cursor.entries, max.max(1))?;
        let Some(to) = lines.last().map(|(seq, _)| *seq) else { return Ok(None) };
        let host = host_name();
        let mut frames = Vec::with_capacity(lines.len());
        for (seq, line) in &lines {
            let entry: log::Entry = serde_json::from_str(line).map_err(|_| Error::LogBroken {
                reason: format!("entry {seq} in the store cannot be read"),
            })?;
            let payload = entry.payload.clone();
            let read = entry.decode::<Event>()?;
            frames.push(entry_frame(host, line, &read, &payload, target.send_text));
        }
        Ok(Some(Batch { link, from: cursor.entries, to, frames }))
    }

    /// Moves the cursor past a batch that was sent, if it still stands where the batch
    /// began (for the same target). Returns whether it moved.
    pub fn siem_sent(&self, batch: &Batch) -> Result<bool> {
        self.user()?.advance_siem_cursor(batch.target(), batch.from, batch.to, self.now())
    }

    /// Sends every entry waiting, `batch` entries a connection, until caught up. An error
    /// stops it; what was sent before stays forwarded, the rest waits for the next one.
    pub fn forward_siem(&self, batch: usize) -> Result<Forwarded> {
        let mut sent = 0;
        while let Some(b) = self.siem_batch(batch)? {
            b.send()?;
            if self.siem_sent(&b)? {
                sent += b.to - b.from;
            }
        }
        let status = self.siem_status()?;
        Ok(Forwarded {
            target: status.target.unwrap_or_default(),
            sent,
            entries: status.forwarded,
            waiting: status.waiting,
            at: self.now(),
        })
    }

    /// The window's forward, with the app taken only to read a batch and to move the
    /// cursor (`take` locks it): the network is used with nothing of the app held, so a
    /// SIEM that hangs delays no window command. Never an error, as
    /// [`App::forward_siem_quietly`]; a failure is remembered for the status.
    pub fn forward_siem_off_lock<G: std::ops::Deref<Target = App>>(
        take: impl Fn() -> G,
    ) -> Attempt {
        let (target, attempt) = Self::forward_off_lock(&take);
        take().remember_siem(target, &attempt);
        attempt
    }

    /// The forward of [`App::forward_siem_off_lock`], with the target it was for (none
    /// when it could not be read: locked, say).
    fn forward_off_lock<G: std::ops::Deref<Target = App>>(
        take: &impl Fn() -> G,
    ) -> (Option<String>, Attempt) {
        let retry = |e: Error| Attempt::RetryLater { code: e.code().into(), reason: e.to_string() };
        let target = match take().user().and_then(|s| s.siem_target()) {
            Ok(None) => return (None, Attempt::NotSet),
            Ok(Some(t)) => t.name(),
            Err(e) => return (None, retry(e)),
        };
        (Some(target), Self::forward_batches(take))
    }

    /// Batches read, sent and moved past until caught up, then the status.
    fn forward_batches<G: std::ops::Deref<Target = App>>(take: &impl Fn() -> G) -> Attempt {
        let retry = |e: Error| Attempt::RetryLater { code: e.code().into(), reason: e.to_string() };
        let mut sent = 0;
        loop {
            let batch = match take().siem_batch(BATCH) {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => return retry(e),
            };
            if let Err(e) = batch.send() {
                return retry(e);
            }
            match take().siem_sent(&batch) {
                Ok(true) => sent += batch.to - batch.from,
                Ok(false) => {}
                Err(e) => return retry(e),
            }
        }
        let app = take();
        match app.siem_status() {
            Ok(status) => Attempt::Forwarded(Forwarded {
                target: status.target.unwrap_or_default(),
                sent,
                entries: status.forwarded,
                waiting: status.waiting,
                at: app.now(),
            }),
            Err(e) => retry(e),
        }
    }

    /// The forward the window makes every few minutes: never an error; a SIEM that cannot
    /// be reached is tried again at the next one, from the same entry.
    pub fn forward_siem_quietly(&self) -> Attempt {
        let target = match self.user().and_then(|s| s.siem_target()) {
            Ok(None) => return Attempt::NotSet,
            Ok(Some(t)) => t.name(),
            Err(e) => return Attempt::RetryLater { code: e.code().into(), reason: e.to_string() },
        };
        let attempt = match self.forward_siem(BATCH) {
            Ok(f) => Attempt::Forwarded(f),
            Err(e) => Attempt::RetryLater { code: e.code().into(), reason: e.to_string() },
        };
        self.remember_siem(Some(target), &attempt);
        attempt
    }

    /// Keeps a forward's failure for the status, or forgets the last one when it went
    /// through; a forward that could not even read its target (locked) changes nothing.
    fn remember_siem(&self, target: Option<String>, attempt: &Attempt) {
        let mut memory = self.fleet.borrow_mut();
        match (attempt, target) {
            (Attempt::RetryLater { code, reason }, Some(target)) => {
                let (code, reason) = (code.clone(), reason.clone());
                memory.siem_failed = Some(Failure { target, code, reason, at: self.now() });
            }
            (Attempt::RetryLater { .. }, None) => {}
            (Attempt::Forwarded(_) | Attempt::NotSet, _) => memory.siem_failed = None,
        }
    }
}

/// This machine's host name for the messages' HOSTNAME (the kernel's on Linux, the
/// computer's name on Windows), else `-`. Read once.
fn host_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "-".into())
    })
}
