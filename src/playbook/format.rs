//! The playbook file format (documented in `playbooks/README.md`) and its checker.
//!
//! [`parse`] reads one file and checks its meaning: it returns the [`Playbook`], or every
//! problem found, each as `file:line:column: message`. A file that is not valid TOML, or
//! whose keys do not fit the format, reports that first problem only (the TOML reader
//! stops there); everything else is reported in one run.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::{self, RawSheet, RawSource, Sheet, Source};
use crate::checker::{Checked, Checker, Diagnostic, Position, S};

mod deadline;

pub(crate) use deadline::span_and_anchor;
pub use deadline::{ClockFrom, Condition, Counted, Deadline, Span, Unit, parse_span};
use deadline::{RawDeadline, check_when};

/// The standard roles: HICS positions and the cyber additions (id, name).
pub const STANDARD_ROLES: &[(&str, &str)] = &[
    ("incident-commander", "Incident Commander"),
    ("public-information-officer", "Public Information Officer"),
    ("safety-officer", "Safety Officer"),
    ("liaison-officer", "Liaison Officer"),
    ("medical-technical-specialist", "Medical/Technical Specialist"),
    ("operations-chief", "Operations Section Chief"),
    ("planning-chief", "Planning Section Chief"),
    ("logistics-chief", "Logistics Section Chief"),
    ("finance-chief", "Finance/Administration Section Chief"),
    ("it-lead", "IT/IS Lead"),
    ("privacy-officer", "Privacy Officer"),
    ("legal-counsel", "Legal Counsel"),
    ("clinical-lead", "Clinical Unit Lead (charge nurse)"),
    ("unit-staff", "Unit staff"),
];

/// The standard contact roles a step may call: the only ones the contact list holds.
pub const STANDARD_CONTACT_ROLES: &[&str] = &[
    "it-service-desk",
    "it-security-lead",
    "incident-commander",
    "privacy-officer",
    "legal-counsel",
    "ceo",
    "chief-medical-officer",
    "chief-nursing-officer",
    "house-supervisor",
    "public-information-officer",
    "facilities",
    "biomed",
    "clinical-lead",
    "ehr-vendor",
    "vendor-support",
    "cyber-insurer",
    "outside-ir-firm",
    "fbi-field-office",
    "ic3",
    "local-police",
    "hhs-ocr",
    "state-authority",
    "health-isac",
    "cisa",
    "nearby-hospitals",
    "ems",
    "bank-fraud-line",
    "device-manufacturer",
    "business-associate",
    "human-resources",
];

/// The incident response life-cycle stages (id, name), first set out in NIST SP 800-61
/// Rev. 2 (withdrawn April 2025); Rev. 3 (April 2025) maps them onto the CSF 2.0 functions.
pub const STAGES_R2: &[(&str, &str)] = &[
    ("preparation", "Preparation"),
    ("detection-analysis", "Detection and analysis"),
    ("containment-eradication-recovery", "Containment, eradication and recovery"),
    ("post-incident", "Post-incident activity"),
];

/// NIST SP 800-61 Rev. 3 (CSF 2.0) functions (id, name).
pub const FUNCTIONS_R3: &[(&str, &str)] = &[
    ("govern", "Govern"),
    ("identify", "Identify"),
    ("protect", "Protect"),
    ("detect", "Detect"),
    ("respond", "Respond"),
    ("recover", "Recover"),
];

/// Time bands (id, name), in order.
pub const BANDS: &[(&str, &str)] = &[
    ("immediate", "Immediate (0-2 hours)"),
    ("intermediate", "Intermediate (2-12 hours)"),
    ("extended", "Extended (over 12 hours)"),
    ("demobilization", "Demobilization"),
];

pub const SEVERITIES: &[&str] = &["low", "moderate", "high", "critical"];

/// A step id meaning "the playbook is finished".
pub const END: &str = "end";

