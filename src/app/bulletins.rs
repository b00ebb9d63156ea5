//! Threat bulletins through the application layer: an admin imports a signed bulletin
//! (checked against the pinned pack key, or the managed configuration's keys); everyone
//! sees those addressed to them until they acknowledge them (the window's banner); admins
//! and incident leads see which assets of the register run the affected products and how
//! many of the audience have read each.

use serde::Serialize;

use super::App;
use crate::Result;
use crate::bulletin::{self, Bulletin};
use crate::kev::matching::Index;
use crate::playbook::pack::{PACK_KEY, PackKey};
use crate::store::Permission;

/// A bulletin as a screen shows it to the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulletinView {
    #[serde(flatten)]
    pub bulletin: Bulletin,
    pub expired: bool,
    /// Addressed to the signed-in person, and whether they have acknowledged it.
    pub for_me: bool,
    pub acknowledged: bool,
    /// For admins and incident leads: the assets it affects, in words and by id, and how
    /// many of its audience have acknowledged it, of how many.
    pub assets: Option<Vec<String>>,
    pub assets_words: Option<String>,
    pub receipts: Option<(usize, usize)>,
}

impl App {
    /// Imports a signed bulletin (admins): refused when forged, signed by another key than
    /// the one pinned, or expired.
    pub fn import_bulletin(&self, signed: &str) -> Result<BulletinView> {
        let session = self.user()?;
        session.require(Permission::ManageTraining, "import a threat bulletin")?;
        let pinned = session
            .get::<PackKey>(PACK_KEY)?
            .and_then(|k| crate::playbook::pack::read_public_key(&k.0).ok());
        let managed: Vec<Vec<u8>> = self
            .managed()
            .map(|m| m.keys.iter().map(|k| k.as_bytes().to_vec()).collect())
            .unwrap_or_default();
        let today = self.today();
        let mut found = bulletin::verify(signed, pinned.as_deref(), today);
        for key in &managed {
            if found.is_ok() {
                break;
            }
            found = bulletin::verify(signed, Some(key), today);
        }
        let kept = session.keep_bulletin(found?)?;
        let id = kept.bulletin.id;
        self.bulletins()?
            .into_iter()
            .find(|b| b.bulletin.id == id)
            .ok_or(crate::Error::SessionEnded)
    }

    /// Every bulletin imported, newest first, as the signed-in person sees it.
    pub fn bulletins(&self) -> Result<Vec<BulletinView>> {
        let session = self.user()?;
        let users = session.list_users()?;
        let me = users
            .iter()
            .find(|u| u.name == session.user_name())
            .ok_or(crate::Error::UserNotFound)?;
        let receipts = bulletin::receipts(&session.events(None)?);
        let reads_assets = session.role_now()?.may(Permission::ReadAssets);
        let register = if reads_assets { Some(self.register()?) } else { None };
        let index = register.as_deref().map(|r| Index::new(r));
        let today = self.today();
        let mut out = Vec::new();
        for (_, kept) in session.bulletins()? {
            let b = kept.bulletin;
            let read = |name: &str| {
                receipts.iter().any(|(who, id)| who.eq_ignore_ascii_case(name) && *id == b.id)
            };
            let assets = index.as_ref().map(|ix| bulletin::affected_assets(&b, ix));
            let assets_words = assets.as_ref().map(|list| match list.len() {
                0 => "no asset in the register runs an affected product".to_owned(),
                1 => "1 asset in the register runs an affected product".to_owned(),
                n => format!("{n} assets in the register run an affected product"),
            });
            let audience: Vec<_> = users.iter().filter(|u| b.audience.covers(u)).collect();
            out.push(BulletinView {
                expired: b.expires < today,
                for_me: b.audience.covers(me),
                acknowledged: read(&me.name),
                assets: assets.map(|l| l.iter().map(|a| a.id.clone()).collect()),
                assets_words,
                receipts: reads_assets
                    .then(|| (audience.iter().filter(|u| read(&u.name)).count(), audience.len())),
                bulletin: b,
            });
        }
        Ok(out)
    }

    /// The bulletins the signed-in person is still to read: addressed to them, not expired,
    /// not acknowledged (the window's banner).
    pub fn my_bulletins(&self) -> Result<Vec<BulletinView>> {
        Ok(self
            .bulletins()?
            .into_iter()
            .filter(|b| b.for_me && !b.acknowledged && !b.expired)
            .collect())
    }

    /// The signed-in person acknowledges a bulletin addressed to them, under their own
    /// unlock: the read receipt.
    pub fn acknowledge_bulletin(&self, id: &str) -> Result<BulletinView> {
        let session = self.user()?;
        let (_, kept) =
            session.bulletins()?.into_iter().find(|(_, k)| k.bulletin.id == id).ok_or_else(
                || crate::Error::Invalid {
                    what: "bulletin",
                    reason: format!(
                        "no bulletin `{}` is on this workstation",
                        crate::limits::quoted(id)
                    ),
                },
            )?;
        let me = session
            .list_users()?
            .into_iter()
            .find(|u| u.name == session.user_name())
            .ok_or(crate::Error::UserNotFound)?;
        session.acknowledge_bulletin(&kept.bulletin, &me)?;
        self.bulletins()?
            .into_iter()
            .find(|b| b.bulletin.id == id)
            .ok_or(crate::Error::SessionEnded)
    }
}

/// Signs a bulletin file with the organisation's signing key (no store needed).
pub fn sign_bulletin(file: &str, text: &str, key_text: &str) -> Result<String> {
    bulletin::sign(file, text, key_text)
}

/// Checks a bulletin file (no store needed): every problem at its place.
pub fn validate_bulletin(file: &str, text: &str) -> Result<()> {
    bulletin::format::parse(file, text)
        .map(|_| ())
        .map_err(|diagnostics| crate::Error::BulletinInvalid { diagnostics })
}
