//! The contact tree as vCard 4.0 (RFC 6350): one card a contact (the mapping is in
//! `docs/contacts.md`).
//!
//! # The crate
//!
//! Cards are read and written with the `vcard` crate (magiclen, 0.6: vCard 4.0 with
//! RFC 9554), not `vcard4` (tmpfs). Both were tried on the same 3,000 random values with
//! commas, semicolons, backslashes, quotes, line breaks, tabs and non-ASCII letters, written
//! then read back: `vcard` gave every value back; `vcard4` changed about one in four, because
//! it folds long lines in the middle of an escape (`\` at the end of one line, `,` at the
//! start of the next) and its reader does not undo that. `vcard` also says on which line a
//! card fails, keeps unknown `X-` properties with their raw text, and folds at 75 octets.
//! What it costs: it reads only version 4.0, and brings more crates (phone and e-mail
//! validators, time zones, URLs).
//!
//! # Reading
//!
//! The file is split into cards here, after unfolding, by its `BEGIN:VCARD` and
//! `END:VCARD` lines, so a card that is cut off, in another version or not UTF-8 is a
//! problem at its `BEGIN:VCARD` line and the other cards are still read. Each card goes to
//! the crate with only the properties that are imported (others, such as a phone's PHOTO
//! or ADR, are dropped first, so they cannot stop a card); a card in version 3.0 (what
//! most phones export) is read as 4.0, which reads the properties imported the same way,
//! and bare parameters (`TEL;CELL:`, which old phones write) are read as `TYPE=`.
//! Version 2.1 is refused. A syntax problem the crate finds is reported at its own line;
//! everything else at the card's `BEGIN:VCARD` line, in the card's property names
//! (`TEL;TYPE=work is not a phone number ...`).
//!
//! A card from another tool (a phone's FN and TEL) imports as an internal contact with an
//! id made from its name and the default escalation.

use std::borrow::Cow;
use std::str::FromStr;

use ::vcard::values::{EmailValue, KindValue, OrgValue, TelValue, Token};
use ::vcard::{
    Email, ExtensionProperty, Kind, Note, Org, ParseErrorKind, Role, Tel, Title, TypeValue, VCard,
};

use super::check::{
    self, Field, Parsed, Row, RowProblem, blank_contact, id_form, read_kind, read_list,
    read_minutes, read_text,
};
use super::{Contact, ContactKind};
use crate::limits::{MAX_CONTACTS, PROBLEMS_LISTED, quoted, too_many_rows};
use crate::playbook::format::STANDARD_CONTACT_ROLES;
use crate::{Error, Result};

/// The prefix of this app's own properties.
pub const PREFIX: &str = "X-CAREGIVER-";

/// The standard properties that are read; every other one but `X-CAREGIVER-*` is ignored.
const IMPORTED: &[&str] = &["FN", "N", "ORG", "TITLE", "ROLE", "TEL", "EMAIL", "NOTE"];

/// How a field is named in problems about a card.
fn label(field: Field) -> &'static str {
    match field {
        Field::Id => "X-CAREGIVER-ID",
        Field::Name => "FN",
        Field::Kind => "X-CAREGIVER-KIND",
        Field::Role => "X-CAREGIVER-CONTACT-ROLE",
        Field::Position => "TITLE",
        Field::Department => "X-CAREGIVER-DEPARTMENT",
        Field::Organisation => "ORG",
        Field::WorkPhone => "TEL;TYPE=work",
        Field::MobilePhone => "TEL;TYPE=cell",
        Field::Pager => "TEL;TYPE=pager",
        Field::RadioChannel => "X-CAREGIVER-RADIO",
        Field::SecureMessaging => "X-CAREGIVER-SECURE-MESSAGING",
        Field::Email => "EMAIL",
        Field::SupportLine => "X-CAREGIVER-SUPPORT-LINE",
        Field::ContractRef => "X-CAREGIVER-CONTRACT-REF",
        Field::PolicyNumber => "X-CAREGIVER-POLICY-NUMBER",
        Field::ClaimLine => "X-CAREGIVER-CLAIM-LINE",
        Field::Channels => "X-CAREGIVER-CHANNELS",
        Field::Notes => "NOTE",
        Field::CalledBy => "X-CAREGIVER-CALLED-BY",
        Field::Alternate => "X-CAREGIVER-ALTERNATE",
        Field::EscalateAfterMinutes => "X-CAREGIVER-ESCALATE-AFTER",
        Field::IncidentTypes => "X-CAREGIVER-INCIDENT-TYPES",
        Field::NoticeWithin => "X-CAREGIVER-NOTICE-WITHIN",
    }
}

