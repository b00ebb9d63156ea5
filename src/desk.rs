//! What one workstation's window holds: no store yet, locked, a user's session or
//! emergency access; and the idle lock. The desktop shell keeps one [`Desk`] behind a mutex
//! and its commands call these methods; the rules (who may do what, when to lock) are here,
//! where tests reach them without a window.
//!
//! Time comes in as an argument (`now`), so the idle lock is tested on a fake clock.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::contacts::calltree;
use crate::incident;
use crate::playbook::pack::{PackInfo, PackedPlaybook};
use crate::playbook::view::{Hit, PlaybookView, search};
use crate::playbook::{Playbook, PlaybookSummary};
use crate::store::{EmergencySession, Kind, Record, Role, Session, Settings, Store, UserInfo};
use crate::{Error, Result};

/// Where the window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No store on this workstation yet: the first-run screen.
    Setup,
    /// The lock screen: no data, no key in memory.
    Locked,
    /// A user is signed in.
    Unlocked,
    /// Emergency (break-glass) access: ward records only, with a banner.
    Emergency,
}

/// The signed-in user, as the window shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub name: String,
    pub role: Role,
    pub must_change_passphrase: bool,
}

/// Everything the window needs to decide what to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub phase: Phase,
    pub user: Option<UserView>,
    /// The idle time after which the app locks.
    pub idle_lock_secs: u64,
    /// Seconds left before the idle lock (0 when locked).
    pub idle_remaining_secs: u64,
}

/// What the lock screen shows: names for the picker, and whether emergency access exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockScreen {
    pub names: Vec<String>,
    pub emergency_available: bool,
}

/// An incident as the guided screen shows it: where it stands and the step to do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentView {
    pub progress: incident::Progress,
    /// The current step in full (`None`: the playbook is finished).
    pub step: Option<crate::playbook::Step>,
    pub phase_name: Option<String>,
    pub band_name: Option<String>,
    pub role_name: Option<String>,
    /// Steps of the playbook not yet reached on this path (at most: branches skip some).
    pub steps_total: usize,
    /// The steps still reachable from the current one, itself included: at most this many
    /// are left (a decision's branches may skip some).
    pub steps_left: usize,
    /// The positions the signed-in user holds here, and their job action sheet's steps.
    pub my_positions: Vec<String>,
    pub my_steps: Vec<incident::StepState>,
    /// The signed-in user may assign positions and close (its lead, leads and admins).
    pub can_command: bool,
    /// Every position a playbook step is for, and the standard HICS ones (id, name).
    pub positions_available: Vec<(String, String)>,
    /// The current step would send patient information over an unsecure channel.
    pub step_warnings: Vec<crate::contacts::channels::Warning>,
    /// The contacts of the tree the current step says to call (by contact role).
    pub step_contacts: Vec<crate::contacts::Contact>,
}

impl IncidentView {
    fn new(progress: incident::Progress, list: &[Playbook], session: &Session) -> Result<Self> {
        let playbook = incident::playbook(list, &progress.incident.playbook)?;
        let step = progress
            .current
            .as_deref()
            .and_then(|id| playbook.steps.iter().find(|s| s.id == id))
            .cloned();
        let me = session.user_name();
        let my_positions = progress.positions_of(me).into_iter().map(str::to_owned).collect();
        let my_steps = progress.job_sheet(me).into_iter().cloned().collect();
        let mut positions_available: Vec<(String, String)> =
            crate::playbook::format::STANDARD_ROLES
                .iter()
                .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
                .chain(playbook.roles.iter().cloned())
                .collect();
        // The positions this playbook's steps are for come first.
        positions_available.sort_by_key(|(id, _)| !playbook.steps.iter().any(|s| &s.role == id));
        Ok(Self {
            phase_name: step
                .as_ref()
                .map(|s| crate::playbook::format::phase_name(&s.phase).to_owned()),
            band_name: step
                .as_ref()
                .map(|s| crate::playbook::format::band_name(&s.band).to_owned()),
            role_name: step.as_ref().map(|s| playbook.role_name(&s.role).to_owned()),
            steps_total: playbook.steps.len(),
            steps_left: progress.current.as_deref().map_or(0, |c| reachable(playbook, c)),
            can_command: progress.incident.lead.eq_ignore_ascii_case(me)
                || matches!(session.role(), Role::Admin | Role::Lead),
            my_positions,
            my_steps,
            positions_available,
            step_contacts: match &step {
                Some(s) if !s.calls.is_empty() => session
                    .contacts()?
                    .into_iter()
                    .filter(|c| c.role.as_ref().is_some_and(|r| s.calls.contains(r)))
                    .collect(),
                _ => Vec::new(),
            },
            step_warnings: step.as_ref().map_or_else(Vec::new, |s| {
                crate::contacts::channels::check(&format!(
                    "{}\n{}",
                    s.instruction,
                    s.checklist.join("\n")
                ))
            }),
            step,
            progress,
        })
    }
}

