//! The playbook rules beyond the flow, kept apart from [`super::format`] (which reads the
//! file and checks steps, roles and the flow): citations (a title and a date, and sources
//! known to be withdrawn), job action sheets (mission, reports to, documents and forms),
//! and the HICS rules a default pack keeps: every Command and General Staff position a
//! step uses has a sheet, and the Safety Officer has a step in every playbook, with the
//! HICS 215A safety analysis among its forms.

use serde::{Deserialize, Serialize};

use super::format::Step;
use crate::checker::{Checker, S, is_valid_id};

/// The HICS 2014 Command and General Staff positions: each one a step uses needs a sheet.
pub const COMMAND_AND_GENERAL_STAFF: &[&str] = &[
    "incident-commander",
    "public-information-officer",
    "safety-officer",
    "liaison-officer",
    "medical-technical-specialist",
    "operations-chief",
    "planning-chief",
    "logistics-chief",
    "finance-chief",
];

/// The standard roles that are not HICS 2014 positions, and where they sit in HICS.
pub const LOCAL_POSITIONS: &[(&str, &str)] = &[
    ("it-lead", "Business Continuity Branch, Operations Section"),
    ("privacy-officer", "advises the Incident Commander, as a technical specialist"),
    ("legal-counsel", "advises the Incident Commander, as a technical specialist (legal)"),
    ("clinical-lead", "Medical Care Branch, Operations Section (the unit's charge nurse)"),
    ("unit-staff", "the staff of a unit, under its Clinical Unit Lead"),
];

/// The Safety Officer's role id, and the form every Safety Officer's sheet lists.
pub const SAFETY_OFFICER: &str = "safety-officer";
pub const SAFETY_FORM: &str = "HICS 215A";

/// What a sheet heading says of a role: a HICS Command or General Staff position, a local
/// position and where it sits, or a position this playbook declares (local too).
pub fn position_kind(role: &str) -> String {
    if COMMAND_AND_GENERAL_STAFF.contains(&role) {
        let staff = if role.ends_with("-chief") { "General Staff" } else { "Command Staff" };
        format!("HICS {staff} position")
    } else if let Some((_, place)) = LOCAL_POSITIONS.iter().find(|(r, _)| *r == role) {
        format!("local position, not a HICS position: {place}")
    } else {
        "local position declared by this playbook".to_owned()
    }
}

/// One source a playbook follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub title: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the edition, publication or version cited.
    pub date: String,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.title, self.date)
    }
}

/// The header of one position's job action sheet; its tasks are the steps for the role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sheet {
    pub role: String,
    pub mission: String,
    /// A role id of this playbook, or words (the Incident Commander reports to the CEO).
    pub reports_to: String,
    pub forms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    title: S<String>,
    date: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSheet {
    role: S<String>,
    mission: S<String>,
    reports_to: S<String>,
    forms: S<Vec<S<String>>>,
}

/// Sources known to be withdrawn or replaced: (does this title and date name it, what
/// replaces it).
type Withdrawn = (fn(&str, u32) -> bool, &'static str);

const WITHDRAWN: &[Withdrawn] = &[
    (
        |t, _| ["80061rev2", "80061revision2", "80061r2"].iter().any(|x| t.contains(x)),
        "NIST SP 800-61 Rev. 2 was withdrawn in April 2025: cite NIST SP 800-61 Rev. 3, \
         Incident Response Recommendations and Considerations for Cybersecurity Risk \
         Management (2025-04)",
    ),
    (
        |t, year| t.contains("safer") && year < 2025,
        "the ONC SAFER Guides were revised in January 2025: cite the 2025 edition (2025-01)",
    ),
];

/// The year of a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date, if it is one.
fn year_of(date: &str) -> Option<u32> {
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize, max: u32| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
            .filter(|n| (1..=max).contains(n))
    };
    let year = number(parts.first()?, 4, 9999)?;
    let ok = match parts.as_slice() {
        [_] => true,
        [_, m] => number(m, 2, 12).is_some(),
        [_, m, d] => number(m, 2, 12).is_some() && number(d, 2, 31).is_some(),
        _ => false,
    };
    ok.then_some(year)
}

