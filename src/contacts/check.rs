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

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::{CHANNELS, Contact, ContactKind, DEFAULT_ESCALATE_MINUTES, channel_is_secure};
use crate::playbook::format::{STANDARD_CONTACT_ROLES, parse_duration};

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

/// Whether `id` is a valid contact id: the playbooks' rule for ids.
pub use crate::checker::is_valid_id;

/// The id made from a name: lower-case ASCII letters and digits with dashes between
/// words, common accented Latin letters without their accents (`Zoë Díaz` is `zoe-diaz`),
/// at most 56 characters. Empty when the name has no such letters (`王芳`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    let mut one = [0u8; 4];
    for ch in name.chars().flat_map(char::to_lowercase) {
        let folded = if ch.is_ascii() { &*ch.encode_utf8(&mut one) } else { fold_latin(ch) };
        for b in folded.bytes() {
            if b.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push('-');
                }
                gap = false;
                out.push(char::from(b));
            } else {
                gap = true;
            }
        }
    }
    if out.len() > 56 {
        out.truncate(56);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// A lower-case accented Latin letter without its accent, as ASCII; any other character
/// as a space.
fn fold_latin(ch: char) -> &'static str {
    match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => " ",
    }
}

/// The key that says two rows are the same person: the name, lower-case, with its
/// spaces collapsed.
fn person_key(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Whether `text` is a phone number as a person writes one: digits, spaces and
/// `+ - ( ) .` (a `+` only first), at least 3 digits, then maybe an extension `x123`,
/// `ext 123` or `ext. 123`; 3 to 32 characters in all.
pub fn is_phone(text: &str) -> bool {
    if !(3..=32).contains(&text.chars().count()) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    let (main, extension) = match lower.find(['x', 'e']) {
        Some(at) => lower.split_at(at),
        None => (lower.as_str(), ""),
    };
    let main = main.trim_end();
    let digits = main.bytes().filter(u8::is_ascii_digit).count();
    let main_ok = digits >= 3
        && main.char_indices().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.') || (c == '+' && i == 0)
        });
    let extension_ok = extension.is_empty() || {
        let rest = extension
            .strip_prefix("ext.")
            .or_else(|| extension.strip_prefix("ext"))
            .or_else(|| extension.strip_prefix('x'))
            .map(str::trim_start);
        rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
    };
    main_ok && extension_ok
}

/// Whether `text` has the shape of an email address: `local@domain`, the local part of
/// ASCII letters, digits and `. _ % + - '` (no dot first, last or twice in a row), the
/// domain of two or more labels of ASCII letters, digits and dashes.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    let local_ok = (1..=64).contains(&local.len())
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    local_ok && domain_ok
}

/// The fields that a channel needs one of (`phone`: a work phone, a support line or a
/// claim line), with whether one is there.
fn channel_details(channel: &str, c: &Contact) -> Option<(&'static [Field], bool)> {
    let (fields, present): (&'static [Field], bool) = match channel {
        "phone" => (
            &[Field::WorkPhone, Field::SupportLine, Field::ClaimLine],
            c.work_phone.is_some() || c.support_line.is_some() || c.claim_line.is_some(),
        ),
        "mobile" | "sms" => (&[Field::MobilePhone], c.mobile_phone.is_some()),
        "pager" => (&[Field::Pager], c.pager.is_some()),
        "radio" => (&[Field::RadioChannel], c.radio_channel.is_some()),
        "secure-messaging" => (&[Field::SecureMessaging], c.secure_messaging.is_some()),
        "work-email" | "public-email" => (&[Field::Email], c.email.is_some()),
        _ => return None,
    };
    Some((fields, present))
}

