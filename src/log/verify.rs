//! Checking a bundle ([`verify_bundle`]): line by line, in flat memory, its signatures a
//! batch at a time across the cores. Each line is read once into one reused buffer, parsed
//! once into fields that borrow from it (a payload is skipped, not built), and hashed in
//! place: the chain costs about what hashing the file does.

use std::borrow::Cow;
use std::io::BufRead;

use data_encoding::{BASE64, HEXLOWER};
use ring::signature::{ED25519, UnparsedPublicKey};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    BUNDLE_FORMAT, Checkpoint, EMERGENCY_ACTOR, Entry, GENESIS, Header, PublicKey, SignerLine,
    UNSIGNED_KIND, log_id,
};
use crate::{Error, Result};

/// Why a log does not verify, naming the entry or line.
fn broken(line: usize, what: impl Into<String>) -> Error {
    Error::LogBroken { reason: format!("line {line}: {}", what.into()) }
}

/// What a verified bundle held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub log: String,
    pub entries: u64,
    pub checkpoints: u64,
    pub head: String,
    /// The workstation's key (the header's): it signs the checkpoints of logs from before
    /// people signed their own, and certifies each person's key.
    pub signer: PublicKey,
    /// Whether `signer` was checked against a key the checker trusts. Without that check,
    /// a bundle only proves it is whole as signed by `signer`: anyone can re-sign one.
    pub signer_checked: bool,
    /// How many people's keys the workstation's key certified in the bundle (its signer
    /// lines).
    pub people: u64,
    /// How many entries were declared unsigned (`entries_unsigned`): found waiting for a
    /// checkpoint after their session ended without signing one, and covered by the
    /// declaring person's checkpoint instead of their author's.
    pub declared: u64,
    /// The declarations, in order (the first [`DECLARATIONS_LISTED`]).
    pub declarations: Vec<Declaration>,
    /// An incident's bundle: how many entries were elided (another incident's, kept only
    /// as their place in the chain), and how many records it carries, each matching the
    /// SHA-256 its entry vouches for.
    pub elided: u64,
    pub records: u64,
    /// A segment (`docs/fleet.md`): the entries before its first, vouched for by the signed
    /// checkpoint it opens with (0 for a bundle that starts at the log's first entry).
    pub from: u64,
    /// The head its opening checkpoint signed (the hash of entry `from`; zeros for 0).
    pub from_head: String,
}

/// An `entries_unsigned` entry the check accepted: entries `from` to `to` are covered by
/// the checkpoint of `by`, who declared them at entry `at`, not by their authors'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub at: u64,
    pub by: String,
    pub from: u64,
    pub to: u64,
}

/// How many declarations a [`Verified`] lists (all are counted): memory stays flat.
pub const DECLARATIONS_LISTED: usize = 20;

