//! The managed configuration: what a hospital's IT department pushes to every workstation
//! with its packages and management tools, read-only to the people who use it, in the
//! platform's system-wide place ([`system_dir`]): the hospital's signed playbook pack and
//! the keys that may sign it, the workstation's settings, and a policy that can forbid
//! local changes to them.
//!
//! The folder holds `managed.toml`, and the pack file it names:
//!
//! ```toml
//! managed_by = "Example Hospital IT, service desk x4357"
//!
//! [pack]
//! file = "pack.json"                       # beside managed.toml
//! keys = ["base64 Ed25519 public key"]     # as `caregiver pack keygen` prints it
//!
//! [settings]
//! idle_lock_minutes = 5
//! time_zone = "America/New_York"
//! ward_label = "Ward 4 East"
//! exports_dir = "/srv/caregiver/exports"
//! fleet_dir = "/srv/caregiver/fleet"          # docs/fleet.md
//!
//! [policy]
//! forbid_local_changes = true
//! ```
//!
//! [`check`] reads a folder as the app will, and names every problem with its file (and,
//! in `managed.toml`, its line and column), for `caregiver deploy check` before IT pushes
//! it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checker::{Diagnostic, START, position};
use crate::log::PublicKey;
use crate::playbook::pack::{self, PackInfo};

/// The managed configuration's file.
pub const MANAGED_FILE: &str = "managed.toml";
/// Where a test build looks for it instead (`CAREGIVER_MANAGED_DIR`). A release build never
/// reads it: on a ward PC every user can set an environment variable (a shortcut's), and a
/// configuration of their own would put their pack, signed by a key of their own, in force.
pub const MANAGED_DIR_ENV: &str = "CAREGIVER_MANAGED_DIR";
/// The longest idle lock a managed configuration may set (the app's own limit).
const MAX_IDLE_MINUTES: u32 = 120;

/// The platform's system-wide place for the managed configuration (in a test build,
/// [`MANAGED_DIR_ENV`] if set).
pub fn system_dir() -> PathBuf {
    if cfg!(debug_assertions)
        && let Some(dir) = std::env::var_os(MANAGED_DIR_ENV).filter(|d| !d.is_empty())
    {
        return PathBuf::from(dir);
    }
    if cfg!(windows) {
        let data = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(data).join("Caregiver Playbook")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Caregiver Playbook")
    } else {
        PathBuf::from("/etc/caregiver-playbook")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagedFile {
    managed_by: String,
    #[serde(default)]
    pack: Option<PackSection>,
    #[serde(default)]
    settings: ManagedSettings,
    #[serde(default)]
    policy: Policy,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackSection {
    #[serde(default)]
    file: Option<String>,
    keys: Vec<toml::Spanned<String>>,
}

/// The workstation settings IT sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedSettings {
    pub idle_lock_minutes: Option<u32>,
    pub time_zone: Option<String>,
    /// How the workstation names its ward or unit on screens and paper.
    pub ward_label: Option<String>,
    /// Where exports are saved by default.
    pub exports_dir: Option<PathBuf>,
    /// The fleet folder every workstation publishes its log into (`docs/fleet.md`).
    pub fleet_dir: Option<PathBuf>,
}

/// What local admins may change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// No local change to the managed pack, keys or settings.
    #[serde(default)]
    pub forbid_local_changes: bool,
}

/// A managed configuration that checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Managed {
    pub dir: PathBuf,
    /// Who manages it, as the window says ("managed by ...").
    pub managed_by: String,
    /// The keys that may sign the hospital's packs.
    pub keys: Vec<PublicKey>,
    /// The signed pack, if the configuration ships one.
    pub pack: Option<ManagedPack>,
    pub settings: ManagedSettings,
    pub policy: Policy,
}

/// A signed pack the managed configuration ships, verified at load.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPack {
    pub text: String,
    pub info: PackInfo,
    /// The managed key it verified against.
    pub key: PublicKey,
}

/// Reads and checks the managed configuration in `dir` at `now`: `Ok(None)` when the folder
/// has no `managed.toml` (the workstation is not managed), else the configuration, or
/// every problem found.
pub fn load(dir: &Path, now: DateTime<Utc>) -> Result<Option<Managed>, Vec<Diagnostic>> {
    let file = dir.join(MANAGED_FILE);
    if !file.exists() {
        return Ok(None);
    }
    check(dir, now).map(Some)
}

