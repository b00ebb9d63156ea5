//! Checks of an imported contact tree, row by row and as a whole.
//!
//! [`check_all`] takes the rows a file gave (each with the line where its row or card
//! starts) and returns [`Parsed`]: the contacts that are valid among themselves, and every
//! problem of every row, sorted by line. A row with any problem is left out, and so is
//! every row whose `called_by` or `alternate` refers to a row left out, until nothing
//! changes: what remains can be stored as it is.
//!
//! Before checking, each contact is tidied: text is trimmed and empty text is `None`;
//! notes' line breaks become `\n`; role, channel and incident-type ids are lower-cased
//! with spaces and underscores as dashes (`IT Service Desk` is `it-service-desk`); a
//! channel or incident type listed twice is kept once (with a warning). A contact
//! without an id gets one made from its name (see [`slug`]); `called_by` and `alternate`
//! may name another contact by id or, failing that, by its name, and become that
//! contact's id.
//!
//! Unsecure channels (`sms`, `public-email`, `consumer-messaging`) may be listed: a
//! contact may really be reachable that way, and the tree should say so. Each one listed
//! gives a warning (never for patient information), not a problem. So does an approved
//! channel without the number or address it needs (`pager` without a pager number).
//!
//! Messages name columns, lines and ids of roles, channels and playbooks; they never
//! quote a person's name, number or address.
//!
//! The checks of one contact on its own (tidying, each field's rules, phone numbers and
//! email addresses) are in `row`; the checks across rows are here.

mod row;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use self::row::{check_fields, tidy};
use super::{Contact, ContactKind, DEFAULT_ESCALATE_MINUTES};
use crate::playbook::format::parse_duration;

pub use self::row::{is_email, is_phone, slug};
/// Whether `id` is a valid contact id: the playbooks' rule for ids.
pub use crate::checker::is_valid_id;

/// The longest wait before escalating to the alternate: one day.
pub const MAX_ESCALATE_MINUTES: u32 = 1440;

/// One problem (or warning) at a line of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// 1-based line in the file: where the row or card starts, or the exact line of a
    /// syntax problem.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What an import found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The valid contacts, in file order, each with the line where its row or card starts.
    pub contacts: Vec<(usize, Contact)>,
    /// Every problem, sorted by line. A row or card with a problem is not in `contacts`.
    pub problems: Vec<RowProblem>,
    /// Things to look at that do not stop a contact being imported (an unsecure channel,
    /// an approved channel without its number, a column or property that was ignored),
    /// sorted by line.
    pub warnings: Vec<RowProblem>,
}

impl Parsed {
    /// The contacts without their lines.
    pub fn into_contacts(self) -> Vec<Contact> {
        self.contacts.into_iter().map(|(_, c)| c).collect()
    }
}

/// Checks rows of contacts read from a file; `incident_types` are the playbook ids that a
/// contact's `incident_types` may name. Problems name the CSV columns.
pub fn check_all(rows: Vec<(usize, Contact)>, incident_types: &[&str]) -> Parsed {
    let rows = rows.into_iter().map(|(line, contact)| Row::new(line, contact)).collect();
    check_rows(rows, Vec::new(), incident_types, Field::column)
}

/// The fields of a contact, to name them in messages in each format's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Name,
    Kind,
    Role,
    Position,
    Department,
    Organisation,
    WorkPhone,
    MobilePhone,
    Pager,
    RadioChannel,
    SecureMessaging,
    Email,
    SupportLine,
    ContractRef,
    PolicyNumber,
    ClaimLine,
    Channels,
    Notes,
    CalledBy,
    Alternate,
    EscalateAfterMinutes,
    IncidentTypes,
}

impl Field {
    /// Every field, in the order of the CSV columns.
    pub(crate) const ALL: [Field; 23] = [
        Field::Id,
        Field::Name,
        Field::Kind,
        Field::Role,
        Field::Position,
        Field::Department,
        Field::Organisation,
        Field::WorkPhone,
        Field::MobilePhone,
        Field::Pager,
        Field::RadioChannel,
        Field::SecureMessaging,
        Field::Email,
        Field::SupportLine,
        Field::ContractRef,
        Field::PolicyNumber,
        Field::ClaimLine,
        Field::Channels,
        Field::Notes,
        Field::CalledBy,
        Field::Alternate,
        Field::EscalateAfterMinutes,
        Field::IncidentTypes,
    ];

    /// The CSV column name.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Kind => "kind",
            Field::Role => "role",
            Field::Position => "position",
            Field::Department => "department",
            Field::Organisation => "organisation",
            Field::WorkPhone => "work_phone",
            Field::MobilePhone => "mobile_phone",
            Field::Pager => "pager",
            Field::RadioChannel => "radio_channel",
            Field::SecureMessaging => "secure_messaging",
            Field::Email => "email",
            Field::SupportLine => "support_line",
            Field::ContractRef => "contract_ref",
            Field::PolicyNumber => "policy_number",
            Field::ClaimLine => "claim_line",
            Field::Channels => "channels",
            Field::Notes => "notes",
            Field::CalledBy => "called_by",
            Field::Alternate => "alternate",
            Field::EscalateAfterMinutes => "escalate_after_minutes",
            Field::IncidentTypes => "incident_types",
        }
    }
}

