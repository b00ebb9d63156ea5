//! A step's legal or policy clocks in the playbook format: each either follows a clock
//! rule of the pack (`rule = "hipaa-individuals"`, see [`crate::playbook::clockrules`]) or
//! is written in the step (its span: minutes, hours, days, weeks, business days; what it
//! counts from: discovery, the start, its branch, the end of the calendar year of
//! discovery; what to do), and applies on a branch (`when`) or not (`unless`): a step
//! reached, or a decision answered with one of its choices. The checker reports a
//! reference to an unknown step or a choice the decision does not have at its place, like
//! every other playbook problem; a rule the pack does not hold is reported once the
//! pack's rules are read ([`crate::playbook::clockrules::resolve`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Playbook, RawStep, Step};
use crate::checker::{Checker, Position, S};
use crate::playbook::rules::Source;

/// A legal or policy clock: how long after its anchor it is due, and on which branch it
/// applies (see `playbooks/README.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The clock's name, as `pause` and `resume` take it: its rule's id, or its step's id
    /// for a clock written in the step. Unique within a playbook.
    pub clock: String,
    /// The clock rule it follows (`None`: written in the step).
    pub rule: Option<String>,
    /// Where the rule's duty is written (a rule's citation, with its date).
    pub source: Option<Source>,
    /// The rule applies only to an organisation in this state or territory (`CA`).
    pub jurisdiction: Option<String>,
    /// The rule applies only to an organisation with this trait (`publicly-traded`).
    pub requires: Option<String>,
    /// The span is the notice window of the contact with this role (the cyber insurer's
    /// policy); `within` is used when that contact has none (see `window_known`).
    pub within_contact: Option<String>,
    /// Whether `within` holds a span of its own (a rule may give only `within-contact`).
    pub window_known: bool,
    /// Days that are not business days: the rule set's and the playbook's.
    #[serde(skip)]
    pub holidays: Vec<NaiveDate>,
    /// Where the step names its rule, for the problem when the pack has no such rule.
    #[serde(skip)]
    pub(crate) rule_at: Option<Position>,
    pub within: Span,
    /// What the time counts from.
    pub from: ClockFrom,
    /// The clock applies only on the branch this names (`None`: always).
    pub when: Option<Condition>,
    /// The clock applies too when the breach register's counts say so (`or_when`): the
    /// number affected drives it, whatever the decision said.
    pub or_when: Option<Counted>,
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

/// What the breach register's counts of the people affected may say (45 CFR 164.406 and
/// 164.408): the branch a clock takes from the numbers rather than from a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counted {
    /// More than 500 residents of one state: the media notice.
    Media,
    /// 500 or more in all: HHS at the same time as the individuals.
    HhsNow,
    /// Fewer than 500 in all: the yearly report to HHS.
    Under500,
}

