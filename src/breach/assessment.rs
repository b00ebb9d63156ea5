//! The breach risk assessment of 45 CFR 164.402 as a form: whether the information was
//! secured, and each of the three exceptions, each with yes or no and its reason; then the
//! four factors of 164.402(2), each with the finding in words and a rating; the privacy
//! officer's conclusion; and the result it comes to:
//!
//! - an exception applies, or the information was secured: not a breach, no notice;
//! - else every factor rated low: a low probability that the information was compromised,
//!   documented, no notice;
//! - else a breach (the rule presumes one unless the assessment shows a low probability):
//!   notice.
//!
//! The result answers the playbook's decisions marked `form = "four-factor"` through the
//! normal decision path ([`assess`]), so the legal clocks on their branches follow. The
//! wording of each part is the regulation's: 45 CFR 164.402 as amended by the Omnibus Rule
//! (78 FR 5566, 2013-01-25), checked against its text on 2026-12-02 ([`SOURCE`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::Event;
use crate::incident::Progress;
use crate::playbook::{Playbook, Step};
use crate::store::Session;
use crate::words::Zone;
use crate::{Error, Result};

/// The regulation the form's wording is taken from, and when it was checked.
pub const SOURCE: &str = "45 CFR 164.402 (definitions of breach and unsecured protected health information), as amended by the Omnibus Rule, 78 FR 5566 (2013-01-25); wording checked against the regulation on 2026-12-02";

/// The form these decisions name in the playbook format (`form = "four-factor"`).
pub const FORM: &str = "four-factor";

/// One part of the form: its key (as the CLI's flags and the JSON name it), its title,
/// the regulation's words, and its citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Part {
    pub key: &'static str,
    pub title: &'static str,
    pub rule: &'static str,
    pub cite: &'static str,
}

/// Secured PHI and the three exceptions, in the order the form asks them.
pub const EXCEPTIONS: [Part; 4] = [
    Part {
        key: "secured",
        title: "Secured information",
        rule: "The information was secured: rendered unusable, unreadable, or indecipherable to unauthorized persons through the use of a technology or methodology specified by the Secretary in the guidance issued under section 13402(h)(2) of Public Law 111-5 (encryption to HHS guidance with the key or process not breached, or destruction). Only unsecured protected health information can be breached.",
        cite: "45 CFR 164.402, unsecured protected health information; HHS guidance of 2009-08-24",
    },
    Part {
        key: "good-faith",
        title: "Exception (i): unintentional acquisition, access or use in good faith",
        rule: "Any unintentional acquisition, access, or use of protected health information by a workforce member or person acting under the authority of a covered entity or a business associate, if such acquisition, access, or use was made in good faith and within the scope of authority and does not result in further use or disclosure in a manner not permitted under subpart E of this part.",
        cite: "45 CFR 164.402, breach, paragraph (1)(i)",
    },
    Part {
        key: "inadvertent",
        title: "Exception (ii): inadvertent disclosure between authorized persons",
        rule: "Any inadvertent disclosure by a person who is authorized to access protected health information at a covered entity or business associate to another person authorized to access protected health information at the same covered entity or business associate, or organized health care arrangement in which the covered entity participates, and the information received as a result of such disclosure is not further used or disclosed in a manner not permitted under subpart E of this part.",
        cite: "45 CFR 164.402, breach, paragraph (1)(ii)",
    },
    Part {
        key: "not-retained",
        title: "Exception (iii): the recipient could not have retained it",
        rule: "A disclosure of protected health information where a covered entity or business associate has a good faith belief that an unauthorized person to whom the disclosure was made would not reasonably have been able to retain such information.",
        cite: "45 CFR 164.402, breach, paragraph (1)(iii)",
    },
];

/// The four factors of 164.402(2), in the regulation's order.
pub const FACTORS: [Part; 4] = [
    Part {
        key: "nature",
        title: "Factor 1: the nature and extent of the information",
        rule: "The nature and extent of the protected health information involved, including the types of identifiers and the likelihood of re-identification.",
        cite: "45 CFR 164.402, breach, paragraph (2)(i)",
    },
    Part {
        key: "recipient",
        title: "Factor 2: the unauthorized person",
        rule: "The unauthorized person who used the protected health information or to whom the disclosure was made.",
        cite: "45 CFR 164.402, breach, paragraph (2)(ii)",
    },
    Part {
        key: "acquired",
        title: "Factor 3: whether it was actually acquired or viewed",
        rule: "Whether the protected health information was actually acquired or viewed.",
        cite: "45 CFR 164.402, breach, paragraph (2)(iii)",
    },
    Part {
        key: "mitigated",
        title: "Factor 4: the extent the risk was mitigated",
        rule: "The extent to which the risk to the protected health information has been mitigated.",
        cite: "45 CFR 164.402, breach, paragraph (2)(iv)",
    },
];

