//! The playbooks in force and the signed packs they come from. The list in force (the
//! built-in pack with the imported one over it) is verified and parsed once per pack: it
//! is reloaded only when the records it comes from change (an import or a pinned key here,
//! or by another program on the same store), never on every call. A pack that does not
//! verify is never shown: the built-in pack is, with the reason (`pack_warning`).

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use serde::Serialize;

use super::contacts::{CallLine, call_lines};
use super::{App, Library, State};
use crate::playbook::pack::{self, PackInfo, PackStep};
use crate::playbook::view::{Hit, PlaybookView, search};
use crate::playbook::{self, Playbook, PlaybookSummary};
use crate::{Error, Result};

impl App {
    /// The imported pack in force, or `None` when the built-in pack is: for a signed-in
    /// user or under emergency access. It is what [`App::in_force`] shows: an imported pack
    /// that did not verify is an error (`pack_rejected`, saying what failed), and the
    /// built-in pack is what is shown.
    pub fn pack_info(&self) -> Result<Option<PackInfo>> {
        let lib = self.library()?;
        match lib.problem() {
            Some(e) => Err(e),
            None => Ok(lib.info.clone()),
        }
    }

    /// Why the imported pack is not in force when it is not (the built-in pack is shown
    /// instead): the warning every screen that shows playbooks should carry.
    pub fn pack_warning(&self) -> Result<Option<Error>> {
        Ok(self.library()?.problem())
    }

    /// The playbooks in force (imported over built-in), sorted by title.
    pub fn in_force(&self) -> Result<Arc<Vec<Playbook>>> {
        Ok(self.library()?.playbooks.clone())
    }

    /// The written policies in force, loaded with the playbooks.
    pub(super) fn policies_in_force(&self) -> Result<Arc<Vec<crate::policy::Policy>>> {
        Ok(self.library()?.policies.clone())
    }

    /// The exercise packages in force, loaded with the playbooks.
    pub(super) fn exercises_in_force(&self) -> Result<Arc<Vec<crate::exercise::Package>>> {
        Ok(self.library()?.exercises.clone())
    }

    /// The playbooks in force, loaded once per version of the records they come from (the
    /// signed pack and the pinned key: a cheap read of clear columns). Every load verifies
    /// the pack's signature and each file's SHA-256 against the pinned key before any
    /// playbook is shown: a signed-in user's from the main scope, emergency access's from
    /// the ward's copies.
    fn library(&self) -> Result<Arc<Library>> {
        let versions = match &self.state {
            State::Locked => return Err(Error::Locked),
            State::User(s) => (false, pack::load_versions(s)?),
            State::Emergency(e) => (true, pack::ward_load_versions(e)?),
        };
        if let Some(lib) = self.library.borrow().as_ref()
            && lib.versions == versions
        {
            return Ok(lib.clone());
        }
        // The versions are read first: a write in between makes the copy look older than
        // it is, so it is loaded again next time, never kept when stale.
        let loaded = match &self.state {
            State::Locked => return Err(Error::Locked),
            State::User(s) => pack::load(s)?,
            State::Emergency(e) => {
                let keys = self.managed().map(|m| m.keys.clone()).unwrap_or_default();
                let anchors: Vec<&[u8]> = keys.iter().map(|k| k.as_bytes().as_slice()).collect();
                pack::load_ward(e, &anchors)?
            }
        };
        // The managed pack, unless the store holds a newer one (no rollback).
        let loaded = match self.managed().and_then(|m| m.pack.as_ref()) {
            Some(m) if loaded.info.as_ref().is_none_or(|i| m.info.version >= i.version) => {
                pack::load_managed(&m.text, m.key.as_bytes())?
            }
            _ => loaded,
        };
        // A pack picked up from the fleet folder, likewise, when newer than both.
        let loaded = match self.fleet_pack.borrow().as_ref() {
            Some(f) if loaded.info.as_ref().is_none_or(|i| f.info.version > i.version) => {
                pack::load_managed(&f.text, f.key.as_bytes())?
            }
            _ => loaded,
        };
        let lib = Arc::new(Library {
            versions,
            info: loaded.info,
            problem: loaded.problem,
            playbooks: Arc::new(loaded.playbooks),
            policies: Arc::new(loaded.policies),
            exercises: Arc::new(loaded.exercises),
        });
        self.library.replace(Some(lib.clone()));
        Ok(lib)
    }

    /// The playbook in force with this id.
    pub fn playbook(&self, id: &str) -> Result<Playbook> {
        find(&self.in_force()?, id).cloned()
    }

    /// The playbooks in force, as the home screen lists them.
    pub fn playbooks(&self) -> Result<Vec<PlaybookSummary>> {
        Ok(summaries(&self.in_force()?))
    }