/// Checks the managed configuration in `dir` as the app reads it: the configuration, or
/// every problem, each naming its file (and in `managed.toml` its line and column).
pub fn check(dir: &Path, now: DateTime<Utc>) -> Result<Managed, Vec<Diagnostic>> {
    let path = dir.join(MANAGED_FILE);
    let name = path.display().to_string();
    let problem = |at, message: String| vec![Diagnostic::new(&name, at, message)];
    let text = match std::fs::read(&path) {
        Ok(bytes) => {
            String::from_utf8(bytes).map_err(|_| problem(START, "is not UTF-8 text".into()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(problem(
                START,
                format!("not found: a managed configuration is a folder holding {MANAGED_FILE}"),
            ));
        }
        Err(e) => return Err(problem(START, format!("cannot be read: {e}"))),
    };
    if text.len() > crate::limits::MAX_FILE_BYTES {
        return Err(problem(START, "is too large for a configuration file".into()));
    }
    let parsed: ManagedFile = toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(START, |s| position(&text, s.start));
        problem(at, e.message().trim_end().to_owned())
    })?;
    let at = |needle: &str| text.find(needle).map_or(START, |o| position(&text, o));
    let mut problems = Vec::new();
    let mut say = |at, message: String| problems.push(Diagnostic::new(&name, at, message));
    if parsed.managed_by.trim().is_empty() {
        say(at("managed_by"), "`managed_by` must say who manages this workstation".into());
    }
    let mut keys = Vec::new();
    let mut pack_found = None;
    if let Some(section) = &parsed.pack {
        if section.keys.is_empty() {
            say(at("keys"), "`keys` must list at least one key that signs the pack".into());
        }
        for key in &section.keys {
            match PublicKey::parse(key.get_ref()) {
                Ok(k) => keys.push(k),
                Err(_) => say(
                    position(&text, key.span().start),
                    "is not an Ed25519 public key as `caregiver pack keygen` prints it".into(),
                ),
            }
        }
        if let Some(file) = &section.file {
            match check_pack(&dir.join(file), &keys, now) {
                Ok(found) => pack_found = Some(found),
                Err(d) => problems.push(d),
            }
        }
    }
    let mut say = |at, message: String| problems.push(Diagnostic::new(&name, at, message));
    let s = &parsed.settings;
    if let Some(m) = s.idle_lock_minutes
        && !(1..=MAX_IDLE_MINUTES).contains(&m)
    {
        say(
            at("idle_lock_minutes"),
            format!("`idle_lock_minutes` must be 1 to {MAX_IDLE_MINUTES}"),
        );
    }
    if let Some(zone) = &s.time_zone
        && let Err(e) = crate::words::Zone::named(zone)
    {
        say(at("time_zone"), e.to_string());
    }
    if let Some(label) = &s.ward_label
        && (label.trim().is_empty() || label.chars().count() > 60)
    {
        say(at("ward_label"), "`ward_label` must be 1 to 60 characters".into());
    }
    if let Some(dir) = &s.exports_dir
        && !dir.is_absolute()
    {
        say(at("exports_dir"), "`exports_dir` must be a full path".into());
    }
    if let Some(dir) = &s.fleet_dir
        && !dir.is_absolute()
    {
        say(at("fleet_dir"), "`fleet_dir` must be a full path".into());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Managed {
        dir: dir.to_path_buf(),
        managed_by: parsed.managed_by.trim().to_owned(),
        keys,
        pack: pack_found,
        settings: parsed.settings,
        policy: parsed.policy,
    })
}

/// The pack file at `path`, verified against one of `keys` at `now`.
fn check_pack(
    path: &Path,
    keys: &[PublicKey],
    now: DateTime<Utc>,
) -> Result<ManagedPack, Diagnostic> {
    let name = path.display().to_string();
    let problem = |message: String| Diagnostic::new(&name, START, message);
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => problem("not found: `[pack] file` names it".into()),
        std::io::ErrorKind::InvalidData => problem("is not UTF-8 text".into()),
        _ => problem(format!("cannot be read: {e}")),
    })?;
    if keys.is_empty() {
        return Err(problem("no key listed in `[pack] keys` can check it".into()));
    }
    let mut last = None;
    for key in keys {
        match pack::verify(&text, key.as_bytes(), now) {
            Ok((info, _)) => return Ok(ManagedPack { text, info, key: *key }),
            Err(e) => last = Some(e),
        }
    }
    let why = last.map(|e| e.to_string()).unwrap_or_default();
    Err(problem(format!("does not check out against the keys listed: {why}")))
}
