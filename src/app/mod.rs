//! The application layer: the one place the front ends reach the core. The window
//! (`src-tauri`) and the CLI (`src/main.rs`, `src/cli/`) each parse their input, call one
//! method of [`App`] and format its result; every rule that is not a domain's own (who is
//! signed in, which playbooks are in force, what time it is, what a screen needs) is here,
//! once.
//!
//! An [`App`] holds one store file's session state: no store yet, locked, a user's
//! session or emergency access; the idle lock; the injected clock; and the playbooks in
//! force, loaded once and reloaded when the pack in force changes. Methods are split by
//! feature: [`session`] (unlock, lock, idle), [`library`] (playbooks and packs),
//! [`incidents`], [`deadlines`] (the legal clocks across incidents), [`breaches`] (the
//! breach risk assessment and the breach register), [`forensics`] (evidence, custody,
//! indicators of compromise, the forensics summary), [`calls`], [`contacts`], [`training`], [`assets`], [`risk`] and
//! [`hicp`] and [`kev`] (the asset and risk registers, the HICP self-assessment and the KEV
//! catalogue matched against the assets), [`policies`] (the written policies and their
//! acknowledgments), [`bulletins`] (signed threat bulletins and their read receipts), [`admin`] (users and the
//! workstation), [`records`] (the activity log and exports) and `ward` (the ward copies,
//! checked against the main-scope truth at every full unlock).

pub mod admin;
pub mod assets;
pub mod breaches;
pub mod bulletins;
pub mod calls;
mod clock;
pub mod contacts;
pub mod deadlines;
pub mod exercises;
pub mod fleet;
mod fleet_pack;
pub mod forensics;
pub mod hicp;
pub mod hics;
pub mod incidents;
pub mod kev;
pub mod library;
pub mod managed;
pub mod policies;
pub mod records;
pub mod risk;
pub mod session;
pub mod siem;
pub mod training;
mod ward;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use clock::SystemClock;
pub use session::{LockScreen, Phase, Status, UserView};

use crate::clock::SharedClock;
use crate::contacts::Contact;
use crate::playbook::Playbook;
use crate::store::{EmergencySession, Session, Store};
use crate::{Error, Result};

#[derive(Debug)]
enum State {
    Locked,
    User(Box<Session>),
    Emergency(Box<EmergencySession>),
}

/// The playbooks in force as one load found them, and the versions of the records they
/// came from: (emergency access or not, (signed pack, pinned key)).
#[derive(Debug, Clone)]
struct Library {
    versions: (bool, (Option<i64>, Option<i64>)),
    /// The imported pack in force (`None`: the built-in pack is).
    info: Option<crate::playbook::pack::PackInfo>,
    /// Why the imported pack is not in force, when it is not.
    problem: Option<String>,
    playbooks: Arc<Vec<Playbook>>,
    /// The written policies in force (the built-in ones with the pack's over them).
    policies: Arc<Vec<crate::policy::Policy>>,
    /// The exercise packages in force (the built-in ones with the pack's over them).
    exercises: Arc<Vec<crate::exercise::Package>>,
}

impl Library {
    fn problem(&self) -> Option<Error> {
        let step = crate::playbook::pack::PackStep::Load;
        self.problem.as_ref().map(|reason| Error::PackRejected { step, reason: reason.clone() })
    }
}

/// A record as read (the contact tree, the asset register), and the version of its record
/// then (`None`: none yet): still what the record holds while the version is.
#[derive(Debug)]
struct Cached<T> {
    version: Option<i64>,
    value: Arc<T>,
}