/// The forms a decision may be answered by (its `form`), each with the results it gives:
/// the form's result takes the choice whose `means` names it. The four-factor form is the
/// breach risk assessment of 45 CFR 164.402 (`crate::breach::assessment`).
pub const FORMS: &[(&str, &[&str])] =
    &[("four-factor", &["breach", "low-probability", "exception"])];

/// A checked playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Playbook {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub severity: String,
    pub situation: Option<String>,
    pub summary: String,
    pub triggers: Vec<String>,
    pub keywords: Vec<String>,
    pub sources: Vec<Source>,
    /// Custom roles declared by this playbook (id, name).
    pub roles: Vec<(String, String)>,
    /// Days that are not business days (besides weekends), for `business days` clocks.
    pub holidays: Vec<NaiveDate>,
    pub steps: Vec<Step>,
    /// The job action sheets' headers (mission, reports to, forms), by role.
    pub sheets: Vec<Sheet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub instruction: String,
    pub role: String,
    pub phase: String,
    pub band: String,
    pub ward: bool,
    pub checklist: Vec<String>,
    pub calls: Vec<String>,
    pub timer: Option<Timer>,
    /// Its legal or policy clocks: those its step meets.
    pub deadlines: Vec<Deadline>,
    pub next: Option<String>,
    pub question: Option<String>,
    pub choices: Vec<Choice>,
    /// The form that answers this decision (one of [`FORMS`]): it cannot be answered by
    /// hand.
    pub form: Option<String>,
    /// What of the asset register the step shows (one of [`REGISTER_VIEWS`]): the agreed
    /// restore order, or the medical devices to find one by its tag.
    pub register: Option<RegisterView>,
}

/// What of the asset register a step may show (`register = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegisterView {
    /// The assets with a place in the agreed restore order, in that order.
    RestoreOrder,
    /// The medical devices, to find one by its asset tag.
    Devices,
}

/// The register views by the name a playbook gives them.
pub const REGISTER_VIEWS: &[(&str, RegisterView)] =
    &[("restore-order", RegisterView::RestoreOrder), ("devices", RegisterView::Devices)];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timer {
    /// Minutes after the step is reached.
    pub after_minutes: u64,
    pub say: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub label: String,
    pub goto: String,
    /// On a decision a form answers: the form's results that take this choice.
    pub means: Vec<String>,
}

impl Playbook {
    /// The display name of a role id (standard or declared here).
    pub fn role_name<'a>(&'a self, id: &'a str) -> &'a str {
        STANDARD_ROLES
            .iter()
            .find(|(r, _)| *r == id)
            .map(|(_, n)| *n)
            .or_else(|| self.roles.iter().find(|(r, _)| r == id).map(|(_, n)| n.as_str()))
            .unwrap_or(id)
    }

    /// The steps after `index`: a decision's choices, else `next`, else the following step.
    pub fn successors(&self, index: usize) -> Vec<String> {
        let Some(step) = self.steps.get(index) else { return vec![] };
        if !step.choices.is_empty() {
            return step.choices.iter().map(|c| c.goto.clone()).collect();
        }
        if let Some(next) = &step.next {
            return vec![next.clone()];
        }
        vec![self.steps.get(index + 1).map_or_else(|| END.to_owned(), |s| s.id.clone())]
    }
}

/// Display name of a phase id.
pub fn phase_name(id: &str) -> &str {
    STAGES_R2.iter().chain(FUNCTIONS_R3).find(|(p, _)| *p == id).map_or(id, |(_, n)| n)
}

/// Display name of a band id.
pub fn band_name(id: &str) -> &str {
    BANDS.iter().find(|(b, _)| *b == id).map_or(id, |(_, n)| n)
}

