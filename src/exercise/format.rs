//! The exercise package format (documented in `playbooks/exercises/README.md`) and its
//! checker, in the style of the playbook and HICP checkers: [`parse`] returns the
//! [`Package`], or every problem found, each as `file:line:column: message`; [`resolve`]
//! checks each inject's `playbook-id#step-id` against the playbooks in force.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    CORE_CAPABILITIES, CriticalTask, ExerciseType, Inject, Module, Objective, Package, StepRef,
};
use crate::checker::{Checker, Diagnostic, Position, S};
use crate::playbook::Playbook;
use crate::playbook::rules::{self, RawSource};

/// The longest scenario the format takes: a week, in minutes.
const MAX_MINUTES: i64 = 7 * 24 * 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    id: S<String>,
    title: S<String>,
    version: S<i64>,
    #[serde(rename = "type")]
    kind: S<String>,
    scenario: S<String>,
    participants: S<Vec<S<String>>>,
    facilitator: S<String>,
    evaluator: S<String>,
    sources: S<Vec<S<RawSource>>>,
    objectives: S<Vec<S<RawObjective>>>,
    modules: S<Vec<S<RawModule>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObjective {
    id: S<String>,
    text: S<String>,
    capabilities: S<Vec<S<String>>>,
    #[serde(default)]
    tasks: Vec<S<RawTask>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    id: S<String>,
    task: S<String>,
    observe: S<Vec<S<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    title: S<String>,
    questions: S<Vec<S<String>>>,
    injects: S<Vec<S<RawInject>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInject {
    id: S<String>,
    at: S<i64>,
    from: S<String>,
    message: S<String>,
    expect: S<Vec<S<String>>>,
    tests: S<Vec<S<String>>>,
}

/// Parses and checks one package file. `file` names it in every diagnostic. The steps its
/// injects test are checked by [`resolve`].
pub fn parse(file: &str, text: &str) -> Result<Package, Vec<Diagnostic>> {
    parse_located(file, text).map(|(p, _)| p)
}

fn parse_located(file: &str, text: &str) -> Result<(Package, Position), Vec<Diagnostic>> {
    parse_with(file, text, None)
}

/// Parses and checks one package file, and, with `playbooks` (those in force), each step
/// its injects test: every problem at its place, in the file's order.
pub(crate) fn parse_with(
    file: &str,
    text: &str,
    playbooks: Option<&[Playbook]>,
) -> Result<(Package, Position), Vec<Diagnostic>> {
    let mut c = Checker::new(file, text);
    let Some(raw) = c.read::<RawPackage>() else { return Err(c.failed()) };
    let id_at = c.position(&raw.id);
    let package = check(&mut c, &raw);
    if let Some(playbooks) = playbooks {
        c.extend(resolve(&package, playbooks, file));
    }
    c.finish((package, id_at))
}

crate::checker::checked_format!(Package, "exercise id");

/// Where each id of one kind was first used, for the message about the second.
#[derive(Default)]
struct Ids(BTreeMap<String, usize>);

impl Ids {
    fn once(&mut self, c: &mut Checker<'_>, raw: &S<String>, what: &str, example: &str) -> String {
        let id = c.id(raw, what, example);
        match self.0.get(&id) {
            Some(line) => c.span(raw, format!("{what} `{id}` is already used on line {line}")),
            None => {
                self.0.insert(id.clone(), c.position(raw).0);
            }
        }
        id
    }
}

fn check(c: &mut Checker<'_>, raw: &RawPackage) -> Package {
    let id = c.id(&raw.id, "exercise id", "ransomware-tabletop");
    let title = c.text_required(&raw.title, "`title`");
    let version = c.version(&raw.version);
    let kind = match ExerciseType::of(raw.kind.get_ref()) {
        Ok(kind) => kind,
        Err(_) => {
            let keys: Vec<&str> = ExerciseType::ALL.iter().map(|k| k.key()).collect();
            let message =
                format!("unknown `type` `{}`: use one of {}", raw.kind.get_ref(), keys.join(", "));
            c.span(&raw.kind, message);
            ExerciseType::Tabletop
        }
    };
    let scenario = c.text_required(&raw.scenario, "`scenario`");
    if raw.participants.get_ref().is_empty() {
        c.span(&raw.participants, "`participants` needs at least one position or department");
    }
    let participants = c.list(raw.participants.get_ref(), "a participant");
    let facilitator = c.text_required(&raw.facilitator, "`facilitator` (the facilitator's guide)");
    let evaluator = c.text_required(&raw.evaluator, "`evaluator` (the evaluator's guide)");
    let sources = rules::sources(c, &raw.sources);
    let objectives = check_objectives(c, &raw.objectives);
    let modules = check_modules(c, &raw.modules);
    Package {
        id,
        title,
        version,
        kind,
        scenario,
        participants,
        objectives,
        modules,
        facilitator,
        evaluator,
        sources,
    }
}

fn check_objectives(c: &mut Checker<'_>, raw: &S<Vec<S<RawObjective>>>) -> Vec<Objective> {
    if raw.get_ref().is_empty() {
        c.span(raw, "a package needs at least one [[objectives]]");
    }
    let (mut ids, mut task_ids) = (Ids::default(), Ids::default());
    let mut out = Vec::new();
    for o in raw.get_ref() {
        let o = o.get_ref();
        let id = ids.once(c, &o.id, "objective id", "contain-the-spread");
        let text = c.text_required(&o.text, "an objective's `text`");
        if o.capabilities.get_ref().is_empty() {
            c.span(&o.capabilities, "an objective names at least one core capability it tests");
        }
        let mut capabilities = Vec::new();
        for cap in o.capabilities.get_ref() {
            let name = cap.get_ref().trim();
            if !CORE_CAPABILITIES.iter().any(|(k, _)| *k == name) {
                let keys: Vec<&str> = CORE_CAPABILITIES.iter().map(|(k, _)| *k).collect();
                c.span(
                    cap,
                    format!("unknown core capability `{name}`: use one of {}", keys.join(", ")),
                );
            } else if capabilities.iter().any(|have| have == name) {
                c.span(cap, format!("core capability `{name}` is listed twice"));
            }
            capabilities.push(name.to_owned());
        }
        if o.tasks.is_empty() {
            c.span(&o.id, format!("objective `{id}` has no critical task: add an [[objectives.tasks]] evaluators rate"));
        }
        let mut tasks = Vec::new();
        for t in &o.tasks {
            let t = t.get_ref();
            let tid = task_ids.once(c, &t.id, "critical task id", "isolate-infected-machines");
            let task = c.text_required(&t.task, "a critical task's `task`");
            if t.observe.get_ref().is_empty() {
                c.span(&t.observe, "a critical task lists at least one thing evaluators `observe`");
            }
            let observe = c.list(t.observe.get_ref(), "what to observe");
            tasks.push(CriticalTask { id: tid, task, observe });
        }
        out.push(Objective { id, text, capabilities, tasks });
    }
    out
}

fn check_modules(c: &mut Checker<'_>, raw: &S<Vec<S<RawModule>>>) -> Vec<Module> {
    if raw.get_ref().is_empty() {
        c.span(raw, "a package needs at least one [[modules]] of injects");
    }
    let mut ids = Ids::default();
    // The offset of the inject before, for the order.
    let mut before: Option<i64> = None;
    let mut out = Vec::new();
    for m in raw.get_ref() {
        let m = m.get_ref();
        let title = c.text_required(&m.title, "a module's `title`");
        if m.injects.get_ref().is_empty() {
            c.span(&m.injects, "a module needs at least one [[modules.injects]]");
        }
        let mut injects = Vec::new();
        for i in m.injects.get_ref() {
            let i = i.get_ref();
            let id = ids.once(c, &i.id, "inject id", "ransom-note");
            let at = *i.at.get_ref();
            if !(0..=MAX_MINUTES).contains(&at) {
                c.span(&i.at, format!("`at` is minutes from the start, 0 to {MAX_MINUTES}"));
            } else if let Some(b) = before.filter(|b| at <= *b) {
                c.span(&i.at, format!("injects come in time order: this one, at {at} min, must come after the one before, at {b} min"));
            }
            before = Some(at);
            let from = c.text_required(&i.from, "an inject's `from`");
            let message = c.text_required(&i.message, "an inject's `message`");
            if i.expect.get_ref().is_empty() {
                c.span(&i.expect, "an inject lists at least one action it `expect`s");
            }
            let expect = c.list(i.expect.get_ref(), "an expected action");
            let tests = i.tests.get_ref().iter().filter_map(|t| step_ref(c, t)).collect();
            injects.push(Inject {
                id,
                at: u32::try_from(at).unwrap_or(0),
                from,
                message,
                expect,
                tests,
            });
        }
        let questions = c.list(m.questions.get_ref(), "a discussion question");
        if questions.is_empty() {
            c.span(&m.questions, "a module needs at least one discussion question");
        }
        out.push(Module { title, injects, questions });
    }
    out
}

/// `playbook-id#step-id`, its two ids checked; whether they exist is [`resolve`]'s.
fn step_ref(c: &mut Checker<'_>, raw: &S<String>) -> Option<StepRef> {
    let text = raw.get_ref().trim();
    let Some((playbook, step)) = text.split_once('#') else {
        c.span(raw, format!("`{text}` must name a playbook step as playbook-id#step-id, like ransomware#stop-and-unplug"));
        return None;
    };
    if !crate::checker::is_valid_id(playbook) || !crate::checker::is_valid_id(step) {
        c.span(raw, format!("`{text}` must name a playbook step as playbook-id#step-id, like ransomware#stop-and-unplug"));
        return None;
    }
    Some(StepRef { playbook: playbook.into(), step: step.into(), at: c.position(raw) })
}

/// Each step an inject of `package` tests, looked up in `playbooks` (the pack's in force):
/// an unknown playbook or step is a problem at its place in `file`.
pub fn resolve(package: &Package, playbooks: &[Playbook], file: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in package.injects().flat_map(|i| &i.tests) {
        let message = match playbooks.iter().find(|p| p.id == t.playbook) {
            None => format!(
                "unknown playbook `{}` in `{t}`: no playbook in force has that id",
                t.playbook
            ),
            Some(p) if !p.steps.iter().any(|s| s.id == t.step) => {
                format!("unknown step `{}` in `{t}`: playbook `{}` has no such step", t.step, p.id)
            }
            Some(_) => continue,
        };
        out.push(Diagnostic::new(file, t.at, message));
    }
    out
}
