//! The call tree at work: who calls whom for an incident type, each call's outcome (a
//! `call_made` entry in the activity log), and who is still unreached, with escalation to
//! the alternate when a call goes unanswered for the contact's `escalate_after_minutes`
//! (at once for a wrong number). Time is passed in, so escalation is tested on a fake
//! clock.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::contacts::Contact;
use crate::events::{self, Event};
use crate::store::{Kind, Permission, Record, Session};
use crate::{Error, Result};

/// The record that holds the whole contact tree, in order (one record: an import replaces
/// it in one write, and the order is the calling order).
const TREE_RECORD: &str = "contact-tree";

/// What happened when someone was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Reached,
    NoAnswer,
    LeftMessage,
    WrongNumber,
}

impl Outcome {
    pub const ALL: [Outcome; 4] =
        [Outcome::Reached, Outcome::NoAnswer, Outcome::LeftMessage, Outcome::WrongNumber];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NoAnswer => "no-answer",
            Outcome::LeftMessage => "left-message",
            Outcome::WrongNumber => "wrong-number",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NoAnswer => "no answer",
            Outcome::LeftMessage => "left a message",
            Outcome::WrongNumber => "wrong number",
        }
    }
}

impl std::str::FromStr for Outcome {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s).ok_or_else(|| Error::Invalid {
            what: "outcome",
            reason: "must be reached, no-answer, left-message or wrong-number".into(),
        })
    }
}

/// One contact's place in the tree for an incident type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub contact: Contact,
    /// 0: the incident lead calls them.
    pub depth: usize,
    /// Who calls them in this tree (`None`: the lead).
    pub caller: Option<String>,
}

/// The tree for one incident type (a playbook id), or for every incident: the contacts
/// for it, each after their caller, callers' callees in list order. A contact whose
/// caller is not in this tree is called by the lead.
pub fn tree_for(contacts: &[Contact], incident_type: Option<&str>) -> Vec<Node> {
    placed(contacts, incident_type)
        .into_iter()
        .map(|(c, depth, caller)| Node {
            contact: c.clone(),
            depth,
            caller: caller.map(str::to_owned),
        })
        .collect()
}

/// [`tree_for`] without copying a contact: each contact of the tree with its depth and
/// caller. Linear in the contacts: one map from id to contact, then indexes only (the
/// ticker builds the tree of every open incident every ten seconds).
fn placed<'c>(
    contacts: &'c [Contact],
    incident_type: Option<&str>,
) -> Vec<(&'c Contact, usize, Option<&'c str>)> {
    let included: Vec<&Contact> = contacts
        .iter()
        .filter(|c| match incident_type {
            None => true,
            Some(t) => c.incident_types.is_empty() || c.incident_types.iter().any(|x| x == t),
        })
        .collect();
    // Each contact's id as the index of the first contact with it (so a repeated id is
    // placed once, as the first of them).
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(included.len());
    let key: Vec<usize> = included
        .iter()
        .enumerate()
        .map(|(i, c)| *first.entry(c.id.as_str()).or_insert(i))
        .collect();
    let caller_of = |c: &'c Contact| -> Option<&'c str> {
        c.called_by.as_deref().filter(|by| first.contains_key(by) && *by != c.id)
    };
    let callers: Vec<Option<&str>> = included.iter().map(|c| caller_of(c)).collect();
    // Who each caller calls, in list order, as linked lists: `head[k]` the first callee
    // of the contacts with id `k`, `next[i]` the one after contact i. The lead calls the
    // rest.
    let n = included.len();
    let (mut head, mut next) = (vec![None; n], vec![None; n]);
    let mut lead_calls = Vec::new();
    for i in (0..n).rev() {
        match callers.get(i).copied().flatten().and_then(|by| first.get(by)) {
            Some(&k) => {
                if let (Some(h), Some(x)) = (head.get_mut(k), next.get_mut(i)) {
                    *x = h.replace(i);
                }
            }
            None => lead_calls.push(i),
        }
    }
    let mut out = Vec::new();
    let mut done = vec![false; n];
    // Depth-first from the lead's calls; `done` also stops any cycle an import missed.
    let mut todo: Vec<(usize, usize)> = lead_calls.into_iter().map(|i| (i, 0)).collect();
    let mut callees = Vec::new();
    while let Some((i, depth)) = todo.pop() {
        let Some(&k) = key.get(i) else { continue };
        match done.get_mut(k) {
            Some(d) if !*d => *d = true,
            _ => continue,
        }
        let (Some(c), Some(&caller)) = (included.get(i), callers.get(i)) else { continue };
        out.push((*c, depth, caller));
        callees.clear();
        let mut at = head.get(k).copied().flatten();
        while let Some(x) = at {
            callees.push(x);
            at = next.get(x).copied().flatten();
        }
        todo.extend(callees.iter().rev().map(|&x| (x, depth + 1)));
    }
    out
}

