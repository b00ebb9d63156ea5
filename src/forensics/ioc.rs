//! What an indicator of compromise is: its type and the form a value of that type must
//! have, the TLP 2.0 marking it carries, and the confidence scale.
//!
//! **Form checks.** Each type checks its value ([`IocType::check`]) and gives it back in one
//! written form (hashes and host names in lower case, an IPv6 address as RFC 5952 writes
//! it), so the same indicator typed twice is found as one. A value that does not have its
//! type's form is refused with `indicator_invalid`, the type, a stable code for the problem
//! (`ipv4_part_range`, `hash_length`, ...; the table in `docs/forensics.md`) and where the
//! problem is ("part 4 is over 255", "character 17 is not a hexadecimal digit"), never the
//! value itself: an indicator may be marked TLP:RED, and an error message goes to logs and
//! screens.
//!
//! **Defanged values.** Reports write indicators so they cannot be clicked
//! (`hxxp://evil[.]example`, `192.0.2[.]10`, `ops[@]evil[.]example`): addresses, domains,
//! URLs and accounts are taken back to their live form before they are checked.
//!
//! **Confidence** is STIX 2.1's 0 to 100 (what the export writes), typed as a number or in
//! words on STIX's "Low/Med/High" scale (its Appendix A): none 0, low 15, medium 50, high
//! 85; a number reads back as words by the same scale's ranges (1-29 low, 30-69 medium,
//! 70-100 high).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The longest value of any type, in characters (a URL's practical limit).
pub const MAX_VALUE_CHARS: usize = 2_048;

crate::choices::choices! {
    /// The kinds of indicator.
    IocType, "indicator type" {
        Sha256 = "sha256", "SHA-256 file hash";
        Sha1 = "sha1", "SHA-1 file hash";
        Md5 = "md5", "MD5 file hash";
        Ipv4 = "ipv4", "IPv4 address";
        Ipv6 = "ipv6", "IPv6 address";
        Domain = "domain", "domain name";
        Url = "url", "URL";
        FileName = "file-name", "file name";
        /// An email address or a user name.
        Account = "account", "account";
    }
}

impl IocType {
    /// Checks `value` for this type's form and gives it back as it is kept.
    pub fn check(self, value: &str) -> Result<String> {
        self.form(value).map_err(|Problem { code, reason }| Error::IndicatorInvalid {
            what: self.label(),
            problem: code,
            reason,
        })
    }

    fn form(self, value: &str) -> std::result::Result<String, Problem> {
        let value = value.trim();
        common(value)?;
        match self {
            IocType::Sha256 => hash(value, 64, "SHA-256"),
            IocType::Sha1 => hash(value, 40, "SHA-1"),
            IocType::Md5 => hash(value, 32, "MD5"),
            IocType::Ipv4 => ipv4(&refang(value)),
            IocType::Ipv6 => ipv6(&refang(value)),
            IocType::Domain => domain(&refang(value)),
            IocType::Url => url(&refang(value)),
            IocType::FileName => file_name(value),
            IocType::Account => account(&refang(value)),
        }
    }
}

/// A value's problem: a stable code and where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    code: &'static str,
    reason: String,
}

fn problem<T>(code: &'static str, reason: impl Into<String>) -> std::result::Result<T, Problem> {
    Err(Problem { code, reason: reason.into() })
}

type Form = std::result::Result<String, Problem>;

/// What every type refuses: nothing, too long, a control character.
fn common(value: &str) -> std::result::Result<(), Problem> {
    if value.is_empty() {
        return problem("empty", "is empty");
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return problem("too_long", format!("is longer than {MAX_VALUE_CHARS} characters"));
    }
    if let Some(at) = value.chars().position(char::is_control) {
        return problem(
            "control_character",
            format!("character {} is a control character", at + 1),
        );
    }
    Ok(())
}

