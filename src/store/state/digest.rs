//! The set digest of tracked rows: each row hashed from its clear columns, a group's rows
//! summed mod 2^256, so a row written changes its group in O(1) and order does not matter.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};

use super::{Scope, ScopeOf, Tracked};
use crate::crypto;

/// A sum mod 2^256 of row hashes (little-endian 64-bit limbs); hex in the sealed JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Sum([u64; 4]);

impl Sum {
    pub(super) fn of(hash: &[u8; 32]) -> Sum {
        let mut limbs = [0u64; 4];
        for (limb, bytes) in limbs.iter_mut().zip(hash.chunks_exact(8)) {
            *limb = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        }
        Sum(limbs)
    }

    pub(super) fn add(&mut self, other: &Sum) {
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(other.0) {
            let (s, c1) = a.overflowing_add(b);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *a = s;
            carry = c1 || c2;
        }
    }

    pub(super) fn sub(&mut self, other: &Sum) {
        let mut borrow = false;
        for (a, b) in self.0.iter_mut().zip(other.0) {
            let (d, b1) = a.overflowing_sub(b);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *a = d;
            borrow = b1 || b2;
        }
    }

    pub(super) fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    pub(super) fn to_bytes(self) -> Vec<u8> {
        self.0.iter().flat_map(|l| l.to_le_bytes()).collect()
    }
}

impl Serialize for Sum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&data_encoding::HEXLOWER.encode(&self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for Sum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sum, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = data_encoding::HEXLOWER
            .decode(text.as_bytes())
            .map_err(|_| serde::de::Error::custom("not a digest"))?;
        let hash: [u8; 32] =
            bytes.try_into().map_err(|_| serde::de::Error::custom("not a digest"))?;
        Ok(Sum::of(&hash))
    }
}

/// A group's rows: how many, and the sum of their hashes. In pending changes, `n` may be
/// negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Group {
    pub(super) n: i64,
    pub(super) sum: Sum,
}

impl Group {
    pub(super) fn add(&mut self, other: &Group) {
        self.n += other.n;
        self.sum.add(&other.sum);
    }

    pub(super) fn is_empty(&self) -> bool {
        self.n == 0 && self.sum.is_zero()
    }
}

/// Table → clear kind → group.
pub(super) type Rows = BTreeMap<String, BTreeMap<String, Group>>;

/// One row as the state sees it: its scope, its group and its hash.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Row<'a> {
    pub(super) scope: Scope,
    pub(super) kind: Cow<'a, str>,
    pub(super) hash: [u8; 32],
}

pub(super) fn push_value(buf: &mut Vec<u8>, value: ValueRef<'_>) {
    let (tag, int, bytes): (u8, [u8; 8], &[u8]) = match value {
        ValueRef::Null => (0, [0; 8], &[]),
        ValueRef::Integer(i) => (1, i.to_be_bytes(), &[]),
        ValueRef::Real(f) => (2, f.to_be_bytes(), &[]),
        ValueRef::Text(t) => (3, [0; 8], t),
        ValueRef::Blob(b) => (4, [0; 8], b),
    };
    let bytes = if matches!(tag, 1 | 2) { &int[..] } else { bytes };
    buf.push(tag);
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

pub(super) fn kind_text(value: ValueRef<'_>) -> Cow<'_, str> {
    match value {
        ValueRef::Null => Cow::Borrowed(""),
        ValueRef::Integer(i) => i.to_string().into(),
        ValueRef::Real(f) => f.to_string().into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t),
        ValueRef::Blob(b) => data_encoding::HEXLOWER.encode(b).into(),
    }
}

/// Where a row's clear columns sit, in a SELECT of its table or in a noted change.
#[derive(Debug)]
pub(super) struct Columns {
    pub(super) tracked: &'static Tracked,
    pub(super) id: usize,
    pub(super) kind: Option<usize>,
    pub(super) scope: Option<usize>,
    pub(super) version: Range<usize>,
}

impl Columns {
    /// The row whose column `i` is `get(i)`; `buf` is scratch space, kept across rows so
    /// that hashing one allocates nothing.
    pub(super) fn row<'a>(
        &self,
        buf: &mut Vec<u8>,
        get: impl Fn(usize) -> rusqlite::Result<ValueRef<'a>>,
    ) -> rusqlite::Result<Row<'a>> {
        buf.clear();
        push_value(buf, ValueRef::Text(self.tracked.table.as_bytes()));
        push_value(buf, get(self.id)?);
        let kind = match self.kind {
            Some(i) => get(i)?,
            None => ValueRef::Null,
        };
        push_value(buf, kind);
        for i in self.version.clone() {
            push_value(buf, get(i)?);
        }
        let scope = match (self.tracked.scope, self.scope) {
            (ScopeOf::Fixed(s), _) => s,
            (ScopeOf::Column(_), Some(i)) => scope_of(get(i)?),
            (ScopeOf::Column(_), None) => Scope::Main,
        };
        Ok(Row {
            scope,
            kind: kind_text(kind),
            hash: crypto::sha256(&[b"caregiver-playbook/state-row", buf]),
        })
    }
}

pub(super) fn scope_of(value: ValueRef<'_>) -> Scope {
    if value == ValueRef::Text(b"ward") { Scope::Ward } else { Scope::Main }
}
