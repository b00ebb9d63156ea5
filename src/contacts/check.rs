//! Checks of an imported contact tree, row by row and as a whole.
//!
//! [`check_all`] takes the rows a file gave (each with the line where its row or card
//! starts) and returns [`Parsed`]: the contacts that are valid among themselves, and every
//! problem of every row, sorted by line (past the first hundred, counted). A row with any
//! problem is left out, and so is every row whose `called_by` or `alternate` refers to a
//! row left out, until nothing changes: what remains can be stored as it is.
//!
//! Every check is linear in the rows, whatever their shape (a `called_by` chain or loop
//! through the whole file included): ids, names and references are looked up in maps, the
//! loops found in one walk, and the rows left out behind a bad one found in one pass. A
//! field longer than its limit (`crate::limits`) is a problem before any other check.
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

use serde::Serialize;

use self::row::{check_fields, check_lengths, tidy};
use super::{Contact, ContactKind, DEFAULT_ESCALATE_MINUTES};
use crate::limits::PROBLEMS_LISTED;
use crate::playbook::format::parse_duration;

pub use self::row::{is_email, is_phone, slug};
/// Whether `id` is a valid contact id: the playbooks' rule for ids.
pub use crate::checker::is_valid_id;

/// The longest wait before escalating to the alternate: one day.
pub const MAX_ESCALATE_MINUTES: u32 = 1440;

pub use crate::csv_table::RowProblem;

/// What an import found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The valid contacts, in file order, each with the line where its row or card starts.
    pub contacts: Vec<(usize, Contact)>,
    /// Every problem, sorted by line. A row or card with a problem is not in `contacts`.
    /// Once the rows checked hold [`PROBLEMS_LISTED`] problems, the problems of the rows
    /// after them are only counted, in `more_problems`: the first problems by line are all
    /// here, and memory stays bounded whatever the file.
    pub problems: Vec<RowProblem>,
    /// Things to look at that do not stop a contact being imported (an unsecure channel,
    /// an approved channel without its number, a column or property that was ignored),
    /// sorted by line; counted past the first ones as problems are, in `more_warnings`.
    pub warnings: Vec<RowProblem>,
    /// Problems counted and not kept (see `problems`).
    pub more_problems: usize,
    /// Warnings counted and not kept.
    pub more_warnings: usize,
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
    NoticeWithin,
}

impl Field {
    /// Every field, in the order of the CSV columns.
    pub(crate) const ALL: [Field; 24] = [
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
        Field::NoticeWithin,
    ];

    /// The CSV column name.
    pub(crate) fn column(self) -> &'static str {
        <Self as crate::csv_table::Columns>::column(self)
    }
}

impl crate::csv_table::Columns for Field {
    const ALL: &'static [Field] = &Field::ALL;
    const REQUIRED: &'static [&'static str] = super::csv::REQUIRED_COLUMNS;
    const FILE: &'static str = "contacts file";
    const FILE_WITH_ARTICLE: &'static str = "a contacts file";
    const MAX_ROWS: usize = crate::limits::MAX_CONTACTS;

    fn alias(name: &str) -> Option<&'static str> {
        (name == "organization").then_some("organisation")
    }

    fn column(self) -> &'static str {
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
            Field::NoticeWithin => "notice_within",
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
    /// Problems and warnings only counted (see [`Parsed::problems`]): then `problems`,
    /// `located` and `warnings` stay empty.
    unlisted: Option<Unlisted>,
}

/// What a row's problems and warnings came to, when they are only counted.
#[derive(Debug, Default)]
struct Unlisted {
    problems: usize,
    warnings: usize,
    /// Whether its own problems are counted (else they are listed, and only its warnings
    /// are counted).
    counts_problems: bool,
}

impl Row {
    pub(crate) fn new(line: usize, contact: Contact) -> Self {
        Row {
            line,
            contact,
            problems: Vec::new(),
            located: Vec::new(),
            warnings: Vec::new(),
            unlisted: None,
        }
    }

    fn is_bad(&self) -> bool {
        !self.problems.is_empty()
            || !self.located.is_empty()
            || self.unlisted.as_ref().is_some_and(|u| u.problems > 0)
    }

    /// Adds a problem: listed, or counted when the row's problems are.
    fn problem(&mut self, message: String) {
        match &mut self.unlisted {
            Some(u) if u.counts_problems => u.problems += 1,
            _ => self.problems.push(message),
        }
    }

