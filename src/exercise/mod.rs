//! Exercises (issue 20): tabletop packages with timed injects, run as drill incidents,
//! evaluated per critical task with HSEEP's ratings.
//!
//! - [`format`]: the package file format (`playbooks/exercises/*.toml`, documented in its
//!   README) and its checker, every problem as `file:line:column: message`, each inject's
//!   playbook steps resolved against the playbooks in force.
//! - This module: the model (the situation manual, modules of injects, discussion
//!   questions, the facilitator's and the evaluator's guides), the embedded default
//!   packages, and checking files for `caregiver exercise validate`.
//! - [`run`]: an exercise as a drill incident, its scenario clock replayed from the log.

pub mod aar;
pub mod actions;
pub mod format;
pub mod register;
pub mod run;

use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

pub use crate::checker::Diagnostic;
use crate::checker::Position;
use crate::playbook::Playbook;
use crate::playbook::rules::Source;
use crate::{Error, Result, checker};

/// The default packages, `playbooks/exercises/*.toml`, compiled into the binary.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks/exercises");

/// File extension of a package file; other files (the README) are skipped.
pub const EXTENSION: &str = "toml";

/// Where a pack holds its exercise packages.
pub const PACK_FOLDER: &str = "exercises/";

crate::choices::choices! {
    /// HSEEP's exercise types, the ones 42 CFR 482.15(d)(2) counts: one full-scale or
    /// functional exercise a year, and one more (another of those, a mock drill, a
    /// tabletop or a workshop led by a facilitator).
    ExerciseType, "exercise type" {
        Tabletop = "tabletop", "Tabletop exercise";
        Workshop = "workshop", "Workshop";
        Drill = "drill", "Drill";
        Functional = "functional", "Functional exercise";
        FullScale = "full-scale", "Full-scale exercise";
    }
}

impl ExerciseType {
    /// Whether it is operations-based (full-scale or functional): 42 CFR
    /// 482.15(d)(2)(i) asks for one of these each year.
    pub fn operations_based(self) -> bool {
        matches!(self, ExerciseType::Functional | ExerciseType::FullScale)
    }
}

/// The core capabilities of the National Preparedness Goal an objective may name (those a
/// hospital's cyber exercise tests), by id and title.
pub const CORE_CAPABILITIES: &[(&str, &str)] = &[
    ("planning", "Planning"),
    ("public-information-and-warning", "Public Information and Warning"),
    ("operational-coordination", "Operational Coordination"),
    ("operational-communications", "Operational Communications"),
    ("cybersecurity", "Cybersecurity"),
    ("intelligence-and-information-sharing", "Intelligence and Information Sharing"),
    ("situational-assessment", "Situational Assessment"),
    ("infrastructure-systems", "Infrastructure Systems"),
    ("logistics-and-supply-chain-management", "Logistics and Supply Chain Management"),
    (
        "public-health-healthcare-and-emergency-medical-services",
        "Public Health, Healthcare, and Emergency Medical Services",
    ),
    ("forensics-and-attribution", "Forensics and Attribution"),
    ("access-control-and-identity-verification", "Access Control and Identity Verification"),
    ("risk-management", "Risk Management for Protection Programs and Activities"),
    ("health-and-social-services", "Health and Social Services"),
];

/// One exercise package: its situation manual, modules of injects, and the guides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub id: String,
    pub title: String,
    pub version: u32,
    #[serde(rename = "type")]
    pub kind: ExerciseType,
    /// The situation manual's scenario, read out at the start.
    pub scenario: String,
    /// Who takes part: positions and departments, in words.
    pub participants: Vec<String>,
    pub objectives: Vec<Objective>,
    pub modules: Vec<Module>,
    /// The facilitator's guide.
    pub facilitator: String,
    /// The evaluator's guide (the critical tasks and what to observe are per objective).
    pub evaluator: String,
    pub sources: Vec<Source>,
}

/// An exercise objective, the core capabilities it tests and its critical tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objective {
    pub id: String,
    pub text: String,
    pub capabilities: Vec<String>,
    pub tasks: Vec<CriticalTask>,
}

/// A critical task evaluators rate, and what they look for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriticalTask {
    pub id: String,
    pub task: String,
    pub observe: Vec<String>,
}

/// A module of the exercise: its injects in time order and its discussion questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Module {
    pub title: String,
    pub injects: Vec<Inject>,
    pub questions: Vec<String>,
}

/// One inject: when in the scenario it comes, from whom, what it says, what the players
/// are expected to do, and the playbook steps it tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inject {
    pub id: String,
    /// Minutes of scenario time from the start.
    pub at: u32,
    pub from: String,
    pub message: String,
    pub expect: Vec<String>,
    pub tests: Vec<StepRef>,
}

/// A playbook step an inject tests: `playbook-id#step-id` in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRef {
    pub playbook: String,
    pub step: String,
    /// Where the file names it, for the check against the playbooks in force.
    #[serde(skip)]
    pub(crate) at: Position,
}

impl std::fmt::Display for StepRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.playbook, self.step)
    }
}

impl Package {
    /// Every inject in scenario order (modules in order, offsets growing).
    pub fn injects(&self) -> impl Iterator<Item = &Inject> {
        self.modules.iter().flat_map(|m| &m.injects)
    }

    /// The critical task with this id, and the objective it belongs to.
    pub fn task(&self, id: &str) -> Option<(&Objective, &CriticalTask)> {
        self.objectives.iter().find_map(|o| o.tasks.iter().find(|t| t.id == id).map(|t| (o, t)))
    }

