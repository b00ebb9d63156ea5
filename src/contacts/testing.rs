//! Test helpers: random contact trees for the round-trip property tests of both formats.

use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};

use super::check::{Parsed, RowProblem, blank_contact, check_all};
use super::{CHANNELS, Contact, ContactKind};
use crate::playbook::format::STANDARD_CONTACT_ROLES;

/// The problems (or warnings) as `line N: message`.
pub(crate) fn messages(problems: &[RowProblem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

/// The ids of the contacts read, in order.
pub(crate) fn ids(parsed: &Parsed) -> Vec<&str> {
    parsed.contacts.iter().map(|(_, c)| c.id.as_str()).collect()
}

/// The contact read with this id.
pub(crate) fn contact<'a>(parsed: &'a Parsed, id: &str) -> &'a Contact {
    &parsed.contacts.iter().find(|(_, c)| c.id == id).unwrap().1
}

/// The playbook ids the tests' contacts may name.
pub(crate) const TYPES: &[&str] = &[
    "ransomware",
    "phi-breach",
    "business-email-compromise",
    "insider-misuse",
    "lost-device",
    "ehr-downtime",
    "vendor-breach",
    "network-outage",
];

/// Text with what CSV and vCard must escape or quote, what a spreadsheet takes for a
/// formula, and letters outside ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;:\"'=+@.()\\\\/&_-]{0,3}[a-zA-Z0-9 ,;:\"'=+@.()\\\\/&_éëøÿŁ王ß€-]{1,40}"
}

/// Notes: text with line breaks (`\r\n`, `\r`, `\n`) and tabs too.
fn notes() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;:\"'=+@.\\\\\n\r\tëZ王-]{1,120}"
}

fn phone() -> impl Strategy<Value = String> {
    "[+]?(\\([0-9]{3}\\) )?[0-9]{3}[ .-]?01[0-9]{2}( (x|ext|ext\\.) ?[0-9]{1,4})?"
}

fn email() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}([._'+-][a-z0-9]{1,5})?@[a-z0-9]{1,8}(-[a-z]{1,3})?\\.example"
}

fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::weighted(0.6, s)
}

/// One contact without its place in the tree.
fn any_contact() -> impl Strategy<Value = Contact> {
    let who = (
        opt("[a-z][a-z0-9-]{0,12}"),
        text(),
        prop_oneof![Just(ContactKind::Internal), Just(ContactKind::External)],
        opt(select(STANDARD_CONTACT_ROLES).prop_map(str::to_owned)),
        opt(text()),
        opt(text()),
        opt(text()),
    );
    let reach = (
        opt(phone()),
        opt(phone()),
        opt(phone()),
        opt(text()),
        opt(text()),
        opt(email()),
        opt(phone()),
        opt(phone()),
    );
    let rest = (
        opt(text()),
        opt(text()),
        subsequence(CHANNELS.iter().map(|(id, _, _)| *id).collect::<Vec<_>>(), 0..4),
        opt(notes()),
        1..=1440u32,
        subsequence(TYPES, 0..3),
    );
    (who, reach, rest).prop_map(|(who, reach, rest)| {
        let (id, name, kind, role, position, department, organisation) = who;
        let (
            work_phone,
            mobile_phone,
            pager,
            radio_channel,
            secure_messaging,
            email,
            support,
            claim,
        ) = reach;
        let (contract_ref, policy_number, channels, notes, escalate, incident_types) = rest;
        Contact {
            id: id.unwrap_or_default(),
            name,
            kind,
            role,
            position,
            department,
            organisation,
            work_phone,
            mobile_phone,
            pager,
            radio_channel,
            secure_messaging,
            email,
            support_line: support,
            contract_ref,
            policy_number,
            claim_line: claim,
            channels: channels.into_iter().map(str::to_owned).collect(),
            notes,
            escalate_after_minutes: escalate,
            incident_types: incident_types.into_iter().map(|s| (*s).to_owned()).collect(),
            ..blank_contact()
        }
    })
}

/// A tree of 1 to 8 contacts as `check_all` gives it back (tidy, ids made, callers and
/// alternates resolved): what `write` then `parse` must give back exactly. With it, the
/// problems `check_all` found, which tests expect to be none.
pub(crate) fn tree() -> impl Strategy<Value = (Vec<Contact>, Vec<RowProblem>)> {
    prop::collection::vec((any_contact(), opt(any::<Index>()), opt(any::<Index>())), 1..8).prop_map(
        |seeds| {
            let mut rows: Vec<(usize, Contact)> = Vec::new();
            for (i, (mut c, caller, alternate)) in seeds.into_iter().enumerate() {
                // Names and ids unique by their position.
                c.name = format!("{} {i}", c.name.trim());
                if !c.id.is_empty() {
                    c.id = format!("{}-{i}", c.id);
                }
                // Callers come earlier (no loop); alternates are anyone else.
                c.called_by = caller.filter(|_| i > 0).map(|k| format!("#{}", k.index(i)));
                c.alternate =
                    alternate.map(|k| k.index(8)).filter(|&k| k != i).map(|k| format!("#{k}"));
                rows.push((i + 2, c));
            }
            // Refer by id where a row has one, else by name.
            let names: Vec<(String, String)> =
                rows.iter().map(|(_, c)| (c.id.clone(), c.name.clone())).collect();
            let count = rows.len();
            for (_, c) in &mut rows {
                for reference in [&mut c.called_by, &mut c.alternate] {
                    let target = reference
                        .as_deref()
                        .and_then(|r| r.strip_prefix('#'))
                        .and_then(|k| k.parse::<usize>().ok())
                        .filter(|&k| k < count)
                        .and_then(|k| names.get(k));
                    *reference = target
                        .map(|(id, name)| if id.is_empty() { name.clone() } else { id.clone() });
                }
            }
            let Parsed { contacts, problems, .. } = check_all(rows, TYPES);
            (contacts.into_iter().map(|(_, c)| c).collect(), problems)
        },
    )
}
