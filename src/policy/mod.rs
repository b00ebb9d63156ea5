//! The written security policy (issue 18): policy documents as Markdown with front matter
//! (`playbooks/policies/*.md`, documented in its README; [`format`] checks them), shipped
//! in the binary and in signed packs; every version kept in the store for six years from
//! the end of its effect (45 CFR 164.316(b)(2)(i)); and acknowledgment per version, each
//! a `policy_acknowledged` log entry made under the person's own unlock.
//!
//! A new version with `change = "material"` asks its whole audience again; an editorial
//! one names the `material_version` whose acknowledgments still stand.

pub mod format;

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

pub use crate::checker::Diagnostic;
use crate::events::Event;
use crate::playbook::rules::Source;
use crate::store::{Kind, Permission, Record, Session, UserInfo};
use crate::{Error, Result, checker};

/// The default policies, `playbooks/policies/*.md`, compiled into the binary.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks/policies");

/// File extension of a policy file.
pub const EXTENSION: &str = "md";

/// The folder of a pack that holds policies: `policies/information-security.md`.
pub const PACK_FOLDER: &str = "policies/";

/// Days after a version takes effect (or a person is added) before their acknowledgment
/// is overdue.
pub const ACK_DAYS: i64 = 14;

/// How long a version is kept after it stops being in effect: six years (164.316(b)(2)(i)).
pub const KEEP_YEARS: u32 = 6;

/// Whether a version asks its audience to acknowledge again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Material,
    Editorial,
}

/// Who a policy is for: people of these roles, in these departments (none: every one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub roles: Vec<String>,
    pub departments: Vec<String>,
}

impl Audience {
    pub fn covers(&self, user: &UserInfo) -> bool {
        self.roles.iter().any(|r| r == user.role.as_str())
            && (self.departments.is_empty()
                || user
                    .department
                    .as_ref()
                    .is_some_and(|d| self.departments.iter().any(|x| x.eq_ignore_ascii_case(d))))
    }
}

/// One version of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub effective: NaiveDate,
    pub review: NaiveDate,
    pub owner: String,
    pub change: Change,
    /// The version whose acknowledgments count for this one: its own, or for an
    /// editorial change the last material one.
    pub material_version: u32,
    pub audience: Audience,
    pub sources: Vec<Source>,
    /// The text, Markdown.
    pub body: String,
}

/// Every default policy, checked, sorted by title.
pub fn embedded() -> Result<Vec<Policy>> {
    checker::embedded(&EMBEDDED, "playbooks/policies", EXTENSION)
        .map_err(|diagnostics| Error::PolicyInvalid { diagnostics })
}

/// Checks policy files: every problem in every file, in order. A folder means every `*.md`
/// file in it (not its subfolders; a README is skipped). An empty result means all is well.
pub fn validate_paths(paths: &[&Path]) -> Vec<Diagnostic> {
    checker::validate_paths::<Policy>(paths, EXTENSION)
}

/// The policies in force: the built-in ones with a pack's over them (the same id
/// replaces one).
pub fn in_force(pack: Vec<Policy>) -> Result<Vec<Policy>> {
    let mut all = embedded()?;
    for p in pack {
        all.retain(|have| have.id != p.id);
        all.push(p);
    }
    all.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    Ok(all)
}

/// A policy's text as HTML for the window and the print: Markdown's blocks and emphasis;
/// raw HTML in the text is shown as text, and links and images as their words only (the
/// window reaches nothing outside).
pub fn html(body: &str) -> String {
    use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};
    let events = Parser::new_ext(body, Options::ENABLE_TABLES).filter_map(|e| match e {
        Md::Html(t) | Md::InlineHtml(t) => Some(Md::Text(t)),
        Md::Start(Tag::Link { .. } | Tag::Image { .. }) | Md::End(TagEnd::Link | TagEnd::Image) => {
            None
        }
        other => Some(other),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// A version as the store keeps it: the policy, and when it stopped being in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptVersion {
    pub policy: Policy,
    /// When a later version took its place (`None`: in effect).
    pub superseded: Option<NaiveDate>,
}

impl Record for KeptVersion {
    const KIND: Kind = Kind::PolicyVersion;
}

/// An acknowledgment, from its log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyAck {
    pub user: String,
    pub policy: String,
    pub version: u32,
    pub at: DateTime<Utc>,
}

/// The acknowledgments in the log.
pub fn acks_of(entries: &[crate::events::Entry]) -> Vec<PolicyAck> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::PolicyAcknowledged { policy, version, .. } => Some(PolicyAck {
                user: e.actor.clone(),
                policy: policy.clone(),
                version: *version,
                at: e.time,
            }),
            _ => None,
        })
        .collect()
}

/// Where one person stands on one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    /// Acknowledged this version, or the material one it keeps.
    Acknowledged { version: u32, at: DateTime<Utc> },
    /// Not yet: due on `due` (local date).
    Due { due: NaiveDate, overdue: bool },
}

/// One person on one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyItem {
    pub user: String,
    pub department: Option<String>,
    pub policy: String,
    pub title: String,
    pub version: u32,
    #[serde(flatten)]
    pub standing: Standing,
}

