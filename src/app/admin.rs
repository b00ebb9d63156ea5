//! Keeping the workstation: users and their departments, passphrases, the emergency
//! code, settings, the data key, backups. The store checks each permission with the role
//! held at the moment of the action.

use std::path::Path;

use zeroize::Zeroizing;

use super::App;
use crate::Result;
use crate::store::{
    RecoveryKey, Restored, Role, Settings, Store, UserInfo, generate_emergency_code,
};

/// A user to add: name, role, first passphrase (changed at their first unlock), and
/// department.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub role: Role,
    pub first_passphrase: &'a [u8],
    pub department: Option<&'a str>,
}

impl App {
    pub fn users(&self) -> Result<Vec<UserInfo>> {
        self.user()?.list_users()
    }

    /// Adds a user, with their department, in one write (admins).
    pub fn add_user(&mut self, user: NewUser<'_>) -> Result<()> {
        self.user_mut()?.add_user(user.name, user.role, user.first_passphrase, user.department)
    }

    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        self.user_mut()?.remove_user(name)
    }

    /// Sets a user's department, or clears it with an empty name (admins).
    pub fn set_department(&mut self, name: &str, department: &str) -> Result<()> {
        self.user_mut()?.set_department(name, Some(department))
    }

    /// Sets a new passphrase: the signed-in user's own, or (admins) someone else's, who
    /// must then change it at their next unlock.
    pub fn set_passphrase(&mut self, name: &str, new_passphrase: &[u8]) -> Result<()> {
        self.user_mut()?.change_passphrase(name, new_passphrase)
    }

    pub fn settings(&self) -> Result<Settings> {
        self.user()?.settings()
    }

    /// Sets the workstation's time zone (an IANA name), or `None` for the system's: every
    /// time a person reads follows it. Admins.
    pub fn set_time_zone(&mut self, zone: Option<&str>) -> Result<()> {
        self.refuse_if_managed("the time zone")?;
        self.user()?.set_time_zone(zone)
    }

    /// Sets the idle lock (admins); it applies to this window at once, never longer than
    /// the managed idle lock.
    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<()> {
        self.refuse_if_managed("the idle lock")?;
        self.user()?.set_idle_lock_minutes(minutes)?;
        self.idle_limit = self.idle_limit_with(Some(minutes));
        Ok(())
    }

    /// Sets the ward's emergency code (admins); an old code stops working.
    pub fn set_emergency_code(&mut self, code: &[u8]) -> Result<()> {
        self.user_mut()?.set_emergency_code(code)
    }

    /// Makes a new emergency code, sets it (retiring the old one) and returns it to print.
    pub fn new_emergency_code(&mut self) -> Result<Zeroizing<String>> {
        let code = generate_emergency_code()?;
        self.set_emergency_code(code.as_bytes())?;
        Ok(code)
    }

    /// Makes a new recovery key (admins): every key is wrapped to it, and the old printed
    /// key opens nothing any more. Show it once.
    pub fn new_recovery_key(&mut self) -> Result<RecoveryKey> {
        self.user_mut()?.new_recovery_key()
    }

    /// Re-seals every record under a new data key (admins).
    pub fn rotate_data_key(&mut self) -> Result<()> {
        self.user_mut()?.rotate_data_key()
    }

    /// Writes a consistent, still-sealed copy of the store to `dest` (admins).
    pub fn backup(&self, dest: &Path) -> Result<()> {
        self.user()?.backup(dest)
    }

    /// Replaces this app's store with `backup`, after checking that `name` is an admin of
    /// both the store in place and the backup (the same passphrase opens both) and that the
    /// backup is sound. Nothing is replaced unless every check passes. Says whose store the
    /// backup is. Locks first: the keys in memory belong to the store being replaced.
    pub fn restore(&mut self, backup: &Path, name: &str, passphrase: &[u8]) -> Result<Restored> {
        self.lock();
        Store::restore(&self.store_path, backup, name, passphrase, self.clock.clone())
    }
}
