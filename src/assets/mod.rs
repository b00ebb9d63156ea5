//! The asset register (issue 17): the organisation's critical systems, data sets and
//! medical devices, with their clinical priority, recovery objectives, restore order,
//! dependencies, downtime procedure, the device details a biomedical team keeps, and patch
//! status. It is what a ransomware playbook's "restore in the agreed order" and a medical
//! device playbook's "the device inventory" point at, kept where it is when the network is
//! down.
//!
//! One sealed record holds the whole register (`Kind::Asset`, signed by the admins' key):
//! an import replaces it in one write. It lists weaknesses (unsupported systems, patches
//! behind), so admins and incident leads read it and no one else sees anything of it
//! (`Permission::ReadAssets`); admins replace and export it (`Permission::ManageAssets`).
//! The CSV it is imported from and exported to is [`csv`] (`docs/assets.md`); [`report`]
//! prints it.

pub mod csv;
pub mod report;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::store::{Kind, Permission, Record, Session};
use crate::{Error, Result};

/// What an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    System,
    DataSet,
    MedicalDevice,
}

impl AssetKind {
    pub const ALL: [(&'static str, AssetKind); 3] = [
        ("system", AssetKind::System),
        ("data-set", AssetKind::DataSet),
        ("medical-device", AssetKind::MedicalDevice),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::System => "system",
            AssetKind::DataSet => "data-set",
            AssetKind::MedicalDevice => "medical-device",
        }
    }
}

/// The clinical priority tiers, most critical first (id, what it means).
pub const TIERS: [(u8, &str); 4] = [
    (1, "life-critical: patient care is at risk within minutes without it"),
    (2, "care-critical: care slows or moves to paper within hours"),
    (3, "business-critical: billing, scheduling and the like"),
    (4, "other"),
];

/// How many days an asset may go without the latest version before its patch is overdue.
/// One window for every tier until the organisation's patch policy is set in the app.
pub const PATCH_WINDOW_DAYS: i64 = 30;

/// One asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// Its id, as the CMDB or maintenance system names it (the id rule of the app).
    pub id: String,
    pub name: String,
    pub kind: AssetKind,
    pub owner: Option<String>,
    pub location: Option<String>,
    pub network_segment: Option<String>,
    /// 1 (life-critical) to 4.
    pub tier: u8,
    pub rto_hours: Option<u32>,
    pub rpo_hours: Option<u32>,
    /// Its place in the restore order (1 first).
    pub restore_order: Option<u32>,
    /// The ids of the assets it needs.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The playbook whose downtime procedure to follow when it is down.
    pub downtime_playbook: Option<String>,
    // Medical devices.
    pub make: Option<String>,
    pub model: Option<String>,
    pub asset_tag: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub firmware: Option<String>,
    /// The vendor's end of support for it (or its operating system).
    pub end_of_support: Option<NaiveDate>,
    #[serde(default)]
    pub mds2_on_file: bool,
    #[serde(default)]
    pub sbom_on_file: bool,
    pub compensating_controls: Option<String>,
    // Patch and firmware status.
    pub installed_version: Option<String>,
    pub latest_version: Option<String>,
    pub last_patched: Option<NaiveDate>,
    /// Patched only with the vendor's validated updates (many medical devices).
    #[serde(default)]
    pub vendor_validated_only: bool,
}

/// The whole register, in file order: one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssetRegister(pub Vec<Asset>);

impl Record for AssetRegister {
    const KIND: Kind = Kind::Asset;
}

/// The record id of the register.
pub const REGISTER: &str = "asset-register";

/// An asset's patch status on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchStatus {
    /// On the latest known version (`None`: a version is not known).
    pub current: Option<bool>,
    /// Days since it was last patched while it is not on the latest version.
    pub days_behind: Option<i64>,
    /// Behind for longer than [`PATCH_WINDOW_DAYS`].
    pub overdue: bool,
    /// Past its vendor's end of support.
    pub unsupported: bool,
}

impl Asset {
    pub fn patch_status(&self, today: NaiveDate) -> PatchStatus {
        let current = match (&self.installed_version, &self.latest_version) {
            (Some(i), Some(l)) => Some(i == l),
            _ => None,
        };
        let days_behind = match (current, self.last_patched) {
            (Some(false), Some(day)) => Some((today - day).num_days().max(0)),
            _ => None,
        };
        PatchStatus {
            current,
            days_behind,
            overdue: days_behind.is_some_and(|d| d > PATCH_WINDOW_DAYS),
            unsupported: self.end_of_support.is_some_and(|d| d < today),
        }
    }
}

