//! The asset register through the application layer: listing it (admins and incident
//! leads) with each asset's patch status on the workstation's date, how far behind the
//! fleet is by tier, and importing (with a preview) and exporting it as CSV (admins).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::App;
use crate::Result;
use crate::assets::{self, Asset, AssetRegister, AssetView, Filter};
use crate::csv_table::RowProblem;
use crate::limits::Listed;
use crate::playbook::format::RegisterView;
use crate::store::Permission;

/// What importing a register file (assets, risks) does, or would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterPreview {
    /// Rows that can be imported.
    pub good: usize,
    /// The bad rows' problems as `line N: message`, the first 100 listed, the rest counted.
    pub problems: Listed<String>,
    /// How many rows have problems (left out when the bad rows are skipped).
    pub bad_rows: usize,
    /// Against the register now, by id.
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// The import replaced the register.
    pub imported: bool,
}

/// What importing an asset file does, or would do.
pub type AssetPreview = RegisterPreview;

impl RegisterPreview {
    /// The rows a file gave (with their lines) and its problems, against `current`, each
    /// row known by `id`.
    pub(super) fn of<T: PartialEq>(
        rows: &[(usize, T)],
        problems: &[RowProblem],
        current: &[T],
        id: fn(&T) -> &str,
    ) -> Self {
        let old: HashMap<&str, &T> = current.iter().map(|r| (id(r), r)).collect();
        let (mut added, mut changed) = (0, 0);
        for (_, r) in rows {
            match old.get(id(r)) {
                None => added += 1,
                Some(o) if *o != r => changed += 1,
                Some(_) => {}
            }
        }
        RegisterPreview {
            good: rows.len(),
            problems: Listed::of(problems.iter().map(ToString::to_string)),
            bad_rows: problems.iter().map(|p| p.line).collect::<BTreeSet<_>>().len(),
            added,
            changed,
            removed: current.len() - (rows.len() - added),
            imported: false,
        }
    }

    /// Whether the rows may replace the register: not while a row has a problem unless the
    /// bad rows are skipped, and not when nothing is left (`what`: "assets", `one`: "asset").
    pub(super) fn admit(&self, skip_bad_rows: bool, what: &'static str, one: &str) -> Result<()> {
        if !self.problems.is_empty() && !skip_bad_rows {
            return Err(crate::Error::ImportRejected { problems: self.problems.clone() });
        }
        if self.good == 0 {
            return Err(crate::Error::Invalid {
                what,
                reason: format!("the file holds no {one} to import"),
            });
        }
        Ok(())
    }
}

/// One tier's patch standing: how many assets, how many behind the latest version, how
/// many overdue, how many past their vendor's end of support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierStanding {
    pub tier: u8,
    pub assets: usize,
    pub behind: usize,
    pub overdue: usize,
    pub unsupported: usize,
}

/// What of the asset register a playbook step shows (`register = "..."`): the agreed
/// restore order (the assets with a place in it, in order), or the medical devices (to find
/// one by its tag). `assets` is `None` for a person who may not read the register: the
/// window and the CLI say who can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterPanel {
    pub view: RegisterView,
    pub assets: Option<Vec<AssetView>>,
}

impl RegisterPanel {
    pub(super) fn of(view: RegisterView, register: Option<(&[Asset], chrono::NaiveDate)>) -> Self {
        let assets = register.map(|(list, today)| {
            assets::list(list, Filter::default(), today, &assets::KevFlags::new())
                .into_iter()
                .filter(|v| match view {
                    RegisterView::Devices => v.asset.kind == assets::AssetKind::MedicalDevice,
                    RegisterView::RestoreOrder => v.asset.restore_order.is_some(),
                })
                .collect()
        });
        RegisterPanel { view, assets }
    }
}

impl App {
    /// The medical device whose asset tag (or serial number) is `tag`, ignoring case, dashes and
    /// spaces (admins and incident leads).
    pub fn asset_by_tag(&self, tag: &str) -> Result<AssetView> {
        let norm =
            |t: &str| t.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
        let want = norm(tag);
        assets::list(&self.register()?, Filter::default(), self.today(), &*self.kev_flags()?)
            .into_iter()
            .find(|v| v.asset.asset_tag.as_deref().is_some_and(|t| norm(t) == want))
            .ok_or_else(|| crate::Error::Invalid {
                what: "asset tag",
                reason: format!(
                    "no asset in the register has the tag `{}`",
                    crate::limits::quoted(tag)
                ),
            })
    }

