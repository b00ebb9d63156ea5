//! Packs picked up from the fleet folder (issue 22; `docs/fleet.md`): IT security drops a
//! signed pack into `FLEET_DIR/packs/`, and every workstation that publishes there picks it
//! up, with the checks of `caregiver pack import`: it must verify against the pack key this
//! store has pinned (a pack signed by any other key is left alone), must not have expired,
//! and must be newer than the pack in force (never a rollback).
//!
//! An admin's session takes it into the store (as `pack import` does). Anyone else's cannot
//! write the pack's records, so it is held in force over the store's in memory, and taken
//! into the store at the next admin's sign-in; the next publish picks it up again after a
//! restart. On a managed workstation whose policy forbids local changes to the pack, IT's
//! configuration decides and the folder's packs are not looked at.
//!
//! Reading the folder ([`read_fleet_packs`]) needs no session, so a front end reads a slow
//! share without holding the app; [`App::offer_fleet_packs`] then checks what was read.

use std::path::Path;

use serde::Serialize;

use super::App;
use crate::Result;
use crate::log::PublicKey;
use crate::managed::ManagedPack;
use crate::playbook::pack::{self, PACK_KEY, PackKey, SIGNED_PACK, SignedPack};
use crate::store::Permission;

/// The fleet folder's subfolder of signed packs.
pub const PACKS: &str = "packs";
/// At most this many files of `packs/` are read (the newest by name first is not assumed:
/// each is verified).
const MOST_FILES: usize = 20;

/// A pack picked up from the fleet folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickedUp {
    pub version: u64,
    /// Taken into the store (an admin's session); else in force until an admin's sign-in.
    pub imported: bool,
}

/// The texts of the files in `fleet_dir/packs/` (at most [`MOST_FILES`], each no larger
/// than an import file may be); nothing when the folder is missing or unreadable.
pub fn read_fleet_packs(fleet_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(fleet_dir.join(PACKS)) else { return Vec::new() };
    let mut names: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    names.sort();
    names
        .into_iter()
        .take(MOST_FILES)
        .filter(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.len() <= crate::limits::MAX_FILE_BYTES as u64)
        })
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

impl App {
    /// Reads the fleet folder's packs and offers them (the CLI's publish; see the module).
    pub fn pick_up_fleet_pack(&self) -> Result<Option<PickedUp>> {
        match self.fleet_dir()? {
            Some(dir) => self.offer_fleet_packs(&read_fleet_packs(&dir)),
            None => Ok(None),
        }
    }

    /// The window's pickup: the folder named with the app taken, its packs read with
    /// nothing of it held (a share that hangs delays no window command), then offered.
    /// Best effort: a pack not picked up now is looked for at the next publish.
    pub fn pick_up_fleet_pack_off_lock<G: std::ops::Deref<Target = App>>(
        take: impl Fn() -> G,
    ) -> Option<PickedUp> {
        let dir = take().fleet_dir().ok().flatten()?;
        let texts = read_fleet_packs(&dir);
        take().offer_fleet_packs(&texts).ok().flatten()
    }

    /// Of `texts` (packs read from the fleet folder), the newest that verifies against the
    /// pinned pack key and is newer than the pack in force: taken into the store by an
    /// admin's session, else held in force over it. `None` when none is.
    pub fn offer_fleet_packs(&self, texts: &[String]) -> Result<Option<PickedUp>> {
        if texts.is_empty() || self.refuse_if_managed("the playbook pack").is_err() {
            return Ok(None);
        }
        let session = self.user()?;
        let Some(PackKey(key)) = session.get::<PackKey>(PACK_KEY)? else { return Ok(None) };
        let key = PublicKey::parse(&key)?;
        let now = self.now();
        let Some((info, text)) = texts
            .iter()
            .filter_map(|t| pack::verify(t, key.as_bytes(), now).ok().map(|(i, _)| (i, t)))
            .max_by_key(|(i, _)| i.version)
        else {
            return Ok(None);
        };
        // Newer than the store's pack (its record and its state's version, so a record put
        // back from an older copy opens no way back) and the managed configuration's.
        let stored = session.get::<SignedPack>(SIGNED_PACK)?.map(|p| p.version);
        let managed = self.managed().and_then(|m| m.pack.as_ref()).map(|m| m.info.version);
        let current = stored.max(session.pack_version_in_force()?).max(managed);
        if current.is_some_and(|v| v >= info.version) {
            return Ok(None);
        }
        let version = info.version;
        let imported = session.role().may(Permission::ManagePacks);
        let held = self.fleet_pack.borrow().as_ref().map(|p| p.info.version);
        if !imported && held.is_some_and(|v| v >= version) {
            return Ok(None);
        }
        if imported {
            pack::import(session, text, now)?;
            self.fleet_pack.replace(None);
        } else {
            self.fleet_pack.replace(Some(ManagedPack { text: text.clone(), info, key }));
        }
        self.library.replace(None);
        Ok(Some(PickedUp { version, imported }))
    }

