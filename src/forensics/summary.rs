//! The forensics summary of an incident, the answers the after-action review and an
//! insurer ask for: the systems affected (the assets its evidence and indicators name), the
//! first and last malicious activity (the earliest and latest first-seen of its
//! indicators), and what only a person can say, which the lead records as findings: how
//! the attacker got in and the data affected.
//!
//! The findings are one sealed record per incident (`Kind::Findings`, under a random record
//! id), changed field by field with a `findings_recorded` entry naming the fields changed,
//! never their text.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::evidence::EvidenceView;
use super::indicators::Indicator;
use super::text;
use crate::events::Event;
use crate::store::{Kind, Permission, Record, Session, Stored, new_record_id};
use crate::{Error, Result};

/// What the lead found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub incident: String,
    /// How the attacker got in (a phishing email, a VPN account without MFA, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_vector: Option<String>,
    /// The data affected (systems' data, kinds of patient information).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_affected: Option<String>,
}

impl Record for Findings {
    const KIND: Kind = Kind::Findings;
}

/// A change of the findings: each field given replaces the one held; an empty one clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FindingsChange {
    pub entry_vector: Option<String>,
    pub data_affected: Option<String>,
}

/// The findings of an incident (none recorded: all empty).
pub fn findings(session: &Session, incident: &str) -> Result<Findings> {
    Ok(held(session, incident)?
        .map(|r| r.value)
        .unwrap_or_else(|| Findings { incident: incident.to_owned(), ..Default::default() }))
}

fn held(session: &Session, incident: &str) -> Result<Option<Stored<Findings>>> {
    Ok(session.list::<Findings>()?.into_iter().find(|r| r.value.incident == incident))
}

/// Records the findings, or changes them (incident leads and admins).
pub fn record(session: &Session, incident: &str, change: &FindingsChange) -> Result<Findings> {
    let action = "record the forensic findings";
    session.require(Permission::ManageEvidence, action)?;
    let max = crate::limits::MAX_NOTES_CHARS;
    let entry_vector = change
        .entry_vector
        .as_deref()
        .map(|t| text(Some(t), "how it got in", max, false, true))
        .transpose()?;
    let data_affected = change
        .data_affected
        .as_deref()
        .map(|t| text(Some(t), "data affected", max, false, true))
        .transpose()?;
    session.write(|w| {
        w.require(Permission::ManageEvidence, action)?;
        let (record_id, mut f) = match held(session, incident)? {
            Some(Stored { id, value, .. }) => (id, value),
            None => {
                (new_record_id()?, Findings { incident: incident.to_owned(), ..Default::default() })
            }
        };
        let mut fields = Vec::new();
        for (name, new, old) in [
            ("how it got in", entry_vector, &mut f.entry_vector),
            ("data affected", data_affected, &mut f.data_affected),
        ] {
            if let Some(new) = new
                && *old != new
            {
                *old = new;
                fields.push(name.to_owned());
            }
        }
        if fields.is_empty() {
            return Err(Error::Invalid {
                what: "findings",
                reason: "nothing changed: give how it got in or the data affected".into(),
            });
        }
        w.put(&record_id, &f)?;
        w.append(Some(incident), &Event::FindingsRecorded { fields })?;
        Ok(f)
    })
}

/// An asset the record names, and by what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemAffected {
    /// The asset in words: its name and id from the register, or the tag as typed.
    pub asset: String,
    pub evidence: Vec<String>,
    pub indicators: Vec<String>,
}

/// The forensics summary of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub incident: String,
    pub systems_affected: Vec<SystemAffected>,
    pub first_malicious: Option<DateTime<Utc>>,
    pub last_malicious: Option<DateTime<Utc>>,
    pub entry_vector: Option<String>,
    pub data_affected: Option<String>,
    pub evidence_items: usize,
    /// Hand-overs waiting for their receiver.
    pub pending_transfers: usize,
    /// Items whose latest re-hash did not match.
    pub mismatched: Vec<String>,
    pub indicators: usize,
    /// Indicators by marking, least restricted first.
    pub by_tlp: Vec<(String, usize)>,
}