/// The fields kept in `X-CAREGIVER-*` properties, by the name after the prefix.
const EXTENSIONS: &[(&str, Field)] = &[
    ("ID", Field::Id),
    ("KIND", Field::Kind),
    ("CONTACT-ROLE", Field::Role),
    ("DEPARTMENT", Field::Department),
    ("RADIO", Field::RadioChannel),
    ("SECURE-MESSAGING", Field::SecureMessaging),
    ("SUPPORT-LINE", Field::SupportLine),
    ("CONTRACT-REF", Field::ContractRef),
    ("POLICY-NUMBER", Field::PolicyNumber),
    ("CLAIM-LINE", Field::ClaimLine),
    ("CHANNELS", Field::Channels),
    ("CALLED-BY", Field::CalledBy),
    ("ALTERNATE", Field::Alternate),
    ("ESCALATE-AFTER", Field::EscalateAfterMinutes),
    ("INCIDENT-TYPES", Field::IncidentTypes),
    ("NOTICE-WITHIN", Field::NoticeWithin),
];

/// Writes contacts as vCard 4.0, one card each, in order.
pub fn write(contacts: &[Contact]) -> Result<String> {
    let mut out = String::new();
    for (i, c) in contacts.iter().enumerate() {
        let refused = |reason: String| Error::Invalid {
            what: "vCard export",
            reason: format!("contact {} of {}: {reason}", i + 1, contacts.len()),
        };
        let card = to_card(c).map_err(refused)?;
        card.validate().map_err(|e| refused(e.to_string()))?;
        out.push_str(&card.to_string());
    }
    Ok(out)
}

/// One contact as a card.
fn to_card(c: &Contact) -> std::result::Result<VCard, String> {
    let mut card = VCard::new(c.name.clone());
    if c.organisation.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&c.name)) {
        card.kinds.push(Kind::new(KindValue::Org));
    }
    if let Some(position) = &c.position {
        card.titles.push(Title::new(position.clone()));
    }
    if let Some(role) = &c.role {
        card.roles.push(Role::new(role.clone()));
    }
    if let Some(organisation) = &c.organisation {
        card.organizations
            .push(Org::new(OrgValue { name: organisation.clone(), units: Vec::new() }));
    }
    for (number, kind) in [
        (&c.work_phone, TypeValue::Work),
        (&c.mobile_phone, TypeValue::Cell),
        (&c.pager, TypeValue::Pager),
    ] {
        if let Some(number) = number {
            let mut tel = Tel::new(TelValue::Text(number.clone()));
            tel.parameters.types.push(kind);
            card.telephones.push(tel);
        }
    }
    if let Some(email) = &c.email {
        let value = EmailValue::from_str(email)
            .map_err(|_| "its email is not an address a vCard can hold".to_owned())?;
        let mut email = Email::new(value);
        email.parameters.types.push(TypeValue::Work);
        card.emails.push(email);
    }
    if let Some(notes) = &c.notes {
        card.notes.push(Note::new(notes.clone()));
    }
    for (name, field) in EXTENSIONS {
        let value = match field {
            Field::Id => Some(c.id.clone()),
            Field::Kind => Some(c.kind.as_str().to_owned()),
            Field::Role => c.role.clone(),
            Field::Department => c.department.clone(),
            Field::RadioChannel => c.radio_channel.clone(),
            Field::SecureMessaging => c.secure_messaging.clone(),
            Field::SupportLine => c.support_line.clone(),
            Field::ContractRef => c.contract_ref.clone(),
            Field::PolicyNumber => c.policy_number.clone(),
            Field::ClaimLine => c.claim_line.clone(),
            Field::NoticeWithin => c.notice_within.clone(),
            Field::Channels => (!c.channels.is_empty()).then(|| c.channels.join(";")),
            Field::CalledBy => c.called_by.clone(),
            Field::Alternate => c.alternate.clone(),
            Field::EscalateAfterMinutes => Some(c.escalate_after_minutes.to_string()),
            Field::IncidentTypes => {
                (!c.incident_types.is_empty()).then(|| c.incident_types.join(";"))
            }
            _ => None,
        };
        if let Some(value) = value {
            let token = Token::from_str(&format!("{PREFIX}{name}"))
                .map_err(|_| "a property name is not a vCard token".to_owned())?;
            card.extensions.push(ExtensionProperty::from_text(token, &value));
        }
    }
    Ok(card)
}

