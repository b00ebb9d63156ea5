//! Running incidents from either front end: start one, see where it stands with the step
//! to do now, act on it, take notes, hand out positions, close it; what ward staff see of
//! it under emergency access; the after-action review and its timeline; and the reminders
//! that come due.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::App;
use super::contacts::{CallLine, call_lines};
use crate::contacts::Contact;
use crate::contacts::calltree;
use crate::contacts::channels;
use crate::incident::review::{self, Review};
use crate::incident::{self, Action, Progress, StartOptions, WardIncident};
use crate::log::Anchor;
use crate::playbook::format::{STANDARD_ROLES, band_name, phase_name};
use crate::playbook::{Playbook, Step};
use crate::store::{Role, Session};
use crate::{Error, Result};

/// An incident as the guided screen shows it: where it stands and the step to do now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentView {
    pub progress: Progress,
    /// The current step in full (`None`: the playbook is finished).
    pub step: Option<Step>,
    pub phase_name: Option<String>,
    pub band_name: Option<String>,
    pub role_name: Option<String>,
    /// Steps of the playbook.
    pub steps_total: usize,
    /// The steps still reachable from the current one, itself included: at most this many
    /// are left (a decision's branches may skip some).
    pub steps_left: usize,
    /// The positions the signed-in user holds here, and their job action sheet's steps.
    pub my_positions: Vec<String>,
    pub my_steps: Vec<incident::StepState>,
    /// The signed-in user may assign positions and close (its lead, or by permission).
    pub can_command: bool,
    /// Every position a playbook step is for, and the standard HICS ones (id, name).
    pub positions_available: Vec<(String, String)>,
    /// The current step would send patient information over an unsecure channel.
    pub step_warnings: Vec<channels::Warning>,
    /// The contacts of the tree the current step says to call (by contact role).
    pub step_contacts: Vec<Contact>,
    /// What of the asset register the current step shows (`register` in the playbook).
    pub register: Option<super::assets::RegisterPanel>,
}

/// An open incident as emergency access shows it: the ward steps to follow, and for each
/// step whom to call, by name and number from the ward's call list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WardIncidentView {
    pub incident: WardIncident,
    pub steps: Vec<Step>,
    /// For each of `steps`, the calls it says to make.
    pub calls: Vec<Vec<CallLine>>,
}

/// The review screen: the after-action summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewView {
    pub review: Review,
    /// The timeline picture, drawn by the core (the printed review holds the same).
    pub timeline_svg: String,
    /// The log's last checkpoint and its key's fingerprint, printed at the review's foot.
    pub anchor: Anchor,
}

/// A reminder that has come due, to announce: a step's timer, a call to escalate, or the
/// signed-in person's training.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub incident: String,
    pub title: String,
    pub drill: bool,
    pub step: String,
    pub say: String,
    pub due: DateTime<Utc>,
}

impl Reminder {
    /// A reminder of incident `i`: its `step` (a step's id, `call:CONTACT` or
    /// `clock:STEP:LEAD`), what to say, and when it came due.
    pub(super) fn of(
        i: &incident::Incident,
        step: String,
        say: String,
        due: DateTime<Utc>,
    ) -> Self {
        Reminder { incident: i.id.clone(), title: i.title.clone(), drill: i.drill, step, say, due }
    }
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

/// What the incident views of one call are drawn with, read once.
struct Viewer<'a> {
    session: &'a Session,
    playbooks: &'a [Playbook],
    contacts: &'a [Contact],
    role: Role,
    /// The asset register, for those who may read it (`None`: the signed-in person may
    /// not), with the workstation's date.
    assets: Option<(std::sync::Arc<Vec<crate::assets::Asset>>, chrono::NaiveDate)>,
}