    /// The playbook the exercise runs as a drill of: the first one an inject tests.
    pub fn playbook(&self) -> Option<&str> {
        self.injects().flat_map(|i| &i.tests).map(|t| t.playbook.as_str()).next()
    }
}

/// What a list of packages shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageSummary {
    pub id: String,
    pub title: String,
    pub version: u32,
    #[serde(rename = "type")]
    pub kind: ExerciseType,
    pub injects: usize,
    /// Minutes of scenario time to the last inject.
    pub minutes: u32,
    pub objectives: usize,
    pub playbooks: Vec<String>,
}

impl From<&Package> for PackageSummary {
    fn from(p: &Package) -> Self {
        let mut playbooks: Vec<String> =
            p.injects().flat_map(|i| &i.tests).map(|t| t.playbook.clone()).collect();
        playbooks.sort();
        playbooks.dedup();
        PackageSummary {
            id: p.id.clone(),
            title: p.title.clone(),
            version: p.version,
            kind: p.kind,
            injects: p.injects().count(),
            minutes: p.injects().map(|i| i.at).max().unwrap_or(0),
            objectives: p.objectives.len(),
            playbooks,
        }
    }
}

/// The embedded packages, checked (each inject's steps against the embedded playbooks),
/// sorted by title. Checked once per process: the files are compiled in.
pub fn embedded() -> Result<Vec<Package>> {
    type Checked = std::result::Result<Vec<Package>, Vec<Diagnostic>>;
    static CHECKED: std::sync::OnceLock<Checked> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let list = checker::embedded::<Package>(&EMBEDDED, "playbooks/exercises", EXTENSION)?;
            let playbooks = crate::playbook::embedded().map_err(|_| Vec::new())?;
            let problems: Vec<Diagnostic> = list
                .iter()
                .flat_map(|p| {
                    format::resolve(p, &playbooks, &format!("playbooks/exercises/{}.toml", p.id))
                })
                .collect();
            if problems.is_empty() { Ok(list) } else { Err(problems) }
        })
        .clone()
        .map_err(|diagnostics| Error::ExerciseInvalid { diagnostics })
}

/// The packages in force: the embedded ones with a pack's over them (by id), sorted by
/// title.
pub fn in_force(from_pack: Vec<Package>) -> Result<Vec<Package>> {
    let mut list: Vec<Package> =
        embedded()?.into_iter().filter(|p| !from_pack.iter().any(|q| q.id == p.id)).collect();
    list.extend(from_pack);
    list.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    Ok(list)
}

/// Checks package files (`caregiver exercise validate`): every problem in every file, in
/// order, ids used by more than one file, and each inject's steps against `playbooks`. A
/// folder means every `*.toml` file in it (not its subfolders). Empty: all is well.
pub fn validate_paths(paths: &[&Path], playbooks: &[Playbook]) -> Vec<Diagnostic> {
    let check = |file: &str, text: &str| format::parse_with(file, text, Some(playbooks));
    checker::check_paths_with::<Package>(paths, EXTENSION, &check).1
}

/// The playbooks a pack's packages are checked against: the built-in ones with the pack's
/// (`pack`) over them, by id.
fn with_pack(pack: &[Playbook]) -> Result<Vec<Playbook>> {
    let (mut list, _) = crate::playbook::embedded_unresolved()?;
    list.retain(|p| !pack.iter().any(|q| q.id == p.id));
    list.extend(pack.iter().cloned());
    Ok(list)
}

/// A pack folder's packages to sign (`exercises/*.toml` under `dir`), each checked against
/// the built-in playbooks with `pack`'s over them: (name in the pack, text), or every
/// problem (`exercise_invalid`).
pub(crate) fn pack_files(dir: &Path, pack: &[Playbook]) -> Result<Vec<(String, String)>> {
    let folder = dir.join(PACK_FOLDER);
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let problems = validate_paths(&[&folder], &with_pack(pack)?);
    if !problems.is_empty() {
        return Err(Error::ExerciseInvalid { diagnostics: problems });
    }
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&folder).map_err(Error::io("read the folder", &folder))?;
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_file() && path.extension().is_some_and(|e| e == EXTENSION) {
            let name =
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(Error::io("read", &path))?;
            out.push((format!("{PACK_FOLDER}{name}"), text));
        }
    }
    Ok(out)
}

/// A signed pack's packages (`files`: name and text), each checked against the built-in
/// playbooks with `pack`'s over them; the problems are added to `problems`.
pub(crate) fn parse_pack(
    files: &[(&str, &str)],
    pack: &[Playbook],
    problems: &mut Vec<Diagnostic>,
) -> Result<Vec<Package>> {
    let playbooks = with_pack(pack)?;
    let mut out = Vec::new();
    for (name, text) in files {
        match format::parse_with(name, text, Some(&playbooks)) {
            Ok((p, _)) => out.push(p),
            Err(d) => problems.extend(d),
        }
    }
    Ok(out)
}

/// The package with this id among `packages`.
pub fn find<'a>(packages: &'a [Package], id: &str) -> Result<&'a Package> {
    packages.iter().find(|p| p.id == id).ok_or_else(|| Error::Invalid {
        what: "exercise package",
        reason: format!("no package `{id}`: `caregiver exercise list` names them"),
    })
}

#[cfg(test)]
mod tests;
