//! Playbooks: the format and its checker ([`format`]), the default pack embedded in the
//! binary (so a fresh install works offline), and the terminal views ([`sheet`]).

pub mod format;
pub mod pack;
pub mod sheet;
pub mod view;

use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Serialize;

pub use format::{Diagnostic, Playbook, Step, parse};

use crate::{Error, Result};

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
    let mut files: Vec<_> =
        EMBEDDED.files().filter(|f| f.path().extension().is_some_and(|e| e == EXTENSION)).collect();
    files.sort_by_key(|f| f.path());
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        let name = format!("playbooks/{}", f.path().display());
        match f.contents_utf8() {
            Some(text) => match parse(&name, text) {
                Ok(p) => found.push((name, p)),
                Err(d) => problems.extend(d),
            },
            None => problems.push(not_utf8(&name)),
        }
    }
    problems.extend(duplicate_ids(&found));
    if !problems.is_empty() {
        return Err(Error::PlaybookInvalid { diagnostics: problems });
    }
    let mut list: Vec<Playbook> = found.into_iter().map(|(_, p)| p).collect();
    list.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    Ok(list)
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
/// order. A folder means every `*.toml` file in it. An empty result means all is well.
pub fn validate_paths(paths: &[&Path]) -> Vec<Diagnostic> {
    let (texts, mut problems) = read_text_files(paths, EXTENSION);
    let mut found = Vec::new();
    for (name, text) in texts {
        match parse(&name, &text) {
            Ok(p) => found.push((name, p)),
            Err(d) => problems.extend(d),
        }
    }
    problems.extend(duplicate_ids(&found));
    problems
}

/// The text files to check, for `validate` commands (playbooks, training modules): each
/// path is a file, or a folder meaning its `*.<extension>` files (not its subfolders), in
/// name order. Returns (name, text) for each file read, and a problem for each file that
/// cannot be read or is not UTF-8.
pub(crate) fn read_text_files(
    paths: &[&Path],
    extension: &str,
) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut inside: Vec<_> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == extension))
                    .collect();
                inside.sort();
                files.extend(inside);
            }
            Err(_) => files.push(path.to_path_buf()),
        }
    }
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let at_start =
            |message: String| Diagnostic { file: name.clone(), line: 1, column: 1, message };
        match std::fs::read(&file) {
            Err(e) => problems.push(at_start(format!("cannot read the file: {e}"))),
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => {
                    problems.push(at_start("the file is not UTF-8 text: save it as UTF-8".into()))
                }
                Ok(text) => texts.push((name, text)),
            },
        }
    }
    (texts, problems)
}

pub(crate) fn not_utf8(name: &str) -> Diagnostic {
    Diagnostic {
        file: name.to_owned(),
        line: 1,
        column: 1,
        message: "the file is not UTF-8 text: save it as UTF-8".into(),
    }
}

fn duplicate_ids(found: &[(String, Playbook)]) -> Vec<Diagnostic> {
    let mut first: std::collections::BTreeMap<&str, &str> = Default::default();
    let mut out = Vec::new();
    for (file, p) in found {
        if let Some(other) = first.insert(&p.id, file) {
            out.push(Diagnostic {
                file: file.clone(),
                line: 1,
                column: 1,
                message: format!("playbook id `{}` is also used by {other}", p.id),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
