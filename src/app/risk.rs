//! The risk register through the application layer: in priority order on the
//! workstation's date (admins and incident leads), imported with a preview and exported
//! as CSV (admins). Its risks' assets are checked against the asset register.

use std::collections::HashSet;

use super::App;
use crate::Result;
use crate::risk::{self, RiskView};
use crate::store::Permission;

/// What importing a risks file does, or would do.
pub type RiskPreview = super::assets::RegisterPreview;

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
        let mut preview =
            RiskPreview::of(&parsed.risks, &parsed.problems, &session.risks()?, |r| &r.id);
        if !import {
            return Ok(preview);
        }
        preview.admit(skip_bad_rows, "risks", "risk")?;
        session.replace_risks(parsed.risks.into_iter().map(|(_, r)| r).collect(), self.today())?;
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

    /// What the risk register asks of admins now: each treatment past its date and each
    /// review due, once a day, and the yearly risk analysis from 30 days before a year
    /// since the last one.
    pub(super) fn risk_reminders(&self) -> Result<Vec<super::incidents::Reminder>> {
        let session = self.user()?;
        if !session.role().may(Permission::ManageAssets) {
            return Ok(Vec::new());
        }
        let today = self.today();
        let key = today.and_hms_opt(0, 0, 0).map_or_else(|| self.now(), |d| d.and_utc());
        let reminder = |step: String, say: String| super::incidents::Reminder {
            incident: String::new(),
            title: "Risk register".into(),
            drill: false,
            step,
            say,
            due: key,
        };
        let mut out = Vec::new();
        for v in risk::prioritised(&session.risks()?, today) {
            let r = &v.risk;
            if v.treatment_overdue {
                let due = r.due.map(|d| d.to_string()).unwrap_or_default();
                out.push(reminder(
                    format!("risk:{}:treatment", r.id),
                    format!("{}: its treatment ({}) was due {due}", r.threat, r.treatment.as_str()),
                ));
            }
            if v.review_due {
                out.push(reminder(
                    format!("risk:{}:review", r.id),
                    format!("{}: its review is due", r.threat),
                ));
            }
        }
        if let Some(last) = session.settings()?.risk_analysed {
            let due = last.checked_add_months(chrono::Months::new(12)).unwrap_or(last);
            if today + chrono::Days::new(30) >= due {
                out.push(reminder(
                    "risk:analysis".into(),
                    format!("The yearly risk analysis is due {due} (the last was {last}): 45 CFR 164.308(a)(1)(ii)(A)"),
                ));
            }
        }
        Ok(out)
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

#[cfg(test)]
#[path = "risk_tests.rs"]
mod tests;