/// Checks a bundle while reading it: the header's key (against `trusted`, when the checker
/// holds a trusted copy), each signer line's certificate by that key, every entry's
/// sequence and `prev`, every checkpoint's size, head and signature (by the person its
/// `by` names, or by the workstation's key when it names none), that every entry a
/// person's checkpoint covers is in that person's name (or emergency access's), and that
/// the last entry is covered by a checkpoint. The first problem is named by line and
/// entry; a signer other than `trusted` is named by both fingerprints.
pub fn verify_bundle(mut reader: impl BufRead, trusted: Option<&PublicKey>) -> Result<Verified> {
    let mut buf = Vec::with_capacity(1024);
    if !next_line(&mut reader, &mut buf, 1)? {
        return Err(broken(1, "the bundle is empty"));
    }
    let first = text(&buf, 1)?;
    let header: Header = serde_json::from_str(first)
        .map_err(|_| broken(1, "not a Caregiver Playbook log bundle header"))?;
    if header.t != "header" || header.format != BUNDLE_FORMAT {
        return Err(broken(1, format!("unknown bundle format `{}`", header.format)));
    }
    let signer = BASE64
        .decode(header.public_key.as_bytes())
        .ok()
        .and_then(|raw| PublicKey::from_raw(&raw))
        .ok_or_else(|| broken(1, "the public key is not a base64 Ed25519 public key"))?;
    if log_id(signer.as_bytes()) != header.log {
        return Err(broken(1, "the log id does not belong to this public key"));
    }
    // openssl checks with the PEM copy: it must be the same key.
    if PublicKey::parse(&header.public_key_pem).ok() != Some(signer) {
        return Err(broken(1, "`public_key_pem` is not the same key as `public_key`"));
    }
    if let Some(trusted) = trusted
        && *trusted != signer
    {
        return Err(Error::SignerMismatch {
            signer: signer.fingerprint(),
            trusted: trusted.fingerprint(),
        });
    }
    let mut chain = Chain::new(header.log, &signer);
    // Checking the signatures is nine tenths of the work: they are checked a batch at a
    // time, the batch split across the machine's cores. At most one batch is held, so
    // memory stays flat; the failure named is the earliest line's.
    let mut batch: Vec<PendingSignature> = Vec::with_capacity(SIGNATURE_BATCH);
    let mut checkpoints = 0u64;
    let mut signed_up_to = 0u64;
    let mut n = 1;
    loop {
        n += 1;
        let line = match next_line(&mut reader, &mut buf, n) {
            Ok(true) => text(&buf, n),
            Ok(false) => break,
            Err(e) => Err(e),
        };
        match line.and_then(|line| chain.read_line(n, line)) {
            Ok(None) => {}
            Ok(Some(p)) => {
                checkpoints += 1;
                signed_up_to = p.size;
                batch.push(p);
                if batch.len() >= SIGNATURE_BATCH {
                    check_signatures(&chain.keys, &batch)?;
                    batch.clear();
                }
            }
            // An earlier signature failure wins over this line's problem.
            Err(e) => return check_signatures(&chain.keys, &batch).and(Err(e)),
        }
    }
    check_signatures(&chain.keys, &batch)?;
    let seq = chain.seq;
    if signed_up_to != seq {
        return Err(Error::LogBroken {
            reason: format!(
                "entries {} to {seq} are not covered by a signed checkpoint: the bundle was cut \
                 short, or its end was changed",
                signed_up_to + 1
            ),
        });
    }
    Ok(Verified {
        people: chain.signers.len() as u64,
        declared: chain.declared,
        declarations: chain.declarations,
        log: chain.log,
        entries: seq,
        checkpoints,
        head: chain.head,
        signer,
        signer_checked: trusted.is_some(),
        elided: chain.elided,
        records: chain.records,
        from: chain.from,
        from_head: chain.from_head,
    })
}

/// Reads the next line into `buf` (without its `\n` or `\r\n`): false at the end.
fn next_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, n: usize) -> Result<bool> {
    buf.clear();
    let read = reader.read_until(b'\n', buf).map_err(|e| broken(n, format!("cannot read: {e}")))?;
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(read > 0)
}

/// A line as text: a bundle is UTF-8.
fn text(buf: &[u8], n: usize) -> Result<&str> {
    std::str::from_utf8(buf)
        .map_err(|_| broken(n, "not UTF-8 text: this is not a bundle, or it is damaged"))
}

/// An entry line as the check reads it: the fields the chain and the names need borrowed
/// from the line, the rest checked for their type and skipped (the payload is JSON of any
/// shape; it is read only for an `entries_unsigned` declaration).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFields<'a> {
    #[serde(borrow)]
    t: Cow<'a, str>,
    #[serde(borrow)]
    log: Cow<'a, str>,
    seq: u64,
    #[serde(borrow)]
    prev: Cow<'a, str>,
    #[serde(borrow)]
    #[allow(dead_code)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    #[allow(dead_code)]
    role: Cow<'a, str>,
    #[serde(borrow)]
    #[allow(dead_code)]
    incident: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[allow(dead_code)]
    payload: IgnoredAny,
    #[allow(dead_code)]
    corrects: Option<u64>,
}

/// The payload of an `entries_unsigned` declaration.
#[derive(Deserialize)]
struct Declared {
    from: u64,
    to: u64,
}

