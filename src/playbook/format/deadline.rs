//! A step's legal or policy clock in the playbook format: its span (minutes, hours, days,
//! weeks, business days), what it counts from (discovery, the start, its branch, the end of
//! the calendar year of discovery), and the branch it applies on (`when`) or not
//! (`unless`): a step reached, or a decision answered with one of its choices. The
//! checker reports a reference to an unknown step or a choice the decision does not have
//! at its place, like every other playbook problem.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Playbook, RawStep, Step};
use crate::checker::{Checker, S};

/// A legal or policy clock: how long after its anchor it is due, and on which branch it
/// applies (see `playbooks/README.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub within: Span,
    /// What the time counts from.
    pub from: ClockFrom,
    /// The clock applies only on the branch this names (`None`: always).
    pub when: Option<Condition>,
    /// The clock does not apply once this branch is taken (the "no notice needed" one).
    pub unless: Option<Condition>,
    pub what: String,
}

/// An amount of time in a unit, as a playbook writes it (`60 days`, `10 business days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub amount: u32,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Elapsed time.
    Minutes,
    Hours,
    /// Calendar days: the same wall-clock time that many days later.
    Days,
    Weeks,
    /// Monday to Friday, except the playbook's `holidays`.
    BusinessDays,
}

/// What a clock counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockFrom {
    /// When the problem was discovered (movable later, with a reason).
    Discovery,
    /// When the incident was started in the app.
    Start,
    /// When its `when` came true: its step reached, or its decision answered so.
    When,
    /// The end of the calendar year of discovery.
    YearEnd,
}

/// A branch: a step reached, or a decision answered with one of its choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub step: String,
    /// The decision's choice (its label); `None`: the step reached.
    pub choice: Option<String>,
}

impl Span {
    /// As people read it: `60 days`, `1 hour`, `10 business days`.
    pub fn words(&self) -> String {
        let (one, many) = match self.unit {
            Unit::Minutes => ("minute", "minutes"),
            Unit::Hours => ("hour", "hours"),
            Unit::Days => ("day", "days"),
            Unit::Weeks => ("week", "weeks"),
            Unit::BusinessDays => ("business day", "business days"),
        };
        format!("{} {}", self.amount, if self.amount == 1 { one } else { many })
    }
}

impl Deadline {
    /// The rule in words: `within 60 days of discovery`, `within 60 days of the end of the
    /// calendar year of discovery`.
    pub fn rule_words(&self) -> String {
        format!("within {} of {}", self.within.words(), self.from.words())
    }

    /// The branch it applies on, in words (`None`: always).
    pub fn when_words(&self, p: &Playbook) -> Option<String> {
        let when = self.when.as_ref().map(|w| w.words(p, "if", "once"));
        let unless = self.unless.as_ref().map(|w| w.words(p, "unless", "until"));
        match (when, unless) {
            (Some(w), Some(u)) => Some(format!("{w}, {u}")),
            (w, u) => w.or(u),
        }
    }
}

impl Condition {
    /// `if "Question?" is answered "Yes"`, `once "Step title" is reached`.
    fn words(&self, p: &Playbook, answered: &str, reached: &str) -> String {
        let when = self;
        let step = p.steps.iter().find(|s| s.id == when.step);
        match (&when.choice, step) {
            (Some(choice), Some(s)) => format!(
                "{answered} \u{201c}{}\u{201d} is answered \u{201c}{choice}\u{201d}",
                s.question.as_deref().unwrap_or(&s.title)
            ),
            (Some(choice), None) => {
                format!("{answered} `{}` is answered \u{201c}{choice}\u{201d}", when.step)
            }
            (None, Some(s)) => format!("{reached} \u{201c}{}\u{201d} is reached", s.title),
            (None, None) => format!("{reached} `{}` is reached", when.step),
        }
    }
}

