//! Indicators of compromise of an incident: each one sealed record (`Kind::Indicator`,
//! under a random record id; its own id `{incident}-I{n}` sealed inside) with its type, its
//! value in the type's form ([`super::ioc`]), where it came from, when it was first seen,
//! the confidence in it and its TLP 2.0 marking; written with an `indicator_added` entry
//! that carries the record's SHA-256 and never the value.
//!
//! Shared as CSV (this module, through `csv_table::write`: every cell guarded against
//! formulas) or as a STIX 2.1 bundle ([`super::stix`]), holding only the indicators marked
//! up to the highest marking the exporter allows: a RED indicator never reaches a GREEN
//! export. Each export is logged (`indicators_shared`, with the ids it held).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::ioc::{Confidence, DEFAULT_TLP, IocType, Tlp};
use super::{AssetRef, changed, next_id, record_digest, text};
use crate::csv_table::Columns;
use crate::events::Event;
use crate::incident::Incident;
use crate::store::{Kind, Permission, Record, Session, new_record_id};
use crate::{Error, Result};

/// One indicator of compromise, as recorded (never changed afterwards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// `{incident}-I{n}`.
    pub id: String,
    pub incident: String,
    #[serde(rename = "type")]
    pub kind: IocType,
    /// In its type's form (`IocType::check`).
    pub value: String,
    pub tlp: Tlp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<AssetRef>,
    pub added_by: String,
    pub added: DateTime<Utc>,
}

impl Record for Indicator {
    const KIND: Kind = Kind::Indicator;
}

/// A new indicator as a person gives it: its type and value as typed; the marking defaults
/// to [`DEFAULT_TLP`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NewIndicator {
    #[serde(rename = "type")]
    pub kind: IocType,
    pub value: String,
    pub tlp: Option<Tlp>,
    pub source: Option<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub confidence: Option<Confidence>,
    /// The asset it was found on, its tag or id as typed (checked against the asset register
    /// by the application layer).
    pub asset: Option<String>,
}

/// Records an indicator (incident leads and admins): the record and its `indicator_added`
/// entry in one write. The same type and value twice in an incident is refused, naming the
/// indicator that has it.
pub fn add(
    session: &Session,
    incident: &Incident,
    new: NewIndicator,
    asset: Option<AssetRef>,
) -> Result<Indicator> {
    let action = "add indicators";
    session.require(Permission::ManageIndicators, action)?;
    let value = new.kind.check(&new.value)?;
    let source =
        text(new.source.as_deref(), "source", crate::limits::MAX_TEXT_CHARS, false, false)?;
    let now = session.now();
    if new.first_seen.is_some_and(|t| t > now + Duration::minutes(5)) {
        return Err(Error::Invalid { what: "first seen", reason: "is in the future".into() });
    }
    let record_id = new_record_id()?;
    session.write(|w| {
        w.require(Permission::ManageIndicators, action)?;
        let held: Vec<Indicator> =
            session.list::<Indicator>()?.into_iter().map(|r| r.value).collect();
        let mine = || held.iter().filter(|i| i.incident == incident.id);
        if let Some(same) = mine().find(|i| i.kind == new.kind && i.value == value) {
            return Err(Error::Invalid {
                what: "indicator",
                reason: format!("this {} is already recorded as {}", new.kind.label(), same.id),
            });
        }
        let indicator = Indicator {
            id: next_id(&incident.id, 'I', mine().map(|i| i.id.as_str())),
            incident: incident.id.clone(),
            kind: new.kind,
            value,
            tlp: new.tlp.unwrap_or(DEFAULT_TLP),
            source,
            first_seen: new.first_seen,
            confidence: new.confidence,
            asset,
            added_by: session.user_name().to_owned(),
            added: now,
        };
        let event = Event::IndicatorAdded {
            indicator: indicator.id.clone(),
            record: record_digest(&indicator)?,
            tlp: indicator.tlp,
            what: indicator.kind,
        };
        w.put(&record_id, &indicator)?;
        w.append(Some(&incident.id), &event)?;
        Ok(indicator)
    })
}

