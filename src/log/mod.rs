//! The workstation's activity log: append-only, hash-chained, checkpoint-signed.
//!
//! Every entry is one line of JSON: its bytes are what is hashed, sealed in the store, and
//! exported, so nobody ever re-serialises an entry to check it. Entry `n` carries the
//! SHA-256 of entry `n - 1`'s line (`prev`; 64 zeros for the first). After every commit the
//! log key of the person who made it ([`LogSigner`], certified by the workstation's
//! [`DeviceKey`] in a [`SignerLine`]) signs a checkpoint, naming the key in `by` (logs from
//! before: the workstation's key, no `by`):
//!
//! ```text
//! caregiver-log-checkpoint/v1
//! <log id>
//! <size: the number of entries>
//! <head: the SHA-256 of the last entry's line, hex>
//! ```
//!
//! No code path edits or deletes an entry; a correction is a new entry whose `corrects`
//! names the old one. An export ("bundle", documented in `docs/log-bundle.md`) is JSON
//! Lines: a header with the public key, then every entry line, each followed by its
//! checkpoint line. [`verify_bundle`] checks one while reading it, line by line, so memory
//! stays flat however long the log, and checks its signer against a key the checker
//! trusts when given one ([`PublicKey`], named by its [`fingerprint`]). An incident's bundle
//! keeps the whole chain with the other entries elided, and carries the records its entries
//! vouch for ([`scoped`]).

use chrono::{DateTime, SecondsFormat, Utc};
use data_encoding::{BASE64, HEXLOWER};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::crypto::sha256;
use crate::{Error, Result};

mod key;
pub mod scoped;
mod verify;
pub use key::{PublicKey, fingerprint};
pub use verify::{DECLARATIONS_LISTED, Declaration, Verified, verify_bundle};

pub const BUNDLE_FORMAT: &str = "caregiver-log-bundle/1";
const CHECKPOINT_HEADER: &str = "caregiver-log-checkpoint/v1";
const SIGNER_HEADER: &str = "caregiver-log-signer/v1";
/// The actor of the entries emergency access made (logged at the next full unlock): the
/// checkpoint that covers one may be signed by whoever unlocked.
pub const EMERGENCY_ACTOR: &str = "emergency access";
/// The kind of the entry that declares entries a checkpoint covers without their authors'
/// signatures: `{"from", "to", "names"}`, the entries `from` to `to` (the one just before
/// it), in the names listed, were found waiting for a checkpoint after their session ended
/// without signing one (the app killed, the power cut). Its writer's checkpoint covers them.
pub const UNSIGNED_KIND: &str = "entries_unsigned";
/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry, as its line holds it. Field order is the line's order. This is the wire
/// form that the chain, the bundles and their checks read; what an entry says is read
/// through [`Entry::decode`] into a [`Logged`] event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Always `"entry"`: tells entry lines from checkpoint lines in a bundle.
    pub t: String,
    pub log: String,
    pub seq: u64,
    pub prev: String,
    /// UTC, RFC 3339 with milliseconds.
    pub time: String,
    pub actor: String,
    pub role: String,
    pub incident: Option<String>,
    pub kind: String,
    pub payload: serde_json::Value,
    /// The entry this one corrects, if any.
    pub corrects: Option<u64>,
}

/// An entry as readers use it: its time parsed, its `kind` and `payload` read as one
/// variant of a serde-tagged enum `E` (the log's vocabulary, `crate::events::Event`).
#[derive(Debug, Clone, PartialEq)]
pub struct Logged<E> {
    pub log: String,
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub incident: Option<String>,
    pub event: E,
    pub corrects: Option<u64>,
}