fn incident_view(progress: Progress, with: &Viewer<'_>) -> Result<IncidentView> {
    let playbook = super::library::find(with.playbooks, &progress.incident.playbook)?;
    let me = with.session.user_name();
    let step = progress
        .current
        .as_deref()
        .and_then(|id| playbook.steps.iter().find(|s| s.id == id))
        .cloned();
    let mut positions_available: Vec<(String, String)> = STANDARD_ROLES
        .iter()
        .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
        .chain(playbook.roles.iter().cloned())
        .collect();
    // The positions this playbook's steps are for come first.
    positions_available.sort_by_key(|(id, _)| !playbook.steps.iter().any(|s| &s.role == id));
    let step_contacts = match &step {
        Some(s) => with
            .contacts
            .iter()
            .filter(|c| c.role.as_ref().is_some_and(|r| s.calls.contains(r)))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    Ok(IncidentView {
        phase_name: step.as_ref().map(|s| phase_name(&s.phase).to_owned()),
        band_name: step.as_ref().map(|s| band_name(&s.band).to_owned()),
        role_name: step.as_ref().map(|s| playbook.role_name(&s.role).to_owned()),
        steps_total: playbook.steps.len(),
        steps_left: progress.current.as_deref().map_or(0, |c| reachable(playbook, c)),
        can_command: incident::may_command(with.role, me, &progress.incident),
        my_positions: progress.positions_of(me).into_iter().map(str::to_owned).collect(),
        my_steps: progress.job_sheet(me).into_iter().cloned().collect(),
        positions_available,
        step_contacts,
        step_warnings: step.as_ref().map_or_else(Vec::new, |s| {
            channels::check(&format!("{}\n{}", s.instruction, s.checklist.join("\n")))
        }),
        register: step.as_ref().and_then(|s| s.register).map(|view| {
            super::assets::RegisterPanel::of(
                view,
                with.assets.as_ref().map(|(a, d)| (a.as_slice(), *d)),
            )
        }),
        step,
        progress,
    })
}

impl App {
    /// Where an incident stands, replayed from its log.
    pub fn progress(&self, id: &str) -> Result<Progress> {
        incident::progress(self.user()?, &self.in_force()?, id)
    }

    /// An incident's progress with its playbook.
    fn progress_and_playbook(&self, id: &str) -> Result<(Progress, Playbook)> {
        let list = self.in_force()?;
        let progress = incident::progress(self.user()?, &list, id)?;
        let playbook = super::library::find(&list, &progress.incident.playbook)?.clone();
        Ok((progress, playbook))
    }

    /// Runs `then` with the playbooks in force, the contact tree and the signed-in user's
    /// role, each read once for every incident a call draws.
    fn with_viewer<T>(&self, then: impl FnOnce(&Viewer<'_>) -> Result<T>) -> Result<T> {
        let session = self.user()?;
        let (playbooks, contacts) = (self.in_force()?, self.contact_tree()?);
        let role = session.role_now()?;
        let assets = if role.may(crate::store::Permission::ReadAssets) {
            Some((self.register()?, self.today()))
        } else {
            None
        };
        then(&Viewer { session, playbooks: &playbooks, contacts: &contacts, role, assets })
    }

    /// Runs `act` on the playbooks in force and draws the incident it leaves.
    pub(super) fn view(
        &self,
        act: impl FnOnce(&Session, &[Playbook]) -> Result<Progress>,
    ) -> Result<IncidentView> {
        self.with_viewer(|v| incident_view(act(v.session, v.playbooks)?, v))
    }

    /// Starts an incident (or a drill) of a playbook in force. `lead` is a user of this
    /// workstation, or the signed-in user; `discovered` defaults to now.
    pub fn start_incident(
        &self,
        playbook: &str,
        drill: bool,
        discovered: Option<DateTime<Utc>>,
        lead: Option<String>,
    ) -> Result<IncidentView> {
        let options = StartOptions { drill, discovered, lead };
        let started =
            incident::start(self.user()?, &self.in_force()?, playbook, options, self.now())?;
        self.incident(&started.id)
    }

    /// Every incident, newest first.
    pub fn incidents(&self) -> Result<Vec<incident::Incident>> {
        incident::list(self.user()?)
    }

    /// Where an incident stands, with its current step in full.
    pub fn incident(&self, id: &str) -> Result<IncidentView> {
        self.view(|s, list| incident::progress(s, list, id))
    }

    /// The incidents not yet closed, newest first, so any signed-in user can resume one.
    /// Empty under emergency access.
    pub fn open_incidents(&self) -> Result<Vec<IncidentView>> {
        if self.emergency().is_ok() {
            return Ok(Vec::new());
        }
        self.with_viewer(|v| {
            let all = incident::all_progress(v.session, v.playbooks, v.session.events(None)?)?;
            all.into_iter().filter(|p| !p.closed).map(|p| incident_view(p, v)).collect()
        })
    }

    /// Acts on an incident's current step.
    pub fn incident_step(&self, id: &str, step: &str, action: Action) -> Result<IncidentView> {
        self.view(|s, list| incident::step(s, list, id, step, action))
    }

    /// Adds a note; returns its log entry's number and the incident.
    pub fn incident_note(&self, id: &str, text: &str) -> Result<(u64, IncidentView)> {
        let seq = incident::note(self.user()?, id, text)?;
        Ok((seq, self.incident(id)?))
    }

    pub fn close_incident(&self, id: &str) -> Result<IncidentView> {
        self.view(|s, list| incident::close(s, list, id))
    }

    /// Sets the discovery time again, with a reason (the lead, or by permission): a
    /// correcting log entry; every clock is derived from the new time.
    pub fn correct_discovery(
        &self,
        id: &str,
        discovered: DateTime<Utc>,
        reason: &str,
    ) -> Result<IncidentView> {
        self.view(|s, list| incident::correct_discovery(s, list, id, discovered, reason))
    }

    /// Pauses a legal clock (named by its step) for a law-enforcement delay, with the
    /// official's statement; `written` when a written statement was given.
    pub fn pause_clock(
        &self,
        id: &str,
        clock: &str,
        reason: &str,
        written: bool,
    ) -> Result<IncidentView> {
        self.view(|s, list| incident::pause_clock(s, list, id, clock, reason, written))
    }

    /// Ends a law-enforcement delay of a clock.
    pub fn resume_clock(&self, id: &str, clock: &str) -> Result<IncidentView> {
        self.view(|s, list| incident::resume_clock(s, list, id, clock))
    }

    /// Gives a HICS position to a person (the incident's lead, or by permission).
    pub fn assign_position(&self, id: &str, position: &str, person: &str) -> Result<IncidentView> {
        self.view(|s, list| incident::assign(s, list, id, position, person))
    }

    /// Says a step's reminder has been seen.
    pub fn acknowledge_timer(&self, id: &str, step: &str) -> Result<IncidentView> {
        self.view(|s, list| incident::acknowledge_timer(s, list, id, step))
    }

    /// The names of this workstation's users: who may lead an incident or take a position.
    pub fn people(&self) -> Result<Vec<String>> {
        Ok(self.user()?.list_users()?.into_iter().map(|u| u.name).collect())
    }

    /// Under emergency access: the open incidents, each with its ward steps to follow and
    /// whom each step says to call.
    pub fn ward_incidents(&self) -> Result<Vec<WardIncidentView>> {
        let emergency = self.emergency()?;
        let list = self.in_force()?;
        let ward = self.ward_call_list()?;
        Ok(incident::ward_incidents(emergency)?
            .into_iter()
            .map(|incident| {
                let steps: Vec<Step> = list
                    .iter()
                    .find(|p| p.id == incident.playbook)
                    .map(|p| p.steps.iter().filter(|s| s.ward).cloned().collect())
                    .unwrap_or_default();
                let calls = steps.iter().map(|s| call_lines(&s.calls, &ward)).collect();
                WardIncidentView { incident, steps, calls }
            })
            .collect())
    }

    /// Under emergency access: logs what ward staff observed (it reaches the incident's
    /// log at the next full unlock).
    pub fn observe(&self, id: &str, text: &str) -> Result<()> {
        let Ok(emergency) = self.emergency() else {
            return Err(super::session::emergency_only("observation", "add a note"));
        };
        incident::observe(emergency, id, text)
    }

    /// The after-action review of an incident (so far, while it runs).
    pub fn review(&self, id: &str) -> Result<Review> {
        let (progress, playbook) = self.progress_and_playbook(id)?;
        let mut review = review::review(&progress, &playbook, self.now(), &self.zone());
        review.forensics = self.review_forensics(&progress.incident.id);
        Ok(review)
    }

    /// The forensics summary a review carries: for a reader who may see the incident's
    /// forensic record, and only when it holds something (evidence, indicators, findings).
    fn review_forensics(&self, id: &str) -> Option<crate::forensics::summary::Summary> {
        let s = self.forensics(id).ok()?.summary?;
        let empty = s.evidence_items == 0
            && s.indicators == 0
            && s.entry_vector.is_none()
            && s.data_affected.is_none();
        (!empty).then_some(s)
    }

    /// The incident's timeline picture, as SVG.
    pub fn timeline_svg(&self, id: &str) -> Result<String> {
        let (progress, playbook) = self.progress_and_playbook(id)?;
        let timeline = review::timeline(&progress, &playbook, self.now(), &self.zone());
        incident::timeline::render_svg(&timeline)
    }

    /// The review screen: the review, its timeline picture and the log's anchor.
    pub fn review_view(&self, id: &str) -> Result<ReviewView> {
        let (progress, playbook) = self.progress_and_playbook(id)?;
        let (now, zone) = (self.now(), self.zone());
        let timeline = review::timeline(&progress, &playbook, now, &zone);
        let mut review = review::review(&progress, &playbook, now, &zone);
        review.forensics = self.review_forensics(&progress.incident.id);
        Ok(ReviewView {
            review,
            timeline_svg: incident::timeline::render_svg(&timeline)?,
            anchor: self.user()?.log_anchor()?,
        })
    }

    /// The review as text, with the log's anchor at its foot.
    pub fn review_text(&self, id: &str) -> Result<String> {
        Ok(review::text(&self.review(id)?, &self.user()?.log_anchor()?, &self.zone()))
    }

    /// The review as printable HTML, with the timeline and the log's anchor.
    pub fn review_html(&self, id: &str) -> Result<String> {
        let view = self.review_view(id)?;
        Ok(review::html(&view.review, &view.timeline_svg, &view.anchor, (self.now(), &self.zone())))
    }

    /// The reminders that have come due: open incidents' step timers nobody has said they
    /// saw, calls to escalate, and the signed-in person's training due soon or overdue.
    /// Nothing while locked or under emergency access.
    pub fn reminders(&self) -> Vec<Reminder> {
        self.due_reminders().unwrap_or_default()
    }

    fn due_reminders(&self) -> Result<Vec<Reminder>> {
        let session = self.user()?;
        let now = self.now();
        // One read of the log serves every open incident and the training.
        let entries = session.events(None)?;
        let acks = crate::training::records::acks_of(&entries);
        let actions = self.action_reminders(&entries)?;
        let open = incident::all_progress(session, &self.in_force()?, entries)?;
        // The tree as last read (opened again only when it changed), and only the
        // contacts called: the ticker runs this every ten seconds while holding the app,
        // so every window command waits for it (20,000 contacts: a few milliseconds).
        let contacts = self.contact_tree()?;
        let (lead, zone) = (session.settings()?.clock_reminders, self.zone());
        let mut out = Vec::new();
        for progress in open.into_iter().filter(|p| !p.closed) {
            let i = &progress.incident;
            let reminder = |step, say, due| Reminder::of(i, step, say, due);
            // Calls gone unanswered past their wait: call the alternate.
            for s in calltree::called(&contacts, Some(&i.playbook), &progress.calls, now) {
                if let calltree::State::Escalate { since, reason } = s.state {
                    let c = &s.node.contact;
                    out.push(reminder(
                        format!("call:{}", c.id),
                        format!("{}: {reason}", c.name),
                        since,
                    ));
                }
            }
            for t in progress.timers.iter().filter(|t| !t.acknowledged && t.due <= now) {
                out.push(reminder(t.step.clone(), t.say.clone(), t.due));
            }
            out.extend(super::deadlines::clock_reminders(&progress, &lead, now, &zone));
        }
        out.extend(self.training_reminders(&acks)?);
        out.extend(self.risk_reminders()?);
        out.extend(actions);
        Ok(out)
    }

    /// The due reminders not announced yet: each is returned once, for the shell to raise
    /// a desktop notification (the window's banner keeps showing it until it is seen).
    pub fn announce_reminders(&mut self) -> Vec<Reminder> {
        let due = self.reminders();
        due.into_iter()
            .filter(|r| self.announced.insert((r.incident.clone(), r.step.clone(), r.due)))
            .collect()
    }
}

/// A discovery time typed by a person: RFC 3339 with its offset, or a date and time on the
/// workstation's clock (`2026-11-28T06:30`, as the window's field gives it) read in `zone`;
/// empty means now.
pub fn parse_discovered(
    text: Option<&str>,
    zone: &crate::words::Zone,
) -> Result<Option<DateTime<Utc>>> {
    parse_time(text, zone, "discovery time")
}

/// A time typed by a person, as [`parse_discovered`] reads one: `what` names the field in
/// an error; empty means none.
pub fn parse_time(
    text: Option<&str>,
    zone: &crate::words::Zone,
    what: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|d| d.to_utc())
            .ok()
            .or_else(|| zone.local(t))
            .map(Some)
            .ok_or_else(|| Error::Invalid {
                what,
                reason: format!(
                    "write it as 2026-11-28T06:30 (in {}) or 2026-11-28T06:30:00Z",
                    zone.name()
                ),
            }),
    }
}
