//! The commands the window may call. Each takes its state, calls one core function and
//! maps the core's error to `{code, message}` ([`ErrorReport`]). A command that grows
//! past a few lines is a sign that a rule belongs in the core instead.
//!
//! Every command here must also be listed in `build.rs` and granted in
//! `capabilities/default.json`.

use std::path::{Path, PathBuf};

use caregiver::playbook::PlaybookSummary;
use caregiver::{AppInfo, ErrorReport};

/// What the app holds while it runs.
#[derive(Debug)]
pub struct AppState {
    data_dir: PathBuf,
}

impl AppState {
    pub fn open(explicit_data_dir: Option<&Path>) -> caregiver::Result<Self> {
        let data_dir = caregiver::paths::resolve_data_dir(explicit_data_dir)?;
        caregiver::paths::ensure_data_dir(&data_dir)?;
        Ok(Self { data_dir })
    }
}

#[tauri::command]
pub fn app_info(state: tauri::State<'_, AppState>) -> AppInfo {
    caregiver::app_info(&state.data_dir)
}

#[tauri::command]
pub fn list_playbooks() -> Result<Vec<PlaybookSummary>, ErrorReport> {
    caregiver::playbook::embedded_summaries().map_err(ErrorReport::from)
}