/// Names a field in messages.
pub(crate) type Label = fn(Field) -> &'static str;

/// One row or card on its way in: the contact as read, and what reading it found.
#[derive(Debug)]
pub(crate) struct Row {
    pub line: usize,
    pub contact: Contact,
    /// Problems found while reading (a bad `kind`, a number that is not one, ...).
    pub problems: Vec<String>,
    /// Problems found while reading at a line of their own (text that is not UTF-8 on the
    /// second line of a card): they too leave the row out.
    pub located: Vec<RowProblem>,
    pub warnings: Vec<String>,
}

impl Row {
    pub(crate) fn new(line: usize, contact: Contact) -> Self {
        Row { line, contact, problems: Vec::new(), located: Vec::new(), warnings: Vec::new() }
    }

    fn is_bad(&self) -> bool {
        !self.problems.is_empty() || !self.located.is_empty()
    }
}

/// An empty contact, for readers to fill in.
pub(crate) fn blank_contact() -> Contact {
    Contact {
        id: String::new(),
        name: String::new(),
        kind: ContactKind::Internal,
        role: None,
        position: None,
        department: None,
        organisation: None,
        work_phone: None,
        mobile_phone: None,
        pager: None,
        radio_channel: None,
        secure_messaging: None,
        email: None,
        support_line: None,
        contract_ref: None,
        policy_number: None,
        claim_line: None,
        channels: Vec::new(),
        notes: None,
        called_by: None,
        alternate: None,
        escalate_after_minutes: DEFAULT_ESCALATE_MINUTES,
        incident_types: Vec::new(),
    }
}

/// Reads a kind: blank is `internal`.
pub(crate) fn read_kind(text: &str, label: &str, problems: &mut Vec<String>) -> ContactKind {
    if text.trim().is_empty() {
        return ContactKind::Internal;
    }
    ContactKind::from_id(text).unwrap_or_else(|| {
        problems.push(format!("{label} must be internal or external"));
        ContactKind::Internal
    })
}

/// Reads the minutes before escalation: blank is the default; `15`, `15 minutes` and
/// `1 hour` are read. The range is checked later.
pub(crate) fn read_minutes(text: &str, label: &str, problems: &mut Vec<String>) -> u32 {
    let text = text.trim();
    if text.is_empty() {
        return DEFAULT_ESCALATE_MINUTES;
    }
    let minutes = text
        .parse::<u64>()
        .ok()
        .or_else(|| parse_duration(&text.to_lowercase()))
        .map(|m| u32::try_from(m).unwrap_or(u32::MAX));
    minutes.unwrap_or_else(|| {
        problems.push(format!(
            "{label} must be a whole number of minutes from 1 to {MAX_ESCALATE_MINUTES}"
        ));
        DEFAULT_ESCALATE_MINUTES
    })
}

