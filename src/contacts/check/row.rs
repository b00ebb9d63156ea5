//! The checks of one contact on its own: tidying it, each field's rules, and the values
//! they recognise (phone numbers, email addresses, ids made from names). The checks
//! across rows are in the parent module.

use std::collections::HashSet;

use super::{Field, Label, MAX_ESCALATE_MINUTES, id_form, is_valid_id, read_text};
use crate::contacts::{CHANNELS, Contact, channel_is_secure};
use crate::limits::{MAX_NOTES_CHARS, MAX_TEXT_CHARS};
use crate::playbook::format::STANDARD_CONTACT_ROLES;

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

/// The longest a field may be, in characters, when it has no rule of its own (an id has
/// 64, a phone number 32, an email address its parts' lengths).
fn longest(field: Field) -> Option<usize> {
    match field {
        Field::Id
        | Field::WorkPhone
        | Field::MobilePhone
        | Field::Pager
        | Field::SupportLine
        | Field::ClaimLine
        | Field::Email
        | Field::Kind
        | Field::EscalateAfterMinutes => None,
        Field::Notes | Field::Channels | Field::IncidentTypes => Some(MAX_NOTES_CHARS),
        _ => Some(MAX_TEXT_CHARS),
    }
}

/// Each field's length, before anything else: a field longer than its limit is a
/// problem. A role or a list that is too long is dropped, so that no message quotes it or
/// says something of each of its items: a row's messages stay a few lines, whatever the
/// file.
pub(super) fn check_lengths(c: &mut Contact, label: Label, problems: &mut Vec<String>) {
    let mut too_long = |field: Field, chars: usize| match longest(field) {
        Some(limit) if chars > limit => {
            problems.push(format!(
                "{} is longer than {} characters",
                label(field),
                crate::words::count(limit)
            ));
            true
        }
        _ => false,
    };
    let chars = |text: &str| text.trim().chars().count();
    too_long(Field::Name, chars(&c.name));
    for (field, value) in optional_texts(c) {
        if let Some(text) = value.as_deref()
            && too_long(field, chars(text))
            && field == Field::Role
        {
            *value = None;
        }
    }
    for (field, list) in
        [(Field::Channels, &mut c.channels), (Field::IncidentTypes, &mut c.incident_types)]
    {
        let length = list.iter().map(|item| chars(item) + 1).sum::<usize>().saturating_sub(1);
        if too_long(field, length) {
            list.clear();
        }
    }
}

/// Tidies one contact (see the module's documentation).
pub(super) fn tidy(c: &mut Contact, label: Label, warnings: &mut Vec<String>) {
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
fn optional_texts(c: &mut Contact) -> [(Field, &mut Option<String>); 18] {
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
        (Field::NoticeWithin, &mut c.notice_within),
        (Field::Notes, &mut c.notes),
        (Field::CalledBy, &mut c.called_by),
        (Field::Alternate, &mut c.alternate),
    ]
}

/// The checks of one contact on its own.
pub(super) fn check_fields(
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
    if let Some(window) = &c.notice_within
        && crate::playbook::format::parse_span(window).is_none()
    {
        problems.push(format!(
            "{} `{window}` is not a notice window: write a number and a unit, like `72 hours`, \
             `30 days` or `5 business days`",
            label(Field::NoticeWithin)
        ));
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