    /// Search across every playbook in force (title, situation, keywords, triggers, steps).
    pub fn search_playbooks(&self, query: &str) -> Result<Vec<Hit>> {
        Ok(search(&self.in_force()?, query))
    }

    /// One playbook in force for the playbook screen: grouped by phase and by role, each
    /// step's calls resolved to names and numbers.
    pub fn playbook_screen(&self, id: &str) -> Result<PlaybookScreen> {
        let list = self.call_list()?;
        Ok(PlaybookScreen::new(self.playbook(id)?, &list))
    }

    /// Every playbook in force, as [`App::playbook_screen`] shows each, for printing the
    /// whole pack as a binder.
    pub fn binder(&self) -> Result<Vec<PlaybookScreen>> {
        let list = self.call_list()?;
        Ok(self.in_force()?.iter().map(|p| PlaybookScreen::new(p.clone(), &list)).collect())
    }

    /// Pins the public key that signs this organisation's packs (admins).
    pub fn trust_pack_key(&self, public_key: &str) -> Result<()> {
        self.refuse_if_managed("the pack signing key")?;
        let key = pack::read_public_key(public_key).map_err(|e| PackStep::Trust.during(e))?;
        pack::trust(self.user()?, &key)
    }

    /// Imports a signed pack (admins); its playbooks are in force from now on.
    pub fn import_pack(&self, pack_text: &str) -> Result<PackInfo> {
        self.refuse_if_managed("the playbook pack")?;
        let info = pack::import(self.user()?, pack_text, self.now())?;
        self.library.replace(None);
        Ok(info)
    }
}

/// A playbook as the playbook screen and the printed binder show it: grouped by phase and
/// role, and for each step (in the playbook's order) whom it says to call, by name and
/// number where the call list has them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaybookScreen {
    #[serde(flatten)]
    pub view: PlaybookView,
    pub calls: Vec<Vec<CallLine>>,
}

impl PlaybookScreen {
    fn new(playbook: Playbook, list: &crate::contacts::calltree::WardCallList) -> Self {
        let calls = playbook.steps.iter().map(|s| call_lines(&s.calls, list)).collect();
        Self { view: PlaybookView::new(playbook), calls }
    }
}

/// The playbook with this id in a list.
pub fn find<'a>(playbooks: &'a [Playbook], id: &str) -> Result<&'a Playbook> {
    playbooks
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::PlaybookNotFound { id: id.to_owned() })
}

/// The built-in pack alone: what any workstation shows with no one signed in.
pub fn built_in() -> Result<Vec<Playbook>> {
    pack::in_force(&[])
}

/// Summaries of a list of playbooks, as the home screen and `playbook list` show them.
pub fn summaries(playbooks: &[Playbook]) -> Vec<PlaybookSummary> {
    playbooks.iter().map(|p| PlaybookSummary { id: p.id.clone(), title: p.title.clone() }).collect()
}

/// A playbook as terminal text: by phase, or one role's job action sheet.
pub fn sheet_text(playbooks: &[Playbook], id: &str, role: Option<&str>) -> Result<String> {
    let p = find(playbooks, id)?;
    match role {
        Some(role) => playbook::sheet::job_action_sheet(p, role),
        None => Ok(playbook::sheet::by_phase(p)),
    }
}

/// Checks playbook files or folders: every problem, as `file:line:column: message`.
pub fn validate_playbooks(paths: &[&Path]) -> Result<()> {
    let problems = playbook::validate_paths(paths);
    if problems.is_empty() { Ok(()) } else { Err(Error::PlaybookInvalid { diagnostics: problems }) }
}

/// A new pack signing key: (the secret key's file text, the public key to pin).
pub fn new_pack_key() -> Result<(Zeroizing<String>, String)> {
    pack::keygen()
}

/// Signs the playbooks in `dir` into a pack (each must pass the checker first). The
/// version defaults to the time of signing (`YYYYMMDDhhmmss`), which always grows.
pub fn sign_pack(
    dir: &Path,
    key_text: &str,
    version: Option<u64>,
    valid_days: u32,
    now: DateTime<Utc>,
) -> Result<(u64, String)> {
    let version = match version {
        Some(v) => v,
        None => now.format("%Y%m%d%H%M%S").to_string().parse().map_err(|_| Error::Invalid {
            what: "pack version",
            reason: "cannot be made from the date".into(),
        })?,
    };
    Ok((version, pack::sign(dir, key_text, version, valid_days, now)?))
}

/// Checks a pack against a public key (base64, or a file holding it): no store needed.
pub fn verify_pack(pack_text: &str, public_key: &str, now: DateTime<Utc>) -> Result<PackInfo> {
    Ok(pack::verify(pack_text, &pack::read_public_key(public_key)?, now)?.0)
}
