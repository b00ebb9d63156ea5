//! Who is at the workstation: the first-run setup, the lock screen, unlocking as a user or
//! with the ward's emergency code, locking (dropping every key), and the idle lock.
//! Monotonic time for the idle lock comes in as an argument (`now: Instant`), so it is
//! tested on a fake clock.

use std::time::{Duration, Instant};

use serde::Serialize;
use zeroize::Zeroizing;

use super::{App, State};
use crate::events::Event;
use crate::store::{Permission, RecoveryKey, Role, Session, Settings, Store};
use crate::{Error, Result};

/// Where the window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No store on this workstation yet: the first-run screen.
    Setup,
    /// The lock screen: no data, no key in memory.
    Locked,
    /// A user is signed in.
    Unlocked,
    /// Emergency (break-glass) access: ward records only, with a banner.
    Emergency,
}

/// The signed-in user, as the window shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub name: String,
    pub role: Role,
    pub must_change_passphrase: bool,
    /// Whether a situation button starts the playbook as an incident (incident leads and
    /// admins: the permission table) or opens the ward's steps (everyone else).
    pub starts_incidents: bool,
    /// Whether they read the asset register (admins and incident leads: the permission
    /// table), so the window offers its screen.
    pub reads_assets: bool,
    /// Whether they import and export it (admins).
    pub manages_assets: bool,
}

/// Everything the window needs to decide what to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub phase: Phase,
    pub user: Option<UserView>,
    /// The idle time after which the app locks.
    pub idle_lock_secs: u64,
    /// Seconds left before the idle lock (0 when locked).
    pub idle_remaining_secs: u64,
    /// The IANA zone people read times in (`App::zone`): the window shows every time in it.
    pub time_zone: &'static str,
    /// What IT manages on this workstation (`App::managed_view`).
    pub managed: super::managed::ManagedView,
}

/// What the lock screen shows: names for the picker, and whether emergency access exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockScreen {
    pub names: Vec<String>,
    pub emergency_available: bool,
}

pub(super) fn default_idle() -> Duration {
    minutes(Settings::default().idle_lock_minutes)
}

fn minutes(m: u32) -> Duration {
    Duration::from_secs(u64::from(m) * 60)
}

impl App {
    pub fn status(&self, now: Instant) -> Status {
        let (phase, user) = match &self.state {
            State::Locked if !self.store_path.exists() => (Phase::Setup, None),
            State::Locked => (Phase::Locked, None),
            State::Emergency(_) => (Phase::Emergency, None),
            State::User(s) => (
                Phase::Unlocked,
                Some(UserView {
                    name: s.user_name().to_owned(),
                    role: s.role(),
                    must_change_passphrase: s.must_change_passphrase(),
                    starts_incidents: s.role().may(Permission::CommandIncidents),
                    reads_assets: s.role().may(Permission::ReadAssets),
                    manages_assets: s.role().may(Permission::ManageAssets),
                }),
            ),
        };
        let remaining = match self.state {
            State::Locked => Duration::ZERO,
            _ => self.idle_limit.saturating_sub(now.saturating_duration_since(self.last_activity)),
        };
        Status {
            phase,
            user,
            idle_lock_secs: self.idle_limit.as_secs(),
            idle_remaining_secs: remaining.as_secs(),
            time_zone: self.zone().name(),
            managed: self.managed_view(),
        }
    }

    /// First run: creates the store and its first admin, who is then signed in. Returns the
    /// recovery key, to show once.
    pub fn setup(&mut self, admin: &str, passphrase: &[u8], now: Instant) -> Result<RecoveryKey> {
        let (session, recovery) =
            Store::create(&self.store_path, admin, passphrase, self.clock.clone())?;
        self.sign_in(session, now);
        Ok(recovery)
    }

    /// Opens the store ahead of the lock screen, so that the lock screen's first call finds
    /// it open (the desktop calls this on a thread of its own at start, while the window is
    /// made: opening checks the schema and installs the state's triggers, tens of
    /// milliseconds on a busy machine). Only the next `lock_screen` uses it; a failure here
    /// is left for that call to report.
    pub fn open_ahead(&mut self) {
        if matches!(self.state, State::Locked)
            && self.store_path.is_file()
            && let Ok(store) = self.open_store()
        {
            self.ahead.replace(Some(store));
        }
    }

    pub fn lock_screen(&self) -> Result<LockScreen> {
        let store = match self.ahead.take() {
            Some(store) => store,
            None => self.open_store()?,
        };
        Ok(LockScreen {
            names: store.lock_screen_names()?,
            emergency_available: store.has_emergency_code()?,
        })
    }

