//! The contact tree as CSV: one contact a row, a header row naming the columns
//! (documented in `docs/contacts.md`).
//!
//! [`write`] writes every column of [`COLUMNS`] in that order, UTF-8 with a byte order mark
//! and CRLF line ends (what Excel opens correctly), quoting only where needed. A cell that
//! a spreadsheet would take for a formula (starting with `= + - @`, a tab or a carriage
//! return) or that starts with `'` is written with a `'` in front ([`crate::csv_safe`],
//! the guard of every CSV the app writes); [`parse`] takes that `'` off again, so `write`
//! then `parse` gives back the same contacts.
//!
//! [`parse`] reads the header (columns in any order, only `name` required, names in any
//! case with spaces or dashes for underscores, `organization` for `organisation`), then
//! each row, and checks them all with [`check`](super::check). Blank rows, and rows whose
//! cells are all empty (a spreadsheet's trailing rows), are skipped. Columns separated by
//! `;` instead of `,` (a spreadsheet in some languages) are read when the header has a `;`
//! and no `,`.
//!
//! Rows are read as every import reads CSV ([`crate::csv_table`]: the header, cut-off
//! quotes, encodings).
//!
//! A quoted cell over a line break that is not cut off is a cell with line breaks in it
//! (Alt+Enter in Excel): fine in `notes`, a problem of its row in any other column.

use super::Contact;
use super::check::{
    self, Field, Parsed, Row, blank_contact, read_kind, read_list, read_minutes, read_text,
};
use crate::Result;
use crate::csv_table;

/// The columns, in the order [`write`] writes them. List columns (`channels`,
/// `incident_types`) hold ids separated by `;`.
pub const COLUMNS: &[&str] = &[
    "id",
    "name",
    "kind",
    "role",
    "position",
    "department",
    "organisation",
    "work_phone",
    "mobile_phone",
    "pager",
    "radio_channel",
    "secure_messaging",
    "email",
    "support_line",
    "contract_ref",
    "policy_number",
    "claim_line",
    "channels",
    "notes",
    "called_by",
    "alternate",
    "escalate_after_minutes",
    "incident_types",
    "notice_within",
];

/// The columns a file must have.
pub const REQUIRED_COLUMNS: &[&str] = &["name"];

/// The separator of items in a list column.
pub const LIST_SEPARATOR: char = ';';

/// Reads a CSV file of contacts and checks them; `incident_types` are the playbook ids
/// that the `incident_types` column may name. A file with more than
/// [`MAX_CONTACTS`](crate::limits::MAX_CONTACTS) rows is refused: reading stops there.
pub fn parse(bytes: &[u8], incident_types: &[&str]) -> Result<Parsed> {
    let table = match csv_table::read::<Field>(bytes)? {
        Ok(table) => table,
        Err(problems) => return Ok(Parsed { problems, ..Parsed::default() }),
    };
    let rows = table
        .rows
        .into_iter()
        .map(|r| {
            let mut contact = blank_contact();
            let mut problems = Vec::new();
            for (field, text) in &r.values {
                set_field(&mut contact, *field, text, &mut problems);
            }
            let mut row = Row::new(r.line, contact);
            row.problems = problems;
            row.located = r.located;
            row
        })
        .collect();
    Ok(check::check_rows(rows, table.problems, incident_types, Field::column))
}

/// Writes contacts as CSV (see the module's documentation).
pub fn write(contacts: &[Contact]) -> Result<Vec<u8>> {
    csv_table::write::<Field, Contact>(contacts, cell, "contacts CSV")
}

/// A contact's cell for one column.
fn cell(c: &Contact, field: Field) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        Field::Id => c.id.clone(),
        Field::Name => c.name.clone(),
        Field::Kind => c.kind.as_str().to_owned(),
        Field::Role => text(&c.role),
        Field::Position => text(&c.position),
        Field::Department => text(&c.department),
        Field::Organisation => text(&c.organisation),
        Field::WorkPhone => text(&c.work_phone),
        Field::MobilePhone => text(&c.mobile_phone),
        Field::Pager => text(&c.pager),
        Field::RadioChannel => text(&c.radio_channel),
        Field::SecureMessaging => text(&c.secure_messaging),
        Field::Email => text(&c.email),
        Field::SupportLine => text(&c.support_line),
        Field::ContractRef => text(&c.contract_ref),
        Field::PolicyNumber => text(&c.policy_number),
        Field::ClaimLine => text(&c.claim_line),
        Field::NoticeWithin => text(&c.notice_within),
        Field::Channels => c.channels.join(&LIST_SEPARATOR.to_string()),
        Field::Notes => text(&c.notes),
        Field::CalledBy => text(&c.called_by),
        Field::Alternate => text(&c.alternate),
        Field::EscalateAfterMinutes => c.escalate_after_minutes.to_string(),
        Field::IncidentTypes => c.incident_types.join(&LIST_SEPARATOR.to_string()),
    }
}

/// Sets one field of a contact from its cell.
fn set_field(c: &mut Contact, field: Field, text: &str, problems: &mut Vec<String>) {
    let label = field.column();
    match field {
        Field::Id => c.id = text.to_owned(),
        Field::Name => c.name = text.to_owned(),
        Field::Kind => c.kind = read_kind(text, label, problems),
        Field::Role => c.role = read_text(text),
        Field::Position => c.position = read_text(text),
        Field::Department => c.department = read_text(text),
        Field::Organisation => c.organisation = read_text(text),
        Field::WorkPhone => c.work_phone = read_text(text),
        Field::MobilePhone => c.mobile_phone = read_text(text),
        Field::Pager => c.pager = read_text(text),
        Field::RadioChannel => c.radio_channel = read_text(text),
        Field::SecureMessaging => c.secure_messaging = read_text(text),
        Field::Email => c.email = read_text(text),
        Field::SupportLine => c.support_line = read_text(text),
        Field::ContractRef => c.contract_ref = read_text(text),
        Field::PolicyNumber => c.policy_number = read_text(text),
        Field::ClaimLine => c.claim_line = read_text(text),
        Field::NoticeWithin => c.notice_within = read_text(text),
        Field::Channels => c.channels = read_list(text),
        Field::Notes => c.notes = read_text(text),
        Field::CalledBy => c.called_by = read_text(text),
        Field::Alternate => c.alternate = read_text(text),
        Field::EscalateAfterMinutes => {
            c.escalate_after_minutes = read_minutes(text, label, problems);
        }
        Field::IncidentTypes => c.incident_types = read_list(text),
    }
}

#[cfg(test)]
#[path = "csv_tests.rs"]
mod tests;
