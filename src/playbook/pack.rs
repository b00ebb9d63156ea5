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
//!   "files": { "ransomware.toml": "<file text>", "policies/information-security.md": ..., ... } }
//! ```
//!
//! and the manifest is `{"format": "caregiver-pack/1", "version": N, "created": RFC 3339,
//! "expires": RFC 3339, "files": {"ransomware.toml": "<sha256 hex>", ...}}`.
//!
//! Playbooks are trusted by their signature, never by the key that seals them. The store
//! keeps the pack text exactly as imported ([`SignedPack`], main scope: the truth) and a
//! ward copy of it ([`WardPack`]) with a ward copy of the pinned key, for emergency access;
//! every load ([`load`], [`load_ward`]) verifies the signature and every file's SHA-256
//! again before a playbook is shown. A pack that fails is not in force: the built-in pack
//! is, and the load says why ([`InForce::problem`]).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use data_encoding::{BASE64, HEXLOWER};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::exercise::{self, Package};
use crate::playbook::clockrules::{self, RuleSet, Rules};
use crate::playbook::{self, Playbook};
use crate::policy::{self, Policy};
use crate::store::{EmergencySession, Kind, Permission, Record, Session};
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

/// A playbook as a pack carries it. Versions before packs were kept signed stored each
/// one as a record of its own (sealed under the ward key, which a holder of the emergency
/// code can write): such records are never shown, only counted to tell an admin to import
/// the pack again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedPlaybook {
    pub file: String,
    pub text: String,
}

impl Record for PackedPlaybook {
    const KIND: Kind = Kind::Playbook;
}

/// The pack in force as an admin imported it: the pack file's text exactly as signed
/// (manifest, signature, files), its version and when it was imported. Main scope: what a
/// full session verifies and shows, and the truth the ward copy is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPack {
    pub text: String,
    pub version: u64,
    pub imported: DateTime<Utc>,
}

impl Record for SignedPack {
    const KIND: Kind = Kind::SignedPack;
}

/// The ward's copy of [`SignedPack`], for emergency access: verified at every load against
/// the ward's copy of the pinned key, and rewritten from the truth at a full unlock if it
/// differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WardPack(pub SignedPack);

impl Record for WardPack {
    const KIND: Kind = Kind::WardPack;
}

/// The pinned public key that signs this organisation's packs, base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackKey(pub String);

impl Record for PackKey {
    const KIND: Kind = Kind::PackKey;
}

/// The ward's copy of the pinned key, base64: what emergency access verifies against (it
/// cannot open the main-scope [`PackKey`]). A holder of the emergency code can replace it;
/// a full unlock finds that and rewrites it (ARCHITECTURE.md, "Playbooks and packs").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WardPackKey(pub String);

impl Record for WardPackKey {
    const KIND: Kind = Kind::WardPackKey;
}

/// Record ids of the records there is one of.
pub const PACK_KEY: &str = "pack-key";
pub const SIGNED_PACK: &str = "signed-pack";
pub const WARD_PACK: &str = "ward-pack";
pub const WARD_PACK_KEY: &str = "ward-pack-key";
/// The id versions before packs were kept signed wrote [`PackInfo`] under.
const OLD_PACK_INFO: &str = "pack";

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
    /// Loading the imported pack to show it: a refusal here means the built-in pack is
    /// shown instead.
    Load,
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
            PackStep::Load => {
                "the imported playbook pack is not in force, the built-in pack is shown instead"
            }
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

