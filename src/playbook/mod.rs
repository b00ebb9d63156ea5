//! Playbooks: the format and its checker ([`format`]), the default pack embedded in the
//! binary (so a fresh install works offline), and the terminal views ([`sheet`]).

pub mod clockrules;
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

/// Every playbook of the embedded pack, checked, sorted by title, its clocks' rules from
/// the embedded rule sets.
pub fn embedded() -> Result<Vec<Playbook>> {
    let (mut list, sets) = embedded_unresolved()?;
    resolve_all(&mut list, &clockrules::Rules::new(&sets))?;
    Ok(list)
}

/// The embedded playbooks (their clocks that follow rules not yet filled in) and the
/// embedded clock rule sets.
/// Parsed once per process: the files are compiled in.
pub(crate) fn embedded_unresolved() -> Result<(Vec<Playbook>, Vec<clockrules::RuleSet>)> {
    type Parsed = std::result::Result<(Vec<Playbook>, Vec<clockrules::RuleSet>), Vec<Diagnostic>>;
    static PARSED: std::sync::OnceLock<Parsed> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| {
            let list = checker::embedded(&EMBEDDED, "playbooks", EXTENSION)?;
            let sets = checker::embedded(&EMBEDDED, "playbooks", EXTENSION)?;
            Ok((list, sets))
        })
        .clone()
        .map_err(|diagnostics| Error::PlaybookInvalid { diagnostics })
}

/// Fills in every clock that follows a rule; a rule not in `rules` is an error naming the
/// playbook (a pack's files were checked against its rules before, with their names).
pub(crate) fn resolve_all(list: &mut [Playbook], rules: &clockrules::Rules) -> Result<()> {
    let mut problems = Vec::new();
    for p in list.iter_mut() {
        let file = format!("{}.toml", p.id);
        problems.extend(clockrules::resolve(p, rules, &file));
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::PlaybookInvalid { diagnostics: problems }) }
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

/// Checks playbook and clock rule files (`caregiver playbook validate`): every problem in
/// every file, in order, ids used by more than one file, and each clock's rule against the
/// built-in rules with these over them. A folder means every `*.toml` file in it (not its
/// subfolders). An empty result means all is well.
pub fn validate_paths(paths: &[&Path]) -> Vec<Diagnostic> {
    let (playbooks, mut problems) = checker::check_paths::<Playbook>(paths, EXTENSION);
    let (sets, rule_problems) = checker::check_paths::<clockrules::RuleSet>(paths, EXTENSION);
    for d in rule_problems {
        if !problems.contains(&d) {
            problems.push(d);
        }
    }
    let built_in = embedded_unresolved().map(|(_, sets)| sets).unwrap_or_default();
    let rules = clockrules::Rules::new(built_in.iter().chain(sets.iter().map(|(_, set)| set)));
    for (file, mut p) in playbooks {
        problems.extend(clockrules::resolve(&mut p, &rules, &file));
    }
    problems
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod rules_tests;
