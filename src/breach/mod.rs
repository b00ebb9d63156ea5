//! Breaches of unsecured protected health information (45 CFR 164.400-414): the breach
//! risk assessment the privacy officer signs ([`assessment`]: the three exceptions and
//! secured PHI, then the four factors of 164.402(2), and its result, which answers the
//! playbook's decisions that `form = "four-factor"` marks), and the breach register
//! ([`register`]: every breach with the fields of HHS's breach report, sealed in the store,
//! and the number affected in each state; [`export`]: its CSV for the yearly submission and
//! for one breach).
//!
//! Who does what: the assessment is completed by the person holding the incident's
//! `privacy-officer` position, under their own unlock (its entry and the decisions it
//! answers are in their name, signed by their log key); the register is changed by that
//! person or by a role holding [`Permission::KeepBreachRegister`] (admins), and read by
//! them or by a role holding [`Permission::HandleRecords`].

pub mod assessment;
pub mod export;
pub mod register;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::incident::Progress;
use crate::store::{Permission, Role};
use crate::{Error, Result};

pub use assessment::{Assessed, Assessment, AssessmentForm, Outcome};
pub use register::{BreachChange, BreachEntry, BreachReport};

/// The HICS position whose holder completes the breach risk assessment.
pub const PRIVACY_OFFICER: &str = "privacy-officer";

/// How many people a breach affected: in all, and by state of residence (two-letter codes,
/// each counted once; people whose state is unknown or abroad count in `total` only).
/// Names never: the log entry that carries it holds counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub total: u64,
    #[serde(default)]
    pub by_state: BTreeMap<String, u64>,
}

impl Affected {
    /// More than 500 residents of one state: prominent media outlets there are told
    /// (45 CFR 164.406(a)).
    pub fn media_notice(&self) -> bool {
        self.by_state.values().any(|n| *n > 500)
    }

    /// 500 or more in all: HHS is told at the same time as the individuals (164.408(b));
    /// fewer, in the yearly report (164.408(c)).
    pub fn hhs_now(&self) -> bool {
        self.total >= 500
    }

    /// `640 affected (CA=510; NV=130)`, as the review, the HICS 214 and the log read.
    pub fn words(&self) -> String {
        let total = crate::words::count(usize::try_from(self.total).unwrap_or(usize::MAX));
        if self.by_state.is_empty() {
            format!("{total} affected")
        } else {
            format!("{total} affected ({})", self.states_words())
        }
    }

    /// `CA=510; NV=130`, the form the CLI takes and the CSV writes.
    pub fn states_words(&self) -> String {
        let each: Vec<String> = self.by_state.iter().map(|(s, n)| format!("{s}={n}")).collect();
        each.join("; ")
    }

    /// Checks the counts: at most 100 million people, each state a known code with at least
    /// one person, and no more people by state than in all.
    pub fn checked(total: u64, by_state: Vec<(String, u64)>) -> Result<Affected> {
        let invalid = |what, reason: String| Error::Invalid { what, reason };
        if total > 100_000_000 {
            return Err(invalid("number affected", "must be at most 100,000,000".into()));
        }
        let mut states = BTreeMap::new();
        for (code, count) in by_state {
            let code = code.trim().to_ascii_uppercase();
            if !STATES.contains(&code.as_str()) {
                return Err(invalid(
                    "state",
                    "use a two-letter code of a state, DC or a territory (CA, NY, DC, PR ...)"
                        .into(),
                ));
            }
            if count == 0 {
                return Err(invalid("state count", format!("{code}: count at least 1 person")));
            }
            if states.insert(code.clone(), count).is_some() {
                return Err(invalid("state", format!("{code} is given twice")));
            }
        }
        let by_states: u64 = states.values().sum();
        if by_states > total {
            return Err(invalid(
                "number affected",
                format!(
                    "the states add up to {}, more than the {} affected in all",
                    crate::words::count(by_states as usize),
                    crate::words::count(total as usize)
                ),
            ));
        }
        Ok(Affected { total, by_state: states })
    }

    /// Reads `CA=510` (a state and its count), as the CLI takes it.
    pub fn parse_state(text: &str) -> Result<(String, u64)> {
        let bad = || Error::Invalid {
            what: "state",
            reason: "write a two-letter code and a count, like CA=510".into(),
        };
        let (code, count) = text.split_once('=').ok_or_else(bad)?;
        let count = count.trim().parse::<u64>().map_err(|_| bad())?;
        Ok((code.trim().to_owned(), count))
    }
}

/// The two-letter codes of the states, the District of Columbia and the territories, as
/// HHS's breach portal lists "State, DC, and Territory".
pub const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP",
];

/// Who holds the incident's privacy-officer position, if anyone.
pub fn privacy_officer(p: &Progress) -> Option<&str> {
    p.positions.iter().find(|a| a.position == PRIVACY_OFFICER).map(|a| a.person.as_str())
}

/// Whether `user` holds the incident's privacy-officer position.
pub fn is_privacy_officer(p: &Progress, user: &str) -> bool {
    privacy_officer(p).is_some_and(|holder| holder.eq_ignore_ascii_case(user))
}

/// Refuses unless `user` is the incident's privacy officer or their role holds
/// `permission` (`None`: the position only).
fn require_officer(
    p: &Progress,
    user: &str,
    role: Role,
    permission: Option<Permission>,
    action: &'static str,
) -> Result<()> {
    if is_privacy_officer(p, user) || permission.is_some_and(|perm| role.may(perm)) {
        return Ok(());
    }
    // Who else may, in the permission table's words.
    let needed = match permission.map(Permission::holders) {
        None => "the person holding the incident's privacy-officer position",
        Some("admins") => "the incident's privacy officer and admins",
        Some(_) => "the incident's privacy officer, incident leads and admins",
    };
    Err(Error::PermissionDenied { action, needed })
}

#[cfg(test)]
pub(crate) mod tests;