/// Takes a defanged value back to its live form: `[.]`, `(.)`, `{.}`, `[dot]` to `.`, `[:]`
/// to `:`, `[@]`, `[at]` to `@`, and `hxxp`/`hxxps` at the start to `http`/`https`; again
/// until none is left (`[[.]]` is `.`), so a value kept refangs to itself.
pub fn refang(value: &str) -> String {
    let mut out = value.to_owned();
    loop {
        let mut next = out.clone();
        for (from, to) in [
            ("[.]", "."),
            ("(.)", "."),
            ("{.}", "."),
            ("[dot]", "."),
            ("[:]", ":"),
            ("[@]", "@"),
            ("[at]", "@"),
        ] {
            next = next.replace(from, to);
        }
        if next.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("hxxp")) {
            next.replace_range(..4, "http");
        }
        // Each round that changes anything makes the text shorter, or turns hxxp to
        // http: it ends.
        if next == out {
            return out;
        }
        out = next;
    }
}

fn hash(value: &str, digits: usize, name: &str) -> Form {
    if let Some(at) = value.chars().position(|c| !c.is_ascii_hexdigit()) {
        return problem(
            "not_hex",
            format!("character {} is not a hexadecimal digit (0-9, a-f)", at + 1),
        );
    }
    if value.len() != digits {
        return problem(
            "hash_length",
            format!("is {} hexadecimal digits long; {name} is {digits}", value.len()),
        );
    }
    Ok(value.to_ascii_lowercase())
}

/// A CIDR prefix after `/`: 0 to `max`, written without a leading zero.
fn prefix(text: &str, max: u8, code: &'static str) -> std::result::Result<u8, Problem> {
    let n = text
        .parse::<u8>()
        .ok()
        .filter(|n| *n <= max && !(text.len() > 1 && text.starts_with('0')))
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()));
    n.map_or_else(
        || problem(code, format!("the prefix after / must be a number from 0 to {max}")),
        Ok,
    )
}

fn ipv4(value: &str) -> Form {
    let (address, cidr) = match value.split_once('/') {
        Some((a, p)) => (a, Some(prefix(p, 32, "ipv4_prefix")?)),
        None => (value, None),
    };
    if !address.contains('.') && address.contains(':') {
        return problem("ipv4_is_ipv6", "is an IPv6 address: give it the type ipv6");
    }
    let parts: Vec<&str> = address.split('.').collect();
    if parts.len() != 4 {
        let n = parts.len();
        let s = if n == 1 { "" } else { "s" };
        return problem(
            "ipv4_parts",
            format!("has {n} part{s}; an IPv4 address has 4 (like 203.0.113.5)"),
        );
    }
    for (i, part) in parts.iter().enumerate() {
        let n = i + 1;
        if part.is_empty() {
            return problem("ipv4_part_empty", format!("part {n} is empty"));
        }
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return problem("ipv4_not_a_number", format!("part {n} is not a number"));
        }
        if part.len() > 1 && part.starts_with('0') {
            return problem(
                "ipv4_leading_zero",
                format!("part {n} starts with 0 (some tools read that as octal)"),
            );
        }
        if part.len() > 3 || part.parse::<u16>().map_or(true, |v| v > 255) {
            return problem("ipv4_part_range", format!("part {n} is over 255"));
        }
    }
    Ok(match cidr {
        Some(p) => format!("{address}/{p}"),
        None => address.to_owned(),
    })
}

fn ipv6(value: &str) -> Form {
    let value = value.trim_start_matches('[').trim_end_matches(']');
    let (address, cidr) = match value.split_once('/') {
        Some((a, p)) => (a, Some(prefix(p, 128, "ipv6_prefix")?)),
        None => (value, None),
    };
    if address.parse::<Ipv4Addr>().is_ok() {
        return problem("ipv6_is_ipv4", "is an IPv4 address: give it the type ipv4");
    }
    let Ok(parsed) = address.parse::<Ipv6Addr>() else {
        return problem("ipv6_form", "is not an IPv6 address (like 2001:db8::1)");
    };
    Ok(match cidr {
        Some(p) => format!("{parsed}/{p}"),
        None => parsed.to_string(),
    })
}

