//! The window's commands for an incident's forensic record (issue 19): the whole record as
//! the signed-in person may see it, evidence items (a file hashed here, or a hash another
//! tool made), hand-overs and their confirmation, re-checking a file, the printable
//! chain-of-custody form, indicators of compromise and their exports, the findings and the
//! summary. As in [`crate::commands`], each calls one method of the application layer.
//!
//! A file is hashed on a blocking thread with no lock on the app held (an image of hundreds
//! of gigabytes takes minutes, and every other command waits for the app's lock), its
//! progress sent to the window on a channel the call brings, each whole percent once; only
//! then is the app taken, to add or check the item.

use std::path::PathBuf;

use caregiver::app::App;
use caregiver::app::forensics::{ForensicsOptions, ForensicsView};
use caregiver::app::incidents::parse_time;
use caregiver::forensics::evidence::{
    EvidenceHash, EvidenceKind, EvidenceView, NewEvidence, Verification,
};
use caregiver::forensics::hash::{FileHash, HashProgress};
use caregiver::forensics::indicators::{Format, Indicator, NewIndicator};
use caregiver::forensics::ioc::{Confidence, IocType, Tlp};
use caregiver::forensics::summary::{FindingsChange, Summary};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;

use crate::commands::{AppState, Reply, Saved, save};

/// An incident's forensic record as the signed-in person may see it.
#[tauri::command]
pub async fn forensics(state: State<'_, AppState>, id: String) -> Reply<ForensicsView> {
    Ok(state.app().forensics(&id)?)
}

/// The choices the forensic forms offer.
#[tauri::command]
pub async fn forensics_options() -> Reply<ForensicsOptions> {
    Ok(App::forensics_options())
}

/// How a new item's SHA-256 is given: its file, hashed here; a hash another tool made; or
/// none (paper, the stick itself).
#[derive(Debug, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum HashGiven {
    File { path: String },
    Tool { sha256: String, tool: String },
    None,
}

/// A new evidence item as the window's form gives it: times as typed on the workstation's
/// clock, the kind by its key.
#[derive(Debug, Deserialize)]
pub struct EvidenceForm {
    kind: Option<String>,
    description: String,
    kept_at: Option<String>,
    collected_by: Option<String>,
    collected: Option<String>,
    asset: Option<String>,
    hash: HashGiven,
}