pub(crate) fn read_key(text: &str) -> Result<Ed25519KeyPair> {
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
    // The written policies, `policies/*.md`, signed with the playbooks.
    let policies = dir.join(policy::PACK_FOLDER);
    let problems =
        if policies.is_dir() { policy::validate_paths(&[&policies]) } else { Vec::new() };
    if !problems.is_empty() {
        return Err(Error::PolicyInvalid { diagnostics: problems });
    }
    // The exercise packages, `exercises/*.toml`, checked against the pack's playbooks.
    let (pack_playbooks, _) = crate::checker::check_paths::<Playbook>(&[dir], playbook::EXTENSION);
    let pack_playbooks: Vec<Playbook> = pack_playbooks.into_iter().map(|(_, p)| p).collect();
    let mut files: BTreeMap<String, String> =
        exercise::pack_files(dir, &pack_playbooks)?.into_iter().collect();
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
    if let Ok(entries) = std::fs::read_dir(&policies) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.extension().is_some_and(|e| e == policy::EXTENSION)
                && !name.eq_ignore_ascii_case("README.md")
            {
                let text = std::fs::read_to_string(&path).map_err(Error::io("read", &path))?;
                files.insert(format!("{}{name}", policy::PACK_FOLDER), text);
            }
        }
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

/// A pack whose signature and files checked out against a key.
struct Checked {
    manifest: Manifest,
    files: BTreeMap<String, String>,
}

/// The signature over the manifest's bytes and every file's SHA-256 (no file changed,
/// missing or added), against `public_key`. No date is looked at.
fn check_signed(pack: &str, public_key: &[u8]) -> Result<Checked> {
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
    Ok(Checked { manifest, files: pack.files })
}

impl Checked {
    /// Every playbook and clock rule set parsed (every problem of every file collected,
    /// each clock's rule looked up), and what the pack holds.
    fn parse(&self) -> Result<(PackInfo, Parsed)> {
        let parsed = parse_files(self.files.iter().map(|(n, t)| (n.as_str(), t.as_str())))?;
        let playbooks = &parsed.0;
        let info = PackInfo {
            version: self.manifest.version,
            created: self.manifest.created,
            expires: self.manifest.expires,
            imported: None,
            playbooks: playbooks.iter().map(|p| p.id.clone()).collect(),
        };
        Ok((info, parsed))
    }
}

/// A pack's playbooks (their rules not yet filled in), clock rule sets, policies and
/// exercise packages.
type Parsed = (Vec<Playbook>, Vec<RuleSet>, Vec<Policy>, Vec<Package>);

/// Parses a pack's files: each `*.clocks.toml` as a rule set, each `policies/*.md` as a
/// policy, the others as playbooks; then
/// each playbook's clock rules against the built-in rules with the pack's over them. Every
/// problem is collected, with its file.
fn parse_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Parsed> {
    let mut playbooks = Vec::new();
    let mut sets = Vec::new();
    let mut policies = Vec::new();
    let mut exercises = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in files {
        if name.starts_with(exercise::PACK_FOLDER) {
            exercises.push((name, text));
            continue;
        }
        let parsed = if clockrules::is_rule_file(name) {
            clockrules::parse(name, text).map(|r| sets.push(r))
        } else if name.starts_with(policy::PACK_FOLDER) {
            policy::format::parse(name, text).map(|p| policies.push(p))
        } else {
            playbook::parse(name, text).map(|p| playbooks.push((name, p)))
        };
        problems.extend(parsed.err().unwrap_or_default());
    }
    let (_, built_in) = playbook::embedded_unresolved()?;
    let rules = Rules::new(built_in.iter().chain(&sets));
    // Resolved here to name each problem with its file; `merged` resolves the whole list
    // in force again (the embedded playbooks too), which leaves these as they are.
    for (name, p) in &mut playbooks {
        problems.extend(clockrules::resolve(p, &rules, name));
    }
    let playbooks: Vec<Playbook> = playbooks.into_iter().map(|(_, p)| p).collect();
    let exercises = exercise::parse_pack(&exercises, &playbooks, &mut problems)?;
    if !problems.is_empty() {
        return Err(Error::PlaybookInvalid { diagnostics: problems });
    }
    Ok((playbooks, sets, policies, exercises))
}