    /// After the row's own checks: counts (and drops) its problems, and then its
    /// warnings, once `listed` of them (from the rows before) reach [`PROBLEMS_LISTED`].
    fn list_or_count(&mut self, listed: &mut (usize, usize)) {
        let (problems, warnings) = listed;
        let mut unlisted = Unlisted::default();
        if *problems >= PROBLEMS_LISTED {
            unlisted.problems = self.problems.len() + self.located.len();
            unlisted.counts_problems = true;
            self.problems = Vec::new();
            self.located = Vec::new();
        } else {
            *problems += self.problems.len() + self.located.len();
        }
        if *warnings >= PROBLEMS_LISTED {
            unlisted.warnings = self.warnings.len();
            self.warnings = Vec::new();
        } else {
            *warnings += self.warnings.len();
        }
        if unlisted.counts_problems || unlisted.warnings > 0 {
            self.unlisted = Some(unlisted);
        }
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
        notice_within: None,
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
    // Rows come in file order, so once the rows checked hold the first problems to list,
    // the later rows' are only counted.
    let mut listed = (0, 0);
    for row in &mut rows {
        check_lengths(&mut row.contact, label, &mut row.problems);
        tidy(&mut row.contact, label, &mut row.warnings);
        check_fields(&mut row.contact, incident_types, label, &mut row.problems, &mut row.warnings);
        row.list_or_count(&mut listed);
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
            row.problem(format!("duplicate person: same name as line {line}"));
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
                row.problem(format!("{} is already used by line {line}", label(Field::Id)));
            }
            None => {
                ids.insert(row.contact.id.clone(), i);
            }
        }
    }
    // The next number to try after each base (`-2` first): every id tried before is
    // still taken, so each base's numbers are tried once in all.
    let mut next_number: HashMap<String, usize> = HashMap::new();
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
        if !repeated && ids.contains_key(&id) {
            let n = next_number.entry(base.clone()).or_insert(2);
            loop {
                id = format!("{base}-{n}");
                *n += 1;
                if !ids.contains_key(&id) {
                    break;
                }
            }
        }
        ids.entry(id.clone()).or_insert(i);
        row.contact.id = id;
    }

    // Who calls whom: by id, else by name; never itself.
    let mut caller: Vec<Option<usize>> = vec![None; rows.len()];
    let mut alternate: Vec<Option<usize>> = vec![None; rows.len()];
    let target_ids: Vec<String> = rows.iter().map(|r| r.contact.id.clone()).collect();
    for (i, row) in rows.iter_mut().enumerate() {
        let mut problems = Vec::new();
        for (field, reference, resolved) in [
            (Field::CalledBy, &mut row.contact.called_by, &mut caller),
            (Field::Alternate, &mut row.contact.alternate, &mut alternate),
        ] {
            let Some(text) = reference.as_deref() else { continue };
            let found = ids.get(text).copied().or_else(|| people.get(&person_key(text)).copied());
            match found {
                Some(j) if j == i => {
                    problems.push(format!("{} names this contact itself", label(field)));
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
                    problems.push(format!("{} names no contact in this file", label(field)));
                }
            }
        }
        problems.into_iter().for_each(|p| row.problem(p));
    }

    // No loop in who calls whom.
    for cycle in called_by_loops(&caller) {
        for (k, &member) in cycle.iter().enumerate() {
            let message = loop_message(&cycle, k, &first_lines, label);
            if let Some(row) = rows.get_mut(member) {
                row.problem(message);
            }
        }
    }

    // A row that refers to a row left out is left out too, until nothing changes.
    let bad: Vec<bool> = rows.iter().map(Row::is_bad).collect();
    for (i, field, j) in left_out_with(&bad, &caller, &alternate) {
        let line = first_lines.get(j).copied().unwrap_or_default();
        if let Some(row) = rows.get_mut(i) {
            row.problem(format!(
                "{} refers to the contact on line {line}, which has a problem",
                label(field)
            ));
        }
    }

    let mut parsed = Parsed { problems: file_problems, ..Parsed::default() };
    for row in rows {
        let bad = row.is_bad();
        let line = row.line;
        parsed
            .warnings
            .extend(row.warnings.into_iter().map(|message| RowProblem { line, message }));
        if let Some(unlisted) = row.unlisted {
            parsed.more_problems += unlisted.problems;
            parsed.more_warnings += unlisted.warnings;
        }
        if !bad {
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

/// The most lines a loop's message lists: a longer loop is named by its length and its
/// first lines, so that the messages of a loop of n rows take n lines, not n².
const LOOP_LINES_SHOWN: usize = 10;

/// The message of the `k`th row of a loop: the loop as seen from it (ending where it
/// starts), or, when it is longer than [`LOOP_LINES_SHOWN`], its length and first lines.
fn loop_message(cycle: &[usize], k: usize, first_lines: &[usize], label: Label) -> String {
    let len = cycle.len();
    let line = |step: usize| {
        let row = cycle.get((k + step) % len.max(1)).copied().unwrap_or_default();
        first_lines.get(row).copied().unwrap_or_default().to_string()
    };
    let field = label(Field::CalledBy);
    if len <= LOOP_LINES_SHOWN {
        let lines: Vec<String> = (0..=len).map(line).collect();
        format!("{field} goes round in a loop: lines {}", lines.join(" → "))
    } else {
        let lines: Vec<String> = (0..LOOP_LINES_SHOWN).map(line).collect();
        format!(
            "{field} goes round in a loop of {} rows: lines {} → …",
            crate::words::count(len),
            lines.join(" → ")
        )
    }
}

/// The loops of `called_by`, each as its rows in calling order, starting from the row
/// first in the file. Each row is in one loop at most (a row has one caller).
fn called_by_loops(caller: &[Option<usize>]) -> Vec<Vec<usize>> {
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
                    found.push(path.get(from..).unwrap_or_default().to_vec());
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
    found
}

/// The rows left out for referring to a row left out, each with the reference that did
/// it: `(row, field, the row it refers to)`, by row, `called_by` before `alternate`.
///
/// What this gives is what reading the rows in file order again and again does, until a
/// round leaves no more out: a row is left out in the first round in which one of its
/// references is already left out (a row read earlier in the same round counts), and is
/// reported for every reference left out by then. Reading again and again takes a round
/// per link of a chain (n² for a chain of n rows); here each row's round is found as a
/// shortest path instead (0-1 breadth-first search: a reference to a row earlier in the
/// file and left out in a later round than the first costs no round, any other one
/// round), so the work is linear.
fn left_out_with(
    bad: &[bool],
    caller: &[Option<usize>],
    alternate: &[Option<usize>],
) -> Vec<(usize, Field, usize)> {
    let n = bad.len();
    let refs = |i: usize| {
        [
            (Field::CalledBy, caller.get(i).copied().flatten()),
            (Field::Alternate, alternate.get(i).copied().flatten()),
        ]
    };
    // Who refers to each row.
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for (_, target) in refs(i) {
            if let Some(list) = target.and_then(|j| referrers.get_mut(j)) {
                list.push(i);
            }
        }
    }
    // The round in which row i would be left out by a reference to row j, left out in
    // round `round_j` (0: bad on its own, before the first round).
    let via = |j: usize, round_j: usize, i: usize| match round_j {
        0 => 1,
        r if j < i => r,
        r => r + 1,
    };
    let mut round: Vec<Option<usize>> = bad.iter().map(|&b| b.then_some(0)).collect();
    let mut queue: std::collections::VecDeque<usize> =
        (0..n).filter(|&i| bad.get(i).copied().unwrap_or(false)).collect();
    while let Some(j) = queue.pop_front() {
        let Some(round_j) = round.get(j).copied().flatten() else { continue };
        for &i in referrers.get(j).map(Vec::as_slice).unwrap_or_default() {
            if bad.get(i).copied().unwrap_or(true) {
                continue;
            }
            let r = via(j, round_j, i);
            let Some(slot) = round.get_mut(i) else { continue };
            if slot.is_none_or(|now| r < now) {
                *slot = Some(r);
                if r == round_j {
                    queue.push_front(i);
                } else {
                    queue.push_back(i);
                }
            }
        }
    }
    let mut out = Vec::new();
    for i in (0..n).filter(|&i| !bad.get(i).copied().unwrap_or(true)) {
        let Some(round_i) = round.get(i).copied().flatten() else { continue };
        for (field, target) in refs(i) {
            let Some(j) = target else { continue };
            if round.get(j).copied().flatten().is_some_and(|round_j| via(j, round_j, i) == round_i)
            {
                out.push((i, field, j));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
