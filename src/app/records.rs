//! The record: the workstation's signed activity log (export, its signing key, checks,
//! other workstations' logs merged into one timeline) and the files an incident is exported
//! as (the HICS 214, CSV, the evidence bundle). A file is returned with a name for it; the
//! window saves it in the exports folder, the CLI where it is told.

use std::io::BufRead;

use super::App;
use crate::Result;
use crate::events;
use crate::incident::export::{self, Format};
use crate::log::{self, PublicKey, Verified};
use crate::store::{AccessEvent, BundleScope, Imported};

/// A file made for someone to keep: its bytes, and the name to save it under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl App {
    /// An incident's export (incident leads and admins): the HICS 214 as HTML, the
    /// activity as CSV, or the signed evidence bundle.
    pub fn export_incident(&self, id: &str, format: Format) -> Result<Export> {
        // What leaves the workstation is checked against the store's state first.
        self.user()?.check_state()?;
        let reader = (self.now(), &self.zone());
        let bytes = match format {
            Format::Json => self.incident_bundle(id)?,
            _ => export::incident_file(self.user()?, &self.in_force()?, id, format, reader)?,
        };
        let ext = match format {
            Format::Html => "hics214.html",
            Format::Csv => "csv",
            Format::Json => "log.jsonl",
        };
        Ok(Export { file_name: format!("incident-{id}.{ext}"), bytes })
    }

    /// An incident's bundle (incident leads and admins): the whole chain with every other
    /// entry elided, and the evidence items and indicators its entries vouch for attached,
    /// each as the JSON whose SHA-256 its signed entry carries.
    fn incident_bundle(&self, id: &str) -> Result<Vec<u8>> {
        let session = self.user()?;
        let incident = crate::incident::by_id(session, id)?;
        let view = self.forensics(&incident.id)?;
        let mut scope = BundleScope { incident: &incident.id, ..BundleScope::default() };
        let mut attach = |kind: &'static str, json: Vec<u8>| {
            let digest = data_encoding::HEXLOWER.encode(&crate::crypto::sha256(&[&json]));
            scope.records.insert(digest, (kind, json));
        };
        for e in &view.evidence {
            attach("evidence", serde_json::to_vec(&e.item).map_err(not_written)?);
        }
        for i in view.indicators.iter().flatten() {
            attach("indicator", serde_json::to_vec(i).map_err(not_written)?);
        }
        let mut bytes = Vec::new();
        session.export_incident_log(&mut bytes, &scope)?;
        Ok(bytes)
    }

    /// The whole activity log as a bundle (incident leads and admins): (bytes, entries).
    pub fn export_log(&self) -> Result<(Vec<u8>, u64)> {
        let mut bytes = Vec::new();
        let count = self.user()?.export_log(&mut bytes)?;
        Ok((bytes, count))
    }

    /// Checks the store against a checkpoint kept away from it: `log` (the log id, when
    /// known), `size` and `head`, as a HICS 214's foot or an earlier export gives them.
    pub fn check_anchor(&self, log: Option<&str>, size: u64, head: &str) -> Result<()> {
        self.user()?.check_anchor(log, size, head)
    }

    /// Checks the store against the last checkpoint of an earlier export of its own log
    /// (the bundle is verified first): returns that checkpoint's (size, head).
    pub fn check_against_bundle(&self, bundle: impl BufRead) -> Result<(u64, String)> {
        let v = log::verify_bundle(bundle, None)?;
        self.check_anchor(Some(&v.log), v.entries, &v.head)?;
        Ok((v.entries, v.head))
    }

    /// The public half of the workstation's log-signing key (incident leads and admins):
    /// what an admin keeps a trusted copy of, to check bundles with `--pubkey`.
    pub fn log_key(&self) -> Result<PublicKey> {
        self.user()?.log_public_key()
    }

    /// Brings another workstation's bundle into the merged, read-only timeline.
    pub fn import_log(&self, bundle: &str) -> Result<Imported> {
        self.user()?.import_log(bundle)
    }

    /// This workstation's entries and every imported log's, for one incident or all,
    /// ordered by time.
    pub fn merged_timeline(&self, incident: Option<&str>) -> Result<Vec<events::Entry>> {
        self.user()?.merged_timeline(incident)
    }

    /// The uses of emergency access (incident leads and admins).
    pub fn access_events(&self) -> Result<Vec<AccessEvent>> {
        self.user()?.access_events()
    }
}

/// Checks a bundle: no store, no passphrase. Names the entry that breaks. With `trusted`
/// (a public key as base64 or PEM, or a file holding it), the bundle must be signed by
/// that key; without, the signer is named by its fingerprint but not checked.
pub fn verify_bundle(reader: impl BufRead, trusted: Option<&str>) -> Result<Verified> {
    let trusted = trusted.map(PublicKey::read).transpose()?;
    log::verify_bundle(reader, trusted.as_ref())
}

fn not_written(e: serde_json::Error) -> crate::Error {
    crate::Error::Invalid { what: "export", reason: e.to_string() }
}
