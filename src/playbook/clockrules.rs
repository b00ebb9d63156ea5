//! Clock rules as data: the legal clocks a pack's playbooks follow, each with its span,
//! what it counts from, what to do and its citation, in files named `*.clocks.toml` beside
//! the playbooks (documented in `playbooks/README.md`). They ship in the signed pack, so
//! a hospital adds its state's rules without a new build: the pack's rule sets are laid
//! over the built-in one (a rule with the same id replaces it), and every playbook's
//! `rule = "..."` is resolved against the result ([`resolve`]), a rule the pack does not
//! hold being a problem at the `rule` that names it.
//!
//! A rule may apply only in one state or territory (`jurisdiction = "CA"`), only to an
//! organisation with a trait (`requires = "publicly-traded"`), and may read its span from
//! a contact's notice window (`within-contact = "cyber-insurer"`: the insurer's policy, in
//! the contact list); the organisation's profile decides those (see
//! [`crate::incident::clocks::Organisation`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::format::{ClockFrom, Deadline, Span, Unit, holidays};
use super::rules::{self, RawSource, Source};
use super::{Diagnostic, Playbook};
use crate::checker::{self, Checked, Checker, Position, S};

/// The end of a rule set's file name; other `*.toml` files of a pack are playbooks.
pub const SUFFIX: &str = ".clocks.toml";

/// Whether a file (by name) is a rule set rather than a playbook.
pub fn is_rule_file(name: &str) -> bool {
    name.ends_with(SUFFIX)
}

/// The traits a rule may require of the organisation (id, as the admin's setting asks it).
pub const TRAITS: &[(&str, &str)] = &[
    ("publicly-traded", "publicly traded (reports to the SEC)"),
    ("business-associate", "a business associate of another covered entity"),
];

/// The US states, the District of Columbia and the territories, by postal code.
pub const JURISDICTIONS: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI",
];

/// One file of clock rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSet {
    pub id: String,
    pub title: String,
    /// Days that are not business days for its rules (besides weekends).
    pub holidays: Vec<NaiveDate>,
    pub rules: Vec<ClockRule>,
}

/// One legal clock, as a rule of law or policy sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockRule {
    pub id: String,
    /// A short name: `HIPAA notice to individuals`.
    pub title: String,
    /// The span (`None`: only the contact's notice window, `within_contact`).
    pub within: Option<Span>,
    pub from: ClockFrom,
    /// What to do, as the duty reads.
    pub what: String,
    pub source: Source,
    pub jurisdiction: Option<String>,
    pub requires: Option<String>,
    pub within_contact: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleSet {
    id: S<String>,
    title: S<String>,
    #[serde(default)]
    holidays: Vec<S<String>>,
    rules: S<Vec<S<RawRule>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: S<String>,
    title: S<String>,
    within: Option<S<String>>,
    from: S<String>,
    what: S<String>,
    source: S<RawSource>,
    jurisdiction: Option<S<String>>,
    requires: Option<S<String>>,
    within_contact: Option<S<String>>,
}

/// Parses and checks one rule set. `file` names it in every diagnostic.
pub fn parse(file: &str, text: &str) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut c = Checker::new(file, text);
    let Some(raw) = c.read::<RawRuleSet>() else { return Err(c.failed()) };
    let set = check(&mut c, &raw);
    c.finish(set)
}

fn check(c: &mut Checker<'_>, raw: &RawRuleSet) -> RuleSet {
    let id = c.id(&raw.id, "rule set id", "us-federal");
    let title = c.text_required(&raw.title, "`title`");
    let holidays = holidays(c, &raw.holidays);
    if raw.rules.get_ref().is_empty() {
        c.span(&raw.rules, "a rule set needs at least one [[rules]]");
    }
    let mut seen = BTreeMap::new();
    let mut rules = Vec::new();
    for r in raw.rules.get_ref() {
        let rule = check_rule(c, r.get_ref());
        if seen.insert(rule.id.clone(), ()).is_some() {
            c.span(&r.get_ref().id, format!("two rules have the id `{}`", rule.id));
        }
        rules.push(rule);
    }
    RuleSet { id, title, holidays, rules }
}

