//! The risk register (issue 17): each risk's threat and vulnerability, the assets it
//! touches (ids of the asset register), its likelihood and impact (1 to 5 each, the score
//! their product), its impact on patient care, its owner, treatment, due date, status and
//! next review. Listed in priority order, where the impact on patient care weighs first
//! (45 CFR 164.308(a)(1)(ii)(A)-(B): a documented risk analysis, and risk management in
//! order of it), then the score, then the due date.
//!
//! One sealed record holds the register (`Kind::Risk`, signed by the admins' key), read and
//! replaced as the asset register is: admins and incident leads read it, admins replace it
//! (`Permission::ReadAssets`, `Permission::ManageAssets`: the same weaknesses). Its CSV is
//! [`csv`] (`docs/risk.md`).

pub mod csv;
pub mod report;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::store::{Kind, Permission, Record, Session};

/// What is done about a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Treatment {
    Mitigate,
    Accept,
    Transfer,
    Avoid,
}

/// Where a risk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Open,
    InProgress,
    Closed,
}

impl Treatment {
    pub const ALL: [(&'static str, Treatment); 4] = [
        ("mitigate", Treatment::Mitigate),
        ("accept", Treatment::Accept),
        ("transfer", Treatment::Transfer),
        ("avoid", Treatment::Avoid),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Mitigate => "mitigate",
            Treatment::Accept => "accept",
            Treatment::Transfer => "transfer",
            Treatment::Avoid => "avoid",
        }
    }
}

impl Status {
    pub const ALL: [(&'static str, Status); 3] =
        [("open", Status::Open), ("in-progress", Status::InProgress), ("closed", Status::Closed)];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in-progress",
            Status::Closed => "closed",
        }
    }
}

/// How a risk touches patient care, most serious first.
pub const PATIENT_IMPACT: [(u8, &str); 4] = [
    (3, "direct: patients could be harmed, or care stops"),
    (2, "care is delayed or moves to paper"),
    (1, "indirect: patient information, not care"),
    (0, "none"),
];

/// One risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// Its id (the id rule of the app): `ransomware-ehr`.
    pub id: String,
    /// What could happen: `Ransomware encrypts the EHR`.
    pub threat: String,
    /// The weakness it would go through: `Unpatched VPN appliance`.
    pub vulnerability: String,
    /// The assets of the asset register it touches.
    #[serde(default)]
    pub assets: Vec<String>,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: u8,
    /// 1 (negligible) to 5 (severe).
    pub impact: u8,
    /// 0 (none) to 3 (direct), [`PATIENT_IMPACT`].
    pub patient_impact: u8,
    pub owner: Option<String>,
    pub treatment: Treatment,
    /// What the treatment is, in words.
    pub plan: Option<String>,
    /// When the treatment is due.
    pub due: Option<NaiveDate>,
    pub status: Status,
    /// When the risk is next reviewed.
    pub next_review: Option<NaiveDate>,
}

impl Risk {
    /// Likelihood times impact: 1 to 25.
    pub fn score(&self) -> u8 {
        self.likelihood.saturating_mul(self.impact)
    }
}

/// The whole register, in file order: one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RiskRegister(pub Vec<Risk>);

impl Record for RiskRegister {
    const KIND: Kind = Kind::Risk;
}

/// The record id of the register.
pub const REGISTER: &str = "risk-register";

/// A risk as lists show it: with its score and whether its treatment or review is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskView {
    #[serde(flatten)]
    pub risk: Risk,
    pub score: u8,
    /// Its treatment is due and it is not closed.
    pub treatment_overdue: bool,
    /// Its review date has passed.
    pub review_due: bool,
    /// Those two in words, as every view prints them: `treatment overdue; review due`.
    pub flags: String,
    /// Its impact on patient care in words ([`PATIENT_IMPACT`]).
    pub patient_words: &'static str,
}

/// The impact on patient care in words.
pub fn patient_words(n: u8) -> &'static str {
    PATIENT_IMPACT.iter().find(|(k, _)| *k == n).map_or("none", |(_, w)| w)
}

/// The register in priority order on `today`: closed risks last; then the impact on
/// patient care, the score, the due date (none last) and the id.
pub fn prioritised(risks: &[Risk], today: NaiveDate) -> Vec<RiskView> {
    let mut out: Vec<RiskView> = risks
        .iter()
        .map(|r| {
            let treatment_overdue = r.status != Status::Closed && r.due.is_some_and(|d| d < today);
            let review_due = r.next_review.is_some_and(|d| d <= today);
            let flags = [(treatment_overdue, "treatment overdue"), (review_due, "review due")]
                .into_iter()
                .filter_map(|(on, w)| on.then_some(w))
                .collect::<Vec<_>>()
                .join("; ");
            RiskView {
                risk: r.clone(),
                score: r.score(),
                treatment_overdue,
                review_due,
                flags,
                patient_words: patient_words(r.patient_impact),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |v: &RiskView| {
            (
                v.risk.status == Status::Closed,
                std::cmp::Reverse(v.risk.patient_impact),
                std::cmp::Reverse(v.score),
                v.risk.due.unwrap_or(NaiveDate::MAX),
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.risk.id.cmp(&b.risk.id))
    });
    out
}

/// How many open risks fall in each cell of the 5 by 5 heat map: `[likelihood - 1][impact
/// - 1]`. Closed risks are not counted.
pub fn heat(risks: &[Risk]) -> [[usize; 5]; 5] {
    let mut grid = [[0; 5]; 5];
    for r in risks.iter().filter(|r| r.status != Status::Closed) {
        let (l, i) =
            (usize::from(r.likelihood.clamp(1, 5)) - 1, usize::from(r.impact.clamp(1, 5)) - 1);
        if let Some(cell) = grid.get_mut(l).and_then(|row| row.get_mut(i)) {
            *cell += 1;
        }
    }
    grid
}

impl Session {
    /// The risk register (admins and incident leads; everyone else is refused).
    pub fn risks(&self) -> Result<Vec<Risk>> {
        self.require(Permission::ReadAssets, "read the risk register")?;
        Ok(self.get::<RiskRegister>(REGISTER)?.unwrap_or_default().0)
    }

    /// Replaces the risk register in one write (admins), recording `analysed` as the day
    /// of the last risk analysis.
    pub fn replace_risks(&self, risks: Vec<Risk>, analysed: NaiveDate) -> Result<()> {
        let register = RiskRegister(risks);
        let settings = crate::store::Settings { risk_analysed: Some(analysed), ..self.settings()? };
        self.write(|w| {
            w.require(Permission::ManageAssets, "change the risk register")?;
            w.put(REGISTER, &register)?;
            w.put("settings", &settings)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
