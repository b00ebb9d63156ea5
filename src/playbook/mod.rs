//! Playbooks: the format and its checker ([`format`]), the default pack embedded in the
//! binary (so a fresh install works offline), and the terminal views ([`sheet`]).

pub mod format;
pub mod pack;
pub mod rules;
pub mod sheet;
pub mod view;

use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Serialize;

pub use crate::checker::Diagnostic;
pub use format::{Playbook, Step, parse};

use crate::{Error, Result, checker};

/// The default healthcare pack, `playbooks/*.toml`, compiled into the binary.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks");

/// File extension of a playbook file; other files in `playbooks/` (the README) are skipped.
pub const EXTENSION: &str = "toml";

/// What a list of playbooks shows: enough to pick one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybookSummary {
    pub id: String,
    pub title: String,
}

/// Every playbook of the embedded pack, checked, sorted by title.
pub fn embedded() -> Result<Vec<Playbook>> {
    checker::embedded(&EMBEDDED, "playbooks", EXTENSION)
        .map_err(|diagnostics| Error::PlaybookInvalid { diagnostics })
}

/// The playbooks of the embedded pack as the home screen lists them.
pub fn embedded_summaries() -> Result<Vec<PlaybookSummary>> {
    Ok(embedded()?.into_iter().map(|p| PlaybookSummary { id: p.id, title: p.title }).collect())
}

/// One playbook of the pack in force, by id.
pub fn find(id: &str) -> Result<Playbook> {
    embedded()?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::PlaybookNotFound { id: id.to_owned() })
}

/// Checks playbook files (`caregiver playbook validate`): every problem in every file, in
/// order, and playbook ids used by more than one file. A folder means every `*.toml` file
/// in it (not its subfolders). An empty result means all is well.
pub fn validate_paths(paths: &[&Path]) -> Vec<Diagnostic> {
    checker::validate_paths::<Playbook>(paths, EXTENSION)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod rules_tests;
