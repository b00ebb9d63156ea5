//! An incident's forensic record from either front end (issue 19): evidence items and their
//! chain of custody, indicators of compromise and their exports, the lead's findings and the
//! forensics summary. Each method checks the signed-in session; who may do what is the
//! permission table's and the custody rules' (`crate::forensics`).
//!
//! Hashing a file needs no session: [`App::hash_file`] is a function of its own, so a front
//! end hashes a large image on a thread without holding the app, then hands the
//! [`FileHash`] to [`App::add_evidence`] or [`App::verify_evidence`].

use std::path::Path;

use serde::Serialize;

use super::App;
use super::records::Export;
use crate::forensics::evidence::{
    self, EvidenceHash, EvidenceKind, EvidenceView, NewEvidence, Verification,
};
use crate::forensics::hash::{FileHash, HashProgress};
use crate::forensics::indicators::{self, Format, Indicator, NewIndicator};
use crate::forensics::ioc::{DEFAULT_TLP, IocType, Tlp};
use crate::forensics::summary::{self, FindingsChange, Summary};
use crate::forensics::{AssetRef, custody, form, stix};
use crate::store::Permission;
use crate::{Error, Result};

/// The choices the forensic forms offer, as (key, label): kinds of evidence, types of
/// indicator, TLP markings (least restricted first) and the marking given when none is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForensicsOptions {
    pub evidence_kinds: Vec<(&'static str, &'static str)>,
    pub indicator_types: Vec<(&'static str, &'static str)>,
    pub tlp: Vec<(&'static str, &'static str)>,
    pub default_tlp: &'static str,
}

/// An incident's forensic record as the signed-in person may see it: the evidence items
/// (all for incident leads and admins; else those that passed through their hands), the
/// indicators (`None` for those who may not read them), the summary (`None` for those who
/// may not manage evidence), what they may do, and the items whose hand-over waits for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForensicsView {
    pub incident: String,
    pub evidence: Vec<EvidenceView>,
    pub indicators: Option<Vec<Indicator>>,
    pub summary: Option<Summary>,
    pub manages_evidence: bool,
    pub manages_indicators: bool,
    pub waiting_for_me: Vec<String>,
}

/// An indicator export: the file, how many indicators it holds, and how many were marked
/// above the highest marking it allows and left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorExport {
    pub export: Export,
    pub written: usize,
    pub left_out: usize,
}

impl App {
    /// Streams a file's SHA-256, telling `progress` after every block (1 MiB). Needs no
    /// session: call it without holding the app.
    pub fn hash_file(path: &Path, progress: impl FnMut(HashProgress)) -> Result<FileHash> {
        crate::forensics::hash::hash_file(path, progress)
    }

    /// The choices the forensic forms offer.
    pub fn forensics_options() -> ForensicsOptions {
        ForensicsOptions {
            evidence_kinds: EvidenceKind::options(),
            indicator_types: IocType::options(),
            tlp: Tlp::ALL.iter().map(|t| (t.key(), t.label())).collect(),
            default_tlp: DEFAULT_TLP.key(),
        }
    }

    /// The asset a tag or id names: checked against the asset register when it holds any
    /// assets (its id, or a device's asset tag ignoring case, dashes and spaces).
    fn asset_ref(&self, tag: Option<&str>) -> Result<Option<AssetRef>> {
        let Some(tag) = tag.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
        let register = self.register()?;
        if register.is_empty() {
            return Ok(Some(AssetRef { tag: tag.to_owned(), id: None, name: None }));
        }
        let norm =
            |t: &str| t.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
        let want = norm(tag);
        let found = register.iter().find(|a| {
            a.id.eq_ignore_ascii_case(tag)
                || a.asset_tag.as_deref().is_some_and(|t| norm(t) == want)
        });
        match found {
            Some(a) => Ok(Some(AssetRef {
                tag: tag.to_owned(),
                id: Some(a.id.clone()),
                name: Some(a.name.clone()),
            })),
            None => Err(Error::Invalid {
                what: "asset",
                reason: format!(
                    "no asset in the register has the id or tag `{}`",
                    crate::limits::quoted(tag)
                ),
            }),
        }
    }

