//! CISA's Known Exploited Vulnerabilities catalogue through the application layer: an
//! admin imports the CSV carried in by hand (replacing the last one), and admins and
//! incident leads see which entries affect assets of the register, those past their due
//! date first.

use chrono::NaiveDate;
use serde::Serialize;

use super::App;
use crate::Result;
use crate::kev::{self, KevCatalogue, KevMatch};
use crate::store::Permission;

/// The catalogue's standing: when it was imported, how many entries, and those that
/// affect the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevView {
    pub imported: Option<NaiveDate>,
    pub entries: usize,
    pub matches: Vec<KevMatch>,
}

impl App {
    /// Imports CISA's KEV CSV, replacing the catalogue (admins); every bad row at its line
    /// and nothing kept while there is one. Returns how many entries it holds.
    pub fn import_kev(&self, bytes: &[u8]) -> Result<usize> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "import the KEV catalogue")?;
        let entries = kev::parse(bytes)?;
        let n = entries.len();
        session.replace_kev(&KevCatalogue { imported: Some(self.today()), entries })?;
        Ok(n)
    }

    /// The catalogue's entries that affect the asset register (admins and incident leads).
    pub fn kev_matches(&self) -> Result<KevView> {
        let catalogue = self.user()?.kev()?;
        let matches = kev::matches(&catalogue.entries, &self.register()?, self.today());
        Ok(KevView { imported: catalogue.imported, entries: catalogue.entries.len(), matches })
    }
}