/// A host name: labels of letters, digits and hyphens (and `_`, which DNS allows and malware
/// uses, below the top level), at least two, in lower case. `one_label`: a single label is
/// allowed (a URL's host on an intranet).
fn host_name(value: &str, one_label: bool) -> Form {
    let value = value.strip_suffix('.').unwrap_or(value).to_ascii_lowercase();
    if let Some(at) = value.chars().position(|c| !c.is_ascii()) {
        return problem(
            "domain_not_ascii",
            format!("character {} is not ASCII: write the name in its xn-- form", at + 1),
        );
    }
    if value.parse::<Ipv4Addr>().is_ok() {
        return problem("domain_is_ip", "is an IP address: give it the type ipv4");
    }
    if value.len() > 253 {
        return problem("domain_length", "is longer than 253 characters");
    }
    let labels: Vec<&str> = value.split('.').collect();
    if labels.len() < 2 && !one_label {
        return problem(
            "domain_one_label",
            "has one label; a domain name has at least two (like example.org)",
        );
    }
    let mut at = 0;
    for (i, label) in labels.iter().enumerate() {
        let n = i + 1;
        if label.is_empty() {
            return problem(
                "domain_label_empty",
                format!("label {n} is empty (two dots in a row, or a dot first)"),
            );
        }
        if label.len() > 63 {
            return problem("domain_label_length", format!("label {n} is over 63 characters"));
        }
        let last = i + 1 == labels.len();
        if let Some(c) = label
            .chars()
            .position(|c| !(c.is_ascii_alphanumeric() || c == '-' || (c == '_' && !last)))
        {
            return problem(
                "domain_character",
                format!("character {} is not a letter, a digit, a hyphen or a dot", at + c + 1),
            );
        }
        if label.starts_with('-') || label.ends_with('-') {
            return problem("domain_hyphen", format!("label {n} starts or ends with a hyphen"));
        }
        if last && labels.len() > 1 && label.bytes().all(|b| b.is_ascii_digit()) {
            return problem(
                "domain_numeric_tld",
                "ends in a number: an IP address has the type ipv4",
            );
        }
        at += label.len() + 1;
    }
    Ok(value)
}

fn domain(value: &str) -> Form {
    host_name(value, false)
}

fn url(value: &str) -> Form {
    if let Some(at) = value.chars().position(char::is_whitespace) {
        return problem("url_space", format!("character {} is a space: write it as %20", at + 1));
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return problem(
            "url_scheme",
            "has no scheme: write it with http://, https:// or another scheme",
        );
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    if !scheme_ok {
        return problem("url_scheme", "the part before :// is not a scheme name (like https)");
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    // user:password@ before the host is kept as written.
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return problem("url_host", "the host's [ has no ]");
        };
        let host = ipv6(v6)
            .map_err(|p| Problem { code: "url_host", reason: format!("the host {}", p.reason) })?;
        (format!("[{host}]"), after.strip_prefix(':'))
    } else {
        let (h, p) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        };
        if h.is_empty() {
            return problem("url_host", "has no host after ://");
        }
        let looks_ipv4 = h.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let host = if looks_ipv4 { ipv4(h) } else { host_name(h, true) };
        let host = host
            .map_err(|p| Problem { code: "url_host", reason: format!("the host {}", p.reason) })?;
        (host, p)
    };
    if let Some(port) = port {
        let ok =
            port.parse::<u16>().is_ok_and(|p| p > 0) && port.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return problem("url_port", "the port after the host must be a number from 1 to 65535");
        }
    }
    let userinfo = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{userinfo}{host}{port}{path}", scheme.to_ascii_lowercase()))
}

fn file_name(value: &str) -> Form {
    if value.contains(['/', '\\']) {
        return problem("file_name_path", "holds a / or a \\: give the file's name, not its path");
    }
    if value == "." || value == ".." {
        return problem("file_name_dots", "is . or .., not a file's name");
    }
    if value.len() > 255 {
        return problem("too_long", "is longer than 255 bytes, which no file system allows");
    }
    Ok(value.to_owned())
}