/// The form's parts and its source, for the window to draw it (`breach_form`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormText {
    pub exceptions: [Part; 4],
    pub factors: [Part; 4],
    pub source: &'static str,
}

/// The form's parts and its source.
pub fn form_text() -> FormText {
    FormText { exceptions: EXCEPTIONS, factors: FACTORS, source: SOURCE }
}

/// A factor's rating: does it point to a low probability that the information was
/// compromised?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Low,
    NotLow,
}

impl Rating {
    pub fn words(self) -> &'static str {
        match self {
            Rating::Low => "low",
            Rating::NotLow => "not low",
        }
    }
}

/// A factor: what was found, in words, and its rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    pub finding: String,
    pub rating: Rating,
}

/// Secured information or an exception: whether it applies, and why (or why not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub applies: bool,
    pub reason: String,
}

/// The form as filled in: what the window sends and the CLI builds from its flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentForm {
    pub secured: Check,
    pub good_faith: Check,
    pub inadvertent: Check,
    pub not_retained: Check,
    /// The four factors; each may be left out when an exception applies.
    pub nature: Option<Factor>,
    pub recipient: Option<Factor>,
    pub acquired: Option<Factor>,
    pub mitigated: Option<Factor>,
    /// The privacy officer's conclusion and reasons, in words.
    pub conclusion: String,
}

/// What the assessment comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A breach: the individuals (and as the counts say, HHS and the media) are told.
    Breach,
    /// A low probability that the information was compromised: documented, no notice.
    LowProbability,
    /// An exception applies, or the information was secured: documented, no notice.
    Exception,
}

impl Outcome {
    /// As the playbook format's `means` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Breach => "breach",
            Outcome::LowProbability => "low-probability",
            Outcome::Exception => "exception",
        }
    }

    /// In words, with what it means for notice.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Breach => "breach: notification required",
            Outcome::LowProbability => {
                "low probability that the information was compromised: documented, no notice"
            }
            Outcome::Exception => {
                "an exception applies or the information was secured: documented, no notice"
            }
        }
    }
}

/// The assessment as signed: the form, checked, and its result. The log entry's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub form: AssessmentForm,
    pub outcome: Outcome,
}

/// An assessment as the log holds it: who signed it, when, and its entry; with the result
/// and each part in words, as every view and export shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessed {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub assessment: Assessment,
    /// The result in words.
    pub result: &'static str,
    /// Each exception, then each factor: its title, the answer and the reason or finding.
    pub lines: Vec<Line>,
}

/// One part of a signed assessment, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub part: &'static str,
    pub answer: &'static str,
    pub text: String,
}

/// A text of the form: trimmed, 1 to 2,000 characters; `what` names the field.
fn text(value: &str, what: &'static str) -> Result<String> {
    let t = value.trim();
    if t.is_empty() || t.chars().count() > 2_000 {
        return Err(Error::Invalid { what, reason: "write it in 1 to 2,000 characters".into() });
    }
    Ok(t.to_owned())
}