/// Checks a batch of signatures on every core: the earliest failure, if any. Each pending
/// signature names its key by index in `keys`.
fn check_signatures(
    keys: &[UnparsedPublicKey<[u8; 32]>],
    batch: &[PendingSignature],
) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(8);
    let chunk = batch.len().div_ceil(cores).max(1);
    let first_failure = |part: &[PendingSignature]| {
        part.iter()
            .find(|p| {
                keys.get(p.key).is_none_or(|key| key.verify(p.message.as_bytes(), &p.sig).is_err())
            })
            .map(|p| {
                broken(p.line, format!("the signature of the checkpoint at entry {} fails", p.size))
            })
    };
    let failures: Vec<Option<Error>> = std::thread::scope(|scope| {
        let mut parts = batch.chunks(chunk);
        let mine = parts.next();
        let others: Vec<_> = parts.map(|part| scope.spawn(move || first_failure(part))).collect();
        let mut out = vec![mine.and_then(first_failure)];
        out.extend(others.into_iter().map(|h| {
            h.join().unwrap_or_else(|_| {
                Some(Error::LogBroken { reason: "the signature check stopped".into() })
            })
        }));
        out
    });
    // Chunks are in line order: the first failure found is the earliest.
    failures.into_iter().flatten().next().map_or(Ok(()), Err)
}

/// How many checkpoint signatures are checked together.
pub(super) const SIGNATURE_BATCH: usize = 4096;

/// A checkpoint whose signature is still to be checked.
struct PendingSignature {
    line: usize,
    size: u64,
    /// The key that must have signed it: an index in [`Chain::keys`].
    key: usize,
    message: String,
    sig: Vec<u8>,
}

/// An entry in a person's name that the next checkpoint must be signed by that person.
struct Named {
    line: usize,
    seq: u64,
    actor: String,
}

/// What a bundle's lines have established so far.
struct Chain {
    log: String,
    seq: u64,
    /// The hash of entry `seq`'s line, hex.
    head: String,
    /// The first entry after the last checkpoint.
    span_start: u64,
    /// Entries declared unsigned so far, and the first declarations.
    declared: u64,
    declarations: Vec<Declaration>,
    /// The keys checkpoints are signed with: the workstation's first, then each person's.
    keys: Vec<UnparsedPublicKey<[u8; 32]>>,
    /// Each certified person's key by fingerprint: (index in `keys`, name).
    signers: std::collections::HashMap<String, (usize, String)>,
    /// Since the last checkpoint: the first entry in a person's name, and the first after
    /// it in another name (the earliest entry the next checkpoint's signer can disown,
    /// whoever that is, in constant memory).
    first: Option<Named>,
    other: Option<Named>,
    /// Elided entries and attached records so far, and the records the entries vouch for
    /// that no `record` line has carried yet: (entry, SHA-256).
    elided: u64,
    records: u64,
    vouched: Vec<(u64, String)>,
    /// A segment's start: the size of the signed checkpoint it opens with, before any
    /// entry; and whether an entry (or an elided one) has been read yet.
    from: u64,
    from_head: String,
    started: bool,
}

impl Chain {
    fn new(log: String, device: &PublicKey) -> Self {
        Self {
            log,
            seq: 0,
            head: GENESIS.to_owned(),
            span_start: 1,
            declared: 0,
            declarations: Vec::new(),
            keys: vec![UnparsedPublicKey::new(&ED25519, *device.as_bytes())],
            signers: std::collections::HashMap::new(),
            first: None,
            other: None,
            elided: 0,
            records: 0,
            vouched: Vec::new(),
            from: 0,
            from_head: GENESIS.to_owned(),
            started: false,
        }
    }

