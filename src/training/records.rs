//! Training in the store: who is assigned which module and by when, acknowledgments (each
//! an activity-log entry made under the learner's own unlock, so attributable, timestamped
//! and tamper-evident), phishing campaigns, and where every person stands.
//!
//! Who must do a module: everyone whose role the module lists (due 30 days after they were
//! added), and everyone an admin assigned it to (by role, department or name, with a due
//! date). After an acknowledgment, a recurring module is due again its recurrence later;
//! an assignment made after the last acknowledgment (a phishing refresher, say) asks for a
//! new one by its own date.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::schedule::{self, DueState};
use super::{Module, Recurrence, Score};
use crate::events::{self, Event};
use crate::store::{Kind, Permission, Record, Role, Session, UserInfo, new_record_id};
use crate::{Error, Result};

const ASSIGNMENTS: &str = "training-assignments";
/// Days a new user has for their role's modules.
pub const NEW_USER_DAYS: i64 = 30;
/// Days a clicker has for the refresher.
pub const REFRESHER_DAYS: i64 = 14;
/// The module a phishing clicker is assigned again.
pub const REFRESHER: &str = "phishing-awareness";

/// Who an assignment is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum Target {
    Role(Role),
    Department(String),
    User(String),
}

impl Target {
    fn covers(&self, u: &UserInfo) -> bool {
        match self {
            Target::Role(r) => u.role == *r,
            Target::Department(d) => {
                u.department.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(d))
            }
            Target::User(n) => u.name.eq_ignore_ascii_case(n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub module: String,
    pub target: Target,
    pub due: NaiveDate,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
    /// Why, when it is not routine ("clicked in the simulated phishing campaign ...").
    pub reason: Option<String>,
}

/// Every training assignment, in the order made: one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Assignments(pub Vec<Assignment>);

impl Record for Assignments {
    const KIND: Kind = Kind::Training;
}

/// An acknowledgment, from its log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ack {
    pub user: String,
    pub module: String,
    pub version: u32,
    pub at: DateTime<Utc>,
    pub score: Option<Score>,
}

/// Where one person stands on one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ItemState {
    /// Acknowledged; due again on `next` (`None`: once only).
    Done {
        next: Option<NaiveDate>,
    },
    NotDue {
        due: NaiveDate,
        days_left: i64,
    },
    DueSoon {
        due: NaiveDate,
        days_left: i64,
    },
    Overdue {
        due: NaiveDate,
        days_over: i64,
    },
}

