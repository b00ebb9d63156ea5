//! Signed playbook packs: an admin signs a folder of playbooks with an Ed25519 key; a
//! workstation that has pinned the matching public key imports the pack only if the
//! signature, every file's SHA-256, the expiry, the version (never lower than the highest
//! imported: the rollback check) and every playbook check out. Nothing is half-imported.
//!
//! A pack is one JSON file:
//!
//! ```text
//! { "manifest": "<the manifest JSON, exactly the bytes that were signed>",
//!   "signature": "<base64 Ed25519 signature of those bytes>",
//!   "files": { "ransomware.toml": "<file text>", ... } }
//! ```
//!
//! and the manifest is `{"format": "caregiver-pack/1", "version": N, "created": RFC 3339,
//! "expires": RFC 3339, "files": {"ransomware.toml": "<sha256 hex>", ...}}`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use data_encoding::{BASE64, HEXLOWER};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::playbook::{self, Playbook};
use crate::store::{Kind, Permission, Record, Session, new_record_id};
use crate::{Error, Result};

const FORMAT: &str = "caregiver-pack/1";
const KEY_HEADER: &str = "caregiver-pack-signing-key v1";

/// What a verified pack holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    pub version: u64,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// Set when the pack is imported.
    #[serde(default)]
    pub imported: Option<DateTime<Utc>>,
    pub playbooks: Vec<String>,
}

impl Record for PackInfo {
    const KIND: Kind = Kind::PackInfo;
}

/// A playbook as a pack carries it and the store keeps it (under a random record id: the
/// playbook's own id is inside, sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedPlaybook {
    pub file: String,
    pub text: String,
}

impl Record for PackedPlaybook {
    const KIND: Kind = Kind::Playbook;
}

/// The pinned public key that signs this organisation's packs, base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
struct PackKey(String);

impl Record for PackKey {
    const KIND: Kind = Kind::PackKey;
}

#[derive(Serialize, Deserialize)]
struct PackFile {
    manifest: String,
    signature: String,
    files: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    version: u64,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    files: BTreeMap<String, String>,
}

/// What was being done with a pack when it was refused; the error's message says it, so
/// `pack verify` never says "not imported". The code is `pack_rejected` for every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackStep {
    Sign,
    Verify,
    Trust,
    Import,
}

impl PackStep {
    /// Refused at this step, for `reason`.
    fn refuse(self, reason: impl Into<String>) -> Error {
        Error::PackRejected { step: self, reason: reason.into() }
    }

    /// A refusal from a check this step shares with another (verifying a pack, reading a
    /// public key: verifying), told as this step's; any other error as it is.
    pub fn during(self, e: Error) -> Error {
        match e {
            Error::PackRejected { reason, .. } => self.refuse(reason),
            other => other,
        }
    }
}

impl std::fmt::Display for PackStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PackStep::Sign => "the playbook pack was not signed",
            PackStep::Verify => "the playbook pack does not verify",
            PackStep::Trust => "the pack signing key was not pinned",
            PackStep::Import => "the playbook pack was not imported",
        })
    }
}

/// A pack (or a public key) that does not verify.
fn invalid(reason: impl Into<String>) -> Error {
    PackStep::Verify.refuse(reason)
}

/// Makes a signing key. Returns the key file's text (secret: keep it off the workstations)
/// and the public key to pin, as base64.
pub fn keygen() -> Result<(Zeroizing<String>, String)> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map_err(|_| Error::Random)?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| Error::Random)?;
    let public = BASE64.encode(pair.public_key().as_ref());
    let text = Zeroizing::new(format!("{KEY_HEADER}\n{}\n", BASE64.encode(pkcs8.as_ref())));
    Ok((text, public))
}

fn read_key(text: &str) -> Result<Ed25519KeyPair> {
    let bad = || PackStep::Sign.refuse("the key file is not a Caregiver Playbook signing key");
    let mut lines = text.lines();
    if lines.next() != Some(KEY_HEADER) {
        return Err(bad());
    }
    let der = Zeroizing::new(
        BASE64.decode(lines.next().unwrap_or("").trim().as_bytes()).map_err(|_| bad())?,
    );
    Ed25519KeyPair::from_pkcs8(&der).map_err(|_| bad())
}

/// Reads a public key given as text (base64, or PEM), or as a file holding it.
pub fn read_public_key(text_or_path: &str) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(text_or_path).unwrap_or_else(|_| text_or_path.to_owned());
    let key = crate::log::PublicKey::parse(&text).map_err(|_| {
        invalid(
            "the public key is not an Ed25519 public key as `caregiver pack keygen` prints it (base64, 32 bytes)",
        )
    })?;
    Ok(key.as_bytes().to_vec())
}

/// Signs every `*.toml` file in `dir` into a pack. Each playbook must pass the checker
/// first. `version` must grow with every pack the organisation issues.
pub fn sign(
    dir: &Path,
    key_text: &str,
    version: u64,
    valid_days: u32,
    now: DateTime<Utc>,
) -> Result<String> {
    let pair = read_key(key_text)?;
    let problems = playbook::validate_paths(&[dir]);
    if !problems.is_empty() {
        return Err(Error::PlaybookInvalid { diagnostics: problems });
    }
    let mut files = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(Error::io("read the folder", dir))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == playbook::EXTENSION) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).map_err(Error::io("read", &path))?;
            files.insert(name, text);
        }
    }
    if files.is_empty() {
        let reason = format!("{} holds no playbook (*.toml) files", dir.display());
        return Err(PackStep::Sign.refuse(reason));
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version,
        created: now,
        expires: now + chrono::Duration::days(i64::from(valid_days)),
        files: files.iter().map(|(n, t)| (n.clone(), sha256_hex(t))).collect(),
    };
    let unwritten = |e: serde_json::Error| PackStep::Sign.refuse(e.to_string());
    let manifest = serde_json::to_string_pretty(&manifest).map_err(unwritten)?;
    let signature = BASE64.encode(pair.sign(manifest.as_bytes()).as_ref());
    serde_json::to_string_pretty(&PackFile { manifest, signature, files }).map_err(unwritten)
}

