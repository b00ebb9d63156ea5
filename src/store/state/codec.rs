//! The sealed state's encoding: compact binary (a third of the JSON it replaced, and
//! written without a serialiser). A state written before in JSON is still read, and is
//! written back in binary at the store's next write.
//!
//! Binary, all integers big-endian: a 0 byte (JSON starts with `{`, so the two never
//! meet), the log's size (8) and head (2-byte length, text), `access_logged` (8),
//! `access_last` (8), the pack version (1 byte: 0 none, 1 then 8), whether the groups
//! count the log's checkpoints (1 byte: 0 or 1; schema 8), the number of groups
//! (4), and per group (in table, kind order): table and kind (each a 2-byte length and
//! text), the row count (8) and the sum (32). Zero bytes pad it to a multiple of 64, as
//! JSON records are padded, so its length shows only a size class.

use super::digest::{Group, Rows, Sum};
use super::{LogHead, State};

const BINARY: u8 = 0;
const PAD: usize = 64;

pub(super) fn encode(state: &State, out: &mut Vec<u8>) {
    let start = out.len();
    out.push(BINARY);
    out.extend_from_slice(&state.log.size.to_be_bytes());
    put_text(out, &state.log.head);
    out.extend_from_slice(&state.access_logged.to_be_bytes());
    out.extend_from_slice(&state.access_last.to_be_bytes());
    match state.pack_version {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out.push(u8::from(state.checkpoints));
    let groups: usize = state.rows.values().map(|g| g.len()).sum();
    out.extend_from_slice(&(groups as u32).to_be_bytes());
    for (table, kinds) in &state.rows {
        for (kind, group) in kinds {
            put_text(out, table);
            put_text(out, kind);
            out.extend_from_slice(&group.n.to_be_bytes());
            out.extend_from_slice(&group.sum.to_bytes());
        }
    }
    let len = out.len() - start;
    out.resize(start + len.div_ceil(PAD) * PAD, 0);
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    // Table and kind names, and a hex hash: far below 64 KiB.
    let len = u16::try_from(text.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes().get(..usize::from(len)).unwrap_or_default());
}

/// The state in `plain`, binary or (a store written before) JSON; `None` if it is neither.
pub(super) fn decode(plain: &[u8]) -> Option<State> {
    match plain.first() {
        Some(&BINARY) => decode_binary(plain.get(1..)?),
        _ => serde_json::from_slice(plain).ok(),
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn i64(&mut self) -> Option<i64> {
        self.array().map(i64::from_be_bytes)
    }

    fn text(&mut self) -> Option<String> {
        let len = u16::from_be_bytes(self.array()?);
        String::from_utf8(self.take(usize::from(len))?.to_vec()).ok()
    }
}

fn decode_binary(bytes: &[u8]) -> Option<State> {
    let mut r = Reader(bytes);
    let log = LogHead { size: r.i64()?, head: r.text()? };
    let access_logged = r.i64()?;
    let access_last = r.i64()?;
    let pack_version = match r.array::<1>()? {
        [0] => None,
        [1] => Some(u64::from_be_bytes(r.array()?)),
        _ => return None,
    };
    let checkpoints = match r.array::<1>()? {
        [0] => false,
        [1] => true,
        _ => return None,
    };
    let groups = u32::from_be_bytes(r.array()?);
    let mut rows = Rows::new();
    for _ in 0..groups {
        let table = r.text()?;
        let kind = r.text()?;
        let n = r.i64()?;
        let sum = Sum::of(&r.array()?);
        rows.entry(table).or_default().insert(kind, Group { n, sum });
    }
    // Only padding may follow.
    if r.0.iter().any(|&b| b != 0) {
        return None;
    }
    Some(State { log, access_logged, access_last, pack_version, checkpoints, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto;

    #[test]
    fn binary_round_trips_and_json_still_reads() {
        let mut state = State {
            log: LogHead { size: 7, head: "ab".repeat(32) },
            access_logged: 3,
            access_last: 4,
            pack_version: Some(12),
            checkpoints: true,
            ..State::default()
        };
        let group = Group { n: 2, sum: Sum::of(&crypto::sha256(&[b"x"])) };
        state.rows.entry("records".into()).or_default().insert("incident".into(), group);
        state.rows.entry("users".into()).or_default().insert(String::new(), group);
        let mut bytes = Vec::new();
        encode(&state, &mut bytes);
        assert_eq!(bytes.len() % PAD, 0);
        let back = decode(&bytes).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&state).unwrap());
        // What a store written before the binary encoding holds.
        let json = serde_json::to_vec(&state).unwrap();
        let old = decode(&json).unwrap();
        assert_eq!(serde_json::to_value(&old).unwrap(), serde_json::to_value(&state).unwrap());
        // Anything else is refused, not misread.
        let mut cut = bytes.clone();
        cut.truncate(20);
        assert!(decode(&cut).is_none());
        let mut padded = bytes;
        padded.push(1);
        assert!(decode(&padded).is_none());
    }
}