/// Reads a vCard file of contacts (version 4.0 or 3.0) and checks them; `incident_types`
/// are the playbook ids that `X-CAREGIVER-INCIDENT-TYPES` may name. A file with more than
/// [`MAX_CONTACTS`] cards is refused.
///
/// The file is read one line at a time and each card as its `END:VCARD` comes: only a
/// card's imported properties are kept (a card of ten million lines the app ignores takes
/// no memory), and at most [`PROBLEMS_LISTED`] lines that are not UTF-8 are listed per
/// card (the rest are counted).
pub fn parse(bytes: &[u8], incident_types: &[&str]) -> Result<Parsed> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let problem = RowProblem {
            line: 1,
            message: "the file is UTF-16 text: export the contacts as UTF-8".into(),
        };
        return Ok(Parsed { problems: vec![problem], ..Parsed::default() });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut cards = Cards::default();
    // A card without its end runs to the next `BEGIN:VCARD`; text outside any card is a
    // problem.
    let mut current: Option<Card> = None;
    let mut stray = false;
    let mut begun = 0;
    for logical in unfolded(bytes) {
        if is_line(&logical, b"BEGIN:VCARD") {
            if let Some(card) = current.take() {
                cards.read(card, None);
            }
            if begun == MAX_CONTACTS {
                return Err(too_many_rows(super::FILE, logical.line, MAX_CONTACTS, "cards"));
            }
            begun += 1;
            current = Some(Card::new(logical.line));
            stray = false;
        } else if let Some(mut card) = current.take() {
            if is_line(&logical, b"END:VCARD") {
                cards.read(card, Some(logical.line));
            } else {
                card.add(&logical);
                current = Some(card);
            }
        } else if !stray {
            cards.problems.push(RowProblem {
                line: logical.line,
                message: "text outside a card (a card starts with BEGIN:VCARD)".into(),
            });
            stray = true;
        }
    }
    if let Some(card) = current.take() {
        cards.read(card, None);
    }
    let Cards { rows, mut problems, unlisted } = cards;
    if rows.is_empty() && problems.is_empty() {
        problems.push(RowProblem {
            line: 1,
            message: "the file has no cards (each starts with BEGIN:VCARD)".into(),
        });
    }
    let mut parsed = check::check_rows(rows, problems, incident_types, label);
    parsed.more_problems += unlisted;
    Ok(parsed)
}

/// The cards read so far: their rows, the problems of the cards that could not be read,
/// and how many problems were counted but not listed.
#[derive(Debug, Default)]
struct Cards {
    rows: Vec<Row>,
    problems: Vec<RowProblem>,
    unlisted: usize,
}

impl Cards {
    /// Reads one card whose lines are all in: `end` is its `END:VCARD` line (`None`: the
    /// card is cut off).
    fn read(&mut self, card: Card, end: Option<usize>) {
        let (read, unlisted) = card.read(end);
        match read {
            Ok(row) => self.rows.push(row),
            Err(found) => self.problems.extend(found),
        }
        self.unlisted += unlisted;
    }
}