// ---- the raw file, with positions ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaybook {
    id: S<String>,
    title: S<String>,
    version: S<i64>,
    severity: S<String>,
    situation: Option<S<String>>,
    summary: S<String>,
    triggers: S<Vec<S<String>>>,
    #[serde(default)]
    keywords: Vec<S<String>>,
    sources: S<Vec<S<RawSource>>>,
    #[serde(default)]
    roles: Vec<RawRole>,
    #[serde(default)]
    sheets: Vec<S<RawSheet>>,
    #[serde(default)]
    contact_roles: Vec<RawRole>,
    #[serde(default)]
    holidays: Vec<S<String>>,
    steps: S<Vec<S<RawStep>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: S<String>,
    name: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    id: S<String>,
    title: S<String>,
    instruction: S<String>,
    pub(super) role: S<String>,
    phase: S<String>,
    band: S<String>,
    #[serde(default)]
    ward: bool,
    #[serde(default)]
    checklist: Vec<S<String>>,
    #[serde(default)]
    calls: Vec<S<String>>,
    timer: Option<S<RawTimer>>,
    deadline: Option<S<RawDeadline>>,
    #[serde(default)]
    deadlines: Vec<S<RawDeadline>>,
    next: Option<S<String>>,
    question: Option<S<String>>,
    #[serde(default)]
    choices: Vec<S<RawChoice>>,
    form: Option<S<String>>,
    register: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimer {
    after: S<String>,
    say: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    label: S<String>,
    goto: S<String>,
    /// One result (`"breach"`) or a list of them.
    means: Option<S<toml::Value>>,
}

/// The example in messages about ids.
const ID_EXAMPLE: &str = "call-it-security";

/// Reads a duration such as `15 minutes`, `1 hour`, `60 days`, `2 weeks`, in minutes.
pub fn parse_duration(text: &str) -> Option<u64> {
    let mut parts = text.split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?;
    if parts.next().is_some() || n == 0 {
        return None;
    }
    let minutes = match unit {
        "minute" | "minutes" => 1,
        "hour" | "hours" => 60,
        "day" | "days" => 60 * 24,
        "week" | "weeks" => 60 * 24 * 7,
        _ => return None,
    };
    n.checked_mul(minutes)
}

/// Parses and checks one playbook file. `file` names it in every diagnostic.
pub fn parse(file: &str, text: &str) -> Result<Playbook, Vec<Diagnostic>> {
    let mut c = Checker::new(file, text);
    let Some(raw) = c.read::<RawPlaybook>() else { return Err(c.failed()) };
    let playbook = check(&mut c, raw);
    c.finish(playbook)
}

impl Checked for Playbook {
    const ID_NAME: &'static str = "playbook id";