/// Hashes the file at `path` on a blocking thread, holding nothing of the app, and tells
/// the window each whole percent on `progress`.
async fn hash(path: &str, progress: &Channel<HashProgress>) -> Reply<FileHash> {
    let path = PathBuf::from(path.trim());
    let progress = progress.clone();
    let at = path.clone();
    let hashed = tauri::async_runtime::spawn_blocking(move || {
        let mut told = None;
        App::hash_file(&path, |p| {
            if told != Some(p.percent()) {
                told = Some(p.percent());
                // A window gone meanwhile stops nothing: the hash is still wanted.
                let _ = progress.send(p);
            }
        })
    })
    .await
    .map_err(|e| caregiver::Error::Io {
        doing: "hash",
        path: at,
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(hashed?)
}

/// Adds an evidence item (incident leads and admins). Its kind and collection time are read
/// first, so a mistake in them is named before a long file is hashed; the app is taken again
/// only once the hash is made.
#[tauri::command]
pub async fn add_evidence(
    state: State<'_, AppState>,
    id: String,
    evidence: EvidenceForm,
    on_progress: Channel<HashProgress>,
) -> Reply<EvidenceView> {
    let zone = state.app().zone();
    let f = evidence;
    let kind = f.kind.as_deref().filter(|k| !k.is_empty()).map(EvidenceKind::of).transpose()?;
    let collected = parse_time(f.collected.as_deref(), &zone, "collection time")?;
    let hash = match f.hash {
        HashGiven::File { path } => Some(EvidenceHash::of_file(&hash(&path, &on_progress).await?)),
        HashGiven::Tool { sha256, tool } => Some(App::hash_from_tool(&sha256, &tool)?),
        HashGiven::None => None,
    };
    let (description, kept_at, collected_by, asset) =
        (f.description, f.kept_at, f.collected_by, f.asset);
    let new = NewEvidence { kind, description, kept_at, collected_by, collected, asset, hash };
    Ok(state.app().add_evidence(&id, new)?)
}

/// Hands an item over to a user of this workstation (its holder): pending until they confirm.
#[tauri::command]
pub async fn transfer_evidence(
    state: State<'_, AppState>,
    item: String,
    to: String,
    purpose: String,
    condition: Option<String>,
) -> Reply<EvidenceView> {
    Ok(state.app().transfer_evidence(&item, &to, &purpose, condition.as_deref())?)
}

/// Confirms a hand-over addressed to the signed-in person, with the condition it arrived in.
#[tauri::command]
pub async fn confirm_evidence(
    state: State<'_, AppState>,
    item: String,
    condition: Option<String>,
) -> Reply<EvidenceView> {
    Ok(state.app().confirm_evidence(&item, condition.as_deref())?)
}

/// The items, across incidents, whose hand-over waits for the signed-in person.
#[tauri::command]
pub async fn evidence_waiting_for_me(state: State<'_, AppState>) -> Reply<Vec<EvidenceView>> {
    Ok(state.app().evidence_waiting_for_me()?)
}

/// Hashes a file again (as [`add_evidence`] does) and checks it against the item's SHA-256;
/// the check is logged whatever it finds.
#[tauri::command]
pub async fn verify_evidence(
    state: State<'_, AppState>,
    item: String,
    file: String,
    on_progress: Channel<HashProgress>,
) -> Reply<Verification> {
    let hashed = hash(&file, &on_progress).await?;
    Ok(state.app().verify_evidence(&item, &hashed)?)
}

/// An item's printable chain-of-custody form, saved to the exports folder.
#[tauri::command]
pub async fn custody_form(state: State<'_, AppState>, item: String) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.custody_form(&item)?)
}

/// A new indicator as the window's form gives it: its type, marking and confidence by their
/// keys, its first sighting as typed on the workstation's clock.
#[derive(Debug, Deserialize)]
pub struct IndicatorForm {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    tlp: Option<String>,
    source: Option<String>,
    first_seen: Option<String>,
    confidence: Option<String>,
    asset: Option<String>,
}

/// Records an indicator of compromise (incident leads and admins).
#[tauri::command]
pub async fn add_indicator(
    state: State<'_, AppState>,
    id: String,
    indicator: IndicatorForm,
) -> Reply<Indicator> {
    let app = state.app();
    let f = indicator;
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let new = NewIndicator {
        kind: IocType::of(&f.kind)?,
        value: f.value,
        tlp: given(f.tlp).as_deref().map(Tlp::of).transpose()?,
        source: f.source,
        first_seen: parse_time(f.first_seen.as_deref(), &app.zone(), "first seen")?,
        confidence: given(f.confidence).as_deref().map(Confidence::of).transpose()?,
        asset: f.asset,
    };
    Ok(app.add_indicator(&id, new)?)
}

/// An incident's indicators (not for clinicians).
#[tauri::command]
pub async fn indicators(state: State<'_, AppState>, id: String) -> Reply<Vec<Indicator>> {
    Ok(state.app().indicators(&id)?)
}

/// Where an indicator export was saved, how many it holds and how many were left out.
#[derive(Debug, Serialize)]
pub struct SavedIndicators {
    pub path: String,
    pub written: usize,
    pub left_out: usize,
}

/// Saves the indicators marked up to `tlp_max` as `csv` or `stix` (incident leads and admins).
#[tauri::command]
pub async fn export_indicators(
    state: State<'_, AppState>,
    id: String,
    format: String,
    tlp_max: String,
) -> Reply<SavedIndicators> {
    let app = state.app();
    let done = app.export_indicators(&id, Format::of(&format)?, Tlp::of(&tlp_max)?)?;
    let Saved { path } = save(&app, done.export)?;
    Ok(SavedIndicators { path, written: done.written, left_out: done.left_out })
}

/// Records or changes the lead's findings; returns the summary.
#[tauri::command]
pub async fn record_findings(
    state: State<'_, AppState>,
    id: String,
    change: FindingsChange,
) -> Reply<Summary> {
    Ok(state.app().record_findings(&id, &change)?)
}

/// The forensics summary of an incident (incident leads and admins).
#[tauri::command]
pub async fn forensics_summary(state: State<'_, AppState>, id: String) -> Reply<Summary> {
    Ok(state.app().forensics_summary(&id)?)
}