impl Entry {
    /// Reads what the entry says. One policy for an entry that cannot be read (a time that
    /// is not RFC 3339, a kind or payload the vocabulary does not have): an error naming
    /// the entry.
    pub fn decode<E: DeserializeOwned>(self) -> Result<Logged<E>> {
        let seq = self.seq;
        let time = DateTime::parse_from_rfc3339(&self.time)
            .map_err(|_| Error::LogBroken {
                reason: format!("entry {seq} of log {} has no readable time", self.log),
            })?
            .to_utc();
        let mut tagged = serde_json::Map::with_capacity(2);
        tagged.insert("kind".into(), serde_json::Value::String(self.kind));
        tagged.insert("payload".into(), self.payload);
        let event =
            E::deserialize(serde_json::Value::Object(tagged)).map_err(|e| Error::LogBroken {
                reason: format!("entry {seq} of log {} cannot be read: {e}", self.log),
            })?;
        Ok(Logged {
            log: self.log,
            seq,
            time,
            actor: self.actor,
            role: self.role,
            incident: self.incident,
            event,
            corrects: self.corrects,
        })
    }
}

/// An event as its entry's `kind` and `payload`: `E` is serialised as serde's adjacently
/// tagged form (`{"kind": ..., "payload": ...}`) and taken apart.
pub fn kind_and_payload<E: Serialize>(event: &E) -> Result<(String, serde_json::Value)> {
    let bad = |reason: String| Error::Invalid { what: "log entry", reason };
    match serde_json::to_value(event).map_err(|e| bad(e.to_string()))? {
        serde_json::Value::Object(mut map) => match map.remove("kind") {
            Some(serde_json::Value::String(kind)) => {
                Ok((kind, map.remove("payload").unwrap_or(serde_json::Value::Null)))
            }
            _ => Err(bad("an event without a kind".into())),
        },
        _ => Err(bad("an event that is not a kind and payload".into())),
    }
}

/// A signed statement of the log's size and head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Always `"checkpoint"`.
    pub t: String,
    pub log: String,
    pub size: u64,
    pub head: String,
    /// The fingerprint of the person's key that signed it (a [`SignerLine`] of the bundle
    /// certifies it); absent: signed by the workstation's key (logs from before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Base64 Ed25519 signature of [`Checkpoint::message`].
    pub sig: String,
}

impl Checkpoint {
    /// The exact bytes that are signed.
    pub fn message(log: &str, size: u64, head: &str) -> String {
        format!("{CHECKPOINT_HEADER}\n{log}\n{size}\n{head}\n")
    }
}

/// A person's log key, certified by the workstation's key: a bundle's signer line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignerLine {
    /// Always `"signer"`.
    pub t: String,
    pub log: String,
    /// The person's name, as their entries' `actor`.
    pub name: String,
    /// Their Ed25519 public key, raw, base64.
    pub key: String,
    /// Base64 Ed25519 signature by the workstation's key of [`SignerLine::message`].
    pub cert: String,
}

impl SignerLine {
    /// The exact bytes the workstation's key signs to certify `key` (base64) as `name`'s.
    pub fn message(log: &str, name: &str, key: &str) -> String {
        format!("{SIGNER_HEADER}\n{log}\n{name}\n{key}\n")
    }
}

/// A person's key that signs the checkpoints of their own entries: derived from their seed.
#[derive(Debug)]
pub struct LogSigner {
    pair: Ed25519KeyPair,
    public: PublicKey,
    log: String,
    by: String,
}

/// The checkpoint of `log` at `size` entries with head `head`, signed by `pair`; `by`
/// names a person's key (`None`: the workstation's).
fn signed_checkpoint(
    pair: &Ed25519KeyPair,
    log: &str,
    size: u64,
    head: &str,
    by: Option<String>,
) -> Checkpoint {
    let sig = pair.sign(Checkpoint::message(log, size, head).as_bytes());
    Checkpoint {
        t: "checkpoint".into(),
        log: log.to_owned(),
        size,
        head: head.to_owned(),
        by,
        sig: BASE64.encode(sig.as_ref()),
    }
}