/// Checks a pack against a public key: signature, file hashes (no file changed, missing or
/// added), expiry, and every playbook. Returns what it holds. A refusal says the pack does
/// not verify; [`import`] tells it as its own.
pub fn verify(
    pack: &str,
    public_key: &[u8],
    now: DateTime<Utc>,
) -> Result<(PackInfo, Vec<PackedPlaybook>)> {
    let checked = check_signed(pack, public_key)?;
    if now > checked.manifest.expires {
        return Err(invalid(format!(
            "the pack expired on {}",
            checked.manifest.expires.format("%Y-%m-%d")
        )));
    }
    let (info, _) = checked.parse()?;
    let files =
        checked.files.into_iter().map(|(file, text)| PackedPlaybook { file, text }).collect();
    Ok((info, files))
}

/// Pins the public key that signs this organisation's packs (admins), with the ward's copy
/// emergency access verifies against, in one write.
pub fn trust(session: &Session, public_key: &[u8]) -> Result<()> {
    session.require(Permission::ManagePacks, "pin the pack signing key")?;
    let key = BASE64.encode(public_key);
    session.write(|w| {
        w.require(Permission::ManagePacks, "pin the pack signing key")?;
        w.put(PACK_KEY, &PackKey(key.clone()))?;
        w.put(WARD_PACK_KEY, &WardPackKey(key.clone()))?;
        Ok(())
    })
}

fn decode_key(key: &str) -> Result<Vec<u8>> {
    BASE64.decode(key.as_bytes()).map_err(|_| Error::Damaged { what: "the pinned pack key".into() })
}

/// Imports a pack (admins): verified against the pinned key, newer than the pack in force,
/// then kept as signed (with the ward's copies of it and of the key) in one transaction,
/// replacing the last pack.
pub fn import(session: &Session, pack: &str, now: DateTime<Utc>) -> Result<PackInfo> {
    session.require(Permission::ManagePacks, "import a playbook pack")?;
    let PackKey(key) = session
        .get::<PackKey>(PACK_KEY)?
        .ok_or_else(|| PackStep::Import.refuse("no pack signing key is pinned on this workstation: an admin pins it with `caregiver pack trust`"))?;
    let (mut info, _) =
        verify(pack, &decode_key(&key)?, now).map_err(|e| PackStep::Import.during(e))?;
    // The store's state keeps the version in force too: a pack record deleted or put back
    // from an older copy does not open the way to an older pack.
    let in_state = session.pack_version_in_force()?;
    if let Some(current) = session.get::<SignedPack>(SIGNED_PACK)? {
        let current = in_state.map_or(current.version, |v| v.max(current.version));
        if info.version <= current {
            return Err(PackStep::Import.refuse(format!(
                "pack version {} is not newer than the version in force ({current}): an older pack is never re-imported",
                info.version
            )));
        }
    } else if let Some(before) = old_pack_info(session)?.map(|old| old.version).max(in_state)
        && info.version < before
    {
        // A store from before packs were kept signed: its pack may be imported again (the
        // same version), an older one may not.
        return Err(PackStep::Import.refuse(format!(
            "pack version {} is older than the version imported before ({before}): an older pack is never re-imported",
            info.version
        )));
    }
    info.imported = Some(now);
    let signed = SignedPack { text: pack.to_owned(), version: info.version, imported: now };
    session.write(|w| {
        w.require(Permission::ManagePacks, "import a playbook pack")?;
        w.put(SIGNED_PACK, &signed)?;
        w.put(WARD_PACK, &WardPack(signed.clone()))?;
        w.put(WARD_PACK_KEY, &WardPackKey(key.clone()))?;
        // What versions before packs were kept signed wrote: never shown again.
        w.clear::<PackedPlaybook>()?;
        w.clear::<PackInfo>()?;
        w.record_pack_version(info.version);
        Ok(())
    })?;
    Ok(info)
}