impl AssessmentForm {
    fn checks(&mut self) -> [(&mut Check, &'static str); 4] {
        [
            (&mut self.secured, "secured information: reason"),
            (&mut self.good_faith, "exception (i), good faith: reason"),
            (&mut self.inadvertent, "exception (ii), inadvertent disclosure: reason"),
            (&mut self.not_retained, "exception (iii), could not retain: reason"),
        ]
    }

    fn factors(&mut self) -> [(&mut Option<Factor>, &'static str); 4] {
        [
            (&mut self.nature, "factor 1, the nature and extent of the information"),
            (&mut self.recipient, "factor 2, the unauthorized person"),
            (&mut self.acquired, "factor 3, whether it was acquired or viewed"),
            (&mut self.mitigated, "factor 4, the extent the risk was mitigated"),
        ]
    }
}

impl Assessment {
    /// Checks a filled-in form and works out its result. Every reason and the conclusion
    /// are needed; the four factors are needed unless an exception applies.
    pub fn of(mut form: AssessmentForm) -> Result<Assessment> {
        for (check, what) in form.checks() {
            check.reason = text(&check.reason, what)?;
        }
        let exception = [&form.secured, &form.good_faith, &form.inadvertent, &form.not_retained]
            .iter()
            .any(|c| c.applies);
        let mut all_low = true;
        for (factor, what) in form.factors() {
            match factor {
                Some(f) => {
                    f.finding = text(&f.finding, what)?;
                    all_low &= f.rating == Rating::Low;
                }
                None if exception => all_low = false,
                None => {
                    return Err(Error::Invalid {
                        what,
                        reason: "no exception applies, so each of the four factors needs its finding and rating".into(),
                    });
                }
            }
        }
        form.conclusion = text(&form.conclusion, "conclusion")?;
        let outcome = if exception {
            Outcome::Exception
        } else if all_low {
            Outcome::LowProbability
        } else {
            Outcome::Breach
        };
        Ok(Assessment { form, outcome })
    }

    /// Each exception with its answer and reason, then each factor with its rating and
    /// finding ("not assessed" when left out): (title, answer, words).
    fn lines(&self) -> Vec<(&'static str, &'static str, String)> {
        let f = &self.form;
        let checks = [&f.secured, &f.good_faith, &f.inadvertent, &f.not_retained];
        let factors = [&f.nature, &f.recipient, &f.acquired, &f.mitigated];
        let yes = |c: &Check| if c.applies { "yes" } else { "no" };
        EXCEPTIONS
            .iter()
            .zip(checks)
            .map(|(part, c)| (part.title, yes(c), c.reason.clone()))
            .chain(FACTORS.iter().zip(factors).map(|(part, factor)| match factor {
                Some(x) => (part.title, x.rating.words(), x.finding.clone()),
                None => (part.title, "not assessed", String::new()),
            }))
            .collect()
    }
}

impl Assessed {
    /// The assessment of log entry `seq`, signed by `by` at `at`.
    pub fn new(seq: u64, at: DateTime<Utc>, by: &str, assessment: Assessment) -> Assessed {
        let lines = assessment
            .lines()
            .into_iter()
            .map(|(part, answer, text)| Line { part, answer, text })
            .collect();
        let result = assessment.outcome.words();
        Assessed { seq, at, by: by.to_owned(), assessment, result, lines }
    }

    /// One line for the activity log (the timeline, the HICS 214's rows and CSV): the
    /// result and each answer, in short.
    pub fn summary(&self) -> String {
        let f = &self.assessment.form;
        let yes = |c: &Check| if c.applies { "yes" } else { "no" };
        let rating = |x: &Option<Factor>| x.as_ref().map_or("not assessed", |x| x.rating.words());
        format!(
            "Breach risk assessment (45 CFR 164.402) signed: {}; secured {}, exceptions (i) {}, (ii) {}, (iii) {}; factors (1) {}, (2) {}, (3) {}, (4) {}",
            self.assessment.outcome.words(),
            yes(&f.secured),
            yes(&f.good_faith),
            yes(&f.inadvertent),
            yes(&f.not_retained),
            rating(&f.nature),
            rating(&f.recipient),
            rating(&f.acquired),
            rating(&f.mitigated),
        )
    }
    /// The assessment as text lines, for the terminal's review, with the register's count
    /// when there is one.
    pub fn text(&self, affected: Option<&super::Affected>, zone: &Zone) -> String {
        let mut out = format!(
            "Breach risk assessment (45 CFR 164.402), signed by {} (privacy officer) at {}:\n  result: {}\n",
            self.by,
            zone.minute(self.at),
            self.assessment.outcome.words()
        );
        for l in &self.lines {
            out.push_str(&format!("  {}: {}. {}\n", l.part, l.answer, l.text));
        }
        out.push_str(&format!("  conclusion: {}\n", self.assessment.form.conclusion));
        if let Some(a) = affected {
            out.push_str(&format!("  breach register: {}\n", a.words()));
        }
        out
    }

    /// The assessment as a section of a printed page (the review, the HICS 214), with the
    /// register's count when there is one.
    pub fn html(&self, affected: Option<&super::Affected>, zone: &Zone) -> maud::Markup {
        let rows =
            self.lines.iter().map(|l| [l.part.to_owned(), l.answer.to_owned(), l.text.clone()]);
        maud::html! {
            h2 { "Breach risk assessment (45 CFR 164.402)" }
            p {
                "Signed by " (self.by) " (privacy officer) at " (zone.minute(self.at)) ". Result: "
                strong { (self.assessment.outcome.words()) } "."
            }
            (crate::html::table(&["Part", "Answer", "Reason or finding"], rows))
            p { "Conclusion: " (self.assessment.form.conclusion) }
            @if let Some(a) = affected {
                p { "Breach register: " (a.words()) "." }
            }
            p.small { (SOURCE) }
        }
    }
}

/// The decisions a result answers, from the current step on: the current step's choice
/// whose `means` names it, then, while that choice leads to another decision of the same
/// form, that one's, and so on: (step, choice label, goto) each.
fn answers<'a>(
    p: &'a Playbook,
    from: &'a Step,
    outcome: Outcome,
) -> Result<Vec<(&'a Step, &'a str, &'a str)>> {
    let mut out: Vec<(&Step, &str, &str)> = Vec::new();
    let mut step = from;
    loop {
        let choice = step.choices.iter().find(|c| c.means.iter().any(|m| m == outcome.as_str()));
        let Some(choice) = choice else {
            return Err(Error::Invalid {
                what: "assessment",
                reason: format!(
                    "the decision `{}` has no answer for the result {}",
                    step.id,
                    outcome.as_str()
                ),
            });
        };
        out.push((step, choice.label.as_str(), choice.goto.as_str()));
        match p.steps.iter().find(|s| s.id == choice.goto && s.form.as_deref() == Some(FORM)) {
            Some(next) if !out.iter().any(|(s, ..)| s.id == next.id) => step = next,
            _ => return Ok(out),
        }
    }
}

/// The privacy officer completes and signs the assessment of an open incident, under
/// their own unlock: one log entry in their name with the form and its result, and the
/// playbook's four-factor decisions from the current step on answered by it, in the same
/// write. Refused unless the signed-in person holds the incident's privacy-officer
/// position; in a playbook with such decisions, unless one is the step to do now (in one
/// without, the assessment is recorded and answers nothing).
pub fn assess(
    session: &Session,
    playbooks: &[Playbook],
    id: &str,
    form: AssessmentForm,
) -> Result<Progress> {
    let now = crate::incident::progress(session, playbooks, id)?;
    let p = crate::incident::playbook(playbooks, &now.incident.playbook)?;
    super::require_officer(
        &now,
        session.user_name(),
        session.role_now()?,
        None,
        "complete the breach risk assessment",
    )?;
    if now.closed {
        return Err(Error::Invalid { what: "incident", reason: "is closed".into() });
    }
    let assessment = Assessment::of(form)?;
    let current = now.current.as_deref().and_then(|c| p.steps.iter().find(|s| s.id == c));
    let decisions = match current {
        Some(step) if step.form.as_deref() == Some(FORM) => answers(p, step, assessment.outcome)?,
        _ if p.steps.iter().any(|s| s.form.as_deref() == Some(FORM)) => {
            let waiting = p.steps.iter().filter(|s| s.form.as_deref() == Some(FORM));
            let names: Vec<&str> = waiting.map(|s| s.id.as_str()).collect();
            return Err(Error::Invalid {
                what: "assessment",
                reason: format!(
                    "it answers the decision {}, which is not the step to do now{}",
                    names.join(" or "),
                    now.current
                        .as_deref()
                        .map(|c| format!(" (the current step is `{c}`)"))
                        .unwrap_or_default()
                ),
            });
        }
        _ => Vec::new(),
    };
    session.write(|w| {
        w.append(Some(id), &Event::BreachAssessed(assessment.clone()))?;
        for (step, choice, goto) in &decisions {
            let event = Event::Decision {
                choice: (*choice).to_owned(),
                goto: (*goto).to_owned(),
                step: step.id.clone(),
            };
            w.append(Some(id), &event)?;
        }
        Ok(())
    })?;
    crate::incident::progress(session, playbooks, id)
}
