//! An incident's operational periods, objectives and general messages, what people write
//! for the HICS 201, 204, 215A and 251, and its HICS forms
//! (issue 21): each front end parses, calls one of these, and shows the incident or saves
//! the file.

use super::App;
use super::incidents::IncidentView;
use super::records::Export;
use crate::Result;
use crate::incident::export::Format;
use crate::incident::hics::entered::{self, BriefingPart, SystemStatus};
use crate::incident::hics::{self, Request};
use crate::incident::periods::{self, Message};

impl App {
    /// Starts the incident's next operational period, `length_hours` long (the current
    /// one's length when `None`): its lead, incident leads and admins.
    pub fn start_period(&self, id: &str, length_hours: Option<u32>) -> Result<IncidentView> {
        self.view(|s, list| periods::start_period(s, list, id, length_hours))
    }

    /// Sets a new incident objective (HICS 202), carried into each next period until closed.
    pub fn set_objective(&self, id: &str, text: &str) -> Result<IncidentView> {
        self.view(|s, list| periods::set_objective(s, list, id, text))
    }

    /// Closes an open objective by its number.
    pub fn close_objective(&self, id: &str, number: u32) -> Result<IncidentView> {
        self.view(|s, list| periods::close_objective(s, list, id, number))
    }

    /// Writes a general message (HICS 213) to a position; returns its log entry's number
    /// and the incident.
    pub fn general_message(&self, id: &str, message: Message) -> Result<(u64, IncidentView)> {
        let seq = periods::message(self.user()?, &self.in_force()?, id, message)?;
        Ok((seq, self.incident(id)?))
    }

    /// One HICS form of an incident for a period (and the 214's position), as HTML or CSV
    /// (incident leads and admins), checked against the store's state first.
    pub fn incident_form(&self, id: &str, request: &Request) -> Result<Export> {
        let session = self.user()?;
        session.check_state()?;
        let bytes =
            hics::form_file(session, &self.in_force()?, id, request, (self.now(), &self.zone()))?;
        let period = self.progress(id)?.period(request.period)?.number;
        let position = match (request.form, request.position.as_deref()) {
            (hics::Form::F214, Some(p)) => format!("-{p}"),
            (hics::Form::F214, None) => "-incident-commander".to_owned(),
            _ => String::new(),
        };
        let ext = if request.format == Format::Csv { "csv" } else { "html" };
        let form = match request.form {
            hics::Form::Iap => "iap".to_owned(),
            f => format!("hics{}", f.number().to_ascii_lowercase()),
        };
        let file_name = format!("incident-{id}.{form}-p{period}{position}.{ext}");
        Ok(Export { file_name, bytes })
    }
}

impl App {
    /// Writes parts of the incident briefing (HICS 201), all or none: its lead, incident
    /// leads and admins.
    pub fn write_briefing(&self, id: &str, parts: &[(BriefingPart, &str)]) -> Result<IncidentView> {
        self.view(|s, list| entered::write_briefing(s, list, id, parts))
    }

    /// Writes a position's work assignment (HICS 204): its lead, incident leads and admins.
    pub fn assign_work(&self, id: &str, position: &str, text: &str) -> Result<IncidentView> {
        self.view(|s, list| entered::assign_work(s, list, id, position, text))
    }

    /// Notes a hazard and its mitigation (HICS 215A): its lead, incident leads and admins.
    pub fn note_hazard(&self, id: &str, hazard: &str, mitigation: &str) -> Result<IncidentView> {
        self.view(|s, list| entered::note_hazard(s, list, id, hazard, mitigation))
    }

    /// Sets a facility system's status (HICS 251): anyone signed in.
    pub fn set_system_status(
        &self,
        id: &str,
        system: &str,
        status: SystemStatus,
        note: Option<&str>,
    ) -> Result<IncidentView> {
        self.view(|s, list| entered::set_system_status(s, list, id, system, status, note))
    }
}