/// An unfolded line and the physical line where it starts.
#[derive(Debug)]
struct Logical<'a> {
    line: usize,
    bytes: Cow<'a, [u8]>,
}

/// Unfolds the physical lines (`\r\n` or `\n`), one at a time: a line that starts with a
/// space or a tab continues the one before. Blank lines are dropped.
fn unfolded(bytes: &[u8]) -> impl Iterator<Item = Logical<'_>> {
    let mut physical = bytes.split(|&b| b == b'\n').enumerate();
    let mut pending: Option<Logical<'_>> = None;
    let mut open = false;
    std::iter::from_fn(move || {
        loop {
            let Some((i, raw)) = physical.next() else { return pending.take() };
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.is_empty() {
                open = false;
                continue;
            }
            match (open, raw.split_first(), pending.as_mut()) {
                (true, Some((b' ' | b'\t', rest)), Some(last)) => {
                    last.bytes.to_mut().extend_from_slice(rest);
                }
                _ => {
                    open = true;
                    let next = Logical { line: i + 1, bytes: Cow::Borrowed(raw) };
                    if let Some(done) = pending.replace(next) {
                        return Some(done);
                    }
                }
            }
        }
    })
}

fn is_line(logical: &Logical<'_>, text: &[u8]) -> bool {
    logical.bytes.trim_ascii().eq_ignore_ascii_case(text)
}

/// A property's name, upper-case, without its group (`item1.TEL;TYPE=cell:...` is `TEL`).
fn property_name(line: &str) -> String {
    let name = line.split([';', ':']).next().unwrap_or_default();
    name.rsplit('.').next().unwrap_or_default().trim().to_ascii_uppercase()
}

/// Writes the bare parameters of vCard 2.1 (`TEL;CELL:...`), which some phones still put in
/// 3.0 cards, as `TYPE=` parameters (`TEL;TYPE=CELL:...`).
fn bare_parameters_as_types(line: &str) -> Cow<'_, str> {
    let Some((head, value)) = line.split_once(':') else { return Cow::Borrowed(line) };
    if head.contains('"') || !head.contains(';') {
        return Cow::Borrowed(line);
    }
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default();
    let parameters: Vec<String> = parts
        .map(|p| if p.contains('=') || p.is_empty() { p.to_owned() } else { format!("TYPE={p}") })
        .collect();
    Cow::Owned(format!("{name};{}:{value}", parameters.join(";")))
}

/// One card as it is read: its `BEGIN:VCARD` line, the text the crate will read (the
/// imported properties only) with the line of each, its version, and the lines that are
/// not UTF-8.
#[derive(Debug)]
struct Card {
    begin: usize,
    text: String,
    lines: Vec<usize>,
    located: Vec<RowProblem>,
    /// Lines not UTF-8 past the first [`PROBLEMS_LISTED`] of the card: counted only.
    unlisted: usize,
    version: Option<String>,
}

impl Card {
    fn new(begin: usize) -> Self {
        Card {
            begin,
            text: String::from("BEGIN:VCARD\r\nVERSION:4.0\r\n"),
            lines: vec![begin, begin],
            located: Vec::new(),
            unlisted: 0,
            version: None,
        }
    }

    /// Takes the card's next line.
    fn add(&mut self, logical: &Logical<'_>) {
        let line = String::from_utf8_lossy(&logical.bytes);
        if std::str::from_utf8(&logical.bytes).is_err() {
            if self.located.len() < PROBLEMS_LISTED {
                self.located.push(RowProblem {
                    line: logical.line,
                    message: "the text is not UTF-8: export the contacts as UTF-8".into(),
                });
            } else {
                self.unlisted += 1;
            }
        }
        let name = property_name(&line);
        if name == "VERSION" {
            if self.version.is_none() {
                self.version = Some(
                    line.split_once(':').map(|(_, v)| v.trim().to_owned()).unwrap_or_default(),
                );
                if let Some(slot) = self.lines.get_mut(1) {
                    *slot = logical.line;
                }
            }
        } else if IMPORTED.contains(&name.as_str()) || name.starts_with(PREFIX) {
            self.text.push_str(&bare_parameters_as_types(&line));
            self.text.push_str("\r\n");
            self.lines.push(logical.line);
        }
    }

