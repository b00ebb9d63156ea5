//! The chain of custody, kept only in the activity log and replayed from it.
//!
//! - The person who adds an item holds it first (`evidence_added`).
//! - Its holder hands it over: a `custody_transferred` entry under their own unlock, naming
//!   from (themselves), to (a user of this workstation), the purpose and the item's
//!   condition; the entry's time is the hand-over's. It is *pending*.
//! - The person it is addressed to confirms under their own unlock (`custody_confirmed`,
//!   pointing at the hand-over's entry, with the condition they received it in): they hold
//!   it from then. The holder is whoever the last confirmed hand-over names.
//! - While a hand-over is pending its holder may hand the item to someone else instead (the
//!   one addressed to the wrong person, say): the earlier one is then *withdrawn*, never
//!   confirmable. Nothing is edited or removed: custody is only added to.
//! - Re-hashing its file is an `evidence_verified` entry, kept with the chain.
//!
//! The replay counts an entry only when its writer could have made it through the app (the
//! holder handing over, the person addressed confirming). An entry that claims more (an
//! insider with a log key of their own writing one in their name) is listed with the item as
//! not counted, never taken as a hand-over.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::text;
use crate::events::{self, Event};
use crate::store::Session;
use crate::{Error, Result};

/// The `evidence_added` entry of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    pub entry: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    /// The SHA-256 of the item's record as written.
    pub record: String,
    pub sha256: Option<String>,
}

/// Where a hand-over stands. Flattened into its [`Transfer`], so its fields are named apart
/// from the hand-over's own (`confirmed_at` beside `at`): JSON readers keep only the last of
/// a name written twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum TransferState {
    /// The person it is addressed to has not confirmed it yet.
    Pending,
    /// Confirmed by the person it was addressed to, at `at`, in the log's entry `entry`,
    /// received in `condition`.
    Confirmed {
        #[serde(rename = "confirmed_entry")]
        entry: u64,
        #[serde(rename = "confirmed_at")]
        at: DateTime<Utc>,
        #[serde(rename = "received_condition")]
        condition: Option<String>,
    },
    /// Replaced, before anyone confirmed it, by the hand-over in entry `by`.
    Withdrawn {
        #[serde(rename = "withdrawn_by")]
        by: u64,
    },
}

/// One hand-over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub entry: u64,
    pub at: DateTime<Utc>,
    pub from: String,
    pub to: String,
    pub purpose: String,
    pub condition: Option<String>,
    #[serde(flatten)]
    pub state: TransferState,
}

/// One re-hash of an item's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub entry: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub matches: bool,
    pub sha256: String,
}

/// An item's chain of custody, as its log entries say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Custody {
    pub added: Option<Added>,
    /// Who holds it now, and since when.
    pub holder: String,
    pub since: Option<DateTime<Utc>>,
    pub transfers: Vec<Transfer>,
    pub checks: Vec<Check>,
    /// Entries that claim what their writer could not do, each in words: not counted.
    pub not_counted: Vec<String>,
    /// Every entry of the item, in order.
    pub entries: Vec<u64>,
}

impl Custody {
    /// The hand-over waiting for its receiver, if one is.
    pub fn pending(&self) -> Option<&Transfer> {
        self.transfers.iter().find(|t| t.state == TransferState::Pending)
    }

    /// Whether `person` has had the item in hand, holds it, or is being handed it.
    pub fn involves(&self, person: &str) -> bool {
        let is = |name: &str| name.eq_ignore_ascii_case(person);
        self.added.as_ref().is_some_and(|a| is(&a.by))
            || is(&self.holder)
            || self.transfers.iter().any(|t| {
                is(&t.from) || (is(&t.to) && !matches!(t.state, TransferState::Withdrawn { .. }))
            })
    }

    fn hand_over(
        &mut self,
        e: &events::Entry,
        from: &str,
        to: &str,
        purpose: &str,
        condition: &Option<String>,
    ) {
        if !(e.actor.eq_ignore_ascii_case(&self.holder) && from.eq_ignore_ascii_case(&e.actor)) {
            self.not_counted.push(format!(
                "entry {}: a hand-over by {}, who did not hold the item",
                e.seq, e.actor
            ));
            return;
        }
        for t in self.transfers.iter_mut().filter(|t| t.state == TransferState::Pending) {
            t.state = TransferState::Withdrawn { by: e.seq };
        }
        self.transfers.push(Transfer {
            entry: e.seq,
            at: e.time,
            from: from.to_owned(),
            to: to.to_owned(),
            purpose: purpose.to_owned(),
            condition: condition.clone(),
            state: TransferState::Pending,
        });
    }

