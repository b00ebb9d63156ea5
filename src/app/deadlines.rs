//! The legal clocks across the open incidents: the workstation's Clocks screen (every clock
//! that runs, soonest due first) and the reminders that come at the lead times an admin
//! sets (by default 7 days and 1 day before a clock is due, and when it is overdue).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::App;
use super::incidents::Reminder;
use crate::incident::clocks::Organisation;
use crate::incident::{self, DeadlineState, DeadlineStatus, Progress};
use crate::words::{self, Zone};
use crate::{Error, Result};

/// A legal clock of an open incident, as the Clocks screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunningClock {
    pub incident: String,
    pub title: String,
    pub drill: bool,
    pub clock: DeadlineState,
    /// Its due time and its state in words, in the workstation's zone.
    pub due_words: String,
    pub state_words: String,
}

impl App {
    /// Every legal clock of the open incidents that runs, is paused or is overdue, overdue
    /// and soonest due first. Any signed-in user (the clocks are on every incident's
    /// screen too).
    pub fn running_clocks(&self) -> Result<Vec<RunningClock>> {
        let session = self.user()?;
        let zone = self.zone();
        let open = incident::all_progress(session, &self.in_force()?, session.events(None)?)?;
        let mut out: Vec<RunningClock> = open
            .into_iter()
            .filter(|p| !p.closed)
            .flat_map(|p| {
                let i = p.incident;
                p.deadlines.into_iter().filter(|d| runs(d.status)).map(move |clock| RunningClock {
                    incident: i.id.clone(),
                    title: i.title.clone(),
                    drill: i.drill,
                    due_words: clock.due_words(&zone),
                    state_words: clock.state_words(&zone),
                    clock,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.clock.due, &a.incident).cmp(&(b.clock.due, &b.incident)));
        Ok(out)
    }

    /// Sets the clock reminders' lead times from words such as `7d 1d 4h` (days, hours or
    /// minutes). Admins.
    pub fn set_clock_reminders(&mut self, text: &str) -> Result<Vec<u32>> {
        let minutes = lead_times(text)?;
        self.user()?.set_clock_reminders(minutes)?;
        Ok(self.user()?.settings()?.clock_reminders)
    }

    /// Sets the organisation's profile the clock rules look at: the states and territories
    /// it operates in (postal codes) and its traits (`publicly-traded`,
    /// `business-associate`). Admins. Returns the profile as the clocks now read it.
    pub fn set_organisation(
        &mut self,
        jurisdictions: &[String],
        traits: &[String],
    ) -> Result<Organisation> {
        let session = self.user()?;
        session.set_organisation(jurisdictions, traits)?;
        incident::organisation(session)
    }

    /// The organisation's profile as the clocks read it (any signed-in user).
    pub fn organisation(&self) -> Result<Organisation> {
        incident::organisation(self.user()?)
    }
}

fn runs(status: DeadlineStatus) -> bool {
    matches!(status, DeadlineStatus::Running | DeadlineStatus::Paused | DeadlineStatus::Overdue)
}

/// Lead times in words (`7d 1d 4h 30m`, or separated by commas) as minutes.
pub fn lead_times(text: &str) -> Result<Vec<u32>> {
    let bad = |word: &str| Error::Invalid {
        what: "clock reminders",
        reason: format!(
            "`{}` is not a lead time: write a number and d, h or m, such as 7d 1d 4h",
            word.chars().take(20).collect::<String>()
        ),
    };
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|word| {
            let unit = match word.chars().last() {
                Some('d') => 24 * 60,
                Some('h') => 60,
                Some('m') => 1,
                _ => return Err(bad(word)),
            };
            let number: u32 = word[..word.len() - 1].parse().map_err(|_| bad(word))?;
            number.checked_mul(unit).ok_or_else(|| bad(word))
        })
        .collect()
}

/// The lead times in words, as an admin writes them: `7 d, 1 d`.
pub fn lead_words(minutes: &[u32]) -> String {
    minutes.iter().map(|m| words::minutes(i64::from(*m))).collect::<Vec<_>>().join(", ")
}

/// The reminders an incident's clocks give at `now`: for each running clock, the shortest
/// lead time already reached (one reminder at a time, each announced once), and one when
/// it is overdue.
pub(super) fn clock_reminders(
    p: &Progress,
    lead: &[u32],
    now: DateTime<Utc>,
    zone: &Zone,
) -> Vec<Reminder> {
    let reminder = |step, say, due| Reminder::of(&p.incident, step, say, due);
    let mut out = Vec::new();
    for d in &p.deadlines {
        let Some(due) = d.due else { continue };
        match d.status {
            DeadlineStatus::Overdue => out.push(reminder(
                format!("clock:{}:overdue", d.clock),
                format!("OVERDUE: {}, due {}", d.what, zone.minute(due)),
                due,
            )),
            DeadlineStatus::Running => {
                let reached =
                    lead.iter().filter(|m| now >= due - TimeDelta::minutes(i64::from(**m))).min();
                if let Some(m) = reached {
                    let left = words::duration(due - now);
                    out.push(reminder(
                        format!("clock:{}:{m}", d.clock),
                        format!("{}: due {}, {left} left", d.what, zone.minute(due)),
                        due - TimeDelta::minutes(i64::from(*m)),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}
