//! CISA's Known Exploited Vulnerabilities catalogue (issue 18), carried in by hand as the
//! CSV CISA publishes (its columns: cveID, vendorProject, product, vulnerabilityName,
//! dateAdded, shortDescription, requiredAction, dueDate, knownRansomwareCampaignUse, notes,
//! cwes), kept as one sealed record signed by the admins' key (`Kind::KevCatalogue`:
//! admins import it, incident leads read it, as the asset register), and matched against
//! the asset register by vendor and product ([`matching`]).

pub mod matching;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::assets::Asset;
use crate::csv_table::{self, Columns, RowProblem};
use crate::limits::{MAX_NOTES_CHARS, quoted};
use crate::store::{Kind, Permission, Record, Session};

/// The most entries a catalogue file may hold (CISA's held about 1,400 in 2026).
pub const MAX_ENTRIES: usize = 20_000;

/// One known exploited vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    pub cve: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    pub date_added: NaiveDate,
    pub description: String,
    pub required_action: String,
    /// The date federal agencies must act by: the patch list's deadline.
    pub due: Option<NaiveDate>,
    /// CISA knows it is used in ransomware campaigns.
    pub ransomware: bool,
    pub notes: String,
    pub cwes: String,
}

/// The catalogue as last imported: one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevCatalogue {
    pub imported: Option<NaiveDate>,
    pub entries: Vec<KevEntry>,
}

impl Record for KevCatalogue {
    const KIND: Kind = Kind::KevCatalogue;
}

/// The record id of the catalogue.
pub const CATALOGUE: &str = "kev-catalogue";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Cve,
    Vendor,
    Product,
    Name,
    DateAdded,
    Description,
    Action,
    Due,
    Ransomware,
    Notes,
    Cwes,
}

impl Columns for Field {
    const ALL: &'static [Field] = &[
        Field::Cve,
        Field::Vendor,
        Field::Product,
        Field::Name,
        Field::DateAdded,
        Field::Description,
        Field::Action,
        Field::Due,
        Field::Ransomware,
        Field::Notes,
        Field::Cwes,
    ];
    const REQUIRED: &'static [&'static str] = &["cveid", "vendorproject", "product", "dateadded"];
    const FILE: &'static str = "KEV catalogue";
    const FILE_WITH_ARTICLE: &'static str = "a KEV catalogue";
    const MAX_ROWS: usize = MAX_ENTRIES;

    /// CISA's column names, as a header cell reads compared (lower case).
    fn column(self) -> &'static str {
        match self {
            Field::Cve => "cveid",
            Field::Vendor => "vendorproject",
            Field::Product => "product",
            Field::Name => "vulnerabilityname",
            Field::DateAdded => "dateadded",
            Field::Description => "shortdescription",
            Field::Action => "requiredaction",
            Field::Due => "duedate",
            Field::Ransomware => "knownransomwarecampaignuse",
            Field::Notes => "notes",
            Field::Cwes => "cwes",
        }
    }
}