    /// A duplicate id is reported at the start of the later file.
    fn check_file(file: &str, text: &str) -> Result<(Self, Position), Vec<Diagnostic>> {
        parse(file, text).map(|p| (p, crate::checker::START))
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn takes(name: &str) -> bool {
        !super::clockrules::is_rule_file(name)
    }
}

fn check(c: &mut Checker<'_>, raw: RawPlaybook) -> Playbook {
    let id = c.id(&raw.id, "playbook id", ID_EXAMPLE);
    let title = c.text_required(&raw.title, "`title`");
    let version = c.version(&raw.version);
    let severity = c.one_of(&raw.severity, "severity", SEVERITIES);
    let situation = raw.situation.as_ref().map(|s| c.text_required(s, "`situation`"));
    let summary = c.text_required(&raw.summary, "`summary`");
    if raw.triggers.get_ref().is_empty() {
        c.span(&raw.triggers, "`triggers` needs at least one sign that this playbook applies");
    }
    let triggers = c.list(raw.triggers.get_ref(), "`trigger`");
    let keywords = c.list(&raw.keywords, "`keyword`");
    let sources = rules::sources(c, &raw.sources);

    let mut roles = Vec::new();
    for r in &raw.roles {
        let rid = c.id(&r.id, "role id", ID_EXAMPLE);
        if STANDARD_ROLES.iter().any(|(s, _)| *s == rid)
            || roles.iter().any(|(s, _): &(String, String)| *s == rid)
        {
            c.span(&r.id, format!("role `{rid}` is already defined"));
        }
        roles.push((rid, c.text_required(&r.name, "`name`")));
    }
    for r in &raw.contact_roles {
        c.span(&r.id, "`[[contact_roles]]` is not read: a call names a standard contact role (see playbooks/README.md), the only ones the contact list holds");
    }

    let holidays = holidays(c, &raw.holidays);

    if raw.steps.get_ref().is_empty() {
        c.span(&raw.steps, "a playbook needs at least one step");
    }
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in raw.steps.get_ref().iter().enumerate() {
        let sid = s.get_ref().id.get_ref();
        if sid == END {
            c.span(&s.get_ref().id, "`end` is reserved: it means the playbook is finished");
        } else if index.insert(sid.clone(), i).is_some() {
            c.span(&s.get_ref().id, format!("two steps have the id `{sid}`"));
        }
    }
    let mut phase_set = None;
    let mut steps = Vec::new();
    for s in raw.steps.get_ref() {
        steps.push(check_step(c, s.get_ref(), &roles, &index, &mut phase_set));
    }
    let mut clocks: BTreeMap<String, String> = BTreeMap::new();
    for (s, step) in raw.steps.get_ref().iter().zip(steps.iter_mut()) {
        check_when(c, s.get_ref(), raw.steps.get_ref(), &index, step);
        for d in &mut step.deadlines {
            if d.rule.is_none() {
                d.holidays.clone_from(&holidays);
            }
            if let Some(other) = clocks.insert(d.clock.clone(), step.id.clone()) {
                c.span(&s.get_ref().id, format!("the clock `{}` is also met by the step `{other}`: a clock is met by one step", d.clock));
            }
        }
    }
    let known =
        |r: &str| STANDARD_ROLES.iter().any(|(s, _)| *s == r) || roles.iter().any(|(s, _)| s == r);
    let sheets = rules::sheets(c, &raw.sheets, &steps, &raw.steps, &known);
    let playbook = Playbook {
        id,
        title,
        version,
        severity,
        situation,
        summary,
        triggers,
        keywords,
        sources,
        roles,
        holidays,
        steps,
        sheets,
    };
    check_flow(c, &playbook, raw.steps.get_ref());
    playbook
}

fn check_step(
    c: &mut Checker<'_>,
    s: &RawStep,
    roles: &[(String, String)],
    index: &BTreeMap<String, usize>,
    phase_set: &mut Option<&'static str>,
) -> Step {
    let id = c.id(&s.id, "step id", ID_EXAMPLE);
    let title = c.text_required(&s.title, "`title`");
    let instruction = c.text_required(&s.instruction, "`instruction`");
    let role = s.role.get_ref().clone();
    if !STANDARD_ROLES.iter().any(|(r, _)| *r == role) && !roles.iter().any(|(r, _)| *r == role) {
        c.span(&s.role, format!("unknown role `{role}`: use a standard role (see playbooks/README.md) or declare it under [[roles]]"));
    }
    let phase = s.phase.get_ref().clone();
    let set = if STAGES_R2.iter().any(|(p, _)| *p == phase) {
        Some("life-cycle stage")
    } else if FUNCTIONS_R3.iter().any(|(p, _)| *p == phase) {
        Some("NIST Rev. 3 (CSF 2.0) function")
    } else {
        None
    };
    if let Some(set) = set {
        match *phase_set {
            Some(first) if first != set => c.span(
                &s.phase,
                format!("`{phase}` is a {set}, but the first step uses a {first}: use one set"),
            ),
            Some(_) => {}
            None => *phase_set = Some(set),
        }
    } else {
        let all: Vec<&str> = STAGES_R2.iter().chain(FUNCTIONS_R3).map(|(p, _)| *p).collect();
        c.span(&s.phase, format!("unknown phase `{phase}`: use one of {}", all.join(", ")));
    }
    let bands: Vec<&str> = BANDS.iter().map(|(b, _)| *b).collect();
    let band = c.one_of(&s.band, "band", &bands);
    let checklist = c.list(&s.checklist, "`checklist item`");
    let mut calls = Vec::new();
    for call in &s.calls {
        if !STANDARD_CONTACT_ROLES.contains(&call.get_ref().as_str()) {
            c.span(call, format!("unknown contact role `{}`: a call names a standard contact role (see playbooks/README.md), the only ones the contact list holds", call.get_ref()));
        }
        calls.push(call.get_ref().clone());
    }
    let timer = s.timer.as_ref().map(|t| {
        let t = t.get_ref();
        let after = parse_duration(t.after.get_ref());
        if after.is_none() {
            c.span(&t.after, format!("cannot read the timer `{}`: write a number and a unit, like `15 minutes` or `2 hours`", t.after.get_ref()));
        }
        Timer { after_minutes: after.unwrap_or(0), say: c.text_required(&t.say, "`say`") }
    });
    let deadlines: Vec<Deadline> = s
        .deadline
        .iter()
        .chain(&s.deadlines)
        .map(|d| deadline::check(c, d, s.id.get_ref()))
        .collect();
    let written = s.deadline.iter().chain(&s.deadlines).zip(&deadlines);
    for (raw, _) in written.filter(|(_, d)| d.rule.is_none()).skip(1) {
        c.span(raw, "a step has one clock written in it at most: give each other clock a `rule`");
    }
    if s.deadline.is_some() && !s.deadlines.is_empty() {
        c.span(&s.id, "write either `deadline` or `deadlines`, not both");
    }
    let target = |c: &mut Checker<'_>, v: &S<String>| {
        let t = v.get_ref();
        if t != END && !index.contains_key(t) {
            c.span(v, format!("no step has the id `{t}`"));
        }
        t.clone()
    };
    let next = s.next.as_ref().map(|n| target(c, n));
    let question = s.question.as_ref().map(|q| c.text_required(q, "`question`"));
    let mut choices: Vec<Choice> = s
        .choices
        .iter()
        .map(|ch| {
            let ch = ch.get_ref();
            let (label, goto) = (c.text_required(&ch.label, "`label`"), target(c, &ch.goto));
            Choice { label, goto, means: Vec::new() }
        })
        .collect();
    let form = check_form(c, s, &mut choices);
    let names: Vec<&str> = REGISTER_VIEWS.iter().map(|(n, _)| *n).collect();
    let register = s.register.as_ref().and_then(|r| {
        let name = c.one_of(r, "register view", &names);
        REGISTER_VIEWS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    });
    match (&s.question, s.choices.len()) {
        (Some(q), n) if n < 2 => c.span(q, "a question needs two or more [[steps.choices]]"),
        (None, n) if n > 0 => c.span(&s.id, "this step has choices but no `question`"),
        _ => {}
    }
    if let (Some(_), Some(n)) = (&s.question, &s.next) {
        c.span(n, "a decision goes where its choices say: remove `next`");
    }
    Step {
        id,
        title,
        instruction,
        role,
        phase,
        band,
        ward: s.ward,
        checklist,
        calls,
        timer,
        deadlines,
        next,
        question,
        choices,
        form,
        register,
    }
}