/// The first contact with each id.
fn by_id(contacts: &[Contact]) -> HashMap<&str, &Contact> {
    let mut map = HashMap::with_capacity(contacts.len());
    for c in contacts {
        map.entry(c.id.as_str()).or_insert(c);
    }
    map
}

/// One call, from its log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub contact: String,
    pub outcome: Outcome,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// Where one contact stands in an incident's calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    NotCalled,
    Reached {
        at: DateTime<Utc>,
    },
    /// Their alternate was reached instead.
    AlternateReached {
        at: DateTime<Utc>,
    },
    /// Not reached yet; the alternate is due to be called at `escalate_at`.
    Waiting {
        since: DateTime<Utc>,
        escalate_at: DateTime<Utc>,
    },
    /// Call the alternate now (or, with none, tell the lead).
    Escalate {
        since: DateTime<Utc>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub node: Node,
    pub alternate: Option<Contact>,
    pub state: State,
    /// Calls to this contact and to their alternate, oldest first.
    pub calls: Vec<Call>,
}

impl Status {
    pub fn reached(&self) -> bool {
        matches!(self.state, State::Reached { .. } | State::AlternateReached { .. })
    }
}

/// Where every contact of `tree` stands, given the incident's calls, at `now`. Linear in
/// the tree and the calls: alternates and calls are looked up in maps.
pub fn status(
    tree: &[Node],
    contacts: &[Contact],
    calls: &[Call],
    now: DateTime<Utc>,
) -> Vec<Status> {
    let lookup = Lookup::new(contacts, calls);
    tree.iter().map(|node| lookup.status(node.clone(), now)).collect()
}

/// Where the contacts called so far stand, in the order of the tree for `incident_type`:
/// [`status`] of the whole tree without the contacts nobody has called, which are never
/// waiting nor due to escalate. The reminder ticker asks this every ten seconds, so it
/// copies no other contact (20,000 contacts: a few milliseconds).
pub fn called(
    contacts: &[Contact],
    incident_type: Option<&str>,
    calls: &[Call],
    now: DateTime<Utc>,
) -> Vec<Status> {
    let calls = calls_by_contact(calls);
    let nodes: Vec<_> = placed(contacts, incident_type)
        .into_iter()
        .filter(|(c, _, _)| calls.contains_key(c.id.as_str()))
        .collect();
    // Only their alternates are looked up.
    let wanted: HashSet<&str> =
        nodes.iter().filter_map(|(c, _, _)| c.alternate.as_deref()).collect();
    let mut alternates = HashMap::new();
    for c in contacts.iter().filter(|c| wanted.contains(c.id.as_str())) {
        alternates.entry(c.id.as_str()).or_insert(c);
    }
    let lookup = Lookup { contacts: alternates, calls };
    nodes
        .into_iter()
        .map(|(c, depth, caller)| {
            let node = Node { contact: c.clone(), depth, caller: caller.map(str::to_owned) };
            lookup.status(node, now)
        })
        .collect()
}

/// Each contact's calls, oldest first (as the incident's log has them).
fn calls_by_contact(calls: &[Call]) -> HashMap<&str, Vec<&Call>> {
    let mut calls_to: HashMap<&str, Vec<&Call>> = HashMap::new();
    for k in calls {
        calls_to.entry(k.contact.as_str()).or_default().push(k);
    }
    calls_to
}

/// The contacts by id (those that may be alternates) and each one's calls.
struct Lookup<'a> {
    contacts: HashMap<&'a str, &'a Contact>,
    calls: HashMap<&'a str, Vec<&'a Call>>,
}

