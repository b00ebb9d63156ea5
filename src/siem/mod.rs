//! SIEM forwarding (issue 22; `docs/siem.md`): the workstation's log entries sent to the
//! hospital's SIEM as RFC 5424 syslog messages over TLS (RFC 5425), each carrying the
//! entry's kind, incident, actor, hash, log id and number as structured data, so the SIEM
//! drops the duplicates an at-least-once delivery may send.
//!
//! - `message.rs`: one entry as one RFC 5424 message, octet-counted (RFC 5425 §4.3);
//!   what of it leaves the building (`Event::siem_class`, in the event enum);
//! - `send.rs`: the connection (TLS with the admin's CA, or plain TCP for a lab), with
//!   timeouts, holding no store and no app: it runs on a thread of its own.
//!
//! The sealed records: [`Target`] (`Kind::SiemTarget`, signed by the admins' key: only
//! admins set it) and [`Cursor`] (`Kind::SiemCursor`: how far this workstation's log was
//! forwarded, to which target, written by whichever session forwards).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::store::{Kind, Permission, Record, Session};
use crate::{Error, Result};

pub mod message;
pub mod send;

/// The syslog facility of a kind of entry (RFC 5424 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Facility {
    /// 10, security/authorization: emergency access, repaired ward copies, entries left
    /// unsigned.
    AuthPriv = 10,
    /// 13, log audit: every other entry.
    LogAudit = 13,
}

/// The syslog severity of a kind of entry (RFC 5424 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning = 4,
    Notice = 5,
    Informational = 6,
}

/// How one kind of entry goes to the SIEM: its facility and severity, and whether it
/// carries text a person typed (a note, an observation, a reason, a message ...), which is
/// sent as its kind and hash only unless the admin opted in ([`Target::send_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub facility: Facility,
    pub severity: Severity,
    pub typed_text: bool,
}

impl Class {
    pub const fn info() -> Self {
        Class { facility: Facility::LogAudit, severity: Severity::Informational, typed_text: false }
    }
    pub const fn notice() -> Self {
        Class { severity: Severity::Notice, ..Class::info() }
    }
    pub const fn warning() -> Self {
        Class { severity: Severity::Warning, ..Class::info() }
    }
    /// Security/authorization facility, at warning.
    pub const fn security() -> Self {
        Class { facility: Facility::AuthPriv, ..Class::warning() }
    }
    /// The same, carrying typed text.
    pub const fn typed(self) -> Self {
        Class { typed_text: true, ..self }
    }
    /// The message's PRI: facility × 8 + severity.
    pub const fn pri(self) -> u8 {
        self.facility as u8 * 8 + self.severity as u8
    }
}

/// The SIEM this workstation forwards its log to (one sealed record, signed by the admins'
/// key). The client key is a secret: sealed, never printed, never in an error.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub host: String,
    pub port: u16,
    /// The CA certificate(s) the SIEM's certificate must chain to, PEM.
    pub ca_pem: String,
    /// For mutual TLS: this workstation's certificate chain, PEM.
    pub client_cert_pem: Option<String>,
    /// ... and its private key, PEM.
    pub client_key_pem: Option<Zeroizing<String>>,
    /// The admin opted in to sending the text people typed (notes, observations ...).
    pub send_text: bool,
    /// Plain TCP, no TLS: for a lab only (`--insecure-plain-tcp`).
    #[serde(default)]
    pub plain_tcp: bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_cert", &self.client_cert_pem.is_some())
            .field("client_key", &self.client_key_pem.as_ref().map(|_| "(sealed)"))
            .field("send_text", &self.send_text)
            .field("plain_tcp", &self.plain_tcp)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// How the target is named (and what the cursor is kept for): `host:port`, with the
    /// brackets an IPv6 address needs.
    pub fn name(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl Record for Target {
    const KIND: Kind = Kind::SiemTarget;
}

/// The record id of the target.
pub const TARGET: &str = "siem-target";

/// How far this workstation's log was forwarded, and to which target (one sealed record):
/// a restart resumes from here; another target starts again from the first entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// The target's name (`host:port`).
    pub target: String,
    /// The entries forwarded: 1 to this.
    pub entries: u64,
    /// When the last of them was forwarded.
    pub forwarded: Option<DateTime<Utc>>,
}

impl Record for Cursor {
    const KIND: Kind = Kind::SiemCursor;
}

/// The record id of the cursor.
pub const CURSOR: &str = "siem-cursor";

impl Session {
    /// The SIEM target, if one is set.
    pub fn siem_target(&self) -> Result<Option<Target>> {
        self.get(TARGET)
    }

    /// Sets the SIEM target, or none (`None`: forwarding off). Admins.
    pub fn set_siem_target(&self, target: Option<&Target>) -> Result<()> {
        self.require(Permission::ManageWorkstation, "set the SIEM")?;
        self.write(|w| {
            w.require(Permission::ManageWorkstation, "set the SIEM")?;
            match target {
                Some(t) => w.put(TARGET, t).map(|_| ()),
                None => w.clear::<Target>().map(|_| ()),
            }
        })
    }

    /// How far the log was forwarded to `target`: from the first entry when the cursor is
    /// another target's.
    pub fn siem_cursor(&self, target: &str) -> Result<Cursor> {
        let cursor: Cursor = self.get(CURSOR)?.unwrap_or_default();
        Ok(if cursor.target == target {
            cursor
        } else {
            Cursor { target: target.to_owned(), ..Cursor::default() }
        })
    }

    /// Moves the cursor from `from` to `to` entries forwarded to `target`, only if it still
    /// stands at `from` for that target (another forward may have moved it meanwhile).
    /// Whoever forwards (anyone signed in). Returns whether it moved.
    pub fn advance_siem_cursor(
        &self,
        target: &str,
        from: u64,
        to: u64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        self.require(Permission::PublishLog, "forward the activity log")?;
        self.write(|w| {
            // Read inside the write (an immediate transaction): no other forward moves it
            // between the read and the write.
            let now: Cursor = self.get(CURSOR)?.unwrap_or_default();
            let stands = if now.target == target { now.entries } else { 0 };
            if stands != from || to < from {
                return Ok(false);
            }
            let next = Cursor { target: target.to_owned(), entries: to, forwarded: Some(at) };
            w.put(CURSOR, &next)?;
            Ok(true)
        })
    }
}

/// The error for a target that cannot be used as set.
pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Error {
    Error::Invalid { what, reason: reason.into() }
}