    /// Reads one line of a bundle after the header: a signer (its certificate checked
    /// now), an entry (checked against the chain) or a checkpoint (checked against the
    /// chain and the names of the entries it covers; its signature is returned to check
    /// later).
    fn read_line(&mut self, n: usize, line: &str) -> Result<Option<PendingSignature>> {
        if line.is_empty() {
            return Ok(None);
        }
        if line.starts_with("{\"t\":\"entry\"") {
            self.started = true;
            self.read_entry(n, line)?;
            return Ok(None);
        }
        if line.starts_with("{\"t\":\"signer\"") {
            self.read_signer(n, line)?;
            return Ok(None);
        }
        if line.starts_with("{\"t\":\"elided\"") {
            self.started = true;
            self.read_elided(n, line)?;
            return Ok(None);
        }
        if line.starts_with("{\"t\":\"record\"") {
            self.read_record(n, line)?;
            return Ok(None);
        }
        let cp: Checkpoint = serde_json::from_str(line).map_err(|_| {
            broken(n, "neither an entry nor a checkpoint (the file was cut short, or damaged)")
        })?;
        if cp.t != "checkpoint" || cp.log != self.log {
            return Err(broken(n, "a checkpoint of another log"));
        }
        // A segment opens with the signed checkpoint of the entries before it: the chain
        // goes on from its head (its signature checked like any other).
        if !self.started && self.seq == 0 && cp.size > 0 {
            (self.seq, self.head, self.from) = (cp.size, cp.head.clone(), cp.size);
            self.from_head.clone_from(&cp.head);
        }
        self.started = true;
        if cp.size != self.seq || cp.head != self.head {
            return Err(broken(
                n,
                format!(
                    "the checkpoint for {} entries does not match entry {}: the entries before it were changed",
                    cp.size, self.seq
                ),
            ));
        }
        let key = match &cp.by {
            // The workstation's key (logs from before people signed their own).
            None => 0,
            Some(by) => {
                let (key, name) = self.signers.get(by).ok_or_else(|| {
                    broken(
                        n,
                        format!(
                            "the checkpoint at entry {} is signed by the key {by}, which no signer line of the bundle certifies",
                            cp.size
                        ),
                    )
                })?;
                for named in [&self.first, &self.other].into_iter().flatten() {
                    if named.actor != *name {
                        return Err(broken(
                            named.line,
                            format!(
                                "entry {} is in the name of {}, but the checkpoint that covers it (line {n}) is signed by the key of {name}: an entry written in another's name",
                                named.seq, named.actor
                            ),
                        ));
                    }
                }
                *key
            }
        };
        (self.first, self.other) = (None, None);
        self.span_start = self.seq + 1;
        let sig = BASE64
            .decode(cp.sig.as_bytes())
            .map_err(|_| broken(n, "the checkpoint's signature is not base64"))?;
        Ok(Some(PendingSignature {
            line: n,
            size: cp.size,
            key,
            message: Checkpoint::message(&cp.log, cp.size, &cp.head),
            sig,
        }))
    }