fn check_rule(c: &mut Checker<'_>, r: &RawRule) -> ClockRule {
    let id = c.id(&r.id, "clock rule id", "hipaa-individuals");
    let title = c.text_required(&r.title, "`title`");
    let (within, from) = super::format::span_and_anchor(c, r.within.as_ref(), &r.from);
    let what = c.text_required(&r.what, "`what`");
    let source = rules::source(c, r.source.get_ref());
    let jurisdiction = r.jurisdiction.as_ref().map(|j| {
        if !JURISDICTIONS.contains(&j.get_ref().as_str()) {
            c.span(j, format!("unknown jurisdiction `{}`: use a state's or territory's two-letter postal code, like `CA` or `NY`", j.get_ref()));
        }
        j.get_ref().clone()
    });
    let traits: Vec<&str> = TRAITS.iter().map(|(t, _)| *t).collect();
    let requires = r.requires.as_ref().map(|t| c.one_of(t, "trait", &traits));
    let within_contact = r.within_contact.as_ref().map(|role| {
        if !super::format::STANDARD_CONTACT_ROLES.contains(&role.get_ref().as_str()) {
            c.span(role, format!("unknown contact role `{}`: name a standard contact role (see playbooks/README.md)", role.get_ref()));
        }
        role.get_ref().clone()
    });
    if r.within.is_none() && within_contact.is_none() {
        c.span(&r.id, "a rule needs `within`, `within-contact`, or both");
    }
    ClockRule { id, title, within, from, what, source, jurisdiction, requires, within_contact }
}

impl Checked for RuleSet {
    const ID_NAME: &'static str = "rule set id";

    fn check_file(file: &str, text: &str) -> Result<(Self, Position), Vec<Diagnostic>> {
        parse(file, text).map(|r| (r, checker::START))
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn takes(name: &str) -> bool {
        is_rule_file(name)
    }
}

/// The rules in force: the built-in set with the pack's over it (same id replaces), each
/// with its set's holidays.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    by_id: BTreeMap<String, (ClockRule, Vec<NaiveDate>)>,
}

impl Rules {
    /// `sets` in order, a later rule replacing an earlier one with the same id.
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a RuleSet>) -> Self {
        let mut by_id = BTreeMap::new();
        for set in sets {
            for rule in &set.rules {
                by_id.insert(rule.id.clone(), (rule.clone(), set.holidays.clone()));
            }
        }
        Rules { by_id }
    }

    pub fn get(&self, id: &str) -> Option<&ClockRule> {
        self.by_id.get(id).map(|(r, _)| r)
    }

    pub fn all(&self) -> impl Iterator<Item = &ClockRule> {
        self.by_id.values().map(|(r, _)| r)
    }
}

/// Fills in every clock of `p` that follows a rule from `rules`; each rule it names that
/// `rules` does not hold, or whose `from = "when"` the step gives no `when` for, is a
/// problem at its place (file `file`).
pub fn resolve(p: &mut Playbook, rules: &Rules, file: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for step in &mut p.steps {
        for d in &mut step.deadlines {
            let Some(id) = d.rule.clone() else { continue };
            let at = d.rule_at.unwrap_or(checker::START);
            let Some((rule, set_holidays)) = rules.by_id.get(&id) else {
                problems.push(Diagnostic::new(
                    file,
                    at,
                    format!("no clock rule has the id `{id}`: add it to a `*{SUFFIX}` file of the pack, or use one of the rules in force"),
                ));
                continue;
            };
            if rule.from == ClockFrom::When && d.when.is_none() && d.or_when.is_none() {
                problems.push(Diagnostic::new(
                    file,
                    at,
                    format!("the rule `{id}` counts from `when`: give this clock a `when`"),
                ));
            }
            apply(d, rule, set_holidays, &p.holidays);
        }
    }
    problems
}

fn apply(d: &mut Deadline, rule: &ClockRule, set: &[NaiveDate], own: &[NaiveDate]) {
    d.within = rule.within.unwrap_or(Span { amount: 1, unit: Unit::Days });
    d.window_known = rule.within.is_some();
    d.from = rule.from;
    d.what.clone_from(&rule.what);
    d.source = Some(rule.source.clone());
    d.jurisdiction.clone_from(&rule.jurisdiction);
    d.requires.clone_from(&rule.requires);
    d.within_contact.clone_from(&rule.within_contact);
    let mut holidays: Vec<NaiveDate> = set.iter().chain(own).copied().collect();
    holidays.sort_unstable();
    holidays.dedup();
    d.holidays = holidays;
}