impl Counted {
    pub const ALL: [(&'static str, Counted); 3] =
        [("media", Counted::Media), ("hhs-now", Counted::HhsNow), ("under-500", Counted::Under500)];

    /// Whether counts say so.
    pub fn holds(self, a: &crate::breach::Affected) -> bool {
        match self {
            Counted::Media => a.media_notice(),
            Counted::HhsNow => a.hhs_now(),
            Counted::Under500 => !a.hhs_now(),
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Counted::Media => "the breach register counts more than 500 residents of one state",
            Counted::HhsNow => "the breach register counts 500 or more people affected",
            Counted::Under500 => "the breach register counts fewer than 500 people affected",
        }
    }
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
        let counted = self.or_when.map(|c| format!("if {}", c.words()));
        let when = match (when, counted) {
            (Some(w), Some(c)) => Some(format!("{w}, or {c}")),
            (w, c) => w.or(c),
        };
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
    rule: Option<S<String>>,
    within: Option<S<String>>,
    from: Option<S<String>>,
    when: Option<S<RawWhen>>,
    or_when: Option<S<RawCounted>>,
    unless: Option<S<RawWhen>>,
    what: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounted {
    affected: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    step: S<String>,
    choice: Option<S<String>>,
}

/// Reads a clock's span: a whole number and a unit (`72 hours`, `60 days`, `10 business
/// days`; `work days` is read as business days). Zero only for `0 days` (a yearly report
/// due at the end of the year itself).
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
    let zero_days = amount == 0 && unit == Unit::Days;
    ((amount > 0 || zero_days) && amount <= 100_000).then_some(Span { amount, unit })
}

/// Reads a span and an anchor, reporting either at its place.
pub(crate) fn span_and_anchor(
    c: &mut Checker<'_>,
    within: Option<&S<String>>,
    from: &S<String>,
) -> (Option<Span>, ClockFrom) {
    let span = within.and_then(|w| {
        let span = parse_span(w.get_ref());
        if span.is_none() {
            c.span(
                w,
                format!(
                    "cannot read the deadline `{}`: write a number and a unit, like `60 days`, `72 hours` or `10 business days`",
                    w.get_ref()
                ),
            );
        }
        span
    });
    let anchor = match from.get_ref().as_str() {
        "discovery" => ClockFrom::Discovery,
        "start" => ClockFrom::Start,
        "when" => ClockFrom::When,
        "year-end" => ClockFrom::YearEnd,
        other => {
            c.span(
                from,
                format!(
                    "unknown deadline anchor `{other}`: use one of discovery, start, when, year-end"
                ),
            );
            ClockFrom::Discovery
        }
    };
    if span.is_some_and(|s| s.amount == 0)
        && anchor != ClockFrom::YearEnd
        && let Some(w) = within
    {
        c.span(w, "`0 days` is only for a clock counted from `year-end`");
    }
    (span, anchor)
}

/// Checks a step's deadline, named `step` unless it follows a rule; its `when` and
/// `unless` are checked once every step is read ([`check_when`]), its rule once the pack's
/// rules are ([`crate::playbook::clockrules::resolve`]).
pub(super) fn check(c: &mut Checker<'_>, d: &S<RawDeadline>, step: &str) -> Deadline {
    let at = d;
    let d = d.get_ref();
    let placeholder = Span { amount: 1, unit: Unit::Days };
    let mut deadline = Deadline {
        clock: step.to_owned(),
        rule: None,
        source: None,
        jurisdiction: None,
        requires: None,
        within_contact: None,
        window_known: true,
        holidays: Vec::new(),
        rule_at: None,
        within: placeholder,
        from: ClockFrom::Discovery,
        // Checked once every step is read (`check_when`).
        when: None,
        or_when: None,
        unless: None,
        what: String::new(),
    };
    deadline.or_when = d.or_when.as_ref().map(|o| {
        let names: Vec<&str> = Counted::ALL.iter().map(|(n, _)| *n).collect();
        let name = c.one_of(&o.get_ref().affected, "count", &names);
        Counted::ALL.iter().find(|(n, _)| *n == name).map_or(Counted::Media, |(_, k)| *k)
    });
    if let Some(rule) = &d.rule {
        let id = c.id(rule, "clock rule id", "hipaa-individuals");
        for (key, given) in
            [("within", d.within.is_some()), ("from", d.from.is_some()), ("what", d.what.is_some())]
        {
            if given {
                c.span(rule, format!("a clock that follows a rule takes its `{key}` from the rule: remove `{key}`"));
            }
        }
        deadline.clock = id.clone();
        deadline.rule = Some(id);
        deadline.rule_at = Some(c.position(rule));
        return deadline;
    }
    let (Some(within), Some(from), Some(what)) = (&d.within, &d.from, &d.what) else {
        c.span(at, "a deadline needs `rule`, or all of `within`, `from` and `what`");
        return deadline;
    };
    let (span, anchor) = span_and_anchor(c, Some(within), from);
    if anchor == ClockFrom::When && d.when.is_none() && d.or_when.is_none() {
        c.span(from, "`from = \"when\"` needs a `when`: the step reached or the decision's answer it counts from");
    }
    deadline.within = span.unwrap_or(placeholder);
    deadline.from = anchor;
    deadline.what = c.text_required(what, "`what`");
    deadline
}

/// A deadline's `when`: a step of this playbook (not `end`), and a choice its decision has.
pub(super) fn check_when(
    c: &mut Checker<'_>,
    s: &RawStep,
    raw: &[S<RawStep>],
    index: &BTreeMap<String, usize>,
    step: &mut Step,
) {
    for (d, deadline) in s.deadline.iter().chain(&s.deadlines).zip(step.deadlines.iter_mut()) {
        let d = d.get_ref();
        deadline.when = d.when.as_ref().and_then(|w| condition(c, w.get_ref(), raw, index));
        deadline.unless = d.unless.as_ref().and_then(|w| condition(c, w.get_ref(), raw, index));
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