/// A CVE id: `CVE-2024-21887`.
pub fn is_cve(text: &str) -> bool {
    let mut parts = text.split('-');
    let (Some("CVE"), Some(year), Some(n), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && n.len() >= 4
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// Reads CISA's CSV: every entry, or every problem at its line (nothing is kept while
/// there is one).
pub fn parse(bytes: &[u8]) -> Result<Vec<KevEntry>> {
    let table = csv_table::read_strict::<Field>(bytes)?;
    let mut problems = table.problems;
    let mut entries = Vec::new();
    for r in table.rows {
        problems.extend(r.located);
        let cell =
            |f: Field| r.values.iter().find(|(c, _)| *c == f).map_or("", |(_, t)| t.as_str());
        let mut found = Vec::new();
        let cve = cell(Field::Cve);
        if !is_cve(cve) {
            found.push(format!(
                "`cveID` must be a CVE id like CVE-2024-21887, not `{}`",
                quoted(cve)
            ));
        }
        for f in [Field::Vendor, Field::Product] {
            if cell(f).is_empty() {
                found.push(format!(
                    "`{}` is empty",
                    if f == Field::Vendor { "vendorProject" } else { "product" }
                ));
            }
        }
        if Field::ALL.iter().any(|f| cell(*f).chars().count() > MAX_NOTES_CHARS) {
            found.push(format!("a cell is longer than {MAX_NOTES_CHARS} characters"));
        }
        let date_added = csv_table::date(cell(Field::DateAdded), "dateAdded", &mut found);
        let due = csv_table::date(cell(Field::Due), "dueDate", &mut found);
        if date_added.is_none() && cell(Field::DateAdded).is_empty() {
            found.push("`dateAdded` is empty".into());
        }
        match (found.is_empty(), date_added) {
            (true, Some(date_added)) => entries.push(KevEntry {
                cve: cve.to_owned(),
                vendor: cell(Field::Vendor).to_owned(),
                product: cell(Field::Product).to_owned(),
                name: cell(Field::Name).to_owned(),
                date_added,
                description: cell(Field::Description).to_owned(),
                required_action: cell(Field::Action).to_owned(),
                due,
                ransomware: cell(Field::Ransomware).eq_ignore_ascii_case("known"),
                notes: cell(Field::Notes).to_owned(),
                cwes: cell(Field::Cwes).to_owned(),
            }),
            _ => problems
                .extend(found.into_iter().map(|message| RowProblem { line: r.line, message })),
        }
    }
    if problems.is_empty() { Ok(entries) } else { Err(csv_table::rejected(problems)) }
}

/// One catalogue entry that affects assets of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevMatch {
    #[serde(flatten)]
    pub entry: KevEntry,
    /// The ids of the assets it affects, in register order.
    pub assets: Vec<String>,
    /// Its due date has passed.
    pub overdue: bool,
    /// `3 assets in the register run the affected product`.
    pub words: String,
}

/// The catalogue's entries that affect the register, those past their due date first,
/// then the ransomware ones, then by due date and CVE.
pub fn matches(entries: &[KevEntry], assets: &[Asset], today: NaiveDate) -> Vec<KevMatch> {
    let index = matching::Index::new(assets);
    let mut out: Vec<KevMatch> = entries
        .iter()
        .filter_map(|e| {
            let hit = index.matches(&matching::Affected {
                vendor: &e.vendor,
                product: &e.product,
                versions: None,
            });
            (!hit.is_empty()).then(|| {
                let n = hit.len();
                KevMatch {
                    entry: e.clone(),
                    assets: hit.iter().map(|a| a.id.clone()).collect(),
                    overdue: e.due.is_some_and(|d| d < today),
                    words: format!(
                        "{n} {} in the register {} {} {}",
                        if n == 1 { "asset" } else { "assets" },
                        if n == 1 { "runs" } else { "run" },
                        e.vendor,
                        e.product
                    ),
                }
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let key =
            |m: &KevMatch| (!m.overdue, !m.entry.ransomware, m.entry.due.unwrap_or(NaiveDate::MAX));
        key(a).cmp(&key(b)).then_with(|| a.entry.cve.cmp(&b.entry.cve))
    });
    out
}

/// The entries each asset is past due on: matched, due before `today`, and the asset not
/// patched since the entry was added to the catalogue (a patch on or after that day is
/// taken to be the fix). By asset id, each `CVE (due DATE)`.
pub fn overdue_flags(
    entries: &[KevEntry],
    assets: &[Asset],
    today: NaiveDate,
) -> crate::assets::KevFlags {
    let index = matching::Index::new(assets);
    let mut out = crate::assets::KevFlags::new();
    for e in entries.iter().filter(|e| e.due.is_some_and(|d| d < today)) {
        let affected =
            matching::Affected { vendor: &e.vendor, product: &e.product, versions: None };
        for a in index.matches(&affected) {
            if a.last_patched.is_none_or(|p| p < e.date_added) {
                let due = e.due.map(|d| d.to_string()).unwrap_or_default();
                out.entry(a.id.clone()).or_default().push(format!("{} (due {due})", e.cve));
            }
        }
    }
    out
}

impl Session {
    /// The KEV catalogue as last imported (admins and incident leads).
    pub fn kev(&self) -> Result<KevCatalogue> {
        self.require(Permission::ReadAssets, "read the KEV catalogue")?;
        Ok(self.get::<KevCatalogue>(CATALOGUE)?.unwrap_or_default())
    }

    /// Replaces the KEV catalogue (admins).
    pub fn replace_kev(&self, catalogue: &KevCatalogue) -> Result<()> {
        self.write(|w| {
            w.require(Permission::ManageAssets, "import the KEV catalogue")?;
            w.put(CATALOGUE, catalogue)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