/// Tidies one contact (see the module's documentation).
fn tidy(c: &mut Contact, label: Label, warnings: &mut Vec<String>) {
    c.id = c.id.trim().to_owned();
    c.name = c.name.trim().to_owned();
    if let Some(notes) = &mut c.notes {
        *notes = notes.replace("\r\n", "\n").replace('\r', "\n");
    }
    for (_, value) in optional_texts(c) {
        *value = value.as_deref().and_then(read_text);
    }
    c.role = c.role.as_deref().map(id_form);
    for (field, list) in
        [(Field::Channels, &mut c.channels), (Field::IncidentTypes, &mut c.incident_types)]
    {
        let mut seen = HashSet::new();
        let mut kept = Vec::new();
        for item in list.drain(..) {
            let item = id_form(&item);
            if item.is_empty() {
                continue;
            }
            if seen.insert(item.clone()) {
                kept.push(item);
            } else {
                warnings.push(format!("{} lists `{item}` twice: kept once", label(field)));
            }
        }
        *list = kept;
    }
}

/// The optional text fields, each with its field.
fn optional_texts(c: &mut Contact) -> [(Field, &mut Option<String>); 17] {
    [
        (Field::Role, &mut c.role),
        (Field::Position, &mut c.position),
        (Field::Department, &mut c.department),
        (Field::Organisation, &mut c.organisation),
        (Field::WorkPhone, &mut c.work_phone),
        (Field::MobilePhone, &mut c.mobile_phone),
        (Field::Pager, &mut c.pager),
        (Field::RadioChannel, &mut c.radio_channel),
        (Field::SecureMessaging, &mut c.secure_messaging),
        (Field::Email, &mut c.email),
        (Field::SupportLine, &mut c.support_line),
        (Field::ContractRef, &mut c.contract_ref),
        (Field::PolicyNumber, &mut c.policy_number),
        (Field::ClaimLine, &mut c.claim_line),
        (Field::Notes, &mut c.notes),
        (Field::CalledBy, &mut c.called_by),
        (Field::Alternate, &mut c.alternate),
    ]
}