/// An incident's indicators in the order they were recorded (admins, incident leads and
/// staff; clinicians are refused), each checked against its log entry.
pub fn list(session: &Session, incident: &str) -> Result<Vec<Indicator>> {
    session.require(Permission::ReadIndicators, "read indicators of compromise")?;
    let mut logged = std::collections::BTreeMap::new();
    for e in session.events(Some(incident))? {
        if let Event::IndicatorAdded { indicator, record, .. } = e.event {
            logged.entry(indicator).or_insert((e.seq, record));
        }
    }
    let mut out = Vec::new();
    for stored in session.list::<Indicator>()? {
        let i = stored.value;
        if i.incident != incident {
            continue;
        }
        match logged.remove(&i.id) {
            Some((seq, record)) if record == record_digest(&i)? => out.push((seq, i)),
            _ => return Err(changed(format!("the indicator {}", i.id))),
        }
    }
    if let Some(id) = logged.into_keys().next() {
        return Err(changed(format!("the log's indicator {id}, whose record is missing,")));
    }
    out.sort_by_key(|(seq, _)| *seq);
    Ok(out.into_iter().map(|(_, i)| i).collect())
}

/// The indicators an export marked up to `tlp_max` may hold, and how many it leaves out.
pub fn up_to(all: Vec<Indicator>, tlp_max: Tlp) -> (Vec<Indicator>, usize) {
    let before = all.len();
    let kept: Vec<Indicator> = all.into_iter().filter(|i| i.tlp <= tlp_max).collect();
    let left_out = before - kept.len();
    (kept, left_out)
}

/// The formats of an indicator export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Stix,
}

impl Format {
    pub fn key(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Stix => "stix",
        }
    }

    pub fn of(text: &str) -> Result<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "stix" => Ok(Format::Stix),
            _ => Err(Error::Invalid { what: "format", reason: "must be csv or stix".into() }),
        }
    }
}

/// Logs an export of `shared` (its ids), as `format`, marked up to `tlp_max`: the
/// exporter's own entry (incident leads and admins).
pub fn log_shared(
    session: &Session,
    incident: &str,
    shared: &[Indicator],
    format: Format,
    tlp_max: Tlp,
) -> Result<u64> {
    let event = Event::IndicatorsShared {
        format: format.key().to_owned(),
        indicators: shared.iter().map(|i| i.id.clone()).collect(),
        tlp_max,
    };
    session.write(|w| {
        w.require(Permission::ManageIndicators, "export indicators")?;
        w.append(Some(incident), &event)
    })
}

/// The columns of the CSV export (`docs/forensics.md`), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    Incident,
    Type,
    Value,
    Tlp,
    Confidence,
    Source,
    FirstSeen,
    Asset,
    Added,
    AddedBy,
}

impl Columns for Column {
    const ALL: &'static [Column] = &[
        Column::Id,
        Column::Incident,
        Column::Type,
        Column::Value,
        Column::Tlp,
        Column::Confidence,
        Column::Source,
        Column::FirstSeen,
        Column::Asset,
        Column::Added,
        Column::AddedBy,
    ];
    const REQUIRED: &'static [&'static str] = &["type", "value", "tlp"];
    const FILE: &'static str = "indicators file";
    const FILE_WITH_ARTICLE: &'static str = "an indicators file";
    const MAX_ROWS: usize = 100_000;

    fn column(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Incident => "incident",
            Column::Type => "type",
            Column::Value => "value",
            Column::Tlp => "tlp",
            Column::Confidence => "confidence",
            Column::Source => "source",
            Column::FirstSeen => "first_seen",
            Column::Asset => "asset",
            Column::Added => "added",
            Column::AddedBy => "added_by",
        }
    }
}

/// Times in the CSV: UTC, RFC 3339 to the second, as machines read them.
fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The CSV export: a row per indicator, every cell guarded (`csv_table::write`).
pub fn csv(list: &[Indicator]) -> Result<Vec<u8>> {
    crate::csv_table::write(
        list,
        |i: &Indicator, c| match c {
            Column::Id => i.id.clone(),
            Column::Incident => i.incident.clone(),
            Column::Type => i.kind.key().to_owned(),
            Column::Value => i.value.clone(),
            Column::Tlp => i.tlp.label().to_owned(),
            Column::Confidence => i.confidence.map(|c| c.value().to_string()).unwrap_or_default(),
            Column::Source => i.source.clone().unwrap_or_default(),
            Column::FirstSeen => i.first_seen.map(utc).unwrap_or_default(),
            Column::Asset => i.asset.as_ref().map(AssetRef::words).unwrap_or_default(),
            Column::Added => utc(i.added),
            Column::AddedBy => i.added_by.clone(),
        },
        "indicators export",
    )
}