fn sha256_hex(text: &str) -> String {
    HEXLOWER.encode(&crate::crypto::sha256(&[text.as_bytes()]))
}

/// Checks a pack against a public key: signature, file hashes (no file changed, missing or
/// added), expiry, and every playbook. Returns what it holds. A refusal says the pack does
/// not verify; [`import`] tells it as its own.
pub fn verify(
    pack: &str,
    public_key: &[u8],
    now: DateTime<Utc>,
) -> Result<(PackInfo, Vec<PackedPlaybook>)> {
    let pack: PackFile = serde_json::from_str(pack).map_err(|e| {
        invalid(format!("not a Caregiver Playbook pack (line {}, column {})", e.line(), e.column()))
    })?;
    let signature = BASE64
        .decode(pack.signature.as_bytes())
        .map_err(|_| invalid("the signature is not base64"))?;
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(pack.manifest.as_bytes(), &signature)
        .map_err(|_| invalid("the signature does not match this organisation's key: the pack was changed or signed by someone else"))?;
    let manifest: Manifest = serde_json::from_str(&pack.manifest)
        .map_err(|_| invalid("the signed manifest cannot be read"))?;
    if manifest.format != FORMAT {
        return Err(invalid(format!("unknown pack format `{}`", manifest.format)));
    }
    for (name, text) in &pack.files {
        match manifest.files.get(name) {
            None => return Err(invalid(format!("the file {name} is not in the signed manifest"))),
            Some(hash) if *hash != sha256_hex(text) => {
                return Err(invalid(format!(
                    "the file {name} was changed after the pack was signed"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(missing) = manifest.files.keys().find(|n| !pack.files.contains_key(*n)) {
        return Err(invalid(format!("the file {missing} is listed in the manifest but missing")));
    }
    if now > manifest.expires {
        return Err(invalid(format!(
            "the pack expired on {}",
            manifest.expires.format("%Y-%m-%d")
        )));
    }
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in &pack.files {
        match playbook::parse(name, text) {
            Ok(p) => ids.push(p.id),
            Err(d) => problems.extend(d),
        }
    }
    if !problems.is_empty() {
        return Err(Error::PlaybookInvalid { diagnostics: problems });
    }
    let info = PackInfo {
        version: manifest.version,
        created: manifest.created,
        expires: manifest.expires,
        imported: None,
        playbooks: ids,
    };
    let files = pack.files.into_iter().map(|(file, text)| PackedPlaybook { file, text }).collect();
    Ok((info, files))
}

/// Pins the public key that signs this organisation's packs (admins).
pub fn trust(session: &Session, public_key: &[u8]) -> Result<()> {
    session.require(Permission::ManagePacks, "pin the pack signing key")?;
    session.put("pack-key", &PackKey(BASE64.encode(public_key))).map(|_| ())
}

/// The pack in force, if one was imported.
pub fn status(session: &Session) -> Result<Option<PackInfo>> {
    session.get::<PackInfo>("pack")
}

/// Imports a pack (admins): verified against the pinned key, newer than the pack in force,
/// then every playbook sealed in the store in one transaction, replacing the last pack.
pub fn import(session: &Session, pack: &str, now: DateTime<Utc>) -> Result<PackInfo> {
    session.require(Permission::ManagePacks, "import a playbook pack")?;
    let PackKey(key) = session
        .get::<PackKey>("pack-key")?
        .ok_or_else(|| PackStep::Import.refuse("no pack signing key is pinned on this workstation: an admin pins it with `caregiver pack trust`"))?;
    let key = BASE64
        .decode(key.as_bytes())
        .map_err(|_| Error::Damaged { what: "the pinned pack key".into() })?;
    let (mut info, files) = verify(pack, &key, now).map_err(|e| PackStep::Import.during(e))?;
    // The store's state keeps the version too: a pack record deleted or put back from an
    // older copy does not open the way to an older pack.
    let in_force = status(session)?.map(|p| p.version).max(session.pack_version_in_force()?);
    if let Some(current) = in_force
        && info.version <= current
    {
        return Err(PackStep::Import.refuse(format!(
            "pack version {} is not newer than the version in force ({current}): an older pack is never re-imported",
            info.version
        )));
    }
    info.imported = Some(now);
    // Every playbook checks out before anything is written (`verify` parsed them).
    let ids = files.iter().map(|_| new_record_id()).collect::<Result<Vec<_>>>()?;
    session.write(|w| {
        w.require(Permission::ManagePacks, "import a playbook pack")?;
        w.clear::<PackedPlaybook>()?;
        for (id, f) in ids.iter().zip(&files) {
            w.put(id, f)?;
        }
        w.record_pack_version(info.version);
        w.put("pack", &info)
    })?;
    Ok(info)
}

/// The playbooks in force: the embedded pack, with imported playbooks taking precedence
/// (same id replaces, new id adds). Sorted by title.
pub fn in_force(imported: &[PackedPlaybook]) -> Result<Vec<Playbook>> {
    let mut list = playbook::embedded()?;
    for f in imported {
        let p = playbook::parse(&f.file, &f.text)
            .map_err(|d| Error::PlaybookInvalid { diagnostics: d })?;
        match list.iter_mut().find(|q| q.id == p.id) {
            Some(slot) => *slot = p,
            None => list.push(p),
        }
    }
    list.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    Ok(list)
}
