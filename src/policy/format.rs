//! The policy file format (documented in `playbooks/policies/README.md`) and its checker:
//! Markdown with TOML front matter between `+++` lines. [`parse`] returns the [`Policy`],
//! or every problem found, each as `file:line:column: message` (lines of the whole file).

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Audience, Change, Policy};
use crate::checker::{Checker, Diagnostic, Position, S, START};
use crate::playbook::rules::{self, RawSource};

const FENCE: &str = "+++";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: S<String>,
    title: S<String>,
    version: S<i64>,
    effective: S<String>,
    review: S<String>,
    owner: S<String>,
    change: S<String>,
    material_version: Option<S<i64>>,
    audience: S<RawAudience>,
    sources: S<Vec<S<RawSource>>>,
}

/// An audience as a file gives it (a policy's, a bulletin's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAudience {
    roles: S<Vec<S<String>>>,
    #[serde(default)]
    departments: Vec<S<String>>,
}

/// Parses and checks one policy file. `file` names it in every diagnostic.
pub fn parse(file: &str, text: &str) -> Result<Policy, Vec<Diagnostic>> {
    parse_located(file, text).map(|(p, _)| p)
}

fn parse_located(file: &str, text: &str) -> Result<(Policy, Position), Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default().trim_end();
    let close = text.match_indices(&format!("\n{FENCE}")).map(|(i, _)| i).find(|&i| {
        let rest = &text[i + 1 + FENCE.len()..];
        rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n")
    });
    let (Some(close), true) = (close, first_line == FENCE) else {
        let message = "a policy starts with its front matter between two `+++` lines".to_owned();
        return Err(vec![Diagnostic::new(file, START, message)]);
    };
    // The front matter as TOML, its first line a comment of the same length, so every
    // position is the file's own.
    let front = format!("#{}", &text[1..close]);
    let body = text[close + 1 + FENCE.len()..].trim().to_owned();
    let mut c = Checker::new(file, &front);
    let Some(raw) = c.read::<RawPolicy>() else { return Err(c.failed()) };
    let id_at = c.position(&raw.id);
    let policy = check(&mut c, &raw, body, text);
    c.finish((policy, id_at))
}

crate::checker::checked_format!(Policy, "policy id", takes = not_a_readme);

/// A folder's README documents the policies; it is not one.
fn not_a_readme(name: &str) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    !file.eq_ignore_ascii_case("README.md")
}

fn date(c: &mut Checker<'_>, raw: &S<String>, key: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(raw.get_ref().trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            c.span(raw, format!("`{key}` must be a date, YYYY-MM-DD, not `{}`", raw.get_ref()));
            NaiveDate::MIN
        }
    }
}

fn check(c: &mut Checker<'_>, raw: &RawPolicy, body: String, whole: &str) -> Policy {
    let id = c.id(&raw.id, "policy id", "information-security");
    let title = c.text_required(&raw.title, "`title`");
    let version = c.version(&raw.version);
    let effective = date(c, &raw.effective, "effective");
    let review = date(c, &raw.review, "review");
    if review <= effective && effective != NaiveDate::MIN && review != NaiveDate::MIN {
        c.span(&raw.review, "`review` must come after `effective`");
    }
    let owner = c.text_required(&raw.owner, "`owner`");
    let (editorial, material_version) =
        c.change(Some(&raw.change), raw.material_version.as_ref(), version);
    let change = if editorial { Change::Editorial } else { Change::Material };
    let audience = check_audience(c, &raw.audience);
    let sources = rules::sources(c, &raw.sources);
    if body.is_empty() {
        let line = whole.lines().count();
        c.at(c_len(whole), format!("the policy has no text after its front matter (line {line})"));
    }
    Policy {
        id,
        title,
        version,
        effective,
        review,
        owner,
        change,
        material_version,
        audience,
        sources,
        body,
    }
}

/// The end of the front matter text the checker holds, where a missing body is reported.
fn c_len(whole: &str) -> usize {
    whole.find("\n+++").unwrap_or(0)
}

/// An audience: at least one known role, and departments (none: every one).
pub(crate) fn check_audience(c: &mut Checker<'_>, raw: &S<RawAudience>) -> Audience {
    let raw_a = raw.get_ref();
    let roles = crate::training::format::check_roles(c, &raw_a.roles);
    let departments = c.list(&raw_a.departments, "a department");
    Audience { roles, departments }
}