    /// Unlocks as a user. Uses of emergency access since the last full unlock are logged
    /// now (emergency access holds no key that writes the log), and every ward copy is
    /// compared with the main-scope truth it derives from, rewritten and logged if it
    /// differs (`ward::repair`).
    pub fn unlock(&mut self, name: &str, passphrase: &[u8], now: Instant) -> Result<Status> {
        self.lock();
        let session = self.open_store()?.unlock(name, passphrase)?;
        if !session.must_change_passphrase() {
            // Best effort: what is not logged now stays recorded and is logged next time.
            let _ = session.log_access_events(Event::of_access);
            // Best effort too: a full session never shows a ward copy (it reads the truth),
            // and a copy not repaired now is compared again at the next full unlock.
            let _ = super::ward::repair(&session);
            // A change of session: what an earlier one left unsigned (it was killed, or
            // the power went) is signed now if it is this person's, else declared.
            let _ = session.checkpoint_log();
        }
        self.sign_in(session, now);
        Ok(self.status(now))
    }

    /// Unlocks as `name` with the printed recovery key: they must set a new passphrase
    /// before anything else.
    pub fn unlock_with_recovery_key(
        &mut self,
        name: &str,
        recovery_key: &str,
        now: Instant,
    ) -> Result<Status> {
        self.lock();
        let session = self.open_store()?.unlock_with_recovery_key(name, recovery_key)?;
        self.sign_in(session, now);
        Ok(self.status(now))
    }

    /// The idle lock with the store's setting `local`: the managed idle lock is the longest
    /// the app waits, a local one may be shorter.
    pub(super) fn idle_limit_with(&self, local: Option<u32>) -> Duration {
        let managed = self.managed().and_then(|m| m.settings.idle_lock_minutes);
        match (local, managed) {
            (Some(l), Some(m)) => minutes(l.min(m)),
            (l, m) => l.or(m).map_or_else(default_idle, minutes),
        }
    }

    fn sign_in(&mut self, mut session: Session, now: Instant) {
        session.set_managed_zone(self.managed_zone());
        let local = session.settings().map(|s| s.idle_lock_minutes).ok();
        self.idle_limit = self.idle_limit_with(local);
        self.contact_tree.replace(None);
        self.asset_register.replace(None);
        self.kev_flags.replace(None);
        self.state = State::User(Box::new(session));
        self.last_activity = now;
        // Best effort: a managed pack not taken in now is in force over the store's all the
        // same, and is taken in at the next admin's sign-in.
        let _ = self.adopt_managed_pack();
        // Likewise a pack picked up from the fleet folder under someone else's session.
        let _ = self.adopt_fleet_pack();
        // Best effort too: the versions in force are kept at the next admin's sign-in.
        let _ = self.keep_policy_versions();
    }

    /// Break-glass access with the ward's code; the store records the use.
    pub fn unlock_emergency(&mut self, code: &[u8], now: Instant) -> Result<Status> {
        self.lock();
        let session = self.open_store()?.unlock_emergency(code)?;
        self.state = State::Emergency(Box::new(session));
        self.idle_limit = default_idle();
        self.last_activity = now;
        Ok(self.status(now))
    }

    /// Drops every key and what was read with them. The lock screen shows no data.
    pub fn lock(&mut self) {
        if let State::User(session) = &self.state {
            // Best effort: entries still unsigned (a key not certified yet, a store that
            // went away) are declared by the next person to write (`store::activity`).
            let _ = session.checkpoint_log();
        }
        self.state = State::Locked;
        self.ahead.replace(None);
        self.library.replace(None);
        self.contact_tree.replace(None);
        self.asset_register.replace(None);
        self.kev_flags.replace(None);
    }

    /// The person did something: the idle clock restarts.
    pub fn touch(&mut self, now: Instant) {
        if !matches!(self.state, State::Locked) {
            self.last_activity = now;
        }
    }

    /// Someone is signed in and the idle time has run out: the next tick locks.
    pub(super) fn idle_out(&self, now: Instant) -> bool {
        let idle = now.saturating_duration_since(self.last_activity);
        !matches!(self.state, State::Locked) && idle >= self.idle_limit
    }

    /// Locks if the idle time has run out. Returns true if this call locked.
    pub fn tick(&mut self, now: Instant) -> bool {
        if self.idle_out(now) {
            self.lock();
            return true;
        }
        if let State::User(session) = &self.state {
            // Best effort, as at lock: the entries stay chained and sealed either way.
            let _ = session.checkpoint_if_due();
        }
        false
    }

    /// The signed-in user sets their own passphrase.
    pub fn change_own_passphrase(&mut self, new_passphrase: &[u8]) -> Result<()> {
        let session = self.user_mut()?;
        let name = session.user_name().to_owned();
        session.change_passphrase(&name, new_passphrase)
    }

    /// The signed-in user's name.
    pub fn user_name(&self) -> Result<&str> {
        Ok(self.user()?.user_name())
    }
}

/// A recovery key or an emergency code, shown once.
pub fn shown_once(secret: &str) -> Zeroizing<String> {
    Zeroizing::new(secret.to_owned())
}

/// Refuses a signed-in user where only emergency access may act.
pub(super) fn emergency_only(what: &'static str, signed_in_does: &str) -> Error {
    Error::Invalid { what, reason: format!("signed-in users {signed_in_does} instead") }
}