fn calls_view(
    progress: incident::Progress,
    contacts: &[crate::contacts::Contact],
    now: chrono::DateTime<chrono::Utc>,
) -> CallsView {
    let tree = calltree::tree_for(contacts, Some(&progress.incident.playbook));
    let tree = calltree::status(&tree, contacts, &progress.calls, now);
    CallsView {
        unreached: tree.iter().filter(|s| !s.reached()).count(),
        closed: progress.closed,
        incident: progress.incident,
        tree,
    }
}

/// The signed-in person's training that is due soon or overdue, for a reminder (in the
/// window, and once a day as a desktop notification).
fn training_reminders(
    items: Vec<TrainingItem>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Reminder> {
    let day = crate::training::schedule::reminder_day(now, &chrono::Local);
    // The key changes each local day: once per item per day.
    let key = day.and_hms_opt(0, 0, 0).map_or(now, |d| d.and_utc());
    items
        .into_iter()
        .filter_map(|i| {
            let say = match i.state {
                crate::training::records::ItemState::DueSoon { due, days_left } => {
                    format!("{} is due {due} ({days_left} days left)", i.title)
                }
                crate::training::records::ItemState::Overdue { due, days_over } => {
                    format!("{} was due {due}: {days_over} days overdue", i.title)
                }
                _ => return None,
            };
            Some(Reminder {
                incident: String::new(),
                title: "Training".into(),
                drill: false,
                step: format!("training:{}", i.module),
                say,
                due: key,
            })
        })
        .collect()
}

/// How many steps can be reached from `from` (itself included), over every branch.
fn reachable(playbook: &Playbook, from: &str) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![from.to_owned()];
    while let Some(id) = todo.pop() {
        let Some(index) = playbook.steps.iter().position(|s| s.id == id) else { continue };
        if seen.insert(index) {
            todo.extend(playbook.successors(index));
        }
    }
    seen.len()
}

/// An incident's calls: the tree for its playbook, each contact with where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallsView {
    pub incident: incident::Incident,
    pub closed: bool,
    pub tree: Vec<calltree::Status>,
    /// Contacts not reached yet (nor their alternates).
    pub unreached: usize,
}

/// A person's standing on one module.
pub type TrainingItem = crate::training::records::Item;

/// A module as the window shows it: the quiz's questions and choices, not its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleView {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub recurrence: String,
    pub summary: String,
    pub sections: Vec<crate::training::Section>,
    pub checklist: Vec<String>,
    pub quiz: Option<QuizView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuizView {
    pub pass_mark_percent: u8,
    /// (question, choices)
    pub questions: Vec<(String, Vec<String>)>,
}

/// An open incident as emergency access shows it: the ward steps to follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WardIncidentView {
    pub incident: incident::WardIncident,
    pub steps: Vec<crate::playbook::Step>,
}

#[derive(Debug)]
enum State {
    Locked,
    User(Box<Session>),
    Emergency(Box<EmergencySession>),
}

/// The window's session state for one store file.
#[derive(Debug)]
pub struct Desk {
    store_path: PathBuf,
    state: State,
    idle_limit: Duration,
    last_activity: Instant,
    /// Reminders already announced (incident, step, due): each is announced once.
    announced: std::collections::HashSet<(String, String, chrono::DateTime<chrono::Utc>)>,
}

/// The review screen: the after-action summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewView {
    pub review: incident::review::Review,
    /// The timeline picture, drawn by the core (the printed review holds the same).
    pub timeline_svg: String,
}

/// A step's reminder that has come due, to announce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub incident: String,
    pub title: String,
    pub drill: bool,
    pub step: String,
    pub say: String,
    pub due: chrono::DateTime<chrono::Utc>,
}

fn default_idle() -> Duration {
    Duration::from_secs(u64::from(Settings::default().idle_lock_minutes) * 60)
}

impl Desk {
    pub fn new(store_path: PathBuf, now: Instant) -> Self {
        Self {
            store_path,
            state: State::Locked,
            idle_limit: default_idle(),
            last_activity: now,
            announced: Default::default(),
        }
    }

    pub fn store_path(&self) -> &std::path::Path {
        &self.store_path
    }

    pub fn status(&self, now: Instant) -> Status {
        let (phase, user) = match &self.state {
            State::Locked if !self.store_path.exists() => (Phase::Setup, None),
            State::Locked => (Phase::Locked, None),
            State::Emergency(_) => (Phase::Emergency, None),
            State::User(s) => (
                Phase::Unlocked,
                Some(UserView {
                    name: s.user_name().to_owned(),
                    role: s.role(),
                    must_change_passphrase: s.must_change_passphrase(),
                }),
            ),
        };
        let remaining = match self.state {
            State::Locked => Duration::ZERO,
            _ => self.idle_limit.saturating_sub(now.saturating_duration_since(self.last_activity)),
        };
        Status {
            phase,
            user,
            idle_lock_secs: self.idle_limit.as_secs(),
            idle_remaining_secs: remaining.as_secs(),
        }
    }

