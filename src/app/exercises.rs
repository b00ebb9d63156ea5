//! Exercises (issue 20): the packages in force, starting one as a drill incident, the
//! facilitator's scenario clock, participants' decisions and evaluators' observations
//! (`crate::exercise`).

use std::path::Path;

use super::App;
use super::incidents::Reminder;
use crate::events::{Entry, Event};
use crate::exercise::actions::{self, Action, NewAction, Standing};
use crate::exercise::run::{self, Control, Exercise, Rating};
use crate::exercise::{self, Package, PackageSummary, aar};
use crate::{Error, Result};

impl App {
    /// The exercise packages in force: the built-in ones with the signed pack's over them.
    pub(super) fn exercise_packages_in_force(&self) -> Result<Vec<Package>> {
        Ok(self.exercises_in_force()?.as_ref().clone())
    }

    /// The exercise packages in force, as a list shows them.
    pub fn exercise_packages(&self) -> Result<Vec<PackageSummary>> {
        self.user()?;
        Ok(self.exercise_packages_in_force()?.iter().map(PackageSummary::from).collect())
    }

    /// One package in full: the situation manual, the modules and the guides.
    pub fn exercise_package(&self, id: &str) -> Result<Package> {
        self.user()?;
        exercise::find(&self.exercise_packages_in_force()?, id).cloned()
    }

    /// Starts an exercise of a package in force: a drill incident the signed-in user
    /// facilitates.
    pub fn start_exercise(&self, package: &str) -> Result<Exercise> {
        let packages = self.exercise_packages_in_force()?;
        let p = exercise::find(&packages, package)?;
        let started = run::start(self.user()?, &self.in_force()?, p, self.now())?;
        run::progress(self.user()?, &packages, &started.id)
    }

    /// Every exercise, newest first.
    pub fn exercises(&self) -> Result<Vec<Exercise>> {
        run::list(self.user()?, &self.exercise_packages_in_force()?)
    }

    /// Where an exercise stands now.
    pub fn exercise(&self, id: &str) -> Result<Exercise> {
        run::progress(self.user()?, &self.exercise_packages_in_force()?, id)
    }

    /// The facilitator moves the scenario clock: next inject, pause, resume, speed.
    pub fn control_exercise(&self, id: &str, control: Control) -> Result<Exercise> {
        run::control(self.user()?, &self.exercise_packages_in_force()?, id, control)
    }

    /// A participant's decision against the inject in play (or an inject that has come).
    pub fn exercise_decision(
        &self,
        id: &str,
        inject: Option<&str>,
        text: &str,
    ) -> Result<Exercise> {
        run::decide(self.user()?, &self.exercise_packages_in_force()?, id, inject, text)
    }

    /// An evaluator's observation of a critical task, under their own unlock.
    pub fn observe_exercise(
        &self,
        id: &str,
        task: &str,
        rating: Rating,
        note: &str,
    ) -> Result<Exercise> {
        run::observe(self.user()?, &self.exercise_packages_in_force()?, id, task, rating, note)
    }

    /// The exercise register of `year` and the two before (admins and incident leads).
    pub fn exercise_register(&self, year: Option<i32>) -> Result<exercise::register::Register> {
        let session = self.user()?;
        session
            .require(crate::store::Permission::EvaluateExercises, "see the exercise register")?;
        let year = year.unwrap_or_else(|| chrono::Datelike::year(&self.today()));
        let packages = self.exercise_packages_in_force()?;
        let list = run::list(session, &packages)?;
        let by_hand = exercise::register::recorded(&session.events(None)?);
        let years = [year, year - 1, year - 2];
        exercise::register::register(&list, &by_hand, &packages, &years, &self.zone())
    }

    /// Enters an exercise held outside the app in the register (admins and incident
    /// leads): its type, its date (not in the future), its title and what it covered.
    pub fn record_exercise(
        &self,
        kind: exercise::ExerciseType,
        date: chrono::NaiveDate,
        title: &str,
        summary: &str,
    ) -> Result<()> {
        let session = self.user()?;
        if date > self.today() {
            return Err(Error::Invalid {
                what: "exercise date",
                reason: "is in the future".into(),
            });
        }
        let title = run::checked_text(title, "exercise title")?;
        if title.chars().count() > crate::limits::MAX_TEXT_CHARS {
            return Err(Error::Invalid {
                what: "exercise title",
                reason: format!("write at most {} characters", crate::limits::MAX_TEXT_CHARS),
            });
        }
        let summary = run::checked_text(summary, "what the exercise covered")?;
        let event = Event::ExerciseRecorded { date, kind, summary, title };
        session.write(|w| {
            w.role().require(crate::store::Permission::EvaluateExercises, "record an exercise")?;
            w.append(None, &event)
        })?;
        Ok(())
    }