impl ItemState {
    pub fn is_done(&self) -> bool {
        matches!(self, ItemState::Done { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub user: String,
    pub department: Option<String>,
    pub module: String,
    pub title: String,
    pub state: ItemState,
    pub last_ack: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// A phishing simulation's results, as imported (under a random record id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// The record's id (older stores: `phish-` and a hash of the name).
    pub id: String,
    pub name: String,
    pub imported_at: DateTime<Utc>,
    pub sent: usize,
    pub clicked: usize,
    pub reported: usize,
    /// The users matched among those who clicked (each assigned the refresher).
    pub clickers: Vec<String>,
    pub reporters: Vec<String>,
    /// Rows that matched no user of this workstation (by name, or a contact's email).
    pub unmatched: usize,
}

fn from_state(state: DueState) -> ItemState {
    match state {
        DueState::NotDue { due, days_left } => ItemState::NotDue { due, days_left },
        DueState::DueSoon { due, days_left } => ItemState::DueSoon { due, days_left },
        DueState::Overdue { due, days_over } => ItemState::Overdue { due, days_over },
    }
}

/// Every (user, module) pair that applies, with where it stands at `now` in `tz`.
pub fn items<Tz: TimeZone>(
    users: &[UserInfo],
    modules: &[Module],
    assignments: &[Assignment],
    acks: &[Ack],
    now: DateTime<Utc>,
    tz: &Tz,
) -> Vec<Item> {
    let mut out = Vec::new();
    for u in users {
        for m in modules {
            let by_role = m.roles.iter().any(|r| r == u.role.as_str());
            let mine: Vec<&Assignment> =
                assignments.iter().filter(|a| a.module == m.id && a.target.covers(u)).collect();
            if !by_role && mine.is_empty() {
                continue;
            }
            // Acknowledgments of a version before the last material change do not count.
            let last = acks
                .iter()
                .filter(|a| a.module == m.id && a.user.eq_ignore_ascii_case(&u.name))
                .filter(|a| a.version >= m.material_version)
                .map(|a| a.at)
                .max();
            // Assignments made after the last acknowledgment ask for a new one.
            let open: Vec<&&Assignment> =
                mine.iter().filter(|a| last.is_none_or(|l| a.assigned_at > l)).collect();
            let first_due = open.iter().map(|a| a.due).min();
            let reason = open.iter().find_map(|a| a.reason.clone());
            let state = match (last, first_due) {
                (_, Some(due)) => from_state(schedule::due_state(due, now, tz)),
                (Some(at), None) => match schedule::next_due(&m.recurrence, at, tz) {
                    None => ItemState::Done { next: None },
                    Some(next) => match schedule::due_state(next, now, tz) {
                        DueState::NotDue { .. } => ItemState::Done { next: Some(next) },
                        other => from_state(other),
                    },
                },
                (None, None) => {
                    // By role only: due some days after the user was added (or today, for
                    // users from before that was kept).
                    let due = match u.added {
                        Some(added) => {
                            (added + Duration::days(NEW_USER_DAYS)).with_timezone(tz).date_naive()
                        }
                        None => now.with_timezone(tz).date_naive(),
                    };
                    from_state(schedule::due_state(due, now, tz))
                }
            };
            out.push(Item {
                user: u.name.clone(),
                department: u.department.clone(),
                module: m.id.clone(),
                title: m.title.clone(),
                state,
                last_ack: last,
                reason,
            });
        }
    }
    out
}

impl Record for Campaign {
    const KIND: Kind = Kind::PhishingCampaign;
}

/// The acknowledgments in the log.
pub fn acks_of(entries: &[events::Entry]) -> Vec<Ack> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::TrainingAcknowledged { module, score, version, .. } => Some(Ack {
                user: e.actor.clone(),
                module: module.clone(),
                version: *version,
                at: e.time,
                score: *score,
            }),
            _ => None,
        })
        .collect()
}

impl Session {
    /// The training assignments (any signed-in user reads them: they show who must do what).
    pub fn training_assignments(&self) -> Result<Vec<Assignment>> {
        Ok(self.get::<Assignments>(ASSIGNMENTS)?.unwrap_or_default().0)
    }

    /// Assigns a module (admins), logged as a `training_assigned` entry.
    pub fn assign_training(
        &self,
        modules: &[Module],
        module: &str,
        target: Target,
        due: NaiveDate,
        reason: Option<String>,
    ) -> Result<Assignment> {
        self.require(Permission::ManageTraining, "assign training")?;
        if !modules.iter().any(|m| m.id == module) {
            return Err(Error::TrainingNotFound { id: module.to_owned() });
        }
        if let Target::User(name) = &target
            && !self.list_users()?.iter().any(|u| u.name.eq_ignore_ascii_case(name))
        {
            return Err(Error::UserNotFound);
        }
        let assignment = Assignment {
            module: module.to_owned(),
            target,
            due,
            assigned_by: self.user_name().to_owned(),
            assigned_at: self.now(),
            reason,
        };
        let mut all = self.training_assignments()?;
        all.push(assignment.clone());
        let event = Event::TrainingAssigned {
            due,
            module: module.to_owned(),
            target: assignment.target.clone(),
        };
        self.write(|w| {
            w.require(Permission::ManageTraining, "assign training")?;
            w.put(ASSIGNMENTS, &Assignments(all))?;
            w.append(None, &event)
        })?;
        Ok(assignment)
    }

