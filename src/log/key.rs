//! The public half of a log's signing key, as checkers hold it: read from the forms people
//! keep (base64, PEM), written in those forms, and named by its fingerprint.
//!
//! Why a fingerprint: a bundle carries its own public key, so a bundle re-signed with
//! another key checks out against itself. Only a key the checker already trusts (a copy
//! kept by an admin, or the fingerprint printed on paper) ties a bundle to the workstation
//! that made it. The fingerprint is the first 16 bytes of SHA-256 of the raw 32-byte key,
//! in hex, in groups of four: short enough to read aloud and to print on a form. It is the
//! same digest as a log id ([`super::log_id`]), so today a workstation's fingerprint reads
//! as its log id with spaces; the log id names the log, the fingerprint names the key.

use data_encoding::BASE64;

use crate::{Error, Result};

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): what openssl reads as PEM.
const ED25519_SPKI_PREFIX: [u8; 12] =
    [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_END: &str = "-----END PUBLIC KEY-----";

/// An Ed25519 public key: 32 raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

/// The fingerprint of a raw public key: SHA-256, first 16 bytes, hex in groups of four.
pub fn fingerprint(public_key: &[u8]) -> String {
    let mut out = String::with_capacity(40);
    for (i, digit) in super::log_id(public_key).chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

impl PublicKey {
    /// A key from its 32 raw bytes; `None` for any other length.
    pub fn from_raw(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }

    /// The raw key, base64: a bundle header's `public_key`.
    pub fn base64(&self) -> String {
        BASE64.encode(&self.0)
    }

    /// The key as a PEM `PUBLIC KEY` (RFC 8410), as openssl reads it: `key.pem`.
    pub fn pem(&self) -> String {
        let mut der = ED25519_SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", BASE64.encode(&der))
    }

    /// Reads a key given as text or as a file holding it (`--pubkey KEY`): see
    /// [`PublicKey::parse`] for the forms.
    pub fn read(text_or_path: &str) -> Result<Self> {
        let path = std::path::Path::new(text_or_path);
        if !path.is_file() {
            return Self::parse(text_or_path).map_err(|_| {
                bad_key(format!(
                    "`{text_or_path}` is neither a file nor a base64 Ed25519 public key"
                ))
            });
        }
        let bytes = std::fs::read(path).map_err(Error::io("read", path))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad_key(format!("the file {} is not text", path.display())))?;
        Self::parse(&text)
    }

    /// Reads a key from text: a PEM `PUBLIC KEY` block anywhere in it (`key.pem`, or what
    /// `caregiver log key` prints), or base64 of the raw 32 bytes (a bundle header's
    /// `public_key`) or of the DER the PEM holds.
    pub fn parse(text: &str) -> Result<Self> {
        let body = match (text.find(PEM_BEGIN), text.find(PEM_END)) {
            (Some(begin), Some(end)) if begin < end => {
                text.get(begin + PEM_BEGIN.len()..end).unwrap_or_default()
            }
            (None, None) => text,
            _ => return Err(bad_key("a PEM block that is cut short".into())),
        };
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = BASE64
            .decode(b64.as_bytes())
            .map_err(|_| bad_key("not base64, nor a PEM `PUBLIC KEY`".into()))?;
        let raw = match bytes.strip_prefix(&ED25519_SPKI_PREFIX) {
            Some(raw) => raw,
            None => &bytes,
        };
        Self::from_raw(raw).ok_or_else(|| bad_key("not an Ed25519 public key (32 bytes)".into()))
    }
}

fn bad_key(reason: String) -> Error {
    Error::Invalid { what: "public key", reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: [u8; 32] = [7; 32];

    #[test]
    fn every_form_people_keep_reads_back_as_the_same_key() {
        let key = PublicKey(RAW);
        let pem = key.pem();
        let der_b64 = pem.lines().nth(1).unwrap().to_owned();
        let printed = format!("fingerprint: {}\n{pem}", key.fingerprint());
        for text in [key.base64(), format!("  {}\n", key.base64()), pem.clone(), der_b64, printed] {
            assert_eq!(PublicKey::parse(&text).unwrap(), key, "{text}");
        }
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"), "{pem}");
    }

    #[test]
    fn what_is_not_a_key_is_named() {
        for (text, want) in [
            ("", "not an Ed25519 public key"),
            ("not base64!", "not base64"),
            (&BASE64.encode(&[1; 31]), "not an Ed25519 public key (32 bytes)"),
            ("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA", "cut short"),
        ] {
            let err = PublicKey::parse(text).unwrap_err();
            assert_eq!(err.code(), "invalid_input");
            assert!(err.to_string().contains(want), "{text:?}: {err}");
        }
        let err = PublicKey::read("/no/such/key.pem").unwrap_err();
        assert!(err.to_string().contains("is neither a file nor a base64"), "{err}");
    }

    /// SHA-256 of the key, first 16 bytes, in groups of four hex digits: the log id's
    /// digits.
    #[test]
    fn the_fingerprint_is_the_keys_digest_in_groups() {
        let fp = fingerprint(&RAW);
        assert_eq!(fp.len(), 32 + 7);
        assert_eq!(fp.replace(' ', ""), super::super::log_id(&RAW));
        assert!(fp.split(' ').all(|g| g.len() == 4), "{fp}");
    }
}
