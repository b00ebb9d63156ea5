//! The risk register through the application layer: in priority order on the
//! workstation's date (admins and incident leads), imported with a preview and exported
//! as CSV (admins). Its risks' assets are checked against the asset register.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use super::App;
use crate::Result;
use crate::limits::Listed;
use crate::risk::{self, RiskView};
use crate::store::Permission;

/// What importing a risks file does, or would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskPreview {
    pub good: usize,
    pub problems: Listed<String>,
    pub bad_rows: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub imported: bool,
}

impl App {
    /// The risk register in priority order (admins and incident leads).
    pub fn risks(&self) -> Result<Vec<RiskView>> {
        Ok(risk::prioritised(&self.user()?.risks()?, self.today()))
    }

    fn parse_risks(&self, bytes: &[u8]) -> Result<risk::csv::Parsed> {
        let register = self.register()?;
        let ids: HashSet<&str> = register.iter().map(|a| a.id.as_str()).collect();
        risk::csv::parse(bytes, &ids)
    }

    /// What importing a risks file would do, or does (admins): with `import`, a file with
    /// bad rows imports nothing unless `skip_bad_rows`; then the good rows replace the
    /// register.
    fn risks_file(&self, bytes: &[u8], import: bool, skip_bad_rows: bool) -> Result<RiskPreview> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "change the risk register")?;
        let parsed = self.parse_risks(bytes)?;
        let current = session.risks()?;
        let old: std::collections::HashMap<&str, &risk::Risk> =
            current.iter().map(|r| (r.id.as_str(), r)).collect();
        let added = parsed.risks.iter().filter(|(_, r)| !old.contains_key(r.id.as_str())).count();
        let changed = parsed
            .risks
            .iter()
            .filter(|(_, r)| old.get(r.id.as_str()).is_some_and(|o| *o != r))
            .count();
        let kept = parsed.risks.len() - added;
        let mut preview = RiskPreview {
            good: parsed.risks.len(),
            problems: Listed::of(parsed.problems.iter().map(ToString::to_string)),
            bad_rows: parsed.problems.iter().map(|p| p.line).collect::<BTreeSet<_>>().len(),
            added,
            changed,
            removed: current.len() - kept,
            imported: false,
        };
        if !import {
            return Ok(preview);
        }
        if !preview.problems.is_empty() && !skip_bad_rows {
            return Err(crate::Error::ImportRejected { problems: preview.problems });
        }
        if parsed.risks.is_empty() {
            return Err(crate::Error::Invalid {
                what: "risks",
                reason: "the file holds no risk to import".into(),
            });
        }
        session.replace_risks(parsed.risks.into_iter().map(|(_, r)| r).collect())?;
        preview.imported = true;
        Ok(preview)
    }

    /// What importing a risks file would do (admins): nothing is written.
    pub fn preview_risks(&self, bytes: &[u8]) -> Result<RiskPreview> {
        self.risks_file(bytes, false, false)
    }

    /// Imports a risks file, replacing the register (admins).
    pub fn import_risks(&self, bytes: &[u8], skip_bad_rows: bool) -> Result<RiskPreview> {
        self.risks_file(bytes, true, skip_bad_rows)
    }

    /// The register as CSV (admins).
    pub fn export_risks(&self) -> Result<super::records::Export> {
        let session = self.user()?;
        session.require(Permission::ManageAssets, "export the risk register")?;
        session.check_state()?;
        let bytes = risk::csv::write(&session.risks()?)?;
        Ok(super::records::Export { file_name: "risk-register.csv".into(), bytes })
    }

    /// The register's printable report (admins and incident leads): HTML with the heat
    /// map, or CSV, both in priority order on the workstation's date with each risk's flags.
    pub fn risk_report(
        &self,
        format: super::training::ReportFormat,
    ) -> Result<super::records::Export> {
        let session = self.user()?;
        let risks = session.risks()?;
        session.check_state()?;
        let today = self.today();
        let (bytes, ext) = match format {
            super::training::ReportFormat::Csv => (risk::report::csv_report(&risks, today)?, "csv"),
            super::training::ReportFormat::Html => {
                let reader = (self.now(), &self.zone());
                (
                    risk::report::html(&risks, today, session.user_name(), reader).into_bytes(),
                    "html",
                )
            }
        };
        Ok(super::records::Export { file_name: format!("risk-report-{today}.{ext}"), bytes })
    }

    /// The heat map of the open risks, as the core draws it (admins and incident leads).
    pub fn risk_heat_map(&self) -> Result<String> {
        Ok(risk::report::heat_map_svg(&self.user()?.risks()?))
    }
}