/// Dates that are not business days, sorted, each reported at its place if it is not a date.
pub(crate) fn holidays(c: &mut Checker<'_>, raw: &[S<String>]) -> Vec<NaiveDate> {
    let mut holidays = Vec::new();
    for h in raw {
        match NaiveDate::parse_from_str(h.get_ref(), "%Y-%m-%d") {
            Ok(day) => holidays.push(day),
            Err(_) => c.span(
                h,
                format!(
                    "cannot read the holiday `{}`: write a date like `2026-12-25`",
                    h.get_ref()
                ),
            ),
        }
    }
    holidays.sort_unstable();
    holidays.dedup();
    holidays
}

/// A decision a form answers: `form` names one of [`FORMS`], and each choice's `means` the
/// form's results that take it (one, or a list); each result is taken by exactly one choice.
fn check_form(c: &mut Checker<'_>, s: &RawStep, choices: &mut [Choice]) -> Option<String> {
    let names: Vec<&str> = FORMS.iter().map(|(name, _)| *name).collect();
    let form = s.form.as_ref().map(|f| (f, c.one_of(f, "form", &names)));
    let results = form
        .as_ref()
        .and_then(|(_, name)| FORMS.iter().find(|(n, _)| n == name))
        .map_or(&[][..], |(_, results)| *results);
    if let (Some((f, _)), None) = (&form, &s.question) {
        c.span(*f, "a form answers a decision: add a `question` and its [[steps.choices]]");
    }
    let mut taken: Vec<&str> = Vec::new();
    for (raw, choice) in s.choices.iter().zip(choices.iter_mut()) {
        let raw = raw.get_ref();
        let Some(means) = &raw.means else {
            if let (Some((_, name)), false) = (&form, results.is_empty()) {
                let label = &raw.label;
                c.span(label, format!("a choice of a decision the `{name}` form answers needs `means`: which of its results ({}) take it", results.join(", ")));
            }
            continue;
        };
        if form.is_none() {
            c.span(
                means,
                "`means` says which result of a form takes this choice: give the step a `form`",
            );
            continue;
        }
        if results.is_empty() {
            continue;
        }
        let values: Option<Vec<&str>> = match means.get_ref() {
            toml::Value::String(one) => Some(vec![one.as_str()]),
            toml::Value::Array(list) if !list.is_empty() => {
                list.iter().map(toml::Value::as_str).collect()
            }
            _ => None,
        };
        let Some(values) = values else {
            c.span(means, "`means` is a result (`\"breach\"`) or a list of them (`[\"breach\", \"low-probability\"]`)");
            continue;
        };
        for value in values {
            if !results.contains(&value) {
                c.span(
                    means,
                    format!("unknown result `{value}`: the form gives {}", results.join(", ")),
                );
            } else if taken.contains(&value) {
                c.span(means, format!("another choice of this decision already means `{value}`"));
            } else {
                taken.push(value);
                choice.means.push(value.to_owned());
            }
        }
    }
    if let (Some((f, name)), Some(_)) = (&form, &s.question) {
        for missing in results.iter().filter(|r| !taken.contains(r)) {
            c.span(*f, format!("no choice means `{missing}`: every result of the `{name}` form must take a choice"));
        }
    }
    form.map(|(_, name)| name)
}