/// Every (person, policy) pair of the policies' audiences, with where it stands at `now`.
pub fn items<Tz: TimeZone>(
    users: &[UserInfo],
    policies: &[Policy],
    acks: &[PolicyAck],
    now: DateTime<Utc>,
    tz: &Tz,
) -> Vec<PolicyItem> {
    let today = now.with_timezone(tz).date_naive();
    let mut out = Vec::new();
    for p in policies {
        for u in users.iter().filter(|u| p.audience.covers(u)) {
            let ack = acks
                .iter()
                .filter(|a| a.policy == p.id && a.user.eq_ignore_ascii_case(&u.name))
                .filter(|a| a.version >= p.material_version && a.version <= p.version)
                .max_by_key(|a| a.at);
            let standing = match ack {
                Some(a) => Standing::Acknowledged { version: a.version, at: a.at },
                None => {
                    let from = u
                        .added
                        .map(|a| a.with_timezone(tz).date_naive())
                        .map_or(p.effective, |added| added.max(p.effective));
                    let due = from + chrono::Days::new(ACK_DAYS.unsigned_abs());
                    Standing::Due { due, overdue: due < today }
                }
            };
            out.push(PolicyItem {
                user: u.name.clone(),
                department: u.department.clone(),
                policy: p.id.clone(),
                title: p.title.clone(),
                version: p.version,
                standing,
            });
        }
    }
    out
}

/// Compliance with one policy in one department (`None`: people with none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compliance {
    pub policy: String,
    pub title: String,
    pub version: u32,
    pub department: Option<String>,
    pub acknowledged: usize,
    pub total: usize,
}

/// Compliance by policy and department, in policy then department order.
pub fn compliance(items: &[PolicyItem]) -> Vec<Compliance> {
    let mut out: Vec<Compliance> = Vec::new();
    for i in items {
        let done = usize::from(matches!(i.standing, Standing::Acknowledged { .. }));
        match out.iter_mut().find(|c| c.policy == i.policy && c.department == i.department) {
            Some(c) => {
                c.acknowledged += done;
                c.total += 1;
            }
            None => out.push(Compliance {
                policy: i.policy.clone(),
                title: i.title.clone(),
                version: i.version,
                department: i.department.clone(),
                acknowledged: done,
                total: 1,
            }),
        }
    }
    out.sort_by(|a, b| (&a.title, &a.department).cmp(&(&b.title, &b.department)));
    out
}

impl Session {
    /// Every version of every policy kept in the store (any signed-in person: a policy is
    /// for staff to read).
    pub fn policy_versions(&self) -> Result<Vec<(String, KeptVersion)>> {
        let mut list: Vec<(String, KeptVersion)> =
            self.list::<KeptVersion>()?.into_iter().map(|s| (s.id, s.value)).collect();
        list.sort_by(|a, b| {
            (&a.1.policy.id, a.1.policy.version).cmp(&(&b.1.policy.id, b.1.policy.version))
        });
        Ok(list)
    }

    /// Keeps the versions in force that the store does not hold yet, each under a random
    /// record id, marking the one each replaces as superseded on its effective date; drops
    /// versions superseded more than six years ago (admins, at sign-in). Returns how many
    /// versions it added.
    pub fn keep_policy_versions(&self, in_force: &[Policy], today: NaiveDate) -> Result<usize> {
        if !self.role().may(Permission::ManageTraining) {
            return Ok(0);
        }
        let mut kept = self.policy_versions()?;
        let mut added = 0;
        for p in in_force {
            if kept.iter().any(|(_, k)| k.policy.id == p.id && k.policy.version == p.version) {
                continue;
            }
            for (_, k) in kept.iter_mut().filter(|(_, k)| {
                k.policy.id == p.id && k.superseded.is_none() && k.policy.version < p.version
            }) {
                k.superseded = Some(p.effective);
            }
            kept.push((
                crate::store::new_record_id()?,
                KeptVersion { policy: p.clone(), superseded: None },
            ));
            added += 1;
        }
        let cutoff = today
            .checked_sub_months(chrono::Months::new(12 * KEEP_YEARS))
            .unwrap_or(NaiveDate::MIN);
        let before = kept.len();
        kept.retain(|(_, k)| k.superseded.is_none_or(|d| d >= cutoff));
        if added == 0 && kept.len() == before {
            return Ok(0);
        }
        self.write(|w| {
            w.require(Permission::ManageTraining, "keep the policies' versions")?;
            w.clear::<KeptVersion>()?;
            for (id, v) in &kept {
                w.put(id, v)?;
            }
            Ok(())
        })?;
        Ok(added)
    }

    /// The signed-in person acknowledges the version in force of a policy whose audience
    /// they are in. There is no way to acknowledge for someone else.
    pub fn acknowledge_policy(&self, policy: &Policy) -> Result<PolicyAck> {
        let me = self.me()?;
        if !policy.audience.covers(&me) {
            return Err(Error::Invalid {
                what: "policy",
                reason: format!(
                    "\u{201c}{}\u{201d} is not addressed to you: each person acknowledges the policies for their role and department",
                    policy.title
                ),
            });
        }
        let event = Event::PolicyAcknowledged {
            policy: policy.id.clone(),
            title: policy.title.clone(),
            version: policy.version,
        };
        let at = self.now();
        self.append(None, &event)?;
        Ok(PolicyAck { user: me.name, policy: policy.id.clone(), version: policy.version, at })
    }

    /// Every policy acknowledgment on this workstation.
    pub fn policy_acks(&self) -> Result<Vec<PolicyAck>> {
        Ok(acks_of(&self.events(None)?))
    }
}

#[cfg(test)]
mod tests;