    /// First run: creates the store and its first admin, who is then signed in. Returns the
    /// recovery key, to show once.
    pub fn setup(
        &mut self,
        admin: &str,
        passphrase: &[u8],
        now: Instant,
    ) -> Result<Zeroizing<String>> {
        let (session, recovery) = Store::create(&self.store_path, admin, passphrase)?;
        self.sign_in(session, now);
        Ok(Zeroizing::new(recovery.as_str().to_owned()))
    }

    pub fn lock_screen(&self) -> Result<LockScreen> {
        let store = Store::open(&self.store_path)?;
        Ok(LockScreen {
            names: store.lock_screen_names()?,
            emergency_available: store.has_emergency_code()?,
        })
    }

    pub fn unlock(&mut self, name: &str, passphrase: &[u8], now: Instant) -> Result<Status> {
        self.lock();
        let session = Store::open(&self.store_path)?.unlock(name, passphrase)?;
        self.sign_in(session, now);
        Ok(self.status(now))
    }

    fn sign_in(&mut self, session: Session, now: Instant) {
        self.idle_limit = session
            .settings()
            .map(|s| Duration::from_secs(u64::from(s.idle_lock_minutes) * 60))
            .unwrap_or_else(|_| default_idle());
        self.state = State::User(Box::new(session));
        self.last_activity = now;
    }

    /// Break-glass access with the ward's code; the core records the use.
    pub fn unlock_emergency(&mut self, code: &[u8], now: Instant) -> Result<Status> {
        self.lock();
        let session = Store::open(&self.store_path)?.unlock_emergency(code)?;
        self.state = State::Emergency(Box::new(session));
        self.idle_limit = default_idle();
        self.last_activity = now;
        Ok(self.status(now))
    }

    /// Drops every key. The lock screen shows no data.
    pub fn lock(&mut self) {
        self.state = State::Locked;
    }

    /// The person did something: the idle clock restarts.
    pub fn touch(&mut self, now: Instant) {
        if !matches!(self.state, State::Locked) {
            self.last_activity = now;
        }
    }

    /// Locks if the idle time has run out. Returns true if this call locked.
    pub fn tick(&mut self, now: Instant) -> bool {
        let idle = now.saturating_duration_since(self.last_activity);
        if !matches!(self.state, State::Locked) && idle >= self.idle_limit {
            self.lock();
            return true;
        }
        false
    }

    fn session(&mut self) -> Result<&mut Session> {
        match &mut self.state {
            State::User(s) => Ok(s),
            _ => Err(Error::Locked),
        }
    }

    /// The playbooks in force (imported over embedded): for a signed-in user or under
    /// emergency access.
    fn in_force(&self) -> Result<Vec<Playbook>> {
        let imported: Vec<Record<PackedPlaybook>> = match &self.state {
            State::Locked => return Err(Error::Locked),
            State::User(s) => s.list(Kind::Playbook)?,
            State::Emergency(e) => e.list(Kind::Playbook)?,
        };
        let imported: Vec<PackedPlaybook> = imported.into_iter().map(|r| r.value).collect();
        crate::playbook::pack::in_force(&imported)
    }

    /// The playbooks in force, as the home screen lists them.
    pub fn playbooks(&self) -> Result<Vec<PlaybookSummary>> {
        Ok(self
            .in_force()?
            .into_iter()
            .map(|p| PlaybookSummary { id: p.id, title: p.title })
            .collect())
    }

    /// Search across every playbook in force (title, situation, keywords, triggers, steps).
    pub fn search_playbooks(&self, query: &str) -> Result<Vec<Hit>> {
        Ok(search(&self.in_force()?, query))
    }

    /// One playbook in force, grouped by phase and by role.
    pub fn playbook(&self, id: &str) -> Result<PlaybookView> {
        self.in_force()?
            .into_iter()
            .find(|p| p.id == id)
            .map(PlaybookView::new)
            .ok_or_else(|| Error::PlaybookNotFound { id: id.to_owned() })
    }

    /// Every playbook in force, grouped, for printing the whole pack as a binder.
    pub fn binder(&self) -> Result<Vec<PlaybookView>> {
        Ok(self.in_force()?.into_iter().map(PlaybookView::new).collect())
    }

    /// Starts an incident (or a drill) of a playbook in force. `discovered` is RFC 3339,
    /// or now; `lead` is a user of this workstation, or the signed-in user.
    pub fn start_incident(
        &self,
        playbook: &str,
        drill: bool,
        discovered: Option<&str>,
        lead: Option<&str>,
    ) -> Result<IncidentView> {
        let discovered = match discovered.filter(|d| !d.trim().is_empty()) {
            Some(text) => Some(
                chrono::DateTime::parse_from_rfc3339(text.trim())
                    .map_err(|_| Error::Invalid {
                        what: "discovery time",
                        reason: "write it as 2026-11-28T06:30:00Z".into(),
                    })?
                    .with_timezone(&chrono::Utc),
            ),
            None => None,
        };
        let list = self.in_force()?;
        let session = self.user_session()?;
        let options = incident::StartOptions { drill, discovered, lead: lead.map(str::to_owned) };
        let started = incident::start(session, &list, playbook, options, chrono::Utc::now())?;
        self.incident(&started.id)
    }