/// Splits a list field: items separated by `;` (or `,`), blank items dropped.
pub(crate) fn read_list(text: &str) -> Vec<String> {
    text.split([';', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Reads an optional text: blank is `None`.
pub(crate) fn read_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The form of an id made by a person: `IT Service Desk` is `it-service-desk`.
pub(crate) fn id_form(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| if c == ' ' || c == '_' { '-' } else { c.to_ascii_lowercase() })
        .collect()
}

/// The key that says two rows are the same person: the name, lower-case, with its
/// spaces collapsed.
fn person_key(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Checks rows (see the module's documentation). `file_problems` are what the reader found
/// outside any row it could read (a bad header, a row with the wrong number of fields);
/// they are merged, by line, into the result.
pub(crate) fn check_rows(
    mut rows: Vec<Row>,
    file_problems: Vec<RowProblem>,
    incident_types: &[&str],
    label: Label,
) -> Parsed {
    for row in &mut rows {
        tidy(&mut row.contact, label, &mut row.warnings);
        check_fields(&mut row.contact, incident_types, label, &mut row.problems, &mut row.warnings);
    }

    // The same person twice: the later row is the problem.
    let first_lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
    let mut people: HashMap<String, usize> = HashMap::new();
    let mut repeated_person = vec![false; rows.len()];
    for (i, row) in rows.iter_mut().enumerate() {
        if row.contact.name.is_empty() {
            continue;
        }
        let key = person_key(&row.contact.name);
        if let Some(&first) = people.get(&key) {
            let line = first_lines.get(first).copied().unwrap_or_default();
            row.problems.push(format!("duplicate person: same name as line {line}"));
            if let Some(flag) = repeated_person.get_mut(i) {
                *flag = true;
            }
        } else {
            people.insert(key, i);
        }
    }

    // Ids: those the file gives (a repeated one is a problem on the later row), then
    // those made from names, which avoid every id already taken unless the row repeats a
    // person (it is left out anyway).
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if row.contact.id.is_empty() {
            continue;
        }
        match ids.get(&row.contact.id) {
            Some(&first) => {
                let line = first_lines.get(first).copied().unwrap_or_default();
                row.problems.push(format!("{} is already used by line {line}", label(Field::Id)));
            }
            None => {
                ids.insert(row.contact.id.clone(), i);
            }
        }
    }
    for (i, row) in rows.iter_mut().enumerate() {
        if !row.contact.id.is_empty() {
            continue;
        }
        let base = match slug(&row.contact.name) {
            s if s.is_empty() => format!("contact-{}", row.line),
            s => s,
        };
        let repeated = repeated_person.get(i).copied().unwrap_or(false);
        let mut id = base.clone();
        let mut n = 2;
        while !repeated && ids.contains_key(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.entry(id.clone()).or_insert(i);
        row.contact.id = id;
    }

    // Who calls whom: by id, else by name; never itself.
    let mut caller: Vec<Option<usize>> = vec![None; rows.len()];
    let mut alternate: Vec<Option<usize>> = vec![None; rows.len()];
    let target_ids: Vec<String> = rows.iter().map(|r| r.contact.id.clone()).collect();
    for (i, row) in rows.iter_mut().enumerate() {
        for (field, reference, resolved) in [
            (Field::CalledBy, &mut row.contact.called_by, &mut caller),
            (Field::Alternate, &mut row.contact.alternate, &mut alternate),
        ] {
            let Some(text) = reference.as_deref() else { continue };
            let found = ids.get(text).copied().or_else(|| people.get(&person_key(text)).copied());
            match found {
                Some(j) if j == i => {
                    row.problems.push(format!("{} names this contact itself", label(field)));
                }
                Some(j) => {
                    if let Some(slot) = resolved.get_mut(i) {
                        *slot = Some(j);
                    }
                    if let Some(id) = target_ids.get(j) {
                        *reference = Some(id.clone());
                    }
                }
                None => {
                    row.problems.push(format!("{} names no contact in this file", label(field)));
                }
            }
        }
    }

    // No loop in who calls whom.
    for (i, cycle) in called_by_loops(&caller) {
        let lines: Vec<String> =
            cycle.iter().filter_map(|&j| first_lines.get(j)).map(ToString::to_string).collect();
        if let Some(row) = rows.get_mut(i) {
            row.problems.push(format!(
                "{} goes round in a loop: lines {}",
                label(Field::CalledBy),
                lines.join(" → ")
            ));
        }
    }

    // A row that refers to a row left out is left out too, until nothing changes.
    let mut bad: Vec<bool> = rows.iter().map(Row::is_bad).collect();
    loop {
        let mut changed = false;
        for i in 0..rows.len() {
            if bad.get(i).copied().unwrap_or(true) {
                continue;
            }
            for (field, target) in [
                (Field::CalledBy, caller.get(i).copied().flatten()),
                (Field::Alternate, alternate.get(i).copied().flatten()),
            ] {
                let Some(j) = target else { continue };
                if bad.get(j).copied().unwrap_or(false) {
                    let line = first_lines.get(j).copied().unwrap_or_default();
                    if let Some(row) = rows.get_mut(i) {
                        row.problems.push(format!(
                            "{} refers to the contact on line {line}, which has a problem",
                            label(field)
                        ));
                    }
                    if let Some(flag) = bad.get_mut(i) {
                        *flag = true;
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }

    let mut parsed = Parsed { contacts: Vec::new(), problems: file_problems, warnings: Vec::new() };
    for row in rows {
        let line = row.line;
        parsed
            .warnings
            .extend(row.warnings.into_iter().map(|message| RowProblem { line, message }));
        if row.problems.is_empty() && row.located.is_empty() {
            parsed.contacts.push((line, row.contact));
        } else {
            parsed.problems.extend(row.located);
            parsed
                .problems
                .extend(row.problems.into_iter().map(|message| RowProblem { line, message }));
        }
    }
    parsed.problems.sort_by_key(|p| p.line);
    parsed.warnings.sort_by_key(|p| p.line);
    parsed
}

/// The rows in a loop of `called_by`, each with the loop as seen from it (ending where it
/// starts).
fn called_by_loops(caller: &[Option<usize>]) -> Vec<(usize, Vec<usize>)> {
    // 0: not seen, 1: on the current path, 2: done.
    let mut state = vec![0u8; caller.len()];
    let mut found = Vec::new();
    for start in 0..caller.len() {
        if state.get(start).copied() != Some(0) {
            continue;
        }
        let mut path = Vec::new();
        let mut at = start;
        loop {
            if let Some(s) = state.get_mut(at) {
                *s = 1;
            }
            path.push(at);
            let Some(next) = caller.get(at).copied().flatten() else { break };
            match state.get(next).copied() {
                Some(0) => at = next,
                Some(1) => {
                    let from = path.iter().position(|&p| p == next).unwrap_or(0);
                    let cycle = path.get(from..).unwrap_or_default().to_vec();
                    for (k, &member) in cycle.iter().enumerate() {
                        let mut seen: Vec<usize> =
                            cycle.iter().cycle().skip(k).take(cycle.len()).copied().collect();
                        seen.push(member);
                        found.push((member, seen));
                    }
                    break;
                }
                _ => break,
            }
        }
        for p in path {
            if let Some(s) = state.get_mut(p) {
                *s = 2;
            }
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
