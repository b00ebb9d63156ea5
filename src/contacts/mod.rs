//! The contact tree: the people and outside parties to call in an incident, who calls
//! whom (with an alternate for each, and escalation when a call goes unanswered), and the
//! channels each may be reached on. Everything a person entered is sealed in the store
//! (`Kind::Contact`); only admins change it, every unlocked user reads it and logs calls.
//!
//! The tree is kept on each contact: `called_by` names who calls them (`None`: the
//! incident lead), in the order the contacts are listed; `alternate` is who to call when
//! they cannot be reached within `escalate_after_minutes`. `incident_types` limits a
//! contact to some playbooks (the cyber insurer for ransomware, say): the tree for one
//! incident type is the contacts for it, and one whose caller is not in it is called by
//! the lead.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::limits::Listed;

pub mod calltree;
pub mod channels;
pub mod check;
pub mod csv;
#[cfg(test)]
mod testing;
pub mod vcard;

/// Inside the organisation, or an outside party (vendor, insurer, FBI, HHS OCR, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Internal,
    External,
}

impl ContactKind {
    /// The id used in files: `internal` or `external`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Internal => "internal",
            ContactKind::External => "external",
        }
    }

    /// Reads `internal` or `external` (any case, surrounding spaces ignored).
    pub fn from_id(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("internal") {
            Some(ContactKind::Internal)
        } else if text.eq_ignore_ascii_case("external") {
            Some(ContactKind::External)
        } else {
            None
        }
    }
}

/// One person or organisation in the contact tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Stable id, lower-case letters, digits and dashes (`ian-it`): what calls and the
    /// tree refer to.
    pub id: String,
    pub name: String,
    pub kind: ContactKind,
    /// The contact role a playbook step calls (`it-security-lead`, `cyber-insurer`, ...:
    /// `playbook::format::STANDARD_CONTACT_ROLES`).
    pub role: Option<String>,
    /// HICS position (`incident-commander`, ...) or job title.
    pub position: Option<String>,
    pub department: Option<String>,
    pub organisation: Option<String>,
    pub work_phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub pager: Option<String>,
    pub radio_channel: Option<String>,
    pub secure_messaging: Option<String>,
    pub email: Option<String>,
    /// Outside parties: the vendor's support line, the insurer's claim line, ...
    pub support_line: Option<String>,
    /// The contract or business associate agreement (BAA) reference.
    pub contract_ref: Option<String>,
    /// The cyber insurance policy number.
    pub policy_number: Option<String>,
    pub claim_line: Option<String>,
    /// Outside parties: how soon they must be told of an incident, as their contract or
    /// policy says (`72 hours`): the cyber insurer's notice window, which its legal clock
    /// reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_within: Option<String>,
    /// The channels approved for this contact (see [`CHANNELS`]), in order of preference.
    pub channels: Vec<String>,
    pub notes: Option<String>,
    /// Who calls this contact (a contact id); `None`: the incident lead.
    pub called_by: Option<String>,
    /// Who to call instead when this contact cannot be reached (a contact id).
    pub alternate: Option<String>,
    /// Minutes without reaching them before the alternate is called.
    pub escalate_after_minutes: u32,
    /// Playbook ids this contact is called for; empty: every incident.
    pub incident_types: Vec<String>,
}

/// The default wait before escalating to the alternate.
pub const DEFAULT_ESCALATE_MINUTES: u32 = 10;

/// A channel a contact may be approved for (one row of [`CHANNELS`]), and whether it is
/// secure for patient information. The window marks the unsecure ones from this list
/// (`list_channels`), so the rule is written once, here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// The id used in files and on a contact (`sms`).
    pub id: &'static str,
    /// What a person reads (`Text message (SMS)`).
    pub name: &'static str,
    /// Secure for patient information.
    pub secure: bool,
}

/// Every channel a contact may be approved for, in [`CHANNELS`]' order.
pub fn channels() -> Vec<Channel> {
    CHANNELS.iter().map(|&(id, name, secure)| Channel { id, name, secure }).collect()
}

/// The channels a contact may be approved for: (id, name, secure for patient information).
/// Public email and consumer messaging are never approved for patient information.
pub const CHANNELS: &[(&str, &str, bool)] = &[
    ("phone", "Desk phone", true),
    ("mobile", "Mobile phone (voice)", true),
    ("pager", "Pager", true),
    ("radio", "Radio", true),
    ("secure-messaging", "Secure messaging", true),
    ("work-email", "Organisation email", true),
    ("fax", "Fax", true),
    ("in-person", "In person", true),
    ("public-email", "Public email (Gmail, Yahoo, ...)", false),
    ("sms", "Text message (SMS)", false),
    ("consumer-messaging", "Consumer messaging (WhatsApp, Messenger, ...)", false),
];

