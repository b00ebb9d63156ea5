//! The managed configuration in force (`crate::managed`): what IT pushed to this
//! workstation, read once per process from the platform's system-wide place. Its signed
//! pack is in force over the store's unless the store's is newer (no rollback); its time
//! zone is the one times read in; its idle lock is the longest the app waits; and when its
//! policy forbids local changes, no local admin changes the pack, the pinned key or these
//! settings (`managed`). When an admin signs in (the first admin, at setup, included) and
//! the managed pack is newer than the store's, it is imported into the store, its key
//! pinned in place of any other, with the import's checks (signature, expiry, no
//! rollback): the store, and the ward's copies, then hold the last good managed pack, so a
//! configuration pushed broken later leaves that pack in force. A configuration with
//! problems changes nothing: the app goes on with what the store holds, and the window
//! says why.

use std::path::PathBuf;

use serde::Serialize;

use super::App;
use crate::managed::{self, Managed};
use crate::playbook::pack::{self, PACK_KEY, PackInfo, PackKey, SIGNED_PACK, SignedPack};
use crate::store::Permission;
use crate::{Error, Result};

/// The managed configuration as read at the first need.
#[derive(Debug)]
pub(super) enum ManagedState {
    /// No `managed.toml` in the place looked at.
    None,
    Good(Box<Managed>),
    /// Its problems, each naming its file.
    Bad(Vec<String>),
}

/// What the window and the CLI say of the managed configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedView {
    pub managed_by: Option<String>,
    /// The ward or unit this workstation serves, as IT names it (the window's footer).
    pub ward_label: Option<String>,
    /// Why the managed configuration is not in force (the app goes on without it).
    pub problem: Option<String>,
    pub forbid_local_changes: bool,
}

impl App {
    /// Reads the managed configuration from `dir` instead of the platform's place.
    pub fn with_managed_dir(mut self, dir: PathBuf) -> Self {
        self.managed_dir = Some(dir);
        self
    }

    pub(super) fn managed_state(&self) -> &ManagedState {
        self.managed.get_or_init(|| {
            let dir = self.managed_dir.clone().unwrap_or_else(managed::system_dir);
            match managed::load(&dir, self.now()) {
                Ok(None) => ManagedState::None,
                Ok(Some(m)) => ManagedState::Good(Box::new(m)),
                Err(problems) => {
                    ManagedState::Bad(problems.iter().map(ToString::to_string).collect())
                }
            }
        })
    }

    /// The managed configuration in force, if there is a good one.
    pub(super) fn managed(&self) -> Option<&Managed> {
        match self.managed_state() {
            ManagedState::Good(m) => Some(m),
            _ => None,
        }
    }

    /// The zone the managed configuration sets, if any.
    pub(super) fn managed_zone(&self) -> Option<crate::words::Zone> {
        let name = self.managed()?.settings.time_zone.as_deref()?;
        crate::words::Zone::named(name).ok()
    }

    /// The folder the window saves exports in, when IT's configuration names one.
    pub fn exports_dir(&self) -> Option<PathBuf> {
        self.managed()?.settings.exports_dir.clone()
    }

    /// What IT manages here, for the window's banner and `caregiver settings show`.
    pub fn managed_view(&self) -> ManagedView {
        match self.managed_state() {
            ManagedState::None => ManagedView {
                managed_by: None,
                ward_label: None,
                problem: None,
                forbid_local_changes: false,
            },
            ManagedState::Good(m) => ManagedView {
                managed_by: Some(m.managed_by.clone()),
                ward_label: m.settings.ward_label.clone(),
                problem: None,
                forbid_local_changes: m.policy.forbid_local_changes,
            },
            ManagedState::Bad(problems) => ManagedView {
                managed_by: None,
                ward_label: None,
                problem: Some(format!(
                    "the managed configuration has problems, so it is not in force: {}",
                    problems.join("; ")
                )),
                forbid_local_changes: false,
            },
        }
    }

    /// Refuses a local change to `what` when the managed policy forbids local changes.
    pub(super) fn refuse_if_managed(&self, what: &'static str) -> Result<()> {
        match self.managed() {
            Some(m) if m.policy.forbid_local_changes => {
                Err(Error::Managed { what, by: m.managed_by.clone() })
            }
            _ => Ok(()),
        }
    }

    /// Imports the managed pack into the store when the signed-in user may import packs
    /// and it is newer than the store's (see the module's documentation): `None` when
    /// there was nothing to do.
    pub(super) fn adopt_managed_pack(&self) -> Result<Option<PackInfo>> {
        let Some(m) = self.managed().and_then(|m| m.pack.as_ref()) else { return Ok(None) };
        let session = self.user()?;
        if !session.role().may(Permission::ManagePacks) {
            return Ok(None);
        }
        // The state's version first (a small row): at most sign-ins there is nothing to do,
        // and the pack itself need not be opened to know it.
        let in_state = session.pack_version_in_force()?;
        if in_state.is_some_and(|v| v >= m.info.version) {
            return Ok(None);
        }
        let stored = session.get::<SignedPack>(SIGNED_PACK)?.map(|p| p.version);
        if stored.is_some_and(|v| v >= m.info.version) {
            return Ok(None);
        }
        let key = data_encoding::BASE64.encode(m.key.as_bytes());
        if session.get::<PackKey>(PACK_KEY)?.map(|k| k.0) != Some(key) {
            pack::trust(session, m.key.as_bytes())?;
        }
        let info = pack::import(session, &m.text, self.now())?;
        self.library.replace(None);
        Ok(Some(info))
    }
}