impl<'a> Lookup<'a> {
    fn new(contacts: &'a [Contact], calls: &'a [Call]) -> Self {
        Lookup { contacts: by_id(contacts), calls: calls_by_contact(calls) }
    }

    fn calls_of(&self, id: &str) -> Vec<&'a Call> {
        self.calls.get(id).cloned().unwrap_or_default()
    }

    /// Where one contact of the tree stands at `now`.
    fn status(&self, node: Node, now: DateTime<Utc>) -> Status {
        let c = &node.contact;
        let alternate =
            c.alternate.as_deref().and_then(|a| self.contacts.get(a)).map(|a| (*a).clone());
        let mine: Vec<&Call> = self.calls_of(&c.id);
        let theirs: Vec<&Call> =
            alternate.as_ref().map(|a| self.calls_of(&a.id)).unwrap_or_default();
        let reached =
            |list: &[&Call]| list.iter().find(|k| k.outcome == Outcome::Reached).map(|k| k.at);
        let state = if let Some(at) = reached(&mine) {
            State::Reached { at }
        } else if let Some(at) = reached(&theirs) {
            State::AlternateReached { at }
        } else {
            match (mine.first(), mine.last()) {
                (Some(first), Some(last)) => {
                    let wait = Duration::minutes(i64::from(c.escalate_after_minutes));
                    let escalate_at = first.at + wait;
                    let to = match &alternate {
                        None => "no alternate: tell the incident lead".to_owned(),
                        Some(a) if !theirs.is_empty() => {
                            format!("nor the alternate, {}: tell the incident lead", a.name)
                        }
                        Some(a) => format!("call the alternate, {}", a.name),
                    };
                    if last.outcome == Outcome::WrongNumber {
                        State::Escalate { since: last.at, reason: format!("wrong number: {to}") }
                    } else if now >= escalate_at {
                        State::Escalate {
                            since: escalate_at,
                            reason: format!(
                                "not reached in {} min: {to}",
                                c.escalate_after_minutes
                            ),
                        }
                    } else {
                        State::Waiting { since: first.at, escalate_at }
                    }
                }
                _ => State::NotCalled,
            }
        };
        let mut both: Vec<Call> = mine.into_iter().chain(theirs).cloned().collect();
        both.sort_by_key(|k| k.at);
        Status { node, alternate, state, calls: both }
    }
}