impl LogSigner {
    /// `seed`'s log key, for the log `log`.
    pub fn from_seed(seed: &crate::crypto::SecretKey, log: &str) -> Result<Self> {
        let damaged = || Error::Damaged { what: "a person's log key".into() };
        let pair = crate::crypto::signing_key(seed, "log ed25519").map_err(|_| damaged())?;
        let public = PublicKey::from_raw(pair.public_key().as_ref()).ok_or_else(damaged)?;
        Ok(Self { pair, by: public.fingerprint(), public, log: log.to_owned() })
    }

    pub fn log_id(&self) -> &str {
        &self.log
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs the checkpoint for a log of `size` entries whose last line hashes to `head`,
    /// naming this key in `by`.
    pub fn checkpoint(&self, size: u64, head: &str) -> Checkpoint {
        signed_checkpoint(&self.pair, &self.log, size, head, Some(self.by.clone()))
    }
}
/// The log's last checkpoint and the key that signed it, as paper prints them (the HICS
/// 214, the after-action review) so that paper anchors the electronic log: a later export
/// must hold a checkpoint at `size` entries with this `head`, signed by this key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub log: String,
    pub size: u64,
    pub head: String,
    /// The signing key's [`fingerprint`].
    pub fingerprint: String,
}

impl Anchor {
    /// The anchor in words, a line each: the checkpoint, the key, how to check.
    pub fn lines(&self) -> [String; 3] {
        let Anchor { log, size, head, fingerprint } = self;
        [
            format!("Activity log {log}, last checkpoint: {size} entries, head {head}."),
            format!("Signed by the workstation key with fingerprint {fingerprint}."),
            format!(
                "To check an export against this page, run caregiver log verify on it: it must \
                 print this fingerprint, and the export must hold a checkpoint at {size} entries \
                 with this head."
            ),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    t: String,
    format: String,
    log: String,
    /// The workstation's public key, raw, base64.
    public_key: String,
    /// The same key as PEM, for openssl.
    public_key_pem: String,
}

/// SHA-256 of an entry line, hex.
pub fn line_hash(line: &str) -> String {
    HEXLOWER.encode(&sha256(&[line.as_bytes()]))
}

/// The log id of a workstation: the first 16 bytes of SHA-256 of its public key, hex.
pub fn log_id(public_key: &[u8]) -> String {
    HEXLOWER.encode(sha256(&[public_key]).get(..16).unwrap_or_default())
}

/// The workstation's signing key.
#[derive(Debug)]
pub struct DeviceKey {
    pair: Ed25519KeyPair,
    public: PublicKey,
    log: String,
}

impl DeviceKey {
    /// A new key, and its PKCS#8 bytes to seal in the store.
    pub fn generate() -> Result<(Self, zeroize::Zeroizing<Vec<u8>>)> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|_| Error::Random)?;
        let bytes = zeroize::Zeroizing::new(pkcs8.as_ref().to_vec());
        Ok((Self::from_pkcs8(&bytes)?, bytes))
    }

    pub fn from_pkcs8(bytes: &[u8]) -> Result<Self> {
        let damaged = || Error::Damaged { what: "the workstation's signing key".into() };
        let pair = Ed25519KeyPair::from_pkcs8(bytes).map_err(|_| damaged())?;
        let public = PublicKey::from_raw(pair.public_key().as_ref()).ok_or_else(damaged)?;
        let log = log_id(public.as_bytes());
        Ok(Self { pair, public, log })
    }

    pub fn log_id(&self) -> &str {
        &self.log
    }

    /// The public key, as checkers hold it.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs the checkpoint for a log of `size` entries whose last line hashes to `head`,
    /// with the workstation's key (as logs from before people signed their own).
    pub fn checkpoint(&self, size: u64, head: &str) -> Checkpoint {
        signed_checkpoint(&self.pair, &self.log, size, head, None)
    }