    /// Adds an evidence item to an incident (incident leads and admins); its asset is
    /// checked against the register. The adder holds it first.
    pub fn add_evidence(&self, incident: &str, new: NewEvidence) -> Result<EvidenceView> {
        let to = (Permission::ManageEvidence, "add evidence");
        let (found, asset) = self.adding_to(incident, new.asset.as_deref(), to)?;
        evidence::add(self.user()?, &found, new, asset)
    }

    /// Before adding to an incident's record: the permission (refused before anything is
    /// read), the incident, and the asset named, checked against the register.
    fn adding_to(
        &self,
        incident: &str,
        asset: Option<&str>,
        (permission, action): (Permission, &'static str),
    ) -> Result<(crate::incident::Incident, Option<AssetRef>)> {
        let session = self.user()?;
        session.require(permission, action)?;
        let found = crate::incident::by_id(session, incident)?;
        Ok((found, self.asset_ref(asset)?))
    }

    /// The hash of a file made elsewhere, checked (64 hexadecimal digits) with its tool.
    pub fn hash_from_tool(sha256: &str, tool: &str) -> Result<EvidenceHash> {
        EvidenceHash::of_tool(sha256, tool)
    }

    /// An incident's evidence items with their custody, as the signed-in person may see them.
    pub fn evidence(&self, incident: &str) -> Result<Vec<EvidenceView>> {
        let session = self.user()?;
        crate::incident::by_id(session, incident)?;
        evidence::list(session, incident)
    }

    /// One evidence item with its custody (`{incident}-E{n}`).
    pub fn evidence_item(&self, item: &str) -> Result<EvidenceView> {
        evidence::get(self.user()?, item)
    }

    /// Hands an item over to a user of this workstation: its holder, under their own
    /// unlock. Pending until they confirm.
    pub fn transfer_evidence(
        &self,
        item: &str,
        to: &str,
        purpose: &str,
        condition: Option<&str>,
    ) -> Result<EvidenceView> {
        let session = self.user()?;
        custody::transfer(session, item, to, purpose, condition)?;
        evidence::get(session, item)
    }

    /// Confirms a hand-over addressed to the signed-in person: they hold the item from now.
    pub fn confirm_evidence(&self, item: &str, condition: Option<&str>) -> Result<EvidenceView> {
        let session = self.user()?;
        custody::confirm(session, item, condition)?;
        evidence::get(session, item)
    }

    /// The items, across incidents, whose hand-over waits for the signed-in person.
    pub fn evidence_waiting_for_me(&self) -> Result<Vec<EvidenceView>> {
        let session = self.user()?;
        let me = session.user_name();
        let chains = custody::replay(&session.events(None)?);
        chains
            .iter()
            .filter(|(_, c)| c.pending().is_some_and(|t| t.to.eq_ignore_ascii_case(me)))
            .map(|(item, _)| evidence::get(session, item))
            .collect()
    }

    /// Checks a file against an item's SHA-256 (hash it first with [`App::hash_file`]);
    /// the check is logged whatever it finds.
    pub fn verify_evidence(&self, item: &str, file: &FileHash) -> Result<Verification> {
        evidence::verify(self.user()?, item, file)
    }

    /// An item's printable chain-of-custody form: every hand-over, a pending one marked,
    /// and the log's checkpoint covering its entries.
    pub fn custody_form(&self, item: &str) -> Result<Export> {
        let session = self.user()?;
        session.check_state()?;
        let view = evidence::get(session, item)?;
        let incident = crate::incident::by_id(session, &view.item.incident)?;
        let anchor = session.log_anchor()?;
        let reader = (self.now(), &self.zone());
        let html = form::html(&view, &incident, &anchor, session.user_name(), reader);
        Ok(Export { file_name: format!("custody-{item}.html"), bytes: html.into_bytes() })
    }

    /// Records an indicator of compromise (incident leads and admins), checked for its
    /// type's form; its asset checked against the register.
    pub fn add_indicator(&self, incident: &str, new: NewIndicator) -> Result<Indicator> {
        let to = (Permission::ManageIndicators, "add indicators");
        let (found, asset) = self.adding_to(incident, new.asset.as_deref(), to)?;
        indicators::add(self.user()?, &found, new, asset)
    }

    /// An incident's indicators (admins, incident leads and staff; not clinicians).
    pub fn indicators(&self, incident: &str) -> Result<Vec<Indicator>> {
        let session = self.user()?;
        session.require(Permission::ReadIndicators, "read indicators of compromise")?;
        crate::incident::by_id(session, incident)?;
        indicators::list(session, incident)
    }

    /// Exports an incident's indicators marked up to `tlp_max`, as CSV or a STIX 2.1
    /// bundle (incident leads and admins); those marked above it are left out and counted.
    /// The export is logged with the ids it holds.
    pub fn export_indicators(
        &self,
        incident: &str,
        format: Format,
        tlp_max: Tlp,
    ) -> Result<IndicatorExport> {
        let session = self.user()?;
        session.require(Permission::ManageIndicators, "export indicators")?;
        session.check_state()?;
        let all = self.indicators(incident)?;
        let (shared, left_out) = indicators::up_to(all, tlp_max);
        if shared.is_empty() {
            return Err(Error::Invalid {
                what: "indicator export",
                reason: format!(
                    "no indicator of incident {incident} is marked {} or lower ({} marked above it)",
                    tlp_max.label(),
                    crate::words::counted(left_out, "is", "are")
                ),
            });
        }
        let (bytes, ext) = match format {
            Format::Csv => (indicators::csv(&shared)?, "csv"),
            Format::Stix => (stix::bundle(&shared)?.into_bytes(), "stix.json"),
        };
        indicators::log_shared(session, incident, &shared, format, tlp_max)?;
        let file_name = format!("incident-{incident}-indicators-tlp-{}.{ext}", tlp_max.key());
        Ok(IndicatorExport { export: Export { file_name, bytes }, written: shared.len(), left_out })
    }

    /// Records the lead's findings, or changes them (incident leads and admins): how the
    /// attacker got in, the data affected. Returns the summary.
    pub fn record_findings(&self, incident: &str, change: &FindingsChange) -> Result<Summary> {
        let session = self.user()?;
        session.require(Permission::ManageEvidence, "record the forensic findings")?;
        crate::incident::by_id(session, incident)?;
        summary::record(session, incident, change)?;
        self.forensics_summary(incident)
    }

    /// The forensics summary of an incident (incident leads and admins): systems affected,
    /// the first and last malicious activity, how it got in, the data affected.
    pub fn forensics_summary(&self, incident: &str) -> Result<Summary> {
        let session = self.user()?;
        session.require(Permission::ManageEvidence, "read the forensics summary")?;
        crate::incident::by_id(session, incident)?;
        let items = evidence::list(session, incident)?;
        let found = indicators::list(session, incident)?;
        Ok(summary::summarise(summary::findings(session, incident)?, &items, &found))
    }

    /// An incident's whole forensic record as the signed-in person may see it: what the
    /// window's forensics screen, the incident's evidence bundle and the after-action
    /// review show.
    pub fn forensics(&self, incident: &str) -> Result<ForensicsView> {
        let session = self.user()?;
        crate::incident::by_id(session, incident)?;
        let role = session.role_now()?;
        let entries = session.events(Some(incident))?;
        let evidence = evidence::views(session, incident, &entries)?;
        let me = session.user_name();
        let waiting_for_me = evidence
            .iter()
            .filter(|v| v.custody.pending().is_some_and(|t| t.to.eq_ignore_ascii_case(me)))
            .map(|v| v.item.id.clone())
            .collect();
        let indicators = if role.may(Permission::ReadIndicators) {
            Some(indicators::list(session, incident)?)
        } else {
            None
        };
        let summary = match (&indicators, role.may(Permission::ManageEvidence)) {
            (Some(list), true) => {
                Some(summary::summarise(summary::findings(session, incident)?, &evidence, list))
            }
            _ => None,
        };
        Ok(ForensicsView {
            incident: incident.to_owned(),
            evidence,
            indicators,
            summary,
            manages_evidence: role.may(Permission::ManageEvidence),
            manages_indicators: role.may(Permission::ManageIndicators),
            waiting_for_me,
        })
    }
}

#[cfg(test)]
mod tests;