impl Summary {
    /// The summary as the after-action review prints it: one answer a line, times in
    /// `zone`, "not recorded" where nobody has said.
    pub fn lines(&self, zone: &crate::words::Zone) -> Vec<(&'static str, String)> {
        let or_not = |v: &Option<String>| v.clone().unwrap_or_else(|| "not recorded".into());
        let when =
            |t: Option<DateTime<Utc>>| t.map_or_else(|| "not known".into(), |t| zone.minute(t));
        let systems = if self.systems_affected.is_empty() {
            "none named".to_owned()
        } else {
            self.systems_affected.iter().map(|s| s.asset.clone()).collect::<Vec<_>>().join("; ")
        };
        let tlp =
            self.by_tlp.iter().map(|(t, n)| format!("{n} {t}")).collect::<Vec<_>>().join(", ");
        let n = self.evidence_items;
        let mut evidence = format!("{n} {}", if n == 1 { "item" } else { "items" });
        if self.pending_transfers > 0 {
            evidence.push_str(&format!(
                ", {} hand-overs awaiting confirmation",
                self.pending_transfers
            ));
        }
        if !self.mismatched.is_empty() {
            evidence.push_str(&format!(
                ", NO LONGER MATCHING ITS HASH: {}",
                self.mismatched.join(", ")
            ));
        }
        vec![
            ("Systems affected", systems),
            ("Data affected", or_not(&self.data_affected)),
            ("How it got in", or_not(&self.entry_vector)),
            ("First malicious activity", when(self.first_malicious)),
            ("Last malicious activity", when(self.last_malicious)),
            ("Evidence", evidence),
            (
                "Indicators",
                if tlp.is_empty() { "none".into() } else { format!("{} ({tlp})", self.indicators) },
            ),
        ]
    }
}

/// The summary of an incident's record: its evidence (with custody), indicators and
/// findings.
pub fn summarise(
    findings: Findings,
    evidence: &[EvidenceView],
    indicators: &[Indicator],
) -> Summary {
    let mut systems: BTreeMap<String, SystemAffected> = BTreeMap::new();
    let named = evidence
        .iter()
        .filter_map(|v| v.item.asset.as_ref().map(|a| (a, &v.item.id, true)))
        .chain(indicators.iter().filter_map(|i| i.asset.as_ref().map(|a| (a, &i.id, false))));
    for (asset, id, is_evidence) in named {
        let s = systems.entry(asset.key()).or_insert_with(|| SystemAffected {
            asset: asset.words(),
            evidence: Vec::new(),
            indicators: Vec::new(),
        });
        if is_evidence { &mut s.evidence } else { &mut s.indicators }.push(id.clone());
    }
    let seen = indicators.iter().filter_map(|i| i.first_seen);
    let mut by_tlp: BTreeMap<super::ioc::Tlp, usize> = BTreeMap::new();
    for i in indicators {
        *by_tlp.entry(i.tlp).or_default() += 1;
    }
    Summary {
        incident: findings.incident,
        systems_affected: systems.into_values().collect(),
        first_malicious: seen.clone().min(),
        last_malicious: seen.max(),
        entry_vector: findings.entry_vector,
        data_affected: findings.data_affected,
        evidence_items: evidence.len(),
        pending_transfers: evidence.iter().filter(|v| v.custody.pending().is_some()).count(),
        mismatched: evidence
            .iter()
            .filter(|v| v.custody.checks.last().is_some_and(|c| !c.matches))
            .map(|v| v.item.id.clone())
            .collect(),
        indicators: indicators.len(),
        by_tlp: by_tlp.into_iter().map(|(t, n)| (t.label().to_owned(), n)).collect(),
    }
}
