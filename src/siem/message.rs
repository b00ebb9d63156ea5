//! One log entry as one RFC 5424 syslog message, framed by octet counting (RFC 5425 §4.3,
//! RFC 6587 §3.4.1): `MSG-LEN SP SYSLOG-MSG`.
//!
//! ```text
//! <110>1 2026-11-28T06:00:00.123Z ward4-pc caregiver - note [caregiver@32473 kind="note"
//!   incident="20261128-0600-a1b2c3" actor="Nia Nurse" hash="9f2c…" log="5d1e…" seq="42"
//!   text="withheld"] note: typed text not sent
//! ```
//!
//! Header fields are PRINTUSASCII only (anything else becomes `_`) and cut to RFC 5424's
//! lengths; SD-PARAM values have `"`, `\` and `]` escaped (§6.3.3) and control characters
//! made U+FFFD (in MSG too), so no text a person typed can end the structured data, forge a message, or
//! break a line-based store at the SIEM. A message is at most [`MAX_MESSAGE`] octets: a
//! longer MSG is cut on a character boundary (the hash still names the whole entry).

use chrono::{DateTime, SecondsFormat, Utc};

use super::Class;
use crate::events::Event;
use crate::log::Logged;

/// The SD-ID of the structured data every message carries: `caregiver` at IANA's Private
/// Enterprise Number 32473, which RFC 5612 reserves for documentation and examples. An
/// organisation with a PEN of its own may change this one constant.
pub const SD_ID: &str = "caregiver@32473";
/// The APP-NAME of every message.
pub const APP_NAME: &str = "caregiver";
/// The largest message sent, in octets: RFC 5425 §4.3.1 asks receivers to take 8192.
pub const MAX_MESSAGE: usize = 8192;
/// The UTF-8 byte order mark a MSG in UTF-8 starts with (RFC 5424 §6.4).
const BOM: &str = "\u{feff}";

/// What a message says, before it is written out.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub pri: u8,
    pub time: DateTime<Utc>,
    pub hostname: &'a str,
    pub msgid: &'a str,
    /// The SD-PARAMs of [`SD_ID`], in order; a `None` value is left out.
    pub params: &'a [(&'a str, Option<&'a str>)],
    pub msg: &'a str,
}

impl Message<'_> {
    /// The SYSLOG-MSG (RFC 5424 §6), at most [`MAX_MESSAGE`] octets.
    pub fn render(&self) -> String {
        let mut out = format!(
            "<{}>1 {} {} {} - {} [{SD_ID}",
            self.pri,
            self.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            header(self.hostname, 255),
            header(APP_NAME, 48),
            header(self.msgid, 32),
        );
        for (name, value) in self.params {
            if let Some(value) = value {
                out.push(' ');
                out.push_str(&header(name, 32).replace(['=', ' ', ']', '"'], "_"));
                out.push_str("=\"");
                escape_into(&mut out, value);
                out.push('"');
            }
        }
        out.push(']');
        if !self.msg.is_empty() {
            let msg: String =
                self.msg.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
            out.push(' ');
            if !msg.is_ascii() {
                out.push_str(BOM);
            }
            let room = MAX_MESSAGE.saturating_sub(out.len());
            out.push_str(cut(&msg, room));
        }
        out
    }
}

/// An octet-counted frame: `MSG-LEN SP SYSLOG-MSG`.
pub fn frame(message: &str) -> Vec<u8> {
    let mut out = format!("{} ", message.len()).into_bytes();
    out.extend_from_slice(message.as_bytes());
    out
}

/// A header field: PRINTUSASCII only, at most `max` characters, `-` (NILVALUE) if empty.
fn header(text: &str, max: usize) -> String {
    let field: String =
        text.chars().take(max).map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect();
    if field.is_empty() { "-".into() } else { field }
}