impl Contact {
    /// The number to try first: work phone, else mobile, pager or support line.
    pub fn first_number(&self) -> Option<&str> {
        [&self.work_phone, &self.mobile_phone, &self.pager, &self.support_line]
            .into_iter()
            .flatten()
            .next()
            .map(String::as_str)
    }
}

/// Whether a channel id is secure for patient information; `None` for an unknown id.
pub fn channel_is_secure(id: &str) -> Option<bool> {
    CHANNELS.iter().find(|(c, _, _)| *c == id).map(|(_, _, secure)| *secure)
}

/// What the limits' errors call a contacts file.
const FILE: &str = "contacts file";

/// The file formats of the contact tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Vcard,
}

impl std::str::FromStr for Format {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "csv" => Ok(Format::Csv),
            "vcard" | "vcf" => Ok(Format::Vcard),
            _ => {
                Err(crate::Error::Invalid { what: "format", reason: "must be csv or vcard".into() })
            }
        }
    }
}

impl Format {
    /// The format of a file: vCard when it is named `.vcf`/`.vcard` or begins with
    /// `BEGIN:VCARD`, else CSV.
    pub fn of(file_name: &str, bytes: &[u8]) -> Format {
        let lower = file_name.to_lowercase();
        let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let starts_vcard = start
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .and_then(|i| start.get(i..i + 11))
            .is_some_and(|s| s.eq_ignore_ascii_case(b"BEGIN:VCARD"));
        if lower.ends_with(".vcf") || lower.ends_with(".vcard") || starts_vcard {
            Format::Vcard
        } else {
            Format::Csv
        }
    }

    /// Reads a file in this format and checks its contacts. A file larger than 20 MB, or
    /// with more than 100,000 rows or cards, is refused whole (`crate::limits`).
    pub fn parse(self, bytes: &[u8], incident_types: &[&str]) -> crate::Result<check::Parsed> {
        crate::limits::check_file_size(FILE, bytes)?;
        match self {
            Format::Csv => csv::parse(bytes, incident_types),
            Format::Vcard => vcard::parse(bytes, incident_types),
        }
    }

    pub fn write(self, contacts: &[Contact]) -> crate::Result<Vec<u8>> {
        match self {
            Format::Csv => csv::write(contacts),
            Format::Vcard => vcard::write(contacts).map(String::into_bytes),
        }
    }
}

/// What an import would do (or did): shown before anything changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// Rows or cards that can be imported.
    pub good: usize,
    /// The bad rows' problems as `line N: message`, the first 100 listed and the rest
    /// counted: nothing is imported while there is one, unless the admin chooses to skip
    /// them (and then each is reported as skipped).
    pub problems: Listed<String>,
    pub warnings: Listed<String>,
    /// Against the tree in the store now, by contact id.
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// The import replaced the tree.
    pub imported: bool,
}

impl Preview {
    /// Linear in both trees: the current one is looked up by id in a map.
    pub fn of(parsed: &check::Parsed, current: &[Contact]) -> Preview {
        let new: Vec<&Contact> = parsed.contacts.iter().map(|(_, c)| c).collect();
        let mut old: HashMap<&str, &Contact> = HashMap::with_capacity(current.len());
        for c in current {
            old.entry(c.id.as_str()).or_insert(c);
        }
        let new_ids: HashSet<&str> = new.iter().map(|c| c.id.as_str()).collect();
        let listed = |all: &[check::RowProblem], more: usize| {
            let mut listed = Listed::of(all.iter().map(ToString::to_string));
            listed.more += more;
            listed
        };
        Preview {
            good: new.len(),
            problems: listed(&parsed.problems, parsed.more_problems),
            warnings: listed(&parsed.warnings, parsed.more_warnings),
            added: new.iter().filter(|c| !old.contains_key(c.id.as_str())).count(),
            changed: new
                .iter()
                .filter(|c| old.get(c.id.as_str()).is_some_and(|o| *o != **c))
                .count(),
            removed: current.iter().filter(|c| !new_ids.contains(c.id.as_str())).count(),
            imported: false,
        }
    }
}