/// An asset as lists show it: the asset, its patch status, and what depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetView {
    #[serde(flatten)]
    pub asset: Asset,
    pub patch: PatchStatus,
    /// The patch status in words, as every view prints it: `123 days behind, OVERDUE`.
    pub patch_words: String,
    /// The ids of the assets that need it.
    pub needed_by: Vec<String>,
    /// The known exploited vulnerabilities it is past due on (CISA KEV), in words:
    /// `CVE-2024-21887 (due 2024-01-22)`.
    pub kev: Vec<String>,
}

/// The KEV entries each asset is past due on, by asset id, in words (`crate::kev`).
pub type KevFlags = HashMap<String, Vec<String>>;

/// An asset's patch status in words: `current`, `123 days behind, OVERDUE`.
fn patch_words(a: &Asset, p: &PatchStatus) -> String {
    let mut words = match (p.current, p.days_behind) {
        (Some(true), _) => "current".to_owned(),
        (Some(false), Some(d)) => format!("{d} days behind"),
        (Some(false), None) => "behind".to_owned(),
        (None, _) => "version unknown".to_owned(),
    };
    for (on, word) in [
        (p.overdue, "OVERDUE"),
        (p.unsupported, "UNSUPPORTED"),
        (a.vendor_validated_only, "vendor-validated only"),
    ] {
        if on {
            words.push_str(", ");
            words.push_str(word);
        }
    }
    words
}

/// Which assets a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only those whose patch is overdue, or that are unsupported.
    pub overdue: bool,
    pub tier: Option<u8>,
}

/// The register's assets that pass `filter` on `today`, in restore order (those without
/// one after, by tier then id), each with its patch status, the KEV entries it is past due
/// on (`kev`: overdue too), and what needs it.
pub fn list(assets: &[Asset], filter: Filter, today: NaiveDate, kev: &KevFlags) -> Vec<AssetView> {
    let mut needed_by: HashMap<&str, Vec<String>> = HashMap::new();
    for a in assets {
        for d in &a.depends_on {
            needed_by.entry(d.as_str()).or_default().push(a.id.clone());
        }
    }
    let mut out: Vec<AssetView> = assets
        .iter()
        .filter(|a| filter.tier.is_none_or(|t| a.tier == t))
        .filter_map(|a| {
            let patch = a.patch_status(today);
            let kev = kev.get(&a.id).cloned().unwrap_or_default();
            if filter.overdue && !(patch.overdue || patch.unsupported || !kev.is_empty()) {
                return None;
            }
            let needed_by = needed_by.get(a.id.as_str()).cloned().unwrap_or_default();
            let mut patch_words = patch_words(a, &patch);
            if !kev.is_empty() {
                patch_words.push_str(&format!("; KNOWN EXPLOITED, past due: {}", kev.join(", ")));
            }
            Some(AssetView { asset: a.clone(), patch, patch_words, needed_by, kev })
        })
        .collect();
    out.sort_by(|a, b| {
        let order = |v: &AssetView| v.asset.restore_order.unwrap_or(u32::MAX);
        (order(a), a.asset.tier, &a.asset.id).cmp(&(order(b), b.asset.tier, &b.asset.id))
    });
    out
}

/// How far behind the fleet is, by tier: (tier, assets, behind, overdue, unsupported).
pub fn behind_by_tier(assets: &[Asset], today: NaiveDate) -> Vec<(u8, usize, usize, usize, usize)> {
    let mut by: BTreeMap<u8, (usize, usize, usize, usize)> =
        TIERS.iter().map(|(t, _)| (*t, (0, 0, 0, 0))).collect();
    for a in assets {
        let p = a.patch_status(today);
        let row = by.entry(a.tier).or_default();
        row.0 += 1;
        row.1 += usize::from(p.current == Some(false));
        row.2 += usize::from(p.overdue);
        row.3 += usize::from(p.unsupported);
    }
    by.into_iter().map(|(t, (n, behind, overdue, eos))| (t, n, behind, overdue, eos)).collect()
}

impl Session {
    /// The asset register (admins and incident leads; everyone else is refused).
    pub fn assets(&self) -> Result<Vec<Asset>> {
        self.require(Permission::ReadAssets, "read the asset register")?;
        Ok(self.get::<AssetRegister>(REGISTER)?.unwrap_or_default().0)
    }

    /// Replaces the asset register in one write (admins).
    pub fn replace_assets(&self, assets: Vec<Asset>) -> Result<()> {
        let register = AssetRegister(assets);
        self.write(|w| {
            w.require(Permission::ManageAssets, "change the asset register")?;
            w.put(REGISTER, &register)?;
            Ok(())
        })
    }
}

/// The register as an error names an asset the register does not hold.
pub fn not_found(id: &str) -> Error {
    Error::Invalid { what: "asset", reason: format!("the asset register holds no asset `{id}`") }
}

#[cfg(test)]
mod tests;
