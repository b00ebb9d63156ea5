//! The training module file format (documented in `playbooks/training/README.md`) and its
//! checker, in the style of the playbook checker.
//!
//! [`parse`] reads one file and checks its meaning: it returns the [`Module`], or every
//! problem found, each as `file:line:column: message`. A file that is not valid TOML, or
//! whose keys do not fit the format (an unknown key, a missing one, a value of the wrong
//! type), reports that first problem only, since the TOML reader stops there; everything
//! else is reported in one run.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Module, Question, Quiz, Recurrence, Section};
use crate::checker::{Checker, Diagnostic, Position, S};
use crate::store::Role;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: S<String>,
    title: S<String>,
    version: S<i64>,
    #[serde(default)]
    change: Option<S<String>>,
    material_version: Option<S<i64>>,
    owner: S<String>,
    recurrence: S<String>,
    roles: S<Vec<S<String>>>,
    summary: S<String>,
    sections: S<Vec<S<RawSection>>>,
    #[serde(default)]
    checklist: Vec<S<String>>,
    quiz: Option<S<RawQuiz>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    heading: S<String>,
    text: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    pass_mark_percent: S<i64>,
    questions: S<Vec<S<RawQuestion>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    ask: S<String>,
    choices: S<Vec<S<String>>>,
    answer: S<i64>,
}

/// Text compared for sameness: case, and runs of spaces, do not matter.
fn normalised(text: &str) -> String {
    text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Parses and checks one module file. `file` names it in every diagnostic.
pub fn parse(file: &str, text: &str) -> Result<Module, Vec<Diagnostic>> {
    parse_located(file, text).map(|(module, _)| module)
}

/// As [`parse`], with the line and column of the module's `id` value (where a duplicate
/// id across files is reported).
fn parse_located(file: &str, text: &str) -> Result<(Module, Position), Vec<Diagnostic>> {
    let mut c = Checker::new(file, text);
    let Some(raw) = c.read::<RawModule>() else { return Err(c.failed()) };
    let id_at = c.position(&raw.id);
    let module = check(&mut c, &raw);
    c.finish((module, id_at))
}

crate::checker::checked_format!(Module, "module id");

fn check(c: &mut Checker<'_>, raw: &RawModule) -> Module {
    let id = c.id(&raw.id, "module id", "phishing-awareness");
    let title = c.text_required(&raw.title, "`title`");
    let version = c.version(&raw.version);
    let (_, material_version) =
        c.change(raw.change.as_ref(), raw.material_version.as_ref(), version);
    let owner = c.text_required(&raw.owner, "`owner`");
    let recurrence = match Recurrence::read(raw.recurrence.get_ref()) {
        Ok(r) => r,
        Err(message) => {
            c.span(&raw.recurrence, message);
            Recurrence::Once
        }
    };
    let roles = check_roles(c, &raw.roles);
    let summary = c.text_required(&raw.summary, "`summary`");

    if raw.sections.get_ref().is_empty() {
        c.span(&raw.sections, "a module needs at least one [[sections]]");
    }
    let sections = raw
        .sections
        .get_ref()
        .iter()
        .map(|s| {
            let s = s.get_ref();
            Section {
                heading: c.text_required(&s.heading, "`heading`"),
                text: c.text_required(&s.text, "`text`"),
            }
        })
        .collect();

    let mut checklist = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for item in &raw.checklist {
        let text = c.text_required(item, "a checklist item");
        if !text.is_empty() {
            if let Some(line) = seen.get(&normalised(&text)) {
                c.span(item, format!("this checklist item is already on line {line}"));
            } else {
                let (line, _) = c.position(item);
                seen.insert(normalised(&text), line);
            }
        }
        checklist.push(text);
    }

    let quiz = raw.quiz.as_ref().map(|q| check_quiz(c, q.get_ref()));
    Module {
        id,
        title,
        version,
        material_version,
        owner,
        recurrence,
        roles,
        summary,
        sections,
        checklist,
        quiz,
    }
}

/// A list of the app's roles: at least one, each known, none twice.
pub(crate) fn check_roles(c: &mut Checker<'_>, raw: &S<Vec<S<String>>>) -> Vec<String> {
    let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    if raw.get_ref().is_empty() {
        c.span(raw, format!("`roles` needs at least one role: {}", known.join(", ")));
    }
    let mut roles: Vec<String> = Vec::new();
    for r in raw.get_ref() {
        let role = r.get_ref().trim();
        if !known.contains(&role) {
            c.span(r, format!("unknown role `{role}`: use one of {}", known.join(", ")));
        } else if roles.iter().any(|have| have == role) {
            c.span(r, format!("role `{role}` is listed twice"));
        } else {
            roles.push(role.to_owned());
        }
    }
    roles
}

fn check_quiz(c: &mut Checker<'_>, q: &RawQuiz) -> Quiz {
    let mark = *q.pass_mark_percent.get_ref();
    if !(1..=100).contains(&mark) {
        c.span(&q.pass_mark_percent, "`pass_mark_percent` must be a whole number from 1 to 100");
    }
    if q.questions.get_ref().is_empty() {
        c.span(&q.questions, "a quiz needs at least one [[quiz.questions]]");
    }
    let mut asked: BTreeMap<String, usize> = BTreeMap::new();
    let mut questions = Vec::new();
    for question in q.questions.get_ref() {
        let question = question.get_ref();
        let ask = c.text_required(&question.ask, "`ask`");
        if !ask.is_empty() {
            if let Some(line) = asked.get(&normalised(&ask)) {
                c.span(&question.ask, format!("this question is already asked on line {line}"));
            } else {
                let (line, _) = c.position(&question.ask);
                asked.insert(normalised(&ask), line);
            }
        }
        let raw_choices = question.choices.get_ref();
        if raw_choices.len() < 2 {
            c.span(&question.choices, "a question needs two or more choices");
        }
        let mut choices: Vec<String> = Vec::new();
        for choice in raw_choices {
            let text = c.text_required(choice, "a choice");
            if !text.is_empty() && choices.iter().any(|have| normalised(have) == normalised(&text))
            {
                c.span(choice, "two choices of this question read the same");
            }
            choices.push(text);
        }
        let answer = *question.answer.get_ref();
        let index = usize::try_from(answer).ok().and_then(|n| n.checked_sub(1));
        let index = match index {
            Some(i) if i < choices.len() => i,
            _ => {
                if !choices.is_empty() {
                    c.span(
                        &question.answer,
                        format!(
                            "`answer` {answer} is not one of the choices: write 1 to {} (1 is the first choice)",
                            choices.len()
                        ),
                    );
                }
                0
            }
        };
        questions.push(Question { ask, choices, answer: index });
    }
    Quiz { pass_mark_percent: u8::try_from(mark.clamp(0, 100)).unwrap_or(0), questions }
}