    /// The names of this workstation's users: who may lead an incident or take a position.
    pub fn people(&self) -> Result<Vec<String>> {
        Ok(self.user_session()?.list_users()?.into_iter().map(|u| u.name).collect())
    }

    fn user_session(&self) -> Result<&Session> {
        match &self.state {
            State::User(s) => Ok(s),
            _ => Err(Error::Locked),
        }
    }

    /// Where an incident stands, with its current step in full.
    pub fn incident(&self, id: &str) -> Result<IncidentView> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        let progress = incident::progress(session, &list, id)?;
        IncidentView::new(progress, &list, session)
    }

    /// The incidents not yet closed, newest first, each with where it stands, so any
    /// signed-in user can resume one. Empty under emergency access.
    pub fn open_incidents(&self) -> Result<Vec<IncidentView>> {
        let State::User(session) = &self.state else {
            return match self.state {
                State::Locked => Err(Error::Locked),
                _ => Ok(Vec::new()),
            };
        };
        let list = self.in_force()?;
        incident::all_progress(session, &list, session.log_entries(None)?)?
            .into_iter()
            .filter(|p| !p.closed)
            .map(|p| IncidentView::new(p, &list, session))
            .collect()
    }

    /// Acts on an incident's current step.
    pub fn incident_step(
        &self,
        id: &str,
        step: &str,
        action: incident::Action,
    ) -> Result<IncidentView> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        IncidentView::new(incident::step(session, &list, id, step, action)?, &list, session)
    }

    pub fn incident_note(&self, id: &str, text: &str) -> Result<IncidentView> {
        incident::note(self.user_session()?, id, text)?;
        self.incident(id)
    }

    pub fn close_incident(&self, id: &str) -> Result<IncidentView> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        IncidentView::new(incident::close(session, &list, id)?, &list, session)
    }

    /// Gives a HICS position to a person (the incident's lead, incident leads and admins).
    pub fn assign_position(&self, id: &str, position: &str, person: &str) -> Result<IncidentView> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        let progress = incident::assign(session, &list, id, position, person)?;
        IncidentView::new(progress, &list, session)
    }

    /// Says a step's reminder has been seen.
    pub fn acknowledge_timer(&self, id: &str, step: &str) -> Result<IncidentView> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        IncidentView::new(incident::acknowledge_timer(session, &list, id, step)?, &list, session)
    }

    /// Under emergency access: the open incidents, each with its ward steps to follow.
    pub fn ward_incidents(&self) -> Result<Vec<WardIncidentView>> {
        let State::Emergency(e) = &self.state else {
            return Err(Error::Locked);
        };
        let list = self.in_force()?;
        Ok(incident::ward_incidents(e)?
            .into_iter()
            .map(|incident| {
                let steps = list
                    .iter()
                    .find(|p| p.id == incident.playbook)
                    .map(|p| p.steps.iter().filter(|s| s.ward).cloned().collect())
                    .unwrap_or_default();
                WardIncidentView { incident, steps }
            })
            .collect())
    }

    /// Under emergency access: logs what ward staff observed (it reaches the incident's
    /// log at the next full unlock).
    pub fn observe(&self, id: &str, text: &str) -> Result<()> {
        let State::Emergency(e) = &self.state else {
            return Err(Error::Invalid {
                what: "observation",
                reason: "signed-in users add a note instead".into(),
            });
        };
        incident::observe(e, id, text)
    }

    /// What importing a contact tree file would do (admins): nothing is written.
    pub fn preview_contacts(
        &self,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<crate::contacts::Preview> {
        let session = self.user_session()?;
        session.require_admin("change the contact tree")?;
        let ids: Vec<String> = self.in_force()?.into_iter().map(|p| p.id).collect();
        let types: Vec<&str> = ids.iter().map(String::as_str).collect();
        let parsed = crate::contacts::Format::of(file_name, bytes).parse(bytes, &types);
        Ok(crate::contacts::Preview::of(&parsed, &session.contacts()?))
    }

    /// Imports a contact tree file, replacing the tree (admins); see
    /// `Session::import_contacts`.
    pub fn import_contacts(
        &self,
        bytes: &[u8],
        file_name: &str,
        skip_bad_rows: bool,
    ) -> Result<crate::contacts::Preview> {
        let ids: Vec<String> = self.in_force()?.into_iter().map(|p| p.id).collect();
        let types: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.user_session()?.import_contacts(bytes, file_name, &types, skip_bad_rows)
    }

    /// Saves the contact tree as CSV or vCard in `dir`.
    pub fn export_contacts(
        &self,
        format: crate::contacts::Format,
        dir: &std::path::Path,
    ) -> Result<PathBuf> {
        let bytes = format.write(&self.user_session()?.contacts()?)?;
        let ext = match format {
            crate::contacts::Format::Csv => "csv",
            crate::contacts::Format::Vcard => "vcf",
        };
        crate::paths::ensure_data_dir(dir)?;
        let path = dir.join(format!("contact-tree.{ext}"));
        crate::paths::write_replacing(&path, &bytes)?;
        Ok(path)
    }

    /// The signed-in person's training: each module that applies, with where it stands.
    pub fn my_training(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<TrainingItem>> {
        let session = self.user_session()?;
        let modules = crate::training::embedded()?;
        session.own_training_items(&modules, &session.training_acks()?, now, &chrono::Local)
    }

    /// A module to read (its quiz without the answers).
    pub fn training_module(&self, id: &str) -> Result<ModuleView> {
        self.user_session()?;
        let m = crate::training::find(id)?;
        Ok(ModuleView {
            id: m.id,
            title: m.title,
            version: m.version,
            recurrence: m.recurrence.to_string(),
            summary: m.summary,
            sections: m.sections,
            checklist: m.checklist,
            quiz: m.quiz.map(|q| QuizView {
                pass_mark_percent: q.pass_mark_percent,
                questions: q.questions.into_iter().map(|x| (x.ask, x.choices)).collect(),
            }),
        })
    }

    /// The signed-in person acknowledges a module (their own, under their own unlock).
    pub fn acknowledge_training(
        &self,
        id: &str,
        answers: Option<Vec<usize>>,
    ) -> Result<TrainingItem> {
        let session = self.user_session()?;
        let modules = crate::training::embedded()?;
        session.acknowledge_training(&modules, id, answers.as_deref())?;
        self.my_training(chrono::Utc::now())?
            .into_iter()
            .find(|i| i.module == id)
            .ok_or_else(|| Error::TrainingNotFound { id: id.to_owned() })
    }

    /// The compliance dashboard (admins and leads).
    pub fn training_dashboard(&self) -> Result<crate::training::report::Dashboard> {
        let session = self.user_session()?;
        if !matches!(session.role_now()?, Role::Admin | Role::Lead) {
            return Err(Error::PermissionDenied {
                action: "see the training dashboard",
                needed: "admins and incident leads",
            });
        }
        let modules = crate::training::embedded()?;
        let items = session.training_items(&modules, chrono::Utc::now(), &chrono::Local)?;
        crate::training::report::dashboard(&items, &session.campaigns()?)
    }

    /// Assigns a module (admins): to a role, a department or a person.
    pub fn assign_training(
        &self,
        module: &str,
        target: crate::training::records::Target,
        due: &str,
    ) -> Result<()> {
        let due = chrono::NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d").map_err(|_| {
            Error::Invalid { what: "due date", reason: "write it as 2026-12-31".into() }
        })?;
        let modules = crate::training::embedded()?;
        self.user_session()?.assign_training(&modules, module, target, due, None).map(|_| ())
    }

    /// Imports a phishing campaign's results file (admins).
    pub fn import_phishing(
        &self,
        bytes: &[u8],
        name: &str,
    ) -> Result<crate::training::records::Campaign> {
        let rows = crate::training::phishing::parse_results(bytes).map_err(|problems| {
            Error::ImportRejected { problems: problems.iter().map(ToString::to_string).collect() }
        })?;
        let modules = crate::training::embedded()?;
        let today = chrono::Utc::now().with_timezone(&chrono::Local).date_naive();
        self.user_session()?.import_phishing(&modules, name, &rows, today)
    }

    /// Saves the training report (`csv` or `html`) in `dir` (admins and leads).
    pub fn training_report(&self, format: &str, dir: &std::path::Path) -> Result<PathBuf> {
        let html = match format {
            "html" => true,
            "csv" => false,
            _ => {
                return Err(Error::Invalid {
                    what: "format",
                    reason: "must be csv or html".into(),
                });
            }
        };
        let session = self.user_session()?;
        let d = self.training_dashboard()?;
        let modules = crate::training::embedded()?;
        let now = chrono::Utc::now();
        let items = session.training_items(&modules, now, &chrono::Local)?;
        let (bytes, ext) = if html {
            (
                crate::training::report::html(&d, &items, session.user_name(), now).into_bytes(),
                "html",
            )
        } else {
            (crate::training::report::csv(&items)?, "csv")
        };
        crate::paths::ensure_data_dir(dir)?;
        let path = dir.join(format!("training-report-{}.{ext}", now.format("%Y-%m-%d")));
        crate::paths::write_replacing(&path, &bytes)?;
        Ok(path)
    }

    /// The contact tree, in calling order (any signed-in user).
    pub fn contacts(&self) -> Result<Vec<crate::contacts::Contact>> {
        self.user_session()?.contacts()
    }

    /// An incident's call tree and where each call stands now.
    pub fn calls(&self, id: &str) -> Result<CallsView> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        let progress = incident::progress(session, &list, id)?;
        Ok(calls_view(progress, &session.contacts()?, chrono::Utc::now()))
    }

    /// Records a call's outcome (reached, no-answer, left-message, wrong-number).
    pub fn record_call(&self, id: &str, contact: &str, outcome: &str) -> Result<CallsView> {
        let outcome: calltree::Outcome = outcome.parse()?;
        let list = self.in_force()?;
        let session = self.user_session()?;
        let progress = incident::call(session, &list, id, contact, outcome)?;
        Ok(calls_view(progress, &session.contacts()?, chrono::Utc::now()))
    }

    /// Saves an incident's export (html: the HICS 214, csv, json: the evidence bundle) in
    /// `dir` and returns the file's path. Incident leads and admins.
    pub fn export_incident(
        &self,
        id: &str,
        format: incident::export::Format,
        dir: &std::path::Path,
    ) -> Result<PathBuf> {
        let list = self.in_force()?;
        let session = self.user_session()?;
        let bytes =
            incident::export::incident_file(session, &list, id, format, chrono::Utc::now())?;
        let ext = match format {
            incident::export::Format::Html => "hics214.html",
            incident::export::Format::Csv => "csv",
            incident::export::Format::Json => "log.jsonl",
        };
        crate::paths::ensure_data_dir(dir)?;
        let path = dir.join(format!("incident-{id}.{ext}"));
        crate::paths::write_replacing(&path, &bytes)?;
        Ok(path)
    }

    /// The after-action review of an incident (so far, while it runs).
    pub fn review_view(&self, id: &str) -> Result<ReviewView> {
        let list = self.in_force()?;
        let progress = incident::progress(self.user_session()?, &list, id)?;
        let playbook = incident::playbook(&list, &progress.incident.playbook)?;
        let now = chrono::Utc::now();
        let timeline_svg =
            incident::timeline::render_svg(&incident::review::timeline(&progress, playbook, now))?;
        Ok(ReviewView { review: incident::review::review(&progress, playbook, now), timeline_svg })
    }

    /// The reminders that have come due: open incidents' step timers nobody has said they
    /// saw, calls to escalate, and the signed-in person's training due soon or overdue; for
    /// the window's banner. Nothing while locked or under emergency access.
    pub fn reminders(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<Reminder> {
        // One read of the log serves every open incident and the training.
        let State::User(session) = &self.state else { return Vec::new() };
        let Ok(entries) = session.log_entries(None) else { return Vec::new() };
        let acks = crate::training::records::acks_of(&entries);
        let open = self
            .in_force()
            .and_then(|list| incident::all_progress(session, &list, entries))
            .unwrap_or_default();
        let contacts = session.contacts().unwrap_or_default();
        let mut out = Vec::new();
        for progress in open.into_iter().filter(|p| !p.closed) {
            // Calls gone unanswered past their wait: call the alternate.
            let calls = calls_view(progress.clone(), &contacts, now);
            for s in calls.tree {
                if let calltree::State::Escalate { since, reason } = s.state {
                    let i = &progress.incident;
                    out.push(Reminder {
                        incident: i.id.clone(),
                        title: i.title.clone(),
                        drill: i.drill,
                        step: format!("call:{}", s.node.contact.id),
                        say: format!("{}: {reason}", s.node.contact.name),
                        due: since,
                    });
                }
            }
            let i = &progress.incident;
            for t in progress.timers.iter().filter(|t| !t.acknowledged && t.due <= now) {
                out.push(Reminder {
                    incident: i.id.clone(),
                    title: i.title.clone(),
                    drill: i.drill,
                    step: t.step.clone(),
                    say: t.say.clone(),
                    due: t.due,
                });
            }
        }
        let modules = crate::training::embedded().unwrap_or_default();
        if let Ok(items) = session.own_training_items(&modules, &acks, now, &chrono::Local) {
            out.extend(training_reminders(items, now));
        }
        out
    }

    /// The due reminders not announced yet: each is returned once, for the shell to raise
    /// a desktop notification (the window's banner keeps showing it until it is seen).
    pub fn announce_reminders(&mut self, now: chrono::DateTime<chrono::Utc>) -> Vec<Reminder> {
        self.reminders(now)
            .into_iter()
            .filter(|r| self.announced.insert((r.incident.clone(), r.step.clone(), r.due)))
            .collect()
    }

    /// The imported pack in force, or `None` when the built-in pack is.
    pub fn pack_info(&self) -> Result<Option<PackInfo>> {
        match &self.state {
            State::Locked => Err(Error::Locked),
            State::User(s) => crate::playbook::pack::status(s),
            State::Emergency(e) => Ok(e.list(Kind::PackInfo)?.into_iter().next().map(|r| r.value)),
        }
    }

    /// The ward's call list (entries as the contact tree stores them), for a signed-in user
    /// or under emergency access.
    pub fn ward_call_list(&self) -> Result<Vec<serde_json::Value>> {
        let records = match &self.state {
            State::Locked => return Err(Error::Locked),
            State::User(s) => s.list(Kind::WardCallList)?,
            State::Emergency(e) => e.list(Kind::WardCallList)?,
        };
        Ok(records.into_iter().map(|r| r.value).collect())
    }

    pub fn change_own_passphrase(&mut self, new_passphrase: &[u8]) -> Result<()> {
        let session = self.session()?;
        let name = session.user_name().to_owned();
        session.change_passphrase(&name, new_passphrase)
    }

    pub fn users(&mut self) -> Result<Vec<UserInfo>> {
        self.session()?.list_users()
    }

    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        first_passphrase: &[u8],
        department: Option<&str>,
    ) -> Result<()> {
        let session = self.session()?;
        session.add_user(name, role, first_passphrase)?;
        match department.filter(|d| !d.trim().is_empty()) {
            Some(d) => session.set_department(name, Some(d)),
            None => Ok(()),
        }
    }

    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        self.session()?.remove_user(name)
    }

    pub fn reset_passphrase(&mut self, name: &str, new_passphrase: &[u8]) -> Result<()> {
        self.session()?.change_passphrase(name, new_passphrase)
    }

    pub fn settings(&mut self) -> Result<Settings> {
        self.session()?.settings()
    }

    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<()> {
        self.session()?.set_idle_lock_minutes(minutes)?;
        self.idle_limit = Duration::from_secs(u64::from(minutes) * 60);
        Ok(())
    }

    /// Makes a new emergency code, sets it (retiring the old one) and returns it to print.
    pub fn new_emergency_code(&mut self) -> Result<Zeroizing<String>> {
        let code = crate::store::generate_emergency_code()?;
        self.session()?.set_emergency_code(code.as_bytes())?;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &[u8] = b"correct horse battery staple";

    fn desk() -> (tempfile::TempDir, Desk, Instant) {
        let dir = tempfile::tempdir().unwrap();
        let now = Instant::now();
        let desk = Desk::new(dir.path().join("data/store.db"), now);
        (dir, desk, now)
    }

    #[test]
    fn setup_then_lock_then_unlock() {
        let (_dir, mut desk, t0) = desk();
        assert_eq!(desk.status(t0).phase, Phase::Setup);
        assert_eq!(desk.playbooks().unwrap_err().code(), "locked");
        let key = desk.setup("Ada Admin", PASS, t0).unwrap();
        assert_eq!(key.split('-').count(), 13);
        let st = desk.status(t0);
        assert_eq!(st.phase, Phase::Unlocked);
        assert_eq!(st.user.unwrap().role, Role::Admin);
        assert!(!desk.playbooks().unwrap().is_empty());

        desk.lock();
        assert_eq!(desk.status(t0).phase, Phase::Locked);
        assert_eq!(desk.playbooks().unwrap_err().code(), "locked");
        assert_eq!(desk.users().unwrap_err().code(), "locked");
        let screen = desk.lock_screen().unwrap();
        assert_eq!(
            screen,
            LockScreen { names: vec!["Ada Admin".into()], emergency_available: false }
        );
        assert_eq!(
            desk.unlock("Ada Admin", b"wrong passphrase!", t0).unwrap_err().code(),
            "wrong_passphrase"
        );
        assert_eq!(desk.unlock("Ada Admin", PASS, t0).unwrap().phase, Phase::Unlocked);
    }

    /// Table-driven on a fake clock: (idle minutes set, seconds idle, locked?).
    #[test]
    fn the_idle_lock_follows_the_admins_setting() {
        let cases =
            [(10, 599, false), (10, 600, true), (1, 59, false), (1, 60, true), (30, 1200, false)];
        for (minutes, idle_secs, locks) in cases {
            let (_dir, mut desk, t0) = desk();
            desk.setup("Ada Admin", PASS, t0).unwrap();
            desk.set_idle_lock_minutes(minutes).unwrap();
            desk.touch(t0);
            let later = t0 + Duration::from_secs(idle_secs);
            let st = desk.status(later);
            assert_eq!(st.idle_lock_secs, u64::from(minutes) * 60);
            assert_eq!(desk.tick(later), locks, "{minutes} min, {idle_secs} s idle");
            assert_eq!(desk.status(later).phase == Phase::Locked, locks);
        }
    }

    #[test]
    fn activity_postpones_the_lock_and_a_restart_keeps_the_setting() {
        let (dir, mut desk, t0) = desk();
        desk.setup("Ada Admin", PASS, t0).unwrap();
        desk.set_idle_lock_minutes(2).unwrap();
        desk.touch(t0 + Duration::from_secs(100));
        assert!(!desk.tick(t0 + Duration::from_secs(200)));
        assert_eq!(desk.status(t0 + Duration::from_secs(200)).idle_remaining_secs, 20);
        assert!(desk.tick(t0 + Duration::from_secs(220)));
        // A new window on the same store reads the admin's setting at unlock.
        let mut again = Desk::new(dir.path().join("data/store.db"), t0);
        again.unlock("Ada Admin", PASS, t0).unwrap();
        assert_eq!(again.status(t0).idle_lock_secs, 120);
    }

    #[test]
    fn emergency_access_shows_playbooks_and_nothing_of_the_admins() {
        let (_dir, mut desk, t0) = desk();
        desk.setup("Ada Admin", PASS, t0).unwrap();
        let code = desk.new_emergency_code().unwrap();
        // An imported playbook (sealed under the ward key) shows under emergency access too.
        let extra = PackedPlaybook {
            file: "extra.toml".into(),
            text: include_str!("../playbooks/phishing.toml").replacen(
                "id = \"phishing\"",
                "id = \"ward-extra\"",
                1,
            ),
        };
        desk.session().unwrap().put(Kind::Playbook, "ward-extra", &extra).unwrap();
        assert_eq!(code.len(), 19);
        desk.lock();
        assert!(desk.lock_screen().unwrap().emergency_available);
        assert_eq!(
            desk.unlock_emergency(b"NOT-THE-CODE-AT-ALL", t0).unwrap_err().code(),
            "wrong_passphrase"
        );
        let st = desk.unlock_emergency(code.to_lowercase().as_bytes(), t0).unwrap();
        assert_eq!(st.phase, Phase::Emergency);
        assert!(st.user.is_none());
        let shown = desk.playbooks().unwrap();
        assert_eq!(shown.len(), 11);
        assert!(shown.iter().any(|p| p.id == "ward-extra"));
        assert_eq!(desk.pack_info().unwrap(), None);
        assert!(desk.ward_call_list().unwrap().is_empty());
        assert_eq!(desk.users().unwrap_err().code(), "locked");
        assert_eq!(desk.settings().unwrap_err().code(), "locked");
        desk.lock();
        assert_eq!(desk.status(t0).phase, Phase::Locked);
    }

    #[test]
    fn a_new_user_must_change_their_passphrase_first() {
        let (_dir, mut desk, t0) = desk();
        desk.setup("Ada Admin", PASS, t0).unwrap();
        desk.add_user("Nina Nurse", Role::Clinician, b"first passphrase 1", Some("Ward 4"))
            .unwrap();
        desk.unlock("Nina Nurse", b"first passphrase 1", t0).unwrap();
        assert!(desk.status(t0).user.unwrap().must_change_passphrase);
        assert_eq!(desk.playbooks().unwrap_err().code(), "passphrase_change_required");
        desk.change_own_passphrase(b"nina's own passphrase").unwrap();
        assert!(!desk.status(t0).user.unwrap().must_change_passphrase);
        assert!(!desk.playbooks().unwrap().is_empty());
        let users = desk.users().unwrap();
        assert_eq!(users.len(), 2);
        let nina = users.iter().find(|u| u.name == "Nina Nurse").unwrap();
        assert_eq!(nina.department.as_deref(), Some("Ward 4"));
        assert_eq!(
            desk.add_user("X", Role::Admin, b"first passphrase 2", None).unwrap_err().code(),
            "permission_denied"
        );
    }

    /// A step's reminder is announced once when it comes due, never while locked, and
    /// stops when someone says they saw it.
    #[test]
    fn reminders_are_announced_once_when_due() {
        let (_dir, mut desk, t0) = desk();
        desk.setup("Ada Admin", PASS, t0).unwrap();
        let view = desk.start_incident("ransomware", true, None, None).unwrap();
        let id = view.progress.incident.id.clone();
        let start = view.progress.incident.started;
        assert!(view.can_command);
        assert_eq!(view.my_positions, ["incident-commander"]);
        assert!(desk.announce_reminders(start + chrono::Duration::minutes(14)).is_empty());
        let due = desk.announce_reminders(start + chrono::Duration::minutes(15));
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].step.as_str(), due[0].drill), ("stop-and-unplug", true));
        assert!(desk.announce_reminders(start + chrono::Duration::minutes(16)).is_empty());
        // The banner keeps showing it until it is seen.
        assert_eq!(desk.reminders(start + chrono::Duration::minutes(16)).len(), 1);
        desk.lock();
        assert!(desk.announce_reminders(start + chrono::Duration::minutes(17)).is_empty());
        desk.unlock("Ada Admin", PASS, t0).unwrap();
        let seen = desk.acknowledge_timer(&id, "stop-and-unplug").unwrap();
        assert!(seen.progress.timers.iter().all(|t| t.acknowledged));
        assert_eq!(
            desk.acknowledge_timer(&id, "stop-and-unplug").unwrap_err().code(),
            "invalid_input"
        );
    }

    /// Emergency access sees an open incident's ward steps and logs an observation; a
    /// signed-in user cannot pose as emergency access.
    #[test]
    fn emergency_access_follows_ward_steps_and_observes() {
        let (_dir, mut desk, t0) = desk();
        desk.setup("Ada Admin", PASS, t0).unwrap();
        let code = desk.new_emergency_code().unwrap();
        let id =
            desk.start_incident("ehr-downtime", false, None, None).unwrap().progress.incident.id;
        assert_eq!(desk.observe(&id, "x").unwrap_err().code(), "invalid_input");
        assert_eq!(desk.ward_incidents().unwrap_err().code(), "locked");
        desk.lock();
        desk.unlock_emergency(code.as_bytes(), t0).unwrap();
        let ward = desk.ward_incidents().unwrap();
        assert_eq!(ward.len(), 1);
        assert!(!ward[0].steps.is_empty() && ward[0].steps.iter().all(|s| s.ward));
        desk.observe(&id, "Lab results printer down on ward 3").unwrap();
        assert_eq!(desk.incident(&id).unwrap_err().code(), "locked");
        desk.lock();
        desk.unlock("Ada Admin", PASS, t0).unwrap();
        let view = desk.incident(&id).unwrap();
        assert!(view.progress.events.iter().any(|e| e.kind == "observation"
            && e.detail.as_deref() == Some("Lab results printer down on ward 3")));
    }
}