    /// Certifies `key` as `name`'s log key: the signer line bundles carry.
    pub fn certify(&self, name: &str, key: &PublicKey) -> SignerLine {
        let key = key.base64();
        let cert = self.pair.sign(SignerLine::message(&self.log, name, &key).as_bytes());
        SignerLine {
            t: "signer".into(),
            log: self.log.clone(),
            name: name.to_owned(),
            key,
            cert: BASE64.encode(cert.as_ref()),
        }
    }

    /// The bundle's first line.
    pub fn header_line(&self) -> String {
        header_line(&self.public)
    }
}

/// The first line of a bundle of the log whose workstation key is `public`.
pub fn header_line(public: &PublicKey) -> String {
    let header = Header {
        t: "header".into(),
        format: BUNDLE_FORMAT.into(),
        log: log_id(public.as_bytes()),
        public_key: public.base64(),
        public_key_pem: public.pem(),
    };
    serde_json::to_string(&header).unwrap_or_default()
}

/// Where a new entry goes: its log, number and the hash of the entry before it.
#[derive(Debug, Clone, Copy)]
pub struct Position<'a> {
    pub log: &'a str,
    pub seq: u64,
    pub prev: &'a str,
}

/// Who makes an entry, and when.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub actor: &'a str,
    pub role: &'a str,
    pub time: DateTime<Utc>,
}

/// Makes the line of a new entry at `at`, written by `by`.
pub fn entry_line(
    at: Position<'_>,
    by: Author<'_>,
    incident: Option<&str>,
    kind: &str,
    payload: &serde_json::Value,
    corrects: Option<u64>,
) -> Result<String> {
    let time = by.time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let entry = EntryLine {
        t: "entry",
        log: at.log,
        seq: at.seq,
        prev: at.prev,
        time: &time,
        actor: by.actor,
        role: by.role,
        incident,
        kind,
        payload,
        corrects,
    };
    serde_json::to_string(&entry)
        .map_err(|e| Error::Invalid { what: "log entry", reason: e.to_string() })
}