impl ClockFrom {
    pub fn words(self) -> &'static str {
        match self {
            ClockFrom::Discovery => "discovery",
            ClockFrom::Start => "the start",
            ClockFrom::When => "when it applied",
            ClockFrom::YearEnd => "the end of the calendar year of discovery",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeadline {
    within: S<String>,
    from: S<String>,
    when: Option<S<RawWhen>>,
    unless: Option<S<RawWhen>>,
    what: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    step: S<String>,
    choice: Option<S<String>>,
}

/// Reads a clock's span: a whole number and a unit (`72 hours`, `60 days`, `10 business
/// days`; `work days` is read as business days).
pub fn parse_span(text: &str) -> Option<Span> {
    let mut parts = text.split_whitespace();
    let amount: u32 = parts.next()?.parse().ok()?;
    let unit: Vec<&str> = parts.collect();
    let unit = match unit.as_slice() {
        ["minute" | "minutes"] => Unit::Minutes,
        ["hour" | "hours"] => Unit::Hours,
        ["day" | "days"] => Unit::Days,
        ["week" | "weeks"] => Unit::Weeks,
        ["business" | "work", "day" | "days"] => Unit::BusinessDays,
        _ => return None,
    };
    (amount > 0 && amount <= 100_000).then_some(Span { amount, unit })
}

/// Checks a step's deadline; its `when` and `unless` are checked once every step is read
/// ([`check_when`]).
pub(super) fn check(c: &mut Checker<'_>, d: &RawDeadline) -> Deadline {
    let within = parse_span(d.within.get_ref());
    if within.is_none() {
        c.span(
            &d.within,
            format!(
                "cannot read the deadline `{}`: write a number and a unit, like `60 days`, `72 hours` or `10 business days`",
                d.within.get_ref()
            ),
        );
    }
    let from = match d.from.get_ref().as_str() {
        "discovery" => ClockFrom::Discovery,
        "start" => ClockFrom::Start,
        "when" => ClockFrom::When,
        "year-end" => ClockFrom::YearEnd,
        other => {
            c.span(
                &d.from,
                format!(
                    "unknown deadline anchor `{other}`: use one of discovery, start, when, year-end"
                ),
            );
            ClockFrom::Discovery
        }
    };
    if from == ClockFrom::When && d.when.is_none() {
        c.span(&d.from, "`from = \"when\"` needs a `when`: the step reached or the decision's answer it counts from");
    }
    Deadline {
        within: within.unwrap_or(Span { amount: 1, unit: Unit::Days }),
        from,
        // Checked once every step is read (`check_when`).
        when: None,
        unless: None,
        what: c.text_required(&d.what, "`what`"),
    }
}

/// A deadline's `when`: a step of this playbook (not `end`), and a choice its decision has.
pub(super) fn check_when(
    c: &mut Checker<'_>,
    s: &RawStep,
    raw: &[S<RawStep>],
    index: &BTreeMap<String, usize>,
    step: &mut Step,
) {
    let Some(d) = s.deadline.as_ref().map(S::get_ref) else { return };
    let when = d.when.as_ref().and_then(|w| condition(c, w.get_ref(), raw, index));
    let unless = d.unless.as_ref().and_then(|w| condition(c, w.get_ref(), raw, index));
    if let Some(deadline) = step.deadline.as_mut() {
        deadline.when = when;
        deadline.unless = unless;
    }
}

/// A `when` or `unless`: a step of this playbook, and a choice its decision has.
fn condition(
    c: &mut Checker<'_>,
    when: &RawWhen,
    raw: &[S<RawStep>],
    index: &BTreeMap<String, usize>,
) -> Option<Condition> {
    let target = when.step.get_ref();
    let Some(decision) = index.get(target).and_then(|i| raw.get(*i)).map(S::get_ref) else {
        c.span(&when.step, format!("no step has the id `{target}`"));
        return None;
    };
    let choice = match &when.choice {
        None => None,
        Some(choice) if decision.question.is_none() => {
            c.span(
                choice,
                format!("`{target}` is not a decision: remove `choice`, or name a decision step"),
            );
            None
        }
        Some(choice) => {
            let labels: Vec<&str> =
                decision.choices.iter().map(|ch| ch.get_ref().label.get_ref().as_str()).collect();
            if !labels.contains(&choice.get_ref().as_str()) {
                c.span(
                    choice,
                    format!(
                        "the decision `{target}` has no choice `{}`: use one of {}",
                        choice.get_ref(),
                        labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            Some(choice.get_ref().clone())
        }
    };
    Some(Condition { step: target.clone(), choice })
}