/// The checks of one contact on its own.
fn check_fields(
    c: &mut Contact,
    incident_types: &[&str],
    label: Label,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    if c.name.is_empty() {
        problems.push(format!("{} is empty", label(Field::Name)));
    }
    if !c.id.is_empty() && !is_valid_id(&c.id) {
        problems.push(format!(
            "{} must be lower-case letters, digits and dashes (at most 64), like `ian-it`",
            label(Field::Id)
        ));
    }
    let name_has_control = c.name.chars().any(char::is_control);
    if name_has_control {
        problems.push(format!("{} has a control character or a line break", label(Field::Name)));
    }
    for (field, value) in optional_texts(c) {
        let Some(value) = value.as_deref() else { continue };
        let bad = if field == Field::Notes {
            value.chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t')
        } else {
            value.chars().any(char::is_control)
        };
        if bad {
            let what = if field == Field::Notes {
                "a control character"
            } else {
                "a control character or a line break"
            };
            problems.push(format!("{} has {what}", label(field)));
        }
    }
    if let Some(role) = &c.role
        && !STANDARD_CONTACT_ROLES.contains(&role.as_str())
    {
        problems.push(format!(
            "{} `{role}` is not a standard contact role (see docs/contacts.md)",
            label(Field::Role)
        ));
    }
    for (field, value) in [
        (Field::WorkPhone, &c.work_phone),
        (Field::MobilePhone, &c.mobile_phone),
        (Field::Pager, &c.pager),
        (Field::SupportLine, &c.support_line),
        (Field::ClaimLine, &c.claim_line),
    ] {
        if let Some(value) = value
            && !is_phone(value)
        {
            problems.push(format!(
                "{} is not a phone number: use digits, spaces and + - ( ) ., an extension as \
                 x123 or ext 123, 3 to 32 characters",
                label(field)
            ));
        }
    }
    if let Some(email) = &c.email
        && !is_email(email)
    {
        problems.push(format!(
            "{} is not an email address like name@hospital.example",
            label(Field::Email)
        ));
    }
    if !(1..=MAX_ESCALATE_MINUTES).contains(&c.escalate_after_minutes) {
        problems.push(format!(
            "{} must be from 1 to {MAX_ESCALATE_MINUTES} minutes",
            label(Field::EscalateAfterMinutes)
        ));
    }
    for channel in &c.channels {
        match channel_is_secure(channel) {
            None => {
                let known: Vec<&str> = CHANNELS.iter().map(|(id, _, _)| *id).collect();
                problems.push(format!(
                    "{} has an unknown channel `{channel}`: use {}",
                    label(Field::Channels),
                    known.join(", ")
                ));
            }
            Some(secure) => {
                if !secure {
                    warnings.push(format!(
                        "channel `{channel}` is not secure: never use it for patient information"
                    ));
                }
                if let Some((fields, false)) = channel_details(channel, c) {
                    let names: Vec<&str> = fields.iter().map(|&f| label(f)).collect();
                    warnings.push(format!(
                        "channel `{channel}` is approved but there is no {}",
                        names.join(" or ")
                    ));
                }
            }
        }
    }
    for incident_type in &c.incident_types {
        if !incident_types.contains(&incident_type.as_str()) {
            problems.push(format!(
                "{} names `{incident_type}`, which is not a playbook id",
                label(Field::IncidentTypes)
            ));
        }
    }
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
mod tests {
    use super::*;

    const TYPES: &[&str] = &["ransomware", "phi-breach"];

    fn person(id: &str, name: &str) -> Contact {
        Contact { id: id.into(), name: name.into(), ..blank_contact() }
    }

    fn lines(problems: &[RowProblem]) -> Vec<usize> {
        problems.iter().map(|p| p.line).collect()
    }

    fn ids(parsed: &Parsed) -> Vec<&str> {
        parsed.contacts.iter().map(|(_, c)| c.id.as_str()).collect()
    }

    #[test]
    fn a_problem_reads_line_then_message() {
        let p = RowProblem { line: 7, message: "name is empty".into() };
        assert_eq!(p.to_string(), "line 7: name is empty");
    }

    #[test]
    fn ids_made_from_names() {
        assert_eq!(slug("Zoë Díaz-Ortega"), "zoe-diaz-ortega");
        assert_eq!(slug("  IT Service Desk (Example Health) "), "it-service-desk-example-health");
        assert_eq!(slug("Łukasz Żółć"), "lukasz-zolc");
        assert_eq!(slug("Straße & Søn"), "strasse-son");
        assert_eq!(slug("王示例"), "");
        assert_eq!(slug(&"a b ".repeat(40)).len(), 55);
        assert!(is_valid_id(&slug(&"Ab-".repeat(40))));
    }

    #[test]
    fn phone_numbers() {
        for good in [
            "555-0100",
            "(555) 555-0101",
            "+1 555 555 0102",
            "+1 (555) 555-0103 x12",
            "555.555.0104 ext 9",
            "555-0105 Ext. 77",
            "555-0106x3",
            "123",
        ] {
            assert!(is_phone(good), "{good}");
        }
        for bad in [
            "12",
            "call me",
            "555-0100 or 555-0101",
            "555+0100",
            "555-0100 x",
            "555-0100 ext twelve",
            "(-) ..",
            "5550100555010055501005550100555010",
            "555\n0100",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn email_addresses() {
        for good in
            ["a@b.example", "o'brien+it@hospital.example", "first.last@sub.hospital.example"]
        {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "a@b",
            "a@@b.example",
            "a b@c.example",
            ".a@b.example",
            "a..b@c.example",
            "a@-b.example",
            "josé@hospital.example",
            "mailto:a@b.example",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    /// Every address `is_email` takes, the vCard crate takes too (else a contact imported
    /// from CSV could not be written as a vCard).
    #[test]
    fn the_vcard_crate_takes_every_email_that_passes() {
        for email in [
            "a@b.example",
            "o'brien+it@hospital.example",
            "x_y%z-w@a-b.c-d.example",
            "1@2.3",
            "first.last@sub.hospital.example",
        ] {
            assert!(is_email(email), "{email}");
            assert!(email.parse::<::vcard::values::EmailValue>().is_ok(), "{email}");
        }
    }

    #[test]
    fn a_tidy_contact_passes_and_is_given_back_tidy() {
        let mut c = person("", "  Alex   Example ");
        c.role = Some(" IT Service_Desk ".into());
        c.position = Some("   ".into());
        c.notes = Some("one\r\ntwo\rthree \n".into());
        c.channels = vec![" Phone ".into(), "".into(), "phone".into(), "work_email".into()];
        c.email = Some("alex@hospital.example".into());
        c.work_phone = Some("555-0100".into());
        c.incident_types = vec!["Ransomware".into()];
        let parsed = check_all(vec![(2, c)], TYPES);
        assert_eq!(parsed.problems, vec![]);
        let (line, c) = &parsed.contacts[0];
        assert_eq!(*line, 2);
        assert_eq!(c.id, "alex-example");
        assert_eq!(c.name, "Alex   Example");
        assert_eq!(c.role.as_deref(), Some("it-service-desk"));
        assert_eq!(c.position, None);
        assert_eq!(c.notes.as_deref(), Some("one\ntwo\nthree"));
        assert_eq!(c.channels, vec!["phone", "work-email"]);
        assert_eq!(c.incident_types, vec!["ransomware"]);
        assert_eq!(
            parsed.warnings,
            vec![RowProblem { line: 2, message: "channels lists `phone` twice: kept once".into() }]
        );
        // Checking what came out changes nothing.
        let again = check_all(parsed.contacts.clone(), TYPES);
        assert_eq!(again.contacts, parsed.contacts);
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let mut c = person("Bad Id", "");
        c.role = Some("janitor".into());
        c.work_phone = Some("call me".into());
        c.claim_line = Some("1".into());
        c.email = Some("pat at home".into());
        c.escalate_after_minutes = 0;
        c.channels = vec!["carrier-pigeon".into()];
        c.incident_types = vec!["alien-invasion".into()];
        c.department = Some("IT\nOps".into());
        c.called_by = Some("Bad Id".into());
        let parsed = check_all(vec![(5, c)], TYPES);
        let messages: Vec<&str> = parsed.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(lines(&parsed.problems), vec![5; 11], "{messages:#?}");
        for expected in [
            "name is empty",
            "id must be lower-case letters, digits and dashes (at most 64), like `ian-it`",
            "department has a control character or a line break",
            "role `janitor` is not a standard contact role (see docs/contacts.md)",
            "work_phone is not a phone number",
            "claim_line is not a phone number",
            "email is not an email address like name@hospital.example",
            "escalate_after_minutes must be from 1 to 1440 minutes",
            "channels has an unknown channel `carrier-pigeon`",
            "incident_types names `alien-invasion`, which is not a playbook id",
            "called_by names this contact itself",
        ] {
            assert!(messages.iter().any(|m| m.starts_with(expected)), "{expected}: {messages:#?}");
        }
        assert!(parsed.contacts.is_empty());
        // No message quotes the person's number or address.
        assert!(messages.iter().all(|m| !m.contains("call me") && !m.contains("pat at home")));
    }

    #[test]
    fn an_unsecure_channel_is_allowed_with_a_warning() {
        let mut c = person("pat", "Pat Example");
        c.mobile_phone = Some("555-0101".into());
        c.channels = vec!["sms".into(), "public-email".into(), "pager".into()];
        let parsed = check_all(vec![(2, c)], TYPES);
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.contacts.len(), 1);
        let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            vec![
                "line 2: channel `sms` is not secure: never use it for patient information",
                "line 2: channel `public-email` is not secure: never use it for patient information",
                "line 2: channel `public-email` is approved but there is no email",
                "line 2: channel `pager` is approved but there is no pager",
            ]
        );
    }

    #[test]
    fn ids_repeated_and_made_unique() {
        let rows = vec![
            (2, person("alex", "Alex One")),
            (3, person("alex", "Alex Two")),
            (4, person("", "José Díaz")),
            (5, person("", "Jose Diaz")),
            (6, person("jose-diaz-2", "Someone Else")),
            (7, person("", "王示例")),
            (8, person("", "  JOSÉ  díaz ")),
        ];
        let parsed = check_all(rows, TYPES);
        assert_eq!(
            ids(&parsed),
            vec!["alex", "jose-diaz", "jose-diaz-3", "jose-diaz-2", "contact-7"]
        );
        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "line 3: id is already used by line 2",
                "line 8: duplicate person: same name as line 4"
            ]
        );
    }

    #[test]
    fn called_by_and_alternate_by_id_or_by_name() {
        let mut b = person("", "Blair Example");
        b.called_by = Some("alex".into());
        b.alternate = Some("  casey   EXAMPLE".into());
        let rows =
            vec![(2, person("alex", "Alex Example")), (3, b), (4, person("c3", "Casey Example"))];
        let parsed = check_all(rows, TYPES);
        assert_eq!(parsed.problems, vec![]);
        let (_, b) = &parsed.contacts[1];
        assert_eq!(b.called_by.as_deref(), Some("alex"));
        assert_eq!(b.alternate.as_deref(), Some("c3"));
    }

    #[test]
    fn rows_that_refer_to_a_row_left_out_are_left_out_to_the_end_of_the_chain() {
        // e → d → c → b, and b has a problem; a is fine; f's alternate is d.
        let mut b = person("b", "Blair");
        b.email = Some("nope".into());
        let mut c = person("c", "Casey");
        c.called_by = Some("b".into());
        let mut d = person("d", "Drew");
        d.called_by = Some("c".into());
        let mut e = person("e", "Eli");
        e.called_by = Some("d".into());
        let mut f = person("f", "Fran");
        f.alternate = Some("d".into());
        f.called_by = Some("a".into());
        // Listed in an order that needs more than one pass.
        let rows = vec![(2, e), (3, f), (4, d), (5, c), (6, b), (7, person("a", "Alex"))];
        let parsed = check_all(rows, TYPES);
        assert_eq!(ids(&parsed), vec!["a"]);
        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "line 2: called_by refers to the contact on line 4, which has a problem",
                "line 3: alternate refers to the contact on line 4, which has a problem",
                "line 4: called_by refers to the contact on line 5, which has a problem",
                "line 5: called_by refers to the contact on line 6, which has a problem",
                "line 6: email is not an email address like name@hospital.example",
            ]
        );
    }

    #[test]
    fn a_loop_in_called_by_is_reported_on_each_of_its_rows() {
        let mut a = person("a", "Alex");
        a.called_by = Some("a2".into());
        let mut a2 = person("a2", "Alex Two");
        a2.called_by = Some("a".into());
        let mut c = person("c", "Casey");
        c.called_by = Some("a".into());
        c.alternate = Some("a".into());
        let mut d = person("d", "Drew");
        d.alternate = Some("e".into());
        let mut e = person("e", "Eli");
        e.alternate = Some("d".into());
        let parsed = check_all(vec![(2, a), (3, a2), (4, c), (5, d), (6, e)], TYPES);
        // Alternates may name each other: only `called_by` must not loop.
        assert_eq!(ids(&parsed), vec!["d", "e"]);
        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "line 2: called_by goes round in a loop: lines 2 → 3 → 2",
                "line 3: called_by goes round in a loop: lines 3 → 2 → 3",
                "line 4: called_by refers to the contact on line 2, which has a problem",
                "line 4: alternate refers to the contact on line 2, which has a problem",
            ]
        );
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert_eq!(check_all(vec![], TYPES), Parsed::default());
    }
}