/// The calls of an incident, from its log entries.
pub fn calls_of(entries: &[events::Entry]) -> Vec<Call> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::CallMade { contact, outcome, .. } => Some(Call {
                contact: contact.clone(),
                outcome: *outcome,
                at: e.time,
                by: e.actor.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The whole contact tree, in calling order: one record, so an import replaces it in one
/// write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactTree(pub Vec<Contact>);

impl Record for ContactTree {
    const KIND: Kind = Kind::Contact;
}

/// One person or desk on the ward's call list: what emergency access shows, and nothing
/// more (a name, their role, one number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardContact {
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
}

/// The ward's call list for emergency access: one record holding the list, in calling
/// order, sealed under the ward key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WardCallList(pub Vec<WardContact>);

impl Record for WardCallList {
    const KIND: Kind = Kind::WardCallList;
}

/// The record id of the ward call list.
pub const WARD_CALL_LIST: &str = "ward-call-list";

impl WardCallList {
    /// The contacts ward staff call first (the service desk, the house supervisor, ...),
    /// each with their first number.
    pub fn of(contacts: &[Contact]) -> Self {
        Self(
            contacts
                .iter()
                .filter(|c| c.role.as_deref().is_some_and(|r| WARD_ROLES.contains(&r)))
                .map(|c| WardContact {
                    name: c.name.clone(),
                    role: c.role.clone(),
                    phone: c.first_number().map(str::to_owned),
                })
                .collect(),
        )
    }
}

impl Session {
    /// The contact tree, in calling order (empty until an admin imports one).
    pub fn contacts(&self) -> Result<Vec<Contact>> {
        Ok(self.get::<ContactTree>(TREE_RECORD)?.unwrap_or_default().0)
    }

    /// The version of the contact tree's record (`None`: no tree yet): the tree read at
    /// this version is still the tree.
    pub fn contacts_version(&self) -> Result<Option<i64>> {
        self.version_of::<ContactTree>(TREE_RECORD)
    }

    /// The ward's call list (as emergency access sees it).
    pub fn ward_call_list(&self) -> Result<WardCallList> {
        Ok(self.get::<WardCallList>(WARD_CALL_LIST)?.unwrap_or_default())
    }

    /// Imports a contact tree file (CSV or vCard 4), replacing the tree (admins). A file
    /// with bad rows imports nothing unless `skip_bad_rows`; then the good rows replace the
    /// tree and the preview lists every row skipped. `incident_types`: the playbook ids a
    /// contact may be limited to.
    pub fn import_contacts(
        &self,
        bytes: &[u8],
        file_name: &str,
        incident_types: &[&str],
        skip_bad_rows: bool,
    ) -> Result<crate::contacts::Preview> {
        self.require(Permission::ManageContacts, "change the contact tree")?;
        let parsed = crate::contacts::Format::of(file_name, bytes).parse(bytes, incident_types)?;
        let mut preview = crate::contacts::Preview::of(&parsed, &self.contacts()?);
        if !preview.problems.is_empty() && !skip_bad_rows {
            return Err(Error::ImportRejected { problems: preview.problems });
        }
        if parsed.contacts.is_empty() {
            return Err(Error::Invalid {
                what: "contacts",
                reason: "the file holds no contact to import".into(),
            });
        }
        self.replace_contacts(&parsed.into_contacts())?;
        preview.imported = true;
        Ok(preview)
    }

    /// Replaces the contact tree in one write (admins). The ward's call list for emergency
    /// access is refreshed with it: the service desk, the house supervisor and the other
    /// contacts ward staff call first, with one number each.
    pub fn replace_contacts(&self, contacts: &[Contact]) -> Result<()> {
        let tree = ContactTree(contacts.to_vec());
        let ward = WardCallList::of(contacts);
        self.write(|w| {
            w.require(Permission::ManageContacts, "change the contact tree")?;
            w.put(TREE_RECORD, &tree)?;
            w.put(WARD_CALL_LIST, &ward)?;
            Ok(())
        })
    }
}

/// The tree as text: one line a contact, indented under their caller, with their numbers,
/// alternate and wait.
pub fn text(tree: &[Node], contacts: &[Contact]) -> String {
    let contacts = by_id(contacts);
    let mut out = String::new();
    for n in tree {
        let c = &n.contact;
        let numbers: Vec<String> = [
            ("work", &c.work_phone),
            ("mobile", &c.mobile_phone),
            ("pager", &c.pager),
            ("support", &c.support_line),
            ("claims", &c.claim_line),
            ("radio", &c.radio_channel),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect();
        let alternate = c
            .alternate
            .as_ref()
            .and_then(|a| contacts.get(a.as_str()))
            .map(|a| format!("; no answer in {} min: {}", c.escalate_after_minutes, a.name))
            .unwrap_or_default();
        let what = c.position.as_deref().or(c.role.as_deref()).unwrap_or_default();
        out.push_str(&format!(
            "{}{} ({what}): {}{alternate}\n",
            "    ".repeat(n.depth),
            c.name,
            numbers.join(", ")
        ));
    }
    out.trim_end().to_owned()
}

/// The contact roles ward staff call first: on the ward's call list under emergency access.
pub const WARD_ROLES: &[&str] = &[
    "it-service-desk",
    "house-supervisor",
    "clinical-lead",
    "it-security-lead",
    "biomed",
    "facilities",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, called_by: Option<&str>, alternate: Option<&str>) -> Contact {
        Contact {
            id: id.into(),
            name: id.to_uppercase(),
            work_phone: Some("555-0100".into()),
            channels: vec!["phone".into()],
            called_by: called_by.map(Into::into),
            alternate: alternate.map(Into::into),
            ..crate::contacts::check::blank_contact()
        }
    }

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    #[test]
    fn the_tree_puts_each_contact_after_their_caller() {
        let mut insurer = contact("insurer", Some("cfo"), None);
        insurer.incident_types = vec!["ransomware".into()];
        let contacts = vec![
            contact("desk", None, None),
            contact("ciso", Some("desk"), Some("cio")),
            contact("cio", Some("ceo"), None),
            contact("ceo", None, None),
            contact("cfo", Some("ceo"), None),
            insurer,
        ];
        let ids = |tree: &[Node]| -> Vec<(String, usize)> {
            tree.iter().map(|n| (n.contact.id.clone(), n.depth)).collect()
        };
        let all = tree_for(&contacts, None);
        let want: Vec<(String, usize)> =
            [("desk", 0), ("ciso", 1), ("ceo", 0), ("cio", 1), ("cfo", 1), ("insurer", 2)]
                .into_iter()
                .map(|(i, d)| (i.to_owned(), d))
                .collect();
        assert_eq!(ids(&all), want);
        // The insurer is only in the ransomware tree.
        assert!(!tree_for(&contacts, Some("phishing")).iter().any(|n| n.contact.id == "insurer"));
        assert!(tree_for(&contacts, Some("ransomware")).iter().any(|n| n.contact.id == "insurer"));
        // A caller outside this tree: the lead calls them instead.
        let mut only = contacts.clone();
        only[4].incident_types = vec!["lost-device".into()];
        let tree = tree_for(&only, Some("ransomware"));
        let insurer = tree.iter().find(|n| n.contact.id == "insurer").unwrap();
        assert_eq!((insurer.depth, insurer.caller.as_deref()), (0, None));
        // A cycle an import missed does not loop.
        let cyc = vec![contact("a", Some("b"), None), contact("b", Some("a"), None)];
        assert!(tree_for(&cyc, None).len() <= 2);
    }

    /// Table-driven on a fake clock: (calls as (minute, who, outcome), now, the state).
    #[test]
    fn escalation_follows_the_clock() {
        use Outcome::*;
        let contacts = vec![contact("ciso", None, Some("cio")), contact("cio", None, None)];
        let tree = tree_for(&contacts, None);
        let call = |(m, who, outcome): (i64, &str, Outcome)| Call {
            contact: who.into(),
            outcome,
            at: t(m),
            by: "Lee Lead".into(),
        };
        // (calls as (minute, who, outcome), now, the state)
        type Case<'a> = (Vec<(i64, &'a str, Outcome)>, i64, State);
        let cases: Vec<Case<'_>> = vec![
            (vec![], 30, State::NotCalled),
            (vec![(0, "ciso", Reached)], 1, State::Reached { at: t(0) }),
            (vec![(0, "ciso", NoAnswer)], 9, State::Waiting { since: t(0), escalate_at: t(10) }),
            (
                vec![(0, "ciso", NoAnswer)],
                10,
                State::Escalate {
                    since: t(10),
                    reason: "not reached in 10 min: call the alternate, CIO".into(),
                },
            ),
            (
                vec![(0, "ciso", LeftMessage), (5, "ciso", NoAnswer)],
                9,
                State::Waiting { since: t(0), escalate_at: t(10) },
            ),
            (
                vec![(0, "ciso", WrongNumber)],
                0,
                State::Escalate {
                    since: t(0),
                    reason: "wrong number: call the alternate, CIO".into(),
                },
            ),
            (
                vec![(0, "ciso", NoAnswer), (12, "cio", Reached)],
                13,
                State::AlternateReached { at: t(12) },
            ),
            (
                vec![(0, "ciso", NoAnswer), (12, "cio", NoAnswer)],
                13,
                State::Escalate {
                    since: t(10),
                    reason: "not reached in 10 min: nor the alternate, CIO: tell the incident lead"
                        .into(),
                },
            ),
            (vec![(0, "ciso", NoAnswer), (15, "ciso", Reached)], 16, State::Reached { at: t(15) }),
        ];
        for (calls, now, want) in cases {
            let calls: Vec<Call> = calls.into_iter().map(call).collect();
            let got = status(&tree, &contacts, &calls, t(now));
            assert_eq!(got[0].state, want, "calls {calls:?} at minute {now}");
        }
        // The alternate with no alternate of their own: tell the lead.
        let got = status(&tree, &contacts, &[call((0, "cio", NoAnswer))], t(10));
        assert_eq!(
            got[1].state,
            State::Escalate {
                since: t(10),
                reason: "not reached in 10 min: no alternate: tell the incident lead".into()
            }
        );
    }
}