fn account(value: &str) -> Form {
    if let Some(at) = value.chars().position(char::is_whitespace) {
        return problem("account_space", format!("character {} is a space", at + 1));
    }
    let Some((local, host)) = value.rsplit_once('@') else {
        // A user name (`jdoe`, `HOSPITAL\jdoe`), kept as written.
        if value.chars().count() > 256 {
            return problem("too_long", "is longer than 256 characters");
        }
        return Ok(value.to_owned());
    };
    if local.is_empty() || local.len() > 64 {
        return problem("email_local", "the part before @ must be 1 to 64 characters");
    }
    if let Some(at) = local.chars().position(|c| !c.is_ascii() || "\"(),:;<>@[\\]".contains(c)) {
        return problem(
            "email_local",
            format!("character {} before @ is not allowed in an email address", at + 1),
        );
    }
    let host = host_name(host, false).map_err(|p| Problem {
        code: "email_domain",
        reason: format!("the part after @ {}", p.reason),
    })?;
    Ok(format!("{local}@{host}"))
}

/// The TLP 2.0 markings (FIRST, August 2022), from the most shareable to the least: the
/// order is what an export's highest marking allowed compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tlp {
    #[serde(rename = "clear")]
    Clear,
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "amber")]
    Amber,
    #[serde(rename = "amber+strict")]
    AmberStrict,
    #[serde(rename = "red")]
    Red,
}

/// The marking an indicator gets when none is given: sharing within the organisation only,
/// until someone decides it may go further.
pub const DEFAULT_TLP: Tlp = Tlp::AmberStrict;

impl Tlp {
    pub const ALL: [Tlp; 5] = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red];

    /// As the CLI, the JSON and the CSV write it.
    pub fn key(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// As TLP 2.0 writes it: `TLP:AMBER+STRICT`.
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// Reads a marking: `amber+strict`, `TLP:AMBER+STRICT`, `amber-strict`, any case.
    pub fn of(text: &str) -> Result<Tlp> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_prefix("tlp:").unwrap_or(&t).replace(['-', '_', ' '], "+");
        if t == "white" {
            return Err(Error::Invalid {
                what: "TLP marking",
                reason: "TLP 2.0 has no WHITE: it became CLEAR".into(),
            });
        }
        Self::ALL.into_iter().find(|l| l.key() == t).ok_or_else(|| Error::Invalid {
            what: "TLP marking",
            reason: "use one of clear, green, amber, amber+strict, red".into(),
        })
    }
}

/// STIX 2.1's confidence: 0 (none) to 100 (a number over 100 does not deserialize).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub struct Confidence(u8);

impl From<Confidence> for u8 {
    fn from(c: Confidence) -> u8 {
        c.0
    }
}

impl TryFrom<u8> for Confidence {
    type Error = String;

    fn try_from(n: u8) -> std::result::Result<Self, String> {
        if n <= 100 { Ok(Confidence(n)) } else { Err("a confidence is 0 to 100".into()) }
    }
}

impl Confidence {
    /// Reads `low`, `medium`, `high`, `none` or a number from 0 to 100.
    pub fn of(text: &str) -> Result<Confidence> {
        let t = text.trim().to_ascii_lowercase();
        let n = match t.as_str() {
            "none" => Some(0),
            "low" => Some(15),
            "medium" | "med" => Some(50),
            "high" => Some(85),
            _ => t.parse::<u8>().ok().filter(|n| *n <= 100),
        };
        n.map(Confidence).ok_or_else(|| Error::Invalid {
            what: "confidence",
            reason: "use low, medium, high or a number from 0 to 100".into(),
        })
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// The scale's word for it: none, low, medium or high.
    pub fn words(self) -> &'static str {
        match self.0 {
            0 => "none",
            1..=29 => "low",
            30..=69 => "medium",
            _ => "high",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0, self.words())
    }
}

#[cfg(test)]
#[path = "ioc_tests.rs"]
mod tests;