    /// Reads the card into a row, or the problem that stops it, with how many lines not
    /// UTF-8 were counted and not listed. A card that is cut off (`end` is `None`), or has
    /// text that is not UTF-8, is read all the same (so that its id is known and its other
    /// problems are reported) and left out.
    fn read(self, end: Option<usize>) -> (std::result::Result<Row, Vec<RowProblem>>, usize) {
        let Card { begin, mut text, mut lines, mut located, unlisted, version } = self;
        let at_begin = |message: &str| RowProblem { line: begin, message: message.to_owned() };
        text.push_str("END:VCARD\r\n");
        lines.push(end.unwrap_or(begin));
        let cut_off = end.is_none().then(|| at_begin("the card has no END:VCARD: it is cut off"));
        let refused = |message: &str| (Err(vec![at_begin(message)]), 0);
        match version.as_deref() {
            None => {
                return (
                    Err(vec![cut_off.unwrap_or_else(|| at_begin("the card has no VERSION"))]),
                    0,
                );
            }
            Some("4.0" | "3.0") => {}
            Some("2.1") => {
                return refused(
                    "vCard 2.1 is not supported: export the contacts as vCard 3.0 or 4.0",
                );
            }
            Some(_) => {
                return refused(
                    "this vCard version is not supported: export the contacts as vCard 3.0 or 4.0",
                );
            }
        }
        let parsed: VCard = match text.parse() {
            Ok(parsed) => parsed,
            Err(::vcard::ParseError { line, kind, .. }) => {
                let problem = match (cut_off, kind) {
                    (Some(cut_off), _) => cut_off,
                    (None, ParseErrorKind::MissingFormattedName) => {
                        at_begin("the card has no FN (its name)")
                    }
                    (None, kind) => RowProblem {
                        line: line
                            .checked_sub(1)
                            .and_then(|i| lines.get(i))
                            .copied()
                            .unwrap_or(begin),
                        message: kind.to_string(),
                    },
                };
                located.push(problem);
                return (Err(located), unlisted);
            }
        };
        let mut row = to_row(begin, &parsed);
        row.located = located;
        if let Some(cut_off) = cut_off {
            row.problems.insert(0, cut_off.message);
        }
        (Ok(row), unlisted)
    }
}

/// The text of a TEL: a `tel:` URI as a number (`tel:+1-555-555-0100;ext=12` is
/// `+1-555-555-0100 x12`).
fn tel_text(value: &TelValue) -> String {
    match value {
        TelValue::Text(text) => text.clone(),
        TelValue::Uri(uri) => {
            let uri = uri.as_str();
            let rest = if uri.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("tel:")) {
                uri.get(4..).unwrap_or_default()
            } else {
                uri
            };
            let mut parts = rest.split(';');
            let mut number = parts.next().unwrap_or_default().to_owned();
            for part in parts {
                if let Some(ext) = part.strip_prefix("ext=") {
                    number.push_str(" x");
                    number.push_str(ext);
                }
            }
            number
        }
    }
}

