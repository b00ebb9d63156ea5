//! Breaches from either front end: the privacy officer's breach risk assessment (which
//! answers the playbook's four-factor decisions), the breach register (every breach, its
//! report as HHS's portal asks it, the number affected by state) and its CSV exports (the
//! yearly submission of breaches under 500, and one breach's report).

use serde::Serialize;

use super::App;
use super::incidents::IncidentView;
use super::records::Export;
use crate::Result;
use crate::breach::register::{self, BreachChange, BreachEntry, Options};
use crate::breach::{AssessmentForm, assessment, export};
use crate::store::Permission;

/// The register screen: the breaches the signed-in person may see, the options of the
/// report's questions, and whether they may export a year's submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterView {
    pub entries: Vec<BreachEntry>,
    pub options: Options,
    pub may_export_year: bool,
}

/// What a register export selects: a calendar year's submission, or one incident's breach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Year(i32),
    Incident(String),
}

/// A register export: the file, how many breaches it holds, and those of them whose number
/// affected is not recorded yet (a yearly submission needs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterExport {
    pub export: Export,
    pub rows: usize,
    pub unknown_count: Vec<String>,
}

impl App {
    /// The privacy officer completes and signs the breach risk assessment of an incident;
    /// its result answers the playbook's four-factor decisions from the current step on.
    pub fn assess_breach(&self, id: &str, form: AssessmentForm) -> Result<IncidentView> {
        self.view(|s, list| assessment::assess(s, list, id, form))
    }

    /// The breach register as the signed-in person may see it.
    pub fn breach_register(&self) -> Result<RegisterView> {
        let session = self.user()?;
        let entries = register::list(session, &self.in_force()?, session.events(None)?)?;
        let may_export_year = session.role_now()?.may(Permission::HandleRecords);
        Ok(RegisterView { entries, options: register::options(), may_export_year })
    }

    /// One incident's breach (its privacy officer, incident leads and admins).
    pub fn breach(&self, id: &str) -> Result<BreachEntry> {
        register::show(self.user()?, &self.in_force()?, id)
    }

    /// Records an incident's breach report, or changes it (its privacy officer, admins):
    /// each field given replaces the one held.
    pub fn record_breach(&self, id: &str, change: &BreachChange) -> Result<BreachEntry> {
        register::record(self.user()?, &self.in_force()?, id, change)
    }

    /// The register as CSV: a calendar year's submission of the breaches under 500
    /// (incident leads and admins), or one incident's breach (its privacy officer too).
    pub fn export_breaches(&self, selection: &Selection) -> Result<RegisterExport> {
        let session = self.user()?;
        // What leaves the workstation is checked against the store's state first.
        session.check_state()?;
        let zone = self.zone();
        let (rows, unknown_count, file_name) = match selection {
            Selection::Year(year) => {
                session.require(Permission::HandleRecords, "export the breach register")?;
                let all = register::list(session, &self.in_force()?, session.events(None)?)?;
                let (rows, unknown) = export::of_year(all, *year);
                (rows, unknown, format!("breaches-{year}-under-500.csv"))
            }
            Selection::Incident(id) => {
                let entry = self.breach(id)?;
                let unknown = entry.report.affected.is_none().then(|| id.clone());
                (vec![entry], unknown.into_iter().collect(), format!("breach-{id}.csv"))
            }
        };
        let bytes = export::csv(&rows, &zone)?.into_bytes();
        Ok(RegisterExport { export: Export { file_name, bytes }, rows: rows.len(), unknown_count })
    }
}

#[cfg(test)]
mod tests;
