//! Playbooks as text for the terminal (`caregiver playbook show`): the whole playbook by
//! phase, or one role's job action sheet by time band. Job action sheets are derived from
//! the steps, never written twice.

use std::fmt::Write as _;

use super::format::{BANDS, END, Playbook, Step, band_name, phase_name};
use super::rules;
use crate::{Error, Result};

const WIDTH: usize = 88;

/// The whole playbook, phase by phase, in the order the phases first appear.
pub fn by_phase(p: &Playbook) -> String {
    let mut out = header(p);
    let mut phases: Vec<&str> = Vec::new();
    for s in &p.steps {
        if !phases.contains(&s.phase.as_str()) {
            phases.push(&s.phase);
        }
    }
    for phase in phases {
        let _ = writeln!(out, "\n== {} ==", phase_name(phase).to_uppercase());
        for s in p.steps.iter().filter(|s| s.phase == phase) {
            step(&mut out, p, s, true);
        }
    }
    footer(&mut out, p);
    out
}

/// The job action sheet of one role (an id like `it-lead` or a name like `IT/IS Lead`),
/// grouped by time band, with a box for time and initials.
pub fn job_action_sheet(p: &Playbook, role: &str) -> Result<String> {
    let wanted = role.trim().to_lowercase();
    let role_id = p
        .steps
        .iter()
        .map(|s| s.role.as_str())
        .find(|r| *r == wanted || p.role_name(r).to_lowercase() == wanted)
        .ok_or_else(|| {
            let mut roles: Vec<&str> = p.steps.iter().map(|s| s.role.as_str()).collect();
            roles.sort_unstable();
            roles.dedup();
            Error::Invalid {
                what: "role",
                reason: format!(
                    "no step of this playbook is for it; its roles are {}",
                    roles.join(", ")
                ),
            }
        })?;
    let mut out = format!(
        "JOB ACTION SHEET: {}\n{} (version {})\n",
        p.role_name(role_id),
        p.title,
        p.version
    );
    wrap(&mut out, &format!("Position: {}", rules::position_kind(role_id)), "");
    let header = p.sheets.iter().find(|h| h.role == role_id);
    if let Some(h) = header {
        wrap(&mut out, &format!("Reports to: {}", p.role_name(&h.reports_to)), "");
        wrap(&mut out, &format!("Mission: {}", h.mission), "");
    }
    out.push_str("Position assigned to: ______________  Date/time: ______  Initials: ______\n");
    out.push_str("Command centre location: ______________  Telephone/radio: ______________\n");
    for (band, _) in BANDS {
        let steps: Vec<&Step> =
            p.steps.iter().filter(|s| s.role == role_id && s.band == *band).collect();
        if steps.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n== {} ==", band_name(band).to_uppercase());
        for s in steps {
            step(&mut out, p, s, false);
            let _ = writeln!(out, "      Time ______  Initials ______");
        }
    }
    if let Some(h) = header {
        out.push_str("\n== DOCUMENTS AND FORMS ==\n");
        for form in &h.forms {
            wrap(&mut out, form, "  [ ] ");
        }
    }
    Ok(out)
}

fn header(p: &Playbook) -> String {
    let mut out = format!("{}\n{}\n", p.title, "=".repeat(p.title.chars().count().min(WIDTH)));
    let _ = writeln!(out, "id {}  version {}  severity {}", p.id, p.version, p.severity);
    out.push('\n');
    wrap(&mut out, &p.summary, "");
    out.push_str("\nUse this when:\n");
    for t in &p.triggers {
        wrap(&mut out, t, "  - ");
    }
    out
}

fn footer(out: &mut String, p: &Playbook) {
    out.push_str("\nSources:\n");
    for s in &p.sources {
        wrap(out, &s.to_string(), "  - ");
    }
}

fn step(out: &mut String, p: &Playbook, s: &Step, with_role: bool) {
    let ward = if s.ward { "  [ward]" } else { "" };
    let _ = writeln!(out, "\n  {}  ({}){ward}", s.title, s.id);
    if with_role {
        let _ = writeln!(out, "    For: {}   When: {}", p.role_name(&s.role), band_name(&s.band));
    }
    wrap(out, &s.instruction, "    ");
    for item in &s.checklist {
        wrap(out, item, "    [ ] ");
    }
    if !s.calls.is_empty() {
        let _ = writeln!(out, "    Call: {}", s.calls.join(", "));
    }
    if let Some(t) = &s.timer {
        wrap(out, &format!("Reminder after {}: {}", minutes(t.after_minutes), t.say), "    ");
    }
    for d in &s.deadlines {
        let source = d.source.as_ref().map(|s| format!(" [{s}]")).unwrap_or_default();
        wrap(
            out,
            &format!(
                "Deadline: {}{}: {}{source}",
                d.rule_words(),
                d.when_words(p).map(|w| format!(", {w}")).unwrap_or_default(),
                d.what
            ),
            "    ",
        );
    }
    if let Some(q) = &s.question {
        wrap(out, &format!("Decide: {q}"), "    ");
        for c in &s.choices {
            let to = if c.goto == END { "the end".to_owned() } else { format!("step {}", c.goto) };
            wrap(out, &format!("{} -> {to}", c.label), "      * ");
        }
    }
}

fn minutes(m: u64) -> String {
    let (n, unit) = match m {
        m if m % (60 * 24 * 7) == 0 => (m / (60 * 24 * 7), "week"),
        m if m % (60 * 24) == 0 => (m / (60 * 24), "day"),
        m if m % 60 == 0 => (m / 60, "hour"),
        m => (m, "minute"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Appends `text` wrapped at [`WIDTH`], the first line after `lead`, the rest indented
/// to match it.
fn wrap(out: &mut String, text: &str, lead: &str) {
    let indent = " ".repeat(lead.chars().count());
    let mut line = lead.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = indent.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}