    /// Adds a corrective action to an exercise's improvement plan (its facilitator,
    /// admins and incident leads).
    pub fn add_corrective_action(&self, id: &str, new: &NewAction<'_>) -> Result<Action> {
        let packages = self.exercise_packages_in_force()?;
        let x = run::progress(self.user()?, &packages, id)?;
        let package = exercise::find(&packages, &x.package)?;
        let modules: Vec<String> = self.modules()?.iter().map(|m| m.id.clone()).collect();
        actions::add(self.user()?, &x, package, (&self.in_force()?, &modules), new)
    }

    /// The corrective actions the signed-in person sees (their own; admins and incident
    /// leads every one): open ones first, by due date.
    pub fn corrective_actions(&self) -> Result<Vec<Action>> {
        let session = self.user()?;
        let everyone = session.role_now()?.may(crate::store::Permission::EvaluateExercises);
        let mut list: Vec<Action> = all_actions(&session.events(None)?)
            .into_iter()
            .filter(|a| actions::sees(session, everyone, a))
            .collect();
        list.sort_by_key(|a| (a.closed.is_some(), a.due));
        Ok(list)
    }

    /// Closes a corrective action (its owner, admins and incident leads).
    pub fn close_corrective_action(&self, action: &str, note: &str) -> Result<Action> {
        let session = self.user()?;
        actions::close(session, &all_actions(&session.events(None)?), action, note)
    }

    /// The AAR/IP of an exercise as printable HTML, with its timeline picture and the
    /// log's anchor.
    pub fn exercise_report_html(&self, id: &str) -> Result<String> {
        let packages = self.exercise_packages_in_force()?;
        let session = self.user()?;
        let x = run::progress(session, &packages, id)?;
        let package = exercise::find(&packages, &x.package)?;
        let own: Vec<Action> = all_actions(&session.events(Some(id))?);
        let review = self.review_view(id)?;
        let report = aar::report(&x, package, own);
        Ok(aar::html(&report, &review.timeline_svg, &review.anchor, (self.now(), &self.zone())))
    }

    /// The AAR/IP as a file to save (the window's "Save the AAR/IP").
    pub fn exercise_report(&self, id: &str) -> Result<super::records::Export> {
        let html = self.exercise_report_html(id)?;
        Ok(super::records::Export {
            file_name: format!("aar-ip-{id}.html"),
            bytes: html.into_bytes(),
        })
    }

    /// Corrective actions due within [`actions::REMIND_DAYS`] or overdue that the
    /// signed-in person owns (admins and incident leads: every one), as reminders, each
    /// once a local day.
    pub(super) fn action_reminders(&self, entries: &[Entry]) -> Result<Vec<Reminder>> {
        let session = self.user()?;
        let everyone = session.role_now()?.may(crate::store::Permission::EvaluateExercises);
        let today = self.today();
        let key = today.and_hms_opt(0, 0, 0).map_or(self.now(), |d| d.and_utc());
        Ok(all_actions(entries)
            .into_iter()
            .filter(|a| actions::sees(session, everyone, a))
            .filter_map(|a| {
                let say = match a.standing(today) {
                    Standing::Open { days_left } if days_left <= actions::REMIND_DAYS => {
                        format!(
                            "{} ({}) is due {} ({days_left} days left): {}",
                            a.id, a.owner, a.due, a.text
                        )
                    }
                    Standing::Overdue { days_over } => {
                        format!(
                            "{} ({}) was due {}: {days_over} days overdue: {}",
                            a.id, a.owner, a.due, a.text
                        )
                    }
                    Standing::Open { .. } | Standing::Closed => return None,
                };
                Some(Reminder {
                    incident: a.exercise.clone(),
                    title: format!("Corrective action: {}", a.exercise_title),
                    drill: true,
                    step: format!("action:{}", a.id),
                    say,
                    due: key,
                })
            })
            .collect())
    }
}

/// Every corrective action in `entries`, each exercise named by its title.
fn all_actions(entries: &[Entry]) -> Vec<Action> {
    let titles: std::collections::BTreeMap<&str, &str> = entries
        .iter()
        .filter_map(|e| match (&e.event, e.incident.as_deref()) {
            (Event::ExerciseStarted { title, .. }, Some(id)) => Some((id, title.as_str())),
            _ => None,
        })
        .collect();
    actions::replay(entries, &|id| {
        titles.get(id).map_or_else(|| id.to_owned(), |t| (*t).to_owned())
    })
}

/// Checks exercise package files (`caregiver exercise validate`), each inject's steps
/// against the built-in playbooks. No store needed.
pub fn validate_packages(paths: &[&Path]) -> Result<()> {
    let playbooks = crate::playbook::embedded()?;
    let problems = exercise::validate_paths(paths, &playbooks);
    if problems.is_empty() { Ok(()) } else { Err(Error::ExerciseInvalid { diagnostics: problems }) }
}

#[cfg(test)]
#[path = "exercises_tests.rs"]
mod tests;