/// The [`PackInfo`] a store from before packs were kept signed holds (ward scope: only a
/// hint, for the rollback check; a damaged one counts as none).
fn old_pack_info(session: &Session) -> Result<Option<PackInfo>> {
    match session.get::<PackInfo>(OLD_PACK_INFO) {
        Err(Error::Damaged { .. }) => Ok(None),
        other => other,
    }
}

/// The playbooks in force, as one load found them: the imported pack over the built-in
/// one when the imported pack verified; the built-in pack alone, and why, when it did not.
#[derive(Debug, Clone)]
pub struct InForce {
    /// The imported pack in force (`None`: the built-in pack is).
    pub info: Option<PackInfo>,
    /// Sorted by title.
    pub playbooks: Vec<Playbook>,
    /// The written policies: the built-in ones with the pack's over them, sorted by title.
    pub policies: Vec<Policy>,
    /// The exercise packages: the built-in ones with the pack's over them, by title.
    pub exercises: Vec<Package>,
    /// Why an imported pack is not in force (the built-in pack is shown instead): a
    /// refusal's reason, for [`PackStep::Load`].
    pub problem: Option<String>,
}

impl InForce {
    /// A pack that checked out, over the built-in one.
    fn of(info: PackInfo, (playbooks, sets, policies, exercises): Parsed) -> Result<Self> {
        Ok(Self {
            info: Some(info),
            playbooks: merged((playbooks, sets, Vec::new(), Vec::new()))?,
            policies: policy::in_force(policies)?,
            exercises: exercise::in_force(exercises)?,
            problem: None,
        })
    }

    /// The built-in pack alone; `problem`: why not the imported one.
    fn built_in(problem: Option<String>) -> Result<Self> {
        Ok(Self {
            info: None,
            playbooks: in_force(&[])?,
            policies: policy::in_force(Vec::new())?,
            exercises: exercise::in_force(Vec::new())?,
            problem,
        })
    }
}

/// What a load read: the signed pack, the pinned key, and whether records of a pack
/// imported before packs were kept signed are there.
struct Stored {
    pack: Option<SignedPack>,
    key: Option<String>,
    old_records: bool,
    /// Keys trusted from outside the store (the managed configuration's): when given, the
    /// pack must check out against one of them, whatever key the store pins.
    anchors: Vec<Vec<u8>>,
}

/// A record read for a load: a damaged one (garbage sealed under the ward key, say) is a
/// reason not to trust the pack, not an error that would leave a screen with nothing.
fn readable<T>(
    read: Result<Option<T>>,
    what: &str,
) -> Result<std::result::Result<Option<T>, String>> {
    match read {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Damaged { .. }) => {
            Ok(Err(format!("{what} cannot be opened: it was changed outside the app")))
        }
        Err(e) => Err(e),
    }
}

fn load_stored(stored: Stored) -> Result<InForce> {
    let Some(pack) = stored.pack else {
        let problem = stored.old_records.then(|| {
            "it was stored by an earlier version without its signature, so nothing proves it is this organisation's: an admin imports the pack again (`caregiver pack import`)".to_owned()
        });
        return InForce::built_in(problem);
    };
    let Some(key) = stored.key else {
        return InForce::built_in(Some("no pinned pack signing key to check it against: an admin pins the key (`caregiver pack trust`) and imports the pack again".into()));
    };
    let checked = if stored.anchors.is_empty() {
        decode_key(&key).and_then(|k| check_signed(&pack.text, &k))
    } else {
        let mut tried = stored.anchors.iter().map(|k| check_signed(&pack.text, k));
        let first = tried.next().unwrap_or_else(|| Err(invalid("no key")));
        match first {
            Ok(c) => Ok(c),
            Err(e) => tried.find(Result::is_ok).unwrap_or(Err(e)).map_err(|_| {
                invalid("the ward's copy of the pack is not signed by a key the managed configuration lists: it was changed outside the app")
            }),
        }
    };
    let parsed = checked.and_then(|c| c.parse());
    match parsed {
        Ok((mut info, parsed)) => {
            info.imported = Some(pack.imported);
            Ok(InForce::of(info, parsed)?)
        }
        Err(Error::PackRejected { reason, .. }) => InForce::built_in(Some(reason)),
        Err(other) => InForce::built_in(Some(other.to_string())),
    }
}

