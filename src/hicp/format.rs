//! The self-assessment file format (documented in `playbooks/assessments/README.md`) and
//! its checker, in the style of the playbook and training checkers: [`parse`] returns the
//! [`Questionnaire`], or every problem found, each as `file:line:column: message`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{PRACTICES, Practice, Question, Questionnaire, Size, Threat};
use crate::checker::{Checker, Diagnostic, Position, S};
use crate::playbook::rules::{self, RawSource};
use crate::risk::PATIENT_IMPACT;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    id: S<String>,
    title: S<String>,
    version: S<i64>,
    summary: S<String>,
    sources: S<Vec<S<RawSource>>>,
    threats: S<Vec<S<RawThreat>>>,
    practices: S<Vec<S<RawPractice>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreat {
    id: S<String>,
    title: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPractice {
    number: S<i64>,
    title: S<String>,
    questions: S<Vec<S<RawQuestion>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: S<String>,
    sizes: S<Vec<S<String>>>,
    ask: S<String>,
    gap: S<String>,
    threat: S<String>,
    patient_impact: S<i64>,
}

/// Parses and checks one questionnaire file. `file` names it in every diagnostic.
pub fn parse(file: &str, text: &str) -> Result<Questionnaire, Vec<Diagnostic>> {
    parse_located(file, text).map(|(q, _)| q)
}

fn parse_located(file: &str, text: &str) -> Result<(Questionnaire, Position), Vec<Diagnostic>> {
    let mut c = Checker::new(file, text);
    let Some(raw) = c.read::<RawQuestionnaire>() else { return Err(c.failed()) };
    let id_at = c.position(&raw.id);
    let questionnaire = check(&mut c, &raw);
    c.finish((questionnaire, id_at))
}

crate::checker::checked_format!(Questionnaire, "assessment id");

fn check(c: &mut Checker<'_>, raw: &RawQuestionnaire) -> Questionnaire {
    let id = c.id(&raw.id, "assessment id", "hicp-2023");
    let title = c.text_required(&raw.title, "`title`");
    let version = c.version(&raw.version);
    let summary = c.text_required(&raw.summary, "`summary`");
    let sources = rules::sources(c, &raw.sources);

    let mut threats: Vec<Threat> = Vec::new();
    if raw.threats.get_ref().is_empty() {
        c.span(&raw.threats, "`threats` needs at least one [[threats]]");
    }
    for t in raw.threats.get_ref() {
        let t = t.get_ref();
        let tid = c.id(&t.id, "threat id", "ransomware");
        if threats.iter().any(|have| have.id == tid) {
            c.span(&t.id, format!("threat `{tid}` is declared twice"));
        }
        threats.push(Threat { id: tid, title: c.text_required(&t.title, "a threat's `title`") });
    }

    let practices = check_practices(c, &raw.practices, &threats);
    Questionnaire { id, title, version, summary, sources, threats, practices }
}

fn check_practices(
    c: &mut Checker<'_>,
    raw: &S<Vec<S<RawPractice>>>,
    threats: &[Threat],
) -> Vec<Practice> {
    let mut out: Vec<Practice> = Vec::new();
    // Where each question id was first used, for the message about the second.
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (expected, p) in (1u8..).zip(raw.get_ref()) {
        let p = p.get_ref();
        let n = *p.number.get_ref();
        let number = u8::try_from(n).ok().filter(|n| (1..=PRACTICES).contains(n));
        match number {
            None => c.span(&p.number, format!("`number` must be a practice from 1 to {PRACTICES}")),
            Some(k) if k != expected => c.span(
                &p.number,
                format!("practices go in order from 1: this should be practice {expected}"),
            ),
            Some(_) => {}
        }
        let title = c.text_required(&p.title, "a practice's `title`");
        if p.questions.get_ref().is_empty() {
            c.span(&p.questions, "a practice needs at least one [[practices.questions]]");
        }
        let mut questions = Vec::new();
        for q in p.questions.get_ref() {
            let q = q.get_ref();
            let qid = c.id(&q.id, "question id", "email-mfa");
            if let Some(line) = ids.get(&qid) {
                c.span(&q.id, format!("question id `{qid}` is already used on line {line}"));
            } else {
                ids.insert(qid.clone(), c.position(&q.id).0);
            }
            questions.push(Question {
                id: qid,
                sizes: check_sizes(c, &q.sizes),
                ask: c.text_required(&q.ask, "`ask`"),
                gap: c.text_required(&q.gap, "`gap`"),
                threat: check_threat(c, &q.threat, threats),
                patient_impact: check_patient_impact(c, &q.patient_impact),
            });
        }
        out.push(Practice { number: number.unwrap_or(0), title, questions });
    }
    if out.len() != usize::from(PRACTICES) {
        c.span(
            raw,
            format!("HICP has {PRACTICES} practices: this file has {} [[practices]]", out.len()),
        );
    }
    for size in Size::ALL {
        if !out.iter().flat_map(|p| &p.questions).any(|q| q.sizes.contains(&size)) {
            c.span(raw, format!("no question is asked of a {} organisation", size.as_str()));
        }
    }
    out
}

fn check_sizes(c: &mut Checker<'_>, raw: &S<Vec<S<String>>>) -> Vec<Size> {
    let names: Vec<&str> = Size::ALL.iter().map(|s| s.as_str()).collect();
    if raw.get_ref().is_empty() {
        c.span(raw, format!("`sizes` needs at least one of {}", names.join(", ")));
    }
    let mut sizes = Vec::new();
    for s in raw.get_ref() {
        match Size::read(s.get_ref()) {
            Some(size) if sizes.contains(&size) => {
                c.span(s, format!("size `{}` is listed twice", size.as_str()));
            }
            Some(size) => sizes.push(size),
            None => c.span(
                s,
                format!("unknown size `{}`: use one of {}", s.get_ref(), names.join(", ")),
            ),
        }
    }
    sizes
}

fn check_threat(c: &mut Checker<'_>, raw: &S<String>, threats: &[Threat]) -> String {
    let id = raw.get_ref();
    if !threats.iter().any(|t| &t.id == id) {
        let known: Vec<&str> = threats.iter().map(|t| t.id.as_str()).collect();
        c.span(raw, format!("unknown threat `{id}`: use one of {}", known.join(", ")));
    }
    id.clone()
}

fn check_patient_impact(c: &mut Checker<'_>, raw: &S<i64>) -> u8 {
    let n = *raw.get_ref();
    match u8::try_from(n).ok().filter(|n| PATIENT_IMPACT.iter().any(|(k, _)| k == n)) {
        Some(n) => n,
        None => {
            c.span(raw, "`patient_impact` must be 0 (none) to 3 (patients could be harmed)");
            0
        }
    }
}