/// Every step reachable from the first; from every step, some path to the end.
#[allow(clippy::indexing_slicing)] // every index is below n, the length of each vector
fn check_flow(c: &mut Checker<'_>, playbook: &Playbook, raw: &[S<RawStep>]) {
    let n = playbook.steps.len();
    if n == 0 {
        return;
    }
    let index: BTreeMap<&str, usize> =
        playbook.steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let succ: Vec<Vec<Option<usize>>> = (0..n)
        .map(|i| playbook.successors(i).iter().map(|t| index.get(t.as_str()).copied()).collect())
        .collect();
    // Forward from the first step.
    let mut reached = vec![false; n];
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut reached[i], true) {
            continue;
        }
        stack.extend(succ[i].iter().flatten().copied());
    }
    // Backward from the end: a step ends if any successor is the end or a step that ends.
    let mut ends = vec![false; n];
    loop {
        let mut changed = false;
        for i in 0..n {
            if !ends[i] && succ[i].iter().any(|s| s.is_none_or(|j| ends[j])) {
                ends[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (i, step) in raw.iter().enumerate() {
        if !reached[i] {
            c.span(
                &step.get_ref().id,
                format!("no path from the first step reaches `{}`", step.get_ref().id.get_ref()),
            );
        } else if !ends[i] {
            c.span(
                &step.get_ref().id,
                format!(
                    "from `{}` there is no way to the end: a loop with no way out",
                    step.get_ref().id.get_ref()
                ),
            );
        }
    }
}