/// The playbooks in force from a pack the managed configuration ships, checked against
/// `key` (one of the managed keys it verified with at load).
pub fn load_managed(text: &str, key: &[u8]) -> Result<InForce> {
    let (info, parsed) = check_signed(text, key)?.parse()?;
    InForce::of(info, parsed)
}

/// The playbooks in force for a signed-in user: the signed pack in the main scope,
/// verified against the pinned key (both main scope: the ward key cannot write them).
pub fn load(session: &Session) -> Result<InForce> {
    let pack = session.get::<SignedPack>(SIGNED_PACK)?;
    let key = session.get::<PackKey>(PACK_KEY)?.map(|k| k.0);
    let old_records =
        pack.is_none() && !session.list::<PackedPlaybook>().map(|l| l.is_empty()).unwrap_or(false);
    load_stored(Stored { pack, key, old_records, anchors: Vec::new() })
}

/// The playbooks in force under emergency access: the ward's copy of the signed pack,
/// verified against the ward's copy of the pinned key, or, on a managed workstation,
/// against the keys the managed configuration lists (`anchors`): the holder of the
/// emergency code can replace the ward's copy of the key, not the files IT pushed.
pub fn load_ward(emergency: &EmergencySession, anchors: &[&[u8]]) -> Result<InForce> {
    let pack = match readable(emergency.get::<WardPack>(WARD_PACK), "the ward's copy of the pack")?
    {
        Ok(p) => p.map(|p| p.0),
        Err(problem) => return InForce::built_in(Some(problem)),
    };
    let key = match readable(
        emergency.get::<WardPackKey>(WARD_PACK_KEY),
        "the ward's copy of the pinned key",
    )? {
        Ok(k) => k.map(|k| k.0),
        Err(problem) => return InForce::built_in(Some(problem)),
    };
    let old_records = pack.is_none()
        && !emergency.list::<PackedPlaybook>().map(|l| l.is_empty()).unwrap_or(false);
    let anchors = anchors.iter().map(|k| k.to_vec()).collect();
    load_stored(Stored { pack, key, old_records, anchors })
}

/// The versions of the records a load reads (pack, key): a load is still current while
/// they are.
pub fn load_versions(session: &Session) -> Result<(Option<i64>, Option<i64>)> {
    Ok((session.version_of::<SignedPack>(SIGNED_PACK)?, session.version_of::<PackKey>(PACK_KEY)?))
}

/// [`load_versions`] under emergency access.
pub fn ward_load_versions(emergency: &EmergencySession) -> Result<(Option<i64>, Option<i64>)> {
    Ok((
        emergency.version_of::<WardPack>(WARD_PACK)?,
        emergency.version_of::<WardPackKey>(WARD_PACK_KEY)?,
    ))
}

/// The embedded pack with `imported` over it (same id replaces, new id adds), sorted by
/// title, every clock's rule from the embedded rules with the imported ones over them.
fn merged((imported, sets, _, _): Parsed) -> Result<Vec<Playbook>> {
    let (mut list, built_in) = playbook::embedded_unresolved()?;
    for p in imported {
        match list.iter_mut().find(|q| q.id == p.id) {
            Some(slot) => *slot = p,
            None => list.push(p),
        }
    }
    list.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    playbook::resolve_all(&mut list, &Rules::new(built_in.iter().chain(&sets)))?;
    Ok(list)
}

/// The playbooks in force for a set of playbook files: the embedded pack, with these
/// taking precedence (same id replaces, new id adds). Sorted by title.
pub fn in_force(imported: &[PackedPlaybook]) -> Result<Vec<Playbook>> {
    merged(parse_files(imported.iter().map(|f| (f.file.as_str(), f.text.as_str())))?)
}