/// Every citation has a title and a date; a withdrawn one is reported with what replaces it.
pub(crate) fn sources(c: &mut Checker<'_>, raw: &S<Vec<S<RawSource>>>) -> Vec<Source> {
    if raw.get_ref().is_empty() {
        c.span(raw, "`sources` needs at least one source");
    }
    raw.get_ref().iter().map(|s| source(c, s.get_ref())).collect()
}

/// One citation: a title and a date; a withdrawn one is reported with what replaces it.
pub(super) fn source(c: &mut Checker<'_>, s: &RawSource) -> Source {
    let title = c.text_required(&s.title, "a source's `title`");
    let date = s.date.get_ref().trim().to_owned();
    let year = year_of(&date);
    if year.is_none() {
        c.span(&s.date, format!("a source's `date` must be YYYY, YYYY-MM or YYYY-MM-DD (the edition cited), not `{date}`"));
    }
    let plain: String = title.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    if let Some((_, instead)) = WITHDRAWN.iter().find(|(names, _)| names(&plain, year.unwrap_or(0)))
    {
        c.span(&s.title, format!("withdrawn source: {instead}"));
    }
    Source { title, date }
}

/// The sheets, and the HICS rules on the steps' roles. `known` tells whether a role id is
/// standard or declared by this playbook.
pub(super) fn sheets(
    c: &mut Checker<'_>,
    raw: &[S<RawSheet>],
    steps: &[Step],
    raw_steps: &S<Vec<S<super::format::RawStep>>>,
    known: &dyn Fn(&str) -> bool,
) -> Vec<Sheet> {
    let mut out: Vec<Sheet> = Vec::new();
    for s in raw {
        let s = s.get_ref();
        let role = s.role.get_ref().clone();
        if !known(&role) {
            c.span(&s.role, format!("unknown role `{role}`: use a standard role (see playbooks/README.md) or declare it under [[roles]]"));
        } else if !steps.iter().any(|st| st.role == role) {
            c.span(&s.role, format!("no step is for `{role}`: a sheet lists its steps as tasks, so give it a step or remove the sheet"));
        }
        if out.iter().any(|o| o.role == role) {
            c.span(&s.role, format!("`{role}` has two sheets"));
        }
        let mission = c.text_required(&s.mission, "`mission`");
        let reports_to = c.text_required(&s.reports_to, "`reports_to`");
        if reports_to == role {
            c.span(&s.reports_to, "a position does not report to itself");
        } else if is_valid_id(&reports_to) && !known(&reports_to) {
            c.span(&s.reports_to, format!("unknown role `{reports_to}`: name a role of this playbook, or write who in words"));
        }
        if s.forms.get_ref().is_empty() {
            c.span(
                &s.forms,
                "`forms` needs at least one document or form, like \"HICS 214 Activity Log\"",
            );
        }
        let forms = c.list(s.forms.get_ref(), "a form");
        if role == SAFETY_OFFICER && !forms.iter().any(|f| f.contains(SAFETY_FORM)) {
            c.span(
                &s.forms,
                format!("the Safety Officer's sheet lists the {SAFETY_FORM} safety analysis"),
            );
        }
        out.push(Sheet { role, mission, reports_to, forms });
    }
    for (i, step) in steps.iter().enumerate() {
        let first = steps.iter().position(|s| s.role == step.role) == Some(i);
        if first
            && COMMAND_AND_GENERAL_STAFF.contains(&step.role.as_str())
            && !out.iter().any(|o| o.role == step.role)
            && let Some(raw_step) = raw_steps.get_ref().get(i)
        {
            c.span(&raw_step.get_ref().role, format!("`{}` is a HICS Command or General Staff position: give it a job action sheet under [[sheets]] (mission, reports_to, forms)", step.role));
        }
    }
    if !steps.is_empty() && !steps.iter().any(|s| s.role == SAFETY_OFFICER) {
        c.span(raw_steps, format!("the Safety Officer has no step: every playbook gives the Safety Officer a task (the {SAFETY_FORM} safety analysis)"));
    }
    out
}