    /// The signed-in user acknowledges a module they are assigned, after passing its quiz
    /// if it has one (`answers`: one index per question, from 0). The acknowledgment is the
    /// signed-in user's own: there is no way to acknowledge for someone else.
    pub fn acknowledge_training(
        &self,
        modules: &[Module],
        module: &str,
        answers: Option<&[usize]>,
    ) -> Result<Ack> {
        let m = modules
            .iter()
            .find(|m| m.id == module)
            .ok_or_else(|| Error::TrainingNotFound { id: module.to_owned() })?;
        let me = self.me()?;
        let assigned = m.roles.iter().any(|r| r == me.role.as_str())
            || self
                .training_assignments()?
                .iter()
                .any(|a| a.module == m.id && a.target.covers(&me));
        if !assigned {
            return Err(Error::Invalid {
                what: "training",
                reason: "this module is not assigned to you: each person acknowledges their own"
                    .into(),
            });
        }
        let score = match (&m.quiz, answers) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(Error::Invalid {
                    what: "quiz",
                    reason: "this module has a quiz: answer it first".into(),
                });
            }
            (Some(q), Some(a)) => {
                let s = super::score(q, a);
                if !s.passed {
                    return Err(Error::Invalid {
                        what: "quiz",
                        reason: format!(
                            "{} of {} right ({}%); {}% is needed: read the module again and retry",
                            s.correct, s.total, s.percent, q.pass_mark_percent
                        ),
                    });
                }
                Some(s)
            }
        };
        let event = Event::TrainingAcknowledged {
            module: m.id.clone(),
            score,
            title: m.title.clone(),
            version: m.version,
        };
        let at = self.now();
        self.append(None, &event)?;
        Ok(Ack { user: me.name, module: m.id.clone(), version: m.version, at, score })
    }

    /// Every acknowledgment on this workstation and on the workstations of the fleet whose
    /// keys an admin enrolled, accepted or pinned by collecting them (a person is known by
    /// name across them). A log imported by hand under a key no admin trusts counts for
    /// nothing here: a lead may import a bundle, but not make one that says a nurse
    /// acknowledged a module she never opened.
    pub fn training_acks(&self) -> Result<Vec<Ack>> {
        let fleet = self.fleet_logs()?;
        Ok(acks_of(&self.timeline_of(None, |log| fleet.contains(log))?))
    }

    /// Every person's standing on every module that applies to them (admins and leads see
    /// everyone; others see their own).
    pub fn training_items<Tz: TimeZone>(
        &self,
        modules: &[Module],
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Result<Vec<Item>> {
        let everyone = self.role_now()?.may(Permission::SeeTrainingOfEveryone);
        let users: Vec<UserInfo> = self
            .list_users()?
            .into_iter()
            .filter(|u| everyone || u.name == self.user_name())
            .collect();
        Ok(items(&users, modules, &self.training_assignments()?, &self.training_acks()?, now, tz))
    }

    /// The signed-in person's own standing on every module that applies to them, from
    /// acknowledgments the caller has read already (`acks_of` the log).
    pub fn own_training_items<Tz: TimeZone>(
        &self,
        modules: &[Module],
        acks: &[Ack],
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Result<Vec<Item>> {
        let me: Vec<UserInfo> =
            self.list_users()?.into_iter().filter(|u| u.name == self.user_name()).collect();
        Ok(items(&me, modules, &self.training_assignments()?, acks, now, tz))
    }

    /// The phishing campaigns imported so far, oldest first.
    pub fn campaigns(&self) -> Result<Vec<Campaign>> {
        let mut all: Vec<Campaign> =
            self.list::<Campaign>()?.into_iter().map(|r| r.value).collect();
        all.sort_by_key(|c| c.imported_at);
        Ok(all)
    }

    /// Imports a simulated-phishing campaign's results (admins): matches each row to a user
    /// (by name, or by a contact's email whose name is a user's), assigns the refresher to
    /// every clicker, and keeps the campaign's click and report counts. The same campaign
    /// name twice is refused (it would assign the refresher twice).
    pub fn import_phishing(
        &self,
        modules: &[Module],
        name: &str,
        rows: &[super::phishing::PhishRow],
        today: NaiveDate,
    ) -> Result<Campaign> {
        self.require(Permission::ManageTraining, "import phishing results")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(Error::Invalid {
                what: "campaign",
                reason: "name it in 1 to 80 characters".into(),
            });
        }
        if self.campaigns()?.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
            return Err(Error::Invalid {
                what: "campaign",
                reason: "a campaign of this name was imported already".into(),
            });
        }
        if !modules.iter().any(|m| m.id == REFRESHER) {
            return Err(Error::TrainingNotFound { id: REFRESHER.to_owned() });
        }
        // Users by name and contacts by email, in maps (ASCII case ignored; the first of
        // each wins, as a search in list order would): matching is linear in the rows.
        let users = self.list_users()?;
        let contacts = self.contacts()?;
        let mut user_by_name: HashMap<String, &str> = HashMap::new();
        for u in &users {
            user_by_name.entry(u.name.to_ascii_lowercase()).or_insert(&u.name);
        }
        let mut name_by_email: HashMap<String, &str> = HashMap::new();
        for c in &contacts {
            if let Some(email) = &c.email {
                name_by_email.entry(email.to_ascii_lowercase()).or_insert(&c.name);
            }
        }
        let user = |name: &str| user_by_name.get(&name.to_ascii_lowercase()).copied();
        let who = |row: &super::phishing::PhishRow| -> Option<&str> {
            let by_name = row.name.as_deref().and_then(|n| user(n.trim()));
            by_name.or_else(|| {
                let email = row.email.as_deref()?;
                user(name_by_email.get(&email.to_ascii_lowercase())?)
            })
        };
        let now = self.now();
        let id = new_record_id()?;
        let mut campaign = Campaign {
            id: id.clone(),
            name: name.to_owned(),
            imported_at: now,
            sent: rows.len(),
            clicked: rows.iter().filter(|r| r.clicked).count(),
            reported: rows.iter().filter(|r| r.reported).count(),
            clickers: Vec::new(),
            reporters: Vec::new(),
            unmatched: 0,
        };
        let (mut clickers, mut reporters) = (HashSet::new(), HashSet::new());
        for row in rows {
            match who(row) {
                None => campaign.unmatched += 1,
                Some(user) => {
                    if row.clicked && clickers.insert(user) {
                        campaign.clickers.push(user.to_owned());
                    }
                    if row.reported && reporters.insert(user) {
                        campaign.reporters.push(user.to_owned());
                    }
                }
            }
        }
        let mut all = self.training_assignments()?;
        for user in &campaign.clickers {
            all.push(Assignment {
                module: REFRESHER.to_owned(),
                target: Target::User(user.clone()),
                due: today + Duration::days(REFRESHER_DAYS),
                assigned_by: self.user_name().to_owned(),
                assigned_at: now,
                reason: Some(format!(
                    "clicked in the simulated phishing campaign \u{201c}{name}\u{201d}"
                )),
            });
        }
        let event = Event::PhishingImported {
            campaign: name.to_owned(),
            clicked: campaign.clicked,
            refreshers: campaign.clickers.len(),
            reported: campaign.reported,
            sent: campaign.sent,
        };
        self.write(|w| {
            w.require(Permission::ManageTraining, "import phishing results")?;
            w.put(&id, &campaign)?;
            w.put(ASSIGNMENTS, &Assignments(all))?;
            w.append(None, &event)
        })?;
        Ok(campaign)
    }
}

/// Completion of one group (a module or a department): items done of items that apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub name: String,
    pub done: usize,
    pub total: usize,
}

/// Completion by module and by department, from the items.
pub fn completion(items: &[Item]) -> (Vec<Completion>, Vec<Completion>) {
    let group = |key: &dyn Fn(&Item) -> String| -> Vec<Completion> {
        let mut out: Vec<Completion> = Vec::new();
        for i in items {
            let k = key(i);
            let slot = match out.iter_mut().position(|c| c.name == k) {
                Some(n) => n,
                None => {
                    out.push(Completion { name: k, done: 0, total: 0 });
                    out.len() - 1
                }
            };
            if let Some(c) = out.get_mut(slot) {
                c.total += 1;
                c.done += usize::from(i.state.is_done());
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    };
    (
        group(&|i| i.title.clone()),
        group(&|i| i.department.clone().unwrap_or_else(|| "(no department)".to_owned())),
    )
}

/// The recurrence in words, for lists and reports.
pub fn recurrence_words(r: &Recurrence) -> String {
    r.to_string()
}