    /// The register (admins and incident leads), opened again only when its record has a
    /// new version: who may read it is checked at every call.
    pub(super) fn register(&self) -> Result<Arc<Vec<Asset>>> {
        let session = self.user()?;
        session.require(Permission::ReadAssets, "read the asset register")?;
        let version = session.version_of::<AssetRegister>(assets::REGISTER)?;
        if let Some(read) = self.asset_register.borrow().as_ref()
            && read.version == version
        {
            return Ok(read.value.clone());
        }
        // The version is read first: a write in between makes the copy look older than it
        // is, so it is read again next time, never kept when stale.
        let list = Arc::new(session.assets()?);
        self.asset_register.replace(Some(super::Cached { version, value: list.clone() }));
        Ok(list)
    }

    /// The register as lists show it (admins and incident leads): in restore order, with
    /// patch status and the KEV entries each is past due on; `filter` keeps the overdue
    /// (by patch or by KEV) or unsupported ones, or one tier.
    pub fn assets(&self, filter: Filter) -> Result<Vec<AssetView>> {
        Ok(assets::list(&self.register()?, filter, self.today(), &*self.kev_flags()?))
    }

    /// The KEV entries each asset is past due on, worked out again only when the register,
    /// the catalogue or the date changes.
    fn kev_flags(&self) -> Result<Arc<assets::KevFlags>> {
        let session = self.user()?;
        let versions = (
            session.version_of::<AssetRegister>(assets::REGISTER)?,
            session.version_of::<crate::kev::KevCatalogue>(crate::kev::CATALOGUE)?,
            self.today(),
        );
        if let Some((v, flags)) = self.kev_flags.borrow().as_ref()
            && *v == versions
        {
            return Ok(flags.clone());
        }
        let flags = Arc::new(crate::kev::overdue_flags(
            &session.kev()?.entries,
            &self.register()?,
            versions.2,
        ));
        self.kev_flags.replace(Some((versions, flags.clone())));
        Ok(flags)
    }

    /// How far behind the fleet is, by tier (admins and incident leads).
    pub fn assets_behind(&self) -> Result<Vec<TierStanding>> {
        let list = self.register()?;
        Ok(assets::behind_by_tier(&list, self.today())
            .into_iter()
            .map(|(tier, assets, behind, overdue, unsupported)| TierStanding {
                tier,
                assets,
                behind,
                overdue,
                unsupported,
            })
            .collect())
    }

    /// How far behind the fleet is, by tier, as a chart the core draws (admins and
    /// incident leads).
    pub fn assets_behind_chart(&self) -> Result<String> {
        assets::report::behind_chart(&self.register()?, self.today())
    }

    fn parse_assets(&self, bytes: &[u8]) -> Result<assets::csv::Parsed> {
        let ids: Vec<String> = self.in_force()?.iter().map(|p| p.id.clone()).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assets::csv::parse(bytes, &ids)
    }

    /// What importing an asset file would do (admins): nothing is written.
    pub fn preview_assets(&self, bytes: &[u8]) -> Result<AssetPreview> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "change the asset register")?;
        let parsed = self.parse_assets(bytes)?;
        Ok(RegisterPreview::of(&parsed.assets, &parsed.problems, &self.register()?, |a| &a.id))
    }

    /// Imports an asset file, replacing the register (admins). A file with bad rows
    /// imports nothing unless `skip_bad_rows`; then the good rows replace the register
    /// (rows that depend on a bad row are left out with it).
    pub fn import_assets(&self, bytes: &[u8], skip_bad_rows: bool) -> Result<AssetPreview> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "change the asset register")?;
        let parsed = self.parse_assets(bytes)?;
        let mut preview =
            RegisterPreview::of(&parsed.assets, &parsed.problems, &self.register()?, |a| &a.id);
        preview.admit(skip_bad_rows, "assets", "asset")?;
        session.replace_assets(parsed.assets.into_iter().map(|(_, a)| a).collect())?;
        preview.imported = true;
        Ok(preview)
    }

    /// The register printable, dated (admins and incident leads: what they read on screen).
    pub fn asset_report(&self) -> Result<super::records::Export> {
        let list = self.register()?;
        let printed = self.zone().minute(self.now());
        let html = assets::report::html(&list, self.today(), &printed, &*self.kev_flags()?)?;
        Ok(super::records::Export {
            file_name: "asset-register.html".into(),
            bytes: html.into_bytes(),
        })
    }

    /// The register as CSV (admins): the whole list of weaknesses in one file.
    pub fn export_assets(&self) -> Result<super::records::Export> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "export the asset register")?;
        session.check_state()?;
        let bytes = assets::csv::write(&session.assets()?)?;
        Ok(super::records::Export { file_name: "asset-register.csv".into(), bytes })
    }
}