/// A parsed card as a contact.
fn to_row(line: usize, card: &VCard) -> Row {
    let mut c: Contact = blank_contact();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();

    c.name = card
        .formatted_names
        .iter()
        .map(|f| f.value.trim())
        .find(|v| !v.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            card.names.first().map(|n| {
                let v = &n.value;
                [v.given_names.join(" "), v.family_names.join(" ")]
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        })
        .unwrap_or_default();
    c.position = card.titles.first().and_then(|t| read_text(&t.value));
    if let Some(org) = card.organizations.first() {
        c.organisation = read_text(&org.value.name);
        let units: Vec<&str> =
            org.value.units.iter().map(|u| u.trim()).filter(|u| !u.is_empty()).collect();
        c.department = read_text(&units.join(", "));
    }
    for tel in &card.telephones {
        let number = read_text(&tel_text(&tel.value));
        let types = &tel.parameters.types;
        let slots: &mut [&mut Option<String>] = if types.contains(&TypeValue::Pager) {
            &mut [&mut c.pager]
        } else if types.contains(&TypeValue::Cell) {
            &mut [&mut c.mobile_phone]
        } else if types.contains(&TypeValue::Fax) {
            warnings.push("a fax number (TEL;TYPE=fax) was left out".to_owned());
            continue;
        } else if types.contains(&TypeValue::Home) {
            &mut [&mut c.mobile_phone, &mut c.work_phone]
        } else {
            &mut [&mut c.work_phone, &mut c.mobile_phone]
        };
        match slots.iter_mut().find(|s| s.is_none()) {
            Some(slot) => **slot = number,
            None => warnings.push(
                "an extra TEL was left out: one work, one cell and one pager number are kept"
                    .to_owned(),
            ),
        }
    }
    if let Some(email) = card.emails.first() {
        c.email = read_text(email.value.as_str());
    }
    if card.emails.len() > 1 {
        warnings.push("an extra EMAIL was left out: one address is kept".to_owned());
    }
    let notes: Vec<&str> = card.notes.iter().map(|n| n.value.as_str()).collect();
    c.notes = read_text(&notes.join("\n"));

    let mut seen: Vec<Field> = Vec::new();
    for ext in &card.extensions {
        let name = ext.name.as_str().to_ascii_uppercase();
        let Some(key) = name.strip_prefix(PREFIX) else { continue };
        let Some(&(_, field)) = EXTENSIONS.iter().find(|(k, _)| *k == key) else {
            let name = quoted(&name);
            warnings.push(format!("{name} is not a property this app knows: it was ignored"));
            continue;
        };
        if seen.contains(&field) {
            problems.push(format!("{} appears twice", label(field)));
            continue;
        }
        seen.push(field);
        let text = ext.to_text();
        let text = text.as_str();
        match field {
            Field::Id => c.id = text.trim().to_owned(),
            Field::Kind => c.kind = read_kind(text, label(field), &mut problems),
            Field::Role => c.role = read_text(text),
            Field::Department => c.department = read_text(text),
            Field::RadioChannel => c.radio_channel = read_text(text),
            Field::SecureMessaging => c.secure_messaging = read_text(text),
            Field::SupportLine => c.support_line = read_text(text),
            Field::ContractRef => c.contract_ref = read_text(text),
            Field::PolicyNumber => c.policy_number = read_text(text),
            Field::ClaimLine => c.claim_line = read_text(text),
            Field::NoticeWithin => c.notice_within = read_text(text),
            Field::Channels => c.channels = read_list(text),
            Field::CalledBy => c.called_by = read_text(text),
            Field::Alternate => c.alternate = read_text(text),
            Field::EscalateAfterMinutes => {
                c.escalate_after_minutes = read_minutes(text, label(field), &mut problems);
            }
            Field::IncidentTypes => c.incident_types = read_list(text),
            _ => {}
        }
    }
    // ROLE: this app's own cards carry the role in X-CAREGIVER-CONTACT-ROLE too; another
    // tool's ROLE is used only when it is a standard contact role.
    if !seen.contains(&Field::Role)
        && let Some(role) = card.roles.first()
    {
        let id = id_form(&role.value);
        if STANDARD_CONTACT_ROLES.contains(&id.as_str()) {
            c.role = Some(id);
        } else if !id.is_empty() {
            warnings.push("ROLE is not a standard contact role: it was left out".to_owned());
        }
    }
    if !seen.contains(&Field::Kind) {
        c.kind = ContactKind::Internal;
    }
    let mut row = Row::new(line, c);
    row.problems = problems;
    row.warnings = warnings;
    row
}

#[cfg(test)]
#[path = "vcard_tests.rs"]
mod tests;