/// One store file's application state. See the module documentation.
#[derive(Debug)]
pub struct App {
    store_path: PathBuf,
    clock: SharedClock,
    state: State,
    idle_limit: Duration,
    last_activity: Instant,
    library: RefCell<Option<Arc<Library>>>,
    modules: std::cell::OnceCell<Arc<Vec<crate::training::Module>>>,
    /// The contact tree as last read, with its record's version (`None`: no tree yet): read
    /// and opened again only when the version changes. The reminder ticker needs the tree
    /// every ten seconds, while holding the app, and opening 20,000 contacts takes tens of
    /// milliseconds. Dropped with the keys, on lock.
    contact_tree: RefCell<Option<Cached<Vec<Contact>>>>,
    /// The asset register as last read, likewise (filtering 20,000 assets must not open
    /// them each time). Dropped with the keys, on lock.
    asset_register: RefCell<Option<Cached<Vec<crate::assets::Asset>>>>,
    /// The KEV entries each asset is past due on, for the versions of the register and the
    /// catalogue and the date they were worked out for.
    #[allow(clippy::type_complexity)]
    kev_flags: RefCell<
        Option<((Option<i64>, Option<i64>, chrono::NaiveDate), Arc<crate::assets::KevFlags>)>,
    >,
    /// Reminders already announced (incident, step, due): each is announced once.
    announced: std::collections::HashSet<(String, String, DateTime<Utc>)>,
    /// The store opened ahead of the lock screen (`open_ahead`), for its first call only.
    ahead: RefCell<Option<Store>>,
    /// The managed configuration, read at the first need (`managed.rs`), and where from
    /// (`None`: the platform's place).
    managed: std::cell::OnceCell<managed::ManagedState>,
    managed_dir: Option<PathBuf>,
    /// A signed pack newer than the one in force, picked up from the fleet folder and
    /// verified against the pinned key (`fleet_pack.rs`): in force over the store's until
    /// an admin's session takes it into the store.
    fleet_pack: RefCell<Option<crate::managed::ManagedPack>>,
    /// What publishing to the fleet folder left to show or to finish (`fleet.rs`).
    fleet: RefCell<fleet::Memory>,
}

/// An app dropped (the CLI's command done, the window closed) locks first, so the
/// session's entries are signed (`App::lock`).
impl Drop for App {
    fn drop(&mut self) {
        self.lock();
    }
}

impl App {
    /// The app for the store at `store_path` (which need not exist yet), locked, on
    /// `clock`. `now` starts the idle clock.
    pub fn new(store_path: PathBuf, clock: SharedClock, now: Instant) -> Self {
        Self {
            store_path,
            clock,
            state: State::Locked,
            idle_limit: session::default_idle(),
            last_activity: now,
            library: RefCell::new(None),
            fleet_pack: RefCell::new(None),
            modules: std::cell::OnceCell::new(),
            contact_tree: RefCell::new(None),
            asset_register: RefCell::new(None),
            kev_flags: RefCell::new(None),
            announced: Default::default(),
            ahead: RefCell::new(None),
            managed: std::cell::OnceCell::new(),
            managed_dir: None,
            fleet: RefCell::default(),
        }
    }

    pub fn store_path(&self) -> &Path {
        &self.store_path
    }

    /// Now, by the app's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The zone people read times in: the managed configuration's, else the one an admin
    /// set for this workstation (readable once signed in), else the system's.
    pub fn zone(&self) -> crate::words::Zone {
        match &self.state {
            // The session's (the managed one given it at sign-in, else the store's setting,
            // else the system's): the same zone its legal clocks count days in.
            State::User(s) => s.zone(),
            _ => self.managed_zone().unwrap_or_else(crate::words::Zone::system),
        }
    }

    /// The store file, opened (locked).
    fn open_store(&self) -> Result<Store> {
        Store::open(&self.store_path, self.clock.clone())
    }

    /// The signed-in user's session.
    fn user(&self) -> Result<&Session> {
        match &self.state {
            State::User(s) => Ok(s),
            _ => Err(Error::Locked),
        }
    }

    fn user_mut(&mut self) -> Result<&mut Session> {
        match &mut self.state {
            State::User(s) => Ok(s),
            _ => Err(Error::Locked),
        }
    }

    /// The emergency session, under break-glass access.
    fn emergency(&self) -> Result<&EmergencySession> {
        match &self.state {
            State::Emergency(e) => Ok(e),
            _ => Err(Error::Locked),
        }
    }

    /// The training modules (the built-in set), read once.
    fn modules(&self) -> Result<Arc<Vec<crate::training::Module>>> {
        if let Some(m) = self.modules.get() {
            return Ok(m.clone());
        }
        let loaded = Arc::new(crate::training::embedded()?);
        Ok(self.modules.get_or_init(|| loaded).clone())
    }
}

#[cfg(test)]
mod tests;