/// A PARAM-VALUE: `"`, `\` and `]` escaped with `\`; control characters made U+FFFD.
fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' | '\\' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// `text` cut to at most `room` octets, on a character boundary.
fn cut(text: &str, room: usize) -> &str {
    if text.len() <= room {
        return text;
    }
    let mut end = room;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// One entry of this workstation's log as a framed message: its line (for the payload
/// and the hash), the entry read, and whether typed text may go (the admin's opt-in).
pub fn entry_frame(
    hostname: &str,
    line: &str,
    entry: &Logged<Event>,
    payload: &serde_json::Value,
    send_text: bool,
) -> Vec<u8> {
    let class: Class = entry.event.siem_class();
    let hash = crate::log::line_hash(line);
    let seq = entry.seq.to_string();
    let withheld = class.typed_text && !send_text;
    let params = [
        ("kind", Some(entry.event.kind())),
        ("incident", entry.incident.as_deref()),
        ("actor", Some(entry.actor.as_str())),
        ("role", Some(entry.role.as_str())),
        ("hash", Some(hash.as_str())),
        ("log", Some(entry.log.as_str())),
        ("seq", Some(seq.as_str())),
        ("text", withheld.then_some("withheld")),
    ];
    let msg = if withheld {
        format!("{}: typed text not sent", entry.event.kind())
    } else {
        serde_json::to_string(payload).unwrap_or_default()
    };
    let message = Message {
        pri: class.pri(),
        time: entry.time,
        hostname,
        msgid: entry.event.kind(),
        params: &params,
        msg: &msg,
    };
    frame(&message.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T06:00:00.123Z").unwrap().to_utc()
    }

    /// Reads one SD element back as a receiver would (RFC 5424 §6.3): its PARAM-VALUEs
    /// unescaped, and what follows it.
    fn parse_sd(rest: &str) -> (Vec<(String, String)>, &str) {
        let rest = rest.strip_prefix(&format!("[{SD_ID}")).expect("the SD-ID");
        let mut params = Vec::new();
        let mut chars = rest.char_indices();
        loop {
            match chars.next() {
                Some((_, ' ')) => {
                    let mut name = String::new();
                    for (_, c) in chars.by_ref() {
                        if c == '=' {
                            break;
                        }
                        name.push(c);
                    }
                    assert_eq!(chars.next().map(|c| c.1), Some('"'));
                    let mut value = String::new();
                    loop {
                        match chars.next().expect("a closing quote") {
                            (_, '\\') => value.push(chars.next().unwrap().1),
                            (_, '"') => break,
                            (_, c) => value.push(c),
                        }
                    }
                    params.push((name, value));
                }
                Some((i, ']')) => return (params, &rest[i + 1..]),
                other => panic!("unexpected {other:?} in the SD"),
            }
        }
    }

    /// A frame split as a receiver does: the length, then exactly that many octets.
    fn unframe(bytes: &[u8]) -> &str {
        let space = bytes.iter().position(|b| *b == b' ').unwrap();
        let len: usize = std::str::from_utf8(&bytes[..space]).unwrap().parse().unwrap();
        assert_eq!(bytes.len(), space + 1 + len, "the length counts the message exactly");
        std::str::from_utf8(&bytes[space + 1..]).unwrap()
    }

    #[test]
    fn a_message_reads_as_rfc_5424() {
        let params = [("kind", Some("note")), ("incident", None), ("actor", Some("Nia \"N\" [x]"))];
        let m = Message {
            pri: Class::info().typed().pri(),
            time: at(),
            hostname: "ward 4",
            msgid: "note",
            params: &params,
            msg: "note: typed text not sent",
        };
        assert_eq!(
            m.render(),
            "<110>1 2026-11-28T06:00:00.123Z ward_4 caregiver - note [caregiver@32473 \
             kind=\"note\" actor=\"Nia \\\"N\\\" [x\\]\"] note: typed text not sent"
        );
        assert_eq!(Class::security().pri(), 84);
        assert_eq!(Class::notice().pri(), 109);
        let framed = frame(&m.render());
        assert!(framed.starts_with(format!("{} <110>", m.render().len()).as_bytes()));
        let empty = Message { hostname: "", msgid: "", msg: "", ..m.clone() };
        assert!(empty.render().starts_with("<110>1 2026-11-28T06:00:00.123Z - caregiver - - ["));
    }

    #[test]
    fn a_long_message_is_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_MESSAGE);
        let m =
            Message { pri: 110, time: at(), hostname: "h", msgid: "note", params: &[], msg: &long };
        let text = m.render();
        assert!(text.len() <= MAX_MESSAGE && text.len() > MAX_MESSAGE - 4, "{}", text.len());
        assert!(text.contains(&format!("] {BOM}é")));
    }

    fn logged(event: Event) -> Logged<Event> {
        Logged {
            log: "246c4ca910e1c06c9958c85d9cdfa414".into(),
            seq: 7,
            time: at(),
            actor: "Nia Nurse".into(),
            role: "clinician".into(),
            incident: Some("20261128-0600-a1b2c3".into()),
            event,
            corrects: None,
        }
    }

    /// Typed text leaves only when the admin opted in; what carries none goes whole.
    #[test]
    fn typed_text_is_withheld_unless_opted_in() {
        let secret = "Patient Jane Roe \"bed 4\"";
        let typed = [
            Event::Note { text: secret.into() },
            Event::StepSkipped { reason: secret.into(), step: "s1".into() },
            Event::HazardNoted { hazard: secret.into(), mitigation: secret.into() },
            Event::ObjectiveSet { number: 1, text: secret.into() },
        ];
        for event in typed {
            let (_, payload) = crate::log::kind_and_payload(&event).unwrap();
            let line = format!("{{\"t\":\"entry\",\"payload\":{payload}}}");
            let entry = logged(event);
            let withheld =
                String::from_utf8(entry_frame("h", &line, &entry, &payload, false)).unwrap();
            assert!(!withheld.contains("Jane Roe"), "{withheld}");
            assert!(withheld.contains(" text=\"withheld\"] "), "{withheld}");
            assert!(withheld.contains(&format!("hash=\"{}\"", crate::log::line_hash(&line))));
            let sent = String::from_utf8(entry_frame("h", &line, &entry, &payload, true)).unwrap();
            assert!(sent.contains("Jane Roe") && !sent.contains("withheld"), "{sent}");
        }
        let step = Event::StepDone { step: "isolate".into() };
        let (_, payload) = crate::log::kind_and_payload(&step).unwrap();
        let framed =
            String::from_utf8(entry_frame("h", "{}", &logged(step), &payload, false)).unwrap();
        assert!(framed.ends_with("seq=\"7\"] {\"step\":\"isolate\"}"), "{framed}");
        assert!(framed.contains("<110>1 2026-11-28T06:00:00.123Z h caregiver - step_done "));
    }

    proptest! {
        /// Hostile text anywhere a person's text can go (an actor's name, an incident id, a
        /// host name, the MSG) never breaks the frame or the structured data: the frame's
        /// length is exact, the SD reads back with the very values put in (control
        /// characters aside), and no raw line break is sent.
        #[test]
        fn hostile_text_never_breaks_the_frame_or_the_sd(
            actor in "(\\PC|[\"\\\\\\]\\[\n\r\t= ])*",
            incident in "(\\PC|[\"\\\\\\]\\[\n\r ])*",
            host in "(\\PC|[\n ])*",
            msg in "(\\PC|[\"\\]\\[\n\r])*",
        ) {
            let params = [("actor", Some(actor.as_str())), ("incident", Some(incident.as_str()))];
            let m = Message { pri: 110, time: at(), hostname: &host, msgid: "note", params: &params, msg: &msg };
            let framed = frame(&m.render());
            let text = unframe(&framed);
            prop_assert!(!text.contains('\n') && !text.contains('\r'));
            let mut header = text.splitn(7, ' ');
            prop_assert_eq!(header.next(), Some("<110>1"));
            for _ in 0..5 {
                let field = header.next().unwrap();
                prop_assert!(!field.is_empty() && field.chars().all(|c| c.is_ascii_graphic()));
            }
            let (params, rest) = parse_sd(header.next().unwrap());
            let clean = |s: &str| s.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect::<String>();
            prop_assert_eq!(params, vec![("actor".to_owned(), clean(&actor)), ("incident".to_owned(), clean(&incident))]);
            if msg.is_empty() {
                prop_assert_eq!(rest, "");
            } else {
                let body = rest.strip_prefix(' ').unwrap();
                let body = body.strip_prefix(BOM).unwrap_or(body);
                prop_assert!(clean(&msg).starts_with(body));
            }
        }
    }
}