    /// At an admin's sign-in: takes the pack picked up from the fleet folder into the
    /// store, if one is held and still newer. Best effort: it stays in force either way.
    pub(super) fn adopt_fleet_pack(&self) -> Result<Option<PickedUp>> {
        let held = self.fleet_pack.borrow().as_ref().map(|p| p.text.clone());
        match held {
            Some(text) if self.user()?.role().may(Permission::ManagePacks) => {
                self.offer_fleet_packs(&[text])
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::admin;
    use crate::app::tests::{PASS, app, local_pack, start};
    use crate::playbook::pack::{SIGNED_PACK, SignedPack};
    use crate::store::Role;

    const SAM: &str = "Sam Staff";

    /// A staff member's publish picks the folder's pack up: in force for her at once, in
    /// the store from the next admin's sign-in on the same app. An expired pack, on the
    /// fake clock, is not picked up.
    #[test]
    fn a_staff_members_pickup_is_in_force_and_an_admins_sign_in_takes_it_in() {
        let (dir, mut app, clock, t0) = app();
        app.setup("Ada Admin", PASS, t0).unwrap();
        let fleet = dir.path().join("fleet");
        std::fs::create_dir_all(fleet.join(PACKS)).unwrap();
        app.set_fleet_dir(Some(fleet.to_str().unwrap())).unwrap();
        local_pack(dir.path(), 4);
        let playbooks = dir.path().join("local-playbooks-4");
        let (secret, public) = pack::keygen().unwrap();
        let pack4 = pack::sign(&playbooks, &secret, 4, 30, start()).unwrap();
        app.trust_pack_key(&public).unwrap();
        std::fs::write(fleet.join(PACKS).join("v4.pack"), &pack4).unwrap();
        let first = b"first passphrase 12";
        let sam = admin::NewUser {
            name: SAM,
            role: Role::Staff,
            first_passphrase: first,
            department: None,
        };
        app.add_user(sam).unwrap();
        app.lock();

        app.unlock(SAM, first, t0).unwrap();
        app.change_own_passphrase(b"second passphrase 34").unwrap();
        assert_eq!(
            app.pick_up_fleet_pack().unwrap(),
            Some(PickedUp { version: 4, imported: false })
        );
        assert_eq!(app.pack_info().unwrap().unwrap().version, 4);
        assert!(app.playbooks().unwrap().iter().any(|p| p.title == "EHR downtime (local)"));
        let stored = |app: &App| {
            app.user().unwrap().get::<SignedPack>(SIGNED_PACK).unwrap().map(|p| p.version)
        };
        assert_eq!(stored(&app), None);
        // Offered again: nothing new.
        assert_eq!(app.pick_up_fleet_pack().unwrap(), None);
        app.lock();

        app.unlock("Ada Admin", PASS, t0).unwrap();
        assert_eq!(stored(&app), Some(4));
        assert_eq!(app.pack_info().unwrap().unwrap().version, 4);

        // Version 6, signed for 30 days, 31 days on: expired, left alone.
        let pack6 = pack::sign(&playbooks, &secret, 6, 30, start()).unwrap();
        std::fs::write(fleet.join(PACKS).join("v6.pack"), pack6).unwrap();
        clock.advance(chrono::TimeDelta::days(31));
        assert_eq!(app.pick_up_fleet_pack().unwrap(), None);
    }
}