    fn confirm(&mut self, e: &events::Entry, transfer: u64, condition: &Option<String>) {
        let found = self.transfers.iter_mut().find(|t| {
            t.entry == transfer
                && t.state == TransferState::Pending
                && t.to.eq_ignore_ascii_case(&e.actor)
        });
        match found {
            Some(t) => {
                t.state = TransferState::Confirmed { entry: e.seq, at: e.time, condition: condition.clone() };
                self.holder = t.to.clone();
                self.since = Some(e.time);
            }
            None => self.not_counted.push(format!(
                "entry {}: a confirmation by {} of entry {transfer}, which was not a hand-over to them waiting for it",
                e.seq, e.actor
            )),
        }
    }
}

/// Every item's custody, replayed from an incident's entries (by item id).
pub fn replay(entries: &[events::Entry]) -> BTreeMap<String, Custody> {
    let mut out: BTreeMap<String, Custody> = BTreeMap::new();
    for e in entries {
        let item = match &e.event {
            Event::EvidenceAdded { item, .. }
            | Event::CustodyTransferred { item, .. }
            | Event::CustodyConfirmed { item, .. }
            | Event::EvidenceVerified { item, .. } => item,
            _ => continue,
        };
        let c = out.entry(item.clone()).or_default();
        c.entries.push(e.seq);
        match &e.event {
            Event::EvidenceAdded { record, sha256, .. } if c.added.is_none() => {
                c.added = Some(Added {
                    entry: e.seq,
                    at: e.time,
                    by: e.actor.clone(),
                    record: record.clone(),
                    sha256: sha256.clone(),
                });
                c.holder.clone_from(&e.actor);
                c.since = Some(e.time);
            }
            Event::EvidenceAdded { .. } => {
                c.not_counted.push(format!("entry {}: the item added a second time", e.seq));
            }
            Event::CustodyTransferred { from, to, purpose, condition, .. } => {
                c.hand_over(e, from, to, purpose, condition);
            }
            Event::CustodyConfirmed { transfer, condition, .. } => {
                c.confirm(e, *transfer, condition)
            }
            Event::EvidenceVerified { matches, sha256, .. } => c.checks.push(Check {
                entry: e.seq,
                at: e.time,
                by: e.actor.clone(),
                matches: *matches,
                sha256: sha256.clone(),
            }),
            _ => {}
        }
    }
    out
}

/// The longest purpose or condition, in characters.
const MAX_WORDS: usize = 500;

/// Hands an item over to `to`, a user of this workstation: its holder only, under their own
/// unlock. A hand-over still pending is withdrawn by this one.
pub fn transfer(
    session: &Session,
    id: &str,
    to: &str,
    purpose: &str,
    condition: Option<&str>,
) -> Result<u64> {
    let user = session.user_name().to_owned();
    let purpose = text(Some(purpose), "purpose", MAX_WORDS, true, false)?.unwrap_or_default();
    let condition = text(condition, "condition", MAX_WORDS, false, false)?;
    let to = session.user_named(to)?.ok_or_else(|| Error::Invalid {
        what: "receiver",
        reason: "is not a user of this workstation: someone from outside signs for the item \
                     on its printed chain-of-custody form"
            .into(),
    })?;
    if to.eq_ignore_ascii_case(&user) {
        return Err(Error::Invalid {
            what: "receiver",
            reason: "is you: you hold the item".into(),
        });
    }
    session.write(|w| {
        // Read inside the write: the holder checked is the holder now.
        let view = super::evidence::get(session, id)?;
        if !view.custody.holder.eq_ignore_ascii_case(&user) {
            return Err(Error::PermissionDenied {
                action: "hand this evidence item over",
                needed: "the person holding it",
            });
        }
        let event = Event::CustodyTransferred {
            condition,
            from: user.clone(),
            item: id.to_owned(),
            purpose,
            to,
        };
        w.append(Some(&view.item.incident), &event)
    })
}

/// Confirms, as the person it is addressed to, the hand-over of an item waiting for them,
/// with the condition it arrived in: they hold it from now.
pub fn confirm(session: &Session, id: &str, condition: Option<&str>) -> Result<u64> {
    let user = session.user_name().to_owned();
    let condition = text(condition, "condition", MAX_WORDS, false, false)?;
    session.write(|w| {
        let view = super::evidence::get(session, id)?;
        let Some(pending) = view.custody.pending() else {
            return Err(Error::Invalid {
                what: "evidence item",
                reason: format!("no hand-over of {id} is waiting to be confirmed"),
            });
        };
        if !pending.to.eq_ignore_ascii_case(&user) {
            return Err(Error::PermissionDenied {
                action: "confirm this hand-over",
                needed: "the person it is addressed to",
            });
        }
        let event =
            Event::CustodyConfirmed { condition, item: id.to_owned(), transfer: pending.entry };
        w.append(Some(&view.item.incident), &event)
    })
}
