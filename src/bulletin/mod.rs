//! Signed threat bulletins (issue 18): what IT security carries from HHS HC3, Health-ISAC
//! or CISA to the wards. A bulletin ([`format`], `docs/bulletins.md`) has a title, a
//! severity, an audience, the text staff should read, the products it affects and an
//! expiry. IT security signs it with the organisation's pack key (`caregiver bulletin
//! sign`); a workstation imports it only if the key it has pinned signed it and it has not
//! expired. Its audience sees it until they acknowledge it (a `bulletin_acknowledged` log
//! entry: the read receipt), and admins and incident leads see which assets of the register
//! run the affected products.

pub mod format;

use chrono::NaiveDate;
use data_encoding::BASE64;
use ring::signature::{ED25519, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::assets::Asset;
use crate::events::Event;
use crate::kev::matching::{self, VersionRange};
use crate::policy::Audience;
use crate::store::{Kind, Permission, Record, Session, UserInfo};
use crate::{Error, Result};

/// A signed bulletin's format line, the first line of what is signed.
pub const FORMAT: &str = "caregiver-bulletin/1";

/// Severities, most serious first.
pub const SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];

/// A product a bulletin affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub vendor: String,
    pub product: String,
    /// A version or a range (`>= 2.0, < 2.5`); none: every version.
    pub versions: Option<String>,
    pub cves: Vec<String>,
}

/// A bulletin as its file says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub issued: NaiveDate,
    pub expires: NaiveDate,
    pub source: String,
    pub text: String,
    pub audience: Audience,
    pub affected: Vec<Affected>,
}

/// A bulletin as the store keeps it (sealed, signed by the admins' key): the bulletin, and
/// who imported it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub bulletin: Bulletin,
    pub imported_by: String,
    pub imported: chrono::DateTime<chrono::Utc>,
}

impl Record for Kept {
    const KIND: Kind = Kind::Bulletin;
}

/// The signed file: the bulletin's text and the signature over [`FORMAT`] and it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signed {
    format: String,
    bulletin: String,
    signature: String,
}

fn message(text: &str) -> String {
    format!("{FORMAT}\n{text}")
}

fn rejected(reason: impl Into<String>) -> Error {
    Error::BulletinRejected { reason: reason.into() }
}

/// Signs a checked bulletin with the organisation's signing key: the file to import.
pub fn sign(file: &str, text: &str, key_text: &str) -> Result<String> {
    format::parse(file, text).map_err(|diagnostics| Error::BulletinInvalid { diagnostics })?;
    let pair = crate::playbook::pack::read_key(key_text)?;
    let signature = BASE64.encode(pair.sign(message(text).as_bytes()).as_ref());
    let signed = Signed { format: FORMAT.into(), bulletin: text.to_owned(), signature };
    serde_json::to_string_pretty(&signed).map_err(|e| rejected(e.to_string()))
}

/// Reads a signed bulletin: signed by `key` (the pinned pack key), whole, checked, and
/// not expired on `today`.
pub fn verify(signed: &str, key: Option<&[u8]>, today: NaiveDate) -> Result<Bulletin> {
    let key = key.ok_or_else(|| {
        rejected("no signing key is pinned on this workstation: an admin pins the organisation's key first (caregiver pack trust)")
    })?;
    let s: Signed = serde_json::from_str(signed)
        .map_err(|_| rejected("not a signed bulletin (caregiver bulletin sign makes one)"))?;
    if s.format != FORMAT {
        return Err(rejected(format!(
            "unknown bulletin format `{}`",
            crate::limits::quoted(&s.format)
        )));
    }
    let sig = BASE64
        .decode(s.signature.as_bytes())
        .map_err(|_| rejected("the signature is not base64"))?;
    UnparsedPublicKey::new(&ED25519, key)
        .verify(message(&s.bulletin).as_bytes(), &sig)
        .map_err(|_| rejected("the signature does not match the pinned key: the bulletin was changed, or another key signed it"))?;
    let b = format::parse("bulletin", &s.bulletin)
        .map_err(|diagnostics| Error::BulletinInvalid { diagnostics })?;
    if b.expires < today {
        return Err(rejected(format!("it expired on {}", b.expires)));
    }
    Ok(b)
}

/// The assets of the register a bulletin's products affect, in register order, each once.
pub fn affected_assets<'a>(b: &Bulletin, index: &matching::Index<'a>) -> Vec<&'a Asset> {
    let mut out: Vec<&Asset> = Vec::new();
    for p in &b.affected {
        let range = p.versions.as_deref().and_then(VersionRange::parse);
        let hit = index.matches(&matching::Affected {
            vendor: &p.vendor,
            product: &p.product,
            versions: range.as_ref(),
        });
        for a in hit {
            if !out.iter().any(|o| o.id == a.id) {
                out.push(a);
            }
        }
    }
    out
}

/// Who acknowledged which bulletin, from the log: (person, bulletin id).
pub fn receipts(entries: &[crate::events::Entry]) -> Vec<(String, String)> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::BulletinAcknowledged { bulletin, .. } => {
                Some((e.actor.clone(), bulletin.clone()))
            }
            _ => None,
        })
        .collect()
}

impl Session {
    /// Every bulletin imported (any signed-in person: staff read them).
    pub fn bulletins(&self) -> Result<Vec<(String, Kept)>> {
        let mut list: Vec<(String, Kept)> =
            self.list::<Kept>()?.into_iter().map(|s| (s.id, s.value)).collect();
        list.sort_by(|a, b| {
            b.1.bulletin
                .issued
                .cmp(&a.1.bulletin.issued)
                .then_with(|| a.1.bulletin.id.cmp(&b.1.bulletin.id))
        });
        Ok(list)
    }

    /// Keeps a verified bulletin (admins): one of the same id is replaced.
    pub fn keep_bulletin(&self, bulletin: Bulletin) -> Result<Kept> {
        self.require(Permission::ManageTraining, "import a threat bulletin")?;
        let same = self.bulletins()?.into_iter().find(|(_, k)| k.bulletin.id == bulletin.id);
        let id = match same {
            Some((id, _)) => id,
            None => crate::store::new_record_id()?,
        };
        let kept =
            Kept { bulletin, imported_by: self.user_name().to_owned(), imported: self.now() };
        self.write(|w| {
            w.require(Permission::ManageTraining, "import a threat bulletin")?;
            w.put(&id, &kept)?;
            Ok(())
        })?;
        Ok(kept)
    }

    /// The signed-in person acknowledges a bulletin addressed to them: the read receipt.
    pub fn acknowledge_bulletin(&self, b: &Bulletin, me: &UserInfo) -> Result<u64> {
        if !b.audience.covers(me) {
            return Err(Error::Invalid {
                what: "bulletin",
                reason: format!("\u{201c}{}\u{201d} is not addressed to you", b.title),
            });
        }
        self.append(
            None,
            &Event::BulletinAcknowledged { bulletin: b.id.clone(), title: b.title.clone() },
        )
    }
}

#[cfg(test)]
mod tests;