    fn read_entry(&mut self, n: usize, line: &str) -> Result<()> {
        let cannot =
            || broken(n, "an entry that cannot be read (the file was cut short, or damaged)");
        let entry: EntryFields<'_> = serde_json::from_str(line).map_err(|_| cannot())?;
        let seq = self.seq;
        if entry.t != "entry" {
            return Err(cannot());
        }
        if entry.log != self.log {
            return Err(broken(n, format!("entry {} belongs to another log", entry.seq)));
        }
        if entry.seq != seq + 1 {
            return Err(broken(
                n,
                format!(
                    "entry {} follows entry {seq}: an entry is missing, inserted or out of order",
                    entry.seq
                ),
            ));
        }
        if entry.prev != self.head {
            return Err(broken(
                n,
                format!(
                    "entry {} does not follow on from entry {seq}: an entry was changed, removed or inserted",
                    entry.seq
                ),
            ));
        }
        self.seq = entry.seq;
        if line.contains("\"record\":")
            && let Some(digest) = serde_json::from_str::<Entry>(line)
                .ok()
                .and_then(|e| super::scoped::vouched(&e.payload).map(str::to_owned))
        {
            self.vouched.push((entry.seq, digest));
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, line.as_bytes());
        self.head.clear();
        HEXLOWER.encode_append(digest.as_ref(), &mut self.head);
        if entry.actor == EMERGENCY_ACTOR {
            return Ok(());
        }
        if entry.kind == UNSIGNED_KIND && self.declares_the_span(line, entry.seq, &entry.actor) {
            // The entries before it, since the last checkpoint, are covered as declared:
            // the names the next checkpoint answers for start again here.
            (self.first, self.other) = (None, None);
        }
        match &self.first {
            None => {
                self.first = Some(Named { line: n, seq: entry.seq, actor: entry.actor.into() });
            }
            Some(first) if self.other.is_none() && first.actor != entry.actor => {
                self.other = Some(Named { line: n, seq: entry.seq, actor: entry.actor.into() });
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Whether the `entries_unsigned` entry `seq` (its line) declares every entry since the
    /// last checkpoint: its range ends just before it and starts no later than the span.
    /// One that does not declares nothing (its entries must then be signed as any are).
    fn declares_the_span(&mut self, line: &str, seq: u64, by: &str) -> bool {
        let Some(declared) = serde_json::from_str::<Entry>(line)
            .ok()
            .and_then(|e| serde_json::from_value::<Declared>(e.payload).ok())
        else {
            return false;
        };
        let whole =
            declared.to + 1 == seq && declared.from <= self.span_start && declared.from >= 1;
        if whole {
            let from = declared.from.max(self.span_start);
            self.declared += declared.to + 1 - from;
            if self.declarations.len() < DECLARATIONS_LISTED {
                let by = by.to_owned();
                self.declarations.push(Declaration { at: seq, by, from, to: declared.to });
            }
        }
        whole
    }

    /// An entry of an incident's bundle left out: it takes its place in the chain, its
    /// line's SHA-256 the head the next entry follows.
    fn read_elided(&mut self, n: usize, line: &str) -> Result<()> {
        let e: super::scoped::Elided = serde_json::from_str(line).map_err(|_| {
            broken(n, "an elided entry that cannot be read (the file was cut short, or damaged)")
        })?;
        if e.log != self.log {
            return Err(broken(n, format!("elided entry {} belongs to another log", e.seq)));
        }
        if e.seq != self.seq + 1 || e.prev != self.head {
            return Err(broken(
                n,
                format!(
                    "elided entry {} does not follow on from entry {}: an entry was changed, removed or inserted",
                    e.seq, self.seq
                ),
            ));
        }
        let hex = e.sha256.len() == 64
            && e.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err(broken(n, format!("elided entry {} has no SHA-256", e.seq)));
        }
        (self.seq, self.head) = (e.seq, e.sha256);
        self.elided += 1;
        Ok(())
    }

    /// A record attached to an entry of the bundle: its JSON must hash to what the entry
    /// vouches for.
    fn read_record(&mut self, n: usize, line: &str) -> Result<()> {
        let r: super::scoped::Attached = serde_json::from_str(line).map_err(|_| {
            broken(n, "a record line that cannot be read (the file was cut short, or damaged)")
        })?;
        if r.log != self.log {
            return Err(broken(n, "a record of another log"));
        }
        let Some(at) = self.vouched.iter().position(|(seq, _)| *seq == r.entry) else {
            return Err(broken(
                n,
                format!("no entry before it vouches for a record at entry {}", r.entry),
            ));
        };
        let (_, digest) = self.vouched.swap_remove(at);
        if super::line_hash(&r.json) != digest {
            return Err(broken(
                n,
                format!(
                    "the {} record does not match the SHA-256 entry {} vouches for: it was changed",
                    r.kind, r.entry
                ),
            ));
        }
        self.records += 1;
        Ok(())
    }

    /// A person's key, certified by the workstation's key: checked now (there are few).
    fn read_signer(&mut self, n: usize, line: &str) -> Result<()> {
        let signer: SignerLine = serde_json::from_str(line).map_err(|_| {
            broken(n, "a signer line that cannot be read (the file was cut short, or damaged)")
        })?;
        if signer.log != self.log {
            return Err(broken(n, "a signer line of another log"));
        }
        let key = BASE64
            .decode(signer.key.as_bytes())
            .ok()
            .and_then(|raw| PublicKey::from_raw(&raw))
            .ok_or_else(|| broken(n, "the signer's key is not a base64 Ed25519 public key"))?;
        let cert = BASE64
            .decode(signer.cert.as_bytes())
            .map_err(|_| broken(n, "the signer's certificate is not base64"))?;
        let message = SignerLine::message(&self.log, &signer.name, &signer.key);
        let device = self.keys.first().ok_or_else(|| broken(1, "no workstation key"))?;
        if device.verify(message.as_bytes(), &cert).is_err() {
            return Err(broken(
                n,
                format!(
                    "the certificate of the key of {} fails: the workstation's key did not make it",
                    signer.name
                ),
            ));
        }
        let fingerprint = key.fingerprint();
        match self.signers.get(&fingerprint) {
            Some((_, name)) if *name == signer.name => {}
            Some(_) => {
                return Err(broken(n, format!("the key {fingerprint} is certified for two names")));
            }
            None => {
                self.keys.push(UnparsedPublicKey::new(&ED25519, *key.as_bytes()));
                self.signers.insert(fingerprint, (self.keys.len() - 1, signer.name));
            }
        }
        Ok(())
    }
}