/// An [`Entry`] with borrowed fields, for writing a line on the append path without first
/// copying every field into owned strings. Same field names in the same order, so its line
/// is byte for byte the line an `Entry` gives (a test holds them together).
#[derive(Serialize)]
struct EntryLine<'a> {
    t: &'static str,
    log: &'a str,
    seq: u64,
    prev: &'a str,
    time: &'a str,
    actor: &'a str,
    role: &'a str,
    incident: Option<&'a str>,
    kind: &'a str,
    payload: &'a serde_json::Value,
    corrects: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::verify::SIGNATURE_BATCH;
    use super::*;

    fn at(time: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(time).unwrap().to_utc()
    }

    /// A line as a test writes it: (log, seq, prev), actor, incident, kind, payload.
    fn line(
        (log, seq, prev): (&str, u64, &str),
        actor: &str,
        incident: Option<&str>,
        kind: &str,
        payload: &serde_json::Value,
        corrects: Option<u64>,
    ) -> String {
        let by = Author { actor, role: "lead", time: at("2026-11-28T06:00:00.250Z") };
        entry_line(Position { log, seq, prev }, by, incident, kind, payload, corrects).unwrap()
    }

    #[test]
    fn an_entry_line_is_the_line_of_its_entry() {
        // The append path writes lines from borrowed fields (`EntryLine`); readers parse
        // `Entry`. Both must give the same bytes, or re-checking a line would differ.
        let payload = serde_json::json!({ "text": "tab\t \"quote\" é \u{1F600} </script>", "n": [1, 2.5, null] });
        for (incident, corrects) in [(None, None), (Some("inc-1"), Some(3)), (Some(""), Some(0))] {
            let line = line(
                ("0123456789abcdef0123456789abcdef", 7, GENESIS),
                "Zoë \"Z\" O'Neil",
                incident,
                "note\n",
                &payload,
                corrects,
            );
            let entry: Entry = serde_json::from_str(&line).unwrap();
            assert_eq!(entry.time, "2026-11-28T06:00:00.250Z");
            assert_eq!(serde_json::to_string(&entry).unwrap(), line);
            assert_eq!(entry.incident.as_deref(), incident);
            assert_eq!((entry.corrects, entry.payload), (corrects, payload.clone()));
        }
    }

    fn bundle(n: u64) -> (DeviceKey, Vec<String>) {
        let (key, _) = DeviceKey::generate().unwrap();
        let mut lines = vec![key.header_line()];
        let mut head = GENESIS.to_owned();
        for seq in 1..=n {
            let payload = serde_json::json!({"text": format!("note {seq}")});
            let line =
                line((key.log_id(), seq, &head), "Ada", Some("inc-1"), "note", &payload, None);
            head = line_hash(&line);
            lines.push(line);
            lines.push(serde_json::to_string(&key.checkpoint(seq, &head)).unwrap());
        }
        (key, lines)
    }

    fn check(lines: &[String]) -> Result<Verified> {
        verify_bundle(std::io::Cursor::new(lines.join("\n")), None)
    }

    #[test]
    fn a_whole_bundle_verifies() {
        let (_, lines) = bundle(5);
        let v = check(&lines).unwrap();
        assert_eq!((v.entries, v.checkpoints), (5, 5));
    }

    /// Editing, deleting, reordering, inserting and truncating: each named.
    #[test]
    fn every_kind_of_tampering_is_named() {
        let (_, lines) = bundle(5);
        // lines: 0 header, 1 e1, 2 c1, 3 e2, 4 c2, 5 e3, 6 c3, 7 e4, 8 c4, 9 e5, 10 c5
        let edited = {
            let mut l = lines.clone();
            l[5] = l[5].replace("note 3", "note X");
            l
        };
        let deleted = {
            let mut l = lines.clone();
            l.drain(5..7);
            l
        };
        let reordered = {
            let mut l = lines.clone();
            l.swap(5, 7);
            l
        };
        let inserted = {
            let mut l = lines.clone();
            l.insert(5, l[3].clone());
            l
        };
        let truncated = lines[..10].to_vec();
        let bad_signature = {
            let mut l = lines.clone();
            let mut cp: Checkpoint = serde_json::from_str(&l[6]).unwrap();
            cp.sig = BASE64.encode(&[0u8; 64]);
            l[6] = serde_json::to_string(&cp).unwrap();
            l
        };
        let cases: [(&str, Vec<String>, &str); 6] = [
            ("edited", edited, "line 7: the checkpoint for 3 entries does not match entry 3"),
            ("deleted", deleted, "line 6: entry 4 follows entry 2"),
            ("reordered", reordered, "line 6: entry 4 follows entry 2"),
            ("inserted", inserted, "line 6: entry 2 follows entry 2"),
            ("truncated", truncated, "entries 5 to 5 are not covered by a signed checkpoint"),
            (
                "bad signature",
                bad_signature,
                "line 7: the signature of the checkpoint at entry 3 fails",
            ),
        ];
        for (what, lines, want) in cases {
            let err = check(&lines).unwrap_err();
            assert_eq!(err.code(), "log_broken", "{what}");
            assert!(err.to_string().contains(want), "{what}: {err}");
        }
    }

    #[test]
    fn an_edit_that_recomputes_the_chain_still_fails_the_signature() {
        let (key, lines) = bundle(3);
        let (forger, _) = DeviceKey::generate().unwrap();
        // Rewrite entry 2 and re-chain and re-sign everything after it with another key.
        let mut forged = vec![lines[0].clone(), lines[1].clone(), lines[2].clone()];
        let mut head = line_hash(&lines[1]);
        for seq in 2..=3 {
            let payload = serde_json::json!({});
            let line =
                line((key.log_id(), seq, &head), "Mallory", Some("inc-1"), "note", &payload, None);
            head = line_hash(&line);
            forged.push(line);
            let mut cp = forger.checkpoint(seq, &head);
            cp.log = key.log_id().to_owned();
            forged.push(serde_json::to_string(&cp).unwrap());
        }
        let err = check(&forged).unwrap_err();
        assert!(
            err.to_string().contains("the signature of the checkpoint at entry 2 fails"),
            "{err}"
        );
    }

    /// A bundle signed by another key (re-signed whole, as `tests/it/log.rs` does to a real
    /// export, or another workstation's) verifies on its own, naming its signer as
    /// unchecked; against the trusted key it fails, naming both keys.
    #[test]
    fn a_bundle_signed_by_another_key_fails_against_the_trusted_key() {
        let (key, lines) = bundle(4);
        let (forger, forged) = bundle(4);
        let v = check(&forged).unwrap();
        assert_eq!((v.entries, v.signer, v.signer_checked), (4, *forger.public(), false));
        let against =
            |lines: &[String]| verify_bundle(lines.join("\n").as_bytes(), Some(key.public()));
        assert!(against(&lines).unwrap().signer_checked);
        let err = against(&forged).unwrap_err();
        assert_eq!(err.code(), "log_signer_mismatch");
        let both = format!(
            "fingerprint {}, not by the trusted key {}",
            forger.public().fingerprint(),
            key.public().fingerprint()
        );
        assert!(err.to_string().contains(&both), "{err}");
    }

    /// openssl checks with the header's PEM copy of the key: a PEM of another key is refused.
    #[test]
    fn a_header_whose_pem_is_another_key_fails() {
        let (_, mut lines) = bundle(2);
        let (other, _) = DeviceKey::generate().unwrap();
        let mut header: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        header["public_key_pem"] = other.public().pem().into();
        lines[0] = header.to_string();
        let err = check(&lines).unwrap_err();
        let want = "line 1: `public_key_pem` is not the same key as `public_key`";
        assert!(err.to_string().contains(want), "{err}");
    }

    fn verify_lines(lines: &[String]) -> Result<Verified> {
        verify_bundle(lines.join("\n").as_bytes(), None)
    }

    /// Signatures are checked in batches on another thread: the failure reported is still
    /// the earliest line's, in any batch, before or after a later break of the chain.
    #[test]
    fn the_earliest_failure_is_named_across_signature_batches() {
        let n = 3 * SIGNATURE_BATCH as u64 + 17;
        let (_, good) = bundle(n);
        assert_eq!(verify_lines(&good).unwrap().entries, n);
        // The checkpoint of entry k is on line 2k + 1 (1-based), its entry on line 2k.
        let bad_sig = |lines: &mut Vec<String>, k: usize| {
            let cp = &mut lines[2 * k];
            let at = cp.find("\"sig\":\"").unwrap() + 7;
            let flipped = if &cp[at..at + 1] == "A" { "B" } else { "A" };
            cp.replace_range(at..at + 1, flipped);
        };
        for k in [1, SIGNATURE_BATCH - 1, SIGNATURE_BATCH + 3, 2 * SIGNATURE_BATCH + 1, n as usize]
        {
            let mut lines = good.clone();
            bad_sig(&mut lines, k);
            let e = verify_lines(&lines).unwrap_err().to_string();
            assert!(
                e.contains(&format!("line {}", 2 * k + 1))
                    && e.contains(&format!("entry {k} fails")),
                "k = {k}: {e}"
            );
        }
        // A bad signature early, and a broken chain much later: the signature is named.
        let mut lines = good.clone();
        bad_sig(&mut lines, 5);
        lines.remove(2 * (3 * SIGNATURE_BATCH) - 1);
        let e = verify_lines(&lines).unwrap_err().to_string();
        assert!(e.contains("entry 5 fails"), "{e}");
        // The chain broken first: the break is named.
        let mut lines = good;
        bad_sig(&mut lines, 2 * SIGNATURE_BATCH);
        lines.remove(2 * 7 - 1);
        let e = verify_lines(&lines).unwrap_err().to_string();
        assert!(e.contains("line 14: the checkpoint for 7 entries does not match entry 6"), "{e}");
    }

    /// A bundle as workstations write them now: entries by `actors` in turn (one each, or
    /// one name per entry), a checkpoint by the writer's own key after each entry whose
    /// number `signed_at` says, and signer lines for every name.
    fn paced(actors: &[&str], signed_at: impl Fn(u64) -> bool) -> Vec<String> {
        let (device, _) = DeviceKey::generate().unwrap();
        let mut lines = vec![device.header_line()];
        let mut keys = std::collections::HashMap::new();
        for name in actors {
            if keys.contains_key(name) {
                continue;
            }
            let seed = crate::crypto::SecretKey::generate().unwrap();
            let person = LogSigner::from_seed(&seed, device.log_id()).unwrap();
            lines.push(serde_json::to_string(&device.certify(name, person.public())).unwrap());
            keys.insert(*name, person);
        }
        let mut head = GENESIS.to_owned();
        for (i, actor) in actors.iter().enumerate() {
            let seq = i as u64 + 1;
            let payload = serde_json::json!({"text": format!("note {seq}")});
            let line = line((device.log_id(), seq, &head), actor, None, "note", &payload, None);
            head = line_hash(&line);
            lines.push(line);
            if signed_at(seq) || seq == actors.len() as u64 {
                lines.push(serde_json::to_string(&keys[actor].checkpoint(seq, &head)).unwrap());
            }
        }
        lines
    }

    /// Checkpoints every 64 entries: editing, deleting, swapping, inserting and truncating,
    /// each inside a signed stretch (before the last checkpoint) and after the last
    /// checkpoint but one (the bundle's last stretch), are each named at the first line
    /// that shows it.
    #[test]
    fn tampering_is_named_before_and_after_the_last_checkpoint() {
        let good = paced(&["Ada"; 150], |seq| seq % 64 == 0);
        let v = verify_lines(&good).unwrap();
        assert_eq!((v.entries, v.checkpoints), (150, 3));
        // Lines: 0 header, 1 signer; entry k at line k + 1 (+1 after checkpoint 64, +2
        // after 128) as indexes.
        let index = |k: usize| k + 1 + usize::from(k > 64) + usize::from(k > 128);
        let edit = |k: usize| {
            let mut l = good.clone();
            l[index(k)] = l[index(k)].replace(&format!("note {k}\""), "note X\"");
            l
        };
        let delete = |k: usize| {
            let mut l = good.clone();
            l.remove(index(k));
            l
        };
        let swap = |k: usize| {
            let mut l = good.clone();
            l.swap(index(k), index(k + 1));
            l
        };
        let insert = |k: usize| {
            let mut l = good.clone();
            let copy = l[index(k)].clone();
            l.insert(index(k), copy);
            l
        };
        let cut = |k: usize| good[..=index(k)].to_vec();
        // (what, bundle, the line (1-based) and words named).
        let cases: Vec<(&str, Vec<String>, String)> = vec![
            ("edit before", edit(30), "line 33: entry 31 does not follow on from entry 30".into()),
            (
                "edit at a checkpoint",
                edit(64),
                "line 67: the checkpoint for 64 entries does not match entry 64".into(),
            ),
            (
                "edit after",
                edit(140),
                "line 145: entry 141 does not follow on from entry 140".into(),
            ),
            (
                "edit the last",
                edit(150),
                "line 155: the checkpoint for 150 entries does not match entry 150".into(),
            ),
            ("delete before", delete(30), "line 32: entry 31 follows entry 29".into()),
            ("delete after", delete(140), "line 144: entry 141 follows entry 139".into()),
            ("swap before", swap(30), "line 32: entry 31 follows entry 29".into()),
            ("swap after", swap(140), "line 144: entry 141 follows entry 139".into()),
            ("insert before", insert(30), "line 33: entry 30 follows entry 30".into()),
            ("insert after", insert(140), "line 145: entry 140 follows entry 140".into()),
            (
                "cut before",
                cut(30),
                "entries 1 to 30 are not covered by a signed checkpoint".into(),
            ),
            (
                "cut after",
                cut(140),
                "entries 129 to 140 are not covered by a signed checkpoint".into(),
            ),
        ];
        for (what, lines, want) in cases {
            let err = verify_lines(&lines).unwrap_err();
            assert_eq!(err.code(), "log_broken", "{what}");
            assert!(err.to_string().contains(&want), "{what}: {err}");
        }
    }

    /// An `entries_unsigned` entry lets its writer's checkpoint cover the entries before it
    /// since the last checkpoint, in anyone's name, counted and listed; one that does not
    /// reach back to the last checkpoint, or does not end just before itself, declares
    /// nothing, and the entries it meant are in another's name.
    #[test]
    fn a_declaration_covers_the_stretch_before_it_and_nothing_else() {
        let ok = declared_bundle(2, 3);
        let v = verify_lines(&ok).unwrap();
        assert_eq!((v.entries, v.declared), (5, 2));
        assert_eq!(v.declarations, [Declaration { at: 4, by: "Cora".into(), from: 2, to: 3 }]);
        for (from, to) in [(3, 3), (2, 2), (0, 3)] {
            let err = verify_lines(&declared_bundle(from, to)).unwrap_err().to_string();
            assert!(
                err.contains("entry 2 is in the name of Lena, but the checkpoint that covers it (line 10) is signed by the key of Cora"),
                "{from}..{to}: {err}"
            );
        }
    }

    /// Lena writes 1 to 3 (signed at 1), Cora declares `from`..`to` at 4 and writes 5, and
    /// signs at 5.
    fn declared_bundle(from: u64, to: u64) -> Vec<String> {
        let (device, _) = DeviceKey::generate().unwrap();
        let key = |_: &str| {
            let seed = crate::crypto::SecretKey::generate().unwrap();
            LogSigner::from_seed(&seed, device.log_id()).unwrap()
        };
        let (lena, cora) = (key("Lena"), key("Cora"));
        let mut lines = vec![device.header_line()];
        for (name, k) in [("Lena", &lena), ("Cora", &cora)] {
            lines.push(serde_json::to_string(&device.certify(name, k.public())).unwrap());
        }
        let mut head = GENESIS.to_owned();
        let declared = serde_json::json!({"from": from, "names": ["Lena"], "to": to});
        let note = serde_json::json!({"text": "a note"});
        let writes = [
            ("Lena", "note", &note),
            ("Lena", "note", &note),
            ("Lena", "note", &note),
            ("Cora", UNSIGNED_KIND, &declared),
            ("Cora", "note", &note),
        ];
        for (i, (actor, kind, payload)) in writes.into_iter().enumerate() {
            let seq = i as u64 + 1;
            let line = line((device.log_id(), seq, &head), actor, None, kind, payload, None);
            head = line_hash(&line);
            lines.push(line);
            match seq {
                1 => lines.push(serde_json::to_string(&lena.checkpoint(seq, &head)).unwrap()),
                5 => lines.push(serde_json::to_string(&cora.checkpoint(seq, &head)).unwrap()),
                _ => {}
            }
        }
        lines
    }

    /// Writes a 100,000-entry bundle to look at or time by hand:
    /// `cargo test --lib log::tests::write_big_bundle -- --ignored`.
    #[test]
    #[ignore = "writes a 60 MB file to the temp folder"]
    fn write_big_bundle() {
        let (_, lines) = bundle(100_000);
        std::fs::write(std::env::temp_dir().join("caregiver-100k.jsonl"), lines.join("\n"))
            .unwrap();
    }
}
